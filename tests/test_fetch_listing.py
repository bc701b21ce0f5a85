"""A day fetched page by page is sorted on disk (live/fetch/listing.py) and archived from a
file (live/archive.py): the archived bytes are exactly those of the whole day held and
sorted in memory (what fetch wrote before, so a day fetched again is still "same"), with
the store kept to a few items so that every path through the on-disk runs is taken."""

from __future__ import annotations

import datetime as dt
import io
import json
from unittest import mock

import yaml
from hypothesis import given, settings, strategies as st

from beanclear import config as config_mod
from beanclear.books import spill
from beanclear.live import archive, fetch
from beanclear.live.fetch import paypal as paypal_fetch
from beanclear.live.fetch.listing import DayItems

from live_servers import PaypalServer, StripeServer
from live_util import FAST, stripe_txn, write_config

DAY = dt.date(2026, 3, 1)


def _whole(doc: dict, field: str, items: list[dict], key) -> bytes:
    """What fetch wrote before: the whole day in memory, sorted (stably) by `key`."""
    text = json.dumps({**doc, field: sorted(items, key=key)}, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)   # \n, \u2028, NUL, 中 …
_json = st.recursive(st.none() | st.booleans() | st.integers() | _text,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=8)
_items = st.lists(st.tuples(st.integers(0, 5), st.dictionaries(_text, _json, max_size=4)), max_size=25)


@settings(max_examples=150, deadline=None)
@given(items=_items, limit=st.integers(1, 6), extra=st.dictionaries(_text, _json, max_size=3))
def test_the_document_is_the_whole_day_sorted_byte_for_byte(items, limit, extra):
    doc = {k: v for k, v in extra.items() if k != "data"}
    with mock.patch.object(spill, "LIMIT", limit):
        day = DayItems(DAY)
        for key, item in items:
            day.add((key,), item)
        written = day.document(doc, "data").read()
    ordered = [item for _, item in sorted(items, key=lambda pair: pair[0])]   # stable: ties as they came
    assert written == _whole(doc, "data", ordered, key=lambda item: 0)
    assert len(day) == len(items)


def test_stripe_day_across_pages_archived_as_the_whole_sorted_day(tmp_path, monkeypatch):
    txns = [stripe_txn(f"txn_{n:04d}{'x' * (n % 3)}", DAY, n % 24, "charge", 1000 + n, 30 + n % 7)
            for n in range(250)]   # 3 pages of 100, newest first; hours repeat: ties broken by id
    txns.append(stripe_txn("txn_next_day", DAY + dt.timedelta(days=1), 1, "charge", 500, 20))
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    monkeypatch.setattr(spill, "LIMIT", 16)
    with StripeServer("sk_test_local123", txns) as server:
        cfg = write_config(tmp_path, yaml.safe_dump({
            "books": "books", "currency": "USD", "timezone": "Asia/Shanghai", "live": FAST,
            "channels": {"stripe": {"type": "stripe", "currency": "USD", "settlement_days": 3,
                                    "fetch": {"api_base": server.url}}}}))
        report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, do_import=False)
        assert sum("/v1/balance_transactions" in path for _, path in server.requests) == 3
    path = tmp_path / "statements" / "stripe" / "balance-transactions-2026-03-01.json"
    shanghai = dt.timezone(dt.timedelta(hours=8))
    start, end = (int(dt.datetime.combine(day, dt.time(), shanghai).timestamp()) for day in (DAY, DAY + dt.timedelta(days=1)))
    url = f"/v1/balance_transactions?created[gte]={start}&created[lt]={end}"   # the window asked
    expected = _whole({"object": "list", "url": url, "has_more": False}, "data",
                      txns[:250], key=lambda t: (t["created"], t["id"]))
    assert report.failures == [] and path.read_bytes() == expected
    assert f"({len(expected)} bytes, new)" in report.lines[-1]


def _paypal_row(n: int) -> dict:
    when = f"2026-03-01T{n % 24:02d}:{n % 60:02d}:00+0000"
    return {"transaction_info": {"transaction_id": f"5TY{n:014d}", "transaction_event_code": "T0006",
                                 "transaction_initiation_date": when, "transaction_updated_date": when,
                                 "transaction_amount": {"currency_code": "USD", "value": f"{10 + n}.00"},
                                 "fee_amount": {"currency_code": "USD", "value": "-0.59"},
                                 "transaction_status": "S", "transaction_subject": f"订单 {n}"}}


def test_paypal_day_across_pages_archived_as_the_whole_sorted_day(tmp_path, monkeypatch):
    rows = [_paypal_row(n) for n in reversed(range(40))]
    monkeypatch.setattr(spill, "LIMIT", 5)
    monkeypatch.setattr(paypal_fetch, "PAGE_SIZE", 7)
    with PaypalServer("client-abc", "secret-xyz", "WH-1", rows) as server:
        server.refreshed = "2026-03-02T05:00:00+0000"
        cfg = write_config(tmp_path, yaml.safe_dump({
            "books": "books", "currency": "USD", "timezone": "UTC", "live": FAST,
            "channels": {"paypal": {"type": "paypal", "currency": "USD", "fetch": {"api_base": server.url}}}}))
        environ = {"PAYPAL_CLIENT_ID": "client-abc", "PAYPAL_CLIENT_SECRET": "secret-xyz"}
        report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, do_import=False, environ=environ)
        pages = [path for _, path in server.requests if path.startswith("/v1/reporting/transactions")]
    assert report.failures == [] and len(pages) == 6
    written = (tmp_path / "statements" / "paypal" / "transactions-2026-03-01.json").read_bytes()
    doc = json.loads(written)
    first = {k: v for k, v in doc.items() if k != "transaction_details"}
    assert first["total_items"] == 40 and first["page"] == 1 and first["total_pages"] == 1
    info = lambda d: (d["transaction_info"]["transaction_initiation_date"], d["transaction_info"]["transaction_id"])
    assert written == _whole(first, "transaction_details", rows, key=info)


def test_store_from_a_file_new_same_and_conflict(tmp_path):
    content = "交易,1\n".encode("utf-8") * 100_000    # past a block of the copy and the comparison
    stored = archive.store(tmp_path, "day.csv", io.BytesIO(content))
    assert (stored.state, stored.size) == ("new", len(content)) and stored.path.read_bytes() == content
    assert archive.store(tmp_path, "day.csv", content).state == "same"
    changed = io.BytesIO(content[:-2] + b"2\n")
    changed.seek(5)   # wherever the fetcher left it: read from the start
    other = archive.store(tmp_path, "day.csv", changed)
    assert other.state == "conflict" and other.original == tmp_path / "day.csv"
    assert other.path.read_bytes() == content[:-2] + b"2\n" and (tmp_path / "day.csv").read_bytes() == content
    longer = archive.store(tmp_path, "day.csv", io.BytesIO(content + b"x"))
    assert longer.state == "conflict" and longer.path != other.path
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []   # no .part left
