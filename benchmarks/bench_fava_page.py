"""How fast the reconciliation page in Fava renders: on the demo's books and on books
of 100,000 transactions.

    .venv/bin/python benchmarks/bench_fava_page.py                      # demo, then 100,000
    .venv/bin/python benchmarks/bench_fava_page.py --transactions 300000 --out /tmp/bench
    .venv/bin/python benchmarks/bench_fava_page.py --skip-make --profile      # again, with the top of a profile

Both books are made by the demo (`beanclear demo`, seed 7): the large ones with every
day's payments multiplied until the quarter holds about --transactions transactions
(the demo's refunds, payouts, bank lines and planted problems stay as they are), then
imported and checked like the demo's. Written into --out (default benchmarks/out/
fava_page, git-ignored; emptied first).

Each books are served by Fava's own application (fava.application.create_app, what
`fava books/main.beancount` runs) and the page requested through its test client, so
the figures are the server's: Fava's load of the books with the plugins, the first
render (which computes the findings, the proposals, the channel rows and charts once
for that load), later renders (filters, another chart interval), and a render after
accepting a proposal through the page (Fava reloads the books, the page computes
again). Each books are measured in a fresh process, so that its peak memory
(ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
DEMO_TRANSACTIONS = 4_300  # about what the demo's quarter holds


def make_books(folder: Path, transactions: int) -> None:
    """The demo into folder, each day's payments multiplied for `transactions`."""
    from beanclear import demo
    if folder.exists():
        shutil.rmtree(folder)
    factor = max(1, math.ceil(transactions / DEMO_TRANSACTIONS))
    payments = demo.Till.payments
    demo.Till.payments = lambda till, day, count: payments(till, day, count * factor)
    try:
        demo.build(folder, REPO / "config.yaml", seed=7)
    finally:
        demo.Till.payments = payments


def timed(call) -> tuple[float, object]:
    """(CPU seconds of this process, the result): steadier than wall time on a machine
    other work shares."""
    began = time.process_time()
    result = call()
    return time.process_time() - began, result


def income_statement(client, slug: str) -> tuple[float, int]:
    """Fava's income statement as a browser gets it: the page, then the report's data
    (/api/income_statement, the tree and charts the page draws). CPU seconds, bytes."""
    seconds, (html, api) = timed(lambda: (client.get(f"/{slug}/income_statement/"),
                                          client.get(f"/{slug}/api/income_statement")))
    assert html.status_code == 200 and api.status_code == 200, (html.status_code, api.status_code)
    return seconds, len(html.data)


def measure(folder: Path) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness
    from beancount.core import data
    from fava.application import create_app
    from beanclear.fava_page import review
    page = "extension/Reconciliation/"
    load, app = timed(lambda: create_app([folder / "books" / "main.beancount"], load=True))
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    ledger = app.config["LEDGERS"][unquote(slug)]
    reference, income_bytes = income_statement(client, slug)   # the reference: its first render
    errors_bytes = len(json.dumps([{"type": type(e).__name__, "source": dict(e.source or {}), "message": e.message}
                                   for e in ledger.errors], default=str, ensure_ascii=False).encode())

    def render(query: str = "") -> float:
        seconds, response = timed(lambda: client.get(f"/{slug}/{page}{query}"))
        assert response.status_code == 200, response.status_code
        return seconds

    first = harness.profiled(render, "the page's first render")
    size = len(client.get(f"/{slug}/{page}").data)
    again = statistics.median(render() for _ in range(5))
    filtered = statistics.median(render(q) for q in ("?code=unsettled", "?source=icbc&severity=error",
                                                     "?from=2026-03-01&to=2026-03-31&acknowledged=shown"))
    daily = render("?interval=day")
    matched = render("?match=1")   # the matcher, when asked (on small books it ran with the first render)
    proposals = ledger.extensions.get_extension("Reconciliation").state().proposals
    after_write = None
    if proposals:
        posted = client.post(f"/{slug}/{page}accept", json=review.proposal_key(proposals[0]),
                             headers={"Origin": "http://localhost"})   # a same-origin write, as the page sends
        assert posted.status_code == 200, posted.get_data(as_text=True)
        after_write = render()   # Fava reloads the books, the page computes everything again
    return {"transactions": sum(isinstance(e, data.Transaction) for e in ledger.all_entries),
            "entries": len(ledger.all_entries), "income": reference, "income_kib": income_bytes / 1024,
            "errors": len(ledger.errors), "errors_kib": errors_bytes / 1024, "matched": matched,
            "load": load, "first": first, "again": again, "filtered": filtered, "daily": daily,
            "after_write": after_write, "page_kib": size / 1024,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=100_000, help="size of the large books (default 100,000)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "fava_page")
    parser.add_argument("--skip-make", action="store_true", help="measure the books already in --out")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    print("CPU seconds of the Fava process (a shared machine's wall time says more about the neighbours).")
    print("books           transactions  Fava load  first render  again  filtered  by day  matching  after a write  "
          "page KiB  peak MiB")
    results = []
    for name, size in (("demo", 0), (f"{args.transactions:,}", args.transactions)):
        folder = args.out.resolve() / name.replace(",", "")
        began = time.perf_counter()
        if not (args.skip_make and (folder / "books" / "main.beancount").exists()):
            make_books(folder, size)
        made = time.perf_counter() - began
        run = subprocess.run([sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True)
        if run.returncode:
            raise SystemExit(f"measuring {folder} failed:\n{run.stderr[-3000:]}")
        if args.profile and run.stderr.strip():
            print(run.stderr.rstrip())
        r = json.loads(run.stdout.strip().splitlines()[-1])
        results.append((name, r))
        after = f"{r['after_write']:11.2f} s" if r["after_write"] is not None else "          -"
        print(f"{name:<14} {r['transactions']:>13,} {r['load']:8.2f} s {r['first']:10.2f} s {r['again']:6.2f} s "
              f"{r['filtered']:6.2f} s {r['daily']:6.2f} s {r['matched']:7.2f} s {after}  {r['page_kib']:8.0f} "
              f"{r['peak_mib']:9.0f}   (books made and imported in {made:.0f} s)", flush=True)
    for name, r in results:
        print(harness.ratio_line(f"{name}: the page's first render", r["first"], "Fava's income statement",
                                 r["income"], "<= 1.5"))
        print(f"{name}: every Fava page embeds the load's {r['errors']} errors: {r['errors_kib']:,.1f} KiB of the "
              f"income statement's {r['income_kib']:,.0f} KiB")


if __name__ == "__main__":
    main()
