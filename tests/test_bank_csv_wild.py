"""Foreign banks' CSV exports nobody here had seen (session 18): what each showed that the
importer did wrong, in a minimal statement the test writes, and what the books must say.
The real files (other projects' test files and documents: Deutsche Bank, comdirect, Revolut,
Schwab, ING Netherlands, Knab, BNP Paribas, DKB, Bank of Ireland) stay outside the repository."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import bank_csv
from beanclear.importers.toolkit import StatementError
from beanclear.setup.columns import guess


def csv_bank(make_config, tmp_path, bank: str, text: str, encoding: str = "utf-8", currency: str = "EUR"):
    cfg = make_config(f"banks:\n  b: {{type: csv, account: Assets:Bank:B, currency: {currency}, {bank}}}\n")
    path = tmp_path / "bank.csv"
    path.write_bytes(text.encode(encoding))
    imp = bank_csv.Importer(cfg.banks["b"], cfg)
    assert imp.identify(str(path))
    return imp.parse(str(path))


def amounts(extraction):
    return [e.postings[0].units.number for e in extraction.entries if isinstance(e, data.Transaction)]


def balances(extraction):
    return [(str(b.date), b.amount.number) for b in extraction.entries if isinstance(b, data.Balance)]


# -- a direction column the config leaves out ----------------------------------------------

ING_NL = ('"Datum";"Naam / Omschrijving";"Rekening";"Af Bij";"Bedrag (EUR)";"Mededelingen"\n'
          '"20200213";"Kosten OranjePakket";"NL99INGB9999999999";"Af";"1,25";"1 jan t/m 31 jan 2020"\n'
          '"20191213";"PAULISSEN G J L M";"NL99INGB9999999999";"Bij";"20,00";"Kosten rekening"\n')


def test_an_unsigned_amount_beside_af_bij_without_direction_is_refused(make_config, tmp_path):
    # ING Netherlands (and Knab's CreditDebet): without `direction:` every debit was booked as money in.
    with pytest.raises(StatementError, match=r"bank.csv:1: column Af Bij says which way each amount in Bedrag "
                                             r"\(EUR\) went.*add `direction: Af Bij`"):
        csv_bank(make_config, tmp_path, "date_format: '%Y%m%d', columns: {date: Datum, amount: Bedrag (EUR)}", ING_NL)
    ex = csv_bank(make_config, tmp_path, "date_format: '%Y%m%d', columns: {date: Datum, amount: Bedrag (EUR), "
                  "direction: Af Bij}", ING_NL)
    assert amounts(ex) == [Decimal("-1.25"), Decimal("20.00")]


def test_a_signed_amount_beside_a_credit_debit_column_is_read_as_it_is(make_config, tmp_path):
    # HSBC Hong Kong's card export: `-1,099.14` beside `Credit / Debit` DEBIT; signed already.
    text = ("Post date,Description,Billing amount,Credit / Debit\n"
            '10/04/2025,UNIONPAY MERCHANT,"-1,099.14",DEBIT\n11/04/2025,REFUND,12.00,CREDIT\n')
    ex = csv_bank(make_config, tmp_path, "date_format: '%d/%m/%Y', columns: {date: Post date, "
                  "amount: Billing amount, memo: Description}", text)
    assert amounts(ex) == [Decimal("-1099.14"), Decimal("12.00")]


# -- a fee beside the amount ---------------------------------------------------------------

REVOLUT = ("Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
           "TOPUP,Current,2024-01-01 10:00:00,2024-01-01 10:00:01,Top-up,500.00,0.00,CHF,COMPLETED,500.00\n"
           "CARD_PAYMENT,Current,2024-03-01 16:45:00,2024-03-02 10:30:00,Online Store,-42.18,0.42,CHF,COMPLETED,"
           "457.40\n"
           "CARD_PAYMENT,Current,2024-03-03 09:00:00,,Pending shop,-5.00,0.00,CHF,PENDING,\n")
REVOLUT_BANK = ("date_format: '%Y-%m-%d %H:%M:%S', statuses: {booked: [COMPLETED], skipped: [PENDING]}, "
                "columns: {date: Completed Date, amount: Amount, currency: Currency, memo: Description, "
                "balance: Balance, status: State, fee: Fee}")


def test_a_fee_beside_the_amount_is_a_line_of_its_own(make_config, tmp_path):
    # Revolut: Amount -42.18 and Fee 0.42, the balance after both (457.40): the fee was not booked,
    # and the statement's own balance failed.
    ex = csv_bank(make_config, tmp_path, REVOLUT_BANK, REVOLUT, currency="CHF")
    assert amounts(ex) == [Decimal("500.00"), Decimal("-42.18"), Decimal("-0.42")]
    fee = [e for e in ex.entries if isinstance(e, data.Transaction)][-1]
    assert fee.meta["id"].endswith("/fee") and fee.narration == "fee: Online Store"
    assert balances(ex) == [("2024-01-02", Decimal("500.00")), ("2024-03-03", Decimal("457.40"))]


def test_a_zero_fee_books_nothing_more(make_config, tmp_path):
    ex = csv_bank(make_config, tmp_path, REVOLUT_BANK, REVOLUT.replace("-42.18,0.42", "-42.60,0.00"),
                  currency="CHF")
    assert amounts(ex) == [Decimal("500.00"), Decimal("-42.60")]


# -- section titles among the rows, balance lines after them ---------------------------------

SCHWAB = ('Transactions  for Checking account EAC as of 12/23/2020 16:00:10 ET\n'
          '"Date","Type","Check #","Description","Withdrawal (-)","Deposit (+)","RunningBalance"\n'
          '"Pending Transactions are not reflected within this sort criterion."\n'
          '"Posted Transactions"\n'
          '"11/13/2020","ACH","","JPMorgan Chase Ext Trnsfr","","$10,500.00","$10,550.01"\n'
          '"10/27/2020","ACH","","JPMorgan Chase Auth Debit","$1.10","","$50.01"\n')
SCHWAB_BANK = ("date_format: '%m/%d/%Y', columns: {date: Date, debit: Withdrawal (-), credit: Deposit (+), "
               "balance: RunningBalance, memo: Description}")


def test_one_cell_section_titles_among_the_rows_are_skipped_saying_so(make_config, tmp_path):
    # Charles Schwab: `"Posted Transactions"` under the header was "row has 1 cells, the header 7".
    ex = csv_bank(make_config, tmp_path, SCHWAB_BANK, SCHWAB, currency="USD")
    assert amounts(ex) == [Decimal("10500.00"), Decimal("-1.10")]
    assert ex.skipped["section title line"] == 2


def test_a_one_cell_row_with_digits_is_still_refused(make_config, tmp_path):
    # a row whose delimiters were lost may hold a date and an amount: never skipped
    text = SCHWAB.replace('"Posted Transactions"', '"11/12/2020 ATM -20.00"')
    with pytest.raises(StatementError, match=r"bank.csv:4: expected 7 cells as in the header \(line 2\), got 1"):
        csv_bank(make_config, tmp_path, SCHWAB_BANK, text, currency="USD")


DEUTSCHE = ("Umsätze\nKonto;IBAN;Währung\nBusiness BasicKonto;DE04480700240123456700;EUR\n\n"
            "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;Betrag;Soll;Haben;Währung\n"
            "25.2.2026;25.2.2026;SEPA Überweisung;Max Mustermann GmbH;RE 105397;2.688,15;;2.688,15;EUR\n"
            "23.2.2026;23.2.2026;SEPA Lastschrift;Max Mustermann GmbH;RED 105397;-4,99;-4,99;;EUR\n"
            "Kontostand;28.2.2026;;;3.882,54;EUR\n")
DEUTSCHE_BANK = "date_format: '%d.%m.%Y', columns: {date: Buchungstag, amount: Betrag, memo: Verwendungszweck}"


def test_a_balance_line_after_the_rows_is_noted_not_refused(make_config, tmp_path):
    # Deutsche Bank's `Kontostand;28.2.2026;;;3.882,54;EUR` (comdirect's `"Alter Kontostand";"+1.234,56"`)
    # after the last row was "row has 6 cells, the header 9: a cell is missing".
    ex = csv_bank(make_config, tmp_path, DEUTSCHE_BANK, DEUTSCHE)
    assert amounts(ex) == [Decimal("2688.15"), Decimal("-4.99")]
    assert any(n.startswith("line 8: Kontostand 28.2.2026 3.882,54 EUR: a balance line") for n in ex.notes)
    comdirect = ('"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR"\n'
                 '"21.05.2013 ";"21.05.2013 ";"Lastschrift Einzug";"Auftraggeber: BLUMENLADEN";"-33,11"\n'
                 '\n"Alter Kontostand";"+1.234,56"\n\n\n')
    ex = csv_bank(make_config, tmp_path, "date_format: '%d.%m.%Y', columns: {date: Buchungstag, "
                  "amount: Umsatz in EUR}", comdirect)
    assert amounts(ex) == [Decimal("-33.11")] and "Alter Kontostand +1.234,56" in ex.notes[0]


@pytest.mark.parametrize("line", ["Kontostand am 28.02.2026;3.882,54", "Closing balance as of 02/28/2026;3.882,54",
                                  "Saldo per 28.02.2026;;;3.882,54"])
def test_a_balance_line_may_say_the_day_it_is_of(make_config, tmp_path, line):
    # a blind helper's Sparkasse-like export ended `Kontostand am 31.08.2026;9.421,75`: refused as a short row
    ex = csv_bank(make_config, tmp_path, DEUTSCHE_BANK, DEUTSCHE.replace("Kontostand;28.2.2026;;;3.882,54;EUR", line))
    assert amounts(ex) == [Decimal("2688.15"), Decimal("-4.99")] and any("a balance line" in n for n in ex.notes)


def test_a_short_row_with_rows_after_it_is_refused_balance_word_or_not(make_config, tmp_path):
    # only the end of a file holds balance lines; a short row in the middle lost a cell
    text = DEUTSCHE.replace("Kontostand;28.2.2026;;;3.882,54;EUR\n", "") + "Kontostand;28.2.2026;;;3.882,54;EUR\n"
    lines = text.splitlines(keepends=True)
    middle = "".join(lines[:6] + lines[-1:] + lines[6:-1])
    with pytest.raises(StatementError, match=r"bank.csv:7: expected 9 cells as in the header \(line 5\), got 6"):
        csv_bank(make_config, tmp_path, DEUTSCHE_BANK, middle)
    # the last row cut short (the anonymiser's Commerzbank row): not a balance line
    cut = DEUTSCHE.replace("Kontostand;28.2.2026;;;3.882,54;EUR\n", "Lastschrift;Bund e.V.;-30;EUR;DE79;\n")
    with pytest.raises(StatementError, match=r"bank.csv:8: expected 9 cells as in the header \(line 5\), got 6"):
        csv_bank(make_config, tmp_path, DEUTSCHE_BANK, cut)


# -- a title line above the rows of a file without a header -----------------------------------

BNP = ('"Compte de ch&egrave;ques";"Compte de ch&amp;egrave;ques";****;09/01/2023;;20 000,10\n'
       "02/01/2023;V;V;transfer 1;-1 200,00\n03/01/2023;V;V;transfer 2;2 052,20\n03/01/2023;F;F;charge 1;-2,50\n")
BNP_BANK = "date_format: '%d/%m/%Y', columns: {date: 1, memo: 4, amount: 5}"


def test_a_title_line_above_the_rows_of_a_file_without_a_header(make_config, tmp_path):
    # BNP Paribas: the account's name, the day of the download and its balance above the rows;
    # the file was not recognised at all.
    ex = csv_bank(make_config, tmp_path, BNP_BANK, BNP)
    assert amounts(ex) == [Decimal("-1200.00"), Decimal("2052.20"), Decimal("-2.50")]
    assert ex.skipped["title line above the rows (no date, no amount)"] == 1


def test_a_first_line_that_could_be_a_row_is_no_title(make_config, tmp_path):
    # an amount in the amount column: a row (with a date its format does not read), never skipped
    text = "2023-01-01;V;V;transfer 0;-5,00\n" + BNP.split("\n", 1)[1]
    cfg = make_config(f"banks:\n  b: {{type: csv, account: Assets:Bank:B, currency: EUR, {BNP_BANK}}}\n")
    path = tmp_path / "bank.csv"
    path.write_text(text, encoding="utf-8")
    assert not bank_csv.Importer(cfg.banks["b"], cfg).identify(str(path))
    # a header as wide as the rows is no title: a preset without a header does not claim the file
    boi = "Date,Details,Debit,Credit,Balance\n07/12/2012,LODGMENT 529898,,10.0,131.21\n07/12/2012,PAYMENT,5,,126.21\n"
    path.write_text(boi, encoding="utf-8")
    td = make_config("banks:\n  td: {type: td, account: Assets:Bank:TD}\n")
    assert not bank_csv.Importer(td.banks["td"], td).identify(str(path))


# -- the encoding a German header says ----------------------------------------------------------

def test_a_german_header_is_read_in_a_western_code_page_whatever_the_currency(make_config, tmp_path):
    # DKB writes Windows-1252; `beanclear init` proposes currency CNY where the file does not
    # say, and a CNY bank's file was read as GB18030: `Begünstigter` was no header of it.
    text = ('"Buchungstag";"Auftraggeber / Begünstigter";"Verwendungszweck";"Betrag (EUR)";\n'
            '"16.01.2018";"REWE Filialen Voll";"REWE SAGT DANKE.";"-15,37";\n')
    ex = csv_bank(make_config, tmp_path, "date_format: '%d.%m.%Y', columns: {date: Buchungstag, "
                  "payee: Auftraggeber / Begünstigter, amount: Betrag (EUR)}", text, encoding="cp1252",
                  currency="CNY")
    assert amounts(ex) == [Decimal("-15.37")]


# -- what `beanclear init` guesses -------------------------------------------------------------

def test_init_guesses_a_semicolon_file_with_german_names(tmp_path):
    # ING Deutschland, DKB, Sparkasse, Knab, comdirect: `;` between the cells, German and Dutch
    # names; none was guessed (a header was only looked for between commas).
    path = tmp_path / "umsatz.csv"
    path.write_text(DEUTSCHE.replace("Begünstigter / Auftraggeber", "Auftraggeber/Empfänger"), encoding="cp1252")
    assert guess(path) == ({"date": "Buchungstag", "amount": "Betrag", "memo": "Verwendungszweck",
                            "payee": "Auftraggeber/Empfänger", "currency": "Währung"},
                           "%d.%m.%Y")   # Windows-1252 read as such, the balance line's date aside
    path.write_text('"Datum";"Af Bij";"Bedrag (EUR)"\n"20200213";"Af";"1,25"\n', encoding="utf-8")
    assert guess(path) == ({"date": "Datum", "amount": "Bedrag (EUR)", "direction": "Af Bij"}, "%Y%m%d")


def test_init_does_not_guess_which_of_day_and_month_comes_first(tmp_path):
    # Bank of Ireland `07/12/2012`: read month first (July 12) because that format came first
    path = tmp_path / "boi.csv"
    path.write_text("Date,Details,Debit,Credit,Balance\n07/12/2012,LODGMENT,,10.0,131.21\n"
                    "07/12/2012,PAYMENT,5,,126.21\n", encoding="utf-8")
    with pytest.raises(StatementError, match=r"reads as day/month and as month/day.*set date_format"):
        guess(path)
    path.write_text("Date,Details,Debit,Credit,Balance\n07/12/2012,LODGMENT,,10.0,131.21\n"
                    "25/12/2012,PAYMENT,5,,126.21\n", encoding="utf-8")
    assert guess(path)[1] == "%d/%m/%Y"
