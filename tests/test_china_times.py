"""The times a Chinese channel's statements write without an offset are China's (FORMATS.md:
"Timestamps are local China time (UTC+08:00)"; README `init`), the channel's `timezone:`
"the zone of times its files write without an offset": in books of another zone they are
booked at the books' wall clock, as a Stripe `created` of the same instant is, and the
days a bill covers are its zone's days, moved with its rows (toolkit zone_time,
zoned_period). Books in Asia/Shanghai keep every time as written.

Blind tester "timezones" (round 13): books in America/Los_Angeles; a WeChat Pay trade bill
row at 2026-10-01 10:00:00, China time, is 19:00 on 30 Sep in Los Angeles, but was booked
on 1 Oct at 10:00, with `timezone: Asia/Shanghai` on the channel or not: a non-China
merchant's WeChat takings at a month's end landed in the next month."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from beanclear.importers import alipay_fund, alipay_trade, jd_personal, taobao_orders, wechat_fund, wechat_trade
from beanclear.importers.toolkit import zone_time, zoned_period
from conftest import beanclear, write_files
from statement_files import fund_ledger, jd_statement, trade_detail
from zoneinfo import ZoneInfo

LA, SHANGHAI = ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Shanghai")

TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def trade_bill(folder, name="tradebill-2026-10-01.csv", time="2026-10-01 10:00:00"):
    row = (f"`{time},`wx81be3101902f7cb2,`1601959334,`0,`,`4200000000000000000000000001,`S1,`ofyak,`NATIVE,"
           "`SUCCESS,`OTHERS,`CNY,`100.00,`0.00,`0,`0,`0.00,`0.00,`,`,`tea,`,`0.60000,`0.60%,`100.00,`0.00,`")
    path = folder / name
    path.write_text("\n".join([TRADE_HEADER, row, TRADE_SUMMARY, "`1,`100.00,`0.00,`0.00,`0.60000,`100.00,`0.00"]),
                    encoding="utf-8")
    return path


FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"


def fund_bill(folder, day: str, rows: list[tuple[str, str, str, str]]):
    """A day's fund bill as `beanclear fetch` archives it: rows of (time, trade id, amount in, balance after)."""
    lines = [FUND_HEADER] + [f"`{t},`{ident},`F{ident},`交易,`交易,`收入,`{amount},`{after},`1601959334API,`,`O{ident}"
                             for t, ident, amount, after in rows]
    total = sum(Decimal(r[2]) for r in rows)
    lines += [FUND_SUMMARY, f"`{len(rows)},`{len(rows)},`{total},`0,`0.00"]
    path = folder / f"fundflow-{day}.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def config(make_config, books_zone: str | None, channel_zone: str | None = None, kind: str = "wechat"):
    zone = f"timezone: {books_zone}\n" if books_zone else ""
    own = f", timezone: {channel_zone}" if channel_zone else ""
    account = ", account_id: '20880000000000000156'" if kind == "alipay" else ""
    return make_config(f"books: books\ncurrency: CNY\n{zone}channels:\n"
                       f"  {kind}: {{type: {kind}, settlement_days: 30{account}{own}}}\n")


def booked(entry) -> tuple[str, str]:
    return str(entry.date), entry.meta["time"]


# -- the tester's case: WeChat's China time at the books' wall clock -------------------------

@pytest.mark.parametrize("channel_zone", [None, "Asia/Shanghai"])
def test_a_wechat_row_of_china_time_is_booked_at_the_los_angeles_books_wall_clock(make_config, tmp_path,
                                                                                 channel_zone):
    cfg = config(make_config, "America/Los_Angeles", channel_zone)
    out = wechat_trade.Importer(cfg.channels["wechat"], cfg).read(str(trade_bill(tmp_path)))
    assert [booked(e) for e in out.entries] == [("2026-09-30", "19:00:00")]   # as Stripe's `created` is
    # China's 1 October is 09:00 on 30 Sep to 09:00 on 1 Oct in Los Angeles
    assert (out.period, out.starts_inside, out.ends_inside) == (
        (dt.date(2026, 9, 30), dt.date(2026, 10, 1)), dt.datetime(2026, 9, 30, 9), dt.datetime(2026, 10, 1, 9))


def test_the_channel_s_timezone_says_the_zone_of_its_times(make_config, tmp_path):
    # 10:00 in Tokyo is 18:00 the day before in Los Angeles; a channel whose files are in
    # the books' own zone keeps them as written
    tokyo = config(make_config, "America/Los_Angeles", "Asia/Tokyo")
    out = wechat_trade.Importer(tokyo.channels["wechat"], tokyo).read(str(trade_bill(tmp_path)))
    assert [booked(e) for e in out.entries] == [("2026-09-30", "18:00:00")]
    own = config(make_config, "America/Los_Angeles", "America/Los_Angeles")
    out = wechat_trade.Importer(own.channels["wechat"], own).read(str(trade_bill(tmp_path)))
    assert [booked(e) for e in out.entries] == [("2026-10-01", "10:00:00")]
    assert (out.period, out.starts_inside, out.ends_inside) == ((dt.date(2026, 10, 1), dt.date(2026, 10, 1)), None,
                                                                None)


@pytest.mark.parametrize("books_zone", [None, "Asia/Shanghai"])
def test_must_not_fire_books_in_shanghai_keep_wechat_s_times_and_days_as_written(make_config, tmp_path, books_zone):
    cfg = config(make_config, books_zone)
    out = wechat_trade.Importer(cfg.channels["wechat"], cfg).read(str(trade_bill(tmp_path)))
    assert [booked(e) for e in out.entries] == [("2026-10-01", "10:00:00")]
    assert (out.period, out.starts_inside, out.ends_inside) == ((dt.date(2026, 10, 1), dt.date(2026, 10, 1)), None,
                                                                None)


# -- the other Chinese statements: one rule ----------------------------------------------------

def test_alipay_s_trade_detail_and_fund_ledger_are_china_time_too(make_config, tmp_path):
    # 2026-03-01 10:00 in China is 18:00 on 28 Feb in Los Angeles (PST, UTC-8)
    cfg = config(make_config, "America/Los_Angeles", kind="alipay")
    trades = alipay_trade.Importer(cfg.channels["alipay"], cfg).read(str(trade_detail(tmp_path)))
    first = next(e for e in trades.entries if e.meta["id"] == "2026030122001100001")
    assert booked(first) == ("2026-02-28", "18:00:00")
    # its stated period, [2026年03月01日 00:00:00] to [2026年03月02日 00:00:00], is China's day
    assert (trades.period, trades.starts_inside, trades.ends_inside) == (
        (dt.date(2026, 2, 28), dt.date(2026, 3, 1)), dt.datetime(2026, 2, 28, 8), dt.datetime(2026, 3, 1, 8))
    ledger = alipay_fund.Importer(cfg.channels["alipay"], cfg).read(str(fund_ledger(tmp_path)))
    payment = next(e for e in ledger.entries if e.meta["id"] == "310001")
    assert booked(payment) == ("2026-02-28", "18:00:00")
    # its rows run from 18:00 on 28 Feb to 07:00 on 1 Mar there: the close of 28 Feb is
    # asserted on 1 Mar; the balance of 07:00 on 1 Mar is no close of that day (its rest is
    # in the next statement), not asserted on 2 Mar
    closes = {str(e.date): e.amount.number for e in ledger.entries if type(e).__name__ == "Balance"}
    assert closes == {"2026-03-01": Decimal("124.25")}


def test_alipay_in_shanghai_books_must_not_fire(make_config, tmp_path):
    cfg = config(make_config, None, kind="alipay")
    ledger = alipay_fund.Importer(cfg.channels["alipay"], cfg).read(str(fund_ledger(tmp_path)))
    assert booked(next(e for e in ledger.entries if e.meta["id"] == "310001")) == ("2026-03-01", "10:00:00")
    closes = {str(e.date): e.amount.number for e in ledger.entries if type(e).__name__ == "Balance"}
    assert closes == {"2026-03-02": Decimal("0.00")}
    assert (ledger.period, ledger.ends_inside) == ((dt.date(2026, 3, 1), dt.date(2026, 3, 1)), None)


def test_a_personal_wallet_and_a_marketplace_are_china_time_too(make_config, tmp_path):
    cfg = make_config("books: books\ntimezone: America/Los_Angeles\nchannels:\n  jd: {type: jd-personal}\n"
                      "shops:\n  taobao: {type: taobao}\n")
    wallet = jd_personal.Importer(cfg.channels["jd"], cfg).read(str(jd_statement(tmp_path)))
    # 2023-03-03 10:00:00 in China is 18:00 on 2 Mar in Los Angeles
    assert booked(next(e for e in wallet.entries if e.meta["id"] == "2023030310000001")) == ("2023-03-02", "18:00:00")
    orders = tmp_path / "ExportOrderList.csv"
    orders.write_text("订单编号,买家实际支付金额,订单状态,订单创建时间,订单付款时间,宝贝标题\n"
                      "T1,100.00,交易成功,2026-10-01 10:00:00,2026-10-01 10:00:05,tea\n", encoding="utf-8")
    shop = taobao_orders.Importer(cfg.shops["taobao"], cfg).read(str(orders))
    assert [booked(e) for e in shop.entries] == [("2026-09-30", "19:00:00")]   # as its Alipay payment is


# -- the toolkit's rule ---------------------------------------------------------------------------

def test_zone_time_and_zoned_period():
    assert zone_time(dt.datetime(2026, 10, 1, 10), SHANGHAI, LA) == dt.datetime(2026, 9, 30, 19)
    assert zone_time(dt.datetime(2026, 12, 1, 10), SHANGHAI, LA) == dt.datetime(2026, 11, 30, 18)   # PST
    same = dt.datetime(2026, 10, 1, 10)
    assert zone_time(same, SHANGHAI, ZoneInfo("Asia/Shanghai")) is same and zone_time(same, None, LA) is same
    day = (dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    assert zoned_period(day, None, None, SHANGHAI, SHANGHAI) == (day, None, None)
    assert zoned_period(day, None, None, SHANGHAI, LA) == (
        (dt.date(2026, 9, 30), dt.date(2026, 10, 1)), dt.datetime(2026, 9, 30, 9), dt.datetime(2026, 10, 1, 9))
    # Singapore's day is China's: whole days, as stated
    assert zoned_period(day, None, None, SHANGHAI, ZoneInfo("Asia/Singapore")) == (day, None, None)
    # a period that ends inside its day (a download cut at 14:00 China time) ends at 23:00 the day before in LA
    assert zoned_period(day, None, dt.datetime(2026, 10, 1, 14), SHANGHAI, LA) == (
        (dt.date(2026, 9, 30), dt.date(2026, 9, 30)), dt.datetime(2026, 9, 30, 9), dt.datetime(2026, 9, 30, 23))
    # China's midnight is 01:00 in Tokyo: a day there starts and ends an hour in
    assert zoned_period(day, None, None, SHANGHAI, ZoneInfo("Asia/Tokyo")) == (
        (dt.date(2026, 10, 1), dt.date(2026, 10, 2)), dt.datetime(2026, 10, 1, 1), dt.datetime(2026, 10, 2, 1))


# -- the books: balances, coverage and the month's close at its boundary ------------------------

LA_BOOKS = """\
books: books
currency: CNY
timezone: America/Los_Angeles
channels:
  wechat: {type: wechat, settlement_days: 30}
"""

SEPTEMBER_30 = [("2026-09-30 08:00:00", "4201", "100.00", "100.00"),   # 17:00 on 29 Sep in Los Angeles
                ("2026-09-30 20:00:00", "4202", "50.00", "150.00")]    # 05:00 on 30 Sep
OCTOBER_1 = [("2026-10-01 10:00:00", "4203", "30.00", "180.00"),       # 19:00 on 30 Sep
             ("2026-10-01 20:00:00", "4204", "20.00", "200.00")]       # 05:00 on 1 Oct


def la_merchant(tmp_path, *bills):
    write_files(tmp_path, {"config.yaml": LA_BOOKS})
    (tmp_path / "statements").mkdir()
    for day, rows in bills:
        fund_bill(tmp_path / "statements", day, rows)
    return tmp_path


def findings(merchant) -> list[dict]:
    result = beanclear(merchant, "check", "--format", "json")
    return json.loads(result.output)["findings"]


def test_china_s_daily_bills_tile_the_books_days_and_their_balances_hold(tmp_path):
    """Each daily fund bill asserts the close of the Los Angeles day whose end it holds
    (180.00 at the start of 1 Oct: 100 + 50 + 30), never of the day its last rows are
    only the morning of: two bills asserting different balances on one day would fail
    bean-check. The books' days are covered without a hole, and September can be closed
    with the bill of China's 1 October, which holds the evening of 30 Sep."""
    merchant = la_merchant(tmp_path, ("2026-09-30", SEPTEMBER_30), ("2026-10-01", OCTOBER_1))
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    books = (merchant / "books" / "wechat" / "2026" / "2026-09.beancount").read_text(encoding="utf-8")
    books += (merchant / "books" / "wechat" / "2026" / "2026-10.beancount").read_text(encoding="utf-8")
    assert re.search(r"\n2026-10-01 balance Assets:Clearing:WeChat +180\.00 CNY\n", books)
    assert "150.00 CNY" not in books and "2026-10-02 balance" not in books
    assert '2026-09-30 * "WeChat Pay" "交易 O4203" ^order-O4203\n  time: "19:00:00"' in books
    assert [f for f in findings(merchant) if f["severity"] == "error" or f["code"] == "statement-gap"] == []
    result = beanclear(merchant, "close", "2026-09")
    assert result.exit_code == 0, result.output


def test_september_is_not_closed_before_the_bill_that_holds_its_last_evening(tmp_path):
    """China's 30 September ends at 09:00 on 30 Sep in Los Angeles: its bill does not
    cover the books' 30 Sep, and closing September is refused (statement-gap) until the
    bill of China's 1 October is in; its rows of 30 Sep then book into the open month."""
    merchant = la_merchant(tmp_path, ("2026-09-30", SEPTEMBER_30))
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    result = beanclear(merchant, "close", "2026-09")
    assert result.exit_code == 1 and "statement-gap" in result.output, result.output
    assert "2026-09-29" in result.output
    fund_bill(merchant / "statements", "2026-10-01", OCTOBER_1)
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    assert beanclear(merchant, "close", "2026-09").exit_code == 0
