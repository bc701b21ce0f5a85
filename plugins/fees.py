"""Every fee a channel charged matches the contract in config.yaml (`fee-gap`).

    plugin "beanclear.plugins.fees" "../config.yaml"

With `fees: [{rate: 0.006, min: 0.01}]`, a payment of 100.00 CNY charged 1.00 CNY is
`fee-gap` (expected 0.60, gap 0.40). The logic is the library's: beanclear.checks.fees.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("fees",)


def fees(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("fees",))
