"""PayPal's statements: the activity download (FORMATS §6a) or, as the merchant's draw says
(statement_format, a stream of its own), the Transaction Search API's responses (§6b: the
same rows, each with its event code and ending balance; _write_api).

The activity download: a USD account; an EUR payment is followed by its
General Currency Conversion pair (−EUR, +USD) pointing at it through Reference Txn ID, an EUR
refund by its own (−USD, +EUR) pointing at the refund; Fee is
negative for a cost, Net = Gross + Fee, Balance runs per currency; withdrawals are General Withdrawal.
A Chargeback points to its payment, its Chargeback Fee to it; a Chargeback Reversal gives the gross back.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import amt, csv_text, in_downloads, instant
from . import utc as to_utc

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


def layout(seed: int, us_zone: str = "") -> tuple[str, str, list]:
    """(the account's time zone, its date format, the columns picked) of a merchant's
    PayPal download: a US account writes its times in Pacific time (`PDT`/`PST`) and dates
    month first, a European one in `CET`/`CEST` and day first. A stream of its own.
    A US merchant's (`us_zone`, its books' zone) is a US account: Pacific time, PayPal's
    own, or the merchant's, written as the zone's name or its abbreviations."""
    rng = random.Random(f"paypal layout {seed}")
    if us_zone:
        zone = us_zone if rng.random() < 0.5 else "America/Los_Angeles"
        return zone, "%m/%d/%Y", HEADERS[rng.choice(list(HEADERS))]
    if rng.random() < 0.4:   # the layout every merchant had before layouts were drawn
        return "Asia/Shanghai", "%m/%d/%Y", HEADER
    zone = rng.choice(["America/Los_Angeles", "Europe/Berlin", "Asia/Shanghai"])
    day = {"America/Los_Angeles": "%m/%d/%Y", "Europe/Berlin": "%d/%m/%Y"}.get(zone) or rng.choice(["%m/%d/%Y",
                                                                                                      "%d/%m/%Y"])
    return zone, day, HEADERS[rng.choice(list(HEADERS))]


def _events(m, ch) -> list:
    """Every row of the account, in time order: (local time, order within the moment,
    [name, type, currency, gross, fee, from, to, id, reference, invoice, title])."""
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
    if ch.name != ch.type:   # a second PayPal account (shape._second_account) has an address of its own
        me = mine(ch)
        ev = [(dt, k, [me if i in (5, 6) and x == ME else x for i, x in enumerate(row)]) for dt, k, row in ev]
    return ev


def mine(ch) -> str:
    """The account's own e-mail address: the merchant's, or its second account's."""
    return ME if ch.name == ch.type else "store@teahouse.example"


def write(m, ch, folder):
    if statement_format(m.shape.seed) == "api":
        return _write_api(m, ch, folder)
    folder.mkdir(parents=True, exist_ok=True)
    ev = _events(m, ch)
    bal = defaultdict(lambda: 0)
    bal["USD"] = ch.opening
    us = m.shape.timezone if m.shape.currency == "USD" else ""
    zone, day, header = layout(m.shape.seed, us)
    named = zone == "Asia/Shanghai" or us and random.Random(f"paypal zone names {m.shape.seed}").random() < 0.3
    rows = []
    for dt, _, (name, kind, cur, gross, fee, frm, to, tid, ref, inv, title) in ev:
        net = gross + fee
        bal[cur] += net
        there = instant(m, dt).astimezone(ZoneInfo(zone))
        cells = {"Date": f"{there:{day}}", "Time": f"{there:%H:%M:%S}",
                 "TimeZone": zone if named else there.tzname(), "Name": name, "Type": kind,
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


# -- the Transaction Search API (FORMATS §6b) --------------------------------------------

EVENT_CODES = {"Website Payment": "T0006", "General Currency Conversion": "T0200", "Payment Refund": "T1107",
               "Chargeback": "T1201", "Chargeback Reversal": "T1202", "Chargeback Fee": "T0106",
               "General Withdrawal": "T0400"}
PAGE_SIZE = 500                 # the most a page holds (`page_size`)
WINDOW = 31                     # the most days one search may ask for


def statement_format(seed: int) -> str:
    """The activity download (§6a) or the Transaction Search API's responses (§6b).
    A stream of its own: a merchant that draws the download is the merchant it was."""
    return "activity" if random.Random(f"paypal format {seed}").random() < 0.6 else "api"


def api_layout(seed: int) -> tuple[str, str]:
    """(`fetch`: a day a file with its balances, as `beanclear fetch` archives them, or
    `search`: the merchant's own searches of at most 31 days; the account number)."""
    rng = random.Random(f"paypal format {seed}")
    rng.random()
    how = "fetch" if rng.random() < 0.5 else "search"
    return how, "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(13))


def _stamp(m, local) -> str:
    return f"{to_utc(m, local):%Y-%m-%dT%H:%M:%S}+0000"


def _money(currency, value) -> dict:
    return {"currency_code": currency, "value": amt(value)}


def _details(m, ch) -> list:
    """(local time, transaction_details item) of every row, with its running balance."""
    bal = defaultdict(lambda: 0)
    bal["USD"] = ch.opening
    out = []
    for dt, _, (name, kind, cur, gross, fee, frm, to, tid, ref, inv, title) in _events(m, ch):
        net = gross + fee
        bal[cur] += net
        info = {"transaction_id": tid, "transaction_event_code": EVENT_CODES[kind],
                "transaction_initiation_date": _stamp(m, dt), "transaction_updated_date": _stamp(m, dt),
                "transaction_amount": _money(cur, gross)}
        if fee or kind == "Website Payment":
            info["fee_amount"] = _money(cur, fee)
        info.update({"transaction_status": "S", "ending_balance": _money(cur, bal[cur]),
                     "available_balance": _money(cur, bal[cur]), "protection_eligibility": "01" if name else "02"})
        if ref:
            info.update({"paypal_reference_id": ref, "paypal_reference_id_type": "TXN"})
        if inv:
            info["invoice_id"] = inv
        if title:
            info["transaction_subject"] = title
        detail = {"transaction_info": info, "payer_info": {}, "shipping_info": {}, "cart_info": {},
                  "store_info": {}, "auction_info": {}, "incentive_info": {}}
        if name:
            mail = frm if frm != mine(ch) else to
            given, surname = name.split(" ", 1)
            detail["payer_info"] = {"account_id": tid[:13], "email_address": mail, "address_status": "Y",
                                    "payer_status": "Y", "payer_name": {"given_name": given, "surname": surname,
                                                                        "alternate_full_name": name},
                                    "country_code": "DE" if cur == "EUR" else "US"}
        if title and kind == "Website Payment":
            detail["cart_info"] = {"item_details": [{"item_name": title, "item_quantity": "1",
                                                     "item_amount": _money(cur, gross),
                                                     "total_item_amount": _money(cur, gross), "invoice_number": inv}]}
        out.append((dt, detail, dict(bal)))
    return out


def _response(m, account, first, last, details, page, pages, total, refreshed) -> dict:
    """A Transaction Search response of the days first..last (midnight to midnight in the
    books' zone), its page `page` of `pages`."""
    start = datetime.combine(first, time())
    end = datetime.combine(last + timedelta(days=1), time()) - timedelta(seconds=1)
    query = (f"start_date={_stamp(m, start)}&end_date={_stamp(m, end)}&fields=all&page_size={PAGE_SIZE}").replace("+", "%2B")
    return {"transaction_details": details, "account_number": account, "start_date": _stamp(m, start),
            "end_date": _stamp(m, end), "last_refreshed_datetime": _stamp(m, refreshed), "page": page,
            "total_items": total, "total_pages": pages,
            "links": [{"href": f"https://api-m.paypal.com/v1/reporting/transactions?{query}&page={page}",
                       "rel": "self", "method": "GET"}]}


def _write_api(m, ch, folder) -> list:
    """Transaction Search responses. `fetch`: transactions-YYYY-MM-DD.json a day (the
    items sorted by their time's text, then id, keys sorted: what `beanclear fetch`
    writes) and balances-YYYY-MM-DD.json, the balances at that day's end. `search`:
    searches of at most 31 days, oldest first, each answered in one page of at most 500
    (a busier stretch asked in shorter searches: a page of several may cut a conversion
    pair from the row it funds, which no file could book alone), where in_downloads says
    two downloads whose days overlap."""
    folder.mkdir(parents=True, exist_ok=True)
    how, account = api_layout(m.shape.seed)
    account = ch.account_id or account   # a second PayPal account's own (shape._second_account)
    details = _details(m, ch)
    currencies = ["USD"] + (["EUR"] if ch.eur else [])
    if how == "fetch":
        out, held = [], {"USD": ch.opening, "EUR": Decimal(0)}
        for i in range(m.shape.days):
            day = m.shape.start + timedelta(days=i)
            end = datetime.combine(day + timedelta(days=1), time())
            mine = [(d, bal) for dt, d, bal in details if dt.date() == day]
            for _, bal in mine:
                held.update(bal)
            items = sorted((d for d, _ in mine), key=lambda d: (d["transaction_info"]["transaction_initiation_date"],
                                                                 d["transaction_info"]["transaction_id"]))
            doc = _response(m, account, day, day, items, 1, 1, len(items), end + timedelta(hours=3))
            f = folder / f"transactions-{day}.json"
            f.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
            balances = {"balances": [{"currency": c, "primary": c == "USD",
                                      "total_balance": _money(c, held.get(c, 0)),
                                      "available_balance": _money(c, held.get(c, 0)),
                                      "withheld_balance": _money(c, Decimal(0))} for c in currencies],
                        "account_id": account, "as_of_time": _stamp(m, end)[:-5] + "Z",
                        "last_refresh_time": _stamp(m, end + timedelta(hours=3))[:-5] + "Z"}
            b = folder / f"balances-{day}.json"
            b.write_text(json.dumps(balances, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
            out += [f, b]
        return out

    def written(f, rows, first, last):
        files, refreshed = [], datetime.combine(last + timedelta(days=1), time(11, 0))

        def search(first, through):
            items = [d for dt, d in rows if first <= dt.date() <= through]
            if len(items) > PAGE_SIZE and through > first:   # two searches, each answered in one page
                half = first + (through - first) // 2
                search(first, half)
                search(half + timedelta(days=1), through)
                return
            doc = _response(m, account, first, through, items, 1, 1, len(items), refreshed)
            files.append(f.parent / f"transactions-{first}-{through}.json")
            files[-1].write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        while first <= last:
            through = min(last, first + timedelta(days=WINDOW - 1))
            search(first, through)
            first = through + timedelta(days=1)
        return files
    rows = [(dt, (dt, d)) for dt, d, _ in details]
    return [f for files in in_downloads(m, ch.name, folder, "search", rows, written) for f in files]
