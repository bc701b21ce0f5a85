"""What the books hold beyond the files beanclear writes: the files main.beancount
includes, followed as Beancount follows them, a person's own among them.

Books kept by hand before beanclear (January to June, say, in `becker-2026-h1.beancount`)
already open accounts and hold money on them:

    include "becker-2026-h1.beancount"     ; 2026-01-01 open Assets:Bank:Sparkasse EUR
    include "accounts.beancount"           ;   … 18,234.56 EUR on it by 30 June

An import must open none of those accounts again (Beancount: "Duplicate open
directive"), and the opening a first statement states is what the account holds then, of
which the books hold that much already (statements/openings.py). Nor does it assert a
balance their files assert already, identically: Beancount's `noduplicates`, which
their main.beancount may run, takes the two for one entry written twice.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

INCLUDE = re.compile(r'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)


def files(main: Path, pieces=lambda path: [path.read_text(encoding="utf-8")]) -> Iterator[Path]:
    """main.beancount, then every file it includes, and the files those include, each
    once: an include is a path or glob relative to the file that names it (Beancount's
    loader; `**` too). A glob that matches nothing, or a file that is not there, is
    Beancount's to report, not ours. `pieces(path)`: a file's text, in pieces that end
    where an entry does (Books._pieces: a large month file is never read whole)."""
    return (path for path, _, _ in includes(main, pieces))


def includes(main: Path, pieces=lambda path: [path.read_text(encoding="utf-8")],
             follow=lambda path: True) -> Iterator[tuple[Path, Path | None, int]]:
    """files(), each with the file and line of the include that first names it (main:
    None, 0). A file `follow(path)` is false for is not read for includes of its own."""
    seen: set[Path] = set()
    todo: list[tuple[Path, Path | None, int]] = [(Path(os.path.normpath(main)), None, 0)]
    while todo:
        path, by, at = todo.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        yield path, by, at
        if not follow(path):
            continue
        lines = 0   # of the pieces before: an include's line counts from the file's start
        for text in pieces(path):
            for include in INCLUDE.finditer(text):
                name = re.sub(r"\\(.)", r"\1", include.group(1))
                pattern = name if os.path.isabs(name) else os.path.join(path.parent, name)
                line = lines + text.count("\n", 0, include.start()) + 1
                todo += [(Path(os.path.normpath(p)), path, line) for p in sorted(glob.glob(pattern, recursive=True))]
            lines += text.count("\n")


def reached(main: Path, pieces=lambda path: [path.read_text(encoding="utf-8")],
            follow=lambda path: True) -> set[Path]:
    """Every file the books include, directly or through a file they include, by
    whatever path (`./acks.beancount`, a glob): those there (files()) and those an include
    line names that are not there yet (a file a write is making with it). The one answer
    to "does main.beancount include this file" (Books.adopted, edits.include_written):
    a second include of one file is Beancount's "Duplicate filename parsed". `pieces`,
    `follow`: as includes() takes them."""
    out: set[Path] = set()
    for path, _, _ in includes(main, pieces, follow):
        out.add(path)
        if follow(path):
            for text in pieces(path):
                out.update(Path(os.path.normpath(os.path.join(path.parent, re.sub(r"\\(.)", r"\1", name))))
                           for name in INCLUDE.findall(text))
    return out


def opened(main: Path, wanted: Iterable[str], pieces) -> set[str]:
    """The accounts of `wanted` that an `open` directive of a file the books include
    opens (`pieces` as files() reads them). Stops once every one is found: the sources'
    month files, included last, are read only for an account no other file opens."""
    from beanclear.books.lines import OPEN_LINE
    wanted, found = set(wanted), set()
    if not wanted:
        return found
    for path in files(main, pieces):
        for text in pieces(path):
            found.update(a for a in OPEN_LINE.findall(text) if a in wanted)
        if found == wanted:
            break
    return found


def held(main: Path, wanted: dict[tuple[str, str], dt.date], skip: set[Path]) -> dict[tuple[str, str], Decimal]:
    """What the books already hold, at the end of a day, on each (account, currency) of
    `wanted` (-> that day), in the files they include but those of `skip` (the sources'
    month files, which Books.postings_before reads) and but the openings statements
    implied (id `opening …`: the one being worked out is no holding). The files are
    parsed by Beancount, their postings interpolated and their `pad`s filled as
    bean-check does: a person writes `Assets:Bank:Sparkasse` without an amount, or pads
    it to a balance, as often as not."""
    if not wanted:
        return {}
    from beancount.core import data
    from beancount.ops import pad
    from beancount.parser import booking, parser
    entries, options = [], None
    skip = {Path(os.path.normpath(p)) for p in skip}
    for path in files(main):
        if path in skip:
            continue
        parsed, _, file_options = parser.parse_file(str(path))
        entries += parsed
        options = options or file_options   # main.beancount's, as Beancount takes the top file's
    if not entries:
        return {}
    entries.sort(key=data.entry_sortkey)
    entries, _ = booking.book(entries, options)
    entries, _ = pad.pad(entries, options)
    out: dict[tuple[str, str], Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or str(entry.meta.get("id", "")).startswith("opening "):
            continue
        for p in entry.postings:
            key = (p.account, p.units.currency if p.units else None)
            day = wanted.get(key)
            if day is not None and entry.date <= day and isinstance(p.units.number, Decimal):
                out[key] = out.get(key, Decimal(0)) + p.units.number
    return out



def own_texts(main: Path, skip: set[Path], read=lambda path: path.read_text(encoding="utf-8")
              ) -> Iterator[tuple[Path, str]]:
    """(path, text) of each file the books include but those of `skip` (the sources' month
    files), each read once by `read`: a file of `skip` is not read at all, not even for
    include lines (beanclear writes none there)."""
    skip = {Path(os.path.normpath(p)) for p in skip}
    texts = {}   # each file read once: here, then by files() for its includes
    for path in files(main, lambda path: [texts.pop(path, "")]):
        if path in skip:
            continue
        texts[path] = read(path)
        yield path, texts[path]


def balances(main: Path, skip: set[Path]) -> set[tuple[str, str, str, Decimal]]:
    """(day, account, currency, amount) of every `balance` in the files the books include
    but those of `skip` (the sources' month files, which the import knows by their
    identities): a person's own assertions, read from their text. One with a tolerance
    (`~ 0.01`) or an expression is no plain amount, and not in it."""
    from decimal import InvalidOperation
    from beanclear.books.lines import BALANCE_LINE, balance_parts
    out = set()
    for _, text in own_texts(main, skip):
        for found in BALANCE_LINE.finditer(text):
            try:
                day, account, currency, number, _ = balance_parts(found.group(0))
            except InvalidOperation:
                continue
            out.add((day, account, currency, number))
    return out
