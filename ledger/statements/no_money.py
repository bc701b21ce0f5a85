"""A shop's export that says an order took no money, while the books hold it booked.

An export skips the orders its status says took no money (voided, expired, cancelled or
closed before payment, awaiting payment: importers/shop.py), counted with their reason.
Where the books hold such an order booked from another export (blind32: Shopify's #2015,
`paid` in one download, `voided` in the next), the two exports contradict each other,
and "skipped 1 voided (…, no money moved)" alone hid that the books still held its sale.
The import says it, order by order: what this export says, the sale the books hold and
where, and what to do:

    order #2015: this export says voided (authorisation released, no money moved), but the
    books hold its sale of 236.74 CNY (Assets:Receivable:Shopify, its entry of 2026-10-05 in
    books/shopify/2026/2026-10.beancount), booked from another export; nothing tells which
    is newer, so the books keep it: if the shop shows the order paid, this export is the
    older; if it was cancelled and never paid, `beanclear write-off order-unpaid '#2015'
    --reason "…"` takes the sale out once `beanclear check` lists it unpaid

(its entry named by its day, not its line: the import's own write may move it down).

The books are not changed. Which of two exports is newer is what the exports say, never
which file came last (statements/order_edits.py): its rule compares exports that book an
order (Shopify's `Paid at`), and an export that took no money of the order states nothing
it compares (a voided order was never paid). Nor can one status follow the other: Shopify
never voids a paid order, and an export before the payment (pending) says what a later one
that says paid overrules. So it is a contradiction for a person to decide, and said. Two
exports of one import alike: the one that books the order books it (one entry of an id),
and the other is said.

Said only while the books hold a sale of the order: not one refunded in full, nor one a
write-off took out (`write-off order-unpaid`, books/writeoffs.beancount): an export
downloaded again, as cumulative exports are, says nothing new then.
"""

from __future__ import annotations

import re
import shlex
from decimal import Decimal
from pathlib import Path

from beanclear.books import _unescape
from beanclear.config.model import Shop
from beanclear.statements.order_edits import AMOUNT, EDIT_PREFIX, PREFIX, _snapshot

REFUND_PREFIX = "refund:"   # ShopImporter.book's refund entry
SHOWN = 5                   # orders said in full, of a statement; the rest named
NAMED = 20                  # of the rest, named by id
WRITTEN_OFF = re.compile(r'^[ \t]+write-off:[ \t]*"order-unpaid"', re.M)
SETTLES = re.compile(r'^[ \t]+settles:[ \t]*"((?:[^"\\]|\\.)*)"', re.M)


def said(read: list, books, names: dict[int, str]) -> None:
    """Add to each shop statement of the import (`read`: (importer, Extraction) pairs;
    `names`: id of an Extraction -> its file's name) a note for each order it says took
    no money that the books, or another statement of the import, hold booked."""
    by_shop: dict[str, list] = {}
    for importer, out in read:
        if isinstance(importer.source, Shop) and (out.no_money or out.orders):
            by_shop.setdefault(importer.source.name, []).append((importer, out))
    for name, statements in by_shop.items():
        shop, outs = statements[0][0].source, [out for _, out in statements]
        asked = {order for out in outs if out.no_money for order in out.no_money
                 if not (out.orders and order in out.orders)}   # (one the export books too: another row's)
        if not asked:
            continue
        held = _held(books, name, shop, asked)
        for out in outs:
            if not out.no_money:
                continue
            notes, more = [], []
            for order in out.no_money:
                if order not in asked or (out.orders and order in out.orders):
                    continue
                line, reason = out.no_money.get(order)
                note = _said(order, reason, held.get(order), shop,
                             next((o for o in outs if o is not out and o.orders and order in o.orders), None), names)
                if note is None:
                    continue
                (notes if len(notes) < SHOWN else more).append(note if len(notes) < SHOWN else order)
            out.notes.extend(notes)
            if more:
                out.notes.append(f"{len(more)} more order(s) this export says took no money are booked likewise: "
                                 + ", ".join(more[:NAMED]) + (", …" if len(more) > NAMED else ""))


def _said(order: str, reason: str, held, shop, other, names: dict) -> str | None:
    """The note of one order: where the books hold its sale (`held`: (amount, currency,
    where)), or where another statement of the import books it (`other`); None where
    neither does."""
    todo = (f"if the shop shows the order paid, this export is the older; if it was cancelled and never paid, "
            f"`beanclear write-off order-unpaid {shlex.quote(order)} --reason \"…\"` takes the sale out once "
            "`beanclear check` lists it unpaid")
    if held is not None:
        amount, currency, where = held
        return (f"order {order}: this export says {reason}, but the books hold its sale of {amount:,f} {currency} "
                f"({shop.accounts.receivable}, {where}), booked from another export; nothing tells which is newer, "
                f"so the books keep it: {todo}")
    if other is not None:
        snapshot = other.orders.get(order)
        return (f"order {order}: this export says {reason}, but {names.get(id(other), 'another export')} books it, "
                f"a sale of {snapshot.total:,f} {snapshot.currency}; nothing tells which is newer, so it is booked: "
                f"{todo}")
    return None


def _held(books, name: str, shop, asked: set[str]) -> dict[str, tuple]:
    """Order -> (the sale the books hold of it, its currency, where its entry is), of the
    orders `asked` whose entry the books hold, less what their refunds, and the write-offs
    of them as unpaid, took out; the orders of no sale left are not there."""
    idents = {PREFIX + o: o for o in asked} | {REFUND_PREFIX + o: o for o in asked} | \
        {EDIT_PREFIX + o: o for o in asked}
    found: dict[str, list] = {}
    for path, _, ident, block in books.entry_blocks(name, idents.__contains__, by_hand=True):
        order = idents[ident]
        state = found.setdefault(order, [None, Decimal(0), ""])
        if ident.startswith(PREFIX):
            snapshot = _snapshot(block.lstrip("\n"), shop)
            if snapshot is None:   # not as beanclear writes it: a person's, not judged
                continue
            state[0], state[2] = snapshot, f"its entry of {block.lstrip()[:10]} in {_where(books.root, path)}"
            state[1] += snapshot.total
        else:   # a refund takes off, a difference after a close adds (its receivable line)
            state[1] += _posted(block, shop.accounts.receivable)
    for order, amount in _written_off(books.root, shop.accounts.receivable, set(found)).items():
        found[order][1] += amount
    return {order: (amount, snapshot.currency, where) for order, (snapshot, amount, where) in found.items()
            if snapshot is not None and amount > 0}


def _posted(block: str, account: str) -> Decimal:
    """What an entry's text posts to `account` (its lines of it, added)."""
    return sum((Decimal(m.group(1).replace(",", "")) for m in
                re.finditer(rf"^[ \t]+{re.escape(account)}{AMOUNT}", block, re.M)), Decimal(0))


def _written_off(root: Path, account: str, orders: set[str]) -> dict[str, Decimal]:
    """Order -> what the write-offs of it as unpaid (and their reversals) post to the
    receivable, of `orders`: they name the order first in `settles:` (resolve/writeoff.py)."""
    from beanclear.resolve import RESOLVE_FILE   # (the writer's file; a load of the books reads nothing of resolve/)
    path = root / RESOLVE_FILE
    if not orders or not path.is_file():
        return {}
    out: dict[str, Decimal] = {}
    for block in re.split(r"\n(?=\S)", path.read_text(encoding="utf-8")):
        settles = SETTLES.search(block)
        if not WRITTEN_OFF.search(block) or settles is None:
            continue
        first = (_unescape(settles.group(1)).split() or [""])[0]
        if first in orders:
            out[first] = out.get(first, Decimal(0)) + _posted(block, account)
    return out


def _where(root: Path, path: Path) -> str:
    """`books/<file>`, as the books' other notes name a file of them."""
    try:
        return f"{root.name}/{Path(path).relative_to(root).as_posix()}"
    except ValueError:
        return str(path)
