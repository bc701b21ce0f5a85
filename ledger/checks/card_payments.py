"""A personal wallet's payments by card against the bank's debits that name it.

A wallet (importers/wallet.py) books a row paid by card (a purchase, or a top-up: 充值)
in its clearing account, and the card's bank books its debit naming the wallet there
too (importers/banking.py), so the payment counts once. The two answer each other:

    2026-03-25 bank    Assets:Clearing:Ali    500.00 CNY   ; 支付宝充值
    2026-03-25 wallet  Assets:Clearing:Ali   -500.00 CNY   ; 充值-普通充值, paid by 招商银行(1234)
    2026-03-25 wallet  Assets:Clearing:Ali    500.00 CNY   ; … into the balance

A debit no row answers, or a top-up no debit answers, is `bank-unmatched` (README's
findings table: a channel's top-up and the bank's debit naming it). A row whose statement
does not state its method (`method: "unknown"`, Alipay's web export) may have been paid
by card: it answers a debit no card row answers, whether or not a statement that states
methods (the app bill) covers other days beside it.
"""

from __future__ import annotations

import datetime as dt

from beanclear.checks.findings import Finding, at_entry
from beanclear.checks.items import Item, _money, refs
from beanclear.checks.transit import _heard, _pair_top_ups, _seen, _top_up
from beanclear.importers.wallet import UNSTATED, by_card
from beanclear.statements.gaps import Horizon


def findings(items: list[Item], channel, as_of: dt.date, horizon: Horizon, banks: set[str],
                        waiting: dict, unheard: dict, holed: dict) -> list[Finding]:
    """A personal wallet's payments by card against the bank's debits naming it, both in
    its clearing account (importers/wallet.py): a row paid by card (a purchase, or a
    top-up: 充值) and the card's bank line answer each other with equal amounts at most
    `bank_days` apart, either way (_pair_top_ups), a combined payment (`…&红包`) a debit
    of less: the rest paid otherwise; a debit they leave, a row of unknown method
    (UNSTATED) of its amount. A debit nothing answers is `bank-unmatched` once the
    wallet's statements cover its days; so is a top-up, once the bank's do; a purchase
    is not: a card the books hold no statement of (a credit card) may pay it."""
    account, window = channel.accounts.clearing, channel.bank_days
    debits = [i for i in items if i.amount > 0 and any(p.account in banks for p in i.entry.postings)]
    paying = [i for i in items if i.amount < 0 and not i.payout]
    cards = [i for i in paying if by_card(str(i.entry.meta.get("method", "")))]
    unstated = [i for i in paying if i.entry.meta.get("method") == UNSTATED]
    if not debits and not cards and not unstated:
        return []
    paired = _pair_top_ups(debits, cards, window)
    span = dt.timedelta(days=window)
    combined = [c for c in cards if "&" in c.entry.meta["method"]]
    for debit in debits if combined else ():
        if id(debit) not in paired:
            part = next((c for c in combined if id(c) not in paired and c.currency == debit.currency
                         and -c.amount > debit.amount and abs(c.date - debit.date) <= span), None)
            if part is not None:
                paired[id(debit)], paired[id(part)] = part, debit
    # then a debit no card row answers, by a row whose statement does not state its method
    # (Alipay's web export): a card may have paid it, as the app bill would say
    if unstated:
        paired.update(_pair_top_ups([d for d in debits if id(d) not in paired], unstated, window))
    findings = []
    for debit in debits:
        # the wallet's row may come before the bank's debit or after: its statements
        # judge it once they cover the window either way
        if id(debit) not in paired and _heard(horizon.around_own(debit.date, window), debit, channel, horizon,
                                              unheard):
            findings.append(_card_finding(debit, channel, f"bank debit of {_money(debit.amount)} {debit.currency} "
                                          f"naming {channel.name}, but no {channel.name} row paid by card explains it"))
    for top_up in cards + unstated:   # (a 充值 of unknown method is from a card all the same)
        if id(top_up) not in paired and _top_up(top_up.entry, account) and _seen(
                horizon.around_bank(top_up.date, window), top_up, channel, horizon, waiting, as_of, holed):
            method = top_up.entry.meta["method"]
            findings.append(_card_finding(top_up, channel, f"{channel.name} top-up of {_money(-top_up.amount)} "
                                          f"{top_up.currency} from "
                                          f"{'a card its statement does not name' if method == UNSTATED else method}, "
                                          "but no bank debit explains it"))
    return findings


def _card_finding(item: Item, channel, message: str) -> Finding:
    """bank-unmatched: a bank debit or a top-up in a wallet's clearing account nothing answers."""
    return Finding("bank-unmatched", item.date, channel.name, channel.accounts.clearing, abs(item.amount),
                   item.currency, message, refs([item.entry]), **at_entry(item.entry))
