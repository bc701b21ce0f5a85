"""The records of a merchant's life, as the statements will show them.

Amounts are in the currency of the statement that writes them (a Stripe charge in EUR is
`gross` USD with `pres_amount` EUR; a PayPal EUR payment is EUR, converted by `conv`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(x) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Order:
    shop: str
    id: str                     # as the export writes it: "#1001", "#A1001", "W20260105001"
    ref: str                    # as a payment names it: "1001", "A1001", "W20260105001"
    dt: datetime
    amount: Decimal
    currency: str
    items: list                 # [(name, qty, unit price)]
    shipping: Decimal
    channel: str
    status: str = "paid"        # paid | voided (voided: never paid, moved no money)
    refunded: Decimal = Decimal("0")
    exported: bool = True


@dataclass
class Payment:
    channel: str
    id: str
    order_ref: str
    dt: datetime
    gross: Decimal
    fee: Decimal
    currency: str
    pres_amount: Decimal
    pres_currency: str
    title: str
    rate: Decimal | None = None         # applied EUR->USD rate (stripe charge, paypal conversion)
    conv: tuple = ()                    # paypal: (id EUR leg, id USD leg, USD amount)
    charge_id: str = ""                 # stripe source_id
    payout: object = None
    file_ids: list = field(default_factory=list)    # more ids of its lines, as the writers number them

    @property
    def net(self) -> Decimal:
        return self.gross - self.fee


@dataclass
class Refund:
    channel: str
    id: str
    payment: Payment
    dt: datetime
    amount: Decimal
    fee_back: Decimal = Decimal("0")
    request_no: str = ""                # merchant refund no / Alipay 退款批次号
    source_id: str = ""                 # stripe re_...
    payout: object = None
    file_ids: list = field(default_factory=list)
    pres_amount: Decimal | None = None  # stripe: refunded in the customer's currency (EUR), `amount` in USD
    pres_currency: str = ""
    conv: tuple = ()                    # paypal, a refund in EUR: (id USD leg, id EUR leg, USD amount)
    shop_refunded: Decimal | None = None   # what the shop's order says of it (None: the shop never knew)

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee_back


@dataclass
class Payout:
    channel: str
    id: str
    dt: datetime
    amount: Decimal
    currency: str
    items: list = field(default_factory=list)
    txn_id: str = ""                    # stripe: the payout's balance transaction
    bank_amount: Decimal | None = None  # what the bank credits (None: same)
    credited: bool = True
    bank_ref: str = ""
    split_ref: str = ""                 # the bank's second line where it credited the payout in two parts
    file_ids: list = field(default_factory=list)
    failed: datetime | None = None      # stripe: the bank refused it then; its money came back (PayoutReturn)


@dataclass
class PayoutReturn:
    """The money of a failed payout back in the channel's balance (Stripe `payout_reversal`),
    paid out again in a later payout."""
    channel: str
    id: str                             # its balance transaction
    dt: datetime
    amount: Decimal
    failed: Payout
    payout: object = None               # the payout that pays it out again


@dataclass
class Dispute:
    """A card payment its customer's bank took back (Stripe `dispute`, PayPal `Chargeback`
    and its `Chargeback Fee`), or gave back when the merchant won (`won`: Stripe
    `dispute_reversal`, PayPal `Chargeback Reversal`). Amounts in the payment's currency,
    `amount` signed as the balance moves; `fee` what it cost (negative: a fee given back)."""
    channel: str
    id: str                             # its row: Stripe balance transaction, PayPal Transaction ID
    payment: Payment
    dt: datetime
    amount: Decimal
    fee: Decimal
    won: bool = False
    source_id: str = ""                 # stripe: the dispute (dp_…), of both its rows
    fee_id: str = ""                    # paypal: the Chargeback Fee row
    pres_amount: Decimal | None = None  # stripe, a charge paid in EUR: `amount` in EUR, signed
    conv: tuple = ()                    # paypal, in EUR: the amount's pair (sold leg id, bought leg id, USD, signed)
    fee_conv: tuple = ()                # the same for the fee (USD spent on it, negative)
    settles: date | None = None         # the day whose T+N payout pays it: taken at once, in the next payout
    payout: object = None

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee

    @property
    def usd(self) -> Decimal:
        """What it moved in the balance's currency."""
        return (self.conv[2] if self.conv else self.amount) + (self.fee_conv[2] if self.fee_conv else -self.fee)


@dataclass
class BankLine:
    bank: str
    day: date
    amount: Decimal             # signed
    memo: str
    payee: str
    ref: str
    seq: int = 0
    sent: Decimal | None = None         # a credit the bank converted: the amount sent (CAMT `InstdAmt`)
    sent_currency: str = ""             # … in this currency,
    xrate: Decimal | None = None        # … at this rate (account's currency per unit of it: `XchgRate`)


@dataclass
class Problem:
    code: str
    source: str
    date: date
    refs: list
    window: tuple | None = None         # (first, last) date a finding may carry, for problems without one id
    sources: tuple = ()                 # other acceptable sources (statement-gap: the channels paying in)
    note: str = ""
    objs: list = field(default_factory=list)    # records whose file ids (set by the writers) are refs too

    def as_dict(self) -> dict:
        refs = list(self.refs) + [i for o in self.objs for i in o.file_ids if i not in self.refs]
        d = {"code": self.code, "source": self.source, "date": self.date.isoformat(), "refs": refs}
        if self.sources:
            d["sources"] = list(self.sources)
        if self.window:
            d["window"] = [self.window[0].isoformat(), self.window[1].isoformat()]
        if self.note:
            d["note"] = self.note
        return d
