"""Reference exchange rates for the quarter, as a central bank publishes them: one CSV
per pair (`date,pair,rate`), business days only, which `beanclear prices import` reads.
The channels convert at these rates plus their spread (paypal.py)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from beanclear.demo.common import days

PAIRS = {"USD/CNY": (Decimal("7.1000"), Decimal("0.0040")), "EUR/USD": (Decimal("1.0850"), Decimal("0.0030"))}
PLACES = Decimal("0.0001")


class Rates:
    """A random walk per pair over the quarter's business days (plus the day before)."""

    def __init__(self, rng: random.Random):
        self.series: dict[str, dict[dt.date, Decimal]] = {}
        for pair, (start, step) in PAIRS.items():
            rate, series = start, {}
            for day in days(dt.date(2025, 12, 31)):
                if day.weekday() < 5:
                    rate = (rate + step * Decimal(rng.randint(-10, 10)) / 10).quantize(PLACES)
                    series[day] = rate
            self.series[pair] = series

    def on(self, pair: str, day: dt.date) -> Decimal:
        """The reference of a day: its own, or the last business day's before it."""
        series = self.series[pair]
        while day not in series:
            day -= dt.timedelta(1)
        return series[day]

    def write(self, folder: Path) -> list[tuple[Path, int]]:
        folder.mkdir(parents=True)
        files = []
        for pair, series in self.series.items():
            path = folder / (pair.lower().replace("/", "-") + ".csv")
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write("date,pair,rate\n")
                fh.writelines(f"{day},{pair},{rate}\n" for day, rate in series.items())
            files.append((path, len(series)))
        return files
