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


def converted(tmp_path, credit_states_sent: bool, debit_states_instructed: bool = True):
    """1,000.00 EUR sent from main, its CAMT debit stating the 1,085.00 USD instructed
    (EUR/USD 1.0850, the reference 1.0950: 91 bps), or not; the USD account's credit of
    1,085.00 USD, stating the 1,000.00 EUR sent, or (an OFX ORIGCURRENCY, MT940) not."""
    rate = ('<CcyXchg><SrcCcy>EUR</SrcCcy><TrgtCcy>USD</TrgtCcy><UnitCcy>EUR</UnitCcy><XchgRate>1.0850</XchgRate>'
            '</CcyXchg>')
    instructed = f'<AmtDtls><InstdAmt><Amt Ccy="USD">1085.00</Amt>{rate}</InstdAmt></AmtDtls>'
    sent = f'<AmtDtls><InstdAmt><Amt Ccy="EUR">1000.00</Amt>{rate}</InstdAmt></AmtDtls>' if credit_states_sent else ""
    text = camt(stmt(MAIN, "5000.00", "4000.00", [ntry("W1", "1000.00", "DBIT", "2026-01-20", "WIRE TO OWN USD",
                                                        sent=instructed if debit_states_instructed else "")]),
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


def test_a_converted_transfer_whose_debit_states_the_amount_instructed_is_paired_by_it(tmp_path):
    # the credit states no amount sent, but the debit states the 1,085.00 USD it instructed,
    # the credit's own amount: one conversion, the sending bank's (README FX), paired and
    # its rate judged once, on the debit; until blind24 (ownbanks) both sides were a
    # bank-unmatched, the transfers account left holding them
    folder = converted(tmp_path, credit_states_sent=False)
    assert [(f.code, f.source, f.refs) for f in found(folder)] == [("fx-gap", "main", ("W1",))]
    assert [p.units for p in entry(folder, "W2").postings][1].currency == "USD"   # (booked in its own amount)


def test_a_converted_transfer_neither_of_whose_lines_states_the_other_amount_pairs_with_nothing(tmp_path):
    # as a payout's credit that states none (README, the accounting model): both sides say so
    folder = converted(tmp_path, credit_states_sent=False, debit_states_instructed=False)
    assert sorted((f.code, f.refs) for f in found(folder)) == [("bank-unmatched", ("W1",)), ("bank-unmatched", ("W2",))]


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


# A blind tester's own USD (CAMT.053) and CNY (bank CSV) accounts, conversions between them
# (blind24 ownbanks, repro-instructed). The sending bank's debit may state the amount it
# instructed in the receiving currency (A: a CAMT debit's InstdAmt; B: a CSV debit's
# original_debit), the receiving credit being that amount, stating nothing: the same
# conversion as C, whose credit states the amount sent, and as paired. Unpaired, each
# gave a bank-unmatched on both sides, and `book`, `open-items --for` and `link` of them
# contradicted one another.
OWN_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  cny:
    type: csv
    account: Assets:Bank:CNY
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, ref: 交易流水号, memo: 摘要, payee: 对方户名, credit: 收入金额, debit: 支出金额, balance: 余额,
              original_credit: 原币收入, original_debit: 原币支出, original_currency: 原币币种}
  usd:
    type: camt053
    account: Assets:Bank:USD
    currency: USD
rules:
  - {match: "管理费", account: Expenses:Fees:Bank}
  - {match: "自有美元账户", account: Assets:Bank:USD}
  - {match: "OWN ACCOUNT CNY", account: Assets:Bank:CNY}
"""

OWN_USD = [  # day, signed USD, text, (instructed amount, currency, rate) or None
    ("2026-01-12", "-10000.00", "FX CONVERSION TO OWN ACCOUNT CNY", ("71000.00", "CNY", "7.1000")),   # A
    ("2026-01-27", "5000.00", "TRANSFER FROM OWN ACCOUNT CNY", None),                                  # B
    ("2026-02-05", "-20000.00", "FX CONVERSION TO OWN ACCOUNT CNY", None),                             # C
    ("2026-02-10", "-10000.00", "FX CONVERSION TO OWN ACCOUNT CNY", ("65000.00", "CNY", "6.5000")),    # D
]
OWN_CNY = [  # day, signed CNY, memo, (original amount, currency, side) or None
    ("2026-01-05", "-10.00", "账户管理费", None),
    ("2026-01-12", "71000.00", "结汇入账 自有美元账户", None),                            # A
    ("2026-01-26", "-35650.00", "购汇汇出 自有美元账户", ("5000.00", "USD", "debit")),      # B
    ("2026-02-05", "142000.00", "结汇入账 自有美元账户", ("20000.00", "USD", "credit")),    # C
    ("2026-02-10", "65000.00", "结汇入账 自有美元账户", None),                            # D
    ("2026-02-26", "-10.00", "账户管理费", None),
]


def own_banks(tmp_path, usd=OWN_USD, cny=OWN_CNY):
    """The two banks' statements of January and February imported, with the reference USD/CNY 7.1000."""
    folder = tmp_path / "own"
    (folder / "statements" / "prices").mkdir(parents=True)
    (folder / "config.yaml").write_text(OWN_CONFIG, encoding="utf-8")
    rows, balance = ["交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额,原币收入,原币支出,原币币种"], Decimal("300000.00")
    for i, (day, amount, memo, original) in enumerate(cny):
        amount = Decimal(amount)
        balance += amount
        side = original[2] if original else ""
        rows.append(f"{day},C{i + 1:04d},{memo},JADELEAF TRADING LTD,{amount if amount > 0 else ''},"
                    f"{-amount if amount < 0 else ''},{balance},{original[0] if side == 'credit' else ''},"
                    f"{original[0] if side == 'debit' else ''},{original[1] if original else ''}")
    (folder / "statements" / "cny.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    opening = Decimal("50000.00")
    closing = opening + sum(Decimal(amount) for _, amount, _, _ in usd)
    entries = []
    for i, (day, amount, memo, instructed) in enumerate(usd):
        amount = Decimal(amount)
        details = ""
        if instructed:
            details = (f'<AmtDtls><InstdAmt><Amt Ccy="{instructed[1]}">{instructed[0]}</Amt><CcyXchg><SrcCcy>USD'
                       f'</SrcCcy><TrgtCcy>{instructed[1]}</TrgtCcy><XchgRate>{instructed[2]}</XchgRate></CcyXchg>'
                       '</InstdAmt></AmtDtls>')
        entries.append(f'<Ntry><Amt Ccy="USD">{abs(amount)}</Amt><CdtDbtInd>{"CRDT" if amount > 0 else "DBIT"}'
                       f'</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>U{i + 1:04d}'
                       f'</AcctSvcrRef><NtryDtls><TxDtls>{details}<RmtInf><Ustrd>{memo}</Ustrd></RmtInf></TxDtls>'
                       f'</NtryDtls></Ntry>')
    (folder / "statements" / "usd.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        '<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-01T06:00:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id>'
        '<FrToDt><FrDtTm>2026-01-01T00:00:00</FrDtTm><ToDtTm>2026-02-28T23:59:59</ToDtTm></FrToDt>'
        '<Acct><Id><IBAN>US64HSBC0000123456</IBAN></Id><Ccy>USD</Ccy></Acct>'
        f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{opening}</Amt><CdtDbtInd>CRDT'
        '</CdtDbtInd><Dt><Dt>2025-12-31</Dt></Dt></Bal>'
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{closing}</Amt><CdtDbtInd>CRDT'
        f'</CdtDbtInd><Dt><Dt>2026-02-28</Dt></Dt></Bal>{"".join(entries)}</Stmt></BkToCstmrStmt></Document>\n',
        encoding="utf-8")
    (folder / "statements" / "prices" / "rates.csv").write_text(
        "date,pair,rate\n" + "".join(f"2026-{m:02d}-{d:02d},USD/CNY,7.1000\n" for m in (1, 2) for d in range(1, 29)))
    run(folder, "import", str(folder / "statements"))
    return folder


def test_a_debit_stating_the_amount_instructed_pairs_with_the_credit_of_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    folder = own_banks(tmp_path)
    # A, B and C are paired, each side of each: D's two sides too, its rate judged once, on its debit
    [gap] = found(folder)
    assert (gap.code, gap.source, gap.refs, gap.amount, gap.currency) == \
        ("fx-gap", "usd", ("U0004",), Decimal("6000.00"), "CNY")
    # the resolve commands read the pairing as the check does: A's credit is the other side of A's debit
    refused = run(folder, "book", "C0002", "Expenses:Misc", code=2)
    assert "one side of a transfer between own accounts, whose other side, bank line U0001 of 2026-01-12, the " \
           "check pairs with it: nothing to book" in refused
    refused = run(folder, "book", "U0002", "Expenses:Misc", code=2)
    assert "whose other side, bank line C0003 of 2026-01-26, the check pairs with it" in refused


def test_a_debit_stating_the_amount_instructed_whose_credit_never_comes_is_one_bank_unmatched(tmp_path, monkeypatch):
    # must fire: the CNY statement of those days without A's credit (nor another of its amount)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    folder = own_banks(tmp_path, cny=[OWN_CNY[0], *OWN_CNY[2:]])
    [finding, gap] = found(folder)
    assert (gap.code, gap.refs) == ("fx-gap", ("U0004",))   # (D's, still: judged once, on its debit)
    assert (finding.code, finding.source, finding.refs, finding.amount, finding.currency) == \
        ("bank-unmatched", "usd", ("U0001",), Decimal("10000.00"), "USD")
    assert finding.message.startswith(
        "bank debit of 10,000.00 USD (71,000.00 CNY instructed) booked as a transfer to cny (Assets:Bank:CNY), but no "
        "line of the statements of cny (2026-01-05 to 2026-02-26) shows it arrive within 5 days")


def test_open_items_and_link_of_a_side_of_a_transfer_say_what_the_check_pairs_it_with(tmp_path, monkeypatch):
    # blind24: of A's credit, `book` said the check paired the two, `open-items --for`
    # "explained already … unlink it first", `link` "no open item is 'U0001'"; all three
    # now read the check's pairing (transfers.partner)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    folder = own_banks(tmp_path)
    paired = ("bank line C0002 is one side of a transfer between own accounts, whose other side, bank line U0001 of "
              "2026-01-12, the check pairs with it: nothing to link")
    assert paired in run(folder, "open-items", "--for", "C0002", code=2)
    assert paired in run(folder, "link", "C0002", "U0001", code=2)
    assert "the check pairs the two there (already; nothing was written)" in run(folder, "book", "C0002",
                                                                                 "Assets:Bank:USD")


def test_open_items_and_link_of_a_side_nothing_answers_say_so_not_explained(tmp_path, monkeypatch):
    # must not say "explained already; unlink it first" of a line the check lists as a bank-unmatched
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-03")
    folder = own_banks(tmp_path, cny=[OWN_CNY[0], *OWN_CNY[2:]])
    for args in (("open-items", "--for", "U0001"), ("link", "U0001", "C0002")):
        said = run(folder, *args, code=2)
        assert "bank line U0001 is booked as a side of a transfer between own accounts (Assets:Transit:Transfers) " \
               "that the check pairs with no line of the other bank's: no open item settles it; if it was no " \
               "transfer, `beanclear book U0001 ACCOUNT` books it where it belongs" in said, said
        assert "unlink" not in said
