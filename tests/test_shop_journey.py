"""End to end through the command line: a shop's order export and a WeChat Pay trade
bill whose payments pay that shop's orders (`shop:` on the channel). Import, import
again (nothing added), check: exactly the planted receivable problems, and none on
the clean variant. Also the routing itself: which channel entries clear an order."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.importers import wechat_trade
from conftest import beanclear, snapshot
from test_wechat import ALL_HEADER, bill

CONFIG = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    settlement_days: 400      # no payouts in this test: money may sit in clearing
    shop: teashop
shops:
  teashop: {type: shopify, currency: CNY, order_days: 3}
"""
SHOP_HEADER = "Name,Email,Financial Status,Created at,Total,Refunded Amount,Currency,Lineitem name"


def shop_export(folder, orders):
    rows = [f"#{name},buyer@example.com,{status},2026-03-{day} 10:00:00 +0800,{total},{refunded},CNY,Tea"
            for name, day, total, refunded, status in orders]
    (folder / "orders_export.csv").write_text("\n".join([SHOP_HEADER, *rows]) + "\n", encoding="utf-8")


def wx_row(day, trade_id, order_id, amount, status="SUCCESS", refund_id="", refund="0.00"):
    amount, refund = Decimal(amount), Decimal(refund)
    fee = (amount * Decimal("0.006")).quantize(Decimal("0.01")) if status == "SUCCESS" else \
        -(refund * Decimal("0.006")).quantize(Decimal("0.01"))
    settled = amount if status == "SUCCESS" else Decimal("0.00")
    return (f"2026-03-{day} 10:05:00,wx1,1601959334,0,,{trade_id},{order_id},user,JSAPI,{status},CFT,CNY,{settled},"
            f"0.00,{refund_id or 0},{'R' + order_id if refund else 0},{refund},0.00,{'ORIGINAL' if refund else ''},"
            f"{'SUCCESS' if refund else ''},Tea,,{fee:.5f},0.60%,{settled},{refund},"), settled, refund, fee


def trade_bill(folder, rows):
    built = [wx_row(*r) if isinstance(r, tuple) else wx_row(**r) for r in rows]
    settled = sum(b[1] for b in built)
    refunded = sum(b[2] for b in built)
    fees = sum(b[3] for b in built)
    summary = f"{len(built)},{settled},{refunded},0.00,{fees:.5f},{settled},{refunded}"
    bill(folder, ALL_HEADER, [b[0] for b in built], summary, name="wechat_tradebill.csv")


PLANTED_ORDERS = [("1001", "01", "100.00", "0.00", "paid"),       # paid: clean
                  ("1002", "01", "50.00", "0.00", "paid"),        # never paid: order-unpaid
                  ("1003", "02", "80.00", "0.00", "paid"),        # paid 70.00: amount-mismatch
                  ("1004", "02", "60.00", "0.00", "paid"),        # paid twice: duplicate-charge
                  ("1005", "03", "40.00", "2.00", "partially_refunded"),  # WeChat never refunded: refund-unsynced
                  ("1006", "03", "30.00", "0.00", "voided"),      # moved no money: skipped
                  ("1007", "10", "20.00", "0.00", "paid")]        # the last day of the export
PLANTED_PAYMENTS = [("01", "4200001001", "1001", "100.00"), ("02", "4200001003", "1003", "70.00"),
                    ("02", "4200001004", "1004", "60.00"), ("03", "4200001104", "1004", "60.00"),
                    ("03", "4200001005", "1005", "40.00"), ("06", "4200001999", "1999", "25.00"),
                    ("10", "4200001007", "1007", "20.00")]
CLEAN_ORDERS = PLANTED_ORDERS
CLEAN_PAYMENTS = [("01", "4200001001", "1001", "100.00"), ("02", "4200001002", "1002", "50.00"),
                  ("02", "4200001003", "1003", "80.00"), ("02", "4200001004", "1004", "60.00"),
                  ("03", "4200001005", "1005", "40.00"),
                  {"day": "03", "trade_id": "4200001005", "order_id": "1005", "amount": "0", "status": "REFUND",
                   "refund_id": "5030001005", "refund": "2.00"},
                  ("10", "4200001007", "1007", "20.00")]


@pytest.fixture
def shop_merchant(tmp_path):
    def make(orders, payments):
        (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
        statements = tmp_path / "statements"
        statements.mkdir(exist_ok=True)
        shop_export(statements, orders)
        trade_bill(statements, payments)
        return tmp_path
    return make


def check_json(merchant):
    result = beanclear(merchant, "check", "--format", "json")
    return result, json.loads(result.output)


def test_import_and_check_report_exactly_the_planted_problems(shop_merchant):
    merchant = shop_merchant(PLANTED_ORDERS, PLANTED_PAYMENTS)
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    assert ("orders_export.csv: teashop (shopify orders), 7 rows read, 7 entries written, 0 already in the books, "
            "skipped 1 voided (authorisation released, no money moved)") in result.output
    before = snapshot(merchant / "books")
    again = beanclear(merchant, "import", str(merchant / "statements"))
    assert again.exit_code == 0 and again.output.count("0 entries written") == 2
    assert snapshot(merchant / "books") == before

    result, report = check_json(merchant)
    assert result.exit_code == 1  # order-unpaid, amount-mismatch, duplicate-charge, refund-unsynced are errors
    found = sorted((f["code"], f["refs"][0]) for f in report["findings"])
    assert found == [("amount-mismatch", "#1003"), ("duplicate-charge", "#1004"), ("order-unpaid", "#1002"),
                     ("payment-without-order", "4200001999"), ("refund-unsynced", "#1005")]
    by_code = {f["code"]: f for f in report["findings"]}
    assert by_code["duplicate-charge"]["refs"] == ["#1004", "4200001004", "1004", "4200001104"]
    assert by_code["amount-mismatch"]["expected"] == "80.00" and by_code["amount-mismatch"]["actual"] == "70.00"
    assert report["summary"] == {"errors": 4, "warnings": 1, "acknowledged": 0, "following_up": 0}

    # the books: the shop's orders and the channel's payments meet in one receivable
    main = (merchant / "books" / "main.beancount").read_text()
    assert 'plugin "beanclear.plugins.checks" "../config.yaml"' in main
    accounts = (merchant / "books" / "accounts.beancount").read_text()
    assert "open Assets:Receivable:Teashop" in accounts and "open Income:Sales:Teashop" in accounts
    wechat = (merchant / "books" / "wechat" / "2026" / "2026-03.beancount").read_text()
    assert "Income:Sales:WeChat" not in wechat and "^order-1003" in wechat


def test_totals_of_the_order_file_are_the_books_receivable(shop_merchant):
    merchant = shop_merchant(PLANTED_ORDERS, PLANTED_PAYMENTS)
    assert beanclear(merchant, "import", str(merchant / "statements" / "orders_export.csv")).exit_code == 0
    entries, errors, _ = loader.load_file(str(merchant / "books" / "main.beancount"))
    receivable = sum(p.units.number for e in entries if hasattr(e, "postings") for p in e.postings
                     if p.account == "Assets:Receivable:Teashop")
    booked = [o for o in PLANTED_ORDERS if o[4] != "voided"]
    assert receivable == sum(Decimal(o[2]) - Decimal(o[3]) for o in booked)


def test_clean_variant_reports_nothing(shop_merchant):
    merchant = shop_merchant(CLEAN_ORDERS, CLEAN_PAYMENTS)
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    result, report = check_json(merchant)
    assert (result.exit_code, report["findings"]) == (0, []), result.output
    text = beanclear(merchant, "check")
    # no finding; the one note: the config writes no fees for wechat, so fee-gap judges nothing there
    assert text.exit_code == 0 and [" ".join(line.split()) for line in text.output.splitlines()] == [
        "note wechat: no fees: in config.yaml, so its fees are not checked (fee-gap judges none of its payments): "
        "write its contract as channels.wechat.fees (a rule such as `- rate: 0.006`)",
        "0 errors, 0 warnings, 0 acknowledged"]


def test_an_acknowledged_problem_no_longer_fails_the_check(shop_merchant):
    merchant = shop_merchant(CLEAN_ORDERS, [p for p in CLEAN_PAYMENTS if isinstance(p, dict) or p[2] != "1002"])
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    assert beanclear(merchant, "check").exit_code == 1
    with open(merchant / "books" / "acks.beancount", "a", encoding="utf-8") as fh:
        fh.write('2026-03-11 custom "beanclear-ack" "order-unpaid" "#1002" "paid in cash at the counter"\n')
    result = beanclear(merchant, "check")
    assert result.exit_code == 0 and "acknowledged error   order-unpaid" in result.output


def test_bad_shop_export_is_exit_2_and_nothing_written(shop_merchant):
    merchant = shop_merchant(PLANTED_ORDERS, PLANTED_PAYMENTS)
    with open(merchant / "statements" / "orders_export.csv", "a", encoding="utf-8") as fh:
        fh.write("#1008,x@example.com,paid,2026-03-11 10:00:00 +0800,twelve,0.00,CNY,Tea\n")
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 2
    assert "orders_export.csv:9: column Total: expected an amount, got 'twelve'; nothing was written" in result.output
    assert not (merchant / "books").exists()


# -- the routing: which channel entries clear an order (importers/base.py) ----------------

def routed(make_config, tmp_path, channel_extra: str, rows):
    cfg = make_config(CONFIG.replace("    shop: teashop\n", "    shop: teashop\n" + channel_extra))
    trade_bill(tmp_path, rows)
    return wechat_trade.Importer(cfg.channels["wechat"], cfg).read(str(tmp_path / "wechat_tradebill.csv")).entries


def test_payment_naming_an_order_clears_the_receivable_and_refund_reverses(make_config, tmp_path):
    pay, refund = routed(make_config, tmp_path, "", [
        ("01", "4200001001", "1001", "100.00"),
        {"day": "02", "trade_id": "4200001001", "order_id": "1001", "amount": "0", "status": "REFUND",
         "refund_id": "5030001001", "refund": "30.00"}])
    assert {p.account: p.units.number for p in pay.postings} == {
        "Assets:Clearing:WeChat": Decimal("99.40"), "Expenses:Fees:WeChat": Decimal("0.60"),
        "Assets:Receivable:Teashop": Decimal("-100.00")}
    assert pay.links == {"order-1001"}
    assert {p.account: p.units.number for p in refund.postings} == {
        "Assets:Clearing:WeChat": Decimal("-29.82"), "Expenses:Fees:WeChat": Decimal("-0.18"),
        "Assets:Receivable:Teashop": Decimal("30.00")}


def test_order_pattern_picks_the_shop_order_out_of_the_merchant_order_number(make_config, tmp_path):
    pay, other = routed(make_config, tmp_path, '    order_pattern: "^T200P(\\\\d+)$"\n', [
        ("01", "4200001001", "T200P1001", "100.00"), ("01", "4200001002", "QR-77", "12.00")])
    assert pay.links == {"order-1001"} and pay.meta["shop-order-id"] == "1001" and pay.meta["order-id"] == "T200P1001"
    assert "Assets:Receivable:Teashop" in {p.account for p in pay.postings}
    # a counter payment the pattern does not claim stays a sale of the channel
    assert "Income:Sales:WeChat" in {p.account for p in other.postings} and other.links == {"order-QR-77"}


def test_channel_without_shop_pays_the_only_shop_and_without_shops_posts_to_income(make_config, tmp_path):
    trade_bill(tmp_path, [("01", "4200001001", "1001", "100.00")])
    for config, account in ((CONFIG.replace("    shop: teashop\n", ""), "Assets:Receivable:Teashop"),
                            (CONFIG.replace("    shop: teashop\n", "").split("shops:")[0], "Income:Sales:WeChat")):
        cfg = make_config(config)
        [pay] = wechat_trade.Importer(cfg.channels["wechat"], cfg).read(str(tmp_path / "wechat_tradebill.csv")).entries
        assert account in {p.account for p in pay.postings}


@pytest.mark.parametrize("extra, message", [
    ("    shop: nowhere\n", 'channels.wechat.shop: expected the name of a shop under shops (teashop), or none '
                         '(its payments pay no shop), got "nowhere"'),
    ('    order_pattern: "T200P\\\\d+"\n',
     "channels.wechat.order_pattern: expected a regular expression with one group"),
])
def test_channel_shop_keys_are_validated(make_config, extra, message):
    with pytest.raises(config_mod.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_config(CONFIG.replace("    shop: teashop\n", extra))


def test_an_order_awaiting_payment_is_skipped_then_booked_from_the_export_that_says_paid(shop_merchant):
    # Shopify's `pending` (a bank deposit, cash on delivery: no Paid at) moved no money:
    # counted and skipped as voided is, not booked to the receivable and reported
    # order-unpaid. The later export where it is paid books it, and its payment clears it.
    merchant = shop_merchant([("1001", "01", "100.00", "0.00", "paid"), ("1002", "01", "50.00", "0.00", "pending")],
                             [("01", "4200001001", "1001", "100.00")])
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    assert ("orders_export.csv: teashop (shopify orders), 2 rows read, 1 entries written, 0 already in the books, "
            "skipped 1 awaiting payment (no sale yet)") in result.output
    result, report = check_json(merchant)
    assert (result.exit_code, report["findings"]) == (0, []), result.output

    later = merchant / "later"
    later.mkdir()
    shop_export(later, [("1001", "01", "100.00", "0.00", "paid"), ("1002", "01", "50.00", "0.00", "paid")])
    trade_bill(later, [("01", "4200001001", "1001", "100.00"), ("02", "4200001002", "1002", "50.00")])
    result = beanclear(merchant, "import", str(later))
    assert result.exit_code == 0, result.output
    assert "orders_export.csv: teashop (shopify orders), 2 rows read, 1 entries written, 1 already in the books" \
        in result.output
    shop = (merchant / "books" / "teashop" / "2026" / "2026-03.beancount").read_text()
    assert 'id: "order:1002"' in shop or 'id: "order:#1002"' in shop
    result, report = check_json(merchant)
    assert (result.exit_code, report["findings"]) == (0, []), result.output
