"""beanclear's own custom directives edited out of shape by hand: an error at their file
and line saying what is expected, the directive left out, never a crash (blind8: a
coverage line's date quoted crashed check, report, close, open-items and bean-check)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from beancount import loader

from beanclear.checks import directives
from conftest import beanclear


def _entry(line: str):
    entries, errors, _ = loader.load_string(textwrap.dedent(line))
    assert not errors, errors
    return entries[-1]


@pytest.mark.parametrize("line, said", [
    ('2026-01-14 custom "beanclear-coverage" "stripe" "2026-01-05" "dfe0f3f5cdb5"',
     'its first day must be a date like 2026-01-05, unquoted, got "2026-01-05"'),
    ('2026-01-14 custom "beanclear-coverage" "stripe"', "got 1 value(s)"),
    ('2026-01-14 custom "beanclear-coverage" 2026-01-01 2026-01-05', "its source must be a quoted text, got 2026-01-01"),
    ('2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-20', "its first day (2026-01-20) is after"),
    ('2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  line-days: "nine"',
     'its line-days: must be a whole number of days, got "nine"'),
    ('2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  ends: "two in the afternoon"',
     'its ends: must be a time of its last day like "2026-01-14 14:00:00", got "two in the afternoon"'),
    ('2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  ends: "2026-01-13 14:00:00"',
     'its ends: must be a time of its last day like "2026-01-14 14:00:00", got "2026-01-13 14:00:00"'),
    ('2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  ends: 2026-01-14', "got 2026-01-14"),
    ('2026-12-02 custom "beanclear-follow-up" "duplicate-charge" "#3460" "alice" "next week"',
     'its due must be a date like "2026-01-05", got "next week"'),
    ('2026-12-02 custom "beanclear-follow-up" "duplicate-charge" "#3460" "alice"', "got 3 value(s)"),
    ('2026-12-20 custom "beanclear-follow-up-done" "duplicate-charge"', "got 1 value(s)"),
    ('2026-01-31 custom "beanclear-close" "2026-1"', 'its month must be a month like "2026-01", got "2026-1"'),
    ('2026-01-31 custom "beanclear-reopen" "2026-01"', "got 1 value(s)"),
    ('2026-04-01 custom "beanclear-since" "2026-04" "abc" "42"', 'its days must be a whole number of days, got "42"'),
])
def test_a_directive_out_of_shape_says_what_is_expected(line, said):
    why = directives.malformed(_entry(line))
    assert why and said in why and why.endswith("the line is ignored"), why


@pytest.mark.parametrize("line", [
    '2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05 "dfe0f3f5cdb5"',
    '2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  line-days: 9',
    '2026-01-14 custom "beanclear-coverage" "stripe" 2026-01-05\n  ends: "2026-01-14 14:00:00"',
    '2026-12-02 custom "beanclear-follow-up" "duplicate-charge" "#3460" "alice" "2026-12-16" ""',
    '2026-12-02 custom "beanclear-follow-up" "duplicate-charge" 3460 "alice" 2026-12-16',
    '2026-12-20 custom "beanclear-follow-up-done" "duplicate-charge" "#3460" "refunded"',
    '2026-01-31 custom "beanclear-close" "2026-01"',
    '2026-01-31 custom "beanclear-reopen" "2026-01" "late refund"',
    '2026-04-01 custom "beanclear-since" "2026-04" "abc" 42',
    '2026-04-01 custom "fava-option" "import-dirs" 2026-01-01',
])
def test_a_directive_in_shape_or_not_ours_is_kept(line):
    entries = [_entry(line)]
    assert directives.checked(entries) == [] and len(entries) == 1


def _quoted_coverage(merchant) -> tuple[Path, int]:
    """The first coverage line of the merchant's books with its first day quoted by hand."""
    for path in sorted((merchant / "books").glob("*/*/*.beancount")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for at, line in enumerate(lines):
            if 'custom "beanclear-coverage"' in line:
                lines[at] = re.sub(r'^(\S+ custom "beanclear-coverage" "[^"]*" )(\S+)', r'\1"\2"', line)
                path.write_text("".join(lines), encoding="utf-8")
                return path, at + 1
    raise AssertionError("no coverage line")


def test_a_coverage_line_with_its_date_quoted_is_an_error_at_its_line_not_a_crash(merchant):
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    path, line = _quoted_coverage(merchant)
    where = str(path.relative_to(merchant))
    result = beanclear(merchant, "check", "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    bad = [f for f in json.loads(result.output)["findings"] if f["code"] == "beancount"]
    assert [(f["file"], f["line"]) for f in bad] == [(where, line)]
    assert "its first day must be a date like 2026-01-05, unquoted" in bad[0]["message"]
    for command in (("check",), ("report", "2021-01"), ("open-items",)):
        result = beanclear(merchant, *command)
        assert not isinstance(result.exception, TypeError) and result.exit_code in (0, 1), (command, result.output)
    bean_check = Path(sys.executable).with_name("bean-check")
    run = subprocess.run([str(bean_check), str(merchant / "books" / "main.beancount")], capture_output=True, text=True)
    assert f"{path}:{line}: custom \"beanclear-coverage\"" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr and "TypeError" not in run.stdout + run.stderr
