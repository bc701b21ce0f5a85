"""One cause, one finding: random merchants (beanclear.simulation) each with one statement
file left out; how many findings beyond the truth the missing file causes.

    .venv/bin/python benchmarks/bench_one_cause.py --seeds 30 --from 31000

Per seed: the file left out, the findings the truth does not hold (by code), the truth's
problems not found (most held their evidence in that file). A missing file should add at
most one finding, the statement-gap that says which days wait for it; the summary lists
the seeds where it added more, and those where plain `bean-check` fails with more (or
fewer) errors than `beanclear check` lists (DESIGN §2: the same findings).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beanclear.simulation.score import one_left_out  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--from", dest="first", type=int, default=31000)
    ap.add_argument("--size", choices=["small", "big"], default="small")
    a = ap.parse_args(argv)
    more, failed, total, apart = [], [], Counter(), []
    for seed in range(a.first, a.first + a.seeds):
        with tempfile.TemporaryDirectory() as d:
            r = one_left_out(seed, Path(d), a.size)
        if "import_failed" in r:
            failed.append(seed)
            print(f"seed {seed}: left out {r['dropped']}: import failed: {r['import_failed'][-300:]}")
            continue
        codes = Counter(f["code"] for f in r["beyond"])
        total.update(codes)
        if len(r["beyond"]) > 1:
            more.append((seed, len(r["beyond"])))
        if r["bean_check_errors"] != r["check_errors"]:
            apart.append((seed, r["check_errors"], r["bean_check_errors"]))
        print(f"seed {seed}: left out {r['dropped']}: {r['findings']} findings, {len(r['beyond'])} beyond the "
              f"truth {dict(codes)}, {len(r['missed'])} of the truth not found")
        for f in r["beyond"][:5]:
            print(f"    {f['code']} {f['source']} {f['date']}: {f['message'][:140]}")
    print(f"beyond the truth, by code: {dict(total)}\nseeds with more than one: {more}\nimport failed: {failed}")
    print(f"seeds where plain bean-check's errors are not check's (seed, check, bean-check): {apart}")


if __name__ == "__main__":
    main()
