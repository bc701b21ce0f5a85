"""Deterministic whatever the order of import (DESIGN.md §2), for a channel's two views
(§1 "Every view, once"): the books a WeChat Pay 资金账单 and 交易账单 (or an Alipay 账务明细
and 业务明细) give are byte for byte what importing both in one command gives, whichever
is imported first, in one import or in many, day files interleaved. The fund view booked
first is replaced by the trade view's entries when that comes (books/late_views.py),
but in a closed month, where a person edited an entry beyond links and comments, or
where a decision names a fund-view id the trade view does not write: those stay, and
the import says so.

The statements are written here from a few events (a payment with its fee, a refund
with the fee it returns, a withdrawal), each view as the channel lists it; the real
WeChat fund bill sample is used with the trade bill its refunds imply.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from collections import Counter
from decimal import Decimal

import pytest

from beancount.parser import parser

from beanclear.books import load
from conftest import beanclear, sample, snapshot
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
    """The 账务明细 of `events`; its rows' 账务流水号 are numbered by day, as a day's file and
    a longer one of the same days number them alike."""
    balance, rows, flow = D(balance), [], Counter()
    ins, outs = [0, D(0)], [0, D(0)]

    def row(trade, order, time, amount, kind, note="", item="龙井 250g", other="*津水(602***@qq.com)"):
        nonlocal balance
        balance += amount
        side = ins if amount > 0 else outs
        side[0] += 1
        side[1] += abs(amount)
        day = time[:10].replace("-", "")
        flow[day] += 1
        ident = f"{day}{flow[day]:04d}"
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


ORDERS = {
    "fund then trade": (["f1", "f2"], ["t1", "t2"]),
    "trade then fund": (["t1", "t2"], ["f1", "f2"]),
    "day by day, fund first": (["f1"], ["t1"], ["f2"], ["t2"]),
    "days backwards, fund first": (["f2"], ["t2"], ["f1"], ["t1"]),
    "interleaved": (["f2"], ["t1"], ["f1", "t2"]),
    "trade day by day, then the fund files": (["t1"], ["f1"], ["t2"], ["f2"]),
}


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
@pytest.mark.parametrize("order", list(ORDERS))
def test_books_are_what_one_import_of_both_views_writes_whatever_the_order(tmp_path, channel, order):
    files = day_files(tmp_path / "statements", channel)
    one, _ = merchant(tmp_path / "one", files, ["t1", "t2", "f1", "f2"])
    other, _ = merchant(tmp_path / "other", files, *ORDERS[order])
    assert books(other) == books(one)
    # the trade view's one entry per payment, with its fee (the month's last one in March)
    text = (one / "books" / channel / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert text.count("fee-rate") == (2 if channel == "wechat" else 0) and "fee-of" not in text


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_fund_then_trade_then_both_again_writes_nothing(tmp_path, channel):
    files = day_files(tmp_path / "statements", channel)
    folder, said = merchant(tmp_path / "m", files, ["f1", "f2"], ["t1", "t2"])
    assert "now booked from this statement, as importing both views in one command books them" in said[1]
    before = books(folder)
    again = beanclear(folder, "import", "--force", *(str(files[n]) for n in ("f1", "f2", "t1", "t2")))
    assert again.exit_code == 0, again.output
    assert again.output.count(" 0 entries written") == 4 and "now booked" not in again.output
    assert books(folder) == before
    one, _ = merchant(tmp_path / "one", files, ["f1", "f2", "t1", "t2"])
    assert books(one) == before


def test_the_real_fund_bill_then_its_trade_bill(tmp_path):
    """gunsluo's 资金账单 (two refunds, WeChat's own test merchant) and the trade bill of the
    same day its refunds imply, with its sample 交易账单 of three payments: any order, one book."""
    fund = tmp_path / "statements" / "fund.csv"
    fund.parent.mkdir(parents=True)
    fund.write_bytes(gzip.decompress(sample("wechat_merchant", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv.gz")
                                     .read_bytes()))
    payments = tmp_path / "statements" / "trade.csv"
    shutil.copy(sample("wechat_merchant", "gunsluo-wechatpay-v3-tradebill-ALL.csv"), payments)
    refunds = wechat_bill(tmp_path / "statements", "refunds.csv", TRADE_HEADER, [
        wechat_trade_row("2021-02-01 13:54:01", "4200000920202101197964319284", "S20210119", "REFUND", "0.00",
                         "0.00000", "50300806962021020105978994968", "0.01", "SUCCESS"),
        wechat_trade_row("2021-02-01 14:00:45", "4200000846202101197461830397", "S20210119B", "REFUND", "0.00",
                         "0.00000", "50300907032021020105978998710", "0.01", "SUCCESS")],
        TRADE_SUMMARY, "2,0.00,0.02,0.00,0.00000,0.00,0.02")
    files = {"fund": fund, "trade": payments, "refunds": refunds}
    one, _ = merchant(tmp_path / "one", files, ["trade", "refunds", "fund"])
    for order in ([["fund"], ["trade", "refunds"]], [["fund"], ["refunds"], ["trade"]],
                  [["trade"], ["fund"], ["refunds"]], [["refunds"], ["fund"], ["trade"]]):
        other, said = merchant(tmp_path / "-".join(b[0] for b in order), files, *order)
        assert books(other) == books(one), order
    text = (one / "books" / "wechat" / "2021" / "2021-02.beancount").read_text(encoding="utf-8")
    assert text.count('"Refund of order ') == 2 and "fund-id" not in text


def close(folder, month):
    result = beanclear(folder, "close", month)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_closed_month_keeps_the_fund_view_and_the_import_says_so(tmp_path, channel):
    files = day_files(tmp_path / "statements", channel)
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    close(folder, "2026-03")
    march = folder / "books" / channel / "2026" / "2026-03.beancount"
    closed = march.read_bytes()
    result = beanclear(folder, "import", str(files["t2"]))   # April's: the refund of a March payment
    assert result.exit_code == 0, result.output
    assert march.read_bytes() == closed
    one, _ = merchant(tmp_path / "one", files, ["f1", "f2", "t2"])
    april = f"{channel}/2026/2026-04.beancount"
    assert books(folder)[april] == books(one)[april]
    # March's trade bill: the fund view booked its money, so it adds nothing to the closed
    # month, not even its coverage record (dated there), and is not refused (blind9, 205)
    before = books(folder)
    again = beanclear(folder, "import", str(files["t1"]))
    assert again.exit_code == 0, again.output
    assert books(folder) == before
    assert ("0 entries written, 2 already in the books; note: nothing new; 2026-03 is closed (beanclear close "
            "by ") in again.output
    assert "its coverage record (2026-03-31 to 2026-03-31) is not written" in again.output
    assert "2 row(s) whose money the fund view booked in closed month(s) 2026-03 left as the fund view booked it" \
        in again.output


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_payment_of_a_closed_month_over_midnight_stays_as_the_fund_view_booked_it(tmp_path, channel):
    """The fund rows of March's last payment are April's; its trade row is March's, closed:
    the trade entry cannot go there, so the fund view's April entries stay, and it is said."""
    files = day_files(tmp_path / "statements", channel)
    both = tmp_path / "statements" / ("tradebill-2026-04-01-with-midnight.csv" if channel == "wechat"
                                      else "trade-2026-03-31-04-01.csv")
    march, april = (MARCH, APRIL) if channel == "wechat" else (ALIPAY_MARCH, ALIPAY_APRIL)
    late = [march[1]] + april
    files["t"] = (wechat_trade(both.parent, both.name, late) if channel == "wechat"
                  else alipay_trade(both.parent, both.name, late, "2026-03-31", "2026-04-02"))
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    close(folder, "2026-03")
    april_file = folder / "books" / channel / "2026" / "2026-04.beancount"
    result = beanclear(folder, "import", str(files["t"]))
    assert result.exit_code == 0, result.output
    assert "closed month(s) 2026-03 left as the fund view booked it" in result.output
    text = april_file.read_text(encoding="utf-8")
    ident = march[1][1]
    assert text.count(ident) >= 2   # the fund view's payment and fee of it, still there
    assert "now booked from this statement" in result.output   # April's own rows replaced


def fund_payment_block(text: str, ident: str) -> tuple[int, int]:
    """Where the fund view's entry of payment `ident` is in a month file's text."""
    at = text.index(f'covers: "{ident}"' if ident.startswith("2026") else f'id: "{ident}"\n  fund-id')
    start = text.rindex("\n\n", 0, at) + 2
    return start, text.index("\n\n", at)


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_a_persons_link_and_comments_survive_the_replacement(tmp_path, channel):
    files = day_files(tmp_path / "statements", channel)
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    path = folder / "books" / channel / "2026" / "2026-04.beancount"
    text = path.read_text(encoding="utf-8")
    ident = (APRIL if channel == "wechat" else ALIPAY_APRIL)[0][1]
    start, end = fund_payment_block(text, ident)
    block = text[start:end].split("\n")
    block[0] += " ^receipt-77 ; the customer called"
    block.insert(2, "  ; checked against the shop's order")
    block.insert(3, '  checked-by: "alice"')
    block[-1] += "   ; gross"
    path.write_text(text[:start] + "\n".join(block) + text[end:], encoding="utf-8")
    result = beanclear(folder, "import", str(files["t1"]), str(files["t2"]))
    assert result.exit_code == 0, result.output
    assert "the links and comments a person added to 1 of them carried over" in result.output
    after = path.read_text(encoding="utf-8")
    start, end = after.index(f'id: "{ident}"'), None
    entry = after[after.rindex("\n\n", 0, start) + 2:after.index("\n\n", start)]
    assert "^receipt-77" in entry.split("\n")[0] and ("fee-rate" in entry) == (channel == "wechat")
    for said in ("; the customer called", "; checked against the shop's order", 'checked-by: "alice"', "; gross"):
        assert f"  {said}\n" in entry + "\n"
    assert parser.parse_string(entry)[0][0].meta["checked-by"] == "alice"   # still the entry's metadata
    parsed, errors, _ = parser.parse_string(after)
    assert not errors and len(parsed) == after.count("\n\n")   # read as written: every comment a comment
    # the rest is what one import of both writes
    one, _ = merchant(tmp_path / "one", files, ["f1", "f2", "t1", "t2"])
    plain = "\n".join(line for line in entry.split("\n") if not line.strip().startswith((";", "checked-by")))
    plain = plain.replace(" ^receipt-77", "")
    assert after.replace(entry, plain) == (one / "books" / channel / "2026" / "2026-04.beancount").read_text("utf-8")


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_an_edit_it_cannot_carry_leaves_the_entry_and_says_so(tmp_path, channel):
    files = day_files(tmp_path / "statements", channel)
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    path = folder / "books" / channel / "2026" / "2026-04.beancount"
    text = path.read_text(encoding="utf-8")
    ident = (APRIL if channel == "wechat" else ALIPAY_APRIL)[0][1]
    start, end = fund_payment_block(text, ident)
    first = text[start:text.index("\n", start)]
    edited = text[:start] + first.replace(first[first.index('"'):first.index(" ^")], '"Buyer" "Tea for the office"') \
        + text[start + len(first):]
    path.write_text(edited, encoding="utf-8")
    result = beanclear(folder, "import", str(files["t1"]), str(files["t2"]))
    assert result.exit_code == 0, result.output
    assert "1 row(s) whose fund-view entries a person edited (beyond links and comments) left as they are" \
        in result.output
    after = path.read_text(encoding="utf-8")
    assert '"Buyer" "Tea for the office"' in after and after.count(ident) >= 2
    totals = {}
    for e in load(folder / "books" / "main.beancount")[0]:
        for p in getattr(e, "postings", ()):
            totals[p.account] = totals.get(p.account, 0) + p.units.number
    sales = {"wechat": ("Income:Sales:WeChat", D("-270.00")), "alipay": ("Income:Sales:Alipay", D("-170.00"))}
    assert totals[sales[channel][0]] == sales[channel][1]


def test_an_acknowledgment_naming_a_fund_ledger_id_keeps_its_entry(tmp_path):
    """Alipay's 账务流水号 is no identity of the 业务明细: a finding acknowledged by it would
    find its acknowledgment stale once its entry were replaced."""
    files = day_files(tmp_path / "statements", "alipay")
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    text = (folder / "books" / "alipay" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    start, end = fund_payment_block(text, T4)
    fund_id = text[start:end].split('id: "')[1].split('"')[0]
    acks = folder / "books" / "acks.beancount"
    acks.write_text(acks.read_text(encoding="utf-8")
                    + f'2026-04-02 custom "beanclear-ack" "fee-gap" "{fund_id}" "agreed"\n', encoding="utf-8")
    result = beanclear(folder, "import", str(files["t1"]), str(files["t2"]))
    assert result.exit_code == 0, result.output
    assert "1 row(s) whose fund-view entries an acknowledgment, follow-up or write-off names" in result.output
    assert fund_id in (folder / "books" / "alipay" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")


def test_with_two_shops_the_orders_may_come_before_between_or_after_the_views(tmp_path):
    """Several shops: only the shops' books say whose order a payment pays. The fund view's
    entries routed to a shop's receivable when its orders came (late_routes.py), and the
    trade view's routed as it is read: either way, one book."""
    from test_order_routing import PAYMENTS, TEA_ORDERS, TWO_SHOPS, WEB_ORDERS
    from test_shop_journey import shop_export
    statements = tmp_path / "statements"
    (statements / "orders").mkdir(parents=True)
    shop_export(statements / "orders", TEA_ORDERS)
    (statements / "orders" / "web.csv").write_text("\n".join(["订单号,下单日期,下单时间,实付金额,订单状态", *WEB_ORDERS])
                                                   + "\n", encoding="utf-8")
    events = [pay(ident, order, f"2026-03-{day} 12:00:00", amount, f"{D(amount) * D('0.006'):.2f}")
              for day, ident, order, amount in PAYMENTS]
    events.append(refund("5030001001", "4200001001", "1001", "2026-03-11 09:00:00", "20.00", "0.12"))
    files = {"orders": statements / "orders", "trade": wechat_trade(statements, "trade.csv", events),
             "fund": wechat_fund(statements, "fund.csv", events)}

    def made(name, *batches):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.yaml").write_text(TWO_SHOPS, encoding="utf-8")
        for batch in batches:
            result = beanclear(folder, "import", *(str(files[n]) for n in batch))
            assert result.exit_code == 0, result.output
        return books(folder)
    one = made("one", ["orders", "trade", "fund"])
    assert b"Assets:Receivable" in one["wechat/2026/2026-03.beancount"]
    for order in ([["fund"], ["orders"], ["trade"]], [["fund"], ["trade"], ["orders"]],
                  [["orders"], ["fund"], ["trade"]], [["fund", "orders"], ["trade"]]):
        assert made("-".join("+".join(b) for b in order), *order) == one, order


# A trade bill of a day before the fund bills (no statement of its payouts) leaves the
# opening where the fund bill puts it, in any order: tests/test_opening_trade_days.py
# (it moved the opening by the trade bill's money before, hiding it: blind29).


# -- a second refund of the same amount, in another file --------------------------------
#
# Alipay names a refund in both views by its trade and amount (`refund <交易号> 10.00`:
# the fund ledger knows no batch), the second of one trade and amount `… #2`. One
# statement numbers its own (alipay_trade.number_repeats); a refund of a later file is
# numbered after those the books hold of the same view (books/repeats.py). WeChat names
# each by its own 微信退款单号: the same files must give the same books there too.

def repeat_files(folder, channel):
    """A payment (March 31) refunded 10.00 on April 1, 2 and 3, each view as day files
    (t1-t4, f1-f4), and the first two refunds as one file (tr, fr)."""
    folder.mkdir(parents=True, exist_ok=True)
    trade = T1 if channel == "alipay" else "4200000001"
    paid = pay(trade, "QF1", "2026-03-31 10:00:00", "100.00", "0.60")
    first = refund("RF1-1" if channel == "alipay" else "50300001", trade, "QF1", "2026-04-01 15:00:00", "10.00", "0.06")
    second = refund("RF1-2" if channel == "alipay" else "50300002", trade, "QF1", "2026-04-02 15:00:00", "10.00",
                    "0.06")
    third = refund("RF1-3" if channel == "alipay" else "50300003", trade, "QF1", "2026-04-03 15:00:00", "10.00", "0.06")
    days = {"1": ("2026-03-31", [paid], "0.00"), "2": ("2026-04-01", [first], "99.40"),
            "3": ("2026-04-02", [second], "89.46"), "4": ("2026-04-03", [third], "79.52"),
            "r": ("2026-04-01", [first, second], "99.40")}
    files = {}
    for n, (day, events, balance) in days.items():
        last = str(dt.date.fromisoformat(events[-1][-1][:10]) + dt.timedelta(days=1))
        if channel == "alipay":
            files["t" + n] = alipay_trade(folder, f"trade-{day}-{n}.csv", events, day, last)
            files["f" + n] = alipay_fund(folder, f"fund-{day}-{n}.csv", events, day, last, balance=balance)
        else:
            files["t" + n] = wechat_trade(folder, f"tradebill-{day}-{n}.csv", events)
            files["f" + n] = wechat_fund(folder, f"fundflow-{day}-{n}.csv", events, balance=balance)
    return files


def refunded(folder, channel) -> Decimal:
    sales = "Income:Sales:Alipay" if channel == "alipay" else "Income:Sales:WeChat"
    return sum((p.units.number for e in load(folder / "books" / "main.beancount")[0]
                for p in getattr(e, "postings", ()) if p.account == sales and p.units.number > 0), D(0))


def entries(folder) -> dict[str, bytes]:
    """books() but the coverage records, which name the statements imported (the day
    files, or one file of the same rows)."""
    return {path: b"\n\n".join(block for block in text.split(b"\n\n") if b"beanclear-coverage" not in block)
            for path, text in books(folder).items()}


def checked(folder):
    result = beanclear(folder, "check", "--format", "json")
    assert '"code": "beancount"' not in result.output, result.output   # every balance the fund view states holds


@pytest.mark.parametrize("channel", ["alipay", "wechat"])
@pytest.mark.parametrize("view", ["f", "t"])
def test_a_second_refund_of_the_same_amount_in_another_file_is_booked(tmp_path, channel, view):
    files = repeat_files(tmp_path / "statements", channel)
    folder, said = merchant(tmp_path / "m", files, [view + "1"], [view + "2"], [view + "3"])
    assert " 0 entries written" not in said[2], said[2]
    assert refunded(folder, channel) == D("20.00")
    text = (folder / "books" / channel / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    if channel == "alipay":   # the second is the second, as one statement of both numbers it
        assert f'"refund {T1} 10.00 #2' in text and f"fee-back {T1} 0.06 #2" in text
        one, _ = merchant(tmp_path / "one", files, ["f1" if view == "f" else "t1", view + "r"])
        assert books(one)[f"{channel}/2026/2026-04.beancount"].count(b" #2") == text.count(" #2")
    if view == "f":
        checked(folder)
    again = beanclear(folder, "import", "--force", *(str(files[view + n]) for n in "123r"))
    assert again.exit_code == 0, again.output
    assert again.output.count(" 0 entries written") == 4, again.output
    assert refunded(folder, channel) == D("20.00")


REPEAT_ORDERS = {
    "fund days, then trade days": (["f1"], ["f2"], ["f3"], ["t1"], ["t2"], ["t3"]),
    "trade days, then fund days": (["t1"], ["t2"], ["t3"], ["f1"], ["f2"], ["f3"]),
    "fund days, then the trade file of both": (["f1"], ["f2"], ["f3"], ["t1", "tr"]),
    "the fund file of both, then trade days": (["f1", "fr"], ["t1"], ["t2"], ["t3"]),
    "day by day, fund first": (["f1"], ["t1"], ["f2"], ["t2"], ["f3"], ["t3"]),
    "day by day, both at once": (["f1", "t1"], ["f2", "t2"], ["f3", "t3"]),
    "trade first, then the fund file of both": (["t1"], ["t2"], ["t3"], ["f1", "fr"]),
    "all day files in one import": (["f1", "f2", "f3", "t1", "t2", "t3"],),
}


# Known, not fixed: a day's fund row of a second Alipay refund of one amount, imported after
# the trade view booked both refunds and the first day's fund row was found known, leaves no
# trace of that first row in the books, so it is taken for the first refund's row (repeats.py)
# and in_flight.py then dates the first refund's money a day late (`fund-date`, an in-flight
# balance). The money is right (asserted before the bytes); the bytes differ from one import.
_SECOND_ROW_TAKEN_FOR_THE_FIRST = {("trade days, then fund days", "alipay"), ("day by day, fund first", "alipay"),
                                   ("day by day, both at once", "alipay")}


@pytest.mark.parametrize("channel", ["alipay", "wechat"])
@pytest.mark.parametrize("order", list(REPEAT_ORDERS))
def test_two_refunds_of_one_amount_give_one_book_whatever_the_order(tmp_path, channel, order, request):
    if (order, channel) in _SECOND_ROW_TAKEN_FOR_THE_FIRST:
        request.applymarker(pytest.mark.xfail(strict=True, reason="a fund row the trade view stood for leaves no "
                                              "trace: the next day's row is taken for it (session 23, open)"))
    files = repeat_files(tmp_path / "statements", channel)
    one, _ = merchant(tmp_path / "one", files, ["f1", "fr", "t1", "tr"])
    assert refunded(one, channel) == D("20.00")
    other, _ = merchant(tmp_path / "other", files, *REPEAT_ORDERS[order])
    assert refunded(other, channel) == D("20.00")
    assert entries(other) == entries(one)
    checked(other)


def test_a_refund_after_the_trade_view_replaced_an_earlier_one_is_the_next(tmp_path):
    """The fund ledger booked two refunds of 10.00 (`refund …` and `… #2`); the 业务明细 of
    the first replaced its entries: the books hold its name as the trade view's. The
    ledger's third refund is the third, not the first again."""
    files = repeat_files(tmp_path / "statements", "alipay")
    folder, said = merchant(tmp_path / "m", files, ["f1"], ["f2"], ["f3"], ["t2"], ["f4"])
    assert "now booked from this statement" in said[3] and " 0 already in the books" in said[4]
    assert refunded(folder, "alipay") == D("30.00")
    assert f"refund {T1} 10.00 #3" in (folder / "books/alipay/2026/2026-04.beancount").read_text(encoding="utf-8")
    checked(folder)
    merchant(folder, files, ["t1", "t3", "t4"])
    one, _ = merchant(tmp_path / "one", files, ["f1", "f2", "f3", "f4", "t1", "t2", "t3", "t4"])
    assert entries(folder) == entries(one)


# -- money the trade view books before the fund view does ----------------------------------
#
# A year's end (a blind tester's merchant): a payment at 23:59:58 on Dec 31 whose fund rows
# WeChat books at 00:00:02 on Jan 1, in January's bill, which then pays everything out. The
# trade view books the sale on Dec 31; December's bill closes at 99.40 without it.

YEAR_END = [pay("4200000000000000000000000001", "A1", "2025-12-31 10:00:00", "100.00", "0.60"),
            pay("4200000000000000000000000002", "A2", "2025-12-31 23:59:58", "266.00", "1.60",
                fund_time="2026-01-01 00:00:02"),
            out("1160123456720260101000001", "2026-01-01 10:00:00", "363.80")]

OVER_MIDNIGHT = {
    "one import": (["t", "f1", "f2"],),
    "fund then trade": (["f1", "f2"], ["t"]),
    "trade then fund": (["t"], ["f1", "f2"]),
    "fund bills one by one around the trade bill": (["f2"], ["t"], ["f1"]),
    "trade, then the fund bills one by one": (["t"], ["f1"], ["f2"]),
    "fund first, the trade bill between the fund bills": (["f1"], ["t"], ["f2"]),
}


def year_end_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    december = [e for e in YEAR_END if e[0] != "out" and e[-1] < "2026"]
    return {"t": wechat_trade(folder, "tradebill-2025-12-31.csv", [e for e in YEAR_END if e[0] == "pay"]),
            "f1": wechat_fund(folder, "fundflowbill-2025-12.csv", december),
            "f2": wechat_fund(folder, "fundflowbill-2026-01.csv", [e for e in YEAR_END if e not in december],
                              balance="99.40")}


def errors_of(folder) -> list[str]:
    """The unacknowledged errors `beanclear check` finds in a merchant's books."""
    import json
    result = beanclear(folder, "check", "--format", "json")
    return [f"{f['code']}: {f['message']}" for f in json.loads(result.output)["findings"]
            if f["severity"] == "error" and not f["acknowledged"]]


@pytest.mark.parametrize("order", list(OVER_MIDNIGHT))
def test_a_payment_over_midnight_counts_in_the_fund_views_balance_whatever_the_order(tmp_path, monkeypatch, order):
    """README "Which view books the money": the trade view books the payment on Dec 31
    (its sale), December's fund bill closes at 99.40 without it. The entry says the day the
    fund view books its money, the balance between counts it, and the opening is the 0.00
    the account started with: no failed balance, no payout taking more than was held."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-03")
    files = year_end_files(tmp_path / "statements")
    one, _ = merchant(tmp_path / "one", files, *OVER_MIDNIGHT["one import"])
    other, _ = merchant(tmp_path / "other", files, *OVER_MIDNIGHT[order])
    assert books(other) == books(one)
    assert errors_of(other) == []
    december = (other / "books" / "wechat" / "2025" / "2025-12.beancount").read_text(encoding="utf-8")
    a2 = december[december.index('"Order A2'):]
    assert 'fund-date: "2026-01-01"' in a2 and "Assets:Clearing:WeChat                      264.40 CNY" in a2
    january = (other / "books" / "wechat" / "2026" / "2026-01.beancount").read_text(encoding="utf-8")
    assert january.startswith("2026-01-01 balance Assets:Clearing:WeChat             363.80 CNY\n"
                              "  in-flight: 264.40\n")
    accounts = (other / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert "  Assets:Clearing:WeChat                        0.00 CNY\n" in accounts   # as the fund bill began


def test_the_fund_bill_alone_books_the_money_on_its_own_day(tmp_path, monkeypatch):
    """Without the trade bill nothing is in flight: the fund view books A2 on Jan 1 and
    asserts the 99.40 it says."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-03")
    files = year_end_files(tmp_path / "statements")
    folder, _ = merchant(tmp_path / "m", files, ["f1", "f2"])
    assert errors_of(folder) == []
    january = (folder / "books" / "wechat" / "2026" / "2026-01.beancount").read_text(encoding="utf-8")
    assert january.startswith("2026-01-01 balance Assets:Clearing:WeChat              99.40 CNY\n\n")
    assert "fund-date" not in january and "in-flight" not in january


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
def test_both_views_over_a_months_end_check_clean(tmp_path, monkeypatch, channel):
    """The two days of both channels (a payment at 23:59:58 on Mar 31, its fund rows on
    Apr 1), whatever the order (test above): the books check clean and open at 0.00."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-03")
    files = day_files(tmp_path / "statements", channel)
    one, _ = merchant(tmp_path / "one", files, ["t1", "t2", "f1", "f2"])
    assert errors_of(one) == []
    accounts = (one / "books" / "accounts.beancount").read_text(encoding="utf-8")
    clearing = "Assets:Clearing:WeChat" if channel == "wechat" else "Assets:Clearing:Alipay"
    assert f"  {clearing:<36}          0.00 CNY\n" in accounts   # the opening: as the fund view began


@pytest.mark.parametrize("order", [(["f"], ["t"]), (["t"], ["f"])])
def test_a_payment_over_midnight_within_one_fund_bill(tmp_path, monkeypatch, order):
    """Mid-month, within one month's fund bill (a balance each day): the balance of the
    15th's end counts the payment the trade view books on the 15th and the fund view on the
    16th, in either order as in one import."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-20")
    events = [pay("4200000011", "M1", "2026-03-15 09:00:00", "80.00", "0.48"),
              pay("4200000012", "M2", "2026-03-15 23:59:59", "50.00", "0.30", fund_time="2026-03-16 00:00:01"),
              out("200001", "2026-03-16 09:00:00", "129.22")]
    folder = tmp_path / "statements"
    folder.mkdir(parents=True)
    files = {"t": wechat_trade(folder, "tradebill.csv", [e for e in events if e[0] == "pay"]),
             "f": wechat_fund(folder, "fundflowbill-2026-03.csv", events)}
    one, _ = merchant(tmp_path / "one", files, ["t", "f"])
    other, _ = merchant(tmp_path / "other", files, *order)
    assert books(other) == books(one)
    assert errors_of(one) == []
    march = (one / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert "2026-03-16 balance Assets:Clearing:WeChat             129.22 CNY\n  in-flight: 49.70\n" in march


# -- a trade bill's fee past the fen --------------------------------------------------------
#
# The 交易账单 writes 手续费 to 5 decimals (FORMATS §3a), the 资金账单 the fen WeChat took
# (扣除交易手续费). blind9: a fee of 7.40700 was booked 7.407, so the clearing account held
# 0.003 the fund bill never had: imported with the fund bill it became an opening balance,
# a day later (ten payments: 0.030, past Beancount's tolerance) a failed balance assertion, and the fund bill imported first
# left other books (its own entries) than one import of both.

def test_a_trade_bill_fee_past_the_fen_books_what_the_fund_bill_says_in_any_order(tmp_path):
    folder = tmp_path / "statements"
    folder.mkdir(parents=True)
    first_day = [pay("4200000001", "WO1", "2026-03-01 10:00:00", "100.00", "0.60"),
                 out("100001", "2026-03-01 18:00:00", "99.40")]
    charged = [pay(f"42000000{n:02d}", f"WO{n}", f"2026-03-02 11:{n:02d}:00", "1234.50", "7.41") for n in range(2, 12)]
    stated = [e[:5] + (D("7.407"),) + e[6:] for e in charged]
    files = {"f1": wechat_fund(folder, "fundflow-2026-03-01.csv", first_day),
             "t2": wechat_trade(folder, "tradebill-2026-03-02.csv", stated),
             "f2": wechat_fund(folder, "fundflow-2026-03-02.csv", charged + [out("100002", "2026-03-03 09:00:00",
                                                                                  "12270.90")])}
    assert "`7.40700," in files["t2"].read_text(encoding="utf-8")
    one, _ = merchant(tmp_path / "one", files, ["f1"], ["t2", "f2"])
    checked(one)   # the fund bill's balances hold: the clearing account never held 0.030 more
    text = (one / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert text.count("Expenses:Fees:WeChat                          7.41 CNY") == 10
    assert text.count('fee-stated: "7.40700"') == 10
    assert text.count("fee-of") == 1   # the first day's, of the fund bill alone
    for order in ([["t2", "f2"], ["f1"]], [["f1"], ["f2"], ["t2"]], [["f1", "f2"], ["t2"]], [["t2"], ["f1", "f2"]]):
        other, _ = merchant(tmp_path / "-".join("".join(batch) for batch in order), files, *order)
        assert books(other) == books(one), order
    accounts = (one / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert "Assets:Clearing:WeChat                        0.00 CNY" in accounts
