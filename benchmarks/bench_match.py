"""How `beanclear match` scales: bank lines against open items, and ten times both.

    python benchmarks/bench_match.py                 # 10,000 x 100,000, then 100,000 x 1,000,000
    python benchmarks/bench_match.py --scale 1       # only the first size
    python benchmarks/bench_match.py --profile 30    # and the top 30 of a cProfile of each

Entries are built in memory (this measures matching, not parsing): payouts of 20
channels per 100,000 items spread over a year, waiting in transit (ten times the items
is ten times the channels: the density per channel and day, which a real merchant's
growth does not multiply, stays the same); bank lines of which a quarter quote
the payout id, a quarter pay a payout under the bank's name for the channel, a tenth
pay two payouts at once, and the rest have no counterpart. Each size runs in its own
process so its peak memory (ru_maxrss) is its own. The time should grow about ten
times from one size to the next, not a hundred. The ratio is of CPU time
(`time.process_time`): the clock on the shared machine moves with the neighbours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import harness

CHANNELS_PER_100K = 20  # more items means more channels, not more payouts per channel and day


def channels_for(items: int) -> int:
    return max(1, CHANNELS_PER_100K * items // 100_000)


def build(lines: int, items: int, seed: int = 1):
    from beancount.core import data
    from beancount.core.amount import Amount

    rng = random.Random(seed)
    start = dt.date(2026, 1, 1)
    entries, payouts = [], []

    def txn(date, payee, narration, meta, postings, links=()):
        full = data.new_metadata("<bench>", len(entries) + 1)
        full.update(meta)
        return data.Transaction(full, date, "*", payee, narration, frozenset(), frozenset(links),
                                [data.Posting(a, Amount(n, "CNY"), None, None, None, {"filename": "<bench>",
                                                                                      "lineno": 0})
                                 for a, n in postings])

    for n in range(items):
        channel = f"C{n % channels_for(items)}"
        date = start + dt.timedelta(days=rng.randrange(360))
        amount = Decimal(rng.randrange(10_000, 5_000_000)) / 100
        pid = f"{n:012d}"
        entries.append(txn(date, f"{channel} Pay", "Withdrawal", {"id": f"F{pid}", "payout-id": pid},
                           [(f"Assets:Transit:{channel}", amount), (f"Assets:Clearing:{channel}", -amount)],
                           [f"payout-{pid}"]))
        payouts.append((date, amount, pid, channel))
    rng.shuffle(payouts)
    by_channel_day: dict = {}
    for p in payouts[lines:]:
        by_channel_day.setdefault((p[3], p[0]), []).append(p)
    for n in range(lines):
        kind = n % 20
        date, amount, pid, channel = payouts[n]
        day = date + dt.timedelta(days=rng.randrange(0, 3))
        if kind < 5:
            payee, memo = "某银行", f"提现 {pid}"
        elif kind < 10:
            payee, memo = f"{channel} Payments Ltd", "TRANSFER"
        elif kind < 12 and by_channel_day.get((channel, date)):
            second = by_channel_day[(channel, date)].pop()  # same channel, same day: one bank credit
            amount += second[1]
            payee, memo = f"{channel} Payments Ltd", "BATCH"
        else:
            payee, memo, amount = f"Customer {n}", "转账", Decimal(rng.randrange(100, 10_000_000)) / 100 + Decimal("0.01")
        entries.append(txn(day, payee, memo, {"id": f"B{n:08d}"},
                           [("Assets:Bank:Ops", amount), ("Assets:Suspense", -amount)]))
    return entries


def config_for(folder: Path, count: int):
    from beanclear import config as config_mod
    channels = "\n".join(f"  c{n}: {{type: wechat, bank: ops, bank_days: 3, payout_memo: never}}"
                         for n in range(count))
    aliases = "\n".join(f"    c{n}: [C{n} Payments]" for n in range(count))
    (folder / "config.yaml").write_text(
        f"channels:\n{channels}\nbanks:\n  ops: {{type: csv, account: Assets:Bank:Ops, columns: {{date: d, amount: a}}}}\n"
        f"match:\n  aliases:\n{aliases}\n", encoding="utf-8")
    return config_mod.load(folder / "config.yaml")


def measure(lines: int, items: int) -> dict:
    from beanclear import matching
    with tempfile.TemporaryDirectory() as folder:
        config = config_for(Path(folder), channels_for(items))
    entries = build(lines, items)
    began, cpu = time.perf_counter(), time.process_time()
    proposals = harness.profiled(lambda: matching.match(entries, config), f"matching {lines:,} x {items:,}")
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"lines": lines, "items": items, "seconds": round(took, 2), "cpu_s": round(cpu, 2),
            "proposals": len(proposals), "confident": sum(p.confident for p in proposals),
            "by_stage": {s: sum(p.stage == s for p in proposals) for s in ("exact", "groups", "fuzzy", "history")},
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--scale", type=int, default=2, help="how many sizes, each ten times the last")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    if args.one:
        print(json.dumps(measure(args.lines, args.items)))
        return
    results = []
    for step in range(args.scale):
        lines, items = args.lines * 10 ** step, args.items * 10 ** step
        run = subprocess.run([sys.executable, __file__, "--one", "--lines", str(lines), "--items", str(items)],
                             capture_output=True, text=True, check=True)
        if args.profile:
            print(run.stderr, end="", flush=True)
        result = json.loads(run.stdout)
        results.append(result)
        print(f"{lines:>9,} bank lines x {items:>10,} open items: {result['cpu_s']:8.2f} s cpu "
              f"(clock {result['seconds']:.2f} s), "
              f"peak {result['peak_mib']:,} MiB, {result['proposals']:,} proposals "
              f"({result['confident']:,} confident; {result['by_stage']})", flush=True)
    if len(results) > 1:
        growth = results[-1]["cpu_s"] / max(results[-2]["cpu_s"], 1e-9)
        clock = results[-1]["seconds"] / max(results[-2]["seconds"], 1e-9)
        print(f"CPU time grew {growth:.1f}x for 10x the work (clock {clock:.1f}x); goal <= 11x")


if __name__ == "__main__":
    main()
