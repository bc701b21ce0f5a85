"""Which days to fetch: from --since (else the day after the last one archived or in the
books, else the channel's `fetch.since`, else yesterday) to --until (else yesterday in the
config's time zone: T+1), leaving out every day whose statements are all archived."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from beanclear.books import COVERAGE_BLOCK, Books

DAY = dt.timedelta(days=1)
DATED = re.compile(r"-(\d{4}-\d{2}-\d{2})\.[a-z]+$")


def last_day(config, until: dt.date | None, today: dt.date | None) -> dt.date:
    if until is not None:
        return until
    today = today or dt.datetime.now(config.timezone).date()
    return today - DAY


NONE = ".none"   # statements/<source>/.none/<name>: the channel said it has no such statement


def archived(folder: Path, name: str) -> bool:
    """Fetched already: archived, or the channel said it has none (a hidden folder: not imported)."""
    return (folder / name).exists() or (folder / NONE / name).exists()


def _last_known(config, channel, folder: Path) -> dt.date | None:
    days = [dt.date.fromisoformat(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else ())
            if (m := DATED.search(p.name))]
    if not days and (config.books / "main.beancount").exists():
        days = _covered_until(Books(config.books), channel.name)
    return max(days) if days else None


def _covered_until(books: Books, source: str) -> list[dt.date]:
    """The last days the source's statements cover, leaving out what webhooks imported
    (`event-…` files: one payout or refund does not cover its day)."""
    out = []
    for path in books.source_files(source):
        for block in COVERAGE_BLOCK.finditer(path.read_text(encoding="utf-8")):
            if 'statement: "event-' not in block.group(0):
                out.append(dt.date.fromisoformat(block.group(1)))
    return out


def days(config, channel, fetcher, folder: Path, since, until, today) -> list[dt.date]:
    end = last_day(config, until, today)
    if since is None:
        known = _last_known(config, channel, folder)
        since = known + DAY if known else (channel.since or end)
    out, day = [], since
    while day <= end:
        if not all(archived(folder, name) for name in fetcher.names(day)):
            out.append(day)
        day += DAY
    return out
