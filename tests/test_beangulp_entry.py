"""The beangulp entry point the registry documents runs with beangulp's own command
line: identify and extract over a statement, as `python import.py extract …` does."""

from __future__ import annotations

import subprocess
import sys

from conftest import WECHAT_AND_BANK, bank_file

IMPORT_PY = """\
import beangulp
from beanclear.importers.registry import from_config
if __name__ == "__main__":
    beangulp.Ingest(from_config("config.yaml"))()
"""


def test_the_documented_import_py_identifies_and_extracts(tmp_path):
    (tmp_path / "config.yaml").write_text(WECHAT_AND_BANK, encoding="utf-8")
    (tmp_path / "import.py").write_text(IMPORT_PY, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    bank_file(tmp_path / "statements")
    run = lambda *args: subprocess.run([sys.executable, "import.py", *args, "statements"], cwd=tmp_path,
                                       capture_output=True, text=True, timeout=120)
    identified = run("identify")
    assert identified.returncode == 0 and "beanclear.ops.bank-csv" in identified.stdout, identified.stderr
    extracted = run("extract")
    assert extracted.returncode == 0, extracted.stderr
    assert 'id: "B002"' in extracted.stdout and "Expenses:Rent" in extracted.stdout
