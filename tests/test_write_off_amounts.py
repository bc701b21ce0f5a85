"""A write-off settles its finding only where it posts the finding's difference (blind9):
one edited to another amount, or a second copy of it (what two write-offs at once
wrote), leaves the account it is about off by the rest, and the check says so — the
finding stays listed, naming what the write-offs post — where before a write-off of any
amount that named the finding made it go away and the month's report called it resolved.
A write-off of exactly the difference, within the limit or above it with a reason, still
settles it."""

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
PAYOUT_OFF = ("  Expenses:Fees:Bank                            0.50 CNY\n"
              "  Assets:Transit:WeChat                        -0.50 CNY\n")
FEE_OFF = ("  Expenses:Fees:WeChat                          0.40 CNY\n"
           "  Expenses:Fees:WeChat                         -0.40 CNY\n")


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shutil.copytree(DATA, tmp_path / "m")
    return tmp_path / "m"


def run(shop, *args, code=0):
    result = beanclear(shop, *args)
    assert result.exit_code == code, result.output
    return result.output


def found(shop, code):
    return [f for f in checking.check(config_mod.load(shop / "config.yaml")).findings if f.code == code]


def edit(shop, old, new, count=1):
    path = shop / "books" / "writeoffs.beancount"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new) if count == 1 else text + text[text.index("\n2026"):], encoding="utf-8")


def amounts(block: str, number: str) -> str:
    return block.replace(" 0.50 CNY", f" {number} CNY".rjust(len(" 0.50 CNY"))).replace(
        "-0.50 CNY", f"-{number} CNY".rjust(len("-0.50 CNY")))


@pytest.mark.parametrize("number, said", [
    ("500.00", "written off as 500.00 CNY (the write-off at writeoffs.beancount:4), not its difference of 0.50 CNY"),
    ("0.30", "written off as 0.30 CNY (the write-off at writeoffs.beancount:4), not its difference of 0.50 CNY"),
    # half the difference: the rest in transit is what the write-off posts, and was taken for its difference
    ("0.25", "written off as 0.25 CNY (the write-off at writeoffs.beancount:4), not its difference of 0.50 CNY"),
])
def test_a_payout_write_off_edited_to_another_amount_leaves_the_finding_listed(shop, number, said):
    run(shop, "write-off", "payout-mismatch", "B1")
    edit(shop, PAYOUT_OFF, amounts(PAYOUT_OFF, number))
    [f] = found(shop, "payout-mismatch")
    assert "B1" in f.refs and not f.acknowledged and f.severity == "error"
    assert f.amount == Decimal("0.50")   # the difference the statements show
    assert f.message == "payout of 198.40 CNY arrived at the bank as 197.90 CNY — " + said
    result = beanclear(shop, "check")
    assert result.exit_code == 1 and "payout-mismatch" in result.output
    report = json.loads(run(shop, "report", "2026-03", "--format", "json"))
    rows = [r for r in report["findings"] if r["code"] == "payout-mismatch"]
    assert [r["status"] for r in rows] == ["open"], rows


def test_writing_off_again_after_an_edit_to_another_amount_says_what_to_correct(shop):
    # blind14 handedits #3: "is written off already; nothing was written", exit 0, while
    # check listed the finding as an open error
    run(shop, "write-off", "payout-mismatch", "B1")
    edit(shop, PAYOUT_OFF, amounts(PAYOUT_OFF, "0.30"))
    before = (shop / "books" / "writeoffs.beancount").read_bytes()
    out = run(shop, "write-off", "payout-mismatch", "B1", code=2)
    assert "payout-mismatch B1 is written off as 0.30 CNY (the write-off at writeoffs.beancount:4), not its " \
           "difference of 0.50 CNY: correct that entry, or delete the copy; nothing was written" in out
    assert (shop / "books" / "writeoffs.beancount").read_bytes() == before
    run(shop, "write-off", "fee-gap", "T1")
    edit(shop, FEE_OFF, FEE_OFF.replace(" 0.40 CNY", " 7.50 CNY").replace("-0.40 CNY", "-7.50 CNY"))
    assert "fee-gap T1 is written off as 7.50 CNY (the write-off at writeoffs.beancount:11), not its difference " \
           "of 0.40 CNY: correct that entry" in run(shop, "write-off", "fee-gap", "T1", code=2)


def test_writing_off_again_what_a_write_off_settles_is_already_done(shop):
    run(shop, "write-off", "payout-mismatch", "B1")
    assert "payout-mismatch B1 is written off already (books/writeoffs.beancount:4); nothing was written" \
        in run(shop, "write-off", "payout-mismatch", "B1")
    run(shop, "write-off", "fee-gap", "T1")
    assert "fee-gap T1 is written off already" in run(shop, "write-off", "fee-gap", "T1")


def test_a_second_copy_of_a_payout_write_off_leaves_the_finding_listed(shop):
    run(shop, "write-off", "payout-mismatch", "B1")
    edit(shop, PAYOUT_OFF, None, count=2)
    [f] = found(shop, "payout-mismatch")
    assert f.message.endswith(" — written off as 1.00 CNY (2 write-offs, at writeoffs.beancount:4 and "
                              "writeoffs.beancount:11), not its difference of 0.50 CNY")
    report = json.loads(run(shop, "report", "2026-03", "--format", "json"))
    assert [r["status"] for r in report["findings"] if r["code"] == "payout-mismatch"] == ["open"]


@pytest.mark.parametrize("copies, said", [
    (1, "written off as 7.50 CNY (the write-off at writeoffs.beancount:4), not its difference of 0.40 CNY"),
    (2, "written off as 0.80 CNY (2 write-offs, at writeoffs.beancount:4 and writeoffs.beancount:11), "
        "not its difference of 0.40 CNY"),
])
def test_a_fee_gap_write_off_of_another_amount_or_twice_leaves_the_fee_gap_listed(shop, copies, said):
    run(shop, "write-off", "fee-gap", "T1")
    if copies == 1:
        edit(shop, FEE_OFF, FEE_OFF.replace(" 0.40 CNY", " 7.50 CNY").replace("-0.40 CNY", "-7.50 CNY"))
    else:
        edit(shop, FEE_OFF, None, count=2)
    [f] = found(shop, "fee-gap")
    assert f.refs == ("T1",) and not f.acknowledged and f.message.endswith(" — " + said)


def test_a_write_off_above_the_limit_of_another_amount_is_no_acknowledgment(shop):
    config = shop / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  payout-mismatch: {write_off: {limit: 0.10}}\n",
                      encoding="utf-8")
    run(shop, "write-off", "payout-mismatch", "B1", "--reason", "agreed")
    edit(shop, PAYOUT_OFF, amounts(PAYOUT_OFF, "5.00"))
    [f] = found(shop, "payout-mismatch")
    assert not f.acknowledged and "written off above the limit" not in f.message
    assert f.message.endswith("written off as 5.00 CNY (the write-off at writeoffs.beancount:4), "
                              "not its difference of 0.50 CNY")


# -- must not fire ------------------------------------------------------------------------

def test_a_write_off_of_exactly_the_difference_still_settles_it(shop):
    run(shop, "write-off", "payout-mismatch", "B1")
    run(shop, "write-off", "fee-gap", "T1")
    assert not found(shop, "payout-mismatch") and not found(shop, "fee-gap")
    report = json.loads(run(shop, "report", "2026-03", "--format", "json"))
    assert sorted((r["code"], r["status"]) for r in report["findings"] if r["code"] in ("payout-mismatch", "fee-gap")) \
        == [("fee-gap", "resolved"), ("payout-mismatch", "resolved")]


def test_a_write_off_split_by_hand_into_two_that_add_up_settles_it(shop):
    run(shop, "write-off", "payout-mismatch", "B1")
    path = shop / "books" / "writeoffs.beancount"
    text = path.read_text(encoding="utf-8")
    block = text[text.index("\n2026"):]
    path.write_text(text.replace(block, amounts(block, "0.20")) + amounts(block, "0.30"), encoding="utf-8")
    assert not found(shop, "payout-mismatch")


def test_a_write_off_above_the_limit_of_the_difference_stays_acknowledged(shop):
    config = shop / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  payout-mismatch: {write_off: {limit: 0.10}}\n"
                      "  fee-gap: {write_off: {limit: 0.10}}\n", encoding="utf-8")
    run(shop, "write-off", "payout-mismatch", "B1", "--reason", "agreed")
    run(shop, "write-off", "fee-gap", "T1", "--reason", "agreed too")
    [payout] = found(shop, "payout-mismatch")
    [fee] = found(shop, "fee-gap")
    assert payout.acknowledged and payout.message.endswith("written off above the limit: agreed")
    assert fee.acknowledged and fee.message.endswith("written off above the limit: agreed too")


def test_an_amount_mismatch_write_off_of_another_amount_leaves_the_order_listed(demo_copy, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    merchant = demo_copy()
    run(merchant, "write-off", "amount-mismatch", "#3012", "--reason", "coupon TEA18 given at checkout")
    [settled] = [f for f in found(merchant, "amount-mismatch") if "#3012" in f.refs]
    assert settled.acknowledged   # above the limit, of the difference: listed, acknowledged
    path = merchant / "books" / "writeoffs.beancount"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("   18.00 CNY", "    9.00 CNY").replace("  -18.00 CNY", "   -9.00 CNY"),
                    encoding="utf-8")
    [f] = [f for f in found(merchant, "amount-mismatch") if "#3012" in f.refs]
    assert not f.acknowledged and f.amount == Decimal("18.00")
    assert f.message.endswith("written off as 9.00 CNY (the write-off at writeoffs.beancount:4), "
                              "not its difference of 18.00 CNY")
