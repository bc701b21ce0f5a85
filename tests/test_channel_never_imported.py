"""A channel of the config whose statements were never imported, while the bank's lines
name it: the credits booked as its payouts wait for its statements, one statement-gap.

Before, such a channel was taken for one whose statements show no payouts (a trade bill
alone, clearing._without_payouts), with nothing in clearing to settle: its credits were
judged by nothing and said nothing, money no statement explained. Where a second account
of its type pays into the same bank (bench_one_cause seed 33497: the first of two Stripe
accounts left out), the credits went to the other's transit account, which called each
one unexplained: 9 bank-unmatched and a payout-mismatch for one missing file.
"""

from __future__ import annotations

import json

from conftest import beanclear, write_files

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
{channels}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: USD
    columns: {{date: d, amount: a, memo: m, ref: r}}
rules:
  - {{match: RENT, account: Expenses:Rent}}
"""
ONE = "  stripe: {type: stripe, currency: USD, settlement_days: 2, bank: ops, bank_days: 3}"
TWO = ("  stripe_a: {type: stripe, currency: USD, settlement_days: 2, bank: ops, bank_days: 3}\n"
       "  stripe_b: {type: stripe, currency: USD, settlement_days: 2, bank: ops, bank_days: 3}")
HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description"')
# stripe_a's statement: a sale and its payout, which the bank credits on 03-13
STRIPE_A = "\n".join([HEADER,
                      '"txn_A1","2026-03-10 15:00:00","2026-03-12 15:00:00","usd","100.00","3.20","96.80",'
                      '"charge","ch_A1","Order #2001"',
                      '"txn_A2","2026-03-12 15:00:00","2026-03-12 15:00:00","usd","-96.80","0.00","-96.80",'
                      '"payout","po_A1","STRIPE PAYOUT"']) + "\n"
BANK = ["d,a,m,r", "2026-03-13,96.80,STRIPE PAYOUT,B1", "2026-03-14,55.00,STRIPE PAYOUT,B2",
        "2026-03-16,70.00,STRIPE PAYOUT,B3", "2026-03-31,-500.00,OFFICE RENT,B4"]


def findings(folder) -> list:
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return [(f["code"], f["source"], f["refs"]) for f in report["findings"]]


def test_a_channel_whose_statements_were_never_imported_is_one_gap_naming_its_credits(tmp_path):
    folder = write_files(tmp_path, {"config.yaml": CONFIG.format(channels=ONE),
                                    "statements/ops.csv": "\n".join(BANK) + "\n"})
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    [(code, source, refs)] = findings(folder)
    assert (code, source, refs) == ("statement-gap", "stripe", ["B1", "B2", "B3"])
    said = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"][0]["message"]
    assert said.startswith("no statement of stripe is in the books") and "3 bank credit(s) (221.80 USD)" in said


def test_the_second_account_never_imported_waits_and_the_first_judges_its_own(tmp_path):
    folder = write_files(tmp_path, {"config.yaml": CONFIG.format(channels=TWO),
                                    "statements/a/balance_change_from_activity.csv": STRIPE_A,
                                    "statements/ops.csv": "\n".join(BANK) + "\n"})
    assert beanclear(folder, "import", "--source", "stripe_a", str(folder / "statements" / "a")).exit_code == 0
    assert beanclear(folder, "import", str(folder / "statements" / "ops.csv")).exit_code == 0
    assert findings(folder) == [("statement-gap", "stripe_b", ["B2", "B3"])]


def test_a_channel_of_the_config_no_bank_line_names_says_nothing(tmp_path):
    # must not fire: nothing of it in the books, nothing waits for it
    folder = write_files(tmp_path, {"config.yaml": CONFIG.format(channels=ONE),
                                    "statements/ops.csv": "\n".join([BANK[0], BANK[4]]) + "\n"})
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    assert findings(folder) == []


ORDERS = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at\n"
          "#2001,a@example.com,paid,2026-03-10 11:00:00 -0400,USD,100.00,100.00,0.00,2026-03-10 11:00:00 -0400\n"
          "#2002,b@example.com,paid,2026-03-18 11:00:00 -0400,USD,60.00,60.00,0.00,2026-03-18 11:00:00 -0400\n")


def test_the_shops_order_deadlines_that_wait_for_it_are_said_in_its_one_gap(tmp_path):
    # one cause (bench_one_cause seed 33488): the channel's credits and the shop's orders
    # it may have paid wait for the same statements; one statement-gap says both
    config = CONFIG.format(channels=ONE) + "shops:\n  shopify: {type: shopify, order_days: 3}\n"
    folder = write_files(tmp_path, {"config.yaml": config, "statements/ops.csv": "\n".join(BANK) + "\n",
                                    "statements/orders_export.csv": ORDERS})
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    [(code, source, refs)] = findings(folder)
    assert (code, source) == ("statement-gap", "stripe") and {"B1", "#2001", "#2002"} <= set(refs)
    said = json.loads(beanclear(folder, "check", "--format", "json").output)["findings"][0]["message"]
    assert "3 bank credit(s) (221.80 USD)" in said and "the shopify orders" in said
