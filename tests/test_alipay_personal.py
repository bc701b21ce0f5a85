"""Alipay personal bills (app layouts 2023+ and ≤2022, web export): golden files over the
real samples, every money-moving row accounted for, the traps of FORMATS.md §1, bad input."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import alipay_personal, alipay_web
from beanclear.importers.toolkit import StatementError, clean, read_text
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text

SAMPLES = ["deg-alipay-2023format-gbk.csv", "deg-alipay-2021format-gbk.csv", "dhr-alipay-full-utf8.csv"]
CONFIG = """\
channels:
  alipay_me:
    type: alipay-personal
    bank: boc
    sales:                      # the merchant's takings: 收入 rows, and tea sold to named customers
      - {category: "^收入$"}
      - {counterparty: "张三|李四", item: "茶叶"}
banks:
  boc: {type: boc, account: Assets:Bank:BOC}
rules:
  - {match: "知乎", account: Expenses:Subscriptions}
  - {match: "包装|纸盒", account: Expenses:Packaging}
"""


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def extract(cfg, path, module=alipay_personal):
    importer = module.Importer(cfg.channels["alipay_me"], cfg)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def booked(entries) -> Decimal:
    """What the entries moved: each entry's amount leaving its source account."""
    return sum((-min(p.units.number for p in e.postings) for e in entries if isinstance(e, data.Transaction)),
               Decimal(0))


def file_rows(path) -> list[dict]:
    text = read_text(path)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "交易订单号" in line)
    rows = []
    for cells in csv.reader(io.StringIO("\n".join(lines[start:]))):
        if cells and cells[0].strip().startswith("---"):
            break
        rows.append(cells)
    header = [clean(c) for c in rows[0]]
    return [dict(zip(header, map(clean, r))) for r in rows[1:] if any(clean(c) for c in r)]


@pytest.mark.parametrize("name", SAMPLES)
def test_golden(cfg, name):
    extraction = extract(cfg, sample("alipay_personal", name))
    assert_golden(extraction_text(extraction), GOLDEN / "alipay_personal" / f"{name}.beancount")


@pytest.mark.parametrize("name", SAMPLES)
def test_every_money_row_is_booked_or_skipped_by_a_named_reason(cfg, name):
    # The samples' own totals are anonymised (`x笔`, 66 records for 10 rows): the books must
    # hold the sum of the rows, less exactly the rows skipped for a named reason.
    path = sample("alipay_personal", name)
    extraction = extract(cfg, path)
    rows = file_rows(path)
    assert extraction.rows == len(rows)
    refunded = {r["交易订单号"].split("_")[0] for r in rows if r.get("交易分类") == "退款" or r["商品说明"].startswith("退款")}
    moved = [r for r in rows if Decimal(r["金额"]) and not (r["交易状态"] == "交易关闭" and
                                                          not (r["收/支"] in ("支出", "收入") and r["交易订单号"] in refunded))]
    assert booked(extraction.entries) == sum(Decimal(r["金额"]) for r in moved)
    assert len([e for e in extraction.entries if isinstance(e, data.Transaction)]) == len(moved)
    assert sum(extraction.skipped.values()) == len(rows) - len(moved)
    assert all(reason.split(" ")[0] in ("交易关闭", "0.00") for reason in extraction.skipped)


def test_sales_and_funding_accounts(cfg):
    entries = extract(cfg, sample("alipay_personal", "dhr-alipay-full-utf8.csv")).entries
    by_id = {e.meta["id"]: {p.account: p.units.number for p in e.postings} for e in entries}
    assert by_id["2025000000001026IN"] == {"Assets:Clearing:AlipayMe": Decimal("6000.00"),
                                           "Income:Sales:AlipayMe": Decimal("-6000.00")}
    assert by_id["2025000000001022AP"]["Liabilities:Credit:AlipayMe"] == Decimal("-189.91")   # 花呗
    assert by_id["20250300000001001AP"]["Liabilities:Credit:AlipayMe"] == Decimal("-132.99")  # 花呗&优惠
    assert by_id["2025000000001070AP"]["Assets:Savings:AlipayMe"] == Decimal("-15.12")        # 余额宝
    assert by_id["2025000000001043AP"]["Assets:Clearing:AlipayMe"] == Decimal("-109.98")      # card&红包
    assert by_id["2025010000001001AP"]["Assets:Clearing:AlipayMe"] == Decimal("-79.00")       # 账户余额
    assert by_id["2025000000001055AP"]["Expenses:Subscriptions"] == Decimal("19.00")          # a rule
    assert by_id["2025000000001084AP"] == {"Assets:Savings:AlipayMe": Decimal("50.00"),     # 余额宝-自动转入
                                           "Assets:Clearing:AlipayMe": Decimal("-50.00")}


def test_without_sales_the_income_rows_are_the_sales(make_config):
    # configured by its type alone: 交易分类 收入 (money collected) is a sale, nothing else
    cfg = make_config(CONFIG.replace(CONFIG[CONFIG.index("    sales:"):CONFIG.index("banks:")], ""))
    entries = extract(cfg, sample("alipay_personal", "dhr-alipay-full-utf8.csv")).entries
    sold = {e.meta["id"] for e in entries if "Income:Sales:AlipayMe" in {p.account for p in e.postings}}
    assert sold == {"2025000000001024IN", "2025000000001025IN", "2025000000001026IN"}


def test_combined_funding_is_counted_in_a_note(cfg):
    extraction = extract(cfg, sample("alipay_personal", "dhr-alipay-full-utf8.csv"))
    assert "5 rows paid with combined funding" in " ".join(extraction.notes)


def test_refund_goes_back_to_the_card_and_names_the_original(cfg):
    entries = extract(cfg, sample("alipay_personal", "deg-alipay-2023format-gbk.csv")).entries
    refund = next(e for e in entries if e.meta["id"] == "2023xxxxx88_2023xx57")
    assert refund.meta["refund-of"] == "2023xxxxx88"
    # the purchase flipped to 交易关闭 when refunded in full: booked, as its refund is
    purchase = next(e for e in entries if e.meta["id"] == "2023xxxxx88")
    assert {p.account: p.units.number for p in purchase.postings}["Assets:Savings:AlipayMe"] == Decimal("-50.00")
    card_refund = next(e for e in entries if e.narration == "退款-亲情卡")
    assert {p.account: p.units.number for p in card_refund.postings}["Assets:Transit:AlipayMe"] == Decimal("16.03")


def test_repeated_ids_of_user_edited_bills_stay_distinct(cfg):
    entries = extract(cfg, sample("alipay_personal", "deg-alipay-2021format-gbk.csv")).entries
    ids = [e.meta["id"] for e in entries]
    assert len(ids) == len(set(ids)) == 16
    assert sum(i.startswith("123456-") for i in ids) == 12


def test_old_layout_footer_totals_are_compared(cfg):
    notes = extract(cfg, sample("alipay_personal", "deg-alipay-2021format-gbk.csv")).notes
    assert notes and "summary line says rows 21" in notes[0]


# -- the web export (no public sample: files written here from FORMATS.md §1c) ----------

WEB_HEADER = ("交易号                  ,商家订单号               ,交易创建时间              ,付款时间                ,最近修改时间"
              "              ,交易来源地     ,类型              ,交易对方            ,商品名称                ,金额（元）   ,收/支     ,"
              "交易状态    ,服务费（元）   ,成功退款（元）  ,备注                  ,资金状态     ,")


def web_row(trade, order, time, kind, who, item, amount, direction, status, fee="0.00", refunded="0.00", funds=""):
    return ",".join([f"{trade}\t", f"{order}\t", time, time, time, "支付宝网站", kind, who, item, amount, direction,
                     status, fee, refunded, "", funds, ""])


WEB_ROWS = [
    web_row("2024040122001112345678", "T2024040100001", "2024-04-01 09:23:13", "即时到账交易", "张三", "茶叶 250g",
            "100.00", "收入", "交易成功", fee="0.60", funds="已收入"),
    web_row("2024040522001112345679", "", "2024-04-05 14:00:02", "支付宝担保交易", "包装材料店", "纸盒 100个", "38.50",
            "支出", "交易成功", funds="已支出"),
    web_row("2024041022001112345680", "", "2024-04-10 10:00:05", "退款", "包装材料店", "退款-纸盒 100个", "10.00",
            "", "退款成功", funds="已收入"),
    web_row("2024041122001112345681", "", "2024-04-11 10:00:05", "即时到账交易", "李四", "茶叶 500g", "80.00", "收入",
            "交易关闭", funds=""),
    web_row("2024041222001112345682", "", "2024-04-12 10:00:01", "转账", "余额宝", "余额宝-单次转入", "20.00", "",
            "交易成功", funds="资金转移"),
]


def web_export(tmp_path, rows=WEB_ROWS, totals=("共5笔记录", "已收入：2笔,110.00元", "已支出：1笔,38.50元")):
    lines = ["支付宝交易记录明细查询", "账号:[20880000@example.com]",
             "起始日期:[2024-04-01 00:00:00]    终止日期:[2024-05-01 00:00:00]",
             "---------------------------------交易记录明细列表------------------------------------", WEB_HEADER, *rows,
             "---------------------------------交易记录明细列表结束------------------------------------", *totals,
             "导出时间:[2024-05-02 09:00:00]"]
    path = tmp_path / "alipay_record_20240502.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def test_web_export_golden(cfg, tmp_path):
    extraction = extract(cfg, web_export(tmp_path), alipay_web)
    assert len(extraction.notes) == 1   # 已收入 and 已支出 add up; the note is the methods' (below)
    assert_golden(extraction_text(extraction), GOLDEN / "alipay_personal" / "web-export.beancount")


def test_web_export_fee_is_kept_by_alipay_out_of_the_amount(cfg, tmp_path):
    sale = extract(cfg, web_export(tmp_path), alipay_web).entries[0]
    assert {p.account: p.units.number for p in sale.postings} == {
        "Assets:Clearing:AlipayMe": Decimal("99.40"), "Expenses:Fees:AlipayMe": Decimal("0.60"),
        "Income:Sales:AlipayMe": Decimal("-100.00")}
    assert sale.links == {"order-T2024040100001"}


def test_web_export_totals_disagreeing_are_a_note(cfg, tmp_path):
    path = web_export(tmp_path, totals=("共6笔记录", "已收入：2笔,110.00元", "已支出：1笔,38.50元"))
    assert "summary line says rows 6" in extract(cfg, path, alipay_web).notes[0]


@pytest.mark.parametrize("row, message", [
    (web_row("2024", "", "2024-04-01 09:00:00", "转账", "x", "y", "1.00", "支出", "交易成功", funds="已收入"),
     "收/支 says 支出 but 资金状态 says 已收入"),
    (web_row("2024", "", "2024-04-01 09:00:00", "转账", "x", "y", "1.00", "支出", "神秘状态", funds="已支出"),
     "column 交易状态: unknown status '神秘状态'"),
    (web_row("2024", "", "2024-04-01 09:00:00", "转账", "x", "y", "1.0x", "支出", "交易成功", funds="已支出"),
     "column 金额（元）: expected an amount, got '1.0x'"),
    (web_row("2024", "", "2024-04-01 09:00:00", "转账", "x", "y", "1.00", "支出", "交易成功", funds="已支出")[:-30],
     "expected 16 cells as in the header (line 5)"),
    (web_row("2.02404E+21", "", "2024-04-01 09:00:00", "转账", "x", "y", "1.00", "支出", "交易成功", funds="已支出"),
     "column 交易号: '2.02404E+21' is an id Excel shortened to scientific notation (its digits are lost)"),
    (web_row("2024", "2.02404E+15", "2024-04-01 09:00:00", "即时到账交易", "x", "y", "1.00", "收入", "交易成功",
             funds="已收入"),
     "column 商家订单号: '2.02404E+15' is an id Excel shortened to scientific notation (its digits are lost)"),
])
def test_web_export_bad_rows(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, web_export(tmp_path, rows=[row]), alipay_web)
    assert str(caught.value).startswith(f"{tmp_path / 'alipay_record_20240502.txt'}:6: {message}")


# -- bad input in the app layouts ---------------------------------------------------------

APP_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"


def app_bill(tmp_path, *rows):
    path = tmp_path / "alipay.csv"
    path.write_bytes("\r\n".join(["------", "导出信息：", "共1笔记录", "", APP_HEADER, *rows]).encode("gb18030"))
    return path


@pytest.mark.parametrize("row, message", [
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,神秘状态,2025001\t,,,", "column 交易状态: unknown status '神秘状态'"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,流出,12.00,余额,交易成功,2025001\t,,,", "column 收/支: expected 收入, 支出"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,十二元,余额,交易成功,2025001\t,,,", "column 金额: expected an amount"),
    ("2025-13-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,2025001\t,,,", "column 交易时间: expected a date"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,,,,", "column 交易订单号: expected the trade number"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00", "expected 12 cells as in the header (line 5)"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,2.02501E+27,,,",
     "column 交易订单号: '2.02501E+27' is an id Excel shortened to scientific notation (its digits are lost)"),
    ("2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,2025001\t,1.10000E+23,,",
     "column 商家订单号: '1.10000E+23' is an id Excel shortened to scientific notation (its digits are lost)"),
])
def test_app_bill_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, app_bill(tmp_path, row))
    assert str(caught.value).startswith(f"{tmp_path / 'alipay.csv'}:6: {message}")


def test_neutral_row_of_unknown_kind_is_skipped_and_named_never_signed(cfg, tmp_path):
    path = app_bill(tmp_path, "2025-01-01 10:00:00,信用借还,x,/,神秘业务,不计收支,12.00,余额,交易成功,2025001\t,,,")
    extraction = extract(cfg, path)
    assert extraction.entries == []
    assert extraction.skipped == {"neutral row of unknown kind (信用借还): direction not stated": 1}


def test_only_a_transfer_into_yuebao_goes_to_savings(cfg, tmp_path):
    # 转入 alone is no 余额宝 transfer: 数字人民币-转入 fills another wallet (the e-CNY one), and
    # was booked as the balance moving to 余额宝.
    path = app_bill(tmp_path, "2025-01-01 10:00:00,账户存取,数字人民币,/,数字人民币-转入,不计收支,17.00,,交易成功,2025001\t,,,",
                    "2025-01-02 10:00:00,投资理财,余额宝,/,余额宝-单次转入,不计收支,5.00,余额,交易成功,2025002\t,,,")
    extraction = extract(cfg, path)
    [to_yuebao] = extraction.entries
    assert to_yuebao.meta["id"] == "2025002"
    assert {p.account: p.units.number for p in to_yuebao.postings} == {
        "Assets:Savings:AlipayMe": Decimal("5.00"), "Assets:Clearing:AlipayMe": Decimal("-5.00")}
    assert extraction.skipped == {"neutral row of unknown kind (账户存取): direction not stated": 1}


def test_trailing_comma_and_ragged_rows_both_read(cfg, tmp_path):
    path = app_bill(tmp_path, "2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,2025001\t,,",
                    "2025-01-02 10:00:00,餐饮美食,x,/,y,支出,13.00,余额,交易成功,2025002\t,,,")
    assert [e.meta["id"] for e in extract(cfg, path).entries] == ["2025001", "2025002"]


def test_boc_card_payment_through_alipay_meets_the_alipay_row_in_clearing(cfg):
    # The same payment on the card's bank statement is not counted twice: the bank line
    # goes to the wallet's clearing account, which the Alipay row takes it out of.
    from beanclear.importers import bank_csv
    bank = bank_csv.Importer(cfg.banks["boc"], cfg)
    entries = bank.parse(str(sample("bank_csv", "deg-boc-debit.csv"))).entries
    accounts = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                accounts[p.account] += p.units.number
    assert accounts["Assets:Clearing:AlipayMe"] == Decimal("326.00") + 50 + 60 + Decimal("13.50") + \
        Decimal("15.48") + 16 + Decimal("196.90")    # 网上快捷支付 debits naming 支付宝
    assert accounts["Assets:Transit:AlipayMe"] == -(Decimal("50.00") + 3000)  # 快捷退款 and 余额提现 credits


def test_stated_spending_net_of_the_bills_own_refunds_agrees(cfg, tmp_path):
    """A March 2026 bill (penghee/alipay2moneywiz scripts/alipay_03.csv): its 支出 rows add
    to 10964.90, two of them were refunded within the bill (115.02, 不计收支 rows), and it
    states 支出 10849.88. Alipay nets those refunds, not one of an older purchase."""
    def bill(spent):
        path = tmp_path / "alipay.csv"
        rows = ["2026-03-08 16:30:06,退款,万帮,/,退款-预支付,不计收支,41.21,招商银行信用卡(2542),退款成功,2026030801_R1\t,M1\t,,",
                "2026-03-08 16:06:16,爱车养车,万帮,/,预支付,支出,50.00,招商银行信用卡(2542),交易成功,2026030801\t,M1\t,,",
                "2026-03-20 21:03:21,退款,航旅纵横,/,退款-机票,不计收支,4140.00,招商银行信用卡(2542),退款成功,2025101609_R2\t,M9\t,,",
                "2026-03-21 05:36:22,公共服务,税务,/,缴税,支出,100.00,招商银行信用卡(2542),交易成功,2026032102\t,M2\t,,"]
        path.write_bytes("\r\n".join(["------", "导出信息：", "共4笔记录", "收入：0笔 0.00元", f"支出：2笔 {spent}元",
                                      "不计收支：2笔 4181.21元", "", APP_HEADER, *rows]).encode("gb18030"))
        return path

    netted = extract(cfg, bill("108.79"))   # 150.00 less 41.21; the 4140.00 refunds a 2025 purchase
    assert netted.notes == [] and len(netted.entries) == 4
    assert extract(cfg, bill("150.00")).notes == []   # as the rows add up
    assert extract(cfg, bill("99.00")).notes == [
        "summary line says 支出 amount 99.00; the rows add up to 支出 amount 150.00 (rows the summary does not count: a file edited or joined?)"]


def test_a_refund_of_a_sale_gives_the_sale_back(cfg, tmp_path):
    # a blind helper's street stall: 退款-收钱码收款 (不计收支) of a 收钱码 sale was booked as money
    # in from Suspense; the sale stood, clearing was 2x the refund too high, no refund-rate
    path = app_bill(tmp_path,
                    "2025-01-02 10:00:00,退款,*娜,/,退款-收钱码收款,不计收支,120.00,余额,退款成功,2025001_9001\t,,,",
                    "2025-01-01 10:00:00,收入,*娜,/,收钱码收款,收入,120.00,,交易成功,2025001\t,,,",
                    "2025-01-03 10:00:00,退款,某店,/,退款-纸盒,不计收支,8.00,余额,退款成功,2025002_9002\t,,,",
                    "2025-01-01 11:00:00,日用百货,某店,/,纸盒,支出,8.00,余额,交易成功,2025002\t,,,")
    by_id = {e.meta["id"]: e for e in extract(cfg, path).entries}
    sold, back = by_id["2025001"], by_id["2025001_9001"]
    assert {p.account: p.units.number for p in back.postings} == {
        "Income:Sales:AlipayMe": Decimal("120.00"), "Assets:Clearing:AlipayMe": Decimal("-120.00")}
    assert back.meta["refund-of"] == "2025001" and sold.postings[0].units.number == Decimal("120.00")
    purchase_back = by_id["2025002_9002"]   # a purchase's refund still comes back into the wallet
    assert {p.account: p.units.number for p in purchase_back.postings}["Assets:Clearing:AlipayMe"] == Decimal("8.00")


def test_a_closed_collection_refunded_in_the_file_is_booked_with_its_refund(cfg, tmp_path):
    # a blind tester's stall: a 收钱码 collection refunded in full flips to 交易关闭, as a
    # purchase does; it was skipped while its refund was booked going out, so the wallet
    # ended 45.00 short and the sales overstated. Booked, the pair nets to nothing.
    path = app_bill(tmp_path,
                    "2026-01-06 15:00:00,退款,*红,/,退款-收钱码收款,不计收支,45.00,余额,退款成功,2026010602_RF01\t,,,",
                    "2026-01-06 12:00:00,收入,*红,/,收钱码收款,收入,45.00,,交易关闭,2026010602\t,,,",
                    "2026-01-05 18:20:11,收入,*明,/,收钱码收款,收入,30.00,,交易成功,2026010501\t,,,",
                    "2026-01-07 09:00:00,退款,*刚,/,退款-转账,不计收支,20.00,余额,退款成功,2026010703_RF02\t,,,",
                    "2026-01-07 08:00:00,转账红包,*刚,/,转账,收入,20.00,,交易关闭,2026010703\t,,,")
    extraction = extract(cfg, path)
    by_id = {e.meta["id"]: {p.account: p.units.number for p in e.postings} for e in extraction.entries}
    assert by_id["2026010602"] == {"Assets:Clearing:AlipayMe": Decimal("45.00"),
                                   "Income:Sales:AlipayMe": Decimal("-45.00")}
    assert by_id["2026010602_RF01"] == {"Income:Sales:AlipayMe": Decimal("45.00"),
                                        "Assets:Clearing:AlipayMe": Decimal("-45.00")}
    # money received that is no sale, given back: the refund goes out too, never in again
    assert by_id["2026010703"] == {"Assets:Clearing:AlipayMe": Decimal("20.00"), "Assets:Suspense": Decimal("-20.00")}
    assert by_id["2026010703_RF02"] == {"Assets:Suspense": Decimal("20.00"),
                                        "Assets:Clearing:AlipayMe": Decimal("-20.00")}
    wallet = sum(p.units.number for e in extraction.entries for p in e.postings if p.account.startswith("Assets:Cl"))
    assert wallet == Decimal("30.00") and not extraction.skipped


def test_a_bill_that_counts_no_records_is_a_quiet_statement(cfg, tmp_path):
    path = tmp_path / "alipay.csv"
    preamble = ["------", "导出信息：", "起始时间：[2026-01-05 00:00:00]    终止时间：[2026-01-09 23:59:59]"]
    path.write_bytes("\r\n".join([*preamble, "共0笔记录", "收入：0笔 0.00元", "", APP_HEADER]).encode("gb18030"))
    importer = alipay_personal.Importer(cfg.channels["alipay_me"], cfg)
    extraction = importer.read(str(path))
    assert (extraction.rows, list(extraction.entries), extraction.notes) == (0, [], [])
    assert [str(d) for d in extraction.period] == ["2026-01-05", "2026-01-09"]
    path.write_bytes("\r\n".join([*preamble, "共3笔记录", "", APP_HEADER]).encode("gb18030"))
    with pytest.raises(StatementError, match=":6: no rows below the header"):
        importer.read(str(path))


# -- what the web export calls a collection -------------------------------------------------

STALL_ROWS = [   # a street stall's 收钱码 on the web export: no 交易分类, 类型 says only how the money moved
    web_row("2026030222001", "", "2026-03-02 09:00:00", "即时到账交易", "*娜", "收钱码收款", "55.31", "收入", "交易成功",
            funds="已收入"),
    web_row("2026030222002", "", "2026-03-02 10:00:00", "即时到账交易", "张三", "转账", "20.00", "收入", "交易成功",
            funds="已收入"),
    web_row("2026030222003", "", "2026-03-02 11:00:00", "即时到账交易", "某店", "收钱码收款", "12.00", "支出", "交易成功",
            funds="已支出"),
]


def web_accounts(cfg, path) -> dict:
    return {e.meta["id"]: {p.account: p.units.number for p in e.postings}
            for e in extract(cfg, path, alipay_web).entries}


def test_web_export_without_sales_a_collection_is_a_sale(make_config, tmp_path):
    # a blind tester's stall: without `sales:` the web export's 收钱码 collections went to
    # Assets:Suspense (one bank-unmatched warning each), where the app layouts' are sales
    no_sales = CONFIG.replace(CONFIG[CONFIG.index("    sales:"):CONFIG.index("banks:")], "")
    path = web_export(tmp_path, rows=STALL_ROWS, totals=("共3笔记录",))
    by_id = web_accounts(make_config(no_sales), path)
    assert by_id["2026030222001"] == {"Assets:Clearing:AlipayMe": Decimal("55.31"),
                                      "Income:Sales:AlipayMe": Decimal("-55.31")}
    assert by_id["2026030222002"]["Assets:Suspense"] == Decimal("-20.00")   # a transfer: not said to be a sale
    assert by_id["2026030222003"]["Assets:Suspense"] == Decimal("12.00")    # paid to another's 收钱码: a purchase
    # `sales:` says which rows are sales, the web export's as the app's: here, none of these
    none = web_accounts(make_config(no_sales.replace("banks:", "    sales: []\nbanks:", 1)), path)
    assert none["2026030222001"]["Assets:Suspense"] == Decimal("-55.31")
    assert web_accounts(make_config(CONFIG), path)["2026030222001"]["Assets:Suspense"] == Decimal("-55.31")


def test_web_export_refund_of_a_collection_gives_the_sale_back(make_config, tmp_path):
    no_sales = CONFIG.replace(CONFIG[CONFIG.index("    sales:"):CONFIG.index("banks:")], "")
    rows = [STALL_ROWS[0],
            web_row("2026030222001_RF1", "", "2026-03-03 09:00:00", "退款", "*娜", "退款-收钱码收款", "55.31", "不计收支",
                    "退款成功", funds="已支出")]
    back = extract(make_config(no_sales), web_export(tmp_path, rows=rows, totals=("共2笔记录",)), alipay_web).entries[1]
    assert {p.account: p.units.number for p in back.postings} == {
        "Income:Sales:AlipayMe": Decimal("55.31"), "Assets:Clearing:AlipayMe": Decimal("-55.31")}
    assert back.meta["refund-of"] == "2026030222001"


@pytest.mark.parametrize("name, encoding", [("deg-alipay-2023format-gbk.csv", "gbk"),
                                            ("dhr-alipay-full-utf8.csv", "utf-8")])
def test_a_bill_whose_header_cells_are_quoted_reads_as_the_bill(cfg, tmp_path, name, encoding):
    from test_wechat_personal import quoted_header
    original = sample("alipay_personal", name)
    path = quoted_header(original, tmp_path / name, "交易订单号", encoding)
    assert extraction_text(extract(cfg, path)).split("\n\n", 1)[1].replace(str(path), "X") == \
        extraction_text(extract(cfg, original)).split("\n\n", 1)[1].replace(str(original), "X")


# -- what the web export cannot tell: the payment method ---------------------------------------

def test_web_export_rows_state_no_method_and_the_import_says_so(cfg, tmp_path):
    """blind29 personalbills #2: the web export's 花呗 purchases were booked on the balance
    with no word. Every row it books says its method is unknown; its purchases and refunds
    (where a method other than the balance or a card, 花呗 or 余额宝, would be another
    account) are counted in a note."""
    extraction = extract(cfg, web_export(tmp_path), alipay_web)
    assert {e.meta["id"]: e.meta.get("method") for e in extraction.entries} == dict.fromkeys(
        ["2024040122001112345678", "2024040522001112345679", "2024041022001112345680", "2024041222001112345682"],
        "unknown")
    [note] = extraction.notes
    assert note.startswith("2 purchases or refunds whose payment method the web export does not state "
                           '(`method: "unknown"`): booked on the Alipay balance'), note
    purchase = extraction.entries[1]
    assert {p.account: p.units.number for p in purchase.postings} == {
        "Expenses:Packaging": Decimal("38.50"), "Assets:Clearing:AlipayMe": Decimal("-38.50")}


def test_web_export_of_money_in_and_transfers_only_has_no_method_note(cfg, tmp_path):
    # must not: sales and a 余额宝 transfer go where they go whatever paid the buyer
    rows = [WEB_ROWS[0], WEB_ROWS[4]]
    extraction = extract(cfg, web_export(tmp_path, rows=rows, totals=("共2笔记录",)), alipay_web)
    assert extraction.notes == [] and len(extraction.entries) == 2


def test_app_bill_rows_state_their_method_and_have_no_method_note(cfg, tmp_path):
    # must not: the app bill states each method (none written for the balance)
    path = app_bill(tmp_path, "2025-01-01 10:00:00,餐饮美食,x,/,y,支出,12.00,余额,交易成功,2025001\t,,,",
                    "2025-01-02 10:00:00,餐饮美食,x,/,y,支出,13.00,花呗,交易成功,2025002\t,,,")
    extraction = extract(cfg, path)
    assert not any("method" in note for note in extraction.notes)
    assert [e.meta.get("method") for e in extraction.entries] == [None, "花呗"]


def test_web_export_top_up_is_from_a_card_into_the_balance(cfg, tmp_path):
    """A 充值 fills the balance from a card: the web export's, without a method, is booked
    as the app bill's top-up by card is, both postings on clearing, where the card's debit
    naming Alipay meets it (it was skipped as moving nothing, and the debit unanswered)."""
    rows = [web_row("2024041322001112345683", "", "2024-04-13 10:00:01", "充值", "招商银行", "充值-普通充值", "300.00", "",
                    "交易成功", funds="资金转移")]
    [top_up] = extract(cfg, web_export(tmp_path, rows=rows, totals=("共1笔记录",)), alipay_web).entries
    assert [(p.account, p.units.number) for p in top_up.postings] == [
        ("Assets:Clearing:AlipayMe", Decimal("300.00")), ("Assets:Clearing:AlipayMe", Decimal("-300.00"))]
    assert top_up.meta["method"] == "unknown"
