"""Today, as every command dates what it writes and judges: the machine's date, or
`BEANCLEAR_TODAY` (YYYY-MM-DD) for reproducible runs (tests, demos, an accountant
replaying a month). One place, so an acknowledgment, a follow-up and the checks that
judge them agree on the day. And who is at the keyboard, as every decision written
names its author (close's `closed-by:`, an acknowledgment's `acknowledged-by:`)."""

from __future__ import annotations

import datetime as dt
import getpass
import os


def today() -> dt.date:
    fixed = os.environ.get("BEANCLEAR_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def who() -> str:
    """The person deciding: $USER (LOGNAME...), else "unknown". No clock, no git:
    deterministic (git's author may be another: a bot committing, a merge)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no user database entry in a container
        return "unknown"
