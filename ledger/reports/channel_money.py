"""What an entry moves of a channel's money beside its sales and refunds, as the month
report counts it (period.ChannelRow): fees, discounts, chargebacks and settled.

One rule read three ways: the month report sums it over the month (period.channel_rows),
the export's daily_channel (exports/tables.py) and the page's charts (fava_page/charts.py)
by day. Each kept a copy once, and the copies drifted: the charts counted only the bank's
credits as settled, so a payout Stripe took back from the bank (a day whose refunds
outweigh its sales) was left out of them while the report counted it against settled
(blind33: 3,946.09 charted, 3,476.58 reported), and both copies counted a payout the bank
converted in the bank's currency, the report in the one the channel paid out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data


def opening(entry) -> bool:
    """Whether an entry says what accounts held before the days it is dated in, no money
    moved then: an opening (statements/openings.py) or balances carried forward
    (periods/forward.py CARRIED_ID, "opening balances carried to …"). The month report
    brings them forward; no day's figures count them."""
    return str(entry.meta.get("id", "")).startswith("opening ")


class ChannelMoney:
    """Per posting, the channel figure it counts in (FIGURES): what moved a channel's fee
    account or one of its sub-accounts (fees: a fee given back counts against them), its
    discounts account, its chargebacks account (a dispute's amount and fee; one won back
    negative), and its transit account in an entry that moves a bank (settled, net: a
    payout's credit counts, and so does a payout the channel takes back from the bank,
    or a top-up the bank paid into it, against it; in the transit posting's currency, so
    a payout the bank converted is settled in what the channel sent)."""

    FIGURES = ("fees", "discounts", "chargebacks", "settled")

    def __init__(self, config):
        self.channels = list(config.channels.items())
        self.banks = frozenset(b.account for b in config.banks.values())
        self._counted: dict[str, tuple[tuple[str, str], ...]] = {}

    def _figures(self, account: str) -> tuple[tuple[str, str], ...]:
        """(channel, figure) of each channel an account counts for (a fee account two
        channels share is each one's)."""
        found = self._counted.get(account)
        if found is None:
            out = []
            for name, ch in self.channels:
                if ch.accounts.is_fee(account):
                    out.append((name, "fees"))
                elif account == ch.accounts.discounts:
                    out.append((name, "discounts"))
                elif account == ch.accounts.chargebacks:
                    out.append((name, "chargebacks"))
                elif account == ch.accounts.transit:
                    out.append((name, "settled"))
            found = self._counted[account] = tuple(out)
        return found

    def of(self, entry: data.Transaction):
        """(channel, currency, figure, amount) of each posting of the entry a figure counts."""
        at_bank = None
        for p in entry.postings:
            for name, figure in self._figures(p.account):
                if figure != "settled":
                    yield name, p.units.currency, figure, p.units.number
                    continue
                if at_bank is None:
                    at_bank = any(q.account in self.banks for q in entry.postings)
                if at_bank:   # money into transit from the bank is money settled back
                    yield name, p.units.currency, figure, -p.units.number


def _by_day() -> dict:
    return defaultdict(Decimal)


@dataclass
class Moved:
    """Per day, of one channel's money in one currency, each figure of ChannelMoney."""

    fees: dict = field(default_factory=_by_day)
    discounts: dict = field(default_factory=_by_day)
    chargebacks: dict = field(default_factory=_by_day)
    settled: dict = field(default_factory=_by_day)


def daily(entries, config, into: dict | None = None) -> dict:
    """Per (channel, currency), a Moved of the transactions' ChannelMoney by their day,
    but for an opening's (opening). `into`: a defaultdict of Moved (or a kind of it) to
    fill, else a new one."""
    days = defaultdict(Moved) if into is None else into
    money = ChannelMoney(config)
    for entry in entries:
        if isinstance(entry, data.Transaction) and not opening(entry):
            for name, currency, figure, amount in money.of(entry):
                getattr(days[(name, currency)], figure)[entry.date] += amount
    return days
