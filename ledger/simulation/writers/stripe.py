"""Stripe's statements, in the format the merchant's draw says (statement_format, a stream of
its own): the itemized balance change from activity report (FORMATS §5a), the API's balance
transactions (§5c) or the legacy Dashboard balance history (§5b).

The report, every value quoted: times are UTC (`created_utc`); a charge in EUR is settled in
USD with the presentment side in customer_facing_amount/currency; every item names its payout
in automatic_payout_id. Some merchants' reports leave out payment_metadata[order_id]: the
charge's description (`Order …`) and its refund's (`REFUND FOR CHARGE (Order …)`) name the order. A dispute (`dispute`, its 15.00 fee in `fee`) and its reversal name the
charge's order like a refund: the report's payment_metadata is the related charge's.

The API's `balance_transaction`s (_write_api) name no payout and no order (a charge's
description does, as the merchant's checkout writes it: `Order W…`, `Order #1001 by …`) and give a charge's `exchange_rate`, not its currency; the
legacy export (_write_legacy) names each item's payout in `Transfer`.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..model import money
from . import amt, csv_text, in_downloads, instant
from . import utc as to_utc

HEADER = ["balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
          "reporting_category", "source_id", "description", "customer_facing_amount", "customer_facing_currency",
          "automatic_payout_id", "payment_metadata[order_id]"]


def layout(seed: int) -> tuple[bool, list]:
    """(times in UTC, the columns) of a merchant's report: `created`/`available_on` in the
    account's zone (the merchant's) or `_utc`; some optional columns picked besides
    (FORMATS §5a), in the report's order. A stream of its own: shapes stay."""
    rng = random.Random(f"stripe layout {seed}")
    if rng.random() < 0.4:   # the layout every merchant had before layouts were drawn
        return True, HEADER
    utc = rng.random() < 0.5
    header = [c if utc or not c.endswith("_utc") else c[:-4] for c in HEADER]
    extra = [c for c in ("customer_email", "charge_id", "payment_intent_id") if rng.random() < 0.5]
    if rng.random() < 0.3:   # the order metadata left out (a report's default columns): descriptions name the orders
        return utc, header[:-1] + extra
    return utc, header[:-1] + extra + header[-1:]


def write(m, ch, folder):
    kind = statement_format(m.shape.seed)
    if kind != "report":
        return {"api": _write_api, "legacy": _write_legacy}[kind](m, ch, folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    avail = lambda dt: f"{(to_utc(m, dt) + timedelta(days=2)):%Y-%m-%d} 00:00:00"
    po_id = lambda x: x.payout.id if x.payout else ""
    for p in m.payments:
        if p.channel == ch.name:
            rows.append((p.dt, [p.id, f"{to_utc(m, p.dt):%Y-%m-%d %H:%M:%S}", avail(p.dt), "usd", amt(p.gross), amt(p.fee),
                                amt(p.net), "charge", p.charge_id, f"Order {p.order_ref}", amt(p.pres_amount),
                                p.pres_currency.lower(), po_id(p), p.order_ref]))
    for r in m.refunds:
        if r.channel == ch.name:
            rows.append((r.dt, [r.id, f"{to_utc(m, r.dt):%Y-%m-%d %H:%M:%S}", avail(r.dt), "usd", amt(-r.amount), "0.00",
                                amt(-r.amount), "refund", r.source_id, "REFUND FOR CHARGE",
                                amt(-(r.pres_amount if r.pres_amount is not None else r.amount)),
                                (r.pres_currency or "usd").lower(),
                                po_id(r), r.payment.order_ref]))
    for po in m.payouts:
        if po.channel == ch.name:
            rows.append((po.dt, [po.txn_id, f"{to_utc(m, po.dt):%Y-%m-%d %H:%M:%S}", f"{to_utc(m, po.dt):%Y-%m-%d} 00:00:00", "usd",
                                 amt(-po.amount), "0.00", amt(-po.amount), "payout", po.id, "STRIPE PAYOUT", "", "",
                                 po.id, ""]))
    for back in m.payout_returns:
        if back.channel == ch.name:   # a failed payout's money, back in the balance
            rows.append((back.dt, [back.id, f"{to_utc(m, back.dt):%Y-%m-%d %H:%M:%S}", f"{to_utc(m, back.dt):%Y-%m-%d} 00:00:00",
                                   "usd", amt(back.amount), "0.00", amt(back.amount), "payout_reversal",
                                   back.failed.id, "STRIPE PAYOUT REVERSAL", "", "", po_id(back), ""]))
    for d in m.disputes:
        if d.channel == ch.name:   # taken back with its fee; given back when won (FORMATS §5a, §5c)
            p, when = d.payment, f"{to_utc(m, d.dt):%Y-%m-%d %H:%M:%S}"
            rows.append((d.dt, [d.id, when, when, "usd", amt(d.amount), amt(d.fee), amt(d.net),
                                "dispute_reversal" if d.won else "dispute", d.source_id,
                                f"Chargeback {'reversal' if d.won else 'withdrawal'} for {p.charge_id}",
                                amt(d.pres_amount if d.pres_amount is not None else d.amount), p.pres_currency.lower(),
                                po_id(d), p.order_ref]))
    rows.sort(key=lambda x: x[0])
    utc, header = layout(m.shape.seed)
    if HEADER[-1] not in header:   # a refund names its charge's order as Stripe writes it then
        rows = [(dt, row[:9] + [f"REFUND FOR CHARGE (Order {row[-1]})"] + row[10:]) if row[7] == "refund" else (dt, row)
                for dt, row in rows]
    if header != HEADER:
        rows = [(dt, _laid_out(row, utc, header, m.shape.timezone)) for dt, row in rows]

    def written(f, rows, first, last):
        f.write_text(csv_text([header] + rows, quote_all=True), encoding="utf-8")
        return f
    return in_downloads(m, ch.name, folder, "balance_change_from_activity_itemized_2.csv", rows, written)


def _laid_out(row: list, utc: bool, header: list, zone: str = "Asia/Shanghai") -> list:
    """A row of HEADER's columns as `header` lays them out: times in the merchant's zone
    (the Stripe account's) where not `utc`; a charge's id (`source_id` of a charge), a payment intent named
    after it and a customer's e-mail in the optional columns picked."""
    cells = dict(zip(HEADER, row))
    if not utc:
        for column in ("created_utc", "available_on_utc"):
            stamp = datetime.strptime(cells.pop(column), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            local = stamp.astimezone(ZoneInfo(zone))
            cells[column[:-4]] = f"{local:%Y-%m-%d %H:%M:%S}"
    charge = cells["source_id"] if cells["reporting_category"] == "charge" else ""
    cells.update({"charge_id": charge, "payment_intent_id": "pi_" + charge[3:] if charge else "",
                  "customer_email": f"buyer{charge[3:9].lower()}@example.com" if charge else ""})
    return [cells[c] for c in header]


# -- the other documented formats: the API's balance transactions (FORMATS §5c) and the
# legacy Dashboard balance history (§5b) ------------------------------------------------

FORMATS = ("report", "api", "legacy")
LEGACY_HEADER = ["id", "Type", "Source", "Amount", "Fee", "Net", "Currency", "Created (UTC)", "Available On (UTC)",
                 "Description", "Customer Facing Amount", "Customer Facing Currency", "Transfer",
                 "Transfer Date (UTC)", "Transfer Group"]
PAGE = 100                      # the most items a Stripe list page holds (`limit`)


def statement_format(seed: int) -> str:
    """What the merchant's Stripe statements are: the itemized report CSV (§5a), the
    API's balance transactions (§5c) or the legacy balance history CSV (§5b). A stream
    of its own: a merchant that draws the report is the merchant it was."""
    draw = random.Random(f"stripe format {seed}").random()
    return "report" if draw < 0.5 else "api" if draw < 0.75 else "legacy"


def api_layout(seed: int) -> str:
    """How API JSON came: `fetch` (a file a day, as `beanclear fetch` archives them) or
    `pages` (the merchant's own listing of the period: pages of 100, newest first)."""
    rng = random.Random(f"stripe format {seed}")
    rng.random()
    return "fetch" if rng.random() < 0.6 else "pages"


def names_payouts(seed: int) -> bool:
    """Whether the statements name the payout that pays each item (the report's
    automatic_payout_id, the legacy export's Transfer): the API's balance transactions
    do not, so their payouts settle first in, first out, as PayPal's do."""
    return statement_format(seed) != "api"


def expands_sources(seed: int) -> bool:
    """Whether the API's balance transactions hold their source (the charge, refund or
    dispute: what the customer paid, in which currency) or its id alone: `beanclear
    fetch` asks for it expanded; a merchant's own listing may not (a stream of its own)."""
    return api_layout(seed) == "fetch" or random.Random(f"stripe expand {seed}").random() < 0.5


def names_presentment(seed: int) -> bool:
    """Whether the statements say what a customer paid in EUR: the API's balance
    transactions alone give the rate (`exchange_rate`), not the currency it is of; their
    sources expanded do."""
    return statement_format(seed) != "api" or expands_sources(seed)


def _rate(m, dt) -> Decimal:
    """Stripe's rate of a day for a refund or dispute in EUR (truth.add_refund, disputes._rate)."""
    return (m.rates[dt.date()] * Decimal("0.999")).quantize(Decimal("0.000001"))


# How checkouts write a charge's description, the one place a balance transaction names
# its order (Stripe writes a refund's as `REFUND FOR CHARGE (<the charge's>)`)
DESCRIPTIONS = ("Order {ref}", "Order #{ref}", "Tea Garden - Order {ref}", "Order #{ref} by {buyer}")


def described(seed: int) -> str:
    """The merchant's checkout's description of a charge (a stream of its own)."""
    return random.Random(f"stripe description {seed}").choice(DESCRIPTIONS)


def _events(m, ch) -> list[dict]:
    """Every balance transaction of the channel, the formats' facts in one shape: signed
    USD amounts, the presentment side and rate where the customer paid in EUR, the
    payout that pays it out, the order it is of."""
    out, style = [], described(m.shape.seed)
    po_id = lambda x: x.payout.id if x.payout else ""
    describe = lambda p: style.format(ref=p.order_ref, buyer="Jo Smith")
    for p in m.payments:
        if p.channel == ch.name:
            eur = p.pres_currency != p.currency
            out.append(dict(dt=p.dt, id=p.id, type="charge" if p.charge_id.startswith("ch_") else "payment",
                            category="charge", source=p.charge_id, charge=p.charge_id, gross=p.gross, fee=p.fee,
                            net=p.net, description=describe(p), pres=p.pres_amount,
                            pres_currency=p.pres_currency, rate=p.rate if eur else None, payout=po_id(p),
                            order=p.order_ref, fee_text="Stripe processing fees", later=2))
    for r in m.refunds:
        if r.channel == ch.name:
            p = r.payment
            rate = _rate(m, r.dt) if r.pres_amount is not None else None
            if rate is not None and money(r.pres_amount * rate) != r.amount:
                rate = (r.amount / r.pres_amount).quantize(Decimal("0.000001"))
            out.append(dict(dt=r.dt, id=r.id, type="refund" if p.charge_id.startswith("ch_") else "payment_refund",
                            category="refund", source=r.source_id, charge=p.charge_id, gross=-r.amount,
                            fee=-r.fee_back, net=-r.net, description=f"REFUND FOR CHARGE ({describe(p)})",
                            pres=-(r.pres_amount if r.pres_amount is not None else r.amount),
                            pres_currency=r.pres_currency or "USD", rate=rate, payout=po_id(r), order=p.order_ref,
                            fee_text="Stripe processing fees", later=0))
    for po in m.payouts:
        if po.channel == ch.name:
            out.append(dict(dt=po.dt, id=po.txn_id, type="payout", category="payout", source=po.id, charge="",
                            gross=-po.amount, fee=Decimal(0), net=-po.amount, description="STRIPE PAYOUT", pres=None,
                            pres_currency="", rate=None, payout=po.id, order="", later=0,
                            arrival=po.dt.date() + timedelta(days=ch.bank_days - 1)))
    for back in m.payout_returns:
        if back.channel == ch.name:   # a failed payout's money, back in the balance
            out.append(dict(dt=back.dt, id=back.id, type="payout_failure", category="payout_reversal",
                            source=back.failed.id, charge="", gross=back.amount, fee=Decimal(0), net=back.amount,
                            description="STRIPE PAYOUT FAILURE", pres=None, pres_currency="", rate=None,
                            payout=po_id(back), order="", later=0))
    for d in m.disputes:
        if d.channel == ch.name:   # an `adjustment` under `dispute`/`dispute_reversal`, its fee a stripe_fee
            p = d.payment
            rate = None
            if d.pres_amount is not None:
                rate = _rate(m, d.dt)
                if money(d.pres_amount * rate) != d.amount:
                    rate = (d.amount / d.pres_amount).quantize(Decimal("0.000001"))
            out.append(dict(dt=d.dt, id=d.id, type="adjustment", category="dispute_reversal" if d.won else "dispute",
                            source=d.source_id, charge=p.charge_id, gross=d.amount, fee=d.fee, net=d.net,
                            description=f"Chargeback {'reversal' if d.won else 'withdrawal'} for {p.charge_id}",
                            pres=d.pres_amount if d.pres_amount is not None else d.amount,
                            pres_currency=p.pres_currency, rate=rate, payout=po_id(d), order=p.order_ref,
                            fee_text="Dispute fee", later=0))
    out.sort(key=lambda e: e["dt"])
    return out


def _unix(m, local) -> int:
    return int(instant(m, local).timestamp())


def _minor(x: Decimal) -> int:
    return int((x * 100).to_integral_value())


def _balance_transaction(m, e: dict, fetched) -> dict:
    """A `balance_transaction` as the API returns it (FORMATS §5c): minor units, Unix
    seconds, `pending` until its money is available at the time it was fetched."""
    created = _unix(m, e["dt"])
    if e["later"]:   # a charge's money is available some days on, at midnight UTC
        day = (to_utc(m, e["dt"]) + timedelta(days=e["later"])).date()
        available = int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
    else:
        available = created
    details = [] if not e["fee"] else [{"amount": _minor(e["fee"]), "application": None, "currency": "usd",
                                        "description": e["fee_text"], "type": "stripe_fee"}]
    return {"id": e["id"], "object": "balance_transaction", "amount": _minor(e["gross"]), "available_on": available,
            "balance_type": "payments", "created": created, "currency": "usd", "description": e["description"],
            "exchange_rate": float(e["rate"]) if e["rate"] is not None else None, "fee": _minor(e["fee"]),
            "fee_details": details, "net": _minor(e["net"]), "reporting_category": e["category"],
            "source": _source(m, e), "status": "available" if available <= _unix(m, fetched) else "pending",
            "type": e["type"]}


SOURCE_OBJECTS = {"charge": "charge", "refund": "refund", "dispute": "dispute", "dispute_reversal": "dispute"}


def _source(m, e: dict):
    """A balance transaction's `source`: its id, or (expands_sources) the object as
    `beanclear fetch` keeps it: what the customer paid and in which currency, positive."""
    kind = SOURCE_OBJECTS.get(e["category"])
    if kind is None or e["pres"] is None or not expands_sources(m.shape.seed):
        return e["source"]
    amount = _minor(abs(e["pres"]))
    return {"id": e["source"], "object": kind, "amount": amount, "currency": e["pres_currency"].lower(),
            **({"amount_captured": amount} if kind == "charge" else {})}


def _write_api(m, ch, folder) -> list:
    """Balance transactions as the API lists them. `fetch`: a file a day
    (balance-transactions-YYYY-MM-DD.json, the day the books' zone's, every page's items
    oldest first, keys sorted: what `beanclear fetch` writes), fetched the next morning.
    `pages`: the merchant's own listing of its days, pages of 100 newest first, each
    saying whether more follow; two downloads whose days overlap where in_downloads says."""
    folder.mkdir(parents=True, exist_ok=True)
    events = _events(m, ch)
    if api_layout(m.shape.seed) == "fetch":
        out = []
        for i in range(m.shape.days + 1):   # the morning after the last day holds a failed payout's return
            day = m.shape.start + timedelta(days=i)
            items = sorted((_balance_transaction(m, e, datetime.combine(day + timedelta(days=1), time(9, 30)))
                            for e in events if e["dt"].date() == day), key=lambda b: (b["created"], b["id"]))
            if i == m.shape.days and not items:
                break
            asked = (_unix(m, datetime.combine(day, time())), _unix(m, datetime.combine(day + timedelta(days=1), time())))
            doc = {"object": "list", "url": "/v1/balance_transactions?created[gte]={}&created[lt]={}".format(*asked),
                   "has_more": False, "data": items}
            f = folder / f"balance-transactions-{day}.json"
            f.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
            out.append(f)
        return out

    def written(f, rows, first, last):
        fetched = datetime.combine(last + timedelta(days=1), time(10, 0))
        items = [_balance_transaction(m, e, fetched) for e in reversed(rows)]   # newest first
        files = []
        for n in range(0, max(len(items), 1), PAGE):
            page = {"object": "list", "data": items[n:n + PAGE], "has_more": n + PAGE < len(items),
                    "url": "/v1/balance_transactions"}
            files.append(f.with_name(f"{f.stem}-{n // PAGE + 1}.json"))
            files[-1].write_text(json.dumps(page, indent=2) + "\n", encoding="utf-8")
        return files
    name = lambda first, last: f"balance_transactions_{first:%Y%m%d}_{last:%Y%m%d}"
    return [f for files in in_downloads(m, ch.name, folder, name, [(e["dt"], e) for e in events], written)
            for f in files]


def _write_legacy(m, ch, folder) -> list:
    """The legacy Dashboard balance history (FORMATS §5b): UTC times to the minute; a
    charge's `Source` its charge, a refund's and a chargeback's the charge they take
    back (a chargeback an `adjustment` with its 15.00 fee, given back a negative one);
    `Transfer` the payout that pays the item out, on `Transfer Date`, the day it
    arrives; the charges' metadata (`order_id (metadata)`) on their rows and on those
    of the refunds and chargebacks of them."""
    folder.mkdir(parents=True, exist_ok=True)
    events = _events(m, ch)
    arrives = {e["source"]: e["arrival"] for e in events if e["category"] == "payout"}
    header = LEGACY_HEADER + ["order_id (metadata)"]
    rows = []
    for e in events:
        when = to_utc(m, e["dt"])
        available = when + timedelta(days=e["later"]) if e["later"] else when
        if e["later"]:
            available = available.replace(hour=0, minute=0)
        source = e["source"] if e["category"] in ("charge", "payout", "payout_reversal") else e["charge"]
        shown = e["pres"] is not None and e["category"] != "dispute" and e["category"] != "dispute_reversal"
        paid_on = arrives.get(e["payout"])
        rows.append((e["dt"], [e["id"], e["type"], source, amt(e["gross"]), amt(e["fee"]), amt(e["net"]), "usd",
                               f"{when:%Y-%m-%d %H:%M}", f"{available:%Y-%m-%d %H:%M}", e["description"],
                               amt(e["pres"]) if shown else "", e["pres_currency"].lower() if shown else "",
                               e["payout"], f"{paid_on:%Y-%m-%d} 00:00" if paid_on else "", "", e["order"]]))

    def written(f, rows, first, last):   # newest first, as the Dashboard lists them
        f.write_text(csv_text([header] + rows[::-1]), encoding="utf-8")
        return f
    return in_downloads(m, ch.name, folder, "balance_history.csv", rows, written)
