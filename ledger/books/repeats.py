"""A second refund of one trade and amount, in another file than the first.

Alipay names a refund in both its views by trade and amount (`refund <交易号> 10.00`,
and the fee it returns `fee-back <交易号> 0.06`: the fund ledger knows no batch), so
that either view, imported second, finds the money booked (render.identities). One
statement that lists two refunds of 10.00 of a trade names the second `… #2`
(alipay_trade.number_repeats). But the second can come in another file, the next
day's 账务明细 or the next month's 业务明细, which names it `refund <交易号> 10.00` again:
compared with the books, it would be the first refund, booked already, and its money
skipped.

So before the import compares identities with the books, each new row's repeatable
names (importers/base.py FundView.repeats) are numbered again, in time order across
the import's statements of the source, against what its own view holds. A row of the
same view with another own id (a 账务流水号 of the fund ledger, a 交易号/批次号 of the
trade detail) is another refund; the k-th refund of a trade and amount in time order in
one view is the k-th in the other. So a row of N takes the number after the highest of
N, N #2, N #3… that its view holds, in the books or earlier in the import:

- a number below it that only the other view holds stands for a row of this view that
  came before (replaced by it, late_views.py, or found known): not taken again;
- the number it takes, where the other view holds it, is the same refund, which the
  import then finds known or replaces: the books are the same whichever view comes
  first, in one import or in many;
- a row whose own id the books hold already is left as its statement names it: it is
  that row again, and books nothing (render.unknown_part); a row two statements of the
  import list takes one name.

WeChat Pay names every refund by its own 微信退款单号 (FundView.repeats is empty): no
two movements share a name, and nothing is numbered.

What the books hold of a view: Books.view_ids, the identities of the fund view's
entries (their `key:` line); a name the books hold otherwise is the trade view's.
Those are read only where a new row names a name the books hold, and only the rows
whose names another row of their view holds are kept, sorted and renamed.
"""

from __future__ import annotations

from typing import Callable

from beanclear.books import render
from beanclear.books.idset import Ids
from beanclear.books.spill import like, metas


def renumber(statements: list, repeats: tuple[str, ...], known, fund_held: Callable[[], object]) -> list:
    """`statements`: (entries, of the fund view) of each statement of one source in the
    import, in its order; `repeats`: the prefixes of the names a view may give two
    movements (FundView.repeats); `known`: the books' identities (Books.known);
    `fund_held()`: those of the fund view's entries (Books.view_ids), asked only when a
    row names one the books hold. Returns each statement's entries, those renamed in a
    new store (a spilled entry cannot change in place)."""
    if not repeats:
        return [entries for entries, _ in statements]
    names = _Names(known, fund_held)
    # A first pass keeps only the names (Ids: on disk past a limit): those a row of the
    # same view holds too, in the books or in another new row of the import, are walked.
    seen, walk = Ids(), Ids()
    for entries, fund in statements:
        for meta in metas(entries):
            for name in _new_names(meta, repeats, known):
                key = _key(fund, name)
                if not seen.add(key) or names.used_by(name, fund):
                    walk.add(key)
    del seen
    if not walk:
        return [entries for entries, _ in statements]
    chosen = [{at for at, meta in enumerate(metas(entries))
               if any(_key(fund, name) in walk for name in _new_names(meta, repeats, known))}
              for entries, fund in statements]
    fixed: list[dict[int, dict]] = [{} for _ in statements]
    for n, at, fund, meta in _in_time(statements, chosen):
        renamed = {name: names.take(name, fund, meta["id"]) if name.startswith(repeats) else name
                   for name in render.covered(meta["covers"])}
        if all(old == new for old, new in renamed.items()):
            continue
        meta = fixed[n][at] = {**meta, "covers": render.COVERS_SEPARATOR.join(renamed.values())}
        part = meta.get("_fee_part")
        if part:
            meta["_fee_part"] = (renamed.get(part[0], part[0]), *part[1:])
    out = []
    for (entries, _), changes in zip(statements, fixed):
        if not changes:
            out.append(entries)
            continue
        store = like(entries)
        for at, entry in enumerate(entries):
            store.append(entry._replace(meta=changes[at]) if at in changes else entry)
        out.append(store)
    return out


class _Names:
    """Who holds the names of one family (N, N #2, N #3…): the books, each entry of one
    view (Books.view_ids says which are the fund view's), and the rows of the import
    named so far, in time order."""

    def __init__(self, known, fund_held: Callable[[], object]):
        self.known, self._fund_held, self._fund = known, fund_held, None
        self.taken: dict[str, str] = {}   # _key(view, name) -> the own id of the row of the import named so
        self.used: set[str] = set()       # the names rows of the import took, of either view

    def held_by(self, name: str, fund: bool) -> bool:
        """Whether the books hold `name` as an entry of the view (fund or trade)."""
        if name not in self.known:
            return False
        if self._fund is None:
            self._fund = self._fund_held()
        return (name in self._fund) == fund

    def used_by(self, first: str, fund: bool) -> bool:
        """Whether the books hold a name of the family of `first` as an entry of the view."""
        k = 1
        while (name := render.repeated(first, k)) in self.known:
            if self.held_by(name, fund):
                return True
            k += 1
        return False

    def take(self, name: str, fund: bool, ident: str) -> str:
        """The name of row `ident` of a view: the number after the highest its view holds
        of the family (a lower one the other view holds stands for a row of this view
        that came before: replaced by it, or found known), or what the same row took."""
        first, k, top = render.first_name(name), 1, 0
        while True:
            candidate = render.repeated(first, k)
            taker = self.taken.get(_key(fund, candidate))
            if taker == ident:
                return candidate
            if taker is not None or self.held_by(candidate, fund):
                top = k
            elif candidate not in self.known and candidate not in self.used:
                break
            k += 1
        candidate = render.repeated(first, top + 1)
        self.taken[_key(fund, candidate)] = ident
        self.used.add(candidate)
        return candidate


def _key(fund: bool, name: str) -> str:
    return ("fund " if fund else "trade ") + name


def _new_names(meta: dict | None, repeats: tuple[str, ...], known) -> list[str]:
    """The repeatable names (their first form) of a row whose own id the books do not
    hold: a row they hold is that row again, left as its statement names it."""
    if meta is None or not meta.get("covers") or meta.get("id") in known:
        return []
    return [render.first_name(name) for name in render.covered(meta["covers"]) if name.startswith(repeats)]


def _in_time(statements: list, chosen: list[set[int]]) -> list:
    """(statement, position, of the fund view, metadata) of the chosen rows (their
    positions in each statement), in time order, as number_repeats orders one
    statement's: date, time, then statement and line."""
    rows = []
    for n, ((entries, fund), picks) in enumerate(zip(statements, chosen)):
        if picks:
            rows += [((e.date, e.meta.get("time", ""), n, e.meta["lineno"], at), (n, at, fund, e.meta))
                     for at, e in enumerate(entries) if at in picks]
    rows.sort(key=lambda row: row[0])
    return [row for _, row in rows]
