"""`refund-unsynced` of a channel alone: the refunds naming a payment give back more than it took.

A channel cannot give back more than it took for one payment. Where the books hold a
payment and the refunds that name it give back more, the part beyond the payment has
no counterpart on the channel's side (DESIGN §5 `refund-unsynced`): a refund booked
twice, or one of another payment. A refund names its payment by `refund-of` (WeChat's
微信订单号, Alipay's 交易号, PayPal's Reference Txn ID, a Stripe payments export's
charge), or Stripe's `charge-id` (an itemized report's charge) or `source-id` (a
balance history export's); a payment is named by its `id`, its fund view's `trade-id`,
or Stripe's charge (`source-id`, `charge-id`).
Blind30: a WeChat payment of 60.00 refunded 40.00 and again 40.00 was booked silently,
only a refund-rate warning that did not name the cause:

    2026-11-02 * "Order WX02012"              ; id: "4200…0012"
      Income:Sales:WeChat   -60.00 CNY
    2026-11-03 * "Refund of order WX02012"    ; refund-of: "4200…0012"
      Income:Sales:WeChat    40.00 CNY
    2026-11-04 * "Refund of order WX02012"    ; refund-of: "4200…0012"
      Income:Sales:WeChat    40.00 CNY
    ; refund-unsynced 2026-11-04 wechat 20.00 CNY: payment 4200…0012 of 60.00 CNY was
    ;   refunded 80.00 CNY (…), 20.00 CNY more than it took

One finding per payment, whether or not a shop is configured: dated at the refund that
took the refunds beyond the payment, `amount` the excess, `refs` the payment's ids then
the refunds'. Read on the channel's sale side (orders.ChannelSales, fees apart), each
amount as orders.sold_or_refunded reads it: a failed refund given back is a refund less
(it names its payment, or the refund it undoes). Compared in the payment's currency: in
what the customer paid where the channel states it (`customer-amount`: a Stripe charge
of 50.00 EUR settled in USD and refunded at another rate gave back 50.00 EUR, not the
more dollars), else as booked; amounts in more than one currency are not compared. A
chargeback gives no sale back (it posts to the chargebacks account): not a refund here.
A refund whose payment is not in the books (a statement before it not imported) is not
judged here: nothing is known of what that payment took.

One cause, one finding: where the refunds give back a shop's order and the channels
refunded more of it than the shop did, the order check says so (orders.py
`refund-unsynced`, by the shop's `order_days`; Prepared.refunded_beyond_shop): nothing
is said here of that payment.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import _money, refs
from beanclear.checks.orders import sold_or_refunded
from beanclear.importers.order_refs import REFUND_FAILED
from beanclear.importers.stated import stated_amount

PAYMENT_IDS = ("id", "trade-id", "source-id", "charge-id")   # what names a payment (module docstring)
# what of a refund may name its payment, the first that names one in the books: a Stripe
# refund's `source-id` is its charge in a balance history export, its own `re_…` in an
# itemized report (which names the charge `charge-id`)
NAMES_PAYMENT = ("refund-of", "charge-id", "source-id")
ZERO = Decimal(0)


def _measured(entry, number: Decimal, currency: str) -> tuple[Decimal, str]:
    """A sale-side amount in what the customer paid, where the entry states it in another
    currency (`customer-amount`), its sign kept; else as booked."""
    stated = stated_amount(entry.meta.get("customer-amount"))
    if stated is not None and stated[1] != currency:
        return stated[0].copy_sign(number), stated[1]
    return number, currency


def _named(meta, name: str, paid: dict) -> str:
    """The payment in the books (`paid`) that a refund of channel `name` names, or ''."""
    return next((str(meta[k]) for k in NAMES_PAYMENT if meta.get(k) and (name, str(meta[k])) in paid), "")


def _moved(entry, side) -> tuple[list, list]:
    """(what the entry sold, what it refunded), each [(number, currency)] as measured
    (_measured) per currency of its sale-side postings, as orders.sold_or_refunded reads
    them (a failed refund given back: refunded negative)."""
    sold: dict[str, Decimal] = defaultdict(Decimal)
    back: dict[str, Decimal] = defaultdict(Decimal)
    for p in side:
        s, r = sold_or_refunded(entry, p.units.number)
        sold[p.units.currency] += s
        back[p.units.currency] += r
    return ([_measured(entry, n, c) for c, n in sold.items() if n],
            [_measured(entry, n, c) for c, n in back.items() if n])


def findings(config, sales, prepared=None) -> list[Finding]:
    """`sales`: (entry, channel, its sale-side postings) of every channel's transaction
    (refunds.channel_sales); `prepared`: the order check's groups (orders.Prepared), where
    the books have shops."""
    refunds: list[tuple] = []      # (entry, channel, [(refunded, currency)]): a failure's negative
    named_ids: dict[str, set[str]] = defaultdict(set)   # channel -> the ids a refund may name its payment by
    by_id: dict[tuple[str, str], list] = defaultdict(list)   # (channel, id or source-id) -> its refunds
    for entry, channel, side in sales:   # (every sale of the books: a loop, not a generator, per sale)
        for p in side:
            if p.units.number > 0:
                break
        else:
            if REFUND_FAILED not in entry.meta:
                continue   # no refund, nor a failed one given back (which posts a credit)
        _, back = _moved(entry, side)
        if not back:
            continue
        refunds.append((entry, channel, back))
        meta = entry.meta
        named_ids[channel.name].update(str(meta[k]) for k in NAMES_PAYMENT if meta.get(k))
        for key in ("id", "source-id"):   # how a failure names the refund it undoes
            if meta.get(key):
                by_id[(channel.name, str(meta[key]))].append(entry)
    if not refunds:
        return []
    # the payments the refunds may name, only: a refund names one payment in many
    paid: dict[tuple[str, str], dict[int, tuple]] = defaultdict(dict)   # (channel, id) -> {id(entry): its payment}
    for entry, channel, side in sales:   # (every sale of the books: the cheap test first)
        named = named_ids.get(channel.name)
        if not named:
            continue
        meta = entry.meta
        keys = [(channel.name, i) for k in PAYMENT_IDS if (i := meta.get(k)) and (i := str(i)) in named]
        if keys:
            sold, _ = _moved(entry, side)
            for key in keys:
                for i, (number, currency) in enumerate(sold):
                    paid[key][(id(entry), i)] = (entry, number, currency)
    of_payment: dict[tuple[str, str], list] = defaultdict(list)
    for entry, channel, back in refunds:
        named = _named(entry.meta, channel.name, paid)
        if not named and REFUND_FAILED in entry.meta:   # a failure naming the refund it undoes: its payment
            undone = by_id.get((channel.name, str(entry.meta.get(REFUND_FAILED) or "")), ())
            named = next(filter(None, (_named(e.meta, channel.name, paid) for e in undone)), "")
        if named:   # (else its payment is not in the books: not judged here)
            of_payment[(channel.name, named)] += [(entry, number, currency) for number, currency in back]
    out = []
    for (name, payment), back in sorted(of_payment.items()):
        payments = list(paid[(name, payment)].values())
        currencies = {c for _, _, c in payments} | {c for _, _, c in back}
        if len(currencies) != 1:
            continue   # not comparable (module docstring)
        took = sum((n for _, n, _ in payments), ZERO)
        back.sort(key=lambda b: (b[0].date, str(b[0].meta.get("time", "")), str(b[0].meta.get("id", ""))))
        given, beyond = ZERO, None
        for entry, number, _ in back:
            was, given = given, given + number
            if was <= took < given:
                beyond = entry   # the refund that went beyond it (the last time one did)
        if given <= took:
            continue
        beyond = beyond or back[-1][0]   # (a payment taken back whole before its refunds: none crossed it)
        if prepared is not None and any(prepared.refunded_beyond_shop(e) for e, _, _ in back):
            continue   # the order check's refund-unsynced says it (module docstring)
        (currency,) = currencies
        channel = config.channels[name]
        shown = ", ".join(f"{e.meta.get('id', '')} {_money(n)} on {e.date}".strip() for e, n, _ in back)
        first = min(e.date for e, _, _ in payments)
        out.append(Finding(
            "refund-unsynced", beyond.date, name, channel.accounts.sales, given - took, currency,
            f"payment {payment} of {_money(took)} {currency} on {first} was refunded {_money(given)} {currency} "
            f"({shown}), {_money(given - took)} {currency} more than it took: a refund booked twice, or one "
            "of another payment",
            tuple(dict.fromkeys((payment, *refs([e for e, _, _ in payments]), *refs([e for e, _, _ in back])))),
            expected=took, actual=given, **at_entry(beyond)))
    return out
