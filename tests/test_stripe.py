"""Stripe: golden files over every sample and our own files, totals, the traps of
FORMATS.md §5 and bad input naming its line."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from beanclear.importers import stripe_api, stripe_balance_csv, stripe_fees, stripe_payments
from beanclear.importers.toolkit import StatementError
from channel_util import CHANNELS, DATA, golden, raises_at, run, totals
from conftest import GOLDEN, sample

CSV_SAMPLES = {"hledger-stripe-balance_change_from_activity.csv": stripe_balance_csv,
               "kostagit-stripe-application-fees-eu-decimal.csv": stripe_fees}
API_SAMPLES = ["stripe-openapi-balance_transaction.json", "stripe-openapi-charge.json", "stripe-openapi-dispute.json",
               "stripe-openapi-fixtures3.json", "stripe-openapi-payout.json", "stripe-openapi-refund.json"]
OUR_FILES = {"balance_change_from_activity.itemized.csv": stripe_balance_csv,
             "payout_reconciliation.itemized.csv": stripe_balance_csv,
             "balance_history_legacy.csv": stripe_balance_csv, "balance_history_eu.csv": stripe_balance_csv,
             "unified_payments.csv": stripe_payments, "balance_transactions.json": stripe_api}
CLEARING, SALES, FEES = "Assets:Clearing:Stripe", "Income:Sales:Stripe", "Expenses:Fees:Stripe"


@pytest.fixture
def cfg(make_config):
    return make_config(CHANNELS)


@pytest.mark.parametrize("name", sorted(CSV_SAMPLES))
def test_csv_samples_golden(cfg, name):
    golden(CSV_SAMPLES[name], cfg, "stripe", sample("stripe_csv", name),
           GOLDEN / "stripe_csv" / f"{name}.beancount")


@pytest.mark.parametrize("name", API_SAMPLES)
def test_api_samples_golden(cfg, name):
    golden(stripe_api, cfg, "stripe", sample("stripe_api_json", name),
           GOLDEN / "stripe_api_json" / f"{name}.beancount")


@pytest.mark.parametrize("name", sorted(OUR_FILES))
def test_our_files_golden(cfg, name):
    golden(OUR_FILES[name], cfg, "stripe", DATA / "stripe" / name,
           GOLDEN / "data" / "stripe" / f"{name}.beancount")


def test_each_file_is_claimed_by_one_stripe_importer(cfg):
    files = [sample("stripe_csv", n) for n in CSV_SAMPLES] + [sample("stripe_api_json", n) for n in API_SAMPLES] \
        + [DATA / "stripe" / n for n in OUR_FILES]
    modules = (stripe_api, stripe_balance_csv, stripe_fees, stripe_payments)
    for path in files:
        claims = [m.__name__ for m in modules if m.Importer(cfg.channels["stripe"], cfg).identify(str(path))]
        assert len(claims) == 1, (path, claims)


# -- totals: the books hold what the file says, per currency --------------------------

def file_sums(path, money=("net",), currency="currency", decimal_comma=False) -> dict:
    """Column sums per currency, read with nothing but csv and Decimal."""
    out: dict = defaultdict(lambda: defaultdict(Decimal))
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            for column in money:
                text = row[column].replace(".", "").replace(",", ".") if decimal_comma else row[column].replace(",", "")
                out[row[currency].upper()][column] += Decimal(text)
    return out


@pytest.mark.parametrize("path, kwargs", [
    (("stripe_csv", "hledger-stripe-balance_change_from_activity.csv"), {}),
    (DATA / "stripe" / "balance_change_from_activity.itemized.csv", {}),
    (DATA / "stripe" / "balance_history_legacy.csv", {"money": ("Net",), "currency": "Currency"}),
    (DATA / "stripe" / "balance_history_eu.csv", {"money": ("Net",), "currency": "Currency", "decimal_comma": True}),
])
def test_balance_exports_move_the_clearing_account_by_their_net(cfg, path, kwargs):
    path = sample(*path) if isinstance(path, tuple) else path
    extraction = run(stripe_balance_csv, cfg, "stripe", path)
    stated = {cur: sums[kwargs.get("money", ("net",))[0]] for cur, sums in file_sums(path, **kwargs).items()
              if sums[kwargs.get("money", ("net",))[0]]}
    assert totals(extraction.entries, CLEARING) == stated
    assert extraction.rows == sum(1 for _ in open(path, encoding="utf-8")) - 1


def test_itemized_report_totals_by_role(cfg):
    extraction = run(stripe_balance_csv, cfg, "stripe", DATA / "stripe" / "balance_change_from_activity.itemized.csv")
    sums = file_sums(DATA / "stripe" / "balance_change_from_activity.itemized.csv", money=("gross", "fee", "net"))
    fees = totals(extraction.entries, FEES)
    chargebacks = totals(extraction.entries, "Expenses:Chargebacks:Stripe")
    assert {c: fees.get(c, 0) + chargebacks.get(c, 0) for c in sums} == {c: s["fee"] + Decimal("2.00") * (c == "USD")
                                                                         for c, s in sums.items()}  # + Radar fee row
    assert totals(extraction.entries, "Assets:Transit:Stripe") == {"USD": Decimal("57.92")}


def test_collected_fees_totals(cfg):
    extraction = run(stripe_fees, cfg, "stripe", sample("stripe_csv", "kostagit-stripe-application-fees-eu-decimal.csv"))
    sums = file_sums(sample("stripe_csv", "kostagit-stripe-application-fees-eu-decimal.csv"),
                     money=("Amount", "Amount Refunded"), currency="Currency", decimal_comma=True)["EUR"]
    assert sums == {"Amount": Decimal("7.00"), "Amount Refunded": Decimal("1.00")}
    assert totals(extraction.entries, CLEARING) == {"EUR": sums["Amount"] - sums["Amount Refunded"]}
    # the platform's income, no sale (a payment of the contract): its own account
    assert totals(extraction.entries, "Income:ApplicationFees:Stripe") == {"EUR": -Decimal("6.00")}
    assert totals(extraction.entries, SALES) == {}


def test_api_list_totals_in_major_units(cfg):
    path = DATA / "stripe" / "balance_transactions.json"
    extraction = run(stripe_api, cfg, "stripe", path)
    stated: dict = defaultdict(int)
    for bt in json.loads(path.read_text())["data"]:
        stated[bt["currency"].upper()] += bt["net"]
    assert stated == {"USD": 0, "JPY": 4820, "BHD": 11975, "KWD": 1940}
    assert totals(extraction.entries, CLEARING) == {"JPY": Decimal(4820),
                                                    "BHD": Decimal("11.975"), "KWD": Decimal("1.940")}


def test_payments_export_totals(cfg):
    extraction = run(stripe_payments, cfg, "stripe", DATA / "stripe" / "unified_payments.csv")
    # Paid and refunded rows only: 120 + 250 + 105.50 gross; fees 3.78 + 7.55 + 3.36 + 0.10 tax on fee;
    # refunded 250; disputed 100 EUR = 105.50 USD at the charge's rate: a chargeback, no refund of the sale.
    assert totals(extraction.entries, SALES) == {"USD": Decimal("-475.50") + 250}
    assert totals(extraction.entries, "Expenses:Chargebacks:Stripe") == {"USD": Decimal("105.50")}
    assert totals(extraction.entries, FEES) == {"USD": Decimal("14.79")}
    assert totals(extraction.entries, CLEARING) == {"USD": Decimal("475.50") - Decimal("14.79") - 250
                                                    - Decimal("105.50")}
    assert extraction.skipped == {"failed (no money moved)": 1, "not captured (no money moved)": 1,
                                  "test mode (no real money)": 1}


# -- the traps -----------------------------------------------------------------------

def by_id(extraction):
    return {e.meta["id"]: e for e in extraction.entries}


def amounts(entry):
    return {p.account: p.units.number for p in entry.postings}


def test_minor_units_zero_and_three_decimal_currencies(cfg):
    entries = by_id(run(stripe_api, cfg, "stripe", DATA / "stripe" / "balance_transactions.json"))
    assert str(amounts(entries["txn_3J2"])[SALES]) == "-5000"        # JPY: no decimals
    assert str(amounts(entries["txn_3J3"])[SALES]) == "-12.345"      # BHD: three
    assert str(amounts(entries["txn_3J4"])[CLEARING]) == "1.940"     # KWD: three, zero kept
    assert str(amounts(entries["txn_3J1"])[FEES]) == "0.59"
    assert entries["txn_3J1"].meta["fee-details"] == "stripe_fee 0.54 USD, tax 0.05 USD"


def test_unix_timestamps_are_dated_in_the_configured_zone(make_config):
    late = "txn_3J6"  # created 2026-03-03 12:00 UTC
    for zone, day, time in (("Asia/Shanghai", "2026-03-03", "20:00:00"), ("Pacific/Auckland", "2026-03-04", "01:00:00"),
                            ("America/Los_Angeles", "2026-03-03", "04:00:00")):
        cfg = make_config(CHANNELS.replace("Asia/Shanghai", zone))
        entry = by_id(run(stripe_api, cfg, "stripe", DATA / "stripe" / "balance_transactions.json"))[late]
        assert (str(entry.date), entry.meta["time"]) == (day, time)


def test_presentment_currency_and_rate_are_kept(cfg):
    # the rate the two amounts imply, as the report's row says it (test_stripe_fx.py), and
    # Stripe's own `exchange_rate` as given
    api = by_id(run(stripe_api, cfg, "stripe", DATA / "stripe" / "balance_transactions.json"))["txn_3J5"]
    assert (api.meta["customer-amount"], api.meta["fx-pair"], api.meta["fx-rate"], api.meta["exchange-rate"]) == \
        ("50.00 EUR", "EUR/USD", "1.0874", "1.0873")
    report = by_id(run(stripe_balance_csv, cfg, "stripe",
                       DATA / "stripe" / "balance_change_from_activity.itemized.csv"))["txn_3Ob1B3"]
    assert (report.meta["customer-amount"], report.meta["fx-rate"]) == ("50.00 EUR", "1.087")
    assert amounts(report)[SALES] == Decimal("-54.35")  # books in the settlement currency


def test_payout_and_its_items_share_the_payout_link(cfg):
    extraction = run(stripe_balance_csv, cfg, "stripe", DATA / "stripe" / "balance_change_from_activity.itemized.csv")
    linked = [e for e in extraction.entries if "payout-po_1X" in e.links]
    payout = by_id(extraction)["po_1X"]
    assert payout.meta["balance-transaction"] == "txn_1Ob1P7" and len(linked) == 6
    assert sum(p.units.number for e in linked for p in e.postings if p.account == CLEARING) == 0


def test_payout_reconciliation_report_books_each_payout_from_its_items(cfg):
    recon = by_id(run(stripe_balance_csv, cfg, "stripe", DATA / "stripe" / "payout_reconciliation.itemized.csv"))
    report = by_id(run(stripe_balance_csv, cfg, "stripe",
                       DATA / "stripe" / "balance_change_from_activity.itemized.csv"))
    # The same payout id, amount and date whichever report booked it: a re-import adds nothing.
    assert amounts(recon["po_1X"]) == amounts(report["po_1X"])
    assert recon["po_1X"].date == report["po_1X"].date and str(recon["po_2Z"].date) == "2026-03-07"


def test_legacy_transfer_is_a_payout_refund_returns_fee_chargeback_fee(cfg):
    entries = by_id(run(stripe_balance_csv, cfg, "stripe", DATA / "stripe" / "balance_history_legacy.csv"))
    assert amounts(entries["tr_18bNa22kdGSXuqwcZWRXdGRb"]) == {"Assets:Transit:Stripe": Decimal("128.72"),
                                                              CLEARING: Decimal("-128.72")}
    assert amounts(entries["txn_18bB5g2kdGSXuqwcVm1fYE09"])[FEES] == Decimal("-7.52")   # the fee comes back
    chargeback = [(p.account, p.units.number) for p in entries["txn_18bC7d2kdGSXuqwcQk2Lw9Zz"].postings]
    assert chargeback == [(CLEARING, Decimal("-115.00")), ("Expenses:Chargebacks:Stripe", Decimal("15.00")),
                          ("Expenses:Chargebacks:Stripe", Decimal("100.00"))]   # the fee, the amount taken back


def test_legacy_api_transfer_is_a_payout(tmp_path, cfg):
    # A 2014 `/v1/balance/history` page (paulanthonywilson/stripe2qif's fixture): before
    # April 2017 the API too called a payout `transfer`, with no reporting_category. It
    # was booked as a transfer to Assets:Suspense; it is the payout to the bank.
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"object": "list", "url": "/v1/balance/history", "data": [
        {"id": "txn_AAAAAAAAAAAAA", "object": "balance_transaction", "source": "tr_BBBBBBBBBBBBB", "amount": -10000,
         "currency": "gbp", "net": -10000, "type": "transfer", "created": 1392774281, "available_on": 1393200000,
         "status": "pending", "fee": 0, "fee_details": [], "description": "STRIPE TRANSFER"},
        {"id": "txn_CCCCCCCCCCCCC", "object": "balance_transaction", "source": "tr_DDDDDDDDDDDDD", "amount": -2500,
         "currency": "gbp", "net": -2500, "type": "transfer", "created": 1392774281, "available_on": 1393200000,
         "status": "available", "fee": 0, "fee_details": [], "description": "Transfer to a connected account"}]}))
    payout, transfer = run(stripe_api, cfg, "stripe", path).entries
    assert amounts(payout) == {"Assets:Transit:Stripe": Decimal("100.00"), CLEARING: Decimal("-100.00")}
    assert (payout.meta["id"], payout.meta["balance-transaction"], payout.links) == \
        ("tr_BBBBBBBBBBBBB", "txn_AAAAAAAAAAAAA", {"payout-tr_BBBBBBBBBBBBB"})
    assert amounts(transfer) == {CLEARING: Decimal("-25.00"), "Assets:Suspense": Decimal("25.00")}   # not a payout


def test_payments_export_row_of_a_payment_intent_without_charge(tmp_path, cfg):
    # Newer payments exports (2024, `Created date (UTC)`, `PaymentIntent ID`) list the
    # PaymentIntents that never made a charge: no id, status requires_payment_method.
    # The import was refused at that row ("expected the charge id"); it moved no money.
    path = tmp_path / "unified_payments.csv"
    path.write_text("id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Fee,Mode,PaymentIntent ID,Status,"
                    "Taxes On Fee\n"
                    ",2024-09-20 13:36:32,14.99,,usd,,,Live,pi_3Q170eLoR5xD6xCe03ejh7jD,requires_payment_method,\n"
                    "ch_3Q16zjLoR5xD6xCe1qjJdWfh,2024-09-20 13:36:17,14.99,0.00,usd,true,0.96,Live,"
                    "pi_3Q16zjLoR5xD6xCe1KVakVKe,Paid,0.00\n"
                    ",2024-09-20 13:37:00,9.99,,usd,,,Live,pi_3Q170eLoR5xD6xCe0xxxxxxx,Paid,\n")
    raises_at(tmp_path, "unified_payments.csv:4: column id: expected the charge id",
              lambda: run(stripe_payments, cfg, "stripe", path))   # a paid row still needs its id
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    extraction = run(stripe_payments, cfg, "stripe", path)
    assert [e.meta["id"] for e in extraction.entries] == ["ch_3Q16zjLoR5xD6xCe1qjJdWfh"]
    assert extraction.skipped == {"failed (no money moved)": 1}
    assert amounts(extraction.entries[0]) == {CLEARING: Decimal("14.03"), FEES: Decimal("0.96"),
                                              SALES: Decimal("-14.99")}


def test_eu_locale_dates_and_decimal_commas(cfg):
    entries = by_id(run(stripe_balance_csv, cfg, "stripe", DATA / "stripe" / "balance_history_eu.csv"))
    charge = entries["txn_1EU0001"]
    assert (str(charge.date), amounts(charge)[SALES]) == ("2016-07-14", Decimal("-1249.00"))


def test_ambiguous_locale_dates_ask_for_date_format(tmp_path, make_config):
    path = tmp_path / "payments.csv"
    path.write_text("id,Created (UTC),Amount,Amount Refunded,Currency,Fee,Status\n"
                    "ch_1,09/12/2016 15:48,40,0,usd,1.46,Paid\nch_2,08/12/2016 15:47,120,0,usd,3.78,Paid\n")
    with pytest.raises(StatementError, match=r"payments.csv:2: the date '09/12/2016 15:48' reads as day/month and "
                                             r"as month/day.*set date_format"):
        run(stripe_payments, make_config(CHANNELS), "stripe", path)
    cfg = make_config(CHANNELS.replace("settlement_days: 3}", "settlement_days: 3, date_format: \"%d/%m/%Y\"}"))
    assert str(by_id(run(stripe_payments, cfg, "stripe", path))["ch_1"].date) == "2016-12-09"


def test_locale_dates_read_from_the_rows_spread_are_said(tmp_path, cfg):
    # thepag/stripe-csv-audit's payments export: 09/12/2016 … 02/12/2016 read both ways
    # and are in time order both ways; eight days of one December decide day first. The
    # PayPal import said such a reading in its summary, the Stripe ones silently.
    path = tmp_path / "payments.csv"
    path.write_text("id,Created (UTC),Amount,Amount Refunded,Currency,Fee,Status\n"
                    "ch_1,09/12/2016 15:48,40,0,usd,1.46,Paid\nch_2,08/12/2016 15:47,120,0,usd,3.78,Paid\n"
                    "ch_3,02/12/2016 11:48,19.24,0,usd,0.86,Paid\n")
    extraction = run(stripe_payments, cfg, "stripe", path)
    assert str(by_id(extraction)["ch_3"].date) == "2016-12-02"
    assert extraction.notes == ["dates read day first (09/12/2016 15:48 is 2016-12-09), the one reading that puts "
                                "the rows' days in one month; set date_format in config.yaml if that is wrong"]


def test_fixtures_dump_books_balance_transactions_and_payouts_and_names_the_rest(cfg):
    extraction = run(stripe_api, cfg, "stripe", sample("stripe_api_json", "stripe-openapi-fixtures3.json"))
    assert sorted(e.meta["id"] for e in extraction.entries) == ["po_1Pgc79B7WZ01zgkWu1KToYf4",
                                                                "txn_1PgaxNB7WZ01zgkWEV3TLf40"]
    assert extraction.rows == 176 and sum(extraction.skipped.values()) == 174
    # The balance transaction's net (100 minor units) in, the payout (1100) out.
    assert totals(extraction.entries, CLEARING) == {"USD": Decimal("1.00") - Decimal("11.00")}
    assert extraction.skipped["customer object (no balance transaction in it)"] == 1
    assert extraction.skipped["deleted bank_account object (no balance transaction in it)"] == 3


def test_failed_payout_gives_the_money_back(tmp_path, cfg):
    path = tmp_path / "payout.json"
    path.write_text(json.dumps({"id": "po_F1000000", "object": "payout", "amount": 5000, "currency": "usd",
                                "created": 1772441100, "arrival_date": 1772582400, "status": "failed",
                                "balance_transaction": "txn_F1", "failure_balance_transaction": "txn_F2",
                                "failure_code": "account_closed", "description": "STRIPE PAYOUT"}))
    payout, failure = run(stripe_api, cfg, "stripe", path).entries
    assert amounts(payout) == {"Assets:Transit:Stripe": Decimal("50.00"), CLEARING: Decimal("-50.00")}
    assert amounts(failure) == {"Assets:Transit:Stripe": Decimal("-50.00"), CLEARING: Decimal("50.00")}
    assert failure.links == {"payout-txn_F2"} and failure.meta["payout-returned"] == "po_F1000000"


def test_a_lone_payout_is_recognised_by_its_object_whatever_its_ids_length(tmp_path, cfg):
    # A blind tester's payout with short ids (po_0002, txn_0015), as a test server serves
    # them, was "no importer recognises this file", and its webhook answered 500 in every
    # state: a long id told it apart from other JSON, where its `"object": "payout"` with a
    # Stripe id says what it is
    payout = {"amount": 3000, "arrival_date": 1796529600, "automatic": True, "balance_transaction": "txn_0015",
              "created": 1796349600, "currency": "usd", "failure_balance_transaction": None, "id": "po_0002",
              "method": "standard", "object": "payout", "status": "in_transit", "type": "bank_account"}
    path = tmp_path / "event-payout-po_0002.json"
    path.write_text(json.dumps(payout, indent=2, sort_keys=True) + "\n")
    entry, = run(stripe_api, cfg, "stripe", path).entries
    assert entry.meta["id"] == "po_0002"
    assert amounts(entry) == {"Assets:Transit:Stripe": Decimal("30.00"), CLEARING: Decimal("-30.00")}
    bt = {"id": "txn_01", "object": "balance_transaction", "amount": 1000, "fee": 59, "net": 941,
          "currency": "usd", "created": 1772441100, "type": "charge", "reporting_category": "charge",
          "source": "ch_01", "status": "available"}
    path.write_text(json.dumps(bt))
    assert [e.meta["id"] for e in run(stripe_api, cfg, "stripe", path).entries] == ["txn_01"]
    # what kept other JSON apart still does: an object of another API in Stripe's shape,
    # a Stripe object's name without a Stripe id
    importer = stripe_api.Importer(cfg.channels["stripe"], cfg)
    for other in ({"object": "charge", "id": "chrg_test_5fzw1", "amount": 100000},
                  {"object": "payout", "id": "12345", "amount": 100}):
        path.write_text(json.dumps(other))
        assert not importer.identify(str(path)), other


def test_failed_payout_with_its_failure_balance_transaction_gives_the_money_back_when_that_says(tmp_path, cfg):
    # blind6: the money came back at the payout's creation, days before the failure; with
    # the failure balance transaction expanded (serve fetches it) it is that transaction's
    # entry, the one the day's list books
    from beanclear.books.render import entry_text
    failure = {"id": "txn_F2", "object": "balance_transaction", "amount": 5000, "fee": 0, "net": 5000,
               "currency": "usd", "created": 1772764200, "type": "payout_failure", "reporting_category":
               "payout_reversal", "description": "STRIPE PAYOUT FAILURE", "source": "po_F1000000",
               "status": "available"}
    payout_path, day_path = tmp_path / "payout.json", tmp_path / "day.json"
    payout_path.write_text(json.dumps({"id": "po_F1000000", "object": "payout", "amount": 5000, "currency": "usd",
                                       "created": 1772441100, "status": "failed", "balance_transaction": "txn_F1",
                                       "failure_balance_transaction": failure, "description": "STRIPE PAYOUT"}))
    day_path.write_text(json.dumps({"object": "list", "data": [failure], "has_more": False}))
    payout, back = run(stripe_api, cfg, "stripe", payout_path).entries
    assert (str(payout.date), str(back.date), back.meta["time"]) == ("2026-03-02", "2026-03-06", "10:30:00")
    assert entry_text(back) == entry_text(run(stripe_api, cfg, "stripe", day_path).entries[0])


def test_a_failure_names_the_refund_or_payment_it_undoes(tmp_path, cfg):
    # A refund the customer's bank refused gives its money back (`refund_failure`; a
    # positive `payment_failure_refund` where only the type says it); a payment that
    # failed after it was booked takes it back (`charge_failure`; a negative
    # `payment_failure_refund`, an ACH debit). Each names what it undoes, for the checks.
    def bt(ident, amount, source, category=None, kind=None):
        return {"id": ident, "object": "balance_transaction", "amount": amount, "fee": 0, "net": amount,
                "currency": "usd", "created": 1772441100, "source": source, "reporting_category": category,
                "type": kind or category, "description": f"Order 2001 {ident}"}
    path = tmp_path / "failures.json"
    path.write_text(json.dumps({"object": "list", "url": "/v1/balance_transactions", "has_more": False, "data": [
        bt("txn_F1", 5000, "re_F1", "refund_failure"), bt("txn_F2", -5000, "py_F2", "charge_failure"),
        bt("txn_F3", 5000, "pyr_F3", kind="payment_failure_refund"),
        bt("txn_F4", -5000, "py_F4", kind="payment_failure_refund"), bt("txn_F5", -5000, "re_F5", "refund")]}))
    entries = by_id(run(stripe_api, cfg, "stripe", path))
    failed = {i: (e.meta.get("refund-failed"), e.meta.get("payment-failed")) for i, e in entries.items()}
    assert failed == {"txn_F1": ("re_F1", None), "txn_F2": (None, "py_F2"), "txn_F3": ("pyr_F3", None),
                      "txn_F4": (None, "py_F4"), "txn_F5": (None, None)}
    assert amounts(entries["txn_F1"]) == {CLEARING: Decimal("50.00"), SALES: Decimal("-50.00")}   # booked as before


def test_a_report_without_source_ids_says_a_failed_refund_names_none(tmp_path, cfg):
    path = tmp_path / "balance_change_from_activity.csv"
    path.write_text('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
                    '"reporting_category","description"\n"txn_F1","2026-03-16 15:00:00","2026-03-16 15:00:00","usd",'
                    '"38.20","0.00","38.20","refund_failure","REFUND FAILURE FOR CHARGE (Order #1064)"\n')
    [entry] = run(stripe_balance_csv, cfg, "stripe", path).entries
    assert entry.meta["refund-failed"] == "not stated"


def test_list_with_more_pages_is_noted(tmp_path, cfg):
    path = tmp_path / "page.json"
    path.write_text('{"object": "list", "url": "/v1/balance_transactions", "has_more": true, "data": []}')
    got = run(stripe_api, cfg, "stripe", path)
    assert got.notes == ["the list says has_more: later pages are not in this file"]
    assert got.continues_before   # (newest first: the pages that follow hold older rows)


def test_a_fetched_day_covers_the_window_it_asked_quiet_or_not(tmp_path, cfg):
    # `beanclear fetch` keeps the window it asked in the list's url: 2026-03-02 00:00 to
    # 03-03 00:00 in the books' zone (Shanghai, UTC+8). Its empty list still covers it.
    import datetime as dt
    day = lambda d: int(dt.datetime(2026, 3, d, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    path = tmp_path / "balance-transactions-2026-03-02.json"
    asked = f"/v1/balance_transactions?created[gte]={day(2)}&created[lt]={day(3)}"
    path.write_text(json.dumps({"object": "list", "url": asked, "has_more": False, "data": []}))
    got = run(stripe_api, cfg, "stripe", path)
    assert (got.period, got.asked, len(got.entries)) == ((dt.date(2026, 3, 2),) * 2, True, 0)
    for text in ('{"object": "list", "url": "/v1/balance_transactions", "has_more": false, "data": []}',   # Stripe's own
                 json.dumps({"object": "list", "url": asked, "has_more": True, "data": []})):   # part of its window
        path.write_text(text)
        got = run(stripe_api, cfg, "stripe", path)
        assert (got.period, got.asked) == (None, False)


# -- bad input: file, line, what was expected -----------------------------------------

REPORT_HEADER = '"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category"\n'


@pytest.mark.parametrize("row, message", [
    ('"txn_1","2026-03-01 10:00:00","usd","1O.00","0.30","9.70","charge"',
     "r.csv:2: column gross: expected an amount, got '1O.00'"),
    ('"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.70","loan"', "r.csv:2: column reporting_category: unknown"
                                                                         " Stripe category 'loan'"),
    ('"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.60","charge"', "r.csv:2: net 9.60 is not gross 10.00"),
    ('"txn_1","2026-03-01 10:00:00","usd","10.00","0.30"', "r.csv:2: expected 7 cells as in the header"),
    ('"txn_1","yesterday","usd","10.00","0.30","9.70","charge"', "r.csv:2: column created_utc: expected a date"),
    ('"txn_1","2026-03-01 10:00:00","dollars","10.00","0.30","9.70","charge"', "r.csv:2: column currency: expected a"
                                                                               " currency code"),
    ('"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.70","charge\n', "r.csv:2: a quoted cell is never closed"),
])
def test_bad_report_rows(tmp_path, cfg, row, message):
    path = tmp_path / "r.csv"
    path.write_text(REPORT_HEADER + row + "\n", encoding="utf-8")
    raises_at(tmp_path, message, lambda: run(stripe_balance_csv, cfg, "stripe", path))


def test_a_report_row_short_of_its_optional_cells_is_refused(tmp_path, cfg):
    """blind8: a row of 9 cells under an 11-cell header lost its source_id and
    automatic_payout_id (po_001) and was booked without its payout link, exit 0. Stripe
    writes every cell of every row; which one is missing cannot be known."""
    header = REPORT_HEADER.rstrip("\n") + ',"source_id","automatic_payout_id"\n'
    rows = ('"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.70","charge","ch_1","po_1"\n'
            '"txn_2","2026-03-02 10:00:00","usd","20.00","0.60","19.40","charge"\n')
    path = tmp_path / "r.csv"
    path.write_text(header + rows, encoding="utf-8")
    raises_at(tmp_path, "r.csv:3: expected 9 cells as in the header (line 1), got 7: a cell is missing",
              lambda: run(stripe_balance_csv, cfg, "stripe", path))


@pytest.mark.parametrize("text, message", [
    ('{"object": "balance_transaction", "id": "txn_1", "amount": 10.5, "fee": 0, "net": 10.5, "currency": "usd", '
     '"created": 1772441100, "reporting_category": "charge"}', "j.json:1: amount: expected an integer amount in minor"),
    ('{"object": "balance_transaction", "id": "txn_1", "amount": 1000,\n "fee": 0, "currency": "usd", '
     '"created": 1772441100, "reporting_category": "charge"}', "j.json:1: balance_transaction txn_1: no net"),
    ('{"object": "list", "data": [\n {"object": "balance_transaction", "id": "txn_1", "amount": 1000', "j.json:2: not "
                                                                                                      "valid JSON"),
    ('{"object": "list", "data": [\n 12]}', "j.json:1: expected a Stripe object"),
    ('{"object": "payout", "id": "po_1", "amount": 100, "currency": "usd", "created": 1, "status": "lost"}',
     "j.json:1: payout po_1: unknown status 'lost'"),
    ('{"object": "list", "data": [],\n "url": "/v1/balance_transactions?created[gte]=1772380800&created[lt]=17723808"}',
     "j.json:1: url: '/v1/balance_transactions?created[gte]=1772380800&created[lt]=17723808' asks no window of days"),
    ('{"object": "list", "data": [], "url": "/v1/balance_transactions?created[gte]=1772380800"}',
     "j.json:1: url: '/v1/balance_transactions?created[gte]=1772380800' asks no window of days"),
])
def test_bad_api_json(tmp_path, cfg, text, message):
    path = tmp_path / "j.json"
    path.write_text(text)
    importer = stripe_api.Importer(cfg.channels["stripe"], cfg)
    raises_at(tmp_path, message, lambda: importer.parse(str(path)))


def test_a_report_in_the_stripe_accounts_zone_is_dated_in_the_books_zone(tmp_path, make_config):
    # `created` without `_utc` is in the Stripe account's zone: the books' by default; a US
    # account's (channels.stripe.timezone) is taken back to the books' zone.
    path = tmp_path / "report.csv"
    path.write_text("balance_transaction_id,created,currency,gross,fee,net,reporting_category\n"
                    "txn_1,2026-03-01 20:00:00,usd,10.00,0.59,9.41,charge\n", encoding="utf-8")
    entry, = run(stripe_balance_csv, make_config(CHANNELS), "stripe", path).entries
    assert (str(entry.date), entry.meta["time"]) == ("2026-03-01", "20:00:00")
    pacific = make_config(CHANNELS.replace("{type: stripe,", "{type: stripe, timezone: America/Los_Angeles,"))
    entry, = run(stripe_balance_csv, pacific, "stripe", path).entries
    assert (str(entry.date), entry.meta["time"]) == ("2026-03-02", "12:00:00")


def test_a_report_saved_in_windows_1252_reads_as_the_utf8_one(tmp_path, cfg):
    # a blind tester's itemized report: "Order W1001 Müller Crème" was booked "M黮ler Cr鑝e"
    from golden_util import extraction_text
    text = (DATA / "stripe" / "balance_change_from_activity.itemized.csv").read_text(encoding="utf-8")
    text = text.replace('"Order 1001"', '"Order 1001 Müller Crème"')
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    utf8, cp1252 = (run(stripe_balance_csv, cfg, "stripe", tmp_path / name) for name in ("utf8.csv", "cp1252.csv"))
    assert extraction_text(cp1252).replace("cp1252.csv", "utf8.csv") == extraction_text(utf8)
    assert "Order 1001 Müller Crème" in extraction_text(cp1252)


def test_an_empty_customer_email_never_hides_the_customer_name(tmp_path, cfg):
    # blind7's trap (an empty PayPal Subject hid the Item Title): the itemized report's
    # customer is its customer_email, else its customer_name (toolkit.filled_at).
    path = tmp_path / "r.csv"
    path.write_text('"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category",'
                    '"customer_email","customer_name"\n'
                    '"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.70","charge","","Luca Bianchi"\n'
                    '"txn_2","2026-03-01 11:00:00","usd","10.00","0.30","9.70","charge","ann@x.example","Ann Lee"\n',
                    encoding="utf-8")
    entries = {e.meta["id"]: e for e in run(stripe_balance_csv, cfg, "stripe", path).entries if hasattr(e, "postings")}
    assert [entries[i].meta.get("customer") for i in ("txn_1", "txn_2")] == ["Luca Bianchi", "ann@x.example"]


# -- one id twice in one statement (README "once") ---------------------------------------

def api_bt(ident, amount, source="ch_A1", category="charge", fee=0):
    return {"id": ident, "object": "balance_transaction", "amount": amount, "fee": fee, "net": amount - fee,
            "currency": "usd", "created": 1770717600, "reporting_category": category, "type": category,
            "source": source, "description": "Order 1001" if category == "charge" else "STRIPE PAYOUT"}


def api_list(tmp_path, *objects):
    (tmp_path / "config.yaml").write_text(CHANNELS, encoding="utf-8")
    path = tmp_path / "bt.json"
    path.write_text(json.dumps({"object": "list", "url": "/v1/balance_transactions", "has_more": False,
                                "data": list(objects)}, indent=1))
    return path


@pytest.mark.parametrize("first, again, line", [
    (api_bt("txn_ch1", 60000, fee=1770), api_bt("txn_ch1", 70000, fee=1770), 19),
    # a payout's entry is its po_… id: 500.00 booked, 82.30 left in clearing
    (api_bt("txn_po1", -50000, "po_X1", "payout"), api_bt("txn_po1", -58230, "po_X1", "payout"), 19),
])
def test_an_api_list_giving_one_balance_transaction_two_amounts_is_refused(tmp_path, first, again, line):
    # blind7 s08/s08c: the first row won, "2 rows read, 1 entries written", exit 0
    from conftest import beanclear
    path = api_list(tmp_path, first, again)
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    ident = first["source"] if first["reporting_category"] == "payout" else first["id"]
    assert f"bt.json:{line}: id '{ident}' again, as on line 6, but with other amounts" in result.output, result.output
    assert not (tmp_path / "books").exists()


def test_an_api_list_giving_one_balance_transaction_twice_books_it_once_and_says_so(tmp_path):
    from conftest import beanclear
    path = api_list(tmp_path, api_bt("txn_ch1", 60000, fee=1770), api_bt("txn_ch1", 60000, fee=1770))
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 entries written" in result.output and "1 row(s) repeat an earlier row of the file exactly" in result.output


def test_a_payout_and_its_balance_transaction_are_one_entry_said_nowhere(tmp_path):
    # stripe_api's `seen`: the payout object and the balance transaction of it are one movement
    from conftest import beanclear
    payout = {"id": "po_X1", "object": "payout", "amount": 58230, "currency": "usd", "created": 1770886800,
              "status": "paid", "balance_transaction": "txn_po1", "description": "STRIPE PAYOUT"}
    path = api_list(tmp_path, api_bt("txn_ch1", 60000, fee=1770), api_bt("txn_po1", -58230, "po_X1", "payout"),
                    payout)
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 entries written" in result.output and "repeat" not in result.output, result.output


def test_a_payout_reconciliation_report_repeating_an_item_sums_it_once(tmp_path):
    # the payout booked from its items counted a row the import books once: 9.70 left owing
    from conftest import beanclear
    (tmp_path / "config.yaml").write_text(CHANNELS, encoding="utf-8")
    path = tmp_path / "recon.csv"
    row = '"txn_1","2026-03-01 10:00:00","usd","10.00","0.30","9.70","charge","po_1","2026-03-04 00:00:00"\n'
    path.write_text('"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category",'
                    '"automatic_payout_id","automatic_payout_effective_at_utc"\n' + row + row +
                    row.replace("txn_1", "txn_2"), encoding="utf-8")
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 0 and "1 row(s) repeat an earlier row" in result.output, result.output
    assert beanclear(tmp_path, "check").exit_code == 0
    text = "".join(p.read_text() for p in (tmp_path / "books").rglob("2026-03.beancount"))
    assert re.search(r"Assets:Transit:Stripe +19.40 USD", text) and "(2 items in" in text, text
