"""WeChat Pay personal bills, CSV and XLSX: golden files over the real samples, totals,
the traps of FORMATS.md §2 (¥ and ￥, `/`, TAB after quotes, numeric XLSX cells, two
sheets, refunds in the status, the fee in 备注), bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import wechat_personal
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text

CONFIG = """\
channels:
  wechat_me:
    type: wechat-personal
    sales:
      - {category: "二维码收款|群收款"}
rules:
  - {match: "房东", account: Expenses:Rent}
"""


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def extract(cfg, path):
    importer = wechat_personal.Importer(cfg.channels["wechat_me"], cfg)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def postings(entry) -> dict:
    return {p.account: p.units.number for p in entry.postings}


@pytest.mark.parametrize("name", ["deg-wechat-records.csv", "deg-wechat-records.xlsx"])
def test_golden(cfg, name):
    extraction = extract(cfg, sample("wechat_personal", name))
    assert_golden(extraction_text(extraction), GOLDEN / "wechat_personal" / f"{name}.beancount")


def test_csv_and_xlsx_of_one_bill_give_the_same_entries(cfg):
    # The XLSX's first sheet is a user's Power-Query copy (`Column1…`); Sheet1 holds the
    # bill with numeric amount cells. Entries, ids included, are those of the CSV.
    csv = extract(cfg, sample("wechat_personal", "deg-wechat-records.csv"))
    xlsx = extract(cfg, sample("wechat_personal", "deg-wechat-records.xlsx"))
    def meta(entry):
        return {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}

    assert [meta(e) for e in csv.entries] == [meta(e) for e in xlsx.entries]
    assert [e.postings for e in csv.entries] == [e.postings for e in xlsx.entries]


def test_every_row_is_booked_or_skipped_and_amounts_add_up(cfg):
    extraction = extract(cfg, sample("wechat_personal", "deg-wechat-records.csv"))
    # 27 rows, all booked: the 零钱充值 too (a top-up of 零钱 from a card: out of the card and
    # into 零钱, both the clearing account, where the bank's debit meets it: wallet.py)
    assert extraction.rows == 27 and len(extraction.entries) == 27
    assert extraction.skipped == {}
    [top_up] = [e for e in extraction.entries if e.narration == "零钱充值"]
    assert [(p.account, p.units.number) for p in top_up.postings] == [
        ("Assets:Clearing:WechatMe", Decimal("1300.00")), ("Assets:Clearing:WechatMe", Decimal("-1300.00"))]
    moved = sum(-min(p.units.number for p in e.postings) for e in extraction.entries)
    all_rows = Decimal("28.16") + Decimal("0.35") + 12 + 500 + 23 + 2000 + Decimal("100.10") + Decimal("10.10") + \
        Decimal("1001.10") + Decimal("548.58") + 10000 + 3000 + Decimal("2634.78") + Decimal("1.23") + 5505 + 1300 + \
        Decimal("2243.46") + 12 + 12 + Decimal("0.07") * 2 + Decimal("36.99") + 5 + Decimal("9.90") + 50 + \
        Decimal("0.01") * 2
    assert moved == all_rows


def test_withdrawal_fee_from_the_remark_is_inside_the_amount(cfg):
    entries = extract(cfg, sample("wechat_personal", "deg-wechat-records.csv")).entries
    withdrawal = next(e for e in entries if e.meta["id"] == "207210715100077148235523883175")
    assert postings(withdrawal) == {"Assets:Transit:WechatMe": Decimal("100.00"),
                                    "Expenses:Fees:WechatMe": Decimal("0.10"),
                                    "Assets:Clearing:WechatMe": Decimal("-100.10")}
    assert withdrawal.links == {"payout-207210715100077148235523883175"}


def test_sale_and_wallet_accounts(cfg):
    entries = extract(cfg, sample("wechat_personal", "deg-wechat-records.csv")).entries
    by_narration = {e.narration: postings(e) for e in entries}
    [sale] = [postings(e) for e in entries if e.payee == "用户A"]   # 二维码收款, a sale by `sales:`
    assert sale == {"Assets:Clearing:WechatMe": Decimal("23.00"), "Income:Sales:WechatMe": Decimal("-23.00")}
    assert by_narration["转账备注:微信转账"] == {"Expenses:Rent": Decimal("500.00"),
                                           "Assets:Savings:WechatMe": Decimal("-500.00")}
    assert by_narration["零钱通转出-到零钱"] == {"Assets:Clearing:WechatMe": Decimal("2634.78"),
                                          "Assets:Savings:WechatMe": Decimal("-2634.78")}


@pytest.mark.parametrize("sales, sold", [("", {"用户A"}), ("    sales: []\n", set())])
def test_without_sales_the_qr_code_takings_are_the_sales(make_config, sales, sold):
    # DESIGN's 收款码 wallet, configured by its type alone: what came in through the QR
    # code (二维码收款) is a sale; a 赞赏码 the person paid is not; `sales: []` says none.
    cfg = make_config(CONFIG.split("    sales:")[0] + sales)
    entries = extract(cfg, sample("wechat_personal", "deg-wechat-records.csv")).entries
    assert {e.payee for e in entries if "Income:Sales:WechatMe" in postings(e)} == sold
    [tip] = [postings(e) for e in entries if e.payee == "YingDev"]   # 赞赏码, 支出
    assert "Income:Sales:WechatMe" not in tip


HEADER = "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"
PREAMBLE = ["微信支付账单明细,,,,,,,,,,", "微信昵称：[清风],,,,,,,,,,", "共2笔记录,,,,,,,,,,",
            "收入：1笔 23.00元,,,,,,,,,,", "支出：1笔 88.00元,,,,,,,,,,", "中性交易：0笔 0.00元,,,,,,,,,,",
            "----------------------微信支付账单明细列表--------------------,,,,,,,,,,"]
ROWS = ['2026-03-01 12:00:00,二维码收款,用户A,"/",收入,￥23.00,"/",已收钱,"1000050001"\t,"/"\t,"/"',
        '2026-03-02 12:00:00,商户消费,茶叶批发店,茶叶,支出,"¥88.00",招商银行(1234),已退款(￥39.93),4200000001\t,M1\t,/']


def bill(tmp_path, rows=ROWS, preamble=PREAMBLE):
    path = tmp_path / "微信支付账单(20260301-20260331).csv"
    path.write_text("\n".join([*preamble, HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_partial_refund_in_the_status_is_kept_and_totals_match(cfg, tmp_path):
    extraction = extract(cfg, bill(tmp_path))
    assert extraction.notes == []   # 共2笔, 收入 23.00, 支出 88.00: the rows say the same
    sale, purchase = extraction.entries
    assert sale.meta["id"] == "1000050001" and "order-id" not in sale.meta   # `/` is empty
    assert purchase.meta["refunded"] == "39.93"
    assert postings(purchase) == {"Assets:Suspense": Decimal("88.00"), "Assets:Clearing:WechatMe": Decimal("-88.00")}


def test_rows_that_leave_out_their_empty_trailing_cells_are_read(cfg, tmp_path):
    # A bill re-saved by a spreadsheet: no padding commas, no empty 商户单号 and 备注 cells.
    short = ["2026-03-01 12:00:00,二维码收款,用户A,/,收入,￥23.00,/,已收钱,1000050001",
             '2026-03-02 12:00:00,商户消费,茶叶批发店,茶叶,支出,"¥88.00",招商银行(1234),已退款(￥39.93),4200000001,M1']
    preamble = [line.rstrip(",") for line in PREAMBLE]
    sale, purchase = extract(cfg, bill(tmp_path, rows=short, preamble=preamble)).entries
    assert sale.meta["id"] == "1000050001" and "note" not in sale.meta
    assert purchase.meta["order-id"] == "M1" and purchase.meta["refunded"] == "39.93"


def test_a_short_row_without_its_transaction_id_is_still_an_error(cfg, tmp_path):
    with pytest.raises(StatementError, match=r":9: expected 11 cells as in the header \(line 8\), got 8: "
                                             r"no 交易单号$"):
        extract(cfg, bill(tmp_path, rows=["2026-03-01 12:00:00,二维码收款,用户A,/,收入,￥23.00,/,已收钱"]))


def test_totals_disagreeing_are_a_note(cfg, tmp_path):
    preamble = [line.replace("共2笔", "共3笔") for line in PREAMBLE]
    assert "summary line says rows 3" in extract(cfg, bill(tmp_path, preamble=preamble)).notes[0]


@pytest.mark.parametrize("row, message", [
    (ROWS[0].replace("已收钱", "神秘状态"), "column 当前状态: unknown status '神秘状态'"),
    (ROWS[0].replace("￥23.00", "二十三"), "column 金额(元): expected an amount, got '二十三'"),
    (ROWS[0].replace(",收入,", ",流入,"), "column 收/支: expected 收入, 支出 or /"),
    (ROWS[0].replace('"1000050001"\t', ""), "column 交易单号: expected the transaction id"),
    (ROWS[0].replace('"/"', '"服务费¥0.10"'), "备注 '服务费¥0.10': a 服务费 on a 二维码收款 row"),
    (ROWS[0].rsplit(",", 3)[0], "expected 11 cells as in the header (line 8)"),
])
def test_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, bill(tmp_path, rows=[row]))
    assert str(caught.value).startswith(f"{tmp_path / '微信支付账单(20260301-20260331).csv'}:9: {message}")


def test_xlsx_with_two_copies_of_the_bill_is_refused(cfg, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    for title in ("账单", "账单 (2)"):
        sheet = book.create_sheet(title)
        for line in [*PREAMBLE, HEADER, *ROWS]:
            sheet.append(line.replace('"', "").split(","))
    del book["Sheet"]
    path = tmp_path / "bill.xlsx"
    book.save(path)
    with pytest.raises(StatementError, match=r"bill.xlsx:1: sheets '账单', '账单 \(2\)' all hold a statement"):
        extract(cfg, path)


def test_xlsx_numeric_amounts_are_exact_cents(cfg, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [*PREAMBLE, HEADER]:
        sheet.append(line.split(","))
    sheet.append(["2026-03-01 12:00:00", "二维码收款", "用户A", "/", "收入", 0.1 + 0.2, "/", "已收钱", "1000050001\t",
                  "/", "/"])
    sheet.cell(row=sheet.max_row, column=6).number_format = "\\¥#,##0.00"
    path = tmp_path / "bill.xlsx"
    book.save(path)
    [sale] = extract(cfg, path).entries
    assert postings(sale)["Assets:Clearing:WechatMe"] == Decimal("0.30")
    assert isinstance(sale, data.Transaction) and sale.meta["lineno"] == 9


def test_xlsx_ids_saved_as_numbers_are_refused_naming_the_cell(cfg, tmp_path):
    # Excel saved the 交易单号 as a number (4.2E+27, digits lost): every row would have one
    # id no download holds, booked beside it
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [*PREAMBLE, HEADER]:
        sheet.append(line.split(","))
    sheet.append(["2026-03-01 12:00:00", "二维码收款", "用户A", "/", "收入", 23.0, "/", "已收钱",
                  4200000000000000000000000001.0, "/", "/"])
    path = tmp_path / "bill.xlsx"
    book.save(path)
    with pytest.raises(StatementError) as caught:
        extract(cfg, path)
    assert str(caught.value).startswith(f"{path}:9: column 交易单号: '4.2E+27' is an id Excel shortened"), caught.value


def test_xlsx_ids_saved_as_whole_numbers_are_read_as_written(cfg, tmp_path):
    # must not fire: a short id as a number cell keeps every digit
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [*PREAMBLE, HEADER]:
        sheet.append(line.split(","))
    sheet.append(["2026-03-01 12:00:00", "二维码收款", "用户A", "/", "收入", 23.0, "/", "已收钱", 1000050001, "/", "/"])
    path = tmp_path / "bill.xlsx"
    book.save(path)
    [sale] = extract(cfg, path).entries
    assert sale.meta["id"] == "1000050001"


def test_a_bill_that_counts_no_records_is_read_without_entries(cfg, tmp_path):
    # a quiet month's bill (共0笔记录) is a statement, not a file cut after its header
    quiet = [line.replace("共2笔记录", "共0笔记录").replace("1笔 23.00", "0笔 0.00").replace("1笔 88.00", "0笔 0.00")
             for line in PREAMBLE]
    extraction = extract(cfg, bill(tmp_path, rows=[], preamble=quiet))
    assert (extraction.rows, list(extraction.entries), extraction.notes) == (0, [], [])
    with pytest.raises(StatementError, match="no rows below the header"):
        extract(cfg, bill(tmp_path, rows=[]))   # it counts 2: the rows are missing


def quoted_header(path, out, header_word: str, encoding: str = "utf-8"):
    """The bill with every cell of its header row quoted, as LibreOffice's "quote all text
    cells" saves it (padding spaces kept inside the quotes)."""
    import csv
    lines = path.read_bytes().decode(encoding).split("\n")
    at = next(i for i, line in enumerate(lines) if header_word in line)
    cells = next(csv.reader([lines[at].rstrip("\r")]))
    lines[at] = ",".join(f'"{c}"' for c in cells) + ("\r" if lines[at].endswith("\r") else "")
    out.write_bytes("\n".join(lines).encode(encoding))
    return out


def test_a_bill_whose_header_cells_are_quoted_reads_as_the_bill(cfg, tmp_path):
    original = sample("wechat_personal", "deg-wechat-records.csv")
    path = quoted_header(original, tmp_path / "wechat.csv", "交易单号")
    assert path.read_text(encoding="utf-8") != original.read_text(encoding="utf-8")
    assert extraction_text(extract(cfg, path)).split("\n\n", 1)[1].replace(str(path), "X") == \
        extraction_text(extract(cfg, original)).split("\n\n", 1)[1].replace(str(original), "X")
