"""A merchant's own entries of the days the statements cover (README "Books you keep
already"): books kept by hand to 2026-05-02, statements from 2026-05-01. Each source's
own entries are one cause, said once: on the import that brings those days, and by
`check` as the source's statement-gap, an error, which takes in the balance assertions
they make fail; a failure no opening explains never blames one (blind9, repro-04)."""

from __future__ import annotations

import json

from beancount import loader

from conftest import beanclear, usd_config, write_files

CONFIG = usd_config("stripe", 1, """\
    bank: ops
    bank_days: 2
    accounts: {clearing: Assets:Stripe}
banks:
  ops:
    type: csv
    account: Assets:Checking
    currency: USD
    columns: {date: Date, amount: Amount, memo: Memo, payee: Payee, ref: Ref, balance: Balance}
rules:
  - match: "OAKWOOD"
    account: Expenses:Rent
""")

# Stripe's report: no balance column (its own money is nowhere asserted)
STRIPE = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","source_id","description","customer_email","automatic_payout_id"\n'
          '"txn_1","2026-05-01 15:00:00","2026-05-02 00:00:00","usd","100.00","3.20","96.80","charge","ch_1",'
          '"Candle order","a@example.com","po_2"\n'
          '"txn_2","2026-05-02 15:00:00","2026-05-03 00:00:00","usd","50.00","1.75","48.25","charge","ch_2",'
          '"Candle order","b@example.com","po_2"\n'
          '"txn_3","2026-05-02 18:00:00","2026-05-02 18:00:00","usd","-145.05","0.00","-145.05","payout","po_2",'
          '"STRIPE PAYOUT","",""\n'
          '"txn_4","2026-05-05 15:00:00","2026-05-06 00:00:00","usd","20.00","0.88","19.12","charge","ch_4",'
          '"Candle order","c@example.com",""\n')

BANK = ("Date,Ref,Memo,Payee,Amount,Balance\n"
        "2026-05-01,B1,OAKWOOD RENT,Oakwood,-500.00,1500.00\n"
        "2026-05-04,B2,STRIPE TRANSFER po_2,Stripe,145.05,1645.05\n"
        "2026-05-05,B3,OAKWOOD DEPOSIT,Oakwood,-100.00,1545.05\n")

OPENS = ("2026-01-01 open Assets:Checking USD\n2026-01-01 open Assets:Stripe USD\n"
         "2026-01-01 open Assets:Transit:Stripe USD\n2026-01-01 open Liabilities:Card USD\n"
         "2026-01-01 open Income:Sales:Online USD\n2026-01-01 open Expenses:Merchant-Fees USD\n"
         "2026-01-01 open Expenses:Rent USD\n2026-01-01 open Expenses:Shipping USD\n"
         "2026-01-01 open Equity:Opening USD\n\n"
         '2026-01-01 * "Opening"\n  Assets:Checking  2000.00 USD\n  Equity:Opening\n\n')

# kept to 2026-05-02: the rent the bank's statement books, and a payout Stripe's report books
# (twice over: out of Stripe, into the bank)
OVERLAP = ('2026-05-01 * "Oakwood" "Studio rent"\n  Expenses:Rent  500.00 USD\n  Assets:Checking\n\n'
           '2026-05-02 * "Stripe" "Payout to checking"\n  Assets:Checking  96.80 USD\n  Assets:Stripe\n')


def adopted(tmp_path, hand: str):
    """A merchant whose books/main.beancount (and hand.beancount) they kept by hand."""
    write_files(tmp_path, {"config.yaml": CONFIG,
                           "books/main.beancount": 'option "title" "Oak"\noption "operating_currency" "USD"\n'
                                                   'include "hand.beancount"\n',
                           "books/hand.beancount": OPENS + hand,
                           "statements/stripe-2026-05.csv": STRIPE, "statements/bank-2026-05.csv": BANK})
    return tmp_path / "statements"


def checked(tmp_path) -> list[dict]:
    result = beanclear(tmp_path, "check", "--format", "json")
    return json.loads(result.output)["findings"]


def test_own_entries_of_the_days_the_statements_cover_are_one_cause_per_source(tmp_path):
    """blind9 repro-04: nothing named them; the bank's balance failures blamed "an opening
    in accounts.beancount" none was written of; Stripe (no balance) counted its money
    twice with no error at all. Now the import says it once per source, and check lists
    one statement-gap per source, an error, where the first entry is, with how many and
    the days; the bank's failed balances are in it, not blamed on an opening."""
    statements = adopted(tmp_path, OVERLAP)
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    bank_note = ("your own entries of Assets:Checking on days the statements of ops cover: 2 entries of 2026-05-01 "
                 "to 2026-05-02 that the statements book too, money counted twice (README \"Books you keep already\"): "
                 "end your own entries of Assets:Checking on 2026-04-30, the day before its first statement, or take "
                 "out those of 2026-05-01 to 2026-05-02 (the first at books/hand.beancount:15)")
    assert result.output.count(bank_note) == 1
    assert result.output.count("your own entries of Assets:Stripe on days the statements of stripe cover: 1 "
                               "entry of 2026-05-02 that the statements book too") == 1
    found = checked(tmp_path)
    gaps = {f["source"]: f for f in found if f["code"] == "statement-gap" and "your own entries" in f["message"]}
    assert sorted(gaps) == ["ops", "stripe"]
    ops, stripe = gaps["ops"], gaps["stripe"]
    assert ops["severity"] == stripe["severity"] == "error"
    assert (ops["file"], ops["line"], ops["date"], ops["account"]) == ("books/hand.beancount", 15, "2026-05-01",
                                                                      "Assets:Checking")
    assert (stripe["file"], stripe["line"], stripe["account"]) == ("books/hand.beancount", 19, "Assets:Stripe")
    # the bank's assertions fail by the rent and the payout they hold twice: taken in, one cause
    assert ops["message"].endswith("; 3 balance assertion(s) of Assets:Checking from 2026-05-02 to 2026-05-06 "
                                   "fail by what they post")
    assert [f for f in found if f["code"] == "beancount"] == []
    assert not [f for f in found if "opening in accounts.beancount" in f["message"]]
    # bean-check (the checks plugin) folds them the same way
    _, errors, _ = loader.load_file(str(tmp_path / "books" / "main.beancount"))
    messages = [e.message for e in errors]
    assert not [m for m in messages if "Balance failed" in m]
    assert len([m for m in messages if m.startswith("statement-gap: your own entries of ")]) == 2
    assert beanclear(tmp_path, "check").exit_code == 1


def test_books_cut_over_the_day_before_the_statements_name_no_own_entries(tmp_path):
    """What must not fire: their own entries end the day before the first statement, with
    the payout in flight at the cut-over booked into transit as the README says (the day
    before), and their entries of the statements' days post only to accounts no statement
    books (a card, shipping)."""
    hand = ('2026-04-30 * "Stripe" "Sales to 2026-04-30"\n  Assets:Stripe  50.00 USD\n  Income:Sales:Online\n\n'
            '2026-04-30 * "Stripe" "Payout po_1 in flight at the cut-over"\n  Assets:Transit:Stripe  50.00 USD\n'
            '  Assets:Stripe\n\n'
            '2026-05-02 * "UPS Store" "Labels"\n  Expenses:Shipping  12.00 USD\n  Liabilities:Card\n')
    statements = adopted(tmp_path, hand)
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    assert "your own entries" not in result.output
    found = checked(tmp_path)
    assert not [f for f in found if "your own entries" in f["message"]]
    assert [f for f in found if f["code"] == "beancount"] == []


def test_a_run_of_failures_too_much_blames_an_opening_only_where_one_was_written():
    """one_difference: "an opening in accounts.beancount of what your own entries hold
    already" is said of an account beanclear wrote an opening of and their own entries
    post to (blind6); of one without an opening it is not (blind9)."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from beancount.core.amount import Amount
    from beanclear.checks.checking import one_difference
    from beanclear.checks.findings import Finding

    def failed(day):
        return Finding("beancount", dt.date(2026, 5, day), "", "Assets:Bank:ICBC", Decimal(0), "",
                       "Balance failed for 'Assets:Bank:ICBC': expected 100.00 CNY != accumulated 200.00 CNY "
                       "(100.00 too much)", file="books/icbc/2026/2026-05.beancount", line=day)

    def entry(meta, account="Assets:Bank:ICBC"):
        postings = [data.Posting(account, Amount(Decimal(100), "CNY"), None, None, None, None),
                    data.Posting("Equity:Hand", Amount(Decimal(-100), "CNY"), None, None, None, None)]
        return data.Transaction({"filename": "x", "lineno": 1, **meta}, dt.date(2026, 4, 30), "*", None, "", frozenset(),
                                frozenset(), postings)
    theirs, opening = entry({}), entry({"id": "opening Assets:Bank:ICBC CNY"})
    blamed = "an opening in accounts.beancount of what your own entries hold already"
    assert blamed in one_difference([failed(2), failed(3)], [theirs, opening])[0].message
    for books in ([theirs], [opening], [theirs, entry({"id": "opening balances carried to 2026-05-01"})]):
        said = one_difference([failed(2), failed(3)], books)[0].message
        assert "one cause" in said and blamed not in said


PAYPAL_CONFIG = usd_config("paypal", 5, "    accounts: {clearing: Assets:PayPal}\n")

PAYPAL = ('\ufeff"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
          '"To Email Address","Transaction ID","Reference Txn ID","Balance","Subject"\n'
          '"05/01/2026","11:00:00","EDT","Buyer 1","Express Checkout Payment","Completed","USD","100.00","-3.50",'
          '"96.50","b1@example.net","shop@example.com","9PP1","","96.50","Candle order"\n'
          '"05/03/2026","09:00:00","EDT","","General Withdrawal - Bank Account","Completed","USD","-96.50","0.00",'
          '"-96.50","shop@example.com","","7WD1","","0.00",""\n'
          '"05/04/2026","11:00:00","EDT","Buyer 2","Express Checkout Payment","Completed","USD","50.00","-2.00",'
          '"48.00","b2@example.net","shop@example.com","9PP2","","48.00","Candle order"\n')

# their transfer out of PayPal, typed on a day its statement covers
PAYPAL_HAND = ("2026-01-01 open Assets:PayPal USD\n2026-01-01 open Assets:Savings USD\n\n"
               '2026-05-02 * "PayPal" "Transfer to savings"\n  Assets:Savings  96.50 USD\n  Assets:PayPal\n')


def test_the_channel_s_money_is_judged_without_the_own_entries_named(tmp_path):
    """Their transfer out of PayPal, typed on a day its statement covers, took the money
    its withdrawal of the next day takes: a payout "taking 96.50 more than held" besides
    the balances failing. One cause: the statement-gap naming their entry takes in the
    balances, and the clearing check judges the statement's money without it."""
    write_files(tmp_path, {"config.yaml": PAYPAL_CONFIG,
                           "books/main.beancount": 'option "operating_currency" "USD"\ninclude "hand.beancount"\n',
                           "books/hand.beancount": PAYPAL_HAND,
                           "paypal-2026-05.csv": PAYPAL})
    result = beanclear(tmp_path, "import", str(tmp_path / "paypal-2026-05.csv"))
    assert result.exit_code == 0, result.output
    [gap] = [f for f in checked(tmp_path) if f["severity"] == "error"]
    assert gap["code"] == "statement-gap" and gap["line"] == 4 and gap["message"].startswith(
        "your own entries of Assets:PayPal on days the statements of paypal cover: 1 entry of 2026-05-02 ")
    assert "2 balance assertion(s) of Assets:PayPal from 2026-05-04 " in gap["message"]


def test_books_from_a_later_month_list_the_cause_where_its_failures_reach_them(tmp_path):
    """`check --since 2026-06` (and bean-check on books/since-2026-06.beancount): the bank's
    own entries of May still make June's balance fail, so its statement-gap is listed
    there, those failures in it; Stripe's, which fails nothing of June, was judged in the
    whole books and is not (as a hole of before the month, README "beanclear carry")."""
    statements = adopted(tmp_path, OVERLAP)
    (statements / "bank-2026-06.csv").write_text("Date,Ref,Memo,Payee,Amount,Balance\n"
                                                 "2026-06-02,B4,OAKWOOD RENT,Oakwood,-500.00,1045.05\n",
                                                 encoding="utf-8")
    assert beanclear(tmp_path, "import", str(statements)).exit_code == 0
    result = beanclear(tmp_path, "check", "--since", "2026-06", "--format", "json")
    gaps = [f for f in json.loads(result.output)["findings"] if "your own entries" in f["message"]]
    assert [(f["source"], f["severity"]) for f in gaps] == [("ops", "error")]
    assert "balance assertion(s) of Assets:Checking from 2026-05-02 to 2026-06-03 fail by what they post" in \
        gaps[0]["message"]
    _, errors, _ = loader.load_file(str(tmp_path / "books" / "since-2026-06.beancount"))
    messages = [e.message for e in errors]
    assert not [m for m in messages if "Balance failed" in m]
    assert [m[:52] for m in messages if "your own entries" in m] == [
        "statement-gap: your own entries of Assets:Checking o"]
