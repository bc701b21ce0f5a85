"""A statement whose stated period starts inside a day (`起始时间：[2026-03-10 14:00:00]`, a
CAMT `FrDtTm` or `OPBD` stamped 14:00) knows its balance at that moment, not at the start
of the day: the rows of the day before it are in the download before (blind9). The books
assert no balance of the start of that day from it and take no opening it states of it
(importers/base.py from_its_start); the opening worked back from its first balance counts
the rows of that day before its start as far as the books hold them, and moves with those
booked later (`statement-starts:`), so that two statements split inside a day give the
same books in either order, in one import or apart. The mirror of a statement that ends
inside a day (base.to_its_end), for CAMT too: its `ToDtTm` or closing balance stamped
14:00 asserts no closing balance of that day."""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal

import pytest

from conftest import beanclear, snapshot

# -- a bank CSV whose preamble states its period to the second ------------------------

CSV_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: CNY
    date_format: "%Y-%m-%d %H:%M:%S"
    columns: {date: 交易时间, amount: 交易金额, memo: 摘要, ref: 交易流水号, balance: 余额}
"""
HEADER = "交易时间,交易流水号,摘要,交易金额,余额"
# 1000.00 at the start of 9 March; +100.00 on the 9th, +50.00 at 09:00 and +20.00 at 15:00 on
# the 10th, +5.00 on the 11th.
A1, A2 = "2026-03-09 10:00:00,A1,收入,100.00,1100.00", "2026-03-10 09:00:00,A2,收入,50.00,1150.00"
B1, B2 = "2026-03-10 15:00:00,B1,收入,20.00,1170.00", "2026-03-11 10:00:00,B2,收入,5.00,1175.00"
CSV = {
    # the download before the cut: the 10th from midnight to 14:00 (alone, or after the 9th)
    "morning": ("2026-03-10 00:00:00", "2026-03-10 14:00:00", [A2]),
    "before": ("2026-03-09 00:00:00", "2026-03-10 14:00:00", [A1, A2]),
    # the download from the cut: its first balance is of 14:00 on the 10th
    "after": ("2026-03-10 14:00:00", "2026-03-12 00:00:00", [B1, B2]),
    # the 10th and 11th whole, from midnight
    "whole": ("2026-03-10 00:00:00", "2026-03-12 00:00:00", [A2, B1, B2]),
}


def csv_merchant(root, names):
    (root / "st").mkdir(parents=True)
    (root / "config.yaml").write_text(CSV_CONFIG, encoding="utf-8")
    for name in names:
        start, end, rows = CSV[name]
        lines = ["账户明细", "账号：6222", f"起始时间：[{start}]    终止时间：[{end}]", "", HEADER, *rows]
        (root / "st" / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def failing(root) -> list[str]:
    checked = beanclear(root, "check", "--format", "json")
    return [f["message"] for f in json.loads(checked.output)["findings"] if f["code"] == "beancount"]


def opening(root, account: str) -> tuple[str, str, str | None]:
    """(date, amount, statement-starts) of the opening written for `account`."""
    text = (root / "books" / "accounts.beancount").read_text(encoding="utf-8")
    found = re.search(rf'^(\S+) \* "Opening balance" "{re.escape(account)} [^\n]*\n(?:  id: [^\n]*\n)'
                      rf'(?:  statement-starts: "([^"]*)"\n)?  {re.escape(account)} +(\S+) ', text, re.M)
    assert found, text
    return found.group(1), found.group(3), found.group(2)


def every_order(tmp_path, make, names, subdir):
    """The books of importing `names` in every order, in one command and one by one: each
    checked without an error of Beancount's; {(order, together): snapshot}."""
    books = {}
    for order in itertools.permutations(names):
        for together in (True, False):
            root = make(tmp_path / f"{'-'.join(order)}-{together}", names)
            paths = [str(root / "st" / f"{name}.{subdir}") for name in order]
            for batch in ([paths] if together else [[path] for path in paths]):
                result = beanclear(root, "import", *batch)
                assert result.exit_code == 0, result.output
            assert failing(root) == [], (order, together)
            books[order, together] = (root, snapshot(root / "books"))
    return books


@pytest.mark.parametrize("names, opened", [
    # the morning of the 10th alone before the cut: the opening comes from the download after
    # it, and counts the morning however the two come (blind9: imported after it, the morning
    # broke the balance of the 11th, by 50.00, and the books differed by order)
    (("morning", "after"), ("2026-03-09", "1100.00", "2026-03-10 14:00:00")),
    # with the 9th before it: the download before the cut opens the books (must not fire: as before)
    (("before", "after"), ("2026-03-08", "1000.00", None)),
])
def test_two_bank_statements_split_inside_a_day_give_the_same_books_in_every_order(tmp_path, names, opened):
    books = every_order(tmp_path, csv_merchant, names, "csv")
    (root, first), *others = books.values()
    assert [key for key, (_, snap) in books.items() if snap != first] == []
    assert opening(root, "Assets:Bank:Ops") == opened
    month = (root / "books" / "ops" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert re.findall(r"^(\S+) balance Assets:Bank:Ops +(\S+) CNY", month, re.M) == [
        ("2026-03-10", "1100.00")] * (names[0] == "before") + [("2026-03-11", "1170.00"), ("2026-03-12", "1175.00")]


def test_a_statement_starting_inside_a_day_alone_opens_at_its_balance_then_and_says_so(tmp_path):
    root = csv_merchant(tmp_path, ["after"])
    result = beanclear(root, "import", str(root / "st" / "after.csv"))
    assert result.exit_code == 0, result.output
    assert opening(root, "Assets:Bank:Ops") == ("2026-03-09", "1150.00", "2026-03-10 14:00:00")
    assert ("after.csv starts 2026-03-10 14:00, inside that day: lines of the day before then count as far as the "
            "books hold them, and those booked later move it") in result.output
    assert failing(root) == []


def test_a_statement_starting_at_midnight_keeps_its_opening_and_a_line_it_lacks_fails_its_balance(tmp_path):
    """Must not fire: a statement of whole days opens the books as it did, without the
    moment; a line of its first day that another statement books later is a line the
    first lacks (or books twice): its balance fails, the opening does not move."""
    root = csv_merchant(tmp_path, ["whole", "morning"])
    result = beanclear(root, "import", str(root / "st" / "whole.csv"))
    assert result.exit_code == 0, result.output
    assert opening(root, "Assets:Bank:Ops") == ("2026-03-09", "1100.00", None)
    assert "inside that day" not in result.output
    # another download of the morning, its line under another id
    other = (root / "st" / "morning.csv").read_text(encoding="utf-8").replace(",A2,", ",X2,")
    (root / "st" / "morning.csv").write_text(other, encoding="utf-8")
    result = beanclear(root, "import", str(root / "st" / "morning.csv"))
    assert result.exit_code == 0, result.output
    assert opening(root, "Assets:Bank:Ops") == ("2026-03-09", "1100.00", None)
    assert [m.split(" expected")[0] for m in failing(root)] == ["Balance failed for 'Assets:Bank:Ops':"]


# -- CAMT.053: a period and balances stamped to the second -----------------------------

CAMT_CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  camt: {type: camt053, account: Assets:Bank:Camt, currency: EUR}
"""
Z = "+01:00"


def _bal(kind, amount, stamp):
    when = f"<DtTm>{stamp}</DtTm>" if "T" in stamp else f"<Dt>{stamp}</Dt>"
    return (f'<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
            f"<CdtDbtInd>CRDT</CdtDbtInd><Dt>{when}</Dt></Bal>\n")


def camt(ref, period, opening_, closing, entries) -> str:
    """A CAMT.053 of one `Stmt`: `period` (FrDtTm, ToDtTm) or None, `opening_` and
    `closing` (amount, Dt or DtTm) or None, an `Ntry` per (ref, DtTm, amount)."""
    dates = (f"<FrToDt><FrDtTm>{period[0]}</FrDtTm><ToDtTm>{period[1]}</ToDtTm></FrToDt>" if period else "")
    body = "".join(
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><DtTm>{when}</DtTm>'
        f"</BookgDt><AcctSvcrRef>{ident}</AcctSvcrRef><NtryDtls></NtryDtls></Ntry>\n" for ident, when, amount in entries)
    return ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt><GrpHdr><MsgId>M'
            f"</MsgId></GrpHdr>\n<Stmt><Id>{ref}</Id>{dates}<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n"
            + (_bal("OPBD", *opening_) if opening_ else "") + (_bal("CLBD", *closing) if closing else "") + body
            + "</Stmt></BkToCstmrStmt></Document>\n")


CUT = f"2026-03-10T14:00:00{Z}"
E_A1, E_A2 = ("A1", f"2026-03-09T10:00:00{Z}", "100.00"), ("A2", f"2026-03-10T09:00:00{Z}", "50.00")
E_B1, E_B2 = ("B1", f"2026-03-10T15:00:00{Z}", "20.00"), ("B2", f"2026-03-11T10:00:00{Z}", "5.00")
CAMT = {
    # to the cut: its closing balance is of 14:00 on the 10th, not the day's close
    "before": camt("A", (f"2026-03-09T00:00:00{Z}", CUT), ("1000.00", "2026-03-08"), ("1150.00", CUT),
                   [E_A1, E_A2]),
    "morning": camt("M", (f"2026-03-10T00:00:00{Z}", CUT), ("1100.00", "2026-03-09"), ("1150.00", CUT), [E_A2]),
    # from the cut: its opening balance is of 14:00 on the 10th, not of the day's start
    "after": camt("B", (CUT, f"2026-03-11T23:59:59{Z}"), ("1150.00", CUT), ("1175.00", "2026-03-11"),
                  [E_B1, E_B2]),
}


def camt_merchant(root, names):
    (root / "st").mkdir(parents=True)
    (root / "config.yaml").write_text(CAMT_CONFIG, encoding="utf-8")
    for name in names:
        (root / "st" / f"{name}.xml").write_text(CAMT[name], encoding="utf-8")
    return root


@pytest.mark.parametrize("names, opened", [
    # blind9: the download before the cut asserted its 14:00 balance as the close of the 10th,
    # the one after it its 14:00 balance as the opening of the 10th: a balance failed by order
    (("before", "after"), ("2026-03-08", "1000.00", "2026-03-10 14:00:00")),
    (("morning", "after"), ("2026-03-09", "1100.00", "2026-03-10 14:00:00")),
])
def test_two_camt_statements_split_inside_a_day_give_the_same_books_in_every_order(tmp_path, names, opened):
    books = every_order(tmp_path, camt_merchant, names, "xml")
    (root, first), *others = books.values()
    assert [key for key, (_, snap) in books.items() if snap != first] == []
    assert opening(root, "Assets:Bank:Camt") == opened
    month = (root / "books" / "camt" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert re.findall(r"^(\S+) balance Assets:Bank:Camt +(\S+) EUR", month, re.M) == [("2026-03-12", "1175.00")]


def read_camt(cfg, tmp_path, body):
    from beanclear.importers import camt053
    path = tmp_path / "c.xml"
    path.write_text(body, encoding="utf-8")
    return camt053.Importer(cfg.banks["camt"], cfg).read(str(path))


def balances(extraction) -> list[tuple[str, str]]:
    return [(str(e.date), str(e.amount.number)) for e in extraction.entries if type(e).__name__ == "Balance"]


@pytest.mark.parametrize("stamp, period, asserted", [
    # an opening of 14:00 on the 10th, with no closing balance: asserted on the 10th it was
    # checked before the 10th's morning; the statement shows nothing of the day before it
    (CUT, None, []),
    (f"2026-03-10T09:30:00{Z}", (CUT, f"2026-03-10T23:59:59{Z}"), []),
    ("2026-03-09", (CUT, f"2026-03-10T23:59:59{Z}"), []),   # its period starts at 14:00
    # must not fire: a statement from midnight keeps its opening assertion
    ("2026-03-09", (f"2026-03-10T00:00:00{Z}", f"2026-03-10T23:59:59{Z}"), [("2026-03-10", "1150.00")]),
    (f"2026-03-10T00:00:00{Z}", None, [("2026-03-10", "1150.00")]),   # the first instant of the 10th
    ("2026-03-09", None, [("2026-03-10", "1150.00")]),
])
def test_a_camt_opening_of_a_moment_inside_a_day_is_not_asserted_at_its_start(make_config, tmp_path, stamp, period,
                                                                             asserted):
    extraction = read_camt(make_config(CAMT_CONFIG), tmp_path, camt("O", period, ("1150.00", stamp), None, [E_B1]))
    assert balances(extraction) == asserted
    assert bool(extraction.stated_openings) == bool(asserted)


def test_a_camt_opening_of_a_moment_with_nothing_after_it_that_day_holds_at_the_next(make_config, tmp_path):
    """Its first entry the day after: the statement shows nothing of the 10th after 14:00,
    so its balance then is the 10th's close, the opening of the 11th (kept)."""
    extraction = read_camt(make_config(CAMT_CONFIG), tmp_path, camt("O", None, ("1150.00", CUT), None, [E_B2]))
    assert balances(extraction) == [("2026-03-11", "1150.00")]
    assert [(str(o.day), str(o.amount)) for o in extraction.stated_openings.values()] == [("2026-03-11", "1150.00")]


def test_a_camt_closing_balance_of_a_moment_inside_a_day_is_not_asserted_as_its_close(make_config, tmp_path):
    extraction = read_camt(make_config(CAMT_CONFIG), tmp_path, CAMT["before"])
    assert balances(extraction) == []
    assert any("it ends 2026-03-10 14:00, inside that day" in note for note in extraction.notes), extraction.notes
    assert extraction.stated_openings and extraction.starts_inside is None


def test_a_camt_period_of_whole_days_asserts_as_before(make_config, tmp_path):
    """Must not fire: `T00:00:00` to `T23:59:59` (oca's `.999Z`) is whole days."""
    body = camt("W", (f"2026-03-10T00:00:00{Z}", f"2026-03-11T23:59:59.999{Z}"), ("1100.00", "2026-03-09"),
                ("1175.00", "2026-03-11"), [E_A2, E_B1, E_B2])
    extraction = read_camt(make_config(CAMT_CONFIG), tmp_path, body)
    assert balances(extraction) == [("2026-03-12", "1175.00")]
    assert extraction.starts_inside is None and extraction.ends_inside is None
    assert [(str(o.day), o.amount) for o in extraction.stated_openings.values()] == [("2026-03-10", Decimal("1100.00"))]
