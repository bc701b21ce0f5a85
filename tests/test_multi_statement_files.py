"""A bank file of several statements (MT940 `:20:` blocks, CAMT.053 `<Stmt>`s) is read as
the statements it holds, as if each came in a file of its own (blind29 bankvariants):

- it covers each statement's own days, not its first line to its last: the days between
  two statements are in none (quiet where the balances carry on over them, a gap where
  they step), so a line the bank left out, booked by hand on such a day, is no money
  counted twice, as it was not with the statements in two files;
- a statement that opens on another amount than the one before it closed says so at the
  import, with both amounts, whether the one before is in the books, in the same file or
  in another file of the same import;
- `check` gives that cause one finding, of the same code however the bank split its
  files, naming the statement and both amounts."""

from __future__ import annotations

import json
import re

from conftest import beanclear

MT940_CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  spk:
    type: mt940
    account: Assets:Bank:Sparkasse
    currency: EUR
rules:
  - {match: ".", account: Expenses:Misc}
"""

# Sparkasse's daily statements, each of the day it has lines (its :60F: dated that day too).
# The one of 10-27 opens 120.00 below the 10-20 close: the bank left a debit out.
DAYS = [("261006", "8000,00", [("C", "2354,89", "GUTSCHRIFT PAYPAL")], "10354,89"),
        ("261013", "10354,89", [("C", "2141,46", "GUTSCHRIFT PAYPAL")], "12496,35"),
        ("261020", "12496,35", [("D", "3611,88", "MIETE OKTOBER")], "8884,47"),
        ("261027", "8764,47", [("C", "2046,34", "GUTSCHRIFT PAYPAL")], "10810,81"),
        ("261030", "10810,81", [("D", "2012,90", "LOHN")], "8797,91")]
CHAINED = [*DAYS[:3], ("261027", "8884,47", [("C", "2046,34", "GUTSCHRIFT PAYPAL")], "10930,81"),
           ("261030", "10930,81", [("D", "2012,90", "LOHN")], "8917,91")]


def mt940(statements) -> str:
    out = []
    for day, opening, lines, closing in statements:
        out += [f":20:STARTUMS{day}", ":25:10050000/0190000011", ":28C:1/1", f":60F:C{day}EUR{opening}"]
        for n, (mark, amount, text) in enumerate(lines):
            out += [f":61:{day}{day[2:]}{mark}{amount}NTRFNONREF//SPK{day}{n}", f":86:{text}"]
        out += [f":62F:C{day}EUR{closing}", "-"]
    return "\n".join(out) + "\n"


def merchant(root, files: dict[str, str], config: str = MT940_CONFIG):
    (root / "st").mkdir(parents=True)
    (root / "config.yaml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        (root / "st" / name).write_text(text, encoding="utf-8")
    return root


def imported(root, *groups) -> str:
    """Each group of file names imported in one command; the output of all."""
    said = []
    for names in groups:
        result = beanclear(root, "import", *(str(root / "st" / name) for name in names))
        assert result.exit_code == 0, result.output
        said.append(result.output)
    return "\n".join(said)


def findings(root) -> list[dict]:
    return json.loads(beanclear(root, "check", "--format", "json").output)["findings"]


def by_hand(root, day: str) -> None:
    """The debit the bank left out, booked by hand in a file of one's own."""
    (root / "books" / "mine.beancount").write_text(
        f'2026-01-01 open Expenses:Memberships\n{day} * "ADAC E.V." "MITGLIEDSBEITRAG"\n'
        "  Assets:Bank:Sparkasse   -120.00 EUR\n  Expenses:Memberships     120.00 EUR\n", encoding="utf-8")
    with open(root / "books" / "main.beancount", "a", encoding="utf-8") as fh:
        fh.write('include "mine.beancount"\n')


ONE_FILE = {"oktober.sta": mt940(DAYS)}
TWO_FILES = {"a.sta": mt940(DAYS[:3]), "b.sta": mt940(DAYS[3:])}


def _shape(found: list[dict]) -> list[tuple]:
    """What a finding is, whichever file it names."""
    return [(f["code"], f["severity"], f["date"], f["amount"], re.sub(r"\(\w+\.sta\)", "(FILE)", f["message"]))
            for f in found]


def test_a_file_of_statements_covers_each_statements_days_not_the_days_between(tmp_path):
    one = merchant(tmp_path / "one", ONE_FILE)
    imported(one, ["oktober.sta"])
    two = merchant(tmp_path / "two", TWO_FILES)
    imported(two, ["a.sta", "b.sta"])
    # the same cause, the same one finding, whatever the files: a gap of the days between
    # 10-20 and 10-27, whose balances step, naming the statement that opens off the close before
    found = findings(one)
    assert _shape(found) == _shape(findings(two)), (found, findings(two))
    [gap] = found
    assert (gap["code"], gap["severity"], gap["date"]) == ("statement-gap", "error", "2026-10-21"), gap
    assert gap["message"].startswith("no statement of spk covers 2026-10-21 to 2026-10-26 (6 days)"), gap["message"]
    assert ("its statement of 2026-10-27 (oktober.sta) opens Assets:Bank:Sparkasse at 8,764.47 EUR, but the books "
            "hold 8,884.47 EUR then (the balance of 2026-10-21): 120.00 EUR more than the bank says") in gap["message"]
    # the line the bank left out, booked by hand on a day no statement covers: every balance holds
    for root in (one, two):
        by_hand(root, "2026-10-21")
        assert findings(root) == [], root


def test_a_few_days_between_statements_that_step_are_one_gap_naming_the_statement_in_one_file_or_two(tmp_path):
    # the statement after the debit left out three days later: days a weekend may be, but the balance steps
    days = [*DAYS[:3], ("261023", *DAYS[3][1:]), DAYS[4]]
    one = merchant(tmp_path / "one", {"oktober.sta": mt940(days)})
    two = merchant(tmp_path / "two", {"a.sta": mt940(days[:3]), "b.sta": mt940(days[3:])})
    imported(one, ["oktober.sta"])
    imported(two, ["a.sta"], ["b.sta"])
    found = findings(one)
    assert _shape(found) == _shape(findings(two)), (found, findings(two))
    [gap] = found
    assert (gap["code"], gap["date"]) == ("statement-gap", "2026-10-21"), gap
    assert gap["message"].startswith("no statement of spk covers 2026-10-21 to 2026-10-22, and its balance says "
                                     "120.00 EUR less than the books hold from 2026-10-24 on"), gap["message"]
    assert gap["message"].endswith("its statement of 2026-10-23 (oktober.sta) opens Assets:Bank:Sparkasse at "
                                   "8,764.47 EUR, but the books hold 8,884.47 EUR then (the balance of 2026-10-21): "
                                   "120.00 EUR more than the bank says"), gap["message"]


def test_a_hand_entry_on_a_day_a_statement_of_the_file_covers_is_still_money_twice(tmp_path):
    root = merchant(tmp_path, ONE_FILE)
    imported(root, ["oktober.sta"])
    by_hand(root, "2026-10-20")
    assert any(f["code"] == "statement-gap" and "money counted twice" in f["message"] for f in findings(root))


def test_statements_of_a_file_that_chain_leave_no_gap_and_say_nothing(tmp_path):
    root = merchant(tmp_path, {"oktober.sta": mt940(CHAINED)})
    said = imported(root, ["oktober.sta"])
    assert "opens" not in said, said
    assert findings(root) == []
    # its coverage: the statements' days, the quiet days between them in none
    month = (root / "books" / "spk" / "2026" / "2026-10.beancount").read_text(encoding="utf-8")
    spans = re.findall(r'custom "beanclear-coverage" "spk" (\S+) .*\n  id: "coverage (\S+) (\S+) ', month)
    assert [(first, last) for _, first, last in spans] == [
        ("2026-10-06", "2026-10-06"), ("2026-10-13", "2026-10-13"), ("2026-10-20", "2026-10-20"),
        ("2026-10-27", "2026-10-27"), ("2026-10-30", "2026-10-30")], month
    # imported again: recorded by its bytes, covering its statements' first day to the last
    again = imported(root, ["oktober.sta"])
    assert "imported before (covering 2026-10-06 to 2026-10-30" in again, again


def test_an_mt940_statement_opening_off_the_one_before_in_its_file_says_so(tmp_path):
    root = merchant(tmp_path, ONE_FILE)
    said = imported(root, ["oktober.sta"])
    assert said.count("opens") == 1, said
    assert ("statement STARTUMS261027 1/1 opens Assets:Bank:Sparkasse at 8764.47 EUR at the start of 2026-10-27, but the "
            "books hold 8884.47 EUR then (the balance of 2026-10-21 in books/spk/2026/2026-10.beancount): 120.00 EUR "
            "more than the bank says") in said, said


# -- CAMT.053: daily statements of one week, the second opening 120.00 below the first's close --

CAMT_CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  commerz:
    type: camt053
    account: Assets:Bank:Commerzbank
    currency: EUR
rules:
  - {match: "MIETE", account: Expenses:Rent}
"""


def stmt(day: str, opening: str, debit: str, closing: str) -> str:
    bal = lambda code, amount: (f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
                                f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")
    return (f"<Stmt><Id>S{day}</Id><Acct><Id><IBAN>DE27200400000123456700</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + bal("OPBD", opening) + bal("CLBD", closing)
            + f'<Ntry><Amt Ccy="EUR">{debit}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt>'
            f"</BookgDt><AcctSvcrRef>R{day}</AcctSvcrRef><AddtlNtryInf>MIETE</AddtlNtryInf></Ntry></Stmt>\n")


def camt(*statements: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            "<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>\n" + "".join(statements)
            + "</BkToCstmrStmt></Document>\n")


WEEK = [stmt("2026-10-20", "1000.00", "100.00", "900.00"), stmt("2026-10-21", "780.00", "80.00", "700.00"),
        stmt("2026-10-22", "700.00", "50.00", "650.00")]
CAMT_NOTE = ("statement S2026-10-21 opens Assets:Bank:Commerzbank at 780.00 EUR at the start of 2026-10-21, but the "
             "books hold 900.00 EUR then (the balance of 2026-10-21 in books/commerz/2026/2026-10.beancount): 120.00 "
             "EUR more than the bank says")


def test_a_camt_statement_opening_off_the_close_before_says_so_however_the_files_come(tmp_path):
    files = {"one.xml": camt(*WEEK), "a.xml": camt(WEEK[0]), "b.xml": camt(*WEEK[1:])}
    shapes = []
    for name, groups in (("one-file", [["one.xml"]]), ("two-files", [["a.xml", "b.xml"]]),
                         ("two-commands", [["a.xml"], ["b.xml"]])):
        root = merchant(tmp_path / name, files, CAMT_CONFIG)
        said = imported(root, *groups)
        assert said.count("opens") == 1 and CAMT_NOTE in said, (name, said)
        found = findings(root)
        # one finding, the same however the files come, naming the statement and both amounts
        assert len(found) == 1, (name, found)
        assert ("its statement of 2026-10-21" in found[0]["message"]
                and "opens Assets:Bank:Commerzbank at 780.00 EUR, but the books hold 900.00 EUR then (the balance of "
                "2026-10-21): 120.00 EUR more than the bank says" in found[0]["message"]), (name, found[0]["message"])
        shapes.append(_shape([{**f, "message": re.sub(r"\(\w+\.xml\)", "(FILE)", f["message"])} for f in found]))
    assert shapes[0] == shapes[1] == shapes[2], shapes


def test_camt_statements_that_chain_say_nothing_in_one_file_or_two(tmp_path):
    chained = [WEEK[0], stmt("2026-10-21", "900.00", "80.00", "820.00"), stmt("2026-10-22", "820.00", "50.00", "770.00")]
    files = {"one.xml": camt(*chained), "a.xml": camt(chained[0]), "b.xml": camt(*chained[1:])}
    for name, groups in (("one-file", [["one.xml"]]), ("two-files", [["a.xml", "b.xml"]]),
                         ("two-commands", [["a.xml"], ["b.xml"]])):
        root = merchant(tmp_path / name, files, CAMT_CONFIG)
        said = imported(root, *groups)
        assert "opens" not in said, (name, said)
        assert findings(root) == [], name


def test_the_last_statement_opening_off_names_it_in_its_one_failure(tmp_path):
    root = merchant(tmp_path, {"one.xml": camt(WEEK[0], stmt("2026-10-21", "900.00", "80.00", "820.00"),
                                               stmt("2026-10-22", "800.00", "50.00", "750.00"))}, CAMT_CONFIG)
    imported(root, ["one.xml"])
    [failed] = findings(root)
    assert failed["code"] == "beancount" and failed["date"] == "2026-10-23", failed
    assert failed["message"].endswith("(20.00 too much); one cause: its statement of 2026-10-22 (one.xml) opens "
                                      "Assets:Bank:Commerzbank at 800.00 EUR, but the books hold 820.00 EUR then (the "
                                      "balance of 2026-10-22): 20.00 EUR more than the bank says"), failed["message"]


def test_a_statement_whose_own_lines_miss_its_close_is_not_taken_for_an_opening_off(tmp_path):
    # each statement opens where the one before closed; the 10-21 one's lines lead to 820.00, not its 810.00
    root = merchant(tmp_path, {"one.xml": camt(WEEK[0], stmt("2026-10-21", "900.00", "80.00", "810.00"),
                                               stmt("2026-10-22", "810.00", "50.00", "760.00"))}, CAMT_CONFIG)
    said = imported(root, ["one.xml"])
    assert "opens" not in said and "but the closing balance says 810.00" in said, said
    [failed] = findings(root)
    assert failed["code"] == "beancount" and "its statement of" not in failed["message"], failed
    assert "one cause (before 2026-10-22, a line too many (listed twice?) or a debit missing" in failed["message"]


def test_a_statement_opening_inside_a_day_is_not_held_against_the_days_start(tmp_path):
    # the afternoon's statement of 10-21 opens at its 14:00 balance (the morning's 50.00 debit in
    # a report not imported): no statement's opening of that day's start, nothing said of it
    afternoon = ("<Stmt><Id>S2026-10-21-PM</Id><FrToDt><FrDtTm>2026-10-21T14:00:00+02:00</FrDtTm><ToDtTm>"
                 "2026-10-21T23:59:59+02:00</ToDtTm></FrToDt><Acct><Id><IBAN>DE27200400000123456700</IBAN></Id>"
                 '<Ccy>EUR</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">850.00</Amt>'
                 "<CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2026-10-21T14:00:00+02:00</DtTm></Dt></Bal><Bal><Tp><CdOrPrtry>"
                 '<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">830.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-21'
                 '</Dt></Dt></Bal><Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt>'
                 "<Dt>2026-10-21</Dt></BookgDt><AcctSvcrRef>RPM</AcctSvcrRef><AddtlNtryInf>MIETE</AddtlNtryInf></Ntry>"
                 "</Stmt>\n")
    root = merchant(tmp_path, {"a.xml": camt(WEEK[0]), "b.xml": camt(WEEK[0], afternoon)}, CAMT_CONFIG)
    said = imported(root, ["a.xml"], ["b.xml"])
    assert "opens" not in said, said
    assert not any("its statement of" in f["message"] for f in findings(root))
