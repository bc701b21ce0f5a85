"""A PayPal row that names a payment only by its `Reference Txn ID` (the API's
`paypal_reference_id`) takes from that payment what it shares with it: a refund without an
Invoice Number refunds the payment's order (FORMATS §6a: `Reference Txn ID` links refunds),
so it goes back into the shop's receivable with the order's link, as the payment came out
of it; found in the same statement, another of the import, the books, or a later import
(ledger/statements/refund_orders.py, ledger/books/late_refunds.py). A fee given back of a
disputed payment: test_dispute_fees_back.py."""

from __future__ import annotations

import json

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  paypal: {type: paypal, currency: USD, settlement_days: 60}
shops:
  shopify: {type: shopify, order_days: 3}
"""
HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
          '"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance",'
          '"Balance Impact"')
SHOP = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price\n"
        "#1001,a@example.com,partially_refunded,2026-02-02 10:00:00 -0500,USD,100.00,100.00,70.00,"
        "2026-02-02 09:59:00 -0500,1,Tea,100.00\n")
PAYMENT = "PAYMENT0000000001"
# (date, type, gross, fee, id, reference, invoice, balance)
FEBRUARY = [("02/02/2026", "Express Checkout Payment", "100.00", "-3.98", PAYMENT, "", "1001", "96.02"),
            ("02/27/2026", "Payment Refund", "-50.00", "1.75", "REFUND00000000001", PAYMENT, "1001", "47.77")]
MARCH = [("03/20/2026", "Payment Refund", "-20.00", "0.00", "REFUND00000000002", PAYMENT, "", "27.77")]
CODES = {"Express Checkout Payment": "T0006", "Payment Refund": "T1107", "Chargeback": "T1201"}


def csv_file(path, rows):
    lines = [HEADER]
    for day, kind, gross, fee, ident, ref, invoice, balance in rows:
        net = f"{float(gross) + float(fee):.2f}"
        buyer, shop = ("ann@example.com", "shop@example.com")[::1 if float(net) > 0 else -1]
        lines.append(",".join(f'"{c}"' for c in (
            day, "10:00:00", "EST" if day < "03/08" else "EDT", "Ann Lee", kind, "Completed", "USD", gross, fee, net,
            buyer, shop, ident, "", ref, invoice, balance, "Credit" if float(net) > 0 else "Debit")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def json_file(path, rows):
    details = []
    for day, kind, gross, fee, ident, ref, invoice, balance in rows:
        m, d, y = day.split("/")
        hour = 15 if day < "03/08" else 14   # 10:00 in New York
        info = {"transaction_id": ident, "transaction_event_code": CODES[kind],
                "transaction_initiation_date": f"{y}-{m}-{d}T{hour}:00:00+0000",
                "transaction_updated_date": f"{y}-{m}-{d}T{hour}:00:00+0000",
                "transaction_amount": {"currency_code": "USD", "value": gross},
                "fee_amount": {"currency_code": "USD", "value": fee}, "transaction_status": "S",
                "ending_balance": {"currency_code": "USD", "value": balance}}
        if ref:
            info.update(paypal_reference_id=ref, paypal_reference_id_type="TXN")
        if invoice:
            info["invoice_id"] = invoice
        details.append({"transaction_info": info, "payer_info": {
            "email_address": "ann@example.com", "payer_name": {"alternate_full_name": "Ann Lee"}}})
    path.write_text(json.dumps({"transaction_details": details}), encoding="utf-8")


def merchant(folder, files: dict):
    """`files`: name -> rows (a .json name: a Transaction Search response); the shop's orders
    as orders.csv."""
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "orders.csv").write_text(SHOP, encoding="utf-8")
    for name, rows in files.items():
        (json_file if name.endswith(".json") else csv_file)(folder / name, rows)
    return folder


def imported(folder, *names):
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def entry_of(folder, ident: str) -> str:
    for path in sorted((folder / "books" / "paypal").glob("*/*.beancount")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            if f'  id: "{ident}"' in block:
                return block.strip()
    raise AssertionError(f"{ident} not in the books")


def codes(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted(f["code"] for f in report["findings"])


PLACED = """\
2026-03-20 * "Ann Lee" "Payment Refund" ^order-1001
  time: "10:00:00"
  id: "REFUND00000000002"
  paypal-type: "Payment Refund"
  email: "ann@example.com"
  refund-of: "PAYMENT0000000001"
  order-id: "1001"
  Assets:Receivable:Shopify                    20.00 USD
  Assets:Clearing:PayPal                      -20.00 USD"""


def test_a_refund_without_an_invoice_number_refunds_the_order_of_the_payment_it_names(tmp_path):
    """The tester's repro: order #1001 refunded 50.00 and 20.00, the second refund's Invoice
    Number empty; the shop refunded 70.00."""
    for kind in ("csv", "json"):
        folder = merchant(tmp_path / kind, {f"paypal.{kind}": FEBRUARY + MARCH})
        imported(folder, "orders.csv", f"paypal.{kind}")
        assert entry_of(folder, "REFUND00000000002") == PLACED, kind
        assert "refund-unsynced" not in codes(folder), kind


def test_the_refund_takes_its_order_whichever_statement_and_order_of_import(tmp_path):
    """February's download holds the payment, March's the refund: imported together, in order,
    March's first (the refund waits, and takes the order when its payment comes), or the
    shop's orders last, the same books."""
    orders = {"together": [["orders.csv", "feb.csv", "mar.csv"]],
              "in-order": [["orders.csv"], ["feb.csv"], ["mar.csv"]],
              "march-first": [["orders.csv"], ["mar.csv"], ["feb.csv"]],
              "shop-last": [["mar.csv"], ["feb.csv"], ["orders.csv"]],
              "march-with-shop-last": [["feb.csv"], ["mar.csv", "orders.csv"]]}
    books = {}
    for name, imports in orders.items():
        folder = merchant(tmp_path / name, {"feb.csv": FEBRUARY, "mar.csv": MARCH})
        for names in imports:
            imported(folder, *names)
        assert entry_of(folder, "REFUND00000000002") == PLACED, name
        assert "refund-unsynced" not in codes(folder), name
        books[name] = {path: text for path, text in snapshot(folder / "books").items() if path.startswith("paypal/")}
    assert all(b == books["together"] for b in books.values()), [n for n, b in books.items()
                                                                   if b != books["together"]]


def test_a_refund_imported_before_its_payment_is_placed_once(tmp_path):
    folder = merchant(tmp_path / "m", {"feb.csv": FEBRUARY, "mar.csv": MARCH})
    imported(folder, "orders.csv", "mar.csv")
    assert "order-id" not in entry_of(folder, "REFUND00000000002")
    assert "1 refund(s) booked before their payments now name their orders" in imported(folder, "feb.csv")
    placed = snapshot(folder / "books")
    again = beanclear(folder, "import", "--force", str(folder / "feb.csv"))
    assert again.exit_code == 0, again.output
    assert "refund(s) booked before" not in again.output and snapshot(folder / "books") == placed


def test_a_refund_with_its_own_invoice_number_keeps_it(tmp_path):
    """Must not fire: the refund's own Invoice Number is its order, whatever its payment's."""
    own = [("03/20/2026", "Payment Refund", "-20.00", "0.00", "REFUND00000000002", PAYMENT, "1002", "27.77")]
    for name, imports in {"together": [["feb.csv", "mar.csv"]], "march-first": [["mar.csv"], ["feb.csv"]]}.items():
        folder = merchant(tmp_path / name, {"feb.csv": FEBRUARY, "mar.csv": own})
        for names in imports:
            imported(folder, *names)
        entry = entry_of(folder, "REFUND00000000002")
        assert entry.splitlines()[0].endswith("^order-1002") and 'order-id: "1002"' in entry, name
        assert 'order-id: "1001"' not in entry and "^order-1001" not in entry, name


def test_a_chargeback_naming_the_payment_takes_no_order(tmp_path):
    """Must not fire: a chargeback sells nothing back (the shop's order stays paid), so it
    names its payment but is no refund of the order, in the same statement or a later one."""
    chargeback = [("03/20/2026", "Chargeback", "-20.00", "0.00", "CHARGEBACK0000001", PAYMENT, "", "27.77")]
    for name, imports in {"together": [["orders.csv", "feb.csv", "mar.csv"]],
                          "march-first": [["orders.csv"], ["mar.csv"], ["feb.csv"]]}.items():
        folder = merchant(tmp_path / name, {"feb.csv": FEBRUARY, "mar.csv": chargeback})
        for names in imports:
            imported(folder, *names)
        entry = entry_of(folder, "CHARGEBACK0000001")
        assert "order-id" not in entry and "^order-" not in entry, name
        assert "Expenses:Chargebacks:PayPal                  20.00 USD" in entry, name
