"""Transfers between the merchant's own bank accounts (checks/transfers.py): booked once,
through the transfers account, their two sides paired; a side the other bank never
shows is one bank-unmatched.

A blind tester's company with a main and a payroll account: a rule (or `book`) naming
the other bank's account booked each side into both accounts, so both statements
imported counted the transfer twice (Main 3,000.00 against its statement's 4,000.00,
Payroll 2,200.00 against 1,200.00); and a transfer that arrived on one side only was
never said, the rule's internal account keeping the money for good.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear, snapshot

MAIN, PAYROLL = "DE89370400440532013000", "DE44370400440532013111"

CONFIG = f"""\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  main: {{type: camt053, account: Assets:Bank:Main, currency: EUR, account_id: "{MAIN}"}}
  payroll: {{type: camt053, account: Assets:Bank:Payroll, currency: EUR, account_id: "{PAYROLL}"}}
  usd: {{type: camt053, account: Assets:Bank:USD, currency: USD, account_id: "US12BOFA0000000000001"}}
rules:
  - match: "UMBUCHUNG AUF {PAYROLL}"
    account: Assets:Bank:Payroll
  - match: "UMBUCHUNG VON {MAIN}"
    account: Assets:Bank:Main
  - match: "WIRE TO OWN USD"
    account: Assets:Bank:USD
  - match: "WIRE FROM OWN EUR"
    account: Assets:Bank:Main
"""


def ntry(ref: str, amount: str, direction: str, day: str, memo: str, currency: str = "EUR", sent: str = "") -> str:
    return (f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt>'
            f'<Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>{sent}<RltdPties><Cdtr><Nm>'
            f'Kaffeerad GmbH</Nm></Cdtr></RltdPties><RmtInf><Ustrd>{memo}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>')


def stmt(iban: str, opening: str, closing: str, entries, currency: str = "EUR", last: str = "2026-01-31") -> str:
    return (f'<Stmt><Id>{iban}-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><FrToDt><FrDtTm>2026-01-01T00:00:00+01:00'
            f'</FrDtTm><ToDtTm>{last}T23:59:59+01:00</ToDtTm></FrToDt><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>'
            f'{currency}</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">'
            f'{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal><Bal><Tp><CdOrPrtry><Cd>'
            f'CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>'
            f'{last}</Dt></Dt></Bal>{"".join(entries)}</Stmt>')


def camt(*statements: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
            '<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-01T06:00:00+01:00</CreDtTm></GrpHdr>'
            + "".join(statements) + "</BkToCstmrStmt></Document>\n")


OUT = ntry("R1", "1000.00", "DBIT", "2026-01-23", f"UMBUCHUNG AUF {PAYROLL} Gehaltskonto")
IN = ntry("R2", "1000.00", "CRDT", "2026-01-23", f"UMBUCHUNG VON {MAIN} Gehaltskonto")
BOTH = camt(stmt(MAIN, "5000.00", "4000.00", [OUT]), stmt(PAYROLL, "200.00", "1200.00", [IN]))


def merchant(tmp_path, text: str = BOTH, config: str = CONFIG):
    folder = tmp_path / "m"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    (folder / "camt.xml").write_text(text, encoding="utf-8")
    run(folder, "import", str(folder / "camt.xml"))
    return folder


def run(folder, *args, code: int = 0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def found(folder) -> list:
    return checking.check(config_mod.load(folder / "config.yaml")).findings


def entry(folder, ident: str) -> data.Transaction:
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    [line] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == ident]
    return line


def transit(folder) -> dict:
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    total: dict = {}
    for e in entries:
        for p in getattr(e, "postings", ()):
            if p.account == "Assets:Transit:Transfers":
                total[p.units.currency] = total.get(p.units.currency, Decimal(0)) + p.units.number
    return total


def test_a_transfer_both_banks_show_is_booked_once_through_the_transfers_account(tmp_path):
    folder = merchant(tmp_path)
    assert found(folder) == []   # both balances hold: no Balance failed, no finding
    out, into = entry(folder, "R1"), entry(folder, "R2")
    assert [(p.account, p.units.number) for p in out.postings] == [
        ("Assets:Bank:Main", Decimal("-1000.00")), ("Assets:Transit:Transfers", Decimal("1000.00"))]
    assert [(p.account, p.units.number) for p in into.postings] == [
        ("Assets:Bank:Payroll", Decimal("1000.00")), ("Assets:Transit:Transfers", Decimal("-1000.00"))]
    assert (out.meta["transfer-with"], into.meta["transfer-with"]) == ("Assets:Bank:Payroll", "Assets:Bank:Main")
    assert transit(folder) == {"EUR": Decimal("0.00")}
    assert "2000-01-01 open Assets:Transit:Transfers\n" in (folder / "books" / "accounts.beancount").read_text()
    assert "lines missing?" not in run(folder, "import", "--force", str(folder / "camt.xml"))


def test_one_rule_for_both_sides_texts_pairs_them_too(tmp_path):
    # `UMBUCHUNG -> Assets:Bank:Payroll` finds payroll's own credit too: never an entry of
    # nothing on its own account, but a transfer naming no bank, which main's debit answers
    config = CONFIG.split("rules:")[0] + "rules:\n  - {match: UMBUCHUNG, account: Assets:Bank:Payroll}\n"
    folder = merchant(tmp_path, config=config)
    assert found(folder) == [] and transit(folder) == {"EUR": Decimal("0.00")}
    assert [p.account for p in entry(folder, "R2").postings] == ["Assets:Bank:Payroll", "Assets:Transit:Transfers"]
    assert "transfer-with" not in entry(folder, "R2").meta


def test_book_to_another_banks_account_books_the_transfers_account_and_pairs_the_two(tmp_path):
    config = CONFIG.split("rules:")[0]   # no rules: both lines wait in suspense
    folder = merchant(tmp_path, config=config)
    assert sorted(f.refs for f in found(folder)) == [("R1",), ("R2",)]
    said = run(folder, "book", "R1", "Assets:Bank:Payroll")
    assert said.startswith("bank line R1 (-1,000.00 EUR) booked to Assets:Transit:Transfers: a transfer to payroll "
                           "(Assets:Bank:Payroll), whose own statement books its side; the check pairs the two there")
    text = (folder / "books" / "main" / "2026" / "2026-01.beancount").read_text()
    assert '  transfer-with: "Assets:Bank:Payroll"\n  Assets:Bank:Main                          -1000.00 EUR\n' \
           '  Assets:Transit:Transfers                   1000.00 EUR\n' in text
    # until payroll's credit is booked, its debit is a transfer payroll's statement does not show
    [debit, credit] = sorted(found(folder), key=lambda f: f.refs)
    assert (debit.code, debit.source, debit.account, debit.amount) == \
        ("bank-unmatched", "main", "Assets:Transit:Transfers", Decimal("1000.00"))
    assert "booked as a transfer to payroll (Assets:Bank:Payroll), but no line of the statements of payroll " \
           "(2026-01-01 to 2026-01-31) shows it arrive within 5 days" in debit.message
    assert "bank credit of 1,000.00 EUR that no rule, payout or entry explains" in credit.message
    run(folder, "book", "R2", "Assets:Bank:Main")
    assert found(folder) == [] and transit(folder) == {"EUR": Decimal("0.00")}
    # a side the check pairs is no line to book elsewhere
    refused = run(folder, "book", "R2", "Expenses:Misc", code=2)
    assert "one side of a transfer between own accounts, whose other side, bank line R1 of 2026-01-23, the check " \
           "pairs with it: nothing to book" in refused


def test_a_side_booked_to_the_other_banks_account_is_listed_resolved_in_the_months_report(tmp_path):
    # blind13 multiyear: savings' credit in suspense, booked with `book SV1
    # Assets:Bank:FirstBank`, was listed neither open nor resolved in January's report,
    # while the lines booked to Income:Interest were "resolved … booked to". The diff of
    # the booking: the counter posting's account and the other bank named, nothing else.
    config = CONFIG.split("rules:")[0] + f'rules:\n  - {{match: "UMBUCHUNG AUF {PAYROLL}", account: Assets:Bank:Payroll}}\n'
    folder = merchant(tmp_path, config=config)
    month = folder / "books" / "payroll" / "2026" / "2026-01.beancount"
    before, books = month.read_text(), snapshot(folder / "books")
    [open_] = [f for f in report(folder) if f["refs"] == ["R2"]]
    assert open_["status"] == "open"
    run(folder, "book", "R2", "Assets:Bank:Main")
    after = snapshot(folder / "books")
    assert [name for name in after if after[name] != books.get(name)] == ["payroll/2026/2026-01.beancount"]
    assert before.replace('  id: "R2"\n', '  id: "R2"\n  transfer-with: "Assets:Bank:Main"\n').replace(
        "  Assets:Suspense                           -1000.00 EUR\n",
        "  Assets:Transit:Transfers                  -1000.00 EUR\n") == month.read_text() != before
    assert found(folder) == []
    rows = {tuple(f["refs"]): (f["status"], f["resolution"]) for f in report(folder) if f["code"] == "bank-unmatched"}
    # (until the booking, main's debit was a transfer payroll's statement did not show)
    assert rows == {("R2",): ("resolved", "booked to Assets:Transit:Transfers"),
                    ("R1",): ("resolved", "its other side R2 booked to Assets:Transit:Transfers")}


def test_a_line_in_suspense_or_booked_there_by_its_rule_is_no_resolution(tmp_path):
    # must not fire: a side the import booked into the transfers account (its rule) was
    # never a finding, and a line left in suspense stays open
    config = CONFIG.split("rules:")[0] + f'rules:\n  - {{match: "UMBUCHUNG AUF {PAYROLL}", account: Assets:Bank:Payroll}}\n'
    folder = merchant(tmp_path, config=config)
    rows = {tuple(f["refs"]): f["status"] for f in report(folder) if f["code"] == "bank-unmatched"}
    assert rows == {("R1",): "open", ("R2",): "open"}


def report(folder) -> list:
    import json
    return json.loads(run(folder, "report", "2026-01", "--format", "json"))["findings"]


def test_book_then_unlink_of_a_transfer_gives_the_books_back(tmp_path):
    folder = merchant(tmp_path, config=CONFIG.split("rules:")[0])
    run(folder, "book", "R1", "Assets:Bank:Payroll")
    booked = snapshot(folder / "books")
    # a side nothing answers yet may be booked elsewhere (it was no transfer), and back
    run(folder, "book", "R1", "Expenses:Misc")
    assert "transfer-with" not in (folder / "books" / "main" / "2026" / "2026-01.beancount").read_text()
    run(folder, "unlink", "R1")
    after, accounts = snapshot(folder / "books"), "accounts.beancount"   # (but for book's open line)
    assert after[accounts].replace(b"2000-01-01 open Expenses:Misc\n", b"") == booked[accounts]
    assert {k: v for k, v in after.items() if k != accounts} == {k: v for k, v in booked.items() if k != accounts}
    run(folder, "unlink", "R1")
    assert "transfer-with" not in (folder / "books" / "main" / "2026" / "2026-01.beancount").read_text()
    assert entry(folder, "R1").postings[1].account == "Assets:Suspense"


@pytest.mark.parametrize("account", ["Assets:Bank:Payroll", "Assets:Transit:Transfers"])
def test_a_transfer_the_other_bank_never_shows_is_one_bank_unmatched(tmp_path, account):
    # the tester's one-sided transfer: main's debit, payroll's statement of the same days without the credit
    config = CONFIG.split("rules:")[0] + f"rules:\n  - {{match: UMBUCHUNG, account: {account}}}\n"
    folder = merchant(tmp_path, camt(stmt(MAIN, "5000.00", "4000.00", [OUT]), stmt(PAYROLL, "200.00", "200.00", [])),
                      config)
    [finding] = found(folder)
    assert (finding.code, finding.source, finding.account, finding.amount, finding.currency, finding.refs) == \
        ("bank-unmatched", "main", "Assets:Transit:Transfers", Decimal("1000.00"), "EUR", ("R1",))
    assert "no line of the statements of payroll (2026-01-01 to 2026-01-31) shows it arrive within 5 days" \
        in finding.message
    assert transit(folder) == {"EUR": Decimal("1000.00")}


def test_a_transfer_waits_for_the_other_banks_statement_and_that_is_its_statement_gap(tmp_path):
    # payroll's statement ends 01-24: the credit may be in the days after it
    early = camt(stmt(MAIN, "5000.00", "4000.00", [OUT]), stmt(PAYROLL, "200.00", "200.00", [], last="2026-01-24"))
    folder = merchant(tmp_path, early)
    [gap] = found(folder)
    assert (gap.code, gap.source, gap.refs) == ("statement-gap", "payroll", ("R1",))
    assert gap.message == ("the statements of payroll end 2026-01-24; those of main go to 2026-01-31: 1 transfer(s) "
                           "(1,000.00 EUR) wait for the statement of the bank")
    # no statement of payroll at all
    other = merchant(tmp_path / "x", camt(stmt(MAIN, "5000.00", "4000.00", [OUT])))
    [gap] = found(other)
    assert gap.message.startswith("no statement of payroll is in the books; those of main go to 2026-01-31: 1 "
                                  "transfer(s) (1,000.00 EUR) wait")


def converted(tmp_path, credit_states_sent: bool):
    """1,000.00 EUR sent from main, its CAMT debit stating the 1,085.00 USD instructed
    (EUR/USD 1.0850, the reference 1.0950: 91 bps); the USD account's credit of 1,085.00
    USD, stating the 1,000.00 EUR sent, or (an OFX ORIGCURRENCY, MT940) not."""
    rate = ('<CcyXchg><SrcCcy>EUR</SrcCcy><TrgtCcy>USD</TrgtCcy><UnitCcy>EUR</UnitCcy><XchgRate>1.0850</XchgRate>'
            '</CcyXchg>')
    instructed = f'<AmtDtls><InstdAmt><Amt Ccy="USD">1085.00</Amt>{rate}</InstdAmt></AmtDtls>'
    sent = f'<AmtDtls><InstdAmt><Amt Ccy="EUR">1000.00</Amt>{rate}</InstdAmt></AmtDtls>' if credit_states_sent else ""
    text = camt(stmt(MAIN, "5000.00", "4000.00", [ntry("W1", "1000.00", "DBIT", "2026-01-20", "WIRE TO OWN USD",
                                                        sent=instructed)]),
                stmt("US12BOFA0000000000001", "0.00", "1085.00",
                     [ntry("W2", "1085.00", "CRDT", "2026-01-21", "WIRE FROM OWN EUR", "USD", sent=sent)], "USD"))
    folder = merchant(tmp_path, text)
    (folder / "rates.csv").write_text("date,pair,rate\n2026-01-20,EUR/USD,1.0950\n2026-01-21,EUR/USD,1.0950\n")
    from test_fx import prices
    assert prices(folder, str(folder / "rates.csv")).exit_code == 0
    return folder


def test_a_transfer_the_bank_converted_is_paired_in_the_amount_sent_and_its_rate_judged_once(tmp_path):
    folder = converted(tmp_path, credit_states_sent=True)
    [moved] = [p for p in entry(folder, "W2").postings if p.account == "Assets:Transit:Transfers"]
    assert (moved.units.number, moved.units.currency, moved.price.currency) == (Decimal("-1000.00"), "EUR", "USD")
    assert [p.units.number for p in entry(folder, "W1").postings] == [Decimal("-1000.00"), Decimal("1000.00")]
    assert transit(folder) == {"EUR": Decimal("0.00")}
    # one conversion, stated by both banks' lines: one fx-gap, on the debit where the money left
    [gap] = found(folder)
    assert (gap.code, gap.source, gap.refs) == ("fx-gap", "main", ("W1",))


def test_a_converted_transfer_whose_credit_states_no_amount_sent_pairs_with_nothing(tmp_path):
    # as a payout's credit that states none (README, the accounting model): both sides say so
    folder = converted(tmp_path, credit_states_sent=False)
    assert sorted((f.code, f.refs) for f in found(folder)) == [
        ("bank-unmatched", ("W1",)), ("bank-unmatched", ("W2",)), ("fx-gap", ("W1",))]


def test_the_transfers_account_is_its_own(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG + "transfers: Assets:Bank:Payroll\n", encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match=r"transfers: Assets:Bank:Payroll is also banks.payroll.account"):
        config_mod.load(path)
    path.write_text(CONFIG + "transfers: Assets:Geldtransit\n", encoding="utf-8")
    config = config_mod.load(path)
    assert config.transfers == "Assets:Geldtransit" and "Assets:Geldtransit" in config.accounts()
    path.write_text(CONFIG.split("rules:")[0], encoding="utf-8")   # no rule of a transfer: no account opened for it
    assert "Assets:Transit:Transfers" not in config_mod.load(path).accounts()
