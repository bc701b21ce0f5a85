"""The month report says what resolved a finding where the books hold that decision,
whatever day it was made. A blind tester (round 20, paypalheavy) booked a bank debit the
import had put on another channel with `beanclear book … Assets:Transit:PayPalDE`: the
debit's own finding read "booked to Assets:Transit:PayPalDE", but the top-up of the
channel it answered, whose bank-unmatched that booking settled, read "resolved by the
books after the month's end", as if a later statement had. A line `book` moves into a
channel's transit account resolves the finding of what the clearing check pairs it with
there (a top-up's, a payout's): "its bank line B03 booked to Assets:Transit:PayPal".
A finding a later statement resolved (a payout's credit after the month's end) reads as
it did."""

from __future__ import annotations

import json
from decimal import Decimal as D

from test_top_up_debits import BANK, REFUND, merchant, run


def rows(folder, month="2026-08") -> dict:
    return {(f["code"], f["refs"][0]): (f["status"], f["resolution"])
            for f in json.loads(run(folder, "report", month, "--format", "json"))["findings"]}


def _without(ref: str, text: str) -> list:
    """The bank's lines with line `ref` read `text`: one the import cannot give a channel."""
    return [(d, a, text if r == ref else t, r) for d, a, t, r in BANK]


def test_a_top_up_debit_booked_into_its_transit_resolves_the_top_ups_finding(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch, bank=(*_without("B03", "Lastschrift 5032298687 MAISON ONDINE"), REFUND))
    before = rows(folder)
    assert before[("bank-unmatched", "PPDEP0000000001AA")][0] == "open", before
    assert before[("bank-unmatched", "B03")][0] == "open", before
    run(folder, "book", "B03", "Assets:Transit:PayPal")
    after = rows(folder)
    assert after[("bank-unmatched", "B03")] == ("resolved", "booked to Assets:Transit:PayPal")
    assert after[("bank-unmatched", "PPDEP0000000001AA")] == (
        "resolved", "its bank line B03 booked to Assets:Transit:PayPal"), after
    text = run(folder, "report", "2026-08")
    assert ("paypal top-up of 48.75 EUR from the bank, but no bank debit explains it -> its bank line B03 booked "
            "to Assets:Transit:PayPal") in text, text


def test_a_payouts_credit_booked_into_its_transit_resolves_the_payouts_finding(tmp_path, monkeypatch):
    folder = merchant(tmp_path, monkeypatch, bank=(*_without("B02", "Gutschrift 1048829137"), REFUND))
    before = rows(folder)
    assert before[("payout-missing", "PPWDR0000000001AA")][0] == "open", before
    run(folder, "book", "B02", "Assets:Transit:PayPal")
    after = rows(folder)
    assert after[("payout-missing", "PPWDR0000000001AA")] == (
        "resolved", "its bank line B02 booked to Assets:Transit:PayPal"), after


# -- must not fire -----------------------------------------------------------------------------

def test_a_payout_a_later_statement_credits_is_resolved_by_the_books_after_the_months_end(tmp_path, monkeypatch):
    # the PayPal withdrawal's credit comes in September's statement: August's payout-missing
    # was resolved by that statement, no decision of a person's
    from test_top_up_debits import camt
    folder = merchant(tmp_path, monkeypatch, bank=([line for line in BANK if line[3] != "B02"] + [REFUND]))
    assert rows(folder)[("payout-missing", "PPWDR0000000001AA")][0] == "open"
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-10-02")
    late = camt([("2026-09-01", D("92.14"), "PayPal AUSZAHLUNG PPWDR0000000001AA", "B09")])
    late = late.replace("2026-08-", "2026-09-").replace("<Id>S1</Id>", "<Id>S2</Id>").replace("2026-09-31", "2026-09-30")
    late = late.replace(">1000.00<", f">{D('1000.00') + sum(a for _, a, _, r in [*BANK, REFUND] if r != 'B02'):.2f}<")
    sept = folder / "sep"
    sept.mkdir()
    (sept / "camt-2026-09.xml").write_text(late, encoding="utf-8")
    run(folder, "import", str(sept))
    assert rows(folder)[("payout-missing", "PPWDR0000000001AA")] == (
        "resolved", "resolved by the books after the month's end")
