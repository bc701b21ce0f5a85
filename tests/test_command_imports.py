"""Each `beanclear` command imports what it runs, not every command's modules: the
command line alone imports none of the commands defined beside their logic (cli.py
ELSEWHERE), and each of those is found by its name."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from beanclear import cli


def test_the_command_line_alone_imports_no_command_defined_elsewhere():
    script = ("import sys, beanclear.cli\n"
              "print(sorted(m for m in sys.modules if m.startswith(('beanclear.setup', 'beanclear.exports', "
              "'beanclear.live', 'beanclear.resolve.command', 'beanclear.reports.command'))))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "[]\n", done.stdout + done.stderr


def test_every_command_defined_elsewhere_is_found_by_its_name_with_its_help():
    listed = CliRunner().invoke(cli.main, ["--help"]).output
    for name in cli.ELSEWHERE:
        command = cli.main.get_command(None, name)
        assert command is not None and command.name == name, name
        assert f"  {name} " in listed
        result = CliRunner().invoke(cli.main, [name, "--help"])
        assert result.exit_code == 0 and f"Usage: main {name}" in result.output, (name, result.output)
