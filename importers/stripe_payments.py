"""Stripe legacy Dashboard payments export (`unified_payments.csv`: Payments → Export),
one row per payment attempt, in the columns the user picked.

A paid charge books in the settlement currency (`Converted Amount`, `Converted
Currency`, else `Amount`, `Currency`); `Fee` and `Taxes On Fee` (older exports: `Tax`)
are what Stripe kept; `Transfer` names the payout that settled it:

    2016-12-08 * "Charge ch_1234500002" ^payout-po_…
      id: "ch_1234500002"
      customer-amount: "120.00 usd"
      Assets:Clearing:Stripe        116.22 USD
      Expenses:Fees:Stripe            3.78 USD
      Income:Sales:Stripe          -120.00 USD

`Failed` rows and charges not `Captured` moved no money: counted, not booked; test-mode
rows (`Mode` `Test`) likewise. The export is a snapshot of each charge, so what happened
to it later is booked from the same row: the refunded amount (`Converted Amount
Refunded`) as a refund on `Refunded date (UTC)` — the charge's date in exports without
that column, said in `refund-date` metadata — and a dispute (`Disputed Amount`) as money
taken back on `Dispute Date (UTC)`, given back again when `Dispute Status` is `won`.
Inquiries (`warning_…`) take no money. Dispute fees are not in this export (the balance
history has them): the import says so when a file has disputes. Its times are UTC's, and it
is cut at UTC's days as the itemized reports are (Extraction.zone_end, coverage's `zone:`).

The balance exports (the itemized report, the API) list the same money a balance
transaction at a time, each naming its charge: imported beside them, in either order,
each entry of this export books only what their rows of its charge do not hold
(SNAPSHOTS, books/rests.py): nothing for a charge the report books, the rest of a
refund the report lists in part.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beancount.core.amount import Amount

from beanclear.importers.base import Extraction, StatementImporter
from beanclear.importers.stripe_booking import SNAPSHOTS, BalanceTxn, book, sale_order, time_formats
from beanclear.importers.toolkit import (StatementError, clean, currency_code, currency_places, first_row_keys,
                                         header_key, in_places, local_time, parse_amount, parse_datetime,
                                         read_statement, uses_decimal_comma, ZoneDayEnd)

HEADER = ("id", "Amount", "Amount Refunded", "Currency", "Fee", "Status")
COLUMNS = {
    "id": ("id",), "created": ("Created (UTC)", "Created date (UTC)"), "description": ("Description",),
    "amount": ("Amount",), "refunded": ("Amount Refunded",), "currency": ("Currency",),
    "converted": ("Converted Amount",), "converted_refunded": ("Converted Amount Refunded",),
    "converted_currency": ("Converted Currency",), "fee": ("Fee",), "fee_tax": ("Taxes On Fee", "Tax"),
    "mode": ("Mode",), "status": ("Status",), "captured": ("Captured",), "customer": ("Customer Email",),
    "refunded_at": ("Refunded date (UTC)",), "disputed": ("Disputed Amount",), "dispute_status": ("Dispute Status",),
    "disputed_at": ("Dispute Date (UTC)",), "payout": ("Transfer",), "invoice": ("Invoice ID",),
    "order": ("order_id (metadata)", "Order ID (metadata)"),
}
MONEY = ("amount", "refunded", "converted", "converted_refunded", "fee", "fee_tax", "disputed")
PAID = {"paid", "refunded", "partially refunded", "succeeded"}
NO_MONEY = {"failed": "failed (no money moved)", "canceled": "canceled (no money moved)",
            "pending": "pending (no money yet)", "uncaptured": "not captured (no money moved)",
            "requires_payment_method": "failed (no money moved)", "blocked": "blocked (no money moved)"}
# what a charge's row books beside the charge (Extraction.extra)
BESIDE = "refunds and disputes booked from their charges' rows"
DISPUTE_TAKES = {"needs_response", "under_review", "lost", "charge_refunded", "won"}
DISPUTE_INQUIRY = {"warning_needs_response", "warning_under_review", "warning_closed"}


class Importer(StatementImporter):
    kind = "stripe payments export"
    shows_payouts = False  # its payouts are in the channel's other statement
    snapshot = SNAPSHOTS   # what the balance transactions of its charges book, it books not again

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        keys = first_row_keys(head)
        return {header_key(h) for h in HEADER} <= keys and "type" not in keys

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Stripe payments export (unified_payments.csv)", stream=True)
        t, path = st.table, st.table.path
        col = {role: t.index(*names, required=role in ("id", "created", "amount", "currency", "fee", "status"))
               for role, names in COLUMNS.items()}
        # The conventions from the whole file, read again for each (a streamed file is not held).
        comma = uses_decimal_comma(((r.line, r.cells[col[m]]) for r in t.rows for m in MONEY if col[m] is not None),
                                   path)
        out, disputes = Extraction(), 0
        own = ZoneDayEnd()   # its times are UTC's: it is cut at UTC's days, as the itemized reports are
        formats = time_formats(lambda: ((r.line, r.cells[col[d]]) for r in t.rows for d in (
                               "created", "refunded_at", "disputed_at") if col[d] is not None), path,
                               self.source.date_format, out.notes)
        for row in self.each(t.rows):
            def get(role: str) -> str:
                return clean(row.cells[col[role]]) if col[role] is not None else ""

            def amount(role: str) -> Decimal:
                value = parse_amount(get(role), path, row.line, t.header[col[role]], comma) if get(role) else Decimal(0)
                return in_places(value, currency)

            def when(role: str) -> dt.datetime:
                stamp = parse_datetime(get(role), formats, path, row.line, t.header[col[role]])
                own.add(stamp.replace(tzinfo=dt.timezone.utc))
                return local_time(stamp.replace(tzinfo=dt.timezone.utc), self.config.timezone)

            out.rows += 1
            ident, status = get("id"), get("status").lower()
            if get("mode").lower() == "test":
                out.skip("test mode (no real money)")
                continue
            # Before the id: newer exports list PaymentIntents that never made a charge
            # (`requires_payment_method`, no id), rows that moved no money.
            if status in NO_MONEY or get("captured").lower() == "false":
                out.skip(NO_MONEY.get(status, "not captured (no money moved)"))
                continue
            if not ident:
                raise StatementError(path, row.line, "column id: expected the charge id (ch_…, py_…), got nothing")
            if status not in PAID:
                raise StatementError(path, row.line, f"column Status: unknown status {get('status')!r} (expected "
                                     f"one of {', '.join(sorted(PAID | set(NO_MONEY)))})")
            currency = currency_code(get("currency"), path, row.line, "Currency")
            shown = Amount(amount("amount"), currency)
            settled = get("converted_currency") and get("converted")
            if settled:
                currency = currency_code(get("converted_currency"), path, row.line, "Converted Currency")
            gross = amount("converted") if settled else shown.number
            fee = amount("fee") + amount("fee_tax")
            created = when("created")
            # without the metadata column, the order the charge's description names (its refund's too)
            order = get("order") or sale_order(self.source, "charge", get("description"))
            meta = {"customer": get("customer"), "invoice-id": get("invoice"), "order-id": order,
                    "fee-tax": get("fee_tax") if amount("fee_tax") else ""}
            out.entries.append(book(BalanceTxn(
                path, row.line, ident, created, "charge", gross, fee, gross - fee, currency,
                payout=get("payout"), description=get("description") or f"Charge {ident}",
                customer_amount=shown, meta=meta), self))
            refunded = amount("converted_refunded") if settled else amount("refunded")
            if refunded:
                refund_meta = {"refund-of": ident, "order-id": order}
                if col["refunded_at"] is None or not get("refunded_at"):
                    refund_meta["refund-date"] = "not in the export: the charge's date"
                out.entries.append(book(BalanceTxn(
                    path, row.line, SNAPSHOTS.id_of(ident, "refund"),
                    when("refunded_at") if "refund-date" not in refund_meta else created, "refund", -refunded,
                    Decimal(0), -refunded, currency, source=ident, description=f"Refund of {ident}",
                    meta=refund_meta), self))
                out.beside(BESIDE)
            disputes += self._dispute(out, row.line, path, get, amount, when, ident, created, shown, gross, currency)
        if disputes:
            out.notes.append(f"{disputes} disputed charge(s): dispute fees are not in the payments export; "
                             "import the balance history for them")
        own.mark(out, self.config.timezone)
        return out

    def _dispute(self, out, line, path, get, amount, when, ident, created, shown, gross, currency) -> int:
        disputed, status = amount("disputed"), get("dispute_status").lower()
        if not disputed or status in DISPUTE_INQUIRY:
            return 0
        if status not in DISPUTE_TAKES:
            raise StatementError(path, line, f"column Dispute Status: unknown status {get('dispute_status')!r} "
                                 f"(expected one of {', '.join(sorted(DISPUTE_TAKES | DISPUTE_INQUIRY))})")
        if shown.currency != currency and shown.number:  # disputed in the customer's currency
            disputed = (disputed * gross / shown.number).quantize(Decimal(1).scaleb(-currency_places(currency)))
        at = when("disputed_at") if get("disputed_at") else created
        out.entries.append(book(BalanceTxn(path, line, SNAPSHOTS.id_of(ident, "dispute"), at, "dispute", -disputed,
                                           Decimal(0), -disputed, currency, source=ident,
                                           description=f"Dispute of {ident}", meta={"dispute-status": status}), self))
        out.beside(BESIDE)
        if status == "won":
            out.entries.append(book(BalanceTxn(path, line, SNAPSHOTS.id_of(ident, "dispute_reversal"), at,
                                               "dispute_reversal", disputed, Decimal(0), disputed, currency,
                                               source=ident, description=f"Dispute of {ident} won"), self))
            out.beside(BESIDE)
        return 1
