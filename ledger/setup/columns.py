"""A guess at the `columns:` of a bank CSV no type claims, from common header names in
Chinese, English, German, Dutch and French, and its `date_format` from the first dates.
Only a guess that reads the whole file (probe.read) is proposed, and the config says
"check these". A file whose dates read day/month and month/day alike (`07/12/2012`)
gets no guess: the reason says to set `date_format` (the toolkit's numeric_date_format
decides what the dates and the header's language can)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from beanclear.importers.bank_csv import DIRECTION_NAMES
from beanclear.importers.toolkit import (DELIMITERS, ENCODINGS, WESTERN_ENCODINGS, StatementError, clean, csv_rows,
                                         header_key, read_text)
from beanclear.importers.toolkit.values import numeric_date_format

# role -> header names, most telling first (compared as header_key: case, spaces, width).
NAMES = {
    "date": ("交易日期", "记账日期", "交易时间", "日期", "date", "transactiondate", "postingdate", "bookingdate",
             "posteddate", "completeddate", "valuedate", "buchungstag", "buchung", "buchungsdatum", "datum",
             "transactiedatum", "boekdatum", "dateopération", "dateoperation"),
    "amount": ("交易金额", "金额", "发生额", "amount", "transactionamount", "betrag", "betrag(eur)", "umsatzineur",
               "bedrag", "bedrag(eur)", "amount(eur)", "amount(gbp)", "montant", "montant(eur)"),
    "credit": ("收入金额", "收入", "贷方金额", "贷方发生额", "存入金额", "存入", "credit", "creditamount",
               "deposits", "deposit", "deposit(+)", "paidin", "moneyin", "haben", "crédit"),
    "debit": ("支出金额", "支出", "借方金额", "借方发生额", "支取金额", "支取", "debit", "debitamount",
              "withdrawals", "withdrawal", "withdrawal(-)", "paidout", "moneyout", "soll", "débit"),
    "memo": ("摘要", "交易摘要", "用途", "附言", "备注", "description", "memo", "narrative", "details",
             "transactiondetails", "remarks", "verwendungszweck", "buchungstext", "mededelingen", "omschrijving",
             "omschrijving-1", "libellé", "libelle"),
    "payee": ("对方户名", "对方名称", "对方账户名", "对手信息", "收/付方名称", "payee", "counterparty", "name",
              "beneficiary", "merchant", "auftraggeber/empfänger", "begünstigter/zahlungspflichtiger",
              "beguenstigter/zahlungspflichtiger", "auftraggeber/begünstigter", "begünstigter/auftraggeber",
              "naam/omschrijving", "naamtegenpartij", "tegenrekeninghouder"),
    "ref": ("交易流水号", "流水号", "交易编号", "凭证号", "reference", "ref", "id", "transactionid", "fitid",
            "transferwiseid", "referentie", "volgnr", "transaktions-id"),
    "balance": ("余额", "账户余额", "联机余额", "balance", "currentbalance", "runningbalance", "ledgerbalance",
                "runningbal.", "saldo", "saldonatrn", "solde"),
    # which way an unsigned amount went (交通银行 借贷 `借 Dr`, ING Netherlands `Af Bij`): without
    # it every debit reads as money in
    "direction": DIRECTION_NAMES + ("creditdebitindicator",),
    # a fee charged beside the amount (Revolut's Fee)
    "fee": ("fee",),
    # the currency of each row (Revolut, Wise, Sparkasse, Knab, Rabobank); not `Valuta`, a day at ING
    "currency": ("币种", "货币", "currency", "währung", "waehrung", "munt", "valutacode", "devise"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y",
                "%m-%d-%Y", "%d.%m.%y", "%d/%m/%y", "%b %d, %Y", "%d %b %Y")
_DAY_OR_MONTH = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1\d{4}$")   # 07/12/2012: which is the day?


def guess(path: Path) -> tuple[dict[str, str], str] | None:
    """(columns, date_format) for a CSV with a recognisable header, with `,`, `;` or TAB
    between its cells, or None. StatementError: its dates read both ways."""
    guesses = []
    for fallbacks in (ENCODINGS, WESTERN_ENCODINGS):   # GB18030, else a German bank's Windows-1252
        try:
            text = read_text(path, fallbacks=fallbacks)
        except StatementError:
            continue
        found = _guess(path, text)
        if found is not None:
            guesses.append(found)
    return max(guesses, key=lambda g: len(g[0]), default=None)


def _guess(path: Path, text: str) -> tuple[dict[str, str], str] | None:
    for delimiter in DELIMITERS:
        try:
            rows = [r.cells for _, r in zip(range(80), csv_rows(text, path, delimiter))]
        except (StatementError, csv.Error):
            continue
        for at, cells in enumerate(rows):
            header = [clean(c) for c in cells]
            columns = _roles(header)
            if columns is None:
                continue
            column = header.index(columns["date"])
            dates = [(at + 2 + n, clean(r[column])) for n, r in enumerate(rows[at + 1:])
                     if len(r) > column and clean(r[column])]
            fmt = date_format([d.split(" ")[0] if not re.search(r"[A-Za-z]", d) else d for _, d in dates])
            if fmt and _DAY_OR_MONTH.match(dates[0][1].split(" ")[0]) and fmt[1] in "md":
                # 07/12/2012: as the toolkit reads a file without date_format (header's language, order)
                fmt = numeric_date_format(((n, d.split(" ")[0]) for n, d in dates), str(path), None, header=header)
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
    """The first format that reads every date (D/M before M/D only where M/D fails); else
    the one that reads the most, if more than half: a balance line after the rows
    (`Alter Kontostand`) or a broken row is the import's to say, naming its line."""
    if not dates:
        return None
    read = {}
    for fmt in DATE_FORMATS:
        read[fmt] = 0
        for text in dates[:50]:
            try:
                dt.datetime.strptime(text, fmt)
                read[fmt] += 1
            except ValueError:
                pass
        if read[fmt] == len(dates[:50]):
            return fmt
    best = max(DATE_FORMATS, key=lambda fmt: read[fmt])
    return best if read[best] * 2 > len(dates[:50]) else None
