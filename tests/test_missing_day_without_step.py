"""A day's WeChat bills not imported, between two days' bills, where the day's rows net to
nothing (its withdrawal took all it received): no running balance steps over it, and
WeChat makes no bill of a day without transactions, so the day looked quiet. What the
books lack points at it: the orders placed that day, of the shops the channel pays, have
no payment, and the bank credit of that day's withdrawal has no payout. One cause, one
finding (README "The workflow" step 3, DESIGN §5): one statement-gap naming the day, the
unpaid orders and the credit counted in it (blind9's 山野茶铺: 10 order-unpaid and a
bank-unmatched for one day's bills). A day without a bill and without transactions stays
quiet."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from conftest import beanclear
from test_refund_orders import fund_bill
from test_shop_journey import shop_export

CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 1, bank: ops, bank_days: 2, fees: [{rate: 0.006}]}
shops:
  teashop: {type: shopify, currency: CNY, order_days: 3}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
"""
BANK_HEADER = "交易日期,交易流水号,摘要,对方户名,交易金额,余额"
DAYS = range(1, 13)   # 2026-03-01 (a Sunday) to 03-12


def merchant(tmp_path, missing: int | None = None, quiet: int | None = None, config: str = CONFIG):
    """Two orders of 100.00 a day, paid through WeChat (a fund bill a day, as `beanclear
    fetch` names them), all withdrawn each evening and credited by the bank the next day
    with the withdrawal's id in its text. `quiet`: a day without orders (no bill: WeChat
    makes none); `missing`: a day whose bill is not imported. The merchant with every
    bill is returned beside it (`whole`)."""
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "orders").mkdir()
    busy = [d for d in DAYS if d != quiet]
    shop_export(tmp_path / "orders", [(f"{100 * d + n}", f"{d:02d}", "100.00", "0.00", "paid")
                                      for d in busy for n in (1, 2)])
    bank, balance = [BANK_HEADER], 0
    for d in busy:
        rows, held = [], 0
        for n in (1, 2):
            order = 100 * d + n
            held += 10000
            rows.append(f"2026-03-{d:02d} 1{n}:00:00,42000{order},F{order}a,交易,交易,收入,100.00,{held / 100:.2f},"
                        f"系统,,{order}")
            held -= 60
            rows.append(f"2026-03-{d:02d} 1{n}:00:00,42000{order},F{order}b,扣除交易手续费,扣除交易手续费,支出,0.60,"
                        f"{held / 100:.2f},系统,,{order}")
        payout = f"1000345678202603{d:02d}00000000{d:02d}"
        rows.append(f"2026-03-{d:02d} 23:30:00,{payout},F{d}w,提现,提现,支出,{held / 100:.2f},0.00,1612345678API,"
                    "自动提现,")
        fund_bill(tmp_path / "bills" / f"fundflow-2026-03-{d:02d}.csv", rows)
        balance += held
        bank.append(f"2026-03-{d + 1:02d},B{d},财付通提现 / {payout},财付通支付科技有限公司,{held / 100:.2f},"
                    f"{balance / 100:.2f}")
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "ops.csv").write_text("\n".join(bank) + "\n", encoding="utf-8")
    whole = tmp_path / "whole"
    shutil.copytree(tmp_path, whole)
    if missing is not None:
        (tmp_path / "bills" / f"fundflow-2026-03-{missing:02d}.csv").unlink()
    for books in (whole, tmp_path):
        for folder in ("orders", "bills", "bank"):
            assert beanclear(books, "import", str(books / folder)).exit_code == 0
    return whole


def check(books) -> tuple[int, list[dict]]:
    result = beanclear(books, "check", "--format", "json")
    return result.exit_code, json.loads(result.output)["findings"]


@pytest.mark.parametrize("missing", [8, 5])   # a Sunday, a Thursday
def test_a_days_bill_whose_rows_net_to_nothing_is_one_gap_with_the_orders_and_credit_it_leaves(tmp_path, missing):
    whole = merchant(tmp_path, missing=missing)
    assert check(whole) == (0, [])
    code, findings = check(tmp_path)
    assert [(f["code"], f["source"], f["date"]) for f in findings] == [
        ("statement-gap", "wechat", f"2026-03-{missing:02d}")], findings
    [gap] = findings
    assert code == 1 and gap["severity"] == "error", gap   # the books lack money something shows: CI fails
    assert gap["message"].startswith(f"no statement of wechat covers 2026-03-{missing:02d} to 2026-03-{missing:02d}"
                                     " (1 day"), gap["message"]
    assert "2 order(s)" in gap["message"] and "1 bank credit(s)" in gap["message"], gap["message"]
    assert {f"#{100 * missing + 1}", f"#{100 * missing + 2}", f"B{missing}"} <= set(gap["refs"]), gap["refs"]


def test_bean_check_fails_on_the_one_gap_too(tmp_path):
    merchant(tmp_path, missing=5)
    from beancount import loader
    entries, errors, options = loader.load_file(str(tmp_path / "books" / "main.beancount"))
    said = [e.message for e in errors]
    assert len(said) == 1 and said[0].startswith("statement-gap: no statement of wechat covers 2026-03-05"), said


def test_a_day_without_transactions_has_no_bill_and_is_quiet(tmp_path):
    # WeChat makes no bill of a day without transactions: a day between two bills with
    # nothing in it anywhere is quiet, never a gap
    merchant(tmp_path, quiet=5)
    assert check(tmp_path) == (0, [])


def test_one_unpaid_order_on_a_quiet_day_is_that_orders_finding(tmp_path):
    # a day of no bill whose one order nobody paid: one thing points at the day, which
    # may as well be quiet; the order is unpaid, as it was
    merchant(tmp_path, quiet=5)
    export = tmp_path / "orders" / "orders_export.csv"
    export.write_text(export.read_text(encoding="utf-8")
                      + "#9999,buyer@example.com,paid,2026-03-05 10:00:00 +0800,100.00,0.00,CNY,Tea\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "orders")).exit_code == 0
    code, findings = check(tmp_path)
    assert [(f["code"], f["refs"][0]) for f in findings] == [("order-unpaid", "#9999")], findings


def test_no_day_is_quiet_where_the_config_says_none_is(tmp_path):
    # `quiet_days: 0`: every day has a bill; a day without one is a hole, whatever its rows
    merchant(tmp_path, quiet=5, config=CONFIG.replace("bank_days: 2,", "bank_days: 2, quiet_days: 0,"))
    code, findings = check(tmp_path)
    assert [(f["code"], f["source"], f["date"]) for f in findings] == [("statement-gap", "wechat", "2026-03-05")], \
        findings
    assert findings[0]["message"].startswith("no statement of wechat covers 2026-03-05 to 2026-03-05 (1 day)")


def test_match_says_the_credit_names_a_payout_the_books_lack(tmp_path):
    whole = merchant(tmp_path, missing=5)
    said = beanclear(tmp_path, "match").output
    assert ("the text names 1000345678202603050000000005, shaped as a wechat payout id, but no statement in the books "
            "holds that payout") in said.replace("\n      ", " "), said
    assert "shaped as" not in beanclear(whole, "match").output
