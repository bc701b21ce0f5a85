"""A bank account of several currencies (HSBC HK's HKD and USD lines in one statement,
each with its balance) is reconciled in each: the month report has a row per currency,
with that currency's statement balance, books balance and unexplained lines. blind22:
the USD side (5,000.00 USD) was in no report, text or JSON, though its balance
assertions passed."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: HKD
timezone: Asia/Hong_Kong
banks:
  hsbc: {type: hsbc-hk, account: Assets:Bank:HSBC, currency: HKD}
rules:
  - {match: "RENT", account: Expenses:Rent}
  - {match: "QINGHE", account: Liabilities:Intercompany:Qinghe}
"""
STATEMENT = """\
Date,Description,Billing amount,Billing currency,Balance,Balance currency
24/11/2026,TT DEBIT                 SHANGHAI QINGHE TRADING CO LTD,"-30,000.00",USD,"5,000.00",USD
20/11/2026,UNKNOWN CREDIT           SOMEONE,"1,250.00",USD,"35,000.00",USD
11/11/2026,TT CREDIT                SHANGHAI QINGHE TRADING CO LTD,"200,000.00",HKD,"455,000.00",HKD
03/11/2026,RENT PAYMENT             KWUN TONG OFFICE,"-45,000.00",HKD,"255,000.00",HKD
02/11/2026,TT CREDIT                SHANGHAI QINGHE TRADING CO LTD,"15,000.00",USD,"33,750.00",USD
"""


def _merchant(tmp_path, statement=STATEMENT):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "hsbc-2026-11.csv").write_text(statement, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "statements")).exit_code == 0
    return tmp_path


def _banks(root):
    result = beanclear(root, "report", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["banks"]


def test_each_currency_of_the_account_has_its_row_with_its_balances_and_lines(tmp_path):
    root = _merchant(tmp_path)
    banks = _banks(root)
    assert [(b["name"], b["currency"], b["statement_balance"], b["books_balance"]) for b in banks] == [
        ("hsbc", "HKD", "455000.00", "455000.00"), ("hsbc", "USD", "5000.00", "5000.00")]
    hkd, usd = banks
    # the USD credit nothing explains is on the USD row, in USD; none on the HKD row
    assert [(i["amount"], i["currency"]) for i in usd["unexplained_lines"]] == [("1250.00", "USD")]
    assert hkd["unexplained_lines"] == []
    text = beanclear(root, "report", "2026-11").output
    assert "hsbc (Assets:Bank:HSBC, USD)" in text and "5,000.00 USD (balance of 2026-11-25)" in text


def test_an_account_of_one_currency_has_one_row(tmp_path):
    lines = STATEMENT.splitlines()
    root = _merchant(tmp_path, "\n".join(line for line in lines if ",USD," not in line) + "\n")
    assert [(b["name"], b["currency"]) for b in _banks(root)] == [("hsbc", "HKD")]
