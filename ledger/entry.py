"""The console script `beanclear`: the command line (cli.py), and what Ctrl-C does.

Ctrl-C at any moment, even while Python is still loading the library, ends the command
with exit status 130 (128 + SIGINT, what a shell reports for it) and one line that says
what the books are, never a traceback:

    beanclear: interrupted; the books are as they were
    beanclear: interrupted; the books hold the 1 write this command finished before it, whole

A write under way is rolled back (books/atomic.py), so only writes the command had
committed remain. This module loads nothing heavy, so that it is in place first.
"""

from __future__ import annotations

import signal
import sys

INTERRUPTED = 130


class Interrupted(BaseException):
    """Ctrl-C, raised where the command was. Not a KeyboardInterrupt: click turns one
    into "Aborted!" and exit 1, the status `check` gives for errors."""


def _raise(signum, frame):
    # Once: the way out (a roll-back, the lock let go) is not cut short by a second Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Interrupted


def interrupted(commits_before: int = 0):
    """Say what the books are (what this process committed since the command began,
    `commits_before` writes in) and exit 130."""
    from beanclear.books import atomic
    done = atomic.commits - commits_before
    state = ("the books are as they were" if not done else
             f"the books hold the {done} write{'s' if done > 1 else ''} this command finished before it, whole")
    print(f"beanclear: interrupted; {state}", file=sys.stderr, flush=True)
    sys.exit(INTERRUPTED)


def run():
    signal.signal(signal.SIGINT, _raise)
    try:
        from beanclear.cli import main
        main()
    except Interrupted:
        interrupted()
