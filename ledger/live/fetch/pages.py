"""An answer of HTTP 200 that is no JSON at all, said for what it is (blind24).

A proxy or a captive portal in the way answers a whole page of its own, HTTP 200, where
the API promised JSON: that is no JSON "cut short on the way" (a connection to try
again), and the message points at the proxy and the channel's `fetch.api_base`, with the
page's content type and first characters. A body that starts as JSON is one cut short:
`not_json` says nothing of it, and its fetcher says so and tries again."""

from __future__ import annotations

SHOWN = 60   # the first characters of a page said


def not_json(body: bytes | str | None, content_type: str | None) -> str | None:
    """What an answer's body is where it is no JSON at all ("an HTML page (…)"), else None."""
    if isinstance(body, str):
        body = body.encode("utf-8", errors="replace")
    body = body or b""
    start = body.lstrip()[:1]
    kind = (content_type or "").split(";")[0].strip().lower()
    if not start or start in (b"{", b"[") and "html" not in kind:
        return None   # nothing, or JSON that stops short: a connection cut (tried again)
    page = "an HTML page" if "html" in kind or start == b"<" else "a page"
    text = " ".join(body[:SHOWN * 4].decode("utf-8", errors="replace").split())
    text = text[:SHOWN] + ("…" if len(text) > SHOWN else "")
    return f"{page} (HTTP 200, {kind or 'no content type'}, {len(body)} bytes: {text})"


def said(who: str, what: str, page: str, api_base: str) -> str:
    """The failure of an answer `not_json` found to be `page`."""
    return (f"{who}'s answer{what} is not JSON but {page}: a proxy or a captive portal answering in {who}'s place? "
            f"Check the channel's fetch.api_base ({api_base}) and the proxy settings of this machine")
