"""What the importers write in a line's metadata that the checks read back, kept apart
from the importers themselves so that a load with the plugins does not import the
importing machinery (beangulp, chardet, click: a third of the plugins' start-up)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

TRANSFER_WITH = "transfer-with"   # the other bank's account of a transfer between own accounts
# What makes a statement's lines come to more than the balance it states (the import's
# note), or the books to more than a balance assertion (Beancount's "too much": the
# check's message): a line booked once too often (a download listing it twice) or a debit
# missing. "Lines missing?" alone sent a reader looking for a line the bank never left out
# (blind12: an MT940 :61: listed twice).
TOO_MANY = "a line too many (listed twice?) or a debit missing"


def stated_amount(text, signed: bool = False) -> tuple[Decimal, str] | None:
    """An amount metadata states as the importers write it (`"1000.00 USD"`,
    `original-amount`, `customer-amount`): its size (`signed`: its number as written) and
    currency; None where it states none (or not one amount)."""
    parts = str(text).split() if text else []
    if len(parts) != 2:
        return None
    try:
        number = Decimal(parts[0])
    except InvalidOperation:
        return None
    return (number if signed else abs(number)), parts[1].upper()
