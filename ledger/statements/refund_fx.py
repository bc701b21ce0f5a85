"""A converted order given back in full: the conversion difference is FX, not the order's.

A Stripe charge the customer paid in another currency than Stripe settles it in clears
the shop's order with what Stripe settled (README, Currency conversions): the order of
99.00 EUR, its payment -104.34 USD with `customer-amount: "99.00 EUR"`. Refunded in
full, the customer gets their 99.00 EUR back, bought at the refund's rate: 106.82 USD.
The order is settled in its own currency (the shop's refund of 99.00 EUR, the channel's
99.00 EUR given back), but booked as the statement says the refund would leave
2.48 USD on the receivable: a balance of an order nobody owes, which `open-items`
listed as due and offered to bank lines (blind12 "saas": 35 of them). That 2.48 USD is
what buying the customer's currency back cost beyond what selling it brought in: an FX
loss (a refund at a lower rate, a gain). The refund that gives back the last of what the
customer paid books it on the FX account (`checks.fx-gap.write_off.account`, default
Expenses:FX, where an fx-gap's spread is written off), its receivable posting what the
payments brought in, net of the refunds before it:

    2026-04-23 * "REFUND FOR CHARGE (... Invoice INV-10567)" ^order-INV-10567
      customer-amount: "-99.00 EUR"
      Assets:Clearing:Stripe                     -106.82 USD
      Assets:Receivable:Billing                   104.34 USD
      Expenses:FX                                   2.48 USD

The clearing account moves by the statement's own figure, the receivable's USD side of
the order is back to zero (its EUR side is the order and the shop's refund), and the
difference is on the FX account. The checks read the refund as before: the orders check
in the customer's currency (its `customer-amount`), the refund checks, the fee check and
the month report the whole sale side, the FX posting with it (orders.ChannelSales).

Only the channel's own entries of the order decide (a payment through another channel is
not of this conversion): all state what the customer paid, in one currency, and the
receivable in one other; they add up to nothing in the customer's currency and at least
one is a payment. A refund of part of it moves nothing (the customer still holds part of
the order, at the payment's rate: the receivable's pair, as Currency conversions says);
nor does anything where a person booked the difference already (an FX posting on one of
them). The refund is found

- in the statements of the import (`across`, once an import has read its files: the
  charge and its refund in one statement, or in two of the same import, or the charge
  in the books),
- and in the books, where it was booked before its charge came (the refund's month
  imported first): the import that brings the charge restates it in place (`plan`),
  so the books are what importing both together writes. A month closed by `beanclear
  close`, and a posting line a person changed, are left as they are.

With several shops, a payment imported before its shop's export is booked to the
channel's sales, not the receivable (books/late_routes.py); the export's import routes
it. The books' entries that routing moves are read as it leaves them (`routes`, what
late_routes.find found), so their order is of the rule too even where the import holds
no statement of the channel: the export alone after the charge and its refund, or with
one of them after the other, books the FX as importing all together does (a refund
routed late kept the whole 106.82 USD on the receivable). What routing leaves (a closed
month, a line a person rebooked) stays a sale, of no order here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books import ENTRY_END, ID_LINE, _block_start, _blocks, _lines, _unescape, late_routes
from beanclear.books.render import posting_line
from beanclear.books.spill import like
from beanclear.importers.stated import stated_amount

CUSTOMER = "customer-amount"
HEAD_LINK = re.compile(r"\^(order-[A-Za-z0-9\-_/.]+)")
POSTING = re.compile(r"^[ \t]+([A-Z][^\s;:]*(?::[^\s;]+)+)[ \t]+(-?[0-9][0-9,]*(?:\.[0-9]*)?)[ \t]+([A-Z][A-Z0-9'._-]*)"
                     r"[ \t]*$")
CUSTOMER_LINE = re.compile(r'^[ \t]+customer-amount:[ \t]*"([^"\\]*)"', re.M)
TIME_LINE = re.compile(r'^[ \t]+time:[ \t]*"([^"\\]*)"', re.M)


def account_of(config) -> str:
    """The FX account (checks/orders.py fx_account: the fx-gap write-off account)."""
    from beanclear.checks.orders import fx_account
    return fx_account(config)


@dataclass
class Side:
    """One entry of the channel's of an order: what it moved on the receivable, what the
    customer paid (or got back), whether it posts to the FX account; where it is."""
    ident: str
    date: dt.date
    time: str
    account: str          # the receivable
    number: Decimal       # on the receivable, in `currency` (what the channel settled)
    currency: str
    customer: Decimal     # what the customer paid (negative: got back), in `paid_in`
    paid_in: str
    fx: bool              # posts to the FX account already
    where: object = None  # the batch's extraction, or the books' month file (a Path)

    @property
    def order(self) -> tuple:
        return self.date, self.time, self.ident


def _side(ident, date, time, postings, customer, receivables: set[str], fx_account: str, where) -> Side | None:
    """A Side of (account, number, currency) postings, or None where it is none: not one
    receivable posting in one currency, or no amount the customer paid."""
    stated = stated_amount(customer, signed=True)
    mine = [(a, n, c) for a, n, c in postings if a in receivables]
    if stated is None or not mine or len({(a, c) for a, _, c in mine}) != 1:
        return None
    account, _, currency = mine[0]
    return Side(ident, date, time, account, sum((n for _, n, _ in mine), Decimal(0)), currency, stated[0],
                stated[1], any(a == fx_account for a, _, _ in postings), where)


def entry_side(entry, receivables: set[str], fx_account: str, where=None) -> Side | None:
    if not isinstance(entry, data.Transaction) or CUSTOMER not in entry.meta or not entry.meta.get("id"):
        return None
    return _side(str(entry.meta["id"]), entry.date, str(entry.meta.get("time") or ""),
                 [(p.account, p.units.number, p.units.currency) for p in entry.postings],
                 entry.meta.get(CUSTOMER), receivables, fx_account, where)


def block_side(block: str, receivables: set[str], fx_account: str, where=None) -> Side | None:
    ident, customer = ID_LINE.search(block), CUSTOMER_LINE.search(block)
    if ident is None or customer is None:
        return None
    try:
        date = dt.date.fromisoformat(block.lstrip("\n")[:10])
    except ValueError:
        return None
    postings = []
    for line in block.splitlines():
        found = POSTING.match(line)
        if found:
            try:
                postings.append((found.group(1), Decimal(found.group(2).replace(",", "")), found.group(3)))
            except InvalidOperation:
                return None
    time = TIME_LINE.search(block)
    return _side(_unescape(ident.group(1)), date, time.group(1) if time else "", postings, customer.group(1),
                 receivables, fx_account, where)


def closing(sides: list[Side]) -> tuple[Side, Decimal] | None:
    """(the refund that gives back the last of what the customer paid, what the order's
    conversions leave on the receivable: the FX, a loss where positive), or None where the
    order's entries are not given back in full in the customer's currency, or leave
    nothing, or a person booked the difference already."""
    if not sides or any(s.fx for s in sides):
        return None
    first = sides[0]
    if any(s.account != first.account or s.currency != first.currency or s.paid_in != first.paid_in
           for s in sides) or first.currency == first.paid_in:
        return None
    if sum((s.customer for s in sides), Decimal(0)) != 0 or not any(s.customer > 0 for s in sides):
        return None
    refunds = [s for s in sides if s.customer < 0 and s.number > 0]
    if not refunds:
        return None
    left = sum((s.number for s in sides), Decimal(0))
    if left == 0:
        return None
    return max(refunds, key=lambda s: s.order), left


def split(entry, side: Side, fx: Decimal, fx_account: str):
    """The refund `entry` with `fx` of its receivable posting on the FX account, just
    after it."""
    postings, done = [], False
    for p in entry.postings:
        if p.account == side.account and not done:
            postings.append(p._replace(units=Amount(p.units.number - fx, p.units.currency)))
            postings.append(data.Posting(fx_account, Amount(fx, p.units.currency), None, None, None, None))
            done = True
        else:
            postings.append(p)
    return entry._replace(postings=postings)


def _channels(read: list) -> dict[str, list]:
    """Channel name -> the (importer, extraction) pairs of its statements in the import."""
    from beanclear.config.model import Channel
    out: dict[str, list] = {}
    for importer, extraction in read:
        if isinstance(importer.source, Channel) and importer.config is not None and importer.config.shops:
            out.setdefault(importer.source.name, []).append((importer, extraction))
    return out


def across(read: list, books, routes: dict | None = None) -> tuple[dict[Path, dict[str, tuple]], frozenset]:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each
    refund of the import that gives back the last of a converted order booked with its FX
    (split). `routes`: the books' month files whose sales the import routes to the
    shops' receivables (late_routes.Late.files: path -> (channel, order id -> receivable,
    ...)), read as routed. Returns (the refunds of that kind the books hold already,
    booked before the charge this import brings or before their order's export: month
    file -> refund id -> (receivable, its currency, the FX, the FX account), for plan()
    to restate after routing; the FX accounts the import's refunds and those post to,
    for the books to open)."""
    found: dict[Path, dict[str, tuple]] = {}
    used: set[str] = set()
    closed = None
    channels = _channels(read)
    routed: dict[str, dict[Path, object]] = {}   # channel name -> month file -> block -> the block as routed
    for path, (channel, moves, inside) in (routes or {}).items():
        routed.setdefault(channel.name, {})[path] = functools.partial(late_routes._routed_block, channel, moves,
                                                                      inside=inside)
        channels.setdefault(channel.name, [])
    for name, mine in channels.items():
        config = mine[0][0].config if mine else next(i.config for i, _ in read if i.config is not None)
        receivables = {shop.accounts.receivable for shop in config.shops.values()}
        fx_account = account_of(config)
        groups: dict[str, dict[str, Side]] = {}
        for _, out in mine:
            for entry in out.entries:
                side = entry_side(entry, receivables, fx_account, out)
                if side is not None and side.currency != side.paid_in:
                    for link in entry.links:
                        if link.startswith("order-"):
                            groups.setdefault(link, {})
        for path, route in routed.get(name, {}).items():   # and the converted orders routing moves
            for text in books._pieces(path):
                for block in _moved(text, route):
                    side = block_side(block, receivables, fx_account)
                    if side is not None and side.currency != side.paid_in:
                        groups.update((link, {}) for link in _links(block) if link not in groups)
        if not groups:
            continue
        booked: dict[str, Side] = {}   # refund id -> the books' entry of it, split with its FX already
        for path in books.source_files(name):   # the books' entries of those orders first: what is written
            route = routed.get(name, {}).get(path)
            for text in books._pieces(path):
                if route is None:
                    blocks = _blocks_of(text, groups)
                else:   # every entry as routing leaves it: it may give one the link of its order
                    blocks = [b for b in map(route, _blocks(_lines([text]))) if not groups.keys().isdisjoint(_links(b))]
                for block in blocks:
                    side = block_side(block, receivables, fx_account, path)
                    if side is not None:
                        if side.fx:
                            booked.setdefault(side.ident, side)
                        for link in _links(block):
                            if link in groups:
                                groups[link].setdefault(side.ident, side)
        for _, out in mine:
            for entry in out.entries:
                if isinstance(entry, data.Transaction) and not groups.keys().isdisjoint(entry.links):
                    side = entry_side(entry, receivables, fx_account, out)
                    if side is not None:
                        for link in entry.links & groups.keys():
                            groups[link].setdefault(side.ident, side)
        splits: dict[str, Decimal] = {}   # refund id -> FX, of every copy the import read
        for sides in groups.values():
            found_one = closing(list(sides.values()))
            if found_one is None:
                continue
            refund, fx = found_one
            if isinstance(refund.where, Path):
                if closed is None:
                    from beanclear.periods.closed import closed_months
                    closed = closed_months(books.root)
                if refund.where.stem not in closed:
                    found.setdefault(refund.where, {})[refund.ident] = (refund.account, refund.currency, fx,
                                                                         fx_account)
                    used.add(fx_account)
            else:
                splits[refund.ident] = fx
                used.add(fx_account)
        for _, out in mine:
            # a refund read twice (a statement and its download again, a report in two
            # parts): each copy, whichever statement held its charge, and a copy of one the
            # books hold split already, as they hold it (fresh seed 34902: the part without
            # the charge booked it whole, "the same id with other amounts")
            copies = {i for e in out.entries if isinstance(e, data.Transaction)
                      and ((i := str(e.meta.get("id"))) in splits or i in booked)}
            if not copies:
                continue
            entries = like(out.entries)
            for entry in out.entries:
                ident = str(entry.meta.get("id")) if isinstance(entry, data.Transaction) else None
                if ident in copies:
                    side = entry_side(entry, receivables, fx_account, out)
                    fx = splits.get(ident)
                    was = booked.get(ident)
                    if fx is None and side is not None and was is not None and not side.fx \
                            and (side.account, side.currency) == (was.account, was.currency):
                        fx = side.number - was.number
                        used.add(fx_account)
                    if side is not None and not side.fx and fx:
                        entry = split(entry, side, fx, fx_account)
                entries.append(entry)
            out.entries = entries
    return found, frozenset(used)


def _links(block: str) -> list[str]:
    """The order links of an entry's first line."""
    return HEAD_LINK.findall(block.lstrip("\n").split("\n", 1)[0])


def _moved(text: str, route: functools.partial) -> list[str]:
    """The entries of a piece of a month file that routing moves (`route`: late_routes'
    _routed_block of the file's channel and moves), as it leaves them."""
    out = []
    for block in late_routes._candidates(text, route.args[0]):   # args[0]: the channel
        after = route(block)
        if after is not block:
            out.append(after)
    return out


def _blocks_of(text: str, links) -> list[str]:
    """The entries of `text` whose first line holds one of `links`."""
    out = []
    for found in HEAD_LINK.finditer(text):
        if found.group(1) not in links:
            continue
        start = _block_start(text, found.start())
        end = ENTRY_END.search(text, found.end())
        block = text[start:end.start() if end else len(text)]
        if not out or out[-1] != block:
            out.append(block)
    return out


def plan(found: dict[Path, dict[str, tuple]], changes: dict) -> int:
    """Add to `changes` the month files across() found, their refunds restated with their
    FX; returns how many are."""
    from beanclear.books import rewrite_blocks
    for path, refunds in found.items():
        rewrite_blocks(changes, path, functools.partial(_restated, refunds))
    return sum(map(len, found.values()))


def joined(block: str, receivables: tuple[str, ...], fx_account: str) -> str:
    """A refund's text with the FX posting this rule wrote just after its receivable line
    put back into that line, for an import that takes the order off the receivable
    (books/late_routes.py `back`, `shop: none` added): a sale of the channel settles no
    order's conversion, and its import books the refund as the statement says. Only
    lines as the import writes them (split(), _restated()); any other block as it is."""
    if f"\n  {fx_account} " not in block or not CUSTOMER_LINE.search(block):
        return block
    lines = block.split("\n")
    for at in range(1, len(lines) - 1):
        mine, fx = POSTING.match(lines[at]), POSTING.match(lines[at + 1])
        if mine and fx and mine.group(1) in receivables and fx.group(1) == fx_account \
                and mine.group(3) == fx.group(3):
            account, currency = mine.group(1), mine.group(3)
            number, moved = (Decimal(m.group(2).replace(",", "")) for m in (mine, fx))
            if (lines[at], lines[at + 1]) != (posting_line(account, number, currency),
                                              posting_line(fx_account, moved, currency)):
                return block   # a person's lines: theirs to change
            lines[at:at + 2] = [posting_line(account, number + moved, currency)]
            return "\n".join(lines)
    return block


def _restated(refunds: dict[str, tuple], block: str) -> str:
    """A refund of `refunds` with its FX posting after its receivable one, that line
    restated, where the line is as the import wrote it; any other block as it is."""
    if "  id: " not in block:
        return block
    ident = ID_LINE.search(block)
    wanted = refunds.get(_unescape(ident.group(1))) if ident else None
    if wanted is None:
        return block
    account, currency, fx, fx_account = wanted
    lines = block.split("\n")
    for at, line in enumerate(lines):
        found = POSTING.match(line)
        if found and found.group(1) == account and found.group(3) == currency:
            number = Decimal(found.group(2).replace(",", ""))
            if line != posting_line(account, number, currency):   # a person's line: theirs to change
                return block
            lines[at:at + 1] = [posting_line(account, number - fx, currency), posting_line(fx_account, fx, currency)]
            return "\n".join(lines)
    return block
