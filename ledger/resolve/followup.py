"""Follow up what cannot be settled now: an owner, a due date, a note, in the books.

    2026-12-02 custom "beanclear-follow-up" "duplicate-charge" "#3460" "alice" "2026-12-16" "refund the 2nd charge"
    2026-12-20 custom "beanclear-follow-up-done" "duplicate-charge" "#3460" "refunded 2026-12-18"

name a finding by code and ref, as acknowledgments do, in books/acks.beancount: any ref
of the finding names it, and the last line naming it, by whichever ref, is its state. The
state of a finding is read from the books (state.py): open (no line); following up
(the last follow-up line, until its due date; listed with owner and due, it does not
fail CI); overdue (past the due date: reported, and an error fails CI again); resolved
(the books no longer show the finding, or a done line closes it with its note). git
holds who changed what when; each line names who wrote it too (`assigned-by:`,
`done-by:`). A follow-up outlives its month's close (it does not hold the close up):
extended or marked done after it, the line is today's, `after-close:` saying so
(periods/closed.py), and the closed month's report stays as it was closed.
"""

from __future__ import annotations

import datetime as dt


from beanclear.checks import acks
from beanclear.periods import closed
from beanclear.resolve import BadValue, Plan, ResolveError, finding_of
from beanclear.checks.directives import DONE, FOLLOW_UP  # noqa: F401  (part of this module's interface)
from beanclear.checks.resolutions import _today, follow_ups, of_finding, overdue  # noqa: F401  (read there)


MAX_DUE_DAYS = 366   # how far after today a follow-up may be due


def _due(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadValue(f"due: expected a date like 2026-04-15, got {text!r}") from None


def _record(root, line: str) -> dict:
    from beanclear.books import ACKS_HEADER
    return {acks.ACKS_FILE: (ACKS_HEADER, line, ("prices.beancount",))}


def follow_up(config, entries, findings, code: str, ref: str, owner: str, due: str, note: str = "",
              today: dt.date | None = None) -> Plan:
    owner = " ".join((owner or "").split())
    if not owner:
        raise ResolveError("owner: expected who follows it up, got nothing")
    day = _due(due)
    note = " ".join((note or "").split())
    found = finding_of(findings, code, ref)
    if found is None:
        raise ResolveError(acks.not_named(findings, code, ref, entries, config.root))
    today = today or _today()
    # a follow-up is a date to act by, not a silence: one due years on kept an error from
    # failing CI for good with no reason given (blind33 hostile, `--due 9999-12-31`)
    if day > today + dt.timedelta(days=MAX_DUE_DAYS):
        raise BadValue(f"due: at most {MAX_DUE_DAYS} days after today ({today + dt.timedelta(days=MAX_DUE_DAYS)}), "
                       f"got {day}; to leave the finding for longer, `beanclear ack {code} {ref} --reason \"…\"`")
    # a due date already past is taken (a person may record a follow-up late), and said
    late = overdue(day, today)
    past = f" — the due date is past (today is {today}): it is overdue from now on" if late else ""
    data_ = {"code": code, "ref": ref, "owner": owner, "due": day.isoformat(), "note": note,
             "state": "overdue" if late else "following up"}
    # the finding's state (checks/resolutions.py: its last decision, by whichever of its refs)
    up = found.follow_up or {}
    if up.get("state") in ("following up", "overdue") and \
            (up.get("owner"), up.get("due"), up.get("note")) == (owner, day.isoformat(), note):
        return Plan(f"{code} {ref} is followed up by {owner}, due {day}, already; nothing was written" + past,
                    data=data_, nothing=True)
    after, closes = closed.after_close(config.books, (found.date,))   # (a follow-up outlives the close)
    line = acks._directive(today, FOLLOW_UP, code, ref, owner, day.isoformat(), note, after=after)
    return Plan(f"{code} {ref}: followed up by {owner}, due {day}" + (f" ({note})" if note else "") + past
                + closed.said_after(closes), appends=_record(config.books, line), data=data_)


def done(config, entries, code: str, ref: str, note: str, today: dt.date | None = None,
         findings=None) -> Plan:
    """Close the follow-up of the finding `ref` names (any of its refs, with `findings`;
    one the books no longer show, by the ref its follow-up named)."""
    note = " ".join((note or "").split())
    if not note:
        raise ResolveError("note: expected how it was settled, got nothing")
    found = finding_of(findings, code, ref) if findings is not None else None
    lines = of_finding(follow_ups(entries), code, found.refs if found is not None else (ref,))
    last = lines[-1] if lines else None
    if last is None:
        raise ResolveError(f"{code} {ref} is not followed up (`beanclear follow-up {code} {ref} --owner … --due …`)")
    data_ = {"code": code, "ref": ref, "note": note, "state": "resolved"}
    if last.type == DONE:
        return Plan(f"{code} {ref} is marked done already; nothing was written", data=data_, nothing=True)
    # (one the books no longer show is of no month's findings: nothing to say after-close of)
    after, closes = closed.after_close(config.books, (found.date,) if found is not None else ())
    line = acks._directive(today or _today(), DONE, code, ref, note, after=after)
    said = f"{code} {ref}: follow-up done ({note})" + closed.said_after(closes) + _still_booked(config, found, ref)
    return Plan(said, appends=_record(config.books, line), data=data_)


def _still_booked(config, found, ref: str) -> str:
    """What done leaves of an unpaid order: its sale, in the books (blind32: marked done, the
    cancelled order's 236.74 stayed in sales and the receivable, nothing saying so)."""
    if found is None or found.code != "order-unpaid":
        return ""
    import shlex
    from beanclear.resolve.writeoff import settings
    account = settings(config, found.code, found)[0]
    return (f"; its sale of {found.amount:,f} {found.currency} stays in the books ({found.account}): where the order "
            f"was cancelled and never paid, `beanclear write-off order-unpaid {shlex.quote(ref)} --reason \"…\"` "
            f"takes it out, against {account}")
