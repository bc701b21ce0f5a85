"""A shop's refund of an order that grew since the books took it.

Order exports state each order's refunded total, not its refunds (importers/shop.py):
the refund is one entry, `refund:<order>`. An export downloaded again after a second
refund of the same order says a larger total, under the same id, which the books
hold already: the second refund was dropped. The import books what the total grew
by, under an id naming the total it comes to, so a third download adds nothing:

    2026-03-25 * "Refund of order #A1115" ^order-A1115      ; the first export: 71.42
      id: "refund:#A1115"
      Income:Sales:ShopA                 71.42 CNY
      Assets:Receivable:ShopA           -71.42 CNY

    2026-03-25 * "Refund of order #A1115" ^order-A1115      ; a later one: 669.17
      id: "refund:#A1115 to 669.17"
      Income:Sales:ShopA                597.75 CNY
      Assets:Receivable:ShopA          -597.75 CNY

Refunds only add up, so of two exports of one import the larger total is the later
one's; an export saying less than the books hold changes nothing.

A refund dated with its order would change a month `beanclear close` closed: the return
of an August order, refunded in September, shows first in September's export. A closed
month is not rewritten; the refund happened after it, so it is booked in the open month
it was learned in (AfterClose): on the day the export says it was made where it says
one (Shopify's `Cancelled at` of an order cancelled after payment), else on the
export's last day, else, where that is closed too (an old month downloaded again), on
the first day of the first open month after. The same id, so an export again adds
nothing; a refund of an order of an open month stays dated with its order. One
moved keeps no `time:` (the order's time of day is none of the day it is booked on).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from beancount.core import data

from beanclear.books import Books
from beanclear.config.model import Shop
from beanclear.importers.base import posting
from beanclear.periods.closed import first_open_day

PREFIX = "refund:"
TO = " to "


def grown(read: list, books: Books) -> None:
    """Append to the import's shop statements (`read`: (importer, Extraction) pairs) an
    entry for each order whose refunded total is more than the books and the batch
    will hold."""
    by_shop: dict[str, list] = {}
    for importer, out in read:
        if isinstance(importer.source, Shop):
            by_shop.setdefault(importer.source.name, []).append((importer, out))
    for name, statements in by_shop.items():
        first: dict[str, Decimal] = {}        # order -> the refund the batch writes (the first statement's)
        largest: dict[str, tuple] = {}        # order -> (total, the statement saying it)
        for _, out in statements:
            for order, total in out.refunds.items():   # as ShopImporter.book made them
                first.setdefault(order, total)
                if order not in largest or total > largest[order][0]:
                    largest[order] = (total, out)
        shop, known = statements[0][0].source, statements[0][0].known
        known = books.known(name) if known is None else known   # read again without it (a stale import)
        held = {order for order in largest if PREFIX + order in known}
        booked = refund_totals(books, name, held, shop.accounts.sales) if held else {}
        grows: dict[int, dict[str, tuple]] = {}   # statement -> order -> (total, what it grew by)
        for order, (total, out) in largest.items():
            now = booked.get(order, Decimal(0)) if order in held else first[order]
            if total > now and f"{PREFIX}{order}{TO}{total}" not in known:
                grows.setdefault(id(out), {})[order] = (total, total - now)
        for _, out in statements:   # the refund entries to grow from, in one pass of the statement
            wanted = grows.get(id(out))
            if wanted:
                made = [_more(e, e.meta["id"][len(PREFIX):], *wanted[e.meta["id"][len(PREFIX):]], shop)
                        for e in out.entries if isinstance(e, data.Transaction)
                        and e.meta.get("id", "")[len(PREFIX):] in wanted and e.meta["id"].startswith(PREFIX)]
                for entry in sorted(made, key=lambda e: e.meta["id"]):
                    out.entries.append(entry)


def _more(entry: data.Transaction, order: str, total: Decimal, more: Decimal, shop) -> data.Transaction:
    """The refund entry of what the total grew by, under the id of the total, back where
    the refund went (the receivable; the gift cards of an order they paid)."""
    currency = entry.postings[0].units.currency
    return entry._replace(meta={**entry.meta, "id": f"{PREFIX}{order}{TO}{total}"},
                          postings=[posting(shop.accounts.sales, more, currency),
                                    posting(entry.postings[1].account, -more, currency)])


AMOUNT = re.compile(r"^[ \t]+(\S+)[ \t]+(-?[0-9][0-9,]*(?:\.[0-9]+)?)[ \t]", re.M)


def refund_totals(books: Books, source: str, orders: set[str], sales: str) -> dict[str, Decimal]:
    """Order -> what the books hold of its refunds (`refund:<order>` and the growths
    after it), on the shop's sales account."""
    out: dict[str, Decimal] = {}
    wanted = lambda ident: ident.startswith(PREFIX) and ident[len(PREFIX):].split(TO)[0] in orders
    for ident, block in books.blocks_of(source, wanted):
        order = ident[len(PREFIX):].split(TO)[0]
        for account, number in AMOUNT.findall(block):
            if account == sales:
                out[order] = out.get(order, Decimal(0)) + Decimal(number.replace(",", ""))
    return out


class AfterClose:
    """Where the import books a shop's refund (`refund:<order>`, and what it grew by) of an
    order of a closed month (module docstring): `dated(result, entry)` gives the entry
    to write, `notes(result)` what the summary says of those moved."""

    def __init__(self, closed: dict):
        self.closed = closed        # closed.closed_months
        self.last: dict[int, dt.date] = {}               # extraction -> its last day
        self.moved: dict[int, dict[tuple, list]] = {}    # result -> (day, why) -> [(order, its month)]

    def dated(self, result, entry):
        if not self.closed or not isinstance(entry, data.Transaction) or not self._closed(entry.date):
            return entry
        ident = entry.meta.get("id", "")
        if not ident.startswith(PREFIX):
            return entry
        order = ident[len(PREFIX):].split(TO)[0]
        day, why = self._open_day(result.extraction, order, entry.date)
        self.moved.setdefault(id(result), {}).setdefault((day, why), []).append((order, f"{entry.date:%Y-%m}"))
        # the order's time of day is no time of that day (blind33 disputes: a refund of
        # 11-30 said 09:19:47, the October order's): the export states none of the refund's
        meta = {key: value for key, value in entry.meta.items() if key != "time"}
        return entry._replace(date=day, meta=meta)

    def notes(self, result) -> list[str]:
        out = []
        for (day, why), orders in sorted(self.moved.get(id(result), {}).items()):
            months = ", ".join(sorted({month for _, month in orders}))
            named = ", ".join(order for order, _ in orders[:5]) + (f" and {len(orders) - 5} more"
                                                                   if len(orders) > 5 else "")
            out.append(f"{len(orders)} refund(s) of orders of closed {months} ({named}) booked on {day}, {why}: "
                       f"the closed month stays as it is")
        return out

    def _closed(self, day: dt.date) -> bool:
        return f"{day:%Y-%m}" in self.closed

    def _open_day(self, extraction, order: str, dated: dt.date) -> tuple[dt.date, str]:
        """The day to book the refund on, and why that one."""
        said = extraction.refund_days.get(order)
        if said is not None and said >= dated and not self._closed(said):
            return said, "the day the export says it was made"
        key = id(extraction)
        if key not in self.last:
            days = [e.date for e in extraction.entries if isinstance(e, data.Transaction)]
            self.last[key] = max(days + list(extraction.refund_days.values()), default=dated)
        last = self.last[key]
        if not self._closed(last):
            return last, "the export's last day (it gives no refund date)"
        return first_open_day(self.closed, dated), ("the first day of the first open month (the export gives no "
                                                     "refund date, and its days are closed)")
