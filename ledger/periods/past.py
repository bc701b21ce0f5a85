"""What books carried forward to a month (forward.py) hold only as sums, read back from
the month files where a command needs the entries themselves.

The carried ledger holds the month files from its month on as they are, the lookback
before it entry by entry in its own file, and what came before that as balances. That
is all the checks need; a few readers need more:

- the report's bank rows: a statement's last balance may be older than the ledger, and
  the bank lines after it with it (an OFX or MT940 statement states one balance);
- the matcher: every bank line before the lookback (the history stage's evidence, and
  the lines that compete for the same items);
- every writer on these books (`match --since --apply`, the Fava page's actions): the
  month files' own copies of entries the ledger's file printed, where an edit of them
  goes (`copies`).

Each reads only the month files before the month whose text names an account it asks
for (a bank's account: the bank's own folder, a few kilobytes a month), parsed one at a
time as `carry` parses them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from beancount.core import data

from beanclear.books.render import SUMMARY_FLAG
from beanclear.periods.closed import month_files
from beanclear.periods.forward import CARRIED_ID, SINCE, month_entries


@dataclass(frozen=True)
class Carried:
    """Books carried forward, as their `beanclear-since` directive describes them."""

    month: str        # YYYY-MM
    start: dt.date    # its first day
    window: dt.date   # the first day carried entry by entry
    path: str         # the ledger's own file, as its entries name it


def carried(entries) -> Carried | None:
    """What books carried forward say of themselves; None for the whole books."""
    for entry in entries:
        if type(entry) is data.Custom and entry.type == SINCE:
            return said(entry)
    return None


def said(directive) -> Carried:
    """What their `beanclear-since` directive says (the one a load's plugins found:
    checks/reconcile.py Walk.since), without walking the entries for it again."""
    month, _, days = [v.value for v in directive.values][:3]
    return Carried(str(month), directive.date, directive.date - dt.timedelta(days=int(days)),
                   directive.meta["filename"])


def summed(entry) -> bool:
    """Whether an entry is balances carried forward (no line, no item, no sale)."""
    return (type(entry) is data.Transaction and entry.flag == SUMMARY_FLAG
            and str(entry.meta.get("id", "")).startswith(CARRIED_ID))


def own(entries, books: Carried) -> list:
    """The entries of the files the ledger includes, without those of its own file (the
    balances carried, and the lookback printed there away from its month files)."""
    return [e for e in entries if e.meta.get("filename") != books.path]


def read_back(root: Path, books: Carried, accounts, options) -> Iterator[list]:
    """The entries of each month file before the month whose text names one of
    `accounts`, newest first."""
    names = [a.encode() for a in accounts]
    for month, path in reversed(month_files(root)):
        if month < books.month:
            text = path.read_bytes()
            if any(name in text for name in names):
                yield month_entries(path, options)


def in_order(*parts) -> list:
    """Entries of several reads in one list, in the order a load sorts them."""
    return sorted((e for part in parts for e in part), key=data.entry_sortkey)


def located(root: Path, books: Carried, entries, options) -> dict[int, object]:
    """The month files' own copies of `entries` of the ledger's file (id(entry) -> its
    copy): where an edit of them must be written. Each is found in a month file of its
    date's month, by its `id` (the files that hold it) and then by its printed text."""
    from beancount.parser import printer
    wanted: dict[str, dict[tuple, list]] = {}
    for entry in entries:
        key = (entry.date, str(entry.meta.get("id", "")))
        wanted.setdefault(f"{entry.date:%Y-%m}", {}).setdefault(key, []).append(entry)
    out: dict[int, object] = {}
    for month, path in month_files(root):
        keys = wanted.get(month)
        if keys is None or month >= books.month:
            continue
        ids = [k[1] for k in keys]
        if all(ids):
            text = path.read_bytes()
            if not any(f'"{i}"'.encode() in text for i in ids):
                continue
        for copy in month_entries(path, options):
            for entry in keys.get((copy.date, str(copy.meta.get("id", ""))), ()):
                if id(entry) not in out and printer.format_entry(copy) == printer.format_entry(entry):
                    out[id(entry)] = copy
    return out


def copies(root: Path, books: Carried, entries, options) -> dict[int, object]:
    """located(), refusing what no month file holds as the ledger's file printed it (a
    month file changed since `carry`, or balances carried, which no month file holds):
    LookupError naming the ledger's file and line, so an edit is never made elsewhere."""
    found = located(root, books, entries, options)
    lost = next((e for e in entries if id(e) not in found), None)
    if lost is None:
        return found
    where = f"{books.path}:{lost.meta.get('lineno')}"
    if summed(lost):
        raise LookupError(f"{where}: balances carried forward to {books.window}, in no month file: "
                          "edit the entries they sum, in the books (`fava books/main.beancount`)")
    raise LookupError(f"{where}: the entry of {lost.date} is in no month file as carried; "
                      f"run `beanclear carry {books.month}` again")
