"""Stripe's payments export (`unified_payments.csv`: a snapshot of each charge, what it
refunded, what was disputed) beside its balance transactions (the itemized report, the
API) of the same days: DESIGN §1 "Every view, once". The report names each charge's
`ch_…` (`source_id`, `charge_id`), the API's transaction its expanded `source`, the
export only the charge: the books hold each charge once, by its balance transaction,
and the export books what no balance transaction of the books holds (a charge after the
report's days, a refund the report does not list yet), in either order, the same
bytes; nothing doubled, nothing lost (blind25: April's fees 680.04 for 340.02)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from conftest import beanclear
from test_paypal_views import _same_tree

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 30}
"""
REPORT = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","description","source_id","charge_id","automatic_payout_id"')
EXPORT = ("id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,"
          "Converted Amount Refunded,Converted Currency,Description,Fee,Status,Taxes On Fee,Refunded date (UTC),"
          "Transfer")
A, B, C, F = "ch_3PaWFbQ2UQhfsEwdm9AMk3jaul", "ch_3PaWFbQ2UQhfsEwdm9AMk3jaum", "ch_3PaWFbQ2UQhfsEwdm9AMk3jaun", \
    "ch_3PaWFbQ2UQhfsEwdm9AMk3jauf"


def _row(ident, created, gross, fee, category, description, source, charge):
    net = Decimal(gross) - Decimal(fee)
    return (f'"{ident}","{created}","{created[:10]} 23:00:00","usd","{gross}","{fee}","{net}",'
            f'"{category}","{description}","{source}","{charge}",""')


def _charge(ident, created, amount, fee, order, refunded="0.00", refunded_at="", status="Paid"):
    return (f"{ident},{created},{amount},{refunded},usd,true,{amount},{refunded},usd,Harbor - Order #{order},{fee},"
            f"{status},0.00,{refunded_at},")


ITEMS = [_row("txn_3PW4uKTUlg2acfkMVOf6UHhDbD", "2026-04-01 16:48:23", "67.50", "2.26", "charge",
              "Harbor - Order #1169", A, A),
         _row("txn_3PW4uKTUlg2acfkMVOf6UHhDbE", "2026-04-01 18:12:00", "32.66", "1.25", "charge",
              "Harbor - Order #1170", B, B),
         _row("txn_3PW4uKTUlg2acfkMVOf6UHhDbR", "2026-04-02 15:00:00", "-9.00", "0.00", "refund",
              "REFUND FOR CHARGE (Harbor - Order #1170)", "re_3PW4uKTUlg2acfkMVOf6UHhDbR", B)]
CHARGES = [_charge(A, "2026-04-01 16:48:23", "67.50", "2.26", 1169),
           _charge(B, "2026-04-01 18:12:00", "32.66", "1.25", 1170, "9.00", "2026-04-02 15:00:00"),
           # after the report's last row: in the export alone
           _charge(C, "2026-04-02 20:00:00", "20.00", "0.88", 1171),
           _charge(F, "2026-04-02 20:30:00", "20.00", "0.00", 1172, status="Failed")]
NET = Decimal("65.24") + Decimal("31.41") - Decimal("9.00") + Decimal("19.12")
FEES = Decimal("2.26") + Decimal("1.25") + Decimal("0.88")


def _merchant(folder, items=ITEMS, charges=CHARGES):
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "activity.csv").write_text("\n".join([REPORT, *items]) + "\n", encoding="utf-8")
    (folder / "unified_payments.csv").write_text("\n".join([EXPORT, *charges]) + "\n", encoding="utf-8")
    return folder


ORDERS = {"report-export": [["activity.csv"], ["unified_payments.csv"]],
          "export-report": [["unified_payments.csv"], ["activity.csv"]],
          "one-report-export": [["activity.csv", "unified_payments.csv"]],
          "one-export-report": [["unified_payments.csv", "activity.csv"]]}


def _imported(tmp_path, orders=ORDERS, **files) -> dict:
    out = {}
    for name, imports in orders.items():
        merchant = out[name] = _merchant(tmp_path / name, **files)
        for paths in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in paths))
            assert result.exit_code == 0, result.output
    return out


def _posted(books, account: str) -> Decimal:
    line = re.compile(rf"^  {re.escape(account)} +(-?[0-9.]+) USD$", re.M)
    return sum((Decimal(n) for path in sorted((books / "stripe").glob("*/*.beancount"))
                for n in line.findall(path.read_text(encoding="utf-8"))), Decimal(0))


def _ids(books) -> list[str]:
    """The ids of the entries of the books' Stripe month files (not their coverage records)."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((books / "stripe").glob("*/*.beancount")))
    return sorted(i for i in re.findall(r'^  id: "([^"]+)"$', text, re.M) if not i.startswith("coverage "))


def test_the_report_and_the_payments_export_book_each_charge_once_in_either_order(tmp_path):
    """The tester's repro: the report's charges named by their `ch_…`, the export's by
    the same ids. Each charge is its balance transaction's entry, once; the export adds
    only the charge the report does not hold; its failed one moves nothing."""
    merchants = _imported(tmp_path)
    first = merchants.pop("report-export")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    assert _posted(books, "Assets:Clearing:Stripe") == NET
    assert _posted(books, "Expenses:Fees:Stripe") == FEES
    assert _ids(books) == sorted([C, "txn_3PW4uKTUlg2acfkMVOf6UHhDbD", "txn_3PW4uKTUlg2acfkMVOf6UHhDbE",
                                  "txn_3PW4uKTUlg2acfkMVOf6UHhDbR"])
    for merchant in (first, *merchants.values()):
        result = beanclear(merchant, "check", "--format", "json")
        assert [f["code"] for f in json.loads(result.output)["findings"]] == [], result.output


def test_the_export_imported_after_the_report_says_what_the_books_hold_already(tmp_path):
    """'0 already in the books' was the only hint: the export's charge and refund the
    report books are counted as held, and importing either file again writes nothing."""
    merchant = _merchant(tmp_path / "m")
    assert beanclear(merchant, "import", str(merchant / "activity.csv")).exit_code == 0
    result = beanclear(merchant, "import", str(merchant / "unified_payments.csv"))
    assert result.exit_code == 0, result.output
    assert "1 entries written, 3 already in the books" in result.output, result.output
    before = {p: p.read_bytes() for p in (merchant / "books").rglob("*.beancount")}
    for name in ("activity.csv", "unified_payments.csv"):
        result = beanclear(merchant, "import", "--force", str(merchant / name))
        assert result.exit_code == 0 and "0 entries written" in result.output, result.output
    assert {p: p.read_bytes() for p in (merchant / "books").rglob("*.beancount")} == before


def _txn(ident, created, gross, fee, category, description, source):
    return {"id": ident, "object": "balance_transaction", "amount": gross, "available_on": created + 86400,
            "created": created, "currency": "usd", "description": description, "exchange_rate": None, "fee": fee,
            "fee_details": [{"amount": fee, "application": None, "currency": "usd",
                             "description": "Stripe processing fees", "type": "stripe_fee"}] if fee else [],
            "net": gross - fee, "reporting_category": category, "source": source, "status": "available",
            "type": category}


API = {"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": [
    _txn("txn_3PW4uKTUlg2acfkMVOf6UHhDbD", 1775062103, 6750, 226, "charge", "Harbor - Order #1169",
         {"id": A, "object": "charge", "amount": 6750, "amount_captured": 6750, "amount_refunded": 0,
          "balance_transaction": "txn_3PW4uKTUlg2acfkMVOf6UHhDbD", "captured": True, "currency": "usd",
          "paid": True, "status": "succeeded", "refunded": False}),
    _txn("txn_3PW4uKTUlg2acfkMVOf6UHhDbE", 1775067120, 3266, 125, "charge", "Harbor - Order #1170", B),
    _txn("txn_3PW4uKTUlg2acfkMVOf6UHhDbR", 1775142000, -900, 0, "refund",
         "REFUND FOR CHARGE (Harbor - Order #1170)",
         {"id": "re_3PW4uKTUlg2acfkMVOf6UHhDbR", "object": "refund", "amount": 900, "currency": "usd",
          "charge": B, "balance_transaction": "txn_3PW4uKTUlg2acfkMVOf6UHhDbR", "status": "succeeded"})]}


def test_the_api_and_the_payments_export_book_each_charge_once_in_either_order(tmp_path):
    """The repro's API variant: the balance transaction's `source` (the charge expanded,
    or its id; a refund's refund object naming its charge) names what the export lists."""
    orders = {name: [[f.replace("activity.csv", "api.json") for f in paths] for paths in imports]
              for name, imports in ORDERS.items()}
    merchants = {}
    for name, imports in orders.items():
        merchant = merchants[name] = _merchant(tmp_path / name)
        (merchant / "api.json").write_text(json.dumps(API, indent=1), encoding="utf-8")
        for paths in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in paths))
            assert result.exit_code == 0, result.output
    first = merchants.pop("report-export")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    assert _posted(books, "Assets:Clearing:Stripe") == NET
    assert _posted(books, "Expenses:Fees:Stripe") == FEES
    assert _ids(books) == sorted([C, "txn_3PW4uKTUlg2acfkMVOf6UHhDbD", "txn_3PW4uKTUlg2acfkMVOf6UHhDbE",
                                  "txn_3PW4uKTUlg2acfkMVOf6UHhDbR"])


def test_two_charges_of_one_amount_and_minute_are_both_booked(tmp_path):
    """Must not fire: the report's charge and another charge the export alone lists, of
    the same amount, day and order text, are two charges (ids decide, never amounts)."""
    other = _charge(C, "2026-04-01 16:48:23", "67.50", "2.26", 1169)
    merchants = _imported(tmp_path, {"report-export": ORDERS["report-export"],
                                     "export-report": ORDERS["export-report"]},
                          items=ITEMS[:1], charges=[other])
    for merchant in merchants.values():
        books = merchant / "books"
        assert _ids(books) == sorted([C, "txn_3PW4uKTUlg2acfkMVOf6UHhDbD"])
        assert _posted(books, "Assets:Clearing:Stripe") == 2 * Decimal("65.24")
        assert _posted(books, "Expenses:Fees:Stripe") == 2 * Decimal("2.26")


REFUNDED = [CHARGES[0], _charge(B, "2026-04-01 18:12:00", "32.66", "1.25", 1170, "29.00", "2026-04-03 16:00:00")]
LATER = _row("txn_3PW4uKTUlg2acfkMVOf6UHhDbS", "2026-04-03 16:00:00", "-20.00", "0.00", "refund",
             "REFUND FOR CHARGE (Harbor - Order #1170)", "re_3PW4uKTUlg2acfkMVOf6UHhDbS", B)


def test_a_refund_the_report_does_not_list_yet_is_the_exports_rest(tmp_path):
    """The export's `Amount Refunded` (29.00) sums two refunds; the report of the first
    days lists the first (9.00). The books hold it, and the export's refund of the rest
    (20.00), in either order; the next report's row of the second refund takes its
    place: the books of all three files, whatever the order, are the same."""
    merchants = _imported(tmp_path, charges=REFUNDED)
    first = merchants.pop("report-export")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    assert _posted(books, "Assets:Clearing:Stripe") == Decimal("65.24") + Decimal("31.41") - Decimal("29.00")
    assert f"{B}/refund" in _ids(books)
    refund = next(b for b in (books / "stripe" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
                  .split("\n\n") if f'id: "{B}/refund"' in b)
    assert re.search(r"^  Assets:Clearing:Stripe +-20\.00 USD$", refund, re.M), refund
    assert 'export-total: "-29.00 USD"' in refund
    for merchant in (first, *merchants.values()):
        (merchant / "next.csv").write_text("\n".join([REPORT, LATER]) + "\n", encoding="utf-8")
        result = beanclear(merchant, "import", str(merchant / "next.csv"))
        assert result.exit_code == 0, result.output
    whole = _merchant(tmp_path / "whole", charges=REFUNDED)
    (whole / "next.csv").write_text("\n".join([REPORT, LATER]) + "\n", encoding="utf-8")
    assert beanclear(whole, "import", *(str(whole / f) for f in ("unified_payments.csv", "activity.csv",
                                                                  "next.csv"))).exit_code == 0
    for merchant in (first, *merchants.values()):
        assert _same_tree(whole / "books", merchant / "books") == [], merchant.name
    assert f"{B}/refund" not in _ids(whole / "books")
    assert _posted(whole / "books", "Assets:Clearing:Stripe") == Decimal("65.24") + Decimal("31.41") - Decimal("29.00")


def test_a_charge_the_export_and_the_report_give_other_fees_is_a_contradiction(tmp_path):
    """One charge is one movement: the export saying another fee than the report's
    balance transaction of it stops the import (exit 2) naming both, nothing written."""
    charges = [_charge(A, "2026-04-01 16:48:23", "67.50", "2.36", 1169)]
    merchant = _merchant(tmp_path / "one", items=ITEMS[:1], charges=charges)
    result = beanclear(merchant, "import", str(merchant / "activity.csv"), str(merchant / "unified_payments.csv"))
    assert result.exit_code == 2 and A in result.output and "activity.csv:2" in result.output, result.output
    assert not (merchant / "books" / "stripe").exists()
    merchant = _merchant(tmp_path / "two", items=ITEMS[:1], charges=charges)
    assert beanclear(merchant, "import", str(merchant / "unified_payments.csv")).exit_code == 0
    before = {p: p.read_bytes() for p in (merchant / "books").rglob("*.beancount")}
    result = beanclear(merchant, "import", str(merchant / "activity.csv"))
    assert result.exit_code == 2 and A in result.output, result.output
    assert {p: p.read_bytes() for p in (merchant / "books").rglob("*.beancount")} == before


def test_a_dispute_is_booked_once_with_the_fee_only_its_balance_transaction_states(tmp_path):
    """The export's lost dispute (67.50 taken back) and the report's dispute row of the
    same charge (67.50 and the 15.00 dispute fee the export never states): the report's
    row books it, in either order; the export adds nothing of it."""
    header = EXPORT + ",Disputed Amount,Dispute Status,Dispute Date (UTC)"
    charges = [_charge(A, "2026-04-01 16:48:23", "67.50", "2.26", 1169) + ",67.50,lost,2026-04-02 10:00:00"]
    dispute = _row("txn_3PW4uKTUlg2acfkMVOf6UHhDbP", "2026-04-02 10:00:00", "-67.50", "15.00", "dispute",
                   "Chargeback withdrawal for ch_3PaW", "dp_3PW4uKTUlg2acfkMVOf6UHhDbP", A)
    merchants = {}
    for name, imports in ORDERS.items():
        merchant = merchants[name] = _merchant(tmp_path / f"d-{name}", items=[ITEMS[0], dispute], charges=charges)
        (merchant / "unified_payments.csv").write_text("\n".join([header, *charges]) + "\n", encoding="utf-8")
        for paths in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in paths))
            assert result.exit_code == 0, result.output
    first = merchants.pop("report-export")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    assert _ids(books) == ["txn_3PW4uKTUlg2acfkMVOf6UHhDbD", "txn_3PW4uKTUlg2acfkMVOf6UHhDbP"]
    assert _posted(books, "Assets:Clearing:Stripe") == Decimal("65.24") - Decimal("82.50")
    assert _posted(books, "Expenses:Chargebacks:Stripe") == Decimal("82.50")


def test_an_export_entry_a_person_edited_stays_as_it_is_and_is_said(tmp_path):
    """A comment a person wrote on the export's entry of a charge: the report's import
    leaves it as it is and says so (the person decides), as for the report's own rows."""
    merchant = _merchant(tmp_path / "m", items=ITEMS[:1], charges=CHARGES[:1])
    assert beanclear(merchant, "import", str(merchant / "unified_payments.csv")).exit_code == 0
    month = merchant / "books" / "stripe" / "2026" / "2026-04.beancount"
    month.write_text(month.read_text(encoding="utf-8").replace(f'  id: "{A}"\n', f'  id: "{A}"   ; asked Mia\n'),
                     encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "activity.csv"))
    assert result.exit_code == 0 and "a person edited left as they are" in result.output, result.output
    assert "; asked Mia" in month.read_text(encoding="utf-8")
