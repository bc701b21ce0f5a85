"""The merchant's config.yaml, written with only the keys DESIGN.md §3 documents.

No `opening_balance` (the statements state it), no `trades_from`, no `order_pattern`
(a Stripe channel whose statements are the API's balance transactions names a charge's
order only in its description, `Order #1001 by …`, which beanclear reads as checkouts
write it). An
`orders-csv` shop gets the `columns:` and `statuses:` of its export, or (as DESIGN's example
writes it) nothing but its type; a `taobao` shop nothing but its type. How the
merchant writes it is drawn from the seed apart from the shape (`style`): channels named
after their type or as the merchant calls them (`wxpay`, `stripe_us`), optional keys
written or left to their defaults, `shop:` on the channels of a merchant of one shop.
"""

from __future__ import annotations

import random

import yaml

from .writers.banks import csv_layout
from .writers.shops import orders_csv_layout


def _num(x):
    return float(x) if x != int(x) else int(x)


NAMES = {"wechat": ("wxpay", "weixin", "wechat_pay"), "alipay": ("zfb", "alipay_cn", "ali"),
         "stripe": ("stripe_us", "cards", "stripe-main"), "paypal": ("pp", "paypal_us")}

SECOND_NAMES = {"wechat": ("wechat_2", "wxpay_hk", "wechat_store", "wxpay2"),
                "alipay": ("alipay_2", "alipay_store", "zfb2", "alipay_b"),
                "stripe": ("stripe_2", "stripe_shop", "stripe-b"), "paypal": ("paypal_2", "pp_store", "paypal_b")}


def style(shape) -> dict:
    """How this merchant writes its config: its own rng, so the shape and the truth are
    the same whatever is drawn here."""
    rng = random.Random(shape.seed * 7 + 3)
    keys = {c.name: rng.choice(NAMES[c.type]) if rng.random() < 0.5 else c.name for c in shape.channels
            if c.name == c.type}
    how = {"keys": keys,
           "terse": rng.random() < 0.5,         # optional keys left out: their defaults are what it means
           "shop": rng.random() < 0.5,          # `shop:` on the channels of a merchant of one shop
           "threshold": rng.random() < 0.3}     # checks.review_threshold
    second = random.Random(f"second account key {shape.seed}")   # its own stream: the rest stays
    for c in shape.channels:
        if c.name != c.type:   # a second account of a type (shape._second_account): a name of its own
            plain = {k.replace("_", "").replace("-", "") for k in keys.values()}
            keys[c.name] = second.choice([k for k in SECOND_NAMES[c.type]
                                          if k.replace("_", "").replace("-", "") not in plain])
    return how


def config(shape) -> dict:
    how = style(shape)
    terse = how["terse"]
    cfg = {"books": "books", "currency": shape.currency, "timezone": shape.timezone, "channels": {}, "banks": {}}
    for c in shape.channels:
        rule = {"rate": _num(c.rate), "fixed": _num(c.fixed), "min": _num(c.min)}
        if terse and not c.fixed:
            del rule["fixed"]
        eur = [{"currency": "EUR", "rate": _num(c.eur_fee[0]), "fixed": _num(c.eur_fee[1])}] if c.eur_fee else []
        ch = {"type": c.type, "currency": c.currency, "settlement_days": c.settlement_days, "bank": c.bank,
              "bank_days": c.bank_days, "fees": eur + [rule]}   # the first rule that fits applies
        if terse and c.currency == cfg["currency"]:
            del ch["currency"]
        if c.account_id:
            ch["account_id"] = c.account_id
        if how["shop"] and len(shape.shops) == 1:
            ch["shop"] = shape.shops[0].name
        cfg["channels"][how["keys"][c.name]] = ch
    for b in shape.banks:
        bank = {"type": b.type, "account": b.account, "currency": b.currency}
        if b.type == "csv":
            layout = csv_layout(shape.seed, b)
            bank.update({"encoding": layout.encoding, "date_format": layout.date_format, "columns": layout.columns})
            if terse:   # "optional; detected when absent"; the date's format is the default's or said
                del bank["encoding"]
                if layout.date_format == "%Y-%m-%d":
                    del bank["date_format"]
        cfg["banks"][b.name] = bank
    if shape.shops:
        cfg["shops"] = {}
        for s in shape.shops:
            shop = {"type": s.type, "order_days": s.order_days}
            # its columns and statuses said, or left to be found by their usual names (a stream
            # of its own: the rest of the config stays)
            if s.type == "orders-csv" and random.Random(f"columns {shape.seed}").random() < 0.6:
                _, columns, statuses = orders_csv_layout(shape)
                shop.update({"columns": dict(columns), "statuses": {k: list(v) for k, v in statuses.items()}})
            cfg["shops"][s.name] = shop
    us = shape.currency == "USD"   # a US merchant's bank writes no Chinese
    cfg["rules"] = [{"match": "rent|RENT" if us else "房租|rent|RENT", "account": "Expenses:Rent"},
                    {"match": "salary|SALARY|PAYROLL" if us else "工资|salary|SALARY|PAYROLL",
                     "account": "Expenses:Salaries"}]
    if not terse:   # DESIGN §3's example: the limits a merchant who leaves them out gets anyway
        cfg["checks"] = {"fee-gap": {"severity": "error", "tolerance": 0.01},
                         "fx-gap": {"severity": "warning", "tolerance_bps": 50},
                         "refund-rate": {"severity": "warning", "max": 0.10, "days": 7},
                         "bank-unmatched": {"severity": "warning"}}
    if how["threshold"]:
        cfg.setdefault("checks", {})["review_threshold"] = 500
    return cfg


def write(shape, path):
    path.write_text(yaml.safe_dump(config(shape), allow_unicode=True, sort_keys=False), encoding="utf-8")
