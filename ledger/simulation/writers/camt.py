"""ISO 20022 CAMT.053.001.02: one statement, OPBD before the first line, CLBD after the last."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .banks import closing, running


def _sent(l, b) -> str:
    """A credit the bank converted (truth._credit): the amount instructed in the payout's
    currency, the exchange the bank applied (`XchgRate`: account currency per `UnitCcy`),
    and the amount booked, as ISO 20022 `AmtDtls` writes them; nothing for other lines."""
    if l.sent is None:
        return ""
    return (f"""          <AmtDtls><InstdAmt><Amt Ccy="{l.sent_currency}">{l.sent:.2f}</Amt><CcyXchg>"""
            f"""<SrcCcy>{l.sent_currency}</SrcCcy><TrgtCcy>{b.currency}</TrgtCcy><UnitCcy>{l.sent_currency}</UnitCcy>"""
            f"""<XchgRate>{l.xrate}</XchgRate></CcyXchg></InstdAmt>"""
            f"""<TxAmt><Amt Ccy="{b.currency}">{abs(l.amount):.2f}</Amt></TxAmt></AmtDtls>\n""")


def write(m, b, folder):
    end = m.bank_end[b.name]
    ntry = []
    for l, _ in running(m, b):
        ind = "CRDT" if l.amount > 0 else "DBIT"
        ntry.append(f"""      <Ntry>
        <Amt Ccy="{b.currency}">{abs(l.amount):.2f}</Amt>
        <CdtDbtInd>{ind}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{l.day}</Dt></BookgDt>
        <ValDt><Dt>{l.day}</Dt></ValDt>
        <AcctSvcrRef>{l.ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{'RCDT' if ind == 'CRDT' else 'ICDT'}</Cd><SubFmlyCd>{'XBCT' if l.sent is not None else 'ESCT'}</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{l.ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
{_sent(l, b)}          <RltdPties><{'Dbtr' if ind == 'CRDT' else 'Cdtr'}><Nm>{escape(l.payee)}</Nm></{'Dbtr' if ind == 'CRDT' else 'Cdtr'}></RltdPties>
          <RmtInf><Ustrd>{escape(l.memo)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
        <AddtlNtryInf>{escape(l.payee + ' ' + l.memo)}</AddtlNtryInf>
      </Ntry>""")

    def bal(code, amount, day):
        return (f"""      <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="{b.currency}">{abs(amount):.2f}</Amt>"""
                f"""<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>""")
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>SIM{m.shape.seed}-{end:%Y%m%d}</MsgId><CreDtTm>{end}T23:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>SIM{m.shape.seed}/1</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{end}T23:00:00</CreDtTm>
      <FrToDt><FrDtTm>{m.shape.start}T00:00:00</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>{'DE89370400440532013000' if b.converts else 'GB29NWBK60161331926819'}</IBAN></Id><Ccy>{b.currency}</Ccy></Acct>
{bal('OPBD', b.opening, m.shape.start)}
{bal('CLBD', closing(m, b), end)}
{chr(10).join(ntry)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
    f = folder / f"{b.name}_camt053.xml"
    f.write_text(text, encoding="utf-8")
    return [f]
