"""Every view, once (DESIGN.md §1): a channel's trade view (Alipay 业务明细, WeChat 交易账单)
and its fund view (Alipay 账务明细, WeChat 资金账单) list the same payments, fees and
refunds. Whichever is imported books them; when both are, in either order or in one
command, nothing is booked twice and nothing is lost, and the fund view's running
balances hold. The statements are written here: one merchant's day on both channels,
two payments, a refund (with the fee it returns) and a withdrawal that reaches ICBC.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.books import render
from beanclear.books import load
from conftest import beanclear, snapshot
from statement_files import fund_ledger, fund_row, icbc_row, icbc_statement, trade_detail, trade_row

CONFIG = """\
books: books
channels:
  alipay:
    type: alipay
    account_id: "20880000000000000156"
    settlement_days: 1
    bank: icbc
    bank_days: 2
    fees: [{rate: 0.006}]
  wechat:
    type: wechat
    settlement_days: 1
    bank: icbc
    bank_days: 2
    fees: [{rate: 0.006}]
banks:
  icbc: {type: icbc, account: Assets:Bank:ICBC}
"""

# -- Alipay: 业务明细 and 账务明细 of the same day -------------------------------------------

T1, T2 = "2026030122001100001", "2026030122001100002"
ALIPAY_TRADE = [trade_row(T1, "QF1", "交易", "2026-03-01 10:00:00", "100.00", "100.00", "0.60"),
                trade_row(T2, "QF2", "交易", "2026-03-01 11:00:00", "50.00", "50.00", "0.30"),
                trade_row(T1, "QF1", "退款", "2026-03-01 15:00:00", "-10.00", "-10.00", "-0.06", batch="RF1-1")]
ALIPAY_TRADE_FOOTER = ["#交易合计：2笔，商家实收共150.00元，商家优惠共0.00元",
                       "#退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元"]
ALIPAY_FUND = [  # newest first, as Alipay lists them
    fund_row("410007", "20260301000007", "", "2026-03-01 23:00:00", "0.00", "-139.16", "0.00", "提现", "提现到工商银行",
             item="提现", other=""),
    fund_row("410006", T1, "QF1", "2026-03-01 15:00:01", "0.06", "0.00", "139.16", "收费", f"服务费[{T1}]"),
    fund_row("410005", T1, "QF1", "2026-03-01 15:00:00", "0.00", "10.00", "139.10", "退款"),
    fund_row("410004", T2, "QF2", "2026-03-01 11:00:01", "0.00", "-0.30", "149.10", "收费", f"服务费[{T2}]"),
    fund_row("410003", T2, "QF2", "2026-03-01 11:00:00", "50.00", "0.00", "149.40", "在线支付"),
    fund_row("410002", T1, "QF1", "2026-03-01 10:00:01", "0.00", "-0.60", "99.40", "收费", f"服务费[{T1}]"),
    fund_row("410001", T1, "QF1", "2026-03-01 10:00:00", "100.00", "0.00", "100.00", "在线支付"),
]
ALIPAY_FUND_FOOTER = ["#支出合计：4笔，共150.06元", "#收入合计：3笔，共150.06元"]

# -- WeChat: 交易账单 (ALL) and 资金账单 of the same day ---------------------------------------

TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"


def wechat_trade_row(time, trade, order, status, settled, fee, refund_id="0", refund="0.00", refund_status=""):
    ordered = settled if status == "SUCCESS" else "0.00"
    return (f"{time},wx1,1601959334,0,,{trade},{order},user,JSAPI,{status},CFT,CNY,{settled},0.00,{refund_id},"
            f"{'R-' + order if refund_id != '0' else '0'},{refund},0.00,,{refund_status},Tea,,{fee},0.60%,{ordered},"
            f"{refund},")


W1, W2, WR = "4200000001", "4200000002", "50300001"
WECHAT_TRADE = [wechat_trade_row("2026-03-01 10:00:00", W1, "WO1", "SUCCESS", "200.00", "1.20000"),
                wechat_trade_row("2026-03-01 11:00:00", W2, "WO2", "SUCCESS", "50.00", "0.30000"),
                wechat_trade_row("2026-03-01 15:00:00", W1, "WO1", "REFUND", "0.00", "-0.06000", WR, "10.00", "SUCCESS")]
WECHAT_TRADE_TOTALS = "3,250.00,10.00,0.00,1.44000,250.00,10.00"
WECHAT_FUND = [
    f"2026-03-01 10:00:00,{W1},F1,交易,交易,收入,200.00,200.00,1601959334API,,WO1",
    f"2026-03-01 10:00:00,{W1},F2,扣除交易手续费,扣除交易手续费,支出,1.20,198.80,1601959334API,,WO1",
    f"2026-03-01 11:00:00,{W2},F3,交易,交易,收入,50.00,248.80,1601959334API,,WO2",
    f"2026-03-01 11:00:00,{W2},F4,扣除交易手续费,扣除交易手续费,支出,0.30,248.50,1601959334API,,WO2",
    f"2026-03-01 15:00:00,{WR},F5,退款,退款,支出,9.94,238.56,1601959334API,退款总金额10.00元;含手续费0.06元,R-WO1",
    "2026-03-01 23:00:00,100001,F6,提现,提现,支出,238.56,0.00,1601959334API,提现到工商银行,",
]
WECHAT_FUND_TOTALS = "6,2,250.00,4,250.00"


def wechat_bill(folder, name, header, rows, summary, totals):
    lines = [header] + [",".join("`" + c for c in r.split(",")) for r in rows]
    lines += [summary, ",".join("`" + c for c in totals.split(","))]
    path = folder / name
    path.write_text("\r\n".join(lines), encoding="utf-8")
    return path


def statements(folder, views):
    """The day's files of the views asked for ('trade', 'fund')."""
    folder.mkdir(parents=True, exist_ok=True)
    if "trade" in views:
        trade_detail(folder, rows=ALIPAY_TRADE, footer=ALIPAY_TRADE_FOOTER, name="alipay_业务明细.csv")
        wechat_bill(folder, "wechat_trade.csv", TRADE_HEADER, WECHAT_TRADE, TRADE_SUMMARY, WECHAT_TRADE_TOTALS)
    if "fund" in views:
        fund_ledger(folder, rows=ALIPAY_FUND, footer=ALIPAY_FUND_FOOTER, name="alipay_账务明细.csv")
        wechat_bill(folder, "wechat_fund.csv", FUND_HEADER, WECHAT_FUND, FUND_SUMMARY, WECHAT_FUND_TOTALS)
        icbc_statement(folder, rows=[
            icbc_row("2026-03-02", "财付通提现", "", "财付通", "238.56", "", "377.72", "财付通支付科技有限公司"),
            icbc_row("2026-03-02", "支付宝提现", "", "支付宝", "139.16", "", "139.16", "支付宝（中国）网络技术有限公司")],
            totals=("377.72", "0.00"), name="icbc.csv")
    return folder


def imported(tmp_path, *batches):
    """Import each batch of files (one `beanclear import` each) into fresh books."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for batch in batches:
        result = beanclear(tmp_path, "import", *map(str, batch))
        assert result.exit_code == 0, result.output
    return tmp_path


def book_totals(merchant) -> dict:
    entries, errors, _ = load(merchant / "books" / "main.beancount")
    out: dict = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction) and not e.meta["filename"].endswith("accounts.beancount"):
            for p in e.postings:
                out[p.account] += p.units.number
    return {k: v for k, v in out.items() if v}


def findings(merchant) -> list:
    check = beanclear(merchant, "check", "--format", "json")
    return [(f["code"], f.get("message", "")) for f in json.loads(check.output)["findings"]]


BOTH = {"Assets:Bank:ICBC": Decimal("377.72"),
        "Expenses:Fees:Alipay": Decimal("0.84"), "Income:Sales:Alipay": Decimal("-140.00"),
        "Expenses:Fees:WeChat": Decimal("1.44"), "Income:Sales:WeChat": Decimal("-240.00")}


def scenario(tmp_path, order):
    trade, fund = statements(tmp_path / "t", {"trade"}), statements(tmp_path / "f", {"fund"})
    batches = {"trade": [[trade]], "fund": [[fund]], "trade then fund": [[trade], [fund]],
               "fund then trade": [[fund], [trade]], "one command": [[trade, fund]]}[order]
    return imported(tmp_path, *batches)


@pytest.mark.parametrize("order", ["fund", "trade then fund", "fund then trade", "one command"])
def test_any_order_books_the_day_once_and_clean(tmp_path, order):
    merchant = scenario(tmp_path, order)
    # Sales, fees, the refund and the fee it returned, the withdrawals reaching ICBC: once each.
    assert book_totals(merchant) == BOTH
    # Balance assertions hold, every fee is the contract's, the payouts arrived: no finding.
    assert findings(merchant) == []


def test_fund_view_alone_books_sales_fees_refunds_and_withdrawals(tmp_path):
    merchant = scenario(tmp_path, "fund")
    books = (merchant / "books" / "alipay" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert books.count('fee-of: "') == 2 and 'fee-back-of: "2026030122001100001"' in books
    assert "2026-03-02 balance Assets:Clearing:Alipay" in books
    again = beanclear(merchant, "import", str(tmp_path / "f"))
    assert again.output.count(" 0 entries written") == 3


def test_trade_view_alone(tmp_path):
    merchant = scenario(tmp_path, "trade")
    assert book_totals(merchant) == {
        "Assets:Clearing:Alipay": Decimal("139.16"), "Expenses:Fees:Alipay": Decimal("0.84"),
        "Income:Sales:Alipay": Decimal("-140.00"), "Assets:Clearing:WeChat": Decimal("238.56"),
        "Expenses:Fees:WeChat": Decimal("1.44"), "Income:Sales:WeChat": Decimal("-240.00")}
    assert [code for code, _ in findings(merchant) if code == "fee-gap"] == []


def test_second_view_adds_only_what_the_first_lacks(tmp_path):
    merchant = scenario(tmp_path, "trade")
    result = beanclear(merchant, "import", str(statements(tmp_path / "f", {"fund"})))
    lines = result.output.strip().splitlines()
    # 账务明细: withdrawal and balance new; two payments, two fees, refund, fee returned known
    assert "alipay (alipay fund ledger), 7 rows read, 1 entries written, 6 already in the books" in lines[0]
    assert "wechat (wechat fund bill), 6 rows read, 1 entries written, 5 already in the books" in lines[2]


def test_one_command_says_what_a_file_before_it_booked_is_not_only_the_books(tmp_path):
    # blind round 15 (auditor): into empty books, the fund bill imported with its trade
    # bill said "5 already in the books" of rows the trade bill of the same command booked
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    folder = tmp_path / "s"
    statements(folder, {"trade"}), statements(folder, {"fund"})
    lines = beanclear(tmp_path, "import", str(folder)).output.strip().splitlines()
    fund = next(line for line in lines if "(wechat fund bill)" in line)
    trade = next(line for line in lines if "(wechat trade bill)" in line)
    assert ("6 rows read, 1 entries written, 5 already in the books or booked from another file of this import; "
            "balance assertions: 1 written") in fund, fund
    assert "0 already in the books" in trade and "before it in this import" not in trade, trade
    # a second import finds them all in the books, booked before it: said as before
    again = beanclear(tmp_path, "import", str(folder)).output
    assert "before it in this import" not in again, again


SUMMARY = re.compile(r"\((?P<kind>[^)]*)\), (?P<rows>\d+) rows read, (?P<new>\d+) entries written, (?P<known>\d+) "
                     r"already in the books(?: or booked from another file of this import)?"
                     r"(?P<skipped>, skipped [^;]*)?"
                     r"(?:; balance assertions: (?P<asserted>\d+) written(?:, (?P<held>\d+) already in the books)?)?"
                     r"(?:;|$)")


def counted(line: str) -> dict:
    found = SUMMARY.search(line)
    assert found, line
    skipped = sum(int(n) for n in re.findall(r"(?:skipped |, )(\d+) ", found["skipped"] or ""))
    return {"kind": found["kind"], "rows": int(found["rows"]),
            "booked": int(found["new"]) + int(found["known"]) + skipped,
            "asserted": int(found["asserted"] or 0) + int(found["held"] or 0)}


@pytest.mark.parametrize("batches", [[{"trade", "fund"}], [{"fund"}], [{"trade"}, {"fund"}]])
def test_each_summary_counts_its_rows_booked_and_its_balance_assertions_apart(tmp_path, batches):
    # blind18 partialrefunds: a WeChat fund bill after its trade bill said "5 rows read, 2
    # entries written, 4 already in the books": its day's balance assertion was counted
    # among the entries of its rows. A fund bill, a trade bill and a bank statement book
    # a row each: rows read = written + already + skipped, the balance assertions apart
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for n, views in enumerate(batches):
        result = beanclear(tmp_path, "import", str(statements(tmp_path / f"s{n}", views)))
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        for line in lines:
            seen = counted(line)
            assert seen["rows"] == seen["booked"], line
            # the trade views state no balance: no clause of balance assertions (must not move)
            assert (seen["asserted"] > 0) == ("trade" not in seen["kind"] and "业务明细" not in seen["kind"]), line
    fund = next(line for line in lines if "(wechat fund bill)" in line)
    assert "; balance assertions: 1 written" in fund, fund
    trade = beanclear(tmp_path, "import", "--force", str(tmp_path / "s0" / "wechat_trade.csv")).output \
        if "trade" in batches[0] else ""
    assert not trade or trade.rstrip().endswith("3 rows read, 0 entries written, 3 already in the books"), trade


@pytest.mark.parametrize("first", ["trade", "fund"])
def test_one_command_writes_what_trade_then_fund_writes_whatever_the_file_order(tmp_path, first):
    """In one import the trade view books first (it knows discounts and fee rates)."""
    second = {"trade": "fund", "fund": "trade"}[first]
    apart = imported(tmp_path / "apart", [statements(tmp_path / "a1", {"trade"})], [statements(tmp_path / "a2", {"fund"})])
    statements(tmp_path / "b" / "1", {first})   # a folder's files are read in name order
    statements(tmp_path / "b" / "2", {second})
    one = imported(tmp_path / "one", [tmp_path / "b"])
    if first == "trade":
        assert snapshot(apart / "books") == snapshot(one / "books")
    else:  # the same entries; only the statement names the openings were taken from differ
        assert {k: v for k, v in snapshot(apart / "books").items() if k != "accounts.beancount"} == \
            {k: v for k, v in snapshot(one / "books").items() if k != "accounts.beancount"}


def test_a_fee_row_in_a_later_fund_file_is_neither_lost_nor_doubled(tmp_path):
    """The fund file of the day lacks WeChat's second fee row (booked just after midnight,
    say): the trade bill books the payment whole, fee and all, in place of the fund
    view's gross entry (books/late_views.py); the next fund file finds its fee booked.
    The books are what one import of the three files writes."""
    day = WECHAT_FUND[:3] + WECHAT_FUND[4:]
    first = wechat_bill(tmp_path, "fund-1.csv", FUND_HEADER, day, FUND_SUMMARY, "5,2,250.00,3,249.70")
    trade = wechat_bill(tmp_path, "trade.csv", TRADE_HEADER, WECHAT_TRADE, TRADE_SUMMARY, WECHAT_TRADE_TOTALS)
    late = wechat_bill(tmp_path, "fund-2.csv", FUND_HEADER, [WECHAT_FUND[3]], FUND_SUMMARY, "1,0,0.00,1,0.30")
    merchant = imported(tmp_path / "m", [first], [trade], [late])
    totals = book_totals(merchant)
    assert (totals["Expenses:Fees:WeChat"], totals["Income:Sales:WeChat"]) == (Decimal("1.44"), Decimal("-240.00"))
    books = (merchant / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert books.count(f'id: "{W2}"') == 1 and books.count(f'covers: "fee {W2}"') == 1 and "fund-id" not in books
    one = imported(tmp_path / "one", [first, trade, late])
    assert snapshot(merchant / "books") == snapshot(one / "books")


# -- render.unknown_part: the rule on one entry ----------------------------------------------

def payment(fee="0.60"):
    from beanclear.importers.base import posting, transaction
    meta = {"id": "T", "covers": "fee T", "order-id": "O",
            "_fee_part": ("fee T", {"fee-of": "T"}, "Expenses:Fees:X", "Assets:Clearing:X")}
    return transaction("s.csv", 2, __import__("datetime").datetime(2026, 3, 1, 10), None, "Order O", meta,
                       [posting("Assets:Clearing:X", Decimal("100") - Decimal(fee), "CNY"),
                        posting("Expenses:Fees:X", Decimal(fee), "CNY"), posting("Income:Sales:X", Decimal(-100), "CNY")])


def amounts(entry):
    return {p.account: p.units.number for p in entry.postings}


def test_unknown_part_is_the_entry_or_nothing_when_nothing_or_all_is_known():
    assert render.unknown_part(payment(), set()) == payment()
    assert render.unknown_part(payment(), {"T", "fee T"}) is None
    assert render.identities(payment()) == ["T", "fee T"]


def test_unknown_part_books_the_fee_alone_when_the_payment_is_known():
    fee = render.unknown_part(payment(), {"T"})
    assert (fee.meta["id"], fee.meta["fee-of"], "covers" in fee.meta) == ("fee T", "T", False)
    assert amounts(fee) == {"Expenses:Fees:X": Decimal("0.60"), "Assets:Clearing:X": Decimal("-0.60")}


def test_unknown_part_books_the_payment_gross_when_the_fee_is_known():
    gross = render.unknown_part(payment(), {"fee T"})
    assert gross.meta["id"] == "T" and "covers" not in gross.meta
    assert amounts(gross) == {"Assets:Clearing:X": Decimal("100.00"), "Income:Sales:X": Decimal("-100")}
    assert "covers:" not in render.entry_text(gross) and "_fee_part" not in render.entry_text(payment())


def test_books_read_back_what_an_entry_covers(tmp_path):
    from beanclear.books import Books
    folder = tmp_path / "x" / "2026"
    folder.mkdir(parents=True)
    (folder / "2026-03.beancount").write_text(render.entry_text(payment()), encoding="utf-8")
    assert {"T", "fee T"} <= Books(tmp_path).known("x")


def test_a_separate_fee_counts_for_the_payment_it_names_only():
    from beanclear.checks import fees
    from beanclear.importers.base import posting, transaction
    when = __import__("datetime").datetime(2026, 3, 1, 10)
    fee = transaction("s.csv", 3, when, None, "收费", {"id": "310002", "fee-of": "T"},
                      [posting("Expenses:Fees:X", Decimal("0.60"), "CNY"), posting("Assets:Clearing:X", Decimal("-0.60"), "CNY")])
    back = transaction("s.csv", 4, when, None, "收费", {"id": "310006", "fee-back-of": "T"},
                       [posting("Expenses:Fees:X", Decimal("-0.06"), "CNY"), posting("Assets:Clearing:X", Decimal("0.06"), "CNY")])
    assert fees.separate_fees([fee, back, payment()], {"Expenses:Fees:X"}) == {"T": Decimal("0.60")}
