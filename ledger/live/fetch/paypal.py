"""PayPal: a day's Transaction Search (GET /v1/reporting/transactions, fields=all, every
page) and the balances at its end (GET /v1/reporting/balances), with an OAuth2 token
from the client credentials (POST /v1/oauth2/token):

    statements/<source>/transactions-2026-03-01.json   statements/<source>/balances-2026-03-01.json

PayPal's SDKs (paypal-server-sdk) cover checkout, not reporting, so this is plain HTTPS
through httpx. Transactions reach the search up to three hours late: a response whose
`last_refreshed_datetime` is before the end of the day is not ready, and is retried.
The pages' transactions are sorted on disk as they come (listing.DayItems): a day of any
size is held a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

import httpx

from beanclear.live.fetch.listing import DayItems, dumped
from beanclear.live.fetch.pages import not_json, said
from beanclear.live.retry import Failed, Later

PAGE_SIZE = 500


class PaypalFetcher:
    def __init__(self, channel, secrets, live):
        self.channel, self.live = channel, live
        c = channel.credentials
        self.auth = (secrets.get(c["client_id"]), secrets.get(c["client_secret"]))
        self._token = None

    def names(self, day: dt.date) -> list[str]:
        return [f"transactions-{day}.json", f"balances-{day}.json"]

    def _span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, dt.time(), self.live.timezone)
        return start, start + dt.timedelta(days=1)

    def post(self, path: str, doc: bytes) -> dict:
        """POST a JSON body given as its bytes (sent as they are, never re-serialised)."""
        return self._get(path, None, doc)

    def _get(self, path: str, params: dict | None, doc: bytes | None = None) -> dict:
        with httpx.Client(base_url=self.channel.api_base, timeout=self.live.timeout) as http:
            try:
                if self._token is None:
                    answer = http.post("/v1/oauth2/token", data={"grant_type": "client_credentials"}, auth=self.auth,
                                       headers={"Accept": "application/json"})
                    self._check(answer, "the OAuth2 token")
                    self._token = self._json(answer, "the OAuth2 token").get("access_token")
                    if not isinstance(self._token, str):
                        self._token = None
                        raise Later("PayPal's answer to the OAuth2 token holds no access_token")
                auth = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
                answer = http.post(path, content=doc, headers={**auth, "Content-Type": "application/json"}) \
                    if doc is not None else \
                    http.get(path, params=params, headers=auth)
            except httpx.TimeoutException:
                raise Later(f"PayPal timed out (after {self.live.timeout:g} s)") from None
            except (httpx.RemoteProtocolError, httpx.ReadError):
                raise Later("the connection to PayPal was cut before its answer was complete") from None
            except httpx.TransportError as exc:
                raise Later(f"PayPal did not answer ({type(exc).__name__})") from None
            if answer.status_code == 401:
                self._token = None   # expired: the next try asks for a new one
                raise Later("PayPal refused the access token (expired?)")
            self._check(answer, path)
            return self._json(answer, path)

    def _json(self, answer: httpx.Response, what: str) -> dict:
        """The JSON object an answer of HTTP 200 promises; a body that is not one was cut
        short on the way (the status line came, not all the rest), so it is tried again.
        A whole page of something else (a proxy's, a captive portal's) is said for what it
        is, at once (pages.py)."""
        try:
            doc = answer.json()
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            page = not_json(answer.content, answer.headers.get("content-type"))
            if page:
                raise Failed(said("PayPal", f" to {what}", page, self.channel.api_base))
            raise Later(f"PayPal's answer to {what} was not complete JSON (HTTP {answer.status_code}, "
                        f"{len(answer.content)} bytes): cut short on the way")
        return doc

    def _check(self, answer: httpx.Response, what: str) -> None:
        if answer.status_code >= 500 or answer.status_code == 429:
            raise Later(f"PayPal answered HTTP {answer.status_code} for {what}")
        if answer.status_code in (400, 401, 403) and what == "the OAuth2 token":
            raise Failed(f"PayPal refused the client credentials (HTTP {answer.status_code}): check "
                         f"{self.channel.credentials['client_id']} and {self.channel.credentials['client_secret']}")
        if answer.status_code != 200:
            try:
                name = answer.json().get("name", "")
            except ValueError:
                name = ""
            raise Failed(f"PayPal refused {what}: HTTP {answer.status_code} {name}".rstrip())

    def download(self, day: dt.date, name: str) -> bytes | BinaryIO:
        start, end = self._span(day)
        if name.startswith("balances-"):
            doc = self._get("/v1/reporting/balances", {"as_of_time": end.isoformat(), "currency_code": "ALL"})
            return (dumped(doc) + "\n").encode("utf-8")
        return self._transactions(day, start, end)

    def _transactions(self, day: dt.date, start: dt.datetime, end: dt.datetime) -> BinaryIO:
        page, details, first = 1, DayItems(day), None
        while True:
            doc = self._get("/v1/reporting/transactions", {
                "start_date": start.isoformat(), "end_date": end.isoformat(), "fields": "all",
                "page_size": PAGE_SIZE, "page": page})
            first = first or doc
            refreshed = doc.get("last_refreshed_datetime")
            if refreshed and _instant(refreshed) < end:
                raise Later(f"PayPal's transactions are refreshed up to {refreshed} only: the day is not complete "
                            "yet (they come up to three hours late)")
            for detail in doc.get("transaction_details") or []:
                info = detail.get("transaction_info", {})
                details.add((str(info.get("transaction_initiation_date")), str(info.get("transaction_id"))), detail)
            if page >= int(doc.get("total_pages") or 1):
                break
            page += 1
        first = {**first, "page": 1, "total_pages": 1, "total_items": len(details)}
        return details.document(first, "transaction_details")


def _instant(text: str) -> dt.datetime:
    text = text.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return dt.datetime.fromisoformat(text)
