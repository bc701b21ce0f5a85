"""Payments booked before their shop's orders, routed when the orders come.

With several shops and no `shop:` on a channel, only the shops' books can say whose
order a payment pays (importers/base.py `shop_for`). A payment imported before its
order stays a sale of the channel, and the order, imported later, would wait for a
payment forever: one import order, hundreds of `order-unpaid`. So the import that
brings the orders also moves those payments' sale postings to the shop's receivable,
in the same write: the books become what importing both together writes.

    2026-04-12 * "Buyer MKT6" "Website Payment / Oolong 100g" ^order-W1002
      id: "MKT6S8W7HV0HJTOUM"
      order-id: "W1002"
      Expenses:Fees:PayPal                         11.05 USD
      Income:Sales:PayPal                        -307.94 USD   ; becomes Assets:Receivable:Web
      Assets:Clearing:PayPal                      296.89 USD

Only a posting line still naming the channel's sales account moves (a line a person
rebooked stays as it is), and not in a month closed by `beanclear close`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from beanclear.books import ORDER_LINE, Books, _blocks, _lines, _unescape, text_before
from beanclear.books.edits import add_links, rebook
from beanclear.importers.base import BatchOrders, ShopOrders, order_in, order_link, placed_by_books, shop_for
from beanclear.periods.closed import closed_months


def find(config, books: Books, batch: BatchOrders) -> dict[Path, tuple]:
    """The channels' month files holding sales that name an order the import's shop
    statements bring (`batch`): file -> (its channel, order id -> the receivable its
    sales move to). Found while the batch's orders are at hand (importing._across);
    months before the month before the first of those orders are not read: a payment
    does not come before its order."""
    channels = [ch for ch in config.channels.values() if placed_by_books(config, ch)]
    if not channels or not batch.links:   # read() placed every sale naming an order already
        return {}
    first = batch.first
    orders, closed, found = ShopOrders(config, batch.links), closed_months(books.root), {}
    since = f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"
    for channel in channels:
        for path in books.source_files(channel.name):
            if path.stem < since or path.stem in closed:
                continue
            moves = {}
            for piece in books._pieces(path):
                for block in _candidates(piece, channel):
                    order_id = _order_of(block, channel)
                    shop = shop_for(channel, config, order_id, orders)[0] if order_id else None
                    if shop is not None:
                        moves[order_id] = config.shops[shop].accounts.receivable
            if moves:
                found[path] = (channel, moves)
    return found


def plan(found: dict[Path, tuple], changes: dict[Path, object]) -> int:
    """Add to `changes` the month files `found` (find()), their sales rebooked; returns
    how many orders' entries move."""
    moved = 0
    for path, (channel, moves) in found.items():
        route = functools.partial(_routed_block, channel, moves)
        changes[path] = functools.partial(_rerouted, path, changes.get(path), route)
        moved += len(moves)
    return moved


def _candidates(text: str, channel) -> list[str]:
    """The blocks of a piece of a month file with a posting to the channel's sales."""
    marker = f"\n  {channel.accounts.sales} "
    if marker not in text:
        return []
    return [b for b in _blocks(_lines([text])) if marker in b]


def _order_of(block: str, channel) -> str | None:
    """The order an entry's text names (named_order), where routing it changes no more
    than its sales postings (and link)."""
    found = ORDER_LINE.search(block)
    if not found:
        return None
    meta_order = _unescape(found.group(1))
    order_id = order_in(meta_order, channel.order_pattern)
    return order_id if order_id == meta_order else None   # else it would gain shop-order-id: left for a person


def _routed_block(channel, moves: dict, block: str) -> str:
    """An entry's text with its sales postings on the receivable `moves` gives the order
    it names, or the same text if it names none of them."""
    sales = channel.accounts.sales
    if f"\n  {sales} " not in block:
        return block
    order_id = _order_of(block, channel)
    receivable = moves.get(order_id) if order_id else None
    if receivable is None:
        return block
    lines = block.splitlines(keepends=True)
    lines[0] = add_links(lines[0], (order_link(order_id),))
    lines[1:] = [rebook(line, sales, receivable) if line.startswith(f"  {sales} ") else line for line in lines[1:]]
    return "".join(lines)


def _rerouted(path: Path, before, route):
    """The month file's text (or the change planned before: Books.plan's pieces), a
    block at a time, each routed."""
    for block in _blocks(_lines(text_before(path, before))):
        yield route(block)
