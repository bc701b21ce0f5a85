"""PayPal Balances API responses saved as JSON (`GET /v1/reporting/balances`): what the
account held, per currency, at `as_of_time`. It moves no money; it is a statement of
balances, and each becomes a `balance` assertion:

    2016-10-16 balance Assets:Clearing:PayPal    100.00 USD   ; available_balance
    2016-10-16 balance Assets:Reserve:PayPal     200.00 USD   ; withheld_balance

The available balance is what the activity download's `Balance` column shows (a
payment hold takes money out of it), so it is asserted on the clearing account, and
the withheld part on the reserve account that holds and releases are booked to.

A `balance` assertion holds at the start of a day. A response taken at midnight (ask
for `as_of_time=…T00:00:00` in the books' zone) is asserted on that day, exactly; one
taken during a day is asserted on the next, which holds only if nothing moved between
`as_of_time` and midnight: the import says so.

A response states the account it is of as its top-level `account_id` (a Transaction
Search response as `account_number`): the account a source's statements are of, so that
another account's balances are not asserted on this one's clearing (blind30: they were,
and the import worked them back to an opening that never was), and which of two PayPal
sources it is (identify).
"""

from __future__ import annotations

import re

from beanclear.importers.account_ids import checked
from beanclear.importers.base import Extraction, StatementImporter, balance, next_day
from beanclear.importers.toolkit import (StatementError, currency_code, json_amount, json_line, json_shown,
                                         local_time, parse_instant, read_json, sniff)
from beanclear.importers.toolkit.jsonstream import stated_member


class Importer(StatementImporter):
    kind = "paypal balances json"
    # balances, no row: its day says nothing of the transactions of that day (a day's
    # transactions file not imported is a day no statement of moves covers)
    shows_payouts = False

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        if not re.search(r'"(balances|balance)"\s*:', head) or not re.search(r'"available_balance"\s*:', head):
            return False
        return not re.search(r'"transaction_details"\s*:', head)

    def identify(self, filepath: str) -> bool:
        """A Balances response (matches), of the source's `account_id` where it has one: the
        `account_id` the response states, wherever it stands among its members (not a
        word anywhere in it); one that states none is claimed by each source, as a
        Transaction Search response that states none is (paypal_api.py)."""
        if not self.matches(sniff(filepath)):
            return False
        if not self.source.account_id:
            return True
        stated = checked(stated_member(filepath, "account_id"))
        return stated is None or stated == self.source.account_id

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        doc = read_json(path)
        if not isinstance(doc, dict):
            raise StatementError(path, 1, "expected a Balances response (an object with balances)")
        balances = doc.get("balances", [doc["balance"]] if isinstance(doc.get("balance"), dict) else None)
        if not isinstance(balances, list) or not balances:
            raise StatementError(path, json_line(doc), "expected balances: a list of per-currency balances")
        stamp = doc.get("as_of_time") or doc.get("last_refresh_time")
        when = local_time(parse_instant(stamp, path, json_line(doc), "as_of_time"), self.config.timezone)
        midnight = when.time() == when.time().min
        day = when.date() if midnight else next_day(when.date())
        acc, out = self.source.accounts, Extraction()
        out.account = checked(doc.get("account_id"))   # the PayPal account it is of (account_ids.py)
        for item in self.each(balances):
            out.rows += 1
            line = json_line(item, json_line(doc))
            if not isinstance(item, dict):
                raise StatementError(path, line, f"expected a balance object, got {json_shown(item)}")
            currency = currency_code(str(item.get("currency") or ""), path, line, "currency")
            meta = {"as-of": stamp}
            for field, account in (("available_balance", acc.clearing), ("withheld_balance", acc.reserve)):
                value = item.get(field)
                if value is None:
                    continue
                if not isinstance(value, dict) or value.get("currency_code", currency) != currency:
                    raise StatementError(path, json_line(value, line), f"{field}: expected {{currency_code: "
                                         f"{currency}, value}}, got {json_shown(value)}")
                number = json_amount(value.get("value"), path, json_line(value, line), f"{field}.value")
                out.entries.append(balance(path, json_line(value, line), day, account, number, currency, meta))
            # (its balances are asserted, no row's entry: rows read = entries + skipped, as everywhere)
            out.skip("balances of a currency (asserted: no transaction)")
        if not midnight:
            out.notes.append(f"balances as of {when:%Y-%m-%d %H:%M}, asserted on {day}: they hold only if nothing "
                             "moved later that day (ask for as_of_time at midnight)")
        return out
