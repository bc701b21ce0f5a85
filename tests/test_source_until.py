"""A channel or shop whose account ended (`until:`, blind round 16 configchange #4): a
store closed on 03-15, its last WeChat bill of that day, its balance withdrawn. Its
statements are owed up to that day and no further: `close` of every later month is not
refused for it (it wanted `quiet_days:` 15, then 46, then 76, ...), nothing waits for its
statements after it (a bank credit booked as its payout, an order it may pay), and a row
of it after that day is booked and said. Without the key, all stays as it was."""

from __future__ import annotations

import json

import pytest

from conftest import beanclear
from test_periods import QUIET_SHOP_HEADER, QUIET_STRIPE_HEADER, wechat_bill
from test_statement_coverage import WECHAT, arriving, write

RENT = '\nrules:\n  - {match: "房租", account: Expenses:Rent}\n'


def config(until: str | None = None) -> str:
    """WeChat paying into the bank `ops` (test_statement_coverage.WECHAT), with `until:`."""
    text = WECHAT + RENT
    if until:
        text = text.replace("bank_days: 2}", f"bank_days: 2, until: {until}}}")
    return text


def stopped(root, until: str | None = None, credits=()):
    """WeChat's fund bill of withdrawals on 1..15 March (the store closed on the 15th, its
    balance withdrawn), each credited at the bank the next day; the bank's statement goes
    on to the month's end (rent on the 31st), and April's too (rent every few days); `credits`:
    bank credits of WeChat payouts on those days of March, of no payout."""
    (root / "config.yaml").write_text(config(until), encoding="utf-8")
    wechat_bill(root / "st", "fund.csv", 1500, range(1, 16))
    rows = arriving(range(1, 16))
    balance = 1500
    for day in credits:
        balance += 100
        rows.append(f"2026-03-{day:02d},C{day},微信支付提现,财付通支付科技有限公司,100.00,{balance}.00")
    rows.append(f"2026-03-31,R3,房租,某置业,-10.00,{balance - 10}.00")
    write(root / "st", "bank-03.csv", *rows)
    write(root / "st", "bank-04.csv", *(f"2026-04-{d:02d},R4{d},房租,某置业,-1.00,{balance - 10 - k}.00"
                                        for k, d in enumerate([1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 30], 1)))
    result = beanclear(root, "import", str(root / "st"))
    assert result.exit_code == 0, result.output
    return root


def findings(root) -> tuple[int, list[dict]]:
    result = beanclear(root, "check", "--format", "json")
    return result.exit_code, json.loads(result.output)["findings"]


def test_a_channel_that_ended_lets_every_later_month_close(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    merchant = stopped(tmp_path, until="2026-03-15")
    for month in ("2026-03", "2026-04"):
        result = beanclear(merchant, "close", month)
        assert result.exit_code == 0 and f"{month} closed" in result.output, result.output
    code, found = findings(merchant)
    assert code == 0 and [f for f in found if f["code"] == "statement-gap"] == [], found


def test_without_until_the_close_is_refused_and_names_the_key(tmp_path, monkeypatch):
    """Must not change: without the key, the days after its last bill are owed (they may
    be bills not imported). The refusal names both settings: quiet days, or its end."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    merchant = stopped(tmp_path)
    result = beanclear(merchant, "close", "2026-03")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "error statement-gap 2026-03-15 wechat: the statements of wechat end 2026-03-15, before the month's end "
        "(2026-03-31): import its statement that reaches 2026-03-31; if wechat had no lines then, "
        "`channels.wechat.quiet_days: 16` says so; if wechat ended 2026-03-15, `channels.wechat.until: 2026-03-15` "
        "says so",
        "2026-03 cannot be closed: 1 source(s) whose statements do not reach its end; nothing was written"]


def test_statements_that_end_before_until_are_still_owed_to_it(tmp_path, monkeypatch):
    """`until:` after its last bill: the days between are owed (a bill not imported)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    merchant = stopped(tmp_path, until="2026-03-25")
    result = beanclear(merchant, "close", "2026-03")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == (
        "error statement-gap 2026-03-15 wechat: the statements of wechat end 2026-03-15, before 2026-03-25, the day "
        "`channels.wechat.until` says it ended: import its statement that reaches 2026-03-25; if wechat had no "
        "lines then, `channels.wechat.quiet_days: 10` says so"), result.output


def test_a_row_after_until_is_booked_and_said(tmp_path, monkeypatch):
    """The account moved money after the day it was said to end: its rows are booked
    (never skipped) and one statement-gap names them."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    merchant = stopped(tmp_path, until="2026-03-12")
    month = (merchant / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert '"W15"' in month or "W15" in month
    code, found = findings(merchant)
    [gap] = [f for f in found if f["code"] == "statement-gap"]
    assert gap["source"] == "wechat" and gap["date"] == "2026-03-13", gap
    assert gap["message"].startswith(
        "the statements of wechat go on after 2026-03-12, the day `channels.wechat.until` says it ended: 3 row(s) "
        "from 2026-03-13 to 2026-03-15 moved money after it"), gap
    assert {"W13", "W14", "W15"} <= {r.lstrip("F") for r in gap["refs"]}, gap
    assert code == 0   # a warning: the money is booked and judged as any
    # and nothing else changed: the withdrawals after it reached the bank, as before
    assert [f for f in found if f["code"] != "statement-gap"] == [], found


def test_no_row_after_until_says_nothing(tmp_path, monkeypatch):
    """Must not fire: its last row on the day it ended, and the bank's credit of that
    day's withdrawal the day after (the bank's row, not the channel's)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    code, found = findings(stopped(tmp_path, until="2026-03-15"))
    assert code == 0 and found == [], found


@pytest.mark.parametrize("until", [None, "2026-03-15"])
def test_a_bank_credit_after_the_end_is_judged_not_waiting(tmp_path, monkeypatch, until):
    """A credit booked as the channel's payout after its last bill: without `until:` it
    waits for the channel's next statement (one statement-gap); with it, no statement
    is owed and the credit is judged: no payout of the channel answers it."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-05-03")
    code, found = findings(stopped(tmp_path, until=until, credits=[22]))
    codes = sorted(f["code"] for f in found)
    if until is None:
        assert codes == ["statement-gap"], found
        assert "1 bank credit(s) (100.00 CNY) wait for the statement of wechat" in found[0]["message"], found
    else:
        assert "statement-gap" not in codes and codes, found
        assert all("C22" in f["refs"] for f in found), found


def stripe_shop(root, monkeypatch, stripe_until=None, shop_until=None, order_days=range(1, 26, 3),
                paid_days=range(1, 16, 3)):
    """A Shopify shop paid by Stripe (test_periods' quiet month): orders on `order_days`
    of March, Stripe's payments of those of `paid_days`."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-10")
    root.mkdir(parents=True, exist_ok=True)
    stripe = "stripe: {type: stripe, currency: USD, settlement_days: 90, shop: shop" + \
        (f", until: {stripe_until}}}" if stripe_until else "}")
    shop = "shop: {type: shopify, order_days: 3" + (f", until: {shop_until}}}" if shop_until else "}")
    (root / "config.yaml").write_text(f"books: books\ncurrency: USD\ntimezone: UTC\nchannels:\n  {stripe}\n"
                                      f"shops:\n  {shop}\n", encoding="utf-8")
    (root / "s").mkdir()
    (root / "s" / "orders-2026-03.csv").write_text("\n".join([QUIET_SHOP_HEADER] + [
        f"#30{d:02d},a@x.com,paid,2026-03-{d:02d} 10:00:00 +0000,USD,20.00,20.00,0.00,0.00,stripe,,"
        f"2026-03-{d:02d} 10:00:00 +0000,1,Mug,20.00" for d in order_days]) + "\n", encoding="utf-8")
    (root / "s" / "balance_change_from_activity-2026-03.csv").write_text("\n".join([QUIET_STRIPE_HEADER] + [
        f'"txn_M0000000000000000000{d:02d}","2026-03-{d:02d} 10:01:00","2026-03-{d:02d} 10:01:00","usd","20.00",'
        f'"0.88","19.12","charge","ch_{d}","Order #30{d:02d}","20.00","usd","",""' for d in paid_days]) + "\n",
        encoding="utf-8")
    result = beanclear(root, "import", str(root / "s"))
    assert result.exit_code == 0, result.output
    return findings(root)


def test_orders_after_a_channel_ended_do_not_wait_for_it(tmp_path, monkeypatch):
    """Stripe's account ended 03-13, its last payment: the shop's orders after it are
    judged (nothing will pay them through Stripe); without the key they wait for Stripe's
    next statement, one statement-gap (must not change)."""
    _, waiting = stripe_shop(tmp_path / "a", monkeypatch)
    assert [f["code"] for f in waiting] == ["statement-gap"], waiting
    assert "order deadline(s) wait for the statements of that channel" in waiting[0]["message"], waiting
    _, judged = stripe_shop(tmp_path / "b", monkeypatch, stripe_until="2026-03-13")
    # (judged as of the books' last day, 03-25: those of 03-22 and 03-25 are not 3 days old)
    assert sorted(f["code"] for f in judged) == ["order-unpaid"] * 2, judged
    assert sorted(f["refs"][0] for f in judged) == ["#3016", "#3019"], judged


def test_a_payment_after_a_shop_stopped_selling_names_an_order_it_never_held(tmp_path, monkeypatch):
    """The shop's last order 03-10, the day it stopped selling: a Stripe payment of 03-19
    naming an order its exports never held is payment-without-order (its export is owed
    no further); without the key it waits for the shop's next export."""
    kw = dict(order_days=range(1, 11, 3), paid_days=[1, 4, 7, 10, 19])
    _, waiting = stripe_shop(tmp_path / "a", monkeypatch, **kw)
    assert "payment-without-order" not in [f["code"] for f in waiting], waiting
    _, judged = stripe_shop(tmp_path / "b", monkeypatch, shop_until="2026-03-10", **kw)
    [unordered] = [f for f in judged if f["code"] == "payment-without-order"]
    assert "3019" in unordered["refs"], unordered


def test_a_shop_that_stopped_selling_closes_its_later_months(tmp_path, monkeypatch):
    """The shop's last order 03-10, the day it stopped selling, Stripe's statements to the
    31st: March is refused for the shop's exports without the key (the refusal names it),
    and closes with it."""
    kw = dict(order_days=range(1, 11, 3), paid_days=[1, 4, 7, 10, 31])
    stripe_shop(tmp_path / "a", monkeypatch, **kw)
    refused = beanclear(tmp_path / "a", "close", "2026-03")
    assert refused.exit_code == 1 and "`shops.shop.until: 2026-03-10` says so" in refused.output, refused.output
    stripe_shop(tmp_path / "b", monkeypatch, shop_until="2026-03-10", **kw)
    closed = beanclear(tmp_path / "b", "close", "2026-03")
    assert closed.exit_code == 0 and "2026-03 closed" in closed.output, closed.output


@pytest.mark.parametrize("text, said", [
    ("  wechat: {type: wechat, until: 2026-02-30}\n", "channels.wechat.until: not a date (2026-02-30"),
    ("  wechat: {type: wechat, until: soon}\n", "channels.wechat.until: expected a date like 2025-12-31"),
    ("  wechat: {type: wechat}\nshops:\n  shop: {type: shopify, until: [1]}\n", "shops.shop.until: expected a date"),
])
def test_a_bad_until_is_refused(tmp_path, text, said):
    (tmp_path / "config.yaml").write_text("books: books\nchannels:\n" + text, encoding="utf-8")
    result = beanclear(tmp_path, "check")
    assert result.exit_code == 2 and said in result.output, result.output


def test_a_shops_until_is_read(tmp_path):
    from beanclear.config import load
    (tmp_path / "config.yaml").write_text("books: books\nshops:\n  shop: {type: shopify, until: 2026-03-10}\n"
                                          "channels:\n  wechat: {type: wechat}\n", encoding="utf-8")
    import datetime as dt
    config = load(tmp_path / "config.yaml")
    assert config.shops["shop"].until == dt.date(2026, 3, 10) and config.channels["wechat"].until is None
