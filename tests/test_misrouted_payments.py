"""A channel whose payments go to the wrong shop, or to the only shop left where the shop
they pay is not in the config: one cause, one finding naming it, not a
payment-without-order for each payment (blind19 misconfig #6: `channels.alipay.shop: mini`
where Alipay pays Taobao was 306 payment-without-order, 250 order-unpaid and a
statement-gap; the mini shop left out of the config, 250 payment-without-order)."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile
from beanclear.checks.findings import FindingError

OPEN = "".join(f"2000-01-01 open {a}\n" for a in (
    "Assets:Clearing:Alipay", "Expenses:Fees:Alipay", "Income:Sales:Alipay",
    "Assets:Clearing:WeChat", "Expenses:Fees:WeChat", "Income:Sales:WeChat",
    "Assets:Receivable:Taobao", "Income:Sales:Taobao", "Assets:Receivable:Mini", "Income:Sales:Mini"))


def order(shop, name, day, amount="100.00"):
    return f"""
2026-03-{day:02d} * "Order {name}" ^order-{name}
  id: "order:{name}"
  order-id: "{name}"
  Assets:Receivable:{shop}   {amount} CNY
  Income:Sales:{shop}       -{amount} CNY
"""


def payment(channel, shop, name, tx, day, amount="100.00"):
    clearing = {"alipay": "Alipay", "wechat": "WeChat"}[channel]
    return f"""
2026-03-{day:02d} * "Order {name}" ^order-{name}
  id: "{tx}"
  order-id: "{name}"
  Assets:Clearing:{clearing}      {amount} CNY
  Assets:Receivable:{shop}  -{amount} CNY
"""


TAOBAO = [f"34854608800000000{n:02d}" for n in range(1, 21)]   # 19 digits, as Taobao writes them
MINI = [f"WX202603{n:02d}001" for n in range(1, 21)]


def check(tmp_path, config, *parts):
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(config), encoding="utf-8")
    text = f'plugin "beanclear.plugins.orders" "{path}"\n' + OPEN + "".join(parts)
    entries, errors, _ = loader.load_string(text)
    assert not [e for e in errors if not isinstance(e, FindingError)]
    return reconcile.find(entries, config_mod.load(path))


TWO_SHOPS = """\
channels:
  alipay: {type: alipay, settlement_days: 400, shop: %s}
  wechat: {type: wechat, settlement_days: 400, shop: mini}
shops:
  taobao: {type: taobao, order_days: 3}
  mini: {type: orders-csv, order_days: 3}
checks:
  refund-rate: {severity: off}
  review_threshold: 500
"""


def two_shops(alipay_pays=range(20), strays=()):
    """Taobao's and the mini shop's orders of 03-01 to 03-20, WeChat paying the mini shop's;
    Alipay paying the Taobao orders `alipay_pays` into the mini shop's receivable (its
    `shop: mini`), and the mini shop's orders `strays` paid by no export's order."""
    parts = []
    for n in range(20):
        parts.append(order("Taobao", TAOBAO[n], n + 1))
        parts.append(order("Mini", MINI[n], n + 1, "50.00"))
        parts.append(payment("wechat", "Mini", MINI[n], f"4200-{n}", n + 1, "50.00"))
    parts += [payment("alipay", "Mini", TAOBAO[n], f"2088-{n}", n + 1) for n in alipay_pays]
    return parts


def test_a_channel_paying_another_shops_orders_is_one_finding_naming_its_shop_key(tmp_path):
    found = check(tmp_path, TWO_SHOPS % "mini", *two_shops([n for n in range(20) if n != 9]))
    # Taobao's 10th order was never paid (a genuine order-unpaid, said as before); the 19
    # Alipay payments of Taobao's orders, booked to the mini shop, are one finding
    assert sorted(f.code for f in found) == ["order-unpaid", "payment-without-order"]
    [unpaid] = [f for f in found if f.code == "order-unpaid"]
    assert unpaid.refs[0] == TAOBAO[9]
    [wrong] = [f for f in found if f.code == "payment-without-order"]
    assert (wrong.source, wrong.account, wrong.amount, wrong.currency, wrong.date) == (
        "alipay", "Assets:Receivable:Mini", Decimal("1900.00"), "CNY", dt.date(2026, 3, 1))
    assert wrong.refs == tuple(f"2088-{n}" for n in range(20) if n != 9)
    assert wrong.severity == "error"   # 1,900.00: at least review_threshold, as one sum
    assert wrong.message.startswith(
        "19 payment(s) of alipay (1,900.00 CNY) from 2026-03-01 to 2026-03-20 name orders of taobao (its exports "
        f"hold {TAOBAO[0]}, …), not of mini: `channels.alipay.shop: mini` sends them to mini; set "
        "`channels.alipay.shop: taobao`, then rebuild the books")
    assert "beanclear import" in wrong.message


def test_with_no_other_channel_paying_the_shop_its_orders_are_one_gap_too(tmp_path):
    # the repro: no WeChat statement, Alipay's payments all to the mini shop; the mini shop's
    # orders are then paid by nothing in the books: one statement-gap, not one order each
    parts = [order("Taobao", TAOBAO[n], n + 1) + order("Mini", MINI[n], n + 1, "50.00")
             + payment("alipay", "Mini", TAOBAO[n], f"2088-{n}", n + 1) for n in range(20)]
    found = check(tmp_path, TWO_SHOPS.replace("  wechat: {type: wechat, settlement_days: 400, shop: mini}\n", "")
                  % "mini", *parts)
    assert sorted((f.code, f.source) for f in found) == [("payment-without-order", "alipay"),
                                                         ("statement-gap", "mini")]


ONE_SHOP = """\
channels:
  alipay: {type: alipay, settlement_days: 400}
  wechat: {type: wechat, settlement_days: 400}
shops:
  taobao: {type: taobao, order_days: 3}
checks:
  refund-rate: {severity: off}
"""


def test_payments_of_a_shop_missing_from_the_config_are_one_finding(tmp_path):
    # the mini shop taken out of the config, its export not imported: WeChat's payments go
    # to the only shop left, whose orders are written otherwise
    parts = [order("Taobao", TAOBAO[n], n + 1) + payment("alipay", "Taobao", TAOBAO[n], f"2088-{n}", n + 1)
             + payment("wechat", "Taobao", MINI[n], f"4200-{n}", n + 1, "50.00") for n in range(20)]
    found = check(tmp_path, ONE_SHOP, *parts)
    [missing] = found
    # counted where the exports cover the payment (03-04, order_days after the first order,
    # to 03-19); written unlike the shop's orders, those of the days around are none of its either
    assert (missing.code, missing.source, missing.account, missing.amount, missing.date) == (
        "payment-without-order", "wechat", "Assets:Receivable:Taobao", Decimal("1000.00"), dt.date(2026, 3, 1))
    assert missing.refs == tuple(f"4200-{n}" for n in range(20))
    assert missing.message.startswith(
        f"20 payment(s) of wechat (1,000.00 CNY) from 2026-03-01 to 2026-03-20 name orders no shop's exports hold, "
        f"written unlike taobao's ({MINI[0]} beside taobao's {TAOBAO[0]}): taobao is the only shop in the config, "
        "so wechat's payments go to it; the shop they pay is missing from `shops:`, or its orders export is not "
        "imported")


def test_a_few_payments_without_order_among_a_channels_own_stay_findings_of_their_own(tmp_path):
    # must not fire: Alipay pays Taobao's orders, and three payments name orders the
    # exports do not hold, written like Taobao's or not: each is its own finding
    parts = [order("Taobao", TAOBAO[n], n + 1) + payment("alipay", "Taobao", TAOBAO[n], f"2088-{n}", n + 1)
             for n in range(20)]
    odd = [payment("alipay", "Taobao", "3485460880000009999", "2088-x", 6),
           payment("alipay", "Taobao", "WX20260307001", "2088-y", 7),
           payment("alipay", "Taobao", "WX20260308001", "2088-z", 8)]
    found = check(tmp_path, ONE_SHOP, *parts, *odd)
    assert [(f.code, f.refs[0]) for f in found] == [("payment-without-order", t) for t in ("2088-x", "2088-y", "2088-z")]
    # nor two payments of a channel that pays nothing else (fewer than a cause's three)
    found = check(tmp_path, ONE_SHOP, *parts, *(payment("wechat", "Taobao", MINI[n], f"4200-{n}", n + 1)
                                                 for n in (5, 6)))
    assert [(f.code, f.source) for f in found] == [("payment-without-order", "taobao")] * 2
    # nor three of another shop's orders among the many of its own shop a channel pays
    parts = [order("Taobao", TAOBAO[n], n + 1) + order("Mini", MINI[n], n + 1, "50.00")
             + payment("wechat" if n % 2 else "alipay", "Mini", MINI[n], f"42-{n}", n + 1, "50.00")
             for n in range(20)]
    parts += [payment("alipay", "Mini", TAOBAO[n], f"2088-{n}", n + 4) for n in range(3)]
    found = check(tmp_path, TWO_SHOPS % "mini", *parts)
    assert sorted(f.refs[0] for f in found if f.code == "payment-without-order") == ["2088-0", "2088-1", "2088-2"]
    assert not [f for f in found if "shop: taobao" in f.message]


def test_payments_written_like_another_shops_orders_name_that_shop(tmp_path):
    # WeChat's `shop: taobao` (it pays the mini shop): the mini shop's exports hold other
    # orders than those its payments name (an export of other days), written the same way
    parts = [order("Taobao", TAOBAO[n], n + 1) + payment("alipay", "Taobao", TAOBAO[n], f"2088-{n}", n + 1)
             + order("Mini", f"WX202602{n + 1:02d}001", n + 1, "50.00")
             + payment("wechat", "Taobao", MINI[n], f"4200-{n}", n + 1, "50.00") for n in range(20)]
    config = TWO_SHOPS.replace("shop: %s}", "}").replace("shop: mini}", "shop: taobao}")
    found = [f for f in check(tmp_path, config, *parts) if f.code == "payment-without-order"]
    [misrouted] = found
    assert misrouted.source == "wechat" and misrouted.amount == Decimal("1000.00")
    assert ("`channels.wechat.shop: taobao` sends them to taobao; they are written like mini's: set "
            "`channels.wechat.shop: mini`, or import mini's export of those days") in misrouted.message


def test_payments_holding_the_shops_order_ids_name_the_order_pattern(tmp_path):
    # WeChat writes `WX20260301001-1` (an attempt's suffix) and no order_pattern cuts the
    # order id from it: every payment names no order of the mini shop, one cause
    parts = [order("Mini", MINI[n], n + 1, "50.00") + payment("wechat", "Mini", MINI[n] + "-1", f"4200-{n}", n + 1, "50.00")
             for n in range(20)]
    config = TWO_SHOPS.replace("  alipay: {type: alipay, settlement_days: 400, shop: %s}\n", "").replace(
        "  taobao: {type: taobao, order_days: 3}\n", "")
    found = check(tmp_path, config, *parts)
    [misnamed] = found   # the orders they hold with them, unpaid for this one cause
    assert misnamed.message.startswith(
        f"20 payment(s) of wechat (1,000.00 CNY) from 2026-03-01 to 2026-03-20 name orders no shop's exports hold, "
        f"but hold mini's order ids ({MINI[0]} in {MINI[0]}-1): `channels.wechat.shop: mini` sends them to mini; "
        "say how its payments name the orders, `channels.wechat.order_pattern`")
