"""The USD account the Stripe payouts and PayPal withdrawals land in: a CAMT.053
(camt.053.001.02) file with one statement per month, opening and closing booked
balances (OPBD, CLBD), one `Ntry` per credit or debit, the bank's own reference in
`AcctSvcrRef` and the payout id in the remittance text (`Ustrd`)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from beanclear.demo.common import END, money

IBAN = "GB33HBUK40127612345678"
BIC = "HBUKGB4B"


def lines(rng: random.Random, usd_bank: list[tuple]) -> list[tuple]:
    """The quarter's booked lines, in date order: (date, ref, payee, memo, amount, e2e)
    for every payout that arrived by the end of the quarter, and the monthly hosting bill."""
    found = [line for line in usd_bank if line[0] <= END]
    found += [(dt.date(2026, m, 3), "AMAZON WEB SERVICES", f"AWS INVOICE 2026-{m:02d}",
               -money(rng.randint(6_000, 9_500)), f"AWS{m:02d}{rng.randrange(10**8):08d}") for m in (1, 2, 3)]
    found.sort(key=lambda line: (line[0], line[4]))
    return [(day, f"HBUK{day:%Y%m%d}{n:05d}", payee, memo, amount, e2e)
            for n, (day, payee, memo, amount, e2e) in enumerate(found, 1)]


def _balance(code: str, amount: Decimal, day: dt.date) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (f"      <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">{abs(amount):.2f}</Amt>"
            f"<CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n")


def _entry(day: dt.date, ref: str, payee: str, memo: str, amount: Decimal, e2e: str) -> str:
    credit = amount > 0
    party = "Dbtr" if credit else "Cdtr"
    return (f"      <Ntry>\n        <Amt Ccy=\"USD\">{abs(amount):.2f}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}"
            f"</CdtDbtInd><Sts>BOOK</Sts>\n        <BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>\n"
            f"        <AcctSvcrRef>{ref}</AcctSvcrRef>\n"
            f"        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{'RCDT' if credit else 'RDDT'}</Cd>"
            f"<SubFmlyCd>{'XBCT' if credit else 'ESDD'}</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
            f"        <NtryDtls><TxDtls><Refs><EndToEndId>{escape(e2e)}</EndToEndId></Refs>"
            f"<RltdPties><{party}><Nm>{escape(payee)}</Nm></{party}></RltdPties>"
            f"<RmtInf><Ustrd>{escape(memo)}</Ustrd></RmtInf></TxDtls></NtryDtls>\n      </Ntry>\n")


def write(path: Path, booked: list[tuple], opening: Decimal, holder: str, until: dt.date = END) -> int:
    """One `Stmt` per month, the last one ending on `until`; returns the number of entries."""
    booked = [line for line in booked if line[0] <= until]
    parts = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
             "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n  <BkToCstmrStmt>\n",
             f"    <GrpHdr><MsgId>HBUK{END:%Y%m%d}Q1</MsgId><CreDtTm>{END + dt.timedelta(1)}T06:00:00</CreDtTm>"
             "</GrpHdr>\n"]
    balance = opening
    for month in (1, 2, 3):
        first = dt.date(2026, month, 1)
        last = min(until, (first.replace(month=month + 1) if month < 12 else dt.date(2027, 1, 1)) - dt.timedelta(1))
        day_before = first - dt.timedelta(1)
        rows = [line for line in booked if line[0].month == month]
        parts.append(f"    <Stmt>\n      <Id>{IBAN[-8:]}-2026-{month:02d}</Id><ElctrncSeqNb>{month}</ElctrncSeqNb>\n"
                     f"      <CreDtTm>{last + dt.timedelta(1)}T06:00:00</CreDtTm>\n"
                     f"      <FrToDt><FrDtTm>{first}T00:00:00</FrDtTm><ToDtTm>{last}T23:59:59</ToDtTm></FrToDt>\n"
                     f"      <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>USD</Ccy><Nm>{escape(holder)}</Nm>"
                     f"<Svcr><FinInstnId><BIC>{BIC}</BIC></FinInstnId></Svcr></Acct>\n")
        parts.append(_balance("OPBD", balance, day_before))
        balance += sum((line[4] for line in rows), Decimal("0.00"))
        parts.append(_balance("CLBD", balance, last))
        parts += [_entry(*line) for line in rows]
        parts.append("    </Stmt>\n")
    parts.append("  </BkToCstmrStmt>\n</Document>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return len(booked)

