"""Stripe Connect "Collected fees" export (Dashboard → Connect → Collected fees →
Export): the application fees a platform took from its connected accounts' charges.

An application fee is the platform's income, paid into its Stripe balance:

    2025-12-28 * "Application fee from acct_1TEST005WXY901ZAB"
      id: "fee_1WXY901ZAB234567CDE"
      stripe-category: "application_fee"
      charge-id: "ch_3WXY901ZAB234567CDE"
      connected-account: "acct_1TEST005WXY901ZAB"
      Assets:Clearing:Stripe          2.50 EUR
      Income:ApplicationFees:Stripe  -2.50 EUR

`Amount Refunded` (fees given back when the charge was refunded) books as a second
entry `<fee id>/refund` on the same date: the export gives no refund date, which the
`refund-date` metadata says. Amounts are in the user's locale (`"0,25"` in the EU);
`Created (UTC)` is dated in the configured time zone; the export is cut at UTC's days, as
Stripe's itemized reports are (Extraction.zone_end, coverage's `zone:`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beanclear.importers.base import Extraction, StatementImporter
from beanclear.importers.stripe_booking import BalanceTxn, book, time_formats
from beanclear.importers.toolkit import (StatementError, clean, currency_code, first_row_keys, header_key,
                                         local_time, parse_amount, parse_datetime, read_statement,
                                         uses_decimal_comma, ZoneDayEnd)

HEADER = ("id", "Created (UTC)", "Amount", "Amount Refunded", "Currency", "Transaction ID")


class Importer(StatementImporter):
    kind = "stripe collected fees"

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        keys = first_row_keys(head)
        return {header_key(h) for h in HEADER} <= keys and not keys & {"status", "fee", "type"}

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Stripe Connect collected fees export", stream=True)
        t, path = st.table, st.table.path
        col = {name: t.index(name) for name in HEADER}
        col.update({name: t.index(name, required=False) for name in ("User ID", "Application ID")})
        # The conventions from the whole file, read again for each (a streamed file is not held).
        comma = uses_decimal_comma(((r.line, r.cells[col[n]]) for r in t.rows for n in ("Amount", "Amount Refunded")),
                                   path)
        out = Extraction()
        formats = time_formats(lambda: ((r.line, r.cells[col["Created (UTC)"]]) for r in t.rows), path,
                               self.source.date_format, out.notes)
        own = ZoneDayEnd()   # its times are UTC's: it is cut at UTC's days, as the itemized reports are
        for row in self.each(t.rows):
            def get(name: str) -> str:
                return clean(row.cells[col[name]]) if col[name] is not None else ""

            out.rows += 1
            ident = get("id")
            if not ident:
                raise StatementError(path, row.line, "column id: expected the application fee id (fee_…), got nothing")
            stamp = parse_datetime(get("Created (UTC)"), formats, path, row.line, "Created (UTC)")
            own.add(stamp.replace(tzinfo=dt.timezone.utc))
            when = local_time(stamp.replace(tzinfo=dt.timezone.utc), self.config.timezone)
            currency = currency_code(get("Currency"), path, row.line, "Currency")
            amount = parse_amount(get("Amount"), path, row.line, "Amount", comma)
            refunded = parse_amount(get("Amount Refunded") or "0", path, row.line, "Amount Refunded", comma)
            account = get("User ID")
            meta = {"charge-id": get("Transaction ID"), "connected-account": account,
                    "application": get("Application ID")}
            out.entries.append(book(BalanceTxn(
                path, row.line, ident, when, "application_fee", amount, Decimal(0), amount, currency,
                description=f"Application fee from {account}".strip(), meta=meta), self))
            if refunded:
                out.entries.append(book(BalanceTxn(
                    path, row.line, f"{ident}/refund", when, "application_fee_refund", -refunded, Decimal(0),
                    -refunded, currency, source=ident, description=f"Application fee refunded to {account}".strip(),
                    meta={**meta, "refund-of": ident, "refund-date": "not in the export: the fee's date"}), self))
                out.beside("application fee refunds booked from their fees' rows")
        own.mark(out, self.config.timezone)
        return out
