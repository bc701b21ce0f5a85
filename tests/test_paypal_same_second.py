"""PayPal's running balances where a payment and the conversion pair selling it share one
second: the Transaction Search response says nothing of the order of a second's rows
(`beanclear fetch` archives them by id), the activity download lists them in PayPal's
order. The conversion names the payment whose money it sells, so it came after it: the
two move the balance as one (paypal_booking._one_move), and the day's balance in that
currency is asserted from either file, the same (README: the download and the response
book the same entries in either order; `ending_balance` as assertions). A row paying out
and the conversion buying what it pays PayPal lists either way: the days around decide."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest

from beanclear.importers import paypal_api, paypal_csv
from channel_util import run
from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  paypal: {type: paypal, currency: EUR, settlement_days: 60}
checks:
  fx-gap: {severity: off}
"""
CODES = {"T0006": "Express Checkout Payment", "T0200": "General Currency Conversion", "T1107": "Payment Refund"}
HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","Transaction ID",'
          '"Reference Txn ID","Invoice Number","Balance"')
# (id, code, UTC time on 2026-01-05, currency, gross, fee, balance, reference, invoice): the tester's repro
DAY = [("PAYEUR00000000001", "T0006", "09:00:00", "EUR", "50.00", "-1.60", "48.40", "", "1001"),
       ("PAYUSD00000000001", "T0006", "10:00:00", "USD", "100.00", "-2.98", "97.02", "", "1002"),
       ("CONVUSD0000000001", "T0200", "10:00:00", "USD", "-97.02", "0.00", "0.00", "PAYUSD00000000001", "1002"),
       ("CONVEUR0000000001", "T0200", "10:00:00", "EUR", "88.50", "0.00", "136.90", "PAYUSD00000000001", "1002")]


def json_text(rows, day="2026-01-05") -> str:
    details = [{"transaction_info": {
        "transaction_id": ident, "transaction_event_code": code,
        "transaction_initiation_date": f"{extra[0] if extra else day}T{time}+0000",
        "transaction_amount": {"currency_code": currency, "value": gross},
        "fee_amount": {"currency_code": currency, "value": fee}, "transaction_status": "S",
        "ending_balance": {"currency_code": currency, "value": balance}, "invoice_id": invoice,
        **({"paypal_reference_id": ref, "paypal_reference_id_type": "TXN"} if ref else {})}}
        for ident, code, time, currency, gross, fee, balance, ref, invoice, *extra in rows]
    return json.dumps({"transaction_details": details, "account_number": "MERCH1", "page": 1, "total_pages": 1},
                      indent=1)


def csv_text(rows, day="2026-01-05") -> str:
    """The same rows as the activity download lists them (oldest first), in London: UTC in January."""
    lines = [HEADER]
    for ident, code, time, currency, gross, fee, balance, ref, invoice, *extra in rows:
        y, m, d = (extra[0] if extra else day).split("-")
        net = f"{Decimal(gross) + Decimal(fee):.2f}"
        cells = (f"{d}/{m}/{y}", time, "Europe/London", "", CODES[code], "Completed", currency, gross, fee, net,
                 ident, ref, invoice, balance)
        lines.append(",".join(f'"{c}"' for c in cells))
    return "\n".join(lines) + "\n"


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def assertions(module, cfg, path) -> list[tuple[str, str]]:
    return sorted((str(e.date), str(e.amount)) for e in run(module, cfg, "paypal", path).entries
                  if not hasattr(e, "postings"))


def both(tmp_path, cfg, rows, name="day"):
    """The balance assertions of the rows as a response and as a download."""
    (tmp_path / f"{name}.json").write_text(json_text(rows), encoding="utf-8")
    (tmp_path / f"{name}.csv").write_text(csv_text(rows), encoding="utf-8")
    return assertions(paypal_api, cfg, tmp_path / f"{name}.json"), assertions(paypal_csv, cfg, tmp_path / f"{name}.csv")


def test_a_usd_payment_and_its_conversion_in_one_second_assert_the_days_usd_from_the_json_as_the_csv(tmp_path, cfg):
    """The tester's repro: the USD payment (0 → 97.02) and the conversion selling it
    (97.02 → 0) share their second; the conversion names the payment, so it follows it:
    the day closes at 0.00 USD, from the response as from the download."""
    from_json, from_csv = both(tmp_path, cfg, DAY)
    assert from_json == from_csv == [("2026-01-06", "0.00 USD"), ("2026-01-06", "136.90 EUR")]


def test_the_days_balances_whatever_order_the_response_lists_its_second_in(tmp_path, cfg):
    """A response's order of a second's rows is no clue: every order of the three, the same."""
    for n, second in enumerate(itertools.permutations(DAY[1:])):
        path = tmp_path / f"order{n}.json"
        path.write_text(json_text([DAY[0], *second]), encoding="utf-8")
        assert assertions(paypal_api, cfg, path) == [("2026-01-06", "0.00 USD"), ("2026-01-06", "136.90 EUR")], second


# a refund paid out of USD the conversion buys, in one second, as the download lists them
REFUND = [("CONVUSD0000000002", "T0200", "14:07:56", "USD", "85.16", "0.00", "85.16", "REFUND00000000001", "1002",
           "2026-01-06"),
          ("CONVEUR0000000002", "T0200", "14:07:56", "EUR", "-77.90", "0.00", "59.00", "REFUND00000000001", "1002",
           "2026-01-06"),
          ("REFUND00000000001", "T1107", "14:07:56", "USD", "-85.16", "0.00", "0.00", "PAYUSD00000000001", "1002",
           "2026-01-06")]


def test_a_refund_and_the_conversion_funding_it_in_one_second_close_where_the_day_before_says(tmp_path, cfg):
    """The tester's 7 February: the conversion buys the USD a refund pays out, in one second
    (0 → 85.16 → 0.00 as the download lists them), the response listing the refund first.
    PayPal lists a row paying out and its conversion either way, so their names do not
    order them; the day before does: it closed at 0.00 USD, the day moved nothing in USD."""
    from_json, from_csv = both(tmp_path, cfg, [*DAY, *REFUND])
    assert from_json == from_csv == [("2026-01-06", "0.00 USD"), ("2026-01-06", "136.90 EUR"),
                                     ("2026-01-07", "0.00 USD"), ("2026-01-07", "59.00 EUR")]
    path = tmp_path / "refund-first.json"
    path.write_text(json_text([*DAY, REFUND[2], *REFUND[:2]]), encoding="utf-8")
    assert assertions(paypal_api, cfg, path) == from_csv


def test_importing_the_download_after_the_response_writes_nothing_new_but_its_coverage(tmp_path):
    """In either order, the second file finds every entry and assertion in the books."""
    for first, second in (("pp.json", "pp.csv"), ("pp.csv", "pp.json")):
        folder = tmp_path / first.replace(".", "-")
        folder.mkdir()
        (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
        (folder / "pp.json").write_text(json_text(DAY), encoding="utf-8")
        (folder / "pp.csv").write_text(csv_text(DAY), encoding="utf-8")
        result = beanclear(folder, "import", str(folder / first))
        assert result.exit_code == 0, result.output
        before = snapshot(folder / "books" / "paypal")
        result = beanclear(folder, "import", str(folder / second))
        assert result.exit_code == 0, result.output
        assert "0 entries written, 2 already in the books, skipped 2 conversion rows (booked in the entry of the row " \
               "they fund); balance assertions: 0 written, 2 already in the books" in result.output, result.output
        after = snapshot(folder / "books" / "paypal")
        assert after.keys() == before.keys()
        added = [line for name in after for line in after[name].decode().splitlines()
                 if line not in before[name].decode().splitlines()]
        assert all("coverage" in line or line.startswith("  ") or not line for line in added), added


def test_the_response_streamed_its_halves_on_disk_asserts_the_same(tmp_path, cfg, monkeypatch):
    """Past STREAM_FROM the halves of the pairs, their balances with them, wait on disk."""
    from beanclear.books import idset
    from beanclear.importers.toolkit import text
    path = tmp_path / "day.json"
    path.write_text(json_text([*DAY, *REFUND]), encoding="utf-8")
    whole = run(paypal_api, cfg, "paypal", path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(idset, "LIMIT_IDS", 1)
    streamed = run(paypal_api, cfg, "paypal", path)
    assert list(streamed.entries) == list(whole.entries)
    assert [str(e.amount) for e in whole.entries if not hasattr(e, "postings")] == [
        "136.90 EUR", "59.00 EUR", "0.00 USD", "0.00 USD"]


# -- must not fire -----------------------------------------------------------------------

def test_a_day_without_usd_activity_asserts_no_usd(tmp_path, cfg):
    """The day before the USD pair moved only EUR: no USD assertion for it, from either file."""
    rows = [("PAYEUR00000000000", "T0006", "09:00:00", "EUR", "20.00", "0.00", "20.00", "", "1000", "2026-01-04"),
            ("PAYEUR00000000001", "T0006", "09:00:00", "EUR", "50.00", "-1.60", "68.40", "", "1001"),
            *DAY[1:3], ("CONVEUR0000000001", "T0200", "10:00:00", "EUR", "88.50", "0.00", "156.90",
                        "PAYUSD00000000001", "1002")]
    from_json, from_csv = both(tmp_path, cfg, rows)
    assert from_json == from_csv == [("2026-01-05", "20.00 EUR"), ("2026-01-06", "0.00 USD"),
                                     ("2026-01-06", "156.90 EUR")]


def test_a_refund_and_its_conversion_on_usds_only_day_are_not_ordered_by_guess(tmp_path, cfg):
    """The refund and the conversion funding it, alone in USD: a withdrawal goes out before
    the conversion funding it in PayPal's download (../shared/samples' activity and
    statement: the balance below zero between), a payment sent after its; nothing in the
    response says which, nor the days around: no USD close asserted (the download's order
    says it)."""
    sale = ("PAYEUR00000000001", "T0006", "09:00:00", "EUR", "136.90", "0.00", "136.90", "", "1001")
    from_json, from_csv = both(tmp_path, cfg, [sale, *REFUND])
    assert from_json == [("2026-01-06", "136.90 EUR"), ("2026-01-07", "59.00 EUR")]
    assert from_csv == [("2026-01-06", "136.90 EUR"), ("2026-01-07", "0.00 USD"), ("2026-01-07", "59.00 EUR")]


def test_rows_of_one_second_that_name_no_other_are_not_ordered_by_guess(tmp_path, cfg):
    """A USD payment in (0 → 10) and an unrelated refund out (10 → 0) in one second, neither
    naming the other, on the currency's only day: nothing in the response says which came
    last, so its USD close is not asserted (the download's order says it)."""
    rows = [("PAYUSD00000000009", "T0006", "10:00:00", "USD", "10.00", "0.00", "10.00", "", "1009"),
            ("REFUND00000000009", "T1107", "10:00:00", "USD", "-10.00", "0.00", "0.00", "PAYUSD00000000000", "1000")]
    from_json, from_csv = both(tmp_path, cfg, rows)
    assert from_json == []
    assert from_csv == [("2026-01-06", "0.00 USD")]
