"""How entries name the orders they pay and link to them: the order id in a channel's
row (order_in, named_order), the links that tie an order's entries together, and which
shops a channel's payments may pay. The importers write these; the checks read them
back inside bean-check and Fava, so this module imports nothing of the importers'."""

from __future__ import annotations

import re

from beancount.core import data

from beanclear.config.model import WALLET_TYPES

# A shop order's metadata where a refund of part of it states no amount (importers/shop.py).
REFUND_AMOUNT, NOT_STATED = "refund-amount", "not stated"
# A shop order's metadata where its export says part of it is still owed by the customer
# (Shopify's Outstanding Balance of a partially_paid order: a deposit taken, the balance
# due later), in the order's currency: no channel owes that part (ledger/checks/orders.py).
OUTSTANDING = "outstanding"
# A channel's entry that gives back what a refund took (the customer's bank refused it:
# Stripe's `refund_failure`), or takes back what a payment brought (it failed after it was
# booked: `charge_failure`, an ACH or SEPA debit), names the refund or payment it undoes.
# On the sale side it counts against that refund or sale, never as the opposite
# movement (ledger/checks/orders.py `sold_or_refunded`): no sale owing a fee, no refund.
REFUND_FAILED, PAYMENT_FAILED = "refund-failed", "payment-failed"
# How a shop's export says an order was paid (Shopify's `Payment Method`, its gateways
# joined by `, ` or ` + `), kept on the order where the orders check's rules depend on it:
# a gift card among them (no channel owes its part), or a manual method (no channel
# collects it: the bank, or cash). README "Shops and their orders".
PAYMENT_METHOD = "payment-method"
GIFT_CARD, BANK, CASH, CHANNEL = "gift card", "bank", "cash", "channel"
MANUAL = (BANK, CASH)
# (a customer's store credit is money the shop holds already, as its gift cards: blind24)
_GATEWAYS = {"gift card": GIFT_CARD, "giftcard": GIFT_CARD, "shopify gift card": GIFT_CARD,
             "store credit": GIFT_CARD, "shopify store credit": GIFT_CARD,
             "bank deposit": BANK, "bank transfer": BANK, "money order": BANK, "manual": BANK,
             "cash on delivery": CASH, "cod": CASH, "cash": CASH}


def gateways(method: str) -> list[str]:
    """The gateways of a `Payment Method` cell: `gift_card, Shopify Payments` and
    `gift_card + shopify_payments` are two."""
    return [g.strip() for g in re.split(r"[,+]", method or "") if g.strip()]


def gateway_kind(gateway: str) -> str:
    """GIFT_CARD, BANK (a manual payment into the bank: Bank Deposit, Money Order, an
    order marked paid by hand), CASH (Cash on Delivery) or CHANNEL (any other: Shopify
    Payments, PayPal…, a channel whose statements pay the order)."""
    key = re.sub(r"[\s_-]+", " ", re.sub(r"\(.*?\)", "", gateway)).strip().lower()
    return _GATEWAYS.get(key, CHANNEL)


def paid_by(entry: data.Transaction) -> set[str]:
    """The kinds of the gateways an order's entry says paid it (none: not said)."""
    return {gateway_kind(g) for g in gateways(entry.meta.get(PAYMENT_METHOD, ""))}


def link(prefix: str, ident: str) -> str:
    """A Beancount link from a statement id (links allow only [A-Za-z0-9-_/.])."""
    return prefix + _NOT_IN_LINKS.sub("_", ident)


_NOT_IN_LINKS = re.compile(r"[^A-Za-z0-9\-_/.]")   # compiled once: re.sub's cache look-up was a third of a link


def order_key(order_id: str) -> str:
    """An order's id as its payments and the bank write it: shops write `#1001` where a
    payment says `1001`, so a leading `#` is not part of it."""
    return order_id.strip().lstrip("#")


def order_link(order_id: str) -> str:
    """The link that ties an order to its payments and refunds (order_key)."""
    return link("order-", order_key(order_id))


def channel_order_link(order_id: str, channel) -> str:
    """The order link of a channel's entry naming `order_id` (a payment, its fee, its
    refund): the one the payment carries once routed to its shop (to_receivable), so
    that every entry of the order shares it: `T200P3505…` is Taobao order `3505…`."""
    return order_link(order_in(order_id, channel.order_pattern) or order_id)


# Alipay writes a Taobao/Tmall order's number after `T200P` in 商户订单号 (FORMATS §8b);
# the shop's export writes the number alone.
TAOBAO_ORDER = re.compile(r"T200P(\d{6,})")
# The forms in which a reference names a marketplace's order by itself, whatever channel
# or wallet carries it, and the type of shop whose order it is: a merchant's 商户订单号
# and a personal bill's 商家订单号 write a Taobao order alike (blind33: on a personal
# wallet it is no number of the wallet's own). One rule for routing (order_in) and for
# the shops that judge a payment naming an order none holds (order_shops).
PLATFORM_ORDERS = ((TAOBAO_ORDER, "taobao"),)


def platform_order(text: str | None) -> tuple[str, str] | None:
    """(the order number, the type of shop whose order it is) where `text` is in a
    marketplace's own form (PLATFORM_ORDERS), else None."""
    for form, shop_type in PLATFORM_ORDERS if text else ():
        found = form.fullmatch(text)
        if found:
            return found.group(1), shop_type
    return None


def named_order(entry: data.Transaction, pattern: re.Pattern | None) -> str | None:
    """The shop order a channel entry pays: the order its `order-id` names (order_in),
    or with the channel's `order_pattern`, else the one its narration names, else, of
    an entry undoing a refund or payment (undoes_order), its `order-id` as it is."""
    order_id = entry.meta.get("order-id")
    if pattern is None:
        return order_in(order_id, None)
    return order_in(order_id, pattern) or order_in(entry.narration, pattern) or undoes_order(entry.meta)


def undoes_order(meta) -> str | None:
    """The `order-id` of an entry that undoes a refund or payment it names (REFUND_FAILED,
    PAYMENT_FAILED: Stripe's failures), where it has one: the order of the refund or
    payment it undoes (statements/refund_orders.py), or the one its own description
    names, the channel's `order_pattern` applied already where the description was read
    (description_order). A failure's text (`REFUND FAILURE`) is not where the pattern
    finds it: it goes where the refund went."""
    order_id = meta.get("order-id")
    if order_id and any(meta.get(key) not in (None, "", NOT_STATED) for key in (REFUND_FAILED, PAYMENT_FAILED)):
        return order_id
    return None


def order_in(text: str | None, pattern: re.Pattern | None) -> str | None:
    """The order `text` names: with `order_pattern`, the pattern's group; else all of
    it, but a Taobao order's number where Alipay wrote `T200P<number>`."""
    if not text:
        return None
    if pattern is None:
        named = platform_order(text)
        return named[0] if named else text
    found = pattern.search(text)
    return found.group(1) if found and found.group(1) else None


# How a checkout writes the order into a charge's description where nothing else
# carries it (Stripe's balance transactions): `Order 1001`, `Order #000123 by Jo`,
# `My Store - Order W20260105001`, `REFUND FOR CHARGE (Order 1001)`, `order no. 1001`.
# The id has a digit: "Order from our shop" names none.
DESCRIBED_ORDER = re.compile(r"(?i)\border\b\s*(?:no\.?|number|id)?\s*[#:\-]?\s*"
                             r"(?=[A-Za-z_-]*\d)([A-Za-z0-9][A-Za-z0-9_-]*)")


def description_order(source, description: str) -> str:
    """The order a sale's description names where only it does (a Stripe balance
    transaction, an Airwallex transaction), as its `order-id`: the id alone, found by the
    channel's `order_pattern`, else as checkouts write it (DESCRIBED_ORDER); '' where it
    names none. Not the description: findings' refs hold the order-id, and refs hold ids
    (blind5: `Subscription cus_0011K7597 - Invoice INV-2026-0035` was one). A pattern
    with words around the id (`Order (\\w+)`) finds it again in the narration, which is
    the description (named_order)."""
    pattern = source.order_pattern
    if pattern is None:
        return described_order(description) or ""
    return order_in(description, pattern) or ""


def described_order(description: str) -> str | None:
    """The order a free-text description names (DESCRIBED_ORDER), where no
    `order_pattern` says how the channel names them."""
    found = DESCRIBED_ORDER.search(description or "")
    return found.group(1) if found else None


# -- which shop's orders a payment pays (DESIGN.md §1, §3) ---------------------------

def payment_shops(config, channel) -> tuple[str, ...]:
    """The shops whose receivable a channel's payments may clear: its `shop:`, none with
    `shop: none` (its payments pay no shop: they stay its sales), else every shop in the
    config. ChannelSales (ledger/checks/orders.py) follows sales by the same rule, and
    the order checks name the channels that may pay a shop by it (payers)."""
    if channel.no_shop:
        return ()
    return (channel.shop,) if channel.shop else tuple(config.shops)


def order_shops(config, channel, entry: data.Transaction) -> tuple[str, ...]:
    """The shops whose exports should hold the order a sale of the channel names, where
    none holds it (a payment-without-order is judged by them, ledger/checks/orders.py
    `unrouted`): an order in a marketplace's own form (`T200P<number>`) is an order of
    the channel's shops of that type; one the channel's `order_pattern` finds, or its
    order id, of any of its shops. A personal wallet's order id names an order only in
    such a form or by its `order_pattern`: its own numbers (a 收钱码's, a collection's
    商家订单号) name none, and where the config has no shop of the form's type, neither
    does the form (the wallet's Taobao store is not in the config)."""
    shops = payment_shops(config, channel)
    wallet = channel.type in WALLET_TYPES
    if channel.order_pattern is not None:
        return shops if named_order(entry, channel.order_pattern) else ()
    named = platform_order(entry.meta.get("order-id"))
    if named is not None:
        typed = tuple(s for s in shops if config.shops[s].type == named[1])
        if typed or wallet:
            return typed
    return () if wallet else shops


def placed_by_books(config, channel) -> bool:
    """Whether only the shops' books can say which shop's order a payment of the channel
    pays (shop_for): several shops and no `shop:`, or a personal wallet (neither with
    `shop: none`)."""
    return not channel.shop and not channel.no_shop and (len(config.shops) > 1 or channel.type in WALLET_TYPES)
