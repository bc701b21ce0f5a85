"""Closing a month: once nothing in it is unresolved, its end is written down.

    close(config, "2026-01") appends to books/periods.beancount

        2026-01-31 custom "beanclear-close" "2026-01"
          closed-by: "alice"
        2026-02-01 balance Assets:Bank:ICBC               123456.78 CNY
        ...

    one `balance` per bank, clearing and transit account and currency, of what the books
    hold at the month's end (an assertion the books already make that day is not
    repeated). It is refused (the errors listed) while unacknowledged errors dated in
    the month or before it remain — Beancount's (a failed `balance` up to the next
    month's first day, an undated syntax error) and the findings' — or a source's
    statements do not reach the month's end, or a bank credit of it waits for its
    channel's statements (month_end.py: what is not in the books yet is not resolved
    either), and (exit 2) while
    an earlier month that has entries (a books/<source>/YYYY/YYYY-MM.beancount file) is
    still open, or a later month is closed already: months close in order (a month
    closed once and reopened closes again, whatever was closed after it). A month
    before the books' first transaction is a bad month (exit 2): nothing to close. A
    month closed already writes nothing, but is judged still: errors of it that remain
    (the books changed after the close: a merge, an edit; or what came after it shows
    one in the month, which the books as they stood at its end do not hold) are listed,
    exit 1, each cause said as it is.

    reopen(config, "2026-01", reason) appends

        2026-01-31 custom "beanclear-reopen" "2026-01" "the February statement was late"
          reopened-by: "alice"

Reopening removes nothing: the assertions were true when written and stay in the books,
so if an import then changes the month, `beanclear check` shows the assertion it breaks
(at periods.beancount:line) — the change to a once-closed month is what a reviewer wants
to see; they update that line, and close again. Closing again asserts only what is not
asserted yet. The directives are dated the month's last day (never today), so the same
books and command give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear.books import edits, render
from beanclear.checks.findings import Policy, relative
from beanclear.clock import who
from beanclear.importers.toolkit.places import in_places
from beanclear.periods.closed import CLOSE, MONTH, PERIODS_FILE, REOPEN, closed_after, closed_months, month_files

PERIODS_HEADER = """\
; Closed periods (beanclear close / reopen): a month's end, asserted, and who closed it.
; A month is closed while its last beanclear-close comes after its last beanclear-reopen.
"""


class PeriodError(ValueError):
    """Bad input: a month that is not YYYY-MM, an empty reason, a month not closed."""


@dataclass
class Outcome:
    month: str
    written: list[Path] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)   # why the month cannot be closed yet
    message: str = ""


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """(last day of the month, first day of the next); PeriodError for anything but YYYY-MM."""
    from beanclear.reports.period import month_of   # the one reading of a month
    last = month_of(month, "month")[1]
    return last, last + dt.timedelta(days=1)


def close(config, month: str) -> Outcome:
    """Close a month (see the module's docstring). Writes only when nothing blocks it:
    decided from the books as read, and again under the lock from the books as they are
    then where another write came between (two closes at once write one)."""
    decided, block, read = _closing(config, month)
    if block is None:
        return decided

    def again():   # another write came since the books were read: decided anew, under the lock
        nonlocal decided
        decided, fresh, _ = _closing(config, month)
        return fresh or ""
    written = _append(config.books, block, read, again)
    decided.written = written
    return decided


def _closing(config, month: str) -> tuple[Outcome, str | None, object]:
    """What closing a month would write: (its outcome, the block to append or None,
    the books as read, books.READ)."""
    from beanclear import books
    from beanclear.checks import checking, reconcile
    from beanclear.periods import month_end
    last, next_first = month_bounds(month)
    root = config.books
    # before the month is judged: its markers would be its errors, and no close is
    # written into a merge left half done all the same (books/unmerged.py)
    from beanclear.books import unmerged
    unmerged.refuse(root)
    if month not in closed_months(root):
        earlier = out_of_order(root, month, later=False)
        if earlier:
            raise PeriodError(earlier)
    entries, errors, options = books.load(root / "main.beancount")
    read = options.get(books.READ)
    shut = closed_months(root)   # (read again: closed since the first look, before the books were read)
    if month not in shut:
        first_last = span(entries)
        if first_last is None or last < first_last[0]:
            raise PeriodError(f"{month}: the books hold no transaction in that month or before it{runs(first_last)}")
        later = out_of_order(root, month, earlier=False)
        if later:
            raise PeriodError(later)
    load = reconcile.stored_load(options, config) or reconcile.Load(entries, config)
    report = checking.report(entries, errors, config, options, load)
    # A failed assertion of the next month's first day is about this month's end.
    unresolved = [f for f in report.findings if f.severity == "error" and not f.acknowledged
                  and (f.date is None or f.date <= (next_first if f.code == "beancount" else last))]
    blockers = [_line(f) for f in unresolved]
    if month in shut:   # closed already: judged still, since a merge or an edit may have changed it (blind24)
        where = relative(str((root / PERIODS_FILE).resolve()), config.root.resolve())
        return _closed_already(month, f"{where} line {shut[month].line}", unresolved,
                               _shown_later(entries, config, last, unresolved)), None, None
    short = [_line(f) for f in month_end.short_of(entries, config, load, last)]
    if blockers or short:
        # (statements short of the month's end are no finding of `check`: said apart)
        said = [f"{len(blockers)} unresolved error(s)"] if blockers else []
        said += [f"{len(short)} source(s) whose statements do not reach its end"] if short else []
        return Outcome(month, blockers=blockers + short, message=f"{month} cannot be closed: {' and '.join(said)}; "
                                                                 "nothing was written"), None, read
    held = balances(entries, accounts_of(config), next_first)
    block = close_text(month, held, who(), Policy.of(config))
    return Outcome(month, message=f"{month} closed: {block.count(' balance ')} balance assertion(s) "
                                  f"at {next_first}, in {PERIODS_FILE}" + below_zero(config, month, held)), block, read


def _shown_later(entries, config, last: dt.date, unresolved: list) -> list:
    """Of a closed month's unresolved findings, those the books as they stood at its end
    (what is dated after it left out: reports/period.as_at) do not hold: what came after
    the close shows them in the month, no edit of it did. A deadline counts to the books'
    last statement line: a month whose last days were quiet (quiet_days) was closed judged
    to that line, and a deadline that passed after it, within the month, is found once a
    later statement comes (findings.by_deadline dates one that passed in a later month
    there). Beancount's own errors (a balance the close asserted) are the books' text."""
    if not any(f.code != "beancount" for f in unresolved):
        return []
    from beanclear.checks import reconcile
    from beanclear.clock import today
    from beanclear.reports.period import as_at
    then = reconcile.find(as_at(entries, last), config, today=min(last, today()))

    def stood(f) -> bool:   # (the same finding then, whatever it names since: its refs may have grown)
        return any(g.code == f.code and g.source == f.source and (set(g.refs) & set(f.refs) or g.date == f.date)
                   for g in then)
    return [f for f in unresolved if f.code != "beancount" and not stood(f)]


def _closed_already(month: str, closed: str, unresolved: list, later: list = ()) -> Outcome:
    """A month closed already: nothing to write; but where errors of it remain (the
    books changed after the close: a merge brought a line into it, a balance it asserted
    fails), they are listed and the close says it no longer holds, exit 1, as `close`
    does while errors remain. Those only what came after the month shows (`later`:
    _shown_later) are said apart: no edit made them."""
    if not unresolved:
        return Outcome(month, message=f"{month} is already closed; nothing was written")
    # a follow-up past its due date fails with no change to the books: only the clock moved
    # (a blind tester was told of "a merge, an edit" that never happened)
    late = [f for f in unresolved if (f.follow_up or {}).get("state") == "overdue"]
    shown = [f for f in later if f not in late]
    changed = [f for f in unresolved if f not in late and f not in shown]
    said = []
    if late:
        named = "; ".join(f"{f.code} {f.refs[0] if f.refs else '-'}, {f.follow_up['owner']}, due {f.follow_up['due']}"
                          for f in late[:3]) + ("; …" if len(late) > 3 else "")
        f = late[0]
        said.append(f"{len(late)} follow-up{'s' if len(late) > 1 else ''} past {'their' if len(late) > 1 else 'its'} "
                    f"due date ({named}): settle it and mark it done (`beanclear follow-up {f.code} "
                    f"{f.refs[0] if f.refs else 'REF'} --done --note \"…\"`), or give it a later `--due`")
    if shown:
        first = next((f for f in shown if f.file), None)
        at = f", the first at {first.file}:{first.line}" if first is not None else ""
        said.append(f"{len(shown)} unresolved error(s) the books as they stood at its end do not hold{at} — what "
                    "came after it shows them in the month (a deadline that passed after the last statement line "
                    "the close was judged to, its last days quiet), or the config changed since (a shorter "
                    f'deadline); `beanclear reopen {month} --reason "…"`, resolve them and close it again')
    if changed:
        first = next((f for f in changed if f.file), None)
        at = f", the first at {first.file}:{first.line}" if first is not None else ""
        # (a finding of the books as they stood at its end: its entries, or what judges them,
        # a deadline made shorter in the config; a failed balance is the books' alone)
        config = ", or the config did (a shorter deadline)" if any(f.code != "beancount" for f in changed) else ""
        said.append(f"{len(changed)} unresolved error(s){at} — the books changed after the close (a merge, an "
                    f'edit){config}; correct the change, or `beanclear reopen {month} --reason "…"` and close it again')
    return Outcome(month, blockers=[_line(f) for f in unresolved], message=(
        f"{month} is closed ({closed}) but no longer reconciles: {'; and '.join(said)}; nothing was written"))


def reopen(config, month: str, reason: str) -> Outcome:
    """Reopen a closed month, with the reason, in a directive (nothing removed); decided
    again under the lock where another write came since (two reopens at once write one)."""
    from beanclear.books import atomic
    last, _ = month_bounds(month)
    flat = " ".join(str(reason or "").split())
    if not flat:
        raise PeriodError("--reason: expected why the month is reopened, got nothing")
    read = atomic.Snapshot.of(config.books)

    def block() -> str:
        if month not in closed_months(config.books):
            raise PeriodError(f"{month} is not closed; nothing was written")
        return (f"\n{last} custom {render.quote(REOPEN)} {render.quote(month)} {render.quote(flat)}\n"
                f"  reopened-by: {render.quote(who())}\n")
    written = _append(config.books, block(), read, block)
    return Outcome(month, written, message=f"{month} reopened: imports may add to it again")


def span(entries) -> tuple[dt.date, dt.date] | None:
    """The days of the books' first and last transactions (None: they hold none). A
    month outside them is a mistyped one to report; one before them has nothing to close."""
    days = [e.date for e in entries if isinstance(e, data.Transaction)]
    return (min(days), max(days)) if days else None


def runs(first_last: tuple[dt.date, dt.date] | None) -> str:
    """` (they run from … to …)`, said where a month is outside the books."""
    return f" (they run from {first_last[0]} to {first_last[1]})" if first_last else ""


def out_of_order(root: Path, month: str, earlier: bool = True, later: bool = True) -> str | None:
    """Why `month` may not close now because months close in order, or None: an
    earlier month holding entries (a source's month file) still open, or a later month
    closed already (unless `month` was closed once: closing it again is in order). One
    rule for `close` and for the months the Fava page offers to close (closable)."""
    if earlier and (before := open_before(root, month)):
        return (f"{', '.join(before)} still open and holding entries; close "
                f"{'them' if len(before) > 1 else 'it'} first (months close in order)")
    if later and (after := closed_after(root, month)):
        names = " and ".join(c.month for c in after)
        reopen = " and ".join(f'beanclear reopen {c.month} --reason "…"' for c in after)
        return (f"{month}: {names} {'is' if len(after) == 1 else 'are'} closed already "
                f"({PERIODS_FILE}:{after[0].line}) and months close in order; {reopen}, "
                f"then close {month} and {names}")
    return None


def closable(root: Path, months) -> list[str]:
    """Of `months`, those `close` would take up now: not closed, and in order
    (out_of_order). Whether the month's errors and statements allow it is for close."""
    shut = closed_months(root)
    return [m for m in months if m not in shut and out_of_order(root, m) is None]


def open_before(root: Path, month: str) -> list[str]:
    """Months before `month` that have a source's month file and are not closed."""
    closed = closed_months(root)
    return sorted({m for m, _ in month_files(root) if m < month and m not in closed})


def accounts_of(config) -> set[str]:
    """The accounts a close asserts: every bank's, every channel's clearing and transit."""
    out = {bank.account for bank in config.banks.values()}
    out.update(a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit) if a)
    return out


def balances(entries, accounts: set[str], day: dt.date) -> list[tuple[str, str, Decimal]]:
    """(account, currency, units) at the start of `day` of each account and currency the
    books have posted to before it, less those a `balance` of that day already asserts."""
    from beancount.core import inventory
    held: dict[str, inventory.Inventory] = {}
    posted: dict[tuple[str, str], Decimal] = {}   # an account emptied by the month's end is asserted at 0.00
    asserted = set()
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date < day:
            for posting in entry.postings:
                if posting.account in accounts:
                    held.setdefault(posting.account, inventory.Inventory()).add_amount(posting.units)
                    posted[(posting.account, posting.units.currency)] = posting.units.number * 0   # its places
        elif isinstance(entry, data.Balance) and entry.date == day:
            asserted.add((entry.account, entry.amount.currency))
    units = {account: _units(inv) for account, inv in held.items()}
    return [(account, currency, units[account].get(currency, zero))
            for (account, currency), zero in sorted(posted.items()) if (account, currency) not in asserted]


def below_zero(config, month: str, held: list[tuple[str, str, Decimal]]) -> str:
    """A note per transit account `held` asserts below zero: more left it by the month's
    end than came in, which a close asserts all the same (a bank credit of the day before
    a payout the books date the next month, 01:00 in Shanghai, is the check's pairing):
    the month's report says what each item is, as the check pairs them."""
    last, _ = month_bounds(month)
    transit = {ch.accounts.transit for ch in config.channels.values()}
    return "".join(f"\nnote: {account} is asserted at {render.number_text(in_places(number, currency))} {currency}, below zero: more left "
                   f"it by {last} than came in (`beanclear report {month}` says what: a bank credit before its payout "
                   "is booked, one no payout explains, a top-up before the bank's debit)"
                   for account, currency, number in held if account in transit and number < 0)


def _units(inv) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for position in inv:   # lots held at cost are one balance of their units
        out[position.units.currency] = out.get(position.units.currency, Decimal(0)) + position.units.number
    return out


def close_text(month: str, held: list[tuple[str, str, Decimal]], by: str, policy: Policy | None = None) -> str:
    """The close directive, with the policy the month was judged by (`review-threshold`
    and each code's severity, in force at the close: the month's findings keep the
    severities it gave them, findings.apply_policy), and the month-end balances."""
    last, next_first = month_bounds(month)
    lines = [f"\n{last} custom {render.quote(CLOSE)} {render.quote(month)}\n", f"  closed-by: {render.quote(by)}\n"]
    lines += [f"  {key}: {render.quote(text)}\n" for key, text in (policy.meta() if policy else ())]
    for account, currency, number in held:
        number = number if number else abs(number)   # never "-0.00"
        lines.append(f"{next_first} balance {account:<{render.ACCOUNT_WIDTH}} {render.amount_text(number, currency)}\n")
    return "".join(lines)


def _append(root: Path, block: str, read=None, again=None) -> list[Path]:
    """Append a block to periods.beancount (made, and included, on first use) in one write
    (`read`, `again`: as edits.append_to's)."""
    return edits.append_to(root, PERIODS_FILE, PERIODS_HEADER, block, after=("acks.beancount", "prices.beancount"),
                           read=read, again=again)


def _line(f) -> str:
    """A finding as close lists it: as `beanclear check` does, its refs (the ids `beanclear
    ack` takes) but the one a finding no statement id names is named by."""
    where = f" ({f.file}:{f.line})" if f.file else ""
    named = [r for r in f.refs if r != f"{f.source} {f.date}"]
    refs = f" [{', '.join(named[:4])}{', …' if len(named) > 4 else ''}]" if named else ""
    return f"{f.severity} {f.code} {f.date or '-'} {f.source or '-'}: {f.message}{refs}{where}"
