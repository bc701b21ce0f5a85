"""A bank line the bank marks a reversal, and the line it reverses, both in suspense
(checks/suspense.py `reversed_pairs`).

A blind tester (round 19, legacyformats): an MT940 statement's debit `D50,` "SHIPPING
INVOICE 4411" and its same-day reversal `RD50,` "STORNO SHIPPING INVOICE 4411". The
import marked the second `reversal: "true"` and the two netted to zero in
Assets:Suspense, yet `check` gave two 50.00 EUR bank-unmatched and `match` proposed
nothing for either: the line and its reversal explain each other. A reversal (MT940
`RD`/`RC`, CAMT.053 `RvslInd`) takes the nearest earlier unpaired line of its bank
account in suspense of the opposite amount, within REVERSAL_DAYS before it; the two are
no finding, no open line of `match` or `open-items`, no unexplained line of the report.
A reversal whose line is not in suspense (not in the books, of another amount, too old,
booked elsewhere by a rule) stays bank-unmatched as before.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import beanclear

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Amsterdam
banks:
  eubank:
    type: {kind}
    account: Assets:Bank:Rabo
    currency: EUR
rules:
  - {{match: "FREIGHT", account: Expenses:Shipping}}
"""


def mt940(lines, opening="1000,00") -> str:
    """An MT940 statement of `lines` (day of December 2026, mark, amount, ref, text)."""
    total = Decimal(opening.replace(",", "."))
    body = []
    for day, mark, amount, ref, text in lines:
        total += (1 if mark in ("C", "RD") else -1) * Decimal(amount.replace(",", "."))
        body += [f":61:2612{day:02d}12{day:02d}{mark}{amount}NTRFNONREF//{ref}", f":86:/NAME/CHINA POST EMS/REMI/{text}"]
    last = max(day for day, *_ in lines)
    closing = f"{total:.2f}".replace(".", ",")
    return "\n".join([":940:", ":20:940S261202", ":25:NL71RABO0123456789", ":28C:12/2",
                      f":60F:C261201EUR{opening}", *body, f":62F:C2612{last:02d}EUR{closing}", "-"]) + "\n"


def run(folder, *args, code: int = 0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(autouse=True)
def january(monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2027-01-15")


def merchant(tmp_path, name: str, text: str, kind: str = "mt940"):
    folder = tmp_path / "m"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG.format(kind=kind), encoding="utf-8")
    (folder / name).write_text(text, encoding="utf-8")
    run(folder, "import", str(folder / name))
    return folder


def unmatched(folder) -> list:
    """The refs of check's bank-unmatched findings (each a sorted list)."""
    said = json.loads(run(folder, "check", "--format", "json"))
    return sorted(sorted(f["refs"]) for f in said["findings"] if f["code"] == "bank-unmatched")


def match_lines(folder) -> list:
    said = json.loads(run(folder, "match", "--format", "json"))
    return sorted({ref for p in said["proposals"] for ref in p["bank_refs"]}
                  | {u["bank_ref"] for u in said.get("unproposed", [])})


def report_lines(folder) -> list:
    [bank] = json.loads(run(folder, "report", "2026-12", "--format", "json"))["banks"]
    return sorted(r for i in bank["unexplained_lines"] for r in i["refs"])


def ids(folder) -> dict:
    """bank-ref -> the line's id, from the books."""
    text = (folder / "books" / "eubank" / "2026" / "2026-12.beancount").read_text(encoding="utf-8")
    out, last = {}, None
    for row in text.splitlines():
        if row.strip().startswith("id:"):
            last = row.split('"')[1]
        elif row.strip().startswith("bank-ref:"):
            out[row.split('"')[1]] = last
    return out


def test_an_mt940_line_and_its_same_day_reversal_are_no_finding_and_no_open_line(tmp_path):
    folder = merchant(tmp_path, "rabo.sta", mt940([(2, "D", "50,", "BREF4411", "SHIPPING INVOICE 4411"),
                                                   (2, "RD", "50,", "BREF4412", "STORNO SHIPPING INVOICE 4411")]))
    assert unmatched(folder) == []
    assert run(folder, "check").startswith("0 errors, 0 warnings"), run(folder, "check")
    assert match_lines(folder) == []
    assert report_lines(folder) == []
    for ref, other in (("BREF4412", "BREF4411"), ("BREF4411", "BREF4412")):
        out = run(folder, "open-items", "--for", ref, code=2)
        assert ids(folder)[other] in out and "explain each other" in out and "nothing to link" in out, out


def test_a_camt_reversal_two_days_later_cancels_its_credit(tmp_path):
    def ntry(amount, ind, ref, day, extra=""):
        return (f"<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>{extra}<Sts>BOOK</Sts>"
                f"<BookgDt><Dt>2026-12-{day:02d}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
                f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME BV</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>\n")
    text = ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt>'
            "<GrpHdr><MsgId>M</MsgId></GrpHdr>\n<Stmt><Id>S1</Id><Acct><Id><IBAN>NL71RABO0123456789</IBAN></Id></Acct>\n"
            + ntry("80.00", "CRDT", "BREF1", 3) + ntry("80.00", "DBIT", "BREF2", 5, "<RvslInd>true</RvslInd>")
            + ntry("12.00", "CRDT", "BREF3", 5) + "</Stmt></BkToCstmrStmt></Document>\n")
    folder = merchant(tmp_path, "c.xml", text, "camt053")
    assert unmatched(folder) == [["BREF3"]]
    assert match_lines(folder) == ["BREF3"]
    assert report_lines(folder) == ["BREF3"]


def test_a_reversal_takes_the_nearest_earlier_unpaired_line(tmp_path):
    folder = merchant(tmp_path, "rabo.sta", mt940([(1, "D", "50,", "BREF1", "INVOICE 1"),
                                                   (3, "D", "50,", "BREF3", "INVOICE 3"),
                                                   (4, "RD", "50,", "BREF4", "STORNO INVOICE 3"),
                                                   (4, "RD", "50,", "BREF5", "STORNO INVOICE 1")]))
    assert unmatched(folder) == []   # two reversals, two lines: each its own
    folder = merchant(tmp_path / "b", "rabo.sta", mt940([(1, "D", "50,", "BREF1", "INVOICE 1"),
                                                         (3, "D", "50,", "BREF3", "INVOICE 3"),
                                                         (4, "RD", "50,", "BREF4", "STORNO INVOICE 3")]))
    assert unmatched(folder) == [sorted(["BREF1", ids(folder)["BREF1"]])]
    assert match_lines(folder) == [ids(folder)["BREF1"]]


@pytest.mark.parametrize("lines, left", [
    # must not fire: a reversal whose line is not in the books
    ([(2, "RD", "50,", "BREF2", "STORNO SHIPPING INVOICE 4411")], ["BREF2"]),
    # of another amount
    ([(2, "D", "50,", "BREF1", "SHIPPING"), (2, "RD", "45,", "BREF2", "STORNO SHIPPING")], ["BREF1", "BREF2"]),
    # further back than REVERSAL_DAYS
    ([(1, "D", "50,", "BREF1", "SHIPPING"), (20, "RD", "50,", "BREF2", "STORNO SHIPPING")], ["BREF1", "BREF2"]),
    # of the same direction (RC reverses a credit: money out, as the debit)
    ([(2, "D", "50,", "BREF1", "SHIPPING"), (2, "RC", "50,", "BREF2", "STORNO SHIPPING")], ["BREF1", "BREF2"]),
    # opposite lines the bank marks no reversal: two lines, each to explain
    ([(2, "D", "50,", "BREF1", "SHIPPING"), (2, "C", "50,", "BREF2", "REFUND SHIPPING")], ["BREF1", "BREF2"]),
    # the line reversed a rule booked elsewhere: the reversal alone in suspense, as before
    ([(2, "D", "50,", "BREF1", "FREIGHT 4411"), (3, "RD", "50,", "BREF2", "STORNO 4411")], ["BREF2"]),
])
def test_a_reversal_without_its_line_in_suspense_stays_bank_unmatched(tmp_path, lines, left):
    folder = merchant(tmp_path, "rabo.sta", mt940(lines))
    assert unmatched(folder) == sorted(sorted([ref, ids(folder)[ref]]) for ref in left)
    assert match_lines(folder) == sorted(ids(folder)[ref] for ref in left)
    assert report_lines(folder) == sorted(ids(folder)[ref] for ref in left)


def test_a_line_of_the_pair_booked_by_hand_leaves_the_other_bank_unmatched(tmp_path):
    # a person who books one of them (as before this rule) has the other to book too
    folder = merchant(tmp_path, "rabo.sta", mt940([(2, "D", "50,", "BREF4411", "SHIPPING INVOICE 4411"),
                                                   (2, "RD", "50,", "BREF4412", "STORNO SHIPPING INVOICE 4411")]))
    run(folder, "book", "BREF4411", "Expenses:Shipping")
    assert unmatched(folder) == [sorted(["BREF4412", ids(folder)["BREF4412"]])]
    run(folder, "book", "BREF4412", "Expenses:Shipping")
    assert unmatched(folder) == []


def test_a_lone_reversal_says_so_and_where_it_goes(tmp_path):
    folder = merchant(tmp_path, "rabo.sta", mt940([(2, "D", "50,", "BREF1", "FREIGHT 4411"),
                                                   (3, "RD", "50,", "BREF2", "STORNO 4411")]))
    out = run(folder, "check")
    assert ("bank-unmatched 2026-12-03 eubank   50.00 EUR: bank credit of 50.00 EUR that no rule, payout or entry "
            "explains (the bank marks it a reversal, and no bank debit of 50.00 EUR it reverses waits in "
            "Assets:Suspense from the 14 days before it: book it where that line is booked): CHINA POST EMS STORNO "
            "4411") in out, out
    run(folder, "book", "BREF2", "Expenses:Shipping")
    assert run(folder, "check").startswith("0 errors, 0 warnings")


WALLET = """\
books: books
currency: CNY
channels:
  alipay-personal: {type: alipay-personal, settlement_days: 400}
"""
PAID_AND_REFUNDED = """\
2023-01-01 open Assets:Suspense
2023-01-01 open Assets:Savings:Alipay-personal
2023-01-01 open Assets:Clearing:Alipay-personal
2023-01-09 * "一卡通" "一卡通充值"
  id: "2023X88"
  Assets:Suspense                 50.00 CNY
  Assets:Savings:Alipay-personal -50.00 CNY
2023-01-09 * "一卡通" "退款-一卡通充值"
  id: "2023X88_57"
  refund-of: "2023X88"
  Assets:Savings:Alipay-personal  {refund} CNY
  Assets:Suspense                -{refund} CNY
"""


@pytest.mark.parametrize("refund, left", [("50.00", []), ("20.00", ["2023X88", "2023X88_57"])])
def test_a_wallet_payment_and_its_whole_refund_naming_it_explain_each_other(tmp_path, refund, left):
    # blind23 (newcomer): an Alipay personal bill's 一卡通充值 50.00 and its 退款 (refund-of
    # naming it), both in suspense, were two bank-unmatched though together they moved no
    # money. Must not: a part refunded leaves both to a person.
    from beancount import loader
    from beanclear import config as config_mod
    from beanclear.checks import suspense
    (tmp_path / "config.yaml").write_text(WALLET, encoding="utf-8")
    config = config_mod.load(tmp_path / "config.yaml")
    entries, errors, _ = loader.load_string(PAID_AND_REFUNDED.format(refund=refund))
    assert not errors, errors
    found = suspense.findings(entries, config)
    assert sorted(f.refs[0] for f in found if f.code == "bank-unmatched") == left
