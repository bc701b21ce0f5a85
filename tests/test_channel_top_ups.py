"""A top-up of a channel from the bank: PayPal's "Bank Deposit to PP Account" (money from
the bank into PayPal, booked transit -> clearing) and the bank's debit naming PayPal,
which banking.explaining_account books to the same transit account, where the clearing
check pairs them (tests/test_checks.py has the pairing over inline ledgers). A personal
wallet's top-up from its card meets the bank's debit in its clearing account instead."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader
from beancount.core import data

from beanclear.importers.banking import explaining_account
from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  paypal: {type: paypal, currency: USD, settlement_days: 1, bank: ops, bank_days: 3, date_format: "%m/%d/%Y"}
  wallet: {type: alipay-personal, currency: USD, bank: ops}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: USD
    columns: {date: Date, amount: Amount, memo: Memo, payee: Payee, ref: Ref, balance: Balance}
rules:
  - match: "RENT|PAYPAL FEE INVOICE"
    account: Expenses:Rent
  - match: "Supplier"
    account: Expenses:Packaging
"""


def test_a_bank_debit_naming_a_channel_goes_to_its_transit_account(make_config):
    cfg = make_config(CONFIG)
    assert explaining_account(cfg, "ops", Decimal("-150.00"), "PAYPAL INST XFER") == "Assets:Transit:PayPal"
    # as a credit naming it does, before the rules (as a credit's does)
    assert explaining_account(cfg, "ops", Decimal("150.00"), "PAYPAL TRANSFER") == "Assets:Transit:PayPal"
    assert explaining_account(cfg, "ops", Decimal("-5.00"), "PAYPAL FEE INVOICE") == "Assets:Transit:PayPal"
    # a debit naming a personal wallet is still a payment through it, from its clearing
    assert explaining_account(cfg, "ops", Decimal("-9.00"), "支付宝 PAYPAL") == "Assets:Clearing:Wallet"
    # debits that name no channel: as before, a rule or suspense
    assert explaining_account(cfg, "ops", Decimal("-500.00"), "OFFICE RENT") == "Expenses:Rent"
    assert explaining_account(cfg, "ops", Decimal("-80.00"), "ACME LTD") == "Assets:Suspense"
    # nor does a line of another bank than the channel's name it
    assert explaining_account(cfg, "other", Decimal("-150.00"), "PAYPAL INST XFER") == "Assets:Suspense"


ACTIVITY = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",\
"To Email Address","Transaction ID","Item Title","Reference Txn ID","Invoice Number","Balance","Balance Impact"
"01/07/2026","12:00:00","EST","Supplier Co","Express Checkout Payment","Completed","USD","-150.00","0.00",\
"-150.00","shop@example.com","sales@supplier.example","1AA00000000000004","Packaging","","SUP-88","-150.00","Debit"
"01/07/2026","12:00:00","EST","","Bank Deposit to PP Account ","Pending","USD","150.00","0.00","150.00","",\
"shop@example.com","1AA00000000000005","","1AA00000000000004","","0.00","Credit"
"""
BANK = ["Date,Ref,Memo,Payee,Amount,Balance", "2026-01-02,B1,OFFICE RENT,REGUS,-500.00,1500.00",
        "2026-01-09,B2,PAYPAL INST XFER,PAYPAL,-150.00,1350.00", "2026-01-20,B3,OFFICE RENT,REGUS,-500.00,850.00"]


def merchant(tmp_path, bank=BANK):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "paypal.csv").write_text(ACTIVITY, encoding="utf-8")
    (statements / "bank.csv").write_text("\n".join(bank) + "\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    return tmp_path


def findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return [(f["code"], f["refs"]) for f in report["findings"]]


def test_a_paypal_top_up_and_the_banks_debit_two_days_later_meet(tmp_path):
    # Before, the bank's debit went to Assets:Suspense (bank-unmatched) and PayPal's
    # bank deposit was called unanswered too: two findings, although both sides were there.
    folder = merchant(tmp_path)
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    [debit] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == "B2"]
    assert [p.account for p in debit.postings] == ["Assets:Bank:Ops", "Assets:Transit:PayPal"]
    assert findings(folder) == []


def test_a_paypal_top_up_the_bank_never_debited_is_one_finding(tmp_path):
    folder = merchant(tmp_path, [BANK[0], BANK[1], BANK[3].replace("850.00", "1000.00")])
    assert findings(folder) == [("bank-unmatched", ["1AA00000000000005"])]


def test_the_months_report_shows_a_top_up_the_bank_never_debited_with_its_day_and_id(tmp_path):
    # blind round 16: its own payout- link took it for a late credit of a payout before the
    # days the report reads entry by entry, "held since before" a day before the books
    folder = merchant(tmp_path, [BANK[0], BANK[1], BANK[3].replace("850.00", "1000.00")])
    report = json.loads(beanclear(folder, "report", "2026-01", "--format", "json").output)
    [held] = report["banks"][0]["in_transit"]
    assert (held["kind"], held["amount"], held["refs"][0]) == ("unexplained-transit", "-150.00", "1AA00000000000005")


# -- a personal wallet's top-up from its card --------------------------------------------------
# The bank's debit naming the wallet goes to the wallet's clearing account (a card paying
# through the wallet: banking.py); the wallet's 充值 row is booked there too, from the card
# into the balance (wallet.py), so the clearing check pairs the two as it pairs a card's
# purchase through the wallet with its debit.

WALLET_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  ali:
    type: alipay-personal
    settlement_days: 31
    bank: cmb
    bank_days: 2
    opening_balance: {date: 2026-02-28, amount: 300.00}
banks:
  cmb:
    type: csv
    account: Assets:Bank:CMB
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, credit: 收入金额, debit: 支出金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:
  - {match: "结息", account: Income:Interest}
  - {match: "美团|宜家", account: Equity:Owner:Drawings}
"""
ALI_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"
ALI_ROWS = ["2026-03-02 10:00:00,收入,小林,139****0001,收钱码收款,收入,58.00,,交易成功,2026030222001000000000001\t,,,",
            "2026-03-04 12:00:00,餐饮美食,美团外卖,waimai@meituan.com,美团外卖订单,支出,20.00,余额,交易成功,"
            "2026030422001000000000002\t,,,",
            "2026-03-06 09:00:00,转账,招商银行,6214****6688,充值-普通充值,不计收支,300.00,招商银行(6688),交易成功,"
            "2026030622001000000000003\t,,,",
            "2026-03-07 15:00:00,家居家装,宜家家居,ikea@example.com,宜家-收纳盒,支出,149.00,招商银行(6688),交易成功,"
            "2026030722001000000000004\t,,,"]
CMB_HEADER = "交易日期,摘要,对方户名,收入金额,支出金额,余额,交易流水号"
TOP_UP_DEBIT = "2026-03-06,支付宝充值,支付宝（中国）网络技术有限公司,,300.00,19701.00,CMB0002"
CARD_DEBIT = "2026-03-07,支付宝-宜家家居,支付宝（中国）网络技术有限公司,,149.00,19552.00,CMB0003"


def wallet_merchant(tmp_path, rows=ALI_ROWS, debits=(TOP_UP_DEBIT, CARD_DEBIT)):
    (tmp_path / "config.yaml").write_text(WALLET_CONFIG, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    (statements / "alipay.csv").write_bytes("\r\n".join([
        "------", "导出信息：", "支付宝账户：shop***@163.com", "起始时间：[2026-03-01 00:00:00]    终止时间：[2026-03-10 23:59:59]",
        f"共{len(rows)}笔记录", "", ALI_HEADER, *rows]).encode("gb18030"))
    balance, lines = Decimal("20001.00"), ["2026-03-01,结息,招商银行,1.00,,20001.00,CMB0001"]
    for debit in debits:
        balance -= Decimal(debit.split(",")[4])
        cells = debit.split(",")
        lines.append(",".join([*cells[:5], f"{balance:.2f}", cells[6]]))
    lines.append(f"2026-03-10,结息,招商银行,1.00,,{balance + 1:.2f},CMB0009")
    (statements / "bank.csv").write_text("\n".join([CMB_HEADER, *lines]) + "\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    return tmp_path


def clearing_balance(folder) -> Decimal:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert errors == []
    return sum((p.units.number for e in entries if isinstance(e, data.Transaction) for p in e.postings
                if p.account == "Assets:Clearing:Ali"), Decimal(0))


def test_a_wallet_top_up_and_a_card_payment_through_it_meet_the_banks_debits(tmp_path):
    # Both debits name Alipay: one is the 充值's, one the card's purchase through the
    # wallet. Each meets its wallet row in clearing, counted once: the balance is the
    # opening, the sale and the top-up less the purchase from the balance.
    folder = wallet_merchant(tmp_path)
    assert findings(folder) == []
    assert clearing_balance(folder) == Decimal("300.00") + 58 - 20 + 300


def test_a_wallet_top_up_the_bank_never_shows_and_a_debit_the_wallet_never_shows_are_two_findings(tmp_path):
    # The bank's 500.00 debit to Alipay on 03-03 that the bill never shows; the bill's
    # 300.00 top-up on 03-06 that the bank, covering 03-01..03-10, never shows.
    folder = wallet_merchant(tmp_path, debits=("2026-03-03,支付宝充值,支付宝（中国）网络技术有限公司,,500.00,,CMB0002",
                                               CARD_DEBIT))
    assert findings(folder) == [("bank-unmatched", ["CMB0002"]),
                                ("bank-unmatched", ["2026030622001000000000003"])]
    assert clearing_balance(folder) == Decimal("300.00") + 58 - 20 + 500   # the bank's word, until answered


def test_a_card_payment_with_a_red_packet_is_answered_by_the_smaller_debit(tmp_path):
    # `招商银行(6688)&红包`: the bill gives the whole 149.00, the card paid 140.00 of it
    rows = [*ALI_ROWS[:3], ALI_ROWS[3].replace("招商银行(6688)", "招商银行(6688)&红包")]
    folder = wallet_merchant(tmp_path, rows, (TOP_UP_DEBIT, CARD_DEBIT.replace(",149.00,", ",140.00,")))
    assert findings(folder) == []


def test_a_wallet_top_up_paid_from_the_balance_moves_nothing(tmp_path, make_config):
    # (a neutral 充值 whose method is the balance itself stays a row that moves nothing)
    from beanclear.importers import alipay_personal
    cfg = make_config(WALLET_CONFIG)
    (tmp_path / "a.csv").write_bytes("\r\n".join(["------", "共1笔记录", "", ALI_HEADER, ALI_ROWS[2].replace(
        "招商银行(6688)", "余额")]).encode("gb18030"))
    out = alipay_personal.Importer(cfg.channels["ali"], cfg).parse(str(tmp_path / "a.csv"))
    assert out.entries == [] and list(out.skipped) == ["充值-普通充值 (moves money within Assets:Clearing:Ali)"]
