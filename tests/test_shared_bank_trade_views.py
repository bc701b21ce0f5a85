"""Two Alipay accounts imported from their trade views alone (业务明细: no withdrawals, so
no payouts in the books), both withdrawing each day's money to one bank (seed 34516).

The bank says `支付宝提现` for both. Such a channel's credits settle its clearing
account first in first out (clearing._without_payouts); with two of them nothing named
whose a credit was, so every credit stayed where the bank's text books it, on the first
account: the second's money looked unsettled day after day (21 false `unsettled` on the
seed), and its transit account held nothing. Now a credit is the account's whose oldest
waiting money it takes to the cent (pooled._Waiting), else the one whose money has waited
longest; the import books it there (books/late_credits.py), whatever the order.
"""

from __future__ import annotations

import json
from decimal import Decimal

from conftest import beanclear, snapshot
from statement_files import TRADE_HEADER, trade_row
from test_shared_bank_books import transit

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  alipay_a: {type: alipay, account_id: "20880000000000000156", settlement_days: 1, bank: ops, bank_days: 2,
             fees: [{rate: 0.006}]}
  alipay_b: {type: alipay, account_id: "20880000000000000257", settlement_days: 1, bank: ops, bank_days: 2,
             fees: [{rate: 0.006}]}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: CNY
    columns: {date: d, amount: a, memo: m, ref: r}
rules:
- {match: 房租, account: Expenses:Rent}
"""
DAYS = range(1, 12)   # sales 03-01 .. 03-11, each day's money withdrawn the next day
SALES = {"A": [Decimal(100 + 37 * d) for d in DAYS], "B": [Decimal(40 + 23 * d) for d in DAYS]}


def fee(gross: Decimal) -> Decimal:
    return (gross * Decimal("0.006")).quantize(Decimal("0.01"))


def trade_view(folder, account: str, tag: str) -> None:
    rows = [trade_row(f"202603{d:02}22001{tag}{d:02}", f"Q{tag}{d:02}", "交易", f"2026-03-{d:02} 10:00:00",
                      f"{g}.00", f"{g}.00", f"{fee(g)}") for d, g in zip(DAYS, SALES[tag])]
    total = sum(SALES[tag])
    lines = ["#支付宝业务明细查询", f"#账号：[{account}]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月21日 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             TRADE_HEADER, *rows,
             "#-----------------------------------------业务明细列表结束------------------------------------",
             f"#交易合计：{len(rows)}笔，商家实收共{total}.00元，商家优惠共0.00元",
             "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元", "#导出时间：[2026年03月12日 05:46:49]"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{account}_20260312_业务明细.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def merchant(folder, missing: tuple = ()):
    """Both accounts' trade views and the bank's lines: B's withdrawal of day `missing`
    ((tag, day)) never arrived."""
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    trade_view(folder / "a", "20880000000000000156", "A")
    trade_view(folder / "b", "20880000000000000257", "B")
    lines = []
    for d, a, b in zip(DAYS, SALES["A"], SALES["B"]):   # B's first on even days: the order tells nothing
        pair = [("A", a), ("B", b)] if d % 2 else [("B", b), ("A", a)]
        lines += [f"2026-03-{d + 1:02},{g - fee(g)},支付宝提现,L-{tag}{d:02}" for tag, g in pair if (tag, d) != missing]
    lines.append("2026-03-20,-500.00,房租,R-1")   # the statements reach past every deadline
    (folder / "bank").mkdir()
    (folder / "bank" / "ops.csv").write_text("\n".join(["d,a,m,r", *lines]) + "\n", encoding="utf-8")
    return folder


def imported(folder, *paths) -> None:
    result = beanclear(folder, "import", *(str(folder / p) for p in paths))
    assert result.exit_code == 0, result.output


def findings(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return [(f["code"], f["source"], Decimal(f["amount"])) for f in report["findings"]]


def withdrawn(tag: str) -> Decimal:
    return -sum(g - fee(g) for g in SALES[tag])


ORDERS = {
    "together": [("a", "b", "bank")],
    "bank first": [("bank",), ("a",), ("b",)],
    "the second account, the bank, the first": [("b",), ("bank",), ("a",)],
}


def test_each_accounts_withdrawals_settle_its_own_money_whatever_the_import_order(tmp_path):
    books = {}
    for name, imports in ORDERS.items():
        folder = merchant(tmp_path / name.replace(" ", "-").replace(",", ""))
        for paths in imports:
            imported(folder, *paths)
        assert transit(folder) == {"Assets:Transit:AlipayA": withdrawn("A"),
                                   "Assets:Transit:AlipayB": withdrawn("B")}, name
        assert findings(folder) == [], name
        books[name] = snapshot(folder / "books")
    first = books.pop("together")
    for name, other in books.items():
        assert other == first, name


def test_a_withdrawal_that_never_arrived_leaves_that_accounts_money_unsettled(tmp_path):
    # must fire, on the account whose money it was, not the other
    folder = merchant(tmp_path / "m", missing=("B", 3))
    imported(folder, "a", "b", "bank")
    found = findings(folder)
    assert {(code, source) for code, source, _ in found} == {("unsettled", "alipay_b")}, found
    day3 = SALES["B"][2]
    assert sum(amount for _, _, amount in found) == day3 - fee(day3)
    assert transit(folder)["Assets:Transit:AlipayA"] == withdrawn("A")
