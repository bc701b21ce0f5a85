"""The `timezone` init writes: the zone whose clock the statements' own offsets show.

`timezone` dates the statements' UTC times (Stripe's, a CAMT's `Z`), and the books keep
the zone they were written in (books/renamed.py): guessed wrong, init's own import is
dated in it (blind8: Asia/Shanghai for a merchant whose every statement is American).
Many statements write their zone beside their times: Shopify's `Created at`
(`2026-03-02 09:52:04 -0500`), PayPal's TimeZone column (`EST`, `PDT`, an IANA name),
OFX's `[-5:EST]`, CAMT's `+01:00`, a bank CSV's `%z` (toolkit stated_offsets).

A zone fits a time whose offset is the zone's at that instant, or, where the statement
names the zone (`EST`), one of that name and offset in its year, whatever the season
(banks write `[-5:EST]` all summer). Of an IANA name a statement writes and the ZONES
below, the zone that fits the sources best wins (guess); on a tie, the name a statement
writes, else the first listed of the merchant's currency, else the first listed. A time
in UTC says nothing (any merchant's statements write them); a Chinese channel's, wallet's
or marketplace's time, written without an offset, is China's. Where no statement says
its zone so, there is no guess: init writes the default.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# One zone of each set of rules the statements' offsets can tell apart (and a country's
# own name for it where its currency says which), the most used first.
ZONES = (
    ("America/New_York", "USD"), ("America/Toronto", "CAD"), ("America/Chicago", "USD"),
    ("America/Mexico_City", "MXN"), ("America/Denver", "USD"), ("America/Phoenix", "USD"),
    ("America/Los_Angeles", "USD"), ("America/Vancouver", "CAD"), ("America/Anchorage", "USD"),
    ("Pacific/Honolulu", "USD"), ("America/Halifax", "CAD"), ("America/Sao_Paulo", "BRL"),
    ("America/Argentina/Buenos_Aires", "ARS"), ("America/Santiago", "CLP"), ("America/Bogota", "COP"),
    ("America/Lima", "PEN"), ("Europe/London", "GBP"), ("Europe/Dublin", "EUR"), ("Europe/Lisbon", "EUR"),
    ("Europe/Berlin", "EUR"), ("Europe/Paris", "EUR"), ("Europe/Amsterdam", "EUR"), ("Europe/Madrid", "EUR"),
    ("Europe/Rome", "EUR"), ("Europe/Zurich", "CHF"), ("Europe/Stockholm", "SEK"), ("Europe/Oslo", "NOK"),
    ("Europe/Copenhagen", "DKK"), ("Europe/Warsaw", "PLN"), ("Europe/Prague", "CZK"), ("Europe/Budapest", "HUF"),
    ("Africa/Lagos", "NGN"), ("Europe/Athens", "EUR"), ("Europe/Helsinki", "EUR"), ("Europe/Bucharest", "RON"),
    ("Africa/Johannesburg", "ZAR"), ("Africa/Cairo", "EGP"), ("Asia/Jerusalem", "ILS"), ("Europe/Istanbul", "TRY"),
    ("Europe/Moscow", "RUB"), ("Asia/Riyadh", "SAR"), ("Asia/Dubai", "AED"), ("Asia/Karachi", "PKR"),
    ("Asia/Kolkata", "INR"), ("Asia/Dhaka", "BDT"), ("Asia/Bangkok", "THB"), ("Asia/Ho_Chi_Minh", "VND"),
    ("Asia/Jakarta", "IDR"), ("Asia/Shanghai", "CNY"), ("Asia/Hong_Kong", "HKD"), ("Asia/Taipei", "TWD"),
    ("Asia/Singapore", "SGD"), ("Asia/Kuala_Lumpur", "MYR"), ("Asia/Manila", "PHP"), ("Australia/Perth", "AUD"),
    ("Asia/Tokyo", "JPY"), ("Asia/Seoul", "KRW"), ("Australia/Brisbane", "AUD"), ("Australia/Adelaide", "AUD"),
    ("Australia/Sydney", "AUD"), ("Pacific/Auckland", "NZD"),
)


CHINA = "Asia/Shanghai"   # the clock of the Chinese channels', wallets' and marketplaces' times (survey.CNY_TYPES)


def guess(sources, currency: str) -> tuple[str, str] | None:
    """(zone, what it was read from) of the times the sources' statements write
    (survey.Source.offsets), or None where none says its zone or no zone fits them.

    Each source counts once, for the share of its distinct times a zone fits (a large
    file outweighs no other source); one of a Chinese type (survey.CNY_TYPES), whose times are
    China's without an offset (importers/shop.py), counts for Asia/Shanghai: a Chinese
    merchant's PayPal account set to PST does not move its books to Los Angeles."""
    from beanclear.setup.survey import CNY_TYPES
    timed = [s for s in sources if s.offsets]
    chinese = [s for s in sources if not s.offsets and s.type in CNY_TYPES]
    if not timed and not chinese:
        return None
    named = sorted({name for s in timed for _, _, name in s.offsets if name and "/" in name})   # PayPal's TimeZone
    zones = [(_zone(name), currency) for name in named] + [(_zone(name), money) for name, money in ZONES]
    zones = [(zone, money) for zone, money in zones if zone is not None]
    score = {zone.key: sum((Fraction(sum(_fits(zone, time) for time in s.offsets), len(s.offsets)) for s in timed),
                           Fraction(len(chinese) if zone.key == CHINA else 0)) for zone, _ in zones}
    best = max(score.values())
    if not best:
        return None
    tied = [zone.key for zone, _ in zones if score[zone.key] == best]
    chosen = next((zone.key for zone, money in zones if zone.key in tied and money == currency), tied[0])
    return chosen, _read_from(timed, chinese, _zone(chosen))


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):   # a tz database without it
        return None


def _fits(zone: ZoneInfo, time: tuple) -> bool:
    """Whether a stated time (instant, offset, name or None) is one of the zone's clock."""
    instant, offset, name = time
    if name and "/" not in name:   # a zone's abbreviation: of that name and offset in its year
        year = [dt.datetime(instant.year, month, 15, 12, tzinfo=zone) for month in (1, 7)]
        return name in {d.tzname() for d in year} and offset in {d.utcoffset() for d in year}
    return instant.astimezone(zone).utcoffset() == offset


def _read_from(timed, chinese, zone: ZoneInfo) -> str:
    """`the times of shopify (-05:00, -04:00), paypal (EST, EDT) say it`: each source's
    offsets, in the order of their first time; those whose times the zone does not fit
    all are said apart, to be checked."""
    fit, other = [], []
    for source in timed:
        first = {}
        for time in sorted(source.offsets, key=lambda t: (t[0], t[1], t[2] or "")):
            first.setdefault(time[2] or _offset(time[1]), None)
        said = f"{source.name} ({', '.join(first)})"
        (fit if all(_fits(zone, time) for time in source.offsets) else other).append(said)
    china = [f"{source.name} (China time, by its type)" for source in chinese]
    (fit if zone.key == CHINA else other).extend(china)
    if not fit:
        return f"the times of {', '.join(other)} fit it best: check it"
    return f"the times of {', '.join(fit)} say it" + (f"; {', '.join(other)} say another: check it" if other else "")


def _offset(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
