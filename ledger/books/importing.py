"""`beanclear import`: statements in, new entries written into the books.

Every file is identified and read before anything is written; one bad file means
nothing is written (and the error names its line). Entries the books already hold,
by their statement id, are counted and skipped, also when two statements overlap,
and also where a person moved the entry into a file of their own (Books.kept_by_hand).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books import (atomic, edits, in_flight, late_balances, late_credits, late_fees, late_refunds, late_routes,
                             late_rows, late_top_ups, late_views, prices, render, repeats, settled_batches, spill)
from beanclear.books import refetched, same_rows, unopened
from beanclear.books.idset import Ids
from beanclear.books.spill import Picked, Sorted, all_transactions, like, metas
from beanclear.books import IMPORT_INCLUDES, Books, Recorded, kept
from beanclear.books.idset import ViewIds
from beanclear.books.rests import Rests
from beanclear.importers.base import BatchOrders, Extraction, StatementImporter, off_by, route_batch
from beanclear.importers.order_refs import GIFT_CARD, paid_by
from beanclear.books.identify import _format_of, identify, read_as, statement_files, summary_file
from beanclear.config.model import Bank, Channel, Shop
from beanclear.importers import registry
from beanclear.importers.registry import for_config
from beanclear.importers.toolkit import StatementError, paused_gc
from beanclear.importers.toolkit.periods import named_day
from beanclear.statements import (belonging, chargeback_fees, converted_credits, coverage, cut_over, openings,
                                  no_money, opening_dates, order_edits, refund_fx, refund_orders, resaved, shop_refunds,
                                  stated_currency)
from beanclear.periods import closed, forward


@dataclass
class FileResult:
    path: Path
    importer: StatementImporter
    extraction: Extraction
    new: Picked = field(default_factory=Picked)      # what it writes of `extraction.entries`, in their order
    known: int = 0
    notes: list[str] = field(default_factory=list)   # what the import decided beyond the rows
    covered: list = field(default_factory=list)      # the statement's coverage record, if new
    digest: str | None = None                        # of its bytes (coverage.file_digest)
    text: str | None = None                          # of its text (coverage.text_digest), None: no text
    before: Recorded | None = None                   # the books record it by its digest: not read
    # ... by the digest of its text, in other bytes (a copy saved again, re-encoded); or, with
    # `twin`, it is the text of a file of this import read before it (`before` names that file)
    resaved: bool = False
    twin: bool = False
    unclaimed: bool = False                          # ... and no importer of its source claims it now
    balances: bool = False                           # whether `new` holds balance assertions (openings)
    sums: openings.Sums = field(default_factory=openings.Sums)   # of `new`, for the openings it implies
    planned: Sorted | None = None                    # `new` as Books.plan writes it (books.kept)
    restating: list = field(default_factory=list)    # its balances the books assert already (late_balances.py)
    dry_run: bool = False                            # nothing was written: its summary says what would be
    by_hand: dict = field(default_factory=dict)      # Kept -> None: its rows the books hold in a person's file
    after_others: bool = False   # a file of its source booked in this import before it (printed in any order)
    # of `new` and `known`, the balance assertions: no row's entry, said on their own (summary)
    asserted_new: int = 0
    asserted_known: int = 0
    # of its balance assertions the books hold, those they assert with other amounts (a bank's:
    # (entry, the books' amount)); those nothing restates are no "already in the books" (same_rows.py)
    otherwise: list = field(default_factory=list)
    asserted_apart: int = 0
    asserted_restated: int = 0   # of those, the ones the import restates to its amounts (late_balances.py)
    # account -> the first day of its rows that a file of its source before it in this import
    # booked: lines it brings too, which restate its balances after them (late_balances.restated)
    brought: dict = field(default_factory=dict)

    def summary(self) -> str:
        ex = self.extraction
        written = "would be written" if self.dry_run else "written"
        if self.before is not None:
            was = self.before
            named = "" if was.statement == books_name(self.path) else f" as {was.statement}"
            name = self.importer.source.name
            kind = "" if self.unclaimed else f" ({self.importer.kind})"
            # the same text in other bytes (CRLF, a BOM, another encoding: coverage.text_digest)
            said = (f"nothing new: the same text as {was.statement} in other bytes (its line ends, BOM, encoding "
                    "or NULs aside), ") if self.resaved else ""
            if self.twin:
                return (f"{self.path}: {name}{kind}, {said or f'the same bytes as {was.statement}, '}read before it "
                        f"in this import: not read again, 0 entries {written}")
            return (f"{self.path}: {name}{kind}, {said}imported before{'' if said else named} (covering {was.first} "
                    f"to {was.last}, recorded in {was.where}), not read again: "
                    f"0 entries {written} (to read it again: --force, or remove its coverage record)"
                    + (f"; note: no importer of {name} reads it now (config.yaml changed since it was imported): "
                       "the books keep what it wrote" if self.unclaimed else ""))
        # The rows' entries and the balance assertions apart, each in its own unit: a row is
        # booked (written or already in the books) or skipped, and where its importer books
        # a row each (a bank's lines, a fund bill's) the rows read are those three. The
        # balance assertions the statement states or implies are no row: counted among the
        # entries, a WeChat fund bill after its trade bill read "5 rows read, 2 entries
        # written, 4 already in the books" (blind18: its day's balance was the second entry).
        # A row that books several entries says so (Extraction.extra: blind26, a Stripe
        # dispute object of two balance transactions was "1 rows read, 2 entries written")
        rows_new, rows_known = len(self.new) - self.asserted_new, self.known - self.asserted_known
        words = [f"{self.path}: {self.importer.source.name} ({self.importer.kind}), {ex.rows} rows read, "
                 f"{rows_new} entries {written}, {rows_known} already in the books"
                 # which of them the books held before and which a file before it booked is not kept
                 # (a million rows' ids twice): said as it is, not as if the books held them all
                 + (" or booked from another file of this import" if self.after_others and rows_known else "")]
        if ex.skipped:
            words.append(", skipped " + ", ".join(f"{n} {why}" for why, n in sorted(ex.skipped.items())))
        if ex.extra:   # rows that book several entries: the rows read and these are the entries and skips
            words.append("; more entries than rows: " + ", ".join(f"{n} {why}" for why, n in sorted(ex.extra.items())))
        if self.asserted_new or self.asserted_known or self.asserted_apart or self.asserted_restated:
            words.append(f"; balance assertions: {self.asserted_new} {written}"
                         + (f", {self.asserted_known} already in the books" if self.asserted_known else "")
                         + (f", {self.asserted_restated} {'would be ' if self.dry_run else ''}restated to its amount"
                            if self.asserted_restated else "")
                         + (f", {self.asserted_apart} the books assert otherwise (kept: see the note)"
                            if self.asserted_apart else ""))
        if self.covered and not len(self.new):   # no entry, but its coverage record: "0 entries written" and a diff
            n = len(self.covered)
            days = ", ".join(f"{record.values[1].value} to {record.date}" for record in self.covered)
            words.append(f"; {'its coverage record' if n == 1 else f'{n} coverage records'} {written} ({days}: "
                         "the days it covers, and its digest, so that it is not read again)")
        for note in ex.notes + self.notes + _by_hand(self.by_hand):
            words.append(f"; note: {note}")
        return "".join(words)


def _by_hand(found: dict, shown: int = 5) -> list[str]:
    """The note saying which of a statement's rows the books hold in a person's own file
    (Books.by_hand): found there, left as it is there."""
    if not found:
        return []
    named = ", ".join(f"{entry.ident} ({entry.where})" for entry in list(found)[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return [f"{len(found)} of those already in the books found in a file of your own (an entry that keeps its "
            f"`id:` line outside the source's month files), left as it is there: {named}{more}"]


@dataclass
class LeftOut:
    """A file of the paths given that is no statement and moves no money (the summary a
    download holds beside its statement: identify.summary_file), said in one line."""
    path: Path
    said: str
    new: tuple = ()   # nothing of it is written

    def summary(self) -> str:
        return f"{self.path}: left out: {self.said}"


def run(config, paths: Iterable[str | Path], source: str | None = None, dry_run: bool = False,
        force: bool = False, progress: Callable[[Path], Callable[[int, int], None] | None] = lambda path: None,
        asked: bool = False, written_to: list[Path] | None = None) -> list[FileResult]:
    """Import statements. Raises StatementError (nothing written) on bad input, and on a
    statement that does not belong with its source's (statements/belonging.py) unless
    `force`; `asked`: the paths are the channels' own answers for the days asked of their
    APIs (`beanclear fetch`, a verified webhook), whose days belonging does not judge.
    `progress(path)` may give a callback for the rows of that file. A summary
    beside a statement (Alipay's 汇总) is left out (LeftOut), or refused where the paths
    hold nothing else. `written_to`, if given, gets the books' files this import wrote (not
    those another write changed meanwhile: the Fava page's answer lists them)."""
    # The entries of a large import hold no reference cycles; the cycle collector would
    # walk all of them again and again while they are compared, rendered and merged.
    with paused_gc():
        return _run(config, paths, source, dry_run, force, progress, asked, written_to)

def _run(config, paths, source, dry_run, force, progress, asked=False, written_to=None) -> list[FileResult]:
    importers = for_config(config)
    files = statement_files(paths)
    results, rates, summaries = [], [], []
    # What the books hold of each source, read before the statements (and before the
    # lock, which an import that fails must not take: it creates the books' folder): the
    # statements they record by digest are not read at all (unless `force`), and rows
    # already booked need no entry (StatementImporter.held). Under the lock, the files
    # are checked unchanged since; else what was read of them is read again.
    books = Books(config.books, accounts=config.source_accounts(), stated=config.stated_accounts())
    stamps: dict[str, tuple] = {}           # per source, its files' stamp before anything was read of them
    digests: dict[str, dict] = {}           # per source, Books.digests
    early: dict[str, Ids] = {}              # per source, Books.known
    views: dict[str, Ids] = {}              # per source whose trade view the import brings, Books.view_ids
    texts: dict[tuple, tuple] = {}          # (source, text_digest or digest) -> (path, digest) of the first read

    def held(name: str) -> list[str]:
        """The accounts of a source's statements the books record (a file none claims is
        said for the bank whose account it names)."""
        return sorted({account for _, _, account, _ in books.statements(name) if account})
    for index, path in enumerate(files):
        if prices.is_rates_file(path):  # reference rates beside the statements: read as `prices import` does
            rates.append(prices.read_rates(path))
            continue
        said = summary_file(path)
        if said is not None:   # sums of a statement beside it, no money of its own
            summaries.append(LeftOut(path, said))
            continue
        digest = coverage.file_digest(path)
        text = coverage.text_digest(path)   # a copy of it in other bytes is known by it (CRLF, a BOM, GBK)

        def recorded(name: str) -> bool:
            if name not in digests:
                digests[name] = books.digests(name)
            return digest in digests[name] or text in digests[name]
        for importer, claims in read_as(path, importers, source, recorded, force, held):
            importer.on_progress = progress(path)
            name = importer.source.name
            if name not in stamps:
                stamps[name] = books.stamp(name)
            if not force:
                if name not in digests:
                    digests[name] = books.digests(name)
                was = digests[name].get(digest) or digests[name].get(text)
                if was is not None and claims and not _named_alike(importer, path, was.statement):
                    # a bill of another day, as its name says: another statement of one text, unless recorded too
                    was = digests[name].get(f"{digest} {books_name(path)}") or digests[name].get(
                        f"{text} {books_name(path)}")
                if was is not None:
                    results.append(FileResult(path, importer, Extraction(), digest=digest, text=text, before=was,
                                              unclaimed=not claims, resaved=digest != was.digest))
                    continue
                # the same text as a file of this import read before it (in a folder, by name):
                # that statement, in one import as in two (its record names the first)
                first = texts.get((name, text or digest))
                if first is not None and _named_alike(importer, path, first[0].name):
                    results.append(FileResult(path, importer, Extraction(), digest=digest, text=text,
                                              before=Recorded(books_name(first[0]), None, None, ""),
                                              resaved=first[1] != digest, twin=True))
                    continue
                texts.setdefault((name, text or digest), (path, digest))
            view = getattr(importer, "fund_view", None)
            if name not in early:
                # what the books hold as the channel's fund view, read with the rest when a
                # statement of its trade view comes (books/late_views.py)
                if view is None:
                    view = _trade_view(importers, name, files[index:])
                if view is not None:
                    views[name] = ViewIds()
                early[name] = books.known(name, (view.key, views[name]) if view is not None else None)
            elif view is not None and name not in views:
                views[name] = books.view_ids(name, view.key)
            known = early[name]
            if view is not None and views.get(name):
                known = late_views.Unheld(known, views[name])
            importer.dates_before = functools.partial(_dates_before, name, results, books)
            try:
                results.append(_read(path, importer, known, digest, books.kept_by_hand(name), text))
            finally:
                importer.dates_before = None
            _park(results)
    if summaries and not results and not rates:   # nothing but summaries: said as an error, naming the first
        raise StatementError(summaries[0].path, 1, summaries[0].said)
    # a source's `currency:` its statement contradicts: the whole import refused (stated_currency.py)
    stated_currency.check(config, results, early)
    # an opening_balance dated after the first line of its account: the whole import refused (opening_dates.py)
    opening_dates.check(config, results, books)
    late = _across(results, books)
    _park(results)
    with atomic.locked(config.books):
        stale = {name for name, stamp in stamps.items() if books.stamp(name) != stamp}
        if stale:  # another command wrote these books meanwhile: nothing read of them is trusted
            books = Books(config.books, accounts=config.source_accounts(), stated=config.stated_accounts())
            for name in stale:
                early.pop(name, None)
                views.pop(name, None)
                if name in digests:
                    digests[name] = books.digests(name)
            for at, result in enumerate(results):
                name = result.importer.source.name
                if name in stale and (result.extraction.held or result.before is not None and not result.twin
                                      and result.digest not in digests[name] and result.text not in digests[name]):
                    if result.unclaimed:   # its record gone meanwhile: no importer of the config reads it
                        identify(result.path, [i for i in importers if i.source.name == name], name)
                    result.importer.dates_before = functools.partial(_dates_before, name, results[:at], books)
                    try:
                        results[at] = _read(result.path, result.importer, None, result.digest,
                                            books.kept_by_hand(name), result.text)
                    finally:
                        result.importer.dates_before = None
                    _park(results)
            late = _across(results, books)
            _park(results)
        live = [r for r in results if r.before is None]   # those recorded by digest: nothing to do
        for result in live:   # orders an export shows otherwise than the books or another one
            result.notes.extend(late.orders.notes_of(result.extraction) if late.orders else ())
        # A settlement report's batches, whose money their items book: each proved against them (settled_batches.py)
        settled_batches.notes(live, books)
        seen: dict[str, Ids] = {}
        recorded: dict[str, list] = {}   # per source, the statements the books hold (belonging.py)
        read: dict[str, list] = {}   # per source, this import's statements so far (belonging.Read)
        for result in live:
            name = result.importer.source.name
            if name not in seen:
                seen[name], recorded[name] = early.get(name) or books.known(name), books.statements(name)
            form = _format_of(result.importer)
            if not force:
                belonging.check(result.path, name, result.extraction, recorded[name], asked, read.get(name, ()))
                if form:
                    belonging.one_format(result.path, name, form, result.extraction,
                                         recorded[name] + belonging.formats(read.get(name, ())))
            read.setdefault(name, []).append(belonging.Read(result.path, coverage.period(result.extraction),
                                                            getattr(result.extraction, "account", None), form))
        asserted: dict[tuple[str, str], str] = {}   # (account, currency) -> the first day the books assert it
        for key in (key for ids in seen.values() for key in ids.prefixed("balance ")):
            _, account, day, currency = key.split(" ")
            if day < asserted.get((account, currency), "9999"):
                asserted[(account, currency)] = day
        # The sums an opening needs, only where a statement asserts a balance (a dict update per posting)
        summing = not all(all_transactions(r.extraction.entries) for r in live)
        # The openings the fund view of a channel with two views implied before, and those worked
        # back from a statement that starts inside a day (`statement-starts:`, base.from_its_start:
        # the rows of that day before it are in another statement): what the import books on
        # their account before their first balance moves them, as importing it with them would
        # have implied (`shifts`). (Another bank's may be the balance its statement states,
        # whatever was booked before: never moved; a line its first day lacks fails its balance.)
        from_config = {(account, currency) for account, currency, _ in config.openings()}
        implied = books.openings()
        two_views = {channel.accounts.clearing for channel in config.channels.values()
                     if any(getattr(cls, "fund_view", None) is not None
                            for cls in registry.CHANNEL_IMPORTERS.get(channel.type, ()))}
        moving = books.openings_moving() if asserted else set()
        watch = {key: dt.date.fromisoformat(day) for key, day in asserted.items()
                 if (key[0] in two_views or key in moving) and key not in from_config and key in implied}
        shifts: dict[tuple[str, str], list] = {}
        # A refund its view named before, in the books or another statement (one trade, one
        # amount), is the next one: numbered so before it is compared with them (books/repeats.py)
        _renumber(live, importers, seen, views, books)
        # A row two statements of a channel list (Stripe's report and API) is one entry saying
        # what both say, in this import and against the books (books/late_rows.py)
        # A statement's close of its last day, where another statement of this import holds that
        # day's later rows: not asserted, the one with the rest of the day says it
        # (late_balances.cut_ends: a bill ending at China's midnight, inside the books' day)
        for result, said in zip(live, late_balances.cut_ends([(r.importer.source.name, r.extraction) for r in live])):
            result.notes.extend(said)
        ordered = sorted(live, key=lambda r: not getattr(r.importer, "books_first", False))
        late_rows.fold(ordered)
        rows = late_rows.Rows(books)
        rows.prepare(ordered, seen)
        # A channel's export of each payment as it stands (Stripe's payments export) books
        # what the rows of its payments do not, in this import and the books (books/rests.py)
        snapshots = Rests(books)
        snapshots.prepare(ordered, seen)
        # Of two views of the same money, the trade view books it: it knows discounts and fee rates;
        # what the books hold of it as the fund view's it replaces (books/late_views.py).
        swaps = late_views.Views(books, config)
        for name in {r.importer.source.name for r in live if getattr(r.importer, "fund_view", None)}:
            trades = [r for r in live if r.importer.source.name == name and getattr(r.importer, "fund_view", None)]
            if name not in views:
                views[name] = books.view_ids(name, trades[0].importer.fund_view.key)
            swaps.prepare(name, trades[0].importer, views[name], [r.extraction.entries for r in trades])
        # Money the trade view books on another day than the fund view (a payment at 23:59:58
        # whose fund rows are the next day's): the fund view's balances count it (books/in_flight.py).
        flights = in_flight.Flights(books, swaps)
        for name in sorted({r.importer.source.name for r in live
                            if r.importer.is_fund_view or getattr(r.importer, "fund_view", None) is not None}):
            trade = next(i for i in importers if i.source.name == name and getattr(i, "fund_view", None) is not None)
            flights.prepare(name, trade.source, trade.fund_view,
                            [r.extraction.entries for r in live if r.importer.source.name == name
                             and r.importer.is_fund_view],
                            any(r.importer.source.name == name and not r.importer.is_fund_view for r in live),
                            seen[name])
        copies = None if force else resaved.Copies(books)
        own_balances = functools.cache(books.own_balances)   # read at the first balance the source's files lack

        def their_balance(balance) -> bool:
            """A person's file asserts it already, identically (books/included.py balances)."""
            return (balance.date.isoformat(), balance.account, balance.amount.currency,
                    balance.amount.number) in own_balances()
        wrote: set[str] = set()   # the sources a file of this import wrote entries of, so far
        # of a source with several statements in this import, what each row booked moves on the
        # account they state, kept with its id: a later file's row of it must move the same (same_rows.py)
        several = {name for name, n in Counter(r.importer.source.name for r in ordered).items() if n > 1}
        contradicted = same_rows.Rows(books)
        # A shop's refund of an order of a closed month, booked in the open month it was
        # learned in, not into the closed one (statements/shop_refunds.py AfterClose)
        after_close = shop_refunds.AfterClose(closed.closed_months(config.books)) \
            if any(isinstance(r.importer.source, Shop) for r in live) else None
        for result in ordered:
            name = result.importer.source.name
            result.after_others = name in wrote
            meeting = late_rows.shared_rows(result.importer) if name in rows.held else None
            swapping = name in swaps.sources and getattr(result.importer, "fund_view", None) is not None
            dating = name in flights.sources and getattr(result.importer, "fund_view", None) is not None
            counting = name in flights.sources and result.importer.is_fund_view
            payouts = result.importer.shows_payouts   # else what it books before the payouts' days is in no opening
            result.known += result.extraction.held
            entries, days = result.extraction.entries, coverage.Days()   # its days, found in this pass
            result.new = new = Picked(entries)   # the entries as they are, by position: not stored again
            # What Books.plan writes of them, kept in this pass too: no pass to read them again.
            result.planned = planned = None if dry_run else Sorted()
            known, by_hand = seen[name], books.kept_by_hand(name)
            stated = same_rows.account_of(result.importer)   # what a row the books hold must move again
            telling = stated if name in several else None
            redating = after_close if after_close is not None and isinstance(result.importer.source, Shop) \
                and after_close.closed else None
            # a bank's download older than the books' statements of its days: its balances with
            # the lines of its days it lacks (late_balances.stale)
            older = late_balances.stale(entries, books, name, result.extraction.stated_openings) \
                if isinstance(result.importer.source, Bank) and not dry_run else {}
            if older:
                result.notes.append(f"its balance(s) of {', '.join(sorted(day for day, *_ in older))} counted with the "
                                    "lines of its days that the books hold from a later statement of the account and it "
                                    "does not (a download older than the bank's latest of those days)")
            for at, entry in enumerate(entries):
                given = entry
                days.add(entry)
                if older and type(entry) is data.Balance:
                    entry = _counted(entry, older)
                if counting and isinstance(entry, data.Balance):   # with the money in flight at its day
                    entry = flights.count(name, entry)
                ids = render.identities(entry)   # found once: what it is known by, and what it adds if new
                swapped = swaps.swap(name, flights.dated(name, entry, ids) if dating else entry, ids, known,
                                     result) if swapping else None
                if swapped is not None:   # in place of the fund view's entries of its money
                    part, text = swapped
                    flights.booked(name, part)
                    result.asserted_new += type(part) is data.Balance
                    if part is given:
                        new.take(at)
                    else:
                        new.put(at, part)
                    if planned is not None:
                        if text is None:
                            kept(planned, part)
                        else:
                            planned.add(render.sort_key(part), text + "\n")
                    if summing:
                        result.sums.add(part, result, payouts)
                    if watch:
                        _before_first(part, watch, shifts, payouts)
                    continue
                part = render.unknown_part(entry, known, ids)  # another view may hold it, or part of it
                if part is None and stated is not None and type(entry) is data.Transaction:
                    value = known.get(ids[0])
                    contradicted.see(entry, value, stated, result)
                    if telling is not None and (type(value) is tuple or any(type(known.get(i)) is tuple
                                                                            for i in ids[1:])):
                        _brought(result.brought, entry)   # booked by a file of this import before it: it brings it
                if part is None and meeting is not None and isinstance(entry, data.Transaction):
                    part = rows.meet(name, entry, meeting, result)   # in place of the books' entry of its row
                theirs = part is not None and type(entry) is data.Balance and their_balance(entry)
                if part is None or theirs:
                    result.known += 1
                    result.asserted_known += type(entry) is data.Balance
                    if by_hand and part is None:   # in the books: in a person's own file?
                        result.by_hand.update(dict.fromkeys(by_hand[i] for i in ids if i in by_hand))
                    if isinstance(entry, data.Balance):
                        if not theirs:   # their own line is theirs: never restated
                            result.restating.append(entry)   # which may restate it (late_balances.py)
                            asserted_before = known.get(ids[0])   # its amount there (a bank's or a channel's)
                            if not same_rows.same_balance(asserted_before, entry):
                                result.otherwise.append((entry, asserted_before))
                        if summing:
                            # a balance the books assert already still says what the account held
                            # before this statement's new lines: lines of a day before it (a day's
                            # transactions imported after its balances) move the opening back
                            result.sums.add(entry, result)
                            result.balances = True
                else:
                    if redating is not None:   # its refund of an order of a closed month: in an open one
                        part = redating.dated(result, part)
                    if copies is not None:   # an Excel copy's ids, their leading zeros lost (resaved.py)
                        copies.see(name, part, result.path, known)
                    if telling is not None and type(part) is data.Transaction:
                        known.add(part.meta["id"], contradicted.booked(part, telling))
                    known.update(ids if part is entry else render.identities(part))
                    if dating:   # saying the day the fund view books its money, where another
                        part = flights.dated(name, part, ids if part is entry else render.identities(part))
                        flights.booked(name, part)
                    if part is given:
                        new.take(at)
                    else:
                        new.put(at, part)
                    if planned is not None:
                        kept(planned, part)
                    if summing:
                        result.sums.add(part, result, payouts)
                    if watch:
                        _before_first(part, watch, shifts, payouts)
                    if isinstance(part, data.Balance):
                        result.balances = True
                        result.asserted_new += 1
            if len(new):
                wrote.add(name)
            if redating is not None:
                result.notes.extend(redating.notes(result))
            result.extraction.line_span = (entries, days.span)
            result.extraction.active_days = days.active | result.extraction.held_active   # whatever the books held
            result.extraction.line_days = len(result.extraction.active_days)
            if not force and not asked:   # a row far from the statement's others (a mistyped year)
                belonging.strays(result.path, result.extraction, days)
            for covered in coverage.records(name, result.extraction, result.path, result.importer.shows_payouts,
                                            result.digest, _format_of(result.importer), result.text):
                if render.identity(covered) not in seen[name]:
                    seen[name].add(render.identity(covered))
                    result.covered.append(covered)
            if summing:   # the accounts it asserts open on the eve of the period it states (openings.py)
                result.sums.covers(result.extraction)
            _park(live)
        contradicted.settle()   # a row the books hold moving other money: refused, unless a person edited it
        if copies is not None:
            copies.refuse(live)
        # A channel's opening is not worked back over what a view without payouts books before
        # the first day a statement of its payouts covers (statements/openings.py)
        floors = PayoutFloors(config, live, books)
        openings = first_openings(config, live, asserted, books, lambda *of: swaps.removed_before(*of)
                                  + rows.removed_before(*of), dry_run, floors, flights.dated_into)
        unopened.note(config, live, openings, books)   # a channel's first statement that states no balance
        for (account, currency), day in watch.items():   # what the fund view's entries it removes posted
            # there, and what it puts in flight at that balance, which counts it now
            gone = swaps.removed_before(account, currency, day.isoformat()) + flights.shift(account, currency, day)
            if gone:
                by_day = shifts.setdefault((account, currency), {})
                by_day[None, None] = by_day.get((None, None), 0) - gone
        for opening, _ in openings:   # implied again, from everything
            shifts.pop((opening.account, opening.currency), None)
        shifts, kept_out = _shifted(shifts, floors)
        for (account, currency), (amount, floor) in sorted(kept_out.items()):   # said on the import's first statement
            live[0].notes.append(f"{amount:f} {currency} it books on {account} before {floor}, the first day a "
                                 f"statement of {floors.source(account)}'s payouts covers, is not in the opening: "
                                 "no statement in the books shows those days' payouts, and the first balance after "
                                 "them fails by it until the statement of their payouts and balances is imported")
        closed.refuse_closed(config.books, live)  # a closed month changes only after `beanclear reopen`
        for result in live:   # what each trade-view statement did to the fund view's entries
            result.notes.extend(swaps.notes(result))
            result.notes.extend(rows.notes(result))
            result.notes.extend(snapshots.notes(result))
        for overlap in _own_of_their_days(config, live, books):   # once a source, on its first statement
            next(r for r in live if r.importer.source.name == overlap.source).notes.append(
                cut_over.note(overlap, config.root))
        changes = {} if dry_run else books.skeleton(config)
        if books.main in changes and books.main.exists() and live:   # a person's ledger, taken over
            live[0].notes.append(f"{books.main.name} was there already: its lines are kept as they were, and what "
                                 "beanclear needs (plugin lines, includes) is added at its end")
        priced = prices.plan(config, rates, changes)  # into prices.beancount, in the same write
        for result in live if dry_run else ():   # the balances the write would keep otherwise (same_rows.py)
            same_rows.kept_otherwise(result, late_balances.restated(
                result.restating, result.new, books, result.importer.source.name, rows.done, result.brought,
                same_rows.keys(result.otherwise)), books, shut=closed.closed_months(config.books))
        if not dry_run:
            swaps.plan(changes)   # the fund view's entries out, before the new ones are merged in
            rows.plan(changes)    # and the entries of rows booked anew saying what two statements say
            snapshots.plan(changes)   # and the snapshot's entries whose money rows now hold
            for name, notes in flights.plan(changes).items():   # the books' entries and balances in flight
                next(r for r in live if r.importer.source.name == name).notes.extend(notes)
            late = swaps.late(late)
            if asked:   # a fetched day downloaded again: its record in the place of the one before (refetched.py)
                refetched.plan(books, live, changes)
            for result in live:
                books.plan(result.importer.source.name, result.covered, changes, result.planned)
            routed = late_routes.plan(late, changes)
            if late.orders:
                order_edits.plan(late.orders, changes)
            notes = late_routes.notes(routed, late.left)
            if notes:   # said once, on the first shop statement of the batch
                next(r for r in live if isinstance(r.importer.source, Shop)).extraction.notes.extend(notes)
            if late.back is not None:   # payments routed before their channel's `shop: none`
                late_routes.plan_back(late.back, changes)
                for name in sorted(set(late.back.moved) | set(late.back.closed) | set(late.back.kept) | set(late.back.own)):
                    # on the channel's first statement of the import, else the import's first
                    said = next((r for r in live if r.importer.source.name == name), live[0])
                    said.extraction.notes.extend(late_routes.back_notes(late.back, name))
            if late.credits is not None and late.credits.source:   # bank credits of two accounts' texts, on the channel whose payout each is
                for source, note in late_credits.notes(late_credits.plan(late.credits, changes), late.credits):
                    next(r for r in live if r.importer.source.name == source).extraction.notes.append(note)
            if late.top_ups is not None and late.top_ups.source:   # bank debits naming a channel's top-up, on its transit
                for source, note in late_top_ups.notes(late_top_ups.plan(late.top_ups, changes), late.top_ups):
                    next(r for r in live if r.importer.source.name == source).extraction.notes.append(note)
            moved = late_fees.plan(late.fees, changes)
            if moved:   # on the first statement of the channel whose chargeback fees they give back
                channel = next(iter(late.fees.values()))[0]
                next(r for r in live if r.importer.source.name == channel).extraction.notes.append(
                    f"{moved} fee(s) given back of its chargeback fees, booked to the fees before, now on the "
                    "chargeback account")
            restated = refund_fx.plan(late.fx, changes)
            if restated:   # on the first statement of a channel whose refunds they are, else (routed
                # late by a shop's export alone) on the first shop statement, as routing's own notes
                name = next(p.parent.parent.name for p in late.fx)
                next((r for r in live if r.importer.source.name == name),
                     next((r for r in live if isinstance(r.importer.source, Shop)), live[0])).extraction.notes.append(
                    f"{restated} refund(s) of converted charges, booked before their charges or their orders, now book "
                    "the conversion difference on the FX account")
            for (channel, what), placed in late_refunds.plan(late.refunds, changes).items():
                # on the first statement of the channel whose entries they wait for
                next(r for r in live if r.importer.source.name == channel).extraction.notes.append(
                    f"{placed} {what} now name their orders")
            # a download again with lines the bank added since: its balances say so; but not a
            # balance taken at a cut-off inside the day it closes (late_balances.cut_off)
            # (a channel's fund bill after its trade bill of the same download: its rows the trade bill
            # booked are lines it brings too, where the books assert its balance otherwise)
            restating = [late_balances.restated(result.restating, result.new, books, result.importer.source.name,
                                                rows.done, result.brought, same_rows.keys(result.otherwise))
                         for result in live]
            for result, found in zip(live, restating):   # and those of a bank's days it does not assert itself
                if isinstance(result.importer.source, Bank) and result.balances:
                    late_balances.implied(result.new, result.extraction.entries, books,
                                          result.importer.source.name, found)
            # and the close of a day it starts inside, after another statement's rows, whose rest it holds
            rests = [late_balances.rest_of_day(result.restating, result.extraction.entries, books,
                                               result.importer.source.name, found)
                     for result, found in zip(live, restating)]
            judged = [same_rows.keys(found) for found in restating]   # before cut_off says its own
            were = {key: amount for result in live for key, amount in same_rows.amounts(result.otherwise).items()}
            cut = late_balances.cut_off(restating, [(result.importer.source.name, result.extraction.entries)
                                                    for result in live], books) if any(restating) else ()
            closed_now = closed.closed_months(config.books)
            for result, found, asked_of in zip(live, restating, judged):   # asserted otherwise: restated, or kept
                same_rows.kept_otherwise(result, found, books, asked_of, closed_now)
            restated_to = {key: amount for found in restating for amounts in found.values()
                           for key, amount in amounts.items()}
            # the first balance an opening was worked back from, restated: the opening is worked
            # back from what the books now assert (a channel's fund bill downloaded again with a
            # row the channel added: the row is the balance's, not money before the statement)
            _restated_first(shifts, watch, {key: amount for found in restating for path, amounts in found.items()
                                            if path.stem not in closed_now for key, amount in amounts.items()}, were)
            banked = [r for r in live if isinstance(r.importer.source, Bank)]
            posted, balanced = late_balances.new_postings(banked), late_balances.new_balances(banked)
            for result, found, said, rest in zip(live, restating, cut or [[]] * len(live), rests):
                planned, left = late_balances.plan(found, changes, config.books)
                if planned or left:   # said of the balances it changes: one the books assert at its amount stays
                    as_asserted = late_balances.unchanged(found, books, result.importer.source.name)
                    shut = closed.closed_months(config.books) if left else ()
                    changed = [(key, path.stem in shut) for path, amounts in found.items() for key in amounts
                               if key not in as_asserted]
                    left = sum(closed_month for _, closed_month in changed)
                    rest = sorted(key[0] for key, closed_month in changed if key in rest and not closed_month)
                    lines = sum(not closed_month for _, closed_month in changed) - len(rest)
                    if lines or rest or left:
                        result.notes.append(", ".join(
                            ([f"restated the balances of {lines} day(s) that its new lines come before"] if lines
                             else [])
                            + [f"restated the balance of {day}: the close of the day before, which it starts inside "
                               "after another statement's rows and holds the rest of" for day in rest])
                            + (f"; {left} in closed months left as they were" if left else ""))
                result.notes.extend(said)
                # a statement opening on another amount than the books assert that day
                if isinstance(result.importer.source, Bank):
                    name = result.importer.source.name
                    result.notes.extend(late_balances.disagreeing(
                        result.extraction, result.importer.source.account, books, name, restated_to, posted, balanced,
                        [s for r in banked if r.importer.source.name == name for s in r.extraction.statements]))
                # ... and a balance the books assert, of the same amount, gets the lines it says of it (as-of)
                found = late_balances.detailed(result.restating, books, result.importer.source.name)
                late_balances.plan(found, changes, config.books, late_balances._detail)
            books.add_openings(config, openings, changes)
            books.open_used(_used_when_opened(live) | late.fx_used, changes)   # fx: refund_fx.across
            moved = books.shift_openings(config, shifts, changes)
            if moved:   # said on the first statement of the import that books before them
                live[0].notes.extend(moved)
            forward.follow(config.books, changes)   # ledgers carried forward include new months
            added = edits.include_written(config.books, changes, IMPORT_INCLUDES)   # what main.beancount lacks of them
            if added and live:   # a person's own main.beancount, beanclear's plugin named in it
                live[0].notes.append(f"{books.main.name} gains the include line of {', '.join(added)} (written by "
                                     "this import, which the books need and it did not include); its other lines "
                                     "are as they were")
            if changes:
                atomic.write_files(config.books, changes)
                if written_to is not None:
                    written_to.extend(changes)
    for result in results + priced:   # --dry-run: each summary says what would be written
        result.dry_run = dry_run
    return results + priced + summaries


def _own_of_their_days(config, live: list[FileResult], books: Books) -> list:
    """A person's own entries (books kept by hand, in their own files) of the days this
    import's statements cover, posting to the account those statements book: money
    booked twice (statements/cut_over.py), said once per source by the import that
    brings those days, as `check` says it from then on."""
    records = [record for result in live for record in result.covered]
    if not records:
        return []
    accounts = {account: name for account, name in cut_over.booked_accounts(config).items()
                if any(r.importer.source.name == name for r in live)}
    own = books.own_transactions(accounts)
    return cut_over.overlaps(own, accounts, coverage.Coverage.of(records, config).sold) if own else []


def _used_when_opened(live: list[FileResult]) -> set[str]:
    """The accounts of config.opened_when_used that the import's new entries post to: a
    shop's gift cards (or an order a gift card paid part of names them: the part a person
    books there), a Stripe account's application fees."""
    out = set()
    for result in live:
        source = result.importer.source
        account = source.accounts.gift_cards if isinstance(source, Shop) else \
            source.accounts.application_fees if isinstance(source, Channel) else None
        gift_cards = isinstance(source, Shop)
        if account and account not in out and any(
                isinstance(e, data.Transaction) and (gift_cards and GIFT_CARD in paid_by(e)
                                                     or any(p.account == account for p in e.postings))
                for e in result.new):
            out.add(account)
    return out


def _renumber(live: list[FileResult], importers: list[StatementImporter], seen: dict[str, Ids],
              views: dict[str, Ids], books: Books) -> None:
    """Each statement's entries of a channel with two views, their repeatable names (a
    refund's `refund <交易号> <amount>`) numbered after those their view holds in the
    books (`seen`, before anything is booked) or earlier in the import: repeats.renumber.
    The books' fund-view identities are read (into `views`) only if asked."""
    for name in dict.fromkeys(r.importer.source.name for r in live):
        view = next((i.fund_view for i in importers if i.source.name == name
                     and getattr(i, "fund_view", None) is not None), None)
        if view is None or not view.repeats:
            continue
        theirs = [r for r in live if r.importer.source.name == name]

        def fund_held(name=name, key=view.key):
            if name not in views:
                views[name] = books.view_ids(name, key)
            return views[name]
        stores = repeats.renumber([(r.extraction.entries, getattr(r.importer, "fund_view", None) is None)
                                   for r in theirs], view.repeats, seen[name], fund_held)
        for result, entries in zip(theirs, stores):
            result.extraction.entries = entries


def _trade_view(importers: list[StatementImporter], name: str, paths: list[Path]):
    """The FundView of source `name`'s trade view where one of `paths` looks like its
    statement (the books' fund-view entries are then read with its identities), else None."""
    trade = [i for i in importers if i.source.name == name and getattr(i, "fund_view", None) is not None]
    for path in paths if trade else ():
        try:
            if trade[0].identify(str(path)):
                return trade[0].fund_view
        except Exception:   # only a look ahead: the file's own turn says what is wrong with it
            continue
    return None


def _across(results: list[FileResult], books: Books) -> dict:
    """What one statement of the batch says of another's entries, once all are read:
    refunds meet their payments' orders, failures their refunds' (refund_orders.py),
    payments the orders of shops read after them (route_batch), a shop's refunded
    totals what the books hold of them (shop_refunds.py), and its orders what the books
    and the other statements say of them (order_edits.py), and the orders one says took no
    money that the books or another hold booked, said (no_money.py); returns the payments booked
    before the batch's orders, for the write to route (books/late_routes.py), with the
    orders' entries to restate, and the entries booked before those they name
    (books/late_refunds.py)."""
    read = [(r.importer, r.extraction) for r in results if r.before is None]
    batch = BatchOrders(read)   # found once, if asked for, and not held past here
    refund_orders.across(read, books, batch)
    chargeback_fees.across(read, books)
    converted_credits.across(read, books)
    route_batch(read, batch)
    shop_refunds.grown(read, books)
    # the books' payments the batch's orders route, found before the refunds' FX: a
    # converted order's entries routing moves are of it (refund_fx.py)
    late = late_routes.find(read[0][0].config, books, batch) if read else late_routes.NONE
    fx, fx_used = refund_fx.across(read, books, late.files)   # after routing: the refunds on the receivable
    names = {id(r.extraction): r.path.name for r in results if r.before is None}
    edits = order_edits.find(read, books, names)
    no_money.said(read, books, names)   # orders an export says took no money, booked from another: said
    if not read:
        return late_routes.NONE
    return late._replace(refunds=late_refunds.find(read, books, batch), fees=late_fees.find(read, books),
                         orders=edits, fx=fx, fx_used=fx_used, credits=late_credits.find(read, books),
                         top_ups=late_top_ups.find(read, books), back=late_routes.back(read[0][0].config, books))


def _park(results: list[FileResult]) -> None:
    """Each statement's stores (spill.py) keep up to spill.LIMIT entries in memory; past
    that many among all of an import's statements together, all of them go to disk: an
    import's memory must not grow with the number of its files either."""
    stores = [store for r in results for store in (r.extraction.entries, r.new, r.planned) if hasattr(store, "park")]
    if sum(store.held for store in stores) > spill.LIMIT:
        for store in stores:
            store.park()


def _read(path: Path, importer: StatementImporter, known: Ids | None, digest: str | None = None,
          by_hand: dict | None = None, text: str | None = None) -> FileResult:
    """A statement read, its rows the books hold (`known`) left without entries; read
    again in full when one of those repeats an id of the file: once_per_id() decides
    what a repeated id means, and it needs both rows. `by_hand`: Books.kept_by_hand of its
    source, the entries of a person's files among those (FileResult.by_hand)."""
    importer.known = known
    try:
        result = FileResult(path, importer, importer.read(str(path)))
        held = result.extraction
        if held.held and (held.held_again or any(isinstance(e, data.Transaction) and e.meta.get("id") in held.held_ids
                                                 for e in held.entries)):
            importer.known = None
            result = FileResult(path, importer, importer.read(str(path)))
    finally:
        importer.known = None
    held = result.extraction.held_ids
    if by_hand and held:
        result.by_hand.update(dict.fromkeys(entry for entry in dict.fromkeys(by_hand.values())
                                            if any(i in held for i in entry.identities)))
    result.extraction.held_ids = Ids()  # not needed any more: its memory (or its database) back
    result.digest, result.text = digest, text
    once_per_id(result)
    return result


def _dates_before(name: str, results: list[FileResult], books: Books) -> tuple[str, str] | None:
    """How the source's latest statement whose own dates decided read them: one read
    before in this import, else one the books record (StatementImporter.dates_before)."""
    for result in reversed(results):
        order = result.extraction.date_order
        if order and result.importer.source.name == name:
            return order, result.path.name
    return books.dates_before(name)


def once_per_id(result: FileResult) -> None:
    """Two rows of one statement with one id: the same movement listed twice (identical
    money, the same order) is booked once, and the summary says so; different money or
    another order is a contradiction
    that no import can settle: StatementError naming both lines. An id the books cannot
    hold exactly (a line break, a control character) is refused: it could not be found
    again, and a re-import would book it twice."""
    # A first pass keeps each id only (idset.Ids: on disk past idset.LIMIT_IDS of them),
    # to find the ids the file repeats; only when there are some (or a bad id) does a
    # second pass compare amounts, in file order, keeping the first row of those ids.
    entries = result.extraction.entries
    ids, repeated, bad = Ids(), Ids(), False
    for meta in metas(entries):   # of the transactions: their ids, without the entries made again
        ident = meta.get("id") if meta is not None else None
        if ident is not None:
            if not ids.add(ident):
                repeated.add(ident)
            bad = bad or not all(map(render.holdable, render.transaction_identities(meta)))
    del ids
    if not repeated and not bad:
        return
    first = Ids()   # of a repeated id: (position, amounts) of its first row
    dropped: list[int] = []
    for at, entry in enumerate(entries):
        ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
        if ident is None:
            continue
        if not all(map(render.holdable, render.identities(entry))):
            raise StatementError(result.path, entry.meta.get("lineno", 0), f"id {ident!r} holds a line break or "
                                 "control character: the books could not keep it exactly, nor find it again")
        if ident not in repeated:
            continue
        amounts, order = _amounts(entry), entry.meta.get("order-id")
        if first.add(ident, (at, amounts, order)):
            continue
        twin_at, twin_amounts, twin_order = first.get(ident)
        if twin_amounts == amounts and twin_order == order:
            dropped.append(at)
            continue
        twin = next(e for n, e in enumerate(entries) if n == twin_at)   # read again: only to name it
        # The same money for another order is no repeat either (wechatpay-php's bill.ALL.csv
        # gives one 微信订单号 two payments of 0.01 for two orders): booked once, 0.01 is lost.
        other = (f"other amounts ({_text(entry)} against {_text(twin)})" if twin_amounts != amounts else
                 f"another order ({order} against {twin_order})")
        raise StatementError(result.path, entry.meta.get("lineno", 0),
                             f"id {ident!r} again, as on line {twin.meta.get('lineno', 0)}, but with {other}; "
                             "a statement lists a movement once")
    if dropped:
        result.notes.append(f"{len(dropped)} row(s) repeat an earlier row of the file exactly (same id and amounts): "
                            "booked once")
        result.extraction.entries = _without(entries, set(dropped))


def _without(entries, positions: set[int]):
    """The entries but those at `positions`, as a new list or Spill."""
    kept = like(entries)
    for at, entry in enumerate(entries):
        if at not in positions:
            kept.append(entry)
    return kept


def _amounts(entry) -> list:
    return sorted((p.account, p.units.number, p.units.currency) for p in entry.postings)


def _text(entry) -> str:
    return ", ".join(f"{p.account} {p.units.number} {p.units.currency}" for p in entry.postings)


def _restated_first(shifts: dict, watch: dict, restated_to: dict, were: dict) -> None:
    """Take from `shifts` (_shifted's: (account, currency) -> [what moves the opening, the
    first day it posts]) what the import restates the first balance of each account of
    `watch` by (`restated_to`: (day, account, currency) -> its new amount; `were`: the
    amounts the books asserted): the opening was worked back from that balance, and the
    lines the restated balance counts are no money before it. A bank's statement keeps its
    opening and restates its balance (late_balances.py); so does a channel's now:
    WeChat's fund bill of the first day downloaded again with a payment the channel added
    moved the opening by it as well, and the first balance failed by it (blind31)."""
    for (account, currency), day in watch.items():
        key = (day.isoformat(), account, currency)
        if key in restated_to and key in were and restated_to[key] != were[key]:
            shift = shifts.setdefault((account, currency), [Decimal(0), None])
            shift[0] -= restated_to[key] - were[key]


def _brought(first: dict, entry) -> None:
    """Note in `first` (FileResult.brought) the day of a row a file of the import booked
    before the statement listing it again (its id, or one it covers, kept with that file's
    line: same_rows.Rows.booked): a WeChat or Alipay fund bill downloaded again after its
    trade bill, which booked the payment the channel added since."""
    for p in entry.postings:
        if p.account not in first or entry.date < first[p.account]:
            first[p.account] = entry.date


def _before_first(entry, watch: dict, shifts: dict, payouts: bool = True) -> None:
    """Add to `shifts` what a new entry posts to an account of `watch` ((account, currency)
    -> the first day the books assert its balance) before that day, by its date and, of a
    statement without payouts, openings.reaches(): the opening that balance implied must
    not count it as held before (of those, only what `_shifted` leaves in)."""
    if not isinstance(entry, data.Transaction):
        return
    day, reached = entry.date, None if payouts else openings.reaches(entry)
    for p in entry.postings:
        key = (p.account, p.units.currency)
        first = watch.get(key)
        if first is not None and day < first:
            by_day = shifts.setdefault(key, {})
            by_day[day, reached] = by_day.get((day, reached), 0) + p.units.number


def _shifted(shifts: dict, floors: "PayoutFloors") -> tuple[dict, dict]:
    """({(account, currency): [what moves the opening, the first day it posts or None]} for
    Books.shift_openings, {(account, currency): (what a view without payouts books there
    before the channel's payouts' first day, that day)}: the opening does not count it)."""
    moving, kept_out = {}, {}
    for key, by_day in shifts.items():
        floor, delta, first, out = floors.get(key[0]), Decimal(0), None, Decimal(0)
        for (day, reached), number in by_day.items():
            if not openings.counts(floor, reached):
                out += number
                continue
            delta += number
            if day is not None:
                first = day if first is None else min(first, day)
        moving[key] = [delta, first]
        if out:
            kept_out[key] = (out, floor)
    return moving, kept_out


class PayoutFloors:
    """account -> the first day a statement that shows the payouts of the channel whose
    clearing account it is covers, in the books or this import (None: no channel's, or no
    such statement yet): what a view without payouts books there before it is in no
    opening (statements/openings.py). Found when asked (the books' coverage records)."""

    def __init__(self, config, live: list[FileResult], books: Books):
        self.config, self.live, self.books, self.found = config, live, books, {}

    def sources(self, account: str) -> list[str]:
        return [c.name for c in self.config.channels.values() if c.accounts.clearing == account]

    def source(self, account: str) -> str:
        return "/".join(self.sources(account))

    def get(self, account: str) -> dt.date | None:
        if account not in self.found:
            names = self.sources(account)
            records = [record for name in names for _, record in self.books.records(name)]
            days = [record.first for record in records if record.payouts]
            days += [covered.values[1].value for r in self.live if r.importer.source.name in names
                     and r.importer.shows_payouts for covered in r.covered]
            # (books written before coverage was recorded: what their entries are of is unknown)
            old = not records and any(self.books.source_files(name) for name in names)
            self.found[account] = None if old else min(days, default=None)
        return self.found[account]


def _named_alike(importer: StatementImporter, path: Path, statement: str) -> bool:
    """Whether a file and a statement of the same bytes or text (its name as the books hold
    it) are one statement by their names: a bill `beanclear fetch` archived says its day in
    its name only (`fundflow-2026-03-30.csv`), and two quiet days' bills are one text, two
    days (toolkit periods.named_day)."""
    kind = getattr(importer, "daily_name", None)
    return kind is None or named_day(path, kind) == named_day(statement, kind)


def books_name(path: Path) -> str:
    """A statement's name as the books hold it (its coverage record's `statement:`, the
    opening it implies): the bytes of a name the system cannot decode as `\\xNN`
    (render.undecoded_as_escapes), so that it compares with the names read back."""
    return render.undecoded_as_escapes(path.name)


def _counted(balance, older: dict):
    """The balance as late_balances.stale counts it, where it does."""
    said = older.get((balance.date.isoformat(), balance.account, balance.amount.currency))
    return balance if said is None else balance._replace(amount=Amount(said, balance.amount.currency))


def _kept_out(config, result: FileResult) -> bool:
    """Whether a statement's coverage records are all dated in closed months: the books
    will not record it (closed.refuse_closed leaves them out)."""
    if not result.covered:
        return False
    months = closed.closed_months(config.books)
    return all(record.date.strftime("%Y-%m") in months for record in result.covered)


def first_openings(config, results: list[FileResult], asserted: dict[tuple[str, str], str], books: Books,
                   removed=lambda account, currency, date: 0, dry_run: bool = False, floors=None,
                   dated=lambda account, currency, floor, date: (0, None)) -> list:
    """The openings to write: for each account and currency the import asserts a balance
    of for the first time (the books assert none yet, hold no opening, and the config
    gives none), or before the books first did (the opening moves back to it; `asserted`:
    the first day the books assert each), what it held before everything booked on it: the opening balance its
    first statement states (MT940 `:60F:`, CAMT `OPBD`), else what its first balance
    implies; less what a person's own files of the books hold on the account that day
    (Books.held: books kept before beanclear), none where they hold it all. Each is noted
    in the summary line of the statement its first balance comes from; where the
    statement's lines do not lead from its stated opening to that balance, the note says
    so (the `balance` assertion then fails in `beanclear check`). A channel's leaves out what
    a view without payouts books before the first day a statement of its payouts covers
    (`floors`, PayoutFloors; `dated`: Flights.dated_into, the books' trade entries this
    import puts in flight into that day, which count), and the note says how much."""
    from_config = {(account, currency) for account, currency, _ in config.openings()}
    have = books.openings()
    if not any(r.balances for r in results):   # no assertion, no opening
        return []
    sums, stated = openings.Sums(), {}
    # Of two statements whose first balances are of one day (PayPal's activity download and
    # its Transaction Search response of the same days), the opening names the one whose
    # name sorts first, whatever their order: so it does if they come in two imports (below)
    for result in sorted(results, key=lambda r: books_name(r.path)):
        sums.update(result.sums)
        for key, said in result.extraction.stated_openings.items():
            if key not in stated or said.day < stated[key].day:
                stated[key] = said
    chosen = []
    floors = floors or PayoutFloors(config, results, books)

    def prior(account, currency, date, floor):   # what the books post before, but the entries the import removes
        total, first, left = books.postings_before(account, currency, date, floor, floors.sources(account))
        if floor is not None:   # trade entries the import dates into the payouts' days: theirs now
            flying, booked = dated(account, currency, floor, date)
            total, left = total + flying, left - flying
            first = min((day for day in (first, booked) if day is not None), default=None)
        return total - removed(account, currency, date), first, left
    for opening, asserted_first, result, derived, left in openings.implied(sums, prior, stated, floors):
        key = (opening.account, opening.currency)
        starts = result.extraction.starts_inside   # its first balance's statement starts inside a day
        if starts is not None and starts.date() < asserted_first.date:
            opening = dataclasses.replace(opening, starts=starts)
        # A statement from before the one the books opened with (a merchant who began with
        # this month goes back to the last): the account opens at its start instead; also
        # where only its first balance is earlier (the opening was worked back to a trade
        # view's first line, over days no balance was known: seed 28931).
        earlier = key in have and (opening.date < have[key] or asserted_first.date.isoformat() < asserted.get(key, ""))
        # An opening of the same day and amount, from a first balance of the same day, that names
        # a statement sorting after this one (imported first: the other view of the same days)
        # names this one instead
        same = key in have and opening.date == have[key] and asserted_first.date.isoformat() == asserted.get(key)
        named = books.opening_named(*key) if same else None
        # (not after a statement the books keep no record of: a closed month's, _kept_out)
        renamed = named is not None and books_name(result.path) < named[0] and not _kept_out(config, result)
        if key in from_config or (key in have and not earlier and not renamed) or (key in asserted and key not in have):
            continue
        # Moved back by lines before a first balance of the same day as the books' (a day's
        # transactions imported after its balances), it names the statement sorting first too
        first = earlier and asserted_first.date.isoformat() == asserted.get(key) and books.opening_named(*key)
        name = first[0] if first and first[0] < books_name(result.path) else books_name(result.path)
        chosen.append((opening, asserted_first, result, derived, earlier, named if renamed else None, name, left))
    # Books kept before beanclear (a person's own files) hold some of it already: the entry
    # is what the statement says the account held, less that (statements/openings.py).
    held = books.held({(o.account, o.currency): o.date for o, *_ in chosen}) if chosen else {}
    out, written = [], "would be written" if dry_run else "written"
    for opening, asserted_first, result, derived, earlier, named, name, left in chosen:
        key = (opening.account, opening.currency)
        stated_amount, already = opening.amount, held.get(key, Decimal(0))
        if already:
            opening = dataclasses.replace(opening, amount=opening.amount - already, held=already)
            derived -= already
        if named:   # the same opening, named after the statement sorting first; another amount stays as it is
            if named[1] == opening.amount:
                result.notes.append(f"the opening balance of {opening.account} in {opening.currency} now names "
                                    f"{result.path.name} (was {named[0]}): of the statements that imply it, the one "
                                    "whose name sorts first")
                out.append((opening, result.path.name))
            continue
        note = (f"{'earliest' if earlier else 'first'} statement of {opening.account} in {opening.currency}: "
                f"opening balance {stated_amount:f} {opening.currency} at the end of {opening.date}"
                + (f" {written} from it" if not already else
                   f", of which the books held {already:f} {opening.currency} already (their own entries): "
                   + (f"the difference, {opening.amount:f} {opening.currency}, {written} from it" if opening.amount
                      else f"nothing {written}"))
                + (f" (it was at the end of {have[key]}, from a later statement)" if earlier else ""))
        if opening.starts is not None:
            note += (f"; {result.path.name} starts {opening.starts:%Y-%m-%d %H:%M}, inside that day: lines of the day "
                     "before then count as far as the books hold them, and those booked later move it")
        if derived != opening.amount:   # the books at the first assertion, from the stated opening
            reached = asserted_first.amount.number + opening.amount - derived
            said = asserted_first.amount.number
            note += (f"; with its lines the account holds {reached:f} {opening.currency} on {asserted_first.date}, "
                     f"but its closing balance says {said:f} ({off_by(reached, said)}): that balance assertion "
                     + ("fails until the books agree with it" if reached > said else "fails until they are booked"))
        if left:   # what a trade view books before the payouts' statements: in no opening, but in sight
            note += (f"; not in it: {left:f} {opening.currency} booked on it before "
                     f"{floors.get(opening.account)} by a statement without payouts (no statement in the books "
                     "shows those days' payouts): the first balance after them fails by it until the statement of "
                     "their payouts and balances is imported")
        result.notes.append(note + " (set opening_balance in config.yaml to override)")
        out.append((opening, name))
    return out
