"""Bank debits that name a channel's top-up, at a bank the channel pays out to or not,
booked on the channel's transit account whatever the import order.

A channel draws its top-ups where the merchant's money is, not only from the bank it
pays out to: PayPal recovers a negative balance from the company card (`General Credit
Card Deposit` +54.00, the card's `PAYPAL *NORTHWINDCAND … PAYPAL BALANCE RECOVERY
TV0PWU1X4WDJM954D` −54.00). The bank's importer books by text alone (importers/banking.py
explaining_account), and a card line naming PayPal is a purchase as often as not
(`PAYPAL *ADOBE`), so it went to suspense: two bank-unmatched of one cause (blind27
creditcards).

So the import looks, given the books and the import together, for a bank line in
suspense that is a debit, whose text names the id of a channel's top-up from the bank
(its `id`, `payout-id`, Stripe's `source-id` `tu_…`, or `payout-` link: transit.named_id) of its amount and currency
`bank_days` before or after it, that one top-up only; it books the debit on that
channel's transit account, where the transit check pairs the two (as it pairs a debit of
the payout bank), and moves such a line the books hold in the same write:

    2026-02-10 * "PAYPAL *NORTHWINDCAND" "PAYPAL BALANCE RECOVERY TV0PWU1X4WDJM954D"
      Liabilities:CreditCard:Amex                 -54.00 USD
      Assets:Suspense                              54.00 USD   ->  Assets:Transit:PayPal

A line a rule booked stays (a purchase at PayPal); one in a month closed by `beanclear
close` or in a person's own file stays, counted. A debit that names no top-up is left to
`match` and `beanclear link BANKREF <top-up id>` (resolve/linking.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from beancount.core import data

# plan: late_credits' own, the month files find() found rewritten, their lines moved (here: suspense -> transit)
from beanclear.books.late_credits import Moves, NONE, blocks_posting, moved_to, parsed_block, plan  # noqa: F401
from beanclear.books.spill import like
from beanclear.checks.transit import named_id, text_words
from beanclear.periods.closed import closed_months


def find(read: list, books) -> Moves:
    """The import's and the books' debits in suspense naming a top-up (the module
    docstring): the import's booked on transit in their extractions, the books' for plan()."""
    config = next((importer.config for importer, _ in read if getattr(importer, "config", None) is not None), None)
    if config is None or not config.channels:
        return NONE
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    banks = {bank.account for bank in config.banks.values()}
    brought_debits, brought_top_ups = [], []
    for importer, out in read:
        name = importer.source.name
        for at, entry in enumerate(out.entries):
            if not isinstance(entry, data.Transaction):
                continue
            if name in config.banks and _debit(entry, config.suspense, banks):
                brought_debits.append((entry, name, (out, at)))
            elif name in config.channels and _top_up(entry, transit):
                brought_top_ups.append((entry, name, None))
    if not brought_debits and not brought_top_ups:
        return NONE
    held_top_ups, held_debits = [], []
    if brought_debits:   # the books' top-ups they may name
        for name in config.channels:
            for path in books.source_files(name):
                held_top_ups += [(e, name, path) for block in blocks_posting(books, path, transit)
                                 for e in parsed_block(block, path) if _top_up(e, transit)]
    if brought_top_ups:   # the books' debits in suspense that may name them
        for name in config.banks:
            for path in books.source_files(name):
                held_debits += [(e, name, path) for block in blocks_posting(books, path, (config.suspense,))
                                for e in parsed_block(block, path) if _debit(e, config.suspense, banks)]
    top_ups, seen = [], set()
    for entry, name, _ in held_top_ups + brought_top_ups:   # a row two downloads hold: once
        key = (name, entry.meta.get("id"))
        if key not in seen or key[1] is None:
            seen.add(key)
            top_ups.append(entry)
    taken: set[int] = set()
    files: dict[Path, dict] = {}
    left: Counter = Counter()
    closed = closed_months(books.root)
    booked, booked_in, rebooked = 0, None, {}
    for entry, source, at in sorted(held_debits + brought_debits, key=lambda d: d[0].date):
        top_up = _named_top_up(entry, top_ups, transit, taken)
        if top_up is None:
            continue
        taken.add(id(top_up))
        to = next(p.account for p in top_up.postings if p.account in transit)
        if isinstance(at, tuple):   # the import's own: booked there from the start
            out, position = at
            rebooked.setdefault(id(out), (out, {}))[1][position] = moved_to(entry, config.suspense, to)
            booked += 1
            booked_in = booked_in or source
        elif "id" not in entry.meta:
            left["by hand"] += 1
        elif at.stem in closed:
            left["closed"] += 1
        else:
            files.setdefault(at, {})[entry.meta["id"]] = (config.suspense, to)
    for out, changed in rebooked.values():
        entries = like(out.entries)
        for position, entry in enumerate(out.entries):
            entries.append(changed.get(position, entry))
        out.entries = entries
    if not booked and not files and not left:
        return NONE
    first = next((i.source.name for i, _ in read if i.source.name in config.channels or i.source.name in config.banks))
    return Moves(files, booked, left, first, booked_in, True)


def notes(moved: int, moves: Moves) -> list[tuple[str, str]]:
    """What the import says, and on which source's summary."""
    said = []
    if moves.booked:
        said.append((moves.booked_in, f"{moves.booked} bank debit(s) naming a channel's top-up booked on its "
                                      "transit account"))
    if moved:
        said.append((moves.source, f"{moved} bank debit(s) in suspense moved to the transit account of the channel "
                                   "whose top-up they name, now that its statements say so"))
    if moves.left.get("closed"):
        said.append((moves.source, f"{moves.left['closed']} bank debit(s) naming a channel's top-up in a closed month "
                                   "stay in suspense: reopen the month, or `beanclear link` them"))
    if moves.left.get("by hand"):
        said.append((moves.source, f"{moves.left['by hand']} bank debit(s) naming a channel's top-up in a file of "
                                   "your own stay where they are: `beanclear link` them"))
    return said


def _debit(entry, suspense: str, banks: set[str]) -> bool:
    """Whether an entry is a bank debit in suspense, linked to nothing."""
    if any(link.startswith("payout-") for link in entry.links) or len(entry.postings) != 2:
        return False
    bank = [p for p in entry.postings if p.account in banks]
    return len(bank) == 1 and bank[0].units.number < 0 and any(p.account == suspense for p in entry.postings)


def _top_up(entry, transit: dict) -> bool:
    """Whether an entry is a channel's top-up from the bank: money out of its transit
    account into its clearing account, not a returned payout's money coming back."""
    on = [p for p in entry.postings if p.account in transit]
    return (len(on) == 1 and on[0].units.number < 0 and not entry.meta.get("payout-returned")
            and any(p.account == transit[on[0].account].accounts.clearing for p in entry.postings))


def _ids(entry) -> list[str]:
    """The ids a debit's text may name a top-up by: its row's, its payout's, and the
    object's a Stripe row is of (`source-id`: the `tu_…` of a `topup` row `txn_…`)."""
    ids = [str(entry.meta[key]) for key in ("id", "payout-id", "source-id") if entry.meta.get(key)]
    return ids + sorted(link[len("payout-"):] for link in entry.links if link.startswith("payout-"))


def _named_top_up(debit, top_ups: list, transit: dict, taken: set):
    """The one top-up the debit's text names, of its amount and currency within its
    channel's `bank_days` either way; else None."""
    bank = next(p for p in debit.postings if p.units.number < 0)
    words = text_words(f"{debit.payee or ''} {debit.narration or ''}")
    found = []
    for top_up in top_ups:
        if id(top_up) in taken:
            continue
        on = next(p for p in top_up.postings if p.account in transit)
        if on.units.currency != bank.units.currency or on.units.number != bank.units.number:
            continue
        if abs((top_up.date - debit.date).days) > transit[on.account].bank_days:
            continue
        if named_id(_ids(top_up), words):
            found.append(top_up)
    return found[0] if len(found) == 1 else None
