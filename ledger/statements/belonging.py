"""A statement that does not belong in the books is stopped before anything is written.

A PayPal statement of another account and another year went into a tea house's books
without a word (92 entries; `check` went from 15 to 190 errors). Now, against what the
books already hold of the same source (statements/coverage.py records both):

- a statement of another account than the source's statements so far (the number it
  names: IBAN, OFX ACCTID, MT940 :25:; an IBAN and the domestic number it ends with are
  one account, banking.one_account) is refused: give that account a source of its own,
  with `account_id` in config.yaml;
- a statement whose days are more than FAR_DAYS from every day the source's statements
  cover is refused: another year, or another merchant's file.

Of a bank, a statement of days a statement in another format covers is refused
(one_format): the format each statement was in is its coverage record's `format:`,
whatever the bank's `type` lists now (blind12: June's MT940 imported under `type:
mt940`, then a CAMT.053 from 29 June under `[mt940, camt053]` or `camt053` alone was
booked whole, its first two days twice). Records written before banks of one type
recorded their format name none, and are not judged.

A statement's own rows are judged too (strays): a row more than FAR_DAYS from every
other row of its statement, and from the period it states, is refused at its line (a
year typed 2025 for 2026 on one row of a day's bill covered a year from one bill and
hid every hole in it). A row after today is refused as it is read, whatever the
statement (importers/base.py Latest).

`beanclear import --force` imports it anyway. A source's first statement is never
refused: there is nothing to compare it with. Nor is a channel's own answer for the days
`beanclear fetch` asked of its API (or a verified webhook's object) refused for its days:
they are what was asked, and a merchant whose fetch stopped for a quarter (serve down, a
key expired) gets the days since, one after the other from where the books end (blind10:
refused at every run while the status said ok). Its account is still checked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from beanclear.importers.banking import one_account
from beanclear.importers.toolkit import StatementError
from beanclear.statements.coverage import Days, period

FAR_DAYS = 92   # a quarter: statements a merchant downloads late still fall inside it
_ADVICE = "give that account a source of its own (account_id in config.yaml), or pass --force to import it as this one"


def _one(mine: str, account: str) -> bool:
    """Whether two accounts a source's statements state are one (an IBAN and the domestic
    number it ends with are: banking.one_account)."""
    return mine == account or one_account(mine, account)


class Read(NamedTuple):
    """A statement an import read before the one judged: its file, its days (None: it
    states none), the account it states, its bank format (None: a channel's)."""
    path: Path
    span: tuple[dt.date, dt.date] | None
    account: str | None
    form: str | None


def formats(read: list[Read]) -> list[tuple]:
    """The statements of `read` that a bank format names, as Books.statements gives them."""
    return [(*r.span, None, r.form) for r in read if r.span and r.form]


def check(path, source: str, extraction, recorded: list[tuple[dt.date, dt.date, str | None, str | None]],
          asked: bool = False, read: list[Read] = ()) -> None:
    """Raise StatementError when a statement does not belong with the source's `recorded`
    statements ((first day, last day, account, format) each, Books.statements), or with
    the statements of the source this import read before it (`read`): one import of two
    files is judged as two imports are, by their days (blind30: two merchants' Stripe
    CSVs 826 days apart) and by the accounts they state (blind30: a PayPal Balances
    response of another account, in one folder with the transactions). `asked`:
    the channel's own answer for days asked of its API, whose days are not judged."""
    mine = getattr(extraction, "account", None)
    other = next((r for r in read if mine and r.account and not _one(mine, r.account)), None)
    if other:
        raise StatementError(path, 1, f"a statement of account {mine}, but {Path(other.path).name} of this import is "
                             f"{source}'s statement of {other.account}: {_ADVICE}")
    before = [(*r.span, None, None) for r in read if r.span]
    held = " and ".join((["the books"] if recorded else []) + (["this import's files before it"] if before else []))
    recorded = [*recorded, *before]
    if not recorded:
        return
    accounts = sorted({account for _, _, account, _ in recorded if account})
    if mine and accounts and not any(_one(mine, a) for a in accounts):
        raise StatementError(path, 1, f"a statement of account {mine}, but the books hold {source}'s statements of "
                             f"{', '.join(accounts)}: {_ADVICE}")
    span = period(extraction)   # (judged here as before, whoever asked: coverage._judge)
    first, last = min(r[0] for r in recorded), max(r[1] for r in recorded)
    if span and not asked and (span[1] < first - dt.timedelta(days=FAR_DAYS) or span[0] > last + dt.timedelta(days=FAR_DAYS)):
        raise StatementError(path, 1, f"covers {span[0]} to {span[1]}, more than {FAR_DAYS} days from the {first} to "
                             f"{last} {held} hold of {source} (another year, or another merchant's file?); pass --force "
                             "to import it anyway")


def one_format(path, source: str, form: str, extraction, statements: list[tuple]) -> None:
    """Of a bank, a statement in `form` whose days a statement in another format covers
    (`statements`: the books' and this import's, as Books.statements gives them, each
    with the format its record names) is refused: the formats give one line different
    ids (an MT940 line has none of its own), so the days a bank sent in both while it
    moved its customers over would be booked twice."""
    span = period(extraction)
    for first, last, _, other in statements:
        if span and other and other != form and first <= span[1] and span[0] <= last:
            raise StatementError(path, 1, f"a {form} statement of {span[0]} to {span[1]}, but {source}'s {other} "
                                 f"statement of {first} to {last} covers days of it: its lines would be booked a "
                                 "second time (the formats give a line different ids); import each day in one "
                                 "format, or pass --force to import it anyway")


def strays(path, extraction, days: Days) -> None:
    """Raise StatementError at the line of a row of a statement that strays from the
    statement's other rows: more than FAR_DAYS from every other row of it (the rows the
    books held already count, `held_active`), and from the period it states where it
    states one (as coverage.period judges it: one that cannot be its period is none). A
    row so far from the rest is a mistyped date, not a day the statement covers: taken
    as one, its coverage would reach from one to the other, a year of a day's bill,
    and no hole between would be seen (blind13). Judged only against a body, one run of
    its stated period and its rows near each other or near it, without FAR_DAYS between:
    a statement of a few rows all months apart (a quiet account's year, no period
    stated), or of runs of rows years apart (a wallet's export of everything, the
    sample deg-wechat-records), has none for one to stray from. How long a statement is
    says nothing: a year of rows a month apart strays nowhere. Two rows mistyped alike
    (one day) are a run of their own: not told from such a statement, left.
    `days`: the Days of its entries."""
    lines = days.lines
    if not lines:
        return
    period(extraction)   # its stated period judged (coverage._judge), whoever asked first
    stated = getattr(extraction, "period", None)
    held = getattr(extraction, "held_active", None) or set()
    every = sorted(set(lines) | held)
    far = dt.timedelta(days=FAR_DAYS)
    lone = {}   # day -> the nearest other day, of the days of one row far from every other row
    for at, day in enumerate(every):
        if day in days.again or (day in held and day in lines):
            continue   # rows of more than one line that day
        around = [every[i] for i in (at - 1, at + 1) if 0 <= i < len(every)]
        other = min(around, key=lambda them: abs(them - day), default=None)
        if other is None or abs(other - day) > far:
            lone[day] = other
    if not lone:
        return

    def outside(day: dt.date) -> dt.timedelta:   # how far a day is from the period it states
        return (stated[0] - day) if day < stated[0] else (day - stated[1]) if day > stated[1] else dt.timedelta(0)
    strays = [day for day in lone if day in lines and (stated is None or outside(day) > far)]
    # The body they stray from: its stated period and its rows near each other or it, one
    # run without FAR_DAYS between (rows spread over years, as a quiet wallet's export of
    # everything, have no body for one to stray from; nor has a statement of rows all
    # months apart, no period stated)
    body = sorted(([tuple(stated)] if stated else []) + [(day, day) for day in every if day not in lone
                                                         or (stated is not None and outside(day) <= far)])
    if not strays or not body:
        return
    reach = body[0][1]
    for first, last in body[1:]:
        if first - reach > far:
            return
        reach = max(reach, last)
    day = min(strays, key=lambda d: (lines[d] is None, lines[d] or 0, d))
    other = lone[day]
    line = lines[day] or 1
    nearest = "" if other is None else (f" (the nearest is dated {other}"
                                        + (f", line {lines[other]}" if lines.get(other) else "") + ")")
    also = "" if stated is None else f", and from the period it states, {stated[0]} to {stated[1]}"
    raise StatementError(path, line, f"a row dated {day}, more than {FAR_DAYS} days from every other row of the "
                         f"statement{nearest}{also}: a mistyped date? Its days would be taken as covered from one to "
                         "the other; correct it in the file, or pass --force to import it as it is")
