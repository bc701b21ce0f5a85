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
])
def test_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, jd_statement(tmp_path, rows=[row]))
    assert str(caught.value).startswith(f"{tmp_path / 'jd.csv'}:14: {message}")
