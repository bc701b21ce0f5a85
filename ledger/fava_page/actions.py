"""The page's resolve actions: the review queue grouped by what to do next, and the
endpoints of its buttons (book, link, unlink, write off, follow up, close a month,
download the month's report).

A thin face over ledger/resolve/ and ledger/periods/, as the command line is: every
endpoint validates its body with guard.py, makes the same Plan the command makes and
writes it through the one writer (on books carried forward, an edit of their lookback
into the entry's month file: periods/carried_edits.py). The Reconciliation extension mixes these in.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from flask import request, send_file

from fava.ext import extension_endpoint

from beancount.core import data

from beanclear.checks import acks
from beanclear.fava_page import guard
from beanclear.periods import carried_edits
from beanclear.fava_page.guard import Refused
from beanclear.resolve import BadValue, ResolveError, on_the_page, refusal, write
from beanclear.resolve import booking, followup, linking, writeoff

# What to do next, in the order a person works: explain the bank, settle small
# differences, chase what others owe, look at the rest; then what is in hand.
GROUPS = (
    ("bank", "Explain the bank lines", "book them to an account (and save a rule), or link them to what they settle"),
    ("write-off", "Settle small differences", "write off within the limit, or follow up"),
    ("follow-up", "Chase or refund", "give it an owner and a due date"),
    ("review", "Look and acknowledge", "patterns and gaps: acknowledge with a reason once understood"),
    ("following", "Being followed up", "overdue first; mark done when settled"),
    ("acknowledged", "Acknowledged", "with the reasons given"),
)
CHASE = {"duplicate-charge", "payout-missing", "refund-unsynced", "order-unpaid", "unsettled",
         "payment-without-order"}
ITEMS_SHOWN = 300   # open items listed for a line's match by hand, the nearest in amount (the search narrows them)


@dataclass
class Row:
    finding: object
    actions: list[str]                # the buttons, the suggested one first
    bank_ref: str | None = None       # the bank line a booking or link is about
    why: list[str] = field(default_factory=list)     # why match proposed nothing for it
    linked: list[str] = field(default_factory=list)  # match links the bank line has (unlink)
    write_off: dict | None = None     # account, limit, above
    reasons: list[str] = field(default_factory=list)  # acknowledgment reasons
    payee: str = ""                   # the bank line's payee, proposed for a booking
    # what a match by hand offers the bank line: the open items it may settle (Matched.by_hand),
    # nearest in amount first, as item_json dicts; None: not collected (large books, until asked)
    items: list | None = None
    more: int = 0                     # how many more it may settle than are listed


@dataclass
class Queue:
    groups: list                      # (key, title, hint, rows)
    matched: bool                     # whether the matcher ran: the reasons and each line's items are in
    unexplained: int = 0              # open bank lines match made no proposal for

    def count(self, key: str) -> int:
        return next((len(rows) for k, _, _, rows in self.groups if k == key), 0)


def queue(state, entries) -> Queue:
    """The findings grouped by their next action, each with its suggested action first.
    A row of an unexplained bank line offers a match by hand of the open items that line
    may settle, as the matcher gathered them (Matched.by_hand: `beanclear open-items
    --for`); where the matcher has not run (large books, until asked), none yet."""
    config = state.config
    # the reasons match made no proposal need the proposals: on large books only once asked (fava_page.State);
    # on books carried forward, `match --since`'s (the month's lines, what it offers them)
    why = {u.line.ref: u.reasons for u in state.unproposed()} if state.matched else {}
    reasons: dict[tuple[str, str], list[str]] = {}
    for ack in acks.acks_in(entries)[0]:
        reasons.setdefault((ack.code, ack.ref), []).append(ack.reason)
    banks = {b.account for b in config.banks.values()}
    bank_links, payees = {}, {}
    for entry in entries:
        if getattr(entry, "postings", None) and "id" in entry.meta and any(p.account in banks for p in entry.postings):
            bank_links[str(entry.meta["id"])] = sorted(l for l in entry.links if l.startswith(linking.MATCH_LINKS))
            payees[str(entry.meta["id"])] = entry.payee or ""
    grouped: dict[str, list[Row]] = {key: [] for key, *_ in GROUPS}
    for f in state.report.findings:
        if not f.refs or f.code in ("beancount", "stale-ack"):
            continue
        bank_ref = next((r for r in f.refs if r in bank_links), None)
        row = Row(f, [], bank_ref, [on_the_page(w) for w in why.get(bank_ref, [])] if bank_ref else [],
                  bank_links.get(bank_ref, []) if bank_ref else [], payee=payees.get(bank_ref, ""))
        up = f.follow_up or {}
        if up.get("owner") and up.get("state") in ("following up", "overdue"):
            # a bank line being followed up is unexplained still: it may be linked or booked
            row.actions = ["done", "link", "book", "acknowledge"] if f.code == "bank-unmatched" and bank_ref \
                else ["done", "acknowledge"]
            grouped["following"].append(row)
        elif f.acknowledged:
            # done since (the last line naming it is its state, as check says: resolved by hand
            # with its note), not the reason of an acknowledgment before (blind28)
            row.reasons = [] if up.get("state") == "resolved" else \
                [r for ref in f.refs for r in reasons.get((f.code, ref), [])]
            if not row.reasons and " — written off above the limit: " in f.message:
                row.reasons = [f.message.split(" — written off above the limit: ", 1)[1]]
            if not row.reasons and up.get("note"):
                row.reasons = [up["note"]]
            row.actions = []
            grouped["acknowledged"].append(row)
        elif f.code == "bank-unmatched" and bank_ref:
            named = any("the text names" in w for w in row.why)
            row.actions = ["link", "book", "follow-up", "acknowledge"] if named \
                else ["book", "link", "follow-up", "acknowledge"]
            grouped["bank"].append(row)
        elif f.code in writeoff.DEFAULTS and (f.code not in CHASE or writeoff.changes(f)):
            account, limit = writeoff.settings(config, f.code, f)
            # (paid since it was written off: Write off books the change, and what it takes
            # back asks no reason, whatever the finding's size)
            change = writeoff.changes(f)
            above = f.amount > limit and not change
            row.write_off = {"account": account, "limit": limit, "above": above, "change": change}
            row.actions = ["follow-up", "write-off", "acknowledge"] if above \
                else ["write-off", "follow-up", "acknowledge"]
            if row.linked:
                row.actions.append("unlink")
            grouped["write-off"].append(row)
        elif f.code in CHASE:
            # an order nobody paid is chased first; cancelled in the shop, Write off takes
            # its sale out (a reason asked: checks.order-unpaid.write_off.limit is 0)
            row.actions = ["follow-up", "acknowledge"]
            if f.code in writeoff.DEFAULTS:
                account, limit = writeoff.settings(config, f.code, f)
                row.write_off = {"account": account, "limit": limit, "above": f.amount > limit, "change": False}
                row.actions.insert(1, "write-off")
            grouped["follow-up"].append(row)
        else:
            row.actions = ["acknowledge", "follow-up"]
            grouped["review"].append(row)
    grouped["following"].sort(key=lambda r: (r.finding.follow_up.get("state") != "overdue",
                                             r.finding.follow_up.get("due", "")))
    for key in ("bank", "write-off", "follow-up", "review"):
        grouped[key].sort(key=lambda r: (r.finding.severity != "error", r.finding.sort_key))
    if state.matched:
        for rows in grouped.values():
            for row in rows:
                if "link" in row.actions:
                    found = state.matching().by_hand(row.bank_ref, ITEMS_SHOWN)
                    shown, count = found if found is not None else ([], 0)
                    row.items, row.more = [linking.item_json(i) for i in shown], count - len(shown)
    return Queue([(key, title, hint, grouped[key]) for key, title, hint in GROUPS], state.matched, len(why))


def _optional(body: dict, name: str, limit: int = guard.MAX_TEXT) -> str | None:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return guard.text(body, name, limit)


def _asked(body: dict, name: str, limit: int = guard.MAX_TEXT) -> str | None:
    """A field that, sent, asks for something (the page sends `rule` only with "remember as
    a rule" ticked): None only where absent or null; blank text is passed on, for the
    action to refuse in the command's words (blind17: `"rule": ""` booked the line and
    dropped the rule, where `book --rule ""` is refused)."""
    value = body.get(name)
    if isinstance(value, str) and not value.strip():
        return value
    return _optional(body, name, limit)


class ResolveEndpoints:
    """The resolve endpoints, mixed into the Reconciliation extension (which gives
    `state()`, `ledger` and `_write`)."""

    def queue(self) -> Queue:
        state = self.state()
        cached = getattr(self, "_queue", None)
        # The page renders the queue after it ran the matcher, if it did (on small books,
        # or when asked): the open items for a match by hand come with it, as the reasons do.
        if cached is None or cached[0] is not state or not cached[1].matched and state.matched:
            self._queue = (state, queue(state, self.ledger.all_entries))
        return self._queue[1]

    def months(self) -> list[str]:
        return months(self.state())

    def closable_months(self) -> list[str]:
        """Of months(), those `beanclear close` would take up now (periods/closing.closable)."""
        from beanclear.periods import closing
        state = self.state()
        return closing.closable(state.config.books, months(state))

    def not_closable(self) -> str:
        """Why no month of months() closes now, when none does (closable_months): those
        closed, and those open but out of order (closing.out_of_order: a later month
        closed, or an earlier one open). blind33: "every month listed is closed" beside
        2026-09, the month of the openings only, never closed (October closed first)."""
        from beanclear.periods import closing
        from beanclear.periods.closed import closed_after
        state = self.state()
        root, listed = state.config.books, sorted(months(state))
        shut = closing.closed_months(root)
        closed = [m for m in listed if m in shut]
        before = [m for m in listed if m not in shut and closed_after(root, m)]
        after = [m for m in listed if m not in shut and m not in before]
        if not before and not after:
            return "every month listed is closed"
        said = [f"{_and(closed)} {'is' if len(closed) == 1 else 'are'} closed"] if closed else []
        if before:
            said.append(f"{_and(before)} {'is' if len(before) == 1 else 'are'} not, but a later month is")
        if after:
            said.append(f"{_and(after)} {'is' if len(after) == 1 else 'are'} not, but an earlier month is open")
        return "; ".join(said) + " (months close in order)"

    def _edited(self, state, todo: list) -> list:
        """The edits to write: on books carried forward, those of their lookback go to the
        entries' month files (periods/carried_edits.py)."""
        try:
            return carried_edits.month_edits(state.config.books, state.entries, self.ledger.options, todo)
        except LookupError as exc:
            raise Refused(409, str(exc)) from None

    def _plan_write(self, state, plan) -> tuple[list, str]:
        if plan.nothing:   # done already: the command's answer (exit 0), not a refusal
            return [], plan.message
        todo = self._edited(state, plan.edits)
        changed = write(state.config, replace(plan, edits=todo))
        # (what the write changed before the month, not what it planned to: an edit that
        # found its change made already writes nothing there, blind21)
        note = carried_edits.written_before(state.config.books, state.books, changed)
        return changed, plan.message + (f"; {note}" if note else "")

    def _resolve(self, act):
        def wrapped(body, state):
            try:
                return act(body, state)
            except ResolveError as exc:   # malformed (400), or refused by the books (409)
                raise Refused(400 if isinstance(exc, BadValue) else 409, refusal(exc)) from None
        return self._write(wrapped)

    @extension_endpoint("book", ["POST"])
    def book(self):
        """Book a bank line to an account, optionally saving a rule in config.yaml."""
        def act(body, state):
            guard.fields(body, ("bank_ref", "account"), ("payee", "narration", "rule"))
            plan = booking.book(state.config, self.ledger.all_entries, guard.ident(body, "bank_ref"),
                                guard.ident(body, "account"), _optional(body, "payee"), _optional(body, "narration"),
                                _asked(body, "rule"), state.load)
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("link", ["POST"])
    def link(self):
        """Match a bank line by hand to the open items it settles."""
        def act(body, state):
            guard.fields(body, ("bank_ref", "items"))
            plan = linking.link(state.config, self.ledger.all_entries, guard.ident(body, "bank_ref"),
                                guard.idents(body, "items"), state.load)
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("unlink", ["POST"])
    def unlink(self):
        """Undo a match of a bank line: take its match links off, as `beanclear unlink`
        does. The page offers Unlink only on a finding whose bank line carries match links;
        undoing a booking (a line booked, no match link to take off) is a command-line step
        (README, "Resolving findings"): refused, named so. Nothing to undo: the command's
        answer (done already), as for every action."""
        def act(body, state):
            guard.fields(body, ("bank_ref",), ("link",))
            link = guard.ident(body, "link") if body.get("link") is not None else None
            plan = linking.unlink(state.config, self.ledger.all_entries, guard.ident(body, "bank_ref"), link)
            if not plan.nothing and not any(l.startswith(linking.MATCH_LINKS) for l in plan.data["removed"]):
                ref = plan.data["bank_ref"]
                line = linking.bank_line(self.ledger.all_entries, state.config, ref)
                raise Refused(409, refusal(ResolveError(
                    f"bank line {ref} is booked to {line.counter}, not linked: the page unlinks a match only; "
                    f"undo the booking on the command line (a command-line step: `beanclear unlink {ref}`)")))
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("write_off", ["POST"])
    def write_off(self):
        """Write off a finding's small difference (a reason above the code's limit)."""
        def act(body, state):
            guard.fields(body, ("code", "ref"), ("reason",))
            plan = writeoff.write_off(state.config, self.ledger.all_entries, state.report.findings,
                                      guard.ident(body, "code"), guard.ident(body, "ref"), _optional(body, "reason"))
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("follow_up", ["POST"])
    def follow_up(self):
        """Give a finding an owner, a due date and a note; or, with done, close it."""
        def act(body, state):
            if guard.flag(body, "done"):
                guard.fields(body, ("code", "ref", "done", "note"))
                plan = followup.done(state.config, self.ledger.all_entries, guard.ident(body, "code"),
                                     guard.ident(body, "ref"), guard.text(body, "note"),
                                     findings=state.report.findings)
            else:
                guard.fields(body, ("code", "ref", "owner", "due"), ("note", "done"))
                plan = followup.follow_up(state.config, self.ledger.all_entries, state.report.findings,
                                          guard.ident(body, "code"), guard.ident(body, "ref"),
                                          guard.text(body, "owner", guard.MAX_ID), guard.ident(body, "due"),
                                          _optional(body, "note") or "")
            return self._plan_write(state, plan)
        return self._resolve(act)

    @extension_endpoint("close", ["POST"])
    def close(self):
        """Close a month, as `beanclear close` does (refused while errors remain)."""
        from beanclear.periods import closing

        def act(body, state):
            guard.fields(body, ("month",))
            month = guard.ident(body, "month")
            try:
                closing.month_bounds(month)
            except closing.PeriodError as exc:   # not a month: malformed
                raise Refused(400, refusal(exc)) from None
            try:
                outcome = closing.close(state.config, month)
            except closing.PeriodError as exc:   # a month the books refuse to close (months close in order)
                raise Refused(409, refusal(exc)) from None
            if outcome.blockers:
                raise Refused(409, outcome.message + ": " + "; ".join(outcome.blockers[:5]))
            return outcome.written, outcome.message
        return self._write(act)

    @extension_endpoint("report", ["GET"])
    def report(self):
        """The month's reconciliation report as a file: ?month=YYYY-MM&format=xlsx|pdf."""
        from beanclear.reports import period as period_mod
        month, kind = request.args.get("month", ""), request.args.get("format", "xlsx")
        if kind not in ("xlsx", "pdf"):
            return {"error": "format: expected xlsx or pdf"}, 400
        try:
            period_mod.month_of(month)
            state = self.state()
            built = period_mod.build_from(state.entries, state.errors, self.ledger.options, state.config, month)
        except period_mod.PeriodError as exc:
            return {"error": str(exc)}, 400
        from beanclear.reports import pdf, xlsx
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"reconciliation-{month}.{kind}"
            (xlsx if kind == "xlsx" else pdf).write(built, path)
            data = io.BytesIO(path.read_bytes())
        mime = "application/pdf" if kind == "pdf" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return send_file(data, mimetype=mime, as_attachment=True, download_name=f"reconciliation-{month}.{kind}")


def _and(months: list[str]) -> str:
    return ", ".join(months[:-1]) + f" and {months[-1]}" if len(months) > 1 else months[0]


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def months(state) -> list[str]:
    """The months of the books, newest first, for the close and report controls: the
    last twelve, none before the books' first transaction (`report` and `close` of such
    a month are refused)."""
    end = state.through
    first = next((e.date for e in state.entries if isinstance(e, data.Transaction)), end)
    out, day = [], end.replace(day=1)
    for _ in range(12):
        if day < first.replace(day=1):
            break
        out.append(day.strftime("%Y-%m"))
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return out
