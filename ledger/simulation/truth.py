"""The merchant's life as the truth: orders, payments, refunds, payouts, bank lines, problems.

`build(shape, clean)` lives the period day by day, then injects problems at random places
and records each one as {code, source, date, refs}. Payouts and bank credits are drawn last,
from what the channels really hold, so every statement agrees with every other one except
where a problem was injected. The refund-rate truth is measured, not injected: a run of 7-day
windows of a channel whose refunds exceed 10 % of its sales is one problem, with the runs
after it that share a refund with it (DESIGN §5: one cause, one finding). A
refund surge is injected, and measured too: a day the documented rule flags is one, injected
or not (ordinary refunds can make one on a quiet channel).
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .model import CENT, BankLine, Order, Payment, Payout, PayoutReturn, Problem, Refund, money
from .shape import MARKETPLACES, Shape

RATE_MAX = Decimal("0.10")      # refund-rate limit the config states
RATE_DAYS = 7
# The refund-surge rule with the defaults beanclear documents (checks/refunds.py; the config
# the simulation writes leaves them): at least 3 refunds, more than 3 times the usual count and
# amount a day over the previous 28 days, 100 above that amount, after at least 7 days.
SURGE_LEAST, SURGE_FACTOR, SURGE_DAYS, SURGE_FLOOR, SURGE_HISTORY = 3, 3, 28, Decimal("100"), 7
NORMAL_RATE_CAP = Decimal("0.05")
PAYEES = {
    "wechat": ("财付通支付科技有限公司", ["微信支付提现", "财付通提现"]),
    "alipay": ("支付宝（中国）网络技术有限公司", ["支付宝提现", "支付宝（中国）网络技术有限公司提现"]),
    "stripe": ("STRIPE", ["STRIPE TRANSFER", "STRIPE PAYOUT"]),
    "paypal": ("PAYPAL", ["PAYPAL TRANSFER", "PAYPAL INST XFER"]),
}
ITEMS = ["Longjing tea 250g", "Pu'er cake", "Jasmine pearls", "Tea set", "Oolong 100g", "Gift box"]


@dataclass
class Merchant:
    shape: Shape
    rates: dict = field(default_factory=dict)          # date -> EUR/USD reference
    orders: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    refunds: list = field(default_factory=list)
    payouts: list = field(default_factory=list)
    payout_returns: list = field(default_factory=list)
    disputes: list = field(default_factory=list)       # chargebacks, and those given back (disputes.py)
    missing_bill: dict = field(default_factory=dict)   # channel -> the day whose bill never came
    cut_credits: dict = field(default_factory=dict)    # bank -> payouts overdue that its statements end before
    bank_lines: dict = field(default_factory=dict)     # bank -> [BankLine]
    bank_end: dict = field(default_factory=dict)       # bank -> last day its statement covers
    split_payout: dict = field(default_factory=dict)   # bank -> the payout it credits in two lines (None: none)
    bank_hole: dict = field(default_factory=dict)      # bank -> (first, last) day no statement covers
    problems: list = field(default_factory=list)
    orders_by_ref: dict = field(default_factory=dict, repr=False)   # order_of()'s index: ref -> first order
    orders_indexed: int = 0                                         # how many of `orders` it holds

    def days(self):
        return [self.shape.start + timedelta(days=i) for i in range(self.shape.days)]


class Ids:
    def __init__(self, rng):
        self.rng, self.n = rng, 0

    def digits(self, k):
        return "".join(self.rng.choice(string.digits) for _ in range(k))

    def alnum(self, k, chars=string.ascii_letters + string.digits):
        return "".join(self.rng.choice(chars) for _ in range(k))

    def payment(self, ch, dt):
        return {"wechat": lambda: "4200" + self.digits(24),
                "alipay": lambda: dt.strftime("%Y%m%d") + "2200" + self.digits(16),
                "stripe": lambda: "txn_" + self.alnum(24),
                "paypal": lambda: self.alnum(17, string.ascii_uppercase + string.digits)}[ch]()

    def refund(self, ch, dt):
        return {"wechat": lambda: "503" + self.digits(26), "alipay": lambda: "RF" + dt.strftime("%Y%m%d") + self.digits(10),
                "stripe": lambda: "txn_" + self.alnum(24),
                "paypal": lambda: self.alnum(17, string.ascii_uppercase + string.digits)}[ch]()

    def payout(self, ch, dt):
        return {"wechat": lambda: "1000" + dt.strftime("%Y%m%d") + self.digits(16),
                "alipay": lambda: dt.strftime("%Y%m%d") + "3000" + self.digits(16),
                "stripe": lambda: "po_" + self.alnum(24),
                "paypal": lambda: self.alnum(17, string.ascii_uppercase + string.digits)}[ch]()


def fee_of(ch, gross: Decimal, currency: str = "") -> Decimal:
    """The contract's fee: its rule for the payment's currency where it has one."""
    rate, fixed = ch.eur_fee if currency == "EUR" and ch.eur_fee else (ch.rate, ch.fixed)
    return max(money(gross * rate + fixed), ch.min)


def build(shape: Shape, clean: bool = False) -> Merchant:
    rng = random.Random(shape.seed * 7919 + 17)
    ids = Ids(rng)
    m = Merchant(shape)
    rate = Decimal("1.0800")
    for d in m.days():
        rate = (rate * (1 + Decimal(rng.randint(-30, 30)) / 10000)).quantize(Decimal("0.000001"))
        m.rates[d] = rate
    _orders_and_payments(m, rng, ids)
    _marketplace_orders(m)
    _normal_refunds(m, rng, ids)
    inject = {} if clean else _injections(m, rng, ids)
    from .disputes import draw as _disputes   # no problem: drawn in a clean merchant too
    _disputes(m)
    _payouts(m, rng, ids, inject)
    _banks(m, rng, ids, inject)
    if not clean:
        _refund_rate_truth(m)
    _refund_surge_truth(m)
    _unstated_conversions(m)
    if not clean:
        _missing_bill(m, rng)
    return m


def _unstated_conversions(m) -> None:
    """Stripe's API balance transactions without their sources state a conversion's rate
    but not the currency the customer paid: its rates cannot be judged, one statement-gap
    of the channel says so (a consequence of the files' shape: in a clean merchant too)."""
    from .writers import stripe as stripe_files
    seed = m.shape.seed
    if stripe_files.statement_format(seed) != "api" or stripe_files.expands_sources(seed):
        return
    for ch in (c for c in m.shape.channels if c.type == "stripe"):   # each account's statements say so
        days = [x.dt.date() for x in (*m.payments, *m.refunds, *m.disputes) if x.channel == ch.name
                and (x.pres_currency != x.currency if isinstance(x, Payment) else x.pres_amount is not None)]
        if days:
            m.problems.append(Problem("statement-gap", ch.name, min(days), [], window=(m.shape.start, m.shape.end)))


def _missing_bill(m, rng) -> None:
    """A channel whose bills come a file a day misses one (a fetch that never came): one
    statement-gap. Its rows are in no books; the day is one whose absence explains
    nothing else: no problem of the channel, its bank or a shop within a week of it.
    Refunds in it (of payments of days before) and refunds later of its payments are
    what follows from the missing rows, not problems of their own."""
    for ch in m.shape.channels:
        if not ch.daily:
            continue
        near = {ch.name, ch.bank, *(s.name for s in m.shape.shops)}
        busy = [p.date for p in m.problems if p.source in near or near & set(p.sources)]
        busy += m.bank_hole.get(ch.bank, ())   # a hole's last day too: its credits are in no statement
        # a refund the channel never made of an order it was paid for could be in the
        # missing rows of any later day: not one of them
        unsynced = [p.date for p in m.problems if p.code == "refund-unsynced" and p.note == "shop only"
                    and any(getattr(o, "channel", None) == ch.name for o in p.objs)]
        days = [p.dt.date() for p in m.payments if p.channel == ch.name]
        if "trade" in ch.views:   # the trade bill shows the day's sales: only a withdrawal is the fund bill's alone
            days = [po.dt.date() for po in m.payouts if po.channel == ch.name]
        days = sorted({d for d in days if m.shape.start + timedelta(days=3) <= d <= m.shape.end - timedelta(days=6)
                       and all(abs((d - b).days) > 7 for b in busy) and all(d < u for u in unsynced)})
        if days:
            day = rng.choice(days)
            m.missing_bill[ch.name] = day
            m.problems.append(Problem("statement-gap", ch.name, day, [], window=(day - timedelta(days=1),
                                                                                   day + timedelta(days=1))))


def _local(d: date, rng, lo=8, hi=21) -> datetime:
    return datetime.combine(d, time(rng.randint(lo, hi), rng.randint(0, 59), rng.randint(0, 59)))


def exists(m, dt: datetime) -> bool:
    """Whether a wall-clock time is one the merchant's clocks show (not in the hour skipped
    when daylight saving time begins)."""
    zone = ZoneInfo(m.shape.timezone)
    return dt.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) == dt


def _order_time(m, d: date, rng) -> datetime:
    """When an order is placed. A US web shop sells around the clock (its EUR customers in
    Europe's day): some just after midnight, which another zone, or the offset of the
    other side of a clock change, puts on the day before. Not at 1 or 2 on the day the
    clocks skip 2 to 3, so that its payment minutes later is at a time that exists."""
    if m.shape.currency != "USD":
        return _local(d, rng)
    dt = _local(d, rng, 0)
    return dt if dt.hour not in (1, 2) or exists(m, dt.replace(hour=2)) else dt + timedelta(hours=2)


def make_payment(m, ch, dt, amount, cur, order_ref, title, ids, rate_skew=Decimal("0.999")):
    if cur == "EUR":
        applied = (m.rates[dt.date()] * rate_skew).quantize(Decimal("0.000001"))
        if ch.type == "stripe":
            gross = money(amount * applied)
            p = Payment(ch.name, ids.payment(ch.type, dt), order_ref, dt, gross, fee_of(ch, gross), "USD",
                        amount, "EUR", title, rate=applied)
        else:  # paypal: the payment in EUR, converted to USD at once by a General Currency Conversion pair
            p = Payment(ch.name, ids.payment(ch.type, dt), order_ref, dt, amount, fee_of(ch, amount, "EUR"), "EUR",
                        amount, "EUR", title, rate=applied)
            p.conv = (ids.payment("paypal", dt), ids.payment("paypal", dt), money(p.net * applied))
    else:
        p = Payment(ch.name, ids.payment(ch.type, dt), order_ref, dt, amount, fee_of(ch, amount), cur,
                    amount, cur, title)
    if ch.type == "stripe":
        p.charge_id = ("py_" if rng_bit(ids) else "ch_") + ids.alnum(24)
    return p


def rng_bit(ids):
    return ids.rng.random() < 0.5


def _orders_and_payments(m, rng, ids):
    shape = m.shape
    seq = defaultdict(lambda: 1000)
    for d in m.days():
        for _ in range(shape.orders_per_day):
            ch = rng.choice(shape.channels)
            cur = "EUR" if ch.eur and rng.random() < 0.35 else ch.currency
            lo, hi = (30, 600) if cur == "CNY" else (8, 120)
            items = [(rng.choice(ITEMS), rng.randint(1, 3), money(Decimal(rng.randint(lo * 100, hi * 100)) / 300))
                     for _ in range(rng.randint(1, 3))]
            shipping = money(rng.choice([0, 0, 10, 12]) if cur == "CNY" else rng.choice([0, 0, 5]))
            amount = sum((q * p for _, q, p in items), Decimal("0")) + shipping
            dt = _order_time(m, d, rng)
            title = items[0][0]
            shops = [s for s in shape.shops if s.type not in MARKETPLACES]
            if any(s.type == "taobao" for s in shops):   # Alipay pays the Taobao store, the others the rest
                shops = [s for s in shops if (s.type == "taobao") == (ch is shape.taobao_channel())]
            if shops:
                shop = rng.choice(shops)
                seq[shop.name] += 1
                if shop.type == "shopify":
                    oid, ref = f"#{shop.prefix}{seq[shop.name]}", f"{shop.prefix}{seq[shop.name]}"
                elif shop.type == "taobao":   # Alipay names it T200P<order number> (FORMATS §8b)
                    oid = f"3{d:%Y%m%d}{seq[shop.name]:010d}"
                    ref = "T200P" + oid
                else:
                    oid = ref = f"W{d:%Y%m%d}{seq[shop.name]:05d}"
                o = Order(shop.name, oid, ref, dt, amount, cur, items, shipping, ch.name)
                m.orders.append(o)
                if rng.random() < 0.03:         # voided / cancelled before payment: moved no money
                    o.status = "voided"
                    continue
            else:
                ref = f"T{d:%Y%m%d}{ids.digits(8)}"
            pdt = dt + timedelta(minutes=rng.randint(1, 20))
            if pdt.date() != d:
                pdt = datetime.combine(d, time(23, 59, 0))
            m.payments.append(make_payment(m, ch, pdt, amount, cur, ref, title, ids))


def _marketplace_orders(m) -> None:
    """The orders of a marketplace store (shape.MARKETPLACES): its own settlement collects
    them, so no statement here pays them; one cause, said once: a statement-gap of the
    shop from its first unpaid order on. Some cancelled before payment, some refunded in
    full (a refund the marketplace gives back itself). A stream of its own."""
    for shop in (s for s in m.shape.shops if s.type in MARKETPLACES):
        rng = random.Random(f"marketplace orders {m.shape.seed} {shop.name}")
        first = None
        for d in m.days():
            for _ in range(rng.randint(2, 5)):
                items = [(rng.choice(ITEMS), rng.randint(1, 2), money(Decimal(rng.randint(3000, 30000)) / 300))
                         for _ in range(rng.randint(1, 2))]
                amount = sum((q * p for _, q, p in items), Decimal("0"))
                oid = {"pinduoduo": f"{d:%y%m%d}-{rng.randint(10**14, 10**15 - 1)}",
                       "douyin": str(rng.randint(10**18, 10**19 - 1)),
                       "jd": str(rng.randint(10**11, 10**12 - 1))}[shop.type]
                o = Order(shop.name, oid, oid, _local(d, rng), amount, "CNY", items, Decimal("0"), "")
                roll = rng.random()
                if roll < 0.05:
                    o.status = "voided"
                elif roll < 0.10:
                    o.refunded = amount
                elif first is None or o.dt.date() < first:
                    first = o.dt.date()
                m.orders.append(o)
        if first is not None:
            m.problems.append(Problem("statement-gap", shop.name, first, [], window=(m.shape.start, m.shape.end),
                                      note="a marketplace's orders: no statement here pays them"))


def _refundable(m, p, refunded: set | None = None):
    """Refunded once (here: a second refund in part is made by its caller). `refunded` (ids
    of the refunded payments), where the caller keeps it, saves a pass over every refund."""
    return id(p) not in refunded if refunded is not None else not any(r.payment is p for r in m.refunds)


def add_refund(m, ids, p, dt, amount, shop_too=True):
    """A refund of `amount` (in the payment's currency) of `p`. A Stripe charge the customer
    paid in EUR is refunded in EUR, its share of what they paid, and settled in USD at the
    rate of the refund's day: not the USD the charge brought in. A PayPal payment in EUR,
    converted to USD on arrival, is refunded in EUR bought back with USD at PayPal's rate
    of that day (a conversion pair of its own)."""
    ch = m.shape.channel(p.channel)
    if not exists(m, dt):   # hours after a payment, into the hour the clocks skip: as they read
        dt += timedelta(hours=1)
    fee_back = money(p.fee * amount / p.gross) if ch.type in ("wechat", "alipay") else Decimal("0")
    pres = None
    if p.pres_currency != p.currency:
        pres = p.pres_amount if amount == p.gross else money(p.pres_amount * amount / p.gross)
        amount = money(pres * (m.rates[dt.date()] * Decimal("0.999")).quantize(Decimal("0.000001")))
    r = Refund(p.channel, ids.refund(ch.type, dt), p, dt, amount, fee_back,
               request_no=("RF" + p.order_ref + ids.digits(4)), source_id="re_" + ids.alnum(24),
               pres_amount=pres, pres_currency=p.pres_currency if pres is not None else "")
    if p.conv:
        bought = (m.rates[dt.date()] * Decimal("1.001")).quantize(Decimal("0.000001"))
        r.conv = (ids.payment(ch.type, dt), ids.payment(ch.type, dt), money(r.net * bought))
    m.refunds.append(r)
    if shop_too:
        o = order_of(m, p)
        if o:
            r.shop_refunded = amount if pres is None else pres
            o.refunded += r.shop_refunded
    return r


def order_of(m, p):
    """The first order of `p`'s order reference, by an index of the orders (a scan of every
    order per refund made a year of a large merchant quadratic); orders are only appended."""
    for o in m.orders[m.orders_indexed:]:
        m.orders_by_ref.setdefault(o.ref, o)
    m.orders_indexed = len(m.orders)
    return m.orders_by_ref.get(p.order_ref)


def _normal_refunds(m, rng, ids):
    end = m.shape.end
    per_day = set()
    refunded = {id(r.payment) for r in m.refunds}
    ratios = _Ratios(m)
    for p in list(m.payments):
        if rng.random() < 0.015 and _refundable(m, p, refunded) \
                and p.dt.date() >= m.shape.start + timedelta(days=RATE_DAYS):
            # refunded when the customer asks, the same day or up to ten days on (a refund in
            # another day's statement than its payment); before that day's end-of-day payout
            # (_payouts nets a refund the balance cannot carry)
            later = p.dt + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 7, 10)), hours=rng.randint(1, 3))
            dt = min(later, datetime.combine(later.date(), time(22, 40)))
            if dt.date() > end:
                continue
            # a third in part (an item of the order sent back), some of those twice
            amount = p.gross if rng.random() < 0.65 else max(money(p.gross * rng.randint(10, 90) / 100), CENT)
            if not _ordinary_refund(m, ids, p, dt, amount, ratios, per_day):
                continue
            refunded.add(id(p))
            rest, again = p.gross - amount, dt + timedelta(days=rng.randint(1, 4))
            if rest > 0 and rng.random() < 0.3 and again.date() <= end:
                _ordinary_refund(m, ids, p, again, max(money(rest * rng.randint(20, 100) / 100), CENT), ratios,
                                 per_day)


def _ordinary_refund(m, ids, p, dt, amount, ratios, per_day) -> bool:
    """A refund of `amount` of `p` at `dt`, kept where the channel refunds nothing else
    that day and its refund rate stays well under the limit (no refund-rate problem,
    no surge, from ordinary refunds)."""
    if (p.channel, dt.date()) in per_day:
        return False
    r = add_refund(m, ids, p, dt, amount)
    ratios.add(r, 1)
    if ratios.worst(p.channel) > NORMAL_RATE_CAP:
        m.refunds.remove(r)
        ratios.add(r, -1)
        order = order_of(m, p)
        if order:
            order.refunded -= r.pres_amount if r.pres_amount is not None else r.amount
        return False
    per_day.add((p.channel, dt.date()))
    return True


class _Ratios:
    """The ratios of _windows for every channel and currency, kept as refunds come and go:
    one refund changes only the seven windows that hold its day (computing every window
    again per refund made a year of a large merchant quadratic)."""

    def __init__(self, m):
        self.days = m.days()
        self.at = {d: i for i, d in enumerate(self.days)}
        self.sales, self.refunds, self.ratios = {}, {}, {}
        for channel in {p.channel for p in m.payments}:
            for currency in _currencies(m, channel):
                key = (channel, currency)
                self.sales[key], self.refunds[key] = _daily(m, channel, currency)
                self.ratios[key] = [_ratio(self.days[i:i + RATE_DAYS], self.sales[key], self.refunds[key])
                                    for i in range(len(self.days) - RATE_DAYS + 1)]

    def add(self, refund, sign: int) -> None:
        key, day = (refund.channel, refund.payment.currency), refund.dt.date()
        self.refunds[key][day] += sign * refund.amount
        at, ratios = self.at.get(day), self.ratios[key]
        if at is None:
            return
        for i in range(max(0, at - RATE_DAYS + 1), min(at, len(ratios) - 1) + 1):
            ratios[i] = _ratio(self.days[i:i + RATE_DAYS], self.sales[key], self.refunds[key])

    def worst(self, channel) -> Decimal:
        return max((r for (c, _), ratios in self.ratios.items() if c == channel for r in ratios), default=Decimal("0"))


def _daily(m, channel, currency) -> tuple[dict, dict]:
    """The channel's sales and refunds in one currency, by day."""
    sales, refunds = defaultdict(Decimal), defaultdict(Decimal)
    for p in m.payments:
        if p.channel == channel and p.currency == currency:
            sales[p.dt.date()] += p.gross
    for r in m.refunds:
        if r.channel == channel and r.payment.currency == currency:
            refunds[r.dt.date()] += r.amount
    return sales, refunds


def _ratio(window, sales, refunds) -> Decimal:
    s = sum(sales[d] for d in window)
    return (sum(refunds[d] for d in window) / s) if s else Decimal("0")


def _windows(m, channel, currency):
    """(first day, ratio) of every 7-day window of the channel's refunds over its sales in one currency."""
    sales, refunds = _daily(m, channel, currency)
    days = m.days()
    return [(days[i], _ratio(days[i:i + RATE_DAYS], sales, refunds)) for i in range(len(days) - RATE_DAYS + 1)]


def _currencies(m, channel):
    return sorted({p.currency for p in m.payments if p.channel == channel})


def _refund_rate_truth(m):
    """A run of windows above the limit is one problem, and so are the runs after it whose
    windows share a refund with it (a refund above the limit, below it while later sales
    are in its window, above it again as earlier ones leave: one cause, DESIGN §5), dated
    where it began (the last day of its first window above the limit), as the check dates
    it: later days extend an episode, never move its date."""
    span = timedelta(days=RATE_DAYS - 1)
    for ch, cur in ((c, cur) for c in m.shape.channels for cur in _currencies(m, c.name)):
        _, refunds = _daily(m, ch.name, cur)
        runs, run = [], None   # (first day of its first window, of its last, of the window after it)
        for first, ratio in _windows(m, ch.name, cur) + [(None, Decimal("0"))]:
            if ratio > RATE_MAX and run is None:
                run = last_above = first
            elif ratio > RATE_MAX:
                last_above = first
            elif run is not None:
                runs.append((run, last_above, first))
                run = None
        episodes = []
        for run, last_above, after in runs:
            if episodes and any(refunds[d] > 0 for d in _days(run, episodes[-1][1] + span)):
                episodes[-1] = (episodes[-1][0], last_above, after)
            else:
                episodes.append((run, last_above, after))
        for run, _, after in episodes:
            last = (after or m.shape.end) + span
            m.problems.append(Problem("refund-rate", ch.name, run + span, [], window=(run, min(last, m.shape.end))))


def _days(first, last):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _refund_surge_truth(m):
    """Days the refund-surge rule flags that no injected surge explains. Ordinary refunds
    (1.5% of payments, one a day more in a refund-rate window) can put three on one day of
    a channel whose previous days were quiet: that is a surge by the rule, so the truth
    says so, measured like refund-rate rather than only injected."""
    injected = {(p.source, p.date) for p in m.problems if p.code == "refund-surge"}
    for ch, cur in ((c, cur) for c in m.shape.channels for cur in _currencies(m, c.name)):
        sales, refunds = _daily(m, ch.name, cur)
        counts = defaultdict(int)
        for r in m.refunds:
            if r.channel == ch.name and r.payment.currency == cur:
                counts[r.dt.date()] += 1
        known = set(sales) | set(refunds)
        first, last = min(known), max(known)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for i, day in enumerate(days):
            history = days[max(0, i - SURGE_DAYS):i]
            if len(history) < SURGE_HISTORY or counts[day] < SURGE_LEAST or (ch.name, day) in injected:
                continue
            usual_count = Decimal(sum(counts[x] for x in history)) / len(history)
            usual = sum((refunds[x] for x in history), Decimal(0)) / len(history)
            if counts[day] > SURGE_FACTOR * usual_count and refunds[day] > SURGE_FACTOR * usual \
                    and refunds[day] - usual >= SURGE_FLOOR:
                m.problems.append(Problem("refund-surge", ch.name, day, [],
                                          window=(day - timedelta(days=1), day + timedelta(days=1))))


from .inject import injections as _injections_impl  # noqa: E402  (the injectors use the helpers above)


def _injections(m, rng, ids):
    return _injections_impl(m, rng, ids)


def _payouts(m, rng, ids, inject):
    """Each channel pays out, every day, what came in `settlement_days` before (T+N).
    Never more than its balance: a refund since then that would take the balance below
    zero is netted in that payout (as Stripe deducts refunds from the next payout, and
    PayPal cannot withdraw more than it holds), not left to the day it would settle."""
    held = inject.get("hold", {})                   # channel -> set of days never paid out (unsettled)
    for ch in m.shape.channels:
        by_day = defaultdict(list)
        mine = sorted((i for i in [*m.payments, *m.refunds, *m.disputes] if i.channel == ch.name), key=lambda i: i.dt)
        for i in mine:
            by_day[getattr(i, "settles", None) or i.dt.date()].append(i)
        opening_chunk = money(ch.opening / ch.settlement_days) if ch.opening else Decimal("0")
        carry, carry_items, netted = Decimal("0"), [], set()
        balance, seen = ch.opening or Decimal("0"), 0     # the channel's balance, items up to `seen` in
        for p_day in m.days():
            if p_day >= inject.get("stop", {}).get(ch.name, p_day + timedelta(days=1)):
                break
            src = p_day - timedelta(days=ch.settlement_days)
            items = [] if src in held.get(ch.name, ()) else [i for i in by_day.get(src, []) if id(i) not in netted]
            amount = carry + sum((_usd_net(i) for i in items), Decimal("0"))
            if src < m.shape.start and ch.opening:
                k = (p_day - m.shape.start).days
                amount += opening_chunk if k < ch.settlement_days - 1 else ch.opening - opening_chunk * (ch.settlement_days - 1)
            if amount <= 0:
                carry, carry_items = amount, carry_items + items
                continue
            dt = datetime.combine(p_day, time(23, rng.randint(50, 58), rng.randint(0, 59)))   # end-of-day withdrawal
            while seen < len(mine) and mine[seen].dt < dt:
                balance += _usd_net(mine[seen])
                seen += 1
            later = [] if amount <= balance else [i for i in mine[:seen] if isinstance(i, Refund) and not i.payout
                                                  and i.dt.date() > src and id(i) not in netted]
            while amount > balance and later:
                refund = later.pop(0)
                netted.add(id(refund))
                items, amount = items + [refund], amount + _usd_net(refund)
            if amount <= 0:
                carry, carry_items = amount, carry_items + items
                continue
            balance -= amount
            po = Payout(ch.name, ids.payout(ch.type, dt), dt, amount, ch.currency, carry_items + items,
                        txn_id="txn_" + ids.alnum(24) if ch.type == "stripe" else "")
            for i in po.items:
                i.payout = po
            m.payouts.append(po)
            carry, carry_items = Decimal("0"), []
            last = inject.get("stop", {}).get(ch.name, m.shape.end)
            if ch.type == "stripe" and p_day + timedelta(days=6) < last and rng.random() < 0.04:
                # the bank refuses it; the money is back the next morning and goes out again
                # with the next payout (FORMATS §5a `payout_reversal`)
                po.failed, po.credited = dt + timedelta(hours=9), False
                back = PayoutReturn(ch.name, "txn_" + ids.alnum(24), po.failed, amount, po)
                m.payout_returns.append(back)
                balance += amount
                carry, carry_items = amount, [back]
    for fn in inject.get("after_payouts", []):
        fn()


def _usd_net(i):
    if hasattr(i, "usd"):    # a Dispute
        return i.usd
    if isinstance(i, PayoutReturn):
        return i.amount
    if isinstance(i, Payment):
        return i.conv[2] if i.conv else i.net
    return -i.conv[2] if i.conv else -i.net


def _banks(m, rng, ids, inject):
    shape = m.shape
    m.bank_hole = dict(inject.get("hole", {}))
    for b in shape.banks:
        m.bank_end[b.name] = inject.get("gap", {}).get(b.name, shape.end)
        lines = []
        for po in m.payouts:
            if shape.channel(po.channel).bank != b.name or not po.credited:
                continue
            d = po.dt.date() + timedelta(days=b.lag)
            if b.weekend_batching and d.weekday() >= 5:
                d += timedelta(days=7 - d.weekday())
            if d > m.bank_end[b.name]:
                po.credited = False         # not yet in the statements
                if (shape.end - po.dt.date()).days > shape.channel(po.channel).bank_days:   # and overdue
                    m.cut_credits[b.name] = m.cut_credits.get(b.name, 0) + 1
                continue
            payee, memos = PAYEES[shape.channel(po.channel).type]
            po.bank_ref = _bank_ref(ids, d)
            memo = rng.choice(memos)
            amount = po.bank_amount if po.bank_amount is not None else po.amount
            part = _split_part(m, b, po, d)
            if part:   # credited in two lines of one day and text (README, Matching: groups)
                po.split_ref = f"{po.bank_ref[:-1]}{'1' if po.bank_ref[-1] != '1' else '2'}"
                lines.append(_credit(m, b, d, amount - part, memo, payee, po.split_ref))
                amount = part
            lines.append(_credit(m, b, d, amount, memo, payee, po.bank_ref))
        month = shape.start.replace(day=1)
        while month <= m.bank_end[b.name]:
            for day, amount, memo, payee in ((5, -rng.randint(3000, 6000), "房租" if b.currency == "CNY" else "OFFICE RENT",
                                               "上海置业有限公司" if b.currency == "CNY" else "REGUS LLC"),
                                              (15, -rng.randint(4000, 9000), "代发工资" if b.currency == "CNY" else "SALARY PAYROLL",
                                               "本公司员工" if b.currency == "CNY" else "GUSTO")):
                d = month.replace(day=day)
                if shape.start <= d <= m.bank_end[b.name]:
                    if b.currency != "CNY":
                        amount = amount // 8
                    lines.append(BankLine(b.name, d, Decimal(amount), memo, payee, _bank_ref(ids, d)))
            month = (month + timedelta(days=32)).replace(day=1)
        for extra in inject.get("bank_lines", {}).get(b.name, []):
            if extra.day <= m.bank_end[b.name]:
                extra.ref = extra.ref or _bank_ref(ids, extra.day)
                lines.append(extra)
        lines.sort(key=lambda l: (l.day, l.ref))
        for i, line in enumerate(lines):
            line.seq = i
        m.bank_lines[b.name] = lines
    for fn in inject.get("after_banks", []):
        fn()


RATE_PLACES = Decimal("0.000001")


def bank_rate(m, b, day, spread=None) -> Decimal:
    """The rate a converting bank (shape.Bank.converts) applies on `day`: units of the
    account's currency (EUR) per unit of the payout's (USD), the day's reference (the
    inverse of `rates`' EUR/USD, the statements/prices file) less the bank's margin
    (`spread`, 10-25 basis points: well inside fx-gap's tolerance of 50, so no finding)."""
    spread = b.spread if spread is None else spread
    return (1 / m.rates[day] * (1 - spread)).quantize(RATE_PLACES)


def _credit(m, b, day, amount, memo, payee, ref) -> BankLine:
    """A payout's credit: `amount` as the bank receives it; where the bank converts it,
    that is the amount sent, and the line is its value at the bank's rate."""
    if not b.converts:
        return BankLine(b.name, day, amount, memo, payee, ref)
    rate = bank_rate(m, b, day)
    return BankLine(b.name, day, money(amount * rate), memo, payee, ref, sent=amount, sent_currency=b.converts,
                    xrate=rate)


def _split_part(m, b, po, day) -> Decimal | None:
    """The first part of the one payout some banks credit in two lines (a stream of its own:
    other draws stay): a payout no problem touches, of at least 100.00, alone on its day
    at the bank; None for every other payout."""
    rng = random.Random(f"split credit {m.shape.seed} {b.name}")
    if rng.random() >= 0.3 or po.bank_amount is not None or po.amount < 100:
        return None
    chosen = m.split_payout.setdefault(b.name, _first_alone(m, b))
    if chosen is not po:
        return None
    return money(po.amount * Decimal(rng.randint(30, 70)) / 100)


def _first_alone(m, b):
    """The first credited payout of at least 100.00 no problem touches that the bank credits on a day of its own."""
    days = defaultdict(list)
    for po in m.payouts:
        if m.shape.channel(po.channel).bank == b.name:
            days[po.dt.date()].append(po)
    alone = [po for po in m.payouts if m.shape.channel(po.channel).bank == b.name and po.credited
             and po.bank_amount is None and po.amount >= 100 and len(days[po.dt.date()]) == 1
             and po.dt.date().weekday() < 4 and m.shape.start + timedelta(days=3) <= po.dt.date()
             <= m.shape.end - timedelta(days=6)
             and not any(in_hole(m, b.name, po.dt.date() + timedelta(days=k)) for k in range(-2, 4))]
    return alone[len(alone) // 2] if alone else None


def _bank_ref(ids, d):
    return f"{d:%y%m%d}{ids.digits(10)}"


def conservation(m) -> dict:
    """Per channel and currency: sales gross, fees, refunds, payouts, closing clearing balance;
    per bank: closing balance."""
    out = {"channels": {}, "banks": {}}
    for ch in m.shape.channels:
        t = defaultdict(lambda: defaultdict(Decimal))
        t[ch.currency]["clearing"] += ch.opening
        missing = m.missing_bill.get(ch.name)      # its rows are in no statement, so in no books
        fund_only = "trade" in ch.views            # but for what its trade bill shows too

        def shown(x, fund_only=fund_only, missing=missing, name=ch.name):
            return x.channel == name and (x.dt.date() != missing or fund_only and not isinstance(x, Payout))
        for p in m.payments:
            if shown(p):
                t[p.currency]["sales"] += p.gross
                t[p.currency]["fees"] += p.fee
                t[p.currency]["clearing"] += p.net
                if p.conv:
                    t["EUR"]["clearing"] -= p.net
                    t["USD"]["clearing"] += p.conv[2]
        for r in m.refunds:
            if shown(r):
                t[r.payment.currency]["refunds"] += r.amount
                t[r.payment.currency]["fees"] -= r.fee_back
                t[r.payment.currency]["clearing"] -= r.net
                if r.conv:
                    t["EUR"]["clearing"] += r.net
                    t["USD"]["clearing"] -= r.conv[2]
        for d in m.disputes:    # money lost to chargebacks, and their fees (given back: negative)
            if shown(d):
                t[d.payment.currency]["chargebacks"] -= d.net
                t[d.payment.currency]["clearing"] += d.net
                if d.conv or d.fee_conv:
                    t["EUR"]["clearing"] -= d.net
                    t["USD"]["clearing"] += d.usd
        for po in m.payouts:
            if shown(po):
                t[po.currency]["payouts"] += po.amount
                if not po.failed:   # a failed payout's money came back
                    t[po.currency]["clearing"] -= po.amount
        out["channels"][ch.name] = {c: {k: str(v) for k, v in sorted(vals.items())} for c, vals in sorted(t.items())}
    for b in m.shape.banks:
        # what the statements show: the lines of a hole are in no file, so in no books
        shown = [l for l in m.bank_lines[b.name] if not in_hole(m, b.name, l.day)]
        out["banks"][b.name] = {b.currency: str(b.opening + sum((l.amount for l in shown), Decimal("0")))}
    return out


def in_hole(m, bank: str, day) -> bool:
    hole = m.bank_hole.get(bank)
    return bool(hole) and hole[0] <= day <= hole[1]
