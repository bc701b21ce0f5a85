"""`beanclear export [--to URL]`: the books and their findings as tables for BI tools.

    beanclear export                          export.sqlite beside config.yaml
    beanclear export --to postgresql://u@h/db any SQLAlchemy URL (its driver installed)
    beanclear export --to parquet:DIR         DIR/transactions.parquet, …

Exit 0 done; 2 for no books, a URL nothing reads, a missing driver, a database that
refuses (the message names the URL without its password), or a file or folder among the
books, config.yaml or statements/ (blind33: never written there), nothing written.
"""

from __future__ import annotations

from pathlib import Path

import click

from beanclear.clikit import _fail, _load, config_option, steps
from beanclear.config.books_folder import not_an_output
from beanclear.exports import tables as tables_mod

PARQUET = "parquet:"


@click.command("export")
@config_option
@click.option("--to", "target", metavar="URL",
              help="Where to: a SQLAlchemy URL (default sqlite:///<config dir>/export.sqlite) or parquet:DIR.")
def export(config_path, target):
    """Export transactions, postings, findings and daily channel figures as tables."""
    config = _load(config_path)
    main = config.books / "main.beancount"
    if not main.exists():
        raise _fail(f"{main}: no books yet (run `beanclear import` first)")
    target = target or f"sqlite:///{config.root.resolve() / 'export.sqlite'}"
    if target.startswith(PARQUET):
        directory = Path(target[len(PARQUET):])
        if not target[len(PARQUET):]:
            raise _fail("--to parquet:DIR needs a folder, e.g. parquet:export")
        _writable(config, target, directory)
        from beanclear.exports import parquet
        odd = parquet.theirs(directory)
        if odd:
            raise _fail(f"--to {target}: {odd[0]}: not a Parquet file; beanclear replaces only the tables it wrote "
                        "there: remove it or name another folder; nothing written")
        with steps("beanclear export", 2) as step:
            step("loading the books")
            tables = tables_mod.load(config)
            step("writing the tables")
            parquet.write(directory, tables)
        where = f"{directory}/"
    else:
        engine, where = _engine(target)
        if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            _writable(config, target, Path(engine.url.database))
        with steps("beanclear export", 2) as step:
            step("loading the books")
            tables = tables_mod.load(config)
            step("writing the tables")
            _write_sql(engine, tables, where)
    counts = ", ".join(f"{len(tables[name]):,} {name}" for name in tables_mod.SCHEMA)
    click.echo(f"exported to {where}: {counts}")


def _writable(config, target: str, path: Path) -> None:
    """Exit 2 where the export's file or folder is one no export may write
    (config/books_folder.not_an_output)."""
    why = not_an_output(config, path)
    if why:
        raise _fail(f"--to {target}: {why}; nothing written")


def _engine(target: str):
    """The engine of a URL, or exit 2 saying why not; nothing is connected yet."""
    import sqlalchemy as sa
    from sqlalchemy import exc
    try:
        url = sa.make_url(target)
    except exc.ArgumentError:
        raise _fail(f"--to {target}: not a database URL (dialect://user@host/db) nor parquet:DIR")
    shown = url.render_as_string(hide_password=True)
    try:
        return sa.create_engine(url), shown
    except exc.NoSuchModuleError:
        raise _fail(f"--to {shown}: no database of kind {url.drivername!r} "
                    "(sqlite, postgresql, mysql, … or parquet:DIR)")
    except ImportError as error:
        raise _fail(f"--to {shown}: its driver is not installed ({error.name or error}): pip install it")
    except exc.ArgumentError as error:
        raise _fail(f"--to {shown}: {error}")


def _write_sql(engine, tables, shown: str) -> None:
    from sqlalchemy import exc
    from beanclear.exports import sql
    try:
        sql.write(engine, tables)
    except exc.SQLAlchemyError as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise _fail(f"--to {shown}: {reason}; the database is as it was")
    finally:
        engine.dispose()
