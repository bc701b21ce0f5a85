"""The books and their findings as tables for BI tools (`beanclear export`).

    tables.py    the four tables, their fixed schema, and their rows from one load
    sql.py       into any SQLAlchemy database (SQLite by default), replaced in one transaction
    parquet.py   into Parquet files, one per table, each written whole then renamed
    command.py   the `beanclear export [--to URL]` command
"""
