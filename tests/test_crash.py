"""An import killed at every step of its write: afterwards every reader sees the old
books or the new ones, never a mix. bean-check and Fava (the plugins) refuse books a
crash left half-written; any beanclear command rolls them back and sweeps the litter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    return subprocess.run([sys.executable, "-c", CRASHING, "import", "-c", str(merchant / "config.yaml"),
                           str(merchant / "statements")], capture_output=True, text=True,
                          env={**os.environ, "CRASH_AT": str(at)})


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
