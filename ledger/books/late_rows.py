"""A row two statements of a channel list: one entry, the row's own.

Stripe lists a balance transaction in its itemized reports (CSV) and in its API (JSON),
each by its `txn_…` id, and a payout by its `po_…` id. A payout reconciliation report
lists a payout's items, not the payout, which is booked as the sum of them under the
payout's id (`payout-total: "sum of its items"`: the channel's `guess:` key,
importers/base.py SharedRows). A report of the days before a payout holds some of its
items only: booked first, its guess (4,415 JPY of one item) made the payout's own row
(6,690 JPY, the API's) "already in the books", and the clearing account ended 2,275 JPY
off the statements, silently; imported the other way round, the books were right. So
the payout's own row, when it comes (the API's, a later report's), replaces the guess,
in the same write; one the books hold already leaves it unbooked: the same bytes in
either order (DESIGN.md §2 "Deterministic").

Two entries of one row that move other money are not two views of one movement but a
contradiction (README "once"): the import stops (exit 2) naming both lines. In one
import, the statements' entries of a row are folded into the first before anything is
booked (fold); against the books, the import reads the books' entries of the rows it
brings (Rows.prepare) and books the row in place of a guess (Rows.meet), unless it is in
a closed month or a person edited it: then it stays as it is, and the import says so.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books import ENTRY_START, ID_LINE, _unescape, render, rewrite_blocks
from beanclear.books.idset import Ids
from beanclear.books.late_views import HEAD, META, POSTING, QUOTED, STRING, entry_lines
from beanclear.books.spill import like, metas
from beanclear.importers.toolkit import StatementError


def shared_rows(importer):
    """The importer's SharedRows, or None where its rows are no other statement's."""
    return getattr(importer, "shared_rows", None)


def merged(first, second, shared, first_at):
    """The entry of a row booked as `first` (earlier in the import, or in the books: at
    `first_at()`, a file and line) that `second` lists too: None where `first` stays. A
    guess gives way to a row; two entries of other money are a contradiction
    (StatementError on `second`'s line, naming `first_at()`)."""
    guess = shared.guess
    if guess and guess in second.meta:
        return None   # the row, or as good a guess, is there already
    if guess and guess in first.meta:
        return second
    if _money(first) != _money(second):
        raise StatementError(second.meta.get("filename", ""), second.meta.get("lineno", 0),
                             f"id {second.meta['id']!r} again, as on {first_at()}, but with other amounts "
                             f"({_text(second)} against {_text(first)}): one balance transaction is one movement")
    return None


def _money(entry) -> list:
    """What an entry moves, whatever accounts it moves it between (an import routes a sale
    to a shop's receivable, a person books a line elsewhere: the same money)."""
    return sorted((p.units.number, p.units.currency) for p in entry.postings)


def _text(entry) -> str:
    return ", ".join(f"{p.account} {p.units.number} {p.units.currency}" for p in entry.postings)


def _at(entry) -> str:
    return f"{Path(entry.meta.get('filename', '')).name}:{entry.meta.get('lineno', 0)}"


def fold(live: list) -> None:
    """In one import, the entries of a row two or more statements of a channel list
    folded into the first (in the order the import books them): the others are then
    known, and add nothing. `live`: the import's FileResults, in that order."""
    by_source: dict[str, list] = {}
    for result in live:
        if shared_rows(result.importer) is not None:
            by_source.setdefault(result.importer.source.name, []).append(result)
    for results in by_source.values():
        if len(results) < 2:
            continue
        first, repeated = Ids(), Ids()   # id -> the statement that lists it first; those listed again
        for at, result in enumerate(results):
            for meta in metas(result.extraction.entries):
                if meta is not None and "id" in meta and not first.add(meta["id"], at) and first.get(meta["id"]) != at:
                    repeated.add(meta["id"])
        if not repeated:
            continue
        shared, rows = shared_rows(results[0].importer), {}
        for result in results:   # each row's entry as the statements so far say it
            said = 0
            for entry in result.extraction.entries:
                ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
                if ident is None or ident not in repeated:
                    continue
                if ident not in rows:
                    rows[ident] = entry
                    continue
                both = merged(rows[ident], entry, shared, functools.partial(_at, rows[ident]))
                if both is not None:
                    rows[ident] = both
                    said += 1
            if said:
                result.notes.append(f"{said} payout(s) a statement before it in this import booked as the sum of "
                                    "their items booked from their own rows")
        for at, result in enumerate(results):
            entries, changed = result.extraction.entries, False
            kept = like(entries)
            for entry in entries:
                ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
                if ident is not None and ident in rows and first.get(ident) == at:
                    changed |= rows[ident] is not entry
                    entry = rows[ident]
                kept.append(entry)
            if changed:
                result.extraction.entries = kept


@dataclass
class Left:
    """What one statement of the import did to the books' entries of the rows it lists."""
    replaced: int = 0                                  # guesses its rows replaced
    left: Counter = field(default_factory=Counter)     # why -> entries left as they are
    examples: dict = field(default_factory=dict)       # why -> the id of one of them


class Rows:
    """The books' entries of rows an import's statements list too (see above)."""

    def __init__(self, books):
        self.books = books
        self.held: dict[str, Ids] = {}         # source -> id -> (path, line, the entry's text)
        self.done = Ids()                      # ids booked anew: later statements' rows of them add nothing
        self.removals: dict[str, set] = {}     # month file -> the ids of the entries it loses
        self.said: dict[int, Left] = {}        # id() of a statement's FileResult -> what it did
        self._closed = None

    def prepare(self, live: list, seen: dict) -> None:
        """Read the books' entries of the rows the import's statements of channels with
        SharedRows list (`seen`: source -> Books.known, before anything is booked) that
        an entry of the import says other of: a guess, or one of other money (what needs
        no parse: a row read again finds none)."""
        for name in dict.fromkeys(r.importer.source.name for r in live if shared_rows(r.importer) is not None):
            theirs = [r for r in live if r.importer.source.name == name and shared_rows(r.importer) is not None]
            shared, known, named = shared_rows(theirs[0].importer), seen.get(name), Ids()
            for result in theirs:   # (a pass over the ids alone: most imports bring no row the books hold)
                named.update(meta["id"] for meta in metas(result.extraction.entries) if meta is not None
                             and "id" in meta and meta["id"] in known and not (shared.guess and shared.guess in meta))
            if not named:
                continue
            wanted = Ids()   # id -> what it moves in the import
            for result in theirs:
                for meta, money in _said(result.extraction.entries, named):
                    wanted.add(meta["id"], money)
            held = self.held[name] = Ids()
            for path, line, ident, block in self.books.entry_blocks(name, wanted.__contains__):
                block = block.lstrip("\n")
                lines, _ = entry_lines(block)
                if _guessed(lines, shared) or _moved(lines) != wanted.get(ident):
                    held.add(ident, (str(path), line, block))

    def meet(self, name: str, entry, shared, whose):
        """What to book in place of the books' entry of `entry`'s row, which the import
        found known: the row in place of a guess (the books' then goes, plan()), or None
        where the books' entry stays as it is. `whose`: the statement's
        FileResult."""
        held = self.held.get(name)
        ident = entry.meta["id"]
        found = held.get(ident) if held else None
        if found is None or ident in self.done:
            return None
        where, line, block = found
        lines, _ = entry_lines(block)
        said = self.said.setdefault(id(whose), Left())
        first = _parsed(lines)
        if first is None or render.entry_text(first) != "".join(lines).rstrip("\n") + "\n":
            # (a person's edit of an entry the row would not replace, a comment on a posting, is no news)
            return self._left(said, "edited", ident) if _guessed(lines, shared) else None
        root = self.books.root
        both = merged(first, entry, shared, lambda: f"{Path(root.name) / Path(where).relative_to(root)}:{line}")
        if both is None:
            return None
        closed = self.closed()
        if closed and {Path(where).stem, both.date.strftime("%Y-%m")} & closed.keys():
            return self._left(said, "closed", ident)
        self.removals.setdefault(where, set()).add(ident)
        self.done.add(ident)
        said.replaced += 1
        return both

    def _left(self, said: Left, why: str, ident: str) -> None:
        self.done.add(ident)   # said once, whichever statements list it
        said.left[why] += 1
        said.examples.setdefault(why, ident)
        return None

    def closed(self) -> dict:
        if self._closed is None:
            from beanclear.periods.closed import closed_months
            self._closed = closed_months(self.books.root)
        return self._closed

    def plan(self, changes: dict) -> None:
        """Add to `changes` the month files whose entries an import's rows replace, those
        entries out (the import books what replaces them). Called before Books.plan."""
        for path, idents in sorted(self.removals.items()):
            rewrite_blocks(changes, Path(path), functools.partial(_removed, idents))

    def notes(self, whose) -> list[str]:
        """What statement `whose` (its FileResult) did to the books' entries of its rows."""
        said = self.said.get(id(whose))
        if said is None:
            return []
        out = []
        if said.replaced:
            out.append(f"{said.replaced} payout(s) booked as the sum of the items a report listed now booked from "
                       "the payout's own row")
        if said.left["edited"]:
            out.append(f"{said.left['edited']} payout(s) booked as the sum of their items that a person edited left "
                       f"as they are, not replaced by their own rows (e.g. {said.examples['edited']})")
        if said.left["closed"]:
            out.append(f"{said.left['closed']} payout(s) booked as the sum of their items in closed months left as "
                       f"they are (e.g. {said.examples['closed']}; to book their own rows: beanclear reopen, then import "
                       "this statement again with --force)")
        return out


def _said(entries, named):
    """(metadata, what it moves) of the transactions of a statement's store whose id is
    among `named`."""
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("id") in named:
            yield entry.meta, _money(entry)


def _guessed(lines: list[str], shared) -> bool:
    """Whether the entry of the books whose lines are `lines` (entry_lines) is a guess."""
    return bool(shared.guess) and any(line.startswith(f"  {shared.guess}:") for line in lines)


def _moved(lines: list[str]) -> list:
    """_money() of an entry's lines, read from its posting lines."""
    return sorted((Decimal(n), c) for _, n, c in map(_posting, lines[1:]) if n)


def _posting(line: str) -> tuple:
    """(account, number, currency) of a posting line, ("", "", "") of another line."""
    found = POSTING.match(line.rstrip("\n"))
    return found.groups() if found else ("", "", "")


def _parsed(lines: list[str]):
    """The transaction of an entry's lines (entry_lines) as an import writes one: quoted
    strings, quoted metadata, postings of a number and a currency; None for anything else
    (render.entry_text of it is then not its text: what Rows.meet tells a person's edit by)."""
    found = HEAD.match(lines[0])
    if found is None:
        return None
    rest, strings = lines[0][found.end():].rstrip("\n"), []
    while (string := STRING.match(rest)) is not None:
        strings.append(_unescape(string.group(1)))
        rest = rest[string.end():]
    words = rest.split()
    if not 1 <= len(strings) <= 2 or any(w[:1] not in "^#" for w in words):
        return None
    meta: dict = {"filename": "", "lineno": 0}
    postings = []
    for line in lines[1:]:
        item = META.match(line) if not postings else None
        if item is not None:
            value = QUOTED.fullmatch(item.group(2))
            if value is None:
                return None
            meta[item.group(1)] = _unescape(value.group(1))
            continue
        account, number, currency = _posting(line)
        if not account:
            return None
        postings.append(data.Posting(account, Amount(Decimal(number), currency), None, None, None, None))
    return data.Transaction(meta, dt.date.fromisoformat(found.group(1)), found.group(2),
                            strings[0] if len(strings) == 2 else None, strings[-1],
                            frozenset(w[1:] for w in words if w[0] == "#"),
                            frozenset(w[1:] for w in words if w[0] == "^"), postings)


def _removed(idents: set, block: str) -> str:
    """A block as the write leaves it: gone where it is the entry of one of `idents`, but
    the lines a person wrote at the margin after it."""
    if not ENTRY_START.match(block):
        return block
    found = ID_LINE.search(block)
    if found is None or _unescape(found.group(1)) not in idents:
        return block
    _, after = entry_lines(block)
    if after and not after[0].strip():
        after = after[1:]
    return "".join(after)
