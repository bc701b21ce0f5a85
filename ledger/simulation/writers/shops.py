"""Shop order exports: Shopify orders CSV (FORMATS §8c; one row per line item, the order's own
columns only on its first row, newest order first), an `orders-csv` export of one row per order,
and a Taobao seller's order report (FORMATS §8b: ExportOrderList, GBK, one row per order, the
order number as `="…"` or with a TAB so that Excel keeps it).
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from ..truth import order_of
from . import amt, csv_text, instant, overlapping

SHOPIFY = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Currency",
           "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Created at",
           "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Cancelled at",
           "Payment Method", "Refunded Amount", "Id"]
ORDERS_CSV = ["订单号", "下单日期", "下单时间", "商品", "实付金额", "币种", "订单状态", "退款金额"]
ORDERS_CSV_COLUMNS = {"order_id": "订单号", "date": "下单日期", "time": "下单时间", "amount": "实付金额",
                      "status": "订单状态", "refund": "退款金额", "currency": "币种", "title": "商品"}
ORDERS_CSV_STATUSES = {"booked": ["已支付", "已完成"], "refunded": ["已退款"], "skipped": ["已取消"]}
# A US merchant's web shop writes its export in English (the same roles and statuses)
ORDERS_CSV_EN = ["Order ID", "Date", "Time", "Product", "Total", "Currency", "Status", "Refunded"]
ORDERS_CSV_EN_COLUMNS = {"order_id": "Order ID", "date": "Date", "time": "Time", "amount": "Total",
                         "status": "Status", "refund": "Refunded", "currency": "Currency", "title": "Product"}
ORDERS_CSV_EN_STATUSES = {"booked": ["paid", "completed"], "refunded": ["refunded"], "skipped": ["cancelled"]}


def orders_csv_layout(shape) -> tuple[list, dict, dict]:
    """(header, config `columns:`, config `statuses:`) of the merchant's orders-csv export."""
    if shape.currency == "USD":
        return ORDERS_CSV_EN, ORDERS_CSV_EN_COLUMNS, ORDERS_CSV_EN_STATUSES
    return ORDERS_CSV, ORDERS_CSV_COLUMNS, ORDERS_CSV_STATUSES
TAOBAO = ("订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,"
          "买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址,运送方式,联系电话,联系手机,订单创建时间,订单付款时间,"
          "宝贝标题,宝贝种类,物流单号,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,"
          "发票抬头,是否手机订单,分阶段订单信息,退款金额").split(",")
TAOBAO_SHIPPED = ["交易成功", "交易成功", "买家已付款，等待卖家发货", "卖家已发货，等待买家确认"]
METHOD = {"wechat": "WeChat Pay", "alipay": "Alipay", "stripe": "Stripe", "paypal": "PayPal Express Checkout"}


def _status(o):
    if o.status == "voided":
        return "voided"
    if o.refunded >= o.amount:
        return "refunded"
    return "partially_refunded" if o.refunded else "paid"


def write(m, shop, folder):
    """The shop's export; for some shops (writers.overlapping), also one downloaded
    earlier, as the orders stood then (`part-1`: placed by then, refunded by then), then
    the whole export again at the end (`part-2`): an order imported before its refund."""
    orders = [o for o in m.orders if o.shop == shop.name and o.exported]
    cut = overlapping(m, shop.name, m.shape.end)
    if cut is None:
        return _write(m, shop, folder, orders)
    early = cut[1]
    later = defaultdict(Decimal)   # order id -> what the shop refunded after the early download
    for r in m.refunds:
        o = order_of(m, r.payment) if r.shop_refunded is not None and r.dt.date() > early else None
        if o is not None and o.shop == shop.name:
            later[o.id] += r.shop_refunded
    then = [dataclasses.replace(o, refunded=o.refunded - later[o.id]) for o in orders if o.dt.date() <= early]
    return _write(m, shop, folder / "part-1", then) + _write(m, shop, folder / "part-2", orders)


def _write(m, shop, folder, orders):
    seed = m.shape.seed
    folder.mkdir(parents=True, exist_ok=True)
    if shop.type == "shopify":
        rows = []
        for n, o in enumerate(sorted(orders, key=lambda o: o.dt, reverse=True)):
            sub = o.amount - o.shipping
            for i, (name, qty, price) in enumerate(o.items):
                line = [""] * len(SHOPIFY)
                if i == 0:
                    created = f"{instant(m, o.dt):%Y-%m-%d %H:%M:%S %z}"   # the shop's offset that day
                    line[:14] = [o.id, f"c{zlib.crc32(o.id.encode()) % 9999}@example.com", _status(o),
                                 "" if o.status == "voided" else created, "fulfilled", created, o.currency, amt(sub),
                                 amt(o.shipping), "0.00", amt(o.amount), "", "0.00", created]
                    line[18:22] = [created if o.status == "voided" else "", METHOD[m.shape.channel(o.channel).type], amt(o.refunded),
                                   str(5000000000 + len(orders) - n)]
                line[0] = o.id
                line[14:18] = [str(qty), name, amt(price), f"SKU-{zlib.crc32(name.encode()) % 1000:03d}"]
                rows.append(line)
        f = folder / f"{shop.name}_orders_export_1.csv"
        f.write_text(csv_text([SHOPIFY] + rows), encoding="utf-8")
        return [f]
    if shop.type == "taobao":
        return [_taobao(shop, folder, orders, seed)]
    if shop.type in MARKET_WRITERS:
        return [MARKET_WRITERS[shop.type](folder, orders, random.Random(f"{shop.type} {seed} {folder.name}"))]
    header, _, words = orders_csv_layout(m.shape)
    (paid, done), (refunded,), (cancelled,) = words["booked"], words["refunded"], words["skipped"]
    rows = []
    for o in sorted(orders, key=lambda o: o.dt):
        status = cancelled if o.status == "voided" else (refunded if o.refunded >= o.amount else done if o.refunded else paid)
        rows.append([o.id, f"{o.dt:%Y-%m-%d}", f"{o.dt:%H:%M:%S}", o.items[0][0], amt(o.amount), o.currency, status,
                     amt(o.refunded)])
    f = folder / f"{shop.name}_orders.csv"
    f.write_text(csv_text([header] + rows), encoding="utf-8")
    return [f]


def _taobao(shop, folder, orders, seed):
    """ExportOrderList: an order closed before payment has no 订单付款时间; one refunded in
    full after it is 交易关闭 with its 退款金额; drawn from a stream of the merchant's own
    (the same files wherever they are written)."""
    rng = random.Random(f"taobao {seed} {folder.name}")
    tab = rng.random() < 0.5   # the order number `="…"`, or followed by a TAB
    lines = [",".join(TAOBAO)]
    for o in sorted(orders, key=lambda o: o.dt, reverse=True):
        paid_at = "" if o.status == "voided" else f"{o.dt + timedelta(minutes=1):%Y-%m-%d %H:%M:%S}"
        closed = o.status == "voided" or o.refunded >= o.amount
        status = "交易关闭" if closed else rng.choice(TAOBAO_SHIPPED)
        number = f"{o.id}\t" if tab else f'="{o.id}"'
        goods = o.amount - o.shipping
        cells = [number, f"tb{zlib.crc32(o.id.encode()) % 99999}", "b***@example.com", amt(goods), amt(o.shipping), "0",
                 amt(o.amount), "0", amt(o.amount), "0", status, "", "张*", "浙江省杭州市西湖区***", "快递", "",
                 "138****0000", f"{o.dt:%Y-%m-%d %H:%M:%S}", paid_at, o.items[0][0], str(len(o.items)), "", "",
                 "", str(sum(q for _, q, _ in o.items)), "57300001", "清风茶舍", "买家取消" if closed else "", "0.00", "0.00",
                 "", "手机订单", "", amt(o.refunded)]
        lines.append(",".join(cells))
    f = folder / f"ExportOrderList{orders[0].dt:%Y%m%d}.csv" if orders else folder / "ExportOrderList.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return f


# Marketplace stores (FORMATS §8): their headers as documented, their status words as the
# exports write them; the money of a cancelled order never moved, a refunded one came back.
PDD = ["商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "用户实付金额(元)",
       "商家实收金额(元)", "商品数量(件)", "订单成交时间", "售后状态", "商品id"]
DOUYIN = ["主订单编号", "子订单编号", "选购商品", "商品规格", "商品数量", "商品ID", "商家编码", "商品单价", "订单应付金额", "运费",
          "平台实际承担优惠金额", "商家实际承担优惠金额", "达人实际承担优惠金额", "订单提交时间", "订单完成时间", "订单状态", "售后状态"]
JD = ("订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付,应付金额,订单状态,订单类型,下单帐号,"
      "客户姓名,客户地址,联系电话,订单备注,发票类型,发票抬头,发票内容,商家备注,商家备注等级（等级1-5为由高到低）,运费金额,"
      "付款确认时间,增值税发票,货号,订单完成时间,订单来源,订单渠道").split(",")


def _pinduoduo(folder, orders, rng):
    rows = []
    for o in sorted(orders, key=lambda o: o.dt, reverse=True):
        status, after = (("已取消", "无售后或售后取消") if o.status == "voided" else
                         (rng.choice(["未发货，退款成功", "已发货，退款成功", "已签收，退款成功"]), "退款成功") if o.refunded
                         else (rng.choice(["待发货", "已发货，待签收", "已签收"]), "无售后或售后取消"))
        rows.append([o.items[0][0], o.id, status, amt(o.amount), "0.00", "0.00", "0.00", amt(o.amount), amt(o.amount),
                     str(sum(q for _, q, _ in o.items)), f"{o.dt:%Y-%m-%d %H:%M:%S}", after,
                     str(zlib.crc32(o.items[0][0].encode()))])
    f = folder / "pinduoduo_订单列表.csv"
    f.write_text(csv_text([PDD] + rows), encoding="utf-8")
    return f


def _douyin(folder, orders, rng):
    rows = []
    for o in sorted(orders, key=lambda o: o.dt, reverse=True):
        status, after = (("已取消", "无售后") if o.status == "voided" else ("已关闭", "退款成功") if o.refunded
                         else (rng.choice(["已完成", "已发货", "待发货"]), "无售后"))
        for k, (name, qty, price) in enumerate(o.items):
            rows.append([f"\t{o.id}", f"\t{o.id[:-2]}{k + 10}", name, "默认", str(qty), "3612345678", "", amt(price),
                         amt(qty * price), "0.00", "0.00", "0.00", "0.00", f"{o.dt:%Y-%m-%d %H:%M:%S}", "", status, after])
    f = folder / "douyin_订单导出.csv"
    f.write_text("\ufeff" + csv_text([DOUYIN] + rows), encoding="utf-8")
    return f


def _jd(folder, orders, rng):
    rows = []
    for o in sorted(orders, key=lambda o: o.dt, reverse=True):
        paid = "" if o.status == "voided" else f"{o.dt + timedelta(minutes=1):%Y-%m-%d %H:%M:%S}"
        status = "已取消" if o.status == "voided" or o.refunded else rng.choice(["完成", "等待出库", "已发货"])
        for name, qty, price in o.items:
            cell = dict.fromkeys(JD, "")
            cell.update({"订单号": o.id, "商品ID": str(100000 + zlib.crc32(name.encode()) % 900000), "商品名称": name,
                         "订购数量": str(qty), "支付方式": "在线支付", "下单时间": f"{o.dt:%Y-%m-%d %H:%M:%S}",
                         "京东价": amt(price), "订单金额": amt(o.amount), "结算金额": amt(o.amount), "余额支付": "0.00",
                         "应付金额": amt(o.amount), "订单状态": status, "订单类型": "普通订单", "运费金额": "0.00",
                         "付款确认时间": paid})
            rows.append([cell[c] for c in JD])
    f = folder / "jd_orders.csv"
    f.write_text(csv_text([JD] + rows), encoding="utf-8")
    return f


MARKET_WRITERS = {"pinduoduo": _pinduoduo, "douyin": _douyin, "jd": _jd}
