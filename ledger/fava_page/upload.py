"""Statements dropped on the Reconciliation page: the same import as `beanclear import`.

The page posts the files as multipart/form-data (field `statement`, one part per file).
A multipart form, unlike a JSON body, is a request another site can make without a CORS
preflight, so the same-origin check of guard.py runs before a byte of the body is read,
and the body is bounded (size, number of parts) before Werkzeug parses it.

The files are written under `statements/.upload-*/` (a hidden folder: `beanclear import
statements/` never reads a half-received upload), imported from there by
books.importing.run exactly as the command line imports them (identified by content,
checked for belonging, written atomically under the books' lock), and only then archived
as `statements/<source>/<name>`, the folder `beanclear import` reads a source's files
from. The books depend on the file's name (its coverage record names it) and bytes only,
so an upload writes the same books as `beanclear import` of that file.

Two optional text fields are `beanclear import`'s options: `source` (a source's name
from config.yaml, for a file two sources of one type claim) and `force` ("1": read a
statement the books record by its digest again, and lift the belonging check).

A bad file (or a refused one: another account's, a closed month's) answers 400 with
`name:line: what was wrong`; nothing is written to the books and nothing is archived.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from beanclear.books import importing
from beanclear.fava_page import guard
from beanclear.fava_page.guard import Refused
from beanclear.importers.toolkit import StatementError
from beanclear.periods.closed import ClosedMonth
from beanclear.resolve import on_the_page

FIELD = "statement"
OPTIONS = ("source", "force")       # text fields: `beanclear import --source NAME --force`
MAX_FILES = 20                      # files of one upload
MAX_BYTES = 64 * 1024 * 1024        # bytes of one upload's body, all files together
MAX_NAME = 200                      # characters of a file's name
STAGING = ".upload-"


@dataclass
class Received:
    name: str
    data: bytes


@dataclass
class Options:
    source: str | None = None
    force: bool = False


def receive() -> list[Received]:
    """The files of an upload request; raises Refused unless it is a same-origin
    multipart POST of 1 to MAX_FILES files with acceptable names, and nothing else but
    the OPTIONS fields (read by options())."""
    guard._same_origin()  # before the body is read: a form post is a "simple" cross-site request
    if request.mimetype != "multipart/form-data":
        raise Refused(415, "expected the files as multipart/form-data")
    request.max_content_length = MAX_BYTES
    request.max_form_parts = MAX_FILES
    request.max_form_memory_size = 256 * 1024   # text fields are short; Werkzeug applies it per chunk read, too
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise Refused(413, f"upload: larger than {MAX_BYTES // (1024 * 1024)} MB or more than {MAX_FILES} files; "
                           "import big statements with `beanclear import`") from None
    for name in form.keys():
        if name not in OPTIONS:
            raise Refused(400, f"{guard._shown(name)}: unknown field; expected {FIELD}, {' or '.join(OPTIONS)}")
    for name in files.keys():
        if name != FIELD:
            raise Refused(400, f"{guard._shown(name)}: unknown field; expected {FIELD}")
    parts = files.getlist(FIELD)
    if not parts:
        raise Refused(400, f"{FIELD}: no file was sent")
    out, seen = [], set()
    for part in parts:
        name = file_name(part.filename)
        if name in seen:
            raise Refused(400, f"{name}: sent twice in one upload")
        seen.add(name)
        out.append(Received(name, part.read()))
    return out


def options(config) -> Options:
    """The upload's `source` and `force` fields, as `beanclear import` takes them; an
    empty source is none (each file is identified by its content)."""
    source = request.form.get("source", "").strip() or None
    names = sorted(config.sources)
    if source is not None and source not in names:
        raise Refused(400, f"source {guard._shown(source)}: not a source of config.yaml (expected one of "
                           f"{', '.join(names)})")
    force = request.form.get("force", "")
    if force not in ("", "0", "1"):
        raise Refused(400, f"force: expected 1 or nothing, got {guard._shown(force)}")
    return Options(source, force == "1")


def file_name(raw) -> str:
    """A file's name as the browser sent it, refused unless it can be a plain file name
    inside statements/ (no folder, no hidden or control characters, not too long)."""
    if not isinstance(raw, str) or not raw.strip():
        raise Refused(400, f"{FIELD}: a file without a name")
    name = unicodedata.normalize("NFC", raw)
    if len(name) > MAX_NAME:
        raise Refused(400, f"{FIELD}: a file name longer than {MAX_NAME} characters")
    bad = next((c for c in name if guard._control(c)), None)
    if bad is not None:
        raise Refused(400, f"{FIELD}: control character U+{ord(bad):04X} in a file name")
    if "/" in name or "\\" in name or name.startswith(".") or name != name.strip():
        raise Refused(400, f"{guard._shown(name)}: expected a plain file name (no folder, not hidden)")
    return name


@dataclass
class Outcome:
    summary: list[str]       # one line per file, as `beanclear import` prints them
    archived: list[Path]     # where each file now lies under statements/
    written: list[Path]      # the books' files the import changed


def import_files(config, received: list[Received], chosen: Options = Options()) -> Outcome:
    """Import the received files into the books, then archive them under statements/.
    Raises StatementError (its file is the sent name) with nothing written or kept."""
    statements = config.root / "statements"
    statements.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=statements))
    try:
        paths = []
        for item in received:
            path = staging / item.name
            path.write_bytes(item.data)
            paths.append(path)
        before = _stamps(config.books)
        wrote: list[Path] = []   # this import's writes only: not another request's meanwhile (blind17)
        try:
            results = importing.run(config, paths, source=chosen.source, force=chosen.force, written_to=wrote)
        except StatementError as exc:
            shown = Path(exc.file).name if Path(exc.file).parent == staging else exc.file
            kind = ClosedMonth if isinstance(exc, ClosedMonth) else StatementError   # (its status)
            raise kind(shown, exc.line, exc.reason) from None
        archived, summary = [], []
        # The books are written: from here a failure only loses the copy, and says so.
        for result in results:
            if isinstance(result, importing.LeftOut):   # a summary beside its statement: not kept
                summary.append(result.summary().replace(str(result.path), result.path.name, 1))
                if Path(result.path).parent == staging:   # (only the copy this upload made)
                    Path(result.path).unlink()
                continue
            if getattr(result, "importer", None) is None or Path(result.path).parent != staging:
                summary.append(result.summary())
                continue
            line = result.summary()
            try:
                target = _archive(result.path, statements / result.importer.source.name)
            except OSError as exc:
                summary.append(f"{line}; note: imported, but not kept under statements/ ({exc})")
                continue
            archived.append(target)
            summary.append(line.replace(str(result.path), str(target.relative_to(config.root)), 1))
        for path in paths:   # reference rates (into prices.beancount) have no source: statements/prices/
            if path.exists():
                try:
                    archived.append(_archive(path, statements / "prices"))
                except OSError as exc:
                    summary.append(f"{path.name}: imported, but not kept under statements/ ({exc})")
        after = _stamps(config.books)
        return Outcome(summary, archived, sorted(p for p in set(wrote) if p in after and before.get(p) != after[p]))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _archive(path: Path, folder: Path) -> Path:
    """Move an imported file into its source's folder. The same name with the same bytes
    is already there; the same name taken by other bytes (or a folder) gets the start of
    the file's hash added, and a number if even that is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    # `<stem>.<sha256[:12]><suffix>`, as `beanclear fetch` names a second copy (live/archive.py)
    names = [path.name, f"{path.stem}.{digest}{path.suffix}"]
    names += [f"{path.stem}.{digest}-{n}{path.suffix}" for n in range(2, 100)]
    for name in names:
        target = folder / name
        if not target.exists():
            os.replace(path, target)
            return target
        if target.is_file() and target.read_bytes() == data:
            path.unlink()
            return target
    raise OSError(f"{folder}: no free name for {path.name}")


def _stamps(books: Path) -> dict[Path, bytes]:
    """Each books file's digest: what changed is what the import changed the bytes of,
    not what it rewrote as they were (main.beancount, its includes already there, was
    answered written and Fava told to reload it). The import reads these files anyway."""
    if not books.exists():
        return {}
    return {p: hashlib.sha256(p.read_bytes()).digest() for p in books.rglob("*.beancount") if p.is_file()}


def respond(extension):
    """The `upload` endpoint of the page (Reconciliation.upload): JSON with the summary
    lines, or `{"error": ...}` with 400 (bad file), 403/413/415 (refused request) or 409
    (the books are busy, a month is closed, or a write failed); in the page's terms
    (resolve.on_the_page: the "read again" box for --force)."""
    from flask import jsonify

    from beanclear.books import atomic
    from beanclear.books.atomic import BooksBusy
    from beanclear.config import ConfigError
    from beanclear.checks import reconcile
    try:
        received = receive()
        # the config alone: the page's state (findings, proposals) is not needed to import
        config = reconcile.plugin_config(extension.ledger.options, extension.config_path)
        with atomic.waiting(guard.WRITE_WAIT):   # a request, not a terminal: it waits briefly
            outcome = import_files(config, received, options(config))
    except Refused as exc:
        return jsonify({"error": str(exc)}), exc.status
    except (StatementError, ConfigError) as exc:   # a closed month's: refused by the books, as the actions'
        status = 409 if isinstance(exc, ClosedMonth) else 400
        return jsonify({"error": on_the_page(f"{exc}; nothing was written")}), status
    except BooksBusy as exc:
        return jsonify({"error": str(exc)}), 409
    except OSError as exc:   # a disk that refuses, before the books were written (the import is atomic)
        return jsonify({"error": f"{exc.strerror or exc}; the books are as they were"}), 409
    except MemoryError:
        return jsonify({"error": "out of memory reading the statements; the books are as they were "
                                 "(import big statements with `beanclear import`)"}), 413
    for path in outcome.written:
        extension.ledger.watcher.notify(path)
    root = config.root
    return jsonify({"message": f"imported {len(received)} file(s)",
                    "summary": [on_the_page(line) for line in outcome.summary],
                    "archived": [os.path.relpath(p, root) for p in outcome.archived],
                    "written": [os.path.relpath(p, root) for p in outcome.written]})
