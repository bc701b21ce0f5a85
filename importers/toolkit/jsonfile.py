"""JSON API responses with exact decimals and the line of each object."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from beanclear.importers.toolkit.text import StatementError, json_shown, read_text
from beanclear.importers.toolkit.values import _AMOUNT_RE

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
