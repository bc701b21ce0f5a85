"""Alipay personal bill (支付宝 交易明细, 开具交易流水证明 → 用于个人对账), for a merchant
collecting on a personal Alipay account (channel type `alipay-personal`).

Two app layouts, told apart by nothing but the header row, which is found by content:
2023+ (a 24-line preamble with the totals, then the header `交易时间,交易分类,…,备注,`)
and ≤2022 (a title line, the header `收/支,交易对方,…,交易时间,`, the rows, then a
dashed line and a footer with the totals). Columns are read by name; the trailing
comma's empty column and rows that omit it (user-edited files) are both accepted.

The account model is wallet.py's: the balance and cards paying through Alipay are the
clearing account, 余额宝 the savings account, 花呗 / 花呗分期 the credit account, refunds
and withdrawals to a card go to transit; sales come from `sales:`, the rest from
`rules:` or suspense. A sale and a refund of a purchase paid by card:

    2025-09-20 * "温州示例科技" "项目结算-验收尾款"            ; 收入, `sales: [{category: "^收入$"}]`
      id: "2025000000001026IN"
      Assets:Clearing:AlipayMe        6000.00 CNY
      Income:Sales:AlipayMe          -6000.00 CNY

    2023-02-04 * "xxxxxxx" "退款-亲情卡"                        ; 不计收支 退款成功, back to the card
      id: "2xxxxxxxxxxxxxxxx8"
      method: "交通银行信用卡(7449)"
      Assets:Transit:AlipayMe           16.03 CNY
      Assets:Suspense                  -16.03 CNY

Rows that move no money are counted and named: 交易关闭 (unless a refund row of the
same file refers to it: a fully refunded purchase or collection flips to 交易关闭, and its
refund is booked, so the trade is booked too; the refund of money received goes out of
the wallet, a sale's back to sales), 0.00 rows (医保, 先享后付), 解冻, 芝麻免押, 信用服务.
A status not listed here is an error. The totals the bill states (共N笔记录, 收入/支出/
不计收支 counts and sums) are compared with the rows; Alipay itself warns that they may
differ, so a difference is a note.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from beanclear.books.idset import Ids
from beanclear.config.model import SalesRule
from beanclear.importers.account_ids import stated_account
from beanclear.importers.base import Extraction, SharedRows
from beanclear.importers.toolkit import StatementError, parse_datetime, parse_magnitude, read_statement
from beanclear.importers.wallet import (UNSTATED, Movement, WalletImporter, compare_totals, said, says_no_records,
                                       stated_text)

HEADER = ("交易时间", "交易对方", "商品说明", "收/支", "金额", "交易状态", "交易订单号")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
MOVED = {"交易成功", "支付成功", "等待确认收货", "退款成功", "还款成功", "放款成功", "已收款", "交易完成"}
NO_MONEY = {"交易关闭": "交易关闭 (closed: no money moved)", "已关闭": "交易关闭 (closed: no money moved)",
            "还款失败": "还款失败 (failed: no money moved)", "解冻成功": "解冻 (unfreeze: no money moved)",
            "冻结成功": "冻结 (freeze: no money moved)", "等待付款": "等待付款 (not paid)",
            "芝麻免押下单成功": "芝麻免押 (deposit waived: no money moved)",
            "信用服务使用成功": "信用服务 (credit service: no money moved)"}
NEUTRAL = {"不计收支", "其他", ""}
# Neutral rows by what their item or category says; first match wins (wallet.neutral_kind).
KINDS = [
    (r"收益|转账收款到余额宝|(卖出|赎回)(至|到)余额宝", "income-to-savings"),
    (r"余额宝.*(转出|提现).*(银行卡|储蓄卡)", "savings-to-bank"),
    (r"余额宝.*转出|转出(至|到)余额", "savings-to-balance"),
    (r"余额宝.*转入|转入.*余额宝", "to-savings"),   # not any 转入: 数字人民币-转入 is another wallet's
    (r"提现", "withdrawal"),
    (r"充值", "top-up"),
    (r"花呗.*还款|还款.*花呗", "credit-repayment"),
    (r"卖出|赎回", "sale-of-investment"),
    (r"买入|申购|还款", "payment"),
]
# What the bill calls a collection, the rows that are sales where the config has no `sales:`
# (wallet.is_sale: money in only), in the app layouts and the web export (alipay_web) alike:
# 交易分类 收入 (money collected, the app's), or the item Alipay gives a 收钱码's takings, which
# the web export, without 交易分类 (its 类型 says how the money moved: 即时到账交易), has too.
COLLECTIONS = (SalesRule(category=re.compile(r"^收入$")), SalesRule(item=re.compile(r"^收钱码收款$")))
# A trade the app bill and the web export (alipay_web) both list, by its 交易号 (books/late_rows.py):
# the web export's entry, which cannot say the payment method (`method: "unknown"`), is a guess
# the app bill's replaces, whichever is imported first (blind29: a 花呗 purchase booked off the
# balance when the web export was read first). Two app bills' entries of a row say what both say.
SHARED = SharedRows(order=("time", "id", "order-id", "method", "refund-of", "refunded", "note", "payout-id"),
                    guess="method", guess_is=UNSTATED, adds="what one bill says of a row and the other does not",
                    replaces="entries of rows the web export booked (no payment method) now booked from this bill, "
                             "which states each method")


class Importer(WalletImporter):
    kind = "alipay personal bill"
    HEADER, ACCOUNT_LABEL = HEADER, "支付宝账户"
    COLLECTIONS = COLLECTIONS   # the module's, the web export's too
    shared_rows = SHARED        # its rows the web export lists too: its entry of them wins
    books_first = True          # in one import with the web export: it states each row's method

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Alipay personal bill (支付宝交易明细)", footer=r"^-{10,}$",
                            stream=True, says_empty=says_no_records, full_rows=False)   # ragged (FORMATS §1)
        t, path = st.table, st.table.path
        get = t.getter(*HEADER, "交易分类", "对方账号", "收/付款方式", "商家订单号", "备注")

        def trade(row) -> str:
            return get.id(row, "交易订单号")

        # the trade numbers the refund rows name, from the first pass: a purchase or a collection
        # they close is booked; and those of the money the file received: a neutral refund naming
        # one gives it back (out of the wallet), and a sale among them is given back to sales
        refunded, note_refund = self.refunds(lambda r: self._is_refund(get, r), trade)
        received, sold = Ids(), Ids()

        def first(row) -> None:
            note_refund(row)
            if get(row, "收/支") == "收入":
                received.add(trade(row))
                if self.is_sale(get(row, "交易分类"), get(row, "交易对方"), get(row, "商品说明"), incoming=True):
                    sold.add(trade(row))
        out, counts, sums = Extraction(), Counter(), Counter()
        spent, refunds = Ids(), Counter()   # 支出 trade numbers; refunded amounts by trade: Alipay nets them
        for row, ident in self.with_ids(t.rows, trade, said(get), first=first):
            out.rows += 1
            direction, status = get(row, "收/支"), get(row, "交易状态")
            amount = parse_magnitude(get(row, "金额"), path, row.line, "金额")   # 收/支 says the way
            key = direction if direction in ("收入", "支出") else "其他"
            counts[key] += 1
            sums[key] += amount
            if direction == "支出":
                spent.add(trade(row))
            elif direction in NEUTRAL and self._is_refund(get, row) and "_" in trade(row):
                refunds[trade(row).split("_")[0]] += amount
            if not get(row, "交易订单号"):
                raise StatementError(path, row.line, "column 交易订单号: expected the trade number, got nothing")
            if direction not in NEUTRAL | {"收入", "支出"}:
                raise StatementError(path, row.line, f"column 收/支: expected 收入, 支出, 不计收支 or 其他, "
                                     f"got {direction!r}")
            # a trade refunded in full flips to 交易关闭, a collection as a purchase: its refund
            # row in the file moves the money back, so the trade is booked for it to undo
            if status in NO_MONEY and not (status in ("交易关闭", "已关闭") and direction in ("支出", "收入")
                                           and get(row, "交易订单号") in refunded):
                out.skip(NO_MONEY[status])
                continue
            if status not in MOVED | set(NO_MONEY):
                raise StatementError(path, row.line, f"column 交易状态: unknown status {status!r} (expected "
                                     f"{', '.join(sorted(MOVED | set(NO_MONEY)))})")
            if amount == 0:
                out.skip("0.00 (no money moved)")
                continue
            raw_id = get(row, "交易订单号")
            when = self.local(parse_datetime(get(row, "交易时间"), TIME_FORMATS, path, row.line, "交易时间"))
            mv = Movement(path, row.line, when,
                          ident, amount, get(row, "收/付款方式"), get(row, "交易分类"), get(row, "交易对方"),
                          get(row, "商品说明"), get.id(row, "商家订单号"),
                          meta={"refund-of": raw_id.split("_")[0] if self._is_refund(get, row) and "_" in raw_id
                                else None, "note": get(row, "备注")})
            if direction == "收入":
                self.book_in(out, mv)
            elif direction == "支出":
                self.book_out(out, mv)
            elif mv.meta["refund-of"] and mv.meta["refund-of"] in sold:
                self.book_back(out, mv)
            elif mv.meta["refund-of"] and mv.meta["refund-of"] in received:
                self.book_out(out, mv)   # money received that is no sale, sent back where it came from
            else:
                self.neutral_kind(out, mv, KINDS if not self._is_refund(get, row) else [(r"", "refund")])
        netted = sum((amount for trade_no, amount in refunds.items() if trade_no in spent), Decimal(0))
        compare_totals(out, stated_text(st), counts, sums, netted)
        # the account it is of: a ≤2022 bill states it in its footer, past the start that
        # base.read looks in, however many rows stand before it (account_ids.py)
        out.account = stated_account(stated_text(st))
        return self.finish(out)

    @staticmethod
    def _is_refund(get, row) -> bool:
        return get(row, "交易分类") == "退款" or get(row, "商品说明").startswith("退款")
