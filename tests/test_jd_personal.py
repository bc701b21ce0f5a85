"""JD personal statement (京东交易流水): no public sample was copied (FORMATS.md §8a), so
the file is written by statement_files.py from the documented layout: BOM, preamble
totals, TAB-suffixed ids, amounts like `131.77(已退款89.84)`, 先享后付 0.00 rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear.importers import jd_personal
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN
from golden_util import assert_golden, extraction_text
from statement_files import JD_ROWS, jd_statement

CONFIG = """\
channels:
  jd_me:
    type: jd-personal
    sales: [{item: "货款"}]
rules:
  - {match: "茶具", account: Expenses:Supplies}
"""


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def extract(cfg, path):
    importer = jd_personal.Importer(cfg.channels["jd_me"], cfg)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def test_golden_and_totals(cfg, tmp_path):
    extraction = extract(cfg, jd_statement(tmp_path))
    assert extraction.notes == []   # 共7笔; 收入 268.01, 支出 151.67, 不计收支 131.84: as the rows
    assert extraction.skipped == {"0.00 (先享后付 and the like: no money moved)": 1,
                                  "交易关闭 (closed: no money moved)": 1}
    assert_golden(extraction_text(extraction), GOLDEN / "jd_personal" / "jd-statement.beancount")


def test_partial_refund_in_the_amount(cfg, tmp_path):
    purchase, refund, *_ = extract(cfg, jd_statement(tmp_path)).entries
    assert purchase.meta["refunded"] == "89.84"
    assert {p.account: p.units.number for p in purchase.postings} == {
        "Expenses:Supplies": Decimal("131.77"), "Liabilities:Credit:JdMe": Decimal("-131.77")}
    assert {p.account: p.units.number for p in refund.postings} == {
        "Liabilities:Credit:JdMe": Decimal("89.84"), "Expenses:Supplies": Decimal("-89.84")}


@pytest.mark.parametrize("row, message", [
    (JD_ROWS[0].replace("131.77(已退款89.84)", "131.77(已退款)"), "column 金额: expected an amount"),
    (JD_ROWS[0].replace("交易成功", "审核中"), "column 交易状态: unknown status '审核中'"),
    (JD_ROWS[0].replace("283349211012\t,110000000000000000000044\t", "\t,\t"),
     "columns 交易订单号 and 商家订单号: expected an id, got neither"),
    (JD_ROWS[0].replace("283349211012\t", "2.83349E+20"),
     "column 交易订单号: '2.83349E+20' is an id Excel shortened to scientific notation (its digits are lost)"),
    (JD_ROWS[0].replace("110000000000000000000044\t", "1.1E+23"),
     "column 商家订单号: '1.1E+23' is an id Excel shortened to scientific notation (its digits are lost)"),
    (JD_ROWS[0].replace("283349211012\t,110000000000000000000044\t", "\t,1.1E+23"),
     "column 商家订单号: '1.1E+23' is an id Excel shortened to scientific notation (its digits are lost)"),
])
def test_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, jd_statement(tmp_path, rows=[row]))
    assert str(caught.value).startswith(f"{tmp_path / 'jd.csv'}:14: {message}")


# deb-sig's example/jd export of December 2024 (a real bill, anonymised): a purchase refunded
# in full is written 不计收支 `468.32(已全额退款)` beside its refund rows; 支出 is stated net
# of the partial refunds, `16笔(含4笔部分退款)`, and 不计收支 without the purchase refunded in
# full (its total is its refund rows').
REFUNDED_IN_FULL = "\n".join([
    "导出信息：", "京东账号名：jd_x", "日期区间：2024-12-01 至 2024-12-31", "共：4笔记录", "收入：0笔，0.00元",
    "支出：1笔(含1笔部分退款)，60.00元", "不计收支：3笔，468.32元", "", "交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注",
    "2024-12-24 22:43:31\t,京东平台商户,退款-夹克,70.48,中国银行信用卡(1875),退款成功,不计收支,网购,R2\t,M1\t, ,",
    "2024-12-24 22:33:54\t,京东平台商户,退款-软壳裤等多件,397.84,中国银行信用卡(1875),退款成功,不计收支,网购,R1\t,M1\t, ,",
    "2024-12-24 22:33:07\t,京东平台商户,软壳裤 等多件,468.32(已全额退款),中国银行信用卡(1875),交易成功,不计收支,服饰内衣,P1\t,M1\t, ,",
    "2024-12-10 23:40:50\t,京东平台商户,手胶,100.00(已退款40.00),中国银行信用卡(1341),交易成功,支出,运动户外,P2\t,M2\t, ,",
    ""])


def test_a_purchase_refunded_in_full_is_booked_beside_its_refunds(cfg, tmp_path):
    path = tmp_path / "京东交易流水.csv"
    path.write_text(REFUNDED_IN_FULL, encoding="utf-8-sig")
    extraction = extract(cfg, path)
    booked = {t.meta["id"]: {p.account: p.units.number for p in t.postings} for t in extraction.entries}
    assert booked == {
        "R2": {"Assets:Transit:JdMe": Decimal("70.48"), "Assets:Suspense": Decimal("-70.48")},
        "R1": {"Assets:Transit:JdMe": Decimal("397.84"), "Assets:Suspense": Decimal("-397.84")},
        "P1": {"Assets:Suspense": Decimal("468.32"), "Assets:Clearing:JdMe": Decimal("-468.32")},   # was skipped
        "P2": {"Assets:Suspense": Decimal("100.00"), "Assets:Clearing:JdMe": Decimal("-100.00")}}
    assert extraction.notes == []   # 支出 100.00 less its 40.00 refund; 不计收支 397.84 + 70.48: as stated
