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


# The sheet's XML as exporters write it, beyond what openpyxl writes: rows and cells
# with or without their `r`, rows skipped, a row given twice or before the last, empty
# rows, inline strings, a float row number. sheet_shape must give openpyxl's own count
# and width, or None (then openpyxl's pass decides).
ROW_NUMBERS = st.one_of(st.none(), st.integers(1, 30), st.integers(1, 30).map(lambda n: f"{n}.0"))
CELL_REFS = st.one_of(st.none(), st.tuples(st.sampled_from(["A", "B", "C", "F", "AA"]), st.integers(1, 30)))


def _sheet_xml(rows) -> bytes:
    body = []
    for number, cells in rows:
        r = "" if number is None else f' r="{number}"'
        inner = "".join(f'<c{"" if ref is None else f" r={chr(34)}{ref[0]}{ref[1]}{chr(34)}"} t="inlineStr">'
                        f"<is><t>x</t></is></c>" for ref in cells)
        body.append(f"<row{r}>{inner}</row>")
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{"".join(body)}</sheetData></worksheet>').encode()


def _with_sheet(path, xml: bytes) -> None:
    import zipfile
    _xlsx(path, [["id"]])
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _openpyxl_shape(path) -> tuple[int, int]:
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    count = width = 0
    for count, values in enumerate(sheet.iter_rows(values_only=True), 1):
        width = max(width, len(values))
    book.close()
    return count, width


def _shape(path, limit=10**6):
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with book.worksheets[0]._get_source() as source:
            return xlsx.sheet_shape(source, limit, lambda row: pytest.fail(f"refused at {row}"))
    finally:
        book.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(ROW_NUMBERS, st.lists(CELL_REFS, max_size=5)), max_size=8))
def test_a_sheets_shape_from_its_tags_is_openpyxls(tmp_path, rows):
    path = tmp_path / "book.xlsx"
    _with_sheet(path, _sheet_xml(rows))
    assert _shape(path) == _openpyxl_shape(path)   # every one of these is read from its tags


def test_a_sheet_the_tags_cannot_tell_is_left_to_openpyxl(tmp_path):
    path = tmp_path / "book.xlsx"
    for xml in (_sheet_xml([(None, [None])]).replace(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                                    b'<?xml version="1.0"?><!DOCTYPE worksheet>'),
                _sheet_xml([("2.5", [None])]), _sheet_xml([(None, [("A", 1)])]).replace(b'r="A1"', b'r="1A"'),
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<dimension ref="A1"/><sheetData><row>'):   # cut short
        _with_sheet(path, xml)
        assert _shape(path) is None


def test_the_row_limit_is_met_where_the_whole_read_meets_it(tmp_path):
    path = tmp_path / "book.xlsx"
    _with_sheet(path, _sheet_xml([(None, [None]), ("1000000", [None])]))
    refused = []

    def refuse(row):
        refused.append(row)
        raise StatementError(path, row, "too many")
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(StatementError), book.worksheets[0]._get_source() as source:
        xlsx.sheet_shape(source, 40, refuse)
    book.close()
    assert refused == [41]


def test_a_streamed_workbook_is_measured_from_its_tags(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    _xlsx(path, [["id", "amount"], ["T1", 1, None, 3], [], ["T2"]])

    def refuse(self):
        raise AssertionError("openpyxl's pass measured a workbook the tags describe")
    monkeypatch.setattr(XlsxRows, "_values", refuse)
    rows = XlsxRows(path, ["id", "amount"])
    assert (rows.count, rows.width) == (4, 4)


def test_a_workbooks_head_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "book.xlsx"
    _xlsx(path, [["id", "amount"], ["T1", 1]])
    assert xlsx.xlsx_head(path).splitlines()[1] == "T1,1"
    import os
    _xlsx(path, [["id", "amount"], ["T2", 22]])
    os.utime(path, ns=(1, 1))   # a time of its own, whatever the clock's resolution
    assert xlsx.xlsx_head(path).splitlines()[1] == "T2,22"
    assert xlsx.xlsx_head(tmp_path / "gone.xlsx") == ""


def test_the_row_tag_is_openpyxls():
    from openpyxl.worksheet._reader import ROW_TAG
    assert xlsx._ROW == ROW_TAG.replace("{", "").replace("}", " ")


def test_a_workbook_saved_under_another_name_reads_as_itself(tmp_path, monkeypatch):
    # blind29: a complete workbook named .csv was refused as "cut off or not an XLSX workbook"
    # (openpyxl refuses the name); read whole and streamed alike
    path = tmp_path / "book.xlsx"
    _xlsx(path, [["id", "amount"], ["a", 1], ["b", 2]])
    named = tmp_path / "book.csv"
    named.write_bytes(path.read_bytes())
    assert xlsx_rows(named, ["id", "amount"]) == xlsx_rows(path, ["id", "amount"])
    assert list(XlsxRows(named, ["id", "amount"]).rows()) == xlsx_rows(path, ["id", "amount"])
    # must not: a damaged one is still said to be cut off
    named.write_bytes(path.read_bytes()[:200])
    with pytest.raises(StatementError, match="cut off or not an XLSX workbook"):
        xlsx_rows(named, ["id", "amount"])
