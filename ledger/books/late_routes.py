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
rebooked stays as it is), and not in a month closed by `beanclear close`: those are
counted, for the import to say what it left to a person. Where the order id is cut
from a longer one (`order_pattern`, Alipay's `T200P<Taobao order>`), the entry also
gains the `shop-order-id` the import of both together gives it; where the shop's
amounts hold the merchant's discounts (importers/base.py `holds_discounts`), the
entry's discount line goes into the receivable's, with the `discount` it gives.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from beanclear.books import ORDER_LINE, Books, _blocks, _lines, _unescape, rewrite_blocks
from beanclear.books.edits import add_links, rebook, remove_links
from beanclear.books.render import posting_line, quote_exact
from beanclear.importers.base import (BatchOrders, ShopOrders, holds_discounts, order_in, order_link, placed_by_books,
                                      shop_for)
from beanclear.importers.order_refs import NOT_STATED, PAYMENT_FAILED, REFUND_FAILED
from beanclear.periods.closed import closed_months


class Late(NamedTuple):
    """What find() found: month file -> (its channel, order id -> the receivable its sales
    move to, the receivables of shops whose amounts hold the discounts); and the sales
    of the batch's orders left where they are, by why."""
    files: dict[Path, tuple]
    left: dict[str, int]
    refunds: dict = {}      # books/late_refunds.py: refunds booked before their payments
    fees: dict = {}         # books/late_fees.py: fees given back booked before their chargeback fees
    orders: object = None   # statements/order_edits.py: orders an export shows changed (its Edits)
    fx: dict = {}           # statements/refund_fx.py: refunds booked before their converted charges
    fx_used: frozenset = frozenset()   # ... and the FX accounts the import's refunds post to
    credits: object = None  # books/late_credits.py: bank credits of another channel's payout than their text's first
    top_ups: object = None  # books/late_top_ups.py: bank debits in suspense naming a channel's top-up
    back: object = None     # back(): payments routed to a shop before their channel's `shop: none`


NONE = Late({}, {})
META_LINE = re.compile(r"[ \t]+[a-z][\w-]*:[ \t]")   # an entry's metadata, not a posting (an account)
STRINGS = re.compile(r'"((?:[^"\\]|\\.)*)"')   # an entry line's payee and narration, the narration last
# an entry that undoes the refund or payment it names (importers/order_refs.py undoes_order)
UNDOES = re.compile(rf'^[ \t]+(?:{REFUND_FAILED}|{PAYMENT_FAILED}):[ \t]*"(?!{NOT_STATED}")', re.M)


def find(config, books: Books, batch: BatchOrders) -> Late:
    """The channels' month files holding sales that name an order the import's shop
    statements bring (`batch`). Found while the batch's orders are at hand
    (importing._across); months before the month before the first of those orders are
    not read: a payment does not come before its order."""
    channels = [ch for ch in config.channels.values() if placed_by_books(config, ch)]
    late = Late({}, {"closed": 0})
    if not channels or not batch.links:   # read() placed every sale naming an order already
        return late
    first = batch.first
    orders, closed = ShopOrders(config, batch.links), closed_months(books.root)
    inside = frozenset(shop.accounts.receivable for shop in config.shops.values() if holds_discounts(shop))
    since = f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"
    for channel in channels:
        for path in books.source_files(channel.name):
            if path.stem < since:
                continue
            moves = {}
            for piece in books._pieces(path):
                for block in _candidates(piece, channel):
                    order_id = _named(block, channel)[0]
                    shop = shop_for(channel, config, order_id, orders)[0] if order_id else None
                    if shop is None:
                        continue
                    if path.stem in closed:
                        late.left["closed"] += 1
                    else:
                        moves[order_id] = config.shops[shop].accounts.receivable
            if moves:
                late.files[path] = (channel, moves, inside)
    return late


def plan(late: Late, changes: dict[Path, object]) -> int:
    """Add to `changes` the month files find() found, their sales rebooked; returns how
    many orders' entries move."""
    moved = 0
    for path, (channel, moves, inside) in late.files.items():
        rewrite_blocks(changes, path, functools.partial(_routed_block, channel, moves, inside=inside))
        moved += len(moves)
    return moved


def notes(moved: int, left: dict[str, int]) -> list[str]:
    """What the import says of the payments booked before their orders: how many now
    clear them, and how many it left as sales, and why."""
    said = [f"{moved} payment(s) booked before their orders now clear them "
            "(moved from the channels' sales to the shops' receivables)"] if moved else []
    if left.get("closed"):
        said.append(f"{left['closed']} payment(s) of these orders booked in a closed month stay sales of "
                    "their channel: reopen the month, then import the orders again with --force to move them")
    return said


def _candidates(text: str, channel) -> list[str]:
    """The blocks of a piece of a month file with a posting to the channel's sales."""
    marker = f"\n  {channel.accounts.sales} "
    if marker not in text:
        return []
    return [b for b in _blocks(_lines([text])) if marker in b]


def _named(block: str, channel) -> tuple[str | None, str | None]:
    """The order an entry's text names, as importers/order_refs.py `named_order` finds
    it in the entry: its `order-id`, else with `order_pattern` its narration (a personal
    wallet's QR payment names the order only in its remark); and the metadata routing
    adds, as importers/base.py `to_receivable` does: `order-id` where the entry has
    none, `shop-order-id` where the order id was cut from a longer one, else None."""
    found = ORDER_LINE.search(block)
    meta_order = _unescape(found.group(1)) if found else None
    order_id = order_in(meta_order, channel.order_pattern)
    if order_id is None and channel.order_pattern is not None:   # an id the pattern found in the narration
        header = block.split("\n", 1)[0]
        texts = STRINGS.findall(header)
        order_id = order_in(_unescape(texts[-1]), channel.order_pattern) if texts else None
        if order_id is None and meta_order and UNDOES.search(block):   # a failure's: undoes_order
            order_id = meta_order
    if order_id is None or order_id == meta_order:
        return order_id, None
    return order_id, "shop-order-id" if meta_order else "order-id"


def _routed_block(channel, moves: dict, block: str, inside: frozenset = frozenset()) -> str:
    """An entry's text with its sales postings on the receivable `moves` gives the order
    it names, or the same text if it names none of them; its discount line in the
    receivable's where that is one of `inside` (to_receivable)."""
    sales = channel.accounts.sales
    if f"\n  {sales} " not in block:
        return block
    order_id, added_key = _named(block, channel)
    receivable = moves.get(order_id) if order_id else None
    if receivable is None:
        return block
    lines = block.splitlines(keepends=True)
    link = order_link(order_id)   # the one order link to_receivable leaves: the channel's own one goes
    others = tuple(w[1:] for w in lines[0].split() if w.startswith("^order-") and w[1:] != link)
    lines[0] = add_links(remove_links(lines[0], others) if others else lines[0], (link,), in_order=True)
    added = [f"  {added_key}: {quote_exact(order_id)}\n"] if added_key else []
    lines[1:] = [rebook(line, sales, receivable) if line.startswith(f"  {sales} ") else line for line in lines[1:]]
    discount = f"  {channel.accounts.discounts} "
    if receivable in inside and any(line.startswith(discount) for line in lines):
        lines, number = _folded(lines, discount, f"  {receivable} ")
        added.append(f"  discount: {quote_exact(number)}\n")
    if added:   # after the entry's last metadata line, where to_receivable's meta puts them
        at = next(i for i, line in enumerate(lines[1:], 1) if not META_LINE.match(line))
        lines[at:at] = added
    return "".join(lines)


def _folded(lines: list[str], discount: str, receivable: str) -> tuple[list[str], str]:
    """The posting lines with those starting `discount` added into the first starting
    `receivable` (written anew, as render writes a posting), and the discount's number
    as text (importers/base.py `folded`)."""
    def amount(line: str) -> tuple[Decimal, str]:
        number, currency = line.split()[1:3]
        return Decimal(number), currency

    total = sum((amount(line)[0] for line in lines if line.startswith(discount)), Decimal(0))
    out, done = [], False
    for line in lines:
        if line.startswith(discount):
            continue
        if line.startswith(receivable) and not done:
            number, currency = amount(line)
            line, done = posting_line(receivable.strip(), number + total, currency) + line[len(line.rstrip("\n")):], True
        out.append(line)
    return out, f"{total}"


# -- `shop: none` added after payments were routed --------------------------------------

class Back(NamedTuple):
    """What back() found: month file -> (its channel, the shops' receivables, the FX account); per
    channel, the payments that move back to its sales, and those left (in a closed month;
    routed with metadata of routing's own: a cut order id, a discount taken in)."""
    files: dict[Path, tuple]
    moved: dict[str, int]
    closed: dict[str, int]
    kept: dict[str, int]
    own: dict[str, dict[Path, int]] = {}   # in a person's own files (moved there by hand, keeping `id:`)


ROUTING_META = re.compile(r"^[ \t]+(?:shop-order-id|discount):[ \t]", re.M)


def back(config, books: Books) -> Back:
    """The month files of each channel whose payments pay no shop (`shop: none`) that
    hold its payments routed to a shop's receivable by imports before that key: their
    receivable postings go back to the channel's sales, as an import with the key books
    them. Only a posting line still naming a shop's receivable moves (one a person
    rebooked stays), on an entry of the statement (`id:`) linked to its order, not in a
    closed month, and not where routing wrote more than the account (`shop-order-id`,
    `discount`): those are counted, for the import to say what it left to a person."""
    found = Back({}, {}, {}, {}, {})
    channels = [ch for ch in config.channels.values() if ch.no_shop]
    receivables = tuple(shop.accounts.receivable for shop in config.shops.values())
    if not channels or not receivables:
        return found
    from beanclear.statements import refund_fx   # it reads the books as this module routes them
    fx_account = refund_fx.account_of(config)
    closed = closed_months(books.root)
    # a payment a person moved into a file of their own (keeping its `id:`) is theirs to
    # rebook: no import rewrites such a file, and it is said at every import until it is
    # (blind23: one stayed on the shop's receivable, its channel's sales short, unsaid)
    for path in books.own_files():
        if path.is_file():
            for block in _routed_to(books._read(path), receivables):
                channel = next((ch for ch in channels if f"\n  {ch.accounts.clearing} " in block), None)
                if channel is not None:
                    mine = found.own.setdefault(channel.name, {})
                    mine[path] = mine.get(path, 0) + 1
    for channel in channels:
        for path in books.source_files(channel.name):
            moves = 0
            for piece in books._pieces(path):
                for block in _routed_to(piece, receivables):
                    if path.stem in closed:
                        found.closed[channel.name] = found.closed.get(channel.name, 0) + 1
                    elif ROUTING_META.search(block):
                        found.kept[channel.name] = found.kept.get(channel.name, 0) + 1
                    else:
                        moves += 1
            if moves:
                found.files[path] = (channel, receivables, fx_account)
                found.moved[channel.name] = found.moved.get(channel.name, 0) + moves
    return found


def plan_back(found: Back, changes: dict[Path, object]) -> None:
    """Add to `changes` the month files back() found, their payments the channel's sales again."""
    for path, (channel, receivables, fx_account) in found.files.items():
        rewrite_blocks(changes, path, functools.partial(_back_block, channel, receivables, fx_account))


def back_notes(found: Back, name: str) -> list[str]:
    """What the import says of a channel's payments routed before its `shop: none`."""
    said = []
    if found.moved.get(name):
        said.append(f"{found.moved[name]} payment(s) booked to a shop's receivable before channels.{name}.shop: "
                    f"none are sales of {name} again (moved to its sales account)")
    if found.closed.get(name):
        said.append(f"{found.closed[name]} payment(s) of {name} booked to a shop's receivable in a closed month stay "
                    "there: reopen the month, then import a statement of it again with --force to move them")
    if found.kept.get(name):
        said.append(f"{found.kept[name]} payment(s) of {name} routed to a shop's receivable with a shop-order-id or "
                    "a discount taken in stay there: rebook them to its sales account by hand")
    for path, count in sorted(found.own.get(name, {}).items()):
        said.append(f"{count} payment(s) of {name} booked to a shop's receivable in {path.name}, a file of your own, "
                    f"stay there: rebook them to {name}'s sales account by hand")
    return said


def _routed_to(text: str, receivables: tuple[str, ...]) -> list[str]:
    """The blocks of a piece of a channel's month file that routing sent to a shop:
    a statement's entry (`id:`), linked to an order, posting to a shop's receivable."""
    if not any(f"\n  {r} " in text for r in receivables):
        return []
    return [b for b in _blocks(_lines([text]))
            if " ^order-" in b.split("\n", 1)[0] and "\n  id: " in b
            and any(f"\n  {r} " in b for r in receivables)]


def _back_block(channel, receivables: tuple[str, ...], fx_account: str, block: str) -> str:
    """A routed payment's text with its receivable postings on the channel's sales
    account, or the same text where back() leaves it; a converted order's refund
    without the FX the receivable gave it (statements/refund_fx.py `joined`), as the
    import with `shop: none` books it."""
    if not _routed_to(block, receivables) or ROUTING_META.search(block):
        return block
    from beanclear.statements import refund_fx
    lines = refund_fx.joined(block, receivables, fx_account).splitlines(keepends=True)
    sales = channel.accounts.sales
    for at, line in enumerate(lines[1:], 1):
        account = next((r for r in receivables if line.startswith(f"  {r} ")), None)
        if account is not None:
            lines[at] = rebook(line, account, sales)
    return "".join(lines)
