"""Beancount plugins: the reconciliation checks."""
