"""A Stripe top-up (`reporting_category: topup`, `tu_…`: money the merchant's bank pays into
the Stripe balance, a Connect platform's funding of its transfers) and the bank's debit
naming Stripe answer each other in Stripe's transit account, as a negative payout and its
debit do (transit._pair_top_ups): no finding, nothing in transit. Blind25 stripecategories:
the row went to Assets:Suspense (a `bank-unmatched` "stripe row of money in"), the debit
to transit ("booked as a top-up of stripe, but no stripe top-up explains it"), so every
normal top-up was two errors, the month report held it "in transit, unexplained", and
`link <debit> tu_…` said "no open item". A report row of a top-up names the automatic
payout its money went out in (`automatic_payout_id`): that is the clearing check's, never
the payout's bank credit (a rule booking the row to transit made it "payout of 96.80 USD
arrived at the bank as 2,000.00 USD"). A top-up no debit answers and a debit no top-up
answers stay one finding each."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 5
    bank: chase
    bank_days: 3
    shop: none
    fees: [{rate: 0.029, fixed: 0.30}]
banks:
  chase:
    type: csv
    account: Assets:Bank:Chase
    currency: USD
    columns: {date: Date, ref: Ref, memo: Description, amount: Amount, balance: Balance}
rules:
  - {match: "Transfer to acct_", account: Expenses:CreatorPayouts}
  - {match: "INTEREST", account: Income:Interest}
  - {match: "RENT", account: Expenses:Rent}
"""
HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"')
PO = "po_1TOPUPPAYOUT000000000001"
TU = "tu_1TOPUP000000000000000001"
PO2 = "po_1TOPUPPAYOUT000000000002"


def row(ident, created, gross, fee, category, source, description, payout=PO, effective="2026-03-09 00:00:00"):
    net = Decimal(gross) - Decimal(fee)
    cells = [ident, created, created, "usd", gross, fee, f"{net:.2f}", category, source, description, payout,
             effective if payout else ""]
    return ",".join(f'"{c}"' for c in cells)


# the top-up names the automatic payout its money went out in, as the transfer it funds does
CHARGE = row("txn_c1", "2026-03-02 15:00:00", "100.00", "3.20", "charge", "ch_1", "Invoice INV-1")
TOP_UP = row("txn_tu1", "2026-03-06 15:00:00", "2000.00", "0.00", "topup", TU, "Top-up for Connect payouts")
TRANSFER = row("txn_tr1", "2026-03-06 16:00:00", "-2000.00", "0.00", "transfer", "tr_1", "Transfer to acct_1Creator")
PAYOUT = row("txn_p1", "2026-03-09 12:00:00", "-96.80", "0.00", "payout", PO, "STRIPE PAYOUT", payout="")
LATER = row("txn_c2", "2026-03-10 15:00:00", "50.00", "1.75", "charge", "ch_2", "Invoice INV-2", payout=PO2,
            effective="2026-03-13 00:00:00")
PAYOUT2 = row("txn_p2", "2026-03-13 12:00:00", "-48.25", "0.00", "payout", PO2, "STRIPE PAYOUT", payout="")
STRIPE = [CHARGE, TOP_UP, TRANSFER, PAYOUT, LATER, PAYOUT2]

RENT = ("2026-03-02", "B1", "ONLINE TRANSFER TO LANDLORD RENT", "-500.00")
DEBIT = ("2026-03-07", "B2", f"ORIG CO NAME:STRIPE CO ENTRY DESCR:TOPUP SEC:CCD IND ID:{TU}", "-2000.00")
CREDIT = ("2026-03-10", "B3", "ORIG CO NAME:STRIPE CO ENTRY DESCR:TRANSFER SEC:CCD IND NAME:GRIDLANE", "96.80")
CREDIT2 = ("2026-03-14", "B5", "ORIG CO NAME:STRIPE CO ENTRY DESCR:TRANSFER SEC:CCD IND NAME:GRIDLANE", "48.25")
INTEREST = ("2026-03-15", "B4", "INTEREST PAYMENT", "1.00")
BANK = [RENT, DEBIT, CREDIT, CREDIT2, INTEREST]


def bank_csv(lines, opening=Decimal("10000.00")) -> str:
    out, balance = ["Date,Ref,Description,Amount,Balance"], opening
    for day, ref, text, amount in lines:
        balance += Decimal(amount)
        out.append(f"{day},{ref},{text},{amount},{balance:.2f}")
    return "\n".join(out) + "\n"


def api_json(rows) -> str:
    """The same balance transactions as the API lists them (FORMATS §5c): minor units,
    Unix times, no automatic payout named."""
    import datetime as dt
    data = []
    for text in rows:
        ident, created, _, _, gross, fee, net, category, source, description, *_ = [c.strip('"')
                                                                                    for c in text.split(",")]
        when = int(dt.datetime.fromisoformat(created).replace(tzinfo=dt.timezone.utc).timestamp())
        data.append({"id": ident, "object": "balance_transaction", "amount": int(Decimal(gross) * 100),
                     "available_on": when, "created": when, "currency": "usd", "description": description,
                     "exchange_rate": None, "fee": int(Decimal(fee) * 100), "fee_details": [],
                     "net": int(Decimal(net) * 100), "reporting_category": category, "source": source,
                     "status": "available", "type": category})
    return json.dumps({"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": data},
                      indent=1)


def merchant(tmp_path, monkeypatch, stripe=STRIPE, bank=BANK, api=False):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-20")
    folder = tmp_path / "m"
    statements = folder / "statements"
    statements.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    if api:
        (statements / "stripe_balance_transactions_2026-03.json").write_text(api_json(stripe), encoding="utf-8")
    else:
        (statements / "stripe_2026-03.csv").write_text("\n".join([HEAD, *stripe]) + "\n", encoding="utf-8")
    (statements / "chase_2026-03.csv").write_text(bank_csv(bank), encoding="utf-8")
    run(folder, "import", str(statements))
    return folder


def run(folder, *args, code=0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def findings(folder) -> list[tuple]:
    return [(f.code, f.refs, f.message) for f in checking.check(config_mod.load(folder / "config.yaml")).findings]


def posted(folder, account: str) -> Decimal:
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    return sum((p.units.number for e in entries for p in getattr(e, "postings", ()) if p.account == account),
               Decimal(0))


def test_a_report_top_up_and_the_banks_debit_answer_each_other(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    assert posted(folder, "Assets:Suspense") == 0
    assert posted(folder, "Assets:Transit:Stripe") == 0
    assert findings(folder) == []


def test_an_api_top_up_and_the_banks_debit_answer_each_other(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch, api=True)
    assert posted(folder, "Assets:Suspense") == 0
    assert posted(folder, "Assets:Transit:Stripe") == 0
    assert findings(folder) == []


def test_the_months_report_holds_nothing_in_transit(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    report = json.loads(run(folder, "report", "2026-03", "--format", "json"))
    assert report["banks"][0]["in_transit"] == []
    [stripe] = [r for r in report["channels"] if r["name"] == "stripe"]
    assert Decimal(stripe["in_transit"]) == 0


def test_link_of_the_debit_to_its_top_up_says_the_check_pairs_them(tmp_path, monkeypatch):
    # README (Matching): a debit the check pairs with the channel's top-up is explained
    # already; it was "no open item is 'tu_…'"
    folder = merchant(tmp_path, monkeypatch)
    said = " ".join(run(folder, "link", "B2", TU, code=2).split())
    assert ("bank line B2 (-2,000.00 USD) is explained already: the clearing check pairs it with stripe's top-up "
            "txn_tu1 (2,000.00 USD on 2026-03-06) from the bank, both in Assets:Transit:Stripe") in said, said
    assert "B2" not in run(folder, "match")


# -- must fire -----------------------------------------------------------------------------

def test_a_top_up_the_bank_never_debited_is_one_finding(tmp_path, monkeypatch):
    for api in (False, True):
        folder = merchant(tmp_path / ("api" if api else "csv"), monkeypatch, bank=[RENT, CREDIT, CREDIT2, INTEREST],
                          api=api)
        assert findings(folder) == [
            ("bank-unmatched", ("txn_tu1", TU) if api else ("txn_tu1", PO, TU),
             "stripe top-up of 2,000.00 USD from the bank, but no bank debit explains it")], api


def test_a_debit_naming_stripe_that_no_top_up_answers_is_one_finding(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch, stripe=[CHARGE, PAYOUT, LATER, PAYOUT2])
    assert findings(folder) == [
        ("bank-unmatched", ("B2",),
         "bank debit of 2,000.00 USD booked as a top-up of stripe, but no stripe top-up explains it")]


def test_a_top_up_and_a_debit_of_other_amounts_are_two_findings(tmp_path, monkeypatch):
    other = (DEBIT[0], "B2", DEBIT[2], "-1500.00")
    folder = merchant(tmp_path, monkeypatch, bank=[RENT, other, CREDIT, CREDIT2, INTEREST])
    assert sorted(code for code, *_ in findings(folder)) == ["bank-unmatched", "bank-unmatched"]


# -- must not fire -------------------------------------------------------------------------

def test_the_top_ups_payout_link_is_no_bank_credit_of_that_payout(tmp_path, monkeypatch):
    # the report names po_… on the top-up row: the payout's credit is B3's 96.80, not the
    # top-up's 2,000.00 (no payout-mismatch), and the clearing check finds the payout
    # equal to its items, the top-up among them
    folder = merchant(tmp_path, monkeypatch)
    assert not [f for f in findings(folder) if f[0] in ("payout-mismatch", "payout-missing")]
    assert f"bank B3 96.80 USD -> payout-{PO}\n" in run(folder, "match")


def test_a_top_up_is_never_the_bank_credit_of_a_payout_of_its_amount(tmp_path, monkeypatch):
    # the payout of 2,000.00 never reached the bank and the bank never paid the top-up of
    # 2,000.00: a payout-missing and a top-up no debit answers, not one taken for the other
    charge = row("txn_c1", "2026-03-02 15:00:00", "2062.10", "60.10", "charge", "ch_1", "Invoice INV-1")
    payout = row("txn_p1", "2026-03-09 12:00:00", "-2002.00", "0.00", "payout", PO, "STRIPE PAYOUT", payout="")
    top_up = row("txn_tu1", "2026-03-10 15:00:00", "2002.00", "0.00", "topup", TU, "Top-up for Connect payouts",
                 payout=PO2, effective="2026-03-13 00:00:00")
    transfer = row("txn_tr1", "2026-03-10 16:00:00", "-2002.00", "0.00", "transfer", "tr_1",
                   "Transfer to acct_1Creator", payout=PO2, effective="2026-03-13 00:00:00")
    folder = merchant(tmp_path, monkeypatch, stripe=[charge, top_up, transfer, payout, LATER, PAYOUT2],
                      bank=[RENT, CREDIT2, INTEREST])
    assert sorted((code, refs[0]) for code, refs, _ in findings(folder)) == [
        ("bank-unmatched", "txn_tu1"), ("payout-missing", PO)]
