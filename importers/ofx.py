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
A time in UTC is an instant, dated in the books' zone (`timezone`, toolkit books_time):
`20090402051000[0:GMT]` is 2009-04-01 in Los Angeles, while `20090402000000[0:GMT]`,
midnight, is a day written as a time and stays 2009-04-02. The id keeps the date written.

Ids: FITID is meant to be unique, but banks reuse it (Suncorp numbers the lines of each
download 1, 2, 3 …; others derive it from date and amount, or recycle old ones). So the
id is FITID/date/amount: a reused FITID on another day or amount is another line, while
the same line downloaded again has the same id. Two lines with one FITID, day and amount
in a file get /2, /3 …; a line without FITID is known by its REFNUM or CHECKNUM, else by
what it says with its spacing removed (LineIds.of).

Why a parser of our own rather than ofxparse: ofxparse fails on one of the real files
(empty tags after blank lines), moves dates to UTC, and cannot say which line of a file
is wrong. Ours (ofx_body.py) reads every variant above and keeps line numbers.

Past `text.STREAM_FROM` bytes the file is read as a stream (text.text_stream: the
encoding, limits and errors of read_text), in pieces cut anywhere, since an OFX body can
be all on one line: each STMTTRN is booked as it ends and dropped, a statement keeps its
other elements (account, CURDEF, dates, LEDGERBAL) and is dropped as it ends, and the
ids (LineIds, FITIDs seen), the balances (Closings) and which statements are this
account's go on across statements. One reader (ofx_body.read_elements) and one booking
(_book) serve both reads. A file the stream cannot follow as the whole read would (a
line before its statement's account or CURDEF, a BANKTRANLIST, STATUS or statement left
open, a STMTTRN outside a statement's BANKTRANLIST, statements of several accounts
without `account_id`), or one with an error, is read again whole and says what the whole
read says, up to text.ERRORS_WHOLE_UP_TO; past it the stream's own error is said, where
it found one. Where the whole read's error is certain, the stream says it at any size:
no statement in the file; lines outside every statement, whatever else the file holds
(none around them, or a statement left open moved its lines out), said once the rest of
the file is read for what the whole read says first. A STMTTRN left open is read as the
whole read reads it: a line with nothing in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from typing import Iterable, Iterator, NoReturn

from beanclear.books.idset import Ids
from beanclear.importers.banking import (BankImporter, Closings, LineIds, Unusual, other_account, own_days,
                                         several_accounts, was)
from beanclear.importers.base import ZERO_AMOUNT, Extraction
from beanclear.importers.ofx_body import parse_tree, read_elements, walk
from beanclear.importers.toolkit import (WESTERN_ENCODINGS, StatementError, XmlNode, books_day, clean,
                                         note_offset, noting_offsets, parse_amount, read_text)
from beanclear.importers.toolkit.text import StreamedText

# OFX 2.2 TRNTYPE values; HOLD is money on hold, not booked.
TRNTYPES = ("CREDIT", "DEBIT", "INT", "DIV", "FEE", "SRVCHG", "DEP", "ATM", "POS", "XFER", "CHECK", "PAYMENT",
            "CASH", "DIRECTDEP", "DIRECTDEBIT", "REPEATPMT", "OTHER")
DATE = re.compile(r"^(\d{8})(\d{0,6}(\.\d+)?)?(:\d+)?(\[[^\]]*\])?$")
UTC = re.compile(r"^\[\s*[+-]?0+(\.0+)?\s*(:[^\]]*)?\]$")   # [0:GMT], [+0:UTC], [0]
STATEMENTS = {"STMTRS", "CCSTMTRS"}
NO_STATEMENT = ("no <STMTRS> or <CCSTMTRS> (expected a bank or credit-card statement; investment statements are not "
                "supported)")
STRAY = ("<STMTTRN> outside a statement's <BANKTRANLIST> (expected each line inside the <STMTRS> or <CCSTMTRS> of its "
         "account)")


class _Unusual(Unusual):
    """A file the streamed read cannot follow as the whole read would."""


def ofx_stamp(node: XmlNode, name: str, path: str) -> dt.date | dt.datetime | None:
    """YYYYMMDD[HHMMSS[.XXX]][[±h:TZ]]: the date as the bank wrote it, in its own zone;
    a time in UTC (`[0:GMT]`) as that instant, which books_time dates in the books' zone."""
    raw = node.value(name)
    if not raw:
        return None
    m = DATE.match(raw)
    try:
        if not m:
            raise ValueError
        day = dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        at = node.find(name).line
        raise StatementError(path, at, f"<{name}>: expected a date like 20260301 or 20260301120000[-5:EST], "
                             f"got {raw!r}") from None
    clock = (m.group(2) or "").split(".")[0]
    if not (UTC.match(m.group(5) or "") and len(clock) in (2, 4, 6)):
        _bank_offset(m.group(1), clock, m.group(5))
        return day
    try:
        return dt.datetime.strptime(m.group(1) + clock.ljust(6, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:   # a time of day past 23:59:59: the date is what the bank wrote
        return day


OFFSET = re.compile(r"^\[\s*([+-]?\d{1,2}(?:\.\d+)?)\s*(?::\s*([A-Za-z]{2,6}))?\s*\]$")   # [-5:EST], [+5.5]


def _bank_offset(day: str, clock: str, bracket: str | None) -> None:
    """The bank's own offset (`[-5:EST]`), for init's guess of `timezone` (toolkit
    note_offset); the date keeps the day written whatever it says."""
    m = OFFSET.match(bracket or "") if noting_offsets() else None
    if not m:
        return
    try:
        offset = dt.timedelta(minutes=int(Decimal(m.group(1)) * 60))
        zone = dt.timezone(offset, m.group(2).upper()) if m.group(2) else dt.timezone(offset)
        note_offset(dt.datetime.strptime(day + (clock if len(clock) in (2, 4, 6) else "12").ljust(6, "0"),
                                         "%Y%m%d%H%M%S").replace(tzinfo=zone))
    except ValueError:   # an offset of a day or more, a time of day past 23:59:59: no zone's
        return


def ofx_date(node: XmlNode, name: str, path: str, tz) -> dt.date | None:
    """The day the books (their zone `tz`) date an OFX date on (ofx_stamp, books_day)."""
    return books_day(ofx_stamp(node, name, path), tz)


def ofx_amount(node: XmlNode, name: str, path: str) -> Decimal:
    """An OFX amount: its radix point is `.` or `,`, and it has no digit grouping (OFX
    1.6 §3.2.9.1), so `-1.234,50` or `1,234.50` is malformed and refused at its line,
    never read as -1.23450 (a point, then a comma taken for a thousands separator)."""
    raw = clean(node.value(name))
    at = node.find(name).line if node.find(name) is not None else node.line
    if raw.count(",") + raw.count(".") > 1:
        raise StatementError(path, at, f"column <{name}>: expected an amount with one decimal point or comma and "
                             f"no thousands separator, as OFX writes them (-1234.50, -1234,50), got {raw!r}")
    return parse_amount(raw, path, at, f"<{name}>", decimal_comma="," in raw)


def account_number(st: XmlNode) -> str:
    return clean(st.value("BANKACCTFROM/ACCTID") or st.value("CCACCTFROM/ACCTID"))


def account_type(st: XmlNode) -> str:
    return clean(st.value("BANKACCTFROM/ACCTTYPE"))


def numbering(statements: list[XmlNode]):
    """A statement's account for telling accounts apart: its number, and its type too
    where the file has statements of that number of several types (a checking and a
    savings account both sent as ACCTID `AcctNum`), which are then two accounts, not one."""
    types: dict[str, set[str]] = {}
    for st in statements:
        types.setdefault(account_number(st), set()).add(account_type(st))
    return lambda st: (" ".join(filter(None, (account_number(st), account_type(st))))
                       if len(types[account_number(st)]) > 1 else account_number(st))


def transactions(st: XmlNode) -> list[XmlNode]:
    """A statement's lines: in its BANKTRANLIST, or right in the statement where the
    list's end tag is missing (Nubank writes no `</BANKTRANLIST>`, and parse_tree moves
    what an element left open held up to its parent)."""
    return st.findall("BANKTRANLIST/STMTTRN") + st.findall("STMTTRN")


def listed(st: XmlNode, tag: str) -> str:
    """Where a statement's DTSTART or DTEND is: right in the statement where it is there
    (its list's end tag missing: see transactions), else in its BANKTRANLIST."""
    return tag if st.find(tag) is not None else f"BANKTRANLIST/{tag}"


def unread_lines(root: XmlNode, statements: list[XmlNode]) -> tuple[list[XmlNode], int]:
    """What no statement's lines (transactions) hold, in one walk: STMTTRNs outside every
    statement (money the read would miss: refused), and how many cash lines investment
    statements hold (another account's: counted as skipped)."""
    booked = {id(trn) for st in statements for trn in transactions(st)}
    found = walk(root, {"STMTTRN", "INVSTMTRS"})
    stray = [node for node in found if node.tag == "STMTTRN" and id(node) not in booked]
    return stray, sum(len(walk(node, {"STMTTRN"})) for node in found if node.tag == "INVSTMTRS")


def status_error(root: XmlNode, path: str) -> None:
    """A response whose STATUS is not 0 (bad login, no such account) has no statement."""
    for status in walk(root, {"STATUS"}):
        status_ok(status, path)


def status_ok(status: XmlNode, path: str) -> None:
    code = status.value("CODE")
    if code not in ("", "0"):
        raise StatementError(path, status.line, f"the bank reports error {code} "
                             f"({status.value('MESSAGE') or status.value('SEVERITY')}) instead of a statement")


def heading(st: XmlNode) -> tuple[str, ...]:
    """What a statement says that its lines are booked by: account, currency, days."""
    return account_number(st), st.value("CURDEF"), st.value(listed(st, "DTSTART")), st.value(listed(st, "DTEND"))


class FitIds:
    """The ids of lines with a FITID, FITID/date/amount: the same line again in a file
    gets /2, /3 … The ids seen are an idset.Ids (on disk past its LIMIT_IDS: a million
    lines' ids are not held in memory), those seen again a Counter."""

    def __init__(self):
        self.seen, self.again = Ids(), Counter()

    def __call__(self, base: str) -> str:
        if self.seen.add(base):
            return base
        self.again[base] += 1
        return f"{base}/{self.again[base] + 1}"


class Importer(BankImporter):
    kind = "ofx statement"
    accounts_apart = True
    account_names = re.compile(rb"(?i)<ACCTID>\s*([^<\r\n]+)")

    def matches(self, head: str) -> bool:
        if "<OFX>" not in head.upper():
            return False
        ids = re.findall(r"<ACCTID>\s*([^<\r\n]+)", head, re.I)
        typed = re.findall(r"<ACCTID>\s*([^<\r\n]+?)\s*(?:</ACCTID>\s*)?<ACCTTYPE>\s*([^<\r\n]+)", head, re.I)
        ids += [f"{number} {kind}" for number, kind in typed]   # `AcctNum SAVINGS` (numbering)
        return any(self.is_mine(clean(i)) for i in ids) if self.source.account_id else True

    def parse(self, filepath: str) -> Extraction:
        # In pieces, not lines: a body may be all on one line. Of a file with an error the
        # whole read says the first in the order the tree, its STATUS, statements and
        # accounts, then their lines find them.
        return self.streamed_or_whole(str(filepath), lines=False)

    def _whole(self, path: str) -> Extraction:
        root = parse_tree(read_text(path, self.source.encoding, WESTERN_ENCODINGS), path)
        status_error(root, path)
        statements = walk(root, STATEMENTS)
        if not statements:
            raise StatementError(path, root.line, NO_STATEMENT)
        stray, invested = unread_lines(root, statements)
        if stray:
            raise StatementError(path, stray[0].line, STRAY)
        out, closings = Extraction(), Closings(path, self.source.account)
        if invested:
            out.rows += invested
            out.skipped["line of an investment statement (not supported)"] += invested
        line_id, fitids = LineIds(), FitIds()
        for st in self.own_statements(path, statements, numbering(statements), transactions, out):
            self._book(st, self.each(transactions(st)), path, out, closings, line_id, fitids)
        out.entries += closings.assertions()
        return out

    def _streamed(self, path: str, pieces) -> Extraction:
        """Each STMTTRN booked as it ends in the file, never a statement held whole: the
        whole read's books, or _Unusual where the stream cannot tell (see _statement_of;
        _whole reads the file then)."""
        out, closings = Extraction(), Closings(path, self.source.account)
        line_id, fitids, numbers, types = LineIds(), FitIds(), set(), {}
        elements = _Elements(path, pieces)
        found = _found(self.each(elements), path)
        for node, st in found:
            number = account_number(st)
            lines = _rest(st, None if node is st else node, found)
            if self.claims(number, out):
                self._book(st, lines, path, out, closings, line_id, fitids)
            else:
                other_account(out, number, sum(1 for _ in lines))
            if types.setdefault(number, account_type(st)) != account_type(st):   # numbering(): read whole
                raise _Unusual("statements of one account number and several account types")
            numbers.add(number)
            if len(numbers) > 1 and not self.source.account_id:   # _whole names them all
                raise _Unusual("statements of several accounts",
                               several_accounts(path, st.line, numbers, at_least=True))
        if not numbers:   # the whole read's error, once the stream has read what it says first
            raise StatementError(path, elements.root.children[0].line, NO_STATEMENT)
        out.entries += closings.assertions()
        return out

    def _book(self, st: XmlNode, lines: Iterable[XmlNode], path: str, out: Extraction, closings: Closings,
              line_id: LineIds, fitids: FitIds) -> None:
        """One statement of this account booked: its lines as `lines` hands them on (read
        whole, its STMTTRNs; streamed, each as it ends), then its closing balance. Streamed,
        `st` has its elements up to its first line at first, all of them after its lines."""
        tz = self.config.timezone
        stated = [ofx_date(st, listed(st, tag), path, tz) for tag in ("DTSTART", "DTEND")]
        if all(stated):  # the days the statement covers, lines or not (coverage.py)
            out.period = (min(stated[0], *(out.period or stated)), max(stated[1], *(out.period or stated)))
        curdef = st.value("CURDEF").upper()
        booked: dict[str, Decimal] = {}
        rows, days = out.rows, []
        for trn in lines:
            out.rows += 1
            entry = self._line(trn, path, curdef, line_id, fitids, out, closings)
            if entry is not None:
                out.entries.append(entry)
                units = entry.postings[0].units
                booked[units.currency] = booked.get(units.currency, Decimal(0)) + units.number
                days = [min(entry.date, days[0]), max(entry.date, days[1])] if days else [entry.date, entry.date]
        pending = len(st.findall("BANKTRANLISTP/STMTTRNP"))
        if pending:   # OFX 2.1's pending lines (a card's authorisations): no money booked yet
            out.rows += pending
            out.skipped["pending line (BANKTRANLISTP, not booked)"] += pending
        ledger = st.find("LEDGERBAL")
        # States nothing at all (libofx's fuzzed heap-buffer-overflow-1.ofx): no statement;
        # one with a CURDEF and no lines is an account where nothing happened.
        if out.rows == rows and ledger is None and not st.value("CURDEF"):
            raise StatementError(path, st.line, f"<{st.tag}> without <CURDEF>, lines or <LEDGERBAL> (expected a "
                                 "statement of an account: is the file cut or garbled?)")
        if ledger is not None and ledger.value("BALAMT"):
            day = ofx_date(ledger, "DTASOF", path, tz) or ofx_date(st, listed(st, "DTEND"), path, tz)
            if day is None:
                raise StatementError(path, ledger.line, "<LEDGERBAL> without <DTASOF> or <DTEND> "
                                     "(expected the date of the balance)")
            currency = curdef or (next(iter(booked)) if len(booked) == 1 else self.source.currency)
            closings.statement(out, account_number(st), ledger.line, day, currency, None,
                               booked.get(currency, Decimal(0)), ofx_amount(ledger, "BALAMT", path))
        # its own days: those it states, else its lines' (a statement of a file of several: coverage.py)
        own_days(out, account_number(st), *(stated if all(stated) else (None, None)), tuple(days) or (None, None))

    def _line(self, trn: XmlNode, path: str, curdef: str, line_id: LineIds, fitids: FitIds,
              out: Extraction, closings: Closings):
        kind, currency = trn.value("TRNTYPE").upper(), curdef or self.source.currency
        if kind == "HOLD":
            out.skip("funds on hold (not booked)")
            return None
        if kind not in TRNTYPES:
            raise StatementError(path, trn.line, f"<TRNTYPE>: unknown type {kind!r} "
                                 f"(expected one of {', '.join(TRNTYPES)}, HOLD)")
        stamp = ofx_stamp(trn, "DTPOSTED", path)
        if stamp is None:
            raise StatementError(path, trn.line, "<STMTTRN> without <DTPOSTED> (expected the date it was booked)")
        day = books_day(stamp, self.config.timezone)
        written = stamp.date() if isinstance(stamp, dt.datetime) else stamp   # in the id: the same in any zone
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
        after = ofx_amount(trn, "ACCTBAL", path) if trn.value("ACCTBAL") else None   # a running balance some banks add
        says = (written, currency, amount, payee, memo, fitid, trn.value("CHECKNUM"), trn.value("REFNUM"), kind, symbol)
        if line_id.copies.again(out, trn.line, currency, says, amount, after):   # the line before, listed twice
            return None
        former = None
        if fitid:
            ident = fitids(f"{fitid}/{written:%Y%m%d}/{amount}")
        else:   # known by its REFNUM or CHECKNUM, else by what it says unspaced (LineIds.of)
            ident = line_id.of(written, (amount, currency), (clean(trn.value("REFNUM")),
                                                             clean(trn.value("CHECKNUM")).lstrip("0")), (payee, memo))
            former = line_id.former(written, amount, payee, memo, trn.value("CHECKNUM"), trn.value("REFNUM"))
        meta = {"id": ident, "_was": former and was(ident, former), "bank-ref": fitid,
                "check": clean(trn.value("CHECKNUM")).lstrip("0"), **meta}
        if after is not None:
            closings.running(trn.line, day, currency, amount, after)
        if amount == 0:
            out.skip(ZERO_AMOUNT)
            return None
        return self.bank_line(path, trn.line, day, amount, currency, payee, memo, meta)


# -- the stream ---------------------------------------------------------------------------
# An element is dropped from the tree once the stream is done with it (a STMTTRN booked,
# a statement closed, an aggregate outside the statements ended); GONE stands in its
# parent for what was dropped, so that the parent has children as in the whole read
# (text in it is then outside a leaf, as there).
GONE = XmlNode("#", {}, 0, [])
# Left open with elements in it, these would move what is in them (a statement's lines,
# a STATUS) where the whole read finds them and the stream has not: the stream gives up,
# but for a STMTTRN (a line with nothing in it) and a statement whose lines are then
# outside every statement (_statement_of).
WATCHED = {"STMTTRN", "BANKTRANLIST", "STATUS", *STATEMENTS}


def _drop(node: XmlNode, parent: XmlNode, moved: bool = False) -> None:
    children = parent.children
    if children and children[-1] is node:   # it ended last
        children.pop()
        if not children or children[-1] is not GONE:
            children.append(GONE)
    elif moved:   # left open: what it held was put after it
        at = next(i for i in range(len(children) - 1, -1, -1) if children[i] is node)
        children[at] = GONE


class _Stray(Exception):
    """Lines the whole read finds outside every statement, whatever the rest of the file
    holds: an error, said once the rest is read (_drain). `line`: the first of them;
    `statement`: whether there is a statement in the file (the whole read says there is
    none before it says this)."""

    def __init__(self, line: int, statement: bool = False):
        super().__init__(line)
        self.line, self.statement = line, statement


def _outside_statements(stack: list[XmlNode]) -> bool:
    """Whether an element of <OFX> whose open elements are `stack` is outside every
    statement for good: no statement (nor investment statement) around it, and none that
    an element left open could move it into (what it held moves up to its parent)."""
    return (len(stack) > 1 and stack[1] is stack[0].children[0]
            and not any(n.tag in STATEMENTS or n.tag == "INVSTMTRS" for n in stack[1:]))


def _statement_of(node: XmlNode, stack: list[XmlNode], moved: bool, path: str,
                  firsts: dict[int, int]) -> XmlNode | None:
    """The statement of a streamed element that just ended, where it is a STMTTRN of a
    statement's BANKTRANLIST or such a statement (what the whole read books, found as it
    finds them: in the first element, <OFX>, none inside another); else None, once a
    STATUS is checked. Raises _Unusual where the whole read may find the element elsewhere,
    _Stray where it finds lines outside every statement. A STMTTRN left open is followed:
    what it held moved up to its list, it is a line with nothing in it, as read whole.
    `firsts`: the line of each open statement's first line."""
    tag = node.tag
    if tag not in WATCHED:
        if node.children and len(stack) > 1 and not any(n.tag in STATEMENTS for n in stack):
            _drop(node, stack[-1])
        return None
    if moved and tag != "STMTTRN":
        first = firsts.pop(id(node), None)
        if tag in STATEMENTS and first is not None and _outside_statements(stack):
            raise _Stray(first, statement=True)   # its lines moved out of it, its BANKTRANLIST with them
        raise _Unusual(f"<{tag}> left open")
    in_ofx = len(stack) > 1 and stack[1] is stack[0].children[0]
    if tag == "STMTTRN":
        if not (in_ofx and len(stack) > 3 and stack[-1].tag == "BANKTRANLIST" and stack[-2].tag in STATEMENTS
                and not any(n.tag in STATEMENTS for n in stack[1:-2])):
            if _outside_statements(stack):
                raise _Stray(node.line)
            raise _Unusual("a STMTTRN outside a statement's BANKTRANLIST")
        _drop(node, stack[-1], moved)
        firsts.setdefault(id(stack[-2]), node.line)
        return stack[-2]
    if tag in STATEMENTS and in_ofx and not any(n.tag in STATEMENTS for n in stack[1:]):
        _drop(node, stack[-1])
        firsts.pop(id(node), None)
        return node
    if tag == "STATUS" and in_ofx and all(n.tag != "STATUS" for n in stack):
        status_ok(node, path)
    return None


def _found(events: Iterable[tuple[XmlNode, list[XmlNode], bool]], path: str) -> Iterator[tuple[XmlNode, XmlNode]]:
    """(element, its statement) of each streamed element that is a statement's line or
    end (_statement_of)."""
    firsts: dict[int, int] = {}
    events, statement = iter(events), False
    for node, stack, moved in events:
        try:
            st = _statement_of(node, stack, moved, path, firsts)
        except _Stray as stray:
            _drain(events, path, stack[0].children[0].line, stray.line, statement or stray.statement)
        if st is not None:
            statement = True
            yield node, st


def _drain(events: Iterator[tuple[XmlNode, list[XmlNode], bool]], path: str, ofx_line: int, line: int,
           statement: bool) -> NoReturn:
    """After lines outside every statement (the first on `line`): the rest of the file
    read, nothing booked and each element dropped as it ends, for what the whole read says
    before it: an error of the body, a STATUS's, that there is no statement. Then it."""
    for node, stack, _ in events:
        in_ofx = len(stack) > 1 and stack[1] is stack[0].children[0]
        if node.tag in STATEMENTS and in_ofx:
            statement = True
        if any(n.tag == "STATUS" for n in stack):
            continue   # checked as its STATUS ends
        if node.tag == "STATUS" and in_ofx:
            status_ok(node, path)
        if len(stack) > 1:
            _drop(node, stack[-1])
    if not statement:
        raise StatementError(path, ofx_line, NO_STATEMENT)
    raise StatementError(path, line, STRAY)


def _rest(st: XmlNode, first: XmlNode | None, found: Iterator[tuple[XmlNode, XmlNode]]) -> Iterator[XmlNode]:
    """A streamed statement's lines from its first (`first`, None where it has none and
    has ended) to its end, each as it ends (`found`: _found's). What it said before its
    lines (its heading) must be what it says at its end, else _Unusual."""
    before = heading(st)
    if first is not None:
        yield first
        for node, of in found:
            if of is not st:
                raise _Unusual("a statement inside a statement")
            if node is st:   # its end
                break
            yield node
    if heading(st) != before or transactions(st):
        raise _Unusual("a statement's account, currency or days after its lines")


class _Elements(StreamedText):
    """read_elements over a streamed file's text (text.text_stream), with progress() in
    bytes for StatementImporter.each. `root`: the latest pass's (its first child <OFX>)."""

    root: XmlNode

    def __iter__(self) -> Iterator[tuple[XmlNode, list[XmlNode], bool]]:
        self.root = XmlNode("", {}, 0, [])
        return read_elements(self.pieces(self.read), self.path, self.root)
