"""Airwallex financial transactions and settlements: our own files (no public sample
exists), both API key styles, totals, the settlement of a batch of items, bad input."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pytest

from beanclear.importers import airwallex_settlements, airwallex_transactions
from beanclear.importers.toolkit import StatementError
from channel_util import CHANNELS, DATA, golden, raises_at, run, totals
from conftest import GOLDEN
from golden_util import extraction_text

FILES = {"financial_transactions.json": airwallex_transactions, "settlements.json": airwallex_settlements}
CLEARING = "Assets:Clearing:Airwallex"


@pytest.fixture
def cfg(make_config):
    return make_config(CHANNELS)


@pytest.mark.parametrize("name", sorted(FILES))
def test_golden_and_camel_case_reads_the_same(cfg, name):
    extraction = golden(FILES[name], cfg, "airwallex", DATA / "airwallex" / name,
                        GOLDEN / "data" / "airwallex" / f"{name}.beancount")
    camel = run(FILES[name], cfg, "airwallex", DATA / "airwallex" / name.replace(".json", "_camel.json"))
    assert extraction_text(camel) == extraction_text(extraction)


def test_each_file_is_claimed_by_one_importer(cfg):
    for path in sorted((DATA / "airwallex").iterdir()):
        claims = [m.__name__ for m in FILES.values() if m.Importer(cfg.channels["airwallex"], cfg).identify(str(path))]
        assert len(claims) == 1, (path, claims)


def test_settled_items_move_the_clearing_account_by_their_net(cfg):
    path = DATA / "airwallex" / "financial_transactions.json"
    stated = defaultdict(Decimal)
    for item in json.loads(path.read_text(), parse_float=Decimal)["items"]:
        if item["status"] == "SETTLED":
            stated[item["currency"]] += Decimal(item["net"])
    extraction = run(airwallex_transactions, cfg, "airwallex", path)
    assert totals(extraction.entries, CLEARING) == dict(stated)
    assert stated == {"USD": Decimal("515.95"), "CNY": Decimal("53.51")}  # 1068.51 bought − 1015.00 paid out
    assert extraction.skipped == {"pending (booked once settled)": 1, "cancelled (no money moved)": 1,
                                  "second legs of conversions (booked with the first)": 1}


def test_conversion_legs_are_one_entry_at_the_applied_rate(cfg):
    extraction = run(airwallex_transactions, cfg, "airwallex", DATA / "airwallex" / "financial_transactions.json")
    [conversion] = [e for e in extraction.entries if "conversion-id" in e.meta]
    assert (conversion.meta["fx-rate"], conversion.meta["fx-pair"], conversion.meta["client-rate"]) == \
        ("7.1234", "USD/CNY", "7.1234")
    assert [(p.units.number, p.units.currency) for p in conversion.postings] == [(Decimal("-150.00"), "USD"),
                                                                                 (Decimal("1068.51"), "CNY")]


def test_a_settlement_books_nothing_its_batch_is_its_items_money(cfg):
    """A settlement moves its batch into the wallet's balance: the items the financial
    transactions book by batch_id (test_airwallex_settlements.py: never twice)."""
    settled = run(airwallex_settlements, cfg, "airwallex", DATA / "airwallex" / "settlements.json")
    assert list(settled.entries) == []
    assert [(b.ident, b.net, b.currency, str(b.day)) for b in settled.batches.values()] == \
        [("bat_20260303", Decimal("188.95"), "USD", "2026-03-03")]
    items = run(airwallex_transactions, cfg, "airwallex", DATA / "airwallex" / "financial_transactions.json").entries
    assert sum(p.units.number for e in items if e.meta.get("batch-id") == "bat_20260303"
               for p in e.postings if p.account == CLEARING) == Decimal("188.95")


def test_numbers_are_read_from_their_text(tmp_path, cfg):
    path = tmp_path / "ft.json"
    item = ('{"id": "ft_%d", "amount": %s, "fee": 0, "net": %s, "currency": "USD", "batch_id": "b1", "source_id": "s",'
            ' "transaction_type": "PAYMENT", "status": "SETTLED", "created_at": "2026-03-02T08:15:00+0000"}')
    path.write_text('{"items": [' + ", ".join(item % (i, v, v) for i, v in enumerate(("0.1", "0.2", "1E+2"))) + "]}")
    assert totals(run(airwallex_transactions, cfg, "airwallex", path).entries, CLEARING) == {"USD": Decimal("100.3")}


ITEM = ('{"id": "ft_1", "amount": 10.00, "fee": 0.30, "net": 9.70, "currency": "USD", "batch_id": "b1", '
        '"source_id": "s1", "transaction_type": "PAYMENT", "status": "SETTLED", "created_at": "2026-03-02T08:15:00+0000"}')


@pytest.mark.parametrize("change, message", [
    (("PAYMENT", "LOTTERY"), "t.json:3: transaction_type: unknown type 'LOTTERY' (expected one of ADJUSTMENT"),
    (("SETTLED", "LOST"), "t.json:3: status: unknown status 'LOST'"),
    (('"fee": 0.30', '"fee": 0.40'), "t.json:3: fee 0.40 is not amount 10.00 − net 9.70"),
    (('"amount": 10.00', '"amount": "ten"'), "t.json:3: amount: expected an amount, got 'ten'"),
    (("+0000", ""), "t.json:3: created_at: expected a time with its offset"),
    (('"currency": "USD", ', ""), "t.json:3: currency: missing"),
    (("PAYMENT", "CONVERSION_SELL"), "t.json:3: conversion s1: expected two legs"),
    (("}", ""), "t.json:4: not valid JSON"),
])
def test_bad_items(tmp_path, cfg, change, message):
    path = tmp_path / "t.json"
    path.write_text('{"has_more": false,\n "items": [\n' + ITEM.replace(*change) + "\n]}", encoding="utf-8")
    importer = airwallex_transactions.Importer(cfg.channels["airwallex"], cfg)
    raises_at(tmp_path, message, lambda: importer.parse(str(path)))


def test_bad_settlement(tmp_path, cfg):
    path = tmp_path / "s.json"
    path.write_text('{"items": [\n{"id": "b1", "amount": 10.00, "fee": 0.30, "net": 9.60, "currency": "USD", '
                    '"status": "SETTLED", "settled_at": "2026-03-03T02:00:00+0000"}]}')
    with pytest.raises(StatementError, match=r"s.json:2: net 9.60 is not amount 10.00 − fee 0.30"):
        run(airwallex_settlements, cfg, "airwallex", path)


def test_a_dispute_books_its_amount_and_fee_as_chargebacks_a_refund_reverses_the_sale(tmp_path, cfg):
    """DESIGN §1: chargebacks and their fees have their own accounts; a refund reverses the sale."""
    path = tmp_path / "ft.json"
    dispute = ITEM.replace('"amount": 10.00, "fee": 0.30, "net": 9.70', '"amount": -10.00, "fee": 15.00, "net": -25.00')
    path.write_text('{"items": [' + dispute.replace("PAYMENT", "DISPUTE") + ", "
                    + ITEM.replace("ft_1", "ft_2").replace("PAYMENT", "REFUND").replace(
                        '"amount": 10.00, "fee": 0.30, "net": 9.70', '"amount": -10.00, "fee": 0, "net": -10.00')
                    + "]}")
    dispute, refund = run(airwallex_transactions, cfg, "airwallex", path).entries
    assert sorted((p.account, p.units.number) for p in dispute.postings) == [
        (CLEARING, Decimal("-25.00")), ("Expenses:Chargebacks:Airwallex", Decimal("10.00")),
        ("Expenses:Chargebacks:Airwallex", Decimal("15.00"))]
    assert ("Income:Sales:Airwallex", Decimal("10.00")) in [(p.account, p.units.number) for p in refund.postings]
