"""Entries booked before the entries they name, given their order when those come.

An entry that names another of the channel takes that one's order (statements/
refund_orders.py, the rule; `Names`, how a statement names it). WeChat Pay's fund bill
names a refund's payment (refund_orders.py), not its order: the order is the payment's.
A merchant who imports this month's bill before last month's books this month's refunds
of last month's payments with no order; imported later, the payments would leave them
so, and each would be a `refund-unsynced` the shop never had. Stripe's failures name the
refund or payment they undo (`refund-failed`, `payment-failed`): an API response of a
day's failures imported before the report of the refunds books them with no order.
PayPal's refund without an Invoice Number names its payment only, by `refund-of` (its
`Reference Txn ID`): a download of March imported before February's books it with no
order. So the import that brings the named entries also gives those entries their order
(and moves their sale posting to the shop's receivable, as routing does), in the same
write: the books become what importing both together writes.

    2026-03-05 * "WeChat Pay" "退款 RF-77"              ; booked first, no order
      id: "5030000001"
      fund-id: "4200000001"                             ; the payment it refunds
      refund-order-id: "RF-77"
      Assets:Clearing:WeChat                        -99.40 CNY
      Income:Sales:WeChat                           100.00 CNY

becomes, when the payment 4200000001 of order S1001 is imported,

    2026-03-05 * "WeChat Pay" "退款 RF-77" ^order-S1001
      ...
      refund-order-id: "RF-77"
      order-id: "S1001"
      refund-of: "4200000001"
      Assets:Clearing:WeChat                        -99.40 CNY
      Assets:Receivable:Teashop                     100.00 CNY

The metadata goes where the statement writes it (`Names.order`: a Stripe failure's
`order-id` before its `refund-failed`, as one naming its own order has it; PayPal's
after its `refund-of`, which it has already: `adds` none), the link
among the entry's links as render.py sorts them. Only importers that say how their
entries name others (`names_orders`) are looked at; a month closed by `beanclear
close` is left as it is. A PayPal chargeback names its payment too, but gives no sale
back: only an entry posting to `Names.posts` (PayPal's sales account) waits.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from beanclear.books import (ENTRY_END, ID_LINE, ORDER_LINE, Books, _block_start, _unescape, meta_line, posting_to,
                             rewrite_blocks)
from beanclear.books.render import quote_exact
from beanclear.books import late_routes
from beanclear.books.edits import add_links
from beanclear.importers.base import BatchOrders, ShopOrders, holds_discounts, link, shop_for
from beanclear.importers.order_refs import NOT_STATED
from beanclear.periods.closed import closed_months
from beanclear.statements.refund_orders import payment_orders

META = re.compile(r'^[ \t]+([a-z][a-z0-9-]*):[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
META_LINE = re.compile(r"^[ \t]+([a-z][\w-]*):[ \t]")   # an entry's metadata line, not a posting (an account)


def find(read: list, books: Books, batch: BatchOrders) -> dict[Path, tuple]:
    """The month files holding entries that wait for an entry the import brings: file ->
    (its channel, entry id -> (the id it names, its order), its Names, the receivable of
    an order's shop or None: Route). `read`: the import's (importer, extraction) pairs."""
    found = {}
    sources = _sources(read)
    closed = closed_months(books.root) if sources else {}
    for (name, names), importers in sources.items():
        channel, config = importers[0].source, importers[0].config
        waiting = {path: named for path in books.source_files(name) if path.stem not in closed
                   and (named := _waiting(books, path, names))}
        wanted = set().union(*(named.values() for named in waiting.values()))
        if not wanted:
            continue
        orders = {}
        for importer, out in read:
            if importer.source.name == name:
                orders.update(payment_orders(out.entries, wanted - orders.keys(), names))
        if not orders:
            continue
        route = Route(channel, config, ShopOrders(config, batch.links)) if config.shops else None
        for path, named in waiting.items():
            mine = {ident: (payment, orders[payment]) for ident, payment in named.items() if payment in orders}
            if mine:
                found[path] = (channel, mine, names, route)
    return found


class Route:
    """Where the sale of a channel's entry naming an order goes, as the import routes it
    (importers/base.py `route`, read from the text as books/late_routes.py does): the
    receivable of the order's shop, or None (no shop holds it, of several)."""

    def __init__(self, channel, config, shop_orders: ShopOrders):
        self.channel, self.config, self.shop_orders = channel, config, shop_orders
        self.inside = frozenset(shop.accounts.receivable for shop in config.shops.values() if holds_discounts(shop))

    def __call__(self, block: str) -> str:
        """The entry's text routed to the shop of the order it names, or as it is."""
        order = late_routes._named(block, self.channel)[0]
        shop = shop_for(self.channel, self.config, order, self.shop_orders)[0] if order else None
        if shop is None:
            return block
        return late_routes._routed_block(self.channel, {order: self.config.shops[shop].accounts.receivable}, block,
                                         inside=self.inside)


def plan(found: dict[Path, tuple], changes: dict[Path, object]) -> dict[tuple[str, str], int]:
    """Add to `changes` the month files find() found, their waiting entries placed;
    returns how many entries are, by (channel, what they are: Names.said)."""
    placed: dict[tuple[str, str], int] = {}
    for path, (channel, entries, names, route) in found.items():
        rewrite_blocks(changes, path, functools.partial(_placed_block, entries, names, route))
        placed[(channel.name, names.said)] = placed.get((channel.name, names.said), 0) + len(entries)
    return placed


def _sources(read: list) -> dict[tuple, list]:
    """(channel name, Names) -> the importers of the import whose entries name others."""
    out = {}
    for importer, _ in read:
        names = getattr(importer, "names_orders", None)
        if names is not None and importer.config is not None:
            out.setdefault((importer.source.name, names), []).append(importer)
    return out


def _waiting(books: Books, path: Path, names) -> dict[str, str]:
    """Entry id -> the id it names, of the entries of a month file that name another
    and have no order."""
    out = {}
    keys = (names.only,) if names.only else names.in_books()
    anchors = [meta_line(key) for key in keys]
    for piece in books._pieces(path):
        for key, anchor in zip(keys, anchors):
            if f"  {key}:" not in piece:   # no entry naming another: nothing of it can wait
                continue
            for found in anchor.finditer(piece):   # those entries only, not every block of the month
                end = ENTRY_END.search(piece, found.end())
                named = _named(piece[_block_start(piece, found.start()):end.start() if end else None], names)
                if named:
                    out[named[0]] = named[1]
    return out


def _named(block: str, names) -> tuple[str, str] | None:
    """(the entry's id, the id it names) where it waits for that one's order, else None."""
    if "  order-id:" in block and (has := ORDER_LINE.search(block)) and has.group(1):
        return None   # it names its order: not parsed (PayPal's books hold many refunds, most so)
    meta = {m.group(1): _unescape(m.group(2)) for m in META.finditer(block)}
    if meta.get("order-id") or (names.only and names.only not in meta) or (names.adds and names.adds in meta):
        return None
    if names.posts and not posting_to(names.posts)(block):
        # (a PayPal chargeback: no sale given back)
        return None
    for key in names.in_books():
        value = meta.get(key)
        if value and value != NOT_STATED and meta.get("id"):
            return meta["id"], value
    return None


def _placed_block(entries: dict, names, route, block: str) -> str:
    """An entry's text given the order of the entry it names, as refund_orders.given
    gives it, then routed as the import routes it (`route`, Route, or None: no shops);
    any other block as it is. Its `order-id` may be there already: the same row of
    another statement, merged into it in this write (books/late_rows.py)."""
    if not any(f"  {key}:" in block for key in names.in_books()):
        return block
    found = ID_LINE.search(block)
    ident = _unescape(found.group(1)) if found else None
    if ident not in entries:
        return block
    named, order = entries[ident]
    has = ORDER_LINE.search(block)
    if has and _unescape(has.group(1)) != order:   # an order of its own: it names it
        return block
    lines = block.splitlines(keepends=True)
    lines[0] = add_links(lines[0], (link("order-", order),), in_order=True)
    added = {} if has else {"order-id": order}
    if names.adds and not meta_line(names.adds).search(block):
        added[names.adds] = named
    for key, value in added.items():
        lines.insert(_meta_at(lines, key, names.order), f"  {key}: {quote_exact(value)}\n")
    return route("".join(lines)) if route is not None else "".join(lines)


def _meta_at(lines: list[str], key: str, order: tuple[str, ...]) -> int:
    """Where a metadata line of `key` goes among an entry's lines: before the first of its
    keys that `order` puts after it, else after its last (refund_orders.inserted)."""
    rank = {k: at for at, k in enumerate(order)}
    at, last = rank.get(key, len(rank)), 1
    for i, line in enumerate(lines[1:], 1):
        found = META_LINE.match(line)
        if not found:
            if line.strip() and not line.lstrip().startswith(";"):
                break   # the postings
            continue
        if rank.get(found.group(1), -1) > at:
            return i
        last = i + 1
    return last
