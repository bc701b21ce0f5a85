"""A channel whose first statement states no balance (Stripe's "balance change from
activity" report) and whose first payouts pay out money from before it: the clearing
account is driven below zero, and the statement before (or the opening balance) is
missing. blind9: a merchant without books of their own imported May's Stripe report; its
payouts of 05-01 and 05-02 paid out April's charges (800.10 USD), Assets:Clearing:Stripe
ended May at -248.48 USD, and beanclear said nothing. One statement-gap of the channel
says it (DESIGN §5: one cause, one finding), naming the payouts and what to do; a report
whose payouts pay out its own charges says nothing."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: UTC
channels:
  stripe:
    type: stripe
    currency: USD
    bank: ops{opening}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: USD
    columns: {{date: Date, ref: Ref, memo: Memo, payee: Payee, amount: Amount}}
"""
HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","source_id","description","automatic_payout_id"')
# April's charges, paid out on 05-01 and 05-02: in no statement of the books
APRIL_PAYOUTS = [
    '"txn_P1","2026-05-01 12:00:00","2026-05-01 12:00:00","usd","-482.10","0.00","-482.10","payout","po_1",'
    '"STRIPE PAYOUT",""',
    '"txn_P2","2026-05-02 12:00:00","2026-05-02 12:00:00","usd","-318.00","0.00","-318.00","payout","po_2",'
    '"STRIPE PAYOUT",""',
]
MAY = [
    '"txn_C1","2026-05-01 14:00:00","2026-05-03 00:00:00","usd","124.63","3.91","120.72","charge","ch_C1",'
    '"Candle order","po_3"',
    '"txn_C2","2026-05-02 15:00:00","2026-05-04 00:00:00","usd","50.00","1.75","48.25","charge","ch_C2",'
    '"Candle order","po_3"',
    '"txn_P3","2026-05-04 12:00:00","2026-05-04 12:00:00","usd","-{po3}","0.00","-{po3}","payout","po_3",'
    '"STRIPE PAYOUT",""',
    '"txn_C3","2026-05-20 10:00:00","2026-05-22 00:00:00","usd","30.00","1.17","28.83","charge","ch_C3",'
    '"Candle order","po_4"',
    '"txn_P4","2026-05-22 12:00:00","2026-05-22 12:00:00","usd","-28.83","0.00","-28.83","payout","po_4",'
    '"STRIPE PAYOUT",""',
]
BANK = ["Date,Ref,Memo,Payee,Amount", "2026-05-03,B1,STRIPE PAYOUT,Stripe,482.10",
        "2026-05-04,B2,STRIPE PAYOUT,Stripe,318.00", "2026-05-06,B3,STRIPE PAYOUT,Stripe,{po3}",
        "2026-05-24,B4,STRIPE PAYOUT,Stripe,28.83"]


def merchant(folder, april=True, po3="168.97", opening="", in_flight=False, own=""):
    (folder / "config.yaml").write_text(CONFIG.format(opening=opening), encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    rows = (APRIL_PAYOUTS if april else []) + [row.replace("{po3}", po3) for row in MAY]
    (statements / "stripe-2026-05.csv").write_text("\n".join([HEAD, *sorted(rows, key=lambda r: r.split(",")[1])])
                                                   + "\n", encoding="utf-8")
    bank = BANK if april else [BANK[0], *BANK[3:]]
    if in_flight:   # the credit of a payout of 04-30
        bank = [bank[0], "2026-05-01,B0,STRIPE PAYOUT,Stripe,329.08", *bank[1:]]
    (statements / "bank-2026-05.csv").write_text("\n".join(line.replace("{po3}", po3) for line in bank) + "\n",
                                                 encoding="utf-8")
    result = beanclear(folder, "import", str(statements))
    assert result.exit_code == 0, result.output
    if own:   # books the merchant kept before beanclear, beside its own
        (folder / "books" / "own.beancount").write_text(own, encoding="utf-8")
        with (folder / "books" / "main.beancount").open("a", encoding="utf-8") as main:
            main.write('include "own.beancount"\n')
    checked = beanclear(folder, "check", "--format", "json")
    return json.loads(checked.output)["findings"]


def test_payouts_of_money_from_before_the_first_statement_are_one_statement_gap(tmp_path):
    found = merchant(tmp_path)
    [gap] = found
    assert (gap["code"], gap["severity"], gap["source"], gap["date"]) == (
        "statement-gap", "warning", "stripe", "2026-05-01"), found
    assert gap["refs"] == ["po_1", "po_2"], gap
    assert gap["message"] == (
        "the statements of stripe start 2026-05-01 (and state no balance); 2 payout(s) (800.10 USD) of their first "
        "days take 800.10 USD more than Assets:Clearing:Stripe held, money that came in before 2026-05-01: import "
        "the statement of stripe before 2026-05-01, or set `channels.stripe.opening_balance` in config.yaml to what "
        "Assets:Clearing:Stripe held at the end of 2026-04-30 (800.10 USD at least; the next import books it)"), \
        gap["message"]


def test_a_payout_taking_more_than_its_items_in_the_first_statement_is_the_same_gap(tmp_path):
    # po_3 pays 200.00 for the 168.97 of its items the report holds: 31.03 of April's
    found = merchant(tmp_path, po3="200.00")
    [gap] = found
    assert (gap["code"], gap["source"], gap["date"]) == ("statement-gap", "stripe", "2026-05-01"), found
    assert {"po_1", "po_2", "po_3"} <= set(gap["refs"]), gap
    assert "3 payout(s) (1,000.10 USD) of their first days take 831.13 USD more than Assets:Clearing:Stripe held" \
        in gap["message"], gap["message"]


def test_with_a_payout_in_flight_at_the_start_it_is_one_gap_of_the_start(tmp_path):
    # the bank's credit of 05-01 is of a payout of 04-30, in no statement either: the
    # statement before 05-01 is missing, one cause, said once with both of its consequences
    found = merchant(tmp_path, in_flight=True)
    [gap] = found
    assert (gap["code"], gap["source"], gap["date"]) == ("statement-gap", "stripe", "2026-05-01"), found
    assert gap["message"].startswith("the statements of stripe start 2026-05-01 (a payout in flight when your books "
                                     "began: "), gap["message"]
    assert ("are of payouts before them: they wait for the statement of stripe before 2026-05-01; and 2 payout(s) "
            "(800.10 USD) of their first days take 800.10 USD more than Assets:Clearing:Stripe held") \
        in gap["message"], gap["message"]
    assert {"B0", "po_1", "po_2"} <= set(gap["refs"]), gap


OWN = """
2026-04-30 * "Stripe" "Sales to 2026-04-30"
  Assets:Clearing:Stripe      1000.00 USD
  Income:Sales:Stripe
2026-05-01 * "Stripe" "Payout to checking, booked by hand"
  Assets:Bank:Ops              482.10 USD
  Assets:Clearing:Stripe
"""


def test_books_of_ones_own_before_the_statements_say_what_the_account_held(tmp_path):
    # blind9's merchant with books of their own: Assets:Clearing:Stripe held 1,000.00 on
    # 04-30 by them, ample for May's first payouts. Their own entries after it (a payout
    # booked by hand beside the statement's) drain it first in, first out; no statement
    # is missing for it, and the start says nothing
    # (the hand payout of 05-01, a day the statement covers, is money twice: the cut-over's
    # own finding, statements/cut_over.py, not a statement missing before the start)
    found = merchant(tmp_path, own=OWN)
    gaps = [f for f in found if f["code"] == "statement-gap" and f["source"] == "stripe"]
    assert [f["message"].startswith("your own entries of Assets:Clearing:Stripe") for f in gaps] == [True], found


def test_a_report_whose_payouts_pay_out_its_own_charges_says_nothing(tmp_path):
    assert merchant(tmp_path, april=False) == []


def test_the_opening_balance_in_the_config_answers_it(tmp_path):
    # what the clearing account held at the end of 04-30: the payouts take it, nothing is said
    assert merchant(tmp_path, opening="\n    opening_balance: {date: 2026-04-30, amount: 800.10}") == []
    # an opening short of it: the payouts are judged against it, as after any opening
    short = tmp_path / "short"
    short.mkdir()
    found = merchant(short, opening="\n    opening_balance: {date: 2026-04-30, amount: 800.00}")
    assert [(f["code"], f["amount"]) for f in found] == [("payout-mismatch", "0.10")], found


# blind18 pluginonly: Stripe kept by hand to 04-30, then the report of May imported. The
# hand-booked charge and refund leave 86.80 USD in clearing; po_3 pays them out with its
# own items (168.97), and the report's items name po_3.
HAND = """
2026-04-28 * "Ava Brooks" "Stripe charge, booked by hand"
  Assets:Clearing:Stripe        96.80 USD
  Expenses:Fees:Stripe           3.20 USD
  Income:Sales:Stripe         -100.00 USD
2026-04-29 * "Liam Chen" "Stripe refund, booked by hand"
  Income:Sales:Stripe           10.00 USD
  Assets:Clearing:Stripe       -10.00 USD
"""


def hand_kept(folder, po3):
    return merchant(folder, april=False, po3=po3, own=HAND)


def test_a_payout_beyond_the_items_that_name_it_takes_the_hand_booked_money_first(tmp_path):
    # 168.97 + 86.80: the clearing account comes to 0.00 after it, as without the
    # report's `automatic_payout_id` (README: "A payout beyond the items that name it …
    # takes the rest first in, first out"); it was a false unsettled of 86.80 for 04-28
    found = hand_kept(tmp_path, "255.77")
    assert found == [], found


def test_a_payout_of_just_its_items_leaves_the_hand_booked_money_unsettled(tmp_path):
    # must not fire the other way: po_3 pays its items only, the hand-booked 86.80 is still
    # in clearing at the end of May
    found = hand_kept(tmp_path, "168.97")
    assert [(f["code"], f["date"], f["amount"]) for f in found] == [("unsettled", "2026-04-28", "86.80")], found


def test_a_payout_short_of_the_items_that_name_it_is_still_a_mismatch(tmp_path):
    # short of its named items: a payout-mismatch of the difference, and the hand-booked
    # money is no part of it (nothing takes it: unsettled as before)
    found = hand_kept(tmp_path, "150.00")
    assert sorted((f["code"], f["amount"]) for f in found) == [
        ("payout-mismatch", "18.97"), ("unsettled", "86.80")], found


# --- Stripe's API, a day at a time, and its payouts' webhooks (blind31 livefeeds) ---------
# What `fetch` archives: a list of a day's balance transactions, whose `url` says the days
# it answers for, and a payout object a `payout.paid` webhook brought (event-payout-….json).
API_CONFIG = """\
books: books
currency: USD
timezone: UTC
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 7{opening}
"""


def _ts(day: str, hour: int) -> int:
    import datetime as dt
    return int(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp())


def _bt(ident: str, day: str, hour: int, cents: int, fee: int = 0, payout: str = "") -> dict:
    kind = "payout" if payout else "charge"
    return {"id": ident, "object": "balance_transaction", "amount": cents, "fee": fee, "net": cents - fee,
            "currency": "usd", "created": _ts(day, hour), "available_on": _ts(day, hour), "description": kind,
            "exchange_rate": None, "fee_details": [], "reporting_category": kind, "type": kind,
            "status": "available", "source": payout or f"ch_{ident}"}


def _payout(ident: str, day: str, hour: int, cents: int) -> dict:
    """A payout object as a `payout.paid` webhook brings it, its balance transaction's day not fetched."""
    return {"id": ident, "object": "payout", "amount": cents, "currency": "usd", "created": _ts(day, hour),
            "arrival_date": _ts(day, hour) + 86400, "balance_transaction": f"txn_{ident}", "status": "paid",
            "automatic": True, "method": "standard", "type": "bank_account", "failure_balance_transaction": None}


def api_merchant(folder, days: dict, events=(), opening=""):
    """`days`: day -> its balance transactions (a list covering the day, as `fetch` archives
    it); `events`: payout objects of webhooks. Imported, then checked: the findings."""
    import datetime as dt
    (folder / "config.yaml").write_text(API_CONFIG.format(opening=opening), encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    for day, rows in days.items():
        after = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
        listed = {"object": "list", "has_more": False, "data": sorted(rows, key=lambda r: -r["created"]),
                  "url": f"/v1/balance_transactions?created[gte]={_ts(day, 0)}&created[lt]={_ts(after, 0)}"}
        (statements / f"balance-transactions-{day}.json").write_text(json.dumps(listed), encoding="utf-8")
    for payout in events:
        (statements / f"event-payout-{payout['id']}.json").write_text(json.dumps(payout), encoding="utf-8")
    result = beanclear(folder, "import", str(statements))
    assert result.exit_code == 0, result.output
    checked = beanclear(folder, "check", "--format", "json")
    return json.loads(checked.output)["findings"]


C1 = _bt("txn_c1", "2026-12-01", 10, 10000, 320)        # 96.80 net
C2 = _bt("txn_c2", "2026-12-02", 10, 5000, 175)         # 48.25 net
PO3 = _payout("po_3", "2026-12-02", 23, 14505)          # pays out both: 145.05
P3 = _bt("txn_po_3", "2026-12-02", 23, -14505, payout="po_3")


def test_a_webhook_payout_after_the_days_fetched_waits_for_its_day(tmp_path):
    # blind31 livefeeds 1: 12-01 fetched, the payout of 12-02 booked from its webhook. It pays
    # out 12-02's charge too, which no statement in the books covers yet: not money from
    # before 12-01, and no opening to set (it was "set opening_balance … 48.25 USD at least")
    found = api_merchant(tmp_path, {"2026-12-01": [C1]}, [PO3])
    assert found == [], found


def test_a_webhook_payout_after_a_hole_waits_for_the_hole(tmp_path):
    # 12-02 never answered, 12-03 fetched: the payout of 12-02 takes 12-02's money, and the
    # one finding is the hole of 12-02, not the statements' start
    found = api_merchant(tmp_path, {"2026-12-01": [C1], "2026-12-03": []}, [PO3])
    assert [(f["code"], f["date"]) for f in found] == [("statement-gap", "2026-12-02")], found
    assert "opening_balance" not in found[0]["message"], found[0]["message"]


def test_once_its_day_is_fetched_the_payout_is_judged_and_clean(tmp_path):
    # must not: every day covered, its charge booked, the payout pays out exactly the two
    found = api_merchant(tmp_path, {"2026-12-01": [C1], "2026-12-02": [C2, P3]}, [PO3])
    assert found == [], found


def test_a_payout_on_the_first_day_taking_money_of_before_it_still_asks_for_the_opening(tmp_path):
    # must not: the payout of 12-01 at 01:00 pays 200.00 out of an account the statements
    # show empty: money that came in before 12-01, the statement before (or the opening) missing
    found = api_merchant(tmp_path, {"2026-12-01": [_bt("txn_p0", "2026-12-01", 1, -20000, payout="po_0"), C1],
                                    "2026-12-02": []})
    [gap] = found
    assert (gap["code"], gap["date"], gap["refs"]) == ("statement-gap", "2026-12-01", ["po_0"]), gap
    assert "money that came in before 2026-12-01" in gap["message"], gap["message"]
    assert "`channels.stripe.opening_balance`" in gap["message"] and "(200.00 USD at least" in gap["message"]
    # and the opening set answers it
    opened = tmp_path / "opened"
    opened.mkdir()
    assert api_merchant(opened, {"2026-12-01": [_bt("txn_p0", "2026-12-01", 1, -20000, payout="po_0"), C1],
                                 "2026-12-02": []},
                        opening="\n    opening_balance: {date: 2026-11-30, amount: 200.00}") == []


def test_a_covered_day_short_of_a_row_is_no_opening(tmp_path):
    # blind31's late row: the payout of 12-02 paid out all 12-01 held (no money from before
    # it was there to take); the payout of 12-04 takes 30.00 more than 12-03's charges left:
    # a row of the days covered is missing (the channel adds it later), not an opening
    days = {"2026-12-01": [C1],
            "2026-12-02": [_bt("txn_p2", "2026-12-02", 12, -9680, payout="po_2")],
            "2026-12-03": [_bt("txn_c3", "2026-12-03", 10, 5000, 175)],   # a 30.00 charge of 12-03 missing
            "2026-12-04": [_bt("txn_p4", "2026-12-04", 12, -7825, payout="po_4")],
            "2026-12-05": []}
    found = api_merchant(tmp_path, days)
    [short] = found
    assert (short["code"], short["date"], short["amount"], short["refs"]) == (
        "payout-mismatch", "2026-12-04", "30.00", ["po_4"]), short
    assert "opening_balance" not in short["message"] and "before 2026-12-01" not in short["message"], short
    assert "a row missing" in short["message"], short["message"]
    # must not: with the row, nothing
    days["2026-12-03"].append(_bt("txn_c3b", "2026-12-03", 11, 3000))
    whole = tmp_path / "whole"
    whole.mkdir()
    assert api_merchant(whole, days) == []


# --- a personal wallet's bill (FORMATS.md §1: it states no balance) -----------------------
# blind33 microseller: the wallet held 500.00 before its bill starts; a 100.00 收钱码 sale,
# then a 300.00 提现 credited at CMB. The withdrawal was "error payout-mismatch … takes
# 200.00 more than the 100.00 CNY … held", whose write-off would post the wallet's own money
# to Expenses:Fees:Bank: the rule above left wallets out (its window was the days a
# settlement takes, T+1 by default; a wallet's balance is withdrawn whenever its owner likes).
WALLET_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  alipay-personal:
    type: alipay-personal
    bank: cmb{opening}
banks:
  cmb:
    type: csv
    account: Assets:Bank:CMB
    currency: CNY
    columns: {{date: Date, ref: Ref, memo: Memo, payee: Payee, amount: Amount}}
"""
WALLET_HEAD = ["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态",
               "交易订单号", "商家订单号", "备注"]


def wallet_bill(rows, start="2025-01-01", end="2025-03-31") -> bytes:
    """An Alipay personal bill of the current layout (FORMATS.md §1a), rows as (time,
    category, counterparty, item, 收/支, amount, method, trade no), newest first as Alipay
    lists them."""
    lines = ["-" * 84, "导出信息：", "姓名：李小梅", "支付宝账户：lixm***@163.com",
             f"起始时间：[{start} 00:00:00]    终止时间：[{end} 23:59:59]", "导出交易类型：[全部]",
             "导出时间：[2025-04-03 10:02:11]", f"共{len(rows)}笔记录", "特别提示：", "",
             "-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24, ",".join(WALLET_HEAD) + ","]
    for when, category, who, item, way, amount, method, trade in sorted(rows, reverse=True):
        lines.append(",".join([when, category, who, "/", item, way, amount, method, "交易成功", trade + "\t", "\t", ""])
                     + ",")
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def sale(day, amount, n):
    return (f"{day} 10:00:00", "收入", "*王", "收钱码收款", "收入", amount, "", f"2025{n:024d}")


def withdrawal(day, amount, n):
    return (f"{day} 21:00:00", "转账红包", "招商银行(6789)", "提现-实时提现", "不计收支", amount, "余额",
            f"2025{n:028d}")


def wallet_merchant(folder, rows, credits, opening=""):
    """The findings of a wallet's bill and the bank's credits of its withdrawals
    ((day, amount)), and the summary lines of its import."""
    (folder / "config.yaml").write_text(WALLET_CONFIG.format(opening=opening), encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    (statements / "alipay_record_2025Q1.csv").write_bytes(wallet_bill(rows))
    bank = ["Date,Ref,Memo,Payee,Amount", *(f"{day},B{n},支付宝提现,支付宝（中国）网络技术有限公司,{amount}"
                                           for n, (day, amount) in enumerate(credits)),
            "2025-03-31,BX,转账,张三,-10.00"]
    (statements / "cmb-2025Q1.csv").write_text("\n".join(bank) + "\n", encoding="utf-8")
    imported = beanclear(folder, "import", str(statements))
    assert imported.exit_code == 0, imported.output
    checked = beanclear(folder, "check", "--format", "json")
    return [f for f in json.loads(checked.output)["findings"] if f["code"] != "bank-unmatched"], imported.output


def test_a_wallets_withdrawal_of_money_from_before_its_bill_is_the_unknown_opening(tmp_path):
    found, _ = wallet_merchant(tmp_path, [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-10", "300.00", 2)],
                               [("2025-01-10", "300.00")])
    [gap] = found
    assert (gap["code"], gap["severity"], gap["source"], gap["date"]) == (
        "statement-gap", "warning", "alipay-personal", "2025-01-01"), found
    assert gap["message"].startswith("the statements of alipay-personal start 2025-01-01 (and state no balance); "
                                     "1 payout(s) (300.00 CNY) of their first days take 200.00 CNY more than "
                                     "Assets:Clearing:Alipay-personal held"), gap["message"]
    assert ("`channels.alipay-personal.opening_balance` in config.yaml to what Assets:Clearing:Alipay-personal held "
            "at the end of 2024-12-31 (200.00 CNY at least" in gap["message"]), gap["message"]


def test_a_wallets_late_withdrawal_after_a_smaller_one_is_still_the_opening(tmp_path):
    # a wallet's withdrawal takes what its owner chooses, not all it holds: a first one of
    # 50.00 out of the 100.00 sale says nothing of what the wallet held before the bill, and
    # the 300.00 of 03-10, two months on, takes 250.00 of that money
    found, _ = wallet_merchant(tmp_path, [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-06", "50.00", 2),
                                          withdrawal("2025-03-10", "300.00", 3)],
                               [("2025-01-06", "50.00"), ("2025-03-10", "300.00")])
    assert [(f["code"], f["refs"]) for f in found] == [("statement-gap", ["2025" + "0" * 27 + "3"])], found
    assert "(250.00 CNY at least" in found[0]["message"], found[0]["message"]


def test_a_wallet_whose_withdrawals_it_held_or_whose_opening_is_set_says_nothing(tmp_path):
    # must not: withdrawals out of the bill's own money, all of it; the opening set answers the first
    within, _ = wallet_merchant(tmp_path, [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-20", "30.00", 2),
                                           withdrawal("2025-03-10", "70.00", 3)],
                                [("2025-01-20", "30.00"), ("2025-03-10", "70.00")])
    assert within == [], within
    opened = tmp_path / "opened"
    opened.mkdir()
    found, _ = wallet_merchant(opened, [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-10", "300.00", 2)],
                               [("2025-01-10", "300.00")],
                               opening="\n    opening_balance: {date: 2024-12-31, amount: 500.00}")
    # (what the wallet keeps of it, 300.00, is there still: `unsettled` is its settlement_days')
    assert [f for f in found if f["code"] != "unsettled"] == [], found


def test_a_wallet_with_its_opening_set_still_has_a_payout_taking_more_than_it_held(tmp_path):
    # must not: the opening known (500.00), a withdrawal beyond what the wallet then held is
    # the statement's own shortfall, after a first one it held all of: a payout-mismatch
    found, _ = wallet_merchant(tmp_path, [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-10", "300.00", 2),
                                          withdrawal("2025-02-10", "400.00", 3)],
                               [("2025-01-10", "300.00"), ("2025-02-10", "400.00")],
                               opening="\n    opening_balance: {date: 2024-12-31, amount: 500.00}")
    assert [(f["code"], f["date"], f["amount"]) for f in found] == [("payout-mismatch", "2025-02-10", "100.00")], found
    assert "opening_balance" not in found[0]["message"], found[0]["message"]


def test_the_import_of_a_wallets_first_bill_says_its_opening_is_unknown(tmp_path):
    # the bank's first statement says the opening it writes; the wallet's said nothing, and
    # its withdrawal then failed with no word of the opening (blind33 microseller)
    rows = [sale("2025-01-05", "100.00", 1), withdrawal("2025-01-10", "300.00", 2)]
    _, output = wallet_merchant(tmp_path, rows, [("2025-01-10", "300.00")])
    [line] = [line for line in output.splitlines() if "alipay_record_2025Q1.csv" in line]
    assert line.endswith(
        "; note: first statement of Assets:Clearing:Alipay-personal: it states no balance, so what the account held "
        "at the end of 2024-12-31 is not known and no opening is written from it: set "
        "`channels.alipay-personal.opening_balance` in config.yaml to that (until then, payouts of money from "
        "before 2025-01-01 are a statement-gap in `beanclear check`)"), line
    # must not: its opening set, or a later bill of it
    opened = tmp_path / "opened"
    opened.mkdir()
    _, output = wallet_merchant(opened, rows, [("2025-01-10", "300.00")],
                                opening="\n    opening_balance: {date: 2024-12-31, amount: 500.00}")
    assert "no opening" not in output and "opening_balance" not in output, output
    april = tmp_path / "april"
    april.mkdir()
    (april / "alipay_record_202504.csv").write_bytes(wallet_bill([sale("2025-04-02", "10.00", 9)], "2025-04-01",
                                                                 "2025-04-30"))
    later = beanclear(tmp_path, "import", str(april))
    assert later.exit_code == 0 and "no opening" not in later.output, later.output
