"""Reject a match proposal, with a reason: the rule of the page's Reject button, as a
Plan (checks/acks.py makes the `beanclear-reject` directives and reads them back;
matching never makes a rejected pairing again).

A proposal rejected already is no longer made *because* its rejection is written: asked
again (a double click, or the page and another write at once), it writes nothing and
says so (`Plan.nothing`), as any action done twice, never a refusal. A proposal the books
do not make for another reason (they changed since the page was read) is refused.
"""

from __future__ import annotations

from beanclear.books import ACKS_HEADER
from beanclear.checks import acks
from beanclear.resolve import Plan, ResolveError

# what the page says of a proposal the books no longer make (Reject, Accept)
NO_LONGER_MADE = "this proposal is no longer made (the books changed); reload the page"


def reject(entries, proposal, bank_refs: list[str], target: str, reason: str) -> Plan:
    """The rejection of the proposal of `target` for `bank_refs` (as the page names it);
    `proposal`: the proposal the books make under that name, None where they make none."""
    lines = acks.reject_lines(bank_refs, target, reason)   # DecisionError: no bank ref, no reason
    data = {"bank_refs": list(bank_refs), "target": target}
    rejected = acks.rejected_in(entries)
    if all((ref, target) in rejected for ref in bank_refs):
        named = f"bank line {bank_refs[0]}" if len(bank_refs) == 1 else f"bank lines {' '.join(bank_refs)}"
        return Plan(f"{target} is rejected for {named} already; nothing was written", data=data, nothing=True)
    if proposal is None:
        raise ResolveError(NO_LONGER_MADE)
    return Plan(f"rejected {target}", appends={acks.ACKS_FILE: (ACKS_HEADER, "".join(lines), ("prices.beancount",))},
                data=data)
