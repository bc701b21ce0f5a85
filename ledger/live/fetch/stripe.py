"""Stripe: a day's balance transactions (charges, refunds, fees, disputes, payouts) through
the `stripe` package, saved as the `list` response the Stripe API importer reads:

    statements/<source>/balance-transactions-2026-03-01.json

The day runs midnight to midnight in the config's time zone (the importer dates by it).
Stripe lists newest first; the items are sorted oldest first on disk as the pages come
(listing.DayItems), so a day of any size is held a page at a time.

A balance transaction says Stripe's `exchange_rate` but not the currency the customer
paid: its source (the charge, refund or dispute) does. The list asks for each source
expanded (`expand[]=data.source`: the same requests, larger pages), and keeps of it
what the importer reads (SOURCE_KEYS), not the customer's card, address or email that
a charge object holds, so that a converted charge's spread is judged from the day's
file alone (importers/stripe_api.py `_customer_side`)."""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

import requests
import stripe

from beanclear.live.fetch.listing import DayItems
from beanclear.live.fetch.pages import not_json, said
from beanclear.live.retry import Failed, Later

SOURCE_KEYS = ("id", "object", "amount", "amount_captured", "currency")


class StripeFetcher:
    def __init__(self, channel, secrets, live):
        self.channel, self.live = channel, live
        self.client = stripe.StripeClient(
            secrets.get(channel.credentials["api_key"]), base_addresses={"api": channel.api_base},
            http_client=stripe.RequestsClient(timeout=live.timeout), max_network_retries=0)

    def names(self, day: dt.date) -> list[str]:
        return [f"balance-transactions-{day}.json"]

    def download(self, day: dt.date, name: str) -> BinaryIO:
        tz = self.live.timezone
        start = int(dt.datetime.combine(day, dt.time(), tz).timestamp())
        end = int(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).timestamp())
        try:
            page = self.client.v1.balance_transactions.list(params={"created": {"gte": start, "lt": end},
                                                                     "limit": 100, "expand": ["data.source"]})
            items = DayItems(day)
            for bt in page.auto_paging_iter():
                row = bt.to_dict()
                if isinstance(row.get("source"), dict):
                    row["source"] = {k: row["source"][k] for k in SOURCE_KEYS if k in row["source"]}
                items.add((row.get("created", 0), str(row.get("id"))), row)
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
            page = not_json(exc.http_body, _content_type(exc)) \
                if exc.http_status == 200 and not isinstance(exc, stripe.APIConnectionError) else None
            if page:   # a proxy's page, whole: no JSON cut short (pages.py)
                raise Failed(said("Stripe", "", page, self.channel.api_base)) from None
            raise Later(unanswered(exc, self.live.timeout)) from None
        except stripe.AuthenticationError:
            raise Failed(f"Stripe refused the key in {self.channel.credentials['api_key']}: check it "
                         "(a restricted key needs read access to balance transactions)") from None
        except stripe.StripeError as exc:
            raise Failed(f"Stripe refused the request (HTTP {exc.http_status}): {_short(exc)}") from None
        # the window asked, in the list's url: the day's file covers the day even when it
        # lists nothing, so a day with no file is a hole (importers/stripe_api.py _window)
        url = f"/v1/balance_transactions?created[gte]={start}&created[lt]={end}"
        return items.document({"object": "list", "url": url, "has_more": False}, "data")


def unanswered(exc: stripe.StripeError, timeout: float) -> str:
    """What went wrong, in a merchant's words, for a Stripe error another try may fix. The
    SDK says "Unexpected error communicating with Stripe" for a timeout, a refused and a cut
    connection alike, and "Invalid response body" (an APIError of HTTP 200) for JSON cut
    short: the requests error it was raised from tells them apart."""
    cause = exc.__cause__
    if isinstance(exc, stripe.RateLimitError):
        return "Stripe asked to slow down (HTTP 429, too many requests)"
    if isinstance(exc, stripe.APIConnectionError):
        if isinstance(cause, requests.Timeout):
            return f"Stripe timed out (after {timeout:g} s)"
        if isinstance(cause, requests.exceptions.ChunkedEncodingError):
            return "the connection to Stripe was cut before its answer was complete"
        if isinstance(cause, requests.ConnectionError):
            return "Stripe could not be reached, or closed the connection before answering"
        return f"Stripe did not answer ({type(cause or exc).__name__})"
    if exc.http_status == 200:
        return "Stripe's answer was not complete JSON (HTTP 200): cut short on the way"
    return f"Stripe failed with HTTP {exc.http_status}"


def _content_type(exc: stripe.StripeError) -> str | None:
    """The Content-Type of the answer an error is of. The SDK's "Invalid response body"
    APIError gives the answer's headers in the place of its json_body (the `stripe` package, 16)."""
    for headers in (exc.headers, exc.json_body):
        if hasattr(headers, "items"):
            found = next((v for k, v in headers.items() if str(k).lower() == "content-type"), None)
            if found:
                return str(found)
    return None


def _short(exc) -> str:
    return (getattr(exc, "user_message", None) or str(exc) or type(exc).__name__).splitlines()[0][:200]
