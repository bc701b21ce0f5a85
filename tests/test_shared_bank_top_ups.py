"""A top-up of one of two PayPal accounts from their one bank (PayPal's bank deposit) and
the bank's debit of it: the debit is booked on the transit account of the channel whose
top-up it is, whichever channel's text fits first (checks/pooled.py `_debit_moves`, read
by the import, books/late_credits.py, and by the checks alike).

Blind20 paypalheavy: the Sparkasse debit of -300.00 EUR naming ppde's top-up
7HWAWBEWDJMSY1478 was booked on ppus's transit account, the first channel whose text
fits: ppde "in transit -300.00", ppus "settled -300.00, in transit 300.00", in a full run
two false bank-unmatched; `link` said "no open item" and only `book` moved it.
"""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader
from beancount.core import data

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  ppus:
    type: paypal
    currency: USD
    settlement_days: 30
    bank: [sparkasse, usbank]
    accounts: {clearing: Assets:Clearing:PayPalUS, transit: Assets:Transit:PayPalUS, sales: Income:Sales:PayPalUS, fees: Expenses:Fees:PayPalUS}
  ppde:
    type: paypal
    currency: EUR
    settlement_days: 30
    bank: sparkasse
    accounts: {clearing: Assets:Clearing:PayPalDE, transit: Assets:Transit:PayPalDE, sales: Income:Sales:PayPalDE, fees: Expenses:Fees:PayPalDE}
banks:
  usbank:
    type: csv
    account: Assets:Bank:USBank
    currency: USD
    columns: {date: d, amount: a, memo: m, ref: r}
  sparkasse:
    type: csv
    account: Assets:Bank:Sparkasse
    currency: EUR
    columns: {date: d, amount: a, payee: p, memo: m, ref: r}
rules:
  - {match: "Zinsen|Interest", account: Income:Interest}
"""
ONE_ACCOUNT = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  ppde:
    type: paypal
    currency: EUR
    settlement_days: 30
    bank: sparkasse
    accounts: {clearing: Assets:Clearing:PayPalDE, transit: Assets:Transit:PayPalDE, sales: Income:Sales:PayPalDE, fees: Expenses:Fees:PayPalDE}
banks:
  sparkasse:
    type: csv
    account: Assets:Bank:Sparkasse
    currency: EUR
    columns: {date: d, amount: a, payee: p, memo: m, ref: r}
rules:
  - {match: "Zinsen|Interest", account: Income:Interest}
"""
DE_HEADER = ('"Datum","Uhrzeit","Zeitzone","Name","Typ","Status","Währung","Brutto","Gebühr","Netto",'
             '"Absender E-Mail-Adresse","Empfänger E-Mail-Adresse","Transaktionscode","Zugehöriger Transaktionscode",'
             '"Rechnungsnummer","Guthaben","Auswirkung auf Guthaben"')
TOP_UP = ('"01.10.2026","09:12:05","Europe/Berlin","","Bankgutschrift auf PayPal-Konto","Abgeschlossen","EUR",'
          '"300,00","0,00","300,00","","shop@example.de","7HWAWBEWDJMSY1478","","","300,00","Haben"')
SALE = ('"20.10.2026","10:00:00","Europe/Berlin","Max Muster","PayPal Express-Zahlung","Abgeschlossen","EUR",'
        '"80,00","-2,34","77,66","max@example.de","shop@example.de","2CCCCCCCCCCCCCCCC","","","377,66","Haben"')
US = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address","Transaction ID","Reference Txn ID","Invoice Number","Balance","Balance Impact"
"10/02/2026","09:00:00","PDT","Ann Smith","Express Checkout Payment","Completed","USD","100.00","-3.98","96.02","ann@example.com","pay@example.com","1AAAAAAAAAAAAAAAA","","","96.02","Credit"
"10/20/2026","09:00:00","PDT","Bob Jones","Express Checkout Payment","Completed","USD","50.00","-2.24","47.76","bob@example.com","pay@example.com","1BBBBBBBBBBBBBBBB","","","143.78","Credit"
"""
US_TOP_UP = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address","Transaction ID","Reference Txn ID","Invoice Number","Balance","Balance Impact"
"10/01/2026","00:10:00","PDT","","Bank Deposit to PP Account","Completed","EUR","300.00","0.00","300.00","","pay@example.com","5UUUUUUUUUUUUUUUU","","","300.00","Credit"
"10/02/2026","09:00:00","PDT","Ann Smith","Express Checkout Payment","Completed","USD","100.00","-3.98","96.02","ann@example.com","pay@example.com","1AAAAAAAAAAAAAAAA","","","96.02","Credit"
"10/20/2026","09:00:00","PDT","Bob Jones","Express Checkout Payment","Completed","USD","50.00","-2.24","47.76","bob@example.com","pay@example.com","1BBBBBBBBBBBBBBBB","","","143.78","Credit"
"""
PAYEE = "PayPal Europe S.a.r.l. et Cie S.C.A"
NAMED = "PP.5531.PP . Ihr Einkauf bei PayPal Aufladung 7HWAWBEWDJMSY1478"
UNNAMED = "PP.5531.PP . Ihr Einkauf bei PayPal"
REF = "20261001000019SPK"


def merchant(folder, text: str = NAMED, config: str = CONFIG, us: str | None = US, de: bool = True,
             day: str = "01"):
    """The blind tester's repro: ppde's top-up of 300.00 EUR on 10-01 (10-`day`) and the
    Sparkasse debit of it (`text`), ppus's two sales of USD."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    for name in ("ppde", "ppus", "sparkasse", "usbank"):
        (folder / name).mkdir()
    rows = [DE_HEADER, TOP_UP.replace("01.10.2026", f"{day}.10.2026"), SALE] if de else [DE_HEADER, SALE]
    (folder / "ppde" / "Download-2026-10.CSV").write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    if us is not None:
        (folder / "ppus" / "Download-2026-10.CSV").write_text("\ufeff" + us.replace("10/01/2026", f"10/{day}/2026"),
                                                              encoding="utf-8")
    (folder / "usbank" / "us.csv").write_text("d,a,m,r\n2026-10-05,10.00,Interest,U1\n", encoding="utf-8")
    (folder / "sparkasse" / "s.csv").write_text(
        f"d,a,p,m,r\n2026-10-{day},-300.00,{PAYEE},{text},{REF}\n2026-10-25,12.00,Zinsen,Zinsen,S2\n", encoding="utf-8")
    return folder


def imported(folder, *paths, flags=()) -> str:
    result = beanclear(folder, "import", *flags, *(str(folder / p) for p in paths))
    assert result.exit_code == 0, result.output
    return result.output


def transit(folder) -> dict:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert not errors, errors
    out: dict = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account.startswith("Assets:Transit:"):
                    key = (p.account, p.units.currency)
                    out[key] = out.get(key, Decimal(0)) + p.units.number
    return {k: v for k, v in out.items() if v}


def findings(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["source"], f["message"]) for f in report["findings"])


def debit(folder, day: str = "2026-10-01") -> str:
    """The bank debit's entry as the books hold it."""
    text = (folder / "books" / "sparkasse" / "2026" / f"{day[:7]}.beancount").read_text(encoding="utf-8")
    start = text.index(f"{day} * ")
    return text[start:text.index("\n\n", start)]


def test_a_debit_naming_the_second_accounts_top_up_is_booked_on_its_transit_account(tmp_path):
    folder = merchant(tmp_path / "m")
    imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    assert debit(folder).splitlines()[-2:] == ["  Assets:Bank:Sparkasse                      -300.00 EUR",
                                               "  Assets:Transit:PayPalDE                     300.00 EUR"]
    assert transit(folder) == {}
    assert findings(folder) == []
    rows = beanclear(folder, "report", "2026-10").output.split("Channels", 1)[1].split("ties out", 1)[0].splitlines()
    assert not [row for row in rows if row.split()[:2] == ["ppus", "EUR"]]   # ppus had no EUR: "settled -300.00"
    [ppde] = [row.split() for row in rows if row.split()[:2] == ["ppde", "EUR"]]
    assert ppde[8:10] == ["-300.00", "0.00"]   # settled (to PayPal from the bank), in transit


def test_whatever_the_import_order_and_books_written_before_move(tmp_path):
    together = merchant(tmp_path / "together")
    imported(together, "ppus", "ppde", "sparkasse", "usbank")
    later = merchant(tmp_path / "later")
    said = imported(later, "sparkasse", "usbank", "ppus")   # ppde's statement not yet: the text's first
    assert "Assets:Transit:PayPalUS" in debit(later)
    said = imported(later, "ppde")
    assert ("1 bank line(s) in the books moved to the transit account of the channel whose payout or top-up they "
            "are, now that its statements say so") in said
    assert snapshot(later / "books") == snapshot(together / "books")
    assert findings(later) == []


def test_a_debit_whose_amount_and_day_answer_one_accounts_top_up_only(tmp_path):
    """It names no id: ppde's is the only top-up of its amount waiting in its window."""
    folder = merchant(tmp_path / "m", text=UNNAMED)
    imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    assert "Assets:Transit:PayPalDE" in debit(folder)
    assert findings(folder) == []


def test_link_books_a_debit_written_on_the_wrong_transit_account_where_its_top_up_is(tmp_path):
    folder = merchant(tmp_path / "m")
    imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    month = folder / "books" / "sparkasse" / "2026" / "2026-10.beancount"   # as the import wrote it before
    month.write_text(month.read_text(encoding="utf-8").replace("Assets:Transit:PayPalDE", "Assets:Transit:PayPalUS"),
                     encoding="utf-8")
    assert findings(folder) == []   # the checks judge it ppde's already
    said = beanclear(folder, "open-items", "--for", REF)
    assert said.exit_code == 2
    assert ("pairs it with ppde's top-up 7HWAWBEWDJMSY1478 (300.00 EUR on 2026-10-01) from the bank, in "
            "Assets:Transit:PayPalDE, though the line is booked to Assets:Transit:PayPalUS") in said.output
    result = beanclear(folder, "link", REF, "7HWAWBEWDJMSY1478")
    assert result.exit_code == 0, result.output
    assert ("linked to payout-7HWAWBEWDJMSY1478 and booked to Assets:Transit:PayPalDE: it answers ppde's top-up "
            "7HWAWBEWDJMSY1478 (300.00 EUR on 2026-10-01)") in result.output
    assert "^payout-7HWAWBEWDJMSY1478" in debit(folder).splitlines()[0]
    assert debit(folder).endswith("Assets:Transit:PayPalDE                     300.00 EUR")
    assert transit(folder) == {}
    assert findings(folder) == []
    again = beanclear(folder, "link", REF, "7HWAWBEWDJMSY1478")
    assert again.exit_code == 0 and "already; nothing was written" in again.output


def test_link_of_a_debit_no_rule_gives_the_top_up_moves_it_too(tmp_path):
    """Neither named nor answering by its day (a week before the top-up, window 2): the
    check leaves it ppus's, bank-unmatched; a person links it to ppde's top-up."""
    folder = merchant(tmp_path / "m", text=UNNAMED)
    path = folder / "sparkasse" / "s.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-10-01,-300.00", "2026-09-24,-300.00"),
                    encoding="utf-8")
    imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    assert "Assets:Transit:PayPalUS" in debit(folder, "2026-09-24")
    assert ("bank-unmatched", "ppde") in [(code, source) for code, source, _ in findings(folder)]
    result = beanclear(folder, "link", REF, "7HWAWBEWDJMSY1478")
    assert result.exit_code == 0, result.output
    assert "booked to Assets:Transit:PayPalDE" in result.output
    assert "Assets:Transit:PayPalDE" in debit(folder, "2026-09-24")
    assert findings(folder) == []   # linked: the check pairs them by the link


def test_must_not_fire_one_paypal_account_with_a_top_up(tmp_path):
    folder = merchant(tmp_path / "m", config=ONE_ACCOUNT, us=None)
    said = imported(folder, "ppde", "sparkasse")
    assert "bank line(s)" not in said and "bank credit(s)" not in said
    assert "Assets:Transit:PayPalDE" in debit(folder)
    assert transit(folder) == {}
    assert findings(folder) == []


def test_must_not_fire_two_accounts_a_debit_that_names_neither_and_answers_neither(tmp_path):
    """No top-up of either account: the debit stays where its text puts it (the first
    channel whose text fits), judged there as before: ppus's bank-unmatched."""
    folder = merchant(tmp_path / "m", text=UNNAMED, de=False, day="09")
    said = imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    assert "bank line(s)" not in said
    assert "Assets:Transit:PayPalUS" in debit(folder, "2026-10-09")
    assert [(code, source) for code, source, _ in findings(folder)] == [("bank-unmatched", "ppus")]
    assert "booked as a top-up of ppus, but no ppus top-up explains it" in findings(folder)[0][2]


def test_must_not_fire_both_accounts_topped_up_by_a_debit_that_names_neither(tmp_path):
    """Each account has a top-up of 300.00 EUR that day: the debit of neither name stays
    on the first's transit account, and pairs with its top-up, as for one account; the
    second's top-up waits for its own debit in its transit account (judged as before)."""
    folder = merchant(tmp_path / "m", text=UNNAMED, us=US_TOP_UP, day="09")
    said = imported(folder, "ppus", "ppde", "sparkasse", "usbank")
    assert "bank line(s)" not in said
    assert "Assets:Transit:PayPalUS" in debit(folder, "2026-10-09")
    assert transit(folder) == {("Assets:Transit:PayPalDE", "EUR"): Decimal("-300.00")}
    assert findings(folder) == []
