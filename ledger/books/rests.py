"""A payment's snapshot books the rest of what the rows of it book.

Stripe lists a charge's money in two ways (DESIGN.md §1 "Every view, once"). Its balance
transactions (the itemized report, the API) are a row each for the charge, each refund,
each dispute, by their `txn_…` ids, each naming its charge (`charge-id`, a charge's
`source-id`). The payments export (`unified_payments.csv`) is a snapshot of each charge
as it stood when downloaded: the charge by its `ch_…`, the amount refunded of it so far,
its dispute (importers/base.py Snapshots). Imported both, the books held every charge
twice (blind25: April's fees 680.04 for 340.02, a duplicate-charge per order).

The rows book the money; the snapshot's entry of a movement (the charge, its refunds,
its dispute) books the rest of it that no row of the books or of the import holds:
nothing where they hold it all (the entry counts as held), all of it where none does (a
charge after the report's last day), the part they do not where they hold some (of a
refund of 29.00 the report of the first days lists 9.00):

    2026-04-03 * "Refund of ch_3PaW…" ^order-1170
      time: "12:00:00"
      id: "ch_3PaW…/refund"
      ...
      export-total: "-29.00 USD"
      Assets:Clearing:Stripe         -20.00 USD
      Income:Sales:Stripe             20.00 USD

The same bytes whichever comes first (DESIGN.md §2): the import that brings rows of a
payment whose snapshot entry the books hold takes them off it in the same write,
rewriting it, or removing it once nothing is left (the next report's row of the second
refund); an entry a person edited, or in a closed month, stays as it is, said. Rows are
counted once by their id, whichever statements list them. A charge whose snapshot and
rows move its whole amount for other fees is one charge said two ways: a contradiction
(exit 2, naming both lines). A row naming no charge (a report without its `source_id`
and `charge_id` columns, an API refund whose source is not expanded) cannot be told
apart by id from another charge's, and is counted as its own.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from beanclear.books import ID_LINE, _unescape, render, rewrite_blocks
from beanclear.books.late_rows import _parsed, _posting, _removed, shared_rows
from beanclear.books.late_views import entry_lines
from beanclear.books.lines import meta_line
from beanclear.books.spill import like, metas
from beanclear.importers.base import posting
from beanclear.importers.toolkit import StatementError


class Row(NamedTuple):
    """What one row moves of a payment's movement of one kind."""
    payment: str
    kind: str
    gross: Decimal
    fee: Decimal
    where: str      # its file and line, as an error names it


@dataclass
class Said:
    """What one statement of the import did with the snapshot's entries."""
    held: int = 0                 # its entries whose money rows hold all of
    rests: int = 0                # its entries booking the part rows do not hold
    taken: int = 0                # snapshot entries of the books its rows hold all of now (removed)
    cut: int = 0                  # ... or part of (rewritten)
    left: Counter = field(default_factory=Counter)   # why -> snapshot entries of the books left as they are
    example: dict = field(default_factory=dict)      # why -> the id of one


class Rests:
    """The snapshot entries of an import and of the books that rows hold (see above)."""

    def __init__(self, books):
        self.books = books
        self.rewrites: dict[str, dict[str, str | None]] = {}   # month file -> id -> its new text (None: gone)
        self.said: dict[int, Said] = {}                        # id() of a statement's FileResult -> Said
        self._closed = None

    def prepare(self, live: list, seen: dict) -> None:
        """Before anything is booked: take off the snapshot entries of the import what
        the rows of the books and of the import hold, and plan the same for the snapshot
        entries of the books that the import's new rows hold. `seen`: source ->
        Books.known; the ids of the snapshot entries the rows hold all of go into it (they
        are counted as held, as a row booked before)."""
        for name in dict.fromkeys(r.importer.source.name for r in live):
            mine = [r for r in live if r.importer.source.name == name]
            snaps = [r for r in mine if getattr(r.importer, "snapshot", None) is not None]
            listing = [r for r in mine if getattr(shared_rows(r.importer), "snapshot", None) is not None]
            if not snaps and not listing:
                continue
            snap = snaps[0].importer.snapshot if snaps else shared_rows(listing[0].importer).snapshot
            accounts, known = mine[0].importer.source.accounts, seen[name]
            # the payments the import's snapshot entries name that the books do not hold yet,
            # and the rows wanted: of those payments, or new rows of a snapshot entry the books
            # hold (a pass over the ids alone: most imports bring none)
            payments = {m[0] for result in snaps for meta in metas(result.extraction.entries)
                        if meta is not None and meta.get("id") not in known and (m := snap.movement_of(meta))}
            wanted = set()
            for result in listing:
                for meta in metas(result.extraction.entries):
                    row = snap.row_of(meta) if meta is not None and "id" in meta else None
                    if row is not None and (row[0] in payments or meta["id"] not in known
                                            and snap.id_of(*row) in known):
                        wanted.add(meta["id"])
            rows: dict[str, tuple[Row, object]] = {}   # id -> (what it moves, its statement): once each
            for result in listing if wanted else ():
                for entry in result.extraction.entries:
                    if isinstance(entry, data.Transaction) and entry.meta["id"] in wanted \
                            and entry.meta["id"] not in rows:
                        rows[entry.meta["id"]] = (_row(entry, snap, accounts.clearing), result)
            new = {ident: found for ident, found in rows.items() if ident not in known}
            if new:
                self._taken(name, snap, new, known, accounts)
            if payments:
                self._rests(name, snap, snaps, payments, {ident: row for ident, (row, _) in rows.items()}, known,
                            accounts)

    def _rests(self, name: str, snap, snaps: list, payments: set, rows: dict, known, accounts) -> None:
        """The snapshot's entries of the import (of `payments`) less the rows of their
        payments: the import's (`rows`: id -> Row) and the books'."""
        for key in snap.named_by:   # the books' rows of them
            for path, _, block in self.books.naming(name, key, payments):
                found = ID_LINE.search(block)
                ident = _plain(found.group(1)) if found else None
                if ident is not None and ident not in rows:
                    row = _text_row(block, snap, accounts.clearing, self._shown(path))
                    if row is not None:
                        rows[ident] = row
        of: dict[tuple[str, str], list[Row]] = {}
        for row in rows.values():
            of.setdefault((row.payment, row.kind), []).append(row)
        held = []
        for result in snaps:
            said, kept, changed = self.said.setdefault(id(result), Said()), like(result.extraction.entries), False
            for entry in result.extraction.entries:
                movement = snap.movement_of(entry.meta) if isinstance(entry, data.Transaction) else None
                if movement in of and entry.meta["id"] not in known:
                    here = (entry.meta.get("filename", ""), entry.meta.get("lineno", 0))
                    rest = _rest(entry, snap, movement, of[movement], accounts, here, "%s:%s" % here)
                    if rest is None:
                        held.append(entry.meta["id"])
                        said.held += 1
                    elif rest is not entry:
                        entry, changed = rest, True
                        said.rests += 1
                kept.append(entry)
            if changed:
                result.extraction.entries = kept
        known.update(held)

    def _taken(self, name: str, snap, new: dict, known, accounts) -> None:
        """The snapshot entries of the books that the import's new rows (`new`: id ->
        (Row, its statement)) hold some or all of: their rewrite planned."""
        wanted: dict[str, list] = {}
        for row, result in new.values():
            ident = snap.id_of(row.payment, row.kind)
            if ident in known:
                wanted.setdefault(ident, []).append((row, result))
        if not wanted:
            return
        found = set()
        for path, line, ident, block in self.books.entry_blocks(name, wanted.__contains__):
            found.add(ident)
            said = self.said.setdefault(id(wanted[ident][0][1]), Said())
            lines, _ = entry_lines(block.lstrip("\n"))
            entry = _parsed(lines)
            if entry is None or render.entry_text(entry) != "".join(lines).rstrip("\n") + "\n":
                self._left(said, "edited", ident)
                continue
            if Path(path).stem in self.closed():
                self._left(said, "closed", ident)
                continue
            first = wanted[ident][0][0]
            where = f"{self._shown(path)}:{line}"
            rest = _rest(entry, snap, (first.payment, first.kind), [row for row, _ in wanted[ident]], accounts,
                         _at(first.where), where)
            if rest is entry:
                continue
            self.rewrites.setdefault(str(path), {})[ident] = None if rest is None else render.entry_text(rest)
            if rest is None:
                said.taken += 1
            else:
                said.cut += 1
        for ident in wanted.keys() - found:   # in a file of a person's own
            self._left(self.said.setdefault(id(wanted[ident][0][1]), Said()), "own", ident)

    def _left(self, said: Said, why: str, ident: str) -> None:
        said.left[why] += 1
        said.example.setdefault(why, ident)

    def closed(self) -> dict:
        if self._closed is None:
            from beanclear.periods.closed import closed_months
            self._closed = closed_months(self.books.root)
        return self._closed

    def _shown(self, path) -> str:
        """A file of the books as an error names it (`books/stripe/2026/2026-04.beancount`)."""
        root, path = self.books.root, Path(path)
        return str(Path(root.name) / path.relative_to(root)) if path.is_relative_to(root) else str(path)

    def plan(self, changes: dict) -> None:
        """Add to `changes` the month files whose snapshot entries the import's rows
        hold: each rewritten to its rest, or gone."""
        for path, texts in sorted(self.rewrites.items()):
            rewrite_blocks(changes, Path(path), functools.partial(_rewritten, texts))

    def notes(self, whose) -> list[str]:
        """What statement `whose` (its FileResult) did with the snapshot's entries."""
        said = self.said.get(id(whose))
        if said is None:
            return []
        out = []
        if said.held or said.rests:
            out.append(f"{said.held} of its charges, refunds and disputes held by their balance transactions (the "
                       "report's or the API's rows), not booked again"
                       + (f"; {said.rests} booked for the part their balance transactions do not hold "
                          "(`export-total` says the whole)" if said.rests else ""))
        if said.taken or said.cut:
            out.append(f"{said.taken + said.cut} charge(s), refund(s) or dispute(s) the payments export booked "
                       "before now booked from their balance transactions"
                       + (f" ({said.cut} of them left in the export's entry for the part these do not hold)"
                          if said.cut else ""))
        words = {"edited": "a person edited", "closed": "in a closed month (beanclear reopen, then import this "
                 "statement again with --force)", "own": "moved into a file of a person's own"}
        for why, count in sorted(said.left.items()):
            out.append(f"{count} entr(ies) the payments export booked of its rows' charges {words[why]} left as "
                       f"they are, holding what its rows hold too (e.g. {said.example[why]})")
        return out


def _plain(text: str) -> str:
    return _unescape(text) if "\\" in text else text


def _at(where: str) -> tuple[str, int]:
    path, _, line = where.rpartition(":")
    return path, int(line) if line.isdigit() else 0


def _moved(numbers: list[tuple[str, Decimal]], clearing: str) -> tuple[Decimal, Decimal]:
    """(gross, fee) of an entry whose postings (account, number) are as
    stripe_booking.book() writes a sale's or a chargeback's: the clearing account's net,
    the fee, and last what the customer paid or got back."""
    gross = -numbers[-1][1]
    net = sum((n for account, n in numbers if account == clearing), Decimal(0))
    return gross, gross - net


def _row(entry, snap, clearing: str) -> Row | None:
    movement = snap.row_of(entry.meta)
    if movement is None:
        return None
    gross, fee = _moved([(p.account, p.units.number) for p in entry.postings], clearing)
    return Row(*movement, gross, fee, f"{entry.meta.get('filename', '')}:{entry.meta.get('lineno', 0)}")


def _text_row(block: str, snap, clearing: str, where: str) -> Row | None:
    """_row() of an entry of the books, from its text."""
    lines, _ = entry_lines(block.lstrip("\n"))
    meta = {}
    for key in ("id", snap.category, *snap.named_by):
        found = meta_line(key).search(block)
        if found:
            meta[key] = _plain(found.group(1))
    movement = snap.row_of(meta)
    numbers = [(account, Decimal(n)) for account, n, _ in map(_posting, lines[1:]) if account]
    if movement is None or not numbers:
        return None
    return Row(*movement, *_moved(numbers, clearing), where)


def _rest(entry, snap, movement: tuple[str, str], rows: list[Row], accounts, at: tuple, where: str):
    """`entry` (a snapshot's, at `where`) less what `rows` move of its payment's
    `movement` (payment, kind): the entry itself where they move nothing of it, None where
    they move all of it (or more: the snapshot is older than they), else the entry of the
    rest. A charge they move all of for another fee is a contradiction, said at `at`
    (the file and line of the statement being imported), naming both."""
    kind = movement[1]
    numbers = [(p.account, p.units.number) for p in entry.postings]
    gross, fee = _moved(numbers, accounts.clearing)
    held = sum((row.gross for row in rows), Decimal(0))
    if not held:
        return entry
    left = gross - held
    left_fee = fee - sum((row.fee for row in rows), Decimal(0)) if kind in snap.fees else fee
    if left == 0 or (left > 0) != (gross > 0):
        if kind in snap.fees and left == 0 and left_fee != 0:
            currency = entry.postings[-1].units.currency
            raise StatementError(*at, f"{kind} {movement[0]}: {gross} {currency} for a fee of {fee} {currency} in "
                                 f"the payments export ({where}), for a fee of {fee - left_fee} {currency} in its "
                                 f"balance transaction(s) ({', '.join(row.where for row in rows)}): one {kind} is "
                                 "one movement (expected the same fee)")
        return None
    currency = entry.postings[-1].units.currency
    fee_account = next((p.account for p in entry.postings[:-1] if p.account != accounts.clearing), accounts.fees)
    postings = [posting(accounts.clearing, left - left_fee, currency), posting(fee_account, left_fee, currency),
                posting(entry.postings[-1].account, -left, currency)]
    meta = dict(entry.meta)
    meta.setdefault(snap.total, f"{gross:f} {currency}")
    return entry._replace(meta=meta, postings=[p for p in postings if p.units.number])


def _rewritten(texts: dict, block: str) -> str:
    """A block as the write leaves it: the entry of an id of `texts` rewritten (its new
    text, the lines a person wrote at the margin after it kept) or gone."""
    found = ID_LINE.search(block)
    ident = _plain(found.group(1)) if found else None
    if ident not in texts:
        return block
    text = texts[ident]
    if text is None:
        return _removed({ident}, block)
    _, after = entry_lines(block)
    return text + "".join(after)
