"""Whether a write to the books was cut short: its journal is still in the books' folder.
The writer (atomic.py) keeps the journal while it writes and rolls a cut-short write back;
a load of the books (the plugins, for bean-check and Fava) only asks whether one is
there, without loading the writer."""

from __future__ import annotations

from pathlib import Path

JOURNAL = ".beanclear.journal"


def pending(root: Path) -> bool:
    """Whether a write was interrupted and not yet rolled back (its journal is there)."""
    return (root / JOURNAL).exists()
