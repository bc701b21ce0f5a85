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

from beanclear.books import ORDER_LINE, Books, _blocks, _file_text, _lines, _unescape
from beanclear.books.edits import add_links, rebook
from beanclear.config.model import WALLET_TYPES, Shop
from beanclear.importers.base import ShopOrders, order_in, order_link, payment_shops, shop_for
from beanclear.periods.closed import closed_months


def plan(config, books: Books, read: list, changes: dict[Path, object]) -> int:
    """Add to `changes` the month files of channels whose sales name an order the
    import's shop statements (`read`: (importer, Extraction) pairs) bring, those sales
    rebooked; returns how many entries move. Months before the month before the
    first of those orders are not read: a payment does not come before its order."""
    batch, first = _orders(read)
    if not batch:
        return 0
    orders, closed, moved = ShopOrders(config, batch), closed_months(books.root), 0
    since = f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"
    for channel in config.channels.values():
        if channel.shop or len(payment_shops(config, channel)) < 2 and channel.type not in WALLET_TYPES:
            continue   # read() placed every sale naming an order already
        route = functools.partial(_routed_block, channel, config, orders)
        for path in books.source_files(channel.name):
            if path.stem < since or path.stem in closed:
                continue
            found = sum(_routed_block(channel, config, orders, block) is not block
                        for piece in books._pieces(path) for block in _candidates(piece, channel))
            if found:
                moved += found
                changes[path] = functools.partial(_rerouted, path, changes.get(path), route)
    return moved


def _orders(read: list) -> tuple[dict[str, set[str]], object]:
    """Per shop, the order links its statements in the batch hold; and the first day
    of those orders."""
    batch: dict[str, set[str]] = {}
    first = None
    for importer, out in read:
        if isinstance(importer.source, Shop) and out.order_links:
            batch.setdefault(importer.source.name, set()).update(out.order_links)
            first = out.first_order if first is None or out.first_order < first else first
    return batch, first


def _candidates(text: str, channel) -> list[str]:
    """The blocks of a piece of a month file with a posting to the channel's sales."""
    marker = f"\n  {channel.accounts.sales} "
    if marker not in text:
        return []
    return [b for b in _blocks(_lines([text])) if marker in b]


def _routed_block(channel, config, orders: ShopOrders, block: str) -> str:
    """An entry's text with its sales postings on the receivable of the shop holding
    the order it names (named_order), or the same text (the same object) if none does."""
    sales = channel.accounts.sales
    if f"\n  {sales} " not in block:
        return block
    found = ORDER_LINE.search(block)
    if not found:
        return block
    meta_order = _unescape(found.group(1))
    order_id = order_in(meta_order, channel.order_pattern)
    if order_id != meta_order:   # routed, it would gain shop-order-id: left for a person
        return block
    shop, _ = shop_for(channel, config, order_id, orders)
    if shop is None:
        return block
    receivable = config.shops[shop].accounts.receivable
    lines = block.splitlines(keepends=True)
    lines[0] = add_links(lines[0], (order_link(order_id),))
    lines[1:] = [rebook(line, sales, receivable) if line.startswith(f"  {sales} ") else line for line in lines[1:]]
    return "".join(lines)


def _rerouted(path: Path, before, route):
    """The month file's text (or the change planned before: Books.plan's pieces), a
    block at a time, each routed."""
    if callable(before):
        pieces = before()
    elif before is not None:
        pieces = [before]
    else:
        pieces = _file_text(path)
    for block in _blocks(_lines(pieces)):
        yield route(block)
