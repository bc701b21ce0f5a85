"""Every applied FX rate is near the reference rate of its day (`fx-gap`).

    plugin "beanclear.plugins.fx" "../config.yaml"

With `2026-01-05 price USD 7.1234 CNY` in prices.beancount, a conversion posted as
`-100.00 USD @ 7.0500 CNY` (or a transaction with `fx-pair: "USD/CNY"` and
`fx-rate: "7.0500"`) is 103 bps off: `fx-gap` of 7.34 CNY, beyond the default
tolerance of 50 bps (`checks.fx-gap.tolerance_bps`). The logic is the library's:
beanclear.checks.fx.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("fx",)


def fx(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("fx",))
