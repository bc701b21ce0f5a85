"""The tables as Parquet files: DIR/<table>.parquet, one per table.

Each file is written under a temporary name in DIR and renamed over the old one, so
a reader opens the previous file or the new one, never half of one. Money is
decimal128(38, 12): exact to the cent, and beyond (a rate's twelfth place). A value
with more places (a price Beancount computed from an `@@` total) is rounded there.
"""

from __future__ import annotations

import os
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from beanclear.exports.tables import SCHEMA, Tables

PRECISION, SCALE = 38, 12
QUANTUM, CONTEXT = Decimal(1).scaleb(-SCALE), Context(prec=PRECISION)
TYPES = {"text": pa.string(), "date": pa.date32(), "integer": pa.int64(),
         "decimal": pa.decimal128(PRECISION, SCALE), "boolean": pa.bool_()}


def schema(name: str) -> pa.Schema:
    return pa.schema([(col, TYPES[kind]) for col, kind in SCHEMA[name]])


def theirs(directory: Path) -> list[Path]:
    """The files of the tables' names in `directory` that are not Parquet files (no
    `PAR1` at their start): not an export's, never replaced."""
    out = []
    for name in SCHEMA:
        path = directory / f"{name}.parquet"
        try:
            with open(path, "rb") as fh:
                if fh.read(4) != b"PAR1":
                    out.append(path)
        except FileNotFoundError:
            pass
        except OSError:   # a folder of that name, unreadable: not an export's either
            out.append(path)
    return out


def write(directory: Path, tables: Tables) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in SCHEMA.items():
        rows = tables[name]
        arrays = {col: [_value(row[col], kind) for row in rows] for col, kind in columns}
        table = pa.table(arrays, schema=schema(name))
        path = directory / f"{name}.parquet"
        temporary = directory / f".{name}.parquet.tmp"
        try:
            pq.write_table(table, temporary)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        written.append(path)
    return written


def _value(value, kind: str):
    if kind == "decimal" and value is not None:
        return value.quantize(QUANTUM, ROUND_HALF_EVEN, CONTEXT)
    return value
