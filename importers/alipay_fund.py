"""Alipay merchant fund ledger (账务明细), channel type `alipay`: CSV, or the XLSX Taobao
sellers download (`对账-….xlsx`, same columns).

The ledger of the money Alipay holds for the merchant: GBK, `#` comment lines above the
header (`#支付宝账务明细查询`, `#账号：[…]`, `#起始日期：[2019年09月16日 00:00:00]…`) and
below the rows (`#…账务明细列表结束…`, `#支出合计：N笔，共X元`, `#收入合计：…`,
`#导出时间：…`), ids with a trailing TAB. The header
`账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,
账户余额（元）,交易渠道,业务类型,备注` gained `业务描述,业务账单来源,业务基础订单号,业务订单号`
in newer exports; columns are read by name. Income and expense have a column each, and
the expense may be written `-23.45` or `23.45`: the column says the direction.

Withdrawals (提现) are payouts, from clearing to transit until the bank shows them
arrive; the running balance (账户余额) becomes `balance` assertions on the clearing
account, so the books prove they hold what Alipay says it holds:

    2019-09-17 * "支付宝" "提现 提现到工商银行" ^payout-20190917000123
      id: "20190917000123"
      payout-id: "20190917000123"
      Assets:Transit:Alipay            980.00 CNY
      Assets:Clearing:Alipay          -980.00 CNY

    2019-09-18 balance Assets:Clearing:Alipay       12.34 CNY

Payments (在线支付, 交易付款), their fees (收费, 备注 `服务费[<交易号>]`) and refunds are
booked here as they move money: the payment gross into clearing against sales (with
its 商户订单号 as `order-id`, so a shop's order meets it), each fee against the fee
account naming the payment (`fee-of`; a fee returned with a refund, `fee-back-of`), a
refund back against sales. A row of 0.00 moves nothing: skipped, `zero amount`, as
every source's. The trade detail (alipay_trade.py) lists the same money; each row here
names the identity it shares with that file in `covers:` — `<交易号>`, `fee <交易号>`,
`refund <交易号> <amount>`, `fee-back <交易号> <amount>` — so whichever of the two is
imported second finds it already in the books:

    2026-03-01 * "*津水" "收费 龙井 250g 服务费[2026030122001100001]" ^order-QF1001
      id: "310002"
      covers: "fee 2026030122001100001"
      fee-of: "2026030122001100001"
      Expenses:Fees:Alipay               0.60 CNY
      Assets:Clearing:Alipay            -0.60 CNY

Any other kind (转账, 充值, …) moves money with a stated sign: it is booked against the
first config `rules:` pattern found in its text, else `Assets:Suspense`, a finding until
explained. So is a 收费 row that is not Alipay's 服务费 (service_fee_of: a
`运费险保费[<交易号>]` of freight insurance), else on the fee account, without `fee-of`:
it is no fee of the trade it names.
"""

from __future__ import annotations

import re
from decimal import Decimal

from beanclear.importers.alipay_trade import MerchantBill, number_repeats, says_no_rows
from beanclear.importers.base import (ZERO_AMOUNT, BalanceChain, Extraction, FundView, SummaryFile, channel_order_link,
                                      balance, closing_balances, compare_footer, link, next_day, posting, rule_account,
                                      transaction)
from beanclear.importers.toolkit import (StatementError, money, parse_amount, parse_datetime, parse_magnitude,
                                         read_statement)

HEADER = ("账务流水号", "业务流水号", "发生时间", "收入金额（+元）", "支出金额（-元）", "账户余额（元）", "业务类型")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
PAYMENTS = {"在线支付", "交易付款", "交易", "交易收款", "即时到账收款"}
FEES = {"收费", "服务费", "交易服务费", "交易手续费"}
REFUNDS = {"退款", "交易退款"}
WITHDRAWALS = {"提现", "提现退回", "提现失败退回"}
FEE_OF = re.compile(r"服务费\s*[\[【](\w+)[\]】]")


def service_fee_of(note: str) -> bool:
    """Whether a 收费 row is Alipay's 服务费 of a trade (the trade detail's 服务费 column):
    its 备注 says `服务费[<交易号>]`, or `服务费` or nothing (its 业务流水号 is the trade).
    A charge saying something else (`运费险保费[<交易号>]`, the seller's freight insurance
    of that trade) is another cost, which the trade detail does not hold."""
    return note in ("", "服务费") or bool(FEE_OF.search(note))
TOTAL = re.compile(r"#(收入|支出)合计[：:]\s*(\d+)笔[,，]\s*共(-?[\d,.]+)元")
# Its payments, fees and refunds, as the trade detail's import finds them in the books (base.FundView)
# (a refund and the fee it returns are named by trade and amount: the ledger knows no batch)
VIEW = FundView("trade-id", own_ids=True, kinds=frozenset(PAYMENTS | FEES | REFUNDS), repeats=("refund ", "fee-back "))


class Importer(MerchantBill):
    kind = "alipay fund ledger"
    summary_file = SummaryFile("#支付宝账务汇总查询", "Alipay's 账务汇总", "账务明细")   # FORMATS.md §4
    daily_name = "fund"   # as `beanclear fetch` archives a day's bill
    is_fund_view = True   # what its trade view books on another day is in flight (books/in_flight.py)
    HEADER = HEADER

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Alipay 账务明细 (fund ledger)", footer=r"^#", stream=True,
                            says_empty=says_no_rows(TOTAL))
        t, path = st.table, st.table.path
        cell = t.getter(*HEADER, "商户订单号", "商品名称", "对方账号", "备注", "业务描述")
        acc, currency = self.source.accounts, self.source.currency
        out, balances = Extraction(), BalanceChain()
        totals = {"收入 rows": 0, "收入 amount": Decimal(0), "支出 rows": 0, "支出 amount": Decimal(0)}
        for row in self.each(t.rows):
            def get(name: str) -> str:
                return cell(row, name)

            out.rows += 1
            income = money(parse_magnitude(get("收入金额（+元）") or "0", path, row.line, "收入金额（+元）"))
            expense = money(parse_magnitude(get("支出金额（-元）") or "0", path, row.line, "支出金额（-元）"))
            if income and expense:
                raise StatementError(path, row.line, "both 收入金额 and 支出金额 are filled (expected one of them)")
            signed = income - expense
            for side, value in (("收入", income), ("支出", expense)):
                if value:
                    totals[f"{side} rows"] += 1
                    totals[f"{side} amount"] += value
            when = self.local(parse_datetime(get("发生时间"), TIME_FORMATS, path, row.line, "发生时间"))
            after = money(parse_amount(get("账户余额（元）"), path, row.line, "账户余额（元）"))  # XLSX: 0 -> 0.00
            balances.append((when, row.line, signed, after))
            ident, kind = get("账务流水号"), get("业务类型")
            if not ident:
                raise StatementError(path, row.line, "column 账务流水号: expected the ledger id, got nothing")
            if signed == 0:   # (before it is named: a 收费 of 0.00 is no fee of its trade)
                out.skip(ZERO_AMOUNT)
                continue
            order_id, note, trade_id = get("商户订单号"), get("备注"), get("业务流水号")
            service_fee = kind in FEES and service_fee_of(note)
            trade = kind in PAYMENTS | REFUNDS or service_fee
            meta = {"id": ident, "covers": None, "trade-id": trade_id, "order-id": order_id}
            if trade and not (trade_id or FEE_OF.search(note)):  # the one id the trade detail shares
                raise StatementError(path, row.line, f"column 业务流水号: expected the trade number of a {kind} row, "
                                     "got nothing")
            links = [channel_order_link(order_id, self.source)] if order_id and trade else []
            if kind in WITHDRAWALS:
                meta["payout-id"] = ident
                other, links = acc.transit, [link("payout-", ident)]
            elif service_fee:
                found = FEE_OF.search(note)
                of = found.group(1) if found else trade_id
                if signed < 0:  # charged on a payment
                    meta.update({"covers": f"fee {of}", "fee-of": of})
                else:           # returned with a refund
                    meta.update({"covers": f"fee-back {of} {signed:f}", "fee-back-of": of})
                other = acc.fees
            elif kind in REFUNDS:
                meta.update({"covers": f"refund {trade_id} {-signed:f}", "refund-of": trade_id})
                other = acc.sales
            elif trade:
                meta["covers"] = trade_id
                other = acc.sales
            else:   # a charge that is not Alipay's 服务费 (运费险保费[…]) is a cost of its own
                other = rule_account(self.config, f"{get('对方账号')} {get('商品名称')} {kind} {note}") \
                    or (acc.fees if kind in FEES else self.config.suspense)
            narration = " ".join(dict.fromkeys(t for t in (kind, get("商品名称"), get("业务描述"), note) if t))
            out.entries.append(transaction(
                path, row.line, when, get("对方账号") or "支付宝", narration, meta,
                [posting(other, -signed, currency), posting(acc.clearing, signed, currency)], links))
        out.entries = number_repeats(out.entries)
        for day, (line, amount) in sorted(closing_balances(balances).items()):
            out.entries.append(balance(path, line, next_day(day), acc.clearing, amount, currency))
        compare_footer(out, st.footer, TOTAL, lambda side, count, amount: {
            f"{side} rows": int(count), f"{side} amount": abs(Decimal(amount.replace(",", "")))},
            totals, "#收入合计 / #支出合计")
        return out
