"""A statement downloaded again with lines the bank added since: its balances restated.

A bank books a line late (an SMS fee of the 29th, listed on the 3rd); the statement
downloaded again holds it, and every running balance after it is that much different.
Its lines the books hold already are known by their ids, the new line is new — but the
balance assertions the first download wrote are known by account, day and currency,
and would stay as the first download said, now failing by the line the books gained.
So the import that brings lines of an account before a day also restates that day's
balance, where the books assert another amount, in the same write:

    2026-01-31 balance Assets:Bank:ICBC   1700.00 CNY     ; the first download's
    2026-01-31 balance Assets:Bank:ICBC   1698.00 CNY     ; restated: the download with the fee

A download that brings no line before the day (the older download, imported after the
newer one) restates nothing: the books hold more than it knew of. Whichever order the two
come in, the books assert what the fuller one says. A month closed by `beanclear close`
is left as it is and said.

A download cut inside a day of the books (PayPal's month in Berlin, books in Los Angeles)
brings lines before the next day too, but knows that day only to its cut: it restates no
close of a day whose later rows another statement holds (cut_off), so the statement with
the day's latest row says its close, whichever comes first. Where the rest of the day
is in the channel's other view, which asserts no balance (WeChat's trade bill), the
statement cut asserts no close beside the one with the rest of the day in one import
(cut_ends), and that one restates it later though its rows of the day are booked
already (rest_of_day).

Two statements may also assert the same balance, one saying more of it: PayPal's
balances file gives its `as-of:` instant, the day's transactions file (its last
`ending_balance`) only the amount. Imported balances first, the second adds nothing;
imported transactions first, the balances file adds its metadata lines to the books'
assertion of the same amount (the lines the books lack, where the import writes them),
so that either order gives the same books:

    2026-11-28 balance Assets:Clearing:PayPal   160.53 USD     ; the transactions file's
      as-of: "2026-11-27T16:00:00Z"                            ; added by the balances file
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanclear.books import Books, balance_parts, in_flight, render, rewrite_blocks
from beanclear.books.render import _meta_lines, balance_line
from beanclear.books.late_views import META as META_LINE
from beanclear.books.spill import all_transactions, like
from beanclear.importers.base import StatementDays
from beanclear.periods.closed import closed_months


def restated(known_balances: list, new_entries, books: Books, source: str, replaced=(), brought=None,
             otherwise=()) -> dict[Path, dict]:
    """The balances the books already assert that a statement restates: month file ->
    {(day, account, currency): the statement's amount}, of the days its new lines come
    before (`new_entries`: what the import writes of it; but those of `replaced`, the ids
    of rows the books hold an entry of already that it books again saying more:
    late_rows.py). Its rows a file of the same import booked before it (`brought`:
    account -> the first day of them, FileResult.brought) are lines it brings too, of the
    balances the books assert with another amount (`otherwise`: their (day, account,
    currency)): WeChat's trade bill and fund bill downloaded again, the payment the
    channel added since booked from the trade bill, the first download's balance stayed
    (blind31). Two copies of one statement in one import restate nothing."""
    if not known_balances:
        return {}
    first_new: dict[str, object] = {}   # account -> the first day the statement brings a line of it
    for entry in new_entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("id") not in replaced:
            for p in entry.postings:
                if p.account not in first_new or entry.date < first_new[p.account]:
                    first_new[p.account] = entry.date
    out: dict[Path, dict] = {}
    for balance in known_balances:
        brought_by = first_new.get(balance.account)
        if brought and (balance.date.isoformat(), balance.account, balance.amount.currency) in otherwise:
            also = brought.get(balance.account)
            brought_by = also if brought_by is None or also is not None and also < brought_by else brought_by
        if brought_by is None or brought_by >= balance.date:
            continue
        path = books.month_file(source, f"{balance.date:%Y-%m}")
        out.setdefault(path, {})[(balance.date.isoformat(), balance.account, balance.amount.currency)] = \
            balance.amount.number
    return out


def unchanged(found: dict[Path, dict], books: Books, source: str) -> set[tuple]:
    """The keys of `found` (restated()'s, implied()'s) whose balance the books assert at
    that amount already: nothing of them is restated (_restate leaves them), so nothing
    is said of them (blind33: lines the bank added that leave the balance as it was were
    said to have "restated the balances of 1 day(s)")."""
    out = set()
    for amounts in found.values():
        for key, amount in amounts.items():
            day, account, currency = key
            held = [number for _, number in books.asserted_between(source, account, currency,
                                                                   dt.date.fromisoformat(day),
                                                                   dt.date.fromisoformat(day))]
            if held and all(number == amount for number in held):
                out.add(key)
    return out


def implied(new_entries, entries, books: Books, source: str, found: dict[Path, dict]) -> None:
    """Add to `found` (restated()'s, of the same bank statement) the balances the books
    assert inside the statement's days that it does not assert itself, where its new lines
    come before them: the bank re-issued 1–30 November with a charge of the 12th that the
    1–15 download lacked; the 1–15 download's closing balance, of the 16th, is what the
    bank now says plus that charge (the re-issued statement holds every line of those
    days). It stayed as the first download said and failed (blind24 overlaps; README:
    restated). A bank's statement is short: its entries are read twice."""
    moved = _posted(new_entries)   # the lines it brings
    spans: dict[tuple[str, str], list] = {}   # its days of each account it brings lines of: [first, last]
    own: set[tuple[str, str, str]] = set()    # the balances it asserts itself
    for entry in entries if moved else ():
        if type(entry) is data.Balance:
            own.add((entry.date.isoformat(), entry.account, entry.amount.currency))
            keys = [(entry.account, entry.amount.currency)]
        elif type(entry) is data.Transaction:
            keys = dict.fromkeys((p.account, p.units.currency) for p in entry.postings)
        else:
            continue
        for key in keys:
            if key in moved:
                span = spans.setdefault(key, [entry.date, entry.date])
                span[0], span[1] = min(span[0], entry.date), max(span[1], entry.date)
    for (account, currency), (first, last) in spans.items():
        for day, number in books.asserted_between(source, account, currency, first, last):
            key = (day.isoformat(), account, currency)
            path = books.month_file(source, f"{day:%Y-%m}")
            if day <= first or key in own or key in found.get(path, {}):
                continue
            gained = sum((n for d, n in moved[(account, currency)] if d < day), Decimal(0))
            if gained:
                found.setdefault(path, {})[key] = number + gained


def stale(entries, books: Books, source: str, openings: dict) -> dict[tuple, Decimal]:
    """The balances a bank statement asserts that count none of the lines of its days the
    books hold and it does not, where the books hold a later statement of the account (a
    balance after its last day): (day, account, currency) -> the balance with those lines,
    which the import writes in its place (and says so). The bank's 1–15 November,
    downloaded before it re-issued the month with a charge of the 12th, imported after the
    1–30 that holds the charge: its balance of the 16th is what the bank said then, and
    failed (blind24 overlaps); so the order of import gives the same books (`implied`
    restates it the other way round). Its days begin at its first line, or at the opening it
    states (`openings`: Extraction.stated_openings). A statement that reaches further than the books' (the
    bank took a line back since) is not judged: its balances are the bank's latest word,
    and fail where the books hold more."""
    held, spans, asserted = set(), {}, {}
    for entry in entries:
        if type(entry) is data.Transaction:
            held.update(render.identities(entry))
            for p in entry.postings:
                span = spans.setdefault((p.account, p.units.currency), [entry.date, entry.date])
                span[0], span[1] = min(span[0], entry.date), max(span[1], entry.date)
        elif type(entry) is data.Balance:
            asserted.setdefault((entry.account, entry.amount.currency), []).append(entry)
    out: dict[tuple, Decimal] = {}
    for key, balances in asserted.items():
        first, last = spans.get(key, (None, None))
        if key in openings and first is not None:
            first = min(first, openings[key].day)
        if first is None or not books.asserted_between(source, *key, last + dt.timedelta(days=2),
                                                       last + dt.timedelta(days=92)):
            continue
        latest = max(b.date for b in balances) - dt.timedelta(days=1)
        lacking = [(day, moved) for day, ids, moved in books.account_rows(source, *key, first, latest)
                   if not any(i in held for i in ids)]
        for balance in balances if lacking else ():
            lacked = sum((moved for day, moved in lacking if day < balance.date), Decimal(0))
            if lacked and balance.date > first:
                out[(balance.date.isoformat(), *key)] = balance.amount.number + lacked
    return out


def rest_of_day(known_balances: list, entries, books: Books, source: str, found: dict[Path, dict]) -> set:
    """Add to `found` (restated()'s, of the same statement) the close the books assert of
    the day the statement starts inside, after the rows another statement of that day
    holds, where it says another amount: WeChat's February fund bill with books in Los
    Angeles starts at China's midnight, 08:00 on LA's 31 Jan, after January's, whose 0.00
    at 07:30 the books assert as the close of 31 Jan. Its rows of that afternoon may be
    in the books already (booked by February's trade bill, which asserts no balance), so
    it brings no new line before the day; but its balance is the account's after the
    day's last row, and cut_off keeps it only if no later row of the day is another
    statement's. Rows without a time cannot tell where a statement starts: nothing added.
    The keys (day, account, currency) added."""
    added: set = set()
    if not known_balances:
        return added
    first: dict[tuple[str, str], tuple[dt.date, str | None]] = {}   # the statement's first row of each account
    for entry in entries:
        if type(entry) is data.Transaction:
            at = (entry.date, entry.meta.get("time") or None)
            for p in entry.postings:
                key = (p.account, p.units.currency)
                if key not in first or (at[0], at[1] or "") < (first[key][0], first[key][1] or ""):
                    first[key] = at
    candidates = []
    for balance in known_balances:
        day, time = first.get((balance.account, balance.amount.currency), (None, None))
        path = books.month_file(source, f"{balance.date:%Y-%m}")
        if time and day == balance.date - dt.timedelta(days=1) and \
                (balance.date.isoformat(), balance.account, balance.amount.currency) not in found.get(path, {}):
            candidates.append((balance, path, day, time))
    if not candidates:
        return added
    wanted = {(balance.account, balance.amount.currency, day) for balance, _, day, _ in candidates}
    held = books.day_rows(source, wanted)
    _, holds = _day_rows(entries, wanted)
    for balance, path, day, time in candidates:
        earlier = [t for t, ids in held.get((balance.account, balance.amount.currency, day), ())
                   if t and t < time and not any(i in holds for i in ids)]
        if earlier and _asserted(path, balance) not in (None, balance.amount.number):
            key = (balance.date.isoformat(), balance.account, balance.amount.currency)
            found.setdefault(path, {})[key] = balance.amount.number
            added.add(key)
    return added


def disagreeing(extraction, bank_account: str, books: Books, source: str, restated_to: dict, new_postings: dict,
                new_balances: dict, beside=()) -> list[str]:
    """Notes for each statement of `extraction` whose stated opening (MT940 `:60F:`, CAMT
    `OPBD`: Extraction.statements, of `bank_account`) is not what the books hold at the
    start of its first day: the last balance the source's files assert before it (as this
    import restates it: `restated_to`, (day, account, currency) -> amount) or this import
    writes (`new_balances`, (account, currency) -> [(day, amount)]: a statement before it in
    its file, or in another file of the import), and what they and the import
    (`new_postings`, (account, currency) -> [(day, number)]) post after it.
    December's CAMT.053 opening at 22,456.94 against the 22,471.94 November closed on: the
    bank re-issued November with a fee line the books lack. The import said nothing, and
    the only sign was a balance failing a month later, sending the accountant to December
    (blind23 yearend2); nor did it where the statement before was in the same file or
    import (blind29: a daily MT940, the bank leaving a debit out between two). Said at the
    import, pointing before the statement; the books keep what the statements imported so
    far say. A statement that goes on inside a day (MT940's `:60M:`; one opening on the day
    another of the import closes, where it closes: `beside`, the import's statements of the
    source) opens at no day's start: not judged."""
    notes = []
    statements = getattr(extraction, "statements", None) or [
        StatementDays(said.day, said.day, ((currency, said.amount),)) for (_, currency), said
        in sorted(extraction.stated_openings.items())]
    for statement in statements:
        if not statement.day_start or any(other is not statement and other.last == statement.first
                                           and statement.chains_from(other) for other in beside):
            continue
        day = statement.first
        for currency, amount in statement.opens:
            key = (bank_account, currency)
            found = _held_at_start(books, source, key, day, restated_to, new_balances)
            if found is None:   # nothing asserted of those days: nothing to hold it against
                continue
            since, asserted, moved = found
            held = asserted + moved + sum((number for on, number in new_postings.get(key, ()) if since <= on < day),
                                          Decimal(0))
            if held == amount:
                continue
            more = held - amount
            notes.append(
                f"{f'statement {statement.label}' if statement.label else 'it'} opens {bank_account} at {amount} "
                f"{currency} at the start of {day}, but the books hold {held} {currency} then (the balance of {since} "
                f"in {books.month_file(source, f'{since:%Y-%m}').relative_to(books.root.parent)}"
                f"{' and the lines after it' if held != asserted else ''}): {abs(more)} {currency} "
                f"{'more' if more > 0 else 'less'} than the bank says; a statement before this one lacks a line the "
                "bank has added since, or holds one it no longer lists: import it again as the bank issues it now")
    return notes


def _held_at_start(books: Books, source: str, key: tuple[str, str], day, restated_to: dict, new_balances: dict):
    """(the day of the last balance asserted of `key` at or before `day`, by the books or
    this import, its amount, what the books post from then to `day`), or None."""
    account, currency = key
    found = books.held_at_start(source, account, currency, day)
    written = max(((on, amount) for on, amount in new_balances.get(key, ()) if on <= day), default=None)
    if written is not None and (found is None or written[0] >= found[0][0]):
        return written[0], written[1], books.moved_between(source, account, currency, written[0], day)
    if found is None:
        return None
    (since, asserted), moved = found
    return since, restated_to.get((since.isoformat(), account, currency), asserted), moved


def opened_accounts(results) -> set[tuple[str, str]]:
    """(account, currency) of the openings an import's bank statements state (disagreeing)."""
    return {(result.importer.source.account, currency) for result in results
            for statement in getattr(result.extraction, "statements", ()) for currency, _ in statement.opens} \
        | {key for result in results for key in result.extraction.stated_openings}


def new_postings(results) -> dict:
    """(account, currency) -> [(day, number)] of what an import's new entries post to the
    accounts its statements state openings of (disagreeing): those of its banks'
    statements (`results`), the only ones that post to a bank's account."""
    wanted = opened_accounts(results)
    out: dict = {}
    for result in results if wanted else ():
        for key, moved in _posted(result.new, wanted).items():
            out.setdefault(key, []).extend(moved)
    return out


def new_balances(results) -> dict:
    """(account, currency) -> [(day, amount)] of the balances an import's bank statements
    (`results`) write of the accounts they state openings of (disagreeing)."""
    wanted = opened_accounts(results)
    out: dict = {}
    for result in results if wanted else ():
        for entry in result.new:
            if type(entry) is data.Balance and (entry.account, entry.amount.currency) in wanted:
                out.setdefault((entry.account, entry.amount.currency), []).append((entry.date, entry.amount.number))
    return out


def _posted(entries, wanted=None) -> dict[tuple[str, str], list]:
    """(account, currency) -> [(day, number)] of what transactions post, to those `wanted`
    (all where None)."""
    out: dict[tuple[str, str], list] = {}
    for entry in entries:
        if type(entry) is data.Transaction:
            for p in entry.postings:
                key = (p.account, p.units.currency)
                if wanted is None or key in wanted:
                    out.setdefault(key, []).append((entry.date, p.units.number))
    return out


def _asserted(path: Path, balance) -> object:
    """The amount the books' month file asserts of `balance`'s day, account and currency, or None."""
    if not path.is_file():
        return None
    head = f"{balance.date.isoformat()} balance {balance.account} "
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(head):
            parts = balance_parts(line)
            if parts is not None and parts[2] == balance.amount.currency:
                return parts[3]
    return None


def cut_ends(statements: list[tuple[str, object]]) -> list[list[str]]:
    """Of each statement of an import (`statements`: its source, its Extraction), the
    balance it asserts of the close of its last day (of each account and currency) is
    left out where cut_off finds it lacks rows of that day, later than its last one, that
    another statement of the import asserting balances of the source holds; said (a note
    per statement). January's and February's WeChat fund bills with books in Los Angeles,
    imported with their trade bills: January's ends at China's midnight, 08:00 on LA's
    31 Jan, and its 0.00 at 07:30 is not that day's close, which February's asserts
    (its rows of the afternoon may be booked by February's trade bill first, and bring
    it no new line before the day to restate it by). The books' later rows of the day
    are those of a statement whose balance of the day the books hold already: the two
    meet in restated() and cut_off; a trade view's row after the fund view's last may be
    money the fund view books the next day (in_flight.py), and cuts nothing until the
    fund view's rows of it come (rest_of_day). Its other balances are of days it holds to
    their end; rows without a time say nothing of where in the day it ends: kept."""
    found: list[dict] = []
    for _, extraction in statements:
        last: dict[tuple[str, str], object] = {}
        if not all_transactions(extraction.entries):
            for entry in extraction.entries:
                if type(entry) is data.Balance:
                    key = (entry.account, entry.amount.currency)
                    if key not in last or entry.date > last[key].date:
                        last[key] = entry
        found.append({None: {(b.date.isoformat(), b.account, b.amount.currency): b.amount.number
                             for b in last.values()}} if last else {})
    asserting = [source for (source, _), of in zip(statements, found) if of]
    if len(set(asserting)) == len(asserting):   # no source with two statements asserting balances
        return [[] for _ in statements]
    before = [set(of.get(None, ())) for of in found]
    # (of the import's statements, those that assert balances: a trade view's row of the day
    # after the fund view's last may be money the fund view books the next day, in_flight.py;
    # and a later row the books hold is another statement's whose balance of the day the books
    # assert, which this one then restates or not by cut_off)
    said = cut_off(found, [(source, extraction.entries if of else []) for (source, extraction), of
                           in zip(statements, found)], None,
                   then="not asserted: the statement with the rest of the day asserts its close")
    for (_, extraction), were, of in zip(statements, before, found):
        gone = were - set(of.get(None, ()))
        if gone:
            kept = like(extraction.entries)   # (a spilled entry is not removed in place)
            kept.extend(e for e in extraction.entries if not (
                type(e) is data.Balance and (e.date.isoformat(), e.account, e.amount.currency) in gone))
            extraction.entries = kept
    return said


def cut_off(found: list[dict[Path, dict]], statements: list[tuple[str, object]], books: Books | None,
            then: str = "that one's balance kept") -> list[list[str]]:
    """Of the balances each statement of an import would restate (`found[i]`: restated()'s,
    of `statements[i]`: (its source, its entries)), those it took at a cut-off inside the
    day they close are taken out, and said (a note per statement). A balance dated D is
    the close of the day before it, and a statement knows that close only if it holds
    every row of the account of that day that the books, or the import's other
    statements, hold after its own last row of it: a PayPal download per Berlin month,
    with books in Los Angeles, ends at 15:00 on LA's last day of the month (the rest of
    the day is in the next month's download); its balance then, restated over the next
    download's close of the day, made the books differ by the order of import (DESIGN §2)
    and their assertion fail. So whichever statement holds the day's latest row says its
    close, in whatever order they come: one that comes first asserts what it knows, and
    the one with the rest of the day restates it (its rows of the day are new lines
    before it), and not the other way round. Rows without a time (a bank's lines, dated
    by the bank's day) say nothing of where in the day a statement ends: they restate as
    before. A row the statement holds under another view's id (`covers:`) is held."""
    wanted: dict[str, set[tuple[str, str, dt.date]]] = {}
    for (source, _), of_files in zip(statements, found):
        for amounts in of_files.values():
            wanted.setdefault(source, set()).update(
                (account, currency, dt.date.fromisoformat(day) - dt.timedelta(days=1))
                for day, account, currency in amounts)
    if not wanted:
        return [[] for _ in statements]
    rows = [_day_rows(entries, wanted[source]) if source in wanted else ({}, set())
            for source, entries in statements]
    held = {source: books.day_rows(source, keys) if books is not None else {} for source, keys in wanted.items()}
    out = []
    for at, ((source, _), of_files) in enumerate(zip(statements, found)):
        said = []
        own, holds = rows[at]
        for path, amounts in list(of_files.items()):
            for key in list(amounts):
                day, account, currency = key
                closes = (account, currency, dt.date.fromisoformat(day) - dt.timedelta(days=1))
                last = max((time or "" for time, _ in own.get(closes, ())), default=None) or None
                others = [*held[source].get(closes, ()),
                          *(row for other, (theirs, _) in enumerate(rows)
                            if other != at and statements[other][0] == source for row in theirs.get(closes, ()))]
                lacks = last and [time for time, ids in others
                                  if time and time > last and not any(i in holds for i in ids)]
                if lacks:
                    del amounts[key]
                    said.append(f"its balance of {day} is not the close of {closes[2]}: it lacks that day's rows "
                                f"after its last one ({last}), until {max(lacks)}, that another statement "
                                f"holds; {then}")
            if not amounts:
                del of_files[path]
        out.append(said)
    return out


def _day_rows(entries, wanted: set[tuple[str, str, dt.date]]) \
        -> tuple[dict[tuple[str, str, dt.date], list[tuple[str | None, list[str]]]], set[str]]:
    """Of a statement's entries: (account, currency, day) -> (`time:` or None, identities)
    of each row posting to the account in the currency that day, of those `wanted`; and the
    identities of its rows of those days and the days beside them (money another view
    books on the day before or after: books/in_flight.py), which the rows it holds carry."""
    days = {day for _, _, day in wanted}
    near = {day + dt.timedelta(days=step) for day in days for step in (-1, 0, 1)}
    out: dict[tuple[str, str, dt.date], list[tuple[str | None, list[str]]]] = {}
    holds: set[str] = set()
    for entry in entries:
        if type(entry) is not data.Transaction or entry.date not in near:
            continue
        ids = render.identities(entry)
        holds.update(ids)
        if entry.date in days:
            row = (entry.meta.get("time") or None, ids)
            for units in dict.fromkeys((p.account, p.units.currency) for p in entry.postings):
                if (*units, entry.date) in wanted:
                    out.setdefault((*units, entry.date), []).append(row)
    return out, holds


def detailed(known_balances: list, books: Books, source: str) -> dict[Path, dict]:
    """The balances the books already assert that a statement asserts with metadata:
    month file -> {(day, account, currency): (the statement's amount, its metadata)},
    for _detail to add what the books' line lacks of it."""
    out: dict[Path, dict] = {}
    for balance in known_balances:   # (what a fund view's balance counts in flight, in_flight.py restates)
        lines = _meta_lines({key: value for key, value in balance.meta.items() if key != in_flight.COUNTED})
        if lines:
            path = books.month_file(source, f"{balance.date:%Y-%m}")
            out.setdefault(path, {})[(balance.date.isoformat(), balance.account, balance.amount.currency)] = \
                (balance.amount.number, lines)
    return out


def plan(found: dict[Path, dict], changes: dict, root: Path, change=None) -> tuple[int, int]:
    """Rewrite the restated balance lines in `changes` (or the blocks `change(block,
    found[path])` gives: _detail); (how many files planned, how many left in closed
    months)."""
    closed = closed_months(root)
    planned = left = 0
    for path, amounts in sorted(found.items()):
        if path.stem in closed:
            left += len(amounts)
            continue
        if path.exists() or path in changes:
            rewrite_blocks(changes, path, lambda block, amounts=amounts: (change or _restate)(block, amounts))
            planned += 1
    return planned, left


def _restate(block: str, amounts: dict) -> str:
    """The block with its balance line saying the statement's amount, as the import
    writes a balance line (render.entry_text); its comment and metadata kept."""
    first, newline, rest = block.partition("\n")
    parts = balance_parts(first)
    if parts is None:
        return block
    day, account, currency, number, comment = parts
    said = amounts.get((day, account, currency))
    if said is None or number == said:
        return block
    return balance_line(day, account, said, currency) + comment + newline + rest


def _detail(block: str, said: dict) -> str:
    """The block with the metadata lines of the statement's assertion of the same amount
    (`said`: detailed()'s) that it lacks, after its own, as render.entry_text writes
    them; a person's comment and other lines kept."""
    held = block.splitlines(keepends=True)
    parts = balance_parts(held[0]) if held and held[0].endswith("\n") else None
    if parts is None:
        return block
    day, account, currency, number, _ = parts
    amount, lines = said.get((day, account, currency), (None, ()))
    if amount != number:
        return block
    at = 1
    while at < len(held) and META_LINE.match(held[at]):
        at += 1
    keys = {META_LINE.match(line).group(1) for line in held[1:at]}
    missing = [line + "\n" for line in lines if META_LINE.match(line).group(1) not in keys]
    return "".join(held[:at] + missing + held[at:]) if missing else block
