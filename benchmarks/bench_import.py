"""Import and check speed and memory at scale, over a generated WeChat trade bill.

    .venv/bin/python benchmarks/bench_import.py --rows 100000
    .venv/bin/python benchmarks/bench_import.py --rows 1000000 --out /tmp/bench

Writes into --out (default benchmarks/out, git-ignored; emptied first) a minimal
config (a WeChat channel and a CSV bank), one trade bill of --rows rows made by the
demo's row writer (payments over a quarter, ~2% refunded the same day), then runs
each measurement in a fresh Python process, so that every peak memory figure is that
measurement's own (the child's `getrusage(RUSAGE_SELF).ru_maxrss`, which includes
the interpreter and the imported modules; `base` is that figure before the work):

  parse      identify and read the statement (no books)
  import     `beanclear import`: read, compare with the books, write them
  reimport   the same file again into the full books: nothing new is written
  bean-check Beancount's loader on the books without the `plugin` lines
  plugins    Beancount's loader on main.beancount (what bean-check and Fava do)
  check      `beanclear check`: the loader with plugins plus the full report

Beancount's pickle cache is switched off (BEANCOUNT_DISABLE_LOAD_CACHE) so that every
load is a real one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

CONFIG = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    account_id: "1601959334"
    settlement_days: 1
    bank: ops
    bank_days: 2
    fees: [{rate: 0.006, min: 0.01}]
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
"""


def bill_rows(till, rng: random.Random, rows: int):
    """`rows` trade-bill rows in time order, spread over a quarter, made one day at a time."""
    from beanclear import demo
    per_day, day, left = max(1, math.ceil(rows / 90)), demo.START, rows
    while left > 0:
        paid = till.payments(day, min(per_day, left))
        refunds = [till.refund(p, p.time + dt.timedelta(minutes=5)) for p in paid if rng.random() < 0.02]
        for row in sorted(paid + refunds, key=lambda t: (t.time, t.refund_id))[:left]:
            yield row
            left -= 1
        day += dt.timedelta(days=1)


def generate(out: Path, rows: int) -> Path:
    """The config and the trade bill, streamed to disk (memory does not grow with rows)."""
    from beanclear import demo
    if out.exists():
        shutil.rmtree(out)
    (out / "statements").mkdir(parents=True)
    (out / "config.yaml").write_text(CONFIG, encoding="utf-8")
    path = out / "statements" / "tradebill.csv"
    rng = random.Random(7)
    till = demo.Till(rng, "1601959334")
    assert demo.write_trade_bill(path, bill_rows(till, rng, rows), till) == rows
    return path


def child(kind: str, out: Path) -> dict:
    """One measurement, in this (fresh) process."""
    from beancount import loader
    from beanclear import checking, config as config_mod, importing
    from beanclear.importers.registry import for_config
    config = config_mod.load(out / "config.yaml")
    bill = out / "statements" / "tradebill.csv"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    extra = {}
    if kind == "parse":
        importer = importing.identify(bill, for_config(config), None)
        extra["entries"] = len(importer.parse(str(bill)).entries)
    elif kind in ("import", "reimport"):
        results = importing.run(config, [bill])
        extra["written"] = sum(len(r.new) for r in results)
        extra["known"] = sum(r.known for r in results)
    elif kind == "bean-check":
        entries, errors, _ = loader.load_file(str(config.books / "main.noplugins.beancount"))
        extra["entries"], extra["errors"] = len(entries), len(errors)
    elif kind == "plugins":
        entries, errors, _ = loader.load_file(str(config.books / "main.beancount"))
        extra["entries"], extra["errors"] = len(entries), len(errors)
    elif kind == "check":
        report = checking.check(config)
        report.to_text()
        extra["findings"], extra["errors"] = len(report.findings), report.errors
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "seconds": seconds, "base_mb": base / 1024, "peak_mb": peak / 1024, **extra}


def measure(kind: str, out: Path, timeout: float) -> dict:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise SystemExit(f"{kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*.beancount"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the trade bill (default 1,000,000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out",
                        help="working folder, emptied first (default benchmarks/out)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.child:
        print(json.dumps(child(args.child, out)))
        return

    def show(r: dict, what: str) -> None:
        rest = ", ".join(f"{k} {v:,}" for k, v in r.items() if k not in ("kind", "seconds", "base_mb", "peak_mb"))
        print(f"{r['kind']:<11} {r['seconds']:9.2f} s  peak {r['peak_mb']:8,.0f} MB (base {r['base_mb']:,.0f} MB)"
              f"  {what}{'; ' + rest if rest else ''}", flush=True)

    start = time.perf_counter()
    bill = generate(out, args.rows)
    print(f"generated  {time.perf_counter() - start:9.2f} s  {args.rows:,} rows, "
          f"{bill.stat().st_size / 2**20:,.1f} MB: {bill}", flush=True)
    parse = measure("parse", out, args.timeout)
    show(parse, f"{args.rows / parse['seconds']:,.0f} rows/s")
    first = measure("import", out, args.timeout)
    show(first, f"{args.rows / first['seconds']:,.0f} rows/s")
    books = out / "books"
    size = sum(p.stat().st_size for p in books.rglob("*.beancount"))
    print(f"{'':<11} books: {size / 2**20:,.1f} MB in {len(list(books.rglob('*.beancount')))} files", flush=True)
    before = snapshot(books)
    again = measure("reimport", out, args.timeout)
    show(again, f"{args.rows / again['seconds']:,.0f} rows/s; books unchanged: {snapshot(books) == before}")
    main_text = (books / "main.beancount").read_text(encoding="utf-8")
    (books / "main.noplugins.beancount").write_text(re.sub(r"(?m)^plugin .*\n", "", main_text), encoding="utf-8")
    plain = measure("bean-check", out, args.timeout)
    show(plain, "plain Beancount (no plugins)")
    plugins = measure("plugins", out, args.timeout)
    show(plugins, f"+{(plugins['seconds'] / plain['seconds'] - 1) * 100:.0f}% for the plugins")
    check = measure("check", out, args.timeout)
    show(check, f"+{(check['seconds'] / plain['seconds'] - 1) * 100:.0f}% over plain bean-check")


if __name__ == "__main__":
    main()
