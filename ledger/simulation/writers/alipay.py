"""Alipay merchant bills (FORMATS §4), GBK, `#` comment lines above and below, TAB-suffixed ids.

业务明细: one row per trade (服务费 as the fee, written negative: money the merchant pays) and one
negative row per refund repeating the 支付宝交易号 with its 退款批次号. 账务明细: the fund ledger,
income and expense columns, 收费 rows `服务费[<交易号>]`, 提现, and 账户余额 as a running balance.
"""

from __future__ import annotations

from decimal import Decimal

from . import amt, csv_text, in_downloads

TRADE_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,"
                "商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
                "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注").split(",")
FUND_HEADER = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注".split(",")
DASH = "-" * 41


def _cn(d):
    return f"{d:%Y年%m月%d日} 00:00:00"


def _t(x):
    return f"{x}\t"


def _preamble(kind, ch, first, last):
    from datetime import timedelta
    return [f"#支付宝{kind}查询", f"#账号：[{ch.account_id}]",
            f"#起始日期：[{_cn(first)}]   终止日期：[{_cn(last + timedelta(days=1))}]",
            f"#{DASH}{kind}列表{DASH}"]


def _export(last) -> str:
    return f"#导出时间：[{last:%Y年%m月%d日} 23:50:12]"


def _write(path, lines):
    path.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\n")


def write(m, ch, folder):
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    buyer = lambda p: _t(f"*{p.id[-3:]}(1{p.id[-10:]})")
    if "trade" in ch.views:
        neg = ch.fee_negative       # FORMATS gives no sign for 服务费: both are written, per merchant
        rows = []
        for p in m.payments:
            if p.channel == ch.name:
                rows.append((p.dt, [_t(p.id), _t(p.order_ref), _t("交易"), p.title, f"{p.dt:%Y-%m-%d %H:%M:%S}",
                                    f"{p.dt:%Y-%m-%d %H:%M:%S}", "", "", "", "", buyer(p), amt(p.gross), amt(p.gross),
                                    "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", "", amt(-p.fee if neg else p.fee), "0.00", ""]))
        for r in m.refunds:
            if r.channel == ch.name:
                p = r.payment
                rows.append((r.dt, [_t(p.id), _t(p.order_ref), _t("退款"), p.title, f"{p.dt:%Y-%m-%d %H:%M:%S}",
                                    f"{r.dt:%Y-%m-%d %H:%M:%S}", "", "", "", "", buyer(p), amt(-r.amount), amt(-r.amount),
                                    "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", _t(r.request_no),
                                    amt(r.fee_back if neg else -r.fee_back), "0.00", ""]))
        rows.sort(key=lambda x: x[0])

        def trade_bill(f, body, first, last):
            trades = [r for r in body if r[2] == "交易\t"]
            refunds = [r for r in body if r[2] == "退款\t"]
            s = lambda rs: amt(sum((Decimal(r[12]) for r in rs), Decimal("0")))
            _write(f, _preamble("业务明细", ch, first, last) + csv_text([TRADE_HEADER] + body).splitlines() + [
                f"#{DASH}业务明细列表结束{DASH}",
                f"#交易合计：{len(trades)}笔，商家实收共{s(trades)}元，商家优惠共0.00元",
                f"#退款合计：{len(refunds)}笔，商家实收退款共{s(refunds)}元，商家优惠退款共0.00元", _export(last)])
            return f
        out += in_downloads(m, ch.name, folder, lambda a, b: f"{ch.account_id}_{b:%Y%m%d}_业务明细.csv", rows, trade_bill)
    if "fund" in ch.views:
        ev = []
        for p in m.payments:
            if p.channel == ch.name:
                ev.append((p.dt, 0, p.id, p.order_ref, p.title, buyer(p), p.gross, "在线支付", "", p))
                if p.fee:
                    ev.append((p.dt, 1, p.id, p.order_ref, "", "", -p.fee, "收费", f"服务费[{p.id}]", p))
        for r in m.refunds:
            if r.channel == ch.name:
                p = r.payment
                ev.append((r.dt, 0, p.id, p.order_ref, p.title, buyer(p), -r.amount, "退款", f"退款[{r.request_no}]", r))
                if r.fee_back:
                    ev.append((r.dt, 1, p.id, p.order_ref, "", "", r.fee_back, "收费", f"服务费[{p.id}]", r))
        for po in m.payouts:
            if po.channel == ch.name:
                ev.append((po.dt, 0, po.id, "", "提现", "", -po.amount, "提现", "提现到银行卡", po))
        ev.sort(key=lambda e: (e[0], e[1]))
        bal = ch.opening
        rows = []
        for i, (dt, _, bid, order, title, who, x, kind, note, rec) in enumerate(ev):
            bal += x
            rec.file_ids.append(f"{dt:%Y%m%d}{i:010d}")
            rows.append((dt, [_t(f"{dt:%Y%m%d}{i:010d}"), _t(bid), _t(order) if order else "", title,
                              f"{dt:%Y-%m-%d %H:%M:%S}", who, amt(x) if x > 0 else "", amt(-x) if x < 0 else "",
                              amt(bal), "支付宝", kind, note]))

        def fund_bill(f, body, first, last):
            inc = [r for r in body if r[6]]
            exp = [r for r in body if r[7]]
            s = lambda rs, i: amt(sum((Decimal(r[i]) for r in rs), Decimal("0")))
            _write(f, _preamble("账务明细", ch, first, last) + csv_text([FUND_HEADER] + body).splitlines() + [
                f"#{DASH}账务明细列表结束{DASH}",
                f"#支出合计：{len(exp)}笔，共{s(exp, 7)}元", f"#收入合计：{len(inc)}笔，共{s(inc, 6)}元", _export(last)])
            return f
        out += in_downloads(m, ch.name, folder, lambda a, b: f"{ch.account_id}_{b:%Y%m%d}_账务明细.csv", rows, fund_bill)
    return out
