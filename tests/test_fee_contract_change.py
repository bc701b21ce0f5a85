"""fee-gap: a contract that changed part-way through the books' history (blind13 multiyear).

Stripe went from 2.9% + 0.30 to 2.7% + 0.30 on 2025-07-01; the month was imported
before the config said so. "Half of those checked" was counted over the channel's whole
history, so a merchant with a year of payments on the old rule behind the change got one
fee-gap per payment after it, and never the one finding of the channel with the rate
charged and the dated rules to write."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile

CONFIG = """\
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 400
    fees:
      - {rate: 0.029, fixed: 0.30}
"""
DATED = CONFIG.replace("      - {rate: 0.029, fixed: 0.30}\n",
                       "      - {rate: 0.029, fixed: 0.30, until: 2025-01-31}\n"
                       "      - {rate: 0.027, fixed: 0.30, since: 2025-02-01}\n")
OPENS = """\
2000-01-01 open Assets:Clearing:Stripe
2000-01-01 open Income:Sales:Stripe
2000-01-01 open Expenses:Fees:Stripe
"""
GROSS = ("89.00", "23.50", "140.00", "61.25", "310.00", "12.00", "47.90")   # bases that tell a rate from a fixed fee


def fee(gross, rate, fixed="0.30"):
    return (Decimal(gross) * Decimal(rate) + Decimal(fixed)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def sale(day, gross, charged, ident):
    gross = Decimal(gross)
    return (f'\n{day} * "Order {ident}"\n  id: "{ident}"\n'
            f"  Assets:Clearing:Stripe  {gross - charged} USD\n  Expenses:Fees:Stripe  {charged} USD\n"
            f"  Income:Sales:Stripe  -{gross} USD\n")


def month(year_month, days, rate, fixed="0.30", charged=None):
    """A payment a day, its fee at `rate` + `fixed`, but for the days `charged` names."""
    return "".join(sale(f"{year_month}-{d:02d}", GROSS[d % len(GROSS)],
                        (charged or {}).get(d) or fee(GROSS[d % len(GROSS)], rate, fixed), f"{year_month}-{d:02d}")
                   for d in range(1, days + 1))


@pytest.fixture
def check(tmp_path):
    path = tmp_path / "config.yaml"

    def run(doc, config=CONFIG, opens=OPENS):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(opens + doc)
        assert not errors, errors
        return [f for f in reconcile.find(entries, config_mod.load(path)) if f.code == "fee-gap"]
    return run


def test_a_contract_change_after_a_month_on_the_old_rule_is_one_finding_dated_at_the_change(check):
    """The tester's repro-01: January at 2.9% + 0.30, February at 2.7% + 0.30. It was 28
    fee-gaps, one per February payment; February imported alone was the one finding."""
    doc = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.027")
    [gap] = check(doc)
    assert (gap.date, gap.source, gap.account, gap.currency) == (dt.date(2025, 2, 1), "stripe",
                                                                  "Expenses:Fees:Stripe", "USD")
    refs = tuple(f"2025-02-{d:02d}" for d in range(1, 29))
    assert gap.refs == refs[:20]
    expected = sum(fee(GROSS[d % len(GROSS)], "0.029") for d in range(1, 29))
    actual = sum(fee(GROSS[d % len(GROSS)], "0.027") for d in range(1, 29))
    assert (gap.expected, gap.actual, gap.amount) == (expected, actual, expected - actual)
    assert gap.message == (
        f"28 of 28 payments since 2025-02-01 were charged 2.7% + 0.30, not the contract 2.9% + 0.30: "
        f"{expected - actual} USD under the contract in all; if the contract changed on 2025-02-01, set "
        "channels.stripe.fees (the old rule until: 2025-01-31, the new one since: 2025-02-01); its refs name "
        "the first 20 of the 28 payments (8 left out)")


def test_a_year_of_history_behind_the_change_still_gives_the_one_finding(check):
    doc = "".join(month(f"2024-{m:02d}", 28, "0.029") for m in range(1, 13)) + month("2025-01", 12, "0.027")
    [gap] = check(doc)
    assert gap.date == dt.date(2025, 1, 1)
    assert gap.message.startswith("12 of 12 payments since 2025-01-01 were charged 2.7% + 0.30, not the contract")


def test_payments_before_the_change_are_still_judged_one_by_one(check):
    """A real overcharge in January stays its own finding beside the channel's one, and a
    January payment that happens to be charged the new rate does not move the change."""
    jan = month("2025-01", 31, "0.029", charged={7: fee(GROSS[0], "0.029") + 1, 20: fee(GROSS[20 % 7], "0.027")})
    over, stray, change = check(month("2024-12", 31, "0.029") + jan + month("2025-02", 28, "0.027"))
    assert (over.date, over.refs, over.amount) == (dt.date(2025, 1, 7), ("2025-01-07",), Decimal("1.00"))
    assert stray.date == dt.date(2025, 1, 20) and stray.refs == ("2025-01-20",)
    assert change.date == dt.date(2025, 2, 1) and change.message.startswith("28 of 28 payments since 2025-02-01")


def test_the_change_of_the_fixed_fee_is_told_from_a_change_of_the_rate(check):
    doc = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.029", fixed="0.25")
    [gap] = check(doc)
    assert gap.message.startswith("28 of 28 payments since 2025-02-01 were charged 2.9% + 0.25, not the contract")


def test_once_the_dated_rules_are_written_nothing_is_found(check):
    assert check(month("2025-01", 31, "0.029") + month("2025-02", 28, "0.027"), config=DATED) == []


def test_a_handful_of_payments_after_a_change_stay_each_its_own(check):
    found = check(month("2025-01", 31, "0.029") + month("2025-02", 9, "0.027"))
    assert [g.refs for g in found] == [(f"2025-02-{d:02d}",) for d in range(1, 10)]


def test_scattered_overcharges_at_different_rates_stay_each_its_own(check):
    """Twelve real overcharges, each of its own size, among the payments of the last weeks:
    no one rate charged, no contract change."""
    doc = month("2025-01", 31, "0.029")
    tail = "".join(sale(f"2025-02-{d:02d}", "100.00", Decimal("3.20") + Decimal(d) / 10 if d % 2 else Decimal("3.20"),
                        f"F{d:02d}") for d in range(1, 25))
    found = check(doc + tail)
    assert [g.refs for g in found] == [(f"F{d:02d}",) for d in range(1, 25, 2)]


def test_payments_at_the_new_rate_scattered_among_many_on_the_contract_stay_each_its_own(check):
    # ten payments charged the same other rate, but never most of those since the first
    doc = "".join(month(f"2025-{m:02d}", 28, "0.029") for m in range(1, 4))
    doc += "".join(sale(f"2025-{1 + i // 4:02d}-{2 + 7 * (i % 4):02d}", "89.00", fee("89.00", "0.027"), f"N{i}")
                   for i in range(12))
    assert len(check(doc)) == 12


WECHAT = """\
channels:
  wechat:
    type: wechat
    settlement_days: 400
    fees:
      - {method: CREDIT, rate: 0.01}
      - {rate: 0.006, min: 0.01, max: 50}
"""


def wechat_sale(day, gross, charged, ident, rate, method="CFT"):
    return (f'\n{day} * "Order {ident}"\n  id: "{ident}"\n  method: "{method}"\n  fee-rate: "{rate}"\n'
            f"  Assets:Clearing:WeChat  {Decimal(gross) - Decimal(charged)} CNY\n  Expenses:Fees:WeChat  {charged} CNY\n"
            f"  Income:Sales:WeChat  -{gross} CNY\n")


def test_a_stated_rate_that_changed_is_one_finding_of_the_rule_it_changed(check):
    """WeChat's 费率 went from 0.60% to 0.38% on 1 February for the general rule (fees[1]);
    the credit-card payments of the month, on their own rule, do not water it down, and the
    small tickets whose fee is the contract's minimum either way (0.01) but billed at 0.38%
    are folded in, not reported per day."""
    opens = ("2000-01-01 open Assets:Clearing:WeChat\n2000-01-01 open Income:Sales:WeChat\n"
             "2000-01-01 open Expenses:Fees:WeChat\n")
    doc = "".join(wechat_sale(f"2026-01-{d:02d}", "500.00", "3.00", f"J{d}", "0.60%") for d in range(1, 31))
    doc += "".join(wechat_sale(f"2026-02-{d:02d}", "500.00", "1.90", f"F{d}", "0.38%") for d in range(1, 13))
    doc += "".join(wechat_sale(f"2026-02-{d:02d}", "1.00", "0.01", f"S{d}", "0.38%") for d in range(13, 18))
    doc += "".join(wechat_sale(f"2026-02-{d:02d}", "500.00", "5.00", f"C{d}", "1.00%", method="CREDIT")
                   for d in range(1, 28))
    [gap] = check(doc, config=WECHAT, opens=opens)
    assert gap.date == dt.date(2026, 2, 1)
    assert gap.refs == (*(f"F{d}" for d in range(1, 13)), *(f"S{d}" for d in range(13, 18)))
    assert gap.message.startswith(
        "17 of 17 payments since 2026-02-01 were charged 0.38% min 0.01 max 50.00, not the contract 0.6% min 0.01 "
        "max 50.00: ")
    assert gap.message.endswith("if the contract changed on 2026-02-01, set channels.wechat.fees[1] (the old rule "
                                "until: 2026-01-31, the new one since: 2026-02-01)")


def test_a_change_after_most_of_the_history_is_still_dated_at_the_change(check):
    """January on the contract, February and March at 2.7%: most of all the payments miss
    it, and the one finding is still the change's, with the dated rules to write."""
    doc = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.027") + month("2025-03", 31, "0.027")
    [gap] = check(doc)
    assert gap.date == dt.date(2025, 2, 1)
    assert gap.message.startswith("59 of 59 payments since 2025-02-01 were charged 2.7% + 0.30, not the contract")


def test_a_whole_history_off_the_contract_but_a_payment_or_two_keeps_its_finding(check):
    """A config written from another contract: the first payments' fees happen to be the
    contract's (a small ticket at the minimum either way). No change on the third day:
    the channel's finding of the whole history, as before."""
    config = CONFIG.replace("{rate: 0.029, fixed: 0.30}", "{rate: 0.029, fixed: 0.30, min: 0.50}")
    doc = "".join(sale(f"2025-01-0{d}", "1.00", Decimal("0.50"), f"s{d}") for d in (1, 2))
    doc += month("2025-02", 20, "0.027")
    [gap] = check(doc, config=config)
    assert gap.date == dt.date(2025, 2, 1)
    assert gap.message.startswith("20 of 22 payments were charged other fees than the contract 2.9% + 0.30 min 0.50")


# blind16 configchange: the contract went from 0.6% to 0.38% on 1 March and the merchant
# edited the rate in config.yaml to the new one, undated. The payments before the change
# are the run off the contract: with January and February behind three months on the new
# rate they were one fee-gap each (under half of all checked, and _change looked only for
# a run from a day on); with one month less they were the whole history's finding, with
# no dates. Either way: one finding, until the day before the change, with the dated rules.

def test_a_config_edited_to_the_new_rate_gives_one_finding_of_the_payments_before_the_change(check):
    doc = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.029")
    doc += "".join(month(f"2025-{m:02d}", 30, "0.027") for m in (3, 4, 5))
    config = CONFIG.replace("rate: 0.029", "rate: 0.027")
    [gap] = check(doc, config=config)
    assert (gap.date, gap.source, gap.account) == (dt.date(2025, 1, 1), "stripe", "Expenses:Fees:Stripe")
    days = [f"2025-01-{d:02d}" for d in range(1, 32)] + [f"2025-02-{d:02d}" for d in range(1, 29)]
    assert gap.refs == tuple(days[:20])
    grosses = [GROSS[int(day[-2:]) % len(GROSS)] for day in days]
    expected, actual = sum(fee(g, "0.027") for g in grosses), sum(fee(g, "0.029") for g in grosses)
    assert (gap.expected, gap.actual, gap.amount) == (expected, actual, actual - expected)
    assert gap.message == (
        f"59 of 59 payments until 2025-02-28 were charged 2.9% + 0.30, not the contract 2.7% + 0.30: "
        f"{actual - expected} USD over the contract in all; if the contract changed on 2025-03-01, set "
        "channels.stripe.fees (the old rule, 2.9% + 0.30, until: 2025-02-28, the contract's since: 2025-03-01); "
        "its refs name the first 20 of the 59 payments (39 left out)")


def test_the_edited_rate_gives_the_same_one_finding_however_many_months_follow(check):
    """Jan-Feb behind one month on the new rate (most of all payments off the contract)
    or behind five (a small part of them): the same finding, not one per payment."""
    config = CONFIG.replace("rate: 0.029", "rate: 0.027")
    old = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.029")
    for months in (1, 5):
        doc = old + "".join(month(f"2025-{m:02d}", 30, "0.027") for m in range(3, 3 + months))
        [gap] = check(doc, config=config)
        assert gap.message.startswith("59 of 59 payments until 2025-02-28 were charged 2.9% + 0.30, not the contract "
                                      "2.7% + 0.30: ")


def test_an_overcharge_after_the_change_stays_its_own_beside_the_run_before_it(check):
    """The new contract in config: a payment in March charged the old rate is above it
    (its own finding), a January overcharge beyond both rules too, and a February
    payment charged the new rate early is on the contract, counted among those judged."""
    config = CONFIG.replace("rate: 0.029", "rate: 0.027")
    jan = month("2025-01", 31, "0.029", charged={14: fee(GROSS[0], "0.029") + 1})
    feb = month("2025-02", 28, "0.029", charged={20: fee(GROSS[20 % 7], "0.027")})
    mar = month("2025-03", 31, "0.027", charged={9: fee(GROSS[9 % 7], "0.029")})
    found = check(jan + feb + mar + month("2025-04", 30, "0.027") + month("2025-05", 31, "0.027"), config=config)
    run = [g for g in found if len(g.refs) > 1]
    assert [g.refs for g in found if len(g.refs) == 1] == [("2025-01-14",), ("2025-03-09",)]
    [run] = run
    assert run.message.startswith("57 of 59 payments until 2025-02-28 were charged 2.9% + 0.30")


def test_payments_at_the_contract_after_a_run_of_the_old_rate_give_nothing_more(check):
    """The dated rules written: nothing, whichever side the config's undated rule was."""
    dated = CONFIG.replace("      - {rate: 0.029, fixed: 0.30}\n",
                           "      - {rate: 0.029, fixed: 0.30, until: 2025-02-28}\n"
                           "      - {rate: 0.027, fixed: 0.30, since: 2025-03-01}\n")
    doc = month("2025-01", 31, "0.029") + month("2025-02", 28, "0.029") + month("2025-03", 31, "0.027")
    assert check(doc, config=dated) == []
    assert check(month("2025-03", 31, "0.027"), config=CONFIG.replace("rate: 0.029", "rate: 0.027")) == []


def test_a_payment_stated_at_the_new_rate_but_charged_the_old_is_not_counted_as_charged_the_new(check):
    """The old rate in config: WeChat's 费率 says 0.38% on a March payment whose fee is
    0.6% of it (6.00 on 1,000.00). It was counted among those charged 0.38% ("31 of 31");
    the run is the 30 whose fees are 0.38%, of the 31 judged; the one is its own."""
    opens = ("2000-01-01 open Assets:Clearing:WeChat\n2000-01-01 open Income:Sales:WeChat\n"
             "2000-01-01 open Expenses:Fees:WeChat\n")
    config = WECHAT.replace("      - {method: CREDIT, rate: 0.01}\n", "")
    doc = "".join(wechat_sale(f"2026-02-{d:02d}", "500.00", "3.00", f"F{d}", "0.60%") for d in range(1, 29))
    doc += "".join(wechat_sale(f"2026-03-{d:02d}", "500.00", "1.90", f"M{d}", "0.38%") for d in range(1, 31))
    doc += wechat_sale("2026-03-09", "1000.00", "6.00", "M9b", "0.38%")
    change, own = check(doc, config=config, opens=opens)
    assert change.message.startswith("30 of 31 payments since 2026-03-01 were charged 0.38% min 0.01 max 50.00")
    assert "M9b" not in change.refs
    # still its own, the finding of its day: the statement's rate is not the contract's
    assert (own.date, own.refs, own.amount) == (dt.date(2026, 3, 9), ("M9b",), Decimal("2.20"))

