"""`beanclear serve`'s app on a real uvicorn server in a thread, at a port the OS picks."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time

from beanclear.live.serve import app


@contextlib.contextmanager
def running(merchants, schedule: bool = False):
    server = app.server(merchants, port=0, schedule=schedule)
    server.config.log_level = "warning"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(10)


def stripe_event(event_id: str, kind: str, obj: dict) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "api_version": "2024-06-20",
                       "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
                       "data": {"object": obj}}).encode()


def stripe_signature(body: bytes, secret: str, when: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends: t=<timestamp>,v1=<HMAC-SHA256 of "t.body">."""
    stamp = int(time.time()) if when is None else when
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"
