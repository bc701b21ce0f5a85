"""Fava's own Import page on the books beanclear creates: statements go through
`beanclear import`, never through Fava's writer.

How Fava imports (fava/core/ingest.py, Fava 1.30): the books' `import-config` option
names a Python file that Fava runs (runpy); its `CONFIG` is a list of beangulp importers
and its optional `HOOKS` a list of functions. The Import page lists the files of the
`import-dirs` folders with the importers whose `identify()` claims them; "Extract" is a
GET of /api/extract that calls the importer's `extract()`, passes the entries through
each hook, and shows what is left in a form; "Save" then sends them back (PUT
/api/add_entries) and Fava inserts them into a file with its own writer (`insert-entry`
options, else the main file) — not beanclear's layout (one file per source and month),
not its identity (statement ids across views), not under its lock.

So main.beancount declares `import-config` as books/fava_import.py (written with the
books: books.FAVA_IMPORT_TEXT), which builds its CONFIG and HOOKS here:
- CONFIG: beanclear's importers for the config, each wrapped so that Fava's `extract()`
  reads nothing (a bad file would reach the user as Fava's traceback);
- HOOKS: one hook that imports each extracted file with books.importing.run, exactly as
  `beanclear import FILE` does (identified by content, checked for belonging, written
  atomically under the books' lock), and hands Fava no entries to save. A bad file is an
  error `file:line: what was wrong` (HTTP 400), and nothing is written.

The hook writes on a GET, so it refuses what the page's JSON POSTs refuse (guard.py)
and more: Fava's --read-only mode (which lets every GET through), a request another site
makes (the browser's Sec-Fetch-Site, or an Origin), an address Fava does not serve, and a
file outside the statements folder of the config (Fava passes any path the query names).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from beangulp import Importer

from beanclear import config as config_mod
from beanclear.books import importing
from beanclear.books.atomic import BooksBusy
from beanclear.importers import registry
from beanclear.importers.toolkit import StatementError

try:   # Fava's error type, shown on its Import page with the HTTP status given
    from fava.json_api import FavaJSONAPIError
except ImportError:   # pragma: no cover - Fava not installed: nothing runs this module's hook
    FavaJSONAPIError = Exception


class Refused(FavaJSONAPIError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self._status = HTTPStatus(status)

    @property
    def status(self) -> HTTPStatus:
        return self._status


class ThroughBeanclear(Importer):
    """A beanclear importer as Fava's Import page sees it: it names and identifies its
    files; its extract() reads nothing (the hook imports)."""

    def __init__(self, inner):
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def identify(self, filepath: str) -> bool:
        return self.inner.identify(filepath)

    def account(self, filepath: str) -> str:
        return self.inner.account(filepath)

    def extract(self, filepath: str, existing=None) -> list:
        return []


def import_config(here: str, config_path: str) -> tuple[list, list]:
    """(CONFIG, HOOKS) for Fava, from the config at `config_path` relative to `here`'s folder."""
    path = Path(here).resolve().parent / config_path
    config = config_mod.load(path)   # a bad config: Fava shows "Error in import config" with the message
    return [ThroughBeanclear(i) for i in registry.for_config(config)], [hook(path)]


def hook(config_path: Path):
    def import_through_beanclear(extracted: list[tuple[str, list, str, Importer]], existing: list) -> list:
        """Fava's hook: import each file with `beanclear import`; nothing left for Fava."""
        _same_origin()
        try:
            config = config_mod.load(config_path)
        except config_mod.ConfigError as exc:
            raise Refused(400, str(exc)) from None
        statements = (config.root / "statements").resolve()
        out = []
        for filename, _entries, account, importer in extracted:
            path = Path(filename).resolve()
            if not path.is_relative_to(statements):
                raise Refused(403, f"{filename}: not under {statements}; beanclear imports only the statements "
                                   "folder beside its config")
            inner = getattr(importer, "inner", importer)
            source = inner.source.name if hasattr(inner, "source") else None
            try:
                importing.run(config, [path], source=source)
            except StatementError as exc:
                raise Refused(400, f"{exc}; nothing was written") from None
            except (BooksBusy, OSError) as exc:   # another import holds the lock; a disk that refuses
                raise Refused(409, f"{exc}; the books are as they were") from None
            out.append((filename, [], account, importer))
        return out
    return import_through_beanclear


def _same_origin() -> None:
    """In a request (Fava's web page), what guard.py asks of a write; outside one
    (Fava's functions called from Python) there is no other site to refuse."""
    from flask import has_request_context
    if not has_request_context():
        return
    from beanclear.fava_page import guard
    if guard.read_only():   # Fava lets every GET through, and Extract is a GET
        raise Refused(401, "Fava runs read-only (--read-only): nothing is imported")
    try:
        guard._same_origin()
    except guard.Refused as exc:
        raise Refused(exc.status, str(exc)) from None
