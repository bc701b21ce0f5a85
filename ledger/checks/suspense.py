"""The suspense check: a bank line that nothing explains is always a finding.

The bank importer posts a line to `Assets:Suspense` when no payout pattern and no rule
claims it. Until a person (or `beanclear match`) moves that posting to the account it
belongs to, the line is `bank-unmatched`:

    2026-03-09 * "某某科技有限公司" "转账"
      id: "20260309000077"
      Assets:Bank:ICBC        8000.00 CNY
      Assets:Suspense        -8000.00 CNY      ; -> bank-unmatched, 8,000.00 CNY

A personal wallet's row nothing classifies goes to suspense the same way (its balance is
the channel's clearing account): the finding names the channel and says a wallet row,
not a bank line.

A person may also take a line out of suspense with an entry of their own (DESIGN §1:
suspense is left by "reclassification or match"), the way left where `book` is refused
(the line's month closed):

    2025-01-31 * "J. Smith" "prepayment wired 2024-12-20 (FB2), reclassified"
      Assets:Suspense           150.00 USD     ; answers FB2's -150.00 USD
      Income:Other             -150.00 USD

An entry posting to suspense and to no bank account nor channel account is such a
reclassification: each of its postings there answers an open line of the opposite amount
in the same currency, the one it names first (an id of the line in its text or
metadata), else the oldest dated on or before it; the two answered are no finding. One
answering no line (of the wrong sign, say) is a finding of its own, saying so, never a
"bank credit" of no bank (a blind tester's January reclassification of a closed December's
credit was both, and January could not close).

A line the bank marks a reversal (`reversal: "true"`: MT940 `RD`/`RC`, CAMT.053
`RvslInd`) and the line it reverses explain each other where both sit in suspense, by
the rule of reversals.py (which the transit check reads for the two booked in transit):
the reversal takes the nearest earlier open line there of the same bank account (or
wallet), of the opposite amount in the same currency and no reversal itself, dated at
most REVERSAL_DAYS before it, its text's first, and the two are no finding (a blind
tester's MT940 `D50,` and its same-day `RD50,` "STORNO …" were two bank-unmatched of
50.00, and `match` offered both as open lines):

    2026-12-02 * "CHINA POST EMS" "SHIPPING INVOICE 4411"
      Assets:Bank:Rabo          -50.00 EUR
      Assets:Suspense            50.00 EUR     ; } reversed: no finding
    2026-12-02 * "CHINA POST EMS" "STORNO SHIPPING INVOICE 4411"
      reversal: "true"                         ; }
      Assets:Bank:Rabo           50.00 EUR
      Assets:Suspense           -50.00 EUR

A reversal whose line is not in suspense (not in the books, of another amount, older, or
booked elsewhere: by a rule, `book`, `match`) stays bank-unmatched, as any line there;
the lines a person's entry reclassified are paired first (they are explained already).
`match`, `open-items` and the month report leave such a pair alone as they leave a line
reclassified (reversed_pairs).

A channel that names no bank (`bank:` left out: design §4, none by default) has no bank
line booked to its transit account, and its payouts' arrival is not judged. Where bank
credits nonetheless name its payouts (the payout's id in the text, the amount equal, as
the clearing check pairs them), the cause is one, the missing `bank:`: one finding per
channel and bank that says so, the credits and payouts its refs, not one per credit.

A channel whose `bank:` names the wrong one of the config's banks (`bank: icbc`, WeChat
withdrawing to CMB) has its payouts missing there and the credits answering them in
suspense at the other: one cause too, the key, and one finding of the channel names it
(`channels.wechat.bank: cmb`), its payouts and those credits (_landed_elsewhere): the
clearing check's payout-missing, as the payouts' own were, and no credit of it is a
bank-unmatched here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanclear.checks import reversals
from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import Item, _money, postings_by_account, refs
from beanclear.checks.reversals import REVERSAL_DAYS, reverses as _reverses
from beanclear.checks.transit import LATE_DAYS, _named_by_credits, arrived_by, named_id, payout_ids, text_words
from beanclear.config.model import WALLET_TYPES
from beanclear.statements.cut_over import is_own


def findings(entries, config, as_of=None, index=None, cover=None, suspended=None) -> list[Finding]:
    """`suspended`: what suspended() read of these books, where a load has it (the
    clearing check reads it too)."""
    bank_of, channel_of = _owners(config)
    lines, unanswered, named, elsewhere = suspended or _suspended_of(entries, config, as_of, index, cover)
    out = [_unanswered(move, lines, config, bank_of, channel_of) for move in unanswered]
    for channel, bank, currency, pairs in named:
        out.append(_no_bank(channel, bank_of[bank], bank, currency, pairs, config.suspense))
    taken = {id(credit) for *_, pairs in named for credit, _ in pairs}
    # (the clearing check's one payout-missing of the channel says these: elsewhere_finding)
    taken |= {id(credit) for landed in elsewhere for credit, _ in landed.pairs}
    for line in lines:
        if id(line) in taken:
            continue
        entry, total, currency = line.entry, line.amount, line.currency
        bank, wallet = _where(entry, bank_of, channel_of)
        what = _what(total, wallet, channel_of)
        # a reversal nothing pairs with: where the line it reverses went is where it goes
        reverses = "" if not _reverses(entry) else (
            f" (the bank marks it a reversal, and no {_what(-total, wallet, channel_of)} of {_money(abs(total))} "
            f"{currency} it reverses waits in {config.suspense} from the {REVERSAL_DAYS} days before it: "
            "book it where that line is booked)")
        # (a line booked from here, put back by the month report to judge its month: as it was then)
        rule = _claiming(entry, bank_of.get(bank), -total, config) \
            if bank and config.rules and "booked-from" not in entry.meta else None
        if rule is not None:   # imported before the rule was written: `book` (or match) books it there
            why = (f"left in {config.suspense} by its import, which rule {rule.pattern.pattern!r} -> {rule.account} "
                   f"of config.yaml claims now (`beanclear book {refs([entry])[0]} {rule.account}` books it there)")
        else:
            why = f"that {_unexplained(wallet, config)}{reverses}"
        out.append(Finding(
            "bank-unmatched", entry.date, bank_of.get(bank, "") or channel_of.get(wallet, ""),
            bank or wallet or config.suspense, abs(total), currency,
            f"{what} of {_money(abs(total))} {currency} {why}: {_text(entry)}", refs([entry]), **at_entry(entry)))
    return out


def _claiming(entry, bank: str | None, amount: Decimal, config):
    """The rule of config.yaml the import would book a line in suspense by now (a rule
    written since it was imported: banking.claiming_rule), read on the text the
    statement gave it; or None."""
    from beanclear.importers.banking import claiming_rule   # (only where rules and lines in suspense are)
    text = str(entry.meta.get("statement-text") or _text(entry))
    return claiming_rule(config, bank, amount, text)


def landed_elsewhere(entries, config, as_of=None, index=None, cover=None, suspended=None) -> list[Landed]:
    """The payouts of each channel with a bank that another configured bank's credits in
    suspense answer, where they are that channel's `bank:` mistake (_landed_elsewhere):
    the clearing check says them and those credits in one payout-missing of the channel
    (elsewhere_finding), and this check leaves the credits to it. `index`: a load's, with
    suspense and every channel's transit; `suspended`: suspended()'s, where a load has it."""
    return (suspended or _suspended_of(entries, config, as_of, index, cover))[3]


def _suspended_of(entries, config, as_of, index, cover) -> tuple:
    """suspended(), where no load gave it: `index` made here where the caller has none."""
    index = index if index is not None else _index(entries, config)
    return suspended(entries, config, as_of, index, cover)


def _index(entries, config) -> dict:
    """The postings of suspense and of the channels' clearing and transit accounts, as a
    load's shared index holds them (reconcile.Load.index), where a caller has none."""
    from beanclear.checks.pooled import pooled   # (it reads transit's rules)
    watched = {config.suspense, config.transfers}
    for ch in config.channels.values():
        watched |= {ch.accounts.clearing, ch.accounts.transit}
    return pooled(postings_by_account(entries, watched), config)


def suspended(entries, config, as_of, index: dict, cover) -> tuple:
    """(the open lines in suspense, neither reclassified nor reversed, the
    reclassifications' postings answering none, the credits naming payouts of channels
    without a bank (_named_payouts), the payouts of channels with one that land at another
    bank (_landed_elsewhere)): what this check and the clearing check both read of
    suspense, decided once a load (reconcile.Load.suspended)."""
    bank_of, channel_of = _owners(config)
    lines, moves = _lines(index.get(config.suspense, []), set(bank_of) | set(channel_of))
    answered, unanswered = _answered(lines, moves)
    lines = [line for line in lines if id(line) not in answered]
    paired = _reversals(lines, bank_of, channel_of)   # a line and the bank's reversal of it: explained
    lines = [line for line in lines if id(line) not in paired]
    bankless = [ch for ch in config.channels.values() if not ch.payout_banks]
    named = _named_payouts(lines, bankless, index, bank_of, config.timezone)
    taken = {id(credit) for *_, pairs in named for credit, _ in pairs}
    elsewhere = _landed_elsewhere([line for line in lines if id(line) not in taken], entries, config, as_of,
                                  index, cover, bank_of)
    return lines, unanswered, named, elsewhere


def reclassified(entries, config) -> list[tuple]:
    """(the reclassifying entry, the entry of the line it answers) of every line in
    suspense an entry of a person's answers (the module docstring), in date order."""
    bank_of, channel_of = _owners(config)
    lines, moves = _lines(postings_by_account(entries, {config.suspense}).get(config.suspense, []),
                          set(bank_of) | set(channel_of))
    answered, _ = _answered(lines, moves)
    return [(move.entry, line.entry) for line, move in answered.values()]


def reversed_pairs(entries, config) -> list[tuple]:
    """(the entry of a line, the entry of the bank's reversal of it) of every pair that
    explains itself (reversals.py), in suspense (the module docstring: the lines a
    person's entry reclassified take part in none), then in each channel's transit
    account, as its check pairs them (transit.check_transit), in the reversals' order."""
    if not any(_reverses(e) for e in entries if type(e) is data.Transaction):   # (most books: none)
        return []
    bank_of, channel_of = _owners(config)
    index = _index(entries, config)
    lines, moves = _lines(index.get(config.suspense, []), set(bank_of) | set(channel_of))
    answered, _ = _answered(lines, moves)
    paired = list(_reversals([line for line in lines if id(line) not in answered], bank_of, channel_of).values())
    for channel in config.channels.values():
        paired += reversals.in_transit(index.get(channel.accounts.transit, []), bank_of).values()
    return [(line.entry, other.entry) for line, other in paired if _reverses(other.entry)]


def reversed_line(entries, config, entry):
    """The entry `entry`'s line makes a pair with (reversed_pairs), or None."""
    for line, reversal in reversed_pairs(entries, config):
        if entry is line or entry is reversal:
            return reversal if entry is line else line
    return None


def _reversals(lines: list[Item], bank_of: dict, channel_of: dict) -> dict[int, tuple[Item, Item]]:
    """id(line) -> (line, the line it pairs with) of each line among `lines` (open lines
    in suspense) that a reversal there takes, and of each such reversal (reversals.pairs:
    the rule, as in transit). So does a wallet's refund that names its payment
    (`refund-of`) and gives all of it back."""
    refunds = [line for line in lines if line.entry.meta.get("refund-of")]
    if not refunds and not any(_reverses(line.entry) for line in lines):
        return {}

    def account(line):
        bank, wallet = _where(line.entry, bank_of, channel_of)
        return bank or wallet

    out: dict[int, tuple[Item, Item]] = {}
    # a wallet's refund of a payment in suspense, all of it, that names it (`refund-of`):
    # the two moved no money (blind23: Alipay's 一卡通充值 50.00 and its 退款, two findings)
    by_id = {str(line.entry.meta.get("id")): line for line in lines if line.entry.meta.get("id")}
    for refund in refunds:
        paid = by_id.get(str(refund.entry.meta["refund-of"]))
        if paid is not None and paid is not refund and id(paid) not in out and id(refund) not in out \
                and (paid.currency, paid.amount) == (refund.currency, -refund.amount) \
                and account(paid) == account(refund) and account(paid):
            out[id(paid)], out[id(refund)] = (paid, refund), (refund, paid)
    out.update(reversals.pairs(lines, account, taken=set(out)))
    return out


def _owners(config) -> tuple[dict[str, str], dict[str, str]]:
    """(bank account -> bank, channel account -> channel): whose a line's other posting is."""
    bank_of = {bank.account: name for name, bank in config.banks.items()}
    channel_of = {account: name for name, ch in config.channels.items()
                  for account in (ch.accounts.clearing, ch.accounts.savings, ch.accounts.credit, ch.accounts.transit)}
    return bank_of, channel_of


def _where(entry, bank_of: dict, channel_of: dict) -> tuple[str | None, str | None]:
    """(the bank account, else the channel's wallet account) a line in suspense is of."""
    bank = next((p.account for p in entry.postings if p.account in bank_of), None)
    wallet = next((p.account for p in entry.postings if p.account in channel_of), None) if bank is None else None
    return bank, wallet


def _lines(items: list[Item], moving: set[str]) -> tuple[list[Item], list[Item]]:
    """The open lines in suspense (an Item per line and currency: its postings there
    summed, zero left out) and the reclassifications' postings there (an Item each, of
    an entry posting to no account of `moving`, the banks' and the channels'; one that
    posts both ways in a currency, its sum)."""
    by_line: dict[tuple, list] = defaultdict(list)
    for item in items:
        # a line is its id of its own account: two banks' CSVs number their lines alike
        # (000001 at each), and two lines of one id were one finding of their sum (blind24)
        entry = item.entry
        by_line[(entry.meta.get("id") or id(entry), next((p.account for p in entry.postings if p.account in moving),
                                                          None), item.currency)].append(item)
    lines, moves = [], []
    for (*_, currency), parts in by_line.items():
        entry = parts[0].entry
        total = sum((i.amount for i in parts), Decimal(0))
        if not any(p.account in moving for p in entry.postings):
            if len({i.amount > 0 for i in parts if i.amount}) == 1:
                moves += [i for i in parts if i.amount]
                continue
            if total:
                moves.append(Item(entry, total, currency))
        elif total:
            lines.append(Item(entry, total, currency))
    return lines, moves


def _answered(lines: list[Item], moves: list[Item]) -> tuple[dict[int, tuple[Item, Item]], list[Item]]:
    """id(line) -> (line, the reclassification posting answering it), and the postings
    answering none: each, in date order, takes an open line of its opposite amount and
    currency that it names (the oldest of them), else the oldest dated on or before it."""
    answered: dict[int, tuple[Item, Item]] = {}
    if not moves:
        return answered, []
    waiting: dict[tuple, list[Item]] = defaultdict(list)
    for line in sorted(lines, key=lambda i: i.order):
        waiting[(line.currency, line.amount)].append(line)
    # the books from a month on (periods/forward.py) sum the lines before their lookback
    # into carried entries: a line a reclassification answers may be in one, unseen, so
    # it takes from one of the opposite sign holding that much, as the whole books would
    # answer the line itself (`check --since` lists what the whole check does)
    from beanclear.periods.forward import CARRIED_ID
    carried = [line for line in lines if str(line.entry.meta.get("id", "")).startswith(CARRIED_ID)]
    unanswered = []
    for move in sorted(moves, key=lambda i: (i.date, str(i.entry.meta.get("filename", "")),
                                              i.entry.meta.get("lineno", 0))):
        open_ = waiting.get((move.currency, -move.amount), [])
        line = next((l for l in open_ if _names(move.entry, l.entry)), None) or \
            next((l for l in open_ if l.date <= move.date and l not in carried), None)
        if line is not None:
            open_.remove(line)
            answered[id(line)] = (line, move)
            continue
        pool = next((l for l in carried if l.currency == move.currency and l.date <= move.date and l.amount
                     and (l.amount < 0) != (move.amount < 0) and abs(l.amount) >= abs(move.amount)), None)
        if pool is None:
            unanswered.append(move)
            continue
        waiting[(pool.currency, pool.amount)].remove(pool)
        pool.amount += move.amount   # (what is left of it: the lines before, unanswered)
        waiting[(pool.currency, pool.amount)].append(pool)
        if not pool.amount:
            answered[id(pool)] = (pool, move)
    return answered, unanswered


def _names(entry, line) -> bool:
    """Whether an entry names a line: one of its ids, whole, in the entry's text or in a
    value of its metadata (`reclassifies: "FB2"`)."""
    said = [_text(entry)] + [str(v) for k, v in entry.meta.items() if k not in ("filename", "lineno")
                            and isinstance(v, str)]
    for ref in refs([line]):
        whole = re.compile(rf"(?<![\w./#-]){re.escape(ref)}(?![\w/#]|[-.]\w)")
        if any(whole.search(text) for text in said):
            return True
    return False


def _unanswered(move: Item, lines: list[Item], config, bank_of: dict, channel_of: dict) -> Finding:
    """The finding of a reclassification's posting that answers no line in suspense."""
    entry, amount, currency = move.entry, move.amount, move.currency
    who = "an entry of your own" if is_own(entry) else "an entry"
    would = f"bank {'credit' if -amount < 0 else 'debit'}"
    if any(ch.type in WALLET_TYPES for ch in config.channels.values()):
        would += f" or wallet row of money {'in' if -amount < 0 else 'out'}"
    named = next((line for line in lines if line.currency == currency and _names(entry, line.entry)), None)
    if named is not None:
        what = _what(named.amount, _where(named.entry, bank_of, channel_of)[1], channel_of)
    hint = "" if named is None else (
        f"; {refs([named.entry])[0]}, the {what} of {_money(abs(named.amount))} "
        f"{currency} it names, is answered by posting {_money(-named.amount)} {currency}")
    return Finding(
        "bank-unmatched", entry.date, "", config.suspense, abs(amount), currency,
        f"{who} posts {_money(amount)} {currency} to {config.suspense} that no bank line put there (it would "
        f"answer a {would} of {_money(abs(amount))} {currency} in suspense, and none is open on or before "
        f"{entry.date}{hint}): {_text(entry)}", (), **at_entry(entry))


def _what(total: Decimal, wallet: str | None, channel_of: dict) -> str:
    """What a line in suspense of `total` there is: a bank credit or debit, or a row of
    the channel whose `wallet` account it posts to (_where)."""
    return (f"{channel_of[wallet]} row of {'money in' if total < 0 else 'money out'}" if wallet else
            f"bank {'credit' if total < 0 else 'debit'}")


def _unexplained(wallet: str | None, config) -> str:
    """What nothing did of a line in suspense: of a bank line, explain it (a rule, a
    payout, an entry); of a channel's row (`wallet`: the channel account it posts to, _where),
    book it: the rows no account of the channel's takes (Stripe Connect's transfers and
    adjustments, PayPal's payments sent, a wallet's transfers) are the rules' to book as
    they are imported, and one already in the books is moved by hand (`book` takes bank
    lines only)."""
    if not wallet:
        return "no rule, payout or entry explains"
    return (f"no rule books (a `rules:` pattern found in its text books such rows as they are imported; move this "
            f"one's {config.suspense} posting to the account it belongs to)")


def _text(entry) -> str:
    return " ".join(t for t in (entry.payee, entry.narration) if t)


def _named_payouts(lines: list[Item], bankless: list, index: dict, bank_of: dict, zone=None) -> list[tuple]:
    """(channel, bank account, currency, [(credit, payout)]) of the bank credits among
    `lines` that name a payout of a channel without a bank, as the clearing check pairs
    a credit with the payout it names (transit._named_by_credits; `zone`: the books', that
    the payouts' times are in)."""
    credits = [line for line in lines if line.amount < 0
               and any(p.account in bank_of for p in line.entry.postings)]
    out = []
    for channel in bankless:
        transit = index.get(channel.accounts.transit, [])
        answered = {i.payout for i in transit if i.amount < 0 and i.payout}
        by_amount: dict[tuple, list[Item]] = defaultdict(list)
        for item in transit:
            if item.amount > 0 and item.payout not in answered and \
                    not any(p.account in bank_of for p in item.entry.postings):
                by_amount[(item.currency, item.amount)].append(item)
        pairs = _named_by_credits(credits, by_amount, dt.timedelta(days=channel.bank_days + LATE_DAYS), zone)
        grouped: dict[tuple, list] = defaultdict(list)
        for credit, payout in pairs:
            bank = next(p.account for p in credit.entry.postings if p.account in bank_of)
            grouped[(bank, credit.currency)].append((credit, payout))
        out += [(channel, bank, currency, found) for (bank, currency), found in grouped.items()]
        taken = {id(credit) for credit, _ in pairs}
        credits = [credit for credit in credits if id(credit) not in taken]
    return out


def _no_bank(channel, bank: str, account: str, currency: str, pairs: list, suspense: str) -> Finding:
    """The one bank-unmatched of a channel without a bank whose payouts `bank`'s credits name."""
    credits = [credit for credit, _ in pairs]
    total = -sum((credit.amount for credit in credits), Decimal(0))
    ids = [str(payout.entry.meta.get("payout-id") or payout.entry.meta.get("id")) for _, payout in pairs]
    shown = ", ".join(ids[:3]) + (", …" if len(ids) > 3 else "")
    name = channel.name
    return Finding(
        "bank-unmatched", credits[0].date, bank, account, total, currency,
        f"bank credits naming payouts of {name} ({shown}): {len(credits)} of {_money(total)} {currency} in "
        f"{suspense}, as channels.{name} names no bank, and its payouts are not judged at the bank (with "
        f"channels.{name}.bank: {bank} they are, and `beanclear match --apply` books the credits as its payouts)",
        refs(credit.entry for credit in credits) + refs(payout.entry for _, payout in pairs),
        **at_entry(credits[0].entry))


# -- a channel's payouts landing at another configured bank than its `bank:` ---------------

@dataclass
class Landed:
    """The payouts of one channel and currency that its bank has not shown and that
    credits of other configured banks answer (`pairs`: (credit, payout)), `banks` those
    banks by name; `configured` the channel's banks of that currency, `landed` how many of
    its payouts they did show."""
    channel: object
    currency: str
    pairs: list
    banks: tuple[str, ...]
    configured: tuple[str, ...]
    landed: int


def _landed_elsewhere(lines: list[Item], entries, config, as_of, index: dict, cover, bank_of: dict) -> list[Landed]:
    """A channel's payouts its bank has not shown (missing, or not yet due, as the
    clearing check judges them: transit.transit_answers) that credits in suspense of
    another configured bank answer, each of the payout's amount, naming it or saying the
    channel's payout memo, within bank_days + LATE_DAYS of it (_answering): one cause, the
    channel's `bank:` (a blind tester's `channels.wechat.bank: icbc`, WeChat withdrawing
    to CMB: 57 payout-missing and 58 bank-unmatched). Where those are most of its payouts
    its bank has not shown, and more than one or all it paid out (none reached its bank);
    else a payout credited at another bank once, among those landing where the config
    says, stays the payout-missing it is and its credit a bank-unmatched (a payout gone
    astray is no wrong `bank:`), as does a payout no bank shows beside the ones landing
    elsewhere. The transit check runs again only where such a credit is in suspense."""
    credits = sorted((line for line in lines if line.amount < 0
                      and any(p.account in bank_of for p in line.entry.postings)), key=lambda i: i.order)
    banked = [ch for ch in config.channels.values() if ch.payout_banks]
    if not credits or not banked:
        return []
    zone, candidates = config.timezone, []
    for channel in banked:
        own = {config.banks[b].account for b in channel.payout_banks if b in config.banks}
        theirs = [c for c in credits if _bank_account(c, bank_of) not in own]
        payouts = [i for i in index.get(channel.accounts.transit, [])
                   if i.amount > 0 and not any(p.account in bank_of for p in i.entry.postings)]
        if theirs and payouts and _answering(theirs, payouts, channel, zone):
            candidates.append((channel, theirs, payouts))
    if not candidates:
        return []
    from beanclear.checks.transit import transit_answers   # (the judging of every payout: only here)
    if as_of is None:
        from beanclear.checks.reconcile import as_of as latest   # (it imports this check)
        as_of = latest(entries)
    answers = transit_answers(entries, config, as_of, index, cover)
    out: list[Landed] = []
    taken: set[int] = set()
    for channel, theirs, payouts in candidates:
        if answers.get(channel.name) is None:   # its statements show no payouts
            continue
        answered = answers[channel.name][1]
        for currency in sorted({p.currency for p in payouts}):
            of = [p for p in payouts if p.currency == currency]
            open_ = [p for p in of if id(p) not in answered]   # missing, or not yet due
            pairs = _answering([c for c in theirs if id(c) not in taken], open_, channel, zone)
            landed = len(of) - len(open_)
            if not pairs or 2 * len(pairs) <= len(open_) or len(pairs) < 2 and landed:
                continue
            taken.update(id(credit) for credit, _ in pairs)
            main = channel.banks_by_currency(config.banks).get(currency, channel.bank)
            banks = tuple(dict.fromkeys(bank_of[_bank_account(c, bank_of)] for c, _ in pairs))
            out.append(Landed(channel, currency, pairs, banks, channel.fellow_banks(main, config.banks), landed))
    return out


def _bank_account(line: Item, bank_of: dict) -> str | None:
    return next((p.account for p in line.entry.postings if p.account in bank_of), None)


def _answering(credits: list[Item], payouts: list[Item], channel, zone) -> list[tuple[Item, Item]]:
    """(credit, payout) of the `credits` that answer `payouts` of the channel: first those
    naming one of equal amount (transit._named_by_credits, as the clearing check pairs
    them), then, in their order, those whose text says the channel's payout memo (财付通,
    支付宝, stripe) with the oldest payout of their amount open, at most bank_days +
    LATE_DAYS before them (as the clearing check pairs an equal amount arriving late)."""
    too_old = dt.timedelta(days=channel.bank_days + LATE_DAYS)
    by_amount: dict[tuple, list[Item]] = defaultdict(list)
    for payout in sorted(payouts, key=lambda i: i.order):
        by_amount[(payout.currency, payout.amount)].append(payout)
    pairs = _named_by_credits(credits, by_amount, too_old, zone)
    taken = {id(i) for pair in pairs for i in pair}
    for credit in credits:
        if id(credit) in taken or not channel.payout_memo.search(_text(credit.entry)):
            continue
        payout = next((p for p in by_amount.get((credit.currency, -credit.amount), ())
                       if id(p) not in taken and arrived_by(p.entry, credit.date, zone)
                       and credit.date - p.date <= too_old), None)
        if payout is not None:
            taken.update((id(credit), id(payout)))
            pairs.append((credit, payout))
    return sorted(pairs, key=lambda pair: pair[0].order)


def elsewhere_finding(found: Landed, config) -> Finding:
    """The one payout-missing of a channel's payouts that landed at another bank than its
    `bank:` says, in place of one per payout and a bank-unmatched per credit: the payouts
    and the credits its refs, the key and the banks to write. An error by default, as the
    payouts' own were: books whose `bank:` is wrong judge none of its payouts."""
    channel, currency, name = found.channel, found.currency, found.channel.name
    pairs = sorted(found.pairs, key=lambda pair: pair[1].order)
    credits, payouts = [credit for credit, _ in pairs], [payout for _, payout in pairs]
    total = sum((payout.amount for payout in payouts), Decimal(0))
    ids = [str(p.entry.meta.get("payout-id") or p.entry.meta.get("id")) for p in payouts]
    shown = ", ".join(ids[:3]) + (", …" if len(ids) > 3 else "")
    at, ours = " and ".join(found.banks), " or ".join(found.configured)
    write = (list(found.configured) if found.landed else []) + list(found.banks)
    write += [b for b in channel.payout_banks if b not in found.configured and b not in write]
    said = channel.payout_banks[0] if len(channel.payout_banks) == 1 else f"[{', '.join(channel.payout_banks)}]"
    key = write[0] if len(write) == 1 else f"[{', '.join(write)}]"
    named = sum(1 for credit, payout in pairs if _names_payout(credit, payout))
    one = len(credits) == 1
    how = ("naming its payout" if one and named else f"saying {name}'s payout memo" if one else
           "each naming its payout" if named == len(credits) else
           f"each saying {name}'s payout memo" if not named else
           f"{named} naming their payout, {len(credits) - named} saying {name}'s payout memo")
    where, judged = (f" as well as at {ours}", "at either") if found.landed else (f", not at {ours}", "there")
    their = (f"1 credit of {at} of its amount, {how}, is" if one else
             f"{len(credits)} credits of {at} of their amounts, {how}, are")
    return Finding(
        "payout-missing", payouts[0].date, name, channel.accounts.transit, total, currency,
        f"payouts of {name} land at {at}{where}: {len(payouts)} of them ({shown}), {_money(total)} {currency}, "
        f"{'has' if one else 'have'} not reached {ours}, and {their} in {config.suspense}; with "
        f"channels.{name}.bank: {key} (it says {said}) they are judged {judged}, and `beanclear match --apply` "
        "books the credits as its payouts",
        refs(payout.entry for payout in payouts) + refs(credit.entry for credit in credits),
        **at_entry(payouts[0].entry))


def _names_payout(credit: Item, payout: Item) -> bool:
    """Whether a credit's text names the payout (one of its own ids: transit.payout_ids, named_id)."""
    return named_id(payout_ids(payout.entry), text_words(_text(credit.entry))) is not None
