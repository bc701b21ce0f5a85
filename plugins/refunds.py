"""Refunds stay within the limits in config.yaml (`refund-rate`, `refund-surge`), and no
payment is refunded more than it took (`refund-unsynced`: beanclear.checks.refunded_beyond).

    plugin "beanclear.plugins.refunds" "../config.yaml"

With `refund-rate: {max: 0.10, days: 7}`, a week of 1,000.00 CNY sales with 150.00 CNY
refunded is `refund-rate` (15.0 %). The logic is the library's: beanclear.checks.refunds.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("refunds",)


def refunds(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("refunds",))
