"""Taobao/Tmall seller order report (卖家中心 → 已卖出的宝贝 → 批量导出, ExportOrderList*.csv).

No licensed sample exists: the layout is the documented header (FORMATS.md §8b) and
the tests write their own files from it. GBK text; one row per order (the items are
in a separate ExportOrderDetailList, which is not an order export); order numbers of
18–19 digits arrive as `="…"` or with a TAB so that Excel keeps them, and are kept as
text exactly as written. The receivable is the order's 总金额 (买家应付货款 +
买家应付邮费), what Alipay's 业务明细 pays as its 订单金额. The buyer pays less
(买家实际支付金额) where red packets were spent at payment, and who funded them decides
where they are booked (DESIGN.md §1): Alipay's own (支付宝红包, 集分宝) it still pays the
merchant, inside 商家实收; the merchant's 店铺红包 is its cost, booked by the Alipay
payment on the channel's discounts account (商家红包消费金额). Either way the payment
clears the 总金额, and the buyer's payment is kept as `buyer-paid` where it differs:

    2026-03-01 * "Order 3012345678901234567 / 明前龙井 250g" ^order-3012345678901234567
      time: "10:15:00"
      id: "order:3012345678901234567"
      order-id: "3012345678901234567"
      buyer-paid: "279.00"
      Assets:Receivable:Taobao        289.00 CNY
      Income:Sales:Taobao            -289.00 CNY

An export cut to some columns without 总金额 gives 买家应付货款 + 买家应付邮费, else
买家实际支付金额 alone (then an order paid with red packets shows as a mismatch).

订单状态 decides whether money moved (both the export's words and the API's
descriptions are known). 交易关闭 after payment (订单付款时间 filled) is a full
refund; before payment it moved nothing and is skipped. 退款金额, where the export has
it, is the refunded part of a paid order, what the buyer got back: the red packets
inside the 总金额 go with it in proportion (shop.receivable_refund).
"""

from __future__ import annotations

from decimal import Decimal

from beanclear.importers.base import Extraction
from beanclear.importers.shop import (AWAITING, BOOK, CLOSED, LOCAL_TIMES, REFUNDED, Columns, Order, ShopImporter,
                                      meaning, one_row_each, refund_of, resolved)
from beanclear.importers.toolkit import CHINA, in_places, parse_amount, parse_datetime, read_statement

STATUSES = {
    "等待买家付款": AWAITING, "没有创建支付宝交易": "no payment created (no money moved)",
    "买家已付款，等待卖家发货": BOOK, "等待卖家发货，即：买家已付款": BOOK, "等待卖家发货": BOOK, "卖家部分发货": BOOK,
    "卖家已发货，等待买家确认": BOOK, "等待买家确认收货，即：卖家已发货": BOOK,
    "买家已签收，货到付款专用": BOOK, "买家已签收": BOOK, "交易成功": BOOK,
    "交易关闭": CLOSED, "付款以后用户退款成功，交易自动关闭": REFUNDED,
    "付款以前，卖家或买家主动关闭交易": "closed before payment (no money moved)",
}


class Importer(ShopImporter):
    kind = "taobao orders"
    local_zone = CHINA   # a Chinese marketplace's times are China's, the books' wall clock in theirs
    HEADER = ("订单编号", "买家实际支付金额", "订单状态", "订单创建时间")

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, self.HEADER, "Taobao/Tmall order report (ExportOrderList)",
                            stream=True)
        path = st.table.path
        get = Columns(st.table, {"id": "订单编号", "paid": "买家实际支付金额", "status": "订单状态",
                                 "created": "订单创建时间", "paid_at": "订单付款时间", "title": "宝贝标题",
                                 "refund": "退款金额", "total": "总金额", "goods": "买家应付货款",
                                 "shipping": "买家应付邮费"}, required=("id", "paid", "status", "created"))
        owed = receivable(get)
        out = Extraction()
        for order_id, row in one_row_each(self.each(st.table.rows), lambda r: get.order_id(r, "id"), path):
            action = resolved(meaning(get(row, "status"), STATUSES, path, row.line, "订单状态"),
                              paid=bool(get(row, "paid_at")))
            if not self.counted(out, [row], action, order=order_id):
                continue
            paid = parse_amount(get(row, "paid"), path, row.line, "买家实际支付金额")
            amount = owed(row, paid)
            refunded = refund_of(action, amount, get(row, "refund"), path, row.line, "退款金额", buyer_paid=paid)
            when = self.local(parse_datetime(get(row, "created"), LOCAL_TIMES, path, row.line, "订单创建时间"))
            buyer_paid = {"buyer-paid": f"{in_places(paid, self.source.currency)}"} if paid != amount else {}
            self.book(out, path, Order(row.line, when, order_id, amount, self.source.currency, get(row, "title"),
                                       refunded, buyer_paid))
        return out


def receivable(get: Columns):
    """`owed(row, paid)`: what Alipay pays for the row's order (module docstring), from
    the columns the export has: 总金额, else 买家应付货款 + 买家应付邮费, else what the
    buyer paid."""
    path = get.table.path

    def cell(row, role: str) -> Decimal:
        return parse_amount(get(row, role), path, row.line, get.name(role))

    if get.at["total"] is not None:
        return lambda row, paid: cell(row, "total")
    if get.at["goods"] is not None and get.at["shipping"] is not None:
        return lambda row, paid: cell(row, "goods") + cell(row, "shipping")
    return lambda row, paid: paid
