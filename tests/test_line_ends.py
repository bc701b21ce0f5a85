"""The books' files keep the line ends a person saved them with (books/atomic.py
_line_end): a month file an editor on Windows saved with CRLF is written back with CRLF,
so the next import's diff is the lines it adds, not every line of the file (blind13,
tester "robustness": 385 insertions, 343 deletions for three new entries)."""

from __future__ import annotations

import difflib

from beancount import loader

from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: UTC
banks:
  firstbank:
    type: csv
    account: Assets:Bank:FirstBank
    currency: USD
    columns: {date: Date, amount: Amount, memo: Description, ref: Reference, balance: Balance}
rules:
  - {match: "RENT", account: Expenses:Rent}
"""
HEADER = "Date,Description,Amount,Reference,Balance\n"


def _merchant(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-10")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "a.csv").write_text(HEADER + "2026-03-02,RENT,-100.00,R1,900.00\n"
                                    "2026-03-09,RENT,-100.00,R2,800.00\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(HEADER + "2026-03-16,RENT,-100.00,R3,700.00\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "a.csv")).exit_code == 0
    return tmp_path / "books" / "firstbank" / "2026" / "2026-03.beancount"


def _changed(before: bytes, after: bytes) -> list[str]:
    return [line for line in difflib.ndiff(before.decode().splitlines(keepends=True),
                                           after.decode().splitlines(keepends=True))
            if line[:1] in "+-"]


def test_a_month_file_saved_with_crlf_keeps_crlf_and_an_import_adds_only_its_lines(tmp_path, monkeypatch):
    month = _merchant(tmp_path, monkeypatch)
    month.write_bytes(month.read_bytes().replace(b"\n", b"\r\n"))
    before = month.read_bytes()
    assert beanclear(tmp_path, "import", str(tmp_path / "b.csv")).exit_code == 0
    after = month.read_bytes()
    changed = _changed(before, after)
    assert changed and all(line.startswith("+ ") for line in changed), changed
    assert after.count(b"\n") == after.count(b"\r\n"), after   # every line CRLF, the new ones too
    assert "R3" in after.decode()
    _, errors, _ = loader.load_file(str(tmp_path / "books" / "main.beancount"))
    assert not errors, errors


def test_a_month_file_with_unix_line_ends_stays_so(tmp_path, monkeypatch):
    """Must not fire: the books as beanclear writes them keep "\\n" alone."""
    month = _merchant(tmp_path, monkeypatch)
    assert beanclear(tmp_path, "import", str(tmp_path / "b.csv")).exit_code == 0
    assert b"\r" not in month.read_bytes()
