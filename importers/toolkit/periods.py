"""The period a statement says it covers, from the words above (or below) its rows.

Chinese exports state it in their preamble, in several spellings:

    起始日期:,2026-03-07,截止日期:,2026-03-31                  ICBC 明细
    起始时间：[2023-01-01 00:00:00]    终止时间：[2023-03-31 23:59:59]   Alipay / WeChat personal
    #起始日期：[2019年09月16日 00:00:00]   终止日期：[2019年09月17日 00:00:00]   Alipay merchant
    日期区间：2023-01-01 至 2023-03-31                            JD
    起止日期：2026-01-01 至 2026-01-31                            ICBC 借记账户历史明细

German and other European bank exports, day first:

    Zeitraum;01.09.2026 - 30.09.2026                           a Sparkasse-like CSV
    Kontoauszug vom 01.09.2026 bis 30.09.2026
    Statement period: 01.09.2026 to 30.09.2026

An end at midnight (`…17日 00:00:00`) is the end of the day before. A day's bill that
states no period (WeChat Pay's fund and trade bills) covers the day `beanclear fetch`
names it by (`fundflow-2026-03-01.csv`): its first day is known even when it was quiet. The coverage of a
statement (ledger/statements/coverage.py) is this period widened to its lines.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

_DATE = r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?"
_START = r"(?:起始|开始)(?:日期|时间)|From"
_END = r"(?:截止|终止|结束)(?:日期|时间)|To"
_LABELLED = re.compile(rf"(?:{_START})[\s:：,\[\"']*{_DATE}.{{0,40}}?(?:{_END})[\s:：,\[\"']*{_DATE}", re.S)
_RANGE = re.compile(rf"(?:日期区间|账单周期|统计周期|起止日期|查询日期|查询区间)[\s:：,\[\"']*{_DATE}\s*(?:至|到|~|-|—)\s*{_DATE}")
_DAY_FIRST = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"   # 01.09.2026: dots are day first wherever they are written
_EUROPEAN = re.compile(rf"(?:Abrechnungszeitraum|Auszugszeitraum|Zeitraum|Kontoauszug|Statement period|Period|Periode)"
                       rf"[^\n\d]{{0,20}}?{_DAY_FIRST}\s*(?:-|–|bis|to|~)\s*{_DAY_FIRST}", re.IGNORECASE)


def stated_period(head: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) day a statement's preamble states, or None."""
    found = _LABELLED.search(head) or _RANGE.search(head)
    if not found:
        found = _EUROPEAN.search(head)
        if not found:
            return None
        d1, m1, y1, d2, m2, y2 = map(int, found.groups())
        try:
            first, last = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
        except ValueError:
            return None
        return (first, last) if first <= last else None
    g = found.groups()
    try:
        first = dt.date(int(g[0]), int(g[1]), int(g[2]))
        last = dt.date(int(g[4]), int(g[5]), int(g[6]))
    except ValueError:
        return None
    if g[7] and re.fullmatch(r"0?0:00(:00)?", g[7]) and last > first:
        last -= dt.timedelta(days=1)  # up to midnight: the day before is the last one
    return (first, last) if first <= last else None


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
