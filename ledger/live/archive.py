"""The raw archive: statements/<source>/<name>, each file written atomically (a temporary
file beside it, then rename) and never overwritten with different bytes. The same bytes
again are left as they are; different bytes under a taken name are kept beside it as
<stem>.<sha256[:12]><suffix> and reported, never replacing what was there."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Stored:
    path: Path
    state: str      # "new" | "same" (already archived with these bytes) | "conflict" (kept beside)
    original: Path | None = None

    def note(self) -> str:
        if self.state == "conflict":
            return (f"{self.original} already holds other bytes for this period: the new copy is kept as "
                    f"{self.path.name}; compare them before importing it")
        return ""


def write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(folder: Path, name: str, content: bytes) -> Stored:
    path = folder / name
    if path.exists():
        if path.read_bytes() == content:
            return Stored(path, "same")
        digest = hashlib.sha256(content).hexdigest()[:12]
        other = path.with_name(f"{path.stem}.{digest}{path.suffix}")
        if not other.exists():
            write_atomic(other, content)
        return Stored(other, "conflict", path)
    write_atomic(path, content)
    return Stored(path, "new")
