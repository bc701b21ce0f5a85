"""Bank credits converted from a payout in a currency the channel pays out in beside its
`currency:`, booked in the amount sent once the import knows that currency.

A multi-currency wallet (Airwallex: USD, EUR, GBP, CNY, HKD) states the currency on every
row; its `currency:` is one default, or none (CNY). A credit of its USD payout, converted
by the bank into the account's HKD and stating `InstdAmt` 1000.00 USD, takes that amount
from the wallet's transit account (banking.sent_units), where the wallet pays out in USD:
the currencies of its payouts, in this import's statements of it or in its books
(banking.paid_currencies). Read one file at a time, the bank's statement cannot know
what the wallet's beside it holds, so the import restates its credits once all are read:

    2026-09-03 * "AIRWALLEX HONG KONG LIMITED" "AIRWALLEX PAYOUT PO-A"
      original-amount: "1000.00 USD"
      Assets:Bank:HK                      7780.00 HKD
      Assets:Transit:Airwallex           -7780.00 HKD   ->  -1000.00 USD @ 7.78 HKD

A credit stating an amount sent in a currency no payout of the channel is in stays in the
account's (its `bank-unmatched` says so). Books that booked such a credit before the
wallet's payouts came hold it in the account's currency: `match --apply` or `link` books
it in the amount sent (matching reads the payouts' currencies from the books).
"""

from __future__ import annotations

import itertools

from beancount.core import data

from beanclear.books.spill import like, metas
from beanclear.config.model import Bank, Channel
from beanclear.importers.banking import counter_posting, paid_currencies
from beanclear.importers.stated import stated_amount

SENT = "original-amount"


def across(read: list, books) -> None:
    """Once an import has read its files (`read`: (importer, extraction) pairs): each bank
    credit booked on a channel's transit account in its own amount whose statement states
    an amount sent in another currency, booked in that amount where the channel pays out
    in it (the module docstring)."""
    config = next((importer.config for importer, _ in read if getattr(importer, "config", None) is not None), None)
    if config is None:
        return
    paying = {name for channel in config.channels.values() for name in channel.payout_banks}
    banks = [(importer, out) for importer, out in read
             if isinstance(importer.source, Bank) and importer.source.name in paying
             and any(m and SENT in m for m in metas(out.entries))]
    if not banks:
        return
    transit = {channel.accounts.transit: channel for channel in config.channels.values()}
    known: dict[str, dict] = {}   # channel name -> its payouts' currencies (paid_currencies)

    def paid(channel: Channel) -> dict:
        if channel.name not in known:
            found = known[channel.name] = paid_currencies(config, _payouts(read, config, channel))
            found.setdefault(channel.accounts.transit, set()).update(
                books.currencies_put_on(channel.name, channel.accounts.transit))
        return known[channel.name]
    for importer, out in banks:
        account = importer.source.account
        restated = None
        for at, entry in enumerate(out.entries):
            new = entry
            if isinstance(entry, data.Transaction) and SENT in entry.meta and len(entry.postings) == 2:
                bank, counter = entry.postings if entry.postings[0].account == account else entry.postings[::-1]
                channel = transit.get(counter.account)
                sent = stated_amount(entry.meta.get(SENT))
                if bank.account == account and channel is not None and bank.units.number > 0 and \
                        counter.units.currency == bank.units.currency and sent is not None and \
                        sent[1] not in (bank.units.currency, channel.currency):
                    posting = counter_posting(config, account, counter.account, bank.units.number,
                                              bank.units.currency, entry.meta, paid(channel))
                    if posting.units != counter.units:
                        new = entry._replace(postings=[posting._replace(meta=counter.meta) if p is counter else p
                                                       for p in entry.postings])
            if new is not entry and restated is None:   # a spilled entry cannot change in place
                restated = like(out.entries)
                restated.extend(itertools.islice(out.entries, at))
            if restated is not None:
                restated.append(new)
        if restated is not None:
            out.entries = restated


def _payouts(read: list, config, channel: Channel):
    """(account, number, currency) of what the channel's statements in this import put on
    its transit account (its payouts; its own files hold no bank line). What its books
    hold: Books.currencies_put_on."""
    banks = {bank.account for bank in config.banks.values()}
    account = channel.accounts.transit
    for importer, out in read:
        if isinstance(importer.source, Channel) and importer.source.name == channel.name:
            for entry in out.entries:
                if isinstance(entry, data.Transaction) and not any(p.account in banks for p in entry.postings):
                    yield from ((p.account, p.units.number, p.units.currency) for p in entry.postings
                                if p.account == account)
