"""The WeChat-side problems that are not about one order: fees above the contract, and
one day on which a batch of large orders is refunded (a refund-rate episode whose
first day is a surge)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from beanclear.demo.common import CENT, Problem, Quarter
from beanclear.demo.shop import plain
from beanclear.demo.wechat import Till

OVERCHARGE = Decimal("0.01")          # 1.00 % charged where the contract says 0.6 %
REFUND_DAY = dt.date(2026, 1, 27)     # a bad batch of gift boxes comes back


def overcharge(rng: random.Random, q: Quarter, day: dt.date = dt.date(2026, 2, 5), count: int = 3) -> None:
    """A few payments of one day charged 1 % (the 费率 column still says the contract's)."""
    for t in rng.sample([t for t in plain(q, day, day) if t.settled >= 100], count):
        q.touched.add(t.order_no)
        t.fee = (t.settled * OVERCHARGE).quantize(CENT, ROUND_HALF_UP)
        q.problems.append(Problem("fee-gap", day, (t.trade_id,), f"fee {t.fee} on {t.settled}, above the 0.6% contract"))


def refund_batch(rng: random.Random, q: Quarter, till: Till, day: dt.date = REFUND_DAY) -> None:
    """The largest orders of the four days before `day` refunded in full on it, until
    the week's refunds pass 15 % of its sales (the limit is 10 %)."""
    week = [day - dt.timedelta(n) for n in range(7)]
    sold = sum(t.settled for t in q.trades if not t.refund_id and t.time.date() in week)
    refunded = sum(t.refunded for t in q.trades if t.refund_id and t.time.date() in week)
    candidates = sorted(plain(q, day - dt.timedelta(4), day - dt.timedelta(1)), key=lambda t: (-t.settled, t.trade_id))
    batch = []
    for paid in candidates:
        if refunded > sold * Decimal("0.15"):
            break
        q.touched.add(paid.order_no)
        when = dt.datetime.combine(day, dt.time(10)) + dt.timedelta(seconds=rng.randrange(8 * 3600))
        batch.append(till.refund(paid, when, full=True))
        refunded += batch[-1].refunded
    q.trades += batch
    first = min(batch, key=lambda t: t.time)
    what = f"{len(batch)} orders refunded on {day}, {sum(t.refunded for t in batch)} in all"
    q.problems.append(Problem("refund-rate", day, (first.refund_id,), what + ": over 10% of the week's sales"))
    q.problems.append(Problem("refund-surge", day, (first.refund_id,), what + ": far above the usual day"))
