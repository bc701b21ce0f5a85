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


def implied(entries, prior=None) -> list[tuple[Opening, data.Balance]]:
    """The opening of every (account, currency) the entries assert a balance of, with the
    first assertion it comes from. `entries` are everything an import adds (all its
    statements, each movement once); `prior(account, currency, date)` gives the sum and
    the first date of what the books already hold on the account before `date` (a trade
    bill imported before the account's first statement with balances)."""
    first: dict[tuple[str, str], data.Balance] = {}
    for entry in entries:
        if isinstance(entry, data.Balance):
            key = (entry.account, entry.amount.currency)
            if key not in first or entry.date < first[key].date:
                first[key] = entry
    before = {key: Decimal(0) for key in first}
    start = {key: b.date - dt.timedelta(days=1) for key, b in first.items()}
    for entry in entries:  # one pass: a statement may hold a million lines
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                key = (p.account, p.units.currency)
                if key in first:
                    start[key] = min(start[key], entry.date - dt.timedelta(days=1))
                    if entry.date < first[key].date:
                        before[key] += p.units.number
    out = []
    for (account, currency), asserted in sorted(first.items()):
        held, earliest = prior(account, currency, asserted.date) if prior else (Decimal(0), None)
        day = min(start[(account, currency)], earliest - dt.timedelta(days=1)) if earliest else start[(account, currency)]
        amount = asserted.amount.number - before[(account, currency)] - held
        out.append((Opening(account, currency, day, amount), asserted))
    return out
