"""A day `beanclear fetch` downloads again: its coverage record takes the place of the
one of the download before (blind24).

A fetched day's file is named by its day (`transactions-2026-11-27.json`), and the
archive never gives a name other bytes: a fetch downloads a day again only where its
file is gone from the archive (`statements/` not kept). PayPal's answers carry the time
they were refreshed, so the download again is other bytes of the same rows: imported,
it wrote nothing (its rows held) but one more coverage record for the day, under its
new digest, at every fetch, each naming a file no longer there, and a `git diff` of
the books while the summary said "0 entries written".

So, of an import of the channels' own answers (`asked`), a statement's new record
replaces each record of its source with the same statement name and days and another
digest: the download before, of the same name, whose file is gone. Said on the
statement's summary. A file imported by hand (`beanclear import`, whose names a person
chooses) adds its record as ever; a day's download kept beside its first as a conflict
(`<kind>-<day>.<sha>.<ext>`) has a name of its own."""

from __future__ import annotations

import functools
from pathlib import Path

from beanclear.books.disk import rewrite_blocks
from beanclear.books.lines import COVERAGE_BLOCK, DIGEST_META, _unescape
from beanclear.books.late_views import entry_lines


def plan(books, live: list, changes: dict) -> None:
    """Add to `changes` the removal of the records the new ones of `live` (the import's
    FileResults) replace; a note on each result whose record replaces one."""
    new: dict[str, dict] = {}   # source -> (statement, first, last) -> (digest, result)
    for result in live:
        for record in result.covered:
            digest = record.meta.get("digest")
            if digest:
                new.setdefault(result.importer.source.name, {})[
                    (record.meta.get("statement"), record.values[1].value, record.date)] = (digest, result)
    for source, wanted in sorted(new.items()):
        gone: dict[Path, set[str]] = {}
        for digest, was in books.records(source):
            found = wanted.get((was.statement, was.first, was.last))
            if found is None or digest is None or digest == found[0]:
                continue
            gone.setdefault(books.root.parent / was.where, set()).add(digest)
            found[1].notes.append(f"its coverage record replaces the one of {was.statement} downloaded before (the "
                                  "same name and days, other bytes: its file gone from the archive)")
        for path, digests in sorted(gone.items()):
            rewrite_blocks(changes, path, functools.partial(_without, source, digests))


def _without(source: str, digests: set[str], block: str) -> str:
    """A block as the write leaves it: gone where it is a coverage record of `source` with
    one of `digests`, but the lines a person wrote at the margin after it."""
    found = COVERAGE_BLOCK.match(block)
    if found is None or _unescape(found["source"]) != source:
        return block
    digest = DIGEST_META.search(block)
    if digest is None or digest.group(1) not in digests:
        return block
    _, after = entry_lines(block)
    if after and not after[0].strip():
        after = after[1:]
    return "".join(after)
