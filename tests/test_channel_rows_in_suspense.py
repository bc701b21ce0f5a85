"""A channel's row that no account of the channel's takes (Stripe Connect's `transfer` to a
connected account, an `other_adjustment`; PayPal's payment sent) goes to `Assets:Suspense`,
unless a `rules:` pattern found in its text books it as it is imported, as a bank line
goes there unless a rule books it: a `bank-unmatched` finding (DESIGN §5) until it is
classified. Blind25 stripecategories: its message spoke of what explains a bank line ("no
rule, payout or entry explains"), and nothing said that a rule books such rows. It says
what it is: a channel's row no rule books, how the next are booked and this one moved."""

from __future__ import annotations

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {{type: stripe, currency: USD, settlement_days: 5, shop: none, fees: [{{rate: 0.029, fixed: 0.30}}]}}
{rules}"""
HEAD = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","source_id","description"')
ROWS = [
    '"txn_c1","2026-03-02 15:00:00","2026-03-04 00:00:00","usd","1000.00","29.30","970.70","charge","ch_1","Invoice 1"',
    '"txn_tr1","2026-03-03 16:00:00","2026-03-03 16:00:00","usd","-700.00","0.00","-700.00","transfer","tr_1",'
    '"Transfer to acct_1Creator162"',
    '"txn_adj1","2026-03-04 16:00:00","2026-03-04 16:00:00","usd","-3.75","0.00","-3.75","other_adjustment","adj_1",'
    '"Adjustment for radar fee correction"',
]


def merchant(tmp_path, rules=""):
    folder = tmp_path / "m"
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG.format(rules=rules), encoding="utf-8")
    (folder / "statements" / "stripe_2026-03.csv").write_text("\n".join([HEAD, *ROWS]) + "\n", encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    return folder


def findings(folder):
    return checking.check(config_mod.load(folder / "config.yaml")).findings


def test_a_connect_transfer_and_an_adjustment_in_suspense_say_they_are_rows_no_rule_books(tmp_path):
    found = findings(merchant(tmp_path))
    assert [(f.code, f.source, f.account, f.refs[0]) for f in found] == [
        ("bank-unmatched", "stripe", "Assets:Clearing:Stripe", "txn_tr1"),
        ("bank-unmatched", "stripe", "Assets:Clearing:Stripe", "txn_adj1")]
    assert [f.message for f in found] == [
        "stripe row of money out of 700.00 USD that no rule books (a `rules:` pattern found in its text books "
        "such rows as they are imported; move this one's Assets:Suspense posting to the account it belongs to): "
        "Transfer to acct_1Creator162",
        "stripe row of money out of 3.75 USD that no rule books (a `rules:` pattern found in its text books "
        "such rows as they are imported; move this one's Assets:Suspense posting to the account it belongs to): "
        "Adjustment for radar fee correction"]
    assert not any("bank" in f.message or "payout" in f.message for f in found)


# -- must not fire -------------------------------------------------------------------------

def test_a_rule_for_their_text_books_them(tmp_path):
    rules = ('rules:\n  - {match: "Transfer to acct_", account: Expenses:CreatorPayouts}\n'
             '  - {match: "other_adjustment", account: Expenses:Fees:Stripe:Adjustments}\n')
    assert findings(merchant(tmp_path, rules)) == []
