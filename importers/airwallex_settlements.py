"""Airwallex payment-acceptance settlements saved as JSON (`GET
/api/v1/pa/financial/settlements`: `{"items": [...]}`, snake_case or the camelCase of
older API versions).

A settlement pays out one batch of payment-acceptance items: the financial
transactions whose `batch_id` is the settlement's `id` (airwallex_transactions links
them `^payout-<batch_id>`). It is booked as that batch's payout, so the clearing check
proves the settlement equals its items (`payout-mismatch`) and finds items no
settlement took (`unsettled`):

    2026-03-03 * "Airwallex" "Settlement bat_20260303" ^payout-bat_20260303
      id: "bat_20260303"
      payout-id: "bat_20260303"
      settlement-fee: "5.80"
      Assets:Transit:Airwallex       194.20 USD
      Assets:Clearing:Airwallex     -194.20 USD

Assumptions (no real response was available; the test files are ours): `amount` is the
batch's gross, `fee` its fees, and what is paid out is `net` when given, else
`amount − fee` (a `net` that disagrees is an error); it is dated `settled_at`. Only
`SETTLED` settlements moved money; `PENDING` and `PROCESSING` ones are counted and
booked on a later import, `FAILED` and `CANCELLED` ones never.
"""

from __future__ import annotations

import re

from beanclear.importers.airwallex_transactions import Item, airwallex_read
from beanclear.importers.base import Extraction, StatementImporter, link, posting, transaction
from beanclear.importers.toolkit import StatementError, currency_code

WAITING = {"PENDING": "pending (booked once settled)", "PROCESSING": "pending (booked once settled)",
           "FAILED": "failed (no money moved)", "CANCELLED": "cancelled (no money moved)"}


class Importer(StatementImporter):
    kind = "airwallex settlements"

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        return bool(re.search(r'"(settled_at|settledAt|estimated_settled_at|estimatedSettledAt)"\s*:', head)
                    and not re.search(r'"(transaction_type|transactionType|object)"\s*:', head))

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        return airwallex_read(path, lambda items, out: self._book(path, items, out))

    def _book(self, path: str, items, out: Extraction) -> None:
        acc = self.source.accounts
        for raw in self.each(items):
            out.rows += 1
            item = Item(raw, path, self.config.timezone)
            status = item.text("status").upper()
            if status in WAITING:
                out.skip(WAITING[status])
                continue
            if status != "SETTLED":
                raise StatementError(path, item.line, f"status: unknown status {status!r} (expected SETTLED, "
                                     f"{', '.join(WAITING)})")
            ident = item.text("id")
            currency = currency_code(item.text("currency"), path, item.line, "currency")
            gross = item.amount("amount")
            fee = item.amount("fee") if raw.get("fee") is not None else gross * 0
            paid = item.amount("net") if raw.get("net") is not None else gross - fee
            if paid != gross - fee:
                raise StatementError(path, item.line, f"net {paid} is not amount {gross} − fee {fee} "
                                     "(expected net = amount − fee)")
            out.entries.append(transaction(
                path, item.line, item.time("settled_at"), "Airwallex", f"Settlement {ident}",
                {"id": ident, "payout-id": ident, "settlement-amount": f"{gross:f}", "settlement-fee": f"{fee:f}"},
                [posting(acc.transit, paid, currency), posting(acc.clearing, -paid, currency)],
                [link("payout-", ident)]))
