"""What the checks read of the books' postings to the accounts they watch: an Item per
posting (the clearing, transit, suspense and transfers accounts' postings, indexed once
per load by postings_by_account), the statement ids of entries as a finding names them
(refs), and what an entry posts to one account (posted). The clearing check
(clearing.py), the transit check (transit.py) and the others read them from here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from operator import attrgetter

from beancount.core import data

# bank-ref: FITID, MT940 reference; trade-id: the channel's transaction id where its fund
# view booked the money by its own row id (Alipay's 账务明细): a finding names it either way;
# conversion-id: the conversion whose legs an entry books (Airwallex's `source_id`, the id
# its console shows: `ack fx-gap conv_1` was refused, its finding naming only the legs)
REF_KEYS = ("id", "trade-id", "order-id", "payout-id", "refund-of", "refund-id", "bank-ref", "conversion-id",
            "source-id")   # (Stripe's charge, refund or dispute id: `ch_…`, the id its dashboard shows)
# The metadata of a write-off entry (checks/write_offs.py): the checks that group an
# account's postings (a payout's in transit and clearing, an order's in the receivable)
# measure a difference without them, and a group comes back to zero with them.
WRITE_OFF = "write-off"


def written_off(item) -> bool:
    """Whether an Item is a write-off's posting, not a statement's."""
    return WRITE_OFF in item.entry.meta


class Item:
    """One posting to a watched account. A plain class with slots: the books of a
    million orders make a million of these, and the checks read every field often."""

    __slots__ = ("entry", "amount", "currency", "date", "order", "payout", "order_link")

    def __init__(self, entry: data.Transaction, amount: Decimal, currency: str):
        self.entry, self.amount, self.currency = entry, amount, currency
        meta = entry.meta
        self.date: dt.date = entry.date
        self.order: tuple = (self.date, meta.get("time", ""), meta.get("id", ""))
        links = entry.links
        self.payout: str | None = None
        self.order_link: str | None = None   # order_key: the clearing check's FIFO asks it of most items
        if links:   # most entries have one link or none: no list, no min() for them
            if len(links) == 1:
                (link,) = links
                if link.startswith("payout-"):
                    self.payout = link
                elif link.startswith("order-"):
                    self.order_link = link
            else:
                payouts = [l for l in links if l.startswith("payout-")]
                if payouts:
                    self.payout = payouts[0] if len(payouts) == 1 else min(payouts)
                self.order_link = order_key(links)

    def __repr__(self) -> str:
        return f"Item({self.order}, {self.amount} {self.currency})"


class Rest(Item):
    """What a payout takes beyond the items that name it (`amount`, negative), from the
    money first in; `paid`: the whole payout, for what a finding says of it."""

    __slots__ = ("paid",)

    def __init__(self, payout: Item, amount: Decimal, paid: Decimal):
        super().__init__(payout.entry, amount, payout.currency)
        self.paid = paid


def order_key(links) -> str | None:
    """The order an entry belongs to: its `^order-…` link (the first in order, should it
    have several, so the answer never depends on a set's order). The order check groups
    a receivable by it; a refund in clearing takes back its own payment's money by it."""
    key = None
    for link in links:
        if link.startswith("order-") and (key is None or link < key):
            key = link
    return key


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
    """Per account of `accounts`, an Item for each of the entries' postings to it, in order."""
    return indexed([(entry, p) for entry in entries if isinstance(entry, data.Transaction)
                    for p in entry.postings if p.account in accounts])


def indexed(postings) -> dict[str, list[Item]]:
    """postings_by_account of (entry, posting) pairs already picked (reconcile.Walk picks
    them in its one pass over the entries)."""
    out: dict[str, list[Item]] = defaultdict(list)
    for entry, p in postings:
        units = p.units
        out[p.account].append(Item(entry, units.number, units.currency))
    for items in out.values():
        items.sort(key=_in_order)
    return out


_in_order = attrgetter("order")   # an Item's sort key


def posted(entry, account: str, currency: str | None = None) -> Decimal:
    """What an entry posts to one account (its postings there, summed), in `currency`
    where given: an entry may post to it in two (a person's conversion of a payout in
    transit, README "Closing by hand"), whose numbers are no one sum."""
    return sum((p.units.number for p in entry.postings if p.account == account
                and (currency is None or p.units.currency == currency)), Decimal(0))


def _money(x: Decimal) -> str:
    return f"{x:,.2f}" if x == x.quantize(Decimal("0.01")) else f"{x:,f}"
