"""The resolve actions on a blind tester's merchant of wires (tests/data none: the
statements are written here, OFX and MT940 as the banks send them): the refs `beanclear
check` lists name the bank lines every action takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear, snapshot

OFX_HEAD = """\
OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260215120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>0<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD
<BANKACCTFROM><BANKID>021000021<ACCTID>778812345<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260209<DTEND>20260215
"""


def ofx(lines: list[tuple[str, str, str, str, str]], balance: str) -> str:
    """An OFX statement of Chase: (type, amount, FITID, name, memo) on 2026-02-13."""
    rows = "".join(f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>20260213120000<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}"
                   f"<MEMO>{memo}</STMTTRN>\n" for kind, amount, fitid, name, memo in lines)
    return (OFX_HEAD + rows + f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance}<DTASOF>20260215</LEDGERBAL>\n"
            "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n")


MT940 = """\
:20:STARTUMS
:25:37050198/1234567890
:28C:1/1
:60F:C260201EUR100,00
:61:2602130213C2,15NTRFNONREF//SPK90002
:86:/NAME/SPARKASSE KOELNBONN/REMI/HABENZINSEN 01.2026
:62F:C260215EUR102,15
-
"""

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 3, bank: chase, bank_days: 2}
banks:
  chase: {type: ofx, account: Assets:Bank:Chase, currency: USD}
  sparkasse: {type: mt940, account: Assets:Bank:Sparkasse, currency: EUR}
"""

STRIPE_HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
               '"reporting_category","description","source_id","automatic_payout_id"\n')


def merchant(tmp_path, monkeypatch, chase: str, stripe: str = "", mt940: str = MT940) -> Path:
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-16")
    root = tmp_path / "wires"
    for name, text in (("chase/feb.ofx", chase), ("sparkasse/feb.sta", mt940), ("stripe/report.csv", stripe)):
        if text:
            (root / "statements" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "statements" / name).write_text(text, encoding="utf-8")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    run(root, "import", str(root / "statements"))
    return root


def run(root, *args, code=0):
    result = beanclear(root, *args)
    assert result.exit_code == code, result.output
    return result.output


def findings(root):
    return checking.check(config_mod.load(root / "config.yaml")).findings


INTEREST = [("INT", "1.23", "F9", "INTEREST PAYMENT", "INTEREST PAID")]


# -- the refs check shows -------------------------------------------------------------------

@pytest.fixture
def interest(tmp_path, monkeypatch):
    """Two interest credits nothing explains: Chase's FITID F9, Sparkasse's reference SPK90002."""
    return merchant(tmp_path, monkeypatch, ofx(INTEREST, "101.23"))


def test_check_lists_the_banks_own_references_of_a_line(interest):
    assert sorted(f.refs for f in findings(interest)) == [
        ("20260213-cd1075ae992f-1", "SPK90002"), ("F9/20260213/1.23", "F9")]


@pytest.mark.parametrize("ref, line", [("F9", "F9/20260213/1.23"), ("SPK90002", "20260213-cd1075ae992f-1")])
def test_book_takes_the_banks_reference_check_lists(interest, ref, line):
    # A blind tester's `book F9 Income:Interest` was refused, "no bank line has id 'F9'",
    # while `ack bank-unmatched SPK90002` took the other line's reference
    out = json.loads(run(interest, "book", ref, "Income:Interest", "--format", "json"))
    assert out["done"] is True and out["bank_ref"] == line
    assert [f.refs[-1] for f in findings(interest)] == [r for r in ("SPK90002", "F9") if r != ref]
    assert "nothing was written" in run(interest, "book", ref, "Income:Interest")
    assert "booked back to Assets:Suspense" in run(interest, "unlink", ref)
    assert len(findings(interest)) == 2


def test_link_and_follow_up_take_the_banks_reference(interest):
    refused = beanclear(interest, "link", "F9", "po_nothing")
    assert refused.exit_code == 2 and "no open item is 'po_nothing'" in refused.output
    run(interest, "follow-up", "bank-unmatched", "SPK90002", "--owner", "alice", "--due", "2026-02-20")
    [followed] = [f for f in findings(interest) if f.follow_up]
    assert followed.refs[-1] == "SPK90002"


def test_a_reference_two_lines_share_is_refused_naming_both(tmp_path, monkeypatch):
    # A bank that gives two lines one reference (another day, another account): which?
    twice = merchant(tmp_path, monkeypatch, ofx(INTEREST, "101.23"),
                     mt940=MT940.replace("//SPK90002", "//F9"))
    before = snapshot(twice / "books")
    result = beanclear(twice, "book", "F9", "Income:Interest")
    assert result.exit_code == 2, result.output
    assert "'F9' names 2 bank lines: F9/20260213/1.23 (1.23 USD on 2026-02-13, Assets:Bank:Chase), " \
           "20260213-" in result.output and "name one by its id" in result.output
    assert snapshot(twice / "books") == before
    assert "booked to Income:Interest" in run(twice, "book", "F9/20260213/1.23", "Income:Interest")


# -- a payout credited in two parts ---------------------------------------------------------

SPLIT_STRIPE = STRIPE_HEAD + """\
"txn_1","2026-02-09 15:00:00","2026-02-11 00:00:00","usd","2059.99","59.99","2000.00","charge","Order 1","ch_1","po_1SplitInTwo0001"
"txn_2","2026-02-12 15:00:00","2026-02-14 00:00:00","usd","-2000.00","0.00","-2000.00","payout","STRIPE PAYOUT","po_1SplitInTwo0001","po_1SplitInTwo0001"
"txn_3","2026-02-14 15:00:00","2026-02-16 00:00:00","usd","20.00","0.88","19.12","charge","Order 2","ch_2",""
"""
PARTS = [("CREDIT", "1200.00", "F1", "STRIPE", "STRIPE TRANSFER PART 1 OF 2"),
         ("CREDIT", "800.00", "F2", "STRIPE", "STRIPE TRANSFER PART 2 OF 2")]
PO = "payout-po_1SplitInTwo0001"


@pytest.fixture
def split(tmp_path, monkeypatch):
    """A blind tester's Stripe payout of 2,000.00 the bank credited as 1,200.00 (F1) and
    800.00 (F2) the same day, the same text."""
    return merchant(tmp_path, monkeypatch, ofx(PARTS, "2100.00"), SPLIT_STRIPE, mt940="")


def links(root):
    chase = (root / "books" / "chase" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    return [line.split('"')[-1].strip() for line in chase.splitlines() if line.startswith("2026-02-13 *")]


def test_a_payout_credited_in_two_parts_is_one_group_check_is_silent_and_match_applies(split):
    # check said payout-mismatch 800.00 and bank-unmatched 800.00; match proposed nothing
    assert findings(split) == []
    out = json.loads(run(split, "match", "--format", "json"))
    [p] = out["proposals"]
    assert (p["stage"], p["confident"], p["bank_refs"], p["links"]) == \
        ("groups", True, ["F1/20260213/1200.00", "F2/20260213/800.00"], [PO])
    run(split, "match", "--apply")
    assert links(split) == [f"^{PO}", f"^{PO}"] and findings(split) == []


@pytest.mark.parametrize("first, then", [("F1", "F2"), ("F2", "F1")])
def test_link_takes_each_part_of_a_payout_credited_in_two(split, first, then):
    # the tester's `link F2 po_…` was refused (the check paired po_… with F1), and after
    # `link F1 po_…`, `link F2 po_…` too ("no open item is 'po_…'")
    said = run(split, "link", first, "po_1SplitInTwo0001")
    rest = {"F1": "F1/20260213/1200.00 (1,200.00 USD", "F2": "F2/20260213/800.00 (800.00 USD"}[then]
    assert f"the clearing check pairs bank line {rest} on 2026-02-13) with it too: together they make it" in said
    assert findings(split) == []   # one part linked, the other pending: nothing wrong
    [p] = json.loads(run(split, "match", "--format", "json"))["proposals"]
    assert (p["bank_refs"][0].split("/")[0], p["links"], p["confident"]) == (then, [PO], True)
    said = run(split, "link", then, "po_1SplitInTwo0001")
    assert "linked to " + PO + "\n" in said and "differ" not in said
    assert links(split) == [f"^{PO}", f"^{PO}"] and findings(split) == []


@pytest.mark.parametrize("parts", [PARTS, PARTS[:1]])
def test_link_refuses_a_line_that_does_not_make_the_rest_of_a_payout(tmp_path, monkeypatch, parts):
    # whether the line that makes the rest (F2) is in the books or not
    third = ("CREDIT", "700.00", "F3", "STRIPE", "STRIPE TRANSFER")
    root = merchant(tmp_path, monkeypatch, ofx(parts + [third], "2800.00"), SPLIT_STRIPE, mt940="")
    run(root, "link", "F1", "po_1SplitInTwo0001")
    before = snapshot(root / "books")
    result = beanclear(root, "link", "F3", "po_1SplitInTwo0001")
    assert result.exit_code == 2, result.output
    assert (f"{PO} (2,000.00 USD) is linked to bank line F1/20260213/1200.00 (1,200.00 USD) already: "
            "bank line F3/20260213/700.00 (700.00 USD) would make 1,900.00 USD of it, not 2,000.00") in result.output
    assert snapshot(root / "books") == before
    if parts == PARTS:
        assert "linked to " + PO + "\n" in run(root, "link", "F2", PO)
        assert [f.refs[-1] for f in findings(root)] == ["F3"]
    else:   # the payout short of the rest, the line unexplained: two findings, two causes
        assert sorted(f.code for f in findings(root)) == ["bank-unmatched", "payout-mismatch"]


# -- two payouts of one amount on one day ---------------------------------------------------

SAME_DAY_STRIPE = STRIPE_HEAD + """\
"txn_1","2026-02-09 15:00:00","2026-02-11 00:00:00","usd","515.24","15.24","500.00","charge","Order 1","ch_1","po_1SameDayAAA001"
"txn_2","2026-02-10 15:00:00","2026-02-12 00:00:00","usd","515.24","15.24","500.00","charge","Order 2","ch_2","po_1SameDayBBB002"
"txn_3","2026-02-12 15:00:00","2026-02-14 00:00:00","usd","-500.00","0.00","-500.00","payout","STRIPE PAYOUT","po_1SameDayAAA001","po_1SameDayAAA001"
"txn_4","2026-02-12 15:01:00","2026-02-14 00:00:00","usd","-500.00","0.00","-500.00","payout","STRIPE PAYOUT","po_1SameDayBBB002","po_1SameDayBBB002"
"""


def test_two_payouts_of_one_amount_and_day_are_proposed_as_the_check_pairs_them(tmp_path, monkeypatch):
    # check is silent (it pairs F1 with AAA, F2 with BBB); match sent both lines to
    # review, each proposing AAA "or" BBB
    root = merchant(tmp_path, monkeypatch, ofx([("CREDIT", "500.00", f"F{n}", "STRIPE", "STRIPE TRANSFER")
                                                for n in (1, 2)], "1100.00"), SAME_DAY_STRIPE, mt940="")
    assert findings(root) == []
    out = json.loads(run(root, "match", "--format", "json"))["proposals"]
    assert [(p["bank_refs"], p["links"], p["confident"]) for p in out] == [
        (["F1/20260213/500.00"], ["payout-po_1SameDayAAA001"], True),
        (["F2/20260213/500.00"], ["payout-po_1SameDayBBB002"], True)]
    run(root, "match", "--apply")
    assert links(root) == ["^payout-po_1SameDayAAA001", "^payout-po_1SameDayBBB002"] and findings(root) == []
    result = beanclear(root, "link", "F2", "po_1SameDayAAA001")   # AAA has its credit
    assert result.exit_code == 2 and "payout-po_1SameDayAAA001 (500.00 USD) is settled already: linked to bank " \
        "line F1/20260213/500.00 (500.00 USD)" in result.output
