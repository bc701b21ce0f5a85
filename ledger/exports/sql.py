"""The tables into any SQLAlchemy database, replacing what a previous export put there.

    create the tables that are missing (a table of another layout is dropped first)
    BEGIN; DELETE every table; INSERT every row; COMMIT

So a re-export never duplicates, and a reader sees the old export or the new one,
never half. Money keeps every cent: DECIMAL(38, 12) in a database that has it
(PostgreSQL, MySQL, …); in SQLite, whose NUMERIC would turn "12.30" into the float
12.3, the Decimal's exact text ("12.30"): `CAST(number AS REAL)` for a chart, the text
for the books.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from beanclear.exports.tables import SCHEMA, Tables

PRECISION, SCALE = 38, 12


class Exact(TypeDecorator):
    """A Decimal column: DECIMAL(38, 12), or the Decimal's text in SQLite."""

    impl = sa.Numeric(PRECISION, SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name != "sqlite":
            return value
        return format(value, "f")  # never "1E+2": what the books wrote

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))


KEYS = {("transactions", "id")}  # postings.transaction joins on it
TYPES = {"text": sa.Text, "date": sa.Date, "integer": sa.BigInteger, "decimal": Exact, "boolean": sa.Boolean}


def metadata() -> sa.MetaData:
    meta = sa.MetaData()
    for name, columns in SCHEMA.items():
        sa.Table(name, meta, *(sa.Column(col, TYPES[kind](), primary_key=(name, col) in KEYS)
                               for col, kind in columns))
    return meta


def write(engine: sa.Engine, tables: Tables) -> None:
    meta = metadata()
    _prepare(engine, meta)
    with engine.begin() as conn:  # one transaction: the old contents or the new, never half
        for table in reversed(meta.sorted_tables):
            conn.execute(table.delete())
        for table in meta.sorted_tables:
            rows = tables[table.name]
            if rows:
                conn.execute(table.insert(), rows)


def _prepare(engine: sa.Engine, meta: sa.MetaData) -> None:
    """Create the tables; one whose columns are not the schema's (an older export's) is
    dropped and made again: the export owns these four tables, nothing else."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            if inspector.has_table(table.name):
                columns = [c["name"] for c in inspector.get_columns(table.name)]
                if columns != [c.name for c in table.columns]:
                    table.drop(conn)
        meta.create_all(conn)
