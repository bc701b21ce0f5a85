"""fee-gap, refund-rate and refund-surge over small inline ledgers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear import reconcile

CONFIG = """\
channels:
  wechat:
    type: wechat
    settlement_days: 400
    fees:
      - {method: CREDIT, rate: 0.01}
      - {rate: 0.006, min: 0.01, max: 50}
checks:
  refund-rate: {max: 0.10, days: 7}
"""
OPENS = """\
2000-01-01 open Assets:Clearing:WeChat
2000-01-01 open Income:Sales:WeChat
2000-01-01 open Expenses:Fees:WeChat
2000-01-01 open Expenses:Discounts:WeChat
"""


def sale(day, gross, fee, ident, method="CFT", rate="0.60%", discount="0"):
    gross, fee, discount = Decimal(gross), Decimal(fee), Decimal(discount)
    return (f'\n{day} * "Order {ident}"\n  id: "{ident}"\n  method: "{method}"\n  fee-rate: "{rate}"\n'
            f"  Assets:Clearing:WeChat  {gross - discount - fee} CNY\n  Expenses:Fees:WeChat  {fee} CNY\n"
            f"  Expenses:Discounts:WeChat  {discount} CNY\n  Income:Sales:WeChat  -{gross} CNY\n")


def refund(day, amount, ident):
    return (f'\n{day} * "Refund {ident}"\n  id: "{ident}"\n  refund-of: "S-{ident}"\n'
            f"  Assets:Clearing:WeChat  -{amount} CNY\n  Income:Sales:WeChat  {amount} CNY\n")


@pytest.fixture
def check(tmp_path):
    path = tmp_path / "config.yaml"

    def run(doc, config=CONFIG, code=None):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(OPENS + doc)
        assert not errors, errors
        found = reconcile.find(entries, config_mod.load(path))
        return [f for f in found if code is None or f.code == code]
    return run


def test_fee_above_contract(check):
    [gap] = check(sale("2026-03-01", "100.00", "1.00", "T1"), code="fee-gap")
    assert (gap.amount, gap.expected, gap.actual, gap.refs) == (Decimal("0.40"), Decimal("0.60"), Decimal("1.00"), ("T1",))
    assert gap.message == "fee 1.00 CNY on 100.00 CNY, contract 0.6% min 0.01 max 50 = 0.60 CNY"


@pytest.mark.parametrize("gross, fee", [("100.00", "0.60"), ("6.00", "0.04"), ("1.00", "0.01"), ("10000.00", "50.00")])
def test_fee_on_contract_rounds_half_up_within_min_and_max(check, gross, fee):
    assert check(sale("2026-03-01", gross, fee, "T1"), code="fee-gap") == []


def test_rule_per_payment_method_first_match_wins(check):
    assert check(sale("2026-03-01", "100.00", "1.00", "T1", method="CREDIT", rate="1.00%"), code="fee-gap") == []
    [gap] = check(sale("2026-03-01", "100.00", "0.60", "T1", method="CREDIT", rate="1.00%"), code="fee-gap")
    assert gap.expected == Decimal("1.00")


def test_fee_base_is_the_settled_amount_after_merchant_discount(check):
    assert check(sale("2026-03-01", "100.00", "0.54", "T1", discount="10.00"), code="fee-gap") == []


def test_stated_rate_above_contract_on_small_tickets_is_reported_per_day(check):
    # 0.80% of 1.00 rounds to 0.01, the contract's minimum: no single row shows the gap.
    doc = "".join(sale("2026-03-01", "1.00", "0.01", f"T{i}", rate="0.80%") for i in range(5))
    assert check(doc, code="fee-gap") == []  # 5 x 0.002 = 0.01: within tolerance
    doc = "".join(sale("2026-03-01", "40.00", "0.24", f"T{i}", rate="0.80%") for i in range(10))
    [gap] = check(doc, code="fee-gap")
    assert gap.amount == Decimal("0.8000") and "10 payment(s) of 2026-03-01 billed at 0.80%" in gap.message
    assert len(gap.refs) == 10


def test_refund_rate_above_limit_is_one_finding_per_episode(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-05", "60.00", "R1") + refund("2026-03-06", "30.00", "R2")
    [found] = check(doc, code="refund-rate")
    assert found.date == dt.date(2026, 3, 6) and set(found.refs) == {"R1", "S-R1", "R2", "S-R2"}
    assert found.amount == Decimal("30.00")  # 90 refunded against 10% of 600 sold
    assert "refunds 90.00 CNY over sales 600.00 CNY in the 7 days to 2026-03-06: 15.0%" in found.message


def test_refund_rate_within_limit(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-05", "40.00", "R1")  # 40 of 500 sold in the window: 8%
    assert check(doc, code="refund-rate") == []


def test_refund_surge_far_above_the_usual(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "1000.00", "6.00", f"S{d}") for d in range(1, 31))
    doc += "".join(refund(f"2026-03-{d:02d}", "20.00", f"R{d}") for d in range(1, 29, 2))
    quiet = check(doc, code="refund-surge")
    assert quiet == []
    [surge] = check(doc + refund("2026-03-30", "400.00", "BIG"), code="refund-surge")
    assert surge.date == dt.date(2026, 3, 30) and surge.refs == ("BIG", "S-BIG")


def test_refund_surge_needs_a_real_amount(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 12))
    assert check(doc + refund("2026-03-11", "40.00", "R1"), code="refund-surge") == []  # below min_amount
