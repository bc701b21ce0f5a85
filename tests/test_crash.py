"""An import killed at every step of its write: afterwards every reader sees the old
books or the new ones, never a mix. bean-check and Fava (the plugins) refuse books a
crash left half-written; any beanclear command rolls them back and sweeps the litter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from beanclear.simulation import forked
from conftest import TRADE, beanclear, snapshot

# Runs `beanclear import` in a child process that dies (os._exit, as a kill would leave it)
# at its K-th step on the disk: each temporary file, backup link, rename, unlink, fsync.
CRASHING = """
import os, sys
from beanclear.books import atomic
limit, done = int(os.environ["CRASH_AT"]), [0]
def step(real):
    def wrapped(*args, **kwargs):
        done[0] += 1
        if done[0] == limit:
            os._exit(9)
        return real(*args, **kwargs)
    return wrapped
atomic._write_durably, atomic._fsync_dir = step(atomic._write_durably), step(atomic._fsync_dir)
class Os:
    def __getattr__(self, name):
        real = getattr(os, name)
        return step(real) if name in ("replace", "link", "unlink") else real
atomic.os = Os()
from beanclear.cli import main
sys.argv = ["beanclear"] + sys.argv[1:]
try:
    main()
finally:
    print("steps", done[0], file=sys.stderr)
"""


def crashing_import(merchant, at: int) -> subprocess.CompletedProcess:
    # a process of its own, forked from one that imported the library once (forked.py)
    return forked.run(["import", "-c", str(merchant / "config.yaml"), str(merchant / "statements")],
                      env={**os.environ, "CRASH_AT": str(at)}, code=CRASHING)


def bean_check(merchant) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("bean-check")), str(merchant / "books" / "main.beancount")],
                          capture_output=True, text=True)


@pytest.fixture
def states(merchant, tmp_path_factory):
    """The books before the import (one trade bill in) and after it, and its step count."""
    assert beanclear(merchant, "import", str(merchant / "statements" / TRADE)).exit_code == 0
    before = snapshot(merchant / "books")
    whole = crashing_import(merchant, 10**6)
    assert whole.returncode == 0, whole.stderr
    after = snapshot(merchant / "books")
    steps = int(whole.stderr.strip().rsplit(" ", 1)[1])
    return before, after, steps


def test_a_kill_at_any_step_leaves_old_or_new_books_for_every_reader(merchant, states):
    before, after, steps = states
    assert steps > 10 and before != after
    for at in range(1, steps + 1):
        restore(merchant / "books", before)
        crashed = crashing_import(merchant, at)
        assert crashed.returncode == 9, (at, crashed.stderr)
        if (merchant / "books" / ".beanclear.journal").exists():   # cut short: plugins refuse it
            refused = bean_check(merchant)
            assert "these books are half-written" in refused.stdout + refused.stderr
        checked = beanclear(merchant, "check")                      # a reader: rolls back, sweeps
        assert checked.exit_code in (0, 1), (at, checked.output)
        now = snapshot(merchant / "books")
        assert now in (before, after), f"a mix after a kill at step {at} of {steps}"
        assert not [name for name in now if name.endswith((".new", ".old")) or ".journal" in name], (at, list(now))


def restore(books: Path, files: dict[str, bytes]) -> None:
    for path in sorted(books.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.name != ".beanclear.lock":
            path.unlink() if path.is_file() else path.rmdir()
    for name, data in files.items():
        (books / name).parent.mkdir(parents=True, exist_ok=True)
        (books / name).write_bytes(data)


# The same child, Ctrl-C'd (SIGINT) at its K-th step on the disk instead of killed, or
# once its write is done (at K past the last step), run as the console script runs it
# (beanclear.entry.run).
INTERRUPTED = CRASHING.replace("os._exit(9)", "os.kill(os.getpid(), signal.SIGINT)").replace(
    "from beanclear.cli import main", """import signal
write = atomic.write_files
def written(*args, **kwargs):
    write(*args, **kwargs)
    if done[0] < limit:
        os.kill(os.getpid(), signal.SIGINT)
atomic.write_files = written
from beanclear.entry import run as main""")


def test_ctrl_c_at_any_step_is_exit_130_and_one_true_line(merchant, states):
    """blind6 (tester 121): Ctrl-C printed "Aborted!" and exited 1, the status `check`
    gives for errors (or a traceback, early on). Now 130 and one line that says what
    the books are: as they were (the write rolled back) or, after its commit, holding
    what the command wrote; never a mix, never a journal or a backup left about."""
    before, after, steps = states
    said = set()
    for at in range(1, steps + 2):
        restore(merchant / "books", before)
        run = forked.run(["import", "-c", str(merchant / "config.yaml"), str(merchant / "statements")],
                         env={**os.environ, "CRASH_AT": str(at)}, code=INTERRUPTED)
        lines = run.stderr.splitlines()[:-1]   # the child's own last line counts the steps
        assert (run.returncode, len(lines)) == (130, 1), (at, run.stderr)
        now = snapshot(merchant / "books")
        if lines[0] == "beanclear: interrupted; the books are as they were":
            assert now == before, at
        else:
            assert lines[0] == "beanclear: interrupted; the books hold the 1 write this command finished before " \
                               "it, whole", (at, lines)
            assert now == after, at
        said.add(lines[0])
    assert len(said) == 2   # both: before the commit and after it


def test_ctrl_c_waits_for_the_commit_and_comes_after_it():
    import signal
    from beanclear.books import atomic
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        reached = []
        with pytest.raises(KeyboardInterrupt):
            with atomic._held():
                os.kill(os.getpid(), signal.SIGINT)
                reached.append("the block's end")
        assert reached == ["the block's end"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_python_loads_the_library_is_exit_130(tmp_path):
    # the first ~0.3 s: `from beanclear.cli import main` was a KeyboardInterrupt traceback
    script = """
import os, signal, sys
class Finder:
    def find_spec(self, name, path=None, target=None):
        if name == "beanclear.cli":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Finder())
sys.argv = ["beanclear", "check"]
from beanclear.entry import run
run()
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert (run.returncode, run.stderr) == (130, "beanclear: interrupted; the books are as they were\n")


def test_ctrl_c_through_cli_main_is_exit_130_too(merchant, monkeypatch):
    # the console script an install made before beanclear.entry calls cli.main: click
    # said "Aborted!" and exited 1
    from beanclear.books import importing

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(importing, "run", interrupted)
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert (result.exit_code, result.output) == (130, "beanclear: interrupted; the books are as they were\n")


# -- a write that takes config.yaml with the books (`book --rule`) ----------------------------

RESOLVE = Path(__file__).parent / "data" / "resolve"
BOOK_WITH_A_RULE = ("book", "B2", "Expenses:Hosting", "--rule", "ALIYUN")
# CRASHING, and every Path.unlink a step too: the commit (the journal's) and the removal
# of the backups after it, where a kill left the backup of config.yaml
CRASHING_TO_THE_END = CRASHING.replace("atomic.os = Os()", """atomic.os = Os()
import pathlib
pathlib.Path.unlink = step(pathlib.Path.unlink)""")


def crashing_command(folder, at: int, *args) -> subprocess.CompletedProcess:
    return forked.run([args[0], "-c", str(folder / "config.yaml"), *args[1:]],
                      env={**os.environ, "CRASH_AT": str(at)}, code=CRASHING_TO_THE_END)


def restore_folder(folder: Path, files: dict[str, bytes]) -> None:
    """The folder as `files` say, its lock kept."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and path.name != ".beanclear.lock":
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def litter(files) -> list[str]:
    return [name for name in files if name.endswith((".new", ".old")) or ".journal" in name
            or name.endswith((".beanclear.outside", ".beanclear.making"))]


def test_a_kill_of_book_with_a_rule_at_any_step_leaves_books_and_config_old_or_new_and_no_litter(
        tmp_path, monkeypatch):
    # blind9 (repro-06): config.yaml was written in the books' write, but its temporary
    # file and backup lie beside it, outside the books' folder the next command sweeps: a
    # kill left .config.yaml.new and .config.yaml.old there for good. And a command read
    # config.yaml before rolling the write back: the rule of a write undone, its config.
    from beanclear import clikit
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shop = tmp_path / "m"
    shutil.copytree(RESOLVE, shop)
    before = snapshot(shop)
    whole = crashing_command(shop, 10**6, *BOOK_WITH_A_RULE)
    assert whole.returncode == 0, whole.stderr
    after = snapshot(shop)
    assert {name for name in after if before.get(name) != after[name]} == {
        "config.yaml", "books/accounts.beancount", "books/ops/2026/2026-03.beancount"}
    steps = int(whole.stderr.strip().rsplit(" ", 1)[1])
    seen, read_rolled_back = set(), 0
    for at in range(1, steps + 1):
        restore_folder(shop, before)
        crashed = crashing_command(shop, at, *BOOK_WITH_A_RULE)
        assert crashed.returncode == 9, (at, crashed.stderr)
        if (shop / "books" / ".beanclear.journal").exists() and \
                (shop / "config.yaml").read_bytes() == after["config.yaml"]:
            # config.yaml new, the write cut short: a command reads the config rolled back
            rules = [rule.pattern.pattern for rule in clikit._load(str(shop / "config.yaml")).rules]
            assert "ALIYUN" not in rules, at
            read_rolled_back += 1
        checked = beanclear(shop, "check")                     # the next command: rolls back, sweeps
        assert checked.exit_code in (0, 1), (at, checked.output)
        now = snapshot(shop)
        assert now in (before, after), f"a mix after a kill at step {at} of {steps}: {sorted(now)}"
        assert not litter(now), (at, litter(now))
        seen.add(now == after)
    assert seen == {False, True} and read_rolled_back


def test_the_sweep_takes_what_a_write_named_outside_the_books_and_nothing_else(tmp_path):
    from beanclear.books import atomic
    books = tmp_path / "books"
    books.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text("new\n", encoding="utf-8")
    # what a kill after the commit leaves: the backup of the old config, and the record
    (tmp_path / ".config.yaml.old").write_text("old\n", encoding="utf-8")
    (books / atomic.OUTSIDE).write_text(json.dumps([str(tmp_path / ".config.yaml.new"),
                                                    str(tmp_path / ".config.yaml.old")]), encoding="utf-8")
    (tmp_path / ".notes.old").write_text("a person's\n", encoding="utf-8")   # named by no write: kept
    with atomic.reading(books):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.old", "books", "config.yaml"]
    assert [p.name for p in books.iterdir()] == [".beanclear.lock"]
    assert config.read_text(encoding="utf-8") == "new\n"


def test_a_write_with_a_file_outside_the_books_leaves_nothing_beside_it(tmp_path):
    from beanclear.books import atomic
    books = tmp_path / "books"
    with atomic.locked(books):
        atomic.write_files(books, {books / "a.beancount": "a\n", tmp_path / "config.yaml": "rules: []\n"})
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "books", "books/.beanclear.lock", "books/a.beancount", "config.yaml"]


def test_the_sweep_takes_only_the_folders_a_write_made_never_a_persons_empty_ones(tmp_path):
    # blind33 hostile: the sweep took every empty folder below the books' folder (their
    # .git/refs/tags, documents/2026, and under `books: /etc` /etc/ssl/private): now only
    # the folders a write made for files it never kept
    from beanclear.books import atomic
    books = tmp_path / "books"
    for mine in ("documents/2026", ".git/refs/tags", "ops/2025"):
        (books / mine).mkdir(parents=True)
    (books / "main.beancount").write_text("; mine\n", encoding="utf-8")

    def failing():
        raise OSError("disk full")
    with pytest.raises(OSError), atomic.locked(books):
        atomic.write_files(books, {books / "ops" / "2026" / "2026-11.beancount": "a\n",
                                   books / "wechat" / "2026" / "2026-11.beancount": failing})
    with atomic.reading(books):   # the next command's sweep
        pass
    assert sorted(str(p.relative_to(books)) for p in books.rglob("*")) == [
        ".beanclear.lock", ".git", ".git/refs", ".git/refs/tags", "documents", "documents/2026",
        "main.beancount", "ops", "ops/2025"]


def test_a_kill_leaves_folders_a_write_made_for_the_sweep_to_take(tmp_path):
    # must not regress: a write killed after it made a month's folders (its record of them
    # written first) leaves them empty; the next command takes them, and only them
    from beanclear.books import atomic
    books = tmp_path / "books"
    (books / "documents").mkdir(parents=True)
    made = books / "ops" / "2026"
    made.mkdir(parents=True)
    (books / atomic.MAKING).write_text(json.dumps({"files": [str(made / ".2026-11.beancount.new")],
                                                    "folders": [str(books / "ops"), str(made)]}), encoding="utf-8")
    with atomic.reading(books):
        pass
    assert sorted(p.name for p in books.iterdir()) == [".beanclear.lock", "documents"]
