"""A write-off of an order's difference, and then the customer pays that difference after
all (blind29 writeoffs: order #2001 of 240.00 EUR collected 235.00, the 5.00 written off to
Expenses:Rounding, and in February a Stripe charge of 5.00 naming the order). The
receivable was over-settled by the write-off (-5.00) and Expenses held 5.00 that never
happened, with no finding: the order's payments no longer differed from it, so the check
compared nothing, and the finding stayed "acknowledged" (written off above the limit) or
resolved. Now the order is one amount-mismatch again, dated the day the money came, naming
the write-off that over-settles it; `write-off` again books its reversal that day (a
closed January stays as it was). A payment of part of the difference leaves the rest
written off: the finding says the write-off is of another amount than the difference now,
and `write-off` again books the change."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beanclear.resolve import RESOLVE_HEADER
from conftest import snapshot
from test_resolve import findings, run

CONFIG = ("books: books\ncurrency: EUR\n"
          "channels:\n  stripe: {type: stripe, currency: EUR, settlement_days: 7, bank: bank, bank_days: 3}\n"
          "shops:\n  shopify: {type: shopify, order_days: 3}\n"
          "banks:\n  bank: {type: ofx, account: Assets:Bank:Sparkasse, currency: EUR}\n")
ACCOUNTS = ("Assets:Bank:Sparkasse", "Assets:Clearing:Stripe", "Assets:Transit:Stripe", "Assets:Receivable:Shopify",
            "Income:Sales:Shopify", "Expenses:Fees:Stripe", "Assets:Suspense")


def order(day, number, amount):
    return (f'{day} * "Order #{number} / Vase" ^order-{number}\n  id: "order:#{number}"\n  order-id: "#{number}"\n'
            f'  Assets:Receivable:Shopify  {amount:>16} EUR\n  Income:Sales:Shopify  {"-" + amount:>21} EUR\n\n')


def charge(day, ident, number, amount, payout):
    net = Decimal(amount) - Decimal("0.25")
    return (f'{day} * "Order #{number}" ^order-{number} ^payout-{payout}\n  id: "{ident}"\n  order-id: "{number}"\n'
            f'  payout-id: "{payout}"\n  Assets:Clearing:Stripe  {net:>19} EUR\n'
            f'  Expenses:Fees:Stripe  {"0.25":>21} EUR\n  Assets:Receivable:Shopify  {"-" + amount:>16} EUR\n\n')


def payout(day, ident, amount, credited, bank_ref):
    return (f'{day} * "Stripe" "STRIPE PAYOUT" ^payout-{ident}\n  id: "{ident}"\n'
            f'  Assets:Transit:Stripe  {amount:>20} EUR\n  Assets:Clearing:Stripe  {"-" + amount:>19} EUR\n\n',
            f'{credited} * "STRIPE" "STRIPE TRANSFER {ident}" ^payout-{ident}\n  id: "{bank_ref}"\n'
            f'  Assets:Bank:Sparkasse  {amount:>20} EUR\n  Assets:Transit:Stripe  {"-" + amount:>20} EUR\n\n')


def merchant(root):
    """January: #2001 (240.00) paid 235.00, #2002 (85.00) paid 84.50, #2003 (40.00) paid in
    full; one payout of them, credited."""
    files = {
        "config.yaml": CONFIG,
        "books/main.beancount": 'option "operating_currency" "EUR"\ninclude "accounts.beancount"\n'
                                'include "acks.beancount"\ninclude "*/*/*.beancount"\n',
        "books/acks.beancount": "",
        "books/accounts.beancount": "".join(f"2000-01-01 open {a}\n" for a in ACCOUNTS),
        "books/shopify/2026/2026-01.beancount": order("2026-01-20", 2001, "240.00") + order("2026-01-21", 2002, "85.00")
        + order("2026-01-22", 2003, "40.00"),
    }
    out, credit = payout("2026-01-23", "po_A", f"{235 + 84.5 + 40 - 0.75:.2f}", "2026-01-26", "B1")
    files["books/stripe/2026/2026-01.beancount"] = (charge("2026-01-20", "txn_A1", 2001, "235.00", "po_A")
                                                    + charge("2026-01-21", "txn_A2", 2002, "84.50", "po_A")
                                                    + charge("2026-01-22", "txn_A3", 2003, "40.00", "po_A") + out)
    files["books/bank/2026/2026-01.beancount"] = credit
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root


def february(root, *paid):
    """February's statements: a charge naming each (order, amount) of `paid` on 02-09, and
    their payout, credited."""
    charges = "".join(charge("2026-02-09", f"txn_B{i}", number, amount, "po_B")
                      for i, (number, amount) in enumerate(paid, 1))
    total = sum(Decimal(amount) - Decimal("0.25") for _, amount in paid)
    out, credit = payout("2026-02-10", "po_B", f"{total:.2f}", "2026-02-12", "B2")
    (root / "books/stripe/2026/2026-02.beancount").write_text(charges + out, encoding="utf-8")
    (root / "books/bank/2026/2026-02.beancount").write_text(credit, encoding="utf-8")


@pytest.fixture(autouse=True)
def alice(monkeypatch):
    """Who writes off: every write-off names its author ($USER), as close's `closed-by:`."""
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    return merchant(tmp_path)


def written_off(shop):
    run(shop, "write-off", "amount-mismatch", "#2001", "--reason", "discount promised by phone")
    run(shop, "write-off", "amount-mismatch", "#2002")


def text(shop, name):
    return (shop / "books" / name).read_text(encoding="utf-8")


def test_the_merchant_is_clean_but_for_the_two_differences_which_write_offs_settle(shop):
    assert sorted((f.code, f.refs[0]) for f in findings(shop)) == [("amount-mismatch", "#2001"),
                                                                   ("amount-mismatch", "#2002")]
    written_off(shop)
    [f] = findings(shop)   # above the limit, with a reason: listed, acknowledged
    assert (f.code, f.refs[0], f.acknowledged) == ("amount-mismatch", "#2001", True)
    assert run(shop, "check").splitlines()[-1] == "0 errors, 0 warnings, 1 acknowledged"


def test_a_write_off_whose_difference_never_arrives_stays_resolved(shop):
    # (February's money pays another order: the write-offs of January settle their findings still)
    written_off(shop)
    (shop / "books/shopify/2026/2026-02.beancount").write_text(order("2026-02-08", 2004, "40.00"), encoding="utf-8")
    february(shop, (2004, "40.00"))
    [f] = findings(shop)
    assert (f.code, f.refs[0], f.acknowledged) == ("amount-mismatch", "#2001", True)
    assert f.message.endswith("— written off above the limit: discount promised by phone")


def test_the_difference_paid_after_its_write_off_is_one_finding_naming_the_write_off(shop):
    written_off(shop)
    february(shop, (2001, "5.00"), (2002, "0.50"))
    found = sorted((f for f in findings(shop)), key=lambda f: f.refs[0])
    assert [(f.code, f.refs[0]) for f in found] == [("amount-mismatch", "#2001"), ("amount-mismatch", "#2002")]
    first, second = found
    # dated the day the money came (February: January may be closed), at the write-off it makes wrong
    assert (first.date.isoformat(), first.severity, first.acknowledged) == ("2026-02-09", "error", False)
    assert (first.amount, first.currency, first.account) == (Decimal("5.00"), "EUR", "Assets:Receivable:Shopify")
    assert (first.file.endswith("writeoffs.beancount"), first.line) == (True, 4)
    assert first.refs == ("#2001", "txn_A1", "2001", "po_A", "txn_B1", "po_B")
    assert first.message == (
        "order #2001 of 240.00 EUR was paid 240.00 EUR (stripe txn_A1, stripe txn_B1), 5.00 EUR of it on "
        "2026-02-09, after its difference was written off — written off as 5.00 EUR (the write-off at "
        "writeoffs.beancount:4), and nothing is owed now: it over-settles Assets:Receivable:Shopify by 5.00 EUR; "
        "`beanclear write-off amount-mismatch '#2001'` reverses it")
    assert (second.amount, second.date.isoformat(), second.line) == (Decimal("0.50"), "2026-02-09", 13)
    assert second.message.startswith("order #2002 of 85.00 EUR was paid 85.00 EUR (stripe txn_A2, stripe txn_B2), "
                                     "0.50 EUR of it on 2026-02-09, after its difference was written off — ")
    out = run(shop, "check", code=1)
    assert out.splitlines()[-2] == "2 errors, 0 warnings, 0 acknowledged"
    # the month's report: open in February, where `close` waits for it
    report = json.loads(run(shop, "report", "2026-02", "--format", "json"))
    assert sorted((r["status"], r["refs"][0]) for r in report["findings"]) == [("open", "#2001"), ("open", "#2002")]


def test_writing_it_off_again_books_the_reversal_on_the_day_the_money_came(shop):
    written_off(shop)
    before = text(shop, "writeoffs.beancount")
    february(shop, (2001, "5.00"))
    books = snapshot(shop / "books")
    out = run(shop, "write-off", "amount-mismatch", "#2001")   # no reason asked: it takes back, above the limit or not
    assert out.splitlines()[0] == ("amount-mismatch #2001: the write-off of 5.00 EUR to Expenses:Rounding reversed "
                                   "(paid since)")
    after = snapshot(shop / "books")
    assert {k for k in after if after[k] != books.get(k)} == {"writeoffs.beancount"}
    assert text(shop, "writeoffs.beancount") == before + (
        '\n2026-02-09 * "beanclear" "write-off amount-mismatch reversed: order #2001 of 240.00 EUR was paid 240.00 EUR '
        '(stripe txn_A1, stripe txn_B1), 5.00 EUR of it on 2026-02-09, after its difference was written off" '
        '^order-2001\n'
        '  write-off: "amount-mismatch"\n'
        '  settles: "#2001 txn_A1 2001 txn_B1"\n'
        '  reverses: "2026-01-20"\n'
        '  written-off-by: "alice"\n'
        '  Expenses:Rounding                            -5.00 EUR\n'
        '  Assets:Receivable:Shopify                     5.00 EUR\n')
    assert not [f for f in findings(shop) if f.refs[0] == "#2001"]   # nothing listed: no stale acknowledgment either
    assert run(shop, "check").splitlines()[-1] == "0 errors, 0 warnings, 0 acknowledged"
    # done: again writes nothing
    again = run(shop, "write-off", "amount-mismatch", "#2001")
    assert again.splitlines()[0] == ("amount-mismatch #2001 was written off, and the write-off reversed on 2026-02-09 "
                                     "when the money came (books/writeoffs.beancount:20): nothing is owed; nothing "
                                     "was written")
    assert snapshot(shop / "books")["writeoffs.beancount"] == after["writeoffs.beancount"]
    # the months' reports: January's write-off was January's, February has nothing to list of it
    feb = json.loads(run(shop, "report", "2026-02", "--format", "json"))
    assert not [r for r in feb["findings"] if r["code"] == "amount-mismatch"], feb["findings"]


def test_the_reversal_of_a_write_off_within_the_limit(shop):
    written_off(shop)
    february(shop, (2002, "0.50"))
    run(shop, "write-off", "amount-mismatch", "#2002")
    assert text(shop, "writeoffs.beancount").endswith(
        '  reverses: "2026-01-21"\n'
        '  written-off-by: "alice"\n'
        '  Expenses:Rounding                            -0.50 EUR\n'
        '  Assets:Receivable:Shopify                     0.50 EUR\n')
    assert [(f.code, f.refs[0]) for f in findings(shop)] == [("amount-mismatch", "#2001")]   # (acknowledged, as before)
    jan = json.loads(run(shop, "report", "2026-01", "--format", "json"))
    assert [(r["status"], r["refs"][0]) for r in jan["findings"] if r["code"] == "amount-mismatch"] == [
        ("acknowledged", "#2001"), ("resolved", "#2002")]   # January wrote it off; February took it back
    feb = json.loads(run(shop, "report", "2026-02", "--format", "json"))
    assert not [r for r in feb["findings"] if r["code"] == "amount-mismatch"], feb["findings"]


def test_part_of_the_difference_paid_later_says_the_write_off_is_of_another_amount_now(shop):
    written_off(shop)
    february(shop, (2001, "3.00"))
    [f] = [f for f in findings(shop) if f.code == "amount-mismatch"]   # one finding, not two
    assert (f.refs[0], f.date.isoformat(), f.amount, f.acknowledged) == ("#2001", "2026-02-09", Decimal("2.00"), False)
    assert f.message == (
        "order #2001 of 240.00 EUR was paid 238.00 EUR (stripe txn_A1, stripe txn_B1), 3.00 EUR of it on 2026-02-09, "
        "after its difference was written off — written off as 5.00 EUR (the write-off at writeoffs.beancount:4), "
        "not its difference of 2.00 EUR; `beanclear write-off amount-mismatch '#2001'` books the change")
    before = text(shop, "writeoffs.beancount")
    run(shop, "write-off", "amount-mismatch", "#2001")
    assert text(shop, "writeoffs.beancount") == before + (
        '\n2026-02-09 * "beanclear" "write-off amount-mismatch reversed: order #2001 of 240.00 EUR was paid 238.00 EUR '
        '(stripe txn_A1, stripe txn_B1), 3.00 EUR of it on 2026-02-09, after its difference was written off" '
        '^order-2001\n'
        '  write-off: "amount-mismatch"\n'
        '  settles: "#2001 txn_A1 2001 txn_B1"\n'
        '  reverses: "2026-01-20"\n'
        '  written-off-by: "alice"\n'
        '  Expenses:Rounding                            -3.00 EUR\n'
        '  Assets:Receivable:Shopify                     3.00 EUR\n')
    # 2.00 written off in all, above the limit, with the reason given: acknowledged, of what is written off now
    [f] = [f for f in findings(shop) if f.code == "amount-mismatch"]
    assert (f.refs[0], f.amount, f.acknowledged) == ("#2001", Decimal("2.00"), True)
    assert f.message.endswith("— written off above the limit: discount promised by phone")


def test_an_order_paid_in_two_parts_without_a_write_off_is_no_finding(shop):
    february(shop, (2001, "5.00"), (2002, "0.50"))
    assert not findings(shop)


def test_a_write_off_edited_by_hand_with_no_money_since_is_still_refused_again(shop):
    # (no payment came after it: `write-off` again says what to correct, as before)
    written_off(shop)
    path = shop / "books" / "writeoffs.beancount"
    path.write_text(path.read_text(encoding="utf-8").replace(" 0.50 EUR", " 0.40 EUR").replace("-0.50 EUR", "-0.40 EUR"),
                    encoding="utf-8")
    out = run(shop, "write-off", "amount-mismatch", "#2002", code=2)
    assert "not its difference of 0.50 EUR: correct that entry, or delete the copy; nothing was written" in out


def test_the_page_offers_the_change_without_a_reason_and_writes_what_the_command_does(shop, tmp_path):
    import shutil
    from test_fava_page import Fava, rows
    written_off(shop)
    february(shop, (2001, "5.00"))
    main = shop / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8")
                    + '2000-01-01 custom "fava-extension" "beanclear.fava_page" "../config.yaml"\n', encoding="utf-8")
    twin = tmp_path / "twin"
    shutil.copytree(shop, twin)
    fava = Fava(shop)
    page = fava.page()
    [row] = [r for r in rows(page, "bc-await") if r["code"] == "amount-mismatch"]
    assert (row["group"], row["suggested"]) == ("write-off", "write-off")   # not "follow-up", as above the limit
    assert "paid since it was written off: books the change of what is written off to Expenses:Rounding" in page
    response = fava.post("write_off", {"code": "amount-mismatch", "ref": "#2001"})
    assert response.status_code == 200 and response.json["done"], response.json
    assert response.json["message"] == ("amount-mismatch #2001: the write-off of 5.00 EUR to Expenses:Rounding "
                                        "reversed (paid since)")
    run(twin, "write-off", "amount-mismatch", "#2001")
    assert text(shop, "writeoffs.beancount") == text(twin, "writeoffs.beancount")


def test_a_payout_written_off_and_credited_the_rest_since_is_reversed_alike(tmp_path, monkeypatch):
    # (the class: a short payout's 0.50 written off to the bank's fee, then the bank credits
    # the 0.50 and a person links that line to the payout; before, "arrived as 198.40, not
    # its difference of 0.00", a finding of 0.00, and `write-off` again refused)
    import shutil
    from pathlib import Path
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shop = tmp_path / "m"
    shutil.copytree(Path(__file__).parent / "data" / "resolve", shop)
    run(shop, "write-off", "payout-mismatch", "B1")
    with (shop / "books/ops/2026/2026-03.beancount").open("a", encoding="utf-8") as out:
        out.write('\n2026-03-20 * "财付通" "退手续费 P100001" ^payout-P100001\n  id: "B9"\n'
                  '  Assets:Bank:Ops                                0.50 CNY\n'
                  '  Assets:Transit:WeChat                         -0.50 CNY\n')
    [f] = [f for f in findings(shop) if f.code == "payout-mismatch"]
    assert (f.amount, f.acknowledged, "B9" in f.refs) == (Decimal("0.50"), False, True)
    assert f.message == ("payout of 198.40 CNY arrived at the bank as 198.40 CNY — written off as 0.50 CNY (the "
                         "write-off at writeoffs.beancount:4), and nothing is owed now: it over-settles "
                         "Assets:Transit:WeChat by 0.50 CNY; `beanclear write-off payout-mismatch F100001` reverses it")
    before = text(shop, "writeoffs.beancount")
    run(shop, "write-off", "payout-mismatch", "B9")
    assert text(shop, "writeoffs.beancount") == before + (
        '\n2026-03-20 * "beanclear" "write-off payout-mismatch reversed: payout of 198.40 CNY arrived at the bank as '
        '198.40 CNY" ^payout-P100001\n'
        '  write-off: "payout-mismatch"\n'
        '  settles: "F100001 P100001 B1 B9"\n'
        '  reverses: "2026-03-03"\n'
        '  written-off-by: "alice"\n'
        '  Expenses:Fees:Bank                           -0.50 CNY\n'
        '  Assets:Transit:WeChat                         0.50 CNY\n')
    assert not [f for f in findings(shop) if f.code == "payout-mismatch"]


def test_the_difference_paid_twice_since_is_a_duplicate_charge_and_the_write_off_to_reverse(shop):
    # two things to do, two findings: refund the second 5.00, reverse the write-off of the first
    written_off(shop)
    february(shop, (2001, "5.00"), (2001, "5.00"))
    found = sorted((f.code, f.amount) for f in findings(shop) if f.refs[0] == "#2001")
    assert found == [("amount-mismatch", Decimal("5.00")), ("duplicate-charge", Decimal("5.00"))]
    run(shop, "write-off", "amount-mismatch", "#2001")
    assert [(f.code, f.amount) for f in findings(shop) if f.refs[0] == "#2001"] == [
        ("duplicate-charge", Decimal("5.00"))]
