"""The reconciliation as one library call: every finding of the books, with its
severity. The plugins, `beanclear check` and (later) the Fava page all come here."""

from __future__ import annotations

import datetime as dt
import gc
import os
from contextlib import contextmanager
from functools import lru_cache

from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from beanclear.checks import acks, clearing, fees, fx, orders, refunds, suspense
from beanclear.books import atomic
from beanclear.config import ConfigError, load
from beanclear.checks.findings import Finding, apply_policy, as_errors
from beanclear.resolve import state as resolve_state

CHECKS = {"clearing": clearing.findings, "suspense": suspense.findings, "fees": fees.findings,
          "refunds": refunds.findings, "orders": orders.findings, "fx": fx.findings}


def as_of(entries) -> dt.date:
    """The last statement date in the books: the newest imported transaction."""
    latest = None
    for entry in entries:
        if isinstance(entry, data.Transaction) and (latest is None or entry.date > latest):
            if "id" in entry.meta:
                latest = entry.date
    return latest or dt.date.today()


@contextmanager
def collector_paused():
    """Python's cycle collector off for a while. The checks build no reference cycles
    (what they make is freed as it goes), but each full collection walks every object
    of the loaded books: on a million orders those walks cost more than the checks."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def find(entries, config, checks=tuple(CHECKS)) -> list[Finding]:
    """The findings of the named checks, acknowledged where the books say so, with
    severities from the config. Unused acknowledgments are reported only when every
    check ran (a single check cannot tell whether another one needs them)."""
    with collector_paused():
        when = as_of(entries)
        index = None
        if {"clearing", "suspense"} & set(checks):
            watched = {config.suspense}
            for ch in config.channels.values():
                watched |= {ch.accounts.clearing, ch.accounts.transit}
            index = clearing.postings_by_account(entries, watched)
        out = []
        for name in checks:
            out += [replace(f, check=name) for f in CHECKS[name](entries, config, when, index)]
        out = acks.apply(out, entries, report_stale=set(checks) >= set(CHECKS))
        out = resolve_state.apply(out, entries)  # write-offs and follow-ups in the books
        return apply_policy(out, config)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float):
    return load(path)


def plugin_config(options_map, config_path: str | None):
    """The config a plugin line names, relative to the ledger file that names it."""
    base = os.path.dirname(options_map.get("filename") or "") if options_map else ""
    path = os.path.join(base, config_path or "../config.yaml")
    return _load_cached(os.path.abspath(path), os.path.getmtime(path) if os.path.exists(path) else 0.0)


class PluginConfigError(NamedTuple):
    source: dict
    message: str
    entry: None


STORE = "beanclear_findings"  # options_map key: this load's findings, computed once


def run_plugin(entries, options_map, config_path: str | None, checks: tuple[str, ...]):
    """The body of every beanclear plugin: the named checks' errors as Beancount errors.

    The first beanclear plugin of a load computes every check once and leaves the
    findings in the options map; the others, and `beanclear check`, take theirs from
    there. The first also reports unused acknowledgments (they belong to no check).
    The config file joins the load's includes, so Beancount's cache is refreshed when
    the config changes. A broken config is an error in the ledger, not a crash."""
    try:
        config = plugin_config(options_map, config_path)
    except (ConfigError, OSError) as exc:
        where = {"filename": (options_map or {}).get("filename", "<beanclear>"), "lineno": 0}
        return entries, [PluginConfigError(where, f"beanclear: {exc}", None)]
    stored = options_map.get(STORE)
    first = stored is None or stored[0] != (id(entries), len(entries))
    if first:
        stored = ((id(entries), len(entries)), find(entries, config))
        options_map[STORE] = stored
        includes = options_map.setdefault("include", [])
        if str(config.path) not in includes:
            includes.append(str(config.path))
    wanted = set(checks) | ({""} if first else set())
    errors = as_errors([f for f in stored[1] if f.check in wanted])
    books = os.path.dirname(options_map.get("filename") or "")
    if first and books and atomic.pending(Path(books)):
        # bean-check and Fava read the files as they are: never let them pass on a write
        # a crash cut short (any beanclear command rolls it back first).
        where = {"filename": options_map["filename"], "lineno": 0}
        errors.insert(0, PluginConfigError(where, "beanclear: these books are half-written (a write was interrupted "
                                           f"and {atomic.JOURNAL} is still there); run any beanclear command, e.g. "
                                           "`beanclear check`, to roll it back", None))
    return entries, errors


def stored_findings(options_map) -> list[Finding] | None:
    """The findings the plugins computed during a load, if they ran."""
    stored = (options_map or {}).get(STORE)
    return None if stored is None else stored[1]
