"""A refund that failed (Stripe's `refund_failure`: the customer's bank refused it and the
money came back to the balance) is no sale: it undoes the refund. The fee check owes no
fee on it, the month report and the refund checks count it against the refunds, with or
without a shop whose receivable the payments clear (blind6 tester 124)."""

from __future__ import annotations

import json

import pytest

from conftest import beanclear, usd_config, write_files

CONFIG = usd_config("stripe", 30, "    fees:\n      - {rate: 0.029, fixed: 0.30}\n")
SHOP = """\
shops:
  shopify: {type: shopify, order_days: 3}
"""
HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description"')
# Sold 100.00; refunded; the refund failed (money back); refunded again, and that one went through.
ROWS = [("txn_A1", "2026-03-10", "100.00", "3.20", "96.80", "charge", "ch_A1", "Order #2001 by a@example.com"),
        ("txn_A2", "2026-03-12", "-100.00", "0.00", "-100.00", "refund", "re_A1", "REFUND FOR CHARGE (Order #2001)"),
        ("txn_A3", "2026-03-16", "100.00", "0.00", "100.00", "refund_failure", "re_A1",
         "REFUND FAILURE FOR CHARGE (Order #2001)"),
        ("txn_A4", "2026-03-17", "-100.00", "0.00", "-100.00", "refund", "re_A2", "REFUND FOR CHARGE (Order #2001)")]
ORDERS = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at\n"
          "#2001,a@example.com,refunded,2026-03-10 11:00:00 -0400,USD,100.00,100.00,100.00,2026-03-10 11:00:00 -0400\n")


def imported(folder, shop: bool, rows=ROWS):
    lines = [HEADER] + [",".join(f'"{c}"' for c in (ident, f"{day} 15:00:00", f"{day} 15:00:00", "usd", *rest))
                        for ident, day, *rest in rows]
    write_files(folder, {"config.yaml": CONFIG + (SHOP if shop else ""),
                         "statements/balance_change_from_activity.csv": "\n".join(lines) + "\n",
                         "statements/orders_export.csv": ORDERS if shop else None})
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    return folder


@pytest.fixture(params=["no shop", "shop"])
def merchant(request, tmp_path):
    return imported(tmp_path, request.param == "shop")


def findings(folder) -> list[dict]:
    return json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]


def test_a_failed_refund_owes_no_fee(merchant):
    assert [f for f in findings(merchant) if f["code"] == "fee-gap"] == []


def test_the_report_counts_a_failed_refund_against_the_refunds(merchant):
    # 100 sold; 200 refunded, 100 of it given back: refunds 100, and the row ties out
    # without `other`; the fee rate is on the 100 sold.
    [row] = json.loads(beanclear(merchant, "report", "2026-03", "--format", "json").output)["channels"]
    assert (row["sales"], row["refunds"], row["fees"], row["other"], row["fee_rate"]) == \
        ("100.00", "100.00", "3.20", "0.00", "0.0320")


def test_refund_rate_takes_a_failed_refund_off_the_refunds(merchant):
    # The refund of 03-12 stood until it failed on 03-16, which takes it off the refunds
    # (not 200.00 refunded of 100.00, with the failure read as a sale); the one of 03-17
    # is the only refund of its week, whose days sold nothing. (The report, in UTC, stops
    # at 20:00 on 03-17 in New York: the week to 03-17 is judged once the report of the
    # next UTC day brings the rest of that day.)
    write_files(merchant, {"next/balance_change_from_activity.csv": "\n".join([HEADER, ",".join(
        f'"{c}"' for c in ("txn_A5", "2026-03-18 15:00:00", "2026-03-18 15:00:00", "usd", "1.00", "0.33", "0.67",
                           "charge", "ch_A5", "Order #2002 by b@example.com"))]) + "\n"})
    assert beanclear(merchant, "import", str(merchant / "next")).exit_code == 0
    rates = [(f["date"], f["message"], f["refs"]) for f in findings(merchant) if f["code"] == "refund-rate"]
    assert rates == [
        ("2026-03-12", "refunds 100.00 USD over sales 100.00 USD in the 7 days to 2026-03-15: 100.0%, above the "
         "limit of 10%; first above it in the 7 days to 2026-03-12", ["txn_A2", "2001", "re_A1"]),
        ("2026-03-17", "refunds 100.00 USD over sales 0.00 USD in the 7 days to 2026-03-17: no sales, above the "
         "limit of 10%", ["txn_A2", "2001", "re_A1", "txn_A4", "re_A2", "txn_A3"])]   # the failure: part of the figure
    assert [f["code"] for f in findings(merchant) if f["code"] != "refund-rate"] == []


def test_a_refund_the_shop_made_that_failed_at_the_channel_is_unsynced(tmp_path):
    # Not refunded again: the shop says refunded, the channel's refund came back. Not a
    # second payment of the order (a duplicate-charge the refund returned), as it was read.
    later = ("txn_A9", "2026-03-25", "-1.00", "0.00", "-1.00", "fee", "", "Billing")   # statements reach 03-25
    found = findings(imported(tmp_path, True, ROWS[:3] + [later]))
    assert [(f["code"], f["message"]) for f in found if f["code"] != "refund-rate"] == [
        ("refund-unsynced", "order #2001: the shop refunded 100.00 USD, the channels 0.00 USD")]
