"""A Stripe charge no payout pays (no `automatic_payout_id`, while every other item names
its payout) is `unsettled`, whether or not the report holds refunds. Blind round 19
("scale"): with one refund a day of an older charge, Stripe keeping the fee, the refunds
naming the payouts of the report's last days (whose own rows are in the next report) were
taken from the oldest money first in, first out: the unpaid charge. `unsettled` was
silent, came back a month later, and `check` called its acknowledgment stale. A payout
naming its items takes exactly them (README: only "a payout beyond the items that name
it … takes the rest first in, first out"): items waiting for a payout not yet in the
books wait as a group, its refunds out of its own charges."""

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
    settlement_days: 3
checks:
  payout-missing: {severity: off}
"""
HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","description","automatic_payout_id"')
LAST = 20   # the report's last day: the payouts of 01-21 and 01-22 are in the next one


def report(refunds=True, unpaid=True, refund="10.00"):
    """Two charges a day, paid out two days later; a refund a day of a charge of two days
    before (Stripe keeps the fee), deducted from the payout of its own day's charges; one
    charge of 01-05 that names no payout (in none)."""
    rows, n, paid = [], 0, {}

    def row(day, hour, gross, fee, category, what, payout, available=None):
        nonlocal n
        n += 1
        net = f"{float(gross) - float(fee):.2f}"
        available = available or f"2026-01-{day:02d} 00:00:00"
        rows.append(f'"txn_{n:04d}","2026-01-{day:02d} {hour:02d}:00:00","{available}","usd","{gross}","{fee}",'
                    f'"{net}","{category}","{what}","{payout}"')
        if payout and category != "payout":
            paid[payout] = paid.get(payout, 0) + float(net)

    for day in range(1, LAST + 1):
        if day > 2 and f"po_{day:02d}" in paid:   # the payout of the charges of two days before
            row(day, 12, f"{-paid[f'po_{day:02d}']:.2f}", "0.00", "payout", "STRIPE PAYOUT", f"po_{day:02d}")
        for k in (0, 1):
            row(day, 3 + k, "100.00", "3.20", "charge", f"Order #{day * 10 + k}", f"po_{day + 2:02d}",
                f"2026-01-{day + 2:02d} 00:00:00" if day + 2 <= 31 else None)
        if unpaid and day == 5:
            row(day, 5, "100.00", "3.20", "charge", "Order #999", "")
        if refunds and day > 2:
            row(day, 9, f"-{refund}", "0.00", "refund", f"REFUND FOR CHARGE (Order #{(day - 2) * 10})",
                f"po_{day + 2:02d}")
    rows.sort(key=lambda r: (r.split(",")[1], r.split(",")[0]))
    return "\n".join([HEAD, *rows]) + "\n"


def merchant(folder, **kw):
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    (statements / "stripe-2026-01.csv").write_text(report(**kw), encoding="utf-8")
    result = beanclear(folder, "import", str(statements))
    assert result.exit_code == 0, result.output
    checked = beanclear(folder, "check", "--format", "json")
    return json.loads(checked.output)["findings"]


def _unsettled(found):
    return [f for f in found if f["code"] == "unsettled"]


def test_a_charge_no_payout_pays_is_unsettled_beside_refunds_of_payouts_not_in_yet(tmp_path):
    found = merchant(tmp_path)
    [one] = _unsettled(found)
    assert (one["date"], one["amount"], one["currency"]) == ("2026-01-05", "96.80", "USD"), one
    assert "Order #999" in json.dumps(one) or any("999" in r for r in one["refs"]), one
    assert not [f for f in found if f["code"] != "unsettled"], found


def test_without_the_refunds_it_is_the_same_finding(tmp_path):
    [one] = _unsettled(merchant(tmp_path, refunds=False))
    assert (one["date"], one["amount"]) == ("2026-01-05", "96.80"), one


def test_a_report_whose_payouts_pay_all_its_charges_says_nothing(tmp_path):
    # the refunds of the last days wait for their payouts with the charges they are deducted from
    assert merchant(tmp_path, unpaid=False) == []


def test_refunds_outweighing_a_waiting_payouts_charges_do_not_take_the_unpaid_charge(tmp_path):
    # a day whose refund (250.00) outweighs its charges (193.60): Stripe takes the
    # difference back through the payout, not out of the charge no payout pays
    found = merchant(tmp_path, refund="250.00")
    [one] = _unsettled(found)
    assert (one["date"], one["amount"]) == ("2026-01-05", "96.80"), one
