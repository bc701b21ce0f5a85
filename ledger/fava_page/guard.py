"""What a write must be before it reaches the books: a same-origin JSON POST to an
address Fava serves, whose body has exactly the fields the endpoint takes, each of the
expected type and length, without control characters.

Why the address: Origin compared with the Host header alone is passed by DNS rebinding
(a page of evil.example whose name then resolves to 127.0.0.1 sends Host and Origin
both evil.example). So the Host must be a name Fava serves: a loopback name, Fava's
`--host`, Flask's SERVER_NAME, a name listed in BEANCLEAR_FAVA_HOSTS, or an IP address
(rebinding needs a name: a page whose origin is an IP address is the server at that IP).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_TEXT = 500            # characters of a reason
MAX_ID = 200              # characters of a statement id, a link, a code
MAX_REFS = 100            # bank lines of one proposal, links of its target
MAX_BODY = 64 * 1024      # bytes of a request body: the above, with room for JSON's escapes
HOST = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
HOSTS_VARIABLE = "BEANCLEAR_FAVA_HOSTS"   # comma-separated extra names, e.g. behind a proxy
# bidirectional overrides reorder how a line reads in an editor or `git diff`
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# -- the request --------------------------------------------------------------------------

def decision_body() -> dict:
    """The JSON object of a write; raises Refused unless it is a same-origin JSON POST."""
    if not request.is_json:
        raise Refused(415, "expected a JSON body (Content-Type: application/json)")
    _same_origin()
    # a chunked body has no Content-Length to refuse: werkzeug stops reading it at the
    # limit, silently; one byte more than allowed tells a cut body from a whole one
    request.max_content_length = MAX_BODY + 1
    try:
        data = request.get_data(cache=False)
        if len(data) > MAX_BODY:
            raise RequestEntityTooLarge()
        body = json.loads(data, object_pairs_hook=_once_each)
    except RequestEntityTooLarge:
        raise Refused(413, f"body: larger than {MAX_BODY} bytes") from None
    except RecursionError:
        raise Refused(400, "body: nested too deep; expected a JSON object of strings, lists and flags") from None
    except ValueError:   # not UTF-8, or not JSON
        raise Refused(400, "body: expected a JSON object") from None
    if not isinstance(body, dict):
        raise Refused(400, "body: expected a JSON object")
    return body


def _once_each(pairs: list) -> dict:
    """A JSON object whose keys are given once each: of two values of one field, which
    one the sender meant is not the page's to guess (json.loads keeps the last)."""
    body = {}
    for key, value in pairs:
        if key in body:
            raise Refused(400, f"{_shown(key)}: given twice")
        body[key] = value
    return body


# How long a write from the page waits for a command holding the books (a `beanclear
# check` in a terminal) before it answers 409 "busy": a browser's request, not 300 s.
WRITE_WAIT = 20.0


def read_only() -> bool:
    """Whether this Fava runs `--read-only`: it then refuses every request but a GET
    (its `_read_only` hook), so the page shows no action it would refuse."""
    from flask import has_app_context
    return has_app_context() and any(getattr(f, "__name__", "") == "_read_only"
                                     for f in current_app.before_request_funcs.get(None, ()))


def _same_origin() -> None:
    host = request.host.lower()
    if not served(host):
        raise Refused(403, f"refused: {_shown(host)} is not an address this Fava serves "
                           f"(add the name to {HOSTS_VARIABLE} if it is)")
    origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        raise Refused(403, "refused: the request comes from another site")
    if origin is not None:
        if _netloc(origin) != host:
            raise Refused(403, "refused: the request comes from another site")
    elif site is None:
        raise Refused(403, "refused: a write must say it comes from this page "
                           "(an Origin header or Sec-Fetch-Site: same-origin)")


def _netloc(origin: str) -> str | None:
    try:
        return urlsplit(origin).netloc.lower()
    except ValueError:
        return None


def served(host: str) -> bool:
    """Whether a Host header (name[:port]) names this Fava."""
    if not HOST.fullmatch(host):   # no user@, path or spaces for a URL parser to read past
        return False
    name = urlsplit("//" + host).hostname
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name in LOOPBACK or name in _names() or name == fava_host()


def _names() -> set[str]:
    names = {n.strip().lower() for n in os.environ.get(HOSTS_VARIABLE, "").split(",") if n.strip()}
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        names.add(urlsplit("//" + server_name).hostname or "")
    return names


@functools.cache
def fava_host() -> str | None:
    """The --host (or FAVA_HOST) of Fava's command line, when it runs this process."""
    if Path(sys.argv[0]).stem != "fava":
        return None
    try:
        from fava.cli import main
        host = main.make_context("fava", sys.argv[1:], resilient_parsing=True).params.get("host")
    except Exception:   # an argv Fava's own parser rejects: no name to add
        return None
    return host.strip("[]").lower() if isinstance(host, str) else None


# -- the body -----------------------------------------------------------------------------

def fields(body: dict, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    """Refuse a body with a field the endpoint does not take, or without one it needs."""
    for name in body:
        if name not in required + optional:
            raise Refused(400, f"{_shown(name)}: unknown field; expected {', '.join(required + optional)}")
    for name in required:
        if name not in body:
            raise Refused(400, f"{name}: required")


def text(body: dict, name: str, limit: int = MAX_TEXT) -> str:
    """A field holding one line of text of at most `limit` characters."""
    return _line(body.get(name), name, limit)


def _line(value, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Refused(400, f"{name}: expected a string, got {_kind(value)}")
    if not value.strip():
        raise Refused(400, f"{name}: expected some text, got nothing")
    if len(value) > limit:
        raise Refused(400, f"{name}: longer than {limit} characters ({len(value)})")
    bad = next((c for c in value if _control(c)), None)
    if bad is not None:
        raise Refused(400, f"{name}: control character U+{ord(bad):04X} not allowed")
    return value


def ident(body: dict, name: str) -> str:
    return text(body, name, MAX_ID)


def idents(body: dict, name: str) -> list[str]:
    """A field holding a non-empty list of ids."""
    value = body.get(name)
    if not isinstance(value, list):
        raise Refused(400, f"{name}: expected a list of ids, got {_kind(value)}")
    if not 1 <= len(value) <= MAX_REFS:
        raise Refused(400, f"{name}: expected 1 to {MAX_REFS} ids, got {len(value)}")
    return [_line(v, f"{name}[{n}]", MAX_ID) for n, v in enumerate(value)]


def links(body: dict, name: str) -> str:
    """A proposal's target: an account, or the space-separated links of its items."""
    value = text(body, name, MAX_REFS * (MAX_ID + 1))
    words = value.split(" ")
    if len(words) > MAX_REFS or any(not w or len(w) > MAX_ID for w in words):
        raise Refused(400, f"{name}: expected up to {MAX_REFS} ids of at most {MAX_ID} characters "
                           f"separated by single spaces")
    return value


def flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise Refused(400, f"{name}: expected true or false, got {_kind(value)}")
    return value


def _control(c: str) -> bool:
    # Cc: C0/C1 controls (a newline would end the directive); Cs: a lone surrogate, which
    # JSON can carry but UTF-8 cannot write; Zl/Zp: line and paragraph separators
    return unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in BIDI


def _kind(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _shown(name: str) -> str:
    """An unknown field's name, quoted and cut short: it is the sender's text."""
    return json.dumps(name[:40] + ("..." if len(name) > 40 else ""), ensure_ascii=True)
