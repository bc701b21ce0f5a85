"""Golden files: a statement's extraction as Beancount text, compared byte for byte.

Set BEANCLEAR_REGEN=1 to rewrite the golden files after a deliberate change, then
review the diff like any import.
"""

from __future__ import annotations

import os
from pathlib import Path

from beanclear.books import render


def extraction_text(extraction) -> str:
    head = [f"; rows read: {extraction.rows}"]
    head += [f"; skipped: {n} {why}" for why, n in sorted(extraction.skipped.items())]
    head += [f"; more entries than rows: {n} {why}" for why, n in sorted(extraction.extra.items())]
    head += [f"; note: {note}" for note in extraction.notes]
    return "\n".join(head) + "\n\n" + "\n".join(render.entry_text(e) for e in extraction.entries)


def assert_golden(text: str, golden: Path) -> None:
    if os.environ.get("BEANCLEAR_REGEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} missing: run with BEANCLEAR_REGEN=1 to create it"
    assert text == golden.read_text(encoding="utf-8")


def account_totals(entries) -> dict:
    """What the entries post to each account (a defaultdict: an account never posted is 0)."""
    from collections import defaultdict
    from decimal import Decimal

    from beancount.core import data
    out: dict = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                out[p.account] += p.units.number
    return out
