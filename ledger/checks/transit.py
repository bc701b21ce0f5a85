"""The transit check: every payout must reach the bank, and every bank credit booked as
a payout must be one.

A payout sits in its channel's transit account until the bank statement shows it
arrive (clearing.py watches the clearing account before it):

- `payout-mismatch`: a payout that differs from the bank credit that answers it;
- `payout-missing`: a payout the bank has not shown `bank_days` after it left (dated its
  day, or the day it became missing where that is in a later month: findings.by_deadline);
- `bank-unmatched`: a bank credit booked as a payout that no payout explains, a top-up
  of the channel from the bank that no bank debit explains, or a bank debit booked as
  a top-up that no top-up explains.

A payout is answered by the credit naming it, however long after it (of another amount,
its payout-mismatch: _named_apart), else one of its amount on schedule (the
channel's usual days to arrive, learnt from its credits: USUAL_FROM, WEEKDAY_FROM), up
to LATE_DAYS past `bank_days`; credits that together make it (a payout the bank
credited in parts: _in_parts); a credit the bank converted, in the amount it sent.
Later than that a credit of its amount answers nothing, but where nothing else may be
it the payout's one payout-missing says it appears to have arrived late (_late_arrivals).
Money goes the other way through transit too: a top-up of the channel from the bank
(PayPal's "Bank Deposit to PP Account", Stripe's `topup`, booked transit -> clearing) is
answered by the bank's debit naming the channel (banking.py books it bank -> transit), of
the same amount, `bank_days` before or after it, and never is it a payout's credit.
Deadlines wait where the bank's statements do not reach (gaps.Horizon). No credit dated
before a payout answers it, but where a bank further west still had the payout on the
credit's day (arrived_by).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter, defaultdict, deque
from dataclasses import replace
from decimal import Decimal

from beancount.core import data

from beanclear.checks import reversals
from beanclear.checks.findings import Finding, at_entry, by_deadline, shown_on
from beanclear.checks.items import WRITE_OFF, Item, _money, postings_by_account, refs, written_off
from beanclear.checks.sums import batched, pair_or_run
from beanclear.importers.order_refs import link
from beanclear.importers.stated import stated_amount
from beanclear.statements import gaps
from beanclear.statements.coverage import Coverage
from beanclear.statements.gaps import Horizon

LATE_DAYS = 7  # an equal amount this many days past bank_days is still that payout, arriving late
WESTMOST = dt.timezone(dt.timedelta(hours=-12))   # the zone where a day ends last
USUAL_FROM = 5  # credits of equal amount from which the days a payout takes to arrive are the channel's usual
WEEKDAY_FROM = 2  # of those, credits of payouts of one weekday from which that weekday's days are its own


def check_transit(items: list[Item], channel, as_of: dt.date, horizon: Horizon | None = None,
                  waiting: dict | None = None, unheard: dict | None = None,
                  banks: set[str] | frozenset[str] = frozenset(), holed: dict | None = None,
                  answered: dict | None = None, early: dict | None = None, zone=None,
                  late: dict | None = None, names: PayoutNames | None = None,
                  fellows: tuple = ()) -> list[Finding]:
    """Payouts (in) against bank credits (out): by shared payout link first, then by
    equal amount on or after the payout's date, then credits that together make a payout
    or the rest of a linked one (_in_parts), then the nearest payout in the window.
    Bank debits (in: lines of the `banks` accounts) against the channel's top-ups (out)
    first, by equal amount within the window either way (_pair_top_ups). What the
    statements cannot judge yet goes to `waiting` (payouts and top-ups, per bank) and
    `unheard` (bank lines, per channel); what a hole in a source's statements holds back,
    to `holed` (per that source); the credits no payout answers whose payouts left
    before the channel's statements begin, to `early` (per channel): for statement-gap.
    `answered` gets, per payout (its Item's id) a bank credit answered, those credits,
    and per bank debit the top-up it answers (or the reversal of a payout the bank
    returned, which answers the return), that one (transit_answers): what matching and
    the actions read of the pairing, not judging it again. `zone`: the books'
    (config.timezone), that their times are in (arrived_by). `late` gets, per payout
    missing (its Item's id), the credit that appears to be it arriving late
    (_late_arrivals): no pairing, what matching proposes for a person to confirm. `names`:
    the payouts a credit's text may name (PayoutNames, each owned by its channel's name):
    the channel's of every bank and the other channels' (_transit_by_bank), else these
    items' own."""
    account, window = channel.accounts.transit, channel.bank_days
    answer = answered.__setitem__ if answered is not None else lambda payout, credits: None
    horizon = horizon or Horizon(Coverage({}), channel, as_of)
    waiting = {} if waiting is None else waiting
    unheard = {} if unheard is None else unheard
    holed = {} if holed is None else holed
    early = {} if early is None else early
    findings = []
    # a bank line and the bank's own reversal of it, both booked here (a payout credited
    # twice, the second credit reversed): they explain each other, as in suspense
    reversed_ = reversals.in_transit(items, banks)
    if reversed_:
        items = [i for i in items if id(i) not in reversed_]
    # a payout the bank credited and then returned: the return (a bank debit) is what the
    # channel's reversal answers, and the credit stays the payout's (_returned_at_bank)
    returned = _returned_at_bank(items, banks, window)
    linked = _link_groups([i for i in items if id(i) not in returned] if returned else items,
                          channel.accounts.clearing)
    closed = set(returned)
    short: list[tuple] = []   # (ins, outs, group) of the linked groups the bank credited less than paid out
    for _, group in _in_each_currency(linked):
        # a write-off linked to the payout is neither: the group comes back to zero with
        # it, and a difference is the statements' own (the write-off must post it: checks/resolutions.py)
        offs = [i for i in group if written_off(i)]
        closed.update(id(i) for i in offs)
        ins = [i for i in group if i.amount > 0 and not written_off(i)]
        outs = [i for i in group if i.amount < 0 and not written_off(i)]
        if ins and outs:
            closed.update(id(i) for i in group)
            for i in ins:
                answer(id(i), outs + offs)   # (what answers it in transit: its credits, its write-offs)
            total = sum(i.amount for i in group)
            if total > 0:   # its rest may be a credit no link names yet (_in_parts): judged below
                short.append((ins, outs, group))
            elif total:
                findings.append(_mismatch(ins[0], sum(i.amount for i in ins), -sum(i.amount for i in outs),
                                          [i.entry for i in group], channel, account))
    unlinked = [i for i in items if id(i) not in closed and not written_off(i)]
    at_bank = {id(i) for i in unlinked if i.amount > 0 and any(p.account in banks for p in i.entry.postings)}
    debits = [i for i in unlinked if id(i) in at_bank]
    paired = _pair_top_ups(debits, [i for i in unlinked if i.amount < 0 and _funding(i, channel)], window)
    payouts = [i for i in unlinked if i.amount > 0 and id(i) not in at_bank]
    # a top-up is money from the bank: a bank debit answers it, never is it a payout's
    # credit (one of a payout's amount took it, and the payout missing and the top-up no
    # debit paid were no finding); a payout's money coming back answers that payout
    top_ups = [i for i in unlinked if i.amount < 0 and _from_bank(i, channel)]
    from_bank = {id(i) for i in top_ups}
    credits = [i for i in unlinked if i.amount < 0 and id(i) not in paired and id(i) not in from_bank]
    if answered is not None:   # what answers a bank debit, for matching and the actions to name
        for debit in debits:
            if id(debit) in paired:
                answer(id(debit), [paired[id(debit)]])
        for key, reversal in returned.items():   # (a return -> its reversal; a reversal -> its return)
            if reversal.amount < 0:
                answer(key, [reversal])
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
    if names is None:
        names = channel_names([(channel, items)], banks)
    # the payouts each credit's text names, read once: a credit naming a payout is that
    # payout's, whatever its amount, currency or channel (README: "on any day"); money a
    # person's entry converted is named and dated as its payout (PayoutNames.paid)
    named_by = {id(c): hits for c in credits if not _funding(c, channel)
                and (hits := [(owner, p) for owner, p in names.of(c) if arrived_by(names.paid(p).entry, c.date, zone)])}
    matched: set[int] = set()
    leftover = []
    lags: Counter = Counter()   # days from a payout to its credit, of the credits of equal amount
    weekday_lags: dict[int, Counter] = defaultdict(Counter)   # the same by the payout's weekday
    for credit, payout in _named_by_credits(credits, open_by_amount, too_old, zone, names):
        matched.update((id(credit), id(payout)))
        answer(id(payout), [credit])
        lags[(credit.date - payout.date).days] += 1
        weekday_lags[payout.date.weekday()][(credit.date - payout.date).days] += 1
    for ins, outs in _named_apart([c for c in credits if id(c) not in matched and not _funding(c, channel)],
                                  [p for p in payouts if id(p) not in matched],
                                  {key: [p for _, p in hits] for key, hits in named_by.items()}):
        # a credit naming a payout of another amount is that payout's, as a link says it
        # is (above): whatever its day, the channel's statements have shown that payout
        matched.update(id(i) for i in ins + outs)
        for i in ins:
            answer(id(i), outs)
        total = sum(i.amount for i in ins + outs)
        if total > 0:   # its rest may be a credit naming nothing (_in_parts): judged below
            short.append((ins, outs, ins + outs))
        elif total:
            findings.append(_mismatch(ins[0], sum(i.amount for i in ins), -sum(i.amount for i in outs),
                                      [i.entry for i in ins + outs], channel, account))
    # a credit naming a payout that answers it by none of the above (one of another
    # currency, the money converted by a bank stating no amount sent; of another channel or
    # bank; one another credit answers) is still that payout's, never another's: no
    # amount, day or group pairs it with another (blind33 eubank: a EUR credit naming a
    # GBP payout set against the EUR payout of its day, which never arrived, a false
    # payout-mismatch of 268.68); its bank-unmatched names that payout (_names_note)
    held = {key: hits for key, hits in named_by.items() if key not in matched}

    def may_answer(credit: Item, payout: Item) -> bool:
        """Whether the credit may answer the payout: it names none, or that one."""
        return id(credit) not in held or any(p is payout for _, p in held[id(credit)])
    for credit in credits:
        if id(credit) in matched:
            continue
        if id(credit) in held:
            leftover.append(credit)
            continue
        queue = open_by_amount.get((credit.currency, -credit.amount))
        # Credits come in date order: a payout too old for this one is too old for the
        # rest, and stays open (payout-missing) rather than taking a later payout's credit.
        while queue and (id(queue[0]) in matched or queue[0].date < credit.date - too_old):
            queue.popleft()
        if queue and arrived_by(queue[0].entry, credit.date, zone):
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
    leftover = _in_parts(leftover, short, still_open, channel, horizon, answer, zone, may_answer)
    for ins, outs, group in short:
        findings.append(_mismatch(ins[0], sum(i.amount for i in ins), -sum(i.amount for i in outs),
                                  [i.entry for i in group], channel, account))
    unpaid: list[tuple[int, Item]] = []    # (index in findings, credit) of the credits no payout explains
    missing: list[tuple[int, Item]] = []   # the same of the payouts missing
    set_aside: list[Item] = []   # credits whose payout may be in a hole of the channel's statements
    unexplained: list[tuple[Item, str]] = []   # (credit, as the horizon judges it) of those no payout answers
    unpaired: list[Item] = []    # credits no payout answers (bank-unmatched)
    for credit in leftover:
        if id(credit) in held:   # its payout is in the books: judged now, by no other (above)
            unexplained.append((credit, "named"))
            continue
        judged = horizon.credit(credit.date, window)
        if judged == "hole":   # its payout may be in a hole of the channel's statements: the hole's finding says it
            holed.setdefault(channel.name, []).append(credit)
            set_aside.append(credit)
            continue
        near = [p for p in still_open if p.currency == credit.currency
                and arrived_by(p.entry, credit.date, zone) and credit.date <= p.date + dt.timedelta(days=window)]
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
            # only for a bank further west, arrived_by, when no earlier one is near), then one
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
            # a payout's money coming back that no bank debit answered (it returned no
            # credit of the bank) nor its payout: as a top-up no debit answers (below)
            if _seen(horizon.around_bank(credit.date, window), credit, channel, horizon, waiting, as_of, holed):
                findings.append(_no_debit(credit, channel))
        elif judged == "before":
            # its payout left before the channel's statements begin: in none of them, and
            # the transit account is short of it for good (DESIGN §1: transit comes back to
            # zero) until that statement, or the person's booking of a payout in flight
            # when the books began, is in. One statement-gap of the channel for them all.
            early.setdefault(channel.name, []).append((channel.bank, credit))
        else:   # no payout explains it, or none yet: it may be a missing payout's, late (below)
            unexplained.append((credit, judged))
    for top_up in top_ups:
        # money the channel took in from the bank (a PayPal bank deposit, a top-up) that no
        # bank debit answered: the bank's statements judge it, once they cover the window
        # either way (the debit may come before it)
        if id(top_up) not in paired and _seen(horizon.around_bank(top_up.date, window), top_up, channel, horizon,
                                              waiting, as_of, holed):
            findings.append(_no_debit(top_up, channel))
    overdue: list[tuple[Item, int]] = []   # (payout, days the bank's statements show since it) past bank_days
    for payout in still_open:
        if any(c.currency == payout.currency and arrived_by(payout.entry, c.date, zone)
               and c.date <= payout.date + dt.timedelta(days=window) for c in set_aside):
            # a credit set aside for the hole may be this payout's, with the hole's payout
            # in one line (seed 33125 without a day of Stripe's API): it waits with it
            holed.setdefault(channel.name, []).append(payout)
            continue
        if not _seen(horizon.payout(payout.date, window), payout, channel, horizon, waiting, as_of, holed):
            continue
        age = (horizon.bank[1] - payout.date).days
        if age > window:
            overdue.append((payout, age))
    arrivals = _late_arrivals([p for p, _ in overdue], [c for c, judged in unexplained if judged in ("judge", "wait")],
                              items, banks, zone)
    if late is not None:
        late.update(arrivals)
    latecomers = {id(c) for c in arrivals.values()}
    for credit, judged in unexplained:
        if id(credit) in latecomers:   # its payout's finding says it (one cause, one finding)
            continue
        said = (f"bank credit of {_money(-credit.amount)} {credit.currency}{_at_the_bank(credit)} booked as "
                f"{_a(channel.name)} payout, but no {channel.name} payout explains it")
        if judged == "named":   # no other payout's, nor, by its own amount, another credit's of its amount
            unpaired.append(credit)
            findings.append(_unanswered(credit, channel, said + _names_note(credit, held[id(credit)], channel)))
        elif judged == "judge" and (other := _holed_fellow(credit, fellows)) is not None:
            # its text fits another channel paying into this bank whose statements leave a
            # hole in the days its payout may be of: that payout's, waiting for the missing
            # statement (its statement-gap counts it: one cause, one finding; seed 35005,
            # wxpay_hk's fund bill of 05-20 missing, its credit booked on wechat)
            holed.setdefault(other, []).append(credit)
        elif _heard(judged, credit, channel, horizon, unheard):
            unpaired.append(credit)
            unpaid.append((len(findings), credit))
            findings.append(_unanswered(credit, channel, said + _in_another_currency(credit, still_open, window, zone)))
    for payout, age in overdue:
        credit = arrivals.get(id(payout))
        if credit is not None:
            findings.append(_arrived_late(payout, credit, channel, account))
            continue
        missing.append((len(findings), payout))
        findings.append(by_deadline(Finding(
            "payout-missing", payout.date, channel.name, account, payout.amount, payout.currency,
            f"payout of {_money(payout.amount)} {payout.currency} on {payout.date} has not reached the bank "
            f"{age} days later (expected within {window})"
            + _in_another_currency(payout, unpaired, window, zone, held),
            refs([payout.entry]), **at_entry(payout.entry)), window))
    _name_each_other(findings, unpaid, missing)
    return findings


def _holed_fellow(credit: Item, fellows: tuple) -> str | None:
    """The one of `fellows` ((channel, its Horizon): the other channels paying into the
    credit's bank) whose `payout_memo` the credit's text fits and whose statements leave a
    hole in the days it may be a payout of (`bank_days` + LATE_DAYS before it); else None."""
    text = f"{credit.entry.payee or ''} {credit.entry.narration or ''}"
    holes = {ch.name for ch, horizon in fellows if ch.payout_memo.search(text)
             and horizon.credit(credit.date, ch.bank_days + LATE_DAYS) == "hole"}
    return holes.pop() if len(holes) == 1 else None


def _returned_at_bank(items: list[Item], banks, window: int) -> dict[int, Item]:
    """Each failed payout's money coming back (`payout-returned`) and the bank debit that
    returned it, each by its id -> the other, where the bank had credited that payout: a
    payout the bank credited, then debited back ("RETURN OF CREDIT … po_…"), that the channel reverses
    (Stripe's `payout_reversal`, PayPal's Reversal of General Withdrawal) and pays again
    later. The money went bank -> transit -> the channel's
    clearing account, as a top-up does: the reversal answers the bank's debit, and the
    payout keeps its credit (a blind tester's returned Stripe payout: the reversal taken
    for the payout's answer left its credit and the return a bank-unmatched each, and the
    credit linked to it a payout-mismatch of twice its amount). A reversal takes an
    unlinked bank debit of its amount, one naming the payout first, dated from the
    payout's day to `window` + LATE_DAYS days either way of the reversal, where a bank
    credit of that amount (unlinked, or linked to the payout) came between the payout and
    the debit; a reversal no debit answers is the payout's (it failed before the bank:
    _link_groups)."""
    if not banks or not any(i.amount > 0 and i.payout is None for i in items):
        return {}

    def at_bank(i: Item) -> bool:
        return any(p.account in banks for p in i.entry.postings)
    debits = [i for i in items if i.amount > 0 and i.payout is None and at_bank(i)]
    if not debits:
        return {}
    paid: dict[str, list[Item]] = defaultdict(list)   # payout link -> its payouts (money in, from no bank)
    for i in items:
        if i.amount > 0 and i.payout and not at_bank(i) and not i.entry.meta.get("payout-returned"):
            paid[i.payout].append(i)

    reversals = [(i, key) for i in items if i.amount < 0 and i.entry.meta.get("payout-returned")
                 and not at_bank(i) and paid.get(key := link("payout-", str(i.entry.meta["payout-returned"])))]
    credits = [i for i in items if i.amount < 0 and at_bank(i)]
    span = dt.timedelta(days=window + LATE_DAYS)
    out: dict[int, Item] = {}
    for reversal, key in reversals:
        ids = sorted({i for p in paid[key] for i in payout_ids(p.entry)})
        left = min(p.date for p in paid[key])
        fits = [d for d in debits if id(d) not in out and d.currency == reversal.currency
                and d.amount == -reversal.amount and left <= d.date and abs(d.date - reversal.date) <= span
                and any(c.currency == d.currency and c.amount == reversal.amount and c.payout in (None, key)
                        and left <= c.date <= d.date for c in credits)]
        if fits:
            debit = min(fits, key=lambda d: (named_id(ids, text_words(
                f"{d.entry.payee or ''} {d.entry.narration or ''}")) is None, abs(d.date - reversal.date), d.order))
            out[id(reversal)], out[id(debit)] = debit, reversal
    return out


def _link_groups(items: list[Item], clearing: str = "") -> dict[str, list[Item]]:
    """Transit items grouped by payout link, where an item naming two payouts (one bank
    credit for a batch) joins their groups. A failed payout's money coming back
    (`payout-returned`) is in the group of the payout it returns, whatever its links: a
    Stripe `payout_reversal` is linked to the later payout that pays it out again, which
    is where the clearing check wants it, not where the transit account had it. A top-up
    from the bank linked to the payout its money went out in (_paid_out_later: into
    `clearing`) is in no group: the bank's debit answers it (_pair_top_ups)."""
    parent: dict[str, str] = {}
    root = functools.partial(_root, parent)

    returned = {id(i): link("payout-", i.entry.meta["payout-returned"]) for i in items
                if i.entry.meta.get("payout-returned")}
    apart = {id(i) for i in items if id(i) not in returned and _paid_out_later(i, clearing)}
    for item in items:
        if id(item) not in returned and id(item) not in apart:
            links = sorted(l for l in item.entry.links if l.startswith("payout-"))
            for other in links[1:]:
                parent[root(other)] = root(links[0])
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        key = returned.get(id(item), item.payout)
        if key and id(item) not in apart:
            groups[root(key)].append(item)
    return groups


def _in_each_currency(linked: dict[str, list[Item]]) -> list[tuple[tuple[str, str], list[Item]]]:
    """The linked groups (_link_groups) in one currency each, by (link, currency): a
    group's money is measured against itself in its own currency only, never summed with
    another's. A person's entry closing a payout the bank converted (README "Closing by
    hand": `Transit 139.43 EUR / Transit -122.12 GBP @@ 139.43 EUR ^payout-…`) settles the
    GBP payout in GBP and leaves 139.43 EUR for the bank's EUR credit to answer (a blind
    tester's: "payout of 261.55 GBP arrived at the bank as 122.12 GBP", 122.12 GBP and
    139.43 EUR added); a credit linked to a payout of another currency is no answer to it
    (not "122.12 GBP arrived as 139.43 GBP"): each is open in its own currency, as an
    unlinked one is, and their findings say why."""
    out: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for payout, group in linked.items():
        for item in group:
            out[(payout, item.currency)].append(item)
    return sorted(out.items(), key=lambda kv: kv[0])


def _converted_by_hand(linked: dict[str, list[Item]], banks) -> dict[int, Item]:
    """id(item) -> the payout it is, of the money a person's entry put into transit in
    another currency than its payout's, with its link (README "Closing by hand": `Transit
    139.43 EUR / Transit -122.12 GBP @@ 139.43 EUR ^payout-po_…`, the bank's conversion of
    a payout whose credit states no amount sent): that payout, now in EUR, for the bank's
    EUR credit to answer. The credit names it by the payout's ids and may be dated before
    the entry (written when the credit was seen): PayoutNames names and dates it as that
    payout (channel_names), for _named_by_credits and _named_apart alike. An entry of no
    statement id, posting to no bank."""
    out: dict[int, Item] = {}
    for group in linked.values():
        paid = [i for i in group if i.amount > 0 and payout_ids(i.entry) and not _at_bank(i, banks)]
        if not paid:
            continue
        first = min(paid, key=lambda i: i.order)
        for item in group:
            if item.amount > 0 and item.currency != first.currency and not payout_ids(item.entry) \
                    and not _at_bank(item, banks) and not written_off(item):
                out[id(item)] = first
    return out


def _at_bank(item: Item, banks) -> bool:
    return any(p.account in banks for p in item.entry.postings)


def _paid_out_later(item: Item, clearing: str) -> bool:
    """Whether a top-up from the bank (money out of transit into the channel's `clearing`
    account) is linked to the payout its money went out in later, not to itself: its
    `payout-id` names another than its `id` (a Stripe report's `automatic_payout_id` on
    its `topup` row; a negative payout and PayPal's bank deposit name themselves). That
    link is the clearing check's, where the payout equals its items, the top-up among
    them; in transit the top-up answers the bank's debit, never that payout's credit
    (blind25: "payout of 1,459.44 USD arrived at the bank as 2,000.00 USD")."""
    if item.amount >= 0 or item.payout is None or not clearing:
        return False
    meta = item.entry.meta
    named = meta.get("payout-id")
    return bool(named) and str(named) != str(meta.get("id")) and \
        any(p.account == clearing for p in item.entry.postings)


def _late_arrivals(overdue: list[Item], credits: list[Item], items: list[Item], banks, zone=None) -> dict[int, Item]:
    """id(payout) -> the bank credit that appears to be it, arriving past bank_days +
    LATE_DAYS: of the payouts past their days (`overdue`) and the credits no payout
    answers, judged or waiting for the channel's statements (`credits`), one of the
    payout's very amount, booked on the channel's transit account (its text is the
    channel's payout memo, or a person put it there), dated after it (arrived_by), the
    only such credit since the payout and the payout the only overdue one before it, with
    no other payout of that amount (of `items`, answered or not) left between the two: a
    credit after that one may as well be that one's again. Still a guess past the days
    the check pairs an equal amount by, so the payout stays a finding, one that names its
    credit and the link that says they are one (blind26: a WeChat withdrawal credited 15
    days later was a payout-missing "has not reached the bank" and a statement-gap of
    the credit waiting for WeChat's bills); not a pairing, so matching proposes the
    link for a person to confirm (matching.core: the late stage)."""
    if not overdue or not credits:
        return {}
    by_amount: dict[tuple, list[Item]] = defaultdict(list)   # every payout of the channel, by its amount
    for i in items:
        if i.amount > 0 and not written_off(i) and not any(p.account in banks for p in i.entry.postings):
            by_amount[(i.currency, i.amount)].append(i)
    out: dict[int, Item] = {}
    for payout in overdue:
        key = (payout.currency, payout.amount)
        mine = [c for c in credits if (c.currency, -c.amount) == key and arrived_by(payout.entry, c.date, zone)]
        if len(mine) != 1:
            continue
        credit = mine[0]
        if any(p is not payout and (p.currency, p.amount) == key and arrived_by(p.entry, credit.date, zone)
               for p in overdue):
            continue
        if any(p is not payout and p.order > payout.order and arrived_by(p.entry, credit.date, zone)
               for p in by_amount[key]):
            continue
        out[id(payout)] = credit
    return out


def _arrived_late(payout: Item, credit: Item, channel, account: str) -> Finding:
    """The one payout-missing of a payout that appears to have reached the bank late
    (_late_arrivals), naming its credit, whose ref it lists too, and the link that says
    they are one by the payout's link, as `match` proposes it."""
    bank_ref, payout_ref = refs([credit.entry])[0], payout.payout or refs([payout.entry])[0]
    return by_deadline(Finding(
        "payout-missing", payout.date, channel.name, account, payout.amount, payout.currency,
        f"payout of {_money(payout.amount)} {payout.currency} on {payout.date} appears to have reached the bank "
        f"late: bank credit {bank_ref} of {credit.date}, {(credit.date - payout.date).days} days later (expected "
        f"within {channel.bank_days}), is booked as {_a(channel.name)} payout and of its amount, the only one since "
        f"it, and no other payout of that amount left between them: `beanclear link {bank_ref} {payout_ref}` if it "
        "is this payout",
        refs([payout.entry, credit.entry]), **at_entry(payout.entry)), channel.bank_days)


def _name_each_other(findings: list[Finding], credits: list[tuple[int, Item]], payouts: list[tuple[int, Item]]):
    """A bank credit no payout explains and a missing payout of its very amount before
    it, each the only one of the other, where another payout of that amount left between
    them (else the payout's one finding says the credit: _late_arrivals): the credit may
    be that one's again, so both stay findings, each naming the other and the `beanclear
    link` that says it is (`findings[i]`, with (i, item) pairs)."""
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


def _in_another_currency(item: Item, others: list[Item], window: int, zone=None, names: dict | None = None) -> str:
    """What a payout-missing or a bank-unmatched says of the other side of its window
    (`others`: the credits no payout answers, or the payouts still open) where that is in
    another currency: a credit the bank converted into the account's currency whose
    statement states no amount sent, so that it pairs with no payout (banking.sent_units:
    a blind tester's 788.70 GBP of a 1,000.00 USD payout was offered against nothing).
    Of a payout, a credit whose text names it (`names`: per credit, the (owner, payout)
    it names) first, on any day: it says it names it."""
    def names_it(other: Item) -> bool:
        return names is not None and any(p is item for _, p in names.get(id(other), ()))
    for other in sorted(others, key=lambda o: not names_it(o)):
        if other.currency == item.currency:
            continue
        payout, credit = (item, other) if item.amount > 0 else (other, item)
        named = names_it(other)
        if named or arrived_by(payout.entry, credit.date, zone) and \
                credit.date <= payout.date + dt.timedelta(days=window):
            why = _unconverted(credit, payout)
            if item is payout:
                return (f"; bank credit {credit.entry.meta.get('id', '?')} of {_money(-credit.amount)} "
                        f"{credit.currency} on {credit.date} {'names it' if named else 'may be it'}, converted by "
                        f"the bank: {why}")
            return (f": it is in {credit.currency} and payout {payout.entry.meta.get('id', '?')} "
                    f"({_money(payout.amount)} {payout.currency}) in {payout.currency}; {why}")
    return ""


def _unconverted(credit: Item, payout: Item) -> str:
    """Why a credit in the account's currency pairs with no payout in another: what its
    statement states (or not) of the amount sent in the payout's currency; where it
    states nothing, how to give it (`link --sent`)."""
    sent = stated_amount(credit.entry.meta.get("original-amount"))
    # booked before the import booked it so; an amount sent of nothing is none (sent_units)
    if sent is not None and sent[1] == payout.currency and sent[0]:
        return (f"its statement states {_money(sent[0])} {sent[1]} sent, but it is booked in {credit.currency} "
                "(`beanclear link` or `match --apply` books it in the amount sent)")
    if "original-amount" in credit.entry.meta:   # (one of nothing, or of no payout's: its word stands)
        return f"its statement states no amount sent in {payout.currency}, which a credit the bank converted pairs by"
    # what to do: give the amount sent by hand (blind33 eubank: nothing said what to do)
    line, paid = credit.entry.meta.get("id", "?"), payout.entry.meta.get("id", "?")
    return (f"its statement states no amount sent in {payout.currency}, which a credit the bank converted pairs by: "
            f"`beanclear link {line} {paid} --sent {payout.amount:f} {payout.currency}` if it is that payout, sent whole")


def _names_note(credit: Item, named: list[tuple], channel) -> str:
    """What a bank credit no payout answers says of the payout its text names (`named`:
    (owner, payout), check_transit's `held`), which it answers by nothing the check
    pairs by: of another channel, in another currency, or answered by another credit."""
    owner, payout = named[0]
    said = f"payout {payout.entry.meta.get('id', '?')} ({_money(payout.amount)} {payout.currency})"
    if owner is not None and owner != channel.name:
        bank_ref = refs([credit.entry])[0]
        return (f": its text names {owner}'s {said}: `beanclear link {bank_ref} {payout.payout or said.split()[1]}` "
                f"books it on {owner}'s transit account")
    if payout.currency != credit.currency:
        return f": its text names {said}, in {payout.currency}; {_unconverted(credit, payout)}"
    return f": its text names {said}, which another bank credit answers"


# The keys of a payout's own ids, any of which its bank credit's text may name it by: the
# channel's ids of that payout, whichever its statement wrote (the row's id, the payout
# id, an Alipay withdrawal's 业务流水号 as `trade-id`: blind30's ICBC credit naming it was
# payout-missing, while `match` and two channels' shared credits took it). Every check
# and import that reads a payout's name in a bank text asks payout_ids.
PAYOUT_ID_KEYS = ("payout-id", "id", "trade-id")


def payout_ids(entry) -> list[str]:
    """A payout's own ids (PAYOUT_ID_KEYS), each once, as its statement wrote them."""
    return list(dict.fromkeys(str(entry.meta[k]) for k in PAYOUT_ID_KEYS if entry.meta.get(k)))


_WORD = re.compile(r"[0-9A-Za-z_.\-]+")   # what an id is written with
_CUT = re.compile(r"(?<![0-9])[_.\-]+|[_.\-]+(?![0-9])")   # a joiner not between two digits
_MOST_RUNS = 8   # of a word's parts an id glued in it may span (a UUID spans 5)


def text_words(text: str) -> set[str]:
    """What a bank line's text may name an id by (named_id; matching's exact stage and
    every check read the same): each word of the letters, digits and `_.-` ids are
    written with, and each part of one a `_`, `.` or `-` bounds. Chinese bank texts glue
    the id to what comes before (blind30: ICBC's `提现-20260001000003` was the one word
    `-20260001000003`, naming no payout): the id is bounded by anything not a letter or
    digit. Never a part of a longer run of letters and digits, nor of a number such a
    joiner continues with digits (`2026-03-15`, `1041.50`, `…003-01`): a date, an amount,
    another id."""
    words = set()
    for word in _WORD.findall(text):
        words.add(word)
        cuts = [(m.start(), m.end()) for m in _CUT.finditer(word)]
        if not cuts:
            continue
        runs = [(start, end) for start, end in zip([0] + [e for _, e in cuts], [s for s, _ in cuts] + [len(word)])
                if start < end]
        for n, (start, _) in enumerate(runs):
            for _, end in runs[n:n + _MOST_RUNS]:
                words.add(word[start:end])
    return words


def named_id(ids, words: set[str]) -> str | None:
    """The first id of an item that is a word of a bank line's text (short ids are too
    often a word by chance); else one the bank wrote in capitals, as banks write their
    text (`STRIPE PAYMENTS PO_1PX000001HKUSD` for Stripe's `po_1Px000001hkUSD`): an id of
    letters and digits, eight characters or more, equal but for case to a word."""
    found = next((i for i in ids if len(i) >= 4 and i in words), None)
    if found is None and words:
        folded = None
        for i in ids:
            if named_in_any_case(i):
                folded = {w.casefold() for w in words} if folded is None else folded
                if i.casefold() in folded:
                    return i
    return found


def named_in_any_case(i: str) -> bool:
    """Whether an id names its item in a bank text whatever its case (named_id): letters
    and digits, eight characters or more."""
    return len(i) >= 8 and not i.isdigit() and any(c.isdigit() for c in i)


class PayoutNames:
    """Which items a bank line's text names, of many (`owned`: (owner, item), the owner
    a channel, or None): one of the item's own ids (payout_ids) a word of the text
    (text_words; in any case where named_in_any_case: named_id, as matching reads a
    line), looked up in one dictionary rather than asked of each item. Whatever the
    item's currency or channel: the text says whose the money is, and the amount is
    compared in the currency the pairing has (a blind tester's EUR credit naming a GBP
    payout was held by its name only among the EUR payouts, and set against another).
    An id of eight digits or fewer (a year, a day, an amount by chance) names an item
    only where the caller's `short(owner, item)` says so (its amount, its days).
    `by_hand`: id(item) -> the payout it is, of money a person's entry converted back
    into a payout's transit in another currency (_converted_by_hand): named by that
    payout's ids, and dated by its day (paid), as the bank credit naming it reads it."""

    def __init__(self, owned, by_hand: dict[int, Item] | None = None):
        self.exact: dict[str, list[tuple]] = defaultdict(list)
        self.folded: dict[str, list[tuple]] = defaultdict(list)
        self.by_hand = by_hand or {}
        for owner, item in owned:
            for i in payout_ids(self.paid(item).entry):
                if len(i) >= 4:
                    self.exact[i].append((owner, item))
                if named_in_any_case(i):
                    self.folded[i.casefold()].append((owner, item))

    def of(self, line: Item, short=None) -> list[tuple]:
        """(owner, item) of the items the line's text names, each once, in the items' order."""
        if not self.exact:
            return []
        hits: dict[int, tuple] = {}
        for word in text_words(f"{line.entry.payee or ''} {line.entry.narration or ''}"):
            brief = SHORT_NUMBER.fullmatch(word) is not None
            for owner, item in self.exact.get(word, ()):
                if not brief or short is not None and short(owner, item):
                    hits.setdefault(id(item), (owner, item))
            for owner, item in self.folded.get(word.casefold(), ()):
                hits.setdefault(id(item), (owner, item))
        return sorted(hits.values(), key=lambda hit: hit[1].order)

    def paid(self, item: Item) -> Item:
        """The payout an item is named and dated by: itself, or the payout a person's
        entry converted it from (by_hand)."""
        return self.by_hand.get(id(item), item)


def _named_by_credits(credits: list[Item], by_amount: dict, too_old: dt.timedelta,
                      zone=None, names: PayoutNames | None = None) -> list[tuple[Item, Item]]:
    """(credit, payout) of equal amount (`by_amount`: the payouts by currency and amount)
    where the credit's text names
    the payout (one of its own ids: payout_ids), answered before any pairing
    by amount: of two payouts of one amount, the bank line that says which one it is
    answers that one (a blind helper's credit naming the second was set against the
    first, and the second was payout-missing until `match` linked them). However long
    after the payout (a blind tester's ICBC credit naming WeChat's payout of 22 days
    before was set against a payout of the day after it): a number of eight digits or
    fewer names one only within `too_old` (a year, a day, an amount by chance), as
    matching's exact stage reads them (`_id_in`). Never a payout the bank could not have
    had by the credit's day (arrived_by). `names`: whose ids and day name an item
    (PayoutNames.paid: a payout a person's entry converted, its payout's)."""
    taken: set[int] = set()
    pairs = []
    for credit in credits:
        same = by_amount.get((credit.currency, -credit.amount))
        if not same:
            continue
        words = text_words(f"{credit.entry.payee or ''} {credit.entry.narration or ''}")
        for payout in same:
            paid = names.paid(payout) if names is not None else payout
            if id(payout) in taken or not arrived_by(paid.entry, credit.date, zone):
                continue
            ids = payout_ids(paid.entry)
            if paid.date < credit.date - too_old:
                ids = [i for i in ids if not SHORT_NUMBER.fullmatch(i)]
            if named_id(ids, words):
                taken.add(id(payout))
                pairs.append((credit, payout))
                break
    return pairs


def _root(parent: dict, key):
    """The group of `key` in a union-find's `parent` map (paths halved as it goes)."""
    while parent.setdefault(key, key) != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def _named_apart(credits: list[Item], payouts: list[Item], named_by: dict[int, list[Item]]) \
        -> list[tuple[list[Item], list[Item]]]:
    """(payouts, credits) tied by the credits' texts naming the payouts (`named_by`: per
    credit, the payouts it names, PayoutNames), of amounts other than theirs
    (_named_by_credits took the equal ones) and of their currency: each credit with every
    payout it names, however long before it (never one the bank could not have had by its
    day: arrived_by), and credits naming one payout together (a payout the bank credited
    in parts, each naming it). A number of eight digits or fewer names none here: without
    an equal amount to bear it out, it may be a word of the text by chance (matching's
    `_id_in`, README "Matching"). A blind tester's Stripe payout credited 1.00 short, its id in the
    bank's text, on the last day of Stripe's statement: the credit waited for a payout
    later that day, and `check` was silent while the report, `match` and `write-off`
    each said otherwise of it."""
    open_ = {id(p) for p in payouts}
    parent: dict[int, int] = {}
    items: dict[int, Item] = {}
    root = functools.partial(_root, parent)

    for credit in credits:
        for payout in named_by.get(id(credit), ()):
            if id(payout) in open_ and payout.currency == credit.currency:
                items[id(credit)], items[id(payout)] = credit, payout
                parent[root(id(credit))] = root(id(payout))
    groups: dict[int, list[Item]] = defaultdict(list)
    for key, item in items.items():
        groups[root(key)].append(item)
    out = []
    for group in sorted(groups.values(), key=lambda g: min(i.order for i in g)):
        group.sort(key=lambda i: i.order)
        out.append(([i for i in group if i.amount > 0], [i for i in group if i.amount < 0]))
    return out


def _in_parts(leftover: list[Item], short: list[tuple], still_open: list[Item], channel, horizon: Horizon,
              answer, zone=None, may_answer=None) -> list[Item]:
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
    statements judge (or that wait for them), never money back from the channel, nor a
    credit naming another payout (`may_answer`: check_transit's)."""
    window = dt.timedelta(days=channel.bank_days)
    free = [c for c in leftover if not _funding(c, channel) and horizon.credit(c.date, channel.bank_days)
            in ("judge", "wait")]
    if not free or not (short or still_open):
        return leftover
    used: set[int] = set()

    def making(payout: Item, amount: Decimal, alone: bool) -> list[Item]:
        near = [c for c in free if id(c) not in used and c.currency == payout.currency
                and arrived_by(payout.entry, c.date, zone) and c.date <= payout.date + window
                and (may_answer is None or may_answer(c, payout))]
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
                answer(id(i), [o for o in group if all(o is not i for i in ins)] + rest)
    for payout in list(still_open):
        parts = making(payout, payout.amount, alone=False)
        if parts:
            still_open.remove(payout)
            answer(id(payout), parts)
    return [c for c in leftover if id(c) not in used]


SHORT_NUMBER = re.compile(r"[0-9]{1,8}")   # an id that may be a word of a bank's text by chance
ONE_DAY = dt.timedelta(days=1)


def arrived_by(payout: data.Transaction, day: dt.date, zone) -> bool:
    """Whether a bank credit of `day` may be of the payout (its entry): one of its own day or
    later, whatever its hour; of the day before only where a bank further west than the
    books' `zone` still had that day when the payout left (its `time`, in the books' zone:
    01:00 in Shanghai is 17:00 the day before in UTC), or where its time is not known.
    A payout at 23:30 in Shanghai is of that day in every zone: a blind tester's ICBC
    credit of 04-03 was set against WeChat's payout of 04-04 23:30."""
    if payout.date <= day:
        return True
    if payout.date - day != ONE_DAY:
        return False
    time = payout.meta.get("time")
    if zone is None or not time:
        return True
    try:
        left = dt.datetime.combine(payout.date, dt.time.fromisoformat(str(time)), zone)
    except ValueError:   # a time the statement wrote otherwise: not known
        return True
    return left.astimezone(WESTMOST).date() < payout.date


def _on_schedule(paid: dt.date, credited: dt.date, lag: int) -> bool:
    """Whether a credit came the days a payout takes after it, or on the Monday after, where
    those days end on a weekend: a bank that credits on working days only credits Friday's
    payout on Monday, even where the weekday's own lag is not yet known (seed 31524, the
    bank's first download left out: a Friday's short credit taken for Sunday's payout)."""
    due = paid + dt.timedelta(days=lag)
    return credited == due or due.weekday() >= 5 and credited == due + dt.timedelta(days=7 - due.weekday())


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


def _no_debit(top_up: Item, channel) -> Finding:
    """bank-unmatched: money the channel took in from the bank that no bank debit answers."""
    return _unanswered(top_up, channel, f"{channel.name} top-up of {_money(-top_up.amount)} {top_up.currency} "
                       "from the bank, but no bank debit explains it")


def _pair_top_ups(debits: list[Item], top_ups: list[Item], window: int) -> dict[int, Item]:
    """The bank debits and top-ups that answer each other, each by its id -> the other:
    equal amounts at most `window` days apart, either way; each debit (in date order)
    takes the earliest top-up left in its window, as the bank books a channel's top-ups
    in their order."""
    by_amount: dict[tuple, deque[Item]] = defaultdict(deque)
    for top_up in top_ups:   # in date order, as the items are
        by_amount[(top_up.currency, -top_up.amount)].append(top_up)
    span = dt.timedelta(days=window)
    paired: dict[int, Item] = {}
    for debit in debits:
        queue = by_amount.get((debit.currency, debit.amount))
        # debits come in date order: a top-up too old for this one is too old for the rest
        while queue and (id(queue[0]) in paired or queue[0].date < debit.date - span):
            queue.popleft()
        if not queue or queue[0].date > debit.date + span:
            continue
        top_up = queue.popleft()
        paired[id(debit)], paired[id(top_up)] = top_up, debit
    return paired


def _paid_out(item: Item, banks) -> bool:
    """Whether a transit item is a payout: money in, from no bank account, no write-off."""
    return item.amount > 0 and not written_off(item) and not any(p.account in banks for p in item.entry.postings)


def _funding(item: Item, channel) -> bool:
    """Whether money out of transit went into the channel's own clearing account (a
    top-up from the bank, booked from the channel's statement), not to a bank account."""
    return any(p.account == channel.accounts.clearing for p in item.entry.postings)


def _from_bank(item: Item, channel) -> bool:
    """Whether money out of transit into the channel's clearing account is a top-up from
    the bank (PayPal's bank deposit, Stripe's `topup` and negative payout), not a failed
    payout's money coming back (`payout-returned`), which answers that payout."""
    return _funding(item, channel) and not item.entry.meta.get("payout-returned")


def _top_up(entry: data.Transaction, clearing: str) -> bool:
    """Whether a wallet's entry moves money into its balance from a card, both on its
    clearing account (importers/wallet.py: a 充值 row)."""
    signs = {p.units.number > 0 for p in entry.postings if p.account == clearing}
    return len(signs) == 2


def _mismatch(payout: Item, paid: Decimal, credited: Decimal, entries, channel, account) -> Finding:
    """The payout-mismatch of `payout`, naming `entries` (its payouts and credits, and
    any write-off linked to them): dated the payout's day, or its first credit's where
    that came in a later month (findings.shown_on)."""
    credits = [e.date for e in entries if WRITE_OFF not in e.meta
               and any(p.account == account and p.units.number < 0 for p in e.postings)]
    day = shown_on(payout.date, [min(credits)] if credits else [])
    return Finding(
        "payout-mismatch", day, channel.name, account, abs(paid - credited), payout.currency,
        f"payout of {_money(paid)} {payout.currency} arrived at the bank as {_money(credited)} {payout.currency}",
        refs(entries), expected=paid, actual=credited, **at_entry(payout.entry))


def _transit_by_bank(transit: list[Item], channel, config, cover: Coverage, as_of: dt.date, banks, waiting, unheard,
                     holed, answered=None, early=None, late=None, names=None) -> tuple[dict, list[Finding]]:
    """(the channel's transit Items by bank, the findings of each bank's), each bank's
    payouts judged by its own statements (landed_as): what `findings` and `transit_answers`
    both run. `names`: the payouts a credit's text may name (payout_names: every
    channel's), else the channel's own, of every bank: a credit at one bank naming a
    payout of a currency another bank gets is that payout's too."""
    grouped, out = by_bank(transit, channel, config), []
    if names is None:
        names = channel_names([(channel, transit)], banks)
    for bank, items in grouped.items():
        landed, at_bank = landed_as(channel, bank, config, cover, as_of)
        # the other channels paying into it (one bank text for two accounts): a credit no
        # payout explains may be one of theirs a hole in their statements holds back
        fellows = tuple((other, landed_as(other, bank, config, cover, as_of)[1]) for other in config.channels.values()
                        if other.name != channel.name and bank in other.payout_banks) if bank else ()
        out += check_transit(items, landed, as_of, at_bank, waiting, unheard, banks, holed, answered, early,
                             config.timezone, late, names, fellows)
    return grouped, out


def payout_names(index: dict, config, banks) -> PayoutNames:
    """Every channel's payouts in the postings `index`, each owned by its channel's name:
    what a bank credit's text may name, whichever transit account it is booked on (a
    credit naming another channel's payout is that one's, never a payout of the channel it
    is booked on: its bank-unmatched says which, and `link` moves it there)."""
    return channel_names([(ch, index.get(ch.accounts.transit, [])) for ch in config.channels.values()], banks)


def channel_names(transits, banks) -> PayoutNames:
    """The payouts of `transits` ((channel, its transit Items)), each owned by its
    channel's name, what a bank credit's text may name: with the money a person's entry
    converted back into a payout's transit (_converted_by_hand, over the channel's whole
    transit, whichever bank each currency lands in), named as that payout."""
    owned, by_hand = [], {}
    for channel, items in transits:
        owned += [(channel.name, i) for i in items if _paid_out(i, banks)]
        by_hand.update(_converted_by_hand(_link_groups(items, channel.accounts.clearing), banks))
    return PayoutNames(owned, by_hand)


def transit_answers(entries, config, as_of: dt.date, index=None, cover: Coverage | None = None) -> dict[str, tuple]:
    """Per channel, (its transit Items by bank; what answers each payout: its Item's id
    -> the bank credits check_transit pairs it with; the statement ids of the payouts it
    finds payout-missing; the ids of the Items a hole in the statements holds back; of
    those missing, its Item's id -> the credit that appears to be it arriving late), as
    `findings` judges them, or None for a channel whose statements show no payouts (its
    bank credits settle its clearing account): the month report tells a payout on its way
    from one the bank got short or never got."""
    index, cover = _index_and_cover(entries, config, index, cover)
    banks = {bank.account for bank in config.banks.values()}
    names = payout_names(index, config, banks)
    out = {}
    for channel in config.channels.values():
        if not cover.shows_payouts(channel.name):
            out[channel.name] = None
            continue
        answered, holed, late = {}, {}, {}
        grouped, found = _transit_by_bank(index.get(channel.accounts.transit, []), channel, config, cover, as_of,
                                          banks, {}, {}, holed, answered, late=late, names=names)
        missing = {r for f in found if f.code == "payout-missing" for r in f.refs}
        out[channel.name] = (grouped, answered, missing, {id(i) for items in holed.values() for i in items}, late)
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


def _index_and_cover(entries, config, index, cover) -> tuple[dict, Coverage]:
    """The postings index and coverage a caller gave, else those of `entries`."""
    if index is None:
        from beanclear.checks.pooled import pooled   # (it reads this module's rules)
        watched = {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
        watched.add(config.transfers)
        index = pooled(postings_by_account(entries, watched), config)
    return index, Coverage.of(entries, config) if cover is None else cover
