"""A Stripe failure names what it undoes (`refund-failed` / `payment-failed`: the source id
of the refund or payment, README "Importers", `stripe`) and takes that one's order: on the
shop's receivable with the order link, as the refund or payment went (blind9 repro-02). A
`refund_failure` whose description says no order (`REFUND FAILURE`, or the API's none) of
a refund of order #2001 was booked on Income:Sales:Stripe: `refund-unsynced` on #2001
(the shop refunded 0.00, the channels 100.00), the receivable left holding 100.00.

Found in the same statement, in another of the import, or in the books; imported before
the refund, it takes the order when the refund comes (books/late_refunds.py): the books
byte for byte the same in any order (statements/refund_orders.py)."""

from __future__ import annotations

import json

import pytest

from conftest import beanclear, snapshot, usd_config, write_files

CONFIG = usd_config("stripe", 60, "    fees:\n      - {rate: 0.029, fixed: 0.30}\n"
                              "shops:\n  shopify: {type: shopify, order_days: 3}\n")
HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description"')
CHARGE = ("txn_A1", "2026-03-10", "100.00", "3.20", "96.80", "charge", "ch_A1", "Order #2001")
REFUND = ("txn_A2", "2026-03-12", "-100.00", "0.00", "-100.00", "refund", "re_A1", "REFUND FOR CHARGE (Order #2001)")
FAILED = ("txn_A3", "2026-03-16", "100.00", "0.00", "100.00", "refund_failure", "re_A1", "REFUND FAILURE")
# the shop never refunded: the order is paid, and stays so
ORDERS = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at\n"
          "#2001,a@example.com,paid,2026-03-10 11:00:00 -0400,USD,100.00,100.00,0.00,2026-03-10 10:59:00 -0400\n")
ORDER_2002 = "#2002,b@example.com,paid,2026-03-11 11:00:00 -0400,USD,50.00,50.00,0.00,2026-03-11 10:59:00 -0400\n"
DAY = {"2026-03-16": 1773673200, "2026-03-18": 1773846000}   # 15:00 UTC


def report(folder, name, rows):
    lines = [HEADER] + [",".join(f'"{c}"' for c in (ident, f"{day} 15:00:00", f"{day} 15:00:00", "usd", *rest))
                        for ident, day, *rest in rows]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def api(folder, name, objects):
    (folder / name).write_text(json.dumps({"object": "list", "url": "/v1/balance_transactions", "has_more": False,
                                           "data": objects}, indent=1), encoding="utf-8")


def bt(ident, day, amount, category, source, description=None):
    return {"id": ident, "object": "balance_transaction", "amount": amount, "fee": 0, "net": amount,
            "currency": "usd", "created": DAY[day], "available_on": DAY[day], "description": description,
            "exchange_rate": None, "fee_details": [], "reporting_category": category, "source": source,
            "status": "available", "type": category}


def merchant(folder, files: dict, orders: str = ORDERS):
    """A merchant with the shop's orders and the statements `files` (name -> rows or
    objects), nothing imported."""
    write_files(folder, {"config.yaml": CONFIG, "orders_export.csv": orders})
    for name, rows in files.items():
        (report if name.endswith(".csv") else api)(folder, name, rows)
    return folder


def imported(folder, *names):
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def entry(folder, ident) -> str:
    text = (folder / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    return next(block for block in text.split("\n\n") if f'  id: "{ident}"' in block).strip()


def codes(folder) -> list[str]:
    found = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    # (the API's list asks no window: the days between the report's and its are a statement-gap)
    return sorted(f["code"] for f in found if f["code"] not in ("refund-rate", "statement-gap"))


# The failure as a failure naming its order itself books it, but its narration.
PLACED = """\
2026-03-16 * "REFUND FAILURE" ^order-2001
  time: "11:00:00"
  id: "txn_A3"
  stripe-category: "refund_failure"
  source-id: "re_A1"
  order-id: "2001"
  refund-failed: "re_A1"
  Assets:Clearing:Stripe                      100.00 USD
  Assets:Receivable:Shopify                  -100.00 USD"""


def test_a_failed_refund_in_the_report_of_its_refund_takes_the_refunds_order(tmp_path):
    folder = merchant(tmp_path, {"report.csv": [CHARGE, REFUND, FAILED]})
    imported(folder, "orders_export.csv", "report.csv")
    assert entry(folder, "txn_A3") == PLACED
    assert codes(folder) == []   # no refund-unsynced: the shop refunded nothing, nor did the channel in the end


def test_it_is_booked_as_a_failure_naming_its_order_books_it(tmp_path):
    # what must not change: a failure whose own description names the order
    named = FAILED[:7] + ("REFUND FAILURE FOR CHARGE (Order #2001)",)
    folder = merchant(tmp_path, {"report.csv": [CHARGE, REFUND, named]})
    imported(folder, "orders_export.csv", "report.csv")
    assert entry(folder, "txn_A3") == PLACED.replace('"REFUND FAILURE"', '"REFUND FAILURE FOR CHARGE (Order #2001)"')
    assert codes(folder) == []


ORDERS_OF_IMPORTS = {"together": [("orders_export.csv", "report.csv", "api.json")],
                     "report first": [("orders_export.csv", "report.csv"), ("api.json",)],
                     "api first": [("orders_export.csv", "api.json"), ("report.csv",)]}


PATTERN = "    order_pattern: 'Order #(\\d+)'   # words around the id: found in a description\n"


@pytest.mark.parametrize("description, pattern", [(None, ""), ("REFUND FAILURE", ""), (None, PATTERN)],
                         ids=["no description", "REFUND FAILURE", "order_pattern"])
def test_a_failed_refund_from_the_api_takes_its_refunds_order_in_any_import_order(tmp_path, description, pattern):
    # With an order_pattern, the failure's text is not where it finds the order: it goes
    # where its refund went (order_refs.undoes_order).
    files = {"report.csv": [CHARGE, REFUND], "api.json": [bt("txn_A3", "2026-03-16", 10000, "refund_failure",
                                                             "re_A1", description)]}
    books = {}
    for name, imports in ORDERS_OF_IMPORTS.items():
        folder = merchant(tmp_path / name, files)
        (folder / "config.yaml").write_text(CONFIG.replace("    type: stripe\n", "    type: stripe\n" + pattern),
                                            encoding="utf-8")
        said = [imported(folder, *names) for names in imports]
        later = "1 failure(s) booked before the refund or payment they undo now name their orders"
        assert (later in said[-1]) == (name == "api first"), name
        assert codes(folder) == [], name
        placed = entry(folder, "txn_A3")
        assert placed.splitlines()[0].endswith(" ^order-2001"), name
        assert 'order-id: "2001"' in placed and "Assets:Receivable:Shopify                  -100.00 USD" in placed
        assert "Income:Sales:Stripe" not in placed
        books[name] = snapshot(folder / "books")
    assert books["report first"] == books["together"]   # the failure found the refund in the books
    assert books["api first"] == books["together"]      # ... and the refund, imported later, the failure


def test_a_failure_both_exports_list_is_one_entry_whatever_came_first(tmp_path):
    # The report lists the charge, the refund and the failure; the API the failure (a row
    # both hold: books/late_rows.py). The API first: its failure waits for the refund,
    # and is the one the report's row meets.
    files = {"report.csv": [CHARGE, REFUND, FAILED],
             "api.json": [bt("txn_A3", "2026-03-16", 10000, "refund_failure", "re_A1", "REFUND FAILURE")]}
    books = {}
    for name, imports in ORDERS_OF_IMPORTS.items():
        folder = merchant(tmp_path / name, files)
        for names in imports:
            imported(folder, *names)
        assert entry(folder, "txn_A3") == PLACED, name
        assert codes(folder) == [], name
        books[name] = snapshot(folder / "books")
    assert books["report first"] == books["together"] == books["api first"]


@pytest.mark.parametrize("imports", list(ORDERS_OF_IMPORTS.values()), ids=list(ORDERS_OF_IMPORTS))
def test_a_failed_refund_of_a_sale_of_no_order_stays_a_sale(tmp_path, imports):
    # A charge no shop order is of (its description names none): its refund and the
    # refund's failure stay on the channel's sales, with no order link.
    files = {"report.csv": [("txn_A1", "2026-03-10", "100.00", "3.20", "96.80", "charge", "ch_A1", "Tip jar"),
                            ("txn_A2", "2026-03-12", "-100.00", "0.00", "-100.00", "refund", "re_A1",
                             "REFUND FOR CHARGE (Tip jar)")],
             "api.json": [bt("txn_A3", "2026-03-16", 10000, "refund_failure", "re_A1")]}
    folder = merchant(tmp_path, files)
    for names in imports:
        imported(folder, *names)
    failed = entry(folder, "txn_A3")
    assert "^order-" not in failed and "order-id:" not in failed
    assert "Income:Sales:Stripe                        -100.00 USD" in failed


def test_a_failed_payment_takes_the_order_of_the_payment_it_undoes(tmp_path):
    # An ACH debit that failed after it was booked (`charge_failure`, its source the charge)
    # takes the money back from the order's receivable, where the payment put it.
    files = {"report.csv": [("txn_A5", "2026-03-11", "50.00", "0.00", "50.00", "charge", "py_A5", "Order #2002")],
             "api.json": [bt("txn_A6", "2026-03-18", -5000, "charge_failure", "py_A5")]}
    for name, imports in ORDERS_OF_IMPORTS.items():
        folder = merchant(tmp_path / name, files, ORDERS + ORDER_2002)
        for names in imports:
            imported(folder, *names)
        failed = entry(folder, "txn_A6")
        assert failed.splitlines()[0].endswith(" ^order-2002") and 'payment-failed: "py_A5"' in failed, name
        assert "Assets:Receivable:Shopify                    50.00 USD" in failed, name


def test_a_failure_placed_later_reads_as_one_placed_at_once_with_its_payout_and_presentment(tmp_path):
    # The failure's row names its payout (a link after the order's) and the customer's
    # side (metadata after `order-id`): the order goes in its place among both when the
    # refund comes later, as when they come together.
    header = HEADER + ',"automatic_payout_id","customer_facing_amount","customer_facing_currency"'
    failed = ",".join(f'"{c}"' for c in ("txn_A3", "2026-03-16 15:00:00", "2026-03-16 15:00:00", "usd", "100.00",
                                          "0.00", "100.00", "refund_failure", "re_A1", "REFUND FAILURE",
                                          "po_P1", "92.00", "eur"))
    books = {}
    for name, imports in ORDERS_OF_IMPORTS.items():
        folder = merchant(tmp_path / name, {"api.json": [bt("txn_A1", "2026-03-16", 10000, "charge", "ch_A1",
                                                            "Order #2001"),
                                                         bt("txn_A2", "2026-03-16", -10000, "refund", "re_A1",
                                                            "REFUND FOR CHARGE (Order #2001)")]})
        (folder / "report.csv").write_text(f"{header}\n{failed}\n", encoding="utf-8")
        for names in imports:
            imported(folder, *names)
        placed = entry(folder, "txn_A3")
        assert placed.splitlines()[0] == '2026-03-16 * "REFUND FAILURE" ^order-2001 ^payout-po_P1', name
        keys = [line.split(":")[0].strip() for line in placed.splitlines()[1:] if not line.startswith("  Assets")]
        assert keys == ["time", "id", "stripe-category", "source-id", "order-id", "customer-amount", "fx-rate",
                        "fx-pair", "refund-failed", "payout-id"], name
        books[name] = snapshot(folder / "books")
    assert books["report first"] == books["together"] == books["api first"]


def test_without_a_shop_the_failure_still_links_to_its_order(tmp_path):
    # No receivable to move it to: it stays a sale of the channel, with the order's link
    # (the clearing and refund checks group by it), in any order.
    files = {"report.csv": [CHARGE, REFUND], "api.json": [bt("txn_A3", "2026-03-16", 10000, "refund_failure",
                                                             "re_A1")]}
    books = {}
    for name, imports in ORDERS_OF_IMPORTS.items():
        folder = merchant(tmp_path / name, files)
        (folder / "config.yaml").write_text(CONFIG.split("shops:")[0], encoding="utf-8")
        for names in imports:
            imported(folder, *(n for n in names if n != "orders_export.csv"))
        placed = entry(folder, "txn_A3")
        assert placed.splitlines()[0].endswith(" ^order-2001") and 'order-id: "2001"' in placed, name
        assert "Income:Sales:Stripe                        -100.00 USD" in placed, name
        books[name] = snapshot(folder / "books")
    assert books["report first"] == books["together"] == books["api first"]


def test_with_several_shops_the_failure_moves_with_its_refund_when_the_orders_come(tmp_path):
    # Only the shops' books say whose order 2001 is: imported before the orders, the
    # refund and its failure stay sales; the orders' import moves both (late_routes.py).
    config = CONFIG + "  wholesale: {type: shopify, order_days: 3}\n"
    files = {"report.csv": [CHARGE, REFUND], "api.json": [bt("txn_A3", "2026-03-16", 10000, "refund_failure",
                                                             "re_A1")]}
    books = {}
    for name, imports in {"together": [("shopify", "report.csv", "api.json")],
                          "orders last": [("api.json",), ("report.csv",), ("shopify",)]}.items():
        folder = merchant(tmp_path / name, files)
        (folder / "config.yaml").write_text(config, encoding="utf-8")
        (folder / "shopify").mkdir()   # whose export it is: the folder says
        (folder / "orders_export.csv").rename(folder / "shopify" / "orders_export.csv")
        for names in imports:
            imported(folder, *names)
        placed = entry(folder, "txn_A3")
        assert "Assets:Receivable:Shopify                  -100.00 USD" in placed, name
        assert codes(folder) == [], name
        books[name] = snapshot(folder / "books")
    assert books["orders last"] == books["together"]
