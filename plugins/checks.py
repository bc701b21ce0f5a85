"""Every reconciliation check from one plugin line: what `beanclear init` writes.

    plugin "beanclear.plugins.checks" "../config.yaml"

is the six lines of the single checks (clearing, suspense, fees, refunds, orders, fx),
in that order, as one: the same findings, the same errors. One line costs one plugin
run where six cost six: Beancount sorts the whole books again after every plugin line
(0.015 s a line on 145,000 entries). Books that want only some of the checks list
their own lines instead (each runs its check and nothing more).
"""

from beanclear.checks.reconcile import CHECKS, run_plugin

__plugins__ = ("checks",)


def checks(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, tuple(CHECKS))
