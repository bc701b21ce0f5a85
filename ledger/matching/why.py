"""Why `beanclear match` proposed nothing for a bank line nothing explains.

Every open bank line gets either a proposal or reasons here, so neither the command nor
the page ever says "nothing to match" while lines are unexplained. The reasons are
what a person checks next: no open item of that amount; items of that amount outside
the date window (with their dates); the only fitting item taken by another line, or
turned down before, or a payout that reached the bank as another line (the clearing
check pairs them: OpenItem.paired); no earlier line of the same payee booked by hand.
The nearest open item is one the line may settle: in transit to its bank (or to any, an
order, a bill), or paired with it; of the line's sign, and, unless paired with it, within
NEAR of its amount.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from beanclear.checks import acks
from beanclear.checks.transit import named_in_any_case
from beanclear.importers.toolkit.places import shown
from beanclear.matching.core import BankLine, _tokens, collect

# The nearest open item is named only within this fraction of the larger of its amount and
# the line's: a credit the bank shorted by its fee, not any item at all (a blind tester's
# 1,250.00 USD wire was told of an order of 39.00, a -312.00 CNY debit of a bill of -388.00).
NEAR = Decimal("0.1")


@dataclass
class Unproposed:
    line: BankLine
    reasons: list[str]

    def to_json(self) -> dict:
        line = self.line
        return {"bank_ref": line.ref, "date": line.date.isoformat(), "amount": f"{line.amount:f}",
                "currency": line.currency, "account": line.bank_account, "booked_to": line.counter,
                "text": line.text, "reasons": self.reasons}

    def text(self) -> str:
        line = self.line
        return (f"no proposal   bank {line.ref} {line.date} {shown(line.amount, line.currency)} {line.currency} "
                f"{line.text}\n"
                + "\n".join(f"      {r}" for r in self.reasons))


def unproposed(entries, config, proposals, load=None, gathered=None) -> list[Unproposed]:
    """The open bank lines no proposal names, each with why, in date order. `load`: the
    checks' reconcile.Load of these books (collect); `gathered`: what the matcher
    gathered from them (core.gather), where taken already."""
    lines, items, history = collect(entries, config, load, gathered)
    proposed = {l.ref for p in proposals for l in p.lines}
    taken = {i.link: p for p in proposals if p.confident for i in p.items}
    rejected = acks.rejected_in(entries)
    tolerance = config.match.tolerance
    payees = {(h.entry.payee or "").strip().lower() for h in history}
    found = _Items(items, _landing(config))
    transit = {ch.accounts.transit for ch in config.channels.values()}
    shapes = None   # transit account -> the shapes of its payouts' ids (_payout_shapes), made when first asked
    out = []
    for line in sorted(lines, key=lambda l: (l.date, l.ref)):
        if line.ref in proposed:
            continue
        same = found.near(line.currency, line.amount, tolerance)
        if line.sent is not None:   # a credit the bank converted: the payouts of the amount sent too
            same += [i for i in found.near(line.sent[1], line.sent[0], tolerance) if i.account in line.sent[2]]
        if line.counter in transit and any(len(i.paired) == 1 and i.paired[0] is line.entry for i in same):
            # the clearing check pairs it with a payout of its amount: explained, not open,
            # though its proposal to link them was turned down (blind28: match said "book or
            # link" a line `book` refused, naming match)
            continue
        reasons = []
        named = [i for i in found.named(line) if line.amount_for(i) is not None and i not in same]
        for item in found.named(line):
            if line.amount_for(item) is None and item.account in transit and line.amount > 0:
                # (and how a person gives the amount sent, where the statement is silent: blind33 eubank)
                give = "" if "original-amount" in line.entry.meta else \
                    f" (`beanclear link {line.ref} {item.link} --sent {item.amount:f} {item.currency}` if it was " \
                    "sent whole)"
                reasons.append(f"the text names {item.link} of {item.amount:f} {item.currency}, another currency than "
                               f"the line's {line.currency}: a credit the bank converted is matched to its payout by "
                               f"the amount sent its statement states, and this one states none in {item.currency}"
                               + give)
        for item in named:
            if line.amount < 0 < item.amount and item.account in transit and line.counter in transit:
                # a bank debit naming a payout: the bank's return of its credit, which the
                # channel's reversal of the payout answers in transit, as a top-up (a blind
                # tester's "RETURN OF CREDIT … po_…" was told the payout reached the bank
                # as Stripe's reversal, a "bank line")
                said = f", {item.fate()}" if item.paired else ""
                reasons.append(f"the text names {item.link} of {item.amount:f} {item.currency}{said}: a debit back "
                               f"of it is the bank's return, which {item.channel}'s reversal of the payout answers "
                               "(`beanclear check` lists it bank-unmatched where none does); nothing to link")
                continue
            if not item.open_to(line):
                reasons.append(f"the text names {item.link} of {item.amount:f} {item.currency}, {item.fate()}: "
                               "the clearing check pairs them")
                continue
            others = item.made_with(line)
            if others:   # the bank credited it in parts: what `beanclear link` says of it
                reasons.append(f"the text names {item.link} of {item.amount:f} {item.currency}; the clearing check "
                               f"pairs {item.arrived(others)} with it too: together they make it (`beanclear link` each "
                               "of them to it)")
                continue
            reasons.append(f"the text names {item.link} of {item.amount:f} {item.currency}, but the amounts differ "
                           f"by {abs(item.amount - line.amount_for(item)):f}: link it by hand and write off the "
                           "difference")
        if not same and not named:
            kind = "payout, order or bill" if line.amount > 0 else "bill or refund"
            sent = f" or of {line.sent[0]:f} {line.sent[1]} sent" if line.sent is not None else ""
            reasons.append(f"no open {kind} of {line.amount:f} {line.currency}{sent} (within {tolerance:f})")
            near = found.nearest(line)
            for i in near:
                reasons.append(f"nearest open item: {i.link} {i.amount:f} {i.currency} of {i.date} ({i.channel})")
        if not named and line.amount > 0 and line.counter in transit:   # booked as a payout: one the books lack?
            shapes = _payout_shapes(entries, transit) if shapes is None else shapes
            reasons += _unknown_payout(line, config, *shapes)
        for item in sorted(same, key=lambda i: (i.date, i.link)):
            if not item.open_to(line):
                reasons.append(f"{item.link} of the same amount {item.fate().removeprefix('which ')}: "
                               "the clearing check pairs them")
            elif (line.ref, item.link) in rejected:
                reasons.append(f"{item.link} was turned down for this line before (beanclear-reject)")
            elif item.link in taken:
                other = ", ".join(l.ref for l in taken[item.link].lines)
                reasons.append(f"{item.link} of the same amount is proposed for bank line {other}")
            elif not item.early and line.date == item.date - dt.timedelta(days=1):
                left = f"{item.date} at {item.entries[0].meta.get('time')}"
                reasons.append(f"{item.link} of the same amount left on {left}, after the line's day "
                               f"{line.date} had ended at every bank")
            elif not item.of_its_days(line):
                reasons.append(f"{item.link} of the same amount is dated {item.date}, outside the "
                               f"{item.window}-day window ({item.window_said()}) of a line of {line.date}")
            else:
                reasons.append(f"{item.link} of the same amount scored too low to propose")
        if line.counter == config.suspense:
            payee = (line.entry.payee or "").strip()
            if not payee:
                reasons.append("the line names no payee, so no earlier booking can suggest an account")
            elif payee.lower() not in payees:
                reasons.append(f"no earlier line of {payee} was booked to an account")
            else:
                reasons.append(f"earlier lines of {payee} differ in memo or direction")
            if not any(r.pattern.search(line.text) for r in config.rules):
                reasons.append("no rule of config.yaml matches its text (book it with --rule to add one)")
        out.append(Unproposed(line, reasons))
    return out


def _shape(word: str) -> tuple | None:
    """What an id looks like, as a channel writes its payouts' ids: its length and its
    letters before the first digit (`po_` of Stripe's `po_1Px…`; none of WeChat's 28
    digits); None for a word too short, or without a digit, to be an id."""
    if len(word) < 8 or not any(c.isdigit() for c in word):
        return None
    head = next((n for n, c in enumerate(word) if c.isdigit()), len(word))
    return len(word), word[:head].lower()


def _payout_shapes(entries, transit: set[str]) -> tuple[dict[str, set], set[str]]:
    """(transit account -> the shapes of the ids of the payouts the books hold into it,
    every payout id the books hold, and case-folded, those a bank may write in capitals):
    the payout ids are their `^payout-…` links."""
    shapes: dict[str, set] = defaultdict(set)
    known: set[str] = set()
    from beancount.core import data
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        ids = [link[len("payout-"):] for link in entry.links if link.startswith("payout-")]
        if not ids:
            continue
        known.update(ids)
        known.update(i.casefold() for i in ids if named_in_any_case(i))   # (a bank's capitals name it too)
        for p in entry.postings:
            if p.account in transit and p.units.number > 0:
                shapes[p.account].update(filter(None, map(_shape, ids)))
    return shapes, known


def _unknown_payout(line: BankLine, config, shapes: dict[str, set], known: set[str]) -> list[str]:
    """A credit booked as a channel's payout whose text names an id shaped as that
    channel's payout ids, which no entry of the books holds: the payout of a statement
    not imported (blind9: a day's WeChat bills left out, its withdrawal's credit named it)."""
    mine = shapes.get(line.counter)
    if not mine:
        return []
    name = next(n for n, ch in config.channels.items() if ch.accounts.transit == line.counter)
    return [f"the text names {word}, shaped as a {name} payout id, but no statement in the books holds that payout: "
            f"the statement of its day may not be imported (`beanclear check` names the days none covers)"
            for word in sorted(_tokens(line)) if word not in known and word.casefold() not in known
            and _shape(word) in mine][:1]


def _landing(config) -> dict[str, tuple[str, ...]]:
    """Transit account -> the bank accounts its channel's payouts land in (`bank:`), of
    the channels that name their banks: a payout may settle a line of those only."""
    banks = {name: bank.account for name, bank in config.banks.items()}
    return {ch.accounts.transit: tuple(banks[b] for b in ch.payout_banks if b in banks)
            for ch in config.channels.values() if any(b in banks for b in ch.payout_banks)}


class _Items:
    """The open items by amount and by the ids they may be quoted by, so that each line's
    reasons cost a few lookups, not a pass over every item (lines x items: hours at
    100,000 lines and 1,000,000 items). Each answer lists items in `items` order, as
    the passes over the whole list did. The payouts the clearing check pairs with a
    credit are listed by their amount and ids (a line of the amount, or naming one, is
    told where it went); by the nearest amount only for the credit they are paired with.
    `landing`: _landing's, for the items in transit that may reach a line's bank."""

    def __init__(self, items, landing: dict[str, tuple[str, ...]] | None = None):
        self.order = {id(i): n for n, i in enumerate(items)}
        self.by_currency: dict[str, list] = defaultdict(list)
        self.by_id: dict[str, list] = defaultdict(list)
        self._folded: dict[str, list] | None = None   # by_folded(): made when a line first asks
        self.paired_with: dict[int, list] = defaultdict(list)   # id(credit entry) -> the payouts paired with it
        for item in items:
            self.by_currency[item.currency].append(item)
            for x in set(item.ids):
                if len(x) >= 4:
                    self.by_id[x].append(item)
            for entry in item.paired:
                self.paired_with[id(entry)].append(item)
        for group in self.by_currency.values():
            group.sort(key=attrgetter("amount"))
        self.amounts = {c: [i.amount for i in g] for c, g in self.by_currency.items()}
        # in transit, by amount and where they may reach the bank: (currency, bank
        # account) for the payouts of a channel that names its banks, (currency, None)
        # for the rest (orders, bills, payouts of a channel of no bank)
        landing = landing or {}
        reaching: dict[tuple, list] = defaultdict(list)
        for currency, group in self.by_currency.items():
            for item in group:
                if not item.paired:
                    for account in landing.get(item.account, (None,)):
                        reaching[(currency, account)].append(item)
        self.reaching = {key: ([i.amount for i in group], group) for key, group in reaching.items()}

    def _between(self, currency, low, high) -> list:
        amounts = self.amounts.get(currency, [])
        found = self.by_currency.get(currency, [])[bisect.bisect_left(amounts, low):bisect.bisect_right(amounts, high)]
        return sorted(found, key=lambda i: self.order[id(i)])

    def near(self, currency, amount, tolerance) -> list:
        """Items whose amount is within tolerance of `amount`."""
        return self._between(currency, amount - tolerance, amount + tolerance)

    def named(self, line) -> list:
        """Items one of whose own ids (4 characters or more; OpenItem.names_itself: not
        an order's payout id) is a word of the line's text."""
        hits = {id(i): i for x in _tokens(line) for i in self.by_id.get(x, ()) if i.names_itself(x)}
        if not hits:   # as the checks read it: `PO_1PX…` in a bank's capitals names Stripe's `po_1Px…`
            folded = self.by_folded()
            hits = {id(i): i for x in _tokens(line) for i, own in folded.get(x.casefold(), ())
                    if i.names_itself(own)}
        return sorted(hits.values(), key=lambda i: self.order[id(i)])

    def by_folded(self) -> dict[str, list]:
        """Case-folded id -> (item, its id) of the ids a bank may write in capitals
        (transit.named_in_any_case): made once, when a line first names no item exactly."""
        if self._folded is None:
            self._folded = defaultdict(list)
            for ref, items in self.by_id.items():
                if named_in_any_case(ref):
                    for item in items:
                        self._folded[ref.casefold()].append((item, ref))
        return self._folded

    def nearest(self, line) -> list:
        """The item open to the line (OpenItem.open_to) of its sign closest in amount
        (then earliest, then by link): of those paired with it, and those in transit that
        may reach its bank (orders, bills, the payouts of the channels paying out to it,
        or of a channel that names no bank): a blind tester's Chase line saying STRIPE was
        told of an Airwallex payout that lands at HSBC. Those not paired with it are named
        only within NEAR of its amount (the clearing check's pairing says they belong
        together, whatever the difference), and a payout only where it left by the line's
        day (OpenItem.reached_by, as `link` takes it: blind17 was told of a payout two days
        after its credit, which `link` then refused)."""
        currency, amount = line.currency, line.amount
        if not amount:
            return []
        close = [i for i in self.paired_with.get(id(line.entry), ())
                 if i.currency == currency and i.amount * amount > 0]
        close += [i for i in _closest(self.reaching.get((currency, line.bank_account)), amount)
                  + _closest(self.reaching.get((currency, None)), amount)
                  if abs(i.amount - amount) <= NEAR * max(abs(i.amount), abs(amount)) and i.reached_by(line.date)]
        if not close:
            return []
        gap = min(abs(i.amount - amount) for i in close)
        return sorted((i for i in close if abs(i.amount - amount) == gap),
                      key=lambda i: (i.date, i.link, self.order[id(i)]))[:1]


def _closest(listed: tuple[list, list] | None, amount: Decimal) -> list:
    """Of (amounts, items) by amount, the items of the line's sign closest to `amount`:
    a slice of the amounts in order."""
    if not listed:
        return []
    amounts, items = listed
    if amount > 0:
        lo, hi = bisect.bisect_right(amounts, 0), len(amounts)
    else:
        lo, hi = 0, bisect.bisect_left(amounts, 0)
    at = bisect.bisect_left(amounts, amount, lo, hi)
    gaps = [abs(amounts[n] - amount) for n in (at - 1, at) if lo <= n < hi]
    if not gaps:
        return []
    gap = min(gaps)
    found = []
    for a in (amount - gap, amount + gap):   # amount - gap may lie across zero
        found += items[bisect.bisect_left(amounts, a, lo, hi):bisect.bisect_right(amounts, a, lo, hi)]
    return found


def total(lines: list[Unproposed]) -> Decimal:
    return sum((abs(u.line.amount) for u in lines), Decimal(0))
