"""One cause, one finding in bean-check and Fava too: the balance assertions that fail
only because a statement is missing are held until it is imported.

February's bank statement never imported leaves its lines out of the books, and every
balance the March statement asserts fails by what February moved:

    2026-01-31 balance Assets:Bank:Ops   101.00 CNY    ; holds
    ;                                                  ; no statement covers February
    2026-03-03 balance Assets:Bank:Ops   152.00 CNY    ; 50.00 CNY too little
    2026-03-06 balance Assets:Bank:Ops   153.00 CNY    ; 50.00 CNY too little

`beanclear check` says so once: the hole's statement-gap, an error, takes them in
(checking.fold). Beancount checks every `balance` after the plugins ran, so bean-check
and Fava's error page listed each of them besides (a year of daily assertions behind
one missing month: hundreds). The checks plugin, when it runs every check in one plugin
run (`plugin "beanclear.plugins.checks"`, the line `init` writes), folds its findings
the same way and hands Beancount, for each assertion a finding took in, an entry it
does not check, at the same file and line:

    2026-03-03 custom "beanclear-balance-held" Assets:Bank:Ops 152.00 CNY -50.00 CNY

(the account, the balance the statement asserts, how far the books are off). The files
are not changed: once the statement is imported there is no hole, and Beancount checks
the assertions again. beanclear's own readers (books.load, the Fava page) get them back
as Beancount would have failed them (`restored`), so the report, close and carry
forward read the statements' balances as before. The balance pass this takes runs only
where a source that asserts balances has days between its statements that none covers,
or a person's own entries of the days they cover (statements/cut_over.py: the same
holding, for the assertions those entries alone make fail).
"""

from __future__ import annotations

import datetime as dt

from beancount.core import account, amount, data
from beancount.parser.grammar import ValueType

HELD = "beanclear-balance-held"
KEY = "beanclear_balances_held"   # options map: (file, line) -> (the assertion as failed, its error)


def hold(entries, options_map, load, found: list) -> list:
    """`found` (the plugin's findings) folded as `beanclear check` folds its report, with
    Beancount's failed assertions among them; each assertion a finding took in is
    replaced in `entries` (in place) by its held entry. The assertions are computed
    only where a source that asserts balances has a day its statements leave out, or own
    entries of days they cover: else none fails for either, and the rest is Beancount's to
    report."""
    from beanclear.checks import checking, missing_rows
    from beanclear.statements import cut_over
    config, cover, asserted = load.config, load.cover(entries), load.walk(entries).asserted
    gapped = {name for name, source in missing_rows.asserting_sources(config).items()
              if cover.gapped(source) or _asserted_past(cover, source, asserted.get(name))}
    # and where a person's own entries book money of the statements' days (cut_over.folded)
    gapped |= {f.account for f in found if cut_over.is_overlap(f) and f.account in asserted}
    checked, failed = (entries, []) if not gapped else _checked(entries, options_map, gapped)
    as_found = [checking.beancount_finding(error, config.root) for error in failed]
    folded = checking.fold(as_found + found, checked, config, load)
    kept = {(f.file, f.line) for f in folded if f.code == "beancount"}
    taken = {id(error.entry): error for error, f in zip(failed, as_found) if (f.file, f.line) not in kept}
    if taken:
        held = options_map.setdefault(KEY, {})
        for at, (entry, as_checked) in enumerate(zip(entries, checked)):
            error = taken.get(id(entry))
            if error is not None:
                entries[at] = data.Custom(entry.meta, entry.date, HELD, [
                    ValueType(entry.account, account.TYPE), ValueType(entry.amount, amount.Amount),
                    ValueType(as_checked.diff_amount, amount.Amount)])
                held[_place(entry)] = (as_checked, error)
    return folded


def _asserted_past(cover, source: str, last_asserted) -> bool:
    """Whether the source's balance is asserted past the day after its statements end: a
    balances file of a day whose transactions are missing (seed 33399 without PayPal's
    last day of rows: its balance of the next morning failed in bean-check, folded in
    check's statement-gap). The day after is a statement's own closing balance."""
    end = cover.shown_end(source)
    return last_asserted is not None and end is not None and last_asserted > end + dt.timedelta(days=1)


def _checked(entries, options_map, accounts: set[str]) -> tuple[list, list]:
    """Beancount's balance check of the assertions of `accounts` (and their sub-accounts),
    run on their entries only: (the entries, each of those assertions as it checked it;
    its errors). The other assertions are Beancount's to check after the plugins."""
    from beancount.ops import balance

    under = tuple(f"{name}:" for name in accounts)
    Transaction, Balance, Open = data.Transaction, data.Balance, data.Open
    mine = [e for e in entries if isinstance(e, Open) or
            (isinstance(e, Balance) and e.account in accounts) or
            (isinstance(e, Transaction) and any(p.account in accounts or p.account.startswith(under)
                                                for p in e.postings))]
    checked, failed = balance.check(mine, options_map)   # one entry out for each in, in order
    diffed = {id(before): after for before, after in zip(mine, checked) if after is not before}
    return [diffed.get(id(e), e) for e in entries], failed


def restored(entries, errors, options_map) -> tuple[list, list]:
    """The books as Beancount would have checked them without the holding: each held
    entry back as the assertion it stands for, failed (`diff_amount` set), and its
    error among Beancount's balance errors, in the books' order. The same lists where
    the load held none."""
    held = (options_map or {}).get(KEY)
    if not held:
        return entries, errors
    from beancount.ops.balance import BalanceError
    from beancount.ops.validation import ValidationError

    out, back = [], []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == HELD and _place(entry) in held:
            entry, error = held[_place(entry)]
            back.append(error)
        out.append(entry)
    out.sort(key=data.entry_sortkey)   # an assertion sorts before its day's transactions, a custom among them
    rest = [e for e in errors if not isinstance(e, BalanceError)]
    # Beancount gives its balance errors after the plugins' and before validation's
    at = next((i for i, e in enumerate(errors) if isinstance(e, (BalanceError, ValidationError))), len(errors))
    failed = sorted([e for e in errors if isinstance(e, BalanceError)] + back,
                    key=lambda e: data.entry_sortkey(e.entry))
    return out, rest[:at] + failed + rest[at:]


def _place(entry) -> tuple:
    return entry.meta.get("filename"), entry.meta.get("lineno")
