"""Matching: link every bank line nothing else explains to the entry it belongs to.

A bank line is *open* when its counter posting sits in `Assets:Suspense`, or in a
channel's transit account without the payout link that ties it to a payout; of a line a
person split by hand into several postings, the part left in suspense is open
(as_bank_line). An item is
*open* when it waits for money at the bank: a payout in transit, an order or a bill
(`Assets:Receivable:…`, `Liabilities:Payable:…`) with an amount due. A payout is in
transit as the clearing check pairs payouts with bank credits (transit.transit_answers,
as `beanclear check` and the month report): one the check answers with a credit, linked
or not, waits for that credit only (OpenItem.paired), not for any line of its amount.

Stages, in order; the first that explains a line wins, and says so in the reasons:

0. **rule**: a line in suspense that a rule of config.yaml written since its import
   claims (banking.claiming_rule) is proposed for the rule's account, confident, as the
   import would book it now;
1. **exact**: a payout id, order id or reference of the item appears in the line's
   memo or payee, and the amounts are equal;
2. **groups**: one line equals several items of one channel in the date window (a bank
   that batches payouts), or several lines of one counterparty settle one item;
3. **fuzzy**: amount within tolerance and date within the window, scored with
   rapidfuzz on the line's text against the item's payee, narration, channel name and
   the aliases in config (`match.aliases`: the bank writes the legal name); a payout's
   window is its channel's `bank_days` and PAYOUT_SLACK days more, and a credit the
   clearing check pairs with it (an equal amount up to `bank_days` + LATE_DAYS) is of
   its days whatever the window (OpenItem.of_its_days);
3b. **late**: a credit the clearing check takes for a missing payout arriving past
   those days (transit._late_arrivals: its payout-missing names it) is proposed for that
   payout, for a person to confirm (_late);
4. **history**: a line like ones people classified before (same counterparty, similar
   memo) is proposed for the account they chose, with those lines as evidence.

A proposal is *confident* only when nothing else comes close: two candidates with
close scores, or one line fitting two groups, make it a question for a person. A
pairing a person rejected (`beanclear-reject`, see acks.py) is never proposed again:
the line goes on to the next candidate.

A credit the bank converted into the account's currency from a payout (a Stripe USD
payout credited in GBP) is compared with payouts by the amount sent its statement states
(BankLine.sent, banking.sent_units), and a match books it in that amount at the bank's
rate (restated): transit then comes back to zero in the payout's currency.

Everything here is indexed by currency and amount or date, so the work grows with the
number of lines and items, not their product.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from beancount.core import data
from rapidfuzz import fuzz, utils

from beanclear.checks import acks, transit
from beanclear.checks.items import REF_KEYS, Item, posted, postings_by_account
from beanclear.checks.transit import SHORT_NUMBER, arrived_by, named_id, text_words
from beanclear.checks.pooled import pooled, with_fellows
from beanclear.checks.reversals import reverses
from beanclear.checks.sums import pair_or_run, runs_summing_to
from beanclear.checks.orders import CHANNEL_REF_KEYS, InCurrency
from beanclear.checks.reconcile import as_of, collector_paused
from beanclear.importers.banking import counter_posting, paid_currencies, sent_units
from beanclear.importers.order_refs import order_key
from beanclear.importers.toolkit.places import shown

DAY = dt.timedelta(days=1)
GROUP_LIMIT = 500     # items (or lines) in one window beyond which the group search gives up
PAYOUT_SLACK = 3      # days past its channel's bank_days a payout's credit is looked for (a bank crediting after a weekend)


@dataclass
class BankLine:
    entry: data.Transaction
    bank_account: str
    counter: str          # the account the line's other side is booked to now
    amount: Decimal       # on the bank account: + money in
    currency: str
    # (amount, currency, transit accounts): what a credit the bank converted from a payout
    # takes from the transit accounts of the channels that pay out in the currency sent
    sent: tuple | None = None
    # a line a person split by hand (as_bank_line): the accounts of its other postings, in
    # order; () for a line of two postings
    split: tuple = ()

    @property
    def date(self) -> dt.date:
        return self.entry.date

    def amount_for(self, item: "OpenItem") -> Decimal | None:
        """The line's amount in the item's currency: its own, or the amount sent where the
        item is a payout the line may answer in it (sent); None in any other currency."""
        if item.currency == self.currency:
            return self.amount
        sent = self.sent
        return sent[0] if sent is not None and item.currency == sent[1] and item.account in sent[2] else None

    def said_for(self, item: "OpenItem") -> str:
        """The line's amount in the item's currency, in words: `788.70`, `1000.00 USD sent`."""
        amount = self.amount_for(item)
        return f"{amount:f}" if item.currency == self.currency else f"{amount:f} {item.currency} sent"

    @property
    def ref(self) -> str:
        return str(self.entry.meta.get("id", ""))

    @property
    def said(self) -> str:
        """The line's amount in words (`-12.00 USD`), a split line's open part as such:
        `-12.00 USD, the part of -312.00 USD left in Assets:Suspense`."""
        said = f"{shown(self.amount, self.currency)} {self.currency}"
        if self.split and self.counter:
            whole = next(p.units.number for p in self.entry.postings if p.account == self.bank_account)
            said += f", the part of {shown(whole, self.currency)} {self.currency} left in {self.counter}"
        return said

    @property
    def text(self) -> str:
        return " ".join(t for t in (self.entry.payee, self.entry.narration) if t)


@dataclass(slots=True)
class OpenItem:
    entries: list         # the entries of the item (a payout; an order and its partial payments)
    account: str          # where the item waits: transit, receivable or payable account
    link: str             # the link a matched bank line will share
    amount: Decimal       # expected at the bank: + money in
    currency: str
    date: dt.date
    window: int           # days after `date` the money may arrive
    channel: str          # the source the item belongs to
    names: tuple[str, ...]  # what the bank may call the counterparty
    ids: tuple[str, ...]  # statement ids the bank may quote
    paired: tuple = ()    # a payout's: the entries the clearing check answers it with (its bank credit)
    early: bool = True    # a line of the day before may settle it (a payout: transit.arrived_by)
    payout: bool = False  # a channel's payout: no line before it reached the bank may settle it (reached_by)
    late: object = None   # a payout missing: the credit the clearing check takes for it arriving late (_late)

    def fits(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.date + self.window * DAY

    def of_its_days(self, line: "BankLine") -> bool:
        """Whether `line` is of the days the item's money may take to the bank: in its
        window (fits), or the credit the clearing check pairs it with, which it does with
        an equal amount up to `bank_days` + LATE_DAYS after a payout (blind26: a credit 7
        days after was no finding, and match said it was outside the 5-day window)."""
        return self.fits(line.date) or any(e is line.entry for e in self.paired)

    def window_said(self) -> str:
        """The setting the window is read from, in words: a payout's, its channel's
        `bank_days` and PAYOUT_SLACK; an order's or a bill's, `match.window`."""
        if self.payout:
            return f"`channels.{self.channel}.bank_days` {self.window - PAYOUT_SLACK} + {PAYOUT_SLACK}"
        return "`match.window`"

    @property
    def first_day(self) -> dt.date:
        """The first day a bank line may be of the item: a payout's own, or the day before
        where a bank further west still had that day when it left (early: transit.arrived_by)."""
        return self.date - DAY if self.early else self.date

    def reached_by(self, day: dt.date) -> bool:
        """Whether a bank line of `day` may be of the item by its day, however late: a
        payout's, as the clearing check pairs them (transit.arrived_by: no credit dated
        before a payout's day is its); an order's or a bill's, any day (a blind tester's
        credit of 09-15 was linked by hand to a payout of 09-30)."""
        return not self.payout or day >= self.first_day

    def open_to(self, line: "BankLine") -> bool:
        """Whether `line` may settle the item: any line while it is open; a payout the
        clearing check pairs with a bank credit, that credit only (a demo's unrelated
        line was offered a Stripe payout that had reached the bank, and `link` took it)."""
        return not self.paired or any(e is line.entry for e in self.paired)

    def may_settle(self, line: "BankLine") -> bool:
        """Whether a person may link `line` to the item by hand (`beanclear link` refuses
        the others, saying why; the page's Match by hand and `open-items --for` list these,
        ByHand): open to it (open_to), in its currency or the amount sent its statement
        states (amount_for), of its direction, money in for a payout or an order due,
        out for a bill or a refund owed (a blind tester's 8,000.00 credit was linked to a
        refund of -156.00, "they differ by 8,156.00"), and of a day the item may have
        reached the bank by (reached_by)."""
        amount = line.amount_for(self)
        return amount is not None and _same_sign(amount, self.amount) and self.open_to(line) \
            and self.reached_by(line.date)

    def proposable_to(self, line: "BankLine") -> bool:
        """open_to, for the matcher's proposals: a credit the import booked to this
        payout's own transit account may be proposed for it too, where the check paired
        it by amount and day only. Two payouts of one amount days apart: the check pairs
        their credits first in, first out, and the matcher, by date and text, told them
        apart right where following the check crossed them (fresh seeds 32961, 32968)."""
        return self.open_to(line) or line.counter == self.account

    def names_itself(self, x: str) -> bool:
        """Whether its id `x` is its own, not that of another item its entries are linked
        to: a payment of an order carries its payout's id (`payout-id:`, `^payout-po_…`
        beside `^order-1999`), which names the payout, not the order. A bank text quoting
        it names the payout only (matching/why.py's "the text names")."""
        if x not in self.ids:
            return False
        for e in self.entries:
            if any(l != self.link and l.startswith(ITEM_LINKS) and l.split("-", 1)[1] == x for l in e.links):
                return False
            if not self.link.startswith("payout-") and str(e.meta.get("payout-id", "")) == x:
                return False
        return True

    def refs(self) -> tuple[str, ...]:
        """Its own ids (names_itself) as the channel or shop wrote them: the refs its
        findings list (CHANNEL_REF_KEYS), where matching reads some otherwise
        (read_id: Shopify's order `#3300` is `3300`, as a bank text writes it). `link`
        takes each, compared exactly as written (blind21: `link CH100488 '#3300'`, the
        ref of the order's order-unpaid, was refused)."""
        out: dict[str, None] = {}
        for entry in self.entries:
            for key in CHANNEL_REF_KEYS:
                value = entry.meta.get(key)
                if value and self.names_itself(read_id(key, str(value))):
                    out[str(value)] = None
        return tuple(out)

    def made_with(self, line: "BankLine") -> list:
        """The other entries the clearing check pairs the item with, where with `line`
        they make it (a payout the bank credited in parts: transit._in_parts); else []."""
        others = [e for e in self.paired if e is not line.entry]
        amount = line.amount_for(self)
        if not others or amount is None:
            return []
        rest = sum((-p.units.number for e in others for p in e.postings
                    if p.account == self.account and p.units.currency == self.currency), Decimal(0))
        return others if amount + rest == self.amount else []

    def arrived(self, entries=None) -> str:
        """What the clearing check pairs a payout with (or `entries` of it), in words: its
        bank lines by their statement id, amount and day; the channel's reversal of it
        (`payout-returned`: the money came back to the channel, no bank line, as a blind
        tester's Stripe `txn_…` was called one); else the entry where the books hold it
        (a write-off)."""
        def amount(e) -> str:
            return shown(-posted(e, self.account, self.currency), self.currency)
        return " and ".join(
            f"{self.channel}'s reversal {e.meta['id']} ({amount(e)}"
            f" {self.currency} on {e.date})" if e.meta.get("payout-returned") and e.meta.get("id") else
            f"bank line {e.meta['id']} ({amount(e)}"
            f" {self.currency} on {e.date})" if e.meta.get("id") else
            f"the entry of {e.date} at {str(e.meta.get('filename', '?')).rsplit('/', 1)[-1]}:{e.meta.get('lineno', '?')}"
            for e in (self.paired if entries is None else entries))

    def fate(self) -> str:
        """`which reached the bank as …` of a payout the clearing check pairs with bank
        lines (arrived); of one it closes with the channel's reversal alone, that it came
        back before the bank (a payout that failed)."""
        if self.paired and all(e.meta.get("payout-returned") for e in self.paired):
            return f"which never reached the bank: {self.arrived()} took it back"
        if any(e.meta.get("payout-returned") for e in self.paired):
            return f"which the clearing check closes with {self.arrived()}"
        return f"which reached the bank as {self.arrived()}"


@dataclass
class Proposal:
    lines: list[BankLine]
    items: list[OpenItem]
    account: str          # the account the lines' counter posting should be booked to
    stage: str
    score: float
    reasons: list[str]
    confident: bool = True
    alternatives: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        """What the lines are matched to: the items' links, else the account."""
        return _target(self.items) or self.account

    def to_json(self) -> dict:
        return {"stage": self.stage, "score": round(self.score, 1), "confident": self.confident,
                "bank_refs": [l.ref for l in self.lines], "bank_amounts": [f"{l.amount:f}" for l in self.lines],
                "currency": self.lines[0].currency, "account": self.account,
                "links": sorted({i.link for i in self.items}),
                "items": [list(i.ids) for i in self.items], "reasons": self.reasons,
                "alternatives": self.alternatives}


def _target(items) -> str:
    return " ".join(sorted({i.link for i in items}))


# -- collecting lines and items --------------------------------------------------------

ITEM_LINKS = ("payout-", "order-", "bill-")   # the links of open items, a match writes on its bank line


def _links(entry, prefix: str) -> set[str]:
    return {l for l in entry.links if l.startswith(prefix)}


def gather(entries, config, load=None) -> tuple:
    """What matching reads from the books, collected once: (open bank lines, open items
    in book order, each transit account's place in collect()'s grouping, classified bank
    lines). `match`, `unproposed` and ByHand take it (`gathered`) so that one answer of
    the matcher (since.Matched: the command's, the page's) walks the books once."""
    return _collect(entries, config, load)


def collect(entries, config, load=None, gathered=None) -> tuple[list[BankLine], list[OpenItem], list[BankLine]]:
    """(open bank lines, open items, classified bank lines for the history stage). The
    items come grouped by account: each transit account's payouts in book order, the
    accounts in the order first seen, then the orders and bills. `load`: the checks'
    reconcile.Load of these books, whose postings index and coverage pair the payouts.
    `gathered`: gather()'s answer for these books, where taken already."""
    lines, items, rank, history = gathered if gathered is not None else _collect(entries, config, load)
    groups: list[list[OpenItem]] = [[] for _ in range(len(rank) + 1)]
    for item in items:
        groups[rank.get(item.account, len(rank))].append(item)
    return lines, [item for group in groups for item in group], history


def _collect(entries, config, load=None) -> tuple[list[BankLine], list[OpenItem], dict[str, int], list[BankLine]]:
    """What collect() says, with the items in book order (the payouts, then the orders
    and bills) and each transit account's place in collect()'s grouping."""
    banks = {b.account for b in config.banks.values()}
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    banked: set[str] = set()   # payout links with a bank side (not a set of sides per link: a million sets)
    lines, history = [], []
    rank: dict[str, int] = {}     # transit account -> its place, in the order first seen
    payouts: list[tuple] = []                 # (entry, posting, links) of each payout in transit, in book order
    due: dict[tuple[str, str], list] = defaultdict(list)  # (account, link) -> [(entry, amount, currency)]
    answering: set[str] = set()   # transit accounts where money out may answer a payout no link ties it to
    linked_out: list[tuple] = []  # (account, payout links) of each bank credit linked to payouts
    unlinked: set[str] = set()    # transit accounts where a bank credit no link names waits
    converted: list[BankLine] = []   # open lines stating an amount sent (BankLine.sent)
    reclassifying, suspense = False, config.suspense   # whether an entry posts there and to no bank (a person's
    # reclassification: checks/suspense.py)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        bank_posting = next((p for p in entry.postings if p.account in banks), None)
        for p in entry.postings:
            if p.account in transit:
                links = _links(entry, "payout-")
                if bank_posting:
                    banked.update(links)
                    if p.units.number < 0:
                        if links:
                            linked_out.append((p.account, links))
                        else:   # a credit the import took for a payout's: the check pairs it
                            answering.add(p.account)
                            unlinked.add(p.account)
                elif p.units.number > 0:
                    rank.setdefault(p.account, len(rank))
                    payouts.append((entry, p, links))
                else:   # a write-off, a top-up, a failed payout's money coming back
                    answering.add(p.account)
            elif p.account.startswith(("Assets:Receivable:", "Liabilities:Payable:")):
                # an entry of neither link nor id is named by its place: the same on every run
                key = next(iter(sorted(_links(entry, "order-") | _links(entry, "bill-"))), None) \
                    or f"bill-{entry.meta.get('id') or '%s-%s' % (entry.date, entry.meta.get('lineno', 0))}"
                due[(p.account, key)].append((entry, p.units.number, p.units.currency))
        if bank_posting is None:
            reclassifying = reclassifying or any(p.account == suspense for p in entry.postings)
            continue
        line = as_bank_line(entry, banks, suspense)
        if line is None:
            continue
        if line.counter == suspense or (line.counter in transit and not _links(entry, "payout-")):
            if "original-amount" in entry.meta and not line.split:
                converted.append(line)   # its amount sent, once every payout's currency is known
            lines.append(line)
        elif line.counter not in transit and not line.split:   # (a split has no one account to vote for)
            history.append(line)
    if reclassifying:   # lines a person's entry took out of suspense are explained: nothing to propose
        from beanclear.checks.suspense import reclassified
        answered = {id(line) for _, line in reclassified(entries, config)}
        lines = [line for line in lines if id(line.entry) not in answered]
    if any(reverses(line.entry) for line in lines):
        # a line and the bank's reversal of it, both in suspense or both in a transit
        # account, explain each other (as the check says: checks/reversals.py): nothing
        # to propose, book or link
        from beanclear.checks.suspense import reversed_pairs
        pairs = {id(e) for pair in reversed_pairs(entries, config) for e in pair}
        lines = [line for line in lines if id(line.entry) not in pairs]
    if converted:
        paid = paid_currencies(config, ((p.account, p.units.number, p.units.currency) for _, p, _ in payouts))
        for line in converted:
            line.sent = amount_sent(config, line, paid)
    # In book order, not account by account: the entries lie in memory in about that
    # order, and visiting a million of them with a stride cost more than the rest of
    # collecting (docs/perf-checks-page.md, Matching).
    items = []
    paid = {l for _, _, links in payouts for l in links}
    answering.update(account for account, links in linked_out if not links & paid)   # its payout is in no statement
    # a payout linked to its bank credits waits for nothing, unless they fall short of it
    # and the clearing check answers it with a credit no link names too (_part_left)
    payouts = [(entry, p, links) for entry, p, links in payouts
               if not (links and links <= banked) or len(links) == 1 and p.account in unlinked]
    topping = {line.counter for line in lines if line.amount < 0 and line.counter in transit}
    late: dict[int, data.Transaction] = {}   # id(payout entry) -> the credit the check takes for it, late
    answered = paired_payouts(entries, config, answering, load, late) if (payouts or topping) and answering else {}
    if topping and answered:
        # a bank debit the clearing check pairs with the channel's top-up (a negative payout,
        # a bank deposit; the reversal of a payout the bank returned) is explained, as the
        # check says: no line to propose, book or link (a blind tester's `link` of Stripe's
        # negative payout's debit took an order carrying its payout id, match called such
        # debits unexplained)
        lines = [line for line in lines if not (line.amount < 0 and id(line.entry) in answered)]
    for entry, p, links in payouts:
        amount, paired = p.units.number, answered.get(id(entry), ())
        if links and links <= banked:
            amount, paired = _part_left(p, links, paired)
            if not paired:
                continue
        links = sorted(links)
        channel = transit[p.account]
        items.append(OpenItem([entry], p.account, links[0] if links else f"payout-{entry.meta.get('id')}",
                              amount, p.units.currency, entry.date, channel.bank_days + PAYOUT_SLACK,
                              channel.name, _names(channel, config, entry), _ids(entry), paired,
                              arrived_by(entry, entry.date - DAY, config.timezone), payout=True,
                              late=late.get(id(entry))))
    convert = None
    for (account, key), parts in due.items():
        by_currency: dict[str, Decimal] = defaultdict(Decimal)
        for _, number, currency in parts:
            by_currency[currency] += number
        # an order paid (or paid and refunded) in another currency than the channel settled
        # it in: its receivable holds both, and what is left of them may be the conversion
        # alone (a refund of books imported before statements/refund_fx.py booked it as FX)
        if len(by_currency) > 1 and any(by_currency.values()):
            convert = convert or InCurrency(entries, config)
            if _paid_across_currencies(parts, convert):
                continue
        for currency, residual in by_currency.items():
            if residual == 0 or any(e for e, _, _ in parts if any(p.account in banks for p in e.postings)):
                continue
            first = min((e for e, _, _ in parts), key=lambda e: e.date)
            items.append(OpenItem([e for e, _, _ in parts], account, key, residual, currency, first.date,
                                  config.match.window, account.rsplit(":", 1)[-1],
                                  tuple(filter(None, (first.payee, first.narration))),
                                  tuple(i for e, _, _ in parts for i in _ids(e))))
    return lines, items, rank, history


def as_bank_line(entry, banks, suspense: str) -> BankLine | None:
    """The entry as a bank line (a BankLine): a posting to an account of `banks` and the
    line's other side, one posting (as the import wrote it, or as booked since), else
    several that a person split it into by hand (README "A line split by hand"): the
    bank's posting is then the one posting to a bank's account, and what is open of the
    line is its posting left in `suspense` (its counter, the line's amount the opposite
    of that posting's: what the suspense check's bank-unmatched says). A split with
    nothing left there is booked by hand: its counter is "" (no one account), its amount
    the bank's. None for any other entry (no bank posting; a split of two bank postings,
    of several postings left in suspense, or of one there in another currency)."""
    postings = entry.postings
    if len(postings) == 2:
        bank = next((p for p in postings if p.account in banks), None)
        if bank is None:
            return None
        counter = next(p for p in postings if p is not bank)
        return BankLine(entry, bank.account, counter.account, bank.units.number, bank.units.currency)
    ours = [p for p in postings if p.account in banks]
    if len(postings) < 3 or len(ours) != 1:
        return None
    bank = ours[0]
    others = [p for p in postings if p is not bank]
    left = [p for p in others if p.account == suspense]
    if len(left) > 1 or any(p.units.currency != bank.units.currency for p in left):
        return None
    split = tuple(dict.fromkeys(p.account for p in others))
    if left:
        return BankLine(entry, bank.account, suspense, -left[0].units.number, bank.units.currency, split=split)
    return BankLine(entry, bank.account, "", bank.units.number, bank.units.currency, split=split)


def _part_left(posting, links: set[str], paired: tuple) -> tuple[Decimal, tuple]:
    """(what is left of a payout linked to bank credits, the credits no link names that
    the clearing check answers it with: they make the rest), for a payout the bank
    credited in parts, one linked to it by hand: the rest waits for those credits only.
    No credits: the payout waits for nothing (its linked credits settle it, or the check
    says by how much they fall short)."""
    rest = [e for e in paired if not links & e.links]
    if not rest:
        return posting.units.number, ()
    linked = sum(posted(e, posting.account, posting.units.currency) for e in paired if links & e.links)
    return posting.units.number + linked, tuple(rest)


def amount_sent(config, line: BankLine, paid=None) -> tuple | None:
    """BankLine.sent of a line: (the amount sent, its currency, the transit accounts it
    may be taken from), where the bank converted it from a payout (banking.sent_units;
    `paid`: the currencies the books hold each transit account's payouts in,
    banking.paid_currencies: a wallet's USD payout is one whatever its `currency:`)."""
    accounts, units = [], None
    for channel in config.channels.values():
        found = sent_units(config, line.bank_account, channel.accounts.transit, line.amount, line.currency,
                           line.entry.meta, paid)
        if found is not None:
            accounts.append(channel.accounts.transit)
            units = found
    return (-units.number, units.currency, frozenset(accounts)) if units is not None else None


def books_paid(entries, config) -> dict[str, set[str]]:
    """banking.paid_currencies of the books: the currencies each transit account holds
    payouts in (what an entry without a bank posting puts in it), for amount_sent of a
    line read outside collect() (`book`, `unlink`, the resolve page's lines as imported)."""
    banks = {b.account for b in config.banks.values()}
    own = (e for e in entries if isinstance(e, data.Transaction) and not any(p.account in banks for p in e.postings))
    return paid_currencies(config, ((p.account, p.units.number, p.units.currency) for e in own for p in e.postings))


def paired_payouts(entries, config, accounts: set[str], load=None, late: dict | None = None) -> dict[int, tuple]:
    """id(payout entry) -> the entries the clearing check answers it with: its bank
    credits, whether a `^payout-` link, the payout id in the bank's text, the amount or
    the day pairs them (transit.transit_answers: the pairing `beanclear check` and the
    month report make), or a write-off linked to it. A payout not here is in transit.
    So, too, id(bank debit) -> the channel's top-up it answers (or the reversal of a
    payout the bank returned: answered_debit).
    `accounts`: the transit accounts to judge, those where money out may answer a payout
    no bank credit's link names (the others' payouts wait for a link: at 100,000 payouts
    of linked credits only, the check's pass cost three times the rest of matching).
    `load`: the checks' reconcile.Load of these books (their index, coverage and date).
    `late` gets id(payout entry) -> the bank credit's entry the check takes for that
    payout missing, arriving late (transit._late_arrivals): no pairing, a proposal."""
    accounts = with_fellows(accounts, config)   # a credit the pairing may give another of them (pooled)
    if load is None:
        index, cover, day = pooled(postings_by_account(entries, accounts), config), None, as_of(entries)
    else:
        index = {account: items for account, items in load.index(entries).items() if account in accounts}
        cover, day = load.cover(entries), load.as_of(entries)
    out: dict[int, tuple] = {}
    for answers in transit.transit_answers(entries, config, day, index, cover).values():
        if answers is None:   # statements without payouts: no payout to pair
            continue
        grouped, answered, arrivals = answers[0], answers[1], answers[4]
        for items in grouped.values():
            for item in items:
                credits = answered.get(id(item))
                if credits:
                    out[id(item.entry)] = tuple(c.entry for c in credits)
                elif late is not None and id(item) in arrivals:
                    late[id(item.entry)] = arrivals[id(item)].entry
    return out


def answered_debit(entries, config, line: BankLine, load=None) -> tuple:
    """The entries the clearing check answers a bank debit booked to a channel's transit
    account with, no payout link naming it: the channel's top-up from the bank (Stripe's
    negative payout, PayPal's bank deposit), or the channel's reversal of a payout the
    bank returned (paired_payouts, as `beanclear check` pairs them). () for any other
    line, or one it pairs with nothing (its bank-unmatched, or one that waits)."""
    transit_accounts = {ch.accounts.transit for ch in config.channels.values()}
    if line.amount >= 0 or line.counter not in transit_accounts or _links(line.entry, "payout-"):
        return ()
    return paired_payouts(entries, config, {line.counter}, load).get(id(line.entry), ())


def debit_answered(config, line: BankLine, answers) -> str:
    """What a bank debit answered_debit pairs is, in the actions' words (`link`,
    `open-items --for`, `book` refuse it: explained already)."""
    transit = {ch.accounts.transit: ch.name for ch in config.channels.values()}

    def on(e) -> str:
        """The transit account an answer is on: the line's, or another channel's (pooled)."""
        return next((p.account for p in e.postings if p.account in transit), line.counter)

    def one(e) -> str:
        amount = -posted(e, on(e))
        said = f"{e.meta.get('id', '?')} ({shown(amount, line.currency)} {line.currency} on {e.date})"
        if e.meta.get("payout-returned"):
            return f"{transit[on(e)]}'s reversal {said} of payout {e.meta['payout-returned']}, which the bank returned"
        return f"{transit[on(e)]}'s top-up {said} from the bank"
    said = f"bank line {line.ref} ({line.said}) is explained already: the clearing check pairs it with " \
           f"{' and '.join(one(e) for e in answers)}"
    elsewhere = sorted({on(e) for e in answers} - {line.counter})
    if elsewhere:   # a debit several channels' texts fit, booked where its text put it (pooled._debit_moves)
        return (f"{said}, in {elsewhere[0]}, though the line is booked to {line.counter}, where its text put it "
                f"(the next import of their statements moves it; `beanclear link {line.ref} "
                f"{answers[0].meta.get('id', '?')}` books it there now)")
    return f"{said}, both in {line.counter}"


def _names(channel, config, entry) -> tuple[str, ...]:
    """What a bank line may call an item of the channel: its name, its aliases, the words
    of its payout memo (the type's usual bank text: 支付宝, 财付通, PayPal: Alipay's account
    bill names the merchant's bank card as the withdrawal's other side, not Alipay), and
    the item's payee and narration."""
    names = [channel.name, *config.match.aliases.get(channel.name, ()),
             *(_plain_words(channel.payout_memo.pattern) or ())]
    names += [t for t in (entry.payee, entry.narration) if t]
    return tuple(names)


# An item's statement ids: every one a finding of it lists as a ref (checks.items.REF_KEYS:
# an Alipay withdrawal's 业务流水号, its `trade-id`, is what its bank credit quotes), the
# payout's and the order's first, as the items have always listed them.
_FIRST_IDS = ("payout-id", "order-id", "id")
ID_KEYS = _FIRST_IDS + tuple(k for k in REF_KEYS if k not in _FIRST_IDS)


def read_id(key: str, value: str) -> str:
    """An id as matching reads it: an order's without the `#` a shop writes before it
    (order_key: a wire for Shopify's `#1041` says `1041`, or `#1041`, one word `1041`),
    any other as written."""
    return order_key(value) if key in ("order-id", "shop-order-id") else value


def _ids(entry) -> tuple[str, ...]:
    """The ids a bank text may quote, `link` and `open-items --search` take (ID_KEYS), as
    matching reads them (read_id; OpenItem.refs: as written); an id the first keys gave
    is not listed again."""
    meta = entry.meta
    out = [read_id(k, str(meta[k])) for k in _FIRST_IDS if meta.get(k)]
    for k in ID_KEYS[len(_FIRST_IDS):]:
        value = meta.get(k)
        if value and str(value) not in out:
            out.append(str(value))
    return tuple(out)


def _paid_across_currencies(parts, convert) -> bool:
    """Whether an order's receivable, holding its currency and a payment's, is paid as
    the orders check judges it (in the order's currency: what the customer paid, else the
    reference rate within the fx-gap tolerance): then it is no open item (a blind helper's
    USD order paid through Stripe in EUR was two, 86.50 USD and -79.95 EUR, and a bank
    line was said to name it). The order is the receivable's largest debit that states
    no amount a customer paid: a refund the channel converted is no order, nor its
    currency the order's."""
    ordered = [part for part in parts if "customer-amount" not in part[0].meta] or parts
    order = max(ordered, key=lambda part: part[1])   # the order: the receivable's largest debit
    total, slack = Decimal(0), Decimal("0.01")
    for entry, number, currency in parts:
        converted = convert(Item(entry, number, currency), order[2])
        if converted is None:
            return False
        total += converted[0]
        slack += converted[1]
    return abs(total) <= slack


# -- the stages ---------------------------------------------------------------------------

def _text_score(line: BankLine, item: OpenItem) -> float:
    text = utils.default_process(line.text)
    if not text:
        return 0.0
    return max((fuzz.partial_ratio(utils.default_process(n), text) for n in item.names if n), default=0.0)


def _tokens(line: BankLine) -> set[str]:
    """What a line's text may name an id by (transit.text_words, as the checks read it)."""
    cached = line.__dict__.get("_tokens")
    if cached is None:
        cached = line.__dict__["_tokens"] = text_words(line.text)
    return cached


def _id_in(line: BankLine, item: OpenItem) -> str | None:
    """The item's id the line's text names. A number of eight digits or fewer (Shopify's
    order `1041`) may be a word of the text by chance: a year (`15/03/2026`), a day
    (`20260315`), an amount. It names the item only when the line is in the item's
    window; a longer id, as a payout's, names it at any age."""
    ids = item.ids if item.fits(line.date) else [i for i in item.ids if not SHORT_NUMBER.fullmatch(i)]
    return named_id(ids, _tokens(line))


class ChannelNames:
    """Which channels a bank line names: its transit account, a channel's payout memo or
    one of its aliases in the text. Where several channels' names match at the same
    place, the first channel in config order is the one named there (as one regular
    expression `(?P<c0>…)|(?P<c1>…)|…` would say, searched again from each hit + 1).

    Aliases, and payout memos that are a plain `a|b|c` of words, are looked up in one
    dictionary per length on the line's case-folded text: with hundreds of channels one
    big alternation cost each line hundreds of branch attempts at every place (the
    matcher's top function at 1,000,000 items), the dictionary a few lookups. Memos
    that are real regular expressions keep one alternation of their own."""

    def __init__(self, config):
        self.transit = {ch.accounts.transit: ch.name for ch in config.channels.values()}
        self.channels = [channel.name for channel in config.channels.values()]
        self.words: dict[int, dict[str, int]] = {}   # length -> folded word -> first channel naming it
        parts = []
        for n, channel in enumerate(config.channels.values()):
            memo, aliases = channel.payout_memo.pattern, config.match.aliases.get(channel.name, ())
            words = _plain_words(memo)
            regexes = [memo] if words is None else []
            for word in [*(words or ()), *aliases]:
                if word and _FOLDS is not None:
                    self.words.setdefault(len(word), {}).setdefault(word.translate(_FOLDS), n)
                else:   # an empty word matches everywhere: the regular expression says how
                    regexes.append(re.escape(word))
            if regexes:
                parts.append(f"(?P<c{n}>" + "|".join(f"(?:{x})" for x in regexes) + ")")
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def of(self, line: BankLine) -> set[str]:
        names = {self.transit[line.counter]} if line.counter in self.transit else set()
        text = line.text
        first: dict[int, int] = {}   # place in the text -> the first channel named there
        if self.words:
            folded = text.translate(_FOLDS)
            for length, words in self.words.items():
                for at in range(len(text) - length + 1):
                    n = words.get(folded[at:at + length])
                    if n is not None and n < first.get(at, n + 1):
                        first[at] = n
        at = 0
        while self.pattern is not None:  # every channel named, even where names overlap
            hit = self.pattern.search(text, at)
            if hit is None:
                break
            n = int(hit.lastgroup[1:])
            if n < first.get(hit.start(), n + 1):
                first[hit.start()] = n
            at = hit.start() + 1
        names.update(self.channels[n] for n in first.values())
        return names


_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\()]")


def _plain_words(pattern: str) -> list[str] | None:
    """`a|b|c` of plain words (no character a regular expression treats specially),
    else None."""
    return None if _SPECIAL.search(pattern) else pattern.split("|")


class _Folds(dict):
    """str.translate table: each character to the one `re.IGNORECASE` treats it as
    (its simple lowercase, and of the letters sharing an uppercase such as s and ſ, the
    lowest), so two words are equal folded exactly when `re` matches one by the other."""

    def __missing__(self, code: int) -> str:
        lower = _tolower(code)
        self[code] = folded = chr(min((lower, *_EXTRA_CASES.get(lower, ()))))
        return folded


try:   # how `re` compares letters under IGNORECASE (CPython 3.11+)
    from _sre import unicode_tolower as _tolower
    from re._casefix import _EXTRA_CASES
    _FOLDS: _Folds | None = _Folds()
except ImportError:   # elsewhere every name stays in the one regular expression
    _FOLDS = None


class Index:
    """Open items by currency and amount bucket, and by (currency, channel) and day.

    Both are dictionaries filled in one pass over the items, with no sort of all items:
    at 1,000,000 items the two full sorts were 7 of the index's 10.4 s and grew 14-16x
    with 10x the items. `near` sorts a line's few candidates by amount; each day's
    few items are sorted by link.

    The pass is in book order (_collect's), where the items and their amounts lie in
    memory: twice as fast at 1,000,000 items as collect()'s grouping by account. Every
    list is still in collect()'s order: a channel's items are one account's (then the
    orders and bills, as there), and a bucket of several is put in account order.

    Given the lines, the amount buckets hold only the items some line can ask for (its
    amount's buckets, within the tolerance): at 10x the items most items are in no line's
    range, and a million small lists in a 3 GB heap cost more than the rest of the index."""

    def __init__(self, items: list[OpenItem], rank: dict[str, int], tolerance: Decimal, lines=None):
        self.width = max(float(tolerance), 0.01)   # any width > 0 is correct; this one is quick
        self.tolerance = tolerance
        self.by_bucket: dict[str, dict[int, list[OpenItem]]] = defaultdict(dict)   # in the order collected
        self.by_day: dict[tuple, dict[dt.date, list[OpenItem]]] = defaultdict(dict)   # each day by link
        wanted = None if lines is None else self._buckets_of(lines)
        for item in items:
            b = self.bucket(item.amount)
            if wanted is None or b in wanted.get(item.currency, ()):
                self.by_bucket[item.currency].setdefault(b, []).append(item)
            days = self.by_day[(item.currency, item.channel)]
            day = days.get(item.date)
            if day is None:   # not setdefault(date, []): a new list for each of a million items
                days[item.date] = [item]
            else:
                day.append(item)
        for buckets in self.by_bucket.values():
            for group in buckets.values():
                if len(group) > 1:   # stable: each account's in book order, as collect() has them
                    group.sort(key=lambda i: rank.get(i.account, len(rank)))
        for days in self.by_day.values():
            for group in days.values():
                if len(group) > 1:
                    group.sort(key=attrgetter("link"))   # stable: equal links in the order collected
        self.taken: set[int] = set()
        self.rejected: set[tuple[str, str]] = set()   # (bank ref, target) a person turned down
        self.candidates: dict[int, list[OpenItem]] = {}   # id(line) -> its items by amount, free or not
        self.names_of: dict[int, set[str]] = {}   # id(line) -> the channels it names
        # the clearing check's pairing, from both sides: id(bank entry) -> its line, and ->
        # the payouts paired with it alone (_across)
        self.line_of: dict[int, BankLine] = {id(line.entry): line for line in lines or ()}
        self.paired_with: dict[int, list[OpenItem]] = defaultdict(list)
        self.late_of: dict[int, OpenItem] = {}   # id(bank entry) -> the missing payout the check takes it for
        for item in items:
            if len(item.paired) == 1:
                self.paired_with[id(item.paired[0])].append(item)
            if item.late is not None:
                self.late_of[id(item.late)] = item

    def bucket(self, amount: Decimal) -> int:
        """Never smaller for a larger amount (float() rounds monotonically), so the items
        between two amounts are all in the buckets between theirs."""
        return math.floor(float(amount) / self.width)

    def _range(self, amount: Decimal) -> range:
        """The buckets of the amounts a line of `amount` may be matched to: equal, or
        within the tolerance (none when the tolerance is negative)."""
        span = max(self.tolerance, 0)
        return range(self.bucket(amount - span), self.bucket(amount + span) + 1)

    def _buckets_of(self, lines) -> dict[str, set[int]]:
        wanted: dict[str, set[int]] = defaultdict(set)
        for line in lines:
            wanted[line.currency].update(self._range(line.amount))
            if line.sent is not None:
                wanted[line.sent[1]].update(self._range(line.sent[0]))
        return wanted

    def named(self, line: BankLine) -> set[str]:
        """The channels the line names (ChannelNames.of), once per line: both group
        stages ask."""
        found = self.names_of.get(id(line))
        if found is None:
            found = self.names_of[id(line)] = self.names.of(line)
        return found

    def refused(self, line: BankLine, target: str) -> bool:
        return (line.ref, target) in self.rejected

    def free(self, item: OpenItem) -> bool:
        return id(item) not in self.taken

    def _candidates(self, line: BankLine) -> list[OpenItem]:
        """The items in the line's buckets open to it (OpenItem.proposable_to), by amount, equal
        amounts in the order collected. They do not change while matching (only which
        are free does), so each line looks them up once, not once per stage."""
        found = self.candidates.get(id(line))
        if found is None:
            buckets = self.by_bucket.get(line.currency, {})
            found = [i for b in self._range(line.amount) for i in buckets.get(b, ()) if i.proposable_to(line)]
            if line.sent is not None:   # payouts in the currency sent, of the channels it may answer
                amount, currency, accounts = line.sent
                buckets = self.by_bucket.get(currency, {})
                found += [i for b in self._range(amount) for i in buckets.get(b, ())
                          if i.account in accounts and i.proposable_to(line)]
            found.sort(key=attrgetter("amount"))   # stable; equal amounts share a bucket
            self.candidates[id(line)] = found
        return found

    def equal(self, line: BankLine) -> list[OpenItem]:
        """The items of exactly the line's amount (in theirs: amount_for), free or not, in
        the order collected."""
        return [i for i in self._candidates(line) if i.amount == line.amount_for(i)]

    def near(self, line: BankLine) -> list[OpenItem]:
        """Free items within the tolerance of the line's amount, by amount, equal amounts
        in the order collected."""
        if line.sent is not None:   # amounts in two currencies
            return [i for i in self._candidates(line) if abs(i.amount - line.amount_for(i)) <= self.tolerance
                    and self.free(i)]
        low, high = line.amount - self.tolerance, line.amount + self.tolerance
        return [i for i in self._candidates(line) if low <= i.amount <= high and self.free(i)]

    def by_date(self, currency: str, channel: str) -> list[OpenItem]:
        """A channel's items several lines may settle, by (date, link): in transit (no
        credit the clearing check pairs them with), or paired with several credits (the
        lines that together make it: OpenItem.open_to says which)."""
        days = self.by_day.get((currency, channel), {})
        return [i for day in sorted(days) for i in days[day] if len(i.paired) != 1]

    def in_window(self, line: BankLine, channel: str, before: int) -> list[OpenItem]:
        """A channel's free items open to the line that its money could settle (dated
        from `before` days before it to the day after, that one where OpenItem.early
        says a bank may have had it on the line's day), by (date, link). An item of
        `back` days before fits the day when its window is at least that long: what
        OpenItem.fits says, without its date arithmetic for each item."""
        days = self.by_day.get((line.currency, channel))
        if not days:
            return []
        return [i for back in range(before, -2, -1) for i in days.get(line.date - back * DAY, ())
                if back <= i.window and (back >= 0 or i.early) and self.free(i) and i.proposable_to(line)]


def match(entries, config, load=None, gathered=None) -> list[Proposal]:
    """Proposals for every open bank line, confident ones first applied in stage order.
    The cycle collector is paused: matching makes no reference cycles, but the items,
    index and proposals it builds trigger full collections that each walk every object
    of the loaded books (a third of the matcher's CPU time at 100,000 items). `load`:
    the checks' reconcile.Load of these books (collect); `gathered`: gather()'s answer
    for them, where taken already."""
    with collector_paused():
        return _match(entries, config, load, gathered)


def _match(entries, config, load=None, gathered=None) -> list[Proposal]:
    lines, items, rank, history = gathered if gathered is not None else _collect(entries, config, load)
    lines = sorted(lines, key=lambda l: (l.date, l.ref))
    index = Index(items, rank, config.match.tolerance, lines)
    index.names = ChannelNames(config)
    index.rejected = acks.rejected_in(entries)
    tolerance = config.match.tolerance
    proposals: list[Proposal] = []
    pending = list(lines)
    for stage in (_rules, _exact, _groups_one_line, _groups_many_lines, _fuzzy, _late):
        pending = stage(pending, index, tolerance, proposals, config)
    proposals += _history(pending, history, config, index)
    return proposals


def _claim(index: Index, proposal: Proposal, proposals: list) -> None:
    proposals.append(proposal)
    if proposal.confident:
        index.taken.update(id(i) for i in proposal.items)


def _rules(lines, index, tolerance, proposals, config):
    """A line in suspense that a rule of config.yaml claims now (written since its
    import: banking.claiming_rule) is proposed for the rule's account, confident, as the
    import would book it: before any item, as the import reads the rules before a line
    is left to matching (a blind tester's Worldline settlements, left in suspense after
    `book --rule` added their rule, were offered only for review by history)."""
    if not config.rules:
        return lines
    from beanclear.importers.banking import booked_as, claiming_rule
    from beanclear.resolve.booking import statement_text
    banks = {b.account: name for name, b in config.banks.items()}
    rest = []
    for line in lines:
        rule = claiming_rule(config, banks.get(line.bank_account), line.amount, statement_text(line)) \
            if line.counter == config.suspense and not line.split else None
        # (a rule naming another bank's account books a transfer, with its other side: `book` does)
        if rule is None or index.refused(line, rule.account) or booked_as(config, line.bank_account, rule.account) \
                != (rule.account, None):
            rest.append(line)
            continue
        _claim(index, Proposal([line], [], rule.account, "rule", 100.0,
                               [f"rule {rule.pattern.pattern!r} -> {rule.account} of config.yaml claims its text now "
                                f"(its import left it in {config.suspense})"]), proposals)
    return rest


def _exact(lines, index, tolerance, proposals, config):
    rest = []
    for line in lines:
        hits = [(i, ref) for i in index.equal(line) if index.free(i) and not index.refused(line, i.link)
                and i.reached_by(line.date) for ref in [_id_in(line, i)] if ref]
        if len(hits) == 1:
            item, ref = hits[0]
            _claim(index, Proposal([line], [item], item.account, "exact", 100.0,
                                   [f"{ref} appears in the bank text", f"amount {line.said_for(item)} equal"]),
                   proposals)
        elif hits:
            _claim(index, Proposal([line], [hits[0][0]], hits[0][0].account, "exact", 100.0,
                                   ["several items are named in the bank text"], confident=False,
                                   alternatives=[h[0].link for h in hits[1:]]), proposals)
        else:
            rest.append(line)
    return rest


def _same_sign(a: Decimal, b: Decimal) -> bool:
    """a * b > 0, without the product: two comparisons allocate nothing."""
    return a > 0 if b > 0 else (b < 0 and a < 0)


def _single(line: BankLine, index: Index, tolerance: Decimal) -> bool:
    """Whether one item alone could explain the line: then it is not a group's."""
    return any(i.of_its_days(line) for i in index.near(line))


def _groups_one_line(lines, index, tolerance, proposals, config):
    """One bank line = several items of one channel in the window (contiguous in time,
    or any two of them)."""
    rest = []
    for line in lines:
        if _single(line, index, tolerance):
            rest.append(line)
            continue
        by_channel = {name: [i for i in index.in_window(line, name, 10) if _same_sign(i.amount, line.amount)]
                      for name in index.named(line)}
        fits = []
        target = abs(line.amount)
        for channel, group in sorted(by_channel.items()):
            if len(group) > GROUP_LIMIT:
                continue
            values = [abs(i.amount) for i in group]
            fits += [group[a:b + 1] for a, b in runs_summing_to(values, target)]
            seen: dict[Decimal, int] = {}
            for n, value in enumerate(values):
                if target - value in seen:
                    pair = [group[seen[target - value]], group[n]]
                    if not any({id(i) for i in pair} <= {id(i) for i in f} for f in fits):
                        fits.append(pair)
                seen.setdefault(value, n)
        fits = [f for f in fits if not index.refused(line, _target(f))]
        if not fits:
            rest.append(line)
            continue
        chosen = fits[0]
        reason = f"{line.amount:f} = " + " + ".join(f"{i.amount:f}" for i in chosen) + f" ({chosen[0].channel})"
        _claim(index, Proposal([line], chosen, chosen[0].account, "groups", 95.0, [reason],
                               confident=len(fits) == 1,
                               alternatives=[" + ".join(i.link for i in f) for f in fits[1:]]), proposals)
    return rest


def _groups_many_lines(lines, index, tolerance, proposals, config):
    """Several bank lines naming one channel that together settle one of its items no
    single line could: any two lines in the item's window, else a run of them in date
    order."""
    by_channel: dict[tuple, list[BankLine]] = defaultdict(list)
    for line in lines:
        if not _single(line, index, tolerance):
            for name in index.named(line):
                by_channel[(line.currency, name)].append(line)
                if line.sent is not None:   # a credit the bank converted: of the payouts in the amount sent too
                    by_channel[(line.sent[1], name)].append(line)
    used: set[int] = set()
    for (currency, channel), group in sorted(by_channel.items()):
        group.sort(key=lambda l: (l.date, l.ref))
        dates = [l.date for l in group]
        for item in index.by_date(currency, channel):
            if not index.free(item):
                continue
            lo = bisect.bisect_left(dates, item.date - DAY if item.early else item.date)
            hi = bisect.bisect_right(dates, item.date + item.window * DAY)
            window = [l for l in group[lo:hi] if id(l) not in used and l.amount_for(item) is not None
                      and _same_sign(l.amount_for(item), item.amount) and item.open_to(l)
                      and not index.refused(l, item.link)]
            if len(window) < 2 or len(window) > GROUP_LIMIT:
                continue
            run = _pair_or_run(window, abs(item.amount), item)
            if run is None:
                continue
            used.update(id(l) for l in run)
            _claim(index, Proposal(run, [item], item.account, "groups", 90.0,
                                   [f"{len(run)} bank lines add up to {item.amount:f} ({item.channel})"]),
                   proposals)
    return [l for l in lines if id(l) not in used]


def _pair_or_run(window: list[BankLine], target: Decimal, item: OpenItem) -> list[BankLine] | None:
    places = pair_or_run([abs(l.amount_for(item)) for l in window], target)
    return [window[n] for n in places] if places else None


def _fit(line: BankLine, item: OpenItem, tolerance: Decimal) -> tuple[float, float, int] | None:
    """(score, text score, days apart) of the line for the item in the fuzzy stage; None
    where its amount or day does not fit the item."""
    amount = line.amount_for(item)
    if amount is None or abs(item.amount - amount) > tolerance or not item.of_its_days(line):
        return None
    return _scored(line, item, amount, tolerance)


def _scored(line: BankLine, item: OpenItem, amount: Decimal, tolerance: Decimal) -> tuple[float, float, int]:
    """_fit's (score, text score, days apart), its amount (in the item's currency) given."""
    text = _text_score(line, item)
    closeness = 1 - float(abs(item.amount - amount) / max(tolerance, Decimal("0.01"))) * 0.5
    days = abs((line.date - item.date).days)
    return 0.6 * text + 25 * closeness + 15 * (1 - min(days, 10) / 10), text, days


def _across(line: BankLine, item: OpenItem, index: Index, tolerance: Decimal) -> bool:
    """Whether the fuzzy stage may lead with an item the clearing check pairs with another
    credit (OpenItem.proposable_to: one the import booked to the item's transit account)
    for `line`: where the two, taken across, fit better than as the check pairs them (the
    line the item, that credit the payout the check pairs with the line, if any), so that
    the scores tell the lines apart, not only the items. Otherwise the check's pairing
    leads and the item stays an alternative, for a person where it scores near: a blind
    tester's two lines alike of one day, crediting WeChat's 4,321.60 of 08-19 and 08-20,
    were each proposed the payout of 08-20, nearer both by a day, and `link` refused the
    first as the other line's; two PayPal payouts of 71.89 two days apart credited by two
    lines alike (seed 32961) were credited the other way round. An item paired with parts
    of it, or with an entry that is no open line, is proposed as the scores say."""
    if len(item.paired) != 1 or id(item.paired[0]) not in index.line_of:
        return True
    other = index.line_of[id(item.paired[0])]

    def score(l, i):
        fit = _fit(l, i, tolerance)
        return fit[0] if fit else 0.0
    gain = score(line, item) - score(other, item)
    own = index.paired_with.get(id(line.entry))
    if own:
        gain += score(other, own[0]) - score(line, own[0])
    return gain > 1e-9


def _fuzzy(lines, index, tolerance, proposals, config):
    rest = []
    for line in lines:
        scored, held = [], set()
        for item in index.near(line):
            if index.refused(line, item.link):
                continue
            fit = _fit(line, item, tolerance)
            if fit is None:
                continue
            if not item.open_to(line) and not _across(line, item, index, tolerance):
                held.add(id(item))   # the check's pairing stands: never ahead of what it leaves this line
            scored.append((fit[0], item, fit[1], fit[2]))
        scored.sort(key=lambda s: (-s[0], s[1].date, s[1].link))
        paired = []
        if scored and id(scored[0][1]) in held:
            lead = next((s for s in scored if id(s[1]) not in held), None)
            if lead is None:   # every item it fits is another credit's, as near that one as it
                scored = []
            else:
                before = [s[1].link for s in scored[:scored.index(lead)]]
                scored = [lead] + [s for s in scored if s is not lead]
                if lead[1].paired:
                    paired = [f"the clearing check pairs it with this line ({', '.join(before)}, nearer, "
                              f"{'is' if len(before) == 1 else 'are'} as near the credit the check pairs "
                              f"{'it' if len(before) == 1 else 'each'} with: nothing tells the lines apart)"]
        if not scored:
            rest.append(line)
            continue
        if not paired:
            scored, paired = _as_the_check_pairs(line, scored)
        best, item, text, days = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        confident = best >= float(config.match.min_score) and best - runner >= float(config.match.margin)
        after = f"{days} day(s) after the item"
        if not item.fits(line.date):   # the credit the check pairs with it (OpenItem.of_its_days)
            after += (f", past its {item.window}-day window ({item.window_said()}), the credit the clearing check "
                      f"pairs with it (an equal amount within `bank_days` + {transit.LATE_DAYS})")
        reasons = [f"amount {item.amount:f} vs {line.said_for(item)}", after,
                   f"text score {text:.0f} against {', '.join(item.names[:3])}"] + paired
        _claim(index, Proposal([line], [item], item.account, "fuzzy", best, reasons, confident=confident,
                               alternatives=[f"{s[1].link} ({s[0]:.0f})" for s in scored[1:3]]), proposals)
    return rest


def _late(lines, index, tolerance, proposals, config):
    """A line the clearing check takes for a missing payout arriving late (OpenItem.late:
    past `bank_days` + LATE_DAYS, of its very amount, booked as its channel's payout, the
    one such credit since it, and no other payout of that amount between them;
    transit._late_arrivals), which no stage before proposed anything for: that payout,
    scored as the fuzzy stage scores, but for a person to confirm, never confident.
    Confident proposals are the ones nothing else comes close to, an id in the text at
    any age or amount and day within the window with a margin; past the days the check
    pairs an equal amount by, another line of that amount may as well be it (README,
    Matching), so --apply does not write it (blind26: a WeChat withdrawal credited 15
    days later had no proposal, "outside the 5-day window")."""
    rest = []
    for line in lines:
        item = index.late_of.get(id(line.entry))
        amount = line.amount_for(item) if item is not None else None
        if item is None or amount != item.amount or not index.free(item) or index.refused(line, item.link):
            rest.append(line)
            continue
        score, _, days = _scored(line, item, amount, tolerance)
        pairs = item.window - PAYOUT_SLACK + transit.LATE_DAYS
        reasons = [f"amount {line.said_for(item)} equal, {days} day(s) after the payout: past its {item.window}-day "
                   f"window ({item.window_said()}) and the {pairs} days the clearing check pairs an equal credit "
                   f"within (`bank_days` + {transit.LATE_DAYS})",
                   "the clearing check's payout-missing takes it for the payout arriving late: the one credit of "
                   f"its amount booked as a {item.channel} payout since it, and no other payout of that amount "
                   f"between them; confirm it (`beanclear link {line.ref} {item.link}`)"]
        _claim(index, Proposal([line], [item], item.account, "late", score, reasons, confident=False), proposals)
    return rest


def _as_the_check_pairs(line: BankLine, scored: list) -> tuple[list, list[str]]:
    """The fuzzy candidates of a line (best first) and the reason to add, where the
    matcher cannot tell the best apart (equal scores: one amount, one day, one text) and
    the clearing check pairs one of them with this line and each other with another
    credit: that one alone, the others being those credits' (README, Matching: a payout
    the check pairs with a credit is offered to that credit only). A blind tester's two
    payouts of 500.00 on one day, credited by two lines of one text, sent both lines to
    review, each proposing the first. Where the scores differ the matcher judges by them
    (OpenItem.proposable_to: the check's first-in-first-out pairing crossed two payouts
    of one amount days apart, seed 32961)."""
    tied = [s for s in scored if s[0] == scored[0][0]]
    own = [s for s in tied if s[1].paired and s[1].open_to(line)]
    if len(tied) < 2 or len(own) != 1 or any(not s[1].paired or s[1].open_to(line) for s in tied if s is not own[0]):
        return scored, []
    return own + scored[len(tied):], [f"the clearing check pairs it with this line ({len(tied)} items of this score, "
                          "each paired with its own credit)"]


def _history(lines, history, config, index=None) -> list[Proposal]:
    """Lines like ones a person classified: same counterparty, similar memo."""
    by_payee: dict[str, list[BankLine]] = defaultdict(list)
    for past in history:
        by_payee[utils.default_process(past.entry.payee or "")].append(past)
    out = []
    for line in lines:
        if line.counter != config.suspense:
            continue
        similar = [p for p in by_payee.get(utils.default_process(line.entry.payee or ""), [])
                   if p.date < line.date and (p.amount > 0) == (line.amount > 0)
                   and fuzz.token_set_ratio(utils.default_process(p.entry.narration or ""),
                                            utils.default_process(line.entry.narration or "")) >= 60]
        if not line.entry.payee or not similar:
            continue
        votes = Counter(p.counter for p in similar if not (index and index.refused(line, p.counter)))
        if not votes:
            continue
        (account, count), *others = votes.most_common()
        confident = count >= 2 and not others
        evidence = [p.ref for p in sorted(similar, key=lambda p: p.date)[-3:]]
        out.append(Proposal([line], [], account, "history", 80.0 if confident else 60.0,
                            [f"{count} earlier line(s) of {line.entry.payee} booked to {account}: "
                             + ", ".join(evidence)], confident=confident,
                            alternatives=[a for a, _ in others]))
    return out


# -- by hand ------------------------------------------------------------------------------

class ByHand:
    """The open items a person may link each bank line to (OpenItem.may_settle), nearest
    in amount first: those the clearing check pairs with the line, then those of the
    amount sent its statement states (a credit the bank converted), then those of its
    own currency; `beanclear open-items --for` and the page's Match by hand list these.
    The items no credit is paired with are kept by currency and direction, sorted by
    amount, so that a line's nearest cost a search and a walk outwards, not a pass over
    every item (a page lists them for a hundred lines)."""

    def __init__(self, items: list[OpenItem]):
        self.free: dict[tuple, list[OpenItem]] = defaultdict(list)   # (currency, money in) -> by amount
        self.paired_with: dict[int, list[OpenItem]] = defaultdict(list)   # id(bank entry) -> its items
        for item in items:
            if item.paired:
                for entry in item.paired:
                    self.paired_with[id(entry)].append(item)
            elif item.amount:
                self.free[(item.currency, item.amount > 0)].append(item)
        for group in self.free.values():
            group.sort(key=lambda i: (i.amount, i.date, i.link))
        self.amounts = {key: [i.amount for i in group] for key, group in self.free.items()}
        # the first days of each group's payouts, sorted: how many a line's day is before
        # (OpenItem.reached_by) is a search, not a pass over every item
        self.firsts = {key: sorted(i.first_day for i in group if i.payout) for key, group in self.free.items()}

    def of(self, line: BankLine, limit: int | None = None) -> tuple[list[OpenItem], int]:
        """(the items `line` may settle, nearest in amount first, at most `limit`; how
        many there are)."""
        if not line.amount:
            return [], 0
        first = [i for i in self.paired_with.get(id(line.entry), ()) if i.may_settle(line)]
        lists = []
        day = line.date
        if line.sent is not None:
            amount, currency, accounts = line.sent
            lists.append((amount, self._nearest(currency, amount, day,
                                                lambda i: i.account in accounts and i.reached_by(day))))
        lists.append((line.amount, self._nearest(line.currency, line.amount, day)))
        out, total = list(first), len(first)
        for _, (count, found) in lists:
            total += count
            for item in found:
                if limit is not None and len(out) >= limit:
                    break
                out.append(item)
        return out[:limit] if limit is not None else out, total

    def _nearest(self, currency: str, amount: Decimal, day: dt.date, keep=None) -> tuple[int, object]:
        """(how many items of the currency and of `amount`'s direction a line of `day` may
        settle by its day (OpenItem.reached_by) and `keep` keeps, those items nearest to
        `amount` first: a generator)."""
        key = (currency, amount > 0)
        group, amounts = self.free.get(key, []), self.amounts.get(key, [])
        if keep is None:
            firsts = self.firsts.get(key, [])
            count = len(group) - (len(firsts) - bisect.bisect_right(firsts, day))
            keep = lambda i: i.reached_by(day)   # noqa: E731
        else:
            count = sum(1 for i in group if keep(i))

        def walk():
            below = bisect.bisect_left(amounts, amount) - 1
            above = below + 1
            while below >= 0 or above < len(group):
                if above >= len(group) or below >= 0 and amount - amounts[below] <= amounts[above] - amount:
                    item, below = group[below], below - 1
                else:
                    item, above = group[above], above + 1
                if keep is None or keep(item):
                    yield item
        return count, walk()


# -- applying ------------------------------------------------------------------------------

def edits_for(proposal: Proposal, config) -> list:
    """The line edits that record a confident proposal: every line and item shares the
    items' links; each bank line's counter posting moves to the proposal's account,
    with `booked-from` where its text does not say where it was (resolve/booking.py)."""
    from beanclear.books.edits import Edit
    from beanclear.resolve.booking import booked_from
    links = tuple(sorted({i.link for i in proposal.items}))
    out = []
    for line in proposal.lines:
        meta = line.entry.meta
        out.append(Edit(meta["filename"], meta["lineno"], add_links=links))
        if proposal.account != line.counter:
            counter = next(p for p in line.entry.postings if p.account == line.counter)
            out.append(Edit(counter.meta["filename"], counter.meta["lineno"],
                            account=(line.counter, proposal.account)))
            if was := booked_from(config, line):
                first = line.entry.postings[0].meta
                out.append(Edit(first["filename"], first["lineno"], meta_before=(was,)))
        out += restated(config, line, proposal.account)
    for item in proposal.items:
        entry = item.entries[0]
        out.append(Edit(entry.meta["filename"], entry.meta["lineno"], add_links=(item.link,)))
        if item.link not in entry.links:   # a link no statement gave it: said, for unlink to take it off again
            first = entry.postings[0].meta
            out.append(Edit(first["filename"], first["lineno"], meta_before=((MATCH_LINK, item.link),)))
    return out


# The link a match gave an item no statement linked (an Alipay refund to a card, taken
# for a payout): `unlink` takes it off the item too, with this line, so that link then
# unlink gives the books back byte for byte (blind23 newcomer); a link the import wrote
# stays, as the importer gave it.
MATCH_LINK = "match-link"


def restated_posting(config, line: BankLine, account: str, peer: str | None = None):
    """The counter posting a line takes booked to `account` (banking.counter_posting),
    where it is not the one it has in another currency: a credit the bank converted
    takes the amount sent from its payout's transit account, and its own amount again
    anywhere else. None where the posting's units stay (a price a person wrote is kept).
    `peer`: the other bank's account of a transfer it is booked as (stated.TRANSFER_WITH),
    which the line names once booked."""
    from beanclear.importers.stated import TRANSFER_WITH
    counter = next(p for p in line.entry.postings if p.account == line.counter)
    meta = {**line.entry.meta, TRANSFER_WITH: peer} if peer else \
        {k: v for k, v in line.entry.meta.items() if k != TRANSFER_WITH}
    if line.sent is not None and "original-amount" not in meta:   # given by hand (`link --sent`): not written
        meta["original-amount"] = f"{line.sent[0]:f} {line.sent[1]}"
    # where matching read an amount sent (BankLine.sent), the transit accounts it may be taken from pay out in it
    paid = {transit: (line.sent[1],) for transit in line.sent[2]} if line.sent is not None else None
    new = counter_posting(config, line.bank_account, account, line.amount, line.currency, meta, paid)
    if new.units == counter.units or line.currency == new.units.currency == counter.units.currency:
        return None
    return new._replace(meta=counter.meta)


def restated(config, line: BankLine, account: str, peer: str | None = None) -> list:
    """The edit that books a line's counter posting, moved to `account`, in what it takes
    there (restated_posting): none, or one."""
    from beanclear.books.edits import Edit
    from beanclear.books.render import number_text
    new = restated_posting(config, line, account, peer)
    if new is None:
        return []
    counter = next(p for p in line.entry.postings if p.account == line.counter)
    price = f" @ {number_text(new.price.number)} {new.price.currency}" if new.price is not None else ""
    return [Edit(counter.meta["filename"], counter.meta["lineno"],
                 units=(f"{counter.units.number:f} {counter.units.currency}",
                        f"{number_text(new.units.number)} {new.units.currency}{price}"))]


def text_report(proposals: list[Proposal]) -> str:
    lines = []
    for p in proposals:
        state = "confident" if p.confident else "review   "
        refs = ", ".join(l.ref for l in p.lines)
        amount = " + ".join(shown(l.amount, l.currency) for l in p.lines)
        target = " + ".join(i.link for i in p.items) or p.account
        lines.append(f"{state} {p.stage:<7} {p.score:5.1f}  bank {refs} {amount} {p.lines[0].currency} -> {target}")
        lines += [f"      {r}" for r in p.reasons]
        if p.alternatives:
            lines.append("      or: " + "; ".join(p.alternatives))
    confident = sum(p.confident for p in proposals)
    lines.append(f"{len(proposals)} proposals, {confident} confident, {len(proposals) - confident} for review")
    return "\n".join(lines)
