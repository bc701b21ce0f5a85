"""How many digits an amount has: a currency's decimal places, and the bound on every
amount. Apart from values.py because the checks and the config need only these, and
they run inside bean-check and Fava, where reading the toolkit's text handling costs
time before any check runs."""

from __future__ import annotations

from decimal import Decimal

# Digits an amount may have: Decimal computes exactly to 28 digits; no statement's amount
# has more than 20 (and a longer one makes quantize() fail).
MAX_AMOUNT_DIGITS = 24

# ISO 4217 exponents where they are not 2, as Stripe uses them (its API lists UGX as
# zero-decimal although ISO gives it 0 too, and keeps HUF and TWD at two).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())


def currency_places(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def in_places(value: Decimal, currency: str) -> Decimal:
    """An amount written without all its decimals (`120` in a Stripe export) with the
    currency's places (`120.00`); digits past them are kept, never rounded away."""
    quantum = Decimal(1).scaleb(-currency_places(currency))
    return value.quantize(quantum) if value.as_tuple().exponent > quantum.as_tuple().exponent else value
