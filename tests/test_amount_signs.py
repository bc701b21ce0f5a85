"""An amount's minus, wherever a statement writes it, read once in the toolkit for every
format: `-x`, `x-` (SAP's and ERP exports', some Chinese banks'), `(x)`, `¥-x`, `-¥x`,
`$-x`. A signed format reads each as negative; two signs are refused naming the line.
A sign dropped turned a PayPal withdrawal into money coming back, and a Stripe refund
into a sale, with nothing said."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear.importers import bank_csv, paypal_csv, stripe_balance_csv
from beanclear.importers.toolkit import AmountReader, StatementError, parse_amount, writes_minus
from channel_util import CHANNELS
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text
from test_bank_presets import CONFIG as BANKS

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
