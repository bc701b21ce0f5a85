"""Marketplace orders paid with discounts, end to end through the command line: the
order's receivable is what the channels pay for it (DESIGN.md §1), so an order paid
with a red packet, a platform subsidy or a shop coupon is paid in full, and sales are
what the merchant earns; an underpayment is still an amount-mismatch.

Who funded a discount decides where it is booked: Alipay's red packet and a platform's
subsidy are money the merchant still receives (inside the receivable); the merchant's
own discount is its cost, on the channel's discounts account where the shop's amount
is before it (Taobao's 总金额), else already inside the shop's price."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader

from conftest import beanclear, snapshot
from statement_files import trade_detail, trade_row
from test_shop_orders import DOUYIN_HEADER, TAOBAO_HEADER
from test_wechat import ALL_HEADER, bill

TAOBAO_CONFIG = """\
books: books
currency: CNY
channels:
  alipay: {type: alipay, settlement_days: 400, shop: taobao, fees: [{rate: 0.006}]}
shops:
  taobao: {type: taobao, order_days: 3}
"""


def taobao_row(order, goods, shipping, paid, created="2026-03-01 10:00:00"):
    total = Decimal(goods) + Decimal(shipping)
    return (f'="{order}",tb_buyer,b***@example.com,{goods},{shipping},0,{total},0,{paid},0,交易成功,,张*,浙江省***,快递,,'
            f"138****0000,{created},{created},脐橙 5斤,1,,,,1,,,,0.00,0.00,,手机订单,,0.00")


def write_taobao(folder, rows):
    (folder / "ExportOrderList.csv").write_bytes(("\r\n".join([TAOBAO_HEADER, *rows]) + "\r\n").encode("gb18030"))


def merchant(tmp_path, config):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir(exist_ok=True)
    return tmp_path, statements


def imported_and_checked(folder, *parts):
    for part in parts or ("statements",):
        result = beanclear(folder, "import", str(folder / part))
        assert result.exit_code == 0, result.output
    result = beanclear(folder, "check", "--format", "json")
    return [(f["code"], f["refs"][0]) for f in json.loads(result.output)["findings"]]


def balances(folder) -> dict[str, Decimal]:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    out: dict[str, Decimal] = {}
    for entry in entries:
        for p in getattr(entry, "postings", ()):
            out[p.account] = out.get(p.account, Decimal(0)) + p.units.number
    return out


def test_taobao_orders_paid_with_red_packets_are_paid_in_full(tmp_path):
    # 0002: Alipay's own red packet of 10.00 (the buyer paid 98.00 of 108.00, Alipay the
    # rest, inside 商家实收); 0003: the merchant's 店铺红包 of 5.00 (Alipay books it as a
    # discount of the 100.00 order); 0004: Alipay paid 5.00 short, which nothing explains.
    folder, statements = merchant(tmp_path, TAOBAO_CONFIG)
    write_taobao(statements, [taobao_row("3000000000000000001", "100.00", "0.00", "100.00"),
                              taobao_row("3000000000000000002", "100.00", "8.00", "98.00"),
                              taobao_row("3000000000000000003", "100.00", "0.00", "95.00"),
                              taobao_row("3000000000000000004", "60.00", "0.00", "60.00")])
    trade_detail(statements, [
        trade_row("2026030122001000001", "T200P3000000000000000001", "交易", "2026-03-01 10:01:00", "100.00",
                  "100.00", "0.60"),
        trade_row("2026030122001000002", "T200P3000000000000000002", "交易", "2026-03-01 10:02:00", "108.00",
                  "108.00", "0.65", alipay_red="10.00"),
        trade_row("2026030122001000003", "T200P3000000000000000003", "交易", "2026-03-01 10:03:00", "100.00",
                  "95.00", "0.57", merchant_discount="5.00"),
        trade_row("2026030122001000004", "T200P3000000000000000004", "交易", "2026-03-01 10:04:00", "55.00",
                  "55.00", "0.33"),
    ], footer=["#交易合计：4笔，商家实收共358.00元，商家优惠共5.00元",
               "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元"])
    assert imported_and_checked(folder) == [("amount-mismatch", "3000000000000000004")]
    books = balances(folder)
    assert books["Income:Sales:Taobao"] == Decimal("-368.00")           # the orders' 总金额
    assert books["Expenses:Discounts:Alipay"] == Decimal("5.00")        # the merchant's red packet, once
    assert books["Assets:Receivable:Taobao"] == Decimal("5.00")         # 0004's 5.00 short
    text = (folder / "books" / "taobao" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert text.count('buyer-paid: "98.00"') == 1 and text.count('buyer-paid: "95.00"') == 1


def test_a_taobao_export_without_its_total_adds_goods_and_shipping(make_config, tmp_path):
    from test_shop_orders import SHOPS, read, write
    header = "订单编号,买家应付货款,买家应付邮费,买家实际支付金额,订单状态,订单创建时间,订单付款时间"
    path = write(tmp_path, "ExportOrderList.csv", [header, '="3000000000000000002",100.00,8.00,98.00,交易成功,'
                                                   "2026-03-01 10:00:00,2026-03-01 10:01:00"], encoding="gbk")
    [order] = read(make_config(SHOPS), "taobao", path).entries
    assert order.postings[0].units.number == Decimal("108.00") and order.meta["buyer-paid"] == "98.00"


WECHAT_CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 400, order_pattern: '^(.+)_\\d+$', fees: [{rate: 0.006}]}
shops:
  douyin: {type: douyin, order_days: 3}
  pinduoduo: {type: pinduoduo, order_days: 3}
"""
PDD_HEADER = "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元),用户实付金额(元),商家实收金额(元),支付时间,售后状态"


def douyin_row(main, sub, payable, platform="0.00", merchant_share="0.00"):
    return (f'"\t{main}","\t{sub}",脐橙,5斤,1,,,100.00,{payable},0.00,{platform},{merchant_share},0.00,'
            "2026-03-01 10:00:00,,已发货,-")


def pdd_row(order, goods, shop_discount, platform_discount):
    received = Decimal(goods) - Decimal(shop_discount)
    return (f"脐橙,{order},已签收,{goods},{shop_discount},{platform_discount},0.00,{received - Decimal(platform_discount)},"
            f"{received},2026-03-01 10:00:00,无售后或售后取消")


def wx_row(trade_id, order_id, ordered, settled, coupon="0.00", minute="05"):
    fee = (Decimal(settled) * Decimal("0.006")).quantize(Decimal("0.01"))
    return (f"2026-03-01 10:{minute}:00,wx1,1601959334,0,,{trade_id},{order_id},user,JSAPI,SUCCESS,CFT,CNY,{settled},"
            f"{coupon},0,0,0.00,0.00,,,脐橙,,{fee:.5f},0.60%,{ordered},0.00,"), Decimal(settled), fee, Decimal(ordered)


def write_wechat(folder, rows, name="tradebill-2026-03-01.csv"):
    built = [wx_row(*r) for r in rows]
    settled, fees, ordered = (sum(b[i] for b in built) for i in (1, 2, 3))
    bill(folder, ALL_HEADER, [b[0] for b in built], f"{len(built)},{settled},0.00,0.00,{fees:.5f},{ordered},0.00",
         name=name)


def write_marketplaces(statements):
    orders = statements / "orders"
    orders.mkdir()
    # Douyin: 6900…1 paid 90.00 by the buyer and 10.00 by the platform (a 充值券 WeChat
    # settles); 6900…3 the merchant's own 8.00 inside its 92.00; 6900…5 paid 4.00 short.
    (orders / "抖店订单.csv").write_text("\ufeff" + "\n".join([
        DOUYIN_HEADER, douyin_row("6900000000000000001", "6900000000000000002", "90.00", platform="10.00"),
        douyin_row("6900000000000000003", "6900000000000000004", "92.00", merchant_share="8.00"),
        douyin_row("6900000000000000005", "6900000000000000006", "50.00")]) + "\n", encoding="utf-8")
    # Pinduoduo: 商家实收 after the shop's coupon; WeChat shows the 3.00 coupon as a 免充值券
    # on 260301-…1 (订单金额 32.50, 应结 29.50), not on 260301-…2; 260301-…3 paid 3.00 short.
    (orders / "pdd_orders.csv").write_text("\n".join([
        PDD_HEADER, pdd_row("260301-000000000000001", "32.50", "3.00", "0.00"),
        pdd_row("260301-000000000000002", "40.00", "5.00", "2.00"),
        pdd_row("260301-000000000000003", "20.00", "0.00", "0.00")]) + "\n", encoding="utf-8")
    write_wechat(statements, [("4200000000000000001", "6900000000000000001_1", "100.00", "100.00", "10.00", "01"),
                              ("4200000000000000003", "6900000000000000003_1", "92.00", "92.00", "0.00", "02"),
                              ("4200000000000000005", "6900000000000000005_1", "46.00", "46.00", "0.00", "03"),
                              ("4200000000000000011", "260301-000000000000001_1", "32.50", "29.50", "3.00", "04"),
                              ("4200000000000000012", "260301-000000000000002_1", "35.00", "35.00", "2.00", "05"),
                              ("4200000000000000013", "260301-000000000000003_1", "17.00", "17.00", "0.00", "06")])


def test_douyin_and_pinduoduo_orders_paid_with_subsidies_and_coupons_are_paid_in_full(tmp_path):
    folder, statements = merchant(tmp_path, WECHAT_CONFIG)
    write_marketplaces(statements)
    assert sorted(imported_and_checked(folder)) == [("amount-mismatch", "260301-000000000000003"),
                                                     ("amount-mismatch", "6900000000000000005")]
    books = balances(folder)
    assert books["Income:Sales:Douyin"] == Decimal("-242.00")       # 100 (90 + the platform's 10) + 92 + 50
    assert books["Income:Sales:Pinduoduo"] == Decimal("-84.50")     # 商家实收: 29.50 + 35.00 + 20.00
    assert "Expenses:Discounts:WeChat" not in books                 # the shop coupon is inside 商家实收, once
    assert books["Assets:Receivable:Douyin"] == Decimal("4.00") and books["Assets:Receivable:Pinduoduo"] == Decimal("3.00")
    text = (folder / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert '  discount: "3.00"\n  Assets:Clearing:WeChat                       29.32 CNY\n' in text
    assert "  Assets:Receivable:Pinduoduo                 -29.50 CNY\n" in text


def test_payments_imported_before_their_orders_fold_the_coupon_as_importing_both_does(tmp_path):
    together, statements = merchant(tmp_path / "together", WECHAT_CONFIG)
    write_marketplaces(statements)
    found = imported_and_checked(together)
    apart, statements = merchant(tmp_path / "apart", WECHAT_CONFIG)
    write_marketplaces(statements)
    assert imported_and_checked(apart, "statements/tradebill-2026-03-01.csv", "statements/orders") == found
    assert snapshot(apart / "books") == snapshot(together / "books")
