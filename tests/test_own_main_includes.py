"""An accountant's own main.beancount that already names beanclear's plugin (README "The
books"): beanclear takes it as its own ("gets only source includes from then on"), yet
every file a command writes that the books need (accounts.beancount's `open` lines,
prices, acks, periods, write-offs) must be one the file includes, or the books it leaves
do not load (blind18 pluginonly: `Invalid reference to unknown account
'Assets:Clearing:Stripe'` after an import that exited 0). The include line is added,
nothing else touched; where including the file would open an account twice, the command
refuses (exit 2) and writes nothing."""

from __future__ import annotations

from beancount import loader
from click.testing import CliRunner

from beanclear import cli

from conftest import beanclear, snapshot, usd_config, write_files

STRIPE = (
    '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
    '"reporting_category","source_id","description"\n'
    '"txn_3PqM01","2026-03-01 15:00:00","2026-03-03 00:00:00","usd","50.00","1.75","48.25","charge",'
    '"ch_3PqM01","Order 1"\n'
    '"txn_3PqP01","2026-03-02 14:00:00","2026-03-02 00:00:00","usd","-48.25","0.00","-48.25","payout",'
    '"po_1PqMAR02","STRIPE PAYOUT"\n'
    '"txn_3PqM02","2026-04-01 12:00:00","2026-04-03 00:00:00","usd","10.00","0.50","9.50","charge",'
    '"ch_3PqM02","Order 2"\n')   # (the statement reaches past March's end: March can be closed)
FEES = "    fees:\n      - rate: 0.02\n        fixed: 0.30\n"   # a fee-gap of 0.45 on txn_3PqM01
OWN_MAIN = ('option "title" "my books"\noption "operating_currency" "USD"\n'
            'plugin "beanclear.plugins.checks" "../config.yaml"\n\n'
            "2026-01-01 open Assets:Bank:Chase USD\n2026-01-01 open Equity:Opening-Balances\n")


def merchant(tmp_path, main: str | None = OWN_MAIN, **books):
    return write_files(tmp_path, {"config.yaml": usd_config("stripe", 8, FEES), "stripe-2026-03.csv": STRIPE,
                                  "books/main.beancount": main,
                                  **{f"books/{name}.beancount": text for name, text in books.items()}})


def load_errors(folder) -> list[str]:
    """bean-check's errors of the books, with the plugins main.beancount names, but the
    findings the checks plugin reports."""
    _, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    return [e.message for e in errors if type(e).__name__ != "FindingError"]


def test_an_import_into_their_own_main_includes_what_it_wrote(tmp_path):
    """The tester's repro: the import writes the Stripe accounts' `open` lines to
    accounts.beancount (and makes prices and acks): main.beancount gains exactly their
    include lines and the source's, every line of theirs as it was, and the books load.
    A write-off and a close then add their own file's include, and nothing else."""
    folder = merchant(tmp_path)
    main = folder / "books" / "main.beancount"
    result = beanclear(folder, "import", str(folder / "stripe-2026-03.csv"))
    assert result.exit_code == 0, result.output
    imported = OWN_MAIN + ('include "stripe/*/*.beancount"\n'
                           'include "accounts.beancount"\ninclude "prices.beancount"\ninclude "acks.beancount"\n')
    assert main.read_text(encoding="utf-8") == imported
    assert ("main.beancount gains the include line of accounts.beancount, prices.beancount, acks.beancount"
            in result.output)
    assert "open Assets:Clearing:Stripe" in (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert load_errors(folder) == []
    checked = beanclear(folder, "check")
    assert "error   beancount" not in checked.output and "fee-gap" in checked.output, checked.output
    before = snapshot(folder / "books")   # importing again: nothing to write, main as it is
    assert beanclear(folder, "import", str(folder / "stripe-2026-03.csv")).exit_code == 0
    assert snapshot(folder / "books") == before
    written = beanclear(folder, "write-off", "fee-gap", "txn_3PqM01", "--reason", "their rounding")
    assert written.exit_code == 0, written.output
    assert main.read_text(encoding="utf-8") == imported.replace(
        'include "acks.beancount"\n', 'include "acks.beancount"\ninclude "writeoffs.beancount"\n')
    closed = beanclear(folder, "close", "2026-03")
    assert closed.exit_code == 0, closed.output
    assert main.read_text(encoding="utf-8") == imported.replace(
        'include "acks.beancount"\n', 'include "acks.beancount"\ninclude "periods.beancount"\n'
                                       'include "writeoffs.beancount"\n')
    assert load_errors(folder) == []


def test_an_account_their_main_opens_is_not_opened_again(tmp_path):
    """Their main opens the Stripe clearing account already: accounts.beancount, now
    included, does not open it a second time."""
    main = OWN_MAIN + "2026-01-01 open Assets:Clearing:Stripe USD\n"
    folder = merchant(tmp_path, main)
    assert beanclear(folder, "import", str(folder / "stripe-2026-03.csv")).exit_code == 0
    accounts = (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert "open Assets:Clearing:Stripe" not in accounts and "open Income:Sales:Stripe" in accounts
    assert load_errors(folder) == []


def test_a_file_their_main_reaches_through_another_is_not_included_twice(tmp_path):
    """Their main includes `mine.beancount`, which includes accounts.beancount (under
    another spelling of its path) and acks.beancount: only prices gets an include (a
    second include of one file is Beancount's "Duplicate filename parsed")."""
    main = OWN_MAIN + 'include "mine.beancount"\n'
    folder = merchant(tmp_path, main, mine='include "./accounts.beancount"\ninclude "acks.beancount"\n',
                      accounts="; theirs\n", acks="; theirs\n")
    result = beanclear(folder, "import", str(folder / "stripe-2026-03.csv"))
    assert result.exit_code == 0, result.output
    assert (folder / "books" / "main.beancount").read_text(encoding="utf-8") == main + (
        'include "stripe/*/*.beancount"\ninclude "prices.beancount"\n')
    assert load_errors(folder) == []
    # and an ack, whose file `mine.beancount` includes, adds no include either
    written = beanclear(folder, "ack", "fee-gap", "txn_3PqM01", "--reason", "agreed")
    assert written.exit_code == 0, written.output
    assert (folder / "books" / "main.beancount").read_text(encoding="utf-8") == main + (
        'include "stripe/*/*.beancount"\ninclude "prices.beancount"\n')
    assert load_errors(folder) == []


def test_reference_rates_into_their_own_main_are_included(tmp_path):
    """`beanclear prices import` over their own main.beancount (the accounts their own):
    prices.beancount gets the rates, and main.beancount its include, after theirs."""
    main = OWN_MAIN + 'include "mine.beancount"\n'
    folder = merchant(tmp_path, main, mine="2000-01-01 open Assets:Clearing:Stripe\n")
    (folder / "rates.csv").write_text("date,pair,rate\n2026-03-02,EUR/USD,1.0800\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["prices", "import", "-c", str(folder / "config.yaml"),
                                           str(folder / "rates.csv")])
    assert result.exit_code == 0, result.output
    books = folder / "books"
    assert "2026-03-02 price EUR 1.0800 USD" in (books / "prices.beancount").read_text(encoding="utf-8")
    assert (books / "main.beancount").read_text(encoding="utf-8") == main + (
        'include "accounts.beancount"\ninclude "prices.beancount"\ninclude "acks.beancount"\n')
    assert "open Assets:Clearing:Stripe" not in (books / "accounts.beancount").read_text(encoding="utf-8")
    assert load_errors(folder) == []


def test_including_a_file_that_opens_their_accounts_again_is_refused(tmp_path):
    """accounts.beancount is there but not included (its include taken out, the bank's
    `open` moved into main): the import needs new accounts there, and including the file
    would open Assets:Bank:Chase twice. Refused, exit 2, saying where; nothing written."""
    folder = merchant(tmp_path, accounts="; mine\n2000-01-01 open Assets:Bank:Chase\n")
    before = snapshot(folder)
    result = beanclear(folder, "import", str(folder / "stripe-2026-03.csv"))
    assert result.exit_code == 2, result.output
    assert "books/accounts.beancount:2:" in result.output.replace("\\", "/")
    assert "Assets:Bank:Chase" in result.output and "main.beancount" in result.output
    assert "nothing was written" in result.output
    assert snapshot(folder) == before


def test_books_beanclear_made_keep_their_main_as_it_is(tmp_path):
    """Must not fire: books the import made from nothing include their files already;
    importing into them again, acknowledging and closing add no line to main.beancount."""
    folder = merchant(tmp_path, main=None)
    assert beanclear(folder, "import", str(folder / "stripe-2026-03.csv")).exit_code == 0
    main = (folder / "books" / "main.beancount").read_text(encoding="utf-8")
    assert main.count('include "accounts.beancount"') == 1 and main.count('include "prices.beancount"') == 1
    assert main.count('include "acks.beancount"') == 1
    assert beanclear(folder, "ack", "fee-gap", "txn_3PqM01", "--reason", "agreed").exit_code == 0
    assert (folder / "books" / "main.beancount").read_text(encoding="utf-8") == main
    assert load_errors(folder) == []


def test_the_demo_books_main_is_untouched_by_ack_and_import(demo_copy):
    """Must not fire on `beanclear demo`'s books: an import again and an ack leave
    main.beancount byte for byte."""
    folder = demo_copy()
    main = (folder / "books" / "main.beancount").read_bytes()
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    assert beanclear(folder, "ack", "fee-gap", "anything", "--reason", "agreed").exit_code in (0, 2)
    assert (folder / "books" / "main.beancount").read_bytes() == main
