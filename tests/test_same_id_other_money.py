"""A row whose id the books hold, listed again with other money (books/same_rows.py): a
contradiction, refused naming both lines, the books untouched; never "already in the
books" (blind29: a re-downloaded bank CSV, CAMT.053 and WeChat trade bill each said one
line otherwise, and the books kept the old amount in silence). The same id with the same
money, another view of the row, a person's edit of its other side: as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FUND, TRADE, bank_file, beanclear, sample, snapshot
from statement_files import TRADE_FOOTER, TRADE_ROWS, fund_ledger, trade_detail, trade_row
from test_late_balances import mt940
from test_bank_traps import camt, ntry
from test_import_held import bill, merchant as trade_merchant, run as trade_run
from test_paypal_views import CSV as PAYPAL_CSV, RESPONSE as PAYPAL_RESPONSE
from test_statement_coverage import BANK_ONLY

BANKS = BANK_ONLY + """\
  de: {type: mt940, account: Assets:Bank:DE, currency: EUR}
  eur: {type: camt053, account: Assets:Bank:Eur, currency: EUR}
rules:
  - {match: "房租", account: Expenses:Rent}
"""
B001 = "2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03"
B002 = "2021-01-31,B002,房租,某某置业,-500.00,500.03"
OPS = Path("books") / "ops" / "2021" / "2021-01.beancount"


def banks(tmp_path) -> Path:
    (tmp_path / "config.yaml").write_text(BANKS, encoding="utf-8")
    (tmp_path / "st").mkdir()
    return tmp_path


def imported(root, *paths) -> str:
    result = beanclear(root, "import", *map(str, paths))
    assert result.exit_code == 0, result.output
    return result.output


def refused(root, *paths) -> str:
    before = snapshot(root / "books")
    result = beanclear(root, "import", *map(str, paths))
    assert result.exit_code == 2, result.output
    assert snapshot(root / "books") == before and "Traceback" not in result.output
    return result.output


# -- a bank CSV ------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, balance, said", [("-550.00", "450.03", "-550.00 CNY"),   # other amount
                                                    ("500.00", "1500.03", "500.00 CNY")])  # other direction
def test_a_bank_line_downloaded_again_with_other_money_is_refused(tmp_path, amount, balance, said):
    root = banks(tmp_path)
    imported(root, bank_file(root / "st", "jan.csv", rows=(B001, B002)))
    again = bank_file(root / "st", "jan-again.csv", rows=(B001, B002.replace("-500.00,500.03", f"{amount},{balance}")))
    output = refused(root, again)
    assert (f"jan-again.csv:6: id 'B002' is in the books ({OPS}:8) with Assets:Bank:Ops -500.00 CNY, but this file "
            f"says {said}: one id is one movement") in output, output
    assert "already in the books" not in output


def test_both_downloads_in_one_import_are_refused_naming_the_first(tmp_path):
    root = banks(tmp_path)
    first = bank_file(root / "st", "jan.csv", rows=(B001, B002))
    again = bank_file(root / "st", "jan-again.csv", rows=(B001, B002.replace("-500.00,500.03", "-550.00,450.03")))
    result = beanclear(root, "import", str(first), str(again))
    assert result.exit_code == 2, result.output
    assert "jan-again.csv:6: id 'B002' is in the books (jan.csv:6) with Assets:Bank:Ops -500.00 CNY" in result.output
    assert not list((root / "books").rglob("*.beancount"))


def test_an_overlapping_download_and_a_line_split_by_hand_are_the_same_lines(tmp_path):
    root = banks(tmp_path)
    imported(root, bank_file(root / "st", "jan.csv", rows=(B001, B002)))
    month = root / OPS
    split = month.read_text(encoding="utf-8").replace(
        "  Expenses:Rent                               500.00 CNY\n",
        "  Expenses:Rent                               450.00 CNY\n  Expenses:Utilities   50.00 CNY ; by hand\n")
    assert split != month.read_text(encoding="utf-8")
    month.write_text(split, encoding="utf-8")
    later = bank_file(root / "st", "jan-feb.csv", rows=(B001, B002, "2021-02-01,B003,财付通提现,财付通,1.00,501.03"))
    output = imported(root, later)
    assert "3 rows read, 1 entries written, 2 already in the books" in output, output
    assert month.read_text(encoding="utf-8") == split   # the person's split stays as it was
    assert "imported before" in imported(root, later)   # the same bytes again: not read


def test_an_entry_a_person_changed_is_left_as_they_left_it(tmp_path):
    # README "Re-importing a statement": to keep an imported entry's money out of the books,
    # change it, keeping its `id:` line; a statement that lists its row again leaves it so
    root = banks(tmp_path)
    imported(root, bank_file(root / "st", "jan.csv", rows=(B001, B002)))
    month = root / OPS
    text = month.read_text(encoding="utf-8")
    start = text.index('2021-01-31 * "某某置业"')
    changed = text[:start] + ('2021-01-31 ! "某某置业" "房租" ; paid by the landlord back\n  id: "B002"\n'
                              "  Assets:Bank:Ops  0.00 CNY\n  Expenses:Rent  0.00 CNY\n")
    month.write_text(changed, encoding="utf-8")
    output = imported(root, bank_file(root / "st", "again.csv", rows=(B001, B002, "2021-02-01,B003,x,y,1.00,501.03")))
    assert "3 rows read, 1 entries written, 2 already in the books" in output, output
    assert (f"1 of its rows move other money than their entries in the books, which a person edited: left as they "
            f"are (e.g. B002 ({OPS}:8))") in output
    assert month.read_text(encoding="utf-8") == changed
    # the same change written as an import writes an entry: the books' word against the bank's, refused
    plain = text[:start] + ('2021-01-31 * "某某置业" "房租"\n  id: "B002"\n'
                            "  Assets:Bank:Ops                               0.00 CNY\n"
                            "  Expenses:Rent                                 0.00 CNY\n")
    month.write_text(plain, encoding="utf-8")
    later = bank_file(root / "st", "later.csv", rows=(B001, B002, "2021-02-02,B004,x,y,1.00,502.03"))
    assert f"later.csv:6: id 'B002' is in the books ({OPS}:8) with Assets:Bank:Ops 0.00 CNY, but this file says " \
        "-500.00 CNY" in refused(root, later)


def test_a_line_listed_twice_in_one_statement_is_still_booked_once(tmp_path):
    root = banks(tmp_path)
    imported(root, bank_file(root / "st", "jan.csv", rows=(B001, B002)))
    output = imported(root, bank_file(root / "st", "apart.csv", rows=(B001, B002, B001)))
    assert "0 entries written, 2 already in the books" in output and "repeat an earlier row" in output, output


def test_a_balance_the_books_assert_otherwise_is_said_not_counted_as_held(tmp_path):
    # the same lines (no ref: known by what they say), the last running balance 10.00 lower:
    # nothing this download brings explains it, and the books keep theirs (late_balances.py)
    root = banks(tmp_path)
    (root / "config.yaml").write_text(BANKS.replace(" ref: 交易流水号,", ""), encoding="utf-8")
    header = "交易日期,摘要,对方户名,交易金额,余额"
    (root / "st" / "jan.csv").write_text(f"{header}\n2026-01-20,他行汇入,客户甲,200.00,1200.00\n"
                                         "2026-01-30,他行汇入,客户乙,500.00,1700.00\n", encoding="utf-8")
    (root / "st" / "wrong.csv").write_text(f"{header}\n2026-01-20,他行汇入,客户甲,200.00,1200.00\n"
                                           "2026-01-30,他行汇入,客户乙,500.00,1690.00\n", encoding="utf-8")
    imported(root, root / "st" / "jan.csv")
    output = imported(root, root / "st" / "wrong.csv")
    assert ("balance assertions: 0 written, 1 already in the books, 1 the books assert otherwise (kept: see the note)"
            in output), output
    assert ("1 of its balances the books assert with other amounts, and no line it brings comes before them: kept as "
            "the books say (e.g. Assets:Bank:Ops on 2026-01-31: 1690.00 CNY, the books 1700.00 CNY in "
            "books/ops/2026/2026-01.beancount)") in output
    assert "1700.00 CNY" in (root / "books" / "ops" / "2026" / "2026-01.beancount").read_text(encoding="utf-8")


# -- MT940 and CAMT.053 ------------------------------------------------------------------------

NOVEMBER = ("NOV", "251031", "1000,00", [("251110", 200, "B1", "Kunde A"), ("251120", 300, "B2", "Kunde B")],
            "251130", "1500,00")
OTHERWISE = ("NOV", "251031", "1000,00", [("251110", 200, "B1", "Kunde A"), ("251120", 350, "B2", "Kunde B")],
             "251130", "1550,00")


def test_an_mt940_line_of_other_money_is_another_line(tmp_path):
    # an MT940 line's id is a digest of what it says, its amount among them (mt940.py): a
    # line of other money is another line, booked, and the balances it comes before restated
    root = banks(tmp_path)
    (root / "st" / "nov.sta").write_text(mt940(*NOVEMBER), encoding="utf-8")
    (root / "st" / "nov-again.sta").write_text(mt940(*OTHERWISE), encoding="utf-8")
    imported(root, root / "st" / "nov.sta")
    output = imported(root, root / "st" / "nov-again.sta")
    assert "1 entries written, 1 already in the books" in output and "restated the balances of 1 day(s)" in output


def test_a_camt_entry_issued_again_with_other_money_is_refused_and_the_same_is_held(tmp_path):
    root = banks(tmp_path)
    (root / "st" / "c.xml").write_text(camt([ntry("10.00", ref="A1"), ntry("5.00", ref="A2")]), encoding="utf-8")
    (root / "st" / "same.xml").write_text(camt([ntry("10.00", ref="A1"), ntry("5.00", ref="A2"),
                                                ntry("7.00", ref="A3")]), encoding="utf-8")
    (root / "st" / "other.xml").write_text(camt([ntry("10.00", ref="A1"), ntry("5.00", "DBIT", ref="A2")]),
                                           encoding="utf-8")
    imported(root, root / "st" / "c.xml")
    assert "1 entries written, 2 already in the books" in imported(root, root / "st" / "same.xml")
    output = refused(root, root / "st" / "other.xml")
    assert "other.xml:5: id 'A2' is in the books (books/eur/2026/2026-03.beancount:" in output, output
    assert "with Assets:Bank:Eur 5.00 EUR, but this file says -5.00 EUR" in output


# -- WeChat Pay and Alipay bills -------------------------------------------------------------

def _dearer(lines: list[str], row: int = 5) -> list[str]:
    """A bill's data lines with row `row`'s 应结订单金额 and 订单金额 one yuan more."""
    cells = lines[row].split(",")
    for column in (12, 24):
        cells[column] = f"`{float(cells[column][1:]) + 1:.2f}"
    return lines[:row] + [",".join(cells)] + lines[row + 1:]


@pytest.mark.parametrize("held", [True, False])
def test_a_wechat_trade_row_downloaded_again_with_other_money_is_refused(tmp_path, held):
    """Whether the import skips a held row without building its entry (StatementImporter.held)
    or not: the same refusal."""
    folder = trade_merchant(tmp_path, "m")
    trade_run(folder, bill(folder, 40), held=held)
    before = snapshot(folder / "books")
    said = trade_run(folder, bill(folder, 40, "again.csv", keep=_dearer), held=held)
    assert said[0].startswith("error: ") and "again.csv:7: id '" in said[0], said
    assert "is in the books (books/wechat/2026/2026-01.beancount:" in said[0]
    assert "with Assets:Clearing:WeChat " in said[0] and "but this file says " in said[0]
    assert snapshot(folder / "books") == before


def test_the_wechat_fund_bill_beside_its_trade_bill_is_another_view_not_other_money(tmp_path):
    # the fund bill books a payment's gross and its fee as two rows, the trade bill one entry of the net
    for order in ((TRADE, FUND), (FUND, TRADE)):
        root = tmp_path / "-".join(order)
        root.mkdir()
        (root / "config.yaml").write_text(BANKS.replace("banks:", "channels:\n  wechat: {type: wechat, "
                                                        "settlement_days: 1}\nbanks:"), encoding="utf-8")
        for name in order:
            imported(root, shutil.copy(sample("wechat_merchant", name), root / name))


ALIPAY = """\
books: books
channels:
  alipay: {type: alipay, account_id: "20880000000000000156", settlement_days: 1}
"""


def test_an_alipay_trade_row_again_with_other_money_is_refused_beside_its_fund_ledger(tmp_path):
    root = tmp_path
    (root / "config.yaml").write_text(ALIPAY, encoding="utf-8")
    (root / "fund").mkdir()
    imported(root, fund_ledger(root / "fund"))
    imported(root, trade_detail(root))    # another view of the same money: no contradiction
    (root / "again").mkdir()
    rows = [TRADE_ROWS[0], trade_row("2026030122001100002", "QF1002", "交易", "2026-03-01 11:00:00", "50.00", "44.00",
                                     "0.27", merchant_discount="6.00", alipay_red="2.00"), TRADE_ROWS[2]]
    output = refused(root, trade_detail(root / "again", rows=rows, footer=TRADE_FOOTER))
    assert "id '2026030122001100002' is in the books (books/alipay/2026/2026-03.beancount:" in output, output
    assert "with Assets:Clearing:Alipay 44.73 CNY, but this file says 43.73 CNY" in output


# -- PayPal -------------------------------------------------------------------------------------

PAYPAL = ("books: books\ncurrency: USD\ntimezone: America/Los_Angeles\n"
          "channels:\n  paypal: {type: paypal, currency: USD}\n")


def paypal(root) -> Path:
    root.mkdir()
    (root / "config.yaml").write_text(PAYPAL, encoding="utf-8")
    (root / "apr.csv").write_text("\n".join(PAYPAL_CSV) + "\n", encoding="utf-8")
    (root / "apr.json").write_text(json.dumps(PAYPAL_RESPONSE), encoding="utf-8")
    return root


def test_a_paypal_row_again_with_other_money_is_refused_from_either_file(tmp_path):
    dearer = json.loads(json.dumps(PAYPAL_RESPONSE))
    info = dearer["transaction_details"][0]["transaction_info"]
    info["transaction_amount"]["value"], info["ending_balance"]["value"] = "110.00", "206.02"
    for first, again, text in (("apr.csv", "dearer.json", json.dumps(dearer)),
                               ("apr.json", "dearer.csv", "\n".join(PAYPAL_CSV).replace('"100.00","-3.98","96.02"',
                                                                                        '"110.00","-3.98","106.02"'))):
        root = paypal(tmp_path / first)
        (root / again).write_text(text, encoding="utf-8")
        imported(root, root / first)
        output = refused(root, root / again)
        assert "'7AB12345CD678901E'" in output and ("106.02 USD" in output) and "96.02 USD" in output, output
