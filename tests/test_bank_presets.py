"""Banks known by name (`type: icbc | cmb | boc | hsbc-hk | td`) as presets of the bank
CSV importer: golden files over the real samples, totals per currency, balances per
currency, a file without a header, ICBC's 交易 vs 记账 amounts and its 合计 lines (a file
written from FORMATS.md §7a: no public ICBC sample could be copied), config overrides,
bad input."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.config import ConfigError
from beanclear.importers import bank_csv
from beanclear.importers.toolkit import StatementError, clean, parse_amount, read_text
from channel_util import totals
from conftest import GOLDEN, sample
from golden_util import assert_golden, extraction_text
from statement_files import ICBC_ROWS, icbc_row, icbc_statement

CONFIG = """\
channels:
  alipay_me: {type: alipay-personal, bank: boc}
  alipay: {type: alipay, bank: icbc}
banks:
  icbc: {type: icbc, account: Assets:Bank:ICBC}
  cmb: {type: cmb, account: Assets:Bank:CMB}
  boc: {type: boc, account: Assets:Bank:BOC}
  hsbc: {type: hsbc-hk, account: Assets:Bank:HSBC}
  td: {type: td, account: Assets:Bank:TD}
  dcu:                                  # any other bank: its columns named in the config
    type: csv
    account: Assets:Bank:DCU
    currency: USD
    date_format: "%m/%d/%Y"
    columns: {date: DATE, amount: AMOUNT, memo: DESCRIPTION, ref: ID, balance: CURRENT BALANCE}
rules:
  - {match: "置业|ELECTRICITY", account: Expenses:Rent}
"""
SAMPLES = {"cmb": "deg-cmb-debit.csv", "boc": "deg-boc-debit.csv", "hsbc": "deg-hsbchk-debit.csv",
           "td": "deg-td-noheader.csv", "dcu": "reds-dcu-checking.csv"}


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def extract(cfg, bank, path):
    importer = bank_csv.Importer(cfg.banks[bank], cfg)
    claims = [name for name, b in cfg.banks.items() if bank_csv.Importer(b, cfg).identify(str(path))]
    assert claims == [bank]     # identified by content, and by no other bank of the config
    return importer.parse(str(path))


@pytest.mark.parametrize("bank", SAMPLES)
def test_golden(cfg, bank):
    extraction = extract(cfg, bank, sample("bank_csv", SAMPLES[bank]))
    assert_golden(extraction_text(extraction), GOLDEN / "bank_csv" / f"{SAMPLES[bank]}.beancount")


# The files state no totals: the books must hold the sum of their rows, per currency,
# computed here straight from the CSV text.
# bank: (amount column, header row or None, debit column, credit column, currency column)
ROW_SUMS = {"cmb": (2, 0, None, None, "货币"), "boc": (3, 1, None, None, "币别"),
            "hsbc": (2, 0, None, None, "Billing currency"), "td": (None, None, 2, 3, None),
            "dcu": (3, 0, None, None, None)}


@pytest.mark.parametrize("bank", SAMPLES)
def test_books_hold_the_sum_of_the_rows_per_currency(cfg, bank):
    path = sample("bank_csv", SAMPLES[bank])
    amount_at, header_at, debit_at, credit_at, currency_col = ROW_SUMS[bank]
    rows = [r for r in csv.reader(io.StringIO(read_text(path)), strict=False) if any(c.strip() for c in r)]
    header = rows[header_at] if header_at is not None else None
    rows = rows[header_at + 1:] if header_at is not None else rows
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        currency = cfg.banks[bank].currency
        if currency_col:
            currency = {"人民币": "CNY"}.get(clean(row[header.index(currency_col)]), clean(row[header.index(currency_col)]))
        if amount_at is not None:
            expected[currency] += parse_amount(row[amount_at], "f", 0, "x")
        else:
            expected[currency] += parse_amount(row[credit_at] or "0", "f", 0, "x") - parse_amount(row[debit_at] or "0",
                                                                                                  "f", 0, "x")
    extraction = extract(cfg, bank, path)
    assert extraction.rows == len(rows) and not extraction.skipped
    assert totals(extraction.entries, cfg.banks[bank].account) == dict(expected)


def test_hsbc_running_balances_are_asserted_per_currency(cfg):
    entries = extract(cfg, "hsbc", sample("bank_csv", SAMPLES["hsbc"])).entries
    closing = {(str(e.date), e.amount.currency): e.amount.number for e in entries if isinstance(e, data.Balance)}
    assert closing[("2025-03-13", "CNY")] == Decimal("12500.00")
    assert closing[("2025-03-25", "HKD")] == Decimal("3612.17")   # the later of the two 24/03 lines


def test_boc_time_column_and_placeholders(cfg):
    first = extract(cfg, "boc", sample("bank_csv", SAMPLES["boc"])).entries[0]
    assert (str(first.date), first.meta["time"], first.payee, first.narration) == \
        ("2025-08-22", "17:57:17", "张三", "无卡支付")   # 附言 `----------` is no text


def test_wallet_payments_on_the_card_meet_the_wallet_rows_in_clearing(cfg):
    entries = extract(cfg, "boc", sample("bank_csv", SAMPLES["boc"])).entries
    by_time = {e.meta["time"]: {p.account for p in e.postings} for e in entries if isinstance(e, data.Transaction)}
    assert "Assets:Clearing:AlipayMe" in by_time["12:24:20"]   # 网上快捷支付 支付宝-李四: paid through Alipay
    assert "Assets:Transit:AlipayMe" in by_time["16:10:21"]    # 支付宝余额提现: a withdrawal arriving
    assert "Assets:Suspense" in by_time["17:57:17"]


# -- ICBC ---------------------------------------------------------------------------------

@pytest.mark.parametrize("v1", [False, True], ids=["with 交易详情 and 对方账户", "older layout"])
def test_icbc_golden_and_its_total_lines(cfg, tmp_path, v1):
    extraction = extract(cfg, "icbc", icbc_statement(tmp_path, v1=v1))
    assert extraction.notes == []   # 人民币合计: credits 124.25, debits 122.50, as the rows
    assert_golden(extraction_text(extraction), GOLDEN / "bank_csv" / "icbc-mingxi.beancount")


def test_icbc_books_the_booked_amount_and_keeps_the_transaction_amount(cfg, tmp_path):
    entries = extract(cfg, "icbc", icbc_statement(tmp_path)).entries
    card = next(e for e in entries if e.payee == "AMAZON WEB SERVICES")
    assert card.meta["original-amount"] == "-10.00 USD"
    assert {p.account: p.units for p in card.postings}["Assets:Bank:ICBC"].to_string() == "-72.50 CNY"
    payout = next(e for e in entries if e.narration == "支付宝提现")
    assert {p.account for p in payout.postings} == {"Assets:Bank:ICBC", "Assets:Transit:Alipay"}


def test_icbc_total_line_disagreeing_is_a_note(cfg, tmp_path):
    notes = extract(cfg, "icbc", icbc_statement(tmp_path, totals=("124.25", "150.00"))).notes
    assert notes == ["summary line says CNY debits 150.00; the rows add up to CNY debits 122.50 "
                     "(rows missing from the file?)"]


@pytest.mark.parametrize("row, message", [
    (icbc_row("2026-03-04", "转账", "", "", "10.00", "50.00", "1.75", "x"), "both 记账金额(收入) and 记账金额(支出) are filled"),
    # (a row without an amount whose balance a row next to it has is a balance line: bank_csv)
    (icbc_row("2026-03-04", "转账", "", "", "", "", "9.75", "x"), "expected an amount in 记账金额(收入) or 记账金额(支出)"),
    (icbc_row("2026-03-04", "转账", "", "", "", "5O.00", "1.75", "x"), "column 记账金额(支出): expected an amount"),
    (icbc_row("2026-03-04", "转账", "", "", "", "50.00", "1.75", "x").replace("人民币", "金币"),
     "column 记账币种: expected a currency code like CNY or a name like 人民币, got '金币'"),
    (icbc_row("04/03/2026", "转账", "", "", "", "50.00", "1.75", "x"), "column 交易日期: expected a date"),
])
def test_icbc_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, "icbc", icbc_statement(tmp_path, rows=[row, *ICBC_ROWS]))
    assert str(caught.value).startswith(f"{tmp_path / 'icbc.csv'}:8: {message}")


# -- config: presets, overrides, positions ------------------------------------------------

def test_a_preset_needs_no_columns_and_explicit_ones_override(make_config):
    cfg = make_config("banks:\n  icbc: {type: icbc, account: Assets:Bank:ICBC}\n"
                      "  cmb:\n    type: cmb\n    account: Assets:Bank:CMB\n    date_format: '%Y/%m/%d'\n"
                      "    columns: {debit: 支出, credit: 收入, payee: 对方户名称}\n")
    assert cfg.banks["icbc"].columns["credit"] == "记账金额(收入)" and cfg.banks["icbc"].date_format == "%Y-%m-%d"
    cmb = cfg.banks["cmb"]
    assert (cmb.columns["payee"], cmb.columns["debit"], cmb.date_format) == ("对方户名称", "支出", "%Y/%m/%d")
    assert "amount" not in cmb.columns and cmb.columns["balance"] == "联机余额"
    assert make_config("banks:\n  td: {type: td, account: Assets:Bank:TD}\n").banks["td"].currency == "CAD"


def test_header_less_csv_by_column_positions(make_config, tmp_path):
    cfg = make_config("banks:\n  plain:\n    type: csv\n    account: Assets:Bank:Plain\n    date_format: '%d.%m.%Y'\n"
                      "    columns: {date: 1, amount: 3, memo: 2}\n")
    path = tmp_path / "plain.csv"
    path.write_text("01.03.2026,Miete,-500.00\n02.03.2026,Zins,1.25\n\n", encoding="utf-8")
    extraction = bank_csv.Importer(cfg.banks["plain"], cfg).parse(str(path))
    assert [e.narration for e in extraction.entries] == ["Miete", "Zins"]
    path.write_text("01.03.2026,Miete\n", encoding="utf-8")
    with pytest.raises(StatementError, match=r"plain.csv:1: expected 3 cells as in the other rows, got 2"):
        bank_csv.Importer(cfg.banks["plain"], cfg).parse(str(path))


@pytest.mark.parametrize("text, message", [
    ("banks:\n  b: {type: csv, account: Assets:B, columns: {date: 1, amount: 金额}}\n",
     "banks.b.columns: expected header names or column positions, got both"),
    ("banks:\n  b: {type: csv, account: Assets:B, columns: {date: 0, amount: 2}}\n",
     "banks.b.columns.date: expected a header name, or a column position 1, 2, …, got 0"),
    ("banks:\n  b: {type: icbcc, account: Assets:B}\n", 'banks.b.type: expected one of csv'),
    ("channels:\n  w: {type: wechat, sales: [{item: x}]}\n", "channels.w.sales: only a personal wallet"),
    ("channels:\n  w: {type: wechat-personal, sales: [{}]}\n",
     "channels.w.sales[0]: expected at least one of category, counterparty, item"),
    ("channels:\n  w: {type: wechat-personal, sales: [{payee: x}]}\n", "channels.w.sales[0].payee: unknown key"),
    ("channels:\n  a: {type: alipay-personal, trades_from: fund-ledger}\n", "channels.a.trades_from: only an alipay"),
    ("channels:\n  a: {type: alipay, trades_from: both}\n", "channels.a.trades_from: expected one of trade-detail"),
    ("channels:\n  a: {type: alipay, accounts: {savings: Assets:Yuebao}}\n", "channels.a.accounts.savings: unknown key"),
])
def test_config_errors_name_the_key(make_config, text, message):
    with pytest.raises(ConfigError) as caught:
        make_config(text)
    assert message in str(caught.value)


def test_wallet_accounts_are_opened_only_for_wallets(make_config):
    cfg = make_config("channels:\n  alipay: {type: alipay}\n  alipay_me:\n    type: alipay-personal\n"
                      "    accounts: {credit: Liabilities:Huabei}\n")
    accounts = cfg.accounts()
    assert "Liabilities:Huabei" in accounts and "Assets:Savings:AlipayMe" in accounts
    assert not any(a.endswith(":Alipay") and ("Savings" in a or "Credit" in a) for a in accounts)


# 招商银行信用卡对账单 (deb-sig's example/cmb/credit shape): MM/DD dates, the year only in
# the title; repayments negative, spending positive; GBK as the bank sends it.
CMB_CREDIT = """招商银行信用卡对账单（个人消费卡账户 2024年01月）
交易日,记账日,交易摘要,人民币金额,卡号末四位,交易地金额
,12/30,掌上生活还款,-300.00,1234,-300.00
12/31,01/02,某某超市,"1,000.50",1234,"1,000.50(CN)"
"""


def test_cmb_credit_dates_take_their_year_from_the_statement_month(make_config, tmp_path):
    cfg = make_config("banks:\n  card: {type: cmb-credit, account: Liabilities:CMB:Card}\n")
    path = tmp_path / "cmb-credit.csv"
    path.write_bytes(CMB_CREDIT.encode("gb18030"))
    ex = extract(cfg, "card", path)
    got = [(str(t.date), t.narration, t.postings[0].account, t.postings[0].units.number)
           for t in ex.entries if isinstance(t, data.Transaction)]
    assert got == [("2023-12-30", "掌上生活还款", "Liabilities:CMB:Card", Decimal("300.00")),   # December: 2023
                   ("2024-01-02", "某某超市", "Liabilities:CMB:Card", Decimal("-1000.50"))]


def test_cmb_credit_without_a_statement_month_is_refused(make_config, tmp_path):
    cfg = make_config("banks:\n  card: {type: cmb-credit, account: Liabilities:CMB:Card}\n")
    path = tmp_path / "cmb-credit.csv"
    path.write_text(CMB_CREDIT.split("\n", 1)[1], encoding="utf-8")   # the title line cut off
    with pytest.raises(StatementError) as err:
        bank_csv.Importer(cfg.banks["card"], cfg).parse(str(path))
    assert str(err.value) == (f"{path}:2: column 记账日: '12/30' has no year, and no statement month (like "
                              "2024年01月) was found above the header to take it from")


# 交通银行信用卡 (deb-sig's example/bocom_credit shape): `CNY 123.18`, unsigned; the first word
# of 交易说明 says which way the money went.
BOCOM_CREDIT = """交易日期,记账日期,交易说明,交易币种/金额,入账币种/金额
2025-01-10,2025-01-10,退货 支付宝-滴滴顺风车,CNY 123.18,CNY 123.18
2025-01-29,2025-01-29,信用卡还款 转账还款-哈哈 6666,CNY 666.60,CNY 666.60
2025-01-11,2025-01-12,消费 美团,CNY 2.99,CNY 2.99
"""


def bocom_credit(make_config, tmp_path, text):
    cfg = make_config("banks:\n  card: {type: bocom-credit, account: Liabilities:BOCOM:Card}\n")
    path = tmp_path / "bocom-credit.csv"
    path.write_bytes(text.encode("gb18030"))
    return path, extract(cfg, "card", path)


def test_bocom_credit_signs_by_the_first_word_of_the_description(make_config, tmp_path):
    _, ex = bocom_credit(make_config, tmp_path, BOCOM_CREDIT)
    got = [(str(t.date), t.postings[0].units.number, t.postings[0].units.currency)
           for t in ex.entries if isinstance(t, data.Transaction)]
    assert got == [("2025-01-10", Decimal("123.18"), "CNY"),    # 退货: back to the card
                   ("2025-01-29", Decimal("666.60"), "CNY"),    # 信用卡还款: paid back
                   ("2025-01-12", Decimal("-2.99"), "CNY")]     # 消费: spent


def test_bocom_credit_unknown_first_word_is_refused(make_config, tmp_path):
    with pytest.raises(StatementError) as err:
        bocom_credit(make_config, tmp_path, BOCOM_CREDIT.replace("消费 美团", "分期 美团"))
    assert str(err.value) == (f"{tmp_path / 'bocom-credit.csv'}:4: column 交易说明: expected a line starting with "
                              "消费, 退货, 信用卡还款, got '分期 美团'")


def test_an_icbc_statement_of_another_card_is_refused(tmp_path):
    # a blind helper's ICBC export of another card (its preamble's 卡号) went into the books
    # without a word: the preamble states the account, as an MT940's :25: does
    from click.testing import CliRunner
    from beanclear import cli
    (tmp_path / "config.yaml").write_text("currency: CNY\nbooks: books\nbanks:\n"
                                          "  icbc: {type: icbc, account: Assets:Bank:ICBC}\n", encoding="utf-8")
    mine = icbc_statement(tmp_path, name="mine.csv")
    other = icbc_statement(tmp_path, name="other.csv")
    other.write_bytes(other.read_bytes().replace("卡号: 6222****1234".encode("gb18030"),
                                                 "卡号: 6222****9999".encode("gb18030")))
    run = lambda *args: CliRunner().invoke(cli.main, [args[0], "-c", str(tmp_path / "config.yaml"), *args[1:]])
    assert run("import", str(mine)).exit_code == 0
    refused = run("import", str(other))
    assert refused.exit_code == 2
    assert "a statement of account 6222****9999, but the books hold icbc's statements of 6222****1234" in refused.output
