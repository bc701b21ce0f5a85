"""A channel's settlement report beside its own statement: each batch proved against
its items, none booked twice.

Airwallex's PA settlements report lists batches (`stl_…`: gross, fee, net) that move
the payment-acceptance items naming them (`batch_id`) into the Airwallex balance. Its
financial transactions book those items one by one into the clearing account, the
wallet's balance, so a settlement is no money of its own: booked as well (as a payout,
as it once was), each batch was held twice, the clearing account went below zero and
transit waited for a bank credit that never comes (DESIGN.md §1 "Every view, once").
The report books nothing (importers/airwallex_settlements.py); what it says is checked
here, once the import has read its statements, against the items of each batch the
books and the import's other statements of the channel hold (an item in both counted
once, by its id):

- a batch none of whose items either holds is money no imported file books: the
  import is refused, naming its line and what to import with it (DESIGN.md §1: nothing
  is left out on the assumption that another file will come; booked from the
  settlement, it would be booked again when its items come);
- a batch whose items sum to another net than the settlement's: said too (an item in
  a file not imported yet, or the channel's figures disagree).

A settlement is of one currency (the settlements list is asked per currency, FORMATS.md
§9): a batch is its id and currency, and the items of its id in another currency are
another settlement's, no difference of this one's (blind31 crossborder3).

Either order and both together, the books are the same: the financial transactions'.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from beanclear.books import ID_LINE, _unescape
from beanclear.books.lines import meta_line
from beanclear.importers.toolkit import StatementError

BATCH_LINE = meta_line("batch-id")
SHOWN = 3   # settlements a note names; the rest counted


def notes(live: list, books) -> None:
    """Add to each settlement report of the import (`live`: importing.FileResult) what
    its batches are against their items."""
    for result in live:
        batches = getattr(result.extraction, "batches", None)
        if batches:
            result.notes.extend(_said(result, live, books, batches))


def _said(result, live: list, books, batches: dict) -> list[str]:
    source = result.importer.source
    clearing = source.accounts.clearing
    items: dict[str, tuple[str, str, Decimal]] = {}   # item id -> (batch id, currency, what it put in clearing)
    posting = re.compile(rf"^[ \t]+{re.escape(clearing)}[ \t]+(-?[0-9][0-9.]*)[ \t]+([A-Z][A-Z0-9'._-]*)[ \t]*$",
                         re.M)
    idents = {ident for ident, _ in batches}
    for batch, block in books._blocks_by(source.name, BATCH_LINE, idents):
        ident = ID_LINE.search(block)
        for number, currency in posting.findall(block):
            items[_unescape(ident.group(1)) if ident else block] = (batch, currency, Decimal(number))
    for other in live:   # (an item the books hold and the import books again: once, by its id)
        if other is result or other.importer.source.name != source.name:
            continue
        for entry in other.extraction.entries:
            batch = entry.meta.get("batch-id") if isinstance(entry, data.Transaction) else None
            if batch in idents:
                for p in entry.postings:
                    if p.account == clearing:
                        items[entry.meta["id"]] = (batch, p.units.currency, p.units.number)
    held: dict[tuple[str, str], Decimal] = defaultdict(Decimal)   # (batch id, currency) -> its items' net
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for batch, currency, number in items.values():
        held[batch, currency] += number
        counted[batch, currency] += 1
    unbooked, differ = [], []
    for batch in sorted(batches.values(), key=lambda b: (b.day, b.ident, b.currency)):
        if (batch.ident, batch.currency) not in held:
            unbooked.append(batch)
        elif held[batch.ident, batch.currency] != batch.net:
            differ.append(batch)
    out = []
    if unbooked:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for batch in unbooked:
            sums[batch.currency] += batch.net
        raise StatementError(result.path, unbooked[0].line, (
            f"{len(unbooked)} settlement(s) of {_amounts(sums)} ({_named(unbooked)}) are batches no item of which the "
            f"books or this import hold: a settlement moves its batch's payments, refunds and fees into "
            f"{source.name}'s balance, and that money is booked from the channel's financial transactions, which list "
            f"them by batch_id (booked from the settlements too, it would be booked twice): import the financial "
            f"transactions of the days up to {unbooked[-1].day} with this file"))
    if differ:
        shown = "; ".join(f"{b.ident} of {b.net:f} {b.currency} against {held[b.ident, b.currency]:f} {b.currency} "
                          f"in {counted[b.ident, b.currency]} item(s)" for b in differ[:SHOWN])
        more = f"; and {len(differ) - SHOWN} more" if len(differ) > SHOWN else ""
        out.append(
            f"{len(differ)} settlement(s) move another net into {source.name}'s balance than the items of their "
            f"batch the books and this import hold ({shown}{more}): an item of the batch in a financial transactions "
            f"file not imported yet, or the settlement report and the financial transactions disagree; the books "
            f"hold the items' money: compare the two for those batch ids")
    return out


def _amounts(sums: dict) -> str:
    return " and ".join(f"{number:f} {currency}" for currency, number in sorted(sums.items()))


def _named(batches: list) -> str:
    shown = ", ".join(f"{b.ident} of {b.net:f} {b.currency} on {b.day}" for b in batches[:SHOWN])
    return shown + (f" and {len(batches) - SHOWN} more" if len(batches) > SHOWN else "")
