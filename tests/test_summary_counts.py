"""The import's summary line adds up (README, `beanclear import`): rows read, and the
entries some rows book beside their first (`more entries than rows`), are the entries
written, those already in the books and the rows skipped, whatever the importer.

blind26 (tester "disputes"): a Stripe `dispute` object with its two balance transactions
expanded said "1 rows read, 2 entries written", and again "1 rows read, 0 entries
written, 2 already in the books"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import beanclear

GOLDEN = Path(__file__).parent / "golden"

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, settlement_days: 60, shop: none}
"""


def bt(ident: str, amount: int, fee: int, category: str, source: str, created: int = 1770886800) -> dict:
    return {"id": ident, "object": "balance_transaction", "amount": amount, "available_on": created,
            "created": created, "currency": "eur", "description": f"{category} {ident}", "exchange_rate": None,
            "fee": fee, "fee_details": [], "net": amount - fee, "reporting_category": category, "source": source,
            "status": "available", "type": "adjustment"}


DISPUTE = {"id": "dp_1", "object": "dispute", "amount": 9500, "charge": "ch_1", "currency": "eur", "status": "won",
           "created": 1770886800,
           "balance_transactions": [bt("txn_w", -9500, 2000, "dispute", "dp_1"),
                                    bt("txn_r", 9500, -2000, "dispute_reversal", "dp_1", 1771927200)]}


def counts(line: str) -> tuple[int, int]:
    """(rows read + more entries than rows, entries written + already in the books + skipped) of a summary line."""
    read = int(re.search(r"(\d+) rows read", line).group(1))
    written = int(re.search(r"(\d+) entries written", line).group(1))
    known = int(re.search(r"(\d+) already in the books", line).group(1))
    skipped = re.search(r", skipped (.*?)(;|$)", line)
    more = re.search(r"; more entries than rows: (.*?)(;|$)", line)
    total = lambda said: sum(int(n) for n in re.findall(r"(?:^|, )(\d+) ", said.group(1))) if said else 0  # noqa: E731
    return read + total(more), written + known + total(skipped)


def merchant(tmp_path: Path, files: dict[str, object]) -> Path:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "stmts").mkdir()
    for name, doc in files.items():
        (tmp_path / "stmts" / name).write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return tmp_path


def imported(root: Path) -> str:
    result = beanclear(root, "import", str(root / "stmts"))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_dispute_object_of_two_balance_transactions_says_the_second_and_adds_up(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    root = merchant(tmp_path, {"stripe-dispute-dp_1.json": DISPUTE})
    first = imported(root)
    assert ("1 rows read, 2 entries written, 0 already in the books; more entries than rows: 1 balance "
            "transactions of dispute objects beside their first") in first, first
    assert counts(first) == (2, 2)
    (root / "stmts" / "copy.json").write_text(json.dumps({"object": "list", "data": [DISPUTE]}), encoding="utf-8")
    (root / "stmts" / "stripe-dispute-dp_1.json").unlink()
    again = imported(root)
    assert "1 rows read, 0 entries written, 2 already in the books; more entries than rows: 1" in again, again
    assert counts(again) == (2, 2)


def test_one_balance_transaction_an_object_says_no_more(tmp_path, monkeypatch):
    """Must not fire: a list of balance transactions books one entry a row."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    root = merchant(tmp_path, {"stripe-bts.json": {"object": "list", "data": DISPUTE["balance_transactions"]}})
    said = imported(root)
    assert "2 rows read, 2 entries written, 0 already in the books" in said and "more entries" not in said, said


def test_an_object_whose_balance_transaction_another_holds_is_one_entry_and_one_row_skipped(tmp_path, monkeypatch):
    """The reverse: the dispute and one of its balance transactions listed alone are one
    movement read from two objects, booked once; the row it has no entry of is said."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    root = merchant(tmp_path, {"stripe-both.json": {"object": "list",
                                                    "data": [DISPUTE, DISPUTE["balance_transactions"][0]]}})
    said = imported(root)
    assert "2 rows read, 2 entries written, 0 already in the books, skipped 1 objects whose balance transaction " \
           "another object of the file holds (booked from that one); more entries than rows: 1" in said, said
    assert counts(said) == (3, 3)


def test_a_payments_export_row_of_a_refunded_charge_says_its_refund(tmp_path, monkeypatch):
    """Stripe's payments export books a charge's refund and dispute from the charge's row."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "stmts").mkdir()
    (tmp_path / "stmts" / "unified_payments.csv").write_text(
        "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Fee,Mode,Status,Captured,Refunded date (UTC)\n"
        "ch_A,Sale,2026-02-10 15:00,50.00,20.00,usd,1.75,Live,Partially refunded,true,2026-02-12 15:00\n"
        "ch_B,Sale,2026-02-11 15:00,30.00,0,usd,1.17,Live,Paid,true,\n"
        "ch_C,Sale,2026-02-11 16:00,30.00,0,usd,0,Live,Failed,false,\n", encoding="utf-8")
    said = imported(tmp_path)
    assert ("3 rows read, 3 entries written, 0 already in the books, skipped 1 failed (no money moved); more entries "
            "than rows: 1 refunds and disputes booked from their charges' rows") in said, said
    assert counts(said) == (4, 4)


@pytest.mark.parametrize("golden", sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.beancount")))
def test_every_importers_rows_are_its_entries_and_skips(golden):
    """Every importer, on every statement the golden tests read: the rows read and the
    entries some rows book beside their first are its transactions and the rows skipped
    (shop refunds beside their orders, PayPal's and Airwallex's conversions inside the
    entries they fund, payouts summed from their items, a balances file's rows)."""
    text = (GOLDEN / golden).read_text(encoding="utf-8")
    rows = re.search(r"^; rows read: (\d+)", text, re.M)
    if rows is None:
        pytest.skip("no extraction header")
    skipped = sum(int(n) for n in re.findall(r"^; skipped: (\d+)", text, re.M))
    more = sum(int(n) for n in re.findall(r"^; more entries than rows: (\d+)", text, re.M))
    transactions = len(re.findall(r"^\d{4}-\d\d-\d\d [*!] ", text, re.M))
    assert int(rows.group(1)) + more == transactions + skipped
