"""A statement re-saved by Excel or WPS, its numeric ids without their leading zeros
(`0026030500001` → `26030500001`), is refused where its lines are lines the books
hold (same day and amount) with the zeros: its new ids would book every line again
(statements/resaved.py). Either order, and within one import."""

from __future__ import annotations

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

    def former_rule(self, rows, ident, content=None, first=None, former=None):
        return with_ids(self, rows, ident, former or wallet_mod._cells, first, former)
    with monkeypatch.context() as m:
        m.setattr(wallet_mod.WalletImporter, "with_ids", former_rule)
        assert beanclear(tmp_path, "import", str(original)).exit_code == 0
    written = "\n".join(v.decode() for k, v in snapshot(tmp_path / "books").items() if "/20" in k)
    assert '-' in written and "_was" not in written
    result = beanclear(tmp_path, "import", "--force", str(original))
    assert result.exit_code == 0, result.output
    assert " 0 entries written" in result.output
