"""What every shop order importer shares: how an order and a shop-side refund are
booked, and how the statuses of an export are read.

An order is money the shop is owed: it posts to the shop's receivable against its
sales. The channel payment that names the order clears the receivable (base.py,
`StatementImporter.read`), so an order left open is one nobody paid:

    2025-01-15 * "Order #1001 / Deluxe Bundle, Blue Widget" ^order-1001
      time: "17:41:00"
      id: "order:#1001"
      order-id: "#1001"
      Assets:Receivable:Shopify         183.50 USD
      Income:Sales:Shopify             -183.50 USD

A refund the shop records reverses it, with the same link and its own id:

    2025-01-15 * "Refund of order #1001" ^order-1001
      time: "17:41:00"
      id: "refund:#1001"
      order-id: "#1001"
      Income:Sales:Shopify               30.00 USD
      Assets:Receivable:Shopify         -30.00 USD

Order exports state a refunded total per order, not refunds with dates: the refund is
dated with its order (where `beanclear close` closed that month, the import books it in
an open one: statements/shop_refunds.py AfterClose). Orders that never took money (cancelled or closed before
payment, voided, awaiting payment) are counted and skipped with their reason, not
booked and reversed: the books hold money that moved. Each is kept (Extraction.no_money):
where the books, or another export of the import, hold it booked, the import says so,
order by order (statements/no_money.py).

An export may say that an order was refunded without saying how much (Pinduoduo's
售后状态 `退款成功` on an order still `已签收`: part of it, or all). Its refund is not
invented: the order says `refund-amount: "not stated"`, and the orders check takes
the channels' refunds of it for the shop's (ledger/checks/orders.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Iterator, NamedTuple

from beanclear.books.idset import Ids
from beanclear.importers.base import Extraction, StatementImporter, order_link, posting, transaction
from beanclear.importers.order_refs import NOT_STATED, OUTSTANDING, REFUND_AMOUNT   # the order's metadata (PARTLY: no amount)
from beanclear.importers.toolkit import (Row, StatementError, Table, clean, currency_places, has_header,
                                         parse_amount, whole_id)
from beanclear.importers.toolkit.text import errors_read_whole

# What a status means for the money: booked (the order is owed or paid), refunded (paid,
# then refunded in full), closed (refunded in full if it was ever paid, else skipped),
# partly refunded (paid, then some or all of it refunded: the export does not say how much).
BOOK, REFUNDED, CLOSED, PARTLY = "book", "refunded", "closed", "partly refunded"
# An order not paid yet (待付款, Shopify's pending) is skipped with this reason: the export
# that says it is paid books it.
AWAITING = "awaiting payment (no sale yet)"
# Chinese platforms write local China time, without an offset.
LOCAL_TIMES = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
# When the export says the order was paid (Shopify's `Paid at`), as it writes it: it moves
# when an order edited after payment is paid again, so of two exports that disagree on an
# order it tells the newer (ledger/statements/order_edits.py).
PAID_AT = "paid-at"


@dataclass
class Order:
    """One order of an export, as the importer read it."""

    line: int                 # the line of its first row
    when: dt.datetime | dt.date   # a date where the export gives no time (Pinduoduo: by order number)
    order_id: str             # exactly as the export writes it
    amount: Decimal           # what the shop is owed for it
    currency: str
    title: str = ""
    refunded: Decimal | None = Decimal(0)   # None: refunded, the amount not stated
    meta: dict = field(default_factory=dict)
    paid_at: str = ""         # PAID_AT, where the export says it
    by_gift_card: bool = False   # paid all by the shop's gift cards: no channel owes any of it
    refunded_on: dt.date | None = None   # the day of its refund, where the export says it (Extraction.refund_days)


class Snapshot(NamedTuple):
    """What an export says of an order, as its entry books it: kept per order of a shop
    statement (Extraction.orders), to compare two exports of one order."""
    total: Decimal
    currency: str
    narration: str
    paid_at: str
    refund_amount: str = ""   # REFUND_AMOUNT, NOT_STATED where it says refunded without an amount
    outstanding: str = ""     # OUTSTANDING, where it says part of the order is still owed


def status_key(text: str) -> str:
    """Statuses compared loosely: `买家已付款，等待卖家发货` == `买家已付款,等待卖家发货`."""
    return re.sub(r"[\s,，:：;；。.]+", "", unicodedata.normalize("NFKC", text)).lower()


def meaning(status: str, table: dict[str, str], path: str, line: int, column: str) -> str:
    """What `status` means in `table` (keys compared by status_key); an unknown status is
    an error that lists the known ones."""
    keyed = {status_key(k): v for k, v in table.items()}
    found = keyed.get(status_key(status))
    if found is None:
        raise StatementError(path, line, f"column {column}: unknown status {status!r} "
                             f"(expected one of {', '.join(table)})")
    return found


def resolved(action: str, paid: bool) -> str:
    """A closed order was refunded in full if it was ever paid; else it never took money."""
    if action != CLOSED:
        return action
    return REFUNDED if paid else "closed before payment (no money moved)"


def refund_of(action: str, amount: Decimal, refund_text: str, path: str, line: int, column: str,
              buyer_paid: Decimal | None = None) -> Decimal | None:
    """What came back: the export's refund column where it states an amount (the amount
    wins over the status: a `paid` order with a refund is partly refunded), read on the
    receivable's basis (receivable_refund: `buyer_paid` is what the buyer paid of
    `amount` where the receivable holds more), else all of it for a refunded order (a zero
    there means the export does not track it), None for one partly refunded (the amount
    is not stated), else nothing."""
    stated = parse_amount(refund_text, path, line, column) if refund_text else Decimal(0)
    if stated:
        return receivable_refund(stated, amount, buyer_paid)
    return amount if action == REFUNDED else None if action == PARTLY else Decimal(0)


def receivable_refund(stated: Decimal, amount: Decimal, buyer_paid: Decimal | None) -> Decimal:
    """A refund an export states on the buyer's basis, on the receivable's. Where the
    receivable `amount` holds more than the buyer paid (`buyer_paid`: a platform's or a
    creator's subsidy, Alipay's red packet, a Taobao 店铺红包 inside its 总金额; README
    "Shops and their orders"), the export's refund (退款金额) is what the buyer got back,
    and the channels give back that part with the buyer's, in proportion (Alipay's 红包,
    WeChat's 充值券, the platform's subsidy): the refund of the receivable is the stated
    one grown by amount / buyer_paid. All the buyer paid is the whole receivable,
    exactly; half of it, half, rounded half up to the places of the numbers read. A
    refund above what the buyer paid cannot be on the buyer's basis: it is the
    receivable's already, as stated; so is any refund of an order whose receivable is
    what the buyer paid (no `buyer_paid`, or the same)."""
    if buyer_paid is None or not 0 < buyer_paid < amount or stated > buyer_paid:
        return stated
    if stated == buyer_paid:
        return amount
    places = Decimal(1).scaleb(min(x.as_tuple().exponent for x in (stated, amount, buyer_paid)))
    return (stated * amount / buyer_paid).quantize(places, ROUND_HALF_UP)


class Columns:
    """Cells by role; each role is a header name or a tuple of alternative names."""

    def __init__(self, table: Table, roles: dict[str, str | tuple[str, ...]], required: tuple[str, ...] = ()):
        self.table = table
        self.names = {role: (names,) if isinstance(names, str) else names for role, names in roles.items()}
        self.at = {role: table.index(*names, required=role in required) for role, names in self.names.items()}

    def __call__(self, row: Row, role: str) -> str:
        at = self.at.get(role)
        return clean(row.cells[at]) if at is not None else ""

    def name(self, role: str) -> str:
        """The header the file uses for a role, for error messages."""
        at = self.at.get(role)
        return self.names.get(role, (role,))[0] if at is None else clean(self.table.header[at])

    def order_id(self, row: Row, role: str) -> str:
        """The row's order id, refused where Excel shortened it to `2.50623E+14` (its
        digits are lost: every such order would look like every other): toolkit.whole_id."""
        return whole_id(self(row, role), self.table.path, row.line, self.name(role), "an order id")


def one_row_each(rows: Iterable[Row], key, path: str, hint: str = "") -> Iterator[tuple[str, Row]]:
    """(order id, row) of an export with one row per order, as the rows come: an order
    id on two rows is an error (`hint` says what to do), not a second order. The ids
    seen are kept in an Ids (on disk past its limit), so a streamed export's rows are
    never held (#15)."""
    seen = Ids()
    for row in rows:
        order_id = key(row)
        if not seen.add(order_id, row.line):
            raise StatementError(path, row.line, f"order {order_id or '(empty id)'} again (first on line "
                                 f"{seen.get(order_id)}; expected one row per order{hint})")
        yield order_id, row


def grouped(rows: list[Row], key) -> dict[str, list[Row]]:
    """Rows by order id, in the order each order first appears (exports with one row
    per line item or sub-order)."""
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


class Interleaved(Exception):
    """An order's rows resumed after another order's: the export must be held whole."""


def in_runs(rows: Iterable[Row], key) -> Iterator[tuple[str, list[Row]]]:
    """(order id, its rows) as grouped() gives them, for an export that lists each
    order's rows together (Shopify, Douyin and JD do): an order is held only until the
    next one starts, and the ids done wait in an Ids (on disk past its limit), so a
    streamed export's rows are never held (#15). Raises Interleaved when an order's
    rows resume after another's."""
    done = Ids()
    current, run = None, []
    for row in rows:
        order_id = key(row)
        if run and order_id == current:
            run.append(row)
            continue
        if run:
            yield current, run
            done.add(current)
        if order_id in done:
            raise Interleaved(order_id)
        current, run = order_id, [row]
    if run:
        yield current, run


def _whole_when_needed(parse):
    """A shop importer's parse(), read again holding every row (ShopImporter.orders)
    when its orders interleave, or when it raises: what it says of a file is then what
    the whole read says, whatever part of an order a run held. Not where that is known
    without holding them: a parse that read no orders in runs says the same again; past
    text.ERRORS_WHOLE_UP_TO, an export whose every order's rows are together (one more
    pass over their ids, _together) has runs that are the whole read's orders, its
    error the whole read's."""
    @functools.wraps(parse)
    def parse_orders(self, filepath: str):
        self.runs = None
        try:
            return parse(self, filepath)
        except Interleaved:
            pass
        except StatementError:
            runs, self.runs = self.runs, None
            if runs is None:
                raise
            if not errors_read_whole(filepath) and _together(*runs):
                raise
        self.whole = True
        try:
            return parse(self, filepath)
        finally:
            self.whole = False
    return parse_orders


def _together(rows: Iterable[Row], key) -> bool:
    """Whether each order's rows are together in the export (a fresh pass over `rows`,
    an order's rows held until the next starts, as in_runs holds them). An error of
    key() is raised: the whole read meets it grouping the rows, before any order."""
    if iter(rows) is rows:   # read once already
        return False
    try:
        for _ in in_runs(rows, key):
            pass
    except Interleaved:
        return False
    return True


class ShopImporter(StatementImporter):
    """The base of the shop order importers: `HEADER` identifies the export."""

    HEADER: tuple[str, ...] = ()
    whole = False   # orders() holds the export whole (the second read of _whole_when_needed)
    runs = None     # (rows, key) of the orders the latest parse read in runs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "parse" in cls.__dict__:
            cls.parse = _whole_when_needed(cls.__dict__["parse"])

    def orders(self, rows: Iterable[Row], key) -> Iterable[tuple[str, list[Row]]]:
        """(order id, its rows) in the order each order first appears: in runs as the
        rows come, or, on the second read, every row held and grouped."""
        if self.whole:
            return grouped(list(self.each(rows)), key).items()
        self.runs = (rows, key)
        return in_runs(self.each(rows), key)

    def account(self, filepath: str) -> str:
        return self.source.accounts.receivable

    def matches(self, head: str) -> bool:
        if not has_header(head, self.HEADER):
            return False
        return not self.source.account_id or self.source.account_id in head

    @staticmethod
    def counted(out: Extraction, rows: list[Row], action: str, more: str = "", order: str = "") -> bool:
        """Account for every row of one order: when `action` moved no money, the order is
        skipped with that reason, counted once however many rows (line items, sub-orders)
        it has, and kept as one this export says took no money (False); else the rows after
        its first are `more` (True)."""
        out.rows += len(rows)
        if action not in (BOOK, REFUNDED):
            out.skip(action)
            ShopImporter.took_no_money(out, order, rows[0].line, action)
            return False
        for _ in rows[1:]:
            out.skip(more)
        return True

    @staticmethod
    def took_no_money(out: Extraction, order: str, line: int, reason: str) -> None:
        """Keep an order the export says took no money (its status's `reason`): the books
        may hold it booked from another export, a contradiction the import says
        (statements/no_money.py), never one it settles by guessing which export is newer."""
        if not order:
            return
        if out.no_money is None:
            out.no_money = Ids()
        out.no_money.add(order, (line, reason))

    def book(self, out: Extraction, path: str, order: Order) -> None:
        """The order's entry, and its refund's when the shop refunded any of it."""
        if not order.order_id:
            raise StatementError(path, order.line, "expected an order id, got an empty cell")
        if order.refunded is None:   # said refunded, not how much: nothing invented (module docstring)
            order.refunded, order.meta = Decimal(0), {**order.meta, REFUND_AMOUNT: NOT_STATED}
        if order.amount < 0 or order.refunded < 0 or (order.refunded and not order.amount):
            raise StatementError(path, order.line, f"order {order.order_id}: expected an amount of 0 or more and a "
                                 f"refund of 0 or more, got {order.amount} refunded {order.refunded}")
        if order.refunded > order.amount:
            # Shopify states refunds in the shop's currency at the refund day's rate: a buyer
            # paying in another one can get back more than the Total was worth (a real EUR
            # shop's order of 184.23 refunded 184.60). Booked as stated; the refund checks
            # compare it with what the channel refunded.
            out.notes.append(f"order {order.order_id}: refunded {order.refunded}, more than its total {order.amount} "
                             "(booked as the export states)")
        if order.amount == 0:
            out.skip("zero total (nothing to receive)")
            return
        acc, currency = self.source.accounts, order.currency
        places = Decimal(1).scaleb(-currency_places(currency))   # 17.8 (Excel) is written 17.80
        amount, refunded = (x.quantize(places) if x.as_tuple().exponent > places.as_tuple().exponent else x
                            for x in (order.amount, order.refunded))
        links = [order_link(order.order_id)]
        meta = {"order-id": order.order_id, **order.meta}
        narration = f"Order {order.order_id} / {order.title}".strip(" /")
        out.entries.append(transaction(
            path, order.line, order.when, None, narration,
            {"id": f"order:{order.order_id}", **meta, **({PAID_AT: order.paid_at} if order.paid_at else {})},
            [posting(acc.receivable, amount, currency), posting(acc.sales, -amount, currency)], links))
        if out.orders is None:
            out.orders = Ids()
        out.orders.add(order.order_id, Snapshot(amount, currency, narration, order.paid_at,
                                                meta.get(REFUND_AMOUNT, ""), meta.get(OUTSTANDING, "")))
        # Paid all by gift card: the cards the shop sold before pay it, not a channel; its
        # refund goes back onto them (README "Shops and their orders")
        by_gift_card = order.by_gift_card and acc.gift_cards
        back_to = acc.gift_cards if by_gift_card else acc.receivable
        if by_gift_card:
            out.entries.append(transaction(
                path, order.line, order.when, None, f"Order {order.order_id} paid by gift card",
                {"id": f"gift-card:{order.order_id}", "order-id": order.order_id},
                [posting(acc.gift_cards, amount, currency), posting(acc.receivable, -amount, currency)], links))
            out.beside("payments by gift card booked beside their orders")
        if refunded:
            out.refunds[order.order_id] = refunded
            if order.refunded_on is not None:
                out.refund_days[order.order_id] = order.refunded_on
            out.entries.append(transaction(
                path, order.line, order.when, None, f"Refund of order {order.order_id}",
                {"id": f"refund:{order.order_id}", **meta},
                [posting(acc.sales, refunded, currency), posting(back_to, -refunded, currency)],
                links))
            out.beside("refunds booked beside their orders")
