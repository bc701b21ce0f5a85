"""Any bank's CSV statement, read through the column map in config.yaml.

Each line posts to the bank account against what explains it (banking.py): a
channel's payout, a config rule, or `Assets:Suspense`.

    2026-03-04 * "财付通支付科技有限公司" "微信提现" ^bank-…
      id: "20260304000123"
      Assets:Bank:ICBC              1234.50 CNY
      Assets:Transit:WeChat        -1234.50 CNY

Cells are separated by `,`, `;` (German and Dutch banks) or TAB (ABN AMRO): the one with
which a line holds the header (without a header, with which the first lines fit the
column positions). Amounts are written `1,002.90` or `1.002,90`: the file's first rows
decide (toolkit AmountReader), and a later amount written the other way is an error.

A `status` column (Revolut `State`, Sparkasse `Info`) says which lines are booked: each of
its values is listed under `statuses:` as booked or skipped (pending, declined, reverted:
they move no money yet), and an unlisted value is an error naming its line.

An amount is signed (money in positive; `positive_amounts: debit` for credit-card
statements that list spending as positive), in a credit and a debit column, or unsigned
with a `direction` column saying which way it went (交通银行 借贷 `借 Dr` / `贷 Cr`).
A Chinese bank's row may leave out its empty text cells at its end (农业银行: memo, payee,
detail, columns not read); a row cut off before another column is an error. A Western
bank writes every cell: a row short of one is an error naming its line, as the cell it
lacks may be any (one lost in the middle moves the balance under the amount's header).

The running balance column becomes a `balance` assertion for the start of the next
day, whatever order the statement lists its lines in, per currency where one file
mixes currencies (HSBC HK). Banks known by name (`type: icbc | cmb | boc | hsbc-hk |
td`) bring their column map with them (bank_presets.py); a file without a header is
read by column positions. Where a bank gives the amount in the transaction's own
currency beside the booked one (ICBC 交易金额 vs 记账金额), the booked amount is posted
and the other kept as `original-amount`. Total lines (ICBC `人民币合计`) are checked
against the rows: a difference is a note, not an error.

An `account_id` column (ABN AMRO's TXT download, Rabobank's CSV: the accounts chosen, each
row naming its own) makes `account_id` pick the bank's rows, the others counted as skipped:
two banks configured on one file each book their own (BankImporter.accounts_apart). A file
of several accounts without `account_id` is refused naming them, never booked into one.

A statement that writes its dates without a year (招商银行信用卡 `12/29`, preset
`cmb-credit`) takes it from the statement month its title names (`2024年01月`): a line of
a later month than the statement's is of the year before (_yearless_date). A
`date_format` with `%z` reads a time's offset: a time in UTC is dated in the books' zone
(toolkit books_time), one in the bank's own offset as written.

A `fee` column (Revolut's `Fee`) is a fee the bank charged beside the amount, not in it:
each non-zero one is a line of its own (`<id>/fee`, `fee: <memo>`), and the row's running
balance is after both. A file of foreign banks' habits reads as they write it: a
direction column the config leaves out beside unsigned amounts is refused naming it (ING
Netherlands `Af Bij`, Knab `CreditDebet`); one-cell section titles among the rows
(Schwab's `Posted Transactions`) and balance lines after them (Deutsche Bank's
`Kontostand`, comdirect's `Alter Kontostand`, 交通银行's `借方发生额合计` and `期末余额`, short
or padded across the row's cells) are said, not booked (toolkit read_statement), and a
closing balance or total among them that disagrees with the rows is said too
(_check_closing); a file without a header may have a title
line above its rows (BNP Paribas: the account, the day and the balance) with no date
and no amount where they stand (_rows_start).

A `ref` is a row's id. Rows that share one but say different things are different
lines (Wise before 2021: a transfer and its fee under one `TransferWise ID`): the file
is read again, holding those rows to the end, and each gets an id of its own
(_tell_apart). A row without a ref is known by a digest of what it says, its spacing
removed, counted (banking.LineIds.of): two identical transfers of one day, their
balances stepping, are two lines; a row that repeats the one before it with the running
balance unchanged is a copy, read and not booked (banking.Copies).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from decimal import Decimal

from beanclear.books.idset import Ids
from beanclear.importers.bank_presets import PRESETS, Preset
from beanclear.importers.banking import BankImporter, LastLine, LineIds, other_account, several_accounts, was
from beanclear.importers.base import (ZERO_AMOUNT, BalanceChain, Extraction, balance, closing_balances, compare_summary,
                                      next_day)
from beanclear.importers.toolkit import (DAY_CELL, DELIMITERS, ENCODINGS, MAX_ID, WESTERN_ENCODINGS, AmountReader,
                                         StatementError, books_time, clean, csv_rows, currency_code, direction_sign,
                                         header_delimiter, header_key, in_places, note_offset, parse_amount,
                                         parse_datetime, parse_magnitude, read_statement, sniff, whole_id, worded,
                                         writes_minus)

CHINESE_CURRENCIES = {"CNY", "HKD", "TWD", "MOP"}
AMOUNT_ROLES = ("amount", "debit", "credit", "balance", "original_credit", "original_debit", "fee")
# What else a row says beside its day, amounts and texts, in the columns that say it: a
# row that differs in one of them from the row before it copies no line (Copies).
COPY_ALSO = ("time", "original_credit", "original_debit", "original_currency", "status", "account_id")

# The text a Chinese bank may leave out of a row's end where it is empty (农业银行's 交易附言):
# a row cut off before any other column it reads is a broken file, not an empty cell.
DROPPABLE = ("memo", "payee", "detail")
CODED_AMOUNT = re.compile(r"^([A-Za-z]{3})\s+(\S.*)$")   # `CNY 123.18`: a currency code, then the amount
# Headers of a column saying which way an unsigned amount went (交通银行 借贷: 借 Dr / 贷 Cr;
# ING Netherlands `Af Bij`: Af / Bij; Knab `CreditDebet`: D / C; Swedbank's `D/K`;
# Volksbank's `Soll/Haben`: S / H).
DIRECTION_NAMES = ("借贷", "借贷标志", "借贷方向", "借贷标识", "收支方向", "交易方向", "Af Bij", "Af/Bij",
                   "CreditDebet", "Credit/Debet", "Debet/Credit", "Debit/Credit", "Credit/Debit", "D/C", "C/D",
                   "D/K", "Dr/Cr", "Cr/Dr", "Soll/Haben", "S/H")
DIRECTION_HEADERS = {header_key(h) for h in DIRECTION_NAMES}
CHINESE_NAME = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


class Importer(BankImporter):
    kind = "bank csv"

    @property
    def _preset(self) -> Preset | None:
        return PRESETS.get(self.source.type)

    @property
    def _by_position(self) -> bool:
        return all(isinstance(c, int) for c in self.source.columns.values())

    @property
    def _optional(self) -> set[str]:
        """Roles the preset marks optional, where config.yaml kept the preset's column."""
        preset = self._preset
        return {r for r in preset.optional if self.source.columns.get(r) == preset.columns.get(r)} if preset else set()

    @property
    def _header(self) -> list[str]:
        return [name for role, name in self.source.columns.items() if role not in self._optional]

    def mapped_header(self):
        # a preset's names are its own, not config.yaml's; positions are no header
        if self.source.type != "csv" or self._by_position:
            return None
        return self._mapped("banks", self.source.columns)

    @property
    def _row_needs(self) -> list[str]:
        return [name for role, name in self.source.columns.items() if role not in DROPPABLE]

    @property
    def _chinese_names(self) -> bool:
        return any(isinstance(name, str) and CHINESE_NAME.search(name) for name in self.source.columns.values())

    @property
    def _full_rows(self) -> bool:
        """Whether every row must have every cell of the header. A Chinese bank's export may
        leave out a row's empty text cells at its end (农业银行: 交易渠道, 交易附言), read as
        empty; a Western bank's export writes every cell, and in a row short of one the
        missing cell may be any (one lost in the middle moves the amount under the balance's
        header): an error naming its line, never a guess."""
        return not self._chinese_names

    @property
    def _latin_names(self) -> bool:
        """Column names with letters of a Western language past ASCII (`Begünstigter`,
        `Libellé`): the file is in UTF-8 or a Western code page, whatever its currency."""
        return any(isinstance(name, str) and any("\u00c0" <= ch <= "\u024f" for ch in name)
                   for name in self.source.columns.values())

    @property
    def _encodings(self) -> tuple[str, ...]:
        """The encodings a file is read in where config.yaml names none: UTF-8 or GB18030
        (else Windows-1252: text.ENCODINGS) for a bank with Chinese column names, or in
        CNY, HKD, TWD or MOP; UTF-8, else Windows-1252 (ING, Sparkasse, Nationwide write
        it), else Latin-1 for any other, and
        for one whose column names are German or French (`Begünstigter`: a DKB export read
        as GB18030 had no such header, whatever the currency config.yaml gives)."""
        chinese = self._chinese_names or (self.source.currency in CHINESE_CURRENCIES and not self._latin_names)
        return ENCODINGS if chinese else WESTERN_ENCODINGS

    def identify(self, filepath: str) -> bool:
        return self.matches(sniff(filepath, encoding=self.source.encoding, fallbacks=self._encodings)) \
            or super().identify(filepath)

    @property
    def accounts_apart(self) -> bool:
        """With an account column (ABN AMRO's export of several accounts), `account_id`
        picks its rows: banks configured on one file each book their own."""
        return "account_id" in self.source.columns

    def matches(self, head: str) -> bool:
        delimiter = self._delimiter(head)
        if delimiter is None:
            return False
        if not self.source.account_id:
            return True
        if "account_id" in self.source.columns:   # a row of its account among the first
            return any(self.is_mine(number) for number in self._head_accounts(head, delimiter))
        return self.source.account_id in head

    def _delimiter(self, head: str) -> str | None:
        """What separates the cells: `,`, `;` (German and Dutch banks) or TAB (ABN AMRO);
        the one with which a line holds the header, or without a header, with which the
        first lines fit the column positions. None: not this bank's file."""
        if not self._by_position:   # quoted headers too
            return header_delimiter(head, self._header)
        return next((d for d in DELIMITERS if self._rows_start(head, d) is not None), None)

    # Lines above the rows of a file without a header: BNP Paribas's account line (its name,
    # the day of the download and the balance), never more than a few.
    TITLE_LINES = 3

    def _rows_start(self, head: str, delimiter: str) -> int | None:
        """The line on which the rows of a file without a header start (1 where they start
        at once), where its first lines have the cells the column positions need, a date in
        the date column and amounts in the amount ones; None: not this bank's file. A line
        above them with neither a date in the date column nor an amount in an amount
        column is a title (BNP Paribas: `"Compte de chèques";…;09/01/2023;;20 000,10`):
        a line that could be a row is never one."""
        numbered = [(n, line) for n, line in enumerate(_whole_lines(head), 1) if line.strip()]
        for skip in range(min(self.TITLE_LINES, len(numbered) - 1) + 1):
            lines = [line for _, line in numbered[skip:skip + 5]]
            width = len(self._cells(lines[0], delimiter) or ()) if lines else 0
            if all(self._title_line(line, delimiter, width) for _, line in numbered[:skip]) \
                    and self._rows_fit(lines, delimiter):
                return numbered[skip][0]
        return None

    def _cells(self, line: str, delimiter: str) -> list[str] | None:
        try:
            return [clean(c) for row in csv_rows(line, "head", delimiter) for c in row.cells]
        except StatementError:
            return None

    def _title_line(self, line: str, delimiter: str, width: int) -> bool:
        """A line above the rows with no date in the date column and no amount in an
        amount column, and not as many cells as the rows (a header has as many: a file
        with a header is not one without)."""
        cells, columns = self._cells(line, delimiter), self.source.columns
        if cells is None or len(cells) == width:
            return False
        at = {role: cells[c - 1] for role, c in columns.items() if c <= len(cells) and cells[c - 1]}
        date = "date" in at and _reads(lambda: parse_datetime(at["date"], (self.source.date_format,), "head", 0, ""))
        amount = any(_reads(lambda: parse_amount(at[role], "head", 0, "", decimal_comma="," in at[role]))
                     for role in ("amount", "debit", "credit") if role in at)
        return not (date or amount)

    def _rows_fit(self, lines: list[str], delimiter: str) -> bool:
        """A file without a header is this bank's when its first lines have the cells the
        column positions need, a date in the date column and amounts in the amount ones."""
        columns = self.source.columns
        try:
            rows = list(csv_rows("\n".join(lines), "head", delimiter))
            for row in rows:
                cells = [clean(c) for c in row.cells]
                if len(cells) < max(columns.values()):
                    return False
                parse_datetime(cells[columns["date"] - 1], (self.source.date_format,), "head", 0, "date")
                for role in ("amount", "debit", "credit", "balance"):
                    if role in columns and cells[columns[role] - 1]:
                        parse_amount(cells[columns[role] - 1], "head", 0, role)
        except StatementError:
            return False
        return bool(lines)

    def parse(self, filepath: str) -> Extraction:
        out, repeated = self._read(filepath, None)
        if repeated:   # refs the file gives several rows (Wise's transfer and its fee): read again
            out, _ = self._read(filepath, repeated)
        return out

    def _read(self, filepath: str, shared: Ids | None) -> tuple[Extraction, Ids | None]:
        """The file booked, and (`shared` None) the refs it gives more than one row. The
        rows of the `shared` refs are held to the end, then booked with their ids told
        apart (_tell_apart): the first read, not knowing them, is done again."""
        bank, columns, preset = self.source, self.source.columns, self._preset
        what = preset.what if preset else f"{bank.name} bank statement (columns from config.yaml)"
        positions = self._by_position
        head = sniff(filepath, encoding=bank.encoding, fallbacks=self._encodings)
        delimiter = self._delimiter(head) or ","
        st = read_statement(filepath, () if positions else self._header, what, encoding=bank.encoding,
                            footer=preset.footer if preset else None,
                            columns=max(columns.values()) if positions else None, stream=True,
                            first_line=(self._rows_start(head, delimiter) or 1) if positions else 1,
                            needed=None if positions else self._row_needs, delimiter=delimiter,
                            fallbacks=self._encodings, full_rows=not positions and self._full_rows, bank_lines=True,
                            ids=[f"column {c}" if isinstance(c, int) else c for r, c in columns.items() if r == "ref"],
                            allow_empty=True)   # a day's download of a day without lines (blind27: ICBC daily)
        t, path = st.table, st.table.path
        # 招商银行信用卡: dates without a year; the title names the statement month
        yearless = not re.search(r"%[YyGcx]", bank.date_format)
        statement_month = _statement_month(st.preamble) if yearless else None
        positive = preset.positive_amounts if preset and preset.positive_amounts != "credit" \
            else bank.positive_amounts
        if positions:
            col = {role: at - 1 for role, at in columns.items()}
        else:
            col = {role: t.index(name, required=role not in self._optional) for role, name in columns.items()}
            col = {role: at for role, at in col.items() if at is not None}
        name = {role: f"column {c}" if isinstance(c, int) else c for role, c in columns.items()}
        if not positions:
            self._direction_named(t, col, name, head, delimiter)
        amounts = AmountReader(self._head_amounts(head, delimiter, col), path)   # 4,626.81 or 4.626,81
        formats = (bank.date_format,) if "%H" in bank.date_format else (   # Revolut: the time in date_format
            bank.date_format, bank.date_format + " %H:%M:%S", bank.date_format + " %H:%M",
            bank.date_format + " %H%M%S")   # 农业银行: 交易时间 123456
        out, balances, line_id = Extraction(), defaultdict(BalanceChain), LineIds()
        where = " or ".join(name[r] for r in ("amount", "credit", "debit") if r in name)
        moved: tuple[Decimal, Decimal] | None = None     # the last row's balance after it and before it
        last_line = LastLine()   # a last line without a line end must follow from the lines before it
        waiting: list[tuple[int, Decimal]] = []          # balance lines no row before them leads to
        totals: dict[str, dict[str, Decimal]] = {}
        refs, repeated = (Ids(), Ids()) if shared is None else (None, None)
        held: dict[str, list] = {}   # shared ref -> (what the row says, its entry) of its rows
        accounts: dict[str, bool] = {}   # the account column's numbers: whether each is this bank's
        coded = preset is not None and preset.currency_in_amount   # 交通银行信用卡 `CNY 123.18`
        rows = self.each(t.rows)
        for row in rows:
            def get(role: str) -> str:
                text = clean(row.cells[col[role]]) if role in col else ""
                return CODED_AMOUNT.sub(r"\2", text) if coded and role == "amount" else text

            if "account_id" in col and not self._own_row(get("account_id"), row.line, accounts, rows, col, path,
                                                          name, out):
                continue
            out.rows += 1
            if "status" in col:   # Revolut State, Sparkasse Info: a pending line is booked once it is booked
                status = get("status")
                role = bank.statuses.get(status)
                if role is None:
                    raise StatementError(path, row.line, f"column {name['status']}: status {status!r} is not listed "
                                         f"under banks.{bank.name}.statuses in config.yaml (expected one of "
                                         f"{', '.join(bank.statuses)})")
                if role == "skipped":
                    out.skip(f"status {status} (no money moved)")
                    continue
            stamp = get("date") + (" " + get("time") if get("time") else "")
            written = _yearless_date(stamp, formats, statement_month, path, row.line, name["date"]) if yearless \
                else parse_datetime(stamp, formats, path, row.line, name["date"])
            # a time in UTC (a date_format with %z) is dated in the books' zone
            when = books_time(note_offset(written), self.config.timezone) if written.tzinfo else written
            amount = self._amount(amounts, get, name, path, row.line, "amount", "credit", "debit")
            balance_only = amount is None and bool(get("balance"))   # Bank of America's `Beginning balance` line
            if amount is None and not balance_only:  # a signed-amount bank has no credit or debit column to name
                raise StatementError(path, row.line, f"expected an amount in {where}, got an empty cell")
            if balance_only:
                amount = Decimal(0)
                stated = amounts(get("balance"), path, row.line, name["balance"])
                if not (moved and stated in moved):   # the row before does not lead to it: the next must
                    waiting.append((row.line, stated))
            if "direction" in col and not balance_only:   # the direction column says which way, the amount its
                # size (parse_magnitude's rule, on the amount read above)
                amount = abs(amount) * direction_sign(get("direction"), path, row.line, name["direction"],
                                                      preset.directions if preset else None)
            elif positive == "debit" and "amount" in col:
                amount = -amount
            currency = currency_code(get("currency"), path, row.line, name["currency"]) if get("currency") \
                else bank.currency
            if coded:
                found = CODED_AMOUNT.match(clean(row.cells[col["amount"]]))
                if not found:
                    raise StatementError(path, row.line, f"column {name['amount']}: expected a currency code and an "
                                         f"amount like CNY 123.18, got {clean(row.cells[col['amount']])!r}")
                currency = currency_code(found.group(1), path, row.line, name["amount"])
            # Revolut's Fee: charged beside the amount, not in it (the balance after the row is after both)
            fee = amounts(get("fee"), path, row.line, name["fee"]) if get("fee") and not balance_only else Decimal(0)
            payee, memo, detail = get("payee"), get("memo"), get("detail")
            memo = f"{memo} / {detail}" if memo and detail and detail != memo else memo or detail
            ref = get("ref")
            ref = ref if ref.strip("0") else ""   # 农业银行 writes 0000000000 for every interest line: no ref
            if ref:   # not one Excel shortened: its digits lost, the line could never be found again
                ref = whole_id(ref, path, row.line, name["ref"], "a reference")
            after = amounts(get("balance"), path, row.line, name["balance"]) if "balance" in col and get("balance") \
                else None
            # the line before listed again, the balance not moving: a copy, no line of its own
            if line_id.copies.again(out, row.line, currency, (written, amount, fee, payee, memo, ref,
                                                              *(get(r) for r in COPY_ALSO)), amount - fee, after):
                continue
            sums = totals.setdefault(currency, {"credits": Decimal(0), "debits": Decimal(0)})
            sums["credits" if amount > 0 else "debits"] += abs(amount)
            sums["debits" if fee > 0 else "credits"] += abs(fee)
            # no bank ref: a digest of what the line says, not of its running balance (a line
            # the bank adds later, downloaded again, changes every balance after it: their
            # lines were booked a second time); its amount with the currency's places, as a
            # copy Excel saved again (`1234` for `1,234.00`) says it too; and the date written,
            # the same in any zone
            # (by what it says unspaced: a memo spaced otherwise is the same line; LineIds.of)
            meta = {"id": ref or line_id.of(written, (in_places(amount, currency), currency), (), (payee, memo))}
            if not ref:   # the id releases before gave it: of its texts as written
                meta["_was"] = was(meta["id"], line_id.former(written, in_places(amount, currency), payee, memo))
            original = self._amount(amounts, get, name, path, row.line, None, "original_credit", "original_debit")
            if original is not None and get("original_currency"):
                original_currency = currency_code(get("original_currency"), path, row.line, name["original_currency"])
                if (original, original_currency) != (amount, currency):
                    # the 交易 amount; the 记账 amount is booked
                    meta["original-amount"] = f"{in_places(original, original_currency)} {original_currency}"
            if after is not None:
                balances[currency].append((when, row.line, amount - fee, after))
                if not balance_only:
                    moved = (after, after - amount + fee)   # this row's balance after it, and before it
                    last_line.step(row, currency, amount - fee, after,
                                   get("amount") or get("credit") or get("debit"), path)
                    if waiting:
                        self._balance_lines_follow(waiting, moved, path, where)
            day = when if get("time") else when.date()
            booked = []   # (what the line says, its entry): the row's amount, and its fee as a line of its own
            if amount == 0:
                out.skip("balance line without an amount" if balance_only else ZERO_AMOUNT)
            else:
                booked.append(((payee, memo), self.bank_line(path, row.line, day, amount, currency, payee, memo,
                                                              meta)))
            if fee:
                fee_memo = f"fee: {memo}" if memo else "fee"
                fee_was = tuple(f"{former}/fee" for former in meta.get("_was") or ()) or None
                booked.append(((payee, fee_memo), self.bank_line(path, row.line, day, -fee, currency, payee,
                                                                  fee_memo, {"id": f"{meta['id']}/fee",
                                                                             "_was": fee_was})))
            if booked and ref and shared is None and not refs.add(ref):
                repeated.add(ref)
            for text, entry in booked:
                if ref and shared is not None and ref in shared:
                    held.setdefault(ref, []).append((text, entry))
                else:
                    out.entries.append(entry)
        self._balance_lines_follow(waiting, None, path, where)
        for _ in st.titles:   # Schwab's `Posted Transactions`: one cell, no digit
            out.skip("section title line")
        for _ in st.preamble if positions else ():   # BNP Paribas's account line above its rows
            out.skip("title line above the rows (no date, no amount)")
        for row in st.closing:   # Deutsche Bank's `Kontostand;28.2.2026;;;3.882,54;EUR`: after the rows
            out.notes.append(f"line {row.line}: {' '.join(c for c in map(clean, row.cells) if c)}: a balance line "
                             "after the rows, not a statement line (not booked)")
        _check_closing(out, st.closing, amounts, totals, balances, path, col)
        out.entries += sorted((e for rows in _tell_apart(held, path) for e in rows), key=lambda e: e.meta["lineno"])
        for currency, rows in sorted(balances.items()):  # per currency: one file may hold several
            for day, (line, amount) in sorted(closing_balances(rows).items()):
                out.entries.append(balance(path, line, next_day(day), bank.account, amount, currency))
        self._check_totals(out, st.footer, col, path, totals)
        if not out.rows:   # the header alone: it moves no money, and covers only a period its preamble states
            out.notes.append("no rows below the header: nothing to book (a day without lines, or a download cut "
                             "after its header)")
        return out, repeated

    def _direction_named(self, t, col: dict[str, int], name: dict[str, str], head: str, delimiter: str) -> None:
        """A file with a direction column (交通银行 `借贷`: `借 Dr` / `贷 Cr`; ING Netherlands
        `Af Bij`; Knab `CreditDebet`) writes its amounts unsigned: read as a signed `amount`
        without `direction:`, every debit would be booked as money in (a config `beanclear
        init` guessed from the header names did). Refused, saying what to add, rather than
        guessing; with `direction:` signed amounts read too. An amount column whose first
        rows write a minus is signed already (HSBC Hong Kong's card export beside its
        `Credit / Debit`): read as it is."""
        if "amount" not in col or "direction" in col:
            return
        cell = next((c for c in t.header if header_key(c) in DIRECTION_HEADERS), None)
        if cell is None or any(writes_minus(text)
                               for _, text in self._head_amounts(head, delimiter, {"amount": col["amount"]})):
            return
        raise StatementError(t.path, t.header_line, f"column {clean(cell)} says which way each amount in "
                             f"{name['amount']} went, and columns: in config.yaml does not name it: add "
                             f"`direction: {clean(cell)}`")

    def _own_row(self, number: str, line: int, accounts: dict[str, bool], rows, col: dict[str, int], path: str,
                 name: dict[str, str], out: Extraction) -> bool:
        """Whether a row of a file with an account column (ABN AMRO: the account of each
        row) is of this bank's account: its `account_id`'s rows are, the others' are counted
        as skipped. A file of several accounts without `account_id` is refused naming them
        all (the rest of the file read for their numbers), and so is a row without one.
        `accounts`: the numbers seen so far, and whether each is this bank's."""
        mine = accounts.get(number)
        if mine is None:
            if not number:
                raise StatementError(path, line, f"column {name['account_id']}: no account number (expected the "
                                     "account the row is of)")
            if accounts and not self.source.account_id:
                numbers = {*accounts, number}
                for row in rows:
                    numbers.add(clean(row.cells[col["account_id"]]))
                raise several_accounts(path, line, numbers - {""})
            mine = accounts[number] = self.claims(number, out)
        if not mine:
            other_account(out, number, 1)
        return mine

    def _head_rows(self, head: str, delimiter: str):
        """(line, cells) of the first rows of the file below its header (the header's own
        cells first, as line 0, where it has one)."""
        lines = _whole_lines(head.lstrip("\ufeff"))
        wanted = None if self._by_position else {header_key(h) for h in self._header}
        for number, cells in enumerate(csv.reader(lines, delimiter=delimiter, strict=False), 1):
            if wanted is not None:   # the preamble says nothing of the rows
                if wanted <= {header_key(c) for c in cells}:
                    wanted = None
                    yield 0, cells
                continue
            yield number, cells

    def _head_amounts(self, head: str, delimiter: str, col: dict[str, int]):
        """(row, text) of the amount cells in the first rows of the file (below its header):
        what decides whether it writes a decimal comma."""
        at = [c for role, c in col.items() if role in AMOUNT_ROLES]
        for number, cells in self._head_rows(head, delimiter):
            for c in at if number else ():
                if c < len(cells) and any(ch.isdigit() for ch in cells[c]):
                    yield number, cells[c]

    def _head_accounts(self, head: str, delimiter: str):
        """The account column's cells in the first rows of the file."""
        named = self.source.columns["account_id"]
        at = named - 1 if isinstance(named, int) else None
        for number, cells in self._head_rows(head, delimiter):
            if not number:   # the header: where the account column is
                at = next((i for i, c in enumerate(cells) if header_key(c) == header_key(named)), None)
            elif at is not None and at < len(cells) and clean(cells[at]):
                yield clean(cells[at])

    @staticmethod
    def _balance_lines_follow(waiting: list, moved: tuple | None, path: str, where: str) -> None:
        """A row with a balance and no amount (Bank of America's `Beginning balance as of`)
        moves nothing only where a row next to it has that balance before or after it;
        else its amount is missing, an error naming it."""
        for line, stated in waiting:
            if moved is None or stated not in moved:
                raise StatementError(path, line, f"expected an amount in {where}, got an empty cell (its balance "
                                     f"{stated} is not the one next to it: not a balance line)")
        waiting.clear()

    @staticmethod
    def _amount(amounts, get, name, path, line, signed, credit_role, debit_role) -> Decimal | None:
        """A signed amount from its column, or from a credit and a debit column (unsigned,
        or signed as some banks write them: the column says the direction)."""
        if signed and get(signed):
            return amounts(get(signed), path, line, name[signed])
        credit, debit = get(credit_role), get(debit_role)
        if credit and debit:
            raise StatementError(path, line, f"both {name[credit_role]} and {name[debit_role]} are filled "
                                 "(expected one of them)")
        if credit:
            return parse_magnitude(credit, path, line, name[credit_role], amounts)
        if debit:
            return -parse_magnitude(debit, path, line, name[debit_role], amounts)
        return None

    @staticmethod
    def _check_totals(out: Extraction, footer, col, path, totals) -> None:
        """Total lines (ICBC `人民币合计`: credits and debits under their columns) against the rows."""
        if not {"credit", "debit"} <= col.keys():
            return
        for row in footer:
            first = clean(row.cells[0])
            found = re.match(r"^(.+)合计$", first)
            if not (found or first.startswith("合计")) or len(row.cells) <= max(col["credit"], col["debit"]):
                continue
            # `人民币合计` names its currency; the card export's `合计金额` is of the one currency
            # its rows are booked in (of several, it cannot be told apart: not checked)
            if found:
                currency = currency_code(found.group(1), path, row.line, "合计")
            elif len(totals) == 1:
                currency = next(iter(totals))
            else:
                continue
            stated = {f"{currency} {k}": parse_amount(clean(row.cells[col[r]]) or "0", path, row.line, k)
                      for k, r in (("credits", "credit"), ("debits", "debit"))}
            actual = {f"{currency} {k}": v for k, v in totals.get(currency, {"credits": 0, "debits": 0}).items()}
            compare_summary(out, stated, actual)


# What a line after the rows states (its first cell, spaces and colons out): the closing
# balance (期末余额, Kontostand, closing balance), or a total of the rows, of a side (借方/贷方
# 发生额合计) or of both (合计, Total). A page's (本页合计, 小计), a count (笔数), an opening
# (期初余额, Alter Kontostand) or an available balance is not compared.
_CLOSING_BALANCE = re.compile(r"(期末|本期|当前|账户|月末|日终)?余额|(neuer|aktueller)?kontostand|(end|schluss)saldo|"
                              r"(closing|ending|ledger)?balance|solde", re.IGNORECASE)
_SIDE_TOTAL = re.compile(r"(人民币|外币|全部|累计|本期|本月)?(借方|贷方|收入|支出|存入|支取)(发生额|发生|总额|金额)?"
                         r"(合计|总计|总额)(金额)?|(借方|贷方)发生总额")
_TOTAL = re.compile(r"(人民币|外币|全部|累计|本期|本月|交易)?(发生额|发生|总额|金额)?(合计|总计)(金额)?|total|summe",
                    re.IGNORECASE)
_CREDIT_SIDE = ("贷方", "收入", "存入")


def _check_closing(out: Extraction, lines, amounts, totals: dict, balances: dict, path: str,
                   col: dict[str, int]) -> None:
    """The lines after the rows (read_statement's `closing`) against the rows: a closing
    balance against the balance after the last row (the last amount its line writes, not
    a day), a total against their sum (_totals_said: each amount of a line of totals is
    the total of the column it sits under). A difference is said as any statement's
    summary that disagrees with its rows is (compare_summary): a footer's `合计 9999.00` and
    `期末余额 99999.00` under rows of 1200.00 ending at 2200.00 were passed over. A plain 合计
    may be the rows' net or their turnover (交通银行's, of two debits, is their sum): either
    agrees. Not compared in a file of several currencies, nor a balance without its column."""
    if len(totals) != 1:
        return
    currency, sums = next(iter(totals.items()))
    closing = closing_balances(balances[currency]) if balances.get(currency) else {}
    net = sums["credits"] - sums["debits"]
    stated, actual = {}, {}
    for row in lines:
        at = worded(row.cells)
        word = re.sub(r"[\s:：.]+", "", clean(row.cells[at]))
        if _CLOSING_BALANCE.fullmatch(word) and closing:
            said = _last_amount(row.cells[at + 1:], amounts, path, row.line)
            if said is not None:
                key = f"{currency} closing balance"
                stated[key], actual[key] = said, closing[max(closing)][1]
            continue
        if _SIDE_TOTAL.fullmatch(word):
            side = "credits" if any(w in word for w in _CREDIT_SIDE) else "debits"
        elif _TOTAL.fullmatch(word) and not word.startswith("人民币" if currency != "CNY" else "外币"):
            side = None
        else:
            continue
        for what, said in _totals_said(row, at, side, col, amounts, path).items():
            key, rows = f"{currency} {what}", [net, abs(net), sums["credits"] + sums["debits"]] if what == "total" \
                else [sums[what]]
            stated[key], actual[key] = said, next((r for r in rows if r == said), rows[0])
    compare_summary(out, stated, actual)


def _totals_said(row, word: int, side: str | None, col: dict[str, int], amounts, path: str) -> dict[str, Decimal]:
    """What a line of totals after the rows states: {"debits" | "credits" | "total": amount}.
    Where its amounts sit under the rows' amount columns, each is the total of the column
    it sits under: 交通银行's `借方发生额合计,,,"3,000.00","5,000.00",,` writes the debit total
    under 借方发生额 and the credit total beside it under 贷方发生额 (blind9: read as "debits
    5000.00", the last amount, and said to disagree with rows it agreed with); the one under
    a signed amount column is the total its word names, and a balance under 余额 is no
    total. A line whose word names one side and that states one amount (`贷方发生额合计,0笔,
    0.00`) is that side's total, wherever it stands. Elsewhere (a short line,
    `借方发生额合计,2笔,"12,100.00"`, whose cells are not under the rows' columns), the
    last amount is the total its word names. `word`: the cell the word stands in
    (tables.worded); `side`: the side it names, or None."""
    found: dict[int, Decimal] = {}
    for at, cell in enumerate(row.cells[word + 1:], word + 1):
        text = clean(cell)
        if not text or DAY_CELL.fullmatch(text):
            continue
        try:
            found[at] = amounts(text, path, row.line, "")
        except StatementError:
            continue   # a count (`2笔`), a word
    money = {at: role for role, at in col.items() if role in AMOUNT_ROLES}
    under = {money[at]: value for at, value in found.items() if at in money}
    said: dict[str, Decimal] = {}
    if found and len(under) == len(found):   # every amount of the line under an amount column
        if side is None or {"debit", "credit"} <= under.keys():
            said.update((what, abs(under[role])) for role, what in (("debit", "debits"), ("credit", "credits"))
                        if role in under)
            if "amount" in under:
                said[side or "total"] = under["amount"]
        else:
            one = [abs(under[role]) if role != "amount" else under[role] for role in ("debit", "credit", "amount")
                   if role in under]
            if len(one) == 1:
                said[side] = one[0]
    if said:
        return said
    last = _last_amount(row.cells[word + 1:], amounts, path, row.line)
    return {} if last is None else {side or "total": last}


def _last_amount(cells, amounts, path: str, line: int) -> Decimal | None:
    """The last cell of a line after the rows that reads as an amount and is no day
    (`借方发生额合计,2笔,"12,100.00"` states 12100.00; `Kontostand;28.2.2026;;;3.882,54;EUR`
    3882.54), or None."""
    for cell in reversed([clean(c) for c in cells]):
        if not cell or DAY_CELL.fullmatch(cell):
            continue
        try:
            return amounts(cell, path, line, "")
        except StatementError:
            continue
    return None


def _tell_apart(held: dict[str, list], path: str):
    """The entries of the rows that share a ref, each with an id of what it is: Wise's
    statements before 2021 give a transfer and its fee (`Wise Charges for: TRANSFER-…`)
    one `TransferWise ID`. Of rows that say different things (payee and memo), those
    that move the most money keep the ref (the transfer), and each other is the ref and
    a digest of what it says (`TRANSFER-2308077507/3f9a1c2b`): ids that do not depend on
    the order the file lists them in, so that a statement overlapping this one finds
    them again. Rows that say the same keep one id: a row repeated exactly is booked
    once, and the same line with other amounts is refused (once_per_id)."""
    for ref, rows in held.items():
        digests = {text: hashlib.sha1("|".join(text).encode()).hexdigest()[:8] for text, _ in rows}
        most = {}
        for text, entry in rows:
            most[text] = max(most.get(text, 0), abs(entry.postings[0].units.number))
        first = min(digests, key=lambda text: (-most[text], digests[text]))
        for text, entry in rows:
            if text != first:
                entry.meta["id"] = f"{ref}/{digests[text]}"
                if len(entry.meta["id"]) > MAX_ID:
                    raise StatementError(path, entry.meta["lineno"], f"ref {ref[:40]}…: longer than {MAX_ID - 9} "
                                         "characters, the most a ref that several rows share can be")
        yield [entry for _, entry in rows]


def _statement_month(preamble) -> tuple[int, int] | None:
    """(year, month) a statement's title names: `招商银行信用卡对账单（个人消费卡账户 2024年01月）`."""
    for row in preamble:
        found = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月", " ".join(row.cells))
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def _yearless_date(stamp: str, formats: tuple[str, ...], statement_month: tuple[int, int] | None, path: str,
                   line: int, column: str):
    """The date of a line written without its year (招商银行信用卡 `12/29`): of the year of
    the statement month, or of the year before for a later month (a December line on a
    January statement). A cell that writes its year (`20240115`, `2024-01-15`) is read as
    it is; without a statement month above the header a year-less date is an error."""
    if re.fullmatch(r"\d{8}|\d{4}[-/]\d{1,2}[-/]\d{1,2}", stamp.split(" ")[0]):
        return parse_datetime(stamp, ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d"), path, line, column)
    if statement_month is None:
        raise StatementError(path, line, f"column {column}: {stamp!r} has no year, and no statement month "
                             "(like 2024年01月) was found above the header to take it from")
    with_year = tuple(f"%Y {f}" for f in formats)
    try:
        month = parse_datetime(f"2000 {stamp}", with_year, path, line, column).month   # a leap year: 02/29 reads
    except StatementError:
        parse_datetime(stamp, formats, path, line, column)   # the error, naming the cell as written
        raise
    year = statement_month[0] if month <= statement_month[1] else statement_month[0] - 1
    return parse_datetime(f"{year} {stamp}", with_year, path, line, column)


def _reads(read) -> bool:
    """Whether `read()` reads its cell (no StatementError)."""
    try:
        read()
    except StatementError:
        return False
    return True


def _whole_lines(head: str) -> list[str]:
    """The lines of a file's head (sniff) but the last where the head cuts it off."""
    lines = head.splitlines()
    return lines if head.endswith(("\n", "\r")) else lines[:-1]
