"""Stripe charges the customer pays in one currency and Stripe settles in another: each
export that says what the customer paid books it alike (`customer-amount`, and the
rate it implies as `fx-rate`/`fx-pair` for the fx-gap check), signed as the money moved,
whichever Stripe file (the itemized report, the API's balance transactions, an object
with its balance transaction expanded) says it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beanclear.importers import stripe_api
from channel_util import run

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe:
    type: stripe
    currency: EUR
    settlement_days: 30
    fees:
      - {currency: EUR, rate: 0.014, fixed: 0.25}
shops:
  shop: {type: shopify, order_days: 3}
checks:
  fx-gap: {severity: warning, tolerance_bps: 100}
"""
T1 = 1772528520   # 2026-03-03 09:02 UTC
T2 = 1772701320   # 2026-03-05 09:02 UTC


def _bt(ident, created, amount, fee, source, description, category="charge", rate=None):
    return {"id": ident, "object": "balance_transaction", "amount": amount, "available_on": created + 172800,
            "created": created, "currency": "eur", "description": description, "exchange_rate": rate, "fee": fee,
            "fee_details": [{"amount": fee, "currency": "eur", "description": "Stripe processing fees",
                             "type": "stripe_fee"}] if fee else [],
            "net": amount - fee, "reporting_category": category, "source": source, "status": "available",
            "type": category}


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def _read(tmp_path, cfg, doc):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return {e.meta["id"]: e for e in run(stripe_api, cfg, "stripe", path).entries}


def test_a_refund_s_customer_amount_is_negative_from_the_api_as_in_the_report(tmp_path, cfg):
    # The itemized report writes a refund's customer_facing_amount negative, as its gross;
    # the API's refund object says its amount positive: booked so, the refund read as a
    # charge converted again, its fx-gap's direction backwards
    refund = {"id": "re_1Dir3", "object": "refund", "amount": 5000, "currency": "gbp", "status": "succeeded"}
    doc = {"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": [
        _bt("txn_1Dir3", T2, -5938, 0, refund, "REFUND FOR CHARGE (Order #3002)", "refund", 1.1876)]}
    entry = _read(tmp_path, cfg, doc)["txn_1Dir3"]
    assert (entry.meta["customer-amount"], entry.meta["fx-pair"]) == ("-50.00 GBP", "GBP/EUR")
    # and a source in the settled currency says nothing more: a payout's, a refund's
    same = {"id": "re_1Same", "object": "refund", "amount": 1000, "currency": "eur", "status": "succeeded"}
    doc["data"] = [_bt("txn_1Same", T2, -1000, 0, same, "REFUND FOR CHARGE (Order #3003)", "refund")]
    assert "customer-amount" not in _read(tmp_path, cfg, doc)["txn_1Same"].meta
