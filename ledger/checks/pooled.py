"""Bank credits that several channels' texts fit: whose payout each one is.

Two Alipay accounts of one merchant are both `支付宝提现` at their bank; two PayPal or
Stripe accounts alike. The bank's importer reads a line's text only and books each such
credit on the first of them; `pooled` judges every one for the channel whose payout it
is, for every check and for the import (books/late_credits.py):

    2026-03-06 * "支付宝（中国）网络技术有限公司" "支付宝提现"
      Assets:Bank:Ops                            50.00 CNY
      Assets:Transit:AlipayA                    -50.00 CNY   ; AlipayB's withdrawal of 03-05's money

A bank debit several channels' texts fit (a top-up of the second of two PayPal accounts
from the bank, PayPal's bank deposit) is judged alike, for the channel whose top-up it is
(_debit_moves).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from decimal import Decimal
from operator import attrgetter

from beanclear.checks.items import Item, written_off
from beanclear.checks.sums import batched, pair_or_run
from beanclear.checks.transit import LATE_DAYS, PayoutNames, _funding, arrived_by
from beanclear.config.model import WALLET_TYPES

# A credit of no payout's amount is the short or over arrival of a waiting payout of a
# channel listing its payouts only within this fraction of the larger of the two (as
# matching/why.NEAR: a payout the bank shorted by its fee, not any payout at all), where a
# channel without payouts may have it (seed 34636)
NEAR = Decimal("0.1")


def with_fellows(accounts, config) -> set[str]:
    """Transit `accounts` and those of the channels paying into a bank one of theirs pays
    into: the accounts among which `pooled` may move a credit."""
    out = set(accounts)
    for ch in config.channels.values():
        if ch.accounts.transit in accounts:
            out.update(other.accounts.transit for other in config.channels.values()
                       if set(other.payout_banks) & set(ch.payout_banks))
    return out


def pooled(index: dict, config) -> dict:
    """The postings `index` with each bank credit that several channels paying its bank
    could be (its text fits each one's `payout_memo`: two Alipay accounts of one merchant,
    both `支付宝提现` at the bank) among the transit Items of the channel whose payout it is,
    whichever of their transit accounts it is booked on (the import books it where this
    judges it, asked as though it were on the first of them, where the bank's text alone
    puts it: books/late_credits.py; a person may have moved it): the one
    whose payout its text names (named_id: `id`, `payout-id` or `trade-id`), else that of
    the earliest open payout of its amount it may be (arrived_by, within `bank_days` +
    LATE_DAYS), each payout taking one credit, in the credits' order; else the channel of
    the group the transit check pairs it in (credits of a payout credited in parts, a
    credit of a run of payouts: _groups); else, where one of
    them holds no payout at all, the payout of another that waits for a credit near its
    amount (in `bank_days`, within NEAR), arriving short or over, unless the credit is
    the money of days waiting in the first's clearing account, to the cent (_Waiting.owns:
    seed 34636); else the one
    channel among them whose books hold no payout at all (a second WeChat Pay account
    imported from its trade bill alone: its credits settle its clearing account); else the
    one whose payout left in its window is nearest its amount, where that is nearer than
    any of the channel it is booked on (a credit short: its check pairs it, a
    payout-mismatch); else it stays where it is booked. Each credit is judged once, by one channel: nothing counts twice. A
    credit linked to a payout (`^payout-…`: match, link, a person) is that payout's, and
    a payout so linked to a credit is answered. A bank whose text fits one channel (one
    account of a type) is left as it is. Bank debits such texts fit, the same way for
    the channels' top-ups (_debit_moves)."""
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    if not index or not any(a in index for a in transit):
        return index
    bank_names: dict[str, list[str]] = defaultdict(list)   # bank account -> its names in config.banks
    for name, bank in config.banks.items():
        bank_names[bank.account].append(name)
    paying: dict[str, list] = defaultdict(list)   # bank name -> the channels paying into it, in config order
    for ch in config.channels.values():
        for name in ch.payout_banks:
            paying[name].append(ch)
    if not any(len(chs) > 1 for chs in paying.values()):
        return index
    shared = {ch.accounts.transit for chs in paying.values() if len(chs) > 1 for ch in chs}
    moves = _credit_moves(index, config, transit, bank_names, paying, shared) \
        + _debit_moves(index, config, transit, bank_names, paying, shared)
    if not moves:
        return index
    out = dict(index)
    gone = {id(item) for item, _, _ in moves}
    for account in {a for _, a, _ in moves}:
        out[account] = [i for i in out[account] if id(i) not in gone]
    for to in {t for _, _, t in moves}:
        out[to] = sorted([*out.get(to, ()), *(item for item, _, t in moves if t == to)], key=attrgetter("order"))
    return out


def _fitting(item: Item, bank_names: dict, paying: dict, wallets: bool) -> tuple | None:
    """The channels paying into the bank of a bank line whose `payout_memo` its text fits
    (`wallets`: personal wallets among them), in config order; None for no bank line."""
    banked = next((p.account for p in item.entry.postings if p.account in bank_names), None)
    if banked is None:
        return None
    text = f"{item.entry.payee or ''} {item.entry.narration or ''}"
    return tuple(dict.fromkeys(ch.name for name in bank_names[banked] for ch in paying.get(name, ())
                               if (wallets or ch.type not in WALLET_TYPES) and ch.payout_memo.search(text)))


def _naming(line: Item, names: PayoutNames, fits, short) -> list[tuple]:
    """(channel, item) of the items of `names` (PayoutNames over (channel, item)) the bank
    line's text names, of the channels `fits`, whatever their currency (the text says
    whose the money is: blind33 eubank, a EUR credit naming a GBP payout), a short number
    only where `short(channel, item)` (its amount, in its window)."""
    return [(ch, p) for ch, p in names.of(line, short) if ch.name in fits]


def _credit_moves(index: dict, config, transit: dict, bank_names: dict, paying: dict, shared: set) -> list:
    """The bank credits of `index` several channels' texts fit that go to another channel's
    transit account than they are booked on (pooled's rules), as (Item, its account, the one it goes to)."""
    candidates: dict[int, tuple] = {}   # id(credit) -> the channels whose payout it may be
    credits: list[tuple[Item, str]] = []   # (credit, the transit account it is booked on)
    for account in shared:
        for item in index.get(account, ()):
            if item.amount >= 0 or item.payout or written_off(item) or _funding(item, transit[account]):
                continue
            fits = _fitting(item, bank_names, paying, wallets=True)
            if fits is None:
                continue
            if len(fits) > 1 and transit[account].name in fits:
                candidates[id(item)] = fits
                credits.append((item, account))
    if not credits:
        return []
    rank = {ch.name: n for n, ch in enumerate(config.channels.values())}
    credits.sort(key=lambda c: (c[0].order, rank[transit[c[1]].name]))
    chosen = {config.channels[name].accounts.transit for fits in candidates.values() for name in fits}
    # bank credits linked to a payout (not a payout's reversal, which Stripe links to the next one)
    linked = {i.payout for account in chosen for i in index.get(account, ()) if i.amount < 0 and i.payout
              and any(p.account in bank_names for p in i.entry.postings)}
    def paid_out(i: Item) -> bool:
        """A payout on a transit account: money in, from no bank."""
        return i.amount > 0 and not any(p.account in bank_names for p in i.entry.postings)

    def may_answer(p: Item, item: Item, ch) -> bool:
        """Whether the credit `item` may be payout `p` of channel `ch` by its day: after it
        left, within `bank_days` + LATE_DAYS."""
        return p.currency == item.currency and arrived_by(p.entry, item.date, zone) \
            and item.date <= p.date + dt.timedelta(days=ch.bank_days + LATE_DAYS)

    zone = config.timezone
    payouts: dict[str, list[Item]] = {}   # channel name -> its open payouts
    for account in sorted(chosen, key=lambda a: rank[transit[a].name]):
        ch = transit[account]
        payouts[ch.name] = [i for i in index.get(account, ()) if paid_out(i) and not written_off(i)
                            and not (i.payout and i.payout in linked)]
    ids = PayoutNames((config.channels[name], payout) for name, open_ in payouts.items() for payout in open_)
    # channels whose books hold no payout: with money in clearing (a WeChat trade bill
    # alone), `silent`: their bank credits settle their clearing account, as
    # clearing._without_payouts judges them; without (no statement of theirs imported),
    # `absent`: a credit no payout of the others answers may be one of theirs, and waits
    # for their statements (one statement-gap), where the others' checks each called it
    # unexplained (seed 33497 without the only statement of the first of two Stripe
    # accounts: 9 bank-unmatched and a payout-mismatch of the second)
    silent, absent = set(), set()
    for account in chosen:
        if not any(paid_out(i) for i in index.get(account, ())):
            ch = transit[account]
            (silent if index.get(ch.accounts.clearing) else absent).add(ch.name)
    owner: dict[int, object] = {}   # id(credit) -> the channel whose payout it is
    taken: set[int] = set()
    for item, _ in credits:
        named = [(ch, p) for ch, p in _naming(item, ids, candidates[id(item)], lambda ch, p: may_answer(p, item, ch)
                                              and p.amount == -item.amount) if arrived_by(p.entry, item.date, zone)]
        if len({ch.name for ch, _ in named}) == 1:
            owner[id(item)] = named[0][0]
            taken.update(id(p) for _, p in named if (p.currency, p.amount) == (item.currency, -item.amount))
    for item, account in credits:
        if id(item) in owner:
            continue
        fits = candidates[id(item)]
        near = [(p.order, rank[ch.name], ch, p) for ch in map(config.channels.get, fits)
                for p in payouts.get(ch.name, ())
                if id(p) not in taken and p.amount == -item.amount and may_answer(p, item, ch)]
        if near:
            _, _, ch, payout = min(near, key=lambda n: n[:2])
            owner[id(item)] = ch
            taken.add(id(payout))
    _groups([item for item, _ in credits if id(item) not in owner], candidates, payouts, taken, owner, config,
            rank, zone)

    def arriving_apart(item: Item, fits) -> tuple | None:
        """(channel, payout) of the payout of a channel of `fits` listing its payouts that
        `item` is, arriving short or over: one no credit took, that the transit check would
        pair it with (in `bank_days` after it left: a payout-mismatch), within NEAR of its
        amount; the nearest, then the earliest. None: none waits for it."""
        near = [(abs(p.amount + item.amount), p.order, rank[ch.name], ch, p)
                for ch in map(config.channels.get, fits) if ch.name not in silent | absent
                for p in payouts.get(ch.name, ())
                if id(p) not in taken and p.currency == item.currency and arrived_by(p.entry, item.date, zone)
                and item.date <= p.date + dt.timedelta(days=ch.bank_days)
                and abs(p.amount + item.amount) <= NEAR * max(p.amount, -item.amount)]
        return min(near, key=lambda n: n[:3])[3:] if near else None

    waiting = _Waiting(index, {name: config.channels[name] for name in silent}, candidates)
    for item, account in credits:
        if id(item) in owner:
            continue
        fits = candidates[id(item)]
        if quiet := [name for name in fits if name in silent]:
            # a payout of a channel listing its payouts that waits near its amount: that
            # payout arriving short or over (its check pairs them, a payout-mismatch), unless
            # the credit is the money of days of a channel without payouts to the cent (owns)
            # (seed 34636: Alipay's 1,464.81 credited as 1,450.16 went to the second Alipay
            # account, imported from its trade view alone: a payout-missing, its money over-settled)
            apart = arriving_apart(item, fits)
            if apart is not None and not waiting.owns(item, quiet):
                owner[id(item)], payout = apart
                taken.add(id(payout))
                continue
            # its clearing account's money, settled (_without_payouts); of several such
            # channels, the one whose waiting money it is (seed 34516)
            name = quiet[0] if len(quiet) == 1 else waiting.whose(item, quiet)
            if name is not None:
                owner[id(item)] = config.channels[name]
            waiting.take(name or transit[account].name, item)
        elif len(unread := [name for name in fits if name in absent]) == 1:
            owner[id(item)] = config.channels[unread[0]]

    def nearest(name: str, item: Item) -> Decimal | None:
        """How far from `item`'s amount the nearest payout of channel `name` is that no
        credit took and `item` may answer, in its window; None: none waits for it."""
        return min((abs(p.amount + item.amount) for p in payouts.get(name, ())
                    if id(p) not in taken and may_answer(p, item, config.channels[name])), default=None)
    for item, account in credits:   # the rest: a credit short or over goes where a payout waits for it
        if id(item) in owner:
            continue
        # its check pairs it with that payout, a payout-mismatch, as for one account: the
        # channel whose waiting payout is nearest its amount, where one is nearer than the
        # one booked (seed 34505: 92.68 credited for a 97.68 payout of the second PayPal
        # account stayed the first's, whose payout missing for days waited in its window)
        near = {name: far for name in candidates[id(item)] if (far := nearest(name, item)) is not None}
        booked = transit[account].name
        if not near or booked in near and near[booked] <= min(near.values()):
            continue
        closest = [name for name, far in near.items() if far == min(near.values())]
        if len(closest) == 1:
            owner[id(item)] = config.channels[closest[0]]
    return [(item, account, owner[id(item)].accounts.transit) for item, account in credits
            if id(item) in owner and owner[id(item)].accounts.transit != account]


def _groups(free: list[Item], candidates: dict, payouts: dict, taken: set, owner: dict, config, rank: dict,
            zone) -> None:
    """The credits `free` (no payout's amount, naming none) that the transit check pairs
    as a group, given to the channel of that group's payout: credits together making a
    payout of a channel their texts all fit (a bank crediting it in parts:
    transit._in_parts), then a credit making a run of one channel's payouts (a bank
    crediting them as one line: sums.batched, where one channel's payouts make it), in
    the transit check's windows (`bank_days` after the payout left). Judged one credit at
    a time, each part went where a payout nearest its own amount waited, and the parts
    of one payout could go to two channels (seed 33579: stripe's 120.69 credited as 47.07
    and 73.62 of one day, the 73.62 given to stripe_2, whose payouts a gap in the bank's
    statements held back were nearer it: a payout-mismatch and a bank-unmatched of
    nothing wrong). Sets `owner` and `taken` (pooled's, by id)."""
    if not free:
        return

    def within(p: Item, credit: Item, ch) -> bool:
        return p.currency == credit.currency and arrived_by(p.entry, credit.date, zone) \
            and credit.date <= p.date + dt.timedelta(days=ch.bank_days)
    open_ = sorted(((p.order, rank[name], config.channels[name], p) for name, ps in payouts.items() for p in ps
                    if id(p) not in taken), key=lambda n: n[:2])
    for _, _, ch, payout in open_:   # a payout credited in parts, in the payouts' order
        near = [c for c in free if id(c) not in owner and ch.name in candidates[id(c)] and within(payout, c, ch)]
        places = pair_or_run([-c.amount for c in near], payout.amount) if len(near) > 1 else None
        if places:
            owner.update((id(near[n]), ch) for n in places)
            taken.add(id(payout))
    for credit in free:   # payouts credited as one line: where one channel's payouts make it
        if id(credit) in owner:
            continue
        runs = {}
        for name in candidates[id(credit)]:
            ch = config.channels[name]
            if run := batched([p for p in payouts.get(name, ()) if id(p) not in taken and within(p, credit, ch)],
                              -credit.amount):
                runs[name] = run
        if len(runs) == 1:
            (name, run), = runs.items()
            owner[id(credit)] = config.channels[name]
            taken.update(id(p) for p in run)


def _debit_moves(index: dict, config, transit: dict, bank_names: dict, paying: dict, shared: set) -> list:
    """The bank debits of `index` several channels' texts fit (a top-up of one of two
    PayPal accounts from the bank, PayPal's bank deposit: the bank's importer books it on
    the first whose text fits) that go to another channel's transit account than they are
    booked on, as (Item, its account, the one it goes to): the channel one of whose
    transit items' own ids its text names (a top-up's, a payout's the bank returned:
    blind20 paypalheavy, `Aufladung 7HWAWBEWDJMSY1478` of the second account's deposit),
    where that is one channel; else the one channel whose top-up (or reversal of a payout
    the bank returned) of its amount waits for a bank debit within its window
    (transit._pair_top_ups, _returned_at_bank), where the channel it is booked on has none;
    else it stays where it is booked. A debit linked to an item (`^payout-…`) is that
    item's."""
    debits: list[tuple[Item, str, tuple]] = []   # (debit, the transit account it is booked on, the channels it may be)
    for account in shared:
        for item in index.get(account, ()):
            if item.amount <= 0 or item.payout or written_off(item):
                continue
            fits = _fitting(item, bank_names, paying, wallets=False)
            if fits is None:
                continue
            if len(fits) > 1 and transit[account].name in fits:
                debits.append((item, account, fits))
    if not debits:
        return []
    rank = {ch.name: n for n, ch in enumerate(config.channels.values())}
    debits.sort(key=lambda d: (d[0].order, rank[transit[d[1]].name]))
    chosen = {config.channels[name].accounts.transit for _, _, fits in debits for name in fits}
    linked = {i.payout for account in chosen for i in index.get(account, ()) if i.amount > 0 and i.payout
              and any(p.account in bank_names for p in i.entry.postings)}
    answering: dict[str, list[Item]] = {}   # channel name -> its top-ups and reversals no bank debit is linked to
    owned: list[tuple] = []   # (channel, item) of the channels' own transit items
    for account in sorted(chosen, key=lambda a: rank[transit[a].name]):
        ch = transit[account]
        own = [i for i in index.get(account, ()) if not written_off(i)
               and not any(p.account in bank_names for p in i.entry.postings)]
        answering[ch.name] = [i for i in own if i.amount < 0 and _funding(i, ch)
                              and not (i.payout and i.payout in linked)]
        owned += [(ch, i) for i in own]
    ids = PayoutNames(owned)

    def answers(p: Item, item: Item, ch) -> bool:
        """Whether `p` (a top-up, a reversal) may answer the debit `item` by its amount and day."""
        days = ch.bank_days + (LATE_DAYS if p.entry.meta.get("payout-returned") else 0)
        return p.currency == item.currency and p.amount == -item.amount and abs(p.date - item.date).days <= days

    owner: dict[int, object] = {}   # id(debit) -> the channel whose it is
    taken: set[int] = set()
    for item, _, fits in debits:
        named = _naming(item, ids, fits, lambda ch, p: answers(p, item, ch))
        if len({ch.name for ch, _ in named}) == 1:
            owner[id(item)] = named[0][0]
            taken.update(id(p) for _, p in named if (p.currency, p.amount) == (item.currency, -item.amount))
    for item, account, fits in debits:
        if id(item) in owner:
            continue
        waits = {name: p for name in fits for p in answering.get(name, ())[::-1]
                 if id(p) not in taken and answers(p, item, config.channels[name])}   # (each its earliest)
        booked = transit[account].name
        if booked in waits:   # its own channel's answers it: it stays
            taken.add(id(waits[booked]))
        elif len(waits) == 1:
            (name, p), = waits.items()
            owner[id(item)] = config.channels[name]
            taken.add(id(p))
    return [(item, account, owner[id(item)].accounts.transit) for item, account, _ in debits
            if id(item) in owner and owner[id(item)].accounts.transit != account]


class _Waiting:
    """The money of channels whose books hold no payout (trade views alone) waiting in
    their clearing accounts, first in first out, as the credits given to each take it in
    the credits' order: which of several such channels a credit their texts all fit is.

    Two Alipay accounts imported from their trade views, both withdrawing each day's money
    to one bank as `支付宝提现` (seed 34516): the credit is the channel's whose oldest money
    it takes to the cent, up to some day (a withdrawal of what came in); else the one whose
    waiting money is oldest among those holding at least the credit; else none can be told."""

    def __init__(self, index: dict, channels: dict, candidates: dict):
        self.index, self.channels, self.candidates = index, channels, candidates
        self.runs: dict[tuple, tuple] = {}     # (channel, currency) -> its clearing money's days, running sums, first place of each sum
        self.taken: dict[tuple, Decimal] = defaultdict(Decimal)   # (channel, currency) -> what credits took
        self.oldest: dict[tuple, int] = defaultdict(int)          # -> the place of the oldest money still waiting
        self.own: dict[tuple, list] = {}       # -> the credits only that channel's text fits, latest first

    def _run(self, name: str, currency: str, order: tuple) -> tuple:
        key = (name, currency)
        if key not in self.runs:
            ch = self.channels[name]
            days, sums, first, total = [], [], {}, Decimal(0)
            for i in self.index.get(ch.accounts.clearing, ()):   # (in order, as an index holds them)
                if i.currency != currency:
                    continue
                total += i.amount
                days.append(i.date)
                sums.append(total)
                first.setdefault(total, len(sums) - 1)
            self.runs[key] = (days, sums, first)
            self.own[key] = [i for i in reversed(self.index.get(ch.accounts.transit, ())) if i.amount < 0
                             and i.currency == currency and id(i) not in self.candidates and not i.payout]
        own = self.own[key]
        while own and own[-1].order < order:   # its own credits before this one took their money first
            self.taken[key] -= own.pop().amount
        return self.runs[key]

    def exact(self, credit: Item, names: list[str]) -> list[str]:
        """Those of channels `names` whose oldest waiting money `credit` takes to the cent,
        up to some day by its own."""
        out = []
        for name in names:
            days, sums, first = self._run(name, credit.currency, credit.order)
            at = first.get(self.taken[(name, credit.currency)] - credit.amount)
            if at is not None and days[at] <= credit.date:
                out.append(name)
        return out

    def owns(self, credit: Item, names: list[str]) -> list[str]:
        """Those of channels `names` whose money `credit` may be a withdrawal of, to the
        cent: its oldest waiting money (exact), or that of a run of whole days in the days
        before it its money may wait (`settlement_days` + `bank_days` + LATE_DAYS), whatever
        the order the bank credits the days in (seed 34636: a Monday's credit of Sunday's
        money before Saturday's)."""
        out = self.exact(credit, names)
        for name in names:
            if name in out:
                continue
            days, sums, _ = self._run(name, credit.currency, credit.order)
            ch = self.channels[name]
            since = credit.date - dt.timedelta(days=ch.settlement_days + ch.bank_days + LATE_DAYS)
            runs = []   # (a day, the running sum before it, after it) of the days in that window
            for n in range(bisect_left(days, since), bisect_right(days, credit.date)):
                if n == 0 or days[n - 1] != days[n]:
                    runs.append([days[n], sums[n - 1] if n else Decimal(0), sums[n]])
                else:
                    runs[-1][2] = sums[n]
            if any(end - start == -credit.amount for k, (_, start, _) in enumerate(runs) for _, _, end in runs[k:]):
                out.append(name)
        return out

    def whose(self, credit: Item, names: list[str]) -> str | None:
        """The one of channels `names` whose waiting money `credit` is, else None."""
        amount, exact, holding = -credit.amount, self.exact(credit, names), []
        for name in names:
            days, sums, first = self._run(name, credit.currency, credit.order)
            key = (name, credit.currency)
            taken = self.taken[key]
            n = self.oldest[key]
            while n < len(sums) and sums[n] <= taken:
                n += 1
            self.oldest[key] = n
            upto = bisect_right(days, credit.date) - 1   # its money by the credit's day
            if n <= upto and sums[upto] - taken >= amount:
                holding.append((days[n], name))
        if len(exact) == 1:
            return exact[0]
        if exact:
            holding = [h for h in holding if h[1] in exact]
        if holding and sum(1 for day, _ in holding if day == min(holding)[0]) == 1:
            return min(holding)[1]
        return None

    def take(self, name: str, credit: Item) -> None:
        """`credit` is channel `name`'s (given to it, or left where it is booked)."""
        if name in self.channels:   # (its clearing money is read only where asked whose)
            self.taken[(name, credit.currency)] -= credit.amount
