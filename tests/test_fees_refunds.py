"""fee-gap, refund-rate and refund-surge over small inline ledgers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile

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
    assert gap.message == "fee 1.00 CNY on 100.00 CNY, contract 0.6% min 0.01 max 50.00 = 0.60 CNY"


def test_a_fee_gap_booked_by_the_fund_view_names_the_trade_id(check):
    """Alipay's account bill books a payment by its own row id and keeps the trade's
    (`trade-id:`): the finding names both, so whichever view booked it, the trade id
    finds it (`beanclear ack fee-gap <trade id>`)."""
    doc = sale("2026-03-01", "100.00", "1.00", "F1").replace('  id: "F1"\n', '  id: "F1"\n  trade-id: "T1"\n')
    [gap] = check(doc, code="fee-gap")
    assert gap.refs == ("F1", "T1")


def test_a_fee_gap_of_a_fee_on_its_own_line_names_that_line_too(check):
    """blind8: a fund view books the fee as a line of its own (Alipay's 收费 row, WeChat's
    扣除交易手续费): the finding names its ids beside the sale's (DESIGN §5: every id of the
    statement lines involved), Alipay's 账务流水号 and WeChat's 资金流水单号 (`fund-id`)."""
    alipay = ('\n2026-03-01 * "在线支付"\n  id: "400000000002"\n  covers: "T002"\n  trade-id: "T002"\n'
              '  order-id: "O002"\n  Income:Sales:WeChat  -100.00 CNY\n  Assets:Clearing:WeChat  100.00 CNY\n'
              '\n2026-03-02 * "收费"\n  id: "400000000004"\n  covers: "fee T002"\n  trade-id: "T002"\n'
              '  order-id: "O002"\n  fee-of: "T002"\n  Expenses:Fees:WeChat  0.70 CNY\n'
              '  Assets:Clearing:WeChat  -0.70 CNY\n')
    [gap] = check(alipay, code="fee-gap")
    assert (gap.actual, gap.refs) == (Decimal("0.70"), ("400000000002", "T002", "O002", "400000000004"))
    wechat = ('\n2026-03-01 * "交易 WO2"\n  id: "4200002"\n  fund-id: "8000000002"\n  order-id: "WO2"\n'
              '  Assets:Clearing:WeChat  100.00 CNY\n  Income:Sales:WeChat  -100.00 CNY\n'
              '\n2026-03-02 * "扣除交易手续费 WO2"\n  id: "fee 4200002"\n  fund-id: "8000000004"\n'
              '  fee-of: "4200002"\n  order-id: "WO2"\n  Assets:Clearing:WeChat  -0.67 CNY\n'
              '  Expenses:Fees:WeChat  0.67 CNY\n')
    [gap] = check(wechat, code="fee-gap")
    assert gap.refs == ("4200002", "WO2", "8000000002", "fee 4200002", "8000000004")
    assert gap.line == 6   # the sale's line: the payment the contract is of


@pytest.mark.parametrize("gross, fee", [("100.00", "0.60"), ("6.00", "0.04"), ("1.00", "0.01"), ("10000.00", "50.00")])
def test_fee_on_contract_rounds_half_up_within_min_and_max(check, gross, fee):
    assert check(sale("2026-03-01", gross, fee, "T1"), code="fee-gap") == []


def test_rule_per_payment_method_first_match_wins(check):
    assert check(sale("2026-03-01", "100.00", "1.00", "T1", method="CREDIT", rate="1.00%"), code="fee-gap") == []
    [gap] = check(sale("2026-03-01", "100.00", "0.60", "T1", method="CREDIT", rate="1.00%"), code="fee-gap")
    assert gap.expected == Decimal("1.00")


def test_a_method_rule_no_payment_states_is_said_once(check):
    """blind8: WeChat's method is the 付款银行 of its trade bill (OTHERS), not its 交易类型
    (NATIVE): a rule of NATIVE fitted none of the payments, and judged none of them, in
    silence. One statement-gap of the channel says so, with the methods they state."""
    native = CONFIG.replace("- {method: CREDIT, rate: 0.01}\n      - {rate: 0.006, min: 0.01, max: 50}",
                            "- {method: NATIVE, rate: 0.006}")
    doc = "".join(sale(f"2026-03-0{d}", "100.00", "1.00", f"T{d}", method="OTHERS") for d in range(1, 6))
    assert check(doc, config=native, code="fee-gap") == []
    [said] = check(doc, config=native, code="statement-gap")
    assert (said.source, said.account, said.date, said.refs) == ("wechat", "Expenses:Fees:WeChat",
                                                                 dt.date(2026, 3, 1), ("T1",))
    assert said.message.startswith(
        "channels.wechat.fees[0] (method: NATIVE) fits none of the 5 payment(s) of wechat, which state OTHERS (a "
        "wechat payment's method is its 交易账单's 付款银行")
    assert said.message.endswith("; 5 of them, from 2026-03-01 to 2026-03-05, fit no rule: their fees are not "
                                 "judged")
    # a general rule after it judges them: a method none of these payments had (no
    # credit-card payment this month) is no gap, and a wrong method shows as fee-gaps
    assert check(doc, code="statement-gap") == []
    assert len(check(doc, code="fee-gap")) == 5
    # one payment of the method: the rule applies, nothing to say
    assert check(doc + sale("2026-03-06", "100.00", "1.00", "T6", method="CREDIT", rate="1.00%"),
                 code="statement-gap") == []
    # no payment of the channel at all: nothing to say either
    assert check("", config=native, code="statement-gap") == []
    # fee-gap switched off: the fees are not wanted judged
    assert check(doc, config=native + "  fee-gap: {severity: off}\n", code="statement-gap") == []


def test_a_method_rule_of_payments_that_state_none_says_so(check):
    # WeChat's fund bill (资金账单) states no 付款银行: its payments have no method
    native = CONFIG.replace("- {method: CREDIT, rate: 0.01}\n      - {rate: 0.006, min: 0.01, max: 50}",
                            "- {method: OTHERS, rate: 0.006}")
    doc = "".join(sale(f"2026-03-0{d}", "100.00", "1.00", f"T{d}").replace('  method: "CFT"\n', "")
                  for d in range(1, 3))
    [said] = check(doc, config=native, code="statement-gap")
    assert "fits none of the 2 payment(s) of wechat, which state none (a wechat payment's" in said.message


def test_a_rule_of_a_currency_no_payment_is_in_is_said_once(check):
    """blind19 misconfig: an Alipay contract written in USD on a channel whose payments are
    all CNY fitted none, and judged none of them, in silence (a fee 1 % over the
    contract went unsaid, check exit 0). One statement-gap of the channel says so."""
    usd = CONFIG.replace("- {method: CREDIT, rate: 0.01}\n      - {rate: 0.006, min: 0.01, max: 50}",
                         "- {rate: 0.006, currency: USD}")
    doc = "".join(sale(f"2026-03-0{d}", "100.00", "1.00", f"T{d}") for d in range(1, 4))
    assert check(doc, config=usd, code="fee-gap") == []
    [said] = check(doc, config=usd, code="statement-gap")
    assert said.message == ("channels.wechat.fees[0] (currency: USD) fits none of the 3 payment(s) of wechat, which "
                            "are in CNY; 3 of them, from 2026-03-01 to 2026-03-03, fit no rule: their fees are not "
                            "judged")
    # must not fire: a rule of a currency beside one that judges the CNY payments (a USD
    # contract of the same account for payments that come later) says nothing
    both = CONFIG.replace("- {method: CREDIT, rate: 0.01}\n      - {rate: 0.006, min: 0.01, max: 50}",
                          "- {rate: 0.006, currency: USD}\n      - {rate: 0.006, min: 0.01, max: 50}")
    assert check(doc, config=both, code="statement-gap") == []
    assert len(check(doc, config=both, code="fee-gap")) == 3


def test_fee_base_is_the_settled_amount_after_merchant_discount(check):
    assert check(sale("2026-03-01", "100.00", "0.54", "T1", discount="10.00"), code="fee-gap") == []


def test_stated_rate_above_contract_on_small_tickets_is_reported_per_day(check):
    # 0.80% of 1.00 rounds to 0.01, the contract's minimum: no single row shows the gap.
    doc = "".join(sale("2026-03-01", "1.00", "0.01", f"T{i}", rate="0.80%") for i in range(5))
    assert check(doc, code="fee-gap") == []  # 5 x 0.002 = 0.01: within tolerance
    doc = "".join(sale("2026-03-01", "40.00", "0.24", f"T{i}", rate="0.80%") for i in range(10))
    doc += "".join(sale("2026-03-02", "40.00", "0.24", f"U{i}") for i in range(11))  # most on the contract's rate
    [gap] = check(doc, code="fee-gap")
    assert gap.amount == Decimal("0.8000") and "10 payment(s) of 2026-03-01 billed at 0.80%" in gap.message
    assert len(gap.refs) == 10


def test_most_payments_off_the_contract_are_one_finding_of_the_channel(check):
    # A contract that changed (or a config written from the wrong one): one cause, one
    # finding, with the rate charged, not one per payment.
    off = [sale(f"2026-03-{d:02d}", "100.00", "1.00", f"T{d}", rate="1.00%") for d in range(1, 11)]
    [gap] = check("".join(off), code="fee-gap")
    # blind8: its refs were the first payment's, its expected and actual none: every payment
    # it counts, and the contract's fees and the fees charged of them, summed
    assert (gap.amount, gap.date) == (Decimal("4.00"), dt.date(2026, 3, 1))
    assert gap.refs == tuple(f"T{d}" for d in range(1, 11))
    assert (gap.expected, gap.actual) == (Decimal("6.00"), Decimal("10.00"))
    assert json.loads(json.dumps(gap.to_json()))["expected"] == "6.00"
    assert gap.message == ("10 of 10 payments were charged other fees than the contract 0.6% min 0.01 max 50.00, "
                           "about 1.00% (the median): 4.00 CNY over the contract in all; if the contract changed, "
                           "set channels.wechat.fees (the old rule until: the day before it changed, the new one "
                           "since: that day)")
    assert len(check("".join(off[:9]), code="fee-gap")) == 9          # fewer than ten: each its own
    # fewer than half: each its own. Interleaved a day at a time, the eleventh on the contract
    # among them: ten off after one on the contract (or before it) were a run of half of
    # those since (or until) then, a contract that changed (test_fee_contract_change)
    on = [sale(f"2026-03-{d:02d}", "100.00", "0.60", f"U{d}") for d in (*range(1, 11), 5)]
    assert len(check("".join(off + on), code="fee-gap")) == 10


def test_a_rate_written_as_a_percent_is_said_so(check):
    """blind19 misconfig: `rate: 0.6` meant as 0.6 % (60 % of each payment, under the 1 the
    config refuses): the one finding of the channel said the contract may have changed;
    the fees charged are the rule's rate read as a percent, and it says to write 0.006."""
    percent = CONFIG.replace("- {method: CREDIT, rate: 0.01}\n      - {rate: 0.006, min: 0.01, max: 50}",
                             "- {rate: 0.6}")
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"T{d}") for d in range(1, 11))
    [gap] = check(doc, config=percent, code="fee-gap")
    assert gap.message.endswith("about 0.60% (the median): 594.00 CNY under the contract in all; the contract's "
                                "rate is written as a percent: a rate is a fraction of the payment, write "
                                "channels.wechat.fees rate: 0.006"), gap.message


def test_the_channel_finding_of_many_payments_names_the_first_twenty_and_says_how_many_more(check):
    off = [sale(f"2026-03-{d:02d}", "100.00", "1.00", f"T{d:02d}", rate="1.00%") for d in range(1, 26)]
    [gap] = check("".join(off), code="fee-gap")
    assert gap.refs == tuple(f"T{d:02d}" for d in range(1, 21))
    assert (gap.expected, gap.actual, gap.amount) == (Decimal("15.00"), Decimal("25.00"), Decimal("10.00"))
    assert gap.message.endswith("; its refs name the first 20 of the 25 payments (5 left out)")


def test_the_channel_finding_sums_the_fees_in_the_currency(check):
    yen = CONFIG.replace("type: wechat", "type: wechat\n    currency: JPY")
    off = [sale(f"2026-03-{d:02d}", "4580", "200", f"T{d}", rate="4.37%").replace(" CNY", " JPY")
           for d in range(1, 11)]
    [gap] = check("".join(off), config=yen, code="fee-gap")
    assert (gap.expected, gap.actual) == (Decimal("270"), Decimal("2000"))   # 0.6% of ¥4,580 is ¥27
    assert gap.to_json()["expected"] == "270"


def test_refund_rate_above_limit_is_one_finding_per_episode(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-05", "60.00", "R1") + refund("2026-03-06", "30.00", "R2")
    [found] = check(doc, code="refund-rate")
    # dated where it began (60 of 500 in the week to 03-05), said by its worst window
    assert found.date == dt.date(2026, 3, 5) and set(found.refs) == {"R1", "S-R1", "R2", "S-R2"}
    assert found.amount == Decimal("30.00")  # 90 refunded against 10% of 600 sold
    assert "refunds 90.00 CNY over sales 600.00 CNY in the 7 days to 2026-03-06: 15.0%, above the limit of 10%; " \
        "first above it in the 7 days to 2026-03-05" in found.message


def test_refund_rate_within_limit(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-05", "40.00", "R1")  # 40 of 500 sold in the window: 8%
    assert check(doc, code="refund-rate") == []


def test_a_refund_rate_window_before_the_first_statement_is_not_judged(check):
    # The channel's statements start 03-05, the bank's 03-01: a window to 03-05 holds one
    # day of the channel's sales, not seven (seed 31909 without its first Stripe download:
    # a day's refunds over a day's sales). Where the books start with them, it started
    # selling then: the days it has are all there is.
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(5, 15))
    doc += refund("2026-03-05", "30.00", "R1")   # 30% of the day, 4.3% of its week
    assert [f.date for f in check(doc, code="refund-rate")] == [dt.date(2026, 3, 5)]   # no coverage: as before
    covered = '\n2026-03-14 custom "beanclear-coverage" "wechat" 2026-03-05\n'
    assert [f.date for f in check(doc + covered, code="refund-rate")] == [dt.date(2026, 3, 5)]
    bank = '\n2026-03-14 custom "beanclear-coverage" "bank" 2026-03-01\n'
    assert check(doc + covered + bank, code="refund-rate") == []


def test_a_refund_rate_window_over_days_no_statement_covers_is_not_judged(check):
    # No statement of the channel covers 03-05 to 03-08: a window over them lacks their
    # sales (seed 32725 without a page of its Stripe listing). The windows after it judge.
    days = [d for d in range(1, 21) if not 5 <= d <= 8]
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in days)
    doc += refund("2026-03-10", "40.00", "R1")   # 40 of 300 in the window to 03-10; of 700 in any after it
    assert [f.date for f in check(doc, code="refund-rate")] == [dt.date(2026, 3, 10)]   # no coverage: as before
    covered = ('\n2026-03-04 custom "beanclear-coverage" "wechat" 2026-03-01\n'
               '2026-03-20 custom "beanclear-coverage" "wechat" 2026-03-09\n')
    assert check(doc + covered, code="refund-rate") == []


def month_of_refunds(every=2, amount="20.00"):
    """March 2026: a sale a day, and a refund every `every` days up to the 28th."""
    doc = "".join(sale(f"2026-03-{d:02d}", "1000.00", "6.00", f"S{d}") for d in range(1, 31))
    return doc + "".join(refund(f"2026-03-{d:02d}", amount, f"R{d}") for d in range(1, 29, every))


def day_of_refunds(day, count, amount):
    return "".join(refund(day, amount, f"D{i}") for i in range(count))


def test_refund_surge_is_a_day_of_several_refunds_far_above_the_usual(check):
    doc = month_of_refunds()  # 14 refunds of 20.00 in 28 days: 0.5 a day, 10.00 a day
    [surge] = check(doc + day_of_refunds("2026-03-29", 6, "30.00"), code="refund-surge")
    assert surge.date == dt.date(2026, 3, 29) and len(surge.refs) == 12
    assert (surge.amount, surge.expected, surge.actual) == (Decimal("170.00"), Decimal("10.00"), Decimal("180.00"))
    assert surge.message == ("6 refunds of 180.00 CNY on 2026-03-29 against a usual 0.5 refunds and 10.00 CNY "
                             "a day over the previous 28 days")


def test_one_refund_after_quiet_days_is_not_a_surge(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "1000.00", "6.00", f"S{d}") for d in range(1, 31))
    assert check(doc + refund("2026-03-30", "298.00", "BIG"), code="refund-surge") == []
    assert check(month_of_refunds() + refund("2026-03-30", "400.00", "BIG"), code="refund-surge") == []


def test_a_normal_day_of_two_refunds_is_not_a_surge(check):
    assert check(month_of_refunds() + day_of_refunds("2026-03-30", 2, "90.00"), code="refund-surge") == []


def test_a_surge_needs_more_than_the_usual_count_and_a_real_amount(check):
    busy = month_of_refunds(every=1)  # a refund every day: 3 on one day is not 3 times the usual
    assert check(busy + day_of_refunds("2026-03-29", 3, "90.00"), code="refund-surge") == []
    small = day_of_refunds("2026-03-30", 4, "20.00")  # 80.00: below min_amount
    assert check(month_of_refunds(every=7) + small, code="refund-surge") == []
    lower = CONFIG + "  refund-surge: {min_count: 2, min_amount: 50}\n"
    assert len(check(month_of_refunds(every=7) + small, config=lower, code="refund-surge")) == 1


def given_back(day, amount, ident, undoes, key="refund-failed"):
    """A refund that failed, its money given back (Stripe's refund_failure), or with
    `payment-failed` a payment that failed, its money taken back (charge_failure)."""
    back = Decimal(amount) if key == "refund-failed" else -Decimal(amount)   # into clearing
    return (f'\n{day} * "Failure {ident}"\n  id: "{ident}"\n  {key}: "{undoes}"\n'
            f"  Assets:Clearing:WeChat  {back} CNY\n  Income:Sales:WeChat  {-back} CNY\n")


def test_failed_refunds_given_back_on_a_day_are_taken_off_its_refunds(check):
    # 6 refunds of 30.00 surge over a usual 10.00 a day; three refunds failing that day
    # give 90.00 back: 90.00 refunded, 80.00 over the usual, below min_amount. No sale
    # either: no fee owed on them.
    failed = "".join(given_back("2026-03-29", "30.00", f"F{d}", f"R{d}") for d in (1, 3, 5))
    doc = month_of_refunds() + day_of_refunds("2026-03-29", 6, "30.00") + failed
    assert check(doc, code="refund-surge") == [] and check(doc, code="fee-gap") == []


def test_a_failed_payment_taken_back_is_a_sale_less_not_a_refund(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += given_back("2026-03-05", "100.00", "X5", "S5", key="payment-failed")   # 100 of 500 sold, were it a refund
    assert check(doc, code="refund-rate") == []
    [rate] = check(doc + refund("2026-03-06", "60.00", "R1"), code="refund-rate")
    assert "refunds 60.00 CNY over sales 500.00 CNY" in rate.message   # 600 sold in the window, 100 of it failed


def test_refund_surge_needs_a_week_of_history(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 5))
    assert check(doc + day_of_refunds("2026-03-04", 5, "90.00"), code="refund-surge") == []


def test_ratio_derived_amounts_are_rounded_to_the_currency(check, tmp_path):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 4))
    doc += refund("2026-03-03", "100.00", "R1")
    [found] = check(doc, config=CONFIG.replace("max: 0.10", "max: 0.1234567"), code="refund-rate")
    assert found.amount == Decimal("62.96") and str(found.expected) == "37.04"  # 300 x 0.1234567 = 37.03701
    assert found.to_json()["expected"] == "37.04" and found.to_json()["amount"] == "62.96"
    assert "refunds 100.00 CNY over sales 300.00 CNY" in found.message
    from beanclear.checks.checking import Report
    report = Report([found])
    assert " 62.96 CNY: refunds 100.00 CNY" in report.to_text() and '"amount": "62.96"' in report.to_json()


@pytest.mark.parametrize("message, currency, amount, expected", [
    ("refunds of 298.0000000000000000000000001 CNY against 1,234.5678 CNY", "CNY", "0.125",
     "refunds of 298.00 CNY against 1,234.57 CNY"),
    ("payout of 1,000.00 JPY, 0.6% min 0.01 max 50 of 10.4 JPY", "JPY", "10.5", "payout of 1,000 JPY, 0.6% min 0.01 max 50 of 10 JPY"),
    ("fee 1.2345 KWD", "KWD", "0.0005", "fee 1.235 KWD"),
])
def test_findings_round_amounts_and_message_money_to_the_currency(message, currency, amount, expected):
    from beanclear.checks.findings import Finding
    found = Finding("fee-gap", dt.date(2026, 3, 1), "wechat", "Income:Sales:WeChat", Decimal(amount), currency, message)
    assert found.message == expected
    assert found.amount == Decimal(amount).quantize(Decimal(1).scaleb(-{"CNY": 2, "JPY": 0, "KWD": 3}[currency]),
                                                    rounding="ROUND_HALF_UP")


def test_exchange_rates_of_an_fx_gap_are_not_rounded():
    from beanclear.checks.findings import Finding
    found = Finding("fx-gap", dt.date(2026, 3, 1), "paypal", "Assets:Clearing:PayPal", Decimal("7.3412"), "CNY",
                    "USD→CNY at 7.05, reference 7.1234", expected=Decimal("7.1234"), actual=Decimal("7.0500"))
    assert (found.amount, found.expected, found.actual) == (Decimal("7.34"), Decimal("7.1234"), Decimal("7.0500"))


def test_a_refund_window_over_days_after_the_statements_end_is_not_judged(check):
    # The channel's statements end 03-10 (the next days' fetch failed); a refund of 03-14
    # booked from its webhook is over the sales of three covered days: the days after the
    # end hold sales no statement brought yet (blind4: refund-rate 46.5% beside the
    # statement-gap). A refund-surge of a day no statement covers alike; its usual is of
    # the days before it that they cover, at least 7 of them (blind30: not the days of a hole).
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 11))
    doc += refund("2026-03-14", "80.00", "R1")
    assert [f.date for f in check(doc, code="refund-rate")] == [dt.date(2026, 3, 14)]   # no coverage: as before
    ended = '\n2026-03-10 custom "beanclear-coverage" "wechat" 2026-03-01\n'
    assert check(doc + ended, code="refund-rate") == []
    through = '\n2026-03-14 custom "beanclear-coverage" "wechat" 2026-03-01\n'
    assert [f.date for f in check(doc + through, code="refund-rate")] == [dt.date(2026, 3, 14)]
    surge = month_of_refunds() + day_of_refunds("2026-03-30", 6, "30.00")
    assert [f.date for f in check(surge, code="refund-surge")] == [dt.date(2026, 3, 30)]   # no coverage: as before
    assert check(surge + '\n2026-03-29 custom "beanclear-coverage" "wechat" 2026-03-01\n', code="refund-surge") == []
    holed = ('\n2026-03-10 custom "beanclear-coverage" "wechat" 2026-03-01\n'
             '2026-03-30 custom "beanclear-coverage" "wechat" 2026-03-20\n')   # 03-11 to 03-19: none
    [found] = check(surge + holed, code="refund-surge")   # 8 refunds of 20.00 in the 19 days covered
    assert (found.date, found.expected) == (dt.date(2026, 3, 30), Decimal("8.42")), found
    assert found.message.endswith("a day over 19 of the previous 28 days (no statement covers the rest)"), found
    short = ('\n2026-03-02 custom "beanclear-coverage" "wechat" 2026-03-01\n'
             '2026-03-30 custom "beanclear-coverage" "wechat" 2026-03-25\n')   # 6 of the 28 days before it
    assert check(surge + short, code="refund-surge") == []
    whole = '\n2026-03-30 custom "beanclear-coverage" "wechat" 2026-03-01\n'
    assert [f.date for f in check(surge + whole, code="refund-surge")] == [dt.date(2026, 3, 30)]


@pytest.mark.parametrize("tolerance", ["0.01", "2.00"])
def test_most_payments_billed_at_another_stated_rate_are_one_finding_whatever_the_tolerance(check, tolerance):
    """12 payments of 500.00 billed at 0.60% against a contract of 0.38%: each fee is 1.10
    over. A tolerance above that hides no cause: the channel bills another rate, one finding
    (not one per day of the per-day stated-rate findings)."""
    config = (f"channels:\n  wechat:\n    type: wechat\n    settlement_days: 400\n    fees: [{{rate: 0.0038}}]\n"
              f"checks:\n  fee-gap: {{tolerance: {tolerance}}}\n")
    doc = "".join(sale(f"2026-01-{3 + i // 4:02d}", "500.00", "3.00", f"T{i:02d}") for i in range(12))
    [gap] = check(doc, config=config, code="fee-gap")
    assert (gap.amount, gap.date) == (Decimal("13.20"), dt.date(2026, 1, 3))
    assert gap.refs == tuple(f"T{i:02d}" for i in range(12))
    assert (gap.expected, gap.actual) == (Decimal("22.80"), Decimal("36.00"))   # 12 x 1.90, 12 x 3.00
    assert gap.message.startswith("12 of 12 payments were charged other fees than the contract 0.38%, "
                                  "about 0.60% (the median): 13.20 CNY over the contract in all")


DATED = """\
channels:
  wechat:
    type: wechat
    settlement_days: 400
    fees:
      - {rate: 0.006, since: 2026-01-01, until: 2026-03-31}
      - {rate: 0.0038, since: 2026-04-01}
"""


def test_a_payment_is_judged_by_the_fee_rule_in_force_on_its_day(check):
    """The contract went from 0.60% to 0.38% on 1 April: March's fee at 0.60% and April's
    at 0.38% are both on the contract; each at the other's rate is a gap against its own."""
    on = sale("2026-03-31", "500.00", "3.00", "M1") + sale("2026-04-01", "500.00", "1.90", "A1", rate="0.38%")
    assert check(on, config=DATED, code="fee-gap") == []
    off = sale("2026-03-31", "500.00", "1.90", "M1", rate="0.38%") + sale("2026-04-01", "500.00", "3.00", "A1")
    march, april = check(off, config=DATED, code="fee-gap")
    assert (march.refs, march.expected, april.refs, april.expected) == (("M1",), Decimal("3.00"), ("A1",), Decimal("1.90"))
    assert "contract 0.6% = 3.00 CNY" in march.message and "contract 0.38% = 1.90 CNY" in april.message


def test_a_payment_no_fee_rule_is_in_force_for_is_not_judged(check):
    assert check(sale("2025-12-31", "500.00", "9.00", "D1"), config=DATED, code="fee-gap") == []


def test_undated_rules_apply_on_every_day_as_before(check):
    doc = sale("2000-01-01", "100.00", "1.00", "T1") + sale("2999-12-31", "100.00", "1.00", "T2")
    assert [g.refs for g in check(doc, code="fee-gap")] == [("T1",), ("T2",)]


YEN_STRIPE = """\
books: books
currency: JPY
timezone: Asia/Tokyo
channels:
  stripe:
    type: stripe
    currency: JPY
    settlement_days: 30
    fees:
      - rate: 0.036
        fixed: 0
"""
STRIPE_HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
                 '"reporting_category","source_id","description"')


def test_a_yen_fee_is_judged_against_the_contract_in_whole_yen(tmp_path):
    """A yen fee can only be whole yen: 3.6% of ¥4,580 is ¥164.88, charged ¥165, on the
    contract. Compared unrounded, every yen payment missed it by ¥0.12 and the one real
    overcharge (¥398 on ¥7,960 where ¥287 is owed) hid in "12 of 12 payments were
    charged other fees" (blind 119). The contract's fee is rounded to the currency
    (DESIGN §5), half up, and the message says the figure compared."""
    from conftest import beanclear
    (tmp_path / "config.yaml").write_text(YEN_STRIPE, encoding="utf-8")
    rows = [(4580, 165), (2360, 85), (3980, 143), (1880, 68), (12800, 461), (5400, 194), (7960, 398), (3080, 111),
            (2480, 89), (1480, 53), (6580, 237), (9240, 333)]
    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "balance_change_from_activity.itemized.csv").write_text(STRIPE_HEADER + "\n" + "".join(
        f'"txn_R{200 + i}AAAAAAAAAAAAAAAAAAAA","2026-01-{5 + i:02d} 03:00:00","2026-01-{7 + i:02d} 03:00:00","jpy",'
        f'"{gross}","{fee}","{gross - fee}","charge","ch_R{200 + i}","Order #{2000 + i}"\n'
        for i, (gross, fee) in enumerate(rows)), encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "statements")).exit_code == 0
    result = beanclear(tmp_path, "check", "--format", "json")
    [gap] = [f for f in json.loads(result.output)["findings"] if f["code"] == "fee-gap"]
    assert (gap["refs"][0], gap["amount"], gap["expected"], gap["actual"]) == ("txn_R206AAAAAAAAAAAAAAAAAAAA", "111",
                                                                             "287", "398")
    assert gap["message"] == "fee 398 JPY on 7,960 JPY, contract 3.6% = 287 JPY"


def yen_sale(day, gross, fee, ident):
    return (f'\n{day} * "Order {ident}"\n  id: "{ident}"\n  Assets:Clearing:WeChat  {gross - fee} JPY\n'
            f"  Expenses:Fees:WeChat  {fee} JPY\n  Income:Sales:WeChat  -{gross} JPY\n")


@pytest.mark.parametrize("gross, fee, found", [
    (4580, 165, None),     # 164.88: half up
    (2375, 86, None),      # 85.5: half up
    (2375, 85, None),      # 85.5 rounded half to even, or down: the channel's rounding, not a gap
    (4580, 164, None),     # 164.88 cut to the yen (円未満切り捨て)
    (2500, 90, None),      # 90 exactly
    (2500, 91, "1"),       # a yen over a whole contract fee is no rounding
    (4580, 166, "1"),      # past the yen above 164.88
    (4580, 163, "2"),
])
def test_a_fee_the_channel_rounded_either_way_is_on_the_contract(check, gross, fee, found):
    """The contract's fee in whole yen, half up; a fee the channel rounded the other way
    (down, or a half to even) differs by the one yen rounding makes, which is no gap,
    whatever the tolerance. A 2-decimal currency is judged as before: a cent either
    way of its half-up fee is within the default tolerance of 0.01."""
    config = "channels:\n  wechat:\n    type: wechat\n    settlement_days: 400\n    fees: [{rate: 0.036}]\n"
    gaps = check(yen_sale("2026-03-01", gross, fee, "Y1"), config=config, code="fee-gap")
    assert [str(g.amount) for g in gaps] == ([found] if found else [])


def forint_sale(channel: str, gross: str, fee: str, currency: str = "HUF") -> str:
    """A sale of `gross` with its fee, opening the channel's default accounts."""
    name = {"paypal": "PayPal", "stripe": "Stripe"}[channel]
    opens = "".join(f"2000-01-01 open {a}:{name}\n" for a in ("Assets:Clearing", "Income:Sales", "Expenses:Fees"))
    net = Decimal(gross) - Decimal(fee)
    return (f'{opens}\n2026-03-10 * "Order 1"\n  id: "P1"\n  Expenses:Fees:{name}  {fee} {currency}\n'
            f"  Income:Sales:{name}  -{gross} {currency}\n  Assets:Clearing:{name}  {net} {currency}\n")


def forint_contract(channel: str, currency: str = "HUF") -> str:
    return (f"channels:\n  {channel}:\n    type: {channel}\n    currency: {currency}\n    settlement_days: 400\n"
            f"    fees: [{{rate: 0.036, fixed: 90, currency: {currency}}}]\n")


@pytest.mark.parametrize("currency, fee, found", [
    ("HUF", "126", None),    # 3.6% + 90 of 990 is 125.64: 126 forints, half up
    ("HUF", "125", None),    # cut to the forint: the channel's rounding, not a gap
    ("TWD", "126", None),
    ("HUF", "128", "2"),     # must fire: 2 forints over
    ("TWD", "127", "1"),
])
def test_a_paypal_fee_in_forints_or_taiwan_dollars_is_judged_in_whole_units(check, currency, fee, found):
    """blind24 rounding: PayPal holds HUF and TWD whole (README, the paypal importer), so
    its fee of 126 HUF on 990 HUF is the contract's 125.64 rounded half up to the forint,
    not a fee-gap of 0.36 HUF, a fraction of a forint a write-off would book; the message
    says whole forints."""
    gaps = check(forint_sale("paypal", "990", fee, currency), config=forint_contract("paypal", currency),
                 code="fee-gap")
    assert [str(g.amount.normalize()) for g in gaps] == ([found] if found else [])
    if found == "2":
        assert gaps[0].message == "fee 128 HUF on 990 HUF, contract 3.6% + 90 = 126 HUF"
        assert (gaps[0].expected, gaps[0].actual) == (Decimal("126"), Decimal("128"))


def test_a_forint_fee_of_another_channel_keeps_the_forint_s_two_places(check):
    # must fire as before: Stripe keeps HUF at two decimals, so 126.00 on 990.00 is 0.36 over 125.64
    [gap] = check(forint_sale("stripe", "990.00", "126.00"), config=forint_contract("stripe"), code="fee-gap")
    assert (gap.amount, gap.expected) == (Decimal("0.36"), Decimal("125.64"))
    assert gap.message == "fee 126.00 HUF on 990.00 HUF, contract 3.6% + 90.00 = 125.64 HUF"


def test_a_persons_own_summary_entry_is_not_judged_by_the_fee_contract(check):
    """The contract is per payment of a statement: a month of payments a person summed by
    hand (no `id:`, as no statement wrote it; fees rounded per payment) is no payment,
    and its fee is not the contract's on the sum. The imported payment is still judged."""
    summary = ('\n2025-11-30 * "WeChat Pay" "sales 2025-11 (monthly summary)"\n'
               "  Assets:Clearing:WeChat  21997.02 CNY\n  Expenses:Fees:WeChat  132.98 CNY\n"
               "  Income:Sales:WeChat  -22130.00 CNY\n")
    [gap] = check(summary + sale("2026-01-14", "306.00", "9.18", "T2105"), code="fee-gap")
    assert gap.refs == ("T2105",)


def dipped():
    """blind10: one refund of 45.00 on 03-03 is above 10% of the week to 03-03 (400.00
    sold), below it in the weeks to 03-04..03-07 (460.00), above it again in those to
    03-08 and 03-09 as the sales of 03-01 and 03-02 leave the window (270.00, 170.00)."""
    doc = "".join(sale(f"2026-03-{d:02d}", gross, "0.60", f"S{d}")
                  for d, gross in ((1, "200.00"), (2, "100.00"), (3, "100.00"), (4, "60.00"), (8, "10.00"),
                                   (14, "500.00")))
    return doc + refund("2026-03-03", "45.00", "R1")


def test_one_refund_above_the_limit_in_windows_a_dip_apart_is_one_finding(check):
    # The run of windows above the limit split in two by the dip was two findings naming
    # the one refund: one cause, one finding, said by the worst window of both runs,
    # dated where it began.
    [found] = check(dipped(), code="refund-rate")
    assert found.date == dt.date(2026, 3, 3) and set(found.refs) == {"R1", "S-R1"}
    assert found.amount == Decimal("28.00")   # 45 refunded against 10% of 170 sold
    assert "refunds 45.00 CNY over sales 170.00 CNY in the 7 days to 2026-03-09: 26.5%" in found.message


def test_an_episode_names_the_refunds_of_its_worst_window_first_then_the_rest(check):
    # R1 is above the limit in the week to 03-03 (35 of 300), below in the next; with R2
    # the week to 03-08 is above again (95 of 700), R1 still in it: one episode, whose
    # worst window, the last of the weeks to 03-10..03-14 (R2 and R3, 110 of 700), no
    # longer holds R1. Its message and first refs are that window's; R1 is named too
    # (an acknowledgment of the finding of 03-03 still holds).
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-03", "35.00", "R1") + refund("2026-03-08", "60.00", "R2")
    doc += refund("2026-03-10", "50.00", "R3")
    [found] = check(doc, code="refund-rate")
    assert found.date == dt.date(2026, 3, 3) and found.refs == ("R2", "S-R2", "R3", "S-R3", "R1", "S-R1")
    assert "refunds 110.00 CNY over sales 700.00 CNY in the 7 days to 2026-03-14: 15.7%" in found.message


def test_an_ack_of_the_refund_rate_made_before_the_dip_still_holds_after_it(check):
    early = "".join(sale(f"2026-03-{d:02d}", gross, "0.60", f"S{d}")
                    for d, gross in ((1, "200.00"), (2, "100.00"), (3, "100.00"), (4, "60.00")))
    early += refund("2026-03-03", "45.00", "R1")
    [before] = check(early, code="refund-rate")
    assert before.date == dt.date(2026, 3, 3) and "R1" in before.refs
    ack = '\n2026-03-05 custom "beanclear-ack" "refund-rate" "R1" "a damaged parcel, refunded in full"\n'
    found = check(dipped() + ack)
    # (and it keeps its date: a month closed on it still lists it)
    assert [(f.date, f.acknowledged) for f in found if f.code == "refund-rate"] == [(dt.date(2026, 3, 3), True)]
    assert not [f for f in found if f.code == "stale-ack"]


def test_a_refund_in_windows_below_the_limit_after_an_episode_is_not_named_by_it(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-03", "35.00", "R1")   # 35 of 300 in the week to 03-03, of 400 in the next
    doc += refund("2026-03-05", "3.00", "R2")    # 38 of 500: below, in every window after
    [found] = check(doc, code="refund-rate")
    assert found.date == dt.date(2026, 3, 3) and set(found.refs) == {"R1", "S-R1"}


def test_refunds_of_separate_episodes_stay_separate_findings(check):
    # Weeks apart, and a dip apart with no refund in common: each new refund is its own cause.
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 31))
    doc += refund("2026-03-05", "80.00", "R1") + refund("2026-03-13", "80.00", "R2")
    doc += refund("2026-03-27", "80.00", "R3")
    found = check(doc, code="refund-rate")
    assert [sorted(f.refs) for f in found] == [["R1", "S-R1"], ["R2", "S-R2"], ["R3", "S-R3"]]


def test_a_refund_given_back_joins_no_later_episode_to_its_own(check):
    # R1 above the limit, given back the next day (the customer's bank refused it); R2 is
    # a new refund, in a window that still holds R1's day but not R1: another cause.
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 15))
    doc += refund("2026-03-03", "50.00", "R1") + given_back("2026-03-04", "50.00", "F1", "R1")
    doc += refund("2026-03-06", "70.00", "R2")   # 70 of 600 in the week to 03-06
    found = check(doc, code="refund-rate")
    assert [f.date for f in found] == [dt.date(2026, 3, 3), dt.date(2026, 3, 6)]
    assert "R2" not in found[0].refs and "R2" in found[1].refs


def test_a_refund_rate_just_above_the_limit_says_a_rate_above_it(check):
    # 70.01 of 700.00 was "10.0%, above the limit of 10%" (blind10).
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 8))
    [found] = check(doc + refund("2026-03-07", "70.01", "R1"), code="refund-rate")
    assert "refunds 70.01 CNY over sales 700.00 CNY in the 7 days to 2026-03-07: 10.001%, above the limit of 10%" \
        in found.message
    [found] = check(doc + refund("2026-03-07", "70.30", "R1"), code="refund-rate")
    assert ": 10.04%, above the limit of 10%" in found.message   # 10.042...: no more places than it takes
    [found] = check(doc + refund("2026-03-07", "84.00", "R1"), code="refund-rate")
    assert ": 12.0%, above the limit of 10%" in found.message   # as before
    [found] = check(doc + refund("2026-03-07", "88.20", "R1"), config=CONFIG.replace("max: 0.10", "max: 0.125"),
                    code="refund-rate")
    assert ": 12.6%, above the limit of 12.5%" in found.message   # the limit as the config says, not "12%"


def test_a_refund_rate_exactly_at_the_limit_is_no_finding(check):
    doc = "".join(sale(f"2026-03-{d:02d}", "100.00", "0.60", f"S{d}") for d in range(1, 8))
    assert check(doc + refund("2026-03-07", "70.00", "R1"), code="refund-rate") == []
