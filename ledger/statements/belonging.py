"""A statement that does not belong in the books is stopped before anything is written.

A PayPal statement of another account and another year went into a tea house's books
without a word (92 entries; `check` went from 15 to 190 errors). Now, against what the
books already hold of the same source (statements/coverage.py records both):

- a statement of another account than the source's statements so far (the number it
  names: IBAN, OFX ACCTID, MT940 :25:) is refused: give that account a source of its
  own, with `account_id` in config.yaml;
- a statement whose days are more than FAR_DAYS from every day the source's statements
  cover is refused: another year, or another merchant's file.

`beanclear import --force` imports it anyway. A source's first statement is never
refused: there is nothing to compare it with.
"""

from __future__ import annotations

import datetime as dt

from beanclear.importers.toolkit import StatementError
from beanclear.statements.coverage import period

FAR_DAYS = 92   # a quarter: statements a merchant downloads late still fall inside it


def check(path, source: str, extraction, recorded: list[tuple[dt.date, dt.date, str | None]]) -> None:
    """Raise StatementError when a statement does not belong with the source's `recorded`
    statements ((first day, last day, account) each, Books.statements)."""
    if not recorded:
        return
    accounts = sorted({account for _, _, account in recorded if account})
    mine = getattr(extraction, "account", None)
    if mine and accounts and mine not in accounts:
        raise StatementError(path, 1, f"a statement of account {mine}, but the books hold {source}'s statements of "
                             f"{', '.join(accounts)}: give that account a source of its own (account_id in "
                             "config.yaml), or pass --force to import it as this one")
    span = period(extraction)
    first, last = min(r[0] for r in recorded), max(r[1] for r in recorded)
    if span and (span[1] < first - dt.timedelta(days=FAR_DAYS) or span[0] > last + dt.timedelta(days=FAR_DAYS)):
        raise StatementError(path, 1, f"covers {span[0]} to {span[1]}, more than {FAR_DAYS} days from the {first} to "
                             f"{last} the books hold of {source} (another year, or another merchant's file?); "
                             "pass --force to import it anyway")
