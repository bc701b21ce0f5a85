"""A channel that may pay a shop whose payments name no order: the shop's unpaid orders of
their days are one cause, said once (orders.py's never_paid, for a shop some other channel
does pay; misrouted.py, for payments that name orders, but not the shop's).

Blind round 31 (crossborder3): PingPong's 收款 named their orders only in free text the
channel's import did not read (its `order_pattern` unset), so they stayed PingPong's
sales, and the Shopify store Airwallex paid too had 54 `order-unpaid`, nothing saying the
channel's payments name no order. Where a channel (not a personal wallet, whose payments
rarely name an order: README "Shops and their orders") without `order_pattern` has at
least NEVER_PAID_FROM payments naming no order in the days of a shop's unpaid orders, and
none of its payments in those days pays an order of the shop, the unpaid orders whose
days such a payment falls in (from the order's day to its `order_days`) are one
`order-unpaid` a currency, naming the channel and the key to set, not one an order: it
stays an error (an order may be unpaid indeed), its refs are the orders'.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from beanclear.checks.findings import Finding, unpaid_order
from beanclear.checks.items import _money, refs
from beanclear.checks.orders import NEVER_PAID_FROM
from beanclear.config import WALLET_TYPES
from beanclear.importers.order_refs import payment_shops

SHOWN = 20            # refs a finding names; `holds` has them all


class Payments:
    """The payments of the channels that may pay a shop without `order_pattern`, read
    from the books once, the first time a shop with unpaid orders asks (`of`)."""

    def __init__(self, entries, config):
        self.entries, self.config, self._read = entries, config, None

    def of(self, name: str):
        """(the days of the channel's payments naming no order, with their entries; the
        days of its payments into each shop's receivable: shop -> days)."""
        if self._read is None:
            self._read = self._scan()
        return self._read.get(name, ([], {}))

    def _scan(self) -> dict:
        channels = {ch.accounts.clearing: ch for ch in self.config.channels.values()
                    if ch.order_pattern is None and ch.type not in WALLET_TYPES and not ch.no_shop}
        receivables = {shop.accounts.receivable: shop.name for shop in self.config.shops.values()}
        out: dict[str, tuple[list, dict]] = {}
        for entry in self.entries if channels else ():
            if not isinstance(entry, data.Transaction):
                continue
            ch = next((channels[p.account] for p in entry.postings if p.account in channels), None)
            if ch is None:
                continue
            unnamed, paid = out.setdefault(ch.name, ([], defaultdict(list)))
            for p in entry.postings:
                if p.account in receivables and p.units.number < 0:
                    paid[receivables[p.account]].append(entry.date)
                    break
                if p.account == ch.accounts.sales and p.units.number < 0 and not entry.meta.get("order-id"):
                    unnamed.append(entry)
                    break
        return out


def grouped(shop, config, found: list[Finding], payments: Payments) -> list[Finding]:
    """`found` (a shop's findings) with the order-unpaid of the days of a channel whose
    payments name no order as one finding a currency (module docstring)."""
    unpaid = [f for f in found if unpaid_order(f)]
    if len(unpaid) < NEVER_PAID_FROM:
        return found
    days = shop.order_days
    first, last = min(f.date for f in unpaid), max(f.date for f in unpaid) + dt.timedelta(days=days)
    taken: dict[int, Finding] = {}
    said = []
    for name in sorted(n for n in config.channels if shop.name in payment_shops(config, config.channels[n])):
        unnamed, paid = payments.of(name)
        within = sorted((e for e in unnamed if first <= e.date <= last), key=lambda e: e.date)
        # (a payment of the shop's orders in those days, or in the order_days before them:
        # the channel names orders, and those it names none of are its own sales)
        if len(within) < NEVER_PAID_FROM or any(first - dt.timedelta(days=days) <= d <= last
                                                 for d in paid.get(shop.name, ())):
            continue
        on = sorted({e.date for e in within})
        mine = [f for f in unpaid if id(f) not in taken and _any_within(on, f.date, f.date + dt.timedelta(days=days))]
        if len(mine) < NEVER_PAID_FROM:
            continue
        taken.update((id(f), f) for f in mine)
        said += _said(shop, config.channels[name], mine, within)
    if not said:
        return found
    return [f for f in found if id(f) not in taken] + said


def _any_within(days: list[dt.date], start: dt.date, end: dt.date) -> bool:
    at = bisect.bisect_left(days, start)
    return at < len(days) and days[at] <= end


def _said(shop, ch, unpaid: list[Finding], payments: list) -> list[Finding]:
    """One order-unpaid a currency of the orders `unpaid`, naming the channel whose
    `payments` name no order in their days."""
    got: dict[str, Decimal] = defaultdict(Decimal)
    for entry in payments:
        for p in entry.postings:
            if p.account == ch.accounts.sales:
                got[p.units.currency] -= p.units.number
    texts = sorted({e.narration for e in payments if e.narration})
    example = f" (theirs: \"{texts[0]}\"{', …' if len(texts) > 1 else ''})" if texts else ""
    by_currency: dict[str, list[Finding]] = defaultdict(list)
    for f in unpaid:
        by_currency[f.currency].append(f)
    out = []
    for currency, group in sorted(by_currency.items()):
        group.sort(key=lambda f: (f.date, f.refs))
        amount = sum((f.amount for f in group), Decimal(0))
        held = tuple(dict.fromkeys(r for f in group for r in f.refs[:1]))
        out.append(Finding(
            "order-unpaid", group[0].date, shop.name, group[0].account, amount, currency,
            f"{len(group)} order(s) of {shop.name} ({_money(amount)} {currency}) from {group[0].date} to "
            f"{group[-1].date} have no payment, while {len(payments)} payment(s) of {ch.name} "
            f"({', '.join(f'{_money(v)} {c}' for c, v in sorted(got.items()))}) from {payments[0].date} to "
            f"{payments[-1].date} name no order and stay its sales ({ch.accounts.sales}){example}: its payments "
            f"name no order: set `channels.{ch.name}.order_pattern` (one group: the order id, searched in a "
            f"payment's order id, then its text), then rebuild the books, or `channels.{ch.name}.shop: none` "
            f"if they pay no shop",
            held[:SHOWN] + tuple(dict.fromkeys(r for e in payments[:3] for r in refs([e])[:1])),
            expected=amount, actual=Decimal(0), file=group[0].file, line=group[0].line, holds=held))
    return out
