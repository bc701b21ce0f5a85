"""The numbers a merchant watches, per channel over time, as Fava's own chart data.

Sales, refunds and fees are the month report's, counted day by day by the same rules
(reports/period.py ChannelRow): sales and refunds as the refund checks read them
(refunds.daily: the channel's sale-side postings, a negative one a sale, a positive one
a refund, what returns a duplicate charge no refund), but a duplicate charge no sale
(period.beside_sales, orders.Prepared.duplicates); the fee rate gross over gross
(period.fee_rate): the postings to the channel's fee account but the fees of refunds and
of duplicate charges, over those sales. Money settled is the report's too
(channel_money.py): the bank lines against the channel's transit account, net (a payout
the channel takes back from the bank counts against it), in the currency the channel
paid out. A month of the chart reads what `beanclear report` says of it.

Each channel gets two charts in the JSON that Fava's `<svelte-component
type="charts">` reads (fava/internal_api.py BarChart and BalancesChart, the frontend's
charts/bar.ts and line.ts): bars of sales against money settled at the bank, and lines
of refunds and fees per mille of sales (‰: WeChat's 0.6% fee is 6‰, 千分之六; Fava's
axis writes values under 1 with SI prefixes, 0.6 as "600m"). Periods follow Fava's
interval selector shown above the chart (day, week, month...), and its time filter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from beanclear.checks import refunds
from beanclear.checks.orders import Prepared
from beanclear.reports import channel_money, period

MAX_PERIODS = 100   # as Fava's own bar charts: the latest 100 periods
SALES, SETTLED = "Sales", "Settled at the bank"
REFUND_RATE, FEE_SHARE = "Refunds ‰", "Fees ‰"


@dataclass
class Days(period.BesideSales, channel_money.Moved):
    """Per day, one channel's money in one currency beside refunds.Daily's sales and
    refunds: the duplicate charges out of those sales and the fees of no sale
    (period.BesideSales), and the month report's fees and money settled, with its
    discounts and chargebacks (channel_money.Moved: by the report's own rule, not a copy
    of it; blind33, a copy counting only the bank's credits charted a month's settled
    3,946.09 where the report said 3,476.58, Stripe's payout of -469.51 left out)."""


def daily_money(entries, config, series: dict | None = None, sales: list | None = None, prepared=None):
    """(series, days): per (channel, currency), refunds.daily's sales and refunds and the
    rest of its money (Days: the duplicate charges and fees of no sale as
    period.daily_beside_sales walks them, the fees and the money settled as
    channel_money.daily does). `series` is refunds.daily's, `sales` refunds.channel_sales'
    and `prepared` the books' orders.Prepared: computed here unless the caller has them
    (the checks computed them during the load, reconcile.Load)."""
    if prepared is None and config.shops:
        prepared = Prepared(entries, config)
    returned, charged = (prepared.returned(), prepared.duplicates()) if prepared is not None else ({}, {})
    if sales is None:
        sales = refunds.channel_sales(entries, config)
    if series is None:
        series = refunds.daily(entries, config, sales, returned)
    days: dict[tuple, Days] = period.daily_beside_sales(sales, charged, returned, defaultdict(Days))
    return series, channel_money.daily(entries, config, days)


def _periods(days: dict, interval, begin, end) -> dict[dt.date, Decimal]:
    out: dict[dt.date, Decimal] = defaultdict(Decimal)
    for day, amount in days.items():
        if (begin is None or day >= begin) and (end is None or day < end):
            out[interval.get_prev(day)] += amount
    return out


def _number(value: Decimal) -> float:
    return float(round(value, 2))


def channel_charts(entries, config, interval, begin: dt.date | None = None, end: dt.date | None = None,
                   daily=None) -> dict:
    """Per channel name, its list of charts (JSON-ready dicts), one pair per currency.
    `daily`: daily_money's answer when the caller keeps it (one per load of the books:
    another interval or time filter then costs no pass over the entries)."""
    series, days = daily if daily is not None else daily_money(entries, config)
    out: dict[str, list[dict]] = {name: [] for name in config.channels}
    for name, currency in sorted(set(series) | set(days)):
        if name not in out:
            continue
        d, money = series.get((name, currency)), days.get((name, currency)) or Days()
        sold = _periods(d.sales if d else {}, interval, begin, end)
        for p, charged in _periods(money.duplicates, interval, begin, end).items():
            sold[p] -= charged   # a duplicate charge is no sale (period.beside_sales)
        back = _periods(d.refunds if d else {}, interval, begin, end)
        cost = _periods(money.fees, interval, begin, end)
        beside = _periods(money.fees_beside_sales, interval, begin, end)
        paid = _periods(money.settled, interval, begin, end)
        periods = sorted(set(sold) | set(paid))[-MAX_PERIODS:]
        if not periods:
            continue
        title = f"{name} ({currency})"
        bars = [{"date": p.isoformat(), "budgets": {}, "account_balances": {},
                 "balance": {SALES: _number(sold.get(p, Decimal(0))), SETTLED: _number(paid.get(p, Decimal(0)))}}
                for p in periods]
        rates = [{"date": p.isoformat(),
                  "balance": {REFUND_RATE: _number(1000 * back.get(p, Decimal(0)) / sold[p]),
                              FEE_SHARE: _number(1000 * period.fee_rate(cost.get(p, Decimal(0)),
                                                                          beside.get(p, Decimal(0)), sold[p]))}}
                 for p in periods if sold.get(p)]
        out[name].append({"type": "bar", "label": f"{title}: sales and money settled at the bank", "data": bars})
        if rates:
            out[name].append({"type": "balances", "label": f"{title}: refunds and fees, ‰ of sales", "data": rates})
    return out
