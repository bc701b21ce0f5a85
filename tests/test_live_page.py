"""The Reconciliation page shows the last fetch per channel from the status file that
`beanclear fetch` and `serve` keep beside the config; without one it shows nothing new."""

from __future__ import annotations

import json

import pytest

from beanclear.live import status
from fava_util import PAGE, copy_of

fava_application = pytest.importorskip("fava.application")


def test_last_fetch_per_channel_on_the_reconciliation_page(demo_copy, tmp_path):
    merchant = copy_of(demo_copy(problems=False), tmp_path / "m")
    app = fava_application.create_app([merchant / "books" / "main.beancount"], load=True)
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]

    def _page(merchant) -> str:   # the status is read on every request: no reload needed
        response = client.get(f"/{slug}/{PAGE}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Last fetch" not in _page(merchant)
    path = merchant / ".beanclear-live.json"
    status.update(path, "wechat", state="ok", last_ok="2026-03-30")
    status.update(path, "stripe", state="failed", error="Stripe failed with HTTP 500 (after 5 tries)",
                  last_event={"id": "evt_1", "type": "payout.paid", "at": "2026-03-31T01:00:00+00:00"},
                  unknown_events=["evt_2 climate.order.delayed"])
    assert json.loads(path.read_text())["sources"]["wechat"]["last_ok"] == "2026-03-30"
    page = _page(merchant)
    assert "Last fetch" in page
    stripe_row = page.split('class="bc-fetch-row" data-source="stripe"')[1].split("</tr>")[0]
    assert "failed" in stripe_row and "HTTP 500" in stripe_row and "payout.paid" in stripe_row
    wechat_row = page.split('class="bc-fetch-row" data-source="wechat"')[1].split("</tr>")[0]
    assert "2026-03-30" in wechat_row and "status-green" in wechat_row
