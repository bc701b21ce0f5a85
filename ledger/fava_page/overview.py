"""Channels at a glance: one row per channel, bank and shop of the config.

Nothing here decides what is wrong or open; it arranges the library's answers:

- balances are the sums of the postings up to `as_of`, the last statement date in
  the books (the date every deadline counts from, reconcile.as_of);
- the open items are what the checks themselves hold open: the clearing and transit
  checks (clearing.py) and the receivable check (orders.py) run with `as_of` a century
  later, so that everything still open is "late" and reported with its date, while the
  pairing of items is exactly the one `beanclear check` makes. A bank's open items
  are its `bank-unmatched` lines;
- finding counts come from the report the findings table shows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from beanclear.checks import clearing, orders

LATER = dt.timedelta(days=36500)   # "a century later": every open item is past its deadline


@dataclass
class Balance:
    label: str                # clearing, transit, bank, receivable
    account: str
    amounts: dict[str, Decimal]


STAGES = {   # what one open item of a stage is, in words: (one, several)
    "clearing": ("payments of {n} day in clearing", "payments of {n} days in clearing"),
    "transit": ("{n} payout in transit", "{n} payouts in transit"),
    "receivable": ("{n} order unpaid", "{n} orders unpaid"),
    "bank": ("{n} line unexplained", "{n} lines unexplained"),
}


@dataclass
class Open:
    """The oldest open item of one stage of a source, and how many are open."""

    stage: str                # a key of STAGES
    date: dt.date | None      # of the oldest; None when nothing is open
    age: int = 0              # days from `date` to as_of
    deadline: int = 0         # days allowed (settlement_days, bank_days, order_days; 0 for the bank)
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def late(self) -> bool:
        return self.date is not None and self.age > self.deadline

    @property
    def text(self) -> str:
        return STAGES[self.stage][self.count != 1].format(n=self.count)


@dataclass
class SourceRow:
    name: str
    kind: str                 # channel | bank | shop | books (findings of no source)
    type: str
    balances: list[Balance]
    open: list[Open]
    counts: Counter           # error, warning (unacknowledged) and acknowledged
    last_statement: dt.date | None


def balances(entries, accounts: set[str], as_of: dt.date) -> dict[str, dict[str, Decimal]]:
    """Per account, per currency: the sum of its postings dated up to as_of."""
    out: dict[str, dict[str, Decimal]] = {a: defaultdict(Decimal) for a in accounts}
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date <= as_of:
            for p in entry.postings:
                held = out.get(p.account)
                if held is not None:
                    held[p.units.currency] += p.units.number
    return {a: {c: n for c, n in sorted(held.items())} for a, held in out.items()}


def last_statements(entries, books) -> dict[str, dt.date]:
    """Per source folder of the books (books/<source>/...), its newest imported entry."""
    root = os.path.realpath(books)
    source_of: dict[str, str | None] = {}
    out: dict[str, dt.date] = {}
    for entry in entries:
        meta = entry.meta or {}
        filename = meta.get("filename")
        if "id" not in meta or not filename:
            continue
        if filename not in source_of:
            parts = os.path.relpath(os.path.realpath(filename), root).split(os.sep)
            source_of[filename] = parts[0] if len(parts) > 1 and parts[0] != ".." else None
        source = source_of[filename]
        if source and (source not in out or entry.date > out[source]):
            out[source] = entry.date
    return out


def oldest(stage: str, findings, deadline: int, as_of: dt.date) -> Open:
    """The oldest of the open items that `findings` (one per item or day) stand for."""
    if not findings:
        return Open(stage, None, deadline=deadline)
    first = min(f.date for f in findings)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for f in findings:
        amounts[f.currency] += f.amount
    return Open(stage, first, (as_of - first).days, deadline, len(findings), dict(sorted(amounts.items())))


def open_items(entries, config, findings, as_of: dt.date, load=None) -> dict[str, list[Open]]:
    """Per source name, its open items by stage (module docstring). `load`: the checks'
    reconcile.Load of these books, whose postings index and order groups are reused."""
    later = as_of + LATER
    if load is not None:
        index = load.index(entries)
    else:
        watched = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
        index = clearing.postings_by_account(entries, watched)
    out: dict[str, list[Open]] = {}
    banks = {bank.account for bank in config.banks.values()}   # their debits to a channel are no payouts
    for ch in config.channels.values():
        held = clearing.check_clearing(index.get(ch.accounts.clearing, []), ch, later)
        sent = clearing.check_transit(index.get(ch.accounts.transit, []), ch, later, banks=banks)
        out[ch.name] = [
            oldest("clearing", [f for f in held if f.code == "unsettled"], ch.settlement_days, as_of),
            oldest("transit", [f for f in sent if f.code == "payout-missing"], ch.bank_days, as_of)]
    prepared = load.orders_prepared(entries) if load is not None and config.shops else None
    unpaid = [f for f in orders.findings(entries, config, later, prepared=prepared)
              if f.code == "order-unpaid"] if config.shops else []
    for shop in config.shops.values():
        out[shop.name] = [oldest("receivable", [f for f in unpaid if f.source == shop.name], shop.order_days,
                                 as_of)]
    for bank in config.banks.values():
        lines = [f for f in findings if f.code == "bank-unmatched" and f.account == bank.account]
        out[bank.name] = [oldest("bank", lines, 0, as_of)]
    return out


def counts(findings) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        out[f.source or ""]["acknowledged" if f.acknowledged else f.severity] += 1
    return out


def source_rows(entries, config, findings, as_of: dt.date, load=None) -> list[SourceRow]:
    """The rows of the table: channels, then banks, then shops, each in config order;
    last, a row for findings of no source (Beancount's errors, stale acknowledgments)."""
    accounts = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
    accounts |= {b.account for b in config.banks.values()} | {s.accounts.receivable for s in config.shops.values()}
    held = balances(entries, accounts, as_of)
    last = last_statements(entries, config.books)
    opened = open_items(entries, config, findings, as_of, load)
    counted = counts(findings)
    rows = []
    for kind, sources in (("channel", config.channels), ("bank", config.banks), ("shop", config.shops)):
        for name, source in sources.items():
            if kind == "channel":
                stages = [("clearing", source.accounts.clearing), ("transit", source.accounts.transit)]
            elif kind == "bank":
                stages = [("bank", source.account)]
            else:
                stages = [("receivable", source.accounts.receivable)]
            shown = " | ".join(source.types) if kind == "bank" else source.type   # `type: [camt053, mt940]`
            rows.append(SourceRow(name, kind, shown, [Balance(l, a, held[a]) for l, a in stages],
                                  opened.get(name, []), counted.get(name, Counter()), last.get(name)))
    others = Counter()
    for source, counter in counted.items():
        if source not in config.sources:
            others.update(counter)
    if others:
        rows.append(SourceRow("books", "books", "", [], [], others, None))
    return rows
