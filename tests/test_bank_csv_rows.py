"""Gaps a sweep of real Western bank CSV exports found in the `csv` bank (bank_csv.py):
a download of several accounts in one file (ABN AMRO), rows short of a cell, and Wise's
transfer and fee under one `TransferWise ID`. Each file is written here in the shape of
the bank's real export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.books import importing
from beanclear.importers import bank_csv
from beanclear.importers.toolkit import StatementError
from conftest import beanclear, snapshot


def txns(extraction):
    return [e for e in extraction.entries if isinstance(e, data.Transaction)]


def balances(extraction):
    return [(str(b.date), b.amount.number) for b in extraction.entries if isinstance(b, data.Balance)]


# -- several accounts in one file (ABN AMRO) -------------------------------------------------

# ABN AMRO's TXT download (Mijn ABN AMRO > Af- en bijschrijvingen > Downloaden, TXT): no
# header, TAB between the cells, one row per line of every account chosen: account number,
# currency, transaction date, balance before, balance after, interest date, amount,
# description.
ABN = ("123456789\tEUR\t20200102\t1000,00\t990,00\t20200102\t-10,00\tBEA   NR:ABC123 SHOP\n"
       "987654321\tEUR\t20200102\t50,00\t550,00\t20200102\t500,00\tSEPA Overboeking van 123456789\n"
       "123456789\tEUR\t20200103\t990,00\t490,00\t20200103\t-500,00\tSEPA Overboeking naar 987654321\n"
       "123456789\tEUR\t20200103\t490,00\t1490,00\t20200103\t1000,00\tSEPA Overboeking salaris\n")
ABN_COLUMNS = "date: 3, amount: 7, balance: 5, memo: 8"


def abn_config(make_config, **ids):
    banks = "".join(f"  {name}: {{type: csv, account: Assets:Bank:{name.title()}, currency: EUR, "
                    f"date_format: '%Y%m%d', columns: {{account_id: 1, {ABN_COLUMNS}}}"
                    f"{f', account_id: {number!r}' if number else ''}}}\n" for name, number in ids.items())
    return make_config("banks:\n" + banks)


def test_each_bank_books_only_its_accounts_rows(make_config, tmp_path):
    # Two banks on one download, each with its account_id: each booked every row before
    # (the savings account's 500.00 on both accounts).
    cfg = abn_config(make_config, main="123456789", savings="987654321")
    path = tmp_path / "TXT200104.TAB"
    path.write_text(ABN, encoding="latin-1")
    claimed = importing.identify(path, importing.for_config(cfg), None)
    assert sorted(i.source.name for i in claimed) == ["main", "savings"]
    main, savings = (next(i for i in claimed if i.source.name == n).read(str(path)) for n in ("main", "savings"))
    assert [t.postings[0].units.number for t in txns(main)] == [Decimal("-10.00"), Decimal("-500.00"),
                                                                Decimal("1000.00")]
    assert [t.postings[0].units.number for t in txns(savings)] == [Decimal("500.00")]
    assert (main.rows, dict(main.skipped)) == (4, {"line of another account's statement (987654321)": 1})
    assert (savings.rows, dict(savings.skipped)) == (4, {"line of another account's statement (123456789)": 3})
    assert balances(main) == [("2020-01-03", Decimal("990.00")), ("2020-01-04", Decimal("1490.00"))]
    assert balances(savings) == [("2020-01-03", Decimal("550.00"))]
    assert (main.account, savings.account) == ("123456789", "987654321")   # later files of another are refused


def test_a_bank_whose_account_the_file_does_not_hold_does_not_claim_it(make_config, tmp_path):
    # Its number in another account's description (a transfer between the two) is no row of its own.
    cfg = abn_config(make_config, main="123456789", other="555555555")
    path = tmp_path / "TXT200104.TAB"
    path.write_text(ABN.replace("987654321", "555555555").replace("555555555\tEUR", "123456789\tEUR"),
                    encoding="latin-1")
    assert [i.source.name for i in importing.identify(path, importing.for_config(cfg), None)] == ["main"]


def test_several_accounts_without_account_id_are_refused_naming_them(make_config, tmp_path):
    cfg = abn_config(make_config, main=None)
    path = tmp_path / "TXT200104.TAB"
    path.write_text(ABN + "555555555\tEUR\t20200104\t0,00\t1,00\t20200104\t1,00\tRente\n", encoding="latin-1")
    imp = bank_csv.Importer(cfg.banks["main"], cfg)
    assert imp.identify(str(path))
    with pytest.raises(StatementError, match=r"TXT200104.TAB:2: statements of 3 accounts \(123456789, 555555555, "
                                             r"987654321\); set account_id in config.yaml to pick one"):
        imp.read(str(path))
    path.write_text(ABN.replace("987654321\t", "123456789\t"), encoding="latin-1")   # one account: as before
    assert len(txns(imp.read(str(path)))) == 4


def test_an_account_column_by_header_and_a_row_without_its_account(make_config, tmp_path):
    # Rabobank's CSV download of several accounts: `IBAN/BBAN` names each row's account.
    cfg = make_config("banks:\n  rabo: {type: csv, account: Assets:Bank:Rabo, currency: EUR, account_id: "
                      "NL11RABO0101010101, columns: {account_id: IBAN/BBAN, date: Datum, amount: Bedrag, "
                      "balance: Saldo na trn, ref: Volgnr, memo: Omschrijving-1}}\n")
    text = ('"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn","Omschrijving-1"\n'
            '"NL22RABO0202020202","EUR","RABONL2U","000000000000001002","2024-01-02","2024-01-02","-2,50",'
            '"97,50","Rente"\n'
            '"NL11RABO0101010101","EUR","RABONL2U","000000000000007001","2024-01-02","2024-01-02","+12,00",'
            '"112,00","Terugbetaling"\n')
    path = tmp_path / "CSV_A_20240103.csv"
    path.write_text(text, encoding="utf-8")
    imp = bank_csv.Importer(cfg.banks["rabo"], cfg)
    assert imp.identify(str(path))
    assert [(t.meta["id"], t.postings[0].units.number) for t in txns(imp.read(str(path)))] == \
        [("000000000000007001", Decimal("12.00"))]
    path.write_text(text.replace('"NL11RABO0101010101","EUR"', '"","EUR"'), encoding="utf-8")
    with pytest.raises(StatementError, match=r"CSV_A_20240103.csv:3: column IBAN/BBAN: no account number"):
        imp.read(str(path))


def test_import_of_several_accounts_without_account_id_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "config.yaml").write_text(
        f"books: books\ncurrency: EUR\nbanks:\n  main: {{type: csv, account: Assets:Bank:Main, currency: EUR, "
        f"date_format: '%Y%m%d', columns: {{account_id: 1, {ABN_COLUMNS}}}}}\n", encoding="utf-8")
    (tmp_path / "TXT200104.TAB").write_text(ABN, encoding="latin-1")
    result = beanclear(tmp_path, "import", str(tmp_path / "TXT200104.TAB"))
    assert result.exit_code == 2, result.output
    assert "TXT200104.TAB:2: statements of 2 accounts (123456789, 987654321)" in result.output
    assert snapshot(tmp_path / "books") == {}


# -- a row short of a cell ----------------------------------------------------------------------

def csv_bank(make_config, tmp_path, bank: str, text: str):
    cfg = make_config(f"banks:\n  b: {{type: csv, account: Assets:Bank:B, currency: GBP, {bank}}}\n")
    path = tmp_path / "bank.csv"
    path.write_text(text, encoding="utf-8")
    imp = bank_csv.Importer(cfg.banks["b"], cfg)
    assert imp.identify(str(path))
    return imp.read(str(path))


# Starling's CSV export: every row has every cell, Spending Category and Notes last.
STARLING = ("Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
            "01/01/2024,Acme Ltd,INVOICE 17,FASTER PAYMENT,1000.00,1000.00,INCOME,\n"
            "02/01/2024,Tesco,TESCO STORES 3297,CARD,-12.50,987.50,,\n")
STARLING_BANK = ("date_format: '%d/%m/%Y', columns: {date: Date, payee: Counter Party, memo: Reference, "
                 "amount: Amount (GBP), balance: Balance (GBP)}")


@pytest.mark.parametrize("row, before", [
    # Its Reference lost: the balance was read as the amount (+987.50) and the row booked silently.
    ("02/01/2024,Tesco,CARD,-12.50,987.50,,", "booked +987.50"),
    # Its Type lost: the balance column read GENERAL, an error about a number, not the row.
    ("02/01/2024,Tesco,TESCO STORES 3297,-12.50,987.50,GENERAL,", "not a number"),
])
def test_a_western_row_short_of_a_cell_is_refused_naming_its_line(make_config, tmp_path, row, before):
    text = STARLING.replace("02/01/2024,Tesco,TESCO STORES 3297,CARD,-12.50,987.50,,", row)
    with pytest.raises(StatementError, match=r"bank.csv:3: expected 8 cells as in the header \(line 1\), got 7: a "
                                             r"cell is missing, and which one cannot be known"):
        csv_bank(make_config, tmp_path, STARLING_BANK, text)
    assert [t.postings[0].units.number for t in txns(csv_bank(make_config, tmp_path, STARLING_BANK, STARLING))] == \
        [Decimal("1000.00"), Decimal("-12.50")]


def test_a_short_row_far_down_a_streamed_file(make_config, tmp_path, monkeypatch):
    from beanclear.importers.toolkit import text as text_module
    monkeypatch.setattr(text_module, "STREAM_FROM", 0)
    text = (STARLING + "03/01/2024,Shell,FUEL,CARD,-40.00,947.50,TRANSPORT,\n" * 3000
            + "04/01/2024,Shell,CARD,-1.00,946.50,,\n")
    with pytest.raises(StatementError, match=r"bank.csv:3004: expected 8 cells as in the header \(line 1\), got 7"):
        csv_bank(make_config, tmp_path, STARLING_BANK, text)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_longer_than_pythons_csv_field_limit_is_read_and_cut(make_config, tmp_path, monkeypatch, stream,
                                                                      quoted):
    """blind8: a memo of 140,000 characters was refused with Python's own `malformed CSV
    (field larger than field limit (131072))`, while MT940, CAMT and OFX read a 5 MB text
    and cut it. README Limits: a text longer than 500 characters is cut; the file itself
    is bounded (MAX_BYTES), and so is every cell of it."""
    if stream:
        from beanclear.importers.toolkit import text as text_module
        monkeypatch.setattr(text_module, "STREAM_FROM", 0)
    memo = "X" * 140_000
    text = STARLING.replace("TESCO STORES 3297", f'"{memo}"' if quoted else memo)
    tesco = txns(csv_bank(make_config, tmp_path, STARLING_BANK, text))[1]
    assert tesco.narration == "X" * 499 + "\u2026" and tesco.postings[0].units.number == Decimal("-12.50")


def test_import_of_a_short_row_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "config.yaml").write_text(f"books: books\ncurrency: GBP\nbanks:\n  b: {{type: csv, account: "
                                          f"Assets:Bank:B, currency: GBP, {STARLING_BANK}}}\n", encoding="utf-8")
    (tmp_path / "starling.csv").write_text(STARLING.replace("TESCO STORES 3297,", ""), encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "starling.csv"))
    assert result.exit_code == 2, result.output
    assert "starling.csv:3: expected 8 cells as in the header (line 1), got 7" in result.output
    assert snapshot(tmp_path / "books") == {}


def test_a_chinese_row_may_leave_out_only_its_text_cells_at_its_end(make_config, tmp_path):
    # 农业银行 drops a row's empty 交易渠道 and 交易附言 (test_bank_traits: read as empty); a row
    # cut off before its 日志号 (the ref) lacks more than text: which cell is gone cannot be told.
    text = ("交易日期,交易时间,交易摘要,交易金额,本次余额,对手信息,日志号,交易渠道,交易附言\n"
            "20240102,132324,财付通,-10.00,990.00,微信支付,369333999,电子商务,UA0123微信支付\n"
            "20240103,,正常还款,-345.89,644.11,12341234123412341,111222333\n")
    bank = ("date_format: '%Y%m%d', columns: {date: 交易日期, time: 交易时间, amount: 交易金额, balance: 本次余额, "
            "payee: 对手信息, memo: 交易摘要, detail: 交易附言, ref: 日志号}")
    assert [t.meta["id"] for t in txns(csv_bank(make_config, tmp_path, bank, text))] == ["369333999", "111222333"]
    with pytest.raises(StatementError, match=r"bank.csv:3: expected 9 cells as in the header \(line 1\), got 6: "
                                             r"no 日志号"):
        csv_bank(make_config, tmp_path, bank, text.replace(",111222333", ""))


def test_a_cmb_file_cut_inside_a_row_exits_2_and_writes_nothing(tmp_path):
    # Cut inside 对手信息: its empty cells padded, the cut row was booked again beside the whole
    # one (another text, another id) and the day's balance restated 271.66 -> 1271.66.
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: CNY\nbanks:\n  cmb: {type: cmb, account: "
                                          "Assets:Bank:CMB}\n", encoding="utf-8")
    (tmp_path / "cmb.csv").write_text("记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n"
                                      '2024-01-01,CNY,"1,234.00","1,271.66",代发住房公积金,北京住房公积', encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "cmb.csv"))
    assert result.exit_code == 2, result.output
    assert "cmb.csv:2: the last row has 6 cells, the header 7, and the file ends inside it" in result.output
    assert snapshot(tmp_path / "books") == {}


OPS = ("books: books\ncurrency: CNY\nbanks:\n  ops: {type: csv, account: Assets:Bank:Ops, currency: CNY, "
       "date_format: '%Y-%m-%d', columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, "
       "ref: 交易流水号, balance: 余额}}\n")


@pytest.mark.parametrize("text, message", [
    # blind13 repro-02 (a): -505.00 cut to -50, booked as -50.00 (the row's own balance said -505.00)
    ("交易日期,摘要,对方户名,余额,交易流水号,交易金额\n2026-03-09,房租 三月,王先生,9914.15,B982001,-5.00\n"
     "2026-03-09,房租 四月,李女士,9909.15,B982002,-5.00\n2026-03-09,房租 五月,张先生,9404.15,B982003,-50",
     "ops.csv:4: the last line ends without a line end and its 交易金额 '-50' has no decimal places, the other "
     "rows' 2 ('-5.00'): is the file cut off?; nothing was written"),
    # (b): B981003 cut to B981, booked, then booked again whole from the complete download
    ("交易日期,交易金额,摘要,对方户名,余额,交易流水号\n2026-03-09,-5.00,房租 三月,王先生,9914.15,B981001\n"
     "2026-03-09,-5.00,房租 四月,李女士,9909.15,B981002\n2026-03-09,-5.00,房租 五月,张先生,9904.15,B981",
     "ops.csv:4: the last line ends without a line end and its 交易流水号 'B981' is shorter than the other rows' "
     "('B981002'): is the file cut off?; nothing was written"),
])
def test_a_bank_csv_cut_inside_its_last_cell_exits_2_and_its_whole_download_books_once(tmp_path, text, message):
    (tmp_path / "config.yaml").write_text(OPS, encoding="utf-8")
    (tmp_path / "ops.csv").write_text(text, encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "ops.csv"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert snapshot(tmp_path / "books") == {}
    whole = text + ("5.00" if text.endswith("-50") else "003")
    for end in ("", "\n"):   # must not fire: the whole download, with or without its last line end
        (tmp_path / "ops.csv").write_text(whole + end, encoding="utf-8")
        result = beanclear(tmp_path, "import", str(tmp_path / "ops.csv"))
        assert result.exit_code == 0, result.output
        assert f"3 rows read, {0 if end else 3} entries written" in result.output   # 3 lines, and apart the opening
    books = (tmp_path / "books" / "ops" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert [line for line in books.splitlines() if line.startswith('  id: "B98')] == \
        [f'  id: "B98{n}00{i}"' for n in ("2" if "B982" in text else "1") for i in (1, 2, 3)]
    assert beanclear(tmp_path, "check").exit_code == 0


# amounts written with the places they need (an Excel re-save): the column has no habit to
# judge the last cell by, its running balance has
VARIABLE = "交易日期,摘要,余额,交易流水号,交易金额\n2026-03-09,房租,9914.15,B1,-5\n2026-03-09,水费,9909.65,B2,-4.5\n"


OPS_BANK = ("date_format: '%Y-%m-%d', columns: {date: 交易日期, amount: 交易金额, memo: 摘要, ref: 交易流水号, "
            "balance: 余额}")


def test_a_last_line_cut_inside_its_amount_is_refused_by_its_running_balance(make_config, tmp_path):
    # -505 cut to -50: 9909.65 - 50 is not its balance 9404.65 (the lines before step: 9914.15 - 4.5)
    with pytest.raises(StatementError, match=r"bank.csv:4: the last line ends without a line end and its amount -50 "
                                             r"does not give its balance 9404.65 from the line before's 9909.65 "
                                             r"\(is the file cut off\?\)"):
        csv_bank(make_config, tmp_path, OPS_BANK, VARIABLE + "2026-03-09,电费,9404.65,B3,-50")


@pytest.mark.parametrize("text", [
    VARIABLE + "2026-03-09,电费,9404.65,B3,-505",                 # whole, oldest first
    VARIABLE + "2026-03-09,电费,9404.65,B3,-50\n",               # a line end after it: as written
    "交易日期,摘要,余额,交易流水号,交易金额\n2026-03-09,水费,9909.65,B2,-4.5\n2026-03-09,房租,9914.15,B1,-5\n"
    "2026-03-09,电费,9919.15,B0,9",                               # whole, newest first: it leads to the line before
    "交易日期,摘要,余额,交易流水号,交易金额\n2026-03-09,房租,9914.15,B1,-5\n2026-03-09,水费,100.00,B2,-4.5\n"
    "2026-03-09,电费,9404.65,B3,-50",                             # balances that do not step: nothing to judge by
])
def test_a_whole_last_line_without_a_line_end_is_booked(make_config, tmp_path, text):
    entries = txns(csv_bank(make_config, tmp_path, OPS_BANK, text))
    assert len(entries) == 3


# -- one ref on several rows (Wise before 2021) -------------------------------------------------

# Wise's statement CSV before 2021: a transfer's fee is a row of its own, with the transfer's
# TransferWise ID and `Wise Charges for: <id>` as its description; newest first.
WISE = ('"TransferWise ID",Date,Amount,Currency,Description,"Payment Reference","Running Balance",'
        '"Exchange From","Exchange To","Exchange Rate","Payer Name","Payee Name","Payee Account Number",Merchant,'
        '"Total fees"\n'
        'TRANSFER-2308077507,14-02-2020,-1.00,EUR,"Wise Charges for: TRANSFER-2308077507",,898.00,,,,,,,,0.00\n'
        'TRANSFER-2308077507,14-02-2020,-100.00,EUR,"Sent money to Jan Jansen",Rent,899.00,,,,,"Jan Jansen",'
        'NL91ABNA0417164300,,1.00\n'
        'TRANSFER-2300000001,13-02-2020,999.00,EUR,"Received money from Acme BV",Invoice 7,999.00,,,,"Acme BV",'
        ',,,0.00\n')
WISE_BANK = ("currency: EUR, date_format: '%d-%m-%Y', columns: {ref: TransferWise ID, date: Date, amount: Amount, "
             "currency: Currency, memo: Description, balance: Running Balance}")


def wise(make_config, tmp_path, text, name="statement_EUR.csv"):
    cfg = make_config(f"banks:\n  wise: {{type: csv, account: Assets:Bank:Wise, {WISE_BANK}}}\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    imp = bank_csv.Importer(cfg.banks["wise"], cfg)
    assert imp.identify(str(path))
    return imp.read(str(path))


def test_a_transfer_and_its_fee_under_one_transferwise_id_are_both_booked(make_config, tmp_path):
    # The fee row was refused (`id 'TRANSFER-2308077507' again … but with other amounts`), or,
    # of the same amount, dropped as a repeat of the transfer.
    ex = wise(make_config, tmp_path, WISE)
    ids = {t.meta["id"]: t.postings[0].units.number for t in txns(ex)}
    fee_id = next(i for i in ids if i.startswith("TRANSFER-2308077507/"))
    assert ids == {"TRANSFER-2308077507": Decimal("-100.00"), fee_id: Decimal("-1.00"),
                   "TRANSFER-2300000001": Decimal("999.00")}
    assert balances(ex) == [("2020-02-14", Decimal("999.00")), ("2020-02-15", Decimal("898.00"))]
    # Listed the other way round, or in a statement of more days, the ids are the same.
    lines = WISE.splitlines(keepends=True)
    later = (lines[0] + "TRANSFER-2311111111,15-02-2020,-8.00,EUR,Card,,890.00,,,,,,,,0.00\n"
             + lines[2] + lines[1] + lines[3])
    assert {t.meta["id"]: t.postings[0].units.number for t in txns(wise(make_config, tmp_path, later))} == \
        {**ids, "TRANSFER-2311111111": Decimal("-8.00")}
    # A fee of the transfer's own amount is booked too.
    same = WISE.replace("-1.00,EUR", "-100.00,EUR").replace(",898.00,", ",799.00,")
    assert sorted(t.postings[0].units.number for t in txns(wise(make_config, tmp_path, same))) == \
        [Decimal("-100.00"), Decimal("-100.00"), Decimal("999.00")]


def test_a_wise_statement_with_a_fee_row_imports_and_again_adds_nothing(tmp_path):
    (tmp_path / "config.yaml").write_text(f"books: books\ncurrency: EUR\nbanks:\n  wise: {{type: csv, account: "
                                          f"Assets:Bank:Wise, {WISE_BANK}}}\n", encoding="utf-8")
    (tmp_path / "statement_EUR.csv").write_text(WISE, encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "statement_EUR.csv"))
    assert result.exit_code == 0, result.output
    assert "3 rows read, 3 entries written, 0 already in the books; balance assertions: 2 written" in result.output
    books = snapshot(tmp_path / "books")
    again = beanclear(tmp_path, "import", "--force", str(tmp_path / "statement_EUR.csv"))
    assert again.exit_code == 0 and ("0 entries written, 3 already in the books; balance assertions: 0 written, 2 "
                                     "already in the books") in again.output, again.output
    assert snapshot(tmp_path / "books") == books


def test_a_row_repeated_exactly_keeps_its_ref(make_config, tmp_path):
    # The same line listed twice is one movement: one id, booked once by the import (once_per_id);
    # listed right after itself at the same running balance, the copy is not read as a line at all
    # (banking.Copies: tests/test_bank_copies.py).
    lines = WISE.splitlines(keepends=True)
    ex = wise(make_config, tmp_path, lines[0] + lines[3] + lines[1] + lines[3])
    assert sorted(t.meta["id"] for t in txns(ex)) == ["TRANSFER-2300000001", "TRANSFER-2300000001",
                                                      "TRANSFER-2308077507"]
    ex = wise(make_config, tmp_path, lines[0] + lines[3] + lines[3])
    assert [t.meta["id"] for t in txns(ex)] == ["TRANSFER-2300000001"] and ex.rows == 2


# -- a direction column the config does not name (交通银行) ------------------------------------

# 交通银行 交易明细 (deb-sig's example/bocom_debit shape): 交易金额 unsigned, 借贷 says which way.
BOCOM = ("序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要\n"
         "1,2024-02-02,13:15:12,信用卡转账还款,借 Dr,3.21,96.79,6666,哈哈,其他,\n"
         "2,2024-03-03,09:20:43,存款利息,贷 Cr,0.02,96.81,1323,应付利息,批处理,\n")


def bocom(make_config, tmp_path, columns):
    cfg = make_config("banks:\n  bocom: {type: csv, account: Assets:Bank:BOCOM, columns: {" + columns + "}}\n")
    path = tmp_path / "bocom.csv"
    path.write_bytes(BOCOM.encode("gb18030"))
    return bank_csv.Importer(cfg.banks["bocom"], cfg).parse(str(path))


def test_an_unsigned_amount_beside_a_direction_column_the_config_omits_is_refused(make_config, tmp_path):
    # `beanclear init` guessed {date, amount, memo, payee, balance} for this file: the
    # 3.21 paid out was booked as money in.
    with pytest.raises(StatementError) as caught:
        bocom(make_config, tmp_path, "date: 交易日期, amount: 交易金额, balance: 余额")
    assert str(caught.value) == (f"{tmp_path / 'bocom.csv'}:1: column 借贷 says which way each amount in 交易金额 "
                                 "went, and columns: in config.yaml does not name it: add `direction: 借贷`")


def test_the_direction_column_named_signs_the_amounts(make_config, tmp_path):
    ex = bocom(make_config, tmp_path, "date: 交易日期, time: 交易时间, amount: 交易金额, direction: 借贷, balance: 余额")
    assert [t.postings[0].units.number for t in txns(ex)] == [Decimal("-3.21"), Decimal("0.02")]
    assert balances(ex) == [("2024-02-03", Decimal("96.79")), ("2024-03-04", Decimal("96.81"))]


# -- times in UTC (a date_format with %z) ---------------------------------------------------

UTC_ROWS = ("Date,Amount,Memo,Balance\n2026-01-10T18:00:00Z,50.00,STRIPE A,1050.00\n"
            "2026-02-01T05:10:00Z,50.00,STRIPE B,1100.00\n")


@pytest.mark.parametrize("zone, days, closing", [
    # 05:10 UTC on 1 Feb is 21:10 on 31 Jan in Los Angeles (DESIGN.md §3 `timezone`): in
    # January, and the balance after it is 31 Jan's.
    ("America/Los_Angeles", ["2026-01-10", "2026-01-31"], "2026-02-01"),
    ("Asia/Shanghai", ["2026-01-11", "2026-02-01"], "2026-02-02"),
])
def test_a_utc_time_is_dated_in_the_books_zone(make_config, tmp_path, zone, days, closing):
    cfg = make_config(f"timezone: {zone}\nbanks:\n  ops: {{type: csv, account: Assets:Bank:Ops, currency: USD, "
                      "date_format: '%Y-%m-%dT%H:%M:%S%z', columns: {date: Date, amount: Amount, memo: Memo, "
                      "balance: Balance}}\n")
    path = tmp_path / "ops.csv"
    path.write_text(UTC_ROWS, encoding="utf-8")
    ex = bank_csv.Importer(cfg.banks["ops"], cfg).parse(str(path))
    assert [str(t.date) for t in txns(ex)] == days
    assert balances(ex)[-1] == (closing, Decimal("1100.00"))
    # the id is a digest of what the row says, its date as written: the same in any zone
    assert [t.meta["id"][:8] for t in txns(ex)] == ["20260110", "20260201"]
