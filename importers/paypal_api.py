"""PayPal Transaction Search API responses saved as JSON (`GET /v1/reporting/transactions`).

Each `transaction_details[].transaction_info` is a row: `transaction_event_code` says
what it is (T0006 express checkout, T1107 refund, T0200–T0202 conversion, T0400
withdrawal, T1106 reversal…; the full list is `EVENT_CODES` — an unknown code is an
error that lists the known codes of its family, `T11xx`, and the families known) and is named as the activity download names that type
(`TYPE_OF_CODE`: T0006 is `Express Checkout Payment`), so that a transaction both files
state books one entry whichever is imported first (the response's `custom_field` is the
download's `Custom Number`). `transaction_amount` and `fee_amount` are decimal strings
(`"465.00"`, `"-13.79"`: the fee negative, as in the CSV), dates carry an offset without
a colon (`2014-07-11T04:03:52+0000`) and are dated in the configured time zone. Rows
book as `paypal_booking` says, conversions and all:

    2014-07-11 * "test consumer" "Express Checkout Payment / Bill for your purchase" ^order-Invoice-005
      id: "5TY05013RG002845M"
      paypal-type: "Express Checkout Payment"
      order-id: "Invoice-005"
      Expenses:Fees:PayPal           13.79 USD
      Income:Sales:PayPal          -465.00 USD
      Assets:Clearing:PayPal        451.21 USD

`transaction_status` S (success), V (reversed: the reversal is a row of its own) and F
(partially refunded) are booked; P (pending) as the CSV's pending rows; D (denied)
moved no money. `ending_balance`, where present, becomes `balance` assertions. A
response is one page: when it says there are more, the import notes it; a page of
several (`total_pages` > 1) may cut its first and last days anywhere, so their closing
balances are not asserted (the days between are). A response's order of the rows of
one second is not a clue to their order (`beanclear fetch` sorts them by id): a payment
and the conversion selling it (0 → 10 → 0) are in the order its `paypal_reference_id`
says, the conversion after (paypal_booking._one_move); a day whose last rows share a
second and whose balances go round otherwise (a refund and the conversion buying what it
pays out) closes where the days around it say, or is not asserted (a day's file: its
`balances-…json` asserts it). A one-page response covers the
days it searched (`start_date`..`end_date`), quiet ones at either end included; a day
between two such searches that no response answers is a hole, not a quiet day.

Past `text.STREAM_FROM` bytes the response is read item by item (toolkit.jsonstream):
each row made as its object ends and kept on disk by book_rows, the response's own
fields (`page`, `account_number`: after the rows in a file `beanclear fetch` wrote)
read once the rows are through. One reader (_row) and one booking serve both reads; a
file with an error is read again whole and says what it says (up to
text.ERRORS_WHOLE_UP_TO: past it the stream's error). A response without its
transaction_details list the stream refuses itself, as the whole read refuses it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from beanclear.importers.account_ids import checked
from beanclear.importers import paypal_booking
from beanclear.importers.base import Extraction, StatementImporter
from beanclear.importers.paypal_booking import BOOKED, NO_MONEY, PENDING, PayPalRow, book_rows
from beanclear.importers.toolkit import (StatementError, currency_code, inside_day, json_amount, json_line,
                                         json_shown, local_time, parse_instant, read_json, sniff)
from beanclear.importers.toolkit.jsonstream import JsonItems, stated_member, streamed_or_whole

EVENT_CODES = {
    "payment": "T0000 T0001 T0002 T0003 T0004 T0005 T0006 T0007 T0008 T0009 T0010 T0011 T0012 T0013 T0014 T0015 "
               "T0016 T0017 T0018 T0019 T0500 T0501 T0502 T0503 T0700 T0701 T2109 T2110 T3000",
    "fee": "T0100 T0101 T0102 T0103 T0104 T0105 T0107 T0108 T0109 T0110 T0111 T0112 T0113 T0114 T1108 T1109",
    "chargeback-fee": "T0106",
    "conversion": "T0200 T0201 T0202",
    "funding": "T0300 T0301 T0302 T0303 T0304 T0305 T1104",
    "withdrawal": "T0400 T0401 T0402 T0403 T0600 T0601 T1700",
    "withdrawal-return": "T1101",
    "refund": "T1107",
    "chargeback": "T1106 T1201 T1202 T1205 T1207 T1208",
    "hold": "T1110 T1500 T1501 T1502 T1503 T2101 T2103 T2105 T2107 T2111 T2113 T5000",
    "release": "T1105 T1111 T2102 T2104 T2106 T2108 T2112 T5001",
    "adjustment": "T0800 T0801 T0802 T0803 T0900 T0901 T1000 T1102 T1103 T1112 T1113 T1114 T1115 T1116 T1117 "
                  "T1118 T1200 T1203 T1204 T1400 T1600 T1800 T1900 T2000 T2001 T2201 T9900",
    "no-money": "T1300 T1301 T1302 T9700 T9701 T9702 T9800",
}
KIND_OF_CODE = {code: kind for kind, codes in EVENT_CODES.items() for code in codes.split()}
# Each event named as the activity download (in English) names it, so that a row books the
# same entry whichever of the two files states it (DESIGN §2); a code whose download name
# is not known here is its kind and code ("Adjustment (T1200)").
TYPE_OF_CODE = {
    "T0000": "General Payment", "T0001": "Mass Pay Payment", "T0002": "Subscription Payment",
    "T0003": "Preapproved Payment Bill User Payment", "T0004": "eBay Auction Payment",
    "T0005": "Direct Credit Card Payment", "T0006": "Express Checkout Payment", "T0007": "Website Payment",
    "T0011": "Mobile Payment", "T0012": "Virtual Terminal Payment", "T0013": "Donation Payment",
    "T0100": "General Fee", "T0106": "Chargeback Fee", "T0200": "General Currency Conversion",
    "T0201": "User Initiated Currency Conversion", "T0400": "General Withdrawal",
    "T1101": "Reversal of General Withdrawal", "T1105": "Reversal of General Account Hold",
    "T1106": "Payment Reversal", "T1107": "Payment Refund", "T1108": "Fee Reversal",
    "T1110": "Hold on Balance for Dispute Investigation", "T1111": "Cancellation of Hold for Dispute Resolution",
    "T0300": "Bank Deposit to PP Account",   # (the download writes it with a trailing space)
    "T1201": "Chargeback", "T1202": "Chargeback Reversal", "T1300": "General Authorization",
    "T1302": "Void of Authorization", "T1500": "General Account Hold", "T2101": "General Hold",
    "T2102": "General Hold Release", "T2103": "Reserve Hold", "T2104": "Reserve Release", "T2107": "Payment Hold",
    "T2108": "Payment Release",
}


def _families() -> str:
    """The families (`T11xx`: a code's first two digits) of the known codes, runs of them
    as ranges: `T00xx–T22xx, T30xx, …`."""
    numbers = sorted({int(code[1:3]) for code in KIND_OF_CODE})
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"T{r[0]:02}xx" + (f"–T{r[-1]:02}xx" if len(r) > 1 else "") for r in runs)


FAMILIES = _families()


def known_codes(code: str) -> str:
    """What an unknown code's error says is known: the known codes of its family, and
    the families known (all the codes are too many for one message, which is cut past
    550 characters)."""
    known = "beanclear knows codes of " + FAMILIES
    if not re.fullmatch(r"T\d{4}", code):
        return known
    family = sorted(c for c in KIND_OF_CODE if c[:3] == code[:3])
    if not family:
        return f"no code of {code[:3]}xx is known; {known}"
    return f"the known codes of {code[:3]}xx: {' '.join(family)}; {known}"


STATUS = {"S": (BOOKED, "Completed"), "V": (BOOKED, "Reversed"), "F": (BOOKED, "Partially refunded"),
          "P": (PENDING, "Pending"), "D": (NO_MONEY, "Denied")}


def no_details(path: str, doc) -> StatementError:
    return StatementError(path, json_line(doc), "expected a Transaction Search response with a transaction_details "
                          "list")


class Importer(StatementImporter):
    kind = "paypal transaction search json"
    names_fee_of = True

    @property
    def names_orders(self):
        """A refund without an Invoice Number names its payment only (`refund-of`): it takes
        that payment's order, in the statement, the import, the books or later
        (statements/refund_orders.py, books/late_refunds.py); a chargeback does not."""
        return paypal_booking.names_orders(self.source.accounts)

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        return bool(re.search(r'"transaction_details"\s*:', head))

    def identify(self, filepath: str) -> bool:
        """A Transaction Search response (matches), of the source's `account_id` where it
        has one: the account the response states, its top-level `account_number`, read
        wherever it stands (after the rows in a file PayPal or `beanclear fetch` wrote,
        past the start matches() reads: blind sim266, two PayPal sources claimed neither
        file) without reading the file whole (jsonstream.stated_member), and not a row's
        (a payer_info naming the merchant's other PayPal account). A response that states
        none is claimed by each source: which one, the folder or --source says."""
        if not self.matches(sniff(filepath)):
            return False
        if not self.source.account_id:
            return True
        stated = checked(stated_member(filepath, "account_number"))
        return stated is None or stated == self.source.account_id

    def parse(self, filepath: str) -> Extraction:
        path = str(filepath)
        return streamed_or_whole(path, ("transaction_details",), lambda items: self._streamed(path, items),
                                 lambda: self._whole(path))

    def _whole(self, path: str) -> Extraction:
        doc = read_json(path)
        details = doc.get("transaction_details") if isinstance(doc, dict) else None
        if not isinstance(details, list):
            raise no_details(path, doc)
        out, rows = Extraction(), []
        paged = self._response(doc, out)
        for detail in self.each(details):
            out.rows += 1
            rows.append(self._row(detail, path))
        book_rows(rows, self, out, lambda: paged, ordered=False)
        return out

    def _streamed(self, path: str, items: JsonItems) -> Extraction:
        """A large response, its rows as they come (book_rows keeps them on disk)."""
        out = Extraction()
        book_rows(self._rows(path, items, out), self, out, lambda: self._response(items.fields, Extraction()),
                  ordered=False)
        return out

    def _rows(self, path: str, items: JsonItems, out: Extraction) -> Iterator[PayPalRow]:
        rows = self.each(items)
        for detail in rows:
            if items.array:   # the whole read refuses it before its rows: read through for JSON's errors
                for _ in rows:
                    pass
                break
            out.rows += 1
            yield self._row(detail, path)
        if items.key is None:   # not a response's transaction_details: the whole read's error
            raise no_details(path, items.fields)
        self._response(items.fields, out)   # (what it says of itself, after them in a fetched file)

    def _response(self, doc, out: Extraction) -> bool:
        """What the response says of itself: its account, and its page of how many;
        whether it is one page of several (its first and last days may go on in another)."""
        out.account = checked(doc.get("account_number"))   # the PayPal account it is of (account_ids.py)
        page, pages = doc.get("page"), doc.get("total_pages")
        paged = isinstance(page, int) and isinstance(pages, int)
        if not (paged and pages > 1):   # one page: it holds every day it searched
            out.period, out.starts_inside, out.ends_inside = self._searched(doc) or (None, None, None)
            # the window searched: a day between two searches is unanswered, not quiet
            out.asked = out.period is not None
        if not paged:
            return False
        if page < pages:
            out.notes.append(f"page {page} of {pages}: later pages are not in this file")
        return pages > 1

    def _searched(self, doc) -> tuple | None:
        """The days a one-page response searched (its `start_date`..`end_date`, up to
        `last_refreshed_datetime`: PayPal answers nothing newer), so that its quiet last
        days count as seen, and the moments it starts and ends inside the books' days
        (toolkit inside_day: UTC's February, in New York, ends at 19:00 on the 28th, whose
        evening is in the search after it: coverage's `ends:`); None where it does not say
        them readably."""
        try:
            start, end = (local_time(parse_instant(doc.get(k), "", 0, k), self.config.timezone)
                          for k in ("start_date", "end_date"))
            if doc.get("last_refreshed_datetime"):
                end = min(end, local_time(parse_instant(doc.get("last_refreshed_datetime"), "", 0, ""),
                                          self.config.timezone))
        except (StatementError, AttributeError):
            return None
        if end.time() == dt.time() and end > start:   # an end given as the next midnight
            end -= dt.timedelta(seconds=1)
        if start > end:
            return None
        # (an end given as its last second, 18:59:59, stops at 19:00)
        ends = inside_day(end + dt.timedelta(seconds=1) if end.second == 59 else end)
        return (start.date(), (ends or end).date()), inside_day(start, start=True), ends

    def _row(self, detail, path: str) -> PayPalRow:
        info = detail.get("transaction_info") if isinstance(detail, dict) else None
        if not isinstance(info, dict):
            raise StatementError(path, json_line(detail), f"expected a transaction_info object, got {json_shown(info)}")
        line = json_line(info)

        def money(name: str, required: bool = True):
            value = info.get(name)
            if value is None and not required:
                return None
            if not isinstance(value, dict):
                raise StatementError(path, line, f"{name}: expected {{currency_code, value}}, got {json_shown(value)}")
            currency = currency_code(str(value.get("currency_code") or ""), path, json_line(value, line),
                                     f"{name}.currency_code")
            return json_amount(value.get("value"), path, json_line(value, line), f"{name}.value"), currency

        ident = str(info.get("transaction_id") or "")
        if not ident:
            raise StatementError(path, line, "transaction_id: expected the transaction id, got nothing")
        code = str(info.get("transaction_event_code") or "")
        kind = KIND_OF_CODE.get(code)
        if kind is None:
            raise StatementError(path, line, f"transaction_event_code: unknown PayPal event code {code!r} "
                                 f"({known_codes(code)}): beanclear does not guess what money an event it does not "
                                 "know moves")
        status, status_label = STATUS.get(str(info.get("transaction_status")), (None, ""))
        if status is None:
            raise StatementError(path, line, f"transaction_status: unknown status {info.get('transaction_status')!r} "
                                 f"(expected one of {', '.join(STATUS)})")
        gross, currency = money("transaction_amount")
        fee = money("fee_amount", required=False) or (gross * 0, currency)
        if fee[1] != currency:
            raise StatementError(path, line, f"fee_amount: in {fee[1]}, expected {currency} like the amount")
        ending = money("ending_balance", required=False)
        when = local_time(parse_instant(info.get("transaction_initiation_date"), path, line,
                                        "transaction_initiation_date"), self.config.timezone)
        payer = detail.get("payer_info") or {}
        names = payer.get("payer_name") or {}
        name = names.get("alternate_full_name") or " ".join(filter(None, (names.get("given_name"),
                                                                          names.get("surname"))))
        label = TYPE_OF_CODE.get(code) or f"{kind.capitalize()} ({code})"
        return PayPalRow(path, line, ident, when, kind, label, status, status_label, currency, gross, fee[0],
                         gross + fee[0], ending[0] if ending and ending[1] == currency else None,
                         ref=str(info.get("paypal_reference_id") or ""), name=name,
                         email=str(payer.get("email_address") or ""), subject=_subject(info, detail),
                         invoice=str(info.get("invoice_id") or ""),
                         meta={"custom": str(info.get("custom_field") or "")})


def _subject(info: dict, detail: dict) -> str:
    """The row's text: its `transaction_subject`, else its items' names (`cart_info`), as
    the activity download's `Item Title` stands where its `Subject` is empty: an empty
    field never hides a filled one (toolkit.filled_at), so order_pattern finds an order
    an item's name holds whichever of the two files is imported."""
    subject = str(info.get("transaction_subject") or "")
    cart = detail.get("cart_info")
    items = cart.get("item_details") if isinstance(cart, dict) else None
    if subject or not isinstance(items, list):
        return subject
    return ", ".join(dict.fromkeys(str(item.get("item_name")) for item in items
                                   if isinstance(item, dict) and item.get("item_name")))
