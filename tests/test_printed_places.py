"""Every amount beanclear writes or prints has its currency's places (README "Every money
amount has its currency's places"; toolkit.places: JPY 0, KWD 3, most 2), wherever the
amount came from: config.yaml's opening balance, a close's sum, a bank line listed by
`match`, `link`, `book` and `open-items`, a customer's amount in an fx-gap. Blind round
16 (a JPY merchant): `opening_balance: {amount: 5000000}` was written `5000000.00 JPY`,
and from it close's `4550001.00 JPY` and the export's postings; match/link/book/open-items
printed `1.00 JPY`, `they differ by -1.00 JPY` beside check's `1 JPY`; an fx-gap said
"on 20.000 KWD" and "on 0.010 KWD" of 20.005 and -0.006 KWD (cut to 2 places, then padded)."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from beanclear.importers.toolkit.places import currency_places
from conftest import beanclear

# per currency: the opening in config.yaml and as the books write it, then a sale's
# gross, fee and net, the payout's credit (one unit short), a deposit nothing explains
CASES = {
    "JPY": {"opening": ("5000000", "5000000"), "gross": "10000", "fee": "360", "net": "9640", "net_shown": "9,640",
            "credit": "9639", "credit_shown": "9,639", "short": "-1", "deposit": "5", "closing": "5009644"},
    "KWD": {"opening": ("5000.5", "5000.500"), "gross": "10.000", "fee": "0.360", "net": "9.640",
            "net_shown": "9.640", "credit": "9.639", "credit_shown": "9.639", "short": "-0.001", "deposit": "0.005",
            "closing": "5010.144"},
    # must not change: two places, as they always were
    "USD": {"opening": ("5000", "5000.00"), "gross": "10000.00", "fee": "360.00", "net": "9640.00",
            "net_shown": "9,640.00", "credit": "9639.00", "credit_shown": "9,639.00", "short": "-1.00",
            "deposit": "0.05", "closing": "14639.05"},
    "EUR": {"opening": ("5000.5", "5000.50"), "gross": "10.00", "fee": "0.36", "net": "9.64", "net_shown": "9.64",
            "credit": "9.63", "credit_shown": "9.63", "short": "-0.01", "deposit": "0.05", "closing": "5010.18"},
}
STRIPE_HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
               '"reporting_category","source_id","description","automatic_payout_id"\n')
TXN, PO = "txn_AAAAAAAAAAAAAAAAAAAAAAA", "po_AAAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-10")


def run(merchant, *args, code=0):
    result = beanclear(merchant, *args)
    assert result.exit_code == code, result.output
    return result.output


def merchant(tmp_path, currency: str):
    """A Stripe merchant in `currency` with a bank whose opening balance config.yaml states:
    payout po_..1 reached the bank one unit short (0002), po_..2 is on its way; 0001 is a
    deposit nothing explains."""
    c = CASES[currency]
    m = tmp_path / currency.lower()
    (m / "statements").mkdir(parents=True)
    (m / "config.yaml").write_text(
        f"books: books\ncurrency: {currency}\ntimezone: Europe/Berlin\nchannels:\n  stripe:\n    type: stripe\n"
        f"    currency: {currency}\n    settlement_days: 3\n    bank: bank\n    bank_days: 2\n    quiet_days: 31\nbanks:\n  bank:\n"
        f"    type: csv\n    account: Assets:Bank:Main\n    currency: {currency}\n    quiet_days: 31\n    date_format: \"%Y-%m-%d\"\n"
        f"    opening_balance: {{date: 2025-12-31, amount: {c['opening'][0]}}}\n"
        "    columns: {date: Date, amount: Amount, memo: Description, ref: Reference}\n"
        "checks:\n  bank-unmatched: {severity: warning}\n  payout-mismatch: {severity: warning}\n", encoding="utf-8")
    (m / "statements" / "bank.csv").write_text(
        f"Date,Reference,Description,Amount\n2026-01-02,0001,DEPOSIT,{c['deposit']}\n"
        f"2026-01-08,0002,STRIPE TRANSFER,{c['credit']}\n", encoding="utf-8")
    cur = currency.lower()
    (m / "statements" / "balance_change_from_activity.csv").write_text(STRIPE_HEAD + f"""\
"{TXN}1","2026-01-05 10:00:00","2026-01-07 10:00:00","{cur}","{c['gross']}","{c['fee']}","{c['net']}","charge","ch_1","Sale 1","{PO}1"
"{TXN}2","2026-01-07 00:05:00","2026-01-07 00:05:00","{cur}","-{c['net']}","0","-{c['net']}","payout","{PO}1","STRIPE PAYOUT",""
"{TXN}3","2026-02-05 10:00:00","2026-02-07 10:00:00","{cur}","{c['gross']}","{c['fee']}","{c['net']}","charge","ch_3","Sale 2","{PO}2"
"{TXN}4","2026-02-09 00:05:00","2026-02-09 00:05:00","{cur}","-{c['net']}","0","-{c['net']}","payout","{PO}2","STRIPE PAYOUT",""
""", encoding="utf-8")
    run(m, "import", str(m / "statements"))
    return m


def books_text(m, name="accounts.beancount"):
    return (m / "books" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("currency", list(CASES))
def test_the_opening_from_config_and_what_close_and_export_write_from_it_have_the_currency_s_places(
        tmp_path, currency):
    c = CASES[currency]
    m = merchant(tmp_path, currency)
    assert re.search(f"\n  Assets:Bank:Main +{re.escape(c['opening'][1])} {currency}\n", books_text(m))
    run(m, "book", "0001", "Income:Misc")
    run(m, "link", "0002", f"{PO}1")
    out = run(m, "close", "2026-01")
    assert "closed" in out, out
    assert re.search(f"\n2026-02-01 balance Assets:Bank:Main +{re.escape(c['closing'])} {currency}\n",
                     books_text(m, "periods.beancount"))
    run(m, "export")
    with sqlite3.connect(m / "export.sqlite") as db:
        numbers = {n for n, in db.execute("SELECT number FROM postings WHERE account = 'Assets:Bank:Main'")}
    assert numbers == {c["opening"][1], c["deposit"], c["credit"]}


def test_a_close_of_books_an_older_beanclear_wrote_with_cents_of_yen_asserts_whole_yen(tmp_path):
    m = merchant(tmp_path, "JPY")
    accounts = books_text(m)
    (m / "books" / "accounts.beancount").write_text(accounts.replace(" 5000000 JPY", " 5000000.00 JPY"),
                                                    encoding="utf-8")
    run(m, "book", "0001", "Income:Misc")
    run(m, "link", "0002", f"{PO}1")
    run(m, "close", "2026-01")
    assert re.search("\n2026-02-01 balance Assets:Bank:Main +5009644 JPY\n", books_text(m, "periods.beancount"))
    run(m, "export")
    with sqlite3.connect(m / "export.sqlite") as db:
        assert db.execute("SELECT number FROM postings WHERE account = 'Assets:Bank:Main' AND \"transaction\" = 1"
                          ).fetchone() == ("5000000",)


def places_said(text: str, currency: str) -> set[int]:
    """The decimal places of every `<number> <currency>` of a command's output."""
    return {len(m.group(1) or "") for m in re.finditer(rf"(?<![\w.])-?\d[\d,]*(?:\.(\d+))? {currency}\b", text)}


@pytest.mark.parametrize("currency", list(CASES))
def test_match_open_items_link_and_book_print_the_currency_s_places(tmp_path, currency):
    c = CASES[currency]
    places = {currency_places(currency)}
    m = merchant(tmp_path, currency)
    out = run(m, "match")
    assert f"no proposal   bank 0001 2026-01-02 {c['deposit']} {currency} DEPOSIT" in out, out
    assert places_said(out, currency) == places, out
    items = run(m, "open-items")
    assert f"{c['net_shown']:>14} {currency}  stripe" in items, items
    assert places_said(items, currency) == places, items
    linked = run(m, "link", "0002", f"{PO}1")
    assert (f"bank line 0002 ({c['credit_shown']} {currency}) linked to payout-{PO}1; they differ by "
            f"{c['short']} {currency}") in linked, linked
    assert places_said(linked, currency) == places, linked
    booked = run(m, "book", "0001", "Income:Misc")
    assert f"bank line 0001 ({c['deposit']} {currency}) booked to Income:Misc" in booked, booked
    assert places_said(booked, currency) == places, booked


RATES_HEAD = "date,pair,rate\n"


def fx_merchant(tmp_path, paid: str, refunded: str, customer: str, rate: str):
    """A JPY Stripe merchant whose customer paid `paid` and was refunded `refunded` in `customer`."""
    m = tmp_path / f"fx-{customer.lower()}"
    (m / "statements" / "prices").mkdir(parents=True)
    (m / "config.yaml").write_text(
        "books: books\ncurrency: JPY\ntimezone: Asia/Tokyo\nchannels:\n  stripe:\n    type: stripe\n"
        "    currency: JPY\n    settlement_days: 30\n    fees: [{rate: 0.036}]\n"
        "checks:\n  fx-gap: {severity: warning, tolerance_bps: 100}\n", encoding="utf-8")
    cur = customer.lower()
    (m / "statements" / "balance_change_from_activity.itemized.csv").write_text(
        '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","description","source_id","customer_facing_amount","customer_facing_currency",'
        '"automatic_payout_id"\n'
        f'"{TXN}1","2026-07-02 04:00:30","2026-07-06 00:00:00","jpy","9448","340","9108","charge",'
        f'"Order #2002","ch_1","{paid}","{cur}",""\n'
        f'"{TXN}2","2026-07-04 03:00:30","2026-07-08 00:00:00","jpy","-5","0","-5","refund",'
        f'"REFUND FOR CHARGE (Order #2002)","re_2","-{refunded}","{cur}",""\n', encoding="utf-8")
    (m / "statements" / "prices" / "rates.csv").write_text(f"{RATES_HEAD}2026-07-01,{customer}/JPY,{rate}\n",
                                                          encoding="utf-8")
    run(m, "import", str(m / "statements"))
    return m


@pytest.mark.parametrize("paid, refunded, customer, rate", [
    ("20.005", "0.006", "KWD", "481.9123456789"),   # the tester's: "on 20.000 KWD", "on 0.010 KWD"
    ("64.26", "0.02", "USD", "150.0"),              # must not change: cents as they were
])
def test_an_fx_gap_says_the_customer_s_amount_in_its_currency_s_places(tmp_path, monkeypatch, paid, refunded,
                                                                        customer, rate):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-01")
    m = fx_merchant(tmp_path, paid, refunded, customer, rate)
    found = json.loads(run(m, "check", "--format", "json"))["findings"]
    said = [f["message"] for f in found if f["code"] == "fx-gap"]
    assert len(said) == 2, found
    assert f"bps on {paid} {customer}, " in said[0] and f"bps on {refunded} {customer}, " in said[1], said
