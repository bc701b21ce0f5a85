"""Importers that read a statement past STREAM_FROM as a stream (its rows never held,
read again for each pass that decides the file's conventions) give what they give for
the file read whole: the same entries, notes, skips and row count."""

import pytest

from beanclear.books import idset, spill
from beanclear.importers import pingpong, stripe_balance_csv, stripe_fees, stripe_payments
from beanclear.importers.toolkit import text
from channel_util import CHANNELS, DATA, run
from conftest import SAMPLES, sample_case

FILES = [
    sample_case(stripe_fees, "stripe", SAMPLES / "stripe_csv" / "kostagit-stripe-application-fees-eu-decimal.csv"),
    sample_case(stripe_balance_csv, "stripe", SAMPLES / "stripe_csv" / "hledger-stripe-balance_change_from_activity.csv"),
    (stripe_payments, "stripe", DATA / "stripe" / "unified_payments.csv"),
    (pingpong, "pingpong", DATA / "pingpong" / "export.csv"),
]


@pytest.mark.parametrize("module, channel, path", FILES, ids=lambda x: getattr(x, "name", None))
def test_streamed_as_read_whole(make_config, monkeypatch, module, channel, path):
    cfg = make_config(CHANNELS)
    whole = run(module, cfg, channel, path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", 5)
    monkeypatch.setattr(spill, "LIMIT", 3)          # entries and balance rows on disk past three
    monkeypatch.setattr(idset, "LIMIT_IDS", 2)
    assert text.text_stream(path) is not None
    streamed = run(module, cfg, channel, path)
    assert whole.rows > 0
    assert (list(streamed.entries), streamed.notes, streamed.skipped, streamed.rows) == \
        (list(whole.entries), whole.notes, whole.skipped, whole.rows)
