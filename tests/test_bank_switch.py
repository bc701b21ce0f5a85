"""A channel whose payouts moved from one bank to another of the same currency (BOC
closed on 16 March, its balance moved to CMB): `bank: [boc, cmb]` judges each payout
where the statements of either cover the days it should arrive, and a credit at
either settles it (a blind tester's payout that never reached BOC stopped being
reported once the config named CMB, and rebuilt books made every BOC credit
bank-unmatched)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import beanclear

DATA = Path(__file__).resolve().parent / "data" / "bank_switch"

CONFIG = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    settlement_days: 1
    bank: {bank}
    bank_days: 2
    fees: [{{rate: 0.006}}]
banks:
  boc:
    type: csv
    account: Assets:Bank:BOC
    columns: {{date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}}
  cmb:
    type: csv
    account: Assets:Bank:CMB
    date_format: "%Y/%m/%d"
    columns: {{date: 日期, credit: 收入, debit: 支出, memo: 摘要, payee: 对方, ref: 流水号, balance: 余额}}
rules:
  - {{match: "利息", account: Income:Interest}}
  - {{match: "销户转入", account: Assets:Transfers}}
"""


def merchant(tmp_path, bank):
    (tmp_path / "config.yaml").write_text(CONFIG.format(bank=bank), encoding="utf-8")
    shutil.copytree(DATA, tmp_path / "statements", dirs_exist_ok=True)
    return tmp_path


def findings(folder):
    result = beanclear(folder, "check", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return [(f["code"], f["source"], f["amount"]) for f in json.loads(result.output)["findings"]
            if (f["code"], f["source"]) != ("statement-gap", "wechat")]   # (no fund bill of 22 Feb-15 Mar)


def test_a_payout_missing_at_the_old_bank_stays_missing_after_the_switch(tmp_path):
    folder = merchant(tmp_path, "boc")
    s = folder / "statements"
    assert beanclear(folder, "import", str(s / "fundflow-2026-02.csv"), str(s / "boc-2026-02.csv")).exit_code == 0
    missing = [("payout-missing", "wechat", "99.40")]
    assert findings(folder) == missing
    (folder / "config.yaml").write_text(CONFIG.format(bank="[boc, cmb]"), encoding="utf-8")
    assert beanclear(folder, "import", str(s / "fundflow-2026-03.csv"), str(s / "cmb-2026-03.csv")).exit_code == 0
    # judged at BOC, whose statements cover its days; March's payout settled by CMB's
    # credit; no statement-gap of BOC, closed, and nothing waits for a CMB statement of February
    assert findings(folder) == missing
    report = beanclear(folder, "report", "2026-02").output
    assert "open         payout-missing" in report and "0 resolved" in report


def test_credits_at_either_bank_settle_their_payouts_in_rebuilt_books(tmp_path):
    folder = merchant(tmp_path, "[boc, cmb]")
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    assert findings(folder) == [("payout-missing", "wechat", "99.40")]


def close_march(folder):
    """Import everything, acknowledge February's missing payout, close February, then March
    (WeChat quiet after its last bill of 03-17, as the config says)."""
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(config.replace("    bank_days: 2\n", "    bank_days: 2\n    quiet_days: 15\n", 1),
                                        encoding="utf-8")
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    missing = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    for f in missing:
        assert beanclear(folder, "ack", f["code"], f["refs"][0], "--reason", "asked WeChat").exit_code == 0
    assert beanclear(folder, "close", "2026-02").exit_code == 0
    return beanclear(folder, "close", "2026-03")


def test_the_bank_an_account_moved_from_is_not_waited_for_at_the_months_end(tmp_path):
    # BOC closed in March: its statements end 02-27, and March closes from CMB's
    result = close_march(merchant(tmp_path, "[boc, cmb]"))
    assert result.exit_code == 0, result.output


def test_a_bank_another_channel_pays_into_alone_is_waited_for(tmp_path):
    # must fire (blind round 16): a bank still another channel's only one is open, and
    # its statements are owed to the month's end, as for any bank; closed without them,
    # the days after its last line became a statement-gap in the closed month
    folder = merchant(tmp_path, "[boc, cmb]")
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(config.replace("banks:\n", "  store:\n    type: alipay\n    bank: boc\n"
                                                       "banks:\n", 1), encoding="utf-8")
    result = close_march(folder)
    assert result.exit_code == 1, result.output
    assert "the statements of boc end 2026-02-27, before the month's end (2026-03-31)" in result.output
