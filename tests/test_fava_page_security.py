"""The Fava page's write endpoints against hostile requests: every field of every body
is checked (type, presence, length, control characters) and refused with a 400 naming
it, never a 500; a write must come from the page itself, to an address Fava serves
(DNS rebinding, a missing Origin); the books stay byte-identical whenever one is refused."""

from __future__ import annotations

import io
import json

import pytest

from beanclear.checks import acks
from beanclear.fava_page import guard
from fava_util import PAGE, books_snapshot, changes, copy_of
from test_fava_page import Fava, demo, fava, first_proposal, merchant  # noqa: F401 (the fixtures)

fava_application = pytest.importorskip("fava.application")


@pytest.fixture(scope="module")
def shared(demo, demo_built, tmp_path_factory):   # noqa: F811
    """One Fava for the refused requests: none of them may change its books. Its finding
    is of the session's build's report (the books are a copy of that build's)."""
    fava = Fava(copy_of(demo, tmp_path_factory.mktemp("shared") / "merchant"))
    fava.key = first_proposal(fava)
    fava.finding = next(f for f in demo_built().report.findings if f.code == "payout-mismatch")
    return fava


def raw(fava, endpoint: str, text: str | bytes, **headers):
    return fava.client.post(f"/{fava.slug}/{PAGE}{endpoint}", data=text, content_type="application/json",
                            headers={"Origin": "http://localhost", **headers})


def ack(finding, **fields):
    return {"code": finding.code, "ref": finding.refs[0], "reason": "agreed", **fields}


# -- bodies -------------------------------------------------------------------------------

MALFORMED = {   # id: (endpoint, body from (proposal key, finding), the field the message names)
    "refs-a-number": ("accept", lambda k, f: {**k, "bank_refs": 5}, "bank_refs"),
    "refs-a-string": ("accept", lambda k, f: {**k, "bank_refs": k["bank_refs"][0]}, "bank_refs"),
    "refs-empty": ("accept", lambda k, f: {**k, "bank_refs": []}, "bank_refs"),
    "refs-too-many": ("accept", lambda k, f: {**k, "bank_refs": ["r"] * 101}, "bank_refs"),
    "ref-a-number": ("accept", lambda k, f: {**k, "bank_refs": [7]}, "bank_refs[0]"),
    "ref-an-object": ("accept", lambda k, f: {**k, "bank_refs": [{"$ne": ""}]}, "bank_refs[0]"),
    "ref-too-long": ("accept", lambda k, f: {**k, "bank_refs": ["r" * 201]}, "bank_refs[0]"),
    "ref-a-nul": ("accept", lambda k, f: {**k, "bank_refs": ["a\x00b"]}, "bank_refs[0]"),
    "refs-missing": ("accept", lambda k, f: {"target": k["target"]}, "bank_refs"),
    "target-missing": ("accept", lambda k, f: {"bank_refs": k["bank_refs"]}, "target"),
    "target-null": ("accept", lambda k, f: {**k, "target": None}, "target"),
    "target-a-list": ("accept", lambda k, f: {**k, "target": [k["target"]]}, "target"),
    "target-a-newline": ("accept", lambda k, f: {**k, "target": k["target"] + "\n2026-01-01 open X"}, "target"),
    "target-link-too-long": ("accept", lambda k, f: {**k, "target": "l" * 201}, "target"),
    "unknown-field": ("accept", lambda k, f: {**k, "force": True}, "force"),
    "all-confident-a-string": ("accept", lambda k, f: {"all_confident": "yes"}, "all_confident"),
    "all-confident-and-a-key": ("accept", lambda k, f: {"all_confident": True, **k}, "bank_refs"),
    "reject-reason-missing": ("reject", lambda k, f: {**k}, "reason"),
    "reject-reason-a-number": ("reject", lambda k, f: {**k, "reason": 5}, "reason"),
    "reject-reason-blank": ("reject", lambda k, f: {**k, "reason": " \t "}, "reason"),
    "reject-reason-too-long": ("reject", lambda k, f: {**k, "reason": "x" * 501}, "reason"),
    "reject-reason-a-newline": ("reject", lambda k, f: {**k, "reason": 'ok"\n2026-01-01 open Assets:X'}, "reason"),
    "reject-reason-bidi": ("reject", lambda k, f: {**k, "reason": "paid \u202edeifirev"}, "reason"),
    "reject-refs-a-number": ("reject", lambda k, f: {**k, "bank_refs": 5, "reason": "r"}, "bank_refs"),
    "ack-code-a-number": ("acknowledge", lambda k, f: ack(f, code=5), "code"),
    "ack-code-unknown": ("acknowledge", lambda k, f: ack(f, code="no-such-code"), "code"),
    "ack-code-stale-ack": ("acknowledge", lambda k, f: ack(f, code="stale-ack"), "code"),
    "ack-ref-a-list": ("acknowledge", lambda k, f: ack(f, ref=f.refs), "ref"),
    "ack-ref-too-long": ("acknowledge", lambda k, f: ack(f, ref="r" * 201), "ref"),
    "ack-ref-missing": ("acknowledge", lambda k, f: {"code": f.code, "reason": "r"}, "ref"),
    "ack-reason-an-object": ("acknowledge", lambda k, f: ack(f, reason={"text": "r"}), "reason"),
    "ack-reason-too-long": ("acknowledge", lambda k, f: ack(f, reason="x" * 501), "reason"),
    "ack-reason-a-tab": ("acknowledge", lambda k, f: ack(f, reason="a\tb"), "reason"),
    "ack-reason-del": ("acknowledge", lambda k, f: ack(f, reason="a\x7fb"), "reason"),
    "ack-extra-field": ("acknowledge", lambda k, f: ack(f, day="2020-01-01"), "day"),
}


@pytest.mark.parametrize("endpoint, make, field", MALFORMED.values(), ids=MALFORMED.keys())
def test_each_malformed_field_is_a_400_naming_it_and_the_books_are_untouched(shared, endpoint, make, field):
    before = books_snapshot(shared.merchant)
    response = shared.post(endpoint, make(shared.key, shared.finding))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"].startswith(f"{field}: ") or f'"{field}"' in response.json["error"]
    assert books_snapshot(shared.merchant) == before


@pytest.mark.parametrize("text", ["[1, 2]", "5", "null", '"x"', "{", "not json", b"\xff\xfe{}"],
                         ids=["list", "number", "null", "string", "truncated", "text", "not-utf8"])
def test_a_body_that_is_not_a_json_object_is_a_400(shared, text):
    before = books_snapshot(shared.merchant)
    response = raw(shared, "acknowledge", text)
    assert response.status_code == 400 and response.json["error"] == "body: expected a JSON object"
    assert books_snapshot(shared.merchant) == before


@pytest.mark.parametrize("text", ["[" * 20_000 + "]" * 20_000, '{"a":' * 10_000 + "1" + "}" * 10_000],
                         ids=["list", "object"])
def test_a_body_nested_too_deep_is_a_400_saying_so(shared, text):
    # a blind tester's 10,000-deep object (under 64 KiB) was told "expected a JSON object"
    before = books_snapshot(shared.merchant)
    response = raw(shared, "acknowledge", text)
    assert response.status_code == 400 and response.json["error"].startswith("body: nested too deep")
    assert books_snapshot(shared.merchant) == before


def test_a_chunked_body_over_the_limit_is_a_413_not_a_cut_body(shared):
    # without a Content-Length werkzeug stops reading at the limit: the cut JSON was a 400
    before = books_snapshot(shared.merchant)
    text = json.dumps({**ack(shared.finding), "pad": "x" * 70_000}).encode()
    response = shared.client.post(f"/{shared.slug}/{PAGE}acknowledge", input_stream=io.BytesIO(text),
                                  headers={"Content-Type": "application/json", "Origin": "http://localhost",
                                           "Transfer-Encoding": "chunked"},
                                  environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.json["error"] == f"body: larger than {guard.MAX_BODY} bytes"
    assert books_snapshot(shared.merchant) == before


@pytest.mark.parametrize("endpoint, body", [
    ("acknowledge", '{{"code": "{code}", "ref": "{ref}", "reason": "agreed", "reason": "other"}}'),
    ("accept", '{{"bank_refs": ["B"], "target": "a", "target": "b"}}')], ids=["reason", "target"])
def test_a_key_given_twice_is_a_400_naming_it(shared, endpoint, body):
    # a blind tester's body with "reason" twice wrote the last: which one the sender
    # meant is not the page's to guess
    before = books_snapshot(shared.merchant)
    text = body.format(code=shared.finding.code, ref=shared.finding.refs[0])
    response = raw(shared, endpoint, text)
    field = "reason" if "reason" in text else "target"
    assert response.status_code == 400 and response.json["error"] == f'"{field}": given twice'
    assert books_snapshot(shared.merchant) == before


def test_a_lone_surrogate_in_a_reason_is_refused_not_written(shared):
    body = json.dumps(ack(shared.finding, reason="\ud800"))   # JSON can carry it, UTF-8 cannot
    response = raw(shared, "acknowledge", body)
    assert response.status_code == 400 and response.json["error"] == "reason: control character U+D800 not allowed"


def test_a_20_mb_reason_never_reaches_the_books(shared):
    before = books_snapshot(shared.merchant)
    response = shared.post("acknowledge", ack(shared.finding, reason="x" * 20_000_000))
    assert response.status_code == 413 and response.json["error"] == f"body: larger than {guard.MAX_BODY} bytes"
    assert books_snapshot(shared.merchant) == before


def test_a_reason_of_exactly_the_limit_in_any_script_is_written(fava, shared):  # noqa: F811
    finding = shared.finding   # every copy of the demo has the same findings
    reason = ("银行手续费 0.50，已确认 " * 40)[:guard.MAX_TEXT]
    assert len(reason) == 500
    before = books_snapshot(fava.merchant)
    response = fava.post("acknowledge", ack(finding, reason=reason))
    assert response.status_code == 200, response.json
    line = acks.ack_line(finding.code, finding.refs[0], reason)
    assert changes(before, books_snapshot(fava.merchant)) == {"acks.beancount": ([], line.splitlines())}


def test_accept_all_confident_with_false_needs_a_proposal(shared):
    response = shared.post("accept", {"all_confident": False})
    assert response.status_code == 400 and response.json["error"] == "bank_refs: required"


# -- where a write comes from -------------------------------------------------------------

def post_as(fava, host: str, **headers):
    """A write sent to Fava under a Host name (as a browser does for the URL's host)."""
    return fava.client.post(f"/{fava.slug}/{PAGE}acknowledge", json=ack(fava.finding, reason="r"),
                            base_url=f"http://{host}", headers=headers)


REFUSED = {
    "dns-rebinding": ("evil.example:5000", {"Origin": "http://evil.example:5000"}),
    "dns-rebinding-fetch-metadata": ("evil.example:5000", {"Sec-Fetch-Site": "same-origin"}),
    "rebinding-with-both": ("evil.example:5000", {"Origin": "http://evil.example:5000",
                                                  "Sec-Fetch-Site": "same-origin"}),
    "no-origin-no-fetch-metadata": ("localhost:5000", {}),
    "another-local-port": ("localhost:5000", {"Origin": "http://localhost:8080"}),
    "origin-null": ("localhost:5000", {"Origin": "null"}),
    "origin-garbage": ("localhost:5000", {"Origin": "http://[::1"}),
    "same-site-only": ("localhost:5000", {"Sec-Fetch-Site": "same-site"}),
    "fetch-metadata-none": ("localhost:5000", {"Sec-Fetch-Site": "none"}),
    "origin-ok-but-cross-site": ("localhost:5000", {"Origin": "http://localhost:5000", "Sec-Fetch-Site": "cross-site"}),
    "a-name-not-configured": ("books.example", {"Origin": "http://books.example"}),
}


@pytest.mark.parametrize("host, headers", REFUSED.values(), ids=REFUSED.keys())
def test_a_write_not_from_the_page_on_an_address_fava_serves_is_refused(shared, host, headers):
    before = books_snapshot(shared.merchant)
    response = post_as(shared, host, **headers)
    assert response.status_code == 403 and response.json["error"].startswith("refused: ")
    assert books_snapshot(shared.merchant) == before


ACCEPTED = {
    "origin-localhost": ("localhost:5000", {"Origin": "http://localhost:5000"}),
    "origin-127": ("127.0.0.1:5000", {"Origin": "http://127.0.0.1:5000", "Sec-Fetch-Site": "same-origin"}),
    "origin-ipv6": ("[::1]:5000", {"Origin": "http://[::1]:5000"}),
    "fetch-metadata-only": ("localhost:5000", {"Sec-Fetch-Site": "same-origin"}),
    "lan-address": ("192.168.1.5:5000", {"Origin": "http://192.168.1.5:5000"}),   # fava --host 0.0.0.0
}


@pytest.mark.parametrize("host, headers", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_same_origin_write_to_an_address_fava_serves_is_made(merchant, shared, host, headers):  # noqa: F811
    fava = Fava(merchant)
    fava.finding = shared.finding   # every copy of the demo has the same findings
    response = post_as(fava, host, **headers)
    assert response.status_code == 200, response.json
    assert response.json["written"] == ["books/acks.beancount"]


def test_a_name_is_served_when_fava_was_started_with_it_or_it_is_listed(shared, monkeypatch):
    refused = post_as(shared, "books.example", Origin="http://books.example")
    assert refused.status_code == 403 and "BEANCLEAR_FAVA_HOSTS" in refused.json["error"]
    monkeypatch.setattr("sys.argv", ["/venv/bin/fava", "books/main.beancount", "--host", "Box.LAN"])
    guard.fava_host.cache_clear()
    try:
        assert guard.fava_host() == "box.lan"
        with shared.client.application.test_request_context():
            assert guard.served("box.lan:5000") and not guard.served("books.example")
            assert not guard.served("evil.example@box.lan") and not guard.served("box.lan:5000/x")
        monkeypatch.setenv(guard.HOSTS_VARIABLE, "other.example, books.example")
        with shared.client.application.test_request_context():
            assert guard.served("books.example") and not guard.served("evil.example")
    finally:
        guard.fava_host.cache_clear()


def test_a_listed_name_is_written_to(merchant, shared, monkeypatch):  # noqa: F811
    monkeypatch.setenv(guard.HOSTS_VARIABLE, "books.example")
    fava = Fava(merchant)
    fava.finding = shared.finding
    assert post_as(fava, "books.example", Origin="http://books.example").status_code == 200


def test_favas_read_only_mode_refuses_every_write_and_the_page_offers_none(merchant):  # noqa: F811
    app = fava_application.create_app([merchant / "books" / "main.beancount"], load=True, read_only=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    before = books_snapshot(merchant)
    response = client.post(f"/{slug}/{PAGE}accept", json={"all_confident": True},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 401 and books_snapshot(merchant) == before
    # and the page offers none of the actions it would refuse, only the findings
    page = client.get(f"/{slug}/{PAGE}?match=1").get_data(as_text=True)
    assert "Fava runs read-only" in page and 'class="bc-await' in page and "bc-proposal" in page
    assert "data-action=" not in page and 'id="beanclear-upload"' not in page
    writable = fava_application.create_app([merchant / "books" / "main.beancount"], load=True).test_client()
    page = writable.get(f"/{slug}/{PAGE}?match=1").get_data(as_text=True)
    assert 'data-action="accept"' in page and 'data-action="close"' in page and "Fava runs read-only" not in page
