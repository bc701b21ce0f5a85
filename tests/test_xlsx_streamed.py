"""XLSX workbooks past xlsx.STREAM_FROM read as a stream (xlsx.XlsxRows): a first pass
for the widest row and the row limit, then the rows as they come, never held. The rows
are xlsx_rows()'s, padding included (it reaches the books: a wallet's row digest joins
every cell), and so are the entries and the errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from beanclear.importers.toolkit import StatementError, read_statement, xlsx
from beanclear.importers.toolkit.xlsx import XlsxRows, xlsx_rows
from golden_util import extraction_text
from test_alipay_merchant import alipay_fund, cfg, extract, fund_ledger_xlsx  # noqa: F401
from test_toolkit import _xlsx

CELLS = st.one_of(st.none(), st.text("ab 1-,", max_size=4), st.integers(-999, 999),
                  st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 2)),
                  st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELLS, max_size=6), max_size=12))
def test_streamed_rows_are_the_whole_reads(tmp_path, rows):
    path = tmp_path / "book.xlsx"
    _xlsx(path, [["id", "amount"], *rows])
    assert list(XlsxRows(path, ["id", "amount"]).rows()) == xlsx_rows(path, ["id", "amount"])


def _streamed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a workbook past STREAM_FROM was read whole")
    monkeypatch.setattr(xlsx, "STREAM_FROM", 0)
    monkeypatch.setattr("beanclear.importers.toolkit.tables.xlsx_rows", refuse)


def test_a_streamed_statement_reads_as_the_whole_one(tmp_path, monkeypatch):
    path = tmp_path / "bill.xlsx"
    _xlsx(path, [["Bill of March"], ["id", "amount", None], ["T1", 1.5], ["T2", 2, None], [], ["T3", None]],
          dimension="A1:B3")
    whole = read_statement(path, ["id", "amount"], "bill", stream=True)
    rows = list(whole.table.rows)
    _streamed(monkeypatch)
    streamed = read_statement(path, ["id", "amount"], "bill", stream=True)
    assert list(streamed.table.rows) == rows and [r.line for r in rows] == [3, 4, 6]
    assert list(streamed.table.rows) == rows   # a second pass reads it again


def test_importers_read_a_streamed_workbook_as_the_whole_one(cfg, tmp_path, monkeypatch):
    path = fund_ledger_xlsx(tmp_path)
    whole = extraction_text(extract(cfg, alipay_fund, path))
    _streamed(monkeypatch)
    assert extraction_text(extract(cfg, alipay_fund, path)) == whole


def test_the_row_limit_of_a_streamed_workbook_is_the_whole_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "_DENSITY_FROM", 10)
    monkeypatch.setattr(xlsx, "MIN_BYTES_PER_ROW", 10_000)
    path = tmp_path / "bomb.xlsx"
    _xlsx(path, [["id", "amount"]] + [["T", 1]] * 50)
    with pytest.raises(StatementError) as whole:
        read_statement(path, ["id", "amount"], "bill", stream=True)
    _streamed(monkeypatch)
    with pytest.raises(StatementError) as streamed:
        read_statement(path, ["id", "amount"], "bill", stream=True)
    assert str(streamed.value) == str(whole.value) and "zip bomb" in str(whole.value)
