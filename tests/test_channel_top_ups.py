"""A top-up of a channel from the bank: PayPal's "Bank Deposit to PP Account" (money from
the bank into PayPal, booked transit -> clearing) and the bank's debit naming PayPal,
which banking.explaining_account books to the same transit account, where the clearing
check pairs them (tests/test_checks.py has the pairing over inline ledgers)."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader
from beancount.core import data

from beanclear.importers.banking import explaining_account
from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  paypal: {type: paypal, currency: USD, settlement_days: 1, bank: ops, bank_days: 3, date_format: "%m/%d/%Y"}
  wallet: {type: alipay-personal, currency: USD, bank: ops}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: USD
    columns: {date: Date, amount: Amount, memo: Memo, payee: Payee, ref: Ref, balance: Balance}
rules:
  - match: "RENT|PAYPAL FEE INVOICE"
    account: Expenses:Rent
  - match: "Supplier"
    account: Expenses:Packaging
"""


def test_a_bank_debit_naming_a_channel_goes_to_its_transit_account(make_config):
    cfg = make_config(CONFIG)
    assert explaining_account(cfg, "ops", Decimal("-150.00"), "PAYPAL INST XFER") == "Assets:Transit:PayPal"
    # as a credit naming it does, before the rules (as a credit's does)
    assert explaining_account(cfg, "ops", Decimal("150.00"), "PAYPAL TRANSFER") == "Assets:Transit:PayPal"
    assert explaining_account(cfg, "ops", Decimal("-5.00"), "PAYPAL FEE INVOICE") == "Assets:Transit:PayPal"
    # a debit naming a personal wallet is still a payment through it, from its clearing
    assert explaining_account(cfg, "ops", Decimal("-9.00"), "支付宝 PAYPAL") == "Assets:Clearing:Wallet"
    # debits that name no channel: as before, a rule or suspense
    assert explaining_account(cfg, "ops", Decimal("-500.00"), "OFFICE RENT") == "Expenses:Rent"
    assert explaining_account(cfg, "ops", Decimal("-80.00"), "ACME LTD") == "Assets:Suspense"
    # nor does a line of another bank than the channel's name it
    assert explaining_account(cfg, "other", Decimal("-150.00"), "PAYPAL INST XFER") == "Assets:Suspense"


ACTIVITY = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",\
"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance","Balance Impact"
"01/07/2026","12:00:00","EST","Supplier Co","Express Checkout Payment","Completed","USD","-150.00","0.00",\
"-150.00","shop@example.com","sales@supplier.example","1AA00000000000004","Packaging","","SUP-88","-150.00","Debit"
"01/07/2026","12:00:00","EST","","Bank Deposit to PP Account ","Pending","USD","150.00","0.00","150.00","",\
"shop@example.com","1AA00000000000005","","1AA00000000000004","","0.00","Credit"
"""
BANK = ["Date,Ref,Memo,Payee,Amount,Balance", "2026-01-02,B1,OFFICE RENT,REGUS,-500.00,1500.00",
        "2026-01-09,B2,PAYPAL INST XFER,PAYPAL,-150.00,1350.00", "2026-01-20,B3,OFFICE RENT,REGUS,-500.00,850.00"]


def merchant(tmp_path, bank=BANK):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "paypal.csv").write_text(ACTIVITY, encoding="utf-8")
    (statements / "bank.csv").write_text("\n".join(bank) + "\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    return tmp_path


def findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return [(f["code"], f["refs"]) for f in report["findings"]]


def test_a_paypal_top_up_and_the_banks_debit_two_days_later_meet(tmp_path):
    # Before, the bank's debit went to Assets:Suspense (bank-unmatched) and PayPal's
    # bank deposit was called unanswered too: two findings, although both sides were there.
    folder = merchant(tmp_path)
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    [debit] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == "B2"]
    assert [p.account for p in debit.postings] == ["Assets:Bank:Ops", "Assets:Transit:PayPal"]
    assert findings(folder) == []


def test_a_paypal_top_up_the_bank_never_debited_is_one_finding(tmp_path):
    folder = merchant(tmp_path, [BANK[0], BANK[1], BANK[3].replace("850.00", "1000.00")])
    assert findings(folder) == [("bank-unmatched", ["1AA00000000000005"])]
