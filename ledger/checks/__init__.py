"""The checks: one module per rule (clearing, suspense, fees, refunds, orders, fx), the
findings they report and the policy that gives each its severity (findings.py), the
acknowledgments a person wrote (acks.py), the one call that runs them all
(reconcile.py), the report `beanclear check` and the Fava page show (checking.py), and the
balance assertions a missing statement breaks, held for bean-check and Fava (held.py)."""
