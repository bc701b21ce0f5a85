"""The PayPal business account (USD) of the overseas shop: the activity download
(Reports → Activity download, balance affecting) of the quarter.

Customers pay in USD or EUR. A EUR payment is converted to USD at once: two `General
Currency Conversion` rows (EUR out, USD in), both naming the payment in `Reference Txn
ID`, at the day's reference rate less PayPal's spread. Every Monday the whole USD
balance is withdrawn to the USD bank (camt.py), arriving two days later. Times are
PayPal's, US Pacific (PST, PDT from 8 March), the customers' afternoon and evening;
the books date them in Shanghai, the next day.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from beanclear.demo.common import CENT, Problem, Quarter, days
from beanclear.demo.rates import Rates

HEADER = ("Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
          "From Email Address", "To Email Address", "Transaction ID", "Item Title", "Reference Txn ID", "Balance",
          "Balance Impact")
SHOP = "shop@qingfeng-tea.example"
ITEMS = [("Silver Needle white tea 50g", "32.00"), ("Tie Guan Yin 100g", "24.00"), ("Gaiwan set", "58.00"),
         ("Osmanthus oolong 100g", "21.00"), ("Aged Pu-erh 200g", "76.00")]
BUYERS = ["Ann Lee", "Ben Okafor", "Chloé Martin", "Dieter Braun", "Eva Rossi", "Frank Hall", "Greta Nilsson",
          "Hugo Blanc", "Ines Duarte", "Jonas Weber"]
FEES = {"USD": (Decimal("0.0349"), Decimal("0.49")), "EUR": (Decimal("0.0349"), Decimal("0.39"))}  # config.yaml
SPREAD = Decimal("0.003")             # PayPal's margin on the reference: 30 bps, within the 50 of fx-gap
BAD_SPREAD = Decimal("0.035")         # the one conversion that fx-gap reports
LOCAL, PACIFIC = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles")


@dataclass
class Row:
    when: dt.datetime                 # local (Asia/Shanghai)
    name: str
    kind: str
    currency: str
    gross: Decimal
    fee: Decimal
    id: str
    item: str = ""
    ref: str = ""
    email: str = ""
    balance: Decimal = Decimal("0.00")

    @property
    def net(self) -> Decimal:
        return self.gross + self.fee


def _id(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(17))


def activity(rng: random.Random, q: Quarter, rates: Rates, problems: bool) -> list[Row]:
    rows: list[Row] = []
    balance = {"USD": Decimal("0.00"), "EUR": Decimal("0.00")}
    bad_from = dt.date(2026, 2, 18) if problems else None   # the first EUR payment from this day

    def add(row: Row) -> Row:
        balance[row.currency] += row.net
        row.balance = balance[row.currency]
        rows.append(row)
        return row

    for day in days():
        if day.weekday() == 0 and balance["USD"] > 0:
            out = add(Row(dt.datetime.combine(day, dt.time(1, 15)), "", "General Withdrawal - Bank Account", "USD",
                          -balance["USD"], Decimal("0.00"), _id(rng)))
            q.usd_bank.append((day + dt.timedelta(2), "PAYPAL", f"PAYPAL INST XFER {out.id}", -out.gross, out.id))
        seconds = sorted(rng.randrange(2 * 3600, 13 * 3600) for _ in range(rng.randint(1, 4)))
        for s in seconds:
            when = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=s)
            currency = "EUR" if rng.random() < 0.3 else "USD"
            item, price = rng.choice(ITEMS)
            gross = Decimal(price) * rng.choice((1, 1, 2))
            rate, fixed = FEES[currency]
            buyer = rng.choice(BUYERS)
            email = buyer.split()[0].lower().replace("é", "e") + "@example.com"
            paid = add(Row(when, buyer, rng.choice(("Website Payment", "Express Checkout Payment")), currency, gross,
                           -(gross * rate + fixed).quantize(CENT, ROUND_HALF_UP), _id(rng), item, email=email))
            if currency == "EUR":
                bad = bad_from is not None and day >= bad_from
                bad_from = None if bad else bad_from
                reference = rates.on("EUR/USD", day)
                applied = (reference * (1 - (BAD_SPREAD if bad else SPREAD))).quantize(Decimal("0.000001"))
                add(Row(when, "", "General Currency Conversion", "EUR", -paid.net, Decimal("0.00"), _id(rng),
                        ref=paid.id))
                add(Row(when, "", "General Currency Conversion", "USD", (paid.net * applied).quantize(CENT),
                        Decimal("0.00"), _id(rng), ref=paid.id))
                if bad:
                    q.problems.append(Problem("fx-gap", day, (paid.id,), f"EUR {paid.net} converted at {applied}, "
                                              f"{BAD_SPREAD:.1%} below the reference {reference}"))
    return rows


def write(path: Path, rows: list[Row]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(HEADER)
        for r in rows:
            pacific = r.when.replace(tzinfo=LOCAL).astimezone(PACIFIC)
            incoming = r.gross > 0
            out.writerow((f"{pacific:%m/%d/%Y}", f"{pacific:%H:%M:%S}", pacific.tzname(), r.name, r.kind, "Completed",
                          r.currency, f"{r.gross:,.2f}", f"{r.fee:,.2f}", f"{r.net:,.2f}",
                          r.email if incoming else SHOP, SHOP if incoming else "", r.id, r.item, r.ref,
                          f"{r.balance:,.2f}", "Credit" if incoming else "Debit"))
    return len(rows)
