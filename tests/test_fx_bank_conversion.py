"""A bank's own conversion (checks/fx.py `_converted_by_the_bank`): a bank CSV line that
states its amount in another currency (`original_debit`/`original_credit`, kept as
`original-amount`) and no rate is judged at the rate the two amounts imply, as a CAMT
`CcyXchg` is at its stated one (blind22: ICBC's debit of 186,400.00 CNY for a transfer of
200,000.00 HKD, 219 bps off the reference, was judged by nothing)."""

from __future__ import annotations

import json

import pytest

from conftest import beanclear

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  icbc:
    type: csv
    account: Assets:Bank:ICBC
    currency: CNY
    columns: {date: 交易日期, ref: 交易流水号, memo: 摘要, payee: 对方户名, credit: 收入金额, debit: 支出金额,
              original_credit: 原币收入, original_debit: 原币支出, original_currency: 原币币种}
rules:
  - {match: HARBOUR LEAF, account: Assets:Intercompany:HarbourLeaf}
checks:
  fx-gap: {severity: warning, tolerance_bps: 50}
"""
HEADER = "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,原币收入,原币支出,原币币种\n"


def merchant(tmp_path, lines: str, rates: str | None):
    root = tmp_path / "m"
    (root / "statements" / "prices").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "statements" / "icbc-2026-11.csv").write_text(HEADER + lines, encoding="utf-8")
    if rates is not None:
        (root / "statements" / "prices" / "rates.csv").write_text("date,pair,rate\n" + rates, encoding="utf-8")
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 0, result.output
    return [f for f in json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
            if f["code"] in ("fx-gap", "statement-gap")]


SENT = "2026-11-10,T15,跨境汇款 往来款,HARBOUR LEAF TRADING LIMITED,,186400.00,,200000.00,HKD\n"
PAID = "2026-11-25,T35,汇入汇款 往来款,HARBOUR LEAF TRADING LIMITED,200000.00,,28000.00,,USD\n"
RATES = "2026-11-01,HKD/CNY,0.9120\n2026-11-01,USD/CNY,7.1000\n"


def test_a_transfer_sent_and_one_received_off_the_reference_are_each_an_fx_gap(tmp_path):
    found = merchant(tmp_path, SENT + PAID, RATES)
    assert [(f["code"], f["date"], f["amount"], f["currency"]) for f in found] == [
        ("fx-gap", "2026-11-10", "4000.00", "CNY"), ("fx-gap", "2026-11-25", "1200.00", "CNY")]
    assert "on 200,000.00 HKD, 4,000.00 CNY lost" in found[0]["message"]   # CNY paid for HKD, above the reference
    assert "on 28,000.00 USD, 1,200.00 CNY gained" in found[1]["message"]


@pytest.mark.parametrize("lines", [
    "2026-11-10,T15,跨境汇款 往来款,HARBOUR LEAF TRADING LIMITED,,182450.00,,200000.00,HKD\n",   # 2.7 bps
    "2026-11-10,T16,往来款,HARBOUR LEAF TRADING LIMITED,,1000.00,,1000.00,CNY\n",   # the same currency
], ids=["within-tolerance", "same-currency"])
def test_a_conversion_within_tolerance_or_none_is_no_finding(tmp_path, lines):
    assert merchant(tmp_path, lines, RATES) == []


def test_without_reference_rates_the_conversion_is_said_unjudged(tmp_path):
    found = merchant(tmp_path, SENT, None)
    assert [f["code"] for f in found] == ["statement-gap"] and "HKD/CNY" in found[0]["message"]
