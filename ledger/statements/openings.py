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
difference. The opening is dated the same either way: the end of the day before the
first line or assertion. `opening_balance` in config.yaml wins: an account with one
gets nothing from here.

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


@dataclass(frozen=True)
class Opening:
    account: str
    currency: str
    date: dt.date        # the end of this day, the day before the statement's first line
    amount: Decimal
    held: Decimal = Decimal(0)   # what the books held there already (a person's own entries), left out of `amount`
    # The moment the statement it is worked back from starts, where that is inside a day
    # (base.from_its_start): the rows of that day before it count as far as the books hold
    # them, and those booked later move it (`statement-starts:`, importing.first_openings).
    starts: dt.datetime | None = None

    @property
    def ident(self) -> str:
        return f"opening {self.account} {self.currency}"


class Sums:
    """What implied() needs of an import's new entries, gathered one entry at a time in
    a pass the import makes anyway (they may be on disk: a pass of their own reads them
    all again): per (account, currency) the first balance assertion, with a tag (whose
    it is), and per (account, currency, day) the sum posted. Bounded by accounts × days,
    not by entries."""

    def __init__(self):
        self.first: dict[tuple[str, str], tuple[data.Balance, object]] = {}
        self.daily: dict[tuple[str, str, dt.date], Decimal] = {}

    def add(self, entry, tag=None) -> None:
        if isinstance(entry, data.Balance):
            key = (entry.account, entry.amount.currency)
            if key not in self.first or entry.date < self.first[key][0].date:
                self.first[key] = (entry, tag)
        elif isinstance(entry, data.Transaction):
            daily, day = self.daily, entry.date
            for p in entry.postings:
                key = (p.account, p.units.currency, day)
                daily[key] = daily.get(key, 0) + p.units.number

    def update(self, other: "Sums") -> None:
        """`other`'s entries as if added after these."""
        for key, (asserted, tag) in other.first.items():
            if key not in self.first or asserted.date < self.first[key][0].date:
                self.first[key] = (asserted, tag)
        daily = self.daily
        for key, number in other.daily.items():
            daily[key] = daily.get(key, 0) + number


def implied(sums: Sums, prior=None, stated=None) -> list[tuple[Opening, data.Balance, object, Decimal]]:
    """The opening of every (account, currency) the entries assert a balance of, with the
    first assertion it comes from, its tag, and the amount that assertion implies. `sums`
    are of everything an import adds (all its statements, each movement once);
    `prior(account, currency, date)` gives the sum and the first date of what the books
    already hold on the account before `date` (a trade bill imported before the account's
    first statement with balances). `stated` ((account, currency) -> base.StatedOpening)
    are the balances the first statements state: where one starts no later than the first
    assertion, the opening is it, less what was posted before it; else the assertion's.
    The date is the same either way. Sums of Decimals are exact: a day's sum first and
    then the days' gives the same number."""
    stated = {key: said for key, said in (stated or {}).items()
              if key in sums.first and said.day <= sums.first[key][0].date}
    before = {key: Decimal(0) for key in sums.first}
    ahead = {key: Decimal(0) for key in stated}   # posted before the stated balance
    start = {key: asserted.date - dt.timedelta(days=1) for key, (asserted, _) in sums.first.items()}
    for (account, currency, day), number in sums.daily.items():
        key = (account, currency)
        if key in start:
            start[key] = min(start[key], day - dt.timedelta(days=1))
            if day < sums.first[key][0].date:
                before[key] += number
            if key in stated and day < stated[key].day:
                ahead[key] += number
    out = []
    for key, (asserted, tag) in sorted(sums.first.items(), key=lambda item: item[0]):
        account, currency = key
        held, earliest = prior(account, currency, asserted.date) if prior else (Decimal(0), None)
        day = min(start[key], earliest - dt.timedelta(days=1)) if earliest else start[key]
        amount = derived = asserted.amount.number - before[key] - held
        if key in stated:
            said = stated[key]
            held_then = prior(account, currency, said.day)[0] if earliest else held   # none before: 0
            opened = said.amount - ahead[key] - held_then
            amount = derived if opened == derived else opened   # equal: as written before, to the digit
        out.append((Opening(account, currency, day, amount), asserted, tag, derived))
    return out
