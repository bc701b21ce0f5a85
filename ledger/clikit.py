"""What every `beanclear` command shares: the -c/--config option, loading the config
with its errors as exit 2, and failing with a message. ledger/cli.py and the commands
defined beside their logic (setup/, periods/, reports/, exports/) import it from here,
so none of them needs the others."""

from __future__ import annotations

import contextlib
import sys

import click

from beanclear import config as config_mod

BAD_INPUT = 2

config_option = click.option("-c", "--config", "config_path", default="config.yaml", show_default=True,
                             type=click.Path(dir_okay=False), help="The merchant's config.yaml.")
# the resolve commands' (ack, book, link, unlink, write-off, follow-up): resolve.act
since_option = click.option(
    "--since", metavar="YYYY-MM", help="On the books from that month on (books/since-YYYY-MM.beancount, carried "
    "forward first unless up to date): far faster on long books; what is dated before the lookback it carries "
    "entry by entry is not found there.")


def one_text(ctx, param, value):
    """A text option that goes into the books (a payee, a reason, a note): at most
    MAX_TEXT characters, as a statement's texts and the page's fields (a blind tester's
    2,000-character `--payee` was written whole); longer is exit 2, nothing written."""
    from beanclear.importers.toolkit import MAX_TEXT
    if value is not None and len(value) > MAX_TEXT:
        raise click.BadParameter(f"longer than {MAX_TEXT} characters ({len(value)}); nothing was written")
    return value


# the config the running command loaded: whose books a failure names (cli.Commands)
loaded: list = []


def _load(path: str):
    from beanclear.books import atomic
    try:
        config = config_mod.load(path)
        if atomic.settled(config.books):   # a write cut short, config.yaml's text among it (`book --rule`)
            config = config_mod.load(path)
    except config_mod.ConfigError as exc:
        raise _fail(str(exc))
    loaded[:] = [config]
    from beanclear.books.renamed import renamed
    said = renamed(config)
    if said:
        raise _fail("; ".join(said))
    return config


def _fail(message: str) -> click.exceptions.Exit:
    from beanclear.books.render import undecoded_as_escapes   # a file name's undecodable bytes as \xNN
    click.echo(f"beanclear: {undecoded_as_escapes(message)}", err=True)
    return click.exceptions.Exit(BAD_INPUT)


def refused(exc: Exception) -> click.exceptions.Exit:
    """The exit-2 failure of a command that refused before writing anything."""
    from beanclear.resolve import refusal
    return _fail(refusal(exc))


def on_terminal() -> bool:
    """Whether progress may be shown: only when stderr is a terminal, never in a pipe,
    a file, CI's log or a test runner (stdout keeps only the command's answer)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def steps(label: str, total: int):
    """A long command's stages as a progress bar on stderr, when stderr is a terminal;
    nothing otherwise. Yields `step(name)`, called as each stage begins."""
    if not on_terminal():
        yield lambda name: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=False,
                           item_show_func=lambda name: name) as bar:
        begun = [False]

        def step(name: str) -> None:
            if begun[0]:
                bar.update(1, name)   # the stage before it is done
            else:
                bar.current_item = name
                bar.render_progress()
            begun[0] = True
        yield step
        bar.update(1, "done")
