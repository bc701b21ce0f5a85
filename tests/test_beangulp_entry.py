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


def test_a_line_known_by_the_id_an_earlier_release_gave_it_is_a_duplicate(tmp_path):
    # An MT940 line carries the id releases before gave it (`_was`, a tuple): beangulp's printer
    # cannot write one, so deduplicate takes it out, after marking the line a duplicate of an
    # existing entry that holds it (books those releases wrote).
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: EUR\ntimezone: Europe/Berlin\nbanks:\n"
                                          "  eur: {type: mt940, account: Assets:Bank:Eur, currency: EUR}\n",
                                          encoding="utf-8")
    (tmp_path / "import.py").write_text(IMPORT_PY, encoding="utf-8")
    (tmp_path / "eur.sta").write_text(":20:HOST2611\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C261031EUR10000,00\n"
                                      ":61:2611021102D1500,00NTRFNONREF//B110201\n"
                                      ":86:/EREF/NOTPROVIDED/NAME/VERMIETER GMBH/REMI/MIETE NOVEMBER\n"
                                      ":62F:C261130EUR8500,00\n-\n", encoding="utf-8")
    (tmp_path / "old.beancount").write_text(
        '2020-01-01 open Assets:Bank:Eur\n2020-01-01 open Expenses:Rent\n\n'
        '2026-11-02 * "VERMIETER GMBH" "MIETE NOVEMBER"\n  id: "20261102-a6b1cc556868-1"\n'
        "  Assets:Bank:Eur  -1500.00 EUR\n  Expenses:Rent\n", encoding="utf-8")
    run = lambda *args: subprocess.run([sys.executable, "import.py", "extract", *args, "eur.sta"], cwd=tmp_path,
                                       capture_output=True, text=True, timeout=120)
    fresh = run()
    assert fresh.returncode == 0 and "\n2026-11-02 * " in fresh.stdout and "_was" not in fresh.stdout, fresh.stderr
    known = run("-e", "old.beancount")
    assert known.returncode == 0 and "\n; 2026-11-02 * " in known.stdout, known.stderr
