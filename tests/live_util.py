"""Shared parts of the live tests: configs pointing at the local servers, Stripe balance
transactions, and WeChat bills split into days (summary lines recomputed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from live_servers import pem_private

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Retries without waiting, and a timeout no loaded machine reaches (a local server's signed
# answer took over 0.5 s under a full suite and helpers: the retry then met the next, good
# answer and a test of a forged one failed). Tests of timeouts set their own short one.
FAST = {"retry": {"attempts": 3, "delay": 0.001, "max_delay": 0.01}, "timeout": 30.0}


def unix(day: dt.date, hour: int, tz=SHANGHAI) -> int:
    return int(dt.datetime.combine(day, dt.time(hour), tz).timestamp())


def stripe_txn(ident: str, day: dt.date, hour: int, kind: str, amount: int, fee: int = 0, source: str = "") -> dict:
    return {"id": ident, "object": "balance_transaction", "amount": amount, "fee": fee, "net": amount - fee,
            "currency": "usd", "created": unix(day, hour), "available_on": unix(day, hour) + 2 * 86400,
            "description": {"charge": "Order 1001", "refund": "REFUND FOR CHARGE", "payout": "STRIPE PAYOUT"}.get(kind, kind),
            "exchange_rate": None, "fee_details": ([{"amount": fee, "currency": "usd", "description": "Stripe "
                                                     "processing fees", "type": "stripe_fee"}] if fee else []),
            "reporting_category": kind, "type": kind, "status": "available", "source": source or None}


def with_timeout(cfg: Path, seconds: float) -> Path:
    """The config at `cfg` with `live.timeout` set to `seconds`: for the tests of a timeout."""
    import yaml
    conf = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    conf["live"] = {**conf.get("live", {}), "timeout": seconds}
    cfg.write_text(yaml.safe_dump(conf), encoding="utf-8")
    return cfg


def write_config(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(text, encoding="utf-8")
    return root / "config.yaml"


def wechat_env(tmp: Path, key, mchid="1601959334", apiv3="0123456789abcdef0123456789abcdef") -> dict:
    pem = tmp / "apiclient_key.pem"
    pem.write_text(pem_private(key))
    return {"WECHATPAY_MCHID": mchid, "WECHATPAY_CERT_SERIAL_NO": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "WECHATPAY_PRIVATE_KEY": str(pem), "WECHATPAY_APIV3_KEY": apiv3}


def _cells(line: str) -> list[str]:
    return [c.lstrip("`") for c in line.rstrip("\r\n").split(",")]


def split_bill(text: str) -> dict[str, str]:
    """A WeChat trade or fund bill (any period) as one bill per day (YYYY-MM-DD -> text),
    each with its summary lines recomputed as WeChat Pay writes them."""
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0]
    summary_at = next(i for i, line in enumerate(lines) if i and not line.startswith("`"))
    rows, summary_head = lines[1:summary_at], lines[summary_at]
    trade = header.startswith("交易时间")
    cols = header.split(",")
    days: dict[str, list[str]] = {}
    for row in rows:
        days.setdefault(_cells(row)[0][:10], []).append(row)
    out = {}
    for day, day_rows in sorted(days.items()):
        cells = [_cells(r) for r in day_rows]
        if trade:
            def total(name, places="0.01"):
                return str(sum((Decimal(c[cols.index(name)] or "0") for c in cells), Decimal(0)).quantize(
                    Decimal(places)))
            summary = [str(len(cells)), total("应结订单金额"), total("退款金额"), total("充值券退款金额"),
                       total("手续费", "0.00001"), total("订单金额"), total("申请退款金额")]
        else:
            flows = [(c[cols.index("收支类型")], Decimal(c[cols.index("收支金额(元)")])) for c in cells]
            ins = [a for k, a in flows if k == "收入"]
            outs = [a for k, a in flows if k != "收入"]
            summary = [str(len(flows)), str(len(ins)), f"{sum(ins, Decimal(0)):.2f}", str(len(outs)),
                       f"{sum(outs, Decimal(0)):.2f}"]
        out[day] = "\n".join([header, *day_rows, summary_head, ",".join("`" + s for s in summary)]) + "\n"
    return out


def stripe_from_report(text: str) -> list[dict]:
    """The rows of an itemized balance change report (CSV) as the balance_transaction
    objects Stripe's API gives for them: minor units, Unix times, the category as type."""
    import csv
    import io
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        created = dt.datetime.strptime(row["created_utc"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
        available = dt.datetime.strptime(row["available_on_utc"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)

        def cents(name):
            return int((Decimal(row[name]) * 100).to_integral_value())
        out.append({"id": row["balance_transaction_id"], "object": "balance_transaction", "amount": cents("gross"),
                    "fee": cents("fee"), "net": cents("net"), "currency": row["currency"],
                    "created": int(created.timestamp()), "available_on": int(available.timestamp()),
                    "description": row["description"], "exchange_rate": None, "fee_details": [],
                    "reporting_category": row["reporting_category"], "type": row["reporting_category"],
                    "status": "available", "source": row["source_id"] or None})
    return out
