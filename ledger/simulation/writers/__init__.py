"""One writer per statement format (FORMATS.md), written from the truth, never from beanclear's code.

`write_all(merchant, out)` puts every file the merchant would download under `out/`.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo


def amt(x: Decimal, thousands: bool = False) -> str:
    return f"{x:,.2f}" if thousands else f"{x:.2f}"


def instant(m, local: datetime) -> datetime:
    """A time of the truth (the wall clock of the merchant's zone) as an aware instant:
    its offset is the one that day has (daylight saving time in a US zone)."""
    return local.replace(tzinfo=ZoneInfo(m.shape.timezone))


def utc(m, local: datetime) -> datetime:
    """A time of the truth as UTC's wall clock (naive)."""
    return instant(m, local).astimezone(timezone.utc).replace(tzinfo=None)


def csv_text(rows, quote_all=False, lineterminator="\n", delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=lineterminator,
                   delimiter=delimiter)
    w.writerows(rows)
    return buf.getvalue()


def overlapping(m, source: str, end) -> tuple | None:
    """(first day of the second download, last day of the first) where the merchant
    downloaded a source's statement twice, the second from a day the first already
    held (a download of 'the last 30 days', say): the days both hold must be booked
    once. `end`: the last day the statement covers. Drawn from a stream of its own:
    the merchant's shape stays the same."""
    rng = random.Random(f"overlap {m.shape.seed} {source}")
    if m.shape.days < 20 or rng.random() >= 0.4:
        return None
    second = m.shape.start + timedelta(days=rng.randint(7, m.shape.days - 8))
    if second + timedelta(days=6) > end:   # a short statement: one download
        return None
    return second, second + timedelta(days=rng.randint(0, 6))


def in_downloads(m, source: str, folder, name, rows: list, write) -> list:
    """Write `rows` ((local datetime, row) pairs) as `write(path, rows, first, last)`
    does for the days first..last: one file, or two downloads whose days overlap
    (overlapping()), in `part-1` and `part-2`. `name`: the file's, or a function of
    (first, last) that makes it."""
    named = name if callable(name) else (lambda first, last: name)
    cut = overlapping(m, source, m.shape.end)
    if cut is None:
        return [write(folder / named(m.shape.start, m.shape.end), [r for _, r in rows], m.shape.start, m.shape.end)]
    second_from, first_to = cut
    out = []
    for part, first, last in (("part-1", m.shape.start, first_to), ("part-2", second_from, m.shape.end)):
        (folder / part).mkdir(parents=True, exist_ok=True)
        out.append(write(folder / part / named(first, last), [r for when, r in rows if first <= when.date() <= last],
                         first, last))
    return out


def write_all(m, out) -> list:
    from . import alipay, banks, paypal, shops, stripe, wechat
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ch in m.shape.channels:
        mod = {"wechat": wechat, "alipay": alipay, "stripe": stripe, "paypal": paypal}[ch.type]
        written += resaved(m, mod.write(m, ch, out / folder_of(m.shape, ch)))
    for shop in m.shape.shops:
        written += resaved(m, shops.write(m, shop, out / "shops"))
    for b in m.shape.banks:
        written += banks.write(m, b, out / "banks")
    # the reference rates: of the channels' EUR payments, and of a bank converting USD payouts into EUR
    if any(c.eur for c in m.shape.channels) or any(b.converts for b in m.shape.banks):
        p = out / "prices" / "EURUSD.csv"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(csv_text([["date", "pair", "rate"]] + [[d.isoformat(), "EUR/USD", str(r)] for d, r in sorted(m.rates.items())]))
        written.append(p)
    return written


def folder_of(shape, ch) -> str:
    """The folder of a channel's statements: its name (its type's) where it is the only
    account of its type. Of two accounts of one type each has the folder of its config
    key, as README says a merchant tells them apart where a file names no account
    (`statements/<source>/`: Stripe's exports, PayPal's activity download, WeChat Pay's
    fund bill; WeChat's trade bills of both would have one name); two Alipay accounts,
    whose bills state their `#账号`, share `alipay/` in half of those merchants (a stream
    of its own), their `account_id` telling them apart."""
    if sum(1 for c in shape.channels if c.type == ch.type) < 2:
        return ch.name
    if ch.type == "alipay" and random.Random(f"second account folder {shape.seed}").random() < 0.5:
        return "alipay"
    from ..config import style
    return style(shape)["keys"][ch.name]


def resaved(m, files: list) -> list:
    """Some channel and shop CSVs as a merchant re-saved them (FORMATS: the general rules):
    GBK turned UTF-8, UTF-8 given a BOM by Excel, or saved as GBK by Excel on a Chinese
    Windows. The text is the same. A stream of its own per file: shapes stay."""
    for f in files:
        rng = random.Random(f"resaved {m.shape.seed} {f.parent.name}/{f.name}")
        if f.suffix.lower() != ".csv" or rng.random() >= 0.15:
            continue
        raw = f.read_bytes()
        try:
            text, was = raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError:
            text, was = raw.decode("gb18030"), "gb18030"
        f.write_bytes(text.encode(rng.choice([e for e in ("utf-8", "utf-8-sig", "gb18030") if e != was])))
    return files
