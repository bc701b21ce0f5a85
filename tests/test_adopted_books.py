"""Books a merchant kept by hand before beanclear (January to June), beanclear from July:
their own files open accounts and hold money on them, and beanclear's books take them
as they are."""

from __future__ import annotations

import json
import shutil

from beancount import loader
from click.testing import CliRunner

from beanclear import cli
from beanclear.books import SOURCES_MARKER
from conftest import FUND, TRADE, bank_file, beanclear, sample, snapshot


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


# -- their main.beancount --------------------------------------------------------------

def statements(folder):
    folder.mkdir()
    shutil.copy(sample("wechat_merchant", TRADE), folder)
    shutil.copy(sample("camt053", "oca-test-camt053.xml"), folder)
    return folder


def init(merchant, folder):
    result = CliRunner().invoke(cli.main, ["init", str(merchant), "--from", str(folder), "--yes"])
    assert result.exit_code == 0, result.output
    return result.output


def findings(merchant) -> list[tuple]:
    checked = beanclear(merchant, "check", "--format", "json")
    return [(f["code"], f["severity"], f["message"]) for f in json.loads(checked.output)["findings"]]


def test_init_into_a_ledger_there_already_keeps_its_lines_and_adds_what_the_books_need(tmp_path):
    """`beanclear init` into a folder whose books/main.beancount is the merchant's own
    ledger: its every line stays byte for byte, and what beanclear needs of the file
    (the plugins, Fava's lines, the includes of accounts, prices and acks; what it has
    already left out) is added at its end, once. The books then check as books init
    made from nothing do, and bean-check runs the same checks."""
    folder = statements(tmp_path / "statements")
    fresh, merchant = tmp_path / "fresh", tmp_path / "merchant"
    init(fresh, folder)
    (merchant / "books").mkdir(parents=True)
    theirs = ('option "title" "Becker"\noption "operating_currency" "EUR"\ninclude "./prices.beancount"\n\n'
              "2021-01-01 open Assets:Bank:Hand EUR")   # no line break at its end
    main = merchant / "books" / "main.beancount"
    main.write_text(theirs, encoding="utf-8")
    output = init(merchant, folder)
    assert "main.beancount was there already" in output
    text = main.read_text(encoding="utf-8")
    assert text.startswith(theirs + "\n")
    added = text[len(theirs):]
    assert 'option "title"' not in added and 'option "operating_currency"' not in added
    assert 'include "prices.beancount"' not in added and 'include "accounts.beancount"' in added
    assert 'plugin "beanclear.plugins.checks" "../config.yaml"' in added
    assert added.index(SOURCES_MARKER) < added.index('include "camt053/*/*.beancount"')
    assert (merchant / "books" / "fava_import.py").exists()
    assert findings(merchant) == findings(fresh)
    entries, errors, _ = loader.load_file(str(main))   # bean-check, with the plugins the file names
    fresh_entries, fresh_errors, _ = loader.load_file(str(fresh / "books" / "main.beancount"))
    assert [e.message for e in errors] == [e.message for e in fresh_errors]
    # from now on the file is theirs to edit: a plugin taken out stays out
    edited = text.replace('plugin "beanclear.plugins.checks" "../config.yaml"\n', 'plugin "beanclear.plugins.clearing" "../config.yaml"\n')
    main.write_text(edited, encoding="utf-8")
    assert beanclear(merchant, "import", "--force", str(folder)).exit_code == 0
    assert main.read_text(encoding="utf-8") == edited



# -- money their own files hold --------------------------------------------------------

def their_ledger(merchant, hand: str) -> None:
    """books/main.beancount as the merchant kept it, including their `hand.beancount`."""
    (merchant / "books").mkdir()
    (merchant / "books" / "main.beancount").write_text('option "title" "Hand"\ninclude "hand.beancount"\n',
                                                       encoding="utf-8")
    (merchant / "books" / "hand.beancount").write_text(hand, encoding="utf-8")


def openings_written(merchant) -> str:
    text = (merchant / "books" / "accounts.beancount").read_text(encoding="utf-8")
    return "".join(block for block in text.split("\n\n") if '"Opening balance"' in block)


def test_the_opening_is_what_the_statement_states_less_what_their_books_hold(merchant):
    """Their books hold the bank's 1,000.00 CNY on the day before its first statement (a
    line without an amount, as people write them), and 0.15 CNY of the WeChat Pay balance
    its fund bill's first balance implies is 0.23: the bank's opening writes nothing,
    WeChat's writes the 0.08 their books lack, saying so; no balance fails but by the
    trade bill's 0.03 of the days before the fund bill, which no statement shows paid out
    (in no opening: its statement-gap holds that balance)."""
    their_ledger(merchant, "2021-01-01 open Assets:Bank:Ops CNY\n2021-01-01 open Assets:Clearing:WeChat CNY\n"
                           "2021-01-01 open Equity:Eroeffnung\n\n"
                           '2021-01-01 * "Saldovortrag"\n  Assets:Bank:Ops  1000.00 CNY\n  Assets:Clearing:WeChat  0.15 CNY\n'
                           "  Equity:Eroeffnung\n")
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    assert ("opening balance 1000.00 CNY at the end of 2021-01-29, of which the books held 1000.00 CNY already "
            "(their own entries): nothing written") in result.output
    assert ("opening balance 0.23 CNY at the end of 2021-01-31, of which the books held 0.15 CNY already (their "
            "own entries): the difference, 0.08 CNY, written from it; not in it: 0.03 CNY booked on it before "
            "2021-02-01") in result.output
    assert openings_written(merchant) == (
        '2021-01-31 * "Opening balance" "Assets:Clearing:WeChat at the end of the day, from '
        'gunsluo-wechatpay-v3-fundflowbill-Basic.csv.gz, less 0.15 CNY the books held already"\n'
        '  id: "opening Assets:Clearing:WeChat CNY"\n'
        "  Assets:Clearing:WeChat                        0.08 CNY\n"
        "  Equity:Opening-Balances                      -0.08 CNY")
    assert beancount_errors(merchant) == []
    before = snapshot(merchant / "books")
    assert beanclear(merchant, "import", "--force", str(merchant / "statements")).exit_code == 0
    assert snapshot(merchant / "books") == before


def test_a_stated_opening_their_books_reach_by_a_pad_writes_nothing(tmp_path):
    """MT940 `:60F:` and CAMT `OPBD`: the opening each states. Their books pad the MT940
    account to it (a pad is filled as bean-check fills it) and hold 150.00 of the CAMT
    account's 200.00: nothing for the first, 50.00 for the second, and the balances hold."""
    from test_stated_openings import CAMT_ADDS_UP, CONFIG, MT_ADDS_UP
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    their_ledger(tmp_path, "2026-01-01 open Assets:Bank:Mt EUR\n2026-01-01 open Assets:Bank:Camt EUR\n"
                           "2026-01-01 open Equity:Eroeffnung EUR\n"
                           "2026-01-01 pad Assets:Bank:Mt Equity:Eroeffnung\n"
                           "2026-03-01 balance Assets:Bank:Mt 100.00 EUR\n\n"
                           '2026-02-01 * "Saldovortrag"\n  Equity:Eroeffnung  -150.00 EUR\n  Assets:Bank:Camt\n')
    (tmp_path / "st").mkdir()
    (tmp_path / "st" / "s.sta").write_text(MT_ADDS_UP, encoding="utf-8")
    (tmp_path / "st" / "c.xml").write_text(CAMT_ADDS_UP, encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "st"))
    assert result.exit_code == 0, result.output
    written = openings_written(tmp_path)
    assert "Assets:Bank:Mt" not in written
    assert "from c.xml, less 150.00 EUR the books held already" in written
    assert "  Assets:Bank:Camt                             50.00 EUR\n" in written
    assert beancount_errors(tmp_path) == []


# -- their plugins: Beancount's noduplicates -------------------------------------------

def test_their_noduplicates_plugin_finds_no_duplicate_in_what_beanclear_writes(merchant):
    """Their main.beancount runs Beancount's `noduplicates` (README: their plugins keep
    working), which compares entries without their metadata. Two statements of one
    source and the same days (the bank's CSV downloaded again with a line more) are two
    coverage records that their values tell apart (the statement's digest); a balance
    their books assert already, identically (account, day, amount), is not written
    again; importing again writes nothing."""
    their_ledger(merchant, "2021-01-01 open Assets:Bank:Ops CNY\n2021-01-01 open Equity:Eroeffnung\n\n"
                           '2021-01-01 * "Saldovortrag"\n  Assets:Bank:Ops  1000.00 CNY\n  Equity:Eroeffnung\n\n'
                           "2021-01-31 balance Assets:Bank:Ops  1000.03 CNY\n")
    main = merchant / "books" / "main.beancount"
    main.write_text('plugin "beancount.plugins.noduplicates"\n' + main.read_text(encoding="utf-8"), encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    again = bank_file(merchant, "bank-again.csv", rows=(
        "2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03", "2021-01-31,B002,房租,某某置业,-500.00,500.03",
        "2021-01-31,B003,短信费,工商银行,-2.00,498.03"))
    result = beanclear(merchant, "import", str(again))
    assert result.exit_code == 0, result.output
    month = (merchant / "books" / "ops" / "2021" / "2021-01.beancount").read_text(encoding="utf-8")
    assert month.count('custom "beanclear-coverage" "ops" 2021-01-30') == 2
    assert "2021-01-31 balance" not in month   # theirs
    assert "2021-02-01 balance Assets:Bank:Ops" in (merchant / "books" / "ops" / "2021" / "2021-02.beancount"
                                                     ).read_text(encoding="utf-8")   # theirs lacks it
    assert beancount_errors(merchant) == []
    before = snapshot(merchant / "books")
    assert beanclear(merchant, "import", "--force", str(merchant / "statements"), str(again)).exit_code == 0
    assert snapshot(merchant / "books") == before


# -- init over their books: the accounts they keep --------------------------------------

def test_init_over_books_that_keep_the_bank_names_their_account_not_a_second_one(tmp_path):
    """blind6: their books keep the bank as Assets:CN:ICBC:Checking and hold on it, the day
    before its first statement, the 1,000.00 CNY the statement opens with. init named a
    new Assets:Bank:… and opened it at 1,000.00 from equity: the money twice, every
    balance holding, check silent. Now the config names their account (said, with why),
    no account is opened again and no opening written; the books check clean."""
    folder = tmp_path / "st"
    folder.mkdir()
    bank_file(folder)
    merchant = tmp_path / "m"
    merchant.mkdir()
    their_ledger(merchant, "2021-01-01 open Assets:CN:ICBC:Checking CNY\n2021-01-01 open Assets:Cash CNY\n"
                           "2021-01-01 open Equity:Hand\n\n"
                           '2021-01-01 * "Saldovortrag"\n  Assets:CN:ICBC:Checking  1000.00 CNY\n'
                           "  Assets:Cash  50.00 CNY\n  Equity:Hand\n")
    output = init(merchant, folder)
    assert ("your books keep Assets:CN:ICBC:Checking (it holds 1000.00 CNY at the end of 2021-01-29, what the "
            "statement says the account held then): banks.csv.account names it") in output
    config = (merchant / "config.yaml").read_text(encoding="utf-8")
    assert "    account: Assets:CN:ICBC:Checking # found in your books: it holds 1000.00 CNY" in config
    assert "Assets:Bank:CSV" not in config and openings_written(merchant) == ""
    assert "Assets:CN:ICBC:Checking" not in (merchant / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert beancount_errors(merchant) == []


def test_init_over_books_that_keep_the_channel_balance_names_it_by_its_title(tmp_path):
    """Their WeChat Pay balance is Assets:CN:WeChat:Balance, holding 0.15 CNY of the 0.20
    its fund bill opens with (no account holds the opening exactly): the only account of
    theirs named after WeChat is the channel's clearing account, said as a guess to
    check, and the opening is what their books lack of it."""
    folder = tmp_path / "st"
    folder.mkdir()
    shutil.copy(sample("wechat_merchant", FUND), folder)
    merchant = tmp_path / "m"
    merchant.mkdir()
    their_ledger(merchant, "2021-01-01 open Assets:CN:WeChat:Balance CNY\n2021-01-01 open Assets:CN:ICBC:Checking CNY\n"
                           "2021-01-01 open Equity:Hand\n\n"
                           '2021-01-01 * "Saldovortrag"\n  Assets:CN:WeChat:Balance  0.15 CNY\n  Equity:Hand\n')
    output = init(merchant, folder)
    assert "your books keep Assets:CN:WeChat:Balance (its name says WeChat: check it)" in output
    config = (merchant / "config.yaml").read_text(encoding="utf-8")
    assert "    accounts:\n      clearing: Assets:CN:WeChat:Balance # found in your books: its name says" in config
    assert "less 0.15 CNY the books held already" in openings_written(merchant)
    assert "Assets:Clearing:WeChat" not in (merchant / "books" / "accounts.beancount").read_text(encoding="utf-8")


def test_init_over_books_that_keep_the_bank_names_the_day_the_import_opens_it(tmp_path):
    """init reads the day their account must hold the statement's opening as the import
    dates it (statements/openings.py): an ICBC 明细 of 2026-10-01 to 10-15 whose first line
    is on 10-02 opens at the end of 09-30, the eve of the period it states (blind32: both
    said 10-01, the first line's eve, while the WeChat fund bill beside it opened on 09-30)."""
    from test_stated_openings import ICBC_ROWS, icbc_file
    folder = tmp_path / "st"
    folder.mkdir()
    (folder / "icbc.csv").write_bytes(icbc_file(ICBC_ROWS))
    merchant = tmp_path / "m"
    merchant.mkdir()
    their_ledger(merchant, "2026-09-01 open Assets:CN:ICBC:Checking CNY\n2026-09-01 open Equity:Hand\n\n"
                           '2026-09-01 * "Saldovortrag"\n  Assets:CN:ICBC:Checking  20000.00 CNY\n  Equity:Hand\n')
    output = init(merchant, folder)
    assert ("your books keep Assets:CN:ICBC:Checking (it holds 20000.00 CNY at the end of 2026-09-30, what the "
            "statement says the account held then)") in output
    assert openings_written(merchant) == "" and beancount_errors(merchant) == []
