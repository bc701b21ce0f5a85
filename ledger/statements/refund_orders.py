"""A refund's order, found through the payment it refunds.

Some statements name a refund's payment but not its order. WeChat Pay's fund bill
writes in a refund row's 资金流水单号 the 微信订单号 of the payment refunded, and in its
业务凭证号 the merchant's refund number (商户退款单号), not the order. The importer marks
such a refund with its payment (`mark`); the refund's order is the one that payment
names, looked up

- in the same statement (`within`, when the statement is read: a month's bill holds
  most of the payments its refunds refund),
- in the other statements of the import and in the books (`across`, once an import has
  read all its files: a bill a day holds refunds of payments of days before).

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

from beancount.core import data

from beanclear.books.spill import like, metas
from beanclear.importers.base import BatchOrders, ShopOrders, link, order_in, order_link, payment_shops, route

FROM = "_order-from"   # hidden meta (render.py): the id of the payment a refund refunds


def mark(meta: dict, payment_id: str) -> None:
    """Say that the refund of `meta` takes its order from payment `payment_id`."""
    if payment_id:
        meta[FROM] = payment_id


def wanted(entries) -> set[str]:
    """The ids of the payments the marked refunds of `entries` refund."""
    return {meta[FROM] for meta in metas(entries) if meta is not None and meta.get(FROM)}


def payment_orders(entries, ids: set[str]) -> dict[str, str]:
    """Payment id -> its order, for the payments of `entries` among `ids` (the last
    entry of an id wins)."""
    return {meta["id"]: meta["order-id"] for meta in metas(entries)
            if meta is not None and meta.get("order-id") and meta.get("id") in ids and not meta.get(FROM)}


def within(out, link) -> None:
    """Each marked refund of an extraction whose payment it holds given that payment's
    order (`link(order)`: its link, as the statement links its payments); the others stay
    marked, their payments' ids in `out.unplaced_refunds` for `across`."""
    ids = wanted(out.entries)
    if ids:
        out.entries, out.unplaced_refunds = given(out.entries, ids, payment_orders(out.entries, ids), link)


def given(entries, marked: set[str], orders: dict[str, str], link, own_number=None) -> tuple:
    """(`entries` with each marked refund whose payment is in `orders` given its order,
    one not found its own number where `own_number(number)` says a shop holds it; the
    ids of the payments of those that stay marked). `marked`: those of all the marked
    refunds of `entries`. Anew where one changes: a spilled entry cannot change in place."""
    if not orders and own_number is None:   # nothing can be placed: no copy of a spilled store
        return entries, marked
    out, changed, left = like(entries), False, set()
    for entry in entries:
        meta = entry.meta if isinstance(entry, data.Transaction) else None
        paid = meta.get(FROM) if meta is not None else None
        if paid is not None:
            order = orders.get(paid)
            moved = None
            if order is not None:
                moved = {**meta, "order-id": order, "refund-of": paid}
            elif own_number is not None and meta.get("refund-order-id") and own_number(meta["refund-order-id"]):
                moved = {**meta, "order-id": meta["refund-order-id"]}
            if moved is None:
                left.add(paid)
            else:
                del moved[FROM]
                entry = entry._replace(meta=moved, links=entry.links | {link(moved["order-id"])})
                changed = True
        out.append(entry)
    return (out if changed else entries), left


def across(read: list, books, batch: BatchOrders | None = None) -> None:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each
    refund still marked, given its order from the payments of the source's other
    statements of the import, else of its books (books.Books.orders_of), else its own
    number where a shop holds that order; then routed to the shop as the import routes
    every sale (importers/base.py `route`)."""
    marked = [(importer, out) for importer, out in read if out.unplaced_refunds]
    if not marked:
        return
    shop_orders = None
    for name in dict.fromkeys(importer.source.name for importer, _ in marked):
        ids = set().union(*(out.unplaced_refunds for importer, out in marked if importer.source.name == name))
        orders: dict[str, str] = {}
        for importer, out in read:
            if importer.source.name == name:
                orders.update(payment_orders(out.entries, ids - orders.keys()))
        if ids - orders.keys():
            orders.update(books.orders_of(name, ids - orders.keys()))
        for importer, out in marked:
            if importer.source.name != name:
                continue
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
                                                      lambda order: link("order-", order), own_number)
            if out.entries is not before and config is not None and config.shops:
                route(out, channel, config, shop_orders)
