"""The opening balance a statement implies (DESIGN.md §1, "Openings come from the
statements").

An account's first statement starts with money in it. Every statement that gives a
balance (CAMT `OPBD`/`CLBD`, MT940 `:60F:`/`:62F:`, OFX `LEDGERBAL`, a running balance
column) yields `balance` assertions; the opening is the first assertion less the lines
of the statement before it:

    2026-01-02 * "收入"  ; 100.00 in            2026-01-03 balance Assets:Bank:ICBC  5100.00 CNY

implies 5,000.00 CNY at the end of 2026-01-01, written once, on the first import of
the account, from `Equity:Opening-Balances`:

    2026-01-01 * "Opening balance" "Assets:Bank:ICBC at the end of the day, from icbc.csv"
      id: "opening Assets:Bank:ICBC CNY"
      Assets:Bank:ICBC                        5000.00 CNY
      Equity:Opening-Balances

`opening_balance` in config.yaml wins: an account with one gets nothing from here.
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


def implied(sums: Sums, prior=None) -> list[tuple[Opening, data.Balance, object]]:
    """The opening of every (account, currency) the entries assert a balance of, with the
    first assertion it comes from and its tag. `sums` are of everything an import adds
    (all its statements, each movement once); `prior(account, currency, date)` gives the
    sum and the first date of what the books already hold on the account before `date`
    (a trade bill imported before the account's first statement with balances). Sums of
    Decimals are exact: a day's sum first and then the days' gives the same number."""
    before = {key: Decimal(0) for key in sums.first}
    start = {key: asserted.date - dt.timedelta(days=1) for key, (asserted, _) in sums.first.items()}
    for (account, currency, day), number in sums.daily.items():
        key = (account, currency)
        if key in start:
            start[key] = min(start[key], day - dt.timedelta(days=1))
            if day < sums.first[key][0].date:
                before[key] += number
    out = []
    for key, (asserted, tag) in sorted(sums.first.items(), key=lambda item: item[0]):
        account, currency = key
        held, earliest = prior(account, currency, asserted.date) if prior else (Decimal(0), None)
        day = min(start[key], earliest - dt.timedelta(days=1)) if earliest else start[key]
        amount = asserted.amount.number - before[key] - held
        out.append((Opening(account, currency, day, amount), asserted, tag))
    return out
