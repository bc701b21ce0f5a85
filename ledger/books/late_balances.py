"""A statement downloaded again with lines the bank added since: its balances restated.

A bank books a line late (an SMS fee of the 29th, listed on the 3rd); the statement
downloaded again holds it, and every running balance after it is that much different.
Its lines the books hold already are known by their ids, the new line is new — but the
balance assertions the first download wrote are known by account, day and currency,
and would stay as the first download said, now failing by the line the books gained.
So the import that brings lines of an account before a day also restates that day's
balance, where the books assert another amount, in the same write:

    2026-01-31 balance Assets:Bank:ICBC   1700.00 CNY     ; the first download's
    2026-01-31 balance Assets:Bank:ICBC   1698.00 CNY     ; restated: the download with the fee

A download that brings no line before the day (the older download, imported after the
newer one) restates nothing: the books hold more than it knew of. Whichever order the two
come in, the books assert what the fuller one says. A month closed by `beanclear close`
is left as it is and said.
"""

from __future__ import annotations

from pathlib import Path

from beancount.core import data

from beanclear.books import Books, balance_parts, rewrite_blocks
from beanclear.books.render import balance_line
from beanclear.periods.closed import closed_months


def restated(known_balances: list, new_entries, books: Books, source: str) -> dict[Path, dict]:
    """The balances the books already assert that a statement restates: month file ->
    {(day, account, currency): the statement's amount}, of the days its new lines come
    before (`new_entries`: what the import writes of it)."""
    if not known_balances:
        return {}
    first_new: dict[str, object] = {}   # account -> the first day the statement brings a line of it
    for entry in new_entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account not in first_new or entry.date < first_new[p.account]:
                    first_new[p.account] = entry.date
    out: dict[Path, dict] = {}
    for balance in known_balances:
        brought = first_new.get(balance.account)
        if brought is None or brought >= balance.date:
            continue
        path = books.month_file(source, f"{balance.date:%Y-%m}")
        out.setdefault(path, {})[(balance.date.isoformat(), balance.account, balance.amount.currency)] = \
            balance.amount.number
    return out


def plan(found: dict[Path, dict], changes: dict, root: Path) -> tuple[int, int]:
    """Rewrite the restated balance lines in `changes`; (how many files planned, how many
    left in closed months)."""
    closed = closed_months(root)
    planned = left = 0
    for path, amounts in sorted(found.items()):
        if path.stem in closed:
            left += len(amounts)
            continue
        if path.exists() or path in changes:
            rewrite_blocks(changes, path, lambda block, amounts=amounts: _restate(block, amounts))
            planned += 1
    return planned, left


def _restate(block: str, amounts: dict) -> str:
    """The block with its balance line saying the statement's amount, as the import
    writes a balance line (render.entry_text); its comment and metadata kept."""
    first, newline, rest = block.partition("\n")
    parts = balance_parts(first)
    if parts is None:
        return block
    day, account, currency, number, comment = parts
    said = amounts.get((day, account, currency))
    if said is None or number == said:
        return block
    return balance_line(day, account, said, currency) + comment + newline + rest
