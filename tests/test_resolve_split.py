"""A bank line whose other side a person split by hand into several postings (README
"A line split by hand"): the bank's posting is the one on the bank's account, and what
is open of the line is the posting left in Assets:Suspense, the amount bank-unmatched
says. `book`, `link`, `match`, `open-items --for` and `unlink` name it by its ref, as
`beanclear check` lists it (a blind tester's split debit, 10.00 to bank fees and 2.00
left in suspense, was listed by the check and refused by every action: "no bank line
has the id or reference"). The small merchant of test_resolve.py (tests/data/resolve)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear, snapshot

DATA = Path(__file__).parent / "data" / "resolve"
OPS = "ops/2026/2026-03.beancount"
WECHAT = "wechat/2026/2026-03.beancount"

B2 = ("  Assets:Bank:Ops                             -312.00 CNY\n"
      "  Assets:Suspense                              312.00 CNY\n")
# B2 split by hand: most of it hosting, the rest not known yet
B2_SPLIT = ("  Assets:Bank:Ops                             -312.00 CNY\n"
            "  Expenses:Hosting                             300.00 CNY ; servers\n"
            "  Assets:Suspense                               12.00 CNY ; what is this?\n")

# a rent line a rule booked, split by hand into rent and utilities: nothing in suspense
RENT_SPLIT = '''
2026-03-20 * "某物业公司" "房租 2026-03"
  id: "B4"
  Assets:Bank:Ops                            -3000.00 CNY
  Expenses:Rent                               2700.00 CNY
  Expenses:Utilities                           300.00 CNY
'''

# a payout of 50.00 in transit, and a credit of 80.00 naming it, split by hand: 30.00 a
# rebate, the payout's 50.00 left in suspense
PAYOUT_2 = '''
2026-03-11 * "Order T3"
  id: "T3"
  Assets:Clearing:WeChat                        50.00 CNY
  Expenses:Fees:WeChat                           0.30 CNY
  Income:Sales:WeChat                          -50.30 CNY

2026-03-11 * "WeChat Pay" "Withdrawal" ^payout-P100002
  id: "F100002"
  payout-id: "P100002"
  Assets:Transit:WeChat                         50.00 CNY
  Assets:Clearing:WeChat                       -50.00 CNY
'''
CREDIT_SPLIT = '''
2026-03-12 * "某某科技有限公司" "转账 P100002"
  id: "B5"
  Assets:Bank:Ops                               80.00 CNY
  Income:Other                                 -30.00 CNY
  Assets:Suspense                              -50.00 CNY
'''


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shutil.copytree(DATA, tmp_path / "m")
    m = tmp_path / "m"
    ops = m / "books" / OPS
    ops.write_text(ops.read_text(encoding="utf-8").replace(B2, B2_SPLIT), encoding="utf-8")
    accounts = m / "books" / "accounts.beancount"
    accounts.write_text(accounts.read_text(encoding="utf-8")
                        + "2000-01-01 open Expenses:Hosting\n2000-01-01 open Expenses:Utilities\n"
                          "2000-01-01 open Income:Other\n", encoding="utf-8")
    return m


def run(shop, *args, code=0):
    result = beanclear(shop, *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def text(shop, name):
    return (shop / "books" / name).read_text(encoding="utf-8")


def add(shop, name, more):
    (shop / "books" / name).write_text(text(shop, name) + more, encoding="utf-8")


def unmatched(shop):
    found = checking.check(config_mod.load(shop / "config.yaml")).findings
    return {f.refs[0]: f.amount for f in found if f.code == "bank-unmatched" and f.refs}


def test_book_of_a_split_line_moves_the_part_left_in_suspense_only(shop):
    assert unmatched(shop)["B2"] == Decimal("12.00")   # the check's, as it was
    before, old = snapshot(shop / "books"), text(shop, OPS)
    out = run(shop, "book", "B2", "Expenses:Fees:Bank")
    assert out.startswith("bank line B2 (-12.00 CNY, the part of -312.00 CNY left in Assets:Suspense) "
                          "booked to Expenses:Fees:Bank\n")
    assert text(shop, OPS) == old.replace(
        "  Assets:Suspense                               12.00 CNY ; what is this?\n",
        "  Expenses:Fees:Bank                            12.00 CNY ; what is this?\n")
    after = snapshot(shop / "books")
    assert after["accounts.beancount"] == before["accounts.beancount"] + b"2000-01-01 open Expenses:Fees:Bank\n"
    assert {k for k in after if after[k] != before.get(k)} == {OPS, "accounts.beancount"}
    assert "B2" not in unmatched(shop)
    # again: booked there already, nothing written
    assert "nothing was written" in run(shop, "book", "B2", "Expenses:Fees:Bank")
    assert snapshot(shop / "books") == after
    # elsewhere: nothing of it is left in suspense to book; its split is edited by hand
    out = run(shop, "book", "B2", "Expenses:Office", code=2)
    assert "bank line B2 is split by hand (Expenses:Hosting, Expenses:Fees:Bank) and has nothing left in " \
           "Assets:Suspense: nothing to book; edit its postings by hand" in out
    assert snapshot(shop / "books") == after


def test_book_as_json_says_the_amount_it_moved(shop):
    out = json.loads(run(shop, "book", "B2", "Expenses:Fees:Bank", "--format", "json"))
    assert out["amount"] == "-12.00" and out["account"] == "Expenses:Fees:Bank" and out["bank_ref"] == "B2"


def test_match_lists_a_split_line_by_its_open_part(shop):
    out = json.loads(run(shop, "match", "--format", "json"))
    why = {u["bank_ref"]: (u["amount"], u["reasons"]) for u in out["unproposed"]}
    assert sorted(why) == ["B1", "B2", "B3"]
    assert why["B2"][0] == "-12.00"
    assert "no open bill or refund of -12.00 CNY (within 0.01)" in why["B2"][1]
    assert "no proposal   bank B2 2026-03-05 -12.00 CNY" in run(shop, "match")


def test_match_apply_and_link_move_the_part_left_in_suspense_only(shop):
    add(shop, WECHAT, PAYOUT_2)
    add(shop, OPS, CREDIT_SPLIT)
    assert unmatched(shop)["B5"] == Decimal("50.00")
    out = json.loads(run(shop, "open-items", "--for", "B5", "--format", "json"))
    assert out["items"][0]["link"] == "payout-P100002"
    proposals = json.loads(run(shop, "match", "--format", "json"))["proposals"]
    [mine] = [p for p in proposals if p["bank_refs"] == ["B5"]]
    assert mine["links"] == ["payout-P100002"] and mine["bank_amounts"] == ["50.00"] and mine["confident"]
    ops, wechat = text(shop, OPS), text(shop, WECHAT)
    run(shop, "match", "--apply")
    linked = ops.replace('2026-03-12 * "某某科技有限公司" "转账 P100002"\n',
                         '2026-03-12 * "某某科技有限公司" "转账 P100002" ^payout-P100002\n').replace(
        "  Assets:Suspense                              -50.00 CNY\n",
        "  Assets:Transit:WeChat                        -50.00 CNY\n")
    assert text(shop, OPS) == linked
    assert text(shop, WECHAT) == wechat   # (the payout has its link)
    assert "B5" not in unmatched(shop)
    # unlink cannot tell which posting of a split the match moved: refused, said, nothing written
    before = snapshot(shop / "books")
    out = run(shop, "unlink", "B5", code=2)
    assert "bank line B5 is split by hand (Income:Other, Assets:Transit:WeChat) and linked (payout-P100002)" in out
    assert snapshot(shop / "books") == before


def test_link_of_a_split_line_moves_the_part_left_in_suspense_only(shop):
    add(shop, WECHAT, PAYOUT_2)
    add(shop, OPS, CREDIT_SPLIT)
    ops = text(shop, OPS)
    out = run(shop, "link", "B5", "P100002")
    assert out.startswith("bank line B5 (50.00 CNY, the part of 80.00 CNY left in Assets:Suspense) linked to "
                          "payout-P100002")
    assert text(shop, OPS) == ops.replace('2026-03-12 * "某某科技有限公司" "转账 P100002"\n',
                                          '2026-03-12 * "某某科技有限公司" "转账 P100002" ^payout-P100002\n').replace(
        "  Assets:Suspense                              -50.00 CNY\n",
        "  Assets:Transit:WeChat                        -50.00 CNY\n")


def test_open_items_for_a_split_line_and_its_unlink(shop):
    out = json.loads(run(shop, "open-items", "--for", "B2", "--format", "json"))
    assert out == {"items": []}   # nothing open it could settle: not refused
    before = snapshot(shop / "books")
    out = run(shop, "unlink", "B2")
    assert out.startswith("bank line B2 is split by hand (Expenses:Hosting, Assets:Suspense) and not linked: "
                          "unlink books no posting of a split back; nothing was written")
    assert snapshot(shop / "books") == before


def test_a_line_split_by_hand_with_nothing_in_suspense_is_named_and_left_as_it_is(shop):
    add(shop, OPS, RENT_SPLIT)
    before = snapshot(shop / "books")
    out = run(shop, "unlink", "B4")
    assert out.startswith("bank line B4 is split by hand (Expenses:Rent, Expenses:Utilities) and not linked: "
                          "unlink books no posting of a split back; nothing was written")
    out = run(shop, "open-items", "--for", "B4", code=2)
    assert "bank line B4 is split by hand (Expenses:Rent, Expenses:Utilities) and has nothing left in " \
           "Assets:Suspense" in out
    out = run(shop, "book", "B4", "Expenses:Office", code=2)
    assert "bank line B4 is split by hand (Expenses:Rent, Expenses:Utilities) and has nothing left in " \
           "Assets:Suspense: nothing to book" in out
    assert run(shop, "book", "B4", "Expenses:Utilities").startswith(
        "bank line B4 (split by hand: Expenses:Rent, Expenses:Utilities) booked to Expenses:Utilities (already; "
        "nothing was written)")
    assert snapshot(shop / "books") == before
    # nor does match take it for a line classified before (its history): it has no one account
    out = json.loads(run(shop, "match", "--format", "json"))
    assert not any("B4" in p["bank_refs"] for p in out["proposals"])
    assert "B4" not in {u["bank_ref"] for u in out["unproposed"]}


def test_an_unsplit_line_reads_as_before(shop):
    # must not fire: B3, two postings, is open by its whole amount and unlinks as ever
    out = json.loads(run(shop, "match", "--format", "json"))
    assert {u["bank_ref"]: u["amount"] for u in out["unproposed"]}["B3"] == "8000.00"
    old = text(shop, OPS)
    assert run(shop, "book", "B3", "Income:Other").startswith("bank line B3 (8,000.00 CNY) booked to Income:Other\n")
    assert run(shop, "unlink", "B3").startswith("bank line B3: booked back to Assets:Suspense")
    assert text(shop, OPS) == old
