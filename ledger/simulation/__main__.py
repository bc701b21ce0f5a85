"""python -m beanclear.simulation --seed N --out DIR [--clean] [--size small|big]"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .score import score


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m beanclear.simulation", description=__doc__)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--clean", action="store_true", help="inject no problem: the truth is zero findings")
    ap.add_argument("--size", choices=["small", "big"], default="small")
    ap.add_argument("--full", action="store_true", help="also print the missed problems and false findings")
    a = ap.parse_args(argv)
    r = score(a.seed, a.out, a.clean, a.size)
    if not a.full:
        r.pop("missed", None)
        r["false"] = len(r.get("false", []))
    print(json.dumps(r, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
