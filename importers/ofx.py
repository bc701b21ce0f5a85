"""OFX and QFX bank and credit-card statements: OFX 1.x SGML (leaf tags left
unclosed, possibly all on one line), OFX 2.x XML, and the hybrids banks send (an XML
prolog over SGML tags, a `<?OFX?>` line without `<?xml?>`, blank lines first).

Each `STMTTRN` posts its signed `TRNAMT` to the bank (or card) account against what
explains it (banking.py); `LEDGERBAL` becomes a `balance` assertion on the day after
its `DTASOF`:

    2009-04-01 * "MCDONALD'S #112" "POS MERCHANDISE;MCDONALD'S #112"
      id: "0000123456782009040100001/20090401/-6.60"
      bank-ref: "0000123456782009040100001"
      type: "POS"
      Assets:Bank:Ops                  -6.60 CAD
      Assets:Suspense                   6.60 CAD

    2009-05-24 balance Assets:Bank:Ops  382.34 CAD

Dates are the statement's own: `20090401122017.000[-5:EST]` is 2009-04-01, the day the
bank wrote, never shifted to UTC (ofxparse shifts it and can move a line to the next day).

Ids: FITID is meant to be unique, but banks reuse it (Suncorp numbers the lines of each
download 1, 2, 3 …; others derive it from date and amount, or recycle old ones). So the
id is FITID/date/amount: a reused FITID on another day or amount is another line, while
the same line downloaded again has the same id. Two lines with one FITID, day and amount
in a file get /2, /3 …; a line without FITID gets a digest of what it says (LineIds).

Why a parser of our own rather than ofxparse: ofxparse fails on one of the real files
(empty tags after blank lines), moves dates to UTC, and cannot say which line of a file
is wrong. This tokenizer reads every variant above in ~60 lines and keeps line numbers.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
from collections import Counter
from decimal import Decimal

from beanclear.importers.banking import BankImporter, Closings, LineIds
from beanclear.importers.base import Extraction
from beanclear.importers.toolkit import (WESTERN_ENCODINGS, StatementError, XmlNode, clean, parse_amount,
                                         read_text)

TOKEN = re.compile(r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<\?.*?\?>|<(?P<decl>![A-Za-z][^>]*)>"
                   r"|<(?P<close>/)?(?P<tag>[A-Za-z][A-Za-z0-9._]*)\s*>|(?P<text>[^<]+)|(?P<bad><)", re.S)
# OFX 2.2 TRNTYPE values; HOLD is money on hold, not booked.
TRNTYPES = ("CREDIT", "DEBIT", "INT", "DIV", "FEE", "SRVCHG", "DEP", "ATM", "POS", "XFER", "CHECK", "PAYMENT",
            "CASH", "DIRECTDEP", "DIRECTDEBIT", "REPEATPMT", "OTHER")
DATE = re.compile(r"^(\d{8})(\d{0,6}(\.\d+)?)?(:\d+)?(\[[^\]]*\])?$")


def parse_tree(text: str, path: str) -> XmlNode:
    """The OFX body as a tree. SGML leaves have text and no end tag; an element whose
    end tag never comes (an empty SGML leaf, `<NAME>` then `<MEMO>`) is closed where its
    parent closes, and what was read into it moves back up to the parent."""
    start = re.search(r"<OFX>", text, re.I)
    if start is None:
        raise StatementError(path, 1, "no <OFX> element (expected an OFX or QFX statement)")
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    root = XmlNode("", {}, 0, [])
    stack = [root]
    for m in TOKEN.finditer(text, start.start()):
        line = bisect.bisect_left(newlines, m.start()) + 1
        if m.group("decl"):
            raise StatementError(path, line, f"<{m.group('decl')[:20]}…> declarations are not allowed in a "
                                 "statement (no DOCTYPE or ENTITY: refused rather than expanded)")
        if m.group("bad"):
            raise StatementError(path, line, "a '<' that starts no tag (expected <TAG> or </TAG>)")
        if m.group("text") is not None or m.group("cdata") is not None:
            value = m.group("cdata") if m.group("cdata") is not None else html.unescape(m.group("text"))
            if value.strip():
                if stack[-1] is root or stack[-1].children:
                    raise StatementError(path, line, f"text {value.strip()[:30]!r} outside a leaf element")
                stack[-1].text += value
            continue
        if not m.group("tag"):
            continue  # comment or processing instruction
        tag = m.group("tag").upper()
        if not m.group("close"):
            if stack[-1].text.strip():   # an SGML leaf is closed by the next tag
                stack.pop()
            node = XmlNode(tag, {}, line, [])
            stack[-1].children.append(node)
            stack.append(node)
            continue
        names = [n.tag for n in stack]
        if tag not in names:
            raise StatementError(path, line, f"</{tag}> closes an element that was never opened")
        while stack[-1].tag != tag:  # elements left open were empty SGML leaves
            empty = stack.pop()
            stack[-1].children.extend(empty.children)
            empty.children = []
        stack.pop()
    if len(stack) > 1:
        raise StatementError(path, len(newlines) + 1, f"<{stack[-1].tag}> (line {stack[-1].line}) is never "
                             "closed (is the file cut off?)")
    return root.children[0]


def walk(node: XmlNode, tags: set[str]) -> list[XmlNode]:
    if node.tag in tags:
        return [node]
    return [found for child in node.children for found in walk(child, tags)]


def ofx_date(node: XmlNode, name: str, path: str) -> dt.date | None:
    """YYYYMMDD[HHMMSS[.XXX]][[±h:TZ]]: the date as the bank wrote it, in its own zone."""
    raw = node.value(name)
    if not raw:
        return None
    m = DATE.match(raw)
    try:
        if not m:
            raise ValueError
        return dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        at = node.find(name).line
        raise StatementError(path, at, f"<{name}>: expected a date like 20260301 or 20260301120000[-5:EST], "
                             f"got {raw!r}") from None


def ofx_amount(node: XmlNode, name: str, path: str) -> Decimal:
    raw = clean(node.value(name))
    at = node.find(name).line if node.find(name) is not None else node.line
    return parse_amount(raw, path, at, f"<{name}>", decimal_comma="," in raw and "." not in raw)


def account_number(st: XmlNode) -> str:
    return clean(st.value("BANKACCTFROM/ACCTID") or st.value("CCACCTFROM/ACCTID"))


def transactions(st: XmlNode) -> list[XmlNode]:
    return st.findall("BANKTRANLIST/STMTTRN")


def status_error(root: XmlNode, path: str) -> None:
    """A response whose STATUS is not 0 (bad login, no such account) has no statement."""
    for status in walk(root, {"STATUS"}):
        code = status.value("CODE")
        if code not in ("", "0"):
            raise StatementError(path, status.line, f"the bank reports error {code} "
                                 f"({status.value('MESSAGE') or status.value('SEVERITY')}) instead of a statement")


class Importer(BankImporter):
    kind = "ofx statement"

    def matches(self, head: str) -> bool:
        if "<OFX>" not in head.upper():
            return False
        ids = re.findall(r"<ACCTID>\s*([^<\r\n]+)", head, re.I)
        return any(self.is_mine(clean(i)) for i in ids) if self.source.account_id else True

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        root = parse_tree(read_text(path, self.source.encoding, WESTERN_ENCODINGS), path)
        status_error(root, path)
        statements = walk(root, {"STMTRS", "CCSTMTRS"})
        if not statements:
            raise StatementError(path, root.line, "no <STMTRS> or <CCSTMTRS> (expected a bank or credit-card "
                                 "statement; investment statements are not supported)")
        out, closings = Extraction(), Closings(path, self.source.account)
        line_id, fitids = LineIds(), Counter()
        for st in self.own_statements(path, statements, account_number, transactions, out):
            number, lines = account_number(st), transactions(st)
            stated = [ofx_date(st, f"BANKTRANLIST/{tag}", path) for tag in ("DTSTART", "DTEND")]
            if all(stated):  # the days the statement covers, lines or not (coverage.py)
                out.period = (min(stated[0], *(out.period or stated)), max(stated[1], *(out.period or stated)))
            curdef = st.value("CURDEF").upper()
            booked: dict[str, Decimal] = {}
            for trn in self.each(lines):
                out.rows += 1
                entry = self._line(trn, path, curdef, line_id, fitids, out, closings)
                if entry is not None:
                    out.entries.append(entry)
                    units = entry.postings[0].units
                    booked[units.currency] = booked.get(units.currency, Decimal(0)) + units.number
            ledger = st.find("LEDGERBAL")
            if ledger is not None and ledger.value("BALAMT"):
                day = ofx_date(ledger, "DTASOF", path) or ofx_date(st, "BANKTRANLIST/DTEND", path)
                if day is None:
                    raise StatementError(path, ledger.line, "<LEDGERBAL> without <DTASOF> or <DTEND> "
                                         "(expected the date of the balance)")
                currency = curdef or (next(iter(booked)) if len(booked) == 1 else self.source.currency)
                closings.statement(out, number, ledger.line, day, currency, None, booked.get(currency, Decimal(0)),
                                   ofx_amount(ledger, "BALAMT", path))
        out.entries += closings.assertions()
        return out

    def _line(self, trn: XmlNode, path: str, curdef: str, line_id: LineIds, fitids: Counter,
              out: Extraction, closings: Closings):
        kind, currency = trn.value("TRNTYPE").upper(), curdef or self.source.currency
        if kind == "HOLD":
            out.skip("funds on hold (not booked)")
            return None
        if kind not in TRNTYPES:
            raise StatementError(path, trn.line, f"<TRNTYPE>: unknown type {kind!r} "
                                 f"(expected one of {', '.join(TRNTYPES)}, HOLD)")
        day = ofx_date(trn, "DTPOSTED", path)
        if day is None:
            raise StatementError(path, trn.line, "<STMTTRN> without <DTPOSTED> (expected the date it was booked)")
        if trn.find("TRNAMT") is None:
            raise StatementError(path, trn.line, "<STMTTRN> without <TRNAMT> (expected the amount)")
        amount = ofx_amount(trn, "TRNAMT", path)
        meta = {"type": kind}
        foreign = trn.find("ORIGCURRENCY") or trn.find("CURRENCY")
        symbol = foreign.value("CURSYM").upper() if foreign is not None else ""
        if symbol and foreign.tag == "CURRENCY" and not curdef:
            currency = symbol  # a statement without CURDEF names its currency on each line
        elif symbol and symbol != currency:
            if foreign.tag == "CURRENCY":
                raise StatementError(path, foreign.line, f"<CURRENCY> {symbol}: the amount is in a currency other "
                                     f"than the statement's {currency} and the bank does not state what it booked "
                                     "(expected <ORIGCURRENCY>, with the amount in the statement currency)")
            meta.update({"fx-pair": f"{symbol}/{currency}", "fx-rate": foreign.value("CURRATE")})
        payee = clean(trn.value("NAME") or trn.value("PAYEE/NAME"))
        memo = clean(trn.value("MEMO")) or payee or kind.lower()
        fitid = clean(trn.value("FITID"))
        if fitid:
            base = f"{fitid}/{day:%Y%m%d}/{amount}"
            fitids[base] += 1
            ident = base if fitids[base] == 1 else f"{base}/{fitids[base]}"
        else:
            ident = line_id(day, amount, payee, memo, trn.value("CHECKNUM"), trn.value("REFNUM"))
        meta = {"id": ident, "bank-ref": fitid, "check": clean(trn.value("CHECKNUM")).lstrip("0"), **meta}
        if trn.value("ACCTBAL"):  # a running balance some banks add to each line
            closings.running(trn.line, day, currency, amount, ofx_amount(trn, "ACCTBAL", path))
        if amount == 0:
            out.skip("zero amount")
            return None
        return self.bank_line(path, trn.line, day, amount, currency, payee, memo, meta)
