"""A Connect platform's application fees (`reporting_category: platform_earning`, the
collected fees export's `application_fee`) are the platform's income, but no card payment:
Stripe charges no processing fee on them, and the contract (`fees:`) prices payments. They
are booked on the channel's application fees account (`Income:ApplicationFees:Stripe`,
`accounts: {application_fees: …}` to name another), opened by the first entry posting to
it, so that the fee check does not judge them and the month report counts them in no
sales and no fee rate. Blind25 stripecategories: each weekly application fee was booked as
`Income:Sales:Stripe` and was a fee-gap "fee 0.00 USD on 38.75 USD, contract 2.9% + 0.30
= 1.42 USD", 12 errors in a quarter, and the report's sales and fee rate counted them."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 5
    fees: [{{rate: 0.029, fixed: 0.30}}]
    shop: none{accounts}
"""
HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","source_id","description"')
CHARGE = ('"txn_c1","2026-03-02 15:00:00","2026-03-04 00:00:00","usd","100.00","3.20","96.80","charge","ch_1",'
          '"Invoice INV-1"')
EARNING = ('"txn_fee1","2026-03-02 16:00:00","2026-03-04 00:00:00","usd","38.75","0.00","38.75","platform_earning",'
           '"fee_1","Application fee from acct_1Creator283"')
GIVEN_BACK = ('"txn_fee1r","2026-03-03 16:00:00","2026-03-05 00:00:00","usd","-8.75","0.00","-8.75",'
              '"platform_earning_refund","fr_1","Application fee refund to acct_1Creator283"')


def merchant(tmp_path, rows=(CHARGE, EARNING), accounts=""):
    folder = tmp_path / "m"
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG.format(accounts=accounts), encoding="utf-8")
    (folder / "statements" / "stripe_2026-03.csv").write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    return folder


def findings(folder) -> list[tuple]:
    return [(f.code, f.refs) for f in checking.check(config_mod.load(folder / "config.yaml")).findings]


def posted(folder) -> dict[str, Decimal]:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert not [e for e in errors if "beanclear" not in type(e).__module__], errors
    out: dict[str, Decimal] = {}
    for e in entries:
        for p in getattr(e, "postings", ()):
            out[p.account] = out.get(p.account, Decimal(0)) + p.units.number
    return out


def test_an_application_fee_is_the_platforms_income_and_no_payment_of_the_contract(tmp_path):
    folder = merchant(tmp_path)
    money = posted(folder)
    assert money["Income:ApplicationFees:Stripe"] == Decimal("-38.75")
    assert money["Income:Sales:Stripe"] == Decimal("-100.00")
    assert findings(folder) == []


def test_the_months_report_counts_no_application_fee_in_the_sales_nor_the_fee_rate(tmp_path):
    folder = merchant(tmp_path)
    report = json.loads(beanclear(folder, "report", "2026-03", "--format", "json").output)
    [stripe] = report["channels"]
    assert (stripe["sales"], stripe["fees"], stripe["fee_rate"]) == ("100.00", "3.20", "0.0320")
    # the row still ties out: what the fees brought is money in clearing, `other`
    assert (stripe["in_clearing"], stripe["other"]) == ("135.55", "38.75")


def test_an_application_fee_given_back_is_no_refund_of_a_sale(tmp_path):
    folder = merchant(tmp_path, rows=(CHARGE, EARNING, GIVEN_BACK))
    assert posted(folder)["Income:ApplicationFees:Stripe"] == Decimal("-30.00")
    assert findings(folder) == []
    report = json.loads(beanclear(folder, "report", "2026-03", "--format", "json").output)
    assert report["channels"][0]["refunds"] == "0.00"


def test_the_account_is_the_configs_where_it_names_one(tmp_path):
    folder = merchant(tmp_path, accounts="\n    accounts: {application_fees: Income:PlatformFees}")
    assert posted(folder)["Income:PlatformFees"] == Decimal("-38.75")
    assert "open Income:PlatformFees" in (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")


def test_the_collected_fees_export_books_them_alike(tmp_path):
    folder = tmp_path / "m"
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG.format(accounts=""), encoding="utf-8")
    (folder / "statements" / "collected_fees.csv").write_text(
        "id,Created (UTC),Amount,Amount Refunded,Currency,Transaction ID,User ID\n"
        "fee_1A,2026-03-02 16:00,38.75,0.00,usd,ch_9,acct_1Creator283\n", encoding="utf-8")
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    assert posted(folder)["Income:ApplicationFees:Stripe"] == Decimal("-38.75")
    assert findings(folder) == []


# -- must fire / must not ------------------------------------------------------------------

def test_a_charge_off_the_contract_beside_them_is_still_a_fee_gap(tmp_path):
    charge = CHARGE.replace('"3.20","96.80"', '"4.20","95.80"')
    folder = merchant(tmp_path, rows=(charge, EARNING))
    assert findings(folder) == [("fee-gap", ("txn_c1", "ch_1"))]


def test_with_a_shop_an_application_fee_pays_no_order(tmp_path):
    # a channel paying a shop's orders: its clearing account tells its payments, and an
    # application fee moving it is neither a payment owing a fee nor one of no order
    folder = tmp_path / "m"
    (folder / "statements").mkdir(parents=True)
    config = CONFIG.format(accounts="").replace("    shop: none",
                                                '    shop: billing\n    order_pattern: "(INV-\\\\d+)"')
    config += ("shops:\n  billing:\n    type: orders-csv\n    order_days: 3\n    currency: USD\n"
               "    columns: {order_id: Invoice ID, date: Date, amount: Total, status: Status, currency: Currency}\n"
               "    statuses: {booked: [paid]}\n")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    (folder / "statements" / "stripe_2026-03.csv").write_text("\n".join([HEAD, CHARGE, EARNING]) + "\n",
                                                               encoding="utf-8")
    (folder / "statements" / "invoices_2026-03.csv").write_text(
        "Invoice ID,Date,Total,Status,Currency\nINV-1,2026-03-02,100.00,paid,USD\n", encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    assert posted(folder)["Income:ApplicationFees:Stripe"] == Decimal("-38.75")
    assert posted(folder)["Assets:Receivable:Billing"] == 0
    assert findings(folder) == []


def test_books_without_application_fees_open_no_account_for_them(tmp_path):
    folder = merchant(tmp_path, rows=(CHARGE,))
    assert "ApplicationFees" not in (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert findings(folder) == []
