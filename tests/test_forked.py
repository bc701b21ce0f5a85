"""simulation/forked.py: a command forked from a server that imported the library once
is run as a new process would be: its arguments, environment, working directory, exit
status, stdout and stderr, a signal's death, a timeout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from beanclear.simulation import forked

SHOW = """
import os, sys
print("args", sys.argv[1:], "cwd", os.getcwd(), "env", os.environ.get("FORKED_TEST"))
print("to stderr", file=sys.stderr)
sys.exit(int(sys.argv[1]))
"""


def test_a_script_sees_its_arguments_environment_and_folder_and_gives_its_status(tmp_path):
    done = forked.run(["3", "x y"], env={**os.environ, "FORKED_TEST": "seen"}, cwd=tmp_path, code=SHOW)
    assert done.returncode == 3
    assert done.stdout == f"args ['3', 'x y'] cwd {tmp_path} env seen\n" and done.stderr == "to stderr\n"
    again = forked.run(["0", "z"], cwd=tmp_path, code=SHOW)   # nothing of the first is left
    assert (again.returncode, again.stdout) == (0, f"args ['0', 'z'] cwd {tmp_path} env None\n")


def test_the_command_is_beanclears_as_its_console_script_runs_it(tmp_path):
    done = forked.run(["check", "-c", str(tmp_path / "none.yaml")], cwd=tmp_path)
    real = subprocess.run([os.path.join(os.path.dirname(sys.executable), "beanclear"), "check", "-c",
                           str(tmp_path / "none.yaml")], capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (real.returncode, real.stdout, real.stderr)
    assert done.returncode == 2


def test_a_killed_process_and_one_past_its_time(tmp_path):
    killed = forked.run([], code="import os\nos.kill(os.getpid(), 9)\n")
    assert killed.returncode == -9
    with pytest.raises(subprocess.TimeoutExpired):
        forked.run([], timeout=0.5, code="import time\ntime.sleep(30)\n")
    assert forked.run(["0", "after"], code=SHOW).returncode == 0   # the server serves on


def test_a_variable_read_at_import_gets_a_server_of_its_own():
    read = "from beanclear.books import spill\nprint(spill.LIMIT)\n"
    assert forked.run([], env={**os.environ, "BEANCLEAR_SPILL": "7"}, code=read).stdout == "7\n"
    assert forked.run([], env={k: v for k, v in os.environ.items() if k != "BEANCLEAR_SPILL"},
                      code=read).stdout == "10000\n"
