"""The lines in suspense a rule of config.yaml claims: `book --rule` books them too.

A rule is a person's word that lines of its text go to its account: the import books
such lines itself from then on (importers/banking.py claiming_rule: the first rule that
finds the text, where no channel's payout memo comes before it). Lines imported before it
wait in suspense, each a bank-unmatched, where one `book` per line was the way (a blind
tester's 25 Worldline settlements after `book WL0001 Income:Sales:Terminal --rule
"WORLDLINE GERMANY"`). So `book --rule` books, in its one write, every other open line in
suspense that the import would book to the rule's account now, each as `book` books a
line with a rule (its counter posting moved, `booked-from: "Assets:Suspense"`, for
`unlink` to put it back), and says which. An open line: a bank line whose counter posting
is in suspense, not split by hand, and no finding's by itself (one a person's entry
reclassified, or a pair of a line and the bank's reversal of it: checks/reversals.py);
one of a closed month stays where it is, said. A line claimed by another rule (first
match) is that rule's, not this one's.
"""

from __future__ import annotations

import dataclasses

from beancount.core import data

from beanclear.config.model import Rule


def claiming(config, rule, account: str, added: bool):
    """The config as it reads with the rule `book --rule` saves (`rule`: its pattern
    text; `added`: whether it was not in config.yaml already, and so not in `config`)."""
    if not added:
        return config
    from beanclear.resolve.booking import with_pattern
    return dataclasses.replace(config, rules=(*config.rules, Rule(with_pattern(rule), account)))


def claimed(config, entries, account: str, but=None) -> list:
    """The open bank lines in suspense (the module docstring) that the import, by
    `config`, would book to `account` now (a rule of that account the first to find their
    text: claiming_rule), in the books' order; `but`: an entry to leave out."""
    from beanclear.importers.banking import claiming_rule
    from beanclear.resolve.booking import as_bank_line, statement_text
    suspense = config.suspense
    banks = {b.account: name for name, b in config.banks.items()}
    found = []
    for entry in entries:
        if type(entry) is not data.Transaction or entry is but or \
                not any(p.account == suspense for p in entry.postings):
            continue
        line = as_bank_line(entry, banks, suspense)
        if line is None or line.counter != suspense or line.split:
            continue
        rule = claiming_rule(config, banks[line.bank_account], line.amount, statement_text(line))
        if rule is not None and rule.account == account:
            found.append(line)
    if not found:
        return []
    from beanclear.checks import suspense as suspended
    explained = {id(e) for pair in suspended.reclassified(entries, config) for e in pair[1:]}
    explained |= {id(e) for pair in suspended.reversed_pairs(entries, config) for e in pair}
    return [line for line in found if id(line.entry) not in explained]


def book_claimed(plan, config, entries, line, rule: str, account: str, added: bool) -> list[str]:
    """Add to `book`'s plan the booking of the other open lines in suspense that its
    rule claims (claimed), in open months; what it says of them (nothing for none)."""
    from beanclear.importers.banking import booked_as
    from beanclear.periods.closed import closed_months
    from beanclear.resolve import account_opens
    from beanclear.resolve.booking import moved
    others = claimed(claiming(config, rule, account, added), entries, account, but=line.entry)
    closed = closed_months(config.books)
    shut = [other for other in others if f"{other.date:%Y-%m}" in closed]
    booked = [other for other in others if other not in shut]
    for other in booked:
        target, peer = booked_as(config, other.bank_account, account)
        plan.edits += moved(config, other, target, peer, target)
        plan.appends.update(account_opens(config, entries, target))
    plan.data["also_booked"] = [other.ref for other in booked]
    plan.data["left_closed"] = [other.ref for other in shut]
    said = []
    if booked:
        many = len(booked) != 1
        said.append(f"{len(booked)} other line{'s' if many else ''} in {config.suspense} the rule claims booked "
                    f"there too: {', '.join(other.ref for other in booked)}")
    if shut:
        months = ", ".join(sorted({f"{other.date:%Y-%m}" for other in shut}))
        said.append(f"{len(shut)} of closed months left there ({months}: `beanclear reopen` first): "
                    + ", ".join(other.ref for other in shut))
    return said
