"""Commands run as a user runs them, each in a process of its own, without paying
Python's start and the library's imports for each (0.35 s of a `beanclear` process, more
than a small merchant's whole import): every process is forked from one that imported
the library once (a fork server, started with the first command and left at exit).

A forked command is a fresh process as far as the command can tell: it starts from the
server's state right after the imports (no command ever ran there), with the caller's
environment, working directory and arguments, its own stdout and stderr, stdin at
/dev/null, and the exit status it gives or the signal that ends it. What differs from a
new interpreter is only what a module read at import time: the server is started with
the caller's environment, and a command whose environment differs from the server's in
a variable read then (`IMPORT_TIME`) runs in a new interpreter instead, as it does where
there is no fork (Windows).

    run(["check", "-c", "config.yaml"], timeout=600) -> subprocess.CompletedProcess
    run(args, code=SCRIPT)   # SCRIPT's text runs in place of the command (sys.argv[1:] = args)
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# variables a module of the library or Python reads once, at import or start
IMPORT_TIME = ("PYTHONHASHSEED", "BEANCLEAR_SPILL", "BEANCLEAR_SPILL_IDS", "BEANCLEAR_SPILL_IDS_ALL",
               "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")

SERVER = r"""
import atexit, json, os, sys, traceback
import beanclear.cli, beanclear.entry, beancount.scripts.check   # what every command imports: once
jobs, answers = sys.stdin, sys.stdout
for line in jobs:
    job = json.loads(line)
    answers.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, job["stdout"], os.O_WRONLY | os.O_TRUNC),
                                    (2, job["stderr"], os.O_WRONLY | os.O_TRUNC)):
                opened = os.open(path, flags)
                os.dup2(opened, fd)
                os.close(opened)
            sys.stdin = open(0, closefd=False)
            os.environ.clear()
            os.environ.update(job["env"])
            os.chdir(job["cwd"])
            sys.argv = [job["argv0"], *job["args"]]
            try:
                if job["code"] is not None:
                    exec(compile(job["code"], "<string>", "exec"), {"__name__": "__main__"})
                else:
                    beanclear.entry.run()
                status = 0
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    status = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            atexit._run_exitfuncs()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            os._exit(status)
    answers.write(json.dumps({"pid": pid}) + "\n")
    answers.flush()
    answers.write(json.dumps({"status": os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}) + "\n")
    answers.flush()
"""


class _Server:
    def __init__(self, env: dict[str, str]):
        self.env = {k: env[k] for k in IMPORT_TIME if k in env}
        self.lock = threading.Lock()
        self.process = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)
        atexit.register(self.stop)

    def serves(self, env: dict[str, str]) -> bool:
        return self.process.poll() is None and {k: env[k] for k in IMPORT_TIME if k in env} == self.env

    def run(self, argv0: str, args, env, cwd, code, timeout) -> tuple[int, str, str]:
        with self.lock, tempfile.TemporaryDirectory(prefix="beanclear-forked-") as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            out.touch()
            err.touch()
            job = {"argv0": argv0, "args": list(args), "env": env, "cwd": str(cwd), "code": code,
                   "stdout": str(out), "stderr": str(err)}
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            pid = json.loads(self.process.stdout.readline())["pid"]
            killed: list[bool] = []

            def kill() -> None:
                killed.append(True)
                os.kill(pid, 9)
            timer = threading.Timer(timeout, kill) if timeout else None
            if timer:
                timer.start()
            try:
                status = json.loads(self.process.stdout.readline())["status"]
            finally:
                if timer:
                    timer.cancel()
            if killed:
                raise subprocess.TimeoutExpired([argv0, *args], timeout)
            return status, out.read_text(encoding="utf-8", errors="replace"), \
                err.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


_servers: list[_Server] = []
_start = threading.Lock()


def _server(env: dict[str, str]) -> _Server:
    with _start:
        for server in _servers:
            if server.serves(env):
                return server
        server = _Server(env)
        _servers.append(server)
        return server


def run(args, timeout: float | None = None, env: dict[str, str] | None = None, cwd=None, code: str | None = None,
        argv0: str = "beanclear") -> subprocess.CompletedProcess:
    """Run `beanclear ARGS` (or `code` with ARGS as its sys.argv[1:]) in a process of its
    own, as subprocess.run(..., capture_output=True, text=True) would."""
    env = dict(os.environ if env is None else env)
    cwd = os.getcwd() if cwd is None else cwd
    if not hasattr(os, "fork"):
        command = [sys.executable, "-c", code, *args] if code is not None else \
            [str(Path(sys.executable).with_name(argv0)), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    status, out, err = _server(env).run(argv0, args, env, cwd, code, timeout)
    return subprocess.CompletedProcess([argv0, *args], status, out, err)
