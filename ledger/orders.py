"""The receivable check: every order a shop exported is paid, once, for its amount,
and every refund is seen by both the shop and the channel.

An order posts to the shop's receivable; the channel payment that names it clears it
(importers/base.py routes it there), and both carry the link `^order-<id>`. This
module groups each shop's receivable postings by that link and reports:

- `order-unpaid`: an order with no payment `order_days` after it was placed (an
  order the shop refunded in full before anyone paid is not owed);
- `payment-without-order`: a channel payment names an order the shop never exported;
- `amount-mismatch`: the payments of an order differ from it;
- `duplicate-charge`: more than one payment for an order, together more than it;
- `refund-unsynced`: the shop's refunds of an order and the channels' differ, both
  directions, `order_days` after the last of them. A channel refund that returns a
  duplicate charge is that charge's refund, not a refund of the sale.

A payment is only "without order" where the shop's exports cover its date: from
`order_days` after the first order in the books (an order paid late may predate the
first export) to the day before the last (an export may end mid-day). Outside that
span the order may simply not be imported yet, and nothing is said.

Postings to a receivable without an `^order-` link (a person's write-off, say) are
outside the groups; to close an order by hand, give the entry the order's link.

Every finding's `refs` hold the ids of the group as the statements write them: the
shop's order id first, then the channels' transaction and refund ids.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beancount.core import data

from beanclear.clearing import REF_KEYS, Item, _money
from beanclear.findings import Finding, at_entry

SHOP_REF_KEYS = ("order-id", "refund-id")            # the shop's id is synthetic ("order:…"): not a ref
CHANNEL_REF_KEYS = REF_KEYS + ("shop-order-id",)


class ChannelSales:
    """Which channel an entry's sale or refund belongs to, and its postings on the sale
    side: the channel's sales account, or its shop's receivable where the channel's
    payments pay a shop's orders. The fee and refund checks read sales through this."""

    def __init__(self, config, channels=None):
        channels = list(config.channels.values() if channels is None else channels)
        self.by_account = {ch.accounts.sales: ch for ch in channels}
        self.by_account.update({ch.accounts.clearing: ch for ch in channels if ch.shop})
        self.side = {ch.name: {ch.accounts.sales} | ({config.shops[ch.shop].accounts.receivable} if ch.shop else set())
                     for ch in channels}

    def of(self, entry: data.Transaction):
        """(channel, its sale-side postings), or None for an entry of no channel."""
        for p in entry.postings:
            channel = self.by_account.get(p.account)
            if channel is not None:
                side = self.side[channel.name]
                return channel, [q for q in entry.postings if q.account in side]
        return None


def _order_key(links) -> str | None:
    """The group of an entry: its `^order-…` link (the first, should it have several)."""
    key = None
    for link in links:
        if link.startswith("order-") and (key is None or link < key):
            key = link
    return key


def scan(entries, accounts) -> dict[str, dict[str, list]]:
    """Per receivable account, per order link, the entries that post to it. One pass that
    builds nothing per posting: books of a million orders are checked in seconds."""
    out: dict[str, dict[str, list]] = {a: {} for a in accounts}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        key = _order_key(entry.links)
        if key is None:
            continue
        for p in entry.postings:
            groups = out.get(p.account)
            if groups is not None:
                members = groups.get(key)
                if members is None:
                    groups[key] = [entry]
                elif members[-1] is not entry:
                    members.append(entry)
    return out


def _side(entry, account: str, sales: str):
    """(the entry's posting to the receivable, whether it comes from the shop's export)."""
    mine, from_shop = None, False
    for p in entry.postings:
        if p.account == account:
            mine = p
        elif p.account == sales:
            from_shop = True
    return mine, from_shop


def settled_order(entries: list, account: str, sales: str) -> dt.date | None:
    """The order's date when its group is the common case — an order from the shop's
    export and one channel payment of the same amount — decided without building the
    group; else None."""
    if len(entries) != 2:
        return None
    (a, a_shop), (b, b_shop) = _side(entries[0], account, sales), _side(entries[1], account, sales)
    if a_shop == b_shop or a.units.number + b.units.number != 0 or a.units.currency != b.units.currency:
        return None
    order, order_posting = (entries[0], a) if a_shop else (entries[1], b)
    return order.date if order_posting.units.number > 0 else None


class Group:
    """The receivable postings of one order: from the shop's export, or from channels."""

    def __init__(self, entries: list, account: str, sales: str):
        self.orders: list[Item] = []
        self.shop_refunds: list[Item] = []
        self.payments: list[Item] = []
        self.channel_refunds: list[Item] = []
        for entry in entries:
            postings = [p for p in entry.postings if p.account == account]
            item = Item(entry, sum((p.units.number for p in postings), Decimal(0)), postings[0].units.currency)
            if any(p.account == sales for p in entry.postings):  # the shop's export books its sales
                (self.orders if item.amount > 0 else self.shop_refunds).append(item)
            else:
                (self.channel_refunds if item.amount > 0 else self.payments).append(item)

    def refs(self) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for items, keys in ((self.orders + self.shop_refunds, SHOP_REF_KEYS),
                            (sorted(self.payments + self.channel_refunds, key=lambda i: i.order), CHANNEL_REF_KEYS)):
            for item in items:
                for key in keys:
                    value = item.entry.meta.get(key)
                    if value:
                        out[str(value)] = None
        return tuple(out)


def _total(items: list[Item]) -> Decimal:
    return abs(sum((i.amount for i in items), Decimal(0)))


def check_group(key: str, g: Group, shop, as_of: dt.date, span, channel_of: dict[str, str]) -> list[Finding]:
    """The findings of one order's group (module docstring)."""
    items = g.orders + g.shop_refunds + g.payments + g.channel_refunds
    account, currency = shop.accounts.receivable, items[0].currency
    name = next((i.entry.meta["order-id"] for i in g.orders if i.entry.meta.get("order-id")), key[6:])

    def by(items: list[Item]) -> str:
        return ", ".join(f"{_channel(i, channel_of)} {i.entry.meta.get('id', '')}".strip() for i in items)

    def finding(code, item, amount, message, **extra) -> Finding:
        return Finding(code, item.date, shop.name, account, amount, currency, message, g.refs(),
                       **extra, **at_entry(item.entry))

    if not g.orders:
        if g.payments and span and span[0] + dt.timedelta(days=shop.order_days) <= g.payments[0].date < span[1]:
            paid = _total(g.payments)
            return [finding("payment-without-order", g.payments[0], paid,
                            f"payment of {_money(paid)} {currency} ({by(g.payments)}) names order {name}, "
                            f"which the {shop.name} exports ({span[0]} to {span[1]}) do not hold")]
        return []
    currencies = {i.currency for i in items}
    if len(currencies) > 1:
        return [finding("amount-mismatch", g.orders[0], _total(g.orders),
                        f"order {name} and its payments or refunds are in different currencies "
                        f"({', '.join(sorted(currencies))})")]
    ordered, shop_refunded = _total(g.orders), _total(g.shop_refunds)
    paid, channel_refunded = _total(g.payments), _total(g.channel_refunds)
    out, excess = [], Decimal(0)
    if not g.payments:
        age = (as_of - g.orders[0].date).days
        if ordered - shop_refunded > 0 and age > shop.order_days:
            out.append(finding("order-unpaid", g.orders[0], ordered - shop_refunded,
                               f"order {name} of {_money(ordered)} {currency} on {g.orders[0].date} has no payment "
                               f"{age} days later (expected within {shop.order_days})",
                               expected=ordered - shop_refunded, actual=Decimal(0)))
    elif len(g.payments) > 1 and paid > ordered:
        excess = paid - ordered
        out.append(finding("duplicate-charge", g.payments[1], excess,
                           f"order {name} of {_money(ordered)} {currency} was paid {len(g.payments)} times, "
                           f"{_money(paid)} {currency} in all ({by(g.payments)})", expected=ordered, actual=paid))
    elif paid != ordered:
        out.append(finding("amount-mismatch", g.payments[0], abs(paid - ordered),
                           f"order {name} of {_money(ordered)} {currency} was paid {_money(paid)} {currency} "
                           f"({by(g.payments)})", expected=ordered, actual=paid))
    if g.payments or g.channel_refunds:
        refunded = channel_refunded - min(channel_refunded, excess)
        refunds = g.shop_refunds + g.channel_refunds
        if refunded != shop_refunded and refunds:
            last = max(refunds, key=lambda i: i.date)
            if (as_of - last.date).days > shop.order_days:
                out.append(finding("refund-unsynced", last, abs(shop_refunded - refunded),
                                   f"order {name}: the shop refunded {_money(shop_refunded)} {currency}, "
                                   f"the channels {_money(refunded)} {currency}",
                                   expected=shop_refunded, actual=refunded))
    return out


def _channel(item: Item, channel_of: dict[str, str]) -> str:
    return next((channel_of[p.account] for p in item.entry.postings if p.account in channel_of), "channel")


def findings(entries, config, as_of: dt.date, index=None) -> list[Finding]:
    """The receivable findings of every shop."""
    shops = {shop.accounts.receivable: shop for shop in config.shops.values()}
    if not shops:
        return []
    channel_of = {ch.accounts.clearing: name for name, ch in config.channels.items()}
    out = []
    for account, groups in sorted(scan(entries, shops).items()):
        shop = shops[account]
        sales, others, order_dates = shop.accounts.sales, {}, []
        for key, members in groups.items():
            day = settled_order(members, account, sales)
            if day is not None:
                order_dates.append(day)
                continue
            group = others[key] = Group(members, account, sales)
            order_dates += [i.date for i in group.orders]
        span = (min(order_dates), max(order_dates)) if order_dates else None
        for key, group in others.items():
            out += check_group(key, group, shop, as_of, span, channel_of)
    return out
