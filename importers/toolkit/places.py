"""How many digits an amount has: a currency's decimal places, and the bound on every
amount. Apart from values.py because the checks and the config need only these, and
they run inside bean-check and Fava, where reading the toolkit's text handling costs
time before any check runs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Digits an amount may have: Decimal computes exactly to 28 digits; no statement's amount
# has more than 20 (and a longer one makes quantize() fail).
MAX_AMOUNT_DIGITS = 24

# ISO 4217 exponents where they are not 2, as Stripe uses them (its API lists UGX as
# zero-decimal although ISO gives it 0 too, and keeps HUF and TWD at two).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
# Currencies a channel moves only in whole units though they have places elsewhere (by
# channel type): PayPal's forint and Taiwan dollars, written whole in its statements and
# charged in whole units (a fee of 3.6% + 90 on 990 HUF is 126 HUF, not 125.64).
WHOLE_AT = {"paypal": frozenset({"HUF", "TWD"})}

# Currencies as Chinese statements and the config may name them
CURRENCY_NAMES = {"人民币": "CNY", "人民币元": "CNY", "RMB": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD",
                  "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "澳元": "AUD", "澳大利亚元": "AUD", "加元": "CAD",
                  "加拿大元": "CAD", "新加坡元": "SGD", "瑞士法郎": "CHF", "新台币": "TWD", "澳门元": "MOP",
                  "韩元": "KRW", "泰铢": "THB", "新西兰元": "NZD"}


def currency_places(currency: str, channel: str | None = None) -> int:
    """The currency's decimal places; `channel`, the type of the channel that moves the
    money, where the channel's own places are meant (WHOLE_AT: PayPal's HUF, 0)."""
    if channel is not None and currency in WHOLE_AT.get(channel, ()):
        return 0
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def in_places(value: Decimal, currency: str) -> Decimal:
    """An amount with the currency's places, however the file wrote it: `120` of a
    Stripe export, `38.1` of a bill Excel saved again, `38.1000` are all `38.10`, so
    that copies of one statement write the same books; a significant digit past the
    places (`0.036`) is kept, never rounded away here: no entry is written with it
    (base.transaction and base.balance refuse it naming its line), and an importer
    whose statement writes such a figure by design rounds it as the channel charges it
    (charged). Every importer's postings and balances are made so (base.posting,
    base.balance)."""
    placed = value.quantize(minor_unit(currency))
    return placed if placed == value else value


def charged(value: Decimal, currency: str, channel: str | None = None) -> Decimal:
    """A figure a statement writes past its currency's places (WeChat Pay's 手续费,
    `7.40700`, FORMATS §3a) as the money that moves: rounded half up (四舍五入) to the
    currency's smallest unit, one figure at a time: 7.41 CNY. A channel moves no
    fraction of a fen; its other view (the fund bill's 扣除交易手续费) and its balance
    say the rounded figure. `channel`: its type, to the unit it moves (currency_places)."""
    return value.quantize(minor_unit(currency, channel), ROUND_HALF_UP)


def shown(value: Decimal, currency: str, channel: str | None = None) -> str:
    """Money as a person reads it, in every message and listing: rounded half up to the
    currency's places (charged), thousands grouped: `1,058,537` JPY, `20.005` KWD,
    `12.50` USD. The one place a printed amount gets its places; a hard-coded `:,.2f`
    printed yen with sen and cut a fils off 0.006 KWD. `channel`: its type, in the units
    it moves (PayPal's `126` HUF)."""
    return f"{charged(value, currency, channel):,.{currency_places(currency, channel)}f}"


def past_places(value: Decimal, currency: str) -> bool:
    """Whether an amount has a significant digit past its currency's places (`1.234`
    USD, `0.5` JPY; `10.500` USD has none)."""
    return value.quantize(minor_unit(currency)) != value


def minor_unit(currency: str, channel: str | None = None) -> Decimal:
    """The currency's minor unit (0.01, 1 for JPY, 0.001 for KWD), made once a currency;
    `channel`: the type of the channel that moves it, where its unit is the channel's
    (1 for PayPal's HUF)."""
    if channel is not None and currency in WHOLE_AT.get(channel, ()):
        return _WHOLE
    quantum = _QUANTA.get(currency)
    if quantum is None:
        quantum = _QUANTA[currency] = Decimal(1).scaleb(-currency_places(currency))
    return quantum


_WHOLE = Decimal(1)
_QUANTA: dict[str, Decimal] = {}   # currency -> Decimal of its places (`0.01`): in_places, once per posting
