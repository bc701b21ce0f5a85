"""Reading config.yaml's sections with validation. Every error names the key path and
what was expected (`channels.wechat.fees[0].rate: expected a number, got "0.6%"`);
unknown keys are errors, so a typo never passes silently."""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from beanclear.config.model import (
    ACCOUNT_RE,
    ACCOUNT_ROOTS,
    BALANCE_ROOTS,
    BANK_TYPES,
    CHANNEL_TYPES,
    COLUMN_MAPPED_CHANNELS,
    CURRENCY_RE,
    HOLDING_ROLES,
    PAYOUT_MEMOS,
    ROLE_TYPES,
    SELF_DESCRIBING_BANKS,
    SHOP_TYPES,
    STATED_METHODS,
    SETTLEMENT_DAYS,
    WALLET_SETTLEMENT_DAYS,
    WALLET_TYPES,
    Bank,
    Channel,
    ChannelAccounts,
    Check,
    ConfigError,
    FeeRule,
    Match,
    Opening,
    SalesRule,
    Shop,
    ShopAccounts,
    WriteOff,
    title_of,
)
from beanclear.config.loader import misread, written
from beanclear.checks.findings import CODES, DEFAULT_SEVERITY, LIMITS, MIN_HISTORY, SEVERITIES
from beanclear.importers.bank_presets import PRESETS as BANK_PRESETS
from beanclear.importers.toolkit.places import MAX_AMOUNT_DIGITS
from beanclear.importers.toolkit.places import CURRENCY_NAMES


# The most days a deadline, a window or a quiet spell may be: ten years. A date plus more
# (a blind helper's quiet_days: 3000000) is past the year 9999, a traceback in every check.
MAX_DAYS = 3660
MAX_COUNT = 1_000_000   # the most refunds a day may need before it can surge
# The codes statements write that the books hold under another (importers' currency_code):
# a config's `RMB` would name what no entry holds (a fee rule that never applies).
RENAMED_CURRENCIES = {name: code for name, code in CURRENCY_NAMES.items() if name.isascii()}


class _Reader:
    """Walks the YAML tree, remembering the key path for error messages."""

    def __init__(self, data: Any, path: str):
        self.data, self.path = data, path

    def fail(self, expected: str, got: Any = None) -> ConfigError:
        return ConfigError(f"{self.path or 'config'}: expected {expected}, got {shown(got)}")

    def mapping(self, allowed: set[str] | None = None) -> dict[str, "_Reader"]:
        if self.data is None:
            return {}
        if not isinstance(self.data, dict):
            raise self.fail("a mapping", self.data)
        out = {}
        for key, value in self.data.items():
            sub = f"{self.path}.{shown_key(key)}" if self.path else shown_key(key)
            if allowed is not None and key not in allowed:
                raise ConfigError(f"{sub}: unknown key (expected one of: {', '.join(sorted(allowed))})")
            out[written(key)] = _Reader(value, sub)
        return out

    def sequence(self) -> list["_Reader"]:
        if self.data is None:
            return []
        if not isinstance(self.data, list):
            raise self.fail("a list", self.data)
        return [_Reader(v, f"{self.path}[{i}]") for i, v in enumerate(self.data)]

    def text(self, pattern: re.Pattern | None = None, what: str = "text") -> str:
        if isinstance(self.data, bool) or not isinstance(self.data, (str, int, float)):
            raise self.fail(what, self.data)
        value = written(self.data)   # an id written 01234567 is that, not YAML's octal 342391
        if pattern is not None and not pattern.match(value):
            raise self.fail(what, value)
        return value

    def date_format(self) -> str:
        """A strptime format that reads the year: without one a statement's dates would
        all be booked in 1900 (strptime's default), rather than refused."""
        value = self.text()
        if not re.search(r"%[YyGcx]", value) or not re.search(r"%[mbBdjcx]", value):
            raise self.fail("a date format with the year, month and day like %Y-%m-%d (without a year "
                            "every date would be read as in 1900)", value)
        return value

    def zone(self) -> ZoneInfo:
        value = self.text()
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail("an IANA time zone like America/Los_Angeles", value) from None

    def choice(self, options: tuple[str, ...]) -> str:
        value = self.text()
        if value not in options:
            raise self.fail("one of " + " | ".join(options), value)
        return value

    def number(self) -> Decimal:
        # Through str(): YAML floats must not leak binary fractions into money.
        if isinstance(self.data, bool) or not isinstance(self.data, (int, float, str)):
            raise self.fail("a number", self.data)
        self.as_written()
        try:
            value = Decimal(str(self.data))
        except InvalidOperation:
            raise self.fail("a number", self.data) from None
        # An amount's bound (toolkit MAX_AMOUNT_DIGITS): `rate: 1e400` was taken, and check
        # failed on it with a traceback.
        if not value.is_finite() or value and (value.adjusted() >= MAX_AMOUNT_DIGITS
                                               or value.as_tuple().exponent <= -MAX_AMOUNT_DIGITS):
            raise self.fail(f"a number of at most {MAX_AMOUNT_DIGITS} digits", self.data)
        return value

    def amount(self) -> Decimal:
        """A number of at least zero: a fee, a limit."""
        return self.at_least(0)

    def at_least(self, low: int, why: str = "") -> Decimal:
        value = self.number()
        if value < low:
            raise self.fail(f"a number of at least {low}{why}", self.data)
        return value

    def fraction(self) -> Decimal:
        """A share of a whole, 0 to 1: `refund-rate.max`."""
        return self._within(1, "a fraction from 0 to 1 (0.10 for 10%)")

    def _within(self, high: int, what: str) -> Decimal:
        """A number from 0 to `high`, else the error saying `what` it is."""
        value = self.number()
        if not 0 <= value <= high:
            raise self.fail(what, self.data)
        return value

    def rate(self) -> Decimal:
        """A fee rate: a fraction of the payment below the whole of it (`rate: 12` is no 12 %,
        and was shown as one)."""
        value = self.amount()
        if value >= 1:
            raise self.fail("a fraction below 1, e.g. 0.029 for 2.9%", self.data)
        return value

    def as_written(self) -> None:
        """Refuse a number YAML 1.1 reads as another than its text looks like (`010`: 8)."""
        why = misread(self.data)
        if why:
            raise ConfigError(f"{self.path}: expected a number in decimal digits, got {written(self.data)} "
                              f"(YAML reads it as {why})")

    def whole(self, low: int, high: int, unit: str, why: str = "") -> int:
        self.as_written()
        if isinstance(self.data, bool) or not isinstance(self.data, int) or not low <= self.data <= high:
            raise self.fail(f"a whole number of {unit} from {low:,} to {high:,}{why}", self.data)
        return int(self.data)

    def days(self) -> int:
        return self.whole(0, MAX_DAYS, "days")

    def currency(self) -> str:
        value = self.text(CURRENCY_RE, "a currency code like CNY")
        if value in RENAMED_CURRENCIES:
            code = RENAMED_CURRENCIES[value]
            raise ConfigError(f"{self.path}: expected a currency code like CNY, got {shown(value)} (statements' "
                              f"{value} is booked as {code}: write {code})")
        return value

    def date(self) -> dt.date:
        if isinstance(self.data, dt.date) and not isinstance(self.data, dt.datetime):
            return self.data
        try:
            return dt.date.fromisoformat(str(self.data))
        except ValueError:
            raise self.fail("a date like 2025-12-31", self.data) from None

    def opening(self) -> Opening:
        if self.data is not None and not isinstance(self.data, dict):
            # a bare number has no day the balance held on (a blind tester wrote `opening_balance: 860.00`)
            raise self.fail("a mapping of the day it held and the amount, like `{date: 2026-03-31, amount: 860.00}`",
                            self.data)
        keys = self.mapping({"date", "amount", "amounts"})
        for required in ("date", "amount"):
            if required not in keys:
                raise ConfigError(f"{self.path}.{required}: missing")

        def money(node: "_Reader") -> Decimal:
            # as written (a YAML float 50000.00 arrives as 50000.0): the books give it the
            # currency's places where they write it (books.render.amount_text): 50000 JPY, 50000.00 USD
            return node.number()

        # `amounts: {EUR: 0.75}`: what a multi-currency account (PayPal) held in its other currencies
        others = tuple((_Reader(currency, f"{node.path}").currency(), money(node))
                       for currency, node in (keys["amounts"].mapping() if "amounts" in keys else {}).items())
        return Opening(keys["date"].date(), money(keys["amount"]), others)

    def account(self) -> str:
        return self.text(ACCOUNT_RE, "an account name like Assets:Bank:ICBC")

    def held(self, holder: str) -> str:
        """An account that holds money (BALANCE_ROOTS): of `holder`, as a message says it."""
        value = self.account()
        if value.split(":", 1)[0] not in BALANCE_ROOTS:
            raise self.fail(f"an account under {' or '.join(BALANCE_ROOTS)} ({holder})", value)
        return value

    def score(self) -> Decimal:
        """A fuzzy score, or a difference of two: rapidfuzz's are 0 to 100."""
        return self._within(100, "a score from 0 to 100")

    def regex(self) -> re.Pattern:
        value = self.text()
        # a pattern left blank, or `房租|`, is found in every text: every bank line booked to
        # the rule's account (an unexplained credit to Expenses:Salaries), no finding left
        if not value.strip():
            raise ConfigError(f'{self.path}: empty: it would match every line; write ".*" if that is meant')
        try:
            pattern = re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise self.fail(f"a regular expression ({exc})", value) from None
        if empty_alternative(value):
            raise ConfigError(f'{self.path}: {shown(value)} has an empty alternative: it would match every line; '
                              'remove it, or write ".*" if that is meant')
        nested = nested_quantifier(value)
        if nested:
            raise self.fail(f"a regular expression without a repeated group that itself repeats ({nested}: such "
                            "a pattern can take hours on one line of text; write it without the inner + or *)",
                            value)
        return pattern

    def encoding(self) -> str:
        value = self.text()
        try:
            "".encode(value)
        except LookupError:
            raise self.fail("a known text encoding such as utf-8 or gb18030", value) from None
        return value

    def order_pattern(self) -> re.Pattern:
        pattern = self.regex()
        if pattern.groups != 1:
            raise self.fail("a regular expression with one group (…) around the order id", pattern.pattern)
        return pattern


# What a message shows of a value from the file: never unbounded (a long string, a large
# tree from aliases).
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = 4
_REPR.maxlevel = 2


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 80 else f'"{value[:80]}…" ({len(value)} characters)'
    return _REPR.repr(value)


def shown_key(key: Any) -> str:
    text = written(key) if isinstance(key, (str, int, float, bool)) or key is None else _REPR.repr(key)
    return text if len(text) <= 60 else text[:60] + "…"


def empty_alternative(pattern: str) -> bool:
    """Whether `pattern`, or the group it is wholly inside, has an alternative of nothing
    (`房租|`, `(|rent)`), which matches every text; one inside a longer pattern is optional
    text (`colou(r|)`), and `.*` is a catch-all asked for."""
    from re import _constants as c, _parser as p
    try:
        items = list(p.parse(pattern))
    except Exception:  # compiled already; a parser detail of another Python version: no verdict
        return False
    while len(items) == 1 and items[0][0] is c.SUBPATTERN:
        items = list(items[0][1][-1])
    return len(items) == 1 and items[0][0] is c.BRANCH and any(not branch for branch in items[0][1][1])


def nested_quantifier(pattern: str) -> str | None:
    """The first repeated group of `pattern` that holds a repeat itself (`(a+)+`,
    `(\\w*x)*`), or None. Such nesting lets the regex engine try exponentially many ways
    to match a line that fails (catastrophic backtracking); config patterns never need it."""
    from re import _constants as c, _parser as p

    def repeats(items, inside: bool) -> str | None:
        for op, arg in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                low, high, sub = arg
                many = high is c.MAXREPEAT or high > 1
                if inside and high != low:  # a fixed count (`\\d{4}`) is no ambiguity
                    return "a quantifier inside a repeated group"
                found = repeats(sub, inside or many)
                if found:
                    return found
            elif op is c.SUBPATTERN:
                found = repeats(arg[-1], inside)
                if found:
                    return found
            elif op is c.BRANCH:
                for branch in arg[1]:
                    found = repeats(branch, inside)
                    if found:
                        return found
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = repeats(arg[1], inside)
                if found:
                    return found
        return None

    try:
        return repeats(p.parse(pattern), False)
    except Exception:  # compiled already; a parser detail of another Python version: no verdict
        return None


def _opt(keys: dict[str, _Reader], name: str, read, default=None):
    return read(keys[name]) if name in keys and keys[name].data is not None else default


def _payout_banks(node: _Reader, banks: dict[str, Bank]) -> tuple[str, ...]:
    """`bank: icbc`, or `bank: [sparkasse, chase]` for a channel that pays each currency
    out to the bank account of that currency (PayPal's USD balance to a USD account), or
    `bank: [boc, cmb]`, two of one currency, for an account that moved from bank to bank
    (BOC closed, its balance moved to CMB): a payout is judged at whichever of them has
    statements of the days it should arrive, and a credit at either settles it."""
    names = [r.text() for r in node.sequence()] if isinstance(node.data, list) else [node.text()]
    for name in names:
        if name not in banks:
            raise node.fail("the name of a bank under banks (" + ", ".join(sorted(banks)) + ")", name)
    if not names or len(set(names)) < len(names):
        raise node.fail("a bank, or a list of different banks", node.data)
    return tuple(names)


def _channel(name: str, node: _Reader, banks: dict[str, Bank], books_currency: str = "CNY") -> Channel:
    keys = node.mapping({"type", "account_id", "currency", "settlement_days", "bank", "bank_days", "fees",
                         "accounts", "payout_memo", "opening_balance", "date_format", "columns", "types",
                         "shop", "order_pattern", "sales", "trades_from", "credentials", "fetch", "timezone",
                         "quiet_days", "until"})
    if "type" not in keys:
        raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(CHANNEL_TYPES)})")
    kind = keys["type"].choice(CHANNEL_TYPES)
    title = title_of(name)
    defaults = {role: f"{root}:{title}" for role, root in ACCOUNT_ROOTS.items()
                if kind in ROLE_TYPES.get(role, (kind,))}
    overrides = keys["accounts"].mapping(set(defaults)) if "accounts" in keys else {}
    accounts = ChannelAccounts(**{role: (overrides[role].held(f"it holds the money of {name}") if role in HOLDING_ROLES
                                         else overrides[role].account()) if role in overrides else default
                                  for role, default in defaults.items()})
    columns, types = _column_map(node.path, kind, keys)
    payout_banks = _payout_banks(keys["bank"], banks) if "bank" in keys else ()
    bank = payout_banks[0] if payout_banks else None
    fees = _fees(keys["fees"], kind) if "fees" in keys else ()
    default_memo = re.compile(PAYOUT_MEMOS.get(kind, re.escape(name)), re.IGNORECASE)
    return Channel(
        name=name, type=kind,
        # (not written: the books' currency, as a shop's; it was CNY whatever the books',
        # and an opening_balance of a USD merchant's Stripe was booked in yuan: blind31)
        currency=_opt(keys, "currency", _Reader.currency, books_currency),
        settlement_days=_opt(keys, "settlement_days", _Reader.days,
                             WALLET_SETTLEMENT_DAYS if kind in WALLET_TYPES else SETTLEMENT_DAYS),
        bank=bank, payout_banks=payout_banks, bank_days=_opt(keys, "bank_days", _Reader.days, 2), accounts=accounts,
        payout_memo=_opt(keys, "payout_memo", _Reader.regex, default_memo),
        account_id=_opt(keys, "account_id", _Reader.text), fees=fees,
        opening=_opt(keys, "opening_balance", _Reader.opening),
        date_format=_opt(keys, "date_format", _Reader.date_format), columns=columns, types=types,
        shop=_opt(keys, "shop", _shop_name), no_shop="shop" in keys and _pays_no_shop(keys["shop"]),
        order_pattern=_opt(keys, "order_pattern", _Reader.order_pattern),
        sales=_sales(node.path, kind, keys), trades_from=_trades_from(node.path, kind, keys),
        live={key: keys[key].data for key in ("credentials", "fetch") if key in keys},
        timezone=_opt(keys, "timezone", _Reader.zone), quiet_days=_opt(keys, "quiet_days", _Reader.days),
        until=_opt(keys, "until", _Reader.date), currency_written="currency" in keys)


NO_SHOP = "none"   # `shop: none` (or YAML `false`): the channel's payments pay no shop


def _pays_no_shop(node: _Reader) -> bool:
    """`shop: none`, or `shop: false`: the channel's payments pay no shop's orders, even
    where the config has one shop (a counter sale through WeChat beside an overseas
    Shopify store): they stay sales of the channel, and no order check judges them."""
    return node.data is False or node.data == NO_SHOP


def _shop_name(node: _Reader) -> str | None:
    """The shop a channel's payments pay (`shop: NAME`), None for `shop: none`."""
    if _pays_no_shop(node):
        return None
    return node.text(what="the name of a shop under shops, or none (its payments pay no shop)")


def _fees(node: _Reader, kind: str) -> tuple[FeeRule, ...]:
    """`fees:`, the contract, the first rule that fits a payment wins: rules of one method
    and currency may be dated (`since:`, `until:`, both days included) to follow a
    contract that changed, but never overlap (an undated rule is in force every day), or
    which one a payment of the overlap owes would depend on their order. A rule that
    could never apply (earlier rules that fit its payments too are in force on all its
    days; a method on a channel type whose statements state none, model.STATED_METHODS)
    is refused as well, and so is a fee no contract has (below zero, min above max)."""
    fees: list[tuple[str, FeeRule]] = []
    for rule in node.sequence():
        f = rule.mapping({"rate", "fixed", "min", "max", "method", "currency", "since", "until"})
        fee = FeeRule(rate=_opt(f, "rate", _Reader.rate, Decimal(0)),
                      fixed=_opt(f, "fixed", _Reader.amount, Decimal(0)),
                      min=_opt(f, "min", _Reader.amount), max=_opt(f, "max", _Reader.amount),
                      method=_opt(f, "method", _Reader.text), currency=_opt(f, "currency", _Reader.currency),
                      since=_opt(f, "since", _Reader.date), until=_opt(f, "until", _Reader.date))
        if fee.method is not None:
            _stated_method(f["method"].path, fee.method, kind)
        if fee.since and fee.until and fee.until < fee.since:
            raise ConfigError(f"{rule.path}.until: {fee.until} is before since: {fee.since} (expected a day on or "
                              "after it)")
        if fee.min is not None and fee.max is not None and fee.max < fee.min:
            raise ConfigError(f"{rule.path}.max: {fee.max} is below min: {fee.min} (expected a max of at least "
                              "the min: no fee could be both)")
        for path, other in fees:
            if (other.method, other.currency) == (fee.method, fee.currency) and _overlap(fee, other):
                raise ConfigError(f"{rule.path}: in force on days that {path} is in force too (expected rules of one method and "
                                  "currency that do not overlap: end the earlier one with until:, the day before "
                                  "the later one's since:)")
        hiding = [(path, other) for path, other in fees if other.method in (None, fee.method)
                  and other.currency in (None, fee.currency) and _overlap(fee, other)]
        if _covered(_days(fee), [_days(other) for _, other in hiding]):
            paths = [path for path, _ in hiding]
            named = paths[0] if len(paths) == 1 else f"{', '.join(paths[:-1])} and {paths[-1]}"
            raise ConfigError(f"{rule.path}: never applies: on every day it is in force, {named} "
                              f"{'fits' if len(paths) == 1 else 'fit'} its payments too and "
                              f"{'comes' if len(paths) == 1 else 'come'} first (expected a rule an earlier one "
                              "leaves some payments to: put the narrower rule first)")
        fees.append((rule.path, fee))
    return tuple(fee for _, fee in fees)


def _stated_method(path: str, method: str, kind: str) -> None:
    """A rule's `method:` is one the channel type's statements state (model.STATED_METHODS):
    on a type whose payments state none (blind8: Stripe's `method: card`), or empty (no
    payment holds an empty method), it never applies, and its payments would go unjudged."""
    if kind not in STATED_METHODS:
        stated = "; ".join(f"{name}, {what}" for name, what in STATED_METHODS.items())
        raise ConfigError(f"{path}: never applies: a {kind} statement states no payment method (expected no "
                          f"method for type {kind}; the types whose statements state one: {stated})")
    if not method.strip():
        raise ConfigError(f"{path}: never applies: a payment that states no method has none (expected the method "
                          f"a {kind} statement states, {STATED_METHODS[kind]}; or leave method: out)")


def _days(fee: FeeRule) -> range:
    """The days a rule is in force, as ordinals (an undated rule: every day)."""
    return range((fee.since or dt.date.min).toordinal(), (fee.until or dt.date.max).toordinal() + 1)


def _overlap(one: FeeRule, other: FeeRule) -> bool:
    """Whether two rules are in force on a day of both."""
    days, others = _days(one), _days(other)
    return max(days.start, others.start) < min(days.stop, others.stop)


def _covered(days: range, spans: list[range]) -> bool:
    """Whether `spans` together hold every day of `days`."""
    reached = days.start
    for span in sorted(spans, key=lambda r: r.start):
        if span.start > reached:
            break
        reached = max(reached, span.stop)
    return reached >= days.stop


def _sales(path: str, kind: str, keys: dict) -> tuple[SalesRule, ...] | None:
    """`sales:` of a wallet: a list of {category, counterparty, item} regular expressions;
    None where the config does not say (the bill's own collection rows are the sales)."""
    if "sales" not in keys:
        return None
    if kind not in WALLET_TYPES:
        raise ConfigError(f"{path}.sales: only a personal wallet ({', '.join(WALLET_TYPES)}) says which rows are "
                          f"sales (expected no sales for type {kind})")
    rules = []
    for node in keys["sales"].sequence():
        fields = node.mapping({"category", "counterparty", "item"})
        if not fields:
            raise node.fail("at least one of category, counterparty, item", node.data)
        rules.append(SalesRule(**{k: v.regex() for k, v in fields.items()}))
    return tuple(rules)


def _trades_from(path: str, kind: str, keys: dict) -> str:
    if "trades_from" not in keys:
        return "trade-detail"
    if kind != "alipay":
        raise ConfigError(f"{path}.trades_from: only an alipay channel has two statements that could book "
                          f"its payments (expected no trades_from for type {kind})")
    return keys["trades_from"].choice(("trade-detail", "fund-ledger"))


# The column map of a channel without a fixed layout (PingPong): role -> header name.
CHANNEL_COLUMNS_REQUIRED = ("date", "id", "type", "amount", "currency")
CHANNEL_COLUMNS = CHANNEL_COLUMNS_REQUIRED + ("time", "fee", "net", "status", "memo", "payee", "order_id",
                                              "payout_id", "fx_rate", "target_amount", "target_currency", "balance")
# What a row type of such a channel means (`types:` maps the file's words to these).
CHANNEL_TYPE_ROLES = ("sale", "refund", "payout", "payout-return", "conversion", "fee", "chargeback", "hold",
                      "release", "skip")


def _column_roles(keys: dict, path: str, allowed, required, export: str) -> dict[str, str]:
    """A `columns:` map of role -> header name, with every required role present."""
    if "columns" not in keys:
        raise ConfigError(f"{path}.columns: missing (expected the header names of "
                          f"{', '.join(required)} in {export})")
    columns = {role: value.text() for role, value in keys["columns"].mapping(set(allowed)).items()}
    for role in required:
        if role not in columns:
            raise ConfigError(f"{path}.columns.{role}: missing (expected the header of the {role} column)")
    return columns


def _column_map(path: str, kind: str, keys: dict) -> tuple[dict, dict]:
    if kind not in COLUMN_MAPPED_CHANNELS:
        for key in ("columns", "types"):
            if key in keys:
                raise ConfigError(f"{path}.{key}: only a {' or '.join(COLUMN_MAPPED_CHANNELS)} channel is read "
                                  f"through a column map (expected no {key} for type {kind})")
        return {}, {}
    columns = _column_roles(keys, path, CHANNEL_COLUMNS, CHANNEL_COLUMNS_REQUIRED, f"the {kind} export")
    types = {str(word): value.choice(CHANNEL_TYPE_ROLES)
             for word, value in (keys["types"].mapping() if "types" in keys else {}).items()}
    return columns, types


BANK_COLUMNS = {"date", "time", "amount", "debit", "credit", "memo", "payee", "ref", "balance", "currency",
                "detail", "original_credit", "original_debit", "original_currency", "direction", "status", "account_id",
                "fee"}
BANK_STATUS_ROLES = ("booked", "skipped")   # skipped: pending, declined, reverted lines (no money moved yet)


def _bank_column(node: _Reader) -> str | int:
    """A header name, or a 1-based column position for a file without a header."""
    if isinstance(node.data, int) and not isinstance(node.data, bool):
        if node.data < 1:
            raise node.fail("a header name, or a column position 1, 2, …", node.data)
        return node.data
    return node.text()


def _bank(name: str, node: _Reader) -> Bank:
    keys = node.mapping({"type", "account", "currency", "encoding", "date_format", "columns", "account_id",
                         "opening_balance", "positive_amounts", "statuses", "quiet_days"})
    if "type" not in keys:
        raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(BANK_TYPES)})")
    kinds = _bank_types(keys["type"])
    kind = kinds[0]
    if "account" not in keys:
        raise ConfigError(f"{node.path}.account: missing (expected an account name like Assets:Bank:ICBC)")
    columns = {k: _bank_column(v) for k, v in keys["columns"].mapping(BANK_COLUMNS).items()} \
        if "columns" in keys else {}
    where = f"{node.path}.columns"
    preset = BANK_PRESETS.get(kind)
    if preset:  # a bank known by name: its layout, where config.yaml does not say otherwise
        given, columns = columns, dict(preset.columns)
        if given.keys() & {"amount", "debit", "credit"}:
            for role in ("amount", "debit", "credit"):
                columns.pop(role, None)
        columns.update(given)
    if len({type(v) for v in columns.values()}) > 1:
        raise ConfigError(f"{where}: expected header names or column positions, got both")
    if kind in SELF_DESCRIBING_BANKS:
        for key in ("columns", "date_format", "positive_amounts", "statuses"):
            if key in keys:
                raise ConfigError(f"{node.path}.{key}: not used by type {kind} (the format names its own fields)")
    elif "date" not in columns:
        raise ConfigError(f"{where}.date: missing (expected the header of the date column)")
    elif "amount" in columns and ({"debit", "credit"} & columns.keys()):
        raise ConfigError(f"{where}: expected either amount or debit and credit, got both")
    elif "amount" not in columns and not {"debit", "credit"} <= columns.keys():
        raise ConfigError(f"{where}.amount: missing (expected a signed amount column, or debit and credit)")
    elif "direction" in columns and "amount" not in columns:
        raise ConfigError(f"{where}.direction: says which way the amount column's money went (expected an "
                          "amount column, got debit and credit)")
    positive = _opt(keys, "positive_amounts", lambda r: r.choice(("credit", "debit")), "credit")
    if positive != "credit" and ("amount" not in columns or "direction" in columns):
        raise ConfigError(f"{node.path}.positive_amounts: the sign of a signed amount column (expected an amount "
                          f"column{' without a direction column' if 'direction' in columns else ''})")
    encoding = _opt(keys, "encoding", _Reader.encoding)
    return Bank(name=name, type=kind, account=keys["account"].held("a bank account, or a card's"),
                currency=_opt(keys, "currency", _Reader.currency,
                              preset and preset.currency or "CNY"),
                columns=columns, encoding=encoding or (preset.encoding if preset else None),
                date_format=_opt(keys, "date_format", _Reader.date_format,
                                 preset.date_format if preset else "%Y-%m-%d"),
                account_id=_opt(keys, "account_id", _Reader.text),
                opening=_opt(keys, "opening_balance", _Reader.opening), positive_amounts=positive,
                statuses=_statuses(keys, node.path, columns, BANK_STATUS_ROLES), types=kinds,
                quiet_days=_opt(keys, "quiet_days", _Reader.days), currency_written="currency" in keys)


def _bank_types(node: _Reader) -> tuple[str, ...]:
    """`type: camt053`, or `type: [camt053, mt940]` for an account whose statements come in
    more than one of the formats that name their account (a bank moving its customers from
    MT940 to CAMT.053 sends some months in each): one bank, one opening, one coverage, each
    file read as the format its content is. Only those formats: a file of one names the
    account, which must be the bank's; a bank CSV names none, and its columns are its own."""
    if not isinstance(node.data, list):
        return (node.choice(BANK_TYPES),)
    kinds = tuple(item.data for item in node.sequence())
    if not kinds or not all(kind in SELF_DESCRIBING_BANKS for kind in kinds) or len(set(kinds)) < len(kinds):
        raise node.fail(f"one of {' | '.join(BANK_TYPES)}, or a list of different formats that name their account "
                        f"({' | '.join(SELF_DESCRIBING_BANKS)})", node.data)
    return kinds


def _statuses(keys: dict, path: str, columns: dict, roles: tuple[str, ...]) -> dict[str, str]:
    """`statuses:` of a file read through `columns:` (an orders-csv shop, a csv bank): each
    value of its status column -> the role it plays, every value listed once."""
    statuses: dict[str, str] = {}
    for role, values in (keys["statuses"].mapping(set(roles)) if "statuses" in keys else {}).items():
        for value in values.sequence():
            text = value.text()
            if text in statuses:
                raise value.fail(f"a status listed once (it is already {statuses[text]})", text)
            statuses[text] = role
    if "status" in columns and not statuses:
        raise ConfigError(f"{path}.statuses: missing (expected which values of the {columns['status']} "
                          f"column are {', '.join(roles)})")
    if statuses and "status" not in columns:
        raise ConfigError(f"{path}.columns.status: missing (expected the header of the status column "
                          "that statuses describe)")
    return statuses


# The column map of an orders-csv shop: role -> header name; and what its statuses mean.
ORDER_COLUMNS_REQUIRED = ("order_id", "date", "amount")
ORDER_COLUMNS = ORDER_COLUMNS_REQUIRED + ("time", "status", "refund", "currency", "title")
ORDER_STATUS_ROLES = ("booked", "refunded", "skipped")
# An export of one row per line item: its amount column is the order's total, or the item's.
ORDER_ITEM_ROWS = ("total", "sum")


def _shop(name: str, node: _Reader, currency: str) -> Shop:
    keys = node.mapping({"type", "order_days", "currency", "accounts", "account_id", "encoding", "date_format",
                         "columns", "statuses", "item_rows", "quiet_days", "until"})
    if "type" not in keys:
        raise ConfigError(f"{node.path}.type: missing (expected one of {' | '.join(SHOP_TYPES)})")
    kind = keys["type"].choice(SHOP_TYPES)
    title = title_of(name)
    defaults = {"receivable": f"Assets:Receivable:{title}", "sales": f"Income:Sales:{title}"}
    if kind == "shopify":   # its export says which orders gift cards paid (importers/shopify_orders.py)
        defaults["gift_cards"] = f"Liabilities:GiftCards:{title}"
    overrides = keys["accounts"].mapping(set(defaults)) if "accounts" in keys else {}
    accounts = ShopAccounts(**{role: (overrides[role].account() if role == "sales"
                                      else overrides[role].held(f"it holds the money of {name}"))
                               if role in overrides else default for role, default in defaults.items()})
    columns, statuses = {}, {}
    if kind != "orders-csv":
        for key in ("encoding", "date_format", "columns", "statuses", "item_rows"):
            if key in keys:
                raise ConfigError(f"{node.path}.{key}: only an orders-csv shop is read through a column map "
                                  f"(expected no {key} for type {kind})")
    else:
        # without columns: found by their usual names in the export (importers/orders_csv.py)
        columns = _column_roles(keys, node.path, ORDER_COLUMNS, ORDER_COLUMNS_REQUIRED, "the export") \
            if "columns" in keys else {}
        statuses = _statuses(keys, node.path, columns if columns else {"status": "its status column"},
                             ORDER_STATUS_ROLES) if "statuses" in keys or columns else {}
    return Shop(name=name, type=kind, order_days=_opt(keys, "order_days", _Reader.days, 3),
                currency=_opt(keys, "currency", _Reader.currency, currency),
                accounts=accounts, account_id=_opt(keys, "account_id", _Reader.text),
                encoding=_opt(keys, "encoding", _Reader.encoding),
                date_format=_opt(keys, "date_format", _Reader.date_format, "%Y-%m-%d"), columns=columns,
                statuses=statuses, item_rows=_opt(keys, "item_rows", lambda r: r.choice(ORDER_ITEM_ROWS)),
                quiet_days=_opt(keys, "quiet_days", _Reader.days), until=_opt(keys, "until", _Reader.date))


# Where a code that takes no limit under `checks:` is tuned (docs/design.md §6, "keys"):
# said when its `checks.<code>` holds a key, which would otherwise seem to be one.
TUNED_ELSEWHERE = {"order-unpaid": "its deadline is shops.<name>.order_days",
                   "refund-unsynced": "its deadline is shops.<name>.order_days",
                   "unsettled": "its deadline is channels.<name>.settlement_days",
                   "payout-missing": "its deadline is channels.<name>.bank_days",
                   "amount-mismatch": "across currencies it takes checks.fx-gap.tolerance_bps",
                   "bank-unmatched": "rules explain bank lines"}


# What each limit of checks.<code> (findings.LIMITS) may be: one the check cannot use
# (`days: 0`, `days: 2.5`, `tolerance: -5`, `max: 5`) is refused, never a check that
# quietly judges nothing, or everything (`days: 100000000000` was a traceback in it).
LIMIT_VALUES = {
    "fee-gap": {"tolerance": _Reader.amount},
    "fx-gap": {"tolerance_bps": _Reader.amount},
    "refund-rate": {"max": _Reader.fraction, "days": lambda r: r.whole(1, MAX_DAYS, "days")},
    "refund-surge": {
        "factor": lambda r: r.at_least(1, " (a day above factor times the usual)"),
        # a day's usual is the mean of at least MIN_HISTORY days before it: fewer, none is judged
        "days": lambda r: r.whole(MIN_HISTORY, MAX_DAYS, "days", f" (the usual is the mean of at least {MIN_HISTORY} "
                                  "days before)"),
        "min_count": lambda r: r.whole(1, MAX_COUNT, "refunds"), "min_amount": _Reader.amount},
}


def _checks(node: _Reader) -> tuple[dict[str, Check], Decimal | None]:
    keys = node.mapping(set(CODES) | {"review_threshold"})
    checks = {}
    for code in CODES:
        severity, limits, write_off = DEFAULT_SEVERITY[code], {}, WriteOff()
        if code in keys:
            for key, value in keys[code].mapping().items():
                _own_key(code, key, value.path)
                if key == "write_off":
                    parts = value.mapping({"account", "limit"})
                    write_off = WriteOff(account=_opt(parts, "account", _Reader.account),
                                         limit=_opt(parts, "limit", _Reader.amount))
                elif key == "severity":
                    if value.data is False:  # YAML 1.1 reads a bare `off` as false
                        value = _Reader("off", value.path)
                    severity = value.choice(SEVERITIES)
                else:
                    limits[key] = LIMIT_VALUES[code][key](value)
        checks[code] = Check(severity=severity, limits=limits, write_off=write_off)
    threshold = _opt(keys, "review_threshold", _Reader.amount)
    return checks, threshold


def _own_key(code: str, key: str, path: str) -> None:
    """A key of `checks.<code>` is `severity`, one of the code's LIMITS, or `write_off` of a
    code that is written off; any other is an error, never a limit left at its default
    (`tolerence: 0.05`) or a number (`sevrity: off`). A key of another code says whose."""
    from beanclear.checks.findings import WRITE_OFF_DEFAULTS as WRITTEN_OFF   # the codes a write-off resolves

    def takes(c: str) -> tuple[str, ...]:
        return ("severity", *LIMITS.get(c, ()), *(("write_off",) if c in WRITTEN_OFF else ()))

    if key in takes(code):
        return
    owners = [c for c in CODES if key in takes(c)]
    hint = TUNED_ELSEWHERE.get(code)
    if not owners:
        raise ConfigError(f"{path}: unknown key (expected one of: {', '.join(sorted(takes(code)))}"
                          f"{f'; {hint}' if hint else ''})")
    names = [f"{c}'s" for c in owners]
    whose = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    raise ConfigError(f"{path}: unknown key ({key} is {whose}; {code} takes {', '.join(sorted(takes(code)))}"
                      f"{f'; {hint}' if hint else ''})")


def _match(node: _Reader, channels: dict) -> Match:
    keys = node.mapping({"tolerance", "window", "min_score", "margin", "aliases"})
    aliases = {}
    for name, names in (keys["aliases"].mapping() if "aliases" in keys else {}).items():
        if name not in channels:
            raise names.fail("the name of a channel under channels", name)
        aliases[name] = tuple(n.text() for n in names.sequence())
    return Match(tolerance=_opt(keys, "tolerance", _Reader.amount, Decimal("0.01")),
                 window=_opt(keys, "window", _Reader.days, 7),
                 min_score=_opt(keys, "min_score", _Reader.score, Decimal(75)),
                 margin=_opt(keys, "margin", _Reader.score, Decimal(10)), aliases=aliases)
