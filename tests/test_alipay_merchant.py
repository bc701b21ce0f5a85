"""Alipay merchant bills, 业务明细 (trade detail) and 账务明细 (fund ledger, CSV and the
Taobao-seller XLSX). No licensed sample exists: the statements are written by
statement_files.py from FORMATS.md §4. Golden files, footer totals, either file booking
the trades (never twice: tests/test_views.py), bad input, and the whole way through the command line:
Alipay payments, fees, a refund and a withdrawal that reaches ICBC, checked clean."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from beanclear.importers import alipay_fund, alipay_trade
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN, beanclear, snapshot
from golden_util import account_totals as totals, assert_golden, extraction_text
from statement_files import (FUND_FOOTER, TRADE_FOOTER, TRADE_ROWS, fund_ledger, fund_ledger_xlsx, fund_lines, fund_row,
                             fund_rows, fund_summary, icbc_statement, trade_detail, trade_row, trade_summary)

CONFIG = """\
books: books
channels:
  alipay:
    type: alipay
    account_id: "20880000000000000156"
    settlement_days: 1
    bank: icbc
    bank_days: 2
banks:
  icbc: {type: icbc, account: Assets:Bank:ICBC}
rules:
  - {match: "置业", account: Expenses:Rent}
  - {match: "AMAZON", account: Expenses:Hosting}
"""


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def extract(cfg, module, path):
    importer = module.Importer(cfg.channels["alipay"], cfg)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def test_trade_detail_golden_and_totals(cfg, tmp_path):
    extraction = extract(cfg, alipay_trade, trade_detail(tmp_path))
    assert extraction.notes == []   # #交易合计 and #退款合计 agree with the rows
    assert_golden(extraction_text(extraction), GOLDEN / "alipay_merchant" / "trade-detail.beancount")
    t = totals(extraction.entries)
    # 商家实收 145.00 - 20.00 refunded, less fees 0.87 - 0.12 returned; sales are the orders in full
    assert t == {"Assets:Clearing:Alipay": Decimal("124.25"), "Expenses:Fees:Alipay": Decimal("0.75"),
                 "Expenses:Discounts:Alipay": Decimal("5.00"), "Income:Sales:Alipay": Decimal("-130.00")}


def test_refund_key_is_trade_and_batch(cfg, tmp_path):
    refund = extract(cfg, alipay_trade, trade_detail(tmp_path)).entries[2]
    assert refund.meta["id"] == "2026030122001100001/RF1001-1"
    assert (refund.meta["refund-of"], refund.meta["refund-id"]) == ("2026030122001100001", "RF1001-1")
    assert refund.links == {"order-QF1001"}


def test_trade_footer_disagreeing_is_a_note(cfg, tmp_path):
    path = trade_detail(tmp_path, rows=TRADE_ROWS[:2])
    assert "退款 rows 1" in extract(cfg, alipay_trade, path).notes[0]


@pytest.mark.parametrize("name, new", [("20880000_20260301_账务明细.csv", False), ("new-header.csv", True)])
def test_fund_ledger_golden(cfg, tmp_path, name, new):
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path, name=name, new=new))
    assert extraction.notes == []   # #收入合计 and #支出合计 agree with the rows
    assert_golden(extraction_text(extraction), GOLDEN / "alipay_merchant" / "fund-ledger.beancount")


def test_fund_ledger_xlsx_reads_as_the_csv(cfg, tmp_path):
    csv = extract(cfg, alipay_fund, fund_ledger(tmp_path))
    xlsx = extract(cfg, alipay_fund, fund_ledger_xlsx(tmp_path))
    assert extraction_text(xlsx) == extraction_text(csv)


def test_fund_ledger_books_payments_fees_refunds_and_withdrawals(cfg, tmp_path):
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path))
    assert extraction.skipped == {}   # nothing left for the 业务明细 to book: it may never come
    payout = extraction.entries[0]
    assert payout.links == {"payout-310007"}
    fee = next(e for e in extraction.entries if e.meta["id"] == "310004")
    assert fee.meta["fee-of"] == "2026030122001100002" and fee.links == {"order-QF1002"}
    assert fee.meta["covers"] == "fee 2026030122001100002"   # the 业务明细 payment's fee
    returned = next(e for e in extraction.entries if e.meta["id"] == "310006")
    assert "fee-of" not in returned.meta and returned.meta["fee-back-of"] == "2026030122001100001"
    t = totals(extraction.entries)
    assert t["Assets:Clearing:Alipay"] == 0 and t["Expenses:Fees:Alipay"] == Decimal("0.75")
    assert t["Income:Sales:Alipay"] == Decimal("-125.00")   # net of the refund: no discount in the ledger
    closing = extraction.entries[-1]
    assert (closing.account, closing.amount.number, str(closing.date)) == ("Assets:Clearing:Alipay", Decimal("0.00"),
                                                                           "2026-03-02")


def test_trades_from_no_longer_decides_anything(make_config, tmp_path):
    old = make_config(CONFIG.replace("    bank_days: 2\n", "    bank_days: 2\n    trades_from: fund-ledger\n"))
    new = make_config(CONFIG)
    for module, path in ((alipay_fund, fund_ledger(tmp_path)), (alipay_trade, trade_detail(tmp_path))):
        assert extraction_text(extract(old, module, path)) == extraction_text(extract(new, module, path))


def test_other_fund_rows_follow_rules_or_suspense(cfg, tmp_path):
    rows = [fund_row("320002", "T2", "", "2026-03-02 09:00:00", "0.00", "-3000.00", "1000.00", "转账", "付房租",
                     item="清风置业有限公司"),
            fund_row("320001", "T1", "", "2026-03-02 08:00:00", "4000.00", "0.00", "4000.00", "充值", item="充值")]
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path, rows=rows,
                                                       footer=["#支出合计：1笔，共3000.00元", "#收入合计：1笔，共4000.00元"]))
    rent, top_up, _ = extraction.entries
    assert totals([rent]) == {"Expenses:Rent": Decimal("3000.00"), "Assets:Clearing:Alipay": Decimal("-3000.00")}
    assert totals([top_up]) == {"Assets:Suspense": Decimal("-4000.00"), "Assets:Clearing:Alipay": Decimal("4000.00")}


def test_a_charge_that_is_not_alipays_service_fee_follows_rules_else_the_fee_account(make_config, tmp_path):
    # 收费 rows of a seller's 运费险 (freight insurance) name the trade they insure in 备注:
    # a cost of their own, not Alipay's 服务费 of that trade (no fee-of, no covers).
    trade = "2026030122001100001"
    rows = [fund_row("330003", "YFX00000000000002", "QF1001", "2026-03-01 10:04:00", "0.00", "-0.60", "98.20", "收费",
                     f"淘宝运费险[{trade}]"),
            fund_row("330002", "YFX00000000000001", "QF1001", "2026-03-01 10:03:00", "0.00", "-0.60", "98.80", "收费",
                     f"运费险保费[{trade}]", item="卖家运费险"),
            fund_row("330001", trade, "QF1001", "2026-03-01 10:00:01", "0.00", "-0.60", "99.40", "收费",
                     f"服务费[{trade}]")]
    footer = ["#支出合计：3笔，共1.80元", "#收入合计：0笔，共0.00元"]
    cfg = make_config(CONFIG + '  - {match: "运费险保费", account: Expenses:Shipping:Insurance}\n')
    plain, insured, fee = extract(cfg, alipay_fund, fund_ledger(tmp_path, rows=rows, footer=footer)).entries[:3]
    assert fee.meta["fee-of"] == trade and fee.meta["covers"] == f"fee {trade}"
    assert totals([insured]) == {"Expenses:Shipping:Insurance": Decimal("0.60"), "Assets:Clearing:Alipay": Decimal("-0.60")}
    assert totals([plain]) == {"Expenses:Fees:Alipay": Decimal("0.60"), "Assets:Clearing:Alipay": Decimal("-0.60")}
    assert not {"fee-of", "covers"} & (set(insured.meta) | set(plain.meta))


@pytest.mark.parametrize("row, message", [
    (fund_row("1", "T", "", "2026-03-01 10:00:00", "5.00", "3.00", "2.00", "转账"),
     "both 收入金额 and 支出金额 are filled"),
    (fund_row("1", "T", "", "2026-03-01 10:00:00", "5.0x", "0.00", "5.00", "转账"),
     "column 收入金额（+元）: expected an amount"),
    (fund_row("1", "T", "", "2026/03/01 25:00", "5.00", "0.00", "5.00", "转账"), "column 发生时间: expected a date"),
    (fund_row("", "T", "", "2026-03-01 10:00:00", "5.00", "0.00", "5.00", "转账"), "column 账务流水号: expected"),
    (",".join(fund_row("1", "T", "", "2026-03-01 10:00:00", "5.00", "0.00", "5.00", "转账").split(",")[:8]),
     "expected 12 cells as in the header (line 5)"),
])
def test_fund_ledger_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, alipay_fund, fund_ledger(tmp_path, rows=[row], footer=FUND_FOOTER))
    assert str(caught.value).startswith(f"{tmp_path / '20880000_20260301_账务明细.csv'}:6: {message}")


@pytest.mark.parametrize("row, message", [
    (trade_row("2026", "Q", "撤销", "2026-03-01 10:00:00", "1.00", "1.00", "0.01"), "column 业务类型: unknown kind '撤销'"),
    (trade_row("2026", "Q", "退款", "2026-03-01 10:00:00", "1.00", "1.00", "0.01", batch="B"),
     "a 退款 row with 订单金额 1.00 and 商家实收 1.00 (expected negative amounts)"),
    (trade_row("2026", "Q", "退款", "2026-03-01 10:00:00", "-1.00", "-1.00", "0.00"), "column 退款批次号/请求号: expected"),
    (trade_row("2026", "Q", "交易", "2026-03-01 10:00:00", "1.00", "2.00", "0.01"), "商家实收 2.00 is more than 订单金额"),
    (trade_row("2026", "Q", "交易", "2026-03-01 10:00:00", "1.00", "1.00", "一分"), "column 服务费（元）: expected an amount"),
    # an importer whose id columns do not go through toolkit.whole_id: its entries' do (base.transaction)
    (trade_row("2.02603E+18", "Q", "交易", "2026-03-01 10:00:00", "1.00", "1.00", "0.01"),
     "id: '2.02603E+18' is an id Excel shortened to scientific notation (its digits are lost)"),
])
def test_trade_detail_bad_rows_name_file_and_line(cfg, tmp_path, row, message):
    with pytest.raises(StatementError) as caught:
        extract(cfg, alipay_trade, trade_detail(tmp_path, rows=[row]))
    assert str(caught.value).startswith(f"{tmp_path / '20880000_20260301_业务明细.csv'}:6: {message}")


def test_cut_off_trade_detail_says_so(cfg, tmp_path):
    extraction = extract(cfg, alipay_trade, trade_detail(tmp_path, footer=[]))
    assert extraction.notes == ["no #交易合计 / #退款合计 lines at the end (is the file cut off?)"]


def test_account_id_tells_two_merchant_accounts_apart(make_config, tmp_path):
    cfg = make_config("channels:\n  shop_a: {type: alipay, account_id: '20880000000000000156'}\n"
                      "  shop_b: {type: alipay, account_id: '20889999999999999999'}\n")
    path = fund_ledger(tmp_path)
    assert [n for n, ch in cfg.channels.items() if alipay_fund.Importer(ch, cfg).identify(str(path))] == ["shop_a"]


# -- the whole way: import, re-import, check ----------------------------------------------

@pytest.fixture
def merchant(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    trade_detail(statements)
    fund_ledger(statements)
    icbc_statement(statements)
    return tmp_path


def test_import_reimport_and_check_through_the_command_line(merchant):
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "业务明细.csv: alipay (alipay trade detail), 3 rows read, 3 entries written" in lines[0]
    # the 账务明细's payments, fees and refund are the 业务明细's: only its withdrawal and balance are new
    assert "账务明细.csv: alipay (alipay fund ledger), 7 rows read, 1 entries written, 6 already" in lines[1]
    assert "; balance assertions: 1 written" in lines[1]
    assert "icbc.csv: icbc (bank csv), 3 rows read, 3 entries written, 0 already in the books; balance " \
        "assertions: 3 written" in lines[2]
    before = snapshot(merchant / "books")
    again = beanclear(merchant, "import", str(merchant / "statements"))
    assert again.exit_code == 0 and again.output.count(" 0 entries written") == 3
    assert snapshot(merchant / "books") == before
    check = beanclear(merchant, "check", "--format", "json")
    report = json.loads(check.output)
    # Sales, fees and the refund clear against the withdrawal, the withdrawal reaches ICBC,
    # both running balances hold: the findings are the warning that 20 of 150 was refunded,
    # and that the card's conversion (AWS, 10.00 USD as 72.50 CNY) has no USD/CNY reference
    # rate to be judged by (fx._converted_by_the_bank; no rates are loaded)
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("refund-rate", "warning"),
                                                                         ("statement-gap", "warning")]
    assert "USD/CNY" in report["findings"][1]["message"]
    assert report["summary"]["errors"] == 0 and check.exit_code == 0


SUMS = {"账务": ("Alipay's 账务汇总, the summary that comes beside the 账务明细 in its download: it moves no money "
                "(it sums the 账务明细's rows); the 账务明细 is the statement to import"),
        "业务": ("Alipay's 业务汇总, the summary that comes beside the 业务明细 in its download: it moves no money "
                "(it sums the 业务明细's rows); the 业务明细 is the statement to import")}


def test_the_summary_beside_each_bill_is_left_out_of_a_folder_import_saying_what_it_is(merchant):
    # A blind tester's folder of the unzipped download, 明细 and 汇总: "(汇总).csv:1: no importer
    # recognises this file", and nothing was imported.
    statements, alone = merchant / "statements", merchant / "without-sums"
    shutil.copytree(statements, alone / "statements")
    (alone / "config.yaml").write_text(CONFIG, encoding="utf-8")
    assert beanclear(alone, "import", str(alone / "statements")).exit_code == 0
    sums = {"账务": fund_summary(statements), "业务": trade_summary(statements)}
    result = beanclear(merchant, "import", str(statements))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line for line in lines if "left out" in line] == [f"{path}: left out: {SUMS[kind]}"
                                                               for kind, path in sorted(sums.items(), key=lambda kv: kv[1])]
    assert len(lines) == 5 and sum(" entries written" in line for line in lines) == 3
    assert snapshot(merchant / "books") == snapshot(alone / "books")   # as if they were not there


@pytest.mark.parametrize("kind", ["账务", "业务"])
def test_a_summary_given_alone_is_refused_saying_what_it_is(merchant, kind):
    folder = merchant / "sums"
    folder.mkdir()
    path = (fund_summary if kind == "账务" else trade_summary)(folder)
    for given in (path, folder):
        result = beanclear(merchant, "import", str(given))
        assert result.exit_code == 2
        assert f"{path}:1: {SUMS[kind]}; nothing was written" in result.output
    assert not (merchant / "books").exists()


def test_a_file_titled_a_summary_that_holds_the_bills_header_is_the_bill(cfg, tmp_path):
    path = fund_ledger(tmp_path)
    path.write_bytes(path.read_bytes().replace("#支付宝账务明细查询".encode("gb18030"), "#支付宝账务汇总查询".encode("gb18030")))
    from beanclear.books.identify import summary_file
    assert summary_file(path) is None and extract(cfg, alipay_fund, path).rows == 7


def test_bad_statement_leaves_the_books_untouched(merchant):
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    bad = trade_detail(merchant / "statements", rows=[TRADE_ROWS[0].replace("100.00", "一百")], footer=TRADE_FOOTER,
                       name="bad_业务明细.csv")
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 2
    assert f"{bad}:6: column 订单金额（元）: expected an amount, got '一百'; nothing was written" in result.output
    assert snapshot(merchant / "books") == before


def test_fund_rows_of_other_kinds_are_not_lost(make_config, tmp_path):
    cfg = make_config(CONFIG)
    rows = fund_rows()
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path, rows=rows))
    assert extraction.rows == len(rows) == 7
    assert extraction.skipped == {} and len(extraction.entries) == 7 + 1   # and the closing balance


def test_a_taobao_orders_fee_and_payment_share_the_orders_link(cfg, tmp_path):
    # a blind helper's 账务明细 imported alone: 404 fee entries linked ^order-T200P<number>,
    # their payments ^order-<number> (Alipay writes a Taobao order as T200P<number>, FORMATS §8b)
    rows = [r.replace("QF1002", "T200P3505836012801434728") for r in fund_rows()]
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path, rows))
    fee = next(e for e in extraction.entries if e.meta["id"] == "310004")
    paid = next(e for e in extraction.entries if e.meta["id"] == "310003")
    assert fee.links == paid.links == {"order-3505836012801434728"}
    assert fee.meta["order-id"] == "T200P3505836012801434728"   # the id as the statement wrote it


def test_a_bank_account_renamed_in_the_config_only_is_said_before_anything_runs(merchant):
    # a blind helper renamed init's `Assets:Bank:CSV  # default: rename it` after the import:
    # check said nothing, the report showed no statement balance and settled 0.00
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    config = merchant / "config.yaml"
    config.write_text(CONFIG.replace("Assets:Bank:ICBC", "Assets:Bank:ICBC-Ops"), encoding="utf-8")
    for args in (("check",), ("import", str(merchant / "statements")), ("report", "2026-03")):
        result = beanclear(merchant, *args)
        assert result.exit_code == 2 and "banks.icbc.account: Assets:Bank:ICBC-Ops, but the books of icbc post to " \
            "Assets:Bank:ICBC (" in result.output and "remove books/ and import the statements again" in result.output
    assert snapshot(merchant / "books") == before
    config.write_text(CONFIG, encoding="utf-8")   # named back: as before
    assert beanclear(merchant, "check").exit_code == 0


@pytest.mark.parametrize("role, renamed", [("fees", "Expenses:Fees:Zhifubao"), ("clearing", "Assets:Alipay:Clearing"),
                                           ("transit", "Assets:Transit:Zhifubao")])
def test_a_channel_account_renamed_in_the_config_only_is_said_before_anything_runs(merchant, role, renamed):
    # a blind tester added `accounts: {fees: Expenses:Fees:Tenpay}` after the import: the
    # books' fees were under the old name, and check said 12 of 12 payments were charged
    # "about 0.00%" under the contract
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    old = f"{ {'fees': 'Expenses:Fees', 'clearing': 'Assets:Clearing', 'transit': 'Assets:Transit'}[role]}:Alipay"
    config = merchant / "config.yaml"
    config.write_text(CONFIG.replace("    bank_days: 2\n", f"    bank_days: 2\n    accounts: {{{role}: {renamed}}}\n"),
                      encoding="utf-8")
    for args in (("check",), ("import", str(merchant / "statements")), ("report", "2026-03")):
        result = beanclear(merchant, *args)
        assert result.exit_code == 2 and f"channels.alipay.accounts.{role}: {renamed}, but the books of alipay " \
            f"post to {old} (" in result.output and "remove books/ and import the statements again" in result.output
    assert snapshot(merchant / "books") == before
    # renamed in the books too (the README's advice): as before
    for path in (merchant / "books").rglob("*.beancount"):
        path.write_text(path.read_text(encoding="utf-8").replace(old, renamed), encoding="utf-8")
    assert beanclear(merchant, "check").exit_code == 0



def _month_file(merchant, source):
    return sorted((merchant / "books" / source).glob("*/*.beancount"))[-1]


def test_a_persons_own_entries_in_the_month_files_are_no_renamed_account(merchant):
    # a blind tester (121) wrote a counter sale to Income:Sales:Counter into WeChat's month
    # file: every command refused, "Rename Income:Sales:Counter to Income:Sales:WeChat",
    # though WeChat's own entries post to the shop's receivable, never to its sales account
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    channel, bank = _month_file(merchant, "alipay"), _month_file(merchant, "icbc")
    channel.write_text(channel.read_text(encoding="utf-8") + '\n2026-03-10 * "Cash sale at counter" "two cups"\n'
                       "  Assets:Bank:ICBC                       40.00 CNY\n"
                       "  Income:Sales:Counter                  -40.00 CNY\n"
                       "  Expenses:Fees:Counter                   0.00 CNY\n", encoding="utf-8")
    bank.write_text('2026-03-01 * "Petty cash" "float for the till"\n  ; from the safe\n'
                    "  Assets:Cash:Till                      500.00 CNY\n"
                    "  Assets:Bank:ICBC                     -500.00 CNY\n\n" + bank.read_text(encoding="utf-8"),
                    encoding="utf-8")
    with (merchant / "books" / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write("2026-01-01 open Income:Sales:Counter\n2026-01-01 open Expenses:Fees:Counter\n"
                "2026-01-01 open Assets:Cash:Till\n")
    result = beanclear(merchant, "check")
    assert "but the books of" not in result.output and result.exit_code != 2, result.output
    # a real rename is still said, though a person's entry posts to the new name
    config = merchant / "config.yaml"
    config.write_text(CONFIG.replace("    bank_days: 2\n", "    bank_days: 2\n    accounts: {fees: Expenses:Fees:Counter}\n"),
                      encoding="utf-8")
    result = beanclear(merchant, "check")
    assert result.exit_code == 2 and "channels.alipay.accounts.fees: Expenses:Fees:Counter, but the books of alipay " \
        "post to Expenses:Fees:Alipay (" in result.output
    config.write_text(CONFIG.replace("Assets:Bank:ICBC", "Assets:Cash:Till"), encoding="utf-8")
    result = beanclear(merchant, "check")
    assert result.exit_code == 2 and "banks.icbc.account: Assets:Cash:Till, but the books of icbc post to " \
        f"Assets:Bank:ICBC ({bank}:" in result.output, result.output

# -- a quiet day: a bill that states it holds no rows -----------------------------------

QUIET_TRADE = ["#交易合计：0笔，商家实收共0.00元，商家优惠共0.00元", "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元"]
QUIET_FUND = ["#支出合计：0笔，共0.00元", "#收入合计：0笔，共0.00元"]


def test_a_bill_that_states_no_rows_is_a_quiet_days_statement(cfg, tmp_path):
    # a daily 业务明细 of a day without trades was refused, "no rows below the header", and
    # took the good files of the same import down with it
    for module, path in ((alipay_trade, trade_detail(tmp_path, rows=[], footer=QUIET_TRADE)),
                         (alipay_fund, fund_ledger(tmp_path, rows=[], footer=QUIET_FUND))):
        extraction = extract(cfg, module, path)
        assert (extraction.rows, list(extraction.entries), extraction.notes) == (0, [], [])


@pytest.mark.parametrize("footer", [[], ["#交易合计：2笔，商家实收共145.00元，商家优惠共5.00元"],
                                    [QUIET_TRADE[0], "#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元"]])
def test_a_header_without_rows_nor_a_footer_saying_none_is_still_refused(cfg, tmp_path, footer):
    with pytest.raises(StatementError) as caught:
        extract(cfg, alipay_trade, trade_detail(tmp_path, rows=[], footer=footer))
    assert str(caught.value).startswith(f"{tmp_path / '20880000_20260301_业务明细.csv'}:5: no rows below the header")


def test_a_quiet_day_imports_beside_the_others_and_records_its_coverage(merchant):
    statements = merchant / "statements"
    quiet = trade_detail(statements, rows=[], footer=QUIET_TRADE, name="20880000_20260302_业务明细.csv")
    text = quiet.read_bytes().decode("gb18030")   # the next day's: 03-02 00:00 to 03-03 00:00
    quiet.write_bytes(text.replace("[2026年03月02日", "[2026年03月03日").replace("[2026年03月01日", "[2026年03月02日")
                      .encode("gb18030"))
    result = beanclear(merchant, "import", str(statements))
    assert result.exit_code == 0, result.output
    assert "20880000_20260302_业务明细.csv: alipay (alipay trade detail), 0 rows read, 0 entries written" in result.output
    books = "".join(p.read_text(encoding="utf-8") for p in (merchant / "books").rglob("*.beancount"))
    assert 'id: "coverage 2026-03-02 2026-03-02 without payouts ' in books
    assert 'statement: "20880000_20260302_业务明细.csv"' in books


# -- a download cut inside a day: the balance it ends at is of that moment, not the day's --------
# (blind8: a 账务明细 ending `终止日期：[2026年03月03日 14:00:00]` asserted its 14:00 balance as the
# day's close; the fuller download of the day restated it in one order only, and not at all where
# the 业务明细 had booked the afternoon's rows: a false Balance failed, books that differ by order)

def _cut_fund(folder, name, start, end, rows):
    lines = fund_lines(rows, [])   # (no footer: a note, no matter here)
    lines[2] = f"#起始日期：[{start}]   终止日期：[{end}]"
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _cut_pay(n, day, time, amount, fee, balance):
    trade = f"T000{n}"
    paid = str(Decimal(balance) + Decimal(fee))
    return [fund_row(f"F{n}a", trade, f"M{n}", f"2026-03-{day} {time}", amount, "", paid, "在线支付"),
            fund_row(f"F{n}b", trade, f"M{n}", f"2026-03-{day} {time}", "", fee, balance, "收费", f"服务费[{trade}]")]


CUT_ROWS = _cut_pay(1, "02", "10:00:00", "100.00", "0.60", "1099.40") + _cut_pay(2, "03", "10:00:00", "200.00", "1.20",
                                                                                    "1298.20")
NEXT_ROWS = _cut_pay(2, "03", "10:00:00", "200.00", "1.20", "1298.20") + _cut_pay(3, "03", "16:00:00", "50.00", "0.30",
                                                                                     "1347.90")


def cut_merchant(tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    st = tmp_path / "st"
    st.mkdir()
    _cut_fund(st, "cut_账务明细.csv", "2026年03月02日 00:00:00", "2026年03月03日 14:00:00", CUT_ROWS)
    _cut_fund(st, "next_账务明细.csv", "2026年03月03日 00:00:00", "2026年03月04日 00:00:00", NEXT_ROWS)
    trades = [trade_row(f"T000{n}", f"M{n}", "交易", f"2026-03-{day} {time}", amount, amount, fee)
              for n, day, time, amount, fee in ((1, "02", "10:00:00", "100.00", "0.60"),
                                                (2, "03", "10:00:00", "200.00", "1.20"),
                                                (3, "03", "16:00:00", "50.00", "0.30"))]
    trade_detail(st, rows=trades, footer=[], name="trade_业务明细.csv")
    return tmp_path


def test_a_fund_ledger_cut_inside_a_day_asserts_no_closing_balance_of_that_day(cfg, tmp_path):
    extraction = alipay_fund.Importer(cfg.channels["alipay"], cfg).read(
        str(cut_merchant(tmp_path) / "st" / "cut_账务明细.csv"))
    balances = [(str(e.date), str(e.amount.number)) for e in extraction.entries if type(e).__name__ == "Balance"]
    assert balances == [("2026-03-03", "1099.40")]   # 03-02 is whole; of 03-03 only its morning is in it
    assert any("ends 2026-03-03 14:00, inside that day" in note for note in extraction.notes), extraction.notes


@pytest.mark.parametrize("names", [("cut", "next"), ("cut", "trade", "next")])
def test_a_download_cut_inside_a_day_gives_the_same_books_in_every_order(tmp_path, names):
    import itertools
    books = {}
    for order in itertools.permutations(names):
        for together in (True, False):
            root = cut_merchant(tmp_path / f"{'-'.join(order)}-{together}")
            paths = [str(root / "st" / f"{name}_{'业务' if name == 'trade' else '账务'}明细.csv") for name in order]
            for batch in ([paths] if together else [[path] for path in paths]):
                result = beanclear(root, "import", *batch)
                assert result.exit_code == 0, result.output
            findings = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
            assert [f["message"] for f in findings if f["code"] == "beancount"] == [], (order, together)
            # the download of the whole day fills the cut one's afternoon: no day is a hole
            assert [f["message"] for f in findings if f["code"] == "statement-gap" and "covers" in f["message"]] \
                == [], (order, together)
            month = (root / "books" / "alipay" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
            assert "2026-03-04 balance Assets:Clearing:Alipay            1347.90 CNY" in month, (order, together)
            books[order, together] = snapshot(root / "books")
    first = next(iter(books.values()))
    assert [key for key, snap in books.items() if snap != first] == []


# (blind9: the cut download's coverage record counted 03-03 as covered; where the rest of the day
# never came, the next statement's balance failed and no statement-gap said why)
LATER_ROWS = _cut_pay(4, "04", "10:00:00", "100.00", "0.60", "1447.30")


def _gaps(root) -> tuple[list[dict], list[dict]]:
    findings = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    return ([f for f in findings if f["code"] == "statement-gap" and "covers" in f["message"]],
            [f for f in findings if f["code"] == "beancount"])


@pytest.mark.parametrize("order", [("cut", "later"), ("later", "cut")])
def test_the_rest_of_a_day_a_cut_download_leaves_out_is_a_hole_when_no_statement_brings_it(tmp_path, order):
    root = cut_merchant(tmp_path)
    _cut_fund(root / "st", "later_账务明细.csv", "2026年03月04日 00:00:00", "2026年03月05日 00:00:00", LATER_ROWS)
    for name in order:
        result = beanclear(root, "import", str(root / "st" / f"{name}_账务明细.csv"))
        assert result.exit_code == 0, result.output
    gaps, failed = _gaps(root)
    # the afternoon of 03-03 (T0003, 49.70 net) is in no statement: one gap naming the day, the
    # 03-05 balance that fails for it folded in
    assert [(g["date"], g["amount"]) for g in gaps] == [("2026-03-03", "49.70")], gaps
    assert gaps[0]["message"].startswith("no statement of alipay covers 2026-03-03, and its balance says 49.70 CNY "
                                         "more than the books hold from 2026-03-05 on"), gaps
    assert "1 balance assertion(s) of Assets:Clearing:Alipay from 2026-03-05 fail" in gaps[0]["message"]
    assert failed == [], failed
    month = (root / "books" / "alipay" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert 'id: "F2a"' in month   # the morning's rows the cut download holds are booked
    assert 'ends: "2026-03-03 14:00:00"' in month   # its record says where it stops inside its last day
    again = beanclear(root, "import", str(root / "st" / "cut_账务明细.csv"))
    assert again.exit_code == 0 and "cut_账务明细.csv: alipay (alipay fund ledger), imported before (covering " \
        "2026-03-02 to 2026-03-03" in again.output, again.output


def test_a_download_of_the_whole_day_before_the_next_statement_leaves_no_hole(tmp_path):
    root = cut_merchant(tmp_path)
    _cut_fund(root / "st", "later_账务明细.csv", "2026年03月04日 00:00:00", "2026年03月05日 00:00:00", LATER_ROWS)
    whole = _cut_pay(1, "02", "10:00:00", "100.00", "0.60", "1099.40") + NEXT_ROWS
    _cut_fund(root / "st", "whole_账务明细.csv", "2026年03月02日 00:00:00", "2026年03月04日 00:00:00", whole)
    for name in ("whole", "later"):
        assert beanclear(root, "import", str(root / "st" / f"{name}_账务明细.csv")).exit_code == 0
    assert _gaps(root) == ([], [])
    assert "ends: " not in (root / "books" / "alipay" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")


def test_a_cut_download_then_the_rest_of_its_day_then_the_next_day_leaves_no_hole(tmp_path):
    root = cut_merchant(tmp_path)
    _cut_fund(root / "st", "later_账务明细.csv", "2026年03月04日 00:00:00", "2026年03月05日 00:00:00", LATER_ROWS)
    for name in ("cut", "later", "next"):
        assert beanclear(root, "import", str(root / "st" / f"{name}_账务明细.csv")).exit_code == 0
    assert _gaps(root) == ([], [])


def test_a_fund_row_of_zero_is_skipped_as_a_zero_amount(cfg, tmp_path):
    """A row of 0.00 moves nothing: skipped, `zero amount`, as every source says (README,
    base.moving_money), not a wording of its own."""
    rows = [fund_row("520002", "T2", "", "2026-03-02 09:00:00", "0.00", "0.00", "4000.00", "转账", "零元"),
            fund_row("520001", "T1", "", "2026-03-02 08:00:00", "4000.00", "0.00", "4000.00", "充值", item="充值")]
    extraction = extract(cfg, alipay_fund, fund_ledger(tmp_path, rows=rows,
                                                       footer=["#支出合计：0笔，共0.00元", "#收入合计：1笔，共4000.00元"]))
    assert extraction.skipped == {"zero amount": 1}
