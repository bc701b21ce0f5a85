"""Stripe's two views of one account: an itemized report (CSV, each item naming the payout
that settles it) and the API's balance transactions (JSON). A row both hold is one
balance transaction, by its `txn_…` id: either file, or both in any order, must write
the same books (DESIGN §2), a payout booked as the sum of the items a report held giving
way to the payout's own row, whichever comes first."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from conftest import beanclear
from test_paypal_views import _same_tree

CONFIG = """\
books: books
currency: JPY
timezone: Asia/Tokyo
channels:
  stripe: {type: stripe, currency: JPY, settlement_days: 30}
"""
REPORT = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"')
PAYOUT = "po_R4XXXXXXXXXXXXXXXXXXXXXX"


def _item(ident, created, gross, fee, source, order, payout=PAYOUT, effective="2026-01-05 02:00:00"):
    return (f'"{ident}","{created}","2026-01-04 03:00:00","jpy","{gross}","{fee}","{gross - fee}","charge",'
            f'"{source}","Order #{order}","{payout}","{effective}"')


A = _item("txn_R4AAAAAAAAAAAAAAAAAAAAAA", "2026-01-02 03:00:00", 4580, 165, "ch_R4A", 4001)
B = _item("txn_R4BBBBBBBBBBBBBBBBBBBBBB", "2026-01-04 03:00:00", 2360, 85, "ch_R4B", 4002)


def _txn(ident, created, gross, fee, source, description, category="charge"):
    return {"id": ident, "object": "balance_transaction", "amount": gross, "available_on": created,
            "created": created, "currency": "jpy", "description": description, "exchange_rate": None, "fee": fee,
            "fee_details": [{"amount": fee, "application": None, "currency": "jpy",
                             "description": "Stripe processing fees", "type": "stripe_fee"}] if fee else [],
            "net": gross - fee, "reporting_category": category, "source": source, "status": "available",
            "type": category}


API = {"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": [
    _txn("txn_R4CCCCCCCCCCCCCCCCCCCCCC", 1767668400, 1880, 68, "ch_R4C", "Order #4003"),
    _txn("txn_R4PPPPPPPPPPPPPPPPPPPPPP", 1767578400, -6690, 0, PAYOUT, "STRIPE PAYOUT", "payout"),
    _txn("txn_R4BBBBBBBBBBBBBBBBBBBBBB", 1767495600, 2360, 85, "ch_R4B", "Order #4002")]}
TRUTH = 4415 + 2275 + 1812 - 6690   # what Stripe's balance holds after the rows of both files


def _merchant(folder, *items, api=API):
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "activity.csv").write_text("\n".join([REPORT, *items]) + "\n", encoding="utf-8")
    (folder / "api.json").write_text(json.dumps(api, indent=1), encoding="utf-8")
    return folder


ORDERS = {"csv-json": [["activity.csv"], ["api.json"]], "json-csv": [["api.json"], ["activity.csv"]],
          "one-csv-json": [["activity.csv", "api.json"]], "one-json-csv": [["api.json", "activity.csv"]]}


def _imported(tmp_path, *items, api=API) -> dict:
    """The merchant of `items` imported in each order of ORDERS: name -> its folder."""
    out = {}
    for name, imports in ORDERS.items():
        merchant = out[name] = _merchant(tmp_path / name, *items, api=api)
        for files in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in files))
            assert result.exit_code == 0, result.output
    return out


def _posted(books, account: str) -> Decimal:
    """What the books' month files post to `account`, all together."""
    line = re.compile(rf"^  {re.escape(account)} +(-?[0-9.]+) JPY$", re.M)
    return sum((Decimal(n) for path in sorted((books / "stripe").glob("*/*.beancount"))
                for n in line.findall(path.read_text(encoding="utf-8"))), Decimal(0))


def _entry(books, ident: str) -> str:
    text = (books / "stripe" / "2026" / "2026-01.beancount").read_text(encoding="utf-8")
    return next(block for block in text.split("\n\n") if f'\n  id: "{ident}"\n' in block)


def test_a_payout_the_report_held_only_the_items_of_gives_way_to_its_row(tmp_path):
    """The tester's split: the report of 1-3 Jan holds one item of po_R4X and not the
    payout; the API's 4-6 Jan the other item and the payout's own row (6,690). Booked
    from the report first, the payout was the sum of its one item (4,415), and the row
    was then 'already in the books': the clearing account ended 2,275 off."""
    merchants = _imported(tmp_path, A)
    first = merchants.pop("csv-json")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    assert _posted(books, "Assets:Clearing:Stripe") == TRUTH
    assert _posted(books, "Assets:Transit:Stripe") == 6690
    payout = _entry(books, PAYOUT)
    assert "sum of its items" not in payout and 'balance-transaction: "txn_R4PPPPPPPPPPPPPPPPPPPPPP"' in payout
    assert beanclear(first, "check").exit_code == 0



def test_a_report_alone_still_books_each_payout_as_the_sum_of_its_items(tmp_path):
    """Without the payout's row anywhere, the payout reconciliation report's payout is
    booked from its items, as before: the clearing account comes back to zero."""
    merchant = _merchant(tmp_path / "m", A, B)
    assert beanclear(merchant, "import", str(merchant / "activity.csv")).exit_code == 0
    assert "sum of its items" in _entry(merchant / "books", PAYOUT)
    assert _posted(merchant / "books", "Assets:Clearing:Stripe") == 0



def test_a_row_two_files_give_other_money_is_a_contradiction(tmp_path):
    """README "once": one balance transaction is one movement. The API saying another fee
    for Order #4002 than the report stops the import (exit 2) naming both lines, in one
    import and against the books alike; nothing is written."""
    data = [dict(row) for row in API["data"]]
    data[2].update(fee=95, net=2265, fee_details=[])
    api = {**API, "data": data}
    one = _merchant(tmp_path / "one", A, B, api=api)
    result = beanclear(one, "import", str(one / "activity.csv"), str(one / "api.json"))
    assert result.exit_code == 2 and "txn_R4BBBBBBBBBBBBBBBBBBBBBB" in result.output
    assert "activity.csv:3" in result.output and "api.json" in result.output
    assert not (one / "books" / "stripe").exists()
    two = _merchant(tmp_path / "two", A, B, api=api)
    assert beanclear(two, "import", str(two / "activity.csv")).exit_code == 0
    before = (two / "books" / "stripe" / "2026" / "2026-01.beancount").read_bytes()
    result = beanclear(two, "import", str(two / "api.json"))
    assert result.exit_code == 2 and "books/stripe/2026/2026-01.beancount:12" in result.output, result.output
    assert (two / "books" / "stripe" / "2026" / "2026-01.beancount").read_bytes() == before


