"""A folder of statements, identified into a plain description: the sources found
(type, files, currencies, period, payout memos seen in bank lines) and the files that
could not be identified, with why. Nothing here writes; writer.py makes the config."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from beancount.core import data

from beanclear.importers.bank_presets import PRESETS
from beanclear.books import identify, prices
from beanclear.checks.transit import payout_ids
from beanclear.config.model import PAYOUT_MEMOS, TITLES
from beanclear.importers import bank_csv
from beanclear.config import DEFAULT_TIMEZONE, SELF_DESCRIBING_BANKS
from beanclear.importers.banking import SeveralAccounts, one_account
from beanclear.importers.toolkit import StatementError, read_text
from beanclear.setup import columns, probe
from beanclear.setup.landed import Credit, Landed, Payout, landed
from beanclear.statements import openings


@dataclass
class Source:
    """One channel, bank or shop of the config to be, with what its files say."""

    group: str                      # channel | bank | shop
    type: str
    name: str = ""
    files: list[tuple[Path, str]] = field(default_factory=list)   # (file, importer kind)
    currencies: Counter = field(default_factory=Counter)          # booked amounts per currency
    first: dt.date | None = None
    last: dt.date | None = None
    lines: list[Credit] = field(default_factory=list)             # a bank's credits
    paid: list[Payout] = field(default_factory=list)              # a channel's payouts
    columns: dict[str, str] = field(default_factory=dict)         # a guessed `csv` bank only
    date_format: str | None = None
    account_id: str | None = None   # the account its statements state, when files of one type state several
    stated: set[str] = field(default_factory=set)   # the accounts its files state (account_key'd)
    also: list[str] = field(default_factory=list)   # a bank's other formats, `type: [camt053, mt940]`
    # (day, currency, amount): what its first statement says its account (a bank's, a
    # channel's clearing) held at the end of the day before it (statements/openings.py)
    opening: tuple[dt.date, str, Decimal] | None = None
    theirs: tuple[str, str] | None = None   # (account, why): its account in the books there before (owned.py)
    offsets: set = field(default_factory=set)   # the UTC offsets its times state (Extraction.offsets)
    reads: list = field(default_factory=list)   # (file, importer) as read: read again in the zone init writes

    @property
    def currency(self) -> str | None:
        """The currency most of its amounts are in, where the statement says; else None."""
        stated = [c for c, _ in self.currencies.most_common() if c != probe.UNSTATED]
        return stated[0] if stated else None

    @property
    def type_currency(self) -> str | None:
        """The currency the type's statements are always in where they do not say it: the
        Chinese channels, wallets and marketplaces (FORMATS §1–4, §8), a bank preset's."""
        preset = PRESETS.get(self.type)
        return "CNY" if self.type in CNY_TYPES else preset.currency if preset else None

    @property
    def unopened(self) -> bool:
        """A channel whose statements state no balance of its clearing account (a personal
        wallet's bill, Stripe's report): the import writes no opening from them, and only
        `opening_balance:` says what it held before them (books/unopened.py). Not a trade
        view alone, which shows no payouts: its fund view states the balance."""
        return self.group == "channel" and self.opening is None and \
            any(importer.shows_payouts for _, importer in self.reads)

    @property
    def others(self) -> list[str]:
        return sorted(c for c in self.currencies if c not in (self.currency, probe.UNSTATED))

    @property
    def account(self) -> str:
        return f"Assets:Bank:{TITLES.get(self.name) or self.name.upper().replace('_', '-')}"


CNY_TYPES = {"alipay", "wechat", "alipay-personal", "wechat-personal", "jd-personal", "taobao", "jd", "pinduoduo",
             "douyin"}


# Types that read any file of a shape (given its columns), beside the named layouts
GENERIC = {("shop", "orders-csv"), ("bank", "csv")}


@dataclass
class Survey:
    folder: Path
    sources: list[Source]
    unknown: list[tuple[Path, str]]              # (file, why)
    rates: list[Path] = field(default_factory=list)
    left_out: list[tuple[Path, str]] = field(default_factory=list)   # (file, what it is): summaries beside statements

    def of(self, group: str) -> list[Source]:
        return [s for s in self.sources if s.group == group]

    @property
    def currency(self) -> str:
        """The operating currency: the one most sources book in (CNY when none says)."""
        counts = Counter(s.currency or s.type_currency for s in self.sources if s.currency or s.type_currency)
        if not counts:
            return "CNY"
        most = max(counts.values())
        return "CNY" if counts["CNY"] == most else counts.most_common(1)[0][0]   # a tie: the default

    def paid_in(self, bank: Source) -> Landed:
        """The currency a bank statement silent on its own is in, as the payouts its
        credits are show it (landed.py), and why."""
        channels = [(c.name, _memo(c), c.paid, [c.currency, *c.others] if c.currency else
                     [c.type_currency] if c.type_currency else []) for c in self.of("channel")]
        return landed(bank.lines, channels)

    @property
    def timezone(self) -> tuple[str, str] | None:
        """(zone, what it was read from) of the offsets the statements state, or None
        where none states one (setup/zones.py)."""
        from beanclear.setup import zones
        return zones.guess(self.sources, self.currency)

    def dated_in(self, zone) -> None:
        """Each source's days (first, last, its opening's) as books in `zone` date them: the
        probes read in the default zone, whose day an evening in New York already is not
        (blind26: Stripe's and PayPal's January said "to 2026-02-01"). Read again in it; a
        file that cannot be (a row past today there) leaves the source's days as they were."""
        for source in self.sources:
            again = replace(source, first=None, last=None, opening=None)
            try:
                for path, importer in source.reads:
                    reader = type(importer)(importer.source, replace(importer.config, timezone=zone))
                    _dated(again, reader, reader.read(str(path)))
            except StatementError:
                continue
            source.first, source.last, source.opening = again.first, again.last, again.opening

    def payouts(self, channel: Source) -> dict[str, list[str]]:
        """Bank name -> the distinct credit texts matching the channel type's payout memo."""
        pattern = _memo(channel)
        out = {}
        for bank in self.of("bank"):
            seen = list(dict.fromkeys(credit.text for credit in bank.lines if pattern.search(credit.text)))
            if seen:
                out[bank.name] = seen
        return out


def _memo(channel: Source) -> re.Pattern:
    """What a bank writes of the channel's payouts (config PAYOUT_MEMOS), else its name."""
    return re.compile(PAYOUT_MEMOS.get(channel.type, re.escape(channel.name)), re.IGNORECASE)


def survey(folder: Path, scratch: Path) -> Survey:
    """Identify every statement under `folder` (hidden files aside). `scratch` is an
    empty folder for the probe configs' books (nothing is written there)."""
    identified: dict[tuple[str, str], list] = {}   # (group, type) -> (file, importer class, importer, extraction)
    unknown, rates, guessed, left_out = [], [], [], []
    for path in identify.statement_files([folder]):
        if prices.is_rates_file(path):
            rates.append(path)
            continue
        said = identify.summary_file(path)
        if said is not None:   # Alipay's 汇总 beside its 明细: left out, as import leaves it out
            left_out.append((path, said))
            continue
        claimed = []
        try:
            claimed = probe.claims(path)
            kinds = {(group, kind) for group, kind, _ in claimed}
            if len(kinds) > 1 and kinds - GENERIC:
                # a layout of its own beats the generic reading its columns also fit (a JD
                # order export is an orders-csv too: seed 31721's was left to add by hand)
                claimed = [c for c in claimed if (c[0], c[1]) not in GENERIC]
                kinds -= GENERIC
            if len(kinds) > 1:
                unknown.append((path, "claimed by several types (" + ", ".join(f"{g} type {k}" for g, k in
                                sorted(kinds)) + "); add it by hand"))
                continue
            if not claimed:
                identify.refuse_zipped(path)   # a download still zipped says what is inside, as import does
                read_text(path)  # empty or undecodable says so
                guess = columns.guess(path)
                if guess is None:
                    unknown.append((path, "no importer recognises this file; if it is a statement, add its "
                                    "source by hand (a bank CSV: a bank of type csv with columns:; a shop's order "
                                    "export: a shop of type orders-csv with columns:, see README)"))
                else:
                    guessed.append((path, guess))
                continue
            group, kind, cls = claimed[0]
            for read in _each_account(path, group, kind, cls, scratch):
                identified.setdefault((group, kind), []).append((path, cls, *read))
        except StatementError as exc:
            why = _why(exc, path)
            if claimed:   # the probe source is no name of the merchant's: say the one init gives a source
                group, kind = claimed[0][:2]
                why = why.replace(f"{probe.GROUPS[group]}.probe.", f"{probe.GROUPS[group]}.{kind}.")
            unknown.append((path, why))
    sources = [source for (group, kind), files in identified.items()
               for source in _by_account(group, kind, files, unknown, scratch)]
    for path, (cols, fmt) in guessed:
        _guessed_bank(path, cols, fmt, sources, unknown, scratch)
    sources = _one_account_banks(sources)
    _name(sources)
    found = Survey(folder, sources, unknown, rates, left_out)
    zone = found.timezone
    if zone and zone[0] != DEFAULT_TIMEZONE:   # (the probes' zone: config.yaml's default)
        found.dated_in(ZoneInfo(zone[0]))
    return found


def _each_account(path: Path, group: str, kind: str, cls, scratch: Path) -> list[tuple]:
    """(importer, extraction) of the file's statements: one read, or one per account of a
    file of several (an OFX of a checking and a savings account; CAMT or MT940 of two
    IBANs), each read with its `account_id`, to be a bank of its own (_by_account)."""
    try:
        return [probe.read(path, group, {"type": kind}, cls, scratch)]
    except SeveralAccounts as several:
        if several.at_least:   # a stream stopped at the second: not all of them are known
            raise
        out = []
        for number in several.numbers:
            importer, extraction = probe.read(path, group, {"type": kind, "account_id": number}, cls, scratch)
            extraction.account = extraction.account or number
            out.append((importer, extraction))
        return out


def _by_account(group: str, kind: str, files: list, unknown: list, scratch: Path) -> list[Source]:
    """The sources of one type: one per account the statements state (each with its
    `account_id`), or one without it when they state at most one. A file that states no
    account, among files of several, goes to the account whose importer claims it with
    that account_id (a WeChat fund bill names its 商户号), else it is left to the user."""
    accounts = sorted({ex.account for *_, ex in files if ex.account})
    if len(accounts) <= 1:
        source = Source(group, kind, stated=set(accounts))
        for path, _cls, importer, extraction in files:
            _add(source, path, importer, extraction)
        return [source]
    sources = {account: Source(group, kind, account_id=account, stated={account}) for account in accounts}
    for path, cls, importer, extraction in files:
        owner = extraction.account
        if owner is None:
            claims = [a for a in accounts if cls(probe.probe_config(group, {"type": kind, "account_id": a}, scratch)
                                                 .sources["probe"], None).identify(str(path))]
            if len(claims) != 1:
                unknown.append((path, f"{group} type {kind}, but of which account ({', '.join(accounts)})? the file "
                                "names none; add it to the source of its account by hand"))
                continue
            owner = claims[0]
        _add(sources[owner], path, importer, extraction)
    return list(sources.values())


def _one_account_banks(sources: list[Source]) -> list[Source]:
    """Banks of formats that name their account (CAMT.053, MT940, OFX) whose files state
    one account, as one bank of each format: `type: [camt053, mt940]`, one opening (two
    banks would book the account's money and opening twice). One account as import says
    it (banking.one_account: an IBAN and the domestic number it ends with); the bank keeps
    the account as its `account_id`, the IBAN where a file names it."""
    out: list[Source] = []
    for source in sources:
        same = next((b for b in out if source.group == b.group == "bank" and source.stated and b.stated
                     and {source.type, b.type} <= set(SELF_DESCRIBING_BANKS)
                     and source.type not in (b.type, *b.also)
                     and all(a == o or one_account(a, o) for a in source.stated for o in b.stated)), None)
        if same is None:
            out.append(source)
            continue
        kinds = sorted({same.type, *same.also, source.type}, key=SELF_DESCRIBING_BANKS.index)
        same.type, same.also = kinds[0], kinds[1:]
        same.stated |= source.stated
        same.account_id = max(same.stated, key=len)   # an IBAN is longer than the number it ends with
        same.files += source.files
        same.currencies += source.currencies
        same.lines += source.lines
        same.offsets |= source.offsets
        same.reads += source.reads
        same.opening = _earliest(same.opening, source.opening)
        days = [d for d in (same.first, same.last, source.first, source.last) if d]
        same.first, same.last = (min(days), max(days)) if days else (None, None)
    return out


def _guessed_bank(path, cols, fmt, sources, unknown, scratch) -> None:
    """A csv bank from a guessed column map, kept only if the guess reads the file."""
    same = next((s for s in sources if s.type == "csv" and s.columns == cols and s.date_format == fmt), None)
    source = same or Source("bank", "csv", columns=cols, date_format=fmt)
    try:
        importer, extraction = probe.read(path, "bank", {"type": "csv", "columns": cols, "date_format": fmt},
                                          bank_csv.Importer, scratch)
    except StatementError as exc:
        unknown.append((path, f"looks like a bank CSV (columns {cols}), but reading it so failed: {_why(exc, path)}"))
        return
    unsigned = _unsigned(cols, extraction, importer.source.account)
    if unsigned:
        unknown.append((path, unsigned))
        return
    _add(source, path, importer, extraction)
    if same is None:
        sources.append(source)


UNSIGNED_FROM = 3   # lines of one signed amount column, none of them money out: its sign is elsewhere


def _unsigned(cols: dict, extraction, account: str) -> str | None:
    """Why a guessed single `amount` column (no direction beside it) cannot be a signed
    one, where no line of the file is money out: a statement's amounts are usually
    unsigned, their direction in another column (FORMATS: never infer the sign from the
    amount), as a collection platform's export writes them (PingPong's 交易金额 beside its
    交易类型 收款/结汇/提现): read as signed, every withdrawal would be booked as money in."""
    if "amount" not in cols or "direction" in cols:
        return None
    numbers = [p.units.number for e in extraction.entries if isinstance(e, data.Transaction)
               for p in e.postings if p.account == account and p.units is not None]
    if len(numbers) < UNSIGNED_FROM or any(n < 0 for n in numbers):
        return None
    return (f"looks like a bank CSV (columns {cols}), but its amount column {cols['amount']!r} holds no money out "
            f"in {len(numbers)} lines: its direction is in another column, which a guess cannot tell; add it by "
            "hand (a bank of type csv: `columns: {direction: …}` beside the amount, or debit:/credit:; a collection "
            "platform's export such as PingPong's is a channel, type pingpong with columns:, see README)")


def _why(exc: StatementError, path: Path) -> str:
    """The error without its `file:` (the reason may itself start with `:60F:`), its
    line said where it is past the first (`line 8: not well-formed XML`, as import
    says `file:8:`); an error of the first line is of the whole file (its encoding, a
    ZIP archive)."""
    if exc.file != str(path):
        return str(exc)
    return f"line {exc.line}: {exc.reason}" if exc.line > 1 else exc.reason


def _add(source: Source, path: Path, importer, extraction) -> None:
    """What one file read as `source` says: its currencies, days, a bank's credits and a
    channel's payouts."""
    source.files.append((path, importer.kind))
    source.reads.append((path, importer))
    source.offsets |= extraction.offsets
    mine = _held(source, importer)
    for entry in extraction.entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if posting.account in mine and posting.units is not None:
                    source.currencies[posting.units.currency] += 1
                    if source.group == "bank" and posting.units.number > 0:
                        source.lines.append(Credit(entry.date, posting.units.number, entry.payee or "",
                                                   entry.narration or ""))
                elif source.group == "channel" and posting.account == importer.source.accounts.transit \
                        and posting.units is not None and posting.units.number > 0:
                    source.paid.append(_payout(entry, posting, source))
        elif isinstance(entry, data.Balance) and entry.account in mine:
            source.currencies[entry.amount.currency] += 1
    _dated(source, importer, extraction)


def _held(source: Source, importer) -> set[str]:
    """The accounts of the source's own money: a bank's, a channel's clearing and reserve,
    a shop's receivable."""
    own = importer.source
    return {own.account} if source.group == "bank" else (
        {own.accounts.clearing, own.accounts.reserve} if source.group == "channel" else {own.accounts.receivable})


def _dated(source: Source, importer, extraction) -> None:
    """The days of one file read as `source` (its first and last, its opening's), with
    those of its files before it."""
    own = importer.source
    days, sums = [], openings.Sums()
    for entry in extraction.entries:
        sums.add(entry)
        if isinstance(entry, data.Transaction):
            days.append(entry.date)
    sums.covers(extraction)   # dated as the import will write it: the eve of the period it states
    if extraction.period:
        days += list(extraction.period)
    if days:
        source.first = min([d for d in (source.first, *days) if d])
        source.last = max([d for d in (source.last, *days) if d])
    held = own.account if source.group == "bank" else own.accounts.clearing if source.group == "channel" else None
    for opened, *_ in openings.implied(sums, stated=getattr(extraction, "stated_openings", None)):
        if opened.account == held:   # the earliest file's, of its first currency
            source.opening = _earliest(source.opening, (opened.date, opened.currency, opened.amount))


def _payout(entry: data.Transaction, posting: data.Posting, source: Source) -> Payout:
    """A channel's payout, by the ids a bank's text may name it by (its own: transit.payout_ids,
    and its `^payout-` link)."""
    ids = payout_ids(entry)
    ids += [link[len("payout-"):] for link in sorted(entry.links) if link.startswith("payout-")]
    currency = posting.units.currency
    return Payout(entry.date, posting.units.number,
                  source.type_currency if currency == probe.UNSTATED else currency, tuple(dict.fromkeys(ids)))


def _earliest(one, other):
    """Of two openings (day, currency, amount), or None, the earlier."""
    return other if one is None or other is not None and other[:2] < one[:2] else one


def _name(sources: list[Source]) -> None:
    """Each source's name: its type (a second csv bank: csv2, …); names are unique
    across channels, banks and shops because the types are."""
    taken: set[str] = set()
    for source in sources:
        name, n = source.type, 1
        while name in taken:
            n += 1
            name = f"{source.type}{n}"
        source.name = name
        taken.add(name)
