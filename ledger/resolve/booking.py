"""Book a bank line nothing explains to an account, and remember it as a rule.

    beanclear book 20260316000080 Expenses:Hosting --payee "Aliyun" --rule "ALIYUN"

moves the line's counter posting from Assets:Suspense (or from a channel's transit
account, for a credit booked as a payout no payout explains) to the account, sets the
payee and narration when given, opens the account in accounts.beancount if the books
do not yet, and with --rule appends `{match: PATTERN, account: ACCOUNT}` to the
`rules:` of config.yaml as lines of their own, every other line of the file as it was
(config/writer.py), so the next import books such lines itself. The pattern must find the line's
text, or it would not have booked this line either.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from beanclear.books.edits import Edit
from beanclear.checks.items import refs
from beanclear.config import writer
from beanclear.config.model import ACCOUNT_RE, WALLET_TYPES
from beanclear.importers.toolkit.places import shown
from beanclear.resolve import BadValue, Plan, ResolveError, account_opens, refuse_closed


def bank_line(entries, config, ref: str):
    """The bank line `ref` names (a BankLine), whatever it is booked to: the line whose
    statement id it is, else the one line of which it is another ref a finding lists
    (items.REF_KEYS: the OFX FITID, the MT940 bank reference, as `beanclear check`
    shows them; a blind tester's `book F9` was refused while `ack … F9` took it). The one
    resolver of `book`, `link` and `unlink` (and of the page's buttons); a reference two
    lines share is refused, naming them by their bank's name and id (`boc:000001`: two
    banks' CSVs number their lines alike), which names one."""
    from beancount.core import data
    banks = {b.account: name for name, b in config.banks.items()}
    found = _lines_named(entries, config, ref, banks)
    bank, _, own = ref.partition(":")
    if not found and own and bank in config.banks:   # `boc:000001`
        found = [line for line in _lines_named(entries, config, own, banks)
                 if line.bank_account == config.banks[bank].account]
    if len(found) == 1:
        if "original-amount" in found[0].entry.meta and not found[0].split:   # what it takes from transit (matching reads it so)
            from beanclear.matching.core import amount_sent, books_paid
            found[0].sent = amount_sent(config, found[0], books_paid(entries, config))
        return found[0]
    if not found:
        row = next((e for e in entries if isinstance(e, data.Transaction) and e.meta and ref in refs([e])
                    and any(p.account == config.suspense for p in e.postings)), None)
        if row is not None:   # a channel's own row in suspense (a PayPal or wallet payment to someone)
            from beanclear.checks.findings import relative
            where = f"{relative(row.meta.get('filename'), config.root)}:{row.meta.get('lineno')}"
            raise ResolveError(f"{ref!r} is a row of a channel's statement, not a bank line: `book`, `link` and "
                               f"`match` take bank lines; classify it by hand, moving its {config.suspense} posting "
                               f"to the account in its entry ({where}), or with an entry of your own (README "
                               "\"Reclassify by hand\")")
        raise ResolveError(f"no bank line has the id or reference {ref!r} (the bank's own reference, as "
                           "`beanclear check` shows it)")
    # their ids name them, else (two banks' lines of one id) their banks' names and ids do
    by_bank = len({l.ref for l in found}) < len(found) == len({(l.bank_account, l.ref) for l in found})
    raise ResolveError(f"{ref!r} names {len(found)} bank lines: " + ", ".join(
        f"{banks[l.bank_account] + ':' if by_bank else ''}{l.ref} ({shown(l.amount, l.currency)} {l.currency} "
        f"on {l.date}, {l.bank_account})" for l in found)
        + ("; name one as its bank's name and its id, as listed" if by_bank else "; name one by its id"))


def _lines_named(entries, config, ref: str, banks) -> list:
    """The bank lines whose statement id `ref` is, else those of which it is another ref."""
    from beancount.core import data
    by_id, by_ref = [], []
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta and ref in refs([entry]):
            line = as_bank_line(entry, banks, config.suspense)
            if line is not None:
                (by_id if str(entry.meta.get("id", "")) == ref else by_ref).append(line)
    return by_id or by_ref


def as_bank_line(entry, banks, suspense: str):
    """The entry as a bank line (a BankLine), a line split by hand among them; else None:
    matching.as_bank_line, the one reading of what a bank line is (`match` and the
    actions read a split line alike)."""
    from beanclear.matching.core import as_bank_line as read
    return read(entry, banks, suspense)


def split_by_hand(line, config) -> str:
    """What a line split by hand with nothing left in suspense is, for the refusals that
    name it: nothing of it is open (README "A line split by hand")."""
    return (f"bank line {line.ref} is split by hand ({', '.join(line.split)}) and has nothing left in "
            f"{config.suspense}")


def unexplained(line, config) -> bool:
    transit = {ch.accounts.transit for ch in config.channels.values()}
    return line.counter == config.suspense or (
        line.counter in transit and not any(l.startswith("payout-") for l in line.entry.links))


def _paired(line, config, entries, load=None) -> bool:
    """Whether a bank line the import took for a payout's credit (on a channel's transit
    account, no payout link) is one: the clearing check pairs it with a payout by amount
    and day, and finds nothing of it (a blind helper's `book` of such a credit moved it to
    an expense and made its payout payout-missing)."""
    if line.counter == config.suspense or not unexplained(line, config):   # not a transit line unlinked
        return False
    from beanclear.checks import reconcile
    load = load if load is not None else reconcile.Load(entries, config)   # (the load's own, where it ran)
    load.run(entries, ("clearing",))
    ref = str(line.entry.meta.get("id", ""))
    return not any(ref in f.refs for f in load.findings["clearing"])


# What the statement said of a line `book` retitled: the text the import's rules and
# payout memos read, so that `unlink` books it back where the import put it (before, a
# retitled line went back to suspense: the rule no longer found its new narration).
STATEMENT_TEXT = "statement-text"

# Where `book`, `link` or `match --apply` found a line it moved (Assets:Suspense, mostly),
# written when the line's text cannot say it afterwards: a rule (`--rule`, or one in
# config.yaml already) claims the line, or a person retitled it by hand (a wire the
# import put in suspense, retitled "Stripe payout via HK agent?", reads as a Stripe
# payout's credit). The month report puts the line back there to judge the month's end
# (resolve/imported.py); unlink books it back there too, whatever rule claims it now.
BOOKED_FROM = "booked-from"


# The payee the statement gave a line whose payee `book --payee` replaced ("" for none):
# with it, `statement-text` says the line's title again, for `unlink` to give it back.
STATEMENT_PAYEE = "statement-payee"


def statement_title(entry) -> tuple[str | None, str] | None:
    """The payee and narration the import gave a bank line: its own, or where `book`
    retitled it, what `statement-text` says (the payee, a space and the narration; the
    narration alone without a payee), the payee being `statement-payee` where book
    replaced it. None where the books cannot say: a payee replaced before book kept it."""
    meta = entry.meta
    if STATEMENT_TEXT not in meta:
        return entry.payee or None, entry.narration or ""
    text = str(meta[STATEMENT_TEXT])
    payee = str(meta[STATEMENT_PAYEE]) if STATEMENT_PAYEE in meta else entry.payee or ""
    if not payee:   # (books written before began the text with the space of no payee)
        return None, text.strip()
    if text == payee or text.startswith(payee + " "):
        return payee, text[len(payee) + 1:]
    return None


def statement_text(line) -> str:
    """The payee and memo as the import's rules read them (importers/banking.py classify)."""
    title = statement_title(line.entry)
    return str(line.entry.meta[STATEMENT_TEXT]) if title is None else f"{title[0] or ''} {title[1]}"


def import_account(config, line) -> str:
    """Where the import books a bank line like this one (importers/banking.py classify)."""
    return import_target(config, line)[0]


def import_target(config, line) -> tuple[str, str | None]:
    """(import_account, the other bank's account where that is a transfer between two of
    the banks: banking.booked_as)."""
    from beanclear.importers.banking import booked_as, explaining_account
    bank = next((name for name, b in config.banks.items() if b.account == line.bank_account), None)
    return booked_as(config, line.bank_account, explaining_account(config, bank, line.amount, statement_text(line)))


def booked_from(config, line, imports_to: str | None = None) -> tuple[str, str] | None:
    """The `booked-from` line to write on a line moved out of where it is, when its text
    will not lead back there: where the import books it (`imports_to`; a rule book adds,
    or by default import_account) is elsewhere. None when the line has one already. A
    side of a transfer was booked as the other bank's account it names (`booked-from:
    "Assets:Bank:Payroll"`): banking.booked_as gives back both the transfers account and
    that name, which `unlink` writes again."""
    from beanclear.importers.stated import TRANSFER_WITH
    if BOOKED_FROM in line.entry.meta:
        return None
    imports_to = import_account(config, line) if imports_to is None else imports_to
    if imports_to == line.counter:
        return None
    peer = line.entry.meta.get(TRANSFER_WITH) if line.counter == config.transfers else None
    return BOOKED_FROM, str(peer) if peer else line.counter


def unlinked_account(config, line) -> str:
    """Where `unlink` books a line back: where it was before `book`, `link` or `match
    --apply` first moved it (`booked-from`, which its text no longer says), else where its
    text leads (import_account: a rule's account, a channel's transit, suspense), but for
    a line in suspense a rule added since its import claims: it stays. A rule claiming its
    text does not keep it from going back where it was (blind9: `book --rule` then
    `unlink` left the line in the rule's account, with its `booked-from`, where the README
    promised the books back byte for byte; the rule stays in config.yaml, for the lines
    imported from then on)."""
    return unlinked_target(config, line)[0]


def unlinked_target(config, line) -> tuple[str, str | None]:
    """(unlinked_account, the other bank's account of a transfer: import_target)."""
    from beanclear.importers.banking import booked_as
    from beanclear.importers.base import rule_account
    was = line.entry.meta.get(BOOKED_FROM)
    if was is not None:
        return booked_as(config, line.bank_account, str(was))
    if line.counter == config.suspense and rule_account(config, statement_text(line)) is not None:
        # in suspense, and no booking moved it there: a rule added since its import (book
        # --rule's, once unlinked) books it at `book`, never at an unlink (done twice, the
        # second booked it by the rule)
        return line.counter, None
    return import_target(config, line)


def transfer_meta(line, peer: str | None) -> tuple[list, tuple | None]:
    """What makes a line name `peer` as the other bank of its transfer (stated.TRANSFER_WITH)
    or, None, name none: ([the edit that takes the name it has off], the line to add)."""
    from beanclear.importers.stated import TRANSFER_WITH
    entry = line.entry
    have = entry.meta.get(TRANSFER_WITH)
    have = str(have) if have is not None else None
    if have == peer:
        return [], None
    gone = [Edit(entry.meta["filename"], entry.meta["lineno"], remove_meta=(TRANSFER_WITH,))] if have else []
    return gone, ((TRANSFER_WITH, peer) if peer else None)


def transfer_said(config, line, target: str, peer: str | None) -> str:
    """What `book` says of a line it booked to the transfers account (banking.booked_as)."""
    if target != config.transfers:
        return ""
    other = next((name for name, b in config.banks.items() if b.account == peer), None)
    side = (f"a transfer {'to' if line.amount < 0 else 'from'} {other} ({peer}), whose own statement books its "
            "side; the check pairs the two there") if other else \
        "a transfer between own accounts; the check pairs it there with the other bank's line"
    return f": {side}"


def refuse_account(config, line, ref: str, account: str) -> None:
    """Refuse the accounts a bank line can never be booked to: its own bank's (the
    entry would move nothing, and the bank's balance be off by the line: a blind
    tester's `book` wrote `Assets:Bank:Chase -85.40 / Assets:Bank:Chase 85.40`) and a
    channel's clearing account (money between a bank and a channel meets the channel's
    payout or top-up in its transit account; the channel's statement books its side of
    it into clearing, which would count it twice), but for a debit paying through a
    personal wallet, which the import books into the wallet's clearing account itself
    (importers/banking.py). Another bank's account is a transfer (booked to the transfers
    account: `book`), a channel's transit account a payout's credit: both are booked."""
    if account == line.bank_account:
        raise ResolveError(f"bank line {ref} is the bank's own line on {account}: booked there it would move "
                           "nothing, and the bank's balance be off by its amount; book it to what it paid or what "
                           "paid it (another bank's account for a transfer)")
    channel = next((name for name, ch in config.channels.items() if ch.accounts.clearing == account
                    and not (ch.type in WALLET_TYPES and line.amount < 0)), None)
    if channel is not None:
        raise ResolveError(f"bank line {ref} cannot be booked to {account}, the clearing account of {channel}: "
                           f"a bank line meets the channel's payout or top-up in its transit account "
                           f"({config.channels[channel].accounts.transit}), and the channel's statement books "
                           "its own side into clearing")


def book(config, entries, ref: str, account: str, payee: str | None = None, narration: str | None = None,
         rule: str | None = None, load=None) -> Plan:
    """`load`: the reconcile.Load of the load of `entries`, where the plugins left one
    (its clearing findings say whether the line is a payout's credit already paired).
    Another bank's account (a transfer between own accounts) is booked to the transfers
    account, naming that bank's account (banking.booked_as): that bank's own statement
    books the other side, and booked into its account the transfer counted twice."""
    from beanclear.importers.banking import booked_as
    from beanclear.matching.core import answered_debit, debit_answered
    if not ACCOUNT_RE.match(account or ""):
        raise BadValue(f"account: expected an account name like Expenses:Rent, got {account!r}")
    if rule is not None:   # malformed whatever the books hold: said first, on both doors (`--rule ""`, the page's "")
        with_pattern(rule)
    line = bank_line(entries, config, ref)
    refuse_account(config, line, ref, account)
    asked, (account, peer) = account, booked_as(config, line.bank_account, account)
    if line.split and not line.counter:   # split by hand, nothing left in suspense: booked there already, or refused
        if account not in line.split:
            raise ResolveError(f"{split_by_hand(line, config)}: nothing to book; edit its postings by hand")
        line = dataclasses.replace(line, counter=account)   # (what follows reads it as booked there)
    entry, ref = line.entry, line.ref   # (said by its id, which a bank's own reference may be short of)
    payee = " ".join(payee.split()) if payee is not None else None
    narration = " ".join(narration.split()) if narration is not None else None
    title = None
    if payee is not None or narration is not None:
        new = (payee if payee is not None else entry.payee) or None, \
              narration if narration is not None else (entry.narration or "")
        if new != (entry.payee or None, entry.narration or ""):
            title = new
    plan = Plan("", data={"bank_ref": ref, "account": account, "amount": f"{line.amount:f}",
                          "currency": line.currency})
    if peer:
        plan.data["transfer_with"] = peer
    if line.counter != account and line.amount < 0 and unexplained(line, config) and \
            (answers := answered_debit(entries, config, line, load)):
        # a debit the check pairs with the channel's top-up: its words, not a payout's credit's
        raise ResolveError(f"{debit_answered(config, line, answers)}; nothing to book")
    if line.counter != account and _paired(line, config, entries, load):
        channel = line.counter.rsplit(':', 1)[-1]
        if line.amount < 0:   # booked as a top-up, no finding: the channel's statements of its days are not in
            raise ResolveError(f"bank line {ref} is booked as a top-up of {channel} (money the bank paid into it), "
                               f"which the clearing check judges once {channel}'s statements cover its days: "
                               "nothing to book yet (`beanclear check` names the days none covers)")
        raise ResolveError(f"bank line {ref} is the credit of a payout of {channel} (the "
                           "clearing check pairs it with one: nothing to book); `beanclear match` names the payout, "
                           "`beanclear link` ties them")
    if line.counter == config.transfers and line.counter != account:
        from beanclear.checks import transfers
        said, paired = transfers.side_said(entries, config, entry, ref)
        if paired:
            raise ResolveError(f"{said}: nothing to book")
    if line.counter != account:
        # a line where the import put it (by a rule) may be booked elsewhere, this one line:
        # `unlink` books it back to the rule's account (a blind helper's line booked with
        # --rule could be neither re-booked nor unlinked); so may a side of a transfer the
        # other bank's statements do not show (its bank-unmatched). A line a booking moved
        # is where unlink would not leave it (unlinked_account: its `booked-from`, which
        # book --rule writes, else where its text leads): refused, with a rule or without
        # (blind17: a line booked with --rule, its rule claiming its text, read as the
        # import's, and a second `book` replaced the first person's booking)
        matched = any(l.startswith(("payout-", "order-", "bill-")) for l in entry.links)
        if not unexplained(line, config) and line.counter != config.transfers and \
                (matched or line.counter != unlinked_account(config, line)):
            raise ResolveError(f"bank line {ref} is booked to {line.counter} already"
                               + (f" and linked ({' '.join(sorted(entry.links))})" if entry.links else "")
                               + "; `beanclear unlink` it first")
        plan.appends.update(account_opens(config, entries, account))
    meta = []
    if title:
        plan.edits.append(Edit(entry.meta["filename"], entry.meta["lineno"], title=title))
        if STATEMENT_TEXT not in entry.meta:
            meta.append((STATEMENT_TEXT, statement_text(line).strip()))
        if STATEMENT_PAYEE not in entry.meta and (title[0] or None) != (entry.payee or None):
            was = statement_title(entry)
            meta.append((STATEMENT_PAYEE, (was[0] if was else entry.payee) or ""))
    plan.edits += moved(config, line, account, peer, account if rule is not None else None, meta)
    if plan.edits:
        refuse_closed(config, entry.date)
    amount = f"split by hand: {', '.join(line.split)}" if line.split and line.counter == account else line.said
    said = [f"bank line {ref} ({amount}) booked to {account}"
            + transfer_said(config, line, account, peer)]
    if rule is not None:   # (the rule names the account asked for: the import books it as this)
        text, added = with_rule(config.path, rule, asked, statement_text(line))
        plan.data["rule"] = {"match": rule, "account": asked}
        if added:
            plan.also[Path(config.path)] = text
            said.append(f"rule {rule!r} -> {asked} added to {Path(config.path).name}")
        else:
            said.append(f"rule {rule!r} -> {asked} is in {Path(config.path).name} already")
        from beanclear.resolve.claimed import book_claimed   # the other lines in suspense it claims
        said += book_claimed(plan, config, entries, line, rule, asked, added)
    plan.nothing = not (plan.edits or plan.also)
    plan.message = "; ".join(said) + ("" if not plan.nothing else " (already; nothing was written)")
    return plan


def moved(config, line, account: str, peer: str | None, imports_to: str | None, meta=()) -> list[Edit]:
    """The edits that book `line` to `account` (its counter posting, in the amount it
    takes there: matching.restated), naming `peer` as the other bank of a transfer, with
    `meta` and, where its text will not lead back where it was, `booked-from` (imports_to:
    booked_from) above its first posting: `book`'s, for its line and for the others in
    suspense the rule claims (resolve/claimed.py)."""
    edits = []
    if line.counter != account:
        counter = next(p for p in line.entry.postings if p.account == line.counter)
        edits.append(Edit(counter.meta["filename"], counter.meta["lineno"], account=(line.counter, account)))
        from beanclear.matching.core import restated   # a credit the bank converted: its own amount again
        edits += restated(config, line, account, peer)
    gone, named = transfer_meta(line, peer)
    edits += gone
    meta = ([named] if named else []) + list(meta)
    if line.counter != account and (was := booked_from(config, line, imports_to)):
        meta.append(was)
    if meta:
        first = line.entry.postings[0].meta
        edits.append(Edit(first["filename"], first["lineno"], meta_before=tuple(meta)))
    return edits


def with_pattern(pattern: str):
    """The rule's pattern compiled (writer.compiled_pattern): nothing, or no regular expression, a BadValue."""
    try:
        return writer.compiled_pattern(pattern)
    except writer.BadPattern as exc:
        raise BadValue(str(exc)) from None


def with_rule(config_path, pattern: str, account: str, text: str) -> tuple[str, bool]:
    """config.yaml's text with the rule appended to `rules:`, and whether it changed
    (config/writer.py, config.yaml's writer, which says why it cannot): its refusals as
    the actions' (a pattern that is no regular expression a BadValue)."""
    try:
        return writer.with_rule(config_path, pattern, account, text)
    except writer.BadPattern as exc:
        raise BadValue(str(exc)) from None
    except writer.RuleRefused as exc:
        raise ResolveError(str(exc)) from None
