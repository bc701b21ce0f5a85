"""A bank statement downloaded again with a line the bank added since (books/late_balances.py):
the lines already booked are found by their ids (not by their running balances, which the
added line changes), the added line is booked once, and the balances it changes are
restated, whichever download comes first. A blind helper's ICBC re-download booked four
payouts a second time and left its balance assertions failing."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: CNY
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, balance: 余额}
"""
HEADER = "交易日期,摘要,对方户名,交易金额,余额"
FIRST = [HEADER, "2026-01-20,他行汇入,客户甲,200.00,1200.00", "2026-01-30,他行汇入,客户乙,500.00,1700.00"]
AGAIN = FIRST[:2] + ["2026-01-25,短信费,,-2.00,1198.00", "2026-01-30,他行汇入,客户乙,500.00,1698.00"]


def merchant(tmp_path, name):
    root = tmp_path / name
    (root / "st").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "st" / "jan.csv").write_text("\n".join(FIRST) + "\n", encoding="utf-8")
    (root / "st" / "jan-again.csv").write_text("\n".join(AGAIN) + "\n", encoding="utf-8")
    return root


def imported(root, *names):
    for name in names:
        result = beanclear(root, "import", str(root / "st" / name))
        assert result.exit_code == 0, result.output
    return result.output


def month(root) -> str:
    return (root / "books" / "ops" / "2026" / "2026-01.beancount").read_text(encoding="utf-8")


def failing(root) -> list[str]:
    findings = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    return [f["message"] for f in findings if f["code"] in ("beancount", "statement-gap")]


def test_the_download_with_the_added_line_books_it_once_and_restates_the_balances(tmp_path):
    first = merchant(tmp_path, "first")
    imported(first, "jan.csv")
    said = imported(first, "jan-again.csv")
    assert "restated the balances of 1 day(s) that its new lines come before" in said
    text = month(first)
    assert text.count("客户乙") == 1 and text.count("短信费") == 1
    assert "2026-01-31 balance Assets:Bank:Ops" in text and "1698.00 CNY" in text and "1700.00 CNY" not in text
    assert failing(first) == []
    assert "0 entries written" in imported(first, "jan-again.csv")   # once more: nothing
    # the older download after the newer: it knows less, and restates nothing
    later = merchant(tmp_path, "later")
    imported(later, "jan-again.csv")
    assert "restated" not in imported(later, "jan.csv")
    assert month(later) == month(first) and failing(later) == []


def test_a_download_that_brings_no_line_before_a_day_does_not_restate_it(tmp_path):
    root = merchant(tmp_path, "m")
    imported(root, "jan.csv")
    (root / "st" / "jan-wrong.csv").write_text("\n".join(FIRST[:2] + ["2026-01-30,他行汇入,客户乙,500.00,1690.00"])
                                               + "\n", encoding="utf-8")
    assert "restated" not in imported(root, "jan-wrong.csv")
    assert "1700.00 CNY" in month(root)
