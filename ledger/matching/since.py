"""`beanclear match --since YYYY-MM`: proposals for the bank lines from a month on, from
the books carried forward to it (periods/forward.py), as the whole books give them.

What the matcher reads: the carried books without their carried balances (the lookback
entry by entry, then the month files), and every bank line before the lookback, read
back from the month files that name a bank's account (periods/past.py): the history
stage's evidence, the lines competing for an item and the bank sides that close a
payout are the whole books'. The open items are those the carried books hold, from the
lookback on: longer than any window in which a line of the month may settle an item
(forward.lookback reads the matcher's), so the stages that judge by date see what the
whole books show them. An item older than the lookback — a payout missing, an order
unpaid, for more than that — is not offered: only the exact stage reaches that far (an
id in the bank text, whatever the item's age), and `beanclear match` without --since
proposes it. Each line of the month left without a proposal says so.

The proposals shown and applied are those with a line dated from the month on. To
apply one, the entries that the carried file printed (a line or item of the lookback)
are found in their month files: the writer edits those, never the carried file; an
edit of a month before the start makes the carried books stale (the plugins say so)
until the next `--since` carries them again.

`Matched` is the command's answer, whole books or carried: what it shows, applies and
says of the lines left without a proposal. The Fava page asks it too (on a ledger
carried forward, `fava books/since-YYYY-MM.beancount`): its proposals and "Accept all
confident" are those of `match --since` for that month.
"""

from __future__ import annotations

from dataclasses import replace

from beancount.core import data

from beanclear import matching
from beanclear.checks import reconcile
from beanclear.periods import past


class Matched:
    """`beanclear match` on books loaded whole (`books` None) or carried forward to a
    month (`books`: what their directive says, past.carried): the proposals the matcher
    makes, those shown and applied, the lines left without one. One answer for the
    command and the Fava page, so that neither computes it differently."""

    def __init__(self, entries, config, options, books: past.Carried | None = None, load=None):
        self.config = config
        self.month = FromMonth(entries, config, options, books) if books is not None else None
        self.entries = self.month.entries if self.month else entries
        # the checks' Load pairs the payouts with their credits as the check did (the
        # whole books': the carried books' read back bank lines it never saw)
        self.load = None if self.month else load if load is not None else reconcile.stored_load(options, config)
        # what the books hold for matching, gathered once: the proposals, the reasons
        # for none and what a line may be linked to by hand all read it
        self.gathered = matching.gather(self.entries, config, self.load)
        self.made = matching.match(self.entries, config, self.load, self.gathered)
        self.shown = self.month.of_month(self.made) if self.month else self.made
        self._by_hand = None

    def unproposed(self) -> list:
        found = matching.unproposed(self.entries, self.config, self.made, self.load, self.gathered)
        return self.month.unproposed(found) if self.month else found

    def by_hand(self, ref: str, limit: int | None = None) -> tuple[list, int] | None:
        """(the open items the bank line `ref` (its id) may be linked to by hand, nearest
        in amount first, at most `limit`; how many there are): matching.ByHand, what
        `beanclear open-items --for` lists. None for a line that is not open (explained)."""
        if self._by_hand is None:
            lines, items = self.gathered[0], self.gathered[1]
            self._by_hand = (matching.ByHand(items), {line.ref: line for line in lines})
        found, lines = self._by_hand
        line = lines.get(ref)
        return None if line is None else found.of(line, limit)

    def edits(self, chosen) -> list:
        """The edits that apply `chosen` (of `shown`), on the entries as the files hold
        them. LookupError for an entry no month file holds as carried (FromMonth.located)."""
        located = self.month.located(chosen) if self.month else chosen
        return [e for p in located for e in matching.edits_for(p, self.config)]

    def in_open_months(self, chosen) -> tuple[list, list]:
        """(those of `chosen` whose bank lines are all in months not closed, the others):
        a closed month stays as it is until reopened, as `link` refuses it (a blind
        helper's `match --apply` linked 52 lines of a closed February)."""
        from beanclear.periods.closed import closed_months
        closed = closed_months(self.config.books)
        shut = [p for p in chosen if any(f"{line.date:%Y-%m}" in closed for line in p.lines)]
        return [p for p in chosen if p not in shut], shut

    @staticmethod
    def left_closed(shut) -> str:
        """What applying says of the proposals of closed months it left (in_open_months),
        on both doors (`match --apply`, the page's Accept all): how many, which months.
        Those whose every line the clearing check pairs with its payout already (OpenItem.paired)
        would only record the pairing: said so, not sent to `reopen` (blind33: 23 payout
        credits of a closed month, nothing open in it, were told to reopen it)."""
        def paired(proposal) -> bool:
            return all(any(e is line.entry for item in proposal.items for e in item.paired) for line in proposal.lines)

        def months(proposals) -> str:
            return ", ".join(sorted({f"{line.date:%Y-%m}" for p in proposals for line in p.lines}))
        recorded = [p for p in shut if paired(p)]
        still = [p for p in shut if not paired(p)]
        said = ""
        if still:
            said += f"; {len(still)} of closed months left as they are ({months(still)}: `beanclear reopen` first)"
        if recorded:
            said += (f"; {len(recorded)} of closed months not linked ({months(recorded)}): the check pairs their "
                     "credits with their payouts already, a link would only record it")
        return said

    def refuse_closed(self, proposal) -> None:
        """A proposal of a closed month is refused as `link` refuses its line
        (resolve.refuse_closed: the month, where it was closed)."""
        from beanclear.resolve import refuse_closed
        refuse_closed(self.config, *(line.date for line in proposal.lines))


class FromMonth:
    """The matcher's view of books carried forward, and what of its answer is the month's."""

    def __init__(self, entries, config, options, books: past.Carried | None = None):
        self.carried = books if books is not None else past.carried(entries)
        self.config, self.options = config, options
        window = self.carried.window
        banks = {b.account for b in config.banks.values()}
        # their bank lines only: a bank posting makes an entry a line or a bank side, never
        # an item, whatever else the file holds
        before = [[e for e in found if type(e) is data.Transaction and e.date < window
                   and any(p.account in banks for p in e.postings)]
                  for found in past.read_back(config.books, self.carried, sorted(banks), options)]
        self.entries = past.in_order([e for e in entries if not past.summed(e)], *before)

    def of_month(self, proposals) -> list:
        return [p for p in proposals if any(line.date >= self.carried.start for line in p.lines)]

    def unproposed(self, unproposed) -> list:
        """The lines of the month without a proposal, each saying which items were offered."""
        said = (f"the books from {self.carried.month} on offer the open items from {self.carried.window} on: "
                f"an older one is proposed by `beanclear match` without --since")
        return [replace(u, reasons=[*u.reasons, said]) for u in unproposed if u.line.date >= self.carried.start]

    def located(self, proposals) -> list:
        """The proposals with the entries their edits touch as the month files hold them.
        LookupError for one the month files do not hold as the carried file printed it."""
        path = self.carried.path
        printed = [e for p in proposals for e in [*(l.entry for l in p.lines), *(i.entries[0] for i in p.items)]
                   if e.meta.get("filename") == path]
        if not printed:
            return proposals
        copies = past.copies(self.config.books, self.carried, printed, self.options)

        def mine(entry):
            return copies.get(id(entry), entry)
        return [replace(p, lines=[replace(l, entry=mine(l.entry)) for l in p.lines],
                        items=[replace(i, entries=[mine(e) for e in i.entries]) for i in p.items])
                for p in proposals]
