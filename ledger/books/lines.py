"""The lines of the books' text, as patterns: what beanclear reads of the books without
a Beancount parse (an entry's start, its `id:` and other metadata lines, balance, open,
price and include lines, a statement's coverage record). The writer (disk.py) and the
readers the checks use during a load (dropped.py, included.py, renamed.py) share them;
this module is small so that a load imports no writer."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

ENTRY_START = re.compile(r"^\d{4}-\d{2}-\d{2}[ \t]")
ENTRY_END = re.compile(r"\n(?=[^ \t\n])")   # a line break after which a block starts (Books._pieces)
ID_LINE = re.compile(r'^[ \t]+id:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
ORDER_LINE = re.compile(r'^[ \t]+order-id:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
COVERS_LINE = re.compile(r'^[ \t]+covers:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)  # render.identities
BALANCE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]+balance[ \t]+(\S+)[ \t]+[^;\n]*?([A-Z][A-Z0-9'._-]*)[ \t]*(?:;.*)?$",
                          re.M)
# BALANCE_LINE, its amount too (group 3; '' where it is written otherwise): the same lines
BALANCE_AMOUNT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]+balance[ \t]+(\S+)[ \t]+(?:(-?[\d.,]+)(?=[ \t~]))?"
                            r"[^;\n]*?([A-Z][A-Z0-9'._-]*)[ \t]*(?:;.*)?$", re.M)


@functools.lru_cache(maxsize=64)
def id_money(account: str) -> re.Pattern:
    """ID_LINE, with what its entry says after it: the `covers:` among the metadata lines
    that follow it (group 2; '' without one) and the number and currency of its first
    posting to `account` (groups 3 and 4; '' without one). It finds every id ID_LINE finds
    (Books.known reads both in one pass: books/same_rows.py): what follows the id line is
    read over indented lines other than an id line only, so never past the entry."""
    return re.compile(r'^[ \t]+id:[ \t]*"((?:[^"\\]|\\.)*)"[^\n]*\n?'
                      r'(?:[ \t]+(?!id:)(?:covers:[ \t]*"((?:[^"\\]|\\.)*)"|[a-z;])[^\n]*\n)*'
                      r'(?:(?:[ \t]+(?!id:)[!*A-Za-z;][^\n]*\n)*?[ \t]+(?:[!*][ \t]+)?' + re.escape(account)
                      + r"[ \t]+(-?[\d.,]+)[ \t]+([A-Z][A-Z0-9'._-]*))?", re.M)


@functools.cache
def meta_line(key: str) -> re.Pattern:
    """An entry's metadata line of `key`, its value the group (ID_LINE, ORDER_LINE for others)."""
    return re.compile(rf'^[ \t]+{re.escape(key)}:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)


@functools.lru_cache(maxsize=64)
def posting_to(account: str):
    """Whether an entry's text has a posting to `account`."""
    line = re.compile(rf"^[ \t]+{re.escape(account)}(?:[ \t]|$)", re.M)
    return lambda block: line.search(block) is not None


def balance_parts(line: str) -> tuple[str, str, str, Decimal, str] | None:
    """(day, account, currency, amount, trailing comment) of a balance line of the books,
    or None for another line (late_balances and in_flight restate such lines in place)."""
    found = BALANCE_LINE.match(line)
    if not found:
        return None
    day, account, currency = found.groups()
    number = Decimal(line[found.end(2):found.start(3)].strip().replace(",", ""))
    comment = line[line.index(";") - 1:] if ";" in line[found.end(3):] else ""
    return day, account, currency, number, comment


PRICE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]+price[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)", re.M)
TIME_LINE = re.compile(r'^[ \t]+time:[ \t]*"([^"]*)"', re.M)
# a statement's coverage record (render.coverage), metadata and all: its last day, the
# source it was imported for (escaped as written), its first day
COVERAGE_BLOCK = re.compile(r'^(?P<last>\d{4}-\d{2}-\d{2})[ \t]+custom[ \t]+"beanclear-coverage"[ \t]+'
                            r'"(?P<source>(?:[^"\\\n]|\\.)*)"[ \t]+(?P<first>\d{4}-\d{2}-\d{2})[^\n]*\n(?:[ \t]+[^\n]*\n?)*',
                            re.M)
DIGEST_META = re.compile(r'^[ \t]+digest:[ \t]*"([^"\\]*)"', re.M)
TEXT_META = re.compile(r'^[ \t]+text:[ \t]*"([^"\\]*)"', re.M)
STATEMENT_META = re.compile(r'^[ \t]+statement:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
COVERAGE_MARK = b'custom "beanclear-coverage"'
ACCOUNT_META = re.compile(r'^[ \t]+account:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
DATES_META = re.compile(r'^[ \t]+dates:[ \t]*"([a-z-]*)"', re.M)
PAYOUTS_NO = re.compile(r'^[ \t]+payouts:[ \t]*"no"', re.M)   # a coverage record of a view without payouts
FORMAT_META = re.compile(r'^[ \t]+format:[ \t]*"([^"\\]*)"', re.M)
OPEN_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}[ \t]+open[ \t]+(\S+)", re.M)
POSTED_LINE = re.compile(r"^[ \t]+(?:[!*][ \t]+)?([A-Z][^\s;:]*(?::[^\s;]+)+)", re.M)   # a posting's account
INCLUDE_LINE = re.compile(r'^include "([^"/]+)/\*/\*\.beancount"[ \t]*$', re.M)


def _same_setting(line: str) -> str:
    """A pattern for the lines of a ledger that set what a line of MAIN_TEMPLATE sets:
    the same option or plugin (`option "title"`), or the custom directive of the same
    name and first value (`custom "fava-option" "import-config"`), whatever follows."""
    words = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', line)
    if ENTRY_START.match(line):
        return r"^\d{4}-\d{2}-\d{2}[ \t]+" + r"[ \t]+".join(map(re.escape, words[1:4]))
    return "^" + r"[ \t]+".join(map(re.escape, words[:2]))


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
