"""A channel's top-up drawn from a bank it does not pay out to (PayPal recovering a
negative balance from the company card): the card's debit naming the top-up's id is
booked on the channel's transit account, whatever the import order
(books/late_top_ups.py), and one naming none is linked to it by `link BANKREF <top-up id>`.

Blind27 creditcards: `General Credit Card Deposit` +54.00 TV0PWU1X4WDJM954D and the Amex
debit `PAYPAL *NORTHWINDCAND` / `PAYPAL BALANCE RECOVERY TV0PWU1X4WDJM954D` were two
bank-unmatched, `match` proposed nothing and `link` said "no open item".
"""

from __future__ import annotations

import json

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  paypal:
    type: paypal
    currency: USD
    settlement_days: 8
    bank: chase
    bank_days: 3
banks:
  chase:
    type: csv
    account: Assets:Bank:Chase
    currency: USD
    columns: {date: d, amount: a, memo: m, ref: r}
  amex:
    type: csv
    account: Liabilities:CreditCard:Amex
    currency: USD
    columns: {date: d, amount: a, payee: p, memo: m, ref: r}
rules:
  - {match: "PAYPAL \\\\*ADOBE", account: Expenses:Software}
  - {match: "STAPLES", account: Expenses:Office}
  - {match: "INTEREST", account: Income:Interest}
"""
PAYPAL = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance","Balance Impact"
"02/02/2026","10:00:00","EST","Mia Chen","Express Checkout Payment","Completed","USD","34.00","-1.68","32.32","mia@example.com","shop@example.com","A55F3RWWJW6KZ8M34","Candle","","","32.32","Credit"
"02/03/2026","09:15:00","EST","","General Withdrawal - Bank Account","Completed","USD","-32.32","0.00","-32.32","shop@example.com","","UPR4L0QIQTDBG89AU","","","","0.00","Debit"
"02/09/2026","09:20:00","EST","Mia Chen","Chargeback","Completed","USD","-34.00","0.00","-34.00","shop@example.com","mia@example.com","D39BWLTZY57BZGM43","","A55F3RWWJW6KZ8M34","","-34.00","Debit"
"02/09/2026","09:20:01","EST","PayPal","Chargeback Fee","Completed","USD","-20.00","0.00","-20.00","shop@example.com","","Q1XE2PQPZLA1TZ7WL","","A55F3RWWJW6KZ8M34","","-54.00","Debit"
"02/09/2026","09:20:06","EST","","General Credit Card Deposit","Completed","USD","54.00","0.00","54.00","","shop@example.com","TV0PWU1X4WDJM954D","","Q1XE2PQPZLA1TZ7WL","","0.00","Credit"
"""
NAMED = "PAYPAL *NORTHWINDCAND,PAYPAL BALANCE RECOVERY TV0PWU1X4WDJM954D"
UNNAMED = "PAYPAL *NORTHWINDCAND,PAYPAL BALANCE RECOVERY"
ADOBE = "PAYPAL *ADOBE SYSTEMS,ADOBE CREATIVE CLOUD"
REF = "32026041000012"


def merchant(folder, card: str | None = NAMED):
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for name in ("paypal", "chase", "amex"):
        (folder / name).mkdir()
    (folder / "paypal" / "Download.CSV").write_text(PAYPAL, encoding="utf-8")
    (folder / "chase" / "c.csv").write_text("d,a,m,r\n2026-02-04,32.32,PAYPAL TRANSFER,C1\n"
                                                "2026-02-25,0.10,INTEREST,C2\n", encoding="utf-8")
    rows = f"2026-02-10,-54.00,{card},{REF}\n" if card else ""
    (folder / "amex" / "a.csv").write_text(f"d,a,p,m,r\n{rows}2026-02-20,-9.99,STAPLES,OFFICE,A2\n",
                                           encoding="utf-8")
    return folder


def imported(folder, *names) -> str:
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def card_line(folder) -> str:
    text = (folder / "books" / "amex" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    start = text.index("2026-02-10 * ")
    return text[start:text.index("\n\n", start)]


def findings(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["source"], f["message"]) for f in report["findings"])


def test_a_card_debit_naming_the_top_up_is_booked_on_the_channels_transit_account(tmp_path):
    folder = merchant(tmp_path / "m")
    said = imported(folder, "paypal", "chase", "amex")
    assert "1 bank debit(s) naming a channel's top-up booked on its transit account" in said
    assert card_line(folder).splitlines()[-2:] == ["  Liabilities:CreditCard:Amex                 -54.00 USD",
                                                   "  Assets:Transit:PayPal                        54.00 USD"]
    assert findings(folder) == []


def test_whatever_the_import_order_the_books_line_moves(tmp_path):
    together = merchant(tmp_path / "together")
    imported(together, "paypal", "chase", "amex")
    later = merchant(tmp_path / "later")
    imported(later, "amex", "chase")
    assert "Assets:Suspense" in card_line(later)
    said = imported(later, "paypal")
    assert ("1 bank debit(s) in suspense moved to the transit account of the channel whose top-up they name, "
            "now that its statements say so") in said
    assert snapshot(later / "books") == snapshot(together / "books")
    assert findings(later) == []


def test_link_books_a_card_debit_naming_no_top_up_on_its_transit_account(tmp_path):
    folder = merchant(tmp_path / "m", card=UNNAMED)
    imported(folder, "paypal", "chase", "amex")
    assert "Assets:Suspense" in card_line(folder)
    assert [(c, s) for c, s, _ in findings(folder)] == [("bank-unmatched", "amex"), ("bank-unmatched", "paypal")]
    before = card_line(folder)
    result = beanclear(folder, "link", REF, "TV0PWU1X4WDJM954D")
    assert result.exit_code == 0, result.output
    assert ("linked to payout-TV0PWU1X4WDJM954D and booked to Assets:Transit:PayPal: it answers paypal's top-up "
            "TV0PWU1X4WDJM954D (54.00 USD on 2026-02-09)") in result.output
    after = card_line(folder)
    assert after == before.replace('"PAYPAL BALANCE RECOVERY"', '"PAYPAL BALANCE RECOVERY" ^payout-TV0PWU1X4WDJM954D') \
        .replace("  Assets:Suspense                              54.00 USD",
                 "  Assets:Transit:PayPal                        54.00 USD")
    assert findings(folder) == []


def test_must_not_fire_a_purchase_at_paypal_a_rule_books(tmp_path):
    """`PAYPAL *ADOBE` of the top-up's amount and day: a rule's purchase, never the top-up's
    debit; the top-up no debit answers stays its one finding."""
    folder = merchant(tmp_path / "m", card=ADOBE)
    said = imported(folder, "paypal", "chase", "amex")
    assert "top-up" not in said
    assert "Expenses:Software" in card_line(folder)
    found = findings(folder)
    assert [(c, s) for c, s, _ in found] == [("bank-unmatched", "paypal")]
    assert "paypal top-up of 54.00 USD from the bank, but no bank debit explains it" in found[0][2]
    refused = beanclear(folder, "link", REF, "TV0PWU1X4WDJM954D")
    assert refused.exit_code == 2


def test_must_not_fire_a_top_up_with_no_debit_anywhere(tmp_path):
    folder = merchant(tmp_path / "m", card=None)
    imported(folder, "paypal", "chase", "amex")
    found = findings(folder)
    assert [(c, s) for c, s, _ in found] == [("bank-unmatched", "paypal")]


def test_must_not_fire_a_debit_naming_the_top_up_of_another_amount(tmp_path):
    folder = merchant(tmp_path / "m", card=NAMED)
    path = folder / "amex" / "a.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("-54.00", "-45.00"), encoding="utf-8")
    said = imported(folder, "paypal", "chase", "amex")
    assert "top-up" not in said
    assert "Assets:Suspense" in card_line(folder)
