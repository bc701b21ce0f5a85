"""Transfers between the merchant's own bank accounts: both sides must show, once.

A bank line a rule or `beanclear book` explains by another bank's account is booked into
the transfers account (`transfers:`, default `Assets:Transit:Transfers`; importers/
banking.py booked_as), naming that bank's account (`transfer-with:`); the other bank's
statement books its own side there. The two sides are a payout and its credit as the
transit check pairs them: the same currency and amount (a transfer the bank converted,
in the amount its statement states was sent: banking.sent_units), at most
TRANSFER_DAYS apart, each of the bank the other names; or the amount the sending bank's
debit states it instructed in the currency of the bank it names (`original-amount`: a CAMT
debit's `InstdAmt`, a bank CSV's `original_debit`), the receiving bank's credit being
that amount (Side.stated: the conversion is the sending bank's, its debit the one line
that says so, as a credit stating the amount sent is where the receiving bank converted).
Paired, the account is back to zero (or, converted, holds the two sides of one
conversion) and nothing is said:

    2026-01-23 main     Assets:Transit:Transfers   1000.00 EUR   ; UMBUCHUNG AUF DE44…
    2026-01-23 payroll  Assets:Transit:Transfers  -1000.00 EUR   ; UMBUCHUNG VON DE89…

A side the other bank's statements do not show, once they cover the days it would be
in, is one `bank-unmatched` on the line that shows (the money left one account and never
reached the other, or reached one and never left the other), as a channel's top-up and
the bank's debit that answers it are: money between two accounts of the merchant's
that one side alone shows. Until the other bank's statements cover those days it waits,
and where they end early that is their `statement-gap` (gaps.findings: `waiting`); a
side from before the other bank's first statement (its money is in that statement's
opening) or in a hole between its statements (the hole's statement-gap) is not judged.
A line booked to the transfers account itself, or by a rule that finds both sides'
texts (its own bank's account), names no bank: any other bank answers it, and all of
them whose statements are in the books judge it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import Item, _money, refs
from beanclear.importers.stated import TRANSFER_WITH, stated_amount
from beanclear.statements.coverage import DAY, QUIET_DAYS, Coverage

TRANSFER_DAYS = 5   # a transfer between own accounts reaches the other bank within a working week


class Side:
    """One bank line in the transfers account: `amount` positive where money left its
    bank (`bank`, its name; `account`, its account), negative where it came in; `peer`:
    the account of the bank it names (None: any other); `stated`: (currency, amount) a
    debit states it instructed in another bank's currency (instructed), else None."""

    __slots__ = ("item", "bank", "account", "peer", "stated")

    def __init__(self, item: Item, bank: str | None, account: str | None, peer: str | None,
                 stated: tuple[str, Decimal] | None = None):
        self.item, self.bank, self.account, self.peer = item, bank, account, peer
        self.stated = stated

    def amounts(self) -> list[tuple[str, Decimal]]:
        """What the other side of its transfer may be, (currency, amount): its own amount,
        and for a debit the amount it states it instructed in the other bank's currency."""
        own = (self.item.currency, abs(self.item.amount))
        return [own, self.stated] if self.stated else [own]

    def answers(self, other: "Side") -> bool:
        """Whether two sides can be one transfer: of two banks, each the one the other names."""
        return self.account != other.account and self.peer in (None, other.account) \
            and other.peer in (None, self.account)


def instructed(config, item: Item, account: str | None, peer: str | None) -> tuple[str, Decimal] | None:
    """(currency, amount) a debit into the transfers account states it instructed in
    another currency (`original-amount`: a CAMT debit's `InstdAmt`, a bank CSV's
    `original_debit` and `original_currency`), where that is the currency of the bank it
    names (naming none, of another bank): what that bank's credit of the transfer is, the
    sending bank having converted it (blind24 ownbanks: 10,000.00 USD stating 71,000.00 CNY
    instructed, the CNY bank's credit of 71,000.00 CNY). The receiving bank's credit
    stating the amount sent is booked in that amount (banking.sent_units) and pairs by its
    own; a credit states nothing here. None otherwise."""
    if item.amount <= 0:
        return None
    said = stated_amount(item.entry.meta.get("original-amount"))
    if said is None or not said[0] or said[1] == item.currency:
        return None
    if not any(bank.currency == said[1] and bank.account != account and peer in (None, bank.account)
               for bank in config.banks.values()):
        return None
    return said[1], said[0]


def sides(items: list[Item], config) -> list[Side]:
    """The transfers account's postings as Sides, in the books' order."""
    bank_of = {bank.account: name for name, bank in config.banks.items()}
    out = []
    for item in items:
        account = next((p.account for p in item.entry.postings if p.account in bank_of), None)
        peer = item.entry.meta.get(TRANSFER_WITH)
        peer = str(peer) if peer else None
        out.append(Side(item, bank_of.get(account), account, peer, instructed(config, item, account, peer)))
    return out


def pairs(found: list[Side]) -> dict[int, Side]:
    """Each side's other side (by its Item's id), both ways: money out of one bank (in date
    order) takes the nearest in time of the money into another of its amount and
    currency, or of the amount it states it instructed in another (Side.amounts), at
    most TRANSFER_DAYS either way (a bank may date a credit the day before the other
    dates the debit)."""
    into: dict[tuple, list[Side]] = defaultdict(list)
    for side in found:
        if side.item.amount < 0:
            into[(side.item.currency, -side.item.amount)].append(side)
    span = dt.timedelta(days=TRANSFER_DAYS)
    out: dict[int, Side] = {}
    for side in found:
        item = side.item
        if item.amount <= 0:
            continue
        near = [other for key in side.amounts() for other in into.get(key, ())
                if id(other.item) not in out and abs(other.item.date - item.date) <= span and side.answers(other)]
        if near:
            other = min(near, key=lambda o: (abs((o.item.date - item.date).days), o.item.order))
            out[id(item)], out[id(other.item)] = other, side
    return out


def _covers(cover: Coverage, bank: str, side: Side, as_of: dt.date) -> str:
    """Whether the statements of `bank` judge a side now: `judge`, `wait` (they do not
    reach the days its other side may be in yet), `before` (those days begin before them),
    `hole` (a hole between them falls in those days)."""
    day = side.item.date
    # money that left is in the other bank on or after its day, money that came in before
    first, last = (day - DAY, day + DAY * TRANSFER_DAYS) if side.item.amount > 0 else \
        (day - DAY * TRANSFER_DAYS, day + DAY)
    if not cover.recorded:
        return "judge" if as_of >= last else "wait"
    start, end = cover.start(bank), cover.end(bank)
    if start is None:
        return "wait"
    if first < start:
        return "before"
    if any(a <= last and first <= b for a, b in cover.holes(bank)):
        return "hole"
    return "judge" if end >= last else "wait"


def findings(items: list[Item], config, as_of: dt.date, cover: Coverage, waiting: dict) -> list[Finding]:
    """bank-unmatched for each side of a transfer whose other side the other bank's
    statements do not show; what waits for a bank's statements, to `waiting` (bank ->
    [(the bank of the side, Item)]: its statement-gap, gaps.findings)."""
    found = sides(items, config)
    paired = pairs(found)
    out = []
    for side in found:
        if id(side.item) in paired or side.bank is None or "id" not in side.item.entry.meta:
            continue   # (a person's own entry on the account: not a line to judge)
        others = [name for name, bank in sorted(config.banks.items())
                  if bank.account == side.peer or side.peer is None and name != side.bank]
        if side.peer is None and cover.recorded:   # (naming none: the banks whose statements are in the books)
            others = [name for name in others if cover.start(name)] or others
        judged = {name: _covers(cover, name, side, as_of) for name in others}
        if all(j == "judge" for j in judged.values()):
            out.append(_unanswered(side, others, config, cover))
            continue
        if any(j in ("before", "hole") for j in judged.values()):
            continue
        own_end = cover.end(side.bank) or as_of
        for name, j in judged.items():
            # the other bank's statements end before its own, past the days it takes
            if j == "wait" and (own_end - side.item.date).days > TRANSFER_DAYS and \
                    (cover.end(name) is None or (own_end - cover.end(name)).days > QUIET_DAYS):
                waiting.setdefault(name, []).append((side.bank, side.item))
    return out


def _unanswered(side: Side, others: list[str], config, cover: Coverage) -> Finding:
    item, entry = side.item, side.item.entry
    out = item.amount > 0
    amount = abs(item.amount)
    text = " ".join(t for t in (entry.payee, entry.narration) if t)
    if side.peer:
        name = others[0] if others else side.peer
        what = f"a transfer {'to' if out else 'from'} {name} ({side.peer})"
    else:
        what = f"a transfer between own accounts ({config.transfers})"
    # (what the other bank's credit would be, where the debit states it: its amount instructed)
    instructed_said = f" ({_money(side.stated[1])} {side.stated[0]} instructed)" if side.stated else ""
    if not others:
        why = "config.yaml names no other bank to answer it"
    else:
        spans = ", ".join(f"{n} ({cover.start(n)} to {cover.end(n)})" if cover.recorded else n for n in others)
        why = f"no line of the statements of {spans} shows it {'arrive' if out else 'leave'} within {TRANSFER_DAYS} days"
    return Finding(
        "bank-unmatched", item.date, side.bank, config.transfers, amount, item.currency,
        f"bank {'debit' if out else 'credit'} of {_money(amount)} {item.currency}{instructed_said} booked as {what}, "
        f"but {why}: "
        f"{text} (if it was no transfer, `beanclear book {entry.meta['id']} ACCOUNT` books it where it belongs)",
        refs([entry]), **at_entry(entry))


def partner(entries, config, entry):
    """The entry of the other side of the transfer `entry` is a side of, as the check
    pairs them, or None (`book` refuses to move a side the other bank shows)."""
    from beanclear.checks.items import postings_by_account
    found = sides(postings_by_account(entries, {config.transfers}).get(config.transfers, []), config)
    paired = pairs(found)
    mine = next((side for side in found if side.item.entry is entry), None)
    other = paired.get(id(mine.item)) if mine is not None else None
    return other.item.entry if other is not None else None


def side_said(entries, config, entry, ref: str) -> tuple[str, bool]:
    """What a bank line booked into the transfers account is, in the resolve commands'
    words (`book` refuses to move a side the check pairs; `link` and `open-items --for`
    find no open item of either): the other side the check pairs it with (partner), or
    none, its bank-unmatched (or waiting for the other bank's statement), which `book`
    moves where it was no transfer. One reading, the check's, for all three (blind24:
    `book` said the check paired a side whose finding said it did not). (the words, paired)"""
    other = partner(entries, config, entry)
    if other is not None:
        return (f"bank line {ref} is one side of a transfer between own accounts, whose other side, bank line "
                f"{other.meta.get('id')} of {other.date}, the check pairs with it"), True
    return (f"bank line {ref} is booked as a side of a transfer between own accounts ({config.transfers}) that the "
            "check pairs with no line of the other bank's"), False

