"""A row two statements of a channel list: one entry, saying what both say.

Stripe lists a balance transaction in its itemized reports (CSV, whose
`automatic_payout_id` names the payout that settles it) and in its API (JSON, whose
`fee_details` name the parts of its fee). Each books the row by its `txn_…` id, and the
second to come found it known: the books said the payout or the fee's parts as the file
imported first did, other bytes in the other order, and the clearing check proved a
payout against the items the report had booked only. So the entry of a row two
statements hold carries the metadata and links of both (importers/base.py SharedRows),
each key added in its place among the others, the same bytes whichever came first
(DESIGN.md §2 "Deterministic"); of a key both give, the first's value stays.

    2026-01-04 * "Order #4002" ^order-4002 ^payout-po_R4X        ; the report's, booked first
      time: "12:00:00"
      id: "txn_R4B"
      stripe-category: "charge"
      source-id: "ch_R4B"
      order-id: "4002"
      payout-id: "po_R4X"
      ...

gains `fee-details: "stripe_fee 85 JPY"` before its `order-id` when the API's response
listing txn_R4B is imported; imported the other way round, the API's entry gains the
payout's link and `payout-id`: the same entry.

An entry with the channel's `guess:` line stands for a row no statement held: a payout
reconciliation report lists a payout's items, not the payout, which is booked as the
sum of them under the payout's id (`payout-total: "sum of its items"`). A report of the
days before a payout holds some of its items only: the payout's own row (the API's, a
later report's) replaces the guess when it comes, and one the books hold already leaves
it unbooked. So does Alipay's app bill to the web export's entry of a trade both list
(`method: "unknown"`: which account paid it, the web export cannot say), and to one the
web export wrote before its entries said so (no `method:` where the app bill states one).

Two entries of one row that move other money are not two views of one movement but a
contradiction (README "once"): the import stops (exit 2) naming both lines. In one
import, the statements' entries of a row are folded into the first before anything is
booked (fold); against the books, the import reads the books' entries of the rows it
brings (Rows.prepare) and books, in place of one, what both say (Rows.meet), unless it is
in a closed month or a person edited it beyond what an import writes: then it stays as
it is, and the import says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.books import ENTRY_START, ID_LINE, _unescape, render, rewrite_blocks
from beanclear.books.idset import Ids
from beanclear.books.late_views import HEAD, META, POSTING, QUOTED, STRING, entry_lines
from beanclear.books.spill import like, metas
from beanclear.importers.toolkit import StatementError

KEY = re.compile(r"^[ \t]+([a-z][A-Za-z0-9_-]*):", re.M)
LINK = re.compile(r"\^(\S+)")


def shared_rows(importer):
    """The importer's SharedRows, or None where its rows are no other statement's."""
    return getattr(importer, "shared_rows", None)


def merged(first, second, shared, first_at, accounts):
    """The entry of a row booked as `first` (earlier in the import, or in the books: at
    `first_at()`, a file and line) that `second` lists too: None where `second` says
    nothing `first` does not. A guess gives way to a row; two entries of other money are
    a contradiction (StatementError on `second`'s line, naming `first_at()`).

    Money is compared on what the statements state (`accounts`, the channel's
    ChannelAccounts: every account of its own but the sales account), as books/same_rows.py
    compares the rows of other channels: the other side is the import's to decide, and one
    import may know more than the one before it (a shop's export that routes a refund to
    its receivable, with its FX: fresh seed 34902). There the later entry's postings are
    booked, as one import of every file books them."""
    if shared.guessed(second.meta):
        return None   # the row, or as good a guess, is there already
    if shared.guessed(first.meta):
        return second
    if shared.guess_is and shared.guess in second.meta and shared.guess not in first.meta:
        # (a guess of books written before guesses said so: Alipay's web export's entry
        # without its `method:`, which the app bill's entry, stating it, replaces)
        return second
    if _money(first, accounts) != _money(second, accounts):
        raise StatementError(second.meta.get("filename", ""), second.meta.get("lineno", 0),
                             f"id {second.meta['id']!r} again, as on {first_at()}, but with other amounts "
                             f"({_text(second)} against {_text(first)}): one row of the channel is one movement")
    postings = first.postings if _money(first) == _money(second) else second.postings
    keys = [k for k in first.meta if _shown(k)]
    added = [k for k in second.meta if _shown(k) and k not in first.meta]
    narration = fuller(first.narration, second.narration)
    payee = first.payee or second.payee
    time = finer_time(first.meta.get("time"), second.meta.get("time"))
    if not added and second.links <= first.links and narration == first.narration and payee == first.payee \
            and postings is first.postings and time == first.meta.get("time"):
        return None
    rank = {key: at for at, key in enumerate(shared.order)}
    for key in added:   # before the first key of the channel's order that comes after it
        at = rank.get(key, len(rank))
        keys.insert(next((i for i, k in enumerate(keys) if rank.get(k, -1) > at), len(keys)), key)
    meta = {k: v for k, v in first.meta.items() if not _shown(k)}
    meta.update((k, first.meta[k] if k in first.meta else second.meta[k]) for k in keys)
    if time is not None:
        meta["time"] = time
    return first._replace(meta=meta, links=first.links | second.links, narration=narration, payee=payee,
                          postings=postings)


def fuller(first: str, second: str) -> str:
    """Of two views' narrations of one row, the one that says the other and more: PayPal's
    activity download adds the row's Subject or Item Title (`Express Checkout Payment / Tea
    gift box`) to the type its monthly statement gives alone. Else the first's."""
    return second if second.startswith(first + " / ") else first


def finer_time(first: str | None, second: str | None) -> str | None:
    """Of two views' times of one row, the first's; but of two in the same minute, the
    later: Stripe's legacy export gives minutes (`16:40`, booked `11:40:00`), its API
    seconds (`11:40:25`), and whichever came first, the books say the seconds (blind30
    stripeviews: the books differed by import order in `time:` alone)."""
    if first is None or second is None or first[:5] != second[:5]:
        return first if first is not None else second
    return max(first, second)


def _shown(key: str) -> bool:
    return key not in render.HIDDEN_META and key[:1] != "_"


def _money(entry, accounts=None) -> list:
    """What an entry moves, whatever accounts it moves it between (a person books a line
    elsewhere: the same money); with `accounts` (ChannelAccounts), what it moves on the
    channel's own accounts but its sales account, which an import may route elsewhere."""
    return sorted((p.units.number, p.units.currency) for p in entry.postings
                  if accounts is None or _stated(p.account, accounts))


def _stated(account: str, accounts) -> bool:
    return account != accounts.sales and (account in vars(accounts).values() or accounts.is_fee(account))


def _text(entry) -> str:
    return ", ".join(f"{p.account} {p.units.number} {p.units.currency}" for p in entry.postings)


def _at(entry) -> str:
    return f"{Path(entry.meta.get('filename', '')).name}:{entry.meta.get('lineno', 0)}"


def fold(live: list) -> None:
    """In one import, the entries of a row two or more statements of a channel list
    folded into the first (in the order the import books them): the others are then
    known, and add nothing. `live`: the import's FileResults, in that order."""
    by_source: dict[str, list] = {}
    for result in live:
        if shared_rows(result.importer) is not None:
            by_source.setdefault(result.importer.source.name, []).append(result)
    for results in by_source.values():
        if len(results) < 2:
            continue
        first, repeated = Ids(), Ids()   # id -> the statement that lists it first; those listed again
        for at, result in enumerate(results):
            for meta in metas(result.extraction.entries):
                if meta is not None and "id" in meta and not first.add(meta["id"], at) and first.get(meta["id"]) != at:
                    repeated.add(meta["id"])
        if not repeated:
            continue
        shared, rows = shared_rows(results[0].importer), {}
        for result in results:   # each row's entry as the statements so far say it
            said = 0
            for entry in result.extraction.entries:
                ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
                if ident is None or ident not in repeated:
                    continue
                if ident not in rows:
                    rows[ident] = entry
                    continue
                both = merged(rows[ident], entry, shared, functools.partial(_at, rows[ident]),
                              result.importer.source.accounts)
                if both is not None:
                    rows[ident] = both
                    said += 1
            if said:
                result.notes.append(f"{said} of its rows listed by a statement before it in this import too: booked "
                                    f"once, saying what both say ({shared.adds})")
        for at, result in enumerate(results):
            entries, changed = result.extraction.entries, False
            kept = like(entries)
            for entry in entries:
                ident = entry.meta.get("id") if isinstance(entry, data.Transaction) else None
                if ident is not None and ident in rows and first.get(ident) == at:
                    changed |= rows[ident] is not entry
                    entry = rows[ident]
                kept.append(entry)
            if changed:
                result.extraction.entries = kept


@dataclass
class Left:
    """What one statement of the import did to the books' entries of the rows it lists."""
    completed: int = 0                                 # entries that now say what both say
    replaced: int = 0                                  # guesses its rows replaced
    left: Counter = field(default_factory=Counter)     # why -> entries left as they are
    examples: dict = field(default_factory=dict)       # why -> the id of one of them


class Rows:
    """The books' entries of rows an import's statements list too (see above)."""

    def __init__(self, books):
        self.books = books
        self.held: dict[str, Ids] = {}         # source -> id -> (path, line, the entry's text)
        self.done = Ids()                      # ids booked anew: later statements' rows of them add nothing
        self.removals: dict[str, set] = {}     # month file -> the ids of the entries it loses
        self.said: dict[int, Left] = {}        # id() of a statement's FileResult -> what it did
        self._closed = None

    def prepare(self, live: list, seen: dict) -> None:
        """Read the books' entries of the rows the import's statements of channels with
        SharedRows list (`seen`: source -> Books.known, before anything is booked) that
        an entry of the import says more or other of: a guess, one without a metadata key
        or link of the import's, or of other money (what needs no parse: a row read again
        finds none)."""
        for name in dict.fromkeys(r.importer.source.name for r in live if shared_rows(r.importer) is not None):
            theirs = [r for r in live if r.importer.source.name == name and shared_rows(r.importer) is not None]
            shared, known, named = shared_rows(theirs[0].importer), seen.get(name), Ids()
            for result in theirs:   # (a pass over the ids alone: most imports bring no row the books hold)
                named.update(meta["id"] for meta in metas(result.extraction.entries) if meta is not None
                             and "id" in meta and meta["id"] in known and not shared.guessed(meta))
            if not named:
                continue
            wanted = Ids()   # id -> (its keys, its links, what it moves) in the import
            for result in theirs:
                for meta, links, money, head in _said(result.extraction.entries, named):
                    wanted.add(meta["id"], (tuple(k for k in meta if _shown(k)), links, money, head))
            held = self.held[name] = Ids()
            for path, line, ident, block in self.books.entry_blocks(name, wanted.__contains__):
                block = block.lstrip("\n")
                lines, _ = entry_lines(block)
                keys, links, money, head = wanted.get(ident)
                if _adds(lines, keys, links, shared, head) or _moved(lines) != money:
                    held.add(ident, (str(path), line, block))

    def meet(self, name: str, entry, shared, whose):
        """What to book in place of the books' entry of `entry`'s row, which the import
        found known: the entry saying what both say (the books' then go, plan()), or None
        where the books' says it all already or stays as it is. `whose`: the statement's
        FileResult."""
        held = self.held.get(name)
        ident = entry.meta["id"]
        found = held.get(ident) if held else None
        if found is None or ident in self.done:
            return None
        where, line, block = found
        lines, _ = entry_lines(block)
        said = self.said.setdefault(id(whose), Left())
        first = _parsed(lines)
        if first is None or render.entry_text(first) != "".join(lines).rstrip("\n") + "\n":
            # (a person's edit of an entry the row adds nothing to, a comment on a posting, is no news)
            adds = _adds(lines, [k for k in entry.meta if _shown(k)], entry.links, shared, _head(entry))
            return self._left(said, "edited", ident) if adds else None
        root = self.books.root
        both = merged(first, entry, shared, lambda: f"{Path(root.name) / Path(where).relative_to(root)}:{line}",
                      whose.importer.source.accounts)
        if both is None:
            return None
        closed = self.closed()
        if closed and {Path(where).stem, both.date.strftime("%Y-%m")} & closed.keys():
            return self._left(said, "closed", ident)
        self.removals.setdefault(where, set()).add(ident)
        self.done.add(ident)
        if both is entry:
            said.replaced += 1
            return both
        said.completed += 1   # booked by this statement: its file and line, not the books'
        return both._replace(meta={**both.meta, "filename": entry.meta.get("filename"),
                                   "lineno": entry.meta.get("lineno")})

    def _left(self, said: Left, why: str, ident: str) -> None:
        self.done.add(ident)   # said once, whichever statements list it
        said.left[why] += 1
        said.examples.setdefault(why, ident)
        return None

    def closed(self) -> dict:
        if self._closed is None:
            from beanclear.periods.closed import closed_months
            self._closed = closed_months(self.books.root)
        return self._closed

    def removed_before(self, account: str, currency: str, date) -> Decimal:
        """What the books' entries the import's rows replace posted to an account in a
        currency before a day (what an opening implied by the first balance after it must
        not count twice: the replacement counts it)."""
        day, total = date.isoformat(), Decimal(0)
        for path, idents in self.removals.items():
            for ident in idents:
                found = next((held.get(ident) for held in self.held.values() if held.get(ident)), None)
                if found is None or found[2][:10] >= day:
                    continue
                lines, _ = entry_lines(found[2])
                total += sum((Decimal(n) for a, n, c in map(_posting, lines[1:]) if a == account and c == currency),
                             Decimal(0))
        return total

    def plan(self, changes: dict) -> None:
        """Add to `changes` the month files whose entries an import's rows replace, those
        entries out (the import books what replaces them). Called before Books.plan."""
        for path, idents in sorted(self.removals.items()):
            rewrite_blocks(changes, Path(path), functools.partial(_removed, idents))

    def notes(self, whose) -> list[str]:
        """What statement `whose` (its FileResult) did to the books' entries of its rows."""
        said = self.said.get(id(whose))
        if said is None:
            return []
        out = []
        if said.completed:
            out.append(f"{said.completed} entr{'y' if said.completed == 1 else 'ies'} of rows another statement "
                       "booked before now say what both say (a payout link, fee details, a subject), as importing both "
                       "in either order books them")
        if said.replaced:
            out.append(f"{said.replaced} {shared_rows(whose.importer).replaces}")
        if said.left["edited"]:
            out.append(f"{said.left['edited']} entr(ies) of its rows that a person edited left as they are, without "
                       f"what this statement adds (e.g. {said.examples['edited']})")
        if said.left["closed"]:
            out.append(f"{said.left['closed']} entr(ies) of its rows in closed months left as they are (e.g. "
                       f"{said.examples['closed']}; to complete them: beanclear reopen, then import this statement "
                       "again with --force)")
        return out


def _said(entries, named):
    """(metadata, links, what it moves, its payee and narration) of the transactions of a
    statement's store whose id is among `named`."""
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("id") in named:
            yield entry.meta, tuple(entry.links), _money(entry), _head(entry)


def _head(entry) -> tuple[str | None, str]:
    return entry.payee, entry.narration


def _adds(lines: list[str], keys, links, shared, head=(None, "")) -> bool:
    """Whether a row of metadata `keys` and `links`, and of `head` (its payee and
    narration), says more than the entry of the books whose lines are `lines`
    (entry_lines): a key or link it lacks, a payee where it has none, a narration that says
    its own and more (fuller), or a row where it is a guess."""
    return any(map(shared.guessed_line, lines)) \
        or not set(KEY.findall("".join(lines[1:]))) >= set(keys) \
        or not set(LINK.findall(lines[0].split(";")[0])) >= set(links) \
        or _says_more(lines[0], *head)


def _says_more(first_line: str, payee: str | None, narration: str) -> bool:
    """Whether a row's payee or narration says more than the books' entry whose first line
    is `first_line`: read only where its strings are not those of the row."""
    quoted = [render.quote(text) for text in (payee, narration) if text]
    if all(q in first_line for q in quoted):
        return False
    found = _strings(first_line)
    if found is None or not 1 <= len(found[1]) <= 2:
        return False
    strings = found[1]
    held_payee, held_narration = strings[0] if len(strings) == 2 else None, strings[-1]
    return bool(payee and not held_payee) or fuller(held_narration, narration) != held_narration


def _strings(first_line: str) -> tuple | None:
    """(the HEAD match, the quoted strings, the rest) of an entry's first line; None where
    it is no entry's head."""
    found = HEAD.match(first_line)
    if found is None:
        return None
    rest, strings = first_line[found.end():].rstrip("\n"), []
    while (string := STRING.match(rest)) is not None:
        strings.append(_unescape(string.group(1)))
        rest = rest[string.end():]
    return found, strings, rest


def _moved(lines: list[str]) -> list:
    """_money() of an entry's lines, read from its posting lines."""
    return sorted((Decimal(n), c) for _, n, c in map(_posting, lines[1:]) if n)


def _posting(line: str) -> tuple:
    """(account, number, currency) of a posting line, ("", "", "") of another line."""
    found = POSTING.match(line.rstrip("\n"))
    return found.groups() if found else ("", "", "")


def _parsed(lines: list[str]):
    """The transaction of an entry's lines (entry_lines) as an import writes one: quoted
    strings, quoted metadata, postings of a number and a currency; None for anything else
    (render.entry_text of it is then not its text: what Rows.meet tells a person's edit by)."""
    head = _strings(lines[0])
    if head is None:
        return None
    found, strings, rest = head
    words = rest.split()
    if not 1 <= len(strings) <= 2 or any(w[:1] not in "^#" for w in words):
        return None
    meta: dict = {"filename": "", "lineno": 0}
    postings = []
    for line in lines[1:]:
        item = META.match(line) if not postings else None
        if item is not None:
            value = QUOTED.fullmatch(item.group(2))
            if value is None:
                return None
            meta[item.group(1)] = _unescape(value.group(1))
            continue
        account, number, currency = _posting(line)
        if not account:
            return None
        postings.append(data.Posting(account, Amount(Decimal(number), currency), None, None, None, None))
    return data.Transaction(meta, dt.date.fromisoformat(found.group(1)), found.group(2),
                            strings[0] if len(strings) == 2 else None, strings[-1],
                            frozenset(w[1:] for w in words if w[0] == "#"),
                            frozenset(w[1:] for w in words if w[0] == "^"), postings)


def _removed(idents: set, block: str) -> str:
    """A block as the write leaves it: gone where it is the entry of one of `idents`, but
    the lines a person wrote at the margin after it."""
    if not ENTRY_START.match(block):
        return block
    found = ID_LINE.search(block)
    if found is None or _unescape(found.group(1)) not in idents:
        return block
    _, after = entry_lines(block)
    if after and not after[0].strip():
        after = after[1:]
    return "".join(after)
