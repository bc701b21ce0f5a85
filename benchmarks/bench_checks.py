"""What the checks cost on books of a million orders with their payments and payouts.

    .venv/bin/python benchmarks/bench_checks.py --orders 100000
    .venv/bin/python benchmarks/bench_checks.py --orders 1000000 --out /tmp/bench-checks
    .venv/bin/python benchmarks/bench_checks.py --orders 100000 --skip-import --profile   # + the top of a profile

Writes into --out (default benchmarks/out/checks, git-ignored; emptied first) the
demo merchant's config without its overseas channels, and a clean quarter of its
statements made by the demo's own writers, scaled to --orders orders: the Shopify
orders export, WeChat's trade and fund bills (every order paid once, every 50th
refunded within days, every evening's balance withdrawn) and the bank statement the
withdrawals reach. It imports them with `beanclear import`, then times the three
loads of benchmarks/harness.py: plain `bean-check` without plugins, with the plugins,
and `beanclear check`. Every order and payment is a transaction (two per order),
and the checks must find nothing: the run fails if they do.

With --books-only it stops after the import; with --skip-import it reuses the books
already in --out (to measure again after a change to the checks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

REFUND_EVERY = 50


def quarter(till, orders: int):
    """`orders` paid orders spread evenly over the quarter; every 50th is refunded 0-5
    days later, in turn, between 09:00 and 22:30 (as many refunds every day: no surge, no
    high rate; none after the quarter's end, where nothing could withdraw them)."""
    from beanclear.demo.common import END, Quarter, days
    quarter_days = days()
    per_day, left, trades, n = -(-orders // len(quarter_days)), orders, [], 0
    for day in quarter_days:
        paid = till.payments(day, min(per_day, left))
        left -= len(paid)
        trades += paid
        for p in paid:
            n += 1
            if n % REFUND_EVERY:
                continue
            when = day + dt.timedelta(n // REFUND_EVERY % 6)
            start = p.time + dt.timedelta(minutes=5) if when == day else dt.datetime.combine(when, dt.time(9))
            end = dt.datetime.combine(when, dt.time(22, 30))
            if when <= END and start < end:
                trades.append(till.refund(p, start + (end - start) * (n % 997) / 997))
    trades.sort(key=lambda t: (t.time, t.refund_id, t.trade_id))
    return Quarter(trades=trades)


def generate(out: Path, orders: int) -> dict:
    """The config and the statements."""
    from beanclear import config as config_mod
    from beanclear import demo
    from beanclear.demo import write_quarter, wechat
    from beanclear.demo import bank as bank_mod
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    settings = yaml.safe_load(demo.embedded_config())
    settings["channels"] = {"wechat": settings["channels"]["wechat"]}
    settings["banks"] = {"icbc": settings["banks"]["icbc"]}
    (out / "config.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = config_mod.load(out / "config.yaml")
    channel, bank = config.channels["wechat"], config.banks["icbc"]
    rng = random.Random(7)
    till = demo.Till(rng, channel.account_id, channel.fees[0])
    q = quarter(till, orders)
    wechat.fund(q, till, channel, set())
    bank_mod.lines(rng, q, bank, False)
    files = write_quarter(q, till, channel, bank, out / "statements", "清风茶舍")
    return {"orders": orders, "rows": sum(n for _, n in files),
            "statements_mb": round(sum(path.stat().st_size for path, _ in files) / 2**20, 1)}


def child(kind: str, out: Path, orders: int) -> dict:
    from beanclear import config as config_mod
    from beanclear.books import importing
    if kind == "generate":  # here too, not in the parent: a child's peak memory starts at its parent's
        return harness.timed(kind, lambda: generate(out, orders))
    config = config_mod.load(out / "config.yaml")
    if kind == "import":
        def work():
            results = importing.run(config, sorted(p for p in (out / "statements").iterdir()))
            return {"rows": sum(r.extraction.rows for r in results), "written": sum(len(r.new) for r in results)}
        return harness.timed(kind, work)
    return harness.timed(kind, lambda: harness.load(kind, config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders of the quarter (default 1,000,000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "checks",
                        help="working folder, emptied first (default benchmarks/out/checks)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each load; the fastest counts (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per measurement")
    parser.add_argument("--books-only", action="store_true", help="stop after the import")
    parser.add_argument("--skip-import", action="store_true", help="measure the books already in --out")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    out = args.out.resolve()
    if args.child:
        print(json.dumps(child(args.child, out, args.orders)))
        return
    books = out / "books"
    if not args.skip_import:
        harness.show(harness.measure(__file__, "generate", out, args.timeout, "--orders", str(args.orders)))
        imported = harness.measure(__file__, "import", out, args.timeout)
        harness.show(imported, f"{imported['rows'] / imported['seconds']:,.0f} rows/s")
        size = sum(p.stat().st_size for p in books.rglob("*.beancount"))
        print(f"{'':<11} books: {size / 2**20:,.1f} MB in {len(list(books.rglob('*.beancount')))} files", flush=True)
        harness.strip_plugins(books)
    if args.books_only:
        return
    best = harness.compare_loads(__file__, out, args.timeout, args.repeat)
    if best["check"]["findings"] or best["plugins"]["errors"] or best["bean-check"]["errors"]:
        raise SystemExit("the clean quarter has findings or errors: the benchmark measured broken books")


if __name__ == "__main__":
    main()
