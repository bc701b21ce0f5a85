"""What every statement format needs: reading bytes, finding the header, cleaning
cells, parsing amounts and dates, and errors that name the file and the line.

A trap fixed here is fixed for every importer: Excel-protection tabs and backticks,
`="…"` wrappers, placeholder cells, GBK files, gzip bodies, currency signs.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass, field
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
# European bank formats (MT940, OFX): UTF-8, else Windows-1252, else Latin-1 (which
# decodes any byte). A Central European file (CP1250, Latin-2) reads as Latin-1 with
# a few wrong letters in the text; `encoding: cp1250` in config.yaml reads it right.
WESTERN_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode(data: bytes, path: str | Path, encoding: str | None = None,
           fallbacks: tuple[str, ...] = ENCODINGS) -> str:
    """Decode with the given encoding, else the first of `fallbacks` that decodes the
    whole file: by default UTF-8 (BOM or not) and GB18030, a superset of GBK and GB2312."""
    for candidate in (encoding,) if encoding else fallbacks:
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
    raise StatementError(path, 1, "cannot decode the file as " + " or ".join(
                         {"utf-8-sig": "UTF-8"}.get(e, e.upper()) for e in fallbacks) + " text "
                         "(expected a text statement; set `encoding:` in config.yaml for others)")


def _looks_like_mojibake(text: str) -> bool:
    # UTF-8 read as a legacy code page, re-saved as UTF-8: 'å¾®ä¿¡' instead of '微信'.
    return bool(re.search(r"[\u00c0-\u00ef][\u0080-\u00bf]{1,2}[\u00c0-\u00ef]", text[:4096]))


def read_text(path: str | Path, encoding: str | None = None, fallbacks: tuple[str, ...] = ENCODINGS) -> str:
    text = decode(read_bytes(path), path, encoding, fallbacks)
    if not text.strip():
        raise StatementError(path, 1, "the file is empty (expected a statement)")
    return text


# -- rows and cells ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)  # slots: a million-row statement holds a million of these
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
    text = cell.strip()  # whitespace includes TAB and NBSP
    if text[:1] not in ("=", "`", "'") and "\u00a0" not in text:  # the usual cell: nothing more to strip
        return "" if text in PLACEHOLDERS or (text[:1] == "-" and not text.strip("-")) else text
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

    def getter(self, *names: str):
        """`get(row, name)`: a row's cleaned cell by column name, '' where the file has no
        such column (older layouts) or the row stops short of it."""
        at = {name: self.index(name, required=False) for name in names}

        def get(row: Row, name: str) -> str:
            i = at[name]
            return clean(row.cells[i]) if i is not None and i < len(row.cells) else ""
        return get


def header_in(head: str, names: Iterable[str], lines: int = 80) -> bool:
    """Whether one of the first lines of a file's start holds all `names` as cells: how
    `matches()` recognises a statement by its header, whatever the preamble before it."""
    wanted = {header_key(n) for n in names}
    return any(wanted <= {header_key(c) for c in line.split(",")} for line in head.splitlines()[:lines])


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


_ISO_FORMATS = {"%Y-%m-%d %H:%M:%S": 19, "%Y-%m-%d": 10}


def parse_datetime(text: str, formats: Iterable[str], path: str, line: int, column: str) -> dt.datetime:
    raw = clean(text)
    for fmt in formats:
        if _ISO_FORMATS.get(fmt) == len(raw) and raw[4] == raw[7] == "-" and raw[10:11] in ("", " ") \
                and raw.isascii() and raw.replace("-", "").replace(":", "").replace(" ", "").isdigit():
            try:  # the common ISO layout: fromisoformat is many times faster than strptime, same result
                return dt.datetime.fromisoformat(raw)
            except ValueError:
                continue
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
    if head[:4] == XLSX_MAGIC:
        return xlsx_head(path)
    for encoding in ENCODINGS + ("latin-1",):  # latin-1 last: any byte, so ASCII tags still show
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
    footer: list[Row] = field(default_factory=list)  # rows from the `footer` match on (totals, notes)

    def total(self, name: str) -> Decimal | None:
        value = self.summary.get(header_key(name))
        return parse_amount(value, self.table.path, self.summary_line, name) if value else None


def read_statement(path: str | Path, required: Iterable[str], what: str, *, encoding: str | None = None,
                   summary_starts: str | None = None, summary_required: bool = False,
                   footer: str | None = None, columns: int | None = None, allow_empty: bool = False) -> Statement:
    """Read a CSV statement (or the sheet of an XLSX workbook that holds the header):
    find the header by `required` names, take every row below it as data (blank rows
    skipped; every other row must have the header's cells), stop at the row whose first
    cell is `summary_starts` and read the summary values below.

    `footer`, a regular expression, ends the table at the first row whose first cell
    matches it (`^#` for Alipay's comment lines, `合计$` for ICBC's totals); that row and
    the non-blank rows after it are kept in `Statement.footer`. `columns` reads a file
    without a header: every row is data, with at least that many cells. Empty cells at
    the end of the header (a trailing comma) are not columns: rows may omit them.
    `allow_empty` accepts a header without rows (PayPal's download of a quiet month)."""
    path = str(path)
    with paused_gc():
        source = statement_rows(path, required, encoding)
        if columns:
            header, rest = Row(0, [f"column {i + 1}" for i in range(columns)]), list(source)
        else:
            header, rest = find_header(source, required, path, what)
    width = len(header.cells)
    while width > 1 and not clean(header.cells[width - 1]):
        width -= 1
    ends = re.compile(footer) if footer else None
    rows, summary, summary_line, tail = [], {}, 0, []
    for i, row in enumerate(rest):
        if ends and row.cells and ends.search(row.cells[0].strip()):  # before the blank test: `-----` is one
            tail = [r for r in rest[i:] if any(c.strip() for c in r.cells)]
            break
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
            where = f"the header (line {header.line})" if header.line else "the other rows"
            raise StatementError(path, row.line, f"expected {width} cells as in {where}, got {len(row.cells)}")
        rows.append(row)
    if summary_required and not summary:
        last = rest[-1].line if rest else header.line
        raise StatementError(path, last, f"no summary line starting with {summary_starts} "
                             "(is the file cut off?)")
    if not rows and not summary and not allow_empty:
        raise StatementError(path, header.line or 1, f"no rows below the header (expected a {what} with transactions)")
    return Statement(Table(path, header.cells, header.line, rows), summary, summary_line, tail)


@contextlib.contextmanager
def paused_gc():
    """Reading a million rows makes millions of lists and strings, none in a reference
    cycle; Python's cycle collector would walk them all again and again (a third of the
    time of a large import). It is paused while they are made."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def statement_rows(path: str, required: Iterable[str] = (), encoding: str | None = None) -> Iterator[Row]:
    """The rows of a statement file: a CSV text file, or an XLSX workbook's sheet."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        magic = b""  # read_text says what is wrong with the file
    if magic == XLSX_MAGIC:
        return iter(xlsx_rows(path, required))
    return csv_rows(read_text(path, encoding), path)


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


# -- currencies ----------------------------------------------------------------------

CURRENCY_NAMES = {"人民币": "CNY", "人民币元": "CNY", "RMB": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD",
                  "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "澳元": "AUD", "澳大利亚元": "AUD", "加元": "CAD",
                  "加拿大元": "CAD", "新加坡元": "SGD", "瑞士法郎": "CHF", "新台币": "TWD", "澳门元": "MOP",
                  "韩元": "KRW", "泰铢": "THB", "新西兰元": "NZD"}


def currency_code(text: str, path: str, line: int, column: str) -> str:
    """An ISO currency code from a code (`cny`, `HKD`) or a Chinese name (`人民币`, `美元`)."""
    raw = clean(text)
    code = CURRENCY_NAMES.get(raw, raw.upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise StatementError(path, line, f"column {column}: expected a currency code like CNY or a name like "
                             f"人民币, got {raw or 'an empty cell'!r}")
    return code


# -- XML -----------------------------------------------------------------------------

@dataclass
class XmlNode:
    """An XML element by its local name (namespaces dropped: CAMT versions differ only
    there), with the line it starts on for error messages."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list["XmlNode"]
    text: str = ""

    def find(self, path: str) -> "XmlNode | None":
        """The first node down a `/`-separated path of local names (`Bal/Tp/CdOrPrtry/Cd`)."""
        found = self.findall(path)
        return found[0] if found else None

    def findall(self, path: str) -> list["XmlNode"]:
        nodes = [self]
        for name in path.split("/"):
            nodes = [c for n in nodes for c in n.children if c.tag == name]
        return nodes

    def value(self, path: str) -> str:
        """The stripped text at `path`, '' when the path is absent."""
        node = self.find(path)
        return node.text.strip() if node is not None else ""


class _XmlBuilder:
    """Target of the expat parser: builds XmlNodes and notes each one's line."""

    def __init__(self):
        self.parser = None
        self.stack: list[XmlNode] = []
        self.root: XmlNode | None = None

    def start(self, tag, attrib):
        node = XmlNode(tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: v for k, v in attrib.items()},
                       self.parser.parser.CurrentLineNumber, [])
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag):
        self.stack.pop()

    def data(self, text):
        if self.stack:
            self.stack[-1].text += text

    def close(self):
        return self.root


def read_xml(path: str | Path) -> XmlNode:
    """Parse an XML statement safely: a DOCTYPE, entity declarations and external
    references are refused (no billion-laughs expansion, no reading of local files or
    URLs), as defusedxml does it. Bad XML is a StatementError at its line."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    data = read_bytes(path)
    builder = _XmlBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise StatementError(path, parser.parser.CurrentLineNumber,
                             f"the XML declares a document type or entities ({type(exc).__name__}); statements "
                             "never do, and expanding them is how billion-laughs and external-entity attacks work: "
                             "refused") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        raise StatementError(path, line, f"not well-formed XML ({str(exc).split(':')[0]})") from None
    if root is None:
        raise StatementError(path, 1, "the file is empty (expected an XML statement)")
    return root


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


# -- JSON (API responses) --------------------------------------------------------------

class JsonObject(dict):
    """A JSON object that knows the line it starts on, for `file:line` errors."""

    line: int = 1


def read_json(path: str | Path):
    """Parse a JSON statement (an API response saved to a file). Numbers with a fraction
    or exponent become Decimal from their own text (`0.99` never passes through a float),
    whole numbers int; NaN and Infinity are refused; every object is a JsonObject that
    knows its line. Bad JSON is a StatementError at its line."""
    import bisect
    import json
    from json.decoder import JSONObject
    from json.scanner import py_make_scanner

    text = read_text(path)
    newlines = [m.start() for m in re.finditer("\n", text)]

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        pairs, end = JSONObject(s_and_end, strict, scan_once, None, list, memo)
        obj = JsonObject(pairs)
        obj.line = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
        return obj, end

    def refuse(name):
        raise ValueError(f"{name} is not a number a statement can hold")

    decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=refuse)
    decoder.parse_object = parse_object
    decoder.scan_once = py_make_scanner(decoder)  # the pure-Python scanner calls parse_object
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise StatementError(path, exc.lineno, f"not valid JSON ({exc.msg}; is the file cut off?)") from None
    except (ValueError, RecursionError) as exc:
        raise StatementError(path, 1, f"not valid JSON ({exc})") from None


def json_line(obj, default: int = 1) -> int:
    return getattr(obj, "line", default)


def snake_keys(obj):
    """An API object with camelCase keys (`batchId`, `createdAt`: Airwallex before API
    version 2022-11) as the snake_case of newer versions, recursively; lines kept."""
    if isinstance(obj, list):
        return [snake_keys(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = JsonObject((re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", k).lower(), snake_keys(v)) for k, v in obj.items())
    out.line = json_line(obj)
    return out


def json_amount(value, path: str, line: int, field: str) -> Decimal:
    """A money amount of a JSON API: a number (read as Decimal by read_json) or a decimal
    string (`"465.00"`, PayPal). Never a float, a bool or an empty value."""
    if isinstance(value, bool) or value is None:
        raise StatementError(path, line, f"{field}: expected an amount, got {json_shown(value)}")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str) and _AMOUNT_RE.match(value.strip()):
        return Decimal(value.strip())
    raise StatementError(path, line, f"{field}: expected an amount, got {json_shown(value)}")


def json_shown(value) -> str:
    return "nothing" if value is None else repr(value) if not isinstance(value, (dict, list)) else type(value).__name__


# -- instants ------------------------------------------------------------------------

_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def parse_instant(text: str, path: str, line: int, field: str) -> dt.datetime:
    """An ISO 8601 time with its offset, as APIs write it: `2014-07-11T04:03:52+0000`
    (no colon in the offset: PayPal, Airwallex), `…Z`, `…+08:00`, fractions of a
    second. A time without an offset is an error: the instant would be a guess."""
    raw = str(text or "").strip()
    norm = _OFFSET_RE.sub(r"\1\2:\3", raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    try:
        when = dt.datetime.fromisoformat(norm)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise StatementError(path, line, f"{field}: expected a time with its offset like "
                             f"2026-03-01T09:30:05+0000, got {raw or 'nothing'!r}")
    return when


def local_time(when: dt.datetime, tz) -> dt.datetime:
    """An instant as the wall-clock time of the books' time zone (config `timezone`)."""
    return when.astimezone(tz).replace(tzinfo=None)


def from_unix(value, tz, path: str, line: int, field: str) -> dt.datetime:
    """Unix seconds (Stripe's `created`) as the wall-clock time of the books' zone."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementError(path, line, f"{field}: expected Unix seconds, got {json_shown(value)}")
    return local_time(dt.datetime.fromtimestamp(value, dt.timezone.utc), tz)


# -- minor units ---------------------------------------------------------------------

# ISO 4217 exponents where they are not 2, as Stripe uses them (its API lists UGX as
# zero-decimal although ISO gives it 0 too, and keeps HUF and TWD at two).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())


def currency_places(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def in_places(value: Decimal, currency: str) -> Decimal:
    """An amount written without all its decimals (`120` in a Stripe export) with the
    currency's places (`120.00`); digits past them are kept, never rounded away."""
    quantum = Decimal(1).scaleb(-currency_places(currency))
    return value.quantize(quantum) if value.as_tuple().exponent > quantum.as_tuple().exponent else value


def from_minor_units(value, currency: str, path: str, line: int, field: str) -> Decimal:
    """An integer amount in the currency's smallest unit (Stripe API: `1000` is 10.00 USD,
    1000 JPY, 1.000 BHD) as Decimal in major units, with the currency's places."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementError(path, line, f"{field}: expected an integer amount in minor units, "
                             f"got {json_shown(value)}")
    return Decimal(value).scaleb(-currency_places(currency))


# -- locale conventions of a whole file ----------------------------------------------

_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}$|\.\d{3},")
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}$|,\d{3}\.")


def uses_decimal_comma(cells: Iterable[tuple[int, str]], path: str) -> bool:
    """Whether a file's amounts are written `4.626,81` (decimal comma) rather than
    `4,626.81`, decided from all of its amount cells, given as (line, text). A cell
    like `1,250` says nothing (1250, or 1.25 with three decimals), so it is read with
    the others; a file that writes both ways is an error."""
    comma = point = None
    for line, text in cells:
        value = clean(text).lstrip("+-(").rstrip(")")
        if comma is None and _COMMA_DECIMAL.search(value):
            comma = (line, value)
        if point is None and _POINT_DECIMAL.search(value):
            point = (line, value)
        if comma and point:
            raise StatementError(path, max(comma[0], point[0]), f"amounts written with a decimal comma "
                                 f"({comma[1]!r}, line {comma[0]}) and a decimal point ({point[1]!r}, "
                                 f"line {point[0]}) in one file (expected one convention)")
    return comma is not None


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")


def numeric_date_format(dates: Iterable[tuple[int, str]], path: str, configured: str | None) -> str:
    """The strptime format of a file's `D/M/YYYY` or `M/D/YYYY` dates, decided from all of
    them (given as (line, text)): a first number above 12 means day first, a second
    above 12 month first. `configured` (the source's `date_format`) wins. A file where
    every date reads both ways (`3/4/2018`) cannot be decided: an error that says how
    to set it, rather than a guess that books March as April."""
    if configured:
        return configured
    day_first = month_first = ambiguous = None
    sep = None
    for line, text in dates:
        m = _NUMERIC_DATE.match(clean(text))
        if not m:
            continue
        sep = sep or clean(text)[len(m.group(1))]  # `/`, `.` or `-`, as the file writes it
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12:
            day_first = day_first or (line, clean(text))
        elif second > 12:
            month_first = month_first or (line, clean(text))
        elif first != second:
            ambiguous = ambiguous or (line, clean(text))
        if day_first and month_first:
            raise StatementError(path, month_first[0], f"dates day-first ({day_first[1]!r}, line {day_first[0]}) "
                                 f"and month-first ({month_first[1]!r}) in one file (expected one order)")
    sep = sep or "/"
    if day_first:
        return f"%d{sep}%m{sep}%Y"
    if month_first or not ambiguous:
        return f"%m{sep}%d{sep}%Y"
    raise StatementError(path, ambiguous[0], f"the date {ambiguous[1]!r} reads as day/month and as month/day, and "
                         f"no date in the file decides it; set date_format (e.g. \"%d{sep}%m{sep}%Y\") for this "
                         "source in config.yaml")


# -- conversions ---------------------------------------------------------------------

def applied_rate(sold: Decimal, bought: Decimal) -> Decimal:
    """The rate a conversion was made at, `bought` per unit of `sold`: their quotient to
    ten significant digits (trailing zeros dropped: 14000.00 -> 12431.37 is 0.887955),
    more where needed so that `sold × rate` gives `bought` back to the cent and the
    conversion balances in Beancount."""
    sold, bought = abs(sold), abs(bought)
    if not sold or not bought:
        raise ValueError("a conversion needs two amounts that are not zero")
    places = max(-bought.as_tuple().exponent, 0)
    quotient = bought / sold
    for digits in range(10, 29):
        rate = quotient.quantize(Decimal(1).scaleb(quotient.adjusted() - digits + 1))
        if abs(sold * rate - bought) <= Decimal(5).scaleb(-places - 2):  # a tenth of the tolerance
            break
    return _trimmed(rate)


def _trimmed(value: Decimal) -> Decimal:
    """`0.8879550000` -> `0.887955`, `2.00` -> `2`, never in exponent form."""
    text = f"{value:f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)
