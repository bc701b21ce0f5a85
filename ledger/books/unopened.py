"""The note of a channel's first statement that states no balance of its clearing account
(a personal wallet's bill, FORMATS.md §1; Stripe's report of balance changes): the import
can write no opening from it (statements/openings.py works one back from a balance), so
what the account held before it is unknown, and only `opening_balance` says it.

A bank's first statement says the opening it writes; the wallet's said nothing, and its
first withdrawal of money from before the bill was then a finding with no word of the
opening (blind33 microseller). `check` says the same of the withdrawals that take that
money (checks/clearing.py, `_starts_short`); this says it where the books begin, whether
or not a withdrawal takes it.
"""

from __future__ import annotations

import datetime as dt

from beanclear.config import Channel


def note(config, results: list, openings: list, books) -> None:
    """Add the note to the summary of each channel's first statement, in this import and
    in the books, that leaves its clearing account without an opening: none in config.yaml,
    none in the books, none this import writes (a statement of it that states a balance
    writes one), and nothing of a person's own books on the account before it."""
    firsts: dict[str, tuple[dt.date, object]] = {}
    for result in results:
        channel = result.importer.source
        # (a trade view, which shows no payouts, is not asked: its fund view states the balance)
        if not isinstance(channel, Channel) or not result.importer.shows_payouts or not result.covered \
                or channel.opening is not None:
            continue
        first = min(record.values[1].value for record in result.covered)
        if channel.name not in firsts or first < firsts[channel.name][0]:
            firsts[channel.name] = (first, result)
    opened = {opening.account for opening, _ in openings}
    for name, (first, result) in sorted(firsts.items()):
        channel = config.channels[name]
        account = channel.accounts.clearing
        if account in opened or books.holds_opening(account):
            continue
        if any(before <= first for before, *_ in books.statements(name)):   # not its first statement
            continue
        day = first - dt.timedelta(days=1)
        if books.held({(account, channel.currency): day}).get((account, channel.currency)):
            continue   # books kept before beanclear say what it held
        result.notes.append(
            f"first statement of {account}: it states no balance, so what the account held at the end of {day} is "
            f"not known and no opening is written from it: set `channels.{name}.opening_balance` in config.yaml "
            f"to that (until then, payouts of money from before {first} are a statement-gap in "
            "`beanclear check`)")
