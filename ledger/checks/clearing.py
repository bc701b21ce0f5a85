"""The clearing check: every clearing and transit account must come back to zero.

Money a channel collected sits in its clearing account until a payout takes it out;
a payout sits in the transit account until the bank statement shows it arrive. This
module groups each account's postings and reports what does not net to zero in time:

- `unsettled`: money still in clearing `settlement_days` after it came in;
- `payout-mismatch`: a payout that differs from what it settles (the items linked to
  its payout id, or the bank credit that answers it), or takes more than was held;
- `payout-missing`: a payout the bank has not shown `bank_days` after it left;
- `bank-unmatched`: a bank credit booked as a payout that no payout explains, a top-up
  of the channel from the bank that no bank debit explains, or a bank debit booked as
  a top-up that no top-up explains; and a side of a transfer between two of the banks
  that the other bank's statements do not show (transfers.py).

Items are grouped by payout link (`^payout-…`) where the channel names the payout of
each item, and otherwise settle first-in-first-out; a payout more than the items naming
it takes the rest first-in-first-out (Stripe's report names the payout of its items,
its API's items of the days after the report name none). Money goes the other way through
transit too: a top-up of the channel from the bank (PayPal's "Bank Deposit to PP
Account", booked transit -> clearing) is answered by the bank's debit naming the
channel (banking.py books it bank -> transit), of the same amount, `bank_days` before
or after it. A personal wallet's card pays through it in its clearing account instead
(importers/wallet.py): the bank's debits naming the wallet meet its rows paid by card,
purchases and top-ups alike, there (checks/card_payments.py). Deadlines count from `as_of`,
the last statement date in the books, never the clock: a check gives the same answer
tomorrow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict, deque
from dataclasses import replace
from decimal import Decimal
from operator import attrgetter

from beancount.core import data

from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.sums import batched, pair_or_run
from beanclear.config import WALLET_TYPES
from beanclear.importers.stated import stated_amount
from beanclear.importers.order_refs import link
from beanclear.statements import gaps
from beanclear.statements.coverage import QUIET_DAYS, Coverage
from beanclear.statements.gaps import Horizon

LATE_DAYS = 7  # an equal amount this many days past bank_days is still that payout, arriving late
USUAL_FROM = 5  # credits of equal amount from which the days a payout takes to arrive are the channel's usual
WEEKDAY_FROM = 2  # of those, credits of payouts of one weekday from which that weekday's days are its own
# bank-ref: FITID, MT940 reference; trade-id: the channel's transaction id where its fund
# view booked the money by its own row id (Alipay's 账务明细): a finding names it either way
REF_KEYS = ("id", "trade-id", "order-id", "payout-id", "refund-of", "refund-id", "bank-ref")


class Item:
    """One posting to a watched account. A plain class with slots: the books of a
    million orders make a million of these, and the checks read every field often."""

    __slots__ = ("entry", "amount", "currency", "date", "order", "payout")

    def __init__(self, entry: data.Transaction, amount: Decimal, currency: str):
        self.entry, self.amount, self.currency = entry, amount, currency
        meta = entry.meta
        self.date: dt.date = entry.date
        self.order: tuple = (self.date, meta.get("time", ""), meta.get("id", ""))
        links = entry.links
        self.payout: str | None = None
        if links:   # most entries have one link or none: no list, no min() for them
            if len(links) == 1:
                (link,) = links
                if link.startswith("payout-"):
                    self.payout = link
            else:
                payouts = [l for l in links if l.startswith("payout-")]
                if payouts:
                    self.payout = payouts[0] if len(payouts) == 1 else min(payouts)

    def __repr__(self) -> str:
        return f"Item({self.order}, {self.amount} {self.currency})"


class Rest(Item):
    """What a payout takes beyond the items that name it (`amount`, negative), from the
    money first in; `paid`: the whole payout, for what a finding says of it."""

    __slots__ = ("paid",)

    def __init__(self, payout: Item, amount: Decimal, paid: Decimal):
        super().__init__(payout.entry, amount, payout.currency)
        self.paid = paid


def refs(entries) -> tuple[str, ...]:
    """Every statement id of some entries, as the statements wrote them, once each."""
    out: dict[str, None] = {}
    for entry in entries:
        for key in REF_KEYS:
            value = entry.meta.get(key)
            if value:
                out[str(value)] = None
    return tuple(out)


def postings_by_account(entries, accounts: set[str]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account in accounts:
                    out[p.account].append(Item(entry, p.units.number, p.units.currency))
    for items in out.values():
        items.sort(key=_in_order)
    return out


_in_order = attrgetter("order")   # an Item's sort key


def posted(entry, account: str) -> Decimal:
    """What an entry posts to one account (its postings there, summed)."""
    return sum((p.units.number for p in entry.postings if p.account == account), Decimal(0))


def _money_in_first(item: Item) -> tuple:
    """The order first in, first out reads a clearing account in: the books' order, but
    of the rows of one moment, the money in before the money out. A refund and the fee
    the channel returns with it are one moment (Alipay's 账务明细 lists the refund first):
    the refund takes the whole sale back, of which its payment holds all but the fee."""
    date, time, ident = item.order
    return date, time, item.amount < 0, ident


def _money(x: Decimal) -> str:
    return f"{x:,.2f}" if x == x.quantize(Decimal("0.01")) else f"{x:,f}"


def check_clearing(items: list[Item], channel, as_of: dt.date, horizon: Horizon | None = None) -> list[Finding]:
    account = channel.accounts.clearing
    horizon = horizon or Horizon(Coverage({}), channel, as_of)
    as_of = horizon.settled_to()
    if as_of is None:
        return []
    # A payout near the start may take money booked before the first statement; without
    # an opening (a statement with no balance column) that money is unknown, not missing.
    opened = any(str(i.entry.meta.get("id", "")).startswith("opening ") for i in items[:50])
    if channel.type in WALLET_TYPES:   # a top-up's card and balance (wallet.py): nothing comes in or goes out
        items = [i for i in items if not _top_up(i.entry, account)]
    findings = []
    by_payout: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.payout:
            by_payout[item.payout].append(item)
    fifo = [i for i in items if not i.payout]
    transit = channel.accounts.transit
    for payout, group in sorted(by_payout.items()):
        ins = [i for i in group if i.amount > 0]
        outs = [i for i in group if i.amount < 0]
        # the payout itself leaves to transit: items that name it while it is in no
        # statement of the books (a refund among them is no payout) wait for it, first
        # in, first out (seed 31508 without the second of its Stripe downloads)
        # (or, when a day's refunds outweigh its sales, the payout comes back from the bank
        # through transit: Stripe debits the bank, a blind helper's `payout` row of +756.11)
        if ins and any(p.account == transit for i in outs for p in i.entry.postings) or outs and any(
                p.account == transit for i in ins if "payout-returned" not in i.entry.meta for p in i.entry.postings):
            total = sum(i.amount for i in group)
            if total < 0 and horizon.opening_unknown(outs[0].date, opened, LATE_DAYS):
                continue
            leaving = next((i for i in outs if any(p.account == transit for p in i.entry.postings)), None)
            if total < 0 and leaving is not None:
                # more than the items naming it: the rest is money whose payout no statement
                # names (Stripe's API lists an item without it), taken first in, first out
                fifo.append(Rest(leaving, total, -leaving.amount))
            elif total:
                settled, paid = sum(i.amount for i in ins), -sum(i.amount for i in outs)
                findings.append(Finding(
                    "payout-mismatch", outs[0].date, channel.name, account, abs(total), outs[0].currency,
                    f"payout {payout[7:]} of {_money(paid)} {outs[0].currency} settles items of "
                    f"{_money(settled)} {outs[0].currency}", refs(i.entry for i in group),
                    expected=settled, actual=paid, **at_entry(outs[0].entry)))
        else:
            fifo.extend(group)  # a payout that lists no items, or items whose payout is not in yet
    fifo.sort(key=_money_in_first)
    by_currency: dict[str, list[Item]] = defaultdict(list)
    for item in fifo:
        by_currency[item.currency].append(item)
    for currency, stream in sorted(by_currency.items()):
        findings += _first_in_first_out(stream, channel, account, currency, as_of,
                                        lambda day: horizon.opening_unknown(day, opened, LATE_DAYS))
    return findings


def _first_in_first_out(stream: list[Item], channel, account, currency, as_of, unknown_before) -> list[Finding]:
    findings = []
    queue: deque[list] = deque()   # [item, amount still in clearing, its order link]
    held = Decimal(0)              # the sum of what the queue still holds
    deficit = Decimal(0)           # taken out (by a refund) before the money it took came in
    of_order: dict[str, list] = {}  # order link -> its payments' queue entries
    for item in stream:
        if item.amount > 0:
            left = item.amount
            if deficit:
                used = min(deficit, left)
                deficit -= used
                left -= used
            if left:
                order = _order_of(item)
                lots = of_order.get(order) if order and "fee-back-of" in item.entry.meta else None
                if lots:   # a fee the channel returns with a refund (a fund view's own row): part of
                    lots[-1][1] += left   # the refund, back to its payment's money, not money of its day
                else:
                    queue.append([item, left, order])
                    if order:
                        of_order.setdefault(order, []).append(queue[-1])
                held += left
            continue
        need = -item.amount
        held_before = held
        if not item.payout:  # a refund takes back the money of the payment it refunds, first
            for queued in of_order.get(_order_of(item) or "", ()):
                used = min(need, queued[1])
                queued[1] -= used
                need -= used
                held -= used
        while queue and not queue[0][1]:
            _pop(queue, of_order)
        while need and queue:
            used = min(need, queue[0][1])
            queue[0][1] -= used
            need -= used
            held -= used
            if not queue[0][1]:
                _pop(queue, of_order)
        # (after a hole in the statements, as_of is before it: what it held is unknown)
        if need and item.payout and not unknown_before(item.date) and item.date <= as_of:
            rest = (f" ({_money(-item.amount)} {currency} of it beyond the items that name it)"
                    if isinstance(item, Rest) else "")
            findings.append(Finding(
                "payout-mismatch", item.date, channel.name, account, need, currency,
                f"payout {item.payout[7:]} of {_money(getattr(item, 'paid', -item.amount))} {currency}{rest} takes "
                f"{_money(need)} more than the {_money(held_before)} {currency} {account} held", refs([item.entry]),
                expected=held_before, actual=-item.amount, **at_entry(item.entry)))
        elif need and not (item.payout and unknown_before(item.date)):
            # (a payout near the start took money from before the first statement: it
            # owes nothing to the money that comes in after it)
            deficit += need
    late: dict[dt.date, list] = defaultdict(list)
    for item, left, _ in queue:
        if left and (as_of - item.date).days > channel.settlement_days:
            late[item.date].append((item, left))
    for day, group in sorted(late.items()):
        total = sum(left for _, left in group)
        age = (as_of - day).days
        findings.append(Finding(
            "unsettled", day, channel.name, account, total, currency,
            f"{_money(total)} {currency} from {len(group)} payment(s) of {day} still in {account} on {as_of}, "
            f"{age} days later (settlement is T+{channel.settlement_days})",
            refs(i.entry for i, _ in group), **at_entry(group[0][0].entry)))
    return findings


def _pop(queue: deque, of_order: dict) -> None:
    """Take the head of the queue, and forget it as its order's (memory stays flat)."""
    entry = queue.popleft()
    order = entry[2]
    entries = of_order.get(order) if order else None
    if entries and entries[0] is entry:
        entries.pop(0)
        if not entries:
            del of_order[order]


def order_key(links) -> str | None:
    """The order an entry belongs to: its `^order-…` link (the first in order, should it
    have several, so the answer never depends on a set's order). The order check groups
    a receivable by it; a refund here takes back its own payment's money by it."""
    key = None
    for link in links:
        if link.startswith("order-") and (key is None or link < key):
            key = link
    return key


def _order_of(item: Item) -> str | None:
    return order_key(item.entry.links) if item.entry.links else None


def _link_groups(items: list[Item]) -> dict[str, list[Item]]:
    """Transit items grouped by payout link, where an item naming two payouts (one bank
    credit for a batch) joins their groups. A failed payout's money coming back
    (`payout-returned`) is in the group of the payout it returns, whatever its links: a
    Stripe `payout_reversal` is linked to the later payout that pays it out again, which
    is where the clearing check wants it, not where the transit account had it."""
    parent: dict[str, str] = {}

    def root(link: str) -> str:
        while parent.setdefault(link, link) != link:
            parent[link] = parent[parent[link]]
            link = parent[link]
        return link

    returned = {id(i): link("payout-", i.entry.meta["payout-returned"]) for i in items
                if i.entry.meta.get("payout-returned")}
    for item in items:
        if id(item) not in returned:
            links = sorted(l for l in item.entry.links if l.startswith("payout-"))
            for other in links[1:]:
                parent[root(other)] = root(links[0])
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        key = returned.get(id(item), item.payout)
        if key:
            groups[root(key)].append(item)
    return groups


def check_transit(items: list[Item], channel, as_of: dt.date, horizon: Horizon | None = None,
                  waiting: dict | None = None, unheard: dict | None = None,
                  banks: set[str] | frozenset[str] = frozenset(), holed: dict | None = None,
                  answered: dict | None = None, early: dict | None = None) -> list[Finding]:
    """Payouts (in) against bank credits (out): by shared payout link first, then by
    equal amount on or after the payout's date, then credits that together make a payout
    or the rest of a linked one (_in_parts), then the nearest payout in the window.
    Bank debits (in: lines of the `banks` accounts) against the channel's top-ups (out)
    first, by equal amount within the window either way (_pair_top_ups). What the
    statements cannot judge yet goes to `waiting` (payouts and top-ups, per bank) and
    `unheard` (bank lines, per channel); what a hole in a source's statements holds back,
    to `holed` (per that source); the credits no payout answers whose payouts left
    before the channel's statements begin, to `early` (per channel): for statement-gap.
    `answered` gets, per payout (its Item's id) a bank credit answered, those credits
    (transit_answers)."""
    account, window = channel.accounts.transit, channel.bank_days
    answer = answered.__setitem__ if answered is not None else lambda payout, credits: None
    horizon = horizon or Horizon(Coverage({}), channel, as_of)
    waiting = {} if waiting is None else waiting
    unheard = {} if unheard is None else unheard
    holed = {} if holed is None else holed
    early = {} if early is None else early
    findings = []
    linked = _link_groups(items)
    closed = set()
    short: list[tuple] = []   # (ins, outs, group) of the linked groups the bank credited less than paid out
    for payout, group in sorted(linked.items()):
        ins = [i for i in group if i.amount > 0]
        outs = [i for i in group if i.amount < 0]
        if ins and outs:
            closed.update(id(i) for i in group)
            for i in ins:
                answer(id(i), outs)
            total = sum(i.amount for i in group)
            if total > 0:   # its rest may be a credit no link names yet (_in_parts): judged below
                short.append((ins, outs, group))
            elif total:
                findings.append(_mismatch(ins[0], sum(i.amount for i in ins), -sum(i.amount for i in outs),
                                          [i.entry for i in group], channel, account))
    unlinked = [i for i in items if id(i) not in closed]
    at_bank = {id(i) for i in unlinked if i.amount > 0 and any(p.account in banks for p in i.entry.postings)}
    debits = [i for i in unlinked if id(i) in at_bank]
    paired = _pair_top_ups(debits, [i for i in unlinked if i.amount < 0 and _funding(i, channel)], window)
    payouts = [i for i in unlinked if i.amount > 0 and id(i) not in at_bank]
    credits = [i for i in unlinked if i.amount < 0 and id(i) not in paired]
    for debit in debits:
        # a top-up's row may come before the bank's debit or after: the channel's
        # statements judge it once they cover the window either way
        if id(debit) not in paired and _heard(horizon.around_own(debit.date, window), debit, channel, horizon,
                                              unheard):
            findings.append(_unanswered(debit, channel, f"bank debit of {_money(debit.amount)} {debit.currency} "
                                        f"booked as a top-up of {channel.name}, but no {channel.name} top-up "
                                        "explains it"))
    open_by_amount: dict[tuple, deque[Item]] = defaultdict(deque)
    for p in payouts:
        open_by_amount[(p.currency, p.amount)].append(p)
    too_old = dt.timedelta(days=window + LATE_DAYS)
    matched: set[int] = set()
    leftover = []
    lags: Counter = Counter()   # days from a payout to its credit, of the credits of equal amount
    weekday_lags: dict[int, Counter] = defaultdict(Counter)   # the same by the payout's weekday
    for credit, payout in _named_by_credits(credits, open_by_amount, too_old):
        matched.update((id(credit), id(payout)))
        answer(id(payout), [credit])
        lags[(credit.date - payout.date).days] += 1
        weekday_lags[payout.date.weekday()][(credit.date - payout.date).days] += 1
    for credit in credits:
        if id(credit) in matched:
            continue
        queue = open_by_amount.get((credit.currency, -credit.amount))
        # Credits come in date order: a payout too old for this one is too old for the
        # rest, and stays open (payout-missing) rather than taking a later payout's credit.
        while queue and (id(queue[0]) in matched or queue[0].date < credit.date - too_old):
            queue.popleft()
        if queue and queue[0].date <= credit.date + dt.timedelta(days=1):
            payout = queue.popleft()
            answer(id(payout), [credit])
            matched.add(id(payout))
            lags[(credit.date - payout.date).days] += 1
            weekday_lags[payout.date.weekday()][(credit.date - payout.date).days] += 1
        else:
            leftover.append(credit)
    usual = lags.most_common(1)[0][0] if sum(lags.values()) >= USUAL_FROM else None

    def takes(payout: Item) -> int | None:
        """The days a payout takes to arrive: its weekday's, where the bank's credits show
        them (a bank that credits on working days credits Saturday's and Sunday's payouts
        on Monday alike), else the channel's usual."""
        seen = weekday_lags.get(payout.date.weekday())
        if usual is None or not seen or sum(seen.values()) < WEEKDAY_FROM:
            return usual
        return seen.most_common(1)[0][0]
    still_open = [p for p in payouts if id(p) not in matched]
    leftover = _in_parts(leftover, short, still_open, channel, horizon, answer)
    for ins, outs, group in short:
        findings.append(_mismatch(ins[0], sum(i.amount for i in ins), -sum(i.amount for i in outs),
                                  [i.entry for i in group], channel, account))
    unpaid: list[tuple[int, Item]] = []    # (index in findings, credit) of the credits no payout explains
    missing: list[tuple[int, Item]] = []   # the same of the payouts missing
    set_aside: list[Item] = []   # credits whose payout may be in a hole of the channel's statements
    unpaired: list[Item] = []    # credits no payout answers (bank-unmatched)
    for credit in leftover:
        judged = horizon.credit(credit.date, window)
        if judged == "hole":   # its payout may be in a hole of the channel's statements: the hole's finding says it
            holed.setdefault(channel.name, []).append(credit)
            set_aside.append(credit)
            continue
        near = [p for p in still_open if p.currency == credit.currency
                and p.date - dt.timedelta(days=1) <= credit.date <= p.date + dt.timedelta(days=window)]
        if judged == "before":
            # its payout may have left before the channel's first statement: a payout in
            # them answers it only in the days the channel's payouts take (seed 31625
            # without its first Stripe download: a credit of 10-30's payout taken for 11-02's)
            near = [p for p in near if usual is not None and _on_schedule(p.date, credit.date, takes(p))]
        batch = batched(near, -credit.amount)
        if batch:   # a bank that credits several payouts as one line (README, Matching: groups)
            for payout in batch:
                still_open.remove(payout)
                answer(id(payout), [credit])
            continue
        if near:
            # a credit answers a payout that left before it (one dated the day after counts
            # only for a bank in another time zone, when no earlier one is near), then one
            # as many days before it as the channel's other payouts take to arrive (a bank
            # credits on its own schedule; a shorted credit is nearer another payout's
            # amount than its own), then the nearest amount
            payout = min(near, key=lambda p: (p.date > credit.date,
                                              usual is not None and not _on_schedule(p.date, credit.date, takes(p)),
                                              abs(p.amount + credit.amount), p.date))
            still_open.remove(payout)
            answer(id(payout), [credit])
            if judged == "wait":
                # past what the channel's statements show, a credit other than the payout's
                # amount may be of the days not yet in them: more, the payout's and the next
                # one's (seed 32973, its last Stripe file left out: a credit of two payouts
                # taken for the first's mismatch); less, a payout of those days alone (seed
                # 33140, PayPal's second page left out: 728.00 taken for 886.14 short). It
                # waits, with its payout, for the statement that will say
                _heard(judged, credit, channel, horizon, unheard)
                continue
            findings.append(_mismatch(payout, payout.amount, -credit.amount, [payout.entry, credit.entry],
                                      channel, account))
        elif _funding(credit, channel):
            # money the channel took in from the bank (a PayPal bank deposit, a top-up)
            # that no bank debit answered: the bank's statements judge it, once they
            # cover the window either way (the debit may come before it)
            if _seen(horizon.around_bank(credit.date, window), credit, channel, horizon, waiting, as_of, holed):
                findings.append(_unanswered(credit, channel, f"{channel.name} top-up of {_money(-credit.amount)} "
                                            f"{credit.currency} from the bank, but no bank debit explains it"))
        elif judged == "before":
            # its payout left before the channel's statements begin: in none of them, and
            # the transit account is short of it for good (DESIGN §1: transit comes back to
            # zero) until that statement, or the person's booking of a payout in flight
            # when the books began, is in. One statement-gap of the channel for them all.
            early.setdefault(channel.name, []).append((channel.bank, credit))
        elif _heard(judged, credit, channel, horizon, unheard):
            unpaired.append(credit)
            unpaid.append((len(findings), credit))
            findings.append(_unanswered(credit, channel, f"bank credit of {_money(-credit.amount)} {credit.currency}"
                                        f"{_at_the_bank(credit)} booked as {_a(channel.name)} payout, but no "
                                        f"{channel.name} payout explains it"
                                        + _in_another_currency(credit, still_open, window)))
    for payout in still_open:
        if any(c.currency == payout.currency and payout.date - dt.timedelta(days=1) <= c.date
               <= payout.date + dt.timedelta(days=window) for c in set_aside):
            # a credit set aside for the hole may be this payout's, with the hole's payout
            # in one line (seed 33125 without a day of Stripe's API): it waits with it
            holed.setdefault(channel.name, []).append(payout)
            continue
        if not _seen(horizon.payout(payout.date, window), payout, channel, horizon, waiting, as_of, holed):
            continue
        age = (horizon.bank[1] - payout.date).days
        if age > window:
            missing.append((len(findings), payout))
            findings.append(Finding(
                "payout-missing", payout.date, channel.name, account, payout.amount, payout.currency,
                f"payout of {_money(payout.amount)} {payout.currency} on {payout.date} has not reached the bank "
                f"{age} days later (expected within {window})" + _in_another_currency(payout, unpaired, window),
                refs([payout.entry]), **at_entry(payout.entry)))
    _name_each_other(findings, unpaid, missing)
    return findings


def _name_each_other(findings: list[Finding], credits: list[tuple[int, Item]], payouts: list[tuple[int, Item]]):
    """A bank credit no payout explains and a missing payout of its very amount before
    it, each the only one of the other: past bank_days + LATE_DAYS, taking the credit
    for the payout is a guess (a payout 21 days late under a text without its id, or
    another credit of that amount), so both stay findings, each naming the other and
    the `beanclear link` that says it is (`findings[i]`, with (i, item) pairs)."""
    for c, credit in credits:
        same = [(p, payout) for p, payout in payouts if payout.currency == credit.currency
                and payout.amount == -credit.amount and payout.date <= credit.date]
        if len(same) != 1:
            continue
        p, payout = same[0]
        if sum(1 for _, other in credits if other.currency == credit.currency and other.amount == credit.amount
               and other.date >= payout.date) != 1:
            continue
        bank_ref, payout_ref = refs([credit.entry])[0], refs([payout.entry])[0]
        days, command = (credit.date - payout.date).days, f"`beanclear link {bank_ref} {payout_ref}`"
        findings[c] = replace(findings[c], message=f"{findings[c].message}; payout {payout_ref} of {payout.date}, "
                              f"{days} days earlier and missing, is of its amount: {command} if it is that payout")
        findings[p] = replace(findings[p], message=f"{findings[p].message}; bank credit {bank_ref} of {credit.date}, "
                              f"{days} days later, is of its amount: {command} if it is this payout")


def _at_the_bank(credit: Item) -> str:
    """What a credit the bank converted (booked in the amount sent: banking.counter_posting)
    is at the bank, in words (` (788.70 GBP at the bank)`); else nothing."""
    booked = next((p for p in credit.entry.postings if p.units.currency != credit.currency), None)
    return f" ({_money(booked.units.number)} {booked.units.currency} at the bank)" if booked is not None else ""


def _in_another_currency(item: Item, others: list[Item], window: int) -> str:
    """What a payout-missing or a bank-unmatched says of the other side of its window
    (`others`: the credits no payout answers, or the payouts still open) where that is in
    another currency: a credit the bank converted into the account's currency whose
    statement states no amount sent, so that it pairs with no payout (banking.sent_units:
    a blind tester's 788.70 GBP of a 1,000.00 USD payout was offered against nothing)."""
    for other in others:
        if other.currency == item.currency:
            continue
        payout, credit = (item, other) if item.amount > 0 else (other, item)
        if payout.date - dt.timedelta(days=1) <= credit.date <= payout.date + dt.timedelta(days=window):
            sent = stated_amount(credit.entry.meta.get("original-amount"))
            # booked before the import booked it so; an amount sent of nothing is none (sent_units)
            if sent is not None and sent[1] == payout.currency and sent[0]:
                why = (f"its statement states {_money(sent[0])} {sent[1]} sent, but it is booked in {credit.currency} "
                       "(`beanclear link` or `match --apply` books it in the amount sent)")
            else:
                why = f"its statement states no amount sent in {payout.currency}, which a credit the bank converted pairs by"
            if item is payout:
                return (f"; bank credit {credit.entry.meta.get('id', '?')} of {_money(-credit.amount)} "
                        f"{credit.currency} on {credit.date} may be it, converted by the bank: {why}")
            return (f": it is in {credit.currency} and payout {payout.entry.meta.get('id', '?')} "
                    f"({_money(payout.amount)} {payout.currency}) in {payout.currency}; {why}")
    return ""


def text_words(text: str) -> set[str]:
    """The words and numbers of a bank line's text: an id it names must be one of them,
    not a part of one (matching's exact stage reads the same words)."""
    return set(re.findall(r"[0-9A-Za-z_.\-]+", text))


def named_id(ids, words: set[str]) -> str | None:
    """The first id of an item that is a word of a bank line's text (short ids are too
    often a word by chance); else one the bank wrote in capitals, as banks write their
    text (`STRIPE PAYMENTS PO_1PX000001HKUSD` for Stripe's `po_1Px000001hkUSD`): an id of
    letters and digits, eight characters or more, equal but for case to a word."""
    found = next((i for i in ids if len(i) >= 4 and i in words), None)
    if found is None and words:
        folded = None
        for i in ids:
            if len(i) >= 8 and not i.isdigit() and any(c.isdigit() for c in i):
                folded = {w.casefold() for w in words} if folded is None else folded
                if i.casefold() in folded:
                    return i
    return found


def _named_by_credits(credits: list[Item], by_amount: dict, too_old: dt.timedelta) -> list[tuple[Item, Item]]:
    """(credit, payout) of equal amount (`by_amount`: the payouts by currency and amount)
    where the credit's text names
    the payout (its id, or the payout id its entry carries), answered before any pairing
    by amount: of two payouts of one amount, the bank line that says which one it is
    answers that one (a blind helper's credit naming the second was set against the
    first, and the second was payout-missing until `match` linked them)."""
    taken: set[int] = set()
    pairs = []
    for credit in credits:
        same = by_amount.get((credit.currency, -credit.amount))
        if not same:
            continue
        words = text_words(f"{credit.entry.payee or ''} {credit.entry.narration or ''}")
        for payout in same:
            if id(payout) not in taken and credit.date - too_old <= payout.date <= credit.date + dt.timedelta(days=1) \
                    and named_id([str(payout.entry.meta[k]) for k in ("payout-id", "id") if payout.entry.meta.get(k)],
                                 words):
                taken.add(id(payout))
                pairs.append((credit, payout))
                break
    return pairs


def _in_parts(leftover: list[Item], short: list[tuple], still_open: list[Item], channel, horizon: Horizon,
              answer) -> list[Item]:
    """A payout the bank credited in parts (README, Matching: groups): the credits no
    payout of their amount answers that together make a payout in its window answer it,
    and a credit that makes the rest of a linked group the bank credited short of its
    payout (`short`: ins, outs, group; taken out of it, no payout-mismatch then) answers
    that payout with the linked ones. The leftover credits no part of a payout.

        2026-02-12 payout   2000.00 USD
        2026-02-13 bank    -1200.00 USD     ; STRIPE TRANSFER PART 1 OF 2
        2026-02-13 bank     -800.00 USD     ; STRIPE TRANSFER PART 2 OF 2

    A blind tester's: the 1,200.00 was the payout's payout-mismatch of 800.00, and the
    800.00 bank-unmatched, two findings of nothing wrong. Only credits the channel's
    statements judge (or that wait for them), never money back from the channel."""
    window = dt.timedelta(days=channel.bank_days)
    free = [c for c in leftover if not _funding(c, channel) and horizon.credit(c.date, channel.bank_days)
            in ("judge", "wait")]
    if not free or not (short or still_open):
        return leftover
    used: set[int] = set()

    def making(payout: Item, amount: Decimal, alone: bool) -> list[Item]:
        near = [c for c in free if id(c) not in used and c.currency == payout.currency
                and payout.date - dt.timedelta(days=1) <= c.date <= payout.date + window]
        one = next((c for c in near if -c.amount == amount), None) if alone else None
        places = None if one else pair_or_run([-c.amount for c in near], amount)
        found = [one] if one else [near[n] for n in places] if places else []
        used.update(id(c) for c in found)
        return found

    for ins, outs, group in list(short):
        rest = making(ins[0], sum(i.amount for i in group), alone=True)
        if rest:
            short.remove((ins, outs, group))
            for i in ins:
                answer(id(i), outs + rest)
    for payout in list(still_open):
        parts = making(payout, payout.amount, alone=False)
        if parts:
            still_open.remove(payout)
            answer(id(payout), parts)
    return [c for c in leftover if id(c) not in used]


def _on_schedule(paid: dt.date, credited: dt.date, lag: int) -> bool:
    """Whether a credit came the days a payout takes after it, or on the Monday after, where
    those days end on a weekend: a bank that credits on working days only credits Friday's
    payout on Monday, even where the weekday's own lag is not yet known (seed 31524, the
    bank's first download left out: a Friday's short credit taken for Sunday's payout)."""
    due = paid + dt.timedelta(days=lag)
    return credited == due or due.weekday() >= 5 and credited == due + dt.timedelta(days=7 - due.weekday())


def _without_payouts(held: list[Item], credits: list[Item], channel, as_of, horizon: Horizon,
                     late: dict) -> list[Finding]:
    """A channel whose statements show no payout (only its trade view is imported: the
    withdrawals are in the fund view). Its bank credits are then all the books know of
    its payouts: they settle its clearing account first-in-first-out, and money is
    `unsettled` when it has not reached the bank `settlement_days + bank_days` after
    it came in, judged to the end of both the channel's and the bank's statements.
    Where the bank's statements start after the channel's money, that is `late`'s (its
    bank's one statement-gap, _banks_start_late), not this channel's findings."""
    stream = sorted(held + credits, key=lambda i: i.order)
    patient = replace(channel, settlement_days=channel.settlement_days + channel.bank_days)
    found = check_clearing(stream, patient, as_of, horizon.through_bank())
    first = min((i.date for i in held if i.amount > 0), default=None)
    bank_start = horizon.bank[0] if horizon.bank else None
    if found and first and bank_start and (bank_start - first).days > patient.settlement_days + QUIET_DAYS:
        # Money that reached the bank before its first statement is in none: the credits
        # from then on settle that money first, and every day after looks unsettled.
        # One cause (seed 31214 without the first of its two bank downloads): one gap.
        late.setdefault((channel.bank, bank_start), []).append((channel.name, first, found))
        return []
    return found


def _banks_start_late(late: dict) -> list[Finding]:
    """One statement-gap per bank whose statements start after the money of the channels
    whose payouts only it shows (_without_payouts): one missing download of the bank is
    one cause, however many channels pay into it (seed 33396 without ICBC's first file:
    one finding, not one for Alipay and one for WeChat)."""
    out = []
    for (bank, start), channels in sorted(late.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        found = [f for _, _, of in channels for f in of]
        names = [name for name, _, _ in channels]
        currencies = ", ".join(sorted({f.currency for f in found}))
        if len(channels) == 1:
            name, first, _ = channels[0]
            whose = f"{name}'s money from {first}"
            shown, their = f"no statement of {name} shows them", "its"
        else:
            whose = "the money of " + " and ".join(f"{name} (from {first})" for name, first, _ in channels)
            shown, their = f"no statement of {' or '.join(names)} shows them", "their"
        out.append(Finding("statement-gap", start, bank, "", Decimal(0), "",
                           f"the statements of {bank} start {start}, after {whose}, whose payouts only they show "
                           f"({shown}): {len(found)} day(s) of {their} money ({currencies}) wait for the statement "
                           f"of the bank before {start}", tuple(dict.fromkeys(r for f in found for r in f.refs[:1]))))
    return out


def _seen(judged: str, item: Item, channel, horizon: Horizon, waiting: dict, as_of: dt.date,
          holed: dict | None = None) -> bool:
    """Whether the bank's statements judge an item of the channel's (a payout, a top-up)
    now (`judged`, as Horizon says it); one the channel's statements show past bank_days
    that waits for the bank's while they end early is `waiting`, one a hole in the bank's
    statements holds back `holed`."""
    own_end = horizon.own_end or as_of
    if judged == "wait" and (own_end - item.date).days > channel.bank_days and horizon.bank_ends_early():
        waiting.setdefault(channel.bank, []).append((channel.name, item))
    elif judged == "hole" and holed is not None:   # the hole's finding names what it holds back
        holed.setdefault(channel.bank, []).append(item)
    return judged == "judge"


def _heard(judged: str, item: Item, channel, horizon: Horizon, unheard: dict) -> bool:
    """Whether the channel's statements judge a bank line in transit now (`judged`, as
    Horizon says it); one that waits for them while they end early, or comes before
    those that show payouts where the channel's trade bill covers it, is `unheard`."""
    if judged == "unshown" or judged == "wait" and horizon.own_ends_early():
        unheard.setdefault(channel.name, []).append((channel.bank, item))
    return judged == "judge"


def _a(word: str) -> str:
    """`word` after its article, as English says it before the sound of its first letter
    ("an airwallex payout", "a stripe payout", "a unionpay payout"; a blind tester's
    finding said "a airwallex")."""
    folded = word.lower()
    vowel = folded[:1] in ("a", "e", "i", "o", "u") and not folded.startswith(("uni", "use", "usu", "eu", "one"))
    return f"{'an' if vowel else 'a'} {word}"


def _unanswered(item: Item, channel, message: str) -> Finding:
    """bank-unmatched: an item in the channel's transit account nothing answers."""
    return Finding("bank-unmatched", item.date, channel.name, channel.accounts.transit, abs(item.amount),
                   item.currency, message, refs([item.entry]), **at_entry(item.entry))


def _pair_top_ups(debits: list[Item], top_ups: list[Item], window: int) -> set[int]:
    """The ids of the bank debits and top-ups that answer each other: equal amounts at
    most `window` days apart, either way; each debit (in date order) takes the earliest
    top-up left in its window, as the bank books a channel's top-ups in their order."""
    by_amount: dict[tuple, deque[Item]] = defaultdict(deque)
    for top_up in top_ups:   # in date order, as the items are
        by_amount[(top_up.currency, -top_up.amount)].append(top_up)
    span = dt.timedelta(days=window)
    paired: set[int] = set()
    for debit in debits:
        queue = by_amount.get((debit.currency, debit.amount))
        # debits come in date order: a top-up too old for this one is too old for the rest
        while queue and (id(queue[0]) in paired or queue[0].date < debit.date - span):
            queue.popleft()
        if not queue or queue[0].date > debit.date + span:
            continue
        paired.update((id(debit), id(queue.popleft())))
    return paired


def _funding(item: Item, channel) -> bool:
    """Whether money out of transit went into the channel's own clearing account (a
    top-up from the bank, booked from the channel's statement), not to a bank account."""
    return any(p.account == channel.accounts.clearing for p in item.entry.postings)


def _top_up(entry: data.Transaction, clearing: str) -> bool:
    """Whether a wallet's entry moves money into its balance from a card, both on its
    clearing account (importers/wallet.py: a 充值 row)."""
    signs = {p.units.number > 0 for p in entry.postings if p.account == clearing}
    return len(signs) == 2


def _mismatch(payout: Item, paid: Decimal, credited: Decimal, entries, channel, account) -> Finding:
    return Finding(
        "payout-mismatch", payout.date, channel.name, account, abs(paid - credited), payout.currency,
        f"payout of {_money(paid)} {payout.currency} arrived at the bank as {_money(credited)} {payout.currency}",
        refs(entries), expected=paid, actual=credited, **at_entry(payout.entry))


def findings(entries, config, as_of: dt.date, index=None, cover: Coverage | None = None) -> list[Finding]:
    """All clearing and transit findings of every channel. `index` and `cover`: the
    postings index and the coverage of the same books, when the caller has them."""
    index, cover = _index_and_cover(entries, config, index, cover)
    out, waiting, unheard, holed, early, late = [], {}, {}, {}, {}, {}
    banks = {bank.account for bank in config.banks.values()}
    for channel in config.channels.values():
        landed, horizon = landed_as(channel, channel.bank, config, cover, as_of)
        held, transit = index.get(channel.accounts.clearing, []), index.get(channel.accounts.transit, [])
        if not cover.shows_payouts(channel.name):
            out += _without_payouts(held, transit, landed, as_of, horizon, late)
            continue
        out += check_clearing(held, channel, as_of, horizon)
        if channel.type in WALLET_TYPES:
            from beanclear.checks import card_payments   # (it reads this module's Items and horizons)
            out += card_payments.findings(held, landed, as_of, horizon, banks, waiting, unheard, holed)
        out += _transit_by_bank(transit, channel, config, cover, as_of, banks, waiting, unheard, holed, early=early)[1]
    from beanclear.checks import transfers   # (it reads this module's Items)
    out += transfers.findings(index.get(config.transfers, []), config, as_of, cover, waiting)
    return out + _banks_start_late(late) + gaps.findings(cover, config, waiting, unheard, holed, early)


def _index_and_cover(entries, config, index, cover) -> tuple[dict, Coverage]:
    """The postings index and coverage a caller gave, else those of `entries`."""
    if index is None:
        watched = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
        watched.add(config.transfers)
        index = postings_by_account(entries, watched)
    return index, Coverage.of(entries, config) if cover is None else cover


def _transit_by_bank(transit: list[Item], channel, config, cover: Coverage, as_of: dt.date, banks, waiting, unheard,
                     holed, answered=None, early=None) -> tuple[dict, list[Finding]]:
    """(the channel's transit Items by bank, the findings of each bank's), each bank's
    payouts judged by its own statements (landed_as): what `findings` and `transit_answers`
    both run."""
    grouped, out = by_bank(transit, channel, config), []
    for bank, items in grouped.items():
        landed, at_bank = landed_as(channel, bank, config, cover, as_of)
        out += check_transit(items, landed, as_of, at_bank, waiting, unheard, banks, holed, answered, early)
    return grouped, out


def transit_answers(entries, config, as_of: dt.date, index=None, cover: Coverage | None = None) -> dict[str, tuple]:
    """Per channel, (its transit Items by bank; what answers each payout: its Item's id
    -> the bank credits check_transit pairs it with; the statement ids of the payouts it
    finds payout-missing; the ids of the Items a hole in the statements holds back), as
    `findings` judges them, or None for a channel whose statements show no payouts (its
    bank credits settle its clearing account): the month report tells a payout on its way
    from one the bank got short or never got."""
    index, cover = _index_and_cover(entries, config, index, cover)
    banks = {bank.account for bank in config.banks.values()}
    out = {}
    for channel in config.channels.values():
        if not cover.shows_payouts(channel.name):
            out[channel.name] = None
            continue
        answered, holed = {}, {}
        grouped, found = _transit_by_bank(index.get(channel.accounts.transit, []), channel, config, cover, as_of,
                                          banks, {}, {}, holed, answered)
        missing = {r for f in found if f.code == "payout-missing" for r in f.refs}
        out[channel.name] = (grouped, answered, missing, {id(i) for items in holed.values() for i in items})
    return out


def landed_as(channel, bank: str | None, config, cover: Coverage, as_of: dt.date):
    """The channel as its payouts to `bank` are judged, and their Horizon: where `bank`
    is one of several of one currency (`bank: [boc, cmb]`, the account moved), the
    statements of all of them as one, and the bank that waits is the latest of them."""
    together = channel.fellow_banks(bank, config.banks) if bank else ()
    waits_for = gaps.latest_bank(cover, together) if len(together) > 1 else bank
    landed = replace(channel, bank=waits_for) if waits_for != channel.bank else channel
    return landed, Horizon(cover, landed, as_of, together)


def by_bank(transit: list[Item], channel, config) -> dict[str | None, list[Item]]:
    """A channel's transit items by the bank its payouts of their currency land in
    (`bank: [sparkasse, chase]`): each bank's statements judge its own; a currency no
    bank of the channel holds goes to the first."""
    if len(channel.payout_banks) < 2:
        return {channel.bank: transit}
    of = channel.banks_by_currency(config.banks)
    out: dict[str | None, list[Item]] = {}
    for item in transit:
        out.setdefault(of.get(item.currency, channel.bank), []).append(item)
    return out
