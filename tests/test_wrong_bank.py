"""A channel whose payouts land at another configured bank than its `bank:` says (a blind
tester's `channels.wechat.bank: icbc` while WeChat withdraws to CMB): each payout was a
payout-missing "not reached the bank 60 days later" and each CMB credit naming it a
bank-unmatched of its own, 57 + 58 findings of one cause. As for a channel that names no
bank (checks/suspense.py), the credits naming its payouts and those payouts are one
finding that names the key and the bank to write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile

CONFIG = """\
channels:
  wechat: {{type: wechat, settlement_days: 1, bank: {bank}, bank_days: 2}}
banks:
  icbc: {{type: icbc, account: Assets:Bank:ICBC, currency: CNY}}
  cmb: {{type: cmb, account: Assets:Bank:CMB, currency: CNY}}
"""
OPEN = "".join(f"2000-01-01 open {a}\n" for a in (
    "Assets:Clearing:WeChat", "Assets:Transit:WeChat", "Assets:Bank:ICBC", "Assets:Bank:CMB", "Assets:Suspense",
    "Income:Sales:WeChat", "Expenses:Rent"))
PAYOUT = """
2026-01-{day:02d} * "Tencent" "sale {day}"
  id: "T{day:02d}"
  Assets:Clearing:WeChat     {amount} CNY
  Income:Sales:WeChat       -{amount} CNY
2026-01-{day:02d} * "WeChat Pay" "Withdrawal" ^payout-1000160987654320260100{day:02d}
  id: "F{day:02d}"
  payout-id: "1000160987654320260100{day:02d}"
  Assets:Transit:WeChat      {amount} CNY
  Assets:Clearing:WeChat    -{amount} CNY
"""
# a credit the bank importer booked as the payout's (at the bank the config names)
LANDED = """
2026-01-{day:02d} * "财付通支付科技有限公司" "财付通提现 1000160987654320260100{payout:02d}"
  id: "{bank}-{day:02d}-{payout:02d}"
  Assets:Bank:{bank}          {amount} CNY
  Assets:Transit:WeChat     -{amount} CNY
"""
# a credit no channel of that bank claims: in suspense
ELSEWHERE = """
2026-01-{day:02d} * "财付通支付科技有限公司" "{text}"
  id: "{bank}-{day:02d}-{payout:02d}"
  Assets:Bank:{bank}          {amount} CNY
  Assets:Suspense           -{amount} CNY
"""
LAST = """
2026-02-28 * "房东" "房租"
  id: "RENT-02"
  Assets:Bank:ICBC          -100.00 CNY
  Expenses:Rent              100.00 CNY
"""


def amount(day: int) -> str:
    return f"{100 + day}.{day:02d}"


def found(tmp_path, *parts, bank="icbc"):
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(bank=bank), encoding="utf-8")
    entries, errors, _ = loader.load_string(OPEN + "".join(parts) + LAST)
    assert not errors, errors
    return [f for f in reconcile.find(entries, config_mod.load(path))
            if f.code in ("payout-missing", "bank-unmatched", "payout-mismatch")]


def payouts(days):
    return "".join(PAYOUT.format(day=d, amount=amount(d)) for d in days)


def at_cmb(days, text="财付通提现 1000160987654320260100{payout:02d}"):
    return "".join(ELSEWHERE.format(day=d + 1, payout=d, bank="CMB", amount=amount(d), text=text.format(payout=d))
                   for d in days)


def test_payouts_landing_at_another_configured_bank_are_one_finding_naming_the_key(tmp_path):
    days = range(2, 8)
    [one] = found(tmp_path, payouts(days), at_cmb(days))
    total = sum(Decimal(amount(d)) for d in days)
    # an error, as the payouts' own were: books whose `bank:` is wrong judge none of them
    assert (one.code, one.severity, one.source, one.account, one.amount, one.currency, one.date) == \
        ("payout-missing", "error", "wechat", "Assets:Transit:WeChat", total, "CNY", dt.date(2026, 1, 2))
    assert one.refs == tuple(x for d in days for x in (f"F{d:02d}", f"1000160987654320260100{d:02d}")) + \
        tuple(f"CMB-{d + 1:02d}-{d:02d}" for d in days)
    assert one.message == (
        "payouts of wechat land at cmb, not at icbc: 6 of them (100016098765432026010002, 100016098765432026010003, "
        "100016098765432026010004, …), 627.27 CNY, have not reached icbc, and 6 credits of cmb of their amounts, "
        "each naming its payout, are in Assets:Suspense; with channels.wechat.bank: cmb (it says icbc) they are "
        "judged there, and `beanclear match --apply` books the credits as its payouts")


def test_credits_saying_only_the_channels_memo_answer_payouts_of_their_amount_within_bank_days(tmp_path):
    days = range(2, 8)
    [one] = found(tmp_path, payouts(days), at_cmb(days, text="微信支付提现"))
    assert one.code == "payout-missing" and "6 credits of cmb of their amounts, each saying wechat's payout memo, " \
        "are in Assets:Suspense; with channels.wechat.bank: cmb (it says icbc)" in one.message
    # the memo alone, too late for bank_days: each is its own finding, as before
    late = "".join(ELSEWHERE.format(day=d + 15, payout=d, bank="CMB", amount=amount(d), text="微信支付提现")
                   for d in days)
    alone = found(tmp_path, payouts(days), late)
    assert sorted(f.code for f in alone) == ["bank-unmatched"] * 6 + ["payout-missing"] * 6


def test_payouts_landing_at_both_banks_suggest_the_list(tmp_path):
    # January's first payouts at ICBC, the rest at CMB (the account moved): `bank: [icbc, cmb]`
    landed = "".join(LANDED.format(day=d + 1, payout=d, bank="ICBC", amount=amount(d)) for d in (2, 3, 4))
    [one] = found(tmp_path, payouts(range(2, 10)), landed, at_cmb(range(5, 10)))
    assert one.message.startswith("payouts of wechat land at cmb as well as at icbc: 5 of them "
                                  "(100016098765432026010005, 100016098765432026010006, 100016098765432026010007, …)")
    assert "with channels.wechat.bank: [icbc, cmb] (it says icbc) they are judged at either" in one.message


def test_the_payout_no_bank_shows_is_still_missing_beside_them(tmp_path):
    # the wrong bank, and one payout (F07) that reached no bank at all: that one is its own
    days = range(2, 8)
    out = found(tmp_path, payouts(days), at_cmb([d for d in days if d != 7]))
    assert sorted((f.code, f.refs[0], f.amount) for f in out) == [
        ("payout-missing", "F02", sum(Decimal(amount(d)) for d in range(2, 7))), ("payout-missing", "F07", Decimal(amount(7)))]
    assert "5 of them" in out[0].message + out[1].message


def test_one_payout_credited_at_another_bank_among_those_landing_is_not_the_banks_key(tmp_path):
    # must not fire: wechat pays into ICBC, as configured; one payout of six was credited at
    # CMB, naming it. It is no `bank:` mistake: its payout-missing and the credit stay as they were
    landed = "".join(LANDED.format(day=d + 1, payout=d, bank="ICBC", amount=amount(d)) for d in range(2, 7))
    out = found(tmp_path, payouts(range(2, 8)), landed, at_cmb([7]))
    assert sorted((f.code, f.refs[0]) for f in out) == [("bank-unmatched", "CMB-08-07"), ("payout-missing", "F07")]
    assert "that no rule, payout or entry explains" in next(f.message for f in out if f.code == "bank-unmatched")
    # and one genuinely missing (credited nowhere) among those landing: payout-missing, as ever
    out = found(tmp_path, payouts(range(2, 8)), landed)
    assert [(f.code, f.refs[0]) for f in out] == [("payout-missing", "F07")]


def test_a_channel_paying_into_two_banks_configured_as_a_list_is_unaffected(tmp_path):
    # must not fire: `bank: [icbc, cmb]`, its payouts at either, each booked as the payout's
    icbc = "".join(LANDED.format(day=d + 1, payout=d, bank="ICBC", amount=amount(d)) for d in (2, 3, 4))
    cmb = "".join(LANDED.format(day=d + 1, payout=d, bank="CMB", amount=amount(d)) for d in (5, 6, 7))
    assert found(tmp_path, payouts(range(2, 8)), icbc, cmb, bank="[icbc, cmb]") == []
    # one of them missing: payout-missing, as ever
    out = found(tmp_path, payouts(range(2, 9)), icbc, cmb, bank="[icbc, cmb]")
    assert [(f.code, f.refs[0]) for f in out] == [("payout-missing", "F08")]
