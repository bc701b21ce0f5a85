"""Airwallex financial transactions saved as JSON (`GET /api/v1/financial_transactions`:
`{"items": [...], "has_more": …}`), in the snake_case of current API versions or the
camelCase of `x-api-version: 2022-09-09` and older (`batchId`, `createdAt`): one code path.

No sample of a real response was available: what this reads is taken from Airwallex's
documentation and public client code (FORMATS.md §9), and the test files under
`tests/data/airwallex/` are written by us. Assumptions, each checked on every row so a
real file that breaks one fails loudly instead of booking wrong numbers:
- `amount` is signed (money in positive, out negative), in major units (`0.99`);
  numbers are read as Decimal from their own text, never through a float;
- the fee is `amount − net` (so its sign convention does not matter); a `fee` field
  that disagrees with it is an error;
- the two legs of a conversion (`CONVERSION_SELL`, `CONVERSION_BUY`) share `source_id`;
  its reversal's two legs (`CONVERSION_REVERSAL`) share it too, booked as a conversion back
  (`reversal: "true"`), which the fx-gap check judges with it (checks/fx.py);
- payment-acceptance items (`PAYMENT`, `REFUND`, `DISPUTE`…) name their settlement
  batch in `batch_id`, the id of the settlement that pays them out (airwallex_settlements);
- only `SETTLED` rows are in the balance; `PENDING` ones are booked on a later import,
  `CANCELLED` ones moved no money.

    2026-03-02 * "Payment int_hkdm…" ^payout-bat_20260303
      id: "ft_0001"
      airwallex-type: "PAYMENT"
      Assets:Clearing:Airwallex       97.10 USD
      Expenses:Fees:Airwallex          2.90 USD
      Income:Sales:Airwallex        -100.00 USD

A dispute (`DISPUTE`, `DISPUTE_REVERSAL`, `DISPUTE_LOST`) books its amount and fee to the
chargebacks account, not the sale (DESIGN §1). Conversions book at `client_rate` as applied (the rate is recomputed from the two
amounts and `client_rate` kept beside it), payouts to the transit account with
`^payout-<source_id>`, reserve holds to the reserve account, and movements the
merchant must classify (deposits, transfers, adjustments, card spend) to the first
`rules:` pattern found in the description, else `Assets:Suspense`.

Past `text.STREAM_FROM` bytes the response is read item by item (toolkit.jsonstream,
airwallex_read: settlements too), a conversion's legs kept in an `Ids` (on disk past its
limit) until the end; a file with an error is read again whole and says what it says
(up to text.ERRORS_WHOLE_UP_TO: past it the stream's error). A response without its
items list the stream refuses itself, as the whole read refuses it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, Iterator

from beancount.core.amount import Amount

from beanclear.books.idset import Ids
from beanclear.importers.base import Extraction, StatementImporter, description_order, fx_postings, link, posting, rule_account, transaction
from beanclear.importers.toolkit import (JsonObject, StatementError, currency_code, json_amount, json_line,
                                         json_shown, local_time, parse_instant, read_json, snake_keys)
from beanclear.importers.toolkit.jsonfile import snake
from beanclear.importers.toolkit.jsonstream import JsonItems, streamed_or_whole

SALE = {"PAYMENT", "REFUND", "REFUND_REVERSAL", "REFUND_FAILURE"}
CHARGEBACK = {"DISPUTE", "DISPUTE_REVERSAL", "DISPUTE_LOST"}
PAYOUT = {"PAYOUT", "BATCH_PAYOUT", "MOR_PAYOUT"}
PAYOUT_RETURN = {"PAYOUT_FAILURE", "PAYOUT_REVERSAL", "MOR_PAYOUT_REVERSAL"}
CONVERSION = {"CONVERSION_SELL", "CONVERSION_BUY", "CONVERSION_REVERSAL"}
FEE = {"FEE"}
RESERVE = {"PAYMENT_RESERVE_HOLD", "PAYMENT_RESERVE_RELEASE", "PREPAYMENT", "PREPAYMENT_RELEASE", "HOLD",
           "HOLD_RELEASE", "ISSUING_AUTHORISATION_HOLD", "ISSUING_AUTHORISATION_RELEASE"}
OTHER = {"DEPOSIT", "ADJUSTMENT", "DD_CREDIT", "DD_DEBIT", "DC_CREDIT", "DC_DEBIT", "TRANSFER", "TRANSFER_IN",
         "TRANSFER_OUT", "TRANSFER_IN_REVERSAL", "TRANSFER_OUT_REVERSAL", "YIELD", "WITHHOLDING_TAX",
         "WITHHOLDING_TAX_REVERSAL", "ISSUING_CAPTURE", "ISSUING_REFUND", "PURCHASE", "REPAYMENT_FUNDING",
         "REPAYMENT_DEDUCTION", "CHARGE"}
TYPES = SALE | CHARGEBACK | PAYOUT | PAYOUT_RETURN | CONVERSION | FEE | RESERVE | OTHER
# a conversion's second leg: booked in its first's entry (rows read = entries + skipped)
OTHER_LEG = "second legs of conversions (booked with the first)"
STATUSES = {"SETTLED": True, "PENDING": "pending (booked once settled)", "CANCELLED": "cancelled (no money moved)"}
# What a conversion's leg is booked from, kept until its other leg is read.
LEG = ("id", "source_id", "currency", "amount", "fee", "net", "created_at", "client_rate", "currency_pair",
       "transaction_type")


def airwallex_read(path: str, book) -> Extraction:
    """`book(items, out)` over the items of an Airwallex list response (or a bare JSON
    array), in snake_case: a large file's one at a time (jsonstream), else read whole."""
    def whole() -> Extraction:
        out = Extraction()
        book(airwallex_items(path, out), out)
        return out

    def streamed(items: JsonItems) -> Extraction:
        out = Extraction()
        book(_streamed_items(path, items, out), out)
        return out
    return streamed_or_whole(path, ("items",), streamed, whole, rename=snake)


def airwallex_items(path: str, out: Extraction) -> list:
    """The items of an Airwallex list response (or a bare JSON array), in snake_case."""
    doc = snake_keys(read_json(path))
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise no_items(path, doc)
    _has_more(doc, out)
    for item in items:
        _item(item, path, json_line(doc))
    return items


def _streamed_items(path: str, items: JsonItems, out: Extraction) -> Iterator:
    """airwallex_items of a large file, item by item (the response's has_more once they are through)."""
    for item in items:
        yield _item(snake_keys(item), path, 1)   # (an array's line: json_line's 1)
    if not items.array:
        doc = snake_keys(items.fields)
        if items.key is None:   # the whole read's error (the items it says are in no list: none streamed)
            raise no_items(path, doc)
        said = Extraction()
        _has_more(doc, said)
        out.notes[:0] = said.notes


def no_items(path: str, doc) -> StatementError:
    return StatementError(path, json_line(doc), f"expected a list response with items, got {json_shown(doc)}")


def _has_more(doc, out: Extraction) -> None:
    if isinstance(doc, dict) and doc.get("has_more"):
        out.notes.append("the response says has_more: later pages are not in this file")


def _item(item, path: str, line: int):
    if not isinstance(item, dict):
        raise StatementError(path, json_line(item, line), f"expected an item object, got {json_shown(item)}")
    return item


class Item:
    """One item's fields, checked, with errors at its line."""

    def __init__(self, raw, path: str, tz):
        self.raw, self.path, self.line, self.tz = raw, path, json_line(raw), tz

    def text(self, name: str, required: bool = True) -> str:
        value = self.raw.get(name)
        if required and (value is None or value == ""):
            raise StatementError(self.path, self.line, f"{name}: missing (expected it in every item)")
        return "" if value is None else str(value)

    def amount(self, name: str) -> Decimal:
        return json_amount(self.raw.get(name), self.path, self.line, name)

    def time(self, name: str):
        return local_time(parse_instant(self.text(name), self.path, self.line, name), self.tz)


class Importer(StatementImporter):
    kind = "airwallex financial transactions"

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        return bool(re.search(r'"(transaction_type|transactionType)"\s*:', head)
                    and re.search(r'"(source_type|sourceType|batch_id|batchId|client_rate|clientRate)"\s*:', head))

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        return airwallex_read(path, lambda items, out: self._book(path, items, out))

    def _book(self, path: str, items: Iterable, out: Extraction) -> None:
        # The legs of each conversion, by (source_id, reversal), in the order first met:
        # on disk past a limit (books.idset), as a statement of many conversions holds many.
        groups, legs, count = Ids(), Ids(), 0   # key -> its number; f"{number:012d}\x1f{row:012d}" -> a leg
        for raw in self.each(items):
            out.rows += 1
            item = Item(raw, path, self.config.timezone)
            kind, status = item.text("transaction_type").upper(), item.text("status").upper()
            if kind not in TYPES:
                raise StatementError(path, item.line, f"transaction_type: unknown type {kind!r} (expected one of "
                                     f"{', '.join(sorted(TYPES))})")
            if STATUSES.get(status) is None:
                raise StatementError(path, item.line, f"status: unknown status {status!r} (expected one of "
                                     f"{', '.join(STATUSES)})")
            if STATUSES[status] is not True:
                out.skip(STATUSES[status])
            elif kind in CONVERSION:
                key = f"{item.text('source_id')}\x1f{kind == 'CONVERSION_REVERSAL'}"
                if groups.add(key, count):
                    count += 1
                legs.add(f"{groups.get(key):012d}\x1f{out.rows:012d}", (json_line(raw), *map(raw.get, LEG)))
            else:
                out.entries.append(self._entry(item, kind))
        group, pair = None, []
        for name in legs if legs.on_disk else sorted(legs):   # by number, then in the file's order
            if name[:12] != group and pair:
                out.entries.append(self._conversion(pair[0].text("source_id"), pair))
                out.skip(OTHER_LEG)
                pair = []
            group = name[:12]
            line, *values = legs.get(name)
            raw = JsonObject(zip(LEG, values))
            raw.line = line
            pair.append(Item(raw, path, self.config.timezone))
        if pair:
            out.entries.append(self._conversion(pair[0].text("source_id"), pair))
            out.skip(OTHER_LEG)

    def _money(self, item: Item) -> tuple[Decimal, Decimal, Decimal, str]:
        currency = currency_code(item.text("currency"), item.path, item.line, "currency")
        gross = item.amount("amount")
        stated_fee = item.amount("fee") if item.raw.get("fee") is not None else None
        if item.raw.get("net") is not None:
            net = item.amount("net")
        else:
            net = gross - (stated_fee or 0)
        if stated_fee is not None and abs(stated_fee) != abs(gross - net):
            raise StatementError(item.path, item.line, f"fee {stated_fee} is not amount {gross} − net {net} "
                                 "(expected net = amount − fee)")
        return gross, gross - net, net, currency

    def _entry(self, item: Item, kind: str):
        acc = self.source.accounts
        gross, fee, net, cur = self._money(item)
        meta = {"id": item.text("id"), "airwallex-type": kind, "source-id": item.text("source_id", False),
                "batch-id": item.text("batch_id", False)}
        links, payee = [], None
        if kind in PAYOUT | PAYOUT_RETURN:
            payout = item.text("source_id", False) or meta["id"]
            payee = "Airwallex"
            meta["payout-id" if kind in PAYOUT else "payout-returned"] = payout
            links.append(link("payout-", payout if kind in PAYOUT else meta["id"]))
            postings = [posting(acc.transit, -gross, cur), posting(acc.fees, fee, cur)]
        elif kind in FEE:
            postings = [posting(acc.fees, -net, cur)]
        elif kind in RESERVE:
            postings = [posting(acc.reserve, -net, cur)]
        else:
            other = acc.sales if kind in SALE else acc.chargebacks if kind in CHARGEBACK else \
                rule_account(self.config, f"{kind} {item.text('description', False)}") or self.config.suspense
            postings = [posting(acc.chargebacks if kind in CHARGEBACK else acc.fees, fee, cur),
                        posting(other, -gross, cur)]
            if meta["batch-id"]:
                links.append(link("payout-", meta["batch-id"]))
            if kind in SALE:   # the order the description names (`Order #1001`): nothing else carries it
                meta["order-id"] = description_order(self.source, item.text("description", False))
        postings.append(posting(acc.clearing, net, cur))
        narration = item.text("description", False) or f"{kind.replace('_', ' ').capitalize()} {meta['source-id']}"
        return transaction(item.path, item.line, item.time("created_at"), payee, narration.strip(), meta, postings,
                           links)

    def _conversion(self, conversion: str, pair: list[Item]):
        """The legs of a conversion, or of its reversal (`CONVERSION_REVERSAL`, the same
        `source_id`: `reversal: "true"`; the fx-gap check judges the two as one)."""
        reversal = pair[0].text("transaction_type").upper() == "CONVERSION_REVERSAL"
        sold = [i for i in pair if self._money(i)[2] < 0]
        bought = [i for i in pair if self._money(i)[2] > 0]
        if len(sold) != 1 or len(bought) != 1:
            raise StatementError(pair[0].path, pair[0].line, f"conversion {conversion}: expected two legs, one sold "
                                 f"(negative) and one bought, got {len(pair)} item(s) with that source_id")
        (_, _, out_net, out_cur), (_, _, in_net, in_cur) = self._money(sold[0]), self._money(bought[0])
        acc = self.source.accounts
        postings, fx = fx_postings(acc.clearing, Amount(-out_net, out_cur), acc.clearing, Amount(in_net, in_cur))
        meta = {"id": sold[0].text("id"), "conversion-id": conversion, "conversion-ids":
                f"{sold[0].text('id')} {bought[0].text('id')}", "client-rate": sold[0].text("client_rate", False)
                or bought[0].text("client_rate", False), "currency-pair": sold[0].text("currency_pair", False), **fx,
                "reversal": "true" if reversal else None}
        return transaction(sold[0].path, sold[0].line, sold[0].time("created_at"), "Airwallex",
                           f"Conversion{' reversal' if reversal else ''} {out_cur} to {in_cur}", meta, postings)
