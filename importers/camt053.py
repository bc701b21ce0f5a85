"""ISO 20022 CAMT.053 bank-to-customer statements, versions .001.02 to .001.08 (read
by local element names, so the namespace of the version does not matter), with any
number of `Stmt` in one file.

Each booked `Ntry` posts once, as the bank booked it, against what explains it
(banking.py); `AcctSvcrRef`, the bank's own reference, is its id:

    2014-12-31 * "NAME NAME" "4654654654654654" ^…
      id: "AAAASESS-FP-CN_98765/01"
      type: "PMNT/RCDT/BOOK"
      end-to-end-id: "MUELL/FINP/RA12345"
      Assets:Bank:Eur                   8.85 EUR
      Assets:Suspense                  -8.85 EUR

The closing booked balance (`CLBD`) of each statement becomes a `balance` assertion
on the day after its date, per currency (a balance stamped at midnight, Wise's
`2026-07-01T00:00:00+02:00`, is the closing balance of the day before). A `DtTm` in
UTC is an instant, dated in the books' zone (`timezone`, toolkit books_time): an entry
booked `2026-02-01T05:10:00Z` is booked on 31 Jan in Los Angeles, a balance or period
end `2026-02-01T07:59:59Z` (or `T08:00:00Z`, midnight there) is 31 Jan's; one in the
bank's own offset keeps the bank's day, as written. The id keeps the date written. The traps:
- a batch (one `Ntry`, several `TxDtls`) is booked once, for the entry's amount; the
  details' references are kept (`detail-refs`) and their sum is checked against it;
- `Sts` PDNG (pending), INFO and FUTR are not booked money: counted as skipped;
- `RvslInd` true marks a reversal. `CdtDbtInd` is still the direction of this entry
  (ISO 20022: "if CdtDbtInd is DBIT and RvslInd is true, the original operation was a
  credit"), so the sign is not flipped; the entry gets `reversal: "true"`;
- `Amt` is always positive: the sign comes from `CdtDbtInd` and nowhere else;
- the memo is the details' remittance text (`RmtInf/Ustrd`) and `AddtlNtryInf` both
  (entry_memo): German banks put the posting text in the one and the rent or payout id
  in the other, and the rules and `match` read the memo;
- an exchange (`CcyXchg`) is kept as `fx-pair`/`fx-rate` for the fx-gap check, the amount
  instructed (`InstdAmt`) as `original-amount`; where the entry's amount disagrees with
  them, the rate judged is the one booked (exchange);
- the opening is `OPBD` (else `PRCD`), and opens the books even with no closing balance;
- `AcctSvcrRef` `NONREF` (German banks) is no reference; where the entry gives none, the
  `AcctSvcrRef` of its one `TxDtls` is its id (DNB bankas); one given to two different
  entries is qualified by a digest of the second (PostFinance);
- camt.052 reports and camt.054 notifications are refused by name, not booked;
- a `Stmt` the file lists again (its account, `Id` and opening) is read once; listed
  again with other entries, refused (banking.Repeats).
An entry without a bank reference is known by its `NtryRef` (with its day, amount and
currency), else by what it says with its spacing removed (LineIds.of): a download again
whose `Ustrd` is cut into other pieces, or pretty-printed, finds the same entry. XML is
parsed with defusedxml: entity declarations and external references are refused, not
expanded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from beanclear.importers.banking import (BankImporter, Closings, LineIds, Repeats, Unusual, end_to_end_id,
                                         other_account, own_days, read_whole_or_say, several_accounts, unspaced,
                                         was)
from beanclear.books.idset import Ids
from beanclear.importers.base import ZERO_AMOUNT, Extraction
from beanclear.importers.toolkit import (MAX_AMOUNT_DIGITS, StatementError, XmlNode, XmlParts, applied_rate,
                                         books_day, books_time, bounded, clean, currency_places, inside_day, iso_time,
                                         read_xml)
from beanclear.importers.toolkit.tables import head_bytes
from beanclear.importers.toolkit.text import errors_read_whole

NOT_BOOKED = {"PDNG": "pending (not booked)", "INFO": "information only (not booked)",
              "FUTR": "future-dated (not booked yet)"}
OPENING, CLOSING = ("OPBD", "PRCD"), "CLBD"
DECIMALS = 5   # ISO 20022's amounts have at most five (fractionDigits)
AMOUNT = re.compile(r"^\d+(\.\d{1,%d})?$" % DECIMALS)
CURRENCY = re.compile(r"^[A-Z]{3}$")
RATE = re.compile(r"^\d+(\.\d+)?$")
STATEMENT = ("BkToCstmrStmt", "Stmt")
PARTS = (STATEMENT[:1], STATEMENT, STATEMENT + ("Ntry",))   # what the streamed read hands on as it ends


class _Unusual(Unusual):
    """A file the streamed read cannot follow as the whole read would."""


# ISO 20022 messages that look like a statement but are not one: refused by name, not booked.
# A camt.052 report is intraday (its entries may still be pending, its balances interim) and
# a camt.054 notification reports single debits or credits that the camt.053 of the day
# lists again: booking either beside the statements would count money twice.
NOT_STATEMENTS = {"BkToCstmrAcctRpt": "a camt.052 account report (intraday, <BkToCstmrAcctRpt>)",
                  "BkToCstmrDbtCdtNtfctn": "a camt.054 debit/credit notification (<BkToCstmrDbtCdtNtfctn>)"}


OTHER_MESSAGE = re.compile(r"<(?:[\w.-]+:)?(" + "|".join(NOT_STATEMENTS) + r")[\s/>]")


def not_camt(path: str, root: XmlNode) -> StatementError:
    # Found in the start of the file, the same whether it was read whole or streamed
    # (the stream does not build the root's other children).
    head = (head_bytes(path) or b"").decode("utf-8", "replace")
    head = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), head, flags=re.S)   # lines kept
    other = OTHER_MESSAGE.search(head)
    if other:
        line = head.count("\n", 0, other.start()) + 1
        return StatementError(path, line, f"{NOT_STATEMENTS[other.group(1)]} is not a statement: beanclear books "
                              "the bank's end-of-day camt.053 statements (<BkToCstmrStmt>); import those for these "
                              "days instead")
    return StatementError(path, root.line, f"<{root.tag}> is not a CAMT.053 statement (expected "
                          "Document/BkToCstmrStmt)")


def no_statement(path: str, node: XmlNode) -> StatementError:
    """A BkToCstmrStmt without any Stmt (genkgo's camt053.wrong.xml): not a statement."""
    return StatementError(path, node.line, "<BkToCstmrStmt> holds no <Stmt> (expected at least one account "
                          "statement)")


class _Ids(LineIds):
    """The ids of a file's entries: digests for lines without a bank reference
    (LineIds), and the bank's reference itself, qualified by a digest of the entry
    where the file gives one reference to two different entries (PostFinance's test
    statement: 07582000303KBMSU on a 1537.00 and a 1692.22 credit). An entry listed
    twice exactly keeps the one id: the import books it once."""

    def __init__(self):
        super().__init__()
        self.refs = Ids()   # reference -> digest of its first entry (on disk past idset.LIMIT_IDS)

    def bank(self, ref: str, content: tuple, former: tuple) -> tuple[str, str]:
        """(the id of an entry with reference `ref`, the id releases before gave it): the
        entry qualified by `content`, what it says unspaced (LineIds.of), where that is
        another than the first entry of the reference's; before, by `former`, as written."""
        digest = hashlib.sha1("|".join(map(str, content)).encode()).hexdigest()[:12]
        if self.refs.add(ref, digest) or self.refs.get(ref) == digest:
            return ref, ref
        return f"{ref}-{digest[:8]}", f"{ref}-{hashlib.sha1('|'.join(map(str, former)).encode()).hexdigest()[:8]}"


@dataclass
class _Statement:
    node: XmlNode
    number: str
    mine: bool
    booked: dict[str, tuple[Decimal, dt.date, dt.date]]   # currency -> the sum of its booked entries, the earliest's and latest's day
    currency: str = ""   # its account's (`Acct/Ccy`), where it states one


def statement_key(st: XmlNode) -> tuple:
    """What names a statement (banking.Repeats): its account, `Id`, sequence numbers and
    opening balances (in a stream, those before its first entry: where ISO 20022 puts them)."""
    openings = [(b.value("Tp/CdOrPrtry/Cd"), b.value("Amt"), b.find("Amt").attrib.get("Ccy", ""),
                 b.value("CdtDbtInd"), b.value("Dt/Dt") or b.value("Dt/DtTm"))
                for b in st.findall("Bal") if b.value("Tp/CdOrPrtry/Cd") in OPENING and b.find("Amt") is not None]
    return (Importer._number(st), st.value("Id"), st.value("ElctrncSeqNb"), st.value("LglSeqNb"), tuple(openings))


def content(node: XmlNode) -> tuple:
    """All an element says, without the lines it is on."""
    return (node.tag, tuple(sorted(node.attrib.items())), node.text.strip(), tuple(map(content, node.children)))


def money(node: XmlNode | None, path: str, what: str, signed_by: XmlNode | None = None) -> tuple[Decimal, str]:
    """An `Amt Ccy="EUR"` amount, negative when the `CdtDbtInd` beside it is DBIT. As
    ISO 20022 writes it (ActiveOrHistoricCurrencyAndAmount): digits, at most five
    decimals, no sign (`CdtDbtInd` says the direction), no exponent, and a currency code
    of three letters (`usd` read as USD); anything else is an error naming its line."""
    if node is None:
        raise StatementError(path, signed_by.line if signed_by is not None else 0, f"{what}: no <Amt>")
    raw, currency = node.text.strip(), node.attrib.get("Ccy", "").strip().upper()
    if not AMOUNT.match(raw) or not CURRENCY.match(currency):
        raise StatementError(path, node.line, f"{what}: expected an amount like <Amt Ccy=\"EUR\">12.34</Amt> (at "
                             f"most {DECIMALS} decimals, no sign), got {raw!r} in "
                             f"{node.attrib.get('Ccy') or 'no currency'!r}")
    amount = bounded(Decimal(raw), path, node.line, what, raw)
    if signed_by is not None:
        indicator = signed_by.value("CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise StatementError(path, signed_by.line, f"{what}: <CdtDbtInd> expected CRDT or DBIT, got {indicator!r}")
        amount = -amount if indicator == "DBIT" else amount
    return amount, currency


def stamp_text(raw: str) -> dt.date | dt.datetime | None:
    """`2014-12-31T13:15:00+01:00` as the time written, with its offset; a date alone, or
    a date followed by what is no ISO time, as the date; None where no date begins it."""
    raw = (raw or "").strip()
    when = iso_time(raw) if len(raw) > 10 else None
    if when is not None:
        return when
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def stamp_of(node: XmlNode | None, path: str, what: str) -> dt.date | dt.datetime | None:
    """`<Dt>2014-01-05</Dt>` as its date, `<DtTm>2014-12-31T13:15:00+01:00</DtTm>` as stamp_text has it."""
    if node is None:
        return None
    day, raw = node.value("Dt"), node.value("DtTm")
    stamp = stamp_text(day[:10] if day else raw)
    if stamp is None:
        raise StatementError(path, node.line, f"{what}: expected a date like 2026-03-01, got {day or raw!r}")
    return stamp


def balance_day(node: XmlNode | None, path: str, what: str, tz) -> dt.date | None:
    """The day whose end a balance is: its date, or the day before where it is stamped at
    midnight in the books (`<DtTm>2026-07-01T00:00:00+02:00</DtTm>`, Wise: the balance at
    the first instant of July 1 is June 30's closing balance, before anything of July 1;
    `2026-02-01T08:00:00Z` in Los Angeles is January 31's)."""
    stamp = stamp_of(node, path, what)
    if isinstance(stamp, dt.datetime) and books_time(stamp, tz).time() == dt.time(0):
        return books_day(stamp, tz) - dt.timedelta(days=1)
    return books_day(stamp, tz)


NO_REFERENCE = "NONREF"   # what German banks (FinTS camt, carried over from MT940's :61:) write for "none"


def bank_reference(entry: XmlNode, details: list[XmlNode]) -> str:
    """The bank's own id of an entry: its `AcctSvcrRef`, else that of its one detail (DNB
    bankas gives it only in `TxDtls/Refs`). `NONREF` is no reference: several entries of
    one statement carry it."""
    refs = [entry.value("AcctSvcrRef")] + ([details[0].value("Refs/AcctSvcrRef")] if len(details) == 1 else [])
    return next((clean(r) for r in refs if clean(r) and clean(r).upper() != NO_REFERENCE), "")


def status(entry: XmlNode) -> str:
    return entry.value("Sts/Cd") or entry.value("Sts") or entry.value("Sts/Prtry")


def bank_code(entry: XmlNode) -> str:
    code = entry.find("BkTxCd/Domn")
    if code is not None:
        return "/".join(p for p in (code.value("Cd"), code.value("Fmly/Cd"), code.value("Fmly/SubFmlyCd")) if p)
    return entry.value("BkTxCd/Prtry/Cd")


def entry_memo(info: str, texts: list[str]) -> str:
    """The memo of an entry: what its details say the money is for (`RmtInf/Ustrd`, else
    `AddtlTxInf` or the creditor's reference) and the entry's `AddtlNtryInf`, both, for
    the rules and `match` read the memo: German banks send the posting text in
    AddtlNtryInf (`LASTSCHRIFT/UEBERWEISUNG`) and "Miete 07/2026" or a payout id in
    Ustrd. A text the other holds is said once (AddtlNtryInf `NAME Miete 07/2026` over
    its Ustrd `Miete 07/2026`):

        ["Miete 07/2026"], "LASTSCHRIFT"  ->  "Miete 07/2026; LASTSCHRIFT"
        ["Miete 07/2026"], "HUBER Miete 07/2026"  ->  "HUBER Miete 07/2026"
    """
    plain = " ".join(info.split())
    said = [t for t in texts if " ".join(t.split()) not in plain]
    if not said:
        return info
    joined = "; ".join(said)
    return joined if not plain or plain in " ".join(joined.split()) else f"{joined}; {info}"


def party(detail: XmlNode, role: str) -> str:
    return detail.value(f"RltdPties/{role}/Nm") or detail.value(f"RltdPties/{role}/Pty/Nm")


def once(holder: XmlNode, path: str, *where: str) -> None:
    """An element ISO 20022 gives at most once (a transaction's `AmtDtls`, its `InstdAmt`):
    given twice, which one holds is not known, and the second is never ignored."""
    for part in where:
        found = holder.findall(part)
        if len(found) > 1:
            raise StatementError(path, found[1].line, f"<{part.split('/')[-1]}>: given twice (expected one: "
                                 "which of them to book cannot be known)")


def exchange(holder: XmlNode, path: str, amount: Decimal, currency: str, notes: list[str]) -> dict:
    """fx-pair and fx-rate of a detail's (or an entry's: ISO 20022 puts `AmtDtls` in
    either) currency exchange, the rate quoted currency per unit currency (`XchgRate` =
    UnitCcy/QtdCcy), and the amount instructed (`InstdAmt`) as `original-amount`: what a
    credit the bank converted takes from transit (banking.sent_units).

    The statement's own numbers must hold together. The amount instructed is an amount as
    money() reads them, more than zero; the rate a number more than zero; an exchange of
    an amount instructed in another currency than the entry's is one between those two
    (SrcCcy EUR beside a USD InstdAmt contradicts it): each else an error naming its line.
    The entry's amount may still differ from the amount instructed at the rate stated, as
    a bank takes its charges out of a credit (FORMATS 7d): the line is booked as the bank
    booked it, and then `fx-rate` is the rate booked (Amt/InstdAmt), the one fx-gap
    judges, the bank's kept as `stated-rate` and the difference said in `notes` (a credit
    of 100.00 GBP stating 989.82 USD at 0.7887 lost 680.67 GBP: never a payout settled in
    full at 0.7887)."""
    once(holder, path, "AmtDtls", "AmtDtls/InstdAmt", "AmtDtls/InstdAmt/Amt")
    instructed, sent = holder.find("AmtDtls/InstdAmt"), None
    if instructed is not None:
        sent_node = instructed.find("Amt")
        if sent_node is None:
            raise StatementError(path, instructed.line, "<InstdAmt>: no <Amt> (expected the amount instructed)")
        sent = money(sent_node, path, "<InstdAmt>")
        if not sent[0]:
            raise StatementError(path, sent_node.line, f"<InstdAmt>: an amount sent of {sent_node.text.strip()} "
                                 f"{sent[1]} (expected the amount instructed, more than zero)")
        sent = (sent[0], sent[1], sent_node.text.strip())
    for where in ("AmtDtls/InstdAmt", "AmtDtls/TxAmt", "AmtDtls/CntrValAmt"):
        fx = holder.find(where + "/CcyXchg")
        written = fx.find("XchgRate") if fx is not None else None
        if written is None:
            continue
        stated = written.text.strip()
        rate = Decimal(stated) if RATE.match(stated) else Decimal(0)
        if not rate or len(rate.as_tuple().digits) > MAX_AMOUNT_DIGITS:
            raise StatementError(path, written.line, f"<XchgRate>: expected a rate like 0.7887 (more than zero, at "
                                 f"most {MAX_AMOUNT_DIGITS} digits), got {stated[:60]!r}")
        named = {tag: fx.value(tag).upper() for tag in ("SrcCcy", "TrgtCcy", "UnitCcy", "QtdCcy") if fx.value(tag)}
        for tag, code in named.items():
            if not CURRENCY.match(code):
                raise StatementError(path, fx.find(tag).line, f"<{tag}>: expected a currency code like EUR, "
                                     f"got {fx.value(tag)[:60]!r}")
        source, target = named.get("SrcCcy", ""), named.get("TrgtCcy", "")
        unit = named.get("UnitCcy") or source
        quoted = named.get("QtdCcy") or (target if unit == source else source)
        converted = sent is not None and sent[1] != currency
        if converted and not set(named.values()) <= {sent[1], currency}:
            other = next((tag, code) for tag, code in named.items() if code not in (sent[1], currency))
            raise StatementError(path, fx.line, f"<CcyXchg>: an exchange of {other[1]} ({other[0]}), but "
                                 f"{sent[2]} {sent[1]} sent are booked in {currency} (expected an exchange between "
                                 f"{sent[1]} and {currency}: the statement contradicts itself)")
        if not (unit and quoted and unit != quoted):
            continue
        found = {"fx-pair": f"{unit}/{quoted}", "fx-rate": stated,
                 "original-amount": f"{sent[2]} {sent[1]}" if sent is not None else None}
        if converted and amount:
            found.update(_booked_rate(sent, amount, currency, unit, rate, stated, written.line, notes))
        return found
    return {}


def _booked_rate(sent: tuple, amount: Decimal, currency: str, unit: str, rate: Decimal, stated: str, line: int,
                 notes: list[str]) -> dict:
    """The rate to judge of an entry of `amount` `currency` that states `sent` (amount,
    currency, as written) instructed at `rate` (`unit` per the other): nothing where the
    amounts agree at that rate within what their places and the rate's leave open, else
    the rate booked, the one stated beside it, and a note."""
    size, cent = abs(amount), Decimal(1).scaleb(-currency_places(currency))
    with localcontext(Context(prec=80)):   # 24 digits by 24 (bounded), exactly: never a traceback
        per_sent = rate if unit == sent[1] else 1 / rate   # `currency` per unit sent
        implied = sent[0] * per_sent
        slack = (cent                                                               # the entry's last place
                 + Decimal(5).scaleb(sent[0].as_tuple().exponent - 1) * per_sent    # half the amount sent's
                 + size * Decimal(5).scaleb(rate.as_tuple().exponent - 1) / rate)   # half the rate's
        if abs(size - implied) <= slack:
            return {}
        implied = implied.quantize(cent)
        gap = size - implied
    booked = applied_rate(sent[0], size, currency) if unit == sent[1] else applied_rate(size, sent[0])
    notes.append(f"line {line}: {sent[2]} {sent[1]} sent at the stated rate {stated} are {implied} {currency}, but "
                 f"the entry says {size} {currency} ({abs(gap)} {currency} {'less' if gap < 0 else 'more'}): the "
                 f"rate judged is the one booked, {booked:f}, not the one stated")
    return {"fx-rate": f"{booked:f}", "stated-rate": stated}


class Importer(BankImporter):
    kind = "camt.053 statement"
    accounts_apart = True
    account_names = re.compile(rb"<(?:\w+:)?(?:IBAN|Id)>\s*([A-Za-z0-9 ./-]+?)\s*</")
    text_statement = False

    def matches(self, head: str) -> bool:
        if "BkToCstmrStmt" not in head and not any(tag in head for tag in NOT_STATEMENTS):
            return False
        ids = re.findall(r"<(?:\w+:)?(?:IBAN|Id)>\s*([A-Za-z0-9 ./-]+?)\s*</", head)
        return any(self.is_mine(i) for i in ids) if self.source.account_id else True

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        try:
            return self._streamed(path)
        except StatementError:
            # What the whole read says: of a file with an error, the first in the order
            # read_xml, the statements' accounts, then their entries find them (up to
            # text.ERRORS_WHOLE_UP_TO: a tree is ~21 times the file).
            if not errors_read_whole(path):
                raise
        except _Unusual as unusual:
            read_whole_or_say(path, unusual)
        return self._whole(path)

    def _streamed(self, path: str) -> Extraction:
        """Each entry booked as it ends in the file, never the statement held whole: the
        whole read's books, or _Unusual where it cannot tell (_whole reads it then)."""
        out, closings, line_id = Extraction(), Closings(path, self.source.account), _Ids()
        repeats = Repeats(path)
        numbers: set[str] = set()
        statement, found = None, False
        parts = XmlParts(path, PARTS)
        begun = 0
        for node, ancestors in self.each(parts):
            if len(ancestors) == 1:   # BkToCstmrStmt ended
                if not begun:
                    raise no_statement(path, node)
                found = True
                continue
            st = ancestors[2] if len(ancestors) == 3 else node
            if statement is None or statement.node is not st:
                statement = self._begins(path, st, numbers, out)
                begun += 1
                if statement.mine and repeats.named_before(statement_key(st)):
                    raise _Unusual("a statement again")   # _whole compares the two
            if node is st:   # the statement ended: its balances after its entries
                if self._number(st) != statement.number:
                    raise _Unusual("its account is named after its entries")
                if statement.mine:
                    self._period(st, out)
                    self._balances(st, path, out, closings, statement.booked)
                statement = None
                continue
            if statement.mine:
                self._book(node, path, out, line_id, statement.booked, statement.currency)
            else:
                other_account(out, statement.number, 1)
        if not found:   # the whole read's error: the stream has read what it says before
            raise not_camt(path, parts.root)
        out.entries += closings.assertions()
        return self._inside(out)

    def _begins(self, path: str, st: XmlNode, numbers: set[str], out: Extraction) -> "_Statement":
        """A statement met in the stream: whether it is this account's, as own_statements decides."""
        number = self._number(st)
        numbers.add(number)
        if len(numbers) > 1 and not self.source.account_id:   # _whole names them all
            raise _Unusual("statements of several accounts", several_accounts(path, st.line, numbers, at_least=True))
        return _Statement(st, number, self.claims(number, out), {}, clean(st.value("Acct/Ccy")).upper())

    def _whole(self, path: str) -> Extraction:
        root = read_xml(path)
        statements = root.findall("BkToCstmrStmt/Stmt")
        if root.find("BkToCstmrStmt") is None:
            raise not_camt(path, root)
        if not statements:
            raise no_statement(path, root.find("BkToCstmrStmt"))
        out, closings, line_id = Extraction(), Closings(path, self.source.account), _Ids()
        repeats = Repeats(path)
        for st in self.own_statements(path, statements, self._number, lambda s: s.findall("Ntry"), out):
            entries = st.findall("Ntry")
            if repeats.again(statement_key(st), st.line, content(st), st.value("Id"), len(entries), out):
                continue
            self._period(st, out)
            booked: dict[str, tuple[Decimal, dt.date, dt.date]] = {}
            of = clean(st.value("Acct/Ccy")).upper()   # the account's currency, where the statement states it
            for entry in self.each(entries):
                self._book(entry, path, out, line_id, booked, of)
            self._balances(st, path, out, closings, booked)
        out.entries += closings.assertions()
        return self._inside(out)

    def _book(self, entry: XmlNode, path: str, out: Extraction, line_id: _Ids, booked: dict, of: str = "") -> None:
        """One `Ntry` read: its transaction, if it moves booked money, added to `out`
        and to `booked` (currency -> the statement's sum so far, its earliest day and its latest).
        An entry's amount is in its account's currency (`of`, the statement's `Acct/Ccy`):
        one in another is refused (a blind tester's EUR line of a USD account was booked
        as EUR on it, a balance note the only sign)."""
        out.rows += 1
        txn = self._entry(entry, path, out, line_id)
        if txn is not None and of and txn.postings[0].units.currency != of:
            raise StatementError(path, entry.line, f"<Ntry> in {txn.postings[0].units.currency}, but the statement "
                                 f"is of a {of} account (<Acct><Ccy>): an entry's <Amt> is in its account's currency "
                                 f"(expected {of}; an amount sent in another goes in <AmtDtls>)")
        if txn is not None:
            out.entries.append(txn)
            units = txn.postings[0].units
            total, first, last = booked.get(units.currency, (Decimal(0), txn.date, txn.date))
            booked[units.currency] = (total + units.number, min(first, txn.date), max(last, txn.date))

    def _period(self, st: XmlNode, out: Extraction) -> None:
        """The days the statement covers, entries or not (coverage.py)."""
        stated = self._stated(st)
        if stated:
            out.period = (min(stated[0], *(out.period or stated)), max(stated[1], *(out.period or stated)))

    def _stated(self, st: XmlNode) -> list[dt.date] | None:
        """The first and last day of the statement's `FrToDt`, or None where it states none."""
        stated = [books_day(stamp_text(st.value(f"FrToDt/{tag}")), self.config.timezone)
                  for tag in ("FrDtTm", "ToDtTm")]
        return stated if all(stated) else None

    @staticmethod
    def _number(st: XmlNode) -> str:
        return clean(st.value("Acct/Id/IBAN") or st.value("Acct/Id/Othr/Id"))

    def _moments(self, st: XmlNode, out: Extraction, opened: list, closed: list, booked: dict) -> dt.datetime | None:
        """The moment the statement starts and the one it ends, into the file's earliest start
        and latest end (Extraction.starts_inside, ends_inside; `_inside`, once the file is read,
        keeps them where they are inside a day): its opening balance's stamp where that is a
        time (`OPBD` at `2026-03-10T14:00:00+01:00`: the balance of that moment), else its
        `FrDtTm`, else the start of the day it opens (`opened`: (stamp, day) of its opening
        balances) or of its first entry; its closing balance's stamp where that is a time,
        else its `ToDtTm`, else the end of that balance's day (`closed`, alike). In the books'
        zone (books_time: a time in the bank's own offset keeps its wall clock). Returns the start."""
        tz = self.config.timezone
        times = lambda stamps: [books_time(s, tz) for s in stamps if isinstance(s, dt.datetime)]  # noqa: E731
        days = [day + dt.timedelta(days=1) for _, day in opened] + [first for _, first, _ in booked.values()]
        start = min(times([stamp for stamp, _ in opened]) or times([stamp_text(st.value("FrToDt/FrDtTm"))])
                    or [dt.datetime.combine(day, dt.time()) for day in days], default=None)
        end = max(times([stamp for stamp, _ in closed]) or times([stamp_text(st.value("FrToDt/ToDtTm"))])
                  or [dt.datetime.combine(day, dt.time(23, 59, 59)) for _, day in closed], default=None)
        if start is not None:
            out.starts_inside = min(start, out.starts_inside or start)
        if end is not None:
            out.ends_inside = max(end, out.ends_inside or end)
        return start

    @staticmethod
    def _inside(out: Extraction) -> Extraction:
        """The file read: its start and end moments kept where they are inside a day (inside_day)."""
        out.starts_inside = inside_day(out.starts_inside, start=True)
        out.ends_inside = inside_day(out.ends_inside)
        return out

    def _balances(self, st: XmlNode, path: str, out: Extraction, closings: Closings, booked: dict) -> None:
        opening, closing, others, stamps = {}, {}, [], {}
        for bal in st.findall("Bal"):
            code = bal.value("Tp/CdOrPrtry/Cd") or bal.value("Tp/CdOrPrtry/Prtry")
            if code not in OPENING + (CLOSING,):
                others.append(code)
                continue  # available, interim and forward balances: not the booked balance of the day
            amount, currency = money(bal.find("Amt"), path, f"<Bal> {code}", bal)
            day = balance_day(bal.find("Dt"), path, f"<Bal> {code}", self.config.timezone)
            if day is None:
                raise StatementError(path, bal.line, f"<Bal> {code}: no <Dt> (expected the date of the balance)")
            if code == "PRCD" and currency in opening and opening[currency][3] == "OPBD":
                continue  # both stated: the opening booked balance is the statement's own opening
            stamps[code in OPENING, currency] = (stamp_of(bal.find("Dt"), path, f"<Bal> {code}"), day)
            if code in OPENING:
                opening[currency] = (amount, day, bal.line, code)
            else:
                closing[currency] = (amount, day, bal.line)
        moment = self._moments(st, out, [at for (first, _), at in stamps.items() if first],
                               [at for (first, _), at in stamps.items() if not first], booked)
        if others and not opening and not closing:   # Siauliu bankas (LT): OPAV and CLAV only
            out.notes.append(f"statement {st.value('Id')}: only {'/'.join(dict.fromkeys(others))} balances, no booked "
                             "one (OPBD/CLBD): nothing to open the books with or to assert (set opening_balance "
                             "in config.yaml)")
        for currency, (amount, day, line, _) in opening.items():
            if currency not in closing:
                # An opening with no closing balance (genkgo's only-Dt file): still the
                # balance at the start of the statement, asserted there, so that the books
                # open with it (openings come with a first assertion).
                first = booked.get(currency, (None, None))[1]
                closings.opening(out, currency, amount, day, first)
                start = min(day + dt.timedelta(days=1), first or day + dt.timedelta(days=1))
                closings.running(line, start - dt.timedelta(days=1), currency, Decimal(0), amount)
        for currency, (amount, day, line) in closing.items():
            start = opening.get(currency)
            total, first, _ = booked.get(currency, (Decimal(0), None, None))
            if booked and currency not in booked:
                out.notes.append(f"statement {st.value('Id')}: closing balance in {currency}, but its entries "
                                 f"are in {', '.join(sorted(booked))}")
            closings.statement(out, st.value("Id"), line, day, currency, start[0] if start else None, total, amount,
                               opened=start[1] if start else None, first=first)
        # its own days: those it states, else from the day after its opening's date (or its
        # first entry's, a bank dating OPBD the statement's day) to its closing's
        stated = self._stated(st) or [min([day + dt.timedelta(days=1) for _, day, *_ in opening.values()]
                                          + [day for _, day, _ in closing.values()], default=None),
                                      max((day for _, day, _ in closing.values()), default=None)]
        days = [day for _, first, last in booked.values() for day in (first, last)]
        own_days(out, st.value("Id"), *stated, (min(days, default=None), max(days, default=None)),
                 {c: amount for c, (amount, *_) in opening.items()}, {c: amount for c, (amount, *_) in closing.items()},
                 day_start=inside_day(moment, start=True) is None)   # (an opening of 14:00 is no day's)

    def _entry(self, entry: XmlNode, path: str, out: Extraction, line_id: _Ids):
        state = status(entry)
        if state in NOT_BOOKED:
            out.skip(NOT_BOOKED[state])
            return None
        if not state:
            raise StatementError(path, entry.line, f"<Ntry> without <Sts> (expected its status: BOOK, "
                                 f"{', '.join(NOT_BOOKED)})")
        if state != "BOOK":
            raise StatementError(path, entry.line, f"<Sts>: unknown entry status {state!r} "
                                 f"(expected BOOK, {', '.join(NOT_BOOKED)})")
        amount, currency = money(entry.find("Amt"), path, "<Ntry>", entry)
        stamp = stamp_of(entry.find("BookgDt"), path, "<BookgDt>") or stamp_of(entry.find("ValDt"), path, "<ValDt>")
        if stamp is None:
            raise StatementError(path, entry.line, "<Ntry> without <BookgDt> or <ValDt> (expected its date)")
        day = books_day(stamp, self.config.timezone)
        details = entry.findall("NtryDtls/TxDtls")
        refs = [d.value("Refs/EndToEndId") or d.value("Refs/AcctSvcrRef") or d.value("Refs/InstrId")
                for d in details]
        refs = [r for r in refs if end_to_end_id(r)]
        # The other party: the debtor of a credit, the creditor of a debit (either, where
        # a bank names only one).
        roles = ("Dbtr", "Cdtr") if amount > 0 else ("Cdtr", "Dbtr")
        names = {party(d, roles[0]) or party(d, roles[1]) for d in details} - {""}
        texts = [" ".join(n.text.strip() for n in d.findall("RmtInf/Ustrd")) or d.value("AddtlTxInf")
                 or d.value("RmtInf/Strd/CdtrRefInf/Ref") for d in details]
        texts = list(dict.fromkeys(t for t in texts if t))
        payee = names.pop() if len(names) == 1 else ""
        info = entry.value("AddtlNtryInf")
        memo = entry_memo(info, texts) or bank_code(entry) or "bank entry"
        # The id of a line without a bank reference is a digest of what it says: of the memo
        # as it was read before the remittance text joined AddtlNtryInf, so that statements
        # imported before find their lines again rather than booking them twice.
        digested = info or "; ".join(texts) or bank_code(entry) or "bank entry"
        batch = entry.find("NtryDtls/Btch")
        meta = {"type": bank_code(entry), "reversal": "true" if entry.value("RvslInd").lower() == "true" else None}
        if len(details) > 1 or batch is not None:
            # A batch is booked once, as the bank booked it; its details only explain it.
            meta["batch"] = (batch.value("PmtInfId") or batch.value("MsgId")) if batch is not None else None
            meta["detail-refs"] = ", ".join(refs) or None
            self._check_batch(entry, details, amount, currency, path, out)
        elif details:
            meta["end-to-end-id"] = refs[0] if refs else None
            meta.update(exchange(details[0], path, amount, currency, out.notes))
        if "fx-rate" not in meta:   # the amounts' details of the entry itself (Credit Suisse)
            meta.update(exchange(entry, path, amount, currency, out.notes))
        ident = bank_reference(entry, details)
        # The digest takes the day as written, not as booked: the same in any books' zone,
        # and as before UTC times were dated in it (an overlapping statement finds it again).
        written = stamp.date() if isinstance(stamp, dt.datetime) else stamp
        content = (written, amount, currency, meta["type"], entry.value("NtryRef"), payee, digested, *refs)
        if ident:   # (`former`: the id releases before gave it, of its text as written)
            ident, former = line_id.bank(ident, (*content[:5], unspaced(payee), unspaced(digested), *refs), content)
        else:   # known by its NtryRef, else by what it says unspaced (LineIds.of)
            ident = line_id.of(written, (amount, currency), (entry.value("NtryRef"),),
                               (meta["type"], payee, digested, *refs))
            former = line_id.former(*content)
        if amount == 0:
            out.skip(ZERO_AMOUNT)
            return None
        return self.bank_line(path, entry.line, day, amount, currency, payee, memo,
                              {"id": ident, "_was": was(ident, former), "entry-ref": entry.value("NtryRef"), **meta})

    @staticmethod
    def _check_batch(entry: XmlNode, details: list[XmlNode], amount: Decimal, currency: str, path: str,
                     out: Extraction) -> None:
        parts = [d.find("AmtDtls/TxAmt/Amt") or d.find("Amt") for d in details]
        if details and all(p is not None for p in parts):
            total = sum(money(p, path, "<TxDtls>")[0] for p in parts)
            if total != abs(amount):
                out.notes.append(f"line {entry.line}: the batch's {len(details)} details add up to {total} "
                                 f"{currency}, the entry says {abs(amount)} (booked the entry)")
