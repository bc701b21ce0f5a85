"""One writer per statement format (FORMATS.md), written from the truth, never from beanclear's code.

`write_all(merchant, out)` puts every file the merchant would download under `out/`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal


def amt(x: Decimal, thousands: bool = False) -> str:
    return f"{x:,.2f}" if thousands else f"{x:.2f}"


def csv_text(rows, quote_all=False, lineterminator="\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=lineterminator)
    w.writerows(rows)
    return buf.getvalue()


def write_all(m, out) -> list:
    from . import alipay, banks, paypal, shops, stripe, wechat
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ch in m.shape.channels:
        mod = {"wechat": wechat, "alipay": alipay, "stripe": stripe, "paypal": paypal}[ch.name]
        written += mod.write(m, ch, out / ch.name)
    for shop in m.shape.shops:
        written += shops.write(m, shop, out / "shops")
    for b in m.shape.banks:
        written += banks.write(m, b, out / "banks")
    if any(c.eur for c in m.shape.channels):
        p = out / "prices" / "EURUSD.csv"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(csv_text([["date", "pair", "rate"]] + [[d.isoformat(), "EUR/USD", str(r)] for d, r in sorted(m.rates.items())]))
        written.append(p)
    return written
