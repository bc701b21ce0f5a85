"""A bank statement that opens on another amount than the books hold at its start: one
cause, named in the one finding it gives.

Each coverage record of a bank's statements says what its first statement opens with
(`opens: "780.00 EUR"`, the MT940 `:60F:`, the CAMT `OPBD`: coverage.parts), and a file
of several statements has a record of its own from each one that opens off the close
before it. Where that is not what the books hold at the start of the record's first day
(the last balance asserted by then, and the books' rows after it), the first balance
asserted after that day fails by the difference, and so does every later one:

    2026-10-21 balance Assets:Bank:Commerzbank   900.00 EUR   ; the 10-20 statement's close: holds
    ;            the 10-21 statement opens at 780.00: the bank left a debit of 120.00 out
    2026-10-22 balance Assets:Bank:Commerzbank   700.00 EUR   ; 120.00 too much

That failure is the finding of it, whatever else it is folded into: Beancount's own
(`beancount`, its later ones said in it: checking.one_difference) where the statements
cover every day up to it, the `statement-gap` of the days between the two statements
where they leave some (checking.behind_holes, checks/missing_rows.py), the bank's split
of its files deciding neither (blind29 bankvariants: one file gave `beancount`, two files
`statement-gap`). Each says which statement opens where, and what the books hold then,
as the import said it (books/late_balances.py `disagreeing`)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanclear.checks.directives import COVERAGE
from beanclear.importers.toolkit.places import shown
from beanclear.periods.closed import is_periods_file


@dataclass(frozen=True)
class Opening:
    """A statement's opening the books did not hold at its start."""
    account: str
    currency: str
    day: dt.date          # the first day of its record: the opening is of its start
    statement: str        # the file's name, as its record says
    opens: Decimal
    held: Decimal         # the balance asserted on `since`, with the books' rows after it
    since: dt.date
    lines: bool           # whether the books post to the account between `since` and `day`

    @property
    def more(self) -> Decimal:
        """How much more the books hold than the bank says (negative: less)."""
        return self.held - self.opens

    def said(self) -> str:
        money = lambda value: f"{shown(value, self.currency)} {self.currency}"  # noqa: E731
        return (f"its statement of {self.day} ({self.statement}) opens {self.account} at {money(self.opens)}, but the "
                f"books hold {money(self.held)} then (the balance of {self.since}"
                f"{' and the lines after it' if self.lines else ''}): {money(abs(self.more))} "
                f"{'more' if self.more > 0 else 'less'} than the bank says")


class Openings:
    """The openings of a bank's statements that the books did not hold, found the first
    time one is asked for (a pass over the books: only where a balance fails), by the
    balance assertion they make fail first: (account, its day) -> Opening."""

    def __init__(self, entries, config):
        self.entries, self.config = entries, config
        self._found: dict | None = None

    def failing(self, account: str, day: dt.date, off: Decimal) -> Opening | None:
        """The opening whose difference `off` (the books less the statement) makes the
        balance of `account` asserted on `day` fail first, or None."""
        if self._found is None:
            self._found = _found(self.entries, self.config)
        opening = self._found.get((account, day))
        return opening if opening is not None and abs(opening.more - off) < Decimal("0.005") else None


def _opens(text) -> list[tuple[str, Decimal]]:
    """(currency, amount) of a record's `opens: "780.00 EUR, 10.00 USD"`; none where it is not that."""
    out = []
    for part in str(text).split(","):
        amount, _, currency = part.strip().partition(" ")
        try:
            out.append((currency, Decimal(amount)))
        except ArithmeticError:
            return []
    return out


def _found(entries, config) -> dict:
    banks = {name: bank.account for name, bank in config.banks.items()}
    said = []   # (account, currency, day, statement, amount) of each record's opening
    for entry in entries:
        if type(entry) is data.Custom and entry.type == COVERAGE and "opens" in entry.meta \
                and "starts" not in entry.meta and len(entry.values) >= 2:
            account = banks.get(str(entry.values[0].value))
            if account is not None:
                said += [(account, currency, entry.values[1].value, str(entry.meta.get("statement", "")), amount)
                         for currency, amount in _opens(entry.meta["opens"])]
    if not said:
        return {}
    wanted = {(account, currency) for account, currency, *_ in said}
    asserted: dict = {}   # (account, currency) -> [(day, amount)] of its balances
    moves: dict = {}      # (account, currency) -> [(day, number)] of what the books post to it
    closes: dict = {}     # a file -> whether it is periods.beancount (a month's close: no statement's)
    for entry in entries:
        if type(entry) is data.Transaction:
            for p in entry.postings:
                key = (p.account, p.units.currency)
                if key in wanted:
                    moves.setdefault(key, []).append((entry.date, p.units.number))
        elif type(entry) is data.Balance and (entry.account, entry.amount.currency) in wanted:
            name = entry.meta.get("filename")
            if name not in closes:
                closes[name] = name is not None and is_periods_file(config.books, name)
            if not closes[name]:
                asserted.setdefault((entry.account, entry.amount.currency), []).append((entry.date, entry.amount.number))
    for rows in (*asserted.values(), *moves.values()):
        rows.sort(key=lambda row: row[0])
    out = {}
    for account, currency, day, statement, amount in said:
        balances = asserted.get((account, currency), [])
        at = bisect.bisect_right(balances, day, key=lambda row: row[0])   # those of `day` and before
        if at == 0 or at == len(balances):   # nothing to hold it against, or nothing it makes fail
            continue
        since, number = balances[at - 1]
        posted = moves.get((account, currency), [])
        between = posted[bisect.bisect_left(posted, since, key=lambda row: row[0]):
                         bisect.bisect_left(posted, day, key=lambda row: row[0])]
        held = number + sum((moved for _, moved in between), Decimal(0))
        if held != amount:
            out[(account, balances[at][0])] = Opening(account, currency, day, statement, amount, held, since,
                                                      bool(between))
    return out
