"""A statement re-saved by Excel or WPS is refused where it would book its lines again.

Excel reads a column of digits as numbers: a bank's 交易流水号 `0026030500001` is saved
back as `26030500001` (FORMATS.md §0, §10), its dates, amounts and running balances as
they were. Its ids are new to the books, so every line would be booked a second time
(and its balances, the same, said to be restated). A line whose id is, leading zeros
aside, the id of another line the books hold or an earlier statement of the import
brings, on the same day with the same amount, is such a copy: the statement without
the zeros is refused, naming its line, and nothing is written. In either order: the
original after a copy the books hold is refused too, naming where the copy's lines are.
`--force` imports it anyway (ids that really are other lines).

Only ids of digits, at most DIGITS of them without their zeros: what Excel keeps of a
number (a longer one it shortens to `2.60305E+16`: toolkit.excel_shortened).
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from beanclear.books import Books
from beanclear.books.idset import Ids
from beanclear.books.late_views import POSTING
from beanclear.importers.toolkit import StatementError

DIGITS = 15   # significant digits Excel keeps of a number


class Copies:
    """The new lines of an import's statements whose ids, zeros aside, are other ids
    of their source; refuse() then compares their days and amounts."""

    def __init__(self, books: Books):
        self.books = books
        self._padded: dict[str, Ids] = {}   # per source: an id without its leading zeros -> the id
        self._twins: list[tuple] = []       # (source, the new line, the other id)

    def see(self, name: str, entry, path: Path, known: Ids) -> None:
        """Note a new entry of source `name` (before `known`, its identities, hold it)."""
        ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
        if not ident or (len(ident) > DIGITS and ident[0] != "0") or not (ident.isascii() and ident.isdigit()):
            return   # (a channel's long ids: no more asked of them)
        bare = ident.lstrip("0")
        if not bare or len(bare) > DIGITS:
            return
        padded = self._padded.get(name)
        if bare != ident:   # the books (or the import) may hold a copy of it
            other = bare if bare in known else None
            if padded is not None:
                padded.add(bare, ident)
        else:   # it may be a copy of a line they hold
            other = self._padded_of(name, known).get(bare)
        if other is not None and other != ident:
            self._twins.append((name, _line(entry, path), other))

    def _padded_of(self, name: str, known: Ids) -> Ids:
        """The source's known ids of digits with leading zeros, by the id without them:
        found once per import, the first time a short numeric id without zeros asks."""
        padded = self._padded.get(name)
        if padded is None:
            padded = self._padded[name] = Ids()
            for ident in known.prefixed("0"):
                bare = ident.lstrip("0")
                if ident.isascii() and ident.isdigit() and bare and len(bare) <= DIGITS:
                    padded.add(bare, ident)
        return padded

    def refuse(self, results) -> None:
        """Raise StatementError on the first noted line whose other id is a line of the
        same day and amount, of the import's statements (`results`: FileResults) or
        the books: the copy's statement is named, at its line."""
        if not self._twins:
            return
        others = {other for _, _, other in self._twins}
        read = {(r.importer.source.name, e.meta["id"]): _line(e, r.path) for r in results for e in r.new
                if isinstance(e, data.Transaction) and e.meta.get("id") in others}
        for name, line, other in self._twins:
            twin = read.get((name, other)) or self._in_books(name, other, line.account)
            if twin is None or (twin.day, twin.amount) != (line.day, line.amount):
                continue
            said = f"({line.day}, {line.amount[0]} {line.amount[1]})"
            copy, original = (line, twin) if len(line.ident) < len(twin.ident) else (twin, line)
            if copy.path is not None:
                raise StatementError(copy.path, copy.lineno, f"id {copy.ident!r} is {original.ident!r} without its "
                                     f"leading zeros, a line of {_where(original)} of the same day and amount "
                                     f"{said}: this looks like a statement re-saved by Excel or WPS, which drops "
                                     "them, and its lines would be booked again; import the original download "
                                     "instead (or pass --force if these are other lines)")
            raise StatementError(line.path, line.lineno, f"id {line.ident!r} is the books' {copy.ident!r} "
                                 f"({copy.books}) with its leading zeros, a line of the same day and amount {said}: "
                                 "the books hold a copy of this statement re-saved by Excel or WPS, which drops them; "
                                 "remove its entries and its coverage record, then import this file again (or pass "
                                 "--force if these are other lines)")

    def _in_books(self, name: str, ident: str, account: str) -> Line | None:
        """The books' line of that id: its day, and its amount on `account` (lineno: its month file)."""
        for path, _, _, block in self.books.entry_blocks(name, {ident}.__contains__, by_hand=True):
            block = block.lstrip("\n")   # (from the line break before it)
            for body in block.splitlines()[1:]:
                posting = POSTING.match(body)
                if posting and posting.group(1) == account:
                    root = self.books.root
                    where = Path(root.name) / os.path.relpath(path, root)   # a month file, or a person's own
                    return Line(ident, block[:10], account, (Decimal(posting.group(2)), posting.group(3)), None, 0,
                                str(where))
        return None


class Line(NamedTuple):
    """A line: its id, day and amount (number, currency) on its first posting's account,
    and where it is: a statement's path and line, or the books' month file."""
    ident: str
    day: str
    account: str
    amount: tuple
    path: Path | None
    lineno: int
    books: str = ""


def _line(entry, path: Path) -> Line:
    first = entry.postings[0]
    return Line(entry.meta["id"], entry.date.isoformat(), first.account, (first.units.number, first.units.currency),
                path, entry.meta.get("lineno", 0))


def _where(line: Line) -> str:
    return f"{line.path.name} (line {line.lineno})" if line.path is not None else f"the books ({line.books})"
