"""Names a statement writes (a header, a type, a status) compared whatever dash they are
written with: hyphen-minus, hyphen, en dash, em dash, minus sign. Excel and people swap
them. Blind tester round 26 (locales): a German PayPal download's `Allgemeine Abbuchung -
Bankkonto` (a hyphen, as the English `General Withdrawal - Bank Account` is written) was
an "unknown PayPal type": the known one is written with an en dash. One toolkit rule
(name_key, header_key) for every format."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import paypal_csv, pingpong
from beanclear.importers.toolkit import StatementError, header_key, name_key

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\uff0d"]


@pytest.mark.parametrize("dash", DASHES)
def test_a_name_is_one_whatever_dash_it_is_written_with(dash):
    assert name_key(f"Allgemeine Abbuchung {dash} Bankkonto") == "allgemeine abbuchung - bankkonto"
    assert name_key(f"  General  Withdrawal {dash}  Bank Account ") == "general withdrawal - bank account"
    assert header_key(f"Betrag {dash} EUR") == header_key("Betrag-EUR") == "betrag-eur"


# -- must not: what is no dash stays what it is -----------------------------------------

@pytest.mark.parametrize("other", ["_", "~", "/", "·", "=", ""])
def test_other_marks_are_not_a_dash(other):
    assert name_key(f"General Withdrawal {other} Bank Account") != "general withdrawal - bank account"
    assert header_key(f"Betrag{other}EUR") != "betrag-eur"


# -- a PayPal download ------------------------------------------------------------------

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  paypal:
    type: paypal
    currency: EUR
    settlement_days: 9
"""
HEADER = ('"Datum","Uhrzeit","Zeitzone","Name","Typ","Status","Währung","Brutto","Gebühr","Netto",'
          '"Transaktionscode","Zugehöriger Transaktionscode","Guthaben","Betreff","Auswirkung auf Guthaben"\n')


def german(withdrawal: str, status: str = "Abgeschlossen") -> str:
    return HEADER + (
        '"03.02.2026","10:11:12","MEZ","Anna Schmidt","PayPal Express-Zahlung","Abgeschlossen","EUR","1.234,56",'
        '"-31,09","1.203,47","1AB23456CD7890123","","1.203,47","Bestellung 1","Haben"\n'
        f'"06.02.2026","17:45:00","MEZ","","{withdrawal}","{status}","EUR","-1.000,00","0,00","-1.000,00",'
        '"3AB23456CD7890123","","203,47","","Soll"\n')


def paypal(make_config, tmp_path, text: str):
    config = make_config(CONFIG)
    path = tmp_path / "Download.CSV"
    path.write_text(text, encoding="utf-8-sig")
    importer = paypal_csv.Importer(config.channels["paypal"], config)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def withdrawn(extraction) -> list[Decimal]:
    return [p.units.number for e in extraction.entries if isinstance(e, data.Transaction)
            for p in e.postings if p.account == "Assets:Transit:PayPal"]


@pytest.mark.parametrize("dash", DASHES)
def test_a_german_withdrawal_to_the_bank_whatever_its_dash(make_config, tmp_path, dash):
    extraction = paypal(make_config, tmp_path, german(f"Allgemeine Abbuchung {dash} Bankkonto"))
    assert withdrawn(extraction) == [Decimal("1000.00")]


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212"])
def test_an_english_withdrawal_written_with_another_dash(make_config, tmp_path, dash):
    extraction = paypal(make_config, tmp_path, german(f"General Withdrawal {dash} Bank Account"))
    assert withdrawn(extraction) == [Decimal("1000.00")]


def test_a_type_unknown_whatever_its_dash_is_still_refused_naming_its_line(make_config, tmp_path):
    with pytest.raises(StatementError, match=r"Download\.CSV:3: column Typ: unknown PayPal type "
                                             r"'Allgemeine Abbuchung – Sparkonto'"):
        paypal(make_config, tmp_path, german("Allgemeine Abbuchung – Sparkonto"))


# -- a format whose types come from config.yaml: the same rule -----------------------------

def test_pingpong_types_compare_whatever_their_dash(make_config, tmp_path):
    config = make_config("""\
        books: books
        currency: USD
        timezone: Asia/Shanghai
        channels:
          pingpong:
            type: pingpong
            currency: USD
            columns: {date: 时间, type: 类型, amount: 金额, currency: 币种, id: 流水号}
            types: {"收款 – Amazon": sale, "提现 - 银行": payout}
        """)
    path = tmp_path / "pp.csv"
    path.write_text("时间,类型,金额,币种,流水号\n"
                    "2026-02-03 10:00:00,收款 - Amazon,100.00,USD,P1\n"
                    "2026-02-04 10:00:00,提现 — 银行,-60.00,USD,P2\n", encoding="utf-8")
    importer = pingpong.Importer(config.channels["pingpong"], config)
    assert importer.identify(str(path))
    extraction = importer.parse(str(path))
    assert [p.units.number for e in extraction.entries if isinstance(e, data.Transaction)
            for p in e.postings if p.account == "Assets:Transit:PingPong"] == [Decimal("60.00")], extraction.entries


# -- a header: the column config.yaml names, whatever dash the file writes it with ---------

@pytest.mark.parametrize("dash", ["\u2013", "\u2212"])
def test_a_bank_csv_column_named_with_another_dash(make_config, tmp_path, dash):
    from test_bank_csv_wild import amounts, csv_bank
    text = f"Datum;Text;Betrag {dash} EUR\n02.02.2026;Miete;-500,00\n03.02.2026;Stripe;250,00\n"
    bank = 'date_format: "%d.%m.%Y", columns: {date: Datum, memo: Text, amount: "Betrag - EUR"}'
    assert amounts(csv_bank(make_config, tmp_path, bank, text)) == [Decimal("-500.00"), Decimal("250.00")]
