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

A channel that names no bank (`bank:` left out: design §4, none by default) has no bank
line booked to its transit account, and its payouts' arrival is not judged. Where bank
credits nonetheless name its payouts (the payout's id in the text, the amount equal, as
the clearing check pairs them), the cause is one, the missing `bank:`: one finding per
channel and bank that says so, the credits and payouts its refs, not one per credit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import Item, _money, postings_by_account, refs
from beanclear.checks.transit import LATE_DAYS, _named_by_credits


def findings(entries, config, as_of=None, index=None) -> list[Finding]:
    bankless = [ch for ch in config.channels.values() if not ch.payout_banks]
    index = index if index is not None else postings_by_account(
        entries, {config.suspense} | {ch.accounts.transit for ch in bankless})
    bank_of = {bank.account: name for name, bank in config.banks.items()}
    channel_of = {account: name for name, ch in config.channels.items()
                  for account in (ch.accounts.clearing, ch.accounts.savings, ch.accounts.credit, ch.accounts.transit)}
    by_line: dict[tuple, list] = defaultdict(list)
    for item in index.get(config.suspense, []):
        by_line[(item.entry.meta.get("id") or id(item.entry), item.currency)].append(item)
    out, lines = [], []
    for (_, currency), items in by_line.items():
        total = sum((i.amount for i in items), Decimal(0))
        if total:
            lines.append(Item(items[0].entry, total, currency))
    named = _named_payouts(lines, bankless, index, bank_of, config.timezone)
    for channel, bank, currency, pairs in named:
        out.append(_no_bank(channel, bank_of[bank], bank, currency, pairs, config.suspense))
    taken = {id(credit) for *_, pairs in named for credit, _ in pairs}
    for line in lines:
        if id(line) in taken:
            continue
        entry, total, currency = line.entry, line.amount, line.currency
        bank = next((p.account for p in entry.postings if p.account in bank_of), None)
        wallet = next((p.account for p in entry.postings if p.account in channel_of), None) if bank is None else None
        text = " ".join(t for t in (entry.payee, entry.narration) if t)
        what = (f"{channel_of[wallet]} row of {'money in' if total < 0 else 'money out'}" if wallet else
                f"bank {'credit' if total < 0 else 'debit'}")
        out.append(Finding(
            "bank-unmatched", entry.date, bank_of.get(bank, "") or channel_of.get(wallet, ""),
            bank or wallet or config.suspense, abs(total), currency,
            f"{what} of {_money(abs(total))} {currency} that no rule, payout or entry explains: {text}",
            refs([entry]), **at_entry(entry)))
    return out


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
