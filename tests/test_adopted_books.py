"""Books a merchant kept by hand before beanclear (January to June), beanclear from July:
their own files open accounts and hold money on them, and beanclear's books take them
as they are."""

from __future__ import annotations

import json

from conftest import TRADE, beanclear, snapshot


def beancount_errors(merchant) -> list[str]:
    checked = beanclear(merchant, "check", "--format", "json")
    return [f["message"] for f in json.loads(checked.output)["findings"] if f["code"] == "beancount"]


def with_hand_file(books, text: str) -> None:
    """`hand.beancount`, included from main.beancount before accounts.beancount."""
    (books / "hand.beancount").write_text(text, encoding="utf-8")
    main = books / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8").replace(
        'include "accounts.beancount"\n', 'include "hand.beancount"\ninclude "accounts.beancount"\n'), encoding="utf-8")


# -- accounts their own files open -----------------------------------------------------

def test_an_account_a_file_of_the_books_opens_is_not_opened_again_by_any_import(merchant):
    """The tester's books: their own file opens the bank and an expense the config's rules
    also name; the `open` lines the first import wrote for them are taken out by hand. No
    import writes them again (Beancount: "Duplicate open directive"), nor the equity
    account's when their file opens that too; importing again writes nothing at all."""
    statements, books = merchant / "statements", merchant / "books"
    assert beanclear(merchant, "import", str(statements / TRADE)).exit_code == 0
    with_hand_file(books, "2021-01-01 open Assets:Bank:Ops CNY\n2021-01-01 open Expenses:Rent CNY\n"
                          "2021-01-01 open Equity:Opening-Balances\n")
    accounts = books / "accounts.beancount"
    accounts.write_text("".join(line for line in accounts.read_text(encoding="utf-8").splitlines(keepends=True)
                                if line not in ("2000-01-01 open Assets:Bank:Ops\n", "2000-01-01 open Expenses:Rent\n")),
                        encoding="utf-8")
    result = beanclear(merchant, "import", str(statements))   # the bank's first statement: its opening
    assert result.exit_code == 0, result.output
    assert "first statement of Assets:Bank:Ops" in result.output
    text = accounts.read_text(encoding="utf-8")
    assert " open Assets:Bank:Ops" not in text and " open Expenses:Rent" not in text
    assert " open Equity:Opening-Balances" not in text and '"Opening balance"' in text
    before = snapshot(books)
    for again in (["import", str(statements)], ["import", "--force", str(statements)]):
        assert beanclear(merchant, *again).exit_code == 0
        assert snapshot(books) == before
    assert not [m for m in beancount_errors(merchant) if "Duplicate open" in m]
