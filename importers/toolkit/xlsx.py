"""XLSX workbooks as rows, the same as a CSV's (read-only, the sheet with the header)."""

from __future__ import annotations

import datetime as dt
import re
import weakref
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

from beanclear.importers.toolkit.text import (MAX_BYTES, MAX_ROWS, Row, StatementError, header_key,
                                             strip_controls)

# -- XLSX ----------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
# A statement row (an id, a date, an amount) never zips below a few bytes; a workbook of
# many more rows than its size allows is a zip bomb of repeated rows, not an export.
MIN_BYTES_PER_ROW = 8
_DENSITY_FROM = 100_000  # rows: below this, any workbook is taken as it is
_POWER_QUERY_HEADER = re.compile(r"^Column\d+$")


EXCEL_DIGITS_FROM = 1e15   # a number cell this large has more digits than Excel keeps (15)


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold: numbers via Decimal from their
    shortest repr (`28.16`, never `28.159999…`), dates as ISO text to the second."""
    if value is None:
        return ""
    if isinstance(value, float):
        if abs(value) >= EXCEL_DIGITS_FROM:
            # Excel keeps 15 digits: a 28-digit id typed in as a number is 4.2E+27 in the
            # cell, the rest lost. Read as Excel shows it, so an id column refuses it
            # (text.whole_id) rather than booking `4200000000000000000000000000`.
            return format(value, ".15g").upper()
        return f"{Decimal(format(value, '.15g')):f}"
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return strip_controls(str(value))


def zip_members(path: str | Path) -> list[str] | None:
    """The files inside a ZIP archive that is no XLSX workbook (Alipay's bill download,
    `<PID>_<day>.csv.zip`, member names in GBK), else None. Never raises."""
    import zipfile
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != XLSX_MAGIC:
                return None
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (OSError, zipfile.BadZipFile):
        return None
    names = [member_name(info) for info in infos]
    return None if "[Content_Types].xml" in names else names


def member_name(info) -> str:
    """A zip member's name (a zipfile.ZipInfo's): Alipay's zips name them in GBK without
    the UTF-8 flag, which zipfile then reads as code page 437; other zips of a Chinese
    name write UTF-8 without the flag. UTF-8 first: GBK names seldom decode as UTF-8,
    while UTF-8 ones often decode as (wrong) GB18030."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


_OPENPYXL_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def _open_workbook(path: str | Path):
    import zipfile

    import openpyxl
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise StatementError(path, 0, f"the file is larger than {MAX_BYTES // 2**20} MB, the limit for one "
                                 "statement (split the export into shorter periods)")
        with zipfile.ZipFile(path) as zf:  # what the parts inflate to, before inflating them
            if sum(i.file_size for i in zf.infolist()) > MAX_BYTES:
                raise StatementError(path, 0, f"the workbook unzips to more than {MAX_BYTES // 2**20} MB, the limit "
                                     "for one statement (a zip bomb, or an export to split into shorter periods)")
        if Path(path).suffix.lower() in _OPENPYXL_NAMES:
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
        # a workbook saved under another name (`.csv`): openpyxl refuses the name, not the bytes
        # (a blind tester's complete workbook was called "cut off"); read through a handle
        handle = open(path, "rb")
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except BaseException:
            handle.close()
            raise
        close = book.close

        def closing():
            close()
            handle.close()
        book.close = closing
        return book
    except StatementError:
        raise
    except Exception as exc:  # a broken zip, a zip that is no workbook: openpyxl raises many kinds
        raise _unreadable(path, exc) from None


def _unreadable(path, exc: Exception) -> StatementError:
    """A file whose zip or parts do not read as a workbook: said of the whole file, at
    line 1 as an empty or undecodable file is. Mostly a download cut off (a zip's
    directory is at its end), so that is said first."""
    return StatementError(path, 1, f"cut off or not an XLSX workbook ({type(exc).__name__}: {str(exc)[:200]}): is "
                          "the file complete? download or export it again")


def xlsx_rows(path: str | Path, required: Iterable[str] = ()) -> list[Row]:
    """The rows of the sheet that holds the header (`required` names in one of its first
    60 rows), as text cells; `Row.line` is the sheet's row number. A user's Power-Query
    copy of the bill (headers `Column1…`) in another sheet is left aside; two sheets that
    both hold the statement are an error rather than a guess. Every row the sheet holds
    is read, whatever its `<dimension>` claims (read-only mode trusts it, and a wrong one
    dropped rows), up to MAX_ROWS."""
    book = _open_workbook(path)
    try:
        with _read_errors(path):
            sheet = _statement_sheet(path, book, required)
            return _sheet_rows(path, sheet) if sheet is not None else []
    finally:
        book.close()


# Past 4 MiB a workbook is read as a stream (XlsxRows): it zips its rows many times over
# (100,000 rows of a Pinduoduo export in 5.9 MB held 190 MB read whole). The stream reads
# the sheet twice (its width first, from the tags: sheet_shape), ~1.3 times the CPU of
# the whole read: below this, the whole read.
STREAM_FROM = 4 * 2**20


def xlsx_stream(path: str | Path, required: Iterable[str] = ()):
    """XlsxRows(path, required).rows for a workbook past STREAM_FROM bytes, else None
    (read it whole: xlsx_rows)."""
    try:
        if Path(path).stat().st_size < STREAM_FROM:
            return None
    except OSError:
        return None
    return XlsxRows(path, required).rows


class XlsxRows:
    """The rows xlsx_rows() gives, without holding them: a first pass over the sheet
    finds the widest row (every row is padded to it, as xlsx_rows pads them) and checks
    the row limit, raising what xlsx_rows raises; each call of rows() is a pass that
    reads the rows as they come. The workbook is opened once and kept open while this
    lives: openpyxl reads the shared strings and, for a sheet without a `<dimension>`,
    the whole sheet each time it opens one. `read`, a one-item list if given, follows
    the bytes of the file the pass has come to (for progress)."""

    def __init__(self, path: str | Path, required: Iterable[str] = ()):
        self.path, self.size = path, Path(path).stat().st_size
        self.count = self.width = 0
        book = _open_workbook(path)
        weakref.finalize(self, book.close)
        with _read_errors(path):
            self.sheet = _statement_sheet(path, book, required)
        limit = _row_limit(path)
        shape = self._shape(limit)
        if shape is not None:
            self.count, self.width = shape
            return
        for i, values in self._values():
            _within(path, i, limit)
            self.count, self.width = i, max(self.width, len(values))

    def _shape(self, limit: int) -> tuple[int, int] | None:
        """(rows, widest row) from the sheet's XML tags alone (sheet_shape), or None to
        learn them from openpyxl's own pass (a workbook it reads unlike the usual)."""
        if self.sheet is None:
            return None
        with _read_errors(self.path), self.sheet._get_source() as source:   # the sheet's XML, as openpyxl opens it
            return sheet_shape(source, limit, lambda row: _within(self.path, row, limit))

    def _values(self) -> Iterator[tuple[int, tuple]]:
        if self.sheet is not None:
            with _read_errors(self.path):
                yield from enumerate(self.sheet.iter_rows(values_only=True), 1)

    def rows(self, read: list | None = None) -> Iterator[Row]:
        width, count, size = self.width, max(self.count, 1), self.size
        for i, values in self._values():
            if read is not None:
                read[0] = size * min(i, count) // count
            yield _padded(Row(i, [cell_text(v) for v in values]), width)


# A sheet's `row` element as expat names it (namespace, space, name): openpyxl's ROW_TAG.
# Spelled out rather than imported: importing openpyxl costs every command ~13 MB and
# its start-up, and only workbooks need it (its imports stay inside the functions).
_ROW = "http://schemas.openxmlformats.org/spreadsheetml/2006/main row"


def sheet_shape(source, limit: int, refuse) -> tuple[int, int] | None:
    """(rows, widest row) of a sheet's XML as openpyxl's read-only `iter_rows` gives
    them once its dimensions are reset, read from the tags alone: openpyxl's own pass
    converts every cell's value only to have them counted (~40% of a streamed
    workbook's time). As openpyxl reads a sheet: each `row` element is row `r` (else
    the one after the last), a row before one already given is dropped, a row skipped
    is given empty; a row is as wide as its last child's column (`r`, else one past
    the child before). Past `limit` rows, `refuse(limit + 1)` (it raises). None where
    the sheet holds what this does not read as openpyxl does (a DTD, a row inside a
    row, a malformed row number or cell reference, XML it cannot parse): openpyxl's
    own pass then decides, and raises what it raises."""
    from xml.parsers import expat

    from openpyxl.utils.cell import coordinate_to_tuple
    depth = row_depth = row = column = last = count = width = 0
    given = 1   # the row openpyxl gives next

    def start(name, attrs):
        nonlocal depth, row_depth, row, column, last
        depth += 1
        if row_depth:
            if depth == row_depth + 1:    # a child of the row: a cell
                reference = attrs.get("r")
                column = coordinate_to_tuple(reference)[1] if reference else column + 1
                last = column
            elif name == _ROW:
                raise _Undecided
        elif name == _ROW:
            number = attrs.get("r")
            row = row + 1 if number is None else _row_number(number)
            row_depth, column, last = depth, 0, 0

    def end(name):
        nonlocal depth, row_depth, count, width, given
        if depth == row_depth:
            if given < row:               # rows skipped: each given empty
                count += row - given
                given = row
            if given == row:
                count += 1
                width = max(width, last)
                given += 1
            row_depth = 0
            if count > limit:
                refuse(limit + 1)
        depth -= 1

    def undecided(*_):
        raise _Undecided

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = undecided
    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        while chunk := source.read(2**20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Undecided, ValueError, expat.ExpatError):   # ValueError: coordinate_to_tuple's, float()'s
        return None
    return count, width


def _row_number(text: str) -> int:
    """A row's `r` as openpyxl reads it: an integer, or a float that is one."""
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise _Undecided from None
        return int(value)


class _Undecided(Exception):
    """The sheet holds what sheet_shape does not read as openpyxl does."""


def _statement_sheet(path: str | Path, book, required: Iterable[str]):
    """The sheet that holds the statement (see xlsx_rows), or None for a workbook without sheets."""
    wanted = {header_key(n) for n in required}
    for sheet in book.worksheets:
        sheet.reset_dimensions()
    found = []
    for sheet in book.worksheets:
        head = [[cell_text(v) for v in values] for _, values in zip(range(60), sheet.iter_rows(values_only=True))]
        if wanted and not any(wanted <= {header_key(c) for c in cells} for cells in head):
            continue
        copy = bool(head) and all(_POWER_QUERY_HEADER.match(c) or not c for c in head[0]) and any(head[0])
        found.append((copy, sheet))
    if not found:
        return book.worksheets[0] if book.worksheets else None
    originals = [s for copy, s in found if not copy] or [s for _, s in found]
    if len(originals) > 1:
        raise StatementError(path, 1, "sheets " + ", ".join(repr(s.title) for s in originals)
                             + " all hold a statement (expected one; delete the copies)")
    return originals[0]


@contextmanager
def _read_errors(path: str | Path):
    """What reading a workbook's parts raises, as a StatementError."""
    try:
        yield
    except (StatementError, KeyboardInterrupt, GeneratorExit):
        raise
    except MemoryError:
        raise StatementError(path, 0, "not enough memory to read the workbook") from None
    except Exception as exc:  # a damaged part inside the zip: zlib, XML, or openpyxl errors of many kinds
        raise _unreadable(path, exc) from None


def _row_limit(path: str | Path) -> int:
    return min(MAX_ROWS, max(_DENSITY_FROM, Path(path).stat().st_size // MIN_BYTES_PER_ROW))


def _within(path: str | Path, row: int, limit: int) -> None:
    if row > limit:
        why = "the limit for one statement" if limit == MAX_ROWS else \
            f"more than a workbook of its size holds, {MIN_BYTES_PER_ROW} bytes a row: a zip bomb?"
        raise StatementError(path, row, f"more than {limit:,} rows ({why}; split the export into shorter periods)")


def _sheet_rows(path: str | Path, sheet) -> list[Row]:
    """A sheet's rows, all as wide as the widest (as a sheet with a right dimension reads)."""
    limit = _row_limit(path)
    rows = []
    for i, values in enumerate(sheet.iter_rows(values_only=True), 1):
        _within(path, i, limit)
        rows.append(Row(i, [cell_text(v) for v in values]))
    width = max((len(r.cells) for r in rows), default=0)
    return [_padded(r, width) for r in rows]


def _padded(row: Row, width: int) -> Row:
    """The row as wide as the sheet's widest, as a sheet with a right dimension reads."""
    return row if len(row.cells) == width else Row(row.line, row.cells + [""] * (width - len(row.cells)))


def xlsx_head(path: str | Path, rows: int = 60) -> str:
    """The first rows of every sheet as comma-joined text lines, so that `matches()`
    reads a workbook as it reads a CSV file. Never raises. The last workbook's head is
    remembered while its size and time stay the same: every importer of a source type
    asks for it when a file is identified, and openpyxl reads the shared strings (and
    a sheet without a `<dimension>` whole) each time it opens a workbook."""
    try:
        stat = Path(path).stat()
        key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, rows)
    except OSError:
        return ""
    if _last_head[0] != key:
        _last_head[:] = [key, _read_head(path, rows)]
    return _last_head[1]


_last_head: list = [None, ""]   # [(path, size, mtime, rows), its head]


def _read_head(path: str | Path, rows: int) -> str:
    try:
        book = _open_workbook(path)
    except StatementError:
        return ""
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()
        return "\n".join(",".join(cell_text(v) for v in values) for sheet in book.worksheets
                         for _, values in zip(range(rows), sheet.iter_rows(values_only=True)))
    except Exception:  # a damaged sheet: identification just fails
        return ""
    finally:
        book.close()
