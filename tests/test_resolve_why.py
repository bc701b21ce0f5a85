"""Why `beanclear match` proposed nothing for a bank line (matching/why.py), on inline
ledgers: each reason a person checks next."""

from __future__ import annotations

import textwrap

from beancount import loader

from beanclear import matching
from beanclear.checks import acks
from test_matching import OPENS, bank, config, payout  # noqa: F401 (config: the fixture)
from test_decisions import DAY


def why(config, doc) -> dict[str, list[str]]:
    entries, errors, _ = loader.load_string(OPENS + textwrap.dedent(doc))
    assert not errors, errors
    proposals = matching.match(entries, config)
    return {u.line.ref: u.reasons for u in matching.unproposed(entries, config, proposals)}


def test_a_line_with_a_proposal_has_no_reasons(config):
    assert why(config, payout(1, "100.00", "100777") + bank(2, "100.00", "B1", "某银行", "提现 100777")) == {}


def test_an_item_of_that_amount_outside_the_window(config):
    reasons = why(config, payout(1, "100.00", "1") + bank(25, "100.00", "B1", "某公司", "货款"))
    # the payout's window is its channel's bank_days and 3 days more: the reason says so (blind26
    # found "5-day window" in no config or document)
    assert reasons["B1"][0] == "payout-1 of the same amount is dated 2026-03-01, outside the 5-day window " \
                               "(`channels.wechat.bank_days` 2 + 3) of a line of 2026-03-25"
    bill = ('\n2026-03-01 * "阿里云计算有限公司" "ALIYUN 2026-03" ^bill-aliyun-2026-03\n'
            "  Expenses:Cloud  312.00 CNY\n  Liabilities:Payable:Aliyun  -312.00 CNY\n")
    reasons = why(config, bill + bank(25, "-312.00", "B9", "某公司", "货款"))
    assert reasons["B9"][0] == "bill-aliyun-2026-03 of the same amount is dated 2026-03-01, outside the 7-day " \
                               "window (`match.window`) of a line of 2026-03-25"


def test_a_pairing_turned_down_before(config):
    reject = "\n" + acks.reject_lines(["B1"], "payout-1", "a customer's deposit", DAY)[0]
    reasons = why(config, payout(1, "100.00", "1") + bank(2, "100.00", "B1", "某公司", "货款") + reject)
    assert "payout-1 was turned down for this line before (beanclear-reject)" in reasons["B1"]


def test_a_credit_the_check_pairs_is_not_open_after_its_link_was_turned_down(config):
    # blind28: Reject of the proposal for a credit the import booked to transit left it in
    # match's list "`beanclear book` or `beanclear link` them", while `book` refused it (the
    # clearing check pairs it: nothing to book) pointing back at match
    reject = "\n" + acks.reject_lines(["B1"], "payout-100777", "not sure", DAY)[0]
    doc = payout(1, "100.00", "100777") + bank(2, "100.00", "B1", "财付通", "提现",
                                               counter="Assets:Transit:WeChat")
    assert why(config, doc + reject) == {}
    # a credit in transit the check pairs with nothing stays listed, whatever was turned down
    other = "\n" + acks.reject_lines(["B1"], "payout-1", "not sure", DAY)[0]
    assert "B1" in why(config, bank(2, "100.00", "B1", "财付通", "提现", counter="Assets:Transit:WeChat")
                       + payout(1, "40.00", "1") + other)


def test_the_only_item_went_to_another_line(config):
    reasons = why(config, payout(1, "100.00", "100777") + bank(2, "100.00", "B1", "某银行", "提现 100777")
                  + bank(2, "100.00", "B2", "某公司", "货款"))
    assert "payout-100777 of the same amount is proposed for bank line B1" in reasons["B2"]


def test_a_payee_booked_before_but_differently(config):
    reasons = why(config, bank(1, "-50.00", "B0", "阿里云", "ECS 2026-02", counter="Expenses:Cloud")
                  + bank(5, "80.00", "B1", "阿里云", "退款"))
    assert "earlier lines of 阿里云 differ in memo or direction" in reasons["B1"]


def test_a_payout_the_clearing_check_pairs_with_another_credit_is_not_offered(config):
    # A blind tester's unrelated line was offered (and `link` took) a payout whose credit had
    # reached the bank: B1, booked as the payout's credit, is the one the check pairs with it
    doc = (payout(1, "100.00", "100777") + bank(2, "100.00", "B1", "财付通", "提现", counter="Assets:Transit:WeChat")
           + bank(3, "100.00", "B2", "某公司", "货款 100777"))
    entries, errors, _ = loader.load_string(OPENS + textwrap.dedent(doc))
    assert [(p.lines[0].ref, p.target) for p in matching.match(entries, config)] == [("B1", "payout-100777")]
    assert why(config, doc)["B2"][0] == \
        "payout-100777 of the same amount reached the bank as bank line B1 (100.00 CNY on 2026-03-02): " \
        "the clearing check pairs them"


def test_the_nearest_open_item_is_one_that_may_reach_the_lines_bank(tmp_path):
    # A blind tester's Chase line saying STRIPE was told its nearest open item was an
    # Airwallex payout, which lands at HSBC (each line is nearer the other bank's payout)
    from beanclear import config as config_mod
    path = tmp_path / "config.yaml"
    path.write_text("channels:\n  stripe: {type: stripe, currency: USD, bank: chase}\n"
                    "  airwallex: {type: airwallex, currency: USD, bank: hsbc}\n"
                    "banks:\n  chase: {type: ofx, account: Assets:Bank:Chase, currency: USD}\n"
                    "  hsbc: {type: camt053, account: Assets:Bank:HSBC, currency: USD}\n", encoding="utf-8")
    opens = "".join(f"2000-01-01 open {a}\n" for a in (
        "Assets:Clearing:Stripe", "Assets:Transit:Stripe", "Assets:Clearing:Airwallex", "Assets:Transit:Airwallex",
        "Assets:Bank:Chase", "Assets:Bank:HSBC", "Assets:Suspense"))

    def payout(channel, amount, pid):
        return (f'\n2026-03-01 * "{channel}" "Payout" ^payout-{pid}\n  id: "{pid}"\n'
                f"  Assets:Transit:{channel}  {amount} USD\n  Assets:Clearing:{channel}  -{amount} USD\n")
    doc = (payout("Stripe", "2000.00", "po_1") + payout("Airwallex", "1960.00", "po_aw_1")
           + '\n2026-03-02 * "STRIPE" "STRIPE TRANSFER"\n  id: "C1"\n  Assets:Bank:Chase  1950.00 USD\n'
             "  Assets:Suspense  -1950.00 USD\n"
           + '\n2026-03-02 * "AIRWALLEX" "PAYOUT"\n  id: "H1"\n  Assets:Bank:HSBC  1990.00 USD\n'
             "  Assets:Suspense  -1990.00 USD\n")
    entries, errors, _ = loader.load_string(opens + doc)
    assert not errors, errors
    config = config_mod.load(path)
    reasons = {u.line.ref: u.reasons for u in matching.unproposed(entries, config, matching.match(entries, config))}
    assert "nearest open item: payout-po_1 2000.00 USD of 2026-03-01 (stripe)" in reasons["C1"]
    assert "nearest open item: payout-po_aw_1 1960.00 USD of 2026-03-01 (airwallex)" in reasons["H1"]


def test_the_nearest_open_item_is_one_of_about_the_lines_amount(config):
    # A blind tester's 1,250.00 USD wire was told of an order of 39.00, and a -312.00 CNY
    # Aliyun debit of a bill of -388.00: nothing a person would look at for them. Only an
    # item within a tenth of the larger amount is named (a credit the bank shorted by its fee).
    bill = ('\n2026-03-01 * "阿里云计算有限公司" "ALIYUN 2026-02" ^bill-aliyun-2026-02\n'
            "  Expenses:Cloud  388.00 CNY\n  Liabilities:Payable:Aliyun  -388.00 CNY\n")
    reasons = why(config, payout(1, "100.00", "1") + payout(1, "1000.00", "2") + bill
                  + bank(2, "1250.00", "B1", "某某科技", "转账") + bank(3, "-312.00", "B2", "阿里云计算有限公司", "ALIYUN")
                  + bank(2, "985.00", "B3", "某公司", "货款"))
    assert not [r for r in reasons["B1"] + reasons["B2"] if r.startswith("nearest open item")]
    assert "no open payout, order or bill of 1250.00 CNY (within 0.01)" in reasons["B1"]
    assert "nearest open item: payout-2 1000.00 CNY of 2026-03-01 (wechat)" in reasons["B3"]


def test_the_nearest_open_item_is_no_payout_made_after_the_line(config):
    # blind17 microshop: a credit of 03-03 was told of a payout of 03-05 (`link` refuses it:
    # no credit dated before a payout's day is its); one of before it still is named
    reasons = why(config, payout(5, "95.00", "1") + bank(3, "104.00", "B1", "某公司", "货款"))
    assert not [r for r in reasons["B1"] if r.startswith("nearest open item")]
    reasons = why(config, payout(2, "95.00", "1") + bank(3, "104.00", "B1", "某公司", "货款"))
    assert "nearest open item: payout-1 95.00 CNY of 2026-03-02 (wechat)" in reasons["B1"]


def test_the_text_names_an_item_by_its_own_ids_not_by_those_of_what_it_is_linked_to(config):
    # A blind tester's credit "STRIPE TRANSFER po_1Lum000227" was told "the text names
    # order-1999 of -45.00 USD … link it by hand and write off the difference": the text
    # names the payout only; order-1999 was listed because its payment carries that
    # payout's id (payout-id, ^payout-…), the id of another item, not its own.
    paid = ('\n2026-03-01 * "Order #1999 by Zed Quill" ^order-1999 ^payout-po_1Lum27\n  id: "txn_1Lum19"\n'
            '  order-id: "1999"\n  payout-id: "po_1Lum27"\n'
            "  Assets:Clearing:WeChat  45.00 CNY\n  Assets:Receivable:Shop  -45.00 CNY\n")
    reasons = why(config, "2000-01-01 open Assets:Receivable:Shop\n" + payout(2, "312.79", "po_1Lum27") + paid
                  + bank(3, "312.04", "B1", "STRIPE", "STRIPE TRANSFER po_1Lum27")
                  + bank(3, "-40.00", "B2", "ZED QUILL", "REFUND ORDER 1999"))
    assert [r for r in reasons["B1"] if r.startswith("the text names")] == [
        "the text names payout-po_1Lum27 of 312.79 CNY, but the amounts differ by 0.75: link it by hand and "
        "write off the difference"]
    # the order named by its own ids still is
    assert [r for r in reasons["B2"] if r.startswith("the text names")] == [
        "the text names order-1999 of -45.00 CNY, but the amounts differ by 5.00: link it by hand and write off "
        "the difference"]


def test_a_payout_id_the_bank_writes_in_capitals_names_the_payout(config):
    # blind23 (multicurrency): HSBC wrote Stripe's po_1enQ… as PO_1ENQ…; `check` paired the
    # credit with the payout (payout-mismatch), but `match` said "no statement in the books
    # holds that payout" beside naming it as the nearest open item
    reasons = why(config, payout(2, "482.70", "po_1enQbfxeusg") + bank(3, "467.70", "B1", "STRIPE",
                                                                       "STRIPE PAYMENTS SG PO_1ENQBFXEUSG"))
    assert [r for r in reasons["B1"] if r.startswith("the text names")] == [
        "the text names payout-po_1enQbfxeusg of 482.70 CNY, but the amounts differ by 15.00: link it by hand and "
        "write off the difference"]
    # must not: a short id in capitals is no id of that payout (banks' words of four to seven letters)
    reasons = why(config, payout(2, "482.70", "po_1Lum") + bank(3, "467.70", "B2", "STRIPE", "STRIPE PO_1LUM"))
    assert not [r for r in reasons["B2"] if r.startswith("the text names payout")]
