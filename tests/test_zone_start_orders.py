"""A statement cut at the days of a zone of its own starts where its first row's day
there starts (statements/coverage.py, `starts:`); the receivable check judges the orders
its channel may pay from that moment (Coverage.start_at, checks/orders.py first_judged).

blind16 (tester "currencies"): books in Asia/Tokyo, Stripe's report of July in UTC,
which starts at 09:00 on 1 July in Tokyo. Order #1004, placed at 06:40 that day, was paid
at 21:41 UTC on 30 June, in June's report, not imported: it was an `order-unpaid` error
(and so was an order of 30 June, the report's start taken back to the shop's first order
as quiet days), beside a Stripe statement-gap that already named the missing money. The
README: a channel "whose statements start after the orders, holds the shop's order
deadlines back as one" statement-gap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from beancount import loader

from conftest import beanclear

from beanclear import config as config_mod
from beanclear.checks import checking
from beanclear.statements.coverage import Coverage

CONFIG = """\
books: books
currency: JPY
timezone: {zone}
channels:
  stripe: {{type: stripe, currency: JPY, settlement_days: 30, fees: [{{rate: 0.036}}]}}
shops:
  shopify: {{type: shopify, order_days: 3}}
"""
HEADER = ("balance_transaction_id,{created},available_on_utc,currency,gross,fee,net,reporting_category,"
          "description,source_id")
ORDERS = "Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at,Lineitem quantity," \
         "Lineitem name\n"
# (order, placed, in Tokyo): the charges of #1005 to #1007 are in July's report
PAID = [("1005", "2026-07-01 12:10:00"), ("1006", "2026-07-05 12:10:00"), ("1007", "2026-07-20 12:10:00")]


def merchant(root: Path, monkeypatch, unpaid: list[tuple[str, str]], zone: str = "Asia/Tokyo",
             created: str = "created_utc", payout: str = "", offset: int = 9) -> Path:
    """Books in `zone`; July's Stripe report (its times in UTC, or in the books' zone where
    `created` is the account's column) of the charges of PAID, and the shop's export of
    those orders and the `unpaid` ones (no charge in the books), placed at `offset` hours
    from UTC (Tokyo's, as the books' zone)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-01")
    (root / "config.yaml").write_text(CONFIG.format(zone=zone), encoding="utf-8")
    folder = root / "statements"
    folder.mkdir()
    rows = []
    for order, placed in PAID:
        when = dt.datetime.fromisoformat(placed) - (dt.timedelta(hours=offset) if created == "created_utc" else dt.timedelta())
        rows.append(f"txn_{order},{when:%Y-%m-%d %H:%M:%S},{when:%Y-%m-%d} 00:00:00,jpy,6800,245,6555,charge,"
                    f"Order #{order},ch_{order}")
    (folder / "balance_change_from_activity.itemized-2026-07.csv").write_text(
        "\n".join([HEADER.format(created=created), *rows, *([payout] if payout else [])]) + "\n", encoding="utf-8")
    (folder / "orders_export.csv").write_text(ORDERS + "".join(
        f"#{order},a@example.com,paid,{placed} {offset:+03d}00,JPY,6800,6800,0,{placed} {offset:+03d}00,1,Teapot\n"
        for order, placed in sorted(PAID + unpaid)), encoding="utf-8")
    imported = beanclear(root, "import", str(folder))
    assert imported.exit_code == 0, imported.output
    return root


def found(root: Path) -> list:
    """The findings `beanclear check` shows (one cause, one finding: checking.fold)."""
    return checking.check(config_mod.load(root / "config.yaml")).findings


def stripe_record(root: Path) -> str:
    text = (root / "books" / "stripe" / "2026" / "2026-07.beancount").read_text(encoding="utf-8")
    return next("custom" + part.split("\n\n", 1)[0] for part in text.split("custom")[1:]
                if part.startswith(' "beanclear-coverage"'))


@pytest.mark.parametrize("placed", ["2026-07-01 06:40:41", "2026-06-30 20:40:41"])
def test_an_order_placed_before_a_utc_reports_first_day_starts_in_tokyo_waits_for_it(tmp_path, monkeypatch, placed):
    """July's report in UTC starts at 09:00 on 1 July in Tokyo: an order of 06:40 that
    day, or of the evening before (the shop's first order: the report is not taken back
    to it as quiet days), may have been paid in June's report. One statement-gap of the
    shop naming it and where the report starts, no order-unpaid."""
    root = merchant(tmp_path, monkeypatch, [("1004", placed)])
    assert 'starts: "2026-07-01 09:00:00"' in stripe_record(root)
    [gap] = found(root)
    assert (gap.code, gap.source, str(gap.date), gap.refs) == ("statement-gap", "shopify", placed[:10], ("#1004",))
    assert gap.message.startswith("the statements of stripe start 2026-07-01; they hold 2026-07-01 from 09:00 on"), \
        gap.message


def test_an_unpaid_order_placed_after_the_reports_start_is_still_unpaid(tmp_path, monkeypatch):
    """Must fire: orders placed after 09:00 on 1 July (Tokyo), in the report's days,
    that nothing paid are order-unpaid, the first day's as the later ones; the one of
    06:40 waits, as above."""
    root = merchant(tmp_path, monkeypatch, [("1004", "2026-07-01 06:40:41"), ("1008", "2026-07-01 09:30:00"),
                                            ("1009", "2026-07-10 10:00:00")])
    got = sorted((f.code, f.refs) for f in found(root))
    assert got == [("order-unpaid", ("#1008",)), ("order-unpaid", ("#1009",)), ("statement-gap", ("#1004",))]


def test_in_new_york_the_evening_before_the_reports_first_line_is_in_its_days(tmp_path, monkeypatch):
    """Must fire: July's report in UTC starts at 20:00 on 30 June in New York: an order
    of 20:30 that evening that nothing paid is order-unpaid (its payment would be in the
    report), one of 19:00 waits for June's."""
    root = merchant(tmp_path, monkeypatch, [("1004", "2026-06-30 19:00:00"), ("1008", "2026-06-30 20:30:00")],
                    zone="America/New_York", offset=-4)
    got = sorted((f.code, f.refs) for f in found(root))
    assert got == [("order-unpaid", ("#1008",)), ("statement-gap", ("#1004",))]


def test_a_report_in_the_books_own_zone_covers_its_first_day_whole(tmp_path, monkeypatch):
    """Must not fire: a report whose times are the account's zone, the books' (`created`,
    no `_utc`), starts at midnight of its first day: its record says no `starts:`, and an
    order of 06:40 that day that nothing paid is order-unpaid, as before."""
    root = merchant(tmp_path, monkeypatch, [("1004", "2026-07-01 06:40:41")], created="created")
    assert "starts:" not in stripe_record(root)
    assert [(f.code, f.refs) for f in found(root)] == [("order-unpaid", ("#1004",))]


@pytest.mark.parametrize("zone, offset, placed, held", [
    ("Asia/Tokyo", 9, "2026-07-01 06:40:41", "2026-07-01 from 09:00"),
    ("America/New_York", -4, "2026-06-30 19:00:00", "2026-06-30 from 20:00")])
def test_the_order_waits_in_the_channels_own_start_gap(tmp_path, monkeypatch, zone, offset, placed, held):
    """The full merchant: July's first payout pays out June's money too (the report
    states no balance), one statement-gap of stripe's start; the order placed before the
    report starts waits in that one finding, not in a second one of the shop. In New
    York the report starts at 20:00 on 30 June, its first day here 1 July, as the
    channel's gap says it."""
    payout = "po_1,2026-07-02 01:00:00,2026-07-02 00:00:00,jpy,-50000,0,-50000,payout,STRIPE PAYOUT,po_1"
    root = merchant(tmp_path, monkeypatch, [("1004", placed)], zone=zone, payout=payout, offset=offset)
    gaps = [f for f in found(root) if f.code != "unsettled"]
    assert [(f.code, f.source) for f in gaps] == [("statement-gap", "stripe")], gaps
    assert gaps[0].message.startswith("the statements of stripe start 2026-07-01 (and state no balance)")
    assert "#1004" in gaps[0].refs and f"they hold {held} on" in gaps[0].message, gaps[0].message
    assert "the shopify orders go to 2026-07-20: 1 order deadline(s) wait" in gaps[0].message, gaps[0].message


@pytest.mark.parametrize("zone, starts", [("America/New_York", "2026-06-30 20:00:00"), ("UTC", None)])
def test_where_a_utc_report_starts_in_other_zones(tmp_path, monkeypatch, zone, starts):
    """In New York July's report starts at 20:00 on 30 June, the day before its first
    line: the orders of that evening are in its days. In UTC it starts at midnight: no
    `starts:`."""
    root = merchant(tmp_path, monkeypatch, [], zone=zone)
    record = stripe_record(root)
    assert (f'starts: "{starts}"' in record) if starts else ("starts:" not in record), record
    entries, _, _ = loader.load_file(str(root / "books" / "main.beancount"))
    at = Coverage.of(entries).start_at("stripe")
    assert at == (dt.datetime.fromisoformat(starts) if starts else dt.datetime(2026, 7, 1)), at
