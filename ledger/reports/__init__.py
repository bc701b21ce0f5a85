"""The reconciliation report of a period: the library (period), its renderings, the command."""
