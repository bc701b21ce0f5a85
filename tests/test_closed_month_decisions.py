"""Decisions about a closed month's findings that move no money (blind30 audittrail,
problem 2): June closed with a `bank-unmatched` warning and a `statement-gap` open;
then, with no reopen, `beanclear ack bank-unmatched B9` wrote its line, exit 0, and a
re-run of June's report turned `1 open` into `1 acknowledged`, while `book` of the same
line was refused ("2026-06 is closed … reopen first"). The same for a follow-up
extended after the close, `follow-up --done`, and a statement-gap acknowledged later.

A follow-up outlives the close (findings being followed up do not hold a close up), so
these are written, dated the day they are made, saying the close they came after
(`after-close: "2026-06"`); the report made at close is the record of what was closed:
June's report is the same bytes after them, `check` shows the decision. `book` (money)
is still refused. Every decision line names who made it, as close's `closed-by:` does
(audittrail Notes: `ack`, `write-off` and `follow-up-done` lines named nobody)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import beanclear, snapshot
from fava_util import changes

CONFIG = """\
books: books
currency: USD
timezone: UTC
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 10, bank: chase, bank_days: 4, quiet_days: 5,
           fees: [{rate: 0.029, fixed: 0.30}]}
banks:
  chase: {type: camt053, account: Assets:Bank:Chase, currency: USD}
"""
HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","description","source_id","automatic_payout_id"')
STRIPE_A = [  # the first days of June: a sale and its payout
    '"txn_1","2026-06-02 14:00:00","2026-06-04 00:00:00","usd","100.00","3.20","96.80","charge","Sale 1","ch_1","po_1"',
    '"txn_2","2026-06-05 09:00:00","2026-06-05 00:00:00","usd","-96.80","0.00","-96.80","payout","STRIPE PAYOUT","po_1","po_1"']
STRIPE_B = [  # its last days: the download of the days between is missing (a statement-gap, a warning)
    '"txn_3","2026-06-27 14:00:00","2026-06-29 00:00:00","usd","72.00","2.39","69.61","charge","Sale 2","ch_2","po_2"',
    '"txn_4","2026-06-30 09:00:00","2026-06-30 00:00:00","usd","-69.61","0.00","-69.61","payout","STRIPE PAYOUT","po_2","po_2"']


def _camt(lines: list[tuple[str, str, str, str]], month: str = "06", opening: str = "1000.00",
          closing: str = "1191.41", last: str = "30") -> str:
    """A month's CAMT.053 statement of Chase: (day, amount, ref, text) credits."""
    entries = "".join(f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}'
                      f"</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
                      f"<AddtlNtryInf>{text}</AddtlNtryInf></Ntry>" for day, amount, ref, text in lines)
    balance = ('<Bal><Tp><CdOrPrtry><Cd>{}</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
               "<Dt><Dt>{}</Dt></Dt></Bal>")
    return ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            f"<GrpHdr><MsgId>M{month}</MsgId><CreDtTm>2026-08-01T06:00:00Z</CreDtTm></GrpHdr><Stmt><Id>S{month}</Id>"
            f"<FrToDt><FrDtTm>2026-{month}-01T00:00:00Z</FrDtTm><ToDtTm>2026-{month}-{last}T23:59:59Z</ToDtTm></FrToDt>"
            "<Acct><Id><Othr><Id>123</Id></Othr></Id><Ccy>USD</Ccy></Acct>"
            + balance.format("OPBD", opening, f"2026-{month}-01") + balance.format("CLBD", closing, f"2026-{month}-{last}")
            + f"{entries}</Stmt></BkToCstmrStmt></Document>")


@pytest.fixture
def june(tmp_path, monkeypatch) -> Path:
    """June imported on 07-02 by anna: two warnings open, `bank-unmatched` B9 (a credit
    of 25.00 nothing explains) and the `statement-gap` of stripe 06-06 to 06-26."""
    monkeypatch.setenv("USER", "anna")
    monkeypatch.setenv("LOGNAME", "anna")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-02")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    folder = tmp_path / "s6"
    folder.mkdir()
    (folder / "stripe-06a.csv").write_text("\n".join([HEADER, *STRIPE_A]) + "\n", encoding="utf-8")
    (folder / "stripe-06b.csv").write_text("\n".join([HEADER, *STRIPE_B]) + "\n", encoding="utf-8")
    (folder / "chase-06.xml").write_text(_camt([("2026-06-08", "96.80", "B1", "STRIPE TRANSFER"),
                                                ("2026-06-12", "25.00", "B9", "MISC CREDIT XYZ"),
                                                ("2026-06-30", "69.61", "B2", "STRIPE TRANSFER")]), encoding="utf-8")
    _ok(tmp_path, "import", str(folder))
    assert _states(tmp_path) == {("bank-unmatched", "open"), ("statement-gap", "open")}
    return tmp_path


def _ok(root: Path, *args) -> str:
    result = beanclear(root, *args)
    assert result.exit_code == 0, result.output
    return result.output


def _states(root: Path, period: str = "2026-06") -> set[tuple[str, str]]:
    report = json.loads(_ok(root, "report", period, "--format", "json"))
    return {(f["code"], f["status"]) for f in report["findings"]}


def _reports(root: Path) -> tuple[str, str]:
    return _ok(root, "report", "2026-06"), _ok(root, "report", "2026-06", "--format", "json")


def _acknowledged(root: Path) -> dict[str, bool]:
    checked = json.loads(beanclear(root, "check", "--format", "json").output)
    return {f["code"]: f["acknowledged"] for f in checked["findings"]}


def _diff(root: Path, before: dict, *args) -> dict:
    said = _ok(root, *args)
    return changes(before, snapshot(root / "books")), said


def test_an_acknowledgment_of_a_closed_months_finding_leaves_its_report_as_closed(june, monkeypatch):
    _ok(june, "close", "2026-06")
    at_close = _reports(june)
    assert "Findings: 2 open, 0 following up, 0 acknowledged, 0 resolved" in at_close[0]

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-10")
    diff, said = _diff(june, snapshot(june / "books"), "ack", "bank-unmatched", "B9", "--reason",
                       "later: it was a deposit refund")
    # dated the day it is made, naming who made it and the close it came after
    assert diff == {"acks.beancount": ([], [
        '2026-07-10 custom "beanclear-ack" "bank-unmatched" "B9" "later: it was a deposit refund"',
        '  acknowledged-by: "anna"',
        '  after-close: "2026-06"'])}
    assert "2026-06 is closed (beanclear close by anna, periods.beancount:4)" in said
    assert "its report stays as closed" in said
    assert _reports(june) == at_close                      # the record of what was closed
    assert _acknowledged(june)["bank-unmatched"] is True   # the books know it: check, CI
    # done again: nothing written, as any action done twice
    before = snapshot(june / "books")
    assert "already acknowledged" in _ok(june, "ack", "bank-unmatched", "B9", "--reason", "again")
    assert snapshot(june / "books") == before


def test_a_statement_gap_of_a_closed_month_acknowledged_later(june, monkeypatch):
    _ok(june, "close", "2026-06")
    at_close = _reports(june)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-10-05")
    diff, _ = _diff(june, snapshot(june / "books"), "ack", "statement-gap", "stripe 2026-06-06", "--reason",
                    "no sales those days: the shop was closed")
    assert diff == {"acks.beancount": ([], [
        '2026-10-05 custom "beanclear-ack" "statement-gap" "stripe 2026-06-06" "no sales those days: the shop was closed"',
        '  acknowledged-by: "anna"',
        '  after-close: "2026-06"'])}
    assert _reports(june) == at_close
    assert _acknowledged(june)["statement-gap"] is True


def test_a_follow_up_extended_and_done_after_its_months_close(june, monkeypatch):
    """A follow-up outlives the close: given before it, extended and marked done after,
    each line today's; June's report reads as it did at its close."""
    diff, _ = _diff(june, snapshot(june / "books"), "follow-up", "bank-unmatched", "B9", "--owner", "bob",
                    "--due", "2026-07-15", "--note", "ask the bank who sent it")
    assert diff == {"acks.beancount": ([], [   # (June open: no after-close)
        '2026-07-02 custom "beanclear-follow-up" "bank-unmatched" "B9" "bob" "2026-07-15" "ask the bank who sent it"',
        '  assigned-by: "anna"'])}
    _ok(june, "close", "2026-06")   # (followed up, the warning holds nothing up)
    at_close = _reports(june)
    assert "following up bank-unmatched" in " ".join(at_close[0].split())

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-10")
    diff, said = _diff(june, snapshot(june / "books"), "follow-up", "bank-unmatched", "B9", "--owner", "bob",
                       "--due", "2026-07-31", "--note", "the bank answers in three weeks")
    assert diff == {"acks.beancount": ([], [
        '2026-07-10 custom "beanclear-follow-up" "bank-unmatched" "B9" "bob" "2026-07-31" "the bank answers in three weeks"',
        '  assigned-by: "anna"',
        '  after-close: "2026-06"'])}
    assert "its report stays as closed" in said
    assert _reports(june) == at_close

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-12")
    diff, _ = _diff(june, snapshot(june / "books"), "follow-up", "bank-unmatched", "B9", "--done", "--note",
                    "a deposit refunded by the landlord")
    assert diff == {"acks.beancount": ([], [
        '2026-07-12 custom "beanclear-follow-up-done" "bank-unmatched" "B9" "a deposit refunded by the landlord"',
        '  done-by: "anna"',
        '  after-close: "2026-06"'])}
    assert _reports(june) == at_close
    checked = json.loads(beanclear(june, "check", "--format", "json").output)
    [b9] = [f for f in checked["findings"] if f["code"] == "bank-unmatched"]
    assert (b9["acknowledged"], b9["follow_up"]["state"]) == (True, "resolved")


def test_an_acknowledgment_before_the_close_is_in_the_months_report(june):
    """Must not change: the month's own work, done before its close (the acknowledgment
    dated after the month's end, as every close is made after it), is in its report."""
    diff, said = _diff(june, snapshot(june / "books"), "ack", "bank-unmatched", "B9", "--reason", "a deposit refund")
    assert diff == {"acks.beancount": ([], [
        '2026-07-02 custom "beanclear-ack" "bank-unmatched" "B9" "a deposit refund"',
        '  acknowledged-by: "anna"'])}
    assert "closed" not in said
    _ok(june, "close", "2026-06")
    assert _states(june) == {("bank-unmatched", "acknowledged"), ("statement-gap", "open")}


def test_money_of_a_closed_month_is_still_refused(june, monkeypatch):
    """Must not change: booking the line moves money in June; reopen first."""
    _ok(june, "close", "2026-06")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-10")
    before = snapshot(june / "books")
    refused = beanclear(june, "book", "B9", "Income:Other")
    assert refused.exit_code == 2
    assert "2026-06 is closed (books/periods.beancount line 4); `beanclear reopen 2026-06 --reason …` first" \
        in refused.output
    assert snapshot(june / "books") == before


def test_reopened_the_month_reports_the_decision_and_its_next_close_keeps_it(june, monkeypatch):
    """An acknowledgment after June's first close is the books' when June is reopened, and
    its second close judged it: June's report has it from then on. One after the second
    close names that close (`2026-06#2`) and is left out."""
    _ok(june, "close", "2026-06")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-10")
    _ok(june, "ack", "bank-unmatched", "B9", "--reason", "a deposit refund")
    assert _states(june) == {("bank-unmatched", "open"), ("statement-gap", "open")}
    _ok(june, "reopen", "2026-06", "--reason", "a late Stripe download")
    assert _states(june) == {("bank-unmatched", "acknowledged"), ("statement-gap", "open")}
    _ok(june, "close", "2026-06")
    at_close = _reports(june)
    assert _states(june) == {("bank-unmatched", "acknowledged"), ("statement-gap", "open")}

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-03")
    diff, said = _diff(june, snapshot(june / "books"), "ack", "statement-gap", "stripe 2026-06-06", "--reason",
                       "no sales those days")
    assert diff == {"acks.beancount": ([], [
        '2026-08-03 custom "beanclear-ack" "statement-gap" "stripe 2026-06-06" "no sales those days"',
        '  acknowledged-by: "anna"',
        '  after-close: "2026-06#2"'])}
    assert "periods.beancount:" in said
    assert _reports(june) == at_close


def test_a_write_off_names_who_wrote_it_off(june, monkeypatch):
    """The audittrail Notes: a write-off's entry named nobody, only git's author did."""
    folder = june / "s7"
    folder.mkdir()
    # July: a payout of 50.00 credited 49.50, 0.50 short (a payout-mismatch within the limit)
    (folder / "stripe-07.csv").write_text("\n".join([
        HEADER,
        '"txn_5","2026-07-06 14:00:00","2026-07-08 00:00:00","usd","51.85","1.85","50.00","charge","Sale 3","ch_3","po_3"',
        '"txn_6","2026-07-09 09:00:00","2026-07-09 00:00:00","usd","-50.00","0.00","-50.00","payout","STRIPE PAYOUT",'
        '"po_3","po_3"']) + "\n", encoding="utf-8")
    (folder / "chase-07.xml").write_text(_camt([("2026-07-10", "49.50", "B3", "STRIPE TRANSFER po_3")], "07",
                                               "1191.41", "1240.91", "31"), encoding="utf-8")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-03")
    _ok(june, "import", str(folder))
    before = snapshot(june / "books")
    _ok(june, "write-off", "payout-mismatch", "po_3")
    assert changes(before, snapshot(june / "books")) == {
        "accounts.beancount": ([], ["2000-01-01 open Expenses:Fees:Bank"]),
        "chase/2026/2026-07.beancount": (['2026-07-10 * "STRIPE TRANSFER po_3"'],
                                         ['2026-07-10 * "STRIPE TRANSFER po_3" ^payout-po_3']),
        "main.beancount": ([], ['include "writeoffs.beancount"']),
        "writeoffs.beancount": ([], [
            "; Write-offs of small differences, one transaction each, linked to what they settle.",
            "; beanclear appends here (`beanclear write-off`, the Reconciliation page); edit freely.",
            "",
            '2026-07-10 * "beanclear" "write-off payout-mismatch: payout of 50.00 USD arrived at the bank as 49.50 USD"'
            " ^payout-po_3",
            '  write-off: "payout-mismatch"',
            '  settles: "po_3 B3"',
            '  written-off-by: "anna"',
            "  Expenses:Fees:Bank                            0.50 USD",
            "  Assets:Transit:Stripe                        -0.50 USD"])}


def test_the_page_acknowledges_a_closed_months_finding_as_the_command_does(june, monkeypatch):
    fava_application = pytest.importorskip("fava.application")
    from fava_util import PAGE
    _ok(june, "close", "2026-06")
    at_close = _reports(june)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-10")
    app = fava_application.create_app([june / "books" / "main.beancount"], load=True)
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    before = snapshot(june / "books")
    response = client.post(f"/{slug}/{PAGE}acknowledge", headers={"Origin": "http://localhost"},
                           json={"code": "bank-unmatched", "ref": "B9", "reason": "a deposit refund"})
    assert response.status_code == 200, response.get_json()
    assert "the findings table shows it; its report stays as closed" in response.get_json()["message"]
    assert changes(before, snapshot(june / "books")) == {"acks.beancount": ([], [
        '2026-07-10 custom "beanclear-ack" "bank-unmatched" "B9" "a deposit refund"',
        '  acknowledged-by: "anna"',
        '  after-close: "2026-06"'])}
    assert _reports(june) == at_close
