"""Writes on books carried forward: the Fava page's on `fava books/since-YYYY-MM.beancount`,
and the resolve commands' with `--since YYYY-MM` (resolve.act).

That ledger prints its lookback (the weeks before its month) entry by entry in its own
file, which only `beanclear carry` writes: books/edits.py refuses an edit there, since
the next carry would drop it. An action on one of those entries (the payout or bill a
bank line of the month settles, a bank line of the lookback) is written where
`beanclear match --since --apply` writes it: into the month file the entry comes from,
found by the same rule (periods/past.py `copies`); an entry no month file holds as it
was carried is refused, naming the ledger's file and line.

Like that command, neither the page nor a resolve command carries again after such a
write (it takes as long as the load): the ledger shows the entry as carried, and the
plugins say it is stale, until `beanclear carry` (or the next `--since` command) runs
again. The action's message says so.

The match proposals on these books are `match --since`'s (matching/since.py Matched,
asked by the page's State): accepting one writes what that command's --apply writes,
into the month files the same way, and says so with the same note (written_before).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from beanclear.periods import past
from beanclear.periods.forward import is_ledger


def month_edits(root: Path, entries, options, edits: list) -> list:
    """`edits` with those of lines the carried file printed made on the month files'
    copies of their entries (what the action then says of them is written_before's, of
    the files it did write). LookupError (past.copies) when a copy is not found."""
    if not any(is_ledger(root, e.path) for e in edits):
        return edits   # by the file's name alone: the whole books are not walked for the directive
    books = past.carried(entries)
    if books is None or not any(str(e.path) == books.path for e in edits):
        return edits
    printed = _printed_lines(entries, books)
    found = [printed.get(e.line) if str(e.path) == books.path else None for e in edits]
    copies = past.copies(root, books, list({id(f[0]): f[0] for f in found if f}.values()), options)
    out = []
    for edit, at in zip(edits, found):
        if at is None:
            out.append(edit)   # not the carried file's, or no entry's line there: edits.apply says which
            continue
        entry, posting = at
        copy = copies[id(entry)]
        meta = copy.meta if posting is None else copy.postings[posting].meta
        out.append(replace(edit, path=Path(meta["filename"]), line=meta["lineno"]))
    return out


def stale_note(books, before: set[str]) -> str:
    """What an action's message adds when it writes month files before the carried
    books' month (`before`: their paths in the books, as posix text): "" for none."""
    return (f"written into {', '.join(sorted(before))}, before {books.month}: {Path(books.path).name} shows it "
            f"as carried (and says it is stale) until `beanclear carry {books.month}` again") if before else ""


def written_before(root: Path, books, written) -> str:
    """stale_note() of the files a write changed (edits.apply's paths) that are month
    files before the carried books' month; "" on the whole books (`books` None)."""
    if books is None:
        return ""
    root = Path(root).resolve()
    return stale_note(books, {Path(p).resolve().relative_to(root).as_posix() for p in written
                              if _MONTH.fullmatch(Path(p).stem) and Path(p).stem < books.month})


_MONTH = re.compile(r"\d{4}-\d{2}")


def _printed_lines(entries, books) -> dict[int, tuple[object, int | None]]:
    """Line of the carried file -> (the entry printed there, the index of the posting on
    that line, or None for the entry's first line)."""
    out = {}
    for entry in entries:
        if entry.date >= books.start:
            break   # what the file prints is dated before its month (all but directives no action edits)
        if entry.meta.get("filename") != books.path:
            continue
        out[entry.meta["lineno"]] = (entry, None)
        for at, posting in enumerate(getattr(entry, "postings", ())):
            if posting.meta and "lineno" in posting.meta:
                out[posting.meta["lineno"]] = (entry, at)
    return out
