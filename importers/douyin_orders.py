"""Douyin shop (抖店) order export (订单管理 → 批量导出, UTF-8 CSV with BOM).

No licensed sample exists: the layout is the documented header (FORMATS.md §8b) and
the tests write their own files from it. One row per sub-order (子订单编号), ids as
`"\\t<id>"` so that Excel keeps them. The sub-orders of one 主订单编号 are paid
together, so they are one order. Its receivable is what the merchant is owed for
each sub-order: what the buyer pays (订单应付金额, shipping included) and the discounts
others fund, which the platform still pays the merchant (平台实际承担优惠金额: WeChat Pay
settles it as a 充值券 inside 订单金额; 达人实际承担优惠金额, out of the creator's
commission). The merchant's own discount (商家实际承担优惠金额) is its cost, already
inside 订单应付金额, so not added (DESIGN.md §1; Pinduoduo's 商家实收金额 is the same
sum). The columns' meaning is an assumption to check against a real export. An order
of two sub-orders, the platform funding 10.00 of the first, with the buyer's part kept
as `buyer-paid` where it differs:

    2026-03-02 * "Order 6920000000000000001 / 龙井礼盒, 白茶饼" ^order-6920000000000000001
      time: "20:01:02"
      id: "order:6920000000000000001"
      order-id: "6920000000000000001"
      sub-orders: "6920000000000000002 6920000000000000003"
      buyer-paid: "308.00"
      Assets:Receivable:Douyin        318.00 CNY
      Income:Sales:Douyin            -318.00 CNY

订单状态 decides whether a sub-order took money; 售后状态 whether it came back:
退款成功 refunds the sub-order in full, its platform-funded part with it (or 退款金额,
where the export has the column: what the buyer got back of the sub-order, the part
others funded going with it in proportion, shop.receivable_refund).
An order 已关闭 was refunded if its after-sale says so, else closed before payment.
"""

from __future__ import annotations

from decimal import Decimal

from beanclear.importers.base import Extraction
from beanclear.importers.shop import (AWAITING, BOOK, CLOSED, LOCAL_TIMES, REFUNDED, Columns, Order, ShopImporter,
                                      meaning, refund_of, resolved)
from beanclear.importers.toolkit import CHINA, in_places, parse_amount, parse_datetime, read_statement

STATUSES = {"待支付": AWAITING, "已支付": BOOK, "待发货": BOOK, "备货中": BOOK,
            "部分发货": BOOK, "已发货": BOOK, "待收货": BOOK, "已签收": BOOK, "已完成": BOOK,
            "已取消": "cancelled before payment (no money moved)", "已关闭": CLOSED}
# 售后状态: refunded in full, or nothing came back (none yet, or the after-sale was closed).
AFTER_SALE = {"": BOOK, "无售后": BOOK, "售后关闭": BOOK, "售后取消": BOOK, "退款关闭": BOOK, "退款中": BOOK,
              "售后中": BOOK, "待商家处理": BOOK, "待买家退货": BOOK, "待商家收货": BOOK, "换货成功": BOOK,
              "退款成功": REFUNDED, "退货退款成功": REFUNDED, "仅退款成功": REFUNDED}
# Discounts neither the buyer paid nor the merchant funded: still paid to the merchant.
FUNDED_BY_OTHERS = {"platform": "平台实际承担优惠金额", "creator": "达人实际承担优惠金额"}


class Importer(ShopImporter):
    kind = "douyin orders"
    local_zone = CHINA   # a Chinese marketplace's times are China's, the books' wall clock in theirs
    HEADER = ("主订单编号", "子订单编号", "订单应付金额", "订单提交时间", "订单状态")

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, self.HEADER, "Douyin shop (抖店) order export", stream=True)
        path = st.table.path
        get = Columns(st.table, {"id": "主订单编号", "sub": "子订单编号", "amount": "订单应付金额",
                                 "created": "订单提交时间", "status": "订单状态", "after_sale": "售后状态",
                                 "title": "选购商品", "refund": "退款金额", "paid_at": "支付完成时间",
                                 **FUNDED_BY_OTHERS},
                      required=("id", "sub", "amount", "created", "status"))
        out = Extraction()
        for order_id, rows in self.orders(st.table.rows, lambda r: get.order_id(r, "id")):
            out.rows += len(rows)
            amount = refunded = paid = Decimal(0)
            booked, titles, unpaid = [], [], None
            for row in rows:
                after = meaning(get(row, "after_sale"), AFTER_SALE, path, row.line, "售后状态")
                action = resolved(meaning(get(row, "status"), STATUSES, path, row.line, "订单状态"),
                                  paid=after == REFUNDED or bool(get(row, "paid_at")))
                if action not in (BOOK, REFUNDED):
                    out.skip(action)
                    unpaid = unpaid or (row.line, action)
                    continue
                sub_paid = parse_amount(get(row, "amount"), path, row.line, "订单应付金额")
                sub_amount = sub_paid + sum((parse_amount(get(row, role), path, row.line, name)
                                             for role, name in FUNDED_BY_OTHERS.items() if get(row, role)), Decimal(0))
                amount, paid = amount + sub_amount, paid + sub_paid
                refunded += refund_of(REFUNDED if after == REFUNDED else action, sub_amount, get(row, "refund"),
                                      path, row.line, "退款金额", buyer_paid=sub_paid)
                booked.append(row)
                titles.append(get(row, "title"))
            if not booked:   # no sub-order took money: the order took none
                self.took_no_money(out, order_id, *unpaid)
                continue
            for _ in booked[1:]:
                out.skip("more sub-orders of an order (booked with it)")
            first = booked[0]
            when = self.local(parse_datetime(get(first, "created"), LOCAL_TIMES, path, first.line, "订单提交时间"))
            subs = " ".join(get(r, "sub") for r in booked)
            paid_text = f"{in_places(paid, self.source.currency)}"
            meta = {"sub-orders": subs, **({"buyer-paid": paid_text} if paid != amount else {})}
            self.book(out, path, Order(first.line, when, order_id, amount, self.source.currency,
                                       ", ".join(t for t in titles if t), refunded, meta))
        return out
