"""The six beanclear plugins alone on books already made by a benchmark: the books are
loaded once without their plugin lines, then each plugin's body (reconcile.run_plugin)
runs in the plugin lines' order, as during a load, twice (fresh Load each time).
Prints each check's CPU seconds, the collector's time inside them (gc.callbacks), and
with --profile the top of a cProfile of the second run.

    .venv/bin/python benchmarks/profile_checks.py benchmarks/out/large [--profile 30]

The harness's --profile profiles a whole load, where Beancount's own work hides the
plugins; this shows only theirs.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a benchmark's --out (config.yaml and books/ inside)")
    parser.add_argument("--profile", type=int, nargs="?", const=30, default=0, metavar="LINES")
    args = parser.parse_args()
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    from beancount import loader
    from beanclear.checks import reconcile
    config = str(args.out / "config.yaml")
    began = time.process_time()
    entries, _, options = loader.load_file(str(args.out / "books" / "main.noplugins.beancount"))
    loaded = time.process_time() - began
    print(f"{len(entries):,} entries; their load without plugins (plain bean-check's work): {loaded:.2f} s cpu",
          flush=True)
    collected = {"cpu": 0.0, "runs": 0}

    def watch(phase, info):
        if phase == "start":
            collected["began"] = time.process_time()
        else:
            collected["cpu"] += time.process_time() - collected["began"]
            collected["runs"] += 1
    profile = None
    for run in range(2):
        options.pop(reconcile.STORE, None)
        collected.update(cpu=0.0, runs=0)
        if args.profile and run == 1:
            import cProfile
            profile = cProfile.Profile()
            profile.enable()
        gc.callbacks.append(watch)
        per, began = {}, time.process_time()
        for name in reconcile.CHECKS:
            start = time.process_time()
            reconcile.run_plugin(entries, options, config, (name,))
            per[name] = round(time.process_time() - start, 3)
        total = time.process_time() - began
        gc.callbacks.remove(watch)
        if profile is not None:
            profile.disable()
        print(f"run {run + 1}: {total:.2f} s cpu in the plugins ({total / loaded * 100:.1f}% of the load) {per}; "
              f"collector {collected['cpu']:.2f} s in {collected['runs']} collection(s)", flush=True)
    if profile is not None:
        import pstats
        stats = pstats.Stats(profile)
        stats.strip_dirs()
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
