"""The reconciliation report of one month, as plain data (Decimal money, no formatting).

Per bank, the classic bank reconciliation statement:

    statement closing balance   the last `balance` the bank's own statement gave for a
                                day <= the 1st of next month (books/<bank>/...)
  + open items                  bank lines the books hold from that day to month end
  + unexplained                 what is left (a failed balance assertion)
  = books balance               the bank account's postings through month end

where the statement follows days no statement of the bank covers (a statement-gap),
the unexplained remainder names them: their lines are missing from the books. With,
beside it, the money still on its way to that bank (its channels' transit accounts at
month end) and the month's bank lines nothing explains (suspense).

Per channel and currency, the month's figures: sales and refunds (the sale-side postings
of `ChannelSales`, as the fee and refund checks read them), chargebacks (the chargeback
account: payments the customer's bank took back and their dispute fees, a dispute won
back negative), fees (the fee account) and fee rate (fees / sales), FX spread (the
fx-gap findings' amounts, written off or not), settled (bank credits posted against the
transit account), and the balances at month end of transit and clearing. Findings dated
in the month, each open, acknowledged (with the reason of its acknowledgment) or
resolved (found at month end, gone from the books' report now: settled by a later
entry, a write-off, a booking or a match; resolve/imported.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear.checks import acks, checking, fx, reconcile, refunds
from beanclear.checks.orders import ChannelSales, Prepared
from beanclear.periods import past
from beanclear.statements import coverage

ZERO = Decimal(0)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A month that cannot be reported (malformed, or nothing booked in it)."""


@dataclass(frozen=True)
class Item:
    """One open item of a bank: a line, a payout or a remainder, signed as it moves the bank."""

    kind: str  # after-statement | in-transit | unexplained-line | unexplained
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
    in_transit: tuple[Item, ...]  # per channel bound for this bank: its transit balance at month end
    unexplained_lines: tuple[Item, ...]  # the month's lines of this bank posted to suspense
    # (first, last) day of each hole in the bank's statements before the statement's
    # balance, when something is unexplained: the statement-gaps it comes from
    gaps: tuple[tuple[dt.date, dt.date], ...] = ()

    @property
    def difference(self) -> Decimal:
        return self.books_balance - (self.statement_balance or ZERO)


@dataclass(frozen=True)
class ChannelRow:
    name: str
    currency: str
    sales: Decimal = ZERO
    refunds: Decimal = ZERO
    chargebacks: Decimal = ZERO  # taken back by the customer's bank, with the dispute fees
    fees: Decimal = ZERO
    fx_spread: Decimal = ZERO
    settled: Decimal = ZERO
    in_transit: Decimal = ZERO
    in_clearing: Decimal = ZERO

    @property
    def fee_rate(self) -> Decimal | None:
        """Fees over sales, 4 places (0.0060 = 0.6 %); None without sales."""
        return (self.fees / self.sales).quantize(Decimal("0.0001")) if self.sales else None


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
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"{what}: expected YYYY-MM, got {text!r}")
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
    days = [e.date for e in entries if isinstance(e, data.Transaction)]
    if not days or end < min(days) or start > max(days):
        raise PeriodError(f"period {period}: the books hold no transaction in that month" +
                          (f" (they run from {min(days)} to {max(days)})" if days else ""))
    load = reconcile.stored_load(options, config) or reconcile.Load(entries, config)
    report = checking.report(entries, errors, config, options, load)
    # The FX spread counts every fx-gap, settled or not: one written off is gone from
    # the report's findings, but its spread was paid all the same.
    spreads = [f for f in load.found(entries, "fx") if f.code == "fx-gap"]
    return PeriodReport(config.title or "", period, start, end, tuple(bank_rows(entries, config, start, end, options)),
                        tuple(channel_rows(entries, config, spreads, start, end, load.returned(entries))),
                        tuple(finding_rows(entries, config, report.findings, start, end)))


def _balance(entries, account: str, currency: str, end: dt.date) -> Decimal:
    return sum((p.units.number for e in entries if isinstance(e, data.Transaction) and e.date <= end
                for p in e.postings if p.account == account and p.units.currency == currency), ZERO)


def _in_folder(entry, root: Path, source: str) -> bool:
    filename = entry.meta.get("filename") or ""
    try:
        return Path(filename).resolve().relative_to(root.resolve()).parts[0] == source
    except (ValueError, IndexError):
        return False


def bank_rows(entries, config, start: dt.date, end: dt.date, options=None) -> list[BankRow]:
    cutoff = _next_month(start)
    carried = past.carried(entries)
    cover = coverage.Coverage.of(entries, config)
    out = []
    for name, bank in sorted(config.banks.items()):
        # the statement and the lines after it; of books carried forward, read back as far as they go
        view = entries if carried is None else _statement_view(entries, carried, config, name, cutoff, options)
        last = _last_stated(view, config, name, cutoff)
        books_balance = _balance(entries, bank.account, bank.currency, end)
        # A `balance` of day D holds before D's lines: every line from D on is after it.
        since = last.date if last else dt.date.min
        items = tuple(Item("after-statement", e.date, e.narration or e.payee or "", p.units.number,
                           bank.currency, _refs(e))
                      for e in view if isinstance(e, data.Transaction) and since <= e.date <= end
                      for p in e.postings if p.account == bank.account and p.units.currency == bank.currency)
        statement = last.amount.number if last else None
        unexplained = books_balance - (statement or ZERO) - sum((i.amount for i in items), ZERO)
        transit = [ch for ch in config.channels.values() if name in ch.payout_banks]
        # The statement's balance counts the lines of days no statement in the books
        # covers, the books do not: a remainder after such a hole is that statement-gap's.
        gaps = tuple(hole for hole in cover.holes(name) if last and hole[0] < last.date) if unexplained else ()
        out.append(BankRow(name, bank.account, bank.currency, last.date if last else None, statement,
                           books_balance, items, unexplained, tuple(_open_payouts(entries, transit, end, name, config, cover)),
                           tuple(_suspense_lines(entries, config, bank, start, end)), gaps))
    return out


def _last_stated(entries, config, name: str, cutoff: dt.date):
    """The bank's statement balance nearest before `cutoff`: the last `balance` of its
    account and currency that its own folder holds (not one a person or `close` wrote)."""
    bank = config.banks[name]
    stated = [e for e in entries if isinstance(e, data.Balance) and e.account == bank.account
              and e.date <= cutoff and e.amount.currency == bank.currency and _in_folder(e, config.books, name)]
    return max(stated, key=lambda e: e.date, default=None)


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


def _open_payouts(entries, channels, end: dt.date, bank: str, config, cover) -> list[Item]:
    """What each channel bound for this bank still has in transit at month end: its
    transit account's balance (which payout is which bank credit is the clearing check's
    business, by amount; its payout-missing findings name the payouts), in the currencies
    it pays out to this bank (`bank: [sparkasse, chase]`); of banks of one currency the
    account moved between (`bank: [boc, cmb]`), the latest whose statements begin by then."""
    out = []
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
        out += [Item("in-transit", end, f"{ch.name}: {ch.accounts.transit}", total, currency)
                for currency, total in sorted(totals.items()) if total and lands.get(currency, ch.bank) == bank]
    return out


def _bound_for(banks: tuple[str, ...], end: dt.date, cover) -> str:
    """Of the banks one account moved between, the one payouts went to at `end`: the
    last (in config order) whose statements begin by then; the first, before any."""
    begun = [b for b in banks if cover.start(b) and cover.start(b) <= end]
    return begun[-1] if begun else banks[0]


def _suspense_lines(entries, config, bank, start, end) -> list[Item]:
    out = []
    for e in entries:
        if isinstance(e, data.Transaction) and start <= e.date <= end:
            accounts = {p.account for p in e.postings}
            if config.suspense in accounts and bank.account in accounts:
                amount = sum((p.units.number for p in e.postings if p.account == bank.account), ZERO)
                out.append(Item("unexplained-line", e.date, e.narration or e.payee or "", amount,
                                bank.currency, _refs(e)))
    return out


def channel_rows(entries, config, fx_gaps, start: dt.date, end: dt.date, returned=None) -> list[ChannelRow]:
    """Per channel and currency, the month's figures; FX spread: the amounts of `fx_gaps`
    (the fx-gap findings, whether open, acknowledged or written off) dated in the month.
    Sales and refunds as the refund checks count them (refunds.count; `returned`: the
    refunds that return a duplicate charge, orders.Prepared.returned, when the caller
    has them)."""
    rows: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sales, sold = ChannelSales(config), defaultdict(refunds.Daily)
    if returned is None:
        returned = Prepared(entries, config).returned() if config.shops else {}
    banks = {b.account for b in config.banks.values()}
    for e in entries:
        if not isinstance(e, data.Transaction) or e.date > end:
            continue
        for name, ch in config.channels.items():  # balances at month end: every day up to it
            for p in e.postings:
                if p.account == ch.accounts.transit:
                    rows[(name, p.units.currency)]["in_transit"] += p.units.number
                elif p.account == ch.accounts.clearing:
                    rows[(name, p.units.currency)]["in_clearing"] += p.units.number
        if e.date < start:
            continue
        found = sales.of(e)
        if found is not None:
            refunds.count(sold, e, *found, returned)
        accounts = {p.account for p in e.postings}
        for name, ch in config.channels.items():
            for p in e.postings:
                if p.account == ch.accounts.fees:
                    rows[(name, p.units.currency)]["fees"] += p.units.number
                elif p.account == ch.accounts.chargebacks:
                    rows[(name, p.units.currency)]["chargebacks"] += p.units.number
                elif p.account == ch.accounts.transit and accounts & banks:   # net: a bank debit
                    rows[(name, p.units.currency)]["settled"] -= p.units.number   # (a negative payout) too
    for key, day in sold.items():
        rows[key]["sales"] += sum(day.sales.values(), ZERO)
        rows[key]["refunds"] += sum(day.refunds.values(), ZERO)
    for f in fx_gaps:
        if f.code == "fx-gap" and f.source in config.channels and start <= f.date <= end:
            rows[(f.source, f.currency)]["fx_spread"] += f.amount
    return [ChannelRow(name, currency, **figures) for (name, currency), figures in sorted(rows.items())
            if any(figures.values())]


def _key(f) -> tuple:
    return (f.code, f.source, f.refs) if f.refs else (f.code, f.source, f.account, f.date)


def finding_rows(entries, config, findings, start: dt.date, end: dt.date) -> list[FindingRow]:
    """The month's findings: open and acknowledged from the books' report; resolved are
    those the checks found on the books as they stood at month end, gone since. Those
    books hold the bank lines a booking or a match explained as the import left them
    (resolve/imported.py): the edit in place leaves no trace at any date otherwise."""
    from beanclear.resolve.imported import as_imported
    reasons = {}
    for ack in acks.acks_in(entries)[0]:
        reasons.setdefault((ack.code, ack.ref), ack.reason)
    out = []
    for f in findings:
        if f.date and start <= f.date <= end:
            reason = next((reasons[(f.code, r)] for r in f.refs if (f.code, r) in reasons), "")
            up = f.follow_up or {}
            if not reason and up.get("owner"):   # a follow-up in the books (resolve/followup.py)
                reason = f"{up['state']}: {up['owner']}, due {up['due']}" + (f" — {up['note']}" if up["note"] else "")
            elif not reason and up:
                reason = f"resolved: {up.get('note', '')}"
            out.append(_row(f, "acknowledged" if f.acknowledged else "open", reason))
    later = [e for e in entries if getattr(e, "date", end) > end]
    imported, resolutions = as_imported(entries, config)
    if later or any(r.date <= end for r in resolutions):
        # the books moved on, or lines were explained in place: what stood at month end
        # and is gone is resolved, by the booking or match that names it where one does
        now = {_key(f) for f in findings}
        # what a statement-gap now takes in is not resolved: it waits in the gap, which is
        # listed (a blind helper's credit the missing fund bill held back read "resolved")
        held = {r for f in findings if f.code == "statement-gap" for r in f.refs}
        then = reconcile.find(as_at(imported, end), config)
        unexplained = None   # the findings of the books now, but for the lines a person explained
        for f in then:
            if f.date and start <= f.date <= end and f.code != "stale-ack" and _key(f) not in now \
                    and not (f.refs and held.issuperset(f.refs[:1])):
                how = next((r.how for r in resolutions if r.settles(f)), None)
                if how is not None:
                    # a match naming one of its refs settled it only if the books without the
                    # matches still hold it: a duplicate charge refunded in August was not
                    # resolved by July's bank line matched to the payout that took it
                    if unexplained is None:
                        unexplained = {_key(g) for g in reconcile.find(imported, config)}
                    how = how if _key(f) in unexplained else None
                out.append(_row(f, "resolved", how or "resolved by the books after the month's end"))
    out += written_off_rows(entries, config, start, end)
    order = {"open": 0, "acknowledged": 1, "resolved": 2}
    return sorted(out, key=lambda r: (order[r.status], r.date, r.code, r.source, r.refs))


def written_off_rows(entries, config, start: dt.date, end: dt.date) -> list[FindingRow]:
    """The month's write-offs within their limit: the findings they settled are gone from
    the books' report, so the month's report says what settled them and where it went.
    (One above the limit keeps its finding, listed acknowledged with the reason.)"""
    from beanclear.resolve.writeoff import META
    out, offs = [], [e for e in entries if isinstance(e, data.Transaction) and e.meta.get(META) and e.flag != "!"
                     and start <= e.date <= end and e.postings]
    sources = fx.account_sources(config) if offs else {}
    sources.update({shop.accounts.receivable: name for name, shop in config.shops.items()} if offs else {})
    for e in offs:
        into = next((p for p in e.postings if p.units.number > 0), e.postings[0])
        settles = tuple(str(e.meta.get("settles", "")).split())
        out.append(FindingRow("resolved", str(e.meta[META]), "", e.date, _written_off_source(e, settles, entries, sources),
                              into.units.number, into.units.currency, settles, e.narration,
                              f"written off to {into.account}"))
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
