"""A statement re-saved by Excel or WPS, its numeric ids without their leading zeros
(`0026030500001` → `26030500001`), is refused where its lines are lines the books
hold (same day and amount) with the zeros: its new ids would book every line again
(statements/resaved.py). Either order, and within one import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear import config as config_mod
from beanclear.books import importing
from beanclear.importers.toolkit import StatementError
from conftest import snapshot

CONFIG = """\
books: books
currency: CNY
banks:
  icbc:
    type: csv
    account: Assets:Bank:ICBC
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, credit: 收入金额, debit: 支出金额, balance: 余额, memo: 摘要, payee: 对方户名, ref: 交易流水号}
rules:
  - {match: "房租", account: Expenses:Rent}
"""
HEADER = "交易日期,收入金额,支出金额,余额,摘要,对方户名,交易流水号\n"
ORIGINAL = HEADER + ('2026-03-05,,8000.00,42000.00,房租,物业公司,"0026030500001\t"\n'
                     '2026-03-06,,100.00,41900.00,房租,物业公司,"0026030600002\t"\n')
# as Excel saves it: the TABs and the leading zeros gone, the rest as it was
RESAVED = HEADER + ("2026-03-05,,8000.00,42000.00,房租,物业公司,26030500001\n"
                    "2026-03-06,,100.00,41900.00,房租,物业公司,26030600002\n")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    return tmp_path


def statement(folder, name: str, text: str):
    path = folder / "statements" / name
    path.write_text(text, encoding="utf-8")
    return path


def run(folder, *paths, force=False):
    return importing.run(config_mod.load(folder / "config.yaml"), list(paths), force=force)


def test_an_excel_copy_after_the_original_is_refused_naming_its_line(folder):
    run(folder, statement(folder, "icbc-2026-03.csv", ORIGINAL))
    before = snapshot(folder / "books")
    copy = statement(folder, "icbc-2026-03-wps.csv", RESAVED)
    with pytest.raises(StatementError) as refused:
        run(folder, copy)
    said = str(refused.value)
    assert said.startswith(f"{copy}:2: id '26030500001' is '0026030500001' without its leading zeros"), said
    assert "re-saved by Excel or WPS" in said and "import the original download" in said
    assert snapshot(folder / "books") == before


def test_an_excel_copy_and_its_original_in_one_import_refuse_the_copy(folder):
    copy = statement(folder, "icbc-2026-03-wps.csv", RESAVED)      # sorted before the original
    original = statement(folder, "icbc-2026-03.csv", ORIGINAL)
    for paths in ([folder / "statements"], [original, copy]):
        with pytest.raises(StatementError) as refused:
            run(folder, *paths)
        assert str(refused.value).startswith(f"{copy}:2: id '26030500001' is '0026030500001' without"), refused.value
        assert not (folder / "books" / "icbc").exists()


def test_the_original_after_an_excel_copy_the_books_hold_is_refused_naming_the_copy(folder):
    run(folder, statement(folder, "icbc-2026-03-wps.csv", RESAVED))
    before = snapshot(folder / "books")
    original = statement(folder, "icbc-2026-03.csv", ORIGINAL)
    with pytest.raises(StatementError) as refused:
        run(folder, original)
    said = str(refused.value)
    assert said.startswith(f"{original}:2: id '0026030500001' is the books' '26030500001' (books/icbc/2026/"
                           "2026-03.beancount) with its leading zeros"), said
    assert "re-saved by Excel or WPS" in said
    assert snapshot(folder / "books") == before


def test_ids_that_differ_by_zeros_but_not_by_day_or_amount_are_other_lines(folder):
    run(folder, statement(folder, "march.csv", ORIGINAL))
    other = HEADER + ("2026-03-07,,8000.00,33900.00,房租,物业公司,26030500001\n"   # another day
                      "2026-03-08,,50.00,33850.00,房租,物业公司,26030600002\n")    # another amount
    [result] = run(folder, statement(folder, "later.csv", other))
    assert len([e for e in result.new if hasattr(e, "postings")]) == 2


def test_force_imports_the_copy_anyway(folder):
    run(folder, statement(folder, "icbc-2026-03.csv", ORIGINAL))
    [result] = run(folder, statement(folder, "icbc-2026-03-wps.csv", RESAVED), force=True)
    assert len([e for e in result.new if hasattr(e, "postings")]) == 2


def test_a_bank_ref_excel_shortened_to_scientific_notation_is_refused(folder):
    """A ref of more digits than Excel keeps comes back `2.60305E+16`: the digits are
    gone, so the lines could never be found again (toolkit.excel_shortened)."""
    shortened = HEADER + ("2026-03-05,,8000.00,42000.00,房租,物业公司,2.60305E+16\n"
                          "2026-03-06,,100.00,41900.00,房租,物业公司,2.60305E+16\n")
    path = statement(folder, "icbc-2026-03-wps.csv", shortened)
    with pytest.raises(StatementError) as refused:
        run(folder, path)
    said = str(refused.value)
    assert said.startswith(f"{path}:2: column 交易流水号: '2.60305E+16' is a reference Excel shortened"), said
    assert not (folder / "books" / "icbc").exists()


# -- amounts with their places, whichever copy comes first --------------------------------

ALIPAY = """\
books: books
currency: CNY
channels:
  alipay: {type: alipay, account_id: "20880000000000000156", settlement_days: 1}
"""


def excel_saved(row: str) -> str:
    """A 业务明细 row as Excel saves it: no TABs, `2026/3/1 10:00` without seconds, `45`, `0.6`."""
    import re
    cells = [c.strip("\t") for c in row.split(",")]
    cells = [re.sub(r"^(\d{4})-0?(\d+)-0?(\d+) 0?(\d+:\d\d):\d\d$", r"\1/\2/\3 \4", c) for c in cells]
    return ",".join(re.sub(r"^(-?\d+)\.(\d*?)0*$", lambda m: m[1] + ("." + m[2] if m[2] else ""), c)
                    if re.fullmatch(r"-?\d+\.\d+", c) else c for c in cells)


def test_an_excel_copy_of_a_trade_detail_imported_first_writes_the_amounts_with_their_places(tmp_path):
    from statement_files import TRADE_ROWS, trade_detail
    books = {}
    for order in ("copy first", "original first"):
        folder = tmp_path / order.replace(" ", "_")
        folder.mkdir()
        (folder / "config.yaml").write_text(ALIPAY, encoding="utf-8")
        rows = [r.replace(":00:00", ":00:36") for r in TRADE_ROWS]
        original = trade_detail(folder, rows=rows)
        copy = trade_detail(folder, rows=[excel_saved(r) for r in rows], name="业务明细 (Excel).csv")
        assert "2026/3/1 11:00,2026/3/1 11:00" in copy.read_text(encoding="gb18030")
        assert ",50,45,2,0,0,5,0,,0,0,,0.27,0," in copy.read_text(encoding="gb18030")
        for path in ((copy, original) if order == "copy first" else (original, copy)):
            run(folder, path)
        [month] = (folder / "books" / "alipay").rglob("*.beancount")
        books[order] = month.read_text(encoding="utf-8")
    copied = books["copy first"]
    assert "  Income:Sales:Alipay                         -50.00 CNY\n" in copied, copied
    assert '  merchant-discount: "5.00"\n' in copied
    # what the copy lost stays lost where it came first: its times, and the statement its
    # coverage record names (README, "Re-importing a statement")
    def kept(text):
        return [line for line in text.splitlines() if not line.startswith(("  time:", "  statement:", "  id: \"coverage"))]
    assert kept(copied) == kept(books["original first"])


def test_an_excel_copy_of_a_statement_without_refs_finds_its_lines_again(tmp_path):
    """A bank without refs (招商银行's 交易查询) has its lines known by a digest of what
    they say: the copy's `1234` for `"1,234.00"` says the same amount."""
    (tmp_path / "config.yaml").write_text("books: books\nbanks:\n  cmb: {type: cmb, account: Assets:Bank:CMB}\n",
                                          encoding="utf-8")
    header = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n"
    original = tmp_path / "cmb.csv"
    original.write_text(header + '2024-01-01,CNY,"1,234.00","1,271.66",代发工资,某公司,工资\n'
                                 "2024-01-02,CNY,-3.00,1268.66,一网通支付,国网电力,供电\n", encoding="utf-8")
    copy = tmp_path / "cmb (Excel).csv"
    copy.write_text(header + "2024-01-01,CNY,1234,1271.66,代发工资,某公司,工资\n"
                             "2024-01-02,CNY,-3,1268.66,一网通支付,国网电力,供电\n", encoding="utf-8")
    run(tmp_path, original)
    [again] = run(tmp_path, copy)
    assert not again.new and again.known == 4, again.summary()


# -- personal bills: an id the bill repeats is qualified by what its row means ---------

WALLETS = {"alipay": ("alipay_personal", "deg-alipay-2023format-gbk.csv", "gbk", "alipay-personal"),
           "wechat": ("wechat_personal", "deg-wechat-records.csv", "utf-8", "wechat-personal")}


def _resaved_bill(text: str) -> str:
    """A bill as Excel saves it again: dates `2021/1/22`, amounts without their trailing zeros."""
    import re
    text = re.sub(r"(?m)^(\d{4})-(\d{2})-(\d{2})(?= \d)", lambda m: f"{m[1]}/{int(m[2])}/{int(m[3])}", text)
    return re.sub(r"(?<=[,¥])(\d+\.\d)0(?=[,\s])", r"\1", text)


def _wallet_merchant(tmp_path, wallet):
    from conftest import sample
    folder, name, encoding, kind = WALLETS[wallet]
    (tmp_path / "config.yaml").write_text(f"books: books\ncurrency: CNY\nchannels:\n  me:\n    type: {kind}\n",
                                          encoding="utf-8")
    text = sample(folder, name).read_bytes().decode(encoding)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / name).write_bytes(text.encode(encoding))
    resaved = _resaved_bill(text)
    assert resaved != text
    (tmp_path / "b" / name).write_bytes(resaved.encode(encoding))
    return tmp_path / "a" / name, tmp_path / "b" / name


@pytest.mark.parametrize("wallet", sorted(WALLETS))
def test_a_bill_excel_saved_again_finds_the_rows_whose_id_repeats(tmp_path, wallet):
    # The bill repeats one 交易单号 on several rows (3985734; Alipay's anonymised `xxxx`):
    # each is qualified by a digest of what it says, which the copy says alike.
    from conftest import beanclear
    original, copy = _wallet_merchant(tmp_path, wallet)
    assert beanclear(tmp_path, "import", str(original)).exit_code == 0
    before = snapshot(tmp_path / "books")
    result = beanclear(tmp_path, "import", str(copy))
    assert result.exit_code == 0, result.output
    assert " 0 entries written" in result.output
    assert _entry_ids(snapshot(tmp_path / "books")) == _entry_ids(before)


def _entry_ids(books: dict) -> list[str]:
    import re
    return sorted(i for k, v in books.items() if "/20" in k for i in re.findall(r'(?m)^  id: "([^"]*)"', v.decode())
                  if not i.startswith("coverage "))


@pytest.mark.parametrize("wallet", sorted(WALLETS))
def test_books_of_the_former_ids_book_nothing_again(tmp_path, monkeypatch, wallet):
    # Books written when a repeated id was qualified by the row as written hold those ids:
    # the bill read again (--force) finds its rows held, by the id it had then (`_was`).
    from conftest import beanclear
    from beanclear.importers import wallet as wallet_mod
    original, _ = _wallet_merchant(tmp_path, wallet)
    with_ids = wallet_mod.WalletImporter.with_ids

    def former_rule(self, rows, ident, content, first=None, formers=None):
        def as_written(row):   # the first of the former contents: the row as written
            return list((formers or wallet_mod.former_contents)(row))[0]
        return with_ids(self, rows, ident, as_written, first, formers)
    with monkeypatch.context() as m:
        m.setattr(wallet_mod.WalletImporter, "with_ids", former_rule)
        assert beanclear(tmp_path, "import", str(original)).exit_code == 0
    written = "\n".join(v.decode() for k, v in snapshot(tmp_path / "books").items() if "/20" in k)
    assert '-' in written and "_was" not in written
    result = beanclear(tmp_path, "import", "--force", str(original))
    assert result.exit_code == 0, result.output
    assert " 0 entries written" in result.output


# -- personal bills: an id Excel shortened to scientific notation --------------------------

# A 28-digit 交易单号 opened in Excel and saved is `4.2E+27`: every row of the bill gets the
# same id, and the copy's ids are none the books hold (blind10: a copy imported beside the
# download booked every row twice). Refused naming file, line and column, as toolkit's one
# rule (excel_shortened) refuses a bank's ref and a shop's order id.
WECHAT_TOP = ["微信支付账单明细", "微信昵称：[茶舍]", "起始时间：[2026-03-02 00:00:00] 终止时间：[2026-03-04 23:59:59]",
              "导出类型：[全部]", "导出时间：[2026-03-05 16:05:22]", "", "共3笔记录", "收入：2笔 1028.00元", "支出：0笔 0.00元",
              "中性交易：1笔 1001.00元", "注：", "1. 充值/提现等交易，将计入中性交易", "2. 本明细仅展示当前账单中的交易",
              "3. 本明细仅供个人对账使用", "", "----------------------微信支付账单明细列表--------------------",
              "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"]
WECHAT_ROWS = ["{d}2026-03-02 09:00:10,二维码收款,顾客A,收款方备注:二维码收款,收入,¥28.00,/,已收钱,{a},/,/",
               "{d}2026-03-02 10:01:11,二维码收款,顾客B,收款方备注:二维码收款,收入,¥1000.00,/,已收钱,{b},/,/",
               "{d}2026-03-04 18:00:00,零钱提现,招商银行(1234),/,/,¥1001.00,招商银行(1234),提现已到账,{c},/,服务费¥1.00"]
ALIPAY_TOP = ["-" * 40, "导出信息：", "姓名：张三", "支付宝账户：138****0000",
              "起始时间：[2026-03-01 00:00:00]    终止时间：[2026-03-04 23:59:59]", "导出交易类型：[全部]",
              "导出时间：[2026-03-05 10:00:00]", "共3笔记录", "收入：2笔 1250.50元", "支出：0笔 0.00元", "不计收支：1笔 1000.00元",
              "特别提示：", "", "-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24,
              "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"]
ALIPAY_ROWS = ["{d}2026-03-02 10:00:00,收入,顾客A,a***@qq.com,收钱码收款,收入,1200.00,,交易成功,{a},,,",
               "{d}2026-03-02 11:00:00,收入,顾客B,b***@qq.com,收钱码收款,收入,50.50,,交易成功,{b},,,",
               "{d}2026-03-04 18:00:00,转账,招商银行,/,提现-实时提现,不计收支,1000.00,招商银行(1234),交易成功,{c},,,"]
BILL_IDS = {"wechat": ("4200001901202603021010600454", "4200002901202603021010600455", "2072107111000771478320889931"),
            "alipay": ("2026030222001400011234567890", "2026030222001400011234567891", "2026030422001400011234567892")}
# as Excel writes each back: the digits it keeps, in scientific notation
BILL_SHORTENED = {"wechat": ("4.2E+27", "4.2E+27", "2.07211E+27"),
                  "alipay": ("2.02603E+27", "2.02603E+27", "2.02603E+27")}


def _bill(tmp_path, wallet: str, name: str, cells, encoding: str = "utf-8", dates: str = "") -> object:
    """A personal bill of three rows (two sales and a withdrawal) whose id cells are `cells`."""
    top, rows = (WECHAT_TOP, WECHAT_ROWS) if wallet == "wechat" else (ALIPAY_TOP, ALIPAY_ROWS)
    a, b, c = cells
    lines = [*top, *(r.format(a=a, b=b, c=c, d=dates) for r in rows)]
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _bill_merchant(tmp_path, wallet):
    kind = {"wechat": "wechat-personal", "alipay": "alipay-personal"}[wallet]
    (tmp_path / "config.yaml").write_text(f"books: books\ncurrency: CNY\nchannels:\n  me:\n    type: {kind}\n",
                                          encoding="utf-8")


@pytest.mark.parametrize("wallet", ["wechat", "alipay"])
@pytest.mark.parametrize("download_first", [True, False])
def test_a_bill_whose_ids_excel_shortened_is_refused_naming_its_line(tmp_path, wallet, download_first):
    from conftest import beanclear
    _bill_merchant(tmp_path, wallet)
    download = _bill(tmp_path, wallet, "dl/bill.csv", [f"{i}\t" for i in BILL_IDS[wallet]],
                     "utf-8" if wallet == "wechat" else "gb18030")
    copy = _bill(tmp_path, wallet, "excel/bill-saved.csv", BILL_SHORTENED[wallet], "gb18030")
    header_line = (len(WECHAT_TOP) if wallet == "wechat" else len(ALIPAY_TOP))
    column = "交易单号" if wallet == "wechat" else "交易订单号"
    if download_first:
        assert beanclear(tmp_path, "import", str(download)).exit_code == 0
    before = snapshot(tmp_path / "books") if download_first else {}
    result = beanclear(tmp_path, "import", str(copy))
    assert result.exit_code == 2, result.output
    assert (f"{copy}:{header_line + 1}: column {column}: {BILL_SHORTENED[wallet][0]!r} is an id Excel shortened "
            "to scientific notation (its digits are lost)") in result.output, result.output
    assert "Traceback" not in result.output
    assert (snapshot(tmp_path / "books") if (tmp_path / "books").exists() else {}) == before


@pytest.mark.parametrize("wallet", ["wechat", "alipay"])
@pytest.mark.parametrize("protect", ["{}\t", '"{}\t"', '="{}"', "`{}"])
def test_a_bill_whose_long_ids_excel_protects_is_booked_once(tmp_path, wallet, protect):
    # must not fire: the download's TAB (inside or outside quotes), `="…"` and a backtick keep
    # every digit; the bill read twice writes nothing the second time
    from conftest import beanclear
    _bill_merchant(tmp_path, wallet)
    path = _bill(tmp_path, wallet, "dl/bill.csv", [protect.format(i) for i in BILL_IDS[wallet]])
    first = beanclear(tmp_path, "import", str(path))
    assert first.exit_code == 0, first.output
    assert " 3 entries written" in first.output, first.output
    ids = _entry_ids(snapshot(tmp_path / "books"))
    assert ids == sorted(BILL_IDS[wallet]), ids
    again = beanclear(tmp_path, "import", "--force", str(path))
    assert again.exit_code == 0, again.output
    assert " 0 entries written" in again.output, again.output


def test_an_id_excel_shortened_is_refused_whatever_importer_books_it():
    # the one rule every entry goes through (base.transaction): an `id` or `…-id` that is a
    # number Excel shortened names the line, whichever importer read it
    import datetime as dt
    from beanclear.importers.base import posting, transaction
    for key in ("id", "order-id", "payout-id"):
        with pytest.raises(StatementError, match=rf"^bill.csv:7: {key}: '4.2E\+27' is an id Excel shortened to "
                                                 r"scientific notation \(its digits are lost\)"):
            transaction("bill.csv", 7, dt.date(2026, 3, 2), "x", "y", {"id": "1", key: "4.2E+27"},
                        [posting("Assets:A", Decimal(1), "CNY"), posting("Assets:B", Decimal(-1), "CNY")])
    # must not fire: an id holding E+ that is no number, a note that is one
    made = transaction("bill.csv", 7, dt.date(2026, 3, 2), "x", "y", {"id": "2.5E+14-1", "note": "4.2E+27"},
                       [posting("Assets:A", Decimal(1), "CNY"), posting("Assets:B", Decimal(-1), "CNY")])
    assert made.meta["id"] == "2.5E+14-1"


# -- personal bills: a copy with empty columns added at the end --------------------------

ALIPAY_SAMPLES = ["deg-alipay-2023format-gbk.csv", "deg-alipay-2021format-gbk.csv", "dhr-alipay-full-utf8.csv"]


def _padded(text: str, columns: int = 2) -> str:
    """A bill as Excel or WPS re-saves it with `columns` empty columns at its end (FORMATS §10)."""
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow(row + [""] * columns if row else row)
    return out.getvalue()


def _alipay_sample(tmp_path, name: str) -> tuple:
    from conftest import sample
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: CNY\nchannels:\n  me:\n    type: alipay-personal\n",
                                          encoding="utf-8")
    data = sample("alipay_personal", name).read_bytes()
    encoding = "utf-8-sig" if "utf8" in name else "gb18030"
    for folder in "ab":
        (tmp_path / folder).mkdir()
    original = tmp_path / "a" / name
    original.write_bytes(data)
    copy = tmp_path / "b" / name
    copy.write_text(_padded(data.decode(encoding)), encoding="utf-8", newline="")
    return original, copy


@pytest.mark.parametrize("name", ALIPAY_SAMPLES)
@pytest.mark.parametrize("copy_first", [False, True])
def test_a_bill_resaved_with_empty_columns_at_its_end_finds_its_rows(tmp_path, name, copy_first):
    # the rows whose id repeats (FORMATS §1a: do not assume global uniqueness) are told apart
    # by the values of the columns read, never by empty cells a re-save adds after them
    from conftest import beanclear
    original, copy = _alipay_sample(tmp_path, name)
    first, second = (copy, original) if copy_first else (original, copy)
    assert beanclear(tmp_path, "import", str(first)).exit_code == 0
    before = snapshot(tmp_path / "books")
    result = beanclear(tmp_path, "import", str(second))
    assert result.exit_code == 0, result.output
    assert " 0 entries written" in result.output, result.output
    assert _entry_ids(snapshot(tmp_path / "books")) == _entry_ids(before)


@pytest.mark.parametrize("name", ALIPAY_SAMPLES)
def test_books_of_the_release_before_find_the_bill_and_its_padded_copy(tmp_path, monkeypatch, name):
    # Books written before this release qualified a repeated id by every cell of its row (the
    # trailing comma's empty one too): after the upgrade, the bill read again and a copy with
    # empty columns added both find those rows (`_was`), and book nothing.
    from conftest import beanclear
    from beanclear.importers import wallet as wallet_mod
    original, copy = _alipay_sample(tmp_path, name)
    with_ids = wallet_mod.WalletImporter.with_ids

    def every_cell(self, rows, ident, content, first=None, formers=None):
        return with_ids(self, rows, ident, lambda r: wallet_mod.meaning(r.cells), first, lambda r: ())
    with monkeypatch.context() as m:
        m.setattr(wallet_mod.WalletImporter, "with_ids", every_cell)
        assert beanclear(tmp_path, "import", str(original)).exit_code == 0
    before = snapshot(tmp_path / "books")
    for path in (original, copy):
        result = beanclear(tmp_path, "import", "--force", str(path))
        assert result.exit_code == 0, result.output
        assert " 0 entries written" in result.output, result.output
    assert snapshot(tmp_path / "books").keys() == before.keys()
    assert _entry_ids(snapshot(tmp_path / "books")) == _entry_ids(before)
