"""`beanclear report YYYY-MM --since YYYY-MM`: from the books carried forward to a month
(periods/forward.py), the report of a period from then on is the whole books' report,
byte for byte (text and JSON): balances at month end, a bank's statement older than the
carried books and the lines after it, findings acknowledged, resolved since, of closed
months. Simulated merchants: tests/test_match_since.py, with the proposals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import beanclear, snapshot

from beanclear.checks import checking
from beanclear.config import load as load_config
from beanclear.reports import period as period_mod
from beanclear.reports import render


def _start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def _months(root: Path) -> list[str]:
    from beanclear.periods.closed import month_files
    return sorted({m for m, _ in month_files(root / "books")})


def reports(root: Path, since: str | None, periods) -> dict[str, tuple[str, str]]:
    """Each period's report (JSON, text) from one load of the whole books or of the books
    carried forward to `since` (the refusal's message, for a month without transactions)."""
    config = load_config(root / "config.yaml")
    entries, errors, options = checking.load_books(config, since)
    out = {}
    for p in periods:
        try:
            built = period_mod.build_from(entries, errors, options, config, p)
        except period_mod.PeriodError as exc:
            out[p] = (str(exc), "")
            continue
        out[p] = (render.to_json(built), render.to_text(built))
    return out



# -- the demo merchant --------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


@pytest.fixture(scope="module")
def whole(demo):
    return reports(demo, None, _months(demo))


@pytest.mark.parametrize("since", ["2026-02", "2026-03"])
def test_the_demos_reports_from_a_month_on_are_the_whole_books(demo, whole, since):
    periods = [m for m in _months(demo) if m >= since]
    carried = reports(demo, since, periods)
    assert carried == {p: whole[p] for p in periods}
    # February's report holds findings resolved since: judged on the books as they stood
    assert since != "2026-02" or any(f["status"] == "resolved" for f in json.loads(carried[since][0])["findings"])


def test_the_command_prints_the_same_text_and_json(demo, whole):
    for fmt, at in (("json", 0), ("text", 1)):
        result = beanclear(demo, "report", "2026-03", "--since", "2026-02", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.output == whole["2026-03"][at] + "\n"


def test_an_acknowledgment_and_a_closed_month_read_as_in_the_whole_books(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "alice")
    root = demo_copy()
    finding = next(f for f in json.loads(beanclear(root, "report", "2026-03", "--format", "json").output)["findings"]
                   if f["status"] == "open" and f["refs"])
    assert beanclear(root, "ack", finding["code"], finding["refs"][0], "--reason", "seen").exit_code == 0
    clean = demo_copy(problems=False)
    assert beanclear(clean, "close", "2026-01").exit_code == 0
    for merchant in (root, clean):
        whole = reports(merchant, None, ["2026-03"])
        assert reports(merchant, "2026-03", ["2026-03"]) == whole
        assert merchant == clean or '"resolution": "seen"' in whole["2026-03"][0]


@pytest.mark.parametrize("args, message", [
    (("2026-02", "--since", "2026-03"), "--since 2026-03 is after the period 2026-02"),
    (("2026-02", "--since", "march"), "--since: expected YYYY-MM, a month from 1900-01 to 2999-12, got 'march'"),
    (("2026-02", "--since", "2026-13"), "--since: expected YYYY-MM"),
])
def test_a_since_after_the_period_or_malformed_is_exit_2_and_nothing_written(demo_copy, args, message):
    root = demo_copy()
    before = snapshot(root / "books")
    result = beanclear(root, "report", *args)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert snapshot(root / "books") == before

# -- a merchant with items before the month: the lookback and beyond -------------------------

CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 1, bank: ops, bank_days: 2}
banks:
  ops: {type: csv, account: Assets:Bank:Ops, currency: CNY, columns: {date: d, amount: a}}
  old: {type: csv, account: Assets:Bank:Old, currency: CNY, columns: {date: d, amount: a}}
"""
MAIN = """\
option "operating_currency" "CNY"
plugin "beanclear.plugins.clearing" "../config.yaml"
include "accounts.beancount"
include "old/*/*.beancount"
include "ops/*/*.beancount"
include "wechat/*/*.beancount"
"""
ACCOUNTS = "".join(f"2025-01-01 open {a}\n" for a in (
    "Assets:Clearing:WeChat", "Assets:Transit:WeChat", "Assets:Bank:Ops", "Assets:Bank:Old", "Assets:Suspense",
    "Income:Sales:WeChat", "Expenses:Rent", "Expenses:Cloud", "Liabilities:Payable:Aliyun", "Equity:Opening-Balances"))


def _payout(day: str, amount: str, pid: str) -> str:
    return (f'{day} * "WeChat Pay" "Withdrawal" ^payout-{pid}\n  id: "F{pid}"\n  payout-id: "{pid}"\n'
            f"  Assets:Transit:WeChat   {amount} CNY\n  Assets:Clearing:WeChat  -{amount} CNY\n\n")


def _line(day: str, amount: str, ref: str, payee: str, memo: str, counter: str = "Assets:Suspense",
          bank: str = "Assets:Bank:Ops") -> str:
    return (f'{day} * "{payee}" "{memo}"\n  id: "{ref}"\n  {bank}  {amount} CNY\n'
            f"  {counter}  {-Decimal(amount)} CNY\n\n")


RENT = "上海某某置业有限公司"
FILES = {
    # a payout of December that never reached the bank: older than the lookback from March (2026-01-18)
    "wechat/2025/2025-12.beancount": _payout("2025-12-10", "512.34", "100200300"),
    # one of the lookback, settled by a bank line of March
    "wechat/2026/2026-02.beancount": _payout("2026-02-27", "777.77", "100200400"),
    # rent people booked before the lookback: the history stage's evidence
    "ops/2025/2025-11.beancount": _line("2025-11-05", "-8000.00", "R11", RENT, "房租 2025-11", "Expenses:Rent"),
    "ops/2025/2025-12.beancount": _line("2025-12-05", "-8000.00", "R12", RENT, "房租 2025-12", "Expenses:Rent"),
    # a bank emptied before the lookback and idle since: its balance is "0.00"
    "old/2025/2025-11.beancount": (_line("2025-11-02", "100.00", "O1", "某人", "转入", "Equity:Opening-Balances",
                                         "Assets:Bank:Old")
                                   + _line("2025-11-03", "-100.00", "O2", "某人", "转出", "Expenses:Rent",
                                           "Assets:Bank:Old")),
    # a bill entered by hand in the lookback: the match links it there
    "ops/2026/2026-02.beancount": ('2026-02-25 * "阿里云计算有限公司" "ALIYUN 2026-02"\n  id: "ALIYUN-2602"\n'
                                   "  Expenses:Cloud  312.00 CNY\n  Liabilities:Payable:Aliyun  -312.00 CNY\n\n"),
    "ops/2026/2026-03.beancount": (_line("2026-03-02", "777.77", "B1", "财付通", "提现 100200400")
                                   + _line("2026-03-03", "512.34", "B2", "财付通", "提现 100200300")
                                   + _line("2026-03-04", "-312.00", "B3", "阿里云计算有限公司", "ALIYUN 2026-02")
                                   + _line("2026-03-05", "-8000.00", "B4", RENT, "房租 2026-03")),
}


@pytest.fixture
def hand(tmp_path):
    root = tmp_path / "m"
    (root / "books").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "books" / "main.beancount").write_text(MAIN, encoding="utf-8")
    (root / "books" / "accounts.beancount").write_text(ACCOUNTS, encoding="utf-8")
    for name, text in FILES.items():
        (root / "books" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "books" / name).write_text(text, encoding="utf-8")
    return root


def test_the_report_of_an_idle_bank_and_a_statement_without_balances(hand):
    """Neither bank states a balance: every line of its history is an item after the
    (missing) statement, read back from the month files; the idle one's balance is the
    whole books' 0.00."""
    whole = reports(hand, None, ["2026-03"])
    assert reports(hand, "2026-03", ["2026-03"]) == whole
    banks = {b["name"]: b for b in json.loads(whole["2026-03"][0])["banks"]}
    assert banks["old"]["books_balance"] == "0.00" and len(banks["old"]["open_items"]) == 2
    assert [i["refs"][0] for i in banks["ops"]["open_items"]] == ["R11", "R12", "B1", "B2", "B3", "B4"]




@pytest.mark.parametrize("credited", ["512.34", "500.00"])
def test_a_payout_of_before_the_lookback_credited_this_month_is_that_payout_in_the_report(hand, credited):
    """blind23 (monthon): December's payout (before the lookback from March) credited in
    March, naming it: the report showed it held since before the lookback and the credit
    as transit no payout explains (-512.34), where the check pairs them (nothing, or a
    payout-mismatch of the difference). Now the pair is one: nothing in transit, or the
    difference as the payout's mismatch; the same from the books carried to March."""
    march = hand / "books" / "ops" / "2026" / "2026-03.beancount"
    march.write_text(march.read_text(encoding="utf-8").replace(
        _line("2026-03-03", "512.34", "B2", "财付通", "提现 100200300"),
        _line("2026-03-03", credited, "B2", "财付通", "提现 100200300", "Assets:Transit:WeChat")), encoding="utf-8")
    whole = reports(hand, None, ["2026-03"])
    assert reports(hand, "2026-03", ["2026-03"]) == whole
    [ops] = [b for b in json.loads(whole["2026-03"][0])["banks"] if b["name"] == "ops"]
    transit = [(i["kind"], i["amount"]) for i in ops["in_transit"] if "100200400" not in i["refs"]]
    assert transit == ([] if credited == "512.34" else [("payout-mismatch", "12.34")]), ops["in_transit"]


def test_a_line_of_the_lookback_reclassified_by_hand_in_the_month_is_resolved_in_both_reports(hand):
    """blind23 (monthon): a bank line of the lookback in suspense, reclassified by an own
    entry of the month, is listed resolved in the month's report ("reclassified by hand");
    the report from the books carried to the month dropped it (0 resolved)."""
    february = hand / "books" / "ops" / "2026" / "2026-02.beancount"
    february.write_text(february.read_text(encoding="utf-8") + _line("2026-02-20", "-50.00", "B0", "某某网络", "域名续费"),
                        encoding="utf-8")
    (hand / "books" / "mine.beancount").write_text(
        '2026-03-20 * "某某网络" "domain renewal B0, out of suspense"\n  Assets:Suspense  -50.00 CNY\n'
        "  Expenses:Cloud  50.00 CNY\n", encoding="utf-8")
    main = hand / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "mine.beancount"\n', encoding="utf-8")
    whole = reports(hand, None, ["2026-03"])
    assert reports(hand, "2026-03", ["2026-03"]) == whole
    [row] = [f for f in json.loads(whole["2026-03"][0])["findings"] if "B0" in f["refs"]]
    assert (row["status"], row["code"]) == ("resolved", "bank-unmatched")
    assert row["resolution"].startswith("reclassified by hand at books/mine.beancount:1"), row


def test_check_since_names_a_carried_payouts_own_month_file_and_line(hand):
    """blind23 (monthon): December's payout, carried entry by entry (still in transit),
    credited short in March: `check --since` named its line in the generated ledger
    (since-2026-03.beancount), which every carry renumbers; now the month file's, as the
    whole check names it."""
    march = hand / "books" / "ops" / "2026" / "2026-03.beancount"
    march.write_text(march.read_text(encoding="utf-8").replace(
        _line("2026-03-03", "512.34", "B2", "财付通", "提现 100200300"),
        _line("2026-03-03", "500.00", "B2", "财付通", "提现 100200300", "Assets:Transit:WeChat")), encoding="utf-8")

    def where(*since):
        result = beanclear(hand, "check", "--format", "json", *since)
        return [(f["file"], f["line"]) for f in json.loads(result.output)["findings"]
                if f["code"] == "payout-mismatch" and "100200300" in f["refs"] and f["date"] >= "2026-03-01"]
    assert where("--since", "2026-03") == where() == [("books/wechat/2025/2025-12.beancount", 1)]
