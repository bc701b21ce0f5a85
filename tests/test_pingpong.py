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
