"""A won PayPal dispute gives back the chargeback and its fee. The fee went to
Expenses:Chargebacks:PayPal (DESIGN §1: chargebacks and their fees have their own
accounts), so its `Fee Reversal` (T1108), whose Reference Txn ID names the Chargeback Fee
or the payment disputed, goes there too (one of a payment no dispute names stays a fee): a dispute won leaves the chargeback account at zero and the fees at the
sale's, whichever statement holds the fee, and in whatever order they are imported."""

from __future__ import annotations

import collections
import json
from decimal import Decimal

from beancount import loader
from beancount.core import data

from conftest import beanclear
from test_paypal_views import CONFIG, HEADER   # one PayPal merchant in USD, the activity CSV's columns

MARCH = [
    '"03/04/2026","11:05:00","PST","Ava Smith","Express Checkout Payment","Completed","USD","120.00","-4.68",'
    '"115.32","ava@example.com","shop@example.com","1SALE000000000001","","INV-1","115.32","Credit"',
    '"03/20/2026","10:00:00","PDT","Ava Smith","Chargeback","Completed","USD","-120.00","0.00","-120.00",'
    '"shop@example.com","ava@example.com","2CHBK000000000002","1SALE000000000001","INV-1","-4.68","Debit"',
    '"03/20/2026","10:00:01","PDT","","Chargeback Fee","Completed","USD","-20.00","0.00","-20.00",'
    '"shop@example.com","","3CBFEE00000000003","1SALE000000000001","INV-1","-24.68","Debit"']
APRIL = [
    '"04/22/2026","14:00:00","PDT","Ava Smith","Chargeback Reversal","Completed","USD","120.00","0.00","120.00",'
    '"ava@example.com","shop@example.com","4CBREV00000000004","1SALE000000000001","INV-1","95.32","Credit"',
    '"04/22/2026","14:00:01","PDT","","Fee Reversal","Completed","USD","20.00","0.00","20.00","",'
    '"shop@example.com","5FEREV00000000005","3CBFEE00000000003","INV-1","115.32","Credit"']


def _expenses(merchant) -> dict:
    entries, _, _ = loader.load_file(str(merchant / "books" / "main.beancount"))
    out = collections.Counter()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account.startswith("Expenses"):
                    out[p.account] += p.units.number
    return dict(out)


def _merchant(folder, files: dict):
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for name, rows in files.items():
        (folder / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return folder


WON = {"Expenses:Fees:PayPal": Decimal("4.68"), "Expenses:Chargebacks:PayPal": Decimal("0.00")}


def test_a_fee_given_back_of_a_chargeback_fee_books_to_chargebacks(tmp_path):
    """The tester's won.csv: one download with the sale, the dispute lost, then won."""
    merchant = _merchant(tmp_path / "m", {"won.csv": MARCH + APRIL})
    result = beanclear(merchant, "import", str(merchant / "won.csv"))
    assert result.exit_code == 0, result.output
    assert _expenses(merchant) == WON
    april = (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert 'fee-of: "3CBFEE00000000003"' in april


def test_the_search_responses_fee_reversal_t1108_books_to_chargebacks(tmp_path):
    def row(ident, code, when, gross, balance, ref="", fee=None):
        info = {"transaction_id": ident, "transaction_event_code": code, "transaction_initiation_date": when,
                "transaction_amount": {"currency_code": "USD", "value": gross}, "transaction_status": "S",
                "ending_balance": {"currency_code": "USD", "value": balance}, "invoice_id": "INV-1"}
        if ref:
            info["paypal_reference_id"] = ref
        if fee:
            info["fee_amount"] = {"currency_code": "USD", "value": fee}
        return {"transaction_info": info}
    details = [row("1SALE000000000001", "T0006", "2026-03-04T19:05:00+0000", "120.00", "115.32", fee="-4.68"),
               row("2CHBK000000000002", "T1201", "2026-03-20T17:00:00+0000", "-120.00", "-4.68", "1SALE000000000001"),
               row("3CBFEE00000000003", "T0106", "2026-03-20T17:00:01+0000", "-20.00", "-24.68", "1SALE000000000001"),
               row("4CBREV00000000004", "T1202", "2026-04-22T21:00:00+0000", "120.00", "95.32", "1SALE000000000001"),
               row("5FEREV00000000005", "T1108", "2026-04-22T21:00:01+0000", "20.00", "115.32", "3CBFEE00000000003")]
    merchant = _merchant(tmp_path / "m", {})
    (merchant / "won.json").write_text(json.dumps({"transaction_details": details}), encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "won.json"))
    assert result.exit_code == 0, result.output
    assert _expenses(merchant) == WON


def test_the_fee_and_its_reversal_in_two_statements_in_any_order(tmp_path):
    """March's download holds the Chargeback Fee, April's its reversal: imported together,
    in order, or April's first (booked to fees, then moved when March's comes), the same
    books."""
    orders = {"together": [["mar.csv", "apr.csv"]], "in-order": [["mar.csv"], ["apr.csv"]],
              "april-first": [["apr.csv"], ["mar.csv"]]}
    books = {}
    for name, imports in orders.items():
        merchant = _merchant(tmp_path / name, {"mar.csv": MARCH, "apr.csv": APRIL})
        for files in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in files))
            assert result.exit_code == 0, result.output
        assert _expenses(merchant) == WON, name
        books[name] = (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert books["in-order"] == books["together"] == books["april-first"]


# The Fee Reversal of a real download names the payment disputed, as every row of the case
# does, not the Chargeback Fee row: the fee given back of a payment that had a chargeback fee
# is that fee's, and goes back to the chargeback account too (the tester's repro-01).
SALE = "1SALE000000000001"
APRIL_OF_THE_SALE = [APRIL[0], APRIL[1].replace('"3CBFEE00000000003"', f'"{SALE}"')]


def _any_order(tmp_path, march: list, april: list) -> dict:
    """name -> (the Expenses of the books, April's month file) for the download of March and
    of April imported together, in order, or April's first."""
    orders = {"together": [["mar.csv", "apr.csv"]], "in-order": [["mar.csv"], ["apr.csv"]],
              "april-first": [["apr.csv"], ["mar.csv"]]}
    out = {}
    for name, imports in orders.items():
        merchant = _merchant(tmp_path / name, {"mar.csv": march, "apr.csv": april})
        for files in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in files))
            assert result.exit_code == 0, result.output
        out[name] = (_expenses(merchant),
                     (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8"))
    return out


def _findings(merchant) -> list:
    report = json.loads(beanclear(merchant, "check", "--format", "json").output)
    return [f["code"] for f in report["findings"]]


def test_a_fee_reversal_naming_the_disputed_payment_books_to_chargebacks(tmp_path):
    merchant = _merchant(tmp_path / "m", {"won.csv": MARCH + APRIL_OF_THE_SALE})
    result = beanclear(merchant, "import", str(merchant / "won.csv"))
    assert result.exit_code == 0, result.output
    assert _expenses(merchant) == WON
    assert "fee-gap" not in _findings(merchant)
    april = (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert f'fee-of: "{SALE}"' in april


def test_the_responses_fee_reversal_naming_the_disputed_payment_books_to_chargebacks(tmp_path):
    def row(ident, code, when, gross, balance, ref="", fee=None):
        info = {"transaction_id": ident, "transaction_event_code": code, "transaction_initiation_date": when,
                "transaction_amount": {"currency_code": "USD", "value": gross}, "transaction_status": "S",
                "ending_balance": {"currency_code": "USD", "value": balance}}
        if ref:
            info["paypal_reference_id"] = ref
        if fee:
            info["fee_amount"] = {"currency_code": "USD", "value": fee}
        return {"transaction_info": info}
    march = [row(SALE, "T0006", "2026-03-04T19:05:00+0000", "120.00", "115.32", fee="-4.68"),
             row("2CHBK000000000002", "T1201", "2026-03-20T17:00:00+0000", "-120.00", "-4.68", SALE),
             row("3CBFEE00000000003", "T0106", "2026-03-20T17:00:01+0000", "-20.00", "-24.68", SALE)]
    april = [row("4CBREV00000000004", "T1202", "2026-04-22T21:00:00+0000", "120.00", "95.32", SALE),
             row("5FEREV00000000005", "T1108", "2026-04-22T21:00:01+0000", "20.00", "115.32", SALE)]
    books = {}
    for name, files in {"together": [["mar.json", "apr.json"]], "april-first": [["apr.json"], ["mar.json"]],
                        "one": [["won.json"]]}.items():
        merchant = _merchant(tmp_path / name, {})
        for file, details in {"mar.json": march, "apr.json": april, "won.json": march + april}.items():
            (merchant / file).write_text(json.dumps({"transaction_details": details}), encoding="utf-8")
        for names in files:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in names))
            assert result.exit_code == 0, result.output
        assert _expenses(merchant) == WON, name
        books[name] = (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert books["together"] == books["april-first"]


def test_a_fee_reversal_naming_the_disputed_payment_in_any_order(tmp_path):
    found = _any_order(tmp_path, MARCH, APRIL_OF_THE_SALE)
    assert all(expenses == WON for expenses, _ in found.values()), found
    assert found["in-order"][1] == found["together"][1] == found["april-first"][1]


def test_a_dispute_fee_without_a_chargeback_is_given_back_there_too(tmp_path):
    """A claim, not a chargeback: PayPal's Dispute Fee names the payment, and no Chargeback
    row is there; the fee given back of that payment is the dispute fee's."""
    march = [MARCH[0], MARCH[2].replace('"-24.68"', '"95.32"').replace('"Chargeback Fee"', '"Dispute Fee"')]
    found = _any_order(tmp_path, march, APRIL_OF_THE_SALE[1:])
    won = {"Expenses:Fees:PayPal": Decimal("4.68"), "Expenses:Chargebacks:PayPal": Decimal("0.00")}
    assert all(expenses == won for expenses, _ in found.values()), found
    assert found["in-order"][1] == found["together"][1] == found["april-first"][1]


def test_a_fee_reversal_of_a_payment_never_disputed_stays_on_the_fees(tmp_path):
    """Must not fire: a payment refunded in full, its fee given back as a Fee Reversal that
    names it, is no dispute: the fee goes back to the fees, whatever the order of import."""
    march = [MARCH[0], '"03/20/2026","10:00:00","PDT","Ava Smith","Payment Refund","Completed","USD","-120.00",'
                       '"0.00","-120.00","shop@example.com","ava@example.com","2REFND00000000002",'
                       f'"{SALE}","INV-1","-4.68","Debit"']
    april = ['"04/22/2026","14:00:01","PDT","","Fee Reversal","Completed","USD","4.68","0.00","4.68","",'
             f'"shop@example.com","5FEREV00000000005","{SALE}","INV-1","0.00","Credit"']
    found = _any_order(tmp_path, march, april)
    for name, (expenses, text) in found.items():
        assert expenses == {"Expenses:Fees:PayPal": Decimal("0.00")}, name
        assert "Expenses:Fees:PayPal                         -4.68 USD" in text, name
    assert found["in-order"][1] == found["together"][1] == found["april-first"][1]
