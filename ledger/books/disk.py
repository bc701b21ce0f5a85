"""The books on disk (DESIGN.md §2) and how new entries get into them.

    books/main.beancount          options, plugins, includes: written once, then the user's
    books/accounts.beancount      `open` directives the config implies; new ones appended
                                  (none that a file the books include opens already)
    books/prices.beancount        reference FX rates
    books/<source>/<YYYY>/<YYYY-MM>.beancount   what the importers wrote

New entries are inserted as whole blocks between the blocks already in a month file,
at their place in (date, balance-first, time, id) order, above the comment lines a person
wrote directly above an entry (attached: its note stays with it). Nothing already in a file is
rewritten or re-indented, so a person's edits survive and an import's `git diff` shows
only added lines. Knowing what is already there needs no Beancount parse: the `id:`
lines and `balance` lines of the source's own folder, and the `id:` lines of the files of
a person's own the books include (an imported entry moved there by hand: Books.by_hand).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from beanclear.books import render
from beanclear.books.lines import (  # noqa: F401  (the patterns are part of this module's interface)
    ENTRY_START, ENTRY_END, ID_LINE, ORDER_LINE, COVERS_LINE, BALANCE_LINE, BALANCE_AMOUNT, meta_line, posting_to,
    balance_parts, PRICE_LINE, TIME_LINE, COVERAGE_BLOCK, DIGEST_META, TEXT_META, DATES_META, STATEMENT_META, COVERAGE_MARK, ACCOUNT_META,
    FORMAT_META, PAYOUTS_NO, OPEN_LINE, POSTED_LINE, INCLUDE_LINE, _same_setting, _unescape, id_money)

if TYPE_CHECKING:
    from beanclear.books.idset import Ids, ViewIds
    from beanclear.books.spill import Sorted

OPEN_DATE = "2000-01-01"
# a posting's account and currency: `  Assets:Clearing:PayPal   -100.00 USD` (Books.day_rows)
POSTING_UNITS = re.compile(r"^[ \t]+(?:[!*][ \t]+)?([A-Z][^\s;:]*(?::[^\s;]+)+)[ \t]+-?[\d.,]+[ \t]+"
                           r"([A-Z][A-Z0-9'._-]*)", re.M)
KEEP_TEXT = 16 * 2**20   # characters of month files Books keeps once read, all together (_read)
@dataclass
class Books:
    root: Path
    _texts: dict = field(default_factory=dict, repr=False, compare=False)   # _read()'s
    _held: dict = field(default_factory=dict, repr=False, compare=False)    # _scan()'s statements
    # source name -> the accounts config.yaml gives it (Config.source_accounts): which
    # sources an entry of a person's own file is of (kept_by_hand); without them, none's
    accounts: dict = field(default_factory=dict, repr=False, compare=False)
    _own: list | None = field(default=None, repr=False, compare=False)        # own_files()'s
    _by_hand: list | None = field(default=None, repr=False, compare=False)
    _kept: dict = field(default_factory=dict, repr=False, compare=False)    # kept_by_hand()'s, per source
    # source name -> the account its statements state the balance of (Config.stated_accounts):
    # known() keeps with each id what its entry moves there (books/same_rows.py)
    stated: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def main(self) -> Path:
        return self.root / "main.beancount"

    # -- what is there ---------------------------------------------------------------

    def source_files(self, source: str) -> list[Path]:
        return sorted((self.root / source).glob("*/*.beancount"))

    def month_files(self) -> set[Path]:
        """Every source's month files (books/<source>/<YYYY>/<file>.beancount): what the
        importers wrote. Any other file the books include is a person's own."""
        return set(self.root.glob("*/*/*.beancount"))

    def is_source_file(self, source: str, path: Path) -> bool:
        """Whether `path` is one of the source's month files (not a person's own file)."""
        return Path(path).parent.parent == self.root / source

    def own_files(self) -> list[Path]:
        """The files the books include other than the sources' month files (main.beancount,
        accounts.beancount, a person's own files), as Beancount follows the includes: found
        once per Books (a file, or main.beancount, changed since says so by its stamp)."""
        if self._own is None:
            from beanclear.books import included
            self._own = [path for path, _ in included.own_texts(self.main, self.month_files(), self._read)]
        return self._own

    def by_hand(self) -> list[Kept]:
        """The entries with an `id:` line in the files the books include other than the
        sources' month files (main.beancount, a person's own files, accounts.beancount):
        imported entries moved there by hand, keeping their `id:` line, are still in the
        books. Read once per Books, from their text (a person's files are small; the
        month files are never read here); the openings (`opening …`) left out."""
        if self._by_hand is None:
            out = []
            for path in self.own_files():
                if not path.is_file():   # removed since: its stamp says so
                    continue
                text, line, counted = self._read(path), 1, 0
                for found in ID_LINE.finditer(text):
                    ident = _unescape(found.group(1)) if "\\" in found.group(1) else found.group(1)
                    start = _block_start(text, found.start())
                    start += text[start:start + 1] == "\n"
                    end = ENTRY_END.search(text, found.end())
                    block = text[start:end.start() if end else len(text)]
                    if ident.startswith("opening ") or not ENTRY_START.match(block):
                        continue
                    line += text.count("\n", counted, start)
                    counted = start
                    covers = COVERS_LINE.search(block)
                    covered = render.covered(_unescape(covers.group(1))) if covers else []
                    out.append(Kept(ident, (ident, *covered), frozenset(POSTED_LINE.findall(block)), path, line,
                                    block, f"{Path(self.root.name) / os.path.relpath(path, self.root)}:{line}"))
            self._by_hand = out
        return self._by_hand

    def kept_by_hand(self, source: str) -> dict[str, Kept]:
        """Identity (render.identities: `id` and `covers`) -> the entry of by_hand() holding
        it, of the entries that are the source's: those posting to an account config.yaml
        gives it (`accounts`). Ids are per source: another source's id, or an entry of
        another source's month files, is not this one's."""
        kept = self._kept.get(source)
        if kept is None:
            own = self.accounts.get(source) or frozenset()
            kept = self._kept[source] = {identity: entry for entry in (self.by_hand() if own else ())
                                         if entry.accounts & own for identity in entry.identities}
        return kept

    def _read(self, path: Path) -> str:
        """A month file's (or a person's own file's: own_files) text, read once per Books: an
        import asks of the same files what they hold (ids), what they cover and what they
        post before a date. A Books lives
        for one command, under the lock, so the files cannot change meanwhile (importing.run
        reads the ids before the lock, and checks the files' stamps under it). A file past
        KEEP_TEXT characters is not kept: read again if asked again, as memory must not
        grow with the books."""
        text = self._texts.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8")
            # kept while all kept come to KEEP_TEXT characters: what is past it is read
            # again if asked again (a year of large months must not all be held)
            if len(text) + sum(map(len, self._texts.values())) <= KEEP_TEXT:
                self._texts[path] = text
        return text

    def _scan(self, path: Path, ids=None, view: tuple | None = None, stated: str | None = None) -> list[tuple]:
        """What known() and statements() read of one month file, from one read of it: its
        ids go into `ids` (an Ids) a piece at a time, never all in one list; the
        statements it records are kept (they are few) and returned. `view`: (key, Ids):
        the identities of the entries with a `key:` line (a fund view's, late_views.py)
        go into that Ids too, with the path of their file. `stated`: the account the source's
        statements state, each id kept with what its entry moves there (same_rows.held)."""
        held = []
        for text in self._pieces(path):
            if ids is not None and stated:   # same_rows.held() of each, written out (no call an id)
                ids.update_pairs((_unescape(i) if "\\" in i else i,
                                  (f"{n} {c} {_plain(v)}" if v else f"{n} {c}") if n else None)
                                 for i, v, n, c in id_money(stated).findall(text))
            elif ids is not None:
                ids.update(_unescape(m) if "\\" in m else m for m in ID_LINE.findall(text))
            if ids is not None:
                ids.update(c for m in COVERS_LINE.findall(text) for c in render.covered(_unescape(m) if "\\" in m else m))
            if ids is not None and stated:   # each balance with its amount (same_rows.py: one asserted otherwise)
                ids.update_pairs((f"balance {acc} {date} {currency}", number or None)
                                 for date, acc, number, currency in BALANCE_AMOUNT.findall(text))
            elif ids is not None:
                ids.update(f"balance {acc} {date} {currency}" for date, acc, currency in BALANCE_LINE.findall(text))
            if view is not None:
                _view_ids(text, path, *view)
            for block in COVERAGE_BLOCK.finditer(text):
                account, form = ACCOUNT_META.search(block.group(0)), FORMAT_META.search(block.group(0))
                held.append((dt.date.fromisoformat(block["first"]), dt.date.fromisoformat(block["last"]),
                             _unescape(account.group(1)) if account else None, form.group(1) if form else None))
        self._held[path] = held
        return held

    def _pieces(self, path: Path):
        """A month file's text, whole when Books keeps it (_read), else in pieces of about
        4 M characters that end where an entry does (before a line that starts
        with neither a space nor a tab): what the regexes of _scan find in the pieces is
        what they find in the whole. A large month file is never read whole."""
        if path in self._texts or path.stat().st_size <= KEEP_TEXT:
            yield self._read(path)
            return
        rest = ""
        with open(path, encoding="utf-8") as fh:
            while more := fh.read(min(KEEP_TEXT, 4 * 2**20)):   # 4 M characters a piece
                text = rest + more
                end = _last_entry_end(text)
                yield text[:end]
                rest = text[end:]   # the entry that may go on in what is not read yet
        yield rest

    def stamp(self, source: str) -> tuple:
        """(name, size, modification time) of each of a source's files, and of a person's
        own files the books include where it has accounts (by_hand): equal stamps, the
        same files as when known() read them (an import holds the lock only to write)."""
        out = []
        for path in self.source_files(source) + (self.own_files() if self.accounts.get(source) else []):
            try:
                stat = path.stat()
            except FileNotFoundError:   # a file of a glob removed since
                out.append((str(path), None, None))
                continue
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
        return tuple(out)

    def known(self, source: str, view: tuple | None = None) -> Ids:
        """Identities (render.identities: `id` and `covers`) of everything already in a source's
        files: a set, on disk past idset.LIMIT_IDS of them. `view`: (key, Ids) to fill
        from the same read with the identities of the entries that have a `key:` line
        (view_ids)."""
        from beanclear.books.idset import Ids   # the importer's: the checks import this module too
        out = Ids()
        for path in self.source_files(source):
            self._scan(path, out, view, self.stated.get(source))
        out.update(self.kept_by_hand(source))   # moved by hand into a file of a person's own
        return out

    def view_ids(self, source: str, key: str) -> ViewIds:
        """Identity -> the month file (its path, a str) of the entries of a source's files
        that have a `key:` metadata line: what the books hold as a channel's fund view
        (importers/base.py FundView, books/late_views.py). An identity two such entries
        hold is in its `twice`."""
        from beanclear.books.idset import ViewIds
        out = ViewIds()
        for path in self.source_files(source):
            for text in self._pieces(path):
                _view_ids(text, path, key, out)
        return out

    def blocks_of(self, source: str, wanted) -> Iterator[tuple[str, str]]:
        """(id, the entry's text) of the entries of a source's files whose id `wanted(id)`
        is true, and of its entries a person moved into a file of their own (kept_by_hand):
        what the books hold of them. Read as known() reads ids, a month file a piece at a
        time; only the blocks of the ids wanted are cut out."""
        for _, _, ident, block in self.entry_blocks(source, wanted, by_hand=True):
            yield ident, block

    def entry_blocks(self, source: str, wanted, by_hand: bool = False) -> Iterator[tuple[Path, int, str, str]]:
        """blocks_of() with where each entry is: (its month file, the line it starts on,
        its id, its text: from a line break before it, where one is). Only the month
        files, which an import may rewrite; with `by_hand`, the source's entries of a
        person's own files after them (a file no import rewrites: is_source_file tells)."""
        yield from self._month_blocks(source, wanted)
        if by_hand:
            for entry in dict.fromkeys(self.kept_by_hand(source).values()):
                if wanted(entry.ident):
                    yield entry.path, entry.line, entry.ident, entry.block

    def _month_blocks(self, source: str, wanted) -> Iterator[tuple[Path, int, str, str]]:
        for path in self.source_files(source):
            line = 1   # of where `counted` is in the piece
            for text in self._pieces(path):
                counted = 0
                for found in ID_LINE.finditer(text):
                    ident = _unescape(found.group(1)) if "\\" in found.group(1) else found.group(1)
                    if wanted(ident):
                        start = _block_start(text, found.start())
                        first = start + (text[start:start + 1] == "\n")
                        line += text.count("\n", counted, first)
                        counted = first
                        end = ENTRY_END.search(text, found.end())
                        yield path, line, ident, text[start:end.start() if end else len(text)]
                line += text.count("\n", counted)

    def orders_of(self, source: str, ids: set[str], by: str = "id", skip: tuple[str, ...] = ()) -> dict[str, str]:
        """Named id -> the `order-id` of the entry of a source's files whose `by` (its `id`,
        Stripe's `source-id`) it is, for those among `ids`, but the entries with a line of
        `skip` (they name another themselves): an entry's named one
        (statements/refund_orders.py). The last of an id wins."""
        out: dict[str, str] = {}
        for ident, block in (self.blocks_of(source, ids.__contains__) if by == "id" else
                             self._blocks_by(source, meta_line(by), ids)):
            order = ORDER_LINE.search(block)
            if order and not any(meta_line(key).search(block) for key in skip):
                out[ident] = _unescape(order.group(1))
        return out

    def naming(self, source: str, key: str, ids) -> Iterator[tuple[Path, str, str]]:
        """(its file, value, the entry's text) of a source's entries whose metadata `key`
        is among `ids` (Stripe's rows naming their charge by `charge-id`: books/rests.py)."""
        return self._blocks_by(source, meta_line(key), ids, where=True)

    def _blocks_by(self, source: str, line: re.Pattern, ids: set[str], where: bool = False) -> Iterator[tuple]:
        """(value, the entry's text) of the entries of a source's month files, and of its
        entries a person keeps in a file of their own, whose metadata `line` is among `ids`;
        with `where`, the file holding it first."""
        for path in self.source_files(source):
            for text in self._pieces(path):
                for found in line.finditer(text):
                    value = _unescape(found.group(1))
                    if value in ids:
                        end = ENTRY_END.search(text, found.end())
                        block = text[_block_start(text, found.start()):end.start() if end else len(text)]
                        yield (path, value, block) if where else (value, block)
        for entry in dict.fromkeys(self.kept_by_hand(source).values()):
            found = line.search(entry.block)
            if found and _unescape(found.group(1)) in ids:
                value = _unescape(found.group(1))
                yield (entry.path, value, entry.block) if where else (value, entry.block)

    def statements(self, source: str) -> list[tuple[dt.date, dt.date, str | None, str | None]]:
        """(first day, last day, account number or None, format or None) of every statement
        of a source the books record (statements/coverage.py), read from the text of its
        files."""
        out = []
        for path in self.source_files(source):
            held = self._held.get(path)
            out += held if held is not None else self._scan(path)
        return out

    def digests(self, source: str) -> dict[str, "Recorded"]:
        """The statements a source's coverage records (statements/coverage.py) name by the
        digest of their bytes, and by that of their text where it is another (`text:`, a
        file saved with CRLF, a BOM, in GBK: coverage.text_digest): digest -> Recorded (the
        first record of it), and by either with its name after a space (`<digest> <name>`:
        two quiet days' bills of one text, each named by its day). Found without
        reading the month files as text: a search for the coverage directive in their
        bytes, a few MB at a time (memory does not grow with the books), each record then
        read alone. Records without a digest (books written before it was recorded) are not
        in it."""
        out: dict[str, Recorded] = {}
        for digest, recorded in self.records(source):
            keys = (digest, recorded.text, f"{digest} {recorded.statement}", f"{recorded.text} {recorded.statement}")
            for key in keys if digest else ():
                if not key or key.startswith("None "):
                    continue
                was = out.setdefault(key, recorded)
                if was is not recorded and was.statement == recorded.statement:
                    # one file of several statements, a record for each run of them (coverage.parts):
                    # it covers their first day to their last
                    out[key] = replace(was, first=min(was.first, recorded.first),
                                       last=max(was.last, recorded.last))
        return out

    def records(self, source: str):
        """(digest or None, Recorded) of each coverage record of a source, in its files'
        order: every statement name it records, those of one bytes under two names too (two
        quiet days' bills alike), which digests() keeps one of."""
        for path in self.source_files(source):
            for raw in coverage_blocks(path):
                block = raw.decode("utf-8", errors="replace")
                found = COVERAGE_BLOCK.match(block)
                if not found:
                    continue
                digest, name = DIGEST_META.search(block), STATEMENT_META.search(block)
                where = str(Path(self.root.name) / path.relative_to(self.root))
                dates, text = DATES_META.search(block), TEXT_META.search(block)
                yield digest.group(1) if digest else None, Recorded(
                    _unescape(name.group(1)) if name else "", dt.date.fromisoformat(found["first"]),
                    dt.date.fromisoformat(found["last"]), where, dates.group(1) if dates else None,
                    PAYOUTS_NO.search(block) is None, text.group(1) if text else (digest.group(1) if digest else None),
                    digest.group(1) if digest else None)

    def dates_before(self, source: str) -> tuple[str, str] | None:
        """(order, statement) of the latest statement of a source, by the days it covers,
        whose own dates decided how its D/M/YYYY dates read (coverage.py, `dates:`)."""
        decided = [r for _, r in self.records(source) if r.dates]
        latest = max(decided, key=lambda r: (r.last, r.first), default=None)
        return (latest.dates, latest.statement) if latest is not None else None

    def openings(self) -> dict[tuple[str, str], dt.date]:
        """(account, currency) -> the date of every opening a statement implied
        (openings.Opening.ident)."""
        accounts = self.root / "accounts.beancount"
        text = accounts.read_text(encoding="utf-8") if accounts.exists() else ""
        out = {}
        for block in split_blocks(text)[1]:
            found = ID_LINE.search(block)
            ident = _unescape(found.group(1)) if found else ""
            if ident.startswith("opening ") and ident.count(" ") == 2 and ENTRY_START.match(block):
                out[tuple(ident.split(" ")[1:3])] = dt.date.fromisoformat(block[:10])
        return out

    def openings_moving(self) -> set[tuple[str, str]]:
        """(account, currency) of every opening a statement implied, as an import wrote it,
        that is worked back from a statement starting inside a day (`statement-starts:`):
        what an import books on the account before its first balance moves it
        (importing: `watch`, shift_openings)."""
        accounts = self.root / "accounts.beancount"
        text = accounts.read_text(encoding="utf-8") if accounts.exists() else ""
        if STARTS_KEY not in text:
            return set()
        blocks = split_blocks(text)[1]
        return {key for key in self.openings() if (written := _written_opening(blocks, *key)) and written[3]}

    def holds_opening(self, account: str) -> bool:
        """Whether accounts.beancount holds an opening of `account` (config.yaml's, `opening
        <account>`; a statement's, `opening <account> <currency>`)."""
        accounts = self.root / "accounts.beancount"
        text = accounts.read_text(encoding="utf-8") if accounts.exists() else ""
        return any(_unescape(ident).split(" ")[:2] == ["opening", account] for ident in ID_LINE.findall(text))

    def opening_named(self, account: str, currency: str) -> tuple[str, Decimal] | None:
        """(the statement it names, its amount) of the opening a statement implied of an
        account in a currency, as an import wrote it (a person's, or none: None). The
        statement is its name alone, without what the books held already."""
        accounts = self.root / "accounts.beancount"
        text = accounts.read_text(encoding="utf-8") if accounts.exists() else ""
        written = _written_opening(split_blocks(text)[1], account, currency)
        return (HELD_ALREADY.sub("", written[1]), written[2]) if written else None

    def opened(self, accounts) -> set[str]:
        """Those of `accounts` an `open` directive of any file the books include opens
        (books/included.py): a person's own file, main.beancount itself, a month file."""
        from beanclear.books import included
        return included.opened(self.main, accounts, self._pieces)

    def held(self, wanted: dict[tuple[str, str], dt.date]) -> dict[tuple[str, str], Decimal]:
        """(account, currency) -> what the books' files other than the sources' month files
        (a person's own, books kept before beanclear) hold on it at the end of a day
        (`wanted`: (account, currency) -> that day); see books/included.py."""
        from beanclear.books import included
        return included.held(self.main, wanted, self.month_files())

    def own_balances(self) -> set[tuple[str, str, str, Decimal]]:
        """(day, account, currency, amount) of the balances the books' files other than
        the sources' month files assert (a person's own, books kept before beanclear);
        see books/included.py. Not `close`'s month ends (periods.beancount): a statement
        imported after its month was closed writes its own assertion of a day the close
        asserted too, as it does imported before (blind24 outoforder: its line was only
        the close's, other bytes than in date order)."""
        from beanclear.books import included
        from beanclear.periods.closed import PERIODS_FILE
        return included.balances(self.main, self.month_files() | {self.root / PERIODS_FILE})

    def own_transactions(self, accounts) -> list:
        """The transactions of the books' files other than the sources' month files (a
        person's own, books kept before beanclear; accounts.beancount's openings too) that
        post to one of `accounts`, parsed by Beancount, each with its file and line: only
        a file whose text has a posting to one of them is parsed (statements/cut_over.py
        reads them)."""
        accounts = sorted(accounts)
        if not accounts:
            return []
        from beancount.core import data
        from beancount.parser import parser
        posting = re.compile(rf"^[ \t]+(?:[!*][ \t]+)?(?:{'|'.join(map(re.escape, accounts))})(?:[ \t;]|$)", re.M)
        wanted, out = set(accounts), []
        for path in self.own_files():
            if not path.is_file() or not posting.search(self._read(path)):
                continue
            parsed, _, _ = parser.parse_string(self._read(path), report_filename=str(path))
            out += [e for e in parsed if isinstance(e, data.Transaction) and any(p.account in wanted for p in e.postings)]
        return out

    def day_rows(self, source: str, wanted: set[tuple[str, str, dt.date]]) \
            -> dict[tuple[str, str, dt.date], list[tuple[str | None, list[str]]]]:
        """(account, currency, day) -> (`time:` or None, identities: `id` and `covers`) of
        each imported entry of a source's month files that posts to the account in the
        currency that day (of those `wanted`), read from the text of those days' month
        files a piece at a time (_pieces): the rows of a day a statement may not hold
        (late_balances.cut_off). A person's entry, without an `id:`, is none of them."""
        out: dict[tuple[str, str, dt.date], list[tuple[str | None, list[str]]]] = {}
        days: dict[str, dict[str, set[tuple[str, str]]]] = {}   # month -> day -> (account, currency)
        for account, currency, day in wanted:
            days.setdefault(f"{day:%Y-%m}", {}).setdefault(day.isoformat(), set()).add((account, currency))
        for month, of_days in days.items():
            path = self.month_file(source, month)
            if not path.is_file():
                continue
            head = re.compile(rf"^({'|'.join(map(re.escape, of_days))})[ \t]+(?:\*|!|txn|[A-Z#%&?])[ \t]", re.M)
            for text in self._pieces(path):
                for found in head.finditer(text):
                    end = ENTRY_END.search(text, found.end())
                    block = text[found.start():end.start() if end else len(text)]
                    ident = ID_LINE.search(block)
                    if ident is None:
                        continue
                    time = TIME_LINE.search(block)
                    row = (time.group(1) if time else None, _identities(block, ident))
                    day = found.group(1)
                    for units in dict.fromkeys(POSTING_UNITS.findall(block)):
                        if units in of_days[day]:
                            out.setdefault((*units, dt.date.fromisoformat(day)), []).append(row)
        return out

    def currencies_put_on(self, source: str, account: str) -> set[str]:
        """The currencies in which a source's month files put money on `account` (postings
        above zero), read from their text a piece at a time (_pieces): the currencies a
        channel's payouts went into its transit account in (statements/converted_credits.py)."""
        line = re.compile(rf"^[ \t]+(?:[!*][ \t]+)?{re.escape(account)}[ \t]+(\d[\d.]*)[ \t]+([A-Z][A-Z0-9'._-]*)",
                          re.M)
        return {currency for path in self.source_files(source) for piece in self._pieces(path)
                for number, currency in line.findall(piece) if Decimal(number) > 0}

    def postings_before(self, account: str, currency: str, date, since=None, own=()) -> tuple:
        """(sum, first date, sum left out) of what the sources' month files post to an
        account in a currency before a date, read from their text a piece at a time
        (_pieces): an opening must not count twice what an earlier import (a trade bill,
        say) already booked on the account. With `since`, what the files of the sources
        `own` (a channel's) post before that day, unless in flight into it (`fund-date:`,
        books/in_flight.py), is the sum left out (statements/openings.py: what a trade
        view books before the channel's payouts' statements). (Split into blocks whole, a
        month of 100,000 payments held its text twice over: blind19 scale's March import
        peaked at 325 MiB.)"""
        before = date.isoformat()   # ISO days compare as their text does
        plain, funded = _account_pattern(account, currency), _account_pattern(account, currency, funded=True)
        total, left, first, counts, head, inside = Decimal(0), Decimal(0), None, False, None, False
        for path in sorted(self.root.glob("*/*/*.beancount")):
            floor = since.isoformat() if since is not None and path.parent.parent.name in own else ""
            line = funded if floor else plain
            for piece in self._pieces(path):
                for found in line.finditer(piece):
                    day, kind, number = found.group(1, 2, 3)
                    if day is not None:
                        counts = day < before and kind != " balance "
                        if counts:
                            dt.date.fromisoformat(day)   # (a head that is no day is refused, as before)
                            head, inside = day, day >= floor
                    elif number is None:   # its fund-date: in flight into the days from `since`
                        inside = inside or found.group(4) >= floor
                    elif counts and inside:
                        total += Decimal(number)
                        first = min(first or head, head)
                    elif counts:
                        left += Decimal(number)
        return total, dt.date.fromisoformat(first) if first else None, left

    def held_at_start(self, source: str, account: str, currency: str, date) -> tuple | None:
        """(the latest balance a source's month files assert of an account in a currency at
        or before a date, of that month or the one before, with its day; what they post to
        it from that day to the date), or None where they assert none then: what the books
        hold at the start of the date by the source's own files."""
        lines = [line for path in self._month_files(source, date.replace(day=1) - dt.timedelta(days=1), date)
                 for line in self._account_lines(path, account, currency)]
        asserted = max(((day, number) for day, balance, number in lines if balance and day <= date), default=None)
        if asserted is None:
            return None
        return asserted, sum((number for day, balance, number in lines
                              if not balance and asserted[0] <= day < date), Decimal(0))

    def moved_between(self, source: str, account: str, currency: str, first, date) -> Decimal:
        """What a source's month files post to an account in a currency from `first` to the
        day before `date`."""
        return sum((number for path in self._month_files(source, first, date)
                    for day, balance, number in self._account_lines(path, account, currency)
                    if not balance and first <= day < date), Decimal(0))

    def asserted_between(self, source: str, account: str, currency: str, first, last) -> list:
        """(day, number) of the balances a source's month files assert of an account in a
        currency from `first` to `last`."""
        return [(day, number) for path in self._month_files(source, first, last)
                for day, balance, number in self._account_lines(path, account, currency)
                if balance and first <= day <= last]

    def account_rows(self, source: str, account: str, currency: str, first, last) -> list:
        """(day, identities, what it posts) of each imported entry of a source's month files
        from `first` to `last` that posts to an account in a currency."""
        posting = re.compile(rf"^[ \t]+(?:[!*][ \t]+)?{re.escape(account)}[ \t]+(-?[\d.]+)[ \t]+"
                             rf"{re.escape(currency)}\b", re.M)
        head = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]+(?:\*|!|txn)[ \t]", re.M)
        out = []
        for path in self._month_files(source, first, last):
            for text in self._pieces(path):
                for found in head.finditer(text):
                    day = dt.date.fromisoformat(found.group(1))
                    end = ENTRY_END.search(text, found.end())
                    block = text[found.start():end.start() if end else len(text)]
                    ident = ID_LINE.search(block) if first <= day <= last else None
                    if ident is None:
                        continue
                    moved = sum((Decimal(n) for n in posting.findall(block)), Decimal(0))
                    if moved:
                        out.append((day, _identities(block, ident), moved))
        return out

    def _month_files(self, source: str, first, last) -> list[Path]:
        """A source's month files of the months from `first` to `last`, those there are."""
        out, month = [], first.replace(day=1)
        while month <= last:
            path, month = self.month_file(source, f"{month:%Y-%m}"), (month + dt.timedelta(days=31)).replace(day=1)
            if path.is_file():
                out.append(path)
        return out

    def _account_lines(self, path: Path, account: str, currency: str):
        """(day, whether a balance assertion, number) of each posting to an account in a
        currency, and of each balance assertion of it, in a month file's text."""
        line, head, kind = _account_pattern(account, currency), None, None
        for piece in self._pieces(path):
            for found in line.finditer(piece):
                day, kind_text, number = found.groups()
                if day is not None:
                    head, kind = dt.date.fromisoformat(day), kind_text
                    if kind == " balance ":
                        parts = balance_parts(piece[found.start():piece.find("\n", found.start())])
                        if parts is not None and parts[1] == account and parts[2] == currency:
                            yield head, True, parts[3]
                elif head is not None and kind != " balance ":
                    yield head, False, Decimal(number)

    # -- what to write ---------------------------------------------------------------

    def skeleton(self, config) -> dict[Path, str]:
        """main.beancount, accounts.beancount and prices.beancount as they must be: the
        files that do not exist yet, and `open` lines for accounts the config gained."""
        changes: dict[Path, str] = {}
        config_path = Path(_relative(config.path, self.root))
        statements = Path(_relative(config.root / "statements", self.root))
        main = MAIN_TEMPLATE.format(
            title=render.quote(config.title), currency=config.currency, config=render.quote_exact(str(config_path)),
            statements=render.quote_exact(str(statements)), timezone=render.quote_exact(config.timezone.key))
        if self.main.exists():   # a person's own ledger (adopted books) gets what it lacks of it, once
            main = self.adopted(self.main.read_text(encoding="utf-8"), main)
        if main is not None:
            changes[self.main] = main
            if not (self.root / FAVA_IMPORT).exists() and FAVA_IMPORT in main:   # what its import-config names
                changes[self.root / FAVA_IMPORT] = FAVA_IMPORT_TEXT.format(config=repr(str(config_path)))
        accounts = self.root / "accounts.beancount"
        text = accounts.read_text(encoding="utf-8") if accounts.exists() else ACCOUNTS_HEADER
        have = set(OPEN_LINE.findall(text))
        later = config.opened_when_used()   # by the first entry posting to them (open_used)
        missing = [a for a in config.accounts() if a not in have and a not in later]
        if missing:   # a person's own files may open them (books kept before beanclear): not twice
            opened = self.opened(missing)
            missing = [a for a in missing if a not in opened]
        added = "".join(f"{OPEN_DATE} open {a}\n" for a in missing)
        stated = {_unescape(m) for m in ID_LINE.findall(text)}
        named = set()
        for account, currency, opening in config.openings():
            # an account's first opening is `opening <account>`; its other currencies add the currency
            ident = f"opening {account}" + (f" {currency}" if account in named else "")
            named.add(account)
            if ident not in stated:
                added += (f"\n{opening.date} * \"Opening balance\" \"{account} at the end of the day, from config.yaml\"\n"
                          f'  id: "{ident}"\n'
                          f"  {account:<{render.ACCOUNT_WIDTH}}{render.amount_text(opening.amount, currency)}\n"
                          f"  {config.equity}\n")
        if added:
            if text and not text.endswith("\n"):
                text += "\n"
            changes[accounts] = text + added
        for name, header in (("prices.beancount", PRICES_HEADER), ("acks.beancount", ACKS_HEADER)):
            if not (self.root / name).exists():
                changes[self.root / name] = header
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            changes[ignore] = ".beanclear.lock\n.beanclear.journal*\n.*.new\n.*.old\n.*.picklecache\n"
        return changes

    def adopted(self, text: str, template: str) -> str | None:
        """main.beancount as it must be where a person's ledger was there before beanclear
        (`beanclear init` into their books, or a first import): their text byte for byte,
        then the lines of `template` (MAIN_TEMPLATE, formatted) it lacks — the plugins,
        Fava's lines, the includes of accounts, prices and acks — and the marker the
        sources' includes go under. None when the file holds beanclear's lines already
        (the marker, or a beanclear plugin): books beanclear wrote, or took over before.
        An option, plugin or custom line counts as there by its name (their title stays
        theirs); an include by the file it names, by whatever path."""
        if SOURCES_MARKER in text or re.search(r'^plugin[ \t]+"beanclear\.', text, re.M):
            return None
        from beanclear.books import included
        have = included.reached(self.main)   # also a file not there yet (prices.beancount, made with it)
        paragraphs = []
        for paragraph in template[len(MAIN_HEADER):].split("\n\n"):
            lines, comments = [], []
            for line in paragraph.strip("\n").split("\n"):
                if line.startswith(SOURCES_MARKER):
                    lines.append(line)
                elif line.startswith(";"):
                    comments.append(line)   # said of the line after it: added with it
                else:
                    name = included.INCLUDE.match(line)
                    there = (Path(os.path.normpath(self.root / _unescape(name.group(1)))) in have if name
                             else re.search(_same_setting(line), text, re.M) is not None)
                    lines += [] if there else comments + [line]
                    comments = []
            if lines:
                paragraphs.append("".join(line + "\n" for line in lines))
        return text + ("\n" if text and not text.endswith("\n") else "") + ADOPTED_HEADER + "\n" + "\n".join(paragraphs)

    def month_file(self, source: str, month: str) -> Path:
        """books/<source>/<YYYY>/<YYYY-MM>.beancount, of a month `YYYY-MM`."""
        return self.root / source / month[:4] / f"{month}.beancount"

    def plan(self, source: str, entries, changes: dict[Path, str], store: Sorted | None = None) -> None:
        """Add to `changes` the new text of every file that `entries` go into, after those
        already `kept` in `store` (the import keeps its new entries as it finds them)."""
        from beanclear.books.spill import Sorted
        store = Sorted() if store is None else store
        for entry in entries:
            kept(store, entry)
        months = store.months()
        for month in months:
            path = self.month_file(source, month)
            # The month's text is made as atomic.write_files writes it, a block at a time:
            # neither every month's text nor one month's is held whole.
            changes[path] = functools.partial(_merged, path, changes.get(path), store, month)
        if months:
            main = changes.get(self.main) or self.main.read_text(encoding="utf-8")
            changes[self.main] = add_include(main, source)

    def add_openings(self, config, openings: list, changes: dict[Path, str]) -> None:
        """Opening entries implied by first statements ((Opening, statement name) pairs),
        merged into accounts.beancount in date order, with the equity account they need;
        none of an opening the books held all of already (an opening of 0.00 they did not
        hold is written), which still takes the place of the one it moves back."""
        if not openings:
            return
        entries = [opening_entry(o, name, config.equity) for o, name in openings if o.amount or not o.held]
        moved = {o.ident for o, _ in openings}   # an opening an earlier statement moves back
        accounts = self.root / "accounts.beancount"
        text = changes.get(accounts) or (accounts.read_text(encoding="utf-8") if accounts.exists() else ACCOUNTS_HEADER)
        if entries and config.equity not in OPEN_LINE.findall(text) and not self.opened([config.equity]):
            text = with_open(text, config.equity)
        preamble, blocks = split_blocks(text)
        kept = preamble + "".join(b if (m := ID_LINE.search(b)) is None or _unescape(m.group(1)) not in moved
                                  else without_block(b) for b in blocks)
        if entries or kept != text:
            changes[accounts] = merge(kept, sorted(entries, key=render.sort_key))

    def open_used(self, used: set[str], changes: dict[Path, str]) -> None:
        """The `open` line of each of `used` (accounts of config.opened_when_used that what
        an import writes needs) the books do not open yet, among the other `open` lines of
        accounts.beancount in name order: books that never need it never gain it."""
        if not used:
            return
        accounts = self.root / "accounts.beancount"
        text = changes.get(accounts) or (accounts.read_text(encoding="utf-8") if accounts.exists() else ACCOUNTS_HEADER)
        missing = sorted(used - set(OPEN_LINE.findall(text)))
        missing = [a for a in missing if a not in self.opened(missing)] if missing else []
        if not missing:
            return
        for account in missing:
            text = with_open(text, account)
        changes[accounts] = text

    def shift_openings(self, config, shifts: dict, changes: dict[Path, str]) -> list[str]:
        """Openings statements implied, as importing everything together implies them, where
        an import books money on their account before the first balance they were implied
        from (a trade view of a day before it; its entry in place of the fund view's, dated
        a few seconds earlier, over midnight): `shifts`, (account, currency) -> [what it
        adds there before that balance, the first day it posts or None]. Each moves by
        that much, and back to the day before that day; what it says of each."""
        accounts = self.root / "accounts.beancount"
        if not shifts or not (accounts in changes or accounts.exists()):
            return []
        text = changes.get(accounts) or accounts.read_text(encoding="utf-8")
        said, moved = [], []
        preamble, blocks = split_blocks(text)
        for (account, currency), (delta, first) in sorted(shifts.items()):
            written = _written_opening(blocks, account, currency)
            if written is None:   # not as an import writes it: a person's
                continue
            at, statement, held, starts = written
            day = dt.date.fromisoformat(blocks[at][:10])
            back = min(day, first - dt.timedelta(days=1)) if first else day
            if not delta and back == day:
                continue
            amount = held - delta
            from beanclear.statements.openings import Opening
            moved.append(opening_entry(Opening(account, currency, back, amount, starts=starts), statement,
                                       config.equity))
            said.append(f"opening balance of {account} in {currency} now {amount:f} {currency} at the end of {back} "
                        f"(was {held:f} at the end of {day}), as its first balance implies with what this "
                        "import books before it")
            blocks[at] = without_block(blocks[at])
        if moved:
            changes[accounts] = merge(preamble + "".join(blocks), sorted(moved, key=render.sort_key))
        return said


OPENING_BLOCK = re.compile(r'^\d{4}-\d{2}-\d{2}[ \t]+\*[ \t]+"Opening balance"[ \t]+"[^"\n]* at the end of the day, '
                           r'from ((?:[^"\\\n]|\\.)*)"')
HELD_ALREADY = re.compile(r", less -?[\d.]+ \S+ the books held already$")


STARTS_KEY = "statement-starts"   # of an opening worked back from a statement that starts inside a day
STARTS_LINE = re.compile(rf'^[ \t]+{STARTS_KEY}:[ \t]+"(\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d)"[ \t]*$', re.M)


def with_open(text: str, account: str) -> str:
    """accounts.beancount's `text` with the `open` line of `account` among its other `open`
    lines in name order (before the first that sorts after it): where it goes does not
    depend on which import needed it first, so the books are the same in any import order."""
    preamble, blocks = split_blocks(text)
    opens = [at for at, b in enumerate(blocks) if b[11:].startswith("open ")]
    after = [at for at in opens if OPEN_LINE.match(blocks[at]).group(1) > account]
    if after or not opens:
        at = placed(preamble, blocks, after[0] if after else 0)
    else:   # right below the last open line, above the blank line or note that follows it
        last = opens[-1]
        at = len(preamble) + sum(len(b) for b in blocks[:last]) + len(blocks[last].splitlines(keepends=True)[0])
    if at == len(text) and text and not text.endswith("\n"):
        text += "\n"
        at += 1
    return text[:at] + f"{OPEN_DATE} open {account}\n" + text[at:]


def _written_opening(blocks: list[str], account: str, currency: str) \
        -> tuple[int, str, Decimal, dt.datetime | None] | None:
    """(its place in `blocks`, the statement it names, its amount, the moment that statement
    starts where it says one: `statement-starts:`) of the opening a statement implied of an
    account in a currency, where it is as an import writes it; else None (none, or a person's)."""
    ident = f"opening {account} {currency}"
    at = next((i for i, b in enumerate(blocks) if (m := ID_LINE.search(b)) and _unescape(m.group(1)) == ident
               and ENTRY_START.match(b)), None)
    found = OPENING_BLOCK.match(blocks[at]) if at is not None else None
    line = re.search(rf"^[ \t]+{re.escape(account)}[ \t]+(-?[\d.]+)[ \t]+{re.escape(currency)}\b",
                     blocks[at], re.M) if found else None
    if line is None:
        return None
    starts = STARTS_LINE.search(blocks[at])
    moment = dt.datetime.fromisoformat(starts.group(1)) if starts else None
    return at, _unescape(found.group(1)), Decimal(line.group(1)), moment


def kept(store: Sorted, entry) -> None:
    """`entry` kept in `store` for Books.plan: sorted by month and render.sort_key as it
    comes (spill.Sorted: runs on disk past spill.LIMIT entries), ties in the order they
    came, as a stable sort leaves them. It is kept as its text (rendered now rather than
    as the file is written): text goes to disk and back far faster than an entry does."""
    store.add(render.sort_key(entry), render.entry_text(entry) + "\n")


def _plain(text: str) -> str:
    """A quoted value of the books as it reads unescaped."""
    return _unescape(text) if "\\" in text else text


def _view_ids(text: str, path: Path, key: str, out: ViewIds) -> None:
    """Add to `out` the identities of the blocks of `text` with a `key:` line, each with
    its file's path."""
    if f"  {key}:" not in text and f"\t{key}:" not in text:
        return
    where = str(path)
    for block in key_blocks(text, key):
        ident = ID_LINE.search(block)
        if ident is None:
            continue
        covers = COVERS_LINE.search(block)
        for identity in [ident.group(1), *render.covered(covers.group(1) if covers else "")]:
            identity = _unescape(identity) if "\\" in identity else identity
            if not out.add(identity, where):
                out.twice.add(identity)


_KEY_LINES: dict[str, re.Pattern] = {}


def key_blocks(text: str, key: str) -> Iterator[str]:
    """The blocks of `text` (an entry and the lines to the next: its blank line) that have
    a `key:` metadata line, cut out where they are, the other blocks not split at all."""
    line = _KEY_LINES.get(key)
    if line is None:
        line = _KEY_LINES[key] = re.compile(rf"^[ \t]+{re.escape(key)}:", re.M)
    end = 0
    for found in line.finditer(text):
        if found.start() < end:   # another such line of the block just given
            continue
        start = _block_start(text, found.start())
        after = ENTRY_END.search(text, found.end())
        end = after.end() if after else len(text)
        block = text[start + (text[start] == "\n"):end]
        if ENTRY_START.match(block):
            yield block


def _block_start(text: str, at: int) -> int:
    """Where the block (an entry and its indented lines) holding position `at` starts."""
    start = text.rfind("\n", 0, at)
    while start > 0 and text[start + 1] in " \t":
        start = text.rfind("\n", 0, start)
    return max(start, 0)


def _last_entry_end(text: str) -> int:
    """Where the last entry of `text` starts (after ENTRY_END's line break), or 0."""
    for back in (2**16, len(text)):   # an entry is rarely longer than 64 KB
        found = None
        for found in ENTRY_END.finditer(text, max(0, len(text) - back)):
            pass
        if found is not None:
            return found.start() + 1
    return 0


@dataclass(frozen=True)
class Kept:
    """An entry with an `id:` line in a file of a person's own the books include
    (Books.by_hand): an imported entry moved there by hand, still in the books."""
    ident: str                     # its id
    identities: tuple[str, ...]    # its id, then what its `covers:` names
    accounts: frozenset[str]       # the accounts it posts to
    path: Path                     # its file
    line: int                      # the line it starts on
    block: str                     # its text
    where: str                     # `books/<file>:<line>`, as a summary says it


@dataclass(frozen=True)
class Recorded:
    """A statement the books record as imported, by the digest of its bytes (Books.digests)."""
    statement: str      # its name when it was imported
    first: dt.date      # the days its coverage record says it covers
    last: dt.date
    where: str          # the month file that holds the record, from the books' folder: books/<source>/…
    dates: str | None = None   # "day-first" / "month-first" where its own dates decided their order
    payouts: bool = True       # whether it can show payouts (a trade view cannot: `payouts: "no"`)
    text: str | None = None    # the digest of its text (coverage.text_digest): its `text:`, else its digest
    digest: str | None = None  # of its bytes


CHUNK = 4 * 2**20


def coverage_blocks(path: Path, chunk: int = CHUNK):
    """The bytes of each block of a file whose first line holds COVERAGE_MARK: that line
    and the indented lines after it. Read `chunk` bytes at a time, whole lines searched;
    a block that may go on past what is read so far waits for the next read."""
    rest = b""
    with open(path, "rb") as fh:
        while True:
            more = fh.read(chunk)
            buf = rest + more if rest else more
            done = buf.rfind(b"\n") + 1 if more else len(buf)   # buf[:done]: whole lines, searched now
            rest = buf[done:]
            at = buf.find(COVERAGE_MARK, 0, done)
            while at >= 0:
                start = buf.rfind(b"\n", 0, at) + 1
                end = buf.find(b"\n", at, done) + 1
                while 0 < end < done and buf[end:end + 1] in (b" ", b"\t"):  # its metadata lines
                    end = buf.find(b"\n", end, done) + 1
                if end <= 0:
                    end = done
                if end == done and more:  # it may go on in what is not read yet
                    rest = buf[start:]
                    break
                yield buf[start:end]
                at = buf.find(COVERAGE_MARK, end, done)
            if not more:
                return


def opening_entry(opening, statement: str, equity: str):
    from beancount.core import data
    from beanclear.importers.base import posting
    meta = data.new_metadata(statement, 0)
    meta["id"] = opening.ident
    if opening.starts is not None:   # worked back from a statement that starts inside a day
        meta[STARTS_KEY] = f"{opening.starts:%Y-%m-%d %H:%M:%S}"
    less = f", less {opening.held:f} {opening.currency} the books held already" if opening.held else ""
    return data.Transaction(meta, opening.date, "*", "Opening balance",
                            f"{opening.account} at the end of the day, from {statement}{less}", frozenset(), frozenset(),
                            [posting(opening.account, opening.amount, opening.currency),
                             posting(equity, -opening.amount, opening.currency)])


def _relative(target: Path, start: Path) -> str:
    import os
    return os.path.relpath(target, start)


def block_key(block: str) -> tuple:
    """render.sort_key, read back from an entry's text (a person's entry has no id or
    time: it sorts by its date, before the imported ones of that day)."""
    date = block[:10]
    balance = BALANCE_LINE.match(block)
    if balance:
        return (date, 0, "", f"{balance.group(2)} {balance.group(3)}")
    price = PRICE_LINE.match(block)
    if price:
        return (date, 0, "", f"price {price.group(2)} {price.group(4)}")
    time, ident = TIME_LINE.search(block), ID_LINE.search(block)
    return (date, 1, time.group(1) if time else "", _unescape(ident.group(1)) if ident else "")


def split_blocks(text: str) -> tuple[str, list[str]]:
    """A file's text as (preamble, entry blocks); joining them gives the text back."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if ENTRY_START.match(line)]
    if not starts:
        return text, []
    bounds = starts + [len(lines)]
    return "".join(lines[: starts[0]]), ["".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


CHUNK_CHARS = 2**20   # characters of a month file read at a time when merging into it


def _merged(path: Path, before, store: Sorted, month: str):
    """A month file's new text (Books.plan), as pieces: its text, or the change planned
    before it, merged with the store's entries of the month."""
    return merged(text_before(path, before), store.month(month))


def text_before(path: Path, before):
    """The pieces of a file's text as an import's write finds it: the change planned
    before (a function making its pieces, or a str), else the file's (none if new)."""
    if callable(before):
        return before()
    if before is not None:
        return [before]
    return _file_text(path) if path.exists() else []


def _identities(block: str, ident) -> list[str]:
    """An imported entry's identities, read from its text (`ident`: its ID_LINE match):
    its `id` and those its `covers:` lines name (render.identities)."""
    ids = [_unescape(m) if "\\" in m else m for m in (ident.group(1), *COVERS_LINE.findall(block))]
    return [ids[0], *(c for m in ids[1:] for c in render.covered(m))]


def _account_pattern(account: str, currency: str, funded: bool = False) -> re.Pattern:
    """An entry's head (its date, and whether it is a balance assertion), or a posting of
    the account in the currency, which counts for the head above it; with `funded`, its
    `fund-date:` line too (books/in_flight.py)."""
    return re.compile(rf"^(\d{{4}}-\d{{2}}-\d{{2}})([ \t].{{0,8}})|"
                      rf"^[ \t]+{re.escape(account)}[ \t]+(-?[\d.]+)[ \t]+{re.escape(currency)}\b"
                      + (r'|^[ \t]+fund-date:[ \t]*"(\d{4}-\d{2}-\d{2})"' if funded else ""), re.M)


def rewrite_blocks(changes: dict, path: Path, change) -> None:
    """Plan `path` in `changes` as its text at write time (the change planned before, else
    the file), a block at a time, each block passed through `change` (block -> block):
    the one way an import edits entries already in the books (books/late_routes.py,
    late_refunds.py)."""
    before = changes.get(path)
    changes[path] = functools.partial(_rewritten, path, before, change)


def _rewritten(path: Path, before, change):
    for block in _blocks(_lines(text_before(path, before))):
        yield change(block)


def _file_text(path: Path):
    """A file's text (as read_text reads it: UTF-8, line ends made \n), CHUNK_CHARS at a time."""
    with open(path, encoding="utf-8") as fh:
        while chunk := fh.read(CHUNK_CHARS):
            yield chunk


def _first(pair: tuple):
    return pair[0]


def merge(old: str, new_entries: list = (), keyed: list | None = None) -> str:
    """Insert entries (sorted by render.sort_key) into a month file's text, each before
    the first existing block that sorts after it. Existing text is kept byte for byte.
    `keyed`, instead of `new_entries`: (sort key, entry) pairs, sorted."""
    if keyed is None:
        keyed = [(render.sort_key(e), e) for e in new_entries]
    text = render.entry_text
    return "".join(merged([old], ((key, text(e) + "\n") for key, e in keyed)))


def merged(old, keyed):
    """merge() as pieces of text, from the old text given as pieces (a file read a chunk
    at a time) and an iterator of (key, entry text ending with a blank line): one block
    in memory at a time."""
    blocks = _blocks(_lines(old))
    preamble = next(blocks)
    cut = attached(preamble, top=True)
    last = preamble[:cut]   # `last`: the piece given last, as merge() looked at it
    yield last
    held = preamble[cut:]   # the note above the next block: what is new goes before it
    pending = iter(keyed)
    nxt = next(pending, None)

    def emit(entry_text: str):
        nonlocal last
        if last and not last.endswith("\n"):
            last = "\n"
            yield last
        if last and not last.endswith("\n\n"):
            last = "\n"
            yield last
        last = entry_text
        yield last

    for block in blocks:
        key = block_key(block)
        while nxt is not None and nxt[0] < key:
            yield from emit(nxt[1])
            nxt = next(pending, None)
        if held:
            last = held
            yield held
        cut = attached(block)
        last, held = block[:cut], block[cut:]
        yield last
    if held:   # after the last entry: above nothing, what is added comes after it
        last = held
        yield held
    while nxt is not None:
        yield from emit(nxt[1])
        nxt = next(pending, None)


def attached(piece: str, top: bool = False) -> int:
    """Where the note at the end of `piece` (a block, or with `top` the preamble) starts:
    the comment lines at the margin (`;`) directly above the entry that follows it, no
    blank line between; len(piece) where there is none. Such a note is that entry's (a
    person's word on it): what is placed before the entry goes before its note, never
    between them. A comment followed by a blank line stands on its own and stays with
    what is above it; the comment lines a file starts with are its header and stay first."""
    end = len(piece)
    if ";" not in piece:
        return end
    lines = piece.splitlines(keepends=True)
    at = len(lines)
    while at and lines[at - 1].startswith(";"):
        at -= 1
    if at == len(lines) or (top and at == 0):
        return end
    return end - sum(len(line) for line in lines[at:])


def without_block(block: str) -> str:
    """What is left of a block (split_blocks) whose entry is taken out: the note at its end,
    which is the next entry's (attached), not the entry's."""
    return block[attached(block):]


def placed(preamble: str, blocks: list[str], at: int) -> int:
    """Where in the text of (preamble, blocks) a new block goes to come before blocks[at]
    (at len(blocks): the end): above the note directly above it (attached)."""
    where = len(preamble) + sum(len(b) for b in blocks[:at])
    if at == len(blocks):
        return where
    above = blocks[at - 1] if at else preamble
    return where - len(above) + attached(above, top=not at)


def _lines(pieces):
    """The lines of a text given as pieces, as str.splitlines(keepends=True) gives them
    (the last line of each piece waits for the next: it may go on, or be a \r of a \r\n)."""
    carry = ""
    for piece in pieces:
        if not piece:
            continue
        lines = (carry + piece).splitlines(keepends=True)
        carry = lines.pop()
        yield from lines
    if carry:
        yield carry


def _blocks(lines):
    """split_blocks() over lines: the preamble (maybe ""), then each entry block."""
    current: list[str] = []
    for line in lines:
        if ENTRY_START.match(line):
            yield "".join(current)
            current = [line]
        else:
            current.append(line)
    yield "".join(current)


def add_include(main: str, source: str) -> str:
    """main.beancount with the include line of a source's files, inserted among the
    other source includes in name order (so import order does not change the bytes)."""
    line = f'include "{source}/*/*.beancount"\n'
    found = list(INCLUDE_LINE.finditer(main))
    if any(m.group(1) == source for m in found):
        return main
    after = [m for m in found if m.group(1) < source]
    before = [m for m in found if m.group(1) > source]
    if before:
        at = before[0].start()
    elif after:
        at = after[-1].end() + 1
    else:
        marker = main.find(SOURCES_MARKER)
        at = main.index("\n", marker) + 1 if marker >= 0 else len(main)
    if at > len(main):
        return main + "\n" + line
    return main[:at] + line + main[at:]


SOURCES_MARKER = "; Statements, one include per source"
FAVA_IMPORT = "fava_import.py"   # Fava's import-config (fava_page/ingest.py)
FAVA_IMPORT_TEXT = '''\
"""Fava's Import page for these books, written by beanclear (beanclear.fava_page.ingest).
Fava runs this file: beanclear's importers list the statements, and "Extract" imports
the file through `beanclear import` (the books' layout, ids and lock); Fava gets no
entries of its own to save. Statements can also be dropped on the Reconciliation page."""
from beanclear.fava_page.ingest import import_config

CONFIG, HOOKS = import_config(__file__, {config})
'''
MAIN_HEADER = """\
; The books of this merchant, kept by beanclear. This file is yours to edit: beanclear
; only ever adds an include line below when a new source gets its first statement.
"""
ADOPTED_HEADER = """
; beanclear keeps these books from here on. Every line above is as you wrote it; below is
; what beanclear needs of main.beancount (what above had already is left out), and the
; include line of each source, added when the source gets its first statement.
"""
MAIN_TEMPLATE = MAIN_HEADER + """\
option "title" {title}
option "operating_currency" "{currency}"
; The zone (config.yaml `timezone`) the dates of these books' UTC times are taken in: another needs them rebuilt.
2000-01-01 custom "beanclear-timezone" {timezone}

; The reconciliation checks: bean-check and Fava report the same errors as `beanclear check`.
plugin "beanclear.plugins.checks" {config}

; Fava's sidebar gets a "Reconciliation" page: channels, findings, the review queue.
2000-01-01 custom "fava-extension" "beanclear.fava_page" {config}
; Fava's Import page lists the statements; its "Extract" imports one through `beanclear import`.
2000-01-01 custom "fava-option" "import-config" "fava_import.py"
2000-01-01 custom "fava-option" "import-dirs" {statements}

include "accounts.beancount"
include "prices.beancount"
include "acks.beancount"

{marker} (beanclear adds these):
""".replace("{marker}", SOURCES_MARKER)
# The books' own files main.beancount includes, of those the import writes (`open` lines,
# openings, reference rates, acks' header): name -> the files whose include its own goes
# after (edits.include_written), as MAIN_TEMPLATE has them.
IMPORT_INCLUDES = {"accounts.beancount": (), "prices.beancount": ("accounts.beancount",),
                   "acks.beancount": ("prices.beancount", "accounts.beancount")}
ACCOUNTS_HEADER = "; Accounts the config implies. beanclear appends new ones; edit freely.\n"
PRICES_HEADER = "; Reference FX rates (`price` directives) for the fx-gap check.\n"
ACKS_HEADER = """\
; Findings a person has reviewed and accepts, one line each, with the reason:
; 2026-04-02 custom "beanclear-ack" "payout-mismatch" "<a ref of the finding>" "why it is fine"
; and match proposals turned down, so that `beanclear match` does not propose them again:
; 2026-04-02 custom "beanclear-reject" "<bank ref>" "<links or account>" "why it is wrong"
"""


def not_utf8(root: Path, shown_from: Path | None = None) -> str | None:
    """`books/…:line: not UTF-8 text …` of the first file of the books (by path) that is
    not UTF-8, or None: said when a command that reads the books' text meets bytes it
    cannot read (cli.Commands), instead of a traceback. A person's editor may save a
    month file as GBK (`付款` is b"\\xb8\\xb6\\xbf\\xee"); Beancount's loader, and so `check`,
    says it in its own words. `shown_from`: the folder the path is said relative to."""
    for path in sorted(Path(root).rglob("*.beancount")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            from beanclear.importers.toolkit.text import not_utf8_at
            line, what = not_utf8_at(data, exc)
            shown = os.path.relpath(path, shown_from) if shown_from else str(path)
            return f"{shown}:{line}: {what}; save it as UTF-8 and run the command again"
    return None


READ = "beanclear_read"   # options key: the books' files as load() read them (atomic.Snapshot)


def load(main: Path):
    """Load the books (with their plugins) without Beancount's pickle cache.

    The cache is keyed by the top file's name and trusts the file names stored in it:
    books copied with their `.main.beancount.picklecache` would load the *original*
    folder's entries, and a command that edits what it loaded would edit the wrong
    books. beanclear's own commands always read the files themselves. The balance
    assertions the checks plugin held for bean-check and Fava (checks/held.py) come
    back failed, as Beancount checks them. beanclear's own directives out of shape are
    errors, and left out (checks/directives.py: the plugin's first step, done here for
    books without it)."""
    from beancount import loader

    from beanclear.books import atomic
    from beanclear.checks import directives, held
    # Never half-written books: a crashed write is rolled back, a running one waited for.
    root = Path(main).resolve().parent
    with atomic.reading(root):
        # _load is what load_file runs when the cache is off (BEANCOUNT_DISABLE_LOAD_CACHE).
        entries, errors, options = loader._load([(str(Path(main).resolve()), True)], None, None, None)
        # the files as read, while no write can come (READ): a write decided from these
        # books is made anew where another one changed them since (books/edits.apply)
        options[READ] = atomic.Snapshot.of(root, *(Path(p) for p in options.get("include") or ()
                                                   if not Path(p).resolve().is_relative_to(root)))
    # the assertions the checks plugin held for bean-check and Fava, as they failed
    entries, errors = held.restored(entries, errors, options)
    return entries, errors + directives.checked(entries), options
