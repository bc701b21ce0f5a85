"""The import's id store alone (ledger/books/idset.py): adds and look-ups past its
in-memory limit, with ids shaped like a WeChat bill's (an id and `fee <id>` a row).

    .venv/bin/python benchmarks/bench_ids.py --rows 1000000          # look up, then add: a first import
    .venv/bin/python benchmarks/bench_ids.py --rows 500000 --hits     # look-ups that hit: a --force re-read
    .venv/bin/python benchmarks/bench_ids.py --rows 500000 --hits --shuffled

Prints CPU seconds at a tenth, a quarter, half and all of the rows (so the growth is
visible) and the peak memory of this process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

from beanclear.books import idset

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def keys_of(rows: int, ordered: bool):
    rng = random.Random(1)
    for i in range(rows):
        tx = ("4200001234%08d%010d" % (20260101 + i // 20000, i) if ordered
              else "42000%05d2026%08d%010d" % (rng.randrange(100000), i // 1000, rng.randrange(10**10)))
        yield tx
        yield "fee " + tx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hits", action="store_true", help="add every id, then look each up")
    parser.add_argument("--shuffled", action="store_true", help="with --hits: look them up in random order")
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    harness.profiled(lambda: run(args), "the id store")
    print(f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


def run(args) -> None:
    ids = idset.Ids()
    marks = {args.rows // 10, args.rows // 4, args.rows // 2, args.rows}
    start = time.process_time()
    if args.hits:
        keys = list(keys_of(args.rows, ordered=True))
        ids.update(keys)
        print(f"added {len(keys):,} ids: {time.process_time() - start:.2f} s", flush=True)
        if args.shuffled:
            random.Random(5).shuffle(keys)
        start = time.process_time()
        assert all(key in ids for key in keys)
        print(f"{len(keys):,} look-ups that hit{' (shuffled)' if args.shuffled else ''}: "
              f"{time.process_time() - start:.2f} s")
    else:
        for n, key in enumerate(keys_of(args.rows, ordered=False), 1):
            if key not in ids:
                ids.add(key)
            if n % 2 == 0 and n // 2 in marks:
                print(f"{n // 2:>10,} rows ({n:,} ids): {time.process_time() - start:.2f} s", flush=True)


if __name__ == "__main__":
    main()
