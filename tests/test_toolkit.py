"""The shared toolkit: a trap fixed here is fixed for every importer."""

from decimal import Decimal
import gzip

import pytest

from beanclear.importers.toolkit import (StatementError, clean, decode, header_key, money, parse_amount,
                                         read_statement, read_text)


@pytest.mark.parametrize("raw, expected", [
    ("`4200000925202101284997714292", "4200000925202101284997714292"),
    ("2023103122001\t", "2023103122001"),
    ('="123456789012345678"', "123456789012345678"),
    ("\t9001", "9001"),
    ("  padded  ", "padded"),
    ("/", ""), ("-", ""), ("--", ""), ("-------------------", ""),
    ("'0012", "0012"),
])
def test_clean_strips_excel_protection_and_placeholders(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("¥28.16", Decimal("28.16")), ("￥8.00", Decimal("8.00")), ('"1,234.50"', None),
    ("-$7,971.39", Decimal("-7971.39")), ("`0.04000", Decimal("0.04000")), ("-0.11000", Decimal("-0.11000")),
    ("+12", Decimal("12")), ("(5.00)", Decimal("-5.00")),
])
def test_parse_amount(raw, expected):
    if expected is None:
        assert parse_amount(raw.strip('"'), "f.csv", 3, "x") == Decimal("1234.50")
    else:
        assert parse_amount(raw, "f.csv", 3, "x") == expected


def test_parse_amount_decimal_comma():
    assert parse_amount("1.234,56", "f", 1, "x", decimal_comma=True) == Decimal("1234.56")


@pytest.mark.parametrize("raw", ["abc", "12.3.4", "1e5", "NaN", ""])
def test_parse_amount_rejects_what_is_not_an_amount(raw):
    with pytest.raises(StatementError, match=r"^f.csv:7: column 金额: expected an amount"):
        parse_amount(raw, "f.csv", 7, "金额")


def test_money_drops_only_insignificant_zeros():
    assert money(Decimal("0.04000")) == Decimal("0.04")
    assert str(money(Decimal("0.03600"))) == "0.036"
    assert str(money(Decimal("-0.11000"))) == "-0.11"


def test_header_key_ignores_parenthesis_width_and_spaces():
    assert header_key("收支金额（元）") == header_key(" 收支金额(元) ")


def test_decode_sniffs_utf8_bom_and_gb18030(tmp_path):
    text = "交易时间,金额\n2026-01-01,1.00\n"
    assert decode(("\ufeff" + text).encode("utf-8"), "f") == text
    assert decode(text.encode("gb18030"), "f") == text


def test_decode_refuses_mojibake():
    garbled = "微信支付".encode("utf-8").decode("latin-1").encode("utf-8")
    with pytest.raises(StatementError, match="garbled"):
        decode(garbled, "f.csv")


def test_decode_with_wrong_explicit_encoding_names_the_line(tmp_path):
    data = "a,b\n1,2\n交易\n".encode("gb18030")
    with pytest.raises(StatementError, match=r"^f:3: not valid utf-8"):
        decode(data, "f", "utf-8")


def test_read_text_ungzips(tmp_path):
    path = tmp_path / "bill.csv.gz"
    path.write_bytes(gzip.compress("交易时间\n".encode()))
    assert read_text(path) == "交易时间\n"


def test_read_text_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(StatementError, match="empty"):
        read_text(path)


def test_read_statement_finds_header_after_preamble_and_checks_widths(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Bank statement\n账号：123\n\n日期,金额,备注\n2026-01-01,1.00,x\n2026-01-02,2.00\n", encoding="utf-8")
    with pytest.raises(StatementError, match=r"s.csv:6: expected 3 cells as in the header \(line 4\), got 2"):
        read_statement(path, ["日期", "金额"], "test statement")


def test_read_statement_cut_inside_quotes(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('日期,金额,备注\n2026-01-01,1.00,"unfinished\n', encoding="utf-8")
    with pytest.raises(StatementError, match="never closed"):
        read_statement(path, ["日期", "金额"], "test statement")


def test_read_statement_reads_summary_block(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("日期,金额\n`2026-01-01,`1.00\n合计笔数,合计金额\n`1,`1.00\n", encoding="utf-8")
    st = read_statement(path, ["日期", "金额"], "t", summary_starts="合计笔数", summary_required=True)
    assert len(st.table.rows) == 1 and st.total("合计金额") == Decimal("1.00")
