"""The period a statement says it covers, from the words above (or below) its rows.

Chinese exports state it in their preamble, in several spellings:

    起始日期:,2026-03-07,截止日期:,2026-03-31                  ICBC 明细
    起始时间：[2023-01-01 00:00:00]    终止时间：[2023-03-31 23:59:59]   Alipay / WeChat personal
    #起始日期：[2019年09月16日 00:00:00]   终止日期：[2019年09月17日 00:00:00]   Alipay merchant
    日期区间：2023-01-01 至 2023-03-31                            JD

German and other European bank exports, day first:

    Zeitraum;01.09.2026 - 30.09.2026                           a Sparkasse-like CSV
    Kontoauszug vom 01.09.2026 bis 30.09.2026
    Statement period: 01.09.2026 to 30.09.2026

An end at midnight (`…17日 00:00:00`) is the end of the day before. The coverage of a
statement (ledger/statements/coverage.py) is this period widened to its lines.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE = r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?"
_START = r"(?:起始|开始)(?:日期|时间)|From"
_END = r"(?:截止|终止|结束)(?:日期|时间)|To"
_LABELLED = re.compile(rf"(?:{_START})[\s:：,\[\"']*{_DATE}.{{0,40}}?(?:{_END})[\s:：,\[\"']*{_DATE}", re.S)
_RANGE = re.compile(rf"(?:日期区间|账单周期|统计周期)[\s:：,\[\"']*{_DATE}\s*(?:至|到|~|-|—)\s*{_DATE}")
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
