"""The books from a month on, what came before carried forward: the ledger Fava and
bean-check load when the whole history is too large to load after every change.

    carry(config, "2026-04") writes books/since-2026-04.beancount:

        <main.beancount without its per-source includes: options, plugins, the files
         of accounts, prices, acknowledgments and periods>
        2026-04-01 custom "beanclear-since" "2026-04" "<sha256 of the month files before>" 42
        2026-02-10 S "Balances carried forward to 2026-02-11"    ; one per step, below
          id: "opening balances carried to 2026-02-11"
          Assets:Bank:ICBC        123456.78 CNY
          ...
        <every entry of the month files dated from 2026-02-11 to 2026-03-31>
        include "wechat/2026/2026-04.beancount"                   ; each month file from
        ...                                                       ; April on, as it is

Every account ends each day with the balance the whole books give it: what the month
files before April hold is summed into carried transactions (one the day before each
balance assertion that the included files make before the lookback, so that it holds,
and one the day before the lookback), and their last `lookback(config)` days are
carried entry by entry. The lookback is longer than any window a check reads back over
(settlement, bank and order days, the refund windows, a payout arriving late, the
matcher's window), so the checks judge every day from April on as the whole books do;
findings dated before April are the closed past and are not reported
(checks/reconcile.py `Load.since`). What else is needed from before the lookback is
read back from the month files (past.py: `report` and `match --since`).
The books are not touched: this file only includes their files and sums what they
hold before it.

It goes stale when a month file before April changes (the digest in its directive), a
month file from April on is not included (a new month), main.beancount's own lines
change (a person's include, the include of writeoffs.beancount the first write-off
adds), or the config's windows grow past the days carried (the lookback in its
directive): the plugins say so, and `beanclear carry 2026-04` again brings it up to date
(only its includes and main's lines, without loading the books, when the months before
are unchanged). A write of beanclear's that adds a month file or a line of main's
brings it along at once (follow).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from beancount.core.amount import Amount

from beanclear.books import atomic, render
from beanclear.checks import refunds
from beanclear.checks.transit import LATE_DAYS   # an equal payout arriving this late is still that payout
from beanclear.periods.closed import in_month_order, is_month_file, month_files
from beanclear.periods.closing import PeriodError, month_bounds, open_before
from beanclear.checks.directives import SINCE  # noqa: F401  (part of this module's interface)

EQUITY = "Equity:Opening-Balances"     # where a carried step's conversions balance
CARRIED_ID = "opening balances carried to "   # the clearing check reads an "opening …" id as money known
DIRECTIVE = re.compile(r'^\d{4}-\d{2}-\d{2}[ \t]+custom[ \t]+"beanclear-since"[ \t]+"(\d{4}-\d{2})"[ \t]+'
                       r'"([0-9a-f]{64})"[ \t]+(\d+)', re.M)
SOURCE_INCLUDE = re.compile(r'^include[ \t]+"[^"/]+/\*/\*\.beancount"[ \t]*(;.*)?$')


def ledger_path(root: Path, month: str) -> Path:
    return Path(root) / f"since-{month}.beancount"


def is_ledger(root: Path, path) -> bool:
    """Whether a path is books carried forward (ledger_path's), which only `carry` writes."""
    path = Path(path)
    return bool(_LEDGER_NAME.match(path.name)) and path.parent.resolve() == Path(root).resolve()


_LEDGER_NAME = re.compile(r"^since-\d{4}-\d{2}\.beancount$")


def digest(root: Path, month: str, files: list[tuple[str, Path]] | None = None) -> str:
    """sha256 over the month files before `month` (of `files`, month_files' list, when
    the caller has it): their paths and bytes."""
    h = hashlib.sha256()
    for m, path in month_files(root) if files is None else files:
        if m < month:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            h.update(b"\0")
    return h.hexdigest()


def lookback(config) -> int:
    """Days before the month carried entry by entry: past every window a check reads back,
    and the matcher's (an item a bank line of the month may settle, with its history)."""
    days = [refunds.days_read_back(config) + refunds.MIN_HISTORY]
    for ch in config.channels.values():
        days += [ch.settlement_days + LATE_DAYS, ch.bank_days + LATE_DAYS]
    days += [shop.order_days for shop in config.shops.values()]
    days.append(config.match.window)   # an order or bill the matcher may pair with a line of the month
    from beanclear.checks.reversals import REVERSAL_DAYS
    days.append(REVERSAL_DAYS)   # the line a bank's reversal of the month reverses
    return max(days) + LATE_DAYS


def carry(config, month: str, lookback_days: int | None = None) -> tuple[Path, str]:
    """Write the books from `month` on, what came before carried forward; (its path, what was done)."""
    month_bounds(month)   # PeriodError for anything but YYYY-MM
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    root = config.books
    path = ledger_path(root, month)
    main = root / "main.beancount"
    if not main.exists():
        raise PeriodError(f"{main}: no books yet (run `beanclear import` first)")
    after_the_books(root, month)
    with atomic.locked(root):
        held, days = digest(root, month), lookback_days or lookback(config)
        if path.exists():
            written = path.read_text(encoding="utf-8")
            old = DIRECTIVE.search(written)
            text = _with_main(written, main.read_text(encoding="utf-8"))
            if old and text is not None and (old.group(1), old.group(2), int(old.group(3))) == (month, held, days):
                text = _with_includes(text, root, month)
                if text == written:
                    return path, f"{path.name} is up to date; nothing was written"
                atomic.write_files(root, {path: text})
                return path, (f"{path.name}: its includes brought up to date (the months before {month} are "
                              "unchanged)")
        atomic.write_files(root, {path: ledger_text(config, month, start, held, days)})
    said = f"{path.name} written: the books from {start} on, what came before carried forward"
    unclosed = open_before(root, month)
    if unclosed:   # their findings are judged only in the whole books
        said += (f"; {', '.join(unclosed)} {'are' if len(unclosed) > 1 else 'is'} not closed: findings dated "
                 f"before {start} are not shown here (`beanclear check` lists them)")
    return path, said


DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]", re.M)


def after_the_books(root: Path, month: str) -> None:
    """PeriodError for a month after the books' last entry: no month file of it or later,
    so the ledger would show nothing of its own (a bad month, as close's before the
    books). Decided by the month files' names, without reading the books; the error says
    the last day the last month's files hold, and where."""
    files = month_files(root)
    if files and files[-1][0] >= month:
        return
    last = None
    for m, path in files:
        if m == files[-1][0]:
            days = DAY_LINE.findall(path.read_text(encoding="utf-8", errors="replace"))
            if days and (last is None or max(days) > last[0]):
                last = (max(days), path)
    end = f" (they end at {last[0]}, {root.name}/{last[1].relative_to(root).as_posix()})" if last else ""
    raise PeriodError(f"{month}: the books hold no entry in that month or after it{end}")


def ledger_text(config, month: str, start: dt.date, held: str, days: int) -> Iterator[str]:
    """The ledger's text, in pieces as it is made: one month file before `month` parsed
    at a time (memory is a month's entries, not the books'), the entries of the lookback
    written as they are met (Beancount sorts what it loads), the carried balances and
    the includes at the end."""
    from beancount.core import data
    from beancount.parser import printer
    root = config.books
    main = (root / "main.beancount").read_text(encoding="utf-8")
    rest, options = _rest_of_books(root, main)
    window = start - dt.timedelta(days=days)
    asserted = {e.date for e in rest if isinstance(e, data.Balance) and e.date <= window}
    daily: dict[dt.date, dict] = {}   # the units summed by day (days x accounts: bounded), in steps at the end
    opened = any(isinstance(e, data.Open) and e.account == EQUITY for e in rest)
    yield _header(month, start, days)
    yield from _main_lines(main)
    yield f"\n{start} custom {render.quote(SINCE)} {render.quote(month)} {render.quote(held)} {days}\n\n"
    in_transit = _InTransit(config)
    for m, path in month_files(root):
        if m >= month:
            continue
        # an entry a plugin makes is made again when the ledger loads, so none is summed
        for entry in month_entries(path, options):
            if isinstance(entry, data.Transaction):
                if entry.date >= window:
                    yield printer.format_entry(entry) + "\n"
                    continue
                _add(daily.setdefault(entry.date, {}), entry, path, 1)
                in_transit.read(entry)
            elif isinstance(entry, data.Pad):
                raise PeriodError(f"{path}:{entry.meta['lineno']}: a pad before {start} cannot be carried "
                                  f"forward; replace it with a transaction")
            elif not (isinstance(entry, data.Balance) and entry.date < window):
                # (an older assertion was proved in the whole books: the carried balances are its numbers)
                opened = opened or (isinstance(entry, data.Open) and entry.account == EQUITY)
                yield printer.format_entry(entry) + "\n"
    still_open = in_transit.still_open()
    for entry in still_open:   # entry by entry after all, out of the balances
        _add(daily[entry.date], entry, None, -1)
        yield printer.format_entry(entry) + "\n"
    # a step the day before each assertion (so that it holds), each payout carried entry
    # by entry (the money it takes out of the clearing account is there before it, as in
    # the whole books: carried after it, the clearing check's first-in first-out of the
    # lookback was another), and the lookback's
    steps = sorted(asserted | {e.date for e in still_open} | {window})
    sums: list[dict] = [dict() for _ in steps]
    for day, summed in daily.items():
        step = sums[bisect.bisect_right(steps, day)]
        for key, number in summed.items():
            step[key] = step.get(key, Decimal(0)) + number
    if not opened:
        yield f"{steps[0] - dt.timedelta(days=1)} open {EQUITY}\n"
    shown = {b.account for b in config.banks.values()}   # a report's balances at month end: zero is "0.00"
    shown |= {a for ch in config.channels.values() for a in (ch.accounts.clearing, ch.accounts.transit)}
    yield from (_balances_text(day - dt.timedelta(days=1), day, step, shown) for day, step in zip(steps, sums))
    yield "\n"
    yield from _include_lines(root, month)


def _add(step: dict, entry, path, sign: int) -> None:
    """Sum a transaction's units into a carried step's balances (`sign` -1: take them out)."""
    for p in entry.postings:
        if p.cost is not None:
            raise PeriodError(f"{path}:{entry.meta['lineno']}: a lot held at cost cannot be "
                              f"carried forward by its units")
        key = (p.account, p.units.currency)
        step[key] = step.get(key, Decimal(0)) + sign * p.units.number


class _InTransit:
    """The payouts still in transit where the lookback starts, among the transactions
    before it: carried entry by entry whatever their age, not as a bare balance. A bank
    credit naming one answers it however late (checks/transit.py: by its link or its id
    in the text), and the checks of the books carried forward must see the payout it
    answers, as the whole books do (blind21: a payout of 07-15 credited on 11-10 was a
    `bank-unmatched` from that month on, and the report held it "since before" the
    lookback). Which are still open is what the transit check's own pairing says of the
    transactions before the lookback (check_transit's `answered`), judged as if every
    statement covered those days; with a payout, the entries its link ties to it in
    transit before the lookback (a part credited, a write-off), so its group is whole.
    Memory: the transit postings before the lookback (payouts and their credits), not
    the month files' other entries."""

    def __init__(self, config):
        self.config = config
        self.channels = {ch.accounts.transit: ch for ch in config.channels.values()}
        self.items: dict[str, list] = {}

    def read(self, entry) -> None:
        from beanclear.checks.items import Item
        for p in entry.postings:
            if p.account in self.channels:
                self.items.setdefault(p.account, []).append(Item(entry, p.units.number, p.units.currency))

    def still_open(self) -> list:
        from beancount.core import data
        from beanclear.checks import transit
        from beanclear.checks.items import written_off
        banks = {bank.account for bank in self.config.banks.values()}
        out: dict[int, object] = {}
        names = transit.payout_names(self.items, self.config, banks)   # what a credit may name, as `check` reads it
        for account, items in self.items.items():
            channel = self.channels[account]
            items.sort(key=lambda i: i.order)
            answered: dict = {}
            for bank_items in transit.by_bank(items, channel, self.config).values():
                transit.check_transit(bank_items, channel, bank_items[-1].date, None, {}, {}, banks, {},
                                      answered, {}, self.config.timezone, names=names)
            answering = {id(c) for credits in answered.values() for c in credits}
            group: dict[str, Decimal] = {}
            for i in items:
                if i.payout:
                    group[i.payout] = group.get(i.payout, Decimal(0)) + i.amount
            open_ = [i for i in items if i.amount > 0 and id(i) not in answered and id(i) not in answering
                     and not written_off(i) and not any(p.account in banks for p in i.entry.postings)
                     and not (i.payout and group[i.payout] == 0)]
            links = {i.payout for i in open_ if i.payout}
            opened = {id(o) for o in open_}
            for i in items:
                if id(i) in opened or i.payout in links:
                    out.setdefault(id(i.entry), i.entry)
        return sorted(out.values(), key=data.entry_sortkey)


def month_entries(path: Path, options) -> list:
    """A month file's entries, parsed alone (in the file's order, named by its resolved
    path, as a load names them). Booked (missing numbers filled in, as a load does) only
    when a posting lacks its amount: beanclear writes every one, and booking a month file
    was half of carrying the 3-million-entry year (docs/perf-checks-page.md)."""
    from beancount.core import data
    from beancount.parser import booking, parser
    entries, _, _ = parser.parse_file(str(Path(path).resolve()))
    if not all(_complete(e) for e in entries if isinstance(e, data.Transaction)):
        entries, _ = booking.book(entries, options)
    return entries


def _complete(entry) -> bool:
    """Every posting with its number and currency, and no lot (a cost is refused, booked or not)."""
    for p in entry.postings:
        units = p.units
        if p.cost is not None or type(units) is not Amount or type(units.number) is not Decimal \
                or type(units.currency) is not str:
            return False
    return True


def _rest_of_books(root: Path, main: str):
    """The entries and options of the books without their month files and plugins:
    accounts, prices, acknowledgments, closed periods, what a person added. The name
    is atomic's: a crash's leftover is swept by the next command (atomic._sweep)."""
    from beancount import loader
    bare = root / atomic.CARRY_SCRATCH
    bare.write_text("".join(line for line in _main_lines(main) if not line.startswith("plugin")), encoding="utf-8")
    try:
        entries, _, options = loader._load([(str(bare.resolve()), True)], None, None, None)
    finally:
        bare.unlink(missing_ok=True)
    return entries, options


def _header(month: str, start: dt.date, days: int) -> str:
    return (f"; The books from {start} on, written by `beanclear carry {month}`: do not edit (edit the files it\n"
            f"; includes). What the month files before {start} hold is carried forward: their last {days}\n"
            f"; days entry by entry, before that as balances. Findings dated before {start} are not shown.\n")


def _main_lines(main: str) -> list[str]:
    lines = [line for line in main.splitlines(keepends=True) if not SOURCE_INCLUDE.match(line.rstrip("\n"))]
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def _with_main(text: str, main: str) -> str | None:
    """The ledger's text with main.beancount's own lines (`main`, its text) as they are
    now, in place of those carried with it (between its header and its directive); None
    where they cannot be: a ledger whose head is not carry's, or one that opens
    Equity:Opening-Balances itself while a file main's new lines include opens it too
    (carry would not have: only carrying again knows)."""
    found = DIRECTIVE.search(text)
    if found is None:
        return None
    month, days = found.group(1), int(found.group(3))
    head = _header(month, dt.date(int(month[:4]), int(month[5:]), 1), days)
    if not text.startswith(head) or text[found.start() - 1:found.start()] != "\n":
        return None
    carried, now = text[len(head):found.start() - 1], "".join(_main_lines(main))
    if carried == now:
        return text
    if _OWN_EQUITY.search(text, found.end()):
        from beanclear.books.included import INCLUDE
        added = set(INCLUDE.findall(now)) - set(INCLUDE.findall(carried))
        if added:
            return None   # (whether an added file opens the account: only carrying again reads them)
    return head + now + text[found.start() - 1:]


def _head(path: Path) -> str:
    """A carried ledger's text up to the end of its directive's line: its header and
    main's lines (what _with_main compares), read a piece at a time; not the whole ledger,
    which holds the lookback (hundreds of MB on a large merchant's books)."""
    text = ""
    with open(path, encoding="utf-8") as fh:
        while more := fh.read(1 << 16):
            text += more
            found = DIRECTIVE.search(text)
            if found is not None and "\n" in text[found.end():]:
                return text[:text.index("\n", found.end()) + 1]
    return text


_OWN_EQUITY = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}} open {re.escape(EQUITY)}\n", re.M)


def _balances_text(day: dt.date, to: dt.date, step: dict, kept: set[str] = frozenset()) -> str:
    """One balanced transaction of the units summed, by account; what the conversions
    leave unbalanced in a currency goes to Equity:Opening-Balances. A sum of zero is left
    out, but for the `kept` accounts: their balance keeps the decimals the whole books
    give it (a bank idle since, "0.00" and not "0"; a zero posting moves nothing)."""
    rest: dict[str, Decimal] = {}
    lines = []
    for (account, currency), number in sorted(step.items()):
        rest[currency] = rest.get(currency, Decimal(0)) + number
        if number or account in kept:
            lines.append(f"  {account.ljust(render.ACCOUNT_WIDTH)}{render.amount_text(number, currency)}\n")
    for currency, number in sorted(rest.items()):
        if number:
            lines.append(f"  {EQUITY.ljust(render.ACCOUNT_WIDTH)}"
                         f"{render.amount_text(-number, currency)}\n")
    if not lines:
        return ""
    head = (f"\n{day} {render.SUMMARY_FLAG} {render.quote(f'Balances carried forward to {to}')}\n"
            f"  id: {render.quote(CARRIED_ID + str(to))}\n")
    return head + "".join(lines)


def _with_includes(text: str, root: Path, month: str, created: tuple[Path, ...] = ()) -> str:
    """The text with exactly one include per month file from `month` on (those on disk
    and those a write is creating), at its end."""
    lines = [line for line in text.splitlines(keepends=True) if not _MONTH_INCLUDE.match(line)]
    return "".join(lines) + "".join(_include_lines(root, month, created))


def _include_lines(root: Path, month: str, created: tuple[Path, ...] = ()) -> list[str]:
    files = set(month_files(root)) | {(p.stem, p) for p in created}
    return [f'include "{p.relative_to(root).as_posix()}"\n' for m, p in sorted(files, key=in_month_order) if m >= month]


def follow(root: Path, changes: dict) -> None:
    """Add to a write (atomic.write_files' `changes`) what the books carried forward to a
    month need of it: the include lines of its new month files from that month on, and
    main.beancount's own lines as the write leaves them (the include of writeoffs.beancount
    the first write-off adds: without it the carried books listed what it wrote off as
    open, blind21). A ledger open in Fava shows what a write adds after its start. A
    change to a month before the start is not followed, nor a main.beancount whose new
    lines cannot be taken as they are (_with_main): the ledger says it is stale until
    `beanclear carry` again."""
    root = Path(root)
    created = tuple(p for p in changes if is_month_file(root, p) and not p.exists())
    main = changes.get(root / "main.beancount")
    if not created and not isinstance(main, str):
        return
    for path in sorted(root.glob("since-*.beancount")):
        was = text = changes[path] if isinstance(changes.get(path), str) else path.read_text(encoding="utf-8")
        found = DIRECTIVE.search(text)
        if found is None:
            continue
        if isinstance(main, str):
            text = _with_main(text, main) or text
        if any(p.stem >= found.group(1) for p in created):
            text = _with_includes(text, root, found.group(1), created)
        if text != was:
            changes[path] = text


_MONTH_INCLUDE = re.compile(r'^include[ \t]+"[^"/]+/\d{4}/\d{4}-\d{2}\.beancount"[ \t]*\n?$')


def stale(root: Path, directive, includes, config) -> str | None:
    """Why books carried forward (their `beanclear-since` directive) no longer show the books, if they do not."""
    values = [v.value for v in directive.values]
    month, recorded, days = (values + ["", "", 0])[:3]
    loaded = {str(Path(p).resolve()) for p in includes}
    files = month_files(root)
    missing = [p.relative_to(root).as_posix() for m, p in files if m >= month and str(p.resolve()) not in loaded]
    if missing:
        return (f"these books from {month} leave out {missing[0]}{f' and {len(missing) - 1} more' if len(missing) > 1 else ''}: "
                f"run `beanclear carry {month}` to include it")
    ledger, main = ledger_path(root, month), Path(root) / "main.beancount"
    head = _head(ledger) if ledger.exists() and main.exists() else None
    if head is not None and _with_main(head, main.read_text(encoding="utf-8")) != head:
        return (f"main.beancount changed since these books from {month} were carried forward: run "
                f"`beanclear carry {month}` again")
    if digest(root, month, files) != recorded:
        return (f"the month files before {month} changed since they were carried forward: run "
                f"`beanclear carry {month}` again")
    wanted = lookback(config)
    if wanted > days:
        return (f"the checks now read back {wanted} days (config.yaml), more than the {days} carried "
                f"entry by entry: run `beanclear carry {month}` again")
    return None
