"""The upload box of the Reconciliation page in a real browser (Chromium): files chosen
in it are imported as `beanclear import` imports them, and a bad file's `name:line:`
message is shown. The endpoint itself: test_fava_upload.py."""

from __future__ import annotations

import shutil
import urllib.parse

import pytest

from conftest import TRADE, beanclear, sample, snapshot
from test_fava_browser import browser, fava_server, open_page, severe_errors, wait_for  # noqa: F401 (fixture)

from selenium.webdriver.common.by import By  # noqa: E402  (test_fava_browser skipped the module without it)


@pytest.fixture
def twins(merchant, tmp_path_factory):
    other = tmp_path_factory.mktemp("twin") / "merchant"
    shutil.copytree(merchant, other)
    for folder in (merchant, other):
        (folder / "statements" / TRADE).unlink()
        assert beanclear(folder, "import", str(folder / "statements" / "bank.csv")).exit_code == 0
    return merchant, other


def result_text(driver) -> str:
    return driver.find_element(By.ID, "beanclear-upload-result").text


def test_files_chosen_on_the_page_are_imported_as_the_command_line_imports_them(twins, browser, tmp_path):
    by_page, by_cli = twins
    trade = sample("wechat_merchant", TRADE)
    assert beanclear(by_cli, "import", str(trade)).exit_code == 0
    bad = tmp_path / "feb.csv"
    bad.write_text("\n".join(["工商银行账户明细", "账号：6222", "", "交易日期,交易流水号,摘要,对方户名,交易金额,余额",
                              "2021-02-30,B009,房租,某某置业,-500.00,0.03"]) + "\n", encoding="utf-8")
    with fava_server(by_page) as base:
        open_page(browser, base)
        before = snapshot(by_page / "books")
        browser.find_element(By.CSS_SELECTOR, "#beanclear-upload input[type=file]").send_keys(str(bad))
        browser.find_element(By.CSS_SELECTOR, "#beanclear-upload button[type=submit]").click()
        wait_for(browser, lambda d: "feb.csv:5:" in result_text(d))
        assert "error" in browser.find_element(By.ID, "beanclear-upload-result").get_attribute("class")
        assert snapshot(by_page / "books") == before

        open_page(browser, base)
        browser.find_element(By.CSS_SELECTOR, "#beanclear-upload input[type=file]").send_keys(str(trade))
        browser.find_element(By.CSS_SELECTOR, "#beanclear-upload button[type=submit]").click()
        wait_for(browser, lambda d: snapshot(by_page / "books") == snapshot(by_cli / "books"))
        assert (by_page / "statements" / "wechat" / TRADE).read_bytes() == trade.read_bytes()
        # the browser logs the bad file's 400 itself; nothing else went wrong in the script
        assert [e for e in severe_errors(browser) if "upload - Failed to load resource" not in e] == []


def test_fava_import_page_extract_from_the_browser_imports_through_beanclear(twins, browser):
    """Fava's Import page asks /api/extract with fetch(), as here: the browser's own
    Sec-Fetch-Site is what lets the import through (fava_page/ingest.py)."""
    by_fava, by_cli = twins
    trade = sample("wechat_merchant", TRADE)
    assert beanclear(by_cli, "import", str(trade)).exit_code == 0
    shutil.copy(trade, by_fava / "statements" / TRADE)
    with fava_server(by_fava) as base:
        slug = open_page(browser, base)
        browser.get(f"{base}/{slug}/import")
        wait_for(browser, lambda d: TRADE in d.page_source)   # Fava lists it with beanclear's importer
        answer = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.json()).then(done, e => done({error: String(e)}));",
            f"{base}/{slug}/api/extract?" + urllib.parse.urlencode(
                {"filename": str(by_fava / "statements" / TRADE), "importer": "beanclear.wechat.wechat-trade-bill"}))
        assert answer.get("data") == [], answer
        assert snapshot(by_fava / "books") == snapshot(by_cli / "books")
