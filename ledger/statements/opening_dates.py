"""A source's `opening_balance` dated after the first line booked on its account is
refused before anything is written.

`opening_balance: {date, amount}` is what the account held at the end of `date`, before
its first statement (README "Every key"): the books write it as an entry of that day,
and every line of the statements adds to it. Dated after lines of the account, it comes
after them: the balances asserted between fail by its amount, and the findings blame a
missing statement of days before (blind31 configkeys: `banks.cmb.opening_balance.date:
2026-03-08` beside a statement from 03-04 gave "no statement of cmb covers 2026-03-01 to
2026-03-03").

The rule. Where a bank's account, or a channel's clearing account, has an opening in
config.yaml, the first day a transaction posts to it — in this import's statements, and
in the books where they hold no opening of it yet (once written, the opening the books
hold is theirs: books/disk.py skeleton writes none again) — may not be before the
opening's date. A line of the opening's own day is let be (the amount is then the
balance before the statement, as config.yaml files were written). Else the import is
refused (exit 2), at the key's line in config.yaml, naming that first line.
"""

from __future__ import annotations

import datetime as dt

from beancount.core import data

from beanclear.importers.toolkit import StatementError


def check(config, results, books) -> None:
    """Raise StatementError where a source's opening_balance is dated after the first line
    booked on its account (the module docstring); `results`: the FileResults read."""
    for group, sources in (("channels", config.channels), ("banks", config.banks)):
        for name, source in sources.items():
            opening = source.opening
            if opening is None:
                continue
            account = source.account if group == "banks" else source.accounts.clearing
            first = _first_line(results, source, account, opening.date)
            if first is None and not books.holds_opening(account):
                _, day, _ = books.postings_before(account, source.currency, opening.date)
                first = (day, "booked already") if day is not None else None
            if first is None:
                continue
            day, where = first
            key = f"{group}.{name}.opening_balance.date"
            raise StatementError(
                config.path, config.lines.get(key) or 1,
                f"{key}: {opening.date} is after the first line of {name}'s statements ({day}, {where}): the opening "
                f"is what the account held before them; date it the day before, {day - dt.timedelta(days=1)}, or "
                "earlier")


def _first_line(results, source, account: str, before: dt.date) -> tuple[dt.date, str] | None:
    """(day, `file:line`) of the earliest transaction of this import's statements of
    `source` that posts to `account` before the day `before`, or None."""
    first = None
    for result in results:
        if result.before is not None or result.importer.source is not source:
            continue
        for entry in result.extraction.entries:
            if not isinstance(entry, data.Transaction) or entry.date >= before \
                    or first is not None and entry.date >= first[0]:
                continue
            if any(posting.account == account for posting in entry.postings):
                first = (entry.date, f"{result.path.name}:{entry.meta.get('lineno') or 1}")
    return first
