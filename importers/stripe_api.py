"""Stripe API responses saved as JSON: `balance_transaction` objects (one, or a `list` from
`GET /v1/balance_transactions`), `payout` objects, and any other Stripe objects with
their balance transactions expanded (`charge.balance_transaction`,
`dispute.balance_transactions[]`, `payout.failure_balance_transaction`).

Amounts are integers in the currency's smallest unit (`1000` is 10.00 USD, 1000 JPY,
1.000 BHD); `created` is Unix seconds, dated in the configured time zone. A balance
transaction books as `stripe_booking` says; a payout object books as its payout (the
same entry, by its `po_…` id, as the payout's balance transaction), and a failed one
also gives its money back:

    2009-02-13 * "Stripe" "STRIPE PAYOUT" ^payout-po_1Pgc79B7WZ01zgkWu1KToYf4
      id: "po_1Pgc79B7WZ01zgkWu1KToYf4"
      Assets:Transit:Stripe          11.00 USD
      Assets:Clearing:Stripe        -11.00 USD

The payout's state (`status`, the expected `arrival_date`) is not written: it changes
from one webhook to the next (payout.created, .updated, .paid) and the day's balance
transaction that books the same payout does not say it, so the books would differ by
which came first (DESIGN §2). What a state moves is booked: a failed payout's money
coming back, from its `failure_balance_transaction`, at that transaction's time where
the object holds it expanded (`serve` fetches it), the entry the day's list books too;
an object with its id alone books it at the payout's creation, all it knows.

What the customer paid, where Stripe converted it, is the balance transaction's source's
amount and currency (its `source` expanded, as `beanclear fetch` asks for it, or the
charge, refund or dispute it is expanded in: `_customer_side`), booked as the reports'
`customer_facing_amount` is (`customer-amount`, the `fx-rate`/`fx-pair` it implies).
Stripe's `exchange_rate` is kept as given (`exchange-rate`); alone it names no currency,
and the fx check says so rather than judging it (checks/fx.py `unpaired`). What Stripe
never writes is refused, not read as a source left unexpanded: a charge's, refund's or
dispute's amount that is no positive integer, or no currency; a rate that is no
positive number; a source in the settlement currency that says another amount.

A balance transaction carries no order id: a charge's or refund's description names it
as checkouts write it (`Order 1001`, `Order #1001 by Jo`, `REFUND FOR CHARGE (Order
1001)`: base.DESCRIBED_ORDER), the id alone becoming the entry's `order-id`, or where
the channel has an `order_pattern`, the description it finds one in; routed to the
shop's order as the reports' `payment_metadata[order_id]` is.

Everything else moves no money by itself: each object is counted and skipped by its
type (`charge object`, `customer object`, …), so a dump of many resource types — like
Stripe's own OpenAPI fixtures — imports its balance transactions and payouts and says
what it left aside. A `list` that says `has_more` is missing pages: the import notes it. `beanclear fetch`
keeps the window it asked for in the list's `url`
(`/v1/balance_transactions?created[gte]=…&created[lt]=…`): the list covers those days,
a quiet one's empty list too, so a day no file answers is a hole (`_window`).

Past `text.STREAM_FROM` bytes (a busy day `beanclear fetch` wrote) the response is read
item by item (toolkit.jsonstream): a `list`'s data or a JSON array booked as each object
ends, the ids of the entries made in an `Ids`; one check and one booking (_checked,
_book) serve both reads, and _objects says for both what a response holds. A response
of another shape, or one with an error, is read again whole and says what it says (up
to text.ERRORS_WHOLE_UP_TO: past it the stream's error); what the whole read refuses
of the response's shape (a `list` without its `data` array) the stream says itself.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from decimal import Decimal

from beancount.core.amount import Amount

from beanclear.books.idset import Ids
from beanclear.importers.base import Extraction, StatementImporter
from beanclear.importers.stripe_booking import NAMES, OLD_PAYOUT, SHARED, BalanceTxn, book, category_of, sale_order
from beanclear.statements import refund_orders
from beanclear.importers.toolkit import (JsonObject, StatementError, currency_code, from_minor_units, from_unix,
                                         inside_day, json_line, json_shown, read_json)
from beanclear.importers.toolkit.jsonstream import Dropped, JsonItems, Unusual, streamed_or_whole

# Stripe's ids are long (`txn_1Pgc79B7WZ01zgkW`): one of them in a JSON of `"object"`s
# tells a Stripe response apart from another API's in the same shape (Omise's
# `"object": "charge"` with `chrg_…`). An object Stripe names and books here, with an
# `"id"` of Stripe's prefix, is Stripe's whatever its id's length (a test server's `po_0002`).
STRIPE_ID = re.compile(r'"(txn|ch|po|re|dp|py|tr|acct|fee)_[A-Za-z0-9]{6,}"')
STRIPE_OBJECT = re.compile(r'"object"\s*:\s*"(balance_transaction|payout|charge|refund|dispute)"')
STRIPE_OWN_ID = re.compile(r'"id"\s*:\s*"(txn|ch|po|re|pyr|dp|du|py)_[A-Za-z0-9]+"')
PAYOUT_BOOKED = {"paid", "in_transit", "pending"}
MAX_WINDOW = dt.timedelta(days=366)   # a window longer than a year is no fetch's
CUSTOMER_SIDE = ("charge", "refund", "dispute")   # sources whose amount is what the customer paid


class Importer(StatementImporter):
    kind = "stripe api json"
    shared_rows = SHARED   # a row the other export lists too: one entry saying what both say
    names_orders = NAMES   # a failure takes the order of the refund or payment it undoes

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        text = head.lstrip("\ufeff \r\n\t")
        return text[:1] in "{[" and bool(re.search(r'"object"\s*:\s*"', text)) and bool(
            STRIPE_ID.search(text) or re.search(r'"url"\s*:\s*"/v1/', text)
            or STRIPE_OBJECT.search(text) and STRIPE_OWN_ID.search(text))

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        out = streamed_or_whole(path, ("data",), lambda items: self._streamed(path, items), lambda: self._whole(path))
        refund_orders.within(out, names=NAMES)   # a failure of a refund in the same response: its order
        return out

    def _whole(self, path: str) -> Extraction:
        doc = read_json(path)
        out, seen = Extraction(), Ids()
        objects, line = _objects(doc, out)
        for obj in objects:
            _checked(obj, path, line)
        for obj in self.each(objects):
            self._book(obj, path, out, seen)
        self._window(doc, path, out)
        # a payout, refund or dispute alone (what `serve` archives of a webhook): no day's statement
        out.single_object = isinstance(doc, dict) and doc.get("object") not in (None, "list")
        return out

    def _streamed(self, path: str, items: JsonItems) -> Extraction:
        """A large response item by item: a `list`'s data, or a JSON array (jsonstream).
        Then what the whole read makes of the response around them, from its other
        members: the array was the objects it books (the notes they come with); or it
        says the error the whole read says of it; or the objects are in the response's
        members (no array streamed), booked. Unusual where that takes what the stream
        has not held: the array inside an object the whole read books, a member too long
        to hold (jsonstream.Dropped)."""
        out, seen = Extraction(), Ids()
        for obj in self.each(items):
            self._book(_checked(obj, path, 1), path, out, seen)   # (an array's line: json_line's 1)
        if items.array:
            return out
        self._window(items.fields, path, out)
        doc, streamed, said = items.fields, _Streamed(), Extraction()
        if items.key is not None:   # the array in its place among the members
            pairs = list(doc.items())
            pairs.insert(items.position, (items.key, streamed))
            doc = JsonObject(pairs)
            doc.line = items.fields.line
        objects, line = _objects(doc, said)
        if objects is not streamed:
            if items.key is not None and not any(obj is streamed for obj in objects):
                raise Unusual("not a list response")
            for obj in objects:   # each checked before any is booked, as read whole
                if obj is streamed or isinstance(obj, Dropped) and obj.kind == "array":
                    obj = []   # an array is no Stripe object: the whole read's error
                elif isinstance(obj, Dropped):
                    raise Unusual("an object too long to hold, to be booked")
                _checked(obj, path, line)
            if any(isinstance(value, Dropped) for obj in objects for value in obj.values()):
                raise Unusual("an object to be booked with a member too long to hold")
            for obj in objects:
                self._book(obj, path, out, seen)
        out.notes[:0] = said.notes
        out.continues_before = said.continues_before
        return out

    def _window(self, doc, path: str, out: Extraction) -> None:
        """The days a `list` answers for: the `created` window its `url` asked
        (`beanclear fetch` writes it; Stripe's own lists name only the path), from the day
        of `created[gte]` to that of the last second before `created[lt]`, in the books'
        zone, and where it starts and ends inside them. A list that says `has_more` answers
        for part of its window only."""
        url = doc.get("url") if isinstance(doc, dict) and doc.get("object") == "list" else None
        if not isinstance(url, str) or "?" not in url or doc.get("has_more"):
            return
        query = urllib.parse.parse_qs(url.split("?", 1)[1])
        if "created[gte]" not in query and "created[lt]" not in query:
            return
        line = json_line(doc)
        try:
            gte, lt = int(query["created[gte]"][0]), int(query["created[lt]"][0])
            starts, ends = (from_unix(moment, self.config.timezone, path, line, "url") for moment in (gte, lt))
            first = starts.date()
            last = from_unix(lt - 1, self.config.timezone, path, line, "url").date()
        except (KeyError, ValueError, OverflowError, OSError, StatementError):
            first = last = None
        if first is None or not first <= last <= first + MAX_WINDOW:
            raise StatementError(path, line, f"url: {json_shown(url)} asks no window of days (expected "
                                 "created[gte] and created[lt] in Unix seconds, at most "
                                 f"{MAX_WINDOW.days} days apart)")
        out.period, out.asked = (first, last), True
        # a window of another zone's days (UTC's February, in New York) starts and ends inside
        # the books' days: its 28th only up to 19:00 (coverage's `ends:`)
        out.starts_inside, out.ends_inside = inside_day(starts, start=True), inside_day(ends)

    def _book(self, obj, path: str, out: Extraction, seen: Ids) -> None:
        out.rows += 1
        kind = obj.get("object")
        if kind == "balance_transaction":
            booked = [self._balance_transaction(obj, path)]
        elif kind == "payout":
            booked = self._payout(obj, path, out)
        else:
            booked = [self._balance_transaction(bt, path, obj) for bt in _expanded(obj)]
            if not booked:
                out.skip(f"{'deleted ' if obj.get('deleted') else ''}{kind} object (no balance transaction in it)")
        kept = 0
        for entry in booked:
            # A payout object and its balance transaction (a charge and the one expanded in
            # it) are one movement read from two objects: one entry, the first read. One id
            # from two objects of one kind is two rows of the statement: once_per_id says
            # what they are (one movement booked once, said; or a contradiction, refused).
            ident = entry.meta["id"]
            if seen.add(ident, kind) or seen.get(ident) == kind:
                out.entries.append(entry)
                kept += 1
                if kept > 1:   # an object of several: a dispute's withdrawal and its reversal (blind26)
                    out.beside(f"balance transactions of {kind} objects beside their first")
        if booked and not kept:
            out.skip("objects whose balance transaction another object of the file holds (booked from that one)")

    def _balance_transaction(self, bt, path: str, holder=None):
        """The entry of a balance transaction; `holder`: the object it is expanded in
        (a charge, refund, dispute, payout), the transaction's source where it names it."""
        line = json_line(bt)

        def need(name: str):
            if bt.get(name) is None:
                raise StatementError(path, line, f"balance_transaction {bt.get('id', '')}: no {name} "
                                     "(expected a complete balance_transaction object)")
            return bt[name]

        currency = currency_code(str(need("currency")), path, line, "currency")
        gross, fee, net = (from_minor_units(need(n), currency, path, line, n) for n in ("amount", "fee", "net"))
        source = bt.get("source")
        if not isinstance(source, (str, dict, type(None))):
            raise StatementError(path, line, f"source: expected the source's id (ch_…) or its object, got "
                                 f"{json_shown(source)}")
        source_obj = source if isinstance(source, dict) else None
        source_id = source_obj.get("id", "") if source_obj else str(source or "")
        if source_obj is None and isinstance(holder, dict) and source_id in ("", str(holder.get("id") or "")):
            source_obj = holder   # a charge holding its balance transaction is that transaction's source
        description = str(bt.get("description") or "")
        category = category_of(str(bt.get("reporting_category") or need("type")), description, path, line,
                               "reporting_category")
        if category == "transfer" and not bt.get("reporting_category") and OLD_PAYOUT.search(description):
            category = "payout"   # a pre-2017 payout, as a 2014 /v1/balance/history lists it
        shown = _customer_side(source_obj, gross, currency, str(bt["id"]), path, line) if source_obj else None
        rate = bt.get("exchange_rate")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, Decimal)) or rate <= 0):
            raise StatementError(path, line, "exchange_rate: expected a positive number (or null: no conversion), "
                                 f"got {json_shown(rate)}")
        # Stripe's rate as given; with the customer's side known, the conversion's `fx-rate`
        # too, the one the report's row implies (stripe_booking), so both book it alike
        meta = {"exchange-rate": f"{rate}" if rate is not None else "",
                "fee-details": _fee_details(bt, path, line),
                "status": "" if bt.get("status") in (None, "available") else str(bt["status"]),
                "charge-id": _charge_of(source_obj),
                "order-id": sale_order(self.source, category, description)}
        return book(BalanceTxn(path, line, str(need("id")), from_unix(need("created"), self.config.timezone, path,
                                                                       line, "created"),
                               category, gross, fee, net, currency, source=source_id,
                               description=description, customer_amount=shown, meta=meta), self)

    def _payout(self, po, path: str, out: Extraction) -> list:
        line, status, ident = json_line(po), str(po.get("status")), str(po.get("id") or "")
        if status == "canceled":
            out.skip("canceled payout (no money moved)")
            return []
        if status not in PAYOUT_BOOKED | {"failed"}:
            raise StatementError(path, line, f"payout {ident}: unknown status {status!r} (expected one of "
                                 f"{', '.join(sorted(PAYOUT_BOOKED | {'failed', 'canceled'}))})")
        currency = currency_code(str(po.get("currency") or ""), path, line, "currency")
        amount = from_minor_units(po.get("amount"), currency, path, line, "amount")
        when = from_unix(po.get("created"), self.config.timezone, path, line, "created")
        bt = po.get("balance_transaction")
        bt_id = bt.get("id") if isinstance(bt, dict) else str(bt or ident)
        entry = book(BalanceTxn(path, line, bt_id, when, "payout", -amount, Decimal(0), -amount, currency,
                                source=ident, description=str(po.get("description") or f"Payout {ident}")), self)
        booked = [entry]
        if status == "failed":
            failure = po.get("failure_balance_transaction")
            if isinstance(failure, dict):   # expanded: the money came back when it says
                return booked + [self._balance_transaction(failure, path)]
            failure_id = str(failure or f"{ident}/failure")
            booked.append(book(BalanceTxn(path, line, failure_id, when, "payout_failure", amount, Decimal(0), amount,
                                          currency, source=ident, description=f"Payout {ident} failed: "
                                          f"{po.get('failure_message') or po.get('failure_code') or 'returned'}"),
                               self))
        return booked


def _objects(doc, out: Extraction) -> tuple[list, int]:
    """The Stripe objects of a response: one object, a `list`'s data, a JSON array, or
    a mapping of them (`{"resources": {"charge": {…}, …}}`); and the line of what holds
    them (for an item that is not an object)."""
    if isinstance(doc, dict) and doc.get("object") == "list":
        if doc.get("has_more"):   # (Stripe lists newest first: the pages that follow are older)
            out.notes.append("the list says has_more: later pages are not in this file")
            out.continues_before = True
        doc = doc.get("data")
    if isinstance(doc, dict) and "object" not in doc:
        inner = [v for v in doc.values() if isinstance(v, (dict, list, Dropped))]
        doc = inner[0] if len(inner) == 1 else doc
        if isinstance(doc, dict) and "object" not in doc:
            doc = list(doc.values())
    if isinstance(doc, Dropped):   # (streamed: a member too long to hold holds them)
        raise Unusual("the objects in a member too long to hold")
    return (doc if isinstance(doc, list) else [doc]), json_line(doc)


class _Streamed(list):
    """The streamed array, standing in for it where _objects decides what a response holds."""


def _checked(obj, path: str, line: int):
    if not isinstance(obj, dict) or not isinstance(obj.get("object"), str):
        raise StatementError(path, json_line(obj, line), "expected a Stripe object (with an \"object\" field), got "
                             f"{json_shown(obj)}")
    return obj


def _customer_side(source, gross: Decimal, currency: str, ident: str, path: str, line: int) -> Amount | None:
    """What the customer paid, in the currency they paid it in: the amount and currency
    of a balance transaction's source (a charge: what it captured, `amount_captured`
    where a partial capture left it below `amount`; a refund; a dispute), the report's
    `customer_facing_amount`. Its sign is the transaction's (stripe_booking).

    A charge's, refund's or dispute's are what Stripe writes (a positive integer in minor
    units, a currency code), else the file is refused: read as a source not expanded, the
    fx check would ask for what the file holds. In the settlement currency they are the
    transaction's own amount: a charge settling part of its `amount` (captured in part,
    or in several captures) adds nothing; any other is a contradiction, refused."""
    kind = source.get("object")
    if kind not in CUSTOMER_SIDE:   # a payout, a transfer…: its amount where it says one
        number = source.get("amount")
        if not source.get("currency") or not isinstance(number, int) or isinstance(number, bool):
            return None
        paid_in = currency_code(str(source["currency"]), path, line, "source.currency")
        return Amount(from_minor_units(number, paid_in, path, line, "source.amount"), paid_in)
    amount = _positive(source.get("amount"), path, line, "source.amount")
    captured = source.get("amount_captured") if kind == "charge" else None
    number = amount if captured in (None, 0) else _positive(captured, path, line, "source.amount_captured")
    if not isinstance(source.get("currency"), str) or not source["currency"]:
        raise StatementError(path, line, "source.currency: expected the currency of source.amount, got "
                             f"{json_shown(source.get('currency'))}")
    paid_in = currency_code(source["currency"], path, line, "source.currency")
    paid = from_minor_units(number, paid_in, path, line, "source.amount")
    if paid_in != currency or not gross or paid == abs(gross):
        return Amount(paid, paid_in)
    if kind == "charge" and abs(gross) < from_minor_units(amount, paid_in, path, line, "source.amount"):
        return None   # part of what was authorized, settled: the customer paid what settled
    raise StatementError(path, line, f"balance_transaction {ident}: amount {abs(gross)} {currency}, but its source "
                         f"{source.get('id', kind)} says {paid} {paid_in} (expected the same amount in one currency)")


def _charge_of(source) -> str:
    """The charge a refund or dispute expanded as a transaction's source is of (its
    `charge`, an id or the charge expanded): what the payments export lists it by
    (books/rests.py). A charge's own transaction names it as its source."""
    if not isinstance(source, dict) or source.get("object") not in ("refund", "dispute"):
        return ""
    charge = source.get("charge")
    charge = charge.get("id") if isinstance(charge, dict) else charge
    return charge if isinstance(charge, str) else ""


def _positive(value, path: str, line: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise StatementError(path, line, f"{field}: expected a positive integer amount in minor units, got "
                             f"{json_shown(value)}")
    return value


def _expanded(obj) -> list:
    """The balance transactions expanded inside another object."""
    out = []
    for name in ("balance_transaction", "failure_balance_transaction"):
        if isinstance(obj.get(name), dict):
            out.append(obj[name])
    out += [bt for bt in obj.get("balance_transactions") or [] if isinstance(bt, dict)]
    return out


def _fee_details(bt, path: str, line: int) -> str:
    """`stripe_fee 0.59 USD, tax 0.05 USD`: what the fee is made of."""
    parts = []
    for detail in bt.get("fee_details") or []:
        currency = currency_code(str(detail.get("currency") or ""), path, json_line(detail, line), "fee_details")
        number = from_minor_units(detail.get("amount"), currency, path, json_line(detail, line), "fee_details.amount")
        parts.append(f"{detail.get('type', 'fee')} {number} {currency}")
    return ", ".join(parts)
