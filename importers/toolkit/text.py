"""Bytes and text: gzip, encodings, CSV rows with their lines, cleaned cells; the error
every importer raises is errors.py's."""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import gzip
import io
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from beanclear.importers.toolkit.errors import StatementError  # noqa: F401  (the error every importer raises)


# -- limits --------------------------------------------------------------------------
# What one statement file may hold (README.md, "Limits"). The largest real statements
# (a year of a busy WeChat merchant) are a few hundred thousand rows, tens of MB.
MAX_BYTES = 200 * 1024 * 1024      # a file's bytes, after un-gzipping
MAX_ROWS = 2_000_000               # rows of a CSV or XLSX statement
MAX_TEXT = 500                     # characters of a payee, narration or metadata value
MAX_ID = 512                       # characters of an id (real ones reach 235); a longer one is an error

# A CSV cell is bounded by its file (MAX_BYTES), not by Python's csv module's own 131,072
# characters: a memo of 140,000 was refused with `field larger than field limit`, while
# MT940, CAMT and OFX read one of 5 MB and cut it to MAX_TEXT (README Limits). Read whole,
# it is cut or refused as any text or id (base.py).
csv.field_size_limit(MAX_BYTES)

# Control characters never reach the books: C0 but TAB, LF and CR, DEL, C1. A NUL inside
# an id made two ids that look the same, and booked one payment twice. A BOM (U+FEFF) past
# the file's start too: one before a Stripe row's opening quote kept the quotes in its id,
# and booked the charge a second time. Bidi overrides and isolates (U+202A–202E,
# U+2066–2069) neither: a memo starting with U+202E showed reversed in git diff, editors
# and Fava, the reviewer reading another line than the books hold ("Trojan Source", blind33).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    return CONTROL.sub("", text) if not text.isprintable() else text


def not_utf8_at(data: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    """(the line, what is wrong) of a file of ours that must be UTF-8 (config.yaml, the
    books' files) where `data.decode("utf-8")` failed: `not UTF-8 text (byte 0xbd at
    column 8: saved in another encoding, GBK or Latin-1?)`, an editor on Chinese Windows
    having saved it, rather than a codec's byte position."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8")) + 1   # (UTF-8 up to it)
    return line, (f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}: saved in another encoding, "
                  "GBK or Latin-1?)")


# -- bytes and text ------------------------------------------------------------------

def _too_big(path, what: str) -> StatementError:
    return StatementError(path, 0, f"{what} is larger than {MAX_BYTES // 2**20} MB, the limit for one statement "
                          "(split the export into shorter periods)")


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, un-gzipped when it is a gzip body (WeChat bills can be). The
    size is checked before reading (an unknown 2 GiB file is never read whole), and a
    gzip body is inflated no further than the limit (a gzip bomb stops there)."""
    try:
        return b"".join(byte_chunks(path))
    except MemoryError:
        raise StatementError(path, 0, "not enough memory to read the file") from None


def byte_chunks(path: str | Path, size: int = 2**20, read: list | None = None) -> Iterator[bytes]:
    """read_bytes(), `size` bytes at a time: for a reader that never holds the file
    (a streamed CSV, xmlfile.XmlParts). The limits and errors are these. `read`, a
    one-item list if given, follows the bytes of the file read so far (for progress)."""
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise _too_big(path, "the file")
        fh = open(path, "rb")
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read the file ({exc.strerror or exc})") from None
    with fh:
        try:
            if fh.read(2) != b"\x1f\x8b":
                fh.seek(0)
                while chunk := fh.read(size):
                    if read is not None:
                        read[0] += len(chunk)
                    yield chunk
                return
        except OSError as exc:
            raise StatementError(path, 0, f"cannot read the file ({exc.strerror or exc})") from None
        fh.seek(0)
        inflated = 0
        with gzip.GzipFile(fileobj=fh) as body:
            while True:
                try:
                    chunk = body.read(size)
                except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
                    raise StatementError(path, 1, f"broken gzip file ({type(exc).__name__}: {exc or 'cut off'})"
                                         ) from None
                if not chunk:
                    return
                if read is not None:
                    read[0] = fh.tell()   # of the file's bytes, not the inflated ones
                inflated += len(chunk)
                if inflated > MAX_BYTES:   # a gzip bomb stops here
                    raise _too_big(path, "the un-gzipped file")
                yield chunk


# UTF-8 (BOM or not), GB18030 (a superset of GBK and GB2312), else Windows-1252: the
# PayPal, Stripe or bank CSV of a Western merchant saved by Excel ("Hans Müller").
ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")
# A byte order mark says exactly what a file is: read as that, before the encoding
# config.yaml or a format names (blind33: a WeChat bill saved as UTF-16 with its BOM, as
# Excel's "Unicode text" and editors save it, was "not valid utf-8 text, the encoding
# config.yaml names", a key no channel has). UTF-32's before UTF-16's, whose start it is.
# No Chinese or Western code page begins a statement with these bytes (`ÿþ`, `锘`).
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(head: bytes) -> str | None:
    """The encoding a file's BOM names (its first bytes, un-gzipped), else None."""
    return next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)


# European bank formats (MT940, OFX): UTF-8, else Windows-1252, else Latin-1 (which
# decodes any byte). A Central European file (CP1250, Latin-2) reads as Latin-1 with
# a few wrong letters in the text; `encoding: cp1250` in config.yaml reads it right.
WESTERN_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

# Windows-1252 text often decodes as GB18030 without an error: an accented letter
# (0xE9 é, 0xFC ü) followed by an ASCII letter is a valid two-byte GBK character whose
# trail byte is ASCII (0x40–0x7E): "Müller" reads "M黮ler". Common Chinese (GB2312's
# area) has both bytes from 0xA1, and only rare GBK characters an ASCII trail byte: of
# the non-ASCII characters of the real GBK samples (the Alipay bills in shared/samples,
# 646 and 991 of them) none has one, 0%; of Windows-1252 text read as GB18030, every
# one (100%: each an accent and the letter after it). A GB18030 reading where at least
# LATIN_AS_GBK of them have one, half, far from both, is Latin text: read as
# Windows-1252 instead (where that decodes). The share is of the first SAMPLE non-ASCII
# characters, wherever they are in the file (an ASCII head says nothing).
LATIN_AS_GBK = 0.5
SAMPLE = 4096
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


class _Signs:
    """What decides between readings of a file's bytes, gathered from its text (fed in
    pieces, as a stream decodes it; a run of non-ASCII characters across two pieces is
    one run): its first SAMPLE non-ASCII characters, in their runs, and whether it
    holds a NUL."""

    def __init__(self):
        self.runs: list[str] = []
        self.count, self.open, self.nul = 0, False, False

    def feed(self, piece: str) -> "_Signs":
        if "\x00" in piece:
            self.nul = True
        # by blocks: an ASCII block (most of a file, in most files) is passed over at C speed
        for at in range(0, len(piece), 65536):
            if self.count >= SAMPLE:
                break
            block = piece[at:at + 65536]
            if block.isascii():
                self.open = False
                continue
            for found in _NON_ASCII_RUN.finditer(block):
                run = found.group()
                if self.open and found.start() == 0 and self.runs:
                    self.runs[-1] += run
                else:
                    self.runs.append(run)
                self.count += len(run)
                if self.count >= SAMPLE:
                    break
            self.open = block[-1] > "\x7f"
        return self

    def verdict(self, encoding: str, after_gbk: bool) -> str:
        """"yes": the text is of `encoding`; "doubt": read so only if no later candidate
        reads the file (a GB18030 reading that looks Latin); "no": it is not."""
        chars = "".join(self.runs)[:SAMPLE]
        if encoding == "gb18030" and chars:
            trails = sum(1 for ch in chars if len(b := ch.encode("gb18030")) == 2 and 0x40 <= b[1] <= 0x7E)
            return "doubt" if trails >= LATIN_AS_GBK * len(chars) else "yes"
        if encoding == "cp1252" and after_gbk:
            # Not Windows-1252 text: a NUL (UTF-16 or UTF-32), or non-ASCII characters
            # that mostly come in runs (double-byte Chinese that GB18030 could not read,
            # cut inside a character: "ÕÅÈ"); Latin text has its accents between letters.
            paired = sum(len(run) for run in self.runs if len(run) > 1)
            return "no" if self.nul or (chars and paired >= LATIN_AS_GBK * self.count) else "yes"
        return "yes"


def decode(data: bytes, path: str | Path, encoding: str | None = None,
           fallbacks: tuple[str, ...] = ENCODINGS) -> str:
    """Decode with the given encoding, else the first of `fallbacks` that decodes the
    whole file and whose reading _Signs does not doubt: by default UTF-8 (BOM or not),
    GB18030, and Windows-1252 (for text that GB18030 reads as a Latin text's mojibake, or
    does not read). A BOM comes first: a file that starts with one is read as it says."""
    bom = bom_encoding(data)
    if bom is not None:
        try:
            return _checked(data.decode(bom), path, bom)
        except UnicodeDecodeError:
            raise _not_bom(lambda: _chunks(data), path, bom) from None
        except MemoryError:
            raise StatementError(path, 0, "not enough memory to decode the file") from None
    doubted = None
    for candidate in (encoding,) if encoding else fallbacks:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as exc:
            if encoding:
                raise _not_valid(path, encoding, exc.start, data[: exc.start].count(b"\n") + 1, _cut(exc)) from None
            if _utf8_cut(candidate, exc, not exc.object[:exc.start].isascii()):
                raise _cut_off(path, _named(candidate), data.count(b"\n") + 1) from None
            damaged = _utf8_damaged(lambda: _chunks(data), path, candidate) if candidate.startswith("utf-8") else None
            if damaged is not None:
                raise damaged from None
            continue
        except MemoryError:
            raise StatementError(path, 0, "not enough memory to decode the file") from None
        verdict = "yes" if encoding else _Signs().feed(text).verdict(candidate, "gb18030" in fallbacks)
        if verdict != "yes":
            if verdict == "doubt" and doubted is None:
                doubted = candidate, text
            continue
        return _checked(text, path, candidate)
    if doubted is not None:
        return _checked(doubted[1], path, doubted[0])
    raise _damaged(lambda: _chunks(data), path, fallbacks) or _undecodable(path, fallbacks)


def _chunks(data: bytes) -> Iterator[bytes]:
    return (data[at:at + CHUNK] for at in range(0, len(data), CHUNK))


def _checked(text: str, path, candidate: str) -> str:
    if "\ufffd" in text or _looks_like_mojibake(text):
        raise _garbled(path, candidate, text[: max(text.find("\ufffd"), 0)].count("\n") + 1)
    cleaned = CONTROL.sub("", text.lstrip("\ufeff"))
    if "\x00" in text:
        if not cleaned.strip():
            raise _only_nuls(path, text.count("\x00"))
        zeroed = _zeroed([text], path)
        if zeroed is not None:
            raise zeroed
    return cleaned


# NUL bytes where text was lost: a disk or a sync failure writes zeros, a file made at
# its size and never written holds them (blind33: a 4 KB file of NUL bytes was "the file
# is empty"). CONTROL takes a NUL out of a cell, as any control character; a run of
# LOST_RUN or more with text after it is text lost in the middle of the file, the lines
# around it joined. One after the last line is left: padding (a block-padded export)
# loses nothing, and a file cut there reads as one cut off.
LOST_RUN = 16
_LOST = re.compile("\x00{%d,}" % LOST_RUN)


def _only_nuls(path, count: int) -> StatementError:
    return StatementError(path, 1, f"the file holds only NUL bytes ({count} of them), no text: a disk or sync "
                          "failure? copy or download the statement again")


def _zeroed(pieces, path) -> StatementError | None:
    """The error of a run of NUL bytes with text after it in the file's text (`pieces`, as
    decoded, controls and all), None where there is none. A run across two pieces may be
    counted short: what is said is where it starts."""
    line, run = 1, None   # run: (its line, its NULs)
    for piece in pieces:
        at = 0
        if run is None:
            found = _LOST.search(piece) if "\x00" * LOST_RUN in piece else None
            if found is None:
                line += piece.count("\n")
                continue
            run, at = (line + piece.count("\n", 0, found.start()), found.end() - found.start()), found.end()
        if CONTROL.sub("", piece[at:]).strip():
            return StatementError(path, run[0], f"{run[1]} NUL bytes here, and text after them: part of the file was "
                                  "overwritten with zeros (a disk or sync failure?); copy or download the statement "
                                  "again")
    return None


def _not_valid(path, encoding: str, start: int, line: int, cut: bool = False) -> StatementError:
    if cut:
        return _cut_off(path, encoding, line)
    return StatementError(path, line, f"not valid {encoding} text (byte {start}), the encoding config.yaml names "
                          "(correct `encoding:` or re-export the file)")


# A decoder's reasons for bytes that end the file inside a character (UTF-8's, and the
# CJK codecs'): never said of bytes before the end.
_CUT_REASONS = ("unexpected end of data", "incomplete multibyte sequence")


def _cut(exc: UnicodeDecodeError) -> bool:
    """Whether the decode failed because the file ends inside a character."""
    return exc.reason in _CUT_REASONS and exc.end == len(exc.object)


def _utf8_cut(candidate: str, exc: UnicodeDecodeError, non_ascii: bool) -> bool:
    """Whether a file is UTF-8 text cut off: valid UTF-8, characters past ASCII among
    it, up to its last bytes, which begin a character. No other encoding's reading of it
    is right (GB18030 reads UTF-8 Chinese in runs of an even number of bytes without an
    error, as mojibake), so no other is tried."""
    return candidate.startswith("utf-8") and non_ascii and _cut(exc)


def _cut_off(path, encoding: str, line: int) -> StatementError:
    return StatementError(path, line, f"cut off inside a character (the file reads as {encoding} up to its last "
                          "bytes): is the file complete? download or copy it again")


# A file no encoding reads whole may be one encoding's text, damaged: cut off inside a
# character (a download or a copy that stopped), a few bytes lost or overwritten, or a
# line pasted from a file of another encoding. Then "cannot decode, re-save it as UTF-8"
# is wrong twice (the line, the advice): it is said where (the line of the first bad
# byte) and what. An encoding reads such a file but on at most DAMAGED lines, at most one
# per DAMAGED_SHARE of the non-ASCII characters it reads on the other lines, those
# without a bad byte (another encoding's text fails all through: UTF-16 read as UTF-8 at
# every other character, GBK read as UTF-8 on every line with Chinese, whatever few of its
# characters read as UTF-8 by chance); an end cut inside a character is said whatever
# the share.
DAMAGED = 8
DAMAGED_SHARE = 50


@dataclass
class _Reading:
    """A fallback's reading of a file that does not decode, bad bytes replaced."""
    encoding: str
    bad: int = 0           # places of bytes the encoding does not read, but a cut end
    where: list = field(default_factory=list)   # the lines of those places, each once
    cut: bool = False      # the file ends inside a character
    lines: int = 1         # the file's lines
    non_ascii: int = 0     # non-ASCII characters read on the lines without a bad place


def _read_damaged(chunks, encoding: str, signs: "_Signs") -> _Reading | None:
    """`encoding`'s reading of the file's bytes (`chunks`, a chunk at a time), None as
    soon as it is not a damaged file's (bad places on more than DAMAGED lines)."""
    found = _Reading(encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    line = [False, 0]   # the line being read: a bad place in it, its non-ASCII characters

    def ended(lines: int) -> None:
        if not line[0]:
            found.non_ascii += line[1]
        line[0], line[1] = False, 0
        found.lines += lines

    def read(text: str) -> None:
        signs.feed(text)
        at = 0
        for run in _NON_ASCII_RUN.finditer(text):   # U+FFFD is one: a line end never is
            if (lines := text.count("\n", at, run.start())):
                ended(lines)
            bad = run.group().count("\ufffd")
            if bad:
                found.bad += bad
                if not line[0]:
                    line[0] = True
                    found.where.append(found.lines)
                    if len(found.where) > DAMAGED:
                        return
            line[1] += len(run.group()) - bad
            at = run.end()
        if (lines := text.count("\n", at)):
            ended(lines)

    for data in chunks:
        read(decoder.decode(data))
        if len(found.where) > DAMAGED:
            return None
    found.cut = bool(decoder.getstate()[0])   # bytes of a character begun, never ended
    end = decoder.decode(b"", final=True)
    read(end[:-1] if found.cut and end.endswith("\ufffd") else end)
    ended(0)
    return found if len(found.where) <= DAMAGED else None


def _is_damaged(found: _Reading) -> bool:
    """Whether a reading is of its encoding's text, damaged (see DAMAGED)."""
    return len(found.where) * DAMAGED_SHARE <= found.non_ascii if found.bad else found.cut


def _damaged(chunks_of, path, fallbacks: tuple[str, ...]) -> StatementError | None:
    """The error of a file one of `fallbacks` reads but for a few bytes (`chunks_of()`:
    its bytes again, a chunk at a time), of the reading with the fewest bad places; None
    where none does (an unknown encoding: _undecodable)."""
    best = None
    for candidate in fallbacks:
        signs = _Signs()
        found = _read_damaged(chunks_of(), candidate, signs)
        if found is None or signs.verdict(candidate, "gb18030" in fallbacks) == "no":
            continue
        if _is_damaged(found) and (best is None or found.bad + found.cut < best.bad + best.cut):
            best = found
    return None if best is None else _said_damaged(path, best)


def _utf8_damaged(chunks_of, path, candidate: str) -> StatementError | None:
    """The error of a file that is UTF-8 text but on a few lines (_is_damaged: a line
    pasted from a GBK export into a UTF-8 one), None where it is not. Said before any
    other encoding is tried: GB18030 reads almost any bytes, UTF-8 Chinese in runs of an
    even number of bytes among them, as mojibake, and a reading of every byte by it is no
    sign of GB18030 text; valid UTF-8 past ASCII on the other lines is one of UTF-8 text."""
    found = _read_damaged(chunks_of(), candidate, _Signs())
    return _said_damaged(path, found) if found is not None and found.bad and _is_damaged(found) else None


def _said_damaged(path, best: _Reading) -> StatementError:
    name = _named(best.encoding)
    if not best.bad:
        return _cut_off(path, name, best.lines)
    first, *more = best.where
    also = f", and on line{'s' if len(more) > 1 else ''} {', '.join(map(str, more))}" if more else ""
    also += ", and it ends inside a character" if best.cut else ""
    return StatementError(path, first, f"bytes not valid {name} text here{also} (the rest of the file reads as "
                          f"{name}): is the file damaged? download it again, or correct "
                          + ("these lines" if more else "this line"))


def _not_bom(chunks_of, path, bom: str) -> StatementError:
    """The error of a file whose BOM names an encoding its bytes are not (`chunks_of()`:
    its bytes, a chunk at a time): cut off inside a character, or damaged on a few lines,
    said as of any file (_said_damaged); else not that encoding's text at all, whatever
    its first bytes say. Never that config.yaml's encoding is wrong: the BOM decides."""
    found = _read_damaged(chunks_of(), bom, _Signs())
    if found is not None and (found.bad or found.cut):
        return _said_damaged(path, found)
    name = _named(bom)
    return StatementError(path, 1, f"the file starts with the byte order mark of {name} but is not {name} text on "
                          "most of its lines (expected a text statement; download it again, or save it as UTF-8)")


# Only a bank and an orders-csv shop take `encoding:` (a channel's format says its own:
# the advice is not to set a key the config refuses).
ENCODING_KEY = "for a bank's or an orders-csv shop's file, set that source's `encoding:` in config.yaml"


def _garbled(path, candidate: str, line: int) -> StatementError:
    return StatementError(path, line, f"text decodes as {candidate} but looks garbled (mojibake); re-export the "
                          f"statement, or {ENCODING_KEY}")


def _named(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8"}.get(encoding, encoding.upper())


def _undecodable(path, fallbacks: tuple[str, ...]) -> StatementError:
    names = [_named(e) for e in fallbacks]
    listed = " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]
    return StatementError(path, 1, f"cannot decode the file as {listed} text (expected a text statement; re-save "
                          f"it as UTF-8, or {ENCODING_KEY})")


EMPTY = "the file is empty (expected a statement)"


def _looks_like_mojibake(text: str) -> bool:
    # UTF-8 read as a legacy code page, re-saved as UTF-8: 'å¾®ä¿¡' instead of '微信'.
    return bool(re.search(r"[\u00c0-\u00ef][\u0080-\u00bf]{1,2}[\u00c0-\u00ef]", text[:4096]))


def read_text(path: str | Path, encoding: str | None = None, fallbacks: tuple[str, ...] = ENCODINGS) -> str:
    text = decode(read_bytes(path), path, encoding, fallbacks)
    if not text.strip():
        raise StatementError(path, 1, EMPTY)
    return text


# -- large files, as a stream of lines ------------------------------------------------
# A statement past STREAM_FROM bytes is never held whole as text: it is decoded in chunks,
# each pass over it a fresh read of the file. What it reads is what read_text() gives,
# line for line: the same encoding chosen, the same BOM and control characters dropped.
# A gzip body is streamed as it inflates when its text is past STREAM_FROM. Anything
# unusual (a broken gzip, a byte that does not decode, U+FFFD, mojibake, a blank file)
# is left to read_text(), which says what is wrong exactly as for a small file; past
# ERRORS_WHOLE_UP_TO the stream, which has read the file through, says it itself (the
# same words at the same line), never holding the file for it.

# A file read whole is held as rows of cells, ~18 times its bytes (a 16 MiB WeChat bill
# took 290 MB): past 4 MiB the stream keeps an import's peak flat in the file's length.
STREAM_FROM = 4 * 2**20
CHUNK = 2**20
# A stream that meets an error reads the file again whole, so that the error said is the
# one the whole read says first (its shape before its rows). Past this the stream's own
# error is said: as true (file, line, what is wrong), where the whole read of a large XML
# or JSON statement would take 9 to 25 times its bytes to say another.
ERRORS_WHOLE_UP_TO = 8 * 2**20


def errors_read_whole(path: str | Path) -> bool:
    """Whether a stream's error in `path` is said by reading the file again whole."""
    try:
        return Path(path).stat().st_size <= ERRORS_WHOLE_UP_TO
    except OSError:
        return True


def text_stream(path: str | Path, encoding: str | None = None, fallbacks: tuple[str, ...] = ENCODINGS,
                lines: bool = True):
    """A function giving the lines of a large statement (keeping their line ends, split
    as io.StringIO(read_text(path), newline="") splits them), one fresh pass a call; or
    None where the file is to be read whole by read_text(). Its argument, a one-item list
    if given, counts the bytes read so far (for progress). With `lines=False` it gives the
    text in pieces as decoded, not cut into lines: for a format whose lines can be as long
    as the file (an OFX body all on one line). A file read_text() refuses (not text of the
    encoding, garbled, blank, a broken or too large gzip body) is read whole by it up to
    ERRORS_WHOLE_UP_TO; past it (of a gzip body: its text past it) the StatementError
    read_text() raises is raised here. The encoding is chosen as decode() chooses it."""
    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
        # A gzip body (a WeChat bill can be one) is judged by its text, known only once
        # inflated: the pass below inflates it, within byte_chunks' limits.
        if size > MAX_BYTES or (size < STREAM_FROM and not gzipped):
            return None
    except OSError:
        return None
    said = not errors_read_whole(path)   # read_text()'s error, found here, said here
    doubted = None   # a reading _Signs doubts: taken if no later candidate reads the file
    try:
        with contextlib.closing(byte_chunks(path, 4)) as first:
            bom = bom_encoding(next(first, b""))   # as decode(): a BOM says the encoding
    except StatementError:   # a broken gzip body: the pass below says it, as read_text() does
        bom = None
    named = bom or encoding
    for candidate in (named,) if named else fallbacks:
        length = 0
        try:
            head, start, blank, garbled, newlines, signs = "", True, True, 0, 0, _Signs()
            nuls, zeros = 0, False   # NULs of a blank file; a run of them (_zeroed)
            for chunk in _decoded(path, candidate):
                if not named:
                    signs.feed(chunk)
                if not garbled and "\ufffd" in chunk:
                    if not said:
                        return None
                    garbled = newlines + chunk.count("\n", 0, chunk.index("\ufffd")) + 1   # the first one's line
                elif said and not garbled:
                    newlines += chunk.count("\n")
                length += len(chunk)
                if len(head) < 4096:
                    head += chunk[:4096]
                if blank:
                    if start:
                        chunk = chunk.lstrip("\ufeff")
                        start = not chunk
                    blank = not CONTROL.sub("", chunk).strip()
                    nuls += chunk.count("\x00")
                if not zeros and "\x00" * LOST_RUN in chunk:
                    zeros = True
            if gzipped and length < STREAM_FROM:
                return None   # a gzipped file of little text is read whole, as a small file is
            verdict = "yes" if named else signs.verdict(candidate, "gb18030" in fallbacks)
            if verdict != "yes":
                if verdict == "doubt" and doubted is None:
                    doubted = candidate, garbled, head, blank, nuls, zeros
                continue
            return _streamed(path, candidate, garbled, head, blank, nuls, zeros, said, lines)
        except UnicodeDecodeError as exc:
            if bom:
                if not said:
                    return None
                raise _not_bom(lambda: byte_chunks(path, CHUNK), path, bom) from None
            if encoding:
                if not said:
                    return None
                line = _newlines_before(path, END if _cut(exc) else exc.at) + 1
                raise _not_valid(path, encoding, exc.at, line, _cut(exc)) from None
            if _utf8_cut(candidate, exc, signs.count > 0):
                if not said:
                    return None
                raise _cut_off(path, _named(candidate), _newlines_before(path, END) + 1) from None
            if candidate.startswith("utf-8"):
                damaged = _utf8_damaged(lambda: byte_chunks(path, CHUNK), path, candidate)
                if damaged is not None:
                    if not said:
                        return None
                    raise damaged from None
            continue
        except StatementError:   # byte_chunks' (a broken gzip, a gzip bomb): read_bytes' own
            if said or length > ERRORS_WHOLE_UP_TO:
                raise
            return None
        except (OSError, MemoryError):   # read_text() says what is wrong
            return None
    if doubted is not None:
        return _streamed(path, *doubted, said, lines)
    if said:
        raise _damaged(lambda: byte_chunks(path, CHUNK), path, fallbacks) or _undecodable(path, fallbacks)
    return None


def _streamed(path, candidate: str, garbled: int, head: str, blank: bool, nuls: int, zeros: bool, said: bool,
              lines: bool):
    """text_stream's answer for the reading chosen (what its pass found of it): the
    function giving its pieces; None where read_text() is to say what is wrong with it,
    or that error (`said`). A run of NULs is judged by read_text() too (_zeroed), or
    here by a second pass."""
    if garbled or _looks_like_mojibake(head):
        if not said:
            return None
        raise _garbled(path, candidate, garbled or 1)
    if blank:
        if not said:
            return None
        raise _only_nuls(path, nuls) if nuls else StatementError(path, 1, EMPTY)
    if zeros:
        if not said:
            return None
        zeroed = _zeroed(_decoded(path, candidate), path)
        if zeroed is not None:
            raise zeroed
    pieces = _lines if lines else _text
    return lambda read=None: pieces(path, candidate, read)


END = MAX_BYTES + 1   # _newlines_before(path, END): every line end of the file (a cut is past them all)


def _newlines_before(path, at: int) -> int:
    """The line ends in the first `at` bytes of the file (un-gzipped), one chunk at a time."""
    count = 0
    for data in byte_chunks(path, CHUNK):
        count += data.count(b"\n", 0, at)
        at -= len(data)
        if at <= 0:
            break
    return count


def _decoded(path, encoding: str, read: list | None = None) -> Iterator[str]:
    """The file's text, decoded a chunk at a time. A UnicodeDecodeError knows `at`, the
    byte decode() names for it (counted after the BOM utf-8-sig strips, as there)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    sig = codecs.lookup(encoding).name == "utf-8-sig"
    head, fed, before = b"", 0, 0   # the first bytes; bytes given to the decoder; where those it decodes start
    try:
        for data in byte_chunks(path, CHUNK, read):
            if sig and len(head) < 3:
                head += data[:3]
            before = fed - len(decoder.getstate()[0])
            fed += len(data)
            text = decoder.decode(data)
            if text:
                yield text
        before = fed - len(decoder.getstate()[0])
        text = decoder.decode(b"", final=True)
        left = decoder.getstate()[0]   # (utf-8-sig keeps the start of a BOM it never saw end, even so)
        if left:
            raise UnicodeDecodeError(encoding, left, 0, len(left), "unexpected end of data")
    except UnicodeDecodeError as exc:
        # Of the call that strips a BOM (its bytes from 0) the error counts from after it already.
        exc.at = before + exc.start - (3 if sig and head[:3] == codecs.BOM_UTF8 and before > 0 else 0)
        raise
    if text:
        yield text


def _text(path, encoding: str, read: list | None = None) -> Iterator[str]:
    """The text decode() makes of the file, piece by piece: leading BOMs, then control
    characters removed (each is one character: removing them chunk by chunk is removing
    them from the whole)."""
    start = True
    for chunk in _decoded(path, encoding, read):
        if start:
            chunk = chunk.lstrip("\ufeff")
            if not chunk:
                continue
            start = False
        yield CONTROL.sub("", chunk)


def _lines(path, encoding: str, read: list | None = None) -> Iterator[str]:
    """The lines of _text(), split at \\n, \\r and \\r\\n."""
    pending = ""
    for chunk in _text(path, encoding, read):
        lines = io.StringIO(pending + chunk, newline="").readlines()
        pending = lines.pop() if lines else ""
        if pending.endswith("\n"):  # complete; one ending in \r may meet its \n in the next chunk
            lines.append(pending)
            pending = ""
        yield from lines
    if pending:
        yield pending


class StreamedText:
    """A large statement's text as text_stream() gives it (`pieces`: the function it
    returns), a fresh pass an iteration, with progress() in bytes of the file read for
    StatementImporter.each. A reader's subclass hands on its own units in __iter__."""

    def __init__(self, path: str | Path, pieces):
        self.path, self.pieces, self.read = str(path), pieces, [0]
        try:
            self.size = Path(path).stat().st_size
        except OSError:
            self.size = 0

    def progress(self) -> tuple[int, int]:
        return min(self.read[0], self.size), self.size

    def __iter__(self) -> Iterator[str]:
        return self.pieces(self.read)


# -- rows and cells ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)  # slots: a million-row statement holds a million of these
class Row:
    line: int           # 1-based line where the row starts
    cells: list[str]    # raw cells


@dataclass(frozen=True, slots=True)
class UnendedRow(Row):
    """A CSV file's last row where the file ends inside it, without a line end: a row of
    it short of cells is a file cut off mid-row (read_statement refuses it rather than pad
    it: a cut 对手信息 booked a CMB credit a second time under another text)."""


def csv_rows(text, path: str | Path, delimiter: str = ",") -> Iterator[Row]:
    """CSV rows with the line each starts on. Lenient about a TAB after a closing quote
    (`"3985734"\t,` — invalid RFC 4180, common in Chinese exports); strict about a quote
    left open at the end of the file (a file cut off mid-row). The last row is an
    UnendedRow where no line end follows it. `text`: the text, or (text_stream) its lines."""
    quotes, unended = [0], [False]
    end = -1   # the text's length where it ends without a line end: a row read up to it is unended
    if isinstance(text, str):
        quotes[0] = text.count('"')
        source = io.StringIO(text, newline="")
        if text[-1:] not in ("\n", "\r", ""):
            end = len(text)
    else:
        source = _counting(text, quotes, unended)
    reader = csv.reader(source, delimiter=delimiter, strict=False)
    start = last = 1
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            if quotes[0] % 2:
                raise StatementError(path, last, "a quoted cell is never closed (is the file cut off?)") from None
            return
        except csv.Error as exc:
            raise StatementError(path, reader.line_num, f"malformed CSV ({exc})") from None
        except MemoryError:
            raise StatementError(path, start, "not enough memory to read the rows") from None
        rows += 1
        if rows > MAX_ROWS:
            raise StatementError(path, start, f"more than {MAX_ROWS:,} rows, the limit for one statement "
                                 "(split the export into shorter periods)")
        yield UnendedRow(start, cells) if unended[0] or (end >= 0 and source.tell() == end) else Row(start, cells)
        last, start = start, reader.line_num + 1


def _counting(lines: Iterator[str], quotes: list, unended: list) -> Iterator[str]:
    """The lines, counting their quotes; one line ahead, so that `unended` is set as the
    last line is given, where it has no line end."""
    previous = None
    for line in lines:
        if previous is not None:
            yield previous
        if '"' in line:
            quotes[0] += line.count('"')
        previous = line
    if previous is not None:
        unended[0] = not previous.endswith(("\n", "\r"))
        yield previous


PLACEHOLDERS = {"", "/", "-", "--", "—", "null", "NULL", "None"}


def clean(cell: str) -> str:
    """Strip what exports add to protect cells from Excel: TABs, a leading backtick or
    apostrophe (and its closing one: Amex's `'AT262450001000010012345'`, ASN Bank's memos),
    `="…"`, padding spaces; and control characters anywhere. Placeholders (`/`, `-`, `--`,
    `---…`) become ''."""
    text = cell.strip()  # whitespace includes TAB and NBSP
    if text.isprintable():  # the usual cell (printable text holds no NBSP): at most a protecting `'
        if text[:1] in ("`", "'"):
            text = _quoted_off(text)
        elif text[:1] == "=":
            return _unwrapped(text)
        return "" if text in PLACEHOLDERS or (text[:1] == "-" and not text.strip("-")) else text
    text = CONTROL.sub("", text).strip()  # NBSP, or a control character (NUL, DEL, C1): never kept
    if text[:1] not in ("=", "`", "'") and "\u00a0" not in text:
        return "" if text in PLACEHOLDERS or (text[:1] == "-" and not text.strip("-")) else text
    return _unwrapped(text)


def _unwrapped(text: str) -> str:
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = _quoted_off(text.strip("\t ")).replace("\u00a0", " ").strip()
    if text in PLACEHOLDERS or set(text) == {"-"}:
        return ""
    return text


def _quoted_off(text: str) -> str:
    """A cell without its leading backticks and apostrophes, and without the apostrophe
    that closes one opened by an apostrophe: `'AT2624…'` is AT2624…."""
    closed = text[:1] == "'" and text[-1:] == "'" and len(text) > 1
    return (text[:-1] if closed else text).lstrip("`'").strip()


# A long number Excel showed in scientific notation and saved so: `2.50623E+14` of a
# 15-digit 订单编号, `3.01235E+18` of a Taobao order number. The id's digits are gone.
_EXCEL_SHORTENED = re.compile(r"\d(?:[.,]\d+)?E\+\d{1,3}", re.IGNORECASE)


def excel_shortened(cell: str) -> bool:
    """Whether a (cleaned) id cell is a number Excel shortened to scientific notation:
    not an id any export writes, and not one that can be read back."""
    return ("E+" in cell or "e+" in cell) and _EXCEL_SHORTENED.fullmatch(cell) is not None


def whole_id(text: str, path, line: int, column: str, what: str = "an id") -> str:
    """A (cleaned) id cell as written, refused where Excel shortened it (excel_shortened):
    the one rule of every id column, a bank's ref, a shop's order id, a bill's 交易单号.
    Every row of a bill whose 28-digit ids Excel saved as `4.2E+27` has one id, none the
    books hold: booked beside the download, each row twice (blind10). `what` says what
    the id is (`an order id`)."""
    if excel_shortened(text):
        raise shortened_id(path, line, f"column {column}", text, what)
    return text


def shortened_id(path, line: int, where: str, text: str, what: str = "an id") -> StatementError:
    """The error of an id Excel shortened to scientific notation, `where` it was read (a
    column, or the id's name where an importer made it: base.transaction)."""
    return StatementError(path, line, f"{where}: {text!r} is {what} Excel shortened to scientific notation (its "
                          "digits are lost); import the file as downloaded, or set the column to Text in Excel "
                          "before saving it")


# The dashes a name is written with, as one: Excel and people swap the hyphen-minus, the
# hyphen, the non-breaking hyphen, the figure dash, the en and em dash, the horizontal bar
# and the minus sign (a German PayPal download's `Allgemeine Abbuchung - Bankkonto` is
# written with an en dash elsewhere, blind26). NFKC makes the full-width and small
# hyphen-minus ASCII already.
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


def header_key(cell: str) -> str:
    """Header names compared loosely: full-width and ASCII parentheses, spaces, case and
    dashes do not matter (`收支金额（元）` == `收支金额(元)`, `Betrag – EUR` == `Betrag-EUR`)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean(cell)).translate(DASHES)).lower()


def name_key(text: str) -> str:
    """A name a statement writes in a cell (a type, a status) as tables of known names
    hold it: case, runs of spaces and dashes do not matter (`General Withdrawal – Bank
    Account` is `general withdrawal - bank account`)."""
    return " ".join(text.translate(DASHES).lower().split())


@contextlib.contextmanager
def paused_gc():
    """Reading a million rows makes millions of lists and strings, none in a reference
    cycle; Python's cycle collector would walk them all again and again (a third of the
    time of a large import). It is paused while they are made."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def json_shown(value) -> str:
    return "nothing" if value is None else repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
