"""Acknowledgments: a person has looked at a finding and accepts it, with a reason.

    2026-04-02 custom "beanclear-ack" "payout-mismatch" "1000000123" "ICBC took a 0.50 fee; agreed"

names a finding by its code and one of its refs (a statement id, as in `refs`). The
finding is still listed, marked acknowledged, but no longer fails CI. An
acknowledgment that matches no finding any more is itself reported (`stale-ack`), so
old ones do not pile up and hide the next problem with the same id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from beancount.core import data

from beanclear.findings import Finding, at_entry

ACK = "beanclear-ack"


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
        if isinstance(entry, data.Custom) and entry.type == ACK:
            values = [str(v.value) for v in entry.values]
            if len(values) != 3 or not all(values):
                bad.append(Finding("stale-ack", entry.date, "", "", Decimal(0), "",
                                   f'malformed {ACK}: expected "code" "ref" "reason", got {len(values)} values',
                                   **at_entry(entry)))
                continue
            out.append(Ack(values[0], values[1], values[2], entry))
    return out, bad


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
