"""The period a statement says it covers, from the words above (or below) its rows.

Chinese exports state it in their preamble, in several spellings:

    起始日期:,2026-03-07,截止日期:,2026-03-31                  ICBC 明细
    起始时间：[2023-01-01 00:00:00]    终止时间：[2023-03-31 23:59:59]   Alipay / WeChat personal
    #起始日期：[2019年09月16日 00:00:00]   终止日期：[2019年09月17日 00:00:00]   Alipay merchant
    日期区间：2023-01-01 至 2023-03-31                            JD
    起止日期：2026-01-01 至 2026-01-31                            ICBC 借记账户历史明细
    查询期间：2026-02-26 至 2026-03-04                            交通银行 对公明细
    查询起止日期：20260226-20260304                               a bank's 明细查询, its days unseparated

One rule reads the Chinese ones: a label (起止日期, 查询期间, 查询日期, 交易期间, 账单周期,
日期区间, …: _RANGE_LABEL) before two days joined by 至, 到, ~, ～, -, — or –, or a
start label (起始日期, 开始时间) and an end label (截止日期, 终止时间) each before its day;
a day written 2026-02-26, 2026/02/26, 2026.02.26, 2026年02月26日 or 20260226, a time of
day after it or not.

German and other European bank exports, day first:

    Zeitraum;01.09.2026 - 30.09.2026                           a Sparkasse-like CSV
    Kontoauszug vom 01.09.2026 bis 30.09.2026
    Statement period: 01.09.2026 to 30.09.2026

An end at midnight (`…17日 00:00:00`) is the end of the day before, one at `23:59:59` the
end of its day; any other time of day (`终止日期：[2026年03月03日 14:00:00]`, a download cut
at two in the afternoon) ends the period inside its last day (`Stated.ends_inside`): the
statement's last balance is of that moment, not the day's close. Likewise a start at any
time but midnight (`起始日期：[2026年03月10日 14:00:00]`) starts it inside its first day
(`Stated.starts_inside`): its first balance is of that moment, not the day's opening, and
the rows of the day before it are in the download before. A day's bill that
states no period (WeChat Pay's fund and trade bills) covers the day `beanclear fetch`
names it by (`fundflow-2026-03-01.csv`): its first day is known even when it was quiet. The coverage of a
statement (ledger/statements/coverage.py) is this period widened to its lines; a last day it
ends inside is covered only where a statement of all of that day is in the books too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

# A day (its text, then a time of day after it, if any): 2026-02-26, 2026/02/26, 2026.02.26,
# 2026年02月26日, or 20260226 (a longer number is no day).
_DATE = r"(\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?|\d{8})(?!\d)(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?"
_AFTER_LABEL = r"[\s:：,\[\"']*"
_START = r"(?:起始|开始)(?:日期|时间)|From"
_END = r"(?:截止|终止|结束)(?:日期|时间)|To"
_LABELLED = re.compile(rf"(?:{_START}){_AFTER_LABEL}{_DATE}.{{0,40}}?(?:{_END}){_AFTER_LABEL}{_DATE}", re.S)
# 起止日期, 日期区间, 查询期间, 查询日期, 查询起止日期, 交易期间, 账单周期, 统计周期, 查询区间, 对账期间, …
_RANGE_LABEL = r"(?:查询|交易|账单|对账|统计|记账)?(?:起止|起讫)?(?:日期|时间|期间|区间|周期)(?:范围|区间|段)?"
_RANGE = re.compile(rf"{_RANGE_LABEL}{_AFTER_LABEL}{_DATE}\s*(?:至|到|~|～|-|－|—|–)\s*{_DATE}")
_DAY_FIRST = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"   # 01.09.2026: dots are day first wherever they are written
_EUROPEAN = re.compile(rf"(?:Abrechnungszeitraum|Auszugszeitraum|Zeitraum|Kontoauszug|Statement period|Period|Periode)"
                       rf"[^\n\d]{{0,20}}?{_DAY_FIRST}\s*(?:-|–|bis|to|~)\s*{_DAY_FIRST}", re.IGNORECASE)


@dataclass(frozen=True)
class Stated:
    """A period a statement's preamble states: its days, or None where they cannot be a
    period (`why`: no such day, or it ends before it starts), the line it is on and its text."""

    days: tuple[dt.date, dt.date] | None
    line: int
    text: str
    why: str = ""
    ends_inside: dt.datetime | None = None   # the moment it ends, where that is inside its last day
    starts_inside: dt.datetime | None = None   # the moment it starts, where that is inside its first day


# A range label before two words that are no days (`查询期间：昨天 至 明天`): a period stated,
# unreadable, said rather than dropped unseen.
_UNREADABLE = re.compile(rf"(?:查询|交易|账单|对账|统计|记账)?(?:起止|起讫)?(?:期间|区间|周期|起止日期)[:：]\s*"
                         rf"([^\n,;]{{1,40}}?)\s*(?:至|到)\s*([^\n,;]{{1,40}})")


def stated_period(head: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) day a statement's preamble states, or None."""
    found = read_period(head)
    return found.days if found else None


def read_period(head: str) -> Stated | None:
    """The period a statement's preamble states (stated_period), or None where it states
    none; one it states that is no period (`2026-02-30`, a reversed one, `昨天 至 明天`)
    with why, for the import to say."""
    found = _LABELLED.search(head) or _RANGE.search(head)
    if not found:
        found = _EUROPEAN.search(head)
        if not found:
            garbled = _UNREADABLE.search(head)
            return _stated(head, garbled, None, "no days beanclear can read") if garbled else None
        d1, m1, y1, d2, m2, y2 = map(int, found.groups())
        try:
            first, last = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
        except ValueError:
            return _stated(head, found, None, "no such day")
        return _stated(head, found, (first, last))
    first_day, first_time, last_day, last_time = found.groups()
    try:
        first, last = _day(first_day), _day(last_day)
    except ValueError:
        return _stated(head, found, None, "no such day")
    if last_time and re.fullmatch(r"0?0:00(:00)?", last_time) and last > first:
        last -= dt.timedelta(days=1)  # up to midnight: the day before is the last one
    return _stated(head, found, (first, last), ends_inside=_inside(last, last_time),
                   starts_inside=_inside(first, first_time, start=True))


def _inside(day: dt.date, time: str | None, start: bool = False) -> dt.datetime | None:
    """The moment a period ends (or `start`s) at `time` of `day`, where that is inside the
    day (inside_day), and a time there is."""
    if not time:
        return None
    hour, minute, *second = map(int, time.split(":"))
    if hour > 23 or minute > 59 or (second and second[0] > 59):
        return None
    return inside_day(dt.datetime.combine(day, dt.time(hour, minute, *second)), start)


def inside_day(moment: dt.datetime | None, start: bool = False) -> dt.datetime | None:
    """`moment`, where a period that ends there ends inside its day: not at the day's start
    (midnight) nor at its end (from 23:59 on); where one that starts there (`start`)
    starts inside its day: not at midnight. Else None: the period is of whole days there.
    A moment with an offset is taken as written (its wall clock: the bank's day)."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=None)
    clock = (moment.hour, moment.minute)
    if clock == (0, 0) or (clock >= (23, 59) and not start):
        return None
    return moment


def zoned_period(days: tuple[dt.date, dt.date], starts_inside: dt.datetime | None,
                 ends_inside: dt.datetime | None, zone, tz) -> tuple[tuple[dt.date, dt.date],
                                                                  dt.datetime | None, dt.datetime | None]:
    """A period a statement states in the days of its own zone (a WeChat bill of China's
    1 October, `tradebill-2026-10-01.csv`; an Alipay bill's 起始/终止时间), as the books'
    zone `tz` has it: (first, last) day, and where it starts and ends inside a day
    (inside_day), as its rows, moved to the books' wall clock (values.zone_time), are.
    China's 1 October is 09:00 on 30 Sep to 09:00 on 1 Oct in Los Angeles: it starts
    inside 30 Sep and ends inside 1 Oct, whose rest is in the next day's bill (coverage.py
    counts a day covered once the statements of all of it are in). In the zone it is
    written in (`zone` the books' own, or None), the period as it is."""
    from beanclear.importers.toolkit.values import zone_time
    start = starts_inside or dt.datetime.combine(days[0], dt.time(0))
    end = ends_inside or dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(0))
    moved_start, moved_end = zone_time(start, zone, tz), zone_time(end, zone, tz)
    if moved_start == start and moved_end == end:
        return days, starts_inside, ends_inside
    ends = inside_day(moved_end)
    # up to midnight (or from 23:59 on), the period ends with the day before (or that day)
    last = moved_end.date() if ends is not None or moved_end.time() >= dt.time(23, 59) else \
        moved_end.date() - dt.timedelta(days=1)
    first = moved_start.date()
    return (first, max(first, last)), inside_day(moved_start, start=True), ends


def _stated(head: str, found: re.Match, days: tuple | None, why: str = "",
            ends_inside: dt.datetime | None = None, starts_inside: dt.datetime | None = None) -> Stated:
    if days is not None and days[0] > days[1]:
        days, why = None, "it ends before it starts"
    text = " ".join(found.group(0).split())
    return Stated(days, head.count("\n", 0, found.start()) + 1, text, why, ends_inside if days else None,
                  starts_inside if days else None)


def unread_period(line: int | None, text: str, why: str) -> str:
    """What the import says of a period a statement states that is not the days it covers
    (`text`, on `line` where known; `why`: read_period's or not_coverage's)."""
    return (f"{f'line {line}: ' if line else ''}{text}: {why}: not the days the statement covers; the days of its "
            "lines are taken for the days it covers")


# The longest a stated period may reach past its lines, or last without any: a year (a
# quiet account's yearly statement); longer, it states years without a line.
QUIET_YEAR = 366
# The most days its lines may stray outside a stated period (a value date after the period's
# end, a day's bill whose rows run past midnight): further, the period is another's.
STRAY_DAYS = 7


def not_coverage(period: tuple[dt.date, dt.date], lines: tuple[dt.date, dt.date] | None,
                 today: dt.date) -> str:
    """Why a period a statement states cannot be the days it covers, or "": one that ends
    after `today` (a day ahead for a bank in a zone ahead of the books: the file was made
    by today), holds none of the statement's `lines` (their first and last day; they may
    stray STRAY_DAYS past it), reaches
    more than QUIET_YEAR days past them, or without lines lasts longer. Its lines' days
    are its coverage then (`查询期间：2026-02-01 至 9999-12-31` over rows of February wrote
    books for 9999 and judged a March payout missing for 2912381 days)."""
    first, last = period
    if last > today + dt.timedelta(days=1):
        return f"ends after today, {today}"
    if lines is None:
        return f"lasts {(last - first).days + 1} days without a line" if (last - first).days >= QUIET_YEAR else ""
    if (lines[0] - last).days > STRAY_DAYS or (first - lines[1]).days > STRAY_DAYS:
        return f"holds none of its lines ({lines[0]} to {lines[1]})"
    if (lines[0] - first).days > QUIET_YEAR:
        return f"starts {(lines[0] - first).days} days before its first line"
    if (last - lines[1]).days > QUIET_YEAR:
        return f"ends {(last - lines[1]).days} days after its last line"
    return ""


def _day(text: str) -> dt.date:
    """The day of a _DATE's text: `2026-02-26`, `2026年02月26日`, `20260226`. ValueError: no such day."""
    numbers = re.findall(r"\d+", text)
    if len(numbers) == 1:   # 20260226
        numbers = [text[:4], text[4:6], text[6:8]]
    return dt.date(*map(int, numbers))


def named_day(filepath, kind: str | None) -> tuple[dt.date, dt.date] | None:
    """(day, day) of a bill archived by `beanclear fetch` as `<kind>-YYYY-MM-DD.csv`, or
    None: a day asked for is covered from its first hour, so a missing first bill is not
    taken for quiet days before its successor's first line (seed 33033)."""
    if kind is None:
        return None
    found = re.fullmatch(rf"{re.escape(kind)}-(\d{{4}})-(\d{{2}})-(\d{{2}})\.csv(?:\.gz)?", Path(filepath).name)
    if not found:
        return None
    try:
        day = dt.date(*map(int, found.groups()))
    except ValueError:
        return None
    return day, day
