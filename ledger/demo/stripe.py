"""The Stripe account (USD) of the tea house's overseas web shop: an itemized "Balance
change from activity" report of the quarter (Dashboard → Reports), one row per balance
transaction, every charge and refund tagged with the automatic payout that settles it.

Charges of a day become available two days later and are paid out that morning, in
one payout; the payout reaches the USD bank the next day (camt.py), its id in the
bank's remittance text. Stripe keeps its fee on refunds (a refund's fee is 0.00).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from beanclear.demo.common import CENT, END, Quarter, days

HEADER = ("balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
          "reporting_category", "source_id", "description", "customer_facing_amount", "customer_facing_currency",
          "automatic_payout_id", "automatic_payout_effective_at_utc")
CATALOG = [("Dragon Well green tea 100g", "28.00"), ("Da Hong Pao oolong 100g", "36.00"),
           ("Pu-erh cake 357g", "64.00"), ("Jasmine pearls 50g", "19.50"), ("Yixing clay teapot", "118.00"),
           ("Tea tasting set", "45.00")]
RATE, FIXED = Decimal("0.029"), Decimal("0.30")   # the contract in config.yaml
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UTC, LOCAL = ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")


@dataclass
class Txn:
    id: str
    created: dt.datetime          # local (Asia/Shanghai)
    gross: Decimal
    fee: Decimal
    category: str
    source: str
    description: str
    payout: str = ""
    payout_day: dt.date | None = None

    @property
    def net(self) -> Decimal:
        return self.gross - self.fee


def _id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(ALNUM) for _ in range(24))


def activity(rng: random.Random, q: Quarter) -> list[Txn]:
    """The quarter's charges, a refund every week or two, and the daily payouts; each
    payout is added to `q.usd_bank` as the credit it becomes a day later."""
    rows: list[Txn] = []
    by_day: dict[dt.date, list[Txn]] = {}
    for day in days():
        charges = []
        for _ in range(rng.randint(3, 8)):
            name, price = rng.choice(CATALOG)
            qty = rng.choice((1, 1, 1, 2))
            gross = Decimal(price) * qty
            when = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(86400))
            charge = _id(rng, "ch_")
            charges.append(Txn(_id(rng, "txn_"), when, gross, (gross * RATE + FIXED).quantize(CENT, ROUND_HALF_UP),
                               "charge", charge, f"{name} x{qty}"))
        if rng.random() < 0.1 and by_day:
            paid = rng.choice(by_day[max(by_day)])
            if paid.gross < 100 and paid.category == "charge":
                when = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(seconds=rng.randrange(12 * 3600))
                charges.append(Txn(_id(rng, "txn_"), when, -paid.gross, Decimal("0.00"), "refund", _id(rng, "re_"),
                                   f"REFUND FOR CHARGE ({paid.description})"))
        by_day[day] = sorted(charges, key=lambda t: t.created)
        rows += by_day[day]
    for day in days():
        settled = by_day[day]
        payday = day + dt.timedelta(2)
        if payday > END:
            continue
        payout = _id(rng, "po_")
        for t in settled:
            t.payout, t.payout_day = payout, payday
        amount = sum((t.net for t in settled), Decimal("0.00"))
        when = dt.datetime.combine(payday, dt.time(8, 5))
        rows.append(Txn(_id(rng, "txn_"), when, -amount, Decimal("0.00"), "payout", payout, "STRIPE PAYOUT"))
        q.usd_bank.append((payday + dt.timedelta(1), "STRIPE PAYMENTS", f"STRIPE PAYOUT {payout}", amount, payout))
    return sorted(rows, key=lambda t: t.created)


def _utc(when: dt.datetime) -> str:
    return f"{when.replace(tzinfo=LOCAL).astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def write(path: Path, rows: list[Txn]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(HEADER)
        for t in rows:
            available = t.created + dt.timedelta(2) if t.category == "charge" else t.created
            effective = _utc(dt.datetime.combine(t.payout_day, dt.time(8))) if t.payout_day else ""
            customer = (f"{t.gross:.2f}", "usd") if t.category != "payout" else ("", "")
            out.writerow((t.id, _utc(t.created), _utc(available), "usd", f"{t.gross:.2f}", f"{t.fee:.2f}",
                          f"{t.net:.2f}", t.category, t.source, t.description, *customer, t.payout, effective))
    return len(rows)
