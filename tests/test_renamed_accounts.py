"""An account renamed in config.yaml after the books were written with the old name
(books/renamed.py): every command says so first, with advice that fits the books at
hand. Small books written inline, in the import's shape (entries with an `id:`)."""

from __future__ import annotations

import textwrap

from beanclear import config as config_mod
from beanclear.books.renamed import renamed
from conftest import beanclear, snapshot, usd_config, write_files

CONFIG = usd_config("paypal", 1, """\
    bank_days: 2
shops:
  web:
    type: shopify
    order_days: 3
    currency: USD
""")

MAY = """\
2026-05-01 balance Assets:Clearing:PayPal                0.00 USD

2026-05-03 * "Buyer 1" "Express Checkout Payment"
  id: "9PP001"
  Expenses:Fees:PayPal                          5.26 USD
  Income:Sales:PayPal                        -136.54 USD
  Assets:Clearing:PayPal                      131.28 USD

2026-05-30 * "PayPal" "General Withdrawal - Bank Account" ^payout-7WD001
  id: "7WD001"
  Assets:Transit:PayPal                       131.28 USD
  Assets:Clearing:PayPal                     -131.28 USD
"""
# the statement's closing balance, dated the day after its last: the newest month file holds nothing else
JUNE_CLOSING = "2026-06-01 balance Assets:Clearing:PayPal                0.00 USD\n"
# a newest month of a payout only: no payment, so no sales or fees posted in it
JUNE_PAYOUT = """\
2026-06-01 balance Assets:Clearing:PayPal               40.00 USD

2026-06-01 * "PayPal" "General Withdrawal - Bank Account" ^payout-7WD002
  id: "7WD002"
  Assets:Transit:PayPal                        40.00 USD
  Assets:Clearing:PayPal                      -40.00 USD
"""
ORDERS = """\
2026-05-02 * "Order #1001 / Candle" ^order-1001
  id: "order:#1001"
  order-id: "#1001"
  Assets:Receivable:Web                       136.54 USD
  Income:Sales:Web                           -136.54 USD
"""
ACCOUNTS = """\
; Accounts the config implies. beanclear appends new ones; edit freely.
2000-01-01 open Assets:Clearing:PayPal
2000-01-01 open Assets:Transit:PayPal
2000-01-01 open Expenses:Fees:PayPal
2000-01-01 open Income:Sales:PayPal
2000-01-01 open Assets:Receivable:Web
2000-01-01 open Income:Sales:Web
"""
MAIN = """\
; The books of this merchant, kept by beanclear. This file is yours to edit: beanclear
; only ever adds an include line below when a new source gets its first statement.
option "title" "Shop"
option "operating_currency" "USD"

include "accounts.beancount"

; Statements, one include per source (beanclear adds these):
include "paypal/*/*.beancount"
include "web/*/*.beancount"
"""


def books(tmp_path, config: str = CONFIG, months: dict | None = None, main: str = MAIN):
    """The merchant's folder: config.yaml and the books, beanclear's own files only."""
    files = {"main.beancount": main, "accounts.beancount": ACCOUNTS, "paypal/2026/2026-05.beancount": MAY,
             "paypal/2026/2026-06.beancount": JUNE_CLOSING, "web/2026/2026-05.beancount": ORDERS, **(months or {})}
    return write_files(tmp_path, {"config.yaml": config, **{f"books/{name}": text for name, text in files.items()}})


def with_accounts(accounts: str, source: str = "paypal") -> str:
    """CONFIG with `accounts: …` given to the source."""
    anchor = "    bank_days: 2\n" if source == "paypal" else "    order_days: 3\n"
    return CONFIG.replace(anchor, f"{anchor}    accounts: {accounts}\n")


def said(merchant) -> list[str]:
    return renamed(config_mod.load(merchant / "config.yaml"))


# -- which renames are said --------------------------------------------------------------

def test_paypal_sales_and_fees_renamed_are_said_though_its_newest_month_holds_only_the_closing_balance(tmp_path):
    # blind9: `accounts: {sales: Income:Sales:Online, fees: Expenses:Merchant-Fees:PayPal}`
    # after init: check exited 0 with no fee-gap and the report showed PayPal's sales 0.00,
    # since only the newest month file was read, and it held the statement's closing
    # balance alone (dated the day after the last line), no posting at all
    merchant = books(tmp_path, with_accounts("{sales: Income:Sales:Online, fees: Expenses:Merchant-Fees:PayPal}"))
    month = merchant / "books" / "paypal" / "2026" / "2026-05.beancount"
    assert said(merchant) == [
        f"channels.paypal.accounts.sales: Income:Sales:Online, but the books of paypal post to Income:Sales:PayPal "
        f"({month}:6): the books keep the name they were written with. Rename Income:Sales:PayPal to "
        "Income:Sales:Online in books/ too (accounts.beancount included), or remove books/ and import the "
        "statements again",
        f"channels.paypal.accounts.fees: Expenses:Merchant-Fees:PayPal, but the books of paypal post to "
        f"Expenses:Fees:PayPal ({month}:5): the books keep the name they were written with. Rename "
        "Expenses:Fees:PayPal to Expenses:Merchant-Fees:PayPal in books/ too (accounts.beancount included), or "
        "remove books/ and import the statements again"]
    before = snapshot(merchant / "books")
    for args in (("check",), ("report", "2026-05")):
        result = beanclear(merchant, *args)
        assert result.exit_code == 2 and "channels.paypal.accounts.fees: Expenses:Merchant-Fees:PayPal, but the " \
            "books of paypal post to Expenses:Fees:PayPal (" in result.output, result.output
    assert snapshot(merchant / "books") == before


def test_a_fees_account_renamed_is_said_though_the_newest_month_holds_a_payout_only(tmp_path):
    # the newest month's statement held a withdrawal and no payment: no fee posted in it,
    # the month before posts them all under the old name
    merchant = books(tmp_path, with_accounts("{fees: Expenses:Merchant-Fees:PayPal}"),
                     {"paypal/2026/2026-06.beancount": JUNE_PAYOUT})
    assert [s.split(" (")[0] for s in said(merchant)] == [
        "channels.paypal.accounts.fees: Expenses:Merchant-Fees:PayPal, but the books of paypal post to "
        "Expenses:Fees:PayPal"]


def test_a_shops_sales_account_renamed_is_said_as_a_channels_is(tmp_path):
    # a shop's orders post to its receivable and its sales account; renamed in the config
    # only, the books keep the old name and the report would find no sales of the shop
    merchant = books(tmp_path, with_accounts("{sales: Income:Sales:Online}", source="web"))
    month = merchant / "books" / "web" / "2026" / "2026-05.beancount"
    assert said(merchant) == [
        f"shops.web.accounts.sales: Income:Sales:Online, but the books of web post to Income:Sales:Web ({month}:5): "
        "the books keep the name they were written with. Rename Income:Sales:Web to Income:Sales:Online in books/ "
        "too (accounts.beancount included), or remove books/ and import the statements again"]
    assert beanclear(merchant, "check").exit_code == 2


def test_accounts_the_books_post_to_already_or_never_need_are_no_rename(tmp_path):
    # must not fire: the books post to the names the config gives (renamed in books/ too,
    # as the advice says), and a role the books never used (chargebacks) renamed at will
    renames = {"Income:Sales:PayPal": "Income:Sales:Online", "Expenses:Fees:PayPal": "Expenses:Merchant-Fees:PayPal",
               "Income:Sales:Web": "Income:Sales:Shop"}
    months = {}
    for name, text in (("paypal/2026/2026-05.beancount", MAY), ("web/2026/2026-05.beancount", ORDERS),
                       ("accounts.beancount", ACCOUNTS)):
        for old, new in renames.items():
            text = text.replace(old, new)
        months[name] = text
    config = with_accounts("{sales: Income:Sales:Online, fees: Expenses:Merchant-Fees:PayPal, "
                           "chargebacks: Expenses:Disputes:PayPal}")
    config = config.replace("    order_days: 3\n", "    order_days: 3\n    accounts: {sales: Income:Sales:Shop}\n")
    merchant = books(tmp_path, config, months)
    assert said(merchant) == []
    assert beanclear(merchant, "check").exit_code != 2
    # nor where nothing is posted at all yet: a month of the closing balance alone
    (merchant / "books" / "paypal" / "2026" / "2026-05.beancount").write_text(JUNE_CLOSING, encoding="utf-8")
    assert said(merchant) == []


# -- the advice, for the books at hand ------------------------------------------------

HAND = """\
; my chart of accounts
2024-07-01 open Assets:Checking:FirstBank   USD
2024-07-01 open Assets:PayPal               USD
2024-07-01 open Income:Sales:Online         USD
2024-07-01 open Expenses:Merchant-Fees:PayPal
"""
THEIR_MAIN = """\
;; Oak & Ember Candle Co. -- kept by hand since July 2024
option "title" "Oak & Ember"
include "my-accounts.beancount"
include "hand/*.beancount"
""" + textwrap.dedent("""\

    ; beanclear keeps these books from here on. Every line above is as you wrote it; below is
    ; what beanclear needs of main.beancount (what above had already is left out), and the
    ; include line of each source, added when the source gets its first statement.

    include "accounts.beancount"

    ; Statements, one include per source (beanclear adds these):
    include "paypal/*/*.beancount"
    include "web/*/*.beancount"
    """)
OPENING = """
2026-04-30 * "Opening balance" "Assets:Clearing:PayPal at the end of the day, from paypal.csv"
  id: "opening Assets:Clearing:PayPal USD"
  Assets:Clearing:PayPal                       12.00 USD
  Equity:Opening-Balances
"""


def adopted(tmp_path, accounts: str, opening: str = ""):
    """Books init adopted: their main.beancount and chart of accounts, two years by hand."""
    merchant = books(tmp_path, with_accounts(accounts), {"main.beancount": THEIR_MAIN,
                                                          "my-accounts.beancount": HAND,
                                                          "hand/2024-2026.beancount": "; by hand\n",
                                                          "paypal/2026/2026-06.beancount": None})
    (merchant / "books" / "accounts.beancount").write_text(ACCOUNTS + opening, encoding="utf-8")
    return merchant


def test_the_advice_over_adopted_books_never_says_to_remove_them(tmp_path):
    # blind9: "or remove books/ and import the statements again" deleted two years of books
    # kept by hand; a new name their files do not open is renamed, accounts.beancount too
    merchant = adopted(tmp_path, "{transit: Assets:Transit:PP}")
    [message] = said(merchant)
    assert message.endswith("the books keep the name they were written with. Rename Assets:Transit:PayPal to "
                            "Assets:Transit:PP in books/ too (accounts.beancount included)"), message
    assert "remove books/" not in message


def test_the_advice_for_a_name_their_own_file_opens_takes_the_open_line_out_of_accounts_beancount(tmp_path):
    # blind9: renaming Assets:Clearing:Stripe in accounts.beancount too, as told, gave
    # "Duplicate open directive for Assets:Stripe (books/my-accounts.beancount:8)": their
    # own file opens it (and holds its money: the opening is taken out with it)
    merchant = adopted(tmp_path, "{clearing: Assets:PayPal, fees: Expenses:Merchant-Fees:PayPal}", OPENING)
    hand = merchant / "books" / "my-accounts.beancount"
    clearing, fees = said(merchant)
    assert clearing.split("): ", 1)[1] == (
        "the books keep the name they were written with. Rename Assets:Clearing:PayPal to Assets:PayPal in books/ "
        "too, but take its `open` line and its \"Opening balance\" out of accounts.beancount rather than rename "
        f"them: {hand}:3 opens Assets:PayPal already")
    assert fees.split("): ", 1)[1] == (
        "the books keep the name they were written with. Rename Expenses:Fees:PayPal to Expenses:Merchant-Fees:PayPal "
        f"in books/ too, but take its `open` line out of accounts.beancount rather than rename it: {hand}:5 opens "
        "Expenses:Merchant-Fees:PayPal already")
    # done as said: nothing more to say, and Beancount opens no account twice
    root = merchant / "books"
    for path in root.glob("paypal/*/*.beancount"):
        path.write_text(path.read_text(encoding="utf-8").replace("Assets:Clearing:PayPal", "Assets:PayPal")
                        .replace("Expenses:Fees:PayPal", "Expenses:Merchant-Fees:PayPal"), encoding="utf-8")
    accounts = root / "accounts.beancount"
    accounts.write_text(ACCOUNTS.replace("2000-01-01 open Assets:Clearing:PayPal\n", "")
                        .replace("2000-01-01 open Expenses:Fees:PayPal\n", ""), encoding="utf-8")
    assert said(merchant) == []
    from beancount import loader
    _, errors, _ = loader.load_file(str(root / "main.beancount"))
    assert not [e for e in errors if "Duplicate open" in e.message], errors
