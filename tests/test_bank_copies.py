"""A bank line listed twice, one right after the other, with its running balance unchanged
(blind12 "crossborder": a CMB download listing a PingPong withdrawal twice at the same
联机余额): a copy, read and not booked, in every bank format whose lines state a running
balance (bank CSV presets and `csv` with a balance column, OFX's ACCTBAL). Two identical
transfers of one day whose balances step stay two lines. And what is said where a
statement's lines come to more than the balance it states (a line too many)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import bank_csv, ofx
from conftest import beanclear
from test_ofx_streamed import line as ofx_line, ofx_file, statement as ofx_statement

CMB_HEADER = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"
RENT = '2026-10-01,CNY,"-12,000.00","88,000.00",转账汇款,深圳市福田物业管理有限公司,10月房租'
PINGPONG = '2026-10-14,CNY,"85,000.00","{balance}",汇入汇款,PingPong,PingPong提现'
LATER = '2026-10-20,CNY,"-1,000.00","{balance}",转账汇款,深圳市福田物业管理有限公司,10月房租'

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  cmb: {type: cmb, account: Assets:Bank:CMB}
rules:
  - {match: "房租", account: Expenses:Rent}
  - {match: "PingPong", account: Income:Other}
"""


def cmb_file(path, *rows, encoding="gbk"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([CMB_HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def parse_cmb(make_config, path):
    cfg = make_config(CONFIG)
    return bank_csv.Importer(cfg.banks["cmb"], cfg).parse(str(path))


def txns(extraction):
    return [e for e in extraction.entries if isinstance(e, data.Transaction)]


def balances(extraction):
    return [(str(b.date), b.amount.number) for b in extraction.entries if isinstance(b, data.Balance)]


def test_a_cmb_line_listed_twice_at_one_balance_is_booked_once(make_config, tmp_path):
    path = cmb_file(tmp_path / "cmb.csv", RENT, PINGPONG.format(balance="173,000.00"),
                    PINGPONG.format(balance="173,000.00"), LATER.format(balance="172,000.00"))
    ex = parse_cmb(make_config, path)
    assert [t.postings[0].units.number for t in txns(ex)] == [Decimal("-12000.00"), Decimal("85000.00"),
                                                              Decimal("-1000.00")]
    assert [t.meta["id"][-2:] for t in txns(ex)] == ["-1", "-1", "-1"]
    assert (ex.rows, dict(ex.skipped)) == (4, {"line listed twice (its running balance does not move: booked "
                                                "once)": 1})
    assert "line 4 lists line 3 again, and the running balance stays at 173000.00 CNY: one line listed twice, " \
        "booked once" in ex.notes
    assert balances(ex) == [("2026-10-02", Decimal("88000.00")), ("2026-10-15", Decimal("173000.00")),
                            ("2026-10-21", Decimal("172000.00"))]


def test_two_identical_transfers_whose_balances_step_are_two_lines(make_config, tmp_path):
    # must not fire: one day, one payer, one amount, twice, the balance moving each time
    path = cmb_file(tmp_path / "cmb.csv", RENT, PINGPONG.format(balance="173,000.00"),
                    PINGPONG.format(balance="258,000.00"), LATER.format(balance="257,000.00"))
    ex = parse_cmb(make_config, path)
    ids = [t.meta["id"] for t in txns(ex)]
    assert [t.postings[0].units.number for t in txns(ex)] == [Decimal("-12000.00"), Decimal("85000.00"),
                                                              Decimal("85000.00"), Decimal("-1000.00")]
    assert ids[1][:-2] == ids[2][:-2] and (ids[1][-2:], ids[2][-2:]) == ("-1", "-2")
    assert not ex.skipped and not any("listed twice" in n for n in ex.notes)


def test_a_copy_with_another_text_or_day_or_no_balance_is_a_line(make_config, tmp_path):
    # must not fire: the balance unchanged, but the line says something else (a row the bank
    # got wrong, its balance assertion fails: never money skipped on a guess); no balance at all
    other = PINGPONG.format(balance="173,000.00").replace("PingPong提现", "PingPong提现 2")
    later_day = PINGPONG.format(balance="173,000.00").replace("2026-10-14", "2026-10-15")
    for copy in (other, later_day):
        ex = parse_cmb(make_config, cmb_file(tmp_path / "cmb.csv", RENT, PINGPONG.format(balance="173,000.00"), copy))
        assert len(txns(ex)) == 3 and not ex.skipped
    cfg = make_config("books: books\ncurrency: CNY\nbanks:\n  plain: {type: csv, account: Assets:Bank:Plain, "
                      "columns: {date: 记账日期, amount: 交易金额, memo: 客户摘要}}\n")
    path = cmb_file(tmp_path / "plain.csv", PINGPONG.format(balance=""), PINGPONG.format(balance=""))
    assert len(txns(bank_csv.Importer(cfg.banks["plain"], cfg).parse(str(path)))) == 2


def test_a_plain_csv_bank_newest_first_books_the_copy_once(make_config, tmp_path):
    # `csv` with a balance column, newest first, no ref: the same rule
    cfg = make_config("books: books\ncurrency: EUR\nbanks:\n  ops: {type: csv, account: Assets:Bank:Ops, currency: "
                      "EUR, date_format: '%d.%m.%Y', columns: {date: Datum, amount: Betrag, memo: Zweck, "
                      "balance: Saldo}}\n")
    path = tmp_path / "ops.csv"
    path.write_text("Datum;Betrag;Zweck;Saldo\n"
                    "03.03.2026;-5,00;Gebühr;1.295,00\n"
                    "02.03.2026;100,00;Gutschrift;1.300,00\n"
                    "02.03.2026;100,00;Gutschrift;1.300,00\n"
                    "02.03.2026;100,00;Gutschrift;1.200,00\n", encoding="utf-8")
    ex = bank_csv.Importer(cfg.banks["ops"], cfg).parse(str(path))
    assert [t.postings[0].units.number for t in txns(ex)] == [Decimal("-5.00"), Decimal("100.00"), Decimal("100.00")]
    assert [t.meta["id"][-2:] for t in txns(ex)] == ["-1", "-1", "-2"]   # the copy's twin, its balance stepping
    assert balances(ex) == [("2026-03-03", Decimal("1300.00")), ("2026-03-04", Decimal("1295.00"))]
    assert dict(ex.skipped) == {"line listed twice (its running balance does not move: booked once)": 1}
    assert "line 4 lists line 3 again" in " ".join(ex.notes)


def test_a_copy_with_its_ref_is_read_once_too(make_config, tmp_path):
    cfg = make_config("books: books\ncurrency: CNY\nbanks:\n  ops: {type: csv, account: Assets:Bank:Ops, "
                      "columns: {date: 交易日期, amount: 交易金额, memo: 摘要, ref: 流水号, balance: 余额}}\n")
    path = tmp_path / "ops.csv"
    path.write_text("交易日期,流水号,交易金额,摘要,余额\n2026-03-01,R1,10.00,入账,110.00\n"
                    "2026-03-01,R1,10.00,入账,110.00\n2026-03-02,R2,-5.00,手续费,105.00\n", encoding="utf-8")
    ex = bank_csv.Importer(cfg.banks["ops"], cfg).parse(str(path))
    assert [t.meta["id"] for t in txns(ex)] == ["R1", "R2"] and ex.rows == 3


def test_the_full_month_after_its_first_half_adds_no_copy_nor_does_a_copy_resaved(tmp_path):
    # blind12: `8 rows read, 7 entries written, 8 already in the books` and a second entry
    # `…-2` of 85,000.00: the bank 85,000.00 too high, transit -65,000, a false bank-unmatched
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    first = cmb_file(tmp_path / "st" / "cmb-2026-10-01-15.csv", RENT, PINGPONG.format(balance="173,000.00"))
    full = cmb_file(tmp_path / "st" / "cmb-2026-10.csv", RENT, PINGPONG.format(balance="173,000.00"),
                    PINGPONG.format(balance="173,000.00"), LATER.format(balance="172,000.00"))
    done = beanclear(tmp_path, "import", str(first))
    assert done.exit_code == 0, done.output
    done = beanclear(tmp_path, "import", str(full))
    assert done.exit_code == 0, done.output
    assert "4 rows read, 1 entries written, 2 already in the books, skipped 1 line listed twice" in done.output
    assert "; balance assertions: 1 written, 2 already in the books" in done.output
    month = (tmp_path / "books" / "cmb" / "2026" / "2026-10.beancount").read_text(encoding="utf-8")
    assert month.count("85000.00 CNY") == 2 and "-2\"" not in month   # the posting and its other side, once
    checked = beanclear(tmp_path, "check")
    assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output
    # the same statement saved again as UTF-8 with a BOM (other bytes, the same text: the
    # statement imported, blind33) books nothing
    resaved = cmb_file(tmp_path / "cmb-2026-10-resaved.csv", RENT, PINGPONG.format(balance="173,000.00"),
                       PINGPONG.format(balance="173,000.00"), LATER.format(balance="172,000.00"),
                       encoding="utf-8-sig")
    done = beanclear(tmp_path, "import", str(resaved))
    assert done.exit_code == 0 and "nothing new: the same text as cmb-2026-10.csv" in done.output, done.output
    assert (tmp_path / "books" / "cmb" / "2026" / "2026-10.beancount").read_text(encoding="utf-8") == month
    # saved again with a blank line more (other text: read again) books nothing either
    resaved.write_text(resaved.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8")
    done = beanclear(tmp_path, "import", str(resaved))
    assert done.exit_code == 0 and "0 entries written" in done.output, done.output
    again = (tmp_path / "books" / "cmb" / "2026" / "2026-10.beancount").read_text(encoding="utf-8")
    assert again.count("85000.00 CNY") == 2 and "skipped 1 line listed twice" in done.output


def test_an_ofx_line_listed_twice_at_one_acctbal_is_booked_once(make_config, tmp_path):
    cfg = make_config("books: books\ncurrency: USD\nbanks:\n  ofx: {type: ofx, account: Assets:Bank:Ofx, "
                      "currency: USD}\n")

    def parse(*lines):
        path = tmp_path / "s.ofx"
        path.write_text(ofx_file(ofx_statement(list(lines), ledger="<LEDGERBAL><BALAMT>70.00<DTASOF>20260331"
                                                                 "</LEDGERBAL>")), encoding="utf-8")
        return ofx.Importer(cfg.banks["ofx"], cfg).parse(str(path))

    first = ofx_line(extra="<ACCTBAL>80.00")
    copied = parse(first, first, ofx_line(amount="-10.00", fitid="A2", extra="<ACCTBAL>70.00"))
    assert [t.meta["id"] for t in txns(copied)] == ["A1/20260301/-10.00", "A2/20260301/-10.00"]
    assert dict(copied.skipped) == {"line listed twice (its running balance does not move: booked once)": 1}
    assert not any("too much" in n for n in copied.notes)
    # must not fire: a reused FITID whose balance steps is another line (/2), as before
    stepped = parse(first, ofx_line(extra="<ACCTBAL>70.00"))
    assert [t.meta["id"] for t in txns(stepped)] == ["A1/20260301/-10.00", "A1/20260301/-10.00/2"]
    # nor without ACCTBAL: nothing says it moved no money
    plain = parse(ofx_line(), ofx_line())
    assert len(txns(plain)) == 2 and not plain.skipped


# -- a statement's lines over its stated balance: a line too many ------------------------

MT940 = (":20:S1\n:25:NL20INGB0001234567\n:28C:1/1\n:60F:C260301EUR100,00\n"
         ":61:2603020302C10,00NTRFNONREF//R1\n:86:line one\n:61:2603020302C10,00NTRFNONREF//R1\n:86:line one\n"
         ":62F:C260302EUR{closing}\n-\n")


@pytest.mark.parametrize("closing, said", [
    ("110,00", "opening balance 100.00 EUR + entries 20.00 = 120.00, but the closing balance says 110.00 "
               "(10.00 too much: a line too many (listed twice?) or a debit missing)"),
    ("130,00", "opening balance 100.00 EUR + entries 20.00 = 120.00, but the closing balance says 130.00 "
               "(lines missing?)"),
])
def test_a_statement_whose_lines_exceed_its_closing_says_a_line_too_many(tmp_path, closing, said):
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: EUR\nbanks:\n  mt: {type: mt940, account: "
                                          "Assets:Bank:Mt, currency: EUR}\n", encoding="utf-8")
    (tmp_path / "s.sta").write_text(MT940.format(closing=closing), encoding="utf-8")
    done = beanclear(tmp_path, "import", str(tmp_path / "s.sta"))
    assert done.exit_code == 0 and said in done.output, done.output
    over = closing == "110,00"
    assert ("(10.00 too much: a line too many (listed twice?) or a debit missing): that balance assertion fails "
            "until the books agree with it" in done.output) is over
    assert ("but its closing balance says 130.00 (lines missing?): that balance assertion fails until they are "
            "booked" in done.output) is not over


def test_balance_assertions_too_much_by_one_difference_say_a_line_too_many():
    from beanclear.checks.checking import one_difference
    from beanclear.checks.findings import Finding

    def failed(day, expected, got, diff):
        return Finding("beancount", dt.date(2026, 10, day), "", "Assets:Bank:CMB", Decimal(0), "",
                       f"Balance failed for 'Assets:Bank:CMB': expected {expected} CNY != accumulated {got} CNY "
                       f"({diff})", file="books/cmb/2026/2026-10.beancount", line=day)
    [first] = one_difference([failed(15, "173000.00", "258000.00", "85000.00 too much"),
                              failed(21, "172000.00", "257000.00", "85000.00 too much")])
    assert first.message.endswith("fail by the same amount: one cause (before 2026-10-15, a line too many (listed "
                                  "twice?) or a debit missing, or a statement's closing its next one contradicts)")
    [short] = one_difference([failed(15, "173000.00", "88000.00", "85000.00 too little"),
                              failed(21, "172000.00", "87000.00", "85000.00 too little")])
    assert short.message.endswith("one cause (a line missing before 2026-10-15, or a statement's closing its next "
                                  "one contradicts)")
