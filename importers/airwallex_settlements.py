"""Airwallex payment-acceptance settlements saved as JSON (`GET
/api/v1/pa/financial/settlements`: `{"items": [...]}`, snake_case or the camelCase of
older API versions).

A settlement moves one batch of payment-acceptance items into the Airwallex balance,
the wallet: the financial transactions whose `batch_id` is the settlement's `id`. It is
no payout to a bank (a payout leaves the balance as a `PAYOUT` row of the financial
transactions), and the money it moves is the money of those items, which the financial
transactions book one by one into the clearing account, the wallet's balance
(airwallex_transactions, `batch-id:`). Booked from here too, each batch would be held
twice (DESIGN.md §1 "Every view, once"; a blind tester's wallet: the batch booked as a
second payout, clearing at -291.00 USD, transit at +291.00 USD, and 87 false
payout-missing in a quarter). So the settlements report books nothing: each settled
settlement is counted, skipped, and proved against the items of its batch the books and
the same import hold (books/settled_batches.py). A settlement none of whose items either
holds is money no file imported books: the import is refused, naming its line and
what to import with it; one whose items sum to another net is said in a note.

Assumptions (no real response was available; the test files are ours): `amount` is the
batch's gross, `fee` its fees, and what moves into the balance is `net` when given, else
`amount − fee` (a `net` that disagrees is an error); it is dated `settled_at`. Only
`SETTLED` settlements moved money; `PENDING` and `PROCESSING` ones are counted as
pending, `FAILED` and `CANCELLED` ones as moving none.
"""

from __future__ import annotations

import re

from beanclear.importers.airwallex_transactions import Item, airwallex_read
from beanclear.importers.base import Extraction, SettledBatch, StatementImporter
from beanclear.importers.toolkit import StatementError, currency_code

WAITING = {"PENDING": "pending (not settled yet)", "PROCESSING": "pending (not settled yet)",
           "FAILED": "failed (no money moved)", "CANCELLED": "cancelled (no money moved)"}
# Why a settled settlement books nothing: its money is its items', booked from the financial transactions.
INTO_WALLET = "settled into the wallet balance (its items are booked from the financial transactions, by batch_id)"


class Importer(StatementImporter):
    kind = "airwallex settlements"
    shows_payouts = False   # a settlement moves a batch into the wallet: the payouts are the transactions'

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        return bool(re.search(r'"(settled_at|settledAt|estimated_settled_at|estimatedSettledAt)"\s*:', head)
                    and not re.search(r'"(transaction_type|transactionType|object)"\s*:', head))

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        return airwallex_read(path, lambda items, out: self._book(path, items, out))

    def _book(self, path: str, items, out: Extraction) -> None:
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
            out.skip(INTO_WALLET)
            out.batches[ident, currency] = SettledBatch(ident, paid, currency, item.time("settled_at").date(), item.line)
