"""What a verified webhook does. The event is archived at once, as received:

    events/<source>/<event id>.json     {"received", "type", "headers" (the signature ones), "body",
                                         "digest" (of its type and object: what it says)}

and answered. What it puts in the books is imported after the answer, by the merchant's
inbox (inbox.py: one at a time, under the merchant's writer lock, a fetch under way
first); until then it waits as events/<source>/.pending/<event id>.json, and an import
that fails leaves it there to be tried again (take, _failed).
Stripe: payout.* books the payout object (a failed one's failure balance transaction
fetched), charge.dispute.* the dispute (its balance transactions come expanded), refund.*
the refund with its balance transaction fetched;
these are archived under statements/<source>/event-<kind>-<id>.json and imported.
WeChat Pay notifications (TRANSACTION.SUCCESS, REFUND.*) announce what the next day's
bills book: they are archived. Any type not known here is archived and reported in
the status, never dropped.

An event id already archived is a delivery again (a provider delivers again whatever it
saw no 2xx for in time, for days): answered 200 "already received", nothing done twice,
and an import still due is tried again. The same id with other content (another type
or object) is no delivery again but another event: refused (409) and not acted on, kept
beside the first as events/<source>/<event id>.<digest prefix>.json for a person to
compare."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re

from beanclear.live import archive, retry, status
from beanclear.live.serve import inbox
from beanclear.live.secrets import MissingSecret

log = logging.getLogger("beanclear.serve")
SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")
STRIPE_BOOKED = ("payout.", "charge.dispute.", "refund.", "charge.refund.")
STRIPE_NOTED = {"charge.succeeded", "charge.captured", "charge.refunded", "charge.updated", "charge.failed",
                "charge.pending", "balance.available", "payment_intent.succeeded", "payment_intent.created",
                "payment_intent.payment_failed", "payment_intent.canceled", "payment_intent.processing",
                "checkout.session.completed", "invoice.paid", "invoice.payment_succeeded"}
WECHAT_NOTED = {"TRANSACTION.SUCCESS", "REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}
PAYPAL_NOTED = ("PAYMENT.CAPTURE.", "PAYMENT.SALE.", "CUSTOMER.DISPUTE.", "PAYMENT.PAYOUTS", "PAYMENT.REFUND.")
# The balance transaction an object names by id only, fetched and put in its place: what
# the object books is then the day's list's entry, at its time (a refund's; a failed
# payout's money coming back, days after the payout)
EXPANDED = {"refund": "balance_transaction", "payout": "failure_balance_transaction"}


def event_path(merchant, source: str, event_id: str):
    name = event_id if SAFE_ID.match(event_id) else hashlib.sha256(event_id.encode()).hexdigest()
    return merchant.live.events / source / f"{name}.json"


def books_something(channel, kind: str) -> bool:
    """Whether the event puts something in the books (else it is archived only)."""
    return channel.type == "stripe" and kind.startswith(STRIPE_BOOKED)


def handle(merchant, channel, event_id: str, kind: str, doc: dict, headers, body: bytes) -> tuple[int, dict]:
    """Archive a verified event and answer; what it books is queued for the merchant's
    inbox, never imported while the channel waits for its answer."""
    path = event_path(merchant, channel.name, event_id)
    queued = books_something(channel, kind)
    envelope = _envelope(channel, kind, doc, headers, body)
    with merchant.received:   # two deliveries of one event at once: one archives it
        if path.exists():
            return _again(merchant, channel, event_id, kind, path, envelope)
        if queued:   # before the archive: an event archived without it would count as in the books
            marker = inbox.marker_of(path)
            archive.write_atomic(marker, _dumped({"id": event_id, "type": kind, "received": envelope["received"],
                                                  "doc": doc}))
        archive.write_atomic(path, _dumped(envelope))
    if queued:
        merchant.inbox.add(marker)
        return 200, {"status": "received", "known": True,
                     "outcome": "archived; imported next, once the books are free (until then listed under "
                                "pending_events at /status)"}
    outcome, known = _noted(channel, kind)   # archived only: nothing to write
    _record(merchant, channel, event_id, kind, envelope["received"], outcome, known)
    return 200, {"status": "received", "outcome": outcome, "known": known}


def _envelope(channel, kind: str, doc: dict, headers, body: bytes) -> dict:
    kept = {k.lower(): v for k, v in headers.items() if k.lower().startswith(("stripe-", "wechatpay-", "paypal-"))}
    return {"received": _now(), "type": kind, "headers": kept, "body": body.decode("utf-8", "replace"),
            "digest": _digest(channel.type, kind, doc)}


# Where each channel's event keeps its object: with its type, what the event says
OBJECT = {"stripe": ("data", "object"), "paypal": ("resource",), "wechat": ("resource",)}


def _digest(channel_type: str, kind: str, doc: dict) -> str:
    """What an event says (its type and object, WeChat Pay's decrypted), as a SHA-256: a
    delivery again says the same, whatever else of it (a count of deliveries, the
    encryption's nonce, the whitespace) differs."""
    node = doc
    for key in OBJECT.get(channel_type, ()):
        node = node.get(key) if isinstance(node, dict) else None
    said = json.dumps([kind, node], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(said.encode()).hexdigest()


def _held_digest(channel, path) -> str | None:
    """The digest of the event archived at `path`; None where it cannot be told (an event
    archived before digests were kept whose body is not in clear: WeChat Pay's)."""
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(held.get("digest"), str):
            return held["digest"]
        if channel.type in ("stripe", "paypal"):
            return _digest(channel.type, held.get("type"), json.loads(held["body"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _again(merchant, channel, event_id: str, kind: str, path, envelope: dict) -> tuple[int, dict]:
    """An event id archived already (the caller holds merchant.received)."""
    held = _held_digest(channel, path)
    if held is not None and held != envelope["digest"]:
        kept = path.with_name(f"{path.stem}.{envelope['digest'][:12]}.json")
        if not kept.exists():
            archive.write_atomic(kept, _dumped(envelope))
        why = (f"event {event_id} was already received with other content ({path.name}): this one is not "
               f"acted on, kept as {kept.name}")
        log.warning("%s: %s", channel.name, why)
        status.update(merchant.live.status_file, channel.name, last_event_error=f"{event_id} {kind}: {why}")
        return 409, {"status": "refused", "reason": why}
    marker = inbox.marker_of(path)
    if marker.exists():   # not in the books yet: its import is tried (again) now
        merchant.inbox.add(marker)
        return 200, {"status": "already received", "known": True,
                     "outcome": "not in the books yet: its import is under way or next (pending_events at "
                                "/status)"}
    known = True if books_something(channel, kind) else _noted(channel, kind)[1]
    return 200, {"status": "already received", "known": known, "outcome": "taken before: nothing done twice"}


def take(merchant, marker) -> None:
    """Import the event a pending marker stands for; the caller holds the merchant's lock.
    Done, the marker goes; failed, it stays (said at /status) to be tried again."""
    try:
        item = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:   # imported already: the event was due twice
        return
    source = marker.parent.parent.name
    channel = merchant.live.channels.get(source)
    if channel is None:
        log.error("%s: event %s kept pending: no live channel %s in the config", source, marker.name, source)
        return
    event_id, kind = item["id"], item["type"]
    try:
        outcome, known = _act(merchant, channel, kind, item["doc"])
    except (retry.Failed, MissingSecret) as exc:
        _failed(merchant, channel, event_id, kind, str(exc), marker, item)
        return
    except Exception as exc:   # an SDK's own error: tried again later
        log.exception("%s: event %s (%s)", channel.name, event_id, kind)
        _failed(merchant, channel, event_id, kind, f"unexpected {type(exc).__name__}: {str(exc)[:200]}", marker,
                item)
        return
    marker.unlink(missing_ok=True)
    _record(merchant, channel, event_id, kind, item.get("received") or _now(), outcome, known)


def pending_label(marker) -> tuple[str, str | None]:
    """(`<event id> <type>`, why its last import failed or None) of a pending marker."""
    try:
        item = json.loads(marker.read_text(encoding="utf-8"))
        return f"{item['id']} {item['type']}", item.get("error")
    except (OSError, ValueError, KeyError, TypeError):
        return marker.stem, None


def _record(merchant, channel, event_id: str, kind: str, received: str, outcome: str, known: bool) -> None:
    """The status of an event acted on: the last event, no longer an error, unknown types listed."""
    record = {"last_event": {"id": event_id, "type": kind, "at": received, "outcome": outcome}}
    previous = status.read(merchant.live.status_file).get("sources", {}).get(channel.name, {})
    if str(previous.get("last_event_error") or "").split(" ", 1)[0] == event_id:
        record["last_event_error"] = None   # the failed event, tried again, is in the books now
    if not known:
        record["unknown_events"] = (previous.get("unknown_events", []) + [f"{event_id} {kind}"])[-50:]
        log.warning("%s: event %s of unknown type %s archived in %s, not acted on", channel.name, event_id,
                    kind, event_path(merchant, channel.name, event_id))
    status.update(merchant.live.status_file, channel.name, **record)


def _failed(merchant, channel, event_id: str, kind: str, why: str, marker=None, item=None) -> None:
    """Not imported: kept pending, said at /status, tried again later on its own (the
    inbox's RETRY_AFTER), when the channel delivers it again, after the next scheduled
    fetch, or when serve starts. Its marker keeps why (/status `pending_errors`): the
    latest error of the channel may be another event's (a blind tester's pending event's
    error was replaced by a later 409)."""
    if marker is not None and item is not None:
        try:
            was = marker.stat()
            archive.write_atomic(marker, _dumped({**item, "error": why}))
            os.utime(marker, ns=(was.st_atime_ns, was.st_mtime_ns))   # its place among the pending: oldest first
        except OSError:   # taken meanwhile: nothing to say of it
            pass
    status.update(merchant.live.status_file, channel.name, last_event_error=f"{event_id} {kind}: {why}")
    log.error("%s: event %s (%s) not imported: %s; it stays pending, tried again later on its own, when it "
              "is delivered again, after the next scheduled fetch or when serve starts", channel.name,
              event_id, kind, why)


def _dumped(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _act(merchant, channel, kind: str, doc: dict) -> tuple[str, bool]:
    if books_something(channel, kind):
        return _stripe_book(merchant, channel, kind, doc), True
    return _noted(channel, kind)


def _noted(channel, kind: str) -> tuple[str, bool]:
    """What an event that books nothing comes to, and whether its type is known."""
    if channel.type == "stripe":
        return ("archived; the daily fetch books it", True) if kind in STRIPE_NOTED else \
            (f"unknown event type {kind}: archived, not acted on", False)
    if channel.type == "wechat":
        return ("archived; the next day's bills book it", True) if kind in WECHAT_NOTED else \
            (f"unknown event type {kind}: archived, not acted on", False)
    if channel.type == "paypal":
        return ("archived; the daily fetch books it", True) if kind.startswith(PAYPAL_NOTED) else \
            (f"unknown event type {kind}: archived, not acted on", False)
    return f"unknown event type {kind}: archived, not acted on", False


def _stripe_book(merchant, channel, kind: str, doc: dict) -> str:
    obj = dict((doc.get("data") or {}).get("object") or {})
    ident = str(obj.get("id", ""))
    if not SAFE_ID.match(ident):
        raise retry.Failed(f"{kind}: the event's object has no usable id")
    field = EXPANDED.get(obj.get("object"))
    if field and isinstance(obj.get(field), str):
        obj[field] = retry.call(merchant.live.retry, _retrieve, merchant, channel, obj[field])
    content = (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    stored = archive.store(merchant.live.statements / channel.name, f"event-{obj.get('object')}-{ident}.json",
                           content)
    return _import(merchant, stored)


def _retrieve(merchant, channel, txn_id: str) -> dict:
    from beanclear.live.fetch.stripe import StripeFetcher, unanswered
    import stripe
    client = StripeFetcher(channel, merchant.secrets, merchant.live).client
    try:
        return client.v1.balance_transactions.retrieve(txn_id).to_dict()
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        raise retry.Later(f"Stripe did not give balance transaction {txn_id}: "
                          f"{unanswered(exc, merchant.live.timeout)}") from None
    except stripe.StripeError as exc:
        raise retry.Failed(f"Stripe refused balance transaction {txn_id} (HTTP {exc.http_status})") from None


def _import(merchant, stored) -> str:
    from beanclear.books import importing
    from beanclear.books.atomic import BooksBusy
    from beanclear.importers.toolkit import StatementError

    def once():
        try:
            return importing.run(merchant.config, [stored.path], asked=True)
        except BooksBusy as exc:
            raise retry.Later(str(exc)) from None

    try:
        results = retry.call(merchant.live.retry, once)
    except StatementError as exc:
        raise retry.Failed(f"{exc}; the statement stays archived, nothing was written") from None
    summary = "; ".join(r.summary() for r in results if hasattr(r, "summary"))
    return f"{stored.state}: {summary}" if stored.state != "new" else summary
