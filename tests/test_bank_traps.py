"""The traps of OFX, CAMT.053 and MT940 that the real samples do not cover, in files the
tests write, and bad input that must name the file and the line."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import camt053, mt940, ofx
from channel_util import raises_at
from beanclear.importers.toolkit import StatementError

CONFIG = """\
channels:
  stripe_eu: {type: wechat, bank: eur, payout_memo: "STRIPE"}
banks:
  eur: {type: camt053, account: Assets:Bank:Eur}
  card: {type: ofx, account: Liabilities:Card}
  de: {type: mt940, account: Assets:Bank:De}
"""


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def run(cfg, module, bank, tmp_path, text, name="s.txt", encoding="utf-8", account_id=None):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    source = cfg.banks[bank] if not account_id else replace(cfg.banks[bank], account_id=account_id)
    imp = module.Importer(source, cfg)
    assert imp.identify(str(path))
    return imp.parse(str(path))


def txns(extraction):
    return [e for e in extraction.entries if isinstance(e, data.Transaction)]


# -- OFX -------------------------------------------------------------------------------

def stmttrn(kind="DEBIT", posted="20260301", amount="-10.00", fitid="A1", name="SHOP", extra=""):
    return (f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{posted}<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}"
            f"{extra}</STMTTRN>\n")


def sgml(lines, header="OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n", account="4000111122223333",
         balance="<LEDGERBAL><BALAMT>-530.00<DTASOF>20260331</LEDGERBAL>"):
    return (header + "<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
            f"<CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>{account}</CCACCTFROM>\n<BANKTRANLIST>"
            "<DTSTART>20260301<DTEND>20260331\n" + "".join(lines) + "</BANKTRANLIST>"
            f"{balance}</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>\n")


def test_ofx_credit_card_statement_posts_charges_and_payments_to_the_card(cfg, tmp_path):
    ex = run(cfg, ofx, "card", tmp_path, sgml([stmttrn(amount="-530.00"), stmttrn("PAYMENT", "20260310", "0", "Z")]))
    [charge] = txns(ex)
    assert charge.postings[0].account == "Liabilities:Card" and charge.postings[0].units.number == Decimal("-530.00")
    assert ex.skipped == {"zero amount": 1}
    [closing] = [e for e in ex.entries if isinstance(e, data.Balance)]
    assert (str(closing.date), closing.amount.number) == ("2026-04-01", Decimal("-530.00"))  # owed: negative


def test_ofx_date_is_taken_in_the_statement_zone_not_utc(cfg, tmp_path):
    ex = run(cfg, ofx, "card", tmp_path, sgml([stmttrn(posted="20260301230000.000[-5:EST]")], balance=""))
    assert str(txns(ex)[0].date) == "2026-03-01"  # 04:00 UTC on 03-02, but the bank booked it on 03-01


def test_ofx_fitid_reused_by_the_bank_stays_two_lines_and_reimports_stay_one(cfg, tmp_path):
    lines = [stmttrn(fitid="1"), stmttrn(posted="20260305", amount="-7.00", fitid="1"), stmttrn(fitid="1")]
    ex = run(cfg, ofx, "card", tmp_path, sgml(lines, balance=""))
    assert [t.meta["id"] for t in txns(ex)] == ["1/20260301/-10.00", "1/20260305/-7.00", "1/20260301/-10.00/2"]
    again = run(cfg, ofx, "card", tmp_path, sgml(lines, balance=""), name="again.ofx")
    assert [t.meta["id"] for t in txns(again)] == [t.meta["id"] for t in txns(ex)]


def test_ofx_xml_qfx_and_hybrid_headers_read_alike(cfg, tmp_path):
    body = sgml([stmttrn()], header="")
    xml_closed = body.replace("<TRNTYPE>DEBIT", "<TRNTYPE>DEBIT</TRNTYPE>").replace("<NAME>SHOP", "<NAME>SHOP</NAME>")
    headers = ['<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n',   # hybrid: XML prolog, SGML tags
               '<?OFX OFXHEADER="200" VERSION="211"?>\n',                            # QFX without <?xml?>
               "\n\n\nOFXHEADER:100\nDATA:OFXSGML\n\n"]                              # blank lines first
    ids = [[t.meta["id"] for t in txns(run(cfg, ofx, "card", tmp_path, h + b, name=f"{i}.qfx"))]
           for i, (h, b) in enumerate([(headers[0], body), (headers[1], xml_closed), (headers[2], body)])]
    assert ids == [["A1/20260301/-10.00"]] * 3


def test_ofx_cdata_entities_and_cp1252_text(cfg, tmp_path):
    line = stmttrn(name="<![CDATA[CAF\u00c9 & BAR]]>", extra="<MEMO>Fish &amp; chips \u2013 M\u00fcller")
    [t] = txns(run(cfg, ofx, "card", tmp_path, sgml([line], balance=""), encoding="cp1252"))
    assert (t.payee, t.narration) == ("CAF\u00c9 & BAR", "Fish & chips \u2013 M\u00fcller")


def test_ofx_hold_is_skipped_and_origcurrency_is_an_applied_rate(cfg, tmp_path):
    fx = stmttrn(amount="-71.20", fitid="F", extra="<ORIGCURRENCY><CURRATE>7.12<CURSYM>EUR</ORIGCURRENCY>")
    ex = run(cfg, ofx, "card", tmp_path, sgml([stmttrn("HOLD", fitid="H"), fx], balance=""))
    assert ex.skipped == {"funds on hold (not booked)": 1}
    [t] = txns(ex)
    assert (t.meta["fx-pair"], t.meta["fx-rate"], t.postings[0].units.currency) == ("EUR/USD", "7.12", "USD")


def test_ofx_account_id_picks_the_statement_of_this_card(cfg, tmp_path):
    two = sgml([stmttrn()]).replace("</CREDITCARDMSGSRSV1>", "") + ""
    other = sgml([stmttrn(fitid="B")], account="5555")
    text = two.rsplit("</OFX>", 1)[0] + other[other.index("<CCSTMTTRNRS>"):]
    with pytest.raises(StatementError, match="statements of 2 accounts"):
        run(cfg, ofx, "card", tmp_path, text)
    ex = run(cfg, ofx, "card", tmp_path, text, account_id="4000 1111 2222 3333")
    assert [t.meta["bank-ref"] for t in txns(ex)] == ["A1"]
    assert ex.skipped == {"line of another account's statement (5555)": 1}


def test_ofx_xml_empty_elements_are_empty(cfg, tmp_path):
    """`<BANKID/>`, `<BALAMT/>`: XML's empty elements, as ofxstatement writes them (an N26
    export) and banks send for an unknown balance: no value, no balance assertion."""
    text = sgml([stmttrn(extra="<MEMO/>")], balance="<LEDGERBAL><BALAMT/><DTASOF/></LEDGERBAL>").replace(
        "<CCACCTFROM>", "<CCACCTFROM><BANKID />")
    ex = run(cfg, ofx, "card", tmp_path, text)
    [t] = txns(ex)
    assert (t.meta["id"], t.narration, t.postings[0].units.number) == ("A1/20260301/-10.00", "SHOP", Decimal("-10.00"))
    assert not [e for e in ex.entries if isinstance(e, data.Balance)]


PRETTIFIED = """\
<OFX>
 <CREDITCARDMSGSRSV1>
  <CCSTMTTRNRS>
   <TRNUID>0
    <STATUS>
     <CODE>0
      <SEVERITY>INFO
      </SEVERITY>
     </CODE>
    </STATUS>
    <CCSTMTRS>
     <CURDEF>USD
      <CCACCTFROM>
       <ACCTID>379700001111222
        <AMEX.ROLE>B
        </AMEX.ROLE>
       </ACCTID>
      </CCACCTFROM>
      <BANKTRANLIST>
       <DTSTART>20140112
        <DTEND>20140112
         <STMTTRN>
          <TRNTYPE>DEBIT
           <DTPOSTED>20131124000000.000[-7:MST]
            <TRNAMT>-143.94
             <FITID>320133280255184014
              <NAME>PRUNE
               <MEMO>RESTAURANT
               </MEMO>
              </NAME>
             </FITID>
            </TRNAMT>
           </DTPOSTED>
          </TRNTYPE>
         </STMTTRN>
        </DTEND>
       </DTSTART>
      </BANKTRANLIST>
      <LEDGERBAL>
       <BALAMT>-2356.38
        <DTASOF>20140112
        </DTASOF>
       </BALAMT>
      </LEDGERBAL>
     </CURDEF>
    </CCSTMTRS>
   </TRNUID>
  </CCSTMTTRNRS>
 </CREDITCARDMSGSRSV1>
</OFX>
"""


def test_ofx_leaf_end_tags_nested_by_a_prettifier_are_read(cfg, tmp_path):
    """An Amex download re-indented as if its SGML leaves held each other, then closed in
    reverse: an end tag of a leaf its next tag already closed ends nothing. An end tag of
    an aggregate that is not open is still an error."""
    ex = run(cfg, ofx, "card", tmp_path, PRETTIFIED)
    [t] = txns(ex)
    assert (str(t.date), t.meta["bank-ref"], t.payee, t.narration, t.postings[0].units.number) == (
        "2013-11-24", "320133280255184014", "PRUNE", "RESTAURANT", Decimal("-143.94"))
    [closing] = [e for e in ex.entries if isinstance(e, data.Balance)]
    assert (str(closing.date), closing.amount.number) == ("2014-01-13", Decimal("-2356.38"))
    twice = PRETTIFIED.replace("</BANKTRANLIST>", "</BANKTRANLIST>\n</BANKTRANLIST>")
    with pytest.raises(StatementError, match=r"s.txt:39: </BANKTRANLIST> closes an element that was never opened"):
        run(cfg, ofx, "card", tmp_path, twice)


def test_ofx_pending_lines_are_counted_not_booked(cfg, tmp_path):
    """OFX 2.1's BANKTRANLISTP: a card's authorisations, not yet booked, each counted."""
    pending = ("<BANKTRANLISTP><DTASOF>20260331<STMTTRNP><TRNTYPE>HOLD<DTTRAN>20260330<TRNAMT>-9.99<NAME>TAXI"
               "</STMTTRNP><STMTTRNP><TRNTYPE>HOLD<DTTRAN>20260330<TRNAMT>-5.00<NAME>CAFE</STMTTRNP></BANKTRANLISTP>")
    ex = run(cfg, ofx, "card", tmp_path, sgml([stmttrn()], balance=pending))
    assert [t.meta["id"] for t in txns(ex)] == ["A1/20260301/-10.00"]
    assert (ex.rows, ex.skipped) == (3, {"pending line (BANKTRANLISTP, not booked)": 2})


def bank_statement(kind, fitid, amount, balance):
    return (f"<STMTTRNRS><TRNUID>0<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>BankRTN<ACCTID>AcctNum"
            f"<ACCTTYPE>{kind}</BANKACCTFROM><BANKTRANLIST><DTSTART>20050706<DTEND>20050803\n"
            + stmttrn(posted="20050712", amount=amount, fitid=fitid) +
            f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance}<DTASOF>20050803</LEDGERBAL></STMTRS></STMTTRNRS>\n")


def test_ofx_one_account_number_of_two_account_types_is_two_accounts(cfg, tmp_path):
    """A checking and a savings account sent with one ACCTID (the OFX spec's Woodgrove
    example as ofxrb keeps it): two accounts, picked by number and type, never merged."""
    text = ("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1>\n" + bank_statement("CHECKING", "C1", "-49.65", "701.11")
            + bank_statement("SAVINGS", "S1", "12.89", "8012.89") + "</BANKMSGSRSV1></OFX>\n")
    with pytest.raises(StatementError, match=r"s.txt:7: statements of 2 accounts \(AcctNum CHECKING, "
                                             r"AcctNum SAVINGS\); set account_id"):
        run(cfg, ofx, "card", tmp_path, text)
    ex = run(cfg, ofx, "card", tmp_path, text, account_id="AcctNum SAVINGS")
    assert [t.meta["bank-ref"] for t in txns(ex)] == ["S1"]
    assert [e.amount.number for e in ex.entries if isinstance(e, data.Balance)] == [Decimal("8012.89")]
    assert ex.skipped == {"line of another account's statement (AcctNum CHECKING)": 1}


@pytest.mark.parametrize("line, message", [
    (stmttrn(kind="BOUNCE"), ":8: <TRNTYPE>: unknown type 'BOUNCE'"),
    (stmttrn(amount="12-50"), ":8: column <TRNAMT>: expected an amount, got '12-50'"),
    (stmttrn(posted="2026-03-01"), ":8: <DTPOSTED>: expected a date like 20260301"),
    ("<STMTTRN><TRNTYPE>DEBIT<TRNAMT>1.00</STMTTRN>\n", ":8: <STMTTRN> without <DTPOSTED>"),
])
def test_ofx_bad_lines_name_the_line(cfg, tmp_path, line, message):
    with pytest.raises(StatementError) as caught:
        run(cfg, ofx, "card", tmp_path, sgml([line]))
    assert message in str(caught.value) and str(caught.value).startswith(str(tmp_path / "s.txt"))


@pytest.mark.parametrize("line, balance, message", [
    # OFX's radix point is `.` or `,`, with no digit grouping (OFX 1.6 §3.2.9.1): `-1.234,50`
    # was read as -1.23450, and the opening taken from LEDGERBAL absorbed the difference.
    (stmttrn(amount="-1.234,50"), "", ":8: column <TRNAMT>: expected an amount with one decimal point or comma "
                                      "and no thousands separator"),
    (stmttrn(amount="1,234.50"), "", ":8: column <TRNAMT>: expected an amount with one decimal point"),
    (stmttrn(), "<LEDGERBAL><BALAMT>-1.234,50<DTASOF>20260331</LEDGERBAL>",
     ":9: column <BALAMT>: expected an amount with one decimal point"),
])
def test_ofx_amount_with_a_thousands_separator_is_refused_at_its_line(cfg, tmp_path, line, balance, message):
    with pytest.raises(StatementError) as caught:
        run(cfg, ofx, "card", tmp_path, sgml([line], balance=balance))
    assert str(caught.value).startswith(str(tmp_path / "s.txt") + message), caught.value
    assert "got '" in str(caught.value)


def test_ofx_amounts_as_the_spec_writes_them_are_read(cfg, tmp_path):
    lines = [stmttrn(amount="-1234,50", fitid="A"), stmttrn(amount="+1234.5", fitid="B"),
             stmttrn(amount="-10.500", fitid="C"), stmttrn(amount="7", fitid="D")]
    ex = run(cfg, ofx, "card", tmp_path, sgml(lines, balance=""))
    assert [t.postings[0].units.number for t in txns(ex)] == \
        [Decimal("-1234.50"), Decimal("1234.50"), Decimal("-10.50"), Decimal("7.00")]


def test_ofx_nested_past_any_statement_is_refused_not_a_recursion_error(cfg, tmp_path):
    deep = "<X>" * 100_000 + "1" + "</X>" * 100_000
    with pytest.raises(StatementError, match=r"s.txt:8: elements nested more than 200 deep"):
        run(cfg, ofx, "card", tmp_path, sgml([deep + "\n"]))


def test_ofx_cut_off_file_and_error_status(cfg, tmp_path):
    with pytest.raises(StatementError, match=r"s.txt:9: <BANKTRANLIST> \(line 7\) is never closed"):
        run(cfg, ofx, "card", tmp_path, sgml([stmttrn()]).split("</BANKTRANLIST>")[0])
    failed = "OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR</STATUS></SONRS>" \
             "</SIGNONMSGSRSV1></OFX>"
    with pytest.raises(StatementError, match=r"s.txt:3: the bank reports error 15500"):
        run(cfg, ofx, "card", tmp_path, failed)


def test_ofx_statement_holding_nothing_is_refused(cfg, tmp_path):
    """libofx's fuzzed heap-buffer-overflow-1.ofx: a CCSTMTRS with no currency, account,
    lines or balance is no statement; one with a currency and no lines is an empty one."""
    garbled = "<OFX>\n<CREDITCARDMSGSRSV1>\n<CCSTMTTRNRS>\n<CCSTMTRS>\n<CCACCTINFO>\n<ACCTID>\n</CCSTMTRS>\n" \
              "</CCSTMTTRNRS>\n</CREDITCARDMSGSRSV1>\n</OFX>\n"
    with pytest.raises(StatementError, match=r"s.txt:4: <CCSTMTRS> without <CURDEF>, lines or <LEDGERBAL>"):
        run(cfg, ofx, "card", tmp_path, garbled)
    empty = run(cfg, ofx, "card", tmp_path, garbled.replace("<CCSTMTRS>", "<CCSTMTRS><CURDEF>USD"))
    assert (empty.rows, empty.entries) == (0, [])


# -- CAMT.053 --------------------------------------------------------------------------

def ntry(amount="10.00", ind="CRDT", sts="<Sts>BOOK</Sts>", ref="R1", extra="", details=""):
    return (f"<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>{extra}{sts}"
            f"<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<NtryDtls>{details}</NtryDtls></Ntry>\n")


def camt(entries, version="08", iban="DE89370400440532013000"):
    return (f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">\n<BkToCstmrStmt>'
            f"<GrpHdr><MsgId>M</MsgId></GrpHdr>\n<Stmt><Id>S1</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>\n"
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n")


def test_camt_pending_is_counted_reversal_keeps_its_direction_and_payouts_go_to_transit(cfg, tmp_path):
    details = "<TxDtls><RltdPties><Dbtr><Nm>STRIPE PAYMENTS EUROPE</Nm></Dbtr></RltdPties></TxDtls>"
    ex = run(cfg, camt053, "eur", tmp_path, camt([
        ntry(sts="<Sts><Cd>PDNG</Cd></Sts>", ref="P"),
        ntry("25.00", "DBIT", extra="<RvslInd>true</RvslInd>", ref="RV"),
        ntry("99.40", details=details, ref="PO"),
    ]), name="c.xml")
    assert ex.rows == 3 and ex.skipped == {"pending (not booked)": 1}
    reversal, payout = txns(ex)
    assert reversal.meta["reversal"] == "true" and reversal.postings[0].units.number == Decimal("-25.00")
    assert payout.postings[1].account == "Assets:Transit:StripeEu" and payout.payee == "STRIPE PAYMENTS EUROPE"


def test_camt_entry_in_another_currency_than_its_accounts_is_refused_at_its_line(cfg, tmp_path):
    # blind29: a EUR <Ntry> of a USD account was booked as EUR on it, a balance note the only sign
    usd = camt([ntry("10.00", ref="A"), ntry("25.00", ref="B").replace('Ccy="EUR"', 'Ccy="USD"')]).replace(
        "</Id></Acct>", "</Id><Ccy>EUR</Ccy></Acct>")
    raises_at(tmp_path, "c.xml:5: <Ntry> in USD, but the statement is of a EUR account (<Acct><Ccy>)",
              lambda: run(cfg, camt053, "eur", tmp_path, usd, name="c.xml"))
    # must not: entries in the account's currency, or a statement that states none
    assert len(txns(run(cfg, camt053, "eur", tmp_path, usd.replace('Ccy="USD"', 'Ccy="EUR"'), name="c.xml"))) == 2
    assert len(txns(run(cfg, camt053, "eur", tmp_path, camt([ntry(ref="A")]), name="c.xml"))) == 1


def test_camt_batch_is_booked_once_and_its_details_are_checked(cfg, tmp_path):
    detail = "<TxDtls><Refs><EndToEndId>{}</EndToEndId></Refs><Amt Ccy=\"EUR\">{}</Amt></TxDtls>"
    batch = "<Btch><PmtInfId>B-7</PmtInfId><NbOfTxs>2</NbOfTxs></Btch>" + detail.format("E1", "60.00") + \
        detail.format("E2", "30.00")
    ex = run(cfg, camt053, "eur", tmp_path, camt([ntry("100.00", details=batch)]), name="c.xml")
    [t] = txns(ex)
    assert t.postings[0].units.number == Decimal("100.00")
    assert (t.meta["batch"], t.meta["detail-refs"]) == ("B-7", "E1, E2")
    assert "the batch's 2 details add up to 90.00 EUR, the entry says 100.00" in ex.notes[0]


def test_camt_exchange_is_kept_for_the_fx_check(cfg, tmp_path):
    fx = ('<TxDtls><AmtDtls><InstdAmt><Amt Ccy="USD">110.00</Amt><CcyXchg><SrcCcy>USD</SrcCcy>'
          "<TrgtCcy>EUR</TrgtCcy><XchgRate>0.9100</XchgRate></CcyXchg></InstdAmt></AmtDtls></TxDtls>")
    [t] = txns(run(cfg, camt053, "eur", tmp_path, camt([ntry("100.10", details=fx)], "04"), name="c.xml"))
    assert (t.meta["fx-pair"], t.meta["fx-rate"], t.meta["original-amount"]) == ("USD/EUR", "0.9100", "110.00 USD")


@pytest.mark.parametrize("entry, message", [
    (ntry(sts="<Sts>WAIT</Sts>"), ":4: <Sts>: unknown entry status 'WAIT'"),
    (ntry(ind="CR"), ":4: <Ntry>: <CdtDbtInd> expected CRDT or DBIT, got 'CR'"),
    (ntry(amount="-5.00"), ":4: <Ntry>: expected an amount like"),
    # booked rounded to 28 digits: -123456789012345678901234567900
    (ntry(amount="123456789012345678901234567890.00"), ":4: <Ntry>: expected an amount of at most 24 digits"),
    (ntry().replace("<BookgDt><Dt>2026-03-02</Dt></BookgDt>", ""), ":4: <Ntry> without <BookgDt> or <ValDt>"),
])
def test_camt_bad_entries_name_the_line(cfg, tmp_path, entry, message):
    with pytest.raises(StatementError) as caught:
        run(cfg, camt053, "eur", tmp_path, camt([entry]), name="c.xml")
    assert str(caught.value).startswith(str(tmp_path / "c.xml") + message)


def test_camt_malformed_xml_names_the_line(cfg, tmp_path):
    with pytest.raises(StatementError, match=r"c.xml:4: not well-formed XML \(mismatched tag\)"):
        run(cfg, camt053, "eur", tmp_path, camt([ntry().replace("</Amt>", "</Amount>")]), name="c.xml")


# -- MT940 -----------------------------------------------------------------------------

ENVELOPE = ("{1:F01INGBNL2AXXXX0000000000}{2:O9401200260301INGBNL2AXXXX00000000002603011200N}{3:}{4:\n"
            ":20:REF1\n:25:NL20INGB0001234567\n:28C:1/1\n:60F:C251230EUR100,\n"
            ":61:2512310102RC15,NTRFNONREF//B1\n:86:/NAME/M\u00fcller GmbH/REMI/Storno\n"
            ":61:2601020102D10,50NMSCNONREF//B2\n:86:Geb\u00fchr\n"
            ":62F:C260102EUR74,50\n-}{5:}\n")


def test_mt940_envelope_reversal_year_crossing_entry_date_and_latin1(cfg, tmp_path):
    ex = run(cfg, mt940, "de", tmp_path, ENVELOPE, encoding="latin-1")
    reversal, fee = txns(ex)
    # RC reverses a credit: money out. Value date 2025-12-31, booked 2026-01-02.
    assert (str(reversal.date), reversal.postings[0].units.number) == ("2026-01-02", Decimal("-15.00"))
    assert reversal.meta["value-date"] == "2025-12-31" and reversal.payee == "M\u00fcller GmbH"
    assert fee.narration == "Geb\u00fchr" and ex.notes == []
    assert [(str(b.date), b.amount.number) for b in ex.entries if isinstance(b, data.Balance)] == \
        [("2026-01-03", Decimal("74.50"))]


def test_mt940_account_id_matches_the_account_number_inside_the_iban(cfg, tmp_path):
    assert len(txns(run(cfg, mt940, "de", tmp_path, ENVELOPE, account_id="0001234567"))) == 2
    imp = mt940.Importer(replace(cfg.banks["de"], account_id="999"), cfg)
    assert not imp.identify(str(tmp_path / "s.txt"))


@pytest.mark.parametrize("text, message", [
    (ENVELOPE.replace(":61:2601020102D10,50", ":61:2601020102D10.50"), ":8: :61: expected value date"),
    (ENVELOPE.replace(":60F:C251230EUR100,", ":60F:C251230EUR100"), ":5: :60F: expected an amount with a decimal"),
    (ENVELOPE.replace(":28C:1/1", ":99X:1/1"), ":4: unknown field :99X:"),
    (ENVELOPE.split(":62F:")[0], ":9: statement REF1 has no :60F: opening or :62F: closing balance"),
    # decimal.InvalidOperation, a traceback
    (ENVELOPE.replace("D10,50", "D123456789012345678901234567890,00"),
     ":8: :61: expected an amount of at most 24 digits, got '123456789012345678901234567890,00'"),
])
def test_mt940_bad_input_names_the_line(cfg, tmp_path, text, message):
    with pytest.raises(StatementError) as caught:
        run(cfg, mt940, "de", tmp_path, text)
    assert str(caught.value).startswith(str(tmp_path / "s.txt") + message)


@pytest.mark.parametrize("module, bank, name, text, message", [
    (ofx, "card", "s.txt", sgml([stmttrn(amount="-1,234")], balance=""),
     ":8: amount -1.234 USD has more decimal places than USD has (2)"),
    (ofx, "card", "s.txt", sgml([stmttrn(amount="-1.23450")], balance=""), ":8: amount -1.23450 USD"),
    (ofx, "card", "s.txt", sgml([stmttrn()], balance="<LEDGERBAL><BALAMT>-530.005<DTASOF>20260331</LEDGERBAL>"),
     ":9: balance -530.005 USD has more decimal places than USD has (2)"),
    (camt053, "eur", "c.xml", camt([ntry("1.234")]), ":4: amount 1.234 EUR has more decimal places"),
    (mt940, "de", "s.txt", ENVELOPE.replace("D10,50", "D1,234"), ":8: amount -1.234 EUR has more decimal places"),
])
def test_bank_amount_past_its_currency_places_is_refused(cfg, tmp_path, module, bank, name, text, message):
    """A bank line or balance of 1.234 USD is a misread amount (a thousands separator taken
    for the decimal point), never booked as it reads: no bank moves a tenth of a cent."""
    with pytest.raises(StatementError) as caught:
        run(cfg, module, bank, tmp_path, text, name=name, encoding="latin-1")
    assert str(caught.value).startswith(str(tmp_path / name) + message), caught.value


# -- hostile files (issue #12) -----------------------------------------------------------

def test_an_empty_signed_amount_is_an_error_naming_the_line(merchant):
    from conftest import bank_file, beanclear
    bank_file(merchant / "statements", rows=("2021-01-30,B001,房租,某某置业,,1000.03",))
    result = beanclear(merchant, "import", str(merchant / "statements" / "bank.csv"))
    assert result.exit_code == 2, result.output
    assert "bank.csv:5: expected an amount in 交易金额, got an empty cell" in result.output
    assert "Traceback" not in result.output and not (merchant / "books").exists()


def test_a_file_not_in_the_configured_encoding_says_so_naming_it(merchant):
    from conftest import beanclear
    config = merchant / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("    type: csv\n", "    type: csv\n    encoding: utf-8\n"),
                      encoding="utf-8")
    path = merchant / "bank.csv"
    path.write_bytes("交易日期,交易流水号,摘要,对方户名,交易金额,余额\n".encode("utf-8") + b"2021-01-30,B1,caf\xe9,x,1.00,2.00\n")
    result = beanclear(merchant, "import", str(path))
    assert result.exit_code == 2, result.output
    assert "bank.csv:2: not valid utf-8 text" in result.output and "config.yaml names" in result.output


# -- CAMT.053 files met in the wild (s17: real statements nobody here had seen) ---------

def test_camt_remittance_text_is_read_beside_the_additional_entry_info(make_config, tmp_path):
    # German banks send both: AddtlNtryInf is the posting text, Ustrd what the money is for
    # (the rent, a payout id). The rules and match read both; an id digested before stays.
    cfg = make_config(CONFIG + "rules:\n  - {match: \"Miete\", account: Expenses:Miete}\n")
    rent = "<TxDtls><RmtInf><Ustrd>Miete 07/2026 Ladenlokal</Ustrd></RmtInf></TxDtls>"
    info = "<AddtlNtryInf>LASTSCHRIFT/UEBERWEISUNG</AddtlNtryInf></Ntry>"
    payout = "<TxDtls><RmtInf><Ustrd>po_1Pq8 STRIPE</Ustrd></RmtInf></TxDtls>"
    said = "<AddtlNtryInf>HUBER po_1Pq8 STRIPE</AddtlNtryInf></Ntry>"
    ex = run(cfg, camt053, "eur", tmp_path, camt([
        ntry("1450.00", "DBIT", ref="NONREF", details=rent).replace("</Ntry>", info),
        ntry("99.40", ref="P1", details=payout).replace("</Ntry>", info),
        ntry("12.00", ref="P2", details=payout).replace("</Ntry>", said)]), name="c.xml")
    rent_line, payout_line, once = txns(ex)
    assert rent_line.narration == "Miete 07/2026 Ladenlokal; LASTSCHRIFT/UEBERWEISUNG"
    assert rent_line.postings[1].account == "Expenses:Miete"
    assert payout_line.narration == "po_1Pq8 STRIPE; LASTSCHRIFT/UEBERWEISUNG"
    assert payout_line.postings[1].account == "Assets:Transit:StripeEu"
    assert once.narration == "HUBER po_1Pq8 STRIPE"
    # the id of the line without a bank reference is the one it had when Ustrd went unread
    [before] = txns(run(cfg, camt053, "eur", tmp_path, camt([
        ntry("1450.00", "DBIT", ref="NONREF", details="<TxDtls/>").replace("</Ntry>", info)]), name="d.xml"))
    assert before.narration == "LASTSCHRIFT/UEBERWEISUNG" and rent_line.meta["id"] == before.meta["id"]


def bal(code, amount, day, ccy="EUR"):
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{amount}</Amt>"
            f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n")


def test_camt_nonref_is_no_reference_so_two_lines_stay_two(cfg, tmp_path):
    # German banks (FinTS camt) write <AcctSvcrRef>NONREF</AcctSvcrRef> on every line:
    # not an id, or the second line of a day would be refused (or dropped) as the first.
    ex = run(cfg, camt053, "eur", tmp_path, camt([ntry("53.00", "DBIT", ref="NONREF"),
                                                   ntry("10.00", "DBIT", ref="NONREF")]), name="c.xml")
    first, second = txns(ex)
    assert [t.postings[0].units.number for t in (first, second)] == [Decimal("-53.00"), Decimal("-10.00")]
    assert first.meta["id"] != second.meta["id"] and "NONREF" not in first.meta["id"] + second.meta["id"]
    assert first.meta["id"].startswith("20260302-") and first.meta["id"].endswith("-1")


def test_camt_the_one_details_bank_reference_is_the_id_where_the_entry_has_none(cfg, tmp_path):
    # DNB bankas (LT) gives the bank's reference only in TxDtls/Refs/AcctSvcrRef.
    one = "<TxDtls><Refs><AcctSvcrRef>FC1261858984</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls>"
    two = ("<TxDtls><Refs><AcctSvcrRef>B1</AcctSvcrRef></Refs></TxDtls>"
           "<TxDtls><Refs><AcctSvcrRef>B1</AcctSvcrRef></Refs></TxDtls>")
    without = "<AcctSvcrRef>R1</AcctSvcrRef>"
    ex = run(cfg, camt053, "eur", tmp_path, camt([ntry("0.29", "DBIT", details=one).replace(without, ""),
                                                   ntry("5.00", "DBIT", details=two).replace(without, "")]),
             name="c.xml")
    single, batch = txns(ex)
    assert single.meta["id"] == "FC1261858984" and "end-to-end-id" not in single.meta
    assert batch.meta["id"].startswith("20260302-")   # a batch's details share one: not an id of the entry


def test_camt_opening_booked_wins_over_previously_closed_and_an_opening_alone_opens_the_books(cfg, tmp_path):
    text = camt([bal("OPBD", "1.01", "2026-03-01"), bal("PRCD", "2.02", "2026-03-01"),
                 bal("CLBD", "11.01", "2026-03-02"), ntry()])
    ex = run(cfg, camt053, "eur", tmp_path, text, name="c.xml")
    opening = ex.stated_openings[("Assets:Bank:Eur", "EUR")]
    assert (opening.day.isoformat(), opening.amount) == ("2026-03-02", Decimal("1.01")) and not ex.notes
    # genkgo's only-Dt file: an OPBD (stamped at midnight) and no closing balance at all.
    alone = camt(["<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"RON\">5442.09000</Amt>"
                  "<CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2025-07-23T00:00:00.000000000</DtTm></Dt></Bal>\n"])
    ex = run(cfg, camt053, "eur", tmp_path, alone, name="only.xml")
    assert [(b.date.isoformat(), b.amount.number, b.amount.currency) for b in ex.entries
            if isinstance(b, data.Balance)] == [("2025-07-23", Decimal("5442.09000"), "RON")]
    assert ex.stated_openings[("Assets:Bank:Eur", "RON")].amount == Decimal("5442.09000")


@pytest.mark.parametrize("text, message", [
    # genkgo's camt053.wrong.xml: a group header and no statement
    ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n<BkToCstmrStmt>\n'
     "<GrpHdr><MsgId>M</MsgId></GrpHdr>\n</BkToCstmrStmt>\n</Document>\n",
     ":2: <BkToCstmrStmt> holds no <Stmt> (expected at least one account statement)"),
    ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">\n<BkToCstmrAcctRpt>\n<Rpt><Id>R</Id>'
     "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct></Rpt>\n</BkToCstmrAcctRpt>\n</Document>\n",
     ":2: a camt.052 account report (intraday, <BkToCstmrAcctRpt>) is not a statement: beanclear books the "
     "bank's end-of-day camt.053 statements (<BkToCstmrStmt>); import those for these days instead"),
    ('<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04">\n'
     "<BkToCstmrDbtCdtNtfctn>\n<Ntfctn><Id>N</Id></Ntfctn>\n</BkToCstmrDbtCdtNtfctn>\n</Document>\n",
     ":3: a camt.054 debit/credit notification (<BkToCstmrDbtCdtNtfctn>) is not a statement"),
])
def test_camt_a_message_that_is_not_a_statement_is_refused_by_name(cfg, tmp_path, text, message):
    with pytest.raises(StatementError) as caught:
        run(cfg, camt053, "eur", tmp_path, text, name="c.xml")
    assert str(caught.value).startswith(str(tmp_path / "c.xml") + message)


def test_camt_available_balances_alone_are_not_booked_ones_and_the_summary_says_so(cfg, tmp_path):
    # Siauliu bankas (LT) gives OPAV/CLAV only: available is not booked (holds, credit
    # lines), so neither opens the books nor is asserted; the note says what to set.
    ex = run(cfg, camt053, "eur", tmp_path, camt([bal("OPAV", "12.00", "2026-03-01"), bal("CLAV", "2.00", "2026-03-02"),
                                                   ntry("10.00", "DBIT")]), name="c.xml")
    assert not ex.stated_openings and not [e for e in ex.entries if isinstance(e, data.Balance)]
    assert ex.notes == ["statement S1: only OPAV/CLAV balances, no booked one (OPBD/CLBD): nothing to open the books "
                        "with or to assert (set opening_balance in config.yaml)"]


def test_camt_one_bank_reference_on_two_different_entries_books_both(cfg, tmp_path):
    # PostFinance's test statement gives AcctSvcrRef 07582000303KBMSU to a 1537.00 and a
    # 1692.22 credit: both are money, the second's id is qualified; an exact repeat is one.
    ex = run(cfg, camt053, "eur", tmp_path, camt([ntry("1537.00", ref="07582000303KBMSU"),
                                                   ntry("1692.22", ref="07582000303KBMSU"),
                                                   ntry("1537.00", ref="07582000303KBMSU")]), name="c.xml")
    first, second, again = txns(ex)
    assert first.meta["id"] == again.meta["id"] == "07582000303KBMSU"
    assert second.meta["id"].startswith("07582000303KBMSU-") and len(second.meta["id"]) == len("07582000303KBMSU") + 9
    assert second.postings[0].units.number == Decimal("1692.22")
