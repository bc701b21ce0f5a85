"""Statements as tables: the header found by its content, data rows, and the summary
block some formats end with."""

from __future__ import annotations

import contextlib
import contextvars
import csv
from collections import deque
import gzip
import itertools
import operator
import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from beanclear.importers.toolkit.text import (
    CONTROL,
    ENCODINGS,
    Row,
    StatementError,
    UnendedRow,
    _Signs,
    bom_encoding,
    clean,
    csv_rows,
    header_key,
    paused_gc,
    read_text,
    text_stream,
    whole_id,
)
from beanclear.importers.toolkit.values import parse_amount
from beanclear.importers.toolkit.xlsx import XLSX_MAGIC, xlsx_head, xlsx_rows, xlsx_stream


@dataclass
class Table:
    """The data rows under a header row, addressed by header name."""

    path: str
    header: list[str]
    header_line: int
    rows: list[Row]

    def index(self, *names: str, required: bool = True) -> int | None:
        keys = [header_key(h) for h in self.header]
        for name in names:
            if header_key(name) in keys:
                return self._once(keys, header_key(name))
        if required:
            raise StatementError(self.path, self.header_line,
                                 f"no column {' or '.join(names)} in the header")
        return None

    def alternatives(self, *names: str) -> tuple[int, ...]:
        """Every column of `names` the header has, in the order of `names`: alternatives
        for one value (a format's languages, an old and a new layout, PayPal's `Subject`
        and `Item Title`), a row's value in the first it fills (filled_at)."""
        keys = [header_key(h) for h in self.header]
        return tuple(dict.fromkeys(self._once(keys, header_key(n)) for n in names if header_key(n) in keys))

    def _once(self, keys: list[str], key: str) -> int:
        """The column of a header key read, refused where the header names it twice: which
        of two cells a bank meant cannot be known (blind33: `…,交易金额,余额,交易金额`, a bad
        merge or paste, -800.00 beside -8000.00, was booked by the first, silently). Every
        column an importer reads is found here (index, alternatives, getter, plan); a
        column named twice that none reads books nothing, and is no error."""
        at = [i for i, k in enumerate(keys) if k == key]
        if len(at) > 1:
            cells = ", ".join(str(i + 1) for i in at[:-1]) + f" and {at[-1] + 1}"
            times = "twice" if len(at) == 2 else f"{len(at)} times"
            raise StatementError(self.path, self.header_line, f"column {clean(self.header[at[0]])} given {times} "
                                 f"(cells {cells}): which one is meant cannot be known; import the file as "
                                 "downloaded, or keep one of them")
        return at[0]

    def getter(self, *names: str):
        """`get(row, name)`: a row's cleaned cell by column name, '' where the file has no
        such column (older layouts) or the row stops short of it. Also:

        - `get.id(row, name)`: an id column's cell, refused where Excel shortened it to
          scientific notation (whole_id: `4.2E+27`, its digits lost);
        - `get.said(row)`: what the row says, the cells of the columns `names`, one a name
          ('' where the file has none): never a cell of a column not read, as the empty
          ones a copy Excel or WPS saved again adds at the end of every row."""
        at = {name: self.index(name, required=False) for name in names}
        path, header = self.path, self.header

        def get(row: Row, name: str) -> str:
            i = at[name]
            return clean(row.cells[i]) if i is not None and i < len(row.cells) else ""

        def an_id(row: Row, name: str) -> str:
            text = get(row, name)
            return whole_id(text, path, row.line, clean(header[at[name]])) if "+" in text else text

        def said(row: Row) -> list[str]:
            return [get(row, name) for name in names]
        get.id, get.said = an_id, said
        return get


    def plan(self, *names: str, remember: int = 4096):
        """A per-file column plan: `values(row)`, the cleaned cells of the columns `names`
        (in that order; '' where the file has no such column or the row stops short of
        it). Each column is found once per file and each cell cleaned once; the cells
        that repeat (statuses, currencies, fee rates, common amounts) are remembered, up
        to `remember` distinct ones, and not cleaned again. Only the columns named are
        cleaned: a bill has two dozen, an importer reads some of them."""
        at = [self.index(name, required=False) for name in names]
        wanted = [i if i is not None else -1 for i in at]
        cleaned = _Cleaned(remember)
        # The usual row holds every column the file has (read_statement refuses or pads short ones):
        # its cells are taken in one itemgetter call and looked up in one map, no Python
        # loop per cell. Columns the file lacks are put back as '' where they were named.
        present = [i for i in wanted if i >= 0]
        lacking = [n for n, i in enumerate(wanted) if i < 0]
        reach = max(present, default=-1) + 1   # a row this long holds every present column
        take = operator.itemgetter(*present) if len(present) > 1 else lambda cells: (cells[present[0]],)
        lookup = cleaned.__getitem__

        def values(row: Row) -> list[str]:
            cells = row.cells
            if len(cells) < reach or not present:   # a row cut short (a Table made by hand)
                width = len(cells)
                return [lookup(cells[i]) if 0 <= i < width else "" for i in wanted]
            out = list(map(lookup, take(cells)))
            for n in lacking:
                out.insert(n, "")
            return out
        return values


def filled_at(cells: list[str], at: tuple[int, ...]) -> int | None:
    """Of the alternative columns `at` (Table.alternatives), the one a row's value is in:
    the first the row fills, else the first. A column present but empty never hides a
    filled one: PayPal's `Subject`, empty in real downloads, hid the `Item Title` that
    named the order. None where the header has none of them."""
    if len(at) > 1:
        for i in at:
            if i < len(cells) and clean(cells[i]):
                return i
    return at[0] if at else None


class _Cleaned(dict):
    """clean() of a cell, the cells that repeat (statuses, currencies, fee rates, common
    amounts) remembered, up to `remember` distinct ones: Table.plan's cells. A str key
    is immutable: what is remembered for it stays right."""

    def __init__(self, remember: int):
        super().__init__()
        self.remember = remember

    def __missing__(self, raw: str) -> str:
        value = clean(raw)
        if len(self) < self.remember:
            self[raw] = value
        return value


def header_in(head: str, names: Iterable[str], lines: int = 80) -> bool:
    """Whether one of the first lines of a file's start holds all `names` as cells: how
    `matches()` recognises a statement by its header, whatever the preamble before it.
    Each line is read as the CSV row read_statement reads, its cells quoted or not (a
    bill saved by LibreOffice with "quote all text cells" quotes its header too)."""
    return has_header(head, names, scan=lines)


def find_header(rows: Iterable[Row], required: Iterable[str], path: str, what: str,
                scan: int = 60, lazy: bool = False, before: list | None = None) -> tuple[Row, list[Row]]:
    """Find the header row by its content (preambles change length between versions):
    the first of the first `scan` rows that holds all `required` names. Returns it and
    the rows after it (`lazy`: as the iterator they come from); the rows above it are
    added to `before`, if given."""
    wanted = {header_key(n) for n in required}
    rows = iter(rows)
    seen = []
    for row in rows:
        if wanted <= {header_key(c) for c in row.cells}:
            if before is not None:
                before.extend(seen)
            return row, (rows if lazy else list(rows))
        seen.append(row)
        if len(seen) >= scan:
            break
    line = seen[0].line if seen else 1
    raise StatementError(path, line, f"no header row with {', '.join(required)} "
                         f"(expected a {what})")


def head_bytes(path: str | Path, limit: int = 65536) -> bytes | None:
    """The first `limit` bytes of a file, un-gzipped; None when they cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(limit)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(limit)
    except (OSError, EOFError, zlib.error, MemoryError):
        return None
    return head


def skim(path: str | Path, pattern: re.Pattern, piece: int = 1 << 20, overlap: int = 1024):
    """Group 1 of each match of the bytes `pattern` in a file (un-gzipped), read a piece
    at a time, never the whole file: what `identify()` asks of a file past its head (the
    account of a statement that starts 70 kB in). Pieces overlap by `overlap` bytes, so a
    match that short is never cut (one in the overlap may come twice). Never raises."""
    try:
        with open(path, "rb") as raw:
            zipped = raw.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rb") if zipped else open(path, "rb")) as fh:
            tail = b""
            while block := fh.read(piece):
                text = tail + block
                for found in pattern.finditer(text):
                    yield found.group(1).decode("latin-1")
                tail = text[-overlap:]
    except (OSError, EOFError, zlib.error):
        return


def sniff(path: str | Path, limit: int = 65536, encoding: str | None = None,
          fallbacks: tuple[str, ...] = ENCODINGS) -> str:
    """The start of a file as text, for `identify()`: cheap (never more than `limit`
    bytes, whatever the file's size), never raises. `encoding` (config.yaml's) is tried
    before the usual ones (`fallbacks`: UTF-8 and GB18030, or text.WESTERN_ENCODINGS); the
    one a BOM names before it (text.BOMS)."""
    head = head_bytes(path, limit)
    if head is None:  # unreadable, or a broken gzip body: read_text says what is wrong
        return ""
    if head[:4] == XLSX_MAGIC:
        return xlsx_head(path)
    named = bom_encoding(head) or encoding
    doubted = None   # chosen as text.decode() chooses, from the head: Latin text is not read as GB18030
    for candidate in ((named,) if named else ()) + fallbacks:
        text = head_text(head, candidate)
        if text is None:
            continue
        verdict = "yes" if candidate == named else _Signs().feed(text).verdict(candidate, "gb18030" in fallbacks)
        if verdict == "yes":
            return _one_line_end(CONTROL.sub("", text))
        if verdict == "doubt" and doubted is None:
            doubted = text
    text = doubted if doubted is not None else head_text(head, "latin-1")   # latin-1 last: any byte
    return _one_line_end(CONTROL.sub("", text or ""))


def _one_line_end(text: str) -> str:
    """Every line of a head ended by \n, as matches() reads lines (`^` of re.M, split at
    \n): a file saved with CR alone (Excel for Mac's CSV) or CRLF is recognised as one
    with LF (blind10: WeChat, Stripe, PayPal and MT940 files with CR alone were "no
    importer recognises this file"). Each line end is one, so line numbers stay."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def head_text(head: bytes, encoding: str, cut: bool = True) -> str | None:
    """The first bytes of a file as text in `encoding`, or None where they are not: a
    character the head's end cut in two (`cut`: the head is not the whole file) is left
    out. Counted from the end, since utf-8-sig's error positions leave out its BOM (a
    re-saved WeChat bill with a BOM, its head cut inside a character, was read as Latin-1)."""
    try:
        return head.decode(encoding)
    except UnicodeDecodeError as exc:
        lost = len(exc.object) - exc.start
        if cut and lost < 4:
            return head[: len(head) - lost].decode(encoding, errors="ignore")
        return None


@dataclass
class Statement:
    """A CSV statement cut into its parts: header, data rows, and the summary block
    (a summary header row and a row of values) that some formats end with."""

    table: Table
    summary: dict[str, str]   # header_key(name) -> cleaned value; {} when the format has none
    summary_line: int = 0
    footer: list[Row] = field(default_factory=list)  # rows from the `footer` match on (totals, notes)
    preamble: list[Row] = field(default_factory=list)  # rows above the header (a title, the period, totals)
    titles: list[Row] = field(default_factory=list)  # one-cell section titles among the rows (Schwab)
    closing: list[Row] = field(default_factory=list)  # balance lines after the rows (Deutsche Bank, comdirect)

    def total(self, name: str) -> Decimal | None:
        value = self.summary.get(header_key(name))
        return parse_amount(value, self.table.path, self.summary_line, name) if value else None


def read_statement(path: str | Path, required: Iterable[str], what: str, *, encoding: str | None = None,
                   summary_starts: str | None = None, summary_required: bool = False,
                   footer: str | None = None, columns: int | None = None, allow_empty: bool = False,
                   stream: bool = False, needed: Iterable[str] | None = None, delimiter: str = ",",
                   fallbacks: tuple[str, ...] = ENCODINGS, full_rows: bool = True, first_line: int = 1,
                   says_empty: Callable[[Statement], bool] | None = None, bank_lines: bool = False,
                   ids: Iterable[str] = ()) -> Statement:
    """Read a CSV statement (or the sheet of an XLSX workbook that holds the header):
    find the header by `required` names, take every row below it as data (blank rows
    skipped; a row with another number of cells than the header is an error naming the
    line, but see `full_rows`), stop at the row whose first cell is `summary_starts` and
    read the summary values below.

    `footer`, a regular expression, ends the table at the first row whose first cell
    matches it (`^#` for Alipay's comment lines, `合计$` for ICBC's totals); that row and
    the non-blank rows after it are kept in `Statement.footer`; the rows above the header
    (no more than the header's search reads) in `Statement.preamble`. A row of one cell
    without a digit among the rows (Schwab's `Posted Transactions`) is a section title, in
    `Statement.titles`; short rows at the end whose first cell names a balance (Deutsche
    Bank's `Kontostand;28.2.2026;;;3.882,54;EUR`, comdirect's `Alter Kontostand`, a Chinese
    bank's `借方发生额合计,2笔,"12,100.00"` and `期末余额,,"72,900.00"`: BALANCE_LINE) are
    closing lines, in `Statement.closing` (a short row with a row after it is an error, as
    any). Neither can hold a date and an amount of a row, and both are banks' exports'
    (`bank_lines`); elsewhere they are text that is no row of the statement, an error
    naming its line (a blind helper's Stripe export with `this line is not a stripe row`
    and `TOTAL,,,,999999` appended imported as if they were not there). `columns` reads a file
    without a header: every row is data, with at least that many cells, from `first_line`
    on (the lines above it, a title BNP Paribas writes, in `Statement.preamble`). Empty cells at
    the end of the header (a trailing comma) are not columns: rows may omit them.
    `allow_empty` accepts a header without rows (PayPal's download of a quiet month);
    `says_empty(st)`, asked of a statement without rows once its footer is read, accepts
    one that states it holds none (Alipay's daily bill of a quiet day: `#交易合计：0笔`),
    while a header with nothing under it that says nothing is refused as cut off.
    `delimiter`: the CSV file's (header_delimiter finds it: `;` in German and Dutch exports).
    `fallbacks`: the encodings tried where config.yaml names none (text.decode).
    `full_rows` (the default): every row has a cell for each column of the header: a row
    short of one is an error, as it may lack any of its cells, not only those at its end (a
    middle cell lost shifts the others under the wrong columns). A blind tester's Stripe
    report row of 9 cells under 11 lost its payout id and was booked without its payout
    link. False for a format whose rows leave out their empty cells at the end (FORMATS:
    Alipay's personal bills, ragged; WeChat Pay's merchant bills, whose own docs show a
    row of 24 values under 27 columns; a Chinese bank's): a short row is padded with
    empty cells, unless it lacks a `required` column — or, where `needed` names fewer, one
    of those: the text columns a row may leave out at its end — an error naming the line.
    A last row without a line end is judged by the rows above it (whole_last_cell); `ids`
    names the columns of the rows' own ids (a bank's ref), judged by their length too.

    `stream`, for an importer that iterates over `Table.rows` once, in order (not by
    index): a large CSV file (text.STREAM_FROM) or workbook (xlsx.STREAM_FROM) is read
    up to its first data row here, and the rest as the importer iterates (StreamedRows):
    its text and rows are never held whole, and a CSV file is read once (a workbook's
    width is read first). Each row is checked as above before the importer sees
    it; the summary and footer are in the Statement once the rows are read through.
    Errors are the same, in the same order, provided the importer's own errors are raised
    inside `shape_first()` (StatementImporter.parse is): one of the file's shape further
    on then comes before the importer's."""
    path, required = str(path), tuple(required)
    stamp = _stamp(path) if stream else None   # before text_stream's read: what it checked is what we read
    source = (xlsx_stream(path, required) if _is_xlsx(path) else _csv_stream(path, encoding, delimiter, fallbacks)) \
        if stream else None
    options = dict(path=path, required=required, what=what, summary_starts=summary_starts,
                   summary_required=summary_required, footer=footer, columns=columns, allow_empty=allow_empty,
                   needed=required if needed is None else tuple(needed), full_rows=full_rows, first_line=first_line,
                   says_empty=says_empty, bank_lines=bank_lines, ids=tuple(ids))
    st = Statement(Table(path, [], 0, []), {}, 0, [])
    with paused_gc():
        if source is None:
            st.table.rows = list(_data_rows(statement_rows(path, required, encoding, delimiter, fallbacks), st,
                                            whole=True, **options))
            return st
        st.table.rows = StreamedRows(st, source, stamp, options)
    opened = _OPENED.get()
    if opened is not None:
        opened.append(st.table.rows)
    return st


def _csv_stream(path: str, encoding: str | None, delimiter: str = ",", fallbacks: tuple[str, ...] = ENCODINGS):
    """The rows of a large CSV statement, one fresh pass a call (read: see text_stream), or None."""
    lines = text_stream(path, encoding, fallbacks)
    return None if lines is None else lambda read=None: csv_rows(lines(read), path, delimiter)


# The streamed statements read inside the current shape_first(), if any.
_OPENED: contextvars.ContextVar[list | None] = contextvars.ContextVar("streamed statements", default=None)


@contextlib.contextmanager
def shape_first():
    """Around an importer's parse(): a StatementError it raises on a row of a streamed
    statement gives way to the first error of the file's shape in the rows not read yet
    (a quote never closed, a row with too many cells, a cut-off summary), as when every
    row was read and checked before the importer saw one. Reading the rest costs only
    on that error."""
    opened: list = []
    token = _OPENED.set(opened)
    try:
        yield
    except StatementError:
        for rows in opened:
            error = rows.error_further_on()
            if error is not None:
                raise error from None
        raise
    finally:
        _OPENED.reset(token)


class StreamedRows:
    """The data rows of a streamed statement (read_statement(stream=True)). The header and
    the first row are read when it is made; the first pass over it reads the rest, each
    row checked as it comes, and fills the statement's summary and footer. A later pass
    reads the file again. `progress()`: (bytes of the file the latest pass has read, its
    size), so that an importer that decides something from a first pass shows the
    progress of the pass that books."""

    def __init__(self, st: Statement, source, stamp: tuple, options: dict):
        self._source, self._stamp, self._options = source, stamp, options
        self._read = [0]   # bytes read by the latest pass, for progress()
        self._rows = _checked(source(self._read), st, stamp, options)
        self._first = next(self._rows, None)   # finds the header: an error up to here is raised now
        self._fresh = True

    def __iter__(self) -> Iterator[Row]:
        if not self._fresh:
            return self._again()
        self._fresh = False
        return itertools.chain(() if self._first is None else (self._first,), self._rows)

    def progress(self) -> tuple[int, int]:
        return min(self._read[0], self._stamp[0]), self._stamp[0]

    def error_further_on(self) -> StatementError | None:
        """The first error in the rows the first pass has not read (see shape_first)."""
        try:
            for _ in self._rows:
                pass
        except StatementError as exc:
            return exc
        return None

    def _again(self) -> Iterator[Row]:
        path = self._options["path"]
        if _stamp(path) != self._stamp:
            raise StatementError(path, 0, "the file changed while it was read (import it again)")
        self._read = read = [0]
        with paused_gc():
            yield from _checked(self._source(read), Statement(Table(path, [], 0, []), {}, 0, []), self._stamp,
                                self._options)


def _checked(source: Iterator[Row], st: Statement, stamp: tuple, options: dict) -> Iterator[Row]:
    """_data_rows over a stream of rows, with the order of errors of a file read whole."""
    path = options["path"]
    try:
        yield from _data_rows(source, st, **options)
    except StatementError:
        # Read whole, every row is read before any is checked: an error of the CSV
        # itself further on (a quote never closed) is the one to report, as then.
        if st.table.header:
            for _ in source:
                pass
        raise
    if _stamp(path) != stamp:
        raise StatementError(path, 0, "the file changed while it was read (import it again)")


def _is_xlsx(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == XLSX_MAGIC
    except OSError:
        return False


def _stamp(path: str) -> tuple:
    stat = Path(path).stat()
    return stat.st_size, stat.st_mtime_ns


# The first cell of a balance line a bank's export ends with, after its rows and shorter
# than them: Deutsche Bank's `Kontostand;28.2.2026;;;3.882,54;EUR`, comdirect's
# `"Alter Kontostand";"+1.234,56"`; a Chinese bank's totals, counts and balances, of a side,
# a page or a currency (交通银行 `借方发生额合计,2笔,"12,100.00"`, `期末余额,,"72,900.00"`;
# 本页合计, 人民币合计, 余额合计, 借方笔数). Only at the end: a short row with rows after it is cut.
BALANCE_LINE = re.compile(r"(alter|neuer|letzter|aktueller)?kontostand|(anfangs|end|schluss)?saldo|"
                          r"(opening|closing|ending|beginning|starting|available|ledger)?balance|solde|total|summe|"
                          r"(本页|本期|本月|当日|累计|全部|人民币|外币|借方|贷方|收入|支出|存入|支取|交易)*"
                          r"(发生额|发生|总额|金额)?(合计|总计|小计)(金额|笔数)?|"
                          r"(期初|期末|上期|本期|当前|可用|账户|月末|日终)余额|余额合计|"
                          r"(借方|贷方|收入|支出|交易|总)?(笔数|发生总额|发生额)",
                          re.IGNORECASE)


def _again_check(header: Row, width: int) -> tuple[int, str, Callable[[list[str]], bool]]:
    """(at, name, again): `again(cells)`, whether a row below the header is the header
    again, two downloads pasted into one file (blind33: a WeChat bill's second header was
    "column 商户号: 商户号, but line 2 names 1900000001", a bank's "expected a date, got
    '交易日期'"), compared by header_key cell by cell, cells past the header's `width`
    empty. Asked only of a row whose cell `at` holds `name`, the header's first name, as
    text (a test at C speed in the loop, no call per row: what a repeated header holds,
    whatever wraps it). `at` is -1 for a header of nothing but empty cells."""
    keys = [header_key(c) for c in header.cells[:width]]
    first = next((at for at, key in enumerate(keys) if key), -1)

    def again(cells: list[str]) -> bool:
        return [header_key(c) for c in cells[:width]] + [""] * (width - len(cells)) == keys \
            and not any(clean(c) for c in cells[width:])
    return first, clean(header.cells[first]) if first >= 0 else "", again


def _header_again(path: str, row: Row, header: Row) -> StatementError:
    return StatementError(path, row.line, f"the header again (as on line {header.line}): two files joined into one? "
                          "import each file as downloaded")


def _section_title(cells: list[str], width: int) -> bool:
    """A row of one cell without a digit in a table of several columns: a section title
    among the rows (Schwab's `Posted Transactions`), never an amount and a date."""
    return width > 1 and len(cells) == 1 and not any(ch.isdigit() for ch in cells[0])


def _data_rows(source: Iterable[Row], st: Statement, *, path: str, required: tuple, what: str,
               summary_starts: str | None, summary_required: bool, footer: str | None, columns: int | None,
               allow_empty: bool, needed: tuple, full_rows: bool = False, whole: bool = False,
               first_line: int = 1, says_empty: Callable[[Statement], bool] | None = None,
               bank_lines: bool = False, ids: tuple = ()) -> Iterator[Row]:
    """read_statement's rows, one at a time; the header, summary and footer go into `st`.
    `whole`: every row below the header read before the first is checked."""
    wanted = {header_key(n) for n in needed}
    if columns:
        header, rest = Row(0, [f"column {i + 1}" for i in range(columns)]), iter(source)
        if first_line > 1:   # a title above the rows of a file without a header (BNP Paribas)
            rest = itertools.chain(_above(rest, first_line, st.preamble), rest)
    else:
        header, rest = find_header(source, required, path, what, lazy=True, before=st.preamble)
    if whole:
        rest = iter(list(rest))
    st.table.header, st.table.header_line = header.cells, header.line
    width = len(header.cells)
    while width > 1 and not clean(header.cells[width - 1]):
        width -= 1
    ends = re.compile(footer) if footer else None
    again_at, again_name, again = (-1, "", None) if columns else _again_check(header, width)
    # header_key() (Unicode normalisation) of every row's first cell is a tenth of the
    # read: an ASCII cell can only be a summary header whose key is ASCII (NFKC keeps
    # ASCII as it is), so for WeChat's 总交易单数 the usual row needs no key at all.
    summary_key = header_key(summary_starts) if summary_starts else None
    ascii_key = summary_key is not None and summary_key.isascii()
    last, any_rows = header.line, False
    closing: list[tuple[Row, StatementError]] = []   # short balance lines: the footer, if no row follows
    recent: deque[Row] = deque(maxlen=UNENDED_BESIDE)   # the rows before the last: what its last cell is judged by
    for row in rest:
        last = row.line
        cells = row.cells
        if closing and any(clean(c) for c in cells) and not _closing_line(cells, width):
            raise closing[0][1]   # a row after it: the short row is a cut one
        if ends and cells and ends.search(cells[0].strip()):  # before the blank test: `-----` is one
            tail = []
            for r in itertools.chain([row], rest):
                last = r.line
                if any(c.strip() for c in r.cells):
                    tail.append(r)
            st.footer = tail
            break
        if not cells or not (clean(cells[0]) or any(clean(c) for c in cells)):  # a blank row
            continue
        if 0 <= again_at < len(cells) and again_name in cells[again_at] and again(cells):
            raise _header_again(path, row, header)
        if summary_key is not None and (ascii_key or not cells[0].isascii()) \
                and header_key(cells[0]) == summary_key:
            values = next((r for r in rest if any(clean(c) for c in r.cells)), None)
            if values is None:
                raise StatementError(path, row.line, "summary header without its values (is the file cut off?)")
            st.summary = {header_key(k): clean(v) for k, v in zip(row.cells, values.cells)}
            st.summary_line = values.line
            trailing = next((r for r in rest if any(clean(c) for c in r.cells)), None)
            if trailing is not None:
                if again_at >= 0 and again(trailing.cells):   # a second bill pasted after the first, whole
                    raise _header_again(path, trailing, header)
                raise StatementError(path, trailing.line, "rows after the summary (expected the end of the file)")
            break
        if _section_title(cells, width):
            if not bank_lines:
                raise StatementError(path, row.line, f"a line of one cell, {clean(cells[0])[:80]!r}, among the rows "
                                     f"of a table of {width} columns: not a row of this statement (text after "
                                     "the rows, or two files joined?)")
            st.titles.append(row)
            continue
        if columns and not any_rows and len(cells) > width:
            width = len(cells)   # no header: the first row says how wide the file is (more columns than mapped)
        if len(cells) == width:   # the usual row: nothing to pad, nothing past the header
            if bank_lines and any_rows and _closing_line(cells, width):   # `合计,,,,1200.00,`: totals, padded
                word = clean(cells[worded(cells)])[:40]
                closing.append((row, StatementError(path, row.line, f"{word!r}: a line of totals or balances with "
                                                    "rows after it (expected it after the last row)")))
                continue
            if type(row) is UnendedRow:
                whole_last_cell(row, recent, header, path, ids)
            any_rows = True
            recent.append(row)
            yield row
            continue
        error = None
        short = len(cells) < width
        # Where the format writes every cell (full_rows), a short row lacks a cell that may be
        # any of them; with no line end after it, the file ends inside it (said below).
        lost = full_rows and short and not columns and type(row) is not UnendedRow
        extra = [c for c in cells[width:] if clean(c)]
        # A row that leaves out its empty trailing cells (WeChat, Excel re-saves) is padded;
        # one without a cell of a column the layout needs is cut off or malformed.
        cut = [h for h in header.cells[len(cells):width] if header_key(h) in wanted]
        if extra or lost or cut or (columns and short):
            where = f"the header (line {header.line})" if header.line else "the other rows"
            lacking = f": no {', '.join(clean(h) for h in cut)}" if cut else ""
            if lost:
                lacking = (": a cell is missing, and which one cannot be known (a cell lost in the middle of a row "
                           "moves the others under the wrong columns)")
            error = StatementError(path, row.line, f"expected {width} cells as in {where}, got {len(cells)}"
                                   f"{lacking}")
        if error is None and short and type(row) is UnendedRow:
            # Its empty trailing cells left out, or the file cut inside the row: with no line
            # end after it, the file ends mid-row.
            error = StatementError(path, row.line, f"the last row has {len(cells)} cells, the header {width}, and "
                                   "the file ends inside it, without a line end (is the file cut off?)")
        if error is not None:
            if bank_lines and any_rows and not extra and _balance_line(cells):
                closing.append((row, error))   # the footer, unless a row follows
                continue
            raise error
        if type(row) is UnendedRow:   # its cells past the header's (`…,-505.00,`)
            whole_last_cell(row, recent, header, path, ids)
        any_rows = True
        row = row if len(cells) >= width else Row(row.line, cells + [""] * (width - len(cells)))
        recent.append(row)
        yield row
    st.closing = [r for r, _ in closing]
    if summary_required and not st.summary:
        raise StatementError(path, last, f"no summary line starting with {summary_starts} "
                             "(is the file cut off?)")
    if not any_rows and not st.summary and not allow_empty and not (says_empty is not None and says_empty(st)):
        raise StatementError(path, header.line or 1, f"no rows below the header (expected a {what} with transactions)")


# The rows before a last row without a line end that its last cell is compared with: the
# file's own habit near its end, whatever its length.
UNENDED_BESIDE = 8
# A number with a decimal mark: the digits after its last `.` or `,` (`-5.00`, `1.002,90`, `7.1234`).
_DECIMALS = re.compile(r"[-+]?[\d.,' ]*\d([.,])(\d+)")
_NUMBERISH = re.compile(r"[-+]?[\d.,' ]*")   # what a cut number leaves: `-50`, `-505.`, `-505.0`


def whole_last_cell(row: Row, before: Iterable[Row], header: Row, path: str, ids: Iterable[str] = ()) -> None:
    """A file's last row that ends without a line end, every other line ending with one,
    may be cut inside its last cell: its cells are all there, the last one shorter than
    written (blind13: a bank CSV's `-505.00` cut to `-50` was booked as -50.00, `B981003`
    cut to `B981` booked under that ref, and booked again whole with the complete
    download). Its last cell is judged by the same column of the rows before it (at
    least 2 of them, those that fill it), and refused as cut where it could be the
    start of theirs but is not one:

    - the others all numbers with the same decimal places (`-5.00`, `9914.15`; not 3,
      which may be thousands: `1,000`), the last one with fewer (`-50`, `-505.`, `7.12`
      under `7.1234`);
    - in a column of the rows' own ids (`ids`, by header name: a bank's ref), the others
      all of one length and shape, of letters and digits (`B982001`; 4 characters or
      more), the last one the start of that shape (`B982`). Only there: a counterparty's
      account number (16 digits after eight of 19) is as whole as theirs.

    A text, a day, a column of any other habit is never judged: a cell the rows write in
    different ways says nothing of where the last one ends. A file whose last row is
    whole, with a line end or without one (WeChat's bills, a BOC export), reads as before.
    `before`: the rows above it, in file order (the last UNENDED_BESIDE are read)."""
    if type(row) is not UnendedRow:
        return   # a line end after it: the row is as written
    cells = row.cells
    at = len(cells) - 1
    last = clean(cells[at]) if cells else ""
    if not last:
        return   # nothing in it to cut: the file ends at a comma
    others = [text for text in (clean(r.cells[at]) for r in list(before)[-UNENDED_BESIDE:] if at < len(r.cells)) if text]
    if len(others) < 2:
        return
    column = clean(header.cells[at]) if header.line and at < len(header.cells) and clean(header.cells[at]) \
        else f"column {at + 1}"
    lead = f"the last line ends without a line end and its {column} {last!r}"
    found = [_DECIMALS.fullmatch(text) for text in others]
    if all(found):
        marks = {m.group(1) for m in found}
        places = {len(m.group(2)) for m in found}
        if len(marks) == 1 and len(places) == 1 and places != {3} and _NUMBERISH.fullmatch(last):
            mark, wanted = marks.pop(), places.pop()
            has = len(last.rsplit(mark, 1)[1]) if mark in last else 0
            if has < wanted:
                said = "no decimal places" if has == 0 else f"{has} decimal place{'s' if has > 1 else ''}"
                raise StatementError(path, row.line, f"{lead} has {said}, the other rows' {wanted} "
                                     f"({others[-1]!r}): is the file cut off?")
        return
    shapes = {_shape(text) for text in others}
    if len(shapes) == 1 and header_key(column) in {header_key(name) for name in ids}:
        shape = shapes.pop()
        if len(shape) >= 4 and "9" in shape and set(shape) <= {"9", "A"} and len(last) < len(shape) \
                and shape.startswith(_shape(last)):
            raise StatementError(path, row.line, f"{lead} is shorter than the other rows' ({others[-1]!r}): is the "
                                 "file cut off?")


def _shape(text: str) -> str:
    """A cell's shape: each digit a 9, each letter an A (ids of one format share one)."""
    return "".join("9" if ch.isdigit() else "A" if ch.isalpha() else ch for ch in text)


def _above(rows: Iterator[Row], first_line: int, preamble: list) -> Iterator[Row]:
    """The first of `rows` on or after `first_line`; those above it go to `preamble`."""
    for row in rows:
        if row.line >= first_line:
            yield row
            return
        preamble.append(row)


# The day a balance line's first cell may say it is of: `Kontostand am 31.08.2026`,
# `Closing balance as of 09/30/2026` (spaces, colons and dots already taken out).
_AS_OF = re.compile(r"(?:am|per|zum|vom|bis|at|asof|on)?[\d/-]+$", re.IGNORECASE)


# A cell holding a day (`2026-02-08`, `28.2.2026`, `20260208`): a row of the statement, not a total.
DAY_CELL = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{8}")


def _closing_line(cells: list[str], width: int) -> bool:
    """Whether a row after the rows is a balance or total line (BALANCE_LINE): one shorter
    than the rows, or one as wide as them (`合计,,,,1200.00,`, its cells padded to the
    header's) that holds no day: a row with a day is a row, whatever its first cell says."""
    return _balance_line(cells) and (len(cells) < width or not any(DAY_CELL.fullmatch(clean(c)) for c in cells))


def worded(cells: list[str]) -> int:
    """Where a line after the rows names what it is: its first cell that holds anything
    (0 where none does). A line of totals padded to the columns may write its word under
    the description (`"","","Total","$500.00",...`: blind10)."""
    return next((at for at, c in enumerate(cells) if clean(c)), 0)


def _balance_line(cells: list[str]) -> bool:
    """Whether a short row's first cell names a balance (BALANCE_LINE), with or
    without the day it is of, or its value after a colon in the same cell (`合计：5笔`,
    `期末余额：2,200.00`: a blind tester's 对公 statement refused as a row cut short).
    Its first cell that holds anything, that is (worded)."""
    text = clean(cells[worded(cells)]) if cells else ""
    if not text:
        return False
    labelled = re.split(r"[:：]", text, maxsplit=1)[0] if re.search(r"[:：]\s*\S", text) else ""
    return any(BALANCE_LINE.fullmatch(name) is not None or BALANCE_LINE.fullmatch(_AS_OF.sub("", name)) is not None
               for name in (re.sub(r"[\s:：.]+", "", part) for part in (text, labelled) if part))


def statement_rows(path: str, required: Iterable[str] = (), encoding: str | None = None,
                   delimiter: str = ",", fallbacks: tuple[str, ...] = ENCODINGS) -> Iterator[Row]:
    """The rows of a statement file: a CSV text file, or an XLSX workbook's sheet."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        magic = b""  # read_text says what is wrong with the file
    if magic == XLSX_MAGIC:
        return iter(xlsx_rows(path, required))
    return csv_rows(read_text(path, encoding, fallbacks), path, delimiter)


DELIMITERS = (",", ";", "\t")   # comma first: a file any of them could split is read as before


def header_delimiter(head: str, required: Iterable[str], scan: int = 60) -> str | None:
    """The delimiter with which one of the first `scan` lines of `head` holds every
    `required` header name: `,`, else `;` (German and Dutch banks: ING, DKB, Sparkasse,
    Knab, whose amounts carry decimal commas), else TAB (ABN AMRO). None: no header."""
    wanted = {header_key(n) for n in required}
    lines = head.lstrip("\ufeff").splitlines()[:scan]
    for delimiter in DELIMITERS:
        if any(wanted <= {header_key(c) for c in cells}
               for cells in csv.reader(lines, delimiter=delimiter, strict=False)):
            return delimiter
    return None


def first_row_keys(head: str) -> set[str]:
    """The header keys of a file's first CSV row (quoted or not), for `matches()`."""
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    try:
        cells = next(csv.reader([first]), [])
    except csv.Error:
        return set()
    return {header_key(c) for c in cells if clean(c)}


def has_header(head: str, names: Iterable[str], scan: int = 60) -> bool:
    """Whether one of the first `scan` CSV rows of a file's start holds every one of
    `names` (compared by header_key), for `matches()` of formats with a preamble."""
    wanted = {header_key(n) for n in names}
    for line in head.lstrip("\ufeff").splitlines()[:scan]:
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            continue
        if wanted <= {header_key(c) for c in cells}:
            return True
    return False
