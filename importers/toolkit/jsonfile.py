"""JSON API responses with exact decimals and the line of each object."""

from __future__ import annotations

import re
from decimal import Decimal
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
        return _no_controls(decoder.decode(text))
    except json.JSONDecodeError as exc:
        raise StatementError(path, exc.lineno, f"not valid JSON ({exc.msg}; is the file cut off?)") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise StatementError(path, 1, f"not valid JSON ({str(exc)[:200] or type(exc).__name__})") from None


def _no_controls(value):
    """Strings without control characters (`\\u0000` in an id), keys too; lines kept."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_no_controls(v) for v in value]
    if isinstance(value, dict):
        out = JsonObject((strip_controls(k), _no_controls(v)) for k, v in value.items())
        out.line = json_line(value)
        return out
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
    out = JsonObject((re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", k).lower(), snake_keys(v)) for k, v in obj.items())
    out.line = json_line(obj)
    return out


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
