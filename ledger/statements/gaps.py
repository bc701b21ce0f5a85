"""How far the statements let each deadline be judged, and `statement-gap`: where a
source's statements leave days uncovered or end before the other side's.

A payout is `payout-missing` only when its bank's statements cover `bank_days` after
it; a bank credit is `bank-unmatched` only when its channel's statements cover the days
its payout would have left; money is `unsettled` only to the end of its channel's own
statements. What cannot be judged waits, and the cause is one finding:

    statement-gap  icbc  the statements of icbc end 2026-03-24; those of wechat go to 2026-03-31:
                         5 payout(s) (41,000.00 CNY) wait for the statement of the bank

Books without coverage records (made before beanclear recorded it) are judged to the
last statement date of all sources, as they always were.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from beanclear.checks.findings import Finding
from beanclear.statements.coverage import DAY, ENDING_GROUPS, QUIET_DAYS, SETTING_GROUPS, Coverage


class Horizon:
    """The days one channel's checks may judge: its own statements and its bank's."""

    def __init__(self, cover: Coverage, channel, as_of: dt.date, together: tuple[str, ...] = ()):
        """`together`: the banks of one currency the channel's bank is one of, read as
        one account (`bank: [boc, cmb]`): a payout is judged where any covers its days."""
        self.channel = channel
        self.ended = False
        if not cover.recorded:
            self.own = self.shown = (dt.date.min, as_of)
            self.bank = (dt.date.min, as_of)
            self.bank_holes = self.own_holes = []
            self.last_day_partial = False
            return
        # its account ended (`until:`) and its statements reach that day: no statement after
        # them is owed, and a bank line they do not answer waits for none (Coverage.ended)
        self.ended = cover.ended(channel.name) is not None
        start, end = cover.start(channel.name), cover.end(channel.name)
        # A statement that stops inside the day after its whole days (a Stripe report in
        # UTC: 20:00 in New York) shows that day's money up to there: late money is judged
        # to that day, as to the last line's day of any statement read to its last line
        # (close and the gaps count whole days only: coverage's `ends:`).
        cut = end is not None and cover.cut_after(channel.name, end) is not None
        self.own = (start, end + DAY if cut else end) if start else None
        # days between its statements that none covers (a day `fetch` never answered): what
        # they hold is in no statement, and only the hole can be reported
        self.own_holes = cover.shown_holes(channel.name)
        # the days of the statements that could show a payout leave (a fund bill, not the
        # trade bill beside it): a bank credit before them is none of theirs to answer
        shown = cover.days.get(channel.name)
        shown_end = shown and cover.shown_end(channel.name)
        if shown_end and cover.cut_after(channel.name, shown_end) is not None:
            shown_end += DAY
        self.shown = (shown[0][0], shown_end) if shown else self.own
        # its latest statement ends at its last line (or inside its last day): the rest
        # of that day is not in it
        self.last_day_partial = channel.name in cover.read_to_last_line or cut
        bank = channel.bank
        if len(together) > 1:
            self.bank, self.bank_holes = cover.joined(together)
            return
        start, end = (cover.start(bank), cover.end(bank)) if bank else (None, None)
        self.bank = (start, end) if start else None
        self.bank_holes = cover.holes(bank) if bank else []

    def through_bank(self) -> "Horizon":
        """This horizon with the channel's own statements cut at the end of its bank's:
        for money that leaves the channel only when the bank shows it arrive."""
        clipped = copy.copy(self)
        if self.own is not None:
            end = min(self.own[1], self.bank[1]) if self.bank else None
            # the credits of a hole are in no statement: after it, what the books hold
            # against the bank is off by them, and only the hole can be reported
            end = min([end, *(first - DAY for first, _ in self.bank_holes)]) if end else None
            clipped.own = (self.own[0], end) if end and end >= self.own[0] else None
        return clipped

    @property
    def own_end(self) -> dt.date | None:
        return self.own[1] if self.own else None

    def settled_to(self) -> dt.date | None:
        """The last day the channel's money can be judged settled: the end of its own
        statements, or the day before a hole in them (a payout the hole held would have
        taken the money before it, and after it the clearing account is off by what it
        held: only the hole can be reported)."""
        if self.own is None:
            return None
        # (and not past the statements that could show a payout leave: after a fund
        # bill's end, the trade bill beside it shows money come in and none go out)
        end = min([self.own[1], self.shown[1], *(first - DAY for first, _ in self.own_holes)])
        return end if end >= self.own[0] else None

    def in_own_hole(self, first: dt.date, last: dt.date) -> bool:
        """Whether a hole in the channel's statements falls in the days `first` to `last`."""
        return any(start <= last and first <= end for start, end in self.own_holes)

    def payout(self, date: dt.date, window: int) -> str:
        """`judge` a payout of `date`, let it `wait` for the bank's statement, or say
        nothing (`before`: it left before the bank's statements begin)."""
        if self.bank is None:
            return "wait" if self.channel.bank else "before"   # no bank configured: not ours to judge
        start, end = self.bank
        if date < start:  # its credit may have come before the bank's first statement
            return "before"
        if any(first <= date + DAY * window and date <= last for first, last in self.bank_holes):
            return "hole"
        return "judge" if (end - date).days > window else "wait"

    def credit(self, date: dt.date, window: int) -> str:
        """`judge` a bank credit booked as this channel's payout, or let it wait."""
        if self.shown is None:
            return "wait"
        start, end = self.shown
        if (date > end or date == end and self.last_day_partial) and not self.ended:   # (its payout may be later that day)
            return "wait"
        if self.in_own_hole(date - DAY * window, date):   # its payout may be among the hole's rows
            return "hole"
        if date - DAY * window >= start:
            return "judge"
        # before them, where another statement of the channel (its trade bill) covers the
        # days: the statement that would show its payouts is missing
        return "unshown" if date < start and self.own and date - DAY * window >= self.own[0] else "before"

    def around_bank(self, date: dt.date, window: int) -> str:
        """payout(), for money the bank's statements answer `window` days before `date`
        or after it (a top-up of the channel from the bank: its debit may come first)."""
        judged = self.payout(date, window)
        if judged != "judge":
            return judged
        if date - DAY * window < self.bank[0]:
            return "before"
        if any(first <= date and date - DAY * window <= last for first, last in self.bank_holes):
            return "hole"
        return "judge"

    def around_own(self, date: dt.date, window: int) -> str:
        """credit(), for a bank line the channel's statements answer `window` days before
        `date` or after it (a bank debit to the channel: its top-up may come later)."""
        judged = self.credit(date, window)
        if judged != "judge":
            return judged
        return "judge" if (self.shown[1] - date).days > window or self.ended else "wait"

    def bank_ends_early(self) -> bool:
        """Whether the bank's statements end more than a quiet weekend before the channel's
        (a statement read from its lines ends at its last line, not its last day)."""
        if self.own is None:
            return False
        return self.bank is None or (self.own[1] - self.bank[1]).days > QUIET_DAYS

    def own_ends_early(self) -> bool:
        if self.bank is None or self.ended:   # (an account that ended owes no statement after it)
            return False
        return self.shown is None or (self.bank[1] - self.shown[1]).days > QUIET_DAYS

    def opening_unknown(self, date: dt.date, has_opening: bool, late_days: int) -> bool:
        """Whether a payout this early may take money booked before the channel's first
        statement, which no opening tells (a statement without a balance column): within
        the days a settlement takes of its start, or on any day of a wallet's bills, whose
        owner withdraws when they like (Channel.withdrawn_at_will)."""
        if has_opening or self.own is None:
            return False
        if self.channel.withdrawn_at_will:   # a wallet: on any day of its bills
            return True
        return (date - self.own[0]).days <= self.channel.settlement_days + late_days


def latest_bank(cover: Coverage, names: tuple[str, ...]) -> str:
    """Of the banks one account moved between, the one whose statements end latest (the
    first, where none has a statement yet): the bank a payout waits for."""
    return max(names, key=lambda name: (cover.end(name) or dt.date.min, -names.index(name)))


def findings(cover: Coverage, config, waiting: dict[str, list], unheard: dict[str, list],
             holed: dict[str, list] | None = None, before: dict[str, list] | None = None) -> list[Finding]:
    """statement-gap findings: holes in every source's statements; per bank, the payouts,
    top-ups and transfers from the other banks (checks/transfers.py) that wait for its
    statements (`waiting`: bank -> their items); per channel, the bank credits and
    debits that wait for its statements (`unheard`: channel -> their items), and the
    bank credits whose payouts left before them
    (`before`); items as (the source on the other side, items.Item) pairs;
    `holed`: source -> the items a hole in its statements holds back, bare."""
    if not cover.recorded:
        return []
    from beanclear.checks.items import refs
    out = []
    for name in sorted(config.sources):
        held = (holed or {}).get(name, [])
        out += _shown_only(cover, name, held)
        for first, last in cover.holes(name):
            days = (last - first).days + 1
            # (days an API was asked for, each: `fetch` asks for them again)
            again = f"; {command} asks for them again" if (command := fetch_command(cover, [name], first, last)) else ""
            # the payouts and bank lines whose answer may be in those days (README: the
            # cause with what it holds back as refs), each named by the nearest hole
            mine = [i for i in held if _nearest(cover.holes(name), i.date) == (first, last)]
            kind = "payout(s)" if all(i.amount > 0 for i in mine) else \
                "bank credit(s)" if all(i.amount < 0 for i in mine) else "payout(s) and bank line(s)"
            what = f": {len(mine)} {kind} ({_summed(mine)}) wait for them" if mine else ""
            # days without lines look the same: the setting that says they were (README quiet_days),
            # or, between two statements that each state their days, how far it reaches there
            quiet = "" if again else f"; {hint}" if (hint := quiet_hint(config, name, days)) \
                and cover.maybe_quiet(name, first, last) else f"; {capped}" \
                if (capped := quiet_cap(config, cover, name, first, last)) else ""
            out.append(Finding("statement-gap", first, name, "", Decimal(0), "",
                               f"{hole_head(name, first, last)} ({days} day{'s' if days > 1 else ''}{quiet}); "
                               f"the deadlines that depend on those days wait{what}{again}",
                               refs(i.entry for i in mine)))
    for name in sorted(config.banks):
        # (of the banks one account moved between, only the one its statements reach
        # latest waits: a closed bank's statements end at its closing)
        payers = sorted(ch.name for ch in config.channels.values() if name in ch.payout_banks and cover.end(ch.name)
                        and latest_bank(cover, ch.fellow_banks(name, config.banks)) == name)
        latest = max((cover.end(p) for p in payers), default=None)
        end = cover.end(name)
        # transfers from the other banks (checks/transfers.py) wait for it whether or not a channel pays into it
        moved = [pair for pair in waiting.get(name, ()) if _transfer(pair[1], config)]
        if latest and (end is None or (latest - end).days > QUIET_DAYS):
            if not waiting.get(name) and name in cover.read_to_last_line and all(cover.shows_payouts(p) for p in payers):
                continue   # no payout waits for it, and a statement read from its lines may end in quiet days
            paid = [pair for pair in waiting.get(name, ()) if not _transfer(pair[1], config)]
            pairs = (paid or [(p, None) for p in payers]) + moved
            what = "payout(s)" if all(i is None or i.amount > 0 for _, i in pairs if not _transfer(i, config)) \
                else "payout(s) and top-up(s)"
            what = f"{what} and transfer(s)" if moved and paid else "transfer(s)" if moved else what
            out.append(_waiting(cover, name, pairs, what, "the statement of the bank"))
        elif moved:
            out.append(_waiting(cover, name, moved, "transfer(s)", "the statement of the bank"))
    before = dict(before or {})
    for name, pairs in sorted(unheard.items()):
        shown = cover.days.get(name)
        early, late = [], []
        for pair in pairs:   # before the first statement that shows payouts, or after
            (early if shown and pair[1].date < shown[0][0] else late).append(pair)
        if early and name in before:   # one cause: the statement that shows its first payouts is not in
            early = sorted(before.pop(name) + early, key=lambda pair: pair[1].order)
        shown_end = cover.shown_end(name)
        for items in filter(None, (early, late)):
            what = "bank credit(s)" if all(i.amount < 0 for _, i in items) else "bank line(s)"
            if items is early:
                out.append(_unshown(cover, name, items, what))
            elif shown_end and shown_end < cover.end(name):   # its trade bill goes on without the payouts
                out.append(_waiting(cover, name, items, what, f"the statement of {name} that shows its payouts",
                                    f"the statements of {name} that show its payouts end {shown_end} (its trade "
                                    f"bill goes to {cover.end(name)})", fetch_from=shown_end + DAY))
            else:
                out.append(_waiting(cover, name, items, what, f"the statement of {name}",
                                    fetch_from=cover.end(name) and cover.end(name) + DAY))
    for name, pairs in sorted(before.items()):
        items = [item for _, item in pairs]
        start = cover.start(name)
        out.append(Finding("statement-gap", start, name, "", Decimal(0), "",
                           begun_after(name, start, items, config.channels[name].accounts.transit),
                           refs(i.entry for i in items)))
    return out


def after_end(entries, cover: Coverage, config) -> list[Finding]:
    """A statement-gap per source whose statements hold rows after the day its config
    says its account ended (`until:`): the rows are booked and judged as any (money is
    never skipped), and the finding says the account moved money after it was said to
    end, with their ids (the first 20). A row is a transaction with a statement's `id:`
    in the source's own month files (books/<source>/YYYY/YYYY-MM.beancount): a bank's
    credit of its last payout, a day later, is the bank's row, not its."""
    if not cover.until:
        return []
    from pathlib import Path
    from beancount.core import data
    from beanclear.checks.items import refs
    first = min(cover.until.values())
    rows: dict[str, list] = defaultdict(list)
    for entry in entries:
        if entry.date <= first or not isinstance(entry, data.Transaction) or "id" not in entry.meta:
            continue
        name = Path(str(entry.meta.get("filename") or "")).parent.parent.name
        until = cover.until.get(name)
        if until is not None and entry.date > until:
            rows[name].append(entry)
    out = []
    for name, after in sorted(rows.items()):
        after.sort(key=lambda e: e.date)
        where = setting(config, name, ENDING_GROUPS)
        out.append(Finding("statement-gap", after[0].date, name, "", Decimal(0), "",
                           f"the statements of {name} go on after {cover.until[name]}, the day `{where}.until` says "
                           f"it ended: {len(after)} row(s) from {after[0].date} to {after[-1].date} moved money "
                           f"after it; they are booked and judged as any (their statements are owed no further); "
                           f"if it did not end then, set `{where}.until` to the day it did, or take it out",
                           refs(after[:20])))
    return out


def _transfer(item, config) -> bool:
    """Whether an item waiting for a bank is a side of a transfer from another bank."""
    return item is not None and any(p.account == config.transfers for p in item.entry.postings)


def begun_after(name: str, start: dt.date, items: list, transit: str) -> str:
    """What a channel's statement-gap says of the bank credits booked as its payouts whose
    payouts left before its statements begin (`check`, and `close`, which waits for them):
    the transit account is short of them until the statement of those days is imported,
    or the person books the payout that was in flight when their books began."""
    return (f"{shop_starts([name], start)} (a payout in flight when your books began: book it yourself, from its "
            f"account into {transit} on its day); {len(items)} bank credit(s) ({_summed(items)}) booked to {transit} "
            f"are of payouts before them: they wait for the statement of {name} before {start}")


def setting(config, name: str, groups=SETTING_GROUPS) -> str:
    """Where the config sets source `name` (`channels.wxstore`), of `groups`; "" for none."""
    group = next((group for group in groups if name in (getattr(config, group, None) or {})), None)
    return f"{group}.{name}" if group else ""


def quiet_hint(config, name: str, days: int) -> str:
    """The setting that would take `days` days without lines of source `name` as quiet
    (`if shop had no lines then, `shops.shop.quiet_days: 6` says so`); "" for a source
    the config has no section for."""
    where = setting(config, name)
    return f"if {name} had no lines then, `{where}.quiet_days: {days}` says so" if where else ""


def quiet_cap(config, cover: Coverage, name: str, first: dt.date, last: dt.date) -> str:
    """What a hole between two statements that each state a period of more than a day
    says where the source's `quiet_days:` would take its days as quiet but holds only up
    to QUIET_DAYS there (coverage._merged): each statement says its days, quiet ones
    too, so the days in neither are in a statement not imported. "" where it does not."""
    days, quiet = (last - first).days + 1, cover.quiet.get(name)
    if quiet is None or quiet <= QUIET_DAYS or days > quiet or not cover.ranged(name, first, last):
        return ""
    return (f"`{setting(config, name)}.quiet_days: {quiet}` holds up to {QUIET_DAYS} days between two statements "
            f"that each state a period of more than a day: each says its days, quiet ones too, and these are in "
            f"a statement not imported")


def until_hint(config, name: str, end: dt.date) -> str:
    """The setting that says source `name` ended the day its statements end, for good
    (`if wxstore ended 2026-04-15, `channels.wxstore.until: 2026-04-15` says so`): its
    statements are then owed to that day only, however many months pass. "" for a bank
    (one an account moved from is `bank: [OLD, NEW]`'s)."""
    where = setting(config, name, ENDING_GROUPS)
    return f"if {name} ended {end}, `{where}.until: {end}` says so" if where else ""


def hole_head(name: str, first: dt.date, last: dt.date) -> str:
    """How a hole's statement-gap begins (`no statement of paypal covers 2026-02-11 to
    2026-03-19`): a shop's gap for the order deadlines the hole holds begins so too, and
    goes into it (one_end)."""
    return f"no statement of {name} covers {first} to {last}"


def fetch_command(cover: Coverage, names: list[str], first: dt.date, last: dt.date | None = None) -> str:
    """The `beanclear fetch` that brings the days from `first` (to `last`, else to
    yesterday) of the sources among `names` whose statements it brought (an API asked
    for each day: Coverage.asked), or "" for sources imported by hand. A gap's message
    names it, a hole's as an early end's (blind4: the end named none)."""
    fetched = [name for name in names if cover.asked.get(name)]
    if not fetched:
        return ""
    return f"`beanclear fetch {' '.join(fetched)} --since {first}" + (f" --until {last}`" if last else "`")


FETCH_TAIL = re.compile(r"; `beanclear fetch [^`]*` asks for them(?: again)?")


def _shown_only(cover: Coverage, name: str, held: list) -> list[Finding]:
    """A statement-gap per hole only in the statements that show a channel's payouts (its
    fund bill missing, its trade bill there) holding back bank credits booked as its
    payouts: no hole of all its statements names them (blind24 outoforder: three ICBC
    credits, 13,443.79 CNY on the transit account, were in no finding). Where the
    channel's balance steps over those days, the step's finding takes it in
    (checks/missing_rows.py), saying what it holds back."""
    from beanclear.checks.items import refs
    holes = cover.holes(name)
    only = [hole for hole in cover.shown_holes(name) if hole not in holes]
    out = []
    for first, last in only:
        mine = [i for i in held if (not holes or _nearest(holes + only, i.date) not in holes)
                and _nearest(only, i.date) == (first, last)]
        if mine:
            out.append(Finding("statement-gap", first, name, "", Decimal(0), "",
                               f"{waiting_credits(mine)}{SHOWN_ONLY}{name} that shows its payouts of {first} to {last} "
                               "is missing (another of its statements covers those days)",
                               refs(i.entry for i in mine)))
    return out


# after what a statement-gap of days only the statements showing payouts lack holds back
SHOWN_ONLY = ": the statement of "


def waiting_credits(items: list) -> str:
    return f"{len(items)} bank credit(s) booked as its payouts ({_summed(items)}) wait for it"


def _nearest(holes: list, day: dt.date) -> tuple | None:
    """The hole nearest a day (0 inside it)."""
    return min(holes, key=lambda h: (max((h[0] - day).days, (day - h[1]).days, 0), h[0]), default=None)


def _unshown(cover: Coverage, name: str, pairs: list, what: str) -> Finding:
    """One finding for the bank lines of a channel from the days its trade bill covers
    but none of the statements that show its payouts does (a fund bill not imported)."""
    from beanclear.checks.items import refs
    first, shown = cover.start(name), cover.days[name][0][0]
    items = [item for _, item in pairs]
    said = (f"no statement of {name} that shows its payouts covers {first} to {shown - DAY} (its trade bill "
            f"does): {len(items)} {what} ({_summed(items)}) booked to {name} wait for it")
    return Finding("statement-gap", first, name, "", Decimal(0), "", said, refs(i.entry for i in items))


def _summed(items: list) -> str:
    """What items add up to, per currency, as a message says it (`1,234.50 CNY, 10.00 USD`)."""
    from beanclear.checks.items import _money
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        totals[item.currency] += abs(item.amount)
    return ", ".join(f"{_money(v)} {c}" for c, v in sorted(totals.items()))


def _waiting(cover: Coverage, name: str, pairs: list, what: str, awaited: str, ended: str | None = None,
             fetch_from: dt.date | None = None) -> Finding:
    """One finding for everything that waits on one source's statements: (the source
    on the other side, item) pairs. Its amount is 0: the gap is days, not money.
    `ended`: how the source's statements end, where not at their last day; `fetch_from`:
    the first day missing, where `beanclear fetch` may bring it (fetch_command)."""
    from beanclear.checks.items import refs
    end = cover.end(name)
    others = sorted({source for source, _ in pairs})
    latest = max(cover.end(o) or dt.date.min for o in others)
    items = [item for _, item in pairs if item is not None]
    money = _summed(items)
    said = (ended or f"the statements of {name} end {end}" if end else f"no statement of {name} is in the books") \
        + f"; those of {', '.join(others)} go to {latest}"
    said += f": {len(items)} {what} ({money}) wait for {awaited}" if items else f": their deadlines wait for {awaited}"
    if fetch_from and (command := fetch_command(cover, [name], fetch_from)):
        said += f"; {command} asks for them"
    day = end or min((i.date for i in items), default=latest)
    return Finding("statement-gap", day, name, "", Decimal(0), "", said, refs(i.entry for i in items))


SHOP_WAITS = "the statements of the channels that pay it end "
_SHOP_STARTS = re.compile(r"the statements of [^;]+ start \d{4}-\d{2}-\d{2}")


def shop_starts(names: list[str], day: dt.date) -> str:
    """The head of a shop's wait for the channels whose statements start after its
    orders do (`the statements of wxpay start 2026-02-21`)."""
    return f"the statements of {', '.join(names)} start {day}"


def one_end(found: list[Finding], config) -> list[Finding]:
    """One cause, one finding: a channel's statements that end early are one gap for the
    bank lines that wait for them (`the statements of paypal end 03-13; …`) and one for
    each shop whose order deadlines wait for them (`the statements of the channels that
    pay it end 03-13; …`). The shops' go into the channel's, which says them too; so
    for statements that start late (_into_starts) and holes (_into_holes)."""
    from beanclear.importers.order_refs import payment_shops
    found = _into_holes(found, config)
    found = _one_absence(found, config)
    found = _into_absent(found, config)
    found = _into_starts(found, config)
    ends = {(f.source, f.date): f for f in found
            if f.code == "statement-gap" and f.source in config.channels
            and f.message.startswith(f"the statements of {f.source} end {f.date}")}
    if not ends:
        return found
    into: dict[int, list[Finding]] = defaultdict(list)
    for f in found:
        if f.code != "statement-gap" or f.source not in config.shops or not f.message.startswith(SHOP_WAITS):
            continue
        channel = next((ends[(name, f.date)] for name, ch in sorted(config.channels.items())
                        if (name, f.date) in ends and f.source in payment_shops(config, ch)), None)
        if channel is not None:
            into[id(channel)].append(f)
    return _folded(found, into)


def _folded(found: list[Finding], into: dict[int, list[Finding]]) -> list[Finding]:
    """`found` with the findings `into` lists under one (by its id) said in that one,
    after its own message (what follows each one's cause), their refs after its own.
    Each source's cause (its first clause) is said once: a second finding of a source and
    cause already said (the same shop's gap on the books at a month's end and at a later
    one, grown or not, as the month report reads them: reports/period.py) gives its refs,
    not its clause again (blind18: "…26 order deadline(s) wait…; and the shopify orders go
    to …: 26 order deadline(s) wait…"). What a hole of a shop's own exports holds is of its
    source and another clause: said."""
    gone = {id(g) for group in into.values() for g in group} - set(into)
    out = []
    for f in found:
        if id(f) in gone:
            continue
        if id(f) in into:
            said_of = {_cause(f)}
            others = [g for g in into[id(f)] if _cause(g) not in said_of and not said_of.add(_cause(g))]
            # (the `beanclear fetch` each names, once, at the end: one command for one cause)
            parts = [f.message, *(g.message.split("; ", 1)[-1] for g in others)]
            commands = dict.fromkeys(m.group(0) for part in parts for m in FETCH_TAIL.finditer(part))
            said = "; and ".join(FETCH_TAIL.sub("", part) for part in parts) + "".join(commands)
            refs = tuple(dict.fromkeys([*f.refs, *(r for g in into[id(f)] for r in g.refs)]))
            holds = tuple(dict.fromkeys(r for g in (f, *into[id(f)]) for r in g.holds))   # (missing_rows' 20 named)
            f = replace(f, message=said, refs=refs, holds=holds)
        out.append(f)
    return out


def _cause(f: Finding) -> tuple[str, str]:
    """A gap's source and the cause its first clause says (_folded)."""
    return f.source, f.message.split("; ", 1)[0]


def _into_holes(found: list[Finding], config) -> list[Finding]:
    """One cause, one finding: the order deadlines a hole in a channel's statements holds
    (a shop's `no statement of paypal covers …; 1 billing order deadline(s) wait for
    them`, checks/orders.py), and the payments a hole in a shop's exports holds (`no
    statement of teashop covers …; 2 payment(s) (32.50 CNY) name orders …`,
    orders.held_in_holes), are said in the hole's own statement-gap, their refs among
    its refs."""
    holes = {f.message.split(" (", 1)[0]: f for f in found if f.code == "statement-gap"
             and f.source in config.sources and f.message.startswith(f"no statement of {f.source} covers ")}
    return _shops_into(found, holes, config)


def _into_starts(found: list[Finding], config) -> list[Finding]:
    """One cause, one finding: a channel whose statements start after the payouts of bank
    credits booked to it (begun_after) holds back, by the same start, the order
    deadlines of the shops it pays (`the statements of wechat start 2026-02-20; the web
    orders …`, checks/orders.py): said in the channel's finding, their refs among its."""
    starts = {shop_starts([f.source], f.date): f for f in found if f.code == "statement-gap"
              and f.source in config.channels and f.message.startswith(shop_starts([f.source], f.date) + " (")}
    return _shops_into(found, starts, config) if starts else found


def _shops_into(found: list[Finding], heads: dict[str, Finding], config) -> list[Finding]:
    """The shops' statement-gaps whose first clause is one of `heads` (a channel's hole
    or late start, as checks/orders.py words what holds the shop's deadlines), said in
    that channel's finding."""
    into: dict[int, list[Finding]] = defaultdict(list)
    for f in found:
        if f.code == "statement-gap" and f.source in config.shops and "; " in f.message:
            head = heads.get(f.message.split("; ", 1)[0])
            if head is not None:
                into[id(head)].append(f)
    return _folded(found, into) if into else found


def _into_absent(found: list[Finding], config) -> list[Finding]:
    """One cause, one finding: a channel no statement of which is in the books holds its
    bank credits (`no statement of paypal is in the books; …: 24 bank credit(s) wait`,
    _waiting) and the order deadlines of the shops it may pay (`no statement of paypal,
    which may pay this shop, is in the books; …`, checks/orders.py): the shops' said in
    the channel's (bench_one_cause seed 33488 without the first PayPal account's only file)."""
    heads = {f"no statement of {f.source}, which may pay this shop, is in the books": f for f in found
             if f.code == "statement-gap" and f.source in config.channels
             and f.message.startswith(f"no statement of {f.source} is in the books")}
    return _shops_into(found, heads, config) if heads else found


def _one_absence(found: list[Finding], config) -> list[Finding]:
    """Shops whose order deadlines all wait for one channel no statement of which is in
    the books (`no statement of wechat, which may pay this shop, is in the books; …`), or
    for the same channels' statements that end early, or start late: one finding, the first shop's,
    saying the others' too (seeds 31001, 31407: one a shop)."""
    from beanclear.checks.orders import payers
    heads: dict[tuple, list[Finding]] = defaultdict(list)
    for f in found:   # by the cause the head names, whatever day each shop's first order is (31802)
        if f.code != "statement-gap" or f.source not in config.shops or "; " not in f.message:
            continue
        head = f.message.split("; ", 1)[0]
        if _SHOP_STARTS.fullmatch(head) or head.startswith("no statement of "):
            heads[(head, ())].append(f)
        elif head.startswith(SHOP_WAITS):
            # (shops waiting for "the channels that pay it": the same ones, one cause)
            heads[(head, tuple(payers(config.shops[f.source], config)))].append(f)
    return _folded(found, {id(group[0]): group[1:] for group in heads.values() if len(group) > 1})
