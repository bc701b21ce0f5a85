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
payments "charged about 0.00%", under the contract).

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
import re
import shlex
from pathlib import Path
from typing import Iterable, Iterator

from beanclear.config.model import ACCOUNT_ROOTS

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
    """What to say of every bank's and channel's account, and of the time zone, changed in
    the config only."""
    return renamed_banks(config) + renamed_channel_accounts(config) + rezoned(config)


def _advice(old: str, new: str) -> str:
    return (f"the books keep the name they were written with. Rename {old} to {new} in books/ too "
            "(accounts.beancount included), or remove books/ and import the statements again")


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
                   f"({month}:{line}): {_advice(account, bank.account)}")
    return out


def _root(account: str) -> str:
    return ":".join(account.split(":")[:2])


def renamed_channel_accounts(config) -> list[str]:
    """For each account of a channel the books of the channel never post to while they
    post to another of its kind (Expenses:Fees:… for `fees`) the config names nowhere:
    the old name of the renamed one, what to say. (A role the books never needed, a
    channel without chargebacks, has no account of its kind in them.)"""
    named = set(config.accounts())
    out = []
    for name, channel in config.channels.items():
        months = sorted((Path(config.books) / name).glob("*/*.beancount"))
        if not months:
            continue
        # Every command asks this: the start of the newest month file, not the books (a
        # month of a large merchant is tens of MB). A role its first MB does not use (a
        # rare chargeback) is not judged: nothing of its kind is posted there either.
        month = months[-1]
        with month.open(encoding="utf-8", errors="replace") as f:
            text = f.read(HEAD_CHARS)
        text = text[:text.rfind("\n") + 1] if len(text) == HEAD_CHARS else text
        posted = {}   # account: its first line
        for account, number, what in imported_lines(io.StringIO(text)):
            if what != "balance":
                posted.setdefault(account, number)
        for role, account in vars(channel.accounts).items():
            if not account or account in posted:
                continue
            kinds = {ACCOUNT_ROOTS[role], _root(account)}
            for old in sorted(a for a in posted if a not in named and _root(a) in kinds):
                out.append(f"channels.{name}.accounts.{role}: {account}, but the books of {name} post to {old} "
                           f"({month}:{posted[old]}): {_advice(old, account)}")
    return out


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


HEAD_CHARS = 1 << 20   # of the newest month file, what renamed_channel_accounts reads
