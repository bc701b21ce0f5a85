"""The receivable check: every order a shop exported is paid, once, for its amount,
and every refund is seen by both the shop and the channel.

An order posts to the shop's receivable; the channel payment that names it clears it
(importers/base.py routes it to the shop whose order it is), and both carry the link
`^order-<id>`. This module groups each shop's receivable postings by that link and reports:

- `order-unpaid`: an order with no payment `order_days` after it was placed (an
  order the shop refunded in full before anyone paid is not owed);
- `payment-without-order`: a channel payment names an order the shop never exported
  (its refunds in the same finding: one cause), or a refund does whose payment is not in
  the books; a channel most of whose payments into a shop name no order of it (its
  `shop:` names the wrong shop, the shop it pays is not in the config) is one finding
  of the channel naming the cause (misrouted);
- `amount-mismatch`: the payments of an order differ from it, compared in the order's
  currency (InCurrency: what the customer paid, or the reference rate within the
  fx-gap tolerance; a difference of currencies alone is no finding). Where the export
  says part of the order is still owed by the customer (`outstanding`, Shopify's
  Outstanding Balance of a partially_paid order), the channels owe the rest: paid from
  that to the whole order is no finding, and an order nobody paid is unpaid by that rest;
- `duplicate-charge`: more than one payment for an order, together more than it;
- `refund-unsynced`: the shop's refunds of an order and the channels' differ, both
  directions, `order_days` after the last of them. What the channels refund beyond
  the shop's refunds returns a duplicate charge first: it is not a refund of the sale.
  An order the export says was refunded without the amount (`refund-amount: "not
  stated"`, importers/shop.py) was refunded what the channels refunded of it; nothing
  refunded `order_days` after it is the finding (the most it can be: the order).

A deadline's finding (order-unpaid, refund-unsynced) is dated its order's or last
refund's day, or the day its `order_days` passed where that is in a later month
(findings.by_deadline): an order of 06-29 at 3 days, unpaid, is July's, dated 07-03, and June,
closed before, keeps its report.

A payment is only "without order" where the shop's exports cover its date: from
`order_days` after the first order in the books (an order paid late may predate the
first export) to the day before the last (an export may end mid-day), and not in a hole
between two exports, from the day before it to `order_days` after it (`covered`).
Outside that the order may simply not be imported yet, and nothing is said (a hole's
statement-gap says its days, and how many payments and how much it holds back:
`held_in_holes`). The finding names the days the shop's exports cover
(their coverage records; the span without them). A payment that names no shop's order,
on a channel that pays several, asks the shops whose exports have begun by its date: a
shop whose first export comes later was not in the books yet (`unrouted`).

A deadline is judged only where the statements of the channels that answer for the
order cover its days (`answering`: those its payments and refunds went through, else
every channel that may pay the shop). What a hole in them holds is said in the hole's
statement-gap, among its refs (statements/gaps.py `one_end`); what their start or end
holds back, in one statement-gap of the shop.

Postings to a receivable without an `^order-` link (a person's write-off, say) are
outside the groups; to close an order by hand, give the entry the order's link.

Every finding's `refs` hold the ids of the group as the statements write them: the
shop's order id first, then the channels' transaction and refund ids.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books.render import SUMMARY_FLAG
from beanclear.checks.clearing import order_key
from beanclear.checks.findings import (WRITE_OFF_DEFAULTS, Finding, at_entry, by_deadline, limit, rate_text, shown_on,
                                      unpaid_order)
from beanclear.checks.items import REF_KEYS, WRITE_OFF, Item, _money, refs
from beanclear.statements.coverage import DAY, QUIET_DAYS, Coverage
from beanclear.statements.gaps import SHOP_WAITS, _summed, fetch_command, hole_head, shop_starts
from beanclear.checks.fx import References, customer_amount, unpaired
from beanclear.importers.order_refs import (BANK, CASH, GIFT_CARD, NOT_STATED, OUTSTANDING, PAYMENT_FAILED,
                                            PAYMENT_METHOD, REFUND_AMOUNT, REFUND_FAILED, named_order, order_shops,
                                            paid_by, payment_shops, placed_by_books)

SHOP_REF_KEYS = ("order-id", "refund-id")            # the shop's id is synthetic ("order:…"): not a ref
CHANNEL_REF_KEYS = REF_KEYS + ("shop-order-id",)
ZERO, CENT = Decimal(0), Decimal("0.01")
CUSTOMER_AMOUNT = "customer-amount"   # what the customer paid, where a channel converted it


def shared_sales(config) -> set[str]:
    """The sales accounts of more than one channel or shop: one revenue account for the
    shop and its channels (`sales: Income:Umsatz:Online` on each, SKR's 8400) is a
    chart of accounts DESIGN §3 allows, but a posting to it names no channel."""
    users = Counter(ch.accounts.sales for ch in config.channels.values())
    users.update(shop.accounts.sales for shop in config.shops.values())
    return {account for account, n in users.items() if n > 1}


class ChannelSales:
    """Which channel an entry's sale or refund belongs to, and its postings on the sale
    side: the channel's sales account, or the receivable of a shop whose orders its
    payments may pay (importers/base.py `payment_shops`, the rule the import routes by).
    The fee and refund checks read sales through this.

    An entry is its channel's by the channel's sales account, or by its clearing
    account where the sales account does not tell: a payment that pays a shop's order
    posts to the receivable instead, and a sales account the channel shares with others
    (shared_sales) holds their sales too. There the entry's own channel is the one whose
    clearing it moves: the shop's orders and a person's summary entry on the shared
    account, which move none, are no channel's."""

    def __init__(self, config, channels=None):
        channels = list(config.channels.values() if channels is None else channels)
        shops = {ch.name: payment_shops(config, ch) for ch in channels}
        shared = shared_sales(config)   # over the whole config, whichever channels are asked
        self.by_account = {ch.accounts.sales: ch for ch in channels if ch.accounts.sales not in shared}
        self.by_account.update({ch.accounts.clearing: ch for ch in channels
                                if shops[ch.name] or ch.accounts.sales in shared})
        self.side = {ch.name: {ch.accounts.sales} | {config.shops[s].accounts.receivable for s in shops[ch.name]}
                     for ch in channels}
        # a refund giving back a converted order in full books the conversion difference
        # on the FX account beside the receivable (statements/refund_fx.py): that posting is
        # of the refund too, which gave back what the statement says
        self.fx = fx_account(config) if config.shops else None

    def of(self, entry: data.Transaction):
        """(channel, its sale-side postings), or None for an entry of no channel: the
        channel of the first posting to an account in `by_account`. Balances carried
        forward (render.SUMMARY_FLAG) are of no channel: they sold nothing that day."""
        if entry.flag == SUMMARY_FLAG:
            return None
        for p in entry.postings:
            channel = self.by_account.get(p.account)
            if channel is not None:
                return channel, self.side_of(entry, channel)
        return None

    def side_of(self, entry: data.Transaction, channel) -> list:
        """The entry's postings on the channel's sale side."""
        side = self.side[channel.name]
        out = [q for q in entry.postings if q.account in side]
        if self.fx is not None and CUSTOMER_AMOUNT in entry.meta and len(entry.postings) > 2:
            return _with_fx(out, [q for q in entry.postings if q.account == self.fx])
        return out


def _with_fx(side: list, fx: list) -> list:
    """The sale side of a refund that books a conversion difference on the FX account:
    that posting taken into its receivable posting (the first of its currency), so that
    every reader sees the one refund the statement gave, as before the difference moved."""
    for q in fx:
        at = next((i for i, p in enumerate(side) if p.units.currency == q.units.currency), None)
        if at is None:
            continue
        p = side[at]
        side[at] = p._replace(units=Amount(p.units.number + q.units.number, p.units.currency))
    return side


def fx_account(config) -> str:
    """The FX account: where an fx-gap's spread is written off (`checks.fx-gap.write_off`),
    and a refund of a converted order books the conversion difference (statements/refund_fx.py)."""
    check = config.checks.get("fx-gap")
    return (check.write_off.account if check is not None else None) or WRITE_OFF_DEFAULTS["fx-gap"][0]


def sold_or_refunded(entry: data.Transaction, number: Decimal) -> tuple[Decimal, Decimal]:
    """One amount on a channel's sale side (its sales account, or the receivable its
    payments clear) read as (sold, refunded): a credit is a sale, a debit a refund, but
    on an entry that undoes a refund or a payment (order_refs.REFUND_FAILED,
    PAYMENT_FAILED) it counts against that one. Stripe's `refund_failure` of 100.00 is
    Income:Sales:Stripe -100.00, read as refunded -100.00: nothing sold, no fee owed on
    it, the refund it undoes taken off the refunds; a failed payment's debit is as much
    less sold, no refund. Every reading of the sale side asks this: the refund checks,
    the month report and the page's charts (refunds.count), the fee check, the
    receivable check's groups and the payments naming no shop's order (unrouted)."""
    meta = entry.meta
    if REFUND_FAILED in meta:
        return ZERO, number
    if PAYMENT_FAILED in meta:
        return -number, ZERO
    return (-number, ZERO) if number < 0 else (ZERO, number)


def scan(entries, accounts) -> dict[str, dict[str, list]]:
    """Per receivable account, per order link, the entries that post to it. One pass that
    builds nothing per posting: books of a million orders are checked in seconds."""
    out: dict[str, dict[str, list]] = {a: {} for a in accounts}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        key = order_key(entry.links)
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
    (order, order_posting), (paid, paid_posting) = ((entries[0], a), (entries[1], b)) if a_shop else \
        ((entries[1], b), (entries[0], a))
    if order.meta.get(REFUND_AMOUNT) == NOT_STATED:   # refunded by the channels, or said to be
        return None
    if order_posting.units.number <= 0 or not sold_or_refunded(paid, paid_posting.units.number)[0]:
        return None   # a refund given back pays no order
    return order.date


class Group:
    """The receivable postings of one order: from the shop's export, or from channels."""

    def __init__(self, entries: list, account: str, sales: str):
        self.orders: list[Item] = []
        self.shop_refunds: list[Item] = []
        self.payments: list[Item] = []
        self.channel_refunds: list[Item] = []
        self.written_off: list[Item] = []   # write-offs linked to the order: no payment, no refund
        for entry in entries:
            postings = [p for p in entry.postings if p.account == account]
            item = Item(entry, sum((p.units.number for p in postings), Decimal(0)), postings[0].units.currency)
            if WRITE_OFF in entry.meta:
                self.written_off.append(item)
            elif any(p.account == sales for p in entry.postings):  # the shop's export books its sales
                (self.orders if item.amount > 0 else self.shop_refunds).append(item)
            else:   # a failed refund given back is a refund less, a failed payment a payment less
                (self.channel_refunds if sold_or_refunded(entry, item.amount)[1] else self.payments).append(item)

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


class InCurrency:
    """An item's amount in the order's currency: as booked where it is in it; else what
    the customer paid, where the channel states it (`customer-amount: "50.00 EUR"` on a
    Stripe charge settled in USD); else at the reference rate of its day (the books'
    `price` directives, ledger/checks/fx.py), give or take `checks.fx-gap.tolerance_bps`,
    but where the channel converted it at a rate it names no pair of (fx.unpaired: the
    reference would take its spread for a difference; the fx check says it once):

        2026-03-01 price EUR 1.0900 USD
        Assets:Receivable:Shop    50.00 EUR      ; the order
        Assets:Receivable:Shop   -54.50 USD      ; its payment: 50.00 EUR, within 50 bps

    A payment in another currency with neither is not measured: nothing is said."""

    def __init__(self, entries, config):
        self.entries, self.references = entries, None
        self.tolerance = Decimal(limit(config, "fx-gap", "tolerance_bps"))

    def __call__(self, item: Item, currency: str) -> tuple[Decimal, Decimal, str] | None:
        """(amount, how far the reference rate leaves it open, how it was converted)."""
        if item.currency == currency:
            return item.amount, ZERO, ""
        stated = customer_amount(item.entry)
        shown = f"{_money(abs(item.amount))} {item.currency}"
        if stated is not None and stated[1] == currency:
            return stated[0].copy_sign(item.amount), ZERO, f"{shown}, the customer paid it in {currency}"
        if stated is None and unpaired(item.entry):
            return None   # converted at a rate of no stated pair: not through the reference (fx.py's statement-gap)
        if self.references is None:
            self.references = References(self.entries)
        found = self.references.rate(item.currency, currency, item.date)
        if found is None:
            return None
        rate, day = found
        amount = (item.amount * rate).quantize(CENT, ROUND_HALF_UP)
        return amount, abs(amount) * self.tolerance / 10000, f"{shown} at the reference rate {rate_text(rate)} of {day}"


def returned_first(excess: Decimal, channel_refunded: Decimal, shop_refunded: Decimal) -> Decimal:
    """What of the channels' refunds of an order returns the `excess` it was paid (a
    duplicate charge): what they refunded beyond the shop's refunds returns it first, and
    is not a refund of the sale. Paid 109.40 for 54.70, the channel refunded 54.70, the
    shop nothing: 54.70 returned the duplicate."""
    return min(max(ZERO, channel_refunded - shop_refunded), excess)


def covered(shop, span, holes, day: dt.date) -> bool:
    """Whether the shop's exports cover `day` for a payment that names an order of it
    (module docstring): from `order_days` after its first order in the books (`span`,
    its first and last) to the day before its last, but not in a hole between two of
    its exports (Coverage.holes), from the day before it (an export may end mid-day) to
    `order_days` after it (an order of the hole paid late): the order may be in the
    export not imported, which the hole's statement-gap says (one cause, one finding),
    naming the payments it holds (holding)."""
    return _spanned(shop, span, day) and holding(shop, span, holes, day) is None


def _spanned(shop, span, day: dt.date) -> bool:
    return span is not None and span[0] + dt.timedelta(days=shop.order_days) <= day < span[1]


def holding(shop, span, holes, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The hole between two of the shop's exports that holds back a payment of `day`
    naming an order none of its exports holds (covered), else None."""
    if not _spanned(shop, span, day):
        return None
    return next(((first, last) for first, last in holes
                 if first - DAY <= day <= last + dt.timedelta(days=shop.order_days)), None)


def held_in_holes(held: dict[tuple, list[Item]]) -> list[Finding]:
    """What a hole in a shop's exports holds back (`held`: (shop, first, last) -> the
    payments naming orders no export holds, paid in it, the day before it or within
    `order_days` after it): how many and how much, said in the hole's own statement-gap
    (gaps.one_end), their ids among its refs. The accountant sees what the missing
    export holds: until it is imported none of them is judged (covered)."""
    out = []
    for (name, first, last), paid in sorted(held.items()):
        paid = sorted(paid, key=lambda i: i.order)
        out.append(Finding("statement-gap", first, name, "", ZERO, "",
                           f"{hole_head(name, first, last)}; {len(paid)} payment(s) ({_summed(paid)}) name orders "
                           f"no export of {name} holds: their orders may be in the export of those days",
                           tuple(dict.fromkeys(r for i in paid for r in refs([i.entry])[:1]))))
    return out


def check_group(key: str, g: Group, shop, as_of: dt.date, span, channel_of: dict[str, str],
                convert: InCurrency, exports=None, holes=(), window: int | None = None) -> list[Finding]:
    """The findings of one order's group (module docstring), in the order's currency.
    `exports`: the days the shop's exports cover, as a message says them (default `span`);
    `holes`: the holes between them (covered); `window`: the matcher's (`match.window`),
    for what an unpaid order's hint says match proposes (_unpaid_hint)."""
    items = g.orders + g.shop_refunds + g.payments + g.channel_refunds + g.written_off
    account, currency = shop.accounts.receivable, (g.orders or g.payments or items)[0].currency
    name = next((i.entry.meta["order-id"] for i in g.orders if i.entry.meta.get("order-id")), key[6:])
    converted = {id(i): convert(i, currency) for i in items}
    if None in converted.values():  # another currency and no rate: the amounts cannot be compared
        converted = {id(i): c or (ZERO, ZERO, "") for i, c in zip(items, converted.values())}
        if g.orders:
            return []

    def total(items: list[Item]) -> tuple[Decimal, Decimal]:
        """Their sum, and how far off the reference rates may leave it."""
        return (abs(sum((converted[id(i)][0] for i in items), ZERO)),
                sum((converted[id(i)][1] for i in items), ZERO))

    def by(items: list[Item]) -> str:
        return ", ".join(f"{_channel(i, channel_of)} {i.entry.meta.get('id', '')}".strip()
                         + (f": {converted[id(i)][2]}" if converted[id(i)][2] else "") for i in items)

    def finding(code, item, amount, message, day=None, **extra) -> Finding:
        return Finding(code, day or item.date, shop.name, account, amount, currency, message, g.refs(),
                       **extra, **at_entry(item.entry))

    if not g.orders:
        # what the channels moved naming an order no export holds: its payments, judged by
        # the first one's day, their refunds with them (one cause, one finding); a refund
        # whose payment is not in the books, by its own day (round 11: said nothing)
        moved = g.payments or sorted(g.channel_refunds, key=lambda i: i.date)
        if moved and covered(shop, span, holes, moved[0].date):
            (paid, _), (refunded, _) = total(g.payments), total(g.channel_refunds)
            what = (f"payment of {_money(paid)} {currency} ({by(g.payments)})"
                    + (f", refunded {_money(refunded)} {currency} ({by(g.channel_refunds)})," if g.channel_refunds
                       else "") if g.payments else
                    f"refund of {_money(refunded)} {currency} ({by(g.channel_refunds)})")
            return [finding("payment-without-order", moved[0], paid if g.payments else refunded,
                            f"{what} names order {name}, which the {shop.name} exports ({(exports or span)[0]} to "
                            f"{(exports or span)[1]}) do not hold")]
        return []
    (ordered, _), (shop_refunded, _) = total(g.orders), total(g.shop_refunds)
    # the part of the order its export says the customer still owes (Shopify's Outstanding
    # Balance): no channel owes it, and a channel that takes it too has been paid no more than
    # the order (the customer paying the balance); `due` is what the channels owe
    owed = sum((Decimal(str(i.entry.meta[OUTSTANDING])) for i in g.orders if i.entry.meta.get(OUTSTANDING)), ZERO)
    due = ordered - owed
    owing = f"{_money(owed)} {currency} of it outstanding, the customer's to pay, as the shop's export says" \
        if owed else ""
    (paid, paid_slack), (channel_refunded, refund_slack) = total(g.payments), total(g.channel_refunds)
    beyond = f" (beyond the {convert.tolerance} bps the reference rate allows)" if paid_slack else ""
    out, excess = [], ZERO
    written = sum((converted[id(i)][0] for i in g.written_off), ZERO)   # (on the receivable: a payment's sign)
    # an order written off as nobody's to pay (cancelled unpaid): money of it since is its
    # finding again, the write-off's code, so that `write-off order-unpaid` takes it back
    differs = ORDER_UNPAID if _unpaid_off(g) else "amount-mismatch"
    since = _since(g)
    since_days = [since[-1].date] if since else []
    since_said = "" if not since else f" {_days(since)}, after it was written off unpaid" if differs == ORDER_UNPAID \
        else f", {_money(total(since)[0])} {currency} of it {_days(since)}, after its difference was written off"
    method, kinds = paid_how(g)
    # paid by a gift card and a channel: the export does not say how much of which, the
    # channels do: what they paid short of the order is the gift card's (README)
    gift_part = GIFT_CARD in kinds and len(kinds) > 1
    if not g.payments:
        age = (as_of - g.orders[0].date).days
        # written off whole (cancelled, never paid): the receivable is back to zero (a
        # write-off of another amount leaves it listed, for checks/resolutions.py to say)
        if due - shop_refunded > 0 and age > shop.order_days and not (
                g.written_off and due - shop_refunded + written == 0):
            out.append(finding(ORDER_UNPAID, g.orders[0], due - shop_refunded,
                               f"order {name} of {_money(ordered)} {currency} on {g.orders[0].date} has no payment "
                               f"{age} days later (expected within {shop.order_days})"
                               + _unpaid_hint(method, kinds, key, window)
                               + (f"; {owing.replace(' of it outstanding', ' of it is outstanding')}" if owed else ""),
                               expected=due - shop_refunded, actual=ZERO))
    elif len(g.payments) > 1 and paid > ordered + paid_slack:
        excess = paid - ordered
        # a duplicate refunded in full is resolved by the books (a blind helper's order paid
        # by WeChat and Alipay, Alipay's charge refunded, stayed a duplicate-charge)
        returned = returned_first(excess, channel_refunded, shop_refunded)
        if paid - returned > ordered + paid_slack:
            out.append(finding("duplicate-charge", g.payments[1], excess - returned,
                               f"order {name} of {_money(ordered)} {currency} was paid {len(g.payments)} times, "
                               f"{_money(paid)} {currency} in all ({by(g.payments)})", expected=ordered, actual=paid))
    elif (paid < due - paid_slack or paid > ordered + paid_slack) and not (gift_part and paid < ordered) and not (
            # written off to zero: the receivable comes back to zero (a write-off of another
            # amount leaves the difference the payments show, for checks/resolutions.py to say)
            g.written_off and abs((due if paid < due else ordered) - paid + written) <= paid_slack):
        expected = due if paid < due else ordered
        # the first payment's day, or the order's (or the money's since its write-off,
        # _since) where that is in a later month
        out.append(finding(differs, g.payments[0], abs(paid - expected),
                           f"order {name} of {_money(ordered)} {currency}{f' ({owing})' if owed else ''} was paid "
                           f"{_money(paid)} {currency} ({by(g.payments)}){since_said}{beyond}",
                           shown_on(g.payments[0].date, [g.orders[0].date, *since_days]), expected=expected,
                           actual=paid, paid_since=bool(since)))
    if g.written_off and g.payments and abs(written) > paid_slack and paid >= due - paid_slack \
            and not (gift_part and paid < ordered) and not any(f.code == differs for f in out):
        # paid all it owed, and written off besides: the customer paid the difference after
        # all (blind29: the 5.00 a write-off took to Expenses:Rounding), and the write-off
        # over-settles the order by what it posts (paid more than the order: that is the
        # duplicate-charge above, to refund; this, the write-off to reverse); resolutions.py
        # names it and says how. At the write-off, dated as the money since showed it.
        out.append(finding(differs, g.written_off[-1], abs(written),
                           f"order {name} of {_money(ordered)} {currency}{f' ({owing})' if owed else ''} was paid "
                           f"{_money(paid)} {currency} ({by(g.payments)}){since_said}",
                           shown_on(g.payments[0].date, [g.orders[0].date, *since_days]), expected=paid,
                           actual=paid, paid_since=bool(since)))
    if g.payments or g.channel_refunds:
        # What the channels refunded beyond the shop's refunds returns the duplicate charge
        # first; what the shop also refunded is the sale's refund, seen on both sides.
        refunded = channel_refunded - returned_first(excess, channel_refunded, shop_refunded)
        refunds = g.shop_refunds + g.channel_refunds
        unstated = not g.shop_refunds and any(i.entry.meta.get(REFUND_AMOUNT) == NOT_STATED for i in g.orders)
        if unstated and refunded:   # the export said refunded, not how much: the channels say it
            shop_refunded = refunded
        elif unstated and (as_of - g.orders[0].date).days > shop.order_days:
            return out + [finding("refund-unsynced", g.orders[0], ordered,
                                  f"order {name}: the shop's export says it was refunded (not how much), the "
                                  f"channels refunded nothing of its {_money(ordered)} {currency}",
                                  expected=ordered, actual=ZERO)]
        # a refund the shop made beyond the channels' may have gone back to the gift card
        # that paid part of the order, up to that part
        to_card = min(max(ZERO, ordered - paid), max(ZERO, shop_refunded - refunded)) if gift_part else ZERO
        if abs(refunded - shop_refunded) - to_card > refund_slack and refunds:
            last = max(refunds, key=lambda i: i.date)
            if (as_of - last.date).days > shop.order_days:
                out.append(finding("refund-unsynced", last, abs(shop_refunded - refunded) - to_card,
                                   f"order {name}: the shop refunded {_money(shop_refunded)} {currency}, "
                                   f"the channels {_money(refunded)} {currency}"
                                   + (f" (of the rest, {_money(to_card)} {currency} may have gone back to the gift "
                                      "card that paid part of it)" if to_card else ""),
                                   expected=shop_refunded, actual=refunded))
    return out


def _since(g: Group) -> list[Item]:
    """The payments of an order dated after its last write-off, by date: what the customer
    paid after the difference was written off (a write-off is dated the day the later side
    showed the difference: resolve/writeoff.py), which changes that difference. Of an order
    written off unpaid, every payment: it had none, whatever day one imported since is of
    (the order's own, often)."""
    if not g.written_off:
        return []
    if _unpaid_off(g):
        return sorted(g.payments, key=lambda i: (i.date, i.order))
    last = max(i.date for i in g.written_off)
    return sorted((i for i in g.payments if i.date > last), key=lambda i: (i.date, i.order))


ORDER_UNPAID = "order-unpaid"


def _unpaid_off(g: Group) -> bool:
    """Whether the order was written off as unpaid (`beanclear write-off order-unpaid`)."""
    return any(str(i.entry.meta.get(WRITE_OFF)) == ORDER_UNPAID for i in g.written_off)


def _days(items: list[Item]) -> str:
    first, last = items[0].date, items[-1].date
    return f"on {first}" if first == last else f"from {first} to {last}"


def paid_how(g: Group) -> tuple[str, set[str]]:
    """How the shop's export says the order was paid (its `payment-method`), and the
    kinds of those gateways (order_refs.gateway_kind); "" and none where it does not."""
    for item in g.orders:
        method = item.entry.meta.get(PAYMENT_METHOD)
        if method:
            return method, paid_by(item.entry)
    return "", set()


def _unpaid_hint(method: str, kinds: set[str], link: str, window: int | None) -> str:
    """What an unpaid order's finding adds where its export says how it was paid and no
    channel collects (all) of it: a gift card's part, a manual method (README). Of a bank
    deposit, what `match` proposes only as it does: a line of the order's amount naming
    it within `window` days (matching's _id_in: a short order id names it only there;
    blind21's wire of 8 days later was not proposed, the hint said it would be), and
    `link` with the order's `link` for any other."""
    if GIFT_CARD in kinds and len(kinds) > 1:
        return (f"; paid in part by gift card ({method}), the export does not say how much: the rest is the "
                "channels' to pay")
    if CASH in kinds:
        return (f"; paid by {method}: the cash reaches the books with what deposits it (a courier's remittance, a "
                "cash deposit at the bank): `beanclear link` that line to the order (one line may settle several), "
                "or book the cash received with the order's link")
    if BANK in kinds:
        within = f"within {window} days of it" if window is not None else "within its window"
        return (f"; paid by {method}, which no channel collects: the bank line that pays it settles it (`beanclear "
                f"match` proposes a line of its amount that names the order {within}, `match.window`; `beanclear "
                f"link BANK_REF {link}` ties any line to it by hand)")
    return ""


def _another_store(finding: Finding, group, config, channel_of: dict[str, str]) -> Finding:
    """A payment naming an order the one shop's exports do not hold, of a channel that pays
    that shop only because no `shop:` says otherwise: where the channel sells for a store
    of its own (an overseas Shopify beside a domestic one), `shop: none` says so, and the
    finding names that key (blind23 handedits2: it named the shops, the exports and
    order_pattern, never `shop: none`)."""
    if len(config.shops) != 1:
        return finding
    names = sorted({_channel(i, channel_of) for i in group.payments} & {
        name for name, ch in config.channels.items() if not ch.shop and not ch.no_shop})
    if not names:
        return finding
    return replace(finding, message=finding.message + "".join(
        f"; if {name} sells for a store of its own, `channels.{name}.shop: none` keeps its payments its sales"
        for name in names))


def _channel(item: Item, channel_of: dict[str, str]) -> str:
    return next((channel_of[p.account] for p in item.entry.postings if p.account in channel_of), "channel")


class Prepared:
    """What the receivable check reads that does not depend on the date it judges on:
    each shop's order groups (the settled ones only counted, by date), the conversions
    and the statements' coverage. Built once per load (reconcile.Load): the plugin and
    the page's open items (judged a century later) share it."""

    def __init__(self, entries, config, cover: Coverage | None = None, prices=None, order_ids=None, groups=None,
                 unrouted_ids=None):
        """`entries`: the books' entries, with, where the caller has them from the same
        load, the statements' `cover`, the `prices` directives, the entries naming an
        order (`order_ids`, for misrouted), of them those posting to the sales account of
        a channel paying several shops (`unrouted_ids`, for unrouted) and scan's `groups`
        (reconcile.Walk.orders)."""
        self.shops = {shop.accounts.receivable: shop for shop in config.shops.values()}
        self.convert = InCurrency(entries if prices is None else prices, config)
        self.cover = Coverage.of(entries, config) if cover is None else cover
        self.order_ids = entries if order_ids is None else order_ids
        self.unrouted_ids = self.order_ids if unrouted_ids is None else unrouted_ids
        self.groups: dict[str, dict] = {}   # account -> {order key: Group} of the groups to judge
        self.spans: dict[str, tuple | None] = {}
        self.paid: set[str] = set()           # the shops some channel payment or refund names an order of
        for account, groups in sorted((scan(entries, self.shops) if groups is None else groups).items()):
            shop = self.shops[account]
            sales, others, order_dates = shop.accounts.sales, {}, []
            for key, members in groups.items():
                day = settled_order(members, account, sales)
                if day is not None:
                    order_dates.append(day)
                    self.paid.add(shop.name)
                    continue
                group = others[key] = Group(members, account, sales)
                order_dates += [i.date for i in group.orders]
                if group.payments or group.channel_refunds:
                    self.paid.add(shop.name)
            self.groups[account] = others
            self.spans[shop.name] = (min(order_dates), max(order_dates)) if order_dates else None
            if order_dates and self.cover.ended(shop.name):
                # it stopped selling (`until:`) and its exports reach that day: no order after
                # its last is in an export to come, and a payment naming one it never held is
                # judged, whenever it came (covered)
                self.spans[shop.name] = (min(order_dates), dt.date.max)
        self._returned: dict[int, Decimal] | None = None
        self._duplicates: dict[int, Decimal] | None = None
        self._refund_groups: dict[int, Group] | None = None   # id(a channel's refund) -> its order's group

    def returned(self) -> dict[int, Decimal]:
        """id(entry) -> what of a channel's refund returns a duplicate charge of its order
        (returned_first), in the refund's currency: not a refund of the sale, which the
        refund checks and the month report leave out of the channel's refunds. The
        order's first refunds return it. Only groups of several payments can hold one:
        the few the settled common case leaves."""
        if self._returned is None:
            self._returned = {}
            for account, groups in self.groups.items():
                for group in groups.values():
                    if len(group.payments) > 1 and group.orders and group.channel_refunds:
                        self._returned.update(self._returned_of(group))
        return self._returned

    def duplicates(self) -> dict[int, Decimal]:
        """id(entry) -> what of a channel's payment is a duplicate charge of its order:
        what the payments took beyond the order (check_group's excess, as the finding
        reads it), the last payments first (the finding names the second), in the
        payment's currency, positive. No sale: the month report counts it apart, beside
        what of it the channels gave back (returned). Paid 100.00 twice for 100.00: the
        second payment's 100.00."""
        if self._duplicates is None:
            self._duplicates = {}
            for account, groups in self.groups.items():
                for group in groups.values():
                    found = self._excess(group) if len(group.payments) > 1 and group.orders else None
                    if found is not None:
                        last_first = sorted(group.payments, key=lambda i: i.order, reverse=True)
                        self._duplicates.update(_first(last_first, *found, -1))
        return self._duplicates

    def refunded_beyond_shop(self, entry) -> bool:
        """Whether `entry`, a channel's refund, is of an order whose channels refunded more
        than the shop did, as check_group compares them (in the order's currency, net of
        a duplicate charge they return first, and not where the export says refunded
        without the amount): its refund-unsynced says that, once `order_days` have
        passed. The refunds beyond a payment (checks/refunded_beyond.py) are then that
        finding's, not one of their own: one cause, one finding (a shop's refund of 40.00,
        the channel's two)."""
        if self._refund_groups is None:
            self._refund_groups = {id(i.entry): g for groups in self.groups.values() for g in groups.values()
                                   if g.orders for i in g.channel_refunds}
        g = self._refund_groups.get(id(entry))
        if g is None or not g.shop_refunds and any(i.entry.meta.get(REFUND_AMOUNT) == NOT_STATED for i in g.orders):
            return False
        currency = g.orders[0].currency
        converted = {id(i): self.convert(i, currency)
                     for i in g.orders + g.shop_refunds + g.payments + g.channel_refunds + g.written_off}
        if None in converted.values():
            return False   # not compared: check_group says nothing of the order
        total = lambda items: abs(sum((converted[id(i)][0] for i in items), ZERO))
        shop_refunded, refunded = total(g.shop_refunds), total(g.channel_refunds)
        found = self._excess(g) if len(g.payments) > 1 else None
        if found is not None:
            refunded -= returned_first(found[0], refunded, shop_refunded)
        return refunded - shop_refunded > sum((converted[id(i)][1] for i in g.channel_refunds), ZERO)

    def _excess(self, g: Group):
        """(what the order was paid beyond its amount, in its currency, the items' amounts
        in it), or None where it was not paid more than it (give or take the reference
        rates' slack), or the amounts cannot be compared (check_group says nothing)."""
        currency = g.orders[0].currency
        converted = {id(i): self.convert(i, currency) for i in g.orders + g.shop_refunds + g.payments + g.channel_refunds}
        if None in converted.values():
            return None
        total = lambda items: abs(sum((converted[id(i)][0] for i in items), ZERO))
        ordered, paid = total(g.orders), total(g.payments)
        if paid <= ordered + sum((converted[id(i)][1] for i in g.payments), ZERO):
            return None
        return paid - ordered, {k: v[0] for k, v in converted.items()}

    def _returned_of(self, g: Group) -> dict[int, Decimal]:
        found = self._excess(g)
        if found is None:
            return {}
        excess, converted = found
        total = lambda items: abs(sum((converted[id(i)] for i in items), ZERO))
        left = returned_first(excess, total(g.channel_refunds), total(g.shop_refunds))
        return _first(sorted(g.channel_refunds, key=lambda i: i.order), left, converted, 1)


def _first(items: list[Item], left: Decimal, converted: dict[int, Decimal], sign: int) -> dict[int, Decimal]:
    """id(entry) -> the part of each of `items` (in their order) that `left` (in the
    order's currency, `converted` their amounts in it) takes, in the item's currency,
    `sign` times its amount: a whole item, or its share. An item of the other sign (a
    failed refund given back, a failed payment taken back) takes none: the others are
    net of it."""
    out = {}
    for item in items:
        whole = abs(converted[id(item)])
        if left <= 0 or not whole:
            break
        if item.amount * sign < 0:
            continue
        part = min(whole, left)
        left -= part
        amount = item.amount * sign
        out[id(item.entry)] = amount if part == whole else (amount * part / whole).quantize(CENT)
    return out


def findings(entries, config, as_of: dt.date, index=None, prepared: Prepared | None = None) -> list[Finding]:
    """The receivable findings of every shop."""
    if not config.shops:
        return []
    prepared = prepared or Prepared(entries, config)
    channel_of = {ch.accounts.clearing: name for name, ch in config.channels.items()}
    channel_of.update({s.accounts.gift_cards: "gift card" for s in config.shops.values() if s.accounts.gift_cards})
    convert, cover, spans = prepared.convert, prepared.cover, prepared.spans
    # a channel whose payments go to a shop whose orders they do not name: one finding
    # each, the groups it takes said in it (misrouted)
    from beanclear.checks.misrouted import misrouted   # (it reads this module's order groups)
    out, absorbed, paid_shops = misrouted(config, prepared)
    in_holes: dict[tuple, list[Item]] = defaultdict(list)   # (shop, first, last) of a hole in its exports -> payments
    from beanclear.checks import unnamed   # (it reads this module's NEVER_PAID_FROM)
    unnamed_payments = unnamed.Payments(entries, config)   # read only where a shop has unpaid orders
    for account, others in prepared.groups.items():
        shop = prepared.shops[account]
        span = spans[shop.name]
        # the days its statements cover, where the books record them: books carried forward
        # (periods/forward.py) keep every record, but not the first orders
        exports = (cover.start(shop.name), cover.end(shop.name)) if cover.start(shop.name) else None
        shop_holes = cover.holes(shop.name)   # (holes, below: the channels')
        # (judged to, judged from) -> the deadlines that wait for the channels' statements
        # to reach a day, and those of them that wait for a channel's first statement
        waits: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
        shop_found, unexported, reach_of = [], [], {}   # reach_of: id -> the day the channels' statements reach
        held_by: dict[tuple, list[Finding]] = defaultdict(list)   # (channel, first, last) of a hole -> its deadlines
        for key, group in others.items():
            if (shop.name, key) in absorbed:
                continue
            # a payment naming an order the shop's export of a hole may hold: that hole's (covered)
            hole = holding(shop, span, shop_holes, group.payments[0].date) \
                if group.payments and not group.orders else None
            if hole is not None:
                in_holes[(shop.name, *hole)] += group.payments
            names = answering(group, shop, config, channel_of)
            to = horizon(shop, config, cover, as_of, names)
            judged_from = first_judged(shop, config, cover, names) if to is not None else None
            waiting, early = waits[(to, judged_from)]
            # days no statement of an answering channel covers between two of them: the
            # hole's statement-gap is their one finding (seed 31502 without a day of Stripe's API)
            holes = [(name, *hole) for name in names for hole in cover.holes(name)] if to else []
            # where the shop's exports end before the channels' statements (beyond a quiet
            # weekend), a refund the channels made since may be in its next export
            # (not past the day it stopped selling, `until:`: no export after it is owed)
            shop_end = exports[1] if exports and to and (to - exports[1]).days > QUIET_DAYS \
                and not cover.ended(shop.name) else None
            found = [_another_store(f, group, config, channel_of) if f.code == "payment-without-order" else f
                     for f in check_group(key, group, shop, to or dt.date.min, span, channel_of, convert, exports,
                                          shop_holes, config.match.window)]
            late = []   # the refunds that wait for the shop's next export
            if shop_end:
                late = [f for f in found if f.code == "refund-unsynced" and f.actual > f.expected
                        and (shop_end - f.date).days <= shop.order_days]
                found, unexported = [f for f in found if f not in late], unexported + late
                reach_of.update((id(f), to) for f in late)
            if exports and to and (exports[1] - to).days > QUIET_DAYS and group.orders and group.shop_refunds \
                    and all(i.date <= group.orders[0].date for i in group.shop_refunds):
                # the channels' statements end before the shop's exports: a refund the shop
                # made, dated with its order (an export gives no refund date), may have been
                # made at the channel since they end; it waits for them as the orders after
                # them do (bench_one_cause seed 33501 without Stripe's second report: the
                # refund of an order of 10-25, made in November, was refund-unsynced)
                unsure = [f for f in found if f.code == "refund-unsynced" and f.actual < f.expected]
                found = [f for f in found if f not in unsure]
                waiting += unsure
            held = []
            for f in found if holes else ():   # its payment or refund may be among the rows of a hole
                hole = next((h for h in holes if _deadline(f)
                             and h[1] <= f.date + dt.timedelta(days=shop.order_days) and f.date <= h[2]), None)
                if hole is not None:
                    held_by[hole].append(f)
                    held.append(f)
            found = [f for f in found if f not in held]
            if judged_from:   # before a paying channel's first statement: its payment may be there
                # (and a refund the channels made of an order sold before it, counted short:
                # the rest may be there too, whenever the shop's last refund was; a blind
                # helper's October imported before September). Judged by the moment it
                # starts (Coverage.start_at): a report in UTC starts at 09:00 in Tokyo, and an
                # order of 06:40 that day may have been paid in the report before (blind16)
                began = min(map(_moment, (i.entry for i in group.orders + group.payments))) \
                    if group.orders or group.payments else None
                before = [f for f in found if _deadline(f) and _when(f, group) < judged_from
                          or f.code == "refund-unsynced" and f.actual < f.expected and began and began < judged_from]
                found = [f for f in found if f not in before]
                waiting += before
                early += before
            if to != as_of:  # what the statements' end holds back waits, as one statement-gap
                # (not the early ones again, nor those a hole holds: its finding says them, nor a
                # refund that waits for the shop's next export: one cause, one finding, blind7)
                seen, waited = {f.code for f in found}, {(f.code, f.refs) for f in waiting + held + late}
                waiting += [f for f in check_group(key, group, shop, as_of, span, channel_of, convert, exports,
                                                   shop_holes, config.match.window)
                            if _deadline(f) and f.code not in seen and (f.code, f.refs) not in waited]
            shop_found += found
        if shop.name not in paid_shops and never_paid(shop, config, shop_found) != shop_found:
            # the orders the statements judge say nothing pays the shop: those that wait
            # for a channel's statements are unpaid as the rest are (seed 31607: a
            # marketplace, its channel's first bill not imported, was two findings)
            pending = [f for group in (*(w for w, _ in waits.values()), *held_by.values()) for f in group]
            shop_found, waits, held_by = never_paid(shop, config, shop_found + pending), {}, {}
        else:   # a channel paying it whose payments name no order: its days' unpaid orders are one cause
            shop_found = unnamed.grouped(shop, config, shop_found, unnamed_payments)
        # a deadline is dated its order's or refund's day, or the day its order_days passed
        # where that is in a later month (findings.by_deadline): what waits above is judged by
        # the first side's day, and so is what one cause holds
        out += [by_deadline(f, shop.order_days) if _deadline(f) else f for f in shop_found]
        if span is None:   # payments name its orders, but no export of the shop is in the books
            paid = sorted((i for key, g in others.items() if (shop.name, key) not in absorbed for i in g.payments),
                          key=lambda i: i.date)
            if paid:
                out.append(Finding("statement-gap", paid[0].date, shop.name, "", ZERO, "",
                                   f"no export of {shop.name} is in the books: {len(paid)} payment(s) from "
                                   f"{paid[0].date} to {paid[-1].date} name its orders; import its orders export",
                                   tuple(dict.fromkeys(r for i in paid[:20] for r in refs([i.entry])[:1]))))
            continue
        for (to, judged_from), (waiting, early) in sorted(waits.items(), key=lambda kv: (
                kv[0][0] or dt.date.min, kv[0][1] or dt.datetime.min)):
            # A statement read from its lines ends at its last line: a day or two short of the
            # shop's export is a quiet weekend, not a missing statement.
            if waiting and (to is None or (as_of - to).days > QUIET_DAYS or early):
                out.append(_waiting(shop, config, cover, to, waiting, judged_from, early))
        for (name, first, last), held in sorted(held_by.items()):   # said in the hole's finding (gaps.one_end)
            out.append(Finding("statement-gap", first, shop.name, "", ZERO, "",
                               f"{hole_head(name, first, last)}; {len(held)} {shop.name} order deadline(s) wait "
                               "for them", tuple(dict.fromkeys(r for f in held for r in f.refs[:1]))))
        if unexported:
            shop_end = exports[1]
            reach = max(reach_of[id(f)] for f in unexported)
            out.append(Finding("statement-gap", shop_end + dt.timedelta(days=1), shop.name, "", ZERO, "",
                               f"the exports of {shop.name} end {shop_end}; the statements of the channels that pay "
                               f"it go to {reach}: {len(unexported)} refund(s) the channels made since wait for "
                               f"its next export", tuple(dict.fromkeys(r for f in unexported for r in f.refs[:1]))))
    out += never_exported(config, cover, prepared, out) + unrouted(prepared.unrouted_ids, config, spans, cover, out,
                                                                    in_holes)
    return out + held_in_holes(in_holes)


def never_exported(config, cover, prepared: Prepared, found: list[Finding]) -> list[Finding]:
    """A shop of the config no export of which is in the books, while its channels'
    statements are, and no payment of it says so already: one statement-gap (with
    several shops, the payments naming its orders stayed sales of their channels)."""
    said = {f.source for f in found if f.code == "statement-gap"}
    out = []
    for name in sorted(config.shops):
        starts = [s for s in map(cover.start, payers(config.shops[name], config)) if s]
        if name in said or not starts or cover.start(name) or prepared.spans.get(name):
            continue
        out.append(Finding("statement-gap", min(starts), name, "", ZERO, "",
                           f"no export of {name} is in the books, while those of the channels that may pay it "
                           f"are: the orders their payments name wait for it; import its orders export"))
    return out


def placed_by_books_payers(config) -> list:
    """The channels whose payments unrouted() reads: those whose payments only the shops'
    books place (order_refs.placed_by_books: paying several shops without `shop:`, or a
    personal wallet): a payment naming an order none of them holds stayed the channel's sale."""
    return [ch for ch in config.channels.values() if placed_by_books(config, ch)]


def unrouted(entries, config, spans: dict, cover: Coverage, found: list[Finding] = (),
             in_holes: dict[tuple, list[Item]] | None = None) -> list[Finding]:
    """`payment-without-order` for a payment that names an order no shop holds, on a
    channel that pays several shops, or a personal wallet's naming one in a marketplace's
    form or by its `order_pattern` (order_refs.order_shops: the shops that should hold it;
    a wallet's own numbers name none): none took it (importers/base.py `route`), so it
    stayed a sale of the channel; the refunds of that order in the finding of its first
    payment, and one finding for those of an order no payment in the books names, judged
    by the first one's date (as check_group judges them with one shop). Judged where the exports of every such shop cover its
    date (covered), of those in the books by then: a shop whose exports begin after it
    (`spans`, the first of its orders, or `cover`, of its exports) was not yet, as the
    days before a source's first statement are before its start, not a gap (blind10: a
    second shop opened on 8 March hid every such payment before it). Where no shop's
    exports have begun by then, or a shop has none in the books (never_exported says
    it), the payment is not judged.
    Past the end of a shop's exports, the order may be in its next one: the payments
    are one statement-gap of the shops whose exports ended before them (unless `found`
    says that gap already), not a finding each, nor silence. One that a hole in a shop's
    exports holds back, where the others' cover its day, is that hole's: added to
    `in_holes` ((shop, first, last) -> payments, held_in_holes), of the first such shop."""
    channels = placed_by_books_payers(config)
    sales = ChannelSales(config, channels)   # whose sale it is, where channels and shops share a sales account
    holes = {name: cover.holes(name) for name in config.shops}
    begins = {name: min(filter(None, (span[0], cover.start(name)))) for name, span in spans.items() if span}
    out = []
    waiting: dict[str, list] = defaultdict(list)   # channel -> (entry, amount, currency, the shops ended before it)
    # (channel, order) -> its payments and its refunds naming an order no shop holds, as
    # (entry, posting): judged together, one cause (round 11: a refund alone said nothing)
    moved: dict[tuple, tuple[list, list]] = {}
    asked_of: dict[tuple, tuple[str, ...]] = {}   # (channel, order) -> the shops that should hold it
    # only a posting to one of those channels' sales accounts is read below: an entry with
    # none (a routed payment, on the receivable) is passed over before ChannelSales reads it
    kept = {ch.accounts.sales for ch in channels}
    # (where an order_pattern may find the order in the narration, an entry without order-id)
    in_text = {ch.accounts.sales for ch in channels if ch.order_pattern is not None}
    for entry in entries if channels else ():
        if not isinstance(entry, data.Transaction):
            continue
        for p in entry.postings:
            if p.account in kept:
                break
        else:
            continue
        if not entry.meta.get("order-id") and p.account not in in_text:
            continue
        sale = sales.of(entry)
        ch = sale[0] if sale is not None else None
        for p in entry.postings if ch is not None else ():
            if p.account != ch.accounts.sales:
                continue
            sold, refunded = sold_or_refunded(entry, p.units.number)
            if sold <= 0 and refunded <= 0:
                continue   # a failed refund given back, a failed payment taken back
            # the order the channel's order_pattern cuts from its order id, as routing
            # looked for it (`<order>_1`, a first payment attempt), is the one no shop holds
            order = named_order(entry, ch.order_pattern)
            asked = order_shops(config, ch, entry) if order else ()
            if not asked:
                break   # names no order: by the channel's pattern, a counter sale, the channel's income
                # (README); of a wallet, its own number; in a marketplace's form, no shop of its type
            asked_of.setdefault((ch.name, order), asked)
            moved.setdefault((ch.name, order), ([], []))[0 if sold > 0 else 1].append((entry, p))
            break
    for (name, order), (payments, refunds) in moved.items():
        ch = config.channels[name]
        shops = [config.shops[s] for s in asked_of[(name, order)]]
        back = _refunded(ch.name, refunds)
        for at, (entry, p) in enumerate(payments or refunds[:1]):
            # a payment is judged by its day, its refunds with the first one; a refund whose
            # payment is not in the books, by the first refund's day
            later = [s.name for s in shops if begins.get(s.name, dt.date.min) > entry.date]
            asked = [s for s in shops if s.name not in later]
            if asked and all(covered(s, spans.get(s.name), holes[s.name], entry.date) for s in asked):
                begun = "".join(f"{'; those' if not k else ', those'} of {s} begin {begins[s]}"
                                for k, s in enumerate(later))
                amount, currency = (-p.units.number, p.units.currency) if payments else back[:2]
                what = (f"payment of {_money(amount)} {currency} ({ch.name} {entry.meta.get('id', '')})"
                        + (f", refunded {_money(back[0])} {back[1]} ({back[2]})," if refunds and not at else "")
                        if payments else f"refund of {_money(amount)} {currency} ({back[2]})")
                out.append(Finding("payment-without-order", entry.date, ch.name, p.account, amount, currency,
                                   f"{what} names order {order}, which the exports of no shop "
                                   f"({', '.join(s.name for s in asked)}) hold{begun}",
                                   tuple(dict.fromkeys((*refs([entry]), order,
                                                        *(refs([e for e, _ in refunds]) if not at else ())))),
                                   **at_entry(entry)))
            elif payments:
                ended = tuple(s.name for s in shops if spans.get(s.name) and spans[s.name][1] < entry.date)
                holds = {s.name: holding(s, spans.get(s.name), holes[s.name], entry.date) for s in asked}
                held = [(name, hole) for name, hole in holds.items() if hole is not None]
                if held and in_holes is not None and all(
                        hole is not None or covered(s, spans.get(s.name), holes[s.name], entry.date)
                        for s, hole in zip(asked, holds.values())):
                    name, hole = held[0]
                    in_holes[(name, *hole)].append(Item(entry, p.units.number, p.units.currency))
                elif ended:
                    waiting[ch.name].append((entry, -p.units.number, p.units.currency, ended))
    said = {f.source for f in found if f.code == "statement-gap"}
    paid = sorted((item for items in waiting.values() for item in items), key=lambda item: item[0].date)
    if paid:   # one cause whatever channels the payments came through (seed 33017: four gaps)
        ended = paid[0][3]   # the shops whose exports ended before the first of them
        end = max(spans[name][1] for name in ended)
        if not (said & set(ended) or (paid[-1][0].date - end).days <= QUIET_DAYS):   # a quiet end is no gap
            total: dict[str, Decimal] = defaultdict(Decimal)
            for _, amount, currency, _ in paid:
                total[currency] += amount
            through = ", ".join(f"{len(items)} of {channel}" for channel, items in sorted(waiting.items()))
            out.append(Finding(
                "statement-gap", end + dt.timedelta(days=1), ended[0], "", ZERO, "",
                f"the exports of {' and '.join(ended)} end {end}: {len(paid)} payment(s) ({through}) from "
                f"{paid[0][0].date} to {paid[-1][0].date} ({', '.join(f'{_money(v)} {c}' for c, v in sorted(total.items()))})"
                " name orders no shop holds; they stay sales of their channels until the next export is imported, "
                "which moves them to its orders", tuple(dict.fromkeys(r for e, *_ in paid[:20] for r in refs([e])[:1]))))
    return out


def _refunded(channel: str, refunds: list) -> tuple:
    """(what refunds of one order gave back, in the first one's currency, its currency,
    the refunds as a finding names them)."""
    if not refunds:
        return ZERO, "", ""
    currency = refunds[0][1].units.currency
    amount = sum((p.units.number for _, p in refunds if p.units.currency == currency), ZERO)
    return amount, currency, ", ".join(f"{channel} {e.meta.get('id', '')}".strip() for e, _ in refunds)


DEADLINE_CODES = ("order-unpaid", "refund-unsynced")


def _deadline(f: Finding) -> bool:
    """A deadline's finding: an order unpaid (findings.unpaid_order), refunds unsynced."""
    return f.code in DEADLINE_CODES and (f.code != ORDER_UNPAID or unpaid_order(f))

NEVER_PAID_FROM = 3   # unpaid orders of a shop no payment names, from which they are one cause


def never_paid(shop, config, found: list[Finding]) -> list[Finding]:
    """A shop no channel payment or refund in the books names an order of: its unpaid
    orders are one cause (the statements of whatever collects them are not in the books,
    or its payments name the orders otherwise), said once rather than once an order."""
    held = [f for f in found if _deadline(f)]
    if len(held) < NEVER_PAID_FROM:
        return found
    unpaid = [f for f in held if unpaid_order(f)]
    owed = {}
    for f in unpaid:
        owed[f.currency] = owed.get(f.currency, ZERO) + f.amount
    names = payers(shop, config)
    how = (f"the payments of {', '.join(names)} name none of its orders: say which channel pays it "
           f"(channels.<name>.shop), or how its payments name the orders (order_pattern)" if names else
           "no channel may pay it (every channel's `shop:` names another shop, or none)")
    return [f for f in found if not _deadline(f)] + [Finding(
        "statement-gap", min(f.date for f in held), shop.name, "", ZERO, "",
        f"no payment in the books names an order of {shop.name}: {len(unpaid)} unpaid order(s) "
        f"({', '.join(f'{_money(v)} {c}' for c, v in sorted(owed.items())) or 'none'}) from "
        f"{min(f.date for f in held)} to {max(f.date for f in held)}"
        + (f" and {len(held) - len(unpaid)} unsynced refund(s)" if len(held) > len(unpaid) else "")
        + f" wait for the statements of what collects them; {how}",
        tuple(dict.fromkeys(r for f in held[:20] for r in f.refs[:1])))]


def payers(shop, config) -> list[str]:
    """The channels that may pay the shop's orders."""
    return [name for name, ch in config.channels.items() if shop.name in payment_shops(config, ch)]


def answering(group: Group, shop, config, channel_of: dict[str, str]) -> list[str]:
    """The channels whose statements can hold what an order's deadlines wait for: those
    its payments and refunds went through (a refund goes back the way the money came; a
    hole in another channel's statements holds none of it: blind5, a Stripe refund the
    shop never recorded was held by a quiet PayPal month), else every channel that may
    pay the shop (an order nobody paid may be paid by any)."""
    names = payers(shop, config)
    went = {_channel(i, channel_of) for i in group.payments + group.channel_refunds}
    return [name for name in names if name in went] or names


def horizon(shop, config, cover: Coverage, as_of: dt.date, names: list[str] | None = None) -> dt.date | None:
    """The last day an order's deadline can be judged: the end of the statements of the
    channels that may pay the shop (`names`: of those that answer for the order, default
    all of them), the earliest of them (a payment may be in any), or None while one of
    them has no statement in the books (its file never imported: every order it paid
    would look unpaid, one finding each, for one cause). Books without coverage records,
    or a shop no channel pays: as_of."""
    names = payers(shop, config) if names is None else names
    if not cover.recorded or not names:  # no channel pays this shop: nothing to wait for
        return as_of
    # (a channel whose account ended, `until:`, with its statements to that day, pays
    # nothing after: no order waits for it)
    ends = [as_of if cover.ended(name) else cover.end(name) for name in names]
    return None if None in ends else min(ends)


def first_judged(shop, config, cover: Coverage, names: list[str] | None = None) -> dt.datetime | None:
    """The first moment an order's deadline can be judged: the latest start of the
    statements of the channels that may pay the shop (`names`, as horizon()): a payment
    may be in any; a statement read from its lines that starts a few quiet days after the
    books' first is taken to start with it (Coverage.of); one cut at the days of a zone of
    its own starts where its first day there does (Coverage.start_at: a Stripe report in
    UTC at 09:00 in Tokyo). None where all start before any order could. An order of a
    busy shop placed before it was paid in a statement not imported, or not at all: it
    waits (seed 31006 without the first of its two Stripe downloads: each was
    order-unpaid; blind16, an order of 06:40 in Tokyo, paid in June's UTC report)."""
    names = payers(shop, config) if names is None else names
    starts = [s for s in map(cover.start_at, names) if s is not None]
    return max(starts) if starts and cover.recorded else None


def _moment(entry) -> dt.datetime:
    """When an entry happened: its day at its `time:` (the statement's, in the books'
    zone), or the day's start where it says none."""
    try:
        at = dt.time.fromisoformat(str(entry.meta.get("time") or "00:00"))
    except ValueError:
        at = dt.time(0)
    return dt.datetime.combine(entry.date, at)


def _when(f: Finding, group: Group) -> dt.datetime:
    """The moment of a deadline's finding: that of the order or refund it is dated by
    (its entry: the finding's file and line), else the start of its day."""
    for item in group.orders + group.shop_refunds + group.payments + group.channel_refunds:
        meta = item.entry.meta
        if item.date == f.date and meta.get("lineno") == f.line and meta.get("filename") == f.file:
            return _moment(item.entry)
    return dt.datetime.combine(f.date, dt.time(0))


def _waiting(shop, config, cover: Coverage, judged_to: dt.date | None, held: list[Finding],
             judged_from: dt.datetime | None = None, early: list[Finding] = ()) -> Finding:
    """One statement-gap for the order deadlines the channels' statements cannot judge yet:
    one channel's statements absent, starting after the orders do (`early`, of `held`),
    or ending before."""
    names = payers(shop, config)
    absent = [name for name in names if cover.end(name) is None]
    said = []
    if judged_to is None:
        said.append(f"no statement of {', '.join(absent)}, which may pay this shop, is in the books" if absent else
                    "no statement of a channel that pays this shop is in the books")
    if early:
        late = [n for n in names if cover.start_at(n) == judged_from]
        # (their first day here, as the channel's own start gap says it: a report in UTC
        # starts on 1 July in New York, at 20:00 on 30 June)
        said.append(shop_starts(late, min(map(cover.start, late))))
        if judged_from.time() != dt.time(0):   # cut at the days of a zone of their own (Coverage.start_at)
            said.append(f"they hold {judged_from.date()} from {judged_from:%H:%M} on (their first day starts there in "
                        "the zone they are cut at): what was paid before then is in the statement before")
    if judged_to is not None and len(early) < len(held):
        said.append(f"{SHOP_WAITS}{judged_to}")
    end = cover.end(shop.name)
    named = absent if judged_to is None and absent else late if early else names   # the channels it speaks of
    which = "that channel" if len(named) == 1 else "those channels"
    command = fetch_command(cover, [n for n in names if cover.end(n) == judged_to], judged_to + DAY) \
        if judged_to is not None and len(early) < len(held) else ""
    return Finding("statement-gap", min(f.date for f in early) if early else judged_to or held[0].date, shop.name,
                   "", ZERO, "", f"{'; '.join(said)}; the {shop.name} orders go to {end}: {len(held)} order "
                   f"deadline(s) wait for the statements of {which}" + (f"; {command} asks for them"
                                                                              if command else ""),
                   tuple(dict.fromkeys(r for f in held for r in f.refs[:1])))
