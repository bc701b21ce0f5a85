"""What every `beanclear` command shares: the -c/--config option, loading the config
with its errors as exit 2, and failing with a message. ledger/cli.py and the commands
defined beside their logic (setup/, periods/, reports/, exports/) import it from here,
so none of them needs the others."""

from __future__ import annotations

import click

from beanclear import config as config_mod

BAD_INPUT = 2

config_option = click.option("-c", "--config", "config_path", default="config.yaml", show_default=True,
                             type=click.Path(dir_okay=False), help="The merchant's config.yaml.")


def _load(path: str):
    try:
        return config_mod.load(path)
    except config_mod.ConfigError as exc:
        raise _fail(str(exc))


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"beanclear: {message}", err=True)
    return click.exceptions.Exit(BAD_INPUT)
