"""The error every importer raises on bad input. Apart from text.py because the books'
readers that run inside every bean-check (periods/closed.py's ClosedMonth) need only
this, not the toolkit's text handling."""

from __future__ import annotations

from pathlib import Path


class StatementError(Exception):
    """Bad input: the message reads `file:line: what was wrong`."""

    def __init__(self, file: str | Path, line: int, message: str):
        if len(message) > 600:  # a cell quoted from a hostile file: never unbounded
            message = f"{message[:400]}…[{len(message) - 550} characters]…{message[-150:]}"
        # what is wrong with the whole file (its size, its reading) is said at line 1, as
        # README "Bad input" says: line 0 is no line a person can open the file at
        line = max(line, 1)
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.reason = str(file), line, message
