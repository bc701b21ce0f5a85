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


def merchant(tmp_path, missing: int | tuple | None = None, quiet: int | None = None, config: str = CONFIG,
             busiest: tuple[int, int] | None = None):
    """Two orders of 100.00 a day, paid through WeChat (a fund bill a day, as `beanclear
    fetch` names them), all withdrawn each evening and credited by the bank the next day
    with the withdrawal's id in its text. `quiet`: a day without orders (no bill: WeChat
    makes none); `missing`: a day (or days) whose bill is not imported; `busiest`: (day, its
    orders) where a day has more than two. The merchant with every bill is returned beside it
    (`whole`)."""
    per_day = {d: 2 for d in DAYS} | dict([busiest] if busiest else [])
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "orders").mkdir()
    busy = [d for d in DAYS if d != quiet]
    shop_export(tmp_path / "orders", [(f"{100 * d + n}", f"{d:02d}", "100.00", "0.00", "paid")
                                      for d in busy for n in range(1, per_day[d] + 1)])
    bank, balance = [BANK_HEADER], 0
    for d in busy:
        rows, held = [], 0
        for n in range(1, per_day[d] + 1):
            order, at = 100 * d + n, f"1{n}:00:00" if n < 10 else f"20:{n:02d}:00"
            held += 10000
            rows.append(f"2026-03-{d:02d} {at},42000{order},F{order}a,交易,交易,收入,100.00,{held / 100:.2f},"
                        f"系统,,{order}")
            held -= 60
            rows.append(f"2026-03-{d:02d} {at},42000{order},F{order}b,扣除交易手续费,扣除交易手续费,支出,0.60,"
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
    for day in (missing,) if isinstance(missing, int) else missing or ():
        (tmp_path / "bills" / f"fundflow-2026-03-{day:02d}.csv").unlink()
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


def test_the_month_report_lists_what_the_gap_holds_in_the_gap_not_as_resolved(tmp_path, monkeypatch):
    """blind27 (volume): the gap names the first 20 of what it takes in; the month report,
    once the books went on past the month's end, called the other unpaid orders of the
    missing day "resolved by the books after the month's end": nothing resolved them, they
    wait in the gap (Finding.holds: all of them)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-03")
    merchant(tmp_path, missing=5, busiest=(5, 25))
    (tmp_path / "april").mkdir()
    balance = json.loads(beanclear(tmp_path, "check", "--format", "json").output)
    [gap] = [f for f in balance["findings"] if f["code"] == "statement-gap"]
    assert len(gap["refs"]) == 20 and "25 order(s) placed then" in gap["message"]
    ops = (tmp_path / "bank" / "ops.csv").read_text(encoding="utf-8").splitlines()
    last = ops[-1].split(",")[-1]
    (tmp_path / "april" / "ops-april.csv").write_text(   # the books go on past March (a rent debit)
        f"{BANK_HEADER}\n2026-04-02,B99,房租,某某物业,-1.00,{float(last) - 1:.2f}\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "april")).exit_code == 0
    report = json.loads(beanclear(tmp_path, "report", "2026-03", "--format", "json").output)
    assert [f for f in report["findings"] if f["status"] == "resolved"] == []
    assert [f["code"] for f in report["findings"] if f["status"] == "open"] == ["statement-gap"]


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
    # (beside bills of a day each, the gap names the setting that says the day was quiet: blind18)
    assert findings[0]["message"].startswith("no statement of wechat covers 2026-03-05 to 2026-03-05 (1 day; if wechat "
                                             "had no lines then, `channels.wechat.quiet_days: 1` says so)")


def test_match_says_the_credit_names_a_payout_the_books_lack(tmp_path):
    whole = merchant(tmp_path, missing=5)
    said = beanclear(tmp_path, "match").output
    assert ("the text names 1000345678202603050000000005, shaped as a wechat payout id, but no statement in the books "
            "holds that payout") in said.replace("\n      ", " "), said
    assert "shaped as" not in beanclear(whole, "match").output


# -- deciding the one gap: any ref it shows names it ------------------------------------

def acks_file(books):
    return books / "books" / "acks.beancount"


def decided_by_hand(books, *lines: str) -> None:
    """Decision lines written into acks.beancount as an earlier release (or a person) wrote them."""
    path = acks_file(books)
    path.write_text(path.read_text(encoding="utf-8") + "".join(f"{line}\n" for line in lines), encoding="utf-8")


def bean_check_errors(books) -> list[str]:
    from beancount import loader
    _, errors, _ = loader.load_file(str(books / "books" / "main.beancount"))
    return [e.message for e in errors]


def test_the_one_gap_is_acknowledged_by_any_ref_it_shows(tmp_path):
    """The gap is made from the findings it takes in (missing_rows._pointed), after the
    checks found them: `ack statement-gap #502` (a ref `check` lists of it) was written,
    the gap stayed an error, the acknowledgment said stale, and the same ack again wrote
    a second line. The acknowledgment is of the finding as listed."""
    merchant(tmp_path, missing=5)
    result = beanclear(tmp_path, "ack", "statement-gap", "#502", "--reason", "the day's bill is lost; WeChat resends it")
    assert result.exit_code == 0, result.output
    code, findings = check(tmp_path)
    assert code == 0 and [(f["code"], f["date"], f["acknowledged"]) for f in findings] == [
        ("statement-gap", "2026-03-05", True)], findings
    assert bean_check_errors(tmp_path) == []
    written = acks_file(tmp_path).read_text(encoding="utf-8")
    for ref in ("#502", "B5", "#501"):   # any ref of it: acknowledged already, nothing written
        again = beanclear(tmp_path, "ack", "statement-gap", ref, "--reason", "again")
        assert again.exit_code == 0 and "already acknowledged" in again.output, again.output
    assert acks_file(tmp_path).read_text(encoding="utf-8") == written
    summary = json.loads(beanclear(tmp_path, "check", "--format", "json").output)["summary"]
    assert summary == {"errors": 0, "warnings": 0, "acknowledged": 1, "following_up": 0}, summary


def test_an_acknowledgment_naming_nothing_is_stale_beside_the_acknowledged_gap(tmp_path):
    merchant(tmp_path, missing=5)
    decided_by_hand(tmp_path, '2026-03-20 custom "beanclear-ack" "statement-gap" "B5" "the bill is lost"',
                    '2026-03-20 custom "beanclear-ack" "statement-gap" "#999" "no such ref"')
    code, findings = check(tmp_path)
    assert code == 0 and [(f["code"], f["refs"][0] if f["code"] == "stale-ack" else f["date"], f["acknowledged"])
                          for f in findings] == [("statement-gap", "2026-03-05", True), ("stale-ack", "#999", False)], \
        findings


def test_the_one_gap_is_followed_up_by_any_ref_it_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-20")
    merchant(tmp_path, missing=5)
    result = beanclear(tmp_path, "follow-up", "statement-gap", "B5", "--owner", "alice", "--due", "2026-03-31",
                       "--note", "ask WeChat for the day's bill")
    assert result.exit_code == 0, result.output
    code, [gap] = check(tmp_path)
    assert code == 0 and (gap["follow_up"]["state"], gap["follow_up"]["owner"]) == ("following up", "alice"), gap
    again = beanclear(tmp_path, "follow-up", "statement-gap", "#501", "--owner", "alice", "--due", "2026-03-31",
                      "--note", "ask WeChat for the day's bill")
    assert again.exit_code == 0 and "already" in again.output, again.output
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    code, [gap] = check(tmp_path)
    assert code == 1 and gap["follow_up"]["state"] == "overdue" and gap["message"].count(" overdue since ") == 1, gap
    result = beanclear(tmp_path, "follow-up", "statement-gap", "#502", "--done", "--note", "WeChat cannot resend it")
    assert result.exit_code == 0, result.output
    code, [gap] = check(tmp_path)
    assert code == 0 and gap["acknowledged"] and gap["follow_up"]["state"] == "resolved", gap


def test_acknowledgments_an_earlier_release_wrote_for_what_the_gap_takes_in_still_count(tmp_path):
    """Books of an earlier release, which listed the day's unpaid orders and its credit
    one finding each, acknowledged by a person one by one: each still acknowledges its
    finding (an acknowledged finding points at no missing day), none is stale, CI passes."""
    merchant(tmp_path, missing=5)
    decided_by_hand(tmp_path, '2026-03-20 custom "beanclear-ack" "order-unpaid" "#501" "paid in cash"',
                    '2026-03-20 custom "beanclear-ack" "order-unpaid" "#502" "paid in cash"',
                    '2026-03-20 custom "beanclear-ack" "bank-unmatched" "B5" "the cash, banked"')
    code, findings = check(tmp_path)
    assert code == 0 and [(f["code"], f["refs"][0], f["acknowledged"]) for f in findings] == [
        ("order-unpaid", "#501", True), ("order-unpaid", "#502", True), ("bank-unmatched", "B5", True)], findings


def test_an_earlier_acknowledgment_of_one_finding_the_gap_takes_in_is_no_acknowledgment_of_the_gap(tmp_path):
    # one order acknowledged, the other and the credit not: they point at the day, and
    # the gap takes the three in. The one order's acknowledgment is used (not stale) but
    # decides nothing of the gap, which a ref it shows acknowledges.
    merchant(tmp_path, missing=5)
    decided_by_hand(tmp_path, '2026-03-20 custom "beanclear-ack" "order-unpaid" "#501" "paid in cash"')
    code, findings = check(tmp_path)
    assert code == 1 and [(f["code"], f["acknowledged"]) for f in findings] == [("statement-gap", False)], findings
    assert "#501" in findings[0]["refs"]
    refused = beanclear(tmp_path, "ack", "order-unpaid", "#502", "--reason", "paid in cash")
    assert refused.exit_code == 2 and "statement-gap" in refused.output and "2026-03-05" in refused.output, \
        refused.output
    assert beanclear(tmp_path, "ack", "statement-gap", "#501", "--reason", "the bill is lost").exit_code == 0
    code, findings = check(tmp_path)
    assert code == 0 and [(f["code"], f["acknowledged"]) for f in findings] == [("statement-gap", True)], findings


def test_a_holes_gap_holding_the_shops_deadlines_is_acknowledged_by_a_shops_ref(tmp_path):
    # days 5 to 8 without bills: one gap, whose finding takes in the shop's (the orders of
    # those days nothing paid, #501...): the shop's ref, shown among the gap's, names it, as
    # it named the shop's own finding before the two were one (an earlier release's ack).
    # (each day's withdrawal takes all it brought in: the balance carries on over the four
    # days, 0.00 to 0.00, which may be quiet, blind18; the orders and credits say they are not)
    merchant(tmp_path, missing=(5, 6, 7, 8))
    code, [gap] = check(tmp_path)
    assert code == 1 and gap["code"] == "statement-gap" and {"B5", "#501"} <= set(gap["refs"]), gap
    assert not gap["acknowledged"]
    decided_by_hand(tmp_path, '2026-03-20 custom "beanclear-ack" "statement-gap" "#501" "the bills are lost"')
    code, findings = check(tmp_path)
    assert [(f["code"], f["acknowledged"]) for f in findings] == [("statement-gap", True)], findings
    again = beanclear(tmp_path, "ack", "statement-gap", "B6", "--reason", "again")
    assert again.exit_code == 0 and "already acknowledged" in again.output, again.output


def test_an_order_unpaid_on_a_quiet_day_is_acknowledged_as_before(tmp_path):
    # the one unpaid order a quiet day may hold stays its own finding, acknowledged by its ref
    test_one_unpaid_order_on_a_quiet_day_is_that_orders_finding(tmp_path)
    assert beanclear(tmp_path, "ack", "order-unpaid", "#9999", "--reason", "cancelled by phone").exit_code == 0
    code, findings = check(tmp_path)
    assert code == 0 and [(f["code"], f["acknowledged"]) for f in findings] == [("order-unpaid", True)], findings
