"""A large merchant: a year of 2,000 orders a day on four channels (WeChat Pay, Alipay,
Stripe, PayPal), one shop, two banks. The simulation writes about 2.3 entries an order
(order, payment, payouts, bank lines): ~1.7 million entries at --scale 1, 3 million at 1.8.

    .venv/bin/python benchmarks/bench_large.py --scale 0.02            # routinely: a year of 40 orders a day
    .venv/bin/python benchmarks/bench_large.py --scale 0.02 --skip-generate --profile
    .venv/bin/python benchmarks/bench_large.py --scale 0.2 --skip-generate --only-import   # the import's time and peak
    .venv/bin/python benchmarks/bench_large.py                         # the full year: ~7 GB a load, an hour+

The merchant is beanclear.simulation's seed 1003 (its shape: wechat, alipay, stripe,
paypal; a Shopify-like shop; ICBC and a US bank), drawn clean (no planted problems),
with its span set to a year and its orders to 2,000 x --scale a day. Written into
--out (default benchmarks/out/large, git-ignored; emptied first).

Each measurement runs in a fresh process (harness.py) and is timed in CPU seconds
(user + system of that process: the machine's other work moves wall time far more).
Every figure is printed beside its reference, measured in the same run:

  import             `beanclear import` of the statements   vs  plain parse: Beancount's parser on the books it wrote
  check              bean-check with the plugins,            vs  plain bean-check (the books without plugin lines)
                     and `beanclear check`
  match              the matcher on the loaded books         vs  plain bean-check
  page               the Reconciliation page's first render  vs  Fava's income statement (page and its API data)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

SEED = 1003
ORDERS_A_DAY = 2_000


def generate(out: Path, scale: float) -> dict:
    from beanclear.simulation import config as sim_config
    from beanclear.simulation.shape import draw
    from beanclear.simulation.truth import build
    from beanclear.simulation.writers import write_all
    shape = draw(SEED, "big")
    assert [c.name for c in shape.channels] == ["wechat", "alipay", "stripe", "paypal"], shape.channels
    shape.start, shape.days = dt.date(2025, 1, 1), 365
    shape.orders_per_day = max(1, round(ORDERS_A_DAY * scale))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    merchant = build(shape, clean=True)
    sim_config.write(shape, out / "config.yaml")
    write_all(merchant, out / "statements")
    files = [p for p in (out / "statements").rglob("*") if p.is_file()]
    return {"orders": len(merchant.orders), "payments": len(merchant.payments), "files": len(files),
            "statements_mb": round(sum(p.stat().st_size for p in files) / 2**20, 1)}


def parse_books(books: Path) -> dict:
    """Beancount's parser alone on every file of the books: reading that much text."""
    from beancount.parser import parser
    entries = 0
    for path in sorted(books.rglob("*.beancount")):
        if path.name != harness.NO_PLUGINS:
            entries += len(parser.parse_file(str(path))[0])
    return {"entries": entries}


def match(config) -> dict:
    from beanclear import books, matching
    entries, _, _ = books.load(config.books / harness.NO_PLUGINS)   # the load is the reference's work
    began = time.process_time()
    proposals = matching.match(entries, config)
    return {"match_cpu": time.process_time() - began, "proposals": len(proposals)}


def page(config, ledger_file: Path | None = None) -> dict:
    """Fava's load of the books (or of `ledger_file`, books carried forward), its income
    statement and the reconciliation page's renders; CPU seconds."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from urllib.parse import unquote
    from fava.application import create_app
    from bench_fava_page import income_statement, timed
    load, app = timed(lambda: create_app([ledger_file or config.books / "main.beancount"], load=True))
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    ledger = app.config["LEDGERS"][unquote(slug)]
    reference, income_bytes = income_statement(client, slug)
    first, response = timed(lambda: client.get(f"/{slug}/extension/Reconciliation/"))
    assert response.status_code == 200
    again, _ = timed(lambda: client.get(f"/{slug}/extension/Reconciliation/?interval=week"))
    matched, _ = timed(lambda: client.get(f"/{slug}/extension/Reconciliation/?match=1"))
    return {"entries": len(ledger.all_entries), "fava_load_cpu": load, "income_cpu": reference,
            "income_kib": round(income_bytes / 1024), "first_cpu": first, "page_kib": round(len(response.data) / 1024),
            "again_cpu": again, "match_render_cpu": matched, "errors": len(ledger.errors)}


def child(kind: str, out: Path, scale: float) -> dict:
    from beanclear import config as config_mod
    from beanclear.books import importing
    if kind == "generate":
        return harness.timed(kind, lambda: generate(out, scale))
    config = config_mod.load(out / "config.yaml")
    if kind == "import":
        def work():
            results = importing.run(config, sorted((out / "statements").iterdir()))
            return {"rows": sum(r.extraction.rows for r in results if hasattr(r, "extraction")),
                    "written": sum(len(getattr(r, "new", ())) for r in results)}
        return harness.timed(kind, work)
    if kind == "parse":
        return harness.timed(kind, lambda: parse_books(config.books))
    if kind == "match":
        return harness.timed(kind, lambda: match(config))
    if kind == "page":
        return harness.timed(kind, lambda: page(config))
    return harness.timed(kind, lambda: harness.load(kind, config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="orders a day = 2,000 x scale (default 1)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "large")
    parser.add_argument("--timeout", type=float, default=6 * 3600, help="seconds allowed per measurement")
    parser.add_argument("--skip-generate", action="store_true", help="measure the books already in --out")
    parser.add_argument("--only-import", action="store_true",
                        help="measure the import alone, into empty books (with --skip-generate: of the statements "
                             "already in --out; to compare two trees on the same statements)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    out = args.out.resolve()
    if args.child:
        print(json.dumps(child(args.child, out, args.scale), default=str))
        return
    scale = ["--scale", str(args.scale)]
    print(f"A year of {max(1, round(ORDERS_A_DAY * args.scale)):,} orders a day on four channels; CPU seconds.",
          flush=True)
    books = out / "books"
    if not args.skip_generate:
        harness.show(harness.measure(__file__, "generate", out, args.timeout, *scale))
    if args.only_import:
        shutil.rmtree(books, ignore_errors=True)   # a fresh import each time: every entry is new
        harness.show(harness.measure(__file__, "import", out, args.timeout))
        return
    if not args.skip_generate:
        imported = harness.measure(__file__, "import", out, args.timeout)
        harness.show(imported)
        harness.strip_plugins(books)
    parsed = harness.measure(__file__, "parse", out, args.timeout)
    harness.show(parsed, "Beancount's parser alone on the books")
    best = harness.compare_loads(__file__, out, args.timeout)
    matched = harness.measure(__file__, "match", out, args.timeout)
    harness.show(matched)
    served = harness.measure(__file__, "page", out, args.timeout)
    harness.show(served)
    entries = best["bean-check"]["entries"]
    print(f"\n{entries:,} entries; figure, its reference, the ratio (CPU seconds):")
    if not args.skip_generate:
        print(harness.ratio_line("import", imported["cpu"], "plain parse of the books", parsed["cpu"]))
    print(harness.ratio_line("bean-check with the plugins", best["plugins"]["cpu"], "plain bean-check",
                             best["bean-check"]["cpu"], "< 1.10"))
    print(harness.ratio_line("beanclear check", best["check"]["cpu"], "plain bean-check", best["bean-check"]["cpu"]))
    print(harness.ratio_line("matching (the matcher alone)", matched["match_cpu"], "plain bean-check",
                             best["bean-check"]["cpu"]))
    print(harness.ratio_line("the page's first render", served["first_cpu"], "Fava's income statement",
                             served["income_cpu"], "<= 1.5"))
    print(harness.ratio_line("the page with matching (?match=1)", served["match_render_cpu"],
                             "Fava's income statement", served["income_cpu"]))
    print(f"{'Fava load (plugins included)':<34} {served['fava_load_cpu']:9.2f} s cpu   page {served['page_kib']:,} KiB, "
          f"income statement {served['income_kib']:,} KiB, {served['errors']} Beancount errors", flush=True)


if __name__ == "__main__":
    main()
