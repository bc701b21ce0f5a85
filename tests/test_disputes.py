"""Disputes (chargebacks) end to end: a shop's orders paid through Stripe and PayPal, some
of them disputed, imported and checked. A dispute is money the customer's bank took back,
not a refund (DESIGN §1: chargebacks and their fees have their own accounts): it books to
`Expenses:Chargebacks:<Channel>`, the shop's order stays paid, and no finding follows —
no refund-unsynced (the shop never refunded it), no refund-rate, and a won dispute given
back is no second payment (duplicate-charge) nor a sale without its fee (fee-gap). A real
refund the shop never recorded is still refund-unsynced."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from beancount import loader

from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: Asia/Shanghai
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 400, bank_days: 3, shop: teashop,
           fees: [{rate: 0.029, fixed: 0.30}]}
  paypal: {type: paypal, currency: USD, settlement_days: 400, bank_days: 3, shop: teashop,
           fees: [{rate: 0.0349}]}
shops:
  teashop: {type: shopify, currency: USD, order_days: 3}
checks:
  refund-rate: {severity: warning, max: 0.10, days: 7}
"""
SHOP = ["Name,Email,Financial Status,Created at,Total,Refunded Amount,Currency,Lineitem name"] + [
    f"#{name},buyer@example.com,paid,2026-03-{day} 09:00:00 +0800,{total},0.00,USD,Tea"
    for name, day, total in (("1001", "01", "400.00"), ("1002", "01", "200.00"), ("1003", "02", "100.00"),
                             ("1004", "02", "50.00"), ("1005", "03", "250.00"), ("1006", "12", "20.00"),
                             ("1007", "02", "80.00"), ("1008", "13", "10.00"))]
STRIPE = ['"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description","customer_facing_amount","customer_facing_currency",'
          '"automatic_payout_id","payment_metadata[order_id]"'] + [
    ",".join(f'"{c}"' for c in row) for row in (
        ("txn_c1", "2026-03-01 02:00:00", "2026-03-03 00:00:00", "usd", "400.00", "11.90", "388.10", "charge",
         "ch_1", "Order 1001", "400.00", "usd", "", "1001"),
        ("txn_c2", "2026-03-01 03:00:00", "2026-03-03 00:00:00", "usd", "200.00", "6.10", "193.90", "charge",
         "ch_2", "Order 1002", "200.00", "usd", "", "1002"),
        ("txn_c3", "2026-03-02 02:00:00", "2026-03-04 00:00:00", "usd", "100.00", "3.20", "96.80", "charge",
         "ch_3", "Order 1003", "100.00", "usd", "", "1003"),
        ("txn_c4", "2026-03-02 03:00:00", "2026-03-04 00:00:00", "usd", "50.00", "1.75", "48.25", "charge",
         "ch_4", "Order 1004", "50.00", "usd", "", "1004"),
        ("txn_c5", "2026-03-03 02:00:00", "2026-03-05 00:00:00", "usd", "250.00", "7.55", "242.45", "charge",
         "ch_5", "Order 1005", "250.00", "usd", "", "1005"),
        ("txn_r4", "2026-03-03 04:00:00", "2026-03-03 04:00:00", "usd", "-20.00", "0.00", "-20.00", "refund",
         "re_4", "REFUND FOR CHARGE", "-20.00", "usd", "", "1004"),     # the shop never refunded it
        ("txn_d2", "2026-03-05 02:00:00", "2026-03-05 02:00:00", "usd", "-200.00", "15.00", "-215.00", "dispute",
         "dp_2", "Chargeback withdrawal for ch_2", "-200.00", "usd", "", "1002"),    # lost
        ("txn_d3", "2026-03-05 03:00:00", "2026-03-05 03:00:00", "usd", "-100.00", "15.00", "-115.00", "dispute",
         "dp_3", "Chargeback withdrawal for ch_3", "-100.00", "usd", "", "1003"),
        ("txn_w3", "2026-03-09 02:00:00", "2026-03-09 02:00:00", "usd", "100.00", "-15.00", "115.00",
         "dispute_reversal", "dp_3", "Chargeback reversal for ch_3", "100.00", "usd", "", "1003"),   # won
        ("txn_c6", "2026-03-12 02:00:00", "2026-03-14 00:00:00", "usd", "20.00", "0.88", "19.12", "charge",
         "ch_6", "Order 1006", "20.00", "usd", "", "1006"))]
PAYPAL_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
                 '"To Email Address","Transaction ID","Reference Txn ID","Invoice Number","Item Title","Balance",'
                 '"Balance Impact"')
PAYPAL = [PAYPAL_HEADER] + [",".join(f'"{c}"' for c in row) for row in (
    ("03/02/2026", "10:00:00", "Asia/Shanghai", "Ann", "Website Payment", "Completed", "USD", "80.00", "-2.79",
     "77.21", "ann@example.com", "shop@example.com", "PAY0000000000007", "", "1007", "Tea", "77.21", "Credit"),
    ("03/06/2026", "10:00:00", "Asia/Shanghai", "Ann", "Chargeback", "Completed", "USD", "-80.00", "0.00",
     "-80.00", "shop@example.com", "ann@example.com", "CHB0000000000007", "PAY0000000000007", "1007", "Tea",
     "-2.79", "Debit"),
    ("03/06/2026", "10:00:00", "Asia/Shanghai", "", "Chargeback Fee", "Completed", "USD", "-20.00", "0.00",
     "-20.00", "shop@example.com", "", "FEE0000000000007", "CHB0000000000007", "", "", "-22.79", "Debit"),
    ("03/10/2026", "10:00:00", "Asia/Shanghai", "Ann", "Chargeback Reversal", "Completed", "USD", "80.00", "0.00",
     "80.00", "ann@example.com", "shop@example.com", "REV0000000000007", "PAY0000000000007", "1007", "Tea",
     "57.21", "Credit"),
    ("03/13/2026", "10:00:00", "Asia/Shanghai", "Bob", "Website Payment", "Completed", "USD", "10.00", "-0.35",
     "9.65", "bob@example.com", "shop@example.com", "PAY0000000000008", "", "1008", "Tea", "66.86", "Credit"))]


def merchant(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    st = tmp_path / "statements"
    st.mkdir()
    (st / "orders_export.csv").write_text("\n".join(SHOP) + "\n", encoding="utf-8")
    (st / "balance_change_from_activity_itemized_2.csv").write_text("\n".join(STRIPE) + "\n", encoding="utf-8")
    (st / "Download.CSV").write_text("\n".join(PAYPAL) + "\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(st))
    assert result.exit_code == 0, result.output
    return tmp_path


def test_disputes_lost_and_won_are_no_finding_but_a_refund_the_shop_never_saw_is(tmp_path):
    books = merchant(tmp_path)
    report = json.loads(beanclear(books, "check", "--format", "json").output)
    assert [(f["code"], f["refs"][0]) for f in report["findings"]] == [("refund-unsynced", "#1004")]


def test_a_dispute_books_its_amount_and_fee_as_chargebacks_and_the_order_stays_paid(tmp_path):
    books = merchant(tmp_path)
    entries, errors, _ = loader.load_file(str(books / "books" / "main.beancount"))
    assert not [e for e in errors if "beanclear" not in type(e).__module__], errors
    total, by_order = defaultdict(Decimal), defaultdict(Decimal)
    for e in entries:
        for p in getattr(e, "postings", ()):
            total[p.account] += p.units.number
            if p.account == "Assets:Receivable:Teashop":
                by_order[next(iter(e.links))] += p.units.number
    # lost: 200.00 and its 15.00 fee; won: the 100.00 and the fee given back; PayPal: its 20.00 fee kept
    assert total["Expenses:Chargebacks:Stripe"] == Decimal("215.00")
    assert total["Expenses:Chargebacks:PayPal"] == Decimal("20.00")
    assert "Income:Sales:Stripe" not in total and "Income:Sales:PayPal" not in total
    assert {k: v for k, v in by_order.items() if v} == {"order-1004": Decimal("20.00")}   # the unsynced refund
