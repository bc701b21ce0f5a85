"""Thousands separators besides the comma and the point, read once in the toolkit for
every format: the apostrophe of Swiss exports (`1'890.00`, and the typographic `1’890.00`)
and the spaces French locale formatting writes (U+202F narrow no-break, U+2009 thin,
beside the space and U+00A0 read before). Blind tester round 26 (locales): a ZKB CSV's
`1'890.00` and a French bank's `-1 200,00` (U+202F) were refused as "expected an
amount". An apostrophe groups digits only in threes: anywhere else it is an error naming
the line, never a figure guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear.importers import bank_csv, paypal_csv
from beanclear.importers.toolkit import AmountReader, StatementError, parse_amount, writes_minus
from channel_util import CHANNELS
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text
from test_amount_signs import extract, rewritten
from test_bank_csv_wild import amounts, balances, csv_bank
from test_bank_presets import CONFIG as BANKS

NARROW, THIN, FIGURE = "\u202f", "\u2009", "\u2007"


@pytest.mark.parametrize("written, decimal_comma, value", [
    ("1'890.00", False, "1890.00"),
    ("1’890.00", False, "1890.00"),
    ("-12'345'678.90", False, "-12345678.90"),
    ("1'890,00", True, "1890.00"),
    ("(1'890.00)", False, "-1890.00"),
    ("$-1'890.00", False, "-1890.00"),
    ("1'890.00-", False, "-1890.00"),
    (f"-1{NARROW}200,00", True, "-1200.00"),
    (f"1{THIN}234{THIN}567.89", False, "1234567.89"),
    (f"1{FIGURE}234,5", True, "1234.5"),
    (f"- 1{NARROW}200,00", True, "-1200.00"),
])
def test_thousands_written_with_an_apostrophe_or_a_narrow_space(written, decimal_comma, value):
    assert parse_amount(written, "f.csv", 3, "x", decimal_comma=decimal_comma) == Decimal(value)
    assert writes_minus(written) == value.startswith("-")


def test_whole_currencies_group_with_an_apostrophe_too():
    assert parse_amount("12'500", "f.csv", 3, "x", whole=True) == Decimal("12500")
    assert parse_amount(f"-1{NARROW}234{NARROW}500", "f.csv", 3, "x", whole=True) == Decimal("-1234500")


@pytest.mark.parametrize("cells, comma", [
    ([(2, "1'890.00"), (3, "759.41")], False),
    ([(2, f"-1{NARROW}200,00"), (3, "2 345,67")], True),
])
def test_a_file_s_decimal_mark_is_told_through_its_separators(cells, comma):
    read = AmountReader(cells, "f.csv")
    assert read.comma is comma
    assert [read(text, "f.csv", line, "x") for line, text in cells][0] == Decimal("1890.00" if not comma else "-1200.00")


# -- must not read: an apostrophe anywhere but between groups of three ---------------------

@pytest.mark.parametrize("written", ["1'89.00", "1'2345.00", "1234'567.00", "12'34", "5'", "1''890.00",
                                     "1'890'0", "1'890.0'0", "1.890'00", "1'", "1’89.00", "'1'89.00",
                                     "1.890'000", "1,234'567.00", "1'234,567.00", "1'234.567,00"])
def test_an_apostrophe_that_groups_no_thousands_is_refused_naming_the_line(written):
    with pytest.raises(StatementError, match=r"^f\.csv:7: column Belastung: expected an amount, got .* \(an "
                                             r"apostrophe groups thousands only, in threes: 1'234\.56\)$"):
        parse_amount(written, "f.csv", 7, "Belastung")


def test_an_amount_unread_without_an_apostrophe_says_nothing_of_one():
    with pytest.raises(StatementError, match=r"^f\.csv:7: column x: expected an amount, got '12x'$"):
        parse_amount("12x", "f.csv", 7, "x")


# -- whole statements ---------------------------------------------------------------------

ZKB = ("Datum;Buchungstext;Zahlungszweck;Belastung CHF;Gutschrift CHF;Valuta;Saldo CHF\n"
       "08.01.2026;Zürcher Lagerhaus AG;Lagermiete 01.2026;1'890.00;;08.01.2026;10'610.00\n"
       "13.01.2026;PayPal;Gutschrift;;1’759.41;13.01.2026;12’369.41\n")
ZKB_BANK = ('encoding: latin-1, date_format: "%d.%m.%Y", columns: {date: Datum, payee: Buchungstext, '
            'memo: Zahlungszweck, debit: Belastung CHF, credit: Gutschrift CHF, balance: Saldo CHF}')


def test_a_swiss_bank_csv_with_apostrophes(make_config, tmp_path):
    text = ZKB.replace("’", "'")   # Latin-1 has no typographic apostrophe
    extraction = csv_bank(make_config, tmp_path, ZKB_BANK, text, encoding="latin-1", currency="CHF")
    assert amounts(extraction) == [Decimal("-1890.00"), Decimal("1759.41")]
    assert balances(extraction)[-1] == ("2026-01-14", Decimal("12369.41"))


def test_a_bank_csv_with_typographic_apostrophes(make_config, tmp_path):
    extraction = csv_bank(make_config, tmp_path, ZKB_BANK.replace("latin-1", "utf-8"), ZKB, currency="CHF")
    assert amounts(extraction) == [Decimal("-1890.00"), Decimal("1759.41")]


@pytest.mark.parametrize("space", [NARROW, THIN, "\u00a0", " "])
def test_a_french_bank_csv_with_narrow_spaces(make_config, tmp_path, space):
    text = ("Date;Libellé;Montant;Solde\n"
            f"05/01/2026;LOYER JANVIER;-1{space}200,00;10{space}300,00\n"
            f"06/01/2026;VIR STRIPE;2{space}345,67;12{space}645,67\n")
    bank = 'date_format: "%d/%m/%Y", columns: {date: Date, memo: Libellé, amount: Montant, balance: Solde}'
    extraction = csv_bank(make_config, tmp_path, bank, text)
    assert amounts(extraction) == [Decimal("-1200.00"), Decimal("2345.67")]
    assert balances(extraction)[-1] == ("2026-01-07", Decimal("12645.67"))


def test_a_misplaced_apostrophe_in_a_bank_csv_is_refused_naming_its_line(make_config, tmp_path):
    text = ZKB.replace("’", "'").replace(";;1'759.41;", ";;17'59.41;")
    with pytest.raises(StatementError, match=r"bank\.csv:3: column Gutschrift CHF: expected an amount, "
                                             r"got \"17'59\.41\" \(an apostrophe groups thousands only"):
        csv_bank(make_config, tmp_path, ZKB_BANK, text, encoding="latin-1", currency="CHF")


# Real samples: a thousands comma written with each separator gives the same books, byte for byte.
GROUPED = {   # name: (importer, config, source, folder, file, the cell as the sample writes it)
    "paypal": (paypal_csv, CHANNELS, "paypal", "paypal_csv", "oca-paypal-statement_en.csv", '"-1,058.09"'),
    "dcu": (bank_csv, BANKS, "dcu", "bank_csv", "reds-dcu-checking.csv", '"-$7,971.39"'),
}


@pytest.mark.parametrize("separator", ["'", "’", NARROW, THIN])
@pytest.mark.parametrize("name", GROUPED)
def test_a_sample_s_thousands_written_another_way_give_its_golden(make_config, tmp_path, name, separator):
    module, config, source, folder, file, cell = GROUPED[name]
    path = rewritten(tmp_path, sample(folder, file), cell, cell.replace(",", separator))
    extraction = extract(module, make_config(config), source, path)
    assert_golden(extraction_text(extraction), GOLDEN / folder / f"{file}.beancount")
