"""Rows the books already hold are read and checked but get no entry (StatementImporter.held):
what makes a re-import cheap. Whatever the books hold, an import with that shortcut writes
the same bytes and says the same as one that builds every entry and drops the known ones."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear import demo
from beanclear.books import importing
from beanclear.importers.base import StatementImporter
from beanclear.importers.toolkit import StatementError
from conftest import snapshot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_import  # noqa: E402  (its config and its bill of generated rows)


def bill(folder: Path, rows: int, name: str = "tradebill.csv", keep=lambda lines: lines) -> Path:
    """A trade bill of `rows` rows (the benchmark's), its data lines filtered by `keep`."""
    rng = random.Random(7)
    till = demo.Till(rng, "1601959334")
    path = folder / "statements" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    demo.write_trade_bill(path, bench_import.bill_rows(till, rng, rows), till)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], *keep(lines[1:-2]), *lines[-2:]]), encoding="utf-8")
    return path


def merchant(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "config.yaml").write_text(bench_import.CONFIG, encoding="utf-8")
    return folder


def run(folder: Path, *paths: Path, held: bool, force: bool = False) -> list[str]:
    """`beanclear import` of `paths`, with or without the shortcut; the summary lines.
    `force` reads a statement the books record by its digest (else not read at all)."""
    config = config_mod.load(folder / "config.yaml")
    original = StatementImporter.held
    if not held:
        StatementImporter.held = lambda self, *args, **kwargs: False
    try:
        return [r.summary() for r in importing.run(config, list(paths), force=force)]
    except StatementError as exc:
        return [f"error: {exc}"]
    finally:
        StatementImporter.held = original


def both(tmp_path: Path, steps) -> None:
    """`steps(folder, import)` done on two merchants, with and without the shortcut:
    the same summaries, the same books."""
    said = {}
    for held in (True, False):
        folder = merchant(tmp_path, f"held-{held}")
        said[held] = steps(folder, lambda *paths, force=False: [line.replace(str(folder), "M")
                                                                 for line in run(folder, *paths, held=held, force=force)])
        said[held] = (said[held], snapshot(folder / "books"))
    assert said[True][0] == said[False][0]
    assert said[True][1] == said[False][1]


def test_reimport_holds_every_row_and_writes_nothing(tmp_path):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 400)
    first = run(folder, path, held=True)
    before = snapshot(folder / "books")
    again = run(folder, path, held=True, force=True)  # read again, not skipped by its digest
    assert "0 entries written, 400 already in the books" in again[0], again
    assert snapshot(folder / "books") == before
    assert first[0].replace("400 entries written, 0 already", "0 entries written, 400 already") == again[0]


def test_a_bill_that_overlaps_the_books(tmp_path):
    def steps(folder, imp):
        half = bill(folder, 400, "first.csv", keep=lambda lines: lines[::2])
        full = bill(folder, 400)
        return imp(half) + imp(full) + imp(full, half, force=True)
    both(tmp_path, steps)


def test_entries_a_person_deleted_come_back_the_same(tmp_path):
    def steps(folder, imp):
        full = bill(folder, 300)
        said = imp(full)
        month = folder / "books" / "wechat" / "2026" / "2026-01.beancount"
        text = month.read_text(encoding="utf-8")
        cut = text.index("\n2026-01-02 ")
        month.write_text(text[:cut + 1] + text[text.index("\n2026-01-03 ", cut) + 1:], encoding="utf-8")
        return said + imp(full, force=True)  # --force reads it again; without, its digest says imported
    both(tmp_path, steps)


def repeated(lines: list[str], row: int, at: int, change: str) -> list[str]:
    """A bill's data lines with line `row` listed again before line `at`: the "same"
    row, or with "other amounts" (应结订单金额 and 订单金额 one yuan more)."""
    cells = lines[row].split(",")
    if change == "other amounts":
        for column in (12, 24):
            cells[column] = f"`{float(cells[column][1:]) + 1:.2f}"
    return lines[:at] + [",".join(cells)] + lines[at:]


@pytest.mark.parametrize("change", ["same", "other amounts"])
def test_a_held_row_listed_twice(tmp_path, change):
    """once_per_id() decides what a repeated id means, also when the books hold it."""
    def twice(lines):
        return repeated(lines, 5, 5, change)

    def steps(folder, imp):
        full = bill(folder, 100)
        said = imp(full) + imp(bill(folder, 100, "again.csv", keep=twice))
        assert ("again, as on line" in said[-1]) == (change == "other amounts"), said
        assert ("repeat an earlier row" in said[-1]) == (change == "same"), said
        return said
    both(tmp_path, steps)


def test_books_written_by_another_command_meanwhile_are_read_again(tmp_path, monkeypatch):
    """The books' ids are read before the statements, without the lock; a write between
    that read and the lock makes the import read its statement again, in full."""
    folder = merchant(tmp_path, "m")
    path = bill(folder, 200)
    run(folder, path, held=True)
    month = folder / "books" / "wechat" / "2026" / "2026-01.beancount"
    text = month.read_text(encoding="utf-8")
    cut = text.index("\n2026-01-02 ")
    original_route = importing.route_batch

    def meanwhile(*args):  # after the statements are read, before the lock: a person's edit
        month.write_text(text[:cut + 1], encoding="utf-8")
        importing.route_batch = original_route
        return original_route(*args)
    monkeypatch.setattr(importing, "route_batch", meanwhile)
    again = run(folder, path, held=True, force=True)
    assert month.read_text(encoding="utf-8") == text
    assert "0 entries written" not in again[0]
