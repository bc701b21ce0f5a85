"""The clearing check: every clearing and transit account must come back to zero.

Money a channel collected sits in its clearing account until a payout takes it out;
a payout sits in the transit account until the bank statement shows it arrive. This
module judges the clearing account and runs every part of the check (`findings`):

- `unsettled`: money still in clearing `settlement_days` after it came in (dated its
  day, or the day its settlement_days passed where that is in a later month:
  findings.by_deadline);
- `payout-mismatch`: a payout that takes more than was held, or differs from the
  items linked to its payout id;
- `statement-gap`: the payouts of a channel's first days that take more than was held
  where no opening says what it held then (its first statement states no balance):
  money from before it, one finding for the statement before (_starts_short); a payout
  dated after the days covered waits for them, and one after a payout paid out of the
  days covered is their shortfall (_beyond_held);
- the transit account's payouts and bank credits (payout-mismatch, payout-missing,
  bank-unmatched): transit.py; a personal wallet's card payments against the bank's
  debits: card_payments.py; a transfer between two of the banks: transfers.py.

Items (items.py) are grouped by payout link (`^payout-…`) where the channel names the
payout of each item, and otherwise settle first-in-first-out; a payout more than the
items naming it takes the rest first-in-first-out (Stripe's report names the payout of
its items, its API's items of the days after the report name none). Items naming a
payout whose own row no statement in the books holds yet wait for it first in, first
out, the refunds among them out of their own money (_waiting); a refund naming no payout
after the last item a payout in the books paid by name (a report's last days, whose payouts
have not happened) comes out of the money waiting for the next payout, never out of money
every payout since passed over (_first_in_first_out's `passed`); only money leaving to
transit is a payout there (_is_payout: a refund naming the payout is money going back
out of what it will pay). A top-up of the
channel from the bank comes in through transit (transit.py pairs it with the bank's
debit); a personal wallet's card pays through its clearing account instead
(importers/wallet.py): the bank's debits naming the wallet meet its rows paid by card,
purchases and top-ups alike, there. Deadlines count from `as_of`, the last statement
date in the books, never the clock: a check gives the same answer tomorrow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import replace
from decimal import Decimal

from beanclear.checks import transfers
from beanclear.checks.findings import Finding, at_entry, by_deadline
from beanclear.checks.items import Item, Rest, _money, order_key, refs, written_off  # noqa: F401 (order_key: read from here)
from beanclear.checks.transit import LATE_DAYS, _index_and_cover, _top_up, _transit_by_bank, landed_as, payout_names
from beanclear.config import WALLET_TYPES
from beanclear.statements import cut_over, gaps
from beanclear.statements.coverage import QUIET_DAYS, Coverage
from beanclear.statements.gaps import Horizon


def _money_in_first(item: Item) -> tuple:
    """The order first in, first out reads a clearing account in: the books' order, but
    of the rows of one moment, the money in before the money out. A refund and the fee
    the channel returns with it are one moment (Alipay's 账务明细 lists the refund first):
    the refund takes the whole sale back, of which its payment holds all but the fee."""
    date, time, ident = item.order
    return date, time, item.amount < 0, ident


def _is_payout(item: Item, transit: str) -> bool:
    """Whether money out of the clearing account is a payout: it names one and leaves to
    transit (DESIGN §1; a Rest, what one takes beyond the items naming it, is its entry).
    An item the channel says a payout settles names that payout too (Stripe's report
    names it on every item, its refunds among them): a refund naming a payout whose own
    row is in the next statement is money going back out of what that payout will pay,
    not the payout (a blind tester's August report: a refund first of its day, after a
    payout took all the account held, was judged a payout taking more than the 0.00 held)."""
    return bool(item.payout) and any(p.account == transit for p in item.entry.postings)


def check_clearing(items: list[Item], channel, as_of: dt.date, horizon: Horizon | None = None,
                   remainder: list | None = None) -> list[Finding]:
    """`remainder`: gets (item, amount) of the money still in the account once every
    payout and refund took its part, late or not (what the Fava page lists open)."""
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
    # a payout is money of one currency: items of another naming it are not its items (an
    # Airwallex settlement batch is one currency, its settlement's: blind31 crossborder3, an
    # EUR refund in the batch of a USD payment was taken out of the USD, a false
    # payout-mismatch of the EUR's number and the EUR it never took `unsettled`)
    by_payout: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        if item.payout:
            by_payout[item.payout, item.currency].append(item)
    # (a write-off's posting is no money in or out: one of a payout that took more than was
    # held settles that payout's finding where it posts its difference, checks/resolutions.py)
    fifo = [i for i in items if not i.payout and not written_off(i)]
    transit = channel.accounts.transit
    short: list[tuple[Item, Decimal]] = []   # payouts of the first days beyond what the account held, and by how much
    passed: dict[str, tuple] = {}   # currency -> the last item a payout in the books paid by name
    for (payout, _), group in sorted(by_payout.items()):
        # a write-off linked to the payout is neither an item nor the payout: the group
        # comes back to zero with it, and a difference is the statements' own
        offs = [i for i in group if written_off(i)]
        ins = [i for i in group if i.amount > 0 and not written_off(i)]
        outs = [i for i in group if i.amount < 0 and not written_off(i)]
        # the payout itself leaves to transit: items that name it while it is in no
        # statement of the books (a refund among them is no payout) wait for it, first
        # in, first out (seed 31508 without the second of its Stripe downloads)
        # (or, when a day's refunds outweigh its sales, the payout comes back from the bank
        # through transit: Stripe debits the bank, a blind helper's `payout` row of +756.11)
        if ins and any(p.account == transit for i in outs for p in i.entry.postings) or outs and any(
                p.account == transit for i in ins if "payout-returned" not in i.entry.meta for p in i.entry.postings):
            total = sum(i.amount for i in group)   # with the write-offs: zero where they settle it
            leaving = next((i for i in outs if any(p.account == transit for p in i.entry.postings)), None)
            if leaving is not None:
                for i in ins + outs:
                    if i is not leaving and (i.currency not in passed or i.order > passed[i.currency]):
                        passed[i.currency] = i.order
            if total < 0 and leaving is not None and not offs:
                # more than the items naming it: the rest is money whose payout no statement
                # names (Stripe's API lists an item without it, a person's own books before
                # the first statement name none), taken first in, first out; of the first
                # days, what that finds not there is money from before the first statement
                # (_first_in_first_out gives it to `short`). blind18 pluginonly: Stripe kept
                # by hand to 02-28, March's report naming each item's payout; the payout of
                # 03-02 paid the hand-booked 86.80 with its own items, clearing came to 0.00,
                # and the hand-booked charge was still `unsettled`
                fifo.append(Rest(leaving, total, -leaving.amount))
            elif total < 0 and not offs and horizon.opening_unknown(outs[0].date, opened, LATE_DAYS):
                continue   # (money back from the bank beyond its items, early: unknown, not missing)
            elif total:   # (written off, and not to zero: the statements' difference, listed)
                settled, paid = sum(i.amount for i in ins), -sum(i.amount for i in outs)
                findings.append(Finding(
                    "payout-mismatch", outs[0].date, channel.name, account, abs(settled - paid), outs[0].currency,
                    f"payout {payout[7:]} of {_money(paid)} {outs[0].currency} settles items of "
                    f"{_money(settled)} {outs[0].currency}", refs(i.entry for i in group),
                    expected=settled, actual=paid, **at_entry(outs[0].entry)))
        elif outs and not any(p.account == transit for i in ins + outs for p in i.entry.postings):
            # items waiting for their payout, a refund among them (Stripe deducts it, and
            # the fee it keeps, from the payout of the refund's day): the payout will take
            # exactly them, so what goes out among them goes out of the money that names
            # that payout, not of the oldest money (blind19 scale: the refunds of the last
            # days of a report took the charge no payout pays, and `unsettled` was silent
            # until the next report's payouts came in). What is left waits first in, first
            # out; refunds beyond the money naming it are what the payout takes back.
            fifo.extend(_waiting(ins, -sum(i.amount for i in outs)))
            if any(BATCH in i.entry.meta for i in group):
                # a settlement batch (Airwallex's `batch_id`) moves its items into the
                # balance, this account: no payout of it comes to take its refunds back,
                # so what they take beyond its own money comes out of the balance, first
                # in, first out (a day of refunds only: they were dropped, and the payment
                # they refund stayed `unsettled`)
                fifo.extend(_beyond(outs, sum(i.amount for i in ins)))
        else:   # a payout that lists no items, or items whose payout is not in yet
            fifo.extend(i for i in group if not written_off(i))
    fifo.sort(key=_money_in_first)
    by_currency: dict[str, list[Item]] = defaultdict(list)
    for item in fifo:
        by_currency[item.currency].append(item)
    for currency, stream in sorted(by_currency.items()):
        findings += _first_in_first_out(stream, channel, account, currency, as_of,
                                        lambda day: horizon.opening_unknown(day, opened, LATE_DAYS), short,
                                        passed.get(currency), remainder)
    # (books a person kept before beanclear, posting to the account before its first
    # statement, say what it held: their own entries there drain it first in, first out,
    # a payout beyond them is no statement missing — blind9's own books, May's payouts
    # booked by hand beside the statement's)
    if short and not (items and items[0].date < horizon.own[0]):
        findings.append(_starts_short(short, channel, account, horizon.own[0]))
    return findings


def _starts_short(short: list[tuple[Item, Decimal]], channel, account: str, start: dt.date) -> Finding:
    """One statement-gap for the payouts of a channel's first days that take more than its
    clearing account held, where its first statement states no balance (Stripe's report
    of balance changes, a personal wallet's bill: of any day of its bills, Channel.
    withdrawn_at_will): they pay out money that came in before it, which no statement
    in the books holds, and the account goes below zero by it. The statement before is
    missing, or the opening balance: one cause, one finding, not a payout-mismatch per
    payout (blind9: a Stripe report of May, its payouts of 05-01 and 05-02 paying out
    April's 800.10 USD, said nothing). Said in the channel's statement-gap of its start
    where it has one (_one_start)."""
    took: dict[str, Decimal] = defaultdict(Decimal)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    payouts: dict[int, Item] = {}
    for item, need in short:
        took[item.currency] += need
        if id(item.entry) not in payouts:
            payouts[id(item.entry)] = item
            paid[item.currency] += getattr(item, "paid", -item.amount)
    taken = ", ".join(f"{_money(v)} {c}" for c, v in sorted(took.items()))
    # (what follows the head stands alone: _one_start says it after another gap's head)
    said = (f"{gaps.shop_starts([channel.name], start)} ({STATES_NO_BALANCE}); {len(payouts)} payout(s) "
            f"({', '.join(f'{_money(v)} {c}' for c, v in sorted(paid.items()))}) of their first days take {taken} "
            f"more than {account} held, money that came in before {start}: import the statement of {channel.name} "
            f"before {start}, or set `channels.{channel.name}.opening_balance` in config.yaml to what {account} "
            f"held at the end of {start - dt.timedelta(days=1)} ({taken} at least; the next import books it)")
    first = min(payouts.values(), key=lambda i: i.order)
    return Finding("statement-gap", start, channel.name, account, Decimal(0), "", said,
                   refs(i.entry for i in sorted(payouts.values(), key=lambda i: i.order)), **at_entry(first.entry))


STATES_NO_BALANCE = "and state no balance"
# The metadata of an item a channel settles into its balance in a batch (Airwallex's
# `batch_id`, importers/airwallex_transactions.py), which it links as its payout.
BATCH = "batch-id"


def _one_start(found: list[Finding], config) -> list[Finding]:
    """One cause, one finding: a channel whose statements start after the payouts of bank
    credits booked to it (gaps.begun_after) and whose first payouts take money from
    before them (_starts_short) misses one statement, the one before its first: the
    second said in the first."""
    heads = {(f.source, f.date): f for f in found if f.code == "statement-gap" and f.source in config.channels
             and f.message.startswith(gaps.shop_starts([f.source], f.date) + " (a payout in flight")}
    into: dict[int, list[Finding]] = defaultdict(list)
    for f in found:
        head = heads.get((f.source, f.date))
        if head is not None and f.message.startswith(gaps.shop_starts([f.source], f.date) + f" ({STATES_NO_BALANCE}"):
            into[id(head)].append(f)
    return gaps._folded(found, into) if into else found


def _waiting(ins: list[Item], out: Decimal) -> list[Item]:
    """The money of `ins` (items naming a payout not yet in the books) still there once
    `out` (what the items going out among them take) has gone, first in, first out."""
    left = []
    for item in sorted(ins, key=_money_in_first):
        used = min(out, item.amount)
        out -= used
        if item.amount > used:
            left.append(item if not used else Item(item.entry, item.amount - used, item.currency))
    return left


def _beyond(outs: list[Item], money: Decimal) -> list[Item]:
    """What the items going out of a batch (`outs`) take beyond `money`, its items'
    money in, the first of them out of that money first."""
    left = []
    for item in sorted(outs, key=_money_in_first):
        used = min(money, -item.amount)
        money -= used
        if -item.amount > used:
            left.append(item if not used else Item(item.entry, item.amount + used, item.currency))
    return left


def _first_in_first_out(stream: list[Item], channel, account, currency, as_of, unknown_before,
                        short: list | None = None, passed: tuple | None = None,
                        remainder: list | None = None) -> list[Finding]:
    """`short`: gets (payout, amount) for each payout of the first days, where what the
    account held before them is unknown (`unknown_before`), that takes more than it held.
    `passed`: in a channel whose payouts name their items, the order of the last item a
    payout in the books paid by name: the money in the stream up to it is money those
    payouts passed over, the money after it waits for the next."""
    findings = []
    # [item, amount still in clearing, its order link, what took part of it: [[out, amount]] or None]
    queue: deque[list] = deque()
    held = Decimal(0)              # the sum of what the queue still holds
    deficit = Decimal(0)           # taken out (by a refund) before the money it took came in
    owing: deque[list] = deque()   # [out, amount]: what makes up the deficit, first out first
    of_order: dict[str, list] = {}  # order link -> its payments' queue entries
    waiting: deque[list] = deque()  # the queue's entries after `passed`: money waiting for the next payout
    paid_from_covered = None        # the first payout of a day covered that the account held all of (_beyond_held)
    transit = channel.accounts.transit
    for item in stream:
        if item.amount > 0:
            left = item.amount
            takers = None
            if deficit:
                used = min(deficit, left)
                deficit -= used
                left -= used
                takers = _settle_owing(owing, used)
            if left:
                order = item.order_link
                lots = of_order.get(order) if order and "fee-back-of" in item.entry.meta else None
                if lots:   # a fee the channel returns with a refund (a fund view's own row): part of
                    lots[-1][1] += left   # the refund, back to its payment's money, not money of its day
                    _took(lots[-1], item, -left)
                else:
                    queue.append([item, left, order, takers])
                    if order:
                        of_order.setdefault(order, []).append(queue[-1])
                    if passed is not None and item.order > passed:
                        waiting.append(queue[-1])
                held += left
            continue
        need = -item.amount
        held_before = held
        payout = _is_payout(item, transit)
        if not payout:  # a refund takes back the money of the payment it refunds, first
            for queued in of_order.get(item.order_link or "", ()):
                used = min(need, queued[1])
                queued[1] -= used
                need -= used
                held -= used
                _took(queued, item, used)
        if not payout and passed is not None and item.order > passed:
            # a refund after the last item a payout paid by name, beyond its own payment's
            # money: out of the money waiting for the next payout (Stripe deducts it from
            # that payout), never out of money every payout since passed over;
            # beyond that money too, it is taken back from what comes in next
            while need and waiting:
                used = min(need, waiting[0][1])
                waiting[0][1] -= used
                need -= used
                held -= used
                _took(waiting[0], item, used)
                if not waiting[0][1]:
                    waiting.popleft()
            if need:
                deficit += need
                owing.append([item, need])
                need = 0
        while queue and not queue[0][1]:
            _pop(queue, of_order)
        while need and queue:
            used = min(need, queue[0][1])
            queue[0][1] -= used
            need -= used
            held -= used
            if not queue[0][1]:
                _pop(queue, of_order)
            else:
                _took(queue[0], item, used)
        whose = _beyond_held(item, as_of, unknown_before, paid_from_covered) if need and payout else None
        if payout and not need and item.date <= as_of and not channel.withdrawn_at_will:
            # (a wallet's withdrawal takes what its owner chooses, not all it holds: one that
            # found all it took leaves what the wallet held before its bill as unknown as before)
            paid_from_covered = paid_from_covered or item
        if whose == "covered":
            beyond = isinstance(item, Rest)   # held_before: what the account held beside the named items
            rest = f" ({_money(-item.amount)} {currency} of it beyond the items that name it)" if beyond else ""
            # (of the first days, where the money before the statements was the question: why it is not that)
            why = (f": the days the statements of {channel.name} cover to {item.date} are short of it (a row "
                   f"missing from them?), not money from before them: payout {paid_from_covered.payout[7:]} of "
                   f"{paid_from_covered.date} found {account} holding all it took"
                   if unknown_before(item.date) else "")
            findings.append(Finding(
                "payout-mismatch", item.date, channel.name, account, need, currency,
                f"payout {item.payout[7:]} of {_money(getattr(item, 'paid', -item.amount))} {currency}{rest} takes "
                f"{_money(need)} more than the {_money(held_before)} {currency} {account} held"
                f"{' beside those items' if beyond else ''}{why}", refs([item.entry]),
                expected=held_before, actual=-item.amount, **at_entry(item.entry)))
        elif whose == "before":
            # a payout near the start took money from before the first statement: it owes
            # nothing to the money that comes in after it, and the statement before (or
            # the opening) is missing (_starts_short)
            if short is not None:
                short.append((item, need))
        elif need:   # (a refund, or a payout of days no statement covers yet: from what comes in next)
            deficit += need
            owing.append([item, need])
    if remainder is not None:
        remainder.extend((queued[0], queued[1]) for queued in queue if queued[1])
    late: dict[dt.date, list] = defaultdict(list)
    for queued in queue:
        item, left = queued[0], queued[1]
        if left and (as_of - item.date).days > channel.settlement_days:
            late[item.date].append(queued)
    for day, group in sorted(late.items()):
        total = sum(left for _, left, _, _ in group)
        age = (as_of - day).days
        # dated the money's day, or the day its settlement_days passed where that is in a
        # later month: till then it was settling, as its month's report and close had it
        findings.append(by_deadline(Finding(
            "unsettled", day, channel.name, account, total, currency,
            f"{_of_payments(group, total, currency)} of {day} still in {account} on {as_of}, "
            f"{age} days later (settlement is T+{channel.settlement_days}){_taken(group, total, currency)}",
            refs(i.entry for i, _, _, _ in group), **at_entry(group[0][0].entry)), channel.settlement_days))
    return findings


def _beyond_held(payout: Item, as_of: dt.date, unknown_before, paid_from_covered) -> str:
    """Whose the money is that `payout` takes beyond what the clearing account held: one
    rule for what a check says of it (blind31 livefeeds: a payout a webhook booked before
    its day was fetched was told to be money from before the first statement, "set
    opening_balance", for a charge of its own day).

    - `later`: the payout is of a day after those the statements cover (its day not
      fetched yet; or after a hole, `as_of` before it): it pays out money of days no
      statement in the books covers, which their statements book. It waits for them,
      taken from what comes in next; a hole is the gaps' own statement-gap.
    - `before`: money from before the first statement, the statement before it (or the
      opening) missing (_starts_short): the payout is of the first days, where what the
      account held is unknown (`unknown_before`: no opening, no balance stated), and no
      payout of a day covered before it found the account holding all it took
      (`paid_from_covered`): the money from before the statements is what the first
      payouts take; once one was paid out of the days covered, a shortfall after it is
      theirs.
    - `covered`: the days covered are short of it (a row missing from them: a late row the
      channel adds), a payout-mismatch of its day."""
    if payout.date > as_of:
        return "later"
    if unknown_before(payout.date) and paid_from_covered is None:
        return "before"
    return "covered"


def _took(queued: list, out: Item, amount: Decimal) -> None:
    """Remember that `out` took `amount` of a payment's money still in the queue (a fee
    returned with a refund gives some back: a negative amount, netted with its refund)."""
    if not amount:
        return
    takers = queued[3]
    if takers is None:
        queued[3] = [[out, amount]]
        return
    if amount < 0:
        order = out.order_link
        mine = next((t for t in reversed(takers) if order and t[0].order_link == order), None)
        if mine is not None:
            mine[1] += amount
            return
    takers.append([out, amount])


def _settle_owing(owing: deque, amount: Decimal) -> list | None:
    """Take `amount` off the deficit's outs, first out first: those that took it, with how much."""
    takers = []
    while amount and owing:
        used = min(amount, owing[0][1])
        owing[0][1] -= used
        amount -= used
        takers.append([owing[0][0], used])
        if not owing[0][1]:
            owing.popleft()
    return takers or None


def _of_payments(group: list, total: Decimal, currency: str) -> str:
    """What an unsettled day holds, of what its entries brought in when less: an amount
    below its payment's reads as a wrong figure unless the finding says it is part of it.
    "Entries", not "payments": a currency conversion, a released hold or a transfer in
    waits in clearing too."""
    brought = sum(queued[0].amount for queued in group)
    of = f" of the {_money(brought)} {currency}" if total < brought else ""
    return f"{_money(total)} {currency}{of} from {len(group)} {'entry' if len(group) == 1 else 'entries'}"


def _taken(group: list, total: Decimal, currency: str, shown: int = 3) -> str:
    """What took the rest of an unsettled day's money: the outs (refunds beyond their
    payment's money, payouts, fees) that first in, first out took it, with how much."""
    rest = sum(queued[0].amount for queued in group) - total
    if rest <= 0:
        return ""
    takers: dict[str, Decimal] = {}
    for queued in group:
        for out, amount in queued[3] or ():
            name = str(out.entry.meta.get("id") or out.entry.meta.get("payout-id") or out.date)
            takers[name] = takers.get(name, Decimal(0)) + amount
    named = [f"{name} ({_money(amount)})" for name, amount in takers.items() if amount]
    if not named:
        return f"; the other {_money(rest)} {currency} went out first in, first out"
    more = f" and {len(named) - shown} more" if len(named) > shown else ""
    listed = named[:shown]
    said = ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 and not more else ", ".join(listed)
    return f"; the other {_money(rest)} {currency} went out first in, first out with {said}{more}"


def _pop(queue: deque, of_order: dict) -> None:
    """Take the head of the queue, and forget it as its order's (memory stays flat)."""
    entry = queue.popleft()
    order = entry[2]
    entries = of_order.get(order) if order else None
    if entries and entries[0] is entry:
        entries.pop(0)
        if not entries:
            del of_order[order]


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


def _landing_elsewhere(found: list[Finding], entries, config, as_of: dt.date, index, cover,
                       suspended=None) -> list[Finding]:
    """`found` with the payout-missing of payouts another configured bank's credits answer,
    where the channel's `bank:` is the cause (suspense.landed_elsewhere), one finding of
    the channel that says them with those credits and the key to write (the suspense
    check leaves the credits to it). `index`: the load's (with suspense), or None;
    `suspended`: the load's suspense.suspended, or None."""
    from beanclear.checks.suspense import elsewhere_finding, landed_elsewhere   # (it reads transit's rules)
    elsewhere = landed_elsewhere(entries, config, as_of, index, cover, suspended)
    if not elsewhere:
        return found
    gone = {refs([payout.entry]) for landed in elsewhere for _, payout in landed.pairs}
    return [f for f in found if not (f.code == "payout-missing" and f.refs in gone)] + \
        [elsewhere_finding(landed, config) for landed in elsewhere]


def findings(entries, config, as_of: dt.date, index=None, cover: Coverage | None = None, own=None,
             suspended=None, remainders: dict | None = None) -> list[Finding]:
    """All clearing and transit findings of every channel, and the statement-gaps of every
    source. `index` and `cover`: the postings index and the coverage of the same books,
    `own` the transactions a person wrote (cut_over.is_own), `suspended` what the suspense
    check reads of them (suspense.suspended), when the caller has them. `remainders`:
    gets channel name -> check_clearing's remainder, for each channel it judges."""
    given = index
    index, cover = _index_and_cover(entries, config, index, cover)
    out, waiting, unheard, holed, early, late = [], {}, {}, {}, {}, {}
    banks = {bank.account for bank in config.banks.values()}
    # A person's own entries of the days the statements cover book their money twice: one
    # statement-gap per source says so (cut_over.py), and the statements' money is judged
    # without them (a payout would take "more than was held" by what they took out first).
    overlapping = cut_over.overlaps(entries if own is None else own, cut_over.booked_accounts(config),
                                    cover.stated_sold()) if cover.recorded else []
    twice = {id(e) for overlap in overlapping for e in overlap.entries}
    names = payout_names(index, config, banks)   # what a credit's text may name: every channel's payouts
    for channel in config.channels.values():
        landed, horizon = landed_as(channel, channel.bank, config, cover, as_of)
        held, transit = index.get(channel.accounts.clearing, []), index.get(channel.accounts.transit, [])
        if twice:
            held, transit = ([i for i in items if id(i.entry) not in twice] for items in (held, transit))
        if cover.recorded and cover.start(channel.name) is None and not held:
            # no statement of it in the books: the bank lines booked as its payouts wait
            # for them (one statement-gap: gaps' `no statement of … is in the books`)
            unheard.setdefault(channel.name, []).extend(
                (channel.bank, i) for i in transit if any(p.account in banks for p in i.entry.postings))
            continue
        if not cover.shows_payouts(channel.name):
            out += _without_payouts(held, transit, landed, as_of, horizon, late)
            continue
        out += check_clearing(held, channel, as_of, horizon,
                              remainders.setdefault(channel.name, []) if remainders is not None else None)
        if channel.type in WALLET_TYPES:
            from beanclear.checks import card_payments   # (it imports the wallet importer: wallets only)
            out += card_payments.findings(held, landed, as_of, horizon, banks, waiting, unheard, holed)
        out += _transit_by_bank(transit, channel, config, cover, as_of, banks, waiting, unheard, holed, early=early,
                                names=names)[1]
    out += transfers.findings(index.get(config.transfers, []), config, as_of, cover, waiting)
    out += cut_over.findings(overlapping)
    out = _landing_elsewhere(out, entries, config, as_of, given, cover, suspended)
    return _one_start(out + _banks_start_late(late) + gaps.findings(cover, config, waiting, unheard, holed, early)
                      + gaps.after_end(entries, cover, config), config)
