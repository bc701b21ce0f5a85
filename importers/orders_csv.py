"""Any shop's order export, read through the column map in config.yaml.

    shops:
      web:
        type: orders-csv
        order_days: 3
        date_format: "%Y-%m-%d %H:%M:%S"
        columns: {order_id: 订单号, date: 下单时间, amount: 实付金额, status: 订单状态, refund: 退款金额}
        statuses: {booked: [已支付, 已发货, 已完成], refunded: [已退款], skipped: [待支付, 已取消]}

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

import datetime as dt

from beanclear.importers.base import Extraction
from beanclear.importers.shop import BOOK, REFUNDED, Columns, Order, ShopImporter, one_row_each, refund_of
from beanclear.importers.toolkit import StatementError, currency_code, parse_amount, parse_datetime, read_statement

ROLE_ACTIONS = {"booked": BOOK, "refunded": REFUNDED}


class Importer(ShopImporter):
    kind = "orders csv"

    @property
    def HEADER(self) -> tuple[str, ...]:  # noqa: N802 - the column map of the config
        return tuple(self.source.columns.values())

    def parse(self, filepath: str) -> Extraction:
        shop, columns = self.source, self.source.columns
        st = read_statement(filepath, self.HEADER, f"{shop.name} order export (columns from config.yaml)",
                            encoding=shop.encoding, stream=True)
        path = st.table.path
        get = Columns(st.table, columns, required=tuple(columns))
        formats = (shop.date_format, shop.date_format + " %H:%M:%S", shop.date_format + " %H:%M")
        out = Extraction()
        for order_id, row in one_row_each(self.each(st.table.rows), lambda r: get(r, "order_id"), path):
            action = BOOK
            if "status" in columns:
                status = get(row, "status")
                role = shop.statuses.get(status)
                if role is None:
                    raise StatementError(path, row.line, f"column {columns['status']}: status {status!r} is not "
                                         f"listed under shops.{shop.name}.statuses in config.yaml (expected one of "
                                         f"{', '.join(shop.statuses)})")
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
