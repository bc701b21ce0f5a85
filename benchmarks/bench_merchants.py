"""Score many random merchants (beanclear.simulation) and print per-code precision/recall.

    .venv/bin/python benchmarks/bench_merchants.py --seeds 100 --from 1000 [--size big] [--clean]

Aggregates over all seeds: per code the truth, found and true-positive counts; the seeds whose
import failed; the seeds whose books do not conserve the truth's money; `beanclear match`'s
confident proposals, right and wrong by the truth's payout of each bank line (score.match_score).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beanclear.simulation.score import score  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--from", dest="first", type=int, default=1000)
    ap.add_argument("--size", choices=["small", "big"], default="big")
    ap.add_argument("--clean", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the aggregate as JSON")
    a = ap.parse_args(argv)
    tot = defaultdict(lambda: defaultdict(int))
    failed, leaky, t0 = {}, [], time.time()
    matched = defaultdict(int)
    for seed in range(a.first, a.first + a.seeds):
        with tempfile.TemporaryDirectory() as d:
            r = score(seed, Path(d), a.clean, a.size)
        if "codes" not in r:
            failed[seed] = (r.get("import_failed") or r.get("check_failed") or "")[:200]
            continue
        for code, v in r["codes"].items():
            for k in ("truth", "found", "true_positive"):
                tot[code][k] += v[k]
        for k in ("confident", "right", "unknown", "unsure"):
            matched[k] += r["match"].get(k, 0)
        matched["wrong"] += len(r["match"].get("wrong", []))
        if "failed" in r["match"]:
            failed[seed] = "match: " + r["match"]["failed"][:200]
        for wrong in r["match"].get("wrong", []):
            print(f"seed {seed}: match proposal wrong: {json.dumps(wrong, ensure_ascii=False)[:400]}", file=sys.stderr)
        if not r["conservation"].get("exact"):
            leaky.append(seed)
        print(f"seed {seed}: {r['findings']} findings, {len(r['missed'])} missed, {len(r['false'])} false", file=sys.stderr)
    agg = {c: {**v, "precision": round(v["true_positive"] / v["found"], 4) if v["found"] else None,
               "recall": round(v["true_positive"] / v["truth"], 4) if v["truth"] else None} for c, v in tot.items()}
    out = {"seeds": [a.first, a.first + a.seeds - 1], "size": a.size, "clean": a.clean, "codes": agg,
           "import_failed": failed, "conservation_not_exact": leaky, "match": dict(matched),
           "seconds": round(time.time() - t0, 1)}
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"{'code':24} {'truth':>6} {'found':>6} {'tp':>6} {'precision':>9} {'recall':>7}")
    for c, v in agg.items():
        print(f"{c:24} {v['truth']:6} {v['found']:6} {v['true_positive']:6} {str(v['precision']):>9} {str(v['recall']):>7}")
    print(f"match: {matched['confident']} confident proposals, {matched['right']} right, {matched['wrong']} wrong, "
          f"{matched['unknown']} not told by the truth; {matched['unsure']} left to a person")
    print(f"import failed: {len(failed)} {failed}\nconservation not exact: {leaky}\n{out['seconds']} s")


if __name__ == "__main__":
    main()
