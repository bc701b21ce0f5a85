"""The reconciliation page in Fava: is every channel reconciled, and if not, what next?

The books beanclear creates declare it in main.beancount, with the config the plugins
read (a path relative to that file):

    2000-01-01 custom "fava-extension" "beanclear.fava_page" "../config.yaml"

and Fava's sidebar gets a "Reconciliation" page: channels at a glance, charts, the
findings of `beanclear check`, and a review queue where a person accepts or rejects
match proposals and acknowledges findings. It is a thin face over the library, like
the command line: findings from checking.report, proposals from matching.match, and
every write through the one writer, edits.apply (atomic, under the books' lock, a
minimal diff). Fava notices the written files and reloads the books. On books carried
forward (`fava books/since-YYYY-MM.beancount`) the proposals are `beanclear match
--since YYYY-MM`'s, from the same code (matching/since.py Matched), and the actions on
entries of the lookback write their month files (periods/carried_edits.py).

Writes are JSON POSTs to the extension's endpoints. Fava guards its own API the same
way: a browser sends `Content-Type: application/json` across sites only after a CORS
preflight that Fava never answers, so another site cannot make them. guard.py refuses
more: a write must say it is same-origin (Origin, or Sec-Fetch-Site), to an address
Fava serves (DNS rebinding), and every field of its body is checked (type, length,
control characters) before anything reaches the books.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from flask import jsonify, request

from fava.context import g
from fava.ext import FavaExtensionBase, extension_endpoint

from beanclear.checks import acks, checking, directives, held, reconcile
from beanclear.checks.findings import acknowledged, standing

from beanclear.books import edits

from beanclear.books import atomic
from beanclear.books.atomic import BooksBusy
from beanclear.matching.since import Matched
from beanclear.periods import past
from beanclear.config import ConfigError
from beanclear.fava_page import actions, charts, guard, loads, overview, review, upload
from beanclear.periods import carried_edits
from beanclear.fava_page.guard import Refused
from beanclear.live import status as live_status
from beanclear.resolve import ResolveError, acknowledging, linking, on_the_page, refusal, rejecting


MATCH_ON_RENDER = 20_000   # entries up to which the first render also runs the matcher (~0.3 s there)


@dataclass
class State:
    """What the page needs from one load of the books; computed once per load, from
    what the plugins computed during that load (reconcile.Load: findings, postings
    index, order groups, daily sales, whether the books are carried forward). Matching
    runs when first asked, then is kept."""

    config: object
    report: checking.Report
    through: dt.date     # the end of the newest statement: the day of the balances shown
    rows: list
    entries: list = field(default_factory=list, repr=False)
    load: object = field(default=None, repr=False)     # reconcile.Load of this load of the books
    options: dict | None = field(default=None, repr=False)
    books: past.Carried | None = None    # books carried forward: what their directive says; None: whole books
    errors: list = field(default_factory=list, repr=False)   # Beancount's errors, held assertions restored
    _matched: Matched | None = field(default=None, repr=False)
    _daily: tuple | None = field(default=None, repr=False)
    _shut: set | None = field(default=None, repr=False)
    loaded: list | None = field(default=None, repr=False)   # Fava's entries it was computed from

    def matching(self) -> Matched:
        """`beanclear match`'s answer (`match --since` on books carried forward): run on
        first use and kept for this load."""
        if self._matched is None:
            self._matched = Matched(self.entries, self.config, self.options, self.books, self.load)
        return self._matched

    @property
    def proposals(self) -> list:
        """The match proposals the command shows (of the month's lines, on carried books)."""
        return self.matching().shown

    def unproposed(self) -> list:
        """The lines left without a proposal, and why, as the command says it."""
        return self.matching().unproposed()

    def closed(self, proposal) -> bool:
        """Whether a proposal's bank lines are in a closed month: shown, not offered (the
        accept endpoint and `match --apply` leave it, as `link` refuses it, until reopened)."""
        if self._shut is None:
            self._shut = {id(p) for p in self.matching().in_open_months(self.proposals)[1]}
        return id(proposal) in self._shut

    def in_closed_months(self) -> int:
        """How many of the proposals are of closed months: shown, not offered."""
        return sum(self.closed(p) for p in self.proposals)

    @property
    def matched(self) -> bool:
        return self._matched is not None

    def daily(self) -> tuple:
        """charts.daily_money of the books, once per load (every interval reads it)."""
        if self._daily is None:
            if self.load is not None:
                prepared = self.load.orders_prepared(self.entries) if self.config.shops else None
                self._daily = charts.daily_money(self.entries, self.config, self.load.daily(self.entries),
                                                 self.load.sales(self.entries), prepared)
            else:
                self._daily = charts.daily_money(self.entries, self.config)
        return self._daily


@dataclass
class Page:
    """One rendering of the page: the state, and what the query string selects."""

    state: State
    filters: review.Filters
    findings: list            # the filtered findings, at most review.SHOWN of them
    matched: int              # how many the filters keep
    hidden: int               # acknowledged ones the toggle hides (not those followed up)
    awaiting: list
    charts: dict
    sources: list
    codes: list
    live: list = ()           # the last fetch per channel (beanclear fetch / serve), if any
    proposals: list | None = None   # None: not computed for this load yet (large books), a button asks
    listed: review.Proposals | None = None   # those the filters keep, in the order listed (review.proposals)

    def editor(self, file: str | None) -> str | None:
        return review.source_path(self.state.config.root, file)

    @staticmethod
    def standing(finding) -> str:
        """What was done about a finding, in `beanclear check`'s words (findings.standing)."""
        return standing(finding)

    @staticmethod
    def acknowledged(finding) -> bool:
        return acknowledged(finding)


class Reconciliation(actions.ResolveEndpoints, FavaExtensionBase):
    """Fava extension: the reconciliation page, its decision endpoints, and the resolve
    actions (actions.py: book, link, unlink, write off, follow up, close, report)."""

    report_title = "Reconciliation"
    has_js_module = True
    queue_shown = review.QUEUE_SHOWN
    ref_filter = staticmethod(review.ref_filter)
    proposal_key = staticmethod(review.proposal_key)

    def __init__(self, ledger, config: str | None = None):
        super().__init__(ledger)  # the option is a path, as on the plugin lines, not a Python literal
        self.config_path = config
        self._state: State | None = None
        self._charts: dict = {}
        # Fava's loads of the books, and the files the books it holds were read from:
        # taken before the load read them (a write during the load, while Fava parses, is
        # a change from it); not known after the first load (which makes this extension),
        # a load Fava made without noticing a change, or loads that overlapped (loads.py):
        # the page loads the books again under the lock before it decides a write.
        self._loads = loads.Loads()
        self._watch(ledger)

    def money(self, value, currency: str) -> str:
        """review.money in the locale of these books' Fava (the page's amounts)."""
        return review.money(value, currency, self.ledger.fava_options.locale)

    def read_only(self) -> bool:
        """Fava runs `--read-only`: the page shows the findings without the actions it would refuse."""
        return guard.read_only()

    def after_load_file(self) -> None:
        self._state, self._charts = None, {}
        self._loads.end()

    @property
    def _read(self):
        """The books' files as the load of the books Fava holds found them; None: not known."""
        return self._loads.read

    def _watch(self, ledger) -> None:
        """Take the books' files as they are when Fava's watcher tells it they changed,
        right before Fava loads them again (FavaLedger.changed): the read a write of the
        page is decided from (`_read`). Fava's own watcher may take a change made while it
        loads for the one it loads (it checks again once loaded): a command's write-off
        during Fava's load of the demo was written again by the page (blind9)."""
        watcher = getattr(ledger, "watcher", None)
        check = getattr(watcher, "check", None)
        if check is None:
            return

        def checked() -> bool:
            changed = check()
            if changed:   # a load follows in this thread (or is under way in it: then taken already)
                self._loads.begin(self._books_now)
            return changed
        try:
            watcher.check = checked
        except AttributeError:   # a watcher that takes no attribute: every write loads the books first
            pass

    def _load_again(self) -> None:
        """Load the books again (under the lock: nothing writes while it reads)."""
        self._loads.begin(self._books_now)
        self.ledger.load_file()

    def _books_now(self):
        """The books' files as they are now (atomic.Snapshot): taken as Fava has loaded
        them, and again under the lock before a write; None where the config cannot say
        where the books are."""
        try:
            config = reconcile.plugin_config(self.ledger.options, self.config_path)
        except (ConfigError, OSError):
            return None
        return atomic.Snapshot.of(config.books, config.path)

    # -- reading -------------------------------------------------------------------------

    def state(self) -> State:
        # of the books Fava holds now: one computed from the books of a load that another
        # overlapping load replaced since is not (loads.py)
        if self._state is None or self._state.loaded is not self.ledger.all_entries:
            loaded = self.ledger.all_entries
            config = reconcile.plugin_config(self.ledger.options, self.config_path)
            # the assertions the plugin held for Fava's error page, as `beanclear check` reads them
            entries, errors = held.restored(loaded, self.ledger.load_errors, self.ledger.options)
            entries, malformed = directives.without_malformed(entries)   # (books without the checks plugin)
            errors = errors + malformed
            load = reconcile.stored_load(self.ledger.options)
            if load is None or load.config is not config:
                load = reconcile.Load(entries, config)   # books without plugin lines, or another config
            report = checking.report(entries, errors, config, self.ledger.options, load)
            as_of = load.as_of(entries)
            with reconcile.collector_paused():   # the open items make an object per posting, as the checks do
                rows, through = overview.source_rows(entries, config, report.findings, as_of, load)
            self._state = State(config, report, through, rows, entries, load, self.ledger.options,
                                load.carried(entries), errors, loaded=loaded)
        return self._state

    def view(self) -> tuple[Page | None, str | None]:
        """(the page for this request, None), or (None, why it cannot be shown)."""
        try:
            return self.page(request.args, g.interval, g.filtered.date_range), None
        except ConfigError as exc:
            return None, str(exc)

    def page(self, args, interval, date_range=None) -> Page:
        """The page for a request; raises ConfigError when the config cannot be read."""
        state = self.state()
        filters = review.Filters.from_args(args)
        kept, hidden = filters.apply(state.report.findings)
        begin, end = (date_range.begin, date_range.end) if date_range else (None, None)
        key = (interval.label, begin, end)
        if key not in self._charts:
            if len(self._charts) >= 16:   # one per interval and time filter asked for since the load
                self._charts.clear()
            self._charts[key] = charts.channel_charts(self.ledger.all_entries, state.config, interval, begin, end,
                                                      daily=state.daily())
        findings = state.report.findings
        asked = "match" in args or state.matched or len(state.entries) <= MATCH_ON_RENDER
        listed = review.proposals(state.proposals, filters, state.config.source_accounts(), state.closed) \
            if asked else None
        return Page(state, filters, kept[:review.SHOWN], len(kept), hidden, review.awaiting(findings),
                    self._charts[key], sorted({f.source for f in findings if f.source}),
                    sorted({f.code for f in findings}), live_status.rows(state.config.root),
                    state.proposals if asked else None, listed)

    # -- writing -------------------------------------------------------------------------

    @extension_endpoint("accept", ["POST"])
    def accept(self):
        """Link a proposal's bank lines to its items, as `beanclear match --apply` does;
        with `{"all_confident": true}`, every confident proposal (exactly `--apply`; on
        books carried forward, exactly `match --since --apply`: the month's lines, their
        entries of the lookback edited in their month files)."""
        def act(body, state):
            if guard.flag(body, "all_confident"):
                guard.fields(body, ("all_confident",))
                # none (accepted already: a double click): "accepted 0", nothing written, as
                # `match --apply` twice answers
                chosen = [p for p in state.proposals if p.confident]
            else:
                guard.fields(body, ("bank_refs", "target"), ("all_confident",))
                key = self._key(body)
                if review.find_proposal(state.proposals, key) is None:   # accepted already (a double
                    done = linking.linked_already(self.ledger.all_entries, state.config,   # click): as `link`
                                                  key["bank_refs"], key["target"])         # twice answers
                    if done is not None:
                        return [], done.message
                chosen = [self._proposal(body, state)]
                try:   # as `link` refuses its line
                    state.matching().refuse_closed(chosen[0])
                except ResolveError as exc:
                    raise Refused(409, refusal(exc)) from None
            chosen, shut = state.matching().in_open_months(chosen)
            if not chosen:   # none, or every one of closed months: what `match --apply` says, nothing written
                return [], "accepted 0 proposal(s)" + state.matching().left_closed(shut)
            try:
                todo = state.matching().edits(chosen)
            except LookupError as exc:   # an entry no month file holds as carried (past.copies)
                raise Refused(409, str(exc)) from None
            changed = edits.apply(state.config.books, todo)
            note = carried_edits.written_before(state.config.books, state.books, changed)
            return changed, (f"accepted {len(chosen)} proposal(s)" + (f"; {note}" if note else "")
                             + state.matching().left_closed(shut))
        return self._write(act)

    @extension_endpoint("reject", ["POST"])
    def reject(self):
        """Remember that a proposal is wrong, so that matching does not make it again
        (resolve/rejecting.py: rejected already, it writes nothing and says so)."""
        def act(body, state):
            guard.fields(body, ("bank_refs", "target", "reason"))
            reason, key = guard.text(body, "reason"), self._key(body)
            plan = rejecting.reject(self.ledger.all_entries, review.find_proposal(state.proposals, key),
                                    key["bank_refs"], key["target"], reason)
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("acknowledge", ["POST"])
    def acknowledge(self):
        """Acknowledge the findings of a code that name a ref, with a reason, as `beanclear
        ack` does (resolve/acknowledging.py: its refusals and its "already acknowledged")."""
        def act(body, state):
            guard.fields(body, ("code", "ref", "reason"))
            plan = acknowledging.acknowledge(state.report.findings, guard.ident(body, "code"),
                                             guard.ident(body, "ref"), guard.text(body, "reason"),
                                             state.entries, state.config.root, state.config.books)
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("upload", ["POST"])
    def upload(self):
        """Import statement files dropped on the page, as `beanclear import` does (upload.py)."""
        return upload.respond(self)

    @staticmethod
    def _key(body: dict) -> dict:
        return {"bank_refs": guard.idents(body, "bank_refs"), "target": guard.links(body, "target")}

    def _proposal(self, body: dict, state: State):
        proposal = review.find_proposal(state.proposals, self._key(body))
        if proposal is None:
            raise Refused(409, rejecting.NO_LONGER_MADE)
        return proposal

    def _write(self, act):
        """Check the request, make the write, tell Fava's watcher which files changed.
        What it says, it says in the page's terms (resolve.on_the_page). A refusal is 400
        where the request is malformed (a field missing or not of its form), 409 where the
        books refuse it (a closed month, a line explained already, a limit)."""
        try:
            body = guard.decision_body()
            root = self.state().config.books
            with atomic.waiting(guard.WRITE_WAIT), atomic.locked(root), atomic.holding(root):
                # (a request, not a terminal: it waits briefly) The action is decided and
                # written under the lock, from the books as they are then: another write
                # since Fava loaded them (a command, before Fava's watcher told it) has
                # the ledger loaded again first (blind9: the command line and the page
                # both wrote one write-off). A load of Fava's under way in another
                # request's thread is waited for first: begun before the lock, it may have
                # read the books before the last write, and what it holds replaces them as
                # it ends (blind10: an Acknowledge after a Write off of one finding, decided
                # from such a load, was written; loads.py).
                self._loads.settle(guard.WRITE_WAIT)
                if not self.ledger.changed() and (self._read is None or self._read.changed()):
                    self._load_again()
                changed, message = act(body, self.state())
        except Refused as exc:
            return jsonify({"error": on_the_page(str(exc))}), exc.status
        except acks.DecisionError as exc:
            return jsonify({"error": on_the_page(refusal(exc))}), 400
        except ConfigError as exc:
            return jsonify({"error": str(exc)}), 400
        except edits.EditError as exc:
            return jsonify({"error": on_the_page(refusal(exc))}), 409
        except BooksBusy as exc:
            return jsonify({"error": str(exc)}), 409
        for path in changed:
            self.ledger.watcher.notify(Path(path))
        root = self.state().config.root
        # done: whether anything was written, as the commands' --format json says (an action
        # done again answers what the command answers, not an error: a double click)
        return jsonify({"done": bool(changed), "message": on_the_page(message),
                        "written": [os.path.relpath(p, root) for p in changed]})

