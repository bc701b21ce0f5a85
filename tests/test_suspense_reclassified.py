"""A line in suspense reclassified by an entry of a person's own (checks/suspense.py).

A blind tester's December credit of 150.00 sat in Assets:Suspense over the year end;
December was closed, so `book FB2 Income:Other` was refused (as documented), and the
accountant reclassified it in January with an entry of their own: DESIGN §1's way out of
suspense. The check still listed the credit, and the entry itself as a "bank debit" of no
bank, and January could not close: the one way out was to reopen the previous year.
"""

from __future__ import annotations

import json

import pytest

from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: UTC
banks:
  firstbank:
    type: csv
    account: Assets:Bank:FirstBank
    currency: USD
    date_format: "%Y-%m-%d"
    quiet_days: 31
    columns: {date: Date, amount: Amount, memo: Description, ref: Reference, balance: Balance}
rules:
  - {match: "RENT", account: Expenses:Rent}
checks:
  bank-unmatched: {severity: error}
"""
DECEMBER = """\
Date,Description,Amount,Reference,Balance
2024-12-01,RENT,-100.00,FB1,900.00
2024-12-20,DEPOSIT REF 88213,150.00,FB2,1050.00
2024-12-31,RENT,-100.00,FB3,950.00
"""
JANUARY = """\
Date,Description,Amount,Reference,Balance
2025-01-02,RENT,-100.00,FB4,850.00
2025-01-31,RENT,-100.00,FB5,750.00
"""
MINE = """\
2025-01-31 open Income:Other
2025-01-31 * "J. Smith" "prepayment wired 2024-12-20 (FB2), reclassified from suspense"
  Assets:Suspense    {amount} USD
  Income:Other      {other} USD
"""


def run(folder, *args, code: int = 0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def closed_december(tmp_path, monkeypatch):
    """FB2 in suspense, December closed, January imported."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "dec.csv").write_text(DECEMBER, encoding="utf-8")
    (folder / "jan.csv").write_text(JANUARY, encoding="utf-8")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-01-05")
    run(folder, "import", str(folder / "dec.csv"))
    run(folder, "follow-up", "bank-unmatched", "FB2", "--owner", "bob", "--due", "2025-01-20")
    run(folder, "close", "2024-12")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-02-05")
    run(folder, "import", str(folder / "jan.csv"))
    assert "2024-12 is closed" in run(folder, "book", "FB2", "Income:Other", code=2)
    return folder


def reclassify(folder, amount: str, other: str) -> None:
    (folder / "books" / "mine.beancount").write_text(MINE.format(amount=amount, other=other), encoding="utf-8")
    with open(folder / "books" / "main.beancount", "a", encoding="utf-8") as main:
        main.write('include "mine.beancount"\n')


def findings(folder, month: str) -> list[tuple]:
    report = json.loads(run(folder, "report", month, "--format", "json"))
    return [(f["status"], f["date"], f["refs"], f["resolution"]) for f in report["findings"]]


def test_a_closed_months_line_reclassified_in_the_next_is_resolved_there_and_the_month_closes(closed_december):
    folder = closed_december
    december = run(folder, "report", "2024-12")
    reclassify(folder, "150.00", "-150.00")
    out = run(folder, "check")
    assert out.startswith("0 errors, 0 warnings"), out
    run(folder, "close", "2025-01")
    # January lists it resolved by the entry; December, re-run, as every finding the books
    # resolved since (the report saved at its close is what was closed)
    resolved = ("resolved", "2024-12-20", ["FB2"], "reclassified by hand at books/mine.beancount:2")
    assert findings(folder, "2025-01") == [resolved]
    assert findings(folder, "2024-12") == [resolved]
    assert "open         bank-unmatched         2024-12-20 firstbank 150.00 USD" in december


def test_a_reclassification_of_the_wrong_sign_says_so_and_the_line_stays_open(closed_december):
    # the tester's own entry: Suspense -150 / Income:Other 150 adds to suspense
    folder = closed_december
    reclassify(folder, "-150.00", "150.00")
    out = run(folder, "check", code=1)
    assert "bank debit of 150.00 USD that" not in out
    assert ("error   bank-unmatched 2025-01-31 -        150.00 USD: an entry of your own posts -150.00 USD to "
            "Assets:Suspense that no bank line put there (it would answer a bank debit of 150.00 USD in suspense, and "
            "none is open on or before 2025-01-31; FB2, the bank credit of 150.00 USD it names, is answered by "
            "posting 150.00 USD): J. Smith prepayment wired 2024-12-20 (FB2), reclassified from suspense "
            "(books/mine.beancount:2)") in out
    assert "bank-unmatched 2024-12-20 firstbank 150.00 USD: bank credit of 150.00 USD that no rule, payout or " \
           "entry explains: DEPOSIT REF 88213" in out
    assert "cannot be closed" in run(folder, "close", "2025-01", code=1)


def test_a_reclassification_is_listed_in_its_month_beside_a_link_of_a_match(closed_december):
    # fix299's review: where any resolution named a match link (`^payout-…`), every
    # resolution was made anew without `listed_here`, and January's report lost the
    # December line it reclassified
    folder = closed_december
    reclassify(folder, "150.00", "-150.00")
    with open(folder / "books" / "mine.beancount", "a", encoding="utf-8") as mine:
        mine.write('2025-01-31 open Assets:Other\n2025-01-31 * "a payout matched by hand" ^payout-P1\n'
                   "  reclassifies: \"P1\"\n  Assets:Other   0.00 USD\n  Income:Other   0.00 USD\n")
    resolved = ("resolved", "2024-12-20", ["FB2"], "reclassified by hand at books/mine.beancount:2")
    assert resolved in findings(folder, "2025-01")


def test_a_line_reclassified_in_its_own_month_is_listed_resolved_and_not_unexplained(closed_december):
    # README "Report": what an entry of your own settled is listed resolved in its own month,
    # even where that entry is of the finding's own month; the bank's section lists the
    # month's lines in suspense, and a line reclassified is explained
    folder = closed_december
    (folder / "feb.csv").write_text("Date,Description,Amount,Reference,Balance\n"
                                    "2025-02-03,WIRE 4471,80.00,FB6,830.00\n", encoding="utf-8")
    run(folder, "import", str(folder / "feb.csv"))

    def february():
        report = json.loads(run(folder, "report", "2025-02", "--format", "json"))
        [bank] = report["banks"]
        return ([i["refs"] for i in bank["unexplained_lines"]],
                [(f["status"], f["refs"], f["resolution"]) for f in report["findings"]])
    assert february() == ([["FB6"]], [("open", ["FB6"], "")])
    (folder / "books" / "mine.beancount").write_text(
        '2025-02-01 open Income:Other\n2025-02-10 * "wire 4471, a deposit"\n  reclassifies: "FB6"\n'
        "  Assets:Suspense     80.00 USD\n  Income:Other       -80.00 USD\n", encoding="utf-8")
    with open(folder / "books" / "main.beancount", "a", encoding="utf-8") as main:
        main.write('include "mine.beancount"\n')
    assert february() == ([], [("resolved", ["FB6"], "reclassified by hand at books/mine.beancount:2")])


def test_match_proposes_nothing_for_a_line_reclassified_and_still_for_one_that_is_not(closed_december):
    """`match` leaves a reclassified line alone (its --apply would link it, and the
    entry of your own would then answer no line); must not fire: before the entry, or
    with the wrong sign (the line still open), the line is the matcher's to look at."""
    folder = closed_december

    def lines() -> list:
        said = json.loads(run(folder, "match", "--format", "json"))
        return sorted({ref for p in said["proposals"] for ref in p["bank_refs"]}
                      | {u["bank_ref"] for u in said.get("unproposed", [])})

    assert "FB2" in lines()
    reclassify(folder, "-150.00", "150.00")   # the wrong sign: FB2 stays open
    assert "FB2" in lines()
    reclassify(folder, "150.00", "-150.00")
    assert "FB2" not in lines()
