"""A shop's refund of an order part of which the platform funded (README "Shops and
their orders"): the receivable holds the buyer's payment and the platform's part, but
the export's refund (退款金额) is what the buyer got back. A refund of everything the
buyer paid is a refund of the whole receivable, the platform's part with it; a part of
it takes the platform's part in proportion, as the channels refund a subsidised order
(Alipay's 红包, WeChat's 充值券, the platform's subsidy). Read on the buyer's basis, a
fully refunded order kept the platform's part in sales and the check said
refund-unsynced of it (blind25 discounts #1).

Left as stated: an order without a part funded by others (nothing to read), a discount
the merchant funded (the receivable is already the buyer's amount), and a refund above
what the buyer paid (the export then states it on the receivable's basis)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from statement_files import TRADE_HEADER, trade_row
from test_marketplace_discounts import balances, imported_and_checked, merchant
from test_shop_orders import read, write

DOUYIN = ("主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,平台实际承担优惠金额,"
          "商家实际承担优惠金额,达人实际承担优惠金额,订单提交时间,订单完成时间,订单状态,售后状态,退款金额,支付方式")


def douyin_row(main, sub, payable, platform="0.00", merchant_share="0.00", status="已完成", after="-",
               refund="0.00", creator="0.00", created="2026/03/02 21:10:17"):
    return (f'"\t{main}","\t{sub}",安溪铁观音 500g,标准装,1,"\t3530123159928343080",TG500,{payable},{payable},0.00,'
            f"{platform},{merchant_share},{creator},{created},,{status},{after},{refund},支付宝")


def refunded(extraction) -> dict[str, Decimal]:
    """Each refund entry's amount back to the receivable, by its id."""
    return {e.meta["id"]: -e.postings[1].units.number for e in extraction.entries if e.meta["id"].startswith("refund:")}


@pytest.fixture
def shops(make_config):
    from test_shop_orders import SHOPS
    return make_config(SHOPS)


# -- the importers: the refund entry is on the receivable's basis ------------------------------

def test_douyin_refund_of_all_the_buyer_paid_is_the_whole_receivable(shops, tmp_path):
    path = write(tmp_path, "douyin_orders.csv", ["\ufeff" + DOUYIN, douyin_row(
        "6926000000000803891", "692600000000080389101", "191.00", platform="5.00", status="已关闭",
        after="退款成功", refund="191.00")])
    assert refunded(read(shops, "douyin", path)) == {"refund:6926000000000803891": Decimal("196.00")}


def test_douyin_creator_funded_part_is_refunded_with_it(shops, tmp_path):
    # 达人实际承担优惠金额 is inside the receivable too (importers/douyin_orders.py)
    path = write(tmp_path, "d.csv", [DOUYIN, douyin_row("1", "101", "90.00", creator="10.00", status="已关闭",
                                                         after="退款成功", refund="90.00")])
    assert refunded(read(shops, "douyin", path)) == {"refund:1": Decimal("100.00")}


def test_douyin_partial_refund_takes_the_platform_part_in_proportion(shops, tmp_path):
    # half of the buyer's 191.00 back: half of the platform's 5.00 goes with it
    path = write(tmp_path, "d.csv", [DOUYIN, douyin_row("1", "101", "191.00", platform="5.00", after="退款成功",
                                                         refund="95.50")])
    assert refunded(read(shops, "douyin", path)) == {"refund:1": Decimal("98.00")}


def test_douyin_refund_is_read_per_sub_order(shops, tmp_path):
    # the subsidised sub-order refunded in full, the other not: 100 + its 10, not the order's proportion
    path = write(tmp_path, "d.csv", [DOUYIN, douyin_row("1", "101", "100.00", platform="10.00", after="退款成功",
                                                         refund="100.00"),
                                     douyin_row("1", "102", "50.00")])
    assert refunded(read(shops, "douyin", path)) == {"refund:1": Decimal("110.00")}


@pytest.mark.parametrize("row, expected", [
    # no discount: refunded in full as stated
    (douyin_row("1", "101", "66.00", status="已关闭", after="退款成功", refund="66.00"), "66.00"),
    # the merchant's own discount: 订单应付金额 is already after it, the receivable the buyer's
    (douyin_row("1", "101", "92.00", merchant_share="8.00", status="已关闭", after="退款成功", refund="92.00"), "92.00"),
    (douyin_row("1", "101", "92.00", merchant_share="8.00", after="退款成功", refund="40.00"), "40.00"),
    # more than the buyer paid: stated on the receivable's basis already
    (douyin_row("1", "101", "191.00", platform="5.00", status="已关闭", after="退款成功", refund="196.00"), "196.00"),
    # no amount: the whole receivable, as before
    (douyin_row("1", "101", "191.00", platform="5.00", status="已关闭", after="退款成功", refund=""), "196.00"),
])
def test_douyin_refunds_left_as_stated(shops, tmp_path, row, expected):
    path = write(tmp_path, "d.csv", [DOUYIN, row])
    assert refunded(read(shops, "douyin", path)) == {"refund:1": Decimal(expected)}


PDD = "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元),用户实付金额(元),商家实收金额(元),订单成交时间,售后状态,退款金额(元)"


@pytest.mark.parametrize("platform, paid, refund, expected", [
    ("5.00", "83.00", "83.00", "88.00"),     # all the buyer paid: the platform's 5.00 with it
    ("5.00", "83.00", "41.50", "44.00"),     # half
    ("0.00", "88.00", "88.00", "88.00"),     # no platform discount
])
def test_pinduoduo_refund_on_the_receivable_basis(shops, tmp_path, platform, paid, refund, expected):
    path = write(tmp_path, "pdd.csv", [PDD, f"白茶饼,260303-1,已签收，退款成功,88.00,0.00,{platform},0.00,{paid},88.00,"
                                            f"2026-03-03 09:12:45,退款成功,{refund}"])
    assert refunded(read(shops, "pinduoduo", path)) == {"refund:260303-1": Decimal(expected)}


def test_taobao_refund_of_an_order_paid_with_a_red_packet(shops, tmp_path):
    from test_shop_orders import TAOBAO_HEADER
    # 总金额 108.00, the buyer paid 98.00 (Alipay's red packet 10.00), all of it refunded
    row = ('="3000000000000000002",tb_buyer,b***@example.com,100.00,8.00,0,108.00,0,98.00,0,交易关闭,,张*,浙江省***,'
           "快递,,138****0000,2026-03-01 10:00:00,2026-03-01 10:01:00,脐橙 5斤,1,,,,1,,,,0.00,0.00,,手机订单,,98.00")
    path = write(tmp_path, "ExportOrderList.csv", [TAOBAO_HEADER, row], encoding="gb18030")
    assert refunded(read(shops, "taobao", path)) == {"refund:3000000000000000002": Decimal("108.00")}


# -- end to end: what the check says -------------------------------------------------------------

CONFIG = """\
books: books
currency: CNY
channels:
  alipay: {type: alipay, settlement_days: 30, shop: douyin, fees: [{rate: 0.006}]}
shops:
  douyin: {type: douyin, order_days: 3}
"""
REFUND_BATCH = "RF0002221554"


def trade_detail(folder, rows, footer):
    """Alipay's 业务明细 of 03-01 to 03-10: the refund's day and the days after it covered."""
    lines = ["#支付宝业务明细查询", "#账号：[20881234567890120156]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月10日 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             TRADE_HEADER, *rows,
             "#-----------------------------------------业务明细列表结束------------------------------------",
             *footer, "#导出时间：[2026年03月10日 05:46:49]"]
    (folder / "2088123456789012_20260301_业务明细.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def subsidised_order_refunded(tmp_path, stated, channel, red, platform="5.00"):
    """The blind tester's merchant: Douyin order …891 (2 × 98.00, the platform `platform`,
    the buyer the rest) refunded `stated` by the export and `channel` (`red` of it the red
    packet) by Alipay; order …001 paid and kept on 03-09, so that sales are not all
    refunded and the export covers the days after the refund."""
    folder, statements = merchant(tmp_path, CONFIG)
    (statements / "douyin_orders.csv").write_text("\ufeff" + "\n".join([
        DOUYIN, douyin_row("6926000000000803891", "692600000000080389101", f"{Decimal('196.00') - Decimal(platform)}",
                           platform=platform, status="已关闭" if Decimal(stated) + Decimal(platform) == 196 else "已完成",
                           after="退款成功", refund=stated),
        douyin_row("6926000000000900001", "692600000000090000101", "66.00", created="2026/03/09 10:00:00")]) + "\n",
        encoding="utf-8")
    trade_detail(statements, [
        trade_row("2026030222001400000002221554", "6926000000000803891", "交易", "2026-03-02 21:12:00", "196.00",
                  "196.00", "1.18", alipay_red=platform),
        trade_row("2026030222001400000002229999", "6926000000000900001", "交易", "2026-03-09 10:01:00", "66.00",
                  "66.00", "0.40"),
        trade_row("2026030222001400000002221554", "6926000000000803891", "退款", "2026-03-04 20:00:00", f"-{channel}",
                  f"-{channel}", "0.00", batch=REFUND_BATCH, alipay_red=f"-{red}"),
    ], footer=["#交易合计：2笔，商家实收共262.00元，商家优惠共0.00元",
               f"#退款合计：1笔，商家实收退款共-{channel}元，商家优惠退款共0.00元"])
    return folder, imported_and_checked(folder)


def test_subsidised_order_refunded_in_full_is_no_finding(tmp_path):
    folder, found = subsidised_order_refunded(tmp_path, "191.00", "196.00", "5.00")
    assert [f for f in found if f[0] == "refund-unsynced"] == []
    books = balances(folder)
    assert books["Income:Sales:Douyin"] == Decimal("-66.00")      # the refunded order leaves nothing in sales
    assert books["Assets:Receivable:Douyin"] == Decimal("0.00")


def test_subsidised_order_refunded_in_part_as_the_channel_did_is_no_finding(tmp_path):
    folder, found = subsidised_order_refunded(tmp_path, "95.50", "98.00", "2.50")
    assert [f for f in found if f[0] == "refund-unsynced"] == []
    assert balances(folder)["Income:Sales:Douyin"] == Decimal("-164.00")   # 98.00 of 196.00 kept, and 66.00


@pytest.mark.parametrize("stated", ["196.00", "50.00"])
def test_refund_of_an_order_without_a_subsidy_is_no_finding(tmp_path, stated):
    folder, found = subsidised_order_refunded(tmp_path, stated, stated, "0.00", platform="0.00")
    assert [f for f in found if f[0] == "refund-unsynced"] == []
    assert balances(folder)["Income:Sales:Douyin"] == Decimal("-262.00") + Decimal(stated)


def test_a_real_gap_on_a_subsidised_refund_is_still_found(tmp_path):
    # the export says all the buyer paid came back; Alipay gave back 100.00 of the 196.00
    _, found = subsidised_order_refunded(tmp_path, "191.00", "100.00", "2.55")
    assert ("refund-unsynced", "6926000000000803891") in found


TAOBAO = """\
books: books
currency: CNY
channels:
  alipay: {type: alipay, settlement_days: 30, shop: taobao, fees: [{rate: 0.006}]}
shops:
  taobao: {type: taobao, order_days: 3}
"""


def taobao_order(order, total, paid, refund="0.00", created="2026-03-02 10:00:00"):
    from test_shop_orders import TAOBAO_HEADER
    status = "交易关闭" if refund == paid else "交易成功"
    return (f'="{order}",tb_buyer,b***@example.com,{total},0.00,0,{total},0,{paid},0,{status},,张*,浙江省***,快递,,'
            f"138****0000,{created},{created},脐橙 5斤,1,,,,1,,,,0.00,0.00,,手机订单,,{refund}")


@pytest.mark.parametrize("red", ["alipay", "merchant"])
def test_taobao_order_paid_with_a_red_packet_refunded_in_full_is_no_finding(tmp_path, red):
    # 总金额 100.00, the buyer paid 95.00: Alipay's red packet of 5.00, or the shop's
    # 店铺红包 (on Alipay's discounts account); Alipay gives back the 订单金额 either way
    from test_shop_orders import TAOBAO_HEADER
    folder, statements = merchant(tmp_path, TAOBAO)
    (statements / "ExportOrderList.csv").write_bytes(("\r\n".join([
        TAOBAO_HEADER, taobao_order("3000000000000000001", "100.00", "95.00", refund="95.00"),
        taobao_order("3000000000000000002", "66.00", "66.00", created="2026-03-09 10:00:00")]) + "\r\n").encode("gb18030"))
    shares = {"alipay_red": "5.00"} if red == "alipay" else {"merchant_discount": "5.00"}
    received = "100.00" if red == "alipay" else "95.00"
    back = {k: f"-{v}" for k, v in shares.items()}
    trade_detail(statements, [
        trade_row("2026030222001000001", "T200P3000000000000000001", "交易", "2026-03-02 10:01:00", "100.00",
                  received, "0.60", **shares),
        trade_row("2026030922001000002", "T200P3000000000000000002", "交易", "2026-03-09 10:01:00", "66.00",
                  "66.00", "0.40"),
        trade_row("2026030222001000001", "T200P3000000000000000001", "退款", "2026-03-04 20:00:00", "-100.00",
                  f"-{received}", "0.00", batch="RF1", **back),
    ], footer=[f"#交易合计：2笔，商家实收共{Decimal(received) + 66}元，商家优惠共{shares.get('merchant_discount', '0.00')}元",
               f"#退款合计：1笔，商家实收退款共-{received}元，商家优惠退款共-{shares.get('merchant_discount', '0.00')}元"])
    found = imported_and_checked(folder)
    assert [f for f in found if f[0] == "refund-unsynced"] == []
    books = balances(folder)
    assert books["Income:Sales:Taobao"] == Decimal("-66.00") and books["Assets:Receivable:Taobao"] == 0
