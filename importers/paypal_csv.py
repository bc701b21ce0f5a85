"""PayPal CSV: the activity download (Reports → Activity download, "Balance affecting")
and the monthly statement CSV, in English or in the account's language (Spanish:
`Fecha,Bruto,Comisión,Neto,Saldo,Id. de transacción`; German, Italian, French, Dutch,
Japanese: `日付,時間,タイムゾーン,…,合計,手数料,正味`, dates year first).

Rows book as `paypal_booking` says: payments net of their (negative) fee, withdrawals
as payouts to the transit account, conversion pairs at the rate PayPal applied inside
the entry of the row they fund, and each currency's running `Balance` as `balance`
assertions on the clearing account:

    2015-12-29 * "PARTNER1" "General Payment"
      id: "TID1"
      paypal-type: "General Payment"
      Expenses:Fees:PayPal            4.25 USD
      Income:Sales:PayPal           -84.00 USD
      Assets:Clearing:PayPal         79.75 USD

    2015-12-30 balance Assets:Clearing:PayPal    79.75 USD

The locale shows in every cell: dates `29/12/2015` or `9/27/2018` (the order is decided
from the whole file; where every date reads both ways, by the header's language, a
Spanish `Fecha` is day first, else European time zones, else the one reading that keeps
the rows in time order, said in the import summary; `date_format` in config.yaml wins), amounts
`1,653.75` or `4.626,81` (decided from the whole file too). Each row's `TimeZone` (`PDT`,
`America/Los_Angeles`, `CET` in one file) gives the instant, dated in the configured
time zone; a download is cut at the days of that zone (a Berlin account's September ends
at 15:00 on 30 September in Los Angeles: Extraction.zone_end, coverage's `ends:`). The statement CSV has no `Status` (its rows are all completed) and calls the
type `Description`; a download's row with its Status empty is refused (every real one
says it). Where the download has `Balance Impact`, a `Memo` row moved no money whatever
its status says. The narration's text is the `Subject`, else the `Item Title`
(the download has both, its Subject empty in real downloads: the Item Title holds what
`order_pattern` looks for); a role of two columns is read from the one a row fills. A
header without rows (a quiet month) imports nothing. A download without Transaction ID
(the personal `Activity` download, one `Amount`) is refused saying what to download
instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from beanclear.books.idset import Ids
from beanclear.importers import paypal_booking
from beanclear.importers.base import Extraction, FileOrder, StatementImporter
from beanclear.importers.paypal_booking import (KIND_OF_TYPE, NO_MONEY, STATUS_OF, UPDATES, Booking, PayPalRow,
                                                kind_of, status_of, type_key, zone_of)
from beanclear.importers.toolkit import (DateOrder, StatementError, ZoneDayEnd, clean, currency_code, currency_places,
                                         first_row_keys, filled_at, header_key, local_time, name_key, note_offset,
                                         parse_amount, parse_datetime, read_statement, sniff, uses_decimal_comma)

COLUMNS = {  # role -> header names: English, Spanish, German, Italian, French, Dutch, Japanese
    "date": ("Date", "Fecha", "Datum", "Data", "日付"),
    "time": ("Time", "Hora", "Uhrzeit", "Ora", "Orario", "Heure", "Tijd", "時間"),
    "zone": ("TimeZone", "Time Zone", "Zona horaria", "Zeitzone", "Fuso orario", "Fuseau horaire", "Tijdzone",
             "タイムゾーン"),
    "name": ("Name", "Nombre", "Nome", "Nom", "Naam", "名前"),
    "type": ("Type", "Tipo", "Typ", "タイプ", "Description", "Descripción", "Beschreibung", "Descrizione",
             "Omschrijving"),
    "status": ("Status", "Estado", "Stato", "État", "ステータス"),
    "currency": ("Currency", "Divisa", "Moneda", "Währung", "Valuta", "Devise", "通貨"),
    "gross": ("Gross", "Bruto", "Brutto", "Lordo", "Avant commission", "Brut", "合計"),
    "fee": ("Fee", "Comisión", "Tarifa", "Gebühr", "Tariffa", "Commission", "Frais", "Kosten", "手数料"),
    "net": ("Net", "Neto", "Netto", "正味"),
    "balance": ("Balance", "Saldo", "Guthaben", "Solde", "残高"),
    "impact": ("Balance Impact", "Impacto en el saldo", "Auswirkung auf Guthaben", "Impatto sul saldo",
               "残高への影響"),
    "id": ("Transaction ID", "Id. de transacción", "Transaktionscode", "Codice transazione", "Numéro de transaction",
           "N° de transaction", "Transactiereferentie", "取引ID"),
    "ref": ("Reference Txn ID", "Id. de transacción de referencia", "Zugehöriger Transaktionscode",
            "Codice transazione di riferimento", "Numéro de la transaction de référence",
            "リファレンス トランザクションID"),
    "email": ("From Email Address", "Correo electrónico del remitente", "Absender E-Mail-Adresse",
              "Indirizzo email mittente", "De l'adresse email", "Adresse email de l'expéditeur", "Van e-mailadres",
              "送信者メールアドレス"),
    "to_email": ("To Email Address", "Correo electrónico del destinatario", "Empfänger E-Mail-Adresse",
                 "À l'adresse email", "受信者メールアドレス"),
    "subject": ("Subject", "Item Title", "Asunto", "Título del objeto", "Artikelbezeichnung", "Titolo oggetto",
                "Titre de l'objet", "件名", "商品タイトル"),
    "invoice": ("Invoice Number", "Invoice ID", "Número de factura", "Id. de factura", "Rechnungsnummer",
                "N. fattura pro-forma", "N° ordine commerciante", "Numéro de facture", "Identifiant de facture",
                "Factuurreferentie", "請求書番号"),
    "custom": ("Custom Number",),   # the Transaction Search response's custom_field: kept as `custom` by both
}
# Japanese (and Chinese) exports write the year first: `2018/10/11`, one reading only.
YEAR_FIRST = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S")
REQUIRED = ("date", "time", "zone", "type", "currency", "gross", "net", "id")
MEMO = {"memo", "nota", "mémo", "備考"}  # `Balance Impact` of rows that do not move the balance


def _chosen(keys: set[str]) -> dict[str, str] | None:
    """For each required role, the header name the file uses; None if it is not PayPal's."""
    out = {}
    for role in REQUIRED:
        name = next((n for n in COLUMNS[role] if header_key(n) in keys), None)
        if name is None:
            return None
        out[role] = name
    return out


def _lacking(keys: set[str]) -> list[str]:
    """The required columns a PayPal download lacks, by their English names: a header
    with PayPal's Date, Time, TimeZone, Type and Currency but not all of REQUIRED (the
    `Activity` download of personal accounts has `Amount` and no Transaction ID). It is
    recognised so that it is refused saying what to download, not booked without ids."""
    present = {role for role in REQUIRED if any(header_key(n) in keys for n in COLUMNS[role])}
    if not {"date", "time", "zone", "type", "currency"} <= present:
        return []
    return [COLUMNS[role][0] for role in REQUIRED if role not in present]


class Importer(StatementImporter):
    kind = "paypal csv"
    names_fee_of = True
    # the activity download and the monthly statement list the same rows, the download with
    # the Subject or Item Title and both emails: one entry saying what both say, whichever
    # comes first (books/late_rows.py)
    shared_rows = paypal_booking.SHARED

    @property
    def names_orders(self):
        """A refund without an Invoice Number names its payment only (`refund-of`): it takes
        that payment's order, in the statement, the import, the books or later
        (statements/refund_orders.py, books/late_refunds.py); a chargeback does not."""
        return paypal_booking.names_orders(self.source.accounts)

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        keys = first_row_keys(head)
        return _chosen(keys) is not None or bool(_lacking(keys))

    def parse(self, filepath: str) -> Extraction:
        keys = first_row_keys(sniff(filepath))
        names = _chosen(keys)
        if names is None and (lacking := _lacking(keys)):
            raise StatementError(filepath, 1, f"this PayPal download has no {', '.join(lacking)} "
                                 f"column{'s' if len(lacking) > 1 else ''}: "
                                 "beanclear books each row once by its Transaction ID; download the activity "
                                 "report with Transaction ID, Gross, Fee and Net (Reports → Activity download, "
                                 "Customise report fields → Transaction details)")
        if names is None:
            raise StatementError(filepath, 1, "expected a PayPal activity or statement CSV header (Date, Time, "
                                 "TimeZone, Type, Currency, Gross, Net, Transaction ID)")
        st = read_statement(filepath, names.values(), "PayPal activity download or statement CSV", allow_empty=True,
                            stream=True)
        t, path = st.table, st.table.path
        col = {role: t.index(*names, required=role in REQUIRED) for role, names in COLUMNS.items()}
        # Roles the file has two columns of (`Subject` and `Item Title`): a row's value is
        # in the first it fills (toolkit.filled_at)
        either = {role: at for role, names in COLUMNS.items() if len(at := t.alternatives(*names)) > 1}

        out = Extraction()
        read, conversion_ids = self._conventions(t, col, either, out)
        # The file's direction, from all its rows as they come: it decides which row of a
        # second ends a day where the running balances do not (base.FileOrder)
        order = FileOrder()
        booking = Booking(self, out, conversion_ids, order=order)
        failed_at = None   # the line of the first conversion row that could not be read
        for row in t.rows:
            order.see(read.written_day(row))
            if read.is_conversion(row):
                try:
                    booking.conversion(read(row))
                except StatementError:
                    failed_at = row.line   # raised again below, at its place in the file
                    break
        booking.pair()
        for row in self.each(t.rows):
            out.rows += 1
            if not read.is_conversion(row):
                booking.add(read(row))
            elif failed_at is not None and row.line >= failed_at:   # the others are booked above
                booking.conversion(read(row))   # raises its error, at its place in the file
        booking.finish()
        # a download is cut at the days of its rows' zone (a Berlin account's month ends at
        # 15:00 in Los Angeles): coverage's `ends:`, as for Stripe's reports in UTC
        read.own.mark(out, self.config.timezone)
        return out

    def _conventions(self, t, col: dict, either: dict, out: Extraction) -> tuple["_Reader", Ids]:
        """One pass over the rows decides the decimal comma and the date order (from the
        whole file) and finds the ids of the conversions that move money. The rows are
        then read twice more (a streamed file is never held): its conversions, booked
        and paired; every other row, each booked as it comes."""
        dates, zones, conversion_ids = DateOrder(), set(), Ids()
        money_cols = [at for role in ("gross", "fee", "net", "balance") for at in either.get(role, (col[role],))
                      if at is not None]
        read = _Reader(t.path, t.header, col, False, "", self.config.timezone, either)   # comma and day below

        def amount_cells():
            for r in t.rows:
                yield from ((r.line, r.cells[at]) for at in money_cols)
                dates.add(r.line, r.cells[read.at(r, "date")])
                zones.add(r.cells[read.at(r, "zone")])
                if read.is_conversion(r) and read.moves(r):
                    conversion_ids.add(read.cell(r, "id"))
                elif col["ref"] is not None and read.is_update(r) and read.moves(r):
                    read.updated.add(read.cell(r, "ref"))
        read.comma = uses_decimal_comma(amount_cells(), t.path)
        read.day = self.source.date_format or dates.format(t.path, header=t.header, zones=zones, notes=out.notes,
                                                           before=self.dates_before)
        out.date_order = None if self.source.date_format else dates.own_order
        return read, conversion_ids


@dataclass
class _Reader:
    """A PayPalRow from a row, the file's conventions decided."""
    path: str
    header: list[str]
    col: dict[str, int | None]
    comma: bool
    day: str
    timezone: str
    either: dict[str, tuple[int, ...]] = field(default_factory=dict)   # roles of two columns: the first filled
    updated: set[str] = field(default_factory=set)   # the ids an update row moves the money of (UPDATES)
    own: ZoneDayEnd = field(default_factory=ZoneDayEnd)   # the rows' instants in their own zone

    def cells(self, row) -> dict[str, str]:
        """The row's cells by role, cleaned ("" for a column the file leaves out)."""
        out = {role: clean(row.cells[at]) if at is not None else "" for role, at in self.col.items()}
        for role, at in self.either.items():
            out[role] = clean(row.cells[filled_at(row.cells, at)])
        return out

    def at(self, row, role: str) -> int | None:
        """The column of a row's cell of a role (of two, the one it fills)."""
        return filled_at(row.cells, self.either[role]) if role in self.either else self.col[role]

    def cell(self, row, role: str) -> str:
        at = self.at(row, role)
        return clean(row.cells[at]) if at is not None else ""

    def column(self, row, role: str) -> str:
        """The header of a row's cell of a role, for its errors (the role where the file
        leaves the column out)."""
        at = self.at(row, role)
        return self.header[at] if at is not None else role

    def is_conversion(self, row) -> bool:
        return KIND_OF_TYPE.get(type_key(self.cell(row, "type"))) == "conversion"

    def is_update(self, row) -> bool:
        return type_key(self.cell(row, "type")) in UPDATES

    def status(self, words: str, impact: str, line: int) -> tuple[str, str]:
        """(BOOKED, PENDING or NO_MONEY; the words shown for it) of a row's Status and
        Balance Impact cells, cleaned. A download says every row's status: an empty one
        is refused, not read as completed (the statement CSV, without the column, is)."""
        if not words and self.col["status"] is not None:
            raise StatementError(self.path, line, "column Status: empty (expected the row's status: one of "
                                 f"{', '.join(sorted(STATUS_OF))})")
        status, label = status_of(words, self.path, line), words or "Completed"
        if name_key(impact) in MEMO and status != NO_MONEY:  # the file says the balance did not move
            status, label = NO_MONEY, f"{label}, Balance Impact {impact}"
        return status, label

    def moves(self, row) -> bool:
        """Whether a row's status moves money: its two cells alone (the first pass asks it
        of every conversion row, before any row is read whole)."""
        words, impact = self.cell(row, "status"), self.cell(row, "impact")
        try:
            return self.status(words, impact, row.line)[0] != NO_MONEY
        except StatementError:
            return False   # raised as the row is read

    def _stamp(self, c: dict, row) -> dt.datetime:
        """The row's Date and Time as written (its TimeZone's)."""
        return parse_datetime(f"{c['date']} {c['time']}", (f"{self.day} %H:%M:%S", f"{self.day} %H:%M", *YEAR_FIRST),
                              self.path, row.line, f"{self.column(row, 'date')} and {self.column(row, 'time')}")

    def written_day(self, row) -> dt.date | None:
        """The day a row is dated as written; None where it cannot be read (its error is
        said where the row is read whole)."""
        try:
            return self._stamp(self.cells(row), row).date()
        except StatementError:
            return None

    def __call__(self, row) -> PayPalRow:
        col, path, line = self.col, self.path, row.line
        c = self.cells(row)

        def amount(role: str) -> Decimal:
            # A row that moves money says its Gross and Net: an empty one is refused, never 0.00.
            # In a currency PayPal holds whole, `12.500` is thousands in any locale.
            needed = role in ("gross", "net") and col[role] is not None and status != NO_MONEY
            return parse_amount(c[role] if needed else c[role] or "0", path, line, self.column(row, role),
                                decimal_comma=self.comma, whole=currency_places(currency, "paypal") == 0)

        if not c["id"]:
            raise StatementError(path, line, f"column {self.column(row, 'id')}: expected the transaction id, "
                                 "got nothing")
        stamp = self._stamp(c, row)
        zoned = note_offset(stamp.replace(tzinfo=zone_of(c["zone"], path, line)))
        self.own.add(zoned)
        when = local_time(zoned, self.timezone)
        status, label = self.status(c["status"], c["impact"], line)
        if c["id"] in self.updated and status != NO_MONEY:   # its Update row books the money (UPDATES)
            status, label = NO_MONEY, f"{label}, its update books it"
        if status == NO_MONEY and type_key(c["type"]) not in KIND_OF_TYPE:
            kind = "no-money"   # a Memo row (a German `Anforderung gesendet`, a request) whatever its type says
        else:
            kind = kind_of(c["type"], path, line, self.column(row, "type"))
        currency = currency_code(c["currency"], path, line, self.column(row, "currency"))
        gross = amount("gross")
        return PayPalRow(
            path, line, c["id"], when, kind, c["type"], status, label, currency,
            gross, amount("fee"), amount("net"), amount("balance") if c["balance"] else None,
            ref=c["ref"], name=c["name"], email=_other_party(c, gross),
            subject=c["subject"], invoice=c["invoice"], meta={"custom": c["custom"]})


def _other_party(cells: dict, gross: Decimal) -> str:
    """The email of whom the money came from or went to; none where the row names the
    account's own address on both sides (a release, a withdrawal returned: PayPal's own
    rows, which the Transaction Search response gives no payer either)."""
    if cells["email"] and cells["email"] == cells["to_email"]:
        return ""
    return cells["email"] if gross > 0 else cells["to_email"]
