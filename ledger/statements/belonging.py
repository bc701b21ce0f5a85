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

`beanclear import --force` imports it anyway. A source's first statement is never
refused: there is nothing to compare it with. Nor is a channel's own answer for the days
`beanclear fetch` asked of its API (or a verified webhook's object) refused for its days:
they are what was asked, and a merchant whose fetch stopped for a quarter (serve down, a
key expired) gets the days since, one after the other from where the books end (blind10:
refused at every run while the status said ok). Its account is still checked.
"""

from __future__ import annotations

import datetime as dt

from beanclear.importers.banking import one_account
from beanclear.importers.toolkit import StatementError
from beanclear.statements.coverage import period

FAR_DAYS = 92   # a quarter: statements a merchant downloads late still fall inside it


def check(path, source: str, extraction, recorded: list[tuple[dt.date, dt.date, str | None, str | None]],
          asked: bool = False) -> None:
    """Raise StatementError when a statement does not belong with the source's `recorded`
    statements ((first day, last day, account, format) each, Books.statements). `asked`:
    the channel's own answer for days asked of its API, whose days are not judged."""
    if not recorded:
        return
    accounts = sorted({account for _, _, account, _ in recorded if account})
    mine = getattr(extraction, "account", None)
    if mine and accounts and mine not in accounts and not any(one_account(mine, a) for a in accounts):
        raise StatementError(path, 1, f"a statement of account {mine}, but the books hold {source}'s statements of "
                             f"{', '.join(accounts)}: give that account a source of its own (account_id in "
                             "config.yaml), or pass --force to import it as this one")
    span = period(extraction)   # (judged here as before, whoever asked: coverage._judge)
    first, last = min(r[0] for r in recorded), max(r[1] for r in recorded)
    if span and not asked and (span[1] < first - dt.timedelta(days=FAR_DAYS) or span[0] > last + dt.timedelta(days=FAR_DAYS)):
        raise StatementError(path, 1, f"covers {span[0]} to {span[1]}, more than {FAR_DAYS} days from the {first} to "
                             f"{last} the books hold of {source} (another year, or another merchant's file?); "
                             "pass --force to import it anyway")


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
