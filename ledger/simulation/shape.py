"""The shape of a random merchant: which channels, views, shops and banks it has.

Everything is drawn from one `random.Random(seed)`, so a seed names a merchant:

    shape = draw(7)            # e.g. wechat (trade+fund) + stripe (EUR too), one shopify shop,
                               # a csv bank for CNY and a camt053 bank for USD
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CNY_TYPES = ("wechat", "alipay")
MARKETPLACES = ("pinduoduo", "douyin", "jd")   # shops paid by the marketplace, not by a channel here
USD_TYPES = ("stripe", "paypal")


@dataclass
class Channel:
    name: str                   # this account: the simulation's key of it (its records' `channel`, its statements' stream)
    currency: str               # settlement currency
    views: tuple                # wechat/alipay: ("trade",), ("fund",) or ("trade", "fund"); others ("activity",)
    settlement_days: int
    bank_days: int
    bank: str
    rate: Decimal
    fixed: Decimal
    min: Decimal
    eur: bool = False           # stripe/paypal: some orders are in EUR
    fee_negative: bool = False  # alipay 业务明细: 服务费 written as a negative number (FORMATS does not say)
    opening: Decimal = Decimal("0")   # money already held at the first line (channels with a balance column)
    account_id: str = ""
    daily: bool = False         # wechat fund bill: one file a day, as `beanclear fetch` lays them, imported as they come
    eur_fee: tuple | None = None   # paypal: (rate, fixed) of its contract's rule for EUR payments, before the default
    type: str = ""              # wechat | alipay | stripe | paypal (default: its name); a second account of a
                                # type (_second_account) is named otherwise, `alipay_2`, of type alipay

    def __post_init__(self):
        self.type = self.type or self.name

    @property
    def payouts_visible(self) -> bool:
        return self.type in USD_TYPES or "fund" in self.views


@dataclass
class Shop:
    name: str
    type: str                   # shopify | orders-csv | taobao (paid through alipay only) | MARKETPLACES
    prefix: str                 # order-number prefix ("" or "A"/"B" for two shopify shops; "W" for orders-csv)
    order_days: int


@dataclass
class Bank:
    name: str
    type: str                   # csv | icbc | cmb | boc | camt053 | mt940 | ofx
    currency: str
    account: str
    opening: Decimal
    weekend_batching: bool      # Friday-Sunday payouts credited on Monday, one line each
    lag: int                    # days from payout to credit (before weekend batching)
    encoding: str = "utf-8"
    converts: str = ""          # an account in `currency` whose bank converts the payouts it receives in this one
    spread: Decimal = Decimal("0")   # … at the day's reference less this share (a bank's margin)


@dataclass
class Shape:
    seed: int
    start: date
    days: int
    orders_per_day: int
    channels: list = field(default_factory=list)
    shops: list = field(default_factory=list)
    banks: list = field(default_factory=list)
    currency: str = "CNY"           # the operating currency (config `currency`)
    timezone: str = "Asia/Shanghai"  # the books' zone: the truth's times are its wall-clock times

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def channel(self, name):
        return next(c for c in self.channels if c.name == name)

    def taobao_channel(self):
        """The Alipay account a Taobao store is bound to: the first (a second one pays other shops)."""
        return next((c for c in self.channels if c.type == "alipay"), None)

    def bank(self, name):
        return next(b for b in self.banks if b.name == name)

    def summary(self) -> dict:
        return {
            "seed": self.seed, "currency": self.currency, "timezone": self.timezone, "start": self.start.isoformat(), "days": self.days,
            "orders_per_day": self.orders_per_day,
            "channels": {c.name: {**({"type": c.type} if c.type != c.name else {}),
                                  "views": list(c.views), "eur": c.eur, "bank": c.bank,
                                  "settlement_days": c.settlement_days, "bank_days": c.bank_days,
                                  "opening": str(c.opening), **({"daily": True} if c.daily else {})}
                         for c in self.channels},
            "shops": {s.name: s.type for s in self.shops},
            "banks": {b.name: {"type": b.type, "weekend_batching": b.weekend_batching,
                               "opening": str(b.opening),
                               **({"currency": b.currency, "converts": b.converts, "spread": str(b.spread)}
                                  if b.converts else {})} for b in self.banks},
        }


def _money(rng, lo, hi) -> Decimal:
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def draw(seed: int, size: str = "small") -> Shape:
    rng = random.Random(seed)
    days = 30 if size == "small" else rng.randint(30, 60)
    start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 150))
    per_day = 10 if size == "small" else rng.randint(10, 40)
    kinds = [k for k in CNY_TYPES + USD_TYPES if rng.random() < 0.6] or [rng.choice(CNY_TYPES + USD_TYPES)]
    shape = Shape(seed, start, days, per_day)
    cny = any(k in CNY_TYPES for k in kinds)
    usd = any(k in USD_TYPES for k in kinds)
    if cny:
        btype = rng.choice(["csv", "icbc"])
        if btype == "icbc":   # which bank's own export: a stream of its own (the rest of the shape stays)
            btype = random.Random(f"bank preset {seed}").choice(["icbc", "icbc", "cmb", "boc"])
        name = "ops" if btype == "csv" else btype
        shape.banks.append(Bank(name, btype, "CNY", f"Assets:Bank:{'Ops' if name == 'ops' else name.upper()}",
                                _money(rng, 20000, 90000), rng.random() < 0.5, rng.randint(0, 1),
                                rng.choice(["utf-8", "gb18030"]) if btype == "csv" else "gb18030"))
    if usd:
        btype = rng.choice(["camt053", "mt940", "ofx"])
        shape.banks.append(Bank("usbank", btype, "USD", "Assets:Bank:US", _money(rng, 5000, 40000),
                                rng.random() < 0.5, rng.randint(0, 1)))
    for k in kinds:
        bank = next(b for b in shape.banks if b.currency == ("CNY" if k in CNY_TYPES else "USD"))
        settle = {"wechat": rng.randint(1, 2), "alipay": 1, "stripe": rng.randint(2, 3),
                  "paypal": rng.randint(3, 5)}[k]
        bank_days = bank.lag + 1 + (2 if bank.weekend_batching else 0)
        if k in CNY_TYPES:
            views = rng.choice([("trade",), ("fund",), ("trade", "fund")])
            ch = Channel(k, "CNY", views, settle, bank_days, bank.name,
                         Decimal("0.006") if k == "wechat" else Decimal("0.0055"), Decimal("0"), Decimal("0.01"),
                         account_id=str(rng.randint(10**9, 10**10 - 1)) if k == "wechat" else "2088" + str(rng.randint(10**11, 10**12 - 1)))
            if "fund" in views:
                ch.opening = _money(rng, 500, 5000)
        else:
            eur = rng.random() < 0.6
            ch = Channel(k, "USD", ("activity",), settle, bank_days, bank.name,
                         Decimal("0.029") if k == "stripe" else Decimal("0.0349"),
                         Decimal("0.30") if k == "stripe" or not eur else Decimal("0"), Decimal("0"), eur=eur)
            if k == "paypal":
                ch.opening = _money(rng, 100, 2000)
        shape.channels.append(ch)
    for ch in shape.channels:
        ch.fee_negative = ch.type == "alipay" and rng.random() < 0.5
    n_shops = rng.choice([0, 1, 1, 2])
    if n_shops == 1:
        t = rng.choice(["shopify", "orders-csv"])
        shape.shops.append(Shop("shopify" if t == "shopify" else "web", t, "" if t == "shopify" else "W", 3))
    elif n_shops == 2:
        if rng.random() < 0.5:
            shape.shops += [Shop("shopify", "shopify", "", 3), Shop("web", "orders-csv", "W", 3)]
        else:
            shape.shops += [Shop("shop_a", "shopify", "A", 3), Shop("shop_b", "shopify", "B", 3)]
    for ch in shape.channels:   # drawn last: the shapes drawn before it stay as they were
        ch.daily = ch.type == "wechat" and "fund" in ch.views and rng.random() < 0.5
    market = random.Random(f"market {seed}")   # a stream of its own, for the same reason
    if any(c.type == "alipay" for c in shape.channels) and market.random() < 0.35:
        # A Taobao store, paid through Alipay alone (T200P<order> in 商户订单号, FORMATS §8b); the
        # other channels pay the other shops, a web shop of its own where there is none.
        if len(shape.channels) == 1:
            shape.shops.clear()   # no channel would pay the others
        elif not shape.shops:
            shape.shops.append(Shop("web", "orders-csv", "W", 3))
        shape.shops.append(Shop("taobao", "taobao", "", 3))
    marketplace = random.Random(f"marketplace {seed}")   # a stream of its own, for the same reason
    if shape.shops and marketplace.random() < 0.25:
        # A marketplace store whose own settlement collects its orders' money (no statement
        # here shows it), beside the shops the channels pay: its orders are no channel's.
        kind = marketplace.choice(MARKETPLACES)
        shape.shops.append(Shop(kind, kind, "", 3))
    fees = random.Random(f"fees {seed}")   # a stream of its own, for the same reason
    for ch in shape.channels:   # PayPal's contract as it is: a fixed fee per currency, more for cross-border
        if ch.type == "paypal" and ch.eur and fees.random() < 0.5:
            ch.fixed, ch.eur_fee = Decimal("0.49"), (Decimal("0.0499"), Decimal("0.39"))
    _us_merchant(shape)
    _converting_bank(shape)
    _second_account(shape)
    return shape


SECOND_TYPES = ("wechat", "alipay", "stripe", "paypal")
SECOND_FROM = 33400     # seeds before it keep the merchants tests and earlier sessions pinned (1-33399)
SECOND_RATES = {"wechat": ("0.006", "0.0038", "0.01"), "alipay": ("0.0055", "0.006", "0.0038"),
                "stripe": ("0.029", "0.034", "0.0275"), "paypal": ("0.0349", "0.0299", "0.039")}


def _second_account(shape: Shape) -> None:
    """A third of merchants hold a second account of one of their channels' types (DESIGN
    §3: `account_id` tells two accounts of one type apart): a second Alipay account, a
    second WeChat Pay 商户号, Stripe or PayPal account. It has its own key (`alipay_2`),
    account id where its type has one (Alipay's 2088… PID, WeChat Pay's 商户号, PayPal's
    account number where its statements are the API's), fee contract, deadlines, views,
    opening and orders (a share of the shop's, truth draws them as any channel's), and pays
    out to the first's bank or, in some, a bank of its own of the same currency (a bank
    of another type: two banks of one type would need theirs told apart too). A Taobao
    store stays paid by the first Alipay account (a store is bound to one): the second
    pays a web shop, added where there is none. A stream of its own: other seeds stay, and
    seeds before SECOND_FROM draw none (a third of the seeds tests pin drew one: 5, 14, 32961…)."""
    if shape.seed < SECOND_FROM:
        return
    rng = random.Random(f"second account {shape.seed}")
    if rng.random() >= 0.3:
        return
    kinds = [c for c in shape.channels if c.type in SECOND_TYPES]
    if not kinds:
        return
    first = rng.choice(kinds)
    k = first.type
    bank = shape.bank(first.bank)
    if rng.random() < 0.3:
        bank = _second_bank(shape, bank, rng)
    bank_days = bank.lag + 1 + (2 if bank.weekend_batching else 0)
    rate = Decimal(rng.choice(SECOND_RATES[k]))
    if k in CNY_TYPES:
        views = rng.choice([("trade",), ("fund",), ("trade", "fund")])
        account_id = first.account_id
        while account_id == first.account_id:
            account_id = str(rng.randint(10**9, 10**10 - 1)) if k == "wechat" else "2088" + str(rng.randint(10**11, 10**12 - 1))
        ch = Channel(f"{k}_2", "CNY", views, rng.randint(1, 2) if k == "wechat" else 1, bank_days, bank.name, rate,
                     Decimal("0"), Decimal("0.01"), account_id=account_id, type=k)
        if "fund" in views:
            ch.opening = _money(rng, 500, 5000)
        ch.fee_negative = k == "alipay" and rng.random() < 0.5
        ch.daily = k == "wechat" and "fund" in views and rng.random() < 0.5
    else:
        eur = rng.random() < 0.5
        ch = Channel(f"{k}_2", "USD", ("activity",), rng.randint(2, 3) if k == "stripe" else rng.randint(3, 5),
                     bank_days, bank.name, rate, Decimal("0.30") if k == "stripe" or not eur else Decimal("0"),
                     Decimal("0"), eur=eur, type=k)
        if k == "paypal":
            ch.opening = _money(rng, 100, 2000)
            if eur and rng.random() < 0.5:
                ch.fixed, ch.eur_fee = Decimal("0.49"), (Decimal("0.0499"), Decimal("0.39"))
            from .writers import paypal as paypal_files
            if paypal_files.statement_format(shape.seed) == "api":   # the responses' `account_number`
                first.account_id = paypal_files.api_layout(shape.seed)[1]
                while not ch.account_id or ch.account_id == first.account_id:
                    ch.account_id = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(13))
    shape.channels.append(ch)
    if k == "alipay" and any(s.type == "taobao" for s in shape.shops) \
            and not any(s.type not in MARKETPLACES + ("taobao",) for s in shape.shops):
        shape.shops.append(Shop("web", "orders-csv", "W", 3))


def _second_bank(shape: Shape, bank: Bank, rng) -> Bank:
    """A bank of the second account's own, of the first's currency and another type."""
    if shape.currency == "USD":
        btype = "csv" if bank.type == "ofx" else "ofx"
        name, account = "savings", "Assets:Bank:Savings"
    elif bank.currency == "CNY":
        used = {b.type for b in shape.banks}
        btype = rng.choice([t for t in ("csv", "icbc", "cmb", "boc") if t not in used])
        name = "ops" if btype == "csv" else btype
        account = f"Assets:Bank:{'Ops' if name == 'ops' else name.upper()}"
    else:
        btype = rng.choice([t for t in ("camt053", "mt940", "ofx") if t != bank.type])
        name, account = "usbank2", "Assets:Bank:US2"
    currency = "USD" if bank.converts else bank.currency
    new = Bank(name, btype, currency, account, _money(rng, 5000, 40000), rng.random() < 0.5, rng.randint(0, 1),
               rng.choice(["utf-8", "gb18030"]) if btype == "csv" and currency == "CNY" else
               "gb18030" if currency == "CNY" else "utf-8")
    shape.banks.append(new)
    return new


def _converting_bank(shape: Shape) -> None:
    """Some merchants' USD bank of type camt053 is an account in EUR whose bank converts the
    USD payouts it receives (README, "The accounting model": a Stripe or PayPal payout
    credited as EUR, the CAMT `InstdAmt` stating the USD sent and `CcyXchg` the rate). Its
    rate is the day's reference (the truth's `rates`) less a margin of 10-25 basis points,
    well inside fx-gap's tolerance (50). A stream of its own: other seeds stay."""
    rng = random.Random(f"converting bank {shape.seed}")
    for b in shape.banks:
        if b.type == "camt053" and b.currency == "USD" and rng.random() < 0.5:
            b.currency, b.converts = "EUR", "USD"
            b.spread = Decimal(rng.choice([10, 15, 20, 25])) / 10000


US_ZONES = ("America/Los_Angeles", "America/New_York")
CLOCK_CHANGES = (date(2026, 3, 8), date(2026, 11, 1))   # US daylight saving time begins, ends


def _us_merchant(shape: Shape) -> None:
    """A quarter of seeds draw a US merchant in its place: books in USD in a US zone, selling
    through Stripe and PayPal (some EUR payments), maybe a Shopify or orders-csv shop, paid
    out into one US bank (OFX, or a CSV of month-first dates). Most have a clock change
    inside the period (a day of 23 or 25 hours). A stream of its own: other seeds stay."""
    rng = random.Random(f"us merchant {shape.seed}")
    if rng.random() >= 0.25:
        return
    shape.currency, shape.timezone = "USD", rng.choice(US_ZONES)
    if rng.random() < 0.6:
        shape.start = rng.choice(CLOCK_CHANGES) - timedelta(days=rng.randint(2, shape.days - 3))
    btype = rng.choice(["ofx", "csv"])
    bank = Bank("checking", btype, "USD", "Assets:Bank:Checking", _money(rng, 5000, 40000), rng.random() < 0.5,
                rng.randint(0, 1))
    shape.banks = [bank]
    shape.channels = []
    for k in rng.choice([("stripe",), ("paypal",), ("stripe", "paypal"), ("stripe", "paypal")]):
        eur = rng.random() < 0.5
        ch = Channel(k, "USD", ("activity",), rng.randint(2, 3) if k == "stripe" else rng.randint(3, 5),
                     bank.lag + 1 + (2 if bank.weekend_batching else 0), bank.name,
                     Decimal("0.029") if k == "stripe" else Decimal("0.0349"),
                     Decimal("0.30") if k == "stripe" or not eur else Decimal("0"), Decimal("0"), eur=eur)
        if k == "paypal":
            ch.opening = _money(rng, 100, 2000)
            if eur and rng.random() < 0.5:   # a rule of its own for EUR payments, as fees draws them
                ch.fixed, ch.eur_fee = Decimal("0.49"), (Decimal("0.0499"), Decimal("0.39"))
        shape.channels.append(ch)
    shape.shops = {0: [], 1: [rng.choice([Shop("shopify", "shopify", "", 3), Shop("web", "orders-csv", "W", 3)])],
                   2: [Shop("shopify", "shopify", "", 3), Shop("web", "orders-csv", "W", 3)]}[rng.choice([0, 1, 1, 2])]
