"""A source's `currency:` that its statement contradicts is refused before anything is written.

`currency:` of a channel or bank is the currency of its amounts where the statement does
not state one (README, Every key). Where a statement does state it, the statement is
right: but the key does not stop at its rows. A WeChat Pay merchant configured
`currency: USD` had its trade bill (货币种类 CNY on every row) booked in CNY and its fund
bill, which states none, in USD beside it: an opening of 736.15 USD out of equity, 286
findings, none naming the key (blind19 misconfig). A CMB bank configured USD whose 货币
column says CNY was silently taken as CNY, while the config's USD still routed payouts.

The rule. The importers take the config's currency only for an amount whose statement
says none, so every amount a statement books on the source's own accounts (a bank's
account; a channel's clearing, transit, fee... accounts) in another currency is one the
statement states. A statement contradicts `currency: K` when

- the key is written in config.yaml (left out, its default yields to the statement, as
  documented);
- the statement books the source's money in one currency only, C, not K: all its
  amounts on those accounts (and balances of them, and the rows the books hold already,
  which it reads without an entry: StatementImporter.held) are in C. A statement of
  several currencies is a multi-currency account's (HSBC HK's), and one with an amount
  in K, stated or not, agrees with the key;
- the source holds one currency: not a channel of MULTI_CURRENCY_CHANNELS (Stripe,
  PayPal, Airwallex, PingPong: their balances are kept per currency, a report may be of
  one of them, and PingPong's `currency:` is what a 结汇 buys), and not a bank whose books
  already assert its account's balance in K, or whose other statements in this import
  book it in K (an account of several currencies, this statement of another of them: a
  bank's statements state their currency or never do, so its K is one stated). A
  channel's statement in K beside it proves nothing: the WeChat fund bill states none,
  and books every amount in K.

Then the import is refused (exit 2), at the statement's first line in C, naming the key,
its line in config.yaml and the currency to write. The whole import is refused, not that
statement alone: the key is wrong for the source's statements that state no currency
(the WeChat fund bill beside the trade bill) too, and they would be booked in K.
"""

from __future__ import annotations

from beancount.core import data

from beanclear.config.model import MULTI_CURRENCY_CHANNELS, Bank, Channel, owning
from beanclear.importers.toolkit import StatementError


def check(config, results, known: dict) -> None:
    """Raise StatementError where a statement of `results` (FileResults, those read)
    contradicts its source's `currency:` (the module docstring); `known`: per source, the
    identities the books hold (Books.known), for a bank's balances in its currency."""
    booked: dict = {}   # id(result) -> its currencies, worked out once
    for result in results:
        if result.before is not None:
            continue
        source = result.importer.source
        if not _judged(source):
            continue
        found = booked[id(result)] = _currencies(result.extraction, source)
        if len(found) != 1 or source.currency in found:
            continue
        (stated, (line, account)), = found.items()
        others = [r for r in results if r is not result and r.before is None and r.importer.source is source
                  and source.currency in booked.setdefault(id(r), _currencies(r.extraction, source))]
        if isinstance(source, Bank) and (others or _asserted_in(known.get(source.name), source.account,
                                                                source.currency)):
            continue   # an account of several currencies: its other statements, or the books, show the key's
        group = "channels" if isinstance(source, Channel) else "banks"
        key = f"{group}.{source.name}.currency"
        shown = [r.path.name for r in others[:3]] + (["…"] if len(others) > 3 else [])
        also = (f" ({len(others)} other statement{'s' if len(others) > 1 else ''} of {source.name} in this import, "
                f"{', '.join(shown)}, {'state' if len(others) > 1 else 'states'} none and would be booked in "
                f"{source.currency})" if others else "")
        raise StatementError(
            result.path, line,
            f"{key}: {source.currency} ({config.line_of(key)}), but the statement states {stated}: every amount it "
            f"books on {account} is in {stated}, and the config's currency is only for statements that state "
            f"none{also}; write `currency: {stated}` there, or leave the key out")


def _judged(source) -> bool:
    """A source whose `currency:` a statement may contradict: written in config.yaml, of
    a channel or bank holding one currency (the module docstring)."""
    if not getattr(source, "currency_written", False):
        return False
    return isinstance(source, Bank) or isinstance(source, Channel) and source.type not in MULTI_CURRENCY_CHANNELS


def _currencies(extraction, source) -> dict[str, tuple[int, str]]:
    """Currency -> (first line, account) of the money a statement books on the source's
    own accounts, its held rows' too; stops at the source's currency (then it agrees)."""
    own, mine = source.own_accounts, source.currency
    found: dict[str, tuple[int, str]] = {}
    for currency, line in extraction.held_currencies.items():
        found.setdefault(currency, (line, getattr(source, "account", None) or source.accounts.clearing))
        if currency == mine:
            return found
    for entry in extraction.entries:
        if isinstance(entry, data.Transaction):
            moved = [(p.account, p.units.currency) for p in entry.postings if p.units is not None]
        elif isinstance(entry, data.Balance):
            moved = [(entry.account, entry.amount.currency)]
        else:
            continue
        for account, currency in moved:
            if currency in found or owning(account, own) is None:
                continue
            found[currency] = (entry.meta.get("lineno") or 1, owning(account, own))
            if currency == mine:
                return found
    return found


def _asserted_in(ids, account: str, currency: str) -> bool:
    """Whether the books assert `account`'s balance in `currency` (ids: Books.known)."""
    if ids is None:
        return False
    prefix, suffix = f"balance {account} ", f" {currency}"
    return any(key.endswith(suffix) for key in ids.prefixed(prefix))
