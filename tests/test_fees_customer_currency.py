"""fee-gap of a charge the customer paid in another currency than the channel settles
(blind24 subscriptions): Stripe settles in USD a charge the customer paid in EUR
(`customer-amount: "79.00 EUR"`) and charges its surcharge for cards from abroad and
currency conversion on it. Its statements state no method, so a rule's `currency:` is
how the contract states that surcharge: `[{rate: 0.054, fixed: 0.30, currency: EUR},
{rate: 0.029, fixed: 0.30}]`. The EUR rule never applied (the payment was matched by
the currency it settled in, USD), and every EUR-paid charge was a fee-gap against
2.9% + 0.30 (47 in three months). A payment is matched to the rules by the currency its
customer paid where a rule of the channel names it, else by the one it settled in; the
fee and its base stay in the settlement currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile

CONFIG = """\
currency: USD
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 400
    fees:
      - {rate: 0.054, fixed: 0.30, currency: EUR}
      - {rate: 0.029, fixed: 0.30}
checks:
  refund-rate: {severity: off}
  fx-gap: {severity: off}
"""
GENERAL_ONLY = CONFIG.replace("      - {rate: 0.054, fixed: 0.30, currency: EUR}\n", "")
OPENS = """\
2000-01-01 open Assets:Clearing:Stripe
2000-01-01 open Income:Sales:Stripe
2000-01-01 open Expenses:Fees:Stripe
2000-01-01 open Expenses:Discounts:WeChat
2000-01-01 open Assets:Clearing:WeChat
2000-01-01 open Income:Sales:WeChat
2000-01-01 open Expenses:Fees:WeChat
"""


def charge(ident, gross, fee, paid=None, day="2026-01-05"):
    """A Stripe charge settled as `gross` USD less `fee`; `paid`: what the customer paid
    in another currency ("79.00 EUR"), as the importers write it."""
    gross, fee = Decimal(gross), Decimal(fee)
    meta = f'  customer-amount: "{paid}"\n' if paid else ""
    return (f'\n{day} * "Invoice {ident}"\n  id: "txn_{ident}"\n  stripe-category: "charge"\n{meta}'
            f"  Assets:Clearing:Stripe  {gross - fee} USD\n  Expenses:Fees:Stripe  {fee} USD\n"
            f"  Income:Sales:Stripe  -{gross} USD\n")


@pytest.fixture
def check(tmp_path):
    path = tmp_path / "config.yaml"

    def run(doc, config=CONFIG, code="fee-gap"):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(OPENS + doc)
        assert not errors, errors
        return [f for f in reconcile.find(entries, config_mod.load(path)) if code is None or f.code == code]
    return run


def test_a_charge_paid_in_eur_is_judged_by_the_eur_rule(check):
    # 84.99 USD × 5.4% + 0.30 = 4.89: on the contract (it was a fee-gap of 2.13 against 2.9% + 0.30)
    assert check(charge("2", "84.99", "4.89", "79.00 EUR")) == []
    # the repro's two charges together: the USD one on the general rule
    assert check(charge("1", "29.00", "1.14") + charge("2", "84.99", "4.89", "79.00 EUR")) == []


def test_a_charge_paid_in_eur_above_the_eur_rule_is_a_fee_gap_of_it(check):
    [gap] = check(charge("2", "84.99", "5.89", "79.00 EUR"))
    assert (gap.amount, gap.currency, gap.expected, gap.actual, gap.refs) == (
        Decimal("1.00"), "USD", Decimal("4.89"), Decimal("5.89"), ("txn_2",))
    assert gap.message == ("fee 5.89 USD on 84.99 USD (paid as 79.00 EUR), contract 5.4% + 0.30 = 4.89 USD")


def test_a_charge_paid_in_usd_keeps_the_general_rule(check):
    assert check(charge("1", "29.00", "1.14")) == []
    # charged the EUR surcharge on a USD card: still a fee-gap against 2.9% + 0.30
    [gap] = check(charge("1", "29.00", "1.87"))
    assert (gap.expected, gap.actual) == (Decimal("1.14"), Decimal("1.87"))
    assert gap.message == "fee 1.87 USD on 29.00 USD, contract 2.9% + 0.30 = 1.14 USD"


def test_a_currency_no_rule_names_is_matched_by_the_settlement_currency(check):
    # paid in GBP: no rule names GBP, so the general rule, as before
    assert check(charge("3", "100.00", "3.20", "79.00 GBP")) == []
    [gap] = check(charge("3", "100.00", "5.70", "79.00 GBP"))
    assert gap.expected == Decimal("3.20")
    # a customer-amount in the settlement currency (the legacy payments export writes one
    # for every charge, `"120.00 usd"`) is what was settled: the general rule
    assert check(charge("4", "120.00", "3.78", "120.00 usd")) == []


def test_a_channel_without_currency_rules_is_unchanged(check):
    # the EUR-paid charge is judged by the one rule there is, as before
    assert check(charge("2", "84.99", "2.76", "79.00 EUR"), config=GENERAL_ONLY) == []
    [gap] = check(charge("2", "84.99", "4.89", "79.00 EUR"), config=GENERAL_ONLY)
    assert (gap.amount, gap.expected) == (Decimal("2.13"), Decimal("2.76"))


def test_a_rule_of_the_settlement_currency_still_fits_charges_paid_in_others(check):
    # a EUR account whose one rule names EUR (tests/test_stripe_fx.py's contract): a
    # charge paid in USD settles in EUR, and no rule names USD, so the EUR rule judges it
    eur = ("currency: EUR\nchannels:\n  stripe:\n    type: stripe\n    currency: EUR\n    settlement_days: 400\n"
           "    fees:\n      - {currency: EUR, rate: 0.014, fixed: 0.25}\nchecks:\n  fx-gap: {severity: off}\n")
    doc = charge("5", "100.00", "1.65", "108.00 USD").replace(" USD\n", " EUR\n")
    assert check(doc, config=eur) == []
    assert check(doc, config=eur, code="statement-gap") == []


def test_a_rule_only_for_eur_paid_charges_is_no_rule_that_fits_none(check):
    """A contract of the surcharge alone (no general rule): the EUR-paid charges are judged
    by it, the USD ones by none. The rule fits payments of the books (customers pay in
    EUR), so no statement-gap says it fits none of them."""
    only = CONFIG.replace("      - {rate: 0.029, fixed: 0.30}\n", "")
    doc = charge("1", "29.00", "1.14") + charge("2", "84.99", "5.89", "79.00 EUR")
    [gap] = check(doc, config=only)
    assert gap.refs == ("txn_2",)
    assert check(doc, config=only, code="statement-gap") == []
    # no charge paid in EUR: the rule fits none of them, said once as before
    [said] = check(charge("1", "29.00", "1.14"), config=only, code="statement-gap")
    assert said.message.startswith("channels.stripe.fees[0] (currency: EUR) fits none of the 1 payment(s) of "
                                   "stripe, which are in USD")


def test_a_fee_charged_on_a_refund_of_a_eur_paid_charge_is_still_a_fee_gap(check):
    refund = ('\n2026-01-20 * "Refund of Invoice 2"\n  id: "txn_R2"\n  refund-of: "txn_2"\n'
              '  stripe-category: "refund"\n  customer-amount: "-79.00 EUR"\n'
              "  Assets:Clearing:Stripe  -85.39 USD\n  Expenses:Fees:Stripe  0.40 USD\n"
              "  Income:Sales:Stripe  84.99 USD\n")
    [gap] = check(charge("2", "84.99", "4.89", "79.00 EUR") + refund)
    assert (gap.refs[0], gap.actual, gap.expected) == ("txn_R2", Decimal("0.40"), Decimal("0"))
    assert "contract 5.4% + 0.30 prices payments" in gap.message


def test_a_wechat_channel_is_unchanged(check):
    wechat = ("channels:\n  wechat:\n    type: wechat\n    settlement_days: 400\n    fees:\n"
              "      - {rate: 0.01, currency: USD}\n      - {rate: 0.006, min: 0.01}\n")
    sale = ('\n2026-03-01 * "Order 1"\n  id: "4200001"\n  method: "OTHERS"\n'
            "  Assets:Clearing:WeChat  99.00 CNY\n  Expenses:Fees:WeChat  1.00 CNY\n  Income:Sales:WeChat  -100.00 CNY\n")
    [gap] = check(sale, config=wechat)
    assert gap.message == "fee 1.00 CNY on 100.00 CNY, contract 0.6% min 0.01 = 0.60 CNY"
    assert check(sale.replace("99.00", "99.40").replace("1.00 CNY", "0.60 CNY"), config=wechat) == []


STRIPE_CSV = (
    '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category",'
    '"description","source_id","customer_facing_amount","customer_facing_currency"\n'
    '"txn_A1","2026-01-05 15:00:00","2026-01-07 00:00:00","usd","29.00","1.14","27.86","charge",'
    '"Subscription cus_0001 - Invoice INV-1","ch_A1","29.00","usd"\n'
    '"txn_A2","2026-01-05 16:00:00","2026-01-07 00:00:00","usd","84.99","4.89","80.10","charge",'
    '"Subscription cus_0002 - Invoice INV-2","ch_A2","79.00","eur"\n')
MERCHANT = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe:
    type: stripe
    settlement_days: 30
    fees:
      - {rate: 0.054, fixed: 0.30, currency: EUR}
      - {rate: 0.029, fixed: 0.30}
checks:
  fx-gap: {severity: off}
"""


def test_the_tester_s_merchant_checks_clean_and_a_rule_of_a_currency_no_payment_is_in_is_noted(tmp_path):
    """blind24's repro: the EUR rule judges the charge paid in EUR (check exit 0). Its GBP
    twin, a currency in which no payment of the books was settled or paid (README: "a
    rule that could never apply"), was accepted without a word while the general rule
    judged every payment: `check` notes it, naming the rule, and fails nothing (no
    finding: GBP customers may come). A rule of a currency the customers pay in
    (customer-amount) is never noted."""
    import json

    from conftest import beanclear
    (tmp_path / "config.yaml").write_text(MERCHANT, encoding="utf-8")
    (tmp_path / "balance_change_2026-01.csv").write_text(STRIPE_CSV, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "balance_change_2026-01.csv")).exit_code == 0
    checked = beanclear(tmp_path, "check")
    assert (checked.exit_code, checked.output) == (0, "0 errors, 0 warnings, 0 acknowledged\n")
    assert set(json.loads(beanclear(tmp_path, "check", "--format", "json").output)) == {"findings", "summary"}

    (tmp_path / "config.yaml").write_text(MERCHANT.replace("currency: EUR", "currency: GBP"), encoding="utf-8")
    checked = beanclear(tmp_path, "check")
    assert checked.exit_code == 1   # the EUR-paid charge: a fee-gap against 2.9% + 0.30, as the contract says
    note = ("note    channels.stripe.fees[0] (currency: GBP) judges none of the 2 payment(s) of stripe: none was "
            "settled or paid by its customer in GBP (they are in USD); the other rules judge them all")
    assert note in checked.output.splitlines()
    assert "1 error, 0 warnings, 0 acknowledged" in checked.output
    report = json.loads(beanclear(tmp_path, "check", "--format", "json").output)
    assert report["notes"] == [note.split(None, 1)[1]]
    assert [f["code"] for f in report["findings"]] == ["fee-gap"]


def test_a_rule_of_a_currency_no_payment_is_in_is_noted_not_found(tmp_path):
    from beanclear.checks import checking
    path = tmp_path / "config.yaml"

    def notes(doc, config=CONFIG):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(OPENS + doc)
        assert not errors, errors
        report = checking.report(entries, [], config_mod.load(path))
        return report.notes, [f.code for f in report.findings]

    usd = charge("1", "29.00", "1.14")
    gbp = CONFIG.replace("currency: EUR", "currency: GBP")
    said, codes = notes(usd, gbp)
    assert said == ("channels.stripe.fees[0] (currency: GBP) judges none of the 1 payment(s) of stripe: none was "
                    "settled or paid by its customer in GBP (they are in USD); the other rules judge them all",)
    assert codes == []
    # must not fire: a customer paid in GBP (customer-amount), or in EUR for the EUR rule
    assert notes(usd + charge("3", "100.00", "5.70", "79.00 GBP"), gbp) == ((), [])
    assert notes(usd + charge("2", "84.99", "4.89", "79.00 EUR")) == ((), [])
    # nor where no payment is in the books, nor with fee-gap off
    assert notes("", gbp) == ((), [])
    assert notes(usd, gbp + "  fee-gap: {severity: off}\n") == ((), [])
    # nor for a rule whose method no payment states (no credit-card payment this month is
    # no gap: README), nor twice where the statement-gap already names the rule
    only = CONFIG.replace("      - {rate: 0.029, fixed: 0.30}\n", "")
    assert notes(usd, only) == ((), ["statement-gap"])
    # two of them: one note of the channel naming both
    two = gbp.replace("      - {rate: 0.029", "      - {rate: 0.04, currency: JPY}\n      - {rate: 0.029")
    said, _ = notes(usd, two)
    assert said == ("channels.stripe.fees[0] (currency: GBP) and channels.stripe.fees[1] (currency: JPY) judge none "
                    "of the 1 payment(s) of stripe: none was settled or paid by its customer in "
                    "GBP or JPY (they are in USD); the other rules judge them all",)


def test_a_stripe_findings_refs_name_the_charge_as_its_dashboard_does(check, tmp_path):
    # blind23 yearend2: `ack fee-gap ch_…` was refused, the finding naming only the
    # balance transaction (txn_…); DESIGN §5: every id of the lines involved
    doc = charge("9", "100.00", "9.00").replace('  id: "txn_9"\n', '  id: "txn_9"\n  source-id: "ch_9"\n')
    [gap] = check(doc, config=GENERAL_ONLY)
    assert gap.refs == ("txn_9", "ch_9")


def test_a_channel_without_a_contract_is_noted_its_fees_unchecked(tmp_path):
    # blind32 newcomer3: init leaves `fees:` to write, and `check` never said that fee-gap
    # judged nothing of the channel (a 1.00% fee on a 0.60% contract unseen)
    from beanclear.checks import checking
    path = tmp_path / "config.yaml"

    def notes(config):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(OPENS + charge("1", "29.00", "1.14"))
        assert not errors, errors
        return checking.report(entries, [], config_mod.load(path)).notes

    bare = CONFIG.replace("    fees:\n      - {rate: 0.054, fixed: 0.30, currency: EUR}\n      - {rate: 0.029, fixed: 0.30}\n", "")
    assert notes(bare) == ("stripe: no fees: in config.yaml, so its fees are not checked (fee-gap judges none of its "
                           "payments): write its contract as channels.stripe.fees (a rule such as `- rate: 0.006`)",)
    # must not fire: a contract written; fee-gap turned off; a channel with no payments
    assert notes(GENERAL_ONLY) == ()
    assert notes(bare.replace("  fx-gap: {severity: off}", "  fx-gap: {severity: off}\n  fee-gap: {severity: off}")) == ()
    assert notes(bare.replace("channels:\n", "channels:\n  paypal: {type: paypal, currency: USD, fees: [{rate: 0.03}]}\n")
                 ) == notes(bare)
