"""`beanclear import`: statements in, new entries written into the books.

Every file is identified and read before anything is written; one bad file means
nothing is written (and the error names its line). Entries the books already hold,
by their statement id, are counted and skipped, also when two statements overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from beanclear import atomic, render
from beanclear.books import Books
from beanclear.importers.base import Extraction, StatementImporter
from beanclear.importers.registry import for_config
from beanclear.importers.toolkit import StatementError, read_text


@dataclass
class FileResult:
    path: Path
    importer: StatementImporter
    extraction: Extraction
    new: list = field(default_factory=list)
    known: int = 0

    def summary(self) -> str:
        ex = self.extraction
        words = [f"{self.path}: {self.importer.source.name} ({self.importer.kind}), {ex.rows} rows read, "
                 f"{len(self.new)} entries written, {self.known} already in the books"]
        if ex.skipped:
            words.append(", skipped " + ", ".join(f"{n} {why}" for why, n in sorted(ex.skipped.items())))
        for note in ex.notes:
            words.append(f"; note: {note}")
        return "".join(words)


def statement_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the files inside folders named (hidden ones left out), sorted."""
    out = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file()
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            out.append(path)
        else:
            raise StatementError(path, 0, "no such file or folder")
    return out


def identify(path: Path, importers: list[StatementImporter], source: str | None) -> StatementImporter:
    candidates = [i for i in importers if source is None or i.source.name == source]
    if source is not None and not candidates:
        names = sorted({i.source.name for i in importers})
        raise StatementError(path, 0, f"--source {source}: no such source in the config (expected one of "
                             f"{', '.join(names)})")
    claimed = [i for i in candidates if i.identify(str(path))]
    if len(claimed) == 1:
        return claimed[0]
    if not claimed:
        read_text(path)  # an empty or undecodable file says so, rather than "not recognised"
        kinds = sorted({f"{i.source.name} ({i.kind})" for i in candidates})
        raise StatementError(path, 1, "no importer recognises this file (expected a statement of "
                             + ", ".join(kinds) + ")")
    names = ", ".join(f"{i.source.name} ({i.kind})" for i in claimed)
    raise StatementError(path, 1, f"more than one source claims this file: {names}; set account_id in "
                         "config.yaml or pass --source NAME")


def run(config, paths: Iterable[str | Path], source: str | None = None, dry_run: bool = False,
        progress: Callable[[Path], Callable[[int, int], None] | None] = lambda path: None) -> list[FileResult]:
    """Import statements. Raises StatementError (nothing written) on bad input.
    `progress(path)` may give a callback for the rows of that file."""
    importers = for_config(config)
    files = statement_files(paths)
    results = []
    for path in files:
        importer = identify(path, importers, source)
        importer.on_progress = progress(path)
        results.append(FileResult(path, importer, importer.read(str(path))))
    books = Books(config.books)
    with atomic.locked(config.books):
        seen: dict[str, set[str]] = {}
        for result in results:
            name = result.importer.source.name
            if name not in seen:
                seen[name] = books.known(name)
            for entry in result.extraction.entries:
                key = render.identity(entry)
                if key in seen[name]:
                    result.known += 1
                else:
                    seen[name].add(key)
                    result.new.append(entry)
        if not dry_run:
            changes = books.skeleton(config)
            for result in results:
                books.plan(result.importer.source.name, result.new, changes)
            if changes:
                atomic.write_files(config.books, changes)
    return results
