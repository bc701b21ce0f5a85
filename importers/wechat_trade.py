"""WeChat Pay merchant trade bill (交易账单), layouts ALL, SUCCESS and REFUND.

Each payment posts its settlement amount net of fee to the clearing account; a
merchant-funded coupon (免充值券: 订单金额 − 应结订单金额) is a discount (inside the
receivable instead where the payment clears an order of a shop whose price holds it:
base.to_receivable), while a 充值券 someone else funded is settled with the payment; a
refund reverses the sale and gets the fee back (WeChat writes the returned fee as a
negative 手续费), on the day it was made (refund_day: an ALL bill's refund row carries
the time of the payment it refunds):

    2021-01-28 * "Order S2021… / for testing" ^order-S2021…
      id: "4200000925202101284997714292"
      fee-rate: "1.00%"
      Assets:Clearing:WeChat        5.96 CNY
      Expenses:Fees:WeChat          0.04 CNY
      Income:Sales:WeChat          -6.00 CNY

The fund bill (资金账单, wechat_fund.py) lists the same money as a row for the payment
(its 微信支付业务单号 is the 微信订单号), one for the fee and one for each refund (the
微信退款单号). Whichever is imported books it (DESIGN.md §1): an entry that holds a fee
names the fee bill row's identity too, `covers: "fee <微信订单号>"` (a refund's fee:
`fee-back <微信退款单号>`), whichever way the fee went (a payment's rebate, 手续费
-0.10000, is `fee`; a fee charged on a refund `fee-back`: the fund bill names its fee rows
alike, wechat_fund.py), so either bill, imported second, finds its money booked;
where only the fee row is, the rest is booked alone, and the other way round
(render.unknown_part).

手续费 is written to 5 decimals (`0.04000`); WeChat takes each row's fee in fen, rounded
half up (toolkit.charged), as the fund bill's 扣除交易手续费 and 账户结余 say, and so it is
booked: a `7.40700` is 7.41, the figure as written kept as `fee-stated`. Booked as
written, the 0.003 became an opening balance of the clearing account no bill holds
(blind9), and any other amount past the fen is refused naming its line (base.transaction).

A payment row's own amounts are checked against each other: its discount is among its
coupons (代金券金额), else the row is refused naming its line (no_more_than).

Columns are found by header name, so the three layouts and the v2/v3 spellings are
one code path, and so is the layout of merchants without 免充值 coupons (before 2017, and
still for some): 总金额 in place of 应结订单金额 and 订单金额 (the whole amount is
settled: its coupons, 代金券或立减优惠 or 企业红包, are prepaid by the merchant), their
refunded part in 代金券或立减优惠退款金额, and the summary's 总交易额. The two summary
lines at the end are checked against the rows; where they disagree (WeChat's test bills
elide rows) the import says so instead of failing. A quiet day's bill is the header and
a summary of 0: no row names its merchant, so each channel of this type claims it (two
with their own account_id: --source says whose), and it is read without entries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beanclear.importers import wechat_fund
from beanclear.importers.account_ids import RowAccount
from beanclear.importers.base import Extraction, StatementImporter, compare_summary, link, posting, transaction
from beanclear.importers.toolkit import (
    CHINA,
    StatementError,
    charged,
    clean,
    first_row_keys,
    header_key,
    named_day,
    parse_amount,
    parse_datetime,
    read_statement,
)

HEADER = ("交易时间", "微信订单号", "商户订单号", "交易状态", "手续费")   # every layout's
SETTLED = ("应结订单金额", "总金额")   # what the payment settles: 2017's name, the earlier layout's
COUPON_REFUNDED = ("充值券退款金额", "代金券或立减优惠退款金额", "企业红包退款金额")
SUMMARY = "总交易单数"
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
NO_MONEY = {"REVOKED": "revoked (撤销, no money moved)", "NOTPAY": "not paid", "CLOSED": "closed unpaid",
            "PAYERROR": "payment failed", "USERPAYING": "still being paid"}
REFUND_PENDING = {"PROCESSING": "refund still processing", "FAIL": "refund failed",
                  "CHANGE": "refund failed (退款转入代发)", "ABNORMAL": "refund failed (abnormal)"}


class Importer(StatementImporter):
    kind = "wechat trade bill"
    local_zone = CHINA   # its times are China's (FORMATS §3: UTC+08:00), the books' wall clock in theirs
    daily_name = "tradebill"   # as `beanclear fetch` archives a day's bill
    shows_payouts = False  # its payouts are in the channel's other statement
    books_first = True   # in one import with the fund view: it knows the discounts and the fee rate
    names_orders = wechat_fund.Importer.names_orders   # the books' fund-view refunds wait for its payments
    fund_view = wechat_fund.VIEW   # what it books replaces what the books hold of it as the fund bill's (late_views.py)

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def of_its_day(self, entry) -> bool:
        # a refund row without 退款成功时间 (the ALL layout) is dated by the day its file is
        # named by (refund_day) or its 交易时间, the payment's: neither says which day an
        # answer is of; a payment's time is its day
        return "refund-of" not in entry.meta

    def matches(self, head: str) -> bool:
        keys = first_row_keys(head)
        if not {header_key(h) for h in HEADER} <= keys or not keys & {header_key(h) for h in SETTLED}:
            return False
        if self.source.account_id:  # 商户号 of the first data row tells two merchants apart
            lines = head.lstrip("\ufeff").split("\n")
            cells = [c.strip() for c in lines[0].split(",")]
            if "商户号" in cells and len(lines) > 1:
                row = lines[1].split(",")
                if header_key(row[0]) == header_key(SUMMARY):   # a quiet day's bill: no row names a merchant
                    return True
                at = cells.index("商户号")
                return at < len(row) and clean(row[at]) in (self.source.account_id, "")
        return True

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "WeChat Pay trade bill (交易账单)",
                            summary_starts=SUMMARY, summary_required=True, stream=True,
                            full_rows=False)   # 24 values under 27 columns in WeChat's own docs (FORMATS §3)
        t, path = st.table, st.table.path
        # The columns read, found once for the file (wechat's ALL layout has 27, a row uses
        # these); each row's cells cleaned once, and no function made per row.
        settled_name = clean(t.header[t.index(*SETTLED)])
        coupon_name = next((n for n in COUPON_REFUNDED if t.index(n, required=False) is not None), COUPON_REFUNDED[0])
        values = t.plan("交易时间", "微信订单号", "商户订单号", "交易状态", "货币种类", settled_name, "微信退款单号",
                        "商户退款单号", "退款金额", coupon_name, "退款状态", "商品名称", "手续费", "费率", "订单金额",
                        "退款成功时间", "付款银行", "商户号", "代金券金额")
        has_ordered = t.index("订单金额", required=False) is not None
        has_coupons = t.index("代金券金额", required=False) is not None
        out = Extraction()
        totals = {"rows": 0, "settled": Decimal(0), "refunded": Decimal(0), "fee": Decimal(0)}
        zero, acc, default_currency = Decimal(0), self.source.accounts, self.source.currency
        merchant_of = RowAccount(path, "商户号")   # every row names the one merchant the bill is of (account_ids.py)
        bill_day = named_day(filepath, self.daily_name)   # the day of a bill `fetch` archived, else None
        for row in self.each(t.rows):
            (time_text, trade_id, order_id, status, currency, settled_text, refund_id, refund_order_id, refunded_text,
             coupon_text, refund_status, item, fee_text, fee_rate, ordered_text, refund_time, bank,
             merchant, coupons_text) = values(row)
            line = row.line
            merchant_of(merchant, line)
            out.rows += 1
            # An empty 应结订单金额 (or 订单金额) is refused, never read as 0.00: every row writes it.
            settled = parse_amount(settled_text, path, line, settled_name)
            refunded = parse_amount(refunded_text, path, line, "退款金额") if refunded_text else zero
            fee = parse_amount(fee_text, path, line, "手续费") if fee_text else zero
            totals["rows"] += 1
            totals["settled"] += settled
            totals["refunded"] += refunded
            totals["fee"] += fee
            currency = currency or default_currency
            written = parse_datetime(time_text, TIME_FORMATS, path, line, "交易时间")
            when = self.local(written)
            if not trade_id:
                raise StatementError(path, line, "column 微信订单号: expected the WeChat transaction id, got nothing")
            meta = {"order-id": order_id, "fee-rate": fee_rate, "method": bank}
            links = [link("order-", order_id)] if order_id else []
            # 手续费 is written to 5 decimals; WeChat takes it in fen, each payment's (or
            # refund's) rounded half up: the fund bill's 扣除交易手续费 and its 账户结余 say
            # so. The written figure is kept where it had more (the summary adds those).
            booked = charged(fee, currency)
            if booked != fee:
                meta["fee-stated"] = fee_text
            fee = booked
            if status == "SUCCESS":
                ordered = parse_amount(ordered_text, path, line, "订单金额") if has_ordered else settled
                discount = ordered - settled
                if discount < 0:
                    raise StatementError(path, line, f"应结订单金额 {settled} is above 订单金额 {ordered}")
                if discount and has_coupons:
                    no_more_than(discount, ordered, settled, coupons_text, path, line)
                if self.known and self.held(out, when.date(), trade_id, *((f"fee {trade_id}",) if fee else ()),
                                            currency=currency, line=line, moves=settled - fee):
                    continue
                out.entries.append(transaction(
                    path, line, when, None, f"Order {order_id} / {item}".strip(" /"),
                    {"id": trade_id, **covers(f"fee {trade_id}", {"fee-of": trade_id}, fee, acc), **meta},
                    [posting(acc.clearing, settled - fee, currency), posting(acc.fees, fee, currency),
                     posting(acc.discounts, discount, currency), posting(acc.sales, -ordered, currency)],
                    links))
            elif status == "REFUND":
                if settled != 0:
                    raise StatementError(path, line, f"column {settled_name}: expected 0.00 on a refund row, "
                                         f"got {settled}")
                refund_status = refund_status or "SUCCESS"
                if refund_status in REFUND_PENDING:
                    out.skip(REFUND_PENDING[refund_status])
                    continue
                if refund_status != "SUCCESS":
                    raise StatementError(path, line, f"column 退款状态: unknown refund status {refund_status!r} "
                                         f"(expected SUCCESS, {', '.join(REFUND_PENDING)})")
                if not refund_id:
                    raise StatementError(path, line, "column 微信退款单号: expected the refund id, got nothing")
                if refund_time:
                    when = self.local(parse_datetime(refund_time, TIME_FORMATS, path, line, "退款成功时间"))
                else:
                    when = refund_day(when, written, bill_day)
                if coupon_text:
                    parse_amount(coupon_text, path, line, coupon_name)  # checked, held or not
                day = when.date() if isinstance(when, dt.datetime) else when
                if self.known and self.held(out, day, refund_id,
                                            *((f"fee-back {refund_id}",) if fee else ()), currency=currency,
                                            line=line, moves=-(refunded + fee)):
                    continue
                out.entries.append(transaction(
                    path, line, when, None, f"Refund of order {order_id} / {item}".strip(" /"),
                    {"id": refund_id, **covers(f"fee-back {refund_id}", {"fee-back-of": refund_id}, fee, acc),
                     "refund-of": trade_id, "refund-order-id": refund_order_id,
                     "coupon-refund": coupon_text if coupon_text and parse_amount(coupon_text, path, line, coupon_name)
                     else None, **meta},
                    [posting(acc.clearing, -(refunded + fee), currency), posting(acc.fees, fee, currency),
                     posting(acc.sales, refunded, currency)],
                    links))
            elif status in NO_MONEY:
                out.skip(NO_MONEY[status])
            else:
                raise StatementError(path, line, f"column 交易状态: unknown status {status!r} "
                                     f"(expected SUCCESS, REFUND, {', '.join(NO_MONEY)})")
        out.account = merchant_of.account
        settled_total = st.total("应结订单总金额") if header_key("应结订单总金额") in st.summary else st.total("总交易额")
        compare_summary(out, {"rows": st.total("总交易单数"), "settled": settled_total,
                              "refunded": st.total("退款总金额"), "fee": st.total("手续费总金额")}, totals)
        wechat_fund.quiet_day(out, filepath, self.daily_name)
        return out


def refund_day(when: dt.datetime, written: dt.datetime, bill_day: tuple[dt.date, dt.date] | None):
    """When a refund row without 退款成功时间 (the ALL layout) was made. Its 交易时间 is
    the time of the payment it refunds (docs/live.md), and a daily bill lists the refunds
    made on its day: one of an earlier payment is dated the bill's day, without a time
    (the bill gives none), as the fund bill's 退款 row dates it (its 记账时间). Dated by the
    payment, a refund of 11-30's payment made on 12-01 was November's: its report and
    refund-rate said so, and a closed November refused 12-01's bills (blind31). The day as
    written, as any day a statement gives without a time (base.local). A row whose
    交易时间 is not of an earlier day keeps it (a refund of the day's own payment); a
    bill of no known day (not named as `fetch` names it: WeChat's bills state no
    period), its 交易时间, the only time it has."""
    if bill_day is None or written.date() >= bill_day[0]:
        return when
    return bill_day[0]


def no_more_than(discount: Decimal, ordered: Decimal, settled: Decimal, coupons_text: str, path: str,
                 line: int) -> None:
    """A payment's discount (订单金额 − 应结订单金额: its 免充值券, FORMATS §3a) held to
    the row's own 代金券金额, which counts every coupon of it (免充值券 and the 充值券
    someone else funds, settled with the payment). A row whose settled amount falls short
    of its order by more than its coupons contradicts itself (a blind tester's 300.00 of
    310.89 with no coupon): an error naming its line, as Stripe's and PayPal's net that is
    no gross less fee, never a discount made up to fill the gap."""
    coupons = parse_amount(coupons_text, path, line, "代金券金额") if coupons_text else Decimal(0)
    if discount > coupons:
        raise StatementError(path, line, f"订单金额 {ordered} less 应结订单金额 {settled} is {discount}, more than "
                             f"代金券金额 {coupons_text or 'empty'}: the row contradicts itself (应结订单金额 is "
                             "订单金额 less its 免充值券, which are among its 代金券)")


def covers(identity: str, fee_meta: dict, fee: Decimal, acc) -> dict:
    """The metadata that names an entry's fee as the fund bill's row of it."""
    if not fee:
        return {}
    return {"covers": identity, "_fee_part": (identity, fee_meta, acc.fees, acc.clearing)}
