"""Pinduoduo merchant order export (拼多多商家后台 → 订单查询 → 导出).

No licensed sample exists: the layout is documented only from experience (FORMATS.md
§8b, [belief]) and the tests write their own files from it. One row per order (a
Pinduoduo order holds one product); the receivable is what the merchant is owed for
it, 商家实收金额(元) — the buyer's payment plus the platform's own discount — which is
what Pinduoduo settles into the merchant's 货款 account; what the buyer paid is kept as
`buyer-paid` where it differs (用户实付金额, else 商家实收金额 less 平台优惠折扣):

    2026-03-03 * "Order 260303-123456789012345 / 白茶饼 357g" ^order-260303-123456789012345
      time: "09:12:45"
      id: "order:260303-123456789012345"
      order-id: "260303-123456789012345"
      Assets:Receivable:Pinduoduo      88.00 CNY
      Income:Sales:Pinduoduo          -88.00 CNY

订单状态 decides whether money moved (`未发货，退款成功` is paid and refunded in
full, whatever the 售后状态 says). An after-sale 退款成功 on an order its 订单状态 does
not call refunded (`已签收`) was partly refunded, or wholly: the export has no amount
for it, unless it has a 退款金额 column, whose amount then wins (the buyer's: the
platform's discount goes with it in proportion, shop.receivable_refund). Without one, no amount
is invented: the order says `refund-amount: "not stated"` and the orders check takes
the channels' refunds of it for the shop's (importers/shop.py). The date is the deal's (订单成交时间, else 支付时间,
拼单成功时间, 订单创建时间: the first the row fills). Real exports leave every time of
some rows empty; such an order is dated by its number (`260517-…` is 2026-05-17, the day
Pinduoduo gave it), says so in `date-from: "订单号"`, and the import counts them in a note.
"""

from __future__ import annotations

import datetime as dt
import re

from beanclear.importers.base import Extraction
from beanclear.importers.shop import (AWAITING, BOOK, LOCAL_TIMES, PARTLY, REFUNDED, Columns, Order, ShopImporter,
                                      meaning, one_row_each, refund_of)
from beanclear.importers.toolkit import CHINA, StatementError, in_places, parse_amount, parse_datetime, read_statement

STATUSES = {"待支付": AWAITING, "待发货": BOOK, "已发货，待签收": BOOK, "已发货": BOOK,
            "已签收": BOOK, "已收货": BOOK, "交易成功": BOOK, "已取消": "cancelled before payment (no money moved)",
            "未发货，退款成功": REFUNDED, "已发货，退款成功": REFUNDED, "已签收，退款成功": REFUNDED}
AFTER_SALE = {"": BOOK, "无售后或售后取消": BOOK, "无售后": BOOK, "售后取消": BOOK, "退款中": BOOK,
              "售后处理中": BOOK, "待商家处理": BOOK, "退款成功": REFUNDED, "退货退款成功": REFUNDED}


class Importer(ShopImporter):
    kind = "pinduoduo orders"
    local_zone = CHINA   # a Chinese marketplace's times are China's, the books' wall clock in theirs
    HEADER = ("订单号", "订单状态", "商家实收金额(元)")

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, self.HEADER, "Pinduoduo order export", stream=True)
        path = st.table.path
        get = Columns(st.table, {"id": "订单号", "status": "订单状态", "amount": "商家实收金额(元)",
                                 **{f"date{i}": name for i, name in enumerate(DATES)},
                                 "after_sale": "售后状态", "title": "商品", "refund": ("退款金额(元)", "退款金额"),
                                 "paid": ("用户实付金额(元)", "实付金额(元)", "用户实付金额"),
                                 "platform": ("平台优惠折扣(元)", "平台优惠折扣")},
                      required=("id", "status", "amount"))
        dates = [f"date{i}" for i in range(len(DATES)) if get.at[f"date{i}"] is not None]
        if not dates:
            raise StatementError(path, st.table.header_line, f"no column {' or '.join(DATES)} in the header")
        out, by_number = Extraction(), 0
        for order_id, row in one_row_each(self.each(st.table.rows), lambda r: get.order_id(r, "id"), path):
            action = meaning(get(row, "status"), STATUSES, path, row.line, "订单状态")
            if not self.counted(out, [row], action, order=order_id):
                continue
            after = meaning(get(row, "after_sale"), AFTER_SALE, path, row.line, "售后状态")
            if action == BOOK and after == REFUNDED:
                action = PARTLY
            amount = parse_amount(get(row, "amount"), path, row.line, get.name("amount"))
            paid = self._buyer_paid(get, row, amount, path)
            refunded = refund_of(action, amount, get(row, "refund"), path, row.line, get.name("refund"), buyer_paid=paid)
            role = next((r for r in dates if get(row, r)), None)
            numbered = ORDER_DAY.fullmatch(order_id) if role is None else None
            if numbered:
                when, by_number = dt.datetime.strptime(numbered.group(1), "%y%m%d").date(), by_number + 1
            else:
                role = role or dates[0]
                when = self.local(parse_datetime(get(row, role), LOCAL_TIMES, path, row.line, get.name(role)))
            meta = {"date-from": "订单号"} if numbered else {}
            if paid != amount:
                meta["buyer-paid"] = f"{in_places(paid, self.source.currency)}"
            self.book(out, path, Order(row.line, when, order_id, amount, self.source.currency,
                                       get(row, "title"), refunded, meta))
        if by_number:
            out.notes.append(f"{by_number} order(s) without a time in any of {', '.join(get.name(r) for r in dates)}: "
                             "dated by their order number (date-from: 订单号)")
        return out

    @staticmethod
    def _buyer_paid(get, row, amount, path):
        """What the buyer paid: 用户实付金额 where the export has it, else 商家实收金额 less
        the platform's 平台优惠折扣 (the receivable holds the platform's discount, which
        Pinduoduo still pays the merchant), else the receivable."""
        if get(row, "paid"):
            return parse_amount(get(row, "paid"), path, row.line, get.name("paid"))
        if get(row, "platform"):
            return amount - parse_amount(get(row, "platform"), path, row.line, get.name("platform"))
        return amount


DATES = ("订单成交时间", "支付时间", "拼单成功时间", "订单创建时间")   # the first a row fills dates it
ORDER_DAY = re.compile(r"(\d{6})-\d+")   # 260517-607198974342268: given on 2026-05-17
