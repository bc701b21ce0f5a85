"""A month's report shows the sources that were there for it (README "Report"): a bank, a
channel or a shop added to the config since (its `open` of 2000-01-01 in accounts.beancount, its
statements of a later month) has no section in the months before its books begin, in
every format and from books carried forward, so the report made at close stays the
record. A blind tester closed January, added a USD bank in August, and January's report
run again listed `usbank ... = books balance 0.00 USD`. A bank that was there and did
not move keeps its section."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from conftest import beanclear, write_files

from beanclear.checks import checking
from beanclear.config import load as load_config
from beanclear.reports import period, render

BANKS = """\
  ops: {type: csv, account: Assets:Bank:Ops, currency: CNY, columns: {date: d, amount: a}}
  old: {type: csv, account: Assets:Bank:Old, currency: CNY, columns: {date: d, amount: a}}
  quiet: {type: csv, account: Assets:Bank:Quiet, currency: CNY, columns: {date: d, amount: a}}
"""
JANUARY = ("books: books\ncurrency: CNY\nchannels:\n"
           "  wechat: {type: wechat, settlement_days: 1, bank: ops, bank_days: 2}\n"
           "banks:\n" + BANKS)
# April: a channel more; August: a USD bank; October: a shop
GROWN = ("books: books\ncurrency: CNY\nchannels:\n"
          "  wechat: {type: wechat, settlement_days: 1, bank: ops, bank_days: 2}\n"
          "  stripe: {type: stripe, currency: CNY, settlement_days: 1, bank: ops, bank_days: 2}\n"
          "banks:\n" + BANKS +
          "  usd: {type: csv, account: Assets:Bank:USD, currency: USD, columns: {date: d, amount: a}}\n"
          "shops:\n  shop: {type: douyin, order_days: 3}\n")
MAIN = """\
option "operating_currency" "CNY"
plugin "beanclear.plugins.checks" "../config.yaml"
include "accounts.beancount"
include "old/*/*.beancount"
include "ops/*/*.beancount"
include "quiet/*/*.beancount"
include "wechat/*/*.beancount"
"""
LATER_INCLUDES = 'include "stripe/*/*.beancount"\ninclude "usd/*/*.beancount"\ninclude "shop/*/*.beancount"\n'
ACCOUNTS = "".join(f"2000-01-01 open {a}\n" for a in (
    "Assets:Clearing:WeChat", "Assets:Transit:WeChat", "Income:Sales:WeChat", "Expenses:Fees:WeChat",
    "Assets:Bank:Ops", "Assets:Bank:Old", "Assets:Bank:Quiet", "Assets:Suspense", "Expenses:Rent",
    "Equity:Opening-Balances"))
# what beanclear appends when the new sources come: opened 2000-01-01, as the tester's were
LATER_ACCOUNTS = "".join(f"2000-01-01 open {a}\n" for a in (
    "Assets:Clearing:Stripe", "Assets:Transit:Stripe", "Income:Sales:Stripe", "Expenses:Fees:Stripe",
    "Assets:Bank:USD", "Assets:Receivable:Shop", "Income:Sales:Shop"))


def _coverage(source: str, first: str, last: str) -> str:
    return (f'{last} custom "beanclear-coverage" "{source}" {first} "0123456789ab"\n'
            f'  id: "coverage {first} {last} 0123456789ab"\n  statement: "{source}-{first[:7]}.csv"\n\n')


def _opening(bank: str, day: str, amount: str, currency: str) -> str:
    """An opening as the first import writes it, in accounts.beancount."""
    return (f'\n{day} * "Opening balance" "Assets:Bank:{bank} at the end of the day"\n'
            f'  id: "opening Assets:Bank:{bank} {currency}"\n  Assets:Bank:{bank}  {amount} {currency}\n'
            f"  Equity:Opening-Balances  -{amount} {currency}\n")


def _line(day: str, ref: str, amount: str, counter: str, bank: str = "Assets:Bank:Ops", currency: str = "CNY",
          memo: str = "line") -> str:
    return (f'{day} * "{memo}"\n  id: "{ref}"\n  {bank}  {amount} {currency}\n'
            f"  {counter}  {-Decimal(amount)} {currency}\n\n")


def _sale_and_payout(channel: str, day: str, pay_day: str, bank_day: str, n: str) -> tuple[str, str]:
    """A channel's sale and payout, and the bank credit that answers it on ops."""
    title = {"wechat": "WeChat", "stripe": "Stripe"}[channel]
    own = (f'{day} * "Buyer {n}" "Order {n}"\n  id: "{channel}-{n}"\n'
           f"  Assets:Clearing:{title}  99.40 CNY\n  Expenses:Fees:{title}  0.60 CNY\n"
           f"  Income:Sales:{title}  -100.00 CNY\n\n"
           f'{pay_day} * "{title}" "Payout {n}" ^payout-{channel}-{n}\n  id: "payout-{channel}-{n}"\n'
           f'  payout-id: "{channel}-{n}"\n  Assets:Transit:{title}  99.40 CNY\n  Assets:Clearing:{title}  -99.40 CNY\n\n')
    bank = (f'{bank_day} * "{title}" "Payout {n}" ^payout-{channel}-{n}\n  id: "B-{channel}-{n}"\n'
            f"  Assets:Bank:Ops  99.40 CNY\n  Assets:Transit:{title}  -99.40 CNY\n\n")
    return own, bank


def _ops(month: str, channel: str, n: str, extra: str = "") -> dict[str, str]:
    own, bank = _sale_and_payout(channel, f"{month}-03", f"{month}-04", f"{month}-05", n)
    last = {"01": "31", "02": "28", "03": "31", "04": "30", "08": "31", "10": "31"}[month[5:]]
    return {f"books/{channel}/2026/{month}.beancount": own + _coverage(channel, f"{month}-01", f"{month}-{last}"),
            f"books/ops/2026/{month}.beancount": bank + extra + _coverage("ops", f"{month}-01", f"{month}-{last}")}


def _first_quarter() -> dict[str, str]:
    files = {"config.yaml": JANUARY, "books/main.beancount": MAIN,
             "books/accounts.beancount": ACCOUNTS + _opening("Ops", "2026-01-01", "1000.00", "CNY"),
             # a bank emptied before January and idle since: it was there, its balance is 0.00
             "books/old/2025/2025-12.beancount": (
                 _line("2025-12-01", "O1", "100.00", "Equity:Opening-Balances", "Assets:Bank:Old")
                 + _line("2025-12-02", "O2", "-100.00", "Expenses:Rent", "Assets:Bank:Old")),
             # a bank whose January statement has no line: its coverage says it was there
             "books/quiet/2026/2026-01.beancount": _coverage("quiet", "2026-01-01", "2026-01-31")}
    files.update(_ops("2026-01", "wechat", "1", "2026-02-01 balance Assets:Bank:Ops  1099.40 CNY\n\n"))
    files.update(_ops("2026-02", "wechat", "2"))
    files.update(_ops("2026-03", "wechat", "3"))
    return files


def _grown(root: Path) -> None:
    """What April (a channel) and August (a USD bank, its opening and its statement) add:
    no month file before April changes."""
    accounts = (root / "books" / "accounts.beancount").read_text(encoding="utf-8")
    write_files(root, {"config.yaml": GROWN,
                       "books/main.beancount": MAIN + LATER_INCLUDES,
                       "books/accounts.beancount": accounts + LATER_ACCOUNTS + _opening("USD", "2026-08-03", "0.00",
                                                                                         "USD")})
    write_files(root, _ops("2026-04", "stripe", "4"))
    write_files(root, _ops("2026-08", "wechat", "8"))
    write_files(root, {"books/usd/2026/2026-08.beancount": (
        _line("2026-08-04", "U1", "250.00", "Assets:Suspense", "Assets:Bank:USD", "USD")
        + _coverage("usd", "2026-08-01", "2026-08-31")),
        "books/usd/2026/2026-09.beancount": "2026-09-01 balance Assets:Bank:USD  250.00 USD\n"})
    # the shop's first export, of October, and WeChat's payment of its order
    october = _ops("2026-10", "wechat", "10")
    october["books/wechat/2026/2026-10.beancount"] = october["books/wechat/2026/2026-10.beancount"].replace(
        '  id: "wechat-10"\n', '  id: "wechat-10"\n  order-id: "9001"\n').replace(
        "Income:Sales:WeChat", "Assets:Receivable:Shop")
    october["books/shop/2026/2026-10.beancount"] = (
        '2026-10-02 * "Order 9001" ^order-9001\n  id: "order:9001"\n  order-id: "9001"\n'
        "  Assets:Receivable:Shop  100.00 CNY\n  Income:Sales:Shop  -100.00 CNY\n\n"
        + _coverage("shop", "2026-10-01", "2026-10-31"))
    write_files(root, october)


def reports(root: Path, months, since: str | None = None) -> dict[str, tuple[str, str]]:
    """Each month's report (JSON, text) from one load of the books (carried to `since`)."""
    config = load_config(root / "config.yaml")
    entries, errors, options = checking.load_books(config, since)
    out = {}
    for month in months:
        built = period.build_from(entries, errors, options, config, month)
        out[month] = (render.to_json(built), render.to_text(built))
    return out


def _banks(report: tuple[str, str]) -> list[str]:
    return [b["name"] for b in json.loads(report[0])["banks"]]


def _channels(report: tuple[str, str]) -> set[str]:
    return {c["name"] for c in json.loads(report[0])["channels"]}


@pytest.fixture
def merchant(tmp_path):
    return write_files(tmp_path / "m", _first_quarter())


def test_a_bank_a_channel_and_a_shop_added_since_are_not_in_the_reports_of_the_months_before(merchant):
    quarter = ["2026-01", "2026-02", "2026-03"]
    record = reports(merchant, quarter)
    assert _banks(record["2026-01"]) == ["old", "ops", "quiet"] and _channels(record["2026-01"]) == {"wechat"}
    _grown(merchant)
    now = reports(merchant, quarter + ["2026-04", "2026-08"])
    # the months closed before the new sources are their record, byte for byte
    assert {m: now[m] for m in quarter} == record
    for month in quarter:
        assert "usd" not in _banks(now[month]) and "Assets:Bank:USD" not in now[month][1]
        assert "stripe" not in _channels(now[month]) and "Stripe" not in now[month][1]
    # from their own months on they are reported
    assert _channels(now["2026-04"]) == {"stripe", "wechat"} and "usd" not in _banks(now["2026-04"])
    idle = next(c for c in json.loads(now["2026-04"][0])["channels"] if c["name"] == "wechat")
    assert {k: v for k, v in idle.items() if k not in ("name", "currency") and v not in ("0", "0.00", None)} == {}
    assert all('"source": "shop"' not in now[m][0] for m in now)   # its export and its order paid: nothing said
    august = {b["name"]: b for b in json.loads(now["2026-08"][0])["banks"]}
    assert set(august) == {"old", "ops", "quiet", "usd"}
    assert (august["usd"]["statement_balance"], august["usd"]["books_balance"]) == ("250.00", "250.00")


def test_from_books_carried_forward_the_same(merchant):
    _grown(merchant)
    months = ["2026-02", "2026-03", "2026-04", "2026-08"]
    assert beanclear(merchant, "carry", "2026-02").exit_code == 0
    whole = reports(merchant, months)
    assert reports(merchant, months, "2026-02") == whole
    assert "usd" not in _banks(whole["2026-03"]) and "usd" in _banks(whole["2026-08"])
    result = beanclear(merchant, "report", "2026-03", "--since", "2026-02")
    assert result.exit_code == 0 and result.output == whole["2026-03"][1] + "\n"


def test_the_xlsx_and_pdf_of_a_month_before_are_the_same_bytes(merchant, tmp_path):
    made = {}
    for when in ("at close", "now"):
        if when == "now":
            _grown(merchant)
        for fmt in ("xlsx", "pdf"):
            out = tmp_path / f"{when}.{fmt}"
            result = beanclear(merchant, "report", "2026-01", "--format", fmt, "-o", str(out))
            assert result.exit_code == 0, result.output
            made[(when, fmt)] = out
    for fmt in ("xlsx", "pdf"):
        assert made[("at close", fmt)].read_bytes() == made[("now", fmt)].read_bytes()
    sheet = openpyxl.load_workbook(made[("now", "xlsx")])["Banks"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["old", "ops", "quiet"]
    lines = "".join(page.extract_text() for page in PdfReader(made[("now", "pdf")]).pages).splitlines()
    assert {"old", "ops", "quiet"} <= set(lines) and "usd" not in lines and "USD" not in lines


def test_a_bank_that_was_there_and_did_not_move_keeps_its_section(merchant):
    # must not fire: `old` (emptied in December, idle since: 0.00) and `quiet` (a January
    # statement without a line) were there in January and in every month after it
    _grown(merchant)
    now = reports(merchant, ["2026-01", "2026-03", "2026-08"])
    for month, report in now.items():
        banks = {b["name"]: b for b in json.loads(report[0])["banks"]}
        assert (banks["old"]["books_balance"], banks["quiet"]["books_balance"]) == ("0.00", "0.00"), month
        assert "  old (Assets:Bank:Old, CNY)" in report[1] and "  quiet (Assets:Bank:Quiet, CNY)" in report[1]


def test_a_shop_of_the_config_without_an_export_is_still_said_in_its_month(merchant):
    # must not fire: what the books say now is listed, whether or not the source has
    # begun (a shop in the config whose export was never imported: import it)
    write_files(merchant, {"config.yaml": JANUARY + "shops:\n  shop: {type: douyin, order_days: 3}\n",
                           "books/accounts.beancount": ACCOUNTS + "2000-01-01 open Assets:Receivable:Shop\n"
                                                       "2000-01-01 open Income:Sales:Shop\n"})
    findings = json.loads(reports(merchant, ["2026-01"])["2026-01"][0])["findings"]
    assert [(f["status"], f["code"], f["source"], f["date"]) for f in findings] == \
        [("open", "statement-gap", "shop", "2026-01-01")]
    assert "no export of shop is in the books" in findings[0]["message"]
