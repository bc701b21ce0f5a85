"""Book a bank line nothing explains to an account, and remember it as a rule.

    beanclear book 20260316000080 Expenses:Hosting --payee "Aliyun" --rule "ALIYUN"

moves the line's counter posting from Assets:Suspense (or from a channel's transit
account, for a credit booked as a payout no payout explains) to the account, sets the
payee and narration when given, opens the account in accounts.beancount if the books
do not yet, and with --rule appends `{match: PATTERN, account: ACCOUNT}` to the
`rules:` of config.yaml as lines of their own, every other line of the file as it was
(with_rule), so the next import books such lines itself. The pattern must find the line's
text, or it would not have booked this line either.
"""

from __future__ import annotations

import re
from pathlib import Path

from beanclear.books.edits import Edit
from beanclear.checks.items import refs
from beanclear.config.model import ACCOUNT_RE, WALLET_TYPES
from beanclear.resolve import BadValue, Plan, ResolveError, account_opens, refuse_closed


def bank_line(entries, config, ref: str):
    """The bank line `ref` names (a BankLine), whatever it is booked to: the line whose
    statement id it is, else the one line of which it is another ref a finding lists
    (items.REF_KEYS: the OFX FITID, the MT940 bank reference, as `beanclear check`
    shows them; a blind tester's `book F9` was refused while `ack … F9` took it). The one
    resolver of `book`, `link` and `unlink` (and of the page's buttons); a reference two
    lines share is refused, naming them by their ids."""
    from beancount.core import data
    banks = {b.account for b in config.banks.values()}
    by_id, by_ref = [], []
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta and ref in refs([entry]):
            line = as_bank_line(entry, banks)
            if line is not None:
                (by_id if str(entry.meta.get("id", "")) == ref else by_ref).append(line)
    found = by_id or by_ref
    if len(found) == 1:
        return found[0]
    if not found:
        raise ResolveError(f"no bank line has the id or reference {ref!r} (the bank's own reference, as "
                           "`beanclear check` shows it)")
    raise ResolveError(f"{ref!r} names {len(found)} bank lines: " + ", ".join(
        f"{l.ref} ({l.amount:,.2f} {l.currency} on {l.date}, {l.bank_account})" for l in found)
        + "; name one by its id")


def as_bank_line(entry, banks):
    """The entry as a bank line (a BankLine): two postings, one of them to an account of
    `banks`; else None."""
    from beanclear.matching.core import BankLine
    if len(entry.postings) != 2:
        return None
    bank = next((p for p in entry.postings if p.account in banks), None)
    if bank is None:
        return None
    counter = next(p for p in entry.postings if p is not bank)
    return BankLine(entry, bank.account, counter.account, bank.units.number, bank.units.currency)


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
    if not ACCOUNT_RE.match(account or ""):
        raise BadValue(f"account: expected an account name like Expenses:Rent, got {account!r}")
    line = bank_line(entries, config, ref)
    refuse_account(config, line, ref, account)
    asked, (account, peer) = account, booked_as(config, line.bank_account, account)
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
    if line.counter != account and _paired(line, config, entries, load):
        raise ResolveError(f"bank line {ref} is the credit of a payout of {line.counter.rsplit(':', 1)[-1]} (the "
                           "clearing check pairs it with one: nothing to book); `beanclear match` names the payout, "
                           "`beanclear link` ties them")
    if line.counter == config.transfers and line.counter != account:
        from beanclear.checks import transfers
        other = transfers.partner(entries, config, entry)
        if other is not None:
            raise ResolveError(f"bank line {ref} is one side of a transfer between own accounts, whose other side, "
                               f"bank line {other.meta.get('id')} of {other.date}, the check pairs with it: nothing "
                               "to book")
    if line.counter != account:
        # a line where a rule put it (as the import would) may be booked elsewhere, this
        # one line: `unlink` books it back to the rule's account (a blind helper's line
        # booked with --rule could be neither re-booked nor unlinked); so may a side of a
        # transfer the other bank's statements do not show (its bank-unmatched)
        matched = any(l.startswith(("payout-", "order-", "bill-")) for l in entry.links)
        if not unexplained(line, config) and line.counter != config.transfers and \
                (matched or line.counter != import_account(config, line)):
            raise ResolveError(f"bank line {ref} is booked to {line.counter} already"
                               + (f" and linked ({' '.join(sorted(entry.links))})" if entry.links else "")
                               + "; `beanclear unlink` it first")
        counter = next(p for p in entry.postings if p.account == line.counter)
        plan.edits.append(Edit(counter.meta["filename"], counter.meta["lineno"], account=(line.counter, account)))
        from beanclear.matching.core import restated   # a credit the bank converted: its own amount again
        plan.edits += restated(config, line, account, peer)
        plan.appends.update(account_opens(config, entries, account))
    gone, named = transfer_meta(line, peer)
    plan.edits += gone
    meta = [named] if named else []
    if title:
        plan.edits.append(Edit(entry.meta["filename"], entry.meta["lineno"], title=title))
        if STATEMENT_TEXT not in entry.meta:
            meta.append((STATEMENT_TEXT, statement_text(line).strip()))
        if STATEMENT_PAYEE not in entry.meta and (title[0] or None) != (entry.payee or None):
            was = statement_title(entry)
            meta.append((STATEMENT_PAYEE, (was[0] if was else entry.payee) or ""))
    if line.counter != account and (was := booked_from(config, line, account if rule is not None else None)):
        meta.append(was)
    if meta:
        first = entry.postings[0].meta
        plan.edits.append(Edit(first["filename"], first["lineno"], meta_before=tuple(meta)))
    if plan.edits:
        refuse_closed(config, entry.date)
    said = [f"bank line {ref} ({line.amount:,.2f} {line.currency}) booked to {account}"
            + transfer_said(config, line, account, peer)]
    if rule is not None:   # (the rule names the account asked for: the import books it as this)
        text, added = with_rule(config.path, rule, asked, statement_text(line))
        plan.data["rule"] = {"match": rule, "account": asked}
        if added:
            plan.also[Path(config.path)] = text
            said.append(f"rule {rule!r} -> {asked} added to {Path(config.path).name}")
        else:
            said.append(f"rule {rule!r} -> {asked} is in {Path(config.path).name} already")
    plan.nothing = not (plan.edits or plan.also)
    plan.message = "; ".join(said) + ("" if not plan.nothing else " (already; nothing was written)")
    return plan


# -- rules in config.yaml --------------------------------------------------------------------
#
# The rule is inserted into config.yaml's text as lines of its own (after the last rule,
# or a `rules:` key added after the last key), the file's other lines kept byte for byte:
# a round trip through a YAML library rewrites what it does not keep (a flow mapping
# wrapped over two lines was joined into one, CRLF line ends became LF). The text with
# the rule is read back: a file where the insertion would read as more than the rule
# added is refused, naming what to add by hand.

WIDE = 1 << 30   # no scalar of the rule is folded over lines


class _NotMinimal(Exception):
    """The rule cannot be added as lines of its own; the message says why."""


def with_rule(config_path, pattern: str, account: str, text: str) -> tuple[str, bool]:
    """config.yaml's text with the rule appended to `rules:` (made when absent), and
    whether it changed. The pattern must be a regular expression that finds `text`."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise BadValue("rule: expected a regular expression, got nothing")
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise BadValue(f"rule: {pattern!r} is not a regular expression ({exc})") from None
    path = Path(config_path)
    original = path.read_bytes().decode("utf-8")   # as written: its line ends too
    data = _data(original, path)
    if data is None:
        raise ResolveError(f"{path.name} is not a config (expected a mapping of keys)")
    for existing in data.get("rules") or []:
        # the rule is there: done (the line's text may be a narration the first run gave it)
        if isinstance(existing, dict) and str(existing.get("match")) == pattern \
                and str(existing.get("account")) == account:
            return original, False
    if not compiled.search(text):
        # (the text the rules read begins with the space of no payee: not the line's text)
        raise ResolveError(f"rule: {pattern!r} does not find the line's text {text.strip()!r}, so it would not "
                           "book it")
    rule = {"match": pattern, "account": account}
    try:
        text_out = _inserted(original, rule)
        if _data(text_out, path, quiet=True) != {**data, "rules": list(data.get("rules") or []) + [rule]}:
            raise _NotMinimal("added as lines of their own, the rest of the file would read differently")
    except _NotMinimal as exc:
        raise ResolveError(f"rule: cannot add it to {path.name} without rewriting other lines of it ({exc}); "
                           f"add `- {_flow(rule)}` to its `rules:` by hand") from None
    _still_valid(path, text_out)
    return text_out, True


def _data(text: str, path: Path, quiet: bool = False):
    """The config's YAML as data (None when the text is no mapping; `quiet`: also when it
    is no YAML the reader takes)."""
    import yaml
    from beanclear.config.loader import safe_yaml
    from beanclear.config.model import ConfigError
    try:
        data = safe_yaml(text, str(path))
    except (yaml.YAMLError, ConfigError, RecursionError) as exc:
        if quiet:
            return None
        raise ResolveError(f"{path.name}: cannot read it ({str(exc).splitlines()[0]})") from None
    return data if isinstance(data, dict) else None


def _inserted(text: str, rule: dict) -> str:
    """`text` with `rule` inserted at the end of its `rules:`, in the layout of the rules
    before it (a block or a flow item, their indentation, the file's line end)."""
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
    nl = _newline(text)
    loader = yaml.SafeLoader(text)   # (the nodes and tokens with their places in the text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    if not isinstance(root, MappingNode):
        raise _NotMinimal("it holds no mapping of keys")
    key, rules = next(((k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == "rules"),
                      (None, None))
    if rules is None:   # `rules:` after the last key
        if root.flow_style:
            raise _NotMinimal("the file is one flow mapping")
        column = root.start_mark.column
        offset, gap = _sequence_layout(root)
        return _lines_at(text, root.end_mark.index, " " * column + "rules:\n"
                         + _block(rule, column + offset, gap), nl)
    if isinstance(rules, ScalarNode) and rules.tag == "tag:yaml.org,2002:null":
        if rules.start_mark.index == rules.end_mark.index:   # `rules:` and nothing: the rule under it
            offset, gap = _sequence_layout(root)
            return _lines_at(text, _line_end(text, rules.start_mark.index),
                             _block(rule, key.start_mark.column + offset, gap), nl)
        # `rules: ~`: the list of the rule in its place
        return text[:rules.start_mark.index] + f"[{_flow(rule)}]" + text[rules.end_mark.index:]
    if not isinstance(rules, SequenceNode):
        raise _NotMinimal("its `rules:` is no list")
    inside = [t for t in tokens if rules.start_mark.index <= t.start_mark.index < t.end_mark.index
              and t.end_mark.index <= rules.end_mark.index]   # (not the marks of no width: block ends, keys)
    if rules.flow_style:
        return _in_flow(text, rule, inside, nl)
    # a block sequence: after its last item's last token, as an item of the same indentation
    last = max(t.end_mark.index for t in inside)
    column = rules.start_mark.column
    entries = [i for i, t in enumerate(inside) if isinstance(t, yaml.BlockEntryToken)
               and t.start_mark.column == column]
    gap = 1
    if entries and entries[-1] + 1 < len(inside):
        dash, after = inside[entries[-1]], inside[entries[-1] + 1]
        if after.start_mark.line == dash.start_mark.line:
            gap = max(1, after.start_mark.column - column - 1)
    item = rules.value[-1] if rules.value else None
    if isinstance(item, MappingNode) and item.flow_style:
        lines = " " * column + "-" + " " * gap + _flow(rule) + "\n"
    else:
        lines = _block(rule, column, gap)
    # (a block scalar's last token ends at the start of the line after it)
    at = last if last > 0 and text[last - 1] in "\r\n" else _line_end(text, last)
    return _lines_at(text, at, lines, nl)


def _in_flow(text: str, rule: dict, inside: list, nl: str) -> str:
    """`text` with `rule` added to the flow sequence whose tokens are `inside`: on the
    line of its last item, or on a line of its own where each item has one (as indented,
    with a trailing comma where it has one)."""
    import yaml
    close, before = inside[-1], inside[-2]
    if isinstance(before, yaml.FlowSequenceStartToken):   # `[]`
        return text[:before.end_mark.index] + _flow(rule) + text[before.end_mark.index:]
    comma = before if isinstance(before, yaml.FlowEntryToken) else None
    last = inside[-3] if comma else before
    at = last.end_mark.index
    if (comma or last).end_mark.line == close.start_mark.line:
        return text[:at] + ", " + _flow(rule) + text[at:]
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    indent = text[start:at][:len(text[start:at]) - len(text[start:at].lstrip(" "))]
    if comma:
        return _lines_at(text, _line_end(text, comma.end_mark.index), indent + _flow(rule) + ",\n", nl)
    end = _line_end(text, at)   # the comma the last item lacks, its comment kept on its line
    return text[:at] + "," + text[at:end] + indent + _flow(rule) + nl + text[end:]


def _sequence_layout(root) -> tuple[int, int]:
    """How the file indents a list under its key: the dash's columns beyond the key's and
    the spaces after the dash, as its first block list of a key does (else as far as its
    mappings indent, else 2 and 1)."""
    from yaml.nodes import MappingNode, SequenceNode
    seen, todo, mapping_indent = set(), [root], None
    while todo:
        node = todo.pop(0)
        if id(node) in seen or not isinstance(node, MappingNode) or node.flow_style:
            continue
        seen.add(id(node))
        for key, value in node.value:
            if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                offset = value.start_mark.column - key.start_mark.column
                first = value.value[0]
                gap = first.start_mark.column - value.start_mark.column - 1 \
                    if first.start_mark.line == value.start_mark.line else 1
                if offset >= 0 and gap >= 1:
                    return offset, gap
            if isinstance(value, MappingNode) and not value.flow_style and mapping_indent is None \
                    and value.start_mark.column > key.start_mark.column:
                mapping_indent = value.start_mark.column - key.start_mark.column
            todo.append(value)
    return (mapping_indent or 2), 1


def _block(rule: dict, column: int, gap: int) -> str:
    """The rule as a block item of a list: its dash at `column`, `gap` spaces after it."""
    return "".join((" " * column + "-" + " " * gap if i == 0 else " " * (column + 1 + gap))
                   + _pair(key, value) + "\n" for i, (key, value) in enumerate(rule.items()))


def _flow(rule: dict) -> str:
    """The rule as a flow mapping on one line: `{match: ALIYUN, account: Expenses:Hosting}`."""
    return "{" + ", ".join(_pair(key, value, flow=True) for key, value in rule.items()) + "}"


def _pair(key: str, value: str, flow: bool = False) -> str:
    """`key: value` on one line, the value plain where YAML reads it back so (in a flow
    mapping when `flow`), else quoted (double quotes where it holds a line break, escaped)."""
    import yaml
    options = dict(allow_unicode=True, width=WIDE)
    lines = yaml.safe_dump({key: value}, default_flow_style=False, **options).splitlines()   # (YAML's breaks too)
    pair = lines[0] if len(lines) == 1 else \
        f"{key}: " + yaml.safe_dump(value, default_style='"', **options).splitlines()[0]
    if flow:   # PyYAML's emitter quotes `'Expenses:Hosting'` in a flow mapping, where its reader takes it plain
        try:
            plain = yaml.safe_load("{" + pair + "}") == {key: value}
        except yaml.YAMLError:
            plain = False
        if not plain:
            pair = yaml.safe_dump({key: value}, default_flow_style=True, **options).strip()[1:-1]
    return pair


def _newline(text: str) -> str:
    """The file's line end: that of its first line (LF when it has one line)."""
    match = re.search(r"\r\n|\n|\r", text)
    return match.group() if match else "\n"


def _line_end(text: str, at: int) -> int:
    """Where the line holding `at` ends: after its line break, else the text's end."""
    match = re.compile(r"\r\n|\n|\r").search(text, at)
    return match.end() if match else len(text)


def _lines_at(text: str, at: int, lines: str, nl: str) -> str:
    """`text` with `lines` (ending with a line break) inserted at `at`, the start of a
    line (or the text's end, after a line break of its own), in the file's line ends."""
    if at > 0 and text[at - 1] not in "\r\n":
        lines = "\n" + lines
    return text[:at] + lines.replace("\n", nl) + text[at:]


def _still_valid(path: Path, text: str) -> None:
    """The config with the rule must load (a pattern the reader refuses is refused here,
    at config.yaml's line: the text is checked as that file, never written elsewhere)."""
    from beanclear import config as config_mod
    try:
        config_mod.from_text(text, path)
    except config_mod.ConfigError as exc:
        raise ResolveError(f"the rule would make {path.name} invalid: {exc}") from None
