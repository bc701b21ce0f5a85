"""`beanclear fetch` of one large day: memory flat in the day's length (#15).

A local Stripe API (this script with --serve, in a process of its own so that its memory
is not counted) serves N balance transactions of one day newest first, 100 a page, as
Stripe does. Each measurement runs in a fresh process:

  fetch    `beanclear fetch --no-import` of that day through the `stripe` SDK: the pages
           fetched, sorted oldest first, archived (statements/stripe/*.json)
  import   `beanclear import` of the archived day, the import a fetch runs next
  json     the reference: `json.load` of the archived day, what holding the day costs

    .venv/bin/python benchmarks/bench_fetch.py --txns 100000

Run it under another tree (PYTHONPATH=... on the command line) to compare releases: the
children inherit the environment."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import harness

DAY = dt.date(2026, 3, 1)
START = int(dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc).timestamp())
KEY = "sk_test_bench"
PAGE = 100


def transaction(n: int, count: int) -> dict:
    """The n-th balance transaction of the day (0 oldest), as Stripe's API gives it."""
    created = START + n * 86399 // count
    amount = 500 + n * 7919 % 99_500
    fee = amount * 29 // 1000 + 30
    return {"id": f"txn_{n:012d}", "object": "balance_transaction", "amount": amount, "fee": fee,
            "net": amount - fee, "currency": "usd", "created": created, "available_on": created + 2 * 86400,
            "description": f"Charge {n}", "exchange_rate": None, "reporting_category": "charge",
            "fee_details": [{"amount": fee, "application": None, "currency": "usd",
                             "description": "Stripe processing fees", "type": "stripe_fee"}],
            "source": f"ch_{n:020d}", "status": "available", "type": "charge"}


def serve(count: int, port_file: Path) -> None:
    """GET /v1/balance_transactions (limit, starting_after), newest first; each page made
    when asked, so that the server holds none of the day."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if self.headers.get("Authorization") != f"Bearer {KEY}" or url.path != "/v1/balance_transactions":
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            top = int(query["starting_after"][4:]) - 1 if "starting_after" in query else count - 1
            limit = int(query.get("limit", 10))
            rows = [transaction(n, count) for n in range(top, max(top - limit, -1), -1)]
            body = json.dumps({"object": "list", "url": "/v1/balance_transactions", "has_more": top - limit >= 0,
                               "data": rows}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


def child(kind: str, out: Path) -> dict:
    from beanclear import config as config_mod
    config = config_mod.load(out / "config.yaml")
    day = out / "statements" / "stripe" / f"balance-transactions-{DAY}.json"
    if kind == "fetch":
        from beanclear.live import fetch

        def work():
            report = fetch.run(config, since=DAY, until=DAY, do_import=False)
            if report.failures:
                raise SystemExit("; ".join(report.failures))
            return {"bytes": day.stat().st_size}
    elif kind == "import":
        from beanclear.books import importing

        def work():
            results = importing.run(config, [day])
            return {"written": sum(len(r.new) for r in results)}
    else:
        def work():
            with open(day, "rb") as fh:
                return {"items": len(json.load(fh)["data"])}
    return harness.timed(kind, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--txns", type=int, default=100_000, help="balance transactions of the day")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "fetch")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)   # the port file
    parser.add_argument("--child", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    if args.serve:
        serve(args.txns, args.serve)
        return
    if args.child:
        print(json.dumps(child(args.child, args.out)))
        return
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    port_file = args.out / "port"
    server = subprocess.Popen([sys.executable, __file__, "--txns", str(args.txns), "--serve", str(port_file)])
    try:
        while not port_file.exists() or not port_file.read_text():
            time.sleep(0.05)
        (args.out / "config.yaml").write_text(json.dumps({
            "books": "books", "currency": "USD", "timezone": "UTC",
            "live": {"timeout": 60, "retry": {"attempts": 1}},
            "channels": {"stripe": {"type": "stripe", "currency": "USD", "settlement_days": 2,
                                    "fetch": {"api_base": f"http://127.0.0.1:{port_file.read_text()}"}}}}))
        os.environ["STRIPE_API_KEY"] = KEY
        results = {kind: harness.measure(__file__, kind, args.out, 7200) for kind in ("fetch", "import", "json")}
    finally:
        server.terminate()
        server.wait()
    reference = results["json"]
    print(f"a day of {args.txns:,} Stripe balance transactions, "
          f"{results['fetch']['bytes'] / 2**20:,.1f} MiB archived")
    for kind in ("fetch", "import", "json"):
        harness.show(results[kind])
    for kind in ("fetch", "import"):
        print(f"{kind}: {harness.ratio(results[kind], reference, 'json.load of the day')}")


if __name__ == "__main__":
    main()
