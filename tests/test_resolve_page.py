"""The page's resolve endpoints (fava_page/actions.py) through Fava's test client on the
demo merchant: each writes exactly what the command would, refuses bad bodies and
actions with why (books untouched), and the queue groups findings by next action."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from beanclear.checks import checking
from beanclear.resolve import on_the_page
from conftest import beanclear
from fava_util import books_snapshot, changes, copy_of
from test_fava_page import Fava, rows

AUDIT = "20260316000080"      # the demo's 312.00 debit to 阿里云 nothing explains
DEPOSIT = "20260309000071"    # the 8,000.00 credit nobody explains
SHORT = "20260106000006"      # the bank credit 0.50 short of its payout
RENT = "20260301000063"       # the March rent, booked by a rule of config.yaml
# a proposal of the demo's (a credit and the WeChat payout it settles), as the page names it
PROPOSAL = {"bank_refs": ["20260104000003"], "target": "payout-1000959334202601020000004310"}


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


@pytest.fixture
def fava(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    return Fava(copy_of(demo, tmp_path / "merchant"))


@pytest.fixture(scope="module")
def refusing(demo, tmp_path_factory):
    """One Fava for the requests that must be refused: none may change its books (each
    test checks), so they need no fresh copy and load each."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BEANCLEAR_TODAY", "2026-04-02")
        yield Fava(copy_of(demo, tmp_path_factory.mktemp("refusing") / "merchant"))


def test_the_queue_groups_by_next_action_and_says_why_no_proposal(fava):
    page = fava.page()
    queue = rows(page, "bc-await")
    groups = [r["group"] for r in queue]
    assert groups == sorted(groups, key=["bank", "write-off", "follow-up", "review", "following",
                                         "acknowledged"].index)
    bank = {r["bank"]: r for r in queue if r["group"] == "bank"}
    assert sorted(bank) == [DEPOSIT, AUDIT] and {r["suggested"] for r in bank.values()} == {"book"}
    assert {r["code"]: r["suggested"] for r in queue if r["group"] == "follow-up"}["duplicate-charge"] == "follow-up"
    assert "No match proposal: <div>· no open payout, order or bill of 8000.00 CNY (within 0.01)</div>" in page
    assert "nothing to match" not in page


def test_book_and_rule_write_off_follow_up_through_the_page(fava):
    before = books_snapshot(fava.merchant)
    config_before = (fava.merchant / "config.yaml").read_text(encoding="utf-8")
    response = fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting", "payee": "Aliyun",
                                  "rule": "ALIYUN"})
    assert response.status_code == 200, response.json
    assert sorted(response.json["written"]) == ["books/icbc/2026/2026-03.beancount", "config.yaml"]
    assert (fava.merchant / "config.yaml").read_text(encoding="utf-8") == config_before.replace(
        "    account: Expenses:Hosting\n\n", "    account: Expenses:Hosting\n  - match: ALIYUN\n"
        "    account: Expenses:Hosting\n\n")
    assert changes(before, books_snapshot(fava.merchant))["icbc/2026/2026-03.beancount"] == (
        ['2026-03-16 * "阿里云计算有限公司" "ALIYUN 2026-03"', "  Assets:Suspense                             312.00 CNY"],
        ['2026-03-16 * "Aliyun" "ALIYUN 2026-03"', '  statement-text: "阿里云计算有限公司 ALIYUN 2026-03"',
         '  statement-payee: "阿里云计算有限公司"', '  booked-from: "Assets:Suspense"',
         "  Expenses:Hosting                            312.00 CNY"])
    again = fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting"})   # done: as the command says
    assert again.status_code == 200 and again.json["done"] is False and again.json["written"] == []

    response = fava.post("write_off", {"code": "payout-mismatch", "ref": SHORT})
    assert response.status_code == 200, response.json
    response = fava.post("follow_up", {"code": "duplicate-charge", "ref": "#3460", "owner": "alice",
                                       "due": "2026-04-16", "note": "refund the second charge"})
    assert response.status_code == 200, response.json
    found = {f.code: f for f in checking.check(fava.config()).findings}
    assert "payout-mismatch" not in found
    assert found["duplicate-charge"].follow_up["state"] == "following up"
    queue = rows(fava.page(), "bc-await")
    assert [(r["code"], r["suggested"]) for r in queue if r["group"] == "following"] == [("duplicate-charge", "done")]
    # its other action, Acknowledge, is written (it was only followed up) and ends the
    # follow-up: acknowledged with its reason, the follow-up kept as history
    response = fava.post("acknowledge", {"code": "duplicate-charge", "ref": "#3460",
                                         "reason": "the customer keeps it as store credit"})
    assert response.status_code == 200 and response.json["done"] is True, response.json
    page = fava.page()
    assert [r["group"] for r in rows(page, "bc-await") if r["code"] == "duplicate-charge"] == ["acknowledged"]
    assert ('<div class="bc-follow ">was followed up: alice, due 2026-04-16 — refund the second charge</div>' in page
            and '<div class="bc-ack-reason">the customer keeps it as store credit</div>' in page)
    # done after that: the last line naming it is its state, as check says (resolved by hand,
    # the done line's note), not the acknowledgment's reason before it (blind28)
    response = fava.post("follow_up", {"code": "duplicate-charge", "ref": "#3460", "done": True,
                                       "note": "refunded after all"})
    assert response.status_code == 200, response.json
    page = fava.page()
    assert ('<div class="bc-ack-reason">refunded after all</div>' in page
            and "the customer keeps it as store credit" not in page)


def test_an_unpaid_order_is_chased_first_and_written_off_with_a_reason_as_the_command_does(fava, tmp_path):
    # blind32: a cancelled order nobody paid had no way out of the books; the page offers
    # Write off under Follow up (the order is chased first), a reason asked whatever its size
    import shutil
    twin = tmp_path / "twin"
    shutil.copytree(fava.merchant, twin)
    page = fava.page()
    unpaid = [r for r in rows(page, "bc-await") if r["code"] == "order-unpaid"]
    assert unpaid and {(r["group"], r["suggested"]) for r in unpaid} == {("follow-up", "follow-up")}
    assert 'data-act="write-off"' in page.split('data-group="follow-up"', 1)[1].split('data-group="review"', 1)[0]
    before = books_snapshot(fava.merchant)
    refused = fava.post("write_off", {"code": "order-unpaid", "ref": "#1573"})
    assert refused.status_code == 409 and 'give a reason in the "reason" field' in refused.json["error"], refused.json
    assert books_snapshot(fava.merchant) == before
    response = fava.post("write_off", {"code": "order-unpaid", "ref": "#1573", "reason": "cancelled, never paid"})
    assert response.status_code == 200 and response.json["done"], response.json
    run = beanclear(twin, "write-off", "order-unpaid", "#1573", "--reason", "cancelled, never paid")
    assert run.exit_code == 0, run.output
    assert books_snapshot(fava.merchant) == books_snapshot(twin)
    after = [r["group"] for r in rows(fava.page(), "bc-await") if r["code"] == "order-unpaid"]
    assert after.count("acknowledged") == 1 and len(after) == len(unpaid)


@pytest.mark.parametrize("endpoint, body, status, message", [
    ("book", {"bank_ref": AUDIT}, 400, "account: required"),
    ("book", {"bank_ref": AUDIT, "account": "Expenses:X", "evil": 1}, 400, "unknown field"),
    ("book", {"bank_ref": AUDIT, "account": ["Expenses:X"]}, 400, "account: expected a string"),
    ("book", {"bank_ref": AUDIT, "account": "Expenses:X", "rule": "NOPE"}, 409, "does not find the line's text"),
    # blind17 favaonly: "remember as a rule" ticked, the pattern left empty, booked the line and
    # dropped the rule with nothing said; the command refuses `--rule ""`
    ("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting", "rule": ""}, 400,
     "rule: expected a regular expression, got nothing"),
    ("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting", "payee": "Aliyun", "rule": "  "}, 400,
     "rule: expected a regular expression, got nothing"),
    ("link", {"bank_ref": DEPOSIT, "items": []}, 400, "items: expected 1 to"),
    ("link", {"bank_ref": DEPOSIT, "items": ["payout-nope"]}, 409, "no open item is 'payout-nope'"),
    ("write_off", {"code": "fee-gap", "ref": "nope"}, 409, "no fee-gap finding names nope"),
    ("write_off", {"code": "payout-mismatch", "ref": SHORT, "reason": "a\nb"}, 400, "control character"),
    # malformed values are 400 on every endpoint (a due date, a code, a month), refusals by the books 409
    ("follow_up", {"code": "duplicate-charge", "ref": "#3460", "owner": "a", "due": "soon"}, 400, "due: expected"),
    ("write_off", {"code": "fee-gaps", "ref": "T1"}, 400, "code: a write-off settles one of"),
    ("acknowledge", {"code": "fee-gaps", "ref": "T1", "reason": "x"}, 400, "code: expected one of"),
    ("follow_up", {"code": "duplicate-charge", "ref": "#3460", "done": "yes", "note": "x"}, 400, "true or false"),
    ("close", {"month": "2026-13"}, 400, "2026-13"),
    ("close", {"month": "2026-01"}, 409, "2026-01"),
    # a blind tester's close answered 400 for a month the books refuse to close (2026-01 is open)
    ("close", {"month": "2026-02"}, 409, "2026-01 still open and holding entries; close it first"),
    # the refusal `beanclear ack` gives (acks.not_named): a finding's ref but for its `#`
    ("acknowledge", {"code": "order-unpaid", "ref": "1573", "reason": "x"}, 409, "did you mean #1573?"),
    # a proposal the books do not make, and no rejection of it written: the page is stale
    ("reject", {**PROPOSAL, "target": "payout-nope", "reason": "x"}, 409, "this proposal is no longer made"),
])
def test_refusals_say_why_and_touch_nothing(refusing, endpoint, body, status, message):
    fava = refusing
    before = books_snapshot(fava.merchant)
    config_before = (fava.merchant / "config.yaml").read_bytes()
    response = fava.post(endpoint, body)
    assert response.status_code == status, response.json
    assert message in response.json["error"]
    assert books_snapshot(fava.merchant) == before and (fava.merchant / "config.yaml").read_bytes() == config_before


@pytest.mark.parametrize("endpoint, body, command", [
    ("book", {"bank_ref": AUDIT, "account": "Expenses:X", "rule": "NOPE"},
     ["book", AUDIT, "Expenses:X", "--rule", "NOPE"]),
    ("book", {"bank_ref": AUDIT, "account": "Expenses:X", "rule": ""}, ["book", AUDIT, "Expenses:X", "--rule", ""]),
    ("link", {"bank_ref": DEPOSIT, "items": ["payout-nope"]}, ["link", DEPOSIT, "payout-nope"]),
    ("write_off", {"code": "fee-gap", "ref": "nope"}, ["write-off", "fee-gap", "nope"]),
    ("follow_up", {"code": "duplicate-charge", "ref": "#3460", "owner": "a", "due": "soon"},
     ["follow-up", "duplicate-charge", "#3460", "--owner", "a", "--due", "soon"]),
    ("close", {"month": "2026-13"}, ["close", "2026-13"]),
    ("acknowledge", {"code": "order-unpaid", "ref": "1573", "reason": "x"}, ["ack", "order-unpaid", "1573",
                                                                          "--reason", "x"]),
])
def test_a_refusal_says_what_the_command_says(refusing, endpoint, body, command):
    """Both doors word a refusal in one place: why, then that nothing was written
    (blind7 fava: the page's write-off, book, link and close refusals left that out);
    the command line's instructions in the page's terms (resolve.on_the_page)."""
    from conftest import beanclear
    from beanclear.resolve import on_the_page
    fava = refusing
    response = fava.post(endpoint, body)
    said = beanclear(fava.merchant, *command)
    assert said.exit_code == 2, said.output
    assert response.json["error"].endswith("; nothing was written"), response.json
    assert on_the_page(said.output.strip().splitlines()[-1]) == f"beanclear: {response.json['error']}"


@pytest.mark.parametrize("endpoint, body, command, cli, page", [
    ("write_off", {"code": "amount-mismatch", "ref": "#3012"}, ["write-off", "amount-mismatch", "#3012"],
     "give a --reason", 'give a reason in the "reason" field'),
    ("link", {"bank_ref": DEPOSIT, "items": ["payout-nope"]}, ["link", DEPOSIT, "payout-nope"],
     "see `beanclear open-items`", 'see the open items under "Match by hand"'),
    ("link", {"bank_ref": RENT, "items": ["order-1573"]}, ["link", RENT, "order-1573"],
     "; `beanclear unlink` it first", "; unlink it first (a command-line step: `beanclear unlink`)"),
    ("acknowledge", {"code": "order-unpaid", "ref": "nope", "reason": "x"}, ["ack", "order-unpaid", "nope",
                                                                          "--reason", "x"],
     "(see `beanclear check`)", "(see the findings table)"),
    ("follow_up", {"code": "duplicate-charge", "ref": "#3460", "done": True, "note": "x"},
     ["follow-up", "duplicate-charge", "#3460", "--done", "--note", "x"],
     "(`beanclear follow-up duplicate-charge #3460 --owner … --due …`)",
     "(Follow up gives it an owner and a due date)"),
])
def test_a_refusal_on_the_page_says_the_pages_control_or_that_a_command_is_a_command_line_step(
        refusing, endpoint, body, command, cli, page):
    # A blind tester: the page's refusals said "give a --reason", "`beanclear unlink` that
    # first", "see `beanclear open-items`": command-line instructions on a page that has a
    # reason field and a Match by hand. The page names its control; where it has none
    # (reopen, unlink), the command, said to be a command-line step. The CLI keeps its words.
    from conftest import beanclear
    fava = refusing
    before = books_snapshot(fava.merchant)
    response = fava.post(endpoint, body)
    said = beanclear(fava.merchant, *command)
    assert said.exit_code == 2 and response.status_code == 409, (said.output, response.json)
    assert cli in said.output and page not in said.output
    assert page in response.json["error"] and cli not in response.json["error"]
    assert said.output.strip().splitlines()[-1].replace(cli, page) == f"beanclear: {response.json['error']}"
    assert books_snapshot(fava.merchant) == before


@pytest.mark.parametrize("endpoint, body", [
    ("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting"}),
    ("write_off", {"code": "payout-mismatch", "ref": SHORT}),
    ("acknowledge", {"code": "refund-surge", "ref": "50300941320260127000000004126", "reason": "Spring Festival"}),
    ("follow_up", {"code": "duplicate-charge", "ref": "#3460", "owner": "alice", "due": "2026-04-16"}),
    # a blind tester's second Reject answered 409 "this proposal is no longer made": the
    # rejection it wrote is why it is not made any more
    ("reject", {**PROPOSAL, "reason": "not ours"}),
])
def test_an_action_done_twice_writes_nothing_and_says_so_as_the_command_does(fava, endpoint, body):
    """A double click is not an error: the second answer is the command's (exit 0,
    `done: false`), from the same library function, and nothing is written (Accept twice:
    test_fava_page.py)."""
    first = fava.post(endpoint, body)
    assert first.status_code == 200 and first.json["done"] is True and first.json["written"], first.json
    if endpoint == "follow_up":   # and its done, twice
        body = {"code": "duplicate-charge", "ref": "#3460", "done": True, "note": "refunded"}
        assert fava.post(endpoint, body).json["done"] is True
    before = books_snapshot(fava.merchant)
    again = fava.post(endpoint, body)
    assert again.status_code == 200, again.json
    assert again.json["done"] is False and again.json["written"] == [] and "error" not in again.json
    assert "nothing was written" in again.json["message"]
    assert books_snapshot(fava.merchant) == before


@pytest.mark.parametrize("rule", [{}, {"rule": "ALIYUN"}])
def test_a_booked_line_is_refused_a_second_booking_elsewhere_whether_or_not_it_made_a_rule(fava, rule):
    """blind17 favaonly: a line booked with "remember as a rule" was booked again to another
    account by a second tab (200, done: true), the first booking replaced and the rule left
    naming it. Refused as a line booked without a rule is (409), in the command's words."""
    from conftest import beanclear
    first = fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting", **rule})
    assert first.status_code == 200 and first.json["done"] is True, first.json
    booked, config = books_snapshot(fava.merchant), (fava.merchant / "config.yaml").read_bytes()
    for again in [{}, {"rule": "ALIYUN"}]:
        response = fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Rent", **again})
        assert response.status_code == 409, response.json
        assert response.json == {"error": f"bank line {AUDIT} is booked to Expenses:Hosting already; unlink it first "
                                          "(a command-line step: `beanclear unlink`); nothing was written"}
        assert books_snapshot(fava.merchant) == booked and (fava.merchant / "config.yaml").read_bytes() == config
    said = beanclear(fava.merchant, "book", AUDIT, "Expenses:Rent")
    assert said.exit_code == 2 and said.output == (f"beanclear: bank line {AUDIT} is booked to Expenses:Hosting "
                                                   "already; `beanclear unlink` it first; nothing was written\n")
    # the same booking again: done already (200, done: false), nothing written
    again = fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting", **rule})
    assert again.status_code == 200 and again.json["done"] is False and again.json["written"] == [], again.json
    assert books_snapshot(fava.merchant) == booked and (fava.merchant / "config.yaml").read_bytes() == config
    # must not fire: a line the import booked by a rule of config.yaml is booked elsewhere, this line alone
    response = fava.post("book", {"bank_ref": RENT, "account": "Expenses:Office"})
    assert response.status_code == 200 and response.json["done"] is True, response.json


def test_writes_need_the_same_origin(refusing):
    fava = refusing
    before = books_snapshot(fava.merchant)
    response = fava.post("write_off", {"code": "payout-mismatch", "ref": SHORT}, Origin="http://evil.example")
    assert response.status_code == 403 and books_snapshot(fava.merchant) == before


def test_link_by_hand_then_unlink_gives_the_books_back(fava):
    before = books_snapshot(fava.merchant)
    response = fava.post("link", {"bank_ref": DEPOSIT, "items": ["payout-1000959334202602140000008216"]})
    assert response.status_code == 200, response.json
    [(removed, added)] = changes(before, books_snapshot(fava.merchant)).values()
    assert added == [removed[0] + " ^payout-1000959334202602140000008216",
                     "  Assets:Transit:WeChat                     -8000.00 CNY"]
    # the credit is now a payout-mismatch's, whose row offers Unlink: it takes the match off
    assert [r["code"] for r in rows(fava.page(), "bc-await") if r["bank"] == DEPOSIT] == ["payout-mismatch"]
    assert 'data-action="unlink">Unlink payout-1000959334202602140000008216</button>' in fava.page()
    response = fava.post("unlink", {"bank_ref": DEPOSIT})
    assert response.status_code == 200, response.json
    assert response.json["done"] is True and response.json["message"].startswith(
        f"bank line {DEPOSIT}: unlinked payout-1000959334202602140000008216")
    assert books_snapshot(fava.merchant) == before


def test_the_pages_unlink_of_a_booked_line_is_refused_as_a_command_line_step(fava):
    """A blind tester's page unlink booked back a line `book` had booked: the page offers
    Unlink only on a finding whose bank line carries match links, and undoing a booking
    is a command-line step (README, "Resolving findings"): refused, said as reopen and
    carry are, nothing written; the command still does it."""
    from conftest import beanclear
    assert fava.post("book", {"bank_ref": AUDIT, "account": "Expenses:Hosting"}).json["done"] is True
    booked = books_snapshot(fava.merchant)
    response = fava.post("unlink", {"bank_ref": AUDIT})
    assert response.status_code == 409, response.json
    assert response.json == {"error": f"bank line {AUDIT} is booked to Expenses:Hosting, not linked: the page "
                                      "unlinks a match only; undo the booking on the command line (a command-line "
                                      f"step: `beanclear unlink {AUDIT}`); nothing was written"}
    assert books_snapshot(fava.merchant) == booked
    # a line the import booked (by a rule): nothing to undo, as the command says (200, done: false)
    response = fava.post("unlink", {"bank_ref": RENT})
    assert response.status_code == 200 and response.json["done"] is False, response.json
    assert response.json["message"] == f"bank line {RENT} is not linked or booked; nothing was written"
    # must not fire on the command line: it undoes the booking
    said = beanclear(fava.merchant, "unlink", AUDIT)
    assert said.exit_code == 0 and said.output.startswith(f"bank line {AUDIT}: booked back to Assets:Suspense")


def test_the_month_report_downloads_as_xlsx(fava):
    response = fava.client.get(f"/{fava.slug}/extension/Reconciliation/report?month=2026-01&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=reconciliation-2026-01.xlsx"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames
    bad = fava.client.get(f"/{fava.slug}/extension/Reconciliation/report?month=2026-1&format=xlsx")
    assert bad.status_code == 400


def test_no_proposal_left_is_not_nothing_to_match_while_lines_are_unexplained(fava):
    assert fava.post("accept", {"all_confident": True}).status_code == 200
    page = fava.page()
    assert rows(page, "bc-proposal") == []
    assert "No proposal for the 3 bank line(s) nothing explains yet: the queue above says why beside each." in page
    assert "nothing to match" not in page


def _severity_cell(page: str, code: str) -> str:
    """The severity cell of the findings table's row of `code`, its tags dropped."""
    row = re.search(rf'<tr class="bc-finding[^"]*" data-code="{code}"[^>]*>\s*<td class="bc-severity">(.*?)</td>',
                    page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split()) if row else ""


def test_a_followed_up_finding_is_following_up_on_the_page_as_check_says_and_counted_so(fava):
    """blind17 favaonly: the findings table said "acknowledged" for a follow-up and hid it,
    and the header had no following-up count (18 of 19 findings). The page says what
    check says (findings.standing) and counts as check counts (Report.following_up)."""
    response = fava.post("follow_up", {"code": "order-unpaid", "ref": "#1573", "owner": "bob", "due": "2026-04-30"})
    assert response.status_code == 200, response.json
    report = checking.check(fava.config())
    check_text = beanclear(fava.merchant, "check").output
    assert "following up (bob, due 2026-04-30) error" in check_text and "1 following up" in check_text
    page = fava.page()
    assert _severity_cell(page, "order-unpaid") == "error following up (bob, due 2026-04-30)"
    counts = [int(n) for n in re.findall(r'<span class="bc-count[^"]*">(\d+) ', page)[:4]]
    assert counts == [report.errors, report.warnings, report.acknowledged, report.following_up]
    assert sum(counts) == len(report.findings) and report.following_up == 1
    assert "acknowledged hidden" not in page   # nothing acknowledged: nothing hidden
    # must not fire: an acknowledged finding is still said and hidden as acknowledged
    finding = next(f for f in report.findings if f.code == "payout-mismatch")
    assert fava.post("acknowledge", {"code": "payout-mismatch", "ref": finding.refs[0],
                                     "reason": "bank fee"}).status_code == 200
    page = fava.page()
    assert ", 1 acknowledged hidden)" in page   # the toggle hides it, not the follow-up
    assert "payout-mismatch" not in [r["code"] for r in rows(page, "bc-finding")]
    assert _severity_cell(fava.page("?acknowledged=shown"), "payout-mismatch") == "error acknowledged"
    assert _severity_cell(page, "order-unpaid") == "error following up (bob, due 2026-04-30)"


def _close_menu(page: str) -> list[str]:
    found = re.search(r'<select name="month"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r"<option>([^<]*)</option>", found.group(1)) if found else []


def test_the_close_menu_offers_only_the_months_close_takes_and_a_refusal_names_the_month(fava, tmp_path):
    """blind17 favaonly: with 2026-01 closed the menu still offered 2026-01 (closed) and
    2025-12 (the opening balances' month, which close refuses now: a later month is
    closed); the refusal said `beanclear reopen MONTH`. README: an earlier month must be
    closed first only where it holds entries (a source's month file), so 2025-12 is not
    required and 2026-01 closes before it; the menu is periods/closing.closable."""
    import shutil
    page = fava.page()
    # must not fire: the opening balances' month may be closed while nothing after it is
    assert _close_menu(page) == ["2026-01", "2025-12"]
    assert re.findall(r"<option>(\d{4}-\d\d)</option>",
                      re.search(r'<select name="report-month"[^>]*>(.*?)</select>', page, re.S).group(1))[-1] == "2025-12"
    (fava.merchant / "books" / "periods.beancount").write_text(
        '2026-01-31 custom "beanclear-close" "2026-01"\n', encoding="utf-8")
    page = fava.page()
    assert _close_menu(page) == ["2026-02"]   # not 2026-01 (closed), nor 2025-12, nor 2026-03 (2026-02 open)
    assert "2026-01" in re.search(r'<select name="report-month"[^>]*>(.*?)</select>', page, re.S).group(1)
    cli = tmp_path / "cli"
    shutil.copytree(fava.merchant, cli)
    refused = beanclear(cli, "close", "2025-12")
    assert refused.exit_code == 2
    response = fava.post("close", {"month": "2025-12"})
    assert response.status_code == 409
    assert on_the_page(refused.output.strip().splitlines()[-1]) == f"beanclear: {response.json['error']}"
    assert ('reopen 2026-01 (a command-line step: `beanclear reopen 2026-01 --reason "…"`), then close 2025-12 '
            "and 2026-01") in response.json["error"] and "MONTH" not in response.json["error"]
    assert beanclear(cli, "close", "2026-03").exit_code == 2 and "2026-02 still open" in \
        beanclear(cli, "close", "2026-03").output


def test_a_refusal_naming_several_closed_months_names_each_on_the_page():
    said = ('2025-12: 2026-01 and 2026-02 are closed already (periods.beancount:1) and months close in order; '
            'beanclear reopen 2026-01 --reason "…" and beanclear reopen 2026-02 --reason "…", then close 2025-12 '
            'and 2026-01 and 2026-02')
    assert on_the_page(said).endswith(
        'reopen 2026-01 (a command-line step: `beanclear reopen 2026-01 --reason "…"`) and reopen 2026-02 '
        '(a command-line step: `beanclear reopen 2026-02 --reason "…"`), then close 2025-12 and 2026-01 and 2026-02')
