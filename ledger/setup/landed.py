"""The currency of a bank whose statement does not state it (a bank CSV), from the
payouts its credits are: a credit of a payout's amount whose text names the payout, or
the channel's payout memo within days of it, is that payout in its currency. The
channel's own currency says nothing of it where the channel pays out in several (a
Stripe account of EUR and one of GBP: blind26 locales, a GBP bank booked in EUR)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import NamedTuple

from beanclear.checks.transit import named_id, text_words


class Credit(NamedTuple):
    """Money into a bank, as its statement writes it."""

    day: dt.date
    amount: Decimal
    payee: str
    memo: str

    @property
    def text(self) -> str:
        return " ".join(filter(None, (self.payee, self.memo)))


class Payout(NamedTuple):
    """Money a channel sent out to a bank (into its transit account)."""

    day: dt.date
    amount: Decimal
    currency: str | None   # None where neither the statement nor the type says it
    ids: tuple[str, ...]


# A credit that names no payout is one of a payout of its amount in the channel's memo
# only this many days after it (a bank takes days; a payout weeks before is another's).
DAYS_AFTER = 14


class Landed(NamedTuple):
    """A bank's currency as its credits show it (None: not decided), and why, as the
    comment init writes beside it."""

    currency: str | None
    why: str


def landed(credits: list[Credit], channels: list[tuple[str, re.Pattern, list[Payout], list[str]]]) -> Landed:
    """The currency of a bank of `credits`, given each channel's (name, payout memo,
    payouts, the currencies it books): that of the payouts its credits are, where they
    agree; else, with no credit a payout's amount, that of the one-currency channels whose
    memo its credits show, where they agree; else None, saying what was seen."""
    paid = Counter(_paid_in(credits, channels))
    if len(paid) == 1:
        (currency, count), = paid.items()
        return Landed(currency, f"found: the currency of the payouts its credits are ({count} of them); check it")
    if paid:
        seen = " and ".join(f"{c} ({n})" for c, n in sorted(paid.items()))
        return Landed(None, f"its credits are payouts in {seen}")
    named = [(name, currencies) for name, memo, _, currencies in channels
             if any(memo.search(credit.text) for credit in credits)]
    found = {c for _, currencies in named for c in currencies}
    names = ", ".join(name for name, _ in named)
    pays, it = ("pays", "it") if len(named) == 1 else ("pay", "them")
    if len(found) == 1:
        currency = found.pop()
        return Landed(currency, f"guessed: {names} {pays} out in {currency} only and its lines name {it}, though "
                                "none is a payout's amount; check it")
    if found:
        return Landed(None, f"{names} {pays} out in {' and '.join(sorted(found))}, and none of its lines is a "
                            "payout's amount")
    return Landed(None, "")


def _paid_in(credits: list[Credit], channels) -> list[str]:
    """The currency of each credit that is one payout, or payouts of one currency."""
    by_amount: dict[Decimal, list[tuple[re.Pattern, Payout]]] = defaultdict(list)
    for _, memo, payouts, _ in channels:
        for payout in payouts:
            by_amount[payout.amount].append((memo, payout))
    out = []
    for credit in credits:
        same = by_amount.get(credit.amount)
        if not same:
            continue
        words = text_words(credit.text)
        currencies = {p.currency for _, p in same if named_id(p.ids, words)} or {
            p.currency for memo, p in same
            if memo.search(credit.text) and -1 <= (credit.day - p.day).days <= DAYS_AFTER}
        if len(currencies) == 1 and None not in currencies:
            out.append(currencies.pop())
    return out
