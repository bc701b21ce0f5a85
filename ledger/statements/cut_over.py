"""A person's own entries of the days a source's statements cover: money booked twice.

Books kept by hand before beanclear (README "Books you keep already") end where the
statements begin: the import books every line of a statement, and the opening it writes
is what the statement says the account held the day before, less what the person's
files hold by then. An own entry of a day a statement covers, posting to the account
that statement books (a bank's `account`, a channel's clearing account), is that money
again: a week of sales summed by hand beside the channel's own rows, a payout typed
beside the bank's credit of it.

    2026-05-03 * "Stripe" "Sales week to 2026-05-03"      ; books/hand/2026.beancount:222
      Assets:Stripe                 1890.72 USD           ; stripe's statements cover 2026-05-01 on
      Income:Sales:Online          -1954.28 USD

Where the statement asserts balances, they fail by what such entries post; where it
asserts none (Stripe's report) income and fees are counted twice without any failing.
Either way the cause is one per source, said once (DESIGN.md §5, one cause, one finding):
on the import that brings the statements of those days (`note`), and by `beanclear
check` as the source's `statement-gap` (`findings`), an error, which takes in the balance
assertions of the account those entries alone make fail (`folded`): the cut-over
between the person's books and the statements, like the payout in flight when the
books began (gaps.begun_after), here the other way round: days covered twice, not none.

An own entry is one beanclear did not write: no `id:` (every entry an import writes,
and every opening, has one), no `write-off:` (resolve/writeoff.py), neither a pad's
nor a carried balance (flags P and S). Entries before a source's first statement (the
history, a payout in flight at the cut-over booked into transit as the README says)
and entries to accounts no statement books (rent, a card no statement is imported of)
are the person's alone, and never named.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal

from beancount.core import data

from beanclear.checks.items import WRITE_OFF   # a write-off's metadata key (checks/write_offs.py)
from beanclear.statements.coverage import DAY

HEAD = "your own entries of "   # how a finding of this module begins (folded() finds them by it)
NOT_OWN = frozenset("PS")          # a pad's entry, a carried balance (books/render.py SUMMARY_FLAG)


def is_own(entry) -> bool:
    """Whether an entry is a transaction a person wrote, not beanclear (see above)."""
    if not isinstance(entry, data.Transaction) or entry.flag in NOT_OWN:
        return False
    meta = entry.meta
    return "id" not in meta and WRITE_OFF not in meta


def booked_accounts(config) -> dict[str, str]:
    """The account each source's statements book the money of -> the source: a bank's
    `account`, a channel's clearing account (as config.yaml, or init, names them)."""
    out = {bank.account: name for name, bank in config.banks.items()}
    out.update({channel.accounts.clearing: name for name, channel in config.channels.items()})
    return out


@dataclass
class Overlap:
    """A source's account, and the own entries posting to it on days its statements cover."""
    source: str
    account: str
    start: dt.date                           # the first day the source's statements cover
    entries: list = field(default_factory=list)   # in the books' order

    @property
    def first(self) -> dt.date:
        return min(e.date for e in self.entries)

    @property
    def last(self) -> dt.date:
        return max(e.date for e in self.entries)

    @property
    def earliest(self):
        """The first of them as the files hold it: where to begin."""
        return min(self.entries, key=lambda e: (e.date, e.meta.get("filename") or "", e.meta.get("lineno") or 0))

    def posted(self, currency: str, before: dt.date) -> Decimal:
        """What they post to the account in `currency` before a day (a balance assertion's)."""
        return sum((p.units.number for e in self.entries if e.date < before for p in e.postings
                    if p.account == self.account and p.units is not None and p.units.currency == currency
                    and isinstance(p.units.number, Decimal)), Decimal(0))

    def said(self) -> str:
        """The cause, as the finding and the import's note say it (where: the finding's
        file and line, the note's own words)."""
        days = f"{self.first}" if self.first == self.last else f"{self.first} to {self.last}"
        n = len(self.entries)
        return (f"{HEAD}{self.account} on days the statements of {self.source} cover: {n} entr"
                f"{'y' if n == 1 else 'ies'} of {days} that the statements book too, money counted twice (README "
                f"\"Books you keep already\"): end your own entries of {self.account} on {self.start - DAY}, the day "
                f"before its first statement, or take out those of {days}")


def overlaps(entries, accounts: dict[str, str], days: dict[str, list]) -> list[Overlap]:
    """Per source, its own entries (is_own) posting to its account (`accounts`: account
    -> source, booked_accounts) on a day one of its statements covers (`days`: source ->
    (first, last) of each statement, Coverage.sold)."""
    found: dict[str, Overlap] = {}
    spans = {source: sorted(s) for source, s in days.items() if s}
    for entry in entries:
        if not is_own(entry):
            continue
        for account in dict.fromkeys(p.account for p in entry.postings if p.account in accounts):
            source = accounts[account]
            covered = spans.get(source)
            if covered and any(first <= entry.date <= last for first, last in covered):
                found.setdefault(source, Overlap(source, account, covered[0][0])).entries.append(entry)
    return [found[name] for name in sorted(found)]


def findings(found: list[Overlap]) -> list:
    """One statement-gap per source whose own entries book money its statements cover
    (`found`: overlaps()); made an error by folded(), which takes in the balance
    assertions they make fail."""
    from beanclear.checks.findings import Finding, at_entry
    out = []
    for overlap in found:
        out.append(Finding("statement-gap", overlap.first, overlap.source, overlap.account, Decimal(0), "",
                           overlap.said(), **at_entry(overlap.earliest)))
    return out


def note(overlap: Overlap, root) -> str:
    """The import's note of it: the finding's words, with where the first one is."""
    entry = overlap.earliest
    where = entry.meta.get("filename") or ""
    if where and root is not None and os.path.isabs(where):
        where = os.path.relpath(where, root)
    return overlap.said() + (f" (the first at {where}:{entry.meta.get('lineno')})" if where else "")


TAKEN = " fail by what they post"   # how a finding that took in balance assertions ends (folded)


def is_overlap(finding) -> bool:
    return finding.code == "statement-gap" and finding.message.startswith(HEAD)


def takes_in(finding) -> bool:
    """Whether an overlap's finding took in failed balance assertions (folded): books
    carried forward to a later month list it only then, as a hole's (checking.report)."""
    return finding.message.endswith(TAKEN)


def folded(found: list, entries, config, cover) -> list:
    """One cause, one finding: each source's statement-gap of own entries (findings) an
    error, taking in the failed balance assertions (code `beancount`) of its account
    that those entries explain: the books are off, on the assertion's day, by exactly
    what they post to the account before it (by the money of one day, and by all of
    them once they end). A failure they do not explain (a line missing besides) is
    left as it is. `entries`: the books as Beancount checked them."""
    heads = {f.account: f for f in found if is_overlap(f)}
    if not heads:
        return found
    from beanclear.checks.checking import _FAILED
    from beanclear.checks.findings import to_currency
    of = {o.account: o for o in overlaps(entries, booked_accounts(config), cover.stated_sold()) if o.account in heads}
    taken: dict[str, list] = {}
    for f in found:
        failed = _FAILED.match(f.message) if f.code == "beancount" and f.account in of and f.currency else None
        if failed is None:
            continue
        size, how = failed.group(2).rsplit(" too ", 1)
        off = Decimal(size.replace(",", "")) * (1 if how == "much" else -1)
        if off and to_currency(of[f.account].posted(f.currency, f.date), f.currency) == to_currency(off, f.currency):
            taken.setdefault(f.account, []).append(f)
    gone = {id(f) for fs in taken.values() for f in fs}
    out = []
    for f in found:
        if id(f) in gone:
            continue
        if is_overlap(f):
            failed = sorted(taken.get(f.account, ()), key=lambda g: g.date)
            more = (f"; {len(failed)} balance assertion(s) of {f.account} from {failed[0].date}"
                    + (f" to {failed[-1].date}" if failed[-1].date != failed[0].date else "")
                    + TAKEN) if failed else ""
            f = replace(f, severity="error", message=f.message + more)
        out.append(f)
    return out
