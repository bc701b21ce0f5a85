"""Resolving findings: the actions of the review queue, as plain library functions.

- booking.py: book a bank line nothing explains to an account (payee, narration), and
  optionally save a `rules:` entry in config.yaml so the next import does it;
- linking.py: match a bank line to the open items it settles by hand; unlink;
- writeoff.py: write off a small difference to the account configured per code;
- followup.py: an owner, a due date and a note for what cannot be settled now;
- state.py: what the books say about findings (written off, followed up, overdue),
  applied to the checks' findings.

Each action makes a `Plan` (the edits and the lines it would write, and what it says)
and `write()` makes it one atomic write through the one writer (books/edits.py). An
action that cannot be done raises ResolveError with why; nothing is written then.
Doing an action again writes nothing (`Plan.nothing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from beanclear import books as books_mod
from beanclear.books import edits
from beanclear.periods.closed import closed_months

RESOLVE_HEADER = ("; Write-offs of small differences, one transaction each, linked to what they settle.\n"
                  "; beanclear appends here (`beanclear write-off`, the Reconciliation page); edit freely.\n")
RESOLVE_FILE = "writeoffs.beancount"


class ResolveError(ValueError):
    """An action that cannot be done as asked; the message says why."""


def refusal(exc: Exception) -> str:
    """How a refused action is said, the same on both doors (a command's exit 2, the
    page's answer): why, then that nothing was written."""
    said = str(exc)
    return said if "nothing was written" in said else f"{said}; nothing was written"


@dataclass
class Plan:
    message: str                                   # what was (or would be) done, one line
    edits: list = field(default_factory=list)      # books/edits.py Edit objects
    appends: dict = field(default_factory=dict)    # decision file -> (header, block, after)
    also: dict = field(default_factory=dict)       # files outside the books (config.yaml) -> new text
    data: dict = field(default_factory=dict)       # for --format json and the page
    nothing: bool = False                          # already done: nothing to write

    def to_json(self, written) -> dict:
        return {"done": not self.nothing, "message": self.message,
                "written": [str(p) for p in written], **self.data}


def write(config, plan: Plan) -> list[Path]:
    """Make a plan as one atomic write under the books' lock; the files written."""
    if plan.nothing:
        return []
    return edits.apply(config.books, plan.edits, plan.appends, plan.also)


@dataclass
class Books:
    """The books loaded once for an action: entries and the checks' findings."""
    config: object
    entries: list
    errors: list
    options: dict

    @classmethod
    def load(cls, config) -> "Books":
        main = config.books / "main.beancount"
        if not main.exists():
            raise ResolveError(f"{main}: no books yet (run `beanclear import` first)")
        entries, errors, options = books_mod.load(main)
        return cls(config, entries, errors, options)

    def findings(self):
        from beanclear.checks import checking
        return checking.report(self.entries, self.errors, self.config, self.options).findings


def finding_of(findings, code: str, ref: str):
    """The finding of `code` that names `ref` (one of its refs, exactly)."""
    from beanclear.checks.findings import CODES
    if code not in CODES:
        raise ResolveError(f"code: expected one of {', '.join(CODES)}, got {code!r}")
    named = [f for f in findings if f.code == code and ref in f.refs]
    return named[0] if named else None


def refuse_closed(config, *days) -> None:
    """A change dated in a closed month is refused: reopen it first."""
    closed = closed_months(config.books)
    for day in days:
        month = day.strftime("%Y-%m")
        if month in closed:
            raise ResolveError(f"{month} is closed (books/periods.beancount line {closed[month].line}); "
                               f"`beanclear reopen {month} --reason …` first")


def account_opens(config, entries, account: str) -> dict:
    """The append that opens `account` in accounts.beancount, when the books do not yet."""
    from beancount.core import data
    from beanclear.books import OPEN_DATE
    if any(isinstance(e, data.Open) and e.account == account for e in entries):
        return {}
    return {"accounts.beancount": ("", f"{OPEN_DATE} open {account}\n", ())}
