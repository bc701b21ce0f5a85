"""Fees given back booked before the chargeback fee they give back: moved to the
chargeback account when its statement comes (statements/chargeback_fees.py).

A merchant who imports April's PayPal download before March's books April's `Fee
Reversal` (`fee-of` the payment disputed, or March's Chargeback Fee, neither a dispute the
books know yet) to the fees. The import that brings March's Chargeback Fee (or the
Chargeback) of that payment moves it, in the same write, to the chargeback account where
importing both together books it:

    2026-04-22 * "Fee Reversal"
      id: "5FEREV00000000005"
      paypal-type: "Fee Reversal"
      fee-of: "1SALE000000000001"
      Expenses:Fees:PayPal                        -20.00 USD     ->  Expenses:Chargebacks:PayPal

Only channels whose statements name what a fee is of (`names_fee_of`) are looked at; a
month closed by `beanclear close` is left as it is, as is a fee a person booked elsewhere.
"""

from __future__ import annotations

import functools
from pathlib import Path

from beanclear.books import Books, _unescape, key_blocks, meta_line, posting_to, rewrite_blocks
from beanclear.books.edits import rebook
from beanclear.periods.closed import closed_months
from beanclear.statements.chargeback_fees import FEE_OF, disputed

FEE_OF_LINE = meta_line(FEE_OF)


def find(read: list, books: Books) -> dict[Path, tuple]:
    """The month files holding fees given back, still on the fees, of a dispute the
    import brings (chargeback_fees.disputed): file -> (its channel, the fees account, the chargeback account, the ids
    named).
    `read`: the import's (importer, extraction) pairs."""
    found = {}
    sources = {}
    for importer, _ in read:
        if getattr(importer, "names_fee_of", False):
            sources.setdefault(importer.source.name, importer.source.accounts)
    closed = closed_months(books.root) if sources else {}
    for name, accounts in sources.items():
        on_fees = posting_to(accounts.fees)
        waiting = {path: ids for path in books.source_files(name) if path.stem not in closed
                   and (ids := _waiting(books, path, on_fees))}
        wanted = set().union(*waiting.values()) if waiting else set()
        if not wanted:
            continue
        brought = set()
        for importer, out in read:
            if importer.source.name == name:
                brought |= disputed(out.entries, wanted, accounts.chargebacks)
        for path, ids in waiting.items():
            if ids & brought:
                found[path] = (name, accounts.fees, accounts.chargebacks, ids & brought)
    return found


def plan(found: dict[Path, tuple], changes: dict[Path, object]) -> int:
    """Add to `changes` the month files find() found, their fees given back moved; returns
    how many are."""
    for path, (_, fees, chargebacks, ids) in found.items():
        rewrite_blocks(changes, path, functools.partial(_moved, fees, chargebacks, ids))
    return sum(len(ids) for *_, ids in found.values())


def _waiting(books: Books, path: Path, on_fees) -> set[str]:
    """What the fees given back of a month file that are still on the fees name."""
    out = set()
    for piece in books._pieces(path):
        for block in key_blocks(piece, FEE_OF):
            named = FEE_OF_LINE.search(block)
            if named and on_fees(block):
                out.add(_unescape(named.group(1)))
    return out


def _moved(fees: str, chargebacks: str, ids: set[str], block: str) -> str:
    """A fee given back of one of `ids`, its fees posting on the chargeback account; any
    other block as it is."""
    named = FEE_OF_LINE.search(block) if f"  {FEE_OF}:" in block else None
    if named is None or _unescape(named.group(1)) not in ids:
        return block
    lines = block.splitlines(keepends=True)
    return "".join(rebook(line, fees, chargebacks) if line.startswith(f"  {fees} ") else line for line in lines)
