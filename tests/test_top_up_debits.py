"""A bank debit that answers a channel's top-up from the bank (Stripe's negative payout of
a day whose refunds outweigh its sales, PayPal's "Bank Deposit to PP Account") is booked
to the channel's transit account, and the clearing check pairs the two: no finding. The
matcher and the actions read that pairing (matching.answered_debit), not judging it
again: `match` lists no such debit, `open-items --for`, `link` and `book` say it is
explained already (exit 2), naming the top-up. A blind tester's `link B05 po_NEG` linked
the debit to order-1001, whose duplicate charge's refund went out in that negative payout
(the order carries the payout's id), moved the debit to the shop's receivable and made two
false findings; `match` called each such debit "no proposal … book or link them" and `book`
called it "the credit of a payout". An ordinary refund paid to a customer by bank is
still proposed its order."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe: {type: stripe, currency: EUR, settlement_days: 10, bank: commerz, bank_days: 4, shop: shop, fees: [{rate: 0.015, fixed: 0.25}]}
  paypal: {type: paypal, currency: EUR, settlement_days: 7, bank: commerz, bank_days: 4, shop: shop, fees: [{rate: 0.0249, fixed: 0.35}]}
banks:
  commerz: {type: camt053, account: Assets:Bank:Commerzbank, currency: EUR, account_id: "DE44500400000123456700"}
shops:
  shop: {type: shopify, order_days: 3}
rules:
  - {match: "Kontofuehrungsentgelt", account: Expenses:Fees:Bank}
"""
SH = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category",'
      '"source_id","description","automatic_payout_id","charge_id","customer_email"\n')
E1, E3 = "laura@example.de", "emma@example.de"


def srow(i, created, available, gross, fee, cat, src, desc, po, ch, email) -> str:
    cells = [i, created, available, "eur", gross, fee, f"{D(gross) - D(fee):.2f}", cat, src, desc, po, ch, email]
    return ",".join(f'"{c}"' for c in cells) + "\n"


STRIPE = SH + "".join([
    srow("txn_A1", "2026-08-03 08:00:00", "2026-08-10 00:00:00", "179.70", "2.95", "charge", "ch_A1",
         f"Order #1001 by {E1}", "po_A", "ch_A1", E1),
    # the same order paid twice: the duplicate is refunded in part, in the negative payout po_NEG
    srow("txn_A2", "2026-08-03 08:00:30", "2026-08-10 00:00:00", "179.70", "2.95", "charge", "ch_A2",
         f"Order #1001 by {E1}", "po_A", "ch_A2", E1),
    srow("txn_A3", "2026-08-06 09:00:00", "2026-08-13 00:00:00", "188.90", "3.08", "charge", "ch_A3",
         f"Order #1003 by {E3}", "po_B", "ch_A3", E3),
    srow("txn_P1", "2026-08-10 03:10:00", "2026-08-10 03:10:00", "-353.50", "0.00", "payout", "po_A",
         "STRIPE PAYOUT", "", "", ""),
    srow("txn_R1", "2026-08-11 09:00:00", "2026-08-11 09:00:00", "-100.00", "0.00", "refund", "re_R1",
         f"REFUND FOR CHARGE (Order #1001 by {E1})", "po_NEG", "ch_A2", E1),
    srow("txn_P2", "2026-08-12 03:10:00", "2026-08-12 03:10:00", "100.00", "0.00", "payout", "po_NEG",
         "STRIPE PAYOUT", "", "", ""),
    srow("txn_P3", "2026-08-13 03:10:00", "2026-08-13 03:10:00", "-185.82", "0.00", "payout", "po_B",
         "STRIPE PAYOUT", "", "", ""),
])
PH = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
      '"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance","Subject",'
      '"Balance Impact"\r\n')


def prow(day, time, name, kind, gross, fee, net, txn, ref, invoice, balance, impact) -> str:
    cells = [day, time, "Europe/Berlin", name, kind, "Completed", "EUR", gross, fee, net, "", "", txn, "", ref,
             invoice, balance, "", impact]
    return ",".join(f'"{c}"' for c in cells) + "\r\n"


PAYPAL = PH + "".join([
    prow("04/08/2026", "12:00:00", "Nina Koch", "Express Checkout Payment", "94.85", "-2.71", "92.14",
         "PPPAY0000000001AA", "", "#1002", "92.14", "Credit"),
    prow("07/08/2026", "10:00:00", "", "General Withdrawal", "-92.14", "0.00", "-92.14", "PPWDR0000000001AA", "",
         "", "0.00", "Debit"),
    # a refund above the balance: PayPal takes the rest from the bank
    prow("08/08/2026", "15:00:00", "", "Bank Deposit to PP Account ", "48.75", "0.00", "48.75",
         "PPDEP0000000001AA", "PPREF0000000001AA", "", "48.75", "Credit"),
    prow("08/08/2026", "15:00:00", "Nina Koch", "Payment Refund", "-50.00", "1.25", "-48.75", "PPREF0000000001AA",
         "PPPAY0000000001AA", "", "0.00", "Debit"),
])
SHOP = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price,Payment Method,Refunded Amount,Outstanding Balance\n"
        f"#1003,{E3},refunded,2026-08-06 11:00:05 +0200,EUR,188.90,0.00,30.16,188.90,2026-08-06 11:00:00 +0200,1,"
        "Blazer,188.90,Stripe,188.90,0.00\n"
        "#1002,nina@example.de,partially_refunded,2026-08-04 14:00:05 +0200,EUR,89.90,4.95,15.14,94.85,"
        "2026-08-04 14:00:00 +0200,1,Kleid,89.90,PayPal Express Checkout,50.00,0.00\n"
        f"#1001,{E1},paid,2026-08-03 10:00:05 +0200,EUR,179.70,0.00,28.69,179.70,2026-08-03 10:00:00 +0200,1,"
        "Mantel,179.70,Stripe,0.00,0.00\n")
# the refund of #1003 the shop recorded and no channel made: paid to the customer by bank
REFUND = ("2026-08-11", D("-188.90"), "Erstattung Retoure Bestellung #1003 Emma Meyer", "B07")
BANK = [("2026-08-03", D("-10.00"), "Kontofuehrungsentgelt 07/2026", "B01"),
        ("2026-08-10", D("92.14"), "PP.5273.PP . PayPal AUSZAHLUNG 1048829137", "B02"),
        ("2026-08-10", D("-48.75"), "PP.5273.PP . PayPal Lastschrift 5032298687 MAISON ONDINE", "B03"),
        ("2026-08-11", D("353.50"), "STRIPE PAYOUT po_A", "B04"),
        ("2026-08-13", D("-100.00"), "STRIPE DEBIT po_NEG SEPA-LASTSCHRIFT", "B05"),
        ("2026-08-14", D("185.82"), "STRIPE PAYOUT po_B", "B06")]


def camt(lines) -> str:
    opening = D("1000.00")
    closing = opening + sum(a for _, a, _, _ in lines)
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{abs(a):.2f}</Amt><CdtDbtInd>{"CRDT" if a > 0 else "DBIT"}</CdtDbtInd><Sts>BOOK</Sts>'
        f'<BookgDt><Dt>{d}</Dt></BookgDt><ValDt><Dt>{d}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls>'
        f'<TxDtls><RmtInf><Ustrd>{t}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n' for d, a, t, ref in lines)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-08-31T23:00:00+02:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><FrToDt><FrDtTm>2026-08-01T00:00:00+02:00</FrDtTm><ToDtTm>2026-08-31T23:59:59+02:00</ToDtTm></FrToDt><Acct><Id><IBAN>DE44500400000123456700</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-31</Dt></Dt></Bal>
{entries}</Stmt></BkToCstmrStmt></Document>
"""


def merchant(tmp_path, monkeypatch, bank=(*BANK, REFUND)) -> Path:
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-09-02")
    folder = tmp_path / "m"
    statements = folder / "aug"
    statements.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (statements / "stripe-2026-08.csv").write_text(STRIPE, encoding="utf-8")
    (statements / "paypal-2026-08.csv").write_text(PAYPAL, encoding="utf-8-sig")
    (statements / "shopify-2026-08-31.csv").write_text(SHOP, encoding="utf-8")
    (statements / "camt-2026-08.xml").write_text(camt(sorted(bank)), encoding="utf-8")
    run(folder, "import", str(statements))
    return folder


def run(folder, *args, code=0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def codes(folder) -> list[tuple]:
    return [(f.code, f.refs[0]) for f in checking.check(config_mod.load(folder / "config.yaml")).findings]


def books(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted((folder / "books").rglob("*")) if p.is_file()}


def test_the_check_pairs_both_top_up_debits(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    found = codes(folder)
    assert not any(ref in ("B03", "B05", "po_NEG", "PPDEP0000000001AA") for _, ref in found), found


def test_link_of_a_negative_payouts_debit_to_it_is_explained_already_and_writes_nothing(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    before, found = books(folder), codes(folder)
    said = run(folder, "link", "B05", "po_NEG", code=2)
    assert ("bank line B05 (-100.00 EUR) is explained already: the clearing check pairs it with stripe's top-up "
            "po_NEG (100.00 EUR on 2026-08-12) from the bank, both in Assets:Transit:Stripe; nothing to link; "
            "nothing was written") in " ".join(said.split())
    # the exact diff: none (before, the debit's counter posting moved to Assets:Receivable:Shop ^order-1001)
    assert books(folder) == before
    assert codes(folder) == found
    # nor by the payout's link, nor to the order the refund in it belongs to, named or not
    for ref in ("payout-po_NEG", "order-1001"):
        assert "explained already" in run(folder, "link", "B05", ref, code=2)
    assert books(folder) == before


def test_a_payout_id_an_order_carries_names_no_order_to_link(tmp_path, monkeypatch):
    # po_A is linked to its credit B04 by match; the orders paid in it carry its id: a
    # line linked by that id is refused, not linked to an order the user did not name
    folder = merchant(tmp_path, monkeypatch)
    run(folder, "link", "B04", "po_A")
    before = books(folder)
    said = run(folder, "link", "B07", "po_A", code=2)
    assert "order-" not in said and "payout-po_A" in said
    assert books(folder) == before


def test_match_lists_no_top_up_debit_and_open_items_and_book_say_it_is_explained(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    said = run(folder, "match")
    assert "B03" not in said and "B05" not in said, said
    for ref in ("B05", "B03"):
        refused = " ".join(run(folder, "open-items", "--for", ref, code=2).split())
        assert f"bank line {ref} (" in refused and "is explained already: the clearing check pairs it with" in refused
    before = books(folder)
    refused = " ".join(run(folder, "book", "B03", "Expenses:Misc", code=2).split())
    assert refused.startswith("beanclear: bank line B03 (-48.75 EUR) is explained already: the clearing check pairs "
                              "it with paypal's top-up PPDEP0000000001AA (48.75 EUR on 2026-08-08) from the bank, "
                              "both in Assets:Transit:PayPal; nothing to book"), refused
    assert "credit" not in refused and "names the payout" not in refused
    assert "nothing to book" in run(folder, "book", "B05", "Expenses:Misc", code=2)
    assert books(folder) == before


# -- must not fire -----------------------------------------------------------------------------

def test_a_refund_paid_to_the_customer_by_bank_is_still_proposed_its_order(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    said = run(folder, "match")
    assert "confident exact   100.0  bank B07 -188.90 EUR -> order-1003" in said, said
    run(folder, "match", "--apply")
    assert not any(ref in ("#1003", "B07") for _, ref in codes(folder)), codes(folder)


def test_a_refund_debit_is_linked_to_its_order_by_hand(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    assert "bank line B07 (-188.90 EUR) linked to order-1003" in run(folder, "link", "B07", "1003")


def test_a_debit_booked_as_a_top_up_that_no_top_up_answers_stays_open(tmp_path, monkeypatch):
    # a Stripe debit of an amount no negative payout has: bank-unmatched, listed by match,
    # and may be booked elsewhere
    odd = ("2026-08-07", D("-42.00"), "STRIPE DEBIT SEPA-LASTSCHRIFT", "B08")
    folder = merchant(tmp_path, monkeypatch, bank=(*BANK, REFUND, odd))
    assert ("bank-unmatched", "B08") in codes(folder)
    said = run(folder, "match")
    assert "no proposal   bank B08" in said and "B05" not in said
    assert "B08 (-42.00 EUR)" not in run(folder, "open-items", "--for", "B08")
    assert "booked to Expenses:Misc" in run(folder, "book", "B08", "Expenses:Misc")
