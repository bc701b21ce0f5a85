"""The `beanclear serve` command as a process: it answers /health, and on SIGTERM it
finishes the webhook it is importing (the books get the entry, the channel gets its
200) before it exits, schedule stopped."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import yaml

from live_servers import StripeServer
from live_serving import stripe_event, stripe_signature
from live_util import stripe_txn, write_config

BIN = Path(sys.executable).with_name("beanclear")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, what: str, limit: float = 30.0):
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_sigterm_finishes_the_import_in_progress_then_exits(tmp_path):
    day = dt.date(2026, 3, 1)
    txn = stripe_txn("txn_1refund000077", day, 18, "refund", -2500, 0, "re_1refund000077")
    with StripeServer("sk_test_proc", [txn]) as stripe_api:
        cfg = write_config(tmp_path, yaml.safe_dump({
            "books": "books", "currency": "USD", "timezone": "Asia/Shanghai",
            "live": {"retry": {"attempts": 3, "delay": 0.05, "max_delay": 0.1}, "timeout": 2},
            "channels": {"stripe": {"type": "stripe", "currency": "USD", "fetch": {"api_base": stripe_api.url}}}}))
        port = _free_port()
        env = {**os.environ, "STRIPE_API_KEY": "sk_test_proc", "STRIPE_WEBHOOK_SECRET": "whsec_proc"}
        proc = subprocess.Popen([str(BIN), "serve", "-c", str(cfg), "--port", str(port)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            def up():
                try:
                    return httpx.get(f"{url}/health").status_code == 200
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stdout.read()
                    return False
            _wait(up, "serve to answer /health")
            # The balance transaction answer is held back 0.5 s: the import is under way when SIGTERM comes.
            stripe_api.faults.append(("/v1/balance_transactions/", "slow:0.5"))
            refund = {"id": "re_1refund000077", "object": "refund", "amount": 2500, "currency": "usd",
                      "balance_transaction": "txn_1refund000077", "status": "succeeded"}
            body = stripe_event("evt_1RefundSlow0001", "refund.created", refund)
            answer = {}
            sender = threading.Thread(target=lambda: answer.update(r=httpx.post(
                f"{url}/webhooks/stripe", content=body, timeout=30,
                headers={"Stripe-Signature": stripe_signature(body, "whsec_proc")})))
            sender.start()
            _wait(lambda: any(p.startswith("/v1/balance_transactions/") for _, p in stripe_api.requests),
                  "the webhook to reach Stripe")
            proc.send_signal(signal.SIGTERM)
            sender.join(30)
            out, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert answer["r"].status_code == 200, answer["r"].text
    month = (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()
    assert "txn_1refund000077" in month
    assert (tmp_path / "events" / "stripe" / "evt_1RefundSlow0001.json").exists()
    assert not (tmp_path / "books" / ".beanclear.journal").exists()
    assert "Scheduler has been shut down" in out and "Application shutdown complete" in out
    assert "Traceback" not in out
