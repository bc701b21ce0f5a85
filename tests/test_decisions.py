"""A person's decisions in the books: acknowledgments and rejected match proposals.

One writer (acks.record) appends them to books/acks.beancount for the command line
(`beanclear ack`) and the Fava page; matching never proposes a rejected pairing again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from beancount import loader

from beanclear.checks import acks, checking

from beanclear.books import atomic

from beanclear import books as books_mod
from beanclear import config as config_mod
from conftest import snapshot
from test_matching import OPENS, bank, config, payout, propose  # noqa: F401 (config: the fixture)

DAY = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def alice(monkeypatch):
    """Who decides: every decision line names its author, as close's `closed-by:` ($USER)."""
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")


# -- the lines ----------------------------------------------------------------------------

def test_ack_line_quotes_and_flattens_what_a_person_typed():
    line = acks.ack_line("payout-mismatch", "1000123", 'ICBC took a "0.50" fee\n agreed', DAY)
    assert line == ('2026-04-02 custom "beanclear-ack" "payout-mismatch" "1000123" "ICBC took a \\"0.50\\" fee agreed"\n'
                    '  acknowledged-by: "alice"\n')
    entries, errors, _ = loader.load_string(line)
    assert not errors and [str(v.value) for v in entries[0].values][2] == 'ICBC took a "0.50" fee agreed'


@pytest.mark.parametrize("code, ref, reason, message", [
    ("fee-gapp", "1", "x", "code: expected one of order-unpaid,"),
    ("stale-ack", "1", "x", "code: expected one of"),
    ("fee-gap", " ", "x", "ref: expected some text, got nothing"),
    ("fee-gap", "1", " \n ", "reason: expected some text, got nothing"),
])
def test_ack_line_refuses_what_cannot_name_a_finding(code, ref, reason, message):
    with pytest.raises(acks.DecisionError, match=message):
        acks.ack_line(code, ref, reason, DAY)


def _unpaid(*refs):
    from decimal import Decimal
    from beanclear.checks.findings import Finding
    return Finding("order-unpaid", DAY, "shopify", "Assets:Receivable:Shopify", Decimal("1"), "USD", "unpaid", refs)


@pytest.mark.parametrize("findings, ref, said", [
    ([_unpaid("#1115"), _unpaid("#1116")], "1115", "did you mean #1115?"),   # the shop's `#`, left out
    ([_unpaid("1115")], "#1115", "did you mean 1115?"),
    ([_unpaid("#1115"), _unpaid("1115", "#1115")], "##1115", "see `beanclear check`"),   # two it could be
    ([_unpaid("#1115")], "1116", "see `beanclear check`"),
])
def test_a_ref_no_finding_names_is_refused_naming_the_one_it_is_but_for_a_hash(findings, ref, said):
    # ids are compared as the channels wrote them: never taken for the other, only named
    assert acks.not_named(findings, "order-unpaid", ref) == \
        f"no order-unpaid finding names {ref} ({said}); nothing was written"


def test_a_ref_a_finding_of_another_code_takes_in_is_refused_naming_it():
    # one cause, one finding: the order a missing statement leaves unpaid is in its statement-gap
    from decimal import Decimal
    from beanclear.checks.findings import Finding
    gap = Finding("statement-gap", DAY, "wechat", "", Decimal(0), "", "no statement of wechat covers …",
                  ("#1115", "B5"))
    assert acks.not_named([gap, _unpaid("#1116")], "order-unpaid", "#1115") == (
        "no order-unpaid finding names #1115 (the statement-gap of wechat 2026-04-02 takes it in; see `beanclear "
        "check`); nothing was written")
    assert acks.not_named([gap, _unpaid("#1115")], "order-unpaid", "1115") == \
        "no order-unpaid finding names 1115 (did you mean #1115?); nothing was written"


def test_a_statement_gap_named_by_its_source_and_day_while_it_lists_ids_is_refused_naming_them():
    # blind23 (crossborder2): `ack statement-gap "alipay 2026-03-17"` of a gap that lists the
    # credit it holds back was refused with no word of the ids that name it
    from decimal import Decimal
    from beanclear.checks.findings import Finding
    gap = Finding("statement-gap", DAY, "alipay", "", Decimal(0), "", "no statement of alipay covers …", ("B5",))
    assert acks.not_named([gap], "statement-gap", "alipay 2026-04-02") == (
        "no statement-gap finding names alipay 2026-04-02 (the statement-gap of alipay 2026-04-02 lists statement "
        "ids, and is named by any of them: B5); nothing was written")
    # must not: another day's is no gap of this one
    assert acks.not_named([gap], "statement-gap", "alipay 2026-04-03") == \
        "no statement-gap finding names alipay 2026-04-03 (see `beanclear check`); nothing was written"


def test_reject_lines_one_per_bank_line_of_the_proposal():
    lines = acks.reject_lines(["B1", "B2"], "payout-9", "two customers' deposits", DAY)
    assert lines == ['2026-04-02 custom "beanclear-reject" "B1" "payout-9" "two customers\' deposits"\n'
                     '  rejected-by: "alice"\n',
                     '2026-04-02 custom "beanclear-reject" "B2" "payout-9" "two customers\' deposits"\n'
                     '  rejected-by: "alice"\n']
    with pytest.raises(acks.DecisionError, match="reason"):
        acks.reject_lines(["B1"], "payout-9", "")


# -- the writer ---------------------------------------------------------------------------

def _books(tmp_path, main_text):
    root = tmp_path / "books"
    root.mkdir()
    (root / "main.beancount").write_text(main_text, encoding="utf-8")
    return root


def test_record_appends_to_acks_and_changes_nothing_else(tmp_path):
    root = _books(tmp_path, 'include "prices.beancount"\ninclude "acks.beancount"\n')
    (root / "acks.beancount").write_text(books_mod.ACKS_HEADER + "; mine, no newline at the end", encoding="utf-8")
    before = snapshot(root)
    line = acks.ack_line("fee-gap", "42", "agreed", DAY)
    assert acks.record(root, [line]) == [root / "acks.beancount"]
    after = snapshot(root)
    assert {k for k in after if after[k] != before.get(k)} == {"acks.beancount"}
    assert after["acks.beancount"] == before["acks.beancount"] + b"\n" + line.encode()


def test_record_gives_older_books_the_file_and_its_include(tmp_path):
    main = '; my books\ninclude "accounts.beancount"\ninclude "prices.beancount"\n\ninclude "icbc/*/*.beancount"\n'
    root = _books(tmp_path, main)
    line = acks.ack_line("fee-gap", "42", "agreed", DAY)
    assert acks.record(root, [line]) == [root / "acks.beancount", root / "main.beancount"]
    assert (root / "acks.beancount").read_text(encoding="utf-8") == books_mod.ACKS_HEADER + line
    assert (root / "main.beancount").read_text(encoding="utf-8") == main.replace(
        'include "prices.beancount"\n', 'include "prices.beancount"\ninclude "acks.beancount"\n')


def test_record_writes_nothing_while_the_books_are_busy(tmp_path, monkeypatch):
    root = _books(tmp_path, 'include "acks.beancount"\n')
    monkeypatch.setattr(atomic, "WAIT", 0)   # (past the wait for the lock)
    before = snapshot(root)
    with atomic.locked(root):
        with pytest.raises(atomic.BooksBusy):
            acks.record(root, [acks.ack_line("fee-gap", "42", "agreed", DAY)])
    assert snapshot(root) == before


# -- matching remembers a rejection --------------------------------------------------------

def reject(ref, target):
    return "\n" + acks.reject_lines([ref], target, "not this one", DAY)[0]


def test_a_rejected_exact_match_is_not_proposed_again_and_the_line_moves_on(config):
    doc = payout(1, "100.00", "100777") + payout(1, "100.00", "100778") + bank(2, "100.00", "B1", "某银行", "提现 100778")
    [p] = propose(config, doc)
    assert (p.stage, p.target) == ("exact", "payout-100778")
    [p] = propose(config, doc + reject("B1", "payout-100778"))
    assert p.stage == "fuzzy" and p.target == "payout-100777"
    assert propose(config, doc + reject("B1", "payout-100778") + reject("B1", "payout-100777")) == []


def test_a_rejection_names_one_bank_line(config):
    doc = (payout(1, "100.00", "7") + payout(3, "100.00", "8") + bank(2, "100.00", "B1", "某银行", "提现 7")
           + bank(4, "100.00", "B2", "某银行", "提现 8"))
    kept = propose(config, doc + reject("B2", "payout-7"))
    assert [(p.lines[0].ref, p.target) for p in kept] == [("B1", "payout-7"), ("B2", "payout-8")]


def test_a_rejected_group_is_not_proposed_again(config):
    doc = payout(1, "100.00", "1") + payout(2, "50.00", "2") + bank(3, "150.00", "B1", "财付通支付科技有限公司", "批量提现")
    [p] = propose(config, doc)
    assert p.target == "payout-1 payout-2"
    assert [q.target for q in propose(config, doc + reject("B1", "payout-1 payout-2"))] != ["payout-1 payout-2"]


def test_lines_settling_a_payout_together_are_not_proposed_again_once_rejected(config):
    doc = payout(1, "300.00", "9") + bank(2, "200.00", "B1", "财付通", "分笔到账 1/2") \
        + bank(3, "100.00", "B2", "财付通", "分笔到账 2/2")
    [p] = propose(config, doc)
    assert ([l.ref for l in p.lines], p.target) == (["B1", "B2"], "payout-9")
    assert propose(config, doc + reject("B1", "payout-9") + reject("B2", "payout-9")) == []


def test_a_rejected_account_from_history_is_not_proposed_again(config):
    doc = (bank(1, "-300.00", "A1", "阿里云", "云服务器 3月", "Expenses:Cloud")
           + bank(2, "-300.00", "A2", "阿里云", "云服务器 3月", "Expenses:Cloud")
           + bank(9, "-300.00", "A3", "阿里云", "云服务器 3月"))
    [p] = propose(config, doc)
    assert (p.stage, p.target) == ("history", "Expenses:Cloud")
    assert propose(config, doc + reject("A3", "Expenses:Cloud")) == []


def test_a_malformed_rejection_is_reported_not_ignored(config):
    entries, _, _ = loader.load_string(OPENS + '2026-04-02 custom "beanclear-reject" "B1" "payout-1"\n')
    _, bad = acks.acks_in(entries)
    assert [f.message for f in bad] == ['malformed beanclear-reject: expected "bank ref" "target" "reason", '
                                        "got 2 values"]
    assert acks.rejected_in(entries) == set()


# -- beanclear ack ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_books(demo_copy):
    return demo_copy()


@pytest.fixture
def merchant(demo_books, tmp_path):
    import shutil
    shutil.copytree(demo_books, tmp_path / "m")
    return tmp_path / "m"


def test_beanclear_ack_writes_one_line_and_check_no_longer_fails_on_it(merchant, demo_built):
    from conftest import beanclear
    books_config = config_mod.load(merchant / "config.yaml")
    # the merchant is a copy of the session's build: its check is the build's report
    [missing, *_] = [f for f in demo_built().report.findings if f.code == "payout-missing"]
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "ack", "payout-missing", missing.refs[0], "--reason", "lost by the bank; claimed")
    assert result.exit_code == 0, result.output
    line = acks.ack_line("payout-missing", missing.refs[0], "lost by the bank; claimed")
    assert result.output == f"acks.beancount: {line.splitlines()[0]}\n"
    assert line.endswith('\n  acknowledged-by: "alice"\n')
    after = snapshot(merchant / "books")
    assert {k for k in after if after[k] != before.get(k)} == {"acks.beancount"}
    assert after["acks.beancount"] == before["acks.beancount"] + line.encode()
    named = [f for f in checking.check(books_config).findings if missing.refs[0] in f.refs]
    assert [f.acknowledged for f in named] == [True]
    again = beanclear(merchant, "ack", "payout-missing", missing.refs[0], "--reason", "twice")
    assert again.exit_code == 0 and "already acknowledged; nothing was written" in again.output
    assert snapshot(merchant / "books") == after


@pytest.mark.parametrize("args, message", [
    (("fee-gap", "nope", "--reason", "x"), "no fee-gap finding names nope (see `beanclear check`); nothing was written"),
    (("fee-gapp", "1", "--reason", "x"), "code: expected one of {codes}, got 'fee-gapp'; nothing was written"),
    # as every other refusal says it (a blind tester's empty reason did not)
    (("fee-gap", "1", "--reason", " "), "reason: expected some text, got nothing; nothing was written"),
])
def test_beanclear_ack_refuses_with_status_2_and_writes_nothing(merchant, args, message):
    from conftest import beanclear
    from beanclear.checks.acks import CODES
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "ack", *args)
    message = message.format(codes=", ".join(c for c in CODES if c != "stale-ack"))
    assert result.exit_code == 2 and message in result.output, result.output
    assert snapshot(merchant / "books") == before
