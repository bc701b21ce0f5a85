"""`beanclear fetch [SOURCE...] [--since DATE] [--until DATE]` and `beanclear serve`.

fetch exits 0 when every statement asked for arrived (or the channel has none that
day) and was imported; 2 on a bad config or a fetch failure (each printed as
"beanclear: fetch: <source>: <day>: what went wrong; what to do")."""

from __future__ import annotations

import datetime as dt

import click

from beanclear.clikit import _fail, _load, config_option
from beanclear.config import ConfigError


def _day(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-03-01, got {value!r}") from None


@click.command("fetch")
@config_option
@click.argument("sources", nargs=-1)
@click.option("--since", callback=_day, help="First day to fetch (default: the day after the last one archived or "
                                             "in the books).")
@click.option("--until", callback=_day, help="Last day to fetch (default: yesterday, in the config's time zone).")
@click.option("--no-import", is_flag=True, help="Archive the statements, do not import them.")
def fetch_command(config_path, sources, since, until, no_import):
    """Download the statements the books lack through each channel's API, archive them
    under statements/<source>/, and import them."""
    from beanclear.live import fetch
    config = _load(config_path)
    if since and until and since > until:
        raise _fail(f"--since {since} is after --until {until}")
    try:
        report = fetch.run(config, list(sources), since, until, do_import=not no_import)
    except ConfigError as exc:
        raise _fail(str(exc))
    for line in report.lines:
        click.echo(line)
    for failure in report.failures:
        click.echo(f"beanclear: fetch: {failure}", err=True)
    if report.failures:
        raise click.exceptions.Exit(2)
