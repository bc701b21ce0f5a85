"""Payments a channel sends to a shop whose orders they do not name: one finding of the
channel, naming the cause (orders.py's never_paid, seen from the channel's side).

`channels.alipay.shop: mini` where Alipay pays the Taobao shop's orders made every
Alipay payment a payment-without-order of mini and every Taobao order order-unpaid (557
findings for one key, blind19 misconfig); a shop left out of the config, its payments
falling to the one shop left, the same. misrouted() finds such a channel, says which key
to write (`shop:`, `order_pattern`) or which shop is missing, and hands the order
groups it takes to orders.findings, which says nothing else of them.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter, defaultdict

from beancount.core import data

from beanclear.checks.clearing import order_key
from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import Item, _money, refs
from beanclear.checks.orders import NEVER_PAID_FROM, ZERO, Prepared, covered, sold_or_refunded
from beanclear.importers.order_refs import order_link


def misrouted(config, prepared: Prepared) -> tuple[list[Finding], set[tuple[str, str]], set[str]]:
    """A channel whose payments go to a shop (its `shop:`, or the only shop in the
    config) whose orders they do not name: one `payment-without-order` for the channel,
    naming the cause, not one a payment (blind19: `channels.alipay.shop: mini` where
    Alipay pays the Taobao shop was 306 payment-without-order and 250 order-unpaid; the
    mini shop left out of the config, 250 payment-without-order). The rule of never_paid,
    seen from the channel's side: at least NEVER_PAID_FROM of its payments into the shop,
    and most of them (more than those that name an order of the shop), name

    - orders another shop of the config holds: its `shop:` names the wrong shop, and the
      finding names the right one (all such payments, whatever their day: the order is
      known), the other shop's unpaid orders they name with it;
    - orders no shop holds, written unlike the shop's own (order_scheme), on days its
      exports cover: the shop they pay is not in the config, or its export is not
      imported (where they are written like another shop's, that shop is named).

    A few payments without order among a channel's own stay a finding each. Returns the
    findings, the (shop, order key) groups they take (findings() says nothing else of
    them), and the shops some payment still names an order of (Prepared.paid less those
    whose every payment is taken: their orders are a shop no payment names, never_paid)."""
    clearing = {ch.accounts.clearing: ch for ch in config.channels.values()}
    # (channel, shop) -> (order key, group, covered) of its payments naming no order of the shop
    strays: dict[tuple[str, str], list] = defaultdict(list)
    for account, groups in prepared.groups.items():
        shop = prepared.shops[account]
        span, holes = prepared.spans.get(shop.name), None
        for key, g in groups.items():
            if not g.payments or g.orders:
                continue
            ch = next((clearing[p.account] for p in g.payments[0].entry.postings if p.account in clearing), None)
            if ch is None:
                continue
            if holes is None:
                holes = prepared.cover.holes(shop.name)
            strays[(ch.name, shop.name)].append((key, g, covered(shop, span, holes, g.payments[0].date)))
    if not any(len(found) >= NEVER_PAID_FROM for found in strays.values()):
        return [], set(), set(prepared.paid)
    held, named, schemes = _orders_held(config, prepared)
    out, absorbed = [], set()
    for (name, shop_name), found in sorted(strays.items()):
        ch, shop = config.channels[name], config.shops[shop_name]
        matched = sum(1 for key in named.get((name, shop_name), ()) if key in held[shop_name])
        total = matched + sum(len(g.payments) for _, g, _ in found)
        holders = Counter(other for key, _, _ in found for other in held if other != shop_name and key in held[other])
        other, n = holders.most_common(1)[0] if holders else (None, 0)
        if n >= NEVER_PAID_FROM and 2 * n > total:
            taken = [(key, g) for key, g, _ in found if key in held[other]]
            out += _misrouted(config, ch, shop, taken, other=other, example=taken[0][0][6:], both=matched > 0)
            absorbed |= {(shop_name, key) for key, _ in taken}
            # the other shop's orders they name, unpaid for this one cause
            theirs = prepared.groups.get(config.shops[other].accounts.receivable, {})
            absorbed |= {(other, key) for key, _ in taken
                         if key in theirs and not theirs[key].payments and not theirs[key].channel_refunds}
            continue
        own = schemes.get(shop_name)
        unlike = [(key, g, judged) for key, g, judged in found if own is not None
                  and not any(key in ids for ids in held.values()) and not _written_like(key[6:], own)]
        judged = [g for _, g, on_covered_day in unlike if on_covered_day]
        if len(judged) >= NEVER_PAID_FROM and 2 * sum(len(g.payments) for g in judged) > total:
            # (then all of them, whatever their day: written unlike its orders, they are none of them)
            taken = [(key, g) for key, g, _ in unlike]
            like = next((s for s in sorted(schemes) if s != shop_name and schemes[s] is not None
                         and all(_written_like(key[6:], schemes[s]) for key, _ in taken)), None)
            inside = [(key[6:], within) for key, _ in taken
                      for within in [_order_within(key[6:], held[shop_name])] if within]
            out += _misrouted(config, ch, shop, taken, like=like, example=next(
                (k[6:] for k in sorted(held[shop_name])), ""), inside=inside[0] if 2 * len(inside) > len(taken)
                else None)
            absorbed |= {(shop_name, key) for key, _ in taken}
            if 2 * len(inside) > len(taken):   # the shop's unpaid orders they hold, with them
                mine = prepared.groups.get(shop.accounts.receivable, {})
                absorbed |= {(shop_name, key) for key in (order_link(within) for _, within in inside)
                             if key in mine and not mine[key].payments and not mine[key].channel_refunds}
    paid = set(prepared.paid)
    for shop_name in {s for s, _ in absorbed} & paid:
        shop = config.shops[shop_name]
        groups = prepared.groups.get(shop.accounts.receivable, {})
        if not any(key in held[shop_name] for keys in (v for (c, s), v in named.items() if s == shop_name)
                   for key in keys) and not any((shop_name, key) not in absorbed and (g.payments or g.channel_refunds)
                                                for key, g in groups.items()):
            paid.discard(shop_name)   # every payment that went to it is taken: nothing pays its orders
    return out, absorbed, paid


def _misrouted(config, ch, shop, taken: list, other: str | None = None, like: str | None = None,
               example: str = "", both: bool = False, inside: tuple | None = None) -> list[Finding]:
    """The finding of misrouted(): the payments `taken` ((order key, group)), one a
    currency, their sum its amount, their ids its refs, dated by the first. `both`: the
    channel pays orders of its shop too, and the order id is to find the shop; `inside`:
    (an order id they name, the shop's order id it holds), where most of them hold one."""
    items = sorted((i for _, g in taken for i in g.payments), key=lambda i: i.order)
    by_currency: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_currency[item.currency].append(item)
    routed = (f"`channels.{ch.name}.shop: {shop.name}` sends them to {shop.name}" if ch.shop else
              f"{shop.name} is the only shop in the config, so {ch.name}'s payments go to it")
    rebuild = (f"rm -rf {shlex.quote(str(config.books))} && beanclear import -c {shlex.quote(str(config.path))} "
               "<your statements>")
    rebuilt = f"then rebuild the books, which keep the payments where they were booked: `{rebuild}`"
    if other is not None:
        fix = (f"it pays orders of both: take `shop:` out of channels.{ch.name} (with several shops the order id "
               f"finds its shop)" if both else f"set `channels.{ch.name}.shop: {other}`")
        why = f"name orders of {other} (its exports hold {example}, …), not of {shop.name}: {routed}; {fix}, {rebuilt}"
    elif inside:
        why = (f"name orders no shop's exports hold, but hold {shop.name}'s order ids ({inside[1]} in {inside[0]}): "
               f"{routed}; say how its payments name the orders, `channels.{ch.name}.order_pattern` (one group: "
               f"the order id), {rebuilt}")
    else:
        named = order_key(min(items, key=lambda i: i.date).entry.links)[6:]
        why = (f"name orders no shop's exports hold, written unlike {shop.name}'s ({named} beside {shop.name}'s "
               f"{example}): {routed}; "
               + (f"they are written like {like}'s: set `channels.{ch.name}.shop: {like}`, or import {like}'s "
                  f"export of those days, {rebuilt}" if like else
                  f"the shop they pay is missing from `shops:`, or its orders export is not imported: add it and "
                  f"import its export, {rebuilt} (or, if they name its orders otherwise, say how: "
                  f"channels.{ch.name}.order_pattern)"))
    out = []
    for currency, paid in sorted(by_currency.items()):
        paid.sort(key=lambda i: (i.date, i.order))
        amount = abs(sum((i.amount for i in paid), ZERO))
        out.append(Finding("payment-without-order", paid[0].date, ch.name, shop.accounts.receivable, amount,
                           currency, f"{len(paid)} payment(s) of {ch.name} ({_money(amount)} {currency}) from "
                           f"{paid[0].date} to {paid[-1].date} {why}",
                           tuple(dict.fromkeys(r for i in paid for r in refs([i.entry])[:1])), **at_entry(paid[0].entry)))
    return out


def _orders_held(config, prepared: Prepared) -> tuple[dict[str, set], dict[tuple, list], dict[str, list | None]]:
    """What misrouted() asks of the books, read once, only where a channel has enough
    payments naming no order of its shop to ask: per shop, the order keys its exports
    hold; per (channel, shop), the order keys of the channel's payments into the shop's
    receivable; per shop, how its order ids are written (order_scheme)."""
    by_receivable = {shop.accounts.receivable: shop for shop in config.shops.values()}
    clearing = {ch.accounts.clearing: ch.name for ch in config.channels.values()}
    held: dict[str, set] = {name: set() for name in config.shops}
    named: dict[tuple, list] = defaultdict(list)
    for entry in prepared.order_ids:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        key = order_key(entry.links)
        if key is None:
            continue
        shop = channel = None
        for p in entry.postings:
            shop = by_receivable.get(p.account, shop)
            channel = clearing.get(p.account, channel)
        if shop is None:
            continue
        if any(p.account == shop.accounts.sales for p in entry.postings):
            held[shop.name].add(key)
        elif channel is not None:
            number = sum((p.units.number for p in entry.postings if p.account == shop.accounts.receivable), ZERO)
            if sold_or_refunded(entry, number)[0] > 0:
                named[(channel, shop.name)].append(key)
    return held, named, {name: order_scheme(keys) for name, keys in held.items()}


TOKENS = re.compile(r"\d+|[^\W\d_]+|.")
SCHEMES_AT_MOST = 20   # a shop whose order ids are written more ways than this has no scheme to compare


def _shape(order_id: str) -> tuple:
    return tuple(len(t) if t.isdigit() else t.upper() for t in TOKENS.findall(order_id))


def _order_within(order_id: str, keys: set) -> str | None:
    """The order id of `keys` (order links) that a longer order id holds, its letters,
    digits and signs cut at their runs (`WX20260104004` in `WX20260104004-1`), or None."""
    tokens = TOKENS.findall(order_id)
    for size in range(len(tokens) - 1, 0, -1):
        for at in range(len(tokens) - size + 1):
            part = "".join(tokens[at:at + size])
            if order_link(part) in keys:
                return part
    return None


def order_scheme(keys) -> list | None:
    """How a shop writes its order ids: their letters and signs, and the lengths of their
    runs of digits (Taobao's `3485460880000000013`, 19 digits; a mini program's
    `WX20260104005`, WX and 11). None where it cannot tell: no orders, or many ways."""
    shapes = set()
    for key in keys:
        shapes.add(_shape(key[6:]))
        if len(shapes) > SCHEMES_AT_MOST:
            return None
    return list(shapes) or None


def _written_like(order_id: str, scheme: list) -> bool:
    """Whether an order id is written as a shop's are: the same letters and signs, runs
    of digits a digit longer or shorter at most (numbers grow: 999, 1000)."""
    shape = _shape(order_id)
    return any(len(s) == len(shape) and all(a == b or isinstance(a, int) and isinstance(b, int) and abs(a - b) <= 1
                                            for a, b in zip(s, shape)) for s in scheme)
