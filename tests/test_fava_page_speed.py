"""The page reuses what the plugins computed while Fava loaded the books, and runs the
matcher only when asked on large books (then once per load)."""

from __future__ import annotations

import re

from beanclear import fava_page, matching
from beanclear.checks import orders, reconcile, refunds, suspense, transit
from beanclear.fava_page import overview
from beanclear.matching import core as matching_core

from test_fava_page import Fava, demo, fava, merchant, rows  # noqa: F401 (the fixtures)


def test_the_first_render_reuses_the_loads_findings_index_and_series(fava, monkeypatch):
    calls = []
    indexes = [(reconcile, "indexed")] + [(m, "postings_by_account") for m in (transit, suspense, overview,
                                                                              matching_core)]
    for module, name in [(reconcile, "find"), (orders, "scan"), (refunds, "daily")] + indexes:
        monkeypatch.setattr(module, name, lambda *a, _n=name, **k: calls.append(_n))
    fava.page()
    fava.page("?interval=day")
    assert calls == []


def test_on_large_books_matching_runs_only_when_asked_then_once_per_load(fava, monkeypatch):
    monkeypatch.setattr(fava_page, "MATCH_ON_RENDER", 0)
    calls = []
    match = matching.match
    monkeypatch.setattr(matching, "match", lambda *a: calls.append(1) or match(*a))
    page = fava.page()
    assert calls == [] and rows(page, "bc-proposal") == [] and 'href="?match=1#review"' in page
    asked = fava.page("?match=1")
    assert calls == [1] and rows(asked, "bc-proposal")
    again = fava.page("?code=unsettled")   # kept for this load: shown, not computed again
    assert calls == [1] and rows(again, "bc-proposal") == rows(asked, "bc-proposal")


def test_small_books_show_the_proposals_on_the_first_render(fava):
    assert rows(fava.page(), "bc-proposal")



def items(page: str) -> list[str]:
    """The open items a match by hand offers (their search text)."""
    return re.findall(r'<label class="bc-item" data-text="([^"]*)"', page)


def test_on_large_books_the_open_items_for_a_match_by_hand_are_listed_when_asked(merchant, monkeypatch):
    """Collecting the open items walks the books (~1 s at 200,000 entries): each line's
    match-by-hand list is what the matcher gathered (Matched.by_hand), so on large books it
    waits for ?match=1, as the proposals do, and the books are walked once; small books
    list them on the first render."""
    from beanclear.matching import since
    listed = items(Fava(merchant).page())
    assert listed
    monkeypatch.setattr(fava_page, "MATCH_ON_RENDER", 0)
    calls = []
    collect = matching_core._collect
    monkeypatch.setattr(since.matching, "gather", lambda *a, **k: calls.append(1) or collect(*a, **k))
    monkeypatch.setattr(matching_core, "_collect", lambda *a, **k: calls.append("again"))   # never walked again
    fava = Fava(merchant)   # a new load of the books
    page = fava.page()
    assert calls == [] and items(page) == [] and "list the open items" in page
    asked = fava.page("?match=1")
    assert calls == [1] and items(asked) == listed
    fava.page("?code=bank-unmatched")   # kept for this load
    assert calls == [1]
