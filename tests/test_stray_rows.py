"""A row whose date cannot be its statement's is refused at its line (blind13, robustness):
a day's WeChat bill whose first row was retyped `9999-03-09 10:00:00` wrote books for 9999
and a coverage record of 2026-03-09 to 9999-03-09, which hid the ten days of bills never
imported after it (no statement-gap); typed 2025, one row made a day's bill cover a year
and moved the channel's opening a year back. A row after today (the books' clock) is
refused whatever --force says (importers/base.py Latest); a row more than 92 days from
every other row of its statement, and from the period it states, unless --force
(statements/belonging.py strays). A statement that is long, or sparse, is not refused."""

from __future__ import annotations

import pytest

from conftest import beanclear, snapshot

TODAY = "2026-03-25"

WECHAT = "books: books\ncurrency: CNY\nchannels:\n  wechat: {type: wechat, settlement_days: 1, fees: [{rate: 0.006}]}\n"
BANK = """\
books: books
currency: CNY
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
"""
BANK_HEADER = "交易日期,交易流水号,摘要,对方户名,交易金额,余额"

TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def trade_bill(folder, name, times):
    """A WeChat trade bill of one 50.00 payment at each of `times`, as WeChat writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"{when},wx1,1601959334,0,,42000{when[:10].replace('-', '')}{at:04d},ORD-{at},user,JSAPI,SUCCESS,CFT,CNY,"
            f"50.00,0.00,0,0,0.00,0.00,,,Tea,,0.30000,0.60%,50.00,0.00," for at, when in enumerate(times)]
    summary = f"{len(times)},{50 * len(times)}.00,0.00,0.00,{0.3 * len(times):.5f},{50 * len(times)}.00,0.00"
    lines = [TRADE_HEADER] + [",".join("`" + c for c in r.split(",")) for r in rows]
    lines += [TRADE_SUMMARY, ",".join("`" + c for c in summary.split(","))]
    (folder / name).write_text("\r\n".join(lines), encoding="utf-8")
    return folder / name


def bank_statement(folder, name, days, preamble=()):
    """A bank CSV of a 10.00 credit on each of `days`, its running balance after each."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"{day},B{at},货款,某公司,10.00,{1000 + 10 * (at + 1)}.00" for at, day in enumerate(days)]
    (folder / name).write_text("\n".join([*preamble, BANK_HEADER, *rows]) + "\n", encoding="utf-8")
    return folder / name


@pytest.fixture
def wechat_books(tmp_path, monkeypatch):
    """A WeChat merchant whose books hold the bill of 2026-03-08."""
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(WECHAT, encoding="utf-8")
    trade_bill(tmp_path / "st", "day8.csv", ["2026-03-08 10:00:00", "2026-03-08 12:00:00", "2026-03-08 16:00:00"])
    assert beanclear(tmp_path, "import", str(tmp_path / "st")).exit_code == 0
    return tmp_path


def test_a_row_typed_9999_is_refused_at_its_line_and_the_gap_after_it_stays(wechat_books):
    tmp_path = wechat_books
    day9 = trade_bill(tmp_path / "in", "day9.csv", ["9999-03-09 10:00:00", "2026-03-09 12:00:00", "2026-03-09 16:00:00"])
    day20 = trade_bill(tmp_path / "in", "day20.csv", ["2026-03-20 10:00:00", "2026-03-20 12:00:00"])
    before = snapshot(tmp_path / "books")
    for force in ((), ("--force",)):   # no day to come is a day a statement covers, forced or not
        refused = beanclear(tmp_path, "import", *force, str(day9), str(day20))
        assert refused.exit_code == 2, refused.output
        assert "day9.csv:2: a row dated 9999-03-09, after today (2026-03-25, BEANCLEAR_TODAY)" in refused.output
        assert "Traceback" not in refused.output
        assert snapshot(tmp_path / "books") == before
    # corrected, the bills leave 03-10 to 03-19 uncovered: the gap the typo hid
    trade_bill(tmp_path / "in", "day9.csv", ["2026-03-09 10:00:00", "2026-03-09 12:00:00", "2026-03-09 16:00:00"])
    assert beanclear(tmp_path, "import", str(day9), str(day20)).exit_code == 0
    checked = beanclear(tmp_path, "check")
    assert "no statement of wechat covers 2026-03-10 to 2026-03-19" in checked.output, checked.output


def test_a_row_of_tomorrow_is_a_zone_ahead_not_a_day_to_come(wechat_books):
    # the books' day may be a day ahead of the machine's (a row timed after midnight in Shanghai)
    tmp_path = wechat_books
    bill = trade_bill(tmp_path / "in", "day.csv", ["2026-03-25 10:00:00", "2026-03-26 00:30:00"])
    result = beanclear(tmp_path, "import", str(bill))
    assert result.exit_code == 0, result.output
    later = trade_bill(tmp_path / "in2", "day.csv", ["2026-03-25 11:00:00", "2026-03-27 00:30:00"])
    refused = beanclear(tmp_path, "import", str(later))
    assert refused.exit_code == 2 and "day.csv:3: a row dated 2026-03-27, after today (2026-03-25" in refused.output


def test_one_row_of_a_days_bill_typed_a_year_early_is_refused_unless_forced(wechat_books):
    # one bill of 03-09 covered 2025-03-09 to 2026-03-09 and moved the opening a year back
    tmp_path = wechat_books
    bill = trade_bill(tmp_path / "in", "day9.csv", ["2025-03-09 10:00:00", "2026-03-09 12:00:00", "2026-03-09 16:00:00"])
    before = snapshot(tmp_path / "books")
    refused = beanclear(tmp_path, "import", str(bill))
    assert refused.exit_code == 2, refused.output
    assert ("day9.csv:2: a row dated 2025-03-09, more than 92 days from every other row of the statement (the "
            "nearest is dated 2026-03-09, line 3): a mistyped date?") in refused.output
    assert "pass --force to import it as it is" in refused.output
    assert snapshot(tmp_path / "books") == before
    forced = beanclear(tmp_path, "import", "--force", str(bill))
    assert forced.exit_code == 0, forced.output
    assert list((tmp_path / "books" / "wechat").rglob("2025-03.beancount"))


def test_a_days_bill_stating_its_day_refuses_a_row_far_from_it(wechat_books):
    # a bill named as `beanclear fetch` archives it states its day: two rows, one typed 2025
    tmp_path = wechat_books
    bill = trade_bill(tmp_path / "in", "tradebill-2026-03-09.csv", ["2026-03-09 12:00:00", "2025-03-09 10:00:00"])
    refused = beanclear(tmp_path, "import", str(bill))
    assert refused.exit_code == 2, refused.output
    assert ("tradebill-2026-03-09.csv:3: a row dated 2025-03-09, more than 92 days from every other row of the "
            "statement (the nearest is dated 2026-03-09, line 2), and from the period it states, 2026-03-09 to "
            "2026-03-09") in refused.output


def test_a_bank_line_typed_2062_is_refused_at_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    bank_statement(tmp_path / "st", "mar.csv", ["2026-03-02", "2026-03-05"])
    assert beanclear(tmp_path, "import", str(tmp_path / "st")).exit_code == 0
    before = snapshot(tmp_path / "books")
    typo = bank_statement(tmp_path / "in", "ops-typo.csv", ["2026-03-09", "2062-03-09"])
    refused = beanclear(tmp_path, "import", str(typo))
    assert refused.exit_code == 2 and "ops-typo.csv:3: a row dated 2062-03-09, after today (2026-03-25" \
        in refused.output, refused.output
    assert snapshot(tmp_path / "books") == before


# -- must not fire: statements long or sparse, whose rows are where their statement says --------

def test_a_year_of_a_bank_a_row_a_month_is_taken(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    year = bank_statement(tmp_path / "st", "2025.csv", [f"2025-{month:02d}-15" for month in range(1, 13)])
    result = beanclear(tmp_path, "import", str(year))
    assert result.exit_code == 0, result.output
    assert 'id: "coverage 2025-01-15 2025-12-15' in (tmp_path / "books" / "ops" / "2025" / "2025-12.beancount").read_text()


def test_a_year_stated_with_few_rows_is_taken(tmp_path, monkeypatch):
    # rows 316 days apart, each inside the year the statement states
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    year = bank_statement(tmp_path / "st", "year.csv", ["2025-04-10", "2026-02-20"],
                          preamble=("账户明细查询", "查询期间：2025-03-01 至 2026-02-28"))
    result = beanclear(tmp_path, "import", str(year))
    assert result.exit_code == 0, result.output
    assert "days it covers" not in result.output


def test_a_sparse_statement_without_a_period_has_no_body_to_stray_from(tmp_path, monkeypatch):
    # a quiet account's year, no period stated: three rows four months apart, none the odd one out
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    year = bank_statement(tmp_path / "st", "year.csv", ["2025-03-10", "2025-07-10", "2025-11-10"])
    assert beanclear(tmp_path, "import", str(year)).exit_code == 0


PAYPAL = "books: books\ncurrency: USD\nchannels:\n  paypal: {type: paypal, currency: USD}\n"
PAYPAL_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
                 '"To Email Address","Transaction ID","Address Status","Sales Tax","Reference Txn ID","Invoice Number",'
                 '"Receipt ID","Balance","Contact Phone Number","Subject","Note"')


def paypal_row(day, ident, balance):
    return (f'"{day}","10:00:00","PST","Buyer","Website Payment","Completed","USD","20.00","-1.00","19.00",'
            f'"buyer@example.com","shop@example.com","{ident}","Confirmed","","","","","{balance}","","",""')


def test_a_quiet_paypal_account_two_rows_80_days_apart_is_taken(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    (tmp_path / "config.yaml").write_text(PAYPAL, encoding="utf-8")
    (tmp_path / "st").mkdir()
    (tmp_path / "st" / "paypal.csv").write_text(
        "\n".join([PAYPAL_HEADER, paypal_row("05/11/2025", "TX1", "19.00"), paypal_row("24/01/2026", "TX2", "38.00")])
        + "\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "st"))
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 entries written, 0 already in the books; balance assertions: 2 written" in result.output, \
        result.output   # and apart their two balances
