"""OFX 1.02 SGML bank statement: unclosed leaf tags, LEDGERBAL = the closing balance."""

from __future__ import annotations

from datetime import datetime, time

from . import instant
from .banks import closing, running


def _posted(m, day) -> str:
    """Noon of the day; a US bank says its zone (`20260310120000.000[-7:PDT]`)."""
    if m.shape.currency != "USD":
        return f"{day:%Y%m%d}120000"
    noon = instant(m, datetime.combine(day, time(12)))
    return f"{noon:%Y%m%d%H%M%S}.000[{noon.utcoffset().total_seconds() / 3600:g}:{noon.tzname()}]"

HEADER = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE
"""


def write(m, b, folder):
    end = m.bank_end[b.name]
    trn = []
    for l, _ in running(m, b):
        trn.append(f"<STMTTRN>\n<TRNTYPE>{'CREDIT' if l.amount > 0 else 'DEBIT'}\n<DTPOSTED>{_posted(m, l.day)}\n"
                   f"<TRNAMT>{l.amount:.2f}\n<FITID>{l.ref}\n<NAME>{l.payee[:32]}\n<MEMO>{l.memo}\n</STMTTRN>")
    body = f"""
<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>{end:%Y%m%d}235900<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS>
<CURDEF>{b.currency}
<BANKACCTFROM><BANKID>026009593<ACCTID>0012345678<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>{m.shape.start:%Y%m%d}
<DTEND>{end:%Y%m%d}
{chr(10).join(trn)}
</BANKTRANLIST>
<LEDGERBAL><BALAMT>{closing(m, b):.2f}<DTASOF>{end:%Y%m%d}235900</LEDGERBAL>
</STMTRS>
</STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""
    f = folder / f"{b.name}.ofx"
    f.write_text(HEADER + body, encoding="ascii")
    return [f]
