"""Which months are closed, from books/periods.beancount's text, in file order:

    2026-01-31 custom "beanclear-close" "2026-01"                 closes January
      closed-by: "alice"
    2026-01-31 custom "beanclear-reopen" "2026-01" "late refund"  opens it again

A month is closed while its last close directive comes after its last reopen. Both are
dated the month's last day, so only their order in the file tells which came later:
beanclear only ever appends to the file.

A decision about a finding of a closed month that moves no money (an acknowledgment, a
follow-up, its done line) is written all the same, dated the day it is made: a follow-up
outlives the close. It says which close it came after, the month, and from its second
close on which one (`after-close: "2026-06"`, `"2026-06#2"`: after_close), and that
month's report leaves it out while that close stands (as_closed): the report made at
close is the record of what was closed. Reopened, the month's report has it, and closed
again, that close judged it: kept in. Nothing else orders a line of acks.beancount
against one of this file: both are dated, the close by the month's last day.
"""

from __future__ import annotations

import datetime as dt

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from beancount.core import data

from beanclear.checks.directives import AFTER_CLOSE, DECIDED_BY
from beanclear.checks.directives import CLOSE, MONTH, REOPEN  # noqa: F401  (part of this module's interface)
from beanclear.importers.toolkit import StatementError

PERIODS_FILE = "periods.beancount"
DIRECTIVE = re.compile(r'^\d{4}-\d{2}-\d{2}[ \t]+custom[ \t]+"(beanclear-close|beanclear-reopen)"[ \t]+'
                       r'"(\d{4}-\d{2})"[^\n]*\n?((?:[ \t]+[^\n]*\n?)*)', re.M)
BY = re.compile(r'^[ \t]+(?:closed|reopened)-by:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)


class ClosedMonth(StatementError):
    """A statement refused for what it adds to a closed month: no bad input, the books
    refuse it (exit 2 all the same; the page answers 409, as for any closed month)."""


def is_month_file(root: Path, path: Path) -> bool:
    """Whether a path is a source's month file: books/<source>/<YYYY>/<YYYY-MM>.beancount."""
    path = Path(path)
    return (path.suffix == ".beancount" and bool(MONTH.match(path.stem)) and path.parent.name == path.stem[:4]
            and path.parent.parent.parent == Path(root))


def is_periods_file(root: Path, path) -> bool:
    """Whether a path is books/periods.beancount: its `balance`s are the books' own month
    ends, asserted by `close`, not a statement's balances."""
    path = Path(path)
    return path.name == PERIODS_FILE and path.parent.resolve() == Path(root).resolve()


def month_files(root: Path) -> list[tuple[str, Path]]:
    """(YYYY-MM, path) of every source's month file, by month, then path."""
    found = Path(root).glob("*/[0-9][0-9][0-9][0-9]/*.beancount")
    return sorted(((p.stem, p) for p in found if is_month_file(root, p)), key=in_month_order)


def in_month_order(month_path: tuple[str, Path]) -> tuple[str, str]:
    return month_path[0], str(month_path[1])


@dataclass(frozen=True)
class Closed:
    month: str      # "2026-01"
    line: int       # of its close directive in periods.beancount
    by: str
    times: int = 1  # the month's first close, or its second (reopened, closed again)...

    @property
    def mark(self) -> str:
        """How a decision made after this close names it (after-close:)."""
        return self.month if self.times == 1 else f"{self.month}#{self.times}"


def closed_months(root: Path) -> dict[str, Closed]:
    """The months closed now, with the close directive that closed each."""
    return _now(_directives(root))


def first_open_day(closed, day: dt.date) -> dt.date:
    """The first day of the first month at or after `day`'s that is not closed (`closed`:
    closed_months): where what an import learns of a closed month is booked."""
    day = day.replace(day=1)
    while f"{day:%Y-%m}" in closed:
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return day


def closed_after(root: Path, month: str) -> list[Closed]:
    """The months after `month` closed now, unless `month` was closed once: months close
    in order, and a month reopened closes again whatever was closed after it (it was
    closed before them)."""
    directives = list(_directives(root))
    if any(kind == CLOSE and c.month == month for kind, c in directives):
        return []
    return sorted((c for c in _now(directives).values() if c.month > month), key=lambda c: c.month)


def _now(directives: Iterable[tuple[str, Closed]]) -> dict[str, Closed]:
    """The months closed after these directives: each month's last one decides."""
    out: dict[str, Closed] = {}
    for kind, closed in directives:
        if kind == REOPEN:
            out.pop(closed.month, None)
        else:
            out[closed.month] = closed
    return out


def _directives(root: Path) -> Iterator[tuple[str, Closed]]:
    """(CLOSE or REOPEN, the month, its line, who and the how-manieth close of the month)
    of each directive, in file order."""
    path = Path(root) / PERIODS_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    times: dict[str, int] = {}
    for m in DIRECTIVE.finditer(text):
        by = BY.search(m.group(3) or "")
        if m.group(1) == CLOSE:
            times[m.group(2)] = times.get(m.group(2), 0) + 1
        yield m.group(1), Closed(m.group(2), text.count("\n", 0, m.start()) + 1, by.group(1) if by else "",
                                 times.get(m.group(2), 0))


def after_close(root: Path, days) -> tuple[str, list[Closed]]:
    """What a decision about findings of these days says of the months of them closed now
    (the decision's `after-close:`, "" where none is), and those closes."""
    closed = closed_months(root)
    now = [closed[m] for m in sorted({f"{day:%Y-%m}" for day in days if day}) if m in closed]
    return " ".join(c.mark for c in now), now


def as_closed(entries, root: Path, month: str) -> list:
    """The books as a month's report reads them: where the month is closed, without the
    decisions made after that close (the report made at close is the record of what was
    closed); `entries` itself where there is none (most books)."""
    closed = closed_months(root).get(month)
    if closed is None:
        return entries
    mark = closed.mark
    out = [e for e in entries if not (type(e) is data.Custom and e.type in DECIDED_BY
                                      and mark in str(e.meta.get(AFTER_CLOSE, "")).split())]
    return out if len(out) != len(entries) else entries


def said_after(closes: list[Closed]) -> str:
    """What an action on findings of closed months says of them (after_close's closes)."""
    if not closes:
        return ""
    one = len(closes) == 1
    return (f"; {' and '.join(c.month for c in closes)} {'is' if one else 'are'} closed "
            f"({', '.join(_closed_by(c) for c in closes)}): `beanclear check` shows it; "
            f"{'its report stays' if one else 'their reports stay'} as closed (after-close)")


def refuse_closed(root: Path, results) -> None:
    """Raise ClosedMonth (a StatementError) at the first new entry (of import FileResults)
    dated in a closed month: an import never adds to or changes a closed month. A
    statement whose rows the books all hold there is no such import (a closed month's
    statement downloaded again, in part, in another order): its coverage record, dated its
    last day, is left out where that day's month is closed (a record written there would
    change the closed month's file and what its coverage says), and its notes say so."""
    closed = closed_months(root)
    if not closed:
        return
    for result in results:
        # A fold over the new entries (they may be on disk): the first, by line, of those
        # in a closed month; of equal lines, the first to come (as a stable sort gives).
        found, best = None, None
        for entry in result.new:
            month = entry.date.strftime("%Y-%m")
            if month in closed:
                line = entry.meta.get("lineno")
                rank = (not line, line or 0)
                if best is None or rank < best:
                    found, best = entry, rank
        if found is not None:
            month = found.date.strftime("%Y-%m")
            raise ClosedMonth(result.path, found.meta.get("lineno") or 0,
                              f'{month} is closed ({_closed_by(closed[month])}); beanclear reopen {month} '
                              f'--reason "…" first')
    for result in results:
        kept = []
        for record in result.covered:
            month = record.date.strftime("%Y-%m")
            if month not in closed:
                kept.append(record)
                continue
            first = record.values[1].value if len(record.values) > 1 else record.date
            result.notes.append(("" if len(result.new) else "nothing new; ")
                                + f"{month} is closed ({_closed_by(closed[month])}): its coverage record ({first} "
                                f"to {record.date}) is not written, and the closed month's books stay as they are")
        result.covered[:] = kept


def _closed_by(c: Closed) -> str:
    """`beanclear close by alice, periods.beancount:4`: who closed the month, and where."""
    return f"beanclear close{f' by {c.by}' if c.by else ''}, {PERIODS_FILE}:{c.line}"
