"""A channel's fee account holds its sub-accounts (Beancount's tree): a bookkeeper who moves
an imported fee from `Expenses:Fees:WeChat` to `Expenses:Fees:WeChat:Card` still has a fee
of WeChat's. Before (blind14 handedits #2) the fee check read it as 0.00 charged, a false
fee-gap that write-off offered to "accept", and the month report moved it from fees to
"other". An account whose name only starts the same (`Expenses:Fees:WeChatPay`) is not one."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

DATA = Path(__file__).parent / "data" / "resolve"
T1_FEE = "  Expenses:Fees:WeChat                           1.00 CNY\n"   # 0.40 above the 0.6 % contract
T2_FEE = "  Expenses:Fees:WeChat                           0.60 CNY\n"   # the contract's


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shutil.copytree(DATA, tmp_path / "m")
    return tmp_path / "m"


def move(shop, fee: str, account: str) -> None:
    month = shop / "books" / "wechat" / "2026" / "2026-03.beancount"
    text = month.read_text(encoding="utf-8")
    assert text.count(fee) == 1
    month.write_text(text.replace(fee, fee.replace("Expenses:Fees:WeChat ", f"{account} "[:len(fee)])),
                     encoding="utf-8")
    with open(shop / "books" / "accounts.beancount", "a", encoding="utf-8") as accounts:
        accounts.write(f"2026-01-01 open {account}\n")


def fee_gaps(shop) -> dict:
    found = checking.check(config_mod.load(shop / "config.yaml")).findings
    return {f.refs[0]: (f.expected, f.actual) for f in found if f.code == "fee-gap"}


def report_fees(shop) -> dict:
    result = beanclear(shop, "report", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["name"]: (r["fees"], r["other"]) for r in json.loads(result.output)["channels"]}


def test_a_fee_moved_to_a_sub_account_is_still_the_channels_fee(shop):
    before_gaps, before_fees = fee_gaps(shop), report_fees(shop)
    assert before_gaps == {"T1": (Decimal("0.60"), Decimal("1.00"))}
    move(shop, T2_FEE, "Expenses:Fees:WeChat:Card")
    move(shop, T1_FEE, "Expenses:Fees:WeChat:Card:Visa")
    assert fee_gaps(shop) == before_gaps
    assert report_fees(shop) == before_fees


def test_an_account_whose_name_only_starts_the_same_is_not_the_channels_fee(shop):
    move(shop, T2_FEE, "Expenses:Fees:WeChatPay")
    assert fee_gaps(shop)["T2"] == (Decimal("0.60"), Decimal("0"))
