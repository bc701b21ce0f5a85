"""What every statement format needs: reading bytes, finding the header, cleaning
cells, parsing amounts and dates, and errors that name the file and the line.

A trap fixed here is fixed for every importer: Excel-protection tabs and backticks,
`="…"` wrappers, placeholder cells, GBK files, gzip bodies, currency signs.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Iterator


class StatementError(Exception):
    """Bad input: the message reads `file:line: what was wrong`."""

    def __init__(self, file: str | Path, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.reason = str(file), line, message


# -- bytes and text ------------------------------------------------------------------

def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, un-gzipped when it is a gzip body (WeChat bills can be)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read the file ({exc.strerror or exc})") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise StatementError(path, 0, f"broken gzip file ({exc})") from None
    return data


ENCODINGS = ("utf-8-sig", "gb18030")


def decode(data: bytes, path: str | Path, encoding: str | None = None) -> str:
    """Decode with the given encoding, else the first of UTF-8 (BOM or not) and GB18030
    that decodes the whole file. GB18030 is a superset of GBK and GB2312."""
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as exc:
            if encoding:
                line = data[: exc.start].count(b"\n") + 1
                raise StatementError(path, line, f"not valid {encoding} text (byte {exc.start})") from None
            continue
        if "\ufffd" in text or _looks_like_mojibake(text):
            line = text[: max(text.find("\ufffd"), 0)].count("\n") + 1
            raise StatementError(path, line, f"text decodes as {candidate} but looks garbled (mojibake); "
                                 "re-export the statement or set the encoding in config.yaml")
        return text.lstrip("\ufeff")
    raise StatementError(path, 1, "cannot decode the file as UTF-8 or GB18030 text "
                         "(expected a text statement; set `encoding:` in config.yaml for others)")


def _looks_like_mojibake(text: str) -> bool:
    # UTF-8 read as a legacy code page, re-saved as UTF-8: 'å¾®ä¿¡' instead of '微信'.
    return bool(re.search(r"[\u00c0-\u00ef][\u0080-\u00bf]{1,2}[\u00c0-\u00ef]", text[:4096]))


def read_text(path: str | Path, encoding: str | None = None) -> str:
    text = decode(read_bytes(path), path, encoding)
    if not text.strip():
        raise StatementError(path, 1, "the file is empty (expected a statement)")
    return text


# -- rows and cells ------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    line: int           # 1-based line where the row starts
    cells: list[str]    # raw cells


def csv_rows(text: str, path: str | Path, delimiter: str = ",") -> Iterator[Row]:
    """CSV rows with the line each starts on. Lenient about a TAB after a closing quote
    (`"3985734"\t,` — invalid RFC 4180, common in Chinese exports); strict about a quote
    left open at the end of the file (a file cut off mid-row)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = last = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            if text.count('"') % 2:
                raise StatementError(path, last, "a quoted cell is never closed (is the file cut off?)") from None
            return
        except csv.Error as exc:
            raise StatementError(path, reader.line_num, f"malformed CSV ({exc})") from None
        yield Row(start, cells)
        last, start = start, reader.line_num + 1


PLACEHOLDERS = {"", "/", "-", "--", "—", "null", "NULL", "None"}


def clean(cell: str) -> str:
    """Strip what exports add to protect cells from Excel: TABs, a leading backtick or
    apostrophe, `="…"`, padding spaces. Placeholders (`/`, `-`, `--`, `---…`) become ''."""
    text = cell.strip().strip("\t").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("`'").strip("\t ").replace("\u00a0", " ").strip()
    if text in PLACEHOLDERS or set(text) == {"-"}:
        return ""
    return text


def header_key(cell: str) -> str:
    """Header names compared loosely: full-width and ASCII parentheses, spaces and case
    do not matter (`收支金额（元）` == `收支金额(元)`)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean(cell))).lower()


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
                return keys.index(header_key(name))
        if required:
            raise StatementError(self.path, self.header_line,
                                 f"no column {' or '.join(names)} in the header")
        return None


def find_header(rows: Iterable[Row], required: Iterable[str], path: str, what: str,
                scan: int = 60) -> tuple[Row, list[Row]]:
    """Find the header row by its content (preambles change length between versions):
    the first of the first `scan` rows that holds all `required` names. Returns it and
    the rows after it."""
    wanted = {header_key(n) for n in required}
    rows = iter(rows)
    seen = []
    for row in rows:
        if wanted <= {header_key(c) for c in row.cells}:
            return row, list(rows)
        seen.append(row)
        if len(seen) >= scan:
            break
    line = seen[0].line if seen else 1
    raise StatementError(path, line, f"no header row with {', '.join(required)} "
                         f"(expected a {what})")


# -- amounts and dates ---------------------------------------------------------------

CURRENCY_SIGNS = "¥￥$€£"
_AMOUNT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_amount(text: str, path: str, line: int, column: str, decimal_comma: bool = False) -> Decimal:
    """An amount as written in a statement: currency signs, thousands separators,
    a sign before or after the currency sign (`-$7,971.39`). Never a float."""
    raw = clean(text)
    value = raw.replace(" ", "")
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()+-").lstrip(CURRENCY_SIGNS).lstrip("+-")
    if decimal_comma:
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    if not _AMOUNT_RE.match(value):
        raise StatementError(path, line, f"column {column}: expected an amount, got {raw or 'an empty cell'!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise StatementError(path, line, f"column {column}: expected an amount, got {raw!r}") from None
    return -amount if negative else amount


def money(value: Decimal, places: int = 2) -> Decimal:
    """Trailing zeros past the currency's places dropped (`0.04000` -> `0.04`), but
    never a significant digit: `0.03600` stays `0.036`, so no money is lost."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum)
    return rounded if rounded == value else value.normalize()


def parse_datetime(text: str, formats: Iterable[str], path: str, line: int, column: str) -> dt.datetime:
    raw = clean(text)
    for fmt in formats:
        try:
            return dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise StatementError(path, line, f"column {column}: expected a date like "
                         f"{dt.datetime(2026, 3, 1, 9, 30, 5).strftime(next(iter(formats)))}, got {raw!r}")


def sniff(path: str | Path, limit: int = 65536) -> str:
    """The start of a file as text, for `identify()`: cheap, never raises."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(limit)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(limit)
    except (OSError, EOFError):
        return ""
    for encoding in ENCODINGS:
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # cut inside the last character
                return head[: exc.start].decode(encoding, errors="ignore")
    return ""


@dataclass
class Statement:
    """A CSV statement cut into its parts: header, data rows, and the summary block
    (a summary header row and a row of values) that some formats end with."""

    table: Table
    summary: dict[str, str]   # header_key(name) -> cleaned value; {} when the format has none
    summary_line: int = 0

    def total(self, name: str) -> Decimal | None:
        value = self.summary.get(header_key(name))
        return parse_amount(value, self.table.path, self.summary_line, name) if value else None


def read_statement(path: str | Path, required: Iterable[str], what: str, *, encoding: str | None = None,
                   summary_starts: str | None = None, summary_required: bool = False) -> Statement:
    """Read a CSV statement: find the header by `required` names, take every row below
    it as data (blank rows skipped; every other row must have the header's cells), stop
    at the row whose first cell is `summary_starts` and read the summary values below."""
    path = str(path)
    text = read_text(path, encoding)
    header, rest = find_header(csv_rows(text, path), required, path, what)
    width = len(header.cells)
    rows, summary, summary_line = [], {}, 0
    for i, row in enumerate(rest):
        if not any(clean(c) for c in row.cells):
            continue
        if summary_starts and header_key(row.cells[0]) == header_key(summary_starts):
            values = next((r for r in rest[i + 1:] if any(clean(c) for c in r.cells)), None)
            if values is None:
                raise StatementError(path, row.line, "summary header without its values (is the file cut off?)")
            summary = {header_key(k): clean(v) for k, v in zip(row.cells, values.cells)}
            summary_line = values.line
            trailing = [r for r in rest[rest.index(values) + 1:] if any(clean(c) for c in r.cells)]
            if trailing:
                raise StatementError(path, trailing[0].line, "rows after the summary (expected the end of the file)")
            break
        extra = [c for c in row.cells[width:] if clean(c)]
        if len(row.cells) < width or extra:
            raise StatementError(path, row.line, f"expected {width} cells as in the header (line {header.line}), "
                                 f"got {len(row.cells)}")
        rows.append(row)
    if summary_required and not summary:
        last = rest[-1].line if rest else header.line
        raise StatementError(path, last, f"no summary line starting with {summary_starts} "
                             "(is the file cut off?)")
    if not rows and not summary:
        raise StatementError(path, header.line, f"no rows below the header (expected a {what} with transactions)")
    return Statement(Table(path, header.cells, header.line, rows), summary, summary_line)
