"""A fee given back books where the fee went.

PayPal gives a won dispute's `Chargeback Fee` back as a `Fee Reversal` row (T1108 in the
Transaction Search response) whose Reference Txn ID names the Chargeback Fee row. That
fee went to the chargeback account (DESIGN §1: chargebacks and their fees have their own
accounts), so its reversal does too: a dispute won leaves that account at zero and the
fees at what the sale cost. A fee row keeps what it names as `fee-of`:

    2026-03-24 * "Fee Reversal"
      id: "5FEREV00000000005"
      paypal-type: "Fee Reversal"
      fee-of: "3CBFEE00000000003"
      Expenses:Chargebacks:PayPal                 -20.00 USD
      Assets:Clearing:PayPal                       20.00 USD

The transaction it names, booked on the chargeback account, is looked up

- in the same statement (`within`, as the statement is read: paypal_booking),
- in the other statements of the import and in the books (`across`, once an import has
  read all its files: a dispute is won weeks after its fee, in another month's download),
- and a fee given back that the books hold already, booked to the fees before the
  statement of its chargeback fee came, moves when it comes (books/late_fees.py).
"""

from __future__ import annotations

import re

from beancount.core import data

from beanclear.books.spill import like

FEE_OF = "fee-of"


def within(out, disputed: set[str], named: set[str], fees: str, chargebacks: str) -> None:
    """The fees given back of an extraction that name one of its own chargebacks
    (`disputed`: the ids it booked on the chargeback account; `named`: the ids its fee
    rows name) booked there; the others named in `out.unplaced_fees` for `across`."""
    found = named & disputed
    if found:
        out.entries = rebooked(out.entries, found, fees, chargebacks)
    out.unplaced_fees = named - found


def across(read: list, books) -> None:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each fee
    given back that names a chargeback of another statement of the source in the import,
    else of its books, booked on the chargeback account."""
    marked = [(importer, out) for importer, out in read if out.unplaced_fees]
    for name in dict.fromkeys(importer.source.name for importer, _ in marked):
        accounts = next(importer for importer, _ in marked if importer.source.name == name).source.accounts
        ids = set().union(*(out.unplaced_fees for importer, out in marked if importer.source.name == name))
        found = set()
        for importer, out in read:
            if importer.source.name == name:
                found |= booked_on(out.entries, ids, accounts.chargebacks)
        if ids - found:
            posts = posting_to(accounts.chargebacks)
            found |= {ident for ident, block in books.blocks_of(name, (ids - found).__contains__) if posts(block)}
        for importer, out in marked:
            if importer.source.name == name and out.unplaced_fees & found:
                out.entries = rebooked(out.entries, out.unplaced_fees & found, accounts.fees, accounts.chargebacks)
                out.unplaced_fees -= found


def booked_on(entries, ids: set[str], account: str) -> set[str]:
    """Those of `ids` that entries of `entries` with that id post to `account`."""
    return {e.meta["id"] for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") in ids
            and any(p.account == account for p in e.postings)}


def posting_to(account: str):
    """Whether an entry's text has a posting to `account`."""
    line = re.compile(rf"^[ \t]+{re.escape(account)}(?:[ \t]|$)", re.M)
    return lambda block: line.search(block) is not None


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
