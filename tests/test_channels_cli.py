"""Stripe and PayPal through the command line: every sample imports with exit 0 and
re-imports as nothing, bad input is exit 2 with the books untouched, and the clearing
check proves each Stripe payout against its items."""

from __future__ import annotations

import json
import textwrap

import pytest

from channel_util import DATA
from conftest import beanclear, sample, snapshot

SAMPLES = [("stripe_csv", "hledger-stripe-balance_change_from_activity.csv"),
           ("stripe_csv", "kostagit-stripe-application-fees-eu-decimal.csv"),
           ("stripe_api_json", "stripe-openapi-balance_transaction.json"),
           ("stripe_api_json", "stripe-openapi-charge.json"), ("stripe_api_json", "stripe-openapi-dispute.json"),
           ("stripe_api_json", "stripe-openapi-fixtures3.json"), ("stripe_api_json", "stripe-openapi-payout.json"),
           ("stripe_api_json", "stripe-openapi-refund.json"),
           ("paypal_csv", "oca-paypal-activity_en.csv"), ("paypal_csv", "oca-paypal-empty_activity.csv"),
           ("paypal_csv", "oca-paypal-statement_en.csv"),
           ("paypal_api_json", "srmklive-paypal-transaction-search-response.json"),
           ("paypal_api_json", "srmklive-paypal-balances-response.json")]
CONFIG = """\
books: books
currency: USD
timezone: America/Los_Angeles
channels:
  stripe: {type: stripe, currency: USD}
  paypal:
    type: paypal
    currency: USD
"""
# The statement sample starts from balances the month before left: 0.89 USD and 0.75 EUR.
OPENING = "    opening_balance: {date: 2018-09-03, amount: 0.89, amounts: {EUR: 0.75}}\n"


def merchant_with(tmp_path, extra: str = ""):
    (tmp_path / "config.yaml").write_text(CONFIG + extra, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("folder, name", SAMPLES, ids=[n for _, n in SAMPLES])
def test_every_sample_imports_reimports_and_checks(tmp_path, folder, name):
    merchant = merchant_with(tmp_path, OPENING if "statement_en" in name else "")
    path = sample(folder, name)
    first = beanclear(merchant, "import", str(path))
    assert first.exit_code == 0, first.output
    assert "rows read" in first.output and "0 already in the books" in first.output
    books = snapshot(merchant / "books")
    again = beanclear(merchant, "import", str(path))
    assert again.exit_code == 0 and " 0 entries written" in again.output
    assert snapshot(merchant / "books") == books
    check = beanclear(merchant, "check", "--format", "json")
    assert check.exit_code in (0, 1), check.output
    ledger_errors = [f["message"] for f in json.loads(check.output)["findings"] if f["code"] == "beancount"]
    # Every balance of the statement holds in the books: a statement of balances alone is
    # the account's first, and its balances are its opening (DESIGN.md §1).
    assert ledger_errors == []


def test_bad_input_is_exit_2_and_leaves_the_books_alone(tmp_path):
    merchant = merchant_with(tmp_path)
    assert beanclear(merchant, "import", str(DATA / "paypal" / "activity_us.csv")).exit_code == 0
    before = snapshot(merchant / "books")
    bad = tmp_path / "bad.csv"
    bad.write_text((DATA / "paypal" / "activity_us.csv").read_text(encoding="utf-8").replace(
        '"300.00","-9.00"', '"300.00","-9.OO"'), encoding="utf-8")
    result = beanclear(merchant, "import", str(DATA / "stripe" / "balance_history_legacy.csv"), str(bad))
    assert result.exit_code == 2
    assert f"{bad}:10: column Fee: expected an amount, got '-9.OO'; nothing was written" in result.output
    assert snapshot(merchant / "books") == before


ITEMIZED = """\
"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","source_id","description","automatic_payout_id"
"txn_C0","2026-03-01 10:00:00","2026-03-03 00:00:00","usd","20.60","0.60","20.00","charge","ch_C0","Order 900",""
"txn_A1","2026-03-02 10:15:00","2026-03-04 00:00:00","usd","100.00","3.20","96.80","charge","ch_A1","Order 901","po_A"
"txn_B2","2026-03-02 14:40:00","2026-03-04 00:00:00","usd","50.00","1.50","48.50","charge","ch_B2","Order 902","po_A"
"txn_P3","2026-03-04 00:05:00","2026-03-04 00:05:00","usd","-140.00","0.00","-140.00","payout","po_A","STRIPE PAYOUT",""
"txn_D4","2026-03-10 09:00:00","2026-03-12 00:00:00","usd","10.00","0.30","9.70","charge","ch_D4","Order 903","po_B"
"""
BANK = "Date,Ref,Memo,Payee,Amount\n2026-03-05,B100,STRIPE PAYOUT,Stripe Payments,140.00\n"


def test_clearing_check_proves_payouts_against_their_items(tmp_path):
    (tmp_path / "config.yaml").write_text(textwrap.dedent("""\
        books: books
        currency: USD
        timezone: UTC
        channels:
          stripe: {type: stripe, currency: USD, settlement_days: 3, bank: ops, bank_days: 2}
        banks:
          ops:
            type: csv
            account: Assets:Bank:Ops
            currency: USD
            columns: {date: Date, ref: Ref, memo: Memo, payee: Payee, amount: Amount}
        """), encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "itemized.csv").write_text(ITEMIZED, encoding="utf-8")
    (statements / "bank.csv").write_text(BANK, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(statements)).exit_code == 0
    again = beanclear(tmp_path, "import", str(statements))
    assert again.output.count(" 0 entries written") == 2
    check = beanclear(tmp_path, "check", "--format", "json")
    assert check.exit_code == 1
    findings = {f["code"]: f for f in json.loads(check.output)["findings"]}
    mismatch = findings["payout-mismatch"]   # po_A paid 140.00 for items of 145.30
    assert (mismatch["amount"], mismatch["expected"], mismatch["actual"]) == ("5.30", "145.30", "140.00")
    assert {"po_A", "txn_A1", "txn_B2"} <= set(mismatch["refs"])
    unsettled = findings["unsettled"]        # txn_C0 (order 900, its description says) never left clearing; txn_D4 is still within T+3
    assert (unsettled["amount"], unsettled["refs"], unsettled["date"]) == ("20.00", ["txn_C0", "900", "ch_C0"], "2026-03-01")
    assert "payout-missing" not in findings  # the bank shows po_A arrive, in transit for one day


PAYPAL_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
                 '"Transaction ID","Reference Txn ID","Balance"\n')


def paypal_day(folder, name: str, rows) -> str:
    """A PayPal activity download of (date, id, balance) rows, a payment of 5.00 each."""
    path = folder / name
    path.write_text(PAYPAL_HEADER + "".join(
        f'"{day}","10:00:00","PST","A","Website Payment","Completed","USD","5.00","0.00","5.00","{ident}","",'
        f'"{balance}"\n' for day, ident, balance in rows), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("one_command", [False, True])
def test_a_daily_download_whose_dates_read_both_ways_reads_as_the_sources_earlier_files(tmp_path, one_command):
    # blind27: a daily PayPal download of 01/02/2026 was refused asking for date_format,
    # though the file of the day before (12/31/2025) had been read month first
    merchant = merchant_with(tmp_path)
    (tmp_path / "in").mkdir()
    first = paypal_day(tmp_path / "in", "a-2025-12-31.csv", [("12/31/2025", "T1", "5.00")])
    daily = paypal_day(tmp_path / "in", "b-2026-01-02.csv", [("01/02/2026", "T2", "10.00"), ("01/02/2026", "T3", "15.00")])
    if one_command:
        result = beanclear(merchant, "import", first, daily)
    else:
        assert beanclear(merchant, "import", first).exit_code == 0
        result = beanclear(merchant, "import", daily)
    assert result.exit_code == 0, result.output
    assert "dates read month first (01/02/2026 is 2026-01-02), as a-2025-12-31.csv of this source was read " \
           "(its own dates said month-first)" in result.output
    books = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "books" / "paypal").rglob("*.beancount")))
    assert '2026-01-02 * "A" "Website Payment"' in books and 'dates: "month-first"' in books


def test_a_download_whose_dates_read_both_ways_with_nothing_before_it_is_refused(tmp_path):
    # must not guess: no earlier statement of the source decided, the file is refused as before
    merchant = merchant_with(tmp_path)
    daily = paypal_day(tmp_path, "b.csv", [("01/02/2026", "T2", "5.00"), ("01/02/2026", "T3", "10.00")])
    result = beanclear(merchant, "import", daily)
    assert result.exit_code == 2 and "reads as day/month and as month/day" in result.output, result.output
    assert not (tmp_path / "books").exists() or not list((tmp_path / "books").rglob("paypal/*/*.beancount"))
