"""Stripe charges the customer pays in one currency and Stripe settles in another: each
export that says what the customer paid books it alike (`customer-amount`, and the
rate it implies as `fx-rate`/`fx-pair` for the fx-gap check), signed as the money moved,
whichever Stripe file (the itemized report, the API's balance transactions, an object
with its balance transaction expanded) says it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beanclear.importers import stripe_api
from channel_util import run

CONFIG = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe:
    type: stripe
    currency: EUR
    settlement_days: 30
    fees:
      - {currency: EUR, rate: 0.014, fixed: 0.25}
shops:
  shop: {type: shopify, order_days: 3}
checks:
  fx-gap: {severity: warning, tolerance_bps: 100}
"""
T1 = 1772528520   # 2026-03-03 09:02 UTC
T2 = 1772701320   # 2026-03-05 09:02 UTC


def _bt(ident, created, amount, fee, source, description, category="charge", rate=None):
    return {"id": ident, "object": "balance_transaction", "amount": amount, "available_on": created + 172800,
            "created": created, "currency": "eur", "description": description, "exchange_rate": rate, "fee": fee,
            "fee_details": [{"amount": fee, "currency": "eur", "description": "Stripe processing fees",
                             "type": "stripe_fee"}] if fee else [],
            "net": amount - fee, "reporting_category": category, "source": source, "status": "available",
            "type": category}


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def _read(tmp_path, cfg, doc):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return {e.meta["id"]: e for e in run(stripe_api, cfg, "stripe", path).entries}


def test_a_refund_s_customer_amount_is_negative_from_the_api_as_in_the_report(tmp_path, cfg):
    # The itemized report writes a refund's customer_facing_amount negative, as its gross;
    # the API's refund object says its amount positive: booked so, the refund read as a
    # charge converted again, its fx-gap's direction backwards
    refund = {"id": "re_1Dir3", "object": "refund", "amount": 5000, "currency": "gbp", "status": "succeeded"}
    doc = {"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": [
        _bt("txn_1Dir3", T2, -5938, 0, refund, "REFUND FOR CHARGE (Order #3002)", "refund", 1.1876)]}
    entry = _read(tmp_path, cfg, doc)["txn_1Dir3"]
    assert (entry.meta["customer-amount"], entry.meta["fx-pair"]) == ("-50.00 GBP", "GBP/EUR")
    # and a source in the settled currency says nothing more: a payout's, a refund's
    same = {"id": "re_1Same", "object": "refund", "amount": 1000, "currency": "eur", "status": "succeeded"}
    doc["data"] = [_bt("txn_1Same", T2, -1000, 0, same, "REFUND FOR CHARGE (Order #3003)", "refund")]
    assert "customer-amount" not in _read(tmp_path, cfg, doc)["txn_1Same"].meta


# -- the API's balance transactions alone, or with the report, in either order ------------

REPORT = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","description","customer_facing_amount","customer_facing_currency"\n'
          '"txn_1ApiFx1","2026-03-03 09:02:00","2026-03-05 00:00:00","eur","115.47","1.87","113.60","charge",'
          '"Order #2001 - Tea set","100.00","gbp"\n'
          '"txn_1ApiFx2","2026-03-05 09:02:00","2026-03-07 00:00:00","eur","58.50","1.07","57.43","charge",'
          '"Order #2002 - Candle","50.00","gbp"\n')
ORDERS = ("Name,Email,Financial Status,Paid at,Created at,Currency,Subtotal,Shipping,Taxes,Total,Refunded Amount,"
          "Lineitem quantity,Lineitem name,Lineitem price\n"
          "#2001,a@example.com,paid,2026-03-03 10:00:00 +0100,2026-03-03 10:00:00 +0100,GBP,100.00,0.00,0.00,"
          "100.00,0.00,1,Tea set,100.00\n"
          "#2002,b@example.com,paid,2026-03-05 10:00:00 +0100,2026-03-05 10:00:00 +0100,GBP,50.00,0.00,0.00,"
          "50.00,0.00,1,Candle,50.00\n")
RATES = "date,pair,rate\n" + "".join(f"2026-03-0{d},GBP/EUR,1.1700\n" for d in range(2, 7))


def _charges(expanded: bool) -> dict:
    """The report's two rows as the API lists them: Stripe's `exchange_rate` to more
    places than the amounts say (100.00 GBP x 1.154663 = 115.47 EUR); with `expanded`,
    each `source` the charge object (what `beanclear fetch` asks for)."""
    def source(ident, amount):
        return {"id": ident, "object": "charge", "amount": amount, "currency": "gbp"} if expanded else ident
    return {"object": "list", "has_more": False, "url": "/v1/balance_transactions", "data": [
        _bt("txn_1ApiFx2", T2, 5850, 107, source("ch_1ApiFx2", 5000), "Order #2002 - Candle", rate=1.17),
        _bt("txn_1ApiFx1", T1, 11547, 187, source("ch_1ApiFx1", 10000), "Order #2001 - Tea set", rate=1.154663)]}


def _merchant(folder, api=None, report=False):
    from conftest import beanclear
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statements = folder / "statements"
    for name, text in (("shop/orders.csv", ORDERS), ("prices/rates.csv", RATES),
                       ("stripe/balance_transactions.json", api and json.dumps(api, indent=1)),
                       ("report/activity.csv", report and REPORT)):
        if text:
            (statements / name).parent.mkdir(parents=True, exist_ok=True)
            (statements / name).write_text(text, encoding="utf-8")
    for name in ("shop", "prices"):
        assert beanclear(folder, "import", str(statements / name)).exit_code == 0
    return folder


def _check(merchant) -> list[dict]:
    from conftest import beanclear
    result = beanclear(merchant, "check", "--format", "json")
    return json.loads(result.output)["findings"]


def _books(merchant) -> str:
    return (merchant / "books" / "stripe" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")


def test_a_charge_with_its_balance_transaction_expanded_says_what_the_customer_paid(tmp_path, cfg):
    # A charge object (or a refund, a dispute) holding its balance transaction expanded
    # states what the customer paid, in its own amount and currency: the tester's were
    # booked with Stripe's bare `exchange_rate`, no pair, no fx-gap judged
    bt = _bt("txn_1ApiFx1", T1, 11547, 187, "ch_1ApiFx1", "Order #2001 - Tea set", rate=1.154663)
    charge = {"id": "ch_1ApiFx1", "object": "charge", "amount": 10000, "amount_captured": 10000,
              "currency": "gbp", "balance_transaction": bt}
    refund = {"id": "re_1ApiFx1", "object": "refund", "amount": 2000, "currency": "gbp", "balance_transaction":
              _bt("txn_1ApiFx3", T2, -2309, 0, "re_1ApiFx1", "REFUND FOR CHARGE (Order #2001)", "refund",
                  1.154663)}
    dispute = {"id": "dp_1ApiFx1", "object": "dispute", "amount": 10000, "currency": "gbp", "balance_transactions": [
        _bt("txn_1ApiFx4", T2, -11547, 1500, "dp_1ApiFx1", "Chargeback withdrawal for ch_1ApiFx1", "dispute",
            1.154663)]}
    entries = _read(tmp_path, cfg, [charge, refund, dispute])
    said = {ident: {k: e.meta.get(k) for k in ("customer-amount", "fx-rate", "fx-pair", "exchange-rate")}
            for ident, e in entries.items()}
    assert said == {
        "txn_1ApiFx1": {"customer-amount": "100.00 GBP", "fx-rate": "1.1547", "fx-pair": "GBP/EUR",
                        "exchange-rate": "1.154663"},
        "txn_1ApiFx3": {"customer-amount": "-20.00 GBP", "fx-rate": "1.1545", "fx-pair": "GBP/EUR",
                        "exchange-rate": "1.154663"},
        "txn_1ApiFx4": {"customer-amount": "-100.00 GBP", "fx-rate": "1.1547", "fx-pair": "GBP/EUR",
                        "exchange-rate": "1.154663"}}


@pytest.mark.parametrize("expanded", [True, False], ids=["source-expanded", "source-id"])
def test_a_converted_row_the_report_and_the_api_hold_books_the_same_in_either_order(tmp_path, expanded):
    # The API's `exchange_rate` (1.154663) is Stripe's; the report implies one from the
    # two amounts (1.1547). Imported first, each wrote its own as `fx-rate`, and the
    # other's "first value stays": other bytes in the other order. One rule writes
    # `fx-rate` (the amounts'), and the API keeps its own as `exchange-rate`.
    from conftest import beanclear
    from test_paypal_views import _same_tree
    orders = {"csv-json": ["report", "stripe"], "json-csv": ["stripe", "report"]}
    books = {}
    for name, folders in orders.items():
        merchant = _merchant(tmp_path / name, api=_charges(expanded), report=True)
        for folder in folders:
            result = beanclear(merchant, "import", str(merchant / "statements" / folder))
            assert result.exit_code == 0, result.output
        books[name] = merchant
    assert _same_tree(books["csv-json"] / "books", books["json-csv"] / "books") == []
    text = _books(books["csv-json"])
    assert 'exchange-rate: "1.154663"' in text and 'fx-rate: "1.1547"' in text and 'customer-amount: "100.00 GBP"' \
        in text
    [gap] = [(f["code"], f["amount"]) for f in _check(books["csv-json"]) if f["severity"] != "off"]
    assert gap == ("fx-gap", "1.53")


def test_the_api_s_charges_with_their_source_are_judged_as_the_report_s(tmp_path):
    from conftest import beanclear
    api, report = _merchant(tmp_path / "api", api=_charges(True)), _merchant(tmp_path / "csv", report=True)
    for merchant in (api, report):
        assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    found = [(f["code"], f["amount"], f["message"]) for f in _check(api)]
    assert found == [(f["code"], f["amount"], f["message"]) for f in _check(report)]
    assert [code for code, _, _ in found] == ["fx-gap"] and "1.53 EUR lost" in found[0][2]


def test_api_balance_transactions_alone_say_their_rates_are_not_judged(tmp_path):
    # The tester's API-only merchant: Stripe's `exchange_rate` names no currency, so the
    # customer's side is unknown. The order of 100.00 GBP was compared with 115.47 EUR
    # through the reference rate, and Stripe's spread (130.8 bps) was an amount-mismatch
    # error; the spread itself was judged nowhere. Now the conversions are one
    # statement-gap of the channel, and nothing is measured through a rate Stripe did not apply.
    from conftest import beanclear
    merchant = _merchant(tmp_path / "m", api=_charges(False))
    assert beanclear(merchant, "import", str(merchant / "statements" / "stripe")).exit_code == 0
    assert 'exchange-rate: "1.154663"' in _books(merchant) and "fx-pair" not in _books(merchant)
    [gap] = _check(merchant)
    assert (gap["code"], gap["source"]) == ("statement-gap", "stripe")
    assert gap["refs"] == ["txn_1ApiFx1", "2001", "ch_1ApiFx1", "txn_1ApiFx2", "2002", "ch_1ApiFx2"]
    assert gap["message"].startswith("2 conversion(s) of stripe from 2026-03-03 to 2026-03-05 state Stripe's rate "
                                     "but not the currency the customer paid")
    # the report of those days says it: judged, the gap gone
    (merchant / "statements" / "report").mkdir()
    (merchant / "statements" / "report" / "activity.csv").write_text(REPORT, encoding="utf-8")
    assert beanclear(merchant, "import", str(merchant / "statements" / "report")).exit_code == 0
    assert [(f["code"], f["amount"]) for f in _check(merchant)] == [("fx-gap", "1.53")]
    # with fx-gap off, rates are not wanted: their absence is no gap either
    alone = _merchant(tmp_path / "off", api=_charges(False))
    (alone / "config.yaml").write_text(CONFIG.replace("severity: warning, tolerance_bps: 100", "severity: off"))
    assert beanclear(alone, "import", str(alone / "statements" / "stripe")).exit_code == 0
    assert _check(alone) == []


# -- a source expanded with what Stripe never writes (blind7 s01, s02, s06, s07) ---------

def _charge(**changes):
    charge = {"id": "ch_A1", "object": "charge", "amount": 55000, "amount_captured": 55000, "currency": "usd",
              "balance_transaction": "txn_ch1", "status": "succeeded", "description": "Order 1001"}
    return {k: v for k, v in {**charge, **changes}.items() if v != "absent"}


def _charged(tmp_path, cfg, source, rate=0.9166, amount=60000):
    bt = _bt("txn_ch1", T1, amount, 1770, source, "Order 1001", rate=rate)
    return _read(tmp_path, cfg, {"object": "list", "url": "/v1/balance_transactions", "has_more": False,
                                 "data": [bt]})["txn_ch1"]


@pytest.mark.parametrize("changes, message", [
    ({"amount": "55000"}, "source.amount: expected a positive integer amount in minor units, got '55000'"),
    ({"amount": 550.0}, "source.amount: expected a positive integer amount in minor units, got Decimal('550.0')"),
    ({"amount": True}, "source.amount: expected a positive integer amount in minor units, got True"),
    ({"amount": None}, "source.amount: expected a positive integer amount in minor units, got nothing"),
    ({"amount": 0, "amount_captured": 0}, "source.amount: expected a positive integer amount in minor units, got 0"),
    ({"amount_captured": "55000"}, "source.amount_captured: expected a positive integer amount in minor units"),
    ({"currency": None}, "source.currency: expected the currency of source.amount, got nothing"),
    ({"currency": "absent"}, "source.currency: expected the currency of source.amount, got nothing"),
])
def test_a_charge_expanded_with_a_malformed_amount_or_currency_is_refused(tmp_path, cfg, changes, message):
    # each was read as a source not expanded (the fx check then asked for it), or booked as
    # `customer-amount: "0.00 USD"`
    from channel_util import raises_at
    raises_at(tmp_path, f"api.json:6: {message}", lambda: _charged(tmp_path, cfg, _charge(**changes)))


@pytest.mark.parametrize("rate, shown", [("abc", "'abc'"), (0, "0"), (-1.09, "Decimal('-1.09')"), (True, "True")])
def test_an_exchange_rate_that_is_no_rate_is_refused(tmp_path, cfg, rate, shown):
    from channel_util import raises_at
    raises_at(tmp_path, f"api.json:6: exchange_rate: expected a positive number (or null: no conversion), got {shown}",
              lambda: _charged(tmp_path, cfg, _charge(), rate=rate))


def test_a_charge_in_the_settlement_currency_paying_another_amount_is_refused(tmp_path, cfg):
    # blind7 s07: a 600.00 charge whose charge object says 1.00, booked with
    # customer-amount "1.00 EUR" and no remark
    from channel_util import raises_at
    raises_at(tmp_path, "api.json:6: balance_transaction txn_ch1: amount 600.00 EUR, but its source ch_A1 says "
              "1.00 EUR", lambda: _charged(tmp_path, cfg, _charge(amount=100, amount_captured=100, currency="eur"),
                                          rate=None))


def test_a_charge_in_the_settlement_currency_captured_in_part_books_what_was_captured(tmp_path, cfg):
    # amount_captured: what the customer paid of what was authorized; an older charge
    # without it, or one captured in several parts, settles part of its `amount`
    for changes in ({"amount": 80000, "amount_captured": 60000}, {"amount": 80000, "amount_captured": None},
                    {"amount": 80000, "amount_captured": "absent"}, {"amount": 60000, "amount_captured": 60000}):
        entry = _charged(tmp_path, cfg, _charge(currency="eur", **changes), rate=None)
        assert "customer-amount" not in entry.meta, (changes, entry.meta)
    entry = _charged(tmp_path, cfg, _charge(currency="usd", amount=70000, amount_captured=65000))
    assert entry.meta["customer-amount"] == "650.00 USD" and entry.meta["exchange-rate"] == "0.9166"


@pytest.mark.parametrize("source, shown", [([_charge()], "list"), (12345, "12345")])
def test_a_source_neither_an_id_nor_an_object_is_refused(tmp_path, cfg, source, shown):
    # blind7 s03: booked with `source-id: "[{'id': 'ch_A1', …}]"`
    from channel_util import raises_at
    raises_at(tmp_path, f"api.json:6: source: expected the source's id (ch_…) or its object, got {shown}",
              lambda: _charged(tmp_path, cfg, source))
