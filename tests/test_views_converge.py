"""Deterministic whatever the order of import (DESIGN.md §2), for a channel's two views
(§1 "Every view, once"): the books a WeChat Pay 资金账单 and 交易账单 (or an Alipay 账务明细
and 业务明细) give are byte for byte what importing both in one command gives, whichever
is imported first, in one import or in many, day files interleaved.

The statements are written here from a few events (a payment with its fee, a refund
with the fee it returns, a withdrawal), each view as the channel lists it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import beanclear, snapshot
from statement_files import TRADE_HEADER as ALIPAY_TRADE_HEADER, FUND_HEADER as ALIPAY_FUND_HEADER
from statement_files import fund_row, trade_row
from test_views import (CONFIG, FUND_HEADER, FUND_SUMMARY, TRADE_HEADER, TRADE_SUMMARY, wechat_bill,
                        wechat_trade_row)

D = Decimal


# -- the statements -----------------------------------------------------------------------
#
# An event: ("pay", id, order, time, amount, fee[, fund time]), ("refund", id, payment id,
# order, time, amount, fee returned), ("out", id, time, amount). A fund row may be booked
# a few seconds after the trade (`fund time`): over midnight at a month's end, say.

def pay(ident, order, time, amount, fee, fund_time=None):
    return ("pay", ident, order, time, D(amount), D(fee), fund_time or time)


def refund(ident, payment, order, time, amount, fee):
    return ("refund", ident, payment, order, time, D(amount), D(fee), time)


def out(ident, time, amount):
    return ("out", ident, time, D(amount))


def wechat_trade(folder, name, events):
    rows, settled, refunded, fees = [], D(0), D(0), D(0)
    for e in events:
        if e[0] == "pay":
            _, ident, order, time, amount, fee, _ = e
            rows.append(wechat_trade_row(time, ident, order, "SUCCESS", f"{amount:.2f}", f"{fee:.5f}"))
            settled, fees = settled + amount, fees + fee
        elif e[0] == "refund":
            _, ident, payment, order, time, amount, fee, _ = e
            rows.append(wechat_trade_row(time, payment, order, "REFUND", "0.00", f"{-fee:.5f}", ident,
                                         f"{amount:.2f}", "SUCCESS"))
            refunded, fees = refunded + amount, fees - fee
    totals = f"{len(rows)},{settled:.2f},{refunded:.2f},0.00,{fees:.5f},{settled:.2f},{refunded:.2f}"
    return wechat_bill(folder, name, TRADE_HEADER, rows, TRADE_SUMMARY, totals)


def wechat_fund(folder, name, events, balance="0.00"):
    balance, rows, flow = D(balance), [], iter(range(1, 1000))
    ins, outs = [D(0), 0], [D(0), 0]

    def row(time, ident, flow_id, kind, amount, note, voucher):
        nonlocal balance
        balance += amount
        side = ins if amount > 0 else outs
        side[0] += abs(amount)
        side[1] += 1
        rows.append(f"{time},{ident},{flow_id},{kind},{kind},{'收入' if amount > 0 else '支出'},{abs(amount):.2f},"
                    f"{balance:.2f},1601959334API,{note},{voucher}")
    for e in sorted(events, key=lambda e: e[-1] if e[0] != "out" else e[2]):
        if e[0] == "pay":
            _, ident, order, _, amount, fee, time = e
            row(time, ident, f"F{ident}-{next(flow)}", "交易", amount, "", order)
            row(time, ident, f"F{ident}-{next(flow)}", "扣除交易手续费", -fee, "", order)
        elif e[0] == "refund":
            _, ident, payment, order, _, amount, fee, time = e
            row(time, ident, payment, "退款", -(amount - fee), f"退款总金额{amount:.2f}元;含手续费{fee:.2f}元", f"R-{order}")
        else:
            _, ident, time, amount = e
            row(time, ident, f"W{ident}", "提现", -amount, "提现到工商银行", "")
    totals = f"{len(rows)},{ins[1]},{ins[0]:.2f},{outs[1]},{outs[0]:.2f}"
    return wechat_bill(folder, name, FUND_HEADER, rows, FUND_SUMMARY, totals)


def _alipay_file(folder, name, title, header, rows, footer, first, last):
    lines = [f"#支付宝{title}查询", "#账号：[20880000000000000156]",
             f"#起始日期：[{first[:4]}年{first[5:7]}月{first[8:10]}日 00:00:00]   "
             f"终止日期：[{last[:4]}年{last[5:7]}月{last[8:10]}日 00:00:00]",
             f"#-----------------------------------------{title}列表----------------------------------------",
             header, *rows, f"#-----------------------------------------{title}列表结束------------------------------------",
             *footer, "#导出时间：[2026年04月02日 05:46:49]"]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def alipay_trade(folder, name, events, first, last):
    rows, sums = [], {"交易": [0, D(0)], "退款": [0, D(0)]}
    for e in events:
        if e[0] == "pay":
            _, ident, order, time, amount, fee, _ = e
            rows.append(trade_row(ident, order, "交易", time, f"{amount:.2f}", f"{amount:.2f}", f"{fee:.2f}"))
            sums["交易"][0] += 1
            sums["交易"][1] += amount
        elif e[0] == "refund":
            _, ident, payment, order, time, amount, fee, _ = e
            rows.append(trade_row(payment, order, "退款", time, f"{-amount:.2f}", f"{-amount:.2f}", f"{-fee:.2f}",
                                  batch=ident))
            sums["退款"][0] += 1
            sums["退款"][1] -= amount
    footer = [f"#交易合计：{sums['交易'][0]}笔，商家实收共{sums['交易'][1]:.2f}元，商家优惠共0.00元",
              f"#退款合计：{sums['退款'][0]}笔，商家实收退款共{sums['退款'][1]:.2f}元，商家优惠退款共0.00元"]
    return _alipay_file(folder, name, "业务明细", ALIPAY_TRADE_HEADER, rows, footer, first, last)


def alipay_fund(folder, name, events, first, last, balance="0.00"):
    balance, rows, flow = D(balance), [], iter(range(1, 1000))
    ins, outs = [0, D(0)], [0, D(0)]

    def row(trade, order, time, amount, kind, note="", item="龙井 250g", other="*津水(602***@qq.com)"):
        nonlocal balance
        balance += amount
        side = ins if amount > 0 else outs
        side[0] += 1
        side[1] += abs(amount)
        ident = f"{time[:10].replace('-', '')}{next(flow):04d}"
        rows.append(fund_row(ident, trade, order, time, f"{amount:.2f}" if amount > 0 else "0.00",
                             f"{amount:.2f}" if amount < 0 else "0.00", f"{balance:.2f}", kind, note, item=item,
                             other=other))
    for e in sorted(events, key=lambda e: e[-1] if e[0] != "out" else e[2]):
        if e[0] == "pay":
            _, ident, order, _, amount, fee, time = e
            row(ident, order, time, amount, "在线支付")
            row(ident, order, time, -fee, "收费", f"服务费[{ident}]")
        elif e[0] == "refund":
            _, ident, payment, order, _, amount, fee, time = e
            row(payment, order, time, -amount, "退款")
            row(payment, order, time, fee, "收费", f"服务费[{payment}]")
        else:
            _, ident, time, amount = e
            row(ident, "", time, -amount, "提现", "提现到工商银行", item="提现", other="")
    rows.reverse()   # newest first, as Alipay lists them
    footer = [f"#支出合计：{outs[0]}笔，共{outs[1]:.2f}元", f"#收入合计：{ins[0]}笔，共{ins[1]:.2f}元"]
    return _alipay_file(folder, name, "账务明细", ALIPAY_FUND_HEADER, rows, footer, first, last)


# Two days, the last of March and the first of April: a payment at 23:59:58 whose fund
# rows WeChat and Alipay book at 00:00:02 the next day (the next month's file).
MARCH = [pay("4200000001", "WO1", "2026-03-31 10:00:00", "200.00", "1.20"),
         pay("4200000003", "WO3", "2026-03-31 23:59:58", "30.00", "0.18", fund_time="2026-04-01 00:00:02"),
         out("100001", "2026-03-31 23:00:00", "198.80")]
APRIL = [pay("4200000004", "WO4", "2026-04-01 09:00:00", "50.00", "0.30"),
         refund("50300001", "4200000001", "WO1", "2026-04-01 15:00:00", "10.00", "0.06"),
         out("100002", "2026-04-01 23:00:00", "69.58")]
T1, T3, T4 = "2026033122001100001", "2026033122001100003", "2026040122001100004"
ALIPAY_MARCH = [pay(T1, "QF1", "2026-03-31 10:00:00", "100.00", "0.60"),
                pay(T3, "QF3", "2026-03-31 23:59:58", "30.00", "0.18", fund_time="2026-04-01 00:00:02"),
                out("20260331000009", "2026-03-31 23:00:00", "99.40")]
ALIPAY_APRIL = [pay(T4, "QF4", "2026-04-01 09:00:00", "50.00", "0.30"),
                refund("RF1-1", T1, "QF1", "2026-04-01 15:00:00", "10.00", "0.06"),
                out("20260401000009", "2026-04-01 23:00:00", "69.58")]


def day_files(folder, channel):
    """The two days' files of one channel's views: {"t1", "t2", "f1", "f2"} -> path. A
    fund file holds the rows booked that day (a trade's over midnight in the next one)."""
    folder.mkdir(parents=True, exist_ok=True)
    march, april = (MARCH, APRIL) if channel == "wechat" else (ALIPAY_MARCH, ALIPAY_APRIL)
    fund_march = [e for e in march if e[0] == "out" or e[-1] < "2026-04"]
    fund_april = [e for e in march + april if e not in fund_march]
    if channel == "wechat":
        return {"t1": wechat_trade(folder, "tradebill-2026-03-31.csv", march),
                "t2": wechat_trade(folder, "tradebill-2026-04-01.csv", april),
                "f1": wechat_fund(folder, "fundflow-2026-03-31.csv", fund_march),
                "f2": wechat_fund(folder, "fundflow-2026-04-01.csv", fund_april, balance="0.00")}
    return {"t1": alipay_trade(folder, "trade-2026-03-31.csv", march, "2026-03-31", "2026-04-01"),
            "t2": alipay_trade(folder, "trade-2026-04-01.csv", april, "2026-04-01", "2026-04-02"),
            "f1": alipay_fund(folder, "fund-2026-03-31.csv", fund_march, "2026-03-31", "2026-04-01"),
            "f2": alipay_fund(folder, "fund-2026-04-01.csv", fund_april, "2026-04-01", "2026-04-02")}


def merchant(folder, files, *batches):
    """Books made by importing each batch (names of `files`), one `beanclear import` each."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    said = []
    for batch in batches:
        result = beanclear(folder, "import", *(str(files[name]) for name in batch))
        assert result.exit_code == 0, result.output
        said.append(result.output)
    return folder, said


def books(folder) -> dict[str, bytes]:
    return snapshot(folder / "books")


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_trade_day_before_the_first_balance_moves_the_opening_it_implied(tmp_path, channel):
    """The fund view's first balance implied the clearing account's opening; a trade bill
    of the day before, imported after it, books money before that balance: the opening is
    what importing both together implies (DESIGN.md §1 "Openings come from the statements")."""
    files = day_files(tmp_path / "statements", channel)
    early = [pay("4200000000" if channel == "wechat" else "2026033022001100000", "WO0", "2026-03-30 12:00:00",
                 "40.00", "0.24")]
    files["t0"] = (wechat_trade(files["t1"].parent, "tradebill-2026-03-30.csv", early) if channel == "wechat"
                   else alipay_trade(files["t1"].parent, "trade-2026-03-30.csv", early, "2026-03-30", "2026-03-31"))
    one, _ = merchant(tmp_path / "one", files, ["f2", "t0"])
    other, said = merchant(tmp_path / "other", files, ["f2"], ["t0"])
    assert books(other) == books(one)
    assert "opening balance of Assets:Clearing:" in said[1] and "now -39.76 " in said[1]
