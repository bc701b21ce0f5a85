"""Alipay: a day's bill through `alipay.data.dataservice.bill.downloadurl.query` (RSA2,
by the `python-alipay-sdk` package, which signs the request and verifies the answer
against Alipay's public key), then the zip the answer's `bill_download_url` points to,
unpacked to its detail CSVs (the `(汇总)` summaries are left in the zip):

    statements/<source>/fund-2026-03-01.csv     账务明细 (bill_type signcustomer)
    statements/<source>/trade-2026-03-01.csv    业务明细 (bill_type trade)

The bytes are Alipay's (GBK), as the alipay_fund / alipay_trade importers read them.
A bill not generated yet (isp.bill_not_exist) is retried."""

from __future__ import annotations

import datetime as dt
import io
import socket
import urllib.error
import zipfile

import httpx
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig

from beanclear.importers.toolkit.xlsx import member_name
from beanclear.live.retry import Failed, Later

KINDS = {"fund": ("signcustomer", "账务明细"), "trade": ("trade", "业务明细")}
NOT_READY = {"isp.bill_not_exist", "isp.unknow-error", "aop.ACQ.SYSTEM_ERROR"}


class AlipayFetcher:
    def __init__(self, channel, secrets, live):
        self.channel, self.live = channel, live
        c = channel.credentials
        try:
            self.client = AliPay(appid=secrets.get(c["app_id"]), app_private_key_string=secrets.pem(c["private_key"]),
                                 alipay_public_key_string=secrets.pem(c["public_key"]), sign_type="RSA2",
                                 config=AliPayConfig(timeout=live.timeout))
        except (ValueError, IndexError, TypeError):
            raise Failed(f"{c['private_key']} or {c['public_key']} is not a readable RSA key") from None
        self.client._gateway = channel.api_base   # the SDK's gateway: only a debug flag changes it otherwise

    def names(self, day: dt.date) -> list[str]:
        return [f"{kind}-{day}.csv" for kind in KINDS]

    def download(self, day: dt.date, name: str) -> bytes:
        kind = name.split("-", 1)[0]
        bill_type, title = KINDS[kind]
        try:
            answer = self.client.server_api("alipay.data.dataservice.bill.downloadurl.query",
                                            {"bill_type": bill_type, "bill_date": str(day)})
        except AliPayValidationError:
            raise Failed("Alipay's answer does not verify against the Alipay public key: refused (check "
                         f"{self.channel.credentials['public_key']})") from None
        except AliPayException as exc:
            self._refused(exc, day, title)
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
                raise Failed(f"Alipay refused the request: HTTP {exc.code}") from None
            raise Later(f"Alipay did not answer ({type(exc).__name__})") from None
        if str(answer.get("code")) != "10000" or not answer.get("bill_download_url"):
            _refused(answer, None, day, title)
        try:
            got = httpx.get(answer["bill_download_url"], timeout=self.live.timeout, follow_redirects=True)
        except httpx.TimeoutException:
            raise Later(f"the {title} download of {day} timed out") from None
        except httpx.TransportError as exc:
            raise Later(f"the {title} download of {day} failed ({type(exc).__name__})") from None
        if got.status_code != 200:
            raise Later(f"the {title} download of {day} answered HTTP {got.status_code}")
        return _detail(got.content, title, day)

    def _refused(self, exc: AliPayException, day, title):
        import json
        try:
            doc = json.loads(exc.message)
            body = doc.get("alipay_data_dataservice_bill_downloadurl_query_response") or doc.get("error_response") or {}
        except (TypeError, ValueError):
            body = {}
        _refused(body, exc.code, day, title)


def _refused(body: dict, code, day, title):
    """Alipay's answer with a code other than 10000: Later when the bill is not ready."""
    sub = str(body.get("sub_code", ""))
    if sub in NOT_READY or str(body.get("code")) == "20000":
        raise Later(f"Alipay has no {title} of {day} yet ({sub or body.get('code')}): bills come the day after, "
                    "from about 09:00 Asia/Shanghai")
    raise Failed(f"Alipay refused the {title} request of {day}: {body.get('code', code)} {sub} "
                 f"{str(body.get('sub_msg', ''))[:200]}".rstrip())


def _detail(content: bytes, title: str, day) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = [n for n in zf.namelist() if member_name(zf.getinfo(n)).endswith(f"{title}.csv")]
            if len(names) != 1:
                raise Failed(f"the {title} zip of {day} holds {len(names)} detail files "
                             f"({', '.join(member_name(zf.getinfo(n)) for n in zf.namelist())}), expected one")
            return zf.read(names[0])
    except zipfile.BadZipFile:
        raise Later(f"the {title} download of {day} is not a complete zip file") from None

