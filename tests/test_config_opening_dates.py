"""A source's `opening_balance` is what its account held at the end of its `date`, before
its first statement (README "Every key"): a date after the first line the statements
book on the account is refused at import, naming the key and that line
(statements/opening_dates.py). blind31 configkeys: `banks.cmb.opening_balance: {date:
2026-03-08, …}` beside a statement from 03-04 was imported; the opening came after four
lines it should precede, and the findings blamed a missing statement of 03-01 to 03-03."""

from __future__ import annotations

from conftest import beanclear, snapshot, write_files
from test_china_times import fund_bill
from test_stated_currency import cmb_file

CMB = """\
books: books
currency: CNY
banks:
  cmb:
    type: cmb
    account: Assets:Bank:CMB
    opening_balance: {{date: {day}, amount: 1000.00}}
"""
ROWS = (("2026-03-04", "100.00", "1100.00", "转账"), ("2026-03-06", "-20.00", "1080.00", "电费"))


def cmb(tmp_path, day: str, rows=ROWS):
    folder = write_files(tmp_path, {"config.yaml": CMB.format(day=day)})
    cmb_file(folder, "cmb-2026-03.csv", rows=rows)
    return folder


def test_an_opening_dated_after_the_first_line_is_refused_naming_the_key_and_the_line(tmp_path):
    folder = cmb(tmp_path, "2026-03-05")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 2, result.output
    assert ("config.yaml:7: banks.cmb.opening_balance.date: 2026-03-05 is after the first line of cmb's statements "
            "(2026-03-04, cmb-2026-03.csv:2): the opening is what the account held before them; date it the day "
            "before, 2026-03-03, or earlier") in result.output, result.output
    assert not (folder / "books").exists()


def test_an_opening_before_the_first_line_or_of_its_day_is_taken(tmp_path):
    # must not fire: the day before the first line (as an opening worked from a statement is
    # dated), and the first line's own day, which config.yaml files were written with
    for day in ("2026-03-03", "2026-03-04"):
        folder = cmb(tmp_path / day, day)
        result = beanclear(folder, "import", str(folder / "statements"))
        assert result.exit_code == 0, result.output
        assert f'{day} * "Opening balance"' in (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")


def test_an_earlier_month_imported_later_is_refused_before_the_opening_too(tmp_path):
    folder = cmb(tmp_path, "2026-03-03")
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    books = snapshot(folder / "books")
    february = cmb_file(folder, "cmb-2026-02.csv", rows=(("2026-02-27", "50.00", "1000.00", "转账"),))
    result = beanclear(folder, "import", str(february))
    assert result.exit_code == 2, result.output
    assert ("banks.cmb.opening_balance.date: 2026-03-03 is after the first line of cmb's statements (2026-02-27, "
            "cmb-2026-02.csv:2)") in result.output, result.output
    assert snapshot(folder / "books") == books


def test_a_channel_opening_after_its_first_row_is_refused(tmp_path):
    folder = write_files(tmp_path, {"config.yaml": "books: books\ncurrency: CNY\nchannels:\n  wechat:\n"
                                                   "    type: wechat\n"
                                                   "    opening_balance: {date: 2026-10-02, amount: 10.00}\n"})
    (folder / "statements").mkdir()
    fund_bill(folder / "statements", "2026-10-01", [("2026-10-01 10:00:00", "4200000000000000000000000001",
                                                     "99.40", "109.40")])
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 2, result.output
    assert ("config.yaml:6: channels.wechat.opening_balance.date: 2026-10-02 is after the first line of wechat's "
            "statements (2026-10-01, fundflow-2026-10-01.csv:2)") in result.output, result.output
    assert not (folder / "books").exists()


def test_an_opening_added_after_lines_the_books_hold_without_one_is_refused(tmp_path):
    # a bank CSV without balances implies no opening: the books hold its lines and none, and
    # the opening config.yaml gains is written by the next import, after them
    config = ("books: books\ncurrency: CNY\nbanks:\n  ops:\n    type: csv\n    account: Assets:Bank:Ops\n"
              "    columns: {date: Date, amount: Amount, memo: Memo}\n")
    folder = write_files(tmp_path, {"config.yaml": config,
                                    "statements/ops-03.csv": "Date,Amount,Memo\n2026-03-04,100.00,in\n",
                                    "statements/ops-04.csv": "Date,Amount,Memo\n2026-04-02,-10.00,out\n"})
    assert beanclear(folder, "import", str(folder / "statements" / "ops-03.csv")).exit_code == 0
    books = snapshot(folder / "books")
    (folder / "config.yaml").write_text(config + "    opening_balance: {date: 2026-03-10, amount: 500.00}\n",
                                        encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "statements" / "ops-04.csv"))
    assert result.exit_code == 2, result.output
    assert ("config.yaml:8: banks.ops.opening_balance.date: 2026-03-10 is after the first line of ops's statements "
            "(2026-03-04, booked already)") in result.output, result.output
    assert snapshot(folder / "books") == books
    # must not fire: dated before them, it is written
    (folder / "config.yaml").write_text(config + "    opening_balance: {date: 2026-03-03, amount: 500.00}\n",
                                        encoding="utf-8")
    assert beanclear(folder, "import", str(folder / "statements" / "ops-04.csv")).exit_code == 0
