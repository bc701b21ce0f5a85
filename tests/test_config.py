"""config.yaml: defaults, and errors that name the key path and what was expected."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from beanclear import config as config_mod
from beanclear.config import ConfigError
from conftest import REPO


def test_the_example_merchant_loads_with_defaults():
    cfg = config_mod.load(REPO / "config.yaml")
    wechat = cfg.channels["wechat"]
    assert wechat.accounts.clearing == "Assets:Clearing:WeChat"
    assert wechat.accounts.transit == "Assets:Transit:WeChat"
    assert wechat.fees[0].rate == Decimal("0.006") and wechat.fees[0].min == Decimal("0.01")
    assert cfg.books == (REPO / "books").resolve()
    assert cfg.review_threshold == Decimal(500)
    assert "Expenses:Rent" in cfg.accounts()


def test_a_personal_wallets_settlement_days_default_to_what_a_wallet_holds(make_config):
    # blind33 microseller: T+1 on a personal wallet, whose balance its owner withdraws when
    # they like, made a plain seller's first check ~38 `unsettled` errors on normal balances
    cfg = make_config("""\
        channels:
          me: {type: alipay-personal}
          we: {type: wechat-personal}
          jd: {type: jd-personal}
          kept: {type: alipay-personal, settlement_days: 7}
          wechat: {type: wechat}
          stripe: {type: stripe}
        """)
    assert {name: ch.settlement_days for name, ch in cfg.channels.items()} == {
        "me": 60, "we": 60, "jd": 60, "kept": 7, "wechat": 1, "stripe": 1}


def test_account_overrides(make_config):
    cfg = make_config("""\
        channels:
          wechat: {type: wechat, accounts: {sales: Income:Sales:Online}}
        """)
    assert cfg.channels["wechat"].accounts.sales == "Income:Sales:Online"
    assert cfg.channels["wechat"].accounts.fees == "Expenses:Fees:WeChat"


def test_a_channel_pays_each_currency_out_to_its_own_bank(make_config):
    cfg = make_config("""\
        banks:
          sparkasse: {type: camt053, account: Assets:Bank:Sparkasse, currency: EUR}
          chase: {type: ofx, account: Assets:Bank:Chase, currency: USD}
        channels:
          paypal: {type: paypal, bank: [sparkasse, chase]}
          stripe: {type: stripe, bank: chase}
        """)
    paypal = cfg.channels["paypal"]
    assert (paypal.bank, paypal.payout_banks) == ("sparkasse", ("sparkasse", "chase"))
    assert paypal.banks_by_currency(cfg.banks) == {"EUR": "sparkasse", "USD": "chase"}
    assert cfg.channels["stripe"].payout_banks == ("chase",)
    assert paypal.fellow_banks("chase", cfg.banks) == ("chase",)


def test_a_channel_may_name_two_banks_of_one_currency_its_account_moved_between(make_config):
    # BOC closed, its balance moved to CMB: both judge the channel's CNY payouts
    cfg = make_config("""\
        banks:
          boc: {type: boc, account: Assets:Bank:BOC}
          cmb: {type: cmb, account: Assets:Bank:CMB}
        channels:
          wechat: {type: wechat, bank: [boc, cmb]}
        """)
    wechat = cfg.channels["wechat"]
    assert (wechat.bank, wechat.banks_by_currency(cfg.banks)) == ("boc", {"CNY": "boc"})
    assert wechat.fellow_banks("cmb", cfg.banks) == ("boc", "cmb")


@pytest.mark.parametrize("text, message", [
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 0.6%}]}\n",
     'channels.wechat.fees[0].rate: expected a number, got "0.6%"'),
    # taken, then check crashed on it (decimal.InvalidOperation)
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 1e400}]}\n",
     'channels.wechat.fees[0].rate: expected a number of at most 24 digits, got "1e400"'),
    ("channels:\n  wechat: {type: wechat, setlement_days: 1}\n", "channels.wechat.setlement_days: unknown key"),
    ("chanels: {}\n", "chanels: unknown key"),
    ("channels:\n  wechat: {type: wechatpay}\n", 'channels.wechat.type: expected one of wechat | '),
    ("channels:\n  wechat: {type: wechat, bank: icbc}\n", "channels.wechat.bank: expected the name of a bank"),
    ("banks:\n  a: {type: icbc, account: Assets:Bank:A}\n  b: {type: cmb, account: Assets:Bank:B}\n"
     "channels:\n  wechat: {type: wechat, bank: [a, b, a]}\n",
     "channels.wechat.bank: expected a bank, or a list of different banks"),
    ("banks:\n  a: {type: icbc, account: Assets:Bank:A}\nchannels:\n  wechat: {type: wechat, bank: [a, x]}\n",
     'channels.wechat.bank: expected the name of a bank under banks (a), got "x"'),
    ("channels:\n  wechat: {type: wechat, settlement_days: -1}\n",
     "channels.wechat.settlement_days: expected a whole number of days"),
    ("channels:\n  paypal: {type: paypal, quiet_days: 3000000}\n",
     "channels.paypal.quiet_days: expected a whole number of days from 0 to 3,660, got 3000000"),
    ("shops:\n  web: {type: shopify, order_days: 99999999}\n",
     "shops.web.order_days: expected a whole number of days from 0 to 3,660"),
    ("banks:\n  b: {type: csv, account: Bank:X, columns: {date: d, amount: a}}\n",
     'banks.b.account: expected an account name like Assets:Bank:ICBC, got "Bank:X"'),
    ("banks:\n  b: {type: csv, account: Assets:B, columns: {date: d}}\n", "banks.b.columns.amount: missing"),
    ("banks:\n  b: {type: csv, account: Assets:B, columns: {date: d, amount: a, debit: x}}\n",
     "banks.b.columns: expected either amount or debit and credit, got both"),
    ("banks:\n  b: {type: csv, account: Assets:B, encoding: klingon, columns: {date: d, amount: a}}\n",
     'banks.b.encoding: expected a known text encoding'),
    ("rules:\n  - {match: '(', account: Expenses:X}\n", "rules[0].match: expected a regular expression"),
    ("checks:\n  fee-gap: {severity: fatal}\n", 'checks.fee-gap.severity: expected one of error | warning | off'),
    ("checks:\n  fee-gaps: {severity: error}\n", "checks.fee-gaps: unknown key"),
    ("timezone: Mars/Olympus\n", 'timezone: expected an IANA time zone'),
    ("channels:\n  stripe: {type: stripe, timezone: PST8PDTX}\n", 'channels.stripe.timezone: expected an IANA time zone'),
    ("books: [a]\n", "books: expected text"),
    ("banks:\n  a: {type: icbc, account: Assets:Bank:Ops}\n  b: {type: cmb, account: Assets:Bank:Ops}\n",
     "banks.b.account: Assets:Bank:Ops is also banks.a.account (expected an account of its own: the money of two "
     "sources in one account can never be reconciled; of one bank account's statements in two formats (its CSV and "
     "its CAMT.053), import each day in one format, as one bank"),
    ("channels:\n  wx1: {type: wechat}\n  wx2: {type: wechat, accounts: {clearing: Assets:Clearing:Wx1}}\n",
     "channels.wx2.accounts.clearing: Assets:Clearing:Wx1 is also channels.wx1.accounts.clearing"),
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 0.006, until: 2026-04-01}, {rate: 0.0038, since: 2026-04-01}]}\n",
     "channels.wechat.fees[1]: in force on days that channels.wechat.fees[0] is in force too (expected rules of one "
     "method and currency that do not overlap"),
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 0.006}, {rate: 0.0038, since: 2026-04-01}]}\n",
     "channels.wechat.fees[1]: in force on days that channels.wechat.fees[0] is in force too"),
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 0.006, since: 2026-04-01, until: 2026-03-31}]}\n",
     "channels.wechat.fees[0].until: 2026-03-31 is before since: 2026-04-01"),
    ("channels:\n  wechat: {type: wechat, fees: [{rate: 0.006, since: April}]}\n",
     'channels.wechat.fees[0].since: expected a date like 2025-12-31, got "April"'),
])
def test_errors_name_the_key_path(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert re.search(r"config\.yaml:\d+: " + re.escape(message), str(caught.value)), str(caught.value)


def test_an_error_names_the_line_of_its_key(make_config):
    # config errors named the key path but not the line: bad input gets file:line
    text = "currency: CNY\nchannels:\n  wechat:\n    type: wechat\n    fees:\n      - {rate: 0.006}\n      - {rate: oops}\n"
    with pytest.raises(ConfigError, match=r"config\.yaml:7: channels\.wechat\.fees\[1\]\.rate: "):
        make_config(text)
    with pytest.raises(ConfigError, match=r"config\.yaml:3: channels\.wechat\.type: missing"):
        make_config("currency: CNY\nchannels:\n  wechat:\n    settlement_days: 1\n")


def test_bare_off_is_a_severity(make_config):
    assert make_config("checks:\n  bank-unmatched: {severity: off}\n").checks["bank-unmatched"].severity == "off"


def test_invalid_yaml_names_the_line(make_config):
    with pytest.raises(ConfigError, match=r"config.yaml:3: not valid YAML"):
        make_config("channels:\n  wechat: {type: wechat\n")


@pytest.mark.parametrize("raw, message", [
    # blind8: "cannot read ('utf-8' codec can't decode byte 0xbd in position 529…)"
    ("books: books\ncurrency: CNY\ntitle: 清风茶舍\n".encode("gbk"),
     "config.yaml:3: not UTF-8 text (byte 0xc7 at column 8: saved in another encoding, GBK or Latin-1?); "
     "save it as UTF-8"),
    # PyYAML's "unacceptable character #x0000 … in "<unicode string>", position 35"
    (b"books: books\ncurrency: CNY\ntitle: a\x00b\n",
     "config.yaml:3: not valid YAML (a control character, U+0000, at column 9: YAML allows none but TAB and "
     "line breaks; remove it)"),
])
def test_a_config_that_is_not_text_yaml_reads_says_its_line_in_words(tmp_path, raw, message):
    (tmp_path / "config.yaml").write_bytes(raw)
    with pytest.raises(ConfigError) as refused:
        config_mod.load(tmp_path / "config.yaml")
    assert str(refused.value) == f"{(tmp_path / 'config.yaml').resolve()}:{message.split(':', 1)[1]}"


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        config_mod.load(tmp_path / "nope.yaml")


# -- hostile config.yaml (issue #12) -----------------------------------------------------

def test_an_alias_bomb_is_refused_quickly_and_never_printed(tmp_path):
    import time
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"expands to more than [\d,]+ values .*alias bomb") as caught:
        config_mod.load(path)
    assert time.monotonic() - started < 2 and len(str(caught.value)) < 500


def test_small_anchors_and_aliases_still_work(make_config):
    cfg = make_config("""\
        channels:
          wechat: {type: wechat, fees: [&fee {rate: 0.006}]}
          alipay: {type: alipay, fees: [*fee]}
        """)
    assert cfg.channels["alipay"].fees[0].rate == Decimal("0.006")


def test_a_self_referring_alias_is_refused(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("rules: &r [*r]\n")
    with pytest.raises(ConfigError, match=r"rules.*alias refers to the value that holds it"):
        config_mod.load(path)


def test_a_duplicate_key_is_an_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("channels:\n  wechat: {type: wechat}\nbanks:\n  ops:\n    type: csv\n    account: Assets:Bank:A\n"
                    "    account: Assets:Bank:B\n")
    with pytest.raises(ConfigError, match=r"config.yaml:7: banks.ops.account: duplicate key \(first given on line 6"):
        config_mod.load(path)


def test_long_values_are_cut_in_messages(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config("currency: " + "X" * 100_000 + "\n")
    assert len(str(caught.value)) < 500 and "100000 characters" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        make_config("currency: [" + ", ".join(["[1, 2, 3, 4, 5]"] * 1000) + "]\n")
    assert len(str(caught.value)) < 500


@pytest.mark.parametrize("pattern", ["(a+)+$", "(x*)*", r"(\w+\s?)+$", "(?:a|b+)*c"])
def test_catastrophic_rule_patterns_are_refused(make_config, pattern):
    with pytest.raises(ConfigError, match=r"rules\[0\]\.match: expected a regular expression without a repeated"):
        make_config(f"rules:\n  - match: '{pattern}'\n    account: Expenses:X\n")


@pytest.mark.parametrize("pattern", ["房租|rent", r"(\d{4}-)+", "a+b*", "(ab)+", r"ORDER-(\d+)"])
def test_ordinary_patterns_pass(make_config, pattern):
    assert make_config(f"rules:\n  - match: '{pattern}'\n    account: Expenses:X\n").rules[0].pattern.pattern == pattern


def test_sources_may_share_their_income_and_fee_accounts(make_config):
    config = make_config("channels:\n  wx1: {type: wechat, accounts: {fees: Expenses:Fees, sales: Income:Sales}}\n"
                         "  wx2: {type: wechat, accounts: {fees: Expenses:Fees, sales: Income:Sales}}\n")
    assert config.channels["wx1"].accounts.fees == config.channels["wx2"].accounts.fees == "Expenses:Fees"


def test_fee_rules_dated_apart_or_of_other_methods_may_share_days(make_config):
    """Dated rules of one method and currency follow each other; a method's or a
    currency's own rule may share days with the general one when it comes first (the
    first that fits wins), or where the general one is not in force."""
    cfg = make_config("""\
        channels:
          wechat:
            type: wechat
            fees:
              - {method: CREDIT, rate: 0.01}
              - {rate: 0.02, currency: USD}
              - {rate: 0.006, until: 2026-03-31}
              - {rate: 0.0038, since: 2026-04-01, until: 2026-12-31}
              - {method: DEBIT, rate: 0.005}
        """)
    fees = cfg.channels["wechat"].fees
    assert [(f.since, f.until) for f in fees][:4] == [(None, None), (None, None), (None, dt.date(2026, 3, 31)),
                                                      (dt.date(2026, 4, 1), dt.date(2026, 12, 31))]


# -- fee rules that could never apply (a blind tester's two undated rules of one currency
#    were taken, the same rules dated to overlap refused) -------------------------------

@pytest.mark.parametrize("fees, message", [
    ("[{currency: EUR, rate: 0.0165}, {currency: EUR, rate: 0.03}]",
     "channels.stripe.fees[1]: in force on days that channels.stripe.fees[0] is in force too (expected rules of "
     "one method and currency that do not overlap"),
    ("[{rate: 0.0165}, {rate: 0.03, since: 2026-02-01}]",
     "channels.stripe.fees[1]: in force on days that channels.stripe.fees[0] is in force too"),
    ("[{rate: 0.006}, {currency: USD, rate: 0.01}]",
     "channels.stripe.fees[1]: never applies: on every day it is in force, channels.stripe.fees[0] fits its "
     "payments too and comes first (expected a rule an earlier one leaves some payments to: put the narrower "
     "rule first)"),
    ("[{rate: 0.006, until: 2026-03-31}, {rate: 0.0038, since: 2026-04-01}, {currency: USD, rate: 0.02}]",
     "channels.stripe.fees[2]: never applies: on every day it is in force, channels.stripe.fees[0] and "
     "channels.stripe.fees[1] fit its payments too and come first"),
    ("[{rate: 0.01, min: 5, max: 1}]", "channels.stripe.fees[0].max: 1 is below min: 5 (expected a max of at least"),
    ("[{rate: -0.01}]", "channels.stripe.fees[0].rate: expected a number of at least 0, got -0.01"),
    ("[{rate: 0.01, fixed: -0.30}]", "channels.stripe.fees[0].fixed: expected a number of at least 0, got -0.3"),
    ("[{rate: 0.01, min: -1}]", "channels.stripe.fees[0].min: expected a number of at least 0, got -1"),
])
def test_a_fee_rule_that_could_never_apply_is_refused(make_config, fees, message):
    with pytest.raises(ConfigError) as caught:
        make_config(f"channels:\n  stripe:\n    type: stripe\n    fees: {fees}\n")
    assert re.search(r"config\.yaml:4: " + re.escape(message), str(caught.value)), str(caught.value)


def test_a_narrower_fee_rule_the_earlier_one_leaves_days_to_applies(make_config):
    cfg = make_config("channels:\n  wechat:\n    type: wechat\n"
                      "    fees: [{rate: 0.006, until: 2026-03-31}, {method: CMB_CREDIT, rate: 0.01},"
                      " {rate: 0.01, min: 1, max: 1, since: 2026-04-01}]\n")
    assert [f.rate for f in cfg.channels["wechat"].fees] == [Decimal("0.006"), Decimal("0.01"), Decimal("0.01")]


# -- a rule of a method its channel's statements never state (blind8: Stripe's
#    `{method: card, …}` was taken, and judged none of its payments) ---------------------

@pytest.mark.parametrize("kind", ["stripe", "paypal", "alipay", "airwallex"])
def test_a_method_rule_of_a_channel_whose_statements_state_no_method_is_refused(make_config, kind):
    with pytest.raises(ConfigError) as caught:
        make_config(f"channels:\n  shop:\n    type: {kind}\n    fees:\n      - {{rate: 0.006}}\n"
                    "      - {method: card, rate: 0.029, fixed: 0.30}\n")
    said = str(caught.value)
    assert re.search(r"config\.yaml:6: " + re.escape(
        f"channels.shop.fees[1].method: never applies: a {kind} statement states no payment method (expected no "
        f"method for type {kind}; the types whose statements state one: wechat, its 交易账单's 付款银行"),
        said), said
    assert "alipay-personal" in said and "NATIVE" in said   # what it is, where it is stated


@pytest.mark.parametrize("kind", ["wechat", "alipay-personal", "wechat-personal", "jd-personal"])
def test_a_method_rule_of_a_channel_whose_statements_state_one_is_taken(make_config, kind):
    cfg = make_config(f"channels:\n  shop:\n    type: {kind}\n    fees: [{{method: CMB_CREDIT, rate: 0.01}}]\n")
    assert cfg.channels["shop"].fees[0].method == "CMB_CREDIT"


def test_an_empty_method_is_refused(make_config):
    # a payment that states no method has none in the books: "" fits no payment
    with pytest.raises(ConfigError, match=r"channels\.wx\.fees\[0\]\.method: never applies: .*leave method: out"):
        make_config("channels:\n  wx:\n    type: wechat\n    fees: [{method: '', rate: 0.01}]\n")


def test_the_readme_says_what_a_method_is_for_every_type_that_states_one():
    from beanclear.config.model import CHANNEL_TYPES, STATED_METHODS
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    keys = readme.split("### Every key", 1)[1].split("\n### ", 1)[0]
    assert set(STATED_METHODS) < set(CHANNEL_TYPES)
    for kind in STATED_METHODS:
        assert f"{kind}: " in keys, kind
    assert "付款银行" in keys and "NATIVE" in keys


# -- checks.<code>: each code takes the keys it documents (a blind tester's misspelt limits
#    fell back to their defaults, and any unknown key was read as a number) ----------------

@pytest.mark.parametrize("text, message", [
    ("checks:\n  fee-gap: {tolerence: 0.05}\n",
     "checks.fee-gap.tolerence: unknown key (expected one of: severity, tolerance, write_off)"),
    ("checks:\n  refund-rate: {maximum: 0.50, days: 3}\n",
     "checks.refund-rate.maximum: unknown key (expected one of: days, max, severity)"),
    ("checks:\n  refund-rate: {max: 0.50, dayz: 3}\n", "checks.refund-rate.dayz: unknown key"),
    ("checks:\n  refund-surge: {factr: 2}\n",
     "checks.refund-surge.factr: unknown key (expected one of: days, factor, min_amount, min_count, severity)"),
    ("checks:\n  fee-gap: {severity: warning, sevrity: off}\n", "checks.fee-gap.sevrity: unknown key"),
    ("checks:\n  fx-gap: {tolerance: 100}\n",
     "checks.fx-gap.tolerance: unknown key (tolerance is fee-gap's; fx-gap takes severity, tolerance_bps, write_off)"),
    ("checks:\n  bank-unmatched: {tolerance: 5}\n",
     "checks.bank-unmatched.tolerance: unknown key (tolerance is fee-gap's; bank-unmatched takes severity; "
     "rules explain bank lines)"),
    ("checks:\n  unsettled: {days: 3}\n",
     "checks.unsettled.days: unknown key (days is refund-rate's and refund-surge's; unsettled takes severity; "
     "its deadline is channels.<name>.settlement_days)"),
    ("checks:\n  unsettled: {write_off: {limit: 1}}\n",
     "checks.unsettled.write_off: unknown key (write_off is "),
])
def test_a_check_takes_only_its_own_keys(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert re.search(r"config\.yaml:2: " + re.escape(message), str(caught.value)), str(caught.value)


def test_every_documented_limit_of_a_check_is_taken(make_config):
    cfg = make_config("""\
        checks:
          fee-gap: {severity: warning, tolerance: 0.05, write_off: {limit: 5}}
          fx-gap: {tolerance_bps: 80, write_off: {account: Expenses:FX}}
          refund-rate: {max: 0.2, days: 5}
          refund-surge: {factor: 2, days: 14, min_count: 2, min_amount: 50}
          payout-mismatch: {write_off: {account: Expenses:Fees:Bank, limit: 10}}
          amount-mismatch: {write_off: {limit: 1}}
          unsettled: {severity: off}
        """)
    assert cfg.checks["refund-surge"].limits == {"factor": 2, "days": 14, "min_count": 2, "min_amount": 50}
    assert cfg.checks["fee-gap"].limits == {"tolerance": Decimal("0.05")}
    assert cfg.checks["unsettled"] == config_mod.Check(severity="off", limits={})


# -- each limit its type and range (blind7 k04-k08, k22, k35: `tolerance: -5`, `days: 0`,
#    `days: 2.5` were taken, the check then judged nothing or everything; `days:
#    100000000000` was an OverflowError in `beanclear check`) ------------------------------

@pytest.mark.parametrize("text, message", [
    ("  fee-gap: {tolerance: -5}\n", "checks.fee-gap.tolerance: expected a number of at least 0, got -5"),
    ("  fx-gap: {tolerance_bps: -50}\n", "checks.fx-gap.tolerance_bps: expected a number of at least 0, got -50"),
    ("  refund-rate: {max: 5}\n",
     "checks.refund-rate.max: expected a fraction from 0 to 1 (0.10 for 10%), got 5"),
    ("  refund-rate: {max: -0.1}\n", "checks.refund-rate.max: expected a fraction from 0 to 1"),
    ("  refund-rate: {days: -7}\n", "checks.refund-rate.days: expected a whole number of days from 1 to 3,660, got -7"),
    ("  refund-rate: {days: 0}\n", "checks.refund-rate.days: expected a whole number of days from 1 to 3,660, got 0"),
    ("  refund-rate: {days: 100000000000}\n",
     "checks.refund-rate.days: expected a whole number of days from 1 to 3,660, got 100000000000"),
    ("  refund-rate: {days: \"7\"}\n", "checks.refund-rate.days: expected a whole number of days"),
    ("  refund-surge: {days: 2.5}\n", "checks.refund-surge.days: expected a whole number of days from 7 to 3,660 "
                                      "(the usual is the mean of at least 7 days before), got 2.5"),
    ("  refund-surge: {days: 3}\n", "checks.refund-surge.days: expected a whole number of days from 7 to 3,660"),
    ("  refund-surge: {min_count: -1}\n",
     "checks.refund-surge.min_count: expected a whole number of refunds from 1 to 1,000,000, got -1"),
    ("  refund-surge: {min_count: true}\n", "checks.refund-surge.min_count: expected a whole number of refunds"),
    ("  refund-surge: {factor: 0.5}\n",
     "checks.refund-surge.factor: expected a number of at least 1 (a day above factor times the usual), got 0.5"),
    ("  refund-surge: {min_amount: -100}\n", "checks.refund-surge.min_amount: expected a number of at least 0"),
    ("  review_threshold: -1\n", "checks.review_threshold: expected a number of at least 0, got -1"),
    ("  fee-gap: {write_off: {limit: -5, account: Expenses:X}}\n",
     "checks.fee-gap.write_off.limit: expected a number of at least 0, got -5"),
])
def test_a_limit_out_of_its_range_is_refused(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config("checks:\n" + text)
    assert re.search(r"config\.yaml:2: " + re.escape(message), str(caught.value)), str(caught.value)


def test_every_limit_of_a_check_has_its_range():
    from beanclear.checks.findings import LIMITS
    from beanclear.config.reader import LIMIT_VALUES
    assert {code: set(keys) for code, keys in LIMITS.items()} == \
        {code: set(keys) for code, keys in LIMIT_VALUES.items()}


def test_a_limit_at_the_edge_of_its_range_is_taken(make_config):
    cfg = make_config("checks:\n  fee-gap: {tolerance: 0}\n  fx-gap: {tolerance_bps: 0}\n"
                      "  refund-rate: {max: 1, days: 1}\n  refund-surge: {factor: 1, days: 7, min_count: 1}\n")
    assert cfg.checks["refund-rate"].limits == {"max": 1, "days": 1}
    assert cfg.checks["refund-surge"].limits == {"factor": 1, "days": 7, "min_count": 1}


@pytest.mark.parametrize("fees, message", [
    # blind7 d10, k33: shown as "contract 6% = 6,000.00 CNY" and "contract 12% = 1,200.00 CNY"
    ("[{rate: 60}]", "channels.stripe.fees[0].rate: expected a fraction below 1, e.g. 0.029 for 2.9%, got 60"),
    ("[{rate: 1.5}]", "channels.stripe.fees[0].rate: expected a fraction below 1, e.g. 0.029 for 2.9%, got 1.5"),
    ("[{rate: 1}]", "channels.stripe.fees[0].rate: expected a fraction below 1"),
    # blind7 d11: statements' RMB is booked CNY, so the rule never applied
    ("[{rate: 0.006, currency: RMB}]",
     'channels.stripe.fees[0].currency: expected a currency code like CNY, got "RMB" (statements\' RMB is booked '
     'as CNY: write CNY)'),
    ("[{rate: 0.006, currency: usd}]", 'channels.stripe.fees[0].currency: expected a currency code like CNY, got "usd"'),
    ("[{rate: 0.006, currency: US Dollar}]", "channels.stripe.fees[0].currency: expected a currency code like CNY"),
])
def test_a_fee_rule_no_payment_could_owe_is_refused(make_config, fees, message):
    with pytest.raises(ConfigError) as caught:
        make_config(f"channels:\n  stripe:\n    type: stripe\n    fees: {fees}\n")
    assert re.search(r"config\.yaml:4: " + re.escape(message), str(caught.value)), str(caught.value)


def test_a_rate_is_shown_as_the_percentage_it_is():
    from beanclear.checks.fees import _rule_text
    from beanclear.config.model import FeeRule
    shown = [_rule_text(FeeRule(rate=Decimal(r), fixed=Decimal(f))) for r, f in
             (("0.006", "0"), ("0.25", "0"), ("0.1", "0"), ("0", "0.30"), ("0.029", "0.30"))]
    assert shown == ["0.6%", "25%", "10%", "0% + 0.30", "2.9% + 0.30"]


def test_a_rule_shows_its_money_in_the_places_of_the_currency():
    # blind8: YAML's `fixed: 0.30` arrives as 0.3, `min: 0.10` as 0.1: "2.9% + 0.3", "min 0.1"
    from beanclear.checks.fees import _rule_text
    from beanclear.config.model import FeeRule
    rule = FeeRule(rate=Decimal("0.029"), fixed=Decimal("0.3"), min=Decimal("0.1"), max=Decimal("50"))
    assert _rule_text(rule, "USD") == "2.9% + 0.30 min 0.10 max 50.00"
    assert _rule_text(rule, "JPY") == "2.9% + 0.3 min 0.1 max 50"            # never cut: what the config says
    assert _rule_text(FeeRule(rate=Decimal("0.036"), fixed=Decimal("40")), "JPY") == "3.6% + 40"
    assert _rule_text(FeeRule(rate=Decimal("0.01"), fixed=Decimal("0.305")), "USD") == "1% + 0.305"


# -- what YAML's own constructors refuse (a blind tester's `date: 2026-02-31` was a PyYAML
#    traceback, exit 1): file:line, the key path, what it is not -------------------------

@pytest.mark.parametrize("text, message", [
    ("banks:\n  b:\n    type: camt053\n    account: Assets:Bank:B\n    opening_balance: {date: 2026-02-31, amount: 1}\n",
     "config.yaml:5: banks.b.opening_balance.date: not a date (2026-02-31: day is out of range for month)"),
    ("channels:\n  stripe:\n    type: stripe\n    fees:\n      - {rate: 0.01,\n         since: 2026-13-01}\n",
     "config.yaml:6: channels.stripe.fees[0].since: not a date (2026-13-01: month must be in 1..12)"),
    ("channels:\n  stripe:\n    type: stripe\n    opening_balance:\n      date: 2026-02-30 10:00:00\n      amount: 1\n",
     "config.yaml:5: channels.stripe.opening_balance.date: not a date (2026-02-30 10:00:00: day is out of range"),
    ("channels:\n  stripe:\n    type: stripe\n    settlement_days: !!int two\n",
     "config.yaml:4: channels.stripe.settlement_days: not a valid !!int (two: invalid literal for int()"),
    ("channels:\n  stripe:\n    type: stripe\n    fees: [{rate: !!float x}]\n",
     "config.yaml:4: channels.stripe.fees[0].rate: not a valid !!float (x: could not convert"),
    ("checks:\n  fee-gap: {severity: !!bool maybe}\n", "config.yaml:2: checks.fee-gap.severity: not a valid !!bool (maybe"),
    ("channels:\n  stripe:\n    type: stripe\n    fees: [{since: !!timestamp soon}]\n",
     "config.yaml:4: channels.stripe.fees[0].since: not a date (soon"),
    ("title: !!binary a\n", "config.yaml:1: title: not a valid !!binary (a: failed to decode base64 data"),
])
def test_a_value_yaml_cannot_construct_names_its_line(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert re.search(re.escape(message), str(caught.value)), str(caught.value)


def test_an_impossible_date_is_exit_2_with_the_books_untouched(tmp_path):
    from click.testing import CliRunner
    from beanclear import cli
    (tmp_path / "config.yaml").write_text("banks:\n  b:\n    type: camt053\n    account: Assets:Bank:B\n"
                                          "    opening_balance: {date: 2026-02-31, amount: 1000.00}\n")
    (tmp_path / "statements").mkdir()
    for command in (["import", str(tmp_path / "statements")], ["check"]):
        result = CliRunner().invoke(cli.main, [command[0], "-c", str(tmp_path / "config.yaml"), *command[1:]])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "config.yaml:5: banks.b.opening_balance.date: not a date" in result.output
    assert not (tmp_path / "books").exists()


def test_a_name_two_sources_use_names_the_line_of_the_second(make_config):
    # a blind tester's "config.yaml: stripe: the same name is used by two sources" had no line
    text = ("channels:\n  stripe:\n    type: stripe\nbanks:\n  bank:\n    type: camt053\n    account: Assets:Bank:Main\n"
            "shops:\n  stripe:\n    type: shopify\n")
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert re.search(r"config\.yaml:9: " + re.escape("shops.stripe: the same name as channels.stripe (expected "
                                                    "names unique across channels, banks and shops)"),
                     str(caught.value)), str(caught.value)
    with pytest.raises(ConfigError, match=r"config\.yaml:4: channels\.stripe: the same name as shops\.stripe "):
        make_config("shops:\n  stripe: {type: shopify}\nchannels:\n  stripe:\n    type: stripe\n")
    with pytest.raises(ConfigError, match=r"config\.yaml:3: banks\.ops: the same name as channels\.ops "):
        make_config("channels: {ops: {type: wechat}}\nbanks:\n  ops: {type: icbc, account: Assets:Bank:Ops}\n")


def test_an_opening_balance_written_as_a_number_says_the_form_it_takes(make_config):
    # blind29: `opening_balance: 860.00` was "expected a mapping, got 860.0", naming no key
    with pytest.raises(ConfigError) as caught:
        make_config("banks:\n  b:\n    type: camt053\n    account: Assets:Bank:B\n    opening_balance: 860.00\n")
    assert "config.yaml:5: banks.b.opening_balance: expected a mapping of the day it held and the amount, like " \
        "`{date: 2026-03-31, amount: 860.00}`, got " in str(caught.value)
    # must not fire: the mapping is read
    assert make_config("banks:\n  b:\n    type: camt053\n    account: Assets:Bank:B\n"
                       "    opening_balance: {date: 2026-03-31, amount: 860.00}\n").banks["b"].opening.amount == 860


# -- what YAML 1.1 reads as a number -----------------------------------------------------

@pytest.mark.parametrize("written", ["01234567", "0x1F", "1_000", "1:30", "+12", "1.50"])
def test_an_id_written_as_a_number_is_the_text_the_file_wrote(make_config, written):
    # blind31: `account_id: 01234567` was YAML 1.1's octal 342391; the merchant's own bill,
    # whose 商户号 is 01234567, was then refused as another account's (ids are strings, DESIGN §6)
    cfg = make_config(f"channels:\n  wechat: {{type: wechat, account_id: {written}}}\n"
                      f"banks:\n  b: {{type: mt940, account: Assets:Bank:B, account_id: {written}}}\n"
                      f"shops:\n  web: {{type: shopify, account_id: {written}}}\n")
    assert cfg.channels["wechat"].account_id == cfg.banks["b"].account_id == cfg.shops["web"].account_id == written


def test_an_id_written_as_a_number_yaml_gives_back_is_that_number(make_config):
    # must not change: an unquoted 1601000001 (str() of what YAML reads) was always taken
    cfg = make_config("channels:\n  wechat: {type: wechat, account_id: 1601000001}\n")
    assert cfg.channels["wechat"].account_id == "1601000001"


@pytest.mark.parametrize("text, message", [
    ("channels:\n  wechat: {type: wechat, settlement_days: 010}\n",
     "config.yaml:2: channels.wechat.settlement_days: expected a number in decimal digits, got 010 (YAML reads it "
     "as the octal number 8: write 8, or 10)"),
    ("match: {window: 1:30}\n",
     "config.yaml:1: match.window: expected a number in decimal digits, got 1:30 (YAML reads it as the base-60 "
     "number 90: write 90, or what was meant)"),
])
def test_a_number_yaml_reads_as_another_is_refused(make_config, text, message):
    # the same cause as an id's: `settlement_days: 010` was a deadline of 8 days
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert message in str(caught.value), str(caught.value)


def test_a_number_in_another_notation_yaml_reads_as_written_is_taken(make_config):
    # must not fire: 1_000, 0x10, +3 and 0 are the numbers they look like
    cfg = make_config("channels:\n  wechat: {type: wechat, settlement_days: +3, bank_days: 0, "
                      "fees: [{rate: 0.006, max: 1_000}]}\nmatch: {window: 0x10}\n")
    assert (cfg.channels["wechat"].settlement_days, cfg.channels["wechat"].bank_days, cfg.match.window) == (3, 0, 16)
    assert cfg.channels["wechat"].fees[0].max == 1000


# -- a pattern that matches every line ---------------------------------------------------

@pytest.mark.parametrize("rules, message", [
    # blind31: `match: ""` left blank booked every unexplained bank line (李四's 66.00) to the rule's account
    ('  - {match: 房租, account: Expenses:Rent}\n  - {match: "", account: Expenses:Salaries}\n',
     'config.yaml:3: rules[1].match: empty: it would match every line; write ".*" if that is meant'),
    ("  - {match: '  ', account: Expenses:Salaries}\n",
     'config.yaml:2: rules[0].match: empty: it would match every line; write ".*" if that is meant'),
    ("  - {match: '房租|', account: Expenses:Rent}\n",
     'config.yaml:2: rules[0].match: "房租|" has an empty alternative: it would match every line; remove it, or '
     'write ".*" if that is meant'),
    ("  - {match: '(|rent)', account: Expenses:Rent}\n",
     'config.yaml:2: rules[0].match: "(|rent)" has an empty alternative: it would match every line'),
])
def test_a_rule_that_would_match_every_line_unasked_is_refused(make_config, rules, message):
    with pytest.raises(ConfigError) as caught:
        make_config("rules:\n" + rules)
    assert message in str(caught.value), str(caught.value)


def test_an_empty_payout_memo_or_sales_pattern_is_refused(make_config):
    # the same cause: an empty payout_memo takes every bank credit for a payout
    with pytest.raises(ConfigError, match=r'config\.yaml:2: channels\.wechat\.payout_memo: empty: it would match '):
        make_config("channels:\n  wechat: {type: wechat, payout_memo: ''}\n")
    with pytest.raises(ConfigError, match=r'config\.yaml:2: channels\.me\.sales\[0\]\.item: empty: it would match '):
        make_config("channels:\n  me: {type: wechat-personal, sales: [{item: ''}]}\n")


@pytest.mark.parametrize("pattern", [".*", "colou(r|)", "房租|rent", "(rent|租金)"])
def test_a_catch_all_written_as_one_or_an_optional_group_is_taken(make_config, pattern):
    # must not fire: `.*` is a catch-all asked for; an empty alternative inside a longer pattern is optional text
    assert make_config(f"rules:\n  - {{match: '{pattern}', account: Expenses:X}}\n").rules[0].pattern.pattern == pattern


def test_a_rule_matches_ignoring_case_unless_it_says_otherwise(make_config):
    # blind31: `match: RENT` booked "Office rent March", which the README did not say; `(?-i:…)` is how
    # a rule is case-sensitive, as README "Every key" says
    rules = make_config("rules:\n  - {match: RENT, account: Expenses:Rent}\n"
                        "  - {match: '(?-i:VAT)', account: Expenses:Tax}\n").rules
    assert rules[0].pattern.search("Office rent March")
    assert rules[1].pattern.search("VAT refund") and not rules[1].pattern.search("private")


def test_the_readme_says_how_rules_read_case():
    from conftest import REPO
    every_key = (REPO / "README.md").read_text(encoding="utf-8").split("### Every key", 1)[1].split("\n## ", 1)[0]
    assert "ignoring case" in every_key and "(?-i:" in every_key


# -- values of the wrong kind ------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    # blind31: accepted, and no proposal could ever pass (rapidfuzz's scores are 0 to 100)
    ("match: {min_score: 200}\n", "config.yaml:1: match.min_score: expected a score from 0 to 100, got 200"),
    ("match: {margin: 101}\n", "config.yaml:1: match.margin: expected a score from 0 to 100, got 101"),
    # blind31: a bank opened as Equity:Bank:CMB, Income:Bank:Ops
    ("banks:\n  cmb:\n    type: cmb\n    account: Equity:Bank:CMB\n",
     'config.yaml:4: banks.cmb.account: expected an account under Assets or Liabilities (a bank account, or a '
     'card\'s), got "Equity:Bank:CMB"'),
    ("banks:\n  ops: {type: ofx, account: Income:Bank:Ops}\n", 'config.yaml:2: banks.ops.account: expected an '
     'account under Assets or Liabilities (a bank account, or a card\'s), got "Income:Bank:Ops"'),
    # the same cause: an account that holds a source's money is of the balance sheet
    ("channels:\n  wechat: {type: wechat, accounts: {clearing: Income:WeChat}}\n",
     'config.yaml:2: channels.wechat.accounts.clearing: expected an account under Assets or Liabilities (it holds '
     'the money of wechat), got "Income:WeChat"'),
    ("shops:\n  web: {type: shopify, accounts: {receivable: Expenses:Web}}\n",
     'config.yaml:2: shops.web.accounts.receivable: expected an account under Assets or Liabilities'),
])
def test_a_value_of_the_wrong_kind_is_refused(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert message in str(caught.value), str(caught.value)


def test_scores_at_their_edges_and_cards_as_liabilities_are_taken(make_config):
    # must not fire: 0 and 100 are scores; a credit card is a liability (cmb-credit, an OFX card)
    cfg = make_config("banks:\n  card: {type: cmb-credit, account: Liabilities:CMB:Card}\n"
                      "  ofx: {type: ofx, account: Liabilities:Card:Amex}\n"
                      "  ops: {type: ofx, account: Assets:Bank:Ops}\n"
                      "channels:\n  me: {type: alipay-personal, accounts: {credit: Liabilities:Alipay:Huabei}}\n"
                      "match: {min_score: 100, margin: 0}\n")
    assert (cfg.match.min_score, cfg.match.margin) == (100, 0)
    assert cfg.banks["card"].account == "Liabilities:CMB:Card"


def test_books_naming_a_file_is_refused_at_its_line_by_check_and_import_alike(tmp_path):
    # blind31: import said "config.yaml: File exists", check "run `beanclear import` first"
    from click.testing import CliRunner
    from beanclear import cli
    (tmp_path / "config.yaml").write_text("books: config.yaml\nbanks:\n  b: {type: camt053, account: Assets:Bank:B}\n")
    (tmp_path / "statements").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["import", str(tmp_path / "statements")], ["check"]):
        result = CliRunner().invoke(cli.main, [command[0], "-c", str(tmp_path / "config.yaml"), *command[1:]])
        assert result.exit_code == 2, result.output
        assert "config.yaml:1: books: config.yaml is a file, expected a folder" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_books_naming_a_folder_yet_to_be_made_is_taken(make_config, tmp_path):
    # must not fire: the first import makes the folder
    assert make_config("books: ledger/books\n").books == (tmp_path / "ledger" / "books").resolve()


def test_a_channel_without_a_currency_is_in_the_books_currency(make_config):
    # blind31 livefeeds: a USD merchant's Stripe without `currency:` was CNY, and the
    # opening_balance its finding asked for was booked in yuan
    cfg = make_config("books: books\ncurrency: USD\nchannels:\n  stripe: {type: stripe}\n  paid: {type: paypal, currency: EUR}\n")
    assert (cfg.channels["stripe"].currency, cfg.channels["paid"].currency) == ("USD", "EUR")
    assert not cfg.channels["stripe"].currency_written
    assert make_config("books: books\nchannels:\n  stripe: {type: stripe}\n").channels["stripe"].currency == "CNY"


# -- `books:` names a folder of books, never a folder that holds other things --------------------
# blind33 hostile (finding 1): `books: .` (and `books: /etc` run as root) was taken; the first
# import wrote its files there, then swept away every empty folder below it (.git/refs/tags,
# photos/2026, statements/inbox), exit 0. Refused now at the `books:` line, nothing written.

BANK_ONLY = ("banks:\n  ops: {type: csv, account: Assets:Bank:Ops, columns: {date: 交易日期, amount: 交易金额, "
             "memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}}\n")
OPS_CSV = "交易日期,交易流水号,摘要,对方户名,交易金额,余额\n2026-11-02,OPS1,房租,某某物业,-800.00,19200.00\n"


def _merchant(folder, books: str):
    """A merchant folder with `books: <books>`, a statement, and a person's empty folders
    (a git repository's among them)."""
    folder.mkdir(exist_ok=True)
    (folder / "config.yaml").write_text(f"books: {books}\ncurrency: CNY\n" + BANK_ONLY, encoding="utf-8")
    (folder / "statements").mkdir()
    (folder / "statements" / "ops.csv").write_text(OPS_CSV, encoding="utf-8")
    for empty in ("photos/2026", "statements/inbox", ".git/refs/tags", ".git/objects/pack"):
        (folder / empty).mkdir(parents=True)
    return folder


def _tree(folder):
    return sorted(str(p.relative_to(folder)) + ("/" if p.is_dir() else "") for p in folder.rglob("*"))


def _run(folder, *args):
    from click.testing import CliRunner
    from beanclear import cli
    return CliRunner().invoke(cli.main, [args[0], "-c", str(folder / "config.yaml"), *args[1:]])


@pytest.mark.parametrize("books, says", [
    (".", "books: . is the folder config.yaml is in"),
    ("..", "books: .. holds the folder config.yaml is in ("),
])
def test_books_holding_the_config_is_refused_before_anything_is_written(tmp_path, books, says):
    folder = _merchant(tmp_path / "m", books)
    before = _tree(tmp_path)
    for command in (["import", str(folder / "statements" / "ops.csv")], ["check"]):
        result = _run(folder, *command)
        assert result.exit_code == 2, result.output
        assert f"config.yaml:1: {says}" in result.output, result.output
        assert "Traceback" not in result.output
    assert _tree(tmp_path) == before   # nothing written, no folder swept


def test_books_holding_what_is_not_books_is_refused(tmp_path):
    # the tester's `books: /etc`, here a folder of its own: files of another program, no main.beancount
    folder = _merchant(tmp_path, "etc")
    etc = tmp_path / "etc"
    (etc / "ssl" / "private").mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    before = _tree(tmp_path)
    result = _run(folder, "import", str(folder / "statements" / "ops.csv"))
    assert result.exit_code == 2, result.output
    assert ("config.yaml:1: books: etc holds what is not books (passwd, ssl) and no main.beancount: name a new "
            "or empty folder for the books, or the folder of your own Beancount books (its main.beancount in it)"
            ) in result.output, result.output
    assert _tree(tmp_path) == before


def test_books_holding_a_config_or_inside_the_statements_is_refused(tmp_path):
    folder = _merchant(tmp_path, "books")
    (folder / "books").mkdir()
    (folder / "books" / "main.beancount").write_text('option "title" "mine"\n', encoding="utf-8")
    (folder / "books" / "config.yaml").write_text("books: .\n", encoding="utf-8")   # a merchant's folder
    result = _run(folder, "import", str(folder / "statements" / "ops.csv"))
    assert result.exit_code == 2, result.output
    assert "config.yaml:1: books: books holds a config.yaml: a merchant's folder, not its books" in result.output
    assert not (folder / "books" / "ops").exists()
    (folder / "config.yaml").write_text("books: statements/books\ncurrency: CNY\n" + BANK_ONLY, encoding="utf-8")
    result = _run(folder, "import", str(folder / "statements" / "ops.csv"))
    assert result.exit_code == 2, result.output
    assert "config.yaml:1: books: statements/books is inside statements/, where beanclear keeps" in result.output
    assert not (folder / "statements" / "books").exists()


def test_books_of_a_person_or_an_empty_folder_are_taken_and_their_empty_folders_kept(tmp_path):
    # must not fire: a new folder, an empty one, one of a git repository only (`git init books`),
    # a person's own Beancount books with what else they keep there (README "Books you keep already")
    for name, made in (("new", ()), ("empty", ("",)), ("gitonly", (".git/refs/tags",)),
                       ("own", ("documents/2026", ".git/refs/tags", "notes"))):
        folder = tmp_path / name
        folder.mkdir()
        _merchant_files = _merchant(folder, "books")
        for sub in made:
            (folder / "books" / sub).mkdir(parents=True, exist_ok=True)
        if name == "own":
            (folder / "books" / "main.beancount").write_text('option "title" "mine"\n', encoding="utf-8")
            (folder / "books" / "README.md").write_text("my books\n", encoding="utf-8")
            (folder / "books" / "config.yaml").write_text("importers: [bank]\n", encoding="utf-8")   # another tool's
        empties = [p for p in _tree(folder) if p.endswith("/") and not any((folder / p).iterdir())]
        result = _run(_merchant_files, "import", str(folder / "statements" / "ops.csv"))
        assert result.exit_code == 0, (name, result.output)
        assert (folder / "books" / "ops" / "2026" / "2026-11.beancount").is_file()
        assert [p for p in empties if not (folder / p).is_dir()] == [], name   # none swept
