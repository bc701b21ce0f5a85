"""The shop whose orders the WeChat payments pay: a Shopify orders export of the quarter.

Every WeChat payment pays one order, named in its 商户订单号 as `<order number>-<attempt>`
(the channel's `order_pattern` takes the number); the export has one row per line item,
the order's own columns on its first row (importers/shopify_orders.py), and the refunds
WeChat made as each order's Refunded Amount. With problems, `inject` breaks the match
between the two sides in the five ways importers/../orders.py reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beanclear.demo.common import ZERO, Problem, Quarter
from beanclear.demo.wechat import Till, Trade

HEADER = ("Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Total", "Refunded Amount",
          "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price")
EXTRA_ITEM = ("桂花糕", 1, Decimal("18.00"))   # on an order whose payment the till rang up without it


def plain(q: Quarter, first: dt.date, last: dt.date) -> list[Trade]:
    """Payments between two days that nothing else touches: no refund, no problem yet."""
    refunded = {t.order_no for t in q.trades if t.refund_id}
    return [t for t in q.trades if not t.refund_id and first <= t.time.date() <= last
            and t.order_no not in refunded and t.order_no not in q.touched]


def inject(rng: random.Random, q: Quarter, till: Till) -> None:
    """The order problems: one of each, each on a payment of its own."""
    def pick(first: tuple[int, int], last: tuple[int, int]) -> Trade:
        t = rng.choice(plain(q, dt.date(2026, *first), dt.date(2026, *last)))
        q.touched.add(t.order_no)
        return t

    # 支付中断: the shop took the order as paid, WeChat has nothing. (An order the export
    # says `pending` is not booked at all: it took no money yet.)
    unpaid = pick((1, 12), (1, 20))
    q.trades.remove(unpaid)
    q.unpaid.append(unpaid)
    q.problems.append(Problem("order-unpaid", unpaid.time.date(), (f"#{unpaid.order_no}",),
                              f"order #{unpaid.order_no} of {unpaid.ordered} paid in the shop, never on WeChat"))
    lost = pick((2, 2), (2, 10))          # the shop's export lost the order
    q.unexported.add(lost.order_no)
    q.problems.append(Problem("payment-without-order", lost.time.date(), (lost.trade_id,),
                              f"payment of {lost.ordered} names order #{lost.order_no}, not in the export"))
    short = pick((2, 12), (2, 20))        # the till missed an item the order holds
    q.extra_items[short.order_no] = EXTRA_ITEM
    q.problems.append(Problem("amount-mismatch", short.time.date(), (f"#{short.order_no}", short.trade_id),
                              f"order #{short.order_no} is {EXTRA_ITEM[2]} more than its payment"))
    twice = pick((2, 24), (3, 4))         # paid again after a timeout: a second attempt
    n = till.next()
    again = Trade(twice.time + dt.timedelta(seconds=rng.randrange(40, 90)),
                  f"420000{rng.randrange(10**4):04d}{twice.time:%Y%m%d}{n:010d}", f"{twice.order_no}-2",
                  rng.choice(till.payers), twice.kind, twice.bank, twice.item, twice.ordered, twice.coupon,
                  twice.fee, order_no=twice.order_no, lines=twice.lines)
    q.trades.insert(q.trades.index(twice) + 1, again)
    q.problems.append(Problem("duplicate-charge", twice.time.date(), (f"#{twice.order_no}", again.trade_id),
                              f"order #{twice.order_no} paid twice"))
    kept = pick((3, 6), (3, 14))          # refunded in the shop, never on WeChat
    q.shop_refunds[kept.order_no] = kept.ordered
    q.problems.append(Problem("refund-unsynced", kept.time.date(), (f"#{kept.order_no}",),
                              f"order #{kept.order_no} refunded in the shop only"))


def write(path: Path, q: Quarter) -> int:
    """The export, orders by number; returns its rows (one per line item)."""
    refunded: dict[int, Decimal] = defaultdict(lambda: ZERO, q.shop_refunds)
    paid: dict[int, Trade] = {}
    for t in q.trades:
        if t.refund_id:
            refunded[t.order_no] += t.refunded
        else:
            paid.setdefault(t.order_no, t)
    orders = sorted([t for n, t in paid.items() if n not in q.unexported] + q.unpaid, key=lambda t: t.order_no)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        for t in orders:
            lines = list(t.lines) + ([q.extra_items[t.order_no]] if t.order_no in q.extra_items else [])
            total = sum((qty * price for _, qty, price in lines), ZERO)
            back = refunded[t.order_no]
            status = "refunded" if back == total else "partially_refunded" if back else "paid"
            # The order is placed a little before the customer pays it, on the shop's clock (UTC+8).
            created = t.time - dt.timedelta(seconds=30 + t.order_no % 240)
            first = [f"#{t.order_no}", f"guest{t.order_no}@example.cn", status,
                     f"{t.time:%Y-%m-%d %H:%M:%S} +0800", "CNY", f"{total:.2f}",
                     f"{total:.2f}", f"{back:.2f}", f"{created:%Y-%m-%d %H:%M:%S} +0800"]
            for i, (name, qty, price) in enumerate(lines):
                out.writerow((first if i == 0 else [f"#{t.order_no}"] + [""] * 8) + [str(qty), name, f"{price:.2f}"])
                count += 1
    return count
