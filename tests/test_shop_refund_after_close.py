"""A return refunded after its order's month was closed (blind16 "returns", item 4).

The shop's orders export gives a refunded total per order, no refund date: a refund is
dated with its order (importers/shop.py). A shop with 30-day returns finds, in each
month's export, refunds of the month before, which `beanclear close` has closed. The
closed month is not rewritten: the refund is booked in the open month it was learned in
(statements/shop_refunds.py AfterClose), on the day the export says it was made where it
says one (Shopify's `Cancelled at`), else on the export's last day, else on the first
day of the first open month. A refund of an order of an open month stays dated with
its order."""

from __future__ import annotations

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe: {type: stripe, currency: EUR, settlement_days: 10, shop: shop, fees: [{rate: 0.015, fixed: 0.25}]}
shops:
  shop: {type: shopify, order_days: 3}
"""
HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Payment Method,Refunded Amount,Cancelled at\n")


def order(name, day, total, status="paid", refunded="0.00", cancelled=""):
    """One order's row of a Shopify export, created at 11:00 in Berlin on `day`."""
    return (f"{name},a@example.de,{status},{day} 11:00:05 +0200,EUR,{total},0.00,0.00,{total},{day} 11:00:00 +0200,1,"
            f"Schal,{total},Stripe,{refunded},{cancelled}\n")


AUGUST = [order("#1001", "2026-08-20", "59.90"), order("#1002", "2026-08-21", "80.00", "partially_refunded", "20.00"),
          order("#1003", "2026-08-22", "40.00")]


def merchant(tmp_path, *september):
    """August's export imported, then August closed; September's export (`september`:
    its rows) in sep/."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for folder in ("aug", "sep"):
        (tmp_path / folder).mkdir()
    (tmp_path / "aug" / "shopify-2026-08.csv").write_text(HEADER + "".join(AUGUST), encoding="utf-8")
    (tmp_path / "sep" / "shopify-2026-09.csv").write_text(HEADER + "".join(september), encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "aug")).exit_code == 0
    return tmp_path


def close_august(folder):
    (folder / "books" / "periods.beancount").write_text('2026-08-31 custom "beanclear-close" "2026-08"\n'
                                                        '  closed-by: "alice"\n', encoding="utf-8")


def august_books(folder) -> dict:
    return {path: text for path, text in snapshot(folder / "books").items() if "2026-08" in path}


def entry(folder, month, ident) -> str:
    text = (folder / "books" / "shop" / "2026" / f"{month}.beancount").read_text(encoding="utf-8")
    return next(block for block in text.split("\n\n") if f'id: "{ident}"' in block)


SEPTEMBER = [order("#1001", "2026-08-20", "59.90", "refunded", "59.90"),   # returned in September
             order("#1002", "2026-08-21", "80.00", "refunded", "80.00"),   # its second refund, in September
             order("#1003", "2026-08-22", "40.00"),
             order("#1010", "2026-09-12", "30.00", "partially_refunded", "10.00")]   # refunded in its own month


def test_a_refund_of_a_closed_months_order_is_booked_in_the_open_month_and_the_closed_one_stays(tmp_path):
    folder = merchant(tmp_path, *SEPTEMBER)
    close_august(folder)
    before = august_books(folder)
    result = beanclear(folder, "import", str(folder / "sep"))
    assert result.exit_code == 0, result.output
    assert august_books(folder) == before   # byte for byte
    # on the export's last day (its newest order's): it gives no refund date
    assert entry(folder, "2026-09", "refund:#1001").startswith('2026-09-12 * "Refund of order #1001" ^order-1001\n')
    # the order's time of day is no time of the refund's day (blind33 disputes): none said
    assert "time:" not in entry(folder, "2026-09", "refund:#1001")
    assert "time:" in entry(folder, "2026-09", "refund:#1010")   # must not: one dated with its order keeps it
    grown = entry(folder, "2026-09", "refund:#1002 to 80.00")   # what it grew by, 20.00 booked in August
    assert grown.startswith("2026-09-12 ") and "Income:Sales:Shop                            60.00 EUR" in grown
    assert ("2 refund(s) of orders of closed 2026-08 (#1001, #1002) booked on 2026-09-12, the export's last day (it "
            "gives no refund date): the closed month stays as it is") in result.output, result.output
    # must not fire: the refund of an order of the open month stays dated with its order
    assert entry(folder, "2026-09", "refund:#1010").startswith('2026-09-12 * "Refund of order #1010"')
    # the same id: the export again adds nothing, and changes nothing
    after = snapshot(folder / "books")
    again = beanclear(folder, "import", "--force", str(folder / "sep"))
    assert again.exit_code == 0 and "0 entries written" in again.output, again.output
    assert snapshot(folder / "books") == after


def test_the_refund_of_an_open_months_order_stays_dated_with_its_order(tmp_path):
    """August open: September's export books its refunds as it always did, on the order's day."""
    folder = merchant(tmp_path, *SEPTEMBER)
    result = beanclear(folder, "import", str(folder / "sep"))
    assert result.exit_code == 0, result.output
    assert entry(folder, "2026-08", "refund:#1001").startswith('2026-08-20 * "Refund of order #1001"')
    assert entry(folder, "2026-08", "refund:#1002 to 80.00").startswith("2026-08-21 ")
    assert "closed" not in result.output


def test_a_refund_the_export_dates_is_booked_that_day(tmp_path):
    """Shopify's Cancelled at of an order cancelled after payment is the day of its refund."""
    folder = merchant(tmp_path, order("#1003", "2026-08-22", "40.00", "refunded", "40.00",
                                      "2026-09-03 15:00:00 +0200"),
                      order("#1011", "2026-09-20", "30.00"))
    close_august(folder)
    result = beanclear(folder, "import", str(folder / "sep"))
    assert result.exit_code == 0, result.output
    assert entry(folder, "2026-09", "refund:#1003").startswith("2026-09-03 "), result.output
    assert "booked on 2026-09-03, the day the export says it was made" in result.output


def test_an_export_of_closed_days_only_books_its_refund_on_the_first_open_day(tmp_path):
    """An export whose orders are all of the closed month (downloaded later): its last day
    is closed too; the refund goes to the first day of the first open month."""
    folder = merchant(tmp_path, *SEPTEMBER[:3])
    close_august(folder)
    before = august_books(folder)
    result = beanclear(folder, "import", str(folder / "sep"))
    assert result.exit_code == 0, result.output
    assert august_books(folder) == before
    assert entry(folder, "2026-09", "refund:#1001").startswith("2026-09-01 ")
    assert "booked on 2026-09-01, the first day of the first open month" in result.output

