"""The `beanclear` command: a thin face over the library.

Exit statuses: 0 done; 1 `check` found an unacknowledged error; 2 bad input or bad
config (nothing written); 130 interrupted (Ctrl-C: entry.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from beanclear import config as config_mod
from beanclear.books.atomic import BooksBusy
from beanclear import clikit
from beanclear.clikit import BAD_INPUT, _fail, _load, config_option, one_text, refused, since_option, steps  # noqa: F401  (the commands' shared parts)
from beanclear.importers.toolkit import StatementError

def _row_progress(path: Path):
    """A progress bar per statement on a terminal; nothing when output goes to a file."""
    if not clikit.on_terminal():
        return None
    bar = click.progressbar(length=1, label=f"reading {path.name}", file=sys.stderr)
    shown = [0]

    def update(done: int, total: int) -> None:
        bar.length = max(total, 1)
        bar.update(done - shown[0])
        shown[0] = done
        if done >= total:
            bar.render_finish()
    return update


class Commands(click.Group):
    """Every command: a failure of the machine (a read-only folder, a full disk, too
    little memory) is exit 2 with what failed, never a traceback. The books are as they
    were: every write is atomic (books/atomic.py)."""

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *ELSEWHERE])

    def get_command(self, ctx, name):
        if name in ELSEWHERE:
            import importlib
            module, attribute = ELSEWHERE[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        from beanclear.books import atomic
        commits = atomic.commits
        clikit.loaded.clear()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:   # called as cli.main, not through entry.run (an older console script)
            from beanclear.entry import interrupted
            interrupted(commits)
        except BooksBusy as exc:
            raise _fail(str(exc))
        except MemoryError:
            raise _fail("out of memory; the books are as they were (split the statement, or see README, Limits)")
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise _fail(f"{where}{exc.strerror or exc}; the books are as they were")
        except UnicodeDecodeError:
            # a file of the books saved in another encoding, read as text by the writer
            # (an import, an action, close): which one, and where (books.not_utf8)
            from beanclear.books import not_utf8
            said = next((not_utf8(c.books, c.root) for c in clikit.loaded), None)
            if said is None:
                raise
            raise _fail(f"{said}; the books are as they were")


@click.group(cls=Commands)
@click.version_option(package_name="beanclear")
def main():
    """Reconcile a merchant's payment channels in plain-text Beancount books."""


@main.command("import")
@config_option
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--source", help="Read every file as this source of the config (skip identification).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print the entries that would be written.")
@click.option("--force", is_flag=True, help="Import a statement of another account or a far period anyway; read again a "
              "statement the books record as imported (by the digest of its bytes).")
def import_(config_path, paths, source, dry_run, force):
    """Import statement files (or folders of them) into the books."""
    from beanclear.books import importing, render
    from beanclear.books.identify import without_statements
    config = _load(config_path)
    try:
        results = importing.run(config, paths, source=source, dry_run=dry_run, force=force, progress=_row_progress)
    except StatementError as exc:
        raise _fail(f"{exc}; nothing was written")
    except BooksBusy as exc:
        raise _fail(str(exc))
    for result in results:
        if dry_run:
            for entry in result.new:
                click.echo(render.entry_text(entry))
        click.echo(render.undecoded_as_escapes(result.summary()))   # (a name's bytes as the books say them)
    for folder in without_statements(paths, [result.path for result in results]):
        click.echo(render.undecoded_as_escapes(f"{folder}: a folder without a statement in it (hidden files aside): "
                                               "nothing to import"))


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--since", metavar="YYYY-MM", help="Only the books from that month on (books/since-YYYY-MM.beancount, "
              "carried forward first unless up to date): far faster on long books; findings dated before it are "
              "not listed.")
def check(config_path, fmt, since):
    """Check the books: Beancount's errors and every reconciliation finding."""
    from beanclear.checks import checking
    from beanclear.periods.closing import PeriodError
    config = _load(config_path)
    if not (config.books / "main.beancount").exists():
        raise _fail(f"{config.books / 'main.beancount'}: no books yet (run `beanclear import` first)")
    try:
        with steps("beanclear check", 3 if since else 2) as step:
            report = checking.check(config, step, since)
    except PeriodError as exc:
        raise refused(exc)
    click.echo(report.to_json() if fmt == "json" else report.to_text())
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@config_option
@click.option("--seed", default=7, show_default=True, help="Seed of the generated statements.")
def demo(directory, config_path, seed):
    """Write the example merchant's statements and books, import and check them.

    Without DIRECTORY, next to the config (the repository's config.yaml); with it, into
    DIRECTORY as DIRECTORY/config.yaml, DIRECTORY/statements/ and DIRECTORY/books/.
    """
    from beanclear import demo as demo_mod
    if directory is None and not Path(config_path).exists():   # outside the repository, where it has no config
        raise _fail(f"{config_path}: no such config file; `beanclear demo DIR` writes the example merchant, "
                    "its config too, into DIR")
    try:
        with steps("beanclear demo", 3) as step:
            summary = demo_mod.run(Path(directory) if directory else None, Path(config_path), seed=seed, step=step)
    except (config_mod.ConfigError, StatementError) as exc:
        raise _fail(str(exc))
    click.echo(summary)


@main.command()
@config_option
@click.option("--apply", "apply_", is_flag=True, help="Write the confident proposals into the books.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--since", metavar="YYYY-MM", help="Only the bank lines from that month on, from the books from "
              "that month on (books/since-YYYY-MM.beancount, carried forward first unless up to date): far faster "
              "on long books; the whole books' proposals for those lines, but an open item older than the "
              "carried lookback is not offered (see README, Matching).")
def match(config_path, apply_, fmt, since):
    """Link bank lines nothing explains to the payouts, orders and bills they settle."""
    import json
    from beanclear.books import edits
    from beanclear import matching
    from beanclear.checks import checking
    from beanclear.matching.since import Matched
    from beanclear.periods import past
    from beanclear.periods.closing import PeriodError
    config = _load(config_path)
    main_file = config.books / "main.beancount"
    if not main_file.exists():
        raise _fail(f"{main_file}: no books yet (run `beanclear import` first)")
    from beanclear import books
    changed = []

    def matched(step=lambda stage: None):
        entries, _, options = checking.load_books(config, since, step)
        step("matching")
        return Matched(entries, config, options, past.carried(entries) if since else None), options.get(books.READ)

    with steps("beanclear match", (3 if apply_ else 2) + bool(since)) as step:
        try:
            found, read = matched(step)
        except PeriodError as exc:
            raise refused(exc)
        if apply_:
            step("writing")
            applied, shut = found.in_open_months([p for p in found.shown if p.confident])

            def again():   # another write came since the books were read: matched anew, under the lock
                nonlocal found, applied, shut
                found, _ = matched()
                applied, shut = found.in_open_months([p for p in found.shown if p.confident])
                return found.edits(applied), {}, {}
            try:
                changed = edits.apply(config.books, found.edits(applied), read=read, again=again)
            except (edits.EditError, BooksBusy, LookupError, PeriodError) as exc:
                raise _fail(str(exc))
    shown = found.shown
    unproposed = found.unproposed()
    if fmt == "json":
        click.echo(json.dumps({"proposals": [p.to_json() for p in shown],
                               "unproposed": [u.to_json() for u in unproposed],
                               "written": [str(p) for p in changed]}, ensure_ascii=False, indent=1))
    else:
        # those of open months first; a closed month's are listed after them, counted apart
        # (`--apply` leaves them: README "Matching"), as the Fava page lists them
        open_, shut_ = found.in_open_months(shown)
        click.echo(matching.text_report(open_))
        if shut_:
            click.echo(f"of closed months (left as they are until `beanclear reopen`):\n"
                       + matching.text_report(shut_))
        for u in unproposed:
            click.echo(u.text())
        if unproposed:
            click.echo(f"{len(unproposed)} bank lines without a proposal (why: above; "
                       "`beanclear book` or `beanclear link` them)")
        if apply_:
            click.echo(f"applied {len(applied)} confident proposals; {len(changed)} files changed"
                       + found.left_closed(shut))


@main.command()
@config_option
@click.argument("code")
@click.argument("ref")
@click.option("--reason", callback=one_text, required=True,
              help="Why the finding is fine; kept in the books beside it.")
@since_option
def ack(config_path, code, ref, reason, since):
    """Acknowledge the findings of CODE that name REF (a statement id from their refs).

    Appends `custom "beanclear-ack"` to books/acks.beancount: the finding is still
    listed, marked acknowledged, and no longer fails `beanclear check`.
    """
    from beanclear.books.edits import EditError
    from beanclear.checks import acks
    from beanclear.periods.closing import PeriodError
    from beanclear.resolve import ResolveError, acknowledging, act
    config = _load(config_path)
    try:
        acks.ack_line(code, ref, reason)   # a bad code or reason is said before the books are read
        if not (config.books / "main.beancount").exists():
            raise _fail(f"{config.books / 'main.beancount'}: no books yet (run `beanclear import` first)")
        plan, _ = act(config, lambda c, books: acknowledging.acknowledge(books.findings(), code, ref, reason,
                                                                         books.entries, c.root, c.books), since)
    except (acks.DecisionError, ResolveError, EditError, BooksBusy, PeriodError) as exc:
        raise refused(exc)
    click.echo(plan.message)


@main.group()
def prices():
    """Reference FX rates (books/prices.beancount) for the fx-gap check."""


@prices.command("import")
@config_option
@click.argument("file", type=click.Path())
@click.option("--base", help="The base currency of a series whose header names only the quoted currencies "
                             "(the ECB's: --base EUR).")
def prices_import(config_path, file, base):
    """Load reference rates from a CSV (date, pair, rate; or a central bank's series)."""
    from beanclear.books import prices as prices_mod
    config = _load(config_path)
    try:
        result = prices_mod.import_prices(config, file, base)
    except StatementError as exc:
        raise _fail(f"{exc}; nothing was written")
    except BooksBusy as exc:
        raise _fail(str(exc))
    click.echo(result.summary())


# The commands of the library's other folders, each defined beside its logic, imported
# only when named: each command's process pays for its own modules, not for every
# command's (`beanclear check` does not import the importers, the exports or `init`'s probes).
ELSEWHERE = {
    "init": ("beanclear.setup.command", "init"),
    "close": ("beanclear.periods.command", "close"),
    "reopen": ("beanclear.periods.command", "reopen"),
    "carry": ("beanclear.periods.command", "carry"),
    "report": ("beanclear.reports.command", "report"),
    "export": ("beanclear.exports.command", "export"),
    "fetch": ("beanclear.live.command", "fetch_command"),
    "serve": ("beanclear.live.command", "serve_command"),
    **{name: ("beanclear.resolve.command", name.replace("-", "_"))
       for name in ("book", "open-items", "link", "unlink", "write-off", "follow-up")},
}


if __name__ == "__main__":
    main()
