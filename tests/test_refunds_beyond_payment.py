"""A channel cannot give back more than it took for one payment: the refunds naming a
payment that give back more are one `refund-unsynced` of the excess, shop or no shop
(checks/refunded_beyond.py). Blind30: a WeChat payment of 60.00 refunded 40.00 twice
was booked silently. And what must stay as it was: refunds adding up to the payment, a
refund whose payment is not in the books, a conversion at another rate, a chargeback
beside a refund, a failed refund given back, the order check's finding of the same cause."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile
from conftest import beanclear
from test_shop_journey import CONFIG as WITH_SHOP, shop_export, trade_bill

CONFIG = WITH_SHOP.split("    shop: teashop\n")[0]   # the same WeChat channel, no shop


def merchant(tmp_path, rows, config=CONFIG, orders=None):
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    trade_bill(tmp_path / "statements", rows)
    if orders:
        shop_export(tmp_path / "statements", orders)
    result = beanclear(tmp_path, "import", str(tmp_path / "statements"))
    assert result.exit_code == 0, result.output
    return [f for f in json.loads(beanclear(tmp_path, "check", "--format", "json").output)["findings"]
            if f["code"] == "refund-unsynced"]


PAID = ("02", "4200001001", "1001", "60.00")
LATER = ("10", "4200001009", "1009", "10.00")   # the last statement day: the orders' deadlines have passed


def refund(day, refund_id, amount, paid="4200001001", order="1001"):
    return {"day": day, "trade_id": paid, "order_id": order, "amount": "0.00", "status": "REFUND",
            "refund_id": refund_id, "refund": amount}


def test_a_payment_refunded_twice_beyond_what_it_took_is_one_refund_unsynced_of_the_excess(tmp_path):
    [found] = merchant(tmp_path, [PAID, refund("03", "5030001", "40.00"), refund("04", "5030002", "40.00"), LATER])
    assert (found["date"], found["source"], Decimal(found["amount"]), found["currency"], found["severity"]) == (
        "2026-03-04", "wechat", Decimal("20.00"), "CNY", "error")
    assert found["refs"][:1] == ["4200001001"] and {"5030001", "5030002"} <= set(found["refs"])
    assert found["message"] == (
        "payment 4200001001 of 60.00 CNY on 2026-03-02 was refunded 80.00 CNY (5030001 40.00 on 2026-03-03, "
        "5030002 40.00 on 2026-03-04), 20.00 CNY more than it took: a refund booked twice, or one of another payment")


def test_refunds_adding_up_to_the_payment_are_no_finding(tmp_path):
    assert merchant(tmp_path, [PAID, refund("03", "5030001", "20.00"), refund("04", "5030002", "40.00"), LATER]) == []


def test_a_refund_whose_payment_is_not_in_the_books_is_not_judged_here(tmp_path):
    # its payment's statement not imported: a refund of 80.00 of an unknown payment
    assert merchant(tmp_path, [refund("03", "5030001", "80.00", paid="4200000999"), LATER]) == []


def test_with_a_shop_refunding_once_the_channels_second_refund_is_the_orders_one_finding(tmp_path):
    # the shop refunded 40.00, the channel 40.00 twice of a payment of 60.00: the order
    # check says the channel refunded 40.00 beyond the shop; the 20.00 beyond the payment
    # is the same cause, not a second finding
    orders = [("1001", "02", "60.00", "40.00", "partially_refunded"), ("1009", "10", "10.00", "0.00", "paid")]
    rows = [PAID, refund("03", "5030001", "40.00"), refund("04", "5030002", "40.00"), LATER]
    [found] = merchant(tmp_path, rows, WITH_SHOP, orders)
    assert (found["source"], Decimal(found["amount"])) == ("teashop", Decimal("40.00"))
    assert found["message"] == "order #1001: the shop refunded 40.00 CNY, the channels 80.00 CNY"


def test_with_a_shop_before_its_order_days_neither_says_it_yet(tmp_path):
    # the order check waits order_days after the last refund; this waits with it
    orders = [("1001", "02", "60.00", "40.00", "partially_refunded")]
    rows = [PAID, refund("03", "5030001", "40.00"), refund("04", "5030002", "40.00")]
    assert merchant(tmp_path, rows, WITH_SHOP, orders) == []


# -- inline ledgers: what no trade bill here writes -------------------------------------------

STRIPE = """\
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 400}
checks:
  refund-rate: {severity: off}
"""
OPENS = """\
2000-01-01 open Assets:Clearing:Stripe
2000-01-01 open Income:Sales:Stripe
2000-01-01 open Expenses:Fees:Stripe
2000-01-01 open Expenses:Chargebacks:Stripe
"""


def charge(gross="100.00", customer=""):
    said = f'  customer-amount: "{customer}"\n' if customer else ""
    return (f'\n2026-03-01 * "Charge ch_1"\n  id: "txn_1"\n  source-id: "ch_1"\n{said}'
            f"  Assets:Clearing:Stripe  {gross} USD\n  Income:Sales:Stripe  -{gross} USD\n")


def refunded(ident, day, gross, customer="", named='charge-id: "ch_1"', account="Income:Sales:Stripe"):
    said = f'  customer-amount: "{customer}"\n' if customer else ""
    return (f'\n2026-03-{day} * "Refund {ident}"\n  id: "txn_{ident}"\n  source-id: "{ident}"\n  {named}\n{said}'
            f"  Assets:Clearing:Stripe  -{gross} USD\n  {account}  {gross} USD\n")


@pytest.fixture
def found(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(STRIPE, encoding="utf-8")

    def run(*parts):
        entries, errors, _ = loader.load_string(OPENS + "".join(parts))
        assert not errors, errors
        return [(f.code, f.date.isoformat(), f.amount, f.currency, f.refs)
                for f in reconcile.find(entries, config_mod.load(path)) if f.code == "refund-unsynced"]
    return run


def test_a_stripe_refund_names_its_charge_by_charge_id(found):
    assert found(charge(), refunded("re_1", "02", "60.00"), refunded("re_2", "03", "60.00")) == [
        ("refund-unsynced", "2026-03-03", Decimal("20.00"), "USD", ("ch_1", "txn_1", "txn_re_1", "re_1", "txn_re_2", "re_2"))]


def test_a_conversion_at_another_rate_is_compared_in_what_the_customer_paid(found):
    # 90.00 EUR settled as 100.00 USD, given back whole as 104.00 USD at a later rate
    assert found(charge(customer="90.00 EUR"), refunded("re_1", "05", "104.00", "-90.00 EUR")) == []
    # given back 95.00 EUR of 90.00: 5.00 EUR beyond it, whatever the dollars
    assert found(charge(customer="90.00 EUR"), refunded("re_1", "05", "99.00", "-95.00 EUR")) == [
        ("refund-unsynced", "2026-03-05", Decimal("5.00"), "EUR", ("ch_1", "txn_1", "txn_re_1", "re_1"))]


def test_a_chargeback_beside_a_refund_gives_no_sale_back(found):
    assert found(charge(), refunded("re_1", "02", "40.00"),
                 refunded("dp_1", "04", "100.00", account="Expenses:Chargebacks:Stripe")) == []


def test_a_failed_refund_given_back_is_a_refund_less(found):
    failed = ('\n2026-03-04 * "Refund failure"\n  id: "txn_f"\n  source-id: "re_2"\n  refund-failed: "re_2"\n'
              "  Assets:Clearing:Stripe  60.00 USD\n  Income:Sales:Stripe  -60.00 USD\n")
    assert found(charge(), refunded("re_1", "02", "60.00"), refunded("re_2", "03", "60.00"), failed) == []


def test_a_refund_named_by_refund_of_and_partial_refunds_of_exactly_the_payment(found):
    parts = [charge(), refunded("re_1", "02", "30.00", named='refund-of: "ch_1"'),
             refunded("re_2", "03", "70.00", named='refund-of: "ch_1"')]
    assert found(*parts) == []
    assert [f[2] for f in found(*parts, refunded("re_3", "04", "0.01", named='refund-of: "ch_1"'))] == [
        Decimal("0.01")]


def test_a_stripe_balance_history_refund_names_its_charge_as_its_source(found):
    # the legacy export's refund row has the charge as its Source (the itemized report's
    # source_id is the refund's own re_…, read above by its charge_id)
    def legacy(txn, day, gross):
        return (f'\n2026-03-{day} * "REFUND FOR CHARGE"\n  id: "{txn}"\n  stripe-category: "refund"\n'
                f'  source-id: "ch_1"\n  Assets:Clearing:Stripe  -{gross} USD\n  Income:Sales:Stripe  {gross} USD\n')
    assert found(charge(), legacy("txn_r1", "02", "60.00"), legacy("txn_r2", "03", "40.00")) == []
    assert found(charge(), legacy("txn_r1", "02", "60.00"), legacy("txn_r2", "03", "60.00")) == [
        ("refund-unsynced", "2026-03-03", Decimal("20.00"), "USD", ("ch_1", "txn_1", "txn_r1", "txn_r2"))]
