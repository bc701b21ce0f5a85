"""The fee check: every fee a channel charged, against the contract in config.yaml.

With the contract `fees: [{rate: 0.006, min: 0.01}]` (0.6 %, at least 0.01):

    2026-03-01 * "Order 1001"
      id: "4200…01"
      fee-rate: "1.00%"
      Assets:Clearing:WeChat     99.00 CNY
      Expenses:Fees:WeChat        1.00 CNY
      Income:Sales:WeChat      -100.00 CNY

is `fee-gap`: fee 1.00 CNY on 100.00 CNY, contract 0.6% = 0.60 CNY (gap 0.40). The fee
base is what the channel settles (the sale less merchant discounts); the contract's
first rule whose `method` and `currency` fit the payment, and whose `since:`/`until:`
(optional, both days included) hold its date, applies (none: the payment is not judged).
A rule without them fits any payment. The currency a payment fits a rule by is the one
its customer paid (`customer-amount: "79.00 EUR"` on a Stripe charge settled in USD),
where that is another than the one it settled in and some rule of the channel names it,
else the one it settled in (priced_in): Stripe states no method, and `{rate: 0.054,
fixed: 0.30, currency: EUR}` before `{rate: 0.029, fixed: 0.30}` is how a contract states
its surcharge on the cards from abroad it converts (blind24: the EUR rule never applied,
and every EUR-paid charge was a fee-gap against 2.9% + 0.30). The fee, its base and the
rule's `fixed`, `min` and `max` are in the currency the fee is charged in, the one the
payment settled in (84.99 USD × 5.4% + 0.30 USD = 4.89 USD), whichever currency chose
the rule. The expected fee is
rate × base + fixed, within min and max, rounded half up to the currency's minor unit as
a fee can be charged (the cent; the whole yen: 3.6% of ¥4,580 is ¥165; the unit the channel
moves, places.minor_unit: PayPal's whole forint, 126 HUF of 125.64); a fee that is
the contract's rounded the other way (a channel cutting fractions of a yen) is on it,
whatever the tolerance. A refund owes no fee: the contract prices payments, and no rule
charges a refund. A fee given back with it is no gap, in full, in part or not at all
(how much a channel returns is its terms, which the contract does not state: WeChat
and Alipay return their share, Stripe and PayPal keep the fee), but a fee CHARGED on a
refund (the fee account up on the refund's entry, or on a line of its own that names
it: blind14, Stripe's refund row with a fee of +0.40, PayPal's Payment Refund with Fee
-0.50, WeChat's REFUND row with 手续费 +0.20) beyond the tolerance is a fee-gap of that
charge, one per refund (_charged_on_refund), judged where a rule would judge a payment
of its method, currency and day. A chargeback is no refund (its fee on the
chargebacks account, no sale given back), nor is a failed refund given back (Stripe's
`refund_failure`: orders.sold_or_refunded), a credit that sold nothing. Nor is an
entry no statement wrote (no `id:`): the contract is per payment, and a person's own
entry on the channel's accounts — a month of payments summed by hand, their fees
rounded one by one — is no payment.

A rule's `method` is the payment's as its statement writes it (config.model.STATED_METHODS:
WeChat's 付款银行, OTHERS; not its 交易类型, NATIVE). A rule of a method no payment of the
channel states never applies: one statement-gap of the channel says so, and how many
payments no rule judged (_methods_unstated), rather than leaving them unjudged in silence.

A fund view (Alipay's 账务明细, WeChat's 资金账单) books the fee as an entry of its own
that names the payment, `fee-of: "<trade id>"`; it counts as that payment's fee, the
payment being the entry whose `id` or `covers:` is that trade id (render.identities).

Where the statement states its own rate (WeChat's 费率) and it is not the contract's
while each fee still rounds within tolerance, the payments of that day are reported
together: a rate above contract on small tickets costs money that no single row shows.

Where most of a channel's payments miss the contract (at least SYSTEMATIC of them, and
half of those checked; a fee within tolerance billed at a stated rate other than the
contract's misses it too, so raising the tolerance does not split it into days), the
cause is one: the channel charges another rate than the config's contract (a new
contract, or a config written from the wrong one). They are one finding, with the rate
charged, not one per payment.

A contract that changed after months on the old one is the same cause from a day on
(_change): the payments of one rule from that day on, at least SYSTEMATIC of them and
half of those it judged since, charged the same other rule (the rate, or the fixed
fee, or both, that their fees fit: _charged_rules) are one finding dated at the change,
with the rule charged and the dated rules to write; the payments before it are judged
one by one as before. Counted over the whole history (blind13 multiyear: a year of
payments on 2.9% + 0.30, then July at 2.7% + 0.30), half was never reached and each
July payment was a finding of its own. The run may as well be the payments up to a
day, those after it on the contract: the config holds the new contract, undated (blind16
configchange: 0.6% until February, 0.38% from March, and the rate edited to 0.38%). It
is one finding, dated at its first payment, with the old rule charged and the dated
rules to write; it was one fee-gap per payment before the change where the months after
it were more than those before, and the whole history's finding, with no dates, where
they were fewer. A run of each kind may stand either side of a rule the contract held
between them.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from beancount.core import data

from beanclear.checks.findings import Finding, at_entry, limit, to_currency
from beanclear.checks.items import refs
from beanclear.checks.orders import CUSTOMER_AMOUNT, ChannelSales, sold_or_refunded
from beanclear.books.render import covered
from beanclear.config.model import STATED_METHODS, WALLET_TYPES, owning
from beanclear.importers.stated import stated_amount
from beanclear.importers.toolkit.places import minor_unit, shown

ONE_DAY = dt.timedelta(days=1)
ZERO = Decimal(0)
SYSTEMATIC = 10   # payments off the contract, at least, before they are one finding of the channel
REFS_SHOWN = 20   # the payments a finding of many names in its refs (as orders' and missing_rows' do)
UNASKED = object()


def contract_spans(channel, method: str | None, currency: str) -> tuple[tuple[dt.date, ...], tuple]:
    """The rule a payment of this method and currency (the one it fits rules by: priced_in)
    owes, by day: (starts, rules), rules[i] in force from starts[i] to the day before
    starts[i + 1]; the first rule that fits and is in force wins; None where none is (the
    payment is not judged). Undated rules: one span, from the first day on."""
    fitting = [rule for rule in channel.fees if (rule.method is None or rule.method == method)
               and (rule.currency is None or rule.currency == currency)]
    starts = sorted({dt.date.min} | {rule.since for rule in fitting if rule.since}
                    | {rule.until + ONE_DAY for rule in fitting if rule.until and rule.until < dt.date.max})
    return tuple(starts), tuple(next((rule for rule in fitting if rule.in_force(day)), None) for day in starts)


def named_currencies(channel) -> frozenset:
    """The currencies a channel's rules name (`currency:`): a payment its customer paid
    in one of them is matched to the rules by it (priced_in)."""
    return frozenset(rule.currency for rule in channel.fees if rule.currency is not None)


def priced_in(meta, currency: str, named: frozenset) -> str:
    """The currency a payment settled in `currency` is matched to its channel's rules by:
    the one its customer paid (`customer-amount: "79.00 EUR"` on a Stripe charge settled
    in USD) where that is another and a rule of the channel names it (`named`:
    named_currencies), so that `currency: EUR` states Stripe's surcharge on cards from
    abroad and on conversion; else `currency`. `customer-amount` is read only where some
    rule names a currency (this runs for every payment)."""
    if named and CUSTOMER_AMOUNT in meta:
        paid = stated_amount(meta[CUSTOMER_AMOUNT])
        if paid is not None and paid[1] != currency and paid[1] in named:
            return paid[1]
    return currency


def _paid_as(meta, priced: str, kind: str) -> str:
    """` (paid as 79.00 EUR)`: what the customer paid, where it chose the rule (priced_in)."""
    paid = stated_amount(meta[CUSTOMER_AMOUNT])
    return f" (paid as {shown(paid[0], priced, kind)} {priced})"


def contract_fee(rule, base: Decimal) -> Decimal:
    """The fee the contract owes on `base`, unrounded: rate × base + fixed, within min and max."""
    fee = base * rule.rate + rule.fixed
    if rule.min is not None:
        fee = max(fee, rule.min)
    if rule.max is not None:
        fee = min(fee, rule.max)
    return fee if base else ZERO


def rounded_other_way(actual: Decimal, owed: Decimal, currency: str, channel: str | None = None) -> bool:
    """`actual` is the contract's fee `owed` rounded down or up to the currency's minor unit
    (a channel that cuts fractions of a yen, or rounds a half to even): a rounding, not a gap.
    `channel`: its type, whose unit it is (PayPal's whole forint: places.minor_unit)."""
    unit = minor_unit(currency, channel)
    return actual in (owed.quantize(unit, ROUND_FLOOR), owed.quantize(unit, ROUND_CEILING))


@lru_cache(maxsize=256)  # a channel states a handful of rates, on every row
def stated_rate(text) -> Decimal | None:
    """`0.60%` -> 0.006; None when the statement gives none (or not a percentage)."""
    if not isinstance(text, str) or not text.strip().endswith("%"):
        return None
    try:
        return Decimal(text.strip()[:-1]) / 100
    except InvalidOperation:
        return None


def _rule_text(rule, currency: str | None = None, channel: str | None = None) -> str:
    """`2.9% + 0.30 min 0.10`: the rule's money in the currency's places (YAML reads
    `fixed: 0.30` as 0.3), never cut (a config's 0.305 is what it says); the channel's
    (its type), where it moves the currency in other units (PayPal's `+ 90` HUF)."""
    percent = f"{rule.rate * 100:f}"
    parts = [(percent.rstrip("0").rstrip(".") if "." in percent else percent) + "%"]   # 0%, not %
    unit = minor_unit(currency, channel) if currency else None

    def money(value: Decimal) -> str:
        return f"{value.quantize(unit) if unit is not None and value == value.quantize(unit) else value:f}"

    if rule.fixed:
        parts.append(f"+ {money(rule.fixed)}")
    if rule.min is not None:
        parts.append(f"min {money(rule.min)}")
    if rule.max is not None:
        parts.append(f"max {money(rule.max)}")
    return " ".join(parts)


def separate_fees(entries, fee_accounts: set[str]) -> dict[str, Decimal]:
    """trade id -> the fees booked in entries of their own that name it (`fee-of`)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction) and "fee-of" in entry.meta:
            out[entry.meta["fee-of"]] += sum((p.units.number for p in entry.postings if owning(p.account, fee_accounts)),
                                              ZERO)
    return out


def trade_ids(meta) -> tuple:
    """The ids a fee line of its own may name a payment by (`fee-of`): its `id` and the
    trade ids it covers (render.identities)."""
    return (meta.get("id"), *covered(meta.get("covers"))) if "covers" in meta else (meta.get("id"),)


def fee_lines(entries, keys: tuple[str, ...] = ("fee-of",)) -> dict[str, list]:
    """id -> the entries of their own that book a fee naming it by one of `keys`: a
    payment's (`fee-of`), the lines separate_fees sums, for a finding to name; a refund's
    (`fee-of`, `fee-back-of`: the fee charged on it or given back with it, where a fund
    view or a partial overlap, render.unknown_part, booked it apart from the refund)."""
    out: dict[str, list] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for key in keys:
                if key in entry.meta:
                    out[str(entry.meta[key])].append(entry)
    return out


LINE_NUMBER = "fund-id"   # WeChat's 资金流水单号: the fund bill's own number of a line, whose `id` is the trade's


def line_refs(entries) -> tuple[str, ...]:
    """Every statement id of the lines (items.refs), each line's with the fund bill's
    own number of it (WeChat's 资金流水单号): DESIGN §5, every id of the lines involved."""
    out: dict[str, None] = {}
    for entry in entries:
        out.update(dict.fromkeys(refs([entry])))
        if entry.meta.get(LINE_NUMBER):
            out[str(entry.meta[LINE_NUMBER])] = None
    return tuple(out)


def _of_channels_with_fees(entries, config, sales: list | None):
    """(entry, channel, sale side) of the channels with a fee contract. From `sales`
    (refunds.channel_sales, over every channel) when given: an entry it gives to a
    channel without fees is asked again of the channels with fees, as ChannelSales
    over those alone would answer; `sales` itself where every channel has one."""
    if sales is not None and all(ch.fees for ch in config.channels.values()):
        return sales
    return _asked_again(entries, config, sales)


def _asked_again(entries, config, sales: list | None):
    mine = ChannelSales(config, [ch for ch in config.channels.values() if ch.fees])
    if sales is None:
        for entry in entries:
            if isinstance(entry, data.Transaction):
                found = mine.of(entry)
                if found is not None:
                    yield entry, *found
        return
    for entry, channel, sale_side in sales:
        if channel.fees:
            yield entry, channel, sale_side
        else:
            found = mine.of(entry)
            if found is not None:
                yield entry, *found


def findings(entries, config, as_of=None, index=None, sales: list | None = None, fee_of=None,
             notes: list | None = None) -> list:
    """`sales`: refunds.channel_sales(entries, config), and `fee_of`: the entries with a
    `fee-of` (reconcile.Walk), when the caller has them; `notes`: where to say what is no
    finding (_methods_unstated: a rule of a currency no payment is in), `beanclear check`'s."""
    tolerance = limit(config, "fee-gap", "tolerance")
    out = []
    checked: dict[tuple, int] = defaultdict(int)     # (channel, currency) -> sales checked
    judged: dict[tuple, list] = defaultdict(list)    # (channel, currency, id(rule)) -> the days of the sales it judged
    off: dict[tuple, list] = defaultdict(list)       # (channel, currency) -> its payments off the contract
    rate_days: dict[tuple, list] = defaultdict(list)
    rules: dict[tuple, object] = {}   # (channel, method, currency) -> its contract_spans: a few, asked of every sale
    asked: dict[tuple, object] = {}   # (channel, method, currency) -> its first payment: the methods the books state
    names: dict[str, frozenset] = {}  # channel -> the currencies its rules name (named_currencies)
    unjudged: dict[str, list] = {}    # channel -> the payments no rule fits
    separate = separate_fees(entries if fee_of is None else fee_of,
                             {ch.accounts.fees for ch in config.channels.values() if ch.fees})
    lines_of: dict[str, list] | None = None   # trade id -> its fee lines (fee_lines): asked of a finding only
    refunds: list = []                        # (entry, channel, sale side, refunded): judged after the payments

    def involved(entry) -> tuple[str, ...]:
        """The ids of a payment's lines: its own, and its fee's where that is a line of its own."""
        nonlocal lines_of
        if not separate:
            return line_refs([entry])
        if lines_of is None:
            lines_of = fee_lines(entries if fee_of is None else fee_of)
        return line_refs([entry, *(fee for i in trade_ids(entry.meta) if i for fee in lines_of.get(i, ()))])
    for entry, channel, sale_side in _of_channels_with_fees(entries, config, sales):
        # Plain loops, the sale first: this runs for every payment, refund and payout of
        # the books, and most of them are not sales with a fee (profile, docs/perf-checks-page.md).
        sold = ZERO
        for p in sale_side:
            sold += p.units.number
        sold = -sold
        if sold <= 0 or not sold_or_refunded(entry, -sold)[0]:
            if sold < 0 and "id" in entry.meta:
                refunded = sold_or_refunded(entry, -sold)[1]
                if refunded > 0:   # a refund (not a failed payment taken back): it owes no fee
                    refunds.append((entry, channel, sale_side, refunded))
            continue  # not a sale (a refund, a failed refund given back, a payout, something else)
        acc, meta = channel.accounts, entry.meta
        if "id" not in meta:
            continue  # no statement wrote it: a person's own entry (a week's sales summed by hand)
        fee_account, discount_account = acc.fees, acc.discounts
        discounts = actual = ZERO
        for p in entry.postings:
            account = p.account
            if account == fee_account or account.startswith(fee_account) and acc.is_fee(account):
                actual += p.units.number
            elif account == discount_account:
                discounts += p.units.number
        if separate:
            if "covers" not in meta:   # (trade_ids' common case, asked of every payment)
                elsewhere = separate.get(meta["id"]) if meta["id"] else None
            else:
                elsewhere = found = None
                for i in trade_ids(meta):
                    if i and (found := separate.get(i)) is not None:  # a person's entry has no id
                        elsewhere = (ZERO if elsewhere is None else elsewhere) + found
            if elsewhere is not None:  # adding nothing leaves `actual` as it is
                actual += elsewhere
        currency = sale_side[0].units.currency   # the fee's and the base's: the money settled
        base = sold - discounts
        method = meta.get("method")
        named = names.get(channel.name)
        if named is None:
            named = names[channel.name] = named_currencies(channel)
        priced = priced_in(meta, currency, named) if named else currency   # the rules' (priced_in)
        spans = rules.get((channel.name, method, priced), UNASKED)
        if spans is UNASKED:
            spans = rules[(channel.name, method, priced)] = contract_spans(channel, method, priced)
            asked[(channel.name, method, priced)] = entry
        rule = spans[1][0] if len(spans[0]) == 1 else spans[1][bisect_right(spans[0], entry.date) - 1]
        if rule is None:
            unjudged.setdefault(channel.name, []).append(entry)
            continue
        checked[(channel.name, currency)] += 1
        judged[(channel.name, currency, id(rule))].append(entry.date)
        owed = contract_fee(rule, base)
        # as a fee can be charged: half up to the minor unit the channel moves (the cent; the
        # yen: 3.6% of ¥4,580 is ¥165, not ¥164.88; PayPal's forint), the figure compared and
        # the one the message says
        kind = channel.type
        expected = to_currency(owed, currency, kind)
        gap = abs(actual - expected)
        stated = stated_rate(meta.get("fee-rate"))
        said = f"; the statement says {meta['fee-rate']}" if stated is not None and stated != rule.rate else ""
        if gap > tolerance and not rounded_other_way(actual, owed, currency, kind):
            out.append(Finding(
                "fee-gap", entry.date, channel.name, acc.fees, gap, currency,
                f"fee {shown(actual, currency, kind)} {currency} on {shown(base, currency, kind)} {currency}"
                f"{_paid_as(meta, priced, kind) if priced != currency else ''}, "
                f"contract {_rule_text(rule, currency, kind)} = {shown(expected, currency, kind)} {currency}{said}",
                involved(entry),
                expected=expected, actual=actual, **at_entry(entry)))
            charged = actual / base if base else None
            off[(channel.name, currency)].append((entry, actual - expected, charged, rule, channel, out[-1],
                                                  expected, actual, base, stated))
        elif said:
            over = (stated - rule.rate) * base
            rate_days[(channel.name, entry.date, currency, entry.meta["fee-rate"])].append((entry, over, channel, rule))
            off[(channel.name, currency)].append((entry, over, stated, rule, channel, None, expected, actual, base,
                                                  stated))
    systematic = {key: rows for key, rows in off.items()   # most of them: one cause (see _systematic)
                  if len(rows) >= SYSTEMATIC and 2 * len(rows) >= checked[key]
                  and (any(row[5] is not None for row in rows) or abs(sum(row[1] for row in rows)) > tolerance)}
    changes = {}   # (channel, currency) -> its contract changes (_change), in place of its whole history's finding
    for key, rows in off.items():
        if len(rows) >= SYSTEMATIC:
            of_rule: dict[int, list] = defaultdict(list)
            for row in rows:
                of_rule[id(row[3])].append(row)
            # where the whole history misses it, a change needs SYSTEMATIC payments judged on the
            # other side of it (one that happened to be on the contract, a fee at the minimum, shows
            # no other rule)
            before = SYSTEMATIC if key in systematic else 1
            found = []
            for rule, mine in of_rule.items():
                days = judged[(*key, rule)]
                late = _change(mine, days, key[1], tolerance, before) if len(mine) >= SYSTEMATIC else None
                if late is not None:   # the payments before it may be a run of their own (config's rate between two)
                    found.append(late)
                    mine, days = [row for row in mine if row[0].date < late[0]], [d for d in days if d < late[0]]
                if len(mine) >= SYSTEMATIC and (c := _change(mine, days, key[1], tolerance, before, early=True)):
                    found.append(c)
            if found:
                changes[key] = found
                systematic.pop(key, None)
    folded = {id(row[0]) for found in changes.values() for change in found for row in change[2]}
    for (name, day, currency, rate_text), rows in sorted(rate_days.items()):
        if (name, currency) in systematic:
            continue  # folded into the channel's one finding
        if folded:
            rows = [row for row in rows if id(row[0]) not in folded]   # folded into a change's one finding
            if not rows:
                continue
        over = sum(x for _, x, _, _ in rows)
        channel, rule = rows[0][2], rows[0][3]
        if abs(over) > tolerance:
            out.append(Finding(
                "fee-gap", day, name, channel.accounts.fees, abs(over), currency,
                f"{len(rows)} payment(s) of {day} billed at {rate_text} against a contract of "
                f"{_rule_text(rule, currency, channel.type)}: {shown(abs(over), currency, channel.type)} {currency} "
                f"{'over' if over > 0 else 'under'} the contract in all",
                refs(e for e, *_ in rows), **at_entry(rows[0][0])))
    if refunds:
        out += _charged_on_refunds(refunds, entries if fee_of is None else fee_of, rules, tolerance, names)
    if config.checks["fee-gap"].severity != "off":   # fees not wanted judged: nor said unjudged
        out += _methods_unstated(config, asked, checked, unjudged, notes)
        if notes is not None and sales is not None:
            notes.extend(_without_contract(config, sales))
    return _systematic(out, checked, systematic, involved, changes)


def _without_contract(config, sales: list) -> list[str]:
    """A note per channel with payments but no `fees:` (not a personal wallet's): fee-gap
    judges nothing of it, and `check` said nothing (blind32: init leaves `fees:` to write,
    and a fee of 1.00% on a 0.60% contract went unseen until it was)."""
    bare = {name for name, ch in config.channels.items() if not ch.fees and ch.type not in WALLET_TYPES}
    if not bare:
        return []
    paid = {channel.name for _, channel, _ in sales if channel.name in bare}
    return [f"{name}: no fees: in config.yaml, so its fees are not checked (fee-gap judges none of its payments): "
            f"write its contract as channels.{name}.fees (a rule such as `- rate: 0.006`)" for name in sorted(paid)]


def _charged_on_refunds(refunds: list, fee_of, rules: dict, tolerance: Decimal, names: dict) -> list:
    """A fee-gap for each refund charged a fee beyond the tolerance (the module's
    docstring): expected 0.00, actual the charge, on the refund's entry and dated its day,
    its refs the refund's and those of a fee line of its own that names it. The rule
    that would judge a payment of its method, currency and day says that a contract is
    in force (`rules`: the payments' contract_spans, shared; `asked`, the methods the
    books state, stays the payments'); none: not judged, as a payment would not be. A
    fee given back (the account down) or none is no charge; a charge booked against the
    payment (Alipay's 收费 names the trade) is in the payment's fee and its finding.
    `names`: the payments' channel -> named_currencies, shared."""
    lines = None
    out = []
    for entry, channel, sale_side, refunded in refunds:
        if lines is None:
            lines = fee_lines(fee_of, ("fee-of", "fee-back-of"))
        accounts = channel.accounts
        own = [line for i in dict.fromkeys(trade_ids(entry.meta)) if i for line in lines.get(str(i), ())]
        charged: dict[str, Decimal] = {}
        for e in (entry, *own):
            for p in e.postings:
                if accounts.is_fee(p.account):
                    charged[p.units.currency] = charged.get(p.units.currency, ZERO) + p.units.number
        sale_currency = sale_side[0].units.currency
        for currency, actual in charged.items():
            if actual <= tolerance:
                continue   # given back, none, or a charge within the tolerance
            method = entry.meta.get("method")
            named = names.get(channel.name)
            if named is None:
                named = names[channel.name] = named_currencies(channel)
            priced = priced_in(entry.meta, currency, named)   # (a refund of a EUR-paid charge)
            spans = rules.get((channel.name, method, priced))
            if spans is None:
                spans = rules[(channel.name, method, priced)] = contract_spans(channel, method, priced)
            rule = spans[1][bisect_right(spans[0], entry.date) - 1]
            if rule is None:
                continue   # no contract in force for this money: nothing to compare
            out.append(Finding(
                "fee-gap", entry.date, channel.name, accounts.fees, actual, currency,
                f"fee {shown(actual, currency, channel.type)} {currency} charged on a refund of "
                f"{shown(refunded, sale_currency, channel.type)} {sale_currency}; the contract "
                f"{_rule_text(rule, currency, channel.type)} prices payments and charges no fee on a refund "
                f"({shown(ZERO, currency, channel.type)} {currency})", line_refs([entry, *own]),
                expected=ZERO, actual=actual, **at_entry(entry)))
    return out


def _methods_unstated(config, asked: dict, checked: dict, unjudged: dict, notes: list | None = None) -> list:
    """One statement-gap per channel whose rules of a method fit none of its payments (no
    payment states that method, in the rule's currency) while payments fit no rule: a
    method the channel's statements never write (blind8: WeChat's 交易类型 NATIVE for its
    付款银行 OTHERS; a payment only the 资金账单 books states none), so the rule never
    applies, as the config refuses one that could not (config reader._fees), and those
    payments are not judged. Where another rule judges every payment, a method none of
    them had (no credit-card payment this month) is no gap: nothing is said. Nor is a
    currency none of them was in, settled or paid by its customer (a contract for
    payments to come): `notes` gets one line of the channel naming those rules (blind24:
    `currency: GBP` where customers paid in USD and EUR passed without a word, though
    the README called a rule that could never apply an error)."""
    out = []
    for name, channel in config.channels.items():
        stated = {(method, currency) for (of, method, currency) in asked if of == name}
        if not stated:
            continue   # no payment of the channel: nothing a rule could fit
        idle = [(i, rule) for i, rule in enumerate(channel.fees) if (rule.method is not None or rule.currency is not None)
                and not any(rule.method in (None, method) and rule.currency in (None, currency)
                            for method, currency in stated)]
        missed = unjudged.get(name, [])
        if idle and not missed and notes is not None:
            notes.extend(_currencies_unpaid(name, channel, idle, stated, checked))
        if not idle or not missed:
            continue   # (every payment judged by another rule: a method no payment of these books had is no gap)
        methods = sorted({str(method) for method, _ in stated if method is not None})
        said = ", ".join(methods[:5]) + (", …" if len(methods) > 5 else "")
        said = (f"{said} or none" if said else "none") if (None in {m for m, _ in stated}) else said
        paths = [f"channels.{name}.fees[{i}] ({_fitting(rule, stated)})" for i, rule in idle]
        named = paths[0] if len(paths) == 1 else f"{', '.join(paths[:-1])} and {paths[-1]}"
        count = sum(n for (of, _), n in checked.items() if of == name) + len(missed)
        first = min(missed, key=lambda e: (e.date, refs([e])))
        currencies = ", ".join(sorted({currency for _, currency in stated}))
        why = (f"state {said} (a {channel.type} payment's method is "
               f"{STATED_METHODS.get(channel.type, 'none: its statements state none')})"
               if any(rule.method is not None for _, rule in idle) else f"are in {currencies}")
        message = (f"{named} {'fits' if len(paths) == 1 else 'fit'} none of the {count} payment(s) of {name}, which "
                   f"{why}; {len(missed)} of them, from {first.date} to {max(e.date for e in missed)}, fit no rule: "
                   "their fees are not judged")
        out.append(Finding("statement-gap", first.date, name, channel.accounts.fees, ZERO, "", message, refs([first]),
                           **at_entry(first)))
    return out


def _currencies_unpaid(name: str, channel, idle: list, stated: set, checked: dict) -> list[str]:
    """The note of a channel whose rules of a currency judge none of its payments, every
    one of them judged by another rule: no payment of the books was settled in it nor
    paid in it by its customer (`stated`: the currencies they fit rules by, priced_in);
    none where none is (a rule of a method none of them states: no credit-card payment
    this month)."""
    unpaid = [(i, rule) for i, rule in idle if rule.currency is not None
              and not any(currency == rule.currency for _, currency in stated)]
    if not unpaid:
        return []
    paths = [f"channels.{name}.fees[{i}] (currency: {rule.currency})" for i, rule in unpaid]
    named = paths[0] if len(paths) == 1 else f"{', '.join(paths[:-1])} and {paths[-1]}"
    currencies = list(dict.fromkeys(rule.currency for _, rule in unpaid))
    said = currencies[0] if len(currencies) == 1 else f"{', '.join(currencies[:-1])} or {currencies[-1]}"
    count = sum(n for (of, _), n in checked.items() if of == name)
    return [f"{named} {'judges' if len(paths) == 1 else 'judge'} none of the {count} payment(s) of {name}: none was "
            f"settled or paid by its customer in {said} (they are in "
            f"{', '.join(sorted({currency for _, currency in stated}))}); the other rules judge them all"]


def _fitting(rule, stated: set) -> str:
    """What of a rule no payment states: its method, its currency, or both."""
    said = []
    if rule.method is not None and not any(method == rule.method for method, _ in stated):
        said.append(f"method: {rule.method}")
    if rule.currency is not None and not any(currency == rule.currency for _, currency in stated):
        said.append(f"currency: {rule.currency}")
    return ", ".join(said) or f"method: {rule.method}, currency: {rule.currency}"


def _median(values: list) -> Decimal:
    values = sorted(values)
    return values[len(values) // 2]


def _charged_rules(rows: list, rule, currency: str):
    """The rules these payments of `rule` may have been charged instead (the fee's
    contract changed): its rate, its fixed fee, or both, changed, as their fees tell (the
    median; a rate as a contract writes one, to 0.01%, else 0.001%, else 0.0001%; a
    fixed fee in the unit the channel moves). A payment's stated rate (WeChat's 费率) is its rate.
    Payments of one amount cannot tell a rate from a fixed fee: the rate comes first."""
    priced = [row for row in rows if row[8] > 0]
    if not priced:
        return
    unit = minor_unit(currency, priced[0][4].type)
    places = [Decimal(1).scaleb(-n) for n in (4, 5, 6)]
    rate = _median([row[9] if row[9] is not None else (row[7] - rule.fixed) / row[8] for row in priced])
    for step in places:
        yield replace(rule, rate=rate.quantize(step, ROUND_HALF_UP))
    yield replace(rule, fixed=_median([row[7] - rule.rate * row[8] for row in priced]).quantize(unit, ROUND_HALF_UP))
    ordered = sorted(priced, key=lambda row: row[8])   # both: the line through the thirds' medians (Tukey's)
    third = len(ordered) // 3
    if third:
        low, high = ordered[:third], ordered[-third:]
        run = _median([row[8] for row in high]) - _median([row[8] for row in low])
        if run > 0:
            slope = (_median([row[7] for row in high]) - _median([row[7] for row in low])) / run
            for step in places:
                rate = slope.quantize(step, ROUND_HALF_UP)
                yield replace(rule, rate=rate, fixed=_median([row[7] - rate * row[8] for row in priced]).quantize(
                    unit, ROUND_HALF_UP))


def _fits(row, rule, currency: str, tolerance: Decimal) -> bool:
    """The payment of an off-contract `row` was charged by `rule`: its stated rate, if it
    states one, is the rule's, and its fee is the rule's within tolerance (or rounded the
    other way), whether or not it was a finding of its own: a fee within the contract's
    tolerance billed at a stated rate other than the contract's is that rate's only where
    the fee is (blind16: 费率 0.38% on a fee of 6.00 on 1,000.00, the contract's 0.6%, was
    counted among those charged 0.38%, "819 of 819"; it stays the finding of its day)."""
    stated, actual, base, kind = row[9], row[7], row[8], row[4].type
    if stated is not None and stated != rule.rate:
        return False
    owed = contract_fee(rule, base)
    return abs(actual - to_currency(owed, currency, kind)) <= tolerance or rounded_other_way(actual, owed, currency,
                                                                                              kind)


def _change(rows: list, days: list, currency: str, tolerance: Decimal, before: int = 1, early: bool = False):
    """The day the contract of these off-contract payments of one rule changed, or None:
    (day, the rule charged, the payments charged it, the payments the rule judged over
    their span, early). The payments charged it are those from that day on; `early`: those
    before it (the config holds the new contract, undated, and the payments before the
    change are the run off it: blind16, 0.6% until February, 0.38% in config). The rule
    charged is the one of _charged_rules (from the off-contract payments nearest the
    change: the latest, or the earliest where `early`) that the most of them fit; the day
    is the one where the payments charged it, less the others the rule judged on their
    side of it, are the most (a payment on the other side charged that rule by chance
    does not move it), and a change is one where at least SYSTEMATIC, and half of those
    judged on their side, were charged it, with at least `before` payments the rule
    judged on the other side (none: the whole history misses the contract, as findings'
    systematic says). The day is the first of the new contract's either way: where
    `early`, the first day the rule judged after the run. `days`: the days of the
    payments the rule judged."""
    rows = sorted(rows, key=lambda row: (row[0].date, refs([row[0]])))
    rule, best = rows[0][3], None
    for charged in _charged_rules(rows[:2 * SYSTEMATIC] if early else rows[-2 * SYSTEMATIC:], rule, currency):
        if (charged.rate, charged.fixed) == (rule.rate, rule.fixed):
            continue
        fits = [row for row in rows if _fits(row, charged, currency, tolerance)]
        if len(fits) >= SYSTEMATIC and (best is None or len(fits) > len(best[1])):
            best = (charged, fits)
    if best is None:
        return None
    charged, fits = best
    on: dict[dt.date, list] = defaultdict(lambda: [0, 0])   # day -> [payments judged, of them charged `charged`]
    for day in days:
        on[day][0] += 1
    for row in fits:
        on[row[0].date][1] += 1
    since = judged = score = 0
    top = None
    for day in sorted(on, reverse=not early):   # from the far end of the run towards the change
        since, judged = since + on[day][1], judged + on[day][0]
        score += 2 * on[day][1] - on[day][0]
        if on[day][1] and (top is None or score >= top[0]):
            top = (score, day, since, judged)
    _, day, since, judged = top
    if len(days) - judged < before or since < SYSTEMATIC or 2 * since < judged:
        return None
    run = [row for row in fits if (row[0].date <= day if early else row[0].date >= day)]
    if not any(row[5] is not None for row in run) and abs(sum(row[1] for row in run)) <= tolerance:
        return None
    if early:
        day = min(d for d in days if d > day)   # the new contract's first day: the first payment it judged after the run
    return day, charged, run, judged, early


def _systematic(found: list, checked: dict, systematic: dict, involved, changes: dict | None = None) -> list:
    """The payments off the contract of each channel and currency where most of its
    payments are (`systematic`), as one finding (the first payment's place, the rate
    charged, the sum) in place of their own. Off the contract: a fee beyond tolerance
    (over by its gap, charged its fee / base), or a fee within it billed at a stated
    rate other than the contract's (over and charged by the stated rate, as the per-day
    finding counts it) — so raising the tolerance never splits one cause into days.
    Its refs are those of the payments, the first REFS_SHOWN of them (the message says
    how many more), `expected` and `actual` the contract's fees and the fees charged of
    them all. `involved(entry)`: a payment's refs, as its own finding names them."""
    dropped, ones = set(), []
    for (name, currency), rows in systematic.items():
        rows = sorted(rows, key=lambda row: (row[0].date, refs([row[0]])))
        entry, _, _, rule, channel = rows[0][:5]
        over = sum(row[1] for row in rows)
        rates = sorted(row[2] for row in rows if row[2] is not None)   # None: nothing to charge a rate on
        charged = rates[len(rates) // 2] * 100 if rates else ZERO
        named = tuple(dict.fromkeys(r for row in rows[:REFS_SHOWN]
                                    for r in (row[5].refs if row[5] is not None else involved(row[0]))))
        more = (f"; its refs name the first {REFS_SHOWN} of the {len(rows)} payments ({len(rows) - REFS_SHOWN} left "
                "out)") if len(rows) > REFS_SHOWN else ""
        # a rate written as a percent (0.6 for 0.6 %): the fees charged are the rule's rate a hundredth of it
        percent = rule.rate and charged and abs(charged - rule.rate) <= rule.rate / 50
        fix = (f"the contract's rate is written as a percent: a rate is a fraction of the payment, write "
               f"channels.{name}.fees rate: {(rule.rate / 100).normalize()}" if percent else
               f"if the contract changed, set channels.{name}.fees (the old rule until: the day before it changed, "
               "the new one since: that day)")
        ones.append(Finding("fee-gap", entry.date, name, channel.accounts.fees, abs(over), currency,
                            f"{len(rows)} of {checked[(name, currency)]} payments were charged other fees than the "
                            f"contract {_rule_text(rule, currency, channel.type)}, about {charged:.2f}% (the median): "
                            f"{shown(abs(over), currency, channel.type)} {currency} "
                            f"{'over' if over > 0 else 'under'} the contract in all; "
                            f"{fix}{more}", named, expected=sum(row[6] for row in rows),
                            actual=sum(row[7] for row in rows), **at_entry(entry)))
        dropped |= {id(row[5]) for row in rows if row[5] is not None}
    for (name, currency), found_changes in (changes or {}).items():
        for day, charged, rows, judged, early in found_changes:
            entry, _, _, rule, channel = rows[0][:5]
            over = sum(row[1] for row in rows)
            named = tuple(dict.fromkeys(r for row in rows[:REFS_SHOWN]
                                        for r in (row[5].refs if row[5] is not None else involved(row[0]))))
            more = (f"; its refs name the first {REFS_SHOWN} of the {len(rows)} payments ({len(rows) - REFS_SHOWN} "
                    "left out)") if len(rows) > REFS_SHOWN else ""
            where = f"channels.{name}.fees" + (f"[{channel.fees.index(rule)}]" if len(channel.fees) > 1 else "")
            kind = channel.type
            span, rules = ((f"until {rows[-1][0].date}", f"the old rule, {_rule_text(charged, currency, kind)}, until: "
                            f"{day - ONE_DAY}, the contract's since: {day}") if early else
                           (f"since {day}", f"the old rule until: {day - ONE_DAY}, the new one since: {day}"))
            ones.append(Finding("fee-gap", entry.date, name, channel.accounts.fees, abs(over), currency,
                                f"{len(rows)} of {judged} payments {span} were charged "
                                f"{_rule_text(charged, currency, kind)}, not the contract "
                                f"{_rule_text(rule, currency, kind)}: {shown(abs(over), currency, kind)} {currency} "
                                f"{'over' if over > 0 else 'under'} the contract in all; "
                                f"if the contract changed on {day}, set {where} ({rules}){more}", named,
                                expected=sum(row[6] for row in rows), actual=sum(row[7] for row in rows),
                                **at_entry(entry)))
            dropped |= {id(row[5]) for row in rows if row[5] is not None}
    return [f for f in found if id(f) not in dropped] + ones if ones else found
