"""Books a git merge left unresolved: no write goes into them.

Two accountants who each append to one file (acks.beancount, a month file) and merge
get git's conflict markers around both sides' lines:

    <<<<<<< HEAD
    2026-11-20 custom "beanclear-follow-up" "order-unpaid" "#1042" "bob" "2026-11-30" ""
    =======
    2026-11-20 custom "beanclear-ack" "payment-without-order" "9999" "test order"
    >>>>>>> a

Beancount reads the lines between them (both sides) and calls each marker an invalid
token; a command deciding from such books decides from both sides at once, and what
it appends lands below the conflict (blind24: `ack` did, exit 0). So the one writer
(atomic.write_files) refuses while any file of the books holds a marker, as it refuses
a file it cannot read as UTF-8 (disk.not_utf8): `books/acks.beancount:5: unresolved
merge conflict (git's <<<<<<< marker): resolve it first`. A marker is what git writes:
a line that starts with exactly 7 of `<`, `=` or `>`, then a space or the line's end;
the same characters inside a narration or a comment are the books' own text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from beanclear.books.edits import EditError
from beanclear.importers.toolkit import StatementError

MARKERS = (b"<<<<<<<", b"=======", b">>>>>>>")
MARKER_LINE = re.compile(rb"^(<{7}|={7}|>{7})(?=[ \t\r\n]|\Z)", re.M)


class Unmerged(StatementError, EditError):
    """A file of the books holds a merge conflict git left: nothing is written. A
    StatementError (`file:line: why`) and an EditError, as edits.NotIncluded, so that
    every command and the page refuse it as they refuse their own."""


def unmerged(root: Path) -> Unmerged | None:
    """The first marker of the first file of the books (by path) that holds one, as the
    refusal to raise (`books/…:line: unresolved merge conflict (git's <<<<<<< marker):
    resolve it first`), or None. Every write reads every file of the books: a piece at a
    time (a month file of a million payments is never held whole: an import's memory
    must not grow with the books), at the speed of a byte search, its lines read only
    where a marker's characters are found."""
    root = Path(root)
    for path in sorted(root.rglob("*.beancount")):
        if path.name.startswith("."):   # (the writer's own temporary files)
            continue
        try:
            if not _holds_marker(path):   # (the usual case)
                continue
            with open(path, "rb") as fh:
                for line, text in enumerate(fh, 1):
                    found = MARKER_LINE.match(text)
                    if found is not None:
                        return Unmerged(Path(root.name) / os.path.relpath(path, root), line,
                                        f"unresolved merge conflict (git's {found.group(1).decode()} marker): "
                                        "resolve it first")
        except OSError:
            continue
    return None


PIECE = 4 * 2**20


def _holds_marker(path: Path) -> bool:
    """Whether a marker's characters are anywhere in the file, read a piece at a time (the
    pieces overlap by a marker's length less one, so none is cut in two unseen)."""
    with open(path, "rb") as fh:
        tail = b""
        while piece := fh.read(PIECE):
            text = tail + piece
            if any(marker in text for marker in MARKERS):
                return True
            tail = text[-6:]
    return False


def refuse(root: Path) -> None:
    """Unmerged where the books hold a conflict marker (unmerged)."""
    found = unmerged(root)
    if found is not None:
        raise found
