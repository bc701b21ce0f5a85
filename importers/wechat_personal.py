"""WeChat Pay personal bill (微信支付账单明细), CSV or XLSX, for a merchant collecting on a
personal WeChat account (channel type `wechat-personal`: 二维码收款, 赞赏码, transfers).

A 16-line preamble (nickname, period, 共N笔记录, 收入/支出/中性交易 totals, notes), then
the header `交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,
商户单号,备注`. The CSV pads every line with commas and protects ids with a TAB, inside
or after the quotes (`"3985734"\t,`); the XLSX writes amounts as text (`¥28.16`) or, since
2026, as numeric cells (floats, rounded to the cent through Decimal), and users add a
Power-Query copy of the bill as another sheet: the sheet holding the header is read.
`¥` and `￥` both occur; `/` is an empty cell.

The account model is wallet.py's: 零钱 is the clearing account, 零钱通 the savings
account, 分付 the credit account, bank cards pay from clearing and are refunded into
transit. A withdrawal (零钱提现) is a payout, and its fee is written only in 备注 as
`服务费¥0.10`, inside the amount (¥100.10 leaves 零钱, ¥100.00 reaches the bank):

    2021-07-15 * "招商银行()" "零钱提现" ^payout-207210715100077148235523883175
      id: "207210715100077148235523883175"
      payout-id: "207210715100077148235523883175"
      Assets:Transit:WechatMe          100.00 CNY
      Expenses:Fees:WechatMe             0.10 CNY
      Assets:Clearing:WechatMe        -100.10 CNY

A partial refund is written in the original row's status (`已退款(￥39.93)`) and kept as
`refunded` metadata; the original is booked in full and the refund's own row (`…-退款`,
收入) books the money back. Neutral rows (`/`) are booked by their 交易类型 (充值, 提现,
零钱通 transfers, 理财通, 信用卡还款); an unknown neutral kind is skipped and named, an
unknown status is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from beanclear.config.model import SalesRule
from beanclear.importers.base import Extraction, compare_summary
from beanclear.importers.toolkit import StatementError, money, parse_datetime, parse_magnitude, read_statement
from beanclear.importers.wallet import Movement, WalletImporter, meaning, stated_text, says_no_records

HEADER = ("交易时间", "交易类型", "交易对方", "收/支", "金额(元)", "当前状态", "交易单号")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
MOVED = {"支付成功", "已存入零钱", "已转账", "朋友已收钱", "对方已收钱", "已收钱", "对方已退还", "已全额退款",
         "提现已到账", "充值完成", "充值成功", "已到账", "已退还", "已收款", "已支付"}
PARTIAL_REFUND = re.compile(r"^已退款[（(]?[¥￥]?([\d,.]+)[）)]?$")
NO_MONEY = {"已关闭": "已关闭 (closed: no money moved)", "支付失败": "支付失败 (failed: no money moved)",
            "对方已拒收": "对方已拒收 (refused: no money moved)", "已撤销": "已撤销 (cancelled: no money moved)"}
FEE_NOTE = re.compile(r"服务费\s*[¥￥]?\s*([\d.]+)")
# Neutral (`/`) rows by their 交易类型 and 商品 (wallet.neutral_kind).
KINDS = [
    (r"退款", "refund"),
    (r"零钱提现", "withdrawal"),
    (r"零钱充值", "top-up"),
    (r"零钱通转出-?到零钱", "savings-to-balance"),
    (r"零钱通转出", "savings-to-bank"),
    (r"转入零钱通", "to-savings"),
    (r"分付.*还款", "credit-repayment"),
    (r"理财通.*(赎回|卖出)|(赎回|卖出).*理财通", "sale-of-investment"),
    (r"购买理财通|信用卡还款|还款", "payment"),
]


class Importer(WalletImporter):
    kind = "wechat personal bill"
    HEADER, ACCOUNT_LABEL = HEADER, "微信昵称"
    COLLECTIONS = (SalesRule(category=re.compile(r"^(二维码收款|赞赏码)$")),)   # a 收款码's takings (FORMATS §2)

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "WeChat Pay personal bill (微信支付账单明细)", stream=True,
                            says_empty=says_no_records, full_rows=False)   # a spreadsheet's copy drops the padding
        t, path = st.table, st.table.path
        get = t.getter(*HEADER, "商品", "支付方式", "商户单号", "备注")

        def amount_of(row) -> Decimal:
            return money(parse_magnitude(get(row, "金额(元)"), path, row.line, "金额(元)"))   # 收/支 says the way

        # Ids repeated in user-edited bills are told apart by what the row says, read the
        # same from the CSV and the XLSX of one bill (`¥28.16` and 28.16 alike), and from a
        # copy Excel saved again (`2021/1/22 12:34:56`): wallet.meaning
        said = ("交易时间", "收/支", "交易类型", "交易对方", "商品")

        def content(r) -> str:
            return meaning([get(r, n) for n in said] + [amount_of(r)])

        def former(r) -> str:   # as earlier releases told them apart: the time as written
            return "|".join([get(r, n) for n in said] + [str(amount_of(r))])

        out, counts, sums = Extraction(), {"收入": 0, "支出": 0, "中性交易": 0}, \
            {"收入": Decimal(0), "支出": Decimal(0), "中性交易": Decimal(0)}
        # The first pass reads every amount: a bad one is reported before any row's other faults.
        for row, ident in self.with_ids(t.rows, lambda r: get.id(r, "交易单号"), content, first=amount_of,
                                        formers=lambda r: (former(r),)):
            out.rows += 1
            direction, status, kind = get(row, "收/支"), get(row, "当前状态"), get(row, "交易类型")
            amount = amount_of(row)
            key = direction if direction in ("收入", "支出") else "中性交易"
            counts[key] += 1
            sums[key] += amount
            if direction not in ("收入", "支出", ""):
                raise StatementError(path, row.line, f"column 收/支: expected 收入, 支出 or /, got {direction!r}")
            if not get(row, "交易单号"):
                raise StatementError(path, row.line, "column 交易单号: expected the transaction id, got nothing")
            partial = PARTIAL_REFUND.match(status)
            if status in NO_MONEY:
                out.skip(NO_MONEY[status])
                continue
            if status not in MOVED and not partial:
                raise StatementError(path, row.line, f"column 当前状态: unknown status {status!r} (expected "
                                     f"{', '.join(sorted(MOVED | set(NO_MONEY)))} or 已退款(￥…))")
            if amount == 0:
                out.skip("0.00 (no money moved)")
                continue
            note = get(row, "备注")
            fee = FEE_NOTE.search(note)
            when = self.local(parse_datetime(get(row, "交易时间"), TIME_FORMATS, path, row.line, "交易时间"))
            mv = Movement(path, row.line, when,
                          ident, amount, get(row, "支付方式"), kind, get(row, "交易对方"), get(row, "商品"),
                          get.id(row, "商户单号"), fee=Decimal(fee.group(1)) if fee else Decimal(0),
                          meta={"refunded": partial.group(1) if partial else "all" if status == "已全额退款" else None,
                                "note": note if not fee else None})
            if mv.fee and not re.search("提现", kind):
                raise StatementError(path, row.line, f"备注 {note!r}: a 服务费 on a {kind} row (expected one "
                                     "only on 零钱提现)")
            if direction == "收入":
                self.book_in(out, mv)
            elif direction == "支出":
                self.book_out(out, mv)
            else:
                self.neutral_kind(out, mv, KINDS)
        self._compare_preamble(out, stated_text(st), counts, sums)
        return self.finish(out)

    @staticmethod
    def _compare_preamble(out: Extraction, head: str, counts: dict, sums: dict) -> None:
        """共N笔记录 and 收入/支出/中性交易：N笔 X元 of the preamble against the rows."""
        stated, actual = {}, {}
        found = re.search(r"共(\d+)笔记录", head)
        if found:
            stated["rows"], actual["rows"] = int(found.group(1)), sum(counts.values())
        for kind, count, total in re.findall(r"(收入|支出|中性交易)[：:]\s*(\d+)笔\s*([\d,.]+)元", head):
            stated[f"{kind} rows"], actual[f"{kind} rows"] = int(count), counts[kind]
            stated[f"{kind} amount"], actual[f"{kind} amount"] = Decimal(total.replace(",", "")), sums[kind]
        compare_summary(out, stated, actual)
