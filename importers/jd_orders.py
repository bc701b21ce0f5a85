"""JD POP seller order export (京东商家后台 → 订单管理 → 订单导出).

No licensed sample exists (the JD file in the samples is a buyer's JD Pay statement,
not a seller export): the layout is the documented header (FORMATS.md §8a) and the
tests write their own files from it. One row per product (商品ID); the order's own
columns — 订单金额, 结算金额, 订单状态, 下单时间 — repeat on every row of the order,
so the rows are grouped by 订单号 and must agree. The receivable is 结算金额, what the
buyer settles for the order after discounts:

    2026-03-04 * "Order 290123456789 / 正山小种 100g, 紫砂杯" ^order-290123456789
      time: "14:20:00"
      id: "order:290123456789"
      order-id: "290123456789"
      Assets:Receivable:JD            356.00 CNY
      Income:Sales:JD                -356.00 CNY

订单状态 decides whether money moved; an order cancelled (已取消) after payment
(付款确认时间 filled) was refunded in full, before payment it moved nothing; 配送退货
(returned in delivery) is refunded in full. 退款金额, where the export has it, wins.
"""

from __future__ import annotations

from beanclear.importers.base import Extraction
from beanclear.importers.shop import (AWAITING, BOOK, CLOSED, LOCAL_TIMES, REFUNDED, Columns, Order, ShopImporter,
                                      meaning, refund_of, resolved)
from beanclear.importers.toolkit import CHINA, StatementError, parse_amount, parse_datetime, read_statement

STATUSES = {"等待付款": AWAITING, "等待付款确认": AWAITING,
            "等待出库": BOOK, "等待发货": BOOK, "已出库": BOOK, "等待确认收货": BOOK, "已发货": BOOK,
            "完成": BOOK, "已完成": BOOK, "锁定": BOOK, "暂停": BOOK,
            "已取消": CLOSED, "取消": CLOSED, "删除": CLOSED, "配送退货": REFUNDED}
ORDER_LEVEL = ("settled", "status", "created")   # the same on every row of an order


class Importer(ShopImporter):
    kind = "jd orders"
    local_zone = CHINA   # a Chinese marketplace's times are China's, the books' wall clock in theirs
    HEADER = ("订单号", "商品ID", "订单金额", "结算金额", "下单时间", "订单状态")

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, self.HEADER, "JD seller order export", stream=True)
        path = st.table.path
        get = Columns(st.table, {"id": "订单号", "settled": "结算金额", "status": "订单状态", "created": "下单时间",
                                 "paid_at": "付款确认时间", "title": "商品名称", "refund": "退款金额"},
                      required=("id", "settled", "status", "created"))
        out = Extraction()
        for order_id, rows in self.orders(st.table.rows, lambda r: get.order_id(r, "id")):
            first = rows[0]
            for row in rows[1:]:
                differ = [get.name(role) for role in ORDER_LEVEL if get(row, role) != get(first, role)]
                if differ:
                    raise StatementError(path, row.line, f"order {order_id}: {', '.join(differ)} differs from "
                                         f"line {first.line} (expected the order's columns on each of its rows)")
            action = resolved(meaning(get(first, "status"), STATUSES, path, first.line, "订单状态"),
                              paid=bool(get(first, "paid_at")))
            if not self.counted(out, rows, action, "more products of an order (booked with it)", order_id):
                continue
            amount = parse_amount(get(first, "settled"), path, first.line, "结算金额")
            refunded = refund_of(action, amount, get(first, "refund"), path, first.line, "退款金额")
            when = self.local(parse_datetime(get(first, "created"), LOCAL_TIMES, path, first.line, "下单时间"))
            title = ", ".join(t for t in dict.fromkeys(get(r, "title") for r in rows) if t)
            self.book(out, path, Order(first.line, when, order_id, amount, self.source.currency, title, refunded))
        return out
