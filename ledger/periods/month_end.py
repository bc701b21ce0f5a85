"""Whether the statements reach a month's end: what `close` waits for besides errors.

A month is closed once nothing in it is unresolved (DESIGN.md §4), and the days after a
source's last statement are not resolved yet. `close 2026-03` is refused while a
source's statements, begun by the month's end, end before it

    error statement-gap 2026-03-29 wechat: the statements of wechat end 2026-03-29, before the month's end (2026-03-31)

and while a bank credit of the month waits for its channel's statements, whatever the
day they end (the last one read to its last line, the rest of it not in it):

    error statement-gap 2026-03-29 wechat: the statements of wechat end 2026-03-29, before the month's end
        (2026-03-31): 1 bank credit(s) (174.48 CNY) wait for them [20260331-638a845858a5-1]

`check` says nothing of such a credit while the channel's statements end within a quiet
weekend of the bank's: a bank's day imported before its channel's bill of that day is the
daily routine (README, statement-gap). Closing the month would assert it as a month-end
balance of the transit account, "in transit, unexplained" (blind5 #1). So too a credit
whose payout left before the channel's statements begin (a payout in flight when the
books began, blind6), which `check` says as a warning: closed, the transit account would
be asserted short of it for good.

    error statement-gap 2025-12-15 wechat: the statements of wechat start 2025-12-15 (a payout in flight …);
        1 bank credit(s) (324.04 CNY) booked to Assets:Transit:WeChat are of payouts before them: … [20251215-…]

A statement read from its lines ends at its last line, and its source's last days may
have had none: it reaches the month's end from as few days before it as the coverage
counts quiet between two statements (QUIET_DAYS, a channel's `quiet_days`), unless a
credit waits; not from the day it stops inside, timed in a zone of its own (a Stripe
report in UTC stops at 20:00 on 30 April in New York: the rest of that day is in May's):

    error statement-gap 2026-04-29 stripe: the statements of stripe end 2026-04-29, before the month's end
        (2026-04-30): the last (…-2026-04.csv) holds 2026-04-30 only up to 20:00:00; the rest of that day is in
        the statement after it

nor from quiet days after its last row where they are that zone's days (Coverage.zone_cut:
its last row on 27 April, the report holds 30 April only up to 20:00 all the same):

    error statement-gap 2026-04-26 stripe: … (2026-04-30): the last (…-2026-04.csv) runs by the days of UTC:
        with quiet days after its last row, it holds 2026-04-30 only up to 20:00:00; the rest of that day is in
        the statement after it

The bank an account moved from (`bank: [boc, cmb]`) ends at its closing, where no other
channel pays into it alone. A channel or shop whose config says its account ended
(`until: 2026-04-15`, a store closed) owes its statements up to that day, no further:

    error statement-gap 2026-04-10 wxstore: the statements of wxstore end 2026-04-10, before 2026-04-15,
        the day `channels.wxstore.until` says it ended: import its statement that reaches 2026-04-15; …

and without the key, the refusal names it beside `quiet_days` (blind round 16: a store
closed on the 15th wanted `quiet_days:` 15 for April, 46 for May, 76 for June, …).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beanclear.checks import transit
from beanclear.checks.findings import Finding
from beanclear.checks.items import Item, refs, written_off
from beanclear.statements import gaps
from beanclear.statements.coverage import DAY, Coverage


def short_of(entries, config, load, last: dt.date) -> list[Finding]:
    """A statement-gap per source whose statements do not reach `last` (see the module's
    docstring), dated the last day they cover; `load`: the reconcile.Load of the books."""
    cover = load.cover(entries)
    if not cover.recorded:   # books made before coverage was recorded: nothing to tell
        return []
    waiting, early = credits_waiting(entries, config, load, last)
    out = [Finding("statement-gap", cover.start(name), name, "", Decimal(0), "",
                   gaps.begun_after(name, cover.start(name), items, config.channels[name].accounts.transit),
                   refs(i.entry for i in items)) for name, items in sorted(early.items())]
    for name in sorted(config.sources):
        start, end = cover.start(name), _end(cover, config, name)
        # (a source whose account ended, `until:`, owes its statements up to that day, no further)
        until = cover.until.get(name)
        owed = min(last, until) if until else last
        if start is None or start > owed:   # not begun yet, or begun after its end: nothing of the month is owed
            continue
        held = waiting.get(name, [])
        short = end < owed and not cover.quiet_to(name, end, owed) and not _moved_from(cover, config, name)
        if not (short or held):
            continue
        said = f"the statements of {name} end {end}"
        if end != cover.end(name):   # a trade bill goes on without the payouts
            said = (f"the statements of {name} that show its payouts end {end} "
                    f"(its trade bill goes to {cover.end(name)})")
        if end < owed:
            said += f", before the month's end ({last})" if owed == last else \
                f", before {owed}, the day `{gaps.setting(config, name)}.until` says it ended"
        cut = cover.cut_after(name, end) if end < owed else None
        zoned = cover.zone_cut(name, end, owed) if short else None
        if cut and (end + DAY == owed or not zoned):
            # its last goes on into the next day and stops inside it: the rest is in the one after it
            said += (f": the last ({cut[1]}) holds {end + DAY} only up to {cut[0][11:]}; the rest of that day "
                     "is in the statement after it")
        elif zoned:   # its quiet days after its last row are its zone's, whose `owed` ends before the books'
            stops, zone, statement = zoned
            said += (f": the last ({statement}) runs by the days of {zone}: with quiet days after its last row, it "
                     f"holds {owed} only up to {stops:%H:%M:%S}; the rest of that day is in the statement after it")
            cut = zoned
        if held:
            said += f"{'; ' if cut else ': '}{len(held)} bank credit(s) ({gaps._summed(held)}) wait for them"
        elif end < owed and not cut:
            # read to its last line, it cannot say whether the days after were quiet: what would
            # (its next statement, or the setting; blind round 15: a shop quiet in the last week);
            # and where its account ended then, the setting that says so (blind round 16: a store
            # closed on the 15th, its close refused month after month for a larger quiet_days)
            hints = [gaps.quiet_hint(config, name, (owed - end).days) if name in cover.read_to_last_line else "",
                     gaps.until_hint(config, name, end) if until is None else ""]
            # (a statement that states its period ends where it says: only the next one reaches it;
            # blind23 newcomer: a CAMT.053's refusal said no next step)
            said += f": import its statement that reaches {owed}" + "".join(f"; {h}" for h in hints if h)
        out.append(Finding("statement-gap", end, name, "", Decimal(0), "", said,
                           refs(i.entry for i in held)))
    return out


def credits_waiting(entries, config, load, last: dt.date) -> tuple[dict[str, list[Item]], dict]:
    """Per channel, the bank credits booked as its payouts, up to `last`, that no payout
    answers and that wait for its statements (Horizon.credit: after the last day they
    show payouts of); and those whose payouts left before its statements begin
    (Horizon.credit: before them), as the clearing check pairs them."""
    cover, as_of = load.cover(entries), load.as_of(entries)
    horizons = {name: gaps.Horizon(cover, ch, as_of) for name, ch in config.channels.items()}
    index = load.index(entries)
    if not any(h.shown is None or h.shown[1] < last or h.shown[1] == last and h.last_day_partial
               or _credits_before(horizons[name], index.get(config.channels[name].accounts.transit, []), last)
               for name, h in horizons.items()):
        return {}, {}   # every channel's statements show the whole month, and every credit of it: nothing waits
    out: dict[str, list[Item]] = {}
    early: dict[str, list[Item]] = {}
    answers = transit.transit_answers(entries, config, as_of, index, cover)
    for name, answered in answers.items():
        if answered is None:   # statements without payouts: its bank credits settle its clearing account
            continue
        grouped, by_payout, _, holed, _ = answered
        channel = config.channels[name]
        taken = {id(credit) for credits in by_payout.values() for credit in credits}
        unanswered = [item for items in grouped.values() for item in items
                      if item.amount < 0 and item.date <= last and id(item) not in taken and id(item) not in holed
                      and not transit._funding(item, channel) and not written_off(item)]
        judged = [(item, horizons[name].credit(item.date, channel.bank_days)) for item in unanswered]
        out[name] = [item for item, said in judged if said == "wait"]
        early[name] = sorted((item for item, said in judged if said == "before"), key=lambda i: i.order)
    return {name: items for name, items in out.items() if items}, {name: items for name, items in early.items() if items}


def _credits_before(horizon: gaps.Horizon, transit: list, last: dt.date) -> bool:
    """Whether a bank credit of the transit account (its Items, in date order), up to
    `last`, is of days whose payouts may have left before the channel's statements
    begin (Horizon.credit's `before`)."""
    if horizon.shown is None:
        return False
    for item in transit:
        if item.date > last or horizon.credit(item.date, horizon.channel.bank_days) != "before":
            return False
        if item.amount < 0:
            return True
    return False


def _end(cover: Coverage, config, name: str) -> dt.date | None:
    """The last day a source's statements cover; a channel's, of those that show its
    payouts (a trade bill beside them shows money come in, none go out)."""
    if name in config.channels and cover.shows_payouts(name) and cover.shown_end(name):
        return cover.shown_end(name)
    return cover.end(name)


def _moved_from(cover: Coverage, config, name: str) -> bool:
    """Whether `name` is a bank an account moved from (`bank: [boc, cmb]`): another bank
    of the account has statements that go on after its own, which end at its closing.
    Not a bank another channel pays into alone: that one is open, its statements owed
    (blind round 16: ICBC, still the store's bank, not waited for, April closed, and the
    days after its last April line a statement-gap in the closed month once May came)."""
    fellows = [ch.fellow_banks(name, config.banks) for ch in config.channels.values() if name in ch.payout_banks]
    return any(len(banks) > 1 and gaps.latest_bank(cover, banks) != name for banks in fellows) \
        and not any(banks == (name,) for banks in fellows)
