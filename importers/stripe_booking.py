"""How a Stripe balance transaction books, whichever export it comes from: the itemized
reports, the legacy balance history CSV and the API's `balance_transaction` objects all
say the same things (gross, fee, net, currency, category, source), so they book alike.

    charge, refund…                     Assets:Clearing:Stripe   net
                                        Expenses:Fees:Stripe     fee   (negative: fee returned)
                                        Income:Sales:Stripe     -gross
    platform_earning, application_fee   Assets:Clearing:Stripe            net
                                        Income:ApplicationFees:Stripe    -gross
    dispute, dispute_reversal           Assets:Clearing:Stripe       net
                                        Expenses:Chargebacks:Stripe  fee
                                        Expenses:Chargebacks:Stripe -gross
    payout (legacy: transfer)           Assets:Transit:Stripe   -gross   ^payout-po_…
                                        Assets:Clearing:Stripe   net
    topup (money from the bank)         Assets:Transit:Stripe   -gross
                                        Assets:Clearing:Stripe   net
    fee (Stripe billing, Radar…)        Expenses:Fees:Stripe    -net
    reserved funds                      Assets:Reserve:Stripe   -net
    transfer, adjustment…               the first `rules:` pattern found in the description,
                                        else Assets:Suspense (a finding until reclassified)

Items that name the payout that settles them (`automatic_payout_id`, legacy `Transfer`)
carry its `^payout-po_…` link, and the payout itself has the payout id as its `id`, so
the clearing check proves each payout equals its items whichever export booked it, and a
payout read from two exports is booked once. A row both a report and the API list is one
entry saying what both say, the report's payout link and the API's fee details (SHARED,
books/late_rows.py). A payout that failed or was reversed gives
the money back to the clearing account under a link of its own: it is paid out again in
a later payout, which is where the clearing check must find it.

A Connect platform's application fees (`platform_earning`; `application_fee` in the
collected fees export) are its income, but no card payment: Stripe charges no fee on
them and the contract (`fees:`) prices payments. They go to the channel's application
fees account, so that the fee check judges no fee on them and the report counts them in
no sales, no fee rate, no refunds (their refunds alike).

A top-up (`topup`, `tu_…`: the merchant's bank paying into the Stripe balance, a Connect
platform funding its transfers) comes from the bank through the transit account, as a
negative payout's money does: the bank's debit naming Stripe is booked there
(banking.py), and the transit check pairs the two (transit._pair_top_ups), each a
finding only where the other does not come within `bank_days`. A report's top-up row
names the automatic payout its money went out in (`automatic_payout_id`): that link is
the clearing check's, where the payout must equal its items; in transit the top-up is
no part of that payout (transit._link_groups). A top-up's reversal (`topup_reversal`)
is still booked by `rules:`.

A refund that failed (`refund_failure`: the customer's bank refused it) gives its money
back, and a payment that failed after it was booked (`charge_failure`: an ACH or SEPA
debit) takes it back; `payment_failure_refund`, the type where no reporting category
says more, is either, by its sign. Each books against the sale side as the refund or
payment it undoes did, and names it (`refund-failed` / `payment-failed`: its source
id, "not stated" where the export leaves that column out): the checks count it
against that refund or sale, not as a sale owing a fee or as a refund. Where its own
description names no order (`REFUND FAILURE`, or none), it takes the order of the
refund or payment it names (NAMES), and with it that one's shop receivable.

A dispute is no refund (DESIGN §1: chargebacks and their fees have their own accounts):
the amount the customer's bank took back, and the fee, go to the channel's chargebacks
account, so no sale of the shop's order is reversed (the shop never refunded it) and the
refund checks do not count it; a won dispute's reversal gives both back there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core.amount import Amount

from beanclear.importers.base import SharedRows, Snapshots, description_order, link, posting, rule_account, transaction
from beanclear.importers.order_refs import NOT_STATED, PAYMENT_FAILED, REFUND_FAILED
from beanclear.importers.toolkit import StatementError, applied_rate, numeric_date_format
from beanclear.statements.refund_orders import Names

SALE = ("charge", "payment", "refund", "payment_refund", "refund_failure", "payment_failure_refund",
        "payment_reversal", "charge_failure", "partial_capture_reversal")
# A Connect platform's application fees: its income, but no payment of the contract
PLATFORM = ("platform_earning", "platform_earning_refund", "application_fee", "application_fee_refund")
CHARGEBACK = ("dispute", "dispute_reversal", "adjustment_chargeback")
PAYOUT = ("payout",)
PAYOUT_RETURN = ("payout_reversal", "payout_failure", "payout_cancel")
TOP_UP = ("topup",)
FEE = ("fee", "stripe_fee", "stripe_fx_fee", "tax", "tax_fee", "network_cost")
RESERVE = ("risk_reserved_funds", "connect_reserved_funds", "reserve_transaction", "reserved_funds", "reserve_hold",
           "reserve_release", "payout_minimum_balance_hold", "payout_minimum_balance_release",
           "payment_network_reserve_hold", "payment_network_reserve_release")
OTHER = ("transfer", "transfer_reversal", "transfer_cancel", "transfer_failure", "transfer_refund", "topup_reversal",
         "adjustment", "other_adjustment", "contribution", "connect_collection_transfer",
         "advance", "advance_funding", "anticipation_repayment", "anticipation_loan", "financing_paydown",
         "obligation_outbound", "obligation_reversal_inbound", "climate_order_purchase", "climate_order_refund",
         "issuing_authorization_hold", "issuing_authorization_release", "issuing_transaction", "issuing_dispute",
         "payment_unreconciled")
CATEGORIES = SALE + PLATFORM + CHARGEBACK + PAYOUT + PAYOUT_RETURN + TOP_UP + FEE + RESERVE + OTHER
# Before April 2017 Stripe called payouts `transfer`: the ones to the merchant's own bank
# read `STRIPE TRANSFER` (legacy balance history CSV, and the API's /v1/balance/history).
OLD_PAYOUT = re.compile(r"STRIPE (TRANSFER|PAYOUT)", re.IGNORECASE)
# The payments export (stripe_payments.py) lists each charge as it stands: the charge by
# its id, what it refunded so far, its dispute; the balance transactions, the same money a
# row at a time, each naming its charge (`charge-id`, a charge's `source-id`). Each export
# entry books what the rows of its charge do not (books/rests.py): once, in either order.
SNAPSHOTS = Snapshots(category="stripe-category",
                      kinds=(("charge", "charge"), ("payment", "charge"), ("refund", "refund"),
                             ("payment_refund", "refund"), ("dispute", "dispute"),
                             ("dispute_reversal", "dispute_reversal")),
                      suffixes=(("charge", ""), ("refund", "/refund"), ("dispute", "/dispute"),
                                ("dispute_reversal", "/dispute-won")),
                      named_by=("charge-id", "source-id"), fees=frozenset({"charge"}), total="export-total")
# A balance transaction both an itemized report (CSV) and the API (JSON) list is one entry
# saying what both say (books/late_rows.py): the report's payout link, the API's fee
# details. Its metadata in the order book() writes whichever export gives it; the payout
# booked as the sum of a report's items is a guess its own row replaces.
SHARED = SharedRows(order=("time", "id", "stripe-category", "source-id", "exchange-rate", "fee-details", "status",
                           "charge-id", "customer", "order-id", "shop-order-id", "arrival-date", "payout-status",
                           "balance-transaction", "customer-amount", "fx-rate", "fx-pair", REFUND_FAILED,
                           PAYMENT_FAILED, "payout-returned", "payout-id", "payout-total"),
                    guess="payout-total", snapshot=SNAPSHOTS)
# A failure names what it undoes by its source id (failure_of), and takes the order of the
# refund or payment of that `source-id` where its own description names none: on the
# shop's receivable as that one went, found in the statement, the import, the books or a
# later import, as WeChat's refunds take their payments' (statements/refund_orders.py).
NAMES = Names(keys=(REFUND_FAILED, PAYMENT_FAILED), by="source-id", adds="", order=SHARED.order,
              said="failure(s) booked before the refund or payment they undo")


@dataclass
class BalanceTxn:
    """One Stripe balance transaction, in major units and the books' wall-clock time."""

    path: str
    line: int
    id: str                  # txn_… (the report's balance_transaction_id, the legacy export's id)
    when: dt.datetime
    category: str            # reporting_category, or the legacy Type
    gross: Decimal
    fee: Decimal
    net: Decimal
    currency: str
    source: str = ""         # ch_, re_, po_, dp_, tr_ …
    payout: str = ""         # the automatic payout that settles it (po_…), '' when not known
    description: str = ""
    customer_amount: Amount | None = None   # presentment side, when the export gives it
    meta: dict = field(default_factory=dict)


def category_of(category: str, description: str, path: str, line: int, column: str) -> str:
    """The category as booked: a legacy `adjustment` described as a chargeback is one."""
    category = category.strip().lower()
    if category == "adjustment" and re.search(r"chargeback|dispute", description, re.IGNORECASE):
        return "adjustment_chargeback"
    if category not in CATEGORIES:
        raise StatementError(path, line, f"{column}: unknown Stripe category {category!r} (expected one of "
                             f"{', '.join(sorted(CATEGORIES))})")
    return category


def book(txn: BalanceTxn, importer):
    """The entry of one balance transaction (see the module docstring)."""
    if txn.gross - txn.fee != txn.net:
        raise StatementError(txn.path, txn.line, f"net {txn.net} is not gross {txn.gross} − fee {txn.fee} "
                             "(expected net = gross − fee)")
    acc, cur, cat = importer.source.accounts, txn.currency, txn.category
    meta = {"id": txn.id, "stripe-category": cat, "source-id": txn.source, **txn.meta}
    links = []
    narration = txn.description or f"{cat.replace('_', ' ').capitalize()} {txn.source}".strip()
    payee = None
    if cat in PAYOUT + PAYOUT_RETURN + TOP_UP:   # money between the bank and Stripe: through transit
        if cat in PAYOUT:
            payout = txn.source or txn.payout or txn.id
            meta.update({"id": payout, "balance-transaction": txn.id, "payout-id": payout, "source-id": ""})
            links.append(link("payout-", payout))
        elif cat in PAYOUT_RETURN:
            meta["payout-returned"] = txn.source
            links.append(link("payout-", txn.id))  # paid out again later: not an item of the failed payout
        # (a top-up: from the bank, its debit meets it in transit; the module docstring)
        postings = [posting(acc.transit, -txn.gross, cur), posting(acc.fees, txn.fee, cur),
                    posting(acc.clearing, txn.net, cur)]
        payee = "Stripe"
    elif cat in FEE:
        postings = [posting(acc.clearing, txn.net, cur), posting(acc.fees, -txn.net, cur)]
        payee = "Stripe"
    elif cat in RESERVE:
        postings = [posting(acc.clearing, txn.net, cur), posting(acc.reserve, -txn.net, cur)]
    else:
        if cat in SALE:
            other, fees = acc.sales, acc.fees
        elif cat in PLATFORM:   # no sale: the fee check and the report's sales leave it out
            other, fees = acc.application_fees, acc.fees
        elif cat in CHARGEBACK:
            other, fees = acc.chargebacks, acc.chargebacks
        else:
            other = rule_account(importer.config, f"{cat} {txn.description}") or importer.config.suspense
            fees = acc.fees
        postings = [posting(acc.clearing, txn.net, cur), posting(fees, txn.fee, cur), posting(other, -txn.gross, cur)]
        meta.update(_presentment(txn))
        undoes = failure_of(cat, txn.gross)
        if undoes:
            meta[undoes] = txn.source or NOT_STATED
    if txn.payout and cat not in PAYOUT:
        meta["payout-id"] = txn.payout
        links.append(link("payout-", txn.payout))
    if meta.get("order-id"):
        links.append(link("order-", meta["order-id"]))
    return transaction(txn.path, txn.line, txn.when, payee, narration, meta, postings, links)


def failure_of(category: str, gross: Decimal) -> str:
    """What a failure undoes, as the metadata key that names it (order_refs): a refund
    whose money comes back (`refund_failure`, a positive `payment_failure_refund`), or a
    payment whose money goes back (`charge_failure`, a negative one); '' for the rest."""
    if category == "refund_failure" or (category == "payment_failure_refund" and gross > 0):
        return REFUND_FAILED
    if category == "charge_failure" or (category == "payment_failure_refund" and gross < 0):
        return PAYMENT_FAILED
    return ""


def sale_order(source, category: str, description: str) -> str:
    """The text naming a sale's order where no order metadata does (base.description_order):
    a balance transaction of the API carries no metadata, and an export's metadata
    columns are often left out. As an `order-id` it is read by every step that places a
    payment with its shop: the import's, the import that brings the orders later
    (books/late_routes.py), and the check of payments naming an order no shop holds
    (checks/orders.py `unrouted`)."""
    return description_order(source, description) if category in SALE else ""


def _presentment(txn: BalanceTxn) -> dict:
    """The customer's side of a charge settled in another currency, and the rate Stripe
    applied (`fx-rate`/`fx-pair`, as every conversion in the books carries it). Signed as
    the money settled, as the report's `customer_facing_amount` is: a refund's is
    negative, though the API's refund object says its amount positive, so that the fx-gap
    check reads which way the money was converted (money going back to the customer is
    bought back: a rate above the reference loses there)."""
    shown = txn.customer_amount
    if shown is not None and txn.gross:
        shown = Amount(shown.number.copy_sign(txn.gross), shown.currency)
    if shown is None or (shown.currency == txn.currency and shown.number == txn.gross):
        return {}  # the customer paid what was settled: nothing to add
    meta = {"customer-amount": f"{shown.number:f} {shown.currency}"}
    if shown.currency != txn.currency and shown.number and txn.gross:
        # the rate the two amounts imply, from whichever export: the API's `exchange_rate`
        # (to more places) is kept as it says it, `exchange-rate`, so that a row the report
        # and the API both hold is the same entry in either order (books/late_rows.py)
        rate = applied_rate(shown.number, txn.gross)
        meta.update({"fx-rate": f"{rate:f}", "fx-pair": f"{shown.currency}/{txn.currency}"})
    return meta


def time_formats(dates, path: str, configured: str | None, notes: list | None = None) -> tuple[str, ...]:
    """Stripe exports write `2026-03-01 09:30:05`, `2026-03-01 09:30`, or the user's
    locale in legacy exports (`09/12/2016 15:48`): the day/month order is decided from
    the whole file (`dates`: (line, text) pairs, or a function that gives them anew: a
    streamed file is read again rather than held); a reading taken from the rows'
    order or spread, not from a date that decides, is said in `notes`."""
    again = dates if callable(dates) else (lambda: dates)
    if not any(re.match(r"\d{1,2}[./-]\d{1,2}[./-]\d{4}", text.strip()) for _, text in again()):
        return ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
    day = numeric_date_format(again(), path, configured, notes=notes)
    return (f"{day} %H:%M:%S", f"{day} %H:%M", day)
