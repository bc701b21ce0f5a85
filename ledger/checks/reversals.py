"""A bank line the bank marks a reversal and the line it reverses explain each other.

A statement marks its own storno (`reversal: "true"` in the books: MT940 `RD`/`RC`,
CAMT.053 `RvslInd`). Such a reversal takes the nearest earlier open line of the same bank
account (or wallet), of the opposite amount in the same currency and no reversal itself,
dated at most REVERSAL_DAYS before it, among those whose text shares the most words with
its own (a bank repeats the line's text after `STORNO`: "STORNO STRIPE PAYOUT po_…06" is
po_…06's credit, not the later credit of po_…09 of the same amount); of the same day,
one listed before it first, else the first listed after it. Each line is reversed once,
and the two are no finding.

One rule, read where the import put the lines:
- both in `Assets:Suspense` (checks/suspense.py: a debit "SHIPPING INVOICE 4411" and its
  "STORNO SHIPPING INVOICE 4411");
- both in one channel's transit account, neither linked to a payout (checks/transit.py:
  a payout the bank credited twice and whose second credit it reversed, the text of all
  three naming the payout: a blind tester's two bank-unmatched of one event).
A line a person linked, booked or reclassified is taken by no reversal: it is explained
already, and a reversal of it stays a finding of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Hashable

from beanclear.checks.items import Item

# A bank's reversal (storno) of a line comes the same day or within the days its own
# reconciliation takes to find the line wrong: two weeks, weekends and a holiday within
# them (a blind tester's double credit of 02-03 was reversed on 02-12, seven working
# days on: a week left both lines findings). A line's reversal later than that is no
# pair of this rule's (a person books both), and the books carried forward read back
# further (periods/forward.py lookback).
REVERSAL_DAYS = 14


def reverses(entry) -> bool:
    """Whether the bank marks an entry's line a reversal."""
    return str(entry.meta.get("reversal", "")).lower() == "true"


def pairs(lines: list[Item], place: Callable[[Item], Hashable], taken=frozenset()) -> dict[int, tuple[Item, Item]]:
    """id(line) -> (line, the line it pairs with) of each of `lines` (open lines of one
    account) that a reversal among them takes, and of each such reversal (the module
    docstring). `place`: where a line is (its bank account, or wallet), lines of one place
    only pairing, none for a line of none; `taken`: the ids of lines paired already, by
    another rule, that no reversal takes."""
    reversals = [line for line in lines if reverses(line.entry) and id(line) not in taken]
    if not reversals:
        return {}
    from beanclear.periods.forward import CARRIED_ID   # (it reads this module's days)

    def at(line):
        meta = line.entry.meta
        return line.date, str(meta.get("filename", "")), meta.get("lineno", 0), str(meta.get("id", ""))

    waiting: dict[tuple, list[Item]] = defaultdict(list)
    for line in lines:
        if not reverses(line.entry) and not str(line.entry.meta.get("id", "")).startswith(CARRIED_ID) \
                and id(line) not in taken:
            waiting[(place(line), line.currency, line.amount)].append(line)
    span = dt.timedelta(days=REVERSAL_DAYS)
    out: dict[int, tuple[Item, Item]] = {}
    for reversal in sorted(reversals, key=at):
        key = (place(reversal), reversal.currency, -reversal.amount)
        here = at(reversal)
        fits = [line for line in waiting.get(key, ()) if reversal.date - span <= line.date <= reversal.date]
        if not key[0] or not fits:
            continue
        said = words(reversal.entry)
        most = max(len(words(line.entry) & said) for line in fits)
        fits = [line for line in fits if len(words(line.entry) & said) == most]
        before = [line for line in fits if at(line) < here]
        line = max(before, key=at) if before else min(fits, key=at)
        waiting[key].remove(line)
        out[id(line)], out[id(reversal)] = (line, reversal), (reversal, line)
    return out


def words(entry) -> set[str]:
    """The words of a line's text (payee and narration), in any case: a reversal's text
    repeating them tells its line from others of its amount."""
    return set(re.findall(r"\w[\w.\-]*", f"{entry.payee or ''} {entry.narration or ''}".casefold()))


def in_transit(items: list[Item], banks) -> dict[int, tuple[Item, Item]]:
    """pairs() of a channel's transit Items: the bank lines there (of the `banks`
    accounts) that no payout link ties, each at its bank account."""
    if not any(reverses(i.entry) for i in items):   # (most books: none)
        return {}

    def bank(item):
        return next((p.account for p in item.entry.postings if p.account in banks), None)
    return pairs([i for i in items if i.payout is None and bank(i)], bank)
