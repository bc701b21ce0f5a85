"""Local servers for the live tests: each implements the documented requests and
answers of one channel's API (Stripe, WeChat Pay v3, PayPal), on 127.0.0.1 at a port
the OS picks, with keys and certificates generated here. `faults` scripts what the
next matching requests get: "500", "429", "not-ready", "timeout:<seconds>", "bad-signature",
"half" (HTTP 200, a whole answer of half the JSON), "cut" (the connection closed in the
middle of the body its Content-Length promised), "gate" (answered once `gate` is set); WeChat Pay's signature headers:
"no-signature-type", "sm2-signature-type", "unsigned", "no-serial"."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import zipfile
import hashlib
import json
import secrets
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_private(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def pem_public(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign_sha256(key, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def self_signed(key, name: str):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))


class Server:
    """A threading HTTP server; subclasses answer in `handle(method, path, query, headers, body)`
    with (status, headers, body bytes)."""

    def __init__(self):
        self.faults: list[tuple[str, str]] = []    # (path prefix, fault), consumed first come
        self.requests: list[tuple[str, str]] = []  # (method, path with query) of every request
        self.lock = threading.Lock()
        self.gate = threading.Event()   # fault "gate": the request waits until the test sets it
        self.held = threading.Event()   # set once a request waits at the gate
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                with outer.lock:
                    outer.requests.append((self.command, self.path))
                    fault = next((f for f in outer.faults if url.path.startswith(f[0])), None)
                    if fault:
                        outer.faults.remove(fault)
                status, headers, out = outer.answer(fault[1] if fault else None, self.command, url.path,
                                                    {k: v[0] for k, v in parse_qs(url.query).items()},
                                                    self.headers, body, self.path)
                if status is None:   # a timeout: say nothing
                    return
                cut = fault[1] if fault and fault[1] in ("half", "cut") else None
                if cut == "half":   # a whole HTTP answer whose body is half the JSON
                    out = out[:len(out) // 2]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                if cut == "cut":    # the connection closed a third into the body promised
                    self.wfile.write(out[:len(out) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(out)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, fault, method, path, query, headers, body, raw_path):
        if fault == "500":
            return 500, {"Content-Type": "application/json"}, b'{"error": {"message": "internal"}}'
        if fault == "429":
            return 429, {"Content-Type": "application/json"}, \
                b'{"error": {"type": "rate_limit_error", "message": "Too many requests"}}'
        if fault and fault.startswith("timeout:"):
            time.sleep(float(fault.split(":")[1]))
            return None, {}, b""
        if fault == "gate":   # answered once the test opens the gate: a request under way for as long as it likes
            self.held.set()
            self.gate.wait(600)
            fault = None
        if fault == "html":   # a whole page of a proxy or captive portal in the way, HTTP 200
            return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Bad gateway</body></html>"
        if fault and fault.startswith("slow:"):   # a late but complete answer
            time.sleep(float(fault.split(":")[1]))
            fault = None
        return self.handle(fault, method, path, query, headers, body, raw_path)


class StripeServer(Server):
    """GET /v1/balance_transactions: `created[gte]`, `created[lt]`, `limit`, `starting_after`,
    `expand[]=data.source`; Bearer authentication; a `list` with `has_more`
    (https://docs.stripe.com/api/balance_transactions/list). GET /v1/balance_transactions/<id>:
    one object. A transaction whose `source` is an object is answered with its id but where
    the request expands it, as Stripe does."""

    def __init__(self, api_key: str, transactions: list[dict]):
        super().__init__()
        self.api_key, self.transactions = api_key, transactions

    def handle(self, fault, method, path, query, headers, body, raw_path):
        js = {"Content-Type": "application/json", "Request-Id": f"req_{uuid.uuid4().hex[:14]}"}
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, js, json.dumps({"error": {"type": "invalid_request_error",
                                                  "message": "Invalid API Key provided"}}).encode()
        if path.startswith("/v1/balance_transactions/"):
            found = [t for t in self.transactions if t["id"] == path.rsplit("/", 1)[1]]
            if not found:
                return 404, js, b'{"error": {"type": "invalid_request_error", "message": "No such balance transaction"}}'
            return 200, js, json.dumps(found[0]).encode()
        if path != "/v1/balance_transactions":
            return 404, js, b'{"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}}'
        gte, lt = int(query.get("created[gte]", 0)), int(query.get("created[lt]", 2 ** 40))
        if fault == "day-before":   # a cache answering what was asked the day before
            gte, lt = gte - 86400, lt - 86400
        rows = sorted((t for t in self.transactions if gte <= t["created"] < lt), key=lambda t: (-t["created"], t["id"]))
        if "starting_after" in query:
            at = [t["id"] for t in rows].index(query["starting_after"])
            rows = rows[at + 1:]
        limit = int(query.get("limit", 10))
        if "data.source" not in {v for k, v in query.items() if k.startswith("expand")}:
            rows = [{**t, "source": t["source"]["id"]} if isinstance(t.get("source"), dict) else t for t in rows]
        page = {"object": "list", "url": "/v1/balance_transactions", "has_more": len(rows) > limit,
                "data": rows[:limit]}
        return 200, js, json.dumps(page).encode()


class WechatServer(Server):
    """WeChat Pay API v3: GET /v3/certificates (certificates encrypted with the APIv3 key),
    GET /v3/bill/tradebill, GET /v3/bill/fundflowbill (download_url + SHA1), GET
    /v3/billdownload/file (the gzipped bill). Every request's `Authorization`
    (WECHATPAY2-SHA256-RSA2048) is checked against the merchant's public key; every JSON
    answer is signed with the platform key (Wechatpay-Signature, -Timestamp, -Nonce, -Serial)."""

    def __init__(self, mchid: str, merchant_key, apiv3_key: str):
        super().__init__()
        self.mchid, self.merchant_public, self.apiv3_key = mchid, merchant_key.public_key(), apiv3_key
        self.platform_key = rsa_key()
        self.certificate = self_signed(self.platform_key, "Tenpay.com Root CA test")
        self.serial = format(self.certificate.serial_number, "X")
        self.bills: dict[tuple[str, str], bytes] = {}   # (tradebill | fundflow, YYYY-MM-DD) -> CSV bytes
        self.tokens: dict[str, bytes] = {}

    def sign(self, body: bytes, key=None) -> dict:
        ts, nonce = str(int(time.time())), uuid.uuid4().hex
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce, "Wechatpay-Serial": self.serial,
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
                "Wechatpay-Signature": sign_sha256(key or self.platform_key, f"{ts}\n{nonce}\n{body.decode()}\n")}

    def encrypt(self, plaintext: str, associated: str) -> dict:
        nonce = secrets.token_hex(6)
        data = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated.encode())
        return {"algorithm": "AEAD_AES_256_GCM", "nonce": nonce, "associated_data": associated,
                "ciphertext": base64.b64encode(data).decode()}

    def _authorized(self, method, raw_path, headers, body) -> bool:
        auth = headers.get("Authorization", "")
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = dict(part.split("=", 1) for part in auth.split(" ", 1)[1].split(","))
        fields = {k.strip(): v.strip('"') for k, v in fields.items()}
        message = f"{method}\n{raw_path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body.decode()}\n"
        try:
            self.merchant_public.verify(base64.b64decode(fields["signature"]), message.encode(),
                                        padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return False
        return fields.get("mchid") == self.mchid

    def _json(self, status, doc, fault=None):
        body = json.dumps(doc, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   **self.sign(body, rsa_key() if fault == "bad-signature" else None)}
        if fault == "no-signature-type":
            del headers["Wechatpay-Signature-Type"]
        elif fault == "sm2-signature-type":   # an algorithm wechatpayv3 does not know
            headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
        elif fault == "unsigned":
            headers = {k: v for k, v in headers.items() if not k.startswith("Wechatpay-")}
        elif fault == "no-serial":
            del headers["Wechatpay-Serial"]
        return status, headers, body

    def handle(self, fault, method, path, query, headers, body, raw_path):
        if not self._authorized(method, raw_path, headers, body):
            return self._json(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        if path == "/v3/certificates":
            pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
            return self._json(200, {"data": [{
                "serial_no": self.serial, "effective_time": "2020-01-01T00:00:00+08:00",
                "expire_time": "2099-01-01T00:00:00+08:00", "encrypt_certificate": self.encrypt(pem, "certificate")}]})
        if path in ("/v3/bill/tradebill", "/v3/bill/fundflowbill"):
            if fault == "not-ready":
                return self._json(400, {"code": "STATEMENT_CREATING", "message": "账单生成中，请稍后重试"})
            kind = "tradebill" if path.endswith("tradebill") else "fundflow"
            bill = self.bills.get((kind, query.get("bill_date", "")))
            if bill is None:
                return self._json(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
            token = uuid.uuid4().hex
            self.tokens[token] = bill
            return self._json(200, {"hash_type": "SHA1", "hash_value": hashlib.sha1(bill).hexdigest(),
                                    "download_url": f"{self.url}/v3/billdownload/file?token={token}"}, fault)
        if path == "/v3/billdownload/file" and query.get("token") in self.tokens:
            return 200, {"Content-Type": "application/octet-stream"}, gzip.compress(self.tokens[query["token"]])
        return self._json(404, {"code": "RESOURCE_NOT_EXISTS", "message": "not found"})

    def notification(self, event_type: str, resource: dict, event_id: str | None = None, when: int | None = None,
                     key=None) -> tuple[dict, bytes]:
        """A v3 notification as WeChat Pay posts it: headers and body, resource encrypted."""
        body = json.dumps({
            "id": event_id or str(uuid.uuid4()), "create_time": "2026-03-02T10:00:00+08:00",
            "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
            "resource": {**self.encrypt(json.dumps(resource, ensure_ascii=False), "transaction"),
                         "original_type": "transaction"}}, ensure_ascii=False).encode()
        headers = self.sign(body, key)
        if when is not None:
            ts, nonce = str(when), headers["Wechatpay-Nonce"]
            headers.update({"Wechatpay-Timestamp": ts, "Wechatpay-Signature": sign_sha256(
                key or self.platform_key, f"{ts}\n{nonce}\n{body.decode()}\n")})
        return headers, body


def _instant(text: str) -> dt.datetime:
    text = text.replace("Z", "+00:00").replace(" ", "+")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return dt.datetime.fromisoformat(text)


def _raw_member(body: bytes, key: str) -> bytes:
    """The bytes of a member's value in a JSON object, exactly as they stand in `body`."""
    text, decoder = body.decode("utf-8"), json.JSONDecoder()
    at = text.index("{") + 1
    while True:
        at = len(text) - len(text[at:].lstrip())
        name, at = decoder.raw_decode(text, at)
        at = text.index(":", at) + 1
        at = len(text) - len(text[at:].lstrip())
        _, end = decoder.raw_decode(text, at)
        if name == key:
            return text[at:end].encode("utf-8")
        at = text.index(",", end) + 1


class PaypalServer(Server):
    """PayPal REST: POST /v1/oauth2/token (client credentials, Basic auth), GET
    /v1/reporting/transactions (start_date, end_date, fields, page_size, page), GET
    /v1/reporting/balances (as_of_time, currency_code), POST
    /v1/notifications/verify-webhook-signature (the transmission is checked against the
    key PayPal signs webhooks with: `id|time|webhook id|crc32(event)`)."""

    def __init__(self, client_id: str, client_secret: str, webhook_id: str, transactions: list[dict],
                 balance: str = "0.00"):
        super().__init__()
        self.basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.webhook_id, self.transactions, self.balance = webhook_id, transactions, balance
        self.token = secrets.token_urlsafe(16)
        self.refreshed: str | None = None   # last_refreshed_datetime; None: now
        self.account = "QCXKLSS8GWT22"       # the account_number its answers name
        self.signing_key = rsa_key()

    def _json(self, status, doc):
        return status, {"Content-Type": "application/json", "Paypal-Debug-Id": uuid.uuid4().hex[:13]}, \
            json.dumps(doc).encode()

    def handle(self, fault, method, path, query, headers, body, raw_path):
        if path == "/v1/oauth2/token":
            if headers.get("Authorization") != self.basic or b"grant_type=client_credentials" not in body:
                return self._json(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
            return self._json(200, {"access_token": self.token, "token_type": "Bearer", "expires_in": 32400})
        if headers.get("Authorization") != f"Bearer {self.token}":
            return self._json(401, {"name": "AUTHENTICATION_FAILURE", "message": "invalid token"})
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
        if fault == "day-before":   # a cache answering what was asked the day before
            query = {**query, **{k: (_instant(query[k]) - dt.timedelta(days=1)).isoformat()
                                 for k in ("start_date", "end_date", "as_of_time") if k in query}}
        if path == "/v1/reporting/transactions":
            start, end = _instant(query["start_date"]), _instant(query["end_date"])
            rows = [t for t in self.transactions
                    if start <= _instant(t["transaction_info"]["transaction_initiation_date"]) < end]
            size, page = int(query.get("page_size", 100)), int(query.get("page", 1))
            pages = max(1, -(-len(rows) // size))
            return self._json(200, {"transaction_details": rows[(page - 1) * size: page * size],
                                    "account_number": self.account, "start_date": query["start_date"],
                                    "end_date": query["end_date"], "last_refreshed_datetime": self.refreshed or now,
                                    "page": page, "total_items": len(rows), "total_pages": pages})
        if path == "/v1/reporting/balances":
            money = {"currency_code": "USD", "value": self.balance}
            return self._json(200, {"balances": [{"currency": "USD", "primary": True, "total_balance": money,
                                                  "available_balance": money,
                                                  "withheld_balance": {"currency_code": "USD", "value": "0.00"}}],
                                    "account_id": self.account, "as_of_time": query.get("as_of_time"),
                                    "last_refresh_time": now})
        if path == "/v1/notifications/verify-webhook-signature":
            doc = json.loads(body)
            # PayPal checks the event against the bytes it sent: the request's webhook_event
            # as it stands in the request, not a serialisation of it
            message = self._message(doc["transmission_id"], doc["transmission_time"], doc["webhook_id"],
                                    _raw_member(body, "webhook_event"))
            try:
                self.signing_key.public_key().verify(base64.b64decode(doc["transmission_sig"]), message,
                                                     padding.PKCS1v15(), hashes.SHA256())
                ok = doc["webhook_id"] == self.webhook_id
            except Exception:
                ok = False
            return self._json(200, {"verification_status": "SUCCESS" if ok else "FAILURE"})
        return self._json(404, {"name": "RESOURCE_NOT_FOUND"})

    @staticmethod
    def _message(transmission_id, when, webhook_id, body: bytes) -> bytes:
        import zlib
        return f"{transmission_id}|{when}|{webhook_id}|{zlib.crc32(body)}".encode()

    def webhook(self, event: dict | bytes, when: dt.datetime | None = None, key=None) -> tuple[dict, bytes]:
        """The headers and body of a webhook of `event` (a dict, or the exact bytes to send)."""
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        stamp = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ident = str(uuid.uuid4())
        sig = (key or self.signing_key).sign(self._message(ident, stamp, self.webhook_id, body), padding.PKCS1v15(),
                                             hashes.SHA256())
        return {"PAYPAL-TRANSMISSION-ID": ident, "PAYPAL-TRANSMISSION-TIME": stamp,
                "PAYPAL-TRANSMISSION-SIG": base64.b64encode(sig).decode(), "PAYPAL-AUTH-ALGO": "SHA256withRSA",
                "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-360caa42-fca2a594-test",
                "Content-Type": "application/json"}, body


class AlipayServer(Server):
    """Alipay's open API gateway for alipay.data.dataservice.bill.downloadurl.query:
    the request's RSA2 `sign` (over the sorted parameters) is checked against the app's
    public key; the answer is signed with Alipay's key; bill_download_url points at a zip
    of `<pid>_<date>_<账务明细|业务明细>.csv` and its `(汇总)` summary."""

    def __init__(self, app_id: str, app_key):
        super().__init__()
        self.app_id, self.app_public = app_id, app_key.public_key()
        self.alipay_key = rsa_key()
        self.bills: dict[tuple[str, str], bytes] = {}   # (signcustomer | trade, YYYY-MM-DD) -> CSV bytes (GBK)
        self.zips: dict[str, bytes] = {}

    def _answer(self, body: dict, key=None):
        name = "alipay_data_dataservice_bill_downloadurl_query_response"
        inner = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        raw = f'{{"{name}":{inner},"sign":"{sign_sha256(key or self.alipay_key, inner)}"}}'
        return 200, {"Content-Type": "text/html;charset=utf-8"}, raw.encode()

    def handle(self, fault, method, path, query, headers, body, raw_path):
        if path == "/downloadBillFile.resource":
            content = self.zips.get(query.get("token", ""))
            return (200, {"Content-Type": "application/oct-stream"}, content) if content else (404, {}, b"")
        if path != "/gateway.do":
            return 404, {}, b""
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(query.items()) if k != "sign")
        try:
            self.app_public.verify(base64.b64decode(query.get("sign", "")), unsigned.encode(), padding.PKCS1v15(),
                                   hashes.SHA256())
        except Exception:
            return self._answer({"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature",
                                 "sub_msg": "验签出错"})
        if query.get("app_id") != self.app_id or query.get("method") != "alipay.data.dataservice.bill.downloadurl.query":
            return self._answer({"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-app-id"})
        biz = json.loads(query["biz_content"])
        bill = self.bills.get((biz["bill_type"], biz["bill_date"]))
        if fault == "not-ready" or bill is None:
            return self._answer({"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist",
                                 "sub_msg": "账单不存在"})
        title = "账务明细" if biz["bill_type"] == "signcustomer" else "业务明细"
        stem = f"20880000_{biz['bill_date'].replace('-', '')}_{title}"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{stem}.csv", bill)
            zf.writestr(f"{stem}(汇总).csv", "#汇总\n".encode("gb18030"))
        token = uuid.uuid4().hex
        self.zips[token] = out.getvalue()
        return self._answer({"code": "10000", "msg": "Success",
                             "bill_download_url": f"{self.url}/downloadBillFile.resource?token={token}"},
                            rsa_key() if fault == "bad-signature" else None)
