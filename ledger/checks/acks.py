"""Acknowledgments: a person has looked at a finding and accepts it, with a reason.

    2026-04-02 custom "beanclear-ack" "payout-mismatch" "1000000123" "ICBC took a 0.50 fee; agreed"

names a finding by its code and one of its refs (a statement id, as in `refs`). The
finding is still listed, marked acknowledged, but no longer fails CI. An
acknowledgment that matches no finding any more is itself reported (`stale-ack`), so
old ones do not pile up and hide the next problem with the same id.

A match proposal a person turned down is remembered the same way, so `beanclear
match` does not propose it again:

    2026-04-02 custom "beanclear-reject" "20260309000073" "payout-1000…" "the customer's deposit, not a payout"

names the bank line (its ref) and the target it must not be linked to (the items'
links, space-separated, or the account). `record` appends such lines to
`acks.beancount`: the one writer for both, used by `beanclear ack` and the Fava page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear.checks.directives import ACK, AFTER_CLOSE, DECIDED_BY, REJECT
from beanclear.checks.findings import CODES, UNNAMED, Finding, at_entry, relative
from beanclear.checks.write_offs import resolved_by
from beanclear.clock import today, who

ACKS_FILE = "acks.beancount"


@dataclass(frozen=True)
class Ack:
    code: str
    ref: str
    reason: str
    entry: data.Custom


def acks_in(entries) -> tuple[list[Ack], list[Finding]]:
    """The acknowledgments in the books, and findings for malformed ones."""
    out, bad = [], []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type in (ACK, REJECT):
            values = [str(v.value) for v in entry.values]
            if len(values) != 3 or not all(values):
                shape = '"code" "ref" "reason"' if entry.type == ACK else '"bank ref" "target" "reason"'
                bad.append(Finding("stale-ack", entry.date, "", "", Decimal(0), "",
                                   f'malformed {entry.type}: expected {shape}, got {len(values)} values',
                                   **at_entry(entry)))
                continue
            if entry.type == ACK:
                out.append(Ack(values[0], values[1], values[2], entry))
    return out, bad


def rejected_in(entries) -> set[tuple[str, str]]:
    """The (bank ref, target) pairs people rejected (malformed lines are reported by acks_in)."""
    out = set()
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == REJECT:
            values = [str(v.value) for v in entry.values]
            if len(values) == 3 and all(values):
                out.add((values[0], values[1]))
    return out


def apply(findings: list[Finding], entries, report_stale: bool) -> list[Finding]:
    """Mark acknowledged findings; with `report_stale`, add a finding per unused ack."""
    acks, bad = acks_in(entries)
    index: dict[tuple[str, str], list[Ack]] = {}
    for ack in acks:
        index.setdefault((ack.code, ack.ref), []).append(ack)
    used: set[int] = set()
    out = []
    for finding in findings:
        matching = [a for ref in finding.refs for a in index.get((finding.code, ref), [])]
        if matching:
            used.update(id(a) for a in matching)
            finding = replace(finding, acknowledged=True)
        out.append(finding)
    if report_stale:
        out += bad
        for ack in acks:
            if id(ack) not in used:
                out.append(Finding("stale-ack", ack.entry.date, "", "", Decimal(0), "",
                                   f"acknowledgment of {ack.code} {ack.ref} matches no finding any more "
                                   f"(remove it): {ack.reason}", (ack.ref,), **at_entry(ack.entry)))
    return out


# -- writing decisions ----------------------------------------------------------------------

class DecisionError(ValueError):
    """A decision that cannot be recorded as given (unknown code, empty reason...)."""


def _text(what: str, value) -> str:
    flat = " ".join(str(value or "").split())
    if not flat:
        raise DecisionError(f"{what}: expected some text, got nothing")
    return flat


def _directive(day: dt.date, kind: str, *values: str, after: str = "") -> str:
    """A decision as a line of acks.beancount, dated `day` (today: the day it is made),
    with who made it (`acknowledged-by:`…, clock.who, as close's `closed-by:`) and, for
    one about findings of months closed now, `after-close:` (periods/closed.after_close:
    those months' reports leave it out, as it was not there when they were closed)."""
    # The writer is imported by what writes: a load with the plugins reads acknowledgments
    # and never writes one, and importing the books' writer cost it a few milliseconds.
    from beanclear.books import render
    line = f"{day.isoformat()} custom {render.quote(kind)} " + " ".join(render.quote(v) for v in values) + "\n"
    line += f"  {DECIDED_BY[kind]}: {render.quote_exact(who())}\n"
    return line + (f"  {AFTER_CLOSE}: {render.quote_exact(after)}\n" if after else "")


def ack_line(code: str, ref: str, reason: str, day: dt.date | None = None, after: str = "") -> str:
    """The acknowledgment of the findings of `code` that name `ref` (`after`: _directive's)."""
    if code not in CODES or code == "stale-ack":
        raise DecisionError(f"code: expected one of {', '.join(c for c in CODES if c != 'stale-ack')}, got {code!r}")
    return _directive(day or today(), ACK, code, _text("ref", ref), _text("reason", reason), after=after)


def not_named(findings, code: str, ref: str, entries=None, root=None) -> str:
    """The refusal of a decision on `ref` where no finding of `code` names it. Refs are
    compared exactly as the channels wrote them, so a near one is never taken instead;
    but where exactly one ref of those findings is `ref` but for a leading `#` (order_key:
    Shopify's `#1115` is the payments' `1115`), the refusal names the ref to type; and
    where a finding of another code names it, as listed (a statement-gap that takes in
    the orders a missing statement leaves unpaid: one cause, one finding), that one.
    With the books' `entries`: where a write-off of the code names it, the write-off
    resolved it, and the refusal says so, where (relative to `root`): an acknowledgment
    or a follow-up made after it, one click after the other or at the same moment in
    another tab, has nothing left to decide (blind10)."""
    from beanclear.importers.base import order_key
    resolved = resolved_by(entries, code, ref) if entries is not None else None
    if resolved is not None:
        where = f"{relative(resolved.meta.get('filename'), root)}:{resolved.meta.get('lineno')}"
        return f"no {code} finding names {ref}: the write-off at {where} resolved it; nothing was written"
    near = {r for f in findings if f.code == code for r in f.refs if r != ref and order_key(r) == order_key(ref)}
    other = next((f for f in findings if f.code != code and f.code not in UNNAMED and ref in f.refs), None)
    said = f"did you mean {near.pop()}?" if len(near) == 1 else "see `beanclear check`"
    # "<source> <day>" names a finding no statement id names; one that lists ids is named by them
    # (blind23: `ack statement-gap "alipay 2026-03-17"` was refused with no word of its refs)
    dated = next((f for f in findings if f.code == code and f.refs and f"{f.source} {f.date}" == ref), None)
    if dated is not None:
        shown = ", ".join(dated.refs[:3]) + (", …" if len(dated.refs) > 3 else "")
        said = f"the {code} of {ref} lists statement ids, and is named by any of them: {shown}"
    elif len(near) != 1 and other is not None:
        said = (f"the {other.code} of {other.source or '-'} {other.date} "
                f"{'takes it in' if other.code == 'statement-gap' else 'names it'}; {said}")
    return f"no {code} finding names {ref} ({said}); nothing was written"


def reject_lines(bank_refs, target: str, reason: str, day: dt.date | None = None) -> list[str]:
    """One rejection per bank line of a proposal: the line must not be matched to `target`."""
    refs = [_text("bank ref", r) for r in bank_refs]
    if not refs:
        raise DecisionError("bank ref: expected at least one")
    target, reason = _text("target", target), _text("reason", reason)
    return [_directive(day or today(), REJECT, ref, target, reason) for ref in refs]


def record(root: Path, lines: list[str]) -> list[Path]:
    """Append directive lines to the books' acks.beancount, as one atomic write under the
    books' lock; returns the files written. Books made before acks.beancount existed get
    the file and its include."""
    from beanclear.books import ACKS_HEADER, edits
    return edits.append_to(root, ACKS_FILE, ACKS_HEADER, "".join(lines), after=("prices.beancount",))
