"""Reference FX rates: a CSV of published rates into `books/prices.beancount` as
`price` directives, the reference the fx-gap check compares applied rates with.

    2026-01-05 price USD 7.1234 CNY        ; 1 USD = 7.1234 CNY

Two layouts are read (comma, semicolon or TAB separated; UTF-8 or GB18030):

- one rate per row: a date column (`date`, `day`, `TIME_PERIOD`, `日期`), a pair column
  (`pair`, `symbol`, `currency pair`, `货币对`) holding `USD/CNY` (or `USDCNY`, `USD_CNY`,
  `USD-CNY`), and a rate column (`rate`, `price`, `value`, `OBS_VALUE`, `close`, `中间价`);
  or `base` and `quote` columns (`from`/`to`) instead of the pair;
- a central bank's series: the date in the first column, then one column per pair named
  by it (`USD/CNY,EUR/CNY,100JPY/CNY`, as CFETS publishes the central parity; `100JPY`
  means the rate is for 100 JPY), or by the quoted currency alone with `--base EUR`
  (the ECB's `Date,USD,JPY,…`: how many USD, JPY … one EUR buys).

Dates are `2026-01-05`, `2026/01/05` or `20260105`. An empty cell or `N/A`, `.`, `-`
(no fixing that day) is skipped and counted; anything else that is not a positive
number of at most 24 digits written out (the toolkit's bound of every amount: `1e400`
is not a rate) is an error naming the file and line, and so is a file with neither
header, or no row below it. Importing is idempotent: a date and pair
the books already hold is never added again (the books' rate is kept, and a different
rate in the file is reported). New prices go in date order between the lines already
there, written atomically; nothing a person wrote is changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books import atomic, edits, render
from beanclear.books import IMPORT_INCLUDES, PRICE_LINE, Books, merge
from beanclear.importers.toolkit import (StatementError, bounded, clean, csv_rows, header_key, read_text, sniff,
                                         whole_last_cell)

DATE_NAMES = ("date", "day", "time_period", "日期")
PAIR_NAMES = ("pair", "symbol", "currency pair", "currency_pair", "货币对")
RATE_NAMES = ("rate", "price", "value", "obs_value", "close", "中间价")
BASE_NAMES, QUOTE_NAMES = ("base", "from"), ("quote", "to")
NO_RATE = {"", "N/A", "NA", ".", "-", "ND"}
PAIR = re.compile(r"^(\d+)?\s*([A-Z]{3})\s*[/_\-: ]?\s*([A-Z]{3})$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class PriceImport:
    path: Path
    rows: int = 0
    new: list = field(default_factory=list)
    known: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False   # nothing was written: the summary says what would be

    def summary(self) -> str:
        text = (f"{self.path}: {self.rows} rates read, {len(self.new)} prices "
                f"{'would be written' if self.dry_run else 'written'}, {self.known} already in the books")
        if self.skipped:
            text += ", skipped " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return text + "".join(f"; note: {note}" for note in self.notes)


def parse_pair(text: str) -> tuple[str, str, Decimal] | None:
    """`USD/CNY` -> (USD, CNY, 1); `100JPY/CNY` -> (JPY, CNY, 100); None if not a pair."""
    m = PAIR.match(clean(text).upper())
    if not m or m.group(2) == m.group(3):
        return None
    return m.group(2), m.group(3), Decimal(m.group(1) or 1)


def parse_date(text: str, path, line: int) -> dt.date:
    raw = clean(text)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise StatementError(path, line, f"expected a date like 2026-01-05, got {raw!r}")


def parse_rate(text: str, path, line: int, column: str) -> Decimal | None:
    raw = clean(text).replace(" ", "")
    if raw.upper() in NO_RATE:
        return None
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")  # a decimal comma (semicolon-separated files)
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        raise StatementError(path, line, f"column {column}: expected a positive rate like 7.1234, got {text.strip()!r}")
    return bounded(rate, path, line, f"column {column}", text.strip())   # the bound of every amount (toolkit)


# What a series of currencies alone lacks: `prices import` is told its base by --base; an
# import of statements (a folder with statements/prices/ in it) is told none.
NEEDS_BASE = " (a header of currencies alone needs --base, e.g. --base EUR for the ECB)"
NEEDS_BASE_IN_IMPORT = (" (a header of currencies alone names no base, and an import is told none: move the file out "
                        "of the statements and load it with `beanclear prices import FILE --base EUR` (the ECB's), or "
                        "write its header as pairs: EUR/USD for how many USD one EUR buys)")


def read_rates(path: str | Path, base: str | None = None,
               in_import: bool = False) -> tuple[list[tuple[int, data.Price]], PriceImport]:
    """Every rate of a CSV as (line, Price), in file order. `in_import`: read by
    `beanclear import`, which takes no --base."""
    path = Path(path)
    text = read_text(path)
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = [r for r in csv_rows(text, path, delimiter) if any(clean(c) for c in r.cells)]
    result = PriceImport(path)
    header, body = rows[0], rows[1:]
    keys = [header_key(c) for c in header.cells]

    def find(names) -> int | None:
        return next((keys.index(n) for n in map(header_key, names) if n in keys), None)

    at_date, at_pair, at_rate = find(DATE_NAMES), find(PAIR_NAMES), find(RATE_NAMES)
    at_base, at_quote = find(BASE_NAMES), find(QUOTE_NAMES)
    columns: list[tuple[int, str, tuple[str, str, Decimal] | None]] = []   # series: (index, name, pair)
    if at_rate is None:
        if base and not CURRENCY.match(base.upper()):
            raise StatementError(path, header.line, f"--base: expected a currency code like EUR, got {base!r}")
        for i, name in enumerate(header.cells[1:], 1):
            if not clean(name):
                continue
            pair = parse_pair(name) or ((base.upper(), clean(name).upper(), Decimal(1))
                                        if base and CURRENCY.match(clean(name).upper()) else None)
            if pair is None:
                hint = "" if base else NEEDS_BASE_IN_IMPORT if in_import else NEEDS_BASE
                raise StatementError(path, header.line, f"column {i + 1}: expected a currency pair like USD/CNY, "
                                     f"got {clean(name)!r}{hint}")
            columns.append((i, clean(name), pair))
        at_date = 0
    if at_rate is not None and (at_date is None or (at_pair is None and (at_base is None or at_quote is None))) \
            or at_rate is None and not columns:   # (no header of a rates table: /etc/hostname was "0 rates read")
        raise StatementError(path, header.line, f"expected a header with date, pair (or base and quote) and rate "
                             f"columns, or date and one column per currency pair, got {_shown(header.cells)}")
    if at_rate is not None:
        columns = [(at_rate, header.cells[at_rate], None)]
    if not body:
        raise StatementError(path, header.line, "no rates below the header")
    # a last row without a line end, its rate shorter than the others' (7.12 under 7.1234): cut off
    whole_last_cell(body[-1], body[:-1], header, str(path))
    out = []
    for row in body:
        if len(row.cells) < len(header.cells) - (header.cells[-1].strip() == ""):
            raise StatementError(path, row.line, f"expected {len(header.cells)} cells as in the header, "
                                 f"got {len(row.cells)}")
        day = parse_date(row.cells[at_date], path, row.line)
        for index, name, pair in columns:
            if pair is None:
                written = row.cells[at_pair] if at_pair is not None else f"{row.cells[at_base]}/{row.cells[at_quote]}"
                pair = parse_pair(written)
                if pair is None:
                    raise StatementError(path, row.line, f"expected a currency pair like USD/CNY, got {written.strip()!r}")
            result.rows += 1
            rate = parse_rate(row.cells[index], path, row.line, name)
            if rate is None:
                result.skipped["without a rate that day"] += 1
                continue
            price = data.Price(data.new_metadata(str(path), row.line), day, pair[0], Amount(rate / pair[2], pair[1]))
            out.append((row.line, price))
    return out, result


def _shown(cells: list[str]) -> str:
    text = ",".join(clean(c) for c in cells)
    return repr(text if len(text) <= 60 else text[:60] + "…")


def _header(path: str | Path) -> list[str]:
    """The cells of a file's first line that is not blank, as a rates file's header."""
    first = sniff(path).lstrip("\ufeff").lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [clean(c) for c in first.split(delimiter)]


def is_rates_file(path: str | Path) -> bool:
    """Whether a file is a reference-rates CSV of the layouts above (one that needs
    `--base` aside), so that `beanclear import` of a folder reads it too. Cheap, never raises."""
    cells = _header(path)
    keys = {header_key(c) for c in cells}

    def has(names) -> bool:
        return any(header_key(n) in keys for n in names)

    if has(DATE_NAMES) and has(RATE_NAMES) and (has(PAIR_NAMES) or (has(BASE_NAMES) and has(QUOTE_NAMES))):
        return True
    # A series names its pairs with a separator (`USD/CNY`): `amount` would read as AMO/UNT.
    series = [c for c in cells[1:] if c]
    return len(cells) > 1 and header_key(cells[0]) in DATE_NAMES and bool(series) \
        and all(parse_pair(c) and re.search(r"[A-Za-z][/_\-: ][A-Za-z]", c) for c in series)


def of_currencies_alone(path: str | Path) -> bool:
    """Whether a file's header is a date and currency codes alone, as the ECB writes them
    (`Date,USD,JPY,…`): a series of rates whose base only --base says. Asked of a file no
    importer claims (`Date,FEE,NET` may be a statement's). Cheap, never raises."""
    cells = _header(path)
    series = [c for c in cells[1:] if c]
    return header_key(cells[0]) in DATE_NAMES and bool(series) and all(CURRENCY.match(c) for c in series)


def merged(old: str, rates: list[tuple[int, data.Price]], result: PriceImport) -> str:
    """`old`, the text of prices.beancount, with one file's new rates added (counted in
    `result`): a date and pair already there is kept as it is."""
    have = {(d, b, q): Decimal(r) for d, b, r, q in PRICE_LINE.findall(old)}
    seen: dict[tuple, tuple[int, Decimal]] = {}
    for line, price in rates:
        key = (price.date.isoformat(), price.currency, price.amount.currency)
        if key in seen and seen[key][1] != price.amount.number:
            raise StatementError(result.path, line, f"a second rate for {key[1]}/{key[2]} on {key[0]}: "
                                 f"{price.amount.number}, line {seen[key][0]} says {seen[key][1]}")
        if key in have or key in seen:
            result.known += 1
            if key in have and have[key] != price.amount.number:
                result.notes.append(f"{key[1]}/{key[2]} on {key[0]}: the books say {have[key]}, "
                                    f"the file {price.amount.number} (kept the books')")
            continue
        seen[key] = (line, price.amount.number)
        result.new.append(price)
    return merge(old, sorted(result.new, key=render.sort_key)) if result.new else old


def plan(config, read: list[tuple[list, PriceImport]], changes: dict[Path, str]) -> list[PriceImport]:
    """For `beanclear import`: the rates files found among the statements (as read_rates
    gave them) added to prices.beancount in `changes`, written in one step with the
    statements. Call it under the books' lock."""
    target = Books(config.books).root / "prices.beancount"
    old = changes.get(target) or (target.read_text(encoding="utf-8") if target.exists() else "")
    text = old
    for rates, result in read:
        text = merged(text, rates, result)
    if text != old:
        changes[target] = text
    return [result for _, result in read]


def import_prices(config, path: str | Path, base: str | None = None) -> PriceImport:
    """Add a CSV's rates to books/prices.beancount. Raises StatementError (nothing
    written) on bad input."""
    rates, result = read_rates(path, base)
    books = Books(config.books)
    with atomic.locked(config.books):
        changes = books.skeleton(config)
        plan(config, [(rates, result)], changes)
        edits.include_written(config.books, changes, IMPORT_INCLUDES)   # what main.beancount lacks of them
        if changes:
            atomic.write_files(config.books, changes)
    return result
