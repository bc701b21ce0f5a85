"""The reconciliation as one library call: every finding of the books, with its
severity. The plugins, `beanclear check` and (later) the Fava page all come here."""

from __future__ import annotations

import datetime as dt
import gc
import os
from contextlib import contextmanager
from functools import lru_cache

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from beanclear.checks import acks, clearing, directives, fees, fx, orders, refunds, suspense
from beanclear.checks.clearing import order_key
from beanclear.checks.items import WRITE_OFF, indexed
from beanclear.checks.pooled import pooled
from beanclear.books import journal
from beanclear.books.render import SUMMARY_FLAG
from beanclear.clock import today
from beanclear.config import ConfigError, load
from beanclear.checks.findings import UNNAMED, Finding, apply_policy, as_errors, at_entry, closed_policies, relative
from beanclear.statements import cut_over
from beanclear.statements.coverage import Coverage
from beanclear.checks.directives import SINCE
from beanclear.checks import resolutions

CHECKS = {"clearing": clearing.findings, "suspense": suspense.findings, "fees": fees.findings,
          "refunds": refunds.findings, "orders": orders.findings, "fx": fx.findings}


def as_of(entries) -> dt.date:
    """The last statement date in the books: the newest imported transaction."""
    latest = None
    for entry in entries:
        if isinstance(entry, data.Transaction) and (latest is None or entry.date > latest):
            if "id" in entry.meta:
                latest = entry.date
    return latest or today()


class Walk:
    """One pass over the entries of a load, shared by every check: each check's own
    functions then read only the entries that concern them, in the books' order, and
    decide by their own rules (the lists here only narrow, they never judge).

    Before it, each check and each of its helpers walked all the entries again
    (eight passes of resolutions.py alone, one per check): on a year of four channels
    those passes, not the checks' rules, were most of the checks' time in a load.

    - `latest`: as_of's newest imported transaction;
    - `custom`: the custom directives (coverage, acknowledgments, follow-ups);
    - `prices`: the price directives (fx.References);
    - `marked`: what resolutions.py reads (custom directives, write-off transactions);
    - `watched`: (transaction, posting) of each posting to a clearing, transit, suspense
      or the transfers account (items.indexed builds the index from them);
    - `orders`: orders.scan's groups, made here: per shop's receivable, per order link,
      the transactions posting to it;
    - `sales`: refunds.channel_sales, made here: ChannelSales's channel is the account
      of the entry's first posting to a channel's sale-side account, found in this
      very loop over the postings;
    - `fee_of`: transactions naming a payment's or a refund's fee (fees.separate_fees,
      fees.refund_fee_lines);
    - `converted`: transactions with fx metadata or a priced posting (fx.applied);
    - `order_ids`: transactions naming an order (orders.misrouted), and `unrouted_ids`:
      those of them posting to the sales account of a channel only the shops' books
      place (paying several shops, a personal wallet), and of such a channel with an
      `order_pattern` any posting there (it may name the order in its narration): the
      only ones orders.unrouted reads;
    - `own`: transactions a person wrote, not beanclear (statements/cut_over.py)."""

    def __init__(self, entries, config):
        sales = orders.ChannelSales(config)
        channel_of = sales.by_account
        watched = {config.suspense, config.transfers}
        for ch in config.channels.values():
            watched |= {ch.accounts.clearing, ch.accounts.transit}
        receivables = {shop.accounts.receivable for shop in config.shops.values()}
        # one look-up a posting: whether its account is watched, a receivable, a channel's
        role = dict.fromkeys(channel_of, 0)
        for account in watched:
            role[account] = WATCHED
        for account in receivables:
            role[account] = role.get(account, 0) | RECEIVABLE
        for ch in orders.placed_by_books_payers(config):
            # (with an order_pattern, an entry without order-id may name its order in its text)
            flags = SHARED_SALES | (IN_TEXT if ch.order_pattern is not None else 0)
            role[ch.accounts.sales] = role.get(ch.accounts.sales, 0) | flags
        role_of = role.get
        by_order: dict[str, dict[str, list]] = {account: {} for account in receivables}
        latest = None
        custom, prices, marked, watching, sold, fee_of, converted, order_ids, own, unrouted_ids = (
            [] for _ in range(10))
        Transaction, Custom, Price, Balance = data.Transaction, data.Custom, data.Price, data.Balance
        asserted: dict[str, dt.date] = {}
        for entry in entries:
            if isinstance(entry, Transaction):
                meta = entry.meta
                if "id" in meta:
                    if latest is None or entry.date > latest:
                        latest = entry.date
                elif cut_over.is_own(entry):
                    own.append(entry)
                if WRITE_OFF in meta:
                    marked.append(entry)
                if "fee-of" in meta or "fee-back-of" in meta:   # (a refund's fee line names it either way)
                    fee_of.append(entry)
                if "order-id" in meta:
                    order_ids.append(entry)
                channel = receivable = None
                several = priced = shared = in_text = False
                for p in entry.postings:
                    account = p.account
                    flags = role_of(account)
                    if flags is not None:
                        if channel is None:
                            channel = channel_of.get(account)
                        if flags & SHARED_SALES:
                            shared = True
                            in_text = in_text or bool(flags & IN_TEXT)
                        if flags & WATCHED:
                            watching.append((entry, p))
                        if flags & RECEIVABLE:
                            if receivable is not None and receivable != account:
                                several = True
                            receivable = account
                    if p.price is not None:
                        priced = True
                if shared and ("order-id" in meta or in_text):
                    unrouted_ids.append(entry)
                if receivable is not None and entry.links:
                    if several:
                        _grouped(by_order, entry, receivable, receivables)
                    else:   # the common case inline (one receivable): half a million entries a year
                        key = order_key(entry.links)
                        if key is not None:
                            groups = by_order[receivable]
                            members = groups.get(key)
                            if members is None:
                                groups[key] = [entry]
                            else:
                                members.append(entry)
                if channel is not None and entry.flag != SUMMARY_FLAG:   # carried balances sold nothing
                    sold.append((entry, channel, sales.side_of(entry, channel)))
                if priced or "fx-pair" in meta or "exchange-rate" in meta or "original-amount" in meta:
                    # (fx.unpaired: a rate, no pair; fx._converted_by_the_bank: an amount, no rate)
                    converted.append(entry)
            elif isinstance(entry, Custom):
                custom.append(entry)
                marked.append(entry)
            elif isinstance(entry, Price):
                prices.append(entry)
            elif isinstance(entry, Balance):
                asserted[entry.account] = entry.date   # (the books' order: the last is the latest)
        self.latest, self.asserted = latest, asserted
        # Books carried forward to a month (periods/forward.py) start at its directive's date.
        self.since = next((c for c in custom if c.type == SINCE), None)
        self.custom, self.prices, self.marked, self.watched, self.orders = custom, prices, marked, watching, by_order
        self.sales, self.fee_of, self.converted, self.order_ids, self.own = sold, fee_of, converted, order_ids, own
        self.unrouted_ids = unrouted_ids


# Walk's roles of an account (a channel's sale side: in none but the last)
# SHARED_SALES: orders.placed_by_books_payers' sales account; IN_TEXT: of one with an order_pattern
WATCHED, RECEIVABLE, SHARED_SALES, IN_TEXT = 1, 2, 4, 8


def _grouped(by_order: dict, entry, receivable: str, receivables: set) -> None:
    """An entry with a link, posting to several receivables, into its order's group in
    each, as orders.scan groups them (Walk groups one posting to one receivable itself)."""
    key = order_key(entry.links)
    if key is None:
        return
    for account in dict.fromkeys(p.account for p in entry.postings if p.account in receivables):
        members = by_order[account].get(key)
        if members is None:
            by_order[account][key] = [entry]
        else:
            members.append(entry)


@contextmanager
def collector_paused():
    """Python's cycle collector off for a while. The checks build no reference cycles
    (what they make is freed as it goes), but each full collection walks every object
    of the loaded books: on a million orders those walks cost more than the checks."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            _settle_young()
            gc.enable()


def _settle_young() -> None:
    """What the checks made and keep for the load (the walk, the postings index, the
    order groups: hundreds of thousands of objects on a year of four channels) goes
    straight to the collector's oldest generation. Left young, the first allocation
    after the pause walked all of it in a young collection: 0.31 s of 3.1 s inside the
    plugins (gc.callbacks, docs/perf-checks-page.md), only to find it all alive. Both
    calls move lists, whatever their length; done only when nothing is frozen (a host
    that freezes its objects before forking keeps them frozen)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


class Load:
    """What the checks of one load of the books share, built once and only when a check
    needs it: the one walk over the entries (Walk: the first check of a load makes it,
    and every check reads from it), the statement date, the statements' coverage, the
    index of the clearing, transit and suspense postings, the receivable check's order
    groups, the channels' sales, the acknowledgments. Each check's
    findings are kept as they are computed, so a plugin runs its own check and nothing
    more, and `beanclear check` or the Fava page later compute only the checks whose
    plugin lines the books leave out.

    Unused acknowledgments (stale-ack) are known only once every check ran: a single
    check cannot tell whether another one needs them."""

    def __init__(self, entries, config, today: dt.date | None = None, every_day: bool = False):
        self.key = (id(entries), len(entries))
        self.config = config
        self.today = today   # the day follow-ups are judged on (resolutions.py): None, the clock's
        self.every_day = every_day   # books carried forward: their lookback's findings too (Load.run)
        # channel -> the money still in its clearing account once the clearing check paired
        # payouts and refunds with it (clearing.check_clearing's remainder): the page's open items
        self.remainders: dict[str, list] | None = None
        self.notes: list[str] = []   # what the checks say that is no finding (fees: a rule no payment's currency fits)
        self.findings: dict[str, list[Finding]] = {}   # check -> its findings, acked, resolved, with severities
        self._raw: dict[str, list[Finding]] = {}       # check -> its findings, acked (before resolve and policy)
        self._used: set[int] = set()                   # ids of the acks some check's findings match
        self._walk = None
        self._cover = None
        self._index = None
        self._prepared = None
        self._acks = None
        self._daily = None
        self._sales = None
        self._as_of = None
        self._general = None
        self._closed = None
        self._suspended = None

    def __reduce__(self):
        # Beancount's pickle cache (bean-check, a script's loader.load_file) stores the
        # options map, and this Load with it: its walk, index and order groups are a
        # sixth of the cache and a quarter of its write (a blind merchant's 72,458
        # transactions: 0.77 s of 3.6 s to write, 0.5 s more to read back). They are
        # this load's and no later one's (a check's `id()` of an acknowledgment means
        # nothing after a reload), and nothing reads them from the cache: beanclear
        # loads without it (books.load) and Fava does too. Read back, it is None, and
        # reading it back imports nothing (a cache hit runs no plugin, imports no check).
        return type(None), ()

    def walk(self, entries) -> Walk:
        """The one pass over the entries that every check reads from."""
        if self._walk is None:
            self._walk = Walk(entries, self.config)
        return self._walk

    def closed(self, entries) -> dict:
        """Month -> the policy its close recorded (findings.closed_policies): what judges
        the findings dated in a closed month, for every severity this load gives."""
        if self._closed is None:
            self._closed = closed_policies(self.walk(entries).custom)
        return self._closed

    def policy(self, entries, findings: list[Finding]) -> list[Finding]:
        """apply_policy, closed months judged by their close's policy."""
        return apply_policy(findings, self.config, self.closed(entries))

    def as_of(self, entries) -> dt.date:
        if self._as_of is None:
            self._as_of = self.walk(entries).latest or today()
        return self._as_of

    def cover(self, entries) -> Coverage:
        """The statements' coverage (read by the clearing and the orders checks)."""
        if self._cover is None:
            walk = self.walk(entries)
            # (the books too: a hole their balances carry on over is quiet days, Coverage.weigh)
            self._cover = Coverage.of(walk.custom, self.config, books=entries, mine=walk.own,
                                      as_of=self.as_of(entries))
        return self._cover

    def index(self, entries) -> dict:
        """Per watched account (suspense, every channel's clearing and transit), its postings."""
        if self._index is None:
            walk = self.walk(entries)
            # a credit several channels' texts fit, among the Items of the channel whose payout it is
            self._index = pooled(indexed(walk.watched), self.config)
        return self._index

    def suspended(self, entries) -> tuple:
        """What the suspense check reads of suspense (suspense.suspended): the clearing
        check reads it too (payouts landing at another bank), once a load."""
        if self._suspended is None:
            self._suspended = suspense.suspended(entries, self.config, self.as_of(entries), self.index(entries),
                                                 self.cover(entries))
        return self._suspended

    def orders_prepared(self, entries) -> orders.Prepared:
        if self._prepared is None:
            walk = self.walk(entries)
            self._prepared = orders.Prepared(entries, self.config, cover=self.cover(entries), groups=walk.orders,
                                             prices=walk.prices, order_ids=walk.order_ids,
                                             unrouted_ids=walk.unrouted_ids)
        return self._prepared

    def sales(self, entries) -> list:
        """(entry, channel, sale-side postings) of every channel's transaction (refunds.channel_sales)."""
        if self._sales is None:
            self._sales = self.walk(entries).sales
        return self._sales

    def returned(self, entries) -> dict:
        """The channels' refunds that return a duplicate charge (orders.Prepared.returned)."""
        return self.orders_prepared(entries).returned() if self.config.shops else {}

    def daily(self, entries) -> dict:
        """Per (channel, currency), its daily sales and refunds (refunds.daily)."""
        if self._daily is None:
            self._daily = refunds.daily(entries, self.config, self.sales(entries), self.returned(entries))
        return self._daily

    def acks(self, entries):
        """(the acknowledgments, findings for malformed ones), and an index by (code, ref)."""
        if self._acks is None:
            found, bad = acks.acks_in(self.walk(entries).custom)
            by_key: dict[tuple[str, str], list] = {}
            for ack in found:
                by_key.setdefault((ack.code, ack.ref), []).append(ack)
            self._acks = found, bad, by_key
        return self._acks

    def run(self, entries, checks) -> None:
        """Compute the named checks not computed yet."""
        missing = [name for name in checks if name not in self.findings]
        if not missing:
            return
        with collector_paused():
            when = self.as_of(entries)
            for name in missing:
                index, extra, walk = None, {}, self.walk(entries)
                if name == "clearing":
                    self.remainders = {}
                    index, extra = self.index(entries), {"cover": self.cover(entries), "own": walk.own,
                                                         "suspended": self.suspended(entries),
                                                         "remainders": self.remainders}
                elif name == "suspense":   # (the cover: to judge payouts landing at another bank)
                    index, extra = self.index(entries), {"cover": self.cover(entries),
                                                         "suspended": self.suspended(entries)}
                elif name == "orders":
                    extra = {"prepared": self.orders_prepared(entries)}
                elif name == "refunds":
                    extra = {"series": self.daily(entries), "cover": self.cover(entries), "sales": self.sales(entries),
                             "prepared": self.orders_prepared(entries) if self.config.shops else None}
                elif name == "fees":
                    extra = {"sales": self.sales(entries), "fee_of": walk.fee_of, "notes": self.notes}
                elif name == "fx":
                    extra = {"converted": walk.converted, "prices": walk.prices}
                found = CHECKS[name](entries, self.config, when, index, **extra)
                self._raw[name], self.findings[name] = self._decided(entries, name, found)

    def _decided(self, entries, name: str, found: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """A check's findings as found (acknowledged, of the days the books show), and as
        decided (with their severities, the write-offs and follow-ups applied)."""
        # Books carried forward show their own days: what is dated before was
        # judged in the whole books (its acknowledgments are still used, not
        # stale). A statement gap is kept for checking.behind_holes: an assertion
        # after the start may fail because of it (the report then shows it).
        start = None if self.every_day else self.since(entries)
        out = []
        for f in self._acked(entries, found):
            if shown_from(start, f) or f.code == "statement-gap":
                out.append(replace(f, check=name))
        return out, self.policy(entries, _resolved(out, self.walk(entries).marked, self.config, self.today))

    def refunds_without(self, entries, holes: dict) -> list[Finding]:
        """The refund-rate and refund-surge findings (refunds.windowed) judged without the
        days of `holes` (channel -> spans of days a balance step says rows are missing
        from, which the coverage took for quiet ones: missing_rows.folded), decided as the
        check's own are."""
        found = refunds.windowed(self.daily(entries), self.config, self.cover(entries), holes)
        return self._decided(entries, "refunds", found)[1]

    def _naming(self, entries, finding: Finding) -> list:
        """The acknowledgments that name a finding: its code and one of its refs."""
        _, _, by_key = self.acks(entries)
        return [a for ref in finding.refs for a in by_key.get((finding.code, ref), ())]

    def _acked(self, entries, findings: list[Finding]) -> list[Finding]:
        """`findings`, each acknowledged where an acknowledgment names its code and one of
        its refs (and only then); the acknowledgments that do are used (not stale)."""
        out = []
        for f in findings:
            matching = self._naming(entries, f)
            if matching:
                self._used.update(id(a) for a in matching)
            out.append(replace(f, acknowledged=bool(matching)))
        return out

    def as_listed(self, entries, found: list[Finding], folded: list[Finding]) -> list[Finding]:
        """The findings as `check` lists them (`folded`: checking.fold's of `found`), each
        decided by its own code and the refs it shows.

        The checks' findings are decided as they are found (run: acknowledgments, then
        the write-offs and follow-ups of resolutions.py): the fold reads that (an
        acknowledged order points at no missing day, a payout written off is settled and
        taken into nothing). What the fold makes or changes (a statement-gap that takes
        in what one missing statement explains, with their refs) is a finding no check
        found: it is decided here, in the same way, by its code and any ref it shows, so
        that `beanclear ack`, `follow-up` and the page name it by whichever of them (a
        gap of a day's bills not imported was acknowledged by `#502`, listed as an
        error still and its acknowledgment as stale). An acknowledgment it uses is not
        stale. One the fold's findings took in keeps deciding the finding it names (it
        is used, and an acknowledged finding points at no missing statement), not the
        finding that takes it in."""
        kept = {id(f) for f in found}
        made = [f for f in folded if id(f) not in kept and f.code not in UNNAMED]
        if not made:
            return folded
        acks_found, _, _ = self.acks(entries)
        marked = self.walk(entries).marked
        decided: dict[int, list[Finding]] = {}
        uses: set[int] = set()
        for f in made:
            uses.update(id(a) for a in self._naming(entries, f))
            fresh = self._acked(entries, [replace(f, acknowledged=False, follow_up=None)])
            decided[id(f)] = _resolved(fresh, marked, self.config, self.today)   # (settled by a write-off: gone)
        # their acknowledgments were stale to the checks' findings (_general_raw): no more
        now_used = {_place(a.entry, self.config.root) for a in acks_found if id(a) in uses}
        out = []
        for f in folded:
            if id(f) in decided:
                out += decided[id(f)]
            elif not (f.code == "stale-ack" and f.refs and (f.file, f.line) in now_used):
                out.append(f)
        return out

    def found(self, entries, check: str) -> list[Finding]:
        """A check's findings as it found them, acknowledged where the books say so and
        with their severities, before the write-offs and follow-ups of the books settle
        any (resolutions.py): what happened, settled or not. The month report's FX spread
        counts an fx-gap written off: the spread was paid all the same."""
        self.run(entries, (check,))
        return self.policy(entries, self._raw[check])

    def since(self, entries) -> dt.date | None:
        """The first day of books carried forward (periods/forward.py); None for the whole books."""
        since = self.walk(entries).since
        return since.date if since is not None else None

    def carried(self, entries):
        """What books carried forward say of themselves (periods/past.Carried: their month,
        lookback and file), from the directive the walk found; None for the whole books."""
        since = self.walk(entries).since
        if since is None:
            return None
        from beanclear.periods import past
        return past.said(since)

    @property
    def complete(self) -> bool:
        return set(self.findings) >= set(CHECKS)

    def _general_raw(self, entries, stale: bool) -> list[Finding]:
        found, bad, _ = self.acks(entries)
        out = list(bad)
        unused = [ack for ack in found if id(ack) not in self._used] if stale else []
        if unused:
            # a write-off above the limit lists the finding it settled, acknowledged, though
            # the books balance: an acknowledgment of it names a finding still listed
            # (blind23 returns2: ack, then write-off of 5.00 above the 1.00 limit: stale-ack)
            above = {(str(e.meta[WRITE_OFF]), ref) for e in self.walk(entries).marked
                     if type(e) is data.Transaction and e.flag == "!" and WRITE_OFF in e.meta
                     for ref in str(e.meta.get("settles", "")).split()}
            unused = [ack for ack in unused if (ack.code, ack.ref) not in above]
        if unused:
            judged, of_lookback = self._judged_refs(entries)
            for ack in unused:
                if judged is None or (ack.ref in judged or ack.code in ENTRY_CODES and ack.ref in of_lookback) \
                        and ack.entry.date >= self.since(entries):
                    out.append(Finding("stale-ack", ack.entry.date, "", "", Decimal(0), "",
                                       f"acknowledgment of {ack.code} {ack.ref} matches no finding any more "
                                       f"(remove it): {ack.reason}", (ack.ref,), **at_entry(ack.entry)))
        return out

    def _judged_refs(self, entries) -> tuple[set[str] | None, set[str]]:
        """The refs books carried forward judge an acknowledgment by (None for the whole
        books: every ref), and the refs of their lookback's entries. They do not hold what
        an acknowledgment of their summed past matched (a finding of an order unpaid since
        before the lookback): an unused one is stale there only where its ref names an
        entry they judge as the whole books do, one dated from their month on, or one
        carried entry by entry whatever its age because it was still open (forward.py: a
        payout still in transit); or, for a code judged on its entry alone (ENTRY_CODES),
        an entry of the lookback (blind23: a bank line of the lookback, acknowledged, then
        booked). The whole books listed the stale-ack of a July payout credited in
        November, and `check --since` never did (blind21); one naming only the summed
        past is the whole books' to call stale."""
        books = self.carried(entries)
        if books is None:
            return None, set()
        from beanclear.checks.items import REF_KEYS
        from beanclear.periods import past
        judged: set[str] = set()
        lookback: set[str] = set()
        for entry in entries:
            if type(entry) is not data.Transaction:
                continue
            if entry.date >= books.start:
                into = judged
            elif entry.meta.get("filename") != books.path or past.summed(entry):
                continue
            else:
                into = judged if entry.date < books.window else lookback
            meta = entry.meta
            into.update(str(meta[k]) for k in REF_KEYS if meta.get(k))
        return judged, lookback

    def general(self, entries, stale: bool) -> list[Finding]:
        """The findings of no check: malformed acknowledgments; with `stale` (every check
        ran), the unused ones too."""
        if not stale:
            return self.policy(entries, _resolved(self._general_raw(entries, False), self.walk(entries).marked,
                                                  self.config, self.today))
        return [f for f in self.complete_report(entries) if not f.check]

    def complete_report(self, entries) -> list[Finding]:
        """Every check's findings, as `find` gives them: write-offs and follow-ups
        (resolutions.py) applied to all of them at once, with the write-offs above the
        limit that no finding used any more."""
        if self._general is None:
            self.run(entries, tuple(CHECKS))
            with collector_paused():
                out = [f for name in CHECKS for f in self._raw[name]] + self._general_raw(entries, True)
                self._general = self.policy(entries, resolutions.apply(out, self.walk(entries).marked, self.today,
                                                                       config=self.config))
        return self._general

    def report(self, entries, checks=tuple(CHECKS)) -> list[Finding]:
        """The findings of the named checks (computed where missing), in the order
        `find` always gave them; the findings of no check when every check ran."""
        if set(checks) >= set(CHECKS):
            return self.complete_report(entries)
        self.run(entries, checks)
        out = [f for name in checks for f in self.findings[name]]
        out += self.general(entries, stale=False)
        return sorted(out, key=lambda f: f.sort_key)


def _place(entry, root) -> tuple:
    """Where a directive is, as its finding says it (findings.apply_policy: relative to the config)."""
    at = at_entry(entry)
    return relative(at["file"], root), at["line"]


def shown_from(start: dt.date | None, finding: Finding) -> bool:
    """Whether books carried forward to `start` (Load.since) show a finding: one dated
    from then on, or undated; the whole books (None) show every one."""
    return start is None or finding.date is None or finding.date >= start


def _resolved(findings: list[Finding], entries, config=None, today: dt.date | None = None) -> list[Finding]:
    """resolutions.py.apply on some of the findings, without the write-offs it lists
    because none of *these* findings used them (known only when every check ran).
    `entries`: the books' entries, or those of them resolutions.py reads (Walk.marked)."""
    return resolutions.apply(findings, entries, today, unused=False, config=config)


def find(entries, config, checks=tuple(CHECKS), today: dt.date | None = None, every_day: bool = False) -> list[Finding]:
    """The findings of the named checks, acknowledged where the books say so, with
    severities from the config. Unused acknowledgments are reported only when every
    check ran (a single check cannot tell whether another one needs them). `today`: the
    day follow-ups are judged on (the books as they stood at a month end: that day).
    `every_day`: of books carried forward, the findings dated in their lookback too (a
    month's report lists one a reclassification of the month settled)."""
    return Load(entries, config, today, every_day).report(entries, checks)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float):
    return load(path)


def plugin_config(options_map, config_path: str | None):
    """The config a plugin line names, relative to the ledger file that names it."""
    base = os.path.dirname(options_map.get("filename") or "") if options_map else ""
    path = os.path.join(base, config_path or "../config.yaml")
    return _load_cached(os.path.abspath(path), os.path.getmtime(path) if os.path.exists(path) else 0.0)


class PluginConfigError(NamedTuple):
    source: dict
    message: str
    entry: None


# Codes judged on their entry alone, not on what came before it: books carried forward
# judge them in their lookback as the whole books do (a line in suspense, a fee, a rate).
ENTRY_CODES = frozenset({"bank-unmatched", "fee-gap", "fx-gap"})

STORE = "beanclear_findings"  # options_map key: this load's Load, shared by its plugins and reports


def run_plugin(entries, options_map, config_path: str | None, checks: tuple[str, ...]):
    """The body of every beanclear plugin: the named checks' errors as Beancount errors.

    Each plugin line runs its own check and nothing more; what the checks share (the
    postings index, the acknowledgments...) is built once per load, in a Load kept in
    the options map, where `beanclear check` and the Fava page find it. The first
    plugin of a load reports malformed acknowledgments, the one that completes the six
    checks the unused ones. The errors are short (findings.as_errors): Fava embeds
    every error in every page; the full finding stays in beanclear's own report.
    The config file joins the load's includes, so Beancount's cache is refreshed when
    the config changes. A broken config is an error in the ledger, not a crash; so is a
    beanclear directive out of shape (directives.py: dropped before any check reads it)."""
    try:
        config = plugin_config(options_map, config_path)
    except (ConfigError, OSError) as exc:
        where = {"filename": (options_map or {}).get("filename", "<beanclear>"), "lineno": 0}
        return entries, directives.checked(entries) + [PluginConfigError(where, f"beanclear: {exc}", None)]
    stored = options_map.get(STORE)
    first = not isinstance(stored, Load) or stored.key != (id(entries), len(entries)) or stored.config is not config
    # (the load's own list, in place: a later plugin line of the load finds them dropped)
    malformed = directives.checked(entries) if first else []
    if first:
        stored = options_map[STORE] = Load(entries, config)
        includes = options_map.setdefault("include", [])
        if str(config.path) not in includes:
            includes.append(str(config.path))
    was_complete = stored.complete
    stored.run(entries, checks)
    found = [f for name in checks for f in stored.findings[name]]
    if first:
        found += stored.general(entries, stale=False)   # malformed acknowledgments
    if stored.complete and not was_complete:
        found += [f for f in stored.general(entries, stale=True) if f.code == "stale-ack" and f.refs]
    if first and set(checks) >= set(CHECKS):
        # every check in this one run (the line `init` writes): its errors are folded as
        # `beanclear check` folds them, the assertions a missing statement breaks held
        from beanclear.checks import held
        found = [f for f in held.hold(entries, options_map, stored, found)
                 if f.code != "beancount"]   # Beancount reports the rest itself
    start = stored.since(entries)
    # (own entries before the start whose finding holds assertions from it on: said, as check says it)
    errors = as_errors([f for f in found if shown_from(start, f) or cut_over.is_overlap(f) and cut_over.takes_in(f)])
    books = os.path.dirname(options_map.get("filename") or "")
    since = stored.walk(entries).since if first and books else None
    if since is not None:
        from beanclear.periods.forward import stale   # books carried forward only: the carrying is not a check's
        why = stale(Path(books), since, options_map.get("include", ()), config)
        if why:
            errors.insert(0, PluginConfigError(since.meta, f"beanclear: {why}", None))
    if first and books:
        # a source taken out of the config while the books include its statements: the
        # money they hold is judged by no check (books/dropped.py); every command refuses
        from beanclear.books import dropped
        errors[:0] = [PluginConfigError({"filename": str(path), "lineno": line}, f"beanclear: {said}", None)
                      for path, line, said in dropped.found(config, Path(options_map["filename"]))]
    if first and books and journal.pending(Path(books)):
        # bean-check and Fava read the files as they are: never let them pass on a write
        # a crash cut short (any beanclear command rolls it back first).
        where = {"filename": options_map["filename"], "lineno": 0}
        errors.insert(0, PluginConfigError(where, "beanclear: these books are half-written (a write was interrupted "
                                           f"and {journal.JOURNAL} is still there); run any beanclear command, e.g. "
                                           "`beanclear check`, to roll it back", None))
    return entries, malformed + errors


def stored_load(options_map, config=None) -> Load | None:
    """The Load the plugins of a load of the books left, if they ran, and, given `config`,
    if they read the same config file: `beanclear check -c other.yaml` judges by other.yaml,
    not by the config the plugin lines name (a blind helper's contract in other.yaml was
    not applied)."""
    stored = (options_map or {}).get(STORE)
    if not isinstance(stored, Load):
        return None
    if config is not None and stored.config is not config and \
            os.path.realpath(stored.config.path) != os.path.realpath(config.path):
        return None
    return stored

