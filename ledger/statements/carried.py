"""Holes between a source's statements across which its own balances carry on: quiet days.

Whatever the statements, days across which the source's own balances carry on unbroken
(the first its statements assert after them is the last before them and the books' rows
between) are quiet, however many (blind18: WeChat's Spring Festival without bills, a
bank's daily CAMT over Christmas); a balance that steps across them shows a statement
missing (Coverage.weigh reads these).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount.core import data


def balance_accounts(config) -> dict[str, str]:
    """Account -> the source whose statements assert its balance: a bank's account, a
    channel's clearing account."""
    out = {b.account: name for name, b in (getattr(config, "banks", None) or {}).items()
           if getattr(b, "account", None)}
    out.update({ch.accounts.clearing: name for name, ch in (getattr(config, "channels", None) or {}).items()
                if getattr(ch, "accounts", None) is not None})
    return out


HALF_CENT = Decimal("0.005")


def balances_over(books, config, gaps: dict[str, list]) -> tuple[dict[str, list], dict[str, list]]:
    """Of `gaps` (source -> (first, last) of each hole between its statements), the ones
    its own balances carry on over and the ones they step over: source -> (from, to) of
    the assertions that carry on (the books' rows between them make the one the other),
    and source -> (first, last) of the holes one steps over. The assertions read are the
    source's statements' own, in its month files (books/<source>/…: not a close's, which
    are the books' figures, nor a person's); in each currency, the last before a hole's
    first day (an assertion holds at the start of its day) and the first after it. A hole
    with no assertion on either side is neither: what its config says decides it."""
    accounts = {account: source for account, source in balance_accounts(config).items() if source in gaps}
    if not accounts:
        return {}, {}
    asserted: dict[tuple[str, str], list] = defaultdict(list)   # (account, currency) -> its own assertions
    homes: dict[str, bool] = {}   # filename -> whether it is its account's source's own
    for entry in books:
        if isinstance(entry, data.Balance) and entry.account in accounts:
            name = entry.meta.get("filename") if entry.meta else None
            if name not in homes:
                homes[name] = name is not None and Path(str(name)).parent.parent.name == accounts[entry.account]
            if homes[name]:
                asserted[(entry.account, entry.amount.currency)].append(entry)
    # (source, hole) -> [from, to, account, currency, how far `to` is from `from`, the rows between]
    spans: dict[tuple, list] = defaultdict(list)
    for (account, currency), entries in asserted.items():
        entries.sort(key=lambda e: e.date)
        dates = [e.date for e in entries]
        source = accounts[account]
        for first, last in gaps[source]:
            at = bisect_right(dates, first)
            if at == 0 or at == len(dates) or dates[at] <= last:
                continue   # no assertion before or after it, or one inside it (a statement of its days)
            before, after = entries[at - 1], entries[at]
            spans[(source, (first, last))].append(
                [before.date, after.date, account, currency, after.amount.number - before.amount.number, Decimal(0)])
    if not spans:
        return {}, {}
    low = min(w[0] for ws in spans.values() for w in ws)
    high = max(w[1] for ws in spans.values() for w in ws)
    windows = [w for ws in spans.values() for w in ws]
    for entry in books:
        if isinstance(entry, data.Transaction) and low <= entry.date < high:
            for posting in entry.postings:
                if posting.account in accounts and posting.units is not None and posting.units.number is not None:
                    for w in windows:
                        if w[2] == posting.account and w[3] == posting.units.currency and w[0] <= entry.date < w[1]:
                            w[5] += posting.units.number
    carried: dict[str, list] = defaultdict(list)
    stepped: dict[str, list] = defaultdict(list)
    for (source, hole), ws in sorted(spans.items()):
        if all(abs(w[4] - w[5]) < HALF_CENT for w in ws):
            carried[source] += [(w[0], w[1]) for w in ws]
        else:
            stepped[source].append(hole)
    return dict(carried), dict(stepped)
