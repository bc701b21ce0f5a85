"""A person's comment written directly above an entry (no blank line between) is that
entry's note: an import that places new entries before the entry places them before
the note, never between the note and its entry (README "The workflow": an import only
ever adds whole entries between the ones already there). A comment followed by a blank
line stands on its own and stays where it is, the new entries placed by date around it;
the comment lines a file starts with are its header and stay first. Books without such
comments are written byte for byte as before (blind10, repro-01)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from beancount.core import data

from conftest import beanclear, snapshot
from beanclear.books import Books, merge, merged, render
from beanclear.importers.base import posting, transaction

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  cmb:
    type: csv
    account: Assets:Bank:CMB
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, credit: 收入金额, debit: 支出金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:
  - {match: "房租|利息", account: Expenses:Rent}
"""
HEADER = "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额\n"
FIRST = HEADER + "2026-01-02,B1,利息,招商银行,1.00,,1001.00\n2026-01-04,B2,房租,物业,,100.00,901.00\n"
SECOND = HEADER + "2026-01-05,B3,利息,招商银行,2.00,,903.00\n2026-01-07,B4,房租,物业,,100.00,803.00\n"
HAND = """
; my note: petty cash for packaging bags, bought on the 6th
2026-01-06 * "Stationer" "packaging bags, cash"
  Expenses:Office                              86.00 CNY
  Equity:Opening-Balances                     -86.00 CNY
"""
# the month as the first statement's import writes it
FIRST_MONTH = """\
2026-01-02 * "招商银行" "利息"
  id: "B1"
  Assets:Bank:CMB                               1.00 CNY
  Expenses:Rent                                -1.00 CNY

2026-01-03 balance Assets:Bank:CMB                   1001.00 CNY

2026-01-04 * "物业" "房租"
  id: "B2"
  Assets:Bank:CMB                            -100.00 CNY
  Expenses:Rent                               100.00 CNY

2026-01-04 custom "beanclear-coverage" "cmb" 2026-01-02 "eee476944eb8"
  id: "coverage 2026-01-02 2026-01-04 eee476944eb8"
  statement: "cmb-1.csv"
  digest: "sha256:eee476944eb855f4778b295285d52a44227dd38819922383c764ce56488e5733"
  format: "csv"
  period: "lines"
  line-days: 2

2026-01-05 balance Assets:Bank:CMB                    901.00 CNY

"""
BEFORE = FIRST_MONTH + HAND
# the second's lines of the 5th before the note (the blank line above it kept), those of the 7th after its entry
AFTER = FIRST_MONTH + """
2026-01-05 * "招商银行" "利息"
  id: "B3"
  Assets:Bank:CMB                               2.00 CNY
  Expenses:Rent                                -2.00 CNY

2026-01-06 balance Assets:Bank:CMB                    903.00 CNY
""" + HAND + """
2026-01-07 * "物业" "房租"
  id: "B4"
  Assets:Bank:CMB                            -100.00 CNY
  Expenses:Rent                               100.00 CNY

2026-01-07 custom "beanclear-coverage" "cmb" 2026-01-05 "914e5058232e"
  id: "coverage 2026-01-05 2026-01-07 914e5058232e"
  statement: "cmb-2.csv"
  digest: "sha256:914e5058232ee00ad6e93c14fbb02f1ae11061d859212fac7273bcbe30dcd045"
  format: "csv"
  period: "lines"
  line-days: 2

2026-01-08 balance Assets:Bank:CMB                    803.00 CNY

"""


def test_an_import_places_new_entries_before_the_note_above_a_persons_entry(tmp_path, monkeypatch):
    # blind10 repro-01: the 2026-01-05 bank lines went between the note and its entry
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-08")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for folder, name, text in (("st1", "cmb-1.csv", FIRST), ("st2", "cmb-2.csv", SECOND)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "st1")).exit_code == 0
    month = tmp_path / "books" / "cmb" / "2026" / "2026-01.beancount"
    with open(month, "a", encoding="utf-8") as fh:
        fh.write(HAND)
    assert month.read_text(encoding="utf-8") == BEFORE
    result = beanclear(tmp_path, "import", str(tmp_path / "st2"))
    assert result.exit_code == 0, result.output
    assert month.read_text(encoding="utf-8") == AFTER
    books = snapshot(tmp_path / "books")
    again = beanclear(tmp_path, "import", "--force", str(tmp_path / "st2" / "cmb-2.csv"))
    assert again.exit_code == 0 and "0 entries written" in again.output, again.output
    assert snapshot(tmp_path / "books") == books   # idempotent: the second import writes nothing


def entry(day: int, ident: str):
    return transaction("x", 1, dt.date(2026, 1, day), "P", f"n{ident}", {"id": ident},
                       [posting("Assets:A", Decimal("1.00"), "CNY"), posting("Assets:B", Decimal("-1.00"), "CNY")])


def new(*days: int) -> list:
    return [e for e in (entry(day, f"N{day}") for day in days) if isinstance(e, data.Transaction)]


def text_of(day: int) -> str:
    return render.entry_text(new(day)[0]) + "\n"


HAND_5 = '2026-01-05 * "mine"\n  Assets:A  1 CNY\n  Assets:B\n'
IMPORTED_5 = '2026-01-05 * "P" "n5"\n  id: "I5"\n  Assets:A  1 CNY\n  Assets:B\n'
OLD_1 = '2026-01-01 * "P" "n1"\n  id: "I1"\n  Assets:A  1 CNY\n  Assets:B\n'


HEADER_LINE = "; Accounts the config implies. beanclear appends new ones; edit freely.\n"

# (the file, the days of the new entries, the file they are merged into)
MERGES = {
    "a note directly above an entry goes with it": (
        OLD_1 + "\n; a note\n; on two lines\n" + HAND_5, (3, 7),
        OLD_1 + "\n" + text_of(3) + "; a note\n; on two lines\n" + HAND_5 + "\n" + text_of(7)),
    "a note above an imported entry goes with it too": (
        OLD_1 + "\n; the bank sent this one twice\n" + IMPORTED_5, (3,),
        OLD_1 + "\n" + text_of(3) + "; the bank sent this one twice\n" + IMPORTED_5),
    "a note right under one entry and above the next is the next one's": (
        OLD_1 + "; about the fifth\n" + HAND_5, (3,),
        OLD_1 + "\n" + text_of(3) + "; about the fifth\n" + HAND_5),
    # free-standing: it stays after the entry above it, new entries placed by date around it
    "a note followed by a blank line stands on its own": (
        OLD_1 + "\n; week two\n\n" + HAND_5, (3,),
        OLD_1 + "\n; week two\n\n" + text_of(3) + HAND_5),
    "the header a file starts with stays first": (
        HEADER_LINE + HAND_5, (3,),
        HEADER_LINE + "\n" + text_of(3) + HAND_5),
    "the header a file starts with stays first, a note after it the entry's": (
        "; my header\n\n; a note\n" + HAND_5, (3,),
        "; my header\n\n" + text_of(3) + "; a note\n" + HAND_5),
    "a note after the last entry stays above what is added after it": (
        HAND_5 + "\n; to do: the rent\n", (3, 9),
        text_of(3) + HAND_5 + "\n; to do: the rent\n\n" + text_of(9)),
}


@pytest.mark.parametrize("case", MERGES)
def test_a_merge_places_new_entries_by_the_notes(case):
    old, days, merged_text = MERGES[case]
    assert merge(old, new(*days)) == merged_text


def test_books_without_notes_are_written_as_before():
    # must not fire: no comment at the margin directly above an entry, the bytes as before
    old = ("; header\n\n" + OLD_1 + "\n" + HAND_5 + "  ; a posting's comment\n\n2026-01-06 balance Assets:A  2 CNY\n"
           + IMPORTED_5.replace("01-05", "01-08"))
    assert merge(old, new(3, 6, 10)) == ("; header\n\n" + OLD_1 + "\n" + text_of(3) + HAND_5
                                         + "  ; a posting's comment\n\n2026-01-06 balance Assets:A  2 CNY\n\n"
                                         + text_of(6) + IMPORTED_5.replace("01-05", "01-08") + "\n" + text_of(10))
    assert merge(old, []) == old


def test_notes_merge_the_same_read_in_pieces():
    old = "; header\n" + OLD_1 + "\n; a note\n" + HAND_5 + "; right under\n" + IMPORTED_5 + "\n; free\n\n" + OLD_1
    keyed = [(render.sort_key(e), e) for e in new(1, 3, 5, 6)]
    whole = merge(old, keyed=keyed)
    for size in (1, 2, 3, 7, 1000):
        pieces = [old[at:at + size] for at in range(0, len(old), size)]
        assert "".join(merged(pieces, ((key, render.entry_text(e) + "\n") for key, e in keyed))) == whole
        assert "".join(merged(pieces, iter([]))) == old


def test_an_open_line_placed_among_others_goes_above_the_note_on_the_next(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text('include "accounts.beancount"\n', encoding="utf-8")
    header = "; Accounts the config implies. beanclear appends new ones; edit freely.\n"
    accounts = (header + "2000-01-01 open Assets:A\n; the card we closed in March\n2000-01-01 open Assets:C\n"
                "\n; free-standing\n\n2000-01-01 open Assets:E\n")
    (books / "accounts.beancount").write_text(accounts, encoding="utf-8")
    changes: dict = {}
    Books(books).open_used({"Assets:0", "Assets:B", "Assets:D"}, changes)
    assert changes[books / "accounts.beancount"] == (
        header + "2000-01-01 open Assets:0\n2000-01-01 open Assets:A\n2000-01-01 open Assets:B\n"
        "; the card we closed in March\n2000-01-01 open Assets:C\n\n; free-standing\n\n2000-01-01 open Assets:D\n"
        "2000-01-01 open Assets:E\n")


def test_the_equity_open_an_opening_needs_goes_above_the_note_on_the_entry_after_the_opens(tmp_path):
    from types import SimpleNamespace
    from beanclear.statements.openings import Opening
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text('include "accounts.beancount"\n', encoding="utf-8")
    opens = "; Accounts the config implies. beanclear appends new ones; edit freely.\n2000-01-01 open Assets:Bank:A\n"
    mine = '; moved here from the old books\n2025-12-01 * "mine"\n  Assets:Bank:A  1.00 CNY\n  Income:Other\n'
    (books / "accounts.beancount").write_text(opens + mine, encoding="utf-8")
    changes: dict = {}
    opening = Opening("Assets:Bank:A", "CNY", dt.date(2026, 1, 1), Decimal("5.00"))
    Books(books).add_openings(SimpleNamespace(equity="Equity:Opening-Balances"), [(opening, "a.csv")], changes)
    text = changes[books / "accounts.beancount"]
    assert text.startswith(opens + "2000-01-01 open Equity:Opening-Balances\n" + mine), text


def test_an_opening_moved_back_keeps_the_note_on_the_entry_after_its_old_place(tmp_path):
    # an earlier statement moves an opening back: its old block goes, the person's note
    # under it stays on the entry it is written above (fix233's leftover)
    from types import SimpleNamespace
    from beanclear.statements.openings import Opening
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text('include "accounts.beancount"\n', encoding="utf-8")
    config = SimpleNamespace(equity="Equity:Opening-Balances")
    changes: dict = {}
    later = Opening("Assets:Bank:A", "CNY", dt.date(2026, 1, 5), Decimal("5.00"))
    Books(books).add_openings(config, [(later, "b.csv")], changes)
    mine = '; moved here from the old books\n2026-01-06 * "mine"\n  Assets:Bank:A  1.00 CNY\n  Income:Other\n'
    (books / "accounts.beancount").write_text(changes[books / "accounts.beancount"] + mine, encoding="utf-8")
    changes = {}
    earlier = Opening("Assets:Bank:A", "CNY", dt.date(2026, 1, 1), Decimal("4.00"))
    Books(books).add_openings(config, [(earlier, "a.csv")], changes)
    text = changes[books / "accounts.beancount"]
    assert text.count("Opening balance") == 1 and "2026-01-01 * \"Opening balance\"" in text, text
    assert text.endswith("\n" + mine), text


@pytest.mark.parametrize("equity_first", [True, False])
def test_accounts_opened_later_take_the_same_places_in_any_import_order(tmp_path, equity_first):
    # blind round 15 (splittender): a gift card's account opened before or after the
    # opening balance's equity account put the two open lines in a different order
    from types import SimpleNamespace
    from beanclear.statements.openings import Opening
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text('include "accounts.beancount"\n', encoding="utf-8")
    header = "; Accounts the config implies. beanclear appends new ones; edit freely.\n"
    (books / "accounts.beancount").write_text(
        header + "2000-01-01 open Assets:Clearing:PayPal\n2000-01-01 open Income:Sales:PayPal\n", encoding="utf-8")
    opening = Opening("Assets:Clearing:PayPal", "USD", dt.date(2026, 3, 2), Decimal("100.00"))
    steps = [lambda c: Books(books).add_openings(SimpleNamespace(equity="Equity:Opening-Balances"),
                                                 [(opening, "paypal.csv")], c),
             lambda c: Books(books).open_used({"Liabilities:GiftCards:Shop"}, c)]
    changes: dict = {}
    for step in (steps if equity_first else steps[::-1]):
        step(changes)
    assert changes[books / "accounts.beancount"] == (
        header + "2000-01-01 open Assets:Clearing:PayPal\n2000-01-01 open Equity:Opening-Balances\n"
        "2000-01-01 open Income:Sales:PayPal\n2000-01-01 open Liabilities:GiftCards:Shop\n\n"
        '2026-03-02 * "Opening balance" "Assets:Clearing:PayPal at the end of the day, from paypal.csv"\n'
        '  id: "opening Assets:Clearing:PayPal USD"\n'
        "  Assets:Clearing:PayPal                      100.00 USD\n"
        "  Equity:Opening-Balances                    -100.00 USD\n\n")
