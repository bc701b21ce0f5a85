"""`beanclear close YYYY-MM` and `beanclear reopen YYYY-MM --reason "…"` (closing.py);
`beanclear carry YYYY-MM` (forward.py).

Exit statuses: close 0 closed (or already closed, none of its errors remaining), 1 while
errors remain (a month closed already too: the books changed after its close) or statements
fall short of the month's end (listed), 2 bad input (a month not YYYY-MM or before the
books' first transaction, an earlier month still open, a later one closed already, no
books); reopen 0, 2 when refused (empty reason, month not closed).
"""

from __future__ import annotations

import sys

import click

from beanclear.books.edits import EditError
from beanclear.clikit import _fail, _load, config_option, one_text, refused
from beanclear.periods import closing
from beanclear.periods import forward


def _books(config) -> None:
    if not (config.books / "main.beancount").exists():
        raise _fail(f"{config.books / 'main.beancount'}: no books yet (run `beanclear import` first)")


@click.command("close")
@config_option
@click.argument("month")
def close(config_path, month):
    """Close MONTH (YYYY-MM): assert its closing balances; imports into it are refused."""
    config = _load(config_path)
    _books(config)
    try:
        outcome = closing.close(config, month)
    except (closing.PeriodError, EditError) as exc:   # (EditError: books a write refuses, unmerged.py)
        raise refused(exc)
    for line in outcome.blockers:
        click.echo(line)
    click.echo(outcome.message)
    sys.exit(1 if outcome.blockers else 0)


@click.command("reopen")
@config_option
@click.argument("month")
@click.option("--reason", callback=one_text, required=True, help="Why the month is reopened; kept in the books.")
def reopen(config_path, month, reason):
    """Reopen a closed MONTH (YYYY-MM), with the reason: imports into it work again."""
    config = _load(config_path)
    _books(config)
    try:
        outcome = closing.reopen(config, month, reason)
    except (closing.PeriodError, EditError) as exc:   # (EditError: books a write refuses, unmerged.py)
        raise refused(exc)
    click.echo(outcome.message)


@click.command("carry")
@config_option
@click.argument("month")
def carry(config_path, month):
    """Write books/since-MONTH.beancount: the books from MONTH (YYYY-MM) on, what came
    before carried forward, for Fava and bean-check when the whole history loads slowly."""
    config = _load(config_path)
    _books(config)
    try:
        path, message = forward.carry(config, month)
    except (closing.PeriodError, EditError) as exc:   # (EditError: books a write refuses, unmerged.py)
        raise refused(exc)
    click.echo(message)
    click.echo(f"Open it: fava {path}")
