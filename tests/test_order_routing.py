"""Which shop's receivable a channel payment clears, without `shop:` on the channel
(DESIGN.md §1, §3): with one shop, that shop; with several, the shop whose books (or
import batch) hold the order; `shop:` overrides. And orders in one currency paid in
another: Stripe's presentment amount, PayPal's payment before its conversion."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from beanclear import config as config_mod
from beanclear.importers.base import Extraction, ShopOrders, described_order, posting, route, transaction
from beanclear.checks.orders import ChannelSales
from conftest import beanclear, snapshot
from test_shop_journey import shop_export, trade_bill
from test_shop_orders import TAOBAO_HEADER, taobao_row, write

ONE_SHOP = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 400, fees: [{rate: 0.006}]}
shops:
  teashop: {type: shopify, currency: CNY, order_days: 3}
"""
TWO_SHOPS = ONE_SHOP + """\
  web:
    type: orders-csv
    order_days: 3
    columns: {order_id: 订单号, date: 下单日期, time: 下单时间, amount: 实付金额, status: 订单状态}
    statuses: {booked: [已支付], skipped: [已取消]}
"""
DAY = dt.date(2026, 3, 1)
TEA_ORDERS = [("1001", "01", "100.00", "0.00", "paid"), ("1002", "02", "50.00", "0.00", "paid"),
              ("1009", "10", "10.00", "0.00", "paid")]
WEB_ORDERS = ["W2001,2026-03-01,11:00:00,80.00,已支付", "W2002,2026-03-10,11:00:00,30.00,已支付"]
PAYMENTS = [("01", "4200001001", "1001", "100.00"), ("02", "4200001002", "1002", "50.00"),
            ("01", "4200002001", "W2001", "80.00"), ("10", "4200001009", "1009", "10.00"),
            ("10", "4200002002", "W2002", "30.00")]


def merchant(tmp_path, config, web=True, payments=PAYMENTS):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    for name in ("orders", "payments"):
        (tmp_path / name).mkdir(exist_ok=True)
    shop_export(tmp_path / "orders", TEA_ORDERS)
    if web:
        (tmp_path / "orders" / "web.csv").write_text("\n".join(["订单号,下单日期,下单时间,实付金额,订单状态",
                                                              *WEB_ORDERS]) + "\n", encoding="utf-8")
    trade_bill(tmp_path / "payments", payments)
    return tmp_path


def imported(folder, *paths):
    result = beanclear(folder, "import", *(str(folder / p) for p in paths))
    assert result.exit_code == 0, result.output
    return result.output


def findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["refs"][0]) for f in report["findings"])


def wechat_books(folder):
    return (folder / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")


# -- one shop: implied ----------------------------------------------------------------------

def test_one_shop_without_shop_key_clears_its_orders(tmp_path):
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=PAYMENTS[:2] + PAYMENTS[3:4])
    imported(folder, "payments", "orders")
    assert findings(folder) == []
    assert "Income:Sales:WeChat" not in wechat_books(folder)


def test_one_shop_payment_naming_no_order_of_it_is_payment_without_order(tmp_path):
    folder = merchant(tmp_path, ONE_SHOP, web=False,
                      payments=PAYMENTS[:2] + PAYMENTS[3:4] + [("05", "4200009999", "9999", "12.00")])
    imported(folder, "orders", "payments")
    assert findings(folder) == [("payment-without-order", "4200009999")]
    # blind23 (handedits2): a channel that pays the one shop by default may sell for a store of
    # its own; the finding names the key that says so. One naming its shop is told nothing of it.
    hint = "; if wechat sells for a store of its own, `channels.wechat.shop: none` keeps its payments its sales"
    said = [f["message"] for f in json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]]
    assert said[0].endswith(hint), said
    (folder / "config.yaml").write_text(ONE_SHOP.replace("fees: [{rate: 0.006}]}",
                                                         "fees: [{rate: 0.006}], shop: teashop}"), encoding="utf-8")
    said = [f["message"] for f in json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]]
    assert said and not [m for m in said if "shop: none" in m], said


def test_shop_pound_sign_and_payment_without_it_meet_without_order_pattern(tmp_path):
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=PAYMENTS[:1])
    imported(folder, "orders", "payments")
    text = wechat_books(folder)
    assert "^order-1001" in text and "Assets:Receivable:Teashop" in text


# -- several shops: the order id finds its shop -----------------------------------------------

def test_two_shops_orders_imported_first(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS)
    imported(folder, "orders")
    out = imported(folder, "payments")
    assert "note" not in out
    text = wechat_books(folder)
    assert text.count("Assets:Receivable:Teashop") == 3 and text.count("Assets:Receivable:Web") == 2
    assert findings(folder) == []


def test_two_shops_payment_naming_an_order_neither_holds_is_payment_without_order(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS, payments=PAYMENTS + [("05", "4200009999", "9999", "12.00")])
    imported(folder, "orders", "payments")
    assert findings(folder) == [("payment-without-order", "4200009999")]


def test_a_payment_naming_no_shops_order_by_the_channels_pattern_names_the_order_it_cut(tmp_path):
    # `9999_1` is the merchant's first payment attempt of order 9999 (order_pattern):
    # the finding names order 9999, as the shops' exports and the other findings do.
    cut = TWO_SHOPS.replace("fees: [{rate: 0.006}]}", "fees: [{rate: 0.006}], order_pattern: '^(.+?)(?:_\\d+)?$'}")
    folder = merchant(tmp_path, cut, payments=PAYMENTS + [("05", "4200009999", "9999_1", "12.00")])
    imported(folder, "orders", "payments")
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    [found] = report["findings"]
    assert found["code"] == "payment-without-order" and found["refs"] == ["4200009999", "9999_1", "9999"]
    assert "names order 9999, which the exports of no shop (teashop, web) hold" in found["message"]


def test_a_payment_the_channels_pattern_finds_no_order_in_is_a_counter_sale_not_a_finding(tmp_path):
    # a blind helper's busy merchant: order_pattern '^SHOP(\\d+)$' said only SHOP<n> names an
    # order, yet each counter sale (商户订单号 MP…) was a payment-without-order, 12,901 of them
    shop_only = TWO_SHOPS.replace("fees: [{rate: 0.006}]}", "fees: [{rate: 0.006}], order_pattern: '^SHOP(\\d+)$'}")
    folder = merchant(tmp_path, shop_only, payments=PAYMENTS + [("05", "4200009999", "MP9999", "12.00")])
    imported(folder, "orders", "payments")
    assert [code for code, _ in findings(folder)].count("payment-without-order") == 0


def test_two_shops_payments_before_orders_in_one_batch(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS)
    (folder / "payments" / "wechat_tradebill.csv").rename(folder / "orders" / "a_wechat.csv")  # read first
    out = imported(folder, "orders")
    assert "note" not in out
    assert findings(folder) == []


def test_two_shops_payments_imported_before_any_order_are_routed_when_the_orders_come(tmp_path):
    # Imported before any order, the payments stay sales of wechat (no shop can be told)
    # and the import says so; the orders' import moves their sale postings to the shops'
    # receivables (books/late_routes.py): the books are what importing both together writes.
    together = merchant(tmp_path / "together", TWO_SHOPS)
    imported(together, "orders", "payments")
    folder = merchant(tmp_path / "apart", TWO_SHOPS)
    out = imported(folder, "payments")
    assert ("note: sales naming an order no shop holds (5, e.g. 1001): booked as sales of wechat; import the "
            "shops' orders first (with these payments, or before them), or set channels.wechat.shop") in out
    assert "Assets:Receivable" not in wechat_books(folder)
    before = wechat_books(folder)
    out = imported(folder, "orders")
    assert "note: 5 payment(s) booked before their orders now clear them" in out
    assert snapshot(folder / "books") == snapshot(together / "books")
    assert findings(folder) == []
    changed = [(a, b) for a, b in zip(before.splitlines(), wechat_books(folder).splitlines()) if a != b]
    assert len(changed) == 5 and all(a.startswith("  Income:Sales:WeChat ") and b.startswith("  Assets:Receivable:")
                                     for a, b in changed)
    assert "5 payment(s)" not in imported(folder, "orders", "payments")   # nothing moves twice


def test_a_payment_rebooked_by_a_person_or_in_a_closed_month_is_not_routed_later(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS)
    imported(folder, "payments")
    path = folder / "books" / "wechat" / "2026" / "2026-03.beancount"
    text = path.read_text(encoding="utf-8")
    first = text.index("  Income:Sales:WeChat ")
    path.write_text(text[:first] + "  Income:Other" + text[first + len("  Income:Sales:WeChat"):], encoding="utf-8")
    out = imported(folder, "orders")
    assert "4 payment(s) booked before their orders now clear them" in out
    assert "  Income:Other " in wechat_books(folder) and "Income:Sales:WeChat" not in wechat_books(folder)
    from beanclear.books.late_routes import _routed_block
    config = config_mod.load(folder / "config.yaml")
    moves = {"W2002": "Assets:Receivable:Web"}
    unrouted = ('2026-03-10 * "x"\n  id: "P"\n  order-id: "W2002"\n'
                '  Assets:Clearing:WeChat   29.82 CNY\n  Income:Sales:WeChat  -30.00 CNY\n\n')
    assert _routed_block(config.channels["wechat"], moves, unrouted) == (
        '2026-03-10 * "x" ^order-W2002\n  id: "P"\n  order-id: "W2002"\n'
        '  Assets:Clearing:WeChat   29.82 CNY\n  Assets:Receivable:Web  -30.00 CNY\n\n')
    nobody = unrouted.replace("W2002", "Z9")
    assert _routed_block(config.channels["wechat"], moves, nobody) is nobody


def test_payments_left_as_sales_by_a_closed_month_are_said_and_cut_order_ids_move(tmp_path):
    # Orders of April paid in March (deposits), March closed since: the payments stay,
    # and the import says so rather than leaving two order-unpaid unexplained.
    folder = merchant(tmp_path / "closed", TWO_SHOPS)
    (folder / "orders" / "web.csv").write_text("订单号,下单日期,下单时间,实付金额,订单状态\n"
                                               "W2001,2026-04-01,11:00:00,80.00,已支付\n"
                                               "W2002,2026-04-02,11:00:00,30.00,已支付\n", encoding="utf-8")
    imported(folder, "payments")
    (folder / "books" / "periods.beancount").write_text('2026-04-01 custom "beanclear-close" "2026-03"\n',
                                                        encoding="utf-8")
    before = wechat_books(folder)
    out = imported(folder, "orders/web.csv")
    assert ("note: 2 payment(s) of these orders booked in a closed month stay sales of their channel: "
            "reopen the month, then import the orders again with --force to move them") in out
    assert "now clear them" not in out and wechat_books(folder) == before
    (folder / "books" / "periods.beancount").write_text('2026-04-01 custom "beanclear-close" "2026-03"\n'
                                                        '2026-04-02 custom "beanclear-reopen" "2026-03"\n',
                                                        encoding="utf-8")
    again = beanclear(folder, "import", "--force", str(folder / "orders" / "web.csv"))
    assert "2 payment(s) booked before their orders now clear them" in again.output
    # A merchant order number the channel's order_pattern cut the shop's order from moves
    # too, with the shop-order-id that importing both together gives it.
    cut = TWO_SHOPS.replace("fees: [{rate: 0.006}]}", 'fees: [{rate: 0.006}], order_pattern: "(W\\\\d+)$"}')
    paid = [("01", "4200002001", "P-W2001", "80.00"), ("10", "4200002002", "W2002", "30.00")]
    together = merchant(tmp_path / "together", cut, payments=paid)
    imported(together, "orders", "payments")
    folder = merchant(tmp_path / "cut", cut, payments=paid)
    imported(folder, "payments")
    out = imported(folder, "orders")
    assert "note: 2 payment(s) booked before their orders now clear them" in out
    assert snapshot(folder / "books") == snapshot(together / "books")
    assert '  method: "CFT"\n  shop-order-id: "W2001"\n  Assets:Clearing:WeChat' in wechat_books(folder)
    assert "Income:Sales:WeChat" not in wechat_books(folder)


def test_taobao_orders_paid_through_alipay_are_named_after_its_T200P_prefix(tmp_path):
    # Alipay writes a Taobao order's number as T200P<number> (FORMATS §8b); without any
    # order_pattern the payment clears the order, imported together or one after the other.
    config = TWO_SHOPS.replace("  web:\n", "  taobao: {type: taobao, order_days: 3}\n  web:\n")
    paid = PAYMENTS[:2] + [("03", "4200003001", "T200P3012345678901234567", "289.00")]
    orders = [taobao_row("3012345678901234567", created="2026-03-03 10:15:00", paid_at="2026-03-03 10:16:02")]
    folders = []
    for name, order in (("together", ("orders", "payments")), ("later", ("payments", "orders"))):
        folder = merchant(tmp_path / name, config, payments=paid)
        write(folder / "orders", "ExportOrderList202603.csv", [TAOBAO_HEADER, *orders], encoding="gbk")
        for part in order:
            imported(folder, part)
        folders.append(folder)
        assert 'order-id: "T200P3012345678901234567"' in wechat_books(folder)
        assert '  shop-order-id: "3012345678901234567"\n  Assets:Clearing:WeChat' in wechat_books(folder)
        report = json.loads(beanclear(folder, "check", "--format", "json").output)
        assert not [f for f in report["findings"] if {"3012345678901234567", "4200003001"} & set(f["refs"])]
    assert snapshot(folders[0] / "books") == snapshot(folders[1] / "books")


def test_order_id_held_by_two_shops_is_not_guessed(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS, payments=PAYMENTS[:1])
    with open(folder / "orders" / "web.csv", "a", encoding="utf-8") as fh:
        fh.write("1001,2026-03-01,11:00:00,100.00,已支付\n")
    out = imported(folder, "orders", "payments")
    assert "held by several shops (teashop, web): set channels.wechat.shop" in out
    assert "Income:Sales:WeChat" in wechat_books(folder)


def test_shop_key_overrides_the_order_id(tmp_path):
    config = TWO_SHOPS.replace("fees: [{rate: 0.006}]}", "fees: [{rate: 0.006}], shop: web}")
    folder = merchant(tmp_path, config)
    imported(folder, "orders", "payments")
    text = wechat_books(folder)
    assert "Assets:Receivable:Teashop" not in text and text.count("Assets:Receivable:Web") == 5
    # paid to web's books: three of the five payments name teashop's orders, one cause
    # (orders.misrouted), not an order-unpaid of each of teashop's orders
    report = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    assert [(f["code"], f["source"], f["refs"]) for f in report] == [
        ("payment-without-order", "wechat", ["4200001001", "4200001002", "4200001009"])]
    assert ("`channels.wechat.shop: web` sends them to web; it pays orders of both: take `shop:` out of "
            "channels.wechat") in report[0]["message"]


def test_fee_and_refund_checks_follow_payments_into_any_shops_receivable(make_config):
    cfg = make_config(TWO_SHOPS)
    sales = ChannelSales(cfg)
    for receivable in ("Assets:Receivable:Teashop", "Assets:Receivable:Web"):
        entry = transaction("x", 1, DAY, None, "Order", {"id": "t"}, [
            posting("Assets:Clearing:WeChat", Decimal("99.40"), "CNY"),
            posting("Expenses:Fees:WeChat", Decimal("0.60"), "CNY"),
            posting(receivable, Decimal("-100.00"), "CNY")])
        channel, side = sales.of(entry)
        assert channel.name == "wechat" and [p.account for p in side] == [receivable]
    alone = make_config(TWO_SHOPS.replace("fees: [{rate: 0.006}]}", "fees: [{rate: 0.006}], shop: web}"))
    entry = entry._replace(postings=entry.postings[:2] + [posting("Assets:Receivable:Teashop", Decimal("-100"), "CNY")])
    assert ChannelSales(alone).of(entry)[1] == []  # that channel never pays teashop's orders


# -- personal wallets: only orders a shop holds -------------------------------------------------

WALLET = ONE_SHOP.replace("shops:", """\
  mywallet:
    type: wechat-personal
    sales: [{category: 二维码收款}]
shops:""")


def wallet_sale(order_id):
    return transaction("x", 1, DAY, "顾客", "二维码收款", {"id": f"w{order_id}", "order-id": order_id}, [
        posting("Assets:Clearing:Mywallet", Decimal("100.00"), "CNY"),
        posting("Income:Sales:Mywallet", Decimal("-100.00"), "CNY")])


def test_wallet_sale_clears_an_order_only_where_a_shop_holds_it(tmp_path, make_config):
    cfg = make_config(WALLET)
    wallet = cfg.channels["mywallet"]
    assert wallet.accounts.sales == "Income:Sales:Mywallet"
    out = Extraction(entries=[wallet_sale("1001"), wallet_sale("100004520260301")])
    route(out, wallet, cfg, ShopOrders(cfg, batch={"teashop": {"order-1001"}}))
    held, own = out.entries
    assert [p.account for p in held.postings][-1] == "Assets:Receivable:Teashop" and held.links == {"order-1001"}
    assert [p.account for p in own.postings][-1] == "Income:Sales:Mywallet"   # the wallet's own number
    assert out.notes == []   # a wallet's own order numbers are no news


WALLET_SHOP = """\
books: books
currency: CNY
channels:
  wx: {type: wechat-personal, settlement_days: 31, order_pattern: "(WS\\\\d{4})"}
  ali: {type: alipay-personal, settlement_days: 31, order_pattern: "(WS\\\\d{4})", sales: [{category: "^收入$"}]}
shops:
  webshop:
    type: orders-csv
    order_days: 3
    columns: {order_id: 订单号, date: 下单日期, amount: 实付金额, status: 订单状态}
    statuses: {booked: [已支付], skipped: [已取消]}
"""
WX_HEADER = "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"
WX_PREAMBLE = ["微信支付账单明细,,,,,,,,,,", "微信昵称：[小店主],,,,,,,,,,",
               "起始时间：[2026-03-01 00:00:00] 终止时间：[2026-03-10 23:59:59],,,,,,,,,,",
               "----------------------微信支付账单明细列表--------------------,,,,,,,,,,"]
ALI_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"


def wallet_merchant(folder):
    """A seller paid by QR code on personal WeChat and Alipay, naming the web shop's
    order in the payment's remark (no 商户单号): WS1001 paid on both, once too often."""
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(WALLET_SHOP, encoding="utf-8")
    (folder / "wallets").mkdir()
    (folder / "shop").mkdir()
    (folder / "wallets" / "wechat.csv").write_text("\n".join([*WX_PREAMBLE, WX_HEADER, *(
        f"2026-03-0{day} 10:01:00,二维码收款,{who},收款方备注:{order},收入,¥{amount},/,已收钱,4200002026030{day}0001\t,/,/"
        for day, who, order, amount in (("3", "阿梅", "WS1002", "88.00"), ("2", "小林", "WS1001", "68.00")))]) + "\n",
        encoding="utf-8")
    (folder / "wallets" / "alipay.csv").write_bytes("\r\n".join([
        "------", "导出信息：", "起始时间：[2026-03-01 00:00:00]    终止时间：[2026-03-10 23:59:59]", "共2笔记录", "",
        ALI_HEADER, "2026-03-04 19:58:33,收入,木木,147****6499,收钱码收款-WS1003,收入,39.50,,交易成功,2026030422001\t,,,",
        "2026-03-05 09:00:00,收入,小林,166****7782,收钱码收款-WS1001,收入,68.00,,交易成功,2026030522001\t,,,"]
        ).encode("gb18030"))
    (folder / "shop" / "orders.csv").write_text("\n".join([
        "订单号,下单日期,实付金额,订单状态", "WS1001,2026-03-02,68.00,已支付", "WS1002,2026-03-03,88.00,已支付",
        "WS1003,2026-03-04,39.50,已支付"]) + "\n", encoding="utf-8")
    return folder


def test_wallet_payments_imported_before_the_shops_orders_clear_them_when_the_orders_come(tmp_path):
    # A personal wallet's QR payment names its order only in its remark (order_pattern on
    # the narration: no 商户单号, so no order-id of its own). Imported before the shop's
    # export it is a sale of the wallet; the export's import moves it to the receivable
    # (books/late_routes.py), so the books are those of one import of both (DESIGN §2).
    together = wallet_merchant(tmp_path / "together")
    imported(together, "wallets", "shop")
    assert findings(together) == [("duplicate-charge", "WS1001")]
    apart = wallet_merchant(tmp_path / "apart")
    imported(apart, "wallets")
    out = imported(apart, "shop")
    assert "note: 4 payment(s) booked before their orders now clear them" in out
    assert snapshot(apart / "books") == snapshot(together / "books")
    assert findings(apart) == [("duplicate-charge", "WS1001")]


def test_shop_orders_are_read_from_the_books_without_a_parse(tmp_path, make_config):
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=PAYMENTS[:1])
    imported(folder, "orders")
    cfg = config_mod.load(folder / "config.yaml")
    assert ShopOrders(cfg).of("teashop") == {"order-1001", "order-1002", "order-1009"}
    assert ShopOrders(cfg).of("nowhere") == set()


# -- orders in one currency, paid in another -------------------------------------------------

CROSS = """\
books: books
currency: USD
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 400}
  paypal: {type: paypal, currency: USD, settlement_days: 400, date_format: "%m/%d/%Y"}
shops:
  eushop: {type: shopify, order_days: 3}
"""
EU_ORDERS = "\n".join([
    "Name,Email,Financial Status,Created at,Total,Refunded Amount,Currency,Lineitem name",
    "#3001,a@example.com,paid,2026-03-01 10:00:00 +0100,50.00,0.00,EUR,Tea",
    "#3002,b@example.com,paid,2026-03-01 11:00:00 +0100,55.00,0.00,EUR,Tea",
    "#3003,c@example.com,paid,2026-03-02 11:00:00 +0100,120.00,0.00,EUR,Tea",
    "#3009,d@example.com,paid,2026-03-10 11:00:00 +0100,10.00,0.00,EUR,Tea"]) + "\n"
STRIPE_REPORT = "\n".join([
    '"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category","source_id",'
    '"description","customer_facing_amount","customer_facing_currency","payment_metadata[order_id]"',
    '"txn_1","2026-03-01 10:15:00","usd","54.35","1.88","52.47","charge","ch_1","Order 3001","50.00","eur","3001"',
    '"txn_2","2026-03-01 11:15:00","usd","59.00","2.01","56.99","charge","ch_2","Order 3002","55.00","eur","3002"',
    '"txn_9","2026-03-10 11:15:00","usd","10.87","0.61","10.26","charge","ch_9","Order 3009","10.00","eur","3009"']) + "\n"
PAYPAL_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
                 '"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance",'
                 '"Balance Impact"')
PAYPAL_ROWS = [  # EUR received for order 3003, converted to USD by PayPal at once
    '"03/02/2026","12:00:00","CET","Cleo","Express Checkout Payment","Completed","EUR","120.00","-4.58","115.42",'
    '"c@example.com","shop@example.com","P1","Tea","","3003","115.42","Credit"',
    '"03/02/2026","12:00:00","CET","","General Currency Conversion","Completed","EUR","-115.42","0.00","-115.42",'
    '"","","P2","","P1","","0.00","Debit"',
    '"03/02/2026","12:00:00","CET","","General Currency Conversion","Completed","USD","124.10","0.00","124.10",'
    '"","","P3","","P1","","124.10","Credit"']


def cross_merchant(tmp_path, stripe=STRIPE_REPORT):
    (tmp_path / "config.yaml").write_text(CROSS, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "orders_export.csv").write_text(EU_ORDERS, encoding="utf-8")
    (statements / "stripe.csv").write_text(stripe, encoding="utf-8")
    (statements / "paypal.csv").write_text("\n".join([PAYPAL_HEADER, *PAYPAL_ROWS]) + "\n", encoding="utf-8")
    imported(tmp_path, "statements")
    return tmp_path


def orders_findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    codes = {"order-unpaid", "payment-without-order", "amount-mismatch", "duplicate-charge", "refund-unsynced"}
    return [f for f in report["findings"] if f["code"] in codes]


def test_eur_orders_paid_in_usd_through_stripe_and_paypal_clear(tmp_path):
    folder = cross_merchant(tmp_path)
    stripe = (folder / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert 'customer-amount: "50.00 EUR"' in stripe and "Assets:Receivable:Eushop" in stripe
    paypal = (folder / "books" / "paypal" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert "Assets:Receivable:Eushop" in paypal
    assert orders_findings(folder) == []


def test_eur_order_paid_less_in_eur_through_stripe_is_a_mismatch_in_eur(tmp_path):
    folder = cross_merchant(tmp_path, STRIPE_REPORT.replace('"55.00","eur","3002"', '"54.00","eur","3002"'))
    [found] = orders_findings(folder)
    assert (found["code"], found["currency"], found["expected"], found["actual"], found["amount"]) == \
        ("amount-mismatch", "EUR", "55.00", "54.00", "1.00")
    assert "stripe txn_2: 59.00 USD, the customer paid it in EUR" in found["message"]


# -- orders whose payments no statement in the books could hold: one cause, one finding -----

def messages(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["message"]) for f in report["findings"])


def test_a_paying_channel_with_no_statement_holds_back_the_shops_deadlines_as_one_finding(tmp_path):
    # Order 1002 is never paid. With an Alipay channel whose statements were never
    # imported, it (and every order) may be paid there: one statement-gap, not an
    # order-unpaid per order.
    paid = [PAYMENTS[0], PAYMENTS[3]]
    folder = merchant(tmp_path / "unpaid", ONE_SHOP, web=False, payments=paid)
    imported(folder, "orders", "payments")
    assert findings(folder) == [("order-unpaid", "#1002")]
    with_alipay = ONE_SHOP.replace("channels:\n", "channels:\n  alipay: {type: alipay, settlement_days: 1, "
                                                  "fees: [{rate: 0.006}]}\n")
    folder = merchant(tmp_path / "absent", with_alipay, web=False, payments=paid)
    imported(folder, "orders", "payments")
    assert messages(folder) == [("statement-gap", "no statement of alipay, which may pay this shop, is in the books; "
                                 "the teashop orders go to 2026-03-10: 1 order deadline(s) wait for the statements "
                                 "of that channel")]


def test_orders_from_before_a_paying_channels_first_statement_wait_as_one_finding(tmp_path):
    # The WeChat bill starts on 10 March: the orders of 1 and 2 March may have been paid
    # before it, in a bill not imported. Within three days of its first line: judged.
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=[("10", "4200001009", "1009", "10.00")])
    imported(folder, "orders", "payments")
    assert messages(folder) == [("statement-gap", "the statements of wechat start 2026-03-10; the teashop orders go "
                                 "to 2026-03-10: 2 order deadline(s) wait for the statements of that channel")]


def test_payments_of_a_shop_whose_export_was_never_imported_are_one_finding(tmp_path):
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=[PAYMENTS[0], PAYMENTS[3]])
    imported(folder, "payments")
    assert messages(folder) == [("statement-gap", "no export of teashop is in the books: 2 payment(s) from "
                                 "2026-03-01 to 2026-03-10 name its orders; import its orders export")]
    imported(folder, "orders")
    assert findings(folder) == [("order-unpaid", "#1002")]


# -- a channel naming its orders only in its text: Stripe's API, with order_pattern or ------
# -- as checkouts write it (`Order W2001`), without ------------------------------------------

STRIPE_TWO_SHOPS = """\
books: books
currency: USD
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 400, order_pattern: 'Order ([A-Za-z0-9]+)'}
shops:
"""
ORDERS_CSV = """\
    type: orders-csv
    currency: USD
    order_days: 3
    columns: {order_id: 订单号, date: 下单日期, time: 下单时间, amount: 实付金额, status: 订单状态}
    statuses: {booked: [已支付], skipped: [已取消]}
"""


def _stripe_merchant(tmp_path, pattern=True):
    """Two shops (web: W…, outlet: X…) paid through Stripe, whose balance transactions
    (the API's, as `beanclear fetch` archives them) name the order only in their
    description; one charge names order 9999, which neither shop holds."""
    config = STRIPE_TWO_SHOPS if pattern else STRIPE_TWO_SHOPS.replace(", order_pattern: 'Order ([A-Za-z0-9]+)'", "")
    (tmp_path / "config.yaml").write_text(config + "  web:\n" + ORDERS_CSV + "  outlet:\n" + ORDERS_CSV,
                                          encoding="utf-8")
    for name in ("orders", "payments"):
        (tmp_path / name).mkdir(exist_ok=True)
    for shop, orders in (("web", ["W2001,2026-03-01", "W2002,2026-03-10"]),
                         ("outlet", ["X3001,2026-03-01", "X3002,2026-03-10"])):
        (tmp_path / "orders" / f"{shop}.csv").write_text(
            "订单号,下单日期,下单时间,实付金额,订单状态\n" + "".join(f"{o},10:00:00,30.00,已支付\n" for o in orders),
            encoding="utf-8")
    charges = [("W2001", 1), ("X3001", 1), ("9999", 5), ("W2002", 10), ("X3002", 10)]
    data = [{"id": f"txn_{order}AAAAAAAA", "object": "balance_transaction", "amount": 3000, "fee": 0, "net": 3000,
             "currency": "usd", "created": 1772330400 + (day - 1) * 86400, "available_on": 1772330400,
             "description": f"Order {order}", "exchange_rate": None, "fee_details": [], "reporting_category": "charge",
             "source": f"ch_{order}BBBBBBBB", "status": "available", "type": "charge"} for order, day in charges]
    (tmp_path / "payments" / "balance-transactions.json").write_text(json.dumps(
        {"object": "list", "data": data, "has_more": False, "url": "/v1/balance_transactions"}), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("description, order", [
    ("Order 1001", "1001"), ("Order #000123 by Jo Smith", "000123"), ("Tea Garden - Order W20260105001", "W20260105001"),
    ("REFUND FOR CHARGE (Order #1001)", "1001"), ("order no. 1001", "1001"), ("Order ID: 12-34", "12-34"),
    ("Order from our shop", None), ("Orders 12", None), ("Border 12", None), ("T-shirt", None), ("", None)])
def test_a_description_names_its_order_as_checkouts_write_it(description, order):
    assert described_order(description) == order


@pytest.mark.parametrize("pattern", [True, False])
def test_order_pattern_names_stripe_api_orders_for_two_shops(tmp_path, pattern):
    folder = _stripe_merchant(tmp_path, pattern)
    imported(folder, "orders", "payments")
    text = (folder / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert text.count("Assets:Receivable:Web") == 2 and text.count("Assets:Receivable:Outlet") == 2
    assert findings(folder) == [("payment-without-order", "txn_9999AAAAAAAA")]


@pytest.mark.parametrize("pattern", [True, False])
def test_order_pattern_routes_stripe_api_payments_imported_before_their_orders(tmp_path, pattern):
    folder = _stripe_merchant(tmp_path, pattern)
    imported(folder, "payments")
    imported(folder, "orders")
    text = (folder / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert text.count("Assets:Receivable:Web") == 2 and text.count("Assets:Receivable:Outlet") == 2
    assert findings(folder) == [("payment-without-order", "txn_9999AAAAAAAA")]


@pytest.mark.parametrize("late", [False, True])
def test_order_pattern_books_the_order_id_its_description_names_not_the_description(tmp_path, late):
    """blind5: with `order_pattern`, a charge described `Order W2001` was booked with
    `order-id: "Order W2001"` (the whole description) and `shop-order-id: "W2001"`, and
    the description was among the findings' refs. Refs hold ids: the order id alone,
    whether the payment comes with its orders or before them (books/late_routes.py)."""
    folder = _stripe_merchant(tmp_path)
    if late:
        imported(folder, "payments")
        imported(folder, "orders")
    else:
        imported(folder, "orders", "payments")
    text = (folder / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert '\n  order-id: "W2001"\n' in text and 'order-id: "Order ' not in text and "shop-order-id" not in text
    assert text.count("Assets:Receivable:Web") == 2 and text.count("Assets:Receivable:Outlet") == 2
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    [(code, refs)] = [(f["code"], f["refs"]) for f in report["findings"]]
    assert (code, refs) == ("payment-without-order", ["txn_9999AAAAAAAA", "9999", "ch_9999BBBBBBBB"])


def test_an_order_pattern_names_the_order_of_a_stripe_refund_in_its_refs_not_its_description(tmp_path):
    """A Stripe report's refund `REFUND FOR CHARGE (Invoice INV-1)` the invoice export
    never shows: the refund-unsynced's refs are the order, the charge and the refund."""
    from test_deadlines_held import merchant
    found = merchant(tmp_path)
    [unsynced] = [f for f in found if f["code"] == "refund-unsynced"]
    assert unsynced["refs"] == ["INV-1", "txn_C1", "txn_R1"]
    text = (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert 'order-id: "INV-1"' in text and "shop-order-id" not in text


def test_two_shops_one_export_ending_early_is_one_gap_of_the_payments_past_it(tmp_path):
    # a blind helper's Pinduoduo export of September left out: 91 payments stayed sales of
    # the channel and check said nothing
    folder = merchant(tmp_path, TWO_SHOPS)
    (folder / "orders" / "web.csv").write_text("订单号,下单日期,下单时间,实付金额,订单状态\n" + WEB_ORDERS[0] + "\n",
                                               encoding="utf-8")
    imported(folder, "orders", "payments")
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    [gap] = report["findings"]
    assert (gap["code"], gap["source"], gap["date"], gap["refs"]) == ("statement-gap", "web", "2026-03-02", ["4200002002"])
    assert "the exports of web end 2026-03-01: 1 payment(s) (1 of wechat) from 2026-03-10 to 2026-03-10" in gap["message"]


def test_two_shops_payments_a_quiet_day_or_two_past_an_export_are_no_gap(tmp_path):
    folder = merchant(tmp_path, TWO_SHOPS, payments=PAYMENTS[:4] + [("03", "4200002002", "W2002", "30.00")])
    (folder / "orders" / "web.csv").write_text("订单号,下单日期,下单时间,实付金额,订单状态\n" + WEB_ORDERS[0] + "\n",
                                               encoding="utf-8")
    imported(folder, "orders", "payments")
    assert findings(folder) == []


# -- a second shop opened mid-way: its exports begin after the payment's date ----------------

WEB_FROM_8 = ["W2001,2026-03-08,11:00:00,80.00,已支付", "W2002,2026-03-10,11:00:00,30.00,已支付"]
PAID_FROM_8 = [PAYMENTS[0], PAYMENTS[1], ("08", "4200002001", "W2001", "80.00"), PAYMENTS[3], PAYMENTS[4]]


def _web_from_8(tmp_path, payments):
    folder = merchant(tmp_path, TWO_SHOPS, payments=PAID_FROM_8 + payments)
    (folder / "orders" / "web.csv").write_text("\n".join(["订单号,下单日期,下单时间,实付金额,订单状态", *WEB_FROM_8]) + "\n",
                                               encoding="utf-8")
    imported(folder, "orders", "payments")
    return json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]


def test_a_payment_before_a_second_shops_first_export_is_judged_by_the_shops_that_cover_its_day(tmp_path):
    # blind10: a shop opened on 8 March (its first export) hid every payment naming no
    # order before that day: `0 errors, 0 warnings`, the money a sale of the channel. Days
    # before a source's first statement are before its start: the shop did not exist yet
    # in the books, and teashop's exports (1 to 10 March) are asked alone.
    [found] = _web_from_8(tmp_path, [("05", "4200009999", "9999", "12.00")])
    assert (found["code"], found["date"], found["refs"]) == ("payment-without-order", "2026-03-05",
                                                             ["4200009999", "9999"])
    assert found["message"] == ("payment of 12.00 CNY (wechat 4200009999) names order 9999, which the exports of no "
                                "shop (teashop) hold; those of web begin 2026-03-08")


def test_a_payment_in_a_second_shops_first_days_or_of_its_orders_is_no_finding(tmp_path):
    # W2001 is web's, paid on its first day (routed, cleared); 9999 paid on 9 March may be
    # an order of web from before its first export, paid late (order_days: 3): not judged
    assert _web_from_8(tmp_path, [("09", "4200009999", "9999", "12.00")]) == []


def _holed(tmp_path, shops, day):
    """teashop's exports of 1–2 March and of 10–20 March (3 to 9 March no export covers),
    alone or beside web's of 1–20 March; a payment on `day` names order 9999."""
    one = shops == "one"
    paid = (PAYMENTS[:2] + PAYMENTS[3:4] if one else PAYMENTS + [("20", "4200002003", "W2003", "40.00")])
    folder = merchant(tmp_path, ONE_SHOP if one else TWO_SHOPS, web=not one,
                      payments=paid + [("20", "4200001020", "1020", "20.00"), (day, "4200009999", "9999", "12.00")])
    if not one:
        with open(folder / "orders" / "web.csv", "a", encoding="utf-8") as fh:
            fh.write("W2003,2026-03-20,11:00:00,40.00,已支付\n")
    shop_export(folder / "orders", TEA_ORDERS[:2])
    (folder / "orders" / "orders_export.csv").rename(folder / "orders" / "orders_1.csv")
    shop_export(folder / "orders", TEA_ORDERS[2:] + [("1020", "20", "20.00", "0.00", "paid")])
    imported(folder, "orders", "payments")
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["date"], f["source"]) for f in report["findings"])


@pytest.mark.parametrize("day", ["02", "05", "09", "12"])
@pytest.mark.parametrize("shops", ["one", "two"])
def test_a_payment_in_a_hole_of_a_shops_exports_is_the_holes_not_a_finding(tmp_path, shops, day):
    # The order 9999 may be in the export not imported: paid on the hole's days, on the day
    # before it (an export may end mid-day), or within order_days after it (an order of
    # the hole paid late). The hole's statement-gap says those days; nothing beside it.
    assert _holed(tmp_path, shops, day) == [("statement-gap", "2026-03-03", "teashop")]


@pytest.mark.parametrize("shops", ["one", "two"])
def test_a_payment_past_a_hole_of_a_shops_exports_is_judged(tmp_path, shops):
    assert _holed(tmp_path, shops, "15") == [("payment-without-order", "2026-03-15", "teashop" if shops == "one"
                                              else "wechat"), ("statement-gap", "2026-03-03", "teashop")]


def _hole_finding(tmp_path, shops, *paid):
    """The statement-gap of teashop's hole (3 to 9 March) with `paid` payments naming orders
    no export holds besides, as check's JSON gives it, and the month report's line of it."""
    one = shops == "one"
    base = PAYMENTS[:2] + PAYMENTS[3:4] if one else PAYMENTS + [("20", "4200002003", "W2003", "40.00")]
    folder = merchant(tmp_path, ONE_SHOP if one else TWO_SHOPS, web=not one,
                      payments=base + [("20", "4200001020", "1020", "20.00"), *paid])
    if not one:
        with open(folder / "orders" / "web.csv", "a", encoding="utf-8") as fh:
            fh.write("W2003,2026-03-20,11:00:00,40.00,已支付\n")
    shop_export(folder / "orders", TEA_ORDERS[:2])
    (folder / "orders" / "orders_export.csv").rename(folder / "orders" / "orders_1.csv")
    shop_export(folder / "orders", TEA_ORDERS[2:] + [("1020", "20", "20.00", "0.00", "paid")])
    imported(folder, "orders", "payments")
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    [gap] = [f for f in report["findings"] if f["code"] == "statement-gap"]
    assert [f["code"] for f in report["findings"]] == ["statement-gap"]   # one cause, one finding
    text = beanclear(folder, "report", "2026-03").output
    return gap, next(line for line in text.splitlines() if "statement-gap" in line)


@pytest.mark.parametrize("shops", ["one", "two"])
def test_a_holes_statement_gap_names_the_payments_it_holds_back_and_their_money(tmp_path, shops):
    # fix232 made a payment in a hole of a shop's exports the hole's statement-gap; the
    # finding said the days, not what waited on them: 2 payments of 32.50 CNY here
    gap, line = _hole_finding(tmp_path, shops, ("05", "4200009999", "9999", "12.00"),
                              ("09", "4200009998", "9998", "20.50"))
    said = "2 payment(s) (32.50 CNY) name orders no export of teashop holds"
    assert said in gap["message"] and said in line
    assert gap["message"].startswith("no statement of teashop covers 2026-03-03 to 2026-03-09 (7 days; if teashop "
                                     "had no lines then, `shops.teashop.quiet_days: 7` says so)")
    assert gap["refs"] == ["teashop 2026-03-03", "4200009999", "4200009998"]   # (acknowledged by its first still)
    assert (gap["date"], gap["source"], gap["amount"]) == ("2026-03-03", "teashop", None)


@pytest.mark.parametrize("shops", ["one", "two"])
def test_a_hole_that_holds_no_payment_says_only_its_days(tmp_path, shops):
    gap, _ = _hole_finding(tmp_path, shops)
    assert "payment" not in gap["message"] and gap["refs"] == ["teashop 2026-03-03"]


# -- a refund naming an order no shop holds (round 11) ---------------------------------------

NO_RATE = "checks:\n  refund-rate: {severity: off}\n"   # one refund in a handful of sales
REFUND_9999 = {"day": "06", "trade_id": "4200009999", "order_id": "9999", "amount": "0", "status": "REFUND",
               "refund_id": "5030009999", "refund": "12.00"}


@pytest.mark.parametrize("config", ["one", "two"])
def test_a_refund_naming_an_order_no_shop_holds_is_payment_without_order(tmp_path, config):
    # A refund of an order no export holds, its payment not in the books, said nothing, with
    # one shop or several; a payment naming such an order is payment-without-order: so is it.
    one = config == "one"
    folder = merchant(tmp_path, (ONE_SHOP if one else TWO_SHOPS) + NO_RATE, web=not one,
                      payments=(PAYMENTS[:2] + PAYMENTS[3:4] if one else PAYMENTS) + [REFUND_9999])
    imported(folder, "orders", "payments")
    [found] = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    assert (found["code"], found["date"], found["amount"]) == ("payment-without-order", "2026-03-06", "12.00")
    assert found["refs"][0] == "5030009999" and "9999" in found["refs"]
    assert found["message"].startswith("refund of 12.00 CNY (wechat 5030009999) names order 9999, which the ")


@pytest.mark.parametrize("config", ["one", "two"])
def test_a_payment_and_its_refund_naming_an_order_no_shop_holds_are_one_finding(tmp_path, config):
    one = config == "one"
    folder = merchant(tmp_path, (ONE_SHOP if one else TWO_SHOPS) + NO_RATE, web=not one,
                      payments=(PAYMENTS[:2] + PAYMENTS[3:4] if one else PAYMENTS)
                      + [("05", "4200009999", "9999", "12.00"), REFUND_9999])
    imported(folder, "orders", "payments")
    [found] = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    assert (found["code"], found["date"], found["amount"]) == ("payment-without-order", "2026-03-05", "12.00")
    assert found["refs"][0] == "4200009999" and "5030009999" in found["refs"]
    assert found["message"].startswith("payment of 12.00 CNY (wechat 4200009999), refunded 12.00 CNY (wechat "
                                       "5030009999), names order 9999")


@pytest.mark.parametrize("config", ["one", "two"])
def test_a_refund_of_a_known_order_the_export_refunded_too_is_no_finding(tmp_path, config):
    one = config == "one"
    refund = {**REFUND_9999, "trade_id": "4200001002", "order_id": "1002", "refund_id": "5030001002",
              "refund": "50.00"}
    folder = merchant(tmp_path, (ONE_SHOP if one else TWO_SHOPS) + NO_RATE, web=not one,
                      payments=(PAYMENTS[:2] + PAYMENTS[3:4] if one else PAYMENTS) + [refund])
    shop_export(folder / "orders", [TEA_ORDERS[0], ("1002", "02", "50.00", "50.00", "refunded"), TEA_ORDERS[2]])
    imported(folder, "orders", "payments")
    assert findings(folder) == []


# -- `shop: none`: a channel whose payments pay no shop (blind18 holidays, blind19 legacyformats) ---

NO_SHOP = ONE_SHOP.replace("fees: [{rate: 0.006}]}", "fees: [{rate: 0.006}], shop: none}")
COUNTER = [("20", "4200009999", "XF9999", "12.00")]   # a counter sale: 商户订单号 XF… is no order of the shop


def test_shop_none_beside_one_shop_books_a_counter_sale_as_income_and_judges_no_order(tmp_path):
    # A merchant whose one shop is an overseas Shopify store, selling at the counter through
    # WeChat: with `shop: none` its payments are its sales, not the shop's receivable, and
    # none is a payment-without-order (without the key: routed, and one finding each).
    folder = merchant(tmp_path, NO_SHOP, web=False, payments=COUNTER)
    out = imported(folder, "orders", "payments")
    assert "note" not in out
    assert wechat_books(folder).split("\n\n")[-2:] == ['''\
2026-03-20 * "Order XF9999 / Tea" ^order-XF9999
  time: "10:05:00"
  id: "4200009999"
  covers: "fee 4200009999"
  order-id: "XF9999"
  fee-rate: "0.60%"
  method: "CFT"
  Assets:Clearing:WeChat                       11.93 CNY
  Expenses:Fees:WeChat                          0.07 CNY
  Income:Sales:WeChat                         -12.00 CNY''', ""]
    assert "Assets:Receivable" not in wechat_books(folder)
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    assert [f["code"] for f in report["findings"] if f["source"] == "wechat"] == []
    # the shop's three unpaid orders: wechat is no channel that may pay it
    [gap] = [f for f in report["findings"] if f["source"] == "teashop"]
    assert gap["code"] == "statement-gap" and "wechat" not in gap["message"]
    assert "no channel may pay it (every channel's `shop:` names another shop, or none)" in gap["message"]


def test_without_shop_none_the_one_shop_is_still_implied(tmp_path):
    counter = [("05", *COUNTER[0][1:])]   # inside the shop's exports: judged
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=counter)
    imported(folder, "orders", "payments")
    assert "Assets:Receivable:Teashop                   -12.00 CNY" in wechat_books(folder)
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    [found] = [f for f in report["findings"] if f["code"] == "payment-without-order"]
    assert found["refs"][0] == "4200009999"
    [gap] = [f for f in report["findings"] if f["code"] == "statement-gap"]
    assert "the statements of wechat start" in gap["message"]   # wechat may pay it: its orders wait for it


def test_shop_false_is_shop_none_and_an_unknown_shop_is_still_refused_at_its_line(tmp_path):
    false = config_mod.parse(config_mod.safe_yaml(NO_SHOP.replace("shop: none", "shop: false"), "c"),
                             tmp_path / "config.yaml")
    assert false.channels["wechat"].no_shop and false.channels["wechat"].shop is None
    implied = config_mod.parse(config_mod.safe_yaml(ONE_SHOP, "c"), tmp_path / "config.yaml")
    assert not implied.channels["wechat"].no_shop
    for config, expected in (
            (NO_SHOP.replace("shop: none", "shop: nothing"),
             'channels.wechat.shop: expected the name of a shop under shops (teashop), or none (its payments pay '
             'no shop), got "nothing"'),
            (NO_SHOP.replace("shop: none", "shop: true"),
             "channels.wechat.shop: expected the name of a shop under shops, or none (its payments pay no shop), "
             "got True"),
            (NO_SHOP.replace("teashop:", "none:"),
             "channels.wechat.shop: none says its payments pay no shop, but a shop is named none (shops.none): "
             "write shop: false for no shop, or rename that shop")):
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        result = beanclear(tmp_path, "check")
        assert result.exit_code == 2 and "config.yaml:4" in result.output and expected in result.output, \
            result.output


def forced(folder):
    result = beanclear(folder, "import", "--force", str(folder / "payments"))
    assert result.exit_code == 0, result.output
    return result.output


def test_shop_none_added_after_payments_were_routed_moves_them_back_in_open_months(tmp_path):
    # The payments imported with the one shop implied are on its receivable; the next
    # import after `shop: none` books them as that import would have (README "Which shop
    # an order belongs to"), but those of a closed month, which it says.
    fresh = merchant(tmp_path / "fresh", NO_SHOP, web=False, payments=COUNTER)
    imported(fresh, "orders", "payments")
    folder = merchant(tmp_path / "routed", ONE_SHOP, web=False, payments=COUNTER)
    imported(folder, "orders", "payments")
    assert "Assets:Receivable:Teashop" in wechat_books(folder)
    (folder / "config.yaml").write_text(NO_SHOP, encoding="utf-8")
    out = forced(folder)
    assert ("note: 1 payment(s) booked to a shop's receivable before channels.wechat.shop: none are sales of "
            "wechat again (moved to its sales account)") in out
    assert wechat_books(folder) == wechat_books(fresh)
    assert "payment(s)" not in forced(folder)   # nothing moves twice
    assert findings(folder) == findings(fresh)


def test_shop_none_added_leaves_a_closed_months_routed_payments_and_says_so(tmp_path):
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=COUNTER)
    imported(folder, "orders", "payments")
    (folder / "books" / "periods.beancount").write_text('2026-04-01 custom "beanclear-close" "2026-03"\n',
                                                        encoding="utf-8")
    before = wechat_books(folder)
    (folder / "config.yaml").write_text(NO_SHOP, encoding="utf-8")
    out = forced(folder)
    assert ("note: 1 payment(s) of wechat booked to a shop's receivable in a closed month stay there: reopen "
            "the month, then import a statement of it again with --force to move them") in out
    assert wechat_books(folder) == before


def test_shop_none_added_leaves_a_routed_payment_moved_into_a_file_of_ones_own_and_says_so(tmp_path):
    # blind23 (handedits2): a routed payment moved by hand into a file of one's own (its
    # `id:` kept) stayed on the shop's receivable after `shop: none`, its channel's sales
    # short, and no import said so. No import rewrites a person's file: it says so, each time.
    folder = merchant(tmp_path, ONE_SHOP, web=False, payments=COUNTER)
    imported(folder, "orders", "payments")
    books = folder / "books"
    [month] = sorted((books / "wechat").rglob("*.beancount"))
    text = month.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    [routed] = [b for b in blocks if "Assets:Receivable:Teashop" in b and " ^order-" in b]
    month.write_text(text.replace(routed + "\n\n", "", 1), encoding="utf-8")
    (books / "mine.beancount").write_text(routed + "\n", encoding="utf-8")
    (books / "main.beancount").write_text((books / "main.beancount").read_text(encoding="utf-8")
                                          + 'include "mine.beancount"\n', encoding="utf-8")
    (folder / "config.yaml").write_text(NO_SHOP, encoding="utf-8")
    said = ("note: 1 payment(s) of wechat booked to a shop's receivable in mine.beancount, a file of your own, "
            "stay there: rebook them to wechat's sales account by hand")
    assert said in forced(folder) and said in forced(folder)
    assert (books / "mine.beancount").read_text(encoding="utf-8") == routed + "\n"


# -- a personal wallet's payment naming a marketplace's order explicitly ------------------------

C_SHOP = """\
books: books
currency: CNY
channels:
  ali: {type: alipay-personal, settlement_days: 400}
shops:
  taobao: {type: taobao, order_days: 3}
"""
# (day, 商家订单号, amount, 交易订单号): a Taobao C店 paid into the owner's personal Alipay
C_PAID = [("01", "T200P3012345678900000001", "39.00", "2026030122001001"),
          ("10", "T200P4999999999999999999", "68.00", "2026031022001002"),   # no export holds it
          ("15", "T200P3012345678900000002", "45.00", "2026031522001003"),
          ("25", "T200P3012345678900000003", "25.00", "2026032522001004")]
C_ORDERS = [("3012345678900000001", "01", "39.00"), ("3012345678900000002", "15", "45.00"),
            ("3012345678900000003", "25", "25.00")]


def c_shop(folder, paid=C_PAID, orders=C_ORDERS, config=C_SHOP, items=None, rows=()):
    """A Taobao C店 whose orders are paid into a personal Alipay, `T200P<order>` in each
    payment's 商家订单号 (FORMATS §1, §8b); `rows`: more rows of the bill, as written."""
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    for name in ("wallet", "shop"):
        (folder / name).mkdir()
    items = items or {}
    (folder / "wallet" / "alipay.csv").write_bytes("\r\n".join([
        "------", "导出信息：", "起始时间：[2026-03-01 00:00:00]    终止时间：[2026-03-31 23:59:59]",
        f"共{len(paid) + len(rows)}笔记录", "", ALI_HEADER, *(
            f"2026-03-{day} 10:00:00,收入,买家,1***@qq.com,{items.get(ref, '手工皂')},收入,{amount},,交易成功,{tno}\t,{ref}\t,,"
            for day, ref, amount, tno in paid), *rows]).encode("gb18030"))
    write(folder / "shop", "ExportOrderList202603.csv", [TAOBAO_HEADER, *(
        taobao_row(order, paid=amount, created=f"2026-03-{day} 09:50:00", paid_at=f"2026-03-{day} 10:00:00")
        for order, day, amount in orders)], encoding="gbk")
    return folder


def order_findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    codes = {"order-unpaid", "payment-without-order", "amount-mismatch", "duplicate-charge", "refund-unsynced"}
    return [(f["code"], f["amount"], f["refs"]) for f in report["findings"] if f["code"] in codes]


def wallet_books(folder):
    return (folder / "books" / "ali" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")


def test_a_wallet_payment_naming_a_taobao_order_no_export_holds_is_payment_without_order(tmp_path):
    # blind33 (microseller): `T200P<number>` names Taobao order <number> (FORMATS §8b),
    # whatever carries it: on a personal wallet it is no number of the wallet's own. Inside
    # the days the shop's exports cover, one naming an order none holds is a finding.
    folder = c_shop(tmp_path / "c")
    imported(folder, "shop", "wallet")
    assert order_findings(folder) == [("payment-without-order", "68.00",
                                       ["2026031022001002", "T200P4999999999999999999", "4999999999999999999"])]
    # linked to the order it names, as the payments that clear an order are
    assert '"手工皂" ^order-4999999999999999999\n' in wallet_books(folder)
    assert "T200P" not in "".join(l for l in wallet_books(folder).splitlines() if " ^order-" in l)


def test_a_wallet_payment_naming_a_taobao_order_books_the_same_whichever_comes_first(tmp_path):
    # the payment imported before the export that holds its order moves to the receivable
    # (books/late_routes.py): the books are those of one import of both (DESIGN §2)
    orders = C_ORDERS[:1] + [("4999999999999999999", "10", "68.00")] + C_ORDERS[1:]
    together = c_shop(tmp_path / "together", orders=orders)
    imported(together, "wallet", "shop")
    apart = c_shop(tmp_path / "apart", orders=orders)
    out = imported(apart, "wallet")
    assert "sales naming an order no shop holds (4, e.g. 3012345678900000001): booked as sales of ali; " \
           "import the shops' orders first (with these payments, or before them)" in out
    imported(apart, "shop")
    assert snapshot(apart / "books") == snapshot(together / "books")
    assert order_findings(apart) == []


def test_a_wallets_own_payments_stay_its_sales_and_a_taobao_order_is_judged_only_where_exports_cover_it(tmp_path):
    # must not: a personal wallet's own order numbers (a 收钱码's, a collection's 商家订单号),
    # a transfer, a purchase on Taobao (T200P, money out), a T200P payment before the days
    # the shop's exports cover (its order may be in an export not imported), and one on a
    # wallet whose config holds no Taobao shop (T200P names no order of a shop it has)
    own = ["2026-03-12 18:00:00,收入,阿梅,138****0000,收钱码收款,收入,20.00,,交易成功,2026031222001005\t,,,",
           "2026-03-13 18:00:00,收入,老主顾,139****0000,手工皂两块,收入,30.00,,交易成功,2026031322001006\t,"
           "20260313100000123456789\t,,",
           "2026-03-14 12:00:00,转账红包,张三,zs***@qq.com,转账,收入,200.00,,交易成功,2026031422001007\t,,,",
           "2026-03-16 12:00:00,日用百货,淘宝店家,tb***@qq.com,洗衣液,支出,35.00,余额,交易成功,2026031622001008\t,"
           "T200P3555555555555555555\t,,"]
    early = [("02", "T200P4888888888888888888", "12.00", "2026030222001009")]
    config = C_SHOP + 'rules:\n  - {match: "转账", account: "Equity:Owner"}\n  - {match: "日用", account: "Expenses:Home"}\n'
    folder = c_shop(tmp_path / "own", paid=C_PAID[:1] + early + C_PAID[2:], config=config, rows=own)
    imported(folder, "shop", "wallet")
    assert order_findings(folder) == []
    text = wallet_books(folder)
    assert "^order-20260313100000123456789" in text and text.count("Income:Sales:Ali ") == 3   # own, 收钱码, early
    web = config.replace("taobao: {type: taobao, order_days: 3}", """web:
    type: orders-csv
    order_days: 3
    columns: {order_id: 订单号, date: 下单日期, amount: 实付金额, status: 订单状态}
    statuses: {booked: [已支付]}""")
    folder = c_shop(tmp_path / "web", config=web, rows=own)
    (folder / "shop" / "ExportOrderList202603.csv").unlink()
    (folder / "shop" / "web.csv").write_text("订单号,下单日期,实付金额,订单状态\n" + "".join(
        f"WS{day},2026-03-{day},10.00,已支付\n" for day in ("01", "10", "25")) + "", encoding="utf-8")
    imported(folder, "shop", "wallet")
    assert order_findings(folder) == []


def test_a_wallet_payment_its_order_pattern_finds_an_order_in_that_no_export_holds_is_payment_without_order(tmp_path):
    # the wallet's `order_pattern` says how its payments name the shop's orders (here in the
    # payment's remark): a payment it finds one in names that order, as T200P does; one it
    # finds none in (a counter sale, a thank-you) stays the wallet's sale, no finding
    folder = wallet_merchant(tmp_path / "w")
    with open(folder / "shop" / "orders.csv", "a", encoding="utf-8") as fh:
        fh.write("WS1004,2026-03-09,10.00,已支付\n")
    with open(folder / "wallets" / "wechat.csv", "a", encoding="utf-8") as fh:
        fh.write("2026-03-06 10:01:00,二维码收款,阿强,收款方备注:WS1009,收入,¥12.00,/,已收钱,42000020260306001\t,/,/\n"
                 "2026-03-07 10:01:00,二维码收款,路人,收款方备注:谢谢,收入,¥8.00,/,已收钱,42000020260307001\t,/,/\n"
                 "2026-03-09 10:01:00,二维码收款,阿宝,收款方备注:WS1004,收入,¥10.00,/,已收钱,42000020260309001\t,/,/\n")
    imported(folder, "wallets", "shop")
    assert order_findings(folder) == [("duplicate-charge", "68.00", ["WS1001", "420000202603020001", "2026030522001"]),
                                      ("payment-without-order", "12.00", ["42000020260306001", "WS1009"])]


def test_a_taobao_order_no_export_holds_is_judged_by_the_taobao_shops_alone(tmp_path):
    # a channel paying several shops: `T200P<n>` names a Taobao order, which no other shop's
    # export could hold. Judged where the Taobao exports cover its day, though the other
    # shops' exports end before it (not a statement-gap waiting for their next export).
    config = TWO_SHOPS.replace("  web:\n", "  taobao: {type: taobao, order_days: 3}\n  web:\n")
    paid = PAYMENTS + [("12", "4200003001", "T200P4999999999999999999", "68.00"),
                       ("01", "4200003002", "T200P3012345678900000001", "39.00"),
                       ("15", "4200003003", "T200P3012345678900000002", "45.00")]
    folder = merchant(tmp_path, config, payments=paid)
    write(folder / "orders", "ExportOrderList202603.csv", [TAOBAO_HEADER, *(
        taobao_row(order, paid=amount, created=f"2026-03-{day} 09:50:00", paid_at=f"2026-03-{day} 10:00:00")
        for order, day, amount in C_ORDERS[:2])], encoding="gbk")
    imported(folder, "orders", "payments")
    [found] = order_findings(folder)
    assert found == ("payment-without-order", "68.00", ["4200003001", "T200P4999999999999999999", "4999999999999999999"])
    said = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]
    assert "which the exports of no shop (taobao) hold" in said[0]["message"]
