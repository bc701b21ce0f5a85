"""beanclear's own custom directives, as the books hold them: each one's shape, checked
once where the books are loaded (the checks plugin, books.load), so that no reader of
them meets a value of the wrong type.

    2026-01-31 custom "beanclear-coverage" "stripe" 2026-01-05 "9f86d081884c"

is a statement's coverage (statements/coverage.py). A person may edit these lines; one
edited out of shape (its date quoted: "2026-01-05", a value left out) is a Beancount
error at its file and line saying what is expected, and the directive is dropped from
the entries, as if it were not there: the checks, the reports and the commands read the
rest of the books as they are. The acknowledgments and rejections are acks.acks_in's
(a malformed one is a `stale-ack` finding); the close and reopen lines of
periods.beancount are read from their text as well (periods/closed.py: a line out of
shape closes nothing, and says so here).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data

# Each directive's type, named here for the modules that write and read it (imported
# from them too). A load with the plugins checks these shapes and needs nothing else of
# those modules: importing them brought in the books' writer and the statements' reader.
COVERAGE = "beanclear-coverage"                                      # statements/coverage.py
FOLLOW_UP, DONE = "beanclear-follow-up", "beanclear-follow-up-done"  # resolve/followup.py
ACK, REJECT = "beanclear-ack", "beanclear-reject"                    # checks/acks.py
CLOSE, REOPEN = "beanclear-close", "beanclear-reopen"                # periods/closed.py
SINCE = "beanclear-since"                                            # periods/forward.py
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")                     # a month as close and reopen name it
# The decisions about findings a person makes without moving money: each names who made
# it (clock.who, as close's `closed-by:`), and one about a finding of a month closed then
# says so (AFTER_CLOSE: periods/closed.py), so that the month's report stays as it was closed.
DECIDED_BY = {ACK: "acknowledged-by", FOLLOW_UP: "assigned-by", DONE: "done-by", REJECT: "rejected-by"}
AFTER_CLOSE = "after-close"

TEXT, DATE, DAY_TEXT, MONTH_TEXT, COUNT, ANY_TEXT = ("text", "date", "day text", "month text", "count", "any text")
# what each value must be, said the way the message says it
SAID = {TEXT: "a quoted text", ANY_TEXT: "a quoted text (may be empty)", DATE: "a date like 2026-01-05, unquoted",
        DAY_TEXT: 'a date like "2026-01-05"', MONTH_TEXT: 'a month like "2026-01"', COUNT: "a whole number of days"}

# type -> (its values, each (name, kind); how many of them may be left out at the end)
SHAPES: dict[str, tuple[tuple[tuple[str, str], ...], int]] = {
    COVERAGE: ((("source", TEXT), ("first day", DATE), ("statement", TEXT)), 1),
    FOLLOW_UP: ((("code", TEXT), ("ref", TEXT), ("owner", TEXT), ("due", DAY_TEXT), ("note", ANY_TEXT)), 1),
    DONE: ((("code", TEXT), ("ref", TEXT), ("note", ANY_TEXT)), 1),
    CLOSE: ((("month", MONTH_TEXT),), 0),
    REOPEN: ((("month", MONTH_TEXT), ("reason", TEXT)), 0),
    SINCE: ((("month", MONTH_TEXT), ("digest", TEXT), ("days", COUNT)), 0),
}


class DirectiveError(NamedTuple):
    """A beanclear directive out of shape, as a Beancount error (bean-check, Fava show it)."""

    source: dict
    message: str
    entry: Any


def checked(entries: list) -> list[DirectiveError]:
    """The errors of the beanclear directives out of shape among `entries`, which are
    dropped from the list (in place: a plugin's list is the load's)."""
    kept, bad = without_malformed(entries)
    if bad:
        entries[:] = kept
    return bad


def without_malformed(entries: list) -> tuple[list, list[DirectiveError]]:
    """(`entries` without the beanclear directives out of shape, their errors): the same
    list where none is."""
    bad = []
    for entry in entries:
        if type(entry) is data.Custom and entry.type in SHAPES:
            why = malformed(entry)
            if why:
                bad.append(DirectiveError(entry.meta, why, entry))
    if not bad:
        return entries, bad
    dropped = {id(error.entry) for error in bad}
    return [e for e in entries if id(e) not in dropped], bad


def malformed(entry: data.Custom) -> str | None:
    """What is wrong with one beanclear directive, or None."""
    shape, optional = SHAPES[entry.type]
    values = [v.value for v in entry.values]
    expected = " ".join(f"<{name}>" if at < len(shape) - optional else f"[<{name}>]"
                        for at, (name, _) in enumerate(shape))
    head = f'custom "{entry.type}": expected {expected}'
    if not len(shape) - optional <= len(values) <= len(shape):
        return f"{head}, got {len(values)} value(s); the line is ignored"
    for (name, kind), value in zip(shape, values):
        if not _fits(kind, value):
            return f"{head}: its {name} must be {SAID[kind]}, got {_shown(value)}; the line is ignored"
    if entry.type == COVERAGE and values[1] > entry.date:
        return f"{head}: its first day ({values[1]}) is after the directive's date, its last day; the line is ignored"
    days = entry.meta.get("line-days") if entry.type == COVERAGE else None
    if days is not None and not _fits(COUNT, days):
        return f'custom "{entry.type}": its line-days: must be {SAID[COUNT]}, got {_shown(days)}; the line is ignored'
    ends = entry.meta.get("ends") if entry.type == COVERAGE else None
    if ends is not None and not _ends_on(ends, entry.date):
        return (f'custom "{entry.type}": its ends: must be a time of its last day like "{entry.date} 14:00:00", '
                f"got {_shown(ends)}; the line is ignored")
    return None


def _ends_on(value, day: dt.date) -> bool:
    """Whether a coverage record's `ends:` is a moment of its own day (statements/coverage.py)."""
    if not isinstance(value, str) or len(value) < 16:
        return False
    try:
        return dt.datetime.fromisoformat(value).date() == day
    except ValueError:
        return False


def _fits(kind: str, value) -> bool:
    if kind == DATE:
        return type(value) is dt.date
    if kind == COUNT:
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == int(value) and value >= 0
    if kind == TEXT and isinstance(value, Decimal):
        return True   # (an id written without quotes: its digits, as str() reads them)
    if kind == DAY_TEXT and type(value) is dt.date:
        return True
    if not isinstance(value, str):
        return False
    if kind == DAY_TEXT:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return len(value) == 10
    if kind == MONTH_TEXT:
        return bool(MONTH.match(value))
    return kind == ANY_TEXT or bool(value.strip())


def _shown(value) -> str:
    return f'"{value}"' if isinstance(value, str) else f"{value}"
