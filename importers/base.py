"""The base of every beanclear importer: beangulp's Importer protocol plus what the
`beanclear import` command needs to report (rows read, rows skipped and why, notes).

An importer posts only what its own statement says (DESIGN.md §1). Each entry carries
the statement's own id in its `id` metadata: that is what makes re-imports idempotent.
"""

from __future__ import annotations

import abc
import contextvars
import datetime as dt
import functools
import hashlib
import itertools
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple
from zoneinfo import ZoneInfo

import beangulp
from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books.idset import Ids
from beanclear.books.render import COVERS_SEPARATOR
from beanclear.books.same_rows import same
from beanclear.books.spill import Spill, all_transactions, like
from beanclear.clock import today
from beanclear.config.model import WALLET_TYPES, Channel, Shop
from beanclear.importers.account_ids import stated_account
from beanclear.importers.order_refs import (  # noqa: F401  (every importer's, from here)
    DESCRIBED_ORDER, TAOBAO_ORDER, channel_order_link, described_order, description_order, link, named_order, order_in,
    order_key, order_link, order_shops, payment_shops, placed_by_books)
from beanclear.importers.stated import TOO_MANY
from beanclear.importers.toolkit import (MAX_ID, MAX_TEXT, StatementError, ZoneDayEnd, excel_shortened, header_in,
                                         in_places, named_day, paused_gc, read_period, shape_first, shortened_id, sniff,
                                         same_zone, unread_period, zone_time, zoned_period)
from beanclear.importers.toolkit.places import currency_places, past_places


@dataclass(frozen=True)
class StatedOpening:
    """The balance a statement says it starts with (MT940 `:60F:`, CAMT `OPBD`): what
    the account held at the start of `day`, before the statement's first line. The
    first import of the account opens the books with it (statements/openings.py)."""
    day: dt.date
    amount: Decimal


@dataclass(frozen=True)
class StatementDays:
    """One statement of a file of several (MT940 `:20:` blocks, CAMT.053 `<Stmt>`s, OFX
    statements): the days it covers (the period it states, else from its opening's day to
    its closing's, widened to its own lines), and what it says it opens and closes with,
    currency -> amount. The file covers each statement's days, not the days between two
    (statements/coverage.py `parts`); a statement opening on another amount than the one
    before it closed is said at the import (books/late_balances.py `disagreeing`).
    `day_start`: its opening is the balance at the start of `first` (not MT940's `:60M:`, a
    statement going on inside a day); `label`: how the statement names itself (`:20:`, `Id`)."""
    first: dt.date
    last: dt.date
    opens: tuple = ()     # ((currency, amount), ...)
    closes: tuple = ()
    label: str = ""
    day_start: bool = True

    def chains_from(self, before: "StatementDays") -> bool:
        """Whether it opens where `before` closes, in every currency both state."""
        closes = dict(before.closes)
        return all(closes[c] == amount for c, amount in self.opens if c in closes)


@dataclass
class Extraction:
    """What one statement gave: entries, and an account of every row read."""

    # A books.spill.Spill (past a few thousand entries, on disk: an import's memory must
    # not grow with a statement's length), or a list (tests, small callers); every step
    # after parse() only appends to it or makes passes over it, never changes an entry.
    entries: Spill | list = field(default_factory=Spill)
    rows: int = 0                                        # data rows read
    skipped: Counter = field(default_factory=Counter)    # reason -> rows that move no booked money
    # reason -> entries a row books beside its first (a charge's refund from its row): the
    # rows read and these are the entries and the rows skipped (the import's summary)
    extra: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)       # e.g. the summary line disagrees
    period: tuple[dt.date, dt.date] | None = None         # the days it covers, where it says (coverage.py)
    period_said: tuple[int, str] | None = None            # (line, text) of a preamble's period (toolkit periods)
    # The moments its stated period starts and ends, where they are inside a day (toolkit
    # periods inside_day): set by a format that states them (CAMT `FrToDt`, a balance stamped
    # inside a day), else read from its preamble (read()). Its balances of the start of that
    # first day and of the end of that last day are no statement's (from_its_start, to_its_end);
    # that last day is covered only once a statement of all of it comes (coverage.py).
    starts_inside: dt.datetime | None = None
    ends_inside: dt.datetime | None = None
    # A statement whose rows are timed in a zone of their own (Stripe's reports: UTC) is cut
    # at that zone's day boundaries: the moment, as a wall-clock time of the books' zone,
    # its last row's day there ends (toolkit ZoneDayEnd). Read from its lines (no stated
    # period), it covers whole days up to the last that ends by then: the rest of that day
    # is in the statement of the zone's next day (coverage.py, `ends:`).
    zone_end: dt.datetime | None = None
    # ... and starts where its first row's day there starts (ZoneDayEnd.start_at): inside a
    # day of the books' zone, the hours of that day before it are in the statement before
    # (coverage.py, `starts:`; the receivable check judges its orders from there)
    zone_start: dt.datetime | None = None
    # ... and the zone those days are of, where it is not the books' (ZoneDayEnd.mark): the
    # days after its last row, quiet or not, are that zone's, and may never reach the end of
    # the books' day (coverage.py, `zone:`: 30 April ends at 20:00 in New York in UTC)
    zone: dt.tzinfo | None = None
    # "day-first" or "month-first" where its own dates decided how its D/M/YYYY dates read
    # (a day above 12 in one place): recorded (coverage.py, `dates:`) so that a later file
    # of the source whose dates all read both ways (a daily download of the 2nd) is read alike
    date_order: str | None = None
    # the period is the window an API was asked for (`beanclear fetch`'s day): a day
    # between two such windows is a missing answer, not a quiet day (coverage.py)
    asked: bool = False
    # a page of a listing, newest first, that says more pages follow: its rows go on
    # before its first line, in a page of their own (its first day is only partly in it)
    continues_before: bool = False
    # one object the channel sent alone (a webhook's payout or refund): it says nothing of
    # the other rows of its day, so it records no coverage (coverage.record)
    single_object: bool = False
    account: str | None = None                            # the account number it is of, where it says
    # (account, currency) -> the opening balance its earliest statement states, where
    # one does (banking.Closings); the books' opening on a first import (openings.py)
    stated_openings: dict[tuple[str, str], StatedOpening] = field(default_factory=dict)
    # each statement of a file of several, in file order (StatementDays); empty where the
    # format has one statement a file
    statements: list = field(default_factory=list)
    # Rows whose every identity the books already hold (StatementImporter.held): read and
    # checked like any row, but no entry built. `held_days` widens the coverage period
    # (statements/coverage.py) by their days; `held_ids` lets the import tell whether one
    # of them repeats an id of the file (then it reads the file again without them).
    held: int = 0
    held_days: tuple[dt.date, dt.date] | None = None
    held_active: set = field(default_factory=set)   # the days of those rows (coverage: `line-days`)
    held_ids: Ids = field(default_factory=Ids)
    held_again: bool = False
    # The currencies those rows would have booked the source's money in, each at its first
    # line (held(currency=)): what the statement says of its currency whether or not the
    # books hold its rows (statements/stated_currency.py).
    held_currencies: dict[str, int] = field(default_factory=dict)
    # Sales naming an order that route() left as sales (no shop placed them); None: not
    # routed. 0 lets route_batch skip a pass: nothing of the statement can move.
    unrouted: int | None = None
    # The ids of the entries (a refund's payment, a failure's refund) whose order entries
    # still wait for (refund_orders.py): the import looks across its statements and the
    # books only for these.
    unplaced_refunds: set[str] = field(default_factory=set)
    # The ids named by fees given back (`fee-of`) that the statement does not hold: the import
    # looks across its statements and the books for chargebacks among them (chargeback_fees.py).
    unplaced_fees: set[str] = field(default_factory=set)
    # A shop's statement: each refunded order's refunded total, as ShopImporter.book
    # makes its entries (statements/shop_refunds.py: no pass over them).
    refunds: dict[str, Decimal] = field(default_factory=dict)
    # A shop's statement: the day a refunded order's refund was made, where the export
    # says it (Shopify's `Cancelled at` of an order cancelled after payment): where the
    # order's month is closed, its refund is booked then (statements/shop_refunds.py)
    refund_days: dict[str, dt.date] = field(default_factory=dict)
    # A shop's statement: order id -> what it says of the order (shop.Snapshot), as
    # ShopImporter.book makes its entries (statements/order_edits.py: no pass over them).
    orders: Ids | None = None
    # A shop's statement: order id -> (its line, the reason) of the orders it says took no
    # money (voided, expired, cancelled or closed before payment, awaiting payment), which it
    # skips: where the books hold one booked, the import says so (statements/no_money.py).
    no_money: Ids | None = None
    # The UTC offsets its times state (toolkit stated_offsets), where `beanclear init` read
    # it (setup/probe.py): what init guesses `timezone` from. Empty on an import.
    offsets: set = field(default_factory=set)
    # A settlement report's batches (Airwallex's PA settlements): (batch id, currency) ->
    # SettledBatch, a settlement being of one currency.
    # Their money is their items', booked from the channel's own statement; the import
    # proves each against the items of it the books and its other statements hold
    # (books/settled_batches.py).
    batches: dict = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def beside(self, reason: str) -> None:
        """One more entry of a row that has one already (Extraction.extra)."""
        self.extra[reason] += 1


class SettledBatch(NamedTuple):
    """A settlement of a batch of a channel's items into its balance (Extraction.batches)."""
    ident: str          # the batch's id, which its items name (`batch-id:`)
    net: Decimal        # what it moved into the balance
    currency: str
    day: dt.date
    line: int           # of the statement


@dataclass(frozen=True)
class FundView:
    """How a channel's fund view writes the payments, fees and refunds its trade view also
    lists (DESIGN.md §1 "Every view, once"), for the import that brings the trade view to
    book them as importing both together does (books/late_views.py): its entries carry a
    `key:` line the trade view's never do; `own_ids`: its `id` is its own row's (Alipay's
    账务流水号), not an identity the trade view knows (WeChat's 微信支付业务单号 is); a
    narration it writes starts with one of `kinds`, and `payee`, where it writes only one.
    `repeats`: the prefixes of the identities both views give by amount, not by a row's
    own id (Alipay's `refund <交易号> 10.00`): two refunds of one trade and amount share
    one, the second numbered `… #2` (books/repeats.py)."""
    key: str
    own_ids: bool
    kinds: frozenset
    payee: str | None = None
    repeats: tuple[str, ...] = ()


@dataclass(frozen=True)
class SharedRows:
    """How the statements of a channel that list the same rows, each saying part of what
    is known of a row (Stripe's itemized reports name each item's payout, its API the
    parts of each fee), write them: the entry of a row two of them hold carries the
    metadata and links of both, each key in its place in `order`, so that it is the same
    whichever came first (books/late_rows.py). An entry with a `guess:` line stands for
    a row no statement held (a payout booked as the sum of the items a report names), or
    held as one that does not say all of it (`guess_is`: the value of that line which
    makes it one: Alipay's web export, `method: "unknown"`, where the app bill names the
    method): the row, when a statement brings it, replaces it. `adds` and `replaces`
    say, in the import's notes, what a statement's rows add to another's entry of them
    and which guesses they replace."""
    order: tuple[str, ...]
    guess: str = ""
    guess_is: str = ""
    # the channel's export of each payment as it stands, which books what these rows do not
    snapshot: "Snapshots | None" = None
    adds: str = "a payout link, fee details; a payout's own row in place of the sum of its items"
    replaces: str = "payout(s) booked as the sum of the items a report listed now booked from the payout's own row"

    def guessed(self, meta) -> bool:
        """Whether an entry of metadata `meta` is a guess."""
        return bool(self.guess) and self.guess in meta and (not self.guess_is or meta[self.guess] == self.guess_is)

    def guessed_line(self, line: str) -> bool:
        """Whether a line of an entry's text is the one that makes it a guess."""
        if not self.guess or not line.startswith(f"  {self.guess}:"):
            return False
        return not self.guess_is or line.split(";")[0].strip() == f'{self.guess}: "{self.guess_is}"'


@dataclass(frozen=True)
class Snapshots:
    """How a channel's export of each payment as it stood when downloaded (Stripe's
    payments export: a charge, the amount refunded of it so far, its dispute) books money
    its statements of rows (SharedRows: Stripe's balance transactions, each refund a row
    of its own) list a movement at a time (DESIGN.md §1 "Every view, once";
    books/rests.py). The snapshot's entry of a payment's movement has the id
    `<payment><suffix of its kind>`; a row is of the payment the first of `named_by` it
    fills names, of the kind its `category` is in `kinds`. The snapshot's entry books the
    rest of its money over the rows of its payment and kind: nothing where they hold all
    of it. `fees`: the kinds whose snapshot states the fee (a charge's: a refund's row may
    give back a fee the snapshot never held); `total`: the key of an entry booking a rest
    that says the snapshot's whole amount."""
    category: str                          # the metadata key of an entry's category
    kinds: tuple[tuple[str, str], ...]     # (category, kind)
    suffixes: tuple[tuple[str, str], ...]  # (kind, what the snapshot's id of it adds to the payment's)
    named_by: tuple[str, ...]
    fees: frozenset
    total: str

    def id_of(self, payment: str, kind: str) -> str:
        """The id of the snapshot's entry of a payment's movement of `kind`."""
        return payment + dict(self.suffixes)[kind]

    def kind_of(self, meta: dict) -> str | None:
        return dict(self.kinds).get(meta.get(self.category, ""))

    def row_of(self, meta: dict) -> tuple[str, str] | None:
        """(payment, kind) of a row's entry; None for another entry, or a snapshot's."""
        kind = self.kind_of(meta)
        payment = next((meta[key] for key in self.named_by if meta.get(key)), "") if kind else ""
        if not payment or meta.get("id") == self.id_of(payment, kind):
            return None
        return payment, kind

    def movement_of(self, meta: dict) -> tuple[str, str] | None:
        """(payment, kind) of the snapshot's entry of `meta`; None for another entry."""
        kind = self.kind_of(meta)
        ident, suffix = meta.get("id", ""), dict(self.suffixes).get(kind)
        if suffix is None or not ident.endswith(suffix) or len(ident) == len(suffix):
            return None
        return ident[:len(ident) - len(suffix)], kind


@dataclass(frozen=True)
class SummaryFile:
    """A file a channel's download holds beside one of its statements that only sums it
    (Alipay's `…_账务明细(汇总).csv` beside `…_账务明细.csv`): it moves no money, so it is
    no statement to import. Known by its title, its first line (`#支付宝账务汇总查询`,
    padded with commas or not), in a file without the statement's header."""
    title: str       # its first line: `#支付宝账务汇总查询`
    name: str        # what it is: "Alipay's 账务汇总"
    sums: str        # the statement it sums: "账务明细"

    def said(self, head: str, statement_header: Iterable[str]) -> str | None:
        """What the file whose start is `head` is, where it is this summary; else None."""
        first = next((line for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")
        if first.strip().rstrip(",").strip() != self.title or header_in(head, statement_header):
            return None
        return (f"{self.name}, the summary that comes beside the {self.sums} in its download: it moves no money "
                f"(it sums the {self.sums}'s rows); the {self.sums} is the statement to import")


_NOT_HELD = object()   # StatementImporter.held: an id the books do not hold


class StatementImporter(beangulp.Importer):
    """One source of the config (a channel or a bank) reading one kind of statement."""

    kind: str = ""  # short label for summaries, e.g. "wechat trade bill"
    # The file its download holds beside it that only sums it (Alipay's 汇总): never imported
    summary_file: SummaryFile | None = None
    shows_payouts: bool = True  # False for a channel's trade view: its payouts are in another statement
    # True for a channel's fund view (资金账单, 账务明细): its balances count the money its trade
    # view books on another day (books/in_flight.py)
    is_fund_view: bool = False
    # The name `beanclear fetch` archives a day's bill under (`fundflow` for
    # fundflow-2026-03-01.csv): such a file covers that day, whatever lines it holds.
    daily_name: str | None = None
    # Its fee rows name what they are the fee of (`fee-of`): a fee given back of a chargeback
    # books on the chargeback account (statements/chargeback_fees.py, books/late_fees.py)
    names_fee_of: bool = False
    # Its rows are listed by another statement of the channel too, which says other things
    # of them: the entry of a row both hold says what both say (SharedRows, books/late_rows.py)
    shared_rows: SharedRows | None = None
    # It lists each payment as it stands, money its channel's rows list too: each of its
    # entries books what those rows do not (Snapshots, books/rests.py)
    snapshot: Snapshots | None = None

    # The zone of the times its statements write without an offset, where its kind says
    # (toolkit CHINA: a Chinese channel's, wallet's or marketplace's, README `init`); None:
    # the books'. A channel's `timezone:` says it for its files, whatever its kind's.
    local_zone: str | None = None

    def __init__(self, source, config):
        self.source, self.config = source, config

    def mapped_header(self) -> tuple[dict[str, str], tuple[str, ...]] | None:
        """Of a file read through config.yaml's `columns:` (a csv bank, a pingpong channel,
        an orders-csv shop): each header name the map gives -> its key path, and the names
        (the date and amount columns) that make a line its header but for the others: a
        file lacking some is said at that line by key (books/identify.py). None: a format
        of its own."""
        return None

    def _mapped(self, group: str, columns: dict) -> tuple[dict[str, str], tuple[str, ...]]:
        """mapped_header() of a source of `group` (banks, channels, shops) by its `columns`."""
        keys = {name: f"{group}.{self.source.name}.columns.{role}" for role, name in columns.items()}
        return keys, tuple(columns[role] for role in ("date", "amount", "debit", "credit") if role in columns)

    def with_account(self, account_id: str | None) -> "StatementImporter":
        """This importer as of its source with `account_id` in config.yaml (None: without
        one, any account of its type): what would claim a file (books/identify.py)."""
        return type(self)(replace(self.source, account_id=account_id), self.config)

    @functools.cached_property
    def statement_zone(self):
        """The zone of the times its files write without an offset, where it is not the
        books' (None): the channel's `timezone:`, else its kind's (local_zone)."""
        zone = getattr(self.source, "timezone", None) or (ZoneInfo(self.local_zone) if self.local_zone else None)
        return None if same_zone(zone, getattr(self.config, "timezone", None)) else zone

    def local(self, when: dt.datetime) -> dt.datetime:
        """A time its statement writes without an offset as the books' wall clock (toolkit
        zone_time): WeChat's `2026-10-01 10:00:00`, China's, is 19:00 on 30 Sep in books in
        America/Los_Angeles. The time as written in books of its own zone. Times only: a
        day written without a time stays its day."""
        zone = self.statement_zone
        if zone is None:
            return when
        times = self.__dict__.get("_times")
        if times is not None:   # (read() asks where a statement read from its lines ends in its zone)
            times.add(when.replace(tzinfo=zone))
        return zone_time(when, zone, self.config.timezone)

    def __init_subclass__(cls, **kwargs):
        # A streamed statement's rows are read as parse() goes: an error it raises on a row
        # must still give way to one of the file's shape further on (toolkit.shape_first);
        # and an entry that moves no money is none (moving_money). Every importer's parse().
        super().__init_subclass__(**kwargs)
        if "parse" in cls.__dict__:
            cls.parse = _checked_parse(cls.__dict__["parse"])

    @property
    def name(self) -> str:
        return f"beanclear.{self.source.name}.{self.kind.replace(' ', '-')}"

    def identify(self, filepath: str) -> bool:
        return self.matches(sniff(filepath))

    def of_its_day(self, entry) -> bool:
        """Whether an entry of a day's bill is dated within the day the bill is of (a bill
        of another day holds none of those of the day asked: live/fetch/answered.py). Every
        row's, unless its format dates some by another day (WeChat's trade bill)."""
        return True

    @abc.abstractmethod
    def matches(self, head: str) -> bool:
        """Whether the start of a file (decoded text) is this importer's statement."""

    @abc.abstractmethod
    def parse(self, filepath: str) -> Extraction:
        """Read the whole statement; raise StatementError on bad input."""

    # Called as on_progress(done, all) while a long statement is read: in rows, or for a
    # streamed statement (read as it goes: its rows are not counted first) in bytes.
    on_progress: Callable[[int, int], None] | None = None
    # The identities (render.identities) the books hold of this source, set by the import
    # before read(): a row all of whose identities are in it needs no entry (held()).
    known: set | frozenset | None = None
    # Asked only of a file whose dates all read both ways: ("day-first" | "month-first", the
    # statement it is of) of the source's latest statement whose own dates decided
    # (Extraction.date_order), or None; set by the import before read()
    dates_before: Callable[[], tuple[str, str] | None] | None = None

    def held(self, out: Extraction, day: dt.date, ident: str, *others: str, currency: str | None = None,
             line: int = 0, moves: Decimal | None = None) -> bool:
        """Whether the books hold everything a row would book: its id and the identities it
        covers (`others`, those it has), moving the same money. Then the row counts in
        `out.held` and no entry is built or rendered for it: what makes a re-import cheap.
        The row must have been checked as fully as if it were booked before this is asked.
        `currency`: the one its entry would book the source's money in (at `line`), kept in
        `out.held_currencies`; `moves`: what it moves in it on the account its statement
        states (a channel's clearing account): where the books hold its id moving other
        money, its entry is built, and the import refuses it (books/same_rows.py)."""
        known = self.known
        if not known:
            return False
        if moves is None:
            if ident not in known:
                return False
        else:   # one look-up: whether the books hold it, and what it moves there
            value = known.get(ident, _NOT_HELD)
            if value is _NOT_HELD or not same(value, moves or None, currency if moves else None,
                                              COVERS_SEPARATOR.join(others)):
                return False
        if any(o not in known for o in others):
            return False
        if currency is not None:
            out.held_currencies.setdefault(currency, line)
        out.held += 1
        if ident in out.held_ids:
            out.held_again = True
        out.held_ids.add(ident)
        span = out.held_days
        out.held_days = (day, day) if span is None else (min(span[0], day), max(span[1], day))
        out.held_active.add(day)
        return True

    def each(self, rows: list) -> Iterator:
        """The data rows, reporting progress every few thousand of them. The entries
        made from them hold no reference cycles: the cycle collector is paused meanwhile
        (toolkit.paused_gc), which makes a million-row import a fifth faster."""
        report = self.on_progress
        with paused_gc():
            if report is None:
                yield from rows
                return
            counted = isinstance(rows, list)
            total = len(rows) if counted else rows.progress()[1]
            for done, row in enumerate(rows):
                if done % 5000 == 0:
                    report(done if counted else rows.progress()[0], total)
                yield row
            report(total, total)

    def read(self, filepath: str) -> Extraction:
        """parse(), then each payment or refund of a channel that names a shop's order
        moves from the channel's sales account to that shop's receivable, where it meets
        the order (DESIGN.md §1; the shop is decided by `shop_for`). The one place this
        is decided, for every channel type; `route_batch` does it again once a whole
        import batch is read, for orders that came in the same batch."""
        # its rows' times in their own zone (local()), where that is not the books'
        self._times = ZoneDayEnd() if self.statement_zone is not None else None
        out = self.parse(filepath)
        if out.period is None:  # the period the preamble states, where it states one
            stated = read_period(sniff(filepath))
            if stated is not None and stated.days is None:   # one that is none: said, not dropped unseen
                out.notes.append(unread_period(stated.line, stated.text, stated.why))
            out.period = (stated and stated.days) or named_day(filepath, self.daily_name)
            out.period_said = (stated.line, stated.text) if stated and stated.days else None
            if stated is not None and stated.days:
                out.starts_inside, out.ends_inside = stated.starts_inside, stated.ends_inside
            if out.period is not None and self.statement_zone is not None:   # its days are its zone's
                out.period, out.starts_inside, out.ends_inside = zoned_period(
                    out.period, out.starts_inside, out.ends_inside, self.statement_zone, self.config.timezone)
        if out.period is None and out.zone is None and self._times is not None and self._times.last is not None:
            self._times.mark(out, self.config.timezone)   # read from its lines: cut at its zone's days, as Stripe's
        if out.ends_inside is not None:
            to_its_end(out, out.ends_inside)
        if out.starts_inside is not None:
            from_its_start(out, out.starts_inside)
        if out.account is None:  # the account it is of, where the preamble states it (account_ids.py)
            out.account = stated_account(sniff(filepath))
        if isinstance(self.source, Channel) and self.config is not None and self.config.shops:
            route(out, self.source, self.config, ShopOrders(self.config))
        return out

    def extract(self, filepath: str, existing=None) -> data.Entries:
        return list(self.read(filepath).entries)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        # Identity is the statement's own id, never a fuzzy comparison (DESIGN.md §2), or
        # one an earlier release gave the line (`_was`, render.transaction_identities): taken
        # out here, before beangulp prints the entries (its printer cannot write a tuple).
        known = {e.meta.get("id") for e in existing if isinstance(e, data.Transaction)}
        for entry in entries:
            if isinstance(entry, data.Transaction):
                formerly = entry.meta.pop("_was", None) or ()
                if entry.meta.get("id") in known or any(ident in known for ident in formerly):
                    entry.meta["__duplicate__"] = True


def to_its_end(out: Extraction, end: dt.datetime) -> None:
    """A statement whose stated period ends inside a day (`终止日期：[2026年03月03日 14:00:00]`,
    toolkit periods `Stated.ends_inside`) knows the balance of that moment, not the day's:
    the rows of the rest of the day are in the next download. Its assertion of that day's
    close (on the next day, base.next_day) is left out, so that the download of the whole
    day asserts it, whichever comes first, in one import or apart; the days before it
    are whole, and keep theirs."""
    day = next_day(end.date())
    if all_transactions(out.entries) or not any(type(e) is data.Balance and e.date == day for e in out.entries):
        return
    kept = like(out.entries)   # (a pass only for such a statement: a spilled entry is not removed in place)
    kept.extend(e for e in out.entries if not (type(e) is data.Balance and e.date == day))
    out.entries = kept
    out.notes.append(f"it ends {end:%Y-%m-%d %H:%M}, inside that day: its balance then is not the day's closing "
                     f"balance, not asserted on {day} (a statement of the whole day asserts it)")


def from_its_start(out: Extraction, start: dt.datetime) -> None:
    """A statement whose stated period starts inside a day (`起始日期：[2026年03月10日
    14:00:00]`, a CAMT `FrDtTm` or `OPBD` stamped 14:00; `Extraction.starts_inside`) knows
    the balance of that moment, not the day's opening: the rows of the day before it are
    in the download before. The mirror of to_its_end: what it says of the start of that
    day or before is left out, so that the statement that holds the start of the day says
    it, whichever comes first: a `balance` dated that day or before (checked before the
    day's rows; a CAMT opening asserted where no closing balance is), and an opening it
    states of the start of that day (Extraction.stated_openings; one of the start of a
    later day, the statement showing nothing of the day after its start, holds). Its
    balances of the ends of days (the first on the day after) are true and kept; the
    opening worked back from them counts the rows of that day before its start only as
    far as the books hold them, and moves with those booked later (importing.first_openings:
    `statement-starts`)."""
    day = start.date()
    out.statements = [replace(s, day_start=False) if s.first <= day else s for s in out.statements]
    dropped = [key for key, said in out.stated_openings.items() if said.day <= day]
    for key in dropped:
        del out.stated_openings[key]
    early = None if all_transactions(out.entries) else [e.date for e in out.entries
                                                             if type(e) is data.Balance and e.date <= day]
    if early:
        kept = like(out.entries)   # (a pass only for such a statement: a spilled entry is not removed in place)
        kept.extend(e for e in out.entries if not (type(e) is data.Balance and e.date <= day))
        out.entries = kept
    if dropped or early:
        out.notes.append(f"it starts {start:%Y-%m-%d %H:%M}, inside that day: its balance then is not the day's "
                         "opening balance, " + (f"not asserted on {max(early)}" if early else "not the books' opening")
                         + " (a statement of the start of the day says it)")


def _checked_parse(parse):
    @functools.wraps(parse)
    def checked(self, filepath: str) -> Extraction:
        made: list[int] = []   # transaction() notes here each entry it makes that moves nothing
        token = _MOVING_NOTHING.set(made)
        by = _LATEST.set(Latest(today()))   # the last day a row may be of (transaction, balance)
        try:
            with shape_first():
                out = parse(self, filepath)
        finally:
            _LATEST.reset(by)
            _MOVING_NOTHING.reset(token)
        return moving_money(out) if made else out
    return checked


# The reason a row that moves no money is counted under, whichever importer read it.
ZERO_AMOUNT = "zero amount"

# Inside an importer's parse(): where transaction() notes (the line of) each entry it
# makes that moves nothing, so that moving_money's pass is made only where one was.
_MOVING_NOTHING: contextvars.ContextVar[list | None] = contextvars.ContextVar("entries moving nothing",
                                                                              default=None)


class Latest:
    """The last day a statement's row may be of, read on the books' clock (clock.today:
    the machine's date, or BEANCLEAR_TODAY): today, and a day more for the zones (a row
    timed after midnight in the books' zone while the machine's day is still today). A
    statement holds money that has moved by the day it was made: a row after that is a
    mistyped date (blind13: `9999-03-09 10:00:00` in a day's WeChat bill wrote books for
    9999 and a coverage record of 2026-03-09 to 9999-03-09, which hid the days of bills
    never imported; a bank line typed 2062 for 2026 alike), refused naming its line,
    whichever importer read it (transaction, balance), before anything is written."""

    __slots__ = ("today", "day")

    def __init__(self, today: dt.date):
        self.today, self.day = today, today + dt.timedelta(days=1)

    def error(self, path, line: int, what: str, day: dt.date) -> StatementError:
        fixed = os.environ.get("BEANCLEAR_TODAY")
        return StatementError(path, line, f"{what} dated {day}, after today ({self.today}"
                                          + (", BEANCLEAR_TODAY" if fixed else "") + "): a statement holds only days "
                                          "that have passed; a mistyped date? Correct it in the file")


# Inside an importer's parse(): the Latest day its rows may be of (None: outside one, no limit).
_LATEST: contextvars.ContextVar[Latest | None] = contextvars.ContextVar("the latest day of a row", default=None)


def moving_money(out: Extraction) -> Extraction:
    """`out` without the transactions that move no money (every posting zero), each
    counted as a row skipped, `zero amount`: the one rule of every importer, run on what
    its parse() gives. Amount 0 and -0.0 alike (blind9: a Stripe API adjustment of 0 and
    an Airwallex payment of -0.0 were each written as an entry of one 0.00 posting, where
    the bank formats said "skipped 1 zero amount"). A row of amount 0 with a fee moved
    the fee: its entry has postings that are not zero, and is kept (transaction leaves
    out only the postings that are zero)."""
    kept = like(out.entries)   # (a spilled entry is not removed in place)
    for entry in out.entries:
        if type(entry) is data.Transaction and all(p.units.number == 0 for p in entry.postings):
            out.skip(ZERO_AMOUNT)
        else:
            kept.append(entry)
    out.entries = kept
    return out


# -- building entries -----------------------------------------------------------------

# Marketplaces whose order amount is the price after the merchant's own discounts, which
# the platform applied (Pinduoduo's 商家实收金额 after 店铺优惠折扣, Douyin's 订单应付金额
# after 商家实际承担优惠金额): see holds_discounts. Not the merchant's own shop (Shopify,
# orders-csv), whose export is the price before a coupon the buyer spends in the wallet
# (the demo's WeChat 代金券: an order of 282.00 paid 277.00 and a 5.00 coupon), nor
# Taobao's 总金额, of which a 店铺红包 is spent through Alipay.
DISCOUNTED_BY_THE_PLATFORM = frozenset({"pinduoduo", "douyin"})


def holds_discounts(shop) -> bool:
    """Whether the shop's order amounts hold the merchant's own discounts already. A
    channel payment of such an order clears it with what the channel settles: the
    discount the channel states (WeChat's 免充值券, 订单金额 − 应结订单金额) is inside
    the price, and on the channel's discounts account too it would count twice (an
    order of 29.50 after a 3.00 shop coupon, paid 32.50 less a 3.00 coupon)."""
    return shop.type in DISCOUNTED_BY_THE_PLATFORM


def to_receivable(entry, channel, receivable: str, discounts_inside: bool = False):
    """A channel entry whose sale (or refund) postings name a shop order, moved to the
    shop's receivable and linked to the order; any other entry as it is. Where the
    shop's amounts hold the merchant's discounts (`discounts_inside`, holds_discounts),
    the entry's discount goes into the receivable with its sale, one posting, and is
    kept as `discount`:

        Assets:Clearing:WeChat             29.32 CNY
        Expenses:Fees:WeChat                0.18 CNY
        Expenses:Discounts:WeChat           3.00 CNY     ; discount: "3.00"
        Income:Sales:WeChat               -32.50 CNY     ; Assets:Receivable:Pinduoduo -29.50
    """
    acc = channel.accounts
    if not isinstance(entry, data.Transaction) or not any(p.account == acc.sales for p in entry.postings):
        return entry
    order_id = named_order(entry, channel.order_pattern)
    if not order_id:
        return entry
    meta = dict(entry.meta)
    if not meta.get("order-id"):
        meta["order-id"] = order_id
    elif meta["order-id"] != order_id:
        meta["shop-order-id"] = order_id
    links = {l for l in entry.links if not l.startswith("order-")} | {order_link(order_id)}
    postings = [p._replace(account=receivable) if p.account == acc.sales else p for p in entry.postings]
    if discounts_inside and any(p.account == acc.discounts for p in postings):
        postings, discount = folded(postings, acc.discounts, receivable)
        meta["discount"] = f"{discount}"
    return entry._replace(meta=meta, links=frozenset(links), postings=postings)


def folded(postings: list, discounts: str, receivable: str) -> tuple[list, Decimal]:
    """(the postings with those to `discounts` added into the first to `receivable`,
    the discount they held)."""
    discount = sum((p.units.number for p in postings if p.account == discounts), Decimal(0))
    out, into = [], None
    for p in postings:
        if p.account == discounts:
            continue
        if p.account == receivable and into is None:
            into = len(out)
        out.append(p)
    p = out[into]
    out[into] = p._replace(units=Amount(p.units.number + discount, p.units.currency))
    return out, discount


def shop_for(channel, config, order_id: str, orders: "ShopOrders") -> tuple[str | None, list[str]]:
    """(the shop whose order `order_id` is, or None; the shops that hold it).

    `shop:` on the channel decides; else with one shop, it is that shop's order; else
    the shop whose books (or import batch) hold the order. A personal wallet's order
    number is the wallet's own unless a shop holds it: there the books always decide."""
    if channel.shop:
        return channel.shop, []
    shops = payment_shops(config, channel)
    if len(shops) == 1 and channel.type not in WALLET_TYPES:
        return shops[0], []
    key = order_link(order_id)
    holders = [s for s in shops if key in orders.of(s)]
    return (holders[0] if len(holders) == 1 else None), holders


class ShopOrders:
    """The `^order-…` links each shop holds: its entries in the books (books/<shop>/,
    read as text like ledger/books/disk.py reads ids: no Beancount parse) and, once a whole
    import batch is read, the orders of that batch."""

    LINK = re.compile(r"[ \t]\^(order-[A-Za-z0-9\-_/.]+)")
    _files: dict = {}   # path -> (stat stamp, links): each month file is read once while unchanged

    def __init__(self, config, batch: dict[str, set[str]] | None = None):
        self.books, self.batch, self.held = Path(config.books), batch or {}, {}

    def of(self, shop: str) -> set[str]:
        if shop not in self.held:
            links = self.batch.get(shop, frozenset())   # copied only to add the books' to it
            for path in (self.books / shop).glob("*/*.beancount"):
                stat = path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                cached = self._files.get(path)
                if cached is None or cached[0] != stamp:
                    text = path.read_text(encoding="utf-8")
                    cached = self._files[path] = (stamp, frozenset(self.LINK.findall(text)))
                if cached[1]:
                    links = links | cached[1]
            self.held[shop] = links
        return self.held[shop]


UNROUTED = "sales naming an order no shop holds"


def route(out: Extraction, channel, config, orders: ShopOrders) -> None:
    """Each entry of `out` that names an order (named_order) on the channel's sales side,
    moved to its shop's receivable (shop_for). Where several shops may own the order
    and none holds it yet, it stays a sale of the channel, and the summary says so (the
    import that brings the order moves it: ledger/books/late_routes.py). A channel whose
    payments pay no shop (`shop: none`) keeps every sale as it is, said nowhere."""
    if not payment_shops(config, channel):
        out.unrouted = 0
        return
    unplaced, example = 0, None   # sales left unrouted, said: how many, the first (counted, not held)
    left = 0                      # and those of a wallet's own numbers, not said
    shared: set[str] = set()
    # A spilled statement's entries cannot change in place: from the first entry that
    # moves, the pass writes them anew (a list stays a list, a Spill a Spill). Entries
    # routed already (the batch's second route) do not move: nothing is written again.
    routed = None
    for at, entry in enumerate(out.entries):
        order_id = None
        if isinstance(entry, data.Transaction) and any(p.account == channel.accounts.sales for p in entry.postings):
            order_id = named_order(entry, channel.order_pattern)
        if order_id:
            shop, holders = shop_for(channel, config, order_id, orders)
            if shop:
                moved = to_receivable(entry, channel, config.shops[shop].accounts.receivable,
                                      holds_discounts(config.shops[shop]))
                if moved is not entry and routed is None:
                    routed = like(out.entries)
                    routed.extend(itertools.islice(out.entries, at))
                entry = moved
            else:
                left += 1
                # a wallet's own order numbers are no news; an order it names in a
                # marketplace's form or by its order_pattern is (order_shops)
                if holders or channel.type not in WALLET_TYPES or order_shops(config, channel, entry):
                    shared.update(holders)
                    unplaced, example = unplaced + 1, example or order_id
        if routed is not None:
            routed.append(entry)
    if routed is not None:
        out.entries = routed
    out.unrouted = left
    out.notes = [n for n in out.notes if not n.startswith(UNROUTED)]
    if unplaced:
        # (not `shop:` on a wallet: it would route the sales its own numbers name too)
        why = (f"held by several shops ({', '.join(sorted(shared))}): set channels.{channel.name}.shop"
               if shared else "import the shops' orders first (with these payments, or before them)"
               + ("" if channel.type in WALLET_TYPES else f", or set channels.{channel.name}.shop"))
        out.notes.append(f"{UNROUTED} ({unplaced}, e.g. {example}): booked as sales of {channel.name}; "
                         + why)


class BatchOrders:
    """The orders of an import batch's shop statements, found by one pass over their
    entries the first time they are asked for, and held while the batch's statements
    are looked at together (importing._across: route_batch, refund_orders, late_routes)."""

    def __init__(self, read: list[tuple["StatementImporter", Extraction]]):
        self.read, self._links, self._first = read, None, None

    @property
    def links(self) -> dict[str, set[str]]:
        """Per shop, the `^order-…` links of its statements."""
        if self._links is None:
            self._links = {}
            for importer, out in self.read:
                if isinstance(importer.source, Shop):
                    held = self._links.setdefault(importer.source.name, set())
                    for entry in out.entries:
                        if isinstance(entry, data.Transaction):
                            held.update(l for l in entry.links if l.startswith("order-"))
                            if self._first is None or entry.date < self._first:
                                self._first = entry.date
        return self._links

    @property
    def first(self) -> dt.date | None:
        """The day of the first of those orders."""
        return self._first if self.links else None


def route_batch(read: list[tuple["StatementImporter", Extraction]], batch: BatchOrders | None = None) -> None:
    """route() again once every file of an import batch is read, with the batch's orders:
    payments and the orders they pay, imported together, meet whichever file comes first."""
    batch = batch or BatchOrders(read)
    orders = None
    for importer, out in read:
        channel, config = importer.source, importer.config
        if isinstance(channel, Channel) and config is not None and config.shops and not channel.shop \
                and out.unrouted != 0:   # 0: read() placed every sale that names an order
            if not batch.links:
                return
            orders = orders or ShopOrders(config, batch.links)
            route(out, channel, config, orders)


def posting(account: str, number: Decimal, currency: str, price: Amount | None = None) -> data.Posting:
    """A posting; `price` is the per-unit rate a conversion was made at (`@ 7.1234 CNY`)."""
    if type(number) is Decimal and type(currency) is str:   # what Amount() asserts, checked in one test:
        # Amount's own __new__ costs a third of a posting. The number with the currency's places:
        # `38.1` of a bill Excel saved again is 38.10, as downloaded (toolkit.in_places)
        units = _tuple_new(Amount, (in_places(number, currency), currency))
    else:
        units = Amount(number, currency)
    return _tuple_new(data.Posting, (account, units, None, price, None, None))


_tuple_new = tuple.__new__   # a named tuple made from its fields without its Python-level __new__


def transaction(path: str, line: int, when: dt.datetime | dt.date, payee: str | None, narration: str,
                meta: dict, postings: list[data.Posting], links=()) -> data.Transaction:
    """A transaction; postings of zero are left out (a fee of 0.00 is no posting), and one
    whose postings are all zero moves nothing: made by an importer, it is no entry
    (moving_money: its parse() leaves it out and counts the row a zero amount). Every
    text is bounded (toolkit MAX_TEXT: longer is cut, marked `…`); an id (`id`, `…-id`)
    longer than MAX_ID is an error: cut, two ids could become one; so is one Excel
    shortened to scientific notation (`4.2E+27`: toolkit.whole_id, the rule an importer's
    id columns go through, here for every importer's ids). An amount past its
    currency's places (`7.407 CNY`) is an error naming the line (unplaced)."""
    timed = isinstance(when, dt.datetime)
    day = when.date() if timed else when
    latest = _LATEST.get()
    if latest is not None and day > latest.day:
        raise latest.error(path, line, "a row", day)
    full = {"filename": str(path), "lineno": line}   # data.new_metadata
    if timed:
        full["time"] = "%02d:%02d:%02d" % (when.hour, when.minute, when.second)  # strftime("%H:%M:%S"), faster
    for key, value in meta.items():
        if value is None or value == "":
            continue
        if isinstance(value, str):
            if len(value) > MAX_TEXT:   # MAX_TEXT < MAX_ID: one test for the usual value
                if len(value) > MAX_ID and (key == "id" or key.endswith("-id")):
                    raise StatementError(path, line, f"{key}: longer than {MAX_ID} characters "
                                         f"({value[:40]}…, {len(value)} characters; expected a statement id)")
                value = _bounded(value)
            elif ("E+" in value or "e+" in value) and (key == "id" or key.endswith("-id")) and excel_shortened(value):
                raise shortened_id(path, line, key, value)
        full[key] = value
    kept = []
    for p in postings:
        number = p.units.number
        if number != 0:
            if number is not None and past_places(number, p.units.currency):
                raise unplaced(path, line, number, p.units.currency, p.account)
            kept.append(p)
    if not kept:
        made = _MOVING_NOTHING.get()
        if made is not None:
            made.append(line)
        kept = postings[:1]
    return _tuple_new(data.Transaction, (full, day, "*", _bounded(payee) or None,
                                         _bounded(narration), _NO_TAGS, frozenset(links), kept))


_NO_TAGS = frozenset()
_DAY = dt.timedelta(days=1)


def _bounded(text: str | None) -> str | None:
    return text[:MAX_TEXT - 1] + "…" if text and len(text) > MAX_TEXT else text


def unplaced(path: str, line: int, number: Decimal, currency: str, account: str) -> StatementError:
    """The error of an amount past its currency's places, whichever importer read it: no
    channel, bank or shop moves a fraction of a cent (a fen, a yen), so `7.407 CNY` is
    a figure the importer did not round as its channel charges it (toolkit.charged), or
    an amount misread; booked as it reads, the fraction would become an opening balance
    or a failed balance assertion that no statement holds (blind9: WeChat's 5-decimal
    手续费). Banks refuse theirs as they read them (toolkit.in_currency_places)."""
    return StatementError(path, line, f"{account} {number:f} {currency}: more decimal places than {currency} has "
                                      f"({currency_places(currency)}): expected the statement's amounts in "
                                      f"{currency}'s places (is a thousands separator read as the decimal point?)")




def off_by(lines: Decimal, stated: Decimal) -> str:
    """Why a statement's `lines` disagree with the balance it `stated`, by the way they do."""
    return f"{lines - stated:f} too much: {TOO_MANY}" if lines > stated else "lines missing?"


def balance(path: str, line: int, date: dt.date, account: str, number: Decimal, currency: str,
            meta: dict | None = None) -> data.Balance:
    if past_places(number, currency):
        raise unplaced(path, line, number, currency, account)
    latest = _LATEST.get()
    if latest is not None and date - _DAY > latest.day:   # (the close of the day before it)
        raise latest.error(path, line, f"a closing balance of {account}", date - _DAY)
    full = data.new_metadata(str(path), line)
    full.update(meta or {})
    return data.Balance(full, date, account, Amount(in_places(number, currency), currency), None, None)


class FileOrder:
    """Which way a file lists its rows in time, from its first change of day: newest first
    or oldest first (None while all its rows are of one day). A BalanceChain decides it
    from its own rows; a file whose chains are each of some of its rows (PayPal: one a
    currency, its conversions appended before the other rows) decides it from all of them
    in file order, and gives it to each: a currency with one day would know none."""

    def __init__(self):
        self.day: dt.date | None = None
        self.newest_first: bool | None = None

    def see(self, day: dt.date | None) -> None:
        """The next row's day, in file order (None: a row of no day read, passed over)."""
        if day is None:
            return
        if self.newest_first is None and self.day is not None and day != self.day:
            self.newest_first = day < self.day
        self.day = day


class BalanceChain:
    """Rows of (time, line, amount, balance after) of one account in one currency, as a
    statement gives them, for closing_balances. Statements list a day's rows together
    (newest or oldest first), so each day is closed as the next one starts, from its rows
    alone; a day met again further down is closed at the end, from all its rows. For that
    every row is also kept as plain values in a books.spill.Spill (on disk past a few
    thousand), read back only if a day comes again: a million-row fund ledger's
    balances are not held in memory (#15). `ordered=False`: the file's order says
    nothing of the order of a second's rows (`beanclear fetch` archives them by id), so
    a day the chain, the time and the days around it leave open is not closed. `order`:
    the file's direction where the file, not the chain's rows, decides it (FileOrder)."""

    def __init__(self, rows: Iterable[tuple] = (), ordered: bool = True, order: FileOrder | None = None):
        self.ordered = ordered
        self._day: dt.date | None = None
        self._own = order is None
        self._order = order or FileOrder()                 # the file's direction: its own rows' unless given
        self._rows: list[tuple] = []                       # the current day's
        self._closes: dict[dt.date, tuple[int, Decimal]] = {}
        self._sums: dict[dt.date, Decimal] = {}             # what each day moved
        self._tied: dict[dt.date, list[tuple]] = {}          # days neither chain nor time closes: their last rows
        self._again: set[dt.date] = set()
        self._all = Spill()
        for row in rows:
            self.append(row)

    def append(self, row: tuple[dt.datetime, int, Decimal, Decimal]) -> None:
        day = row[0].date()
        if day != self._day:
            if self._own:
                self._order.see(day)
            self._end_day()
            self._day = day
            if day in self._closes:
                self._again.add(day)
        self._rows.append(row)
        self._all.append((row[0], row[1], str(row[2]), str(row[3])))  # str: pickles faster, reads back exactly

    @property
    def _newest_first(self) -> bool | None:
        return self._order.newest_first

    def _end_day(self) -> None:
        if self._rows and self._day not in self._again:
            self._closes[self._day] = _day_close(self._rows, self._newest_first)
            self._note(self._day, self._rows)
        self._rows = []

    def _note(self, day: dt.date, day_rows: list[tuple]) -> None:
        self._sums[day] = sum((r[2] for r in day_rows), Decimal(0))
        tied = _tied(day_rows)
        if tied:
            self._tied[day] = tied
        else:
            self._tied.pop(day, None)

    def __len__(self) -> int:
        return len(self._all)

    def closes(self) -> dict[dt.date, tuple[int, Decimal]]:
        """Each day's (line, closing balance)."""
        self._end_day()
        self._day = None   # a row appended after this starts its day again
        out = dict(self._closes)
        if self._again:
            rows: dict[dt.date, list] = {day: [] for day in self._again}
            for when, line, amount, after in self._all:
                if when.date() in rows:
                    rows[when.date()].append((when, line, Decimal(amount), Decimal(after)))
            out.update((day, _day_close(day_rows, self._newest_first)) for day, day_rows in rows.items())
            for day, day_rows in rows.items():
                self._note(day, day_rows)
        out, left = _from_the_days_around(out, self._sums, self._tied, self._newest_first)
        return out if self.ordered else {day: close for day, close in out.items() if day not in left}


def _day_close(day_rows: list[tuple], newest_first: bool | None = None) -> tuple[int, Decimal]:
    """The (line, balance) that ends a day: the row no other row of it continues from.
    Where the chain does not decide (a day that ends at the balance it started from,
    Wise's 0.00 → 10.14 → 10010.14 → 0.00; a chain the bank broke), the latest time, then
    the row the file lists last in time: the first of the day in a newest-first file."""
    openings = Counter(bal - amount for _, _, amount, bal in day_rows)
    ends = [r for r in day_rows if openings[r[3]] - (r[2] == 0) == 0]
    last = max(ends or day_rows, key=lambda r: (r[0], -r[1] if newest_first else r[1]))
    return last[1], last[3]


def _tied(day_rows: list[tuple]) -> list[tuple] | None:
    """The rows one of which ends a day that neither the chain nor the time decides (it
    ends at the balance it started from, its last rows in one second: a PayPal payment
    and the conversion pair selling it, archived by time and then id), or None."""
    openings = Counter(bal - amount for _, _, amount, bal in day_rows)
    if any(openings[r[3]] - (r[2] == 0) == 0 for r in day_rows):
        return None
    latest = max(r[0] for r in day_rows)
    tied = [r for r in day_rows if r[0] == latest]
    return tied if len({r[3] for r in tied}) > 1 else None


def _from_the_days_around(closes: dict, sums: dict, tied: dict, newest_first: bool | None) -> tuple[dict, set]:
    """`closes` with each tied day's close taken from a day beside it that is known:
    what the day before closed at plus what the day moved, or what the day after opened
    with; the row of the tied ones that ends there (where none does, as _day_close
    chose). And the tied days left as _day_close chose."""
    if not tied:
        return closes, set()
    out, days = dict(closes), sorted(closes)

    def settle(day: dt.date, balance: Decimal) -> bool:
        fit = [r for r in tied[day] if r[3] == balance]
        if fit:
            last = max(fit, key=lambda r: -r[1] if newest_first else r[1])
            out[day] = (last[1], last[3])
        return bool(fit)

    open_days, before = set(tied), None
    for day in days:   # from the day before
        if day in open_days and before is not None and settle(day, before + sums[day]):
            open_days.discard(day)
        before = None if day in open_days else out[day][1]
    after = None
    for day in reversed(days):   # from the day after: it opened with this day's close
        if day in open_days and after is not None and settle(day, after):
            open_days.discard(day)
        after = None if day in open_days else out[day][1] - sums[day]
    return out, open_days


def closing_balances(rows: BalanceChain | Iterable[tuple]) -> dict[dt.date, tuple[int, Decimal]]:
    """Each day's closing balance from rows of (time, line, amount, balance after).

    Statements list rows newest-first, oldest-first or unsorted, so the day's last row
    is found by the chain of balances: the one no other row of that day continues from.
    Where the chain does not decide (zero amounts, repeated balances), the latest time
    and then the latest line wins; where the time does not either (the day's last rows in
    one second), the day closes at what the day before closed at plus what it moved, or
    at what the day after opened with (_from_the_days_around). Returns date -> (line, balance)."""
    return (rows if isinstance(rows, BalanceChain) else BalanceChain(rows)).closes()


def next_day(date: dt.date) -> dt.date:
    """Balance assertions hold at the start of a day: a closing balance is asserted
    on the next one."""
    return date + dt.timedelta(days=1)


def path_of(filepath) -> str:
    return str(Path(filepath))


def compare_summary(out: Extraction, stated: dict, actual: dict) -> None:
    """Check the statement's own totals against its rows. A difference is a note in the
    import summary, not an error: real bills (and WeChat's test bills) elide rows, and
    the books must still hold exactly the rows that are there."""
    differ = [k for k, v in stated.items() if v is not None and v != actual[k]]
    if differ:
        # which way they differ says what to look for (a blind tester's rows adding up to more
        # than the summary were asked after rows missing)
        more = {None if "balance" in k else abs(actual[k]) > abs(stated[k]) for k in differ}
        why = ("rows missing from the file?" if more == {False} else
               "rows the summary does not count: a file edited or joined?" if more == {True} else
               "rows missing or edited?")
        out.notes.append("summary line says " + ", ".join(f"{k} {stated[k]}" for k in differ)
                         + "; the rows add up to " + ", ".join(f"{k} {actual[k]}" for k in differ)
                         + f" ({why})")


def unique_ids(rows: list[tuple[str, str]]) -> list[str]:
    """Each row's statement id, given as (id, the row's content), as RepeatedIds gives it."""
    ids = RepeatedIds()
    for ident, _ in rows:
        ids.add(ident)
    return [ids.of(ident, content) for ident, content in rows]


class RepeatedIds:
    """Statement ids unique within a file: kept as written where the file has the id
    once, qualified by a digest of the row's content where a user-edited export repeats
    it (`123456` on ten rows), so that no row is mistaken for a re-import of another.
    The digest is of the content's cells (joined by `|`) in sorted order: an export
    whose columns come in another order gives the same ids. A row repeated exactly gets
    the same id as its twin: the import books it once and says so (once_per_id).

    Made for a file read in two passes, its rows never held: the first `add`s each
    row's id, and only the ids are kept (idset.Ids: on disk past idset.LIMIT_IDS of
    them); then `of(id, content)` is a row's statement id."""

    def __init__(self):
        self._seen: Ids | None = Ids()
        self._repeated = Ids()

    def add(self, ident: str) -> None:
        if not self._seen.add(ident):
            self._repeated.add(ident)

    def of(self, ident: str, content: str | Callable[[], str]) -> str:
        """The statement id of a row with `ident`, once every row's id is added;
        `content`, or a function giving it, is asked only of a repeated id."""
        if self._seen is not None:
            self._seen = None   # the first pass is over: its ids (memory or disk) back
        if ident not in self._repeated:
            return ident
        cells = "|".join(sorted((content() if callable(content) else content).split("|")))
        return f"{ident}-{hashlib.sha1(cells.encode()).hexdigest()[:8]}"


def rule_account(config, text: str) -> str | None:
    """The account of the first `rules:` pattern found in `text`, if any."""
    for rule in config.rules:
        if rule.pattern.search(text):
            return rule.account
    return None


# -- currency conversions -------------------------------------------------------------

def fx_postings(sold_account: str, sold: Amount, bought_account: str, bought: Amount) -> tuple[list, dict]:
    """The postings of a conversion at the rate the channel applied, and the metadata the
    fx-gap check compares with the reference rate of the day (`fx-rate`, `fx-pair`):

        fx-rate: "0.887955"
        fx-pair: "USD/EUR"
        Assets:Clearing:PayPal    -14000.00 USD @ 0.887955 EUR
        Assets:Transit:PayPal      12431.37 EUR

    `sold` and `bought` are given as positive amounts. The price gives `bought` back as
    Beancount checks it, exactly where it is whole (toolkit.applied_rate): a rate of
    won to yen has 29 digits (`-58316 KRW @ 0.10674600452705946909938953289 JPY`,
    `6225 JPY`), and `fx-rate` says it to ten ("0.1067460045"), as the check and a
    person read it; where `bought` has decimals the two are one figure."""
    from beanclear.importers.toolkit import applied_rate
    rate, price = applied_rate(sold.number, bought.number), applied_rate(sold.number, bought.number, bought.currency)
    postings = [posting(sold_account, -abs(sold.number), sold.currency, price=Amount(price, bought.currency)),
                posting(bought_account, abs(bought.number), bought.currency)]
    return postings, {"fx-rate": f"{rate:f}", "fx-pair": f"{sold.currency}/{bought.currency}"}


def netted(postings: list) -> list:
    """Postings to the same account in the same currency (without a price) added up into
    one, in the order they first appear: a withdrawal and the conversion that funded
    it, booked as one entry, leave only what moved."""
    out: list = []
    at: dict = {}
    for p in postings:
        key = (p.account, p.units.currency) if p.price is None else None
        if key in at:
            q = out[at[key]]
            out[at[key]] = q._replace(units=Amount(q.units.number + p.units.number, q.units.currency))
        else:
            if key is not None:
                at[key] = len(out)
            out.append(p)
    return out


def compare_footer(out: Extraction, footer, pattern, read, totals: dict, lines: str) -> None:
    """compare_summary for totals written as `#…合计` footer lines (Alipay's bills):
    `pattern` matches one such line, `read(*groups)` turns it into {total name: value}.
    No such line at all is a note too: the file may be cut off."""
    stated: dict = {}
    for row in footer:
        found = pattern.match(",".join(row.cells).strip())
        if found:
            stated.update(read(*found.groups()))
    if not stated:
        out.notes.append(f"no {lines} lines at the end (is the file cut off?)")
    compare_summary(out, stated, {k: totals[k] for k in stated})
