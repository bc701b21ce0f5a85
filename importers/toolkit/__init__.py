"""What every statement format needs: reading bytes, finding the header, cleaning
cells, parsing amounts and dates, and errors that name the file and the line.

A trap fixed here is fixed for every importer: Excel-protection tabs and backticks,
`="…"` wrappers, placeholder cells, GBK files, gzip bodies, currency signs, control
characters, and files too large to be statements (text.py: MAX_BYTES, MAX_ROWS).
"""

from __future__ import annotations

from beanclear.importers.toolkit.jsonfile import (  # noqa: F401
    JsonObject,
    json_amount,
    json_line,
    read_json,
    snake_keys,
)
from beanclear.importers.toolkit.periods import named_day, stated_period  # noqa: F401
from beanclear.importers.toolkit.tables import (  # noqa: F401
    DELIMITERS,
    Statement,
    Table,
    find_header,
    first_row_keys,
    has_header,
    header_delimiter,
    header_in,
    read_statement,
    shape_first,
    sniff,
    statement_rows,
)
from beanclear.importers.toolkit.text import (  # noqa: F401
    CONTROL,
    ENCODINGS,
    MAX_BYTES,
    MAX_ID,
    MAX_ROWS,
    MAX_TEXT,
    PLACEHOLDERS,
    WESTERN_ENCODINGS,
    Row,
    StatementError,
    _looks_like_mojibake,
    clean,
    csv_rows,
    decode,
    excel_shortened,
    header_key,
    json_shown,
    paused_gc,
    read_bytes,
    read_text,
    strip_controls,
)
from beanclear.importers.toolkit.values import (  # noqa: F401
    AmountReader,
    _AMOUNT_RE,
    _COMMA_DECIMAL,
    _ISO_FORMATS,
    _NUMERIC_DATE,
    _OFFSET_RE,
    _POINT_DECIMAL,
    CURRENCY_NAMES,
    CURRENCY_SIGNS,
    THREE_DECIMAL,
    ZERO_DECIMAL,
    DateOrder,
    _trimmed,
    applied_rate,
    books_day,
    books_time,
    bounded,
    currency_code,
    currency_places,
    direction_sign,
    from_minor_units,
    from_unix,
    header_language,
    in_places,
    iso_time,
    local_time,
    money,
    numeric_date_format,
    parse_amount,
    parse_datetime,
    parse_instant,
    uses_decimal_comma,
)
from beanclear.importers.toolkit.xlsx import (  # noqa: F401
    _POWER_QUERY_HEADER,
    XLSX_MAGIC,
    _open_workbook,
    cell_text,
    xlsx_head,
    xlsx_rows,
    zip_members,
)
from beanclear.importers.toolkit.xmlfile import (  # noqa: F401
    XmlNode,
    _XmlBuilder,
    read_xml,
    XmlParts,
)
