"""No importer writes an amount past its currency's places (DESIGN.md §5, README "Importers").
A channel, like a bank, moves no fraction of a fen or a cent: a figure with more places is
either one the channel writes so by design and charges rounded (WeChat Pay's 5-decimal
手续费, rounded half up: toolkit.charged, test_wechat.py) or an amount misread, and is
refused naming its line (base.transaction, base.balance), as a bank's is
(test_bank_traps.py). blind9: a WeChat 手续费 of 7.40700 was booked 7.407 CNY, and the
0.003 the channel never held became an opening balance, then a failed balance assertion."""

from __future__ import annotations

import pytest

from conftest import beanclear, snapshot
from statement_files import trade_detail, trade_row
from test_views import (CONFIG, FUND_HEADER, FUND_SUMMARY, TRADE_HEADER, TRADE_SUMMARY, wechat_bill,
                        wechat_trade_row)

W = "4200000001"


def wechat_fund(folder, amount="200.00", balance="200.00"):
    return wechat_bill(folder, "fundflow.csv", FUND_HEADER,
                       [f"2026-03-01 10:00:00,{W},F1,交易,交易,收入,{amount},{balance},1601959334API,,WO1"],
                       FUND_SUMMARY, f"1,1,{amount},0,0.00")


def wechat_trade(folder, settled="200.00"):
    return wechat_bill(folder, "tradebill.csv", TRADE_HEADER,
                       [wechat_trade_row("2026-03-01 10:00:00", W, "WO1", "SUCCESS", settled, "1.20000")],
                       TRADE_SUMMARY, f"1,{settled},0.00,0.00,1.20000,{settled},0.00")


def alipay_trade(folder, fee="0.60"):
    row = trade_row("2026030122001100001", "QF1", "交易", "2026-03-01 10:00:00", "100.00", "100.00", fee)
    return trade_detail(folder, rows=[row], footer=["#交易合计：1笔，商家实收共100.00元，商家优惠共0.00元",
                                                   "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元"])


@pytest.mark.parametrize("write, bad, message", [
    (wechat_fund, {"amount": "200.005", "balance": "200.005"}, "fundflow.csv:2: Assets:Clearing:WeChat 200.005 CNY: "
     "more decimal places than CNY has (2)"),
    (wechat_fund, {"balance": "200.004"}, "fundflow.csv:2: Assets:Clearing:WeChat 200.004 CNY: more decimal places"),
    (wechat_trade, {"settled": "200.005"}, "tradebill.csv:2: Assets:Clearing:WeChat 198.805 CNY: more decimal places"),
    (alipay_trade, {"fee": "0.036"}, "业务明细.csv:6: Assets:Clearing:Alipay 99.964 CNY: more decimal places"),
])
def test_a_channel_amount_past_its_currency_places_is_refused_naming_its_line(tmp_path, write, bad, message):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    folder = tmp_path / "statements"
    folder.mkdir()
    path = write(folder, **bad)
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path / "books") == {}


@pytest.mark.parametrize("write", [wechat_fund, wechat_trade, alipay_trade])
def test_the_same_statement_in_the_currency_s_places_is_booked(tmp_path, write):
    """Must not fire: the fen as the statements write it, zeros past it too (`200.000`,
    WeChat's `1.20000`), are no places."""
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    folder = tmp_path / "statements"
    folder.mkdir()
    path = write(folder, **({"amount": "200.000"} if write is wechat_fund else {}))
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 0, result.output
    assert " entries written" in result.output and " 0 entries written" not in result.output
