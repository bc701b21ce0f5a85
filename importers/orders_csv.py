"""Any shop's order export, read through the column map in config.yaml.

    shops:
      web:
        type: orders-csv
        order_days: 3
        date_format: "%Y-%m-%d %H:%M:%S"
        columns: {order_id: 订单号, date: 下单时间, amount: 实付金额, status: 订单状态, refund: 退款金额}
        statuses: {booked: [已支付, 已发货, 已完成], refunded: [已退款], skipped: [待支付, 已取消]}

Without `columns:` (DESIGN names the type and nothing more), the columns are found by
the names exports give them (`NAMES`: 订单号 or Order ID, 下单时间 or Date, 实付金额 or
Total, …) in one header row, and a status column's words by the usual ones (`STATUSES`):
a word neither lists is an error naming `statuses:`.

One row per order (an order id on two rows is an error). `amount` is what the shop is
owed; `refund`, where mapped and filled, is what came back; a `refunded` status with no
refund amount is refunded in full. Every value of the status column must be listed
under `statuses`: an unlisted one is an error, never a guess. Skipped statuses move no
money and are counted with their name.

    2026-03-05 * "Order W1001" ^order-W1001
      time: "11:00:00"
      id: "order:W1001"
      order-id: "W1001"
      Assets:Receivable:Web           120.00 CNY
      Income:Sales:Web               -120.00 CNY
"""

from __future__ import annotations

import csv
import datetime as dt

from beanclear.importers.base import Extraction
from beanclear.importers.shop import BOOK, REFUNDED, Columns, Order, ShopImporter, one_row_each, refund_of
from beanclear.importers.toolkit import (StatementError, clean, currency_code, header_key, parse_amount, parse_datetime,
                                         read_statement, sniff)

ROLE_ACTIONS = {"booked": BOOK, "refunded": REFUNDED}
# Each role's usual header names, compared as header_key does; the first found wins.
NAMES = {"order_id": ("订单号", "订单编号", "订单id", "order id", "order_id", "order number", "order no", "order #"),
         "date": ("下单日期", "订单日期", "日期", "date", "order date", "order_date", "下单时间", "创建时间", "订单时间",
                  "created at", "created_at", "created", "date created"),
         "time": ("下单时间", "时间", "time", "order time"),   # beside a column of days only
         "amount": ("实付金额", "实收金额", "订单金额", "支付金额", "金额", "total", "order total", "amount",
                    "grand total", "total amount", "paid"),
         "status": ("订单状态", "状态", "status", "order status"),
         "refund": ("退款金额", "已退款金额", "refund", "refunded", "refunded amount", "refund amount"),
         "currency": ("币种", "货币", "currency"),
         "title": ("商品", "商品名称", "商品标题", "title", "product", "item", "items", "description")}
KEYS = {role: tuple(dict.fromkeys(map(header_key, names))) for role, names in NAMES.items()}
REQUIRED = ("order_id", "date", "amount")
STATUSES = {**dict.fromkeys(("已支付", "已付款", "已完成", "交易成功", "待发货", "已发货", "已收货", "paid", "completed",
                             "complete", "processing", "shipped", "fulfilled", "delivered"), "booked"),
            **dict.fromkeys(("已退款", "退款成功", "refunded"), "refunded"),
            **dict.fromkeys(("待支付", "待付款", "未支付", "已取消", "已关闭", "交易关闭", "pending", "unpaid",
                             "cancelled", "canceled", "failed", "voided"), "skipped")}


def columns_in(head: str, scan: int = 60) -> dict[str, str] | None:
    """role -> the header as the export writes it, from the first row of `head` that
    names every required role; None where no row does."""
    for line in head.lstrip("\ufeff").splitlines()[:scan]:
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        by_key = {}
        for cell in cells:
            by_key.setdefault(header_key(cell), clean(cell))
        found = {role: next((by_key[n] for n in names if n in by_key), None) for role, names in KEYS.items()}
        if all(found[role] for role in REQUIRED):
            if found["time"] == found["date"]:
                found["time"] = None
            return {role: name for role, name in found.items() if name}
    return None


class Importer(ShopImporter):
    kind = "orders csv"

    @property
    def HEADER(self) -> tuple[str, ...]:  # noqa: N802 - the column map of the config
        return tuple(self.source.columns.values())

    def matches(self, head: str) -> bool:
        if self.source.columns:
            return super().matches(head)
        return columns_in(head) is not None and (not self.source.account_id or self.source.account_id in head)

    def parse(self, filepath: str) -> Extraction:
        shop, columns = self.source, self.source.columns or columns_in(sniff(filepath)) or {}
        said = "columns from config.yaml" if shop.columns else "columns found by their names"
        st = read_statement(filepath, tuple(columns.values()) or tuple(NAMES["order_id"][:1]),
                            f"{shop.name} order export ({said})", encoding=shop.encoding, stream=True)
        path = st.table.path
        statuses = shop.statuses or ({} if shop.columns else STATUSES)
        get = Columns(st.table, columns, required=tuple(columns))
        formats = (shop.date_format, shop.date_format + " %H:%M:%S", shop.date_format + " %H:%M")
        out = Extraction()
        for order_id, row in one_row_each(self.each(st.table.rows), lambda r: get(r, "order_id"), path):
            action = BOOK
            if "status" in columns:
                status = get(row, "status")
                role = statuses.get(status) if shop.statuses else statuses.get(status.lower())
                if role is None:
                    raise StatementError(path, row.line, f"column {columns['status']}: status {status!r} is not "
                                         f"listed under shops.{shop.name}.statuses in config.yaml (expected one of "
                                         f"{', '.join(statuses)})")
                action = ROLE_ACTIONS.get(role, f"status {status} (no money moved)")
            if not self.counted(out, [row], action):
                continue
            amount = parse_amount(get(row, "amount"), path, row.line, columns["amount"])
            refunded = refund_of(action, amount, get(row, "refund"), path, row.line, columns.get("refund", ""))
            time, currency = get(row, "time"), get(row, "currency")   # each cell cleaned once
            when = parse_datetime(get(row, "date") + (" " + time if time else ""), formats, path, row.line,
                                  columns["date"])
            if not time and when.time() == dt.time():
                when = when.date()  # a date without a time of day: no `time` to keep
            currency = currency_code(currency, path, row.line, columns["currency"]) if currency else shop.currency
            self.book(out, path, Order(row.line, when, order_id, amount, currency, get(row, "title"), refunded))
        return out
