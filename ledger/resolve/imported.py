"""The bank lines as the import booked them, before a person explained them.

`book`, `link` and `match --apply` explain a bank line by editing it in place: its
counter posting moves from Assets:Suspense (or from a transit account, for a credit no
payout explains) to what explains it, and a match adds the items' links. The books then
no longer show that the line was ever a finding, at any date: the month report, which
lists as resolved what the checks found on the books as they stood at month end, lost
what a booking or a match settled (write-offs, new entries, show). `as_imported` puts
such lines back as the import left them, to judge the month's end on:

- the account: `booked-from` where `book` wrote it (the account it found the line in:
  a rule `--rule` adds claims the line afterwards, so the import's account now is not
  where it was), else where the import books such a line (booking.import_account);
- the links: without the match links (`payout-…`, `order-…`, `bill-…`), but for those
  a write-off added (they settle its finding, which the write-off's own entry says);
- the title: the statement's text where `book` retitled the line (`statement-text`).

Only a line a bank's import wrote (in its folder of the books, not an opening balance)
and left unexplained is put back: a line a rule booked and a person booked elsewhere was
never a finding. A line a person split by hand (matching.as_bank_line) stays as it is:
which of its postings `book` or a match moved, the books do not say.

A person closes an item by hand with an entry of their own (cut_over.is_own: no `id:`,
no `write-off:`) that carries the item's link (README "Closing by hand": the cash an
order was paid in, a refund the shop's system never recorded, a withdrawal that never
came written to a loss): the checks group the item's postings by that link, so its
finding is gone at every date from the entry's on, and the month of the finding never
listed it, open or resolved. Such an entry is left out here, and is the resolution of
what its links name ("booked by hand at books/mine.beancount:12"). An own entry without
an item's link (petty cash, rent from the till) joins no item's group and stays.

An entry of a person's that reclassifies a line out of suspense (checks/suspense.py:
posting there and to no bank nor channel account, answering a line of the opposite
amount) is left out too, and is the resolution of that line's finding ("reclassified by
hand at books/mine.beancount:2"), listed in the reclassification's month as well: the
way out of suspense where the line's month is closed (README "Report").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from beancount.core import data

from beanclear.checks.findings import relative
from beanclear.checks.items import refs
from beanclear.checks.suspense import reclassified
from beanclear.importers.banking import TRANSFER_WITH, booked_as
from beanclear.matching.core import amount_sent, books_paid, restated_posting
from beanclear.resolve.booking import (BOOKED_FROM, STATEMENT_TEXT, as_bank_line, import_account, statement_text,
                                       statement_title)
from beanclear.resolve.linking import MATCH_LINKS
from beanclear.statements.cut_over import is_own



@dataclass(frozen=True)
class Resolution:
    """A bank line put back: its date, how it was explained, and what names it (its
    statement ids, the links it was given and the ids those links name)."""

    date: object
    how: str
    names: frozenset
    # the ids an own entry closing items by hand writes itself (`order-id:`...): a finding
    # of its items names them once it is in the books, not before (reports/period.py _key)
    written: frozenset = frozenset()
    # a reclassification's: the finding it settles is listed in its month too, whatever
    # month the finding is of (one of a closed month is settled in the next)
    listed_here: bool = False

    def settles(self, finding) -> bool:
        return not self.names.isdisjoint(finding.refs)


def as_imported(entries, config) -> tuple[list, list[Resolution]]:
    """The entries with every bank line a person explained put back as the import
    booked it, and without a person's own entries that close an item (the module's
    docstring), and how each was explained."""
    from beanclear.checks.write_offs import META
    banks = {b.account: name for name, b in config.banks.items()}
    folders: dict[str, str] = {}
    # (and a side of a transfer the other bank may not show: checks/transfers.py)
    unexplained = {config.suspense, config.transfers} | {ch.accounts.transit for ch in config.channels.values()}
    written = {link for e in entries if isinstance(e, data.Transaction) and META in e.meta for link in e.links}
    out, resolutions = [], []
    paid = None   # books_paid, read at the first credit the bank converted
    moved: dict[int, list] = {}   # id(an own entry reclassifying out of suspense) -> the lines it answers
    for move, line in reclassified(entries, config):
        moved.setdefault(id(move), []).append(line)
    transfers = []   # the lines put back that were booked into the transfers account
    # the lines put back that were booked into a channel's transit account
    transits = {ch.accounts.transit for ch in config.channels.values()}
    into_transit = []
    by_hand = []   # (own entry, its Resolution) of those posting to a channel's transit account
    for entry in entries:
        if is_own(entry) and any(link.startswith(MATCH_LINKS) for link in entry.links):
            resolutions.append(_by_hand(entry, config))
            if any(p.account in transits for p in entry.postings):
                by_hand.append((entry, resolutions[-1]))
            continue
        if id(entry) in moved:
            resolutions.append(_reclassifying(entry, moved[id(entry)], config))
            continue
        line = as_bank_line(entry, banks, config.suspense) if type(entry) is data.Transaction and "id" in entry.meta \
            else None
        if line is None or line.split or _folder(entry, config.books, folders) != banks[line.bank_account]:
            out.append(entry)
            continue
        added = frozenset(l for l in entry.links if l.startswith(MATCH_LINKS) and l not in written)
        if line.counter == config.suspense and not added:   # unexplained still: nothing to put back
            out.append(entry)
            continue
        # (a side of a transfer was where booked-from names the other bank's account)
        was, peer = booked_as(config, line.bank_account, str(entry.meta.get(BOOKED_FROM) or import_account(config, line)))
        if was not in unexplained or (was == line.counter and not added):
            out.append(entry)   # the import explained it (a rule, a payout memo): no finding then
            continue
        if "original-amount" in entry.meta:   # a credit the bank converted: what it takes from transit
            paid = books_paid(entries, config) if paid is None else paid
            line.sent = amount_sent(config, line, paid)
        back_to = restated_posting(config, line, was, peer)   # a credit the bank converted, in its own amount again
        postings = [(back_to or p)._replace(account=was) if p.account == line.counter else p for p in entry.postings]
        back = entry._replace(postings=postings, links=entry.links - added)
        if peer:   # (the other bank the side named, which book took off)
            back = back._replace(meta={**entry.meta, TRANSFER_WITH: peer})
        elif TRANSFER_WITH in entry.meta and was != config.transfers:   # (which book wrote: no transfer then)
            back = back._replace(meta={k: v for k, v in entry.meta.items() if k != TRANSFER_WITH})
        if STATEMENT_TEXT in entry.meta:
            payee, narration = statement_title(entry) or (None, statement_text(line).strip())
            back = back._replace(payee=payee, narration=narration)
        out.append(back)
        how = f"matched to {' + '.join(sorted(added))}" if added else f"booked to {line.counter}"
        names = set(refs([entry])) | added | {link.split("-", 1)[1] for link in added}
        resolutions.append(Resolution(entry.date, how, frozenset(names)))
        if line.counter == config.transfers and not added:
            transfers.append((entry, line))
        elif line.counter in transits and not added:
            into_transit.append((entry, line))
    return out, _naming_items(resolutions + _other_sides(transfers, entries, config)
                              + _answered_in_transit(into_transit, entries, config)
                              + _credited_by_hand(by_hand, entries, config), entries)


def _reclassifying(entry, lines: list, config) -> Resolution:
    """An own entry reclassifying lines out of suspense, as the resolution of their findings."""
    where = f"{relative(str(entry.meta.get('filename') or ''), config.root)}:{entry.meta.get('lineno')}"
    return Resolution(entry.date, f"reclassified by hand at {where}", frozenset(refs(lines)), listed_here=True)


def _other_sides(booked: list, entries, config) -> list[Resolution]:
    """The resolutions of the other sides of transfers `book` explained a line as (a line
    booked to another bank's account, into the transfers account): that bank's side was a
    transfer its statements did not show until then, and the booking of this one
    resolved it."""
    if not booked:
        return []
    from beanclear.checks.items import postings_by_account
    from beanclear.checks.transfers import pairs, sides
    found = sides(postings_by_account(entries, {config.transfers}).get(config.transfers, []), config)
    paired, out = pairs(found), []
    for entry, line in booked:
        mine = next((side for side in found if side.item.entry is entry), None)
        other = paired.get(id(mine.item)) if mine is not None else None
        if other is not None:
            out.append(Resolution(entry.date, f"its other side {line.ref} booked to {line.counter}",
                                  frozenset(refs([other.item.entry]))))
    return out


def _answered_in_transit(booked: list, entries, config) -> list[Resolution]:
    """The resolutions of what lines `book` explained into a channel's transit account
    answer there, as the clearing check pairs them (matching.paired_payouts): a bank
    debit, the channel's top-up from the bank; a credit, the payout it received. That
    item's finding (its bank-unmatched, its payout-missing) was the booking's to settle,
    made whatever day: "its bank line B03 booked to Assets:Transit:PayPal", not "by the
    books after the month's end" (a blind tester's top-up of a second PayPal account,
    its debit booked by hand from the first's transit account into its own)."""
    if not booked:
        return []
    from beanclear.matching.core import paired_payouts
    paired = paired_payouts(entries, config, {line.counter for _, line in booked})
    mine = {id(entry): line for entry, line in booked}
    by_id = {id(e): e for e in entries} if any(id(a) in mine for found in paired.values() for a in found) else {}
    out = []
    for key, answers in paired.items():
        if key in mine:   # a booked debit -> the top-up (or the returned payout's reversal) it answers
            line = mine[key]
            out += [Resolution(line.entry.date, f"its bank line {line.ref} booked to {line.counter}",
                               frozenset(refs([other]))) for other in answers]
            continue
        for answer in answers:   # a payout -> the booked credits that received it
            if id(answer) in mine and key in by_id:
                line = mine[id(answer)]
                out.append(Resolution(answer.date, f"its bank line {line.ref} booked to {line.counter}",
                                      frozenset(refs([by_id[key]]))))
    return out


def _by_hand(entry, config) -> Resolution:
    """An own entry closing the items its links name, as a resolution of their findings."""
    links = {link for link in entry.links if link.startswith(MATCH_LINKS)}
    where = f"{relative(str(entry.meta.get('filename') or ''), config.root)}:{entry.meta.get('lineno')}"
    names = set(refs([entry])) | links | {link.split("-", 1)[1] for link in links}
    return Resolution(entry.date, f"booked by hand at {where}", frozenset(names), frozenset(refs([entry])))


def _credited_by_hand(by_hand: list, entries, config) -> list[Resolution]:
    """The resolutions of the bank credits an own entry closing a payout by hand answers,
    as the clearing check pairs them (matching.paired_payouts): one that converts a
    payout the bank credited in EUR, stating no amount sent, back into its GBP (README
    "Closing by hand") is what the EUR credit answers, and that credit's bank-unmatched
    was the entry's to settle, "booked by hand at" it, not "by the books after the
    month's end"."""
    if not by_hand:
        return []
    from beanclear.matching.core import paired_payouts
    transits = {ch.accounts.transit for ch in config.channels.values()}
    paired = paired_payouts(entries, config, {p.account for e, _ in by_hand for p in e.postings
                                              if p.account in transits})
    return [Resolution(r.date, r.how, frozenset(refs(paired[id(entry)])))
            for entry, r in by_hand if paired.get(id(entry))]


def _naming_items(resolutions: list[Resolution], entries) -> list[Resolution]:
    """The resolutions, each also named by the statement ids of the items its links tie
    the line to: an order's finding names it as the shop wrote it (`#1041`, its order-id),
    which neither the link `order-1041` nor `1041` is (a blind tester's order paid by a
    linked wire read "resolved by the books after the month's end")."""
    links = {name for r in resolutions for name in r.names if name.startswith(MATCH_LINKS)}
    if not links:
        return resolutions
    ids: dict[str, set] = {link: set() for link in links}
    for entry in entries:
        if type(entry) is data.Transaction and not links.isdisjoint(entry.links):
            for link in links & entry.links:
                ids[link].update(refs([entry]))
    return [replace(r, names=r.names.union(*(ids[n] for n in r.names if n in ids))) for r in resolutions]


def _folder(entry, root: Path, seen: dict[str, str]) -> str:
    """The folder of the books an entry's file is in (`icbc` for books/icbc/2026/…)."""
    filename = str(entry.meta.get("filename") or "")
    if filename not in seen:
        try:
            seen[filename] = Path(filename).resolve().relative_to(root.resolve()).parts[0]
        except (ValueError, IndexError):
            seen[filename] = ""
    return seen[filename]
