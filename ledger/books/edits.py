"""Small, reviewable edits to entries already in the books: add a link to an entry's
first line, book a posting to another account (or in another amount: a credit the bank
converted, in the amount sent). Only the lines that change are
touched; everything else in the file stays byte for byte, and every edit is a no-op
when already made (so applying twice changes nothing).

A write is decided from the books as they were read (what is done already, which lines
say what, which accounts to open): `apply` takes that read (`read`, an atomic.Snapshot)
and, under the lock, where another write changed the books since, makes the write anew
from them (`again`) or, where the caller cannot, writes nothing (BooksChanged). The one
rule for every write of a decision: two commands or a command and the page at once
write it once (blind9: four identical write-offs wrote four entries)."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from beanclear.books import atomic
from beanclear.books.lines import _unescape
from beanclear.importers.toolkit import StatementError


class EditError(Exception):
    """The books changed under the edit (the line is not what the entry said)."""


class NotIncluded(StatementError, EditError):
    """A file of the books a write makes or changes that main.beancount does not include,
    and cannot: including it would open an account a file it includes opens already
    (include_written). Nothing is written. A StatementError (`file:line: why`) and an
    EditError, so that every command and the page refuse it as they refuse their own."""


class BooksChanged(EditError):
    """Another write changed the books since the write was decided, and it cannot be
    decided anew: nothing was written."""


@dataclass(frozen=True)
class Edit:
    path: Path
    line: int             # 1-based
    add_links: tuple[str, ...] = ()
    account: tuple[str, str] | None = None   # (from, to) on a posting line
    remove_links: tuple[str, ...] = ()
    title: tuple[str | None, str] | None = None   # (payee, narration) on a transaction's first line
    meta_before: tuple[tuple[str, str], ...] = ()   # (key, value) lines inserted above this (posting) line
    remove_meta: tuple[str, ...] = ()   # keys whose lines of the entry's own metadata (below this first line) go
    units: tuple[str, str] | None = None   # (from, to) amount on a posting line: `-788.70 GBP`, `-1000.00 USD @ 0.7887 GBP`


def _comment_start(line: str) -> int:
    """Where a `;` comment starts outside strings (len(line) if none)."""
    quoted = False
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return i
    return len(line)


def add_links(line: str, links: tuple[str, ...], in_order: bool = False) -> str:
    """The first line of an entry with the given ^links too, after those it has; with
    `in_order`, where render.py writes them, among its links in sorted order (an entry
    imported with the link from the start reads the same) where those are so."""
    body_end = _comment_start(line.rstrip("\n"))
    body = line[:body_end].rstrip()
    present = {w[1:] for w in body.split() if w.startswith("^")}
    new = [l for l in links if l not in present]
    if not new:
        return line
    rest = line[len(body):]
    tail = (rest if rest.strip() else rest.lstrip(" "))
    words = body.split(" ")
    first = len(words)
    while first > 0 and words[first - 1].startswith("^"):
        first -= 1
    own = [w[1:] for w in words[first:]]
    if in_order and own == sorted(own) and len(own) == len(present):
        return " ".join(words[:first] + [f"^{l}" for l in sorted(own + new)]) + tail
    return body + "".join(f" ^{l}" for l in new) + tail


def remove_links(line: str, links: tuple[str, ...]) -> str:
    """The first line of an entry without the given ^links (a no-op when none is there)."""
    body_end = _comment_start(line.rstrip("\n"))
    body, rest = line[:body_end], line[body_end:]
    words = body.rstrip().split(" ")
    kept = [w for w in words if not (w.startswith("^") and w[1:] in links)]
    if len(kept) == len(words):
        return line
    tail = body[len(body.rstrip()):]
    return " ".join(kept) + (tail if rest.strip() else "") + rest


_ENTRY_META = re.compile(r"^[ \t]+([a-z][A-Za-z0-9_-]*):")
_COMMENT = re.compile(r"^[ \t]+;")


def meta_lines(lines: list[str], first: int, keys: tuple[str, ...]) -> list[int]:
    """The indexes of the lines of an entry's own metadata of `keys`: those right below
    its first line (index `first`), before its first posting. A person's comment line
    among them (`; invoice in the drive`) is passed over: `book` writes its metadata
    above the first posting, below such a comment, and `unlink` must find it there."""
    out = []
    for at in range(first + 1, len(lines)):
        if _COMMENT.match(lines[at]):
            continue
        found = _ENTRY_META.match(lines[at])
        if not found:
            break
        if found.group(1) in keys:
            out.append(at)
    return out


_TITLE = re.compile(r'^(\d{4}-\d{2}-\d{2}[ \t]+(?:\*|!|txn|[A-Z#%&?P])[ \t]+)((?:"(?:[^"\\]|\\.)*"[ \t]*){1,2})')


def retitle(line: str, payee: str | None, narration: str) -> str:
    """A transaction's first line with another payee and narration, its flag, tags,
    links and comment kept."""
    from beanclear.books.render import quote
    found = _TITLE.match(line)
    if not found:
        raise EditError(f"expected a transaction's first line, found {line.strip()!r}")
    strings = (quote(payee) + " " if payee else "") + quote(narration)
    rest = line[found.end(2):]
    return found.group(1) + strings + (" " if rest.strip() else "") + rest.lstrip(" \t")


_POSTING = re.compile(r"^([ \t]+)([A-Z][^ \t;]*)([ \t]+)([^ \t;][^ \t]*)")


def _written(account: str, number: str) -> int:
    """The spaces the writer puts between a posting's account and its number (render.py)."""
    from beanclear.books.render import ACCOUNT_WIDTH, NUMBER_WIDTH
    return max(ACCOUNT_WIDTH, len(account)) - len(account) + max(NUMBER_WIDTH, len(number)) - len(number)


def _pads(indent: str, account: str, number: str, laid: tuple[int, int] | None) -> list[int]:
    """The spaces between a posting's account and its number in each layout its entry may
    keep it in (`laid`: layout()): the writer's (two spaces' indent; None), or the number
    ending where the other posting's ends, then starting where it starts."""
    if laid is None:
        return [_written(account, number)] if indent == "  " else []
    start, end = laid
    return [end - len(indent) - len(account) - len(number), start - len(indent) - len(account)]


def _gap(indent: str, gap: str, was: tuple[str, str], will: tuple[str, str],
         laid: tuple[int, int] | None = None) -> str:
    """The spaces between a posting's account and its number once (account, number) `was`
    is `will`. A line in a layout of its entry (`laid`: layout()) stays in it where both
    sides fit it (two spaces at least); a line a person spaced otherwise keeps its spacing
    (blind9: a line re-indented by hand came back from link and unlink with the writer's
    column). The old side's layouts and the new side's trade places: a one-to-one map,
    the edit the other way its inverse, so that it gives the line back byte for byte
    (`unlink` after `link` or `book`) — a person's gap that happens to be a layout of the
    new side takes one of the old side's."""
    pairs = [(" " * a, " " * b) for a, b in zip(_pads(indent, *was, laid), _pads(indent, *will, laid))
             if a >= 2 and b >= 2]
    to: dict[str, str] = {}
    for a, b in pairs:   # each layout to its own, first come first
        if a not in to and b not in to.values():
            to[a] = b
    every = {gap for pair in pairs for gap in pair}
    to.update(zip(sorted(every - set(to)), sorted(every - set(to.values()))))   # the rest, in order
    return to.get(gap, gap)


def layout(lines: list[str], at: int) -> tuple[int, int] | None:
    """How the entry of the posting line `lines[at]` lays its amounts out, read from its
    other posting (a bank line's own: an edit moves only its counter posting): None, as
    the writer does (or the entry has no other amount), else the columns that posting's
    number starts and ends in (a person's alignment, bean-format's)."""
    start, end = at, at + 1
    while start > 0 and lines[start][:1] in (" ", "\t"):
        start -= 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    for k in range(start + 1, end):
        other = _POSTING.match(lines[k]) if k != at else None
        if other:
            if other[1] == "  " and other[3] == " " * max(2, _written(other[2], other[4])):
                return None
            return other.start(4), other.start(4) + len(other[4])
    return None


def _respaced(original: str, edited: str, laid: tuple[int, int] | None = None) -> str:
    """`edited`, a posting line made from `original` by rebook and restate together, with
    the gap between its account and its number made once from the original's (_gap): the
    two edits in turn would trade layouts twice, and a person's spacing would not come back
    from the edits the other way."""
    was, now = _POSTING.match(original), _POSTING.match(edited)
    if not (was and now) or (was[2], was[4]) == (now[2], now[4]):
        return edited
    return now[1] + now[2] + _gap(was[1], was[3], (was[2], was[4]), (now[2], now[4]), laid) + \
        edited[now.start(4):]


def rebook(line: str, old: str, new: str, laid: tuple[int, int] | None = None) -> str:
    """A posting line booked to `new` instead of `old`: the amount kept in its entry's
    layout on a line in it (`laid`: layout(); the writer's by default), a person's
    spacing kept on theirs (_gap), and the rest of the line (amount, price, comment) byte
    for byte."""
    indent = line[: len(line) - len(line.lstrip())]
    rest = line.lstrip()
    if not (rest.startswith(old) and rest[len(old):len(old) + 1] in (" ", "\t", "\n", "")):
        if rest.startswith(new):
            return line
        raise EditError(f"expected a posting to {old}, found {line.strip()!r}")
    after = rest[len(old):]
    body = after.lstrip(" \t")
    gap = after[: len(after) - len(body)]
    if not body.strip() or body.startswith(";"):   # no amount: nothing to keep in a column
        return indent + new + after
    number = body.split()[0]
    return indent + new + _gap(indent, gap, (old, number), (new, number), laid) + body


def restate(line: str, old: str, new: str, laid: tuple[int, int] | None = None) -> str:
    """A posting line whose amount `old` (`-788.70 GBP`, whatever price follows it) is
    `new` instead (`-1000.00 USD @ 0.7887 GBP`): the number's end kept in its entry's
    layout on a line in it (`laid`: layout(); the writer's by default), a person's
    spacing kept on theirs (_gap), and what follows the amount (the spaces before a
    comment, the comment) byte for byte; a no-op when the line says `new` already."""
    end = _comment_start(line.rstrip("\n"))
    body, rest = line[:end], line[end:]
    words = body.split()
    if words[1:] == new.split():
        return line
    number, currency = old.split()
    try:
        same = len(words) >= 3 and Decimal(words[1]) == Decimal(number) and words[2] == currency
    except InvalidOperation:
        same = False
    if not same:
        raise EditError(f"expected a posting of {old}, found {line.strip()!r}")
    indent = body[: len(body) - len(body.lstrip())]
    head = body[:body.index(words[0]) + len(words[0])]
    start = body.index(words[1], len(head))
    stripped = body.rstrip()
    gap = _gap(indent, body[len(head):start], (words[0], words[1]), (words[0], new.split()[0]), laid)
    return head + gap + new + body[len(stripped):] + rest


def apply(root: Path, edits: list[Edit], appends: dict[str, tuple[str, str, tuple[str, ...]]] | None = None,
          also: dict[Path, str] | None = None, read: atomic.Snapshot | None = None, again=None) -> list[Path]:
    """Make the edits as one atomic write under the books' lock; returns changed files.
    `appends` adds blocks to decision files of the books at the same time (name ->
    (header, block, after), as append_to does), `also` whole files outside the books
    (the config, for a rule a person saved with a booking).

    `read`: the books as the caller read them to decide this write. Where another write
    changed them since, `again()` decides it anew, under the lock, from the books as they
    are then (its reads share the lock: atomic.holding), and returns (edits, appends,
    also) to write instead (nothing, where the other write did it); without `again`,
    BooksChanged and nothing is written."""
    root = Path(root)
    with atomic.locked(root):
        if read is not None and read.changed():
            if again is None:
                raise BooksChanged(f"{root}: the books changed since they were read (another write came first); "
                                   "nothing was written: run it again")
            with atomic.holding(root):
                edits, appends, also = again()
        changes = _changes(root, edits, appends, also)
        if changes:
            atomic.write_files(root, changes)
    return sorted(changes)


def _changes(root: Path, edits: list[Edit], appends, also) -> dict:
    """The new texts of the files the edits, appends and `also` change."""
    from beanclear.books.render import quote_exact
    from beanclear.periods.forward import is_ledger
    by_file: dict[Path, list[Edit]] = defaultdict(list)
    for edit in edits:
        if is_ledger(root, edit.path):   # made from the month files: an edit there would be lost, and wrong
            raise EditError(f"{edit.path}:{edit.line}: the books carried forward are written by `beanclear carry`; "
                            "edit the month file the entry comes from (`beanclear match --since` finds it)")
        by_file[Path(edit.path)].append(edit)
    changes = {}
    for name, (header, block, after) in sorted((appends or {}).items()):
        changes.update(_appended(root, name, header, block, changes))
    for path, file_edits in sorted(by_file.items()):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        before = list(lines)
        above: dict[int, str] = defaultdict(str)   # metadata lines inserted above a line
        dropped: set[int] = set()                   # metadata lines taken out
        spaced: dict[int, tuple] = {}               # posting lines rebooked or restated: as they were, layout
        for edit in file_edits:
            if not 0 < edit.line <= len(lines):
                raise EditError(f"{path}:{edit.line}: no such line (the books changed; run again)")
            text = lines[edit.line - 1]
            dropped.update(meta_lines(lines, edit.line - 1, edit.remove_meta) if edit.remove_meta else ())
            if edit.title:
                text = retitle(text, *edit.title)
            if edit.remove_links:
                text = remove_links(text, edit.remove_links)
            if edit.add_links:
                text = add_links(text, edit.add_links)
            if edit.account or edit.units:
                laid = layout(before, edit.line - 1)
                spaced.setdefault(edit.line - 1, (text, laid))
            if edit.account:
                text = rebook(text, *edit.account, laid)
            if edit.units:
                text = restate(text, *edit.units, laid)
            lines[edit.line - 1] = text
            # kept aside until the file is joined: the other edits' line numbers hold
            above[edit.line - 1] += "".join(f"  {key}: {quote_exact(value)}\n" for key, value in edit.meta_before)
        for at, (original, laid) in spaced.items():
            lines[at] = _respaced(original, lines[at], laid)
        if above or dropped:
            lines = [above[at] + ("" if at in dropped else text) for at, text in enumerate(lines)]
        if lines != before:
            changes[path] = "".join(lines)
    include_written(root, changes, {name: after for name, (_, _, after) in (appends or {}).items()})
    changes.update(also or {})
    return changes


def append_to(root: Path, name: str, header: str, block: str, after: tuple[str, ...],
              read: atomic.Snapshot | None = None, again=None) -> list[Path]:
    """Append a block to one of the books' decision files (acks.beancount,
    periods.beancount), made with `header` and included from main.beancount on first use
    (after the include of the first file of `after` main has, else at its end), as one
    atomic write under the books' lock. Returns the files written. `read` and `again`:
    as apply's (`again()` returns the block to append instead, "" for none)."""
    def anew():
        block = again()
        return [], ({name: (header, block, after)} if block else {}), {}
    return apply(root, [], {name: (header, block, after)}, read=read, again=anew if again else None)


def _appended(root: Path, name: str, header: str, block: str, pending: dict) -> dict:
    """The new text of a decision file with `block` appended (made with `header` where
    it is not there; `pending`: texts already changed in this write). Its include in
    main.beancount is include_written's."""
    path = root / name
    text = pending.get(path) or (path.read_text(encoding="utf-8") if path.exists() else header)
    if text and not text.endswith("\n"):
        text += "\n"
    return {path: text + block}


def include_written(root: Path, changes: dict, after: dict[str, tuple[str, ...]]) -> list[str]:
    """The one rule of what main.beancount includes of the books' own files (accounts,
    prices, acks, periods, write-offs: `after`, name -> the files whose include its own
    goes after): each of them this write (`changes`) makes or changes, main.beancount
    includes, directly or through a file it includes, by whatever path
    (included.reached); where it does not, its include line is added to main's text in
    `changes` (_with_include), nothing else of it touched. A main.beancount of a person's
    own that names beanclear's plugin gets no other line from beanclear (Books.adopted),
    yet books it does not include what a command wrote there do not load ("Invalid
    reference to unknown account"). Where including the file would open an account a
    file of the books opens already, NotIncluded: nothing is written. Returns the names
    whose include it added."""
    root = Path(root)
    main = root / "main.beancount"
    names = [name for name in after if root / name in changes]
    if not names or not (main in changes or main.exists()):
        return []
    from beanclear.books import included
    was = text = changes[main] if main in changes else main.read_text(encoding="utf-8")
    named = {Path(os.path.normpath(root / _unescape(n))) for n in included.INCLUDE.findall(text)}
    names = [name for name in names if Path(os.path.normpath(root / name)) not in named]
    if not names:   # the books beanclear made, and those it took over: each named by main itself
        return []
    month_files = set(root.glob("*/*/*.beancount"))   # no include of their own (beanclear writes none there)
    top = Path(os.path.normpath(main))

    def pieces(path):   # a file's text as this write leaves it (main's: with the includes added so far)
        pending = text if path == top else changes.get(path)
        return [pending if isinstance(pending, str) else path.read_text(encoding="utf-8")]
    have = included.reached(main, pieces, lambda path: path not in month_files)
    added = []
    for name in names:
        path = Path(os.path.normpath(root / name))
        if path in have:
            continue
        _opened_twice(root, path, changes, pieces)
        text = _with_include(text, f'include "{name}"', after[name])
        added.append(name)
    if text != was:
        changes[main] = text
        from beanclear.periods import forward   # (the books carried forward hold main's own lines)
        forward.follow(root, changes)
    return added


def _opened_twice(root: Path, path: Path, changes: dict, pieces) -> None:
    """NotIncluded where a file about to be included (its text as `changes` has it) opens
    an account that a file main.beancount includes opens already."""
    from beanclear.books import included
    from beanclear.books.lines import OPEN_LINE
    text = pieces(path)[0]
    opens = {m.group(1): text.count("\n", 0, m.start()) + 1 for m in OPEN_LINE.finditer(text)}
    if not opens:
        return
    shown = lambda p: Path(root.name) / os.path.relpath(p, root)   # noqa: E731
    for other in included.files(root / "main.beancount", pieces):
        for piece in pieces(other):
            for found in OPEN_LINE.finditer(piece):
                account = found.group(1)
                if account not in opens:
                    continue
                line = piece.count("\n", 0, found.start()) + 1
                raise NotIncluded(shown(path), opens[account], (
                    f"opens {account}, which {shown(other)}:{line} opens already: main.beancount does not include "
                    f"{path.name}, the books need what this command writes there, and including it would open "
                    f"{account} twice; take one of the two `open` lines out, then run it again"))


def _with_include(main: str, include: str, after: tuple[str, ...]) -> str:
    """main.beancount with one include line added, nothing else touched."""
    for name in after:
        found = re.search(rf'^include "{re.escape(name)}"[^\n]*\n', main, re.M)
        if found:
            return main[:found.end()] + include + "\n" + main[found.end():]
    return main + ("" if main.endswith("\n") or not main else "\n") + include + "\n"
