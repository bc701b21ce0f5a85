"""A shop's order that changed since the export the books took it from.

An order export is a snapshot. An order edited after payment (an item added, the
difference paid through another channel) shows another total in a later download,
under the id the books hold already: kept as first imported, the payment of the
difference was a duplicate-charge, and which file came last decided the books. So
the order's entry says what the newest export of it says (its total, its title, its
`paid-at`), whatever the order of import:

    2026-02-11 * "Order #1020 / Fleece Pullover, Hiking Cap" ^order-1020   ; was "… / Fleece Pullover"
      time: "16:00:00"
      id: "order:#1020"
      order-id: "#1020"
      paid-at: "2026-02-13 12:00:00 -0500"                                ; was 2026-02-11 16:02:00 -0500
      Assets:Receivable:Shop                      110.95 USD              ; was 85.95
      Income:Sales:Shop                          -110.95 USD

The newer export is what the exports say, never which file came last: the order's
`Paid at` (importers/shop.py PAID_AT), which moves when an edited order is paid again.
An export older than the books' says nothing new (its summary says so); two that
disagree where nothing tells which is newer (the same Paid at, or one without it) are
said, and nothing is guessed: the books keep what they hold (in one import, what its
first statement of the order says). One entry of the order, restated in place, rather
than the first one and another of the difference: an older export imported after the
newer would then have to take apart the entry the newer one wrote.

What an export says is still owed of an order (Shopify's Outstanding Balance of a
partially_paid order, the entry's `outstanding`) goes down as the customer pays the
balance: of two exports that book the same money, the one that says less is owed is the
newer, its Paid at (a partially_paid order's may be empty) and all.

A refund an export states no amount of (Pinduoduo's 售后状态 `退款成功` on an order
still `已签收`: importers/shop.py) is the order's `refund-amount: "not stated"`. That
state only moves forward (none, then refunded), whichever export is newer: the entry
says it once any export of the order does, so a re-download saying it, imported after
the first download or with it, gives the books importing it first gives.

Only the lines that change are touched (books/edits.py): an entry whose lines a person
changed, in a month closed by `beanclear close`, or moved by hand into a file of their
own (Books.kept_by_hand: no import rewrites such a file), is left as it is, and said.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear.books import Books, _unescape, rewrite_blocks
from beanclear.books.edits import EditError, restate, retitle
from beanclear.books.idset import Ids
from beanclear.books.render import number_text, quote_exact
from beanclear.books.spill import like
from beanclear.config.model import Shop
from beanclear.importers.base import posting
from beanclear.importers.order_refs import OUTSTANDING, REFUND_AMOUNT
from beanclear.importers.shop import PAID_AT, Snapshot
from beanclear.importers.toolkit import StatementError, parse_instant
from beanclear.periods.closed import closed_months, first_open_day

PREFIX = "order:"
SHOWN = 5   # orders a note names, of a statement; the rest counted
STRINGS = re.compile(r'"((?:[^"\\]|\\.)*)"')
PAID_LINE = re.compile(rf'^([ \t]+{PAID_AT}:[ \t]*)"((?:[^"\\]|\\.)*)"', re.M)
REFUND_LINE = re.compile(rf'^[ \t]+{REFUND_AMOUNT}:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)
OWED_LINE = re.compile(rf'^([ \t]+{OUTSTANDING}:[ \t]*)"((?:[^"\\]|\\.)*)"', re.M)


@dataclass
class Edits:
    """What find() found: month file -> (its shop, {order id -> (the books' Snapshot, the newest)});
    the summary's notes, by statement (id of its Extraction)."""
    files: dict[Path, dict[str, tuple]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)

    def say(self, out, note: str) -> None:
        self.notes.setdefault(id(out), []).append(note)

    def notes_of(self, out) -> list[str]:
        """The notes of one statement: the first SHOWN, then how many more."""
        said = self.notes.get(id(out), [])
        return said[:SHOWN] + ([f"{len(said) - SHOWN} more order(s) likewise"] if len(said) > SHOWN else [])


NONE = Edits()


def find(read: list, books: Books, names: dict[int, str]) -> Edits:
    """The orders of the import's shop statements (`read`: (importer, Extraction) pairs;
    `names`: id of an Extraction -> its file's name) that another statement of the
    import, or the books, show otherwise: the books' entries to restate, and the
    statements' entries not to book (an older one's of the import), each said in its
    statement's summary."""
    by_shop: dict[str, list] = {}
    for importer, out in read:
        if isinstance(importer.source, Shop) and out.orders:
            by_shop.setdefault(importer.source.name, []).append((importer, out))
    found = Edits()
    closed = closed_months(books.root) if by_shop else {}
    for name, statements in by_shop.items():
        shop, outs = statements[0][0].source, [out for _, out in statements]
        held = Ids()   # orders the books hold, of those of the import
        blocks, edited = [], {}   # (the books' entries of them; order -> its difference booked after a close)
        for path, line, ident, block in books.entry_blocks(name, functools.partial(_of_import, outs), by_hand=True):
            if ident.startswith(EDIT_PREFIX):
                booked = _snapshot(block.lstrip("\n"), shop)
                edited[ident[len(EDIT_PREFIX):]] = booked.total if booked is not None else None
            else:
                blocks.append((path, ident, block))
        for path, ident, block in blocks:
            order = ident[len(PREFIX):]
            held.add(order)
            said = [(out.orders.get(order), out) for out in outs if order in out.orders]
            own = None if books.is_source_file(name, path) else books.kept_by_hand(name)[ident].where
            _against_books(found, shop, path, closed, order, block.lstrip("\n"), said, own, order in edited,
                           edited.get(order))
        decided, drop = Ids(), {}
        for at, out in enumerate(outs[1:], 1):   # an order of several statements of the import, not held
            for order in out.orders:
                if order in held or order in decided or not any(order in o.orders for o in outs[:at]):
                    continue
                decided.add(order)
                _within_import(found, order, [(o.orders.get(order), o) for o in outs if order in o.orders],
                               names, drop)
        for out in outs:
            older = drop.get(id(out))
            if older:   # in place, where it is: the statement still covers its day
                kept = like(out.entries)
                for entry in out.entries:
                    now = older.get(entry.meta.get("id")) if isinstance(entry, data.Transaction) else None
                    kept.append(entry if now is None else _saying(entry, now, shop))
                out.entries = kept
    return found


def _of_import(outs: list, ident: str) -> bool:
    if ident.startswith(EDIT_PREFIX):
        return any(ident[len(EDIT_PREFIX):] in out.orders for out in outs)
    return ident.startswith(PREFIX) and any(ident[len(PREFIX):] in out.orders for out in outs)


def _instant(text: str):
    try:
        return parse_instant(text, "", 0, PAID_AT) if text else None
    except StatementError:
        return None


def newest(snapshots: list[Snapshot]) -> Snapshot | None:
    """Of what exports say of one order, the newest: the one of the latest Paid at.
    None where they disagree and nothing tells which is newer (the latest Paid at is
    given with other amounts or titles, or one says none); where they all book the same
    money and one says no Paid at, the first (nothing to decide)."""
    first = snapshots[0]
    if all(s == first for s in snapshots):
        return first
    times = [_instant(s.paid_at) for s in snapshots]
    if None in times:
        return _least_owed(snapshots) if len({(s.total, s.currency) for s in snapshots}) == 1 else None
    latest = max(times)
    at_latest = {(s.total, s.currency, s.narration) for s, t in zip(snapshots, times) if t == latest}
    if len(at_latest) > 1:
        return None
    return _least_owed([s for s, t in zip(snapshots, times) if t == latest])


def _least_owed(snapshots: list[Snapshot]) -> Snapshot:
    """Of exports that book the same money, the one that says the least is still owed
    (OUTSTANDING, none the least), the first of those: the customer pays the balance down,
    so that one is the later, whatever else it says (a partially_paid order's Paid at may
    be empty); where they all say the same, the first."""
    return min(snapshots, key=lambda s: Decimal(s.outstanding or 0))


def _refund_state(snapshots) -> str:
    """The furthest refund state of what exports (and the books) say of one order: a
    refund state only moves forward, so any that says refunded without an amount wins."""
    return next((s.refund_amount for s in snapshots if s.refund_amount), "")


def _sale(s: Snapshot) -> Snapshot:
    """What an export says of the order's sale, which the newest export decides."""
    return s._replace(refund_amount="")


def _money(s: Snapshot) -> str:
    return f"{number_text(s.total)} {s.currency}"


def _against_books(found: Edits, shop, path: Path, closed, order: str, block: str, said: list,
                   own: str | None = None, edited: bool = False, difference: Decimal | None = None) -> None:
    """One order the books hold (`block`, its entry), and what the import's statements
    say of it (`said`: (Snapshot, Extraction) pairs): its sale as the newest says it,
    its refund state the furthest any says. `own`: where the entry is in a person's own
    file (`books/<file>:<line>`), which no import rewrites."""
    was = _snapshot(block, shop)
    if was is None:   # its receivable line is not as beanclear writes it: a person's, left as it is
        return
    refund = _refund_state([was] + [s for s, _ in said])
    tells = next((o for s, o in said if s.refund_amount and not was.refund_amount), None)   # of the refund
    theirs, said = _sale(was), [(_sale(s), out) for s, out in said]
    best = newest([theirs] + [s for s, _ in said])
    if best == theirs:
        for s, out in said:   # older than the books': said where the money differs
            if (s.total, s.currency) != (theirs.total, theirs.currency):
                found.say(out, f"order {order}: this export is older than the books' (Paid at {s.paid_at}, the "
                               f"books' {theirs.paid_at}): kept as they hold it, {_money(theirs)} ({_money(s)} here)")
    elif best is None:
        for s, out in said:
            if (s.total, s.currency) != (theirs.total, theirs.currency):
                found.say(out, f"order {order}: this export says {_money(s)}, the books {_money(theirs)}, and "
                               "nothing tells which is newer (the same Paid at, or none): kept as the books hold "
                               "it; see which the shop shows now, and correct the entry by hand if it is this one")
    sale = best if best not in (None, theirs) else theirs
    now = sale._replace(refund_amount=refund)
    if now == was:
        return
    newer = next((o for s, o in said if s == sale), None) if sale != theirs else None
    try:
        if own is not None:
            raise EditError(f"in a file of your own, {own}")
        if path.stem in closed:
            raise EditError(f"{path.stem} is closed")
        restated(block, shop, was, now)
    except EditError:
        shut = own is None and path.stem in closed
        why = (f"its entry is in a file of your own, {own}, which no import rewrites" if own is not None else
               f"its month, {path.stem}, is closed" if shut else "its lines are not as beanclear wrote them")
        if newer is not None:
            grew = best.total - theirs.total if best.currency == theirs.currency else None
            todo = ""
            if shut and grew and not edited:   # the difference in an open month, as a refund learned after a close
                day = _open_day(best.paid_at, closed, _dated(block))
                newer.entries.append(_difference(newer, order, shop, grew, best.currency, day, path.stem))
                todo = (f": the difference, {number_text(grew)} {best.currency}, is booked on {day} "
                        f"({EDIT_PREFIX}{order}), as a refund learned after a close is")
            elif shut and grew and difference == grew:
                todo = (f": the difference, {number_text(grew)} {best.currency}, is booked already "
                        f"({EDIT_PREFIX}{order})")
            elif shut and grew:
                todo = (f": the books hold a difference of it booked after the close ({EDIT_PREFIX}{order}); "
                        f"correct it by hand to {number_text(grew)} {best.currency}, or `beanclear reopen "
                        f"{path.stem} --reason \"…\"` and import it again")
            found.say(newer, f"order {order} changed since the books took it, and this export is newer (Paid at "
                             f"{best.paid_at}): left as the books hold it, {_money(theirs)} ({why}); it is "
                             f"{_money(best)} now{todo}")
        if tells is not None:
            found.say(tells, f"order {order}: refunded since the books took it, the amount not stated: left as the "
                             f"books hold it ({why}); "
                             f'add {REFUND_AMOUNT}: "{refund}" to its entry, or book the shop\'s refund by hand')
        return
    found.files.setdefault(path, (shop, {}))[1][order] = (was, now)
    if newer is not None:
        grew = best.total - theirs.total
        owed = (f"; {OUTSTANDING}: {best.outstanding or 'none'} (was {theirs.outstanding or 'none'})"
                if best.outstanding != theirs.outstanding else "")
        what = (f"its entry now says {_money(best)} (was {_money(theirs)}: {'+' if grew > 0 else ''}"
                f"{number_text(grew)} {best.currency})" if grew else "its entry now says what it does (its title, "
                "its Paid at)") + owed
        by = (f"Paid at {best.paid_at}, the books' {theirs.paid_at}" if _instant(theirs.paid_at) else
              f"less of it is outstanding, and the books' says no Paid at")
        found.say(newer, f"order {order} changed since the books took it, and this export is newer ({by}): {what}")
    if tells is not None:
        found.say(tells, f"order {order}: refunded since the books took it, the amount not stated: its entry now "
                         f'says {REFUND_AMOUNT}: "{refund}"')


# An order's total changed in an export newer than its month's close: the difference,
# booked in the open month its Paid at falls in (else the first one), with the order's
# link: its payment of the difference pays it (blind24 giftcards: a duplicate-charge
# that failed CI). One such entry an order: a later change again is said, not guessed.
EDIT_PREFIX = "order-edit:"


def _open_day(paid_at: str, closed, dated: dt.date) -> dt.date:
    """The day a difference learned after a close is booked: the newer export's Paid at,
    where its month is open, else the first day of the first open month after the
    order's (`dated`)."""
    instant = _instant(paid_at)
    day = instant.date() if instant is not None else None
    return day if day is not None and f"{day:%Y-%m}" not in closed and day > dated else first_open_day(closed, dated)


def _dated(block: str) -> dt.date:
    """The day of an entry, its block's first line."""
    return dt.date.fromisoformat(block[:10])


def _difference(out, order: str, shop, grew: Decimal, currency: str, day, month: str) -> data.Transaction:
    """The entry of an order's difference learned after its month closed, at the line of
    the order in the export that says it."""
    from beanclear.importers.base import transaction
    at = next((e.meta for e in out.entries if isinstance(e, data.Transaction) and e.meta.get("id") == PREFIX + order),
              {"filename": "", "lineno": 0})
    return transaction(at["filename"], at["lineno"], day, None,
                       f"Order {order} changed after {month} closed: {'+' if grew > 0 else ''}{number_text(grew)}",
                       {"id": EDIT_PREFIX + order, "order-id": order},
                       [posting(shop.accounts.receivable, grew, currency),
                        posting(shop.accounts.sales, -grew, currency)],
                       [_order_link(order)])


def _order_link(order: str) -> str:
    from beanclear.importers.order_refs import link, order_key
    return link("order-", order_key(order))


def _within_import(found: Edits, order: str, said: list, names: dict, drop: dict) -> None:
    """One order of several statements of the import, not in the books: what the newest
    says of its sale is booked (the entries of those before it say it too: the first of
    an id is the one written), else what the first says; its refund state the furthest
    any says. Said where the money differs."""
    refund = _refund_state([s for s, _ in said])
    booked = [s for s, _ in said]   # as each statement's entry books it
    said = [(_sale(s), out) for s, out in said]
    best = newest([s for s, _ in said])
    first, first_out = said[0]
    if best is None:
        for s, out in said[1:]:
            if (s.total, s.currency) != (first.total, first.currency):
                found.say(out, f"order {order}: this export says {_money(s)}, {names[id(first_out)]} "
                               f"{_money(first)}, and nothing tells which is newer (the same Paid at, or none): "
                               f"booked as {names[id(first_out)]} says; see which the shop shows now, and correct "
                               "the entry by hand if it is this one")
        chosen, sale = first_out, first
    else:
        chosen, sale = next(out for s, out in said if s == best), best
        for s, out in said:
            if out is not chosen and s != best and (s.total, s.currency) != (best.total, best.currency):
                found.say(out, f"order {order}: {names[id(chosen)]}, newer (Paid at {best.paid_at}, here "
                               f"{s.paid_at}), is booked: {_money(best)} ({_money(s)} here)")
    now = sale._replace(refund_amount=refund)
    for s, (_, out) in zip(booked, said):   # up to the chosen one, each entry says `now`
        if s != now:
            drop.setdefault(id(out), {})[PREFIX + order] = now
        if out is chosen:
            break


def _saying(entry: data.Transaction, now: Snapshot, shop) -> data.Transaction:
    """An order's entry saying what `now` says, as the statement saying it books it."""
    paid_at = now.paid_at or entry.meta.get(PAID_AT)
    meta = {k: v for k, v in entry.meta.items() if k not in (OUTSTANDING, REFUND_AMOUNT, PAID_AT)}   # as book() writes
    meta.update({OUTSTANDING: now.outstanding} if now.outstanding else {})
    meta.update({REFUND_AMOUNT: now.refund_amount} if now.refund_amount else {})
    meta.update({PAID_AT: paid_at} if paid_at else {})
    return entry._replace(narration=now.narration, meta=meta, postings=[
        posting(shop.accounts.receivable, now.total, now.currency),
        posting(shop.accounts.sales, -now.total, now.currency)])


AMOUNT = r"[ \t]+(-?[0-9][0-9,]*(?:\.[0-9]+)?)[ \t]+([A-Z][A-Z0-9'._-]*)"


def _snapshot(block: str, shop) -> Snapshot | None:
    """What the books' entry of an order says, as a Snapshot; None where its receivable
    line is not there (a person booked it elsewhere)."""
    first = block.split("\n", 1)[0]
    strings = STRINGS.findall(first.split(";", 1)[0])
    posted = re.search(rf"^[ \t]+{re.escape(shop.accounts.receivable)}{AMOUNT}", block, re.M)
    if posted is None or not strings:
        return None
    paid, refund, owed = PAID_LINE.search(block), REFUND_LINE.search(block), OWED_LINE.search(block)
    return Snapshot(Decimal(posted.group(1).replace(",", "")), posted.group(2), _unescape(strings[-1]),
                    _unescape(paid.group(2)) if paid else "", _unescape(refund.group(1)) if refund else "",
                    _unescape(owed.group(2)) if owed else "")


def restated(block: str, shop, was: Snapshot, now: Snapshot) -> str:
    """The books' entry of an order (`block`, saying `was`) saying `now`: its title, its
    receivable and sales lines, its paid-at line, its refund-amount line (added where
    book() writes it: before paid-at and the postings), and nothing else. EditError
    where a line is not as beanclear wrote it."""
    lines = block.splitlines(keepends=True)
    if len(STRINGS.findall(lines[0].split(";", 1)[0])) != 1:
        raise EditError("a payee was added")
    if now.narration != was.narration:
        lines[0] = retitle(lines[0], None, now.narration)
    acc = shop.accounts
    moves = {acc.receivable: (was.total, now.total), acc.sales: (-was.total, -now.total)}
    done = set()
    for at, line in enumerate(lines):
        account = line.split(None, 1)[0] if line[:1] in " \t" and line.strip() else None
        if account in moves and account not in done:
            old, new = moves[account]
            lines[at] = restate(line, f"{number_text(old)} {was.currency}", f"{number_text(new)} {now.currency}")
            done.add(account)
        elif now.paid_at and now.paid_at != was.paid_at and PAID_LINE.match(line):
            lines[at] = PAID_LINE.sub(lambda m: m.group(1) + quote_exact(now.paid_at), line)
    if done != set(moves):
        raise EditError("a posting was rebooked")
    if now.paid_at and not was.paid_at and not any(PAID_LINE.match(line) for line in lines):
        # a partially_paid order's export without a Paid at, the balance's with one
        at = next((at for at, line in enumerate(lines[1:], 1) if _posting(line)), len(lines))
        lines.insert(at, f"{_indent(lines)}{PAID_AT}: {quote_exact(now.paid_at)}\n")
    elif now.paid_at and now.paid_at != was.paid_at and not any(PAID_LINE.match(line) for line in lines):
        raise EditError("no paid-at line")
    if now.outstanding != was.outstanding:
        at = next((at for at, line in enumerate(lines) if OWED_LINE.match(line)), None)
        if at is not None and now.outstanding:
            lines[at] = OWED_LINE.sub(lambda m: m.group(1) + quote_exact(now.outstanding), lines[at])
        elif at is not None:
            del lines[at]
        else:   # where book() writes it: before refund-amount, paid-at and the postings
            at = next((at for at, line in enumerate(lines[1:], 1)
                       if REFUND_LINE.match(line) or PAID_LINE.match(line) or _posting(line)), len(lines))
            lines.insert(at, f"{_indent(lines)}{OUTSTANDING}: {quote_exact(now.outstanding)}\n")
    if now.refund_amount != was.refund_amount:
        if was.refund_amount:
            raise EditError(f"{REFUND_AMOUNT} says {was.refund_amount!r}")
        at = next((at for at, line in enumerate(lines[1:], 1) if PAID_LINE.match(line) or _posting(line)), len(lines))
        lines.insert(at, f"{_indent(lines)}{REFUND_AMOUNT}: {quote_exact(now.refund_amount)}\n")
    return "".join(lines)


def _indent(lines: list[str]) -> str:
    """The indent of an entry's metadata lines."""
    return re.match(r"[ \t]+", lines[1]).group(0) if len(lines) > 1 and lines[1][:1] in " \t" else "  "


def _posting(line: str) -> bool:
    """Whether a line of an entry is a posting (metadata keys start lowercase)."""
    word = line.strip()[:1]
    return line[:1] in " \t" and bool(word) and not word.islower() and word != ";"


def plan(found: Edits, changes: dict) -> int:
    """Add to `changes` the month files find() found, their orders restated; returns how
    many orders are."""
    for path, (shop, orders) in found.files.items():
        rewrite_blocks(changes, path, functools.partial(_block, shop, orders))
    return sum(map(len, found.files.values()))


ID_LINE = re.compile(r'^[ \t]+id:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)


def _block(shop, orders: dict, block: str) -> str:
    """An order's entry find() found, restated; any other block as it is."""
    if f'  id: "{PREFIX}' not in block:
        return block
    ident = ID_LINE.search(block)
    order = _unescape(ident.group(1))[len(PREFIX):] if ident else None
    if order not in orders:
        return block
    was, now = orders[order]
    return restated(block, shop, was, now)
