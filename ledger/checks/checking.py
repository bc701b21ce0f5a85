"""`beanclear check`: load the books with their plugins and report every problem.

Beancount's own errors (a failed `balance` assertion, a typo in an entry) are reported
as they are, with code `beancount`. The reconciliation findings come from the library
with all severities; the plugins raised only the errors among them, so bean-check and
Fava fail on exactly the errors listed here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from beancount.core import data

from beanclear import books

from beanclear.checks import missing_rows, reconcile
from beanclear.importers.stated import TOO_MANY
from beanclear.checks.findings import Finding, FindingError, acknowledged, following_up, standing
from beanclear.statements import chained, cut_over, gaps


@dataclass
class Report:
    findings: list[Finding]
    notes: tuple[str, ...] = ()   # what the checks say that is no finding (fees._currencies_unpaid)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" and not f.acknowledged for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" and not f.acknowledged for f in self.findings)

    @property
    def acknowledged(self) -> int:
        return sum(acknowledged(f) for f in self.findings)

    @property
    def following_up(self) -> int:
        """Findings being followed up before their due date: they do not fail CI, as an
        acknowledged one does not, but no one acknowledged them (README "Follow up")."""
        return sum(following_up(f) for f in self.findings)

    def to_json(self) -> str:
        notes = {"notes": list(self.notes)} if self.notes else {}
        return json.dumps({"findings": [f.to_json() for f in self.findings], **notes,
                           "summary": {"errors": self.errors, "warnings": self.warnings,
                                       "acknowledged": self.acknowledged, "following_up": self.following_up}},
                          ensure_ascii=False, indent=1)

    def to_text(self) -> str:
        lines = []
        width = max((len(f.code) for f in self.findings), default=0)
        for f in self.findings:
            where = f" ({f.file}:{f.line})" if f.file else ""
            state = f"{said} " if (said := standing(f)) else ""
            amount = f" {f.amount:,f} {f.currency}" if f.currency else ""  # rounded to its currency (findings.py)
            # the refs, as `beanclear ack CODE REF` wants one of them
            refs = f" [{', '.join(f.refs[:4])}{', …' if len(f.refs) > 4 else ''}]" if f.refs else ""
            # (a Beancount error of no entry, an invalid token, has no date: a dash, in the column)
            lines.append(f"{state}{f.severity:<7} {f.code:<{width}} {str(f.date or '-'):<10} {f.source or '-':<8}{amount}: {f.message}"
                         f"{refs}{where}")
        lines += [f"{'note':<7} {note}" for note in self.notes]   # (no finding: counted nowhere, fails nothing)
        lines.append(f"{self.errors} error{'s' * (self.errors != 1)}, "
                     f"{self.warnings} warning{'s' * (self.warnings != 1)}, {self.acknowledged} acknowledged"
                     + (f", {self.following_up} following up" if self.following_up else ""))
        if self.errors:   # the pre-commit hook's output and CI's log: what to do next (blind8)
            lines.append(NEXT_STEP)
            # (Beancount's own errors are no finding to acknowledge: blind23, `ack beancount …` refused)
            if any(f.code == "beancount" and f.severity == "error" and not f.acknowledged for f in self.findings):
                lines.append(BEANCOUNT_STEP)
        return "\n".join(lines)


NEXT_STEP = ("to pass: resolve each error (`beanclear book`, `link`, `write-off`, `follow-up`) or acknowledge it "
             "(`beanclear ack CODE REF --reason \"…\"`, REF from its [refs]); README \"Resolving findings\"")
BEANCOUNT_STEP = ("a beancount error (a balance that fails, an entry that does not balance) is not acknowledged: "
                  "correct the books where it points, or import the statement it says is missing")


def beancount_finding(error, root) -> Finding:
    source = error.source or {}
    entry = error.entry
    filename = source.get("filename")
    if filename and os.path.isabs(filename):
        filename = os.path.relpath(filename, root)
    account = getattr(entry, "account", "") if entry is not None else ""
    message = " ".join(str(error.message).split())
    amount, currency = Decimal(0), ""
    failed = _FAILED.match(message)
    if failed and getattr(entry, "amount", None) is not None:   # a balance assertion: its difference
        amount, currency = Decimal(failed.group(2).split()[0].replace(",", "")), entry.amount.currency
    return Finding("beancount", getattr(entry, "date", None), "", account or "", amount, currency,
                   message, file=filename, line=source.get("lineno"), severity="error")


def check(config, step=lambda stage: None, since: str | None = None) -> Report:
    """Load the books (load_books) and report Beancount's errors and every reconciliation
    finding; with `since`, what the whole books judge from that month on."""
    entries, errors, options = load_books(config, since, step)
    step("the report")
    found = report(entries, errors, config, options)
    if since is None:
        return found
    load = reconcile.stored_load(options, config)
    return Report(_in_month_files(found.findings, entries, config, load, options), found.notes) if load is not None \
        else found


def load_books(config, since: str | None = None, step=lambda stage: None):
    """The books loaded with their plugins: (entries, errors, options). `since` (YYYY-MM):
    the books from that month on (periods/forward.py), carried forward first unless up
    to date; what they judge from the month on is what the whole books judge. `step(stage)`
    is called as each stage starts (the CLI's progress). A bad month, or books that cannot
    be carried: periods.closing.PeriodError."""
    path = config.books / "main.beancount"
    if since is not None:
        from beanclear.periods import forward   # it reads the checks' windows: imported when asked
        step(f"the books from {since} on (beanclear carry {since})")
        path, _ = forward.carry(config, since)
    step("loading the books (the plugins check them)")
    return books.load(path)


def report(entries, errors, config, options=None, load=None) -> Report:
    """The report of books already loaded (with their plugins): what Fava's page shows.
    The findings the plugins computed during the load are reused, not recomputed; the
    checks whose plugin lines the books leave out are computed here. `load`: the
    reconcile.Load to read and complete (default: the one the plugins left in `options`)."""
    out = [beancount_finding(e, config.root) for e in errors if not isinstance(e, FindingError)]
    load = load if load is not None else reconcile.stored_load(options, config)
    if load is None:   # books without plugins
        load = reconcile.Load(entries, config)
    out += load.report(entries)
    folded = fold(out, entries, config, load)
    start = load.since(entries)
    if start is not None:   # books carried forward: their own days, and a gap before that fails their assertions
        held = {id(f) for f in out}   # (own entries before it that fail none of them: judged in the whole books)
        folded = [f for f in folded if reconcile.shown_from(start, f)
                  or id(f) not in held and not (cut_over.is_overlap(f) and not cut_over.takes_in(f))]
    return Report(folded, tuple(dict.fromkeys(load.notes)))   # (a check run again at another horizon says it again)


def _in_month_files(findings: list[Finding], entries, config, load, options) -> list[Finding]:
    """Findings of books carried forward that name a line of their ledger file (an entry
    it prints from before the month: a payout still in transit) name that entry's own
    month file and line instead, as the whole books do: the ledger is generated, and its
    lines change with every carry (blind23: `check --since` named since-2026-04.beancount:1708
    for a January payout credited short in April). For `check --since`; the Fava page over
    the ledger keeps its lines, which its editor opens."""
    from beanclear.checks.findings import relative
    from beanclear.periods import past
    carried = load.carried(entries) if options is not None else None
    ledger = relative(str(carried.path), config.root) if carried is not None else None
    if ledger is None or not any(f.file == ledger and f.line for f in findings):
        return findings
    by_line = {e.meta.get("lineno"): e for e in entries
               if isinstance(e, data.Transaction) and e.meta.get("filename") == carried.path}
    lines = {f.line for f in findings if f.file == ledger}
    copies = past.located(config.books, carried, [e for n, e in by_line.items() if n in lines], options)
    out = []
    for f in findings:
        copy = copies.get(id(by_line[f.line])) if f.file == ledger and f.line in by_line else None
        out.append(f if copy is None else replace(f, file=relative(copy.meta["filename"], config.root),
                                                  line=copy.meta["lineno"]))
    return out


def fold(findings: list[Finding], entries, config, load) -> list[Finding]:
    """One cause, one finding: Beancount's failed assertions (code `beancount`) and the
    checks' findings, each cause once with its consequences in it: the balances a
    missing statement breaks (behind_holes, missing_rows), or a person's own entries of the
    days the statements cover (cut_over.folded), what waits for a statement that ends early
    (gaps.one_end), assertions off by one same difference (one_difference).
    What the fold makes is decided by the books' acknowledgments, follow-ups and
    write-offs as the checks' findings are, by its code and the refs it shows
    (load.as_listed): any finding listed is named by any of its refs.
    `entries`: the books as Beancount checked them (`diff_amount` set where one failed);
    `load`: the reconcile.Load the findings are of. `beanclear check` folds its report
    with it, and the checks plugin the errors it gives bean-check and Fava (checks/held.py)."""
    cover = load.cover(entries)
    own = cut_over.folded(findings, entries, config, cover)   # own entries of the statements' days first
    opened = chained.Openings(entries, config)   # a statement opening off the close before: named where it fails
    folded = one_difference(missing_rows.folded(gaps.one_end(behind_holes(own, config, opened, cover), config),
                                                entries, config, cover, opened,
                                                lambda holes: load.refunds_without(entries, holes)), entries, opened)
    return load.as_listed(entries, findings, folded)


def behind_holes(findings: list[Finding], config, opened: chained.Openings | None = None, cover=None) \
        -> list[Finding]:
    """One cause, one finding: a balance assertion of an account that fails after a hole
    in its source's statements (a month file not imported) is that hole's consequence.
    It is folded into the hole's statement-gap, which says how many there are and
    becomes an error: the books cannot balance until the missing statement is in. Where
    the statement after the hole opens on another amount than the books hold then, it
    says so too (`opened`: statements/chained.py).
    Not a hole before the first statement of a channel's payouts (`cover`), between its
    trade bill and its fund bill: what the trade bill booked fails the balances, and the
    days without its payouts are the step that says how much (missing_rows.steps)."""
    source_of = missing_rows.asserting_sources(config)
    holes = {}  # source -> its hole findings, latest first
    for f in findings:
        if f.code == "statement-gap" and f.message.startswith("no statement of ") and not (
                cover is not None and (early := cover.before_payouts(f.source)) and f.date <= early[1]):
            holes.setdefault(f.source, []).append(f)
    if not holes:
        return findings
    held: dict[int, list[Finding]] = {}
    out = []
    for f in findings:
        hole = None
        if f.code == "beancount" and f.account in source_of and f.message.startswith("Balance failed"):
            hole = max((h for h in holes.get(source_of[f.account], ()) if h.date < f.date),
                       key=lambda h: h.date, default=None)
        if hole is None:
            out.append(f)
        else:
            held.setdefault(id(hole), []).append(f)
    return [_with_consequences(f, held[id(f)], opened) if id(f) in held else f for f in out]


_FAILED = re.compile(r"^Balance failed for '([^']+)': .*\(([-\d.,]+ too (?:little|much))\)")


def one_difference(findings: list[Finding], entries=(), opened: chained.Openings | None = None) -> list[Finding]:
    """One cause, one finding: the balance assertions of one account that fail by the
    same difference (a line missing from a statement or listed twice in it, or a
    statement's closing the next one's opening contradicts: every later assertion is off
    by it) are the first one's
    consequences, said in it:

        2026-05-02 balance Assets:Bank:ICBC   expected … (12.34 too little)
        2026-05-03 balance Assets:Bank:ICBC   expected … (12.34 too little)   -> folded into the first

    Too much from the start may also be an opening beanclear wrote of money a person's
    own entries hold already: said only of an account that has both (`entries`, the
    books), never of one no opening was written for (blind9: the text blamed one in
    accounts.beancount that held none). Where the cause is a statement that opens on
    another amount than the books hold at its start (`opened`: statements/chained.py),
    the first failure names it instead, the one failure too."""
    runs: dict[tuple[str, str], list[Finding]] = {}   # (account, "12.34 too little") -> its failures
    for f in sorted((f for f in findings if f.code == "beancount"), key=lambda f: (f.date or dt.date.min)):
        found = _FAILED.match(f.message)
        if found:
            runs.setdefault((found.group(1), found.group(2)), []).append(f)
    later = {id(f): run[0] for run in runs.values() if len(run) > 1 for f in run[1:]}
    named = {id(run[0]): opening for run in runs.values()
             if (opening := _opening_of(run[0], opened)) is not None} if opened is not None and runs else {}
    if not later:
        return [_named(f, named[id(f)]) if id(f) in named else f for f in findings]
    counted: dict[int, list[Finding]] = {}
    for f in findings:
        if id(f) in later:
            counted.setdefault(id(later[id(f)]), []).append(f)
    out, twice_over = [], None
    for f in findings:
        if id(f) in later:
            continue
        if id(f) in counted:
            rest = counted[id(f)]
            # too much from the start: an opening written for an account a person's own entries
            # hold the money of already (init's default account renamed to theirs, blind6)
            twice, line = "", f"a line missing before {f.date}"
            if _FAILED.match(f.message).group(2).endswith("too much"):
                line = f"before {f.date}, {TOO_MANY}"
                twice_over = _opened_and_own(entries) if twice_over is None else twice_over
                if f.account in twice_over:
                    twice = ", or money booked twice: an opening in accounts.beancount of what your own entries hold already"
            cause = f"one cause: {named[id(f)].said()}" if id(f) in named else \
                f"one cause ({line}, or a statement's closing its next one contradicts{twice})"
            f = replace(f, message=f"{f.message}; and {len(rest)} later assertion(s) of the account, to "
                        f"{max(g.date for g in rest)}, fail by the same amount: {cause}")
        elif id(f) in named:
            f = _named(f, named[id(f)])
        out.append(f)
    return out


def _opening_of(f: Finding, opened: chained.Openings):
    """The statement opening off the books (statements/chained.py) whose difference makes
    the balance assertion of failure `f` fail first, or None."""
    found = _FAILED.match(f.message)
    if found is None or f.date is None:
        return None
    off, _, how = found.group(2).partition(" too ")
    off = Decimal(off.replace(",", ""))
    return opened.failing(f.account, f.date, off if how == "much" else -off)


def _named(f: Finding, opening) -> Finding:
    """A failed balance assertion that names the statement whose opening it fails by."""
    return replace(f, message=f"{f.message}; one cause: {opening.said()}")


def _opened_and_own(entries) -> set[str]:
    """The accounts that an opening beanclear wrote (`id: "opening <account> <currency>"`,
    not a carried balance) and a person's own entry both post to."""
    from beanclear.periods.forward import CARRIED_ID
    opened, own = set(), set()
    for entry in entries:
        if cut_over.is_own(entry):
            own.update(p.account for p in entry.postings)
        elif isinstance(entry, data.Transaction):
            ident = str(entry.meta.get("id", ""))
            if ident.startswith("opening ") and not ident.startswith(CARRIED_ID):   # (of some money)
                opened.update(p.account for p in entry.postings if getattr(p.units, "number", None) != 0)
    return opened & own


def _with_consequences(hole: Finding, failed: list[Finding], opened: chained.Openings | None = None) -> Finding:
    first = min(failed, key=lambda f: f.date)
    opening = _opening_of(first, opened) if opened is not None else None
    return replace(hole, severity="error", message=f"{hole.message}; {len(failed)} balance assertion(s) of "
                   f"{first.account} from {first.date} fail until that statement is imported"
                   + (f"; {opening.said()}" if opening is not None else ""),
                   file=first.file, line=first.line)
