"""What config.yaml describes: the merchant's channels, banks and shops, their accounts,
the rules and the checks, as frozen dataclasses with their defaults. Read by
beanclear.config; see config.yaml for every key with a comment."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from beanclear.importers.bank_presets import PRESETS as BANK_PRESETS

ACCOUNT_RE = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$")
CURRENCY_RE = re.compile(r"^[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

CHANNEL_TYPES = ("wechat", "stripe", "paypal", "airwallex", "pingpong", "alipay", "alipay-personal",
                 "wechat-personal", "jd-personal")
# Personal wallets a merchant collects on: `sales:` says which of their rows are sales.
WALLET_TYPES = ("alipay-personal", "wechat-personal", "jd-personal")
# `settlement_days` where config.yaml does not say: a channel's contract settles T+1; a
# personal wallet's balance is its owner's, withdrawn when they like, and a month's
# takings kept in it is usual (Channel.withdrawn_at_will): money is `unsettled` there
# after two months (blind33 microseller: T+1 made a plain seller's first check ~38
# `unsettled` errors on normal balances; its wallets kept up to a month's).
SETTLEMENT_DAYS = 1
WALLET_SETTLEMENT_DAYS = 60
# Channels read through a column map in config.yaml (`columns:`), having no fixed layout.
COLUMN_MAPPED_CHANNELS = ("pingpong",)
# Channels whose account holds several currencies at once, each amount's stated by the
# statement (Stripe's and Airwallex's balances per currency, PayPal's, PingPong's receiving
# accounts), and whose reports may be of one of them (a Stripe report of the EUR balance):
# their `currency:` is one of them, or (pingpong) what a 结汇 buys, never contradicted by a
# statement of another (statements/stated_currency.py).
MULTI_CURRENCY_CHANNELS = ("stripe", "paypal", "airwallex", "pingpong")
BANK_TYPES = ("csv", "ofx", "camt053", "mt940") + tuple(BANK_PRESETS)  # presets: bank CSVs known by name
# Bank formats that name their own fields: no `columns:` or `date_format:` for them.
SELF_DESCRIBING_BANKS = ("ofx", "camt053", "mt940")
SHOP_TYPES = ("shopify", "taobao", "jd", "pinduoduo", "douyin", "orders-csv")

# How a channel's name reads inside an account name when the config does not say.
TITLES = {"wechat": "WeChat", "alipay": "Alipay", "paypal": "PayPal", "stripe": "Stripe", "icbc": "ICBC",
          "cmb": "CMB", "boc": "BOC", "hsbc": "HSBC", "airwallex": "Airwallex", "pingpong": "PingPong",
          "jd": "JD"}

# Where each of a channel's accounts lives when the config does not say: `<root>:<Title>`
# (savings and credit: wallets only; application fees: Stripe only, ROLE_TYPES).
ACCOUNT_ROOTS = {"clearing": "Assets:Clearing", "transit": "Assets:Transit", "sales": "Income:Sales",
                 "fees": "Expenses:Fees", "discounts": "Expenses:Discounts", "chargebacks": "Expenses:Chargebacks",
                 "reserve": "Assets:Reserve", "savings": "Assets:Savings", "credit": "Liabilities:Credit",
                 "application_fees": "Income:ApplicationFees"}
# A channel's accounts that hold its money, not its income or costs; with a bank's account
# and a shop's receivable and gift cards, of the balance sheet (BALANCE_ROOTS): the checks
# read their balances (a bank opened as Equity:Bank:CMB was taken).
HOLDING_ROLES = ("clearing", "transit", "reserve", "savings", "credit")
BALANCE_ROOTS = ("Assets", "Liabilities")
# The channel types that have an account of a role, where not every type has one.
ROLE_TYPES = {"savings": WALLET_TYPES, "credit": WALLET_TYPES, "application_fees": ("stripe",)}

# Payout memos each channel type writes on the merchant's bank statement.
PAYOUT_MEMOS = {"wechat": r"财付通|微信|tenpay|wechat", "stripe": r"stripe", "paypal": r"paypal",
                "airwallex": r"airwallex|空中云汇", "pingpong": r"pingpong|乒乓|呯嘭",
                "alipay": r"支付宝|alipay", "alipay-personal": r"支付宝|alipay",
                "wechat-personal": r"财付通|微信|tenpay|wechat", "jd-personal": r"京东|网银在线|jdpay"}


# What a fee rule's `method:` fits, by the channel types whose statements state a payment's
# method (the `method` metadata their importers write, as the statement writes it). The
# others' payments state none: a rule with a method would never apply there (config
# reader._fees refuses it; checks/fees.py says where one fits none of the books' payments).
STATED_METHODS = {
    "wechat": "its 交易账单's 付款银行, the payer's bank as WeChat codes it: OTHERS, CFT, CMB_CREDIT, … (not the "
              "交易类型, NATIVE or JSAPI; the 资金账单 states none)",
    "alipay-personal": "its bill's 收/付款方式 as written: 招商银行(6688), … (none for the balance, 余额)",
    "wechat-personal": "its bill's 支付方式 as written (none for the balance, 零钱)",
    "jd-personal": "its bill's 收/付款方式 as written (none for the balance, 京东余额)",
}


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
    since: dt.date | None = None   # in force from this day on; None: always was
    until: dt.date | None = None   # in force to this day, inclusive; None: still is

    def in_force(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Opening:
    """What an account held at the end of `date`, before the first statement imported."""

    date: dt.date
    amount: Decimal
    others: tuple[tuple[str, Decimal], ...] = ()   # (currency, amount) of a multi-currency account


def owning(account: str, parents):
    """The one of `parents` (a set or mapping of account names) that `account` is or is a
    sub-account of (Beancount's tree: `Expenses:Fees:Stripe:Card` is Stripe's fee account's),
    else None."""
    while account:
        if account in parents:
            return account
        account = account.rpartition(":")[0]
    return None


@dataclass(frozen=True)
class ChannelAccounts:
    clearing: str
    transit: str
    sales: str
    fees: str
    discounts: str
    chargebacks: str = ""   # disputed payments taken back and their dispute fees
    reserve: str = ""       # money the channel holds back (payment holds, rolling reserves)
    savings: str = ""       # wallets: 余额宝 / 零钱通 / 小金库, the wallet's own savings balance
    credit: str = ""        # wallets: 花呗 / 分付 / 白条, consumer credit (a liability)
    # Stripe: a Connect platform's application fees (`platform_earning`), its income but no
    # payment of the contract: no sale, no fee owed; opened by the first entry posting to it
    application_fees: str = ""

    def is_fee(self, account: str) -> bool:
        """The fee account or one of its sub-accounts: a fee a bookkeeper moved to
        `Expenses:Fees:Stripe:Card` is still the channel's fee (blind14 handedits: it was
        judged 0.00 charged, a false fee-gap, and left the report's fees)."""
        return account == self.fees or account.startswith(f"{self.fees}:")


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
    shop: str | None = None               # payments naming an order clear that shop's receivable
    no_shop: bool = False                 # `shop: none`: its payments pay no shop's orders (stay its sales)
    order_pattern: re.Pattern | None = None   # one group: the order id, in order-id or narration
    date_format: str | None = None        # D/M vs M/D files (PayPal, PingPong); detected when absent
    columns: dict = field(default_factory=dict)   # COLUMN_MAPPED_CHANNELS: role -> header in the file
    types: dict = field(default_factory=dict)     # COLUMN_MAPPED_CHANNELS: the file's type text -> role
    sales: tuple["SalesRule", ...] | None = None   # WALLET_TYPES: which rows are sales (None: the bill's collections)
    trades_from: str = "trade-detail"     # read for old configs; decides nothing (every view books, once)
    live: dict = field(default_factory=dict)  # `credentials:` and `fetch:` as written; beanclear.live reads them
    # The zone of the times its files write without an offset (a Stripe report's `created`,
    # in the Stripe account's zone); None: the config's timezone.
    timezone: "ZoneInfo | None" = None
    # Every bank its payouts land in, `bank` first: one per currency (`bank: [sparkasse,
    # chase]`), or several of one currency, one after the other (`bank: [boc, cmb]`: the
    # account moved); () without a bank.
    payout_banks: tuple[str, ...] = ()
    # The days in a row its statements read from their lines (no stated period) may have
    # no line without it being a hole between them (`quiet_days:`); None: QUIET_DAYS.
    quiet_days: int | None = None
    # The day its account ended (`until:`, a store closed, its last bill of that day): its
    # statements are owed up to it and no further (statements/coverage.py, Coverage.ended);
    # None: it goes on, its statements owed to every month's end.
    until: dt.date | None = None
    # `currency:` is written in config.yaml (not the default): a statement that states
    # another may contradict it (statements/stated_currency.py)
    currency_written: bool = False

    @property
    def withdrawn_at_will(self) -> bool:
        """A personal wallet: its balance is its owner's, withdrawn when and as much as they
        like, not paid out on a schedule (T+N, the whole balance due). What it held before
        its first bill may leave on any day of it, whatever a withdrawal before it took: a
        payout that found the account holding all it took says nothing of that money
        (checks/clearing.py, statements/gaps.Horizon.opening_unknown; blind33 microseller)."""
        return self.type in WALLET_TYPES

    @property
    def own_accounts(self) -> frozenset[str]:
        """The accounts config.yaml gives the channel (those a hand-built ChannelAccounts
        left empty aside)."""
        return frozenset(account for account in vars(self.accounts).values() if account)

    def banks_by_currency(self, banks: dict) -> dict[str, str]:
        """Currency -> the first bank its payouts land in, of a channel with several."""
        out: dict[str, str] = {}
        for name in self.payout_banks:
            if name in banks:
                out.setdefault(banks[name].currency, name)
        return out

    def fellow_banks(self, name: str, banks: dict) -> tuple[str, ...]:
        """The channel's payout banks of the currency of bank `name`, `name` among them:
        one account that moved from bank to bank (`bank: [boc, cmb]`), judged as one."""
        currency = banks[name].currency if name in banks else None
        return tuple(b for b in self.payout_banks if b in banks and banks[b].currency == currency) or (name,)


@dataclass(frozen=True)
class SalesRule:
    """A wallet row is a sale when every pattern the rule gives is found in its field."""

    category: re.Pattern | None = None
    counterparty: re.Pattern | None = None
    item: re.Pattern | None = None

    def matches(self, category: str, counterparty: str, item: str) -> bool:
        return all(p is None or p.search(v) for p, v in
                   ((self.category, category), (self.counterparty, counterparty), (self.item, item)))


@dataclass(frozen=True)
class Bank:
    name: str
    type: str
    account: str
    currency: str
    columns: dict[str, str | int]   # role -> header name, or 1-based position in a file without header
    encoding: str | None = None
    date_format: str = "%Y-%m-%d"
    account_id: str | None = None
    opening: "Opening | None" = None
    positive_amounts: str = "credit"   # what a positive signed amount is: money in, or (credit cards) out
    statuses: dict = field(default_factory=dict)   # csv: status column value -> booked | skipped
    # `type: [camt053, mt940]`: every format its statements come in (`type` is the first)
    types: tuple[str, ...] = ()
    # days in a row its statements read from their lines may have no line without it
    # being a hole between them (`quiet_days:`: a bank closed over a holiday); None: QUIET_DAYS.
    quiet_days: int | None = None
    # `currency:` is written in config.yaml (not the preset's or CNY), as a channel's
    currency_written: bool = False

    def __post_init__(self):
        if not self.types:
            object.__setattr__(self, "types", (self.type,))

    @property
    def own_accounts(self) -> frozenset[str]:
        """The account config.yaml gives the bank."""
        return frozenset((self.account,))


@dataclass(frozen=True)
class ShopAccounts:
    receivable: str   # sold, not yet paid: an order in, the channel payment for it out
    sales: str
    gift_cards: str | None = None   # a Shopify shop's gift cards outstanding (a liability): an order they paid


@dataclass(frozen=True)
class Shop:
    name: str
    type: str
    order_days: int
    currency: str = "CNY"                 # of exports that do not say (all but Shopify)
    accounts: ShopAccounts = ShopAccounts("Assets:Receivable:Shop", "Income:Sales:Shop")
    account_id: str | None = None         # text in the file that tells two shops of one type apart
    encoding: str | None = None           # orders-csv only, like banks
    date_format: str = "%Y-%m-%d"         # orders-csv only
    columns: dict = field(default_factory=dict)    # orders-csv: role -> header in the file
    statuses: dict = field(default_factory=dict)   # orders-csv: status text -> booked | refunded | skipped
    item_rows: str | None = None          # orders-csv: one row per line item, amount the order's "total" or "sum"
    # days in a row its exports may hold no order without it being a hole (`quiet_days:`:
    # a shop that sells a few times a week); None: QUIET_DAYS, as a channel's and a bank's
    quiet_days: int | None = None
    # the day it stopped selling (`until:`), as a channel's: its exports owed up to it, no further
    until: dt.date | None = None

    @property
    def own_accounts(self) -> frozenset[str]:
        """The accounts config.yaml gives the shop (its gift cards where it has them)."""
        return frozenset(a for a in (self.accounts.receivable, self.accounts.sales, self.accounts.gift_cards) if a)


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    account: str


@dataclass(frozen=True)
class WriteOff:
    """Where a write-off of a finding's difference goes, and up to what amount it needs
    no reason (`checks.<code>.write_off`; ledger/resolve/writeoff.py has the defaults)."""
    account: str | None = None
    limit: Decimal | None = None


@dataclass(frozen=True)
class Check:
    severity: str
    limits: dict[str, Decimal]
    write_off: WriteOff = WriteOff()


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
    # where money moved between two of the banks is while between them (`transfers:`):
    # each bank's statement books its side into it, and the clearing check pairs the two
    # (checks/transfers.py)
    transfers: str = "Assets:Transit:Transfers"
    equity: str = "Equity:Opening-Balances"
    match: "Match" = None  # set by parse(); beanclear match's settings
    live: dict = field(default_factory=dict)  # the `live:` section as written; beanclear.live reads it
    # key path -> its line in config.yaml (`channels.wechat.currency` -> 8), where the config
    # was read from its text (load, from_text): what a refusal of a setting names
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> str:
        """`config.yaml:8` for a key path the file writes at line 8; else the file's name."""
        line = self.lines.get(key)
        return f"{self.path.name}:{line}" if line else self.path.name

    @property
    def root(self) -> Path:
        """The folder paths in the config are relative to."""
        return self.path.parent

    @property
    def sources(self) -> dict[str, Channel | Bank | Shop]:
        return {**self.channels, **self.banks, **self.shops}

    def accounts(self) -> dict[str, str | None]:
        """Every account the config implies, with its currency constraint (or None).
        Those of `opened_when_used` are opened by the first entry posting to them."""
        out: dict[str, str | None] = {self.suspense: None}
        for source in self.sources.values():
            out.update(dict.fromkeys(source.own_accounts))
        banks = {bank.account for bank in self.banks.values()}
        for rule in self.rules:
            out[rule.account] = None
            if rule.account in banks or rule.account == self.transfers:   # a rule of transfers between them
                out[self.transfers] = None
        if self.openings():
            out[self.equity] = None
        return dict(sorted(out.items()))

    def stated_accounts(self) -> dict[str, str]:
        """Source name -> the account whose balance its statements state (a bank's account,
        a channel's clearing account; a shop states none): what a row the books hold by its
        id moved there is what it must move again (books/same_rows.py)."""
        out = {name: bank.account for name, bank in self.banks.items()}
        out.update((name, channel.accounts.clearing) for name, channel in self.channels.items())
        return out

    def source_accounts(self) -> dict[str, frozenset[str]]:
        """Source name -> the accounts config.yaml gives it (own_accounts): an entry of a
        person's own file that keeps an imported `id:` line is that source's where it posts
        to one of them (Books.kept_by_hand)."""
        return {name: source.own_accounts for name, source in self.sources.items()}

    def opened_when_used(self) -> set[str]:
        """The accounts the config names that few books ever post to, opened with the first
        entry that does (Books.open_used), not with the rest: a Shopify shop's gift cards
        (most shops never see one), a Stripe account's application fees (a Connect
        platform's). The equity account is opened so too, by its openings. One a rule
        names too is opened with the rest (a bank line may post to it first)."""
        later = {shop.accounts.gift_cards for shop in self.shops.values() if shop.accounts.gift_cards}
        later |= {ch.accounts.application_fees for ch in self.channels.values() if ch.accounts.application_fees}
        return later - {rule.account for rule in self.rules} if later else later

    def openings(self) -> list[tuple[str, str, "Opening"]]:
        """(account, currency, opening balance) of every source that states one."""
        out = [(ch.accounts.clearing, ch.currency, ch.opening) for ch in self.channels.values() if ch.opening]
        out += [(ch.accounts.clearing, currency, Opening(ch.opening.date, amount))
                for ch in self.channels.values() if ch.opening for currency, amount in ch.opening.others]
        out += [(b.account, b.currency, b.opening) for b in self.banks.values() if b.opening]
        return sorted(out, key=lambda o: o[0])


def title_of(name: str) -> str:
    """`wechat` -> `WeChat`, `my_shop` -> `MyShop`: a valid account component."""
    if name in TITLES:
        return TITLES[name]
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\s]+", name) if part)


@dataclass(frozen=True)
class Match:
    """How `beanclear match` decides (see ledger/matching.py)."""

    tolerance: Decimal = Decimal("0.01")   # amounts this close count as equal in the fuzzy stage
    window: int = 7                        # days an order or bill may take to be paid at the bank
    min_score: Decimal = Decimal(75)       # a fuzzy match below this is only a proposal
    margin: Decimal = Decimal(10)          # ... and so is one this close to the runner-up
    aliases: dict = field(default_factory=dict)  # channel -> names the bank writes for it
