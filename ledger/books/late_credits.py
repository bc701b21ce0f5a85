"""Bank credits that several channels' texts fit, booked on the transit account of the
channel whose payout they are (checks/transit.py `pooled`), whatever the import order.

Two Alipay accounts withdrawing to one bank are both `支付宝提现` there; two PayPal or
Stripe accounts alike. The bank's importer reads a line's text only, and books every such
credit on the first of them (importers/banking.py explaining_account); the check judges
each credit for its own channel (`pooled`: the payout its text names, else the earliest
open payout of its amount, ...). So the books held one transit account below zero and
the other above, and the month report's money in transit per channel was wrong, until a
person linked each credit.

Now the import asks `pooled` about every such credit, those it brings and those the books
hold, given the books and the import's entries together, each credit placed where the
bank's importer books it (its decision then depends on the entries alone, never on an
earlier import's), and:

- books a new credit on the transit account of the channel `pooled` gives it;
- moves the transit posting line of a credit already in the books where a statement it
  brings (the second account's payouts) changes that channel, in the same write:

    2026-03-06 * "支付宝（中国）网络技术有限公司" "支付宝提现"
      id: "L-B"
      Assets:Bank:Ops                            50.00 CNY
      Assets:Transit:AlipayA                    -50.00 CNY   ->  Assets:Transit:AlipayB

Only a line on the transit account of one of the channels its text fits moves (one a
person booked elsewhere stays, and a credit linked to a payout, `^payout-…` by `match`,
`link` or a person, is that payout's); not an entry in a person's own file, nor in a
month closed by `beanclear close`: those are counted, and the import says so.

A bank debit several channels' texts fit (a top-up of the second of two PayPal accounts
from the bank: blind20 paypalheavy, `Aufladung 7HWAWBEWDJMSY1478` naming ppde's deposit,
was booked on ppus's transit account) is booked and moved the same way, to the channel
whose top-up `pooled` judges it (pooled._debit_moves).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from beancount.core import data
from beancount.parser import parser

from beanclear.books.disk import ENTRY_END, ID_LINE, _block_start, _unescape, rewrite_blocks
from beanclear.books.edits import rebook
from beanclear.books.spill import like
from beanclear.checks.items import Item, posted, postings_by_account
from beanclear.checks.pooled import pooled
from beanclear.config.model import Bank, Channel
from beanclear.importers.banking import explaining_account
from beanclear.periods.closed import closed_months


class Moves(NamedTuple):
    """What find() found: month file -> {entry id: (the transit account its credit is on,
    the one it goes to)}; how many credits the import books elsewhere than the bank's text
    says; and how many credits of the books it left, by why."""
    files: dict
    booked: int
    left: Counter
    source: str | None = None   # the first source of the import they are of: its summary says it
    booked_in: str | None = None   # the first source of the import whose credits it books elsewhere (a bank's)
    debits: bool = False   # whether bank debits (top-ups of a channel) are among them: the notes say "line(s)"


NONE = Moves({}, 0, Counter())


def find(read: list, books) -> Moves:
    """Once an import has read its files (`read`: (importer, extraction) pairs): its bank
    credits that several channels at their bank fit booked on the channel `pooled` gives
    them (in the extractions, before anything is written), and the books' credits that
    now go to another channel than they are booked on (for plan())."""
    config = next((importer.config for importer, _ in read if getattr(importer, "config", None) is not None), None)
    if config is None:
        return NONE
    paying: dict[str, list] = {}   # bank name -> the channels paying into it
    for channel in config.channels.values():
        for name in channel.payout_banks:
            paying.setdefault(name, []).append(channel)
    shared_banks = {name for name, channels in paying.items() if len(channels) > 1 and name in config.banks}
    shared = [ch for ch in config.channels.values() if set(ch.payout_banks) & shared_banks]
    if not shared:
        return NONE
    names = {ch.name for ch in shared} | shared_banks
    if not any(importer.source.name in names for importer, _ in read):   # nothing it brings changes them
        return NONE
    transit = {ch.accounts.transit: ch for ch in shared}
    bank_of = {}   # bank account -> its bank names, in config order
    for name in sorted(shared_banks, key=list(config.banks).index):
        bank_of.setdefault(config.banks[name].account, []).append(name)
    clearing = {ch.accounts.clearing for ch in shared}

    # the books' entries on those transit accounts: (entry, its source, its month file);
    # a person's own files' with neither (Books.own_transactions). The banks' first: a
    # merchant whose banks' credits each fit one channel (Alipay and WeChat Pay at one
    # bank) has the channels' files read for none of this
    held: list[tuple] = []
    for source in sorted(shared_banks):
        for path in books.source_files(source):
            held += [(entry, source, path) for block in blocks_posting(books, path, transit)
                     for entry in parsed_block(block, path)]
    brought: list[tuple] = []   # (entry, its source, (extraction, position))
    filled: set[str] = set()   # the clearing accounts with money booked (pooled: a channel without payouts)
    for importer, out in read:
        name = importer.source.name
        if name not in names:
            continue
        for at, entry in enumerate(out.entries):
            if not isinstance(entry, data.Transaction):
                continue
            filled.update(p.account for p in entry.postings if p.account in clearing)
            if any(p.account in transit for p in entry.postings):
                brought.append((entry, name, (out, at)))
    if not any(_fitting(entry, source, transit, bank_of, paying) for entry, source, _ in held + brought):
        return NONE
    for source in sorted(names - shared_banks):
        for path in books.source_files(source):
            held += [(entry, source, path) for block in blocks_posting(books, path, transit)
                     for entry in parsed_block(block, path)]
            if config.channels[source].accounts.clearing not in filled and any(
                    _posting_line((config.channels[source].accounts.clearing,)).search(piece)
                    for piece in books._pieces(path)):
                filled.add(config.channels[source].accounts.clearing)
    for entry in books.own_transactions(set(transit) | clearing):
        if any(p.account in transit for p in entry.postings):
            held.append((entry, None, None))
        filled.update(p.account for p in entry.postings if p.account in clearing)
    known = {(source, entry.meta["id"]) for entry, source, _ in held if "id" in entry.meta}
    own_ids = {entry.meta["id"] for entry, source, _ in held if source is None and "id" in entry.meta}
    # what the books hold already: theirs is the one that counts; and a row two files of
    # the import both hold (a download overlapping the one before it) counts once, as it
    # is written once: twice, its payout waited for two credits (seed 33488 without the
    # first PayPal account's statement: that account's credits went to the second's)
    seen, once = set(known), []
    for entry, name, at in brought:
        ident = entry.meta.get("id")
        if ident is not None:
            if (name, ident) in seen or ident in own_ids:
                continue
            seen.add((name, ident))
        once.append((entry, name, at))
    brought = once

    # each credit placed where the bank's importer books it by its text (the decision
    # depends on the entries alone, not on where an earlier import put them)
    placed: dict[int, str] = {}   # id(entry) -> the account it is judged from
    where: list[tuple] = []       # (entry, its transit account, its source, its month file or (extraction, position))
    for entry, source, at in held + brought:
        credit = _bank_line(entry, transit, bank_of)
        if credit is None:
            continue
        account, bank_account, amount = credit
        bank = source if source in bank_of[bank_account] else bank_of[bank_account][0]
        text = f"{entry.payee or ''} {entry.narration or ''}"
        channel = transit[account]
        if bank not in channel.payout_banks or not channel.payout_memo.search(text):
            continue   # a person booked it on a channel its text does not fit: theirs
        first = explaining_account(config, bank, amount, text)
        if first in transit:
            placed[id(entry)] = first
            where.append((entry, account, source, at))
    if not placed:
        return NONE
    index = postings_by_account([entry for entry, _, _ in held + brought], set(transit))
    for account in transit:   # the credits as the bank's importer books them
        for item in index.get(account, ()):
            if placed.get(id(item.entry), account) != account:
                index[placed[id(item.entry)]].append(item)
        index[account] = [i for i in index.get(account, ()) if placed.get(id(i.entry), account) == account]
    for account in transit:
        index[account] = sorted(index.get(account, ()), key=_in_order)
    index.update(_waiting_money(books, config, shared, filled, held + brought, read, bank_of))
    judged = pooled(index, config)
    owner = {id(item.entry): account for account in transit for item in judged.get(account, ())
             if id(item.entry) in placed}

    files: dict[Path, dict] = {}
    left: Counter = Counter()
    booked, booked_in = 0, None
    closed = closed_months(books.root)
    debits = False
    rebooked: dict[int, tuple] = {}   # id(extraction) -> (it, {position: entry})
    for entry, account, source, at in where:
        to = owner.get(id(entry), account)
        debits = debits or (to not in (account, placed[id(entry)]) and posted(entry, account) > 0)
        if isinstance(at, tuple):   # the import's own: booked there from the start
            if to != placed[id(entry)]:
                booked += 1
                booked_in = booked_in or source
            if to != account:
                out, position = at
                rebooked.setdefault(id(out), (out, {}))[1][position] = moved_to(entry, account, to)
            continue
        if to == account:
            continue
        elif source is None or "id" not in entry.meta:
            left["by hand"] += 1
        elif at.stem in closed:
            left["closed"] += 1
        else:
            files.setdefault(at, {})[entry.meta["id"]] = (account, to)
    for out, changed in rebooked.values():
        entries = like(out.entries)
        for position, entry in enumerate(out.entries):
            entries.append(changed.get(position, entry))
        out.entries = entries
    return Moves(files, booked, left, next(i.source.name for i, _ in read if i.source.name in names), booked_in,
                 debits)


def plan(moves: Moves, changes: dict[Path, object]) -> int:
    """Add to `changes` the month files find() found, their credits' transit lines moved;
    returns how many credits move."""
    for path, ids in moves.files.items():
        rewrite_blocks(changes, path, functools.partial(moved_block, ids))
    return sum(len(ids) for ids in moves.files.values())


def notes(moved: int, moves: Moves) -> list[tuple[str, str]]:
    """What the import says, and on which source's summary, of the credits it booked on
    another channel's transit account than the bank's text names first (the statement
    of those credits: blind19, said on an Alipay bill's line, they were ICBC's), and of
    those it moved or left (the first of the import's sources they are of)."""
    said = []
    lines, whose = ("line(s)", "payout or top-up") if moves.debits else ("credit(s)", "payout")
    if moves.booked:
        said.append((moves.booked_in or moves.source,
                     f"{moves.booked} bank {lines} several channels' texts fit booked on the transit account of "
                     f"the channel whose {whose} they are"))
    if moved:
        said.append((moves.source, f"{moved} bank {lines} in the books moved to the transit account of the "
                     f"channel whose {whose} they are, now that its statements say so"))
    if moves.left.get("closed"):
        said.append((moves.source, f"{moves.left['closed']} bank {lines} of another channel's {whose} booked in a "
                     "closed month stay where they are: reopen the month, then import again with --force to move them"))
    if moves.left.get("by hand"):
        said.append((moves.source, f"{moves.left['by hand']} bank {lines} of another channel's {whose} in a file "
                     f"of your own stay where they are: `beanclear link` says whose {whose} each is"))
    return said


def _waiting_money(books, config, shared: list, filled: set, transit_entries: list, read: list, bank_of: dict) -> dict:
    """The clearing accounts' postings pooled reads, by account: of a channel holding no
    payout (trade views alone) whose bank another such channel pays into, or a channel
    whose payouts the books hold, its money, whose credits pooled tells apart by what
    waits in each (pooled._Waiting: whose of two it is; whether a credit near a waiting
    payout of the other takes it to the cent); any other with money, a placeholder (pooled
    asks only whether there is money on it)."""
    paid = {p.account for entry, _, _ in transit_entries for p in entry.postings
            if p.units.number > 0 and not any(q.account in bank_of for q in entry.postings)}
    silent = [ch for ch in shared if ch.accounts.clearing in filled and ch.accounts.transit not in paid]
    banks = Counter(name for ch in silent for name in ch.payout_banks)
    listing = {name for ch in shared if ch.accounts.transit in paid for name in ch.payout_banks}
    told = {ch.accounts.clearing: ch.name for ch in silent
            if any(banks[name] > 1 or name in listing for name in ch.payout_banks)}
    out: dict = {account: [None] for account in filled - set(told)}
    if not told:
        return out
    entries, seen = [], set()
    for source in told.values():
        for path in books.source_files(source):
            for entry in (e for block in blocks_posting(books, path, told) for e in parsed_block(block, path)):
                seen.add((source, entry.meta.get("id")))
                entries.append(entry)
    for importer, extraction in read:   # the import's own, each row once (as in find())
        source = importer.source.name
        for entry in extraction.entries:
            if isinstance(entry, data.Transaction) and any(p.account in told for p in entry.postings):
                if (source, entry.meta.get("id")) not in seen or "id" not in entry.meta:
                    seen.add((source, entry.meta.get("id")))
                    entries.append(entry)
    entries += books.own_transactions(set(told))
    index = postings_by_account(entries, set(told))
    return {**out, **{account: index.get(account, []) for account in told}}   # (in order: postings_by_account)


def _bank_line(entry, transit: dict, bank_of: dict):
    """(the transit account, the bank account, the bank's amount) of a bank line booked on
    one of the `transit` accounts and not linked to a payout: a credit (a payout), or a
    debit (a top-up of the channel from the bank, pooled._debit_moves); else None."""
    if any(link.startswith("payout-") for link in entry.links):
        return None
    on = [p for p in entry.postings if p.account in transit]
    bank = [p for p in entry.postings if p.account in bank_of]
    if len(on) != 1 or len(bank) != 1 or (on[0].units.number < 0) == (bank[0].units.number < 0) \
            or not bank[0].units.number:
        return None
    clearing = transit[on[0].account].accounts.clearing
    if any(p.account == clearing for p in entry.postings):   # a top-up, not a bank line
        return None
    return on[0].account, bank[0].account, bank[0].units.number


def _fitting(entry, source, transit: dict, bank_of: dict, paying: dict) -> bool:
    """Whether an entry is a bank credit on a transit account whose text several
    channels paying into its bank fit (transit.pooled's credits)."""
    credit = _bank_line(entry, transit, bank_of)
    if credit is None:
        return False
    banks = [source] if source in bank_of[credit[1]] else bank_of[credit[1]]
    text = f"{entry.payee or ''} {entry.narration or ''}"
    return sum(1 for bank in banks for ch in paying.get(bank, ()) if ch.payout_memo.search(text)) > 1


def moved_to(entry: data.Transaction, old: str, new: str) -> data.Transaction:
    """The entry with its posting to `old` on `new`."""
    return entry._replace(postings=[p._replace(account=new) if p.account == old else p for p in entry.postings])


def _in_order(item: Item):
    return item.order


def _posting_line(accounts) -> re.Pattern:
    return re.compile(rf"^[ \t]+(?:[!*][ \t]+)?(?:{'|'.join(map(re.escape, sorted(accounts)))})(?:[ \t;]|$)", re.M)


def blocks_posting(books, path: Path, accounts) -> list[str]:
    """The entries of a month file with a posting to one of `accounts`, as text."""
    line, out = _posting_line(accounts), []
    for text in books._pieces(path):
        end = 0
        for found in line.finditer(text):
            if found.start() < end:
                continue
            start = _block_start(text, found.start())
            after = ENTRY_END.search(text, found.end())
            end = after.end() if after else len(text)
            out.append(text[start + (text[start:start + 1] == "\n"):end])
    return out


def parsed_block(block: str, path: Path) -> list:
    entries, _, _ = parser.parse_string(block, report_filename=str(path))
    return [e for e in entries if isinstance(e, data.Transaction)]


def moved_block(ids: dict, block: str) -> str:
    """A credit of `ids` (its id -> (the transit account it is on, the one it goes to))
    with its transit posting line moved; any other block as it is."""
    found = ID_LINE.search(block) if "  id:" in block else None
    if found is None:
        return block
    move = ids.get(_unescape(found.group(1)))
    if move is None:
        return block
    old, new = move
    lines = block.splitlines(keepends=True)
    return "".join(rebook(line, old, new) if line.startswith(f"  {old} ") else line for line in lines)
