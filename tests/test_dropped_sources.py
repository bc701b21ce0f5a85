"""A source taken out of config.yaml while its books stay (books/dropped.py): the books
still include the statements imported for it, and nothing would judge the money they
hold. Every command says so first, and bean-check and Fava say it as an error. Small
books written inline, in the import's shape (entries with an `id:`, coverage records)."""

from __future__ import annotations

from beancount import loader

from beanclear import config as config_mod
from beanclear.books import MAIN_HEADER
from beanclear.books.dropped import dropped
from conftest import beanclear, snapshot

PAYPAL = """\
  paypal:
    type: paypal
    currency: USD
    settlement_days: 1
    bank: chase
    bank_days: 2
"""
CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
{paypal}  stripe:
    type: stripe
    currency: USD
banks:
  chase:
    type: ofx
    account: Assets:Bank:Chase
    currency: USD
"""
WITH_PAYPAL, WITHOUT_PAYPAL = CONFIG.format(paypal=PAYPAL), CONFIG.format(paypal="")

# May: a withdrawal of 1,598.49 that reached the bank as 1,595.99 (blind9's merchant)
PAYPAL_MAY = """\
2026-05-03 * "Buyer 1" "Express Checkout Payment"
  id: "9PP001"
  Expenses:Fees:PayPal                         55.35 USD
  Income:Sales:PayPal                       -1653.84 USD
  Assets:Clearing:PayPal                     1598.49 USD

2026-05-18 * "PayPal" "General Withdrawal - Bank Account" ^payout-7WD001
  id: "7WD001"
  Assets:Transit:PayPal                      1598.49 USD
  Assets:Clearing:PayPal                    -1598.49 USD

2026-05-31 custom "beanclear-coverage" "paypal" 2026-05-01 "2d93a2a99120"
  id: "coverage 2026-05-01 2026-05-31 2d93a2a99120"
  statement: "paypal-2026-05.csv"
  digest: "sha256:2d93a2a99120d3bb1e06173e65bb1579b2f8ee634f6968e27d2788052d0ee912"
"""
PAYPAL_JUNE = """\
2026-06-30 custom "beanclear-coverage" "paypal" 2026-06-01 "5009149fe10c"
  id: "coverage 2026-06-01 2026-06-30 5009149fe10c"
  statement: "paypal-2026-06.csv"
  digest: "sha256:5009149fe10c0000000000000000000000000000000000000000000000000000"
"""
CHASE_MAY = """\
2026-05-20 * "PAYPAL TRANSFER" "PAYPAL TRANSFER 7WD001" ^payout-7WD001
  id: "2026000065"
  Assets:Bank:Chase                          1595.99 USD
  Assets:Transit:PayPal                     -1595.99 USD

2026-05-31 custom "beanclear-coverage" "chase" 2026-05-01 "8dfa5f888034"
  id: "coverage 2026-05-01 2026-05-31 8dfa5f888034"
  statement: "bank-2026-05.ofx"
  digest: "sha256:8dfa5f888034000000000000000000000000000000000000000000000000000"
"""
ACCOUNTS = """\
2000-01-01 open Assets:Bank:Chase
2000-01-01 open Assets:Clearing:PayPal
2000-01-01 open Assets:Transit:PayPal
2000-01-01 open Expenses:Fees:PayPal
2000-01-01 open Income:Sales:PayPal
2000-01-01 open Assets:Clearing:Stripe
2000-01-01 open Assets:Transit:Stripe
2000-01-01 open Expenses:Fees:Stripe
2000-01-01 open Income:Sales:Stripe
2000-01-01 open Assets:Suspense
"""
MAIN = MAIN_HEADER + """\
option "title" "Candles"
option "operating_currency" "USD"
plugin "beanclear.plugins.checks" "../config.yaml"

include "accounts.beancount"

; Statements, one include per source (beanclear adds these):
include "chase/*/*.beancount"
include "paypal/*/*.beancount"
"""


def merchant_at(tmp_path, config: str = WITHOUT_PAYPAL, main: str = MAIN, more: dict | None = None):
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    files = {"main.beancount": main, "accounts.beancount": ACCOUNTS, "chase/2026/2026-05.beancount": CHASE_MAY,
             "paypal/2026/2026-05.beancount": PAYPAL_MAY, "paypal/2026/2026-06.beancount": PAYPAL_JUNE,
             **(more or {})}
    for name, text in files.items():
        path = tmp_path / "books" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def said(merchant) -> list[str]:
    return dropped(config_mod.load(merchant / "config.yaml"))


def expected(merchant, source: str = "paypal", kind: str = "channels", line: int = 11, last: str = "2026-06-30",
             held: str = "Assets:Clearing:PayPal, Assets:Transit:PayPal") -> str:
    books = merchant / "books"
    return (f"{books / 'main.beancount'}:{line}: includes {books / source}, the statements imported for {source} "
            f"(2026-05-01 to {last}), a source config.yaml names no more: no check judges the money they hold on "
            f"{held}. Put {source} back under `{kind}:` in config.yaml (its books are judged again, and what you "
            f"book by hand on its accounts with them), or rebuild the books without its statements: "
            f"`rm -rf {books} && beanclear import -c {merchant / 'config.yaml'} <your statements but {source}'s>`")


def test_a_channel_taken_out_of_the_config_while_its_books_stay_is_said_by_every_command(tmp_path):
    # blind9: channels.paypal removed to go back to hand entries; books/paypal stayed
    # included. May's payout-mismatch (1,598.49 arrived as 1,595.99) vanished from check
    # and from May's report, with PayPal's row, and check said nothing of why.
    merchant = merchant_at(tmp_path)
    assert said(merchant) == [expected(merchant)]
    before = snapshot(merchant / "books")
    for args in (("check",), ("check", "--format", "json"), ("report", "2026-05")):
        result = beanclear(merchant, *args)
        assert result.exit_code == 2, result.output
        assert expected(merchant) in " ".join(result.output.split()), result.output
    assert snapshot(merchant / "books") == before


def test_bean_check_and_fava_say_it_as_one_error_at_the_include_line(tmp_path):
    merchant = merchant_at(tmp_path)
    _, errors, _ = loader.load_file(str(merchant / "books" / "main.beancount"))
    ours = [e for e in errors if "names no more" in e.message]
    assert len(ours) == 1, [e.message for e in errors]
    assert ours[0].message == "beanclear: " + expected(merchant).split(": ", 1)[1]
    assert (ours[0].source["filename"], ours[0].source["lineno"]) == (str(merchant / "books" / "main.beancount"), 11)


def test_a_bank_taken_out_is_said_under_banks(tmp_path):
    config = WITH_PAYPAL.replace("    bank: chase\n", "").split("banks:")[0]
    merchant = merchant_at(tmp_path, config)
    assert said(merchant) == [expected(merchant, "chase", "banks", 10, "2026-05-31", "Assets:Bank:Chase")]


def test_over_adopted_books_the_advice_never_says_to_remove_them(tmp_path):
    # a ledger of the merchant's own, adopted by init: beanclear's folder of the source and
    # its include line go, what other files hold on its accounts is the merchant's to book
    merchant = merchant_at(tmp_path, main=MAIN.replace(MAIN_HEADER, "; Candles, kept by hand since 2024\n"))
    books = merchant / "books"
    assert said(merchant) == [
        f"{books / 'main.beancount'}:10: includes {books / 'paypal'}, the statements imported for paypal "
        "(2026-05-01 to 2026-06-30), a source config.yaml names no more: no check judges the money they hold on "
        "Assets:Clearing:PayPal, Assets:Transit:PayPal. Put paypal back under `channels:` in config.yaml (its "
        "books are judged again, and what you book by hand on its accounts with them), or take its statements out "
        f"of the books: remove {books / 'paypal'} and this include line (what other files hold on "
        "Assets:Clearing:PayPal, Assets:Transit:PayPal is then yours to book)"]


# -- must not fire ----------------------------------------------------------------------

def test_a_config_naming_every_source_whose_books_exist_says_nothing(tmp_path):
    merchant = merchant_at(tmp_path, WITH_PAYPAL)
    assert said(merchant) == []
    result = beanclear(merchant, "check")
    assert "names no more" not in result.output and result.exit_code in (0, 1), result.output
    assert "payout-mismatch" in result.output   # the money is judged: May's open error shows
    _, errors, _ = loader.load_file(str(merchant / "books" / "main.beancount"))
    assert not [e for e in errors if "names no more" in e.message]


def test_books_no_longer_included_or_a_persons_own_folder_say_nothing(tmp_path):
    # the channel's include line taken out too: its statements are no longer in the books;
    # a folder of a person's own month files (no beanclear coverage) is theirs, whatever its name
    main = MAIN.replace('include "paypal/*/*.beancount"\n', 'include "archive/*/*.beancount"\n')
    own = {"archive/2025/2025-12.beancount": '2025-12-31 * "Counter sale"\n  Assets:Bank:Chase  10.00 USD\n'
                                             '  Income:Sales:Stripe\n'}
    merchant = merchant_at(tmp_path, main=main, more=own)
    assert said(merchant) == []
    _, errors, _ = loader.load_file(str(merchant / "books" / "main.beancount"))
    assert not [e for e in errors if "names no more" in e.message]
