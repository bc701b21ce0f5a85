"""No bank line stays unexplained: every posting left in `Assets:Suspense` is a
`bank-unmatched` finding (a Beancount error when its severity is error, or when its
amount reaches `review_threshold`).

    plugin "beanclear.plugins.suspense" "../config.yaml"

    2026-03-09 * "某某科技有限公司" "转账"
      id: "20260309000077"
      Assets:Bank:ICBC        8000.00 CNY
      Assets:Suspense        -8000.00 CNY

The logic is the library's: beanclear.checks.suspense.
"""

from beanclear.checks.reconcile import run_plugin

__plugins__ = ("suspense",)


def suspense(entries, options_map, config_path=None):
    return run_plugin(entries, options_map, config_path, ("suspense",))
