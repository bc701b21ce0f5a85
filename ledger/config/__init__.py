"""config.yaml: load, validate and give every setting its default.

Errors name the key path and what was expected, e.g.
``channels.wechat.fees[0].rate: expected a number, got "0.6%"``. Unknown keys are
errors too, so a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from beanclear.config.model import (  # noqa: F401  (the model is part of this module's interface)
    ACCOUNT_RE,
    BANK_TYPES,
    CHANNEL_TYPES,
    COLUMN_MAPPED_CHANNELS,
    MULTI_CURRENCY_CHANNELS,
    CURRENCY_RE,
    HOLDING_ROLES,
    NAME_RE,
    PAYOUT_MEMOS,
    SELF_DESCRIBING_BANKS,
    SHOP_TYPES,
    TITLES,
    SETTLEMENT_DAYS,
    WALLET_SETTLEMENT_DAYS,
    WALLET_TYPES,
    Bank,
    Channel,
    ChannelAccounts,
    Check,
    Config,
    ConfigError,
    FeeRule,
    Match,
    Opening,
    Rule,
    SalesRule,
    Shop,
    ShopAccounts,
    title_of,
)
from beanclear.config.loader import MAX_CONFIG_BYTES, MAX_NODES, line_of, safe_yaml  # noqa: F401
from beanclear.config import books_folder
from beanclear.config.reader import _bank, _channel, _checks, _match, _opt, _Reader, _shop

DEFAULT_TIMEZONE = "Asia/Shanghai"   # the zone UTC times are dated in where config.yaml names none


def parse(data: Any, path: Path) -> Config:
    """Validate a YAML tree already read from `path`."""
    top = _Reader(data, "").mapping({"books", "currency", "timezone", "title", "channels", "banks", "shops",
                                     "rules", "checks", "suspense", "transfers", "match", "live"})
    tz = _opt(top, "timezone", _Reader.zone, ZoneInfo(DEFAULT_TIMEZONE))
    banks = {}
    for name, node in (top["banks"].mapping() if "banks" in top else {}).items():
        node_name = _Reader(name, node.path).text(NAME_RE, "a lower-case name of letters, digits, - and _")
        banks[node_name] = _bank(name, node)
    currency = _opt(top, "currency", _Reader.currency, "CNY")
    channels = {name: _channel(_Reader(name, node.path).text(NAME_RE, "a lower-case name"), node, banks, currency)
                for name, node in (top["channels"].mapping() if "channels" in top else {}).items()}
    shops = {name: _shop(_Reader(name, node.path).text(NAME_RE, "a lower-case name"), node, currency)
             for name, node in (top["shops"].mapping() if "shops" in top else {}).items()}
    for name, channel in channels.items():
        if channel.shop is not None and channel.shop not in shops:
            raise ConfigError(f"channels.{name}.shop: expected the name of a shop under shops "
                              f"({', '.join(sorted(shops)) or 'none configured'}), or none (its payments pay "
                              f"no shop), got \"{channel.shop}\"")
        if channel.no_shop and "none" in shops:
            raise ConfigError(f"channels.{name}.shop: none says its payments pay no shop, but a shop is named "
                              f"none (shops.none): write shop: false for no shop, or rename that shop")
    _named_once(top, {"channels": channels, "banks": banks, "shops": shops})
    _held_once(channels, banks, shops)
    rules = []
    for node in top["rules"].sequence() if "rules" in top else []:
        keys = node.mapping({"match", "account"})
        for required in ("match", "account"):
            if required not in keys:
                raise ConfigError(f"{node.path}.{required}: missing")
        rules.append(Rule(pattern=keys["match"].regex(), account=keys["account"].account()))
    checks, threshold = _checks(top["checks"]) if "checks" in top else _checks(_Reader({}, "checks"))
    books = Path(_opt(top, "books", _Reader.text, "books"))
    _a_folder(books, path.parent)
    books_folder.refuse(books, path.parent, [*channels, *banks, *shops])
    config = Config(path=path, books=(path.parent / books).resolve(),
                    currency=_opt(top, "currency", _Reader.currency, "CNY"),
                    timezone=tz, title=_opt(top, "title", _Reader.text, "beanclear books"),
                    channels=channels, banks=banks, shops=shops, rules=tuple(rules), checks=checks,
                    review_threshold=threshold, suspense=_opt(top, "suspense", _Reader.account, "Assets:Suspense"),
                    transfers=_opt(top, "transfers", _Reader.account, "Assets:Transit:Transfers"),
                    match=_match(top["match"], channels) if "match" in top else Match(),
                    live=top["live"].data if "live" in top and top["live"].data is not None else {})
    _transfers_apart(config)
    if config.live or any(channel.live for channel in channels.values()):
        from beanclear.live import settings   # `live:`, `credentials:`, `fetch:` checked with the rest
        settings.read(config)
    return config


def _a_folder(books: Path, root: Path) -> None:
    """`books:` is a folder, or one yet to be made: never a file, nor inside one (import
    said only the OS's "File exists", check "no books yet: run import")."""
    place = (root / books).resolve()
    for there in (place, *place.parents):
        if there.exists():
            if not there.is_dir():
                inside = f"{books}: " if there != place else ""
                shown = there.relative_to(root) if there.is_relative_to(root) else there
                raise ConfigError(f"books: {inside}{shown} is a file, expected a folder")
            return


def _named_once(top: dict, sections: dict[str, dict]) -> None:
    """A source's name is its alone across channels, banks and shops (the books' folders,
    `--source`, the findings' source are by name): the second use, in the file's order,
    is the error, at its line."""
    first: dict[str, str] = {}
    for section in (key for key in top if key in sections):   # the sections as the file writes them
        for name in sections[section]:
            where = first.setdefault(name, f"{section}.{name}")
            if where != f"{section}.{name}":
                raise ConfigError(f"{section}.{name}: the same name as {where} (expected names unique across "
                                  "channels, banks and shops)")


def _held_once(channels: dict, banks: dict, shops: dict) -> None:
    """Every account that holds a source's money (a bank's account, a channel's clearing,
    transit, reserve, a wallet's savings and credit, a shop's receivable) is that source's
    alone: two banks' statements asserting balances of one account, or two channels
    clearing through one, could never reconcile. Sales and fees may be shared."""
    held: dict[str, str] = {}
    places = [(f"banks.{n}.account", b.account) for n, b in banks.items()]
    places += [(f"channels.{n}.accounts.{role}", getattr(c.accounts, role)) for n, c in channels.items()
               for role in HOLDING_ROLES if getattr(c.accounts, role)]
    places += [(f"shops.{n}.accounts.receivable", s.accounts.receivable) for n, s in shops.items()]
    for where, account in places:
        source = where.split(".")[1]
        other = held.setdefault(account, where)
        if other != where and other.split(".")[1] != source:
            same_bank = where.startswith("banks.") and other.startswith("banks.")
            raise ConfigError(f"{where}: {account} is also {other} (expected an account of its own: the money "
                              "of two sources in one account can never be reconciled" + (
                                  "; of one bank account's statements in two formats (its CSV and its "
                                  "CAMT.053), import each day in one format, as one bank: two banks of one "
                                  "account would book every line twice (README \"Importers\")"
                                  if same_bank else "") + ")")


def _transfers_apart(config: Config) -> None:
    """The account of transfers between the banks (`transfers:`) holds no source's money
    and is not suspense: a transfer booked into a bank's or a channel's account would
    count twice, and one the check pairs must not be a line nothing explains."""
    held = {config.suspense: "suspense"}
    held.update({b.account: f"banks.{n}.account" for n, b in config.banks.items()})
    held.update({getattr(c.accounts, role): f"channels.{n}.accounts.{role}" for n, c in config.channels.items()
                 for role in HOLDING_ROLES if getattr(c.accounts, role)})
    held.update({s.accounts.receivable: f"shops.{n}.accounts.receivable" for n, s in config.shops.items()})
    if config.transfers in held:
        raise ConfigError(f"transfers: {config.transfers} is also {held[config.transfers]} (expected an account of "
                          "its own for the money between two of the banks; set `transfers:` to another)")


def load(path: str | Path) -> Config:
    """Read and validate a config file."""
    path = Path(path).resolve()
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB (expected a config file)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (expected config.yaml, or pass -c PATH)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:   # saved as GBK by an editor on Chinese Windows
        from beanclear.importers.toolkit.text import not_utf8_at   # (the statements' reader: not needed by a load)
        line, what = not_utf8_at(raw, exc)
        raise ConfigError(f"{path}:{line}: {what}; save it as UTF-8") from None
    return from_text(text, path)


def from_text(text: str, path: Path) -> Config:
    """Validate a config's text as the file `path` (its folder is where relative paths
    start; its name is what errors say): load()'s, or the text an edit would write
    (`book --rule`), checked before it is."""
    path = Path(path).resolve()
    lines: dict[str, int] = {}
    try:
        data = safe_yaml(text, str(path), lines)
    except yaml.reader.ReaderError as exc:   # a character YAML refuses, at its place (not PyYAML's "position 27")
        if not isinstance(exc.character, int):
            raise ConfigError(f"{path}: not valid YAML ({exc})") from None
        at = max(0, min(exc.position, len(text)))
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        raise ConfigError(f"{path}:{line}: not valid YAML (a control character, U+{exc.character:04X}, at column "
                          f"{column}: YAML allows none but TAB and line breaks; remove it)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML ({str(getattr(exc, 'problem', exc))[:200]})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep (expected a config file)") from None
    try:
        return dataclasses.replace(parse(data, path), lines=lines)
    except ConfigError as exc:   # the reader's message starts with the key path: its line too
        line = line_of(str(exc), lines)
        raise ConfigError(f"{path}{f':{line}' if line else ''}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep (expected a config file)") from None
