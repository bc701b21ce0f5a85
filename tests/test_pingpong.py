"""PingPong through the column map in config.yaml: our own export (no public sample
exists), CSV and XLSX alike, the config's checks, totals, bad input."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from beanclear.config import ConfigError
from beanclear.importers import pingpong
from channel_util import CHANNELS, DATA, golden, raises_at, run, totals
from conftest import GOLDEN

EXPORT = DATA / "pingpong" / "export.csv"
CLEARING = "Assets:Clearing:PingPong"


@pytest.fixture
def cfg(make_config):
    return make_config(CHANNELS)


def test_golden(cfg):
    golden(pingpong, cfg, "pingpong", EXPORT,
           GOLDEN / "data" / "pingpong" / "export.csv.beancount")


def test_totals_follow_the_balance_column(cfg):
    extraction = run(pingpong, cfg, "pingpong", EXPORT)
    with open(EXPORT, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["交易状态"] == "成功"]
    assert totals(extraction.entries, CLEARING) == {"USD": Decimal(rows[-1]["账户余额"])}   # from a zero balance
    assert totals(extraction.entries, "Assets:Transit:PingPong") == {"CNY": Decimal("7123.40")}
    payout = next(e for e in extraction.entries if e.meta.get("id") == "PP20260303001")
    assert (payout.meta["fx-rate"], payout.meta["fx-pair"], payout.links) == ("7.1234", "USD/CNY",
                                                                              {"payout-PP20260303001"})


def test_xlsx_export_reads_like_the_csv(tmp_path, cfg):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    with open(EXPORT, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            book.active.append([float(c.replace(",", "")) if c.replace(",", "").replace(".", "").lstrip("-").isdigit()
                                and "." in c else c for c in row])
    book.save(tmp_path / "export.xlsx")
    xlsx = run(pingpong, cfg, "pingpong", tmp_path / "export.xlsx")
    assert [e.postings for e in xlsx.entries if hasattr(e, "postings")] == \
        [e.postings for e in run(pingpong, cfg, "pingpong", EXPORT).entries if hasattr(e, "postings")]


def test_types_from_config_and_rate_only_conversion(tmp_path, make_config):
    cfg = make_config(CHANNELS.replace("              memo: 备注}", "              memo: 备注}\n    types: {店铺结算: sale, 换汇: conversion}"))
    path = tmp_path / "pp.csv"
    path.write_text("交易时间,交易流水号,交易类型,交易金额,币种,手续费,到账金额,到账币种,汇率,交易状态,账户余额,备注\n"
                    "2026-03-01 10:00:00,P1,店铺结算,100.00,USD,1.00,,,,成功,,\n"
                    "2026-03-02 10:00:00,P2,换汇,50.00,USD,0,,,7.1,成功,,\n", encoding="utf-8")
    sale, conversion = run(pingpong, cfg, "pingpong", path).entries
    assert {p.account: p.units.number for p in sale.postings}["Income:Sales:PingPong"] == Decimal("-100.00")
    assert [(p.units.number, p.units.currency) for p in conversion.postings] == [(Decimal("-50.00"), "USD"),
                                                                                 (Decimal("355.00"), "CNY")]
    assert conversion.meta["target-amount"] == "computed: amount × fx_rate"


@pytest.mark.parametrize("row, message", [
    ("2026-03-01 10:00:00,P1,中奖,100.00,USD,0,,,,成功,,", "pp.csv:2: column 交易类型: unknown type '中奖'"),
    ("2026-03-01 10:00:00,P1,收款,-100.00,USD,0,,,,成功,,", "pp.csv:2: column 交易金额: -100.00 for a 收款 (sale), "
                                                         "expected money in"),
    ("2026-03-01 10:00:00,P1,收款,一百,USD,0,,,,成功,,", "pp.csv:2: column 交易金额: expected an amount"),
    ("2026-03-01 10:00:00,P1,收款,100.00,USD,0,,,,丢失,,", "pp.csv:2: column 交易状态: unknown status '丢失'"),
    ("2026-03-01 10:00:00,P1,结汇,-100.00,USD,0,,,,成功,,", "pp.csv:2: a conversion without target_amount or fx_rate"),
    ("03/01/2026,P1,收款,100.00,USD,0,,,,成功,,", "pp.csv:2: column 交易时间: expected a date"),
    ("2026-03-01 10:00:00,P1,收款,100.00", "pp.csv:2: expected 12 cells as in the header"),
])
def test_bad_rows(tmp_path, cfg, row, message):
    path = tmp_path / "pp.csv"
    path.write_text("交易时间,交易流水号,交易类型,交易金额,币种,手续费,到账金额,到账币种,汇率,交易状态,账户余额,备注\n" + row + "\n",
                    encoding="utf-8")
    raises_at(tmp_path, message, lambda: run(pingpong, cfg, "pingpong", path))


@pytest.mark.parametrize("channel, message", [
    ("pp: {type: pingpong}", "channels.pp.columns: missing (expected the header names of date, id, type"),
    ("pp: {type: pingpong, columns: {date: d, id: i, type: t, amount: a}}", "channels.pp.columns.currency: missing"),
    ("pp: {type: pingpong, columns: {date: d, id: i, type: t, amount: a, currency: c, colour: x}}",
     "channels.pp.columns.colour: unknown key"),
    ("pp: {type: pingpong, columns: {date: d, id: i, type: t, amount: a, currency: c}, types: {收款: gift}}",
     'channels.pp.types.收款: expected one of sale | refund'),
    ("st: {type: stripe, columns: {date: d}}", "channels.st.columns: only a pingpong channel is read through a column"),
])
def test_column_map_config_errors(make_config, channel, message):
    with pytest.raises(ConfigError) as caught:
        make_config("channels:\n  " + channel + "\n")
    assert message in str(caught.value)


def test_a_chargeback_is_no_refund_of_the_sale(tmp_path, cfg):
    """DESIGN §1: chargebacks and their fees have their own accounts; a refund reverses the sale."""
    path = tmp_path / "pp.csv"
    path.write_text("交易时间,交易流水号,交易类型,交易金额,币种,手续费,到账金额,到账币种,汇率,交易状态,账户余额,备注\n"
                    "2026-03-01 10:00:00,P1,拒付,-100.00,USD,15.00,,,,成功,,\n"
                    "2026-03-02 10:00:00,P2,退款,-30.00,USD,0,,,,成功,,\n", encoding="utf-8")
    chargeback, refund = run(pingpong, cfg, "pingpong", path).entries
    assert sorted((p.account, p.units.number) for p in chargeback.postings) == [
        (CLEARING, Decimal("-115.00")), ("Expenses:Chargebacks:PingPong", Decimal("15.00")),
        ("Expenses:Chargebacks:PingPong", Decimal("100.00"))]
    assert ("Income:Sales:PingPong", Decimal("30.00")) in [(p.account, p.units.number) for p in refund.postings]


HEADER = "交易时间,交易流水号,交易类型,交易金额,币种,手续费,到账金额,到账币种,汇率,交易状态,账户余额,备注\n"


def conversion(tmp_path, cfg, sold: str, bought: str, rate: str):
    path = tmp_path / "pp.csv"
    path.write_text(HEADER + "2026-09-05 09:12:00,Q1,收款,\"8,450.00\",USD,84.50,,,,成功,,Amazon\n"
                    f"2026-09-16 10:00:00,Q3,结汇,\"-{sold}\",USD,0.00,\"{bought}\",CNY,{rate},成功,,结汇\n",
                    encoding="utf-8")
    extraction = run(pingpong, cfg, "pingpong", path)
    [entry] = [e for e in extraction.entries if e.meta.get("id") == "Q3"]
    return entry, extraction.notes


def test_a_conversion_whose_rate_contradicts_its_amounts_is_booked_at_its_amounts_and_said(tmp_path, cfg):
    """blind12 crossborder: 1,000.00 USD sold for 6,500.00 CNY at a 汇率 of 7.0844 was booked
    at the 6.5 the amounts imply without a word. It still is (the money is what moved), the
    stated rate is kept as `stated-rate` and the notes say the difference, as a CAMT's."""
    entry, notes = conversion(tmp_path, cfg, "1,000.00", "6,500.00", "7.0844")
    assert (entry.meta["fx-rate"], entry.meta["stated-rate"], entry.meta["pingpong-rate"]) == ("6.5", "7.0844", "7.0844")
    assert [(p.units.number, p.units.currency) for p in entry.postings[:2]] == [(Decimal("-1000.00"), "USD"),
                                                                                (Decimal("6500.00"), "CNY")]
    assert notes == ["line 3: 汇率 7.0844 would have paid 7084.40 CNY for 1000.00 USD, but 到账金额 says 6500.00 CNY "
                     "(584.40 CNY less): booked at the rate the amounts imply, 6.5, the one fx-gap judges; 7.0844 kept "
                     "as stated-rate"]


@pytest.mark.parametrize("sold, bought, rate", [("1,000.00", "7,123.40", "7.1234"),
                                                ("1,234.56", "8,746.20", "7.0844"),   # within the rate's places
                                                ("1,000.00", "7,084.40", "")])         # no rate stated
def test_a_conversion_whose_rate_agrees_with_its_amounts_says_nothing(tmp_path, cfg, sold, bought, rate):
    entry, notes = conversion(tmp_path, cfg, sold, bought, rate)
    assert "stated-rate" not in entry.meta and notes == []


def test_a_memo_names_the_order_as_a_description_does(tmp_path, cfg):
    """Blind round 31 (crossborder3): a 收款 whose 备注 was "Shopify Order #1001" paid no
    order without `order_pattern`, while an Airwallex or Stripe description "Order #1001"
    does: one default, the checkout's (base.DESCRIBED_ORDER), for every channel's free text
    naming the order where no order id column does."""
    path = tmp_path / "pp.csv"
    path.write_text(HEADER + "2026-10-01 22:05:00,P1,收款,100.00,USD,1.00,,,,成功,,Shopify Order #1001\n"
                    "2026-10-02 10:00:00,P2,退款,-30.00,USD,0,,,,成功,,Refund for Order #1001\n"
                    "2026-10-03 10:00:00,P3,收款,50.00,USD,0.50,,,,成功,,Amazon US 店铺回款\n"
                    "2026-10-04 10:00:00,P4,手续费,-2.00,USD,,,,,成功,,Order 7 账户管理费\n", encoding="utf-8")
    sale, refund, other, fee = run(pingpong, cfg, "pingpong", path).entries
    assert (sale.meta["order-id"], sale.links) == ("1001", {"order-1001"})
    assert (refund.meta["order-id"], refund.links) == ("1001", {"order-1001"})
    # must-not: a memo naming no order names none, and only a sale or its refund pays an order
    assert (other.meta.get("order-id"), other.links, fee.meta.get("order-id"), fee.links) == (None, set(), None, set())


def test_an_order_id_column_and_order_pattern_still_decide(tmp_path, make_config):
    # must-not: where the export says the order in its own column, the column names it;
    # with `order_pattern`, only what it finds does (the rest stays the channel's income)
    path = tmp_path / "pp.csv"
    path.write_text(HEADER.replace(",备注", ",备注,订单号") +
                    "2026-10-01 22:05:00,P1,收款,100.00,USD,1.00,,,,成功,,Shopify Order #1001,2002\n",
                    encoding="utf-8")
    cfg = make_config(CHANNELS.replace("              memo: 备注}", "              memo: 备注, order_id: 订单号}"))
    [sale] = run(pingpong, cfg, "pingpong", path).entries
    assert (sale.meta["order-id"], sale.links) == ("2002", {"order-2002"})
    path.write_text(HEADER + "2026-10-01 22:05:00,P1,收款,100.00,USD,1.00,,,,成功,,Shopify Order #1001\n"
                    "2026-10-02 22:05:00,P2,收款,100.00,USD,1.00,,,,成功,,SO-1003 Order 1003\n", encoding="utf-8")
    cfg = make_config(CHANNELS.replace("              memo: 备注}", "              memo: 备注}\n"
                                       "    order_pattern: \"SO-(\\\\d+)\""))
    first, second = run(pingpong, cfg, "pingpong", path).entries
    assert (first.meta.get("order-id"), second.meta["order-id"]) == (None, "1003")
