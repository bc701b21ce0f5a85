"""Import and check speed and memory at scale, over a generated WeChat trade bill.

    .venv/bin/python benchmarks/bench_import.py --rows 100000
    .venv/bin/python benchmarks/bench_import.py --rows 1000000 --out /tmp/bench

Writes into --out (default benchmarks/out, git-ignored; emptied first) a minimal
config (a WeChat channel and a CSV bank), one trade bill of --rows rows made by the
demo's row writer (payments over a quarter, ~2% refunded the same day), then runs
each measurement in a fresh Python process (benchmarks/harness.py: peak memory per
measurement, Beancount's cache off):

  csv        the reference: Python's `csv.reader` over the same file, counting rows
  floor      a second reference: the least any pure-Python import of this bill does
             (floor() below: csv.reader, the cells used, Decimals, a datetime, an id
             set, one f-string an entry, sorted, written); it checks, escapes and
             routes nothing, so no importer can be as fast: what the import costs
             beyond it is what correctness and bounded memory cost
  parse      identify and read the statement (no books)
  import     `beanclear import`: read, compare with the books, write them
  reimport   the same file again into the full books: recorded by its digest, not read
  reread     the same again with --force: read row by row, nothing new is written

and the three loads of harness.py (plain bean-check, with plugins, `beanclear check`;
`--no-loads` leaves them out). Each figure is printed with its reference and the ratio:
parse and import against the `csv.reader` pass (and the import against the floor), the
re-import against the first import.
`--profile N` prints the top N functions of a cProfile of each measurement.

A statement larger than the toolkit's limits (text.py: MAX_BYTES, MAX_ROWS; a 1M-row
bill is ~255 MB) is refused by `beanclear import`; the benchmark lifts the limits in its
own processes, and says so, to measure how the import grows past them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

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


def reference(bill: Path) -> dict:
    """A plain `csv.reader` pass over the bill, as the file is read: the floor."""
    import csv
    rows = 0
    with open(bill, encoding="utf-8-sig", newline="") as fh:
        for _ in csv.reader(fh):
            rows += 1
    return {"rows": rows}


def floor(bill: Path) -> dict:
    """The least a pure-Python import of the bill into sorted text can do: each row read
    by csv.reader, the cells an entry uses stripped of the bill's backquote, three
    Decimals and a datetime made, the id looked up in a set, the entry rendered by one
    f-string, the entries sorted by (day, time, id) and written to a scratch file.
    Refund rows are skipped, nothing is checked or escaped: not an importer, a bound."""
    import csv
    import datetime as dt
    import tempfile
    from decimal import Decimal
    entries, seen = [], set()
    with open(bill, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 25 or not row[0].startswith("`20") or row[9] != "`SUCCESS":
                continue
            cells = [c.strip().lstrip("`") for c in row]
            when = dt.datetime.fromisoformat(cells[0])
            trade, order, currency = cells[5], cells[6], cells[11]
            settled, fee, ordered = Decimal(cells[12]), Decimal(cells[22]), Decimal(cells[24])
            if trade in seen:
                continue
            seen.add(trade)
            day = when.date().isoformat()
            entries.append((day, cells[0], trade, (
                f'{day} * "Order {order} / {cells[20]}" ^order-{order}\n  id: "{trade}"\n  time: "{when.time()}"\n'
                f'  order-id: "{order}"\n  fee-rate: "{cells[23]}"\n  method: "{cells[10]}"\n'
                f'  Assets:Clearing:WeChat  {settled - fee} {currency}\n  Expenses:Fees:WeChat  {fee} {currency}\n'
                f'  Expenses:Discounts:WeChat  {ordered - settled} {currency}\n'
                f'  Income:Sales:WeChat  {-ordered} {currency}\n\n')))
    entries.sort()
    with tempfile.TemporaryFile("w", encoding="utf-8") as out:
        out.writelines(e[3] for e in entries)
    return {"entries": len(entries)}


def lift_limits(bill: Path) -> None:
    from beanclear.importers.toolkit import text
    text.MAX_BYTES = max(text.MAX_BYTES, bill.stat().st_size + 1)
    text.MAX_ROWS = max(text.MAX_ROWS, 2 * bill.stat().st_size // 100)


def child(kind: str, out: Path) -> dict:
    """One measurement, in this (fresh) process."""
    bill = out / "statements" / "tradebill.csv"
    if kind == "csv":
        return harness.timed(kind, lambda: reference(bill))
    if kind == "floor":
        return harness.timed(kind, lambda: floor(bill))
    lift_limits(bill)
    from beanclear import config as config_mod
    from beanclear.books import importing
    from beanclear.importers.registry import for_config
    config = config_mod.load(out / "config.yaml")
    if kind == "parse":
        importer, = importing.identify(bill, for_config(config), None)   # the one source that claims it
        return harness.timed(kind, lambda: {"entries": len(importer.parse(str(bill)).entries)})
    if kind in ("import", "reimport", "reread"):
        def work():  # reread: --force, the statement read row by row though the books record its digest
            results = importing.run(config, [bill], force=kind == "reread")
            return {"written": sum(len(r.new) for r in results), "known": sum(r.known for r in results),
                    "not_read": sum(getattr(r, "before", None) is not None for r in results)}
        return harness.timed(kind, work)
    return harness.timed(kind, lambda: harness.load(kind, config))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*.beancount"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the trade bill (default 1,000,000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out",
                        help="working folder, emptied first (default benchmarks/out)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per measurement")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the top N functions of a cProfile of each measurement")
    parser.add_argument("--no-loads", action="store_true", help="leave out the three loads of the books")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.child:
        print(json.dumps(child(args.child, out)))
        return

    start = time.perf_counter()
    bill = generate(out, args.rows)
    print(f"generated  {time.perf_counter() - start:9.2f} s  {args.rows:,} rows, "
          f"{bill.stat().st_size / 2**20:,.1f} MB: {bill}", flush=True)
    from beanclear.importers.toolkit import text
    if bill.stat().st_size > text.MAX_BYTES or args.rows > text.MAX_ROWS:
        print(f"{'':<11} the bill is past the limits of one statement ({text.MAX_BYTES // 2**20} MB, "
              f"{text.MAX_ROWS:,} rows): lifted for this benchmark", flush=True)
    ref = harness.measure(__file__, "csv", out, args.timeout)
    harness.show(ref, f"{args.rows / ref['seconds']:,.0f} rows/s (the reference)")
    least = harness.measure(__file__, "floor", out, args.timeout)
    harness.show(least, f"{args.rows / least['seconds']:,.0f} rows/s (any pure-Python import's floor); "
                 + harness.ratio(least, ref, "csv.reader"))
    parse = harness.measure(__file__, "parse", out, args.timeout, profile=args.profile)
    harness.show(parse, f"{args.rows / parse['seconds']:,.0f} rows/s; " + harness.ratio(parse, ref, "csv.reader"))
    first = harness.measure(__file__, "import", out, args.timeout, profile=args.profile)
    harness.show(first, f"{args.rows / first['seconds']:,.0f} rows/s; " + harness.ratio(first, ref, "csv.reader")
                 + "; " + harness.ratio(first, least, "the floor"))
    books = out / "books"
    size = sum(p.stat().st_size for p in books.rglob("*.beancount"))
    print(f"{'':<11} books: {size / 2**20:,.1f} MB in {len(list(books.rglob('*.beancount')))} files", flush=True)
    before = snapshot(books)
    again = harness.measure(__file__, "reimport", out, args.timeout, profile=args.profile)
    harness.show(again, f"{args.rows / again['seconds']:,.0f} rows/s; books unchanged: {snapshot(books) == before}; "
                 + harness.ratio(again, first, "the first import"))
    forced = harness.measure(__file__, "reread", out, args.timeout, profile=args.profile)
    harness.show(forced, f"{args.rows / forced['seconds']:,.0f} rows/s; books unchanged: {snapshot(books) == before}; "
                 + harness.ratio(forced, first, "the first import"))
    if not args.no_loads:
        harness.strip_plugins(books)
        harness.compare_loads(__file__, out, args.timeout, profile=args.profile)


if __name__ == "__main__":
    main()
