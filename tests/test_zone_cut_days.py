"""A statement whose rows are timed in a zone of its own (Stripe's itemized reports: UTC)
is cut at that zone's day boundaries: it runs to the end of its last row's day there. In
the books' zone it covers whole days only up to the last local day that ends by then
(statements/coverage.py, `ends:`).

blind12 (tester "saas"): books in America/New_York, Stripe's report downloaded per UTC
month. April's report ends 30 April 24:00 UTC, 20:00 in New York: `close 2026-04`
accepted it as all of New York's 30 April, and May's ordinary report was then refused,
its first row (1 May 02:30 UTC) being 30 April 22:30 in New York."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from conftest import beanclear, snapshot

from beanclear.statements.coverage import Coverage

CONFIG = """\
books: books
currency: USD
timezone: {zone}
channels:
  stripe: {{type: stripe, currency: USD, settlement_days: 30, bank: firstbank, bank_days: 3}}
banks:
  firstbank:
    type: csv
    account: Assets:Bank:FirstBank
    currency: USD
    opening_balance: {{date: 2026-03-30, amount: 1000.00}}
    columns: {{date: Posting Date, amount: Amount, memo: Description, ref: Reference, balance: Running Balance}}
checks:
  unsettled: {{severity: off}}
  bank-unmatched: {{severity: off}}
"""
HEADER = ("balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,"
          "source_id,description,automatic_payout_id")
BANK = "Posting Date,Description,Amount,Reference,Running Balance\n"

APRIL = [("A1", "2026-04-01 12:00:00", "100.00", "3.20"), ("A2", "2026-04-15 09:00:00", "80.00", "2.62"),
         ("A3", "2026-04-30 21:58:44", "50.00", "1.75")]
MAY = [("M1", "2026-05-01 02:30:00", "49.00", "1.72"), ("M2", "2026-05-31 15:00:00", "20.00", "0.88")]


def stripe_csv(path: Path, rows) -> None:
    """A Stripe balance change report (times in UTC) of (id, created_utc, gross, fee) charges."""
    lines = [HEADER] + [f"txn_{i},{when},{when},usd,{gross},{fee},{Decimal(gross) - Decimal(fee)},charge,ch_{i},Sale,"
                        for i, when, gross, fee in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def merchant(root: Path, monkeypatch, zone: str, may=MAY) -> Path:
    """Books in `zone`; April's and May's Stripe reports (per UTC month) and bank statements."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-06-03")
    monkeypatch.setenv("USER", "alice")
    (root / "config.yaml").write_text(CONFIG.format(zone=zone), encoding="utf-8")
    stripe_csv(root / "apr" / "stripe-2026-04.csv", APRIL)
    stripe_csv(root / "may" / "stripe-2026-05.csv", may)
    (root / "apr" / "bank-2026-04.csv").write_text(
        BANK + "2026-04-01,INTEREST,1.00,B1,1001.00\n2026-04-30,INTEREST,1.00,B2,1002.00\n", encoding="utf-8")
    (root / "may" / "bank-2026-05.csv").write_text(
        BANK + "2026-05-01,INTEREST,1.00,B3,1003.00\n2026-05-29,INTEREST,1.00,B4,1004.00\n", encoding="utf-8")
    assert beanclear(root, "import", str(root / "apr")).exit_code == 0
    if (root / "books" / "firstbank" / "2026" / "2026-03.beancount").exists() or \
            (root / "books" / "stripe" / "2026" / "2026-03.beancount").exists():
        closed = beanclear(root, "close", "2026-03")
        assert closed.exit_code == 0, closed.output
    return root


def records(root: Path) -> list[str]:
    """The coverage records of stripe's statements, each as its lines in the books."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "books" / "stripe").rglob("*.beancount")))
    return ["custom" + part.split("\n\n", 1)[0] for part in text.split("custom")[1:]
            if part.startswith(' "beanclear-coverage"')]


def test_a_utc_month_report_leaves_new_yorks_last_day_of_the_month_open(tmp_path, monkeypatch):
    """April's report ends 30 April 24:00 UTC, 20:00 in New York: it covers New York's
    days through 29 April, its record says where it stops on the 30th, and `close
    2026-04` waits for the rest of the 30th, naming the source and the statement that
    holds it. May's report brings it; then April closes, and May's rows of 30 April
    (New York) are in it."""
    root = merchant(tmp_path, monkeypatch, "America/New_York")
    [april] = records(root)
    assert april.startswith('custom "beanclear-coverage" "stripe" 2026-04-01')
    assert 'ends: "2026-04-30 20:00:00"' in april
    before = snapshot(root / "books")
    refused = beanclear(root, "close", "2026-04")
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert ("statement-gap 2026-04-29 stripe: the statements of stripe end 2026-04-29, before the month's end "
            "(2026-04-30): the last (stripe-2026-04.csv) holds 2026-04-30 only up to 20:00:00; the rest of that day "
            "is in the statement after it") in said, said
    assert snapshot(root / "books") == before
    imported = beanclear(root, "import", str(root / "may"))
    assert imported.exit_code == 0, imported.output
    closed = beanclear(root, "close", "2026-04")
    assert closed.exit_code == 0, closed.output


@pytest.mark.parametrize("zone, first, ends", [
    ("Asia/Shanghai", "2026-04-01", 'ends: "2026-05-01 08:00:00"'),   # its last row: 1 May 05:58 there
    ("UTC", "2026-04-01", None),
])
def test_a_utc_month_report_closes_the_month_where_its_day_ends_by_the_books_midnight(tmp_path, monkeypatch, zone,
                                                                                    first, ends):
    """Must not fire: in Shanghai the report's last UTC day ends 08:00 on 1 May, in UTC
    at midnight: April's report alone covers all of 30 April, April closes, and May's
    report is imported after (its first row is in May there)."""
    root = merchant(tmp_path, monkeypatch, zone)
    [april] = records(root)
    assert april.startswith(f'custom "beanclear-coverage" "stripe" {first}')
    assert (ends in april) if ends else ("ends:" not in april), april
    closed = beanclear(root, "close", "2026-04")
    assert closed.exit_code == 0, closed.output
    imported = beanclear(root, "import", str(root / "may"))
    assert imported.exit_code == 0, imported.output


def test_the_next_utc_days_report_covers_new_yorks_evening_whatever_its_first_row(tmp_path, monkeypatch):
    """Must not fire: May's report starts 1 May 00:00 UTC, 30 April 20:00 in New York;
    its first row is 1 May 01:00 there, the rest of 30 April had none: 30 April is no
    hole, nor a quiet day, between April's report and May's, and `check` says no
    statement-gap."""
    may = [("M1", "2026-05-01 05:00:00", "49.00", "1.72"), ("M2", "2026-05-31 15:00:00", "20.00", "0.88")]
    root = merchant(tmp_path, monkeypatch, "America/New_York", may=may)
    assert beanclear(root, "import", str(root / "may")).exit_code == 0
    assert records(root)[1].startswith('custom "beanclear-coverage" "stripe" 2026-05-01'), records(root)
    entries, _, _ = loader.load_file(str(root / "books" / "main.beancount"))
    cover = Coverage.of(entries)
    assert cover.uncovered("stripe", dt.date(2026, 4, 1), dt.date(2026, 5, 30)) is None   # no quiet day between
    assert cover.quiet_runs("stripe") == []
    checked = beanclear(root, "check")
    assert "statement-gap" not in checked.output, checked.output
    closed = beanclear(root, "close", "2026-04")
    assert closed.exit_code == 0, closed.output


def test_reports_of_one_utc_day_each_cover_new_yorks_days_one_after_another(tmp_path, monkeypatch):
    """Must not fire: a report of one UTC day covers no New York day whole by itself (20:00
    to 20:00); the next one, starting where it stops, makes its day whole. The day of
    the last waits for the next report, as April's 30th did."""
    root = merchant(tmp_path, monkeypatch, "America/New_York", may=[("M1", "2026-05-01 15:00:00", "49.00", "1.72")])
    stripe_csv(root / "may2" / "stripe-2026-05-02.csv", [("M2", "2026-05-02 15:00:00", "20.00", "0.88")])
    for folder in ("may", "may2"):
        assert beanclear(root, "import", str(root / folder)).exit_code == 0
    entries, _, _ = loader.load_file(str(root / "books" / "main.beancount"))
    cover = Coverage.of(entries)
    assert cover.end("stripe") == dt.date(2026, 5, 1)
    assert cover.uncovered("stripe", dt.date(2026, 4, 1), dt.date(2026, 5, 1)) is None
    assert cover.cut_after("stripe", dt.date(2026, 5, 1)) == ("2026-05-02 20:00:00", "stripe-2026-05-02.csv")


def test_late_money_is_judged_to_the_day_the_report_stops_inside(tmp_path, monkeypatch):
    """April's report stops at 20:00 on 30 April in New York: close waits for the rest of
    that day, but money of 27 April (T+2) still held then is late whatever the evening
    brings, as it is for any statement read to its last line's day (test_unseen_merchants
    seed 28152: an unsettled of 04-06 went unseen when the horizon stopped at the whole
    days). Must not fire: 28 April's is due on the 30th, its payout may come that evening."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-06-03")
    monkeypatch.setenv("USER", "alice")
    config = CONFIG.format(zone="America/New_York").replace("settlement_days: 30", "settlement_days: 2")
    (tmp_path / "config.yaml").write_text(config.replace("  unsettled: {severity: off}\n", ""), encoding="utf-8")
    rows = [("A1", "2026-04-27 15:00:00", "100.00", "3.20"), ("A2", "2026-04-28 15:00:00", "80.00", "2.62"),
            ("A3", "2026-04-30 21:58:44", "50.00", "1.75")]
    stripe_csv(tmp_path / "apr" / "stripe-2026-04.csv", rows)
    assert beanclear(tmp_path, "import", str(tmp_path / "apr")).exit_code == 0
    said = " ".join(beanclear(tmp_path, "check").output.split())
    assert "unsettled 2026-04-27 stripe" in said, said
    assert "unsettled 2026-04-28" not in said, said


PAYPAL = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","Transaction ID",'
          '"Reference Txn ID","Invoice Number","Balance","Subject"\n')


def paypal_csv(path: Path, rows) -> None:
    """A PayPal activity download of (day, time, zone, gross, fee, id, balance) payments."""
    lines = [f'"{day}","{time}","{zone}","A","Express Checkout Payment","Completed","USD","{gross}","-{fee}",'
             f'"{Decimal(gross) - Decimal(fee)}","{ident}","","{ident}","{balance}","Order"'
             for day, time, zone, gross, fee, ident, balance in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAYPAL + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("zone, closes", [("America/Los_Angeles", False), ("Europe/Berlin", True)])
def test_a_paypal_download_of_a_berlin_month_stops_inside_los_angeles_last_day(tmp_path, monkeypatch, zone, closes):
    """blind13 (tester "timezones"): a PayPal account in Berlin, downloaded per Berlin
    month, ends 30 September 24:00 CEST: 15:00 in Los Angeles. Its record says so, and
    `close 2026-09` waits for October's download, which holds the evening (its first row
    1 October 03:00 CEST, 30 September 18:00 there). Must not fire: books in Berlin, the
    month is whole."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-10-20")
    (tmp_path / "config.yaml").write_text(
        f"books: books\ncurrency: USD\ntimezone: {zone}\nchannels:\n"
        "  paypal: {type: paypal, currency: USD, settlement_days: 30}\n", encoding="utf-8")
    paypal_csv(tmp_path / "sep" / "paypal-2026-09.csv", [
        ("28/09/2026", "12:00:00", "CEST", "50.00", "2.24", "7PP01", "47.76"),
        ("30/09/2026", "13:00:00", "CEST", "54.79", "2.55", "7PP02", "100.00")])
    paypal_csv(tmp_path / "oct" / "paypal-2026-10.csv", [
        ("01/10/2026", "03:00:00", "CEST", "62.66", "2.66", "7PP03", "160.00"),
        ("14/10/2026", "12:00:00", "CEST", "20.00", "1.19", "7PP04", "178.81")])
    assert beanclear(tmp_path, "import", str(tmp_path / "sep")).exit_code == 0
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "books" / "paypal").rglob("*.beancount"))
    assert ('ends: "2026-09-30 15:00:00"' in text) != closes, text
    closed = beanclear(tmp_path, "close", "2026-09")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert "holds 2026-09-30 only up to 15:00:00" in " ".join(closed.output.split()), closed.output
        assert beanclear(tmp_path, "import", str(tmp_path / "oct")).exit_code == 0
        closed = beanclear(tmp_path, "close", "2026-09")
        assert closed.exit_code == 0, closed.output


# -- quiet days after the last row are its zone's days too ------------------------------------

STRIPE_ONLY = """\
books: books
currency: USD
timezone: {zone}
channels:
  stripe: {{type: stripe, currency: USD, settlement_days: 60, shop: none{own}}}
"""
FEB_DAILY = [(f"F{d:02d}", f"2026-02-{d:02d} 15:00:00", "50.00", "1.75") for d in range(2, 28)]
FEB_SPARSE = [("F1", "2026-02-02 15:00:00", "50.00", "1.75"), ("F2", "2026-02-10 15:00:00", "80.00", "2.62"),
              ("F3", "2026-02-26 15:00:00", "30.00", "1.17")]
FEB_LATE_UTC = FEB_DAILY[:-1] + [("F27", "2026-02-27 02:00:00", "50.00", "1.75")]   # 26 Feb 21:00 in New York
MARCH = [("M1", "2026-03-01 01:30:00", "50.00", "1.75"),   # 28 Feb 20:30 in New York
         ("M2", "2026-03-02 15:00:00", "50.00", "1.75")]


def february(root: Path, monkeypatch, zone: str, rows, own: str = "") -> Path:
    """Books in `zone` of a Stripe account alone; February's report (per UTC month, unless
    the channel's `timezone:` `own` says the zone of its times) imported, March's beside it."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    monkeypatch.setenv("USER", "alice")
    (root / "config.yaml").write_text(STRIPE_ONLY.format(zone=zone, own=own), encoding="utf-8")
    stripe_csv(root / "feb" / "stripe-2026-02.csv", rows)
    if own:   # times in the account's zone: `created`, not `created_utc`
        report = root / "feb" / "stripe-2026-02.csv"
        report.write_text(report.read_text(encoding="utf-8").replace("_utc", "", 2), encoding="utf-8")
    stripe_csv(root / "mar" / "stripe-2026-03.csv", MARCH)
    imported = beanclear(root, "import", str(root / "feb"))
    assert imported.exit_code == 0, imported.output
    return root


@pytest.mark.parametrize("rows, end", [(FEB_DAILY, "2026-02-26"), (FEB_LATE_UTC, "2026-02-26"),
                                       (FEB_SPARSE, "2026-02-25")])
def test_quiet_days_after_a_utc_reports_last_row_never_hold_new_yorks_last_evening(tmp_path, monkeypatch, rows, end):
    """blind26 (tester "disputes"): February's report in UTC, its last row on 27 Feb (or
    on 26 Feb in New York, or days before), closed February: the days after its last row
    may be quiet, but they are UTC's, and its 28 Feb ends at 19:00 in New York. March's
    report held a row of 20:30 that evening and was refused, February being closed. The
    close waits for it, as when the last row is on the 28th; then February closes, and
    `check` finds no gap between the two reports."""
    root = february(tmp_path, monkeypatch, "America/New_York", rows)
    before = snapshot(root / "books")
    refused = beanclear(root, "close", "2026-02")
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert (f"statement-gap {end} stripe: the statements of stripe end {end}, before the month's end (2026-02-28): "
            "the last (stripe-2026-02.csv) runs by the days of UTC: with quiet days after its last row, it holds "
            "2026-02-28 only up to 19:00:00; the rest of that day is in the statement after it") in said, said
    assert "quiet_days" not in said   # no setting makes a UTC day hold New York's evening
    assert snapshot(root / "books") == before
    checked = beanclear(root, "check")   # the daily routine: the next report is not due yet
    assert "statement-gap" not in checked.output, checked.output
    imported = beanclear(root, "import", str(root / "mar"))
    assert imported.exit_code == 0, imported.output
    closed = beanclear(root, "close", "2026-02")
    assert closed.exit_code == 0, closed.output
    checked = beanclear(root, "check")
    assert "statement-gap" not in checked.output, checked.output


@pytest.mark.parametrize("zone, own", [("Asia/Shanghai", ""), ("UTC", ""),
                                       ("America/New_York", ", timezone: America/Los_Angeles")])
def test_quiet_days_of_a_zone_whose_day_ends_after_the_books_reach_the_months_end(tmp_path, monkeypatch, zone, own):
    """Must not fire: where the report's zone ends its 28 Feb at or after the books'
    midnight (08:00 on 1 Mar in Shanghai; midnight in UTC; 03:00 on 1 Mar in New York
    for a report in the Stripe account's Los Angeles time, `created` without `_utc`),
    its quiet days after 27 Feb hold all of the books' 28 Feb: February closes."""
    root = february(tmp_path, monkeypatch, zone, FEB_DAILY, own)
    closed = beanclear(root, "close", "2026-02")
    assert closed.exit_code == 0, closed.output


@pytest.mark.parametrize("zone, closes", [("America/Los_Angeles", False), ("Europe/Berlin", True)])
def test_quiet_days_after_a_berlin_paypal_download_never_hold_los_angeles_last_evening(tmp_path, monkeypatch, zone,
                                                                                     closes):
    """PayPal's download of a Berlin month whose last row is on 28 September: its quiet
    days are Berlin's, whose 30 September ends at 15:00 in Los Angeles. Must not fire:
    books in Berlin."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-10-20")
    (tmp_path / "config.yaml").write_text(
        f"books: books\ncurrency: USD\ntimezone: {zone}\nchannels:\n"
        "  paypal: {type: paypal, currency: USD, settlement_days: 30}\n", encoding="utf-8")
    paypal_csv(tmp_path / "sep" / "paypal-2026-09.csv", [
        ("27/09/2026", "12:00:00", "CEST", "50.00", "2.24", "7PP01", "47.76"),
        ("28/09/2026", "13:00:00", "CEST", "54.79", "2.55", "7PP02", "100.00")])
    assert beanclear(tmp_path, "import", str(tmp_path / "sep")).exit_code == 0
    closed = beanclear(tmp_path, "close", "2026-09")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert ("the last (paypal-2026-09.csv) runs by the days of +02:00: with quiet days after its last row, it "
                "holds 2026-09-30 only up to 15:00:00") in " ".join(closed.output.split()), closed.output


@pytest.mark.parametrize("zone, closes", [("America/Los_Angeles", False), ("Asia/Shanghai", True)])
def test_quiet_days_after_a_chinese_export_read_from_its_lines_are_chinas(tmp_path, monkeypatch, zone, closes):
    """The same rule for every statement read from its lines whose times are another
    zone's: a Taobao orders export, China's time, its last order on 28 September; China's
    30 September ends at 09:00 in Los Angeles. Must not fire: books in Shanghai."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-10-20")
    (tmp_path / "config.yaml").write_text(
        f"books: books\ncurrency: CNY\ntimezone: {zone}\nshops:\n  taobao: {{type: taobao, order_days: 60}}\n", encoding="utf-8")
    orders = tmp_path / "sep" / "ExportOrderList-2026-09.csv"
    orders.parent.mkdir()
    orders.write_text("订单编号,买家实际支付金额,订单状态,订单创建时间,订单付款时间,宝贝标题\n"
                      "T1,100.00,交易成功,2026-09-20 12:00:00,2026-09-20 12:00:05,tea\n"
                      "T2,80.00,交易成功,2026-09-28 12:00:00,2026-09-28 12:00:05,tea\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "sep")).exit_code == 0
    closed = beanclear(tmp_path, "close", "2026-09")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert ("runs by the days of Asia/Shanghai: with quiet days after its last row, it holds 2026-09-30 only "
                "up to 09:00:00") in " ".join(closed.output.split()), closed.output


@pytest.mark.parametrize("zone, closes", [("America/New_York", False), ("Asia/Shanghai", True)])
def test_quiet_days_after_stripes_payments_export_in_utc_are_utcs(tmp_path, monkeypatch, zone, closes):
    """Stripe's payments export writes its times in UTC (`Created (UTC)`) as the itemized
    report does: cut at UTC's days, its last charge on 27 Feb, it holds New York's 28 Feb
    only up to 19:00. Must not fire: books in Shanghai."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    (tmp_path / "config.yaml").write_text(STRIPE_ONLY.format(zone=zone, own=""), encoding="utf-8")
    export = tmp_path / "feb" / "unified_payments.csv"
    export.parent.mkdir()
    export.write_text("id,Description,Created (UTC),Amount,Amount Refunded,Currency,Fee,Mode,Status,Captured\n"
                      + "".join(f"ch_F{d:02d},Sale,2026-02-{d:02d} 15:00,50.00,0,usd,1.75,Live,Paid,true\n"
                                for d in range(20, 28)), encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "feb")).exit_code == 0
    closed = beanclear(tmp_path, "close", "2026-02")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert ("the last (unified_payments.csv) runs by the days of UTC: with quiet days after its last row, it "
                "holds 2026-02-28 only up to 19:00:00") in " ".join(closed.output.split()), closed.output


# -- a window asked in another zone's days ---------------------------------------------------

def paypal_search(path: Path, start: str, end: str, rows) -> None:
    """A PayPal Transaction Search answer for the window start..end, of (id, time, amount, balance) payments."""
    details = [{"transaction_info": {
        "transaction_id": ident, "transaction_event_code": "T0006", "transaction_initiation_date": when,
        "transaction_updated_date": when, "transaction_amount": {"currency_code": "USD", "value": gross},
        "fee_amount": {"currency_code": "USD", "value": "-1.00"}, "transaction_status": "S",
        "ending_balance": {"currency_code": "USD", "value": balance}, "invoice_id": ident}}
        for ident, when, gross, balance in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"transaction_details": details, "account_number": "XK7Q9WZ3LM2PA", "start_date": start,
                                "end_date": end, "page": 1, "total_items": len(details), "total_pages": 1}),
                    encoding="utf-8")


@pytest.mark.parametrize("start, end, closes", [
    ("2026-02-01T00:00:00+0000", "2026-02-28T23:59:59+0000", False),   # UTC's February: to 19:00 in New York
    ("2026-02-01T05:00:00+0000", "2026-03-01T04:59:59+0000", True),    # New York's February, asked in UTC
])
def test_a_paypal_search_of_utcs_february_holds_new_yorks_28th_only_up_to_19(tmp_path, monkeypatch, start, end, closes):
    """A window asked in UTC's days (a Transaction Search of 1 Feb 00:00Z to 28 Feb
    23:59:59Z) covers New York's 28 Feb only up to 19:00, though every day between was
    asked: its record says where it stops, and February waits for the answer after it.
    Must not fire: the window of New York's month, written in UTC."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    (tmp_path / "config.yaml").write_text(
        "books: books\ncurrency: USD\ntimezone: America/New_York\nchannels:\n"
        "  paypal: {type: paypal, currency: USD, settlement_days: 30}\n", encoding="utf-8")
    paypal_search(tmp_path / "feb" / "paypal-2026-02.json", start, end,
                  [("P1", "2026-02-10T15:00:00+0000", "50.00", "49.00"), ("P2", "2026-02-20T15:00:00+0000", "30.00",
                                                                            "78.00")])
    imported = beanclear(tmp_path, "import", str(tmp_path / "feb"))
    assert imported.exit_code == 0, imported.output
    closed = beanclear(tmp_path, "close", "2026-02")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert ("the last (paypal-2026-02.json) holds 2026-02-28 only up to 19:00:00; the rest of that day is in the "
                "statement after it") in " ".join(closed.output.split()), closed.output


@pytest.mark.parametrize("gte, lt, closes", [(1769904000, 1772323200, False),   # 1 Feb 00:00Z to 1 Mar 00:00Z
                                             (1769922000, 1772341200, True)])   # New York's February
def test_a_stripe_list_asked_for_utcs_february_holds_new_yorks_28th_only_up_to_19(tmp_path, monkeypatch, gte, lt,
                                                                                 closes):
    """The same for a Stripe list whose `url` asks a window of UTC's days."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    (tmp_path / "config.yaml").write_text(STRIPE_ONLY.format(zone="America/New_York", own=""), encoding="utf-8")
    txn = {"id": "txn_1", "object": "balance_transaction", "amount": 5000, "available_on": 1770735600,
           "created": 1770735600, "currency": "usd", "description": "Sale", "exchange_rate": None, "fee": 175,
           "fee_details": [], "net": 4825, "reporting_category": "charge", "source": "ch_1", "status": "available",
           "type": "charge"}
    listing = {"object": "list", "data": [txn], "has_more": False,
               "url": f"/v1/balance_transactions?created[gte]={gte}&created[lt]={lt}"}
    (tmp_path / "feb").mkdir()
    (tmp_path / "feb" / "stripe-2026-02.json").write_text(json.dumps(listing), encoding="utf-8")
    imported = beanclear(tmp_path, "import", str(tmp_path / "feb"))
    assert imported.exit_code == 0, imported.output
    closed = beanclear(tmp_path, "close", "2026-02")
    assert (closed.exit_code == 0) == closes, closed.output
    if not closes:
        assert "holds 2026-02-28 only up to 19:00:00" in " ".join(closed.output.split()), closed.output


@pytest.mark.parametrize("zone, books, cut", [
    ('  zone: "UTC"\n', "America/New_York", (dt.datetime(2026, 2, 28, 19), "UTC", "stripe-2026-02.csv")),
    ('  zone: "+02:00"\n', "America/Los_Angeles", (dt.datetime(2026, 2, 28, 14), "+02:00", "stripe-2026-02.csv")),
    ('  zone: "UTC"\n', "Asia/Shanghai", None),   # UTC's 28 Feb ends at 08:00 on 1 Mar there
    ("", "America/New_York", None),               # a record written before `zone:`: as it was read then
])
def test_zone_cut_reads_the_records_zone_against_the_books(make_config, zone, books, cut):
    text = ('2026-02-27 custom "beanclear-coverage" "stripe" 2026-02-02 "8f62f61d09a8"\n'
            '  statement: "stripe-2026-02.csv"\n  period: "lines"\n  line-days: 20\n' + zone)
    entries, errors, _ = loader.load_string(text)
    assert not errors
    cover = Coverage.of(entries, make_config(STRIPE_ONLY.format(zone=books, own="")))
    assert cover.zone_cut("stripe", dt.date(2026, 2, 27), dt.date(2026, 2, 28)) == cut
    assert cover.quiet_to("stripe", dt.date(2026, 2, 27), dt.date(2026, 2, 28)) == (cut is None)
