"""Alipay web export (支付宝交易记录明细查询, .txt/.csv, GBK), channel type `alipay-personal`.

The export of alipay.com's "查看所有交易记录": a preamble (`账号:[…]`, `起始日期:[…]`, a
dashed `交易记录明细列表` line), the header
`交易号,商家订单号,交易创建时间,付款时间,最近修改时间,交易来源地,类型,交易对方,商品名称,
金额（元）,收/支,交易状态,服务费（元）,成功退款（元）,备注,资金状态`, the rows, and a
dashed end line with totals. Older and trimmed exports lack the last columns; columns
are read by name.

It has no payment-method column: it says that money left or reached the account, not
whether the balance, a card, 花呗 or 余额宝 paid it (or a refund went back to). Every row
is booked on the Alipay balance, the clearing account, and says `method: "unknown"`
(wallet.UNSTATED). That is right for the balance and for a card: a card's bank debit
naming Alipay is booked to clearing too (wallet.py), and the clearing check lets such a
row answer a debit of its amount that no card row answers (checks/card_payments.py); a
充值 is a card's top-up. It is wrong for 花呗 and 余额宝, which the import's note says,
counting the purchases and refunds. The app bill (alipay_personal) of the same days
states each method: a row both list is booked from it, in one import or imported before
or after, its entry replacing the web export's (alipay_personal.SHARED, books/late_rows.py).
The direction comes from 收/支, and for neutral rows from 资金状态 (`已收入`, `已支出`;
`资金转移` rows are booked by their kind, as in the app bill). 服务费 is part of the
amount: what Alipay keeps of a receipt (99.40 arrive of 100.00 with a 0.60 fee):

    2024-04-01 * "张三" "茶叶 250g" ^order-T2024…        ; a sale, `sales: [{counterparty: …}]`
      id: "2024040122001112345678"
      method: "unknown"
      Assets:Clearing:AlipayMe          99.40 CNY
      Expenses:Fees:AlipayMe             0.60 CNY
      Income:Sales:AlipayMe           -100.00 CNY

Without `sales:`, a sale is what the bill calls a collection, by the app layouts' rule
(alipay_personal.COLLECTIONS): here money in whose 商品名称 is `收钱码收款`, as 类型 says
only how the money moved (即时到账交易); a refund naming a sale (`<交易号>_<退款号>`) gives
it back. 成功退款 is kept as `refunded` metadata: the refund's own row books the money.
Rows whose money did not move (交易关闭, 等待付款, 资金状态 冻结 / 未支出 / 资金未变动) are
counted and named; an unknown status is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from beanclear.books.idset import Ids
from beanclear.importers.alipay_personal import COLLECTIONS, KINDS, MOVED, NO_MONEY, SHARED, TIME_FORMATS
from beanclear.importers.base import Extraction, compare_summary
from beanclear.importers.toolkit import StatementError, parse_datetime, parse_magnitude, read_statement
from beanclear.importers.wallet import UNSTATED, Movement, WalletImporter, said

HEADER = ("交易号", "交易创建时间", "交易对方", "商品名称", "金额（元）", "收/支", "交易状态")
FUNDS_IN, FUNDS_OUT, FUNDS_MOVED = {"已收入", "已退回"}, {"已支出"}, {"资金转移"}
FUNDS_STILL = {"冻结": "资金冻结 (frozen: no money moved)", "未支出": "未支出 (not paid)",
               "未收入": "未收入 (not received)", "资金未变动": "资金未变动 (no money moved)"}


class Importer(WalletImporter):
    kind = "alipay web export"
    HEADER, ACCOUNT_LABEL = HEADER, "账号:"
    COLLECTIONS = COLLECTIONS   # the app layouts' rule, one for both
    shared_rows = SHARED        # its rows the app bill lists too: the app bill's entry wins

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Alipay web export (支付宝交易记录明细查询)", footer=r"^-{10,}",
                            stream=True, full_rows=False)   # ragged, as the app's bills (FORMATS §1)
        t, path = st.table, st.table.path
        get = t.getter(*HEADER, "商家订单号", "付款时间", "类型", "服务费（元）", "成功退款（元）", "备注", "资金状态")

        def money(row, name: str) -> Decimal:
            return parse_magnitude(get(row, name), path, row.line, name) if get(row, name) else Decimal(0)

        def trade(row) -> str:
            return get.id(row, "交易号")

        # the trade numbers the refund rows name, from the first pass: a purchase they close is
        # booked; and those of the file's sales: a refund naming one gives the sale back
        refunded, note_refund = self.refunds(lambda r: self._is_refund(get, r), trade)
        sold = Ids()

        def first(row) -> None:
            note_refund(row)
            sale = self.is_sale(get(row, "类型"), get(row, "交易对方"), get(row, "商品名称"), incoming=True)
            if get(row, "收/支") == "收入" and sale:
                sold.add(trade(row))
        out, totals = Extraction(), {"rows": 0, "收入": Decimal(0), "支出": Decimal(0)}
        unstated = 0   # purchases and refunds: money whose account is the method it does not state
        for row, ident in self.with_ids(t.rows, trade, said(get), first=first):
            out.rows += 1
            totals["rows"] += 1
            raw_id, direction, status, funds = get(row, "交易号"), get(row, "收/支"), get(row, "交易状态"), get(row, "资金状态")
            amount = money(row, "金额（元）")
            if not raw_id:
                raise StatementError(path, row.line, "column 交易号: expected the trade number, got nothing")
            if status not in MOVED | set(NO_MONEY):
                raise StatementError(path, row.line, f"column 交易状态: unknown status {status!r} (expected "
                                     f"{', '.join(sorted(MOVED | set(NO_MONEY)))})")
            if status in NO_MONEY and not (status in ("交易关闭", "已关闭") and raw_id in refunded
                                           and not self._is_refund(get, row)):
                out.skip(NO_MONEY[status])
                continue
            if funds in FUNDS_STILL:
                out.skip(FUNDS_STILL[funds])
                continue
            if amount == 0:
                out.skip("0.00 (no money moved)")
                continue
            side = self._direction(direction, funds, path, row.line)
            if side != "neutral":  # the end block sums what moved: 已收入, 已支出
                totals["收入" if side == "in" else "支出"] += amount
            refund_of = raw_id.split("_")[0] if self._is_refund(get, row) and "_" in raw_id else None
            mv = Movement(path, row.line,
                          self.local(parse_datetime(get(row, "付款时间") or get(row, "交易创建时间"), TIME_FORMATS,
                                                    path, row.line, "付款时间")),
                          ident, amount, UNSTATED, get(row, "类型"), get(row, "交易对方"), get(row, "商品名称"),
                          get.id(row, "商家订单号"), fee=money(row, "服务费（元）"),
                          meta={"refund-of": refund_of,
                                "refunded": get(row, "成功退款（元）") if money(row, "成功退款（元）") else None,
                                "note": get(row, "备注")})
            of_sale = bool(refund_of) and refund_of in sold
            if side == "out" if not self._is_refund(get, row) else side != "out" and not of_sale:
                unstated += 1   # a purchase; a refund back to what paid it, but a sale's given back
            if of_sale:
                self.book_back(out, mv)
            elif side == "in":
                self.book_in(out, mv)
            elif side == "out":
                self.book_out(out, mv)
            else:
                self.neutral_kind(out, mv, [(r"", "refund")] if self._is_refund(get, row) else KINDS)
        self._compare_footer(out, st.footer, totals)
        if unstated:
            out.notes.append(f"{unstated} purchases or refunds whose payment method the web export does not state "
                             '(`method: "unknown"`): booked on the Alipay balance (clearing), right where the balance '
                             "or a card paid (a card's bank debit meets them there), not 花呗 or 余额宝; an app bill "
                             "(交易明细) of their days states each method and books them in their place, imported "
                             "before, with or after this export")
        return self.finish(out)

    @staticmethod
    def _is_refund(get, row) -> bool:
        return get(row, "类型") == "退款" or get(row, "商品名称").startswith("退款")

    @staticmethod
    def _direction(direction: str, funds: str, path: str, line: int) -> str:
        """"in", "out" or "neutral": 收/支 where it says, else 资金状态; never a guess."""
        by_funds = "in" if funds in FUNDS_IN else "out" if funds in FUNDS_OUT else \
            "neutral" if funds in FUNDS_MOVED or not funds else None
        if by_funds is None:
            raise StatementError(path, line, f"column 资金状态: unknown value {funds!r} (expected "
                                 f"{', '.join(sorted(FUNDS_IN | FUNDS_OUT | FUNDS_MOVED | set(FUNDS_STILL)))})")
        by_column = {"收入": "in", "支出": "out"}.get(direction)
        if direction not in ("收入", "支出", "不计收支", "其他", ""):
            raise StatementError(path, line, f"column 收/支: expected 收入, 支出, 不计收支 or 其他, got {direction!r}")
        if by_column and by_funds != "neutral" and by_column != by_funds:
            raise StatementError(path, line, f"收/支 says {direction} but 资金状态 says {funds}")
        return by_column or by_funds

    @staticmethod
    def _compare_footer(out: Extraction, footer, totals) -> None:
        """The end block: `共N笔记录`, `已收入：N笔,X元`, `待收入：…`, `已支出：…`."""
        text = "\n".join(",".join(r.cells) for r in footer)
        stated = {}
        found = re.search(r"共(\d+)笔记录", text)
        if found:
            stated["rows"] = int(found.group(1))
        for kind, key in (("已收入", "收入"), ("已支出", "支出")):
            found = re.search(kind + r"[：:]\s*\d+笔[\s,，]*(-?[\d,.]+)元", text)
            if found:
                stated[key] = Decimal(found.group(1).replace(",", ""))
        compare_summary(out, stated, {k: totals[k] for k in stated})
