"""An imported entry a person moved by hand into a file of their own, keeping its `id:`
line, is still in the books for its source (DESIGN.md §2 "Idempotent"; README "once"):
no statement books its row again, overlapping, read again with --force, or corrected
with a line more; what restates entries in place (order edits, the fund view replaced
by the trade view, refunds grown) finds it there and leaves it as the person left it;
the summary says where it was found. Ids are per source: an entry is its source's where
it posts to an account config.yaml gives the source."""

from __future__ import annotations

import re

from conftest import beanclear, snapshot

BANK = """\
books: books
currency: USD
timezone: America/New_York
banks:
  harbor:
    type: csv
    account: Assets:Bank:Harbor
    currency: USD
    opening_balance: {date: 2026-02-28, amount: 10000.00}
    date_format: "%Y-%m-%d"
    columns: {date: Posting Date, amount: Amount, memo: Description, ref: Reference, balance: Running Balance}
"""
OTHER = """\
  other:
    type: csv
    account: Assets:Bank:Other
    currency: USD
    opening_balance: {date: 2026-02-28, amount: 0.00}
    date_format: "%Y-%m-%d"
    columns: {date: Posting Date, amount: Amount, memo: Description, ref: Reference, balance: Running Balance}
"""
HEADER = "Posting Date,Description,Amount,Running Balance,Reference"
MARCH = ["2026-03-03,ACH DEBIT RENT,-1800.00,8200.00,HB1", "2026-03-20,INCOMING WIRE J SMITH CONSULTING,500.00,8700.00,HB2",
         "2026-03-24,ACH DEBIT RENT,-100.00,8600.00,HB3"]
OVERLAP = MARCH[1:] + ["2026-04-02,ACH DEBIT RENT,-100.00,8500.00,HB4"]
WIRE = re.compile(r'2026-03-20 \* "INCOMING WIRE J SMITH CONSULTING"\n(  .*\n)+\n')


def statement(folder, name, rows):
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def imported(folder, *args) -> str:
    result = beanclear(folder, "import", *map(str, args))
    assert result.exit_code == 0, result.output
    return result.output


def moved(folder, block: re.Pattern, source_file: str, to: str, change=lambda text: text) -> str:
    """Move the entry `block` finds from a month file into `to` (a file main.beancount
    includes, or another month file), changed by `change`; the moved text."""
    books = folder / "books"
    path = books / source_file
    text = path.read_text(encoding="utf-8")
    entry = block.search(text).group(0)
    path.write_text(text.replace(entry, ""), encoding="utf-8")
    target = books / to
    target.parent.mkdir(parents=True, exist_ok=True)
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(before + change(entry), encoding="utf-8")
    main = books / "main.beancount"
    if "/" not in to and f'include "{to}"' not in main.read_text(encoding="utf-8"):
        main.write_text(main.read_text(encoding="utf-8") + f'include "{to}"\n', encoding="utf-8")
    return change(entry)


def workshop(entry: str) -> str:
    """The wire retitled and booked to the workshops by hand (blind8's repro)."""
    return "2026-01-01 open Income:Workshops USD\n\n" + entry.replace(
        '"INCOMING WIRE J SMITH CONSULTING"', '"J Smith" "Workshop fee"').replace("Assets:Suspense", "Income:Workshops")


def ids(folder) -> list[str]:
    return sorted(re.findall(r'^  id: "([^"]*)"', "".join(
        p.read_text(encoding="utf-8") for p in sorted((folder / "books").rglob("*.beancount"))), re.M))


def balances_fail(folder) -> list[str]:
    result = beanclear(folder, "check")
    return [line for line in result.output.splitlines() if "Balance failed" in line]


def test_a_bank_line_moved_into_a_file_of_ones_own_is_not_booked_again(tmp_path):
    # blind8: the accountant moved HB2 into manual.beancount, retitled and rebooked; an
    # overlapping export, the statement again with --force, and a corrected statement with a
    # line more each wrote it again as a new suspense entry (500.00 too much, 22 assertions)
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    imported(tmp_path, statement(tmp_path, "bank_march.csv", MARCH))
    moved(tmp_path, WIRE, "harbor/2026/2026-03.beancount", "manual.beancount", workshop)
    manual = (tmp_path / "books" / "manual.beancount").read_text(encoding="utf-8")
    assert balances_fail(tmp_path) == []
    out = imported(tmp_path, statement(tmp_path, "overlap.csv", OVERLAP))
    assert "1 entries written" in out and "balance assertions: 1 written" in out, out   # HB4, and its balance
    assert "HB2 (books/manual.beancount:3)" in out and "found in a file of your own" in out, out
    assert "restated the balances" not in out   # no line came before them
    assert ids(tmp_path).count("HB2") == 1 and "HB4" in ids(tmp_path)
    assert (tmp_path / "books" / "manual.beancount").read_text(encoding="utf-8") == manual
    assert balances_fail(tmp_path) == []
    books = snapshot(tmp_path / "books")
    forced = imported(tmp_path, "--force", tmp_path / "bank_march.csv")
    assert "3 rows read, 0 entries written, 3 already in the books; balance assertions: 0 written, 3 already in the " \
        "books" in forced and "HB2 (books/manual.beancount:3)" in forced
    assert snapshot(tmp_path / "books") == books
    corrected = MARCH + ["2026-03-31,SERVICE FEE,-5.00,8595.00,HB5"]   # the same lines, one more
    out = imported(tmp_path, statement(tmp_path, "bank_march_corrected.csv", corrected))
    assert ids(tmp_path).count("HB2") == 1 and "HB5" in ids(tmp_path), out


def test_a_line_moved_into_another_month_file_of_its_source_is_found_there(tmp_path):
    (tmp_path / "config.yaml").write_text(BANK, encoding="utf-8")
    imported(tmp_path, statement(tmp_path, "bank_march.csv", MARCH))
    moved(tmp_path, WIRE, "harbor/2026/2026-03.beancount", "harbor/2026/2026-04.beancount",
          lambda entry: entry.replace("2026-03-20", "2026-04-01"))
    out = imported(tmp_path, statement(tmp_path, "overlap.csv", OVERLAP))
    assert ids(tmp_path).count("HB2") == 1 and "found in a file of your own" not in out


def test_an_entry_of_ones_own_is_the_source_s_whose_account_it_posts_to(tmp_path):
    # ids are per source: HB2 in a person's file, booked on the other bank, is not harbor's
    (tmp_path / "config.yaml").write_text(BANK + OTHER, encoding="utf-8")
    imported(tmp_path, "--source", "harbor", statement(tmp_path, "bank_march.csv", MARCH))
    moved(tmp_path, WIRE, "harbor/2026/2026-03.beancount", "manual.beancount",
          lambda entry: entry.replace("Assets:Bank:Harbor", "Assets:Bank:Other"))
    out = imported(tmp_path, "--source", "harbor", statement(tmp_path, "overlap.csv", OVERLAP))
    assert ids(tmp_path).count("HB2") == 2 and "found in a file of your own" not in out


def test_another_source_s_month_files_are_not_this_source_s(tmp_path):
    # the other bank's own line HB2, in its month files, is no line of harbor's
    (tmp_path / "config.yaml").write_text(BANK + OTHER, encoding="utf-8")
    imported(tmp_path, "--source", "other", statement(tmp_path, "other.csv", ["2026-03-20,FEE,-1.00,-1.00,HB2"]))
    out = imported(tmp_path, "--source", "harbor", statement(tmp_path, "bank_march.csv", MARCH))
    assert "0 already in the books" in out and ids(tmp_path).count("HB2") == 2


ORDER = re.compile(r'2026-02-11 \* "Order #1020[^\n]*\n(  .*\n)+\n')


def test_an_order_moved_by_hand_is_not_restated_but_said(tmp_path):
    # an order the newer export says otherwise of: restated in place in the shop's month
    # file (test_shop_edits.py); in a file of one's own it stays as the person left it
    from test_shop_edits import merchant
    folder = merchant(tmp_path)
    imported(folder, folder / "channels")
    imported(folder, folder / "a")
    kept = moved(folder, ORDER, "shop/2026/2026-02.beancount", "manual.beancount",
                 lambda entry: entry.replace("Order #1020 / Fleece Pullover", "Order #1020 (checked by hand)"))
    out = imported(folder, folder / "b")
    assert ("order #1020 changed since the books took it, and this export is newer (Paid at 2026-02-13 12:00:00 "
            "-0500): left as the books hold it, 85.95 USD (its entry is in a file of your own, "
            "books/manual.beancount:1, which no import rewrites); it is 110.95 USD now") in out, out
    assert (folder / "books" / "manual.beancount").read_text(encoding="utf-8") == kept
    assert ids(folder).count("order:#1020") == 1


def test_a_fund_view_entry_moved_by_hand_stays_when_the_trade_view_comes(tmp_path):
    # the trade view replaces the fund view's entries in the month files (late_views.py);
    # one a person moved into a file of their own is theirs: neither replaced nor booked again
    from test_views import CONFIG, statements
    (tmp_path / "config.yaml").write_text(CONFIG.replace("currency: CNY\n", ""), encoding="utf-8")
    day = statements(tmp_path / "day", ("trade", "fund"))
    imported(tmp_path, day / "wechat_fund.csv")
    payment = re.compile(r'2026-03-01 \* "WeChat Pay" "交易 WO1" \^order-WO1\n(  .*\n)+\n')
    kept = moved(tmp_path, payment, "wechat/2026/2026-03.beancount", "manual.beancount",
                 lambda entry: entry.replace("Income:Sales:WeChat", "Income:Sales:Tea"))
    (tmp_path / "books" / "accounts.beancount").write_text(
        (tmp_path / "books" / "accounts.beancount").read_text(encoding="utf-8") + "2000-01-01 open Income:Sales:Tea\n")
    out = imported(tmp_path, day / "wechat_trade.csv")
    assert (tmp_path / "books" / "manual.beancount").read_text(encoding="utf-8") == kept
    assert ids(tmp_path).count("4200000001") == 1, out
    assert "4200000001 (books/manual.beancount:1)" in out, out
    assert "1 row(s) whose money the books hold in part in a file of your own" in out, out   # not "other money"
    assert balances_fail(tmp_path) == []


def test_a_refund_moved_by_hand_is_what_a_grown_refund_grows_from(tmp_path):
    from test_shop_refunds import EARLY, LATER, downloads, refunds
    folder = downloads(tmp_path, ("early", EARLY), ("later", LATER))
    imported(folder, folder / "early")
    refund = re.compile(r'\d{4}-\d{2}-\d{2} \* "Refund of order #1001[^\n]*\n(  .*\n)+\n')
    moved(folder, refund, "teashop/2026/2026-03.beancount", "manual.beancount")
    imported(folder, folder / "later")
    assert refunds(folder) == {"refund:#1001 to 80.00": 50, "refund:#1002": 50}   # 30.00 of it by hand
