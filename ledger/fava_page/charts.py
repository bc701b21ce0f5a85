"""The numbers a merchant watches, per channel over time, as Fava's own chart data.

Sales and refunds are the ones the refund checks read (refunds.daily: the channel's
sale-side postings, a negative one a sale, a positive one a refund); fees are the
postings to the channel's fee account in those same entries; money settled is what
the banks credited against the channel's transit account (the payouts arriving).

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
from decimal import Decimal

from beancount.core import data

from beanclear.books.render import SUMMARY_FLAG
from beanclear.checks import refunds
from beanclear.checks.orders import ChannelSales, Prepared

MAX_PERIODS = 100   # as Fava's own bar charts: the latest 100 periods
SALES, SETTLED = "Sales", "Settled at the bank"
REFUND_RATE, FEE_SHARE = "Refunds ‰", "Fees ‰"


def daily_money(entries, config, series: dict | None = None, sales: list | None = None):
    """(series, fees, settled): per (channel, currency), per day, in one pass over the
    entries. `series` is refunds.daily's (sales and refunds) and `sales` refunds.
    channel_sales': computed in that same pass unless the caller has them (the checks
    computed both during the load, reconcile.Load)."""
    own = series is None
    if own:
        series = defaultdict(refunds.Daily)
        returned = Prepared(entries, config).returned() if config.shops else None
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    banks = {b.account for b in config.banks.values()}
    fees: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
    settled: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))

    def sold(entry, channel, sale_side):
        if own:
            refunds.count(series, entry, channel, sale_side, returned)
        for p in entry.postings:
            if p.account == channel.accounts.fees:
                fees[(channel.name, p.units.currency)][entry.date] += p.units.number

    for entry, channel, sale_side in sales or ():
        sold(entry, channel, sale_side)
    of = ChannelSales(config).of if sales is None else None
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.flag == SUMMARY_FLAG:   # carried balances: no day's money
            continue
        if of is not None:
            found = of(entry)
            if found is not None:
                sold(entry, *found)
        payout = next((transit[p.account] for p in entry.postings if p.account in transit), None)
        if payout is not None:
            for p in entry.postings:
                if p.account in banks and p.units.number > 0:
                    settled[(payout.name, p.units.currency)][entry.date] += p.units.number
    return series, fees, settled


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
    series, fees, settled = daily if daily is not None else daily_money(entries, config)
    keys = sorted(set(series) | set(settled))
    out: dict[str, list[dict]] = {name: [] for name in config.channels}
    for name, currency in keys:
        if name not in out:
            continue
        d = series.get((name, currency))
        sold = _periods(d.sales if d else {}, interval, begin, end)
        back = _periods(d.refunds if d else {}, interval, begin, end)
        cost = _periods(fees.get((name, currency), {}), interval, begin, end)
        paid = _periods(settled.get((name, currency), {}), interval, begin, end)
        periods = sorted(set(sold) | set(paid))[-MAX_PERIODS:]
        if not periods:
            continue
        title = f"{name} ({currency})"
        bars = [{"date": p.isoformat(), "budgets": {}, "account_balances": {},
                 "balance": {SALES: _number(sold.get(p, Decimal(0))), SETTLED: _number(paid.get(p, Decimal(0)))}}
                for p in periods]
        rates = [{"date": p.isoformat(), "balance": {REFUND_RATE: _number(1000 * back.get(p, Decimal(0)) / sold[p]),
                                                     FEE_SHARE: _number(1000 * cost.get(p, Decimal(0)) / sold[p])}}
                 for p in periods if sold.get(p)]
        out[name].append({"type": "bar", "label": f"{title}: sales and money settled at the bank", "data": bars})
        if rates:
            out[name].append({"type": "balances", "label": f"{title}: refunds and fees, ‰ of sales", "data": rates})
    return out
