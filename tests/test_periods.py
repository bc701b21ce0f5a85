"""`beanclear close` / `reopen` (月结): a closed month is asserted and frozen; an import
into it is refused until it is reopened with a reason."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from conftest import beanclear, snapshot

from beanclear.periods import closed, closing

# what `close` records of the demo's config: the policy that judged the month
POLICY = ('  review-threshold: "500"\n'
          '  errors: "order-unpaid amount-mismatch duplicate-charge refund-unsynced unsettled payout-mismatch '
          'payout-missing fee-gap"\n'
          '  warnings: "payment-without-order bank-unmatched fx-gap refund-rate refund-surge statement-gap '
          'stale-ack"\n')
HEADER = "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额"


@pytest.fixture(scope="module")
def clean_demo(demo_copy):
    return demo_copy(problems=False)


@pytest.fixture(scope="module")
def problems_demo(demo_copy):
    return demo_copy()


@pytest.fixture
def clean(clean_demo, tmp_path, monkeypatch):
    """A copy of the clean demo merchant, closed by "alice"."""
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    shutil.copytree(clean_demo, tmp_path / "m")
    return tmp_path / "m"


@pytest.fixture(scope="module")
def january_closed(clean_demo, tmp_path_factory):
    """The clean demo with 2026-01 closed by "alice" (`beanclear close 2026-01`), once
    for the tests that start from a closed month (a close loads and checks the books)."""
    root = tmp_path_factory.mktemp("closed") / "m"
    shutil.copytree(clean_demo, root)
    with pytest.MonkeyPatch.context() as m:
        m.setenv("USER", "alice")
        m.setenv("LOGNAME", "alice")
        result = beanclear(root, "close", "2026-01")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def closed_jan(january_closed, tmp_path, monkeypatch):
    """A copy of it, its commands run by "alice" as in `clean` (Beancount's pickle
    cache left behind, as it names the original files)."""
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    shutil.copytree(january_closed, tmp_path / "m", ignore=shutil.ignore_patterns("*.picklecache"))
    return tmp_path / "m"


def late_rent(folder: Path, day: str = "2026-01-15") -> Path:
    """An ICBC statement with one line nobody has imported yet."""
    path = folder / f"icbc-late-{day}.csv"
    row = f"{day},{day.replace('-', '')}09999,房租 补缴,上海某某置业有限公司,,100.00,"
    text = "\n".join(["中国工商银行账户明细", "账号：6222021001123456789", "户名：清风茶舍",
                      f"起止日期：{day} 至 {day}", "", HEADER, row]) + "\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def test_close_writes_the_month_end_and_bean_check_passes(clean):
    before = snapshot(clean / "books")
    result = beanclear(clean, "close", "2026-01")
    assert result.exit_code == 0, result.output
    assert "2026-01 closed: 5 balance assertion(s) at 2026-02-01" in result.output
    after = snapshot(clean / "books")
    assert set(after) - set(before) == {"periods.beancount"}
    assert [name for name in before if before[name] != after[name]] == ["main.beancount"]
    main_before, main_after = before["main.beancount"].decode(), after["main.beancount"].decode()
    assert main_after == main_before.replace('include "acks.beancount"\n',
                                             'include "acks.beancount"\ninclude "periods.beancount"\n')
    assert after["periods.beancount"].decode() == closing.PERIODS_HEADER + """
2026-01-31 custom "beanclear-close" "2026-01"
  closed-by: "alice"
  review-threshold: "500"
  errors: "order-unpaid amount-mismatch duplicate-charge refund-unsynced unsettled payout-mismatch payout-missing fee-gap"
  warnings: "payment-without-order bank-unmatched fx-gap refund-rate refund-surge statement-gap stale-ack"
2026-02-01 balance Assets:Bank:ICBC                          210053.69 CNY
2026-02-01 balance Assets:Clearing:Stripe                       481.60 USD
2026-02-01 balance Assets:Transit:PayPal                          0.00 USD
2026-02-01 balance Assets:Transit:Stripe                        350.69 USD
2026-02-01 balance Assets:Transit:WeChat                      14757.42 CNY
"""
    _, errors, _ = loader.load_file(str(clean / "books" / "main.beancount"))
    assert errors == []


def test_closing_twice_writes_nothing(closed_jan):
    before = snapshot(closed_jan / "books")
    result = beanclear(closed_jan, "close", "2026-01")
    assert result.exit_code == 0 and "already closed; nothing was written" in result.output
    assert snapshot(closed_jan / "books") == before


def test_months_close_in_order(clean):
    before = snapshot(clean / "books")
    result = beanclear(clean, "close", "2026-02")
    assert result.exit_code == 2 and "2026-01 still open" in result.output
    assert snapshot(clean / "books") == before
    assert beanclear(clean, "close", "2026-01").exit_code == 0
    assert beanclear(clean, "close", "2026-02").exit_code == 0
    assert set(closed.closed_months(clean / "books")) == {"2026-01", "2026-02"}


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "march", "", "0000-01", "9999-12"])   # (year 0: blind33)
def test_a_bad_month_is_exit_2(clean, month):
    before = snapshot(clean / "books")
    for args in (("close", month), ("reopen", month, "--reason", "why")):
        result = beanclear(clean, *args)
        assert result.exit_code == 2 and "expected YYYY-MM" in result.output, result.output
        assert "Traceback" not in result.output
    assert snapshot(clean / "books") == before


def test_close_is_refused_while_errors_remain(problems_demo, tmp_path):
    shutil.copytree(problems_demo, tmp_path / "m")
    before = snapshot(tmp_path / "m" / "books")
    result = beanclear(tmp_path / "m", "close", "2026-01")
    assert result.exit_code == 1
    listed = result.output.splitlines()[:-1]
    assert listed and all(line.startswith("error ") for line in listed)
    assert all(line.split()[2] <= "2026-02-01" for line in listed)   # nothing of later months
    assert result.output.splitlines()[-1] == f"2026-01 cannot be closed: {len(listed)} unresolved error(s); " \
                                             "nothing was written"
    assert snapshot(tmp_path / "m" / "books") == before


def test_an_import_into_a_closed_month_is_refused_until_reopened(closed_jan, tmp_path):
    clean = closed_jan
    statement = late_rent(tmp_path)
    before = snapshot(clean / "books")
    result = beanclear(clean, "import", "--source", "icbc", str(statement))
    assert result.exit_code == 2
    assert (f"{statement}:7: 2026-01 is closed (beanclear close by alice, periods.beancount:4); "
            'beanclear reopen 2026-01 --reason "…" first; nothing was written') in result.output
    assert snapshot(clean / "books") == before

    refused = beanclear(clean, "reopen", "2026-01", "--reason", "  ")
    assert refused.exit_code == 2 and "--reason: expected why" in refused.output
    assert snapshot(clean / "books") == before

    reopened = beanclear(clean, "reopen", "2026-01", "--reason", 'the "late" rent line')
    assert reopened.exit_code == 0, reopened.output
    text = (clean / "books" / "periods.beancount").read_text(encoding="utf-8")
    assert text.endswith('\n2026-01-31 custom "beanclear-reopen" "2026-01" "the \\"late\\" rent line"\n'
                         '  reopened-by: "alice"\n')
    assert closed.closed_months(clean / "books") == {}
    result = beanclear(clean, "import", "--source", "icbc", str(statement))
    assert result.exit_code == 0 and "1 entries written" in result.output


def test_an_import_into_an_open_month_is_not_refused(closed_jan, tmp_path):
    result = beanclear(closed_jan, "import", "--source", "icbc", str(late_rent(tmp_path, "2026-02-15")))
    assert result.exit_code == 0 and "1 entries written" in result.output


def test_reimporting_a_closed_month_s_statements_writes_nothing_and_is_not_refused(closed_jan):
    before = snapshot(closed_jan / "books")
    result = beanclear(closed_jan, "import", str(closed_jan / "statements" / "icbc"))
    assert result.exit_code == 0, result.output
    assert snapshot(closed_jan / "books") == before


def test_reopen_refuses_a_month_not_closed(clean):
    result = beanclear(clean, "reopen", "2026-01", "--reason", "why")
    assert result.exit_code == 2 and "2026-01 is not closed" in result.output
    assert not (clean / "books" / "periods.beancount").exists()


def test_closing_again_after_reopening_adds_only_the_directive(closed_jan):
    clean = closed_jan
    assert beanclear(clean, "reopen", "2026-01", "--reason", "checking a refund").exit_code == 0
    before = (clean / "books" / "periods.beancount").read_text(encoding="utf-8")
    assert beanclear(clean, "close", "2026-01").exit_code == 0
    after = (clean / "books" / "periods.beancount").read_text(encoding="utf-8")
    # (and the policy in force, which judges the month's findings from then on: test_closed_policy.py)
    assert after == before + '\n2026-01-31 custom "beanclear-close" "2026-01"\n  closed-by: "alice"\n' + POLICY
    assert list(closed.closed_months(clean / "books")) == ["2026-01"]


def test_closed_months_read_from_text(tmp_path):
    (tmp_path / closed.PERIODS_FILE).write_text(
        '2026-01-31 custom "beanclear-close" "2026-01"\n  closed-by: "a"\n'
        '2026-01-31 custom "beanclear-reopen" "2026-01" "why"\n'
        '2026-02-28 custom "beanclear-close" "2026-02"\n  closed-by: "b"\n', encoding="utf-8")
    assert closed.closed_months(tmp_path) == {"2026-02": closed.Closed("2026-02", 4, "b")}
    assert closed.closed_months(tmp_path / "none") == {}


def test_an_account_emptied_by_the_months_end_is_asserted_at_zero():
    """README: one `balance` per bank, clearing and transit account and currency. A
    transit account the month's payouts all left is 0.00 at its end: asserted too, so
    that a payout booked into the month later cannot pass unseen (helper 81: a close
    of two months wrote no assertion at all)."""
    entries, errors, _ = loader.load_string(textwrap.dedent("""\
        2026-01-01 open Assets:Transit:WeChat
        2026-01-01 open Assets:Clearing:WeChat
        2026-01-01 open Assets:Bank:CMB
        2026-01-05 * "withdrawal"
          Assets:Transit:WeChat     100.00 CNY
          Assets:Clearing:WeChat   -100.00 CNY
        2026-01-06 * "credit"
          Assets:Bank:CMB           100.00 CNY
          Assets:Transit:WeChat    -100.00 CNY
        2026-02-01 balance Assets:Bank:CMB   100.00 CNY
        """))
    assert errors == []
    accounts = {"Assets:Transit:WeChat", "Assets:Clearing:WeChat", "Assets:Bank:CMB"}
    assert closing.balances(entries, accounts, dt.date(2026, 2, 1)) == [
        ("Assets:Clearing:WeChat", "CNY", Decimal("-100.00")),
        ("Assets:Transit:WeChat", "CNY", Decimal("0.00"))]
    text = closing.close_text("2026-01", closing.balances(entries, accounts, dt.date(2026, 2, 1)), "alice")
    assert "2026-02-01 balance Assets:Transit:WeChat                          0.00 CNY\n" in text


def wechat_bill(folder, name: str, opening: int, withdrawals, sales=()) -> None:
    """A WeChat fund bill of withdrawals of 100.00 on `withdrawals` (days of March), of
    money that was there before it (`opening`) or came in that day (`sales`, 100.00)."""
    from test_statement_coverage import FUND_HEADER
    lines, balance = [FUND_HEADER], opening
    rows = sorted([(day, "交易", "收入", 100) for day in sales]
                  + [(day, "提现", "支出", -100) for day in withdrawals])
    for day, kind, way, amount in rows:
        balance += amount
        ident = f"{'S' if amount > 0 else 'W'}{day}"
        lines.append(",".join("`" + c for c in (f"2026-03-{day:02d} 18:00:00", ident, f"F{ident}", kind, kind,
                                                  way, "100.00", f"{balance}.00", "1900000109API", "", "")))
    lines += ["资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额",
              f"`{len(rows)},`{len(sales)},`{100 * len(sales)}.00,`{len(withdrawals)},`{100 * len(withdrawals)}.00"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def wechat_merchant(root: Path, bill_days, credit_days, bill_name: str = "fund.csv") -> Path:
    """WeChat paying into a bank (test_statement_coverage.WECHAT): its fund bill of the
    withdrawals of `bill_days`, and the bank's credits of the withdrawals of
    `credit_days`, each arriving the next day."""
    from test_statement_coverage import WECHAT, arriving, write
    (root / "config.yaml").write_text(WECHAT, encoding="utf-8")
    wechat_bill(root / "st", bill_name, 100 * len(bill_days), bill_days)
    write(root / "st", "bank.csv", *arriving(credit_days))
    result = beanclear(root, "import", str(root / "st"))
    assert result.exit_code == 0, result.output
    return root


def test_close_waits_for_a_channels_bill_that_ends_before_the_bank_credits_it(tmp_path):
    """blind5 #1: WeChat's bills end 03-29 (the bills of 30 and 31 not downloaded yet),
    the bank's statement runs to 03-31 and holds the credit of the 03-30 withdrawal.
    `check` waits for the bill (a bank day before its channel's bill of that day is the
    daily routine: README, statement-gap), but the month is not finished: `close` names
    the channel, the last day its bills cover and the credit that waits, and writes
    nothing (it wrote `balance Assets:Transit:WeChat -100.00 CNY`, the credit taken for
    a month-end fact). With the 03-30 bill in, March closes."""
    merchant = wechat_merchant(tmp_path, range(1, 30), range(1, 31))
    checked = beanclear(merchant, "check")
    assert checked.exit_code == 0 and "0 errors, 0 warnings" in checked.output, checked.output
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "close", "2026-03")
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()[:-1]
    assert line == ("error statement-gap 2026-03-29 wechat: the statements of wechat end 2026-03-29, before the "
                    "month's end (2026-03-31): 1 bank credit(s) (100.00 CNY) wait for them [B30]"), line
    assert result.output.splitlines()[-1] == ("2026-03 cannot be closed: 1 source(s) whose statements do not reach "
                                              "its end; nothing was written")
    assert snapshot(merchant / "books") == before
    wechat_bill(merchant / "st2", "fund.csv", 0, [30], sales=[30])
    assert beanclear(merchant, "import", str(merchant / "st2")).exit_code == 0
    closed_ = beanclear(merchant, "close", "2026-03")
    assert closed_.exit_code == 0, closed_.output


def test_close_waits_for_statements_that_state_their_days_until_they_reach_the_months_end(tmp_path):
    """A bill that states its day (`fundflow-2026-03-29.csv`, as `beanclear fetch` names
    it) ends there, quiet days or not: March closes once the bills of 30 and 31 are in,
    a day without rows included (nothing waits for them meanwhile; a bank statement read
    to its last line, two quiet days before the month's end, is not held against it)."""
    merchant = wechat_merchant(tmp_path, range(1, 30), range(1, 30), bill_name="fundflow-2026-03-29.csv")
    assert beanclear(merchant, "check").exit_code == 0
    result = beanclear(merchant, "close", "2026-03")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == ("error statement-gap 2026-03-29 wechat: the statements of wechat end "
                                             "2026-03-29, before the month's end (2026-03-31): import its statement "
                                             "that reaches 2026-03-31; if wechat ended 2026-03-29, "
                                             "`channels.wechat.until: 2026-03-29` says so"), result.output
    wechat_bill(merchant / "st2", "fundflow-2026-03-30.csv", 0, [])
    wechat_bill(merchant / "st2", "fundflow-2026-03-31.csv", 0, [])
    assert beanclear(merchant, "import", str(merchant / "st2")).exit_code == 0
    closed_ = beanclear(merchant, "close", "2026-03")
    assert closed_.exit_code == 0, closed_.output


def test_close_waits_for_a_bank_credit_whose_payout_left_before_the_channels_statements(tmp_path):
    """blind6: the bank's statement begins 03-01 with the credit of a WeChat payout of the
    day before, in flight when the merchant's WeChat bills begin (their first balance, of 03-01's end). No payout
    answers it: `check` says so in one statement-gap (it said nothing), and `close`
    refuses, naming it (it wrote `balance Assets:Transit:WeChat -324.04 CNY`, the
    transit account short of the payout for good). Once the person books that payout
    into transit (their own file), nothing waits and March closes."""
    from test_statement_coverage import WECHAT, write
    (tmp_path / "config.yaml").write_text(WECHAT, encoding="utf-8")
    wechat_bill(tmp_path / "st", "fund.csv", 100 * 30, range(2, 32))
    write(tmp_path / "st", "bank.csv", "2026-03-01,B0,微信支付提现,财付通支付科技有限公司,324.04,324.04",
          *(f"2026-03-{d + 1:02d},B{d},微信支付提现,财付通支付科技有限公司,100.00,{324.04 + 100 * (d - 1):.2f}"
            for d in range(2, 31)))
    assert beanclear(tmp_path, "import", str(tmp_path / "st")).exit_code == 0
    checked = beanclear(tmp_path, "check")
    assert checked.exit_code == 0, checked.output
    assert ("the statements of wechat start 2026-03-01 (a payout in flight when your books began: book it yourself, "
            "from its account into Assets:Transit:WeChat on its day); 1 bank credit(s) (324.04 CNY) booked to "
            "Assets:Transit:WeChat are of payouts before them") in " ".join(checked.output.split())
    result = beanclear(tmp_path, "close", "2026-03")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0].startswith(
        "error statement-gap 2026-03-01 wechat: the statements of wechat start 2026-03-01 (a payout in flight"
        ), result.output
    assert result.output.splitlines()[0].endswith(" [B0]"), result.output
    books = tmp_path / "books"
    (books / "hand.beancount").write_text('2026-01-01 open Equity:Hand\n\n2026-02-28 * "WeChat payout in flight"\n'
                                          "  Assets:Transit:WeChat  324.04 CNY\n  Equity:Hand\n", encoding="utf-8")
    with open(books / "main.beancount", "a", encoding="utf-8") as fh:
        fh.write('include "hand.beancount"\n')
    checked = beanclear(tmp_path, "check")
    assert "statement-gap" not in checked.output, checked.output
    closed_ = beanclear(tmp_path, "close", "2026-03")
    assert closed_.exit_code == 0, closed_.output


def bank_merchant(root: Path) -> Path:
    """A bank whose first statement is of November 2026: the books open 2026-10-31
    with the balance it starts from, and run to 2026-11-30."""
    from test_statement_coverage import BANK_ONLY, write
    (root / "config.yaml").write_text(BANK_ONLY + 'rules:\n  - {match: "房租", account: Expenses:Rent}\n',
                                      encoding="utf-8")
    write(root / "st", "ops.csv", "2026-11-01,N1,房租,某置业,-500.00,49500.00", "2026-11-30,N2,房租,某置业,-500.00,49000.00")
    result = beanclear(root, "import", str(root / "st"))
    assert result.exit_code == 0, result.output
    return root


def test_a_month_before_the_books_or_before_a_closed_one_is_refused(tmp_path, monkeypatch):
    """blind6 (tester 120): README, close exits 2 "on a bad month"; months close in
    order. A month before the books' first transaction holds nothing to close (it wrote
    a close of 2019-05 and returned 0); a month never closed before a month already
    closed would assert balances under the later close (2026-10 after 2026-11 was
    closed): reopen the later one first. A month closed, then reopened, closes again
    whatever was closed after it (README: correct it and close again)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-12-05")
    merchant = bank_merchant(tmp_path)
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "close", "2019-05")
    assert result.exit_code == 2, result.output
    assert ("2019-05: the books hold no transaction in that month or before it (they run from 2026-10-31 to "
            "2026-11-30); nothing was written") in result.output
    assert snapshot(merchant / "books") == before

    assert beanclear(merchant, "close", "2026-11").exit_code == 0
    before = snapshot(merchant / "books")
    for month in ("2026-10", "2019-05"):
        result = beanclear(merchant, "close", month)
        assert result.exit_code == 2, result.output
        assert snapshot(merchant / "books") == before
    assert ("2026-10: 2026-11 is closed already (periods.beancount:4) and months close in order; beanclear "
            'reopen 2026-11 --reason "…", then close 2026-10 and 2026-11; nothing was written') in \
        beanclear(merchant, "close", "2026-10").output

    assert beanclear(merchant, "reopen", "2026-11", "--reason", "October first").exit_code == 0
    assert beanclear(merchant, "close", "2026-10").exit_code == 0
    assert beanclear(merchant, "close", "2026-11").exit_code == 0
    # a month closed before, reopened: closed again with the later month still closed
    assert beanclear(merchant, "reopen", "2026-10", "--reason", "a late line").exit_code == 0
    result = beanclear(merchant, "close", "2026-10")
    assert result.exit_code == 0, result.output
    assert set(closed.closed_months(merchant / "books")) == {"2026-10", "2026-11"}


STRIPE_BANK = """\
books: books
currency: USD
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 30, bank: firstbank, bank_days: 3}
banks:
  firstbank:
    type: csv
    account: Assets:Bank:FirstBank
    currency: USD
    opening_balance: {date: 2025-12-31, amount: 1000.00}
    columns: {date: Posting Date, amount: Amount, memo: Description, ref: Reference, balance: Running Balance}
checks:
  unsettled: {severity: off}
  bank-unmatched: {severity: off}
"""
STRIPE_HEADER = ("balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,"
                 "source_id,description,automatic_payout_id")


def stripe_csv(path: Path, *rows) -> None:
    """A Stripe balance report of (id, day, gross, fee, category, description) rows."""
    lines = [STRIPE_HEADER] + [f"txn_{i},{day} 12:00:00,{day} 00:00:00,usd,{gross},{fee},"
                               f"{Decimal(gross) - Decimal(fee)},{kind},ch_{i},{said}," for i, day, gross, fee, kind, said in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("first_row", ["2026-02-03", "2026-02-01"])
def test_a_reopened_months_changed_balance_is_the_closes_failed_assertion(tmp_path, monkeypatch, first_row):
    """blind8 (tester 175): README, Closing a month: an import that changes a reopened
    month's balances shows up as the failed assertion in periods.beancount. Stripe's
    February starts 02-03 (two quiet days) and states no balance of its own: the
    re-sent February's Radar fee broke the close's 03-01 assertion, and check,
    bean-check and close blamed a statement-gap of 02-01 to 02-02, whose balance (the
    close's) said 12.00 more than the books. A close's assertion is the books' own
    month end, not a statement's balance: Beancount's failure, at its line, as with a
    row on 02-01."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    monkeypatch.setenv("USER", "alice")
    (tmp_path / "config.yaml").write_text(STRIPE_BANK, encoding="utf-8")
    february = [("F1", first_row, "100.00", "3.20", "charge", "Sale"), ("F2", "2026-02-28", "50.00", "1.75", "charge", "Sale")]
    stripe_csv(tmp_path / "jan" / "stripe-2026-01.csv", ("J1", "2026-01-02", "100.00", "3.20", "charge", "Sale"),
               ("J2", "2026-01-31", "50.00", "1.75", "charge", "Sale"))
    stripe_csv(tmp_path / "feb" / "stripe-2026-02.csv", *february)
    stripe_csv(tmp_path / "late" / "stripe-2026-02-v2.csv", *february,
               ("F3", "2026-02-27", "-12.00", "0.00", "fee", "Billing - Radar fees"))
    bank = "Posting Date,Description,Amount,Reference,Running Balance\n"
    (tmp_path / "jan" / "bank-2026-01.csv").write_text(
        bank + "2026-01-02,INTEREST,1.00,B1,1001.00\n2026-01-31,INTEREST,1.00,B2,1002.00\n", encoding="utf-8")
    (tmp_path / "feb" / "bank-2026-02.csv").write_text(
        bank + "2026-02-01,INTEREST,1.00,B3,1003.00\n2026-02-28,INTEREST,1.00,B4,1004.00\n", encoding="utf-8")
    for month in ("jan", "feb"):
        assert beanclear(tmp_path, "import", str(tmp_path / month)).exit_code == 0
        closed_ = beanclear(tmp_path, "close", f"2026-{'01' if month == 'jan' else '02'}")
        assert closed_.exit_code == 0, closed_.output
    assert beanclear(tmp_path, "reopen", "2026-02", "--reason", "Stripe re-sent February").exit_code == 0
    assert beanclear(tmp_path, "import", str(tmp_path / "late")).exit_code == 0
    failed = ("beancount 2026-03-01 -: Balance failed for 'Assets:Clearing:Stripe': expected 290.10 USD != "
              "accumulated 278.10 USD (12.00 too little) (books/periods.beancount:18)")

    checked = beanclear(tmp_path, "check")
    assert checked.exit_code == 1 and "statement-gap" not in checked.output, checked.output
    assert [" ".join(line.split()) for line in checked.output.splitlines()][:3] == [
        "error beancount 2026-03-01 - 12.00 USD: " + failed.split(": ", 1)[1],
        "note stripe: no fees: in config.yaml, so its fees are not checked (fee-gap judges none of its payments): "
        "write its contract as channels.stripe.fees (a rule such as `- rate: 0.006`)",
        "1 error, 0 warnings, 0 acknowledged"]
    _, errors, _ = loader.load_file(str(tmp_path / "books" / "main.beancount"))   # bean-check, Fava
    assert [(type(e).__name__, e.source["filename"].endswith("periods.beancount"), e.source["lineno"])
            for e in errors] == [("BalanceError", True, 18)]
    result = beanclear(tmp_path, "close", "2026-02")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "error " + failed, result.output


def closed_jan_feb(tmp_path: Path, monkeypatch) -> Path:
    """A Stripe and bank merchant of January and February 2026, both months imported
    and closed by "alice" (January's close at periods.beancount:4, February's at :12)."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    monkeypatch.setenv("USER", "alice")
    (tmp_path / "config.yaml").write_text(STRIPE_BANK, encoding="utf-8")
    stripe_csv(tmp_path / "jan" / "stripe-2026-01.csv", *JANUARY)
    stripe_csv(tmp_path / "feb" / "stripe-2026-02.csv", *FEBRUARY)
    bank = "Posting Date,Description,Amount,Reference,Running Balance\n"
    (tmp_path / "jan" / "bank-2026-01.csv").write_text(
        bank + "2026-01-02,INTEREST,1.00,B1,1001.00\n2026-01-31,INTEREST,1.00,B2,1002.00\n", encoding="utf-8")
    (tmp_path / "feb" / "bank-2026-02.csv").write_text(
        bank + "2026-02-01,INTEREST,1.00,B3,1003.00\n2026-02-28,INTEREST,1.00,B4,1004.00\n", encoding="utf-8")
    for folder, month in (("jan", "2026-01"), ("feb", "2026-02")):
        assert beanclear(tmp_path, "import", str(tmp_path / folder)).exit_code == 0
        result = beanclear(tmp_path, "close", month)
        assert result.exit_code == 0, result.output
    return tmp_path


JANUARY = [("J1", "2026-01-02", "100.00", "3.20", "charge", "Sale"), ("J2", "2026-01-20", "80.00", "2.62", "charge", "Sale"),
           ("J3", "2026-01-31", "50.00", "1.75", "charge", "Sale")]
FEBRUARY = [("F1", "2026-02-03", "100.00", "3.20", "charge", "Sale"), ("F2", "2026-02-28", "50.00", "1.75", "charge", "Sale")]


@pytest.mark.parametrize("rows, month, days", [
    (JANUARY[1:2], "2026-01", "2026-01-20 to 2026-01-20"),            # a part of the month's report
    (JANUARY[::-1], "2026-01", "2026-01-02 to 2026-01-31"),           # the month again, newest first
    (JANUARY[2:] + FEBRUARY, "2026-02", "2026-01-31 to 2026-02-28"),  # across two closed months
], ids=["part", "newest-first", "across"])
def test_a_closed_months_statement_downloaded_again_adds_nothing_and_is_not_refused(tmp_path, monkeypatch, rows,
                                                                                     month, days):
    """blind9 (tester 205): README, Closing a month: importing March's statements again,
    which adds nothing, still works. A report of 10-20 December, December newest first, a
    report of 15 December to 15 January (both closed) were refused "2025-12 is closed" at
    line 0, though every row was in the books: the coverage record, dated in the closed
    month, was the only thing new. It is not written (the closed month's books do not
    change), and the summary says so."""
    root = closed_jan_feb(tmp_path, monkeypatch)
    line = {"2026-01": 4, "2026-02": 12}[month]
    statement = tmp_path / "again" / "stripe-again.csv"
    stripe_csv(statement, *rows)
    before = snapshot(root / "books")
    for dry_run in (("--dry-run",), ()):
        result = beanclear(root, "import", *dry_run, str(statement))
        assert result.exit_code == 0, result.output
        assert "is closed (" not in result.output.replace(f"{month} is closed (beanclear close by alice, "
                                                          f"periods.beancount:{line}): its coverage", "")
        written = "would be written" if dry_run else "written"
        assert (f"{len(rows)} rows read, 0 entries {written}, {len(rows)} already in the books; note: nothing "
                f"new; {month} is closed (beanclear close by alice, periods.beancount:{line}): its coverage "
                f"record ({days}) is not written, and the closed month's books stay as they are") in result.output
        assert snapshot(root / "books") == before


def test_a_statement_with_a_row_new_in_a_closed_month_is_refused_at_that_row(tmp_path, monkeypatch):
    """Must not fire: a row the books lack in a closed month is refused, named at its line
    (the report's fourth line: F3, between two rows the books hold), and nothing is written."""
    root = closed_jan_feb(tmp_path, monkeypatch)
    statement = tmp_path / "again" / "stripe-again.csv"
    stripe_csv(statement, JANUARY[2], FEBRUARY[0], ("F3", "2026-02-10", "20.00", "0.88", "charge", "Sale"),
               FEBRUARY[1])
    before = snapshot(root / "books")
    result = beanclear(root, "import", str(statement))
    assert result.exit_code == 2
    assert (f"{statement}:4: 2026-02 is closed (beanclear close by alice, periods.beancount:12); "
            'beanclear reopen 2026-02 --reason "…" first; nothing was written') in result.output
    assert snapshot(root / "books") == before


def test_a_closed_months_statement_imported_again_byte_for_byte_is_imported_before(tmp_path, monkeypatch):
    """Must not fire: the very file again is "imported before", as in an open month."""
    root = closed_jan_feb(tmp_path, monkeypatch)
    before = snapshot(root / "books")
    result = beanclear(root, "import", str(tmp_path / "jan" / "stripe-2026-01.csv"))
    assert result.exit_code == 0, result.output
    assert "imported before (covering 2026-01-02 to 2026-01-31" in result.output
    assert "coverage record (" not in result.output
    assert snapshot(root / "books") == before


def test_a_row_new_in_a_reopened_month_is_written_its_coverage_in_a_closed_one_not(tmp_path, monkeypatch):
    """January reopened, February still closed: a report of 31 January to 28 February
    with a row January lacks writes that row; its coverage record, dated in February, is not
    written (February's books do not change), and the summary says so."""
    root = closed_jan_feb(tmp_path, monkeypatch)
    assert beanclear(root, "reopen", "2026-01", "--reason", "a late sale").exit_code == 0
    statement = tmp_path / "again" / "stripe-again.csv"
    stripe_csv(statement, ("J4", "2026-01-30", "20.00", "0.88", "charge", "Sale"), JANUARY[2], *FEBRUARY)
    before = snapshot(root / "books")
    result = beanclear(root, "import", str(statement))
    assert result.exit_code == 0, result.output
    assert ("4 rows read, 1 entries written, 3 already in the books; note: 2026-02 is closed (beanclear close by "
            "alice, periods.beancount:12): its coverage record (2026-01-30 to 2026-02-28) is not written, and the "
            "closed month's books stay as they are") in result.output
    after = snapshot(root / "books")
    assert [name for name in after if after[name] != before.get(name)] == ["stripe/2026/2026-01.beancount"]
    assert '"txn_J4"' in after["stripe/2026/2026-01.beancount"].decode()


QUIET_SHOP_HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Outstanding Balance,"
                  "Payment Method,Cancelled at,Created at,Lineitem quantity,Lineitem name,Lineitem price")
QUIET_STRIPE_HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
                 '"reporting_category","source_id","description","customer_facing_amount","customer_facing_currency",'
                 '"automatic_payout_id","automatic_payout_effective_at_utc"')


@pytest.mark.parametrize("quiet", [False, True])
def test_a_month_whose_last_week_was_quiet_closes_once_the_config_says_so(tmp_path, monkeypatch, quiet):
    """Blind round 15 (splittender): a shop and its Stripe account with nothing after
    03-25. Their files, read to their last lines, cannot say whether the rest of March was
    quiet: `close` waits, says it apart from `check`'s errors (it said "2 unresolved
    error(s)" where `check` listed none) and names what would close it. A shop had no
    `quiet_days:` (refused as an unknown key); with it, and the channel's, March closes."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shop = "shop: {type: shopify, order_days: 3" + (", quiet_days: 6}" if quiet else "}")
    stripe = "stripe: {type: stripe, currency: USD, settlement_days: 90, shop: shop" + (", quiet_days: 6}" if quiet else "}")
    (tmp_path / "config.yaml").write_text(f"books: books\ncurrency: USD\ntimezone: UTC\nchannels:\n  {stripe}\n"
                                          f"shops:\n  {shop}\n", encoding="utf-8")
    days = ("01", "05", "10", "15", "20", "25")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "orders-2026-03.csv").write_text("\n".join([QUIET_SHOP_HEADER] + [
        f"#30{d},a@x.com,paid,2026-03-{d} 10:00:00 +0000,USD,20.00,20.00,0.00,0.00,stripe,,2026-03-{d} 10:00:00 +0000,"
        "1,Mug,20.00" for d in days]) + "\n", encoding="utf-8")
    (tmp_path / "s" / "balance_change_from_activity-2026-03.csv").write_text("\n".join([QUIET_STRIPE_HEADER] + [
        f'"txn_M0000000000000000000{d}","2026-03-{d} 10:01:00","2026-03-{d} 10:01:00","usd","20.00","0.88","19.12",'
        f'"charge","ch_{d}","Order #30{d}","20.00","usd","",""' for d in days]) + "\n", encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "s")).exit_code == 0
    result = beanclear(tmp_path, "close", "2026-03")
    if quiet:
        assert result.exit_code == 0 and "2026-03 closed" in result.output, result.output
        return
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "error statement-gap 2026-03-25 shop: the statements of shop end 2026-03-25, before the month's end "
        "(2026-03-31): import its statement that reaches 2026-03-31; if shop had no lines then, "
        "`shops.shop.quiet_days: 6` says so; if shop ended 2026-03-25, `shops.shop.until: 2026-03-25` says so",
        "error statement-gap 2026-03-25 stripe: the statements of stripe end 2026-03-25, before the month's end "
        "(2026-03-31): import its statement that reaches 2026-03-31; if stripe had no lines then, "
        "`channels.stripe.quiet_days: 6` says so; if stripe ended 2026-03-25, `channels.stripe.until: 2026-03-25` "
        "says so",
        "2026-03 cannot be closed: 2 source(s) whose statements do not reach its end; nothing was written"]


def test_close_lists_an_undated_error_with_a_dash_for_its_date():
    # a Beancount error of no entry (a stray token) printed "None" as its date (blind24)
    from beanclear.checks.findings import Finding
    undated = Finding("beancount", None, "", "", Decimal(0), "", "Invalid token: 'x'", file="books/a.beancount",
                      line=3, severity="error")
    assert closing._line(undated) == "error beancount - -: Invalid token: 'x' (books/a.beancount:3)"


# -- a closed month the books changed since (blind24: a merge brought another accountant's
# -- January work into a month closed meanwhile): `close` again judges it ----------------

def test_closing_again_a_month_whose_close_no_longer_holds_lists_why_and_exits_1(closed_jan):
    # a write-off of the month merged in after the close: the close's own assertion fails
    path = closed_jan / "books" / "wechat" / "2026" / "2026-01.beancount"
    path.write_text(path.read_text(encoding="utf-8") + '\n2026-01-20 * "beanclear" "write-off payout-mismatch"\n'
                    "  Expenses:Fees:WeChat  5.00 CNY\n  Assets:Transit:WeChat  -5.00 CNY\n", encoding="utf-8")
    before = snapshot(closed_jan / "books")
    result = beanclear(closed_jan, "close", "2026-01")
    assert result.exit_code == 1, result.output
    *listed, said = result.output.strip().splitlines()
    assert any("Balance failed for 'Assets:Transit:WeChat'" in line and line.endswith("(books/periods.beancount:13)")
               for line in listed), result.output
    assert said.startswith("2026-01 is closed (books/periods.beancount line 4) but no longer reconciles: ")
    assert "the first at books/periods.beancount:13 — the books changed after the close" in said
    assert said.endswith("nothing was written") and "already closed" not in said
    assert snapshot(closed_jan / "books") == before


def test_closing_again_a_month_with_an_error_merged_in_exits_1_until_it_is_acknowledged(closed_jan):
    path = closed_jan / "books" / "shopify" / "2026" / "2026-01.beancount"
    path.write_text(path.read_text(encoding="utf-8") + '\n2026-01-10 * "Order #9999 / 铁观音" ^order-9999\n'
                    '  id: "order:#9999"\n  order-id: "#9999"\n'
                    "  Assets:Receivable:Shopify  100.00 CNY\n  Income:Sales:Shopify  -100.00 CNY\n", encoding="utf-8")
    result = beanclear(closed_jan, "close", "2026-01")
    assert result.exit_code == 1, result.output
    assert "error order-unpaid 2026-01-10" in result.output and "no longer reconciles: 1 unresolved error" in result.output
    # must not fire: once acknowledged, nothing of the month is unresolved
    assert beanclear(closed_jan, "ack", "order-unpaid", "#9999", "--reason", "paid in cash").exit_code == 0
    result = beanclear(closed_jan, "close", "2026-01")
    assert result.exit_code == 0 and "2026-01 is already closed; nothing was written" in result.output


def test_closing_again_a_month_whose_follow_up_fell_due_names_the_follow_up(closed_jan, monkeypatch):
    # blind29: only the clock moved past a follow-up's due date, and `close` blamed "the books
    # changed after the close (a merge, an edit)", an edit that never happened
    path = closed_jan / "books" / "shopify" / "2026" / "2026-01.beancount"
    path.write_text(path.read_text(encoding="utf-8") + '\n2026-01-10 * "Order #9999 / 铁观音" ^order-9999\n'
                    '  id: "order:#9999"\n  order-id: "#9999"\n'
                    "  Assets:Receivable:Shopify  100.00 CNY\n  Income:Sales:Shopify  -100.00 CNY\n", encoding="utf-8")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2098-12-01")   # (a follow-up is due at most a year on)
    assert beanclear(closed_jan, "follow-up", "order-unpaid", "#9999", "--owner", "bob", "--due", "2099-01-10",
                     "--note", "chase").exit_code == 0
    # must not fire: before its due date the follow-up is no error
    assert "already closed" in beanclear(closed_jan, "close", "2026-01").output
    monkeypatch.setenv("BEANCLEAR_TODAY", "2099-02-01")
    result = beanclear(closed_jan, "close", "2026-01")
    assert result.exit_code == 1, result.output
    said = result.output.strip().splitlines()[-1]
    assert said == ("2026-01 is closed (books/periods.beancount line 4) but no longer reconciles: 1 follow-up past "
                    "its due date (order-unpaid #9999, bob, due 2099-01-10): settle it and mark it done "
                    "(`beanclear follow-up order-unpaid #9999 --done --note \"…\"`), or give it a later `--due`; "
                    "nothing was written"), said


PAYPAL_SEPTEMBER = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address",\
"Transaction ID","Reference Txn ID","Invoice Number","Balance","Subject","Balance Impact"
"01/09/2026","10:43:03","Europe/Berlin","Mark Evans","Express Checkout Payment","Completed","EUR","50.00","-1.60",\
"48.40","mark@example.com","shop@example.com","5AB12345CD6789012","","","460.00","Print","Credit"
"30/09/2026","11:00:00","Europe/Berlin","Anna Becker","Express Checkout Payment","Completed","EUR","20.00","-0.85",\
"19.15","anna@example.com","shop@example.com","6AB12345CD6789013","","","479.15","Print","Credit"
"""


def test_a_closed_months_statement_downloaded_again_leaves_the_opening_naming_the_first(tmp_path, monkeypatch):
    """blind25 paypalholds: September closed, its download again under a name sorting
    first (`Download-2026-09-re.csv`) left the month as it was but renamed the opening
    of 31 August after it, a statement whose coverage record the close kept out of the
    books. The opening goes on naming the statement the books record."""
    monkeypatch.setenv("USER", "alice")
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: EUR\ntimezone: Europe/Berlin\nchannels:\n"
                                          "  paypal: {type: paypal, settlement_days: 40}\n", encoding="utf-8")
    first = tmp_path / "Download-2026-09.csv"
    first.write_text(PAYPAL_SEPTEMBER, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(first)).exit_code == 0
    assert beanclear(tmp_path, "close", "2026-09").exit_code == 0
    before = snapshot(tmp_path / "books")
    again = tmp_path / "Download-2026-09-re.csv"
    again.write_bytes(PAYPAL_SEPTEMBER.replace("\n", "\r\n").encode("utf-8"))
    result = beanclear(tmp_path, "import", str(again))
    assert result.exit_code == 0, result.output
    # (the same text in other bytes: that statement, imported before, since blind33)
    assert "now names" not in result.output and ("nothing new: the same text as Download-2026-09.csv in other "
                                                 "bytes") in result.output, result.output
    assert snapshot(tmp_path / "books") == before
    # and a download again that says it otherwise (other text) still leaves the closed month as it is
    again.write_text(PAYPAL_SEPTEMBER.replace('"Print"', '"Print "'), encoding="utf-8")
    result = beanclear(tmp_path, "import", str(again))
    assert result.exit_code == 0, result.output
    assert "now names" not in result.output and "the closed month's books stay as they are" in result.output
    assert snapshot(tmp_path / "books") == before
