"""What the books say about findings beyond acknowledgments: written off, followed up.
The checks read it during every load; resolve/ writes the decisions it reads.

Applied by reconcile.find after the acknowledgments, so `beanclear check`, the plugins
(bean-check, Fava) and the page agree; and again, with them, to what the fold of the
findings makes of them (reconcile.Load.as_listed: a statement-gap that takes others in is
decided by the refs it shows):

- a finding a write-off settles within its limit is resolved: it is no longer listed;
- one written off above the limit (flag `!`, with a reason) stays listed, marked
  acknowledged, the message saying so with the reason (one whose write-off settles the
  books' arithmetic itself, a payout's, is listed from the write-off entry);
- a write-off settles only where it posts the finding's difference (writeoff.settles:
  the write-offs naming it by its own refs, writeoff.names, together, within fee-gap's
  tolerance; not those of another finding that shares a ref with it): one of another
  amount, or a second copy, leaves the finding listed as it is, not acknowledged, the
  message saying what they post (the account it is about is off by the rest); where
  money came since and nothing is owed now (the customer paid what was written off:
  blind29), the finding is what they over-settle, and `write-off` again reverses them;
- a write-off above the limit whose finding is gone (the books balance) is listed from
  its entry, less what a later write-off took back (REVERSES), nothing where all;
- a followed-up finding carries `follow_up` (owner, due, note, overdue): before its due
  date it is acknowledged (it does not fail CI); past it, it is reported as overdue and
  counts as its severity again; a done line resolves it (acknowledged, with the note).
  The later decision is the finding's state: an acknowledgment after the follow-up (in
  the books' order) ends it, acknowledged with its reason, the follow-up kept as history
  (state "acknowledged", never overdue); one before it is overruled by the follow-up.

Overdue is judged against today's date: the one judgement here that depends on the clock,
as a due date must.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from beancount.core import data

from beanclear.checks.directives import DONE, FOLLOW_UP
from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.write_offs import META, REVERSES, naming, over_settled, settles, unsettled, write_offs
from beanclear.clock import today

_today = today   # (BEANCLEAR_TODAY for reproducible runs: clock.py)


def overdue(due: dt.date, today: dt.date) -> bool:
    """A follow-up is overdue after its due date, not on it."""
    return due < today


def follow_ups(entries) -> dict[tuple[str, str], list[tuple[int, data.Custom]]]:
    """(code, ref) -> its follow-up and done directives with their places, in the books' order."""
    out = {}
    for i, entry in enumerate(entries):
        if isinstance(entry, data.Custom) and entry.type in (FOLLOW_UP, DONE):
            values = [str(v.value) for v in entry.values]
            if len(values) >= 2:
                out.setdefault((values[0], values[1]), []).append((i, entry))
    return out


def of_finding(ups, code: str, refs) -> list[data.Custom]:
    """The follow-up and done lines that name a finding by any of its refs, in the books'
    order: a follow-up is of the finding, not of the ref typed, so the last of them is its
    state whichever ref each names (`#3460`, then its charge id: one finding, one state)."""
    lines = {i: e for r in dict.fromkeys(refs) for i, e in ups.get((code, r), ())}
    return [lines[i] for i in sorted(lines)]



def apply(findings: list[Finding], entries, today: dt.date | None = None, unused: bool = True,
          config=None) -> list[Finding]:
    """The findings as the decisions in the books leave them. `unused`: also list the
    write-offs above the limit that none of `findings` used (right only when `findings`
    are every check's: a single check cannot tell whether another one uses them).
    `config`: fee-gap's tolerance, within which a write-off posts a fee's difference."""
    from beanclear.checks.acks import ACK
    from beanclear.checks.findings import limit
    # one cheap pass finds whether the books hold any decision of ours (most do not)
    ours, acked, position = [], {}, {}
    for i, e in enumerate(entries):
        if isinstance(e, data.Custom) and e.type in (FOLLOW_UP, DONE, ACK):
            position[id(e)] = i
            if e.type == ACK:
                if len(e.values) >= 2:   # (code, ref) -> its last acknowledgment
                    acked[(str(e.values[0].value), str(e.values[1].value))] = e
                continue
            ours.append(e)
        elif isinstance(e, data.Transaction) and META in e.meta:
            ours.append(e)
    if not ours:
        return findings
    offs = write_offs(ours)
    ups = follow_ups(ours)
    today = today or _today()
    fee_tolerance = limit(config, "fee-gap", "tolerance") if config is not None else Decimal(0)
    out, used = [], set()
    for f in findings:
        named = naming(offs, f)   # its own: not another's of a ref they share (a payout's)
        if named:
            used.update(id(e) for e in named)
            if settles(named, f, fee_tolerance if f.code == "fee-gap" else Decimal(0)):
                above = next((e for e in named if e.flag == "!"), None)
                if above is not None:
                    out.append(replace(f, acknowledged=True, message=_above(f.message, above),
                                       written_off=_written_off(above)))
                continue
            over = over_settled(named, f)   # (no difference now: the finding is what they over-settle)
            f = replace(f, amount=f.amount if over is None else over, message=_said(f.message, unsettled(named, f)))
        lines = of_finding(ups, f.code, f.refs)   # by any of its refs: the last is its state
        up = lines[-1] if lines else None
        if up is not None:
            values = [str(v.value) for v in up.values]
            if up.type == DONE:
                # resolved by hand: listed acknowledged with the done line's note, the
                # follow-up it closed (owner, due) kept
                before = next((e for e in reversed(lines) if e.type == FOLLOW_UP and len(e.values) >= 4), None)
                was = {"owner": str(before.values[2].value), "due": str(before.values[3].value),
                       "since": before.date.isoformat()} if before is not None else {}
                f = replace(f, acknowledged=True, follow_up={"state": "resolved", **was,
                                                             "note": values[2] if len(values) > 2 else "",
                                                             "done": up.date.isoformat()})
            elif len(values) >= 4:
                owner, due, note = values[2], values[3], values[4] if len(values) > 4 else ""
                try:
                    late = overdue(dt.date.fromisoformat(due), today)
                except ValueError:
                    late = False
                state = {"state": "overdue" if late else "following up", "owner": owner, "due": due,
                         "note": note, "since": up.date.isoformat()}
                after = [position[id(a)] for r in f.refs if (a := acked.get((f.code, r))) is not None]
                if after and max(after) > position[id(up)]:   # acknowledged since: the follow-up is history
                    f = replace(f, follow_up={**state, "state": "acknowledged"}, acknowledged=True)
                else:
                    f = replace(f, follow_up=state, acknowledged=not late,
                                message=_said(f.message, f" — follow-up by {owner} overdue since {due}" if late else ""))
        out.append(f)
    seen = set()
    for entry in (e for named in offs.values() for e in named) if unused else ():
        if entry.flag == "!" and id(entry) not in used and id(entry) not in seen:
            seen.add(id(entry))
            listed = _listed(entry, offs)
            if listed is not None:
                out.append(listed)
    return out


def _said(message: str, more: str) -> str:
    """A finding's message with what a decision adds to it, once: a finding decided again
    (reconcile.Load.as_listed: one the fold changed, its message said so already) does
    not say it twice."""
    return message if more in message else message + more


def _above(message: str, entry) -> str:
    return _said(message, f" — written off above the limit: {entry.meta.get('reason', '')}")


def _written_off(entry) -> str:
    """Where a write-off above the limit put its finding, and why (Finding.written_off)."""
    into = next((p for p in entry.postings if p.units.number > 0), entry.postings[0])
    return f"written off to {into.account} above the limit: {entry.meta.get('reason', '')}"


def _listed(entry: data.Transaction, offs: dict) -> Finding | None:
    """A write-off above the limit whose finding the books no longer show (they balance).
    Where a later write-off took back part of it (REVERSES: paid since), what is left
    written off, said as that one says the finding; nothing where it took back all."""
    code = str(entry.meta["write-off"])
    posting = entry.postings[0]
    amount, said = posting.units.number, entry
    settled = str(entry.meta.get("settles", "")).split()
    back = [e for e in offs.get((code, settled[0]), ()) if REVERSES in e.meta] if settled else []
    if back:
        amount += sum(p.units.number for e in back for p in e.postings[:1] if p.units.currency == posting.units.currency)
        if not amount:
            return None
        said = back[-1]
    return Finding(code, entry.date, str(entry.meta.get("finding-source", "")), entry.postings[-1].account,
                   abs(amount), posting.units.currency, _above(said.narration.split(": ", 1)[-1], entry),
                   tuple(settled), acknowledged=True, written_off=_written_off(entry), **at_entry(entry))
