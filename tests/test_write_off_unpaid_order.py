"""An order cancelled in the shop that nobody ever paid (blind32 newcomer3: Shopify order
#2015, booked from an export that said `paid`, then `voided` in the next; order-unpaid,
rightly). Nothing in the resolution loop took its sale out: `write-off order-unpaid` was
refused ("a write-off settles one of payout-mismatch, …") without saying what else to do,
and `follow-up --done` left the 236.74 in sales and the receivable. Now `write-off
order-unpaid REF --reason "…"` books the order's reversal (receivable back to zero against
the shop's sales account, `checks.order-unpaid.write_off.account` to change it; its limit
is 0, so it always asks a reason and stays listed, acknowledged, with it). Money for the
order that comes after all is the same finding again, naming the write-off, and
`write-off` again takes it back, as for an amount-mismatch paid since (blind29)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import snapshot
from test_resolve import findings, run
from test_write_off_paid_since import ACCOUNTS, CONFIG, charge, order, payout

REASON = "cancelled in the shop, never paid"


def merchant(root, config=CONFIG):
    """January: #2003 (40.00) paid, #2004 (60.00) and #2005 (25.00) never paid."""
    files = {
        "config.yaml": config,
        "books/main.beancount": 'option "operating_currency" "EUR"\ninclude "accounts.beancount"\n'
                                'include "acks.beancount"\ninclude "*/*/*.beancount"\n',
        "books/acks.beancount": "",
        "books/accounts.beancount": "".join(f"2000-01-01 open {a}\n" for a in ACCOUNTS),
        "books/shopify/2026/2026-01.beancount": order("2026-01-21", 2004, "60.00") + order("2026-01-21", 2005, "25.00")
        + order("2026-01-22", 2003, "40.00"),
    }
    out, credit = payout("2026-01-23", "po_A", "39.75", "2026-01-26", "B1")
    files["books/stripe/2026/2026-01.beancount"] = charge("2026-01-22", "txn_A3", 2003, "40.00", "po_A") + out
    files["books/bank/2026/2026-01.beancount"] = credit
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root


def paid_later(root, amount, day="2026-02-09"):
    """The customer pays #2004 after all: a charge of `amount` on `day`, paid out and credited."""
    month = day[:7]
    net = f"{Decimal(amount) - Decimal('0.25'):.2f}"
    out, credit = payout(day, "po_B", net, day, "B2")
    with (root / f"books/stripe/2026/{month}.beancount").open("a", encoding="utf-8") as fh:
        fh.write(charge(day, "txn_B1", 2004, amount, "po_B") + out)
    with (root / f"books/bank/2026/{month}.beancount").open("a", encoding="utf-8") as fh:
        fh.write(credit)


@pytest.fixture(autouse=True)
def alice(monkeypatch):
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    return merchant(tmp_path)


def text(shop, name):
    return (shop / "books" / name).read_text(encoding="utf-8")


def unpaid(shop):
    return sorted((f.refs[0], f.amount, f.severity, f.acknowledged) for f in findings(shop) if f.code == "order-unpaid")


ENTRY = ('\n2026-01-21 ! "beanclear" "write-off order-unpaid: order #2004 of 60.00 EUR on 2026-01-21 has no payment '
         '5 days later (expected within 3)" ^order-2004\n'
         '  write-off: "order-unpaid"\n'
         '  settles: "#2004"\n'
         f'  reason: "{REASON}"\n'
         '  finding-source: "shopify"\n'
         '  written-off-by: "alice"\n'
         '  Income:Sales:Shopify                         60.00 EUR\n'
         '  Assets:Receivable:Shopify                   -60.00 EUR\n')


def test_a_cancelled_order_never_paid_is_written_off_against_its_sale_with_a_reason(shop):
    assert unpaid(shop) == [("#2004", Decimal("60.00"), "error", False), ("#2005", Decimal("25.00"), "error", False)]
    before = snapshot(shop / "books")
    out = run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    assert out.splitlines()[0] == f"order-unpaid #2004: 60.00 EUR written off to Income:Sales:Shopify ({REASON})"
    after = snapshot(shop / "books")
    assert {k for k in after if after[k] != before.get(k)} == {"writeoffs.beancount", "main.beancount"}
    from beanclear.resolve import RESOLVE_HEADER
    assert text(shop, "writeoffs.beancount") == RESOLVE_HEADER + ENTRY
    # the sale is out of the books; the finding stays listed, acknowledged with its reason;
    # the other unpaid order is as it was
    assert unpaid(shop) == [("#2004", Decimal("60.00"), "error", True), ("#2005", Decimal("25.00"), "error", False)]
    [f] = [f for f in findings(shop) if f.refs[0] == "#2004"]
    assert f.message == ("order #2004 of 60.00 EUR on 2026-01-21 has no payment 5 days later (expected within 3) — "
                         f"written off above the limit: {REASON}")
    from beanclear import books as books_mod
    from beancount.core import realization
    entries, _, _ = books_mod.load(shop / "books" / "main.beancount")
    real = realization.realize(entries)
    sales = realization.get(real, "Income:Sales:Shopify").balance
    assert str(sales) == "(-65.00 EUR)"   # #2003 and #2005, no more #2004
    # done: again writes nothing
    again = run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    assert "is written off already (books/writeoffs.beancount:4); nothing was written" in again
    assert snapshot(shop / "books") == after


def test_without_a_reason_it_is_refused_and_nothing_is_written(shop):
    before = snapshot(shop / "books")
    out = run(shop, "write-off", "order-unpaid", "#2004", code=2)
    assert ("order-unpaid #2004: a write-off of order-unpaid asks a reason whatever its amount (60.00 EUR to "
            "Income:Sales:Shopify); give a "
            "--reason (it is kept in the books and shown)") in out
    assert snapshot(shop / "books") == before


def test_the_account_and_a_limit_are_the_configs(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    shop = merchant(tmp_path, CONFIG + "checks:\n"
                    "  order-unpaid: {write_off: {account: Expenses:Bad-Debts, limit: 30}}\n")
    out = run(shop, "write-off", "order-unpaid", "#2005")   # within the limit: no reason asked
    assert out.splitlines()[0] == "order-unpaid #2005: 25.00 EUR written off to Expenses:Bad-Debts"
    assert text(shop, "writeoffs.beancount").endswith(
        '2026-01-21 * "beanclear" "write-off order-unpaid: order #2005 of 25.00 EUR on 2026-01-21 has no payment '
        '5 days later (expected within 3)" ^order-2005\n'
        '  write-off: "order-unpaid"\n'
        '  settles: "#2005"\n'
        '  written-off-by: "alice"\n'
        '  Expenses:Bad-Debts                           25.00 EUR\n'
        '  Assets:Receivable:Shopify                   -25.00 EUR\n')
    assert text(shop, "accounts.beancount").endswith("2000-01-01 open Expenses:Bad-Debts\n")
    assert unpaid(shop) == [("#2004", Decimal("60.00"), "error", False)]   # resolved by the books: not listed
    run(shop, "write-off", "order-unpaid", "#2004", code=2)   # above 30.00: a reason asked


def test_an_order_not_listed_unpaid_is_refused(shop):
    before = snapshot(shop / "books")
    out = run(shop, "write-off", "order-unpaid", "#2003", "--reason", REASON, code=2)
    assert "no order-unpaid finding names #2003" in out
    assert snapshot(shop / "books") == before


@pytest.mark.parametrize("day", ["2026-02-09", "2026-01-21", "2026-02-27"])
def test_paid_after_all_the_write_off_is_listed_again_and_writing_off_again_reverses_it(shop, day):
    # (2026-01-21: the charge is of the order's own day, imported after the write-off: money
    # of an order written off unpaid is money since, whatever its day; 2026-02-27: no
    # deadline's finding, it is dated the day the money came, not order_days after it in March)
    run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    paid_later(shop, "60.00", day)
    [f] = [f for f in findings(shop) if f.refs[0] == "#2004"]
    assert (f.code, f.amount, f.severity, f.acknowledged) == ("order-unpaid", Decimal("60.00"), "error", False)
    assert f.date.isoformat() == day
    assert f.message == (
        f"order #2004 of 60.00 EUR was paid 60.00 EUR (stripe txn_B1) on {day}, after it was written off unpaid — "
        "written off as 60.00 EUR (the write-off at writeoffs.beancount:4), and nothing is owed now: it over-settles "
        "Assets:Receivable:Shopify by 60.00 EUR; `beanclear write-off order-unpaid '#2004'` reverses it")
    before = text(shop, "writeoffs.beancount")
    out = run(shop, "write-off", "order-unpaid", "#2004")   # taking back asks no reason
    assert out.splitlines()[0] == ("order-unpaid #2004: the write-off of 60.00 EUR to Income:Sales:Shopify reversed "
                                   "(paid since)")
    assert text(shop, "writeoffs.beancount") == before + (
        f'\n{day} * "beanclear" "write-off order-unpaid reversed: order #2004 of 60.00 EUR was paid 60.00 EUR '
        f'(stripe txn_B1) on {day}, after it was written off unpaid" ^order-2004\n'
        '  write-off: "order-unpaid"\n'
        '  settles: "#2004 txn_B1 2004"\n'
        '  reverses: "2026-01-21"\n'
        '  written-off-by: "alice"\n'
        '  Income:Sales:Shopify                        -60.00 EUR\n'
        '  Assets:Receivable:Shopify                    60.00 EUR\n')
    assert not [f for f in findings(shop) if f.refs[0] == "#2004"]   # the sale is back, paid: nothing to list
    again = run(shop, "write-off", "order-unpaid", "#2004")
    assert "was written off, and the write-off reversed on" in again and "nothing was written" in again


def test_paid_in_part_after_all_writing_off_again_takes_back_the_part_paid(shop):
    run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    paid_later(shop, "20.00")
    [f] = [f for f in findings(shop) if f.refs[0] == "#2004"]
    assert (f.code, f.amount, f.acknowledged) == ("order-unpaid", Decimal("40.00"), False)
    assert f.message == (
        "order #2004 of 60.00 EUR was paid 20.00 EUR (stripe txn_B1) on 2026-02-09, after it was written off unpaid — "
        "written off as 60.00 EUR (the write-off at writeoffs.beancount:4), not its difference of 40.00 EUR; "
        "`beanclear write-off order-unpaid '#2004'` books the change")
    before = text(shop, "writeoffs.beancount")
    run(shop, "write-off", "order-unpaid", "#2004")
    assert text(shop, "writeoffs.beancount") == before + (
        '\n2026-02-09 * "beanclear" "write-off order-unpaid reversed: order #2004 of 60.00 EUR was paid 20.00 EUR '
        '(stripe txn_B1) on 2026-02-09, after it was written off unpaid" ^order-2004\n'
        '  write-off: "order-unpaid"\n'
        '  settles: "#2004 txn_B1 2004"\n'
        '  reverses: "2026-01-21"\n'
        '  written-off-by: "alice"\n'
        '  Income:Sales:Shopify                        -20.00 EUR\n'
        '  Assets:Receivable:Shopify                    20.00 EUR\n')
    # 40.00 written off still, with the reason given: listed, acknowledged
    [f] = [f for f in findings(shop) if f.refs[0] == "#2004"]
    assert (f.code, f.amount, f.acknowledged) == ("order-unpaid", Decimal("40.00"), True)
    assert f.message.endswith(f"— written off above the limit: {REASON}")


def test_a_write_off_edited_by_hand_to_another_amount_leaves_the_order_listed(shop):
    run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    path = shop / "books" / "writeoffs.beancount"
    path.write_text(path.read_text(encoding="utf-8").replace("60.00 EUR\n", "50.00 EUR\n"), encoding="utf-8")
    [f] = [f for f in findings(shop) if f.refs[0] == "#2004"]
    assert (f.code, f.acknowledged) == ("order-unpaid", False)
    assert f.message.endswith("— written off as 50.00 EUR (the write-off at writeoffs.beancount:4), not its "
                              "difference of 60.00 EUR")


def test_a_follow_up_marked_done_says_the_sale_is_still_in_the_books_and_how_to_take_it_out(shop):
    # blind32: `follow-up --done` marked it resolved by hand, the 236.74 left in sales, unsaid
    run(shop, "follow-up", "order-unpaid", "#2004", "--owner", "bob", "--due", "2026-03-10")
    out = run(shop, "follow-up", "order-unpaid", "#2004", "--done", "--note", "cancelled by the customer")
    assert out.splitlines()[0] == (
        "order-unpaid #2004: follow-up done (cancelled by the customer); its sale of 60.00 EUR stays in the books "
        "(Assets:Receivable:Shopify): where the order was cancelled and never paid, `beanclear write-off order-unpaid "
        "'#2004' --reason \"…\"` takes it out, against Income:Sales:Shopify")
    # (written off after all: the done line is history, the write-off the finding's state)
    run(shop, "write-off", "order-unpaid", "#2004", "--reason", REASON)
    assert unpaid(shop) == [("#2004", Decimal("60.00"), "error", True), ("#2005", Decimal("25.00"), "error", False)]
