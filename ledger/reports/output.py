"""Which file `report -o` may write: never one among the books, config.yaml or the
statements beanclear keeps (config/books_folder.not_an_output), and of a file already
there only a report of the same format beanclear wrote (last month's, written again) or
an empty one. Anything else (a statement, a person's own PDF or workbook) is refused,
nothing written (blind33 hostile: a PDF replaced books/main.beancount, exit 0)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

READ_AT_MOST = 64 * 2**20   # a report is far smaller: a larger file is not one
# what each format's writer leaves in its file
PDF_AUTHOR = "beanclear"   # pdf.write's author: `/Author (beanclear)` in the file's Info
XLSX_SHEETS = ("Summary", "Findings")   # xlsx.write's first and last sheets
TEXT_HEAD = re.compile(r".*: reconciliation report \d{4}-\d{2} \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\)")
JSON_KEYS = {"title", "period", "start", "end", "banks"}


def replaceable(fmt: str, path: Path) -> bool:
    """Whether a report of format `fmt` may be written to `path`: nothing there, not a
    regular file (/dev/null, a pipe), an empty file, or a report of that format
    beanclear wrote."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return True
        if path.stat().st_size > READ_AT_MOST:
            return False
        data = path.read_bytes()
    except OSError:   # (unreadable: the write says why it cannot write it either)
        return True
    if fmt == "pdf":
        return data.startswith(b"%PDF-") and f"/Author ({PDF_AUTHOR})".encode() in data
    if fmt == "xlsx":
        try:
            with zipfile.ZipFile(path) as book:
                sheets = book.read("xl/workbook.xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, OSError):
            return False
        return all(f'name="{name}"' in sheets for name in XLSX_SHEETS)
    text = data.decode("utf-8", "replace")
    if fmt == "json":
        try:
            return JSON_KEYS <= set(json.loads(text))
        except (ValueError, TypeError):
            return False
    return TEXT_HEAD.fullmatch(text.split("\n", 1)[0]) is not None
