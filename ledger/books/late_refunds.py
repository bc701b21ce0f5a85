"""Refunds booked before the payments they refund, given their order when the payment comes.

WeChat Pay's fund bill names a refund's payment (refund_orders.py), not its order: the
order is the payment's. A merchant who imports this month's bill before last month's
books this month's refunds of last month's payments with no order; imported later, the
payments would leave them so, and each would be a `refund-unsynced` the shop never had.
So the import that brings the payments also gives such refunds their order (and moves
their sale posting to the shop's receivable, as routing does), in the same write: the
books become what importing both together writes.

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

PayPal's refund without an Invoice Number names its payment only, as `refund-of` (its
`Reference Txn ID`): it waits the same way, and is given the `order-id` (after its
`refund-of`, as the import that holds its payment writes it) and the link. A chargeback
names its payment too, but gives no sale back (no posting on the channel's sales
account): it never waits for an order.

Only importers that name a refund's payment this way (`refund_payment_key`) are looked
at; a month closed by `beanclear close` is left as it is.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from beanclear.books import ENTRY_END, Books, _block_start, _unescape, rewrite_blocks
from beanclear.books.render import quote_exact
from beanclear.books.edits import add_links, rebook
from beanclear.importers.base import BatchOrders, ShopOrders, order_link, shop_for
from beanclear.periods.closed import closed_months
from beanclear.statements.refund_orders import payment_orders

REFUND_LINE = re.compile(r"^[ \t]+refund-order-id:", re.M)
REFUND_OF = "refund-of"   # a refund_payment_key that is the refund's own `refund-of` (PayPal)
META = re.compile(r'^[ \t]+([a-z][a-z0-9-]*):[ \t]*"((?:[^"\\]|\\.)*)"', re.M)


def find(read: list, books: Books, batch: BatchOrders) -> dict[Path, tuple]:
    """The month files holding refunds that wait for a payment the import brings: file ->
    (its channel, payment id -> (order, receivable or None)). `read`: the import's
    (importer, extraction) pairs."""
    found = {}
    sources = _sources(read)
    closed = closed_months(books.root) if sources else {}
    for name, importers in sources.items():
        key = importers[0].refund_payment_key
        channel, config = importers[0].source, importers[0].config
        waiting = {path: ids for path in books.source_files(name) if path.stem not in closed
                   and (ids := _waiting(books, path, key, channel.accounts.sales))}
        wanted = set().union(*waiting.values()) if waiting else set()
        if not wanted:
            continue
        orders = {}
        for importer, out in read:
            if importer.source.name == name:
                orders.update(payment_orders(out.entries, wanted - orders.keys()))
        if not orders:
            continue
        shop_orders = ShopOrders(config, batch.links) if config.shops else None
        placed = {}
        for payment, order in orders.items():
            shop = shop_for(channel, config, order, shop_orders)[0] if shop_orders else None
            placed[payment] = (order, config.shops[shop].accounts.receivable if shop else None)
        for path, ids in waiting.items():
            if ids & placed.keys():
                found[path] = (channel, {p: placed[p] for p in ids & placed.keys()}, key)
    return found


def plan(found: dict[Path, tuple], changes: dict[Path, object]) -> int:
    """Add to `changes` the month files find() found, their waiting refunds placed;
    returns how many refunds are."""
    placed = 0
    for path, (channel, payments, key) in found.items():
        rewrite_blocks(changes, path, functools.partial(_placed_block, channel, payments, key))
        placed += len(payments)
    return placed


def _sources(read: list) -> dict[str, list]:
    """Channel name -> the importers of the import that name refunds' payments."""
    out = {}
    for importer, _ in read:
        if getattr(importer, "refund_payment_key", None) and importer.config is not None:
            out.setdefault(importer.source.name, []).append(importer)
    return out


def _waiting(books: Books, path: Path, key: str, sales: str) -> set[str]:
    """The payments the refunds of a month file that name no order refund."""
    out = set()
    marks = _marks(key)
    for piece in books._pieces(path):
        if f"  {key}:" not in piece:   # no such view's entries: nothing of it can wait
            continue
        for found in marks.finditer(piece):   # the refunds only, not every block of the month
            end = ENTRY_END.search(piece, found.end())
            payment = _payment_of(piece[_block_start(piece, found.start()):end.start() if end else None], key, sales)
            if payment:
                out.add(payment)
    return out


def _marks(key: str) -> re.Pattern:
    """The line every refund that may wait has: a fund view's refund number (WeChat's
    `refund-order-id`), or the `refund-of` PayPal names its payment by."""
    return REFUND_OF_LINE if key == REFUND_OF else REFUND_LINE


REFUND_OF_LINE = re.compile(rf"^[ \t]+{REFUND_OF}:", re.M)


def _payment_of(block: str, key: str, sales: str | None = None) -> str | None:
    """The payment a refund of the books that names no order yet refunds, named by `key`;
    None for any other block: WeChat's fund-view refund (its `refund-order-id`) before it is
    placed (`refund-of`), or a refund naming its payment as `refund-of` (PayPal) whose sale
    is still given back on the channel's `sales` account (not a chargeback's)."""
    if "  order-id:" in block:   # placed, or named its order itself (most refunds: no parse)
        return None
    meta = {m.group(1): _unescape(m.group(2)) for m in META.finditer(block)}
    if "order-id" in meta:
        return None
    if key == REFUND_OF:
        return meta.get(key) if sales is not None and _on(block, sales) else None
    if "refund-order-id" in meta and "refund-of" not in meta:
        return meta.get(key)
    return None


def _on(block: str, account: str) -> bool:
    """Whether the block has a posting to `account`."""
    return any(line.startswith(f"  {account} ") for line in block.splitlines())


def _placed_block(channel, payments: dict, key: str, block: str) -> str:
    """A refund's text given the order of the payment it refunds, its sale posting moved
    to the shop's receivable; any other block as it is."""
    sales = channel.accounts.sales
    payment = _payment_of(block, key, sales) if _marks(key).search(block) else None
    if payment not in payments:
        return block
    order, receivable = payments[payment]
    lines = block.splitlines(keepends=True)
    last_meta = max(i for i, line in enumerate(lines) if META.match(line))
    lines[0] = add_links(lines[0], (order_link(order),))
    added = [f"  order-id: {quote_exact(order)}\n"]
    if key != REFUND_OF:   # (PayPal's names its payment so already)
        added.append(f"  refund-of: {quote_exact(payment)}\n")
    lines[last_meta + 1:last_meta + 1] = added
    if receivable:
        lines = [rebook(line, sales, receivable) if line.startswith(f"  {sales} ") else line for line in lines]
    return "".join(lines)
