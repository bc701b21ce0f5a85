"""Writing several files of the books as one step: all of them change, or none.

A write happens under an exclusive lock (two imports never interleave) in four
moves: new contents go to temporary files beside their targets; the current files
are hard-linked to backups; a journal naming all three is written; then each
temporary file is renamed over its target. Removing the journal is the commit. If
anything fails before that, in this process or in a crash noticed by the next
command to take the lock, the backups are put back and created files removed: the
books are byte for byte what they were. Before it makes anything, a write names in
MAKING, in the books' folder, every temporary file, backup and folder it will make
(config.yaml's beside it too, a file outside the books' folder written with them): the
sweep after a crash takes those and nothing else. It never takes a file or an empty
folder no write named (blind33: it took every empty folder below `books:`, which named
the merchant's folder, and /etc as root).

A write is made from books read before it (a plan of the resolve actions, match
proposals): what it decided (what is done already, which accounts to open) holds for
the books as they were read. `Snapshot` is what the books' files were at that read;
under the lock the writer (books/edits.apply) compares it with the files as they are
then, and where another write came between, makes the write anew from them (under the
lock, `holding`: the reads of that make share the lock the writer holds).

Ctrl-C waits for the two moves it must not cut in two: the commit (with the removal
of its backups), and a roll-back. A command interrupted is then either before its
commit, rolled back, or after it; `commits` counts the writes this process committed,
so that it can say which (entry.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from beanclear.books.journal import JOURNAL, pending  # noqa: F401  (part of the writer's interface)

LOCK = ".beanclear.lock"
# What a write makes (temporary files, backups, the folders of new files), named before
# any of it is made: what the sweep takes after a crash, beside config.yaml too (blind9:
# a kill left .config.yaml.new and .config.yaml.old there for good), and nothing else.
MAKING = ".beanclear.making"
OUTSIDE = ".beanclear.outside"   # an earlier release's list of the names it made outside the books
# The main.beancount without plugins `carry` loads beside the books (its includes are
# relative to them): made and removed under the lock, a crash's leftover swept.
CARRY_SCRATCH = ".carry-main.beancount.new"
commits = 0   # writes this process committed


class BooksBusy(Exception):
    """Another beanclear command holds these books (reads or writes them) for too long."""


# How long a write waits for the command that holds the books: a check of a year's books
# reads for tens of seconds (blind6: imports given up after 2 s, six days of them lost).
WAIT = 300.0


# What a caller that cannot wait long (a web request of the Fava page) allows a write, in
# its context: waiting(); None: WAIT.
_WAIT_HERE: ContextVar[float | None] = ContextVar("beanclear_books_wait", default=None)


@contextmanager
def waiting(seconds: float):
    """Writes made inside wait at most `seconds` for the command holding the books."""
    token = _WAIT_HERE.set(seconds)
    try:
        yield
    finally:
        _WAIT_HERE.reset(token)


# The books whose lock this context holds and lends to what runs inside (holding()).
_HOLDING: ContextVar[frozenset] = ContextVar("beanclear_books_holding", default=frozenset())


def _key(root: Path) -> str:
    return os.path.realpath(root)


@contextmanager
def holding(root: Path):
    """Inside, this context's reads and writes of the books at `root` are made under the
    lock its caller holds (locked()), not waiting for it: a plan made anew under the
    writer's lock (edits.apply's `again`) loads the books there."""
    token = _HOLDING.set(_HOLDING.get() | {_key(root)})
    try:
        yield
    finally:
        _HOLDING.reset(token)


def _lent(root: Path) -> bool:
    held = _HOLDING.get()
    return bool(held) and _key(root) in held


@contextmanager
def locked(root: Path, wait: float | None = None, notice=None):
    """Hold the books' lock; roll back any write a crashed command left half done. A
    command that holds it (a reading one, or another write) is waited for up to `wait`
    seconds (WAIT), said once as the wait begins (`notice`: a function of the line; stderr
    by default), then BooksBusy naming what holds it. Inside holding() the lock is held
    already: nothing to take."""
    if _lent(root):
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as fh:
        here = _WAIT_HERE.get()
        _take(fh, root, wait if wait is not None else here if here is not None else WAIT, notice)
        try:
            roll_back(root)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _take(fh, root: Path, wait: float, notice) -> None:
    """The exclusive lock of `locked`, waited for."""
    deadline, holder = time.monotonic() + wait, None
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if holder is None:
            holder = _holder(fh)
            if wait > 0:
                (notice or _to_stderr)(f"{root}: {holder}; waiting for it (up to {wait:.0f} s)")
        if time.monotonic() >= deadline:
            raise BooksBusy(f"{root}: {holder}" + (f" and has for {wait:.0f} s" if wait > 0 else "")
                            + "; try again") from None
        time.sleep(0.05)


def _holder(fh) -> str:
    """What holds the books' lock: readers share it (`reading`), a write holds it alone."""
    try:
        fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return "another beanclear command is writing these books"
    fcntl.flock(fh, fcntl.LOCK_UN)
    return "another beanclear command is reading these books (check, report…)"


def _to_stderr(line: str) -> None:
    import sys
    print(line, file=sys.stderr, flush=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, text, line_end: str = "\n") -> None:
    """Write `text`, a str or pieces of one (Books.plan's merge, made as it is written),
    its lines ended with `line_end`."""
    with open(path, "w", encoding="utf-8", newline=line_end) as fh:
        if isinstance(text, str):
            fh.write(text)
        else:
            batch, size = [], 0
            for piece in text:   # joined a MB at a time: one write per piece is slow
                batch.append(piece)
                size += len(piece)
                if size >= 2**20:
                    fh.write("".join(batch))
                    batch, size = [], 0
            fh.write("".join(batch))
        fh.flush()
        os.fsync(fh.fileno())


def _line_end(path: Path) -> str:
    """The line end a file already ends its lines with: "\r\n" where a person saved it so
    (an editor on Windows), else "\n". Every reader takes the text with its line ends made
    "\n"; written back with the file's own, an edit changes only the lines it touches."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:   # (a file not there yet)
        return "\n"
    at = head.find(b"\n")
    return "\r\n" if at > 0 and head[at - 1:at] == b"\r" else "\n"


def roll_back(root: Path) -> None:
    """Undo a write whose journal is still there (it never committed), then clear what
    any interrupted write leaves about: temporary files, backups of a committed write,
    a journal never completed, folders made for files that were never kept."""
    journal = root / JOURNAL
    if journal.exists():
        with _held():
            _undo(journal)
    _sweep(root)


@contextmanager
def _held():
    """Ctrl-C (SIGINT) waits until the block is done, then comes as it would have. Only
    the main thread receives it."""
    handler = signal.getsignal(signal.SIGINT)
    if handler is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        if caught and callable(handler):
            handler(signal.SIGINT, caught[0])


def _undo(journal: Path) -> None:
    for step in json.loads(journal.read_text(encoding="utf-8")):
        target, temp, backup = Path(step["target"]), Path(step["temp"]), step["backup"]
        if backup and Path(backup).exists():
            if target.exists() and os.path.samefile(backup, target):
                os.unlink(backup)  # never replaced: rename() between two links of one file does nothing
            else:
                os.replace(backup, target)
        elif not backup and target.exists():
            target.unlink()
        if temp.exists():
            temp.unlink()
    journal.unlink()


def _sweep(root: Path) -> None:
    """Litter of interrupted writes, which no journal names any more: what MAKING names
    (temporary files, backups, and the folders made for new files, where empty), and the
    few fixed names a write or `carry` uses in the books' folder itself. Nothing else:
    a file or an empty folder no write named is a person's (the books may sit beside their
    own files; blind33: every empty folder below `books:` was taken, .git's among them).
    Only ever called under the lock, with no journal left."""
    _clear_made(root)
    for name in (JOURNAL + ".new", MAKING + ".new", OUTSIDE + ".new", CARRY_SCRATCH):
        (root / name).unlink(missing_ok=True)


def _clear_made(root: Path) -> None:
    """Remove what the record of a write (MAKING; an earlier release's OUTSIDE list) names
    and is still there, its folders only where empty, deepest first; then the record."""
    for record in (root / MAKING, root / OUTSIDE):
        if not record.exists():
            continue
        try:
            made = json.loads(record.read_text(encoding="utf-8"))
        except ValueError:   # (renamed into place whole: never, but a sweep never fails)
            made = {}
        if isinstance(made, list):   # OUTSIDE: file names only
            made = {"files": made}
        for name in made.get("files", []):
            Path(name).unlink(missing_ok=True)
        for name in sorted(made.get("folders", []), key=lambda n: len(Path(n).parts), reverse=True):
            folder = Path(name)
            if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()
        record.unlink()


@contextmanager
def reading(root: Path, wait: float = 30.0):
    """Hold the books still while they are read: a write under way is waited for (up to
    `wait` seconds, then BooksBusy), a write a crash left half done is rolled back first,
    and no write starts until the reading is done. Books in a folder the reader may not
    write (read-only) are read as they are: no beanclear command can have written there.
    Inside holding() the books are held still already, by this context's write."""
    if _lent(root):
        yield
        return
    try:
        fh = open(root / LOCK, "a+")
    except OSError:
        yield
        return
    with fh:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BooksBusy(f"{root}: another beanclear command has been writing these books for "
                                    f"{wait:.0f} s; try again") from None
                time.sleep(0.05)
        try:
            roll_back(root)
            fcntl.flock(fh, fcntl.LOCK_SH)   # writers wait; other readers do not
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Snapshot:
    """The books' files (every file under `root` but the hidden ones: the lock, the
    journal, Beancount's cache) and `also` (config.yaml), as they were at one moment:
    each one's inode, modification time and size. A file replaced by a write (a rename:
    a new inode), edited in place (its time) or made or removed differs."""

    root: Path
    also: tuple[Path, ...]
    files: frozenset

    @classmethod
    def of(cls, root: Path, *also: Path) -> "Snapshot":
        also = tuple(Path(a) for a in also)
        return cls(Path(root), also, _stats(Path(root), also))

    def changed(self) -> bool:
        """Whether the files are not what they were (another write came since)."""
        return _stats(self.root, self.also) != self.files


def _stats(root: Path, also: tuple[Path, ...]) -> frozenset:
    out = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                out.add(_stat(os.path.join(folder, name)))
    out.update(_stat(str(path)) for path in also)
    return frozenset(out)


def _stat(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_ino, st.st_mtime_ns, st.st_size)


def settled(root: Path) -> bool:
    """Roll back a write a crash cut short in the books at `root`, if there is one (under
    the lock, as `reading` does); whether there was. The config names the books, so a
    command reads it before their lock: a write cut short may have left it with its new
    text (`book --rule`), which the command reads again once it is rolled back."""
    if not pending(root):
        return False
    with reading(root):
        pass
    return True


def write_files(root: Path, changes: dict) -> None:
    """Replace or create every file in `changes` as one step. Call under `locked()`.
    A file's text may be given as a function that makes it (Books.plan), as a str or
    as pieces: it is made as the file is written, so no large file's text is in memory
    whole. Refused (unmerged.Unmerged), nothing written, while a file of the books holds
    a merge conflict git left: every write comes here."""
    global commits
    from beanclear.books import unmerged   # (the load reads this module; a write only needs that one)
    unmerged.refuse(root)
    steps = []
    try:
        # named before any is made (renamed whole into place: the sweep reads it). Not synced:
        # the journal's sync below makes it durable before any file is replaced, and a power
        # cut before that leaves, at worst, temporary files it names unswept (a sync here
        # cost every write a second one: the test suite's system time doubled)
        (root / (MAKING + ".new")).write_text(json.dumps(_to_make(changes)), encoding="utf-8")
        os.replace(root / (MAKING + ".new"), root / MAKING)
        for target, text in sorted(changes.items(), key=lambda item: item[0]):
            if callable(text):
                text = text()
            target.parent.mkdir(parents=True, exist_ok=True)
            step = {"target": str(target), "temp": str(target.with_name(f".{target.name}.new")), "backup": None}
            steps.append(step)
            # (a book's text is read with its line ends made \n; config.yaml's keeps its own)
            _write_durably(Path(step["temp"]), text, _line_end(target) if target.suffix == ".beancount" else "\n")
            if target.exists():
                backup = target.with_name(f".{target.name}.old")
                if backup.exists():   # (a name the books' .gitignore gives beanclear's backups)
                    backup.unlink()
                os.link(target, backup)
                step["backup"] = str(backup)
        _write_durably(root / (JOURNAL + ".new"), json.dumps(steps))
        os.replace(root / (JOURNAL + ".new"), root / JOURNAL)
        _fsync_dir(root)
        for step in steps:
            os.replace(step["temp"], step["target"])
        for parent in {Path(s["target"]).parent for s in steps}:
            _fsync_dir(parent)
        with _held():
            (root / JOURNAL).unlink()  # the commit
            commits += 1
            for step in steps:
                if step["backup"]:
                    Path(step["backup"]).unlink()
            (root / MAKING).unlink()
    except BaseException:
        if (root / JOURNAL).exists():
            roll_back(root)
        else:  # failed before the journal, or interrupted after the commit: what it made, not kept
            _sweep(root)
        raise


def _to_make(changes: dict) -> dict:
    """What a write of `changes` makes: the temporary file of each target, the backup of
    each that exists, and the folders that do not exist yet above each (made for it)."""
    files, folders = [], []
    for target in sorted(changes):
        files.append(str(target.with_name(f".{target.name}.new")))
        if target.exists():
            files.append(str(target.with_name(f".{target.name}.old")))
        folder = target.parent
        while not folder.exists() and str(folder) not in folders and folder != folder.parent:
            folders.append(str(folder))
            folder = folder.parent
    return {"files": files, "folders": folders}
