"""A row the books hold by its id: the same movement again, or a contradiction.

A statement's row is known by its id (README "once"): a re-download, an overlapping
statement or a file listing it again adds nothing. The same id with other money is no
repeat: the bank's re-download says the rent line of the 5th was -6500.00 where the books
say -6000.00. Counted "already in the books", the books kept the old amount and every
check agreed with them (blind29: a csv bank, a CAMT.053, a WeChat trade bill). So it is
refused, as two rows of one statement with one id and other amounts are (importing.py
once_per_id), naming the books' entry:

    ops-2.csv:5: id 'OPS11050901' is in the books (books/ops/2026/2026-11.beancount:13)
    with Assets:Bank:Ops -6000.00 CNY, but this file says -6500.00 CNY: ...

What is compared is what the row moves on the account its statement states the balance of
(Config.stated_accounts: a bank's account, a channel's clearing account): the money the
statement's balances count. A person's edits of the other side (the line booked elsewhere,
split by hand) leave it as it was, and so do the import's own (a payment routed to a
shop's receivable). Books.known reads it with each `id:` line, in the same pass
(lines.id_money): no entry of the books is parsed, and an id costs one look-up more only
where the books hold it.

Two entries are compared only where they name the same identities beside their id
(`covers:`): WeChat's fund bill books a payment's gross and its fee as two rows, its trade
bill one entry of the net that covers the fee (`covers: "fee …"`): two views of one
movement, not one row said twice. An entry a person changed (README "Re-importing a
statement": to keep its money out of the books, say) is left as they left it: where the
money differs, the books' entry is read (only then, all such in one pass: Rows.settle), and
one whose text is not what an import writes is said, not refused. An entry of a person's
own file (Books.kept_by_hand) is not compared; nor are rows whose statements say them
otherwise by design: a shop's orders (restated in place, statements/order_edits.py), rows
two of a channel's statements hold (books/late_rows.py, on the channel's own accounts) and a
payments export's payments as they stand (books/rests.py).

A balance assertion the books hold (a bank's, a channel's) is compared too, by its amount
(Books.known keeps it with its identity): one the import restates (late_balances.py: it
brings a line before it) is counted restated; one it does not stays as the books say, as
ever, but is said and counted apart; neither is "already in the books" (kept_otherwise).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from beancount.core import data
from beancount.parser import parser

from beanclear.books import render
from beanclear.books.late_views import entry_lines
from beanclear.config.model import Bank, Channel
from beanclear.importers.toolkit import StatementError


def held(number: str, currency: str, covers: str) -> str | None:
    """What Books.known keeps of an entry with its id (lines.id_money's groups): None where
    it posts nothing to its source's stated account."""
    if not number:
        return None
    return f"{number} {currency} {covers}" if covers else f"{number} {currency}"


def moved(entry, account: str) -> str | None:
    """held() of an entry an import books (what a later file of the import must move again)."""
    posting = next((p for p in entry.postings if p.account == account), None)
    return None if posting is None else held(str(posting.units.number), posting.units.currency,
                                             entry.meta.get("covers") or "")


def account_of(importer) -> str | None:
    """The account whose postings a row of `importer` must move again where the books hold
    its id; None where its rows are not compared here (see above)."""
    if getattr(importer, "shared_rows", None) is not None or getattr(importer, "snapshot", None) is not None:
        return None
    source = importer.source
    if isinstance(source, Channel):
        return source.accounts.clearing
    return source.account if isinstance(source, Bank) else None


def same(value: str | None, number: Decimal | None, currency: str | None, covers: str) -> bool:
    """Whether a row moving `number` `currency` on the stated account (None: nothing) with
    `covers` is what the books hold of its id (`value`: held()'s, or None). True where the
    two cannot be compared: the books' entry posts nothing there, or covers other
    identities (another view's entry)."""
    if type(value) is tuple:   # Rows.booked()'s
        value = value[0]
    if value is None or number is not None and value == held(str(number), currency, covers):
        return True   # (as the books write it, the usual case: no number read)
    held_number, held_currency, held_covers = _parts(value)
    if held_covers != covers or held_number is None:
        return True
    return number == held_number and currency == held_currency


def same_entry(value: str | None, entry, account: str) -> bool:
    """same() for an entry an import built."""
    if value is None or not isinstance(entry, data.Transaction):
        return True
    posting = next((p for p in entry.postings if p.account == account), None)
    return same(value, posting and posting.units.number, posting and posting.units.currency,
                entry.meta.get("covers") or "")


class Rows:
    """The rows of one import whose ids the books, or a file of the import before them,
    hold moving other money: see(), as each is found known; settle(), once all are."""

    def __init__(self, books):
        self.books = books
        self.suspects: list[tuple] = []   # (entry, the books' value, account, its FileResult)

    def see(self, entry, value, account: str, result) -> None:
        """A row found known (`value`: Books.known's of its id, or booked()'s): a file of
        this import that booked its id with other money is a contradiction at once; the
        books' entry is looked at by settle()."""
        if type(value) is tuple:   # booked by a file of this import: (value, its file, its line)
            value, path, line = value
            if not same_entry(value, entry, account):
                raise refusal(entry, value, account, f"{Path(path).name}:{line}")
        elif not same_entry(value, entry, account):
            self.suspects.append((entry, value, account, result))

    @staticmethod
    def booked(entry, account: str):
        """What to keep with the id of an entry the import books, for a later file's row
        of it (see()); None where it posts nothing to `account`."""
        value = moved(entry, account)
        return value and (value, entry.meta.get("filename", ""), entry.meta.get("lineno", 0))

    def settle(self) -> None:
        """The books' entries of the rows see() found moving other money, read in one pass:
        one as an import writes it is a contradiction (StatementError naming both); one a
        person edited (another layout, a comment, a posting added) stays as they left it,
        as every import leaves it (README "Re-importing a statement"), and is said."""
        if not self.suspects:
            return
        wanted: dict[str, set] = {}
        for entry, _, _, result in self.suspects:
            wanted.setdefault(result.importer.source.name, set()).add(entry.meta["id"])
        found: dict[tuple[str, str], tuple] = {}
        for name, idents in wanted.items():
            for path, line, ident, block in self.books.entry_blocks(name, idents.__contains__):
                found.setdefault((name, ident), (path, line, block))
        edited: dict[int, list] = {}
        for entry, value, account, result in self.suspects:
            name, ident = result.importer.source.name, entry.meta["id"]
            path, line, block = found.get((name, ident), (None, 0, None))
            where = f"{Path(self.books.root.name) / Path(path).relative_to(self.books.root)}:{line}" if path else ""
            if block is not None and not _edited(block):
                raise refusal(entry, value, account, where)
            edited.setdefault(id(result), [result]).append(f"{ident} ({where})" if where else ident)
        for result, *idents in edited.values():
            result.notes.append(f"{len(idents)} of its rows move other money than their entries in the books, which "
                                f"a person edited: left as they are (e.g. {idents[0]})")


def refusal(entry, value: str, account: str, where: str) -> StatementError:
    """The error of an entry whose id the books hold, at `where`, with other money."""
    number, currency, _ = _parts(value)
    posting = next((p for p in entry.postings if p.account == account), None)
    said = f"{posting.units.number} {posting.units.currency}" if posting is not None else "nothing there"
    return StatementError(entry.meta.get("filename", ""), entry.meta.get("lineno", 0),
                          f"id {entry.meta['id']!r} is in the books ({where}) with {account} {number} {currency}, "
                          f"but this file says {said}: one id is one movement (a statement issued again with other "
                          "amounts? the books keep theirs: correct or remove the entry there, then import this file)")


def same_balance(value: str | None, balance) -> bool:
    """Whether a balance assertion is what the books assert of its account, day and
    currency (`value`: Books.known's, its amount as written; None: not compared)."""
    if value is None:
        return True
    try:
        return Decimal(value.replace(",", "")) == balance.amount.number
    except InvalidOperation:
        return True


def keys(balances) -> set[tuple[str, str, str]]:
    """(day, account, currency) of `balances`: FileResult.otherwise's pairs, or a
    late_balances.restated() dict (month file -> {key: amount})."""
    if isinstance(balances, dict):
        return {key for amounts in balances.values() for key in amounts}
    return {(b.date.isoformat(), b.account, b.amount.currency) for b, _ in balances}


def amounts(otherwise: list) -> dict[tuple[str, str, str], Decimal]:
    """(day, account, currency) -> the amount the books assert, of FileResult.otherwise's
    pairs whose amount reads as a number."""
    out = {}
    for balance, held in otherwise:
        try:
            out[(balance.date.isoformat(), balance.account, balance.amount.currency)] = Decimal(held.replace(",", ""))
        except InvalidOperation:
            continue
    return out


def kept_otherwise(result, restated: dict, books, judged=None, shut=()) -> None:
    """Of the balances a statement asserts that the books assert with other amounts
    (FileResult.otherwise), those the import restates (`restated`: month file ->
    {(day, account, currency): amount}, late_balances.restated's and the like, but in
    the months `shut` by `beanclear close`) are counted restated; those it does not judge
    (`judged`: the keys it would restate before late_balances.cut_off took out those of a
    statement cut inside their day, which say so themselves; default: `restated`'s) are
    kept as the books say, as a download that brings no line before them always was
    (late_balances.py). Neither is a balance "already in the books" (blind29: 19 balances
    500.00 lower counted so; blind31: a WeChat fund bill's, restated to the new amount or
    not): each is counted apart, and the kept ones said."""
    done = {key for path, amounts in restated.items() if path.stem not in shut for key in amounts}
    judged = keys(restated) if judged is None else judged
    again = sum(1 for b, _ in result.otherwise if (b.date.isoformat(), b.account, b.amount.currency) in done)
    kept = [(b, held) for b, held in result.otherwise
            if (b.date.isoformat(), b.account, b.amount.currency) not in judged]
    result.otherwise = []
    result.known -= again + len(kept)
    result.asserted_known -= again + len(kept)
    result.asserted_restated += again
    if not kept:
        return
    result.asserted_apart += len(kept)
    first, held = kept[0]
    month = books.month_file(result.importer.source.name, f"{first.date:%Y-%m}").relative_to(books.root.parent)
    result.notes.append(
        f"{len(kept)} of its balances the books assert with other amounts, and no line it brings comes before them: "
        f"kept as the books say (e.g. {first.account} on {first.date}: {first.amount.number} {first.amount.currency}, "
        f"the books {held} {first.amount.currency} in {month}); the {_who(result)} says otherwise of its lines, or of "
        "the days before them (a line it no longer lists?): compare the two")


def _who(result) -> str:
    return "bank" if isinstance(result.importer.source, Bank) else "channel"


def _edited(block: str) -> bool:
    """Whether the books' entry `block` (Books.entry_blocks') is not as an import writes it:
    its text is not what render.entry_text makes of it."""
    lines, _ = entry_lines(block.lstrip("\n"))
    text = "".join(lines).rstrip("\n") + "\n"
    entries, errors, _ = parser.parse_string(text)
    return bool(errors) or len(entries) != 1 or not isinstance(entries[0], data.Transaction) \
        or render.entry_text(entries[0]) != text


def _parts(value: str) -> tuple[Decimal | None, str, str]:
    number, currency, *covers = value.split(" ", 2)
    try:
        return Decimal(number.replace(",", "")), currency, covers[0] if covers else ""
    except InvalidOperation:   # a number a person wrote otherwise: not compared
        return None, currency, covers[0] if covers else ""
