"""The reconciliation report of one month, as plain data (Decimal money, no formatting).

Per bank the books hold anything of by month end (begun: a bank added to the config
since has no section in the months before it), the classic bank reconciliation statement:

    statement closing balance   the last `balance` the bank's own statement gave for a
                                day <= the 1st of next month (books/<bank>/...), else the
                                opening its first statement implies
  + open items                  bank lines the books hold from that day to month end
  + unexplained                 what is left (a failed balance assertion)
  = books balance               the bank account's postings through month end

where the statement follows days no statement of the bank covers (a statement-gap),
the unexplained remainder names them: their lines are missing from the books; and the
month's days no statement of the bank covers are said whatever the balances show
(uncovered_days: a balance of the 1st that agrees with books holding none of the
month's lines reconciles nothing). With,
beside it, the money still on its way to that bank (its channels' transit accounts at
month end), the month's bank lines nothing explains (suspense), and the FX spread of
the conversions the bank made (a payout it converted into the account's currency, a
transfer between own accounts): the fx-gaps whose source is the bank, per currency.

Per channel and currency, the month's figures: sales and refunds (the sale-side postings
of `ChannelSales`, as the fee and refund checks read them, but for a duplicate charge and
what returns it: duplicates and duplicates returned), chargebacks (the chargeback
account: payments the customer's bank took back and their dispute fees, a dispute won
back negative), fees (the fee account) and fee rate (the fees on sales over the sales,
gross over gross: ChannelRow.fee_rate), FX spread (the
fx-gap findings' amounts whose source is the channel, written off or not: a cost as
fees are, what the rates lost less what they gained, negative where they gained more;
a bank's are in its section: each fx-gap of the month counted once), settled (bank
lines posted against the transit account, net: a payout taken back from the bank counts
against it), and the balances at month end of transit and clearing; with what makes the
row tie out (ChannelRow): the merchant's discounts, conversions between the channel's
currencies, write-offs out of transit or clearing, the balances brought forward, and
`other`, what none of them names. (Fees, discounts, chargebacks and settled are
channel_money.py's, which the export's daily_channel and the page's charts count by day
with the same rule.) Findings dated
in the month, each open, acknowledged (with the reason of its acknowledgment) or
resolved (found at month end, gone from the books' report now: settled by a later
entry, a write-off, a booking or a match; resolve/imported.py). A deadline that passed
after the month's end is a later month's finding (findings.by_deadline): the month's
report, made at its close, stays its record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.checks import acks, checking, fx, reconcile, refunds, suspense, transit
from beanclear.checks.findings import Finding, apply_policy, closed_policies, past_due, to_currency
from beanclear.checks.items import refs as statement_ids
from beanclear.checks.orders import ChannelSales, Prepared, sold_or_refunded
from beanclear.clock import today
from beanclear.periods import closing, past
from beanclear.periods.closed import as_closed
from beanclear.reports.channel_money import ChannelMoney, opening
from beanclear.statements import coverage, gaps

ZERO = Decimal(0)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2999


# a month that cannot be reported (malformed, or nothing booked in it): the one error of a
# bad month, whichever command reads it (closing.month_bounds reads months by month_of)
PeriodError = closing.PeriodError


@dataclass(frozen=True)
class Item:
    """One open item of a bank: a line, a payout or a remainder, signed as it moves the bank."""

    # after-statement | unexplained-line | unexplained; in transit (period._open_payouts):
    # in-transit (a payout on its way), statement-gap (one whose credit a hole in the bank's
    # statements may hold), payout-missing, payout-mismatch (a payout's difference at the
    # bank), credited-before-payout (a credit of a payout booked after month end), arrived-late
    # (a payout missing and the credit the check takes for it, late, not linked yet),
    # credited-late (a payout past its bank_days at month end, credited after it),
    # earlier-transit, unexplained-transit, credited-without-payouts; fx-spread (the
    # bank's conversions' fx-gaps of the month in one currency: _bank_spreads)
    kind: str
    date: dt.date | None
    description: str
    amount: Decimal
    currency: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankRow:
    name: str
    account: str
    currency: str
    statement_date: dt.date | None  # the date of the statement's closing `balance`
    statement_balance: Decimal | None
    books_balance: Decimal
    open_items: tuple[Item, ...]  # after-statement lines: statement + these = books, once all is well
    unexplained: Decimal  # books - statement - open items
    in_transit: tuple[Item, ...]  # of the channels bound for this bank: their transit balances at month end, by payout
    unexplained_lines: tuple[Item, ...]  # the month's lines of this bank posted to suspense
    # (first, last) day of each hole in the bank's statements before the statement's
    # balance, when something is unexplained: the statement-gaps it comes from
    gaps: tuple[tuple[dt.date, dt.date], ...] = ()
    # (first, last) of the month's days no statement of the bank covers (uncovered_days):
    # the books hold none of their lines, whatever the balances say
    uncovered: tuple[tuple[dt.date, dt.date], ...] = ()
    # the FX spread of the conversions the bank made in the month, one item per currency
    # (_bank_spreads): beside the reconciliation, no money in a balance
    fx_spread: tuple[Item, ...] = ()

    @property
    def difference(self) -> Decimal:
        return self.books_balance - (self.statement_balance or ZERO)

    @property
    def on_its_way(self) -> Decimal:
        """The payouts on their way to the bank at month end."""
        return sum((i.amount for i in self.in_transit if i.kind == "in-transit"), ZERO)

    @property
    def not_on_its_way(self) -> Decimal:
        """What else the transit accounts held: payouts missing, differences, the unexplained."""
        return sum((i.amount for i in self.in_transit if i.kind != "in-transit"), ZERO)


@dataclass(frozen=True)
class ChannelRow:
    """A channel's month in one currency, a roll-forward of its transit and clearing
    accounts (the FX spread and the fee rate, beside it, are no money that moved):

        brought_forward + sales - refunds + duplicates - duplicates_returned - chargebacks
          - fees - discounts + converted - written_off + other - settled  =  in_transit + in_clearing

    A duplicate charge is no sale and what returns it no refund (README, Duplicates): sales
    less refunds over the months are what the orders' income holds, and a duplicate the
    channel holds at month end is duplicates less duplicates returned, owed back.
    """

    name: str
    currency: str
    brought_forward: Decimal = ZERO  # in transit and in clearing at the end of the month before (or as opened in it)
    sales: Decimal = ZERO  # of the orders' amounts: a duplicate charge is none (duplicates)
    refunds: Decimal = ZERO
    duplicates: Decimal = ZERO  # charged twice: what payments took beyond their order (orders.Prepared.duplicates)
    duplicates_returned: Decimal = ZERO  # what the channels gave back of a duplicate charge (orders.Prepared.returned)
    chargebacks: Decimal = ZERO  # taken back by the customer's bank, with the dispute fees
    fees: Decimal = ZERO
    discounts: Decimal = ZERO  # the merchant's coupons: part of the sale the channel did not collect
    converted: Decimal = ZERO  # in from conversions of the channel's other currencies, out (negative) to them
    written_off: Decimal = ZERO  # taken out of transit or clearing by a write-off (a payout the bank got short)
    other: Decimal = ZERO  # what else moved transit and clearing: a hold into the reserve and its release, ...
    settled: Decimal = ZERO
    in_transit: Decimal = ZERO
    in_clearing: Decimal = ZERO
    fx_spread: Decimal = ZERO  # lost to the rates less gained on them: negative, a net gain
    # of the fees, those of no sale: a refund's (the fee given back on it), a duplicate charge's
    fees_beside_sales: Decimal = ZERO

    @property
    def fee_rate(self) -> Decimal | None:
        """The fees charged on the sales over the sales, gross over gross, 4 places (0.0060
        = 0.6 %); None without sales. The fees but those of refunds and duplicate charges
        (fees_beside_sales), whatever else the fee account moved included: 1,000.00 sold
        for 6.00 and 500.00 of it refunded is 0.60%, whether the refund gave 3.00 of the
        fee back (WeChat, Alipay; fees 3.00) or none (PayPal, Stripe; fees 6.00), where
        fees net over sales net would read 1.20% for the one that keeps it."""
        rate = fee_rate(self.fees, self.fees_beside_sales, self.sales)
        return None if rate is None else rate.quantize(Decimal("0.0001"))


def fee_rate(fees: Decimal, fees_beside_sales: Decimal, sales: Decimal) -> Decimal | None:
    """The fees charged on the sales over the sales, unrounded (ChannelRow.fee_rate: the
    month report's, rounded; the page's charts per mille of a period's): the fees but those
    of no sale (beside_sales), over the sales but the duplicate charges. None without sales."""
    if not sales:
        return None
    return (fees - fees_beside_sales) / sales


@dataclass(frozen=True)
class FindingRow:
    status: str  # open | acknowledged | resolved
    code: str
    severity: str
    date: dt.date | None
    source: str
    amount: Decimal | None  # None: a finding of no money (a statement-gap's days, a stale acknowledgment)
    currency: str
    refs: tuple[str, ...]
    message: str
    resolution: str


@dataclass(frozen=True)
class PeriodReport:
    title: str
    period: str  # YYYY-MM
    start: dt.date
    end: dt.date
    banks: tuple[BankRow, ...]
    channels: tuple[ChannelRow, ...]
    findings: tuple[FindingRow, ...] = field(default=())


def month_of(text: str, what: str = "period") -> tuple[dt.date, dt.date]:
    """`2026-03` -> (2026-03-01, 2026-03-31); PeriodError for anything else."""
    m = _MONTH.match(text or "")
    # years a merchant's books hold: a month of year 0 (or 9999's last, whose next month is
    # no date) was a traceback in every command that takes one (blind33 hostile)
    if not m or not 1 <= int(m.group(2)) <= 12 or not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise PeriodError(f"{what}: expected YYYY-MM, a month from {FIRST_YEAR}-01 to {LAST_YEAR}-12, got {text!r}")
    start = dt.date(int(m.group(1)), int(m.group(2)), 1)
    return start, _next_month(start) - dt.timedelta(days=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def build(config, period: str, since: str | None = None, step=lambda stage: None) -> PeriodReport:
    """Load the books once and report the month `period` (YYYY-MM). `since` (YYYY-MM, not
    after the period): from the books from that month on (checking.load_books), carried
    forward first unless up to date; the report is the one the whole books give."""
    month_of(period)  # a malformed period fails before the books load
    if since is not None:
        month_of(since, "--since")
        if since > period:
            raise PeriodError(f"--since {since} is after the period {period}: the books from {since} on "
                              f"do not hold it")
    entries, errors, options = checking.load_books(config, since, step)
    step("the report")
    return build_from(entries, errors, options, config, period)


def build_from(entries, errors, options, config, period: str) -> PeriodReport:
    start, end = month_of(period)
    # a quiet month between two busy ones is reported (its balances carried, nothing
    # moved); a month outside the books is a mistyped period
    first_last = closing.span(entries)
    if first_last is None or end < first_last[0] or start > first_last[1]:
        raise PeriodError(f"period {period}: the books hold no transaction in that month{closing.runs(first_last)}")
    load = reconcile.stored_load(options, config) or reconcile.Load(entries, config)
    # a closed month's findings as its close left them: an acknowledgment or a follow-up
    # of them written since (after-close:) is news for `check` and the page, not for this
    # report, the record of what was closed (blind30: `1 open` turned into `1 acknowledged`
    # in a closed June's re-run); a fresh load judges the books without them
    kept = as_closed(entries, config.books, period)
    if kept is not entries:
        entries, load = kept, reconcile.Load(kept, config)
    report = checking.report(entries, errors, config, options, load)
    # The FX spread counts every fx-gap, settled or not: one written off is gone from
    # the report's findings, but its spread was paid all the same.
    # Each is counted once: a channel's on its row, a bank's (a conversion the bank made)
    # in its section.
    spreads = [f for f in load.found(entries, "fx") if f.code == "fx-gap"]
    answers = transit.transit_answers(entries, config, load.as_of(entries), load.index(entries), load.cover(entries))
    return PeriodReport(config.title or "", period, start, end,
                        tuple(bank_rows(entries, config, start, end, options, answers, spreads)),
                        tuple(channel_rows(entries, config, spreads, start, end,
                                           load.orders_prepared(entries) if config.shops else None,
                                           load.cover(entries))),
                        tuple(finding_rows(entries, config, report.findings, start, end, load)))


def _balance(entries, account: str, currency: str, end: dt.date) -> Decimal:
    return sum((p.units.number for e in entries if isinstance(e, data.Transaction) and e.date <= end
                for p in e.postings if p.account == account and p.units.currency == currency), ZERO)


def _in_folder(entry, root: Path, source: str) -> bool:
    filename = entry.meta.get("filename") or ""
    try:
        return Path(filename).resolve().relative_to(root.resolve()).parts[0] == source
    except (ValueError, IndexError):
        return False


def bank_rows(entries, config, start: dt.date, end: dt.date, options=None, answers=None,
              fx_gaps=()) -> list[BankRow]:
    """`answers`: transit.transit_answers of the same books, when the caller has them;
    `fx_gaps`: the fx check's findings, whose banks' are their FX spread (_bank_spreads)."""
    cutoff = _next_month(start)
    if answers is None:
        answers = transit.transit_answers(entries, config, reconcile.as_of(entries))
    carried = past.carried(entries)
    cover = coverage.Coverage.of(entries, config)
    # the lines in suspense an entry of your own reclassified are explained (checks/suspense.py)
    reclassified = {id(line) for _, line in suspense.reclassified(entries, config)}
    # and so are a line and the bank's reversal of it, both there
    reclassified |= {id(e) for pair in suspense.reversed_pairs(entries, config) for e in pair}
    out = []
    for name, bank in sorted(config.banks.items()):
        # the statement and the lines after it; of books carried forward, read back as far as they go
        view = entries if carried is None else _statement_view(entries, carried, config, name, cutoff, options)
        others = _other_currencies(view, config, name, end)
        in_transit = _open_payouts(entries, [ch for ch in config.channels.values() if name in ch.payout_banks],
                                   start, end, name, config, cover, answers)
        suspended = _suspense_lines(entries, config, bank, start, end, reclassified)
        spreads = _bank_spreads(fx_gaps, name, start, end)
        for currency in (bank.currency, *others):
            # a row per currency the account holds (HSBC HK's HKD and USD, each asserted):
            # the other currencies' items on their own rows, the rest on the account's
            mine = (lambda i: i.currency == currency) if currency != bank.currency else \
                (lambda i: i.currency not in others)
            row = _bank_row(entries, view, config, name, currency, start, end, cutoff, cover,
                            tuple(filter(mine, in_transit)), tuple(filter(mine, suspended)),
                            tuple(filter(mine, spreads)))
            if row.statement_date is not None or row.in_transit or row.unexplained_lines or row.fx_spread \
                    or (currency == bank.currency and begun(entries, config, name, end, cover)):
                out.append(row)
    return out


def _bank_row(entries, view, config, name: str, currency: str, start, end, cutoff, cover,
              in_transit, suspended, spreads) -> BankRow:
    bank = config.banks[name]
    last = _last_stated(view, config, name, cutoff, currency)
    books_balance = _balance(entries, bank.account, currency, end)
    # A `balance` of day D holds before D's lines: every line from D on is after it.
    since = last.date if last else dt.date.min
    items = tuple(Item("after-statement", e.date, e.narration or e.payee or "", p.units.number, currency, _refs(e))
                  for e in view if isinstance(e, data.Transaction) and since <= e.date <= end
                  for p in e.postings if p.account == bank.account and p.units.currency == currency)
    statement = last.amount.number if last else None
    unexplained = books_balance - (statement or ZERO) - sum((i.amount for i in items), ZERO)
    # The statement's balance counts the lines of days no statement in the books
    # covers, the books do not: a remainder after such a hole is that statement-gap's.
    gaps = tuple(hole for hole in cover.holes(name) if last and hole[0] < last.date) if unexplained else ()
    return BankRow(name, bank.account, currency, last.date if last else None, statement, books_balance, items,
                   unexplained, in_transit, suspended, gaps, uncovered_days(cover, name, start, end), spreads)


def _other_currencies(entries, config, name: str, end: dt.date) -> tuple[str, ...]:
    """The currencies besides its own that a bank's account holds by `end`: a balance
    of its statements, or a posting (a multi-currency account, one statement for all)."""
    bank = config.banks[name]
    found = {e.amount.currency for e in entries if isinstance(e, data.Balance) and e.account == bank.account
             and e.date <= end + dt.timedelta(days=1)}
    found |= {p.units.currency for e in entries if isinstance(e, data.Transaction) and e.date <= end
              for p in e.postings if p.account == bank.account}
    return tuple(sorted(found - {bank.currency}))


def source_accounts(config, name: str) -> set[str]:
    """The accounts a source's own books post to, by which they show it was there: a
    bank's account, a channel's clearing and transit, a shop's receivable."""
    if name in config.banks:
        return {config.banks[name].account}
    if name in config.channels:
        return {config.channels[name].accounts.clearing, config.channels[name].accounts.transit}
    if name in config.shops:
        return {config.shops[name].accounts.receivable}
    return set()


def begun(entries, config, name: str, end: dt.date, cover) -> bool:
    """Whether the books hold anything of source `name` (a bank, channel or shop of the
    config) by `end`: a posting to its accounts (an opening, a line, balances carried
    forward: an idle bank at 0.00 has begun) or a statement whose days begin by then. A
    source added to the config since has none, and is not in the month's report (no
    section, no finding as the books stood then): the report made at close is the
    record of what was closed (its `open` of 2000-01-01 in accounts.beancount is no sign
    that it was there)."""
    began = cover.start(name)
    if began is not None and began <= end:
        return True
    accounts = source_accounts(config, name)
    return any(p.account in accounts for e in entries if isinstance(e, data.Transaction) and e.date <= end
               for p in e.postings)


def _bank_spreads(fx_gaps, bank: str, start: dt.date, end: dt.date) -> tuple[Item, ...]:
    """The FX spread of the conversions bank `bank` made in the month, one Item per
    currency the gaps are measured in, with their refs: the fx-gaps whose source is the
    bank (a channel's payout it converted into the account's currency, 1,000.00 USD
    credited at 7.70 HKD against 7.80: 100.00 HKD; a transfer between own accounts,
    judged on the debit: the sending bank's), written off or not, what the rates lost
    less what they gained (spread_of). On no channel row: a payout's spread would be a
    row in a currency the channel never held, and a transfer's has no channel."""
    spreads: dict[str, list] = {}
    for f in fx_gaps:
        if f.code == "fx-gap" and f.source == bank and start <= f.date <= end:
            spread = spreads.setdefault(f.currency, [ZERO, {}])
            spread[0] += spread_of(f)
            spread[1].update(dict.fromkeys(f.refs))
    return tuple(Item("fx-spread", None, "FX spread: the month's fx-gaps of its conversions", amount, currency,
                      tuple(ids)) for currency, (amount, ids) in sorted(spreads.items()))


def spread_of(finding) -> Decimal:
    """An fx-gap's part of an FX spread: a cost, its amount where the rate lost, negative
    where it gained."""
    return -finding.amount if finding.gained else finding.amount


def uncovered_days(cover, name: str, start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date], ...]:
    """(first, last) of the days from `start` to `end` that no statement of bank `name`
    covers, from its first statement on (the books begin there, with its opening): a
    hole between its statements, its statement-gap (a blind tester's February, between
    January's statement and March's, read "statement closing balance 11,736.60 GBP
    (balance of 2026-02-01) = books balance", as if reconciled), and the days after its
    last statement (but the few quiet days a statement read from its lines may end
    with, as gaps.py allows them)."""
    spans = cover.spans.get(name)
    if not spans:
        return ()
    out = [(max(first, start), min(last, end)) for first, last in cover.holes(name) if first <= end and last >= start]
    last = spans[-1][1]
    quiet = cover.quiet.get(name, coverage.QUIET_DAYS) if name in cover.read_to_last_line else 0
    if last < end and (end - last).days > quiet:
        out.append((max(last + coverage.DAY, start), end))
    return tuple(out)


def _last_stated(entries, config, name: str, cutoff: dt.date, currency: str | None = None):
    """The bank's statement balance nearest before `cutoff`: the last `balance` of its
    account and currency that its own folder holds (not one a person or `close` wrote),
    else the opening its first statement (or the config) gives the account
    (statements/openings.py): a balance at the start of the day after it, which the
    books held by then. An opening is no bank line booked after a statement."""
    bank = config.banks[name]
    currency = currency or bank.currency
    stated = [e for e in entries if isinstance(e, data.Balance) and e.account == bank.account
              and e.date <= cutoff and e.amount.currency == currency and _in_folder(e, config.books, name)]
    last = max(stated, key=lambda e: e.date, default=None)
    if last is None:
        opened = [e for e in entries if isinstance(e, data.Transaction) and e.date < cutoff
                  and str(e.meta.get("id", "")).startswith(f"opening {bank.account}")
                  and any(p.account == bank.account and p.units.currency == currency for p in e.postings)]
        if opened:
            day = max(e.date for e in opened)
            held = Amount(_balance(entries, bank.account, currency, day), currency)
            last = data.Balance(opened[-1].meta, day + dt.timedelta(days=1), bank.account, held, None, None)
    return last


def _statement_view(entries, carried, config, name: str, cutoff: dt.date, options) -> list:
    """What a bank's row reads of books carried forward (periods/past.py): the files they
    include; and when the bank's statement balance there is older than their month, the
    month files before it that name the bank's account, newest first, back to the one
    holding a balance of its statement (those lines follow it, as in the whole books)."""
    mine = past.own(entries, carried)
    last = _last_stated(mine, config, name, cutoff)
    if last is not None and last.date >= carried.start:
        return mine
    read = []
    for found in past.read_back(config.books, carried, (config.banks[name].account,), options):
        read.append(found)
        if _last_stated(found, config, name, cutoff) is not None:
            break
    return past.in_order(mine, *read)


def _refs(entry) -> tuple[str, ...]:
    ids = [str(entry.meta[k]) for k in ("id", "payout-id", "order-id") if entry.meta.get(k)]
    return tuple(ids) + tuple(sorted(entry.links))


def _open_payouts(entries, channels, start: dt.date, end: dt.date, bank: str, config, cover, answers) -> list[Item]:
    """What each channel bound for this bank still has in transit at month end (its
    transit account's balance), in the currencies it pays out to this bank (`bank:
    [sparkasse, chase]`); of banks of one currency the account moved between (`bank:
    [boc, cmb]`), the latest whose statements begin by then. Payout by payout, as the
    clearing check pairs them with bank credits (`answers`, transit.transit_answers):
    one no credit answered by then is on its way (`in-transit`), or `payout-missing`
    where the check finds it so (it never reached the bank) and its `bank_days` had
    passed by month end (else it was on its way then, and its finding is a later month's:
    findings.by_deadline, so a closed month's report stays its record); one a credit answered with
    another amount leaves the difference (`payout-mismatch`: not on its way either);
    a credit answering a payout the books date after month end is `credited-before-payout`
    (01:00 in Shanghai is the day before in the Americas);
    what no payout explains is `unexplained-transit`; one whose credit may be in days no
    statement of the bank covers, `statement-gap`. A channel whose statements show no
    payouts holds, in transit, the bank credits that settle its clearing account:
    `credited-without-payouts`. What the account held from before
    the days books carried forward hold entry by entry (periods/forward.py lookback: past
    every window a payout is answered in), with the bank lines of those days that may
    answer it (_of_earlier), is one `earlier-transit`, in the whole books as in those:
    the same report either way. A top-up and the bank debit answering it are neither."""
    from beanclear.periods.forward import lookback
    out, banks = [], {b.account for b in config.banks.values()}
    cut = start - dt.timedelta(days=lookback(config))
    for ch in sorted(channels, key=lambda c: c.name):
        lands = {currency: _bound_for(ch.fellow_banks(first, config.banks), end, cover)
                 for currency, first in ch.banks_by_currency(config.banks).items()}
        if len(ch.payout_banks) < 2:
            lands = {}
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for e in entries:
            if isinstance(e, data.Transaction) and e.date <= end:
                for p in e.postings:
                    if p.account == ch.accounts.transit:
                        totals[p.units.currency] += p.units.number
        answered = answers.get(ch.name)
        every = [i for items in answered[0].values() for i in items] if answered else []
        held = [i for i in every if i.date <= end]
        # the payouts the books date after month end, that a credit by then may answer
        after = [i for i in every if i.date > end and i.amount > 0
                 and not any(p.account in banks for p in i.entry.postings)]
        for currency, total in sorted(totals.items()):
            if lands.get(currency, ch.bank) != bank:
                continue
            if answered is None:
                if total:
                    out.append(Item("credited-without-payouts", end, f"{ch.name}: {ch.accounts.transit}", total,
                                    currency))
                continue
            out += _by_payout(ch, [i for i in held if i.currency == currency], total, currency, cut, end,
                              *answered[1:5], banks, [i for i in after if i.currency == currency])
    return out


def _by_payout(ch, held: list, total: Decimal, currency: str, cut: dt.date, end: dt.date, answered: dict,
               missing: set, holed: set, arrivals: dict, banks: set[str], after: list = ()) -> list[Item]:
    """A channel's transit balance `total` at month end in one currency, as the Items
    _open_payouts says, from its transit postings up to then (`held`). A payout: money
    in from the channel, not a bank line's (a bank debit booked as a top-up). A credit
    by month end that the check pairs with a payout the books date after it (`after`:
    a bank further west still had the payout's day, transit.arrived_by) is no
    unexplained money: `credited-before-payout`, dated its payout's day, whatever the
    credits and payouts answered with it hold by month end. What came
    before `cut` is one Item, with the credits no payout since answers in the days a
    payout of before `cut` may take to arrive (theirs, most likely: without them, a
    payout in flight at `cut` showed as held before it and its credit as unexplained).
    A payout missing whose credit the check takes for it arriving late (`arrivals`,
    transit._late_arrivals) is `arrived-late`, with that credit where it came by month
    end: one item, as the check's one finding, neither "never reached the bank" nor a
    credit unexplained (blind26)."""
    where = f"{ch.name}: {ch.accounts.transit}"
    payouts = [i for i in held if i.date >= cut and i.amount > 0 and not any(p.account in banks
                                                                             for p in i.entry.postings)]
    ahead: dict[int, list] = defaultdict(list)   # a credit by month end -> its payouts after it
    for payout in after:
        for credit in answered.get(id(payout), ()):
            ahead[id(credit)].append(payout)
    early = [i for i in held if id(i) in ahead and i.date >= cut]
    # a payout of before `cut` that a credit of the days since answers (months late, naming
    # it): the two together, as the check pairs them, not a sum held since before `cut`
    # and a credit no payout explains (blind23 monthon: January's payouts credited in April)
    late = [i for i in held if i.date < cut and i.amount > 0 and not any(p.account in banks for p in i.entry.postings)
            and any(cut <= c.date <= end for c in answered.get(id(i), ()))]
    payouts += late
    # a payout of before `cut` whose late credit came since (transit._late_arrivals), as one
    payouts += [i for i in held if i.date < cut and id(i) in arrivals and cut <= arrivals[id(i)].date <= end]
    out, taken = [], set()
    for seed in payouts + early:
        if id(seed) in taken:
            continue
        group = [seed]   # the payouts credits answered together, and those credits, by month end
        later: list = []   # the payouts after month end those credits answer
        for member in group:
            if member.amount > 0:
                more = [c for c in answered.get(id(member), ()) if cut <= c.date <= end]
            else:
                more = [p for p in payouts if any(c is member for c in answered.get(id(p), ()))]
                later += [p for p in ahead.get(id(member), ()) if all(p is not q for q in later)]
            group += [i for i in more if id(i) not in taken and all(i is not g for g in group)]
            taken.add(id(member))
        # a payout within its bank_days at month end was on its way then, whatever came of it
        # since: missing, arriving late or credited late is a later month's (findings.by_deadline)
        overdue = seed.amount > 0 and past_due(seed.date, ch.bank_days) <= end
        credit = arrivals.get(id(seed)) if len(group) == 1 and overdue else None
        if credit is not None:   # missing, and the check takes a credit for it arriving late
            group += [credit] if cut <= credit.date <= end and id(credit) not in taken else []
            taken.update(id(i) for i in group)
            refs = tuple(dict.fromkeys(r for i in (seed, credit) for r in _refs(i.entry)))
            out.append(Item("arrived-late", seed.date, where, sum(i.amount for i in group), currency, refs))
            continue
        refs = tuple(dict.fromkeys(r for i in group + later for r in _refs(i.entry)))
        if later:
            if sum(i.amount for i in group):
                out.append(Item("credited-before-payout", min(p.date for p in later), where,
                                sum(i.amount for i in group), currency, refs))
        elif len(group) == 1:   # a payout (a credit seeds a group only with `later`)
            kind = "payout-missing" if overdue and missing.intersection(statement_ids([seed.entry])) else \
                "statement-gap" if id(seed) in holed else "in-transit"
            came = [c for c in answered.get(id(seed), ()) if c.date > end]
            if kind == "in-transit" and came and overdue \
                    and past_due(seed.date, ch.bank_days) <= min(c.date for c in came):
                # past its days at month end, credited late after it: not on its way then (a
                # blind tester's closed April called such a payout on its way once May came)
                kind = "credited-late"
                refs += tuple(r for c in came for r in _refs(c.entry) if r not in refs)
            out.append(Item(kind, seed.date, where, seed.amount, currency, refs))
        elif sum(i.amount for i in group):
            out.append(Item("payout-mismatch", seed.date, where, sum(i.amount for i in group), currency, refs))
    left = [i for i in held if id(i) not in taken and i.date >= cut]
    # money the other way, a top-up of the channel from the bank (Stripe's negative payout
    # of a day whose refunds outweigh its sales) and the bank's debit, answer each other as
    # the clearing check pairs them: neither is in transit, whatever day `cut` falls on
    at_bank = [i for i in left if i.amount > 0 and any(p.account in banks for p in i.entry.postings)]
    paired = transit._pair_top_ups(at_bank, [i for i in left if i.amount < 0 and transit._funding(i, ch)],
                                    ch.bank_days)
    left = [i for i in left if id(i) not in paired]
    since = {link for i in payouts for link in i.entry.links if link.startswith("payout-")}
    earlier = sum((i.amount for i in held if i.date < cut and id(i) not in taken), ZERO) + \
        sum((i.amount for i in left if _of_earlier(i, ch, cut, since, banks)), ZERO)
    if earlier:
        out.append(Item("earlier-transit", cut - dt.timedelta(days=1), where, earlier, currency))
    # a bank credit a hole in the channel's statements holds back (its payout may be in the
    # days none covers: the check's statement-gap says so), not money no payout explains
    gapped = [i for i in left if id(i) in holed and i.amount < 0 and not _of_earlier(i, ch, cut, since, banks)]
    out += [Item("credit-in-statement-gap", i.date, where, i.amount, currency, _refs(i.entry)) for i in gapped]
    rest = total - sum((i.amount for i in out), ZERO)
    if rest:
        out.append(Item("unexplained-transit", end, where, rest, currency, tuple(dict.fromkeys(
            r for i in left if not _of_earlier(i, ch, cut, since, banks) and i not in gapped for r in _refs(i.entry)))))
    return sorted(out, key=lambda i: (i.date, i.refs))


def _of_earlier(item, ch, cut: dt.date, since: set[str], banks: set[str]) -> bool:
    """Whether an item of transit from `cut` on that nothing of those days answers may
    answer what came before `cut` (_by_payout): a bank line in the days a payout (or a
    top-up) of before it may take to arrive, or a bank credit linked to a payout no payout
    from `cut` on is (one of before it, linked by hand to its late credit). Read the same
    in books carried forward, which hold nothing before `cut` entry by entry."""
    if item.amount > 0 and not any(p.account in banks for p in item.entry.postings):
        return False   # a payout
    if item.date < cut + dt.timedelta(days=ch.bank_days + transit.LATE_DAYS):
        return True
    # (a bank credit: a channel's top-up carries its own payout- link, and is no late credit;
    # blind round 16, a top-up the bank never debited was "held since before" the books)
    return item.amount < 0 and any(p.account in banks for p in item.entry.postings) \
        and any(link.startswith("payout-") and link not in since for link in item.entry.links)


def _bound_for(banks: tuple[str, ...], end: dt.date, cover) -> str:
    """Of the banks one account moved between, the one payouts went to at `end`: the
    last (in config order) whose statements begin by then; the first, before any."""
    begun = [b for b in banks if cover.start(b) and cover.start(b) <= end]
    return begun[-1] if begun else banks[0]


def _suspense_lines(entries, config, bank, start, end, reclassified=frozenset()) -> list[Item]:
    out = []
    for e in entries:
        if isinstance(e, data.Transaction) and start <= e.date <= end and id(e) not in reclassified:
            accounts = {p.account for p in e.postings}
            if config.suspense in accounts and bank.account in accounts:
                amounts: dict[str, Decimal] = defaultdict(Decimal)   # (a multi-currency account's line: its own)
                for p in e.postings:
                    if p.account == bank.account:
                        amounts[p.units.currency] += p.units.number
                out += [Item("unexplained-line", e.date, e.narration or e.payee or "", amount, currency, _refs(e))
                        for currency, amount in sorted(amounts.items())]
    return out


def channel_rows(entries, config, fx_gaps, start: dt.date, end: dt.date, prepared=None,
                 cover=None) -> list[ChannelRow]:
    """Per channel and currency, the month's figures (ChannelRow: they tie out); FX
    spread: the amounts of `fx_gaps` (the fx-gap findings, whether open, acknowledged or
    written off) dated in the month, lost less gained (Finding.gained). Sales and refunds as the refund checks count them
    (refunds.count), but for a duplicate charge (orders.Prepared.duplicates: out of the
    sales, the row's duplicates) and what returns it (Prepared.returned: no refund, the
    row's duplicates returned); `prepared`: the books' orders.Prepared, when the caller
    has it. `other` is what the rest leaves of the change in transit and clearing: what
    no other figure names. With `cover` (statements/coverage.py), a channel begun by the
    month's end that moved nothing is a row of zeros in its currency (blind29: an idle
    channel was left out, as if nobody had looked)."""
    from beanclear.checks.write_offs import META
    rows: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sales, sold = ChannelSales(config), defaultdict(refunds.Daily)
    if prepared is None and config.shops:
        prepared = Prepared(entries, config)
    returned, charged = (prepared.returned(), prepared.duplicates()) if prepared is not None else ({}, {})
    money = ChannelMoney(config)
    banks = money.banks
    held = {a: name for name, ch in config.channels.items() for a in (ch.accounts.clearing, ch.accounts.transit)}
    transit = {ch.accounts.transit for ch in config.channels.values()}
    for e in entries:
        if not isinstance(e, data.Transaction) or e.date > end:
            continue
        for name, ch in config.channels.items():  # balances at month end: every day up to it
            for p in e.postings:
                if p.account == ch.accounts.transit:
                    rows[(name, p.units.currency)]["in_transit"] += p.units.number
                elif p.account == ch.accounts.clearing:
                    rows[(name, p.units.currency)]["in_clearing"] += p.units.number
        # what the accounts held before the month, and what an opening in it says they held
        # before their first statement (statements/openings.py): no money moved that month
        if e.date < start or opening(e):
            for p in e.postings:
                if p.account in held:
                    rows[(held[p.account], p.units.currency)]["brought_forward"] += p.units.number
            continue
        found = sales.of(e)
        if found is not None:
            refunds.count(sold, e, *found, returned)
            channel, side = found
            duplicate, given_back, share = beside_sales(e, side, charged, returned)
            if duplicate or given_back:   # the sales' count holds the charge, not its return
                key = (channel.name, side[0].units.currency)
                rows[key]["sales"] -= duplicate
                rows[key]["duplicates"] += duplicate
                rows[key]["duplicates_returned"] += given_back
            if share:
                for p in e.postings:
                    if channel.accounts.is_fee(p.account):
                        rows[(channel.name, p.units.currency)]["fees_beside_sales"] += p.units.number * share
        for name, currency, figure, amount in money.of(e):   # fees, discounts, chargebacks, settled
            rows[(name, currency)][figure] += amount
        accounts = {p.account for p in e.postings}
        for p in e.postings:
            name = held.get(p.account)
            if name is None:
                continue
            # what a conversion sold, and what it bought at the rate applied; not a bank credit
            # the bank converted (banking.counter_posting): settled, in the payout's currency
            if p.price is not None and not (accounts & banks and p.account in transit):
                rows[(name, p.units.currency)]["converted"] += p.units.number
                rows[(name, p.price.currency)]["converted"] -= to_currency(p.units.number * p.price.number,
                                                                           p.price.currency)
            if e.meta.get(META):
                rows[(name, p.units.currency)]["written_off"] -= p.units.number
    for key, day in sold.items():
        rows[key]["sales"] += sum(day.sales.values(), ZERO)
        rows[key]["refunds"] += sum(day.refunds.values(), ZERO)
    for f in fx_gaps:
        if f.code == "fx-gap" and f.source in config.channels and start <= f.date <= end:
            rows[(f.source, f.currency)]["fx_spread"] += spread_of(f)
    for figures in rows.values():
        figures["other"] = figures["in_transit"] + figures["in_clearing"] - _rolled(figures)
    shown = {name for (name, _), figures in rows.items() if any(figures.values())}
    for name, ch in config.channels.items():   # an idle channel is a row of zeros, not left out:
        if name not in shown and cover is not None and begun(entries, config, name, end, cover):
            rows[(name, ch.currency)]          # the month's report says it was looked at
    return [ChannelRow(name, currency, **figures) for (name, currency), figures in sorted(rows.items())
            if any(figures.values()) or name not in shown and currency == config.channels[name].currency]


def beside_sales(entry, side, charged: dict, returned: dict) -> tuple[Decimal, Decimal, Decimal]:
    """Of one channel entry (`side`: its sale-side postings, ChannelSales), what is no sale
    and no refund of one (ChannelRow): (the duplicate charge it takes, out of the sales
    refunds.count counted: `charged`, orders.Prepared.duplicates; the duplicate it gives
    back, which refunds.count left out of the refunds: `returned`, Prepared.returned; the
    share of its fees on no sale, _no_sale). The month report, and through
    daily_beside_sales the export's daily_channel and the page's charts, count sales,
    refunds and the fee rate through here."""
    return charged.get(id(entry), ZERO), returned.get(id(entry), ZERO), _no_sale(entry, side, charged)


def _by_day() -> dict:
    return defaultdict(Decimal)


@dataclass
class BesideSales:
    """Per day, of one channel's money in one currency, what beside_sales takes out of
    refunds.daily's sales: the duplicate charges, and the fees of no sale."""

    duplicates: dict = field(default_factory=_by_day)
    fees_beside_sales: dict = field(default_factory=_by_day)


def daily_beside_sales(sales, charged: dict, returned: dict, into: dict | None = None) -> dict:
    """Per (channel, currency), a BesideSales of every channel entry of `sales`
    (refunds.channel_sales) by its day: the one walk of the days' duplicate charges and
    fees of no sale, which the export's daily_channel (exports/tables.py) and the page's
    charts (fava_page/charts.py daily_money) both read. `into`: a defaultdict of
    BesideSales (or a kind of it) to fill, else a new one."""
    days = defaultdict(BesideSales) if into is None else into
    for entry, channel, side in sales:
        duplicate, _, share = beside_sales(entry, side, charged, returned)
        if duplicate:
            days[(channel.name, side[0].units.currency)].duplicates[entry.date] += duplicate
        if share:
            for p in entry.postings:
                if channel.accounts.is_fee(p.account):
                    days[(channel.name, p.units.currency)].fees_beside_sales[entry.date] += p.units.number * share
    return days


def _no_sale(entry, side, charged: dict) -> Decimal:
    """What share of a channel entry's fees is no fee on a sale (ChannelRow.fee_rate): all
    of a refund's and of a failed refund's given back (orders.sold_or_refunded), a
    duplicate charge's share of its payment (`charged`: orders.Prepared.duplicates)."""
    sold = ZERO
    for p in side:
        part, refunded = sold_or_refunded(entry, p.units.number)
        if refunded:
            return Decimal(1)
        sold += part
    return charged[id(entry)] / sold if id(entry) in charged and sold else ZERO


def _rolled(figures) -> Decimal:
    """What a channel row's named figures roll its start to (ChannelRow), `other` aside."""
    g = figures.get
    return (g("brought_forward", ZERO) + g("sales", ZERO) - g("refunds", ZERO) + g("duplicates", ZERO)
            - g("duplicates_returned", ZERO) - g("chargebacks", ZERO)
            - g("fees", ZERO) - g("discounts", ZERO) + g("converted", ZERO) - g("written_off", ZERO)
            - g("settled", ZERO))


def _key(f, written: frozenset = frozenset()) -> tuple:
    """A finding as the same one on other books: its code, source and refs, in any order
    and but for the ids `written` by own entries that close items by hand (a finding of
    their order names them once they are in the books: the same finding, open)."""
    if not f.refs:
        return (f.code, f.source, f.account, f.date)
    return (f.code, f.source, frozenset(f.refs) - written or frozenset(f.refs))


def finding_rows(entries, config, findings, start: dt.date, end: dt.date, load=None) -> list[FindingRow]:
    """The month's findings: open and acknowledged from the books' report; resolved are
    those the checks found on the books as they stood at month end, gone since (a deadline
    that passed after it is a later month's finding: findings.by_deadline). Those
    books hold the bank lines a booking or a match explained as the import left them
    (resolve/imported.py): the edit in place leaves no trace at any date otherwise; and
    they are without a person's own entries that close an item by its link, which leave
    none either (an own entry of the month closing its refund-unsynced: "booked by hand")."""
    from beanclear.resolve.imported import as_imported
    reasons = {}
    for ack in acks.acks_in(entries)[0]:
        reasons.setdefault((ack.code, ack.ref), ack.reason)
    out = []
    for f in findings:
        if f.date and start <= f.date <= end:
            # (a write-off above the limit: where it went and why, as an acknowledgment's reason)
            reason = f.written_off or next((reasons[(f.code, r)] for r in f.refs if (f.code, r) in reasons), "")
            up = f.follow_up or {}
            if up.get("state") in ("following up", "overdue"):   # a follow-up in the books (resolve/followup.py)
                reason = f"{up['state']}: {up['owner']}, due {up['due']}" + (f" — {up['note']}" if up["note"] else "")
            elif up.get("state") == "resolved":   # done: the last line naming it, whatever was acknowledged before
                reason = f"resolved: {up.get('note', '')}"
            # followed up before its due date: a state of its own, not acknowledged (README
            # "Follow up"); overdue, it is open again
            status = "following up" if up.get("state") == "following up" else \
                "acknowledged" if f.acknowledged else "open"
            out.append(_row(f, status, reason))
    later = [e for e in entries if getattr(e, "date", end) > end]
    imported, resolutions = as_imported(entries, config)
    if later or any(r.date <= end for r in resolutions):
        # the books moved on, or lines were explained in place or items closed by hand:
        # what stood at month end and is gone is resolved, by the booking, match or own
        # entry that names it where one does
        written = frozenset().union(*(r.written for r in resolutions))
        now = {_key(f, written) for f in findings}
        grown = _grown(findings, start, end)
        # what a statement-gap now takes in is not resolved: it waits in the gap, which is
        # listed (a blind helper's credit the missing fund bill held back read "resolved")
        # (all it takes in, where its refs name only the first: blind27, 70 of a missing
        # day's 90 orders read "resolved by the books after the month's end")
        held = {r for f in findings if f.code == "statement-gap" for r in (*f.refs, *f.holds)}
        # judged as they stood then: a follow-up due on the month's last day was not overdue;
        # and each cause once, as the books' report folds them (what a hole in a statement
        # holds back, said in the hole's statement-gap: one row, not one and its parts)
        # (of books carried forward, the findings of their lookback too: one a reclassification
        # of the month settles is the month's, whatever month it is of, as in the whole books)
        then = gaps.one_end(reconcile.find(as_at(imported, end), config, today=min(end, today()), every_day=True),
                            config)
        unexplained = None   # the findings of the books now, but for the lines a person explained
        listed = set()
        # a source added to the config since was not there then: what the checks say of it
        # on the books of the month's end (a shop without an export) is no finding of the month
        there: dict[str, bool] = {}
        cover = None
        # a reclassification of the month (an own entry out of suspense) lists the finding
        # it settled here, whatever month that is of: one of a closed month is settled so
        here = [r for r in resolutions if r.listed_here and start <= r.date <= end]
        for f in then:
            key = _key(f, written)
            if f.date and (start <= f.date <= end or f.date < start and any(r.settles(f) for r in here)) \
                    and f.code != "stale-ack" and key not in now \
                    and key not in listed and not (f.refs and held.issuperset(f.refs[:1])) \
                    and not _grown_into(f, grown):
                if f.source not in there:
                    cover = coverage.Coverage.of(entries, config) if cover is None else cover
                    there[f.source] = not source_accounts(config, f.source) or \
                        begun(entries, config, f.source, end, cover)
                if not there[f.source]:
                    continue
                listed.add(key)
                how = next((r.how for r in resolutions if r.settles(f)), None)
                if how is not None:
                    # a match naming one of its refs settled it only if the books without the
                    # matches still hold it: a duplicate charge refunded in August was not
                    # resolved by July's bank line matched to the payout that took it
                    if unexplained is None:
                        unexplained = {_key(g, written) for g in reconcile.find(imported, config, every_day=True)}
                    how = how if key in unexplained else None
                out.append(_row(f, "resolved", how or "resolved by the books after the month's end"))
    out += written_off_rows(entries, config, start, end, load)
    order = {"open": 0, "following up": 1, "acknowledged": 2, "resolved": 3}
    return sorted(out, key=lambda r: (order[r.status], r.date, r.code, r.source, r.refs))


def _grown(findings, start: dt.date, end: dt.date) -> dict[tuple[str, str], list[frozenset]]:
    """The refs of the books' findings of the month, by code and source (_grown_into)."""
    out: dict[tuple[str, str], list[frozenset]] = defaultdict(list)
    for f in findings:
        if f.refs and f.date and start <= f.date <= end:
            out[(f.code, f.source)].append(frozenset(f.refs))
    return out


def _grown_into(f, grown: dict) -> bool:
    """Whether a finding of the month as it stood at month end is one the books list in
    the month now with more refs: the same cause grown since (a refund-rate episode the
    next month's refunds extend, a third charge of a duplicated order, a payout more
    waiting on a statement), listed as it is now, not "resolved" beside it. One that
    moved out of the month (a refund-unsynced the other side's later refund redated)
    stood at month end and is gone from it: resolved there."""
    return bool(f.refs) and any(frozenset(f.refs) <= refs for refs in grown.get((f.code, f.source), ()))


def written_off_rows(entries, config, start: dt.date, end: dt.date, load=None) -> list[FindingRow]:
    """The month's findings that write-offs within their limit settled: they are gone from
    the books' report, so the month's report lists each as its check found it (severity,
    date, message: `_written_off`), with where the write-off put it. (One above the limit
    keeps its finding, listed acknowledged with the reason.) A write-off is dated the
    finding's day or after it (resolve/writeoff.py): those of the month and later are
    read; one whose finding no check finds any more is listed as it says, on its day. One
    that does not post its finding's difference (another amount, a second copy) settled
    nothing: its finding is open, as the check lists it (writeoff.settles)."""
    from beanclear.checks.findings import limit
    from beanclear.checks.write_offs import META, REVERSES, names, naming, settles, write_offs
    # (a write-off's reversal, its difference paid since, settled no finding: no row of its own)
    offs = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get(META) and e.flag != "!"
            and e.date >= start and e.postings and REVERSES not in e.meta]
    if not offs:
        return []
    found = _written_off(entries, config, {str(e.meta[META]) for e in offs}, load)
    offs_by_ref, listed = write_offs(entries), set()

    def settled(f) -> bool:
        tolerance = limit(config, "fee-gap", "tolerance") if f.code == "fee-gap" else ZERO
        return settles(naming(offs_by_ref, f), f, tolerance)
    sources = fx.account_sources(config)
    sources.update({shop.accounts.receivable: name for name, shop in config.shops.items()})
    out, closed = [], None
    for e in offs:
        into = next((p for p in e.postings if p.units.number > 0), e.postings[0])
        code, named_refs = str(e.meta[META]), tuple(str(e.meta.get("settles", "")).split())
        named = [f for f in found if names(e, f)]   # its own finding, not one that shares a payout's ref
        f = max(named, key=lambda f: (tuple(f.refs) == named_refs, len(set(f.refs) & set(named_refs))), default=None)
        if f is not None:
            if not settled(f) or id(f) in listed:   # (one row of a write-off split in two)
                continue
            listed.add(id(f))
        if f is None and e.date <= end:
            if closed is None:   # a closed month's finding is judged by its close's policy, as the checks do
                closed = load.closed(entries) if load is not None else \
                    closed_policies(c for c in entries if isinstance(c, data.Custom))
            judged = apply_policy([Finding(code, e.date, _written_off_source(e, named_refs, entries, sources), "",
                                           into.units.number, into.units.currency, e.narration, named_refs)],
                                  config, closed)
            f = judged[0] if judged else None   # (its code switched off: no row)
        if f is not None and start <= f.date <= end:
            out.append(_row(f, "resolved", f"written off to {into.account}"))
    return out


def _written_off(entries, config, codes: set[str], load=None) -> list:
    """The findings of `codes` as their checks find them without the write-offs: a
    fee-gap's and an fx-gap's check compares amounts, and finds them still (`load`'s,
    when the caller has it); a payout-mismatch's and an amount-mismatch's write-off
    brings their account back to zero, so their checks judge the books without it."""
    from beanclear.checks.write_offs import META
    from beanclear.resolve.writeoff import CHECK_OF
    checks = {CHECK_OF[code] for code in codes if code in CHECK_OF}
    balanced = checks if load is None else checks & {"clearing", "orders"}
    out = [f for name in sorted(checks - balanced) for f in load.found(entries, name)]
    if balanced:
        without = [e for e in entries if not (isinstance(e, data.Transaction) and META in e.meta)]
        fresh = reconcile.Load(without, config)
        out += [f for name in sorted(balanced) for f in fresh.found(without, name)]
    return out


def _written_off_source(entry, settles: tuple, entries, sources: dict[str, str]) -> str:
    """The source of the finding a write-off settles: whose account the difference left
    (its last posting, the finding's account: the transit of a short payout, the fee
    account, the order's receivable), else whose account the entry of the first id it
    settles moves, as the fx check names an fx-gap's source (the spread leaves no account)."""
    found = sources.get(entry.postings[-1].account)
    if found:
        return found
    named = (e for e in entries if isinstance(e, data.Transaction) and str(e.meta.get("id", "")) in settles[:1])
    return next((fx.source_of(e, sources) for e in named), "")


def as_at(entries, end: dt.date) -> list:
    """The books as they stood at the end of `end`: what came later left out, and a
    statement's coverage that runs past it cut there (a quarter's CSV imported in April
    covered March to its end, not to April)."""
    out = []
    for e in entries:
        if e.date <= end:
            out.append(e)
        elif isinstance(e, data.Custom) and e.type == coverage.KIND and len(e.values) > 1 \
                and isinstance(e.values[1].value, dt.date) and e.values[1].value <= end:
            out.append(e._replace(date=end))
    return out


def _row(f, status: str, resolution: str) -> FindingRow:
    # A finding of no currency is of no money: its 0 is no amount ("0.00 " with no currency)
    return FindingRow(status, f.code, f.severity, f.date, f.source, f.amount if f.currency else None, f.currency,
                      tuple(f.refs), f.message, resolution)
