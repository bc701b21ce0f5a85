"""Channels and banks kept by hand beside imported ones: the books are their statements.

A ledger kept by hand that adopts the plugin line is judged as books without any
statement are (up to the books' statement date). Before, the first statement imported
of *another* channel made every source without a coverage record one whose statements
were missing: a hand-kept Alipay's unsettled money and its short withdrawal, a PayPal
payout the bank never credited, all went quiet, `check` and `bean-check` exit 0 (blind18
pluginonly). Such a source is kept by hand where a person's own entries move its money;
one with nothing of its own in the books still waits for its statements (one
statement-gap, test_channel_never_imported.py).
"""

from __future__ import annotations

import json

from conftest import beanclear, write_files

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 8, bank_days: 3}
  alipay: {type: alipay, currency: CNY, settlement_days: 2, bank: icbc, bank_days: 2}
  paypal: {type: paypal, currency: USD, settlement_days: 10, bank: chase, bank_days: 3}
banks:
  icbc: {type: icbc, account: Assets:Bank:ICBC, currency: CNY}
  chase: {type: camt053, account: Assets:Bank:Chase, currency: USD}
"""
OPENS = "\n".join(f"2026-01-01 open {account} {currency}" for account, currency in [
    ("Assets:Bank:ICBC", "CNY"), ("Assets:Bank:Chase", "USD"), ("Equity:Opening", "USD"), ("Expenses:Rent", "USD"),
    ("Assets:Clearing:Alipay", "CNY"), ("Assets:Transit:Alipay", "CNY"), ("Income:Sales:Alipay", "CNY"),
    ("Expenses:Fees:Alipay", "CNY"), ("Assets:Clearing:PayPal", "USD"), ("Assets:Transit:PayPal", "USD"),
    ("Income:Sales:PayPal", "USD"), ("Expenses:Fees:PayPal", "USD"), ("Assets:Clearing:Stripe", "USD"),
    ("Assets:Transit:Stripe", "USD"), ("Income:Sales:Stripe", "USD"), ("Expenses:Fees:Stripe", "USD")])
HAND = OPENS + """

2026-02-10 * "Zhang Wei" "alipay sale 2026021022001400000001"
  Assets:Clearing:Alipay    994.00 CNY
  Expenses:Fees:Alipay        6.00 CNY
  Income:Sales:Alipay     -1000.00 CNY

2026-02-12 * "Wang Fang" "alipay sale 2026021222001400000002"
  Assets:Clearing:Alipay    497.00 CNY
  Expenses:Fees:Alipay        3.00 CNY
  Income:Sales:Alipay      -500.00 CNY

2026-02-13 * "Alipay" "withdrawal ALIW20260213" ^payout-ALIW20260213
  Assets:Transit:Alipay     497.00 CNY
  Assets:Clearing:Alipay   -497.00 CNY

2026-02-14 * "ICBC" "withdrawal ALIW20260213" ^payout-ALIW20260213
  Assets:Bank:ICBC          477.00 CNY
  Assets:Transit:Alipay    -477.00 CNY

2026-02-16 * "Ava Brooks" "PayPal payment 1AB23456CD7890123"
  Assets:Clearing:PayPal    300.00 USD
  Expenses:Fees:PayPal       10.96 USD
  Income:Sales:PayPal      -310.96 USD

2026-02-19 * "PayPal" "General Withdrawal 9ZY87654XW3210987"
  Assets:Transit:PayPal     300.00 USD
  Assets:Clearing:PayPal   -300.00 USD

2026-02-20 * "Chase" "rent"
  Assets:Bank:Chase        -100.00 USD
  Expenses:Rent             100.00 USD
"""
MAIN = 'option "operating_currency" "USD"\nplugin "beanclear.plugins.checks" "../config.yaml"\n'
STRIPE = "\n".join([
    '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
    '"reporting_category","source_id","description"',
    '"txn_1","2026-03-01 15:00:00","2026-03-03 00:00:00","usd","50.00","1.75","48.25","charge","ch_1","Order 1"',
    '"txn_2","2026-03-02 14:00:00","2026-03-02 00:00:00","usd","-48.25","0.00","-48.25","payout","po_1","STRIPE PAYOUT"'
]) + "\n"


def findings(folder) -> list[tuple]:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["source"], f["amount"]) for f in report["findings"])


def merchant(tmp_path, hand: str):
    return write_files(tmp_path, {"config.yaml": CONFIG, "books/main.beancount": MAIN + hand,
                                  "stripe.csv": STRIPE})


def test_hand_kept_channels_are_judged_after_another_channels_import_as_before_it(tmp_path):
    folder = merchant(tmp_path, HAND)
    before = findings(folder)
    assert [code for code, _, _ in before] == ["payout-mismatch", "payout-missing", "unsettled", "unsettled"]
    assert beanclear(folder, "import", str(folder / "stripe.csv")).exit_code == 0
    after = findings(folder)
    # the Alipay and PayPal findings stay; the hand-kept Chase (its rent line) answers PayPal's payout:
    # missing, not waiting for a statement of chase; and no "your own entries … twice" of them
    assert after == before, after
    assert beanclear(folder, "check").exit_code == 1


def test_a_bank_with_nothing_of_its_own_in_the_books_still_waits_for_its_statements(tmp_path):
    """Must not fire: without Chase's rent line the books hold nothing of Chase: PayPal's
    payout waits for its statement, one statement-gap, not payout-missing."""
    folder = merchant(tmp_path, HAND.split('2026-02-20 * "Chase"')[0])
    assert beanclear(folder, "import", str(folder / "stripe.csv")).exit_code == 0
    found = findings(folder)
    assert ("statement-gap", "chase", "0") in found or any(c == "statement-gap" and s == "chase" for c, s, _ in found)
    assert "payout-missing" not in [code for code, _, _ in found]


def test_an_opening_alone_keeps_nothing_by_hand(tmp_path):
    """Must not fire: a channel whose only own entry is its opening from Equity is not kept
    by hand: the bank credits booked as its payouts wait for its statements."""
    opening = OPENS + """

2026-02-01 * "opening"
  Assets:Clearing:PayPal    300.00 USD
  Equity:Opening           -300.00 USD
"""
    folder = merchant(tmp_path, opening)
    assert beanclear(folder, "import", str(folder / "stripe.csv")).exit_code == 0
    assert [code for code, _, _ in findings(folder) if code != "statement-gap"] == []
