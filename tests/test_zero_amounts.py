"""A row that moves no money is no entry, whichever importer reads it (README "Importers":
"Never drop a row"; importers/base.py transaction and StatementImporter's parse): it is
counted as skipped, `zero amount`, as the bank formats always said. blind9 repro-03: a
Stripe API adjustment of amount 0 and an Airwallex payment of amount -0.0 were each
written as an entry with one 0.00 posting. A row of amount 0 that carries a fee moved
money, and is booked. And a Stripe report amount past its currency's places (1200.50
JPY) is refused at its line, as every importer's is (test_amount_places.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import airwallex_transactions, stripe_api, stripe_balance_csv
from channel_util import CHANNELS, raises_at, run, totals
from conftest import beanclear, snapshot

CLEARING, FEES = "Assets:Clearing:Stripe", "Expenses:Fees:Stripe"
AWX_CLEARING, AWX_FEES = "Assets:Clearing:Airwallex", "Expenses:Fees:Airwallex"


@pytest.fixture
def cfg(make_config):
    return make_config(CHANNELS)


def txns(extraction):
    return [e for e in extraction.entries if isinstance(e, data.Transaction)]


def stripe_bt(ident, amount, fee=0, category="adjustment"):
    return {"id": ident, "object": "balance_transaction", "amount": amount, "fee": fee, "net": amount - fee,
            "currency": "usd", "created": 1772503200, "reporting_category": category, "type": category,
            "source": f"adj_{ident}", "description": "adjustment" if category == "adjustment" else "Order 1001"}


def stripe_list(tmp_path, *objects):
    path = tmp_path / "bt.json"
    path.write_text(json.dumps({"object": "list", "url": "/v1/balance_transactions", "has_more": False,
                                "data": list(objects)}, indent=1))
    return path


def awx_items(tmp_path, *items):
    """Airwallex financial transactions, each (id, amount, fee, net) as JSON writes numbers."""
    one = ('{"id": "%s", "amount": %s, "fee": %s, "net": %s, "currency": "USD", "transaction_type": "PAYMENT", '
           '"status": "SETTLED", "created_at": "2026-03-02T07:50:17+0000", "batch_id": "b1", "source_id": "p_%s", '
           '"source_type": "PAYMENT_ATTEMPT", "description": "Order 4"}')
    path = tmp_path / "awx.json"
    path.write_text('{"has_more": false, "items": [\n' + ",\n".join(one % (i, a, f, n, i) for i, a, f, n in items)
                    + "\n]}", encoding="utf-8")
    return path


REPORT = '"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category"\n'


def stripe_report(tmp_path, *rows):
    path = tmp_path / "r.csv"
    path.write_text(REPORT + "".join(f'"{i}","2026-03-02 08:00:00","{c}","{g}","{f}","{n}","{k}"\n'
                                     for i, c, g, f, n, k in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("read", [
    lambda tmp_path, cfg: run(stripe_api, cfg, "stripe", stripe_list(tmp_path, stripe_bt("txn_a5", 0))),
    lambda tmp_path, cfg: run(airwallex_transactions, cfg, "airwallex", awx_items(tmp_path, ("t4", "-0.0", 0, "-0.0"))),
    lambda tmp_path, cfg: run(airwallex_transactions, cfg, "airwallex", awx_items(tmp_path, ("t4", 0, 0, 0))),
    lambda tmp_path, cfg: run(stripe_balance_csv, cfg, "stripe",
                              stripe_report(tmp_path, ("txn_z", "usd", "0.00", "0.00", "-0.00", "adjustment"))),
], ids=["stripe-api-0", "airwallex-minus-0.0", "airwallex-0", "stripe-report-0.00"])
def test_a_row_that_moves_nothing_is_skipped_as_a_zero_amount(tmp_path, cfg, read):
    ex = read(tmp_path, cfg)
    assert (ex.rows, txns(ex), dict(ex.skipped)) == (1, [], {"zero amount": 1})


@pytest.mark.parametrize("read, clearing, fees", [
    (lambda tmp_path, cfg: run(stripe_api, cfg, "stripe", stripe_list(tmp_path, stripe_bt("txn_f", 0, fee=50))),
     CLEARING, FEES),
    (lambda tmp_path, cfg: run(airwallex_transactions, cfg, "airwallex",
                               awx_items(tmp_path, ("t5", "-0.0", "0.50", "-0.50"))), AWX_CLEARING, AWX_FEES),
    (lambda tmp_path, cfg: run(stripe_balance_csv, cfg, "stripe",
                               stripe_report(tmp_path, ("txn_f", "usd", "0.00", "0.50", "-0.50", "adjustment"))),
     CLEARING, FEES),
])
def test_a_row_of_amount_zero_with_a_fee_moved_money_and_is_booked(tmp_path, cfg, read, clearing, fees):
    """Must not fire: the fee was charged; the row's net left the balance."""
    ex = read(tmp_path, cfg)
    [entry] = txns(ex)
    assert {p.account: p.units.number for p in entry.postings if p.account in (clearing, fees)} == \
        {clearing: Decimal("-0.50"), fees: Decimal("0.50")}
    assert not ex.skipped


def test_the_books_still_hold_the_statements_total_beside_a_zero_row(tmp_path, cfg):
    path = stripe_list(tmp_path, stripe_bt("txn_c1", 10000, fee=320, category="charge"), stripe_bt("txn_a5", 0),
                       stripe_bt("txn_a6", -0), stripe_bt("txn_f", 0, fee=50))
    ex = run(stripe_api, cfg, "stripe", path)
    assert totals(ex.entries, CLEARING) == {"USD": Decimal("96.30")}   # 100.00 − 3.20 + 0 + 0 − 0.50
    assert (ex.rows, len(txns(ex)), dict(ex.skipped)) == (4, 2, {"zero amount": 2})


def test_the_import_says_it_and_writes_no_zero_entry(tmp_path):
    # the tester's two files, through the command
    (tmp_path / "config.yaml").write_text(CHANNELS, encoding="utf-8")
    stripe = stripe_list(tmp_path, stripe_bt("txn_a5", 0))
    awx = awx_items(tmp_path, ("t4", "-0.0", 0, "-0.0"))
    for source, path in (("stripe", stripe), ("airwallex", awx)):
        result = beanclear(tmp_path, "import", "--source", source, str(path))
        assert result.exit_code == 0, result.output
        assert "0 entries written" in result.output and "skipped 1 zero amount" in result.output, result.output
    books = snapshot(tmp_path / "books")
    assert not [name for name, text in books.items() if b" 0.00 USD" in text or b"txn_a5" in text]


def test_a_report_amount_past_its_currencys_places_is_refused_at_its_line(tmp_path, cfg):
    # JPY has no minor unit: 1200.50 JPY is an amount misread (blind9 repro-03 a)
    path = stripe_report(tmp_path, ("txn_501", "jpy", "1200.50", "66", "1134.50", "charge"))
    raises_at(tmp_path, "r.csv:2: ", lambda: run(stripe_balance_csv, cfg, "stripe", path))
    (tmp_path / "config.yaml").write_text(CHANNELS, encoding="utf-8")
    result = beanclear(tmp_path, "import", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "r.csv:2: " in result.output and "more decimal places than JPY has (0)" in result.output
    assert snapshot(tmp_path / "books") == {}


def test_a_whole_yen_report_amount_is_booked(tmp_path, cfg):
    """Must not fire: 1200 JPY, and `1200.00` (zeros past the yen are no places)."""
    for gross, net in (("1200", "1134"), ("1200.00", "1134.00")):
        path = stripe_report(tmp_path, ("txn_501", "jpy", gross, "66", net, "charge"))
        ex = run(stripe_balance_csv, cfg, "stripe", path)
        assert totals(ex.entries, CLEARING) == {"JPY": Decimal("1134")}
