"""Values inside cells: amounts, dates and instants, currencies, minor units, a file's
locale conventions, and applied conversion rates. Never a float."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from contextvars import ContextVar
from decimal import Context, Decimal, InvalidOperation
from typing import Callable, Iterable

from beanclear.importers.toolkit.places import (  # noqa: F401  (the toolkit's names)
    CURRENCY_NAMES, MAX_AMOUNT_DIGITS, THREE_DECIMAL, ZERO_DECIMAL, currency_places, in_places, past_places)
from beanclear.importers.toolkit.text import StatementError, clean, header_key, json_shown

# -- amounts and dates ---------------------------------------------------------------

CURRENCY_SIGNS = "¥￥$€£"
_AMOUNT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_PLAIN_AMOUNT = re.compile(r"(-?)(\d+(?:\.\d*)?)\Z")  # what parse_amount reads as it is


# Plain amounts already read, up to 4096 of them: a statement repeats its prices, fees,
# rates and 0.00 on row after row. A Decimal is immutable: the same one serves each.
_PLAIN_READ: dict[str, Decimal] = {}


# Digits grouped in threes by one separator, and nothing after: `12.500`, `1,234,000`.
_GROUPED_WHOLE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")

# Thousands separators besides the comma and the point. Spaces of every width, read as
# the space always was (French locale formatting writes U+202F: `-1 200,00`; U+2009 thin,
# U+2007 figure; NBSP is a space once clean); and the apostrophe of Swiss exports, ASCII
# or typographic (`1'890.00`, `1’890.00`), which groups digits in threes and nothing else:
# one anywhere else (`1'89.00`) is left in, an error, never a figure guessed.
_SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009\u2007"))
_APOSTROPHES = "'\u2019"
# (nor one followed by groups of another separator: `1'234,567.00` is no amount, not 1234567.00)
_APOSTROPHE_GROUPED = re.compile(r"(?<![\d'\u2019.,])\d{1,3}(?:['\u2019]\d{3})+(?![\d'\u2019]|[.,]\d{3}[.,])")
_APOSTROPHE_HINT = " (an apostrophe groups thousands only, in threes: 1'234.56)"


def _ungrouped(text: str) -> str:
    """An amount's text without spaces and without the apostrophes that group its
    thousands (_APOSTROPHE_GROUPED); any other apostrophe stays, for the reader to refuse."""
    text = text.translate(_SPACES)
    if "'" in text or "\u2019" in text:
        text = _APOSTROPHE_GROUPED.sub(lambda m: m.group().replace("'", "").replace("\u2019", ""), text)
    return text


def parse_amount(text: str, path: str, line: int, column: str, decimal_comma: bool = False,
                 whole: bool = False) -> Decimal:
    """An amount as written in a statement: currency signs, thousands separators, and
    its one sign wherever the statement writes it (_signed): `-$7,971.39`, `$-50.50`,
    `1,058.09-`, `(0.77)`. Never a float, never a sign dropped.

    `whole`: the amount's currency has no decimals (JPY; HUF and TWD at PayPal), so a
    last group of three digits after a point or a comma is thousands whatever the
    file's convention: a German export's `12.500` yen is 12500, not 12.5 (a file of
    yen has no cell that shows its decimal comma)."""
    if whole:
        bare = _ungrouped(clean(text)).strip("()+-").lstrip(CURRENCY_SIGNS).lstrip("+-")
        if _GROUPED_WHOLE.fullmatch(bare):
            return parse_amount(re.sub(r"[.,]", "", text), path, line, column)
    if not decimal_comma:
        amount = _PLAIN_READ.get(text)
        if amount is not None:
            return amount
        plain = _PLAIN_AMOUNT.match(text)
        if plain is not None and len(plain.group(2)) <= MAX_AMOUNT_DIGITS:
            amount = Decimal(plain.group(2))  # the usual cell, cleaned already: `48.00`, `-0.43000`
            if plain.group(1):
                amount = -amount
            if len(_PLAIN_READ) < 4096:
                _PLAIN_READ[text] = amount
            return amount
    raw = clean(text)
    negative, value = _signed(_ungrouped(raw), path, line, column, raw)
    if decimal_comma:
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    if not _AMOUNT_RE.match(value) or len(value) > MAX_AMOUNT_DIGITS:
        hint = _APOSTROPHE_HINT if any(c in _APOSTROPHES for c in value) else ""
        raise StatementError(path, line, f"column {column}: expected an amount, got {raw or 'an empty cell'!r}{hint}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise StatementError(path, line, f"column {column}: expected an amount, got {raw!r}") from None
    return -amount if negative else amount


def _signed(value: str, path: str, line: int, column: str, raw: str) -> tuple[bool, str]:
    """(negative, the rest) of an amount's text without spaces: one sign, before the
    currency sign (`-$7,971.39`, DCU), after it (`$-50.50`, `¥-49.74`), after the number
    (`1,058.09-`: SAP's and ERP exports', some Chinese banks'), or parentheses around it
    all (`(0.77)`, accountants'). Two signs (`-12.00-`, `(-5)`, `+-5`) are an error: which
    one is meant cannot be known, and a sign left in the rest would be read as none."""
    signs = []
    if value[:1] == "(" and value[-1:] == ")":
        signs, value = ["-"], value[1:-1]
    if value[:1] in ("+", "-"):
        signs, value = [*signs, value[0]], value[1:]
    value = value.lstrip(CURRENCY_SIGNS)
    if value[:1] in ("+", "-"):
        signs, value = [*signs, value[0]], value[1:]
    if value[-1:] in ("+", "-"):
        signs, value = [*signs, value[-1]], value[:-1]
    if len(signs) > 1 or value[:1] in ("+", "-"):
        raise StatementError(path, line, f"column {column}: expected an amount with one sign (-5.00, 5.00-, "
                             f"(5.00), $-5.00), got {raw!r}")
    return signs == ["-"], value


def parse_magnitude(text: str, path: str, line: int, column: str, read=parse_amount) -> Decimal:
    """The size of an amount whose way a direction column says (收/支, 收支类型, 借/贷, D/C,
    a 收入 and a 支出 column): `49.74`, `-49.74`, `49.74-`, `(49.74)`, `¥-49.74` and
    `-¥49.74` under 支出 are each 49.74 out, under 收入 49.74 in. The column says the
    direction, and a sign the cell writes beside it is not read (FORMATS.md: "never infer
    the sign from the amount"; Alipay's fund bill writes an expense `-23.45` or `23.45`).
    `read`: the file's reader where it has its own convention (an AmountReader)."""
    return abs(read(text, path, line, column))


def writes_minus(text: str) -> bool:
    """Whether an amount's text is written negative, in any spelling parse_amount reads
    (`-5`, `5-`, `(5)`, `$-5`): what tells a file of signed amounts from unsigned ones."""
    try:
        return _signed(_ungrouped(clean(text)), "", 0, "", text)[0]   # where parse_amount finds the sign
    except StatementError:   # two signs: written negative, and parse_amount refuses it
        return True


def bounded(amount: Decimal, path: str, line: int, what: str, shown: str) -> Decimal:
    """`amount`, read by a format's own reader (MT940's `107,50`, camt's <Amt>, minor
    units), held to the one bound of every amount: MAX_AMOUNT_DIGITS digits, as
    parse_amount and json_amount hold theirs. A longer one is an error, never an amount
    rounded to Decimal's 28 digits (a camt <Amt> of 30 digits was booked so). The digits
    are those it has written out, as the books write it: `1e400` has 401 (a rate of it
    made a price line Beancount could not read, blind8)."""
    if not amount.is_finite() or written_digits(amount) > MAX_AMOUNT_DIGITS:
        raise StatementError(path, line, f"{what}: expected an amount of at most {MAX_AMOUNT_DIGITS} digits, "
                             f"got {shown[:60]!r}")
    return amount


def in_currency_places(amount: Decimal, currency: str, path: str, line: int, what: str) -> Decimal:
    """A bank's amount held to its currency's places (currency_places: USD 2, JPY 0, KWD
    3): a bank moves no fraction of a cent, so `1.234 USD` or `-1.23450 USD` is an amount
    misread (`-1.234,50`, its thousands point taken for the decimal one) and an error
    naming its line, never booked as it reads with an opening balance taking up the
    rest. Zeros past the places (`10.500`) are no places."""
    if past_places(amount, currency):
        places = currency_places(currency)
        raise StatementError(path, line, f"{what} {amount} {currency} has more decimal places than {currency} "
                             f"has ({places}): expected an amount in {currency}'s places (is a thousands "
                             "separator read as the decimal point?)")
    return amount


def written_digits(amount: Decimal) -> int:
    """The digits of a finite amount written out without an exponent: 1e400 has 401,
    1.5e-7 (0.00000015) 8, 0.00 two."""
    _, digits, exponent = amount.as_tuple()
    return len(digits) + exponent if exponent >= 0 else max(len(digits), -exponent)


def money(value: Decimal, places: int = 2) -> Decimal:
    """Trailing zeros past the currency's places dropped (`0.04000` -> `0.04`), but
    never a significant digit: `0.03600` stays `0.036`, so no money is lost (and no
    entry is written with it: base.transaction refuses it naming its line)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum)
    return rounded if rounded == value else value.normalize()


_ISO_FORMATS = {"%Y-%m-%d %H:%M:%S": 19, "%Y-%m-%d": 10}
# The usual cell: clean already (clean() would give it back as it is), and of the ISO layout.
_ISO_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?")


def parse_datetime(text: str, formats: Iterable[str], path: str, line: int, column: str) -> dt.datetime:
    iso = _ISO_TEXT.fullmatch(text) is not None
    raw = text if iso else clean(text)
    for fmt in formats:
        width = _ISO_FORMATS.get(fmt)
        if width == len(raw) and (iso or _iso_like(raw)):
            try:  # the common ISO layout: fromisoformat is many times faster than strptime, same result
                return dt.datetime.fromisoformat(raw)
            except ValueError:
                continue
        if width is not None and iso:
            continue  # an ISO cell of the other length: strptime would fail, at the cost of a parse
        try:
            return dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise StatementError(path, line, f"column {column}: expected a date like "
                         f"{dt.datetime(2026, 3, 1, 9, 30, 5).strftime(next(iter(formats)))}, got {raw!r}")


def _iso_like(raw: str) -> bool:
    return raw[4] == raw[7] == "-" and raw[10:11] in ("", " ") and raw.isascii() \
        and raw.replace("-", "").replace(":", "").replace(" ", "").isdigit()


# -- currencies ----------------------------------------------------------------------


def currency_code(text: str, path: str, line: int, column: str) -> str:
    """An ISO currency code from a code (`cny`, `HKD`) or a Chinese name (`人民币`, `美元`)."""
    raw = clean(text)
    code = CURRENCY_NAMES.get(raw, raw.upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise StatementError(path, line, f"column {column}: expected a currency code like CNY or a name like "
                             f"人民币, got {raw or 'an empty cell'!r}")
    return code


# The words of a debit/credit column (交通银行 借贷 `借 Dr` / `贷 Cr`, 收/支, D/C, DEBIT):
# the first word of the cell, or the whole cell, compared without case.
# ING Netherlands Af/Bij, German Soll/Haben (Volksbank S/H), camt's DBIT/CRDT
DEBIT_WORDS = frozenset({"借", "借方", "支", "支出", "出", "付", "付款", "转出", "d", "dr", "debit", "dbit",
                         "af", "soll", "s", "débit", "debet"})
CREDIT_WORDS = frozenset({"贷", "贷方", "收", "收入", "入", "存", "存入", "转入", "c", "cr", "credit", "crdt",
                          "bij", "haben", "h", "crédit"})


def direction_sign(text: str, path: str, line: int, column: str, words: dict[str, str] | None = None) -> int:
    """-1 for a debit, +1 for a credit, as a direction column writes it; anything else is
    an error that says what was expected (never a guessed sign). `words` (a bank preset's:
    first word -> debit | credit) replace the usual ones where the cell is a text whose
    first word says it (交通银行信用卡 交易说明 `消费 美团`)."""
    raw = clean(text)
    if words:
        word = raw.split(" ")[0]
        if word not in words:
            raise StatementError(path, line, f"column {column}: expected a line starting with "
                                 f"{', '.join(words)}, got {raw!r}")
        return -1 if words[word] == "debit" else 1
    words = raw.casefold().split()
    for word in (raw.casefold(), *words[:1]):
        if word in DEBIT_WORDS:
            return -1
        if word in CREDIT_WORDS:
            return 1
    raise StatementError(path, line, f"column {column}: expected a debit or credit word (借/贷, 支出/收入, D/C, "
                         f"Dr/Cr, Debit/Credit, Af/Bij, Soll/Haben, S/H), got {raw or 'an empty cell'!r}")


# -- instants ------------------------------------------------------------------------

_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def iso_time(text: str) -> dt.datetime | None:
    """An ISO 8601 date or time as written, with its offset where it gives one:
    `2014-07-11T04:03:52+0000` (no colon in the offset: PayPal, Airwallex), `…Z`,
    `…+08:00`, fractions of a second, `2014-07-11` (its midnight); None where the
    text is neither."""
    raw = str(text or "").strip()
    norm = _OFFSET_RE.sub(r"\1\2:\3", raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    try:
        return note_offset(dt.datetime.fromisoformat(norm))
    except ValueError:
        return None


# The offsets of the times read while stated_offsets() collects them (`beanclear init`):
# None when nobody asks, as on every import.
_STATED: ContextVar[set | None] = ContextVar("stated_offsets", default=None)


@contextlib.contextmanager
def stated_offsets():
    """Collect the UTC offsets the statements read meanwhile state of their times
    (Shopify's `-0500`, PayPal's `EST`, OFX's `[-5:EST]`, CAMT's `+01:00`): a set of
    (the instant to the hour, in UTC; its offset; the zone's name where the statement
    names one, else None), what init guesses `timezone` from (setup/zones.py). A time
    in UTC (an offset of 0) is not in it: any merchant's statements write those."""
    seen: set = set()
    token = _STATED.set(seen)
    try:
        yield seen
    finally:
        _STATED.reset(token)


def noting_offsets() -> bool:
    """Whether stated_offsets() collects: an importer may skip reading an offset it
    would only note (OFX's, which dates nothing)."""
    return _STATED.get() is not None


def note_offset(when: dt.datetime) -> dt.datetime:
    """`when`, a time with the offset its statement wrote, noted where stated_offsets()
    collects (an importer calls it where it reads an offset)."""
    seen = _STATED.get()
    if seen is not None and when.tzinfo is not None and when.utcoffset():
        name = getattr(when.tzinfo, "key", None) or when.tzname()
        seen.add((when.astimezone(dt.timezone.utc).replace(minute=0, second=0, microsecond=0), when.utcoffset(),
                  None if name is None or name.startswith("UTC") else name))
    return when


def parse_instant(text: str, path: str, line: int, field: str) -> dt.datetime:
    """An ISO 8601 time with its offset, as APIs write it (iso_time). A time without an
    offset is an error: the instant would be a guess."""
    when = iso_time(text)
    if when is None or when.tzinfo is None:
        raise StatementError(path, line, f"{field}: expected a time with its offset like "
                             f"2026-03-01T09:30:05+0000, got {str(text or '').strip() or 'nothing'!r}")
    return when


def local_time(when: dt.datetime, tz) -> dt.datetime:
    """An instant as the wall-clock time of the books' time zone (config `timezone`)."""
    return when.astimezone(tz).replace(tzinfo=None)


class ZoneDayEnd:
    """Where a statement whose rows are timed in a zone of their own (Stripe's reports:
    UTC, or the Stripe account's `timezone:`) ends, a fold over its rows' instants (`add`,
    each in that zone). Such a statement is cut at that zone's day boundaries: it runs
    to the end of its last row's day there. `at(tz)`: that moment as a wall-clock time of
    the books' zone `tz` (Extraction.zone_end: a report of April in UTC ends 30 April
    20:00 in New York, 1 May 08:00 in Shanghai), or None without a row. So it starts
    where its first row's day there starts: `start_at(tz)` (Extraction.zone_start: a
    report of July in UTC starts 1 July 09:00 in Tokyo, whose 1 July it holds only from
    then)."""

    def __init__(self):
        self.first = self.last = None

    def add(self, when: dt.datetime) -> None:
        if self.last is None or when > self.last:
            self.last = when
        if self.first is None or when < self.first:
            self.first = when

    def start_at(self, tz) -> dt.datetime | None:
        if self.first is None:
            return None
        return local_time(dt.datetime.combine(self.first.date(), dt.time(0), tzinfo=self.first.tzinfo), tz)

    def at(self, tz) -> dt.datetime | None:
        if self.last is None:
            return None
        end = dt.datetime.combine(self.last.date() + dt.timedelta(days=1), dt.time(0), tzinfo=self.last.tzinfo)
        return local_time(end, tz)

    def mark(self, out, tz) -> None:
        """Says on the Extraction `out` where the statement ends and starts in the books'
        zone `tz` (zone_end, zone_start), and the zone its days are of where it is not
        `tz` (zone: the days after its last row, quiet or not, are that zone's)."""
        out.zone_end, out.zone_start = self.at(tz), self.start_at(tz)
        if self.last is not None and zone_name(self.last.tzinfo) != zone_name(tz):
            out.zone = self.last.tzinfo


def zone_name(zone) -> str:
    """A zone as a statement's coverage record writes it (`zone:`): its IANA name, UTC, or
    a fixed offset as `+02:00` (a PayPal row's `CEST`); named_zone reads it back."""
    key = getattr(zone, "key", None)
    if key:
        return key
    offset = zone.utcoffset(None) or dt.timedelta(0)
    if offset == dt.timedelta(0):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def named_zone(text: str):
    """The zone zone_name wrote, or None where the text names none."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    found = re.fullmatch(r"([+-])(\d\d):(\d\d)", text)
    if found:
        minutes = int(found.group(2)) * 60 + int(found.group(3))
        return dt.timezone(dt.timedelta(minutes=minutes if found.group(1) == "+" else -minutes))
    if text == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


# The zone of the times a Chinese channel's, wallet's or marketplace's statements write
# without an offset (FORMATS.md: "Timestamps are local China time (UTC+08:00)"; WeChat's
# 2026 bill: 本账单中所有时间均为UTC+08:00时间).
CHINA = "Asia/Shanghai"


def zone_time(when: dt.datetime, zone, tz) -> dt.datetime:
    """A time a statement writes without an offset, the wall clock of its `zone` (a
    Chinese channel's China's; the channel's `timezone:`), as the wall-clock time of the
    books' zone `tz` (config `timezone`): WeChat's `2026-10-01 10:00:00` is 19:00 on 30
    Sep in America/Los_Angeles, as Stripe's `created` of that instant is. Where `zone` is
    None or the books' own, the time as written (the books in Asia/Shanghai keep every
    Chinese statement's times as they were). A day written without a time is a day, not
    a midnight: the caller passes times only."""
    if same_zone(zone, tz):
        return when
    return when.replace(tzinfo=zone).astimezone(tz).replace(tzinfo=None)


def same_zone(zone, tz) -> bool:
    """Whether a statement's `zone` (None: not known, the books') is the books' `tz`."""
    return zone is None or tz is None or zone is tz or getattr(zone, "key", None) == getattr(tz, "key", 0)


def books_time(when: dt.datetime, tz) -> dt.datetime:
    """The wall-clock time a bank's statement time is booked at in the books' zone `tz`
    (config `timezone`: "dates of UTC timestamps are taken in this zone"). A UTC time is
    an instant: `2026-02-01T05:10:00Z` is 21:10 on 31 Jan in America/Los_Angeles. A time
    without an offset, or in the bank's own (`+01:00`, OFX `[-5:EST]`), is the bank's
    wall clock and keeps its day, the day its balances and statements are cut on. A
    UTC time at the very start or end of its day (`T00:00:00Z`, `T23:59:59.999Z`) is a
    day written as a time (OFX's `20260203000000.000[0:GMT]`, a period `2014-01-05T00:00:00Z`
    to `T23:59:59.999Z`) and keeps it too."""
    written = when.replace(tzinfo=None)
    if when.utcoffset() != dt.timedelta(0) or not dt.time(0) < written.time() < dt.time(23, 59, 59):
        return written
    return local_time(when, tz)


def books_day(stamp: dt.date | dt.datetime | None, tz) -> dt.date | None:
    """The day the books (their zone `tz`) date a bank's stamp on: a date as written, a
    time on the day of its books_time."""
    return books_time(stamp, tz).date() if isinstance(stamp, dt.datetime) else stamp


def from_unix(value, tz, path: str, line: int, field: str) -> dt.datetime:
    """Unix seconds (Stripe's `created`) as the wall-clock time of the books' zone."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementError(path, line, f"{field}: expected Unix seconds, got {json_shown(value)}")
    try:
        return local_time(dt.datetime.fromtimestamp(value, dt.timezone.utc), tz)
    except (ValueError, OverflowError, OSError):   # a year past 9999 or before 1
        raise StatementError(path, line, f"{field}: expected Unix seconds of a day between the years 1 and "
                             f"9999, got {json_shown(value)}") from None


# -- minor units ---------------------------------------------------------------------

def from_minor_units(value, currency: str, path: str, line: int, field: str) -> Decimal:
    """An integer amount in the currency's smallest unit (Stripe API: `1000` is 10.00 USD,
    1000 JPY, 1.000 BHD) as Decimal in major units, with the currency's places."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementError(path, line, f"{field}: expected an integer amount in minor units, "
                             f"got {json_shown(value)}")
    return bounded(Decimal(value), path, line, field, str(value)).scaleb(-currency_places(currency))


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
        value = clean(text).strip("+-() ")
        if comma is None and _COMMA_DECIMAL.search(value):
            comma = (line, value)
        if point is None and _POINT_DECIMAL.search(value):
            point = (line, value)
        if comma and point:
            raise StatementError(path, max(comma[0], point[0]), f"amounts written with a decimal comma "
                                 f"({comma[1]!r}, line {comma[0]}) and a decimal point ({point[1]!r}, "
                                 f"line {point[0]}) in one file (expected one convention)")
    return comma is not None


class AmountReader:
    """parse_amount with a file's decimal convention, for a file read once, in one pass:
    decided from the cells given (its first rows: uses_decimal_comma), then held to on
    every cell. A later cell written the other way (`-5,50` in a file read as `4,626.81`)
    is an error naming its line, never an amount a hundred times too large."""

    def __init__(self, cells: Iterable[tuple[int, str]], path: str):
        self.comma = uses_decimal_comma(cells, path)
        self._other, self._pattern = ("." , _POINT_DECIMAL) if self.comma else (",", _COMMA_DECIMAL)

    def __call__(self, text: str, path: str, line: int, column: str) -> Decimal:
        if self._other in text and self._pattern.search(clean(text).strip("+-() ")):
            raise StatementError(path, line, f"column {column}: {clean(text)!r} is written with a decimal "
                                 f"{'point' if self.comma else 'comma'}, the rows above with a decimal "
                                 f"{'comma' if self.comma else 'point'} (expected one convention)")
        return parse_amount(text, path, line, column, decimal_comma=self.comma)


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")

# Header words of layouts whose language writes the day first (`15/10/2026`). English
# says nothing: the US writes the month first, the UK and PayPal's own exports often not.
HEADER_WORDS = {
    "Spanish": "fecha hora zonahoraria descripción divisa moneda bruto comisión neto saldo nombre estado tipo",
    "French": "heure fuseauhoraire nom état devise brut frais solde",
    "German": "datum uhrzeit zeitzone beschreibung währung brutto gebühr netto guthaben typ",
    "Italian": "data ora fusoorario descrizione valuta lordo tariffa netto saldo stato nome",
    "Portuguese": "data hora fusohorário descrição moeda bruto tarifa líquido saldo estado nome",
    "Dutch": "datum tijd tijdzone omschrijving valuta bruto kosten netto saldo",
    "English": "date time timezone name type status currency gross fee net balance description",
}
_EUROPEAN_ZONES = {"CET", "CEST", "WET", "WEST", "EET", "EEST", "MET", "MEST"}


def header_language(header: Iterable[str]) -> str | None:
    """The language of a header row (`Fecha,Hora,Bruto,Comisión` is Spanish), by its
    words; None where two languages tie or fewer than two words are known."""
    keys = {header_key(c) for c in header}
    scores = sorted(((len(keys & set(words.split())), name) for name, words in HEADER_WORDS.items()), reverse=True)
    (best, name), (second, _) = scores[0], scores[1]
    return name if best >= 2 and best > second else None


class DateOrder:
    """What a file's `D/M/YYYY` or `M/D/YYYY` dates say about their order, gathered one
    cell at a time (a streamed statement's dates are not held): the first date that can
    only be day first, month first, or either, and whether the dates read each way are
    all valid and in time order. `format()` decides, as numeric_date_format says."""

    def __init__(self):
        self.day_first = self.month_first = self.ambiguous = self.sep = None
        # per reading (dmy, mdy): [all valid, last date, never went down, never went up,
        # first date, how many times the date changed]
        self._order = {"dmy": [True, None, True, True, None, 0], "mdy": [True, None, True, True, None, 0]}

    def add(self, line: int, text: str) -> None:
        text = clean(text)
        m = _NUMERIC_DATE.match(text)
        if not m:
            return
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        self.sep = self.sep or text[len(m.group(1))]  # `/`, `.` or `-`, as the file writes it
        if first > 12:
            self.day_first = self.day_first or (line, text)
        elif second > 12:
            self.month_first = self.month_first or (line, text)
        elif first != second:
            self.ambiguous = self.ambiguous or (line, text)
        if self.day_first or self.month_first:
            return   # decided by the dates themselves: their order is not needed
        same_sep = text[len(m.group(1))] == self.sep == text[len(m.group(1)) + 1 + len(m.group(2))]
        for reading, (day, month) in (("dmy", (first, second)), ("mdy", (second, first))):
            state = self._order[reading]
            try:
                if not same_sep:
                    raise ValueError
                date = dt.date(year, month, day)
            except ValueError:
                state[0] = False
                continue
            if state[1] is not None:
                state[2] = state[2] and date >= state[1]
                state[3] = state[3] and date <= state[1]
                state[5] += date != state[1]
            else:
                state[4] = date
            state[1] = date

    def _in_time_order(self, reading: str) -> bool:
        valid, _, up, down, _, _ = self._order[reading]
        return valid and (up or down)

    def _in_one_month(self, reading: str) -> bool:
        """Rows in time order on three days or more, all of one month: read the other
        way, they would fall on one day of the month, month after month."""
        _, last, _, _, first, changes = self._order[reading]
        return self._in_time_order(reading) and changes >= 2 and (first.year, first.month) == (last.year, last.month)

    @property
    def own_order(self) -> str | None:
        """"day-first" or "month-first" where the file's own dates decide (a day above 12)."""
        return "day-first" if self.day_first else "month-first" if self.month_first else None

    def format(self, path: str, *, header: Iterable[str] = (), zones: Iterable[str] = (),
               notes: list | None = None, before: Callable[[], tuple[str, str] | None] | None = None) -> str:
        """`before`: asked for (order, statement) of the source's earlier statement whose own
        dates decided (StatementImporter.dates_before): a file whose dates all read both ways is
        read alike, ahead of what its header and zones suggest (a blind tester's daily
        PayPal download of 01/02/2026 was refused, its source's file of 12/31/2025 read)."""
        day_first, month_first, ambiguous = self.day_first, self.month_first, self.ambiguous
        if day_first and month_first:
            raise StatementError(path, month_first[0], f"dates day-first ({day_first[1]!r}, line {day_first[0]}) "
                                 f"and month-first ({month_first[1]!r}) in one file (expected one order)")
        sep = self.sep or "/"
        dmy, mdy = f"%d{sep}%m{sep}%Y", f"%m{sep}%d{sep}%Y"
        if day_first:
            return dmy
        if month_first or not ambiguous:
            return mdy
        language = header_language(header)
        zones = {clean(z) for z in zones} - {""}
        earlier = before() if before is not None else None
        if earlier is not None:
            chosen = dmy if earlier[0] == "day-first" else mdy
            why = f"as {earlier[1]} of this source was read (its own dates said {earlier[0]})"
        elif language and language != "English":
            chosen, why = dmy, f"as the {language} header says"
        elif zones and all(z.startswith("Europe/") or z.upper() in _EUROPEAN_ZONES for z in zones):
            chosen, why = dmy, f"as the rows' time zones ({', '.join(sorted(zones))}) are European"
        else:
            ordered = [fmt for fmt, reading in ((dmy, "dmy"), (mdy, "mdy")) if self._in_time_order(reading)]
            in_a_month = [fmt for fmt, reading in ((dmy, "dmy"), (mdy, "mdy")) if self._in_one_month(reading)]
            if len(ordered) == 1:
                chosen, why = ordered[0], "the one reading that keeps the rows in time order"
            elif len(in_a_month) == 1:   # a download of a month's first days: 06/02/2026 to 06/12/2026
                chosen, why = in_a_month[0], "the one reading that puts the rows' days in one month"
            else:
                raise StatementError(path, ambiguous[0], f"the date {ambiguous[1]!r} reads as day/month and as "
                                     f"month/day, and no date in the file decides it; set date_format (e.g. "
                                     f"\"%d{sep}%m{sep}%Y\") for this source in config.yaml")
        if notes is not None:
            taken = dt.datetime.strptime(_NUMERIC_DATE.match(ambiguous[1]).group(0), chosen).date()
            notes.append(f"dates read {'day' if chosen == dmy else 'month'} first ({ambiguous[1]} is {taken}), {why}; "
                         "set date_format in config.yaml if that is wrong")
        return chosen


def numeric_date_format(dates: Iterable[tuple[int, str]], path: str, configured: str | None, *,
                        header: Iterable[str] = (), zones: Iterable[str] = (), notes: list | None = None) -> str:
    """The strptime format of a file's `D/M/YYYY` or `M/D/YYYY` dates (given as (line,
    text)). `configured` (the source's `date_format`) wins; then the dates themselves: a
    first number above 12 means day first, a second above 12 month first. Where every
    date reads both ways (`3/4/2018`): the `header`'s language (Spanish, French, German,
    Italian, Portuguese, Dutch write the day first), else the `zones` of its rows when
    all are European, else the one reading that keeps the rows in time order (newest
    or oldest first), else the one that puts rows of three days or more in one month
    (a download of a month's first twelve days: read the other way, its rows would
    fall on one day of each month). A reading taken that way is said in `notes` (the
    import summary).
    A file none of these decides is an error that says how to set it, rather than a guess
    that books March as April."""
    if configured:
        return configured
    order = DateOrder()
    for line, text in dates:
        order.add(line, text)
    return order.format(path, header=header, zones=zones, notes=notes)


# -- conversions ---------------------------------------------------------------------

def applied_rate(sold: Decimal, bought: Decimal, currency: str | None = None) -> Decimal:
    """The rate a conversion was made at, `bought` per unit of `sold`: their quotient to
    ten significant digits (trailing zeros dropped: 14000.00 -> 12431.37 is 0.887955),
    more where needed so that `sold × rate` gives `bought` back to the cent and the
    conversion balances in Beancount.

    With `currency` (`bought`'s), the rate is a price annotation (`@`) and `bought` is
    taken as posted, with its currency's places (in_places). Beancount allows a whole
    amount (6225 JPY) no difference at all, so there `sold × rate`, as Beancount computes
    it (Python's 28 digits), must give `bought` exactly: 58316 KRW -> 6225 JPY is
    0.10674600452705946909938953289, where ten (0.1067460045) leave
    0.0000015780 JPY and the entry does not balance."""
    sold, bought = abs(sold), abs(bought)
    if not sold or not bought:
        raise ValueError("a conversion needs two amounts that are not zero")
    if currency is not None:
        bought = in_places(bought, currency)
    exponent = bought.as_tuple().exponent
    exact = currency is not None and exponent >= 0
    quotient = _WIDE.divide(bought, sold)
    for digits in range(10, _WIDE.prec):
        rate = _WIDE.quantize(quotient, Decimal(1).scaleb(quotient.adjusted() - digits + 1))
        if exact:
            if _BEANCOUNT.multiply(sold, rate) == bought:
                break
        elif abs(sold * rate - bought) <= Decimal(5).scaleb(min(exponent, 0) - 2):  # a tenth of the tolerance
            break
    return _trimmed(rate)


# Beancount multiplies units by their price in Python's default context, to 28 digits; the
# rate that gives a whole amount back through it has more than 28, found in a wider one.
_BEANCOUNT = Context(prec=28)
_WIDE = Context(prec=60)


def _trimmed(value: Decimal) -> Decimal:
    """`0.8879550000` -> `0.887955`, `2.00` -> `2`, never in exponent form."""
    text = f"{value:f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)
