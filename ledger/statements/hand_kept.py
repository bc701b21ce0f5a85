"""Channels and banks kept by hand beside imported ones: the books are their statements.

A ledger kept by hand that adopts the plugin line is judged as books without any
statement are. Where some sources' statements are imported and others are kept by hand
(no statement of them, a person's own entries moving their money), those others are
covered by the books themselves (Coverage.of), rather than taken for sources whose
statements are missing (blind18 pluginonly: importing a Stripe report silenced every
check of a hand-kept Alipay and PayPal).

    2026-02-10 * "Zhang Wei" "alipay sale"        ; no `id:`: a person's own
      Assets:Clearing:Alipay    994.00 CNY
      Expenses:Fees:Alipay        6.00 CNY
      Income:Sales:Alipay     -1000.00 CNY
"""

from __future__ import annotations

import datetime as dt

from beancount.core import data

from beanclear.clock import today
from beanclear.statements.carried import balance_accounts
from beanclear.statements.cut_over import is_own


def hand_kept_sources(entries, config, spans: dict, as_of: dt.date | None) -> dict[str, tuple[dt.date, dt.date]]:
    """Source -> the days the books cover of it themselves, of the channels and banks no
    statement of which is in the books (no coverage record) while a person's own entries
    (cut_over.is_own) move its money: a channel's sales or payouts written by hand into its
    clearing account, a bank's lines into its account (an entry from `Equity:` alone, an
    opening, keeps nothing). Such a source is kept by hand beside the imported ones (README
    "Books you keep already"), and judged as books without any statement are: from the
    first such entry of any of them to the books' statement date (`as_of`, the newest
    imported entry) or its own last entry. A channel without statement or entry of its
    own waits for its statements instead (gaps: "no statement of … is in the books")."""
    accounts = {account: name for account, name in balance_accounts(config).items() if name not in spans}
    if not accounts:
        return {}
    found: dict[str, list[dt.date]] = {}
    latest = None
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if "id" in entry.meta:
            latest = entry.date if latest is None or entry.date > latest else latest
            continue
        if not is_own(entry):
            continue
        for p in entry.postings:
            source = accounts.get(p.account)
            if source is not None and any(o.account != p.account and not o.account.startswith("Equity:")
                                          for o in entry.postings):
                days = found.setdefault(source, [entry.date, entry.date])
                days[0], days[1] = min(days[0], entry.date), max(days[1], entry.date)
    # (from the first of them all: books kept by hand begin there, a bank's first line of
    # its own after the payouts it credits)
    end, begun = as_of or latest or today(), min((first for first, _ in found.values()), default=None)
    return {source: (begun, max(last, end)) for source, (_, last) in found.items()}
