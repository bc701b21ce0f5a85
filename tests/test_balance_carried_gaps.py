"""Days between a source's statements across which its own balances carry on unbroken
are quiet, whatever their number (README "Coverage"): the statement after them opens
where the one before closed, with only the books' rows between, so no row is missing. A
balance that steps across them is what shows a statement missing: that stays a
`statement-gap`. Where no balance says either, a channel's or bank's `quiet_days:` says
how many days in a row may be quiet; beside a statement of one day (WeChat's bills of
each day with transactions, a bank's CAMT of each business day) it holds as it says,
and between two statements that each state a period of more than a day it holds up to
three days, which the gap says.

blind18 (holidays): WeChat Pay makes no bill of a day without transactions. Over the
Spring Festival (02-15..02-19) there were none, the fund bill's 账户结余 carried on from
1,900.04 to 2,405.94 (1,900.04 + 505.90), yet `check` gave a 5-day statement-gap, and
`quiet_days: 9` was accepted and ignored (capped at three). So HSBC HK's daily CAMT.053
over Christmas: no statement 12-25..12-28, the 12-29 OPBD the 12-24 CLBD, a 4-day gap,
`quiet_days: 4` ignored."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from beancount import loader

from conftest import beanclear
from test_refund_orders import fund_bill
from beanclear.statements.coverage import Coverage

WECHAT = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  wechat: {type: wechat, currency: CNY, settlement_days: 400, fees: [{rate: 0.006}]}
"""
FESTIVAL = range(15, 20)   # 2026-02-15..19: no transaction, WeChat makes no bill


def _check(root) -> tuple[int, list[dict]]:
    result = beanclear(root, "check", "--format", "json")
    return result.exit_code, json.loads(result.output)["findings"]


def wechat_merchant(root, missing=(), config=WECHAT, step_on=None):
    """WeChat fund bills of 2026-02-10..24 but the Spring Festival's (FESTIVAL), a payment
    of 100.00 (fee 0.60) a day, nothing withdrawn: the 账户结余 grows by 99.40 a day and
    carries on across the festival. `missing`: days (with payments) whose bill is not
    imported; `step_on`: a day whose first balance is 50.00 more than the rows before it
    make (a row the books never saw)."""
    (root / "config.yaml").write_text(config, encoding="utf-8")
    held = 0
    for d in range(10, 25):
        if d in FESTIVAL:
            continue
        if d == step_on:
            held += 5000
        order = 1000 + d
        held += 10000
        pay = f"2026-02-{d:02d} 10:00:00,42000{order},F{order}a,交易,交易,收入,100.00,{held / 100:.2f},系统,,{order}"
        held -= 60
        fee = f"2026-02-{d:02d} 10:00:00,42000{order},F{order}b,扣除交易手续费,扣除交易手续费,支出,0.60,{held / 100:.2f},系统,,{order}"
        if d not in missing:
            fund_bill(root / "bills" / f"fundflow-2026-02-{d:02d}.csv", [pay, fee])
    assert beanclear(root, "import", str(root / "bills")).exit_code == 0
    return _check(root)


def test_wechats_spring_festival_without_bills_is_quiet_where_its_balance_carries_on(tmp_path):
    assert wechat_merchant(tmp_path) == (0, [])


def test_the_festival_is_quiet_with_quiet_days_set_too(tmp_path):
    config = WECHAT.replace("settlement_days: 400,", "settlement_days: 400, quiet_days: 9,")
    assert wechat_merchant(tmp_path, config=config) == (0, [])


def test_a_day_with_payments_missing_before_the_festival_is_still_a_gap(tmp_path):
    # the bill of 02-14 (a payment) is not in: the balance steps across 02-14..19 by 99.40
    code, findings = wechat_merchant(tmp_path, missing=(14,))
    assert [(f["code"], f["source"], f["date"]) for f in findings] == [("statement-gap", "wechat", "2026-02-14")], \
        findings
    assert findings[0]["severity"] == "error" and code == 1, findings
    assert "quiet_days" not in findings[0]["message"]   # its rows are missing: no setting makes the days quiet


def test_a_balance_that_steps_across_the_festival_is_a_gap_whatever_quiet_days_says(tmp_path):
    config = WECHAT.replace("settlement_days: 400,", "settlement_days: 400, quiet_days: 9,")
    code, findings = wechat_merchant(tmp_path, config=config, step_on=20)
    assert [(f["code"], f["source"], f["date"]) for f in findings] == [("statement-gap", "wechat", "2026-02-15")], \
        findings
    assert "50.00 CNY more" in findings[0]["message"] and code == 1, findings[0]["message"]


CAMT = """\
books: books
currency: USD
timezone: Asia/Hong_Kong
banks:
  hsbc: {type: camt053, account: Assets:Bank:HSBC:USD, currency: USD}
rules:
  - {match: "STRIPE", account: Income:Stripe}
"""


def camt_day(day: str, opening: str, amount: str | None, closing: str) -> str:
    """HSBC HK's CAMT.053 of one business day: FrToDt of the day, OPBD and CLBD, one credit."""
    bal = lambda kind, value: (f'<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{value}</Amt>'
                               f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n")
    entry = (f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt>'
             f"</BookgDt><AcctSvcrRef>R{day}</AcctSvcrRef><AddtlNtryInf>STRIPE PAYOUT</AddtlNtryInf></Ntry>\n") if amount else ""
    return ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n<BkToCstmrStmt><GrpHdr><MsgId>M'
            f"{day}</MsgId></GrpHdr>\n<Stmt><Id>S{day}</Id><FrToDt><FrDtTm>{day}T00:00:00+08:00</FrDtTm><ToDtTm>{day}"
            f"T23:59:59+08:00</ToDtTm></FrToDt><Acct><Id><Othr><Id>848123456838</Id></Othr></Id><Ccy>USD</Ccy></Acct>\n"
            + bal("OPBD", opening) + bal("CLBD", closing) + entry + "</Stmt></BkToCstmrStmt></Document>\n")


def camt_merchant(root, monkeypatch, days, config=CAMT, step: str = "0.00"):
    """HSBC's CAMT of each of `days` (of December 2025), a credit of 10.00 each; `step`: how
    much the 12-29 statement opens above the 12-24 close."""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2025-12-31")
    (root / "config.yaml").write_text(config, encoding="utf-8")
    (root / "st").mkdir()
    balance = 1000.00
    for d in days:
        if d == 29:
            balance += float(step)
        day = f"2025-12-{d:02d}"
        (root / "st" / f"camt053_{day}.xml").write_text(camt_day(day, f"{balance:.2f}", "10.00", f"{balance + 10:.2f}"),
                                                         encoding="utf-8")
        balance += 10
    assert beanclear(root, "import", str(root / "st")).exit_code == 0
    return _check(root)


CHRISTMAS = (22, 23, 24, 29, 30)   # 12-25, -26 HK public holidays, 27-28 a weekend


def test_a_banks_daily_camt_over_a_long_holiday_is_quiet_where_its_opening_is_the_last_close(tmp_path, monkeypatch):
    assert camt_merchant(tmp_path, monkeypatch, CHRISTMAS) == (0, [])


def test_a_banks_daily_camt_that_opens_off_the_last_close_after_a_holiday_is_a_gap(tmp_path, monkeypatch):
    code, findings = camt_merchant(tmp_path, monkeypatch, CHRISTMAS, step="25.00")
    assert [(f["code"], f["source"], f["date"]) for f in findings] == [("statement-gap", "hsbc", "2025-12-25")], \
        findings
    assert "quiet_days" not in findings[0]["message"], findings[0]["message"]


def _cover(days, config=None, stated=True) -> Coverage:
    """Coverage of source `src`'s statements of one day each (`days`), no balance."""
    said = "" if stated else '  period: "lines"\n'
    entries, errors, _ = loader.load_string("".join(f'{d} custom "beanclear-coverage" "src" {d}\n{said}' for d in days))
    assert not errors
    return Coverage.of(entries, config)


def test_quiet_days_holds_as_it_says_beside_statements_of_one_day():
    # WeChat's trade bills alone (no balance): a bill of each day with transactions
    day = lambda d: dt.date(2026, 2, d)
    bills = [day(d) for d in range(10, 25) if d not in FESTIVAL]
    config = lambda n: SimpleNamespace(channels={"src": SimpleNamespace(quiet_days=n)})
    assert _cover(bills).holes("src") == [(day(15), day(19))]
    assert _cover(bills, config(9)).holes("src") == []
    assert _cover(bills, config(4)).holes("src") == [(day(15), day(19))]
    assert _cover(bills).maybe_quiet("src", day(15), day(19))   # the gap names the setting


def test_quiet_days_past_three_between_statements_of_several_days_each_says_it_holds_three(tmp_path, monkeypatch):
    # WeChat personal bills stating 10-01..10-02 and 10-07..10-10 (no balance): each says
    # its days, quiet ones too; `quiet_days: 9` holds up to three between them, and the gap says so
    from test_stated_holes import CONFIG, _merchant
    config = CONFIG.replace("    bank: cmb\n", "    bank: cmb\n    quiet_days: 9\n")
    code, findings = _merchant(tmp_path, monkeypatch, [3, 4, 5, 6], config)
    [gap] = [f for f in findings if f["code"] == "statement-gap"]
    assert gap["message"].startswith("no statement of wechat_me covers 2026-10-03 to 2026-10-06 (4 days; "
                                     "`channels.wechat_me.quiet_days: 9` holds up to 3 days between two statements "
                                     "that each state a period of more than a day"), gap["message"]


def test_close_before_a_stated_statements_month_end_names_the_statement_that_would_reach_it(tmp_path, monkeypatch):
    # blind23 (newcomer): `close` of a month whose CAMT.053 ends on the 22nd said the statements
    # end before the month's end and nothing of what would reach it (README "close": the
    # next statement, or quiet_days; a statement stating its period is quiet to its end only)
    camt_merchant(tmp_path, monkeypatch, (20, 21, 22))
    result = beanclear(tmp_path, "close", "2025-12")
    assert result.exit_code == 1, result.output
    assert ("statement-gap 2025-12-22 hsbc: the statements of hsbc end 2025-12-22, before the month's end "
            "(2025-12-31): import its statement that reaches 2025-12-31") in result.output, result.output
