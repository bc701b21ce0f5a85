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
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beanclear.checks.clearing import _money, postings_by_account, refs
from beanclear.checks.findings import Finding, at_entry


def findings(entries, config, as_of=None, index=None) -> list[Finding]:
    index = index if index is not None else postings_by_account(entries, {config.suspense})
    bank_of = {bank.account: name for name, bank in config.banks.items()}
    channel_of = {account: name for name, ch in config.channels.items()
                  for account in (ch.accounts.clearing, ch.accounts.savings, ch.accounts.credit, ch.accounts.transit)}
    by_line: dict[tuple, list] = defaultdict(list)
    for item in index.get(config.suspense, []):
        by_line[(item.entry.meta.get("id") or id(item.entry), item.currency)].append(item)
    out = []
    for (_, currency), items in by_line.items():
        total = sum((i.amount for i in items), Decimal(0))
        if not total:
            continue
        entry = items[0].entry
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
