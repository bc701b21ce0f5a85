"""An amount's minus, wherever a statement writes it, read once in the toolkit for every
format: `-x`, `x-` (SAP's and ERP exports', some Chinese banks'), `(x)`, `¥-x`, `-¥x`,
`$-x`. A signed format reads each as negative; two signs are refused naming the line.
A format whose direction column says the way (收/支, 收支类型) reads each as its size:
`-49.74` under 支出 was booked as money in.
A sign dropped turned a PayPal withdrawal into money coming back, and a Stripe refund
into a sale, with nothing said."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear.importers import (alipay_personal, alipay_web, bank_csv, jd_personal, paypal_csv, stripe_balance_csv,
                                 wechat_fund, wechat_personal)
from beanclear.importers.toolkit import AmountReader, StatementError, parse_amount, writes_minus
from channel_util import CHANNELS
from conftest import GOLDEN, WECHAT_AND_BANK, sample
from golden_util import assert_golden, extraction_text
from statement_files import JD_ROWS, jd_statement
from test_alipay_personal import CONFIG as ALIPAY, WEB_ROWS, web_export
from test_bank_presets import CONFIG as BANKS
from test_jd_personal import CONFIG as JD
from test_wechat_personal import CONFIG as WECHAT

# `{}` is the amount's digits
MINUS = ["-{}", "{}-", "({})", "¥-{}", "-¥{}", "$-{}", "-${}", "${}-", "{} -"]


@pytest.mark.parametrize("spelling", MINUS)
def test_parse_amount_reads_each_spelling_of_a_minus(spelling):
    assert parse_amount(spelling.format("1,058.09"), "f.csv", 3, "x") == Decimal("-1058.09")
    assert parse_amount(spelling.format("1.058,09"), "f.csv", 3, "x", decimal_comma=True) == Decimal("-1058.09")
    assert parse_amount(spelling.format("12.500"), "f.csv", 3, "x", whole=True) == Decimal("-12500")
    assert writes_minus(spelling.format("0.77"))


@pytest.mark.parametrize("spelling", MINUS)
def test_a_file_of_decimal_commas_is_told_by_its_amounts_whatever_their_minus(spelling):
    read = AmountReader([(2, spelling.format("12,50")), (3, "4,00")], "f.csv")
    assert read.comma and read(spelling.format("1.234,50"), "f.csv", 4, "x") == Decimal("-1234.50")


@pytest.mark.parametrize("raw", ["12.00", "+12.00", "12.00+", "¥12.00", "$+12.00", "0.00"])
def test_an_amount_without_a_minus_is_not_negative(raw):
    assert parse_amount(raw, "f.csv", 3, "x") >= 0
    assert not writes_minus(raw)


@pytest.mark.parametrize("raw", ["-12.00-", "(-12.00)", "(12.00-)", "--12", "+-12", "-$-12", "$-12-", "12.00--",
                                 "-(12.00)", "(12.00", "12.00)"])
def test_two_signs_or_an_open_parenthesis_are_refused_naming_the_line(raw):
    with pytest.raises(StatementError, match=r"^f\.csv:7: column 金额: expected an amount"):
        parse_amount(raw, "f.csv", 7, "金额")


# Real samples whose golden holds a money-out row: the cell written with the minus
# elsewhere gives the same books, byte for byte.
SIGNED = {   # name: (importer, config, source, folder, file, the cell as the sample writes it, its digits)
    "stripe": (stripe_balance_csv, CHANNELS, "stripe", "stripe_csv", "hledger-stripe-balance_change_from_activity.csv",
               '"-0.77"', "0.77"),
    "paypal": (paypal_csv, CHANNELS, "paypal", "paypal_csv", "oca-paypal-statement_en.csv", '"-1,058.09"',
               "1,058.09"),
    "cmb": (bank_csv, BANKS, "cmb", "bank_csv", "deg-cmb-debit.csv", ",-3.00,", "3.00"),
    "dcu": (bank_csv, BANKS, "dcu", "bank_csv", "reds-dcu-checking.csv", '"-$50.50"', "50.50"),
}


def rewritten(tmp_path, path, cell: str, new: str, encoding: str = "utf-8"):
    """The sample with every `cell` written `new`, under its own name in tmp_path."""
    text = path.read_bytes().decode(encoding)
    assert cell in text
    out = tmp_path / path.name
    out.write_bytes(text.replace(cell, new).encode(encoding))
    return out


def extract(module, config, source, path):
    importer = module.Importer({**config.channels, **config.banks}[source], config)
    assert importer.identify(str(path))
    return importer.parse(str(path))


@pytest.mark.parametrize("spelling", MINUS)
@pytest.mark.parametrize("name", SIGNED)
def test_a_signed_format_books_each_spelling_of_a_minus_as_its_golden(make_config, tmp_path, name, spelling):
    module, config, source, folder, file, cell, digits = SIGNED[name]
    quote = '"' if cell.startswith('"') else ","
    path = rewritten(tmp_path, sample(folder, file), cell, quote + spelling.format(digits) + quote)
    extraction = extract(module, make_config(config), source, path)
    assert_golden(extraction_text(extraction), GOLDEN / folder / f"{file}.beancount")



# -- a direction column says the way: the cell gives the size, whatever its sign ------

def jd_file(tmp_path, written: str, new: str):
    rows = [r.replace(written, new) for r in JD_ROWS]
    assert rows != JD_ROWS
    return jd_statement(tmp_path, rows)


def web_file(tmp_path, written: str, new: str):
    rows = [r.replace(written, new) for r in WEB_ROWS]
    assert rows != WEB_ROWS
    return web_export(tmp_path, rows)


def sample_file(folder: str, name: str):
    def write(tmp_path, written: str, new: str):
        return rewritten(tmp_path, sample(folder, name), written, new, "gb18030" if "gbk" in name else "utf-8")
    return write


# name: (importer, config, source, the file (written from the sample or the test's own
# rows), its golden, the text as written, the amount in it, the amount's digits)
DIRECTED = {
    "alipay 支出": (alipay_personal, ALIPAY, "alipay_me", sample_file("alipay_personal", "deg-alipay-2023format-gbk.csv"),
                  "alipay_personal/deg-alipay-2023format-gbk.csv", "支出                  ,49.74", "49.74", "49.74"),
    "alipay web 支出": (alipay_web, ALIPAY, "alipay_me", web_file, "alipay_personal/web-export", ",38.50,支出",
                      "38.50", "38.50"),
    "wechat 支出": (wechat_personal, WECHAT, "wechat_me", sample_file("wechat_personal", "deg-wechat-records.csv"),
                  "wechat_personal/deg-wechat-records.csv", "支出,¥500.00", "¥500.00", "500.00"),
    "wechat fund 支出": (wechat_fund, WECHAT_AND_BANK, "wechat",
                       sample_file("wechat_merchant", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv"),
                       "wechat_merchant/fundflowbill-Basic", "`支出,`0.01,", "0.01", "0.01"),
    "jd 支出": (jd_personal, JD, "jd_me", jd_file, "jd_personal/jd-statement", "茶具套装,131.77(", "131.77", "131.77"),
    "jd 收入": (jd_personal, JD, "jd_me", jd_file, "jd_personal/jd-statement", "货款,268.00,", "268.00", "268.00"),
}


@pytest.mark.parametrize("spelling", MINUS)
@pytest.mark.parametrize("name", DIRECTED)
def test_a_direction_column_takes_the_size_of_each_spelling(make_config, tmp_path, name, spelling):
    module, config, source, write, golden, written, amount, digits = DIRECTED[name]
    path = write(tmp_path, written, written.replace(amount, spelling.format(digits)))
    extraction = extract(module, make_config(config), source, path)
    assert_golden(extraction_text(extraction), GOLDEN / f"{golden}.beancount")
