"""The opening balance an account's first statement gives (DESIGN.md §1, "Openings
come from the statements").

An account's first statement starts with money in it. Where it states that balance
(MT940 `:60F:`/`:60M:`, CAMT `OPBD`/`PRCD` of the earliest statement: the importer's
Extraction.stated_openings), the books open with it, less anything posted before the
statement (rarely anything). Where it does not (OFX, a running balance column, a
channel), the opening is worked back from its first `balance` assertion less the lines
before it:

    2026-01-02 * "收入"  ; 100.00 in            2026-01-03 balance Assets:Bank:ICBC  5100.00 CNY

implies 5,000.00 CNY at the end of 2026-01-01, written once, on the first import of
the account, from `Equity:Opening-Balances`:

    2026-01-01 * "Opening balance" "Assets:Bank:ICBC at the end of the day, from icbc.csv"
      id: "opening Assets:Bank:ICBC CNY"
      Assets:Bank:ICBC                        5000.00 CNY
      Equity:Opening-Balances

A statement that starts inside a day (`起始日期：[2026年03月10日 14:00:00]`, a CAMT `OPBD`
stamped 14:00) knows its balance at that moment, not at the start of the day: the rows
of the day before it are in the download before. The opening worked back from its first
balance counts them where the books hold them, and says the moment; those the books
book later move it, as importing both at once would have implied it:

    2026-03-09 * "Opening balance" "Assets:Bank:Ops at the end of the day, from b.csv"
      id: "opening Assets:Bank:Ops CNY"
      statement-starts: "2026-03-10 14:00:00"
      Assets:Bank:Ops                         1150.00 CNY
      Equity:Opening-Balances

A statement whose lines add up gives the same opening either way. One that does not (a
line beanclear could not read, a trimmed file) opens at its stated balance, so its
closing assertion fails in `beanclear check` instead of the opening absorbing the
difference. `opening_balance` in config.yaml wins: an account with one gets nothing
from here.

The opening is dated the same either way: the end of the day before the first day of
the period a statement of the account states (an ICBC 明细's `起始日期`, CAMT `FrDtTm`,
OFX `DTSTART`, the day after MT940's `:60F:`, a bill's 起始时间: coverage.py reads the
same days), or before its first line or assertion where that is earlier. A statement
that states no period is known from its first line only (its quiet first days are
unknown): the day before its first line or assertion. An ICBC 明细 of 2026-10-01 to
2026-10-15 whose first line is on 10-02 opens at the end of 09-30, as the WeChat fund
bill beside it whose first line is on 10-01 does: dated its first line's eve, the two
disagreed on the day the books start (blind32), and the opening fell on a day the
statement covers (it says what the account held all of 10-01). Only a statement that
asserts the account's balance dates its opening so (Sums.covers): a trade view's days
say nothing of the clearing account's money.

A channel's opening is not worked back over what a view without payouts (WeChat 交易账单,
Alipay 业务明细) books before the first day a statement showing the channel's payouts covers
(its fund view: `floors`): that is money no statement shows paid out. Worked into the
opening, it vanished into equity (blind29: October's trade bill, 1,739.50 CNY net, moved
the opening of November's fund bill to -1,739.50). It stays before the opening, and the
first balance fails by it: one `statement-gap` of those days (checks/missing_rows.py).
A payment at 23:59:58 whose money the fund view books after midnight (`fund-date:`,
books/in_flight.py) is the fund view's money: it counts.

Books kept before beanclear (a person's own file, included from main.beancount) may hold
money on the account already on that day: the opening is what the statement says the
account held, so the entry is the difference, and nothing when they agree
(importing.first_openings, Books.held):

    2026-06-30 * "Opening balance" "Assets:Bank:Sparkasse at the end of the day, from camt.xml, less 18000.00 EUR the books held already"
      id: "opening Assets:Bank:Sparkasse EUR"
      Assets:Bank:Sparkasse                    234.56 EUR
      Equity:Opening-Balances
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanclear.statements import coverage


@dataclass(frozen=True)
class Opening:
    account: str
    currency: str
    date: dt.date        # the end of this day: the eve of the period its statement states, or of its first line
    amount: Decimal
    held: Decimal = Decimal(0)   # what the books held there already (a person's own entries), left out of `amount`
    # The moment the statement it is worked back from starts, where that is inside a day
    # (base.from_its_start): the rows of that day before it count as far as the books hold
    # them, and those booked later move it (`statement-starts:`, importing.first_openings).
    starts: dt.datetime | None = None

    @property
    def ident(self) -> str:
        return f"opening {self.account} {self.currency}"


FUND_DATE = "fund-date"   # books/in_flight.py KEY: the day the fund view books a trade entry's money


def reaches(entry) -> dt.date:
    """The day a trade view's entry is the fund view's money: its own, or the later day
    the fund view books it on (in flight over midnight: `fund-date:`)."""
    day = entry.meta.get(FUND_DATE) if entry.meta else None
    return max(entry.date, dt.date.fromisoformat(day)) if day else entry.date


def counts(floor: dt.date | None, reached: dt.date | None) -> bool:
    """Whether money of a view without payouts that is the fund view's from `reached` on
    (None: money of a statement showing payouts, or of another source) may be worked into
    an opening whose payouts' statements start on `floor` (None: any day)."""
    return floor is None or reached is None or reached >= floor


class Sums:
    """What implied() needs of an import's new entries, gathered one entry at a time in
    a pass the import makes anyway (they may be on disk: a pass of their own reads them
    all again): per (account, currency) the first balance assertion, with a tag (whose
    it is), the first day of the period a statement asserting it states (covers()), and
    per (account, currency, day, reaches() of a view without payouts, else None) the sum
    posted. Bounded by accounts × days, not by entries."""

    def __init__(self):
        self.first: dict[tuple[str, str], tuple[data.Balance, object]] = {}
        self.daily: dict[tuple[str, str, dt.date, dt.date | None], Decimal] = {}
        self.starts: dict[tuple[str, str], dt.date] = {}

    def covers(self, extraction) -> None:
        """The statement these sums are of (its entries added): each account it asserts a
        balance of is known from the first day of the period it states, and opens at the
        end of the day before (the module doc). As coverage.period judges it: a period
        that cannot be the statement's is none. Not the days coverage reads from its lines:
        a balance covers the day before it there, but a statement of balances alone (PayPal's
        Balances response) knows that day's end, not its start."""
        coverage.period(extraction)   # (judged: a period not_coverage refuses is dropped)
        period = getattr(extraction, "period", None)
        if not period:
            return
        first = period[0]
        for key in self.first:
            if key not in self.starts or first < self.starts[key]:
                self.starts[key] = first

    def add(self, entry, tag=None, payouts: bool = True) -> None:
        """`payouts`: whether the statement of `entry` can show payouts (a trade view cannot)."""
        if isinstance(entry, data.Balance):
            key = (entry.account, entry.amount.currency)
            if key not in self.first or entry.date < self.first[key][0].date:
                self.first[key] = (entry, tag)
        elif isinstance(entry, data.Transaction):
            daily, day = self.daily, entry.date
            reached = None if payouts else reaches(entry)
            for p in entry.postings:
                key = (p.account, p.units.currency, day, reached)
                daily[key] = daily.get(key, 0) + p.units.number

    def update(self, other: "Sums") -> None:
        """`other`'s entries as if added after these."""
        for key, (asserted, tag) in other.first.items():
            if key not in self.first or asserted.date < self.first[key][0].date:
                self.first[key] = (asserted, tag)
        daily = self.daily
        for key, number in other.daily.items():
            daily[key] = daily.get(key, 0) + number
        for key, first in other.starts.items():
            if key not in self.starts or first < self.starts[key]:
                self.starts[key] = first


def implied(sums: Sums, prior=None, stated=None, floors=None) \
        -> list[tuple[Opening, data.Balance, object, Decimal, Decimal]]:
    """The opening of every (account, currency) the entries assert a balance of, with the
    first assertion it comes from, its tag, the amount that assertion implies, and what
    was booked before it that the opening leaves out (below). `sums` are of everything an
    import adds (all its statements, each movement once); `prior(account, currency, date,
    floor)` gives the sum and the first date of what the books already hold on the account
    before `date` (a trade bill imported before the account's first statement with
    balances), and the sum of what of it `floor` leaves out. `stated` ((account, currency) -> base.StatedOpening) are the
    balances the first statements state: where one starts no later than the first
    assertion, the opening is it, less what was posted before it; else the assertion's.
    The date is the same either way: the end of the day before the first day of the
    period a statement asserting the account states (Sums.covers), of its first line or
    of its first assertion, whichever is earliest. `floors` (account -> day) are the first day a
    statement showing a channel's payouts covers: what a view without payouts books on
    its clearing account before then (but money in flight into it) is not worked into its
    opening (module doc). Sums of Decimals are exact: a day's sum first and then the
    days' gives the same number."""
    floors = floors or {}
    stated = {key: said for key, said in (stated or {}).items()
              if key in sums.first and said.day <= sums.first[key][0].date}
    before = {key: Decimal(0) for key in sums.first}
    left = {key: Decimal(0) for key in sums.first}   # booked before the first assertion, not counted
    ahead = {key: Decimal(0) for key in stated}   # posted before the stated balance
    start = {key: min(asserted.date, sums.starts.get(key, asserted.date)) - dt.timedelta(days=1)
             for key, (asserted, _) in sums.first.items()}
    for (account, currency, day, reached), number in sums.daily.items():
        key = (account, currency)
        if key in start:
            if not counts(floors.get(account), reached):
                if day < sums.first[key][0].date:
                    left[key] += number
                continue
            start[key] = min(start[key], day - dt.timedelta(days=1))
            if day < sums.first[key][0].date:
                before[key] += number
            if key in stated and day < stated[key].day:
                ahead[key] += number
    out = []
    for key, (asserted, tag) in sorted(sums.first.items(), key=lambda item: item[0]):
        account, currency = key
        floor = floors.get(account)
        held, earliest, gone = prior(account, currency, asserted.date, floor) if prior else (Decimal(0), None, 0)
        day = min(start[key], earliest - dt.timedelta(days=1)) if earliest else start[key]
        amount = derived = asserted.amount.number - before[key] - held
        if key in stated:
            said = stated[key]
            held_then = prior(account, currency, said.day, floor)[0] if earliest else held   # none before: 0
            opened = said.amount - ahead[key] - held_then
            amount = derived if opened == derived else opened   # equal: as written before, to the digit
        out.append((Opening(account, currency, day, amount), asserted, tag, derived, left[key] + gone))
    return out
