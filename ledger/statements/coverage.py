"""The days each source's statements cover (DESIGN.md §2, "Coverage is known").

Every import records, per statement, the first and last day it covers, as a custom
directive in the source's own month file:

    2026-03-31 custom "beanclear-coverage" "icbc" 2026-01-01 "9f86d081884c"
      id: "coverage 2026-01-01 2026-03-31 9f86d081884c"
      statement: "icbc-2026Q1.csv"
      digest: "sha256:9f86d081884c7d65…"

The digest is of the statement's bytes (its name plays no part): a file the books
record by its digest is not read again (books/importing.py), under any name. Its first
twelve digits are the record's third value too (the statement's name, without a
digest): Beancount's `noduplicates` plugin, which a person's main.beancount may run,
compares entries without their metadata, and would take the records of two statements
of one source and first day (a trade and a fund bill of a month) for one written twice.
Records written before have two values, and are read as they are. Where the digest of
the statement's text is another than its bytes' (text_digest: a file saved with CRLF, a
BOM, in GBK or UTF-16), the record holds it too, `text: "sha256:…"`: a file of that text
in other bytes (the statement saved again by Excel) is that statement, not read again
either, in either order (blind33: it wrote a record of its own, and its name sorting
first, renamed the opening after itself, while its summary said "0 entries written").
A statement that states its period (CAMT `FrToDt`, OFX `DTSTART`/`DTEND`, a bill's
起始/终止时间) sets it on its Extraction; otherwise the period runs from its first line
to its last (a closing balance asserted on the next day covers the day before). The
checks judge a deadline only where the other side's statements cover the day
(`Coverage.end`), and report holes and early ends as `statement-gap` (gaps.py).

A statement whose stated period ends inside its last day (`终止日期：[2026年03月03日
14:00:00]`, a download cut at two in the afternoon: toolkit periods `Stated.ends_inside`)
holds the rows of that day up to then, and they are booked; the rest of the day is in
the next download. Its record says where it stops, `ends: "2026-03-03 14:00:00"`, and
still names the day (its digest is of that statement, however little of the day it
holds): the coverage counts the day covered only where a statement of all of it is in
the books too (`Coverage.of`). A next statement that starts the day after leaves it a
hole, and the balance it then asserts is off by the rows of that afternoon: one
`statement-gap` naming the day, that failure folded in (checks/missing_rows.py).

A statement read from its lines whose rows are timed in a zone of their own (Stripe's
reports: UTC, or the account's `timezone:`) is cut at that zone's day boundaries
(Extraction.zone_end): it runs to the end of its last row's day there. Where that end
falls inside its last day in the books' zone, its record says so in `ends:` as above: a
report of April in UTC, in New York, stops at 20:00 on 30 April, and covers 30 April only
once May's report, which starts there, is in too (its first line on 1 May: the evening of
30 April had none). In Shanghai the same report ends at 08:00 on 1 May: all of 30 April
is in it. Its record names that zone (`zone: "UTC"`; a Chinese export read from its lines
in books elsewhere, China's): the days after its last row, quiet or not, are that zone's,
and a report whose last row is on 28 April holds New York's 30 April only up to 20:00
too (Coverage.zone_cut).

So it starts where its first row's day in its zone starts (Extraction.zone_start), and
a stated period where it says (`starts_inside`): where that is not the midnight its first
day here starts at, its record says so, `starts: "2026-07-01 09:00:00"` (a report of July
in UTC, in Tokyo: the hours of 1 July before 09:00 are in June's report). It is not taken
to start earlier for quiet days before its first line (its zone's day starts there), and
the receivable check judges the orders of its channel from that moment
(`Coverage.start_at`): an order placed at 06:40 may have been paid in June's report.

A few days between two statements read from their lines are quiet (`QUIET_DAYS`: a
weekend without lines), or as many as the channel's or bank's `quiet_days:` says (a PayPal account
of a few annual plans, downloaded monthly: a month of two rows is not a hole). Not so between two windows an API was asked for (`period:
"asked"`: `beanclear fetch`'s Stripe day, a PayPal search): each day was asked, and one
no answer covers is a hole; nor between two statements that state periods of more than
a day each (a wallet's bill of the days someone chose): each says its days, quiet ones
too, and one in neither is in a statement not imported (_merged). A page of a listing whose older rows are in the next page
(`continues: "before"`) starts the day after its first line.

Whatever the statements, days across which the source's own balances carry on unbroken
(the first its statements assert after them is the last before them and the books' rows
between) are quiet, however many (Coverage.weigh: WeChat's Spring Festival without bills,
a bank's daily CAMT over Christmas); a balance that steps across them shows a statement
missing: a `statement-gap` whatever `quiet_days:` says (a hole, which names no setting;
or, where the setting takes the days as quiet, the step's own: checks/missing_rows.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

from beancount.core import data
from beancount.parser.grammar import ValueType

from beanclear.clock import today
from beanclear.checks.directives import COVERAGE as KIND
from beanclear.statements.carried import balances_over
DAY = dt.timedelta(days=1)
# Periods read from a statement's lines (no stated period) miss quiet days at either end:
# a gap this short between two of them is a weekend without lines, not a missing file.
QUIET_DAYS = 3
# A source whose statements read from their lines have lines on this share of their days
# (of BUSY_FROM days at least) has no quiet weekends: one day between two of them may be
# quiet, two are missing (seed 33174, a Stripe page of a busy shop left out: two days of
# sales, taken for quiet ones, were 20 order-unpaid).
BUSY = 0.9
BUSY_FROM = 14


def period(extraction) -> tuple[dt.date, dt.date] | None:
    """The days a statement covers: the period it states, widened to its first and last
    line (a file whose lines stray outside its stated period still covers them). A stated
    period that cannot be the statement's (toolkit not_coverage: it ends after today, holds
    none of its lines, reaches years past them) is not: its lines' days are, and the
    import says so (judged once, whatever the format that states it)."""
    lines = line_span(extraction)
    _judge(extraction, lines)
    days = list(lines or ())
    days += list(getattr(extraction, "period", None) or ())
    days += list(getattr(extraction, "held_days", None) or ())  # rows the books held: no entry built
    return (min(days), max(days)) if days else None


def _zone_end(extraction, last: dt.date) -> str | None:
    """The moment a statement read from its lines, timed in a zone of its own, ends where
    that is inside its last day in the books' zone (Extraction.zone_end: the end of its
    last row's day in its zone, 20:00 in New York for a report in UTC), or None."""
    end = getattr(extraction, "zone_end", None)
    if end is None or end.date() != last or end.time() == dt.time(0):
        return None
    return f"{end:%Y-%m-%d %H:%M:%S}"


def _zone_start(extraction, first: dt.date) -> str | None:
    """The moment a statement starts, where that is not the start of its first day in
    the books' zone: read from its lines, timed in a zone of its own, where its first
    row's day there starts (Extraction.zone_start: 09:00 on 1 July in Tokyo for a report
    in UTC; 20:00 on 30 June in New York, the day before its first line's); a stated
    period's start inside its first day (Extraction.starts_inside: China's day from 09:00
    in Los Angeles). None where it starts at midnight of its first day."""
    if getattr(extraction, "continues_before", False):   # its rows go on in the page before it
        return None
    start = getattr(extraction, "zone_start", None) if not getattr(extraction, "period", None) else \
        getattr(extraction, "starts_inside", None)
    if start is None or start == dt.datetime.combine(first, dt.time(0)) or start.date() > first:
        return None
    return f"{start:%Y-%m-%d %H:%M:%S}"


def _judge(extraction, lines) -> None:
    """A stated period not_coverage refuses, dropped from the extraction and said in its notes."""
    # (imported here: the checks read coverage records in every load and never judge a period)
    from beanclear.importers.toolkit.periods import not_coverage, unread_period
    stated = getattr(extraction, "period", None)
    if not stated or getattr(extraction, "asked", False):   # an API's window is what was asked, not stated
        return
    held = getattr(extraction, "held_days", None)
    if held:
        lines = (min(held[0], *(lines or held)), max(held[1], *(lines or held)))
    why = not_coverage(stated, lines, today())
    if why:
        said = getattr(extraction, "period_said", None)
        line, text = said or (None, f"the period it states, {stated[0]} to {stated[1]}")
        extraction.period = None
        if getattr(extraction, "statements", None):   # nor the days each of its statements states
            extraction.statements = []
        if getattr(extraction, "starts_inside", None) is not None:   # nor the moments it says it starts
            extraction.starts_inside = None
        if getattr(extraction, "ends_inside", None) is not None:     # and ends (its record's `ends:`)
            extraction.ends_inside = None
        extraction.notes.append(unread_period(line, text, why))


_NONE = object()


class Days:
    """The first and last day of the lines of a statement, a fold over its entries (a
    balance asserted on a day covers the day before); `span` is None without lines."""

    def __init__(self):
        self.span = None
        self.active: set = set()   # the days of its transactions: how busy the source is (BUSY)
        # each of those days -> the line of its first transaction, and the days that have
        # transactions of more than one line: a row far from every other (belonging.strays)
        self.lines: dict = {}
        self.again: set = set()

    def add(self, entry) -> None:
        if isinstance(entry, data.Transaction):
            day = entry.date
            line = entry.meta.get("lineno")
            first = self.lines.get(day, _NONE)
            if first is _NONE:
                self.active.add(day)
                self.lines[day] = line
            elif first != line:
                self.again.add(day)
        elif isinstance(entry, data.Balance):
            day = entry.date - DAY
        else:
            return
        span = self.span
        if span is None:
            self.span = (day, day)
        elif day < span[0]:
            self.span = (day, span[1])
        elif day > span[1]:
            self.span = (span[0], day)


def line_span(extraction) -> tuple[dt.date, dt.date] | None:
    """Days over the extraction's entries; a pass over them (they may be on disk) made
    once: the result is kept with the entries it is of (the import fills it in while
    it passes over them anyway: `extraction.line_span`)."""
    entries = extraction.entries
    known = getattr(extraction, "line_span", None)
    if known is not None and known[0] is entries:
        return known[1]
    days = Days()
    for entry in entries:
        days.add(entry)
    extraction.line_span = (entries, days.span)
    extraction.active_days = days.active | getattr(extraction, "held_active", set())
    extraction.line_days = len(extraction.active_days)
    return days.span


class Run:
    """Statements of a file of several whose days touch or overlap, each opening where the
    one before closes: one coverage record (parts)."""

    def __init__(self, first):
        self.first, self.last, self.opens, self.tail = first.first, first.last, first, first

    def takes(self, statement) -> bool:
        """Whether `statement` (the next by its first day) goes on from the run: it starts
        on a day of it (two of one day are one record: a statement in pages, a day's
        second statement), or the day after it ends, opening where it closed (or inside a
        day: MT940's `:60M:`)."""
        if statement.first > self.last + DAY:
            return False
        return statement.first <= self.last or not statement.day_start or statement.chains_from(self.tail)

    def add(self, statement) -> None:
        if statement.last >= self.last:
            self.last, self.tail = statement.last, statement


def parts(extraction, span: tuple[dt.date, dt.date]) -> list[tuple[dt.date, dt.date, object]]:
    """(first, last, its first statement or None) of each record of a statement whose
    days are `span`: one, but for a file of several statements (Extraction.statements:
    MT940 `:20:` blocks, CAMT.053 `<Stmt>`s), which covers each statement's own days, not
    the days between two (quiet where the balances carry on over them, a gap where they
    step: Coverage.weigh), as the statements in files of their own would (blind29: a line
    the bank left out between two, booked by hand on such a day, was money counted twice).
    Those of touching days are one record, but where one opens on another amount than the
    one before it closed: its record says what it opens with (`opens:`), which the books
    did not hold then (statements/chained.py). The first starts where the file's days do,
    the last ends there."""
    stated = sorted(getattr(extraction, "statements", None) or (), key=lambda s: (s.first, s.last))
    if not stated:
        return [(*span, None)]
    runs = [Run(stated[0])]
    for statement in stated[1:]:
        if runs[-1].takes(statement):
            runs[-1].add(statement)
        else:
            runs.append(Run(statement))
    out = [(run.first, run.last, run.opens) for run in runs]
    out[0] = (min(span[0], out[0][0]), *out[0][1:])
    out[-1] = (out[-1][0], max(span[1], out[-1][1]), out[-1][2])
    return out


def records(source: str, extraction, path, shows_payouts: bool = True, digest: str | None = None,
            form: str | None = None, text: str | None = None) -> list[data.Custom]:
    """The coverage directives of one imported statement (parts: one, but of a file of
    several statements with days between them), none for a statement of no days."""
    span = period(extraction)
    if span is None or getattr(extraction, "single_object", False):
        return []   # (a webhook's one object covers no day: the day's other rows may be anywhere)
    found = parts(extraction, span)
    return [record(source, extraction, path, shows_payouts, digest, form, (first, last), opens,
                   at == 0, at == len(found) - 1, len(found) > 1, text)
            for at, (first, last, opens) in enumerate(found)]


def record(source: str, extraction, path, shows_payouts: bool = True, digest: str | None = None,
           form: str | None = None, span=None, opens=None, starts: bool = True, ends: bool = True,
           apart: bool = False, text: str | None = None) -> data.Custom | None:
    """The coverage directive of one imported statement, or None for a statement of no days.
    A statement that cannot show payouts (a trade bill) says so: `payouts: "no"`; `digest`
    (file_digest()) is the statement's bytes; `form`, of a bank's statement, the format
    it is in, whatever the others' (belonging.one_format). `span`: the days of one of its
    records (parts; `starts`, `ends`: whether it is the first, the last; `apart`: one of
    several), `opens` the statement it starts with (StatementDays); `text`: text_digest(), said
    where it is not `digest` (a file saved with CRLF, a BOM, in GBK: its copy in other bytes is
    known by it)."""
    span = span or period(extraction)
    if span is None or getattr(extraction, "single_object", False):
        return None   # (a webhook's one object covers no day: the day's other rows may be anywhere)
    first, last = span
    meta = data.new_metadata(str(path), 0)
    # A trade view and a fund view of one month cover the same days but not the same things.
    # (with its digest: a statement downloaded again with a line more covers the same days,
    # and its record, its digest, must be kept too, or it is read again on every import)
    short = digest.split(":")[-1][:12] if digest else None
    meta.update({"id": f"coverage {first} {last}" + ("" if shows_payouts else " without payouts")
                 + (f" {short}" if short else ""),
                 "statement": Path(path).name})
    if digest:
        meta["digest"] = digest
        if text and text != digest:
            meta["text"] = text
    if not shows_payouts:
        meta["payouts"] = "no"
    if getattr(extraction, "account", None):
        meta["account"] = extraction.account  # a later statement of another account is not this source's
    if form:
        meta["format"] = form
    if opens is not None and opens.opens and opens.day_start and opens.first == first:
        # what its first statement says the account held at the start of its first day
        meta["opens"] = ", ".join(f"{amount} {currency}" for currency, amount in opens.opens)
    if not getattr(extraction, "period", None):
        meta["period"] = "lines"  # read from its first and last line: its quiet first days are unknown
        lined = getattr(extraction, "line_days", None)
        if lined and apart:   # (the days of this record's part of the file)
            lined = sum(first <= day <= last for day in getattr(extraction, "active_days", ()))
        if lined:
            meta["line-days"] = lined   # days it has lines on: whether its source has quiet days
        if ends and (cut := _zone_end(extraction, last)) is not None:
            meta["ends"] = cut   # its zone's day ends inside its last day here: covered in part (whole_to)
        if getattr(extraction, "zone", None) is not None:
            from beanclear.importers.toolkit.values import zone_name
            meta["zone"] = zone_name(extraction.zone)   # the days after its last row are that zone's (zone_cut)
    else:
        if getattr(extraction, "asked", False):
            meta["period"] = "asked"  # the window an API answered for: a day between two is unanswered
        if ends and getattr(extraction, "ends_inside", None) is not None and extraction.ends_inside.date() == last:
            meta["ends"] = f"{extraction.ends_inside:%Y-%m-%d %H:%M:%S}"   # its last day is covered in part (whole_to)
    if starts and (start := _zone_start(extraction, first)) is not None:
        meta["starts"] = start   # its first day here is its own from then on (Coverage.start_at)
    if getattr(extraction, "date_order", None):
        meta["dates"] = extraction.date_order   # how its own dates read: a later file's that read both ways alike
    if starts and getattr(extraction, "continues_before", False):
        meta["continues"] = "before"  # a page whose older rows are in the next page: its first day is partial
    return data.Custom(meta, last, KIND, [ValueType(source, str), ValueType(first, dt.date),
                                          ValueType(short or Path(path).name, str)])   # which statement


def whole_to(entry: data.Custom) -> dt.date:
    """The last day a coverage record's statement covers whole: the record's day, or
    the day before where its period ends inside it (`ends:`, the module's docstring)."""
    ends = entry.meta.get("ends")
    return entry.date - DAY if ends is not None else entry.date


def file_digest(path) -> str:
    """"sha256:<hex>" of a file's bytes: what a coverage record knows a statement by,
    whatever its name and whenever it is imported."""
    import hashlib
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
    return "sha256:" + sha.hexdigest()


# Not text: control characters no statement writes (a workbook's or a zip's bytes); a NUL
# is one a tool may leave in a cell (blind33's WeChat bill), TAB, LF, VT, FF, CR and SUB are text.
_BINARY = re.compile("[\x01-\x08\x0e-\x19\x1b-\x1f]")
_XML_ENCODING = re.compile(r"""^(<\?xml\b[^>]*?\sencoding\s*=\s*["'])([^"']*)(?=["'])""")


def text_digest(path) -> str | None:
    """"sha256:<hex>" of the text a statement's bytes write, however they write it: decoded
    as its BOM says (UTF-8, UTF-16), else as UTF-8, else as GB18030; without its BOM and
    NULs, every line ended by LF, an XML declaration's `encoding=` as UTF-8 (it says how
    the bytes are written). The text of a UTF-8 file without those is its bytes: the two
    digests are one. The same statement saved again by Excel or WPS (CRLF, a BOM),
    re-encoded (GBK, UTF-16) or with a NUL in a cell has another file_digest and this one:
    the import takes it for the statement a coverage record names by it (`text:`, where
    the two digests differ: books/importing.py). None for bytes that are no text. Each
    decoding is one-to-one, so two files of one text are one statement."""
    import codecs
    import hashlib
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        tries = ["utf-16"]
    else:
        tries = ["utf-8-sig", "gb18030"]
    for encoding in tries:
        sha, decoder, cr, first = hashlib.sha256(), codecs.getincrementaldecoder(encoding)(), False, True
        try:
            with open(path, "rb") as fh:
                while True:
                    chunk = fh.read(1 << 20)
                    text = decoder.decode(chunk, final=not chunk)
                    if first and text:
                        text, first = _XML_ENCODING.sub(_as_utf8, text.lstrip("\ufeff"), count=1), False
                    if _BINARY.search(text):
                        return None
                    # every line ended by LF, a CRLF cut between two chunks too
                    text = ("\r" if cr else "") + text.replace("\x00", "")
                    cr = bool(chunk) and text.endswith("\r")
                    if cr:
                        text = text[:-1]
                    sha.update(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
                    if not chunk:
                        return "sha256:" + sha.hexdigest()
        except UnicodeDecodeError:
            continue
    return None


def _as_utf8(found) -> str:
    """An XML declaration's encoding, as a UTF-8 file declares it (as written there)."""
    said = found.group(2).lower().replace("_", "-")
    return found.group(0) if said in ("utf-8", "utf8") else found.group(1) + "UTF-8"


class Coverage:
    """Per source, the merged spans of days its statements cover."""

    def __init__(self, spans: dict[str, list[tuple[dt.date, dt.date]]], payout_views: set[str] | None = None,
                 own: dict[str, list[tuple[dt.date, dt.date]]] | None = None, read_to_last_line: set | None = None,
                 asked: set | None = None, busy: set | None = None, quiet: dict[str, int] | None = None,
                 lines: set | None = None, partly: set | None = None,
                 sold: dict[str, list[tuple[dt.date, dt.date]]] | None = None,
                 cut: dict[str, dict[dt.date, tuple[str, str]]] | None = None,
                 opens: dict[str, dt.datetime] | None = None, until: dict[str, dt.date] | None = None,
                 ranges: set | None = None, carried: dict[str, list] | None = None,
                 zones: dict[str, dict] | None = None, tz=None):
        # (source, span) of the windows an API answered for: days between two are a hole
        self.asked: dict[str, set] = defaultdict(set)
        for named, span in asked or ():
            self.asked[named].add(span)
        self.busy = busy or set()   # sources without quiet days (BUSY)
        # source -> the days without lines its config allows (`quiet_days:`), and (source,
        # span) of the statements read from their lines, whose quiet days it is about
        self.quiet, self.lines = quiet or {}, defaultdict(set)
        for named, span in lines or ():
            self.lines[named].add(span)
        # (source, span) of the statements that state a period of more than a day: the
        # days between two of them are in neither, however few (_merged)
        self.ranges: dict[str, set] = defaultdict(set)
        for named, span in ranges or ():
            self.ranges[named].add(span)
        # source -> (from, to) of its own balances that carry on over the days between
        # (the one of `to` is the one of `from` and the books' rows between: Coverage.weigh),
        # and (first, last) of the holes its balance steps over (rows are missing there)
        self.carried: dict[str, list] = defaultdict(list, carried or {})
        self.stepped: dict[str, list] = defaultdict(list)
        self.spans = {source: self._merged(source, s) for source, s in spans.items()}
        # sources whose latest statement states no period: it ends at its last line, which
        # may be days before the day it was downloaded
        self.read_to_last_line = read_to_last_line or set()
        # each statement's own days, as recorded (neither merged nor widened to the others'
        # start), of the statements that show the source's balance moves in full (a trade
        # bill shows no payouts: its days say nothing of a fund bill's)
        self.days = {source: sorted(s) for source, s in (spans if own is None else own).items()}
        self._each = {source: sorted(s) for source, s in spans.items()}   # every statement's, trade bills' too
        self.payout_views = set(spans) if payout_views is None else payout_views
        # each statement's own days, of the statements that show the source's payments and
        # refunds: those and its trade bills (a day's 业务明细 lists every payment and refund
        # of the day), not a file of balances only (PayPal's `balances-…json`: no row)
        self.sold = {source: sorted(s) for source, s in (self.days if sold is None else sold).items()}
        self.partly = partly or set()   # sources recorded whose statements cover no day whole (a morning's)
        # source -> the last day a statement covers whole -> where it stops inside the next
        # (its record's `ends:`) and its name: the rest of that day is in the statement after it
        self.cut = cut or {}
        # source -> the moment its earliest statement starts, where a record says (`starts:`)
        self.opens = opens or {}
        # source -> the day its account ended, as its config says (`until:`): owed no statement after it
        self.until = until or {}
        # source -> the day of a statement read from its lines -> (the zone its days are of,
        # its name), where that is not the books' zone `tz` (its record's `zone:`), or None
        # where one of that day is of the books' days (zone_cut)
        self.zones, self.tz = zones or {}, tz
        self.by_hand: set[str] = set()   # sources kept by hand (hand_kept.py): the books are their statements

    @classmethod
    def of(cls, entries, config=None, books=None, mine=None, as_of: dt.date | None = None) -> "Coverage":
        """The coverage the books' records say; `config`: whose channels' `quiet_days`, and
        whose sources' accounts' balances tell a hole from quiet days (weigh); `books`: the
        books whose balance assertions and postings those are, where `entries` are their
        custom directives only (a load's Walk), else `entries`. `mine` (the transactions a
        person wrote, cut_over.is_own) and `as_of` (the books' statement date) where the
        caller has them, else read from the books: the sources kept by hand (hand_kept.py)
        are covered by the books themselves."""
        spans: dict[str, list] = defaultdict(list)
        payout_views, from_lines, asked, paged = set(), [], set(), set()
        stated = set()   # (source, span) of the statements that state a period of more than a day
        active: dict[str, list] = defaultdict(lambda: [0, 0])   # source -> [days with lines, days covered]
        trade_only: dict[str, set[int]] = defaultdict(set)   # statements that show no payouts, by position
        rowless: dict[str, set[int]] = defaultdict(set)      # of them, those without a row (balances only)
        partly = set()   # sources of a statement that covers no day whole (a morning's download)
        cut: dict[str, dict] = defaultdict(dict)   # source -> whole_to -> (ends, statement), of those cut inside a day
        opens: dict[str, dt.datetime] = {}   # source -> where its earliest statement starts (start_at)
        said_start = set()   # (source, at) of the statements read from their lines whose record says where they start
        zones: dict[str, dict] = defaultdict(dict)   # source -> day -> (zone, statement) (Coverage.zones)
        # A statement read from its lines that stops inside a day where its zone's day ends
        # (a report in UTC, 20:00 in New York) is followed by the statement of the zone's
        # next day, which starts there: where one read from its lines starts that day or
        # the next (its first line after midnight: the rest of the day had none), the day
        # is whole (a report of one UTC day, in New York, covers no day whole by itself).
        starts = Counter((str(e.values[0].value), e.values[1].value) for e in entries
                         if isinstance(e, data.Custom) and e.type == KIND and len(e.values) >= 2
                         and e.meta.get("period") == "lines")
        for entry in entries:
            if isinstance(entry, data.Custom) and entry.type == KIND and len(entry.values) >= 2:
                source = str(entry.values[0].value)
                first, last = entry.values[1].value, whole_to(entry)
                if last < entry.date and entry.meta.get("period") == "lines" and (
                        starts[(source, entry.date)] > (first == entry.date) or starts[(source, entry.date + DAY)]):
                    last = entry.date
                named = entry.meta.get("statement") or entry.values[-1].value
                if last < entry.date:   # (of one that covers no day whole too: where the days before end)
                    cut[source][last] = (str(entry.meta["ends"]), str(named))
                if entry.meta.get("period") == "lines":
                    zone = _zone_of(entry.meta.get("zone"))
                    # (where one of that day is of the books' days, its quiet days are theirs)
                    known = zones[source].get(entry.date, ()) is not None
                    zones[source][entry.date] = (zone, str(named)) if zone and known else None
                if last < first:
                    partly.add(source)
                    continue
                spans[source].append((first, last))
                if entry.meta.get("payouts") != "no":
                    payout_views.add(source)
                else:
                    trade_only[source].add(len(spans[source]) - 1)
                    if entry.meta.get("period") == "lines" and not entry.meta.get("line-days"):
                        # its days are those of its balances: it has no line of a payment
                        # or refund (PayPal's balances file; a record older than line-days too)
                        rowless[source].add(len(spans[source]) - 1)
                if entry.meta.get("period") == "lines":
                    from_lines.append((source, len(spans[source]) - 1))
                    first_day, last_day = spans[source][-1]
                    # (a statement of one day has lines on all its days, however quiet its
                    # source: a bank downloaded as a file per day that has lines is no busier
                    # for it, and the weekend between two files is quiet: blind6's ICBC)
                    if entry.meta.get("line-days") and last_day > first_day:
                        active[source][0] += int(entry.meta["line-days"])
                        active[source][1] += (last_day - first_day).days + 1
                elif entry.meta.get("period") == "asked":
                    asked.add((source, spans[source][-1]))
                elif spans[source][-1][1] > spans[source][-1][0]:
                    stated.add((source, spans[source][-1]))
                if entry.meta.get("continues") == "before":
                    # a page whose older rows are in the next one: its first day is only
                    # partly in it, and the days before it are not quiet (seed 32081
                    # without the older of its two Stripe pages: its first orders unpaid)
                    start, end = spans[source][-1]
                    spans[source][-1] = (min(start + DAY, end), end)
                    paged.add((source, spans[source][-1]))
                    from_lines.append((source, len(spans[source]) - 1))
                said = entry.meta.get("starts") if entry.meta.get("continues") != "before" else None
                moment = _moment(said) if said else None
                if moment is not None:
                    said_start.add((source, len(spans[source]) - 1))
                moment = moment or dt.datetime.combine(spans[source][-1][0], dt.time(0))
                if source not in opens or moment < opens[source]:
                    opens[source] = moment
        # A statement read from its lines starts at its first line. Where that is a few
        # days after the first statement of any source, the days between were quiet (a
        # bank books nothing on a weekend): it starts with the others.
        first = min((span[0] for s in spans.values() for span in s), default=None)
        own = {source: [span for at, span in enumerate(s) if at not in trade_only[source]] for source, s in spans.items()}
        sold = {source: [span for at, span in enumerate(s) if at not in rowless[source]] for source, s in spans.items()}
        lines_at = set(from_lines)
        read_to_last_line = {source for source, s in spans.items()
                             if (source, max(range(len(s)), key=lambda at: s[at][1])) in lines_at}
        quiet = quiet_days(config)
        lines = {(source, spans[source][at]) for source, at in from_lines}
        for source, at in from_lines:
            start, end = spans[source][at]
            # (not one whose record says where it starts, `starts:`: a report cut at the days
            # of its zone starts where its first row's day there does, no earlier)
            if first and 0 < (start - first).days <= quiet.get(source, QUIET_DAYS) and (source, (start, end)) not in paged \
                    and (source, at) not in said_start:
                spans[source][at] = (first, end)
                lines.add((source, (first, end)))
        busy = {source for source, (lined, covered) in active.items() if covered >= BUSY_FROM and lined >= BUSY * covered}
        read = entries if books is None else books
        from beanclear.statements.hand_kept import hand_kept_sources   # (cut_over, which it reads, reads DAY here)
        by_hand = hand_kept_sources(read if mine is None else mine, config, spans, as_of) if spans and config else {}
        for source, span in by_hand.items():
            spans[source] = own[source] = sold[source] = [span]
            payout_views.add(source)
        cover = cls(spans, payout_views, own, read_to_last_line, asked, busy, quiet, lines, partly, sold, dict(cut),
                    opens, ended_on(config), stated, zones=dict(zones), tz=getattr(config, "timezone", None))
        cover.by_hand = set(by_hand)
        if config is not None:
            cover.weigh(read, config)
        return cover

    def stated_sold(self) -> dict[str, list[tuple[dt.date, dt.date]]]:
        """`sold` of the sources whose statements are imported (not those kept by hand):
        where a person's own entries are that money again (cut_over.overlaps)."""
        return {source: days for source, days in self.sold.items() if source not in self.by_hand}

    def weigh(self, books, config) -> None:
        """The holes between a source's statements across which its own balances carry on
        (the first its statements assert after them is the last before them and the books'
        rows between, in each currency they assert) are quiet days, however many: no row
        is missing (blind18: WeChat's Spring Festival without bills, a bank's daily CAMT
        over Christmas, each a statement-gap whatever `quiet_days:` said). Those a
        balance steps over stay holes, and are kept (`stepped`): rows are missing, and the
        hole names no setting (maybe_quiet). Only the books' holes are weighed (a pass over the
        books' balance assertions, one over the postings of their days), and only where
        the source's statements assert balances (a bank's, a channel's fund bill). Not of
        a source whose config narrows its quiet days below a weekend (`quiet_days: 0`:
        every day has a statement): it is taken at its word, for a day's rows may net to
        nothing (a withdrawal of all the day brought in) and leave the balance as it was."""
        gaps = {source: sorted(set(self.holes(source) + self.shown_holes(source))) for source in self.spans
                if self.quiet.get(source, QUIET_DAYS) >= QUIET_DAYS}
        gaps = {source: holes for source, holes in gaps.items() if holes}
        if not gaps:
            return
        carried, stepped = balances_over(books, config, gaps)
        for source, spans in stepped.items():
            self.stepped[source] = spans
        if carried:
            for source, spans in carried.items():
                self.carried[source] = spans
            self.spans = {source: self._merged(source, s) for source, s in self._each.items()}

    def _merged(self, source: str, spans: list) -> list[tuple[dt.date, dt.date]]:
        """_merged() of a source's spans, with what its config and records say of its quiet days."""
        return _merged(spans, self.asked[source], source in self.busy, self.quiet.get(source), self.lines[source],
                       self.ranges[source], self.carried.get(source, ()))

    def cut_after(self, source: str, day: dt.date) -> tuple[str, str] | None:
        """(`ends:`, statement) of a statement that covers the source's days whole up to
        `day` and goes on into the next, stopping inside it (a download cut at 14:00, a
        report in UTC whose day ends at 20:00 in New York), or None: the rest of that next
        day is in the statement after it."""
        return self.cut.get(source, {}).get(day)

    def shows_payouts(self, source: str) -> bool:
        """Whether any statement of the source could show its payouts (not only trade
        bills): else the bank's credits are all the books know of them. Books without
        coverage records are taken to show them."""
        return not self.recorded or source in self.payout_views

    @property
    def recorded(self) -> bool:
        """Whether the books record coverage at all (books made before it did not)."""
        return bool(self.spans or self.partly)

    def start(self, source: str) -> dt.date | None:
        spans = self.spans.get(source)
        return spans[0][0] if spans else None

    def start_at(self, source: str) -> dt.datetime | None:
        """The moment the source's statements start: the start of their first day
        (start), or where the earliest of them says it starts in or just before that day
        (its record's `starts:`): a report in UTC, in Tokyo, starts at 09:00 on 1 July,
        whose hours before are in June's report; in New York at 20:00 on 30 June, though
        its first line is of 1 July. None without a statement."""
        start = self.start(source)
        if start is None:
            return None
        midnight, opens = dt.datetime.combine(start, dt.time(0)), self.opens.get(source)
        if opens is None:
            return midnight
        return opens if opens.date() == start else min(opens, midnight)

    def end(self, source: str) -> dt.date | None:
        spans = self.spans.get(source)
        return spans[-1][1] if spans else None

    def uncovered(self, source: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """The first and the last day from `first` to `last` that no statement of the
        source covers (a quiet day without a bill, or a statement not imported), or
        None. The statements' own spans, not merged across quiet days as in `holes`."""
        return _uncovered(self.days.get(source, ()), first, last)

    def unsold(self, source: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """uncovered(), of the statements that show the source's payments and refunds: a
        day only its trade bill covers has them all in the books (its fund bill's rows
        missing are its payouts), one only a balances file covers has none."""
        return _uncovered(self.sold.get(source, ()), first, last)

    def last_uncovered(self, source: str, before: dt.date) -> dt.date | None:
        """The latest day before `before`, after the source's first statement begins,
        that no statement of it covers (as `uncovered` reads them), or None."""
        spans = self.days.get(source, ())
        if not spans:
            return None
        day = before - DAY
        for start, end in sorted(spans, key=lambda span: span[1], reverse=True):
            if end < day:
                return day if day >= spans[0][0] else None
            if start <= day:
                day = start - DAY
        return None

    def before_payouts(self, source: str) -> tuple[dt.date, dt.date] | None:
        """The first and last day before the first statement of the source that shows its
        payouts, from the first of its statements (a trade bill of the days before its
        fund bill), or None where none starts earlier."""
        shown, spans = self.days.get(source), self.spans.get(source)
        if not shown or not spans or spans[0][0] >= shown[0][0]:
            return None
        return spans[0][0], shown[0][0] - DAY

    def joined(self, sources) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
        """(first, last) day and holes of the statements of several sources read as one:
        the banks one account moved between (`bank: [boc, cmb]`, BOC's statements to
        its closing, CMB's from its opening)."""
        spans = _merged([span for name in sources for span in self.spans.get(name, [])])
        return ((spans[0][0], spans[-1][1]) if spans else None), _between(spans)

    def holes(self, source: str) -> list[tuple[dt.date, dt.date]]:
        """(first, last) missing day of every hole between a source's statements."""
        return _between(self.spans.get(source, []))

    def maybe_quiet(self, source: str, first: dt.date, last: dt.date) -> bool:
        """Whether a hole from `first` to `last` may be days without lines, which only the
        person knows (`quiet_days:`): beside a statement read from its lines (no stated
        period: days it had no line on may be the hole), or of one day (a source that makes
        none of a day without lines: WeChat's bills, a bank's CAMT of each business day).
        Not between two that state periods of more than a day each (`ranged`), nor two
        windows an API was asked for: each says its days; nor where the source's own
        balance steps over it (`stepped`: rows are missing there, whatever the setting)."""
        if any(a <= last and first <= b for a, b in self.stepped.get(source, ())):
            return False
        if any(end == first - DAY or start == last + DAY for start, end in self.lines[source]):
            return True
        beside = [span for span in self._each.get(source, ()) if span[1] == first - DAY or span[0] == last + DAY]
        return any(span not in self.ranges[source] and span not in self.asked[source] for span in beside)

    def ranged(self, source: str, first: dt.date, last: dt.date) -> bool:
        """Whether a hole from `first` to `last` lies between two statements that each
        state a period of more than a day: `quiet_days:` holds up to QUIET_DAYS there (_merged)."""
        spans = self._each.get(source, ())
        return any(span[1] == first - DAY and span in self.ranges[source] for span in spans) \
            and any(span[0] == last + DAY and span in self.ranges[source] for span in spans)

    def shown_holes(self, source: str) -> list[tuple[dt.date, dt.date]]:
        """holes() between the statements that show the source's money move in full: a day
        only its trade bill or its balances file covers (PayPal's `balances-…json` holds no
        row) is a hole in what it paid out (seed 31804 without a day of PayPal's rows)."""
        if not self.days.get(source):
            return self.holes(source)
        return _between(self._merged(source, self.days[source]))

    def quiet_runs(self, source: str) -> list[tuple[dt.date, dt.date]]:
        """(first, last) day of each run of days between the source's statements that
        none of them covers (of those that show its money move in full, where it has
        any) and that are taken as quiet, not a hole (QUIET_DAYS, `quiet_days:`): days
        without lines, or of a statement not imported, which only what the books lack
        can tell apart (checks/missing_rows.py)."""
        spans = self.days.get(source) or self._each.get(source, [])
        runs = _between(_merged(spans, quiet=0, lines=set(spans)))   # (merged where they touch only)
        if not runs:
            return []
        holes = self.holes(source) + self.shown_holes(source)
        return [(first, last) for first, last in runs if not any(a <= last and first <= b for a, b in holes)]

    def gapped(self, source: str) -> bool:
        """Whether a day between the source's first and last statement is in none of its
        statements' own days (as `uncovered` reads them), or its trade bill's days come
        before the first statement of its payouts (before_payouts): where its running
        balance may step over rows the books lack (checks/held.py asks before it computes
        balances)."""
        if self.before_payouts(source) is not None:
            return True
        reach = None
        for start, end in self.days.get(source, ()):
            if reach is not None and start > reach + DAY:
                return True
            reach = end if reach is None else max(reach, end)
        return bool(self.holes(source))

    def quiet_to(self, source: str, end: dt.date, last: dt.date) -> bool:
        """Whether the days from `end`, where the source's statements end, to `last` may be
        quiet ones of a statement read to its last line: as many as may lie between two of
        its statements (_merged; the config's `quiet_days:` says it, busy or not). Not the
        day it stops inside (its record's `ends:`: a report in UTC stops at 20:00 on the
        30th in New York): it had lines, and the rest of it is in the statement after it;
        nor a `last` its zone's days end inside (zone_cut), whatever the days before."""
        quiet = self.quiet[source] if source in self.quiet else 1 if source in self.busy else QUIET_DAYS
        if self.zone_cut(source, end, last) is not None:
            return False
        if self.cut_after(source, end) is not None:
            end += DAY
            if end >= last:
                return False
        return source in self.read_to_last_line and (last - end).days <= quiet

    def zone_cut(self, source: str, end: dt.date, last: dt.date) -> tuple[dt.datetime, str, str] | None:
        """(the moment, its zone's name, the statement) where quiet days after the source's
        last statement, read from its lines and ending `end` (or stopping inside the day
        after: `ends:`), stop inside `last`: its days are its zone's (its record's `zone:`),
        and that zone's `last` ends before the books' does (blind26: February's Stripe
        report in UTC, its last row on the 27th, holds 28 Feb only up to 19:00 in New York
        however quiet its last days; the rest of that day is in March's). None where the
        zone's day ends at or after the books' midnight (UTC's in Shanghai), or it is
        not known (a record without `zone:`, books in its zone)."""
        if self.tz is None or end >= last or source not in self.read_to_last_line:
            return None
        said = self.zones.get(source, {}).get(end + DAY if self.cut_after(source, end) is not None else end)
        if said is None:
            return None
        zone, statement = said
        stops = dt.datetime.combine(last + DAY, dt.time(0), tzinfo=zone).astimezone(self.tz).replace(tzinfo=None)
        if stops.date() != last or stops.time() == dt.time(0):
            return None
        from beanclear.importers.toolkit.values import zone_name
        return stops, zone_name(zone), statement

    def ended(self, source: str) -> dt.date | None:
        """The day the source's account ended (its config's `until:`, a store closed) where
        its statements reach it (those that show a channel's payouts, where it has any; a
        statement read to its last line, from its quiet days before it): none is owed
        after it, and nothing that waits for its statements waits past it (a bank credit
        booked as its payout, an order it may pay). None while it goes on, or its
        statements of its last days are not in the books yet."""
        until = self.until.get(source)
        end = self.shown_end(source) or self.end(source)
        if until is None or end is None:
            return None
        return until if end >= until or self.quiet_to(source, end, until) else None

    def shown_end(self, source: str) -> dt.date | None:
        """The last day of the statements that show the source's money move in full (a
        fund bill's, not the trade bill's beside it), or None without one."""
        return max((last for _, last in self.days.get(source, ())), default=None)


def _zone_of(text):
    """The zone a record's `zone:` names (toolkit values.named_zone), or None."""
    if not text:
        return None
    from beanclear.importers.toolkit.values import named_zone
    return named_zone(str(text))


def _moment(text) -> dt.datetime | None:
    """A record's `starts:` moment ("2026-07-01 09:00:00"), or None where it is none."""
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _uncovered(spans, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and the last day from `first` to `last` that none of `spans` (sorted)
    covers, or None."""
    out, day = [], first
    for start, end in spans:
        if end < day:
            continue
        if start > day:
            out += [day, min(start - DAY, last)]
        day = end + DAY
        if day > last:
            break
    if day <= last:
        out += [day, last]
    return (out[0], out[-1]) if out and out[0] <= last else None


def _between(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """(first, last) day of each hole between merged spans."""
    return [(a[1] + DAY, b[0] - DAY) for a, b in zip(spans, spans[1:])]


def _merged(spans: list[tuple[dt.date, dt.date]], asked: set = frozenset(), busy: bool = False,
            quiet: int | None = None, lines: set = frozenset(), ranges: set = frozenset(),
            carried=()) -> list[tuple[dt.date, dt.date]]:
    """Spans joined where they overlap, touch, or leave a few quiet days between them;
    not across a day between two windows an API was asked for (`asked`): each day was
    asked, and the one without an answer is missing, not quiet; a `busy` source's only
    across one day (BUSY). Not across a day between two statements that state a period of
    more than a day each (`ranges`: a wallet's bill of the days someone chose, a bank's
    明细 of a range): each says its days, quiet ones too, and a day in neither is in a
    statement not imported (blind17: WeChat personal bills of 10-01..10-15 and
    10-17..11-30, 10-16 taken as quiet, its withdrawal's bank credit an error); a
    statement of one day says nothing of the days around it (a bank's of each business
    day, a WeChat bill of each day that has transactions: none is made of a quiet day),
    and a weekend may lie between two. `quiet`: the days without lines the source's
    config allows (`quiet_days:`), between two statements one of which is read from its
    lines (`lines`: its quiet days are the ones it cannot tell) or states a day (a source
    that makes no statement of a day without lines: its Spring Festival is as many days as
    the setting says, blind18); between two that state periods of more than a day each it
    holds up to QUIET_DAYS, never more: each says its days, quiet ones too, and a day in
    neither is in a statement not imported (a month between them is a hole whatever it
    says; the hole says so: gaps.quiet_hint). A source of a statement a day whose config
    says no day is quiet (`quiet_days: 0`) has a hole where a day has none (blind9: the
    setting was read only between statements read from their lines). `carried`: (from,
    to) of the source's own balances that carry on unbroken over the days between them
    (Coverage.weigh): a gap inside one is quiet, however long, whatever else says."""
    out: list[tuple[dt.date, dt.date]] = []
    # whether the span that ends the last merged one is asked, read from lines, or states days
    ends_asked = ends_lines = ends_range = False
    usual = DAY * 2 if busy else DAY * (QUIET_DAYS + 1)
    for first, last in sorted(spans):
        span = (first, last)
        ranged = ends_range and span in ranges   # between two statements that state their days
        reach = DAY if ends_asked and span in asked else \
            DAY * (quiet + 1) if quiet is not None and (ends_lines or span in lines or not ranged) else \
            min(usual, DAY * (quiet + 1)) if quiet is not None else \
            DAY if ranged and not (ends_lines or span in lines) else usual
        if out and (first <= out[-1][1] + reach
                    or any(since <= out[-1][1] + DAY and first <= to for since, to in carried)):
            if last >= out[-1][1]:
                ends_asked, ends_lines, ends_range = span in asked, span in lines, span in ranges
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append(span)
            ends_asked, ends_lines, ends_range = span in asked, span in lines, span in ranges
    return out


SETTING_GROUPS = ("channels", "banks", "shops")   # the config's sections of sources, which take `quiet_days:`
ENDING_GROUPS = ("channels", "shops")   # those that take `until:` (a bank an account moved from: `bank: [OLD, NEW]`)


def quiet_days(config) -> dict[str, int]:
    """Source -> the days in a row its statements may have no line without it being a
    hole between them (`channels.<name>.quiet_days`, `banks.<name>.quiet_days`: a bank
    that credits nothing over the Spring Festival; `shops.<name>.quiet_days`), of the
    sources whose config says."""
    return {name: src.quiet_days for group in SETTING_GROUPS for name, src in (getattr(config, group, None) or {}).items()
            if getattr(src, "quiet_days", None) is not None}


def ended_on(config) -> dict[str, dt.date]:
    """Source -> the day its account ended (`channels.<name>.until`: a store closed, its
    last bill of that day; `shops.<name>.until`: a shop that stopped selling), of the
    sources whose config says: their statements are owed up to that day, no further."""
    return {name: src.until for group in ENDING_GROUPS for name, src in (getattr(config, group, None) or {}).items()
            if getattr(src, "until", None) is not None}
