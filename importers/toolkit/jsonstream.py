"""Large JSON statements read item by item: the items of the response's big array (a
Stripe `list`'s `data`, PayPal's `transaction_details`, Airwallex's `items`, or a bare
top-level array) one at a time, and the response's other, small, members once the pass
is through. Memory is one item and a piece of the text, whatever the file's length.

What a pass gives is what read_json gives of the same text: the text of text_stream
(read_text's encoding, BOM and control characters, decoded piece by piece), each value
parsed by json's own scanner with read_json's rules (Decimal from a number's text, NaN
refused, each object a JsonObject knowing its line, control characters taken out of
strings and keys). Between the items, the object and array around them are read as
json.decoder's JSONObject and JSONArray read them, so JSON that does not parse is
`BrokenJson`, read_json's error at read_json's line: the first one in the text, as
read_json finds it.

A value is parsed by the C scanner, fast, and its objects' lines found after, from the
`{` that start them; a value the C scanner refuses, or one with a key twice (the C
scanner drops an object there), is parsed again by read_json's pure-Python scanner,
which says what is wrong exactly as read_json says it. A piece of text may end inside a
value: a value parsed up to the end of the text read so far, or refused that close to
it (or in a string never closed), is parsed again with more text.

The top-level object's other members are read whole, as read_json reads them, up to
HELD_UP_TO characters of text each; a longer one (an export whose big array is under
another key than the one streamed) is read through, its items one at a time, checked
as read_json reads them but not held: `Dropped` stands in for it.

What the stream cannot say as read_json would raises `Unusual`, for the importer to read
the file whole (streamed_or_whole): a key repeated at the top (read_json keeps the last),
nesting past MAX_DEPTH (where read_json may run out of stack: it says so itself), a file
changed between passes. Where read_json refuses the file all the same (a number past
Python's digits limit, nesting past the stack) the Unusual says its error (`said`),
said instead of a whole read past text.ERRORS_WHOLE_UP_TO.

For identify(), `stated_member` finds one top-level string member (the account a
response states of itself: PayPal's `account_number`, after its rows in a file `beanclear
fetch` wrote, past the start matches() reads) by skimming the text: strings and brackets
only, nothing parsed, a piece of the text held, stopping at the member.
"""

from __future__ import annotations

import functools
import json
import re
from json.decoder import scanstring
from json.scanner import c_make_scanner
from pathlib import Path
from typing import Callable, Iterable, Iterator

from beanclear.importers.toolkit import text as _text
from beanclear.importers.toolkit.jsonfile import (JsonObject, Refused, broken, cleaned, decimal, line_decoder,
                                                  refuse, unmade)
from beanclear.importers.toolkit.text import StatementError, StreamedText, strip_controls, text_stream

MAX_DEPTH = 64    # nesting an item may have (real responses: 5); deeper, read_json decides
SLACK = 16        # a token cut at the end of the text read shows as an error this close to it
HELD_UP_TO = 2**20   # characters of text of a top-level member held; a longer one is Dropped
_WS = re.compile(r"[ \t\n\r]*")
# From a place inside a value the C scanner took, up to the next `{` or `}` not in a
# string (possessive: nothing to backtrack over, whatever the text); or, where no string
# of the value holds one, up to the next.
_BRACE = re.compile(r'(?:[^"{}]++|"(?:[^"\\]++|\\.)*+")*+[{}]')
_ANY_BRACE = re.compile(r"[{}]")
# A string (ended), a bracket, or a `"` that starts a string not ended in the text looked at.
_EXTENT = re.compile(r'"(?:[^"\\]++|\\.)*+"|["\[\]{}]')
# From a place outside strings, past strings (each whole), what is neither a bracket nor
# a string, and arrays and objects nested up to SKIMMED_DEPTH, ended in the text read
# (a response's rows, in one call of the C engine): it stops at a bracket that closes the
# value it is in, one that opens a value deeper or not ended in the text read, a `"`
# that starts a string not ended there, or the end of that text.
SKIMMED_DEPTH = 6
_STRING = r'"(?:[^"\\]++|\\[\s\S])*+"'
_NESTED = rf'(?:[^"\[\]{{}}]++|{_STRING})*+'
for _ in range(SKIMMED_DEPTH):
    _NESTED = rf'(?:[^"\[\]{{}}]++|{_STRING}|[\[{{]{_NESTED}[\]}}])*+'
_OUTSIDE = re.compile(_NESTED)
_VALUE = re.compile(rf'[\[{{]{_NESTED}[\]}}]')   # an array or object that fits
_SCALAR = re.compile(r'[^\s,\]}]*')   # a number, true, false, null (or what stands for one)


class Unusual(Exception):
    """A file the stream cannot read as read_json would: read it whole. `said`: the
    error read_json says of it all the same (in words of its own where they differ), said
    instead where the file is too large to read whole only to say it
    (text.ERRORS_WHOLE_UP_TO)."""

    def __init__(self, why: str, said: StatementError | None = None):
        super().__init__(why)
        self.said = said


class Dropped:
    """A member of the top-level object too long to hold (HELD_UP_TO): read through and
    checked, its value not kept. `kind`: "array" or "object"."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"Dropped({self.kind})"


class BrokenJson(StatementError):
    """JSON that does not parse, met by the stream where read_json meets it: its error."""


class _Cut(Exception):
    """A value that may go on past the text read so far."""


class _Repeated(Exception):
    """An object with a key twice: the C scanner keeps one value, and its objects' lines
    would be counted wrong."""


def _c_scanner(made: list):
    """json's C scanner with read_json's rules; the objects it makes go to `made`, in the
    order they end in the text. None where json has no C scanner."""
    if c_make_scanner is None:
        return None

    def pairs(pairs: list) -> JsonObject:
        obj = JsonObject(pairs)
        if len(obj) != len(pairs):
            raise _Repeated
        made.append(obj)
        return obj
    return c_make_scanner(json.JSONDecoder(parse_float=decimal, parse_constant=refuse, object_pairs_hook=pairs))


def json_items(path: str | Path, keys: Iterable[str], rename: Callable[[str], str] | None = None) -> JsonItems | None:
    """The items of a large JSON statement (text.STREAM_FROM), or None where it is read
    whole (a small file, or one read_text would refuse: it says why). `keys`: the
    top-level members whose array is the items, compared after `rename` (Airwallex
    reads camelCase keys as snake_case), the first met streamed."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns)   # before text_stream's read: what it checked is what is read
    pieces = text_stream(path, lines=False)
    return None if pieces is None else JsonItems(str(path), pieces, tuple(keys), rename or (lambda k: k), stamp)


def streamed_or_whole(path: str, keys: Iterable[str], streamed, whole, rename=None):
    """`streamed(items)` of a large statement, else `whole()`. The whole read also where
    the stream meets what it cannot read as the whole read would (Unusual), and where
    the importer raises an error: read whole, the file says it as it would of a small
    file, its errors in the whole read's order (JSON first, then the response's shape,
    then its items), up to text.ERRORS_WHOLE_UP_TO: past it the stream's error is said.
    JSON that does not parse is said by the stream itself."""
    items = json_items(path, keys, rename)
    if items is not None:
        try:
            return streamed(items)
        except BrokenJson:
            raise
        except StatementError:
            if not _text.errors_read_whole(path):
                raise
        except Unusual as unusual:
            if unusual.said is not None and not _text.errors_read_whole(path):
                raise unusual.said from None
        except UnicodeDecodeError:   # (the file changed after text_stream read it)
            pass
        del items   # (what the pass kept, before the whole read)
    return whole()


class JsonItems(StreamedText):
    """The items of a streamed response, a fresh read of the file each pass. After a
    pass: `key`, the member they are the array of (None: the top-level array, or no
    member of `keys` holds an array), `position`, that member's place among the top-level
    object's members, `array`, whether the top-level value is an array,
    `fields`, the top-level object without that member, its members past HELD_UP_TO
    Dropped (None for an array; a top-level value neither an object nor an array, which
    no statement is, is `fields` itself), `line`, the line the top-level value starts on.
    `array` and `line` are known once the pass has begun. `progress()`: (bytes of the
    file the latest pass has read, its size)."""

    def __init__(self, path: str, pieces, keys: tuple, rename, stamp: tuple):
        super().__init__(path, pieces)
        self._keys, self._rename, self._stamp = keys, rename, stamp
        self.key: str | None = None
        self.position = 0
        self.fields = None
        self.array = False
        self.line = 1

    def __iter__(self) -> Iterator:
        self._changed()
        self.read = [0]
        self.key, self.fields = None, None
        text = _Text(self.path, self.pieces(self.read))
        c = text.space()
        self.line = text.line_at(text.at)
        self.array = c == "["
        if c == "[":
            text.at += 1
            yield from text.array()
        elif c == "{":
            yield from self._object(text)
        else:   # read_json reads it; what it is, the importer says
            self.fields = text.value()
        if text.space():
            raise text.error("Extra data", text.at)
        self._changed()

    def _changed(self) -> None:
        try:
            stat = Path(self.path).stat()
        except OSError:
            raise Unusual("the file is gone") from None
        if (stat.st_size, stat.st_mtime_ns) != self._stamp:
            raise Unusual("the file changed while it was read")

    def _object(self, text: _Text) -> Iterator:
        """The top-level object, as JSONObject reads it: its `keys` array item by item,
        the other members whole (or Dropped), into `fields`."""
        fields, names = JsonObject(), set()
        fields.line = self.line
        for raw in text.members():
            key = strip_controls(raw)
            c = text.space()
            name = self._rename(key)
            if name in names:
                raise Unusual(f"the key {name!r} twice")   # read_json keeps the last
            names.add(name)
            if c == "[" and self.key is None and name in self._keys:
                self.key, self.position = name, len(fields)
                text.at += 1
                yield from text.array()
            else:
                fields[key] = text.held()
        self.fields = fields


class _Text:
    """One pass over a streamed file's text: what is not consumed yet (`buf`, from the
    cursor `at` on), read piece by piece as it is needed, and the lines before it."""

    def __init__(self, path: str, pieces: Iterator[str]):
        self.path, self._pieces = path, iter(pieces)
        self.buf, self.at, self.eof = "", 0, False
        self._lines = 0        # line ends before buf
        self._mark = (0, 1)    # a place in buf and its line: lines are asked in order, mostly
        self._slow = line_decoder(self.line_at)
        self._made: list[JsonObject] = []
        self._fast = _c_scanner(self._made)

    def line_at(self, at: int) -> int:
        """The line of buf[at], counted as json counts lines (at \\n), from the place
        asked before (read_json's scanner asks for an object's line once it is read)."""
        mark, line = self._mark
        line += self.buf.count("\n", mark, at) if at >= mark else -self.buf.count("\n", at, mark)
        self._mark = (at, line)
        return line

    def error(self, message: str, at: int) -> BrokenJson:
        return broken(self.path, self.line_at(at), message, BrokenJson)

    def more(self, want: int = 0) -> None:
        """At least `want` more characters of text (fewer at its end), the text before
        the cursor let go."""
        if self.eof:
            return
        if self.at:
            self._lines = self.line_at(self.at) - 1
            self.buf, self.at = self.buf[self.at:], 0
        self._mark = (0, self._lines + 1)
        parts, got, want = [self.buf], 0, max(want, _text.CHUNK)
        for piece in self._pieces:
            parts.append(piece)
            got += len(piece)
            if got >= want:
                break
        else:
            self.eof = True
        self.buf = "".join(parts)

    def space(self) -> str:
        """The cursor past whitespace; the character there ('' at the end of the text)."""
        while True:
            self.at = _WS.match(self.buf, self.at).end()
            if self.at < len(self.buf):
                return self.buf[self.at]
            if self.eof:
                return ""
            self.more()

    def _cut(self, at: int, message: str) -> bool:
        """Whether an error at `at` may be the end of the text read so far, not the file's."""
        return not self.eof and (at >= len(self.buf) - SLACK or message.startswith("Unterminated string"))

    def members(self) -> Iterator[str]:
        """The keys of the object whose `{` is at the cursor, as JSONObject reads them,
        each with the cursor at its value: the caller reads it before asking the next."""
        self.at += 1
        c = self.space()
        if c == "}":
            self.at += 1
            return
        if c != '"':
            raise self.error("Expecting property name enclosed in double quotes", self.at)
        while True:
            key = self.string()
            if self.space() != ":":
                raise self.error("Expecting ':' delimiter", self.at)
            self.at += 1
            self.space()
            yield key
            if self.closed("}"):
                return
            if self.space() != '"':
                raise self.error("Expecting property name enclosed in double quotes", self.at)

    def held(self, depth: int = 0):
        """The value at the cursor, as value() reads it; an array or object whose text
        goes on past HELD_UP_TO characters read through (through()), Dropped."""
        c = self.space()
        if (c == "[" or c == "{") and not self._fits(HELD_UP_TO):
            self.through(depth)
            return Dropped("array" if c == "[" else "object")
        return self.value()

    def _fits(self, limit: int) -> bool:
        """Whether the array or object at the cursor ends within `limit` characters: its
        brackets outside strings counted, nothing parsed (a string not ended there, or
        broken JSON, is past it: through() reads it as read_json does). More text is
        read only where what is read so far does not tell."""
        while True:
            end = min(len(self.buf), self.at + limit + 1)
            depth = 0
            for m in _EXTENT.finditer(self.buf, self.at, end):
                c = m.group()
                if c == "[" or c == "{":
                    depth += 1
                elif c == "]" or c == "}":
                    depth -= 1
                    if depth == 0:
                        return True
                elif c == '"':   # a string not ended in the text looked at
                    break
            if end > self.at + limit or self.eof:
                return False
            self.more(limit + 1 - (end - self.at))

    def through(self, depth: int) -> None:
        """The array or object at the cursor read as JSONArray and JSONObject read it, each
        of its values held no longer than it is read (held(), again for a long one)."""
        if depth >= MAX_DEPTH:
            raise Unusual(f"nested deeper than {MAX_DEPTH}")
        if self.buf[self.at] == "{":
            for _ in self.members():
                self.held(depth + 1)
            return
        self.at += 1
        if self.space() == "]":
            self.at += 1
            return
        while True:
            self.held(depth + 1)
            if self.closed("]"):
                return
            self.space()

    def skipped(self) -> None:
        """The cursor past the value at it, nothing of it parsed nor held: a string read
        as a key is, an array or object by its brackets outside strings, anything else up
        to where it ends (stated_member's skim: JSON it does not follow raises BrokenJson)."""
        c = self.space()
        if c == '"':
            self.string()
            return
        if c != "[" and c != "{":
            while True:
                end = _SCALAR.match(self.buf, self.at).end()
                if end < len(self.buf) or self.eof:
                    self.at = end
                    return
                self.more()
        whole = _VALUE.match(self.buf, self.at)
        if whole is not None:
            self.at = whole.end()
            return
        self.at += 1   # into it: it goes on past the text read, or deeper
        depth, want, stuck = 1, _text.CHUNK, False
        while True:
            start = self.at
            self.at = _OUTSIDE.match(self.buf, self.at).end()
            if self.at >= len(self.buf) or self.buf[self.at] == '"':   # the text read so far ends first
                if self.eof:
                    raise self.error("Unterminated value", self.at)
                # more text, twice as much each time a string goes on past it all again
                want = want * 2 if stuck and self.at == start else _text.CHUNK
                self.more(want)
                stuck = True
                continue
            stuck = False
            depth += 1 if self.buf[self.at] in "[{" else -1
            self.at += 1
            if depth == 0:
                return

    def string(self) -> str:
        """The string at the cursor (a `"`), as JSONObject reads a key."""
        want = _text.CHUNK
        while True:
            try:
                value, end = scanstring(self.buf, self.at + 1, True)
            except json.JSONDecodeError as exc:
                if not self._cut(exc.pos, exc.msg):
                    raise self.error(exc.msg, exc.pos) from None
            else:
                self.at = end
                return value
            self.more(want)
            want *= 2

    def value(self):
        """The value at the cursor, as read_json gives it; the cursor past it."""
        want = _text.CHUNK
        while True:
            try:
                value, end = self._parsed(self.buf, self.at)
            except _Cut:
                self.more(want)
                want *= 2
                continue
            except StopIteration as stop:   # no value starts there
                at, message = stop.value, "Expecting value"
            except json.JSONDecodeError as exc:
                at, message = exc.pos, exc.msg
            except Refused as exc:   # read_json says it at line 1
                raise unmade(self.path, exc, BrokenJson) from None
            except (ValueError, RecursionError) as exc:
                # A number past Python's digits limit (cut here or not, it is past it), nesting
                # past the C scanner's stack (read_json's takes more stack a level): read_json
                # refuses it too, at line 1.
                raise Unusual(f"{type(exc).__name__}: {exc}", unmade(self.path, exc)) from None
            except MemoryError:
                raise Unusual("MemoryError", StatementError(self.path, self.line_at(self.at), "not enough memory "
                                                            "to read the value that starts here")) from None
            else:
                if end < len(self.buf) - SLACK or self.eof:
                    self.at = end
                    return value
                at, message = end, ""   # a number may go on in the next piece (`1` of `1.5`, `0` of `0e1`)
            if not self._cut(at, message):
                raise self.error(message, at)
            self.more(want)
            want *= 2

    def _parsed(self, buf: str, at: int) -> tuple:
        if self._fast is not None:
            made = self._made
            made.clear()
            try:
                value, end = self._fast(buf, at)
            except StopIteration as stop:
                if self._cut(stop.value, ""):
                    raise _Cut from None
            except json.JSONDecodeError as exc:
                if self._cut(exc.pos, exc.msg):
                    raise _Cut from None
            except (ValueError, _Repeated):
                pass   # the pure-Python scanner says what is wrong (or reads it), as read_json does
            else:
                _not_too_deep(value, buf, at, end)
                if made:
                    self._lines_of(made, buf, at, end)
                # Control characters reach a string only by an escape (the text has none).
                return (cleaned(value) if buf.find("\\", at, end) >= 0 else value), end
        value, end = self._slow.scan_once(buf, at)
        _not_too_deep(value, buf, at, end)
        return cleaned(value), end

    def _lines_of(self, made: list, buf: str, at: int, end: int) -> None:
        """The lines of the objects the C scanner made of buf[at:end], in the order they
        end: each `}` closes the latest `{` still open."""
        n = len(made)
        if buf.count("{", at, end) == n and buf.count("}", at, end) == n:   # none in a string
            braces = (m.start() for m in _ANY_BRACE.finditer(buf, at, end))
        else:
            braces = _outside_strings(buf, at, end)
        opened, done = [], 0
        for brace in braces:
            if buf[brace] == "{":
                opened.append(self.line_at(brace))
            else:
                made[done].line = opened.pop()
                done += 1

    def array(self) -> Iterator:
        """The items of the array whose `[` the cursor has passed, as JSONArray reads them."""
        if self.space() == "]":
            self.at += 1
            return
        while True:
            yield self.value()
            if self.closed("]"):
                return
            self.space()

    def closed(self, close: str) -> bool:
        """Past an item or a member: whether `close` ends the array or object there (the
        cursor past it), else the comma that must come (the cursor past it)."""
        c = self.space()
        if c != "," and c != close:
            raise self.error("Expecting ',' delimiter", self.at)
        self.at += 1
        return c == close


def stated_member(path: str | Path, key: str) -> str | None:
    """The string value of the top-level object's member `key` (an account a response
    states of itself), wherever it stands among the members: found by a skim of the text
    (_Text.skipped), a piece of it held, stopping at the member. None where the file
    holds none (or no JSON object, or JSON the skim does not follow: parse() says what is
    wrong). For identify(): one skim a file, whichever sources ask (remembered by its
    size and time of change)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _stated_member(str(path), key, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _stated_member(path: str, key: str, size: int, changed: int) -> str | None:
    # The text as read_text decodes a JSON statement: UTF-8, else GB18030, else Latin-1 (a
    # byte each: the brackets and quotes are where they are).
    for encoding in ("utf-8-sig", "gb18030", "latin-1"):
        try:
            return _member_of(_Text(path, _text._text(path, encoding)), key)
        except UnicodeDecodeError:
            continue
        except (StatementError, Unusual, OSError, MemoryError, RecursionError):
            return None
    return None


def _member_of(text: _Text, key: str) -> str | None:
    if text.space() != "{":
        return None
    for raw in text.members():
        if strip_controls(raw) == key:
            if text.space() != '"':
                return None
            return strip_controls(text.string())
        text.skipped()
    return None


def _outside_strings(buf: str, at: int, end: int) -> Iterator[int]:
    """Where the braces of buf[at:end] not in a string are (each match starts where the
    last ended: one starting anywhere else could start inside a string)."""
    while (m := _BRACE.match(buf, at, end)) is not None:
        at = m.end()
        yield at - 1


def _not_too_deep(value, buf: str, at: int, end: int) -> None:
    if buf.count("{", at, end) + buf.count("[", at, end) > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise Unusual(f"nested deeper than {MAX_DEPTH}")


def _depth(value) -> int:
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return 0
    return 1 + max((_depth(v) for v in value), default=0)
