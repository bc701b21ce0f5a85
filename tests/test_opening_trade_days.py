"""An opening is never worked back over days only a trade view covers (DESIGN.md §1,
"Openings come from the statements"; README "Openings").

A channel's clearing account opens with what its fund view's first balance implies: that
balance less what is booked before it on the fund view's own days (the trade view's
entries of the same money among them). A trade view (WeChat 交易账单, Alipay 业务明细)
cannot show payouts: what it books on days before the fund view starts is money whose
payout no statement in the books shows. Worked into the opening, it vanished into
Equity:Opening-Balances (blind29: November's bills in the books, then October's trade bill
of 1,739.50 net moved the opening to -1,739.50 CNY and `check` said nothing of it). It
stays before the opening instead, visible: one `statement-gap` of the days whose fund
bill is missing, with its amount, in any order of import.

Must not fire: the trade view of the fund view's own days, imported before or after it;
a payment at 23:59:58 whose money the fund view books after midnight, on its first day
(in flight: the opening counts it).
"""

from __future__ import annotations

import json
import re
import pytest

from conftest import beanclear
from test_views_converge import alipay_trade, books, day_files, merchant, pay, wechat_trade

CLEARING = {"wechat": "Assets:Clearing:WeChat", "alipay": "Assets:Clearing:Alipay"}


def early_trade(files, channel):
    """A trade bill of 30 March, before 1 April's fund bill (31 March's is not imported):
    one payment of 40.00 less 0.24, no payout of it in any statement."""
    early = [pay("4200000000" if channel == "wechat" else "2026033022001100000", "WO0", "2026-03-30 12:00:00",
                 "40.00", "0.24")]
    folder = files["t1"].parent
    return (wechat_trade(folder, "tradebill-2026-03-30.csv", early) if channel == "wechat"
            else alipay_trade(folder, "trade-2026-03-30.csv", early, "2026-03-30", "2026-03-31"))


def opening(folder, channel) -> tuple[str, str]:
    """(day, amount) of the clearing account's opening in accounts.beancount."""
    text = (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")
    account = CLEARING[channel]
    found = re.search(rf'^(\S+) \* "Opening balance" "{re.escape(account)} [^\n]*\n(?:  [a-z-]+: [^\n]*\n)*'
                      rf'  {re.escape(account)} +(\S+) CNY', text, re.M)
    assert found, text
    return found.group(1), found.group(2)


def findings(folder, channel) -> list[dict]:
    """The channel's findings (the bank, whose statements are not imported, has its own)."""
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return [f for f in report["findings"] if f.get("source") in (channel, "", None)]


ORDERS = {"one import": (["f2", "t0"],), "fund bill first": (["f2"], ["t0"]), "trade bill first": (["t0"], ["f2"])}


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
@pytest.mark.parametrize("order", list(ORDERS))
def test_a_trade_bill_of_days_before_the_fund_bill_leaves_the_opening_where_the_fund_bill_puts_it(
        tmp_path, channel, order):
    files = day_files(tmp_path / "statements", channel)
    files["t0"] = early_trade(files, channel)
    alone, _ = merchant(tmp_path / "alone", files, ["f2"])
    folder, said = merchant(tmp_path / "m", files, *ORDERS[order])
    # the opening 1 April's fund bill implies, at the end of 31 March: 30 March's money is not in it
    assert opening(folder, channel) == opening(alone, channel) == ("2026-03-31", "0.00")
    assert not any("now -39.76" in s for s in said), said
    # the import that brings the two together says what the opening leaves out
    assert f"39.76 CNY it books on {CLEARING[channel]} before 2026-04-01" in said[-1] \
        or f"not in it: 39.76 CNY booked on it before 2026-04-01" in said[-1], said[-1]
    one, _ = merchant(tmp_path / "one", files, *ORDERS["one import"])
    assert books(folder) == books(one)
    # the 39.76 stays visible: one statement-gap of 30 March, with its amount
    gaps = [f for f in findings(folder, channel) if f["code"] in ("statement-gap", "beancount", "unsettled")]
    assert [(f["code"], f["amount"]) for f in gaps] == [("statement-gap", "39.76")], gaps
    assert "2026-03-30" in gaps[0]["message"] and gaps[0]["severity"] == "error"


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
@pytest.mark.parametrize("order", list(ORDERS))
def test_a_payment_in_flight_into_the_fund_bills_first_day_still_counts_in_the_opening(tmp_path, channel, order):
    """31 March's trade bill: a payment at 10:00 (WeChat 200.00 less 1.20, Alipay 100.00
    less 0.60, paid out in 31 March's fund bill, not imported) and one at 23:59:58 whose
    money 1 April's fund bill books at 00:00:02 (30.00 less 0.18). The opening counts the
    second (the fund bill's money: the account held 0.00 before it), not the first, which
    stays visible."""
    files = day_files(tmp_path / "statements", channel)
    files["t0"] = files["t1"]
    folder, _ = merchant(tmp_path / "m", files, *ORDERS[order])
    assert opening(folder, channel) == ("2026-03-30", "0.00")
    one, _ = merchant(tmp_path / "one", files, *ORDERS["one import"])
    assert books(folder) == books(one)
    gaps = [f for f in findings(folder, channel) if f["code"] in ("statement-gap", "beancount", "unsettled")]
    paid_out = {"wechat": "198.80", "alipay": "99.40"}[channel]
    assert [(f["code"], f["amount"]) for f in gaps] == [("statement-gap", paid_out)], gaps


@pytest.mark.parametrize("channel", ["wechat", "alipay"])
@pytest.mark.parametrize("batches", [(["t2"], ["f2"]), (["f2"], ["t2"]), (["t2", "f2"],)])
def test_the_trade_bill_of_the_fund_bills_own_days_counts_in_its_opening(tmp_path, channel, batches):
    """Must not fire: the trade view of the fund view's days (1 April), before it, after it
    or with it, is the same money: the opening is worked back over it, and every balance
    holds."""
    files = day_files(tmp_path / "statements", channel)
    folder, _ = merchant(tmp_path / "m", files, *batches)
    assert opening(folder, channel) == ("2026-03-31", "0.00")
    one, _ = merchant(tmp_path / "one", files, ["t2", "f2"])
    assert books(folder) == books(one)
    assert [f for f in findings(folder, channel) if f["code"] in ("beancount", "statement-gap")] == []
