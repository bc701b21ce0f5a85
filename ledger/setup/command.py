"""`beanclear init [DIR] --from FOLDER`: identify a folder of statements, write a
commented config.yaml, the repository's templates (.gitignore, pre-commit, GitHub and
GitLab CI), and import the statements it identified into DIR/books.

The config is validated (beanclear.config.load) before anything is written: a config
init wrote that does not load is a bug, said as such (exit 2). On a terminal it shows
what it found and asks; `--yes` writes without asking; without a terminal and without
`--yes` it refuses, so that a script never writes a config nobody saw by accident.
`--force` replaces an existing config.yaml, which is kept beside it (config.yaml.bak):
what a person wrote there (fees:, rules:) is theirs to copy back, never lost."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path

import click

from beanclear import config as config_mod
from beanclear.clikit import _fail
from beanclear.importers.toolkit import StatementError
from beanclear.setup import owned, survey as survey_mod
from beanclear.setup import writer


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--from", "folder", required=True, type=click.Path(exists=True, file_okay=False),
              help="The folder of statements to identify.")
@click.option("--yes", is_flag=True, help="Write without asking (for scripts).")
@click.option("--force", is_flag=True, help="Replace an existing DIR/config.yaml.")
def init(directory, folder, yes, force):
    """Identify the statements in FOLDER and write DIR/config.yaml, the templates and the books."""
    directory, folder = Path(directory), Path(folder)
    target = directory / "config.yaml"
    if target.exists() and not force:
        raise _fail(f"{target}: already there; nothing written (pass --force to replace it)")
    with tempfile.TemporaryDirectory() as scratch:
        found = survey_mod.survey(folder, Path(scratch))
        if not found.sources:
            why = "".join(f"\n  {p}: {reason}" for p, reason in found.unknown + found.left_out) or " (no files)"
            raise _fail(f"{folder}: no statement identified; nothing written{why}")
        owned.find(found, directory / "books" / "main.beancount")   # books there before: their accounts
        text = writer.config_text(found, str(folder))
        check = Path(scratch) / "config.yaml"
        check.write_text(text, encoding="utf-8")
        try:
            config_mod.load(check)
        except config_mod.ConfigError as exc:
            raise _fail(f"bug: the config init made does not load ({exc}); nothing written")
    try:   # where it goes: its books' folder is one of books (config/books_folder.py), before anything is written
        config_mod.from_text(text, target)
    except config_mod.ConfigError as exc:
        raise _fail(f"{exc}; nothing written")
    click.echo(summary(found))
    replaced = target.exists() and target.read_text(encoding="utf-8", errors="replace") != text
    if not yes:
        if not on_terminal():
            raise _fail("not on a terminal: pass --yes to write the config without being asked; nothing written")
        kept = f" (the {target.name} there is kept beside it)" if replaced else ""
        if not click.confirm(f"Write {target}{kept} and the books?", default=True):
            click.echo("nothing written")
            return
    directory.mkdir(parents=True, exist_ok=True)
    if replaced:   # --force: the config a person edited (fees:, rules:) is kept, never lost
        backup = _backup(target)
        click.echo(f"kept the {target.name} that was there as {backup} (your fees:, rules: and other edits "
                   "are in it: copy back what you need)")
    _write(target, text)
    click.echo(f"wrote {target}")
    for name, written in writer.write_templates(directory):
        click.echo(f"wrote {directory / name}" if written else f"kept {directory / name} (already there)")
    _import(target, found)


def on_terminal() -> bool:
    """Whether someone is there to answer the question."""
    return sys.stdin.isatty()


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, renamed over it."""
    tmp = path.with_name(f".{path.name}.init-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _backup(target: Path) -> Path:
    """`target` copied to the first free `config.yaml.bak`, `.bak2`, …: a backup of an
    earlier --force is never overwritten."""
    n = 1
    while (backup := target.with_name(f"{target.name}.bak{n if n > 1 else ''}")).exists():
        n += 1
    backup.write_bytes(target.read_bytes())
    return backup


def _import(target: Path, found) -> None:
    """The books: the files identified (never the ones listed as not identified)."""
    from beanclear.books import importing
    from beanclear.books.renamed import renamed
    config = config_mod.load(target)
    fresh = not Path(config.books).exists()   # the books this import starts, nobody else's yet
    said = renamed(config)   # books written with other account names: every command refuses them, and so does this
    if said:
        raise _fail(f"{target} is written, but nothing was imported: {'; '.join(said)}")
    # once each: a file of several accounts is each source's (blind30: read once per source,
    # its summary lines were printed again, 'already in the books')
    files = list(dict.fromkeys(path for source in found.sources for path, _ in source.files)) + found.rates
    try:
        results = importing.run(config, files)
    except StatementError as exc:
        raise _fail(f"{target} is written, but the import failed: {exc}; nothing imported "
                    "(fix the config or the file, then run `beanclear import`)")
    for result in results:
        click.echo(result.summary())
    unwritten = writer.to_write(found)
    write = f"write what it could not decide ({', '.join(unwritten)}), " if unwritten else ""
    click.echo(f"books in {config.books}; next: {write}check what {target.name} marks \"default\", then "
               f"`beanclear check -c {target}`")
    # the books keep the account names and the timezone they were written with
    # (books/renamed.py): a default `account:` renamed now, or another `timezone`, is
    # refused by every command until they follow
    if fresh:
        rebuild = (f"rm -rf {shlex.quote(str(config.books))} && beanclear import -c {shlex.quote(str(target))} "
                   f"{shlex.quote(str(found.folder))}")
        click.echo(f"an account renamed or the timezone changed in {target.name} from now on needs the books "
                   f"rebuilt: `{rebuild}`")
    else:
        # (the money their own files hold: renamed to one of theirs, the opening written for
        # the default account would count it twice, balances failing by it, blind6)
        click.echo(f"an account renamed in {target.name} from now on needs it renamed in books/ too "
                   "(README: \"The books keep the account names\"); renamed to an account your own files keep, "
                   "also take its `open` line and its \"Opening balance\" out of books/accounts.beancount: your "
                   "files hold that money already")


def summary(found) -> str:
    lines = [f"found in {found.folder}:"]
    for s in found.sources:
        period = f", {s.first} to {s.last}" if s.first else ""
        lines.append(f"  {s.group} {s.name} (type {', '.join([s.type, *s.also])}): {len(s.files)} file(s), "
                     f"{s.currency or 'currency not stated'}{period}")
    for path, why in found.unknown:
        lines.append(f"  not identified: {path}: {why}")
    for path, what in found.left_out:
        lines.append(f"  left out: {path}: {what}")
    lines += [owned.said(s) for s in found.sources if s.theirs]
    return "\n".join(lines)
