"""`beanclear match --since YYYY-MM`: from the books carried forward to a month
(periods/forward.py, matching/since.py), the proposals for the bank lines from then on
are the whole books' proposals; an item of the lookback is matched, an older one is not
offered (and the line says so); an apply writes the month files, never the carried
ledger, and leaves it stale when it edits a month before its start. Simulated merchants
nobody designed: their reports and proposals from each of their months."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import beanclear, snapshot
from test_report_since import _months, _start, hand, reports  # noqa: F401  (hand: a fixture)

from beanclear import books, cli, matching
from beanclear.books import edits
from beanclear.config import load as load_config
from beanclear.periods import forward


def proposals(root: Path):
    """The whole books' proposals: `of(month)` those with a line from that month on, as
    `match --format json` prints them."""
    config = load_config(root / "config.yaml")
    entries, _, _ = books.load(config.books / "main.beancount")
    found = [(max(line.date for line in p.lines), p.to_json()) for p in matching.match(entries, config)]
    return lambda month: [p for last, p in found if last >= _start(month)]


def matched(root: Path, *args) -> dict:
    result = beanclear(root, "match", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


def test_match_since_proposes_for_the_months_lines_what_the_whole_books_do(demo):
    got = matched(demo, "--since", "2026-03")
    assert got["proposals"] and got["proposals"] == proposals(demo)("2026-03")
    whole = matched(demo)
    assert [u["bank_ref"] for u in got["unproposed"]] == [u["bank_ref"] for u in whole["unproposed"]
                                                          if u["date"] >= "2026-03-01"]


def test_match_since_applies_what_the_whole_books_apply_for_the_months_lines(demo_copy):
    """The exact diff: `match --since 2026-03 --apply` writes what the whole books'
    proposals for the lines from March on write, and `match --apply` the rest too."""
    since, by_hand, whole = demo_copy(), demo_copy(), demo_copy()
    original = snapshot(whole / "books")
    result = beanclear(since, "match", "--since", "2026-03", "--apply")
    assert result.exit_code == 0, result.output
    carried = since / "books" / "since-2026-03.beancount"
    config = load_config(by_hand / "config.yaml")
    entries, _, _ = books.load(config.books / "main.beancount")
    chosen = [p for p in matching.match(entries, config) if p.confident and any(
        line.date >= dt.date(2026, 3, 1) for line in p.lines)]
    edits.apply(config.books, [e for p in chosen for e in matching.edits_for(p, config)])
    assert beanclear(whole, "match", "--apply").exit_code == 0
    after = snapshot(since / "books")
    assert {k: v for k, v in after.items() if k != carried.name} == snapshot(by_hand / "books")
    changed = {k for k, v in after.items() if original.get(k) != v} - {carried.name}
    assert changed and changed < {k for k, v in snapshot(whole / "books").items() if original[k] != v}
    assert f"applied {len(chosen)} confident proposals; {len(changed)} files changed" in result.output
    # applying again: nothing left to write
    again = beanclear(since, "match", "--since", "2026-03", "--apply")
    assert again.exit_code == 0 and "applied 0 confident proposals; 0 files changed" in again.output
    assert snapshot(since / "books") == after


def _by_line(found: dict) -> dict:
    return {p["bank_refs"][0]: (p["stage"], p["confident"], p["account"], p["links"], p["reasons"])
            for p in found["proposals"]}


def test_an_item_of_the_lookback_is_matched_a_payout_still_in_transit_whatever_its_age(hand):
    """B1's payout (Feb 27) and B3's bill (Feb 25) are in the lookback: proposed as by the
    whole books; B4's evidence (rent booked in November and December) is read back from
    the month files. B2 names a payout of December 10, before the lookback but still in
    transit when it starts: the ledger holds it entry by entry (forward.py _InTransit),
    and it is proposed as the whole books propose it (exact: its id is in the text)."""
    whole, since = matched(hand), matched(hand, "--since", "2026-03")
    assert forward.lookback(load_config(hand / "config.yaml")) == 42   # the lookback starts on 2026-01-18
    assert set(_by_line(whole)) == {"B1", "B2", "B3", "B4"}
    assert _by_line(since) == _by_line(whole)
    assert _by_line(since)["B4"][:3] == ("history", True, "Expenses:Rent") and "R11, R12" in _by_line(since)["B4"][4][0]
    assert _by_line(whole)["B2"][:2] == ("exact", True)
    assert not since["unproposed"]


def _changed(before: dict, after: dict) -> dict[str, list[tuple[str, str]]]:
    """The lines changed in each file, and `booked-from` and `match-link` lines added as
    (None, line)."""
    out = {}
    for name in sorted(after):
        old, new = before.get(name, b"").decode().splitlines(), after[name].decode().splitlines()
        added = [(None, line) for line in new
                 if line.startswith(("  booked-from: ", "  match-link: ")) and line not in old]
        new = [line for line in new if (None, line) not in added]
        if added:
            out[name] = added
        if old != new:
            assert len(old) == len(new), name
            out[name] = out.get(name, []) + [(a, b) for a, b in zip(old, new) if a != b]
    return out


def test_apply_since_writes_the_month_files_never_the_carried_ledger(hand, tmp_path):
    whole = tmp_path / "whole"
    shutil.copytree(hand, whole)
    assert beanclear(whole, "match", "--apply").exit_code == 0
    assert beanclear(hand, "carry", "2026-03").exit_code == 0
    carried = hand / "books" / "since-2026-03.beancount"
    before, ledger = snapshot(hand / "books"), carried.read_text(encoding="utf-8")
    result = beanclear(hand, "match", "--since", "2026-03", "--apply")
    assert result.exit_code == 0, result.output
    assert "applied 4 confident proposals; 2 files changed" in result.output
    assert carried.read_text(encoding="utf-8") == ledger   # never written by the apply
    since = _changed(before, snapshot(hand / "books"))
    assert since == {
        "ops/2026/2026-02.beancount": [(None, '  match-link: "bill-ALIYUN-2602"'),   # (for unlink to take off)
                                       ('2026-02-25 * "阿里云计算有限公司" "ALIYUN 2026-02"',
                                        '2026-02-25 * "阿里云计算有限公司" "ALIYUN 2026-02" ^bill-ALIYUN-2602')],
        "ops/2026/2026-03.beancount": [
            (None, '  booked-from: "Assets:Suspense"'),   # its text names WeChat, yet it sat in suspense
            (None, '  booked-from: "Assets:Suspense"'),
            ('2026-03-02 * "财付通" "提现 100200400"', '2026-03-02 * "财付通" "提现 100200400" ^payout-100200400'),
            ("  Assets:Suspense  -777.77 CNY", "  Assets:Transit:WeChat  -777.77 CNY"),
            # B2 matched to December's payout, before the lookback but still in transit when
            # it starts: carried entry by entry (forward._InTransit), as the whole books match it
            ('2026-03-03 * "财付通" "提现 100200300"', '2026-03-03 * "财付通" "提现 100200300" ^payout-100200300'),
            ("  Assets:Suspense  -512.34 CNY", "  Assets:Transit:WeChat  -512.34 CNY"),
            ('2026-03-04 * "阿里云计算有限公司" "ALIYUN 2026-02"',
             '2026-03-04 * "阿里云计算有限公司" "ALIYUN 2026-02" ^bill-ALIYUN-2602'),
            ("  Assets:Suspense  312.00 CNY", "  Liabilities:Payable:Aliyun  312.00 CNY"),
            ("  Assets:Suspense  8000.00 CNY", "  Expenses:Rent    8000.00 CNY")]}
    # the whole books' apply: the same
    assert _changed(before, snapshot(whole / "books")) == since


def test_after_an_apply_into_the_lookback_the_carried_books_are_stale_until_carried_again(hand):
    assert beanclear(hand, "match", "--since", "2026-03", "--apply").exit_code == 0
    carried = hand / "books" / "since-2026-03.beancount"
    _, errors, _ = books.load(carried)
    assert [e.message for e in errors if e.message.startswith("beanclear: ")] == [
        "beanclear: the month files before 2026-03 changed since they were carried forward: run "
        "`beanclear carry 2026-03` again"]
    again = beanclear(hand, "match", "--since", "2026-03", "--apply")   # carries again, then finds nothing to do
    assert again.exit_code == 0 and "applied 0 confident proposals; 0 files changed" in again.output
    assert "^bill-ALIYUN-2602" in carried.read_text(encoding="utf-8")
    _, errors, _ = books.load(carried)
    assert not [e for e in errors if e.message.startswith("beanclear: ")]


def test_match_since_a_bad_month_is_exit_2_and_nothing_written(hand):
    before = snapshot(hand / "books")
    result = beanclear(hand, "match", "--since", "2026-3", "--apply")
    assert result.exit_code == 2 and "expected YYYY-MM" in result.output and "Traceback" not in result.output
    assert snapshot(hand / "books") == before


# -- simulated merchants nobody designed ------------------------------------------------------

def _simulated(seed: int, root: Path) -> Path:
    from beanclear.simulation import config as config_mod
    from beanclear.simulation.shape import draw
    from beanclear.simulation.truth import build
    from beanclear.simulation.writers import write_all
    shape = draw(seed, "big")
    shape.days = 120
    root.mkdir(parents=True)
    config_mod.write(shape, root / "config.yaml")
    write_all(build(shape, False), root / "statements")
    result = CliRunner().invoke(cli.main, ["import", "-c", str(root / "config.yaml"), str(root / "statements")])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("seed", [4242])   # (777, a US merchant, ran too until session 37: the suite's ten minutes)
def test_simulated_merchants_reports_and_proposals_from_their_months(seed, tmp_path, monkeypatch):
    """Every month of a 120-day merchant drawn from a seed, from the books carried forward
    to it and to the month before: the reports (a USD bank states its balance once a
    statement: its lines are read back to it) and the proposals of the whole books."""
    # 120 days from 777's start (2026-10-17) run past the real today: a statement holds
    # only days that have passed (a row after today is refused), so today is after them
    monkeypatch.setenv("BEANCLEAR_TODAY", "2027-06-30")
    root = _simulated(seed, tmp_path / "m")
    months = _months(root)
    whole, of_month = reports(root, None, months[1:]), proposals(root)
    read_back = 0
    for since in months[1:]:
        periods = [m for m in months if m >= since][:2]
        assert reports(root, since, periods) == {p: whole[p] for p in periods}, since
        read_back += sum(b["statement_date"] is None or b["statement_date"] < f"{since}-01"
                         for b in json.loads(whole[since][0])["banks"])
        assert matched(root, "--since", since)["proposals"] == of_month(since), since
    # a statement older than the carried books was read back, where a bank states its
    # balance once a statement (777 draws a US merchant: its csv bank states one a line)
    from beanclear.simulation.shape import draw
    assert read_back or not any(b.type in ("camt053", "mt940", "ofx") for b in draw(seed, "big").banks)


def test_the_writer_refuses_an_edit_of_the_carried_ledger(hand):
    """Whatever asks (a script; the Fava page moves such an edit to the month file first,
    periods/carried_edits.py): an edit of a line the carried file printed is refused, not
    written where the next carry would drop it."""
    assert beanclear(hand, "carry", "2026-03").exit_code == 0
    carried = hand / "books" / "since-2026-03.beancount"
    before = snapshot(hand / "books")
    line = next(n for n, text in enumerate(carried.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("2026-02-25 *"))
    with pytest.raises(edits.EditError, match="since-2026-03.beancount:.*written by `beanclear carry`"):
        edits.apply(hand / "books", [edits.Edit(str(carried), line, add_links=("bill-x",))])
    assert snapshot(hand / "books") == before


def test_link_then_unlink_of_an_item_no_statement_linked_gives_the_books_back(hand, tmp_path):
    # blind23 newcomer: the item (a bill, an Alipay refund to a card) kept the link the
    # match gave it after unlink; `match-link` says it was the match's, and unlink takes both
    root = tmp_path / "linked"
    shutil.copytree(hand, root)
    before = snapshot(root / "books")
    linked = beanclear(root, "link", "B3", "bill-ALIYUN-2602")
    assert linked.exit_code == 0, linked.output
    february = (root / "books" / "ops" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    assert '"ALIYUN 2026-02" ^bill-ALIYUN-2602\n  id: "ALIYUN-2602"\n  match-link: "bill-ALIYUN-2602"\n' in february
    unlinked = beanclear(root, "unlink", "B3")
    assert unlinked.exit_code == 0, unlinked.output
    assert snapshot(root / "books") == before


def test_proposals_left_in_closed_months_are_sent_to_reopen_only_where_a_line_is_open():
    """blind33 eubank: `match --apply` told a closed month to be reopened for 23 payout
    credits the check paired already, nothing open in it; a link there only records the
    pairing. A line the check pairs with no payout still needs `reopen` to be linked."""
    from decimal import Decimal
    from beancount.core import data as bc
    from beanclear.matching.core import BankLine, OpenItem, Proposal
    from beanclear.matching.since import Matched as Matching

    def line(day):
        entry = bc.Transaction({"id": f"B{day}"}, dt.date(2026, 10, day), "*", None, "credit", frozenset(),
                               frozenset(), [])
        return BankLine(entry, "Assets:Bank:EUR", "Assets:Transit:Stripe", Decimal("10"), "EUR")

    def proposal(bank, paired):
        item = OpenItem([], "Assets:Transit:Stripe", "payout-po_1", Decimal("10"), "EUR", dt.date(2026, 10, 1), 3,
                        "stripe", (), ("po_1",), paired=(bank.entry,) if paired else ())
        return Proposal([bank], [item], "Assets:Transit:Stripe", "exact", 100.0, [])
    recorded, still = proposal(line(2), True), proposal(line(3), False)
    assert Matching.left_closed([]) == ""
    assert Matching.left_closed([recorded, still]) == (
        "; 1 of closed months left as they are (2026-10: `beanclear reopen` first); 1 of closed months not linked "
        "(2026-10): the check pairs their credits with their payouts already, a link would only record it")
    assert Matching.left_closed([still]) == "; 1 of closed months left as they are (2026-10: `beanclear reopen` first)"
