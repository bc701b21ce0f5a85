"""Entries as text: the shortcuts render.py takes for the usual value give the text the
general rule gives."""

from __future__ import annotations

import pytest

from beanclear.books import render


def slow_quote(text: str) -> str:   # render.quote() without its shortcut
    # (bytes a file name could not decode, kept as surrogates, are written \xNN: undecoded_as_escapes)
    flat = " ".join(render.undecoded_as_escapes(str(text)).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("text", ["Order S1 / for testing", "", " lead", "trail ", "a  b", "a\u3000b", "a\tb",
                                  'say "hi"', "back\\slash", "line\nbreak", "nbsp\u00a0x", "订单 S1 / 商品"])
def test_quote_as_the_general_rule(text):
    assert render.quote(text) == slow_quote(text)


def test_quote_as_the_general_rule_on_any_text():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import given, settings, strategies as st

    @given(st.text(alphabet=st.one_of(st.sampled_from(' \t\n\u3000\u00a0\u2028"\\'), st.characters()), max_size=30))
    @settings(max_examples=500, deadline=None)
    def same(text):
        assert render.quote(text) == slow_quote(text)
    same()


def test_bidi_overrides_given_by_a_person_never_reach_the_books():
    # blind33 hostile: a U+202E in a memo or a --reason showed the line reversed in git diff and Fava
    from beanclear.books.render import quote_exact
    assert quote_exact("\u202erent 100") == '" rent 100"'
    assert quote_exact("paid \u2067x\u2069") == '"paid  x "'
    assert quote_exact("\u200e一般") == '"\u200e一般"'   # must not: a mark, no override, stays
