"""The base of every beanclear importer: beangulp's Importer protocol plus what the
`beanclear import` command needs to report (rows read, rows skipped and why, notes).

An importer posts only what its own statement says (DESIGN.md §1). Each entry carries
the statement's own id in its `id` metadata: that is what makes re-imports idempotent.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

import beangulp
from beancount.core import data
from beancount.core.amount import Amount

from beanclear.importers.toolkit import sniff


@dataclass
class Extraction:
    """What one statement gave: entries, and an account of every row read."""

    entries: list = field(default_factory=list)
    rows: int = 0                                        # data rows read
    skipped: Counter = field(default_factory=Counter)    # reason -> rows that move no booked money
    notes: list[str] = field(default_factory=list)       # e.g. the summary line disagrees

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1


class StatementImporter(beangulp.Importer):
    """One source of the config (a channel or a bank) reading one kind of statement."""

    kind: str = ""  # short label for summaries, e.g. "wechat trade bill"

    def __init__(self, source, config):
        self.source, self.config = source, config

    @property
    def name(self) -> str:
        return f"beanclear.{self.source.name}.{self.kind.replace(' ', '-')}"

    def identify(self, filepath: str) -> bool:
        return self.matches(sniff(filepath))

    @abc.abstractmethod
    def matches(self, head: str) -> bool:
        """Whether the start of a file (decoded text) is this importer's statement."""

    @abc.abstractmethod
    def parse(self, filepath: str) -> Extraction:
        """Read the whole statement; raise StatementError on bad input."""

    # Called as on_progress(rows done, rows in all) while a long statement is read.
    on_progress: Callable[[int, int], None] | None = None

    def each(self, rows: list) -> Iterator:
        """The data rows, reporting progress every few thousand of them."""
        report = self.on_progress
        if report is None:
            yield from rows
            return
        total = len(rows)
        for done, row in enumerate(rows):
            if done % 5000 == 0:
                report(done, total)
            yield row
        report(total, total)

    def extract(self, filepath: str, existing=None) -> data.Entries:
        return self.parse(filepath).entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        # Identity is the statement's own id, never a fuzzy comparison (DESIGN.md §2).
        known = {e.meta.get("id") for e in existing if isinstance(e, data.Transaction)}
        for entry in entries:
            if isinstance(entry, data.Transaction) and entry.meta.get("id") in known:
                entry.meta["__duplicate__"] = True


# -- building entries -----------------------------------------------------------------

def link(prefix: str, ident: str) -> str:
    """A Beancount link from a statement id (links allow only [A-Za-z0-9-_/.])."""
    return prefix + re.sub(r"[^A-Za-z0-9\-_/.]", "_", ident)


def posting(account: str, number: Decimal, currency: str, price: Amount | None = None) -> data.Posting:
    """A posting; `price` is the per-unit rate a conversion was made at (`@ 7.1234 CNY`)."""
    return data.Posting(account, Amount(number, currency), None, price, None, None)


def transaction(path: str, line: int, when: dt.datetime | dt.date, payee: str | None, narration: str,
                meta: dict, postings: list[data.Posting], links=()) -> data.Transaction:
    """A transaction; postings of zero are left out (a fee of 0.00 is no posting)."""
    date = when.date() if isinstance(when, dt.datetime) else when
    full = data.new_metadata(str(path), line)
    if isinstance(when, dt.datetime):
        full["time"] = when.strftime("%H:%M:%S")
    full.update({k: v for k, v in meta.items() if v not in (None, "")})
    kept = [p for p in postings if p.units.number != 0] or postings[:1]
    return data.Transaction(full, date, "*", payee or None, narration, frozenset(), frozenset(links), kept)


def balance(path: str, line: int, date: dt.date, account: str, number: Decimal, currency: str,
            meta: dict | None = None) -> data.Balance:
    full = data.new_metadata(str(path), line)
    full.update(meta or {})
    return data.Balance(full, date, account, Amount(number, currency), None, None)


def closing_balances(rows: list[tuple[dt.datetime, int, Decimal, Decimal]]) -> dict[dt.date, tuple[int, Decimal]]:
    """Each day's closing balance from rows of (time, line, amount, balance after).

    Statements list rows newest-first, oldest-first or unsorted, so the day's last row
    is found by the chain of balances: the one no other row of that day continues from.
    Where the chain does not decide (zero amounts, repeated balances), the latest time
    and then the latest line wins. Returns date -> (line, balance)."""
    by_day: dict[dt.date, list] = {}
    for row in rows:
        by_day.setdefault(row[0].date(), []).append(row)
    out = {}
    for day, day_rows in by_day.items():
        openings = Counter(bal - amount for _, _, amount, bal in day_rows)
        ends = [r for r in day_rows if openings[r[3]] - (r[2] == 0) == 0]
        last = max(ends or day_rows, key=lambda r: (r[0], r[1]))
        out[day] = (last[1], last[3])
    return out


def next_day(date: dt.date) -> dt.date:
    """Balance assertions hold at the start of a day: a closing balance is asserted
    on the next one."""
    return date + dt.timedelta(days=1)


def path_of(filepath) -> str:
    return str(Path(filepath))


def compare_summary(out: Extraction, stated: dict, actual: dict) -> None:
    """Check the statement's own totals against its rows. A difference is a note in the
    import summary, not an error: real bills (and WeChat's test bills) elide rows, and
    the books must still hold exactly the rows that are there."""
    differ = [k for k, v in stated.items() if v is not None and v != actual[k]]
    if differ:
        out.notes.append("summary line says " + ", ".join(f"{k} {stated[k]}" for k in differ)
                         + "; the rows add up to " + ", ".join(f"{k} {actual[k]}" for k in differ)
                         + " (rows missing from the file?)")
