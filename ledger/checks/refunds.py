"""The refund checks: too many refunds over a window, a day far above the usual, and a
payment refunded beyond what it took (refunded_beyond.py: its `refund-unsynced`).

Sales and refunds are read from each channel's sales account (or its shop's
receivable, for payments that pay a shop's orders): a negative posting is a sale, a
positive one a refund (every channel importer books refunds that way), but a failed
refund given back is a refund less on its day, and a failed payment taken back a sale
less (orders.sold_or_refunded). What a channel refunds of an order paid twice returns
the duplicate charge first (orders.returned_first): that is not a refund of the sale,
and not counted.

`refund-rate`: refunds over sales in a rolling window of `days` days (default 7)
above `max` (default 0.10). Consecutive days above the limit are one episode, and so
are the days above it after a dip whose windows hold a refund of it, not given back
since (episodes());
reported once, dated the day it began (its first window above the limit: later days
never move it out of its month), naming every refund of its windows; `amount` and the
message are its worst window's, the refunds beyond the limit that day.

`refund-surge`: a day of several refunds far above the channel's usual. The day needs
at least `min_count` refunds (default 3), more than `factor` (default 3) times the usual
daily count and the usual daily amount over the previous `days` days (default 28), and
at least `min_amount` (default 100) above that usual amount. One refund is never a
surge, however quiet the days before it; nor is a day of two. At least 7 days of
history are needed before a day can surge. Both checks judge only the days the
channel's statements cover (judged()): a rate window over a day none covers waits; a
surge's usual is of the days they cover. `amount` is the day's refunds beyond the
usual amount. A channel with 14 refunds in the 28 days before 2026-03-30 (0.5 a day,
10.00 CNY a day) surges on a day of 6 refunds of 30.00:

    2026-03-30 * "Refund D1"                 ; ... and five more that day
      Assets:Clearing:WeChat  -30.00 CNY
      Income:Sales:WeChat      30.00 CNY
    ; refund-surge: 6 refunds of 180.00 CNY on 2026-03-30 against a usual 0.5 refunds
    ;               and 10.00 CNY a day over the previous 28 days (amount 170.00)

    checks:
      refund-rate: {severity: warning, max: 0.10, days: 7}
      refund-surge: {severity: warning, min_count: 3, factor: 3, days: 28, min_amount: 100}
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from decimal import Decimal

from beancount.core import data

from beanclear.checks import refunded_beyond
from beanclear.checks.findings import MIN_HISTORY, Finding, at_entry, limit
from beanclear.checks.items import _money, refs
from beanclear.checks.orders import ChannelSales, Prepared, sold_or_refunded
from beanclear.importers.order_refs import REFUND_FAILED

DAY = dt.timedelta(days=1)


def days_read_back(config) -> int:
    """The most days before a day that the refund checks read to judge it."""
    return max(int(limit(config, "refund-rate", "days")), int(limit(config, "refund-surge", "days")))


class Daily:
    """Per day: sales, refunds, and the refund entries of one channel and currency (and
    those of the failed refunds given back, which the day's refunds are net of)."""

    def __init__(self):
        self.sales: dict[dt.date, Decimal] = defaultdict(Decimal)
        self.refunds: dict[dt.date, Decimal] = defaultdict(Decimal)
        self.refund_entries: dict[dt.date, list] = defaultdict(list)
        self.failed_refunds: dict[dt.date, list] = defaultdict(list)

    def days(self) -> list[dt.date]:
        known = set(self.sales) | set(self.refunds)
        first, last = min(known), max(known)
        return [first + DAY * i for i in range((last - first).days + 1)]


def channel_sales(entries, config) -> list[tuple]:
    """(entry, channel, its sale-side postings) of every transaction of a channel, in
    order (ChannelSales over every channel): what the refund and fee checks read."""
    sales = ChannelSales(config)
    out = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            found = sales.of(entry)
            if found is not None:
                out.append((entry, *found))
    return out


def daily(entries, config, sales: list | None = None, returned: dict | None = None) -> dict[tuple[str, str], Daily]:
    """`sales`: channel_sales(entries, config), and `returned`: the refunds that return a
    duplicate charge (orders.Prepared.returned), when the caller has them."""
    if returned is None:
        returned = Prepared(entries, config).returned() if config.shops else {}
    out: dict[tuple[str, str], Daily] = defaultdict(Daily)
    for entry, channel, sale_side in channel_sales(entries, config) if sales is None else sales:
        count(out, entry, channel, sale_side, returned)
    return out


def count(series: dict, entry, channel, sale_side, returned: dict | None = None) -> None:
    """One entry's sale postings into its channel's daily series: a credit is a sale, a
    debit a refund, a failed refund given back a refund less on its day, a failed
    payment taken back a sale less (orders.sold_or_refunded; the month report and the
    page's charts count them the same way, through here). What of a refund returns a
    duplicate charge (`returned`, orders.Prepared.returned) is no refund of the sale
    (orders.returned_first): a charge taken twice and given back."""
    back = returned.get(id(entry)) if returned else None
    for p in sale_side:
        day = series[(channel.name, p.units.currency)]
        sold, number = sold_or_refunded(entry, p.units.number)
        if sold:
            day.sales[entry.date] += sold
        elif number < 0:
            day.refunds[entry.date] += number
            day.failed_refunds[entry.date].append(entry)
        elif number > 0:
            if back:
                cut = min(back, number)
                number, back = number - cut, back - cut
                if not number:
                    continue
            day.refunds[entry.date] += number
            day.refund_entries[entry.date].append(entry)


def judged_spans(cover, name: str, holes=()) -> list[tuple[dt.date, dt.date]] | None:
    """The spans of days a refund check may judge a channel's windows over: those its
    statements cover, or None (every day) in books that record no coverage. A window
    over a day none covers lacks that day's sales: before they start (seed 31909 without
    its first Stripe download: a day's refunds over a day's sales), a hole between them
    (seed 32725 without a page of its Stripe listing), after they end (blind4: a refund
    booked from its webhook the days after the last fetch that came, over the sales of
    one day; a webhook's object covers no day, the statement-gap says the cause). A
    channel whose statements start with the books started selling then: its first span
    reaches back.
    `holes`: spans of days taken out besides, which the coverage took for quiet ones and
    a balance step says rows are missing from (missing_rows.folded, blind30: a day's
    WeChat bills not imported)."""
    if cover is None or not cover.recorded:
        spans = None
    else:
        # (None where every statement covers no day whole: a report of part of one day)
        books_start = min(filter(None, map(cover.start, cover.spans)), default=None)
        spans = list(cover.spans.get(name, ()))
        if spans and spans[0][0] <= books_start:
            spans[0] = (dt.date.min, spans[0][1])
    return _cut(spans, holes) if holes else spans


def _cut(spans, holes) -> list[tuple[dt.date, dt.date]]:
    """`spans` (None: every day) without the days of `holes`."""
    out = []
    for first, last in [(dt.date.min, dt.date.max)] if spans is None else spans:
        for start, end in sorted(holes):
            if end < first or start > last:
                continue
            if start > first:
                out.append((first, start - DAY))
            if end >= last:
                first = None
                break
            first = end + DAY
        if first is not None:
            out.append((first, last))
    return out


def judged(spans, first: dt.date, last: dt.date) -> bool:
    """Whether the days `first` to `last` are all in one of judged_spans(): the one rule
    of both refund checks for days no statement covers. A refund-rate window is its
    days' refunds over their sales together: one that reaches over a hole waits, one
    clear of it is judged. A refund-surge day is judged where it is covered, against a
    usual of the days before it that are (surge_findings)."""
    return spans is None or any(a <= first and last <= b for a, b in spans)


def given_back(d: Daily) -> dict[int, dt.date]:
    """id() of each refund of a channel given back, and the day of the failure that gave it
    back (its `refund-failed` names the refund's id, or Stripe's `source-id`:
    statements/refund_orders.Names.by)."""
    named: dict[str, list] = defaultdict(list)
    for entries in d.refund_entries.values():
        for entry in entries:
            for key in ("id", "source-id"):
                if entry.meta.get(key):
                    named[str(entry.meta[key])].append(entry)
    out: dict[int, dt.date] = {}
    for day in sorted(d.failed_refunds):
        for failure in d.failed_refunds[day]:
            for entry in named.get(str(failure.meta.get(REFUND_FAILED) or ""), ()):
                out.setdefault(id(entry), day)
    return out


def episodes(d: Daily, most: Decimal, window: int, spans) -> list[tuple[list[tuple], list[dt.date]]]:
    """The windows of `window` days whose refunds are above `most` of the sales, in
    episodes: (its windows, each (excess, last day, sold, refunded); the days they read).

    A run of windows above the limit is one episode, and so are the runs after it whose
    windows hold a refund of it that stands: one refund above the limit in the week to
    01-03, below it while the sales of 01-04 are in its window, above it again as the
    earlier sales leave it (a single PayPal refund of blind10, twice a finding) is one
    cause. A run whose windows hold none of the episode's refunds (another week's), or
    only refunds given back since (a failed refund, then a new one), is another."""
    out: list[tuple[list[tuple], list[dt.date]]] = []
    days = d.days()
    back = given_back(d)
    above: list[tuple] = []
    held: deque = deque()   # the episode's refunds, by day: (its day's index, the refund entry)
    start = end = 0         # the first and last day its windows read
    was_over = False
    for i, day in enumerate(days):
        first = max(0, i - window + 1)
        sold = sum(d.sales.get(x, Decimal(0)) for x in days[first: i + 1])
        refunded = sum(d.refunds.get(x, Decimal(0)) for x in days[first: i + 1])
        over = sold > 0 and refunded / sold > most or (sold == 0 and refunded > 0)
        over = over and judged(spans, day - DAY * (window - 1), day)
        while held and held[0][0] < first:
            held.popleft()
        if above and not (over and was_over) and not any(back.get(id(e), day + DAY) > day for _, e in held):
            out.append((above, days[start: end + 1]))   # no window from here on holds a refund of it that stands
            above = []
        if over:
            if not above:
                start, end, held = first, first - 1, deque()
            above.append((refunded - most * sold, day, sold, refunded))
            held.extend((x, e) for x in range(max(first, end + 1), i + 1) for e in d.refund_entries.get(days[x], ()))
            end = i
        was_over = over
    if above:
        out.append((above, days[start: end + 1]))
    return out


def percent(share: Decimal) -> str:
    """A share as a percent, as written: 0.10 is `10%`, 0.125 `12.5%`."""
    return f"{(share * 100).normalize():f}%"


def rate_text(refunded: Decimal, sold: Decimal, most: Decimal) -> str:
    """Refunds over sales as a percent to one place, or to as many more as it takes to
    differ from the limit they are above: 70.01 over 700.00 is 10.001%, not 10.0%."""
    if not sold:
        return "no sales"
    rate, above = refunded / sold * 100, most * 100
    for places in range(1, 29):
        shown = rate.quantize(Decimal(1).scaleb(-places))
        if shown > above:
            break
    return f"{shown:f}%"


def rate_findings(series: dict, config, cover=None, holes=None) -> list[Finding]:
    """One finding per episode (episodes()), dated where it began (the last day of its
    first window above the limit), its amount and message its worst window's, naming
    every refund of its windows, the worst window's first. Later days may extend an
    episode and move its worst window past a month's end, never its beginning: a closed
    month's report keeps the finding it had (a blind tester's February, "7 days to
    02-27", moved to 03-01 by March's sales), and an acknowledgment of what it named
    before more days came still holds.
    `cover`: the statements' coverage, where known: a window over days the channel's
    statements do not cover is not judged (judged_spans), nor one over the days of
    `holes` (channel -> spans of days rows are missing from: findings())."""
    most, window = limit(config, "refund-rate", "max"), int(limit(config, "refund-rate", "days"))
    out = []
    for (name, currency), d in sorted(series.items()):
        account = config.channels[name].accounts.sales
        for above, read in episodes(d, most, window, judged_spans(cover, name, (holes or {}).get(name, ()))):
            excess, worst, sold, refunded = max(above, key=lambda e: (e[0], e[1]))
            began = above[0][1]
            since = f"; first above it in the {window} days to {began}" if began != worst else ""
            # the worst window's first (as its message), then the rest of the episode's
            involved = []
            for part in ([x for x in read if x > worst - DAY * window and x <= worst],
                         [x for x in read if x <= worst - DAY * window or x > worst]):
                involved += [e for x in part for e in d.refund_entries.get(x, [])]
                involved += [e for x in part for e in d.failed_refunds.get(x, [])]   # the refunds are net of them
            out.append(Finding(
                "refund-rate", began, name, account, excess, currency,
                f"refunds {_money(refunded)} {currency} over sales {_money(sold)} {currency} in the {window} days "
                f"to {worst}: {rate_text(refunded, sold, most)}, above the limit of {percent(most)}{since}",
                refs(involved), expected=most * sold, actual=refunded, **at_entry(involved[0])))
    return out


def surge_findings(series: dict, config, cover=None, holes=None) -> list[Finding]:
    """`cover`, `holes`: as rate_findings(). A day no statement covers is not judged (its
    refunds, its count unknown); its usual is the mean of the days before it that they
    cover, at least MIN_HISTORY of them: a hole's days are left out of it, not counted as
    days without refunds, and a surge weeks after a day's bills left out is still one
    (seeds 28210 and 32721: a WeChat day missing 12 and 23 days before the surge)."""
    factor, window = limit(config, "refund-surge", "factor"), int(limit(config, "refund-surge", "days"))
    least, floor = int(limit(config, "refund-surge", "min_count")), limit(config, "refund-surge", "min_amount")
    out = []
    for (name, currency), d in sorted(series.items()):
        account = config.channels[name].accounts.sales
        spans = judged_spans(cover, name, (holes or {}).get(name, ()))
        days = d.days()
        covered = [judged(spans, x, x) for x in days]
        for i, day in enumerate(days):
            entries = d.refund_entries.get(day, [])
            if len(entries) < least or not covered[i]:
                continue
            before = range(max(0, i - window), i)
            history = [days[j] for j in before if covered[j]]
            if len(history) < MIN_HISTORY:
                continue
            usual_count = Decimal(sum(len(d.refund_entries.get(x, ())) for x in history)) / len(history)
            usual = sum(d.refunds.get(x, Decimal(0)) for x in history) / len(history)
            today = d.refunds[day]
            # Both the count and the amount: many tiny refunds, or one large one, is not a surge.
            if len(entries) > factor * usual_count and today > factor * usual and today - usual >= floor:
                over = f"the previous {len(history)} days" if len(history) == len(before) else \
                    f"{len(history)} of the previous {len(before)} days (no statement covers the rest)"
                out.append(Finding(
                    "refund-surge", day, name, account, today - usual, currency,
                    f"{len(entries)} refunds of {_money(today)} {currency} on {day} against a usual "
                    f"{usual_count.quantize(Decimal('0.1')).normalize():f} refund{'' if usual_count == 1 else 's'} "
                    f"and {_money(usual)} {currency} a day over {over}",
                    refs(entries), expected=usual, actual=today, **at_entry(entries[0])))
    return out


def findings(entries, config, as_of=None, index=None, series=None, cover=None, sales=None,
             prepared=None) -> list[Finding]:
    """`series`: daily(entries, config) when the caller has it (reconcile.Load: the page's
    charts read the same series); `cover`: the statements' coverage; `sales`:
    channel_sales(entries, config), and `prepared`: the order check's orders.Prepared,
    where the caller has them. With the rate and the surge, the refunds that give back
    more than their payment took (refunded_beyond)."""
    series = daily(entries, config) if series is None else series
    sales = channel_sales(entries, config) if sales is None else sales
    if prepared is None and config.shops:
        prepared = Prepared(entries, config)
    return windowed(series, config, cover) + refunded_beyond.findings(config, sales, prepared)


def windowed(series: dict, config, cover=None, holes=None) -> list[Finding]:
    """The findings of the checks that judge days (the rate's windows, the surge's day
    and its usual) and so wait for a hole: rate_findings() and surge_findings().
    `holes`: channel -> spans of days its statements seem to cover (quiet days, to the
    coverage) but a balance step says rows are missing from, known only once Beancount
    checked the balances, after the checks ran: the fold judges them again without
    those days (missing_rows.folded, reconcile.Load.refunds_without)."""
    return rate_findings(series, config, cover, holes) + surge_findings(series, config, cover, holes)
