"""A payout the bank credited and then returned (a blind tester's Stripe payout: HSBC's
CAMT.053 credits it naming `po_…`, debits it back two days later, "RETURN OF CREDIT …
po_…"; Stripe posts a `payout_reversal` and pays the money again in a later payout).
Transit nets to zero: the credit is the payout's, the return the reversal's. `check` was
two bank-unmatched, `match --apply` of the credit made a payout-mismatch of twice the
payout, `link` refused what `match` proposed and both called Stripe's reversal a bank
line. The same for a PayPal withdrawal the bank returned."""

from __future__ import annotations

from decimal import Decimal

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

STRIPE_CONFIG = """\
books: books
currency: USD
timezone: Asia/Shanghai
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 3, bank: hsbc, bank_days: 2}
banks:
  hsbc: {type: camt053, account: Assets:Bank:HSBC, currency: USD}
"""
H = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category",'
     '"source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"')
R, S = "po_RETURNED000001", "po_REPAID00000002"
STRIPE = f"""\
{H}
"txn_c1","2026-08-03 03:00:00","2026-08-05 03:00:00","usd","300.00","9.30","290.70","charge","ch_1","Order 1","{R}","2026-08-05 00:00:00"
"txn_p1","2026-08-05 00:05:00","2026-08-05 00:05:00","usd","-290.70","0.00","-290.70","payout","{R}","STRIPE PAYOUT","",""
"txn_c3","2026-08-06 03:00:00","2026-08-08 03:00:00","usd","50.00","1.75","48.25","charge","ch_3","Order 3","{S}","2026-08-10 00:00:00"
"txn_rv","2026-08-08 05:00:00","2026-08-08 05:00:00","usd","290.70","0.00","290.70","payout_reversal","{R}","STRIPE PAYOUT FAILURE","{S}","2026-08-10 00:00:00"
"txn_p2","2026-08-10 00:05:00","2026-08-10 00:05:00","usd","-338.95","0.00","-338.95","payout","{S}","STRIPE PAYOUT","",""
"txn_c4","2026-08-30 03:00:00","2026-09-01 03:00:00","usd","10.00","0.59","9.41","charge","ch_4","Order 4","",""
"""
CREDIT = ("2026-08-06", "CRDT", "290.70", "HS001", f"STRIPE PAYOUT {R}")
RETURN = ("2026-08-07", "DBIT", "290.70", "HS002", f"RETURN OF CREDIT STRIPE PAYOUT {R} BENEFICIARY NAME MISMATCH")
REPAID = ("2026-08-11", "CRDT", "338.95", "HS003", f"STRIPE PAYOUT {S}")


def camt(*lines, payer="STRIPE PAYMENTS UK LTD", opening="1000.00") -> str:
    closing = Decimal(opening) + sum(Decimal(a) * (1 if d == "CRDT" else -1) for _, d, a, _, _ in lines)
    entries = "".join(
        f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt>'
        f'</BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>'
        f'<Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls>'
        '</Ntry>\n' for day, sign, amount, ref, text in lines)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-09-01T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><FrToDt><FrDtTm>2026-08-01T00:00:00</FrDtTm><ToDtTm>2026-08-31T23:59:59</ToDtTm></FrToDt>
<Acct><Id><Othr><Id>808123456838</Id></Othr></Id><Ccy>USD</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-07-31</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-31</Dt></Dt></Bal>
{entries}</Stmt></BkToCstmrStmt></Document>
"""


def merchant(tmp_path, monkeypatch, channel=STRIPE, bank=(CREDIT, RETURN, REPAID), config=STRIPE_CONFIG,
             name="stripe/bal-2026-08.csv", payer="STRIPE PAYMENTS UK LTD"):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-09-05")
    folder = tmp_path / "m"
    for path, text in ((name, channel), ("hsbc/hsbc-2026-08.xml", camt(*bank, payer=payer))):
        (folder / "statements" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "statements" / path).write_text(text, encoding="utf-8")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    run(folder, "import", str(folder / "statements"))
    return folder


def run(folder, *args, code=0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def findings(folder):
    return checking.check(config_mod.load(folder / "config.yaml")).findings


def transit(folder, account="Assets:Transit:Stripe") -> Decimal:
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    return sum((p.units.number for e in entries for p in getattr(e, "postings", ()) if p.account == account),
               Decimal(0))


def test_a_payout_the_bank_returned_and_stripe_paid_again_is_no_finding(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    assert transit(folder) == 0
    assert findings(folder) == []


def test_match_proposes_the_credit_for_its_payout_and_the_books_stay_answered(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    said = run(folder, "match")
    assert f"confident exact   100.0  bank HS001 290.70 USD -> payout-{R}" in said
    # the return is no payout's credit, and the check pairs it with Stripe's reversal:
    # explained, as the check says (matching.answered_debit), no line without a proposal
    assert "HS002" not in said and "bank line txn_" not in said
    refused = " ".join(run(folder, "open-items", "--for", "HS002", code=2).split())
    assert ("bank line HS002 (-290.70 USD) is explained already: the clearing check pairs it with stripe's reversal "
            f"txn_rv (290.70 USD on 2026-08-08) of payout {R}, which the bank returned") in refused, refused
    run(folder, "match", "--apply")
    assert findings(folder) == [] and transit(folder) == 0
    assert not (folder / "books" / "writeoffs.beancount").exists()


def test_link_takes_the_credit_match_proposes(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch)
    assert f"bank line HS001 (290.70 USD) linked to payout-{R}" in run(folder, "link", "HS001", R)
    assert findings(folder) == []
    run(folder, "unlink", "HS001")
    assert findings(folder) == []


def test_a_payout_stripe_reversed_before_the_bank_names_the_reversal_as_such(tmp_path, monkeypatch):
    # must not change: no credit, no return at the bank; the reversal closes the payout.
    # A credit of its amount linked to it by hand is refused, naming the reversal as Stripe's
    folder = merchant(tmp_path, monkeypatch, bank=(REPAID, ("2026-08-20", "CRDT", "290.70", "HS009", "STRIPE")))
    assert [f.code for f in findings(folder)] == ["bank-unmatched"]
    refused = run(folder, "link", "HS009", R, code=2)
    assert "stripe's reversal txn_rv (290.70 USD on 2026-08-08) took it back" in refused
    assert "bank line txn_rv" not in refused


def test_a_real_top_up_debit_naming_stripe_stays_bank_unmatched(tmp_path, monkeypatch):
    # must not fire: a debit of another amount is no return of the payout
    topup = ("2026-08-12", "DBIT", "50.00", "HS004", "STRIPE TOPUP")
    folder = merchant(tmp_path, monkeypatch, bank=(CREDIT, RETURN, REPAID, topup))
    [found] = findings(folder)
    assert (found.code, found.refs, found.amount) == ("bank-unmatched", ("HS004",), Decimal("50.00"))
    assert "top-up of stripe" in found.message


def test_a_return_at_the_bank_stripe_never_reversed_stays_a_finding(tmp_path, monkeypatch):
    # must not fire: the bank debited the credit back, Stripe shows no reversal and no
    # payout paying it again: the debit is unexplained
    stripe = "\n".join(l for l in STRIPE.splitlines() if "payout_reversal" not in l and "txn_p2" not in l
                       and "txn_c3" not in l) + "\n"
    folder = merchant(tmp_path, monkeypatch, channel=stripe, bank=(CREDIT, RETURN))
    assert [(f.code, f.refs) for f in findings(folder)] == [("bank-unmatched", ("HS002",))]


def test_a_payout_credited_and_never_returned_is_unchanged(tmp_path, monkeypatch):
    stripe = "\n".join(l for l in STRIPE.splitlines() if "payout_reversal" not in l and "txn_p2" not in l
                       and "txn_c3" not in l) + "\n"
    folder = merchant(tmp_path, monkeypatch, channel=stripe, bank=(CREDIT,))
    assert findings(folder) == []


PAYPAL_CONFIG = """\
books: books
currency: USD
timezone: America/Los_Angeles
channels:
  paypal: {type: paypal, currency: USD, settlement_days: 3, bank: hsbc, bank_days: 2}
banks:
  hsbc: {type: camt053, account: Assets:Bank:HSBC, currency: USD}
"""
PP_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
             '"To Email Address","Transaction ID","Reference Txn ID","Invoice Number","Balance","Balance Impact"')


def _pp(day, kind, gross, ident, ref, balance, fee="0.00"):
    net = Decimal(gross) + Decimal(fee)
    return (f'"08/{day}/2026","10:00:00","PDT","","{kind}","Completed","USD","{gross}","{fee}","{net}",'
            f'"shop@example.com","","{ident}","{ref}","","{balance}","{"Credit" if net > 0 else "Debit"}"')


PAYPAL = "\n".join([
    PP_HEADER,
    _pp("03", "Express Checkout Payment", "200.00", "1SALE000000000001", "", "196.02", fee="-3.98"),
    _pp("04", "General Withdrawal", "-196.02", "2WITHDRAW00000001", "", "0.00"),
    _pp("08", "Reversal of General Withdrawal", "196.02", "3REVERSAL00000001", "2WITHDRAW00000001", "196.02"),
    _pp("10", "General Withdrawal", "-196.02", "4WITHDRAW00000002", "", "0.00"),
    _pp("28", "Express Checkout Payment", "10.00", "5SALE000000000002", "", "9.41", fee="-0.59"),
]) + "\n"


def test_a_paypal_withdrawal_the_bank_returned_and_paypal_paid_again_is_no_finding(tmp_path, monkeypatch):
    bank = (("2026-08-05", "CRDT", "196.02", "PP001", "PAYPAL TRANSFER"),
            ("2026-08-07", "DBIT", "196.02", "PP002", "RETURN OF CREDIT PAYPAL TRANSFER ACCOUNT CLOSED"),
            ("2026-08-11", "CRDT", "196.02", "PP003", "PAYPAL TRANSFER"))
    folder = merchant(tmp_path, monkeypatch, channel=PAYPAL, bank=bank, config=PAYPAL_CONFIG,
                      name="paypal/activity-2026-08.csv", payer="PAYPAL EUROPE")
    assert transit(folder, "Assets:Transit:PayPal") == 0
    assert findings(folder) == []
    # and the return without PayPal's reversal is a finding, once
    without = "\n".join(l for l in PAYPAL.splitlines() if "Reversal" not in l and "4WITHDRAW" not in l) + "\n"
    folder = merchant(tmp_path / "b", monkeypatch, channel=without, bank=bank[:2], config=PAYPAL_CONFIG,
                      name="paypal/activity-2026-08.csv", payer="PAYPAL EUROPE")
    assert [(f.code, f.refs) for f in findings(folder)] == [("bank-unmatched", ("PP002",))]
