"""The period report as an XLSX workbook: one sheet per section, real numbers.

Sheets: Summary, Banks (one row per bank: statement, open items, unexplained, books,
the money on its way, the days of the statement-gaps the unexplained comes from,
what else is in transit: payouts missing, differences, and the month's days no
statement of the bank covers), Bank items (the open items,
money in transit payout by payout and unexplained lines of every bank, and its FX
spread, kind fx-spread, one row per currency), Channels (one
row per channel and currency, its roll-forward: render.TIE_OUT), Findings. Money cells hold the Decimal
as a number formatted with its currency's places, `#,##0.00` (`#,##0` for JPY; Excel
sums them); a finding of no money has no amount; the fee rate is a number formatted
`0.00%`; dates are dates. A bold, frozen header row; columns sized to fit. The
workbook's properties and its zip entries are dated the period's last day
(render.dated): the same books give the same bytes. Text is text: a statement's memo
starting with `=` is a string cell, never a formula Excel would run.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from beanclear.importers.toolkit.places import currency_places
from beanclear.reports.period import ZERO, PeriodReport
from beanclear.reports.render import CHANNEL_FIGURES, STATUSES, channel_label, dated, gap_days, summary

MONEY = "#,##0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"

BANK_HEAD = ("bank", "account", "currency", "statement date", "statement balance", "open items", "unexplained",
             "books balance", "difference", "in transit", "unexplained: statement-gap", "in transit, not on its way",
             "no statement covers")
ITEM_HEAD = ("bank", "kind", "date", "description", "amount", "currency", "refs")
CHANNEL_HEAD = ("channel", "currency", *map(channel_label, CHANNEL_FIGURES))
FINDING_HEAD = ("status", "code", "severity", "date", "source", "amount", "currency", "refs", "message",
                "resolution")


def money_format(currency: str) -> str:
    """MONEY with the currency's places: `#,##0` for JPY, `#,##0.000` for KWD."""
    places = currency_places(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def write(report: PeriodReport, path: Path) -> None:
    book = Workbook()
    _sheet(book.active, "Summary", ("", ""), _summary_rows(report), {})
    _sheet(book.create_sheet(), "Banks", BANK_HEAD, [
        (b.name, b.account, b.currency, b.statement_date, b.statement_balance,
         sum((i.amount for i in b.open_items), ZERO), b.unexplained, b.books_balance, b.difference,
         b.on_its_way, gap_days(b.gaps) or None, b.not_on_its_way, gap_days(b.uncovered) or None)
        for b in report.banks],
        {k: MONEY for k in (*range(4, 10), 11)} | {3: DATE}, currency=2)
    _sheet(book.create_sheet(), "Bank items", ITEM_HEAD, [
        (b.name, i.kind, i.date, i.description, i.amount, i.currency, " ".join(i.refs))
        for b in report.banks for i in (*b.open_items, *b.in_transit, *b.unexplained_lines, *b.fx_spread)],
        {2: DATE, 4: MONEY}, currency=5)
    rate = 2 + CHANNEL_FIGURES.index("fee_rate")
    _sheet(book.create_sheet(), "Channels", CHANNEL_HEAD, [
        (c.name, c.currency, *(getattr(c, k) for k in CHANNEL_FIGURES)) for c in report.channels],
        {k: MONEY for k in range(2, len(CHANNEL_HEAD))} | {rate: RATE}, currency=1)
    _sheet(book.create_sheet(), "Findings", FINDING_HEAD, [
        (f.status, f.code, f.severity, f.date, f.source, f.amount, f.currency, " ".join(f.refs), f.message,
         f.resolution) for f in report.findings],
        {3: DATE, 5: MONEY}, currency=6)
    _save(book, path, dated(report))


def _save(book: Workbook, path: Path, when) -> None:
    """The workbook as openpyxl writes it, its properties and every zip entry dated
    `when`: Workbook.save stamps the properties with the clock, and the zip entries
    with the clock or a temporary file's time."""
    book.properties.created = book.properties.modified = when
    made = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()   # closes it
    out = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            target.writestr(fixed, source.read(entry))
    Path(path).write_bytes(out.getvalue())


def _summary_rows(r: PeriodReport) -> list[tuple]:
    counts = summary(r)
    return [("title", r.title), ("period", r.period), ("from", r.start), ("to", r.end)] + \
        [(f"findings {s}", n) for s, n in zip(STATUSES, counts.values())]


def _sheet(ws, title: str, head: tuple, rows: list[tuple], formats: dict[int, str],
           currency: int | None = None) -> None:
    """`formats`: column -> number format; a MONEY column takes the places of the
    currency in column `currency` of its row."""
    ws.title = title
    ws.append(list(head))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(h) for h in head]
    for row in rows:
        ws.append(list(row))
        for k, cell in enumerate(ws[ws.max_row]):
            if cell.data_type == "f":   # openpyxl takes any text starting "=" for a formula: a
                cell.data_type = "s"    # bank memo `=cmd|' /C calc'!A0` ran in Excel (blind33): text stays text
            if k in formats and cell.value is not None:
                money = formats[k] == MONEY and currency is not None
                cell.number_format = money_format(row[currency]) if money else formats[k]
            elif title == "Summary" and hasattr(cell.value, "isoformat"):
                cell.number_format = DATE
            shown = f"{cell.value:,.2f}" if formats.get(k) == MONEY and cell.value is not None else str(cell.value or "")
            widths[k] = max(widths[k], len(shown))
    for k, width in enumerate(widths):
        # Wide enough to read, capped so a long message does not push the rest off screen.
        ws.column_dimensions[get_column_letter(k + 1)].width = min(max(width + 2, 8), 60)
