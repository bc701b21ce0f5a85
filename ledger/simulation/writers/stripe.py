"""Stripe itemized balance change from activity report (FORMATS §5a), every value quoted.

Times are UTC (`created_utc`); a charge in EUR is settled in USD with the presentment side in
customer_facing_amount/currency; every item names its payout in automatic_payout_id. A dispute
(`dispute`, its 15.00 fee in `fee`) and its reversal name the charge's order like a refund:
the report's payment_metadata is the related charge's.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from . import amt, csv_text, in_downloads

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
    return utc, header[:-1] + extra + header[-1:]


def _utc(dt):
    return dt - timedelta(hours=8)          # the merchant's books are in Asia/Shanghai


def write(m, ch, folder):
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    avail = lambda dt: f"{(_utc(dt) + timedelta(days=2)):%Y-%m-%d} 00:00:00"
    po_id = lambda x: x.payout.id if x.payout else ""
    for p in m.payments:
        if p.channel == ch.name:
            rows.append((p.dt, [p.id, f"{_utc(p.dt):%Y-%m-%d %H:%M:%S}", avail(p.dt), "usd", amt(p.gross), amt(p.fee),
                                amt(p.net), "charge", p.charge_id, f"Order {p.order_ref}", amt(p.pres_amount),
                                p.pres_currency.lower(), po_id(p), p.order_ref]))
    for r in m.refunds:
        if r.channel == ch.name:
            rows.append((r.dt, [r.id, f"{_utc(r.dt):%Y-%m-%d %H:%M:%S}", avail(r.dt), "usd", amt(-r.amount), "0.00",
                                amt(-r.amount), "refund", r.source_id, "REFUND FOR CHARGE",
                                amt(-(r.pres_amount if r.pres_amount is not None else r.amount)),
                                (r.pres_currency or "usd").lower(),
                                po_id(r), r.payment.order_ref]))
    for po in m.payouts:
        if po.channel == ch.name:
            rows.append((po.dt, [po.txn_id, f"{_utc(po.dt):%Y-%m-%d %H:%M:%S}", f"{_utc(po.dt):%Y-%m-%d} 00:00:00", "usd",
                                 amt(-po.amount), "0.00", amt(-po.amount), "payout", po.id, "STRIPE PAYOUT", "", "",
                                 po.id, ""]))
    for back in m.payout_returns:
        if back.channel == ch.name:   # a failed payout's money, back in the balance
            rows.append((back.dt, [back.id, f"{_utc(back.dt):%Y-%m-%d %H:%M:%S}", f"{_utc(back.dt):%Y-%m-%d} 00:00:00",
                                   "usd", amt(back.amount), "0.00", amt(back.amount), "payout_reversal",
                                   back.failed.id, "STRIPE PAYOUT REVERSAL", "", "", po_id(back), ""]))
    for d in m.disputes:
        if d.channel == ch.name:   # taken back with its fee; given back when won (FORMATS §5a, §5c)
            p, when = d.payment, f"{_utc(d.dt):%Y-%m-%d %H:%M:%S}"
            rows.append((d.dt, [d.id, when, when, "usd", amt(d.amount), amt(d.fee), amt(d.net),
                                "dispute_reversal" if d.won else "dispute", d.source_id,
                                f"Chargeback {'reversal' if d.won else 'withdrawal'} for {p.charge_id}",
                                amt(d.pres_amount if d.pres_amount is not None else d.amount), p.pres_currency.lower(),
                                po_id(d), p.order_ref]))
    rows.sort(key=lambda x: x[0])
    utc, header = layout(m.shape.seed)
    if header != HEADER:
        rows = [(dt, _laid_out(row, utc, header)) for dt, row in rows]

    def written(f, rows, first, last):
        f.write_text(csv_text([header] + rows, quote_all=True), encoding="utf-8")
        return f
    return in_downloads(m, ch.name, folder, "balance_change_from_activity_itemized_2.csv", rows, written)


def _laid_out(row: list, utc: bool, header: list) -> list:
    """A row of HEADER's columns as `header` lays them out: times in the merchant's zone
    where not `utc`; a charge's id (`source_id` of a charge), a payment intent named
    after it and a customer's e-mail in the optional columns picked."""
    cells = dict(zip(HEADER, row))
    if not utc:
        for column in ("created_utc", "available_on_utc"):
            local = datetime.strptime(cells.pop(column), "%Y-%m-%d %H:%M:%S") + timedelta(hours=8)
            cells[column[:-4]] = f"{local:%Y-%m-%d %H:%M:%S}"
    charge = cells["source_id"] if cells["reporting_category"] == "charge" else ""
    cells.update({"charge_id": charge, "payment_intent_id": "pi_" + charge[3:] if charge else "",
                  "customer_email": f"buyer{charge[3:9].lower()}@example.com" if charge else ""})
    return [cells[c] for c in header]
