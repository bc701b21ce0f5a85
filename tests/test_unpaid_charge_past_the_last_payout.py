"""A Stripe charge no payout pays stays `unsettled` after the next report too, whose last
days name no payout yet. Blind round 19 ("scale"), the half fix300 left: February's report
leaves `automatic_payout_id` empty on its last days' rows (those payouts have not
happened), so their refunds (one a day of an older charge, Stripe keeping the fee) are
unnamed items and went first in, first out: they took the oldest money, the January charge
every later payout passed over, `unsettled` went silent and its acknowledgment was called
stale. In a channel whose payouts name their items, a refund beyond its own payment's money
comes out of the money waiting for the next payout (README: only "a payout beyond the items
that name it … takes the rest first in, first out"), never out of money a payout passed over.
A channel that names no payout on its items is first in, first out throughout, unchanged."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.checks.clearing import check_clearing
from beanclear.checks.items import Item
from conftest import beanclear
from test_unpaid_charge_beside_refunds import CONFIG as BESIDE_CONFIG, HEAD

# the Stripe merchant of test_unpaid_charge_beside_refunds, with its statement head; a
# refund a day of two charges: the test is not about its rate
CONFIG = BESIDE_CONFIG + "  refund-rate: {severity: off}\n"
FIRST_END = 20    # the first report: 01-01 to 01-20, every item naming its payout
NAMED_LAST = 29   # the second: 01-21 to 01-31, the items of 01-30 and 01-31 naming none yet


def reports(unpaid=True):
    """Two charges a day, paid out two days later; a refund a day of a charge of two days
    before (Stripe keeps the fee), deducted from the payout of its own day's charges; one
    charge of 01-05 that names no payout (in none). Two reports, split at FIRST_END."""
    rows, n, paid = [], 0, {}

    def row(day, hour, gross, fee, category, what, payout):
        nonlocal n
        n += 1
        net = f"{float(gross) - float(fee):.2f}"
        available = f"2026-01-{min(day + 2, 31):02d} 00:00:00"
        rows.append((day, f'"txn_{n:04d}","2026-01-{day:02d} {hour:02d}:00:00","{available}","usd","{gross}",'
                          f'"{fee}","{net}","{category}","{what}","{payout}"'))
        if payout and category != "payout":
            paid[payout] = paid.get(payout, 0) + float(net)

    for day in range(1, 32):
        if f"po_{day:02d}" in paid:   # the payout of the charges of two days before
            row(day, 12, f"{-paid[f'po_{day:02d}']:.2f}", "0.00", "payout", "STRIPE PAYOUT", f"po_{day:02d}")
        named = f"po_{day + 2:02d}" if day <= NAMED_LAST else ""
        for k in (0, 1):
            row(day, 3 + k, "100.00", "3.20", "charge", f"Order #{day * 10 + k}", named)
        if unpaid and day == 5:
            row(day, 5, "100.00", "3.20", "charge", "Order #999", "")
        if day > 2:
            row(day, 9, "-100.00", "0.00", "refund", f"REFUND FOR CHARGE (Order #{(day - 2) * 10})", named)

    def text(days):
        picked = sorted((r for d, r in rows if d in days), key=lambda r: (r.split(",")[1], r.split(",")[0]))
        return "\n".join([HEAD, *picked]) + "\n"

    return text(range(1, FIRST_END + 1)), text(range(FIRST_END + 1, 32))


def _import(folder, name, text):
    path = folder / "statements" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = beanclear(folder, "import", str(path))
    assert result.exit_code == 0, result.output


def _check(folder):
    return json.loads(beanclear(folder, "check", "--format", "json").output)["findings"]


def _coded(found, code):
    return [f for f in found if f["code"] == code]


def test_a_charge_no_payout_pays_stays_unsettled_past_a_tail_naming_no_payout(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    first, second = reports()
    _import(tmp_path, "stripe-1.csv", first)
    [one] = _coded(_check(tmp_path), "unsettled")
    assert (one["date"], one["amount"]) == ("2026-01-05", "96.80"), one
    assert beanclear(tmp_path, "ack", "unsettled", one["refs"][0], "--reason", "asked Stripe").exit_code == 0
    _import(tmp_path, "stripe-2.csv", second)
    found = _check(tmp_path)
    assert not _coded(found, "stale-ack"), found
    assert not [f for f in found if f["code"] not in ("unsettled",)], found
    # acknowledged, it is still found (and so not listed as a problem): without the ack, it is
    unacked = tmp_path / "unacked"
    unacked.mkdir()
    (unacked / "config.yaml").write_text(CONFIG, encoding="utf-8")
    _import(unacked, "stripe-1.csv", first)
    _import(unacked, "stripe-2.csv", second)
    [one] = _coded(_check(unacked), "unsettled")
    assert (one["date"], one["amount"]) == ("2026-01-05", "96.80"), one


def test_the_same_reports_without_the_unpaid_charge_say_nothing(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    first, second = reports(unpaid=False)
    _import(tmp_path, "stripe-1.csv", first)
    _import(tmp_path, "stripe-2.csv", second)
    assert _check(tmp_path) == []


# the rule itself, on the check's own items: a channel naming no payout on its items


class _Accounts:
    clearing, transit = "Assets:Clearing:Alipay", "Assets:Transit:Alipay"


class _Channel:
    name, type, settlement_days, accounts = "alipay", "alipay", 1, _Accounts()
    withdrawn_at_will = False   # (config.Channel's: a wallet's balance only)


def _item(day, hour, amount, ident, account=None, links=frozenset()):
    amount = Decimal(amount)
    postings = [data.Posting(_Accounts.clearing, Amount(amount, "CNY"), None, None, None, None)]
    if account:
        postings.append(data.Posting(account, Amount(-amount, "CNY"), None, None, None, None))
    entry = data.Transaction({"id": ident, "time": f"{hour:02d}:00:00"}, dt.date(2026, 1, day), "*", None, ident,
                             frozenset(), frozenset(links), postings)
    return Item(entry, amount, "CNY")


def test_a_channel_naming_no_payout_on_its_items_stays_first_in_first_out():
    # a withdrawal (its own payout link, no item naming it) takes the oldest money, and a
    # later refund of another order the oldest left, first in, first out, as before: not
    # the money of its own days first
    items = [_item(1, 3, "100.00", "a1"),
             _item(2, 3, "50.00", "a2"),
             _item(2, 12, "-50.00", "w1", _Accounts.transit, {"payout-w1"}),
             _item(8, 3, "30.00", "a3"),
             _item(9, 9, "-60.00", "r1")]
    found = check_clearing(items, _Channel(), dt.date(2026, 1, 9))
    assert [(f.code, f.date, f.amount) for f in found] == [("unsettled", dt.date(2026, 1, 2), Decimal("40.00"))], found
