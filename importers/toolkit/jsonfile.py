"""JSON API responses with exact decimals and the line of each object."""

from __future__ import annotations

import bisect
import functools
import json
import re
from decimal import Decimal
from json.decoder import JSONObject
from json.scanner import py_make_scanner
from pathlib import Path

from beanclear.importers.toolkit.text import StatementError, json_shown, read_text, strip_controls
from beanclear.importers.toolkit.values import _AMOUNT_RE, MAX_AMOUNT_DIGITS

# -- JSON (API responses) --------------------------------------------------------------

class JsonObject(dict):
    """A JSON object that knows the line it starts on, for `file:line` errors."""

    line: int = 1


def read_json(path: str | Path):
    """Parse a JSON statement (an API response saved to a file). Numbers with a fraction
    or exponent become Decimal from their own text (`0.99` never passes through a float),
    whole numbers int; NaN and Infinity are refused; every object is a JsonObject that
    knows its line. Bad JSON is a StatementError at its line. (A large statement is read
    item by item by jsonstream.json_items, by these rules.)"""
    text = read_text(path)
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = line_decoder(lambda at: bisect.bisect_left(newlines, at) + 1)
    try:
        return cleaned(decoder.decode(text))
    except json.JSONDecodeError as exc:
        raise broken(path, exc.lineno, exc.msg) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise unmade(path, exc) from None


class Refused(ValueError):
    """NaN or Infinity in a statement."""


def refuse(name):
    raise Refused(f"{name} is not a number a statement can hold")


def decimal(text: str) -> Decimal:
    """A number with a fraction or an exponent, exactly as written (`1E+999999999999999999`:
    refused, not a crash)."""
    try:
        return Decimal(text)
    except ArithmeticError:
        raise Refused(f"{text[:40]} is not a number a statement can hold") from None


def line_decoder(line_at) -> json.JSONDecoder:
    """read_json's decoder: Decimal from a number's text, NaN refused, each object a
    JsonObject whose line is `line_at(position of its "{")`. The pure-Python scanner,
    which calls parse_object with the position (the C one cannot tell it)."""
    decoder = json.JSONDecoder(parse_float=decimal, parse_constant=refuse)

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        pairs, end = JSONObject(s_and_end, strict, scan_once, None, list, memo)
        obj = JsonObject(pairs)
        obj.line = line_at(s_and_end[1] - 1)
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = py_make_scanner(decoder)
    return decoder


def broken(path, line: int, message: str, kind=StatementError) -> StatementError:
    """The error of JSON that does not parse (json's own words for what is wrong)."""
    return kind(path, line, f"not valid JSON ({message}; is the file cut off?)")


def unmade(path, exc: Exception, kind=StatementError) -> StatementError:
    """The error of a value json cannot make (NaN refused, nesting past the stack): at line 1,
    or the line of the object a Refused names."""
    return kind(path, getattr(exc, "line", 1), f"not valid JSON ({str(exc)[:200] or type(exc).__name__})")


# Half of a UTF-16 pair, alone (`"\ud800"`): JSON's escapes can write it, no text can hold it
# (the write of the books failed on it).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str, line: int) -> str:
    """A string that is not printable, without its control characters; one with a lone
    surrogate refused (an id dropped of it would be another id)."""
    if _SURROGATE.search(value):
        refused = Refused(f"{value[:40]!r} holds a lone surrogate, half of a character that no text can hold")
        refused.line = line
        raise refused
    return strip_controls(value)


def cleaned(value, line: int = 1):
    """A parsed value with no control characters in its strings (`\\u0000` in an id),
    keys too (an object whose key loses one is made anew, as dict() makes it of the
    pairs, its line kept); the rest changed in place. A lone surrogate is refused (Refused,
    at the line of the object holding it)."""
    if isinstance(value, dict):
        line = json_line(value, line)
        for k, v in value.items():
            if v.__class__ is str:   # json makes exact str, list and JsonObject
                if not v.isprintable():
                    value[k] = _text(v, line)   # the same key: the dict keeps its size while walked
            elif isinstance(v, (list, dict)):
                new = cleaned(v, line)
                if new is not v:
                    value[k] = new
        if "".join(value).isprintable():   # its keys
            return value
        out = JsonObject((_text(k, line), v) for k, v in value.items())
        out.line = line
        return out
    if isinstance(value, list):
        for i, v in enumerate(value):
            if v.__class__ is str:
                if not v.isprintable():
                    value[i] = _text(v, line)
            elif isinstance(v, (list, dict)):
                new = cleaned(v, line)
                if new is not v:
                    value[i] = new
        return value
    if isinstance(value, str):
        return _text(value, line)
    return value


def json_line(obj, default: int = 1) -> int:
    return getattr(obj, "line", default)


def snake_keys(obj):
    """An API object with camelCase keys (`batchId`, `createdAt`: Airwallex before API
    version 2022-11) as the snake_case of newer versions, recursively; lines kept."""
    if isinstance(obj, list):
        return [snake_keys(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = JsonObject((snake(k), snake_keys(v)) for k, v in obj.items())
    out.line = json_line(obj)
    return out


@functools.lru_cache(maxsize=4096)   # a response repeats its few keys in every item
def snake(key: str) -> str:
    """`batchId` as `batch_id`."""
    return _CAMEL.sub(r"_\1", key).lower()


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def json_amount(value, path: str, line: int, field: str) -> Decimal:
    """A money amount of a JSON API: a number (read as Decimal by read_json) or a decimal
    string (`"465.00"`, PayPal). Never a float, a bool or an empty value."""
    if isinstance(value, bool) or value is None:
        raise StatementError(path, line, f"{field}: expected an amount, got {json_shown(value)[:60]}")
    if isinstance(value, int) and abs(value) < 10 ** MAX_AMOUNT_DIGITS:
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() < MAX_AMOUNT_DIGITS \
            and value.as_tuple().exponent > -MAX_AMOUNT_DIGITS:  # `1e-999999`: no amount, and no quantize()
        return value
    if isinstance(value, str) and _AMOUNT_RE.match(value.strip()) and len(value.strip()) <= MAX_AMOUNT_DIGITS:
        return Decimal(value.strip())
    raise StatementError(path, line, f"{field}: expected an amount, got {json_shown(value)[:60]}")
