"""Today, as every command dates what it writes and judges: the machine's date, or
`BEANCLEAR_TODAY` (YYYY-MM-DD) for reproducible runs (tests, demos, an accountant
replaying a month). One place, so an acknowledgment, a follow-up and the checks that
judge them agree on the day."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    fixed = os.environ.get("BEANCLEAR_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
