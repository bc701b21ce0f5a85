"""A payout the bank converts into the account's currency (a blind tester's Stripe USD
payout of 1,000.00 landing in an HSBC GBP account as 788.70 GBP, the CAMT.053 stating
`InstdAmt` 1000.00 USD and the bank's `XchgRate`): the credit is booked in the payout's
currency at the bank's rate, so transit comes back to zero in USD; the clearing check
pairs it, `match` proposes it, `link` takes it, the month report counts it settled. A
credit that states no amount sent stays in the account's currency, and the findings say
why it pairs with no payout."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from beanclear import config as config_mod
from beanclear.books import edits
from beanclear.checks import checking
from beanclear.importers import bank_csv
from beanclear.periods import closing
from conftest import beanclear, snapshot

PAYOUT = "po_1ConvertedPay01"
HSBC = "hsbc/2026/2026-02.beancount"

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 3
    bank: hsbc
    bank_days: 2
banks:
  hsbc:
    type: camt053
    account: Assets:Bank:HSBC
    currency: GBP
"""

STRIPE = f"""\
"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","description","source_id","automatic_payout_id"
"txn_1","2026-02-09 10:00:00","2026-02-11 00:00:00","usd","1030.18","30.18","1000.00","charge","Order 1","ch_1","{PAYOUT}"
"txn_2","2026-02-12 03:00:00","2026-02-14 00:00:00","usd","-1000.00","0.00","-1000.00","payout","STRIPE PAYOUT","{PAYOUT}","{PAYOUT}"
"txn_3","2026-02-14 10:00:00","2026-02-16 00:00:00","usd","20.00","0.88","19.12","charge","Order 2","ch_2",""
"""

SENT = ('<AmtDtls><InstdAmt><Amt Ccy="USD">1000.00</Amt><CcyXchg><SrcCcy>USD</SrcCcy><TrgtCcy>GBP</TrgtCcy>'
        '<UnitCcy>USD</UnitCcy><XchgRate>0.7887</XchgRate></CcyXchg></InstdAmt><TxAmt><Amt Ccy="GBP">788.70</Amt>'
        '</TxAmt></AmtDtls>')


def camt(payee="STRIPE PAYMENTS UK LTD", text=f"STRIPE PAYOUT {PAYOUT}", sent=SENT, amount="788.70") -> str:
    closing = Decimal("100.00") + Decimal(amount)
    return f"""\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-16T06:00:00Z</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-02-16T06:00:00Z</CreDtTm>
<FrToDt><FrDtTm>2026-02-09T00:00:00</FrDtTm><ToDtTm>2026-02-15T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>GB29HBUK40127612345678</IBAN></Id><Ccy>GBP</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-02-09</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-02-15</Dt></Dt></Bal>
<Ntry><Amt Ccy="GBP">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-02-13</Dt></BookgDt><ValDt><Dt>2026-02-13</Dt></ValDt>
<AcctSvcrRef>HSBC0213A</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
{sent}
<RltdPties><Dbtr><Nm>{payee}</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls>
</Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


def merchant(tmp_path: Path, rates="2026-02-09,USD/GBP,0.7890\n2026-02-13,USD/GBP,0.7890\n", stripe=STRIPE,
             **bank) -> Path:
    """The tester's merchant (repro1_converted), imported; `bank`: camt()'s arguments."""
    folder = written(tmp_path, rates, stripe, **bank)
    run(folder, "import", str(folder / "statements"))
    return folder


def written(tmp_path: Path, rates="2026-02-09,USD/GBP,0.7890\n2026-02-13,USD/GBP,0.7890\n", stripe=STRIPE,
            **bank) -> Path:
    """The tester's merchant, its statements written, nothing imported."""
    folder = tmp_path / "m"
    for name, text in (("hsbc/camt.xml", camt(**bank)), ("stripe/report.csv", stripe),
                       ("prices/rates.csv", "date,pair,rate\n" + rates)):
        (folder / "statements" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "statements" / name).write_text(text, encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return folder


def run(folder, *args, code=0) -> str:
    result = beanclear(folder, *args)
    assert result.exit_code == code, result.output
    return result.output


def findings(folder):
    return checking.check(config_mod.load(folder / "config.yaml")).findings


def text(folder, name=HSBC) -> str:
    return (folder / "books" / name).read_text(encoding="utf-8")


def credit(folder) -> data.Transaction:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert not [e for e in errors if "Balance failed" in str(e) or "not balance" in str(e)], errors
    [found] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == "HSBC0213A"]
    return found


def transit(entry) -> str:
    [p] = [p for p in entry.postings if p.account == "Assets:Transit:Stripe"]
    return p.units.to_string() + (f" @ {p.price.to_string()}" if p.price else "")


def as_before(folder) -> None:
    """The books as the import wrote them before: the converted credit in GBP in transit."""
    path = folder / "books" / HSBC
    path.write_text(text(folder).replace("-1000.00 USD @ 0.7887 GBP", " -788.70 GBP"), encoding="utf-8")
    assert "  Assets:Transit:Stripe                      -788.70 GBP\n" in text(folder)


# -- booked in the payout's currency, paired by the check ------------------------------------

def test_a_credit_the_bank_converted_is_booked_in_the_payouts_currency_and_transit_returns_to_zero(tmp_path):
    folder = merchant(tmp_path)
    assert "  Assets:Bank:HSBC                            788.70 GBP\n" \
           "  Assets:Transit:Stripe                     -1000.00 USD @ 0.7887 GBP\n" in text(folder)
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    assert [f.code for f in findings(folder)] == []   # no payout-missing, no bank-unmatched
    balances = json.loads(run(folder, "report", "2026-02", "--format", "json"))
    [row] = balances["channels"]
    assert (row["currency"], row["settled"], row["in_transit"], row["converted"], row["other"]) == \
        ("USD", "1000.00", "0.00", "0.00", "0.00")
    # what a close of the month asserts: transit at zero in USD, nothing of it in GBP
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    held = closing.balances(entries, closing.accounts_of(config_mod.load(folder / "config.yaml")), dt.date(2026, 3, 1))
    assert [h for h in held if h[0] == "Assets:Transit:Stripe"] == [("Assets:Transit:Stripe", "USD", Decimal("0.00"))]


def test_the_fx_gap_is_still_judged_on_the_banks_rate(tmp_path):
    folder = merchant(tmp_path, rates="2026-02-13,USD/GBP,0.8000\n")
    [gap] = [f for f in findings(folder) if f.code == "fx-gap"]
    assert (gap.source, gap.account, gap.amount, gap.currency, gap.actual) == \
        ("hsbc", "Assets:Bank:HSBC", Decimal("11.30"), "GBP", Decimal("0.7887"))
    assert "on 1,000.00 USD" in gap.message


def test_a_credit_in_the_accounts_currency_without_an_amount_sent_stays_as_it_was(tmp_path):
    # no InstdAmt: nothing says what was sent, so nothing is converted; the findings say
    # why the GBP credit answers none of the channel's USD payouts
    folder = merchant(tmp_path, sent="")
    assert transit(credit(folder)) == "-788.70 GBP"
    found = {f.code: f for f in findings(folder)}
    assert set(found) == {"payout-missing", "bank-unmatched"}
    # (and how to give it: blind33 eubank)
    give = f"`beanclear link HSBC0213A {PAYOUT} --sent 1000.00 USD` if it is that payout, sent whole"
    assert found["bank-unmatched"].message.endswith(
        f"no stripe payout explains it: its text names payout {PAYOUT} (1,000.00 USD), in USD; its statement "
        f"states no amount sent in USD, which a credit the bank converted pairs by: {give}")
    assert found["payout-missing"].message.endswith(
        "(expected within 2); bank credit HSBC0213A of 788.70 GBP on 2026-02-13 names it, converted by the bank: "
        f"its statement states no amount sent in USD, which a credit the bank converted pairs by: {give}")
    # naming no payout, it is in another currency than the one in its window
    found = {f.code: f for f in findings(merchant(tmp_path / "plain", sent="", text="STRIPE PAYOUT"))}
    assert found["bank-unmatched"].message.endswith(
        f"no stripe payout explains it: it is in GBP and payout {PAYOUT} (1,000.00 USD) in USD; its statement "
        f"states no amount sent in USD, which a credit the bank converted pairs by: {give}")
    assert found["payout-missing"].message.endswith(
        "(expected within 2); bank credit HSBC0213A of 788.70 GBP on 2026-02-13 may be it, converted by the bank: "
        f"its statement states no amount sent in USD, which a credit the bank converted pairs by: {give}")
    # and `link` says why it takes no USD payout for it, and how it would
    result = beanclear(folder, "link", "HSBC0213A", PAYOUT)
    assert result.exit_code == 2 and f"items: payout-{PAYOUT} are not in GBP, the bank line's currency (a credit " \
        "the bank converted is linked to a payout in the amount sent its statement states; this one states none): " \
        f"give the amount the payout was sent as, `beanclear link HSBC0213A payout-{PAYOUT} --sent 1000.00 USD` if " \
        "the bank received it whole" in result.output


def test_a_bank_csv_stating_the_amount_sent_is_booked_in_it(make_config, tmp_path):
    cfg = make_config("""\
        channels:
          airwallex: {type: airwallex, currency: USD, bank: ops}
        banks:
          ops:
            type: csv
            account: Assets:Bank:Ops
            currency: CNY
            columns: {date: Date, amount: Amount, memo: Memo, ref: Ref, original_credit: Sent,
                      original_debit: Paid, original_currency: SentCcy}
        """)
    path = tmp_path / "ops.csv"
    path.write_text("Date,Ref,Memo,Amount,Sent,Paid,SentCcy\n"
                    "2026-02-13,R1,AIRWALLEX PAYOUT,7123.40,1000.00,,USD\n"
                    "2026-02-14,R2,AIRWALLEX PAYOUT,500.00,,,\n"
                    "2026-02-15,R3,RENT,-300.00,,42.10,USD\n", encoding="utf-8")
    entries = [e for e in bank_csv.Importer(cfg.banks["ops"], cfg).parse(str(path)).entries
               if isinstance(e, data.Transaction)]
    assert [[p.units.to_string() + (f" @ {p.price.to_string()}" if p.price else "") for p in e.postings]
            for e in entries] == [["7123.40 CNY", "-1000.00 USD @ 7.1234 CNY"], ["500.00 CNY", "-500.00 CNY"],
                                  ["-300.00 CNY", "300.00 CNY"]]


def sent(amount="1000.00", currency="USD", rate="0.7887", source="USD", target="GBP", unit="USD") -> str:
    """SENT with its numbers and currencies as given."""
    return (f'<AmtDtls><InstdAmt><Amt Ccy="{currency}">{amount}</Amt><CcyXchg><SrcCcy>{source}</SrcCcy>'
            f'<TrgtCcy>{target}</TrgtCcy><UnitCcy>{unit}</UnitCcy><XchgRate>{rate}</XchgRate></CcyXchg></InstdAmt>'
            '</AmtDtls>')


def refused(tmp_path: Path, **bank) -> str:
    """The bank's statement imported after the channel's: refused (exit 2), the books as
    they were; what the import said."""
    folder = written(tmp_path, **bank)
    run(folder, "import", str(folder / "statements" / "stripe"))
    before = snapshot(folder / "books")
    out = run(folder, "import", str(folder / "statements" / "hsbc"), code=2)
    assert snapshot(folder / "books") == before
    assert "Traceback" not in out
    return out


def test_a_credit_short_of_its_amount_sent_at_the_stated_rate_is_judged_at_the_rate_booked(tmp_path):
    # a blind tester's 100.00 GBP stating 1,000.00 USD sent at 0.7887 (788.70 GBP): the
    # bank may take its charges out of the credit (FORMATS 7d), so it is booked as the
    # statement says, but the rate judged is the one booked, 0.1 GBP per USD: the 688.70
    # GBP that did not arrive are an fx-gap, never a payout settled in full at 0.7887
    folder = merchant(tmp_path, amount="100.00")
    entry = credit(folder)
    assert transit(entry) == "-1000.00 USD @ 0.1 GBP"
    assert (entry.meta["fx-rate"], entry.meta["stated-rate"]) == ("0.1", "0.7887")
    [gap] = [f for f in findings(folder) if f.code == "fx-gap"]
    assert (gap.amount, gap.currency, gap.actual) == (Decimal("689.00"), "GBP", Decimal("0.1"))


def test_the_import_says_where_an_exchange_disagrees_with_its_amounts(tmp_path):
    folder = written(tmp_path, amount="100.00")
    out = run(folder, "import", str(folder / "statements"))
    assert "line 12: 1000.00 USD sent at the stated rate 0.7887 are 788.70 GBP, but the entry says 100.00 GBP (688.70 " \
        "GBP less): the rate judged is the one booked, 0.1, not the one stated" in out


def test_an_absurd_stated_rate_beside_amounts_at_the_market_rate_is_judged_on_the_amounts(tmp_path):
    folder = merchant(tmp_path, sent=sent(rate="1000000000"))
    assert credit(folder).meta["fx-rate"] == "0.7887"
    assert [f.code for f in findings(folder)] == []


def test_a_rate_written_within_its_rounding_keeps_the_rate_stated(tmp_path):
    # 1000.00 × 0.78866 = 788.66: 788.70 is within what the rate's five places leave open
    folder = merchant(tmp_path, sent=sent(rate="0.7887"), amount="788.74")
    assert credit(folder).meta["fx-rate"] == "0.7887" and "stated-rate" not in credit(folder).meta


@pytest.mark.parametrize("rate", ["0", "0.0000", "-0.7887", "abc", "1e9", "NaN", ""])
def test_an_exchange_rate_that_is_no_rate_is_refused_naming_its_line(tmp_path, rate):
    out = refused(tmp_path, sent=sent(rate=rate).replace("<XchgRate></XchgRate>", "<XchgRate> </XchgRate>"))
    assert "camt.xml:12: <XchgRate>: expected a rate like 0.7887 (more than zero, at most 24 digits)" in out


@pytest.mark.parametrize("field, currencies", [("SrcCcy", dict(source="EUR")), ("TrgtCcy", dict(target="EUR")),
                                               ("UnitCcy", dict(unit="EUR"))])
def test_an_exchange_of_other_currencies_than_its_amounts_is_refused(tmp_path, field, currencies):
    out = refused(tmp_path, sent=sent(**currencies))
    assert f"camt.xml:12: <CcyXchg>: an exchange of EUR ({field}), but 1000.00 USD sent are booked in GBP (expected " \
        "an exchange between USD and GBP: the statement contradicts itself)" in out


@pytest.mark.parametrize("amount, said", [
    ("abc", "'abc'"), ("NaN", "'NaN'"), ("Infinity", "'Infinity'"), ("-1000.00", "'-1000.00'"),
    ("1.00E3", "'1.00E3'"), ("1" + "0" * 30 + ".00", "at most"), ("1000.0000000001", "'1000.0000000001'"),
    (" ", "''")])
def test_an_amount_sent_that_is_no_amount_is_refused_naming_its_line(tmp_path, amount, said):
    out = refused(tmp_path, sent=sent(amount=amount))
    assert "camt.xml:12: <InstdAmt>: expected an amount" in out and said in out


@pytest.mark.parametrize("currency", ["US$", "", "U"])
def test_an_amount_sent_in_no_currency_is_refused(tmp_path, currency):
    out = refused(tmp_path, sent=sent(currency=currency))
    assert "camt.xml:12: <InstdAmt>:" in out


def test_an_amount_sent_of_nothing_is_refused_never_advised_to_link(tmp_path):
    # a blind tester's InstdAmt 0.00: no amount sent, which `link` could never take
    out = refused(tmp_path, sent=sent(amount="0.00"))
    assert "camt.xml:12: <InstdAmt>: an amount sent of 0.00 USD (expected the amount instructed, more than zero)" \
        in out


def test_books_holding_an_amount_sent_of_nothing_are_not_advised_to_link(tmp_path):
    folder = merchant(tmp_path)
    as_before(folder)
    path = folder / "books" / HSBC
    path.write_text(text(folder).replace('original-amount: "1000.00 USD"', 'original-amount: "0.00 USD"'),
                    encoding="utf-8")
    [unmatched] = [f for f in findings(folder) if f.code == "bank-unmatched"]
    assert "beanclear link" not in unmatched.message and "states no amount sent in USD" in unmatched.message
    # nor does `link` advise `--sent`, nor take it: the statement's word is nothing, not none (blind33 eubank)
    result = beanclear(folder, "link", "HSBC0213A", PAYOUT)
    assert result.exit_code == 2 and "--sent" not in result.output
    result = beanclear(folder, "link", "HSBC0213A", PAYOUT, "--sent", "1000.00", "USD")
    assert result.exit_code == 2 and "--sent: bank line HSBC0213A's statement states 0.00 USD sent, not " \
        "1000.00 USD" in result.output, result.output


def test_a_second_amount_sent_is_refused(tmp_path):
    out = refused(tmp_path, sent=sent() + sent(amount="5000.00"))
    assert "camt.xml:12: <AmtDtls>: given twice" in out


def test_an_amount_sent_in_lower_case_is_read_as_its_code(tmp_path):
    folder = merchant(tmp_path, sent=sent(currency="usd", source="usd"))
    assert credit(folder).meta["original-amount"] == "1000.00 USD"
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"


# -- match and link ---------------------------------------------------------------------------

def test_match_proposes_the_payout_by_its_amount_sent_and_apply_links_it(tmp_path):
    folder = merchant(tmp_path)
    out = json.loads(run(folder, "match", "--format", "json"))
    [proposal] = out["proposals"]
    assert (proposal["stage"], proposal["confident"], proposal["links"]) == ("exact", True, [f"payout-{PAYOUT}"])
    assert proposal["reasons"] == [f"{PAYOUT} appears in the bank text", "amount 1000.00 USD sent equal"]
    assert out["unproposed"] == []
    run(folder, "match", "--apply")
    assert f'"STRIPE PAYOUT {PAYOUT}" ^payout-{PAYOUT}\n' in text(folder)
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    assert [f.code for f in findings(folder)] == []


def test_link_takes_a_converted_credit_for_its_payout(tmp_path):
    folder = merchant(tmp_path)
    out = run(folder, "link", "HSBC0213A", PAYOUT)
    assert f"bank line HSBC0213A (788.70 GBP, sent as 1,000.00 USD) linked to payout-{PAYOUT}\n" in out
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    assert [f.code for f in findings(folder)] == []


@pytest.mark.parametrize("how", ["match", "link"])
def test_a_credit_booked_in_the_accounts_currency_before_is_restated_in_the_payouts(tmp_path, how):
    # books imported before the fix: the credit in GBP in transit, the payout missing
    folder = merchant(tmp_path)
    as_before(folder)
    found = {f.code: f for f in findings(folder)}
    assert found["bank-unmatched"].message.endswith(
        "its statement states 1,000.00 USD sent, but it is booked in GBP (`beanclear link` or `match --apply` books "
        "it in the amount sent)")
    assert set(found) == {"bank-unmatched", "payout-missing"}
    if how == "match":
        [proposal] = json.loads(run(folder, "match", "--format", "json"))["proposals"]
        assert (proposal["stage"], proposal["confident"]) == ("exact", True)
        run(folder, "match", "--apply")
    else:
        run(folder, "link", "HSBC0213A", PAYOUT)
    assert "  Assets:Transit:Stripe                     -1000.00 USD @ 0.7887 GBP\n" in text(folder)
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    assert [f.code for f in findings(folder)] == []


def test_a_converted_credit_in_suspense_is_matched_by_its_amount_sent_and_unlink_books_it_back(tmp_path):
    # the bank's text names neither Stripe nor the payout: suspense, in GBP, until matched
    folder = merchant(tmp_path, payee="HSBC INTL RECEIPTS", text="FX CREDIT REF 88412")
    before = snapshot(folder / "books")
    assert "  Assets:Suspense                            -788.70 GBP\n" in text(folder)
    [proposal] = json.loads(run(folder, "match", "--format", "json"))["proposals"]
    assert (proposal["stage"], proposal["links"], proposal["account"]) == \
        ("fuzzy", [f"payout-{PAYOUT}"], "Assets:Transit:Stripe")
    assert "amount 1000.00 vs 1000.00 USD sent" in proposal["reasons"]
    run(folder, "link", "HSBC0213A", PAYOUT)
    assert "  Assets:Transit:Stripe                     -1000.00 USD @ 0.7887 GBP\n" in text(folder)
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    assert [f.code for f in findings(folder)] == []
    # the month report lists what the link resolved, the line as the import booked it (in GBP)
    report = json.loads(run(folder, "report", "2026-02", "--format", "json"))
    assert [(f["status"], f["code"], f["message"].split(":")[0], f["resolution"]) for f in report["findings"]] == [
        ("resolved", "payout-missing", "payout of 1,000.00 USD on 2026-02-12 has not reached the bank 3 days later "
         "(expected within 2)", f"matched to payout-{PAYOUT}"),
        ("resolved", "bank-unmatched", "bank credit of 788.70 GBP that no rule, payout or entry explains",
         f"matched to payout-{PAYOUT}")]
    run(folder, "unlink", "HSBC0213A")
    assert snapshot(folder / "books") == before


def test_a_converted_credit_no_payout_answers_is_booked_elsewhere_in_its_own_amount(tmp_path):
    # the payout left ten days before and the credit's text does not name it (naming it,
    # it is that payout's however late): nothing pairs them; `book` takes the credit out
    # of transit, in the GBP the bank booked
    folder = merchant(tmp_path, stripe=STRIPE.replace("2026-02-12 03:00:00", "2026-02-02 03:00:00")
                      .replace("2026-02-09 10:00:00", "2026-02-01 10:00:00"), text="STRIPE PAYOUT")
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"
    [unmatched] = findings(folder)
    assert unmatched.message == "bank credit of 1,000.00 USD (788.70 GBP at the bank) booked as a stripe payout, " \
        "but no stripe payout explains it"
    run(folder, "book", "HSBC0213A", "Income:Other")
    assert "  Income:Other                               -788.70 GBP\n" in text(folder)


def test_a_converted_credit_naming_a_payout_is_its_however_late(tmp_path):
    # the payout of ten days before that the credit names: that payout's, no finding, as
    # `match` reads the id in its text at any age (blind10 accountant repro-01)
    folder = merchant(tmp_path, stripe=STRIPE.replace("2026-02-12 03:00:00", "2026-02-02 03:00:00")
                      .replace("2026-02-09 10:00:00", "2026-02-01 10:00:00"))
    assert [f.code for f in findings(folder) if f.code in ("bank-unmatched", "payout-missing",
                                                           "payout-mismatch")] == []


def test_match_says_why_a_converted_credit_without_an_amount_sent_pairs_with_no_payout(tmp_path):
    folder = merchant(tmp_path, sent="")
    [why] = json.loads(run(folder, "match", "--format", "json"))["unproposed"]
    assert why["reasons"][0] == f"the text names payout-{PAYOUT} of 1000.00 USD, another currency than the line's " \
        "GBP: a credit the bank converted is matched to its payout by the amount sent its statement states, and " \
        f"this one states none in USD (`beanclear link HSBC0213A payout-{PAYOUT} --sent 1000.00 USD` if it was sent " \
        "whole)"


def test_restate_keeps_the_column_and_the_comment_and_is_a_no_op_when_made():
    line = "  Assets:Transit:Stripe                      -788.70 GBP ; checked\n"
    new = edits.restate(line, "-788.70 GBP", "-1000.00 USD @ 0.7887 GBP")
    assert new == "  Assets:Transit:Stripe                     -1000.00 USD @ 0.7887 GBP ; checked\n"
    assert edits.restate(new, "-788.70 GBP", "-1000.00 USD @ 0.7887 GBP") == new
    with pytest.raises(edits.EditError, match="expected a posting of -788.70 GBP"):
        edits.restate("  Assets:Transit:Stripe   -788.71 GBP\n", "-788.70 GBP", "-1000.00 USD @ 0.7887 GBP")


def test_an_amount_sent_and_a_rate_of_the_most_digits_are_judged_without_a_traceback(tmp_path):
    folder = merchant(tmp_path, sent=sent(amount="9" * 22 + ".00", rate="9" * 20 + ".0000"))
    assert "stated-rate" in credit(folder).meta
    assert "fx-gap" in {f.code for f in findings(folder)}
    assert run(folder, "check", "--format", "json", code=1)


def _in_two(sent: str, ref: str, text: str, day: str = "2026-02-13") -> str:
    """A CAMT entry of the payout's credit in two parts, converted: `sent` USD of it."""
    gbp = (Decimal(sent) * Decimal("0.7887")).quantize(Decimal("0.01"))
    return (f'<Ntry><Amt Ccy="GBP">{gbp}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt>'
            f'</BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>'
            f'<AmtDtls><InstdAmt><Amt Ccy="USD">{sent}</Amt><CcyXchg><SrcCcy>USD</SrcCcy><TrgtCcy>GBP</TrgtCcy>'
            f'<UnitCcy>USD</UnitCcy><XchgRate>0.7887</XchgRate></CcyXchg></InstdAmt><TxAmt><Amt Ccy="GBP">{gbp}</Amt>'
            f'</TxAmt></AmtDtls><RltdPties><Dbtr><Nm>STRIPE PAYMENTS UK LTD</Nm></Dbtr></RltdPties>'
            f'<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n')


def in_two_lines(tmp_path: Path, second=f"STRIPE PAYOUT {PAYOUT} 2/2", day="2026-02-13") -> Path:
    """The payout of 1,000.00 USD credited converted in two lines, 600.00 and 400.00 USD
    sent, the first naming the payout, the second saying `second` on `day`; imported."""
    folder = tmp_path / "m"
    xml = camt()
    start, end = xml.index("<Ntry>"), xml.index("</Ntry>\n") + len("</Ntry>\n")
    xml = xml[:start] + _in_two("600.00", "HSBC0213A", f"STRIPE PAYOUT {PAYOUT} 1/2") + \
        _in_two("400.00", "HSBC0213B", second, day) + xml[end:]
    for name, body in (("hsbc/camt.xml", xml), ("stripe/report.csv", STRIPE),
                       ("prices/rates.csv", "date,pair,rate\n2026-02-13,USD/GBP,0.7890\n")):
        (folder / "statements" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "statements" / name).write_text(body, encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    run(folder, "import", str(folder / "statements"))
    return folder


@pytest.mark.parametrize("second", [f"STRIPE PAYOUT {PAYOUT} 2/2", "STRIPE TRANSFER REMAINDER"])
def test_a_payout_credited_converted_in_two_lines_is_proposed_as_one_group(tmp_path, second):
    """Both lines name Stripe and together make the payout in the amount sent: the groups
    stage proposes them as the clearing check pairs them, never a write-off of money that
    arrived (blind7 fava: each was told to be linked by hand and the other's amount written off)."""
    folder = in_two_lines(tmp_path, second)
    assert [f.code for f in findings(folder)] == []   # the check pairs them
    out = json.loads(run(folder, "match", "--format", "json"))
    assert out["unproposed"] == []
    [proposal] = out["proposals"]
    assert (proposal["stage"], proposal["confident"], proposal["bank_refs"], proposal["links"]) == \
        ("groups", True, ["HSBC0213A", "HSBC0213B"], [f"payout-{PAYOUT}"])
    assert proposal["reasons"] == ["2 bank lines add up to 1000.00 (stripe)"]
    run(folder, "match", "--apply")
    assert text(folder).count(f" ^payout-{PAYOUT}\n") == 2
    assert [f.code for f in findings(folder)] == []


def test_match_says_what_link_says_of_a_line_the_check_pairs_with_another(tmp_path):
    """Where no proposal names them, a line naming a payout the check makes of it and
    another line is told so, as `link` tells it, not to write off the other's money."""
    from beanclear.matching import why
    folder = in_two_lines(tmp_path)
    config = config_mod.load(folder / "config.yaml")
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    said = {u.line.ref: u.reasons for u in why.unproposed(entries, config, [])}
    assert said["HSBC0213A"] == [
        f"the text names payout-{PAYOUT} of 1000.00 USD; the clearing check pairs bank line HSBC0213B (400.00 USD on "
        f"2026-02-13) with it too: together they make it (`beanclear link` each of them to it)"]
    assert not any("write off" in r for reasons in said.values() for r in reasons)
    out = run(folder, "link", "HSBC0213A", PAYOUT)
    assert "the clearing check pairs bank line HSBC0213B (400.00 USD on 2026-02-13) with it too: together they " \
        "make it (link HSBC0213B to it too)" in out


@pytest.mark.parametrize("day, first, then", [("2026-02-13", "HSBC0213A", "HSBC0213B"),
                                             ("2026-02-13", "HSBC0213B", "HSBC0213A"),
                                             ("2026-02-15", "HSBC0213A", "HSBC0213B")])
def test_link_takes_each_converted_part_of_a_payout_in_turn(tmp_path, day, first, then):
    """The rest of a payout linked in part is made by the next line in the amount it
    sent, as match reads it. A second part two days on, which the check does not pair
    with the payout, was refused: the rest (400.00 USD) was compared with the line's own
    315.48 GBP ("would make 915.48 USD of it")."""
    folder = in_two_lines(tmp_path, day=day)
    run(folder, "link", first, PAYOUT)
    said = run(folder, "link", then, PAYOUT)
    assert f"linked to payout-{PAYOUT}\n" in said and "differ" not in said
    assert text(folder).count(f" ^payout-{PAYOUT}\n") == 2
    assert [f.code for f in findings(folder)] == []


# -- a multi-currency wallet: the currencies it pays out in, not its one `currency:` ----------
# (blind12 crossborder: an Airwallex wallet without `currency:` paid 1,000.00 USD to a HKD
# account whose CAMT stated InstdAmt 1000.00 USD at 7.78; the credit was booked -7780.00 HKD
# from transit, a false payout-missing beside a bank-unmatched, and `match` and `link` both
# said it stated no amount sent in USD. With `currency: USD` an EUR payout failed alike.)

WALLET_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  airwallex:
    type: airwallex
{key}    settlement_days: 45
    bank: hk
    bank_days: 2
banks:
  hk: {{type: camt053, account: Assets:Bank:HK, currency: HKD}}
rules:
  - {{match: "AMAZON", account: Income:Sales:Amazon}}
"""


def _awx(ident, amount, currency, kind, source, day, text) -> str:
    return (f'{{"id": "{ident}", "amount": {amount}, "fee": 0, "net": {amount}, "currency": "{currency}", '
            f'"transaction_type": "{kind}", "source_id": "{source}", "source_type": "{kind}", "status": "SETTLED", '
            f'"created_at": "2026-09-{day}T02:00:00+0000", "description": "{text}"}}')


WALLET = '{"has_more": false, "items": [\n' + ",\n".join([
    _awx("t1", "5000.00", "USD", "DEPOSIT", "d1", "01", "AMAZON.COM SERVICES LLC"),
    _awx("t2", "1000.00", "EUR", "DEPOSIT", "d2", "01", "AMAZON EU SARL"),
    _awx("t3", "3000.00", "HKD", "DEPOSIT", "d3", "01", "AMAZON HK"),
    _awx("t4", "-1000.00", "USD", "PAYOUT", "PO-A", "02", "Payout to HK"),
    _awx("t5", "-500.00", "EUR", "PAYOUT", "PO-E", "04", "Payout to HK"),
    _awx("t6", "-2000.00", "HKD", "PAYOUT", "PO-H", "06", "Payout to HK"),
]) + "\n]}\n"


def _hk_entry(ref: str, day: str, hkd: str, text: str, sent: tuple | None = None) -> str:
    """A CAMT credit of `hkd` HKD naming `text`; `sent`: (amount, currency, rate) it states sent."""
    amounts = ""
    if sent is not None:
        amount, currency, rate = sent
        amounts = (f'<AmtDtls><InstdAmt><Amt Ccy="{currency}">{amount}</Amt></InstdAmt><TxAmt><Amt Ccy="HKD">{hkd}'
                   f'</Amt><CcyXchg><SrcCcy>{currency}</SrcCcy><TrgtCcy>HKD</TrgtCcy><XchgRate>{rate}</XchgRate>'
                   '</CcyXchg></TxAmt></AmtDtls>')
    return (f'<Ntry><Amt Ccy="HKD">{hkd}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-09-{day}'
            f'</Dt></BookgDt><ValDt><Dt>2026-09-{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>'
            f'<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>{amounts}<RltdPties><Dbtr><Nm>AIRWALLEX HONG KONG LIMITED'
            f'</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n')


WALLET_CREDITS = [("HKR1", "03", "7780.00", "AIRWALLEX PAYOUT PO-A", ("1000.00", "USD", "7.78")),
                  ("HKR2", "05", "4200.00", "AIRWALLEX PAYOUT PO-E", ("500.00", "EUR", "8.40")),
                  ("HKR3", "07", "2000.00", "AIRWALLEX PAYOUT PO-H", None)]


def hk_camt(credits=WALLET_CREDITS) -> str:
    closing = Decimal("1000.00") + sum(Decimal(c[2]) for c in credits)
    return f"""\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-10-01T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-10-01T08:00:00</CreDtTm><FrToDt><FrDtTm>2026-09-01T00:00:00</FrDtTm><ToDtTm>2026-09-30T23:59:59</ToDtTm></FrToDt>
<Acct><Id><Othr><Id>848123456838</Id></Othr></Id><Ccy>HKD</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="HKD">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-31</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="HKD">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-09-30</Dt></Dt></Bal>
{"".join(_hk_entry(*c) for c in credits)}</Stmt></BkToCstmrStmt></Document>
"""


def wallet(tmp_path: Path, key: str = "", credits=WALLET_CREDITS) -> Path:
    """The tester's wallet merchant, its statements written, nothing imported; `key`: a
    `currency:` line of the channel, or none."""
    folder = tmp_path / "w"
    for name, body in (("awx/wallet.json", WALLET), ("hk/hk.xml", hk_camt(credits)),
                       ("hk/rates.csv", "date,pair,rate\n2026-09-01,USD/HKD,7.7900\n2026-09-01,EUR/HKD,8.4100\n")):
        (folder / "statements" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "statements" / name).write_text(body, encoding="utf-8")
    (folder / "config.yaml").write_text(WALLET_CONFIG.format(key=key), encoding="utf-8")
    return folder


def wallet_transit(folder, ref: str) -> str:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert not [e for e in errors if "Balance failed" in str(e) or "not balance" in str(e)], errors
    [entry] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == ref]
    [p] = [p for p in entry.postings if p.account == "Assets:Transit:Airwallex"]
    return p.units.to_string() + (f" @ {p.price.to_string()}" if p.price else "")


@pytest.mark.parametrize("key", ["", "    currency: USD\n"])
@pytest.mark.parametrize("order", ["together", "payouts first"])
def test_a_wallets_payouts_the_bank_converted_are_booked_in_each_amount_sent(tmp_path, key, order):
    """Whatever its `currency:` says (none, or USD), the wallet pays out in USD, EUR and
    HKD: each converted credit takes its amount sent from transit, the HKD one its own."""
    folder = wallet(tmp_path, key)
    if order == "together":
        run(folder, "import", str(folder / "statements" / "awx"), str(folder / "statements" / "hk"))
    else:
        run(folder, "import", str(folder / "statements" / "awx"))
        run(folder, "import", str(folder / "statements" / "hk"))
    assert wallet_transit(folder, "HKR1") == "-1000.00 USD @ 7.78 HKD"
    assert wallet_transit(folder, "HKR2") == "-500.00 EUR @ 8.4 HKD"
    assert wallet_transit(folder, "HKR3") == "-2000.00 HKD"   # a HKD payout to the HKD bank: a plain credit
    assert [f.code for f in findings(folder)] == []   # no payout-missing, no bank-unmatched


@pytest.mark.parametrize("how", ["match", "link"])
def test_a_wallets_converted_credit_imported_before_its_payout_is_linked_in_the_amount_sent(tmp_path, how):
    """The bank's statement imported before the wallet's: the books held no USD payout
    then, the credit is in HKD; `match --apply` or `link` books it in the amount sent."""
    folder = wallet(tmp_path)
    run(folder, "import", str(folder / "statements" / "hk"))
    run(folder, "import", str(folder / "statements" / "awx"))
    assert wallet_transit(folder, "HKR1") == "-7780.00 HKD"
    found = {(f.code, f.currency) for f in findings(folder)}
    assert ("payout-missing", "USD") in found
    if how == "match":
        proposals = json.loads(run(folder, "match", "--format", "json"))["proposals"]
        assert {p["bank_refs"][0]: p["links"] for p in proposals if p["confident"]}["HKR1"] == ["payout-PO-A"]
        run(folder, "match", "--apply")
    else:
        out = run(folder, "link", "HKR1", "payout-PO-A")
        assert "bank line HKR1 (7,780.00 HKD, sent as 1,000.00 USD) linked to payout-PO-A\n" in out
        run(folder, "link", "HKR2", "payout-PO-E")
    assert wallet_transit(folder, "HKR1") == "-1000.00 USD @ 7.78 HKD"
    assert wallet_transit(folder, "HKR2") == "-500.00 EUR @ 8.4 HKD"
    assert [f.code for f in findings(folder)] == []


def test_a_credit_stating_a_currency_the_wallet_never_paid_out_in_stays_in_the_accounts(tmp_path):
    """Not any currency: a credit naming the wallet that states GBP sent, which no payout
    of the wallet is in, stays in HKD, and pairs with no payout."""
    credits = WALLET_CREDITS[:1] + [("HKR9", "09", "9900.00", "AIRWALLEX PAYOUT PO-G", ("1000.00", "GBP", "9.90"))]
    folder = wallet(tmp_path, credits=credits)
    run(folder, "import", str(folder / "statements" / "awx"), str(folder / "statements" / "hk"))
    assert wallet_transit(folder, "HKR1") == "-1000.00 USD @ 7.78 HKD"
    assert wallet_transit(folder, "HKR9") == "-9900.00 HKD"


def test_unlink_books_a_wallets_converted_credit_back_in_the_amount_sent_as_the_import_does(tmp_path):
    folder = wallet(tmp_path)
    run(folder, "import", str(folder / "statements" / "awx"), str(folder / "statements" / "hk"))
    before = snapshot(folder / "books")
    run(folder, "link", "HKR1", "payout-PO-A")
    assert wallet_transit(folder, "HKR1") == "-1000.00 USD @ 7.78 HKD"
    run(folder, "unlink", "HKR1")
    assert snapshot(folder / "books") == before


# blind33 eubank #1: Stripe paid out two payouts of one day, po_EURPAYOUT (333.95 EUR),
# which never arrived, and po_GBPPAYOUT (57.15 GBP), which the MT940 bank (EUR) credited
# converted as 65.27 EUR, its text naming it. The check held a credit by its name only
# among payouts of its own currency: it paired the 65.27 EUR by amount and day with the
# EUR payout (a false payout-mismatch of 268.68, the missing payout lost), while `match`
# said the line names po_GBPPAYOUT. A credit naming a payout is that payout's, whatever
# its currency, never another's.
TWO_PAYOUTS = """\
"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"
"txn_e1","2026-11-09 10:00:00","2026-11-11 10:00:00","eur","339.50","5.55","333.95","charge","ch_e1","Book sale","po_EURPAYOUT","2026-11-12 00:00:00"
"txn_g1","2026-11-09 11:00:00","2026-11-11 11:00:00","gbp","58.80","1.65","57.15","charge","ch_g1","Book sale","po_GBPPAYOUT","2026-11-12 00:00:00"
"txn_p1","2026-11-12 06:05:00","2026-11-12 06:05:00","eur","-333.95","0.00","-333.95","payout","po_EURPAYOUT","STRIPE PAYOUT","",""
"txn_p2","2026-11-12 06:05:00","2026-11-12 06:05:00","gbp","-57.15","0.00","-57.15","payout","po_GBPPAYOUT","STRIPE PAYOUT","",""
"txn_e2","2026-11-30 10:00:00","2026-12-02 10:00:00","eur","20.00","0.55","19.45","charge","ch_e2","Book sale","",""
"""
EUBANK = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe: {{type: stripe, currency: EUR, settlement_days: 6, bank: eubank, bank_days: 2}}
banks:
  eubank: {bank}
checks: {{fx-gap: {{severity: off}}}}
"""
MT940 = "{type: mt940, account: Assets:Bank:Eubank, currency: EUR}"
CSV = ("{type: csv, account: Assets:Bank:Eubank, currency: EUR, columns: {date: Date, amount: Amount, memo: Memo, "
       "ref: Ref, original_credit: Sent, original_currency: SentCcy}}")


def eubank(tmp_path: Path, text: str = "STRIPE PAYOUT po_GBPPAYOUT", sent: str = "", stripe: str = TWO_PAYOUTS):
    """The tester's merchant: Stripe's two payouts of 11-12 and the bank's one credit of
    65.27 EUR on 11-13 saying `text`: MT940 (no amount sent), or a bank CSV stating `sent`
    (`57.15 GBP`)."""
    folder = tmp_path / "eu"
    (folder / "st").mkdir(parents=True)
    (folder / "st" / "bal.csv").write_text(stripe, encoding="utf-8")
    if sent is None:
        (folder / "config.yaml").write_text(EUBANK.format(bank=MT940), encoding="utf-8")
        (folder / "st" / "nov.sta").write_bytes(
            (":20:EUB2611\r\n:25:DE44500105175407324931\r\n:28C:11/1\r\n:60F:C261108EUR1000,00\r\n"
             ":61:2611131113C65,27NTRFNONREF//EUB1\r\n"
             f":86:/NAME/STRIPE PAYMENTS EUROPE LTD/REMI/{text}\r\n:62F:C261130EUR1065,27\r\n-\r\n").encode())
    else:
        (folder / "config.yaml").write_text(EUBANK.format(bank=CSV), encoding="utf-8")
        amount, currency = sent.split() if sent else ("", "")
        (folder / "st" / "bank.csv").write_text(
            "Date,Ref,Memo,Amount,Sent,SentCcy\n2026-11-09,EUB0,OPENING,0.01,,\n"
            f"2026-11-13,EUB1,{text},65.27,{amount},{currency}\n2026-11-30,EUB2,INTEREST,0.01,,\n", encoding="utf-8")
    run(folder, "import", str(folder / "st"))
    return folder


def transit_findings(folder) -> list[tuple]:
    """The payouts' and credits' findings (not those of the CSV's lines around them, EUB0 and EUB2)."""
    return sorted((f.code, f.amount, f.currency, f.refs) for f in findings(folder)
                  if f.code in ("payout-mismatch", "payout-missing", "bank-unmatched") and "EUB0" not in f.refs
                  and "EUB2" not in f.refs)


def test_a_credit_naming_a_payout_of_another_currency_is_never_another_payouts(tmp_path):
    folder = eubank(tmp_path, sent=None)
    found = {f.refs[-1]: f for f in findings(folder) if f.code in ("payout-mismatch", "payout-missing",
                                                                    "bank-unmatched")}
    assert transit_findings(folder) == [
        ("bank-unmatched", Decimal("65.27"), "EUR", (found["EUB1"].refs[0], "EUB1")),
        ("payout-missing", Decimal("57.15"), "GBP", ("po_GBPPAYOUT",)),
        ("payout-missing", Decimal("333.95"), "EUR", ("po_EURPAYOUT",))]
    # each says of the other: the text names that payout, what a converted credit needs,
    # and how to give it (`link --sent`)
    give = f"`beanclear link {found['EUB1'].refs[0]} po_GBPPAYOUT --sent 57.15 GBP` if it is that payout, sent whole"
    assert found["po_GBPPAYOUT"].message.endswith(
        f"(expected within 2); bank credit {found['EUB1'].refs[0]} of 65.27 EUR on 2026-11-13 names it, converted "
        f"by the bank: its statement states no amount sent in GBP, which a credit the bank converted pairs by: {give}")
    assert found["EUB1"].message.endswith(
        "no stripe payout explains it: its text names payout po_GBPPAYOUT (57.15 GBP), in GBP; its statement "
        f"states no amount sent in GBP, which a credit the bank converted pairs by: {give}")
    assert "names it" not in found["po_EURPAYOUT"].message
    # and `match` reads the line as naming the same payout
    [why] = json.loads(run(folder, "match", "--format", "json"))["unproposed"]
    assert why["reasons"][0].startswith("the text names payout-po_GBPPAYOUT of 57.15 GBP, another currency")


def test_a_credit_naming_no_payout_still_pairs_by_amount_and_day(tmp_path):
    # must not: the text says only the channel's memo, so the credit is the EUR payout's,
    # of its day and currency, arriving short (as before)
    folder = eubank(tmp_path, text="STRIPE PAYOUT", sent=None)
    assert transit_findings(folder) == [
        ("payout-mismatch", Decimal("268.68"), "EUR", ("po_EURPAYOUT", transit_findings(folder)[0][3][1], "EUB1")),
        ("payout-missing", Decimal("57.15"), "GBP", ("po_GBPPAYOUT",))]


@pytest.mark.parametrize("text", ["STRIPE PAYOUT po_GBPPAYOUT", "STRIPE PAYOUT"], ids=["naming-it", "naming-none"])
def test_a_converted_credit_stating_the_amount_sent_still_pairs_with_its_payout(tmp_path, text):
    # must not: the bank states 57.15 GBP sent: the credit is booked in GBP and answers
    # the GBP payout; the EUR payout is the one missing
    folder = eubank(tmp_path, text=text, sent="57.15 GBP")
    assert transit_findings(folder) == [("payout-missing", Decimal("333.95"), "EUR", ("po_EURPAYOUT",))]


def test_a_credit_at_one_bank_naming_a_payout_another_bank_gets_is_never_a_payout_of_its_own(tmp_path):
    # GBP payouts land at a GBP account (`bank: [eubank, ukbank]`), but this one the EUR
    # bank credited converted, naming it: each bank's payouts are judged by its own
    # statements, and the EUR bank's credit is still the GBP payout's, not the EUR one's
    folder = eubank(tmp_path, sent=None)
    config = EUBANK.format(bank=MT940).replace("bank: eubank,", "bank: [eubank, ukbank],").replace(
        "\nchecks:", "\n  ukbank: {type: mt940, account: Assets:Bank:Ukbank, currency: GBP}\nchecks:")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    found = [f for f in findings(folder) if f.code in ("payout-mismatch", "payout-missing", "bank-unmatched")]
    assert sorted((f.code, f.amount, f.currency) for f in found) == [
        ("bank-unmatched", Decimal("65.27"), "EUR"), ("payout-missing", Decimal("333.95"), "EUR")]
    [unmatched] = [f for f in found if f.code == "bank-unmatched"]
    assert unmatched.message.endswith("its text names payout po_GBPPAYOUT (57.15 GBP), in GBP; its statement "
                                      "states no amount sent in GBP, which a credit the bank converted pairs by: "
                                      f"`beanclear link {unmatched.refs[0]} po_GBPPAYOUT --sent 57.15 GBP` if it is "
                                      "that payout, sent whole")


# -- a credit stating no amount sent (MT940): settled by hand, or by `link --sent` -------------

MT940_CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe: {type: stripe, currency: EUR, settlement_days: 6, bank: eubank, bank_days: 2}
banks:
  eubank: {type: mt940, account: Assets:Bank:Eubank, currency: EUR}
checks: {fx-gap: {severity: off}}
"""

MT940_STRIPE = """\
"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"
"txn_g1","2026-11-01 11:00:00","2026-11-03 11:00:00","gbp","125.59","3.47","122.12","charge","ch_g1","Book sale","po_GBP1","2026-11-02 00:00:00"
"txn_p2","2026-11-02 06:05:00","2026-11-02 06:05:00","gbp","-122.12","0.00","-122.12","payout","po_GBP1","STRIPE PAYOUT","",""
"txn_e2","2026-11-30 10:00:00","2026-12-02 10:00:00","eur","20.00","0.55","19.45","charge","ch_e2","Book sale","",""
"""

MT940_STATEMENT = (":20:EUB2611\r\n:25:DE44500105175407324931\r\n:28C:11/1\r\n:60F:C261031EUR1000,00\r\n"
         ":61:2611031103C139,43NTRFNONREF//EUB1\r\n:86:/NAME/STRIPE PAYMENTS EUROPE LTD/REMI/STRIPE PAYOUT po_GBP1\r\n"
         ":62F:C261130EUR1139,43\r\n-\r\n")

# the tester's entry, README "Closing by hand": the EUR credit moved back into GBP transit
BY_HAND = """\
{day} * "Stripe GBP payout converted by the bank" ^payout-po_GBP1
  Assets:Transit:Stripe   {eur} EUR
  Assets:Transit:Stripe  -{gbp} GBP @@ {eur} EUR
"""


def mt940_merchant(tmp_path: Path) -> Path:
    """blind33 eubank repro 2: a GBP Stripe payout of 122.12 credited as 139.43 EUR by an
    MT940 bank, which states no amount sent."""
    folder = tmp_path / "m"
    for name, body in (("stripe/bal.csv", MT940_STRIPE), ("bank/nov.sta", MT940_STATEMENT)):
        (folder / "st" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "st" / name).write_bytes(body.encode())
    (folder / "config.yaml").write_text(MT940_CONFIG, encoding="utf-8")
    run(folder, "import", str(folder / "st"))
    return folder


def mt940_ref(folder) -> str:
    entries, _, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    [line] = [e for e in entries if isinstance(e, data.Transaction)
              and any(p.account == "Assets:Bank:Eubank" for p in e.postings) and e.meta.get("bank-ref") == "EUB1"]
    return str(line.meta["id"])


def by_hand(folder, eur="139.43", gbp="122.12", day="2026-11-03") -> None:
    (folder / "books" / "mine.beancount").write_text(BY_HAND.format(eur=eur, gbp=gbp, day=day), encoding="utf-8")
    with open(folder / "books" / "main.beancount", "a", encoding="utf-8") as main:
        main.write('include "mine.beancount"\n')


def transit_amounts(folder) -> list[tuple]:
    return [(f.code, f.amount, f.currency) for f in findings(folder)
            if f.code in ("payout-mismatch", "payout-missing", "bank-unmatched")]


@pytest.mark.parametrize("day", ["2026-11-03", "2026-11-20"])   # the credit's day, or the day it was written
def test_a_hand_entry_converting_a_credit_back_into_the_payouts_currency_settles_the_payout(tmp_path, day):
    # blind33 eubank: `payout-mismatch 139.43 GBP: payout of 261.55 GBP arrived at the bank
    # as 122.12 GBP`, 122.12 GBP and 139.43 EUR of one link group summed as one currency
    folder = mt940_merchant(tmp_path)
    assert {c for c, _, _ in transit_amounts(folder)} == {"payout-missing", "bank-unmatched"}   # (documented)
    by_hand(folder, day=day)
    assert transit_amounts(folder) == []
    report = json.loads(run(folder, "report", "2026-11", "--format", "json"))
    assert [(r["currency"], r["in_transit"]) for r in report["channels"]] == [("EUR", "0.00"), ("GBP", "0.00")]
    # what the entry settled, both sides, listed as such (not "by the books after the month's end")
    assert sorted((f["status"], f["code"], f["resolution"]) for f in report["findings"]) == [
        ("resolved", "bank-unmatched", "booked by hand at books/mine.beancount:1"),
        ("resolved", "payout-missing", "booked by hand at books/mine.beancount:1")]


@pytest.mark.parametrize("eur, gbp, found", [
    ("139.40", "122.12", ("payout-mismatch", Decimal("0.03"), "EUR")),   # the bank's amount mistyped
    ("139.43", "122.00", ("payout-mismatch", Decimal("0.12"), "GBP")),   # not the payout's whole amount
])
def test_a_hand_entry_that_does_not_settle_it_is_one_finding_in_one_currency(tmp_path, eur, gbp, found):
    folder = mt940_merchant(tmp_path)
    by_hand(folder, eur, gbp)
    assert transit_amounts(folder) == [found]


def test_a_credit_linked_to_a_payout_of_another_currency_is_never_measured_against_it(tmp_path):
    # a link written by hand on the EUR credit, no amount sent: no payout-mismatch of
    # "122.12 GBP arrived as 139.43 GBP"; the two stay what they are, each in its currency
    folder = mt940_merchant(tmp_path)
    path = folder / "books" / "eubank" / "2026" / "2026-11.beancount"
    body = path.read_text(encoding="utf-8")
    path.write_text(body.replace('"STRIPE PAYOUT po_GBP1"', '"STRIPE PAYOUT po_GBP1" ^payout-po_GBP1', 1),
                    encoding="utf-8")
    assert "^payout-po_GBP1" in path.read_text(encoding="utf-8")
    assert sorted(transit_amounts(folder)) == [("bank-unmatched", Decimal("139.43"), "EUR"),
                                                ("payout-missing", Decimal("122.12"), "GBP")]


EUBANK_NOV = "eubank/2026/2026-11.beancount"


def test_link_refuses_a_credit_stating_no_amount_sent_saying_how_to_give_it(tmp_path):
    # blind33 eubank: `link` was the only documented action and said why, not what to do
    folder = mt940_merchant(tmp_path)
    before = snapshot(folder / "books")
    ref = mt940_ref(folder)
    result = beanclear(folder, "link", ref, "payout-po_GBP1")
    assert result.exit_code == 2
    assert (f"items: payout-po_GBP1 are not in EUR, the bank line's currency (a credit the bank converted is linked "
            "to a payout in the amount sent its statement states; this one states none): give the amount the payout "
            f"was sent as, `beanclear link {ref} payout-po_GBP1 --sent 122.12 GBP` if the bank received it whole; "
            "nothing was written") in result.output
    assert snapshot(folder / "books") == before
    # and the findings of the two say the same
    said = {f.code: f.message for f in findings(folder)}
    command = f"`beanclear link {ref} po_GBP1 --sent 122.12 GBP` if it is that payout, sent whole"
    assert said["bank-unmatched"].endswith(f"; its statement states no amount sent in GBP, which a credit the bank "
                                           f"converted pairs by: {command}")
    assert said["payout-missing"].endswith(f"converted by the bank: its statement states no amount sent in GBP, "
                                           f"which a credit the bank converted pairs by: {command}")


def test_link_sent_books_the_credit_in_the_amount_sent_and_settles_the_payout(tmp_path):
    folder = mt940_merchant(tmp_path)
    before = snapshot(folder / "books")
    ref = mt940_ref(folder)
    out = run(folder, "link", ref, "payout-po_GBP1", "--sent", "122.12", "GBP")
    assert f"bank line {ref} (139.43 EUR, sent as 122.12 GBP) linked to payout-po_GBP1\n" in out
    # the exact diff: the link, and the transit posting in the amount sent at the rate that
    # gives the bank's 139.43 EUR back (as the import books a CAMT credit stating it)
    after = snapshot(folder / "books")
    assert [name for name in after if after[name] != before.get(name)] == [EUBANK_NOV]
    assert text(folder, EUBANK_NOV) == before[EUBANK_NOV].decode().replace(
        '"STRIPE PAYOUT po_GBP1"\n', '"STRIPE PAYOUT po_GBP1" ^payout-po_GBP1\n').replace(
        "  Assets:Transit:Stripe                      -139.43 EUR\n",
        "  Assets:Transit:Stripe                      -122.12 GBP @ 1.141745824 EUR\n")
    assert transit_amounts(folder) == []
    report = json.loads(run(folder, "report", "2026-11", "--format", "json"))
    assert {(r["currency"], r["settled"], r["in_transit"]) for r in report["channels"]} == \
        {("EUR", "0.00", "0.00"), ("GBP", "122.12", "0.00")}
    # asked again: nothing to write; unlink gives the books back byte for byte
    assert "linked to payout-po_GBP1 already" in run(folder, "link", ref, "payout-po_GBP1", "--sent", "122.12", "GBP")
    run(folder, "unlink", ref)
    assert snapshot(folder / "books") == before


def test_link_sent_short_of_the_payout_leaves_its_difference_in_its_currency(tmp_path):
    folder = mt940_merchant(tmp_path)
    ref = mt940_ref(folder)
    out = run(folder, "link", ref, "po_GBP1", "--sent", "122.00", "GBP")
    assert "they differ by -0.12 GBP (write it off, or find the rest)" in out
    assert "  Assets:Transit:Stripe                      -122.00 GBP @ 1.142868852 EUR\n" in text(folder, EUBANK_NOV)
    assert transit_amounts(folder) == [("payout-mismatch", Decimal("0.12"), "GBP")]


@pytest.mark.parametrize("sent, said", [
    (("abc", "GBP"), "--sent: expected the amount sent and its currency, like `--sent 122.12 GBP`, got 'abc GBP'"),
    (("-122.12", "GBP"), "got '-122.12 GBP'"),
    (("1.2212E2", "GBP"), "got '1.2212E2 GBP'"),
    (("NaN", "GBP"), "got 'NaN GBP'"),
    (("0.00", "GBP"), "--sent: an amount sent of 0.00 GBP (expected more than zero)"),
    (("122.123", "GBP"), "--sent: 122.123 GBP has more places than GBP has"),
    (("122.12", "£"), "got '122.12 £'"),
    (("139.43", "EUR"), "--sent: 139.43 EUR is the bank line's own currency: nothing was converted; "
                        "link it without --sent"),
    (("122.12", "USD"), "--sent: no channel paying into eubank pays out in USD"),
])
def test_link_sent_that_is_no_amount_sent_is_refused_and_writes_nothing(tmp_path, sent, said):
    folder = mt940_merchant(tmp_path)
    before = snapshot(folder / "books")
    result = beanclear(folder, "link", mt940_ref(folder), "payout-po_GBP1", "--sent", *sent)
    assert result.exit_code == 2 and said in result.output, result.output
    assert snapshot(folder / "books") == before


def test_link_sent_on_a_line_stating_its_amount_sent_must_agree_with_it(tmp_path):
    # a CAMT credit states 1,000.00 USD sent: the statement's word stands
    folder = merchant(tmp_path)
    before = snapshot(folder / "books")
    result = beanclear(folder, "link", "HSBC0213A", PAYOUT, "--sent", "999.00", "USD")
    assert result.exit_code == 2 and "--sent: bank line HSBC0213A's statement states 1,000.00 USD sent, not " \
        "999.00 USD" in result.output, result.output
    assert snapshot(folder / "books") == before
    # the same amount is what link does without it (must-not: nothing else changes)
    out = run(folder, "link", "HSBC0213A", PAYOUT, "--sent", "1000.00", "USD")
    assert f"bank line HSBC0213A (788.70 GBP, sent as 1,000.00 USD) linked to payout-{PAYOUT}\n" in out
    assert transit(credit(folder)) == "-1000.00 USD @ 0.7887 GBP"

