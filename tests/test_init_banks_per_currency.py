"""`beanclear init` gives a channel whose payouts it sees at banks of different
currencies one bank per currency, the list form README documents (`bank: [EUR_BANK,
USD_BANK]`): a blind tester's PayPal account (round 20, paypalheavy) withdrew USD to a
US bank (CSV) and EUR to the Sparkasse (CAMT.053), and init wrote `bank: csv` under its
own comments showing payouts seen in both. Payouts seen at one bank keep `bank: NAME`."""

from __future__ import annotations

from decimal import Decimal as D

from click.testing import CliRunner

from beanclear import cli
from beanclear import config as config_mod

PH = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
      '"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance","Subject",'
      '"Balance Impact"\r\n')


def prow(day, kind, currency, gross, fee, txn, balance, impact, name="") -> str:
    cells = [day, "12:00:00", "America/Los_Angeles", name, kind, "Completed", currency, gross, fee,
             f"{D(gross) + D(fee):.2f}", "", "", txn, "", "", "", balance, "", impact]
    return ",".join(f'"{c}"' for c in cells) + "\r\n"


PAYPAL = PH + "".join([
    prow("08/13/2026", "Express Checkout Payment", "USD", "100.00", "-3.98", "PPUSD000000000001", "96.02", "Credit",
         "Ann Lee"),
    prow("08/13/2026", "Express Checkout Payment", "EUR", "80.00", "-2.78", "PPEUR000000000001", "77.22", "Credit",
         "Jan Berg"),
    prow("08/15/2026", "General Withdrawal", "USD", "-96.02", "0.00", "PPWDU000000000001", "0.00", "Debit"),
    prow("08/15/2026", "General Withdrawal", "EUR", "-77.22", "0.00", "PPWDE000000000001", "0.00", "Debit"),
])
USBANK = ("Posting Date,Description,Amount,Reference,Balance\n"
          "08/14/2026,MONTHLY SERVICE FEE,-5.00,U001,995.00\n"
          "08/16/2026,PAYPAL TRANSFER PPD ID: PAYPALSI77 0815,96.02,U002,1091.02\n")


def camt(lines) -> str:
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{abs(a):.2f}</Amt><CdtDbtInd>{"CRDT" if a > 0 else "DBIT"}</CdtDbtInd><Sts>BOOK</Sts>'
        f'<BookgDt><Dt>{d}</Dt></BookgDt><ValDt><Dt>{d}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls>'
        f'<TxDtls><RmtInf><Ustrd>{t}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n' for d, a, t, ref in lines)
    closing = D("1000.00") + sum(a for _, a, _, _ in lines)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-08-31T23:00:00+02:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><FrToDt><FrDtTm>2026-08-01T00:00:00+02:00</FrDtTm><ToDtTm>2026-08-31T23:59:59+02:00</ToDtTm></FrToDt><Acct><Id><IBAN>DE44370501980001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-08-31</Dt></Dt></Bal>
{entries}</Stmt></BkToCstmrStmt></Document>
"""


SPARKASSE = [("2026-08-03", D("-10.00"), "Kontofuehrungsentgelt 07/2026", "S001"),
             ("2026-08-17", D("77.22"), "PayPal Europe S.a.r.l. et Cie S.C.A AUSZAHLUNG 1048829137", "S002")]


def init(tmp_path, camt_lines=SPARKASSE) -> tuple[str, object]:
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "Download-2026-08.CSV").write_text(PAYPAL, encoding="utf-8-sig")
    (statements / "usbank.csv").write_text(USBANK, encoding="utf-8")
    (statements / "camt-2026-08.xml").write_text(camt(camt_lines), encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["init", str(tmp_path / "m"), "--from", str(statements), "--yes"])
    assert result.exit_code == 0, result.output
    return (tmp_path / "m" / "config.yaml").read_text(encoding="utf-8"), config_mod.load(tmp_path / "m" / "config.yaml")


def test_payouts_seen_at_a_usd_and_a_eur_bank_give_the_channel_both_banks(tmp_path):
    text, config = init(tmp_path)
    assert {b.name: b.currency for b in config.banks.values()} == {"camt053": "EUR", "csv": "USD"}
    assert "    bank: [csv, camt053]      # found: its payouts are in these banks' lines, one bank per currency " \
           "(USD, EUR)\n" in text, text
    assert config.channels["paypal"].payout_banks == ("csv", "camt053"), config.channels["paypal"]
    assert "    #   payout seen in camt053: PayPal Europe" in text and "    #   payout seen in csv: PAYPAL TRANSFER" in text


# -- must not fire -----------------------------------------------------------------------------

def test_payouts_seen_at_one_bank_keep_bank_name(tmp_path):
    text, config = init(tmp_path, camt_lines=SPARKASSE[:1])
    assert "    bank: csv                 # found: its payouts are in this bank's lines; its payouts in EUR are in " \
           "no bank's lines here\n" in text, text
    assert "payout seen in camt053" not in text
