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
    resolve it first`), or None."""
    root = Path(root)
    for path in sorted(root.rglob("*.beancount")):
        if path.name.startswith("."):   # (the writer's own temporary files)
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(marker in data for marker in MARKERS):   # (the usual case, at the speed of a byte search)
            continue
        found = MARKER_LINE.search(data)
        if found is not None:
            return Unmerged(Path(root.name) / os.path.relpath(path, root), data.count(b"\n", 0, found.start()) + 1,
                            f"unresolved merge conflict (git's {found.group(1).decode()} marker): resolve it first")
    return None


def refuse(root: Path) -> None:
    """Unmerged where the books hold a conflict marker (unmerged)."""
    found = unmerged(root)
    if found is not None:
        raise found
