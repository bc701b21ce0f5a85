"""Channels at a glance: one row per channel, bank and shop of the config.

Nothing here decides what is wrong or open; it arranges the library's answers:

- balances are the sums of the postings up to the end of the newest statement in the
  books (the latest of the Last statement column; reconcile.as_of, the newest imported
  transaction, where no statement is later);
- the open items are what the checks themselves hold open: in clearing, what the
  clearing check of the load left in each channel's account once payouts and refunds
  took their part (Load.remainders: its own pairing, reused); the transit check and the
  receivable check (orders.py) run with `as_of` a century later, so that everything
  still open is "late" and reported with its date, while the pairing of items is
  exactly the one `beanclear check` makes. A bank's open items are its
  `bank-unmatched` lines;
- an item's age counts to the end of the statements that judge it, the day the checks
  count its "days later" to (their own Horizon): money in clearing to its channel's
  statements' end, a payout to its bank's, an order to its paying channels', a bank
  line to its bank's;
- finding counts come from the report the findings table shows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple
from decimal import Decimal

from beancount.core import data

from beanclear.checks import clearing, orders, transit
from beanclear.checks.findings import following_up, unpaid_order
from beanclear.checks.items import postings_by_account
from beanclear.checks.pooled import pooled
from beanclear.statements.coverage import Coverage

LATER = dt.timedelta(days=36500)   # "a century later": every open item is past its deadline


@dataclass
class Balance:
    label: str                # clearing, transit, bank, receivable
    account: str
    amounts: dict[str, Decimal]


STAGES = {   # what one open item of a stage is, in words: (one, several)
    "clearing": ("money of {n} day in clearing", "money of {n} days in clearing"),
    "transit": ("{n} payout in transit", "{n} payouts in transit"),
    "receivable": ("{n} order unpaid", "{n} orders unpaid"),
    "bank": ("{n} line unexplained", "{n} lines unexplained"),
}


@dataclass
class Open:
    """The oldest open item of one stage of a source, and how many are open."""

    stage: str                # a key of STAGES
    date: dt.date | None      # of the oldest; None when nothing is open
    age: int = 0              # days from `date` to the end of the statements that judge it
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
    counts: Counter           # error, warning (unacknowledged), acknowledged and following up
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


def oldest(stage: str, found: list[tuple], deadline: int) -> Open:
    """The oldest of the open items that `found` stand for: (finding, the day its age
    counts to), one finding per item or day."""
    if not found:
        return Open(stage, None, deadline=deadline)
    # (a deadline's age counts from its first side's day, the day the money came or the
    # payout or the order left, not from the later month's day its finding is dated on:
    # findings.by_deadline)
    first, until = min(found, key=lambda pair: pair[0].first_day)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for f, _ in found:
        amounts[f.currency] += f.amount
    # (an item after the end of the statements that judge it waits for them: 0 days)
    day = first.first_day
    return Open(stage, day, max(0, (until - day).days), deadline, len(found), dict(sorted(amounts.items())))


def open_items(entries, config, findings, as_of: dt.date, load=None) -> dict[str, list[Open]]:
    """Per source name, its open items by stage (module docstring). `load`: the checks'
    reconcile.Load of these books, whose postings index, coverage and order groups are
    reused."""
    later = as_of + LATER
    if load is not None:
        index, cover = load.index(entries), load.cover(entries)
    else:
        watched = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
        index, cover = pooled(postings_by_account(entries, watched), config), Coverage.of(entries, config)
    out: dict[str, list[Open]] = {}
    banks = {bank.account for bank in config.banks.values()}   # their debits to a channel are no payouts
    # what the clearing check of the load left in each channel's account, late or not: its
    # own pairing, reused (a channel it did not judge, with no statement of its payouts, is
    # paired here as it would be)
    remainders = (load.remainders or {}) if load is not None else {}
    names = transit.payout_names(index, config, banks)   # what a credit's text may name, as clearing.findings reads it
    for ch in config.channels.values():
        if ch.name in remainders:
            held = _by_day(remainders[ch.name])
        else:
            held = [f for f in clearing.check_clearing(index.get(ch.accounts.clearing, []), ch, later)
                    if f.code == "unsettled"]
        settled_to = transit.landed_as(ch, ch.bank, config, cover, as_of)[1].settled_to() or as_of
        sent = []
        for bank, items in transit.by_bank(index.get(ch.accounts.transit, []), ch, config).items():
            landed, horizon = transit.landed_as(ch, bank, config, cover, as_of)   # as clearing.findings judges them
            until = horizon.bank[1] if horizon.bank else as_of
            sent += [(f, until) for f in transit.check_transit(items, landed, later, banks=banks,
                                                               zone=config.timezone, names=names)
                     if f.code == "payout-missing"]
        out[ch.name] = [
            oldest("clearing", [(f, settled_to) for f in held], ch.settlement_days),
            oldest("transit", sent, ch.bank_days)]
    prepared = load.orders_prepared(entries) if load is not None and config.shops else None
    unpaid = [f for f in orders.findings(entries, config, later, prepared=prepared)
              if unpaid_order(f)] if config.shops else []
    for shop in config.shops.values():
        until = orders.horizon(shop, config, cover, as_of) or as_of
        out[shop.name] = [oldest("receivable", [(f, until) for f in unpaid if f.source == shop.name],
                                 shop.order_days)]
    for bank in config.banks.values():
        until = cover.end(bank.name) or as_of
        lines = [(f, until) for f in findings if f.code == "bank-unmatched" and f.account == bank.account]
        out[bank.name] = [oldest("bank", lines, 0)]
    return out


class _Held(NamedTuple):
    """A day's money still in a clearing account, in one currency (as an `unsettled` finding
    of that day says it, once late)."""
    date: dt.date
    currency: str
    amount: Decimal

    @property
    def first_day(self) -> dt.date:   # (as a Finding's: oldest() reads either)
        return self.date


def _by_day(remainder: list) -> list[_Held]:
    """check_clearing's remainder, (item, amount), by day and currency."""
    days: dict[tuple, Decimal] = defaultdict(Decimal)
    for item, left in remainder:
        days[(item.date, item.currency)] += left
    return [_Held(day, currency, amount) for (day, currency), amount in sorted(days.items())]


def counts(findings) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        # as `beanclear check` counts them: followed up (before the due date) is not acknowledged
        out[f.source or ""]["following up" if following_up(f) else "acknowledged" if f.acknowledged
                            else f.severity] += 1
    return out


def source_rows(entries, config, findings, as_of: dt.date, load=None) -> tuple[list[SourceRow], dt.date]:
    """The rows of the table: channels, then banks, then shops, each in config order;
    last, a row for findings of no source (Beancount's errors, stale acknowledgments).
    And the day the balances are of: the end of the newest statement (the latest Last
    statement), or `as_of` where nothing is later."""
    accounts = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
    accounts |= {b.account for b in config.banks.values()} | {s.accounts.receivable for s in config.shops.values()}
    last = last_statements(entries, config.books)
    through = max([as_of, *last.values()])
    held = balances(entries, accounts, through)
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
    return rows, through
