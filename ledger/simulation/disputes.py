"""Disputes: card payments the customer's bank took back, some given back when the merchant won.

A Stripe or PayPal channel of some merchants has a few. Drawn from a stream of their own
(`random.Random(seed * 104729 + 5)`), after the problems are injected and before the
payouts, so a merchant without disputes is the merchant it was, and one with them differs
only where their money goes out:

- Stripe (FORMATS §5a/§5c): a `dispute` balance transaction some days after the charge,
  the amount (for a charge paid in EUR, its EUR at the rate of the dispute's day) and a
  15.00 dispute fee; a `dispute_reversal` when won gives the amount back, and the fee
  too for merchants whose Stripe returns it (the others: fee 0.00).
- PayPal (FORMATS §6a): a `Chargeback` row of the payment's gross and a `Chargeback Fee`
  row (20.00 USD, 18.00 EUR); a `Chargeback Reversal` of the gross when won, the fee kept.
  In EUR, from a USD balance, each with its conversion pair, as an EUR refund has one.

Both are taken from the balance at once, so the next payout (that evening's) pays them:
`settles` is the day whose T+N payout that is. A disputed payment is one no problem names
and nothing refunded; the last days stay free of them (a channel that stops paying out
there leaves its days unsettled, and a dispute it never paid out would change which).
The shop's order export knows nothing of a dispute. No dispute is a problem: the money is
lost (or given back), booked, and every clearing account still comes back to zero.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from .model import Dispute, money

SHARE = 0.4                     # of the Stripe and PayPal channels, those with disputes
STRIPE_FEE = Decimal("15.00")
PAYPAL_FEE = {"USD": Decimal("20.00"), "EUR": Decimal("18.00")}
WON = 0.4
QUIET_END = 4                   # the last days without a dispute or reversal


def draw(m) -> None:
    from .truth import Ids, _local
    rng = random.Random(m.shape.seed * 104729 + 5)
    ids = Ids(rng)
    named = {str(r) for p in m.problems for r in p.refs}
    objs = {id(o) for p in m.problems for o in p.objs}
    refunded = {id(r.payment) for r in m.refunds}
    last = m.shape.end - timedelta(days=QUIET_END)
    for ch in m.shape.channels:
        if ch.type not in ("stripe", "paypal") or rng.random() >= SHARE:
            continue
        fee_back = rng.random() < 0.5       # stripe: a won dispute's fee returned
        pool = [p for p in m.payments if p.channel == ch.name and id(p) not in refunded and id(p) not in objs
                and p.id not in named and p.dt.date() + timedelta(days=3) <= last]
        for p in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            day = p.dt.date() + timedelta(days=rng.randint(3, 12))
            if day > last:
                continue
            d = _taken(m, ch, p, _local(day, rng), ids)
            m.disputes.append(d)
            back = day + timedelta(days=rng.randint(4, 12))
            if rng.random() < WON and back <= last:
                m.disputes.append(_given_back(m, ch, d, _local(back, rng), ids, fee_back))


def _rate(m, dt, skew: str) -> Decimal:
    return (m.rates[dt.date()] * Decimal(skew)).quantize(Decimal("0.000001"))


def _settles(ch, dt):
    return dt.date() - timedelta(days=ch.settlement_days)


def _taken(m, ch, p, dt, ids) -> Dispute:
    if ch.type == "stripe":
        pres = p.pres_amount if p.pres_currency != p.currency else None
        amount = money(pres * _rate(m, dt, "0.999")) if pres is not None else p.gross
        return Dispute(ch.name, "txn_" + ids.alnum(24), p, dt, -amount, STRIPE_FEE, source_id="dp_" + ids.alnum(24),
                       pres_amount=-pres if pres is not None else None, settles=_settles(ch, dt))
    fee = PAYPAL_FEE[p.currency]
    d = Dispute(ch.name, ids.payment("paypal", dt), p, dt, -p.gross, fee, fee_id=ids.payment("paypal", dt),
                settles=_settles(ch, dt))
    if p.conv:      # the EUR taken, and its fee, bought with USD
        bought = _rate(m, dt, "1.001")
        d.conv = (ids.payment("paypal", dt), ids.payment("paypal", dt), -money(p.gross * bought))
        d.fee_conv = (ids.payment("paypal", dt), ids.payment("paypal", dt), -money(fee * bought))
    return d


def _given_back(m, ch, d, dt, ids, fee_back: bool) -> Dispute:
    p = d.payment
    if ch.type == "stripe":
        pres = -d.pres_amount if d.pres_amount is not None else None
        amount = money(pres * _rate(m, dt, "0.999")) if pres is not None else -d.amount
        return Dispute(ch.name, "txn_" + ids.alnum(24), p, dt, amount, -d.fee if fee_back else Decimal("0"),
                       won=True, source_id=d.source_id, pres_amount=pres, settles=_settles(ch, dt))
    back = Dispute(ch.name, ids.payment("paypal", dt), p, dt, -d.amount, Decimal("0"), won=True,
                   settles=_settles(ch, dt))
    if p.conv:      # the EUR given back, sold for USD
        back.conv = (ids.payment("paypal", dt), ids.payment("paypal", dt), money(back.amount * _rate(m, dt, "0.999")))
    return back
