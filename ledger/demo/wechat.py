"""The WeChat Pay merchant's statements: a trade bill (交易账单, bill_type=ALL) and a fund
bill (资金账单, basic account) per month, from the till's payments and refunds."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Iterable

from beanclear import config as config_mod
from beanclear.demo.common import CENT, END, ZERO, Problem, Quarter, days, money, wechat_line as _line

TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
                "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
MENU = [("龙井", "68.00"), ("碧螺春", "58.00"), ("铁观音", "48.00"), ("大红袍", "88.00"), ("普洱熟茶", "78.00"),
        ("白毫银针", "128.00"), ("茉莉花茶", "36.80"), ("茶点拼盘", "38.00"), ("桂花糕", "18.00"), ("绿豆糕", "22.50"),
        ("包间茶位", "98.00")]
GIFTS = [("龙井礼盒", "288.00"), ("大红袍礼盒", "388.00"), ("普洱茶饼", "468.00"), ("紫砂茶具套装", "688.00")]
PAY_BANKS = ["OTHERS"] * 6 + ["CFT"] * 3 + ["ICBC_DEBIT", "CMB_CREDIT", "CCB_DEBIT", "ABC_DEBIT"]


@dataclass
class Trade:
    """One trade-bill row: a payment (SUCCESS) or, with a refund_id, a refund (REFUND)."""

    time: dt.datetime
    trade_id: str
    order_id: str
    payer: str
    kind: str
    bank: str
    item: str
    ordered: Decimal
    coupon: Decimal
    fee: Decimal                  # a payment's fee; on a refund, minus the fee returned
    refund_id: str = ""
    refund_order_id: str = ""
    refunded: Decimal = ZERO
    order_no: int = 0             # the shop order it pays (Shopify `#1001`)
    lines: tuple = ()             # the order's (item, quantity, unit price)

    @property
    def settled(self) -> Decimal:
        return self.ordered - self.coupon

    @property
    def net(self) -> Decimal:
        """What the row moves in the clearing account (and the fund balance)."""
        return self.settled - self.fee - self.refunded


class Till:
    """Makes one merchant's payments and refunds, every choice from one Random."""

    def __init__(self, rng: random.Random, merchant: str, contract: config_mod.FeeRule | None = None):
        self.rng, self.merchant = rng, merchant
        self.contract = contract or config_mod.FeeRule(rate=Decimal("0.006"), min=CENT)
        self.rate_text = f"{self.contract.rate * 100:.2f}%"
        self.app_id = "wx" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        self.payers = ["o" + "".join(rng.choice(chars) for _ in range(27)) for _ in range(400)]
        self.seq = 0
        self.order_no = 1000

    def next(self) -> int:
        self.seq += 1
        return self.seq

    def fee(self, amount: Decimal) -> Decimal:
        """The contract's fee: rate x amount + fixed, within min and max, rounded half up."""
        rule = self.contract
        fee = max(amount * rule.rate + rule.fixed, rule.min if rule.min is not None else ZERO)
        fee = min(fee, rule.max) if rule.max is not None else fee
        return fee.quantize(CENT, ROUND_HALF_UP) if amount > 0 else ZERO

    def payments(self, day: dt.date, count: int) -> list[Trade]:
        """A day's payments between 08:00 and 22:30, in time order."""
        midnight = dt.datetime.combine(day, dt.time())
        seconds = sorted(self.rng.randrange(8 * 3600, 22 * 3600 + 1800) for _ in range(count))
        return [self.payment(midnight + dt.timedelta(seconds=s)) for s in seconds]

    def payment(self, when: dt.datetime) -> Trade:
        rng = self.rng
        if rng.random() < 0.05:
            name, price = rng.choice(GIFTS)
            lines, ordered = [(name, 1, Decimal(price))], Decimal(price)
        else:
            lines, ordered = [], ZERO
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                name, price = rng.choice(MENU)
                qty = rng.choice((1, 1, 1, 2))
                if ordered + qty * Decimal(price) <= 688:
                    lines.append((name, qty, Decimal(price)))
                    ordered += qty * Decimal(price)
        coupon = Decimal(rng.choice((5, 10, 20))).quantize(CENT) if ordered >= 58 and rng.random() < 0.08 else ZERO
        n = self.next()
        self.order_no += 1
        items = "/".join(name + (f"x{qty}" if qty > 1 else "") for name, qty, _ in lines)
        # 商户订单号: the shop's order number and the payment attempt (WeChat wants it unique).
        return Trade(when, f"420000{rng.randrange(10**4):04d}{when:%Y%m%d}{n:010d}", f"{self.order_no}-1",
                     rng.choice(self.payers), rng.choice(("MICROPAY",) * 6 + ("JSAPI",) * 3 + ("NATIVE",)),
                     rng.choice(PAY_BANKS), "清风茶舍-" + items, ordered, coupon,
                     self.fee(ordered - coupon), order_no=self.order_no, lines=tuple(lines))

    def refund(self, paid: Trade, when: dt.datetime, full: bool = False) -> Trade:
        """A refund of one item (a small order in full), the fee returned in proportion.
        Under 100.00: one a day stays below refund-surge's floor, whatever the seed.
        With `full`, the whole order, whatever its size."""
        cents = int(paid.settled * 100)
        full = full or cents <= 9800 and self.rng.random() < 0.7
        amount = paid.settled if full else money(self.rng.randint(min(1800, cents // 2), min(cents - 1, 9800)))
        returned = (paid.fee * amount / paid.settled).quantize(CENT, ROUND_HALF_UP)
        n = self.next()
        return Trade(when, paid.trade_id, paid.order_id, paid.payer, paid.kind, paid.bank, paid.item, ZERO, ZERO,
                     -returned if returned else ZERO, f"50300{self.rng.randrange(10**4):04d}{when:%Y%m%d}{n:012d}",
                     f"RF{when:%Y%m%d%H%M%S}{n:05d}", amount, paid.order_no, paid.lines)



def write_trade_bill(path: Path, rows: Iterable[Trade], till: Till) -> int:
    """Stream trade-bill rows (in time order) into a v2 `bill_type=ALL` file with its
    summary lines; returns the number of rows. Memory does not grow with the rows."""
    count, settled, refunded, fee, ordered = 0, ZERO, ZERO, Decimal("0.00000"), ZERO
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(TRADE_HEADER + "\n")
        for t in rows:
            refund = bool(t.refund_id)
            fh.write(_line((
                f"{t.time:%Y-%m-%d %H:%M:%S}", till.app_id, till.merchant, "0", "", t.trade_id, t.order_id, t.payer,
                t.kind, "REFUND" if refund else "SUCCESS", t.bank, "CNY", f"{t.settled:.2f}", f"{t.coupon:.2f}",
                t.refund_id or "0", t.refund_order_id or "0", f"{t.refunded:.2f}", "0.00",
                "ORIGINAL" if refund else "", "SUCCESS" if refund else "", t.item, "", f"{t.fee:.5f}",
                till.rate_text, f"{t.ordered:.2f}", f"{t.refunded:.2f}", "")))
            count, settled, refunded = count + 1, settled + t.settled, refunded + t.refunded
            fee, ordered = fee + t.fee, ordered + t.ordered
        fh.write(TRADE_SUMMARY + "\n")
        fh.write(_line((str(count), f"{settled:.2f}", f"{refunded:.2f}", "0.00", f"{fee:.5f}", f"{ordered:.2f}",
                        f"{refunded:.2f}")))
    return count



def sales(rng: random.Random, till: Till) -> list[Trade]:
    """The quarter's payments, and refunds of about 2% of them 0-5 days later, at most
    one a day: a tea house's refunds trickle in (a bunch of them is `refund-surge`)."""
    trades, refund_days = [], set()
    for day in days():
        paid = till.payments(day, rng.randint(30, 60))
        trades += paid
        for p in paid:
            if rng.random() >= 0.03:  # 3% asked for, about 2% within the one-a-day limit
                continue
            later = rng.choice((0, 0, 1, 1, 2, 3, 4, 5)) or int(p.time.time() > dt.time(22, 20))
            when = day + dt.timedelta(later)
            while when in refund_days:
                when += dt.timedelta(1)
            if when > min(END, day + dt.timedelta(5)):
                continue
            refund_days.add(when)
            start = p.time + dt.timedelta(minutes=5) if when == day else dt.datetime.combine(when, dt.time(9))
            end = dt.datetime.combine(when, dt.time(22, 30))
            trades.append(till.refund(p, start + dt.timedelta(seconds=rng.randrange((end - start).seconds))))
    return sorted(trades, key=lambda t: (t.time, t.refund_id, t.trade_id))


def fund(q: Quarter, till: Till, channel, stop: set[dt.date]) -> None:
    """The fund bill: the trade bill's money as WeChat's account sees it, and every
    evening (but on `stop` days) a withdrawal of the whole balance."""
    by_day, balance = defaultdict(list), channel.opening.amount if channel.opening else ZERO
    for t in q.trades:
        by_day[t.time.date()].append(t)
    for day in days():
        for t in by_day[day]:
            if t.refund_id:
                balance += t.net
                q.fund.append((t.time, t.refund_id, till.next(), "退款", t.net, balance,
                               f"退款总金额{t.refunded:.2f}元;含手续费{abs(t.fee):.2f}元", t.refund_order_id))
                continue
            balance += t.settled
            q.fund.append((t.time, t.trade_id, till.next(), "交易", t.settled, balance, "", t.order_id))
            if t.fee:
                balance -= t.fee
                q.fund.append((t.time, t.trade_id, till.next(), "扣除交易手续费", -t.fee, balance, "", t.order_id))
        if day not in stop and balance > 0:
            payout = f"1000{till.merchant[-6:]:0>6}{day:%Y%m%d}{till.next():010d}"
            q.fund.append((dt.datetime.combine(day, dt.time(23, 30)), payout, till.next(), "提现", -balance, ZERO,
                           "自动提现", ""))
            q.payouts.append((day, payout, balance))
            balance = ZERO
    for day in sorted(stop):
        if (END - day).days > channel.settlement_days:
            last = [t for t in by_day[day] if not t.refund_id][-1]
            q.problems.append(Problem("unsettled", day, (last.trade_id,), "no withdrawal in the last 5 days"))



def write(q: Quarter, till: Till, channel, statements: Path) -> list[tuple[Path, int]]:
    """The trade and fund bills of each month; (path, rows) of each."""
    (statements / channel.name).mkdir(parents=True)
    files = []
    for month in (1, 2, 3):
        trade = statements / channel.name / f"tradebill-2026-{month:02d}.csv"
        files.append((trade, write_trade_bill(trade, (t for t in q.trades if t.time.month == month), till)))
        rows = [r for r in q.fund if r[0].month == month]
        fund = statements / channel.name / f"fundflow-2026-{month:02d}.csv"
        with open(fund, "w", encoding="utf-8", newline="") as fh:
            fh.write(FUND_HEADER + "\n")
            for when, ident, flow, kind, amount, after, memo, voucher in rows:
                fh.write(_line((f"{when:%Y-%m-%d %H:%M:%S}", ident, f"{when:%Y%m%d}{flow:012d}", kind, kind,
                                "收入" if amount > 0 else "支出", f"{abs(amount):.2f}", f"{after:.2f}",
                                f"{till.merchant}API" if kind in ("退款", "提现") else "", memo, voucher)))
            fh.write(FUND_SUMMARY + "\n")
            ins, outs = [r[4] for r in rows if r[4] > 0], [-r[4] for r in rows if r[4] <= 0]
            fh.write(_line((str(len(rows)), str(len(ins)), f"{sum(ins, ZERO):.2f}", str(len(outs)),
                            f"{sum(outs, ZERO):.2f}")))
        files.append((fund, len(rows)))
    return files

