"""The reconciliation page in a real headless browser (Debian's chromium and
chromedriver, driven by selenium), served by `fava books/main.beancount` as a user
starts it: the page shows every source and a chart, filters findings, accepts a
proposal and acknowledges a finding, and the books change by exactly those lines.

Skipped where /usr/bin/chromium or /usr/bin/chromedriver is missing
(`apt-get install chromium chromium-driver`). With BEANCLEAR_SCREENSHOTS=<folder>,
the first test saves the README's screenshots there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from beanclear.checks import acks, checking

from beanclear import books, matching
from beanclear import config as config_mod
from beanclear.fava_page import review
from fava_util import PAGE, books_snapshot, changes, copy_of

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"the browser test needs Debian's chromium and chromedriver ({CHROMIUM}, {CHROMEDRIVER}): "
                "apt-get install chromium chromium-driver", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium (pip install '.[test]')")
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 60  # seconds: a page load, a write and Fava's reload of the books (30 ran out on a loaded machine)


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fava_server(merchant: Path):
    """`fava books/main.beancount` on a free localhost port; yields its base URL."""
    port = free_port()
    script = Path(sys.executable).with_name("fava")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from fava.cli import main; main()"]
    log = open(merchant / "fava.log", "w")
    process = subprocess.Popen(command + ["--host", "127.0.0.1", "-p", str(port), "books/main.beancount"],
                               cwd=merchant, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fava did not start:\n" + (merchant / "fava.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1400,1000", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver, base: str, query: str = "") -> str:
    driver.get(base + "/")
    slug = driver.current_url[len(base) + 1:].split("/")[0]
    driver.get(f"{base}/{slug}/{PAGE}{query}")
    wait_for(driver, lambda d: d.find_element(By.ID, "beanclear-page"))
    return slug


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)) \
        .until(condition)


def attribute_of_all(driver, selector: str, name: str) -> list[str]:
    return [e.get_attribute(name) for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def chart_bars(driver) -> int:
    return driver.execute_script(
        "return document.querySelectorAll('svelte-component[type=charts] svg rect, "
        "svelte-component[type=charts] svg path').length")


def screenshot(driver, folder: str | None, name: str, anchor: str | None = None) -> None:
    if not folder:
        return
    if anchor:
        driver.execute_script(f"document.getElementById('{anchor}').scrollIntoView()")
    time.sleep(0.5)
    Path(folder).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(folder) / name))


def severe_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_review_the_demo_in_a_browser_and_the_books_change_by_exactly_the_decisions(demo, tmp_path, browser):
    merchant = copy_of(demo, tmp_path / "merchant")
    before = books_snapshot(merchant)
    shots = os.environ.get("BEANCLEAR_SCREENSHOTS")
    config = config_mod.load(merchant / "config.yaml")
    proposals = matching.match(books.load(config.books / "main.beancount")[0], config)
    icbc_errors = [("icbc", f.code) for f in checking.check(config).findings
                   if f.source == "icbc" and f.severity == "error" and not f.acknowledged]
    with fava_server(merchant) as base:
        open_page(browser, base, "?interval=week")
        assert attribute_of_all(browser, "tr.bc-source", "data-source") == [*config.channels, *config.banks,
                                                                           *config.shops]
        wait_for(browser, lambda d: chart_bars(d) > 13 * 2)   # Fava's chart component drew a bar pair a week
        screenshot(browser, shots, "fava-page-channels.png")

        # filter the findings: the form is a plain GET form
        Select(browser.find_element(By.CSS_SELECTOR, "#beanclear-filters select[name=source]")).select_by_visible_text("icbc")
        Select(browser.find_element(By.NAME, "severity")).select_by_visible_text("error")
        browser.find_element(By.CSS_SELECTOR, "#beanclear-filters button[type=submit]").click()
        wait_for(browser, lambda d: "source=icbc" in d.current_url and "severity=error" in d.current_url
                 and "interval=week" in d.current_url)
        wait_for(browser, lambda d: d.find_element(By.ID, "beanclear-page"))
        assert [(r.get_attribute("data-source"), r.get_attribute("data-code"))
                for r in browser.find_elements(By.CSS_SELECTOR, "tr.bc-finding")] == icbc_errors
        open_page(browser, base)
        screenshot(browser, shots, "fava-page-findings.png", anchor="findings")

        # accept the first proposal
        row = browser.find_element(By.CSS_SELECTOR, "tr.bc-proposal")
        key = json.loads(row.get_attribute("data-key"))
        screenshot(browser, shots, "fava-page-review.png", anchor="review")
        row.find_element(By.CSS_SELECTOR, "button[data-action=accept]").click()
        wait_for(browser, lambda d: json.loads(d.find_element(By.CSS_SELECTOR, "tr.bc-proposal")
                                               .get_attribute("data-key")) != key)
        assert f"{len(proposals) - 1} match proposals" in browser.find_element(By.CLASS_NAME, "bc-summary").text

        # acknowledge the first finding whose suggested action is to acknowledge, with a reason
        row = browser.find_element(By.CSS_SELECTOR, "tr.bc-await[data-suggested=acknowledge]")
        code = row.get_attribute("data-code")
        ref = Select(row.find_element(By.NAME, "ref")).first_selected_option.text
        row.find_element(By.CSS_SELECTOR, "button[data-action=acknowledge]").click()
        wait_for(browser, lambda d: "Give a reason" in d.find_element(By.ID, "beanclear-status").text)
        row.find_element(By.NAME, "reason").send_keys("Spring Festival returns, expected")
        row.find_element(By.CSS_SELECTOR, "button[data-action=acknowledge]").click()
        wait_for(browser, lambda d: "1 acknowledged" in d.find_element(By.CLASS_NAME, "bc-summary").text)
        assert severe_errors(browser) == []

    [link] = key["target"].split()
    [accepted] = [p for p in proposals if review.proposal_key(p) == key]
    bank_file = Path(accepted.lines[0].entry.meta["filename"]).relative_to(merchant / "books")
    ack = acks.ack_line(code, ref, "Spring Festival returns, expected", dt.date.today()).rstrip("\n")
    changed = changes(before, books_snapshot(merchant))
    assert sorted(changed) == sorted([str(bank_file), "acks.beancount"])
    [removed], added = changed[str(bank_file)]
    assert added == [f"{removed} ^{link}"] and changed["acks.beancount"] == ([], ack.split("\n"))


def test_text_from_statements_stays_text_in_the_browser(demo, tmp_path, browser):
    merchant = copy_of(demo, tmp_path / "merchant")
    bank = merchant / "books" / "icbc" / "2026" / "2026-03.beancount"
    memo = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>转账"
    bank.write_text(bank.read_text(encoding="utf-8").replace('"某某科技有限公司" "转账"', f'"某某科技有限公司" "{memo}"'),
                    encoding="utf-8")
    with fava_server(merchant) as base:
        open_page(browser, base)
        wait_for(browser, lambda d: chart_bars(d) > 3)
        time.sleep(0.5)  # an injected handler would have run by now
        assert browser.execute_script("return window.__xss === undefined")
        assert browser.execute_script("return document.querySelectorAll('#beanclear-page img').length") == 0
        assert memo in browser.find_element(By.CSS_SELECTOR, "table.bc-findings").text
        assert memo in browser.find_element(By.CSS_SELECTOR, "table.bc-awaiting").text
