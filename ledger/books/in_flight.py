"""Money a channel's trade view books on another day than its fund view: what the fund
view's balances count.

WeChat Pay lists a payment at 23:59:58 in its 交易账单 and books its money at 00:00:02 the
next day in its 资金账单 (Alipay's 业务明细 and 账务明细 alike). Where both views are
imported, the trade view books the payment (late_views.py), on the day it was paid: the
sale is that day's, and a year's sales stay the year's. The fund view's balance of that
midnight is the channel's, without it. So the entry says the day the fund view books its
money, and every balance of the fund view's between the two days counts it, saying how
much of it is such money (the statement's own balance is the assertion less that):

    2025-12-31 * "Order A2 / 茶" ^order-A2
      time: "23:59:58"
      id: "4200…02"
      ...
      fund-date: "2026-01-01"
      Assets:Clearing:WeChat      264.40 CNY
      Expenses:Fees:WeChat          1.60 CNY
      Income:Sales:WeChat        -266.00 CNY

    2026-01-01 balance Assets:Clearing:WeChat     363.80 CNY
      in-flight: 264.40

An opening worked back from such a balance (statements/openings.py) is then what the
account held before the statements: the balance less everything booked before it, the
money in flight included on both sides. Whatever the order the statements come in, the
books are those one import of all of them writes:

- the trade view and the fund rows of its money in one import: the trade entry is written
  with `fund-date:`, and the fund view's balances with what is in flight;
- the fund view first: the trade entry that replaces its entries (late_views.py) takes the
  day they had;
- the trade view first: the import of the fund view adds `fund-date:` to the trade
  entries of the books whose money it books on another day;

and the balances the books already assert between the two days are restated by what each
import puts in flight, in the same write. Until the fund rows of the money come, nothing
says it is in flight: a trade bill with the fund bill of the day before only asserts that
day's balance as it stands, failing by the payment. A month closed by `beanclear close`
keeps its entries and balances as they are, and the import says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from beanclear.books import COVERS_LINE, ENTRY_END, ENTRY_START, ID_LINE, _block_start, _unescape, balance_parts
from beanclear.books import key_blocks, render, rewrite_blocks
from beanclear.books.idset import Ids
from beanclear.books.render import balance_line, number_text

KEY = "fund-date"        # on a trade-view entry: the day the fund view books its money
COUNTED = "in-flight"    # on a fund-view balance: what of it is such money
FUND_DATE = re.compile(rf'^[ \t]+{KEY}:[ \t]*"(\d{{4}}-\d{{2}}-\d{{2}})"', re.M)
COUNTED_LINE = re.compile(rf"^[ \t]+{COUNTED}:[ \t]*(-?[\d.]+)[ \t]*\n", re.M)


@dataclass(frozen=True)
class Flight:
    account: str
    currency: str
    amount: Decimal      # what the entry posts to the account
    booked: dt.date      # the entry's day
    funded: dt.date      # the fund view's

    def at(self, day: dt.date) -> Decimal:
        """What of it the books hold at the start of `day` and the fund view's balance does
        not (negative: the fund view counts it, the books not yet)."""
        if self.booked < day <= self.funded:
            return self.amount
        if self.funded < day <= self.booked:
            return -self.amount
        return Decimal(0)


def in_flight(flights, account: str, currency: str, day: dt.date) -> Decimal:
    """What of `flights` the books hold on an account at the start of a day and the fund
    view's balance does not."""
    return sum((f.at(day) for f in flights if f.account == account and f.currency == currency), Decimal(0))


@dataclass
class Source:
    clearing: str
    view_key: str                                   # the fund view's `key:` line (importers/base.py FundView)
    funded: Ids = field(default_factory=Ids)        # identity -> the day the import's fund rows book it
    held: list = field(default_factory=list)        # the Flights the books hold already
    new: list = field(default_factory=list)         # those this import adds
    dating: dict = field(default_factory=dict)      # month file -> {id: fund date}: trade entries of the books
    dated: list = field(default_factory=list)       # the Flights of those (of `new`)
    left: Counter = field(default_factory=Counter)  # closed month -> what stays as it is there


class Flights:
    """The money in flight between a channel's two views in one import (see above)."""

    def __init__(self, books, views):
        self.books, self.views = books, views   # views: late_views.Views (the fund-view entries it replaces)
        self.sources: dict[str, Source] = {}
        self._closed = None

    # -- before the entries are booked -------------------------------------------------

    def prepare(self, name: str, channel, view, funds: list, trades: bool, known) -> None:
        """What source `name` (a channel with two views, `view` its FundView) needs: the day
        its fund rows of the import (`funds`: their extractions' entries) book each identity
        (where `trades`: the import brings trade-view rows to date by them), the trade
        entries of the books whose money they book on another day (their identities in
        `known`, the books'), and what the books hold in flight already."""
        source = self.sources[name] = Source(channel.accounts.clearing, view.key)
        found = Ids()    # identity the books hold -> the day the fund rows book it
        for entries in funds if trades or known else ():   # (a first import of the fund view alone: nothing)
            for entry in entries:
                if not isinstance(entry, data.Transaction) or view.key not in entry.meta:
                    continue
                day = entry.date.isoformat()
                for identity in render.identities(entry):
                    if trades:
                        source.funded.add(identity, day)
                    if identity in known:
                        found.add(identity, day)
        if funds:
            self._read(name, source, found)

    def _read(self, name: str, source: Source, found: Ids) -> None:
        """One pass over the source's month files: the entries in flight, and the trade
        entries whose identities `found` holds, where the fund view books them on another day."""
        closed = self.closed()
        for path in self.books.source_files(name):
            dating = {}
            for text in self.books._pieces(path):
                if f"  {KEY}:" in text:
                    for block in key_blocks(text, KEY):
                        flight = _flight(block, source.clearing, FUND_DATE.search(block).group(1))
                        if flight is not None:
                            source.held.append(flight)
                if not found:
                    continue
                for line in (ID_LINE, COVERS_LINE):
                    for match in line.finditer(text):
                        value = _unescape(match.group(1)) if "\\" in match.group(1) else match.group(1)
                        for identity in render.covered(value) if line is COVERS_LINE else (value,):
                            day = found.get(identity)
                            if day is None:
                                continue
                            start = _block_start(text, match.start())
                            start += text[start] == "\n"
                            if text[start:start + 10] == day:
                                continue   # booked that day: nothing in flight
                            end = ENTRY_END.search(text, match.end())
                            block = text[start:end.start() if end else len(text)]
                            ident = ID_LINE.search(block)
                            if (not ENTRY_START.match(block) or ident is None or f"  {source.view_key}:" in block
                                    or f"  {KEY}:" in block or _unescape(ident.group(1)) in dating):
                                continue   # a fund-view entry, one dated already, or found by another identity
                            flight = _flight(block, source.clearing, day)
                            if flight is None:
                                continue
                            dating[_unescape(ident.group(1))] = day
                            if path.stem in closed:
                                source.left[path.stem] += 1
                                continue
                            source.new.append(flight)
                            source.dated.append(flight)
            if dating and path.stem not in closed:   # a closed month's entries stay as they are
                source.dating[path] = dating

    # -- as they are booked ------------------------------------------------------------

    def dated(self, name: str, entry, ids: list[str]):
        """A trade-view entry with `fund-date:` where the fund view books its money (the
        import's fund rows, else the fund-view entries of the books it replaces) on another
        day; else the entry itself."""
        source = self.sources.get(name)
        if source is None or not isinstance(entry, data.Transaction):
            return entry
        for identity in ids:
            day = source.funded.get(identity) or self.views.fund_date(name, identity)
            if day is not None:
                if day == entry.date.isoformat():
                    return entry
                return entry._replace(meta={**entry.meta, KEY: day})
        return entry

    def booked(self, name: str, entry) -> None:
        """An entry the import writes: in flight where it says so."""
        source = self.sources.get(name)
        if source is not None and isinstance(entry, data.Transaction) and KEY in entry.meta:
            flight = _posted(entry, source.clearing)
            if flight is not None:
                source.new.append(flight)

    def count(self, name: str, entry):
        """A fund-view balance of the import, counting what the books (with what the
        import books) hold in flight at its day."""
        source = self.sources.get(name)
        if source is None or not isinstance(entry, data.Balance) or entry.account != source.clearing:
            return entry
        amount = entry.amount
        flying = in_flight(source.held + source.new, entry.account, amount.currency, entry.date)
        if not flying:
            return entry
        return entry._replace(amount=amount._replace(number=amount.number + flying),
                              meta={**entry.meta, COUNTED: flying})

    def shift(self, account: str, currency: str, day: dt.date) -> Decimal:
        """What this import puts in flight at the start of `day`: a balance the books
        assert that day counts that much more (and the opening it implied, too)."""
        return sum((in_flight(s.new, account, currency, day) for s in self.sources.values() if s.clearing == account),
                   Decimal(0))

    def dated_into(self, account: str, currency: str, floor: dt.date, date: dt.date) -> tuple[Decimal, dt.date | None]:
        """(sum, first day) of the trade entries of the books, booked before `floor` and
        `date`, that this import dates (`fund-date:`) on `floor` or after: in flight into
        the fund view's days, what an opening worked back from them counts (the books'
        text says so only once the import is written: Books.postings_before)."""
        found = [f for s in self.sources.values() if s.clearing == account for f in s.dated
                 if f.currency == currency and f.booked < floor <= f.funded and f.booked < date]
        return sum((f.amount for f in found), Decimal(0)), min((f.booked for f in found), default=None)

    # -- the write -----------------------------------------------------------------------

    def plan(self, changes: dict) -> dict[str, list[str]]:
        """Add to `changes` the trade entries of the books dated (`fund-date:`) and the
        balances of the books restated by what the import puts in flight; what to say, by
        source. Called before Books.plan merges the import's own entries (counted already)
        into the same files."""
        closed, said = self.closed(), {}
        for name, source in self.sources.items():
            for path, dating in sorted(source.dating.items()):
                rewrite_blocks(changes, path, lambda block, dating=dating: _dated(block, dating))
            for month in sorted({day.strftime("%Y-%m") for f in source.new for day in _days(f)}):
                path = self.books.month_file(name, month)
                if month in closed:
                    source.left[month] += 1
                elif path.exists() or path in changes:
                    rewrite_blocks(changes, path, lambda block, s=source: _restated(block, s))
            notes = []
            if source.new:
                dated = sum(map(len, source.dating.values()))
                notes.append(f"{len(source.new)} payment(s), refund(s) or fee(s) the trade view books on another day "
                             "than the fund view books their money: the fund view's balances between count them "
                             "(in-flight)" + (f"; {dated} entr{'y' if dated == 1 else 'ies'} of the books now say the "
                                              "fund view's day (fund-date)" if dated else ""))
            if source.left:
                notes.append(f"money the trade view books on another day than the fund view is in flight over closed "
                             f"month(s) {', '.join(sorted(source.left))}: their entries and balances left as they are "
                             "(beanclear reopen, then import the statements again with --force)")
            if notes:
                said[name] = notes
        return said

    def closed(self) -> dict:
        if self._closed is None:
            from beanclear.periods.closed import closed_months
            self._closed = closed_months(self.books.root)
        return self._closed


def _days(flight: Flight):
    """The days a balance at whose start counts `flight`."""
    first, last = sorted((flight.booked, flight.funded))
    return (first + dt.timedelta(days=n) for n in range(1, (last - first).days + 1))


def _flight(block: str, clearing: str, funded: str) -> Flight | None:
    """A trade entry's text, in flight to the fund view's day `funded`."""
    line = re.search(rf"^[ \t]+{re.escape(clearing)}[ \t]+(-?[\d.]+)[ \t]+([A-Z][A-Z0-9'._-]*)", block, re.M)
    if line is None:
        return None
    return Flight(clearing, line.group(2), Decimal(line.group(1)), dt.date.fromisoformat(block[:10]),
                  dt.date.fromisoformat(funded))


def _posted(entry, clearing: str) -> Flight | None:
    postings = [p for p in entry.postings if p.account == clearing]
    if not postings:
        return None
    return Flight(clearing, postings[0].units.currency, sum((p.units.number for p in postings), Decimal(0)),
                  entry.date, dt.date.fromisoformat(entry.meta[KEY]))


def _dated(block: str, dating: dict) -> str:
    """A trade entry's block with its `fund-date:` line, where `dating` names it: the last
    metadata line before its postings, where render.entry_text writes it."""
    if not ENTRY_START.match(block) or f"  {KEY}:" in block:
        return block
    ident = ID_LINE.search(block)
    day = dating.get(_unescape(ident.group(1))) if ident else None
    if day is None:
        return block
    lines = block.splitlines(keepends=True)
    at = 1
    while at < len(lines) and re.match(r"^[ \t]+[a-z][A-Za-z0-9_-]*:", lines[at]):
        at += 1
    lines.insert(at, f'  {KEY}: "{day}"\n')
    return "".join(lines)


def _restated(block: str, source: Source) -> str:
    """A balance block of the books counting what the import puts in flight at its day,
    as render.entry_text writes a balance the import counts (its `in-flight:` line first)."""
    first, newline, rest = block.partition("\n")
    parts = balance_parts(first)
    if parts is None or parts[1] != source.clearing:
        return block
    day, account, currency, number, comment = parts
    flying = in_flight(source.new, account, currency, dt.date.fromisoformat(day))
    if not flying:
        return block
    was = COUNTED_LINE.match(rest)
    total = (Decimal(was.group(1)) if was else Decimal(0)) + flying
    rest = rest[was.end():] if was else rest
    return (balance_line(day, account, number + flying, currency) + comment + newline
            + (f"  {COUNTED}: {number_text(total)}\n" if total else "") + rest)

