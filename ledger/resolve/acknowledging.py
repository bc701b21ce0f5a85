"""Acknowledge the findings of a code that name a ref, with a reason: the rule of
`beanclear ack` and of the page's acknowledge button, as a Plan (checks/acks.py makes
the directive and reads it back).

A ref no finding of the code names is refused as the other actions refuse it
(acks.not_named: did you mean #1573?); findings already acknowledged write nothing
(`Plan.nothing`), as any action done twice. A followed-up finding is acknowledged: the
acknowledgment ends the follow-up, kept as history (checks/resolutions.py). A finding
of a closed month is acknowledged too, today, moving no money: the line says it came
after that close (periods/closed.py), and the month's report stays as it was closed.
"""

from __future__ import annotations

from beanclear.books import ACKS_HEADER
from beanclear.checks import acks
from beanclear.periods import closed
from beanclear.resolve import Plan, ResolveError


def acknowledge(findings, code: str, ref: str, reason: str, entries=None, root=None, books=None) -> Plan:
    """`entries` (the books the findings are of) and `root` (the merchant's folder): a
    refusal names the write-off that resolved the finding (acks.not_named). `books`
    (the books' folder): where the findings' months are closed (after-close:)."""
    acks.ack_line(code, ref, reason)   # DecisionError: a code that cannot be acknowledged, no reason
    named = [f for f in findings if f.code == code and ref in f.refs]
    if not named:
        raise ResolveError(acks.not_named(findings, code, ref, entries, root))
    data = {"code": code, "ref": ref}
    # (a finding followed up is not acknowledged till its due date by any acknowledgment:
    # one now is the later decision, checks/resolutions.py)
    if all(f.acknowledged and (f.follow_up or {}).get("state") != "following up" for f in named):
        return Plan(f"{code} {ref} is already acknowledged; nothing was written", data=data, nothing=True)
    after, closes = closed.after_close(books, (f.date for f in named)) if books is not None else ("", [])
    line = acks.ack_line(code, ref, reason, after=after)
    return Plan(f"{acks.ACKS_FILE}: {line.splitlines()[0]}{closed.said_after(closes)}",
                appends={acks.ACKS_FILE: (ACKS_HEADER, line, ("prices.beancount",))}, data=data)
