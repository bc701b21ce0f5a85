"""Stripe's two views of one account: an itemized report (CSV, each item naming the payout
that settles it) and the API's balance transactions (JSON, each fee's parts, no payout
named). A row both hold is one balance transaction, by its `txn_…` id: either file, or
both in any order, must write the same books (DESIGN §2), the entry of a row both hold
carrying what each says, and a payout booked as the sum of the items a report held
giving way to the payout's own row, whichever comes first."""

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


def _merchant(folder, *items, api=API, header=REPORT):
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "activity.csv").write_text("\n".join([header, *items]) + "\n", encoding="utf-8")
    (folder / "api.json").write_text(json.dumps(api, indent=1), encoding="utf-8")
    return folder


ORDERS = {"csv-json": [["activity.csv"], ["api.json"]], "json-csv": [["api.json"], ["activity.csv"]],
          "one-csv-json": [["activity.csv", "api.json"]], "one-json-csv": [["api.json", "activity.csv"]]}


def _imported(tmp_path, *items, api=API, header=REPORT) -> dict:
    """The merchant of `items` imported in each order of ORDERS: name -> its folder."""
    out = {}
    for name, imports in ORDERS.items():
        merchant = out[name] = _merchant(tmp_path / name, *items, api=api, header=header)
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


def test_a_row_both_files_hold_carries_what_each_says(tmp_path):
    """The tester's overlap: both files hold Order #4002. Its entry names its payout (the
    report's `automatic_payout_id`) and its fee's parts (the API's `fee_details`), the
    same bytes whichever file came first; the payout is its own row, not a sum."""
    merchants = _imported(tmp_path, A, B)
    first = merchants.pop("csv-json")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    books = first / "books"
    shared = _entry(books, "txn_R4BBBBBBBBBBBBBBBBBBBBBB")
    assert shared.splitlines()[0] == f'2026-01-04 * "Order #4002" ^order-4002 ^payout-{PAYOUT}'
    assert 'fee-details: "stripe_fee 85 JPY"' in shared and f'payout-id: "{PAYOUT}"' in shared
    assert _posted(books, "Assets:Clearing:Stripe") == TRUTH
    assert "sum of its items" not in _entry(books, PAYOUT)
    assert beanclear(first, "check").exit_code == 0


def test_a_row_the_legacy_export_gives_in_minutes_has_the_apis_seconds_in_either_order(tmp_path):
    """blind30 stripeviews: the legacy export's `Created (UTC)` has no seconds (`03:00`,
    booked 12:00:00 in Tokyo), the API's `created` has them (12:00:25): the first file's
    time stayed, and the books differed by import order in `time:` alone."""
    legacy = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,"
              "Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC),Transfer Group")
    row = "txn_R4BBBBBBBBBBBBBBBBBBBBBB,charge,ch_R4B,2360,85,2275,jpy,2026-01-04 03:00,2026-01-06 00:00,Order #4002,,,,,"
    api = json.loads(json.dumps(API))
    api["data"][2]["created"] += 25
    merchants = _imported(tmp_path, row, api=api, header=legacy)
    first = merchants.pop("csv-json")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    assert '  time: "12:00:25"' in _entry(first / "books", "txn_R4BBBBBBBBBBBBBBBBBBBBBB")


def test_a_report_alone_still_books_each_payout_as_the_sum_of_its_items(tmp_path):
    """Without the payout's row anywhere, the payout reconciliation report's payout is
    booked from its items, as before: the clearing account comes back to zero."""
    merchant = _merchant(tmp_path / "m", A, B)
    assert beanclear(merchant, "import", str(merchant / "activity.csv")).exit_code == 0
    assert "sum of its items" in _entry(merchant / "books", PAYOUT)
    assert _posted(merchant / "books", "Assets:Clearing:Stripe") == 0


def test_a_payout_is_proved_against_its_items_whichever_export_booked_them(tmp_path):
    """The tester's 9 Feb payout: the report (to 4 Jan here) names po_R4X for the items it
    holds; the API's item of the evening of 4 Jan is in the payout too, and names no
    payout. The payout takes it first in, first out: no payout-mismatch, in either order
    (the report's payout row of November keeps the start of the statements weeks
    before, where what a payout takes is known)."""
    early = _item("txn_R4EEEEEEEEEEEEEEEEEEEEEE", "2025-11-20 03:00:00", 1000, 36, "ch_R4E", 3999,
                  "po_R4WWWWWWWWWWWWWWWWWWWWWW", "2025-11-22 02:00:00")
    paid = ('"txn_R4VVVVVVVVVVVVVVVVVVVVVV","2025-11-22 02:00:00","2025-11-22 02:00:00","jpy","-964","0","-964",'
            '"payout","po_R4WWWWWWWWWWWWWWWWWWWWWW","STRIPE PAYOUT","",""')
    late = _txn("txn_R4DDDDDDDDDDDDDDDDDDDDDD", 1767531600, 1000, 36, "ch_R4D", "Order #4004")   # 4 Jan 22:00
    data = [dict(row) for row in API["data"]]
    data[1].update(amount=-7654, net=-7654)   # 4,415 + 2,275 + 964
    api = {**API, "data": [*data, late]}
    merchants = _imported(tmp_path, early, paid, A, B, api=api)
    first = merchants.pop("csv-json")
    for name, merchant in merchants.items():
        assert _same_tree(first / "books", merchant / "books") == [], name
    for name, merchant in [("csv-json", first), *merchants.items()]:
        result = beanclear(merchant, "check", "--format", "json")
        assert [f["code"] for f in json.loads(result.output)["findings"]] == [], name
    assert _posted(first / "books", "Assets:Clearing:Stripe") == 1812


def test_a_refund_first_among_the_items_of_the_next_reports_payout_waits_for_it(tmp_path):
    """A blind tester's August report (one report a month, paid out daily): po_R4X pays
    out all the clearing account held; a later day's first item is a refund naming
    po_R4Y, whose own row is in the next month's report. The refund is money going back
    out of what po_R4Y will pay, not the payout: `check` said payout-mismatch ("takes
    100 more than the 0 held") and the month could not be closed. No finding with the
    first report alone, nor once the second brings po_R4Y's row (its items: 2,275 - 100).
    (T+3: the refund is past the days in which a payout may take money from before the
    first report.)"""
    later = dict(payout="po_R4YYYYYYYYYYYYYYYYYYYYYY", effective="2026-01-19 00:00:00")
    paid = ('"txn_R4PPPPPPPPPPPPPPPPPPPPPP","2026-01-05 02:00:00","2026-01-05 02:00:00","jpy","-4415","0","-4415",'
            f'"payout","{PAYOUT}","STRIPE PAYOUT","",""')
    refund = ('"txn_R4RRRRRRRRRRRRRRRRRRRRRR","2026-01-16 00:30:00","2026-01-19 00:30:00","jpy","-100","0","-100",'
              '"refund","re_R4R","REFUND FOR CHARGE (Order #4001)","po_R4YYYYYYYYYYYYYYYYYYYYYY","2026-01-19 00:00:00"')
    sale = _item("txn_R4SSSSSSSSSSSSSSSSSSSSSS", "2026-01-16 03:00:00", 2360, 85, "ch_R4S", 4005, **later)
    merchant = _merchant(tmp_path / "m", A, paid, refund, sale)
    (merchant / "config.yaml").write_text(CONFIG.replace("settlement_days: 30", "settlement_days: 3"), encoding="utf-8")
    assert beanclear(merchant, "import", str(merchant / "activity.csv")).exit_code == 0
    result = beanclear(merchant, "check", "--format", "json")
    assert (result.exit_code, json.loads(result.output)["findings"]) == (0, []), result.output
    (merchant / "next.csv").write_text("\n".join([REPORT, (
        '"txn_R4QQQQQQQQQQQQQQQQQQQQQQ","2026-01-19 00:05:00","2026-01-19 00:05:00","jpy","-2175","0","-2175",'
        '"payout","po_R4YYYYYYYYYYYYYYYYYYYYYY","STRIPE PAYOUT","",""')]) + "\n", encoding="utf-8")
    assert beanclear(merchant, "import", str(merchant / "next.csv")).exit_code == 0
    result = beanclear(merchant, "check", "--format", "json")
    assert (result.exit_code, json.loads(result.output)["findings"]) == (0, []), result.output
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


def test_an_entry_a_person_edited_stays_as_it_is(tmp_path):
    """A comment a person wrote into the report's entry of Order #4002: the API's import
    leaves that entry as it is (its fee details not added) and says so."""
    merchant = _merchant(tmp_path / "m", A, B)
    assert beanclear(merchant, "import", str(merchant / "activity.csv")).exit_code == 0
    month = merchant / "books" / "stripe" / "2026" / "2026-01.beancount"
    text = month.read_text(encoding="utf-8").replace('  source-id: "ch_R4B"\n',
                                                     '  source-id: "ch_R4B"   ; asked the buyer\n')
    month.write_text(text, encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "api.json"))
    assert result.exit_code == 0 and "a person edited left as they are" in result.output
    assert "; asked the buyer" in _entry(merchant / "books", "txn_R4BBBBBBBBBBBBBBBBBBBBBB")
    assert "fee-details" not in _entry(merchant / "books", "txn_R4BBBBBBBBBBBBBBBBBBBBBB")
    assert "sum of its items" not in _entry(merchant / "books", PAYOUT)   # the guess is none of hers


def test_each_export_writes_its_metadata_in_the_one_order():
    """An entry either export wrote gains the other's keys in their place (SHARED.order):
    the golden books of every Stripe sample write their keys in that order already."""
    from conftest import REPO

    from beanclear.importers.stripe_booking import SHARED
    rank = {key: at for at, key in enumerate(SHARED.order)}
    golden = sorted((REPO / "tests" / "golden" / "data" / "stripe").glob("*.beancount"))
    checked = 0
    for path in golden:
        if path.name.startswith("unified_payments"):   # the legacy payments export: no balance transactions
            continue
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            keys = re.findall(r"^  ([a-z][a-z-]*):", block, re.M)
            assert all(k in rank for k in keys) and keys == sorted(keys, key=rank.get), (path.name, keys)
            checked += bool(keys)
    assert checked > 20
