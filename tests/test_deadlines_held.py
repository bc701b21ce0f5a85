"""A deadline waits only for a gap in the statements that could hold what it lacks, and
the gap that holds it names it (blind5: a quiet PayPal account's month of two rows was a
hole that held a Stripe refund the invoice export never showed; the billing shop's gap
named it, with the wrong cause; with a PayPal row more, nothing did)."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe:
    type: stripe
    currency: EUR
    settlement_days: 60
    order_pattern: "(INV-\\\\d+)"
  paypal:
    type: paypal
    currency: EUR
    settlement_days: 60
    order_pattern: "(INV-\\\\d+)"{paypal_extra}
shops:
  billing:
    type: orders-csv
    order_days: 5
    columns: {{order_id: Invoice, date: Date, amount: Total, currency: Currency, status: Status, refund: Refunded}}
    statuses: {{booked: [paid]}}
"""
PAYPAL_HEAD = ('\ufeff"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
               '"Transaction ID","Reference Txn ID","Invoice Number","Balance"')
STRIPE_HEAD = '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",' \
              '"reporting_category","description"'


def paypal_row(day: str, tx: str, invoice: str, balance: str) -> str:
    return (f'"{day}","11:30:00","CET","Tailspin","Express Checkout Payment","Completed","EUR","100.00","-3.84",'
            f'"96.16","{tx}","","{invoice}","{balance}"')


def merchant(folder, paypal_march=(("20/03/2026", "PP000000000000002", "INV-3", "192.32"),), invoices=(),
             paypal_extra=""):
    """Stripe refunds 10.00 of INV-1 on 03-04, which the invoice export never shows
    (deadline 03-09); PayPal, a quiet account, has one payment in February, one (or
    more) in March, each month's activity download stating no period."""
    (folder / "config.yaml").write_text(CONFIG.format(paypal_extra=paypal_extra), encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    (statements / "invoices.csv").write_text("\n".join([
        "Invoice,Date,Total,Currency,Status,Refunded", "INV-2,2026-02-10,100.00,EUR,paid,0.00",
        "INV-1,2026-03-02,49.00,EUR,paid,0.00", "INV-3,2026-03-20,100.00,EUR,paid,0.00",
        *invoices, "INV-4,2026-03-31,10.00,EUR,paid,0.00"]) + "\n", encoding="utf-8")
    (statements / "paypal-2026-02.csv").write_text(
        PAYPAL_HEAD + "\n" + paypal_row("10/02/2026", "PP000000000000001", "INV-2", "96.16") + "\n", encoding="utf-8")
    (statements / "paypal-2026-03.csv").write_text(
        "\n".join([PAYPAL_HEAD, *(paypal_row(*row) for row in paypal_march)]) + "\n", encoding="utf-8")
    (statements / "stripe-2026-03.csv").write_text("\n".join([
        STRIPE_HEAD,
        '"txn_C1","2026-03-02 10:00:00","2026-03-05 00:00:00","eur","49.00","0.99","48.01","charge","Invoice INV-1"',
        '"txn_R1","2026-03-04 10:00:00","2026-03-04 00:00:00","eur","-10.00","0.00","-10.00","refund",'
        '"REFUND FOR CHARGE (Invoice INV-1)"',
        '"txn_C4","2026-03-31 10:00:00","2026-04-03 00:00:00","eur","10.00","0.40","9.60","charge","Invoice INV-4"'])
        + "\n", encoding="utf-8")
    assert beanclear(folder, "import", str(statements)).exit_code == 0
    result = beanclear(folder, "check", "--format", "json")
    return [f for f in json.loads(result.output)["findings"] if f["code"] != "refund-rate"]


# PayPal's March row 100.00 above what February's and its own make: rows of the days
# between are missing (where the balance carries on, 96.16 + 96.16, the days are quiet: blind18)
STEPPED = (("20/03/2026", "PP000000000000002", "INV-3", "292.32"),)


def test_a_hole_in_paypals_statements_does_not_hold_a_stripe_refund_of_an_order_stripe_paid(tmp_path):
    """The order was paid through Stripe and refunded through Stripe: whatever PayPal's
    missing days hold, they hold no refund of it. The refund the shop never recorded
    is judged on Stripe's statements, as it is without PayPal in the config."""
    found = merchant(tmp_path, STEPPED)
    assert [f["source"] for f in found if f["code"] == "statement-gap"] == ["paypal"], found
    unsynced = [f for f in found if f["code"] == "refund-unsynced"]
    assert [(f["source"], f["date"], f["amount"]) for f in unsynced] == [("billing", "2026-03-04", "10.00")]
    assert not any("INV-1" in f["refs"] for f in found if f["code"] == "statement-gap"), found


def test_the_refund_is_judged_when_paypals_statements_reach_the_invoices_end(tmp_path):
    """A PayPal row on 03-30 more: PayPal's statements end within a quiet weekend of the
    invoices, so no gap of an early end is said; the refund was held by PayPal's hole
    and said nowhere."""
    march = (("20/03/2026", "PP000000000000002", "INV-3", "192.32"),
             ("30/03/2026", "PP000000000000003", "INV-5", "288.48"))
    found = merchant(tmp_path, march, invoices=("INV-5,2026-03-30,100.00,EUR,paid,0.00",))
    assert [f["refs"][0] for f in found if f["code"] == "refund-unsynced"] == ["INV-1"], found


def test_a_deadline_a_hole_holds_is_listed_by_the_hole_with_its_cause(tmp_path):
    """INV-9 of 03-05 has no payment: PayPal's missing days (02-11 to 03-19) may hold it.
    The hole's statement-gap names it among its refs and says it waits; no gap of the
    shop takes it with another cause."""
    found = merchant(tmp_path, STEPPED, invoices=("INV-9,2026-03-05,30.00,EUR,paid,0.00",))
    [hole] = [f for f in found if f["code"] == "statement-gap" and f["source"] == "paypal"]
    assert hole["date"] == "2026-02-11" and "INV-9" in hole["refs"], hole
    # (its balance steps over the days: they had lines, and no `quiet_days:` is named)
    assert hole["message"].startswith("no statement of paypal covers 2026-02-11 to 2026-03-19 (37 days); ")
    assert "; and 1 billing order deadline(s) wait for them" in hole["message"], hole["message"]
    assert not [f for f in found if f["code"] == "statement-gap" and f["source"] == "billing"], found
    assert not [f for f in found if f["code"] == "order-unpaid"], found


def test_a_channel_quiet_for_weeks_says_so_in_its_config_and_its_quiet_month_is_no_hole(tmp_path):
    """`quiet_days: 45` on PayPal: a month of one row between two downloads that state no
    period is quiet, not missing; the rest is judged as before."""
    found = merchant(tmp_path, paypal_extra="\n    quiet_days: 45")
    assert [(f["code"], f["refs"][0]) for f in found] == [("refund-unsynced", "INV-1")], found


def test_quiet_days_are_of_statements_read_from_their_lines_only():
    """Between two statements that state their periods no quiet day is unsaid: a month
    between them is a hole whatever `quiet_days` allows; between statements read from
    their lines, the days it allows are quiet, one more is a hole; 0: every day has a
    line, a day without is a hole. Fewer than QUIET_DAYS narrows the weekend between two
    stated periods too (blind9: WeChat's bills, each of the day its name says, and none
    of a day without transactions; `quiet_days: 0` left a day without one quiet)."""
    import datetime as dt
    from types import SimpleNamespace

    from beancount.core import data
    from beancount.parser.grammar import ValueType
    from beanclear.statements.coverage import KIND, Coverage

    def record(first, last, lines):
        return data.Custom({"period": "lines"} if lines else {}, last, KIND,
                           [ValueType("paypal", str), ValueType(first, dt.date)])

    def holes(quiet, *spans, lines=True):
        config = SimpleNamespace(channels={"paypal": SimpleNamespace(quiet_days=quiet)})
        return Coverage.of([record(first, last, lines) for first, last in spans], config).holes("paypal")
    day = lambda m, d: dt.date(2026, m, d)
    feb, mar = (day(2, 10), day(2, 10)), (day(3, 20), day(3, 20))
    assert holes(None, feb, mar) == [(day(2, 11), day(3, 19))]   # QUIET_DAYS: a weekend
    assert holes(37, feb, mar) == []
    assert holes(36, feb, mar) == [(day(2, 11), day(3, 19))]
    # beside a statement of one day (none is made of a day without lines) it holds as it
    # says (blind18: WeChat's bills over the Spring Festival); between two of several days
    # each, up to QUIET_DAYS (each says its days, quiet ones too)
    assert holes(45, feb, mar, lines=False) == []
    assert holes(45, (day(2, 1), day(2, 10)), (day(3, 20), day(3, 31)), lines=False) == [(day(2, 11), day(3, 19))]
    assert holes(45, (day(3, 1), day(3, 5)), (day(3, 9), day(3, 12)), lines=False) == []
    assert holes(45, (day(3, 1), day(3, 5)), (day(3, 10), day(3, 12)), lines=False) == [(day(3, 6), day(3, 9))]
    assert holes(0, (day(3, 1), day(3, 5)), (day(3, 7), day(3, 9))) == [(day(3, 6), day(3, 6))]
    assert holes(None, (day(3, 1), day(3, 5)), (day(3, 7), day(3, 9))) == []
    assert holes(0, (day(3, 1), day(3, 5)), (day(3, 7), day(3, 9)), lines=False) == [(day(3, 6), day(3, 6))]
    assert holes(1, (day(3, 1), day(3, 5)), (day(3, 8), day(3, 9)), lines=False) == [(day(3, 6), day(3, 7))]
    # two that state periods of several days leave no day between them quiet (blind17)
    assert holes(None, (day(3, 1), day(3, 5)), (day(3, 7), day(3, 9)), lines=False) == [(day(3, 6), day(3, 6))]
    assert holes(None, (day(3, 1), day(3, 5)), (day(3, 7), day(3, 7)), lines=False) == []   # one of a day: a weekend
    assert holes(45, (day(3, 1), day(3, 5)), (day(3, 9), day(3, 9)), lines=False) == []


def test_quiet_days_is_a_whole_number_of_days(tmp_path):
    from beanclear import config as config_mod
    from beanclear.config.model import ConfigError
    import pytest
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(paypal_extra="\n    quiet_days: a month"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"channels\.paypal\.quiet_days: expected a whole number of days"):
        config_mod.load(path)
    path.write_text(CONFIG.format(paypal_extra="\n    quiet_days: 31"), encoding="utf-8")
    assert config_mod.load(path).channels["paypal"].quiet_days == 31
