"""`book --rule` books the other lines in suspense its rule claims, and a line in
suspense that a rule of config.yaml claims says so (resolve/claimed.py).

A blind tester (round 25, bankcharges): three Worldline settlements in suspense, the
first booked with `book WL0001 Income:Sales:Terminal --rule "WORLDLINE GERMANY"`. The
other two stayed in suspense, `check` still saying "no rule, payout or entry explains"
them though the rule now in config.yaml finds their text, `match` offering them only for
review by history, and `import --force` writing nothing: 25 Worldline lines took 25
`book` calls. A rule is the person's word that such lines go there: `book --rule` books
every open line in suspense it claims (where the import would book it now), in the one
write, saying which; those of a closed month stay, said. A rule written into config.yaml
by hand: the finding names it and the `book` that applies it, and `match` proposes it,
confident.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  main:
    type: camt053
    account: Assets:Bank:Main
    currency: EUR
"""
MONTH = "main/2026/2026-02.beancount"
WL = "WORLDLINE GERMANY GMBH"
LINES = [("2026-02-02", "CRDT", "410.17", "WL0001", WL, "WL ABRECHNUNG 2026-02-01 TID 66120457"),
         ("2026-02-03", "CRDT", "429.56", "WL0002", WL, "WL ABRECHNUNG 2026-02-02 TID 66120457"),
         ("2026-02-03", "DBIT", "45.00", "MT0001", "METRO AG", "EINKAUF 4711"),
         ("2026-02-04", "CRDT", "283.44", "WL0003", WL, "WL ABRECHNUNG 2026-02-03 TID 66120457")]


def camt(lines, start="2026-02-01", end="2026-02-05", opening="1000.00") -> str:
    closing = Decimal(opening) + sum(Decimal(l[2]) * (1 if l[1] == "CRDT" else -1) for l in lines)
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{l[2]}</Amt><CdtDbtInd>{l[1]}</CdtDbtInd>{"<RvslInd>true</RvslInd>" if l[6:] else ""}'
        f'<Sts>BOOK</Sts><BookgDt><Dt>{l[0]}</Dt></BookgDt><AcctSvcrRef>{l[3]}</AcctSvcrRef><NtryDtls><TxDtls>'
        f'<RltdPties><Dbtr><Nm>{l[4]}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{l[5]}</Ustrd></RmtInf></TxDtls>'
        '</NtryDtls></Ntry>' for l in lines)
    return (f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            f'<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id><FrToDt><FrDtTm>{start}T00:00:00'
            f'</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id>'
            '<Ccy>EUR</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>'
            f'<Amt Ccy="EUR">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{start}</Dt></Dt></Bal>'
            '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>'
            f'<Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{end}</Dt></Dt></Bal>'
            f'{entries}</Stmt></BkToCstmrStmt></Document>\n')


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-07")


def merchant(tmp_path, lines=LINES, config=CONFIG, **period):
    folder = tmp_path / "m"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    (folder / "main.xml").write_text(camt(lines, **period), encoding="utf-8")
    run(folder, "import", str(folder / "main.xml"))
    return folder


def run(folder, *args, code=0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def unmatched(folder) -> list:
    return sorted(f.refs[0] for f in checking.check(config_mod.load(folder / "config.yaml")).findings
                  if f.code == "bank-unmatched")


def text(folder, name=MONTH) -> str:
    return (folder / "books" / name).read_text(encoding="utf-8")


def booked(month: str, ref: str, amount: str) -> tuple[str, str]:
    """(the lines of a Worldline credit in suspense, the same booked by the rule)."""
    was = f'  id: "{ref}"\n  Assets:Bank:Main                            {amount} EUR\n' \
          f'  Assets:Suspense                            -{amount} EUR\n'
    return was, (f'  id: "{ref}"\n  booked-from: "Assets:Suspense"\n'
                 f'  Assets:Bank:Main                            {amount} EUR\n'
                 f'  Income:Sales:Terminal                      -{amount} EUR\n')


def test_book_with_a_rule_books_the_other_lines_in_suspense_it_claims_in_the_one_write(tmp_path):
    folder = merchant(tmp_path)
    before, old = snapshot(folder / "books"), text(folder)
    config_before = (folder / "config.yaml").read_text(encoding="utf-8")
    out = run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY")
    assert out.startswith("bank line WL0001 (410.17 EUR) booked to Income:Sales:Terminal; rule 'WORLDLINE GERMANY' "
                          "-> Income:Sales:Terminal added to config.yaml; 2 other lines in Assets:Suspense the rule "
                          "claims booked there too: WL0002, WL0003\n"), out
    # the exact diff: each claimed line's suspense posting and its booked-from, nothing else
    new = old
    for ref, amount in (("WL0001", "410.17"), ("WL0002", "429.56"), ("WL0003", "283.44")):
        was, now = booked("2026-02", ref, amount)
        assert was in new
        new = new.replace(was, now)
    after = snapshot(folder / "books")
    assert text(folder) == new
    assert {k for k in after if after[k] != before.get(k)} == {MONTH, "accounts.beancount"}
    assert after["accounts.beancount"] == before["accounts.beancount"] + b"2000-01-01 open Income:Sales:Terminal\n"
    assert (folder / "config.yaml").read_text(encoding="utf-8") == \
        config_before + "rules:\n  - match: WORLDLINE GERMANY\n    account: Income:Sales:Terminal\n"
    # must not: the Metro line, which the rule does not find, stays a finding in suspense
    assert unmatched(folder) == ["MT0001"]
    # twice: nothing new
    again = json.loads(run(folder, "book", "WL0002", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY",
                           "--format", "json"))
    assert again["done"] is False and again["written"] == [] and snapshot(folder / "books") == after
    # unlink of one of them gives its lines back as they were, the others booked still
    run(folder, "unlink", "WL0003")
    assert text(folder) == new.replace(*reversed(booked("2026-02", "WL0003", "283.44")))


def test_the_json_answer_lists_the_other_lines_booked(tmp_path):
    folder = merchant(tmp_path)
    said = json.loads(run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY",
                          "--format", "json"))
    assert said["done"] is True and said["also_booked"] == ["WL0002", "WL0003"] and said["left_closed"] == []


def test_book_without_a_rule_books_that_line_only(tmp_path):
    # must not fire: a booking without --rule says nothing of other lines
    folder = merchant(tmp_path)
    old = text(folder)
    assert run(folder, "book", "WL0001", "Income:Sales:Terminal").startswith(
        "bank line WL0001 (410.17 EUR) booked to Income:Sales:Terminal\n")
    assert text(folder) == old.replace(
        "  Assets:Suspense                            -410.17 EUR\n",
        "  Income:Sales:Terminal                      -410.17 EUR\n")
    assert unmatched(folder) == ["MT0001", "WL0002", "WL0003"]


def test_a_line_and_its_reversal_in_suspense_stay_where_they_explain_each_other(tmp_path):
    # must not fire: a pair the rule finds that explains itself is no finding; moving it
    # would be a diff for nothing
    storno = ("2026-02-04", "DBIT", "429.56", "WL0004", WL, "STORNO WL ABRECHNUNG 2026-02-02 TID 66120457", True)
    folder = merchant(tmp_path, LINES + [storno])
    old = text(folder)
    out = run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY")
    assert "1 other line in Assets:Suspense the rule claims booked there too: WL0003\n" in out, out
    assert text(folder) == old.replace(*booked("2026-02", "WL0001", "410.17")).replace(
        *booked("2026-02", "WL0003", "283.44"))
    assert unmatched(folder) == ["MT0001"]


def test_a_line_of_a_closed_month_stays_and_is_said(tmp_path, monkeypatch):
    january = [("2026-01-20", "CRDT", "301.10", "WL0000", WL, "WL ABRECHNUNG 2026-01-19 TID 66120457")]
    folder = merchant(tmp_path, january + LINES, start="2026-01-01")
    run(folder, "close", "2026-01")
    closed = text(folder, "main/2026/2026-01.beancount")
    out = run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY")
    assert ("2 other lines in Assets:Suspense the rule claims booked there too: WL0002, WL0003; 1 of closed months "
            "left there (2026-01: `beanclear reopen` first): WL0000\n") in out, out
    assert text(folder, "main/2026/2026-01.beancount") == closed
    assert unmatched(folder) == ["MT0001", "WL0000"]



def test_a_rule_written_by_hand_is_named_by_the_finding_and_proposed_by_match(tmp_path):
    folder = merchant(tmp_path)
    with open(folder / "config.yaml", "a", encoding="utf-8") as config:
        config.write("rules:\n  - {match: WORLDLINE GERMANY, account: Income:Sales:Terminal}\n")
    said = run(folder, "check")
    assert ("bank-unmatched 2026-02-03 main     429.56 EUR: bank credit of 429.56 EUR left in Assets:Suspense by its "
            "import, which rule 'WORLDLINE GERMANY' -> Income:Sales:Terminal of config.yaml claims now (`beanclear "
            "book WL0002 Income:Sales:Terminal` books it there): WORLDLINE GERMANY GMBH WL ABRECHNUNG 2026-02-02 TID "
            "66120457 [WL0002]") in said, said
    assert "bank debit of 45.00 EUR that no rule, payout or entry explains: METRO AG EINKAUF 4711" in said
    proposals = json.loads(run(folder, "match", "--format", "json"))["proposals"]
    assert [(p["bank_refs"], p["stage"], p["confident"], p["account"], p["reasons"]) for p in proposals] == [
        ([ref], "rule", True, "Income:Sales:Terminal",
         ["rule 'WORLDLINE GERMANY' -> Income:Sales:Terminal of config.yaml claims its text now (its import left it "
          "in Assets:Suspense)"])
        for ref in ("WL0001", "WL0002", "WL0003")]
    old = text(folder)
    run(folder, "match", "--apply")
    new = old
    for ref, amount in (("WL0001", "410.17"), ("WL0002", "429.56"), ("WL0003", "283.44")):
        new = new.replace(*booked("2026-02", ref, amount))
    assert text(folder) == new
    assert unmatched(folder) == ["MT0001"]
    assert json.loads(run(folder, "match", "--format", "json"))["proposals"] == []   # applied: nothing again


def test_the_rule_book_added_names_the_lines_it_left_in_a_closed_month(tmp_path):
    # the lines `book --rule` leaves (a closed month's) are told the rule and the command
    january = [("2026-01-20", "CRDT", "301.10", "WL0000", WL, "WL ABRECHNUNG 2026-01-19 TID 66120457")]
    folder = merchant(tmp_path, january + LINES, start="2026-01-01")
    run(folder, "close", "2026-01")
    run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY")
    said = run(folder, "check")
    assert ("bank credit of 301.10 EUR left in Assets:Suspense by its import, which rule 'WORLDLINE GERMANY' -> "
            "Income:Sales:Terminal of config.yaml claims now (`beanclear book WL0000 Income:Sales:Terminal` books it "
            "there)") in said, said


def test_the_months_report_lists_each_line_the_rule_booked_as_resolved(tmp_path):
    folder = merchant(tmp_path)
    run(folder, "book", "WL0001", "Income:Sales:Terminal", "--rule", "WORLDLINE GERMANY")
    report = json.loads(run(folder, "report", "2026-02", "--format", "json"))
    assert sorted((f["refs"][0], f["status"], f["resolution"], "no rule, payout or entry explains" in f["message"])
                  for f in report["findings"] if f["code"] == "bank-unmatched") == [
        ("MT0001", "open", "", True),
        ("WL0001", "resolved", "booked to Income:Sales:Terminal", True),
        ("WL0002", "resolved", "booked to Income:Sales:Terminal", True),
        ("WL0003", "resolved", "booked to Income:Sales:Terminal", True)]
