"""The reconciliation as one library call: every finding of the books, with its
severity. The plugins, `beanclear check` and (later) the Fava page all come here."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache

from beancount.core import data

from beanclear import clearing, suspense
from beanclear.config import load
from beanclear.findings import Finding, apply_policy

CHECKS = {"clearing": clearing.findings, "suspense": suspense.findings}


def as_of(entries) -> dt.date:
    """The last statement date in the books: the newest imported transaction."""
    latest = None
    for entry in entries:
        if isinstance(entry, data.Transaction) and (latest is None or entry.date > latest):
            if "id" in entry.meta:
                latest = entry.date
    return latest or dt.date.today()


def find(entries, config, checks=tuple(CHECKS)) -> list[Finding]:
    """The findings of the named checks, with severities from the config applied."""
    when = as_of(entries)
    watched = {config.suspense}
    for ch in config.channels.values():
        watched |= {ch.accounts.clearing, ch.accounts.transit}
    index = clearing.postings_by_account(entries, watched)
    out = []
    for name in checks:
        out += CHECKS[name](entries, config, when, index)
    return apply_policy(out, config)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float):
    return load(path)


def plugin_config(options_map, config_path: str | None):
    """The config a plugin line names, relative to the ledger file that names it."""
    base = os.path.dirname(options_map.get("filename") or "") if options_map else ""
    path = os.path.join(base, config_path or "../config.yaml")
    return _load_cached(os.path.abspath(path), os.path.getmtime(path))
