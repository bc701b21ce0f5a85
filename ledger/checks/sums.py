"""Which amounts add up to which: the bank lines that together settle one payout, the
payouts a bank credits as one line. Pairs and runs one after the other only, never any
subset: a sum that only a subset makes is a question for a person. The clearing check
(checks/clearing.py) and matching's group stage (matching/core.py) ask the same way.

    pair_or_run([1200.00, 300.00, 800.00], 2000.00)   -> [0, 2]
    runs_summing_to([4955.63, 1491.55, 10.00], 6447.18) -> [(0, 1)]
"""

from __future__ import annotations

from decimal import Decimal


def pair_or_run(values: list[Decimal], target: Decimal) -> list[int] | None:
    """The places of values that together make `target`: any two of them (the first pair
    found), else a run of them one after the other (runs_summing_to). Linear, never
    subsets: the bank lines that together settle one item, here and in matching's group
    stage."""
    seen: dict[Decimal, int] = {}
    for n, value in enumerate(values):
        if target - value in seen:
            return [seen[target - value], n]
        seen.setdefault(value, n)
    runs = runs_summing_to(values, target)
    return list(range(runs[0][0], runs[0][1] + 1)) if runs else None


def batched(near: list, amount: Decimal) -> list:
    """Two or more payouts, one after the other by date, whose sum is exactly `amount`: a
    bank that batches the channel's payouts into one credit (`PINGPONG SAMMELAUSZAHLUNG`
    of two days' payouts). Runs only, never any subset, as matching's group stage
    searches them (runs_summing_to): a sum that only a subset makes is a question for a person.

        2026-09-09 payout  4955.63 EUR
        2026-09-10 payout  1491.55 EUR
        2026-09-11 bank   -6447.18 EUR     ; both, not a payout-mismatch of the first"""
    ordered = sorted(near, key=lambda p: (p.date, p.entry.meta.get("id", "")))
    found = runs_summing_to([p.amount for p in ordered], amount)
    return ordered[found[0][0]:found[0][1] + 1] if found else []


def runs_summing_to(values: list[Decimal], target: Decimal) -> list[tuple[int, int]]:
    """Contiguous runs of at least two positive values summing to target (two pointers):
    the payouts a bank credits as one line (here and in matching's group stage)."""
    out, total, start = [], Decimal(0), 0
    for end, value in enumerate(values):
        total += value
        while total > target and start <= end:
            total -= values[start]
            start += 1
        if total == target and end > start:
            out.append((start, end))
    return out
