"""The page's actions on books carried forward (`fava books/since-2026-03.beancount`,
periods/carried_edits.py): an action on an entry of the lookback, which the carried file
prints, is written into the entry's month file as `match --since --apply` writes it
(the carried file untouched, and stale until carried again, which the result says);
an entry no month file holds as carried is refused, naming the carried file and line;
actions on the month's own entries write what they wrote before."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import beanclear, snapshot
from fava_util import changes
from test_fava_page import Fava, fava_application, rows
from test_report_since import _line, hand  # noqa: F401  (the fixture: items in and before the lookback)

from beanclear import books
from beanclear.config import load as load_config
from beanclear.periods import past
from beanclear.resolve import on_the_page

EXTENSION = '2000-01-01 custom "fava-extension" "beanclear.fava_page" "../config.yaml"\n'
CARRIED = "since-2026-03.beancount"
BILL = '2026-02-25 * "阿里云计算有限公司" "ALIYUN 2026-02"'
# (as the page says it, resolve.on_the_page: carry is a command-line step)
STALE = (f"{CARRIED} shows it as carried (and says it is stale) until `beanclear carry 2026-03` runs again "
         "(a command-line step)")
# a bank line of the lookback nothing explains (its finding is before March: not listed, still actionable)
LOOKBACK_LINE = ('\n2026-02-20 * "某某网络" "域名续费"\n  id: "B0"\n  Assets:Bank:Ops  -50.00 CNY\n'
                 "  Assets:Suspense  50.00 CNY\n")


class CarriedFava(Fava):
    """Fava over the books carried forward to March, as `fava books/since-2026-03.beancount`."""

    def __init__(self, merchant: Path):
        self.merchant = merchant
        app = fava_application.create_app([merchant / "books" / CARRIED], load=True)
        app.testing = True
        self.app, self.client = app, app.test_client()
        self.slug = self.client.get("/").headers["Location"].split("/")[1]

    def notice(self, path: Path) -> None:
        """What Fava's file watcher does when `carry` rewrites the ledger, at once (its
        thread notices a change some time later)."""
        self.app.config["LEDGERS"][self.slug].watcher.notify(path)


@pytest.fixture
def merchant(hand):
    """The hand merchant with the page declared and a bank line in the lookback, carried to March."""
    main = hand / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + EXTENSION, encoding="utf-8")
    february = hand / "books" / "ops" / "2026" / "2026-02.beancount"
    february.write_text(february.read_text(encoding="utf-8") + LOOKBACK_LINE, encoding="utf-8")
    result = beanclear(hand, "carry", "2026-03")
    assert result.exit_code == 0, result.output
    return hand


@pytest.fixture
def fava(merchant):
    return CarriedFava(merchant)


def _written(fava, endpoint: str, body: dict):
    """Post an action; (its result, the books' changes). The carried file must be untouched."""
    before = snapshot(fava.merchant / "books")
    response = fava.post(endpoint, body)
    after = snapshot(fava.merchant / "books")
    assert after[CARRIED] == before[CARRIED]
    return response, changes(before, after)


def test_a_link_to_a_bill_of_the_lookback_is_written_into_its_month_file(fava):
    """Today's refusal ("written by `beanclear carry`") becomes the edit `match --since
    --apply` makes: the bill's link in February's file, the bank line in March's."""
    response, changed = _written(fava, "link", {"bank_ref": "B3", "items": ["bill-ALIYUN-2602"]})
    assert response.status_code == 200, response.json
    assert changed == {
        "ops/2026/2026-02.beancount": ([BILL], [BILL + " ^bill-ALIYUN-2602", '  match-link: "bill-ALIYUN-2602"']),
        "ops/2026/2026-03.beancount": (['2026-03-04 * "阿里云计算有限公司" "ALIYUN 2026-02"',
                                        "  Assets:Suspense  312.00 CNY"],
                                       ['2026-03-04 * "阿里云计算有限公司" "ALIYUN 2026-02" ^bill-ALIYUN-2602',
                                        "  Liabilities:Payable:Aliyun  312.00 CNY"])}
    assert response.json["message"] == ("bank line B3 (-312.00 CNY) linked to bill-ALIYUN-2602; written into "
                                         f"ops/2026/2026-02.beancount, before 2026-03: {STALE}")
    assert sorted(response.json["written"]) == ["books/ops/2026/2026-02.beancount", "books/ops/2026/2026-03.beancount"]
    # as after `match --since --apply`: the plugins say the carried books are stale
    _, errors, _ = books.load(fava.merchant / "books" / CARRIED)
    assert [e.message for e in errors if e.message.startswith("beanclear: ")] == [
        "beanclear: the month files before 2026-03 changed since they were carried forward: run "
        "`beanclear carry 2026-03` again"]


def test_accepting_a_proposal_writes_what_match_since_apply_writes_for_it(fava, merchant, tmp_path):
    cli = tmp_path / "cli"
    shutil.copytree(merchant, cli)
    response, changed = _written(fava, "accept", {"bank_refs": ["B3"], "target": "bill-ALIYUN-2602"})
    assert response.status_code == 200, response.json
    assert response.json["message"] == f"accepted 1 proposal(s); written into ops/2026/2026-02.beancount, " \
                                       f"before 2026-03: {STALE}"
    before = snapshot(cli / "books")
    assert beanclear(cli, "match", "--since", "2026-03", "--apply").exit_code == 0
    by_cli = changes(before, snapshot(cli / "books"))
    # the command applies B1 (its payout keeps its link) and B4 too: all confident (below)
    assert changed["ops/2026/2026-02.beancount"] == by_cli["ops/2026/2026-02.beancount"]
    assert set(changed["ops/2026/2026-03.beancount"][1]) < set(by_cli["ops/2026/2026-03.beancount"][1])


def test_booking_a_bank_line_of_the_lookback_edits_its_lines_in_the_month_file(fava):
    """Both edits of a booking (the first line's payee, the counter posting) find their
    lines in the month file, which the carried file printed elsewhere and reformatted."""
    response, changed = _written(fava, "book", {"bank_ref": "B0", "account": "Expenses:Cloud", "payee": "Domains"})
    assert response.status_code == 200, response.json
    assert changed == {"ops/2026/2026-02.beancount": (
        ['2026-02-20 * "某某网络" "域名续费"', "  Assets:Suspense  50.00 CNY"],
        ['2026-02-20 * "Domains" "域名续费"', '  statement-text: "某某网络 域名续费"', '  statement-payee: "某某网络"',
         "  Expenses:Cloud   50.00 CNY"])}
    assert response.json["message"].endswith(STALE)
    # until carried again the page shows B0 as carried, in Suspense: there is nothing to undo
    response, changed = _written(fava, "unlink", {"bank_ref": "B0"})
    assert response.status_code == 200 and response.json["done"] is False and changed == {}   # as the command says it
    assert response.json["message"] == "bank line B0 is not linked or booked; nothing was written"
    # carried again (Fava reloads the ledger it watches), B0 shows booked: undoing a booking
    # is a command-line step (README, "Resolving findings"), and the command gives
    # February's file back
    assert beanclear(fava.merchant, "carry", "2026-03").exit_code == 0
    fava.notice(fava.merchant / "books" / CARRIED)
    response, changed = _written(fava, "unlink", {"bank_ref": "B0"})
    assert response.status_code == 409 and changed == {}, response.json
    assert response.json["error"].endswith("(a command-line step: `beanclear unlink B0`); nothing was written")
    before = snapshot(fava.merchant / "books")
    assert beanclear(fava.merchant, "unlink", "B0").exit_code == 0
    assert changes(before, snapshot(fava.merchant / "books")) == {"ops/2026/2026-02.beancount": (
        ['2026-02-20 * "Domains" "域名续费"', '  statement-text: "某某网络 域名续费"', '  statement-payee: "某某网络"',
         "  Expenses:Cloud   50.00 CNY"],
        ['2026-02-20 * "某某网络" "域名续费"', "  Assets:Suspense  50.00 CNY"])}


def test_an_entry_changed_since_carried_is_refused_with_the_carried_file_and_line(fava):
    february = fava.merchant / "books" / "ops" / "2026" / "2026-02.beancount"
    february.write_text(february.read_text(encoding="utf-8").replace("ALIYUN 2026-02", "ALIYUN Feb"), encoding="utf-8")
    carried = fava.merchant / "books" / CARRIED
    line = carried.read_text(encoding="utf-8").splitlines().index(BILL) + 1
    response, changed = _written(fava, "link", {"bank_ref": "B3", "items": ["bill-ALIYUN-2602"]})
    assert response.status_code == 409 and changed == {}
    assert response.json["error"] == (f"{carried.resolve()}:{line}: the entry of 2026-02-25 is in no month file as "
                                      "carried; run `beanclear carry 2026-03` on the command line again")


def test_balances_carried_forward_are_refused_as_in_no_month_file(merchant):
    config = load_config(merchant / "config.yaml")
    entries, _, options = books.load(config.books / CARRIED)
    carried = past.carried(entries)
    summed = [e for e in entries if past.summed(e)][-1]   # the lookback's (one before December's payout too)
    with pytest.raises(LookupError, match=rf"{CARRIED}:\d+: balances carried forward to 2026-01-18, in no month "
                                          r"file: edit the entries they sum"):
        past.copies(config.books, carried, [summed], options)


def test_actions_on_the_months_own_entries_write_as_before(fava):
    """B4 is in March's file, which the carried books include as it is: the same diff
    and message as on the whole books, nothing about carrying."""
    response, changed = _written(fava, "book", {"bank_ref": "B4", "account": "Expenses:Rent"})
    assert response.status_code == 200, response.json
    assert changed == {"ops/2026/2026-03.beancount": (["  Assets:Suspense  8000.00 CNY"],
                                                      ["  Expenses:Rent    8000.00 CNY"])}
    assert response.json["message"] == "bank line B4 (-8,000.00 CNY) booked to Expenses:Rent"
    # undoing the booking is refused as on the whole books: a command-line step
    response, changed = _written(fava, "unlink", {"bank_ref": "B4"})
    assert response.status_code == 409 and changed == {}, response.json
    assert response.json["error"] == ("bank line B4 is booked to Expenses:Rent, not linked: the page unlinks a match "
                                      "only; undo the booking on the command line (a command-line step: "
                                      "`beanclear unlink B4`); nothing was written")


# -- match proposals on carried books: those of `match --since` ---------------------------------

def _cli_proposals(root: Path, *args) -> list[dict]:
    result = beanclear(root, "match", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["proposals"]


def _shown(page: str) -> list[dict]:
    """The proposals the page lists, as the accept and reject buttons name them."""
    return [json.loads(r["key"]) for r in rows(page, "bc-proposal")]


def _keys(proposals: list[dict]) -> list[dict]:
    """Proposal.target, from the JSON: the items' links, else the account."""
    return [{"bank_refs": p["bank_refs"], "target": " ".join(p["links"]) or p["account"]} for p in proposals]


def _same(listed: list[dict], keys: list[dict]) -> bool:
    """The same proposals, whatever their order."""
    return sorted(listed, key=json.dumps) == sorted(keys, key=json.dumps) and len(listed) == len(keys)


def test_the_pages_proposals_on_carried_books_are_match_sinces(fava, merchant):
    """The matcher reads back the bank lines before the lookback, as `match --since` does:
    B4's history proposal (rent booked in November and December) is on the page; only
    the month's lines are proposed for (not B0, a line of the lookback)."""
    page = fava.page()
    since = _cli_proposals(merchant, "--since", "2026-03")
    # (B2 too: December's payout, still in transit, is carried entry by entry: forward._InTransit)
    assert sorted(p["bank_refs"][0] for p in since) == ["B1", "B2", "B3", "B4"]
    assert _same(_shown(page), _keys(since))   # (the page lists the newest first)
    [b4] = [p for p in since if p["bank_refs"] == ["B4"]]
    assert (b4["stage"], b4["confident"], b4["account"]) == ("history", True, "Expenses:Rent")
    assert html.escape(b4["reasons"][0], quote=False) in page
    assert "4 match proposals" in page and "Accept all 4 confident" in page
    # the whole books' page (`fava books/main.beancount`) keeps `match`'s: the same
    whole = _cli_proposals(merchant)
    assert _same(_shown(Fava(merchant).page()), _keys(whole)) and _same(_keys(whole), _keys(since))
    assert [p["stage"] for p in whole if p["bank_refs"] == ["B2"]] == ["exact"]


def test_the_queue_says_why_a_line_of_the_month_has_no_proposal_as_match_since_does(fava, merchant):
    """B5, a credit of March nothing open answers: the queue gives `match --since`'s reasons."""
    march = merchant / "books" / "ops" / "2026" / "2026-03.beancount"
    march.write_text(march.read_text(encoding="utf-8") + _line("2026-03-06", "99.99", "B5", "某人", "转账"),
                     encoding="utf-8")
    fava.notice(march)
    result = beanclear(merchant, "match", "--since", "2026-03", "--format", "json")
    [left] = json.loads(result.output)["unproposed"]
    assert left["bank_ref"] == "B5"
    [row] = [r for r in rows(fava.page(), "bc-await") if r["bank"] == "B5"]
    assert row["group"] == "bank"
    page = fava.page()
    why = page[page.index('data-bank="B5"'):]
    why = why[:why.index("</tr>")]
    assert [html.unescape(w) for w in re.findall(r"<div>· (.*?)</div>", why)] == \
        [on_the_page(w) for w in left["reasons"]]   # in the page's words ("remember as a rule" for --rule)


def test_accepting_all_confident_on_carried_books_writes_what_match_since_apply_writes(fava, merchant, tmp_path):
    cli = tmp_path / "cli"
    shutil.copytree(merchant, cli)
    response, changed = _written(fava, "accept", {"all_confident": True})
    assert response.status_code == 200, response.json
    assert response.json["message"] == (f"accepted 4 proposal(s); written into ops/2026/2026-02.beancount, "
                                        f"before 2026-03: {STALE}")
    before = snapshot(cli / "books")
    result = beanclear(cli, "match", "--since", "2026-03", "--apply")
    assert result.exit_code == 0 and "applied 4 confident proposals" in result.output
    assert changed == changes(before, snapshot(cli / "books"))
    # B0 (a line of the lookback) is left as it was: `match --since` leaves it to `match`
    assert "B0" not in str(changed)
    # reloaded, nothing confident is left to accept
    fava.notice(fava.merchant / "books" / "ops" / "2026" / "2026-03.beancount")
    assert _shown(fava.page()) == []
    # accepted again (a double click), as `match --since --apply` twice: nothing written, said so
    response, changed = _written(fava, "accept", {"all_confident": True})
    assert response.status_code == 200 and changed == {}, response.json
    assert response.json == {"done": False, "message": "accepted 0 proposal(s)", "written": []}
    result = beanclear(cli, "match", "--since", "2026-03", "--apply")
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == \
        "applied 0 confident proposals; 0 files changed"


def test_the_first_acknowledgment_on_carried_books_is_in_them_at_once(fava):
    """The page's first ack writes acks.beancount and its include in main.beancount; the
    carried ledger takes main's new line in the same write (forward.follow), so the page
    Fava reloads shows the finding acknowledged (blind21: a first write-off's include never
    reached the carried books, which listed what it wrote off as open)."""
    before = snapshot(fava.merchant / "books")
    response = fava.post("acknowledge", {"code": "bank-unmatched", "ref": "B4", "reason": "rent"})
    assert response.status_code == 200, response.json
    changed = changes(before, snapshot(fava.merchant / "books"))
    assert changed["main.beancount"][1] == ['include "acks.beancount"']
    assert changed[CARRIED][1] == ['include "acks.beancount"']   # main's own lines, as carry copies them
    fava.notice(fava.merchant / "books" / CARRIED)
    entries, errors, _ = books.load(fava.merchant / "books" / CARRIED)
    assert not [e for e in errors if "carry" in e.message]
    assert any(getattr(e, "type", None) == "beanclear-ack" for e in entries)
