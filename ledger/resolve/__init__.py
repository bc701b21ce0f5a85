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
Doing an action again writes nothing (`Plan.nothing`). A plan is made from the books as
they were read (`Books.read`); where another write changed them before the plan's write
took the lock, the writer makes the plan anew there from the books as they are then
(`act`: the commands' way), so that an action done twice at once is written once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from beanclear import books as books_mod
from beanclear.books import edits

RESOLVE_HEADER = ("; Write-offs of small differences, one transaction each, linked to what they settle.\n"
                  "; beanclear appends here (`beanclear write-off`, the Reconciliation page); edit freely.\n")
RESOLVE_FILE = "writeoffs.beancount"


class ResolveError(ValueError):
    """An action that cannot be done as asked; the message says why."""


class BadValue(ResolveError):
    """A value not of the form asked (a due date that is no date, an unknown code): the
    request is malformed whatever the books hold (the page answers 400, as for a field
    missing; a refusal by the books is 409)."""


NOTHING = "; nothing was written"


def refusal(exc: Exception) -> str:
    """How a refused action is said, the same on both doors (a command's exit 2, the
    page's answer): why, then that nothing was written. The page says the command
    line's instructions in its own terms (on_the_page)."""
    said = str(exc)
    return said if "nothing was written" in said else f"{said}{NOTHING}"


_STEP = "a command-line step"
# The command line's instructions in the library's messages, as the Reconciliation page
# says them: where it has the control, in its terms (the "reason" field, the "read again"
# box, Follow up, Match by hand, the findings table); where it has none (reopen, unlink,
# carry), the command, said to be a command-line step. In order: the first that fits.
PAGE_WORDS = tuple((re.compile(pattern), words) for pattern, words in (
    (r"give a --reason", 'give a reason in the "reason" field'),
    (r"to read it again: --force", 'to read it again: tick "read again"'),
    (r"again with --force", 'again with "read again" ticked'),
    (r"book it with --rule to add one", 'book it with "remember as a rule" to add one'),
    (r"`beanclear reopen (\S+) --reason …` first", rf"reopen \1 first ({_STEP}: `beanclear reopen \1 --reason …`)"),
    (r'beanclear reopen (\S+) --reason "…" first', rf'reopen \1 first ({_STEP}: `beanclear reopen \1 --reason "…"`)'),
    # (each month named, as the command line names it: "reopen 2026-03 and 2026-04, then")
    (r'beanclear reopen (\S+) --reason "…"(?=, then| and beanclear reopen)',
     rf'reopen \1 ({_STEP}: `beanclear reopen \1 --reason "…"`)'),
    (r"`beanclear reopen` first", f"reopen first ({_STEP}: `beanclear reopen`)"),
    (r"(?:beanclear reopen|reopen the month), then", f"reopen the month ({_STEP}: `beanclear reopen`), then"),
    (r"`beanclear unlink` (it|that|what is linked) first", rf"unlink \1 first ({_STEP}: `beanclear unlink`)"),
    (r"see `beanclear open-items`", 'see the open items under "Match by hand"'),
    (r"see `beanclear check`", "see the findings table"),
    (r"`beanclear check` shows it", "the findings table shows it"),
    (r"\(`beanclear follow-up [^`]*`\)", "(Follow up gives it an owner and a due date)"),
    (r"`beanclear match` names the payout, `beanclear link` ties them",
     'its match proposal names the payout, "Accept" ties them'),
    (r"\(`beanclear link` each of them to it\)", '("Link" each of them to it)'),
    (r"until (`beanclear [^`]+`) again", rf"until \1 runs again ({_STEP})"),
    (r"run (`beanclear [^`]+`)", r"run \1 on the command line"),
))


def on_the_page(said: str) -> str:
    """A message of the library (a refusal, what an action or an import did) as the page
    says it: PAGE_WORDS. The command line keeps its own words."""
    for pattern, words in PAGE_WORDS:
        said = pattern.sub(words, said)
    return said


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

    def become(self, other: "Plan") -> None:
        """Be `other`: the plan made anew from the books as another write left them."""
        self.__dict__.update(vars(other))


def write(config, plan: Plan, read=None, again=None) -> list[Path]:
    """Make a plan as one atomic write under the books' lock; the files written. `read`:
    the books as the plan read them (Books.read, an atomic.Snapshot). Where another
    write changed them since, `again()` makes the plan anew under the lock from the books
    as they are then and `plan` becomes it (nothing to write, said so, where the other
    write did it); without `again`, edits.BooksChanged and nothing is written."""
    if plan.nothing:
        return []

    def anew():
        fresh = again()
        plan.become(fresh)
        return ([], {}, {}) if fresh.nothing else (fresh.edits, fresh.appends, fresh.also)
    return edits.apply(config.books, plan.edits, plan.appends, plan.also, read=read,
                       again=anew if again is not None else None)


def act(config, make, since: str | None = None) -> tuple[Plan, list[Path]]:
    """Read the books, make the action's plan (`make(config, books)`) and write it: the
    plan made anew under the writer's lock where another write came between (write()).
    The plan as written, and the files written. `since` (YYYY-MM): on the books carried
    forward to that month (checking.load_books), a load of the months shown rather than
    of the whole history; an edit of an entry the carried file prints from its lookback
    goes to the entry's month file (periods/carried_edits.py), as the page writes it."""
    def made(books: Books) -> Plan:
        try:
            plan = make(config, books)
        except BadValue:
            raise
        except ResolveError as exc:
            raise ResolveError(_on_carried(str(exc), since, books.carried())) if since is not None else exc from None
        if since is None or plan.nothing:
            return plan
        from beanclear.periods import carried_edits
        try:
            plan.edits = carried_edits.month_edits(config.books, books.entries, books.options, plan.edits)
        except LookupError as exc:   # an entry no month file holds as carried (past.copies)
            raise ResolveError(str(exc)) from None
        return plan
    # books a merge left half done: no decision from both sides at once, not even
    # "already done" (the writer would refuse the write anyway: books/unmerged.py)
    from beanclear.books import unmerged
    unmerged.refuse(config.books)
    books = Books.load(config, since)
    plan = made(books)
    written = write(config, plan, books.read, again=lambda: made(Books.load(config, since)))
    if since is not None and written:   # what the write changed before the month, not what it planned to
        from beanclear.periods import carried_edits
        note = carried_edits.written_before(config.books, books.carried(), written)
        plan.message += f"; {note}" if note else ""
    return plan, written


def _on_carried(said: str, since: str, books) -> str:
    """A refusal on books carried forward (`books`: past.Carried), with where what it did
    not find may be: what is dated before their lookback is only in the balances carried
    forward."""
    if books is None:
        return said
    where = (f" (on the books from {since} on, no finding dated before {books.start} is listed and what is dated "
             f"before {books.window} is only in balances carried forward: without --since the command reads the "
             "whole books)")
    head, tail = (said[:-len(NOTHING)], NOTHING) if said.endswith(NOTHING) else (said, "")
    return head + where + tail


@dataclass
class Books:
    """The books loaded once for an action: entries and the checks' findings, and what
    their files were as read (`read`: books.load's, taken while no write could come)."""
    config: object
    entries: list
    errors: list
    options: dict
    read: object = None

    @classmethod
    def load(cls, config, since: str | None = None) -> "Books":
        """The whole books; `since` (YYYY-MM): those carried forward to that month,
        carried first unless up to date (a bad month: periods.closing.PeriodError)."""
        main = config.books / "main.beancount"
        if not main.exists():
            raise ResolveError(f"{main}: no books yet (run `beanclear import` first)")
        if since is None:
            entries, errors, options = books_mod.load(main)
        else:
            from beanclear.checks import checking
            entries, errors, options = checking.load_books(config, since)
        return cls(config, entries, errors, options, options.get(books_mod.READ))

    def carried(self):
        """What the books carried forward say of themselves (past.Carried), None for the
        whole books: the directive the load's plugins found (Walk.since), not a second
        walk of the entries for it."""
        from beanclear.checks import reconcile
        from beanclear.periods import past
        load = reconcile.stored_load(self.options)
        if load is None:   # (books without the plugin lines)
            return past.carried(self.entries)
        return load.carried(self.entries)

    def findings(self):
        from beanclear.checks import checking
        return checking.report(self.entries, self.errors, self.config, self.options).findings


def finding_of(findings, code: str, ref: str):
    """The finding of `code` that names `ref` (one of its refs, exactly)."""
    from beanclear.checks.findings import CODES
    if code not in CODES:
        raise BadValue(f"code: expected one of {', '.join(CODES)}, got {code!r}")
    named = [f for f in findings if f.code == code and ref in f.refs]
    return named[0] if named else None


def refuse_closed(config, *days) -> None:
    """A change dated in a closed month is refused: reopen it first."""
    # (imported here: a load of the books reads nothing of resolve/, and nothing of the periods)
    from beanclear.periods.closed import closed_months
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
