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

One row per order (an order id on two booked rows is an error; rows of a skipped status
are no orders: an eBay transaction report's fee and payout rows share or lack the
order number). `item_rows` reads an export of one row per line item (WooCommerce,
Amazon, Etsy's order items), grouped by order id: `total`, the amount column is the
order's total, on one of its rows (the others blank) or the same on each; `sum`, each
row's amount is its item's, and an order is its booked items' sum (a cancelled item
of a shipped order is skipped). `amount` is what the shop is owed; `refund`, where
mapped and filled, is what came back; a `refunded` status with no refund amount is
refunded in full. Every value of the status column must be listed under `statuses`:
an unlisted one is an error, never a guess. Skipped statuses move no money and are
counted with their name. The cells are split by `,`, `;` or TAB, whichever splits the
header into its names (Amazon's reports and Etsy's re-saved as text are TAB-separated).

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
import io

from beanclear.importers.base import Extraction
from beanclear.importers.shop import BOOK, REFUNDED, Columns, Order, ShopImporter, one_row_each, refund_of
from beanclear.importers.toolkit import (DELIMITERS, AmountReader, Row, StatementError, clean, currency_code,
                                         header_delimiter, header_key, parse_datetime, read_statement, sniff)

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
    lines = head.lstrip("\ufeff").splitlines()[:scan]
    for delimiter in DELIMITERS:   # as header_delimiter: `,` first, then `;`, then TAB
        for line in lines:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
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

    def mapped_header(self):
        return self._mapped("shops", self.source.columns) if self.source.columns else None

    def matches(self, head: str) -> bool:
        if self.source.columns:
            found = header_delimiter(head, self.HEADER) is not None
        else:
            found = columns_in(head) is not None
        return found and (not self.source.account_id or self.source.account_id in head)

    def parse(self, filepath: str) -> Extraction:
        shop, head = self.source, sniff(filepath, encoding=self.source.encoding)
        columns = shop.columns or columns_in(head) or {}
        said = "columns from config.yaml" if shop.columns else "columns found by their names"
        required = tuple(columns.values()) or tuple(NAMES["order_id"][:1])
        delimiter = header_delimiter(head, required) or ","
        st = read_statement(filepath, required, f"{shop.name} order export ({said})", encoding=shop.encoding,
                            stream=True, delimiter=delimiter,
                            ids=[columns["order_id"]] if "order_id" in columns else ())   # a cut last one: refused
        path = st.table.path
        # `12,50` of a `;`-separated European spreadsheet is 12.50, not 1250: the file's
        # convention is decided by its first rows' amounts and held to (toolkit.AmountReader)
        money = AmountReader(_head_amounts(head, delimiter, columns), path)
        statuses = shop.statuses or ({} if shop.columns else STATUSES)
        get = Columns(st.table, columns, required=tuple(columns))
        formats = (shop.date_format, shop.date_format + " %H:%M:%S", shop.date_format + " %H:%M")

        def action(row: Row, status: str | None = None) -> str:
            """What the row's status means for the money (BOOK without a status column)."""
            if "status" not in columns:
                return BOOK
            status = get(row, "status") if status is None else status
            role = statuses.get(status) if shop.statuses else statuses.get(status.lower())
            if role is None:
                raise StatementError(path, row.line, f"column {columns['status']}: status {status!r} is not "
                                     f"listed under shops.{shop.name}.statuses in config.yaml (expected one of "
                                     f"{', '.join(statuses)})")
            return ROLE_ACTIONS.get(role, f"status {status} (no money moved)")

        def when(row: Row):
            time = get(row, "time")
            moment = parse_datetime(get(row, "date") + (" " + time if time else ""), formats, path, row.line,
                                    columns["date"])
            return moment.date() if not time and moment.time() == dt.time() else moment  # no `time` to keep

        def currency(row: Row) -> str:
            code = get(row, "currency")
            return currency_code(code, path, row.line, columns["currency"]) if code else shop.currency

        def no_id(row: Row) -> StatementError:
            return StatementError(path, row.line, f"column {columns['order_id']}: expected an order id, got an "
                                  "empty cell")

        out = Extraction()
        key = lambda row: get.order_id(row, "order_id")   # noqa: E731
        if shop.item_rows:
            for order_id, rows in self.orders(st.table.rows, key):
                items = _Items(path, get, columns, order_id, rows, money)
                actions = items.actions(action, shop.item_rows)
                booked = [row for row in rows if actions[row.line] in (BOOK, REFUNDED)]
                out.rows += len(rows)
                for row in rows:
                    if actions[row.line] not in (BOOK, REFUNDED):
                        out.skip(actions[row.line])
                if not booked:   # no item took money: the order took none
                    self.took_no_money(out, order_id, rows[0].line, actions[rows[0].line])
                    continue
                if not order_id:
                    raise no_id(booked[0])
                for _ in booked[1:]:
                    out.skip("more line items of an order (booked with it)")
                amount, refunded = items.owed(booked, actions, shop.item_rows)
                first = booked[0]
                self.book(out, path, Order(first.line, items.agreed(booked, "date", when), order_id, amount,
                                           items.agreed(booked, "currency", currency), items.titles(booked), refunded))
            return out

        actions: dict[int, str] = {}   # line -> action of the row on its way through one_row_each

        def orders_only():
            """The rows of booked statuses: the others are counted and no order (an eBay
            report's fee, label and payout rows share or lack an order number)."""
            for row in self.each(st.table.rows):
                did = action(row)
                if did in (BOOK, REFUNDED):
                    actions[row.line] = did
                    yield row
                else:
                    out.rows += 1
                    out.skip(did)
                    # (a row of another kind may share its order's number, an eBay report's
                    # fee: an order the export books too is no contradiction, no_money.py)
                    self.took_no_money(out, get(row, "order_id"), row.line, did)

        hint = (f"; an export of one row per line item needs item_rows under shops.{shop.name} in config.yaml: total "
                "where the amount column is the order's total, sum where it is each item's")
        for order_id, row in one_row_each(orders_only(), key, path, hint):
            out.rows += 1
            if not order_id:
                raise no_id(row)
            did = actions.pop(row.line)
            amount = money(get(row, "amount"), path, row.line, columns["amount"])
            refund = get(row, "refund")
            refund = str(money(refund, path, row.line, columns["refund"])) if refund else ""
            refunded = refund_of(did, amount, refund, path, row.line, columns.get("refund", ""))
            self.book(out, path, Order(row.line, when(row), order_id, amount, currency(row), get(row, "title"),
                                       refunded))
        return out


class _Items:
    """The rows of one order of an export with one row per line item (`item_rows`)."""

    def __init__(self, path: str, get: Columns, columns: dict, order_id: str, rows: list[Row], money: AmountReader):
        self.path, self.get, self.columns, self.order_id, self.rows = path, get, columns, order_id, rows
        self.money = money

    def actions(self, action, mode: str) -> dict[int, str]:
        """Each row's action by its line. A row without a status has its order's (Shopify-
        like exports state it on the first row only); `sum` reads each row's own (an
        Amazon order's cancelled item), `total` wants one meaning for the whole order."""
        stated = next((self.get(r, "status") for r in self.rows if self.get(r, "status")), None)
        out = {row.line: action(row, self.get(row, "status") or stated) if stated is not None else action(row)
               for row in self.rows}
        if mode == "total":
            first = self.rows[0]
            other = next((r for r in self.rows if out[r.line] != out[first.line]), None)
            if other is not None:
                raise self.differ(other, "status", first, self.get(other, "status") or stated,
                                  self.get(first, "status") or stated)
        return out

    def differ(self, row: Row, role: str, first: Row, value, other) -> StatementError:
        return StatementError(self.path, row.line, f"order {self.order_id}: column {self.columns[role]} says "
                              f"{value!r}, line {first.line} {other!r} (expected one value for the order)")

    def agreed(self, rows: list[Row], role: str, read=None):
        """The value of an order-level column on the rows that fill it (they must agree);
        the first row's reading where none does."""
        filled = [r for r in rows if self.get(r, role)] or rows[:1]
        value = read(filled[0]) if read else self.get(filled[0], role)
        for row in filled[1:]:
            other = read(row) if read else self.get(row, role)
            if other != value:
                raise self.differ(row, role, filled[0], self.get(row, role), self.get(filled[0], role))
        return value

    def owed(self, booked: list[Row], actions: dict[int, str], mode: str):
        """(amount, refunded) of the order: its total once (`total`), or its items' sum."""
        def read(role: str):
            return lambda row: self.money(self.get(row, role), self.path, row.line, self.columns[role])

        def text(value) -> str:   # what refund_of reads: an amount already read, or none
            return "" if value is None else str(value)

        refund_col = self.columns.get("refund", "")
        if mode == "sum":
            amounts = {row.line: read("amount")(row) for row in booked}
            return sum(amounts.values()), sum(
                refund_of(actions[row.line], amounts[row.line],
                          text(read("refund")(row) if self.get(row, "refund") else None),
                          self.path, row.line, refund_col) for row in booked)
        if not any(self.get(row, "amount") for row in booked):
            raise StatementError(self.path, booked[0].line, f"order {self.order_id}: no {self.columns['amount']} on "
                                 f"any of its rows (lines {', '.join(str(r.line) for r in booked)})")
        amount = self.agreed(booked, "amount", read("amount"))
        refunded = self.agreed(booked, "refund", read("refund")) if any(self.get(r, "refund") for r in booked) else None
        return amount, refund_of(actions[booked[0].line], amount, text(refunded), self.path, booked[0].line, refund_col)

    def titles(self, rows: list[Row]) -> str:
        items = list(dict.fromkeys(t for t in (self.get(r, "title") for r in rows) if t))
        return ", ".join(items[:3]) + (f" +{len(items) - 3} more" if len(items) > 3 else "")


def _head_amounts(head: str, delimiter: str, columns: dict):
    """(line, text) of the amount and refund cells of the first rows below the header:
    what decides whether the export writes `12,50` or `12.50`."""
    names = [header_key(columns[role]) for role in ("amount", "refund") if role in columns]
    text = head.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text[: text.rfind("\n") + 1]), delimiter=delimiter)   # a row the sniff cut: none
    at = None
    try:
        for cells in reader:
            if at is None:
                keys = [header_key(c) for c in cells]
                at = [keys.index(n) for n in names if n in keys] if names and names[0] in keys else None
                continue
            for i in at:
                if i < len(cells) and any(ch.isdigit() for ch in cells[i]):
                    yield reader.line_num, cells[i]
    except csv.Error:
        return
