"""Two Alipay accounts withdrawing to one bank, the first with its withdrawals listed (its
fund view, 账务明细: payouts in the books), the second imported from its trade view alone
(业务明细: no payout in the books, its bank credits settle its clearing account,
clearing._without_payouts) (seed 34636).

The bank says `支付宝提现` for both. A withdrawal of the first that reached the bank short
(1,464.81 credited as 1,450.16) equalled no payout, and pooled gave every such credit to
the account without payouts: the first's payout was `payout-missing`, not its
`payout-mismatch`, and the short money settled the second's clearing account. Now a credit
near a payout of an account listing its payouts that waits for one (in `bank_days`, within
pooled.NEAR of its amount) is that payout arriving short or over, unless it takes the
other's waiting money to the cent.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import beanclear
from statement_files import TRADE_HEADER, fund_lines, fund_row, trade_row
from test_shared_bank_books import transit
from test_shared_bank_trade_views import CONFIG   # two Alipay accounts paying into one bank

DAYS = range(1, 9)   # sales 03-01 .. 03-08, each day's money withdrawn that night, credited the next day
SALES = {"A": [Decimal(1000 + 137 * d) for d in DAYS], "B": [Decimal(40 + 23 * d) for d in DAYS]}


def fee(gross: Decimal) -> Decimal:
    return (gross * Decimal("0.006")).quantize(Decimal("0.01"))


def net(gross: Decimal) -> Decimal:
    return gross - fee(gross)


def fund_view(folder, sales: dict) -> None:
    """A's fund view: each day's sale, its fee and its withdrawal (newest first)."""
    rows, balance = [], Decimal(0)
    for d, g in zip(DAYS, sales["A"]):
        trade = f"202603{d:02}22001A{d:02}"
        day = [fund_row(f"A{d:02}1", trade, f"QA{d:02}", f"2026-03-{d:02} 10:00:00", f"{g}", "0.00", f"{g}",
                        "在线支付"),
               fund_row(f"A{d:02}2", trade, f"QA{d:02}", f"2026-03-{d:02} 10:00:01", "0.00", f"-{fee(g)}",
                        f"{net(g)}", "收费", f"服务费[{trade}]"),
               fund_row(f"A{d:02}3", f"202603{d:02}0000A{d:02}", "", f"2026-03-{d:02} 23:00:00", "0.00",
                        f"-{net(g)}", "0.00", "提现", "提现到银行", item="提现", other="")]
        rows = day[::-1] + rows
    spent = sum(fee(g) + net(g) for g in sales["A"])
    lines = fund_lines(rows, [f"#支出合计：{2 * len(DAYS)}笔，共{spent}元",
                              f"#收入合计：{len(DAYS)}笔，共{sum(sales['A'])}元"])
    lines = [line.replace("2026年03月02日 00:00:00", "2026年03月21日 00:00:00") for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20880000000000000156_20260321_账务明细.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def trade_view(folder, sales: dict) -> None:
    """B's trade view: its sales alone, no withdrawal."""
    rows = [trade_row(f"202603{d:02}22001B{d:02}", f"QB{d:02}", "交易", f"2026-03-{d:02} 10:00:00",
                      f"{g}.00", f"{g}.00", f"{fee(g)}") for d, g in zip(DAYS, sales["B"])]
    lines = ["#支付宝业务明细查询", "#账号：[20880000000000000257]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月21日 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             TRADE_HEADER, *rows,
             "#-----------------------------------------业务明细列表结束------------------------------------",
             f"#交易合计：{len(rows)}笔，商家实收共{sum(sales['B'])}.00元，商家优惠共0.00元",
             "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元", "#导出时间：[2026年03月21日 05:46:49]"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20880000000000000257_20260321_业务明细.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def merchant(folder, credited: dict | None = None, sales: dict = SALES, imports=(("a", "b", "bank"),), extra=()):
    """Both accounts' views and the bank's lines: `credited` ((tag, day) -> amount) what
    the bank credited of that withdrawal instead of it, None for nothing; `extra` lines
    of the bank's besides, each after those of its day."""
    credited = credited or {}
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    fund_view(folder / "a", sales)
    trade_view(folder / "b", sales)
    lines = []
    for d, a, b in zip(DAYS, sales["A"], sales["B"]):   # B's first on even days: the order tells nothing
        pair = [("A", net(a)), ("B", net(b))] if d % 2 else [("B", net(b)), ("A", net(a))]
        for tag, amount in pair:
            amount = credited.get((tag, d), amount)
            if amount is not None:
                lines.append(f"2026-03-{d + 1:02},{amount},支付宝提现,L-{tag}{d:02}")
    lines = sorted([*lines, *extra], key=lambda line: line[:10])
    lines.append("2026-03-20,-500.00,房租,R-1")   # the statements reach past every deadline
    (folder / "bank").mkdir()
    (folder / "bank" / "ops.csv").write_text("\n".join(["d,a,m,r", *lines]) + "\n", encoding="utf-8")
    for paths in imports:
        result = beanclear(folder, "import", *(str(folder / p) for p in paths))
        assert result.exit_code == 0, result.output
    return folder


def findings(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["source"], Decimal(f["amount"])) for f in report["findings"])


def withdrawn(tag: str, but: dict | None = None, sales: dict = SALES) -> Decimal:
    """What the bank credited of `tag`'s withdrawals (`but`: as merchant's `credited`)."""
    but = but or {}
    return -sum(amount for d, g in zip(DAYS, sales[tag])
                if (amount := but.get((tag, d), net(g))) is not None)


def test_the_clean_books_pair_every_credit_with_its_own_account(tmp_path):
    folder = merchant(tmp_path / "m")
    assert findings(folder) == []
    assert transit(folder) == {"Assets:Transit:AlipayA": Decimal(0), "Assets:Transit:AlipayB": withdrawn("B")}


@pytest.mark.parametrize("imports", [(("a", "b", "bank"),), (("bank",), ("b",), ("a",))], ids=["together", "bank first"])
def test_a_withdrawal_credited_short_is_the_mismatch_of_the_account_listing_it(tmp_path, imports):
    # seed 34636: 1% short, the credit equals no payout and was given to the account
    # without payouts (a payout-missing of the first, the second's money over-settled);
    # the bank's lines imported first are moved when the fund view comes (late_credits)
    day4 = net(SALES["A"][3])
    short = day4 - (day4 * Decimal("0.01")).quantize(Decimal("0.01"))
    folder = merchant(tmp_path / "m", {("A", 4): short}, imports=imports)
    assert findings(folder) == [("payout-mismatch", "alipay_a", day4 - short)]
    assert transit(folder) == {"Assets:Transit:AlipayA": day4 - short, "Assets:Transit:AlipayB": withdrawn("B")}


def test_a_withdrawal_credited_over_is_the_mismatch_of_the_account_listing_it(tmp_path):
    day6 = net(SALES["A"][5])
    folder = merchant(tmp_path / "m", {("A", 6): day6 + Decimal("12.00")})
    assert findings(folder) == [("payout-mismatch", "alipay_a", Decimal("12.00"))]


def test_a_credit_equal_to_no_payout_and_far_from_any_stays_the_account_without_payouts(tmp_path):
    # must not fire: A's withdrawal of 03-04 never arrived, and B's money of that day was
    # credited 3.00 short (far from A's waiting payout): B's, its clearing short by 3.00
    day4 = net(SALES["B"][3])
    folder = merchant(tmp_path / "m", {("A", 4): None, ("B", 4): day4 - Decimal("3.00")})
    found = findings(folder)
    assert ("payout-missing", "alipay_a", net(SALES["A"][3])) in found, found
    assert not [f for f in found if f[0] in ("payout-mismatch", "bank-unmatched")], found
    assert transit(folder) == {"Assets:Transit:AlipayA": net(SALES["A"][3]),
                               "Assets:Transit:AlipayB": withdrawn("B", {("B", 4): day4 - Decimal("3.00")})}


def test_the_other_accounts_own_money_near_a_waiting_payout_stays_its_own(tmp_path):
    # must not fire: A's withdrawal of 03-04 never arrived, and B's money of that day,
    # taken to the cent from its clearing account, is within NEAR of it: B's, settled
    sales = {"A": SALES["A"], "B": [*SALES["B"][:3], SALES["A"][3] - Decimal(40), *SALES["B"][4:]]}
    folder = merchant(tmp_path / "m", {("A", 4): None}, sales)
    assert findings(folder) == [("payout-missing", "alipay_a", net(sales["A"][3]))]
    assert transit(folder) == {"Assets:Transit:AlipayA": net(sales["A"][3]),
                               "Assets:Transit:AlipayB": withdrawn("B", sales=sales)}


def test_the_other_accounts_days_credited_out_of_order_near_a_waiting_payout_stay_its_own(tmp_path):
    # must not fire: as above, B's money of 03-04 credited on 03-05 before that of 03-03,
    # credited late on 03-06 (not its oldest money, yet a day's to the cent: _Waiting.owns)
    sales = {"A": SALES["A"], "B": [*SALES["B"][:3], SALES["A"][3] - Decimal(40), *SALES["B"][4:]]}
    folder = merchant(tmp_path / "m", {("A", 4): None, ("B", 3): None, ("B", 4): None}, sales,
                      extra=[f"2026-03-05,{net(sales['B'][3])},支付宝提现,L-B04",
                             f"2026-03-06,{net(sales['B'][2])},支付宝提现,L-B03"])
    assert findings(folder) == [("payout-missing", "alipay_a", net(sales["A"][3]))]
    assert transit(folder) == {"Assets:Transit:AlipayA": net(sales["A"][3]),
                               "Assets:Transit:AlipayB": withdrawn("B", sales=sales)}
