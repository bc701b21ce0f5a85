"""A guess at the `columns:` of a bank CSV no type claims, from common header names in
Chinese and English, and its `date_format` from the first dates. Only a guess that
reads the whole file (probe.read) is proposed, and the config says "check these"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from beanclear.importers.bank_csv import DIRECTION_NAMES
from beanclear.importers.toolkit import StatementError, clean, csv_rows, header_key, read_text

# role -> header names, most telling first (compared as header_key: case, spaces, width).
NAMES = {
    "date": ("交易日期", "记账日期", "交易时间", "日期", "date", "transactiondate", "postingdate", "bookingdate",
             "posteddate", "valuedate"),
    "amount": ("交易金额", "金额", "发生额", "amount", "transactionamount"),
    "credit": ("收入金额", "收入", "贷方金额", "贷方发生额", "存入金额", "存入", "credit", "creditamount",
               "deposits", "deposit", "paidin", "moneyin"),
    "debit": ("支出金额", "支出", "借方金额", "借方发生额", "支取金额", "支取", "debit", "debitamount",
              "withdrawals", "withdrawal", "paidout", "moneyout"),
    "memo": ("摘要", "交易摘要", "用途", "附言", "备注", "description", "memo", "narrative", "details",
             "transactiondetails", "remarks"),
    "payee": ("对方户名", "对方名称", "对方账户名", "对手信息", "收/付方名称", "payee", "counterparty", "name",
              "beneficiary"),
    "ref": ("交易流水号", "流水号", "交易编号", "凭证号", "reference", "ref", "id", "transactionid", "fitid"),
    "balance": ("余额", "账户余额", "联机余额", "balance", "currentbalance", "runningbalance", "ledgerbalance"),
    # which way an unsigned amount went (交通银行 借贷 `借 Dr`): without it every debit reads as money in
    "direction": DIRECTION_NAMES + ("dr/cr", "debit/credit", "creditdebitindicator", "soll/haben"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def guess(path: Path) -> tuple[dict[str, str], str] | None:
    """(columns, date_format) for a CSV with a recognisable header, or None."""
    try:
        rows = [r.cells for _, r in zip(range(80), csv_rows(read_text(path), path))]
    except StatementError:
        return None
    for at, cells in enumerate(rows):
        columns = _roles([clean(c) for c in cells])
        if columns is None:
            continue
        column = [clean(c) for c in cells].index(columns["date"])
        dates = [clean(r[column]).split(" ")[0] for r in rows[at + 1:] if len(r) > column and clean(r[column])]
        fmt = date_format(dates)
        return (columns, fmt) if fmt else None
    return None


def _roles(header: list[str]) -> dict[str, str] | None:
    keys = {header_key(cell): cell for cell in header if cell}
    found = {}
    for role, names in NAMES.items():
        for name in names:
            if header_key(name) in keys and keys[header_key(name)] not in found.values():
                found[role] = keys[header_key(name)]
                break
    if "amount" in found and {"debit", "credit"} <= found.keys():
        del found["debit"], found["credit"]  # a signed column is the simpler reading
    elif "amount" not in found and not {"debit", "credit"} <= found.keys():
        return None
    if "amount" in found:
        found.pop("debit", None), found.pop("credit", None)
    else:
        found.pop("direction", None)   # it says the way of an unsigned amount: with none, nothing
    return found if "date" in found else None


def date_format(dates: list[str]) -> str | None:
    """The first format that reads every date (D/M before M/D only where M/D fails)."""
    if not dates:
        return None
    for fmt in DATE_FORMATS:
        try:
            for text in dates[:50]:
                dt.datetime.strptime(text, fmt)
            return fmt
        except ValueError:
            continue
    return None
