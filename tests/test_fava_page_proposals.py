"""The page's match proposals and its Match by hand, on the demo merchant through Fava's
test client: the proposals of open months first, the newest first, those of closed months
after them and said so; the findings' filters narrow them too, and the page says how many
it leaves out; each unexplained bank line's Match by hand lists the open items that line
may settle (OpenItem.may_settle: what `beanclear link` takes), nearest amount first.

A blind accountant (blind10 repro-03) saw the first 100 of 175 proposals, oldest first,
59 of them in a closed January; the April proposal they needed was not among them, the
filters did not reach it, and a bank line's Match by hand offered every open item of its
currency (a payout of another amount, orders a credit cannot be), not what it could be."""

from __future__ import annotations

import json
import re

import pytest

from beanclear import matching
from beanclear.fava_page import review
from fava_util import books_snapshot, copy_of
from test_fava_page import Fava, rows

DEPOSIT = "20260309000071"    # the demo's 8,000.00 CNY credit nobody explains
AUDIT = "20260316000080"      # its 312.00 CNY debit to 阿里云 nothing explains
SHORT = "20260106000006"      # the credit 0.50 short of its WeChat payout: the check pairs them
MISSING = "payout-1000959334202602140000008216"   # 9,443.20 CNY, in transit since 02-14


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


@pytest.fixture(scope="module")
def january_closed(demo, tmp_path_factory):
    """One Fava over the demo with January closed, for the tests that only read."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BEANCLEAR_TODAY", "2026-04-02")
        merchant = copy_of(demo, tmp_path_factory.mktemp("closed") / "merchant")
        (merchant / "books" / "periods.beancount").write_text('2026-04-01 custom "beanclear-close" "2026-01"\n',
                                                               encoding="utf-8")
        fava = Fava(merchant)
        fava.made = matching.match(fava.entries(), fava.config())
        before = books_snapshot(merchant)
        yield fava
        assert books_snapshot(merchant) == before


def shown(fava, page: str) -> list:
    """The proposals the page lists, in its order, as the matcher made them."""
    made = {json.dumps(review.proposal_key(p)): p for p in fava.made}
    return [made[json.dumps(json.loads(r["key"]))] for r in rows(page, "bc-proposal")]


def newest(p):
    return max(line.date for line in p.lines)


def closed(p) -> bool:
    return any(f"{line.date:%Y-%m}" == "2026-01" for line in p.lines)


def test_the_proposals_of_open_months_come_first_the_newest_first(january_closed):
    fava = january_closed
    page = fava.page()
    listed = shown(fava, page)
    assert len(fava.made) > review.QUEUE_SHOWN and len(listed) == review.QUEUE_SHOWN
    # the newest proposal leads (it was the 172nd of 172, never shown), then the older ones
    assert listed[0] is max(fava.made, key=newest)
    assert [newest(p) for p in listed] == sorted((newest(p) for p in listed), reverse=True)
    assert not any(closed(p) for p in listed)   # January's come after every open month's
    shut = sum(closed(p) for p in fava.made)
    assert f"Showing the first {review.QUEUE_SHOWN} of {len(fava.made)} proposals" in page
    assert f"{shut} in closed months, listed last, not offered" in page


def test_the_proposals_of_a_closed_month_are_listed_after_the_others_and_not_offered(january_closed):
    """Narrowed to fewer than the page lists, every proposal shows: January's last."""
    fava = january_closed
    page = fava.page("?from=2026-01-20&to=2026-02-10")
    listed = shown(fava, page)
    kept = [p for p in fava.made if any(dt_in(line.date, "2026-01-20", "2026-02-10") for line in p.lines)]
    assert sorted(map(id, listed)) == sorted(map(id, kept)) and len(kept) < review.QUEUE_SHOWN
    flags = [closed(p) for p in listed]
    assert any(flags) and not all(flags) and flags == sorted(flags)
    actions = re.findall(r'<tr class="bc-proposal".*?<td class="bc-actions">(.*?)</td>', page, re.S)
    assert ["its month is closed" in a for a in actions] == flags
    assert all('data-action="accept"' in a for a, f in zip(actions, flags) if not f)


def dt_in(day, start: str, end: str) -> bool:
    return start <= day.isoformat() <= end


@pytest.mark.parametrize("query, source, start, end", [
    ("?from=2026-03-01", None, "2026-03-01", None),
    ("?source=icbc&from=2026-02-01&to=2026-02-28", "icbc", "2026-02-01", "2026-02-28"),
    ("?source=stripe", "stripe", None, None),
    ("?source=hsbc&to=2026-01-31", "hsbc", None, "2026-01-31"),
])
def test_the_findings_filters_narrow_the_proposals(january_closed, query, source, start, end):
    fava = january_closed
    accounts = fava.config().source_accounts()

    def keep(p):
        touched = {line.bank_account for line in p.lines} | {i.account for i in p.items} | {p.account}
        return ((source is None or touched & accounts[source])
                and any(dt_in(line.date, start or "0000", end or "9999") for line in p.lines))
    kept = [p for p in fava.made if keep(p)]
    page = fava.page(query)
    listed = shown(fava, page)
    assert kept and len(kept) < len(fava.made)
    assert all(keep(p) for p in listed) and len(listed) == min(len(kept), review.QUEUE_SHOWN)
    assert f"{len(kept)} of {len(fava.made)} kept by the filters" in page
    if len(kept) > review.QUEUE_SHOWN:
        assert f"Showing the first {review.QUEUE_SHOWN} of {len(kept)} proposals" in page


def test_without_filters_or_closed_months_every_proposal_is_listed_as_before(demo, tmp_path, monkeypatch):
    """Must not fire: with no month closed, every proposal of an open month is listed and
    offered (Accept); no filter line is said."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    fava = Fava(copy_of(demo, tmp_path / "merchant"))
    fava.made = matching.match(fava.entries(), fava.config())
    page = fava.page("?from=2026-03-20")
    listed = shown(fava, page)
    assert listed and all(newest(p).isoformat() >= "2026-03-20" for p in listed)
    assert page.count('data-action="accept"') == len(listed) and "its month is closed" not in page
    assert "in closed months" not in page
    assert "kept by the filters" not in fava.page() and "in closed months" not in fava.page()


# -- Match by hand ---------------------------------------------------------------------------

def hand_items(page: str, bank_ref: str) -> list[str]:
    row = re.search(rf'<tr class="bc-await[^"]*"[^>]*data-bank="{bank_ref}"[^>]*>.*?</tr>', page, re.S)
    assert row, bank_ref
    return re.findall(r'<input type="checkbox" name="item" value="([^"]+)"', row.group(0))


def test_match_by_hand_lists_what_the_line_may_settle_nearest_amount_first(january_closed):
    fava = january_closed
    page = fava.page()
    # the 8,000.00 CNY credit of 03-09: the payouts in transit and the orders due of CNY,
    # money in, the nearest amount first; not the refunds owed (money out), nor a USD
    # payout, nor the payout of 03-12 (made after the line: blind round 15)
    assert hand_items(page, DEPOSIT) == [MISSING, "order-1573", "order-3012"]
    # the -312.00 CNY debit: what is owed out (the refunds the shop owes), nearest first
    assert hand_items(page, AUDIT) == ["order-2505", "order-4073", "order-3460"]


def test_a_line_the_clearing_check_pairs_gets_no_match_by_hand(january_closed):
    """Must not fire: a credit the check pairs with its payout (0.50 short: a write-off)
    offers no Link, and a line it pairs exactly has no row at all; no line's Match by hand
    offers a payout the check pairs with another credit."""
    fava = january_closed
    page = fava.page()
    short = re.search(rf'<tr class="bc-await[^"]*"[^>]*data-bank="{SHORT}"[^>]*>.*?</tr>', page, re.S).group(0)
    assert 'data-act="link"' not in short and 'data-action="write-off"' in short
    paired = [p.lines[0].ref for p in fava.made if p.items and p.items[0].paired]
    assert paired and not any(f'data-bank="{ref}"' in page for ref in paired)
    offered = set(re.findall(r'<input type="checkbox" name="item" value="([^"]+)"', page))
    assert not offered & {i.link for p in fava.made for i in p.items if i.paired}


def test_link_refuses_an_item_of_the_other_direction_as_the_list_leaves_it_out(demo, tmp_path, monkeypatch):
    """One rule for both doors: `beanclear link` and the page refuse what Match by hand
    does not list (a credit for a refund the shop owes), naming both; nothing written."""
    from conftest import beanclear
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    merchant = copy_of(demo, tmp_path / "merchant")
    before = books_snapshot(merchant)
    said = beanclear(merchant, "link", DEPOSIT, "order-2505")
    assert said.exit_code == 2, said.output
    assert ("order-2505 (-156.00 CNY) is money out, bank line 20260309000071 (8,000.00 CNY) money in"
            in said.output), said.output
    response = Fava(merchant).post("link", {"bank_ref": DEPOSIT, "items": ["order-2505"]})
    assert response.status_code == 409 and "is money out" in response.json["error"]
    assert books_snapshot(merchant) == before
    # must not fire: an item of its direction is linked, as before
    assert beanclear(merchant, "link", DEPOSIT, MISSING).exit_code == 0


def test_a_bank_line_being_followed_up_still_offers_match_by_hand(demo, tmp_path, monkeypatch):
    """An unexplained line given an owner stays unexplained: its row among those being
    followed up offers Match by hand and Book beside Done, as in the bank group."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    fava = Fava(copy_of(demo, tmp_path / "merchant"))
    response = fava.post("follow_up", {"code": "bank-unmatched", "ref": DEPOSIT, "owner": "alice",
                                       "due": "2026-04-16", "note": "ask the customer"})
    assert response.status_code == 200, response.json
    page = fava.page()
    [row] = [r for r in rows(page, "bc-await") if r["bank"] == DEPOSIT]
    assert (row["group"], row["suggested"]) == ("following", "done")
    assert hand_items(page, DEPOSIT)[0] == MISSING
    assert fava.post("link", {"bank_ref": DEPOSIT, "items": [MISSING]}).json["done"] is True


def test_open_items_for_a_line_lists_what_its_match_by_hand_lists(january_closed):
    """One rule, both doors: `beanclear open-items --for BANK_REF` is the line's Match by
    hand; a line explained already is refused (exit 2), as `link` refuses it."""
    from conftest import beanclear
    fava = january_closed
    page = fava.page()
    for ref in (DEPOSIT, AUDIT):
        said = beanclear(fava.merchant, "open-items", "--for", ref, "--format", "json")
        assert said.exit_code == 0, said.output
        assert [i["link"] for i in json.loads(said.output)["items"]] == hand_items(page, ref)
    said = beanclear(fava.merchant, "open-items", "--for", "20260301000063")   # the rent, booked by a rule
    assert said.exit_code == 2 and "is explained already (booked to Expenses:Rent)" in said.output
