"""Clearing and transit accounts come back to zero in time.

    plugin "beanclear.plugins.clearing" "../config.yaml"

With a channel settling T+1 and paying out to a bank within 2 days:

    2026-03-01 * "Order 1001"
      id: "4200…01"
      Assets:Clearing:WeChat     99.40 CNY
      Expenses:Fees:WeChat        0.60 CNY
      Income:Sales:WeChat      -100.00 CNY

    2026-03-02 * "WeChat Pay" "Withdrawal 提现" ^payout-77
      id: "77"
      Assets:Transit:WeChat      99.40 CNY
      Assets:Clearing:WeChat    -99.40 CNY

and no bank credit of 99.40 by the last statement date, 2026-03-10, this reports
`payout-missing` (payout 77 is 8 days late); without the withdrawal it reports
`unsettled` (99.40 CNY still in clearing). Findings whose severity is error become
Beancount errors; the config (path relative to this ledger file) sets deadlines
and severities. The logic is the library's: beanclear.checks.clearing.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("clearing",)


def clearing(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("clearing",))
