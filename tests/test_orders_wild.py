"""Traps of real order exports nobody here had seen (docs/wild-files.md, session 18), each
over a small file written here that reproduces it: TAB-separated exports, fee and payout
rows that share or lack an order number, one row per line item (`item_rows`), order ids
Excel shortened to scientific notation, a Shopify export without its Total."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data
from click.testing import CliRunner

from beanclear import cli
from beanclear.config import ConfigError
from beanclear.importers import orders_csv, shopify_orders, taobao_orders
from beanclear.importers.toolkit import StatementError, excel_shortened


def write(tmp_path, name, lines, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def shop(make_config, keys: str, kind: str = "orders-csv"):
    cfg = make_config(f"currency: USD\nshops:\n  web:\n    type: {kind}\n{keys}")
    return cfg, cfg.shops["web"]


def read(make_config, keys, path, module=orders_csv, kind="orders-csv"):
    cfg, source = shop(make_config, keys, kind)
    importer = module.Importer(source, cfg)
    assert importer.identify(str(path))
    return importer.read(str(path))


def books(out) -> dict:
    """(id, date, receivable amount) of each entry, and the totals per account."""
    rows, totals = [], defaultdict(Decimal)
    for e in out.entries:
        if isinstance(e, data.Transaction):
            rows.append((e.meta["id"], str(e.date), e.postings[0].units.number))
            for p in e.postings:
                totals[f"{p.account} {p.units.currency}"] += p.units.number
    return {"entries": rows, "totals": dict(totals)}


# -- TAB (and `;`) between the cells ---------------------------------------------------------

ETSY = """\
    date_format: "%m/%d/%Y"
    columns: {order_id: Order ID, date: Sale Date, amount: Order Total, currency: Currency}
"""


def test_a_tab_separated_export_is_read(make_config, tmp_path):
    # Etsy's Sold Orders re-saved as text (a real 2023 file), Amazon's reports: TAB-separated
    path = write(tmp_path, "EtsySoldOrders2023.tsv", [
        "Sale Date\tOrder ID\tBuyer\tCurrency\tOrder Value\tOrder Total\tStatus",
        "12/31/2023\t3159107009\tLevi, W.\tUSD\t17\t16.88\t",
        "12/30/2023\t3165472242\tNick\tUSD\t38.2\t40.87\t"])
    out = read(make_config, ETSY, path)
    assert books(out)["entries"] == [("order:3159107009", "2023-12-31", Decimal("16.88")),
                                     ("order:3165472242", "2023-12-30", Decimal("40.87"))]


def test_a_semicolon_separated_export_with_decimal_commas(make_config, tmp_path):
    # a European spreadsheet's export: `;` between the cells, `12,50` is 12.50 (never 1250),
    # its columns found by their usual names (the shop configured by its type alone)
    path = write(tmp_path, "orders.csv", ["Order ID;Order Date;Total;Status",
                                          "A-1;2026-03-01;1.012,50;paid", "A-2;2026-03-02;7,00;cancelled"])
    out = read(make_config, "", path)
    assert books(out)["entries"] == [("order:A-1", "2026-03-01", Decimal("1012.50"))]
    assert out.skipped == {"status cancelled (no money moved)": 1}


def test_an_export_writing_amounts_both_ways_is_refused(make_config, tmp_path):
    path = write(tmp_path, "orders.csv", ["Order ID;Order Date;Total;Status",
                                          "A-1;2026-03-01;12,50;paid", "A-2;2026-03-02;7.00;paid"])
    with pytest.raises(StatementError, match=r"orders.csv:3: amounts written with a decimal comma \('12,50', line 2\) "
                                             r"and a decimal point \('7.00', line 3\) in one file"):
        read(make_config, "", path)


# -- rows of a skipped status are no orders ---------------------------------------------------

EBAY = """\
    date_format: "%b %d, %Y"
    columns: {order_id: Order number, date: Transaction date, amount: Gross transaction amount, status: Type}
    statuses: {booked: [Order], skipped: [Other fee, Shipping label, Payout]}
"""


def test_fee_and_payout_rows_sharing_or_lacking_the_order_number_are_no_second_order(make_config, tmp_path):
    # eBay's transaction report: an order's ad fee and label name its number, payouts none
    path = write(tmp_path, "Transaction-Report.csv", [
        "Transaction date,Type,Order number,Net amount,Gross transaction amount",
        '"Jan 1, 2023",Other fee,16-09530-33898,-1.66,-1.66',
        '"Jan 1, 2023",Order,16-09530-33898,19,22.75',
        '"Dec 31, 2022",Payout,--,-4.67,-4.67',
        '"Dec 29, 2022",Shipping label,15-09518-53603,-3.88,-3.88',
        '"Dec 29, 2022",Order,15-09518-53603,19.75,23.3',
        '"Dec 24, 2022",Payout,--,-36.03,-36.03'])
    out = read(make_config, EBAY, path)
    assert books(out)["entries"] == [("order:16-09530-33898", "2023-01-01", Decimal("22.75")),
                                     ("order:15-09518-53603", "2022-12-29", Decimal("23.30"))]
    assert out.rows == 6 and out.skipped == {"status Other fee (no money moved)": 1,
                                             "status Payout (no money moved)": 2,
                                             "status Shipping label (no money moved)": 1}


def test_an_order_on_two_booked_rows_is_still_an_error_naming_item_rows(make_config, tmp_path):
    path = write(tmp_path, "Transaction-Report.csv", [
        "Transaction date,Type,Order number,Gross transaction amount",
        '"Jan 1, 2023",Order,16-09530-33898,22.75', '"Jan 2, 2023",Order,16-09530-33898,5.00'])
    with pytest.raises(StatementError, match=r"Transaction-Report.csv:3: order 16-09530-33898 again \(first on line "
                                             r"2; expected one row per order; an export of one row per line item "
                                             r"needs item_rows under shops.web in config.yaml: total where"):
        read(make_config, EBAY, path)


def test_a_booked_row_without_an_order_id_is_an_error(make_config, tmp_path):
    path = write(tmp_path, "settlement.txt", ["settlement-id\torder-id\tposted-date\tamount",
                                              "2387\t\t2025-06-05\t-321.69"])
    with pytest.raises(StatementError, match=r"settlement.txt:2: column order-id: expected an order id, got an "
                                             r"empty cell"):
        read(make_config, "    columns: {order_id: order-id, date: posted-date, amount: amount}\n", path)


# -- one row per line item ---------------------------------------------------------------

WOO = """\
    date_format: "%Y-%m-%d %H:%M:%S"
    columns: {order_id: order_number, date: order_date, amount: order_total, status: status, title: product_name}
    statuses: {booked: [completed, processing], skipped: [pending]}
    item_rows: total
"""
WOO_HEADER = "order_number,order_date,status,order_total,product_name,item_total"


def test_item_rows_total_books_each_order_once_at_its_total(make_config, tmp_path):
    # a WooCommerce export: one row per line item, order_total on the order's first row only
    path = write(tmp_path, "woocommerce_orders.csv", [
        WOO_HEADER,
        "10001,2026-04-26 21:32:57,completed,855.25,Painting Supplies,432.32",
        "10001,2026-04-26 21:32:57,completed,,Cat Food,294.26",
        "10001,2026-04-26 21:32:57,completed,,Non-Fiction,128.67",
        "10002,2026-04-27 00:09:33,pending,473.16,Boots,169.22",
        "10002,2026-04-27 00:09:33,pending,,Carry-On Bags,303.94",
        "10003,2026-05-03 23:47:18,processing,131.94,Desk Organizers,131.94"])
    out = read(make_config, WOO, path)
    assert books(out)["entries"] == [("order:10001", "2026-04-26", Decimal("855.25")),
                                     ("order:10003", "2026-05-03", Decimal("131.94"))]
    assert [e.narration for e in out.entries if isinstance(e, data.Transaction)] == [
        "Order 10001 / Painting Supplies, Cat Food, Non-Fiction", "Order 10003 / Desk Organizers"]
    assert out.rows == 6 and out.skipped == {"more line items of an order (booked with it)": 2,
                                             "status pending (no money moved)": 2}


def test_item_rows_total_repeated_on_each_row_or_a_status_on_the_first_only(make_config, tmp_path):
    # JD-like: the order's total on every row; Shopify-like: the status on the first row only
    path = write(tmp_path, "orders.csv", [WOO_HEADER,
                                          "7,2026-04-26 10:00:00,completed,20.00,A,5.00",
                                          "7,2026-04-26 10:00:00,,20.00,B,15.00"])
    assert books(read(make_config, WOO, path))["entries"] == [("order:7", "2026-04-26", Decimal("20.00"))]


@pytest.mark.parametrize("second, message", [
    ("7,2026-04-26 10:00:00,completed,25.00,B,15.00",
     r"orders.csv:3: order 7: column order_total says '25.00', line 2 '20.00' \(expected one value for the order\)"),
    ("7,2026-04-27 10:00:00,completed,,B,15.00",
     r"orders.csv:3: order 7: column order_date says '2026-04-27 10:00:00', line 2 '2026-04-26 10:00:00'"),
    ("7,2026-04-26 10:00:00,pending,,B,15.00",
     r"orders.csv:3: order 7: column status says 'pending', line 2 'completed'"),
])
def test_item_rows_total_refuses_rows_of_one_order_that_disagree(make_config, tmp_path, second, message):
    path = write(tmp_path, "orders.csv", [WOO_HEADER, "7,2026-04-26 10:00:00,completed,20.00,A,5.00", second])
    with pytest.raises(StatementError, match=message):
        read(make_config, WOO, path)


def test_item_rows_total_with_its_refund_on_the_first_row(make_config, tmp_path):
    keys = WOO.replace("title: product_name}", "title: product_name, refund: refunded_total}")
    path = write(tmp_path, "orders.csv", [WOO_HEADER + ",refunded_total",
                                          "7,2026-04-26 10:00:00,completed,20.00,A,5.00,5.00",
                                          "7,2026-04-26 10:00:00,completed,,B,15.00,"])
    out = read(make_config, keys, path)
    assert books(out)["entries"] == [("order:7", "2026-04-26", Decimal("20.00")),
                                     ("refund:7", "2026-04-26", Decimal("5.00"))]
    assert out.refunds == {"7": Decimal("5.00")}


def test_item_rows_sum_refunds_a_refunded_item_in_full(make_config, tmp_path):
    keys = AMAZON.replace("skipped: [Cancelled]", "refunded: [Refunded], skipped: [Cancelled]")
    path = write(tmp_path, "orders.csv", ["Order ID,Date,Status,currency,Amount",
                                          "171-1,04-30-22,Shipped,INR,406.0", "171-1,04-30-22,Refunded,INR,5.00"])
    assert books(read(make_config, keys, path))["totals"] == {"Assets:Receivable:Web INR": Decimal("406.00"),
                                                              "Income:Sales:Web INR": Decimal("-406.00")}


def test_item_rows_total_without_any_total_is_an_error(make_config, tmp_path):
    path = write(tmp_path, "orders.csv", [WOO_HEADER, "7,2026-04-26 10:00:00,completed,,A,5.00"])
    with pytest.raises(StatementError, match=r"orders.csv:2: order 7: no order_total on any of its rows \(lines 2\)"):
        read(make_config, WOO, path)


AMAZON = """\
    date_format: "%m-%d-%y"
    columns: {order_id: Order ID, date: Date, amount: Amount, status: Status, currency: currency}
    statuses: {booked: [Shipped, Shipped - Delivered to Buyer], skipped: [Cancelled]}
    item_rows: sum
"""


def test_item_rows_sum_adds_the_booked_items_of_an_order(make_config, tmp_path):
    # Amazon's order report: one row per item, each with its own amount and status
    path = write(tmp_path, "Amazon Sale Report.csv", [
        "Order ID,Date,Status,SKU,currency,Amount",
        "171-1,04-30-22,Shipped,JNE3781-KR-XXXL,INR,406.0",
        "171-1,04-30-22,Cancelled,SET389-KR-NP-S,,",
        "171-1,04-30-22,Shipped,J0341-DR-L,INR,753.33",
        "404-2,04-30-22,Cancelled,SET200,,"])
    out = read(make_config, AMAZON, path)
    assert books(out)["entries"] == [("order:171-1", "2022-04-30", Decimal("1159.33"))]
    assert out.skipped == {"status Cancelled (no money moved)": 2, "more line items of an order (booked with it)": 1}


def test_item_rows_sum_refuses_items_of_two_currencies(make_config, tmp_path):
    path = write(tmp_path, "orders.csv", ["Order ID,Date,Status,currency,Amount",
                                          "171-1,04-30-22,Shipped,INR,406.0", "171-1,04-30-22,Shipped,USD,5.00"])
    with pytest.raises(StatementError, match=r"orders.csv:3: order 171-1: column currency says 'USD', line 2 'INR'"):
        read(make_config, AMAZON, path)


def test_item_rows_of_an_export_whose_orders_interleave(make_config, tmp_path):
    path = write(tmp_path, "orders.csv", ["Order ID,Date,Status,currency,Amount",
                                          "A,04-30-22,Shipped,INR,1.00", "B,04-30-22,Shipped,INR,2.00",
                                          "A,04-30-22,Shipped,INR,3.00"])
    assert books(read(make_config, AMAZON, path))["entries"] == [("order:A", "2022-04-30", Decimal("4.00")),
                                                                ("order:B", "2022-04-30", Decimal("2.00"))]


def test_item_rows_is_a_key_of_an_orders_csv_shop_only(make_config):
    with pytest.raises(ConfigError, match=r"shops.web.item_rows: expected one of total \| sum, got \"lines\""):
        shop(make_config, "    item_rows: lines\n")
    with pytest.raises(ConfigError, match=r"shops.web.item_rows: only an orders-csv shop is read through a column map"):
        shop(make_config, "    item_rows: total\n", kind="shopify")
    assert shop(make_config, "")[1].item_rows is None


# -- ids Excel shortened -------------------------------------------------------------------

@pytest.mark.parametrize("cell, shortened", [("2.50623E+14", True), ("3.01235e+18", True), ("1E+15", True),
                                             ("3012345678901234567", False), ("E+14", False), ("#1001", False),
                                             ("2.5E+14-1", False), ("405-8078784-5731545", False)])
def test_excel_shortened(cell, shortened):
    assert excel_shortened(cell) is shortened


def test_an_order_id_excel_shortened_is_refused_naming_column_and_line(make_config, tmp_path):
    # a JD Industrial (京东工业) export saved by Excel: every 15-digit 订单编号 became 2.50623E+14
    path = write(tmp_path, "订单.csv", ["订单编号,订单状态,币种,订单金额,下单时间",
                                        "2.50623E+14,待审批,VND,15000,2024/7/1 10:30",
                                        "2.50623E+14,已完成,HKD,15000,2024/7/10 10:30"])
    keys = """\
    date_format: "%Y/%m/%d %H:%M"
    columns: {order_id: 订单编号, date: 下单时间, amount: 订单金额, status: 订单状态, currency: 币种}
    statuses: {booked: [已完成], skipped: [待审批]}
"""
    with pytest.raises(StatementError, match=r"订单.csv:3: column 订单编号: '2.50623E\+14' is an order id Excel "
                                             r"shortened to scientific notation \(its digits are lost\)"):
        read(make_config, keys, path)


def test_a_taobao_order_number_excel_shortened_is_refused(make_config, tmp_path):
    path = write(tmp_path, "ExportOrderList.csv", ["订单编号,买家实际支付金额,订单状态,订单创建时间,订单付款时间",
                                                   "3.01235E+18,289.00,交易成功,2026-03-01 10:15:00,"
                                                   "2026-03-01 10:16:02"], encoding="gbk")
    with pytest.raises(StatementError, match=r"ExportOrderList.csv:2: column 订单编号: '3.01235E\+18' is an order id "
                                             r"Excel shortened"):
        read(make_config, "", path, module=taobao_orders, kind="taobao")


# -- a Shopify export cut down to some of its columns ------------------------------------------

def test_a_shopify_export_without_its_total_is_claimed_and_refused_saying_so(make_config, tmp_path):
    path = write(tmp_path, "orders_export_1.csv", [
        "Name,Financial Status,Paid at,Currency,Created at,Lineitem quantity,Lineitem name,Refunded Amount",
        "#4090,paid,02/01/2024 11:23,CAD,02/01/2024 11:23,1,Olang - GLAMOUR ROSSO,0"])
    with pytest.raises(StatementError, match=r"orders_export_1.csv:1: no Total column: this Shopify orders export "
                                             r"holds only some of its columns"):
        read(make_config, "", path, module=shopify_orders, kind="shopify")


def test_a_file_without_the_shopify_signs_is_not_claimed(make_config, tmp_path):
    path = write(tmp_path, "contacts.csv", ["Name,Created at,Email", "Ann,2024-01-01,a@b.c"])
    cfg, source = shop(make_config, "", "shopify")
    assert not shopify_orders.Importer(source, cfg).identify(str(path))


# -- init ----------------------------------------------------------------------------------

def test_init_names_an_orders_csv_shop_beside_the_bank_csv_for_a_file_it_cannot_identify(tmp_path):
    folder = tmp_path / "statements"
    folder.mkdir()
    write(folder, "orders.csv", ["client,products,date,total", "Ivanov,Tea,2025-08-09,491.14"])
    result = CliRunner().invoke(cli.main, ["init", str(tmp_path / "m"), "--from", str(folder), "--yes"])
    assert result.exit_code == 2
    assert ("a bank CSV: a bank of type csv with columns:; a shop's order export: a shop of type orders-csv with "
            "columns:, see README") in result.output


def test_init_names_the_shop_it_would_write_not_its_probe(tmp_path):
    folder = tmp_path / "statements"
    folder.mkdir()
    write(folder, "订单.csv", ["订单编号,订单状态,订单金额,下单时间", "A1,待审批,15000,2024-07-01"])
    result = CliRunner().invoke(cli.main, ["init", str(tmp_path / "m"), "--from", str(folder), "--yes"])
    assert result.exit_code == 2
    assert "status '待审批' is not listed under shops.orders-csv.statuses in config.yaml" in result.output
    assert "probe" not in result.output
