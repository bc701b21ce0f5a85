"""The fx-gap check: every rate a channel or bank applied, against the reference rate.

An applied rate is either stated by the statement, as metadata on the transaction
(`fx-pair: "USD/CNY"`, `fx-rate: "7.0500"`: CNY per USD), or written into a posting
as its price (`-100.00 USD @ 7.0500 CNY`). The reference is the `price` directive
(books/prices.beancount, filled by `beanclear prices import`) of the same pair, or of
the inverse pair, on the same day or the nearest day before it.

    2026-01-05 price USD 7.1234 CNY

    2026-01-05 * "PayPal" "Currency conversion"
      id: "8KJ…"
      Assets:PayPal:USD        -100.00 USD @ 7.0500 CNY
      Assets:PayPal:CNY         705.00 CNY

gives `fx-gap`: the rate is 103 basis points below the reference, and 100.00 USD sold
at 7.0500 instead of 7.1234 lost 7.34 CNY (`amount`, in the quoted currency; `expected`
is the reference rate, `actual` the applied one). Only spreads beyond
`checks.fx-gap.tolerance_bps` (default 50) are reported, in either direction: a rate far
better than the market is as suspicious as one far worse, and the message says which.
The spread judged is that of the rate nearest the reference that the settled amount,
rounded to its currency's minor unit, allows (spread_past_rounding): a tiny conversion's
cents are no spread; the message and the money lost are the rate's as applied.

The amount converted is the net of the entry's postings in the base currency; where the
entry holds only the quoted side it is what the customer paid (`customer-amount`, signed
as the money moved: a Stripe charge of 100.00 GBP sells them, its refund of
`-50.00 GBP` buys them back, so a rate above the reference gains on the one and loses
on the other), else (a bank line in the account's currency that names the original
currency in metadata) the amount its statement states (`original-amount`, a camt.053
credit's instructed amount), else that side's first posting divided by the rate. A
bank line in the rate's base currency, its account's, that states what it was in the
quoted one (a camt.053 DBIT of 3,000.00 EUR sent as `original-amount: "3225.00 USD"` at
`fx-pair: "EUR/USD"` 1.0750, booked to an expense: no posting in USD) converted its own
amount: sold where it left the account, bought where it came in.
A conversion both sides of a transfer between own accounts state (the sending bank's
debit stating the amount instructed, the receiving bank's credit of it, or stating the
amount sent) is judged once, on the debit: one conversion, one finding (stated_twice). No reference rate on or before the day means no
`fx-gap`: the gap cannot be measured, and the check does not guess. Those conversions are one `statement-gap` per pair instead,
the pair and its inverse one, as one series of either direction judges both (a PayPal
EUR sale converted to USD and its refund converted back: "no EUR/USD or USD/EUR
reference rate … the rates of 2 conversion(s) (1 EUR→USD, 1 USD→EUR) … are not
judged"), so that rates never imported (`beanclear prices import`) do not pass for
rates within tolerance.

A conversion whose rate is stated without its pair (Stripe's API balance transaction
alone: `exchange-rate`, no `fx-pair`: `unpaired`) cannot be judged either: one
`statement-gap` per channel says so, until what the customer paid is in the books.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from beancount.core import data

from beanclear.checks.findings import Finding, at_entry, limit, rate_text
from beanclear.checks.items import refs
from beanclear.importers.stated import stated_amount
from beanclear.importers.toolkit.places import charged, minor_unit, shown

ZERO = Decimal(0)


@dataclass(frozen=True)
class Applied:
    """One conversion: `converted` units of `base` at `rate` units of `quote` each
    (negative `converted`: the base currency was sold)."""

    entry: data.Transaction
    base: str
    quote: str
    rate: Decimal
    converted: Decimal
    account: str


class References:
    """The books' `price` directives, by pair and date."""

    def __init__(self, entries):
        series: dict[tuple[str, str], dict] = defaultdict(dict)
        for entry in entries:
            if isinstance(entry, data.Price) and "__implicit_prices__" not in entry.meta:
                series[(entry.currency, entry.amount.currency)][entry.date] = entry.amount.number
        self.series = {pair: sorted(days.items()) for pair, days in series.items()}
        self._rates: dict[tuple, tuple | None] = {}   # (base, quote, day) -> rate()'s answer

    def _last(self, pair, day):
        rows = self.series.get(pair, [])
        at = bisect.bisect_right(rows, (day, _ABOVE_ANY_RATE))
        return rows[at - 1] if at else None

    def rate(self, base: str, quote: str, day) -> tuple[Decimal, object] | None:
        """(rate, its date): the latest on or before `day`, direct or inverted; on the
        same date the direct quote wins. Asked once per pair and day: the conversions
        of a year fall on a few hundred days."""
        key = (base, quote, day)
        found = self._rates.get(key, _UNASKED)
        if found is _UNASKED:
            found = self._rates[key] = self._rate(base, quote, day)
        return found

    def _rate(self, base: str, quote: str, day) -> tuple[Decimal, object] | None:
        direct, inverse = self._last((base, quote), day), self._last((quote, base), day)
        if inverse and (not direct or inverse[0] > direct[0]):
            return (Decimal(1) / inverse[1]).quantize(Decimal("1e-10")).normalize(), inverse[0]
        return (direct[1], direct[0]) if direct else None


_ABOVE_ANY_RATE = Decimal("Infinity")   # bisect's bound: after every rate of the same day
_UNASKED = object()


def customer_amount(entry, signed: bool = False) -> tuple[Decimal, str] | None:
    """The amount and currency the customer paid, where the channel states them; `signed`:
    as stated, negative where the money went back to the customer (a refund's
    `customer-amount: "-50.00 GBP"`, importers/stripe_booking.py)."""
    return stated_amount(entry.meta.get("customer-amount"), signed)


def applied(entry: data.Transaction) -> list[Applied]:
    """The conversions of one transaction: its fx metadata, else its priced postings."""
    pair, stated = entry.meta.get("fx-pair"), entry.meta.get("fx-rate")
    if pair and stated:
        base, _, quote = str(pair).partition("/")
        try:
            rate = Decimal(str(stated))
        except InvalidOperation:
            return []
        if not quote or rate <= 0:
            return []
        converted = sum((p.units.number for p in entry.postings if p.units.currency == base), Decimal(0))
        paid = customer_amount(entry, signed=True)
        if not converted and paid and paid[1] == base:
            # what the customer paid, converted whole: the fee comes out after (Stripe's
            # charge of 100.00 EUR settled as 105.00 USD less 3.35: not the 101.65 net).
            # Sold where the customer paid it; bought back where it went back (a refund)
            converted = -paid[0]
        elif not converted:
            side = next((p for p in entry.postings if p.units.currency == quote), None)
            original = stated_amount(entry.meta.get("original-amount"))
            if side is None:
                # a bank line in the rate's base, the account's own currency, that states
                # what it was in the quoted one (a camt.053 DBIT of 3,000.00 EUR sent as
                # InstdAmt 3,225.00 USD at EUR/USD 1.0750, booked to an expense: every
                # posting in EUR, none in USD): the line's own amount is what was converted,
                # sold where it left the account, bought where it came in
                own = entry.postings[0] if entry.postings else None
                if own is None or own.units.currency != base or not original or original[1] != quote:
                    return []
                converted = own.units.number
            else:
                # the amount the statement states (a camt.053 credit's InstdAmt), else worked
                # back from the rate (a blind tester's 5,305.04 USD said as 5,305.05)
                converted = original[0].copy_sign(-side.units.number) if original and original[1] == base \
                    else -side.units.number / rate
        # the account the converted money arrived in (else left): not a fee posted first
        side = next((p for p in entry.postings if p.units.currency == quote), None) \
            or next((p for p in entry.postings if p.units.currency == base), entry.postings[0])
        return [Applied(entry, base, quote, rate, converted, side.account)]
    priced = [p for p in entry.postings if p.price is not None]
    if not priced:  # most entries: nothing converted, but a bank's own conversion (below)
        return _converted_by_the_bank(entry)
    groups: dict[tuple, list] = defaultdict(list)
    for p in priced:
        if p.price.currency != p.units.currency and p.price.number:
            groups[(p.units.currency, p.price.currency, p.price.number)].append(p)
    return [Applied(entry, base, quote, rate, sum(p.units.number for p in ps), ps[0].account)
            for (base, quote, rate), ps in groups.items()]


def _converted_by_the_bank(entry: data.Transaction) -> list[Applied]:
    """A bank line that states its amount in another currency (a bank CSV's
    `original_credit`/`original_debit`, kept as `original-amount`) and no rate, every
    posting in the account's own currency: the bank converted that amount at the rate
    the two imply (ICBC's debit of 186,400.00 CNY for a transfer of 200,000.00 HKD: HKD/CNY
    0.932): the original bought where the account paid, sold where it was paid (blind22: an
    intercompany transfer 219 bps off the reference was judged by nothing)."""
    original = stated_amount(entry.meta.get("original-amount"))
    own = entry.postings[0] if entry.postings else None
    if original is None or own is None or not original[0] or not own.units.number:
        return []
    if any(p.units.currency == original[1] for p in entry.postings):
        return []   # (a line of the original's currency: nothing converted, or a pair of postings)
    rate = (abs(own.units.number) / original[0]).quantize(Decimal("1e-10")).normalize()
    # the original's currency bought where the account paid (a transfer sent), sold where it was paid
    return [Applied(entry, original[1], own.units.currency, rate, original[0].copy_sign(-own.units.number),
                    own.account)]


def unpaired(entry) -> bool:
    """A conversion whose rate the channel states but not the currency the customer paid:
    Stripe's balance transaction alone says `exchange_rate` (`exchange-rate`), no pair.
    Its rate cannot be judged, and what it converted cannot be compared with an order
    in another currency: the reference rate would take Stripe's spread for a difference."""
    return "exchange-rate" in entry.meta and "fx-pair" not in entry.meta


def _refs(entry) -> tuple[str, ...]:
    """The entry's statement ids and the ids of the conversion rows it books (PayPal's
    "General Currency Conversion" pair, `conversion-ids`): the rows that carry the rate."""
    return tuple(dict.fromkeys((*refs([entry]), *str(entry.meta.get("conversion-ids") or "").split())))


def account_sources(config) -> dict[str, str]:
    """Account -> the bank or channel whose account it is."""
    sources = {b.account: name for name, b in config.banks.items()}
    for name, ch in config.channels.items():
        sources.update({a: name for a in vars(ch.accounts).values()})
    return sources


def source_of(entry, sources: dict[str, str]) -> str:
    """The source of the first of the entry's accounts that `sources` names."""
    return next((sources[p.account] for p in entry.postings if p.account in sources), "")


def spread_past_rounding(off: Decimal, converted: Decimal, base: str, quote: str, reference: Decimal,
                         channel: str | None = None) -> Decimal:
    """The size, in basis points, of a conversion's spread past what its rounding
    explains: the one rule of whether a rate is a gap (the fx-gap findings, and so the
    month report's FX spread made of them). `off`: what the rate applied moved
    `converted` units of `base` from their value at the reference, in `quote`.

    The settled amount, `quote`, could have been half its minor unit nearer the
    reference before it was rounded: the spread is that of the nearest rate it allows
    (0.150 KWD settled 0.48 USD, 0.48292 before its cents, is 3.2, -160 bps off 3.252;
    any rate from 3.1667 to 3.2333 settles 0.48: -57 bps, blind24). A move within half
    a unit of each amount (the base at the reference) loses no cent: none (0.45 EUR
    credited as 0.48 USD is 84 bps off 1.0757, and 0.484 at it: seed 34506). `channel`:
    the type of the channel that converted, in the units it moves (PayPal's whole HUF)."""
    half_quote, half_base = minor_unit(quote, channel) / 2, minor_unit(base, channel) / 2
    if not converted or abs(off) <= half_quote + half_base * reference:
        return ZERO
    return (abs(off) - half_quote) / (abs(converted) * reference) * 10000


def findings(entries, config, as_of=None, index=None, converted=None, prices=None) -> list[Finding]:
    """`converted`: the entries that may convert (fx metadata or a priced posting), and
    `prices`: the price directives (reconcile.Walk), when the caller has them."""
    tolerance = limit(config, "fx-gap", "tolerance_bps")
    references = References(entries if prices is None else prices)
    sources = account_sources(config)
    kinds = {name: channel.type for name, channel in config.channels.items()}   # a channel's units (places)
    out, unjudged = [], {}   # (base, quote) -> [how many convert without a reference rate, first, last day, some]
    unknown = {}   # source -> [how many state a rate but no pair (unpaired), first, last day, some]
    entries = [e for e in (entries if converted is None else converted) if isinstance(e, data.Transaction)]
    twice = stated_twice(entries, config)
    together, reversing = reversed_conversions(entries, sources)
    for entry in entries:
        if unpaired(entry):
            _count(unknown, source_of(entry, sources), entry)
        if id(entry) in reversing:   # judged with the conversion it reverses
            continue
        if id(entry) in together:
            out.extend(_reversed(together[id(entry)], references, tolerance, sources, kinds, unjudged))
            continue
        for conv in applied(entry) if id(entry) not in twice else ():
            found = references.rate(conv.base, conv.quote, entry.date) if references.series else None
            if found is None:
                _count(unjudged, (conv.base, conv.quote), entry)
                continue
            reference, day = found
            spread = (conv.rate - reference) / reference * 10000
            source = source_of(entry, sources)
            kind = kinds.get(source)
            if spread_past_rounding((reference - conv.rate) * conv.converted, conv.converted, conv.base, conv.quote,
                                    reference, kind) <= tolerance:
                continue
            lost = charged((reference - conv.rate) * -conv.converted, conv.quote, kind)
            out.append(Finding(
                "fx-gap", entry.date, source, conv.account, abs(lost), conv.quote,
                f"{conv.base}→{conv.quote} at {rate_text(conv.rate)}, reference {rate_text(reference)} of {day}: "
                f"{spread:+.1f} bps on {shown(abs(conv.converted), conv.base, kind)} {conv.base}, "
                f"{shown(abs(lost), conv.quote, kind)} {conv.quote} {'lost' if lost >= 0 else 'gained'} "
                f"(tolerance {tolerance} bps)",
                _refs(entry), expected=reference, actual=conv.rate, gained=lost < 0, **at_entry(entry)))
    if config.checks["fx-gap"].severity == "off":   # rates not wanted: their absence is no gap either
        unjudged, unknown = {}, {}
    for directions in _both_ways(unjudged):
        (base, quote), (_, first, _, _) = directions[0]
        count = sum(seen[0] for _, seen in directions)
        last = max(seen[2] for _, seen in directions)
        each = ", ".join(f"{seen[0]} {b}→{q}" for (b, q), seen in directions)
        out.append(Finding(
            "statement-gap", first.date, "prices", "", ZERO, "",
            f"no {base}/{quote} or {quote}/{base} reference rate in the books on or before {first.date}: the rates "
            f"of {count} conversion(s) ({each}) from {first.date} to {last} are not judged (import a series of "
            "either direction with `beanclear prices import`: it judges conversions both ways)",
            refs([e for _, seen in directions for e in seen[3]]), **at_entry(first)))
    compared = ", nor what they paid compared with the orders they name" if config.shops else ""
    for source, (count, first, last, sample) in sorted(unknown.items(), key=lambda item: item[0]):
        out.append(Finding(
            "statement-gap", first.date, source, "", ZERO, "",
            f"{count} conversion(s) of {source} from {first.date} to {last} state Stripe's rate but not the "
            f"currency the customer paid: their rates are not judged{compared} (import Stripe's itemized report "
            "of those days, or its balance transactions with their `source` expanded, as `beanclear fetch` "
            "saves them)", refs(sample), **at_entry(first)))
    return out


def reversed_conversions(entries, sources) -> tuple[dict[int, list[Applied]], set[int]]:
    """The conversions the channel reversed, each with its reversals: the entries of one
    source that carry the same `conversion-id` (Airwallex's `CONVERSION_REVERSAL` rows
    share their conversion's `source_id`; importers/airwallex_transactions.py books them
    as a conversion back), each converting between the same two currencies. ({id of the
    first entry: the Applied of each, the first first}, {ids of the others})."""
    groups: dict[tuple, list] = defaultdict(list)
    for entry in entries:
        conversion = entry.meta.get("conversion-id")
        if conversion:
            groups[(source_of(entry, sources), str(conversion))].append(entry)
    together, reversing = {}, set()
    for group in groups.values():
        if len(group) < 2:
            continue
        convs = [applied(e) for e in sorted(group, key=lambda e: (e.date, str(e.meta.get("time", ""))))]
        if any(len(c) != 1 for c in convs) or len({frozenset((c[0].base, c[0].quote)) for c in convs}) != 1:
            continue
        together[id(convs[0][0].entry)] = [c[0] for c in convs]
        reversing.update(id(c[0].entry) for c in convs[1:])
    return together, reversing


def _legs(conv: Applied) -> tuple[Decimal, Decimal]:
    """What a conversion moved in its base and in its quoted currency: the base converted,
    and the quoted postings of the account it arrived in (else the base at the rate)."""
    quoted = sum((p.units.number for p in conv.entry.postings
                  if p.units.currency == conv.quote and p.price is None and p.account == conv.account), ZERO)
    return conv.converted, quoted or -conv.converted * conv.rate


def _reversed(convs: list[Applied], references, tolerance, sources, kinds, unjudged) -> list[Finding]:
    """A conversion and its reversals judged as one (reversed_conversions), on what they
    leave together at the reference rate of the conversion's day: nothing where the
    reversal gave back what was converted (a blind tester's 3,000.00 USD sold at a bad
    quote and reversed the next morning was a loss of 321.60 CNY and a "gain" of 44.69
    USD, both in the month's FX spread); where it gave back less, or took more, that one
    difference; a part reversed, the rest converted, at its rate."""
    first = convs[0]
    base, quote, entry = first.base, first.quote, first.entry
    source = source_of(entry, sources)
    kind = kinds.get(source)
    left_base = left_quote = ZERO
    for conv in convs:
        moved = _legs(conv)
        moved_base, moved_quote = moved if conv.base == base else moved[::-1]
        left_base, left_quote = left_base + moved_base, left_quote + moved_quote
    if not left_base and not left_quote:
        return []
    found = references.rate(base, quote, entry.date) if references.series else None
    if found is None:
        _count(unjudged, (base, quote), entry)
        return []
    reference, day = found
    value = left_base * reference + left_quote   # in the quoted currency: gained where positive
    converting = left_base and left_quote and (left_base < 0) != (left_quote < 0)
    rate = (-left_quote / left_base).quantize(Decimal("1e-10")).normalize() if converting else first.rate
    spread = (rate - reference) / reference * 10000 if converting \
        else value / (abs(first.converted) * reference) * 10000
    if spread_past_rounding(value, left_base if converting else first.converted, base, quote, reference,
                            kind) <= tolerance:
        return []
    lost = charged(-value, quote, kind)
    sold_base, sold_quote = _legs(first)
    back = (f"({shown(abs(left_base - sold_base), base, kind)} {base} back for "
            f"{shown(abs(left_quote - sold_quote), quote, kind)} {quote})")
    when = ", ".join(dict.fromkeys(str(c.entry.date) for c in convs[1:]))
    said = f"{base}→{quote} at {rate_text(first.rate)} on {shown(abs(sold_base), base, kind)} {base}, reversed" \
        f"{' in part' if converting and (left_base < 0) == (sold_base < 0) else ''} on {when} {back}: "
    if converting:
        said += (f"left {shown(abs(left_base), base, kind)} {base} {'sold' if left_base < 0 else 'bought'} "
                 f"at {rate_text(rate)}, "
                 f"reference {rate_text(reference)} of {day}: {spread:+.1f} bps")
    else:
        said += (f"left {shown(left_base, base, kind)} {base} and {'+' if left_quote > 0 else ''}"
                 f"{shown(left_quote, quote, kind)} "
                 f"{quote}, against the reference {rate_text(reference)} of {day}: {spread:+.1f} bps of "
                 f"{shown(abs(sold_base), base, kind)} {base}")
    said += f", {shown(abs(lost), quote, kind)} {quote} {'lost' if lost >= 0 else 'gained'} (tolerance {tolerance} bps)"
    refs_ = tuple(dict.fromkeys(r for conv in convs for r in _refs(conv.entry)))
    return [Finding("fx-gap", entry.date, source, first.account, abs(lost), quote, said, refs_,
                    expected=reference, actual=rate, gained=lost < 0, **at_entry(entry))]


def stated_twice(entries, config) -> set[int]:
    """The ids of the converting bank credits whose conversion a debit at another of the
    banks states too, at most TRANSFER_DAYS apart: money moved between two own accounts,
    one conversion that both banks' lines state (a CAMT debit of 3,000.00 EUR stating
    the 3,225.00 USD instructed, the USD account's credit of 3,225.00 at the same rate;
    or a credit stating the amount the debit sent), judged once, on the debit, where the
    money left. Amounts decide, exactly: each line's own, and the one it states."""
    from beanclear.checks.transfers import TRANSFER_DAYS
    banks = {bank.account for bank in config.banks.values()}
    instructed: dict[tuple, list] = defaultdict(list)   # (currency, amount) a debit states -> [(day, bank)]
    sent: dict[tuple, list] = defaultdict(list)         # (currency, amount) a debit took -> [(day, bank)]
    credits = []
    for entry in entries:
        own = next((p for p in entry.postings if p.account in banks), None)
        if own is None or not own.units.number:
            continue
        mine = (own.units.currency, abs(own.units.number))
        said = stated_amount(entry.meta.get("original-amount"))
        said = (said[1], said[0]) if said else None
        if own.units.number < 0:
            sent[mine].append((entry.date, own.account))
            if said:
                instructed[said].append((entry.date, own.account))
        else:
            credits.append((entry, own.account, mine, said))
    out = set()
    for entry, account, mine, said in credits:   # (a debit may come after its credit in the books)
        debits = [*instructed.get(mine, ()), *(sent.get(said, ()) if said else ())]
        if any(bank != account and abs((day - entry.date).days) <= TRANSFER_DAYS for day, bank in debits):
            out.add(id(entry))
    return out


def _both_ways(unjudged: dict) -> list[list[tuple]]:
    """The conversions no reference rate judges, a pair and its inverse together (one
    series of either direction judges both: References.rate): per pair, its directions'
    (direction, _count's group), the first converted first."""
    pairs: dict[frozenset, list] = defaultdict(list)
    for direction, seen in unjudged.items():
        pairs[frozenset(direction)].append((direction, seen))
    return sorted((sorted(ways, key=lambda way: (way[1][1].date, way[0])) for ways in pairs.values()),
                  key=lambda ways: ways[0][0])


def _count(groups: dict, key, entry) -> None:
    """One more conversion of `key` that cannot be judged: counted, the first and the last
    day kept, and some of them (refs): not every entry of a year."""
    seen = groups.setdefault(key, [0, entry, entry.date, []])
    seen[0] += 1
    seen[1] = min(seen[1], entry, key=lambda e: e.date)
    seen[2] = max(seen[2], entry.date)
    if len(seen[3]) < 20:
        seen[3].append(entry)
