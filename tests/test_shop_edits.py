"""An order edited after payment, between two downloads of the shop's export, is what
the newer export says of it (ledger/statements/order_edits.py): whatever order the
exports are imported in, in one import or two, the books are byte for byte the same;
which export is newer is what their rows say (Shopify's `Paid at`), never which file
came last; where nothing says it, the summary says so and nothing is guessed."""

from __future__ import annotations

import csv
import re

import pytest

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 12, fees: [{rate: 0.029, fixed: 0.30}]}
  paypal: {type: paypal, currency: USD, settlement_days: 12, fees: [{rate: 0.0349, fixed: 0.49}]}
shops:
  shop: {type: shopify, order_days: 7}
"""
HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Payment Method,Refunded Amount").split(",")
CAPS = [("#1001", "02"), ("#1002", "05"), ("#1003", "08")]
# #1020 before the edit (exported the evening of 02-11), and after it: a cap added on
# 02-13, its 25.00 paid by PayPal (blind7's repro_edit)
BEFORE = [("#1020", "2026-02-11 16:02:00 -0500", "85.95", "Fleece Pullover")]
AFTER = [("#1020", "2026-02-13 12:00:00 -0500", "110.95", "Fleece Pullover", "Hiking Cap")]
STRIPE = [("txn_a1", "2026-02-02 15:01:00", "40.00", "1.46", "Order #1001 by A"),
          ("txn_a2", "2026-02-05 15:01:00", "40.00", "1.46", "Order #1002 by B"),
          ("txn_a3", "2026-02-08 15:01:00", "40.00", "1.46", "Order #1003 by C"),
          ("txn_a4", "2026-02-11 21:02:00", "85.95", "2.79", "Order #1020 by D")]


def export(path, edited):
    """The shop's export: three caps, and #1020 as `edited` says it."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for name, day in CAPS:
            w.writerow([name, "c@x.example", "paid", f"2026-02-{day} 10:01:00 -0500", "USD", "40.00", "0.00", "0.00",
                        "40.00", f"2026-02-{day} 10:00:00 -0500", "1", "Cap", "40.00", "Shopify Payments", "0.00"])
        for name, paid, total, *items in edited:
            w.writerow([name, "d@x.example", "paid", paid, "USD", total, "0.00", "0.00", total,
                        "2026-02-11 16:00:00 -0500", "1", items[0], total, "Shopify Payments", "0.00"])
            for item in items[1:]:
                w.writerow([name] + [""] * 9 + ["1", item, "22.00", "", ""])


def merchant(tmp_path, before=BEFORE, after=AFTER):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for folder in ("a", "b", "channels"):
        (tmp_path / folder).mkdir()
    export(tmp_path / "a" / "orders_export_a.csv", before)
    export(tmp_path / "b" / "orders_export_b.csv", after)
    with open(tmp_path / "channels" / "balance_change_from_activity.itemized.csv", "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(["balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
                    "reporting_category", "source_id", "description"])
        for txn, when, gross, fee, text in STRIPE:
            net = f"{float(gross) - float(fee):.2f}"
            w.writerow([txn, when, when, "usd", gross, fee, net, "charge", "ch_" + txn, text])
    with open(tmp_path / "channels" / "Download.CSV", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
                    "From Email Address", "To Email Address", "Transaction ID", "Item Title", "Reference Txn ID",
                    "Invoice Number", "Balance", "Balance Impact"])
        w.writerow(["02/13/2026", "09:00:00", "PST", "D", "Express Checkout Payment", "Completed", "USD", "25.00",
                    "-1.36", "23.64", "d@x", "s@x", "PP0000000000000A1", "Order #1020", "", "1020", "23.64",
                    "Credit"])
    return tmp_path


def imported(folder, *names) -> str:
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def order_1020(folder) -> str:
    text = (folder / "books" / "shop" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    return re.search(r'\n(2026-02-11 \* "Order #1020[^\n]*\n(?:  [^\n]*\n)*)', text).group(1)


def findings(folder) -> list[str]:
    result = beanclear(folder, "check")
    return [line for line in result.output.splitlines() if line.startswith(("error", "warning"))]


@pytest.mark.parametrize("orders", [("a", "b"), ("b", "a"), (("a", "b"),), (("b", "a"),)])
def test_an_order_edited_after_payment_is_what_the_newer_export_says_in_any_order(tmp_path, orders):
    """Two imports either way, or one of both: the same books, #1020 at 110.95 with the
    cap and the newer Paid at; the PayPal payment of the difference is no duplicate."""
    folder = merchant(tmp_path)
    imported(folder, "channels")
    said = [imported(folder, *((step,) if isinstance(step, str) else step)) for step in orders]
    assert order_1020(folder) == (
        '2026-02-11 * "Order #1020 / Fleece Pullover, Hiking Cap" ^order-1020\n'
        '  time: "16:00:00"\n'
        '  id: "order:#1020"\n'
        '  order-id: "#1020"\n'
        '  paid-at: "2026-02-13 12:00:00 -0500"\n'
        '  Assets:Receivable:Shop                      110.95 USD\n'
        '  Income:Sales:Shop                          -110.95 USD\n')
    assert findings(folder) == []
    if orders == ("a", "b"):   # the newer export says what changed, and by how much
        assert ("order #1020 changed since the books took it, and this export is newer (Paid at "
                "2026-02-13 12:00:00 -0500, the books' 2026-02-11 16:02:00 -0500): its entry now says 110.95 USD "
                "(was 85.95 USD: +25.00 USD)") in said[1], said[1]
    if orders == ("b", "a"):   # the older one changes nothing, and says why
        assert ("order #1020: this export is older than the books' (Paid at 2026-02-11 16:02:00 -0500, the books' "
                "2026-02-13 12:00:00 -0500): kept as they hold it, 110.95 USD (85.95 USD here)") in said[1], said[1]
    books = snapshot(folder / "books")
    for again in ("a", "b"):
        assert beanclear(folder, "import", "--force", str(folder / again)).exit_code == 0
    assert snapshot(folder / "books") == books


def books_of(tmp_path, name, *orders, before=BEFORE, after=AFTER):
    folder = merchant(tmp_path / name, before, after)
    imported(folder, "channels")
    said = [imported(folder, *step) for step in orders]
    return snapshot(folder / "books"), said, folder


def test_either_order_of_import_gives_byte_identical_books(tmp_path):
    first, _, _ = books_of(tmp_path, "ab", ("a",), ("b",))
    assert books_of(tmp_path, "ba", ("b",), ("a",))[0] == first
    assert books_of(tmp_path, "both", ("b", "a"))[0] == first


def test_two_exports_that_disagree_and_do_not_say_which_is_newer_are_said_not_guessed(tmp_path):
    """The same Paid at, another total: nothing tells which export is newer. The books
    keep what they hold, and the summary says so (and so does the order check)."""
    same = [("#1020", "2026-02-11 16:02:00 -0500", "110.95", "Fleece Pullover", "Hiking Cap")]
    _, said, folder = books_of(tmp_path, "tie", ("a",), ("b",), after=same)
    assert ("order #1020: this export says 110.95 USD, the books 85.95 USD, and nothing tells which is newer (the "
            "same Paid at, or none): kept as the books hold it; see which the shop shows now, and correct the "
            "entry by hand if it is this one") in said[1], said[1]
    assert '85.95 USD' in order_1020(folder)
    # in one import, the first statement's is booked, and said on the other's summary
    _, [both], folder = books_of(tmp_path, "tie_both", ("a", "b"), after=same)
    assert "nothing tells which is newer" in both and "85.95 USD" in order_1020(folder)


def test_an_order_entry_a_person_changed_is_left_as_it_is_and_said(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    month = folder / "books" / "shop" / "2026" / "2026-02.beancount"
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace("  Income:Sales:Shop                           -85.95 USD\n",
                                  "  Income:Sales:Apparel                        -85.95 USD\n"), encoding="utf-8")
    said = imported(folder, "b")
    assert "Income:Sales:Apparel" in order_1020(folder) and "85.95 USD" in order_1020(folder)
    assert ("order #1020 changed since the books took it, and this export is newer (Paid at 2026-02-13 12:00:00 "
            "-0500): left as the books hold it, 85.95 USD (its lines are not as beanclear wrote them, or its month "
            "is closed); it is 110.95 USD now") in said, said
