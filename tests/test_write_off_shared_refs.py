"""A write-off names the finding it resolves by the finding's own refs, not by those it
shares with other findings (blind11): two fee-gaps of Stripe charges paid out in one
payout, each written off, cancelled each other — every write-off's `settles:` held the
payout's id, so each finding summed every write-off naming that payout ("written off as
3.00 HKD (2 write-offs …), not its difference of 1.00 HKD"), `check` exited 1, and the
second write-off copied the first's wrong text into its narration. The same for two
amount-mismatches, or two fx-gaps, of one payout. `settles:` now holds the finding's own
refs (the charge, the order, the conversion; all of a payout-mismatch's: its identity is
the payout), and a write-off names the finding whose refs hold its first one and whose
first one it holds — so earlier releases' write-offs, the payout's id among them, still
resolve their own finding and no other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear.checks import checking
from beanclear.resolve import RESOLVE_HEADER
from conftest import beanclear, snapshot

ACCOUNTS = ("Assets:Bank:HSBC", "Assets:Clearing:Stripe", "Assets:Transit:Stripe", "Income:Sales:Stripe",
            "Expenses:Fees:Stripe", "Assets:Suspense")
MAIN = 'option "operating_currency" "HKD"\ninclude "accounts.beancount"\ninclude "acks.beancount"\ninclude "*/*/*.beancount"\n'
CONFIG = """\
books: books
currency: HKD
channels:
  stripe:
    type: stripe
    currency: HKD
    settlement_days: 3
    bank: hsbc
    bank_days: 2
    fees:
      - {rate: 0.034, fixed: 2.35}
banks:
  hsbc: {type: hsbc-hk, account: Assets:Bank:HSBC, currency: HKD}
"""


def charge(ident: str, order: str, gross: str, fee: str, net: str, extra: str = "") -> str:
    return (f'2025-03-10 * "Order #{order} by x@x.com" ^order-{order} ^payout-po_1\n  id: "{ident}"\n'
            f'  order-id: "{order}"\n  payout-id: "po_1"\n{extra}'
            f"  Assets:Clearing:Stripe  {net} HKD\n" + (f"  Expenses:Fees:Stripe  {fee} HKD\n" if fee else "")
            + f"  Income:Sales:Stripe  -{gross} HKD\n\n")


def payout(amount: str) -> str:
    return (f'2025-03-12 * "Stripe" "STRIPE PAYOUT" ^payout-po_1\n  id: "po_1"\n  payout-id: "po_1"\n'
            f"  Assets:Transit:Stripe  {amount} HKD\n  Assets:Clearing:Stripe  -{amount} HKD\n")


def bank(amount: str) -> str:
    return (f'2025-03-13 * "STRIPE PAYMENTS UK LTD po_1" ^payout-po_1\n  id: "B1"\n'
            f"  Assets:Bank:HSBC  {amount} HKD\n  Assets:Transit:Stripe  -{amount} HKD\n")


def books(root: Path, config: str, stripe: str, credited: str) -> Path:
    files = {"config.yaml": config, "books/main.beancount": MAIN, "books/acks.beancount": "",
             "books/accounts.beancount": "".join(f"2000-01-01 open {a}\n" for a in ACCOUNTS),
             "books/stripe/2025/2025-03.beancount": stripe, "books/hsbc/2025/2025-03.beancount": bank(credited)}
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def alice(monkeypatch):
    """Who writes off: every write-off names its author ($USER), as close's `closed-by:`."""
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")


@pytest.fixture
def fees(tmp_path, monkeypatch):
    """Two charges of payout po_1, each charged a fee above the 3.4% + 2.35 contract: by
    1.00 HKD (txn_1) and by 2.00 HKD (txn_2). The bank got the payout 0.50 HKD short."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-03-20")
    return books(tmp_path, CONFIG, charge("txn_1", "1", "100.00", "6.75", "93.25")
                 + charge("txn_2", "2", "200.00", "11.15", "188.85") + payout("282.10"), "281.60")


def run(root, *args, code=0):
    result = beanclear(root, *args)
    assert result.exit_code == code, result.output
    return result.output


def found(root, code):
    return [f for f in checking.check(config_mod.load(root / "config.yaml")).findings if f.code == code]


def writeoffs(root) -> str:
    return (root / "books" / "writeoffs.beancount").read_text(encoding="utf-8")


FEE_1 = ('\n2025-03-10 * "beanclear" "write-off fee-gap: fee 6.75 HKD on 100.00 HKD, contract 3.4% + 2.35 = 5.75 HKD"\n'
         '  write-off: "fee-gap"\n  settles: "txn_1"\n  written-off-by: "alice"\n'
         "  Expenses:Fees:Stripe                          1.00 HKD\n"
         "  Expenses:Fees:Stripe                         -1.00 HKD\n")
FEE_2 = ('\n2025-03-10 * "beanclear" "write-off fee-gap: fee 11.15 HKD on 200.00 HKD, contract 3.4% + 2.35 = 9.15 HKD"\n'
         '  write-off: "fee-gap"\n  settles: "txn_2"\n  written-off-by: "alice"\n'
         "  Expenses:Fees:Stripe                          2.00 HKD\n"
         "  Expenses:Fees:Stripe                         -2.00 HKD\n")
PLAIN_2 = "fee 11.15 HKD on 200.00 HKD, contract 3.4% + 2.35 = 9.15 HKD"


def test_two_fee_gaps_of_one_payout_each_written_off_are_both_resolved(fees):
    assert [f.refs for f in found(fees, "fee-gap")] == [("txn_1", "1", "po_1"), ("txn_2", "2", "po_1")]
    before = snapshot(fees / "books")
    assert run(fees, "write-off", "fee-gap", "txn_1").startswith(
        "fee-gap txn_1: 1.00 HKD written off to Expenses:Fees:Stripe\n")
    after = snapshot(fees / "books")
    assert {n for n in after if after[n] != before.get(n)} == {"writeoffs.beancount", "main.beancount"}
    assert writeoffs(fees) == RESOLVE_HEADER + FEE_1
    # the other finding of the payout is as it was: no write-off of its own yet
    [other] = found(fees, "fee-gap")
    assert other.refs[0] == "txn_2" and other.message == PLAIN_2 and other.severity == "error"
    run(fees, "write-off", "fee-gap", "txn_2")
    assert writeoffs(fees) == RESOLVE_HEADER + FEE_1 + FEE_2   # its narration the finding's own message
    assert not found(fees, "fee-gap")
    assert "fee-gap" not in run(fees, "check", code=1)   # (the payout the bank got short is an error still)
    report = json.loads(run(fees, "report", "2025-03", "--format", "json"))
    assert sorted((r["refs"][0], r["status"], r["resolution"]) for r in report["findings"]
                  if r["code"] == "fee-gap") == [("txn_1", "resolved", "written off to Expenses:Fees:Stripe"),
                                                 ("txn_2", "resolved", "written off to Expenses:Fees:Stripe")]


def test_write_offs_an_earlier_release_wrote_with_the_payout_in_settles_resolve_only_their_own(fees):
    # books written before: `settles:` held every ref of the finding, the payout's among them
    old_1 = FEE_1.replace('settles: "txn_1"', 'settles: "txn_1 1 po_1"').replace('  written-off-by: "alice"\n', "")
    old_2 = FEE_2.replace('settles: "txn_2"', 'settles: "txn_2 2 po_1"').replace('  written-off-by: "alice"\n', "")
    (fees / "books" / "writeoffs.beancount").write_text(RESOLVE_HEADER + old_1, encoding="utf-8")
    main = fees / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "writeoffs.beancount"\n', encoding="utf-8")
    [other] = found(fees, "fee-gap")
    assert other.refs[0] == "txn_2" and other.message == PLAIN_2
    assert "written off already" in run(fees, "write-off", "fee-gap", "txn_1")
    run(fees, "write-off", "fee-gap", "txn_2")
    assert writeoffs(fees) == RESOLVE_HEADER + old_1 + FEE_2
    assert not found(fees, "fee-gap")
    (fees / "books" / "writeoffs.beancount").write_text(RESOLVE_HEADER + old_1 + old_2, encoding="utf-8")
    assert not found(fees, "fee-gap")


def test_a_ref_two_findings_share_names_neither_for_a_write_off(fees):
    # po_1 is a ref of both fee-gaps: writing off "the" finding it names would pick one
    # on an assumption, and the same command again the other
    before = snapshot(fees / "books")
    out = run(fees, "write-off", "fee-gap", "po_1", code=2)
    assert "fee-gap po_1: 2 findings name it (txn_1 and txn_2)" in out and "nothing was written" in out
    assert snapshot(fees / "books") == before


def test_a_write_off_made_by_a_ref_settles_leaves_out_is_found_again_by_it(fees):
    # blind24: `write-off fee-gap 1033` (the order the charge paid, a ref `check` lists and
    # `settles:` leaves out as context) wrote the write-off; the same command again said
    # "no fee-gap finding names 1033", exit 2, where any action done twice says so, exit 0
    run(fees, "write-off", "fee-gap", "1")
    assert writeoffs(fees) == RESOLVE_HEADER + FEE_1
    before = snapshot(fees / "books")
    assert run(fees, "write-off", "fee-gap", "1") == (
        "fee-gap 1 is written off already (books/writeoffs.beancount:4); nothing was written\n")
    # an acknowledgment or a follow-up by it is told what resolved it, as by the charge
    for args in (("ack", "fee-gap", "1", "--reason", "x"),
                 ("follow-up", "fee-gap", "1", "--owner", "bob", "--due", "2025-03-30")):
        assert "no fee-gap finding names 1: the write-off at books/writeoffs.beancount:4 resolved it; " \
            "nothing was written" in run(fees, *args, code=2)
    assert snapshot(fees / "books") == before
    # must not fire: the other charge of the payout, by its own order, is still written off
    assert run(fees, "write-off", "fee-gap", "2").startswith("fee-gap 2: 2.00 HKD written off")
    assert writeoffs(fees) == RESOLVE_HEADER + FEE_1 + FEE_2
    # the payout both charges went out in names them both; both written off, that is said
    assert "fee-gap po_1 is written off already (books/writeoffs.beancount:11)" in run(
        fees, "write-off", "fee-gap", "po_1")


# -- the same for the other codes a write-off resolves ---------------------------------------

def test_two_fx_gaps_of_one_payout_each_written_off_are_both_resolved(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-03-20")

    def converted(ident, order, eur, rate, hkd):
        return charge(ident, order, hkd, "", hkd,
                      f'  fx-pair: "EUR/HKD"\n  fx-rate: "{rate}"\n  customer-amount: "{eur} EUR"\n')
    root = books(tmp_path, CONFIG.replace("    fees:\n      - {rate: 0.034, fixed: 2.35}\n", ""),
                 "2025-03-01 price EUR 8.50 HKD\n\n" + converted("txn_1", "1", "10.00", "8.00", "80.00")
                 + converted("txn_2", "2", "20.00", "8.10", "162.00") + payout("242.00"), "242.00")
    assert [(f.refs, f.amount) for f in found(root, "fx-gap")] == [(("txn_1", "1", "po_1"), 5), (("txn_2", "2", "po_1"), 8)]
    run(root, "write-off", "fx-gap", "txn_1")
    [other] = found(root, "fx-gap")
    assert other.refs[0] == "txn_2" and " — written off" not in other.message
    run(root, "write-off", "fx-gap", "txn_2")
    assert not found(root, "fx-gap")
    assert [line for line in writeoffs(root).splitlines() if "settles" in line] == [
        '  settles: "txn_1"', '  settles: "txn_2"']


def test_two_amount_mismatches_of_one_payout_each_written_off_are_both_resolved(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-03-20")
    config = CONFIG.replace("    fees:\n      - {rate: 0.034, fixed: 2.35}\n", "    shop: shop\n") + \
        "shops:\n  shop: {type: shopify, order_days: 3}\n"

    def order(n, amount):
        return (f'2025-03-10 * "Order #{n}" ^order-{n}\n  id: "order:#{n}"\n  order-id: "#{n}"\n'
                f"  Assets:Receivable:Shop  {amount} HKD\n  Income:Sales:Shop  -{amount} HKD\n\n")
    paid = (charge("txn_1", "1", "99.50", "", "99.50") + charge("txn_2", "2", "199.00", "", "199.00")
            ).replace("Income:Sales:Stripe", "Assets:Receivable:Shop")
    root = books(tmp_path, config, paid + payout("298.50"), "298.50")
    (root / "books/shop/2025").mkdir(parents=True)
    (root / "books/shop/2025/2025-03.beancount").write_text(order(1, "100.00") + order(2, "200.00"), encoding="utf-8")
    accounts = root / "books" / "accounts.beancount"
    accounts.write_text(accounts.read_text(encoding="utf-8") + "2000-01-01 open Assets:Receivable:Shop\n"
                        "2000-01-01 open Income:Sales:Shop\n", encoding="utf-8")
    assert [f.refs for f in found(root, "amount-mismatch")] == [("#1", "txn_1", "1", "po_1"), ("#2", "txn_2", "2", "po_1")]
    run(root, "write-off", "amount-mismatch", "#1")
    [other] = found(root, "amount-mismatch")
    assert other.refs[0] == "#2" and " — written off" not in other.message
    run(root, "write-off", "amount-mismatch", "#2")
    assert not found(root, "amount-mismatch")
    # the order and its payment are the finding's; the payout its payment went out in is not
    assert writeoffs(root) == RESOLVE_HEADER + "".join(
        f'\n2025-03-10 * "beanclear" "write-off amount-mismatch: order #{n} of {o} HKD was paid {p} HKD '
        f'(stripe txn_{n})" ^order-{n}\n  write-off: "amount-mismatch"\n  settles: "#{n} txn_{n} {n}"\n'
        '  written-off-by: "alice"\n'
        f"  Expenses:Rounding                             {d} HKD\n"
        f"  Assets:Receivable:Shop                       -{d} HKD\n"
        for n, o, p, d in ((1, "100.00", "99.50", "0.50"), (2, "200.00", "199.00", "1.00")))


# -- must not fire ---------------------------------------------------------------------------

def test_a_payout_mismatch_write_off_names_the_payout_and_still_resolves(fees):
    run(fees, "write-off", "fee-gap", "txn_1")
    run(fees, "write-off", "payout-mismatch", "po_1")
    assert not found(fees, "payout-mismatch")
    assert writeoffs(fees) == RESOLVE_HEADER + FEE_1 + (
        '\n2025-03-13 * "beanclear" "write-off payout-mismatch: payout of 282.10 HKD arrived at the bank as '
        '281.60 HKD" ^payout-po_1\n  write-off: "payout-mismatch"\n  settles: "po_1 B1"\n  written-off-by: "alice"\n'
        "  Expenses:Fees:Bank                            0.50 HKD\n"
        "  Assets:Transit:Stripe                        -0.50 HKD\n")
    [other] = found(fees, "fee-gap")   # the payout's write-off is no fee-gap's
    assert other.refs[0] == "txn_2" and other.message == PLAIN_2
    run(fees, "check", code=1)
    run(fees, "write-off", "fee-gap", "txn_2")
    run(fees, "check")


def test_a_fee_gap_write_off_of_another_amount_still_says_not_its_difference(fees):
    run(fees, "write-off", "fee-gap", "txn_1")
    run(fees, "write-off", "fee-gap", "txn_2")
    path = fees / "books" / "writeoffs.beancount"
    path.write_text(path.read_text(encoding="utf-8").replace(" 1.00 HKD", " 7.50 HKD").replace("-1.00 HKD", "-7.50 HKD"),
                    encoding="utf-8")
    [f] = found(fees, "fee-gap")
    assert f.refs[0] == "txn_1" and f.severity == "error" and not f.acknowledged
    assert f.message == ("fee 6.75 HKD on 100.00 HKD, contract 3.4% + 2.35 = 5.75 HKD — written off as 7.50 HKD "
                         "(the write-off at writeoffs.beancount:4), not its difference of 1.00 HKD")


# -- the rule itself, on findings as the checks make them -------------------------------------

def _write_off(code: str, settles: str, account: str, amount: str, currency: str = "HKD", lineno: int = 1):
    import datetime as dt
    from decimal import Decimal
    from beancount.core import data
    from beancount.core.amount import Amount
    meta = {"filename": "writeoffs.beancount", "lineno": lineno, "write-off": code, "settles": settles}
    other = "Expenses:Fees:Bank" if account.startswith("Assets:") else account
    postings = [data.Posting(other, Amount(Decimal(amount), currency), None, None, None, None),
                data.Posting(account, Amount(-Decimal(amount), currency), None, None, None, None)]
    return data.Transaction(meta, dt.date(2025, 3, 12), "*", "beanclear", f"write-off {code}", frozenset(),
                            frozenset(), postings)


def test_per_day_fee_gaps_of_one_payout_and_their_earlier_write_offs_each_resolve_their_own():
    # a day's finding names its payments and the payout they went out in: the next day's
    # names that payout too
    import datetime as dt
    from decimal import Decimal
    from beanclear.checks.findings import Finding
    from beanclear.checks import resolutions as state

    def day(n, ids, gap):
        return Finding("fee-gap", dt.date(2025, 3, n), "stripe", "Expenses:Fees:Stripe", Decimal(gap), "HKD",
                       f"payments of 2025-03-{n}", (*ids, "po_1"))
    first, second = day(10, ("txn_1", "txn_2"), "1.00"), day(11, ("txn_3",), "2.00")
    offs = [_write_off("fee-gap", "txn_1 txn_2 po_1", "Expenses:Fees:Stripe", "1.00"),
            _write_off("fee-gap", "txn_3 po_1", "Expenses:Fees:Stripe", "2.00", lineno=7)]
    assert state.apply([first, second], offs[:1]) == [second]
    assert state.apply([first, second], offs) == []


def test_a_payout_mismatchs_write_off_in_transit_is_not_its_clearing_findings():
    # the clearing check's finding of a payout names its items and the payout's entry; the
    # transit check's, the payout's entry and the bank line: one's write-off is not the other's
    import datetime as dt
    from decimal import Decimal
    from beanclear.checks.findings import Finding
    from beanclear.checks import resolutions as state
    clearing = Finding("payout-mismatch", dt.date(2025, 3, 12), "stripe", "Assets:Clearing:Stripe", Decimal("0.30"),
                       "HKD", "payout po_1 of 282.10 HKD settles items of 282.40 HKD", ("txn_1", "1", "po_1", "txn_2"),
                       expected=Decimal("282.40"), actual=Decimal("282.10"))
    transit = _write_off("payout-mismatch", "po_1 B1", "Assets:Transit:Stripe", "0.50")
    assert state.apply([clearing], [transit]) == [clearing]   # not "written off as 0.00 HKD (…)"
