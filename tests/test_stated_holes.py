"""A hole between two statements that each state their period (README "Coverage"): the
days between are in neither, whatever their number; only between statements read from
their lines, or beside a statement of one day (a bank's business day, a WeChat bill of a
day with transactions: neither is made of a day without them), are a few taken as quiet.

blind17 (microshop): a WeChat personal bill exported as 10-01..10-15 and 10-17..11-30 left
10-16 out. Both bills state their period, yet the one-day hole was merged as quiet: no
statement-gap, and the withdrawal of that day, credited at CMB, was a bank-unmatched
error (failing CI for a file the user forgot to import). Four days or more were a hole."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from beancount import loader

from conftest import beanclear
from beanclear.statements.coverage import Coverage

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  wechat_me:
    type: wechat-personal
    bank: cmb
    opening_balance: {date: 2026-09-30, amount: 0.00}
banks:
  cmb: {type: cmb, account: Assets:Bank:CMB, opening_balance: {date: 2026-09-30, amount: 1000.00}}
"""
PAD = "," * 10


def _bill(path, start, end, days):
    rows = []
    for day in days:
        k = int(day[-2:])
        rows.append(f"{day} 22:00:00,零钱提现,招商银行(6688),/,/,¥100.10,招商银行(6688),提现已到账,"
                    f"42000000{2000 + k}\t,/,服务费¥0.10")
        rows.append(f"{day} 19:00:00,二维码收款,阿杰,收款方备注:二维码收款,收入,¥100.10,/,已收钱,42000000{1000 + k}\t,/,/")
    lines = ["微信支付账单明细" + PAD, "微信昵称：[老王烧烤]" + PAD,
             f"起始时间：[{start} 00:00:00] 终止时间：[{end} 23:59:59]" + PAD, "导出类型：[全部]" + PAD,
             "导出时间：[2026-12-01 10:02:11]" + PAD, PAD, f"共{len(rows)}笔记录" + PAD, PAD,
             "----------------------微信支付账单明细列表--------------------" + PAD,
             "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注", *reversed(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _merchant(tmp_path, monkeypatch, hole: list[int], config: str = CONFIG):
    """Two WeChat bills of 2026-10-01..10-10 stating their periods, leaving the days `hole`
    out; CMB credits each day's withdrawal."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-12-05")
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    folder = tmp_path / "statements"
    folder.mkdir()
    day = lambda d: f"2026-10-{d:02d}"
    before, after = range(1, hole[0]) if hole else range(1, 6), range(hole[-1] + 1, 11) if hole else range(6, 11)
    _bill(folder / "wx-a.csv", day(before[0]), day(before[-1]), [day(d) for d in before])
    _bill(folder / "wx-b.csv", day(after[0]), day(after[-1]), [day(d) for d in after])
    bank = ["记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"]
    bank += [f"{day(d)},CNY,100.00,{1000 + 100 * d:.2f},网联收款,财付通支付科技有限公司,微信零钱提现" for d in range(10, 0, -1)]
    (folder / "cmb.csv").write_text("\n".join(bank) + "\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(folder)).exit_code == 0
    result = beanclear(tmp_path, "check", "--format", "json")
    return result.exit_code, json.loads(result.output)["findings"]


@pytest.mark.parametrize("hole", [[3], [3, 4], [3, 4, 5], [3, 4, 5, 6]], ids=["1day", "2days", "3days", "4days"])
def test_days_between_two_bills_stating_their_periods_are_one_gap_holding_the_bank_credit(tmp_path, monkeypatch,
                                                                                         hole):
    code, findings = _merchant(tmp_path, monkeypatch, hole)
    first, last = f"2026-10-{hole[0]:02d}", f"2026-10-{hole[-1]:02d}"
    assert [f["code"] for f in findings] == ["statement-gap"], findings
    [gap] = findings
    assert gap["source"] == "wechat_me" and gap["date"] == first
    assert (f"covers {first} to {last}" if len(hole) > 1 else f"covers {first} ") in gap["message"]
    assert "quiet_days" not in gap["message"]   # both state their days: none of them is a quiet one
    assert len(gap["refs"]) == len(hole)        # the credits of those days wait in it
    assert code == 0


def test_two_bills_stating_periods_that_meet_give_nothing(tmp_path, monkeypatch):
    assert _merchant(tmp_path, monkeypatch, []) == (0, [])


def test_the_channels_quiet_days_still_says_otherwise(tmp_path, monkeypatch):
    config = CONFIG.replace("    bank: cmb\n", "    bank: cmb\n    quiet_days: 1\n")
    code, findings = _merchant(tmp_path, monkeypatch, [3], config)
    # the person says a day may be quiet: no hole, and the credit of it is judged
    assert [f["code"] for f in findings] == ["bank-unmatched"] and code == 0


def _cover(text: str, config=None) -> Coverage:
    entries, errors, _ = loader.load_string(text)
    assert not errors
    return Coverage.of(entries, config)


def _records(spans, period=None):
    said = f'  period: "{period}"\n' if period else ""
    return "".join(f'{last} custom "beanclear-coverage" "src" {first}\n{said}' for first, last in spans)


def test_coverage_of_statements_stating_periods_of_several_days_has_every_day_between_them_a_hole():
    day = lambda d: dt.date(2026, 10, d)
    for gap in (1, 2, 3, 4):
        spans = [(day(1), day(2)), (day(3 + gap), day(12))]
        assert _cover(_records(spans)).holes("src") == [(day(3), day(2 + gap))]
        assert _cover(_records(spans)).quiet_runs("src") == []
    # Alipay's personal bill, JD's, a bank's 明细 of a chosen range: the rule is of the
    # records, whatever the format that states the period
    assert _cover(_records([(day(1), day(2)), (day(3), day(12))])).holes("src") == []   # they meet
    # `quiet_days:` says otherwise up to QUIET_DAYS between them, never more (a month is a hole)
    from types import SimpleNamespace
    config = lambda n: SimpleNamespace(channels={"src": SimpleNamespace(quiet_days=n)})
    assert _cover(_records([(day(1), day(2)), (day(5), day(12))]), config(2)).holes("src") == []
    assert _cover(_records([(day(1), day(2)), (day(6), day(12))]), config(2)).holes("src") == [(day(3), day(5))]
    month = [(dt.date(2026, 9, 1), dt.date(2026, 9, 5)), (day(6), day(12))]
    assert _cover(_records(month), config(45)).holes("src") == [(dt.date(2026, 9, 6), day(5))]


def test_a_weekend_between_statements_read_from_their_lines_or_of_a_day_each_stays_quiet():
    day = lambda d: dt.date(2026, 10, d)   # 2026-10-03, -04: a weekend
    assert _cover(_records([(day(1), day(2)), (day(5), day(9))], "lines")).holes("src") == []
    # a bank's statement of each business day (CAMT, MT940), a WeChat bill of each day
    # with transactions (`tradebill-2026-10-02.csv`): none is made of a quiet day
    assert _cover(_records([(day(1), day(1)), (day(2), day(2)), (day(5), day(5))])).holes("src") == []
    assert _cover(_records([(day(1), day(2)), (day(5), day(5))])).holes("src") == []
