"""JD personal payment statement (京东 交易流水, 京东支付), channel type `jd-personal`.

UTF-8 with a BOM; a preamble (`导出信息：`, `京东账号名：`, `日期区间：`, `共：N笔记录`,
`收入：N笔，X元` — sometimes `(含4笔部分退款)` —, `特别提示：` notes), then the header
`交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注`
(older exports order the columns differently: they are read by name). Times and ids
carry a trailing TAB. No public sample was copied: the tests write files from this
documented layout.

A partial refund is written into the amount: `131.77(已退款89.84)` is a payment of
131.77 of which 89.84 came back. The payment is booked in full and the refund kept as
`refunded` metadata: the refund's own row (`退款-…`, 不计收支 or 收入) books the money:

    2023-03-01 * "京东平台商户" "茶具套装"                     ; 支出 with 京东白条
      id: "283349211012"
      refunded: "89.84"
      method: "京东白条"
      Expenses:Supplies                131.77 CNY
      Liabilities:Credit:JdMe         -131.77 CNY

The account model is wallet.py's (京东白条 is the credit account, 小金库 the savings
account); `先享后付` rows of 0.00 move no money and are counted, an unknown status is
an error.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from beanclear.importers.base import Extraction
from beanclear.importers.toolkit import StatementError, clean, parse_datetime, parse_magnitude, read_statement
from beanclear.importers.wallet import Movement, WalletImporter, compare_totals, said, says_no_records, stated_text

HEADER = ("交易时间", "商户名称", "交易说明", "金额", "收/付款方式", "交易状态", "收/支", "交易订单号")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
MOVED = {"交易成功", "支付成功", "退款成功", "还款成功", "交易完成", "已完成"}
NO_MONEY = {"交易关闭": "交易关闭 (closed: no money moved)", "已取消": "已取消 (cancelled: no money moved)",
            "支付失败": "支付失败 (failed: no money moved)", "等待付款": "等待付款 (not paid)"}
AMOUNT = re.compile(r"^(.+?)\s*(?:[（(]\s*(已全额退款|已退款\s*[¥￥]?\s*([\d,.]+))\s*[）)])?$")
KINDS = [
    (r"^退款", "refund"),
    (r"收益", "income-to-savings"),
    (r"小金库.*转出.*(银行卡|储蓄卡)", "savings-to-bank"),
    (r"小金库.*转出", "savings-to-balance"),
    (r"小金库.*转入|转入.*小金库", "to-savings"),
    (r"白条.*还款", "credit-repayment"),
    (r"提现", "withdrawal"),
    (r"充值", "top-up"),
    (r"还款", "payment"),
]


class Importer(WalletImporter):
    kind = "jd personal statement"
    HEADER, ACCOUNT_LABEL = HEADER, "京东账号名"

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "JD personal statement (京东交易流水)", stream=True,
                            says_empty=says_no_records)
        t, path = st.table, st.table.path
        get = t.getter(*HEADER, "交易分类", "商家订单号", "备注")

        def ident(row) -> str:  # 亲密卡 rows have no 交易订单号: the merchant's order number names them
            return get.id(row, "交易订单号") or get.id(row, "商家订单号")

        out, counts, sums, netted, unstated = Extraction(), Counter(), Counter(), Decimal(0), Decimal(0)
        for row, key in self.with_ids(t.rows, ident, said(get)):
            out.rows += 1
            direction, status = get(row, "收/支"), get(row, "交易状态")
            amount, refunded = self._amount(get(row, "金额"), path, row.line)
            side = direction if direction in ("收入", "支出") else "其他"
            counts[side] += 1
            sums[side] += amount
            if direction not in ("收入", "支出", "不计收支", ""):
                raise StatementError(path, row.line, f"column 收/支: expected 收入, 支出 or 不计收支, got {direction!r}")
            if not ident(row):
                raise StatementError(path, row.line, "columns 交易订单号 and 商家订单号: expected an id, got neither")
            if status in NO_MONEY:
                out.skip(NO_MONEY[status])
                continue
            if status not in MOVED:
                raise StatementError(path, row.line, f"column 交易状态: unknown status {status!r} (expected "
                                     f"{', '.join(sorted(MOVED | set(NO_MONEY)))})")
            if amount == 0:
                out.skip("0.00 (先享后付 and the like: no money moved)")
                continue
            when = self.local(parse_datetime(get(row, "交易时间"), TIME_FORMATS, path, row.line, "交易时间"))
            mv = Movement(path, row.line, when,
                          key, amount, get(row, "收/付款方式"), get(row, "交易分类"), get(row, "商户名称"),
                          get(row, "交易说明"), get.id(row, "商家订单号"),
                          meta={"refunded": refunded, "note": get(row, "备注")})
            # How JD states its totals (a December 2024 bill): 支出 net of partial refunds; 不计收支
            # counting, but not adding, a purchase refunded in full and a 先享后付 order
            pay_later = "先享后付" in (get(row, "收/付款方式"), get(row, "交易分类"))
            if direction == "支出" and refunded not in (None, "all"):
                netted += Decimal(refunded.replace(",", ""))
            elif direction == "不计收支" and (refunded == "all" or pay_later):
                unstated += amount
            if direction == "收入":
                self.book_in(out, mv)
            elif direction == "支出" or refunded == "all":
                # JD writes a purchase refunded in full `468.32(已全额退款)` 不计收支: the money left
                # and its refund rows (退款-…) book its return, so the purchase is booked too
                self.book_out(out, mv)
            else:
                self.neutral_kind(out, mv, KINDS)
        compare_totals(out, stated_text(st), counts, sums, netted, unstated)
        return self.finish(out)

    @staticmethod
    def _amount(text: str, path: str, line: int) -> tuple[Decimal, str | None]:
        """`131.77(已退款89.84)` -> (131.77, "89.84"); `12.00(已全额退款)` -> (12.00, "all"). The
        size of the amount, as 收/支 says the way: `-131.77(已退款89.84)` is 131.77 too."""
        found = AMOUNT.match(clean(text).replace(" ", ""))
        if not found:
            return parse_magnitude(text, path, line, "金额"), None  # says what was expected
        refunded = found.group(3) or ("all" if found.group(2) else None)
        return parse_magnitude(found.group(1), path, line, "金额"), refunded
