"""Every order a shop exported is paid once, for its amount, and refunds meet
(`order-unpaid`, `payment-without-order`, `amount-mismatch`, `duplicate-charge`,
`refund-unsynced`).

    plugin "beanclear.plugins.orders" "../config.yaml"

With `shops: {shopify: {type: shopify, order_days: 3}}` and a channel whose payments
pay that shop's orders (`shop: shopify`):

    2026-03-01 * "Order #1001" ^order-1001
      id: "order:#1001"
      order-id: "#1001"
      Assets:Receivable:Shopify     100.00 CNY
      Income:Sales:Shopify         -100.00 CNY

with no channel payment linked `^order-1001` by the last statement date, 2026-03-10,
is `order-unpaid`; a payment of 90.00 is `amount-mismatch`; two payments of 100.00 are
`duplicate-charge`. The logic is the library's: beanclear.checks.orders.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("orders",)


def orders(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("orders",))
