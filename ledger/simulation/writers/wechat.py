"""WeChat Pay merchant bills (FORMATS §3): 交易账单 bill_type=ALL and 资金账单 (Basic).

Every cell, summary included, starts with a backtick; 手续费 has 5 decimals and is negative on
refund rows (the fee given back); refund rows carry 应结订单金额 0.00 and the money in 退款金额.
"""

from __future__ import annotations

from decimal import Decimal

from . import amt, csv_text, in_downloads

TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注").split(",")
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号".split(",")
APPID = "wx81be3101902f7cb2"


def _bt(row):
    return ["`" + str(c) for c in row]


def _f5(x: Decimal) -> str:
    return f"{x:.5f}"


def write(m, ch, folder):
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    rate = f"{ch.rate * 100:.2f}%"
    if "trade" in ch.views:
        rows = []
        for p in m.payments:
            if p.channel == ch.name:
                rows.append((p.dt, [f"{p.dt:%Y-%m-%d %H:%M:%S}", APPID, ch.account_id, "0", "", p.id, p.order_ref,
                                    "o" + p.id[-20:], "NATIVE", "SUCCESS", "OTHERS", "CNY", amt(p.gross), "0.00", "0", "0",
                                    "0.00", "0.00", "", "", p.title, "", _f5(p.fee), rate, amt(p.gross), "0.00", ""]))
        for r in m.refunds:
            if r.channel == ch.name:
                p = r.payment
                rows.append((r.dt, [f"{r.dt:%Y-%m-%d %H:%M:%S}", APPID, ch.account_id, "0", "", p.id, p.order_ref,
                                    "o" + p.id[-20:], "NATIVE", "REFUND", "OTHERS", "CNY", "0.00", "0.00", r.id, r.request_no,
                                    amt(r.amount), "0.00", "ORIGINAL", "SUCCESS", p.title, "", _f5(-r.fee_back), rate,
                                    "0.00", amt(r.amount), ""]))
        rows.sort(key=lambda x: x[0])
        out += in_downloads(m, ch.name, folder, lambda a, b: f"交易账单_ALL_{a:%Y%m%d}_{b:%Y%m%d}.csv", rows,
                            lambda f, body, a, b: _trade_bill(f, body))
    if "fund" in ch.views:
        ev = []
        for p in m.payments:
            if p.channel == ch.name:
                ev.append((p.dt, 0, p.id, "交易", "收入", p.gross, "系统", "", p.order_ref, p))
                if p.fee:
                    ev.append((p.dt, 1, p.id, "扣除交易手续费", "支出", p.fee, "系统", "", p.order_ref, p))
        for r in m.refunds:   # as WeChat writes a refund: the refunded payment's id, the merchant's refund number
            if r.channel == ch.name:
                ev.append((r.dt, 0, r.id, "退款", "支出", r.net, ch.account_id + "API",
                           f"退款总金额{amt(r.amount)}元;含手续费{amt(r.fee_back)}元", r.request_no, r))
        for po in m.payouts:
            if po.channel == ch.name:
                ev.append((po.dt, 0, po.id, "提现", "支出", po.amount, ch.account_id, "", "", po))
        ev.sort(key=lambda e: (e[0], e[1]))
        bal = ch.opening
        body, when = [], []
        for i, (dt, _, bid, kind, direction, x, who, note, voucher, rec) in enumerate(ev):
            bal += x if direction == "收入" else -x
            if kind == "退款":
                flow = rec.payment.id
            else:
                flow = f"{dt:%Y%m%d}{i:012d}{len(bid) % 10}"
                rec.file_ids.append(flow)
            body.append([f"{dt:%Y-%m-%d %H:%M:%S}", bid, flow, kind, kind, direction, amt(x), amt(bal), who, note, voucher])
            when.append(dt)
        if ch.daily:   # a bill a day, as the fetcher names them; a day without rows has no bill
            missing = m.missing_bill.get(ch.name)
            days = sorted({r[0][:10] for r in body} - {f"{missing}"})
            out += [_fund_bill(folder / f"fundflow-{day}.csv", [r for r in body if r[0][:10] == day]) for day in days]
        else:
            out += in_downloads(m, ch.name, folder, lambda a, b: f"资金账单_Basic_{a:%Y%m%d}_{b:%Y%m%d}.csv",
                                list(zip(when, body)), lambda f, rows, a, b: _fund_bill(f, rows))
    return out


def _trade_bill(path, body):
    tot = lambda i: sum((Decimal(r[i]) for r in body), Decimal("0"))
    summary = [str(len(body)), amt(tot(12)), amt(tot(16)), "0.00", _f5(tot(22)), amt(tot(24)), amt(tot(25))]
    path.write_text(csv_text([TRADE_HEADER] + [_bt(r) for r in body]
                             + [["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额",
                                 "申请退款总金额"], _bt(summary)]), encoding="utf-8")
    return path


def _fund_bill(path, body):
    inc = [r for r in body if r[5] == "收入"]
    exp = [r for r in body if r[5] == "支出"]
    s = lambda rows: amt(sum((Decimal(r[6]) for r in rows), Decimal("0")))
    path.write_text(csv_text([FUND_HEADER] + [_bt(r) for r in body]
                             + [["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"],
                                _bt([str(len(body)), str(len(inc)), s(inc), str(len(exp)), s(exp)])]),
                    encoding="utf-8")
    return path
