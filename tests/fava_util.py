"""Helpers of the Fava page tests: the demo's books, and what a write changed in them."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from conftest import snapshot

PAGE = "extension/Reconciliation/"


def copy_of(demo: Path, target: Path) -> Path:
    shutil.copytree(demo, target)
    return target


def changes(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, tuple[list[str], list[str]]]:
    """Per changed file: (lines removed, lines added)."""
    out = {}
    for name in sorted(set(before) | set(after)):
        old = before.get(name, b"").decode("utf-8").splitlines()
        new = after.get(name, b"").decode("utf-8").splitlines()
        if old != new:
            diff = list(difflib.unified_diff(old, new, lineterm="", n=0))
            out[name] = ([l[1:] for l in diff if l.startswith("-") and not l.startswith("---")],
                         [l[1:] for l in diff if l.startswith("+") and not l.startswith("+++")])
    return out


def books_snapshot(merchant: Path) -> dict[str, bytes]:
    return snapshot(merchant / "books")
