"""Shop order exports: golden tests over the Shopify samples, and over files these tests
write from the documented headers for the platforms without a public sample (Taobao/
Tmall, Douyin, Pinduoduo, JD seller, a generic orders CSV); totals, traps, bad input."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import (douyin_orders, jd_orders, orders_csv, pinduoduo_orders, shopify_orders,
                                 taobao_orders)
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text

SHOPS = """\
currency: CNY
shops:
  shopify: {type: shopify, currency: USD}
  taobao: {type: taobao}
  douyin: {type: douyin}
  pinduoduo: {type: pinduoduo}
  jd: {type: jd}
  web:
    type: orders-csv
    date_format: "%Y-%m-%d"
    columns: {order_id: 订单号, date: 下单日期, time: 下单时间, amount: 实付金额, status: 订单状态, refund: 退款金额}
    statuses: {booked: [已支付, 已完成], refunded: [已退款], skipped: [待支付, 已取消]}
"""
MODULES = {"shopify": shopify_orders, "taobao": taobao_orders, "douyin": douyin_orders,
           "pinduoduo": pinduoduo_orders, "jd": jd_orders, "web": orders_csv}
SHOPIFY_SAMPLES = ["batmanutd-shopify_orders_fixture.csv", "batmanutd-shopify_orders_sample.csv"]


@pytest.fixture
def shops(make_config):
    return make_config(SHOPS)


def read(cfg, shop, path):
    importer = MODULES[shop].Importer(cfg.shops[shop], cfg)
    claims = [name for name, module in MODULES.items()
              if module.Importer(cfg.shops[name], cfg).identify(str(path))]
    assert claims == [shop]
    return importer.read(str(path))


def totals(entries) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                out[f"{p.account} {p.units.currency}"] += p.units.number
    return out


def write(tmp_path, name, lines, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


# -- Shopify: the samples ----------------------------------------------------------------

@pytest.mark.parametrize("name", SHOPIFY_SAMPLES)
def test_shopify_golden(shops, name):
    extraction = read(shops, "shopify", sample("marketplace_shopify", name))
    assert_golden(extraction_text(extraction), GOLDEN / "marketplace_shopify" / f"{name}.beancount")


@pytest.mark.parametrize("name", SHOPIFY_SAMPLES)
def test_shopify_totals_equal_the_files_totals(shops, name):
    path = sample("marketplace_shopify", name)
    with open(path, encoding="utf-8", newline="") as fh:
        firsts = [r for r in csv.DictReader(fh) if r["Created at"]]
    total = sum(Decimal(r["Total"]) for r in firsts)
    refunded = sum(Decimal(r["Refunded Amount"]) for r in firsts)
    extraction = read(shops, "shopify", path)
    t = totals(extraction.entries)
    assert t["Assets:Receivable:Shopify USD"] == total - refunded
    assert t["Income:Sales:Shopify USD"] == -(total - refunded)
    # every row is accounted for: booked with its order, or skipped with a reason
    rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    orders = sum(1 for e in extraction.entries if e.meta["id"].startswith("order:"))
    assert extraction.rows == rows == orders + sum(extraction.skipped.values())


def test_shopify_date_is_the_shops_own_day(shops, tmp_path):
    # 23:30 at -0500 is already the next day in UTC and in Shanghai: the order keeps the
    # day its shop's clock showed.
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Lineitem name",
        "#2001,2025-03-31 23:30:00 -0400,10.00,USD,paid,Tea"])
    [order] = read(shops, "shopify", path).entries
    assert (str(order.date), order.meta["time"]) == ("2025-03-31", "23:30:00")
    assert order.links == {"order-2001"} and order.meta["order-id"] == "#2001"


def test_shopify_statuses_cancellations_and_refunds(shops, tmp_path):
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Refunded Amount,Cancelled at,Lineitem name",
        "#3001,2025-02-01 10:00:00 -0500,80.00,USD,refunded,,2025-02-02 09:00:00 -0500,A",
        "#3001,,,,,,,B",
        "#3002,2025-02-01 11:00:00 -0500,50.00,USD,pending,0.00,2025-02-03 09:00:00 -0500,C",
        "#3003,2025-02-01 12:00:00 -0500,40.00,USD,voided,0.00,,D",
        "#3004,2025-02-01 13:00:00 -0500,30.00,USD,partially_refunded,12.50,,E",
        "#3005,2025-02-01 14:00:00 -0500,20.00,USD,pending,0.00,,F",
        "#3006,2025-02-01 15:00:00 -0500,25.00,USD,authorized,0.00,,G",
        "#3008,2025-02-01 17:00:00 -0500,15.00,USD,expired,0.00,,I"])
    extraction = read(shops, "shopify", path)
    assert extraction.rows == 8
    # pending (a bank deposit, cash on delivery) and authorized (not captured) took no
    # money yet: skipped like voided, booked from the export that says paid
    assert extraction.skipped == {"cancelled before payment (no money moved)": 1, "voided (authorisation released, "
                                  "no money moved)": 1, "more line items of an order (booked with its first row)": 1,
                                  "awaiting payment (no sale yet)": 1,
                                  "authorized (payment not captured yet, no money moved)": 1,
                                  "expired (payment never captured)": 1}
    ids = {e.meta["id"]: e for e in extraction.entries}
    assert sorted(ids) == ["order:#3001", "order:#3004", "refund:#3001", "refund:#3004"]
    # a refunded order without a Refunded Amount column value is refunded in full
    assert ids["refund:#3001"].postings[0].units.number == Decimal("80.00")
    assert ids["refund:#3004"].postings[1].units.number == Decimal("-12.50")
    assert ids["order:#3001"].narration == "Order #3001 / A, B"



OWING_HEADER = "Name,Created at,Total,Currency,Financial Status,Refunded Amount,Outstanding Balance,Lineitem name"


def test_shopify_order_paid_in_part_is_a_sale_of_its_total_the_rest_owed_by_the_customer(shops, tmp_path):
    """partially_paid (a deposit taken, the balance due later): the sale is the Total, and
    the Outstanding Balance is the customer's to pay, no channel's: the order says so
    (`outstanding`), for the orders check. Shopify states it on any order still owing
    (a real CAD shop's `paid` #1058 edited after payment owed 11.29, a
    `partially_refunded` #1095 owed 28.23): kept there too (round 11)."""
    path = write(tmp_path, "orders_export.csv", [
        OWING_HEADER,
        "#3101,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,0.00,60.00,Teapot",
        "#3102,2025-02-01 11:00:00 -0500,220.06,USD,paid,0.00,11.29,Shrimp",
        "#3103,2025-02-01 12:00:00 -0500,149.44,USD,partially_refunded,1.54,28.23,Moss",
        "#3104,2025-02-01 13:00:00 -0500,50.00,USD,paid,0.00,0.00,Tea",
        "#3105,2025-02-01 14:00:00 -0500,30.00,USD,pending,0.00,30.00,Tin"])
    out = read(shops, "shopify", path)
    ids = {e.meta["id"]: e for e in out.entries}
    assert sorted(ids) == ["order:#3101", "order:#3102", "order:#3103", "order:#3104", "refund:#3103"]
    assert {k: e.meta.get("outstanding") for k, e in ids.items() if k.startswith("order:")} == {
        "order:#3101": "60.00", "order:#3102": "11.29", "order:#3103": "28.23", "order:#3104": None}
    assert [p.units.number for p in ids["order:#3101"].postings] == [Decimal("100.00"), Decimal("-100.00")]
    # the books' totals are the export's: the sales its Totals less its refunds
    assert totals(out.entries)["Income:Sales:Shopify USD"] == -(Decimal("100.00") + Decimal("220.06")
                                                                 + Decimal("149.44") - Decimal("1.54") + 50)
    assert out.skipped == {"awaiting payment (no sale yet)": 1}


@pytest.mark.parametrize("header, row, message", [
    ("Name,Created at,Total,Currency,Financial Status,Lineitem name",
     "#3201,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,Teapot",
     "x.csv:2: order #3201 is partially_paid and the export has no Outstanding Balance column: how much of its "
     "Total 100.00 was paid is not said; export the orders again with every column (Orders → Export)"),
    (OWING_HEADER, "#3201,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,0.00,,Teapot",
     "x.csv:2: order #3201 is partially_paid and its Outstanding Balance is empty: how much of its Total 100.00 "
     "was paid is not said"),
    (OWING_HEADER, "#3201,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,0.00,-5.00,Teapot",
     "x.csv:2: order #3201 is partially_paid and its Outstanding Balance is -5.00: how much of its Total 100.00 "
     "was paid is not said"),
    (OWING_HEADER, "#3201,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,0.00,120.00,Teapot",
     "x.csv:2: order #3201: Outstanding Balance 120.00 is more than its Total 100.00"),
    (OWING_HEADER, "#3201,2025-02-01 10:00:00 -0500,100.00,USD,partially_paid,0.00,abc,Teapot",
     "x.csv:2: column Outstanding Balance: expected an amount, got 'abc'"),
])
def test_shopify_order_paid_in_part_without_what_was_paid_is_refused(shops, tmp_path, header, row, message):
    # booked at its Total, the unpaid part would be the channels' missing money
    path = write(tmp_path, "x.csv", [header, row])
    with pytest.raises(StatementError) as caught:
        read(shops, "shopify", path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


@pytest.mark.parametrize("refunded", ["", "0.00"])
def test_shopify_partially_refunded_without_the_amount_is_refunded_what_the_channels_refunded(shops, tmp_path,
                                                                                             refunded):
    # booked at its Total with no refund, the channel's refund was a false refund-unsynced:
    # the amount is not stated, nothing is invented (importers/shop.py, as Pinduoduo's)
    path = write(tmp_path, "x.csv", ["Name,Created at,Total,Currency,Financial Status,Refunded Amount,Lineitem name",
                                     f"#3301,2025-02-01 10:00:00 -0500,80.00,USD,partially_refunded,{refunded},Cups"])
    [entry] = read(shops, "shopify", path).entries
    assert entry.meta["refund-amount"] == "not stated"
    assert [p.units.number for p in entry.postings] == [Decimal("80.00"), Decimal("-80.00")]

def test_shopify_skipped_reasons_count_orders_not_their_line_items(shops, tmp_path):
    # blind7: "skipped 3 authorized …, 5 awaiting payment" for 2 and 2 orders
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Lineitem name",
        "#4001,2025-02-01 10:00:00 -0500,80.00,USD,authorized,A",
        "#4001,,,,,B",
        "#4002,2025-02-01 11:00:00 -0500,50.00,USD,pending,C",
        "#4002,,,,,D",
        "#4002,,,,,E",
        "#4003,2025-02-01 12:00:00 -0500,40.00,USD,pending,F",
        "#4004,2025-02-01 13:00:00 -0500,30.00,USD,paid,G",
        "#4004,,,,,H"])
    extraction = read(shops, "shopify", path)
    assert extraction.rows == 8
    assert extraction.skipped == {"authorized (payment not captured yet, no money moved)": 1,
                                  "awaiting payment (no sale yet)": 2,
                                  "more line items of an order (booked with its first row)": 1}


def test_shopify_export_repeating_created_at_on_every_item_row(shops, tmp_path):
    # Newer exports (2025) fill `Created at` on the row of every line item, the order's
    # Total, Currency and Financial Status on its first row only.
    path = write(tmp_path, "orders_export_1.csv", [
        "Name,Financial Status,Currency,Total,Created at,Lineitem name",
        "#1002,paid,AUD,50.55,2026-06-08 23:02:13 +1000,T-Shirt M",
        "#1001,paid,AUD,40.55,2026-06-08 22:55:28 +1000,T-Shirt L",
        "#1001,,,,2026-06-08 22:55:28 +1000,Stubby Cooler"])
    extraction = read(shops, "shopify", path)
    assert extraction.rows == 3
    assert extraction.skipped == {"more line items of an order (booked with its first row)": 1}
    orders = {e.meta["id"]: e for e in extraction.entries}
    assert sorted(orders) == ["order:#1001", "order:#1002"]
    assert orders["order:#1001"].postings[0].units.number == Decimal("40.55")
    assert orders["order:#1001"].narration == "Order #1001 / T-Shirt L, Stubby Cooler"
    assert str(orders["order:#1001"].date) == "2026-06-08"


@pytest.mark.parametrize("rows, message", [
    (["#1,2025-01-01 10:00:00 -0500,abc,USD,paid"], "x.csv:2: column Total: expected an amount, got 'abc'"),
    (["#1,2025-01-01 10:00:00 -0500,5.00,USD,chargeback"],
     "x.csv:2: column Financial Status: unknown status 'chargeback'"),
    (["#1,2025-01-01 10:00:00,5.00,USD,paid"], "x.csv:2: column Created at: expected a time with its offset"),
    (["#1,2025-01-01 10:00:00 -0500,5.00,USD,paid", "#1,2025-01-02 10:00:00 -0500,5.00,USD,paid"],
     "x.csv:3: order #1: expected its Total on one row (the order's own), found it on lines 2, 3"),
    (["#1,,,,paid"], "x.csv:2: order #1: expected its Total on one row (the order's own), found it on no row"),
    (["#1,2025-01-01 10:00:00 -0500,5.00,USD,paid", "#1,2025-01-02 10:00:00 -0500,,,"],
     "x.csv:3: order #1: Created at '2025-01-02 10:00:00 -0500', but '2025-01-01 10:00:00 -0500' on line 2"),
    # was padded, then refused for its empty status: Shopify writes every cell of a row
    (["#1,2025-01-01 10:00:00 -0500,5.00,USD"], "x.csv:2: expected 5 cells as in the header (line 1), got 4: a cell"),
    (["#1,2025-01-01 10:00:00 -0500,5.00,USD,paid,9.00"], "x.csv:2: expected 5 cells"),
    (['#1,2025-01-01 10:00:00 -0500,"5.00'], "x.csv:2: a quoted cell is never closed (is the file cut off?)"),
    ([",2025-01-01 10:00:00 -0500,5.00,USD,paid"], "x.csv:2: column Name: expected the order name"),
])
def test_shopify_bad_input_names_file_line_and_problem(shops, tmp_path, rows, message):
    path = write(tmp_path, "x.csv", ["Name,Created at,Total,Currency,Financial Status", *rows])
    with pytest.raises(StatementError) as caught:
        read(shops, "shopify", path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_refund_above_the_order_is_booked_as_stated(shops, tmp_path):
    # Shopify states a refund in the shop's currency at the refund day's rate: a real EUR
    # shop's order of 184.23 paid in USD was refunded 184.60. What the export says is
    # booked (the refund checks compare it with the channel's), and the import says so.
    path = write(tmp_path, "x.csv", ["Name,Created at,Total,Refunded Amount",
                                     "#1,2025-01-01 10:00:00 -0500,5.00,6.00"])
    out = read(shops, "shopify", path)
    assert dict(totals(out.entries)) == {"Assets:Receivable:Shopify USD": Decimal("-1.00"),
                                         "Income:Sales:Shopify USD": Decimal("1.00")}
    assert out.notes == ["order #1: refunded 6.00, more than its total 5.00 (booked as the export states)"]


def test_shopify_gift_cards_and_manual_payment_methods(shops, tmp_path):
    """An order paid all by gift card is paid: its receivable is cleared against the gift
    cards (a liability), and its refund goes back to them; paid by a gift card and a
    channel, or by a manual method, it says how (`payment-method`), for the orders check
    (blind7: #1035, #1036). Paid by a channel alone, nothing more is said."""
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Refunded Amount,Payment Method,Lineitem name",
        "#5001,2026-02-15 12:43:36 -0500,18.00,USD,paid,0.00,gift_card,Canvas Tote",
        '#5002,2026-02-14 12:15:29 -0500,85.32,USD,paid,0.00,"gift_card, Shopify Payments",Fleece Pullover',
        "#5003,2026-02-16 11:43:08 -0500,128.52,USD,paid,0.00,Bank Deposit,Hiking Cap",
        "#5004,2026-02-16 12:00:00 -0500,40.00,USD,partially_refunded,15.00,Gift Card,Cap",
        "#5005,2026-02-16 13:00:00 -0500,40.00,USD,paid,0.00,Shopify Payments,Cap",
        "#5006,2026-02-16 14:00:00 -0500,40.00,USD,paid,0.00,Cash on Delivery (COD),Cap"])
    out = read(shops, "shopify", path)
    ids = {e.meta["id"]: e for e in out.entries}
    assert sorted(ids) == ["gift-card:#5001", "gift-card:#5004", "order:#5001", "order:#5002", "order:#5003",
                           "order:#5004", "order:#5005", "order:#5006", "refund:#5004"]
    paid = ids["gift-card:#5001"]
    assert paid.links == {"order-5001"} and paid.meta["order-id"] == "#5001"
    assert [(p.account, p.units.number) for p in paid.postings] == [("Liabilities:GiftCards:Shopify", Decimal("18.00")),
                                                                  ("Assets:Receivable:Shopify", Decimal("-18.00"))]
    assert [(p.account, p.units.number) for p in ids["refund:#5004"].postings] == [
        ("Income:Sales:Shopify", Decimal("15.00")), ("Liabilities:GiftCards:Shopify", Decimal("-15.00"))]
    assert {k: e.meta.get("payment-method") for k, e in ids.items() if k.startswith("order:")} == {
        "order:#5001": "gift_card", "order:#5002": "gift_card, Shopify Payments", "order:#5003": "Bank Deposit",
        "order:#5004": "Gift Card", "order:#5005": None, "order:#5006": "Cash on Delivery (COD)"}
    # the receivable: what the channels owe, and the manual methods' money
    assert totals(out.entries)["Assets:Receivable:Shopify USD"] == Decimal("85.32") + Decimal("128.52") + 80
    assert totals(out.entries)["Liabilities:GiftCards:Shopify USD"] == Decimal("18.00") + Decimal("25.00")


@pytest.mark.parametrize("method", ["store_credit", "shopify_store_credit", "Store Credit"])
def test_an_order_paid_by_the_customers_store_credit_is_paid_by_what_the_shop_holds(shops, tmp_path, method):
    # blind24 giftcards: store credit is money the shop holds already, as its gift cards:
    # an order paid with it was order-unpaid, waiting for a channel that never pays it
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Refunded Amount,Payment Method,Lineitem name",
        f"#6001,2026-02-15 12:43:36 -0500,30.00,USD,paid,0.00,{method},Canvas Tote",
        f'#6002,2026-02-15 13:00:00 -0500,50.00,USD,paid,0.00,"{method}, Shopify Payments",Cap'])
    ids = {e.meta["id"]: e for e in read(shops, "shopify", path).entries}
    assert sorted(ids) == ["gift-card:#6001", "order:#6001", "order:#6002"]
    assert [(p.account, p.units.number) for p in ids["gift-card:#6001"].postings] == [
        ("Liabilities:GiftCards:Shopify", Decimal("30.00")), ("Assets:Receivable:Shopify", Decimal("-30.00"))]
    assert ids["order:#6002"].meta["payment-method"] == f"{method}, Shopify Payments"


def test_negative_refund_is_an_error(shops, tmp_path):
    path = write(tmp_path, "x.csv", ["Name,Created at,Total,Refunded Amount",
                                     "#1,2025-01-01 10:00:00 -0500,5.00,-1.00"])
    with pytest.raises(StatementError, match=r"x.csv:2: order #1: expected an amount of 0 or more and a refund "
                                             r"of 0 or more, got 5.00 refunded -1.00"):
        read(shops, "shopify", path)


# -- Taobao/Tmall: GBK, ="…" ids ----------------------------------------------------------

TAOBAO_HEADER = ("订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,"
                 "买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址,运送方式,联系电话,联系手机,订单创建时间,订单付款时间,"
                 "宝贝标题,宝贝种类,物流单号,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,"
                 "发票抬头,是否手机订单,分阶段订单信息,退款金额")


def taobao_row(order, paid="289.00", status="交易成功", created="2026-03-01 10:15:00", paid_at="2026-03-01 10:16:02",
               title="明前龙井 250g", refund="0.00"):
    return (f'="{order}",tb_buyer,b***@example.com,{paid},0.00,0,{paid},0,{paid},0,{status},,张*,浙江省杭州市***,快递,,'
            f'138****0000,{created},{paid_at},{title},1,="YT{order[-6:]}",圆通速递,,1,="57300001",清风茶舍旗舰店,,0.00,0.00,,'
            f"手机订单,,{refund}")


def taobao_file(tmp_path):
    return write(tmp_path, "ExportOrderList202603.csv", [
        TAOBAO_HEADER,
        taobao_row("3012345678901234567", status="买家已付款，等待卖家发货"),
        taobao_row("3012345678901234568", paid="120.00", refund="20.00"),
        taobao_row("3012345678901234569", paid="66.00", status="交易关闭"),
        taobao_row("3012345678901234570", paid="45.00", status="交易关闭", paid_at=""),
        taobao_row("3012345678901234571", paid="45.00", status="等待买家付款", paid_at=""),
        taobao_row("3012345678901234572\t", paid="0.50", status="卖家已发货，等待买家确认"),
    ], encoding="gbk")


def test_taobao_golden_and_totals(shops, tmp_path):
    extraction = read(shops, "taobao", taobao_file(tmp_path))
    assert_golden(extraction_text(extraction), GOLDEN / "shop_orders" / "taobao-ExportOrderList.beancount")
    assert extraction.rows == 6
    assert extraction.skipped == {"closed before payment (no money moved)": 1, "awaiting payment (no sale yet)": 1}
    t = totals(extraction.entries)
    # booked: 289 + 120 + 66 + 0.50; refunded: 20 + 66 (closed after payment)
    assert t["Assets:Receivable:Taobao CNY"] == Decimal("389.50") == -t["Income:Sales:Taobao CNY"]
    ids = [e.meta["order-id"] for e in extraction.entries]
    assert "3012345678901234572" in ids and all(len(i) == 19 for i in ids)  # ="…" and TAB gone, never a number


def test_taobao_unknown_status(shops, tmp_path):
    path = write(tmp_path, "ExportOrderList.csv", [TAOBAO_HEADER, taobao_row("1", status="神秘状态")], encoding="gbk")
    with pytest.raises(StatementError, match=r"ExportOrderList.csv:2: column 订单状态: unknown status '神秘状态' "
                                             r"\(expected one of 等待买家付款"):
        read(shops, "taobao", path)


def test_taobao_order_on_two_rows(shops, tmp_path):
    path = write(tmp_path, "ExportOrderList.csv", [TAOBAO_HEADER, taobao_row("7"), taobao_row("7")], encoding="gbk")
    with pytest.raises(StatementError, match=r"ExportOrderList.csv:3: order 7 again \(first on line 2; "
                                             r"expected one row per order\)"):
        read(shops, "taobao", path)


# -- Douyin 抖店: one row per sub-order, "\t<id>" ----------------------------------------

DOUYIN_HEADER = ("主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
                 "平台实际承担优惠金额,商家实际承担优惠金额,达人实际承担优惠金额,订单提交时间,订单完成时间,订单状态,售后状态")


def douyin_row(main, sub, title, amount, status="已完成", after="-", created="2026-03-02 20:01:02"):
    return (f'"\t{main}","\t{sub}",{title},默认,1,"\t3600000{sub[-3:]}",,{amount},{amount},0.00,0.00,0.00,0.00,'
            f"{created},,{status},{after}")


def douyin_file(tmp_path):
    return write(tmp_path, "抖店订单导出.csv", [
        "\ufeff" + DOUYIN_HEADER,
        douyin_row("6920000000000000001", "6920000000000000002", "龙井礼盒", "218.00"),
        douyin_row("6920000000000000001", "6920000000000000003", "白茶饼", "100.00", after="退款成功"),
        douyin_row("6920000000000000004", "6920000000000000005", "普洱", "58.00", status="待支付"),
        douyin_row("6920000000000000006", "6920000000000000007", "红茶", "39.90", status="已关闭", after="退款成功"),
        douyin_row("6920000000000000008", "6920000000000000009", "绿茶", "29.90", status="已关闭"),
    ])


def test_douyin_golden_and_totals(shops, tmp_path):
    extraction = read(shops, "douyin", douyin_file(tmp_path))
    assert_golden(extraction_text(extraction), GOLDEN / "shop_orders" / "douyin-orders.beancount")
    assert extraction.rows == 5
    assert extraction.skipped == {"more sub-orders of an order (booked with it)": 1,
                                  "awaiting payment (no sale yet)": 1, "closed before payment (no money moved)": 1}
    t = totals(extraction.entries)
    assert t["Assets:Receivable:Douyin CNY"] == Decimal("218.00")   # 318 + 39.90 booked, 100 + 39.90 refunded
    order = next(e for e in extraction.entries if e.meta["id"] == "order:6920000000000000001")
    assert order.meta["sub-orders"] == "6920000000000000002 6920000000000000003"


def test_douyin_unknown_after_sale_status(shops, tmp_path):
    path = write(tmp_path, "d.csv", [DOUYIN_HEADER, douyin_row("1", "2", "x", "1.00", after="部分退款神秘")])
    with pytest.raises(StatementError, match=r"d.csv:2: column 售后状态: unknown status '部分退款神秘'"):
        read(shops, "douyin", path)


# -- Pinduoduo: CSV and XLSX -------------------------------------------------------------

PDD_HEADER = ["商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "用户实付金额(元)",
              "商家实收金额(元)", "商品数量(件)", "订单成交时间", "售后状态", "商品id"]
PDD_ROWS = [
    ["白茶饼 357g", "260303-123456789012345", "已发货，待签收", "88.00", "0.00", "5.00", "0.00", "83.00", "88.00", "1",
     "2026-03-03 09:12:45", "无售后或售后取消", "754299529443"],
    ["接考横幅", "260303-123456789012346", "已签收", "17.8", "0", "0", "0", "17.8", "17.8", "1",
     "2026-03-03 10:00:00", "退款成功", "754299529444"],
    ["龙井", "260303-123456789012347", "未发货，退款成功", "30.00", "0", "0", "0", "30.00", "30.00", "1",
     "2026-03-03 11:00:00", "退款成功", "754299529445"],
    ["红茶", "260303-123456789012348", "已取消", "20.00", "0", "0", "0", "20.00", "20.00", "1",
     "2026-03-03 12:00:00", "无售后或售后取消", "754299529446"],
]


def test_pinduoduo_golden_and_totals(shops, tmp_path):
    path = write(tmp_path, "pdd_orders.csv", [",".join(PDD_HEADER), *(",".join(r) for r in PDD_ROWS)])
    extraction = read(shops, "pinduoduo", path)
    assert_golden(extraction_text(extraction), GOLDEN / "shop_orders" / "pinduoduo-orders.beancount")
    assert extraction.skipped == {"cancelled before payment (no money moved)": 1}
    # 88.00 + 17.80 (已签收, its after-sale refunded by an amount the export does not
    # state: none invented); 龙井 未发货，退款成功 refunded in full
    assert totals(extraction.entries)["Assets:Receivable:Pinduoduo CNY"] == Decimal("105.80")
    order = next(e for e in extraction.entries if e.meta["id"] == "order:260303-123456789012346")
    assert order.meta["refund-amount"] == "not stated"
    assert "refund:260303-123456789012346" not in {e.meta["id"] for e in extraction.entries}


def test_pinduoduo_buyer_paid_is_the_receivable_less_the_platforms_discount(shops, tmp_path):
    # README (Decisions): the platform's discount is inside the receivable, the buyer's part
    # kept as buyer-paid; an export without 用户实付金额 says it by 平台优惠折扣 (a blind helper's had neither read)
    header = [c for c in PDD_HEADER if c != "用户实付金额(元)"]
    rows = [[c for i, c in enumerate(r) if PDD_HEADER[i] != "用户实付金额(元)"] for r in PDD_ROWS]
    extraction = read(shops, "pinduoduo", write(tmp_path, "pdd.csv", [",".join(header), *(",".join(r) for r in rows)]))
    paid = {e.meta["id"]: e.meta.get("buyer-paid") for e in extraction.entries}
    assert paid["order:260303-123456789012345"] == "83.00"          # 88.00 less the platform's 5.00
    assert paid["order:260303-123456789012346"] is None             # no platform discount: what the shop got


def test_pinduoduo_xlsx_export_gives_the_same_entries(shops, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PDD_HEADER)
    for row in PDD_ROWS:  # Excel stores the money as floats: 17.8 must stay 17.80, not 17.800000000000001
        sheet.append([float(c) if i in (3, 4, 5, 6, 7, 8) else c for i, c in enumerate(row)])
    book.save(tmp_path / "pdd_orders.xlsx")
    csv_path = write(tmp_path, "pdd_orders.csv", [",".join(PDD_HEADER), *(",".join(r) for r in PDD_ROWS)])
    from_xlsx = read(shops, "pinduoduo", tmp_path / "pdd_orders.xlsx")
    from_csv = read(shops, "pinduoduo", csv_path)
    assert totals(from_xlsx.entries) == totals(from_csv.entries)
    assert [e.meta["id"] for e in from_xlsx.entries] == [e.meta["id"] for e in from_csv.entries]


def test_pinduoduo_order_without_any_time_is_dated_by_its_number(shops, tmp_path):
    # Real exports leave 订单成交时间 (and every other time) empty on some rows: the order
    # number's 260517- says the day; a row that fills only 支付时间 is dated by it.
    header = ["订单成交时间", "商品", "订单号", "订单状态", "商家实收金额(元)", "支付时间", "售后状态"]
    rows = [["", "接考横幅", "260517-607198974342268", "已收货", "17.8", "", "无售后或售后取消"],
            ["", "横幅", "260518-607198974342269", "已收货", "9.9", "2026-05-18 21:00:05", "无售后或售后取消"],
            ["2026-06-01 00:03:00", "横幅", "260531-607198974342270", "已收货", "9.9", "", "无售后或售后取消"]]
    extraction = read(shops, "pinduoduo", write(tmp_path, "pdd.csv", [",".join(r) for r in [header, *rows]]))
    dated = {e.meta["order-id"]: (str(e.date), e.meta.get("time"), e.meta.get("date-from")) for e in extraction.entries}
    assert dated == {"260517-607198974342268": ("2026-05-17", None, "订单号"),
                     "260518-607198974342269": ("2026-05-18", "21:00:05", None),
                     "260531-607198974342270": ("2026-06-01", "00:03:00", None)}
    assert extraction.notes == ["1 order(s) without a time in any of 订单成交时间, 支付时间: dated by their order "
                                "number (date-from: 订单号)"]
    rows[0][2] = "A607198974342268"   # no day in the number: still an error that names the line
    with pytest.raises(StatementError, match=r"pdd.csv:2: column 订单成交时间: expected a date"):
        read(shops, "pinduoduo", write(tmp_path, "pdd.csv", [",".join(r) for r in [header, *rows]]))


# -- JD seller: one row per product, order columns repeated ------------------------------

JD_HEADER = ("订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付,应付金额,订单状态,订单类型,"
             "下单帐号,客户姓名,客户地址,联系电话,订单备注,发票类型,发票抬头,发票内容,商家备注,商家备注等级（等级1-5为由高到低）,"
             "运费金额,付款确认时间,增值税发票,货号,订单完成时间,订单来源,订单渠道")


def jd_row(order, sku, title, settled, status="完成", paid_at="2026-03-04 14:21:00", total=None):
    return (f"{order}\t,{sku}\t,{title},1,在线支付,2026-03-04 14:20:00,{settled},{total or settled},{settled},0.00,"
            f"{settled},{status},SOP,jd_user,王*,北京市***,138****0000,,电子发票,个人,明细,,,0.00,{paid_at},,,,,PC")


def jd_file(tmp_path, *rows):
    return write(tmp_path, "jd_orders.csv", [JD_HEADER, *rows])


def test_jd_golden_and_totals(shops, tmp_path):
    path = jd_file(tmp_path,
                   jd_row("290123456789", "100012", "正山小种 100g", "356.00"),
                   jd_row("290123456789", "100013", "紫砂杯", "356.00"),
                   jd_row("290123456790", "100014", "茶盘", "99.00", status="已取消"),
                   jd_row("290123456791", "100015", "茶巾", "15.00", status="已取消", paid_at=""),
                   jd_row("290123456792", "100016", "茶针", "9.90", status="等待付款", paid_at=""))
    extraction = read(shops, "jd", path)
    assert_golden(extraction_text(extraction), GOLDEN / "shop_orders" / "jd-orders.beancount")
    assert extraction.rows == 5
    assert extraction.skipped == {"more products of an order (booked with it)": 1,
                                  "closed before payment (no money moved)": 1, "awaiting payment (no sale yet)": 1}
    assert totals(extraction.entries)["Assets:Receivable:JD CNY"] == Decimal("356.00")  # 99.00 paid and cancelled


def test_jd_rows_of_one_order_must_agree(shops, tmp_path):
    path = jd_file(tmp_path, jd_row("290123456789", "100012", "a", "356.00"),
                   jd_row("290123456789", "100013", "b", "300.00"))
    with pytest.raises(StatementError, match=r"jd_orders.csv:3: order 290123456789: 结算金额 differs from line 2"):
        read(shops, "jd", path)


# -- the generic orders CSV --------------------------------------------------------------

WEB_HEADER = "订单号,下单日期,下单时间,实付金额,订单状态,退款金额"


def test_orders_csv_through_the_column_map(shops, tmp_path):
    path = write(tmp_path, "web.csv", [
        "网店订单导出", WEB_HEADER,
        "W1001,2026-03-05,11:00:00,120.00,已完成,",
        "W1002,2026-03-05,11:30:00,80.00,已退款,",
        "W1003,2026-03-05,12:00:00,60.00,已完成,15.00",
        "W1004,2026-03-05,12:30:00,60.00,已取消,"])
    extraction = read(shops, "web", path)
    assert_golden(extraction_text(extraction), GOLDEN / "shop_orders" / "orders-csv.beancount")
    assert extraction.skipped == {"status 已取消 (no money moved)": 1}
    assert totals(extraction.entries)["Assets:Receivable:Web CNY"] == Decimal("165.00")


@pytest.mark.parametrize("row, message", [
    ("W1,2026-03-05,11:00:00,120.00,已发货,", "web.csv:2: column 订单状态: status '已发货' is not listed under "
                                             "shops.web.statuses in config.yaml"),
    ("W1,2026-03-32,11:00:00,120.00,已完成,", "web.csv:2: column 下单日期: expected a date like 2026-03-01"),
    ("W1,2026-03-05,11:00:00,一百,已完成,", "web.csv:2: column 实付金额: expected an amount, got '一百'"),
])
def test_orders_csv_bad_rows(shops, tmp_path, row, message):
    path = write(tmp_path, "web.csv", [WEB_HEADER, row])
    with pytest.raises(StatementError) as caught:
        read(shops, "web", path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


@pytest.mark.parametrize("last, cut", [("W10", True), ("W1004", False)])
def test_orders_csv_cut_inside_its_last_order_id_is_refused(shops, tmp_path, last, cut):
    # blind13: a file cut inside its last cell keeps every cell; its order id shorter than the others' is cut
    path = tmp_path / "web.csv"
    path.write_text("下单日期,下单时间,实付金额,订单状态,退款金额,订单号\n" + "".join(
        f"2026-03-05,11:00:00,{n}0.00,已完成,,W100{n}\n" for n in (1, 2, 3)) + f"2026-03-05,12:00:00,40.00,已完成,,{last}",
        encoding="utf-8")
    if cut:
        with pytest.raises(StatementError, match=r"web.csv:5: the last line ends without a line end and its 订单号 "
                                                 r"'W10' is shorter than the other rows' \('W1003'\)"):
            read(shops, "web", path)
    else:   # must not fire: whole, without a line end
        assert read(shops, "web", path).rows == 4


def test_orders_csv_streamed_finds_an_order_again_past_the_ids_in_memory(shops, tmp_path, monkeypatch):
    """Read as a stream (the rows never held), the order ids on disk past the first two:
    an order met again far down the export is still the error naming its first line."""
    from beanclear.books import idset
    from beanclear.importers.toolkit import text
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(idset, "LIMIT_IDS", 2)
    rows = [f"W{n},2026-03-05,11:00:00,10.00,已完成," for n in range(1, 40)]
    ok = read(shops, "web", write(tmp_path, "web.csv", [WEB_HEADER, *rows]))
    assert len(ok.entries) == 39 and ok.rows == 39
    with pytest.raises(StatementError, match=r"web.csv:41: order W3 again \(first on line 4; expected one row per "
                                             r"order; an export of one row per line item needs item_rows under "
                                             r"shops.web in config.yaml"):
        read(shops, "web", write(tmp_path, "web.csv", [WEB_HEADER, *rows, "W3,2026-03-06,09:00:00,5.00,已完成,"]))


def test_shop_account_id_tells_two_shops_of_one_type_apart(make_config, tmp_path):
    cfg = make_config("""\
        shops:
          tea: {type: taobao, account_id: "57300001"}
          teaware: {type: taobao, account_id: "57300002"}
        """)
    path = taobao_file(tmp_path)
    claims = [name for name, shop in cfg.shops.items() if taobao_orders.Importer(shop, cfg).identify(str(path))]
    assert claims == ["tea"]


# -- config ------------------------------------------------------------------------------

def test_shop_defaults_and_overrides(make_config):
    cfg = make_config("""\
        currency: HKD
        shops:
          my_shop: {type: jd}
          tm: {type: taobao, currency: CNY, accounts: {receivable: "Assets:Receivable:Tmall", sales: "Income:Tmall"}}
        """)
    shop = cfg.shops["my_shop"]
    assert (shop.accounts.receivable, shop.accounts.sales, shop.currency, shop.order_days) == \
        ("Assets:Receivable:MyShop", "Income:Sales:MyShop", "HKD", 3)
    assert cfg.shops["tm"].accounts.receivable == "Assets:Receivable:Tmall"
    assert {"Assets:Receivable:MyShop", "Income:Sales:MyShop", "Assets:Receivable:Tmall", "Income:Tmall"} <= \
        set(cfg.accounts())
    # a Shopify shop's gift cards: a liability of its own, by default, opened by the first entry using it
    assert shop.accounts.gift_cards is None and not any("GiftCards" in a for a in cfg.accounts())
    cfg = make_config("""\
        shops:
          web: {type: shopify}
          eu: {type: shopify, accounts: {gift_cards: "Liabilities:Gutscheine"}}
        """)
    assert cfg.shops["web"].accounts.gift_cards == "Liabilities:GiftCards:Web"
    assert cfg.shops["eu"].accounts.gift_cards == "Liabilities:Gutscheine"
    assert {"Liabilities:GiftCards:Web", "Liabilities:Gutscheine"} <= set(cfg.accounts())


@pytest.mark.parametrize("shop, message", [
    ("{type: shopify, order_day: 3}", "shops.s.order_day: unknown key"),
    ("{type: ebay}", "shops.s.type: expected one of shopify | taobao | jd | pinduoduo | douyin | orders-csv, "
                     'got "ebay"'),
    ("{type: shopify, columns: {order_id: x}}",
     "shops.s.columns: only an orders-csv shop is read through a column map"),
    ("{type: orders-csv, statuses: {paid: [x]}}", "shops.s.statuses.paid: unknown key"),
    ("{type: orders-csv, columns: {order_id: a, date: b}}", "shops.s.columns.amount: missing"),
    ("{type: orders-csv, columns: {order_id: a, date: b, amount: c, status: d}}", "shops.s.statuses: missing"),
    ("{type: orders-csv, columns: {order_id: a, date: b, amount: c}, statuses: {booked: [x]}}",
     "shops.s.columns.status: missing"),
    ("{type: orders-csv, columns: {order_id: a, date: b, amount: c, status: d}, statuses: {paid: [x]}}",
     "shops.s.statuses.paid: unknown key"),
    ("{type: orders-csv, columns: {order_id: a, date: b, amount: c, status: d}, statuses: {booked: [x], skipped: [x]}}",
     "shops.s.statuses.skipped[0]: expected a status listed once (it is already booked)"),
    ("{type: orders-csv, encoding: klingon, columns: {order_id: a, date: b, amount: c}}",
     "shops.s.encoding: expected a known text encoding"),
    ("{type: shopify, accounts: {receivable: receivable}}", "shops.s.accounts.receivable: expected an account name"),
    ("{type: taobao, accounts: {gift_cards: Liabilities:GiftCards}}", "shops.s.accounts.gift_cards: unknown key"),
])
def test_shop_config_errors_name_the_key(make_config, shop, message):
    from beanclear.config import ConfigError
    with pytest.raises(ConfigError) as caught:
        make_config(f"shops:\n  s: {shop}\n")
    assert message in str(caught.value)


# -- orders-csv configured by its type alone: the columns found by their usual names ------

@pytest.mark.parametrize("lines, booked", [
    (["Order ID,Date,Status,Total,Currency", "A1,2026-03-01,completed,10.00,USD", "A2,2026-03-02,Cancelled,5.00,USD",
      "A3,2026-03-02,Refunded,7.00,USD"], {"A1": ("10.00", "USD", False), "A3": ("7.00", "USD", True)}),
    (["订单号,下单日期,下单时间,商品,实付金额,币种,订单状态,退款金额", "W1,2026-03-01,10:00:00,茶,10.00,CNY,已支付,0.00",
      "W2,2026-03-01,11:00:00,茶,20.00,CNY,已完成,5.00"], {"W1": ("10.00", "CNY", False), "W2": ("20.00", "CNY", True)}),
])
def test_orders_csv_without_columns_finds_them_by_their_names(make_config, shops, tmp_path, lines, booked):
    cfg = make_config("shops:\n  plain: {type: orders-csv}\n")
    path = write(tmp_path, "orders.csv", lines)
    importer = orders_csv.Importer(cfg.shops["plain"], cfg)
    assert importer.identify(str(path))
    assert not [n for n in ("shopify", "taobao", "douyin", "pinduoduo") if MODULES[n].Importer(
        shops.shops[n], shops).identify(str(path))]
    extraction = importer.read(str(path))
    orders = {e.meta["order-id"]: e for e in extraction.entries if e.meta["id"].startswith("order:")}
    refunds = {e.meta["order-id"] for e in extraction.entries if e.meta["id"].startswith("refund:")}
    assert {k: (str(e.postings[0].units.number), e.postings[0].units.currency, k in refunds)
            for k, e in orders.items()} == booked
    if "下单时间" in lines[0]:
        assert orders["W1"].meta["time"] == "10:00:00"


def test_orders_csv_without_columns_says_what_it_does_not_know(make_config, tmp_path):
    cfg = make_config("shops:\n  plain: {type: orders-csv}\n")
    importer = orders_csv.Importer(cfg.shops["plain"], cfg)
    unknown = write(tmp_path, "o.csv", ["订单号,下单时间,实付金额,订单状态", "B1,2026-03-01 10:00:00,10.00,神秘"])
    with pytest.raises(StatementError, match=r"o.csv:2: column 订单状态: status '神秘' is not listed under "
                                             r"shops.plain.statuses"):
        importer.read(str(unknown))
    assert not importer.identify(str(write(tmp_path, "x.csv", ["Name,Total,Created at", "#1,1.00,2026-03-01"])))


# -- the orders an export says took no money ------------------------------------------------

def no_money(extraction) -> dict:
    return {order: extraction.no_money.get(order) for order in extraction.no_money or ()}


def test_every_shop_importer_keeps_the_orders_it_says_took_no_money(shops, tmp_path):
    # blind32: a later export saying `voided` of an order the books hold booked was skipped
    # unsaid; each importer keeps them (their line, the reason), for the import to compare
    # with the books (statements/no_money.py), once an order however many rows it has;
    # an order of a sub-order that took money is booked, not kept (Douyin's 6920…0001)
    assert no_money(read(shops, "shopify", write(tmp_path, "orders_export.csv", [
            "Name,Created at,Total,Currency,Financial Status,Refunded Amount,Cancelled at,Lineitem name",
            "#3001,2025-02-01 10:00:00 -0500,80.00,USD,paid,,,A",
            "#3002,2025-02-01 11:00:00 -0500,50.00,USD,pending,0.00,2025-02-03 09:00:00 -0500,C",
            "#3002,,,,,,,C2",
            "#3003,2025-02-01 12:00:00 -0500,40.00,USD,voided,0.00,,D"]))) == {
        "#3002": (3, "cancelled before payment (no money moved)"),
        "#3003": (5, "voided (authorisation released, no money moved)")}
    assert no_money(read(shops, "taobao", taobao_file(tmp_path))) == {
        "3012345678901234570": (5, "closed before payment (no money moved)"),
        "3012345678901234571": (6, "awaiting payment (no sale yet)")}
    assert no_money(read(shops, "douyin", douyin_file(tmp_path))) == {
        "6920000000000000004": (4, "awaiting payment (no sale yet)"),
        "6920000000000000008": (6, "closed before payment (no money moved)")}
    pdd = write(tmp_path, "pdd.csv", [",".join(PDD_HEADER), *(",".join(r) for r in PDD_ROWS)])
    assert no_money(read(shops, "pinduoduo", pdd)) == {
        "260303-123456789012348": (5, "cancelled before payment (no money moved)")}
    jd = jd_file(tmp_path, jd_row("290123456789", "100012", "a", "356.00"),
                 jd_row("290123456791", "100015", "茶巾", "15.00", status="已取消", paid_at=""),
                 jd_row("290123456792", "100016", "茶针", "9.90", status="等待付款", paid_at=""))
    assert no_money(read(shops, "jd", jd)) == {"290123456791": (3, "closed before payment (no money moved)"),
                                                "290123456792": (4, "awaiting payment (no sale yet)")}
    web = write(tmp_path, "web.csv", ["网店订单导出", WEB_HEADER, "W1001,2026-03-05,11:00:00,120.00,已完成,",
                                      "W1004,2026-03-05,12:30:00,60.00,已取消,"])
    assert no_money(read(shops, "web", web)) == {"W1004": (4, "status 已取消 (no money moved)")}
