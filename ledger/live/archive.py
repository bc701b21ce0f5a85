"""The raw archive: statements/<source>/<name>, each file written atomically (a temporary
file beside it, then rename) and never overwritten with different bytes. The same bytes
again are left as they are; different bytes under a taken name are kept beside it as
<stem>.<sha256[:12]><suffix> and reported, never replacing what was there.

A statement arrives as bytes, or as a binary file at its start (a fetcher that sorted a
large day on disk, fetch/listing.py): either is copied a block at a time, so storing it
holds no more than a block of it.

A `judge` (fetch/answered.py: whether the answer is of the day asked) reads the file
written under its temporary name, before it takes its name: a file it refuses is removed,
never archived under that name (state "refused", `why` saying its days)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

BLOCK = 1 << 20


@dataclass
class Stored:
    path: Path
    state: str      # "new" | "same" (already archived with these bytes) | "conflict" (kept beside)
    #                 | "refused" (the judge refused it: nothing archived)
    original: Path | None = None
    size: int = 0
    why: str = ""   # why the judge refused it

    def note(self) -> str:
        if self.state == "conflict":
            return (f"{self.original} already holds other bytes for this period: the new copy is kept as "
                    f"{self.path.name}; compare them before importing it")
        return ""


def _reader(content: bytes | BinaryIO) -> BinaryIO:
    """The content as a binary file at its start."""
    if isinstance(content, (bytes, bytearray)):
        return io.BytesIO(content)
    content.seek(0)
    return content


def _size(content: bytes | BinaryIO) -> int:
    if isinstance(content, (bytes, bytearray)):
        return len(content)
    return content.seek(0, os.SEEK_END)


def write_atomic(path: Path, content: bytes | BinaryIO, judge: Callable[[Path], str] | None = None) -> str:
    """Write `content` to `path` whole or not at all; "" once written, or why `judge` (given
    the file under its temporary name) refused it, nothing written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(_reader(content), out, BLOCK)
            out.flush()
            os.fsync(out.fileno())
        why = judge(Path(tmp)) if judge is not None else ""
        if why:
            Path(tmp).unlink(missing_ok=True)
            return why
        os.replace(tmp, path)
        return ""
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same(path: Path, content: bytes | BinaryIO, size: int) -> bool:
    if path.stat().st_size != size:
        return False
    given = _reader(content)
    with open(path, "rb") as held:
        while True:
            block = held.read(BLOCK)
            if block != given.read(BLOCK):
                return False
            if not block:
                return True


def _digest(content: bytes | BinaryIO) -> str:
    given, digest = _reader(content), hashlib.sha256()
    while block := given.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()


def store(folder: Path, name: str, content: bytes | BinaryIO, judge: Callable[[Path], str] | None = None) -> Stored:
    path, size = folder / name, _size(content)
    if path.exists():
        if _same(path, content, size):
            return Stored(path, "same", size=size)
        other = path.with_name(f"{path.stem}.{_digest(content)[:12]}{path.suffix}")
        if not other.exists() and (why := write_atomic(other, content, judge)):
            return Stored(path, "refused", size=size, why=why)
        return Stored(other, "conflict", path, size)
    if why := write_atomic(path, content, judge):
        return Stored(path, "refused", size=size, why=why)
    return Stored(path, "new", size=size)
