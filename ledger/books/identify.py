"""Which source reads a statement file: the files of the paths given, a zipped download
said for what it holds, and of the config's importers the ones that claim a file (by
its content, the source --source names, and the records of what each source imported
before). A file no importer claims is said for what it looks like: a statement of a
type the config has no source of, a format a bank's `type:` does not list, an export
that is no statement (NOT_STATEMENTS), or the summary a download holds beside its
statement (summary_file)."""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
from pathlib import Path
from typing import Callable, Iterable

from beanclear.books import prices
from beanclear.config import SELF_DESCRIBING_BANKS, ConfigError, _bank, _channel, _Reader, _shop
from beanclear.config.model import Bank
from beanclear.importers import registry
from beanclear.importers.account_ids import stated_account
from beanclear.importers.banking import BankImporter, account_key
from beanclear.importers.base import StatementImporter
from beanclear.importers.toolkit import (DELIMITERS, XLSX_MAGIC, StatementError, _open_workbook, clean, first_row_keys,
                                         header_key, read_text, sniff, zip_members)
from beanclear.importers.toolkit.tables import head_bytes


def statement_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the files inside folders named (hidden ones left out), sorted."""
    out = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file()
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            out.append(path)
        elif path.exists():   # /dev/null, a FIFO: never read (a pipe would wait for a writer)
            raise StatementError(path, 0, "not a regular file (a device, a pipe or a socket): expected a statement "
                                 "file or a folder of them")
        else:
            raise StatementError(path, 0, "no such file or folder")
    return out


def without_statements(paths: Iterable[str | Path], read: Iterable[Path]) -> list[str]:
    """The folders among `paths` that hold no file an import read (`read`: the paths of
    its results): an empty folder, one of hidden files only, a folder named fake.csv.
    The import says so rather than nothing."""
    read = [Path(p) for p in read]
    return [str(raw) for raw in paths if Path(raw).is_dir() and not any(Path(raw) in p.parents for p in read)]


def refuse_zipped(path: Path) -> None:
    """A bill download still zipped (Alipay's 明细 beside its 汇总) is refused naming the
    files inside; init lists it with the same words."""
    members = zip_members(path)
    if members is not None:
        raise StatementError(path, 1, "a ZIP archive, not a statement: unzip it and import the statement "
                             f"inside (it holds {', '.join(members[:5]) or 'nothing'}"
                             f"{', …' if len(members) > 5 else ''}; of a 明细 and its 汇总, the 明细)")


def summary_file(path: Path) -> str | None:
    """What a file is, where it is the summary a download holds beside a statement
    (Alipay's `…_账务明细(汇总).csv`): it moves no money, and an import leaves it out of a
    folder saying so, or refuses it given alone (refuse_summary). None for any other file."""
    return registry.summary_of(sniff(str(path), limit=8192))


def refuse_summary(path: Path) -> None:
    """A summary file (summary_file) is refused saying what it is."""
    said = summary_file(path)
    if said is not None:
        raise StatementError(path, 1, said)


def read_as(path: Path, importers: list[StatementImporter], source: str | None, recorded: Callable[[str], bool],
            force: bool, held: Callable[[str], list[str]] = lambda name: []) -> list[tuple[StatementImporter, bool]]:
    """The sources a file is imported as, each with whether one of its importers claims
    the file now. A file whose digest a source's records hold was that source's
    statement, whatever config.yaml says now: "imported before" (a bank whose `type`
    went from csv to ofx keeps its CSVs so; another source that claims it now does not
    book its money again). Of a download of several accounts, a source that claims its
    own account and holds no record of it is read as well. With `force`, or a file no
    source records, identify() decides (`held`: identify's)."""
    names = [] if force else list(dict.fromkeys(i.source.name for i in importers
                                                if (source is None or i.source.name == source)
                                                and recorded(i.source.name)))
    if not names:
        return [(importer, True) for importer in identify(path, importers, source, recorded, held)]
    try:
        claimed = identify(path, importers, source, recorded, held)
    except StatementError:   # no importer reads it now: its records still say what it was
        claimed = []
    out = []
    for name in names:
        mine = [i for i in claimed if i.source.name == name]
        out.append((mine[0], True) if mine else (next(i for i in importers if i.source.name == name), False))
    if _accounts_apart(claimed):
        out += [(i, True) for i in claimed if i.source.name not in names]
    return out


def identify(path: Path, importers: list[StatementImporter], source: str | None,
             recorded: Callable[[str], bool] = lambda name: False,
             held: Callable[[str], list[str]] = lambda name: []) -> list[StatementImporter]:
    """The sources a file is read as: one, or each bank whose account the file holds
    (a download of several accounts, each configured with its `account_id`).
    `recorded(name)`: whether that source's books record this very file (by digest);
    `held(name)`: the account numbers of the statements they record of it (a file none
    claims is said for the bank whose account it names, _bank_to_list; of several that
    claim it, one without account_id gives way where the file is another account's,
    _of_another_account)."""
    candidates = [i for i in importers if source is None or i.source.name == source]
    if source is not None and not candidates:
        names = sorted({i.source.name for i in importers})
        raise StatementError(path, 0, f"--source {source}: no such source in the config (expected one of "
                             f"{', '.join(names)})")
    claimed = [i for i in candidates if i.identify(str(path))]
    if len(claimed) == 1 or _accounts_apart(claimed):
        return claimed
    if not claimed:
        refuse_zipped(path)
        refuse_summary(path)
        # an empty, undecodable or damaged file says so, rather than "not recognised"; a
        # workbook is no text to decode: what it lacks is a sheet with a known header
        workbook = (head_bytes(path, 4) or b"") == XLSX_MAGIC
        if workbook:
            _open_workbook(path).close()
        else:
            read_text(path)
        other = _other_types(path, importers, given=source, held=held) or _not_a_statement(path)
        if other:
            raise StatementError(path, 1, other)
        if not workbook and prices.of_currencies_alone(path):   # the ECB's `Date,USD,GBP`: raises, saying what it lacks
            prices.read_rates(path, in_import=True)
        kinds = ", ".join(sorted({f"{i.source.name} ({i.kind})" for i in candidates}))
        near = _near_header(path, candidates)
        if near:
            raise near
        if workbook:
            raise StatementError(path, 1, "no importer recognises this workbook: none of its sheets holds the header "
                                 f"of a statement of {kinds} in its first rows")
        raise StatementError(path, 1, f"no importer recognises this file (expected a statement of {kinds})")
    # A source without account_id whose books hold statements of other accounts claims
    # not a file of an account another claimant is of (its account_id, or one its books
    # hold), or that its preamble states: it would refuse it (statements/belonging.py),
    # saying to give that account a source of its own (_of_another_account).
    accounts = {i.source.name: ([i.source.account_id] if getattr(i.source, "account_id", None)
                                else held(i.source.name)) for i in claimed}
    others = [i for i in claimed if _of_another_account(path, i, accounts)]
    if others and len(others) < len(claimed):
        claimed = [i for i in claimed if i not in others]
        if len(claimed) == 1 or _accounts_apart(claimed):
            return claimed
    # Two sources of one type (two Shopify shops, two banks sending CAMT.053): the one whose
    # books record this very file (imported before with --source); the one whose
    # account_id names the account the file names, over one without account_id
    # (_naming_its_account); a file in a folder named after one of them
    # (`statements/<source>/…`); else a file whose name holds the
    # words of one name that the others' lack (`shop_a_orders_export.csv`: not `stripe`
    # of stripe and stripe_us, a word every Stripe export's name holds).
    words = set(re.split(r"[^a-z0-9]+", path.stem.lower()))
    own = {i.source.name: set(re.split(r"[^a-z0-9]+", i.source.name.lower())) - {""} for i in claimed}
    shared = set.intersection(*own.values()) if own else set()
    for named in ([i for i in claimed if recorded(i.source.name)],
                  _naming_its_account(path, claimed),
                  [i for i in claimed if i.source.name in path.parts[:-1]],
                  [i for i in claimed if own[i.source.name] - shared and own[i.source.name] - shared <= words],
                  _of_its_currency(path, claimed)):
        if len(named) == 1:
            return named
    names = ", ".join(f"{i.source.name} ({i.kind})" for i in claimed)
    raise StatementError(path, 1, f"more than one source claims this file: {names}; put it in a folder named "
                         "after its source, set account_id in config.yaml, or pass --source NAME")


# An account_id no statement names: a claim that holds with it rests on no account the file names.
_NO_ACCOUNT = "\0"


def _of_another_account(path: Path, importer: StatementImporter, accounts: dict[str, list[str]]) -> bool:
    """Whether a source without account_id, whose books hold statements of some accounts,
    claims a file of another account: as a source whose account_id were one of its own
    it would not claim it (each format's own rule of the account a file names: Alipay's
    `#账号`, WeChat Pay's 商户号, an IBAN, an MT940 `:25:`…), and the file does name an
    account: the one another claimant is of (`accounts`: each claimant's account_id, or
    without one the accounts its books hold), or one its preamble states (account_ids.py,
    what the books record of such a statement). A file that names none, or none within
    its start (an Alipay bill of 2022 names it in its footer), is claimed as before."""
    name = importer.source.name
    if getattr(importer.source, "account_id", None) or not accounts.get(name):
        return False
    claims = functools.cache(lambda account_id: importer.with_account(account_id).identify(str(path)))
    if any(claims(a) for a in accounts[name]):
        return False
    theirs = {a for other, ids in accounts.items() if other != name for a in ids} - set(accounts[name])
    return any(claims(a) for a in sorted(theirs)) or stated_account(sniff(str(path))) is not None


def _naming_its_account(path: Path, claimed: list[StatementImporter]) -> list[StatementImporter]:
    """Of sources of one type claiming a file, those whose account_id is the account the
    file names: the more specific claim, over a source without account_id that claims
    every file of the type. A claim that holds with an account_id no file names
    (_NO_ACCOUNT) rests on no account (a WeChat fund bill a person's rows alone make).
    Not of banks that read a file's accounts apart: a download of several accounts may
    hold the one a bank without account_id is for as well (its lines would be skipped as
    another account's by the bank that names one of them)."""
    if any(getattr(i, "accounts_apart", False) for i in claimed):
        return []
    return [i for i in claimed if getattr(i.source, "account_id", None)
            and not i.with_account(_NO_ACCOUNT).identify(str(path))]


def _of_its_currency(path: Path, claimed: list[StatementImporter]) -> list[StatementImporter]:
    """Of sources of different currencies (a Stripe account in USD, another in EUR), those
    whose currency the file's first rows name as a word of their own (`usd`, "EUR"): one
    decides; where the rows name several (a customer's currency beside the account's),
    none does."""
    currencies = {getattr(i.source, "currency", None) for i in claimed}
    if len(currencies) < len(claimed) or None in currencies:
        return []
    named = {w.upper() for w in re.findall(r"(?<![A-Za-z])[A-Za-z]{3}(?![A-Za-z])", sniff(str(path)))}
    return [i for i in claimed if i.source.currency in named]


def _accounts_apart(claimed: list[StatementImporter]) -> bool:
    """Whether each source claims its own statements of the file: banks of one type that
    read only their account's statements (BankImporter.accounts_apart), whose
    `account_id`s name different accounts (no id the end of another: an IBAN also
    matches the domestic number it ends with, banking.BankImporter.is_mine)."""
    if len(claimed) < 2 or len({type(i) for i in claimed}) > 1 \
            or not all(isinstance(i, BankImporter) and i.accounts_apart and i.source.account_id for i in claimed):
        return False
    keys = [account_key(i.source.account_id) for i in claimed]
    return all(keys) and not any(a.endswith(b) for n, a in enumerate(keys) for b in keys[:n] + keys[n + 1:])


def _refuse_own_faults(path: Path, probe: StatementImporter) -> str | None:
    """Raise what is wrong with a file a source of its type, with its defaults, reads
    (`probe`), where something is: its own error (a trade bill cut off before its summary
    lines), or no rows at all (a header alone names no account, and holds nothing to
    import: blind13, a header-only WeChat bill was refused as another account's, "check
    its account_id in config.yaml"). Else the account the file names, where it names one
    (a WeChat bill's 商户号), for the refusal to say. Read only on this refusal's way."""
    try:
        read = probe.parse(str(path))
    except StatementError:
        raise
    except Exception:   # (a probe's reading is advice only: the refusal below stands)
        return None
    if not read.rows:
        raise StatementError(path, 1, "the file holds a header and no rows: nothing in it names an account, and "
                             "there is nothing to import (an empty download?)")
    return read.account


def _other_types(path: Path, importers: list[StatementImporter], given: str | None = None,
                 held: Callable[[str], list[str]] = lambda name: []) -> str | None:
    """What a file no source of the config claims looks like: every importer of every
    source type (registry.py) is asked, as a source of that type with its defaults
    would be. The message names the type to add, or the source that did not claim it:
    the one `--source` named (`given`), if of that type (then passing it is no advice)."""
    config = importers[0].config if importers else None
    found: dict[str, str] = {}   # "channel type alipay-personal" -> the importer's kind
    probes = []                  # the importers, of a source with its defaults, that claim it
    for what, table, make in _PROBES:
        for kind, classes in table.items():
            try:
                source = make(kind)
            except ConfigError:  # a type that needs `columns:` cannot be guessed
                continue
            for cls in classes:
                if f"{what} type {kind}" not in found and (probe := cls(source, config)).identify(str(path)):
                    found[f"{what} type {kind}"] = cls.kind
                    probes.append(probe)
    if not found:
        return None
    kinds = sorted({kind.removesuffix(" statement") for kind in found.values()})   # "mt940 statement"
    article = "an" if kinds[0][:1] in "aeiou" else "a"
    text = f"this looks like {article} {' or '.join(kinds)} statement ({' or '.join(found)})"
    types = {label.rsplit(" ", 1)[1] for label in found}
    have = sorted({i.source.name for i in importers if types & set(_types_of(i.source))})
    # a source of the type claims it not: where the file itself is at fault, that is what to say
    stated = _refuse_own_faults(path, probes[0]) if have else None
    ids = {i.source.name: getattr(i.source, "account_id", None) for i in importers if i.source.name in have}
    if given in have:
        # a source of the type, with its defaults, claims the file: what it lacks is in its config
        why = (f": the file does not name its account_id {ids[given]} where a statement of that type names its "
               "account (a statement of another account, or a wrong account_id in config.yaml)"
               + (f"; the file is of account {stated}" if stated else "")) if ids[given] \
            else " (check its settings in config.yaml)"
        return text + f", but source {given}, given by --source, does not claim it" + why
    if have and stated and all(ids.values()) and stated not in ids.values():
        # (--source is no advice: the file names another account than each source's)
        theirs = ", ".join(f"{name}'s is {account_id}" for name, account_id in sorted(ids.items()))
        return (text + f" of account {stated}, but no source of that type is of that account ({theirs}): a "
                "statement of another account, or a wrong account_id in config.yaml")
    if have:
        return (text + f", but source {', '.join(have)} of that type does not claim it (check its account_id in "
                "config.yaml, or pass --source " + have[0] + ")")
    listing = _bank_to_list(path, config, types, given, held)
    if listing is not None:
        bank, listed = listing
        who = f"source {bank.name}, given by --source," if given else f"bank {bank.name}, whose account it names,"
        return (text + f", but {who} is of type {' | '.join(bank.types)}: add it to the bank's type in config.yaml: "
                f"`type: [{', '.join(listed)}]` under banks.{bank.name} (one bank reads its account's statements "
                "in each format listed)")
    bank = config.banks.get(given) if config is not None and given else None
    if bank is not None and bank.account_id and set(bank.types) <= set(SELF_DESCRIBING_BANKS):
        return (text + f", but source {bank.name}, given by --source, is of type {' | '.join(bank.types)}, and the "
                f"file does not name its account_id {bank.account_id} (a statement of another account: add a bank "
                "of that type to config.yaml)")
    # (--source cannot help: every source it may name is of another type)
    return text + ", but the config has no source of that type; add one to config.yaml"


def _format_of(importer: StatementImporter) -> str | None:
    """The format a bank's statement is in: the type whose importer reads it (of a bank of
    several, `type: [camt053, mt940]`, the one of the file); None for any other source.
    Of every bank, not only one listing several today: its coverage records say which
    format covered which days (belonging.one_format), and a config moved from `mt940` to
    `[mt940, camt053]` or `camt053` after June's MT940 (blind12) must still know June's."""
    if not isinstance(importer.source, Bank):
        return None
    return next(kind for kind in importer.source.types if type(importer) in registry.BANK_IMPORTERS[kind])


def _types_of(source) -> tuple[str, ...]:
    """A source's types: a bank's may be several (`type: [camt053, mt940]`)."""
    return source.types if isinstance(source, Bank) else (getattr(source, "type", None),)


def _bank_to_list(path: Path, config, types: set[str], given: str | None,
                  held: Callable[[str], list[str]] = lambda name: []):
    """(bank, its types with the file's) of the bank that reads a statement of a bank
    format its `type:` does not list once it does: the one --source names (`given`), else
    the one whose account the file names (an importer of the file's format, built from
    the bank, claims it): its account_id, or without one an account its books hold
    statements of (`held(name)`), by is_mine's rule. None where no bank of the formats
    that name their account is the one, or several are."""
    if config is None:
        return None
    kinds = sorted(types & set(SELF_DESCRIBING_BANKS))
    banks = [config.banks[given]] if given in config.banks else [] if given else list(config.banks.values())
    found = []
    for bank in banks:
        if not set(bank.types) <= set(SELF_DESCRIBING_BANKS):
            continue
        ids = [bank.account_id] if given or bank.account_id else held(bank.name)
        kind = next((kind for kind in kinds for cls in registry.BANK_IMPORTERS[kind] for account_id in ids
                     if cls(dataclasses.replace(bank, type=kind, types=(kind,), account_id=account_id),
                            config).identify(str(path))), None)
        if kind is not None:
            found.append((bank, bank.types + (kind,)))
    return found[0] if len(found) == 1 else None


# Exports of the channels that are not statements of their money: what to export instead.
NOT_STATEMENTS = (
    (("id", "Amount", "Arrival Date (UTC)", "Balance Transaction"),
     "a Stripe payouts export (a row per payout, without the payments each one pays out), not a statement "
     "beanclear reads: export Stripe's balance history or its itemized balance change report (Reports), which "
     "hold every payment, fee, refund and payout"),
)


def _near_header(path: Path, candidates: list[StatementImporter], scan: int = 80) -> StatementError | None:
    """A file none claims whose first rows hold most of the header names one of them looks
    for (its `HEADER`, or the names config.yaml's `columns:` map gives: mapped_header), or
    of a map its date and amount columns, but not all: said at that line, with the names
    it lacks (of a map, by their key paths: `banks.ops.columns.memo: no column
    "Beschreibung"`), for the cause is the header (a column renamed or left out, or named
    otherwise in config.yaml), not the file."""
    head = sniff(str(path))
    best = None   # (names found, -line, line, importer, names lacking, cells, map)
    for importer in candidates:
        mapped = importer.mapped_header()
        names = tuple(mapped[0]) if mapped else getattr(importer, "HEADER", ())
        core = {header_key(n) for n in mapped[1]} if mapped else set()
        if len(names) < 3 and not core:
            continue
        for number, line in enumerate(head.lstrip("\ufeff").splitlines()[:scan], 1):
            for delimiter in DELIMITERS:   # a German bank's `;`, ABN AMRO's TAB
                try:
                    cells = next(csv.reader([line], delimiter=delimiter), [])
                except csv.Error:
                    continue
                keys = {header_key(c) for c in cells}
                lacking = [n for n in names if header_key(n) not in keys]
                found = len(names) - len(lacking)
                near = found >= max(3, (len(names) + 1) // 2) or bool(core) and core <= keys
                if lacking and near and (best is None or (found, -number) > best[:2]):
                    best = (found, -number, number, importer, lacking, cells, mapped)
    if best is None:
        return None
    _, _, number, importer, lacking, cells, mapped = best
    if mapped:
        shown = [clean(c) for c in cells if clean(c)]
        has = ", ".join(shown[:8]) + (", …" if len(shown) > 8 else "")
        return StatementError(path, number, ", ".join(f'{mapped[0][n]}: no column "{n}"' for n in lacking)
                              + f" (the header has {has})")
    return StatementError(path, number, f"no importer recognises this file: this line looks like the header of "
                          f"{importer.source.name} ({importer.kind}) but has no {', '.join(lacking)} column "
                          f"(expected its header: {', '.join(importer.HEADER)})")


def _not_a_statement(path: Path) -> str | None:
    """What a file no importer claims is, where its header is a known export that is no
    statement (NOT_STATEMENTS)."""
    keys = first_row_keys(sniff(path))
    for names, said in NOT_STATEMENTS:
        if {header_key(n) for n in names} <= keys:
            return f"this looks like {said}"
    return None


# A source of each type with nothing but its defaults (a bank also needs its account).
_PROBES = (("channel", registry.CHANNEL_IMPORTERS,
             lambda kind: _channel("probe", _Reader({"type": kind}, "probe"), {})),
           ("bank", registry.BANK_IMPORTERS,
            lambda kind: _bank("probe", _Reader({"type": kind, "account": "Assets:Bank:Probe"}, "probe"))),
           ("shop", registry.SHOP_IMPORTERS, lambda kind: _shop("probe", _Reader({"type": kind}, "probe"), "CNY")))
