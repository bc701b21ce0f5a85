"""Any bank's CSV statement, read through the column map in config.yaml.

Each line posts to the bank account against what explains it, in this order:
1. a credit whose payee or memo names a channel paid out to this bank (`payout_memo`
   of the channel) goes to that channel's transit account, where it meets the payout;
2. the first of the config's `rules` whose pattern is found in payee or memo;
3. otherwise `Assets:Suspense`, which must be empty: a `bank-unmatched` finding.

    2026-03-04 * "财付通支付科技有限公司" "微信提现" ^bank-…
      id: "20260304000123"
      Assets:Bank:ICBC              1234.50 CNY
      Assets:Transit:WeChat        -1234.50 CNY

The running balance column becomes a `balance` assertion for the start of the next
day, whatever order the statement lists its lines in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal

from beanclear.importers.base import (Extraction, StatementImporter, balance, closing_balances, next_day,
                                      posting, transaction)
from beanclear.importers.toolkit import StatementError, clean, header_key, parse_amount, parse_datetime, read_statement


class Importer(StatementImporter):
    kind = "bank csv"

    def account(self, filepath: str) -> str:
        return self.source.account

    @property
    def _header(self) -> list[str]:
        return list(self.source.columns.values())

    def matches(self, head: str) -> bool:
        wanted = {header_key(h) for h in self._header}
        for line in head.splitlines()[:60]:
            if wanted <= {header_key(c) for c in line.split(",")}:
                return not self.source.account_id or self.source.account_id in head
        return False

    def classify(self, amount: Decimal, payee: str, memo: str) -> str:
        text = f"{payee} {memo}"
        if amount > 0:
            for channel in self.config.channels.values():
                if channel.bank == self.source.name and channel.payout_memo.search(text):
                    return channel.accounts.transit
        for rule in self.config.rules:
            if rule.pattern.search(text):
                return rule.account
        return self.config.suspense

    def parse(self, filepath: str) -> Extraction:
        bank, columns = self.source, self.source.columns
        st = read_statement(filepath, self._header, f"{bank.name} bank statement (columns from config.yaml)",
                            encoding=bank.encoding)
        t, path = st.table, st.table.path
        col = {role: t.index(name) for role, name in columns.items()}
        formats = (bank.date_format, bank.date_format + " %H:%M:%S", bank.date_format + " %H:%M")
        out, balances, seen = Extraction(), [], Counter()
        for row in self.each(t.rows):
            def get(role: str) -> str:
                return clean(row.cells[col[role]]) if role in col else ""

            out.rows += 1
            stamp = get("date") + (" " + get("time") if get("time") else "")
            when = parse_datetime(stamp, formats, path, row.line, columns["date"])
            if "amount" in col:
                amount = parse_amount(get("amount"), path, row.line, columns["amount"])
            else:
                credit, debit = get("credit"), get("debit")
                if bool(credit) == bool(debit) and (credit or debit):
                    raise StatementError(path, row.line, f"both {columns['credit']} and {columns['debit']} "
                                         "are filled (expected one of them)")
                amount = (parse_amount(credit, path, row.line, columns["credit"]) if credit
                          else -parse_amount(debit, path, row.line, columns["debit"]) if debit else None)
                if amount is None:
                    raise StatementError(path, row.line, f"expected an amount in {columns['credit']} "
                                         f"or {columns['debit']}, got neither")
            currency = get("currency") or bank.currency
            payee, memo = get("payee"), get("memo")
            ref = get("ref")
            if not ref:
                # No bank reference: a stable id from the line's content, counted so that two
                # identical lines on one day stay two lines.
                digest = hashlib.sha1(f"{when:%Y-%m-%d}|{amount}|{get('balance')}|{payee}|{memo}"
                                      .encode()).hexdigest()[:12]
                seen[digest] += 1
                ref = f"{when:%Y%m%d}-{digest}-{seen[digest]}"
            if amount == 0:
                out.skip("zero amount")
                continue
            other = self.classify(amount, payee, memo)
            out.entries.append(transaction(
                path, row.line, when if "time" in col else when.date(), payee, memo,
                {"id": ref}, [posting(bank.account, amount, currency), posting(other, -amount, currency)]))
            if "balance" in col and get("balance"):
                balances.append((when, row.line, amount,
                                 parse_amount(get("balance"), path, row.line, columns["balance"])))
        for day, (line, amount) in sorted(closing_balances(balances).items()):
            out.entries.append(balance(path, line, next_day(day), bank.account, amount, bank.currency))
        return out
