"""The merchant's config.yaml, written with only the keys DESIGN.md §3 documents.

No `shop:` on channels (implied with one shop; with two, the order id finds its shop), no
`opening_balance` (the statements state it), no `order_pattern`, no `trades_from`. An
`orders-csv` shop gets the `columns:` and `statuses:` README says the type needs.
"""

from __future__ import annotations

import yaml

from .writers.banks import CSV_COLUMNS
from .writers.shops import ORDERS_CSV_COLUMNS, ORDERS_CSV_STATUSES


def _num(x):
    return float(x) if x != int(x) else int(x)


def config(shape) -> dict:
    cfg = {"books": "books", "currency": "CNY", "timezone": "Asia/Shanghai", "channels": {}, "banks": {}}
    for c in shape.channels:
        ch = {"type": c.name, "currency": c.currency, "settlement_days": c.settlement_days, "bank": c.bank,
              "bank_days": c.bank_days, "fees": [{"rate": _num(c.rate), "fixed": _num(c.fixed), "min": _num(c.min)}]}
        if c.account_id:
            ch["account_id"] = c.account_id
        cfg["channels"][c.name] = ch
    for b in shape.banks:
        bank = {"type": b.type, "account": b.account, "currency": b.currency}
        if b.type == "csv":
            bank.update({"encoding": b.encoding, "date_format": "%Y-%m-%d", "columns": dict(CSV_COLUMNS)})
        cfg["banks"][b.name] = bank
    if shape.shops:
        cfg["shops"] = {}
        for s in shape.shops:
            shop = {"type": s.type, "order_days": s.order_days}
            if s.type == "orders-csv":
                shop.update({"columns": dict(ORDERS_CSV_COLUMNS), "statuses": {k: list(v) for k, v in ORDERS_CSV_STATUSES.items()}})
            cfg["shops"][s.name] = shop
    cfg["rules"] = [{"match": "房租|rent|RENT", "account": "Expenses:Rent"},
                    {"match": "工资|salary|SALARY|PAYROLL", "account": "Expenses:Salaries"}]
    cfg["checks"] = {"fee-gap": {"severity": "error", "tolerance": 0.01},
                     "fx-gap": {"severity": "warning", "tolerance_bps": 50},
                     "refund-rate": {"severity": "warning", "max": 0.10, "days": 7},
                     "bank-unmatched": {"severity": "warning"}}
    return cfg


def write(shape, path):
    path.write_text(yaml.safe_dump(config(shape), allow_unicode=True, sort_keys=False), encoding="utf-8")
