"""PayPal webhooks: checked by PayPal itself (POST /v1/notifications/verify-webhook-signature
with the transmission headers, the webhook id of the config and the event as received),
after a timestamp check of our own; an event PayPal does not call SUCCESS is refused.

PayPal checks the signature against the bytes it sent (a CRC32 of them is signed), so the
request's `webhook_event` is the received body itself, spliced in byte for byte: parsed
and serialised again it is other bytes (`1.10` becomes `1.1`, a large integer or the
indentation changes) and a genuine event would not verify (blind10 livefeed)."""

from __future__ import annotations

import datetime as dt
import json

import httpx

from beanclear.live.serve.verify import Refused, _secret, event_of


def verify(merchant, channel, headers, body: bytes):
    from beanclear.live.fetch.paypal import PaypalFetcher, _instant
    from beanclear.live.retry import Failed, Later
    from beanclear.live.secrets import MissingSecret
    needed = ["paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url",
              "paypal-auth-algo"]
    missing = [h for h in needed if not headers.get(h)]
    if missing:
        raise Refused(400, f"PayPal webhook without {', '.join(missing)}")
    try:
        sent = _instant(headers["paypal-transmission-time"])
    except ValueError:
        raise Refused(400, "PayPal webhook with an unreadable paypal-transmission-time") from None
    if abs((dt.datetime.now(dt.timezone.utc) - sent).total_seconds()) > merchant.live.webhook_tolerance:
        raise Refused(400, f"PayPal webhook sent at {headers['paypal-transmission-time']}, outside the "
                           f"{merchant.live.webhook_tolerance} s tolerance: a replay is refused")
    event = event_of(body, "PayPal", "id", "event_type", ("resource",))   # (before asking PayPal about it)
    webhook_id = _secret(merchant, channel, "webhook_id")
    try:
        fetcher = PaypalFetcher(channel, merchant.secrets, merchant.live)
        answer = fetcher.post("/v1/notifications/verify-webhook-signature", _request(headers, webhook_id, body))
    except (MissingSecret, Later, Failed) as exc:
        raise Refused(503, f"cannot check PayPal webhooks now: {exc}") from None
    if answer.get("verification_status") != "SUCCESS":
        raise Refused(400, f"PayPal did not verify this webhook ({answer.get('verification_status')})")
    return event["id"], event["event_type"], event


def _request(headers, webhook_id: str, body: bytes) -> bytes:
    """The verify request's JSON with the event as received: the other members serialised,
    then `"webhook_event": <body>` (a JSON object already: event_of read it; the whitespace
    around it is no part of it)."""
    fields = json.dumps({
        "auth_algo": headers["paypal-auth-algo"], "cert_url": headers["paypal-cert-url"],
        "transmission_id": headers["paypal-transmission-id"], "transmission_sig": headers["paypal-transmission-sig"],
        "transmission_time": headers["paypal-transmission-time"], "webhook_id": webhook_id}, ensure_ascii=False)
    return fields[:-1].encode("utf-8") + b', "webhook_event": ' + body.strip(b" \t\r\n") + b"}"
