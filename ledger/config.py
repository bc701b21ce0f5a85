"""config.yaml: load, validate and give every setting its default.

Errors name the key path and what was expected, e.g.
``channels.wechat.fees[0].rate: expected a number, got "0.6%"``. Unknown keys are
errors too, so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from beanclear.findings import CODES, DEFAULT_SEVERITY, SEVERITIES

ACCOUNT_RE = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$")
CURRENCY_RE = re.compile(r"^[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

CHANNEL_TYPES = ("wechat",)
BANK_TYPES = ("csv",)
SHOP_TYPES = ("shopify", "taobao", "jd", "pinduoduo", "douyin", "orders-csv")

# How a channel's name reads inside an account name when the config does not say.
TITLES = {"wechat": "WeChat", "alipay": "Alipay", "paypal": "PayPal", "stripe": "Stripe", "icbc": "ICBC",
          "cmb": "CMB", "boc": "BOC", "hsbc": "HSBC"}

# Payout memos each channel type writes on the merchant's bank statement.
PAYOUT_MEMOS = {"wechat": r"财付通|微信|tenpay|wechat"}


class ConfigError(Exception):
    """A problem with config.yaml; the message starts with the key path."""


@dataclass(frozen=True)
class FeeRule:
    rate: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)
    min: Decimal | None = None
    max: Decimal | None = None
    method: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Opening:
    """What an account held at the end of `date`, before the first statement imported."""

    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ChannelAccounts:
    clearing: str
    transit: str
    sales: str
    fees: str
    discounts: str


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    currency: str
    settlement_days: int
    bank: str | None
    bank_days: int
    accounts: ChannelAccounts
    payout_memo: re.Pattern
    account_id: str | None = None
    fees: tuple[FeeRule, ...] = ()
    opening: "Opening | None" = None


@dataclass(frozen=True)
class Bank:
    name: str
    type: str
    account: str
    currency: str
    columns: dict[str, str]
    encoding: str | None = None
    date_format: str = "%Y-%m-%d"
    account_id: str | None = None
    opening: "Opening | None" = None


@dataclass(frozen=True)
class Shop:
    name: str
    type: str
    order_days: int


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    account: str


@dataclass(frozen=True)
class Check:
    severity: str
    limits: dict[str, Decimal]


@dataclass(frozen=True)
class Config:
    path: Path
    books: Path
    currency: str
    timezone: ZoneInfo
    title: str
    channels: dict[str, Channel]
    banks: dict[str, Bank]
    shops: dict[str, Shop]
    rules: tuple[Rule, ...]
    checks: dict[str, Check]
    review_threshold: Decimal | None
    suspense: str = "Assets:Suspense"
    equity: str = "Equity:Opening-Balances"

    @property
    def root(self) -> Path:
        """The folder paths in the config are relative to."""
        return self.path.parent

    @property
    def sources(self) -> dict[str, Channel | Bank | Shop]:
        return {**self.channels, **self.banks, **self.shops}

    def accounts(self) -> dict[str, str | None]:
        """Every account the config implies, with its currency constraint (or None)."""
        out: dict[str, str | None] = {self.suspense: None}
        for ch in self.channels.values():
            for account in vars(ch.accounts).values():
                out[account] = None
        for bank in self.banks.values():
            out[bank.account] = None
        for rule in self.rules:
            out[rule.account] = None
        if self.openings():
            out[self.equity] = None
        return dict(sorted(out.items()))

    def openings(self) -> list[tuple[str, str, "Opening"]]:
        """(account, currency, opening balance) of every source that states one."""
        out = [(ch.accounts.clearing, ch.currency, ch.opening) for ch in self.channels.values() if ch.opening]
        out += [(b.account, b.currency, b.opening) for b in self.banks.values() if b.opening]
        return sorted(out, key=lambda o: o[0])


def title_of(name: str) -> str:
    """`wechat` -> `WeChat`, `my_shop` -> `MyShop`: a valid account component."""
    if name in TITLES:
        return TITLES[name]
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\s]+", name) if part)


class _Reader:
    """Walks the YAML tree, remembering the key path for error messages."""

    def __init__(self, data: Any, path: str):
        self.data, self.path = data, path

    def fail(self, expected: str, got: Any = None) -> ConfigError:
        shown = "nothing" if got is None else (f'"{got}"' if isinstance(got, str) else repr(got))
        return ConfigError(f"{self.path or 'config'}: expected {expected}, got {shown}")

    def mapping(self, allowed: set[str] | None = None) -> dict[str, "_Reader"]:
        if self.data is None:
            return {}
        if not isinstance(self.data, dict):
            raise self.fail("a mapping", self.data)
        out = {}
        for key, value in self.data.items():
            sub = f"{self.path}.{key}" if self.path else str(key)
            if allowed is not None and key not in allowed:
                raise ConfigError(f"{sub}: unknown key (expected one of: {', '.join(sorted(allowed))})")
            out[str(key)] = _Reader(value, sub)
        return out

    def sequence(self) -> list["_Reader"]:
        if self.data is None:
            return []
        if not isinstance(self.data, list):
            raise self.fail("a list", self.data)
        return [_Reader(v, f"{self.path}[{i}]") for i, v in enumerate(self.data)]

    def text(self, pattern: re.Pattern | None = None, what: str = "text") -> str:
        if isinstance(self.data, bool) or not isinstance(self.data, (str, int)):
            raise self.fail(what, self.data)
        value = str(self.data)
        if pattern is not None and not pattern.match(value):
            raise self.fail(what, value)
        return value

    def choice(self, options: tuple[str, ...]) -> str:
        value = self.text()
        if value not in options:
            raise self.fail("one of " + " | ".join(options), value)
        return value

    def number(self) -> Decimal:
        # Through str(): YAML floats must not leak binary fractions into money.
        if isinstance(self.data, bool) or not isinstance(self.data, (int, float, str)):
            raise self.fail("a number", self.data)
        try:
            value = Decimal(str(self.data))
        except InvalidOperation:
            raise self.fail("a number", self.data) from None
        if not value.is_finite():
            raise self.fail("a number", self.data)
        return value

    def days(self) -> int:
        if isinstance(self.data, bool) or not isinstance(self.data, int) or self.data < 0:
            raise self.fail("a whole number of days (0 or more)", self.data)
        return self.data

    def date(self) -> dt.date:
        if isinstance(self.data, dt.date) and not isinstance(self.data, dt.datetime):
            return self.data
        try:
            return dt.date.fromisoformat(str(self.data))
        except ValueError:
            raise self.fail("a date like 2025-12-31", self.data) from None

    def opening(self) -> Opening:
        keys = self.mapping({"date", "amount"})
        for required in ("date", "amount"):
            if required not in keys:
                raise ConfigError(f"{self.path}.{required}: missing")
        amount = keys["amount"].number()
        if amount.as_tuple().exponent > -2:  # a YAML float 50000.00 arrives as 50000.0
            amount = amount.quantize(Decimal("0.01"))
        return Opening(keys["date"].date(), amount)

    def account(self) -> str:
        return self.text(ACCOUNT_RE, "an account name like Assets:Bank:ICBC")

    def regex(self) -> re.Pattern:
        value = self.text()
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise self.fail(f"a regular expression ({exc})", value) from None


def _opt(keys: dict[str, _Reader], name: str, read, default=None):
    return read(keys[name]) if name in keys and keys[name].data is not None else default


def _channel(name: str, node: _Reader, banks: dict[str, Bank]) -> Channel:
    keys = node.mapping({"type", "account_id", "currency", "settlement_days", "bank", "bank_days", "fees",
                         "accounts", "payout_memo", "opening_balance"})
    if "type" not in keys:
        raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(CHANNEL_TYPES)})")
    kind = keys["type"].choice(CHANNEL_TYPES)
    title = title_of(name)
    overrides = keys["accounts"].mapping({"clearing", "transit", "sales", "fees", "discounts"}) \
        if "accounts" in keys else {}
    accounts = ChannelAccounts(**{
        role: overrides[role].account() if role in overrides else default
        for role, default in {"clearing": f"Assets:Clearing:{title}", "transit": f"Assets:Transit:{title}",
                              "sales": f"Income:Sales:{title}", "fees": f"Expenses:Fees:{title}",
                              "discounts": f"Expenses:Discounts:{title}"}.items()})
    bank = _opt(keys, "bank", lambda r: r.text())
    if bank is not None and bank not in banks:
        raise keys["bank"].fail("the name of a bank under banks (" + ", ".join(sorted(banks)) + ")", bank)
    fees = []
    for rule in keys["fees"].sequence() if "fees" in keys else []:
        f = rule.mapping({"rate", "fixed", "min", "max", "method", "currency"})
        fees.append(FeeRule(rate=_opt(f, "rate", _Reader.number, Decimal(0)),
                            fixed=_opt(f, "fixed", _Reader.number, Decimal(0)),
                            min=_opt(f, "min", _Reader.number), max=_opt(f, "max", _Reader.number),
                            method=_opt(f, "method", _Reader.text), currency=_opt(f, "currency", _Reader.text)))
    default_memo = re.compile(PAYOUT_MEMOS.get(kind, re.escape(name)), re.IGNORECASE)
    return Channel(
        name=name, type=kind,
        currency=_opt(keys, "currency", lambda r: r.text(CURRENCY_RE, "a currency code like CNY"), "CNY"),
        settlement_days=_opt(keys, "settlement_days", _Reader.days, 1),
        bank=bank, bank_days=_opt(keys, "bank_days", _Reader.days, 2), accounts=accounts,
        payout_memo=_opt(keys, "payout_memo", _Reader.regex, default_memo),
        account_id=_opt(keys, "account_id", _Reader.text), fees=tuple(fees),
        opening=_opt(keys, "opening_balance", _Reader.opening))


BANK_COLUMNS = {"date", "time", "amount", "debit", "credit", "memo", "payee", "ref", "balance", "currency"}


def _bank(name: str, node: _Reader) -> Bank:
    keys = node.mapping({"type", "account", "currency", "encoding", "date_format", "columns", "account_id",
                         "opening_balance"})
    if "type" not in keys:
        raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(BANK_TYPES)})")
    kind = keys["type"].choice(BANK_TYPES)
    if "account" not in keys:
        raise ConfigError(f"{node.path}.account: missing (expected an account name like Assets:Bank:ICBC)")
    columns = {k: v.text() for k, v in keys["columns"].mapping(BANK_COLUMNS).items()} if "columns" in keys else {}
    where = f"{node.path}.columns"
    if "date" not in columns:
        raise ConfigError(f"{where}.date: missing (expected the header of the date column)")
    if "amount" in columns and ({"debit", "credit"} & columns.keys()):
        raise ConfigError(f"{where}: expected either amount or debit and credit, got both")
    if "amount" not in columns and not {"debit", "credit"} <= columns.keys():
        raise ConfigError(f"{where}.amount: missing (expected a signed amount column, or debit and credit)")
    encoding = _opt(keys, "encoding", _Reader.text)
    if encoding is not None:
        try:
            "".encode(encoding)
        except LookupError:
            raise keys["encoding"].fail("a known text encoding such as utf-8 or gb18030", encoding) from None
    return Bank(name=name, type=kind, account=keys["account"].account(),
                currency=_opt(keys, "currency", lambda r: r.text(CURRENCY_RE, "a currency code like CNY"), "CNY"),
                columns=columns, encoding=encoding,
                date_format=_opt(keys, "date_format", _Reader.text, "%Y-%m-%d"),
                account_id=_opt(keys, "account_id", _Reader.text),
                opening=_opt(keys, "opening_balance", _Reader.opening))


def _checks(node: _Reader) -> tuple[dict[str, Check], Decimal | None]:
    keys = node.mapping(set(CODES) | {"review_threshold"})
    checks = {}
    for code in CODES:
        severity, limits = DEFAULT_SEVERITY[code], {}
        if code in keys:
            for key, value in keys[code].mapping().items():
                if key == "severity":
                    if value.data is False:  # YAML 1.1 reads a bare `off` as false
                        value = _Reader("off", value.path)
                    severity = value.choice(SEVERITIES)
                else:
                    limits[key] = value.number()
        checks[code] = Check(severity=severity, limits=limits)
    threshold = _opt(keys, "review_threshold", _Reader.number)
    return checks, threshold


def parse(data: Any, path: Path) -> Config:
    """Validate a YAML tree already read from `path`."""
    top = _Reader(data, "").mapping({"books", "currency", "timezone", "title", "channels", "banks", "shops",
                                     "rules", "checks", "suspense"})
    tz_name = _opt(top, "timezone", _Reader.text, "Asia/Shanghai")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise top["timezone"].fail("an IANA time zone like Asia/Shanghai", tz_name) from None
    banks = {}
    for name, node in (top["banks"].mapping() if "banks" in top else {}).items():
        node_name = _Reader(name, node.path).text(NAME_RE, "a lower-case name of letters, digits, - and _")
        banks[node_name] = _bank(name, node)
    channels = {name: _channel(_Reader(name, node.path).text(NAME_RE, "a lower-case name"), node, banks)
                for name, node in (top["channels"].mapping() if "channels" in top else {}).items()}
    shops = {}
    for name, node in (top["shops"].mapping() if "shops" in top else {}).items():
        keys = node.mapping({"type", "order_days"})
        if "type" not in keys:
            raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(SHOP_TYPES)})")
        shops[name] = Shop(name=name, type=keys["type"].choice(SHOP_TYPES),
                           order_days=_opt(keys, "order_days", _Reader.days, 3))
    clash = (channels.keys() & banks.keys()) | (shops.keys() & (channels.keys() | banks.keys()))
    if clash:
        raise ConfigError(f"{sorted(clash)[0]}: the same name is used by two sources (expected unique names)")
    rules = []
    for node in top["rules"].sequence() if "rules" in top else []:
        keys = node.mapping({"match", "account"})
        for required in ("match", "account"):
            if required not in keys:
                raise ConfigError(f"{node.path}.{required}: missing")
        rules.append(Rule(pattern=keys["match"].regex(), account=keys["account"].account()))
    checks, threshold = _checks(top["checks"]) if "checks" in top else _checks(_Reader({}, "checks"))
    books = Path(_opt(top, "books", _Reader.text, "books"))
    return Config(path=path, books=(path.parent / books).resolve(),
                  currency=_opt(top, "currency", lambda r: r.text(CURRENCY_RE, "a currency code like CNY"), "CNY"),
                  timezone=tz, title=_opt(top, "title", _Reader.text, "beanclear books"),
                  channels=channels, banks=banks, shops=shops, rules=tuple(rules), checks=checks,
                  review_threshold=threshold, suspense=_opt(top, "suspense", _Reader.account, "Assets:Suspense"))


def load(path: str | Path) -> Config:
    """Read and validate a config file."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (expected config.yaml, or pass -c PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    try:
        return parse(data, path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
