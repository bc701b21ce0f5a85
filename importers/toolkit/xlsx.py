"""XLSX workbooks as rows, the same as a CSV's (read-only, the sheet with the header)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from beanclear.importers.toolkit.text import Row, StatementError, header_key

# -- XLSX ----------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
_POWER_QUERY_HEADER = re.compile(r"^Column\d+$")


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold: numbers via Decimal from their
    shortest repr (`28.16`, never `28.159999…`), dates as ISO text to the second."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{Decimal(format(value, '.15g')):f}"
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _open_workbook(path: str | Path):
    import openpyxl
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a broken zip, a zip that is no workbook: openpyxl raises many kinds
        raise StatementError(path, 0, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None


def xlsx_rows(path: str | Path, required: Iterable[str] = ()) -> list[Row]:
    """The rows of the sheet that holds the header (`required` names in one of its first
    60 rows), as text cells; `Row.line` is the sheet's row number. A user's Power-Query
    copy of the bill (headers `Column1…`) in another sheet is left aside; two sheets that
    both hold the statement are an error rather than a guess."""
    wanted = {header_key(n) for n in required}
    book = _open_workbook(path)
    try:
        found = []
        for sheet in book.worksheets:
            head = [[cell_text(v) for v in values] for _, values in zip(range(60), sheet.iter_rows(values_only=True))]
            if wanted and not any(wanted <= {header_key(c) for c in cells} for cells in head):
                continue
            copy = bool(head) and all(_POWER_QUERY_HEADER.match(c) or not c for c in head[0]) and any(head[0])
            found.append((copy, sheet))
        if not found:
            return [Row(i, [cell_text(v) for v in values]) for i, values in
                    enumerate(book.worksheets[0].iter_rows(values_only=True), 1)] if book.worksheets else []
        originals = [s for copy, s in found if not copy] or [s for _, s in found]
        if len(originals) > 1:
            raise StatementError(path, 1, "sheets " + ", ".join(repr(s.title) for s in originals)
                                 + " all hold a statement (expected one; delete the copies)")
        return [Row(i, [cell_text(v) for v in values])
                for i, values in enumerate(originals[0].iter_rows(values_only=True), 1)]
    finally:
        book.close()


def xlsx_head(path: str | Path, rows: int = 60) -> str:
    """The first rows of every sheet as comma-joined text lines, so that `matches()`
    reads a workbook as it reads a CSV file. Never raises."""
    try:
        book = _open_workbook(path)
    except StatementError:
        return ""
    try:
        return "\n".join(",".join(cell_text(v) for v in values) for sheet in book.worksheets
                         for _, values in zip(range(rows), sheet.iter_rows(values_only=True)))
    except Exception:  # a damaged sheet: identification just fails
        return ""
    finally:
        book.close()
