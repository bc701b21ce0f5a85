"""What the benchmarks share: each measurement runs in a fresh Python process, so that
its peak memory (`getrusage(RUSAGE_SELF).ru_maxrss`, which includes the interpreter and
the imported modules; `base` is that figure before the work) is its own, and Beancount's
pickle cache is off (BEANCOUNT_DISABLE_LOAD_CACHE) so that every load is a real one.

The three loads of the books that every check benchmark compares:

  bean-check  Beancount's loader on the books without their `plugin` lines
  plugins     Beancount's loader on main.beancount (what bean-check and Fava do)
  check       `beanclear check`: the loader with plugins, plus the full report
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

LOADS = ("bean-check", "plugins", "check")
NO_PLUGINS = "main.noplugins.beancount"


PROFILE = "BEANCLEAR_BENCH_PROFILE"   # set (to a line count) by a benchmark's --profile


def profiled(work, label: str = ""):
    """`work()`, under cProfile when the benchmark runs with --profile: the top of the
    profile (cumulative time) goes to stderr, which the parent prints."""
    lines = int(os.environ.get(PROFILE) or 0)
    if not lines:
        return work()
    import cProfile
    import io
    import pstats
    profile = cProfile.Profile()
    try:
        return profile.runcall(work)
    finally:
        for order in ("cumulative", "tottime"):   # where the time goes, and which functions spend it
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats(order).print_stats(lines)
            print(f"--- profile of {label or 'the work'} by {order} (times include cProfile's overhead) ---\n"
                  + text.getvalue().split("\n\n", 1)[-1].strip(), file=sys.stderr, flush=True)


def timed(kind: str, work) -> dict:
    """Run `work()` (which returns a dict of counts) and add its time and memory: wall
    seconds, and `cpu`, this process's user + system seconds (steadier on a shared
    machine: the ratios are taken on it)."""
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    extra = profiled(work, kind)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "seconds": seconds, "cpu": cpu, "base_mb": base / 1024, "peak_mb": peak / 1024, **extra}


def load(kind: str, config) -> dict:
    """One of LOADS on the config's books, in this process; what it found."""
    from beancount import loader
    from beanclear.checks import checking, reconcile
    inside = [0.0]  # CPU seconds spent in the beanclear plugins: their share of this very load
    run_plugin = reconcile.run_plugin

    def timed_plugin(*args):
        start = time.process_time()
        try:
            return run_plugin(*args)
        finally:
            inside[0] += time.process_time() - start
    reconcile.run_plugin = timed_plugin  # before the loader imports the plugin modules
    books = config.books
    if kind == "check":
        report = checking.check(config)
        report.to_text()
        return {"findings": len(report.findings), "errors": report.errors, "in_plugins_s": round(inside[0], 2)}
    entries, errors, _ = loader.load_file(str(books / (NO_PLUGINS if kind == "bean-check" else "main.beancount")))
    return {"entries": len(entries), "errors": len(errors), "in_plugins_s": round(inside[0], 2)}


def strip_plugins(books: Path) -> None:
    """Beside main.beancount, the same books without the `plugin` lines."""
    text = (books / "main.beancount").read_text(encoding="utf-8")
    (books / NO_PLUGINS).write_text(re.sub(r"(?m)^plugin .*\n", "", text), encoding="utf-8")


def measure(script: str, kind: str, out: Path, timeout: float, *extra: str) -> dict:
    """Run `script --child kind --out out` in a fresh process; the dict it printed last."""
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    done = subprocess.run([sys.executable, script, "--child", kind, "--out", str(out), *extra], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise SystemExit(f"{kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if os.environ.get(PROFILE) and done.stderr.strip():
        print(done.stderr.rstrip(), flush=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(r: dict, what: str = "") -> None:
    rest = ", ".join(f"{k} {v:,}" for k, v in r.items() if k not in ("kind", "seconds", "cpu", "base_mb", "peak_mb"))
    cpu = f"  cpu {r['cpu']:8.2f} s" if "cpu" in r else ""
    print(f"{r['kind']:<11} wall {r['seconds']:9.2f} s{cpu}  peak {r['peak_mb']:8,.0f} MB (base {r['base_mb']:,.0f} MB)"
          f"  {what}{'; ' + rest if rest else ''}", flush=True)


def ratio_line(what: str, figure: float, reference_name: str, reference: float, goal: str = "") -> str:
    """One figure with its reference and the ratio, as the README's tables give them."""
    ratio = figure / reference if reference else float("inf")
    return (f"{what:<34} {figure:9.2f} s cpu   {reference_name:<28} {reference:9.2f} s cpu   ratio {ratio:6.2f}"
            f"{'   goal ' + goal if goal else ''}")


def add_profile_flag(parser) -> None:
    parser.add_argument("--profile", type=int, nargs="?", const=25, default=0, metavar="LINES",
                        help="print the top LINES (default 25) of a cProfile of each measurement")


def use_profile(args) -> None:
    if args.profile:
        os.environ[PROFILE] = str(args.profile)   # the children inherit it


def compare_loads(script: str, out: Path, timeout: float, repeat: int = 1) -> dict[str, dict]:
    """The three LOADS, each `repeat` times in turn (the fastest run of each counts: the
    others measured the machine's other work); prints each and the plugins' share."""
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for kind in LOADS:
            r = measure(script, kind, out, timeout)
            if kind not in best or r["cpu"] < best[kind]["cpu"]:
                best[kind] = r
    # Loads of the same books differ by several percent from run to run on a busy machine:
    # the ratios are taken on CPU seconds, and the time spent inside the plugins during a
    # load is the steadiest figure of their cost.
    plain = best["bean-check"]["cpu"]
    show(best["bean-check"], "plain Beancount (no plugins)")
    show(best["plugins"], f"{(best['plugins']['cpu'] / plain - 1) * 100:+.1f}% cpu for the plugins")
    show(best["check"], f"{(best['check']['cpu'] / plain - 1) * 100:+.1f}% cpu over plain bean-check")
    for kind in ("plugins", "check"):
        spent = best[kind]["in_plugins_s"]
        print(f"{'':<11} {kind}: {spent:.2f} s cpu inside the beanclear plugins, "
              f"{spent / (best[kind]['cpu'] - spent) * 100:.1f}% of the rest of that load", flush=True)
    print(ratio_line("bean-check with the plugins", best["plugins"]["cpu"], "plain bean-check", plain, "< 1.10"))
    print(ratio_line("beanclear check", best["check"]["cpu"], "plain bean-check", plain), flush=True)
    return best
