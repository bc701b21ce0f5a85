"""The page's open items in clearing are the clearing check's own pairing, reused from
the load (Load.remainders: what each channel's account still holds once payouts and
refunds took their part), not the check run again at a later horizon: the same items,
one pass fewer."""

from __future__ import annotations

from beanclear.checks import checking, reconcile
from beanclear.config import load as load_config
from beanclear.fava_page import overview


def test_open_items_from_the_loads_remainders_are_those_of_the_check_run_again(demo_built):
    config = load_config(demo_built().config.root / "config.yaml")
    entries, errors, options = checking.load_books(config)
    load = reconcile.stored_load(options, config)
    findings = checking.report(entries, errors, config, options, load).findings
    as_of = load.as_of(entries)
    assert set(load.remainders) == set(config.channels)
    reused = overview.open_items(entries, config, findings, as_of, load)
    load.remainders = None   # as a load that kept none: the check run again, a century later
    again = overview.open_items(entries, config, findings, as_of, load)
    assert reused == again
    clearing = [o for name in config.channels for o in reused[name] if o.stage == "clearing"]
    assert any(o.count for o in clearing)   # (the demo holds money in clearing at its end)
