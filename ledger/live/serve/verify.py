"""Each channel's webhook check. verify(merchant, channel, headers, body) returns the
event as (event id, event type, payload dict) or raises Refused with the HTTP status to
answer. A signature that does not verify, a timestamp outside the tolerance
(live.webhook_tolerance seconds) or a body that is not an event of the channel (event_of)
is refused."""

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
    if not headers.get("stripe-signature"):   # (the SDK's words for it advise its developers)
        raise Refused(400, "Stripe signature refused: the request has no Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(body, headers.get("stripe-signature"), secret,
                                              tolerance=merchant.live.webhook_tolerance)
    except stripe.SignatureVerificationError as exc:
        raise Refused(400, f"Stripe signature refused: {str(exc).splitlines()[0]}") from None
    except UnicodeDecodeError:
        raise Refused(400, "not a Stripe event: the body is not UTF-8 text") from None
    doc = event_of(body, "Stripe", "id", "type", ("data", "object"))
    return doc["id"], doc["type"], doc


def event_of(body: bytes, channel: str, id_key: str, type_key: str, inner: tuple[str, ...]) -> dict:
    """The event a webhook's body holds: a JSON object with a string id and type, and the
    object it is of (`inner`, its path: Stripe's data.object, PayPal's resource) an
    object too; else Refused 400 with one line. A body signed right that is none of
    these (`[1, 2, 3]`, `{"data": {"object": [1]}}`) is no event, and a 500 would have
    the channel deliver it again for days (blind4)."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused(400, f"not a {channel} event: the body is not UTF-8 text") from None
    except ValueError:
        raise Refused(400, f"not a {channel} event: the body is not JSON") from None
    except RecursionError:   # (signed, `[` nested 100,000 deep was a 500 and a traceback: blind33)
        raise Refused(400, f"not a {channel} event: the body's JSON is nested too deep") from None
    if not isinstance(doc, dict):
        raise Refused(400, f"not a {channel} event: the body is a JSON {_json_kind(doc)}, not an object")
    if not isinstance(doc.get(id_key), str) or not isinstance(doc.get(type_key), str):
        raise Refused(400, f"not a {channel} event: no {id_key} or {type_key} string")
    node = doc
    for key in inner:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise Refused(400, f"not a {channel} event: its {'.'.join(inner)} is not an object")
    return doc


def _json_kind(value) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


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
    except Exception as exc:   # wechatpayv3 raises bare Exception for an unknown resource algorithm
        raise Refused(400, f"WeChat Pay notification refused: {exc}") from None
    if not doc:
        raise Refused(401, "WeChat Pay notification refused: the signature does not verify against the platform "
                           "certificate, or the resource does not decrypt with the APIv3 key")
    if not isinstance(doc.get("id"), str) or not isinstance(doc.get("event_type"), str):
        raise Refused(400, "WeChat Pay notification without id or event_type")
    return doc["id"], doc["event_type"], doc
