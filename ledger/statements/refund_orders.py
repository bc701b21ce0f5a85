"""An entry's order, found through the entry it names: one rule for every channel.

Some statements name, on a row, another row of the channel, but not the order the two
are of: the entry takes the order of the entry it names (and with it the routing to the
shop's receivable, importers/base.py `route`). `Names` says how a statement names it:

- WeChat Pay's fund bill writes in a refund row's 资金流水单号 the 微信订单号 of the
  payment refunded, and in its 业务凭证号 the merchant's refund number (商户退款单号),
  not the order. The importer marks such a refund with its payment (`mark`, hidden); it
  gains the order and `refund-of`, the payment.
- Stripe's failures name the refund or payment they undo by its source id
  (`refund-failed: "re_…"`, `payment-failed: "ch_…"`: importers/stripe_booking.py),
  the order only where their own description does: a failure whose refund is of order
  1001 is that order's, whatever its description (blind9: `REFUND FAILURE`, or the API's
  none, was booked as a sale of the channel, and the order's refund-unsynced).
- PayPal names the payment a refund refunds by its `Reference Txn ID` (`refund-of`),
  its order only where the refund has an Invoice Number of its own: one without takes
  the payment's order (blind9). A chargeback names its payment the same way, but sells
  nothing back (the shop's order stays paid): only an entry giving the sale back, on
  the channel's sales account, waits (`posts`).

The order is the one the entry named holds, looked up

- in the same statement (`within`, when the statement is read: a month's bill holds
  most of the payments its refunds refund),
- in the other statements of the import and in the books (`across`, once an import has
  read all its files: a bill a day holds refunds of payments of days before),
- and where the entry is booked before the one it names, when that one is imported
  (books/late_refunds.py): the books come out as importing them together writes them.

    2026-03-01 * "WeChat Pay" "交易 S1001" ^order-S1001
      id: "4200000001"
      order-id: "S1001"
      ...
    2026-03-04 * "WeChat Pay" "退款 RF-77" ^order-S1001       ; a bill of another day
      id: "5030000001"
      fund-id: "4200000001"
      refund-order-id: "RF-77"
      order-id: "S1001"
      refund-of: "4200000001"

A refund whose payment is nowhere takes its own number as its order only where a shop
holds an order of that number (many merchants refund under the order's own number);
else it names no order: a refund number is not an order, and a link to it would leave
a receivable no order clears.
"""

from __future__ import annotations

from dataclasses import dataclass

from beancount.core import data

from beanclear.books.spill import like, metas
from beanclear.importers.base import BatchOrders, ShopOrders, order_in, order_link, payment_shops, route
from beanclear.importers.base import link as link_of
from beanclear.importers.order_refs import NOT_STATED

FROM = "_order-from"   # hidden meta (render.py): the id of the payment a refund refunds


@dataclass(frozen=True)
class Names:
    """How a statement's entries name the entry whose order they take (an importer's
    `names_orders`). The default is `mark`'s: a hidden key, gone once placed."""
    keys: tuple[str, ...] = (FROM,)   # the metadata holding the id of the entry named, the first stated
    by: str = "id"                    # the named entry's metadata holding that id (Stripe's `source-id`)
    adds: str = "refund-of"           # the key naming it that a placed entry gains beside `order-id` ('' none)
    written: tuple[str, ...] = ()     # the books' lines naming it where `keys` are hidden (WeChat's `fund-id`)
    only: str = ""                    # ... on the entries with this line only (its refunds' `refund-order-id`)
    order: tuple[str, ...] = ()       # its metadata's order (SharedRows.order): `order-id` goes in its place
                                      # there, as the statement writes an order it names; else last
    said: str = "refund(s) booked before their payments"   # what the import says it placed later
    posts: str = ""                   # ... on the entries posting to this account only (PayPal's sales
                                      # account: its refunds, not its chargebacks, that name the payment too)

    def named(self, meta) -> str | None:
        """The id of the entry whose order an entry of `meta` waits for; None where it has
        an order, or names none (Stripe's `not stated`)."""
        if meta.get("order-id"):
            return None
        for key in self.keys:
            value = meta.get(key)
            if value and value != NOT_STATED:
                return value
        return None

    def waits(self, entry) -> str | None:
        """named() of a transaction `entry` that posts to `posts` where that is said; None for
        any other entry."""
        if not isinstance(entry, data.Transaction):
            return None
        if self.posts and not any(p.account == self.posts for p in entry.postings):
            return None
        return self.named(entry.meta)

    def names(self, meta) -> bool:
        """Whether an entry of `meta` names another (then it is not the one named)."""
        return any(meta.get(key) for key in self.keys)

    def in_books(self) -> tuple[str, ...]:
        """The keys of the lines that name the entry in the books."""
        return self.written or self.keys

    def shown(self) -> tuple[str, ...]:
        """The keys of `keys` the books show (an entry with one names another: it is not
        the one named); not WeChat's hidden mark, whose `fund-id` its payments have too."""
        return tuple(key for key in self.keys if key[:1] != "_")

    def placed(self, meta: dict, order: str, named: str) -> dict:
        """`meta` given its order (and `adds`), its hidden mark gone."""
        added = {"order-id": order, **({self.adds: named} if self.adds else {})}
        return inserted({k: v for k, v in meta.items() if k != FROM}, added, self.order)


def inserted(meta: dict, added: dict, order: tuple[str, ...]) -> dict:
    """`meta` with the keys of `added`, each before the first of its keys that `order`
    puts after it, else last: where the statement would have written it (as
    books/late_rows.py adds a key one statement says to the entry of another)."""
    keys, rank = list(meta), {key: at for at, key in enumerate(order)}
    for key in added:
        if key in meta:
            continue
        at = rank.get(key, len(rank))
        keys.insert(next((i for i, k in enumerate(keys) if rank.get(k, -1) > at), len(keys)), key)
    return {k: meta[k] if k in meta else added[k] for k in keys}


def mark(meta: dict, payment_id: str) -> None:
    """Say that the refund of `meta` takes its order from payment `payment_id`."""
    if payment_id:
        meta[FROM] = payment_id


MARKED = Names()   # mark()'s: WeChat's fund bill (importers/wechat_fund.py says how its books name them)


def wanted(entries, names: Names = MARKED) -> set[str]:
    """The ids of the entries that the waiting entries of `entries` name."""
    named = names.named
    ids = {ident for meta in metas(entries) if meta is not None and (ident := named(meta))}
    if ids and names.posts:   # their postings say which of those wait: the entries themselves
        ids = {ident for entry in entries if (ident := names.waits(entry))}
    return ids


def payment_orders(entries, ids: set[str], names: Names = MARKED) -> dict[str, str]:
    """Named id -> its order, for the entries of `entries` whose `names.by` is among
    `ids`, but those that name another themselves (the last entry of an id wins)."""
    by = names.by
    return {meta[by]: meta["order-id"] for meta in metas(entries)
            if meta is not None and meta.get("order-id") and meta.get(by) in ids and not names.names(meta)}


def within(out, link=lambda order: link_of("order-", order), names: Names = MARKED) -> None:
    """Each waiting entry of an extraction whose named entry it holds given that entry's
    order (`link(order)`: its link, as the statement links its payments); the others
    wait, the ids they name in `out.unplaced_refunds` for `across`."""
    ids = wanted(out.entries, names)
    if ids:
        out.entries, out.unplaced_refunds = given(out.entries, ids, payment_orders(out.entries, ids, names), link,
                                                  names=names)


def given(entries, marked: set[str], orders: dict[str, str], link, own_number=None, names: Names = MARKED) -> tuple:
    """(`entries` with each waiting entry whose named entry is in `orders` given its
    order, one not found its own number where `own_number(number)` says a shop holds it;
    the ids named by those that still wait). `marked`: those of all the waiting entries
    of `entries`. Anew where one changes: a spilled entry cannot change in place."""
    if not orders and own_number is None:   # nothing can be placed: no copy of a spilled store
        return entries, marked
    out, changed, left = like(entries), False, set()
    for entry in entries:
        meta = entry.meta if isinstance(entry, data.Transaction) else None
        paid = names.waits(entry) if meta is not None else None
        if paid is not None:
            order = orders.get(paid)
            moved = None
            if order is not None:
                moved = names.placed(meta, order, paid)
            elif own_number is not None and meta.get("refund-order-id") and own_number(meta["refund-order-id"]):
                moved = {k: v for k, v in meta.items() if k != FROM}
                moved["order-id"] = meta["refund-order-id"]
            if moved is None:
                left.add(paid)
            else:
                entry = entry._replace(meta=moved, links=entry.links | {link(moved["order-id"])})
                changed = True
        out.append(entry)
    return (out if changed else entries), left


def names_of(importer) -> Names:
    """How an importer's entries name the entries whose order they take."""
    return getattr(importer, "names_orders", None) or MARKED


def across(read: list, books, batch: BatchOrders | None = None) -> None:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each
    entry still waiting given the order of the entry it names, from the source's other
    statements of the import, else from its books (books.Books.orders_of), else a
    refund its own number where a shop holds that order; then routed to the shop as the
    import routes every sale (importers/base.py `route`)."""
    marked = [(importer, out) for importer, out in read if out.unplaced_refunds]
    if not marked:
        return
    shop_orders = None
    for name, names in dict.fromkeys((importer.source.name, names_of(importer)) for importer, _ in marked):
        mine = [(importer, out) for importer, out in marked
                if importer.source.name == name and names_of(importer) == names]
        ids = set().union(*(out.unplaced_refunds for _, out in mine))
        orders: dict[str, str] = {}
        for importer, out in read:
            if importer.source.name == name:
                orders.update(payment_orders(out.entries, ids - orders.keys(), names))
        if ids - orders.keys():
            orders.update(books.orders_of(name, ids - orders.keys(), names.by, names.shown()))
        for importer, out in mine:
            channel, config = importer.source, importer.config
            own_number = None
            if config is not None and config.shops:
                shop_orders = shop_orders or ShopOrders(config, (batch or BatchOrders(read)).links)
                shops = payment_shops(config, channel)

                def own_number(number, pattern=channel.order_pattern, shops=shops):
                    named = order_in(number, pattern)
                    return bool(named) and any(order_link(named) in shop_orders.of(s) for s in shops)
            before = out.entries
            out.entries, out.unplaced_refunds = given(out.entries, out.unplaced_refunds, orders,
                                                      lambda order: link_of("order-", order), own_number, names)
            if out.entries is not before and config is not None and config.shops:
                route(out, channel, config, shop_orders)
