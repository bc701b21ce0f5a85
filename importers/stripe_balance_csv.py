"""Stripe balance transactions as CSV: the itemized reports (Dashboard → Reports, or the
Report Runs API: "Balance change from activity" and "Payout reconciliation") and the
legacy Dashboard balance history export (`id,Type,Source,Amount,Fee,Net,…`).

Each row is one balance transaction and books as `stripe_booking` says; an item settled
by an automatic payout carries its `^payout-po_…` link:

    2020-01-23 * "Charge" ^payout-po_1GqF…
      id: "txn_14G11HjubSIHf9IKrvJdwN"
      stripe-category: "charge"
      payout-id: "po_1GqF…"
      customer-amount: "11.00 EUR"
      fx-rate: "1.090909091"
      fx-pair: "EUR/USD"
      Assets:Clearing:Stripe         11.64 USD
      Expenses:Fees:Stripe            0.36 USD
      Income:Sales:Stripe           -12.00 USD

Amounts are in the settlement currency; `customer_facing_amount/currency` (the
presentment side) is kept as metadata, with the rate it implies. Times in `…_utc`
columns (and the legacy `(UTC)` ones) are dated in the configured time zone; `created`
without `_utc` is in the Stripe account's zone: the books' unless the channel's
`timezone:` says another (a US account, America/Los_Angeles). A report is cut at the days
of the zone its times are in (Extraction.zone_end): one of April in UTC runs to 30 April
20:00 in New York, whose 30 April it covers only in part. Legacy exports write dates and
amounts in the user's locale (`09/12/2016 15:48`, `0,25`): both are decided from the
whole file. Before April 2017 Stripe called payouts `transfer`: a legacy `transfer`
row is a payout when some row names it in `Transfer` or it reads `STRIPE TRANSFER`.

The payout reconciliation report lists the items of each payout but not the payouts:
when a report has `automatic_payout_effective_at` and no payout rows, each payout is
booked from its items (the sum of their net, on its effective date) under its own id,
with `payout-total: "sum of its items"`: a guess, which the payout's own row (the API's,
a balance change report's) replaces whenever it is imported, before or after
(books/late_rows.py). A report of the days before a payout holds some of its items only.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from decimal import Decimal

from beancount.core.amount import Amount

from beanclear.books.idset import Ids
from beanclear.importers.base import ZERO_AMOUNT, Extraction, StatementImporter
from beanclear.importers.stripe_booking import (NAMES, OLD_PAYOUT, SHARED, BalanceTxn, book, category_of,
                                                sale_order, time_formats)
from beanclear.statements import refund_orders
from beanclear.importers.toolkit import (StatementError, clean, currency_code, filled_at,
                                         first_row_keys, header_key, local_time, parse_amount, parse_datetime,
                                         read_statement, sniff, uses_decimal_comma, ZoneDayEnd)

REPORT = ("balance_transaction_id", "currency", "gross", "fee", "net", "reporting_category")
LEGACY = ("id", "Type", "Amount", "Fee", "Net", "Currency")
COLUMNS = {  # role -> header names: the report's first, then the legacy export's
    "id": ("balance_transaction_id", "id"),
    "created": ("created_utc", "created", "Created (UTC)", "Created date (UTC)"),
    "currency": ("currency",),
    "gross": ("gross", "Amount"),
    "fee": ("fee",),
    "net": ("net",),
    "category": ("reporting_category", "Type"),
    "description": ("description",),
    "source": ("source_id", "Source"),
    "payout": ("automatic_payout_id", "Transfer"),
    "effective": ("automatic_payout_effective_at_utc", "automatic_payout_effective_at", "Transfer Date (UTC)"),
    "customer_amount": ("customer_facing_amount", "Customer Facing Amount"),
    "customer_currency": ("customer_facing_currency", "Customer Facing Currency"),
    "charge": ("charge_id",),
    "customer": ("customer_email", "customer_name"),
    "order": ("payment_metadata[order_id]", "order_id (metadata)", "Order ID (metadata)"),
}
REQUIRED = ("id", "created", "currency", "gross", "fee", "net", "category")


class Importer(StatementImporter):
    kind = "stripe balance csv"
    shared_rows = SHARED   # a row the other export lists too: one entry saying what both say
    names_orders = NAMES   # a failure takes the order of the refund or payment it undoes

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        keys = first_row_keys(head)
        return {header_key(h) for h in REPORT} <= keys or {header_key(h) for h in LEGACY} <= keys

    def parse(self, filepath: str) -> Extraction:
        legacy = {header_key(h) for h in LEGACY} <= first_row_keys(sniff(filepath))
        st = read_statement(filepath, LEGACY if legacy else REPORT,
                            "Stripe balance export (itemized report or legacy balance history)", stream=True)
        t, path = st.table, st.table.path
        col = {role: t.index(*names, required=role in REQUIRED) for role, names in COLUMNS.items()}
        # each role's columns (customer_email, customer_name): a row's value is in the first
        # it fills (toolkit.filled_at)
        alternatives = {role: t.alternatives(*names) for role, names in COLUMNS.items()}

        def cells(role):   # a pass over the rows (of a large file: a read of it, never held)
            return ((r.line, r.cells[at]) for r in t.rows for at in alternatives[role])

        comma = uses_decimal_comma(chain(cells("gross"), cells("fee"), cells("net"), cells("customer_amount")), path)
        out, items, summed = Extraction(), {}, Ids()
        own = ZoneDayEnd()   # its rows' times in their own zone (UTC, the account's): where its days end
        formats = time_formats(lambda: chain(cells("created"), cells("effective")), path, self.source.date_format,
                               out.notes)
        named_payouts = {clean(c) for _, c in cells("payout")}
        has_payouts = False
        for row in self.each(t.rows):
            def get(role: str) -> str:
                at = filled_at(row.cells, alternatives[role])
                return clean(row.cells[at]) if at is not None else ""

            def column(role: str) -> str:
                return t.header[filled_at(row.cells, alternatives[role])]

            def amount(role: str) -> Decimal:
                return parse_amount(get(role), path, row.line, column(role), decimal_comma=comma)

            def when(role: str) -> dt.datetime:
                stamp = parse_datetime(get(role), formats, path, row.line, column(role))
                if role == "effective" and stamp.time() == dt.time(0):
                    return stamp  # a payout's date, not an instant: no zone to convert
                zone = dt.timezone.utc if "utc" in header_key(column(role)) else self.statement_zone
                if zone is None:   # the Stripe account's is the books'
                    return stamp
                if role == "created":   # the report is cut at the days of that zone
                    own.add(stamp.replace(tzinfo=zone))
                return local_time(stamp.replace(tzinfo=zone), self.config.timezone)

            out.rows += 1
            ident = get("id")
            if not ident:
                raise StatementError(path, row.line, f"column {column('id')}: expected the balance "
                                     "transaction id (txn_…), got nothing")
            description = get("description")
            category = category_of(get("category"), description, path, row.line, f"column {column('category')}")
            if legacy and category == "transfer" and (get("source") in named_payouts or OLD_PAYOUT.search(description)):
                category = "payout"
            has_payouts |= category == "payout"
            currency = currency_code(get("currency"), path, row.line, column("currency"))
            gross, fee, net = amount("gross"), amount("fee"), amount("net")
            if not (gross or fee or net):
                out.skip(ZERO_AMOUNT)
                continue
            shown = None
            if get("customer_amount") and get("customer_currency"):
                shown = Amount(amount("customer_amount"),
                               currency_code(get("customer_currency"), path, row.line, "customer_facing_currency"))
            order = get("order") or sale_order(self.source, category, description)   # the metadata column is optional
            txn = BalanceTxn(path, row.line, ident, when("created"), category, gross, fee, net, currency,
                             source=get("source"), payout=get("payout"), description=description,
                             customer_amount=shown,
                             meta={"charge-id": get("charge"), "customer": get("customer"), "order-id": order})
            out.entries.append(book(txn, self))
            if txn.payout and col["effective"] is not None and get("effective") and summed.add(ident):
                # a payout's items summed as they come: per payout, not per row; a row
                # the file repeats once (booked once: importing.once_per_id, or refused)
                effective, group = when("effective"), items.get((txn.payout, currency))
                if group is None:
                    items[(txn.payout, currency)] = [txn, Decimal(0) + txn.net, effective, 1]
                else:
                    group[1:] = [group[1] + txn.net, max(group[2], effective), group[3] + 1]
        if items and not has_payouts:
            for entry in self._payouts_from_items(items):
                out.entries.append(entry)
                out.beside("payouts summed from their items' rows (no row of their own)")
        own.mark(out, self.config.timezone)
        refund_orders.within(out, names=NAMES)   # a failure of a refund in the report: its order
        return out

    def _payouts_from_items(self, items: dict) -> list:
        """A payout reconciliation report's payouts, each the sum of its items: (payout,
        currency) -> [its first item, the sum of their net, the latest effective time, how many]."""
        entries = []
        for (payout, currency), (first, total, effective, count) in sorted(items.items(), key=lambda item: item[0]):
            txn = BalanceTxn(first.path, first.line, payout, effective, "payout", -total,
                             Decimal(0), -total, currency, source=payout,
                             description=f"Payout {payout} ({count} items in the payout reconciliation report)")
            entry = book(txn, self)
            entry.meta.pop("balance-transaction")
            entry.meta["payout-total"] = "sum of its items"
            entries.append(entry)
        return entries
