"""A bank line is known by what identifies it, never by how its text is written.

blind33 (hostile): the same MT940 statement downloaded again, its :86: ending
`/ISDT/2026-11-02` as Rabobank writes it (or wrapped at another column: `MIETE NOV` /
`EMBER`), booked the -1,500.00 rent a second time: the id was a digest of the line's
text as written. Where a line's statement gives a reference of the bank's own (MT940's
`//` reference, CAMT's `NtryRef`, OFX's REFNUM or CHECKNUM), that reference with the
account, day, amount and direction is its id; where it gives none, what the line says
with its spacing removed (banking.LineIds.of). Two equal lines of one day in one
statement stay two. Books an earlier release wrote hold the ids of the text as written:
each entry also carries that id (`_was`), so a statement imported again is found.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import beanclear

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
banks:
  eur: {type: mt940, account: Assets:Bank:Eur, currency: EUR}
  camt: {type: camt053, account: Assets:Bank:Camt, currency: EUR}
  chk: {type: ofx, account: Assets:Bank:Chk, currency: USD}
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: EUR
    date_format: "%Y-%m-%d"
    columns: {date: Datum, amount: Betrag, memo: Verwendungszweck, payee: Name, balance: Saldo}
rules:
  - {match: "MIETE|Miete", account: Expenses:Rent}
  - {match: "STROM|Strom", account: Expenses:Power}
"""

RENT_86 = ":86:/EREF/NOTPROVIDED/NAME/VERMIETER GMBH/REMI/MIETE NOVEMBER\r\n"
POWER_86 = ":86:/EREF/NOTPROVIDED/NAME/STADTWERKE/REMI/STROM NOVEMBER\r\n"


def mt940(rent_86=RENT_86, power_86=POWER_86, more="", closing="8460,00") -> str:
    """A November statement: the rent with the bank's reference //B110201, and two equal
    power lines of one day without one (NONREF)."""
    return (":20:HOST2611\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C261031EUR10000,00\r\n"
            ":61:2611021102D1500,00NTRFNONREF//B110201\r\n" + rent_86 +
            ":61:2611051105D20,00NTRFNONREF\r\n" + power_86 +
            ":61:2611051105D20,00NTRFNONREF\r\n" + power_86 + more +
            f":62F:C261130EUR{closing}\r\n-\r\n")


def ntry(amount, ind, day, inner, ntry_ref=""):
    ref = f"<NtryRef>{ntry_ref}</NtryRef>" if ntry_ref else ""
    return (f"<Ntry>{ref}<Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>"
            f"<NtryDtls><TxDtls>{inner}</TxDtls></NtryDtls></Ntry>\n")


def camt(rent="<Ustrd>MIETE NOVEMBER</Ustrd>", power="<Ustrd>STROM NOVEMBER</Ustrd>") -> str:
    """A November CAMT.053 without AcctSvcrRef: the rent with its NtryRef, the power
    line with no reference at all."""
    def bal(code, amount, day):
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}</Amt>"
                f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n")
    party = "<RltdPties><Cdtr><Nm>{}</Nm></Cdtr></RltdPties>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt>'
            "<GrpHdr><MsgId>M2611</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>\n"
            "<Stmt><Id>S2611</Id><Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
            + bal("OPBD", "5000.00", "2026-10-31") + bal("CLBD", "3460.00", "2026-11-30")
            + ntry("1500.00", "DBIT", "2026-11-02", party.format("VERMIETER GMBH") + f"<RmtInf>{rent}</RmtInf>",
                   "0001")
            + ntry("40.00", "DBIT", "2026-11-05", party.format("STADTWERKE") + f"<RmtInf>{power}</RmtInf>")
            + "</Stmt></BkToCstmrStmt></Document>\n")


def ofx(rent="MIETE NOVEMBER", power="STROM NOVEMBER") -> str:
    """A November OFX without FITIDs: the rent with its REFNUM, the power line with no
    reference at all."""
    def trn(day, amount, name, memo, extra=""):
        return (f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{day}<TRNAMT>{amount}<NAME>{name}<MEMO>{memo}{extra}"
                "</STMTTRN>\n")
    return ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0"
            "<SEVERITY>INFO</STATUS>\n<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>778899<ACCTTYPE>CHECKING"
            "</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20261101<DTEND>20261130\n"
            + trn("20261102", "-1500.00", "VERMIETER", rent, "<REFNUM>R7781")
            + trn("20261105", "-40.00", "STADTWERKE", power)
            + "</BANKTRANLIST><LEDGERBAL><BALAMT>3460.00<DTASOF>20261130</LEDGERBAL></STMTRS></STMTTRNRS>"
              "</BANKMSGSRSV1></OFX>\n")


def csv(power="STROM NOVEMBER") -> str:
    """A bank CSV without a ref column."""
    return ("Datum,Name,Verwendungszweck,Betrag,Saldo\n2026-11-02,VERMIETER GMBH,MIETE NOVEMBER,-1500.00,3500.00\n"
            f"2026-11-05,STADTWERKE,{power},-40.00,3460.00\n")


FIRST = {"eur": ("eur.sta", mt940()), "camt": ("camt.xml", camt()), "chk": ("chk.ofx", ofx()),
         "ops": ("ops.csv", csv())}
# Each a download again whose only change is how its text is written: nothing new in it.
AGAIN = {
    "mt940 /ISDT/ added (Rabobank)": ("eur", mt940(RENT_86.replace("NOVEMBER", "NOVEMBER/ISDT/2026-11-02"))),
    "mt940 :86: wrapped at another column": ("eur", mt940(RENT_86.replace("MIETE NOV", "MIETE NOV\r\n"),
                                                           POWER_86.replace("/REMI/", "/RE\r\nMI/"))),
    "mt940 trailing fields on a line without reference": (
        "eur", mt940(power_86=POWER_86.replace("NOVEMBER", "NOVEMBER/ISDT/2026-11-05"))),
    "mt940 :86: padded": ("eur", mt940(RENT_86.replace("\r\n", "    \r\n"), POWER_86.replace("\r\n", "   \r\n"))),
    "camt remittance text split otherwise": (
        "camt", camt("<Ustrd>MIETE NOV</Ustrd><Ustrd>EMBER</Ustrd>",
                     "<Ustrd>STROM\n      NOV</Ustrd><Ustrd>EMBER</Ustrd>")),
    "camt text added to a line with its NtryRef": (
        "camt", camt("<Ustrd>MIETE NOVEMBER</Ustrd><Ustrd>VERTRAG 4711</Ustrd>")),
    "ofx memo changed on a line with its REFNUM, spacing on one without": (
        "chk", ofx("MIETE NOVEMBER VERTRAG 4711", "STROM  NOVEMBER ")),
    "csv memo spaced otherwise": ("ops", csv("STROM  NOVEMBER")),
}
NAMES = {"eur": "eur.sta", "camt": "camt.xml", "chk": "chk.ofx", "ops": "ops.csv"}


@pytest.fixture
def merchant(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    for bank, (name, body) in FIRST.items():
        (tmp_path / "statements" / name).write_bytes(body.encode("utf-8"))
    result = beanclear(tmp_path, "import", str(tmp_path / "statements"))
    assert result.exit_code == 0, result.output
    return tmp_path


def again(merchant, bank: str, body: str, name: str = "z-again"):
    path = merchant / f"{name}-{NAMES[bank]}"
    path.write_bytes(body.encode("utf-8"))
    return beanclear(merchant, "import", str(path))


def booked(merchant) -> list[str]:
    """Every transaction the books hold, its first lines (date, texts, id)."""
    out = []
    for path in sorted((merchant / "books").rglob("*.beancount")):
        out += re.findall(r"(?m)^\d{4}-\d\d-\d\d \* .*\n  id: .*", path.read_text(encoding="utf-8"))
    return out


def errors(merchant) -> list:
    check = beanclear(merchant, "check", "--format", "json")
    return [f for f in json.loads(check.output)["findings"] if f["severity"] == "error"]


@pytest.mark.parametrize("case", list(AGAIN))
def test_a_download_again_whose_only_change_is_its_text_adds_nothing(merchant, case):
    bank, body = AGAIN[case]
    before = booked(merchant)
    result = again(merchant, bank, body)
    assert result.exit_code == 0, result.output
    assert "0 entries written" in result.output and "restated the balance" not in result.output, result.output
    assert booked(merchant) == before
    assert errors(merchant) == []


def test_the_blind33_repro_the_rent_is_booked_once(merchant):
    # the statement downloaded again, its rent's :86: ending /ISDT/: nothing new, and the
    # closing balance holds (it failed by the second -1,500.00 rent)
    result = again(merchant, "eur", mt940(RENT_86.replace("NOVEMBER", "NOVEMBER/ISDT/2026-11-02")))
    assert "3 rows read, 0 entries written, 3 already in the books" in result.output, result.output
    rent = (merchant / "books" / "eur" / "2026" / "2026-11.beancount").read_text(encoding="utf-8")
    assert rent.count("-1500.00 EUR") == 1 and errors(merchant) == []


MORE = ":61:2611101110D1500,00NTRFNONREF//B111001\r\n" + RENT_86


@pytest.mark.parametrize("more, closing", [
    (MORE, "6960,00"),                                                          # another bank reference
    (":61:2611101110D1500,00NTRFNONREF//B110201\r\n" + RENT_86, "6960,00"),     # its reference on another day
    (":61:2611021102D1499,00NTRFNONREF//B110201\r\n" + RENT_86, "6961,00"),     # ... of another amount
    (":61:2611021102D1500,00NTRFNONREF//B110201\r\n" + RENT_86, "6960,00"),     # given twice the same day: two lines
    (":61:2611051105D20,00NTRFNONREF\r\n" + POWER_86, "8440,00"),              # a third equal line of the 5th
    (":61:2611051105D20,00NTRFNONREF\r\n" + POWER_86.replace("NOVEMBER", "DEZEMBER"), "8440,00"),  # other text
    (":61:2611051105C20,00NTRFNONREF\r\n" + POWER_86, "8480,00"),              # the other direction
])
def test_a_line_that_is_another_line_is_booked(merchant, more, closing):
    # must not: what identifies a line is more than its text; a line another in any of it is booked
    result = again(merchant, "eur", mt940(more=more, closing=closing))
    assert "4 rows read, 1 entries written, 3 already in the books" in result.output, result.output
    assert errors(merchant) == []


def test_two_equal_lines_of_one_day_in_one_statement_stay_two(merchant):
    # must not: the two power lines of the 5th, alike in all they say, are two payments
    power = [line for line in booked(merchant) if line.startswith("2026-11-05") and "STADTWERKE" in line]
    assert len(power) == 2 + 1 + 1 + 1   # eur's two, camt's, chk's and ops's
    ids = [line.split('id: "')[1] for line in power if "STROM NOVEMBER" in line]
    assert len(set(ids)) == len(ids)


# The ids the release before this one gave the lines of FIRST: a digest of their text as
# written (banking.LineIds, the id the entries still carry as `_was`).
EARLIER = {"eur": ["20261102-a6b1cc556868-1", "20261105-b7bade3d556f-1", "20261105-b7bade3d556f-2"],
           "camt": ["20261102-dd0025b5d3f1-1", "20261105-7b52717c3291-1"],
           "chk": ["20261102-037afc59eeba-1", "20261105-d45abbf70204-1"],
           "ops": ["20261102-8aa56a6b5dfe-1", "20261105-102efb6c4ac2-1"]}


def as_an_earlier_release_wrote_them(merchant):
    """The books of the merchant, their lines' ids those the release before gave them."""
    for bank, ids in EARLIER.items():
        path = merchant / "books" / bank / "2026" / "2026-11.beancount"
        text = path.read_text(encoding="utf-8")
        now = re.findall(r'(?m)^  id: "(2026\d{4}-[0-9a-f]{12}-\d)"$', text)
        assert len(now) == len(ids) and set(now).isdisjoint(ids)   # the ids are new ones
        for new, old in zip(now, ids):
            text = text.replace(f'  id: "{new}"\n', f'  id: "{old}"\n')
        path.write_text(text, encoding="utf-8")


def test_books_of_an_earlier_release_find_their_lines_again(merchant):
    # a re-import after the ids changed must not book every line twice
    as_an_earlier_release_wrote_them(merchant)
    before = booked(merchant)
    for bank, (_, body) in FIRST.items():
        # its lines as they were, other line ends (the same bytes would be known as a file)
        result = again(merchant, bank, body.replace("\r\n", "\n") if "\r\n" in body else body.replace("\n", "\r\n"))
        assert "0 entries written" in result.output, result.output
    assert booked(merchant) == before and errors(merchant) == []
    # an overlapping statement with a line the books lack: that line alone
    result = again(merchant, "eur", mt940(more=MORE, closing="6960,00"), "zz-later")
    assert "4 rows read, 1 entries written, 3 already in the books" in result.output, result.output
    assert errors(merchant) == []


def test_restated_is_said_only_where_a_balance_changed(merchant):
    # lines the bank added since that leave the closing balance as the books assert it:
    # nothing is restated, nor said to be (blind33: "restated the balances of 1 day(s)",
    # the assertion unchanged)
    added = (":61:2611031103C100,00NTRFNONREF//B110301\r\n:86:/NAME/KUNDE/REMI/GUTSCHRIFT\r\n"
             ":61:2611041104D100,00NTRFNONREF//B110401\r\n:86:/NAME/KUNDE/REMI/RUECKZAHLUNG\r\n")
    result = again(merchant, "eur", mt940(more=added))
    assert "5 rows read, 2 entries written, 3 already in the books" in result.output, result.output
    assert "restated the balance" not in result.output
    assert errors(merchant) == []
    # must not: a line that moves the balance restates it, and says so
    fee = ":61:2611041104D5,00NMSCNONREF//B110402\r\n:86:/NAME/BANK/REMI/KONTOFUEHRUNG\r\n"
    result = again(merchant, "eur", mt940(more=added + fee, closing="8455,00"), "zz-fee")
    assert "restated the balances of 1 day(s) that its new lines come before" in result.output, result.output
    assert "8455.00 EUR" in (merchant / "books" / "eur" / "2026" / "2026-11.beancount").read_text(encoding="utf-8")
    assert errors(merchant) == []


def test_a_camt_reference_given_to_two_entries_tells_them_apart_by_what_they_say_unspaced(make_config, tmp_path):
    # PostFinance gives one AcctSvcrRef to two entries: the second is the reference and a
    # digest of what it says, now unspaced (its text cut otherwise is the same entry), and it
    # carries the id earlier releases gave it, of its text as written
    from beanclear.importers import camt053
    cfg = make_config(CONFIG)

    def second(power: str):
        body = camt(power=power).replace("<NtryRef>0001</NtryRef>", "").replace(
            "</Sts><BookgDt>", "</Sts><AcctSvcrRef>PF1</AcctSvcrRef><BookgDt>")
        path = tmp_path / "pf.xml"
        path.write_text(body, encoding="utf-8")
        entries = [e for e in camt053.Importer(cfg.banks["camt"], cfg).parse(str(path)).entries
                   if hasattr(e, "postings")]
        assert entries[0].meta["id"] == "PF1"
        return entries[1].meta

    plain, cut = second("<Ustrd>STROM NOVEMBER</Ustrd>"), second("<Ustrd>STROM NOV</Ustrd><Ustrd>EMBER</Ustrd>")
    assert plain["id"].startswith("PF1-") and cut["id"] == plain["id"]
    assert plain["_was"] != cut["_was"] and plain["_was"][0].startswith("PF1-")
