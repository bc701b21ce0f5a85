"""One cause, one finding: rows missing from the books, seen where a source's running
balance steps over days none of its statements covers.

A fund bill (or a bank export) states the balance after each day; the import writes
them as `balance` assertions. A day's bill never imported (a fetch that failed, a file
left out) leaves its rows out of the books, and every assertion after it fails by the
same amount:

    2026-04-05 balance Assets:Clearing:WeChat    99.40 CNY    ; holds
    ;                                                         ; no bill of 2026-04-05
    2026-04-07 balance Assets:Clearing:WeChat  1515.41 CNY    ; 2191.19 too little
    2026-04-08 balance Assets:Clearing:WeChat   896.06 CNY    ; 2191.19 too little

That is one `statement-gap`, dated the first day of the step that no statement of the
source showing its payouts covers (a trade bill covers the day's sales, not its
withdrawals). It takes in the failures the step explains and what follows from the rows
the books lack: where they hold less, payouts of the source that take more than it held
from the step on; where they hold more, money left unsettled that was not yet due when
it began (either way, money due by a missing day: that day's withdrawal may have taken
it); either up to the amount missing; bank credits booked as its
payouts that no payout explains, within `bank_days` of those days; orders nothing paid,
of shops it may pay, placed up to `order_days` before those days; and refunds a shop
made of orders the source was paid for, that its books show less of, where no refund
the books hold of the order is later than those days (the refund may be in them). The
orders and refunds (and the refund checks' windows: judged again without those days,
_refunds_rejudged) follow only from the days of the step whose payments and refunds no
statement shows: a day whose trade bill is in the books
(its 业务明细, its 交易账单) has them all there, and the finding names what is missing,
the statement of its payouts and balances. A step over days its statements all cover is not
a missing statement: the failures stay as Beancount reports them.

A day's rows may net to nothing (a withdrawal of all the day took in): no balance steps
over it, and a channel that makes no statement of a day without lines (WeChat's bills)
shows the day as a quiet one (Coverage.quiet_runs). What the books lack tells it apart:
where at least POINTED findings point at those days of a channel (orders placed then, of
shops it may pay, that nothing paid; bank credits booked as its payouts, within
`bank_days` after them, that no payout explains, or that were taken for a payout near
them), they are a step of their own, of no known amount, and take in what follows from
it as a balance step does (blind9: a day's two WeChat bills not imported, ten
order-unpaid and a bank-unmatched). One such finding alone stays as it is: a quiet day
may hold one order nobody paid.

Only a statement's balance steps over missing rows: a close's assertions (books/
periods.beancount) are what the books held at a month's end, and one that fails says
the books changed since (an import into the month reopened: README, "Closing a month"),
not that rows are missing. They are not read here: its failure stays Beancount's, at its
line, whatever days the statements around it leave quiet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from beanclear.checks.findings import CODES, Finding, unpaid_order
from beanclear.importers.order_refs import payment_shops
from beanclear.importers.toolkit.places import shown
from beanclear.periods.closed import is_periods_file
from beanclear.statements.gaps import SHOWN_ONLY
from beanclear.statements.carried import balance_accounts
from beanclear.statements.coverage import DAY, Coverage

CENT = Decimal("0.01")
# The findings that must point at a channel's quiet days for them to be a statement's
# rows missing, not days without lines (the module's docstring).
POINTED = 2
ALL = ("all",)


@dataclass
class Step:
    source: str
    account: str
    currency: str
    first: dt.date                # the days the rows may be missing from
    last: dt.date
    amount: Decimal               # books less the statements (negative: the books hold less)
    failed: dt.date | None        # the first assertion it fails (None: a step no balance shows)
    held: list = field(default_factory=list)   # the findings it takes in
    pointed: tuple = ()           # of a step no balance shows: the unpaid orders and bank credits that show it
    # the first and last of its days whose payments and refunds no statement shows (a day's
    # trade bill does: the rows missing are the fund bill's payouts), None where one shows
    # every day's; ALL (a step made by hand): all its days
    unsold: tuple | None = field(default=ALL)

    def __post_init__(self):
        if self.unsold is ALL:
            self.unsold = (self.first, self.last)

    def days(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} to {self.last}"


def asserting_sources(config) -> dict[str, str]:
    """Account -> the source whose statements assert its balance: a bank's account, a
    channel's clearing account (carried.balance_accounts, by which Coverage.weigh weighs holes)."""
    return balance_accounts(config)


def steps(entries, config, cover: Coverage) -> tuple[list[Step], dict]:
    """The steps of the sources' running balances over days no statement covers, in
    the books' order (Beancount has set `diff_amount` on each assertion that failed);
    and (account, date) -> how far each failed assertion of those accounts is off."""
    source_of = asserting_sources(config)
    closes: dict[str, bool] = {}   # filename -> whether it is periods.beancount (the module's docstring)
    last: dict[tuple[str, str], tuple[dt.date, Decimal]] = {}
    out, diffs = [], {}
    for entry in entries:
        if not isinstance(entry, data.Balance) or entry.account not in source_of:
            continue
        name = entry.meta.get("filename")
        if name not in closes:
            closes[name] = name is not None and is_periods_file(config.books, name)
        if closes[name]:
            continue
        key = (entry.account, entry.amount.currency)
        diff = entry.diff_amount.number if entry.diff_amount is not None else Decimal(0)
        if diff:
            diffs[(entry.account, entry.date)] = diff
        before = last.get(key)
        last[key] = (entry.date, diff)
        source = source_of[entry.account]
        if before is None:
            # the first assertion the ledger holds: of books carried forward, the step may
            # be before them (their first assertion fails already): the latest day missing
            gap = cover.last_uncovered(source, entry.date) if diff else None
            if gap is not None:
                out.append(Step(source, entry.account, entry.amount.currency, gap, gap, diff, entry.date,
                                unsold=cover.unsold(source, gap, gap)))
            elif diff and (days := cover.before_payouts(source)) is not None and days[1] < entry.date:
                # what a trade bill booked before the first statement of the source's payouts,
                # in no opening (statements/openings.py): those days' payouts and balances missing
                out.append(Step(source, entry.account, entry.amount.currency, *days, diff, entry.date,
                                unsold=cover.unsold(source, *days)))
            continue
        if diff == before[1]:
            continue
        first, final = before[0], entry.date - DAY   # an assertion holds at the start of its day
        days = cover.uncovered(source, first, final) if final >= first else None
        if days:
            out.append(Step(source, entry.account, entry.amount.currency, *days, diff - before[1], entry.date,
                            unsold=cover.unsold(source, *days)))
    return out, diffs


def folded(findings: list[Finding], entries, config, cover: Coverage, opened=None, rejudge=None) -> list[Finding]:
    """The findings with what each step explains taken into one statement-gap of it; where
    the statement after its days opens on another amount than the books hold then
    (`opened`, statements/chained.Openings), the gap says so. `rejudge(holes)`: the
    refund checks' findings judged without the days of `holes` (reconcile.Load.refunds_without),
    which the steps say rows are missing from (_refunds_rejudged)."""
    if not cover.recorded:   # books made before coverage was recorded: no day is known uncovered
        return findings
    quiet = {name: runs for name in config.channels if (runs := cover.quiet_runs(name))}
    failing = any(f.code == "beancount" and f.message.startswith("Balance failed") for f in findings)
    if not failing and not quiet:
        return findings   # no step without a failed assertion, nor days that may be one: the books are not walked
    steps_found, diffs = steps(entries, config, cover) if failing else ([], {})
    by_account: dict[str, list[Step]] = {}
    for step in steps_found:
        by_account.setdefault(step.account, []).append(step)
    # (by the day each is of: a deadline's first side's, not the later month's day it is dated)
    ordered = sorted(findings, key=lambda f: (f.first_day or dt.date.min))
    rest = []
    for f in ordered:   # first the failures each step explains
        step = _failure_of(f, by_account, diffs)
        (step.held if step is not None else rest).append(f)
    # a step none of whose failures is left was a hole's, which took them in already
    # (checking.behind_holes): what follows from it stays with that hole's finding
    real = {a: [s for s in steps if s.held] for a, steps in by_account.items()}
    pointed = _pointed(rest, config, quiet, steps_found)
    if not steps_found and not pointed:
        return findings
    for step in pointed:
        real.setdefault(step.account, []).append(step)
    rest = _refunds_rejudged(rest, [s for steps in real.values() for s in steps], rejudge)
    paid = _paid_ids(entries, real) if any(f.code == "refund-unsynced" for f in rest) else {}
    texts = _credit_texts(entries, rest)
    out = []
    for f in rest:      # then what follows from the rows they lack
        # (a step of its own source first: another's takes only what none of its own explains)
        mine = sorted((s for steps in real.values() for s in steps), key=lambda s: s.source != f.source)
        step = next((s for s in mine if _follows(f, s, config, paid, texts)), None)
        (step.held if step is not None else out).append(f)
    gaps = [_finding(s, opened) for steps in real.values() for s in steps]
    return sorted(out + gaps, key=lambda f: (f.date or dt.date.min, f.code, f.source))


REFUND_CODES = ("refund-rate", "refund-surge")


def _refunds_rejudged(findings: list[Finding], steps: list[Step], rejudge) -> list[Finding]:
    """The refund checks judged again without the days of the steps whose sales and refunds
    no statement shows (their `unsold`): the coverage took them for quiet days, judged as
    any, and a balance step says rows are missing from them. Judged as over a hole the
    coverage knows (refunds.judged): a refund-rate window that reaches over them waits,
    and a refund-surge of one of them; a surge's usual is of the days it has. A finding
    judged again on its day is that one (its amount may differ: the usual of fewer
    days); one that no longer is, waits, and the step names it (blind30: the WeChat bills
    of 03-04 missing, the refund-rate of every window to 03-10..03-16 waited, though one
    alone reaches back to 03-04: the window to 03-10 waits, the rest are judged, one
    finding dated 03-11)."""
    holed = [s for s in steps if s.unsold is not None]
    sources = {s.source for s in holed}
    judged = [f for f in findings if f.code in REFUND_CODES and f.source in sources]
    if rejudge is None or not judged:   # (days taken out judge no window more: nothing new either)
        return findings

    def holes(of: list[Step]) -> dict:
        out: dict[str, list] = {}
        for s in of:
            out.setdefault(s.source, []).append(s.unsold)
        return out

    again = {_judged_on(f): f for f in rejudge(holes(holed)) if f.code in REFUND_CODES and f.source in sources}
    waiting = [f for f in judged if _judged_on(f) not in again]
    for f in waiting:   # the step whose days alone make it wait holds it (of several: the first)
        mine = [s for s in holed if s.source == f.source]
        step = mine[0] if len(mine) == 1 else next(
            (s for s in mine if _judged_on(f) not in {_judged_on(g) for g in rejudge(holes([s]))}), mine[0])
        step.held.append(f)
    before, gone = {_judged_on(f): f for f in judged}, {id(f) for f in judged}
    out = [f for f in findings if id(f) not in gone]
    for key, now in again.items():   # as judged before where it is the same, so decided as found
        was = before.get(key)
        out.append(was if was is not None and _same(was, now) else now)
    return out


def _judged_on(f: Finding) -> tuple:
    """A refund finding's place: a refund-rate episode's first window, a surge's day."""
    return f.code, f.source, f.currency, f.date


def _same(a: Finding, b: Finding) -> bool:
    return (a.amount, a.expected, a.actual, a.refs, a.message) == (b.amount, b.expected, b.actual, b.refs, b.message)


def _pointed(findings: list[Finding], config, quiet: dict[str, list], known: list[Step]) -> list[Step]:
    """The steps no balance shows: a channel's quiet days (`quiet`: channel -> its runs
    of them, Coverage.quiet_runs) that POINTED findings or more point at (the module's
    docstring), each with what points at it; not days a balance step is over already."""
    out = []
    pointing = [f for f in findings if (unpaid_order(f) or f.code in ("bank-unmatched", "payout-mismatch"))
                and not f.acknowledged and f.date is not None]
    if len(pointing) < POINTED:
        return out
    for name, runs in quiet.items():
        channel = config.channels[name]
        shops, transit, window = payment_shops(config, channel), channel.accounts.transit, DAY * channel.bank_days
        unpaid = [f for f in pointing if f.code == "order-unpaid" and f.source in shops]
        credited = [f for f in pointing if f.code != "order-unpaid" and f.source == name and f.account == transit]
        for first, last in runs:
            if any(s.source == name and s.first <= last and first <= s.last for s in known):
                continue
            orders = [f for f in unpaid if first <= f.first_day <= last]   # (the order's day)
            credits = [f for f in credited
                       if (first if f.code == "bank-unmatched" else first - window) <= f.date <= last + window]
            if len(orders) + len(credits) >= POINTED:
                out.append(Step(name, channel.accounts.clearing, channel.currency, first, last, Decimal(0), None,
                                pointed=(len(orders), len(credits))))
    return out


def _failure_of(f: Finding, by_account: dict, diffs: dict) -> Step | None:
    """The step that explains a failed balance assertion: the last one before it, where
    the steps up to it add up to how far it is off."""
    if f.code != "beancount" or not f.message.startswith("Balance failed") or f.account not in by_account:
        return None
    before = [s for s in by_account[f.account] if s.failed <= f.date]
    off = diffs.get((f.account, f.date))
    if before and off is not None and abs(sum(s.amount for s in before) - off) < CENT:
        return before[-1]
    return None


def _paid_ids(entries, real: dict) -> dict[str, set[str]]:
    """Clearing account of a step -> the ids of the order payments it received."""
    out: dict[str, set[str]] = {account: set() for account, steps in real.items() if steps}
    for entry in entries:
        if isinstance(entry, data.Transaction) and "order-id" in entry.meta and "id" in entry.meta:
            for p in entry.postings:
                if p.account in out and p.units.number > 0:
                    out[p.account].add(str(entry.meta["id"]))
    return out


def _credit_texts(entries, findings: list[Finding]) -> dict[str, str]:
    """The bank's text (payee and narration) of the credits the bank-unmatched of
    `findings` name, by id: whose payout memo they fit (_fellows_credit)."""
    wanted = {r for f in findings if f.code == "bank-unmatched" for r in f.refs}
    if not wanted:   # (every load asks: no pass over the books where no credit is unmatched)
        return {}
    return {str(e.meta["id"]): f"{e.payee or ''} {e.narration or ''}" for e in entries
            if isinstance(e, data.Transaction) and str(e.meta.get("id")) in wanted}


def _fellows_credit(f: Finding, channel, config, texts: dict) -> bool:
    """Whether the bank-unmatched `f` is of a credit booked on another channel paying
    into a bank `channel` pays into, whose text fits `channel`'s payout memo too: the
    bank's text alone put it there (checks/pooled.py), and it may be `channel`'s payout."""
    booked = next((ch for ch in config.channels.values() if ch.accounts.transit == f.account), None)
    return booked is not None and booked.name != channel.name \
        and bool(set(booked.payout_banks) & set(channel.payout_banks)) \
        and any(channel.payout_memo.search(texts.get(r, "")) for r in f.refs if r in texts)


def _follows(f: Finding, step: Step, config, paid: dict, texts: dict | None = None) -> bool:
    """Whether `f` follows from the rows `step` says are missing. First in, first out,
    the clearing account's money the books lack (or hold beyond the statements) comes
    out later as payouts that take more than it held (or as money left unsettled at its
    end): those, oldest first, while the step has money left to explain."""
    channel = config.channels.get(step.source)
    if channel is None or f.date is None:
        return False
    # First in, first out: rows missing that brought more in than they took out (the
    # books hold less) make later payouts take more than the books held, and never leave
    # money unsettled that was not; rows that took more out (the books hold more) leave
    # money unsettled, of days up to settlement_days before them or any later, and never
    # make a payout take more than was held.
    # Either way, money due by a missing day may be what that day's payout took: rows of
    # sales and a withdrawal that bring more in than out on the whole still hold the
    # withdrawal (seed 33070 without a day's WeChat fund bill: 06-17's money unsettled).
    less = step.amount < 0
    day = f.first_day   # (the money's day, of money unsettled dated the day it passed its days)
    due_then = day >= step.first - DAY * channel.settlement_days
    if (less and f.code == "payout-mismatch" and " more than the " in f.message and f.date >= step.first
            or f.code == "unsettled" and due_then and (not less or day <= step.last)) \
            and f.source == step.source:
        # (oldest first, while the step has money left to explain: the last one it reaches
        # may hold other money too, as the newest day of its excess does: seed 32614, 362.65
        # of a day's 1,302.87, the rest what the missing day's withdrawal would have taken;
        # but where most of it is other money, it is a finding of its own: seed 32721's
        # planted day of 3,971.02 unsettled, 439.47 of it the step's. A fifth: the two seeds
        # (the rows missing are unknown, so what their withdrawal took is too)
        taken = sum(h.amount for h in step.held if h.code in ("payout-mismatch", "unsettled"))
        left = abs(step.amount) - taken
        return left > CENT and 5 * left >= f.amount
    if f.code == "payout-mismatch" and f.source == step.source and f.account == channel.accounts.transit \
            and step.first - DAY * channel.bank_days <= f.date <= step.last + DAY * channel.bank_days:
        # the bank's credit of the payout the missing rows held, taken for a payout near
        # it, before or after (seeds 31302, 31900 and 32854 without a day's WeChat fund bill)
        return True
    if f.code == "statement-gap" and f.source == step.source and step.first <= f.date <= step.last:
        return True   # the bank credits its missing days hold back (gaps._shown_only)
    if f.code == "bank-unmatched" and f.source == step.source and f.account == channel.accounts.transit:
        return step.first <= f.date <= step.last + DAY * channel.bank_days
    if f.code == "bank-unmatched" and step.amount > 0 and _fellows_credit(f, channel, config, texts or {}):
        # a credit no payout explains, booked on another channel paying into its bank whose
        # text is this one's too, in the days after rows that took money out are missing (a
        # withdrawal): that withdrawal's, where the bank's text alone put it (seed 35005:
        # wxpay_hk's fund bill of 05-20 missing, its credit of 05-21 wechat's bank-unmatched)
        return step.first <= f.date <= step.last + DAY * channel.bank_days
    # What follows from the sales and refunds missing, only from the days of the step whose
    # payments and refunds no statement shows: a day's trade bill in the books shows them
    # all, and its fund bill's rows missing are its payouts (blind9: the 账务明细 of 04-20
    # left out, its 业务明细 imported, swallowed a refund Alipay owed since 03-27)
    if step.unsold is None:
        return False
    first, last = step.unsold
    # (refund-rate and refund-surge: judged again without those days, _refunds_rejudged)
    if unpaid_order(f) and f.source in payment_shops(config, channel):   # nothing paid it: maybe there
        return first - DAY * config.shops[f.source].order_days <= f.first_day <= last
    if f.code == "refund-unsynced" and f.source in payment_shops(config, channel) \
            and f.actual is not None and f.expected is not None and f.actual < f.expected:
        # the shop refunded more than the books show the channels did, and this source
        # was paid for the order: its refund may be in the rows missing, on any day after
        # the refunds the books know of (a shop's export seldom dates its refunds)
        return f.first_day <= last and not paid.get(step.account, set()).isdisjoint(f.refs)
    return False


REFS_NAMED = 20   # the held findings' refs a statement-gap names (all of them in its `holds`)


def _missing(step: Step) -> str:
    """What a step's finding says is missing: no statement of its days, or, where its
    trade bill shows their payments and refunds, the one of their payouts and balances."""
    if step.unsold == (step.first, step.last):
        return f"no statement of {step.source} covers {step.days()}"
    shown = f"no statement of {step.source} that shows its payouts and balances covers {step.days()}"
    if step.unsold is None:
        return f"{shown} (its trade bill does: the payments and refunds of those days are in the books)"
    first, last = step.unsold
    return f"{shown}, and none at all {first}" + ("" if first == last else f" to {last}")


def _held_gap(held: Finding, step: Step) -> str:
    """What a statement-gap the step takes in adds to its message: what it holds back; of
    a hole in the days the step says no statement covers, not its days again (nor that
    they may be quiet: the balance says rows are missing)."""
    said = held.message.partition(SHOWN_ONLY)[0]
    if step.unsold and said.startswith(f"no statement of {step.source} covers ") and held.date >= step.unsold[0]:
        return said.partition("); ")[2] or said
    return said


def _waiting(held) -> str:
    """How many findings wait for a step, and of which codes (in the order of DESIGN §5):
    the refs it names are theirs, but a refund-rate and a refund-surge name the same
    refunds, and which of them waits is said (blind30: the refund-rate a gap held was
    named by none)."""
    counts = Counter(h.code for h in held)
    codes = ", ".join(f"{counts[code]} {code}" for code in sorted(counts, key=_code_order))
    return f"{sum(counts.values())} finding(s) of what the books lack wait for it ({codes})"


def _by_date(held: list[Finding]) -> list[Finding]:
    """What a step holds, oldest first (the refund findings it holds are taken before the
    rest: _refunds_rejudged), whose refs its finding names in that order."""
    return sorted(held, key=lambda h: h.date or dt.date.min)


def _code_order(code: str) -> tuple:
    return (CODES.index(code), "") if code in CODES else (len(CODES), code)


def _finding(step: Step, opened=None) -> Finding:
    if step.failed is None:
        return _pointed_finding(step)
    failures = [h for h in step.held if h.code == "beancount"]
    holding = [h for h in step.held if h.code == "statement-gap"]   # what it holds back, said as it
    others = len(step.held) - len(failures) - len(holding)
    money = f"{shown(abs(step.amount), step.currency)} {step.currency}"
    said = (f"{_missing(step)}, and its balance says {money} "
            f"{'more' if step.amount < 0 else 'less'} than the books hold from {step.failed} on: rows of those "
            "days are missing (a statement not imported?)")
    if failures:
        said += f"; {len(failures)} balance assertion(s) of {step.account} from {step.failed} fail"
    said += "".join(f"; {_held_gap(h, step)}" for h in holding)
    if others:
        said += f"; {_waiting(h for h in step.held if h.code not in ('beancount', 'statement-gap'))}"
    opening = opened.failing(step.account, step.failed, step.amount) if opened is not None else None
    if opening is not None:   # the statement after those days opens off what the books hold then
        said += f"; {opening.said()}"
    first = min(failures, key=lambda f: f.date) if failures else None
    refs = tuple(dict.fromkeys(r for h in _by_date(step.held) if h.code != "beancount" for r in h.refs))
    return Finding("statement-gap", step.first, step.source, step.account, abs(step.amount), step.currency, said,
                   refs[:REFS_NAMED], file=first.file if first else None, line=first.line if first else None,
                   holds=refs if len(refs) > REFS_NAMED else ())


def _pointed_finding(step: Step) -> Finding:
    """The statement-gap of a step no balance shows (_pointed): its days, what points at
    them, what it takes in; at the first of those findings' lines."""
    from beanclear.statements.gaps import hole_head
    orders, credits = step.pointed
    days = (step.last - step.first).days + 1
    shown = [f"{orders} order(s) placed then, of shops {step.source} may pay, have no payment"] if orders else []
    shown += [f"{credits} bank credit(s) booked as its payouts have no payout"] if credits else []
    said = (f"{hole_head(step.source, step.first, step.last)} ({days} day{'s' if days > 1 else ''}: "
            f"{'days' if days > 1 else 'a day'} without lines {'have' if days > 1 else 'has'} none, but "
            f"{', and '.join(shown)}): rows of those days are missing (a statement not imported?); "
            f"{_waiting(step.held)}")
    first = min((h for h in step.held if h.file), key=lambda h: (h.date, h.file, h.line or 0), default=None)
    refs = tuple(dict.fromkeys(r for h in _by_date(step.held) for r in h.refs))
    return Finding("statement-gap", step.first, step.source, "", Decimal(0), "", said, refs[:REFS_NAMED],
                   file=first.file if first else None, line=first.line if first else None,
                   holds=refs if len(refs) > REFS_NAMED else ())
