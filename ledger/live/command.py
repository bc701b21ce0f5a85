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
@click.option("--since", callback=_day, help="First day to fetch (default: the first day archived, so that every "
                                             "later day not archived is fetched; with nothing archived, the day after "
                                             "the last the books cover, else the channel's fetch.since, else "
                                             "yesterday).")
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


@click.command("serve")
@config_option
@click.option("--merchants", type=click.Path(file_okay=False, exists=True),
              help="A folder of merchants, one <name>/config.yaml each: served together, books apart "
                   "(webhooks at /<name>/webhooks/<source>).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--no-schedule", is_flag=True, help="Take webhooks only; fetch nothing on schedule.")
def serve_command(config_path, merchants, host, port, no_schedule):
    """Run each channel's fetch at its scheduled time and receive webhooks
    (POST /webhooks/<source>, GET /health, GET /status) until stopped."""
    import logging
    from pathlib import Path

    from beanclear.live.serve import app, merchant

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        served = merchant.load_folder(Path(merchants)) if merchants else [merchant.load(Path(config_path))]
    except ConfigError as exc:
        raise _fail(str(exc))
    if not any(m.live.channels for m in served):
        raise _fail("no channel of type stripe | wechat | paypal | alipay in the config: nothing to serve")
    app.server(served, host, port, schedule=not no_schedule).run()
