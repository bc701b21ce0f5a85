"""What every statement format needs: reading bytes, finding the header, cleaning
cells, parsing amounts and dates, and errors that name the file and the line.

A trap fixed here is fixed for every importer: Excel-protection tabs and backticks,
`="…"` wrappers, placeholder cells, GBK files, gzip bodies, currency signs, control
characters, and files too large to be statements (text.py: MAX_BYTES, MAX_ROWS).

The names below are imported from their modules when first asked for: the checks
(inside bean-check and Fava) read only `values`, and reading the whole toolkit cost
them a tenth of a second before any check ran.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {name: module for module, names in {
    "errors": (
        "StatementError",
    ),
    "jsonfile": (
        "JsonObject", "json_amount", "json_line", "read_json", "snake_keys",
    ),
    "periods": (
        "QUIET_YEAR", "Stated", "inside_day", "named_day", "not_coverage", "read_period", "stated_period",
        "unread_period", "zoned_period",
    ),
    "tables": (
        "DAY_CELL", "DELIMITERS", "Statement", "Table", "filled_at", "find_header", "first_row_keys", "has_header",
        "header_delimiter", "header_in", "read_statement", "shape_first", "sniff", "statement_rows", "whole_last_cell",
        "worded",
    ),
    "text": (
        "CONTROL", "DASHES", "ENCODINGS", "MAX_BYTES", "MAX_ID", "MAX_ROWS", "MAX_TEXT", "PLACEHOLDERS",
        "WESTERN_ENCODINGS", "Row", "_looks_like_mojibake", "bom_encoding", "clean", "csv_rows",
        "decode", "excel_shortened", "header_key", "json_shown", "name_key", "paused_gc", "read_bytes",
        "read_text", "shortened_id", "strip_controls", "whole_id",
    ),
    "places": (
        "MAX_AMOUNT_DIGITS", "THREE_DECIMAL", "ZERO_DECIMAL", "charged", "currency_places", "in_places",
        "past_places",
    ),
    "values": (
        "AmountReader", "ZoneDayEnd", "_AMOUNT_RE", "_COMMA_DECIMAL", "_ISO_FORMATS", "_NUMERIC_DATE",
        "_OFFSET_RE", "_POINT_DECIMAL", "CURRENCY_NAMES", "CURRENCY_SIGNS", "DateOrder", "_trimmed",
        "applied_rate", "books_day", "books_time", "bounded", "currency_code", "direction_sign",
        "from_minor_units", "from_unix", "header_language", "in_currency_places", "iso_time", "local_time",
        "money", "note_offset", "noting_offsets", "numeric_date_format", "parse_amount", "parse_datetime",
        "parse_instant", "parse_magnitude", "stated_offsets", "uses_decimal_comma", "writes_minus", "CHINA",
        "named_zone", "same_zone", "zone_name", "zone_time",
    ),
    "xlsx": (
        "_POWER_QUERY_HEADER", "XLSX_MAGIC", "_open_workbook", "cell_text", "xlsx_head",
        "xlsx_rows", "zip_members",
    ),
    "xmlfile": (
        "XmlNode", "_XmlBuilder", "read_xml", "XmlParts",
    ),
}.items() for name in names}


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value   # asked once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
