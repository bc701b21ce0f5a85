"""Whether a channel's answer is of the day asked, before it is archived as that day's.

A caching proxy at `fetch.api_base`, or the API itself, may answer another day's bill for
the day asked (blind24: Alipay's bill of 12-04, `起始日期：[2026年12月04日 00:00:00]`, for
12-05). Archived as `fund-2026-12-05.csv`, it would say the day fetched: the import finds
its bytes in the books as 12-04's and writes nothing, and 12-05, archived, is never asked
for again. So every answer is read by its source's own importer first (the archive step,
archive.store's `judge`), and one of other days is refused, not archived: the day is still
owed, asked again by the next fetch.

What says an answer's days is what the import reads them from:

- a period it states: its preamble's (toolkit periods `read_period`: Alipay's 起始/终止日期,
  in the days of the channel, the days `bill_date` asks for), or the window the answer
  itself says it is for (PayPal's `start_date`/`end_date`; Stripe's `url`); a period that
  is not the day asked is another day's answer;
- else its rows' days (a balance asserted the next morning is of the day before): an
  answer of rows none of which is of the day asked (as the books' zone has the channel's
  day: China's day is two days in Los Angeles) is another day's. An importer whose rows
  may carry an earlier day (WeChat's trade bill: a refund row, the time of the payment it
  refunds) says which of its rows are of the bill's day (`StatementImporter.of_its_day`).

An answer without either (a quiet day: a header, no row) says no other day, and is
archived as ever. An answer no importer of the source reads, or one it refuses, is not
judged here: the import says what is wrong with it, as before."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from beancount.core import data

from beanclear.importers import registry
from beanclear.importers.toolkit import sniff
from beanclear.importers.toolkit.periods import read_period, zoned_period

log = logging.getLogger("beanclear.fetch")
DAY = dt.timedelta(days=1)


class Judge:
    """The importers of one source, to judge its answers' days."""

    def __init__(self, config, source: str):
        self.config = config
        channel = config.channels.get(source)
        # as they would claim a file whatever account it is of: another account's statement
        # is the import's to refuse, not a day's to judge here
        self.importers = [cls(channel, config).with_account(None)
                          for cls in registry.CHANNEL_IMPORTERS.get(channel.type, ())] if channel else []

    def other_days(self, path: Path, day: dt.date) -> str:
        """Why the statement at `path` is not the answer for `day`: what says its days, and
        them ("its rows are of 2026-12-04"); "" where it is, or says nothing of its days."""
        try:
            importer = next((i for i in self.importers if i.identify(str(path))), None)
            if importer is None:
                return ""
            out = importer.parse(str(path))
            stated = None if out.period is not None else read_period(sniff(str(path)))
            if out.period is not None:   # the window the answer says it is for
                return _not(out.period, "it says it answers for") if out.period != (day, day) else \
                    self._rows(importer, out, day)
            if stated is not None and stated.days is not None:   # in the channel's days, as bill_date asks
                text = stated.text + "]" * (stated.text.count("[") - stated.text.count("]"))
                return _not(stated.days, f"it states {text}, a statement of") \
                    if stated.days != (day, day) else ""
            return self._rows(importer, out, day)
        except Exception:   # (a statement the import refuses: it says why, in its own words)
            log.debug("%s: not judged", path, exc_info=True)
            return ""

    def _rows(self, importer, out, day: dt.date) -> str:
        """Why rows none of which is of `day` are another day's answer, or ""."""
        first, last = (day, day)
        if importer.statement_zone is not None:   # the channel's day, in the books' days
            (first, last), _, _ = zoned_period((day, day), None, None, importer.statement_zone,
                                               self.config.timezone)
        days = set()
        for entry in out.entries:
            if isinstance(entry, data.Transaction) and importer.of_its_day(entry):
                days.add(entry.date)
            elif isinstance(entry, data.Balance):
                days.add(entry.date - DAY)   # asserted the next morning: of the day before
        if not days or any(first <= d <= last for d in days):
            return ""
        return _not((min(days), max(days)), "its rows are of")


def _not(held: tuple[dt.date, dt.date], said: str) -> str:
    return f"{said} {held[0]}" if held[0] == held[1] else f"{said} {held[0]} to {held[1]}"
