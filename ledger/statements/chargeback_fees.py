"""A fee given back books where the fee went.

PayPal gives a won dispute's `Chargeback Fee` back as a `Fee Reversal` row (T1108 in the
Transaction Search response) whose Reference Txn ID names the payment disputed, as every
row of the case does (or the Chargeback Fee row itself). That fee went to the chargeback
account (DESIGN §1: chargebacks and their fees have their own accounts), so its reversal
does too: a dispute won leaves that account at zero and the fees at what the sale cost. A
fee row, a chargeback's fee too, keeps what it names as `fee-of`:

    2026-03-20 * "Chargeback Fee"
      id: "3CBFEE00000000003"
      paypal-type: "Chargeback Fee"
      fee-of: "1SALE000000000001"
      Expenses:Chargebacks:PayPal                  20.00 USD
      Assets:Clearing:PayPal                      -20.00 USD

    2026-04-22 * "Fee Reversal"
      id: "5FEREV00000000005"
      paypal-type: "Fee Reversal"
      fee-of: "1SALE000000000001"
      Expenses:Chargebacks:PayPal                 -20.00 USD
      Assets:Clearing:PayPal                       20.00 USD

A fee given back goes to the chargeback account where what it names is *disputed*: an
entry of that id is booked there (the Chargeback Fee, the Chargeback), or one that names it
(`fee-of`, `refund-of`) is (the payment of a Chargeback Fee or a Chargeback). A fee given
back of a payment no dispute names (a refunded sale's fee) stays on the fees. What it
names is looked up

- in the same statement (`within`, as the statement is read: paypal_booking),
- in the other statements of the import and in the books (`across`, once an import has
  read all its files: a dispute is won weeks after its fee, in another month's download),
- and a fee given back that the books hold already, booked to the fees before the
  statement of its chargeback fee came, moves when it comes (books/late_fees.py).
"""

from __future__ import annotations

import itertools

from beancount.core import data

from beanclear.books import _unescape, key_blocks, meta_line, posting_to
from beanclear.books.spill import like

FEE_OF = "fee-of"
NAMING = (FEE_OF, "refund-of")   # how a row of a dispute names the payment disputed


def within(out, disputed: set[str], named: set[str], fees: str, chargebacks: str) -> None:
    """The fees given back of an extraction that name one of its own disputes
    (`disputed`: the ids it booked on the chargeback account, and those they name; `named`:
    the ids its fee rows name) booked there; the others named in `out.unplaced_fees` for `across`."""
    found = named & disputed
    if found:
        out.entries = rebooked(out.entries, found, fees, chargebacks)
    out.unplaced_fees = named - found


def across(read: list, books) -> None:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each fee
    given back that names a dispute of another statement of the source in the import,
    else of its books, booked on the chargeback account."""
    marked = [(importer, out) for importer, out in read if out.unplaced_fees]
    for name in dict.fromkeys(importer.source.name for importer, _ in marked):
        accounts = next(importer for importer, _ in marked if importer.source.name == name).source.accounts
        ids = set().union(*(out.unplaced_fees for importer, out in marked if importer.source.name == name))
        found = set()
        for importer, out in read:
            if importer.source.name == name:
                found |= disputed(out.entries, ids, accounts.chargebacks)
        if ids - found:
            found |= disputed_in_books(books, name, ids - found, accounts.chargebacks)
        for importer, out in marked:
            if importer.source.name == name and out.unplaced_fees & found:
                out.entries = rebooked(out.entries, out.unplaced_fees & found, accounts.fees, accounts.chargebacks)
                out.unplaced_fees -= found


def disputed(entries, ids: set[str], chargebacks: str) -> set[str]:
    """Those of `ids` that entries of `entries` booked on the chargeback account are, or
    name (NAMING: a Chargeback Fee's payment)."""
    out = set()
    for e in entries:
        if not isinstance(e, data.Transaction):
            continue
        meta = e.meta
        hit = [i for i in (meta.get("id"), *(meta.get(key) for key in NAMING)) if i in ids]
        if hit and any(p.account == chargebacks for p in e.postings):
            out.update(hit)
    return out


def disputed_in_books(books, source: str, ids: set[str], chargebacks: str) -> set[str]:
    """disputed() of the entries of a source's books: those of `ids` that an entry booked on
    the chargeback account is (Books.blocks_of), or names, read from the text as
    Books.orders_of reads it (a month file a piece at a time; only blocks with such a line)."""
    posts = posting_to(chargebacks)
    found = {ident for ident, block in books.blocks_of(source, ids.__contains__) if posts(block)}
    blocks = (block for path in books.source_files(source) for piece in books._pieces(path)
              for key in NAMING for block in key_blocks(piece, key))
    hand = (entry.block for entry in dict.fromkeys(books.kept_by_hand(source).values()))
    for block in itertools.chain(blocks, hand):
        for key in NAMING:
            named = _named(block, key)
            if named in ids and named not in found and posts(block):
                found.add(named)
    return found


def _named(block: str, key: str) -> str | None:
    line = meta_line(key).search(block)
    return None if line is None else _unescape(line.group(1)) if "\\" in line.group(1) else line.group(1)


def rebooked(entries, named: set[str], fees: str, chargebacks: str):
    """`entries` anew (a spilled entry cannot change in place), each fee given back that
    names one of `named` booked on the chargeback account instead of the fees."""
    out = like(entries)
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get(FEE_OF) in named:
            entry = entry._replace(postings=[p._replace(account=chargebacks) if p.account == fees else p
                                             for p in entry.postings])
        out.append(entry)
    return out
