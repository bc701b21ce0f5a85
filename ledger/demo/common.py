"""What every generated source of the demo shares: the quarter, money, days, and the
record of a problem put in on purpose."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
CENT, ZERO = Decimal("0.01"), Decimal("0.00")


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def days(first: dt.date = START, last: dt.date = END) -> list[dt.date]:
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]



def wechat_line(cells: Iterable[str]) -> str:
    cells = list(cells)
    if any("," in c or "\n" in c for c in cells):
        raise ValueError(f"a cell with a comma or newline: {cells}")
    return ",".join("`" + c for c in cells) + "\n"



@dataclass
class Problem:
    """A problem the demo put into the statements on purpose, and the ids it involves."""

    code: str
    date: dt.date
    ids: tuple[str, ...]
    what: str


@dataclass
class Quarter:
    trades: list[Trade] = field(default_factory=list)
    fund: list[tuple] = field(default_factory=list)     # (time, business id, flow id, kind, amount, after, memo, voucher)
    payouts: list[tuple] = field(default_factory=list)  # (date, payout id, amount)
    bank: list[tuple] = field(default_factory=list)     # (date, ref, payee, memo, amount, balance after)
    problems: list[Problem] = field(default_factory=list)
    # The shop's side, where it differs from the payments (shop.py):
    unpaid: list = field(default_factory=list)            # trades of orders nobody paid
    unexported: set[int] = field(default_factory=set)     # order numbers the export lacks
    extra_items: dict[int, tuple] = field(default_factory=dict)   # a line item the payment lacks
    shop_refunds: dict[int, Decimal] = field(default_factory=dict)  # refunds only the shop made
    touched: set[int] = field(default_factory=set)        # orders a problem was put on
    # The USD bank's credits from Stripe and PayPal: (arrival, payee, memo, amount, payout id)
    usd_bank: list[tuple] = field(default_factory=list)

