"""WeChat Pay API v3: a day's trade bill (GET /v3/bill/tradebill, bill_type=ALL) and fund
bill (GET /v3/bill/fundflowbill, account_type=BASIC), each a JSON answer naming a
download_url and the SHA1 of the bill; the file comes gzipped (tar_type=GZIP). Requests
are signed with the merchant's private key and answers verified against the platform
certificate (downloaded through /v3/certificates and decrypted with the APIv3 key) or the
platform public key, by the `wechatpayv3` package:

    statements/<source>/tradebill-2026-03-01.csv    statements/<source>/fundflow-2026-03-01.csv

The bytes archived are the bill as WeChat Pay serves it, after gunzip: the CSVs the
wechat_trade and wechat_fund importers read. Fund bills can be downloaded for three
months only: the archive is what is left after that."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from urllib.parse import urlsplit

import requests
from wechatpayv3.core import Core
from wechatpayv3.utils import load_private_key

from beanclear.live.retry import Failed, Later

KINDS = {"tradebill": "/v3/bill/tradebill?bill_date={day}&bill_type=ALL&tar_type=GZIP",
         "fundflow": "/v3/bill/fundflowbill?bill_date={day}&account_type=BASIC&tar_type=GZIP"}
NOT_READY = {"STATEMENT_CREATING", "SYSTEM_ERROR", "FREQUENCY_LIMITED"}
NO_BILL = {"NO_STATEMENT_EXIST"}


class _Core(Core):
    """wechatpayv3's client, at the API base the config gives (its gateway is fixed in
    Core.__init__, before the certificates are fetched: the property keeps ours)."""

    def __init__(self, gateway: str, **kwargs):
        self.__dict__["_base"] = gateway
        super().__init__(**kwargs)

    @property
    def _gate_way(self):
        return self.__dict__["_base"]

    @_gate_way.setter
    def _gate_way(self, value):
        pass

    def _verify_signature(self, headers, body) -> bool:
        """Whether an answer (or a notification) verifies. wechatpayv3 raises a bare
        Exception for a Wechatpay-Signature-Type missing or not WECHATPAY2-SHA256-RSA2048,
        and ValueError for a Wechatpay-Serial missing or not hex: an answer whose signature
        headers are missing or unreadable does not verify, as a wrong signature does not."""
        try:
            return super()._verify_signature(headers, body)
        except requests.RequestException:
            raise   # the platform certificates asked again, not answered: another try may
        except Exception:
            return False


class WechatFetcher:
    def __init__(self, channel, secrets, live):
        self.channel, self.live, self.secrets = channel, live, secrets
        c = channel.credentials
        self.args = dict(
            mchid=secrets.get(c["mchid"], optional=bool(channel.account_id)) or channel.account_id,
            cert_serial_no=secrets.get(c["cert_serial_no"]), private_key=secrets.pem(c["private_key"]),
            apiv3_key=secrets.get(c["apiv3_key"]), public_key=secrets.pem(c["public_key"], optional=True),
            public_key_id=secrets.get(c["public_key_id"], optional=True), timeout=live.timeout)
        try:
            load_private_key(self.args["private_key"])
        except Exception:   # wechatpayv3 raises a bare Exception('failed to load private key.')
            raise Failed(f"{c['private_key']} is not a readable private key (PEM, or the path of a .pem file)") \
                from None
        if (self.args["public_key"] is None) != (self.args["public_key_id"] is None):
            raise Failed(f"set both {c['public_key']} and {c['public_key_id']}, or neither (then the platform "
                         "certificates are downloaded)")
        self._core = None

    def core(self) -> Core:
        if self._core is None:
            try:
                self._core = _Core(self.channel.api_base, **self.args)
            except requests.RequestException as exc:
                raise Later(f"WeChat Pay did not answer for its platform certificates ({type(exc).__name__})") \
                    from None
            except Exception as exc:   # wechatpayv3 raises bare Exception: no certificate could be read
                raise Later(f"WeChat Pay gave no platform certificate ({exc}); check "
                            f"{self.channel.credentials['apiv3_key']} if this persists") from None
        return self._core

    def names(self, day: dt.date) -> list[str]:
        return [f"{kind}-{day}.csv" for kind in KINDS]

    def download(self, day: dt.date, name: str) -> bytes | None:
        kind = name.split("-", 1)[0]
        code, text = self._request(KINDS[kind].format(day=day), verify=True)
        if code != 200:
            return self._refused(code, text, kind, day)
        doc = json.loads(text)
        url = urlsplit(doc["download_url"])
        code, content = self._request(url.path + (f"?{url.query}" if url.query else ""), verify=False)
        if code != 200:
            return self._refused(code, content, kind, day)
        if isinstance(content, str):
            content = content.encode("utf-8")
        if content[:2] == b"\x1f\x8b":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError):
                raise Later(f"the {kind} download of {day} is not a complete gzip file") from None
        digest = doc.get("hash_value", "")
        if doc.get("hash_type", "SHA1").upper() == "SHA1" and digest and hashlib.sha1(content).hexdigest() != \
                digest.lower():
            raise Later(f"the {kind} download of {day} does not match its SHA1 {digest}")
        return content

    def _request(self, path: str, verify: bool):
        try:
            return self.core().request(path, skip_verify=not verify)
        except requests.Timeout:
            raise Later(f"WeChat Pay timed out (after {self.live.timeout:g} s)") from None
        except requests.RequestException as exc:
            raise Later(f"WeChat Pay did not answer ({type(exc).__name__})") from None
        except Exception as exc:
            if "verify the signature" in str(exc):
                raise Failed("WeChat Pay's answer does not verify against the platform certificate: refused "
                             "(check the platform certificate / public key; someone may be in between)") from None
            raise

    def _refused(self, code: int, body, kind: str, day: dt.date):
        try:
            err = json.loads(body)
        except (TypeError, ValueError):
            err = {}
        what = err.get("code", "")
        if code >= 500 or code == 429 or what in NOT_READY:
            raise Later(f"WeChat Pay answered HTTP {code} {what or ''} for the {kind} of {day}: "
                        + ("the bill is not generated yet (bills come after 09:00, Asia/Shanghai)"
                           if what == "STATEMENT_CREATING" else "the channel failed").strip())
        if what in NO_BILL:
            return None
        if code == 401:
            raise Failed(f"WeChat Pay refused the request's signature (HTTP 401 {what}): check "
                         f"{self.channel.credentials['cert_serial_no']} and {self.channel.credentials['private_key']}")
        raise Failed(f"WeChat Pay refused the {kind} request of {day}: HTTP {code} {what} "
                     f"{str(err.get('message', ''))[:200]}".rstrip())
