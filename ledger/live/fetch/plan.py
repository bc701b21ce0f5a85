"""Which days to fetch: from --since (else the first day archived, or the day after the
last one the books cover, else the channel's `fetch.since`, else yesterday) to --until
(else yesterday in the config's time zone: T+1; never a day not over yet), leaving out
every day whose statements are all archived: a day that failed between two that did is
fetched by the next run, not only by a command naming it. The statements archived for
those days that the books lack are imported with what is fetched (`unbooked`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from beanclear.books import COVERAGE_BLOCK, Books
from beanclear.statements.coverage import file_digest

DAY = dt.timedelta(days=1)
DATED = re.compile(r"-(\d{4}-\d{2}-\d{2})\.[a-z]+$")


def last_day(config, until: dt.date | None, today: dt.date | None) -> dt.date:
    """--until, but never after yesterday (in the config's zone): a day not over yet has
    rows still to come, and a day archived is never asked for again."""
    yesterday = (today or dt.datetime.now(config.timezone).date()) - DAY
    return yesterday if until is None else min(until, yesterday)


NONE = ".none"   # statements/<source>/.none/<name>: the channel said it has no such statement


def archived(folder: Path, name: str) -> bool:
    """Fetched already: archived, or the channel said it has none (a hidden folder: not imported)."""
    return (folder / name).exists() or (folder / NONE / name).exists()


def _first_missing_from(config, channel, folder: Path) -> tuple[dt.date, str] | None:
    """Where a run without --since starts: the first day archived (the days after it not
    archived are fetched, a hole included), else the day after the books' last; with
    which of them it is (FROM_ARCHIVE, FROM_BOOKS)."""
    days = [dt.date.fromisoformat(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else ())
            if (m := DATED.search(p.name)) and not p.name.startswith("event-")]
    if days:
        return min(days), FROM_ARCHIVE
    if (config.books / "main.beancount").exists():
        covered = _covered_until(Books(config.books), channel.name)
        if covered:
            return max(covered) + DAY, FROM_BOOKS
    return None


def _covered_until(books: Books, source: str) -> list[dt.date]:
    """The last days the source's statements cover, leaving out what webhooks imported
    (`event-…` files: one payout or refund does not cover its day)."""
    out = []
    for path in books.source_files(source):
        for block in COVERAGE_BLOCK.finditer(path.read_text(encoding="utf-8")):
            if 'statement: "event-' not in block.group(0):
                out.append(dt.date.fromisoformat(block["last"]))
    return out


# where a run starts (starts_at), said where it is after the run's last day
FROM_SINCE, FROM_ARCHIVE, FROM_BOOKS, FROM_CONFIG, FROM_END = "--since", "archive", "books", "fetch.since", "end"


def starts_at(config, channel, folder: Path, since: dt.date | None, end: dt.date) -> tuple[dt.date, str]:
    """Where a run starts: --since, else the first day archived, else the day after the
    books' last, else the channel's `fetch.since`, else `end` (yesterday); and which."""
    if since:
        return since, FROM_SINCE
    return _first_missing_from(config, channel, folder) or \
        ((channel.since, FROM_CONFIG) if channel.since else (end, FROM_END))


def first_day(config, channel, folder: Path, since: dt.date | None, end: dt.date) -> dt.date:
    """Where a run starts (starts_at)."""
    return starts_at(config, channel, folder, since, end)[0]


def after_end(first: dt.date, start: str, end: dt.date, until: dt.date | None) -> str:
    """Why a run that starts after its last day fetches nothing (blind24: `--until` before
    `fetch.since` said every day up to it was archived or in the books, of empty books)."""
    last = f"--until {end}" if until is not None and until == end else f"yesterday, {end},"
    if start == FROM_SINCE:
        return f"--since {first} is after {last} the last day over"
    where = {FROM_ARCHIVE: f"{first}, the first day archived",
             FROM_BOOKS: f"{first}, the day after the last the books' statements cover",
             FROM_CONFIG: f"the channel's fetch.since, {first}"}[start]
    return f"{last} is before {where}, where a run without --since starts (pass --since to fetch days before it)"


def days(channel, fetcher, folder: Path, first: dt.date, end: dt.date) -> list[dt.date]:
    """The days from `first` to `end` whose statements are not all archived."""
    return [day for day in _span(first, end) if not all(archived(folder, name) for name in fetcher.names(day))]


def unbooked(config, channel, fetcher, folder: Path, first: dt.date, end: dt.date) -> tuple[list[Path], list]:
    """The statements archived for the days `first` to `end` that the books do not record
    (a `--no-import` run, an import cut short): a run imports them with what it fetches,
    with --since or without (blind4: a plain fetch said "nothing to fetch" over eight
    days archived and not imported). Known by name: the archive never gives a name other
    bytes (archive.store), and the books record the name each statement was imported
    under. Those whose bytes the books record under another name (the same answer
    archived for two days) are apart, each with its record (Books.digests' Recorded): the
    import would not read them again, and the run says so of them rather than "imported
    now" (blind24). Returns (to import, [(path, Recorded)])."""
    names = [name for day in _span(first, end) for name in fetcher.names(day) if (folder / name).is_file()]
    if not names:
        return [], []
    records = list(Books(config.books).records(channel.name)) if (config.books / "main.beancount").exists() else []
    booked = {recorded.statement for _, recorded in records}   # (two names of one bytes: both booked)
    digests: dict = {}
    for digest, recorded in records:
        if digest:
            digests.setdefault(digest, recorded)
    fresh, copies = [], []
    for path in (folder / name for name in names if name not in booked):
        was = digests.get(file_digest(path)) if digests else None
        if was is None:
            fresh.append(path)
        else:
            copies.append((path, was))
    return fresh, copies


def _span(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += DAY
