"""Entries as Beancount text, in one fixed layout, so the same statement always gives
the same bytes (DESIGN.md §2: deterministic, minimal diffs)."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

ACCOUNT_WIDTH = 36
NUMBER_WIDTH = 14
HIDDEN_META = {"filename", "lineno"}


def quote(text: str) -> str:
    flat = " ".join(str(text).split())  # no newlines or tabs inside a Beancount string
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _meta_lines(meta: dict) -> list[str]:
    lines = []
    for key, value in meta.items():
        if key in HIDDEN_META or key.startswith("_"):
            continue
        shown = f"{value:f}" if isinstance(value, Decimal) else quote(value) if isinstance(value, str) else str(value)
        lines.append(f"  {key}: {shown}")
    return lines


def amount_text(number: Decimal, currency: str) -> str:
    return f"{number:f}".rjust(NUMBER_WIDTH) + f" {currency}"


def entry_text(entry) -> str:
    """One entry as text, ending with a newline."""
    if isinstance(entry, data.Transaction):
        head = f"{entry.date} {entry.flag}"
        if entry.payee:
            head += " " + quote(entry.payee)
        head += " " + quote(entry.narration or "")
        head += "".join(f" #{t}" for t in sorted(entry.tags)) + "".join(f" ^{l}" for l in sorted(entry.links))
        lines = [head, *_meta_lines(entry.meta)]
        for p in entry.postings:
            price = f" @ {p.price.number:f} {p.price.currency}" if p.price is not None else ""
            lines.append(f"  {p.account:<{ACCOUNT_WIDTH}}{amount_text(p.units.number, p.units.currency)}{price}")
        return "\n".join(lines) + "\n"
    if isinstance(entry, data.Balance):
        return "\n".join([f"{entry.date} balance {entry.account:<{ACCOUNT_WIDTH - 9}}"
                          f"{amount_text(entry.amount.number, entry.amount.currency)}",
                          *_meta_lines(entry.meta)]) + "\n"
    if isinstance(entry, data.Price):
        return "\n".join([f"{entry.date} price {entry.currency} {entry.amount.number:f} {entry.amount.currency}",
                          *_meta_lines(entry.meta)]) + "\n"
    raise TypeError(f"beanclear does not write {type(entry).__name__} entries")


def identity(entry) -> str:
    """What makes an entry the same entry on a re-import: the statement's own id for a
    transaction, the account, date and currency for a balance assertion, the pair and
    date for a price."""
    if isinstance(entry, data.Balance):
        return f"balance {entry.account} {entry.date} {entry.amount.currency}"
    if isinstance(entry, data.Price):
        return f"price {entry.currency} {entry.amount.currency} {entry.date}"
    return entry.meta["id"]


def sort_key(entry) -> tuple:
    """Order within a month file: date; balance assertions (start of day) first; then
    time of day and id. Parsed back from text by books.block_key()."""
    if isinstance(entry, data.Balance):
        return (entry.date.isoformat(), 0, "", f"{entry.account} {entry.amount.currency}")
    if isinstance(entry, data.Price):
        return (entry.date.isoformat(), 0, "", f"price {entry.currency} {entry.amount.currency}")
    return (entry.date.isoformat(), 1, entry.meta.get("time", ""), entry.meta["id"])
