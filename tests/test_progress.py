"""Long commands show progress on a terminal (stderr) and print nothing extra when not
on one: stdout keeps only the answer, stderr stays empty (DESIGN.md §4)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from beanclear import cli, clikit
from conftest import REPO

COMMANDS = {   # command line after the config; the stages its bar names
    # --force: the fixture imported them, and a statement the books hold by its digest is not read again
    "import": (["import", "--force", "{root}/statements"], ["reading bank.csv"]),
    "check": (["check"], ["loading the books", "the report"]),
    "match": (["match", "--apply"], ["loading the books", "matching", "writing"]),
    "export": (["export", "--to", "sqlite:///{root}/out.sqlite"], ["loading the books", "writing the tables"]),
}


@pytest.fixture
def started(merchant):
    assert CliRunner().invoke(cli.main, ["import", "-c", str(merchant / "config.yaml"),
                                         str(merchant / "statements")]).exit_code == 0
    return merchant


def terminal(monkeypatch):
    """stderr as a terminal: ours (clikit.on_terminal) and click's own bar's question."""
    import click._termui_impl
    monkeypatch.setattr(clikit, "on_terminal", lambda: True)
    monkeypatch.setattr(click._termui_impl, "isatty", lambda stream: True)


def run(merchant, args):
    args = [a.format(root=merchant) for a in args]
    return CliRunner().invoke(cli.main, [args[0], "-c", str(merchant / "config.yaml"), *args[1:]],
                              catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_nothing_on_stderr_when_not_on_a_terminal(started, command):
    result = run(started, COMMANDS[command][0])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == "" and result.stdout.strip()


@pytest.mark.parametrize("command", COMMANDS)
def test_on_a_terminal_each_stage_is_shown_on_stderr(started, command, monkeypatch):
    quiet = run(started, COMMANDS[command][0]).stdout
    terminal(monkeypatch)
    result = run(started, COMMANDS[command][0])
    assert result.exit_code in (0, 1), result.output
    for stage in COMMANDS[command][1]:
        assert stage in result.stderr, result.stderr
    assert "100%" in result.stderr or command == "import"
    assert "[" not in result.stdout.replace(quiet, "")   # the bar never goes to stdout


def test_demo_is_quiet_off_a_terminal_and_shows_its_three_stages_on_one(tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    shutil.copy(REPO / "config.yaml", config)
    quiet = CliRunner().invoke(cli.main, ["demo", str(tmp_path / "a"), "-c", str(config)])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    terminal(monkeypatch)
    shown = CliRunner().invoke(cli.main, ["demo", str(tmp_path / "b"), "-c", str(config)])
    assert shown.exit_code == 0
    for stage in ("writing the statements", "importing them", "checking the books", "100%"):
        assert stage in shown.stderr
    assert shown.stdout == quiet.stdout.replace(str(tmp_path / "a"), str(tmp_path / "b"))
