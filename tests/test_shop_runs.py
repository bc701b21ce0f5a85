"""Shop exports with several rows per order (Shopify line items, Douyin sub-orders, JD
products) read in runs (shop.in_runs): an order's rows are held only until the next
order starts, so a streamed export is never held whole. An export whose orders
interleave, or that raises, is read again whole: what the import says of a file is
what grouping every row says."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from beanclear.books import idset
from beanclear.importers import shop
from beanclear.importers.toolkit import Row, StatementError, text
from golden_util import extraction_text
from test_shop_orders import SHOPIFY_SAMPLES, douyin_file, jd_file, jd_row, read, sample, shops, write  # noqa: F401


@given(st.lists(st.sampled_from("abcde"), max_size=30))
def test_in_runs_is_grouped_when_each_orders_rows_are_together(keys):
    rows = [Row(line, [key]) for line, key in enumerate(keys, start=2)]
    whole = [(key, [r.line for r in run]) for key, run in shop.grouped(rows, lambda r: r.cells[0]).items()]
    together = all(keys.index(k) + keys.count(k) == len(keys) - keys[::-1].index(k) for k in set(keys))
    if together:
        assert [(key, [r.line for r in run]) for key, run in shop.in_runs(rows, lambda r: r.cells[0])] == whole
    else:
        with pytest.raises(shop.Interleaved):
            list(shop.in_runs(rows, lambda r: r.cells[0]))


def test_in_runs_finds_an_order_again_past_the_ids_in_memory(monkeypatch):
    monkeypatch.setattr(idset, "LIMIT_IDS", 2)
    rows = [Row(n, [f"o{n}"]) for n in range(40)] + [Row(40, ["o3"])]
    with pytest.raises(shop.Interleaved):
        list(shop.in_runs(rows, lambda r: r.cells[0]))


def _never_whole(monkeypatch):
    def refuse(rows, key):
        raise AssertionError("an export whose orders come together was held whole")
    monkeypatch.setattr(shop, "grouped", refuse)


def test_streamed_exports_give_the_entries_of_the_whole_read(shops, tmp_path, monkeypatch):
    files = {"douyin": douyin_file(tmp_path),
             "jd": jd_file(tmp_path, jd_row("290123456789", "100012", "正山小种", "356.00"),
                           jd_row("290123456789", "100013", "紫砂杯", "356.00"),
                           jd_row("290123456790", "100014", "茶盘", "99.00", status="已取消")),
             **{f"shopify {name}": sample("marketplace_shopify", name) for name in SHOPIFY_SAMPLES}}
    whole = {name: extraction_text(read(shops, name.split()[0], path)) for name, path in files.items()}
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    _never_whole(monkeypatch)
    for name, path in files.items():
        assert extraction_text(read(shops, name.split()[0], path)) == whole[name], name


def test_interleaved_orders_are_read_again_whole(shops, tmp_path, monkeypatch):
    """#1's line items on lines 2 and 4, its order columns on line 4 only: its first
    run (line 2) holds no Created at; the whole read books it with both items."""
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    path = write(tmp_path, "orders_export.csv", [
        "Name,Created at,Total,Currency,Financial Status,Lineitem name",
        "#1,,,,,A",
        "#2,2025-02-01 11:00:00 -0500,50.00,USD,paid,B",
        "#1,2025-02-01 10:00:00 -0500,80.00,USD,paid,C"])
    extraction = read(shops, "shopify", path)
    orders = {e.meta["id"]: e for e in extraction.entries}
    assert [e.meta["id"] for e in extraction.entries] == ["order:#1", "order:#2"]
    assert orders["order:#1"].narration == "Order #1 / A, C" and orders["order:#1"].meta["lineno"] == 4
    assert extraction.rows == 3


def test_an_error_is_the_whole_reads(shops, tmp_path, monkeypatch):
    """JD's rows of one order must agree: the same error, streamed or not, interleaved
    or not, and the export is read again whole to say it."""
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    path = jd_file(tmp_path, jd_row("290123456789", "100012", "a", "356.00"),
                   jd_row("290123456790", "100014", "c", "99.00"),
                   jd_row("290123456789", "100013", "b", "300.00"))
    with pytest.raises(StatementError, match=r"jd_orders.csv:4: order 290123456789: 结算金额 differs from line 2"):
        read(shops, "jd", path)


def _reads(monkeypatch, module) -> list:
    """The reads of the export a shop importer makes (its read_statement calls)."""
    calls = []
    real = module.read_statement

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(module, "read_statement", counted)
    return calls


@pytest.mark.parametrize("limit", [0, None])
def test_a_large_export_whose_orders_come_together_says_the_streams_error(shops, tmp_path, monkeypatch, limit):
    """Past text.ERRORS_WHOLE_UP_TO an error of an export whose every order's rows are
    together (one more pass over the ids says so) is the whole read's: said, the rows
    never held (grouped() refused). Below it, read again whole as before."""
    from beanclear.importers import jd_orders
    path = jd_file(tmp_path, jd_row("290123456789", "100012", "a", "356.00"),
                   jd_row("290123456789", "100013", "b", "300.00"),
                   jd_row("290123456790", "100014", "c", "99.00"))
    with pytest.raises(StatementError) as whole:
        read(shops, "jd", path)
    assert "jd_orders.csv:3: order 290123456789: 结算金额 differs from line 2" in str(whole.value)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    reads = _reads(monkeypatch, jd_orders)
    if limit is not None:
        monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", limit)
        _never_whole(monkeypatch)
    with pytest.raises(StatementError) as streamed:
        read(shops, "jd", path)
    assert str(streamed.value) == str(whole.value)
    assert len(reads) == (1 if limit is not None else 2)


def test_a_large_export_whose_orders_interleave_is_still_read_again_whole(shops, tmp_path, monkeypatch):
    """Its runs are not its orders: what the whole read says of it may be another error,
    or none (test_interleaved_orders_are_read_again_whole), so it is read whole."""
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    path = jd_file(tmp_path, jd_row("290123456789", "100012", "a", "356.00"),
                   jd_row("290123456790", "100014", "c", "99.00"),
                   jd_row("290123456789", "100013", "b", "300.00"))
    grouped, held = shop.grouped, []
    monkeypatch.setattr(shop, "grouped", lambda rows, key: held.append(len(rows)) or grouped(rows, key))
    with pytest.raises(StatementError, match=r"jd_orders.csv:4: order 290123456789: 结算金额 differs from line 2"):
        read(shops, "jd", path)
    assert held == [3]


def test_an_export_read_in_no_runs_is_not_read_again_to_say_its_error(shops, tmp_path, monkeypatch):
    """Taobao's orders are one row each (no runs): a second read could only say the same."""
    from beanclear.importers import taobao_orders
    from test_shop_orders import TAOBAO_HEADER, taobao_row
    path = write(tmp_path, "ExportOrderList.csv", [TAOBAO_HEADER, taobao_row("1"), taobao_row("2", status="神秘状态")],
                 encoding="gbk")
    reads = _reads(monkeypatch, taobao_orders)
    with pytest.raises(StatementError, match=r"ExportOrderList.csv:3: column 订单状态: unknown status"):
        read(shops, "taobao", path)
    assert len(reads) == 1
