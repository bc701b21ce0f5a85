"""The whole resolve loop in a real headless browser on the demo merchant, served by
`fava books/main.beancount`: book a bank line and save the rule, match a line by hand
and unlink it, write off a bank fee, follow up a duplicate charge, acknowledge and
follow up what keeps January open, close January, download its XLSX. After each step
the books' diff is exactly what that step writes.

Skipped where Debian's chromium and chromedriver are missing. With
BEANCLEAR_SCREENSHOTS=<folder>, saves the screenshots of the README's "Resolving findings" there, and
the first page of January's PDF report as PNG (pdftoppm).
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook

from beanclear.resolve import RESOLVE_HEADER
from fava_util import books_snapshot, changes, copy_of
from test_fava_browser import (CHROMEDRIVER, CHROMIUM, fava_server, open_page, screenshot, severe_errors,  # noqa: F401
                               wait_for, webdriver)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

TODAY = "2026-04-02"          # the fava process dates follow-ups and acknowledgments with it (BEANCLEAR_TODAY)
AUDIT = "20260316000080"      # 312.00 to 阿里云, nothing explains it
DEPOSIT = "20260309000071"    # 8,000.00 from 某某科技有限公司, nobody explains it
SHORT = "20260106000006"      # the bank credit 0.50 short of its WeChat payout
MISSING = "payout-1000959334202602140000008216"   # a payout of 9,443.20 the bank never shows
SURGE = "50300941320260127000000004126"


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1400,1000", "--lang=en-US"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow",
                                                           "downloadPath": str(tmp_path / "downloads")})
    try:
        yield driver
    finally:
        driver.quit()


def row(driver, selector: str):
    return driver.find_element(By.CSS_SELECTOR, f"tr.bc-await{selector}")


def click_and_reload(driver, button) -> None:
    """Click an action's button; wait for the page the script reloads after the write
    (or fail with the error the page shows)."""
    driver.execute_script("window.__beforeWrite = true")
    button.click()
    wait_for(driver, lambda d: d.execute_script("return window.__beforeWrite === undefined")
             or "error" in d.find_element(By.ID, "beanclear-status").get_attribute("class"))
    # (the new page's document may not hold its status yet when the old one is gone: wait for it)
    status = wait_for(driver, lambda d: d.find_element(By.ID, "beanclear-status"))
    assert "error" not in status.get_attribute("class"), status.text
    wait_for(driver, lambda d: d.find_element(By.ID, "beanclear-page"))


def open_details(driver, element) -> None:
    driver.execute_script("arguments[0].open = true", element)


def set_value(driver, element, value: str) -> None:
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def test_the_whole_resolve_loop_in_a_browser(demo, tmp_path, browser, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", TODAY)
    merchant = copy_of(demo, tmp_path / "merchant")
    shots = os.environ.get("BEANCLEAR_SCREENSHOTS")
    config_text = (merchant / "config.yaml").read_text(encoding="utf-8")
    with fava_server(merchant) as base:
        open_page(browser, base)
        assert [g.get_attribute("data-group") for g in browser.find_elements(By.CSS_SELECTOR, "table.bc-group")] \
            == ["bank", "write-off", "follow-up", "review"]
        why = row(browser, f'[data-bank="{DEPOSIT}"]').find_element(By.CLASS_NAME, "bc-why").text
        assert "no open payout, order or bill of 8000.00 CNY" in why
        screenshot(browser, shots, "resolve-queue.png", anchor="review")

        # 1. book the 312.00 line to hosting, and remember it as a rule
        before = books_snapshot(merchant)
        line = row(browser, f'[data-bank="{AUDIT}"]')
        assert line.get_attribute("data-suggested") == "book"
        box = line.find_element(By.CSS_SELECTOR, ".bc-suggested .bc-act")
        box.find_element(By.NAME, "account").send_keys("Expenses:Hosting")
        box.find_element(By.NAME, "narration").send_keys("cloud servers 2026-03")
        box.find_element(By.NAME, "remember").click()
        box.find_element(By.NAME, "rule").send_keys("ALIYUN")
        click_and_reload(browser, box.find_element(By.CSS_SELECTOR, "button[data-action=book]"))
        assert changes(before, books_snapshot(merchant)) == {"icbc/2026/2026-03.beancount": (
            ['2026-03-16 * "阿里云计算有限公司" "ALIYUN 2026-03"', "  Assets:Suspense                             312.00 CNY"],
            ['2026-03-16 * "阿里云计算有限公司" "cloud servers 2026-03"', '  statement-text: "阿里云计算有限公司 ALIYUN 2026-03"',
             '  booked-from: "Assets:Suspense"', "  Expenses:Hosting                            312.00 CNY"])}
        assert (merchant / "config.yaml").read_text(encoding="utf-8") == config_text.replace(
            "    account: Expenses:Hosting\n\n", "    account: Expenses:Hosting\n  - match: ALIYUN\n"
            "    account: Expenses:Hosting\n\n")
        assert not browser.find_elements(By.CSS_SELECTOR, f'tr.bc-await[data-bank="{AUDIT}"]')

        # 2. match the 8,000.00 credit by hand to the missing payout, then unlink it again
        before = books_snapshot(merchant)
        line = row(browser, f'[data-bank="{DEPOSIT}"]')
        open_details(browser, line.find_element(By.CSS_SELECTOR, "details.bc-other"))
        link_box = line.find_element(By.CSS_SELECTOR, "details.bc-link")
        open_details(browser, link_box)
        link_box.find_element(By.NAME, "search").send_keys("9443.20 wechat")
        shown = [i for i in link_box.find_elements(By.CLASS_NAME, "bc-item") if i.is_displayed()]
        assert [i.find_element(By.NAME, "item").get_attribute("value") for i in shown] == [MISSING]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link_box)
        screenshot(browser, shots, "resolve-match-by-hand.png")
        shown[0].find_element(By.NAME, "item").click()
        click_and_reload(browser, link_box.find_element(By.CSS_SELECTOR, "button[data-action=link]"))
        head = '2026-03-09 * "某某科技有限公司" "转账"'
        assert changes(before, books_snapshot(merchant)) == {"icbc/2026/2026-03.beancount": (
            [head, "  Assets:Suspense                           -8000.00 CNY"],
            [f"{head} ^{MISSING}", "  Assets:Transit:WeChat                     -8000.00 CNY"])}
        line = row(browser, f'[data-group="write-off"][data-bank="{DEPOSIT}"]')   # now a payout-mismatch
        open_details(browser, line.find_element(By.CSS_SELECTOR, "details.bc-other"))
        click_and_reload(browser, line.find_element(By.CSS_SELECTOR, "button[data-action=unlink]"))
        assert books_snapshot(merchant) == before

        # 3. write off the 0.50 bank fee on the WeChat payout
        before = books_snapshot(merchant)
        line = row(browser, f'[data-group="write-off"][data-bank="{SHORT}"]')
        assert line.get_attribute("data-suggested") == "write-off"
        click_and_reload(browser, line.find_element(By.CSS_SELECTOR, ".bc-suggested button[data-action=write-off]"))
        diff = changes(before, books_snapshot(merchant))
        assert sorted(diff) == ["accounts.beancount", "icbc/2026/2026-01.beancount", "main.beancount",
                                "writeoffs.beancount"]
        assert diff["accounts.beancount"] == ([], ["2000-01-01 open Expenses:Fees:Bank"])
        assert diff["main.beancount"] == ([], ['include "writeoffs.beancount"'])
        [removed], [added] = diff["icbc/2026/2026-01.beancount"]
        assert added == f"{removed} ^payout-1000959334202601050000004631"
        assert diff["writeoffs.beancount"] == ([], [*RESOLVE_HEADER.splitlines(), "",
            '2026-01-06 * "beanclear" "write-off payout-mismatch: payout of 9,916.77 CNY arrived at the bank as '
            '9,916.27 CNY" ^payout-1000959334202601050000004631',
            '  write-off: "payout-mismatch"',
            '  settles: "20260105000000004632 1000959334202601050000004631 20260106000006"',
            f'  written-off-by: "{getpass.getuser()}"',   # (the fava process's $USER: who decided)
            "  Expenses:Fees:Bank                            0.50 CNY",
            "  Assets:Transit:WeChat                        -0.50 CNY"])
        assert not browser.find_elements(By.CSS_SELECTOR, f'tr.bc-await[data-bank="{SHORT}"]')

        # 4. follow up the duplicate charge: an owner, a due date, a note
        before = books_snapshot(merchant)
        line = row(browser, '[data-code="duplicate-charge"]')
        assert line.get_attribute("data-suggested") == "follow-up"
        box = line.find_element(By.CSS_SELECTOR, ".bc-suggested .bc-act")
        box.find_element(By.NAME, "owner").send_keys("alice")
        set_value(browser, box.find_element(By.NAME, "due"), "2026-04-16")
        box.find_element(By.NAME, "note").send_keys("refund the second charge")
        click_and_reload(browser, box.find_element(By.CSS_SELECTOR, "button[data-action=follow-up]"))
        assert changes(before, books_snapshot(merchant)) == {"acks.beancount": ([], [
            f'{TODAY} custom "beanclear-follow-up" "duplicate-charge" "#3460" "alice" "2026-04-16" '
            '"refund the second charge"', f'  assigned-by: "{getpass.getuser()}"'])}
        following = row(browser, '[data-group="following"][data-code="duplicate-charge"]')
        assert "following up: alice, due 2026-04-16 — refund the second charge" in following.text
        screenshot(browser, shots, "resolve-following-up.png", anchor="queue-following")

        # 5. what keeps January open: acknowledge the refund spike, follow up the unpaid order
        for code, ref in (("refund-surge", SURGE), ("refund-rate", "50300488120260125000000000953")):
            before = books_snapshot(merchant)
            box = row(browser, f'[data-code="{code}"]').find_element(By.CSS_SELECTOR, ".bc-suggested .bc-act")
            box.find_element(By.NAME, "reason").send_keys("Spring Festival returns, expected")
            click_and_reload(browser, box.find_element(By.CSS_SELECTOR, "button[data-action=acknowledge]"))
            assert changes(before, books_snapshot(merchant)) == {"acks.beancount": ([], [
                f'{TODAY} custom "beanclear-ack" "{code}" "{ref}" "Spring Festival returns, expected"',
                f'  acknowledged-by: "{getpass.getuser()}"'])}
        before = books_snapshot(merchant)
        box = row(browser, '[data-code="order-unpaid"]').find_element(By.CSS_SELECTOR, ".bc-suggested .bc-act")
        box.find_element(By.NAME, "owner").send_keys("bob")
        set_value(browser, box.find_element(By.NAME, "due"), "2026-04-30")
        click_and_reload(browser, box.find_element(By.CSS_SELECTOR, "button[data-action=follow-up]"))
        assert changes(before, books_snapshot(merchant)) == {"acks.beancount": ([], [
            f'{TODAY} custom "beanclear-follow-up" "order-unpaid" "#1573" "bob" "2026-04-30" ""',
            f'  assigned-by: "{getpass.getuser()}"'])}
        reasons = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-group=acknowledged] .bc-ack-reason")]
        assert reasons == ["Spring Festival returns, expected"] * 2

        # 6. close January
        before = books_snapshot(merchant)
        Select(browser.find_element(By.CSS_SELECTOR, ".bc-close select[name=month]")).select_by_visible_text("2026-01")
        click_and_reload(browser, browser.find_element(By.CSS_SELECTOR, "button[data-action=close]"))
        diff = changes(before, books_snapshot(merchant))
        assert sorted(diff) == ["main.beancount", "periods.beancount"]
        assert diff["main.beancount"] == ([], ['include "periods.beancount"'])
        assert diff["periods.beancount"][1][3:5] == ['2026-01-31 custom "beanclear-close" "2026-01"',
                                                     f'  closed-by: "{getpass.getuser()}"']

        # 7. download January's report as XLSX
        before = books_snapshot(merchant)
        Select(browser.find_element(By.CSS_SELECTOR, ".bc-close select[name=report-month]")).select_by_visible_text("2026-01")
        browser.find_element(By.CSS_SELECTOR, "a.bc-download[data-format=xlsx]").click()
        target = tmp_path / "downloads" / "reconciliation-2026-01.xlsx"
        wait_for(browser, lambda d: target.exists())
        workbook = load_workbook(target)
        assert workbook.sheetnames and books_snapshot(merchant) == before
        assert severe_errors(browser) == []

        if shots:
            pdf = tmp_path / "report.pdf"
            pdf.write_bytes(urllib.request.urlopen(
                browser.current_url.split("?")[0].split("#")[0] + "report?month=2026-01&format=pdf").read())
            if shutil.which("pdftoppm"):
                subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                                str(Path(shots) / "resolve-report-pdf")], check=True)
