"""The four tables of `beanclear export`, their fixed schema, and their rows.

One load of the books gives both the entries and the check report (checking.report
reuses the findings the plugins computed during that load):

    transactions   one row per Transaction entry, `id` its position in the books
    postings       one row per posting, `transaction` = transactions.id
    findings       one row per finding of the check report, acknowledged or not
    daily_channel  per day, channel and currency: sales, refunds, duplicates, fees, settled

Money is Decimal end to end; the writers decide how a database or a file keeps it
exactly (sql.py, parquet.py). `links` are space-separated (a link holds no space);
`refs` are a JSON array (a statement id may hold anything, spaces included).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear import books
from beanclear.checks import checking, refunds
from beanclear.checks.findings import acknowledged
from beanclear.importers.toolkit.values import in_places

# name -> ((column, type), ...); types: text, date, integer, decimal, boolean.
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "transactions": (("id", "integer"), ("date", "date"), ("time", "text"), ("flag", "text"),
                     ("payee", "text"), ("narration", "text"), ("source", "text"), ("statement_id", "text"),
                     ("links", "text"), ("file", "text"), ("line", "integer")),
    "postings": (("transaction", "integer"), ("account", "text"), ("number", "decimal"), ("currency", "text"),
                 ("price_number", "decimal"), ("price_currency", "text")),
    "findings": (("code", "text"), ("severity", "text"), ("date", "date"), ("source", "text"), ("account", "text"),
                 ("amount", "decimal"), ("currency", "text"), ("expected", "decimal"), ("actual", "decimal"),
                 ("refs", "text"), ("message", "text"), ("acknowledged", "boolean"), ("file", "text"),
                 ("line", "integer")),
    "daily_channel": (("date", "date"), ("channel", "text"), ("currency", "text"), ("sales", "decimal"),
                      ("refunds", "decimal"), ("duplicates", "decimal"), ("fees", "decimal"), ("settled", "decimal")),
}


@dataclass
class Tables:
    """Each table's rows: dicts keyed by the columns of SCHEMA, in its order."""

    rows: dict[str, list[dict]]

    def __getitem__(self, name: str) -> list[dict]:
        return self.rows[name]


def load(config) -> Tables:
    """Load the books once (with their plugins) and build every table from that load."""
    entries, errors, options = books.load(config.books / "main.beancount")
    return build(entries, checking.report(entries, errors, config, options), config)


def build(entries, report, config) -> Tables:
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    return Tables({"transactions": list(transaction_rows(txns, config)),
                   "postings": list(posting_rows(txns)),
                   "findings": [finding_row(f) for f in report.findings],
                   "daily_channel": daily_channel_rows(txns, config)})


def _relative(filename, root: Path) -> str | None:
    if not filename or filename.startswith("<"):  # "<plugin>" and the like: no file
        return None
    return os.path.relpath(filename, root) if os.path.isabs(filename) else filename


def _source(filename, books_root: Path) -> str:
    """books/<source>/<YYYY>/<YYYY-MM>.beancount is a source's; anything else (a person's
    own file, accounts.beancount) has none."""
    if not filename or not os.path.isabs(filename):
        return ""
    parts = Path(os.path.relpath(filename, books_root)).parts
    return parts[0] if len(parts) == 3 and parts[0] != ".." else ""


def transaction_rows(txns, config):
    for number, t in enumerate(txns, 1):
        filename = t.meta.get("filename")
        yield {"id": number, "date": t.date, "time": _text(t.meta.get("time")), "flag": t.flag,
               "payee": t.payee, "narration": t.narration, "source": _source(filename, config.books),
               "statement_id": _text(t.meta.get("id")), "links": " ".join(sorted(t.links or ())),
               "file": _relative(filename, config.root), "line": t.meta.get("lineno")}


def posting_rows(txns):
    """Each posting's number in its currency's places (in_places), as beanclear writes the
    books: `5000000` JPY, where books an older beanclear wrote hold `5000000.00`."""
    for number, t in enumerate(txns, 1):
        for p in t.postings:
            price = p.price
            yield {"transaction": number, "account": p.account, "number": in_places(p.units.number, p.units.currency),
                   "currency": p.units.currency, "price_number": price.number if price else None,
                   "price_currency": price.currency if price else None}


def finding_row(f) -> dict:
    return {"code": f.code, "severity": f.severity, "date": f.date, "source": f.source, "account": f.account,
            "amount": f.amount if f.currency else None, "currency": f.currency, "expected": f.shown("expected"),
            "actual": f.shown("actual"),
            "refs": json.dumps(list(f.refs), ensure_ascii=False), "message": f.message,
            "acknowledged": acknowledged(f), "file": f.file, "line": f.line}


def daily_channel_rows(txns, config) -> list[dict]:
    """Sales and refunds as the month report counts them (refunds.daily: the channel's
    sale-side postings, but an order's duplicate charge, no sale, in `duplicates`, and what
    returns it, no refund: period.daily_beside_sales); fees and settled by the report's
    own rule too (reports/channel_money.py): what posts to the channel's fee account (a
    returned fee is negative), and the bank lines of entries against its transit account,
    net (a payout the channel takes back from the bank is negative), in the currency the
    channel paid out (a payout the bank converted: what it sent). So a month's days add
    up to the report's figures. Each with the currency's places: a day of no fee is 0.00,
    not 0 (SQLite keeps the Decimal's text)."""
    from beanclear.checks.orders import Prepared
    from beanclear.reports import channel_money
    from beanclear.reports.period import daily_beside_sales
    zero = Decimal(0)
    days: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: {"sales": zero, "refunds": zero, "duplicates": zero,
                                                                 "fees": zero, "settled": zero})
    prepared = Prepared(txns, config) if config.shops else None
    returned, charged = (prepared.returned(), prepared.duplicates()) if prepared is not None else ({}, {})
    sales = refunds.channel_sales(txns, config)
    for (channel, currency), daily in refunds.daily(txns, config, sales, returned).items():
        for day, amount in daily.sales.items():
            days[(day, channel, currency)]["sales"] += amount
        for day, amount in daily.refunds.items():
            days[(day, channel, currency)]["refunds"] += amount
    for (channel, currency), beside in (daily_beside_sales(sales, charged, returned) if charged else {}).items():
        for day, duplicate in beside.duplicates.items():   # (the page's charts take the same out)
            days[(day, channel, currency)]["sales"] -= duplicate
            days[(day, channel, currency)]["duplicates"] += duplicate
    for (channel, currency), moved in channel_money.daily(txns, config).items():
        for figure in ("fees", "settled"):
            for day, amount in getattr(moved, figure).items():
                days[(day, channel, currency)][figure] += amount
    return [{"date": day, "channel": channel, "currency": currency,
             **{k: in_places(v, currency) for k, v in figures.items()}}
            for (day, channel, currency), figures in sorted(days.items())]


def _text(value) -> str | None:
    return None if value is None else str(value)
