"""What the plugin line adds to a load before any check has work: importing beanclear's
modules and reading the config, on a ledger of one transaction.

    .venv/bin/python benchmarks/bench_plugin_overhead.py [--runs 15] [--python OTHER/.venv/bin/python]

Each run is a fresh interpreter that loads the ledger without the plugin line (so
Beancount's own modules are imported), then with it, and prints the CPU seconds of the
second load alone: what the plugin adds. The demo's config (ledger/demo_config.yaml) is
the one read. Prints the minimum and median of --runs runs (the minimum is the figure:
on a shared machine the rest is the neighbours), and with --python the same for another
tree's interpreter in alternating runs, and the ratio. On small books this is most of
what bean-check pays for the checks (issue #15; docs/perf-checks-page.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

LEDGER = """\
option "operating_currency" "CNY"
{plugin}
2026-01-01 open Assets:Cash
2026-01-01 open Income:Other
2026-01-02 * "x"
  Assets:Cash  1.00 CNY
  Income:Other
"""
MEASURE = """\
import sys, time
from beancount import loader
loader.load_file(sys.argv[1])
began = time.process_time()
loader.load_file(sys.argv[2])
print(time.process_time() - began)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", help="another tree's interpreter, measured in alternating runs")
    args = parser.parse_args()
    config = Path(__file__).resolve().parent.parent / "ledger" / "demo_config.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_bytes(config.read_bytes())
        books = root / "books"
        books.mkdir()
        plain, checked = books / "main.noplugin.beancount", books / "main.beancount"
        plain.write_text(LEDGER.format(plugin=""), encoding="utf-8")
        checked.write_text(LEDGER.format(plugin='plugin "beanclear.plugins.checks" "../config.yaml"'),
                           encoding="utf-8")
        env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
        pythons = [sys.executable] + ([args.python] if args.python else [])
        times: dict[str, list[float]] = {p: [] for p in pythons}
        for _ in range(args.runs):
            for python in pythons:
                out = subprocess.run([python, "-c", MEASURE, str(plain), str(checked)], env=env, check=True,
                                     capture_output=True, text=True).stdout
                times[python].append(float(out))
    for python, seen in times.items():
        print(f"{python}: the plugin adds {min(seen) * 1000:.1f} ms CPU (minimum of {len(seen)}), "
              f"median {statistics.median(seen) * 1000:.1f} ms")
    if args.python:
        print(f"ratio of the minimums: {min(times[sys.executable]) / min(times[args.python]):.2f}")


if __name__ == "__main__":
    main()
