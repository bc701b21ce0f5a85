"""Shopify orders export (Admin → Orders → Export, CSV).

One row per line item; the order's own columns (Total, Financial Status, Refunded
Amount, …) are filled on its first row only, blank on the rows of its other items, so
rows are grouped by `Name` (newer exports repeat `Created at` on every item's row). Each order posts its Total to the receivable,
and the Refunded Amount comes back out (shop.py):

    2025-01-27 * "Order #1007 / Blue Widget" ^order-1007
      time: "10:48:00"
      id: "order:#1007"
      order-id: "#1007"
      Assets:Receivable:Shopify          59.00 USD
      Income:Sales:Shopify              -59.00 USD

    2025-01-27 * "Refund of order #1007" ^order-1007
      time: "10:48:00"
      id: "refund:#1007"
      order-id: "#1007"
      Income:Sales:Shopify               29.50 USD
      Assets:Receivable:Shopify         -29.50 USD

Dates are the shop's: `Created at` carries the shop's UTC offset (`-0500`, `-0400`
under DST), and the order is dated on the day its own clock showed, as Shopify's
reports and the customer's receipt show it, not converted to the books' time zone.
A payment processed the next morning in Shanghai is within `order_days` anyway.

`Financial Status` decides whether money moved: voided, expired, pending (awaiting
payment) and authorized (not captured) orders, and orders cancelled before payment,
are skipped with their reason; a later export that says paid books them. `Refunded Amount`
decides how much came back (the samples say `paid` with a refund: the amount wins);
where it is absent or zero, a `refunded` order is refunded in full, and a
`partially_refunded` one by an amount the export does not state (`refund-amount: "not
stated"`, shop.py: the channels' refunds say it). `Outstanding Balance` is what the
customer still owes of the order, no channel (a `partially_paid` order's balance, due
later): the order is still a sale of its Total, and says `outstanding: "60.00"`, so that
the orders check asks the channels for the rest only. A `partially_paid` order whose
export does not state it is refused at its line: booked at its Total, the unpaid part
would be the channels' missing money. `Payment Method`
says who collects the money: an order paid all by the shop's gift cards (`gift_card`) is
paid, its receivable cleared against the gift cards (`accounts.gift_cards`, a liability)
and its refund put back on them; one paid by a gift card and a channel, or by a manual
method (Bank Deposit, Cash on Delivery, manual), keeps the column as `payment-method`,
for the orders check (ledger/checks/orders.py). `Paid at` is kept
as `paid-at`: of two exports that show an order otherwise (edited after payment), the
later Paid at is the newer (ledger/statements/order_edits.py). Exports without a
Financial Status column (column subsets) book every order; a subset without Total
(Name, Created at and Financial Status or Lineitem name, but no money) is refused
saying so.
"""

from __future__ import annotations

from beanclear.importers.base import Extraction
from beanclear.importers.order_refs import GIFT_CARD, MANUAL, OUTSTANDING, PAYMENT_METHOD, gateway_kind, gateways
from beanclear.importers.shop import AWAITING, BOOK, REFUNDED, Order, ShopImporter, meaning, refund_of
from beanclear.importers.toolkit import (StatementError, clean, currency_code, has_header, in_places, parse_amount,
                                         parse_instant, read_statement, sniff)

# pending (a manual payment: bank deposit, cash on delivery) and authorized (the card
# held, the money not captured) took no money yet: skipped, as Stripe's own uncaptured
# charges are, until an export says paid.
STATUSES = {"paid": BOOK, "partially_paid": BOOK, "pending": AWAITING,
            "authorized": "authorized (payment not captured yet, no money moved)",
            "partially_refunded": BOOK, "refunded": REFUNDED,
            "voided": "voided (authorisation released, no money moved)",
            "expired": "expired (payment never captured)"}
UNPAID = {"pending", "authorized", "voided", "expired"}


def cancelled_on(text: str):
    """The day of `Cancelled at`, on the shop's clock as `Created at` is, where it is a time
    with its offset; else None. An order cancelled after payment is refunded then: the
    one refund date the export gives, used where the order's month is closed
    (statements/shop_refunds.py); a cell it cannot read is no reason to refuse the export."""
    if not text:
        return None
    try:
        return parse_instant(text, "", 0, "column Cancelled at").date()
    except StatementError:
        return None


def paid_at(text: str) -> str:
    """The order's `Paid at` as the export writes it, where it is a time with its offset
    (as `Created at` is); else "": it only tells which of two exports is newer
    (ledger/statements/order_edits.py), and a cell it cannot tell by is no reason to refuse
    the export."""
    if not text:
        return ""
    try:
        parse_instant(text, "", 0, "column Paid at")
    except StatementError:
        return ""
    return text


class Importer(ShopImporter):
    kind = "shopify orders"
    HEADER = ("Name", "Created at", "Total")
    # An export cut down to some of its columns still has these beside Name and Created at:
    # claimed, it is refused saying the Total is missing, not "not recognised".
    SUBSET_SIGNS = ("Financial Status", "Lineitem name")

    def matches(self, head: str) -> bool:
        if not any(has_header(head, ("Name", "Created at", sign)) for sign in ("Total", *self.SUBSET_SIGNS)):
            return False
        return not self.source.account_id or self.source.account_id in head

    def parse(self, filepath: str) -> Extraction:
        head = sniff(filepath)
        if not has_header(head, self.HEADER):
            line = next((n for n, text in enumerate(head.splitlines(), 1) if has_header(text, self.HEADER[:2])), 1)
            raise StatementError(filepath, line, "no Total column: this Shopify orders export holds only some of its "
                                 "columns, and each order is booked at its Total; export the orders again with "
                                 "every column (Orders → Export)")
        st = read_statement(filepath, self.HEADER, "Shopify orders export", stream=True)
        t, path = st.table, st.table.path
        col = {name: t.index(name, required=False) for name in (
            "Name", "Created at", "Total", "Currency", "Financial Status", "Refunded Amount", "Cancelled at",
            "Lineitem name", "Paid at", "Payment Method", "Outstanding Balance")}

        def get(row, name: str) -> str:
            at = col[name]
            return clean(row.cells[at]) if at is not None else ""

        out = Extraction()
        for name, rows in self.orders(t.rows, lambda r: get(r, "Name")):
            if not name:
                raise StatementError(path, rows[0].line, "column Name: expected the order name like #1001, got nothing")
            # The order's row holds its Total; `Created at` is on it, and newer exports repeat
            # it on the rows of its other items.
            firsts = [r for r in rows if get(r, "Total")]
            if len(firsts) != 1:
                where = f"lines {', '.join(str(r.line) for r in firsts)}" if firsts else "no row"
                raise StatementError(path, (firsts[1] if firsts else rows[0]).line,
                                     f"order {name}: expected its Total on one row (the order's own), "
                                     f"found it on {where}")
            first = firsts[0]
            other = next((r for r in rows if get(r, "Created at") not in ("", get(first, "Created at"))), None)
            if other is not None:
                raise StatementError(path, other.line, f"order {name}: Created at {get(other, 'Created at')!r}, "
                                     f"but {get(first, 'Created at')!r} on line {first.line} (expected one order of "
                                     "each name)")
            status = get(first, "Financial Status").lower()
            action = BOOK if col["Financial Status"] is None else \
                meaning(status, STATUSES, path, first.line, "Financial Status")
            if get(first, "Cancelled at") and status in UNPAID:
                action = "cancelled before payment (no money moved)"
            if not self.counted(out, rows, action, "more line items of an order (booked with its first row)", name):
                continue
            total = parse_amount(get(first, "Total"), path, first.line, "Total")
            refunded = refund_of(action, total, get(first, "Refunded Amount"), path, first.line, "Refunded Amount")
            if status == "partially_refunded" and not refunded:   # refunded in part, the amount not stated
                refunded = None
            owed = self.outstanding(get, col, first, name, status, total, path)
            items = [get(r, "Lineitem name") for r in rows if get(r, "Lineitem name")]
            title = ", ".join(items[:3]) + (f" +{len(items) - 3} more" if len(items) > 3 else "")
            currency = currency_code(get(first, "Currency"), path, first.line, "Currency") \
                if get(first, "Currency") else self.source.currency
            when = parse_instant(get(first, "Created at"), path, first.line, "column Created at")
            method = get(first, "Payment Method")
            kinds = {gateway_kind(g) for g in gateways(method)}
            meta = {PAYMENT_METHOD: method} if kinds & {GIFT_CARD, *MANUAL} else {}
            if owed > 0:
                meta[OUTSTANDING] = f"{in_places(owed, currency)}"
            self.book(out, path, Order(first.line, when, name, total, currency, title, refunded, meta,
                                       paid_at=paid_at(get(first, "Paid at")), by_gift_card=kinds == {GIFT_CARD},
                                       refunded_on=cancelled_on(get(first, "Cancelled at"))))
        return out

    @staticmethod
    def outstanding(get, col, first, name: str, status: str, total, path: str):
        """What of the order the export says the customer still owes (`Outstanding Balance`):
        none where it says none. A partially_paid order that does not say it is refused:
        booked at its Total, the unpaid part would be the channels' missing money."""
        text = get(first, "Outstanding Balance")
        owed = parse_amount(text, path, first.line, "Outstanding Balance") if text else None
        if status == "partially_paid" and not (owed and owed > 0):
            said = ("the export has no Outstanding Balance column" if col["Outstanding Balance"] is None else
                    f"its Outstanding Balance is {text or 'empty'}")
            raise StatementError(path, first.line, f"order {name} is partially_paid and {said}: how much of its "
                                 f"Total {total} was paid is not said"
                                 + ("; export the orders again with every column (Orders → Export)"
                                    if col["Outstanding Balance"] is None else ""))
        if owed is not None and owed > total:
            raise StatementError(path, first.line, f"order {name}: Outstanding Balance {text} is more than its "
                                 f"Total {total}")
        return owed or 0
