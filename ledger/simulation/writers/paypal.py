"""PayPal activity download (FORMATS §6a): a USD account; an EUR payment is followed by its
General Currency Conversion pair (−EUR, +USD) pointing at it through Reference Txn ID, an EUR
refund by its own (−USD, +EUR) pointing at the refund; Fee is
negative for a cost, Net = Gross + Fee, Balance runs per currency; withdrawals are General Withdrawal.
A Chargeback points to its payment, its Chargeback Fee to it; a Chargeback Reversal gives the gross back.
"""

from __future__ import annotations

import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from . import amt, csv_text, in_downloads

HEADER = ["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
          "From Email Address", "To Email Address", "Transaction ID", "Reference Txn ID", "Invoice Number",
          "Item Title", "Balance", "Balance Impact"]
# The columns a merchant picks differ (FORMATS §6a): an older default (OCA's sample: no
# Balance Impact, Address Status and Receipt ID among them) and "all columns".
HEADERS = {
    "default": HEADER,
    "older": ["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
              "From Email Address", "To Email Address", "Transaction ID", "Address Status", "Item Title", "Sales Tax",
              "Reference Txn ID", "Invoice Number", "Receipt ID", "Balance", "Contact Phone Number", "Subject", "Note"],
    "all": ["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
            "From Email Address", "To Email Address", "Transaction ID", "Shipping Address", "Address Status",
            "Item Title", "Item ID", "Shipping and Handling Amount", "Insurance Amount", "Sales Tax", "Option 1 Name",
            "Option 1 Value", "Option 2 Name", "Option 2 Value", "Reference Txn ID", "Invoice Number", "Custom Number",
            "Quantity", "Receipt ID", "Balance", "Address Line 1", "Address Line 2/District/Neighborhood",
            "Town/City", "State/Province/Region/County/Territory/Prefecture/Republic", "Zip/Postal Code", "Country",
            "Contact Phone Number", "Subject", "Note", "Country Code", "Balance Impact"],
}
ME = "sales@teahouse.example"
LOCAL = ZoneInfo("Asia/Shanghai")


def layout(seed: int) -> tuple[str, str, list]:
    """(the account's time zone, its date format, the columns picked) of a merchant's
    PayPal download: a US account writes its times in Pacific time (`PDT`/`PST`) and dates
    month first, a European one in `CET`/`CEST` and day first. A stream of its own."""
    rng = random.Random(f"paypal layout {seed}")
    if rng.random() < 0.4:   # the layout every merchant had before layouts were drawn
        return "Asia/Shanghai", "%m/%d/%Y", HEADER
    zone = rng.choice(["America/Los_Angeles", "Europe/Berlin", "Asia/Shanghai"])
    day = {"America/Los_Angeles": "%m/%d/%Y", "Europe/Berlin": "%d/%m/%Y"}.get(zone) or rng.choice(["%m/%d/%Y",
                                                                                                      "%d/%m/%Y"])
    return zone, day, HEADERS[rng.choice(list(HEADERS))]


def write(m, ch, folder):
    folder.mkdir(parents=True, exist_ok=True)
    ev = []
    for p in m.payments:
        if p.channel == ch.name:
            who = f"Buyer {p.id[:4]}"
            mail = f"buyer{p.id[:6].lower()}@example.com"
            ev.append((p.dt, 0, [who, "Website Payment", p.currency, p.gross, -p.fee, mail, ME, p.id, "", p.order_ref, p.title]))
            if p.conv:
                ev.append((p.dt, 1, ["", "General Currency Conversion", "EUR", -p.net, 0, ME, "", p.conv[0], p.id, p.order_ref, ""]))
                ev.append((p.dt, 2, ["", "General Currency Conversion", "USD", p.conv[2], 0, "", ME, p.conv[1], p.id, p.order_ref, ""]))
    for r in m.refunds:
        if r.channel == ch.name:
            p = r.payment
            ev.append((r.dt, 0, [f"Buyer {p.id[:4]}", "Payment Refund", p.currency, -r.amount, r.fee_back, ME,
                                 f"buyer{p.id[:6].lower()}@example.com", r.id, p.id, p.order_ref, p.title]))
            if r.conv:   # the EUR refunded, bought with USD
                ev.append((r.dt, 1, ["", "General Currency Conversion", "USD", -r.conv[2], 0, ME, "", r.conv[0], r.id,
                                     p.order_ref, ""]))
                ev.append((r.dt, 2, ["", "General Currency Conversion", "EUR", r.net, 0, "", ME, r.conv[1], r.id,
                                     p.order_ref, ""]))
    for d in m.disputes:
        if d.channel == ch.name:
            ev += _chargeback(d)
    for po in m.payouts:
        if po.channel == ch.name:
            ev.append((po.dt, 0, ["", "General Withdrawal", "USD", -po.amount, 0, ME, "", po.id, "", "", ""]))
    ev.sort(key=lambda e: (e[0], e[1]))
    bal = defaultdict(lambda: 0)
    bal["USD"] = ch.opening
    zone, day, header = layout(m.shape.seed)
    rows = []
    for dt, _, (name, kind, cur, gross, fee, frm, to, tid, ref, inv, title) in ev:
        net = gross + fee
        bal[cur] += net
        there = dt.replace(tzinfo=LOCAL).astimezone(ZoneInfo(zone))
        cells = {"Date": f"{there:{day}}", "Time": f"{there:%H:%M:%S}",
                 "TimeZone": zone if zone == "Asia/Shanghai" else there.tzname(), "Name": name, "Type": kind,
                 "Status": "Completed", "Currency": cur, "Gross": amt(gross, True), "Fee": amt(fee, True),
                 "Net": amt(net, True), "From Email Address": frm, "To Email Address": to, "Transaction ID": tid,
                 "Reference Txn ID": ref, "Invoice Number": inv, "Item Title": title, "Balance": amt(bal[cur], True),
                 "Balance Impact": "Credit" if net > 0 else "Debit"}
        rows.append((dt, [cells.get(column, "") for column in header]))

    def written(f, rows, first, last):
        f.write_bytes(b"\xef\xbb\xbf" + csv_text([header] + rows, quote_all=True).encode("utf-8"))
        return f
    return in_downloads(m, ch.name, folder, "Download.CSV", rows, written)


def _chargeback(d) -> list:
    """A Chargeback (and its Chargeback Fee, pointing to it) or, won, a Chargeback Reversal,
    each pointing to the payment; in EUR, each with its conversion pair from or to USD."""
    p = d.payment
    buyer, mail = f"Buyer {p.id[:4]}", f"buyer{p.id[:6].lower()}@example.com"
    ev = [(d.dt, 0, [buyer, "Chargeback Reversal" if d.won else "Chargeback", p.currency, d.amount, 0,
                     *((mail, ME) if d.won else (ME, mail)), d.id, p.id, p.order_ref, p.title])]
    ev += _pair(d.dt, 1, d.conv, d.id, p.currency, d.amount, p.order_ref)
    if d.fee:
        ev.append((d.dt, 3, ["", "Chargeback Fee", p.currency, -d.fee, 0, ME, "", d.fee_id, d.id, "", ""]))
        ev += _pair(d.dt, 4, d.fee_conv, d.fee_id, p.currency, -d.fee, "")
    return ev


def _pair(dt, seq, conv, ref, currency, amount, inv) -> list:
    """The General Currency Conversion pair that pays `amount` (signed, in `currency`) from
    the USD balance, or turns it into USD: the leg sold first, both pointing to `ref`."""
    if not conv:
        return []
    sold_id, bought_id, usd = conv
    if amount < 0:   # the currency bought with USD
        legs = [("USD", usd, ME, ""), (currency, -amount, "", ME)]
    else:
        legs = [(currency, -amount, ME, ""), ("USD", usd, "", ME)]
    return [(dt, seq + i, ["", "General Currency Conversion", cur, gross, 0, frm, to, tid, ref, inv, ""])
            for i, ((cur, gross, frm, to), tid) in enumerate(zip(legs, (sold_id, bought_id)))]
