"""SWIFT MT940 customer statements, as banks really send them: bare, in a SWIFT
envelope (`{1:…}{2:…}{4:` … `-}`), under bank header lines (`ABNANL2A`/`940`), or after
a `:940:` line; several statements per file, with or without `-` between them.

Each `:61:` line posts to the bank account against what explains it (banking.py),
with its `:86:` text read for the other party and the purpose:

    2007-09-04 * "KARL KAUFMANN" "Verw CTSc-01 BC-PPP TFNr 22 004"
      id: "20070904-…-1"
      bank-ref: "0724710333343453"
      end-to-end-id: "EndToEndId TFNR 22 004 00001"
      type: "NTRF"
      value-date: "2007-09-07"
      Assets:Bank:Ops                  50990.05 EUR
      Assets:Suspense                 -50990.05 EUR

The final closing balance `:62F:` becomes a `balance` assertion on the next day;
`:60M:`/`:62M:` (a statement continued in the next message) only check the totals.

The traps:
- `C`/`D`, and `RC`/`RD` for reversals: RC reverses a credit (money out), RD a debit
  (money in). German `CR`/`DR` are `C`/`D` followed by the funds code (the third letter
  of the currency), so they need no case of their own;
- amounts with a decimal comma and no decimals (`107,`, `15000,`) or zero padding;
- the booking date is the entry date (MMDD, in the value date's year or the next or
  previous one); a line is booked on it, because `:62F:` is dated by booking. Value dates
  like 160230 (Feb 30, German year-end interest) are kept as written in `value-date`;
  without an entry date an impossible value date is clamped to the month's last day;
- `:86:` lines wrap at 65 characters, mid-word: a full line continues without a space.
  German `?20`–`?29` purpose, `?32`/`?33` name (SEPA `EREF+`, `SVWZ+` inside) and Dutch
  `/NAME/…/REMI/…` are read; anything else is the memo as written;
- a bank may go on about a line in a second `:86:` (Banca Transilvania): its text is
  joined to the first's (the line's id stays that of the first, as it always was);
- `:NS:`, a field outside SWIFT's (the German banks' DFÜ layout, Sberbank Hungary), one
  numbered subfield a line: after :28: about the account, after a :61: about that line
  (`01`–`14` purpose, `15`/`16` the other party, `17` the posting text), often in place
  of an :86:. It gives the payee and memo the :86: does not (Sberbank's lines have no
  :86:, and were booked with the memo of their reference, `X`);
- text that is not UTF-8 is read as Windows-1252/Latin-1 (set `encoding:` for others);
- `@@` for the line breaks, the statement on one line (HBCI: Volksbank Mittelhessen);
- an MT942 (pending lines, no balances) after the MT940 in one file (FinTS exports "with
  Vormerkposten", even with the response's `-+@446@` framing left between them): its lines
  are skipped, the day's MT940 books them later; a file of MT942 alone is refused;
- a statement the file lists again (a download appended to itself, without its `:940:`
  line) is read once; listed again with other lines, refused (banking.Repeats).
MT940 lines have no unique id. A line is known by the bank's reference after `//` in its
:61: (kept as `bank-ref`), with the account, day, amount and direction; a line without
one by what its :61: and :86: say, read with no spacing and its :86: by the fields read
(payee, purpose, end-to-end id), so that a download again wrapped at another column or
given fields after them (Rabobank's `/ISDT/`) finds the same line (LineIds.of; counted:
two equal lines of one day stay two). The customer's reference before `//` is no id:
banks write one for many lines (`EREF`, `KREF+`).

A parser of our own rather than the `mt-940` package: that package rejects real files
whose fields exceed the SWIFT lengths (ASN Bank) and cannot name the line of an error.

Past `text.STREAM_FROM` bytes the file is read as a stream (text.text_stream: the
encoding, limits and errors of read_text): each `:61:` is booked as soon as its `:86:`
ends, a statement keeps only its other fields, and the ids (LineIds), the balances
(Closings) and which statements are this account's go on across statements. One reader
(read_fields) and one booking (_book) serve both reads. A file the stream cannot follow
as the whole read would (a line before its statement's `:25:` or `:60F:`, statements of
several accounts without `account_id`), or one with an error, is read again whole and
says what the whole read says.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from beanclear.importers.banking import (BankImporter, Closings, LineIds, Repeats, Unusual, account_key,
                                         end_to_end_id, other_account, own_days, several_accounts, unspaced, was)
from beanclear.importers.base import ZERO_AMOUNT, Extraction
from beanclear.importers.toolkit import WESTERN_ENCODINGS, StatementError, bounded, clean, money, read_text
from beanclear.importers.toolkit.text import StreamedText

TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):(.*)$")
# :NS: is a bank's own field outside SWIFT's (Sberbank, German banks): after a :61:, read
# for what its :86: does not say (own_details); elsewhere read and left aside.
KNOWN_TAGS = {"20", "21", "25", "25P", "28", "28C", "60F", "60M", "61", "86", "62F", "62M", "64", "65",
              "13", "13D", "34F", "90C", "90D", "NS"}
# The entry date may be four spaces (ASN Bank, Citi: none given); a space may stand
# between the amount and the type; a type shorter than its four places is padded with
# spaces (old ING `NOV NONREF`, Sberbank `S   X`); some banks give no type at all before
# the bank reference (Zenith) or before the reference `NONREF` (Penta: `D20,00NONREF`,
# which is no type `NONR` and reference `EF`).
LINE_61 = re.compile(r"^(?P<value>\d{6})(?P<entry>\d{4}| {4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
                     r"(?P<amount>\d[\d,]*) ?(?P<type>(?!NONREF)[NSF](?:[A-Z0-9]{3}|[A-Z0-9]{2} |[A-Z0-9] {2}| {3})"
                     r"|(?=//|$|NONREF))"
                     r"(?P<ref>.*?)(?://(?P<bank>.*))?$")
BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,]*)$")
SIGN = {"C": 1, "D": -1, "RC": -1, "RD": 1}
DUTCH = re.compile(r"/(EREF|BENM|ORDP|NAME|CNTP|REMI|ISDT|ADDR|CSID|MARF|IBAN|BIC|TRCD|PREF|RTRN|CDTRREF|CDTRREFTP|"
                   r"CD|SCOR|ISSR|USTD|STRD|PURP|ULTC|ULTD|EXCH|OCMT|CHGS|SVCL|TRTP|INIT|ACCW|IREF|RTYP)/")
NO_STATEMENT = "no :20: field (expected an MT940 statement)"
# A :86: of numbered subfields: German (GVC, then ?00, ?10, ?20…); Triodos writes them
# `000>20…>21…`, BRD (Romania) `000+20…+32…`.
GERMAN = re.compile(r"^\d{3}(?:\?|(?P<sep>[>+])\d{2})")
SEPA = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|ABWA|ABWE|SVWZ)\+(.*?)"
                  r"(?=(?:EREF|KREF|MREF|CRED|DEBT|ABWA|ABWE|SVWZ)\+|MTLG:|$)")
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


def subfield_mark(text: str) -> str | None:
    """The character that opens a :86:'s numbered subfields, or None if it has none."""
    m = GERMAN.match(text.lstrip())
    return (m.group("sep") or "?") if m else None


class _Unusual(Unusual):
    """A file the streamed read cannot follow as the whole read would."""


@dataclass
class Field:
    tag: str
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        """The lines joined; a full 65-character line was cut mid-word and continues
        without a space. In a German structured :86: (`166?00…?20…`) the subfields say
        where the text parts: a line that starts a subfield (`?21…`), or the rest of a
        `?NN` cut after its `?`, continues without one (Volksbanken break lines at
        subfields: `?20…fuer F` + `?21RIDA` is `fuer FRIDA`)."""
        out = self.lines[0]
        previous = len(self.tag) + 2 + len(self.lines[0])
        mark = subfield_mark(out) if self.tag == "86" else None
        for line in self.lines[1:]:
            joined = previous >= 65 or mark is not None and (line.startswith(mark) and line[1:3].isdigit()
                                                             or out.endswith(mark) and line[:2].isdigit())
            out += ("" if joined else " ") + line
            previous = len(line)
        return out.strip()


@dataclass
class Statement:
    line: int
    fields: list[Field] = field(default_factory=list)
    last: int = 0   # the line of its last field that has passed (a streamed statement keeps not all)

    def get(self, *tags: str) -> Field | None:
        return next((f for f in self.fields if f.tag in tags), None)

    def all(self, tag: str) -> list[Field]:
        return [f for f in self.fields if f.tag == tag]

    def account(self) -> str:
        return self.get("25").text if self.get("25") else ""

    def label(self) -> str:
        return " ".join(x.text for x in (self.get("20"), self.get("28C", "28")) if x)

    def key(self) -> tuple:
        """What names the statement (banking.Repeats): its account, :20:, :28C: and opening."""
        return tuple("".join(f.text.split()) if f else "" for f in (self.get("25"), self.get("20"),
                                                                     self.get("28C", "28"), self.get("60F", "60M")))

    def content(self) -> tuple:
        """All it says, without its lines' numbers in the file."""
        return tuple((f.tag, tuple(f.lines)) for f in self.fields)


HBCI_NEXT = re.compile(r"-\+@\d+@")
INTERIM = ("34F", "13", "13D", "90C", "90D")   # the fields of an MT942 interim report
PENDING = "pending line of an MT942 interim report (booked when an MT940 lists it)"
ENVELOPE = re.compile(r"^\{1:[^}]*\}(\{2:[^}]*\})?(\{3:(\{[^}]*\})*\})?\{4:")


def read_fields(lines: Iterable[str], path: str) -> Iterator[tuple[Statement, Field | None]]:
    """The file's fields, each with its statement as the field ends (a field's wrapped
    lines follow it), and (statement, None) as a statement ends; envelopes and header
    lines left out. The one reader of the whole read and the stream: `lines` as
    str.splitlines() cuts the text.

    A line of a lone `-` ends a statement, but in a line's :86: (before the closing
    balance) only where the next field is a new statement's (:20:, or the end of the
    file); where another field of the statement follows (:62F:), it was text wrapped onto
    a line of its own (Rabobank's :86: ending in `-`).
    A tag SWIFT does not know inside an :86: is its text too (a time wrapped as `:26:37`).
    A second, other :25: in one statement is an error: its lines would go to the first."""
    current: Statement | None = None
    last: Field | None = None
    held: list[str] = []   # a lone `-` and the lines after it, until a field says which it was
    closed = False         # the statement's closing balance has come
    account: str | None = None   # the statement's :25:
    for number, raw in _numbered(lines):
        line = ENVELOPE.sub("", raw.rstrip())
        m = TAG.match(line)
        if held:
            if m and m.group(1) not in ("20", "940") and last is not None:
                last.lines.extend(h for h in held if h.strip())   # text, the statement goes on
                held = []
            elif not m and not line.startswith(("-}", "{")) and line.lstrip() != "-":
                held.append(line)
                continue
            else:   # a new statement, an envelope or the end: the `-` ended this one
                yield current, last
                yield current, None
                current = last = None
                held = []
        if line.lstrip() == "-" and last is not None and last.tag == "86" and not closed:
            held = [line.strip()]   # in the text of a line's :86:
            continue
        # `-+@446@`: a FinTS response's framing between its booked MT940 and its pending MT942,
        # left in the file by a client that saved the response (phpFinTS, Sparkasse)
        if line.lstrip() in ("-", "-}") or line.startswith(("-}", "{5:")) or HBCI_NEXT.fullmatch(line.strip()):
            if current is not None:
                yield current, last
                yield current, None
            current = last = None
            continue
        if m and m.group(1) != "940":
            if m.group(1) not in KNOWN_TAGS:
                if last is not None and last.tag in ("86", "NS"):
                    last.lines.append(line)
                    continue
                raise StatementError(path, number, f"unknown field :{m.group(1)}: (expected :20:, :25:, :28C:, "
                                     ":60F:, :61:, :86:, :62F: and the other MT940 fields)")
            if current is not None:
                yield current, last
            if m.group(1) == "20" or current is None:
                if current is not None:
                    yield current, None
                current, closed, account = Statement(number), False, None
            if m.group(1) == "25":
                if account is not None and account.strip() != m.group(2).strip():
                    raise StatementError(path, number, f"a second account :25:{m.group(2).strip()} in the "
                                         f"statement of line {current.line}, which is of account {account.strip()} "
                                         "(expected one :25: a statement, each statement after its :20:)")
                account = m.group(2)
            closed = closed or m.group(1) in ("62F", "62M")
            last = Field(m.group(1), number, [m.group(2)])
        elif last is not None and line.strip():
            last.lines.append(line)
        # else: a bank header line (ABNANL2A, 940, :940:), an envelope, or padding
    if current is not None:
        yield current, last
        yield current, None


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """The lines with their numbers in the file; a line that starts with `@@` is cut at
    each `@@`, HBCI's line break (Volksbank Mittelhessen sends a statement as one line
    `@@:20:STARTUMS@@:25:…`): its pieces keep the number of the line they are on."""
    for number, raw in enumerate(lines, 1):
        if raw.startswith("@@"):
            for piece in raw.split("@@")[1:]:
                yield number, piece
        else:
            yield number, raw


def statements(text: str, path: str) -> list[Statement]:
    """The file cut into statements of tagged fields, envelopes and header lines left out."""
    out: list[Statement] = []
    for st, f in read_fields(text.splitlines(), path):
        if f is None:
            out.append(st)
        else:
            st.fields.append(f)
    if not out:
        raise StatementError(path, 1, NO_STATEMENT)
    return out


def with_info(fields: Iterable[Field]) -> Iterator[tuple[Field, list[Field]]]:
    """Each :61: of a statement's fields, with the :86: and :NS: fields right after it:
    one :86:, or several when the bank goes on about the same line in a new :86: (Banca
    Transilvania, ING's old two-account files), and a bank's own :NS: (Sberbank); none
    if it has none. A :86: after a :62F: is about the statement, not a line."""
    line, info = None, []
    for f in fields:
        if line is not None and f.tag in ("86", "NS"):
            info.append(f)
            continue
        if line is not None:
            yield line, info
        line, info = (f if f.tag == "61" else None), []
    if line is not None:
        yield line, info


def info_text(info: list[Field]) -> str:
    """The text of a line's :86: fields, a later one joined to the first with a space:
    a new field is a new piece of the text, never the rest of a word cut at 65."""
    return " ".join(t for t in (f.text for f in info if f.tag == "86") if t)


OWN_SUBFIELD = re.compile(r"^(\d{2})(.*)$")
OWN_PURPOSE, OWN_NAME, OWN_POSTING = range(1, 15), (15, 16), 17


def own_details(info: list[Field]) -> dict[str, str]:
    """Payee and memo of a line's :NS: fields (the DFÜ layout of German banks, also
    Sberbank Hungary's): a line each subfield, its number first. The purpose lines
    `01`–`14` are the memo, else the posting text `17`; the other party is `15`, which
    `16` continues (as German `?32`/`?33`: `ERGO Versicherung AG Fiókte` + `lep`). A
    line without a number goes on with the subfield before it."""
    parts: dict[int, list[str]] = {}
    number = None
    for f in info:
        if f.tag != "NS":
            continue
        for line in f.lines:
            m = OWN_SUBFIELD.match(line.strip())
            if m:
                number = int(m.group(1))
            if number is not None:
                parts.setdefault(number, []).append(m.group(2) if m else line)

    def said(numbers, sep=" ") -> str:
        return " ".join(sep.join(v for n in numbers for v in parts.get(n, ())).split())
    return {"payee": said(OWN_NAME, ""), "memo": said(OWN_PURPOSE) or said([OWN_POSTING])}


def amount_of(text: str, path: str, line: int, what: str, whole: bool = False) -> Decimal:
    """An amount with its decimal comma (`107,50`, `107,`); `whole`: a whole amount may
    come without it (Knab writes a :61: of 500.00 as `500`, its type right after)."""
    if text.count(",") != 1 and not (whole and "," not in text):
        raise StatementError(path, line, f"{what} expected an amount with a decimal comma like 107,50, got {text!r}")
    return money(bounded(Decimal(text.replace(",", ".").rstrip(".") or "0"), path, line, what.rstrip(":"), text))


def a_date(yymmdd: str) -> dt.date:
    """YYMMDD; an impossible day (160230) is clamped to the month's last day."""
    year, month, day = 2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if year > dt.date.today().year + 10:
        year -= 100
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def booking_date(value: dt.date, mmdd: str) -> dt.date:
    """The entry date MMDD in the year nearest the value date."""
    month, day = int(mmdd[:2]), int(mmdd[2:])
    year = value.year + (1 if month - value.month < -6 else -1 if month - value.month > 6 else 0)
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def balance_of(f: Field, path: str) -> tuple[Decimal, dt.date, str]:
    m = BALANCE.match(f.text.replace(" ", ""))
    if not m:
        raise StatementError(path, f.line, f":{f.tag}: expected C or D, YYMMDD, currency and amount like "
                             f"C260301EUR1234,56, got {f.text!r}")
    try:
        day = a_date(m.group("date"))
    except ValueError:
        raise StatementError(path, f.line, f":{f.tag}: no such date {m.group('date')!r}") from None
    sign = 1 if m.group("mark") == "C" else -1
    return sign * amount_of(m.group("amount"), path, f.line, f":{f.tag}:"), day, m.group("currency")


def details(info: str) -> dict[str, str]:
    """Payee, memo and end-to-end id from a structured :86: (German ?-subfields, Dutch
    /TAG/ pairs), or the whole text as the memo."""
    mark = subfield_mark(info)
    if mark:
        parts: dict[str, str] = {}
        for key, value in re.findall(rf"\{mark}(\d{{2}})([^{mark}]*)", info):
            parts[key] = parts.get(key, "") + value
        first = 20
        if mark == ">" and BIC.fullmatch(parts.get("20", "").strip()) and IBAN.fullmatch(parts.get("21", "").strip()):
            first = 22   # Triodos since SEPA: >20 the other party's BIC, >21 its IBAN, the text after
        purpose = "".join(parts.get(str(k), "") for k in [*range(first, 30), *range(60, 64)])
        sepa = dict(SEPA.findall(purpose))
        return {"payee": " ".join((parts.get("32", "") + parts.get("33", "")).split()),
                "memo": sepa.get("SVWZ", "").strip() or " ".join(f"{parts.get('00', '')} {purpose}".split()),
                "end-to-end-id": end_to_end_id(sepa.get("EREF"))}
    if DUTCH.match(info):
        pieces = DUTCH.split(info)
        pairs = {pieces[i]: pieces[i + 1].strip("/ ") for i in range(1, len(pieces) - 1, 2)}
        eref = end_to_end_id(pairs.get("EREF"))
        # ING: /CNTP/account/BIC/name/city/ (the other party, its parts by single slashes)
        cntp = (pieces[pieces.index("CNTP") + 1].split("/") + ["", "", ""])[2] if "CNTP" in pairs else ""
        return {"payee": pairs.get("NAME", "") or cntp.strip(),
                "memo": pairs.get("REMI", "").removeprefix("USTD//") or eref, "end-to-end-id": eref}
    return {"payee": "", "memo": " ".join(info.split()), "end-to-end-id": ""}


class Importer(BankImporter):
    kind = "mt940 statement"
    accounts_apart = True
    account_names = re.compile(rb"(?m)(?:^|@@):25:([^\r\n@]*)")

    def matches(self, head: str) -> bool:
        # (`@@` may stand for the line breaks: _numbered)
        if not re.search(r"^(\{1:[^\n]*|@@)?:20:", head, re.M) or not re.search(r"(^|@@):6[01][FM]?:", head, re.M):
            return False
        accounts = re.findall(r"(?:^|@@):25:(.*?)(?=@@|$)", head, re.M)
        return any(self.is_mine(a) for a in accounts) if self.source.account_id else True

    def parse(self, filepath: str) -> Extraction:
        # Of a file with an error the whole read says the first in the order the statements,
        # their accounts, then their lines find them.
        return self.streamed_or_whole(str(filepath))

    def _whole(self, path: str) -> Extraction:
        out, closings, line_id = Extraction(), Closings(path, self.source.account), LineIds()
        repeats = Repeats(path)
        found = statements(read_text(path, self.source.encoding, WESTERN_ENCODINGS), path)
        # A file of MT940 statements may end with an MT942 of the pending lines (German
        # banks' FinTS exports "with Vormerkposten"): those are skipped, as they come again
        # booked in a later MT940; a file of MT942 alone is refused.
        statement_940 = any(st.get("60F", "60M", "62F", "62M") for st in found)
        for st in self.own_statements(path, found, Statement.account, lambda s: s.all("61"), out):
            opening, closing = st.get("60F", "60M"), st.get("62F", "62M")
            interim = st.get(*INTERIM)
            if opening is None and closing is None and interim is not None and statement_940:
                out.rows += len(st.all("61"))
                out.skipped[PENDING] += len(st.all("61"))
                continue
            if opening is None and closing is None and interim is not None:
                raise StatementError(path, interim.line, f"an MT942 interim transaction report (:{interim.tag}:, no "
                                     ":60F: opening or :62F: closing balance), not an MT940 statement: its lines "
                                     "come again in the day's MT940, which is the file to import; leave this one out")
            if opening is None or closing is None:
                raise _cut_off(st, path)
            balance_of(opening, path), balance_of(closing, path)   # their errors before the lines'
            if repeats.again(st.key(), st.line, st.content(), st.label(), len(st.all("61")), out):
                continue
            self._book(st, st.fields, path, out, closings, line_id)
        out.entries += closings.assertions()
        return out

    def _streamed(self, path: str, lines) -> Extraction:
        """Each line booked as it ends in the file (its :86: read), never a statement held
        whole: only its other fields are kept (:20:, :25:, :60F:, :62F:, …). The whole read's
        books, or _Unusual where the stream cannot tell (_whole reads the file then)."""
        out, closings, line_id = Extraction(), Closings(path, self.source.account), LineIds()
        repeats = Repeats(path)
        numbers: set[str] = set()
        stream = read_fields(self.each(_Lines(path, lines)), path)
        found = booked = False
        for st, f in stream:   # a statement's first field
            found = True
            while f is not None and f.tag != "61":   # its fields before its first line, or all
                st.fields.append(f)
                _, f = next(stream)
            if f is not None and st.get("25") is None:
                raise _Unusual("a line before the statement's account")
            number = st.account()
            numbers.add(number)
            if len(numbers) > 1 and not self.source.account_id:   # _whole names them all
                raise _Unusual("statements of several accounts",
                               several_accounts(path, st.line, numbers, at_least=True))
            rest = _rest(st, f, stream)
            if not self.claims(number, out):
                other_account(out, number, sum(x.tag == "61" for x in rest))
            elif f is not None and st.get("60F", "60M") is None:
                # read whole, booked if an opening comes after the lines; if none does, said
                lines = sum(x.tag == "61" for x in rest)
                if booked and st.get("60F", "60M", "62F", "62M") is None and st.get(*INTERIM) is not None:
                    out.rows += lines   # an MT942 of pending lines after the MT940 (as _whole)
                    out.skipped[PENDING] += lines
                    continue
                said = None if st.get("60F", "60M") else _cut_off(st, path)
                raise _Unusual("a line before the opening balance", said)
            elif repeats.named_before(st.key()):
                raise _Unusual("a statement again")   # _whole compares the two
            else:
                self._book(st, rest, path, out, closings, line_id)
                booked = True
        if not found:
            raise StatementError(path, 1, NO_STATEMENT)
        out.entries += closings.assertions()
        return out

    def _book(self, st: Statement, fields: Iterable[Field], path: str, out: Extraction, closings: Closings,
              line_id: LineIds) -> None:
        """One statement of this account booked: its lines as `fields` hands them on (the
        fields of a statement read whole; in the stream, each as it ends), then its
        balances. `st` holds its opening balance before the lines, its closing after."""
        account = st.account()
        start, opened, currency = balance_of(st.get("60F", "60M"), path)
        booked, earliest, last = Decimal(0), None, None
        for f, info in with_info(fields):
            out.rows += 1
            entry = self._line(f, info, path, account, currency, line_id)
            if entry is None:
                out.skip(ZERO_AMOUNT)
                continue
            out.entries.append(entry)
            booked += entry.postings[0].units.number
            earliest, last = min(earliest or entry.date, entry.date), max(last or entry.date, entry.date)
        closing = st.get("62F", "62M")
        if closing is None:   # (streamed: the whole read says it before the lines' errors)
            raise _Unusual("no closing balance", _cut_off(st, path))
        end, end_day, end_currency = balance_of(closing, path)
        # :60F: is the balance at the end of the day before the statement: it covers the
        # days after that to :62F:, lines or not (coverage.py).
        first = opened + dt.timedelta(days=1)
        out.period = (min(first, *(out.period or (first,))), max(end_day, *(out.period or (end_day,))))
        label = st.label()
        # (of the day its first line is, where :60F: is dated that day too: Sparkasse's daily statements)
        own_days(out, label, min(first, end_day), end_day, (earliest, last), {currency: start}, {end_currency: end},
                 day_start=st.get("60F", "60M").tag == "60F")
        if end_currency != currency:
            raise StatementError(path, closing.line, f":{closing.tag}: closing balance in {end_currency}, "
                                 f"the opening balance in {currency} (expected one currency)")
        # Asserted the day after the last line, or after the balance's date where that is
        # earlier: some banks (Rabobank) date :62F: on the next statement's day.
        closings.statement(out, label, closing.line, min(end_day, last or end_day), currency, start, booked, end,
                           final=closing.tag == "62F", opened=opened, first=earliest)

    def _line(self, f: Field, info: list[Field], path: str, account: str, currency: str, line_id: LineIds):
        first, *supplementary = f.lines
        m = LINE_61.match(first.strip())
        if not m:
            raise StatementError(path, f.line, f":61: expected value date YYMMDD, optional entry date MMDD, "
                                 f"C/D/RC/RD, amount like 12,50 and a type like NTRF, got {first.strip()!r}")
        amount = SIGN[m.group("mark")] * amount_of(m.group("amount"), path, f.line, ":61:", whole=True)
        raw_value = m.group("value")
        try:
            value = a_date(raw_value)
        except ValueError:
            raise StatementError(path, f.line, f":61: no such value date {raw_value!r}") from None
        day = booking_date(value, m.group("entry")) if (m.group("entry") or "").strip() else value
        written = f"{value.year}-{raw_value[2:4]}-{raw_value[4:]}"  # as written, also Feb 30
        text = info_text(info)
        parsed, own = details(text), own_details(info)
        ref, bank_ref = clean(m.group("ref")), clean(m.group("bank") or "")
        # what the :86: does not say, the bank's own :NS: may (Sberbank's lines have no :86:)
        memo = parsed["memo"] or own["memo"] or text or ref
        kind = m.group("type").strip()
        # the first :86: alone, as before later ones were read: a line keeps its id
        first_86 = next((i.text for i in info if i.tag == "86"), "")
        # Known by the bank's reference where :61: gives one, else by what the line means:
        # its first :86: read unspaced, so that one wrapped at another column, or given
        # fields after those read (Rabobank's /ISDT/), is the same line (banking.LineIds.of).
        # The customer's reference is no id: banks write one for many lines (`EREF`, `KREF+`).
        meaning = details(unspaced(first_86))
        customer_ref = "" if ref == "NONREF" else ref
        ident = line_id.of(day, (account_key(account), m.group("mark"), amount, currency),
                           (bank_ref if bank_ref.upper() != "NONREF" else "",),
                           (kind, customer_ref, raw_value, " ".join(supplementary), meaning["payee"],
                            meaning["memo"], meaning["end-to-end-id"], own["payee"], own["memo"]))
        # the id releases before gave it: a digest of its text as written (a line without a
        # type before NONREF, Penta's, as when NONR was read as its type)
        id_kind, id_ref = ("NONR", ref[4:]) if not kind and ref.startswith("NONREF") else (kind, ref)
        former = line_id.former(day, amount, currency, account, id_kind, id_ref, bank_ref, raw_value,
                                " ".join(supplementary), first_86)
        if amount == 0:
            return None
        meta = {"id": ident, "_was": was(ident, former), "bank-ref": bank_ref, "customer-ref": customer_ref,
                "end-to-end-id": parsed["end-to-end-id"], "type": kind,
                "reversal": "true" if m.group("mark").startswith("R") else None,
                "value-date": written if written != day.isoformat() else None,
                "counter-account": clean(" ".join(supplementary)) or None}
        return self.bank_line(path, f.line, day, amount, currency, parsed["payee"] or own["payee"], memo, meta)


def _rest(st: Statement, first: Field | None, stream: Iterator[tuple[Statement, Field | None]]) -> Iterator[Field]:
    """A streamed statement's fields from its first line (`first`) to its end, each as it
    ends; those other than lines and their :86: and :NS: are kept in `st` as they pass."""
    if first is None:
        return
    st.last = first.line
    yield first
    for _, f in stream:
        if f is None:
            return
        if f.tag not in ("61", "86", "NS"):
            st.fields.append(f)
        st.last = f.line
        yield f


def _cut_off(st: Statement, path: str) -> StatementError:
    """A statement without an opening or closing balance, said at its last field."""
    label = st.get("20").text if st.get("20") else ""
    return StatementError(path, st.last or st.fields[-1].line, f"statement {label} has no :60F: opening or :62F: closing balance "
                          "(is the file cut off?)")


class _Lines(StreamedText):
    """The lines of a streamed file (text.text_stream) as str.splitlines() cuts the whole
    text (also at U+2028 and U+2029), with progress() in bytes for StatementImporter.each."""

    def __iter__(self) -> Iterator[str]:
        for line in self.pieces(self.read):
            yield from line.splitlines()
