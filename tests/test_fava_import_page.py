"""Fava's own Import page on the books beanclear creates (fava_page/ingest.py), through
Fava's application and its JSON API as the page calls it: the books declare the import
config; the page lists the statements with beanclear's importers; "Extract" imports the
file through `beanclear import` (the same bytes in the books) and leaves Fava nothing to
save; a bad file, a file outside statements/ or a request from another site writes nothing."""

from __future__ import annotations

import io
import shutil

import pytest

from conftest import TRADE, beanclear, snapshot

fava_application = pytest.importorskip("fava.application")
from test_fava_page import Fava  # noqa: E402

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}   # what a browser adds to the page's own fetch


def started(folder):
    assert beanclear(folder, "import", str(folder / "statements" / "bank.csv")).exit_code == 0
    return folder


@pytest.fixture
def twins(merchant, tmp_path_factory):
    other = tmp_path_factory.mktemp("twin") / "merchant"
    shutil.copytree(merchant, other)
    return started(merchant), started(other)


def extract(fava, path, importer, **headers):
    return fava.client.get(f"/{fava.slug}/api/extract", query_string={"filename": str(path), "importer": importer},
                           headers=headers)


def test_fava_lists_the_statements_and_extract_imports_through_beanclear(twins):
    by_cli, by_fava = twins
    main = (by_fava / "books" / "main.beancount").read_text(encoding="utf-8")
    assert '2000-01-01 custom "fava-option" "import-config" "fava_import.py"' in main
    assert '2000-01-01 custom "fava-option" "import-dirs" "../statements"' in main
    fava = Fava(by_fava)
    listed = fava.client.get(f"/{fava.slug}/api/imports").get_json()["data"]
    importers = {item["basename"]: [i["importer_name"] for i in item["importers"]] for item in listed}
    assert importers[TRADE] == ["beanclear.wechat.wechat-trade-bill"]
    assert importers["bank.csv"] == ["beanclear.ops.bank-csv"]

    trade = by_fava / "statements" / TRADE
    assert beanclear(by_cli, "import", str(by_cli / "statements" / TRADE)).exit_code == 0
    response = extract(fava, trade, "beanclear.wechat.wechat-trade-bill", **SAME_ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["data"] == []   # nothing for Fava's own writer to save
    assert snapshot(by_fava / "books") == snapshot(by_cli / "books")
    again = extract(fava, trade, "beanclear.wechat.wechat-trade-bill", **SAME_ORIGIN)
    assert again.status_code == 200 and snapshot(by_fava / "books") == snapshot(by_cli / "books")


@pytest.mark.parametrize("case", ["bad-file", "outside", "other-site", "no-header"])
def test_a_refused_extract_writes_nothing(twins, tmp_path_factory, case):
    merchant, _ = twins
    fava = Fava(merchant)
    before = snapshot(merchant / "books")
    trade, importer, headers = merchant / "statements" / TRADE, "beanclear.wechat.wechat-trade-bill", SAME_ORIGIN
    if case == "bad-file":   # the trade bill's header, then a row whose amount is not one
        lines = trade.read_text(encoding="utf-8").splitlines()
        bad = merchant / "statements" / "bad.csv"
        bad.write_text("\n".join([*lines[:2], lines[1].replace("`0.01", "`abc")]) + "\n", encoding="utf-8")
        response = extract(fava, bad, importer, **headers)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"].startswith(f"{bad}:3: ")
    elif case == "outside":
        elsewhere = tmp_path_factory.mktemp("elsewhere") / TRADE
        shutil.copy(trade, elsewhere)
        response = extract(fava, elsewhere, importer, **headers)
        assert response.status_code == 403 and "not under" in response.get_json()["error"]
    elif case == "other-site":
        response = extract(fava, trade, importer, **{"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403
    else:
        response = extract(fava, trade, importer)
        assert response.status_code == 403
    assert snapshot(merchant / "books") == before


def test_read_only_fava_imports_nothing(twins):
    merchant, _ = twins
    app = fava_application.create_app([merchant / "books" / "main.beancount"], load=True, read_only=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    before = snapshot(merchant / "books")
    response = client.get(f"/{slug}/api/extract", headers=SAME_ORIGIN, query_string={
        "filename": str(merchant / "statements" / TRADE), "importer": "beanclear.wechat.wechat-trade-bill"})
    assert response.status_code == 401 and "read-only" in response.get_json()["error"]
    upload = client.post(f"/{slug}/extension/Reconciliation/upload", headers={"Origin": "http://localhost"},
                         data={"statement": [(io.BytesIO((merchant / "statements" / TRADE).read_bytes()), TRADE)]},
                         content_type="multipart/form-data")
    assert upload.status_code == 401
    assert snapshot(merchant / "books") == before
