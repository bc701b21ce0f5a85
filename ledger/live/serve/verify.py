"""Each channel's webhook check. verify(merchant, channel, headers, body) returns the
event as (event id, event type, payload dict) or raises Refused with the HTTP status to
answer. A signature that does not verify, a timestamp outside the tolerance
(live.webhook_tolerance seconds) or a body that is not the channel's JSON is refused."""

from __future__ import annotations

import json
import time

import stripe


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def verify(merchant, channel, headers, body: bytes) -> tuple[str, str, dict]:
    if channel.type == "stripe":
        return _stripe(merchant, channel, headers, body)
    if channel.type == "wechat":
        return _wechat(merchant, channel, headers, body)
    if channel.type == "paypal":
        from beanclear.live.serve.paypal_verify import verify as paypal
        return paypal(merchant, channel, headers, body)
    raise Refused(404, f"channel {channel.name} ({channel.type}) takes no webhooks")


def _secret(merchant, channel, role: str) -> str:
    from beanclear.live.secrets import MissingSecret
    try:
        return merchant.secrets.get(channel.credentials[role])
    except MissingSecret as exc:
        raise Refused(503, str(exc)) from None


def _stripe(merchant, channel, headers, body):
    secret = _secret(merchant, channel, "webhook_secret")
    try:
        event = stripe.Webhook.construct_event(body, headers.get("stripe-signature"), secret,
                                               tolerance=merchant.live.webhook_tolerance)
    except stripe.SignatureVerificationError as exc:
        raise Refused(400, f"Stripe signature refused: {str(exc).splitlines()[0]}") from None
    except ValueError:
        raise Refused(400, "not a Stripe event (the body is not JSON)") from None
    doc = event.to_dict()
    if not isinstance(doc.get("id"), str) or not isinstance(doc.get("type"), str):
        raise Refused(400, "not a Stripe event (no id or type)")
    return doc["id"], doc["type"], doc


def _wechat(merchant, channel, headers, body):
    from beanclear.live.fetch.wechat import WechatFetcher
    from beanclear.live.retry import Later
    from beanclear.live.secrets import MissingSecret
    try:
        stamp = int(headers.get("wechatpay-timestamp", ""))
    except ValueError:
        raise Refused(400, "WeChat Pay notification without a Wechatpay-Timestamp") from None
    if abs(time.time() - stamp) > merchant.live.webhook_tolerance:
        raise Refused(400, f"WeChat Pay notification signed at {stamp}, outside the "
                           f"{merchant.live.webhook_tolerance} s tolerance: a replay is refused")
    client = merchant.clients
    try:
        if channel.name not in client:
            client[channel.name] = WechatFetcher(channel, merchant.secrets, merchant.live).core()
        core = client[channel.name]
    except (MissingSecret, Later) as exc:
        raise Refused(503, f"cannot check WeChat Pay notifications: {exc}") from None
    plain = {k.lower(): v for k, v in headers.items()}
    try:
        doc = core.callback(plain, body)
    except Exception as exc:   # wechatpayv3 raises bare Exception for an unknown algorithm
        raise Refused(400, f"WeChat Pay notification refused: {exc}") from None
    if not doc:
        raise Refused(401, "WeChat Pay notification refused: the signature does not verify against the platform "
                           "certificate, or the resource does not decrypt with the APIv3 key")
    if not isinstance(doc.get("id"), str) or not isinstance(doc.get("event_type"), str):
        raise Refused(400, "WeChat Pay notification without id or event_type")
    return doc["id"], doc["event_type"], doc
