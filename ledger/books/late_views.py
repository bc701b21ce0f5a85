"""A channel's fund view booked first, replaced by its trade view when that comes.

WeChat Pay (交易账单 and 资金账单) and Alipay (业务明细 and 账务明细) list a payment, its fee
and its refunds in two statements (DESIGN.md §1 "Every view, once"). Importing both in
one command, the trade view books first: one entry per payment, net of its fee, with
its fee rate and discounts; the fund view's rows are then known by the channel's ids
(render.identities, `covers:`) and add nothing. Imported fund view first, the books
would hold its entries instead — the gross payment and a fee entry — and the trade
view, imported later, would find its money known: the same totals, other bytes. So the
import that brings trade-view rows whose money the books hold as fund-view entries
replaces those entries, in the same write, with what importing both together writes
(DESIGN.md §2 "Deterministic"):

    2026-03-01 * "WeChat Pay" "交易 WO1" ^order-WO1        ; the fund bill's, booked first
      id: "4200000001"
      fund-id: "F1"
      order-id: "WO1"
      Assets:Clearing:WeChat        200.00 CNY
      Income:Sales:WeChat          -200.00 CNY

    2026-03-01 * "WeChat Pay" "扣除交易手续费 WO1" ^order-WO1
      id: "fee 4200000001"
      ...

become, when the trade bill listing 4200000001 is imported,

    2026-03-01 * "Order WO1 / Tea" ^order-WO1
      id: "4200000001"
      covers: "fee 4200000001"
      fee-rate: "0.60%"
      ...

The fund view's entries are known by a metadata line the trade view never writes
(importers/base.py FundView: `fund-id` of WeChat's, `trade-id` of Alipay's); the books'
identity index says which month files hold them (Books.view_ids), and only those files
are read and rewritten. A trade entry replaces the fund-view entries that hold its
identities where importing both together would have booked nothing of them (each of
their identities the trade view shares is the trade entry's) and what they post to
the clearing account is what the trade entry posts there (with the part of it they do
not hold, render.unknown_part): the balance assertions the fund view wrote hold either
way (where the trade entry's day is another, they count it in flight: in_flight.py).
Otherwise, and where a person's work is at stake, the fund view's entries stay as they
are and the import says why:

- in a month closed by `beanclear close` (or the trade entry's month is closed);
- edited by a person beyond links and comments: its flag, tags, payee or narration,
  a posting moved to another account or given metadata. Links (but the order links
  the importers write) and comments, on any line, and metadata a person added are
  carried over into the replacement;
- named by an acknowledgment, follow-up or write-off (acks.beancount,
  writeoffs.beancount) by an id of it the replacement does not carry (Alipay's
  账务流水号): the decision would no longer find its finding;
- where one of them was moved by hand into a file of a person's own, keeping its `id:`
  line (Books.kept_by_hand): the books hold the money there, and no import rewrites it.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from beanclear.books import COVERS_LINE, ENTRY_START, ID_LINE, _blocks, _lines, _unescape, key_blocks, rewrite_blocks
from beanclear.books import render
from beanclear.books.edits import _comment_start
from beanclear.books.idset import Ids
from beanclear.checks.items import REF_KEYS, posted
from beanclear.books.spill import metas

# Metadata the fund views and the import's own later edits (late_refunds.py, late_routes.py,
# routing) write; any other key a person added, and is carried over.
WRITTEN = frozenset({"time", "id", "covers", "fund-id", "trade-id", "order-id", "refund-order-id", "fee-of",
                     "fee-back-of", "refund-of", "refund-id", "shop-order-id", "payout-id"})
DECISION_FILES = ("acks.beancount", "writeoffs.beancount")
META = re.compile(r"^[ \t]+([a-z][A-Za-z0-9_-]*):[ \t]*(.*?)[ \t]*$")
POSTING = re.compile(r"^[ \t]+([A-Z][^ \t]*)[ \t]+(-?[0-9][0-9.]*)[ \t]+([A-Z][A-Z0-9'._-]*)[ \t]*$")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t]*')
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]+(\S+)[ \t]*")


class Unheld:
    """The books' identities as a trade view's importer asks them (StatementImporter.held):
    an identity only fund-view entries hold is not held, so that its row is read into an
    entry that may replace them. `known`: Books.known; `view`: Books.view_ids."""

    __slots__ = ("known", "view")

    def __init__(self, known, view):
        self.known, self.view = known, view

    def __bool__(self) -> bool:
        return bool(self.known)

    def __contains__(self, ident) -> bool:
        return ident in self.known and ident not in self.view

    def get(self, ident, default=None):
        """What the books' entry of `ident` moves (Books.known's value: same_rows.py), or
        `default` where it is not held."""
        return default if ident in self.view else self.known.get(ident, default)


class Held(NamedTuple):
    """A fund-view entry of the books, as its text says: plain values, kept in an Ids
    (on disk past idset.LIMIT_IDS of them) while the import's trade entries come."""
    path: str
    identities: tuple[str, ...]  # its id first, then what its `covers:` names
    shared: tuple[str, ...]      # those the trade view books its money by
    clearing: Decimal            # what it posts to the channel's clearing account
    currency: str                # of that posting
    date: str                    # YYYY-MM-DD
    refs: tuple[str, ...]        # what a finding of it names (REF_KEYS), where a decision may name one
    keep: str | None             # why it stays as it is: an edit of a person's it cannot carry
    links: tuple[str, ...]       # links a person added
    lines: tuple[str, ...]       # comments and metadata lines a person added

    @property
    def ident(self) -> str:
        return self.identities[0]


@dataclass
class Source:
    """What one source's fund view holds that the import's trade view may replace."""
    view: object                 # importers/base.py FundView
    channel: object
    held: object                 # Books.view_ids
    names: object                # how its entries name the entries whose order they take (refund_orders.Names), or None
    blocks: Ids = field(default_factory=Ids)           # identity -> the Held holding it
    removals: dict = field(default_factory=dict)       # path -> Ids of the fund-view entries it loses
    repeats: bool = False                              # several statements of the trade view: a row twice
    gone: Counter = field(default_factory=Counter)     # (currency, day) -> what those posted to clearing


@dataclass
class Said:
    """What one trade-view statement of the import did to the fund view's entries."""
    replaced: int = 0                                  # its entries booked in place of fund-view ones
    removed: int = 0                                   # those fund-view entries
    files: set = field(default_factory=set)            # their month files
    carried: int = 0                                   # of its entries, with a person's links or comments
    left: Counter = field(default_factory=Counter)     # why -> its entries whose fund-view entries stay
    months: set = field(default_factory=set)           # the closed months of those left
    examples: dict = field(default_factory=dict)       # why -> an id of one left so


class Views:
    """The fund-view entries an import's trade-view entries replace (see above)."""

    def __init__(self, books, config):
        self.books, self.config = books, config
        self.sources: dict[str, Source] = {}
        self.said: dict[int, Said] = {}    # id() of a statement's FileResult -> what it did
        self._closed = None
        self._named = None
        self._months: dict[str, str] = {}

    # -- before the entries are booked -------------------------------------------------

    def prepare(self, name: str, importer, held, trades: list) -> None:
        """Read the fund-view entries of source `name` that the trade view's entries of the
        import (`trades`: their stores) name: only in the month files `held` (view_ids)
        says hold some of them, and only those entries."""
        if not held:
            return
        named, paths = Ids(), set()
        for entries in trades:
            for meta in metas(entries):
                if meta is None or "id" not in meta:
                    continue
                for identity in render.transaction_identities(meta):
                    where = held.get(identity)
                    if where is not None:
                        named.add(identity)
                        paths.add(where)
        if not paths:
            return
        source = self.sources[name] = Source(importer.fund_view, importer.source, held,
                                             getattr(importer, "names_orders", None), repeats=len(trades) > 1)
        decided = bool(self.named())
        for where in sorted(paths):
            for piece in self.books._pieces(Path(where)):
                for block in key_blocks(piece, source.view.key):
                    if not any(i in named for i in _identities(block)):
                        continue
                    found = parse(block, where, source, self.config, decided)
                    if found is not None:
                        for identity in found.identities:
                            source.blocks.add(identity, found)

    # -- as they are booked ------------------------------------------------------------

    def swap(self, name: str, entry, ids: list[str], known, whose) -> tuple | None:
        """(the entry to book, its text or None for render's) where the trade-view `entry`
        (its identities `ids`) of statement `whose` (its FileResult) replaces fund-view
        entries of the books; None where it does not (then the import books what the
        books lack of it, as ever)."""
        source = self.sources.get(name)
        if source is None or not isinstance(entry, data.Transaction):
            return None
        blocks, found, elsewhere, own = source.blocks, {}, False, self.books.kept_by_hand(name)
        for identity in ids:
            block = blocks.get(identity)
            if block is not None:
                found[(block.path, block.identities[0])] = block
            elif identity in known:   # held, but by no fund-view entry read here
                elsewhere = "own" if identity in own else elsewhere or "disagree"
        if not found:
            return None
        found = list(found.values())
        if source.repeats and any(b.ident in source.removals.get(b.path, ()) for b in found):
            return None   # replaced already, by the same row of another statement
        said = self.said.setdefault(id(whose), Said())
        why = elsewhere or self._why_not(source, entry, ids, found, said)
        if why is not None:
            said.left[why] += 1
            edit = next((b.keep for b in found if b.keep), None) if why == "edited" else None
            said.examples.setdefault(why, entry.meta["id"] + (f", {edit}" if edit else ""))
            return None
        for block in found:
            removals = source.removals.get(block.path)
            if removals is None:
                removals = source.removals[block.path] = Ids()
            removals.update((block.identities[0],))
            source.gone[(block.currency, block.date)] += block.clearing
            said.files.add(block.path)
        said.replaced += 1
        said.removed += len(found)
        links = {l for b in found for l in b.links} - set(entry.links)
        lines = [line for b in found for line in b.lines]
        if not links and not lines:
            return entry, None
        said.carried += 1
        entry = entry._replace(links=frozenset(entry.links | links))
        text = render.entry_text(entry).splitlines(keepends=True)
        at = next((i for i, line in enumerate(text) if i and not META.match(line)), len(text))
        text[at:at] = lines
        return entry, "".join(text)

    def _why_not(self, source: Source, entry, ids, found, said: Said) -> str | None:
        """Why the fund-view entries `found` stay, though trade entry `entry` names them."""
        twice = source.held.twice
        if twice and any(i in twice for i in ids):
            return "disagree"    # an identity two fund-view entries hold
        mine = set(ids)
        if any(not mine.issuperset(b.shared) for b in found):
            return "disagree"    # importing both together would book part of them
        closed = self.closed()
        if closed:
            months = {self._month(b.path) for b in found} | {entry.date.strftime("%Y-%m")}
            if months & closed.keys():
                said.months.update(months & closed.keys())
                return "closed"
        if any(b.keep for b in found):
            return "edited"
        named = self.named()
        if named and {r for b in found for r in b.refs} - _refs(entry.meta) & named:
            return "named"
        clearing = source.channel.accounts.clearing
        part = render.unknown_part(entry, {i for b in found for i in b.identities}, ids)
        rest = posted(part, clearing) if part is not None else Decimal(0)
        if sum((b.clearing for b in found), rest) != posted(entry, clearing):
            return "disagree"    # the views differ on the money (or a person changed an amount)
        return None

    def _month(self, path: str) -> str:
        month = self._months.get(path)
        if month is None:
            month = self._months[path] = Path(path).stem
        return month

    def closed(self) -> dict:
        if self._closed is None:
            from beanclear.periods.closed import closed_months
            self._closed = closed_months(self.books.root)
        return self._closed

    def named(self) -> set[str]:
        """Every string the decision files hold (acknowledgments, follow-ups name a finding
        by one of its refs; a write-off's `settles:` names them, a space between)."""
        if self._named is None:
            self._named = set()
            for name in DECISION_FILES:
                path = self.books.root / name
                if path.exists():
                    for value in QUOTED.findall(path.read_text(encoding="utf-8")):
                        value = _unescape(value)
                        self._named.add(value)
                        self._named.update(value.split(" "))
        return self._named

    def fund_date(self, name: str, identity: str) -> str | None:
        """The day (YYYY-MM-DD) of the fund-view entry of source `name` holding `identity`
        that the import read to replace: the trade entry that replaces it says it where it
        is its own day (books/in_flight.py)."""
        source = self.sources.get(name)
        block = source.blocks.get(identity) if source is not None else None
        return block.date if block is not None else None

    def removed_before(self, account: str, currency: str, date) -> Decimal:
        """What the fund-view entries the import removes posted to an account before a day
        (what an opening implied by the first balance after it must not count)."""
        day = str(date)
        return sum((number for source in self.sources.values() if source.channel.accounts.clearing == account
                    for (of, when), number in source.gone.items() if of == currency and when < day), Decimal(0))

    # -- the write -----------------------------------------------------------------------

    def plan(self, changes: dict) -> int:
        """Add to `changes` the month files that lose fund-view entries; how many. Called
        before Books.plan merges the new entries into the same files."""
        files = 0
        for source in self.sources.values():
            for path, idents in sorted(source.removals.items()):
                rewrite_blocks(changes, Path(path), functools.partial(_removed, source.view.key, idents))
                files += 1
        return files

    def late(self, late):
        """`late` (late_routes.Late, with its refunds) without what only the fund-view
        entries this import removes would have had: their refunds placed, their sales moved
        (the trade view's entries that replace them come placed and routed). Only the
        summary's counts depend on it: a removed entry is not there to change."""
        removals = {Path(path): (source, idents) for source in self.sources.values()
                    for path, idents in source.removals.items()}
        touched = removals.keys() & (late.refunds.keys() | late.files.keys())
        if not touched:
            return late
        waiting: dict[Path, set] = {}
        routed: dict[Path, set] = {}
        for path in touched:   # what the entries that stay still wait for
            source, idents = removals[path]
            waiting[path], routed[path] = set(), set()
            for piece in self.books._pieces(path):
                for block in _blocks(_lines([piece])):
                    if not ENTRY_START.match(block) or _removed(source.view.key, idents, block) != block:
                        continue
                    if source.names and (wait := _waiting(block, source.names)):
                        waiting[path].add(wait)
                    if f"\n  {source.channel.accounts.sales} " in block and (order := _routed(block, source.channel)):
                        routed[path].add(order)
        refunds = {path: (channel, kept, *rest) for path, (channel, entries, *rest) in late.refunds.items()
                   if (kept := entries if path not in touched else
                       {i: v for i, v in entries.items() if i in waiting[path]})}
        files = {path: (channel, kept, *rest) for path, (channel, moves, *rest) in late.files.items()
                 if (kept := moves if path not in touched else {o: r for o, r in moves.items() if o in routed[path]})}
        return late._replace(files=files, refunds=refunds)

    # -- what the import says ----------------------------------------------------------

    def notes(self, whose) -> list[str]:
        """What statement `whose` (its FileResult) did to the fund view's entries, for its summary."""
        said = self.said.get(id(whose))
        if said is None:
            return []
        out = []
        if said.replaced:
            out.append(f"{said.replaced} payment(s), refund(s) or fee(s) the books held as the fund view's "
                       f"{said.removed} entr{'y' if said.removed == 1 else 'ies'} now booked from this statement, as "
                       f"importing both views in one command books them ({len(said.files)} month file(s) rewritten)"
                       + (f"; the links and comments a person added to {said.carried} of them carried over"
                          if said.carried else ""))
        left, examples = said.left, said.examples
        if left["closed"]:
            out.append(f"{left['closed']} row(s) whose money the fund view booked in closed month(s) "
                       f"{', '.join(sorted(said.months))} left as the fund view booked it (e.g. {examples['closed']}; "
                       "to book it as importing both views together does: beanclear reopen, then import this "
                       "statement again with --force)")
        if left["edited"]:
            out.append(f"{left['edited']} row(s) whose fund-view entries a person edited (beyond links and comments) "
                       f"left as they are (e.g. {examples['edited']}; to book it as importing both views together "
                       "does: undo the edit, then import this statement again with --force)")
        if left["named"]:
            out.append(f"{left['named']} row(s) whose fund-view entries an acknowledgment, follow-up or write-off "
                       f"names by an id the trade view does not write left as they are (e.g. {examples['named']}; "
                       "name the finding by this id instead, then import this statement again with --force)")
        if left["own"]:
            out.append(f"{left['own']} row(s) whose money the books hold in part in a file of your own (an entry "
                       f"moved there, keeping its `id:` line) left as they hold it, with the fund view's other "
                       f"entries of it (e.g. {examples['own']})")
        if left["disagree"]:
            out.append(f"{left['disagree']} row(s) on which the fund view booked other money or other ids left as "
                       f"the fund view booked them (e.g. {examples['disagree']})")
        return out


def _identities(block: str) -> list[str]:
    """render.identities of an entry's text: its `id` and what its `covers:` names."""
    ident, covers = ID_LINE.search(block), COVERS_LINE.search(block)
    if ident is None:
        return []
    return [_plain(ident.group(1)), *render.covered(_plain(covers.group(1)) if covers else "")]


def _plain(text: str) -> str:
    """A quoted string's text (its escapes undone: rarely any)."""
    return _unescape(text) if "\\" in text else text


def _refs(meta: dict) -> set[str]:
    """Where a finding's refs come from (checks/clearing.py REF_KEYS): a decision names one of them."""
    return {str(meta[k]) for k in REF_KEYS if meta.get(k)}


def _waiting(block: str, names) -> str | None:
    """The id of an entry that waits for the order of the entry it names (late_refunds.py)."""
    from beanclear.books.late_refunds import _named
    found = _named(block, names) if any(f"  {key}:" in block for key in names.in_books()) else None
    return found[0] if found else None


def _routed(block: str, channel) -> str | None:
    from beanclear.books.late_routes import _named
    return _named(block, channel)[0]


def entry_lines(block: str) -> tuple[list[str], list[str]]:
    """A block's lines as (the entry's: its first line and the indented ones after it,
    what comes after: the blank line that ends it, a person's lines at the margin)."""
    lines = block.splitlines(keepends=True)
    at = 1
    while at < len(lines) and lines[at][:1] in (" ", "\t"):
        at += 1
    return lines[:at], lines[at:]


def _removed(key: str, idents, block: str) -> str:
    """A block as the write leaves it: gone where it is a fund-view entry (a `key:` line)
    whose id is in `idents`, but the lines a person wrote at the margin after it."""
    if not ENTRY_START.match(block) or f"  {key}:" not in block:
        return block
    found = ID_LINE.search(block)
    if found is None or _plain(found.group(1)) not in idents:
        return block
    _, after = entry_lines(block)
    if after and not after[0].strip():
        after = after[1:]
    return "".join(after)


def parse(block: str, path: str, source: Source, config, decided: bool = True) -> Held | None:
    """A fund-view entry's text as Held, or None where it is no transaction with an id.
    `decided`: whether decisions name anything (else its refs are not kept)."""
    view, accounts = source.view, source.channel.accounts
    lines, _ = entry_lines(block)
    head = lines[0].rstrip("\n")
    cut = _comment_start(head) if ";" in head else len(head)
    keep, carried = None, []
    if head[cut:].strip():
        carried.append("  " + head[cut:].strip() + "\n")
    found = HEAD.match(head[:cut])
    if found is None:
        return None
    flag, rest = found.group(2), head[found.end():cut]
    strings = []
    while (string := STRING.match(rest)) is not None:
        strings.append(_plain(string.group(1)))
        rest = rest[string.end():]
    words = rest.split()
    links = tuple(w[1:] for w in words if w.startswith("^"))
    if flag != "*":
        keep = "its flag"
    elif len(strings) != 2 or any(not w.startswith("^") for w in words):
        keep = "its first line"
    elif (view.payee and strings[0] != view.payee) or strings[1].split(" ")[0] not in view.kinds:
        keep = "its payee or narration"
    meta: dict[str, str] = {}
    clearing, fees, posted, currency = Decimal(0), Decimal(0), False, ""
    allowed = {accounts.clearing, accounts.sales, accounts.fees, accounts.discounts}
    allowed |= {shop.accounts.receivable for shop in config.shops.values()} if config is not None else set()
    for line in lines[1:]:
        text = line.rstrip("\n")
        cut = _comment_start(text) if ";" in text else len(text)
        comment, body = text[cut:].strip(), text[:cut]
        if comment:
            carried.append("  " + comment + "\n")
        if not body.strip():
            continue
        item = META.match(body)
        if item is not None:
            if posted:
                keep = keep or "a posting's metadata"
            elif item.group(1) in WRITTEN:
                value = QUOTED.fullmatch(item.group(2))
                meta[item.group(1)] = _plain(value.group(1)) if value else item.group(2)
            else:
                carried.append("  " + body.strip() + "\n")
            continue
        posting = POSTING.match(body)
        if posting is None or posting.group(1) not in allowed:
            keep = keep or "a posting"
            continue
        posted = True
        try:
            number = Decimal(posting.group(2))
        except InvalidOperation:
            keep = keep or "a posting"
            continue
        if posting.group(1) == accounts.clearing:
            clearing += number
            if currency and currency != posting.group(3):
                keep = keep or "a posting"
            currency = posting.group(3)
        elif posting.group(1) == accounts.fees:
            fees += number
    ident = meta.get("id")
    if not ident:
        return None
    covers = render.covered(meta.get("covers", ""))
    identities = (ident, *covers)
    shared = covers if view.own_ids else identities
    if not fees:   # a fee identity it names without booking a fee (a refund that returned none)
        shared = [i for i in shared if not i.startswith(("fee ", "fee-back "))] or shared
    return Held(path, identities, tuple(shared), clearing, sys.intern(currency), found.group(1),
                tuple(_refs(meta)) if decided else (), keep, tuple(l for l in links if not l.startswith("order-")),
                tuple(carried))
