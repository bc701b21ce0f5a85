"""A bank's or a channel's account renamed in config.yaml after the books were written
with the old name.

`beanclear init` writes a bank's account as a default to rename (`Assets:Bank:CSV`) and
imports at once. Renamed in the config only, the books still post to the old name:
the report finds no statement balance for the new one and settles nothing, and new
imports would book the same bank under two names. Every command that loads the config
says so first (exit 2), with the way out, rather than quietly splitting the bank.

    config.yaml:   banks: {ops: {account: Assets:Bank:HZ}}
    books/ops/2026/2026-10.beancount:
        2026-10-01 * "支付宝" "支付宝提现"
          id: "B1"
          Assets:Bank:CSV     2345.67 CNY     <- the bank's own line: the first posting

A channel's accounts the same: `accounts: {fees: Expenses:Fees:Tenpay}` added after the
books posted its fees to Expenses:Fees:WeChat left the fee check nothing to read (12 of 12
payments "charged about 0.00%", under the contract). A shop's the same. Judged on the
newest month files back to one that posts to them (blind9: PayPal's newest month file
held the statement's closing balance alone, dated the day after its last line, and
PayPal's sales and fees renamed were said by no command; the report showed its sales
0.00).

The way out fits the books: beanclear's own may be rebuilt, but books init adopted (a
person's own files among them) never are; and where one of their files opens the new
name, renaming accounts.beancount's `open` too would open it twice.

The books' time zone the same: `timezone` dates the UTC times of the statements, and
main.beancount keeps the one they were written in (`custom "beanclear-timezone"`, since
blind8). Changed in the config only, re-imports found the first statements imported
before and later ones were dated in the new zone (a PayPal payment at 19:18 EST on 2
March booked on the 3rd at 08:18:33: 339 lines unlike a rebuild). Books without the
line, written before it, say no zone: nothing is said of them.

Only what the import wrote is judged: its entries, each with the source's `id:`. A
person's own entry in a month file (a counter sale to Income:Sales:Counter in WeChat's,
whose payments post to the shop's receivable, never to Income:Sales:WeChat) names an
account of their own, not an old name of the config's.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path
from typing import Iterable, Iterator

from beanclear.config.model import ACCOUNT_ROOTS, owning

_ENTRY = re.compile(r"^\d{4}-\d{2}-\d{2} (?:\*|!) ")
_BALANCE = re.compile(r"^\d{4}-\d{2}-\d{2} balance ([A-Z][A-Za-z0-9-]*(?::[A-Z0-9][A-Za-z0-9-]*)+)\s")
_POSTING = re.compile(r"^  ([A-Z][A-Za-z0-9-]*(?::[A-Z0-9][A-Za-z0-9-]*)+)\s")
_ID = re.compile(r"^  id: ")
_ZONE = re.compile(r'^\d{4}-\d{2}-\d{2}[ \t]+custom[ \t]+"beanclear-timezone"[ \t]+"([^"\\]*)"', re.M)


def imported_lines(lines: Iterable[str]) -> Iterator[tuple[str, int, str]]:
    """(account, line, what) of each line the import wrote on an account, in order: what
    is "balance" for an assertion, "first" or "posting" for a posting of an entry that
    holds an `id:` (before its postings; a person's entry has none)."""
    imported = first = False
    for number, line in enumerate(lines, 1):
        if found := _BALANCE.match(line):
            yield found.group(1), number, "balance"
        if _ENTRY.match(line):
            imported, first = False, True
        elif _ID.match(line):
            imported = True
        elif found := _POSTING.match(line):
            if imported:
                yield found.group(1), number, "first" if first else "posting"
            first = False
        elif not line.startswith(" "):
            imported = first = False


def first_posting(path: Path) -> tuple[str, int] | None:
    """The account of the first imported transaction's first posting in a bank's month
    file, or of its first balance assertion, and its line."""
    with open(path, encoding="utf-8") as fh:
        return next(((account, number) for account, number, what in imported_lines(fh) if what != "posting"), None)


def renamed(config) -> list[str]:
    """What to say of every bank's, channel's and shop's account, and of the time zone,
    changed in the config only; and of every source taken out of it while the books still
    include its statements (dropped.py)."""
    from beanclear.books.dropped import dropped
    return renamed_banks(config) + renamed_source_accounts(config) + rezoned(config) + dropped(config)


def _advice(config, old: str, new: str) -> str:
    """The way out, for the books at hand: books beanclear started alone may be rebuilt;
    books holding files of the merchant's own (adopted by init) never are, and where one
    of those opens the new name, accounts.beancount's `open` of the old one goes, not
    renamed (Beancount: "Duplicate open directive"), with its opening: their files hold
    that money already (README, init's last line)."""
    from beanclear.books.lines import OPEN_LINE
    theirs, opener, written = _looked(config, new)
    said = f"the books keep the name they were written with. Rename {old} to {new} in books/ too"
    if opener and old in OPEN_LINE.findall(written):
        opening = re.search(rf'^  id: "opening {re.escape(old)}[ "]', written, re.M)
        what = "its `open` line and its \"Opening balance\"" if opening else "its `open` line"
        said += (f", but take {what} out of accounts.beancount rather than rename {'them' if opening else 'it'}: "
                 f"{opener} opens {new} already")
    else:
        said += " (accounts.beancount included)"
    return said if theirs else said + ", or remove books/ and import the statements again"


def adopted(config) -> bool:
    """Whether the books hold files of the merchant's own (adopted by init, or written
    beside beanclear's): such books are never to be rebuilt."""
    return _looked(config, None)[0]


def _looked(config, new: str | None) -> tuple[bool, str | None, str]:
    """(whether the books hold files of the merchant's own, `file:line` of the first of
    their files that opens `new`, accounts.beancount's text), from the files the books
    include but the sources' month files."""
    from beanclear.books import MAIN_HEADER, OPEN_LINE, included
    root = Path(os.path.normpath(config.books))
    main, accounts = root / "main.beancount", root / "accounts.beancount"
    beanclears = {accounts, root / "prices.beancount", root / "acks.beancount"}
    theirs, opener, written = False, None, ""
    for path, text in included.own_texts(main, set(root.glob("*/*/*.beancount"))):
        if path == accounts:
            written = text
        if path in beanclears:
            continue
        theirs = theirs or path != main or not text.startswith(MAIN_HEADER)
        found = None if opener or new is None else next((m for m in OPEN_LINE.finditer(text) if m.group(1) == new),
                                                        None)
        if found:
            opener = f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
    return theirs, opener, written


def renamed_banks(config) -> list[str]:
    """For each bank whose books post to another account than its config's, what to say.
    The newest month file that says an account is read, a few lines of it: the books
    are written by one writer, every line of a bank to its one account."""
    out = []
    for name, bank in config.banks.items():
        found = None
        for month in sorted((Path(config.books) / name).glob("*/*.beancount"), reverse=True):
            found = first_posting(month)
            if found is not None:
                break
        if found is None or found[0] == bank.account:
            continue
        account, line = found
        out.append(f"banks.{name}.account: {bank.account}, but the books of {name} post to {account} "
                   f"({month}:{line}): {_advice(config, account, bank.account)}")
    return out


def _root(account: str) -> str:
    return ":".join(account.split(":")[:2])


# Where each account of a channel's or a shop's lives by default: its kind.
ROOTS = {**ACCOUNT_ROOTS, "receivable": "Assets:Receivable", "gift_cards": "Liabilities:GiftCards"}


def renamed_source_accounts(config) -> list[str]:
    """For each account of a channel or a shop the books of the source never post to
    while they post to another of its kind (Expenses:Fees:… for `fees`) the config names
    nowhere: the old name of the renamed one, what to say. (A role the books never
    needed, a channel without chargebacks, has no account of its kind in them.)"""
    named = set(config.accounts())
    out = []
    for group, sources in (("channels", config.channels), ("shops", config.shops)):
        for name, source in sources.items():
            roles = {role: account for role, account in vars(source.accounts).items() if account}
            kinds = {role: {ROOTS[role], _root(account)} for role, account in roles.items()}
            posted = _posted(Path(config.books) / name, roles, kinds, named)
            for role, account in roles.items():
                if account in posted:
                    continue
                for old in sorted(a for a in posted if a not in named and _root(a) in kinds[role]):
                    month, line = posted[old]
                    out.append(f"{group}.{name}.accounts.{role}: {account}, but the books of {name} post to {old} "
                               f"({month}:{line}): {_advice(config, old, account)}")
    return out


def _posted(folder: Path, roles: dict, kinds: dict, named: set) -> dict[str, tuple[Path, int]]:
    """Account -> (month file, line) of the first posting the import wrote there, of the
    source's month files newest first until every role is decided (its account posted,
    or one of its kind the config names nowhere). Every command asks this, so it reads
    HEAD_CHARS in all, from the start of each file (a month of a large merchant is tens of
    MB), and parses a file only where a posting of an undecided role's kind is in it. The
    newest file may hold no posting (a statement's closing balance, dated the day after
    its last line), or none of a role (a payout alone): the files before it are read.
    A role none of them uses (a rare chargeback) is not judged: nothing of its kind is
    posted there either."""
    posted: dict[str, tuple[Path, int]] = {}
    left = HEAD_CHARS
    for month in sorted(folder.glob("*/*.beancount"), reverse=True):
        undecided = {kind for role, account in roles.items() if account not in posted
                     and not any(a not in named and _root(a) in kinds[role] for a in posted) for kind in kinds[role]}
        if not undecided or left <= 0:
            break
        with month.open(encoding="utf-8", errors="replace") as f:
            text = f.read(left)
        left -= len(text)
        text = text[:text.rfind("\n") + 1] if left <= 0 else text
        if not re.search(rf"^  (?:{'|'.join(map(re.escape, sorted(undecided)))})[:\s]", text, re.M):
            continue
        for account, number, what in imported_lines(io.StringIO(text)):
            if what != "balance":   # a sub-account of one the config names is that one's (a fee moved to
                posted.setdefault(owning(account, named) or account, (month, number))   # …:Fees:Stripe:Card)
    return posted


def rezoned(config) -> list[str]:
    """What to say where main.beancount records another zone than the config's `timezone`."""
    main = Path(config.books) / "main.beancount"
    try:
        text = main.read_text(encoding="utf-8", errors="replace")
    except OSError:   # no books yet
        return []
    found = _ZONE.search(text)
    old, new = (found.group(1) if found else None), config.timezone.key
    if old is None or old == new:
        return []
    line = text.count("\n", 0, found.start()) + 1
    rebuild = (f"rm -rf {shlex.quote(str(config.books))} && beanclear import -c {shlex.quote(str(config.path))} "
               "<your statements>")
    return [f"timezone: {new}, but the books were written in {old} ({main}:{line}): their UTC times are "
            f"dated in that zone. Set timezone back to {old}, or rebuild the books in {new}: `{rebuild}`"]


HEAD_CHARS = 1 << 20   # of a source's month files in all, what renamed_source_accounts reads
