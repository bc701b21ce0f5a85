"""WeChat Pay merchant bills: golden tests over the real samples, totals, layouts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beanclear.importers import wechat_fund, wechat_trade
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN, sample
from golden_util import account_totals as totals, assert_golden, extraction_text

TRADE_SAMPLES = ["gunsluo-wechatpay-v3-tradebill-ALL.csv", "wxjava-tradebill-ALL.csv", "wxjava-tradebill-SUCCESS.csv"]
FUND_SAMPLES = ["gunsluo-wechatpay-v3-fundflowbill-Basic.csv", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv.gz"]


@pytest.fixture
def wechat(make_config):
    return make_config().channels["wechat"]


def trade(wechat, path):
    importer = wechat_trade.Importer(wechat, None)
    assert importer.identify(str(path))
    return importer.parse(str(path))


def fund(wechat, path):
    importer = wechat_fund.Importer(wechat, None)
    assert importer.identify(str(path))
    return importer.parse(str(path))


@pytest.mark.parametrize("name", TRADE_SAMPLES)
def test_trade_bill_golden(wechat, name):
    extraction = trade(wechat, sample("wechat_merchant", name))
    assert_golden(extraction_text(extraction), GOLDEN / "wechat_merchant" / f"{name}.beancount")


@pytest.mark.parametrize("name", FUND_SAMPLES)
def test_fund_bill_golden(wechat, name):
    extraction = fund(wechat, sample("wechat_merchant", name))
    assert_golden(extraction_text(extraction), GOLDEN / "wechat_merchant" / "fundflowbill-Basic.beancount")


def test_trade_bill_totals_equal_its_summary_line(wechat):
    # The v3 bill lists all its rows: the books must hold exactly its stated totals.
    extraction = trade(wechat, sample("wechat_merchant", "gunsluo-wechatpay-v3-tradebill-ALL.csv"))
    t = totals(extraction.entries)
    assert extraction.notes == []
    assert -t["Income:Sales:WeChat"] == Decimal("0.03")           # 应结订单总金额 0.03, 退款 0.00
    assert t["Expenses:Fees:WeChat"] == Decimal("0")               # 手续费总金额 0.00000
    assert t["Assets:Clearing:WeChat"] == Decimal("0.03")


def test_elided_rows_are_reported_not_hidden(wechat):
    extraction = trade(wechat, sample("wechat_merchant", "wxjava-tradebill-ALL.csv"))
    assert extraction.rows == 1 and len(extraction.entries) == 1
    assert "summary line says rows 48" in extraction.notes[0]
    t = totals(extraction.entries)
    assert (t["Assets:Clearing:WeChat"], t["Expenses:Fees:WeChat"]) == (Decimal("5.96"), Decimal("0.04"))


def test_gzip_and_plain_fund_bill_give_the_same_entries(wechat):
    plain = fund(wechat, sample("wechat_merchant", FUND_SAMPLES[0]))
    zipped = fund(wechat, sample("wechat_merchant", FUND_SAMPLES[1]))
    assert extraction_text(plain) == extraction_text(zipped)
    # Two refunds, booked by their 微信退款单号, and the closing balance of the day.
    assert plain.skipped == {}
    first, second, assertion = plain.entries
    assert (first.meta["id"], first.meta["refund-order-id"]) == ("50300806962021020105978994968", "S20210201135356381941")
    assert totals([first, second]) == {"Assets:Clearing:WeChat": Decimal("-0.02"), "Income:Sales:WeChat": Decimal("0.02")}
    assert (assertion.account, assertion.amount.number, str(assertion.date)) == \
        ("Assets:Clearing:WeChat", Decimal("0.21"), "2021-02-02")


# -- layouts the samples do not cover: files the tests write ---------------------------

REFUND_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                 "货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
                 "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def bill(tmp_path, header, rows, summary_values, name="bill.csv"):
    lines = [header] + [",".join("`" + c for c in r.split(",")) for r in rows]
    lines += [SUMMARY, ",".join("`" + c for c in summary_values.split(","))]
    path = tmp_path / name
    path.write_text("\r\n".join(lines), encoding="utf-8")  # no final newline, as WeChat sends it
    return path


def test_refund_layout(tmp_path, wechat):
    path = bill(tmp_path, REFUND_HEADER, [
        "2026-03-02 10:00:00,wx1,1601959334,0,,4200000001,ORD-1,user,JSAPI,REFUND,CFT,CNY,0.00,0.00,"
        "2026-03-02 10:00:00,2026-03-02 10:05:00,50300001,R-1,100.00,0.00,ORIGINAL,SUCCESS,Tea,,-0.60000,0.60%,"
        "100.00,100.00,"], "1,0.00,100.00,0.00,-0.60000,0.00,100.00")
    extraction = trade(wechat, path)
    assert extraction.notes == []
    [refund] = extraction.entries
    assert refund.meta["id"] == "50300001" and refund.meta["refund-of"] == "4200000001"
    assert refund.meta["time"] == "10:05:00"
    assert {p.account: p.units.number for p in refund.postings} == {
        "Assets:Clearing:WeChat": Decimal("-99.40"), "Expenses:Fees:WeChat": Decimal("-0.60"),
        "Income:Sales:WeChat": Decimal("100.00")}


ALL_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
              "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
              "手续费,费率,订单金额,申请退款金额,费率备注")


def all_row(status="SUCCESS", settled="50.00", coupon="0.00", refund="0.00", fee="0.30000", order="50.00",
            refund_id="0", refund_status="", trade_id="4200000009"):
    return (f"2026-03-01 12:00:00,wx1,1601959334,0,,{trade_id},ORD-9,user,JSAPI,{status},CFT,CNY,{settled},{coupon},"
            f"{refund_id},0,{refund},0.00,,{refund_status},Tea,,{fee},0.60%,{order},{refund},")


def test_merchant_coupon_is_a_discount_and_totals_add_up(tmp_path, wechat):
    path = bill(tmp_path, ALL_HEADER, [all_row(settled="45.00", coupon="5.00", fee="0.27000", order="50.00")],
                "1,45.00,0.00,0.00,0.27000,50.00,0.00")
    [payment] = trade(wechat, path).entries
    assert {p.account: p.units.number for p in payment.postings} == {
        "Assets:Clearing:WeChat": Decimal("44.73"), "Expenses:Fees:WeChat": Decimal("0.27"),
        "Expenses:Discounts:WeChat": Decimal("5.00"), "Income:Sales:WeChat": Decimal("-50.00")}


def test_a_row_whose_amounts_contradict_each_other_is_refused(tmp_path, wechat):
    """应结订单金额 = 订单金额 − 免充值券 (FORMATS §3a), and the 免充值券 are among the
    代金券金额 (充值券 the rest, settled with the payment). blind8: 300.00 settled of 310.89
    ordered with no coupon at all was booked, the 10.89 invented as a discount and only a
    note that the summary disagreed ("rows missing from the file?")."""
    path = bill(tmp_path, ALL_HEADER, [all_row(), all_row(settled="300.00", coupon="0.00", fee="1.80000",
                                                          order="310.89", trade_id="4200000010")],
                "2,350.00,0.00,0.00,2.10000,360.89,0.00")
    with pytest.raises(StatementError) as caught:
        trade(wechat, path)
    assert str(caught.value).startswith(f"{path}:3: 订单金额 310.89 less 应结订单金额 300.00 is 10.89, more than "
                                        "代金券金额 0.00"), caught.value
    # a 充值券 of 5.00 (someone else's, settled) beside the merchant's 免充值券 of 5.00
    path = bill(tmp_path, ALL_HEADER, [all_row(settled="45.00", coupon="10.00", fee="0.27000", order="50.00")],
                "1,45.00,0.00,0.00,0.27000,50.00,0.00")
    [payment] = trade(wechat, path).entries
    assert {p.account: p.units.number for p in payment.postings}["Expenses:Discounts:WeChat"] == Decimal("5.00")


def test_revoked_and_pending_refund_rows_are_counted_not_booked(tmp_path, wechat):
    path = bill(tmp_path, ALL_HEADER, [
        all_row(status="REVOKED", settled="0.00", fee="0.00000", order="0.00"),
        all_row(status="REFUND", settled="0.00", refund="10.00", fee="-0.06000", refund_id="503", refund_status="PROCESSING"),
    ], "2,0.00,10.00,0.00,-0.06000,0.00,10.00")
    extraction = trade(wechat, path)
    assert extraction.entries == [] and extraction.rows == 2
    assert extraction.skipped == {"revoked (撤销, no money moved)": 1, "refund still processing": 1}


@pytest.mark.parametrize("row, message", [
    (all_row(status="MYSTERY"), "bill.csv:2: column 交易状态: unknown status 'MYSTERY'"),
    (all_row(settled="abc"), "bill.csv:2: column 应结订单金额: expected an amount, got 'abc'"),
    # booked as a 0.00 sale: the money it moved lost
    (all_row(settled=""), "bill.csv:2: column 应结订单金额: expected an amount, got 'an empty cell'"),
    (all_row(order=""), "bill.csv:2: column 订单金额: expected an amount, got 'an empty cell'"),
    (all_row(status="REFUND", refund_id="503", refund_status="ODD", settled="0.00"),
     "bill.csv:2: column 退款状态: unknown refund status 'ODD'"),
    (all_row(status="REFUND", refund_id="503", refund_status="SUCCESS"),
     "bill.csv:2: column 应结订单金额: expected 0.00 on a refund row"),
    (all_row()[:-30], "bill.csv:2: expected 27 cells as in the header (line 1)"),
])
def test_bad_rows_name_file_line_and_problem(tmp_path, wechat, row, message):
    path = bill(tmp_path, ALL_HEADER, [row], "1,50.00,0.00,0.00,0.30000,50.00,0.00")
    with pytest.raises(StatementError) as caught:
        trade(wechat, path)
    assert str(caught.value).startswith(str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1])


def test_bill_cut_off_before_its_summary(tmp_path, wechat):
    path = tmp_path / "cut.csv"
    path.write_text(ALL_HEADER + "\n" + ",".join("`" + c for c in all_row().split(",")) + "\n", encoding="utf-8")
    with pytest.raises(StatementError, match=r"cut.csv:2: no summary line starting with 总交易单数"):
        trade(wechat, path)


# The layout of merchants without 免充值 coupons (v2 downloadbill before 2017, and after for
# some): 总金额 (settled whole: its coupons are prepaid by the merchant), 企业红包 or
# 代金券或立减优惠 columns, a 5-value summary with 总交易额. Rows as real bills of 2015/2018 hold them.
OLD_ALL_HEADER = ("交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                  "总金额,企业红包金额,微信退款单号,商户退款单号,退款金额,企业红包退款金额,退款类型,退款状态,商品名称,商户数据包,"
                  "手续费,费率")
OLD_REFUND_HEADER = ("交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                     "总金额,代金券或立减优惠金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,代金券或立减优惠退款金额,"
                     "退款类型,退款状态,商品名称,商户数据包,手续费,费率")
OLD_SUMMARY = "总交易单数,总交易额,总退款金额,总企业红包退款金额,手续费总金额"


def old_bill(tmp_path, header, rows, summary_values):
    lines = [header] + [",".join("`" + c for c in r.split(",")) for r in rows]
    lines += [OLD_SUMMARY, ",".join("`" + c for c in summary_values.split(","))]
    path = tmp_path / "old.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_layout_without_settled_amount_books_its_total(tmp_path, wechat):
    path = old_bill(tmp_path, OLD_ALL_HEADER, [
        "2015-03-30 21:25:32,wx58,10027619,0,,1009360611,ORD-1,user,JSAPI,SUCCESS,CFT,CNY,50.00,5.00,0,0,0,0,,,Tea,,"
        "1.00000,2.00%",
        "2015-03-30 22:00:00,wx58,10027619,0,,1009360612,ORD-2,user,JSAPI,REFUND,CFT,CNY,0.00,0.00,5000001,R-2,20.00,"
        "0.00,ORIGINAL,SUCCESS,Tea,,-0.40000,2.00%"], "2,50.00,20.00,0.00,0.60000")
    extraction = trade(wechat, path)
    assert extraction.notes == []          # 总交易额 and the rest agree with the rows
    payment, refund = extraction.entries
    assert {p.account: p.units.number for p in payment.postings} == {
        "Assets:Clearing:WeChat": Decimal("49.00"), "Expenses:Fees:WeChat": Decimal("1.00"),
        "Income:Sales:WeChat": Decimal("-50.00")}   # the 企业红包 5.00 is inside 总金额: no discount
    assert refund.meta["id"] == "5000001" and refund.meta["refund-of"] == "1009360612"
    assert {p.account: p.units.number for p in refund.postings} == {
        "Assets:Clearing:WeChat": Decimal("-19.60"), "Expenses:Fees:WeChat": Decimal("-0.40"),
        "Income:Sales:WeChat": Decimal("20.00")}


def test_old_refund_layout_and_its_errors_name_the_old_columns(tmp_path, wechat):
    row = ("2018-08-20 14:40:09,wx34,1510598081,1511458511,,4200000145,2018082010,user,NATIVE,REFUND,CFT,CNY,{},0.00,"
           "2018-08-21 18:13:10,2018-08-21 18:13:12,50000707,R-10,0.01,0.00,ORIGINAL,SUCCESS,Tea,,0.00000,1.00%")
    [refund] = trade(wechat, old_bill(tmp_path, OLD_REFUND_HEADER, [row.format("0.00")], "1,0.00,0.01,0.00,0.00000")).entries
    assert (refund.meta["id"], refund.meta["time"]) == ("50000707", "18:13:12")
    with pytest.raises(StatementError, match=r"old.csv:2: column 总金额: expected 0.00 on a refund row, got 0.01"):
        trade(wechat, old_bill(tmp_path, OLD_REFUND_HEADER, [row.format("0.01")], "1,0.00,0.01,0.00,0.00000"))


def test_account_id_tells_two_merchants_apart(tmp_path, make_config):
    cfg = make_config("""\
        channels:
          shop_a: {type: wechat, account_id: "1601959334"}
          shop_b: {type: wechat, account_id: "1900000000"}
        """)
    path = bill(tmp_path, ALL_HEADER, [all_row()], "1,50.00,0.00,0.00,0.30000,50.00,0.00")
    claims = [name for name, ch in cfg.channels.items() if wechat_trade.Importer(ch, cfg).identify(str(path))]
    assert claims == ["shop_a"]


@pytest.mark.parametrize("configured", ["", ", account_id: '1601959334'"])
@pytest.mark.parametrize("foreign", [1, 2])
def test_a_row_of_another_merchant_is_refused_at_its_line(tmp_path, make_config, configured, foreign):
    """blind13 repro-05: a trade bill with one row of another 商户号 was booked whole, that
    row into this merchant's clearing, where it was not the first row (matches() reads
    only the first)."""
    cfg = make_config(f"channels:\n  wechat: {{type: wechat{configured}}}\n")
    rows = [all_row(trade_id=f"420000000{n}") for n in (1, 2, 3)]
    rows[foreign] = rows[foreign].replace(",1601959334,", ",1999999999,")
    path = bill(tmp_path, ALL_HEADER, rows, "3,150.00,0.00,0.00,0.90000,150.00,0.00")
    importer = wechat_trade.Importer(cfg.channels["wechat"], cfg)
    assert importer.identify(str(path))
    with pytest.raises(StatementError, match=rf"bill.csv:{foreign + 2}: column 商户号: 1999999999, but line 2 names "
                                             r"1601959334: a statement of one account names one in every row"):
        importer.read(str(path))


def test_a_bill_of_another_merchant_s_rows_first_is_refused_at_the_first_row_of_this_one(tmp_path, make_config):
    rows = [all_row(trade_id="4200000001").replace(",1601959334,", ",1999999999,"), all_row(trade_id="4200000002")]
    path = bill(tmp_path, ALL_HEADER, rows, "2,100.00,0.00,0.00,0.60000,100.00,0.00")
    with pytest.raises(StatementError, match=r"bill.csv:3: column 商户号: 1601959334, but line 2 names 1999999999"):
        wechat_trade.Importer(make_config().channels["wechat"], None).read(str(path))


def test_rows_of_one_merchant_or_naming_none_are_its_bill(tmp_path, make_config):
    # must not fire: every row the merchant's, or naming none (an empty cell, WeChat's 0)
    rows = [all_row(trade_id="4200000001"), all_row(trade_id="4200000002").replace(",1601959334,", ",,"),
            all_row(trade_id="4200000003").replace(",1601959334,", ",0,"), all_row(trade_id="4200000004")]
    path = bill(tmp_path, ALL_HEADER, rows, "4,200.00,0.00,0.00,1.20000,200.00,0.00")
    extraction = wechat_trade.Importer(make_config().channels["wechat"], None).read(str(path))
    assert (extraction.rows, len(extraction.entries), extraction.account) == (4, 4, "1601959334")


def test_fund_bill_withdrawal_is_a_payout(tmp_path, wechat):
    path = tmp_path / "fund.csv"
    header = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号"
    rows = ["2026-03-01 12:00:00,4200000009,F1,交易,交易,收入,49.70,49.70,1601959334API,,ORD-9",
            "2026-03-01 23:30:00,100001,F2,提现,提现,支出,49.70,0.00,1601959334API,提现到工商银行,"]
    path.write_text("\n".join([header] + [",".join("`" + c for c in r.split(",")) for r in rows]
                              + ["资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额", "`2,`1,`49.70,`1,`49.70"]),
                    encoding="utf-8")
    extraction = fund(wechat, path)  # v2 spelling: full-width parentheses
    sale, payout, closing = extraction.entries
    assert (sale.meta["id"], sale.meta["order-id"], sale.links) == ("4200000009", "ORD-9", {"order-ORD-9"})
    assert payout.links == {"payout-100001"} and payout.meta["payout-id"] == "100001"
    assert {p.account: p.units.number for p in payout.postings} == {
        "Assets:Transit:WeChat": Decimal("49.70"), "Assets:Clearing:WeChat": Decimal("-49.70")}
    assert (str(closing.date), closing.amount.number) == ("2026-03-02", Decimal("0.00"))
    assert extraction.notes == []


def test_a_payment_and_its_refund_share_the_transaction_id(tmp_path, wechat):
    path = bill(tmp_path, ALL_HEADER, [
        all_row(),
        all_row(status="REFUND", settled="0.00", refund="50.00", fee="-0.30000", refund_id="503",
                refund_status="SUCCESS"),
    ], "2,50.00,50.00,0.00,0.00000,50.00,50.00")
    payment, refund = trade(wechat, path).entries
    assert (payment.meta["id"], refund.meta["id"], refund.meta["refund-of"]) == ("4200000009", "503", "4200000009")


@pytest.mark.parametrize("name, period", [
    ("fundflow-2021-01-31.csv", ("2021-01-31", "2021-02-01")),   # fetch's day, widened to its lines
    ("fundflow-2021-02-01.csv.gz", ("2021-02-01", "2021-02-01")),
    ("资金账单_Basic_20210201.csv", None),                         # a name fetch does not write: its lines
    ("tradebill-2021-01-31.csv", None),                           # the other view's name
    ("fundflow-2021-02-30.csv", None),                            # no such day
])
def test_a_day_s_fund_bill_covers_the_day_fetch_names_it_by(wechat, tmp_path, name, period):
    """Seed 33033: without its first daily fund bill, the second (its rows from the
    afternoon on, stating no period) was taken to start with the books, and the first
    day's orders were five order-unpaid instead of one statement-gap."""
    body = sample("wechat_merchant", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv" + (".gz" * name.endswith(".gz")))
    (tmp_path / name).write_bytes(body.read_bytes())
    from beanclear.statements.coverage import period as covered
    extraction = wechat_fund.Importer(wechat, None).read(str(tmp_path / name))
    stated = extraction.period and tuple(d.isoformat() for d in covered(extraction))
    assert stated == period


@pytest.mark.parametrize("name, period", [("tradebill-2026-01-10.csv", ("2026-01-10", "2026-01-10")),
                                          ("trade_20260110_ALL.csv", None)])
def test_a_quiet_days_trade_bill_is_claimed_and_read_without_entries(tmp_path, make_config, name, period):
    # its summary says 0 and no row names the merchant: a channel with account_id did not
    # claim it, and the import said to pass the --source the tester had passed
    cfg = make_config("channels:\n  wechat: {type: wechat, account_id: '1601959334'}\n")
    path = bill(tmp_path, ALL_HEADER, [], "0,0.00,0.00,0.00,0.00000,0.00,0.00", name=name)
    importer = wechat_trade.Importer(cfg.channels["wechat"], cfg)
    assert importer.identify(str(path))
    extraction = importer.read(str(path))
    assert (extraction.rows, list(extraction.entries)) == (0, [])
    from beanclear.statements.coverage import period as covered   # fetch's name says its day; else none is known
    assert (extraction.period and tuple(d.isoformat() for d in covered(extraction))) == period
    assert extraction.notes == ([] if period else [
        "no rows, and a WeChat bill states no period: no day is recorded as covered (a day's bill named as "
        "`beanclear fetch` names it, tradebill-YYYY-MM-DD.csv, covers that day)"])


def test_a_quiet_days_fund_bill_is_read_without_entries(tmp_path, make_config):
    cfg = make_config("channels:\n  wechat: {type: wechat, account_id: '1601959334'}\n")
    path = tmp_path / "fundflow-2026-01-10.csv"
    path.write_text("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,"
                    "业务凭证号\r\n资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n`0,`0,`0.00,`0,`0.00", encoding="utf-8")
    importer = wechat_fund.Importer(cfg.channels["wechat"], cfg)
    assert importer.identify(str(path))
    extraction = importer.read(str(path))
    assert (extraction.rows, list(extraction.entries), extraction.notes) == (0, [], [])
    assert [d.isoformat() for d in extraction.period] == ["2026-01-10", "2026-01-10"]


# -- the fee, written to 5 decimals (FORMATS §3a), booked as WeChat charges it ----------------

@pytest.mark.parametrize("fee, charged, stated", [
    # blind9: booked 1227.093 / 7.407 CNY; with the fund bill (扣除交易手续费 7.41) in the same
    # import the 0.003 became an opening balance of the clearing account the bill never had
    ("7.40700", "7.41", "7.40700"),
    ("0.00500", "0.01", "0.00500"),     # half a fen: up (四舍五入), as the fee check owes it
    ("0.00499", "0", "0.00499"),        # under half a fen: no fee at all, and no fee row to cover
    ("0.30000", "0.30", None),          # must not fire: the fen as WeChat writes it, booked as it was
    ("0.04000", "0.04", None),
])
def test_a_trade_bill_fee_is_booked_in_fen_as_wechat_charges_it(tmp_path, wechat, fee, charged, stated):
    path = bill(tmp_path, ALL_HEADER, [all_row(settled="1234.50", order="1234.50", fee=fee)],
                f"1,1234.50,0.00,0.00,{fee},1234.50,0.00")
    extraction = trade(wechat, path)
    assert extraction.notes == []   # the summary's 手续费总金额 is the rows' as written
    [payment] = extraction.entries
    postings = {p.account: p.units.number for p in payment.postings}
    assert postings.get("Expenses:Fees:WeChat", Decimal(0)) == Decimal(charged)
    assert postings["Assets:Clearing:WeChat"] == Decimal("1234.50") - Decimal(charged)
    assert all(p.units.number == p.units.number.quantize(Decimal("0.01")) for p in payment.postings)
    assert payment.meta.get("fee-stated") == stated
    assert ("covers" in payment.meta) == bool(Decimal(charged))


def test_a_refund_s_returned_fee_is_booked_in_fen_too(tmp_path, wechat):
    path = bill(tmp_path, ALL_HEADER, [all_row(status="REFUND", settled="0.00", refund="1234.50", fee="-7.40700",
                                               refund_id="503", refund_status="SUCCESS")],
                "1,0.00,1234.50,0.00,-7.40700,0.00,1234.50")
    [refund] = trade(wechat, path).entries
    assert {p.account: p.units.number for p in refund.postings} == {
        "Assets:Clearing:WeChat": Decimal("-1227.09"), "Expenses:Fees:WeChat": Decimal("-7.41"),
        "Income:Sales:WeChat": Decimal("1234.50")}
    assert refund.meta["fee-stated"] == "-7.40700"


@pytest.mark.parametrize("cut, said", [
    ("header", "no summary line starting with 总交易单数 (is the file cut off?)"),
    # blind22: it names both accounts, and gives no `--source` advice that cannot help
    ("other merchant", "(channel type wechat) of account 1999999999, but no source of that type is of that account "
                       "(wechat's is 1601959334): a statement of another account, or a wrong account_id in config.yaml"),
])
def test_a_header_only_bill_is_refused_for_what_it_lacks_not_for_its_account(tmp_path, cut, said):
    """blind13 (tester "robustness"): a trade bill of its header alone names no 商户号, so
    the source with `account_id:` did not claim it, and the refusal blamed the config
    ("check its account_id"); what is wrong is the file (README "Bad input": a header
    with no rows). Must not fire: a whole bill of another 商户号 is still the config's
    question."""
    from conftest import TRADE, beanclear
    (tmp_path / "config.yaml").write_text(
        "books: books\ncurrency: CNY\nchannels:\n  wechat: {type: wechat, account_id: '1601959334'}\n",
        encoding="utf-8")
    text = sample("wechat_merchant", TRADE).read_text(encoding="utf-8")
    bill = tmp_path / "tradebill.csv"
    bill.write_text(text.splitlines(keepends=True)[0] if cut == "header" else text.replace("1601959334", "1999999999"),
                    encoding="utf-8")
    result = beanclear(tmp_path, "import", str(bill))
    assert result.exit_code == 2 and said in result.output, result.output
    assert f"{bill}:1:" in result.output
    assert not (tmp_path / "books").exists() or not list((tmp_path / "books").rglob("*.beancount"))


# -- one money in both bills: a fee of either sign, booked once, whichever comes first ------
#
# The trade bill books a payment with its fee and names the fund bill's fee row of it in
# `covers:`; a refund, the fee it gives back. blind30 "zeros": a payment's fee given back
# (a rebate: 手续费 -0.10000, the fund bill's 扣除交易手续费 收入 0.10) was named `fee-back`
# by the fund bill, by its sign, and `fee` by the trade bill: booked twice, and the 0.10
# too much in clearing hidden by an opening of -0.10 no bill states.

FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
TWO_BILLS_CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  wechat:
    type: wechat
    settlement_days: 3
    fees: [{rate: 0.006}]
checks:
  refund-rate: {severity: off}
"""


def fund_bill(folder, rows, name="fundflow-2026-03.csv", opening="0.00"):
    """A fund bill of `rows` (time, id, flow id, kind, signed amount, note, voucher), its
    running balance from `opening` and its summary from them."""
    balance, lines, ins, outs = Decimal(opening), [], [0, Decimal(0)], [0, Decimal(0)]
    for time, ident, flow, kind, amount, note, voucher in rows:
        amount = Decimal(amount)
        balance += amount
        side = ins if amount > 0 or (amount == 0 and kind in wechat_fund.WITHDRAWAL_RETURNED) else outs
        side[0] += 1
        side[1] += abs(amount)
        lines.append(f"{time},{ident},{flow},{kind},{kind},{'收入' if side is ins else '支出'},{abs(amount):.2f},"
                     f"{balance:.2f},1601959334API,{note},{voucher}")
    text = [FUND_HEADER] + [",".join("`" + c for c in r.split(",")) for r in lines]
    text += [FUND_SUMMARY, f"`{len(lines)},`{ins[0]},`{ins[1]:.2f},`{outs[0]},`{outs[1]:.2f}"]
    path = folder / name
    path.write_text("\r\n".join(text), encoding="utf-8")
    return path


PAID, REFUNDED = "4200000001", "50300001"


def both_bills(folder, fee, refund_fee=None, refund_fee_row=None, fee_row_first=False):
    """A payment of 100.00 at fee `fee` (5 decimals, as the trade bill writes it), and,
    with `refund_fee` (the trade bill's 手续费 of the refund: negative, given back), its
    refund of 40.00, the fee inside the fund bill's 退款 row (含手续费); `refund_fee_row`:
    the refund's fee on a fund row of its own instead (`fee_row_first`: listed before the
    退款 row, at its time). Then a withdrawal of what is left."""
    folder.mkdir(parents=True, exist_ok=True)
    fee = Decimal(fee)
    trade_rows = [all_row(settled="100.00", order="100.00", fee=f"{fee:.5f}", trade_id=PAID)]
    fund_rows = [("2026-03-01 12:00:00", PAID, "F1", "交易", "100.00", "", "ORD-9")]
    if fee:
        fund_rows.append(("2026-03-01 12:00:00", PAID, "F2", "扣除交易手续费", f"{-fee:.2f}", "", "ORD-9"))
    held = Decimal("100.00") - fee
    totals = [1, Decimal("100.00"), Decimal(0), fee]
    if refund_fee is not None:
        back = Decimal(refund_fee)
        trade_rows.append(all_row(status="REFUND", settled="0.00", refund="40.00", fee=f"{back:.5f}",
                                  refund_id=REFUNDED, refund_status="SUCCESS", order="0.00", trade_id=PAID)
                          .replace("2026-03-01 12:00:00", "2026-03-01 15:00:00"))
        inside = Decimal(0) if refund_fee_row else -back
        rows = [("2026-03-01 15:00:00", REFUNDED, PAID, "退款", f"{-(Decimal('40.00') - inside):.2f}",
                 f"退款总金额40.00元;含手续费{inside:.2f}元", "R-ORD-9")]
        if refund_fee_row:
            rows.append(("2026-03-01 15:00:00", REFUNDED, "F4", "扣除交易手续费", f"{-back:.2f}", "", "R-ORD-9"))
        fund_rows += rows[::-1] if fee_row_first else rows
        held -= Decimal("40.00") + back
        totals = [2, Decimal("100.00"), Decimal("40.00"), fee + back]
    fund_rows.append(("2026-03-01 23:30:00", "100001", "F5", "提现", f"{-held:.2f}", "提现到工商银行", ""))
    trade = bill(folder, ALL_HEADER, trade_rows,
                 f"{totals[0]},{totals[1]:.2f},{totals[2]:.2f},0.00,{totals[3]:.5f},100.00,{totals[2]:.2f}",
                 name="tradebill-2026-03.csv")
    return trade, fund_bill(folder, fund_rows)


def imported_in(folder, *batches):
    from conftest import beanclear
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(TWO_BILLS_CONFIG, encoding="utf-8")
    said = []
    for batch in batches:
        result = beanclear(folder, "import", *map(str, batch))
        assert result.exit_code == 0, result.output
        said.append(result.output)
    return folder, said


def money_of(folder) -> dict:
    """Account -> total of the books' transactions (the opening's too), and those of the
    payment and refund, as written (parsed, not loaded: no check runs)."""
    from beancount.core import data
    from beancount.parser import parser
    txns = []
    for path in sorted((folder / "books").rglob("*.beancount")):
        entries, errors, _ = parser.parse_file(str(path))
        assert not errors, errors
        txns += [e for e in entries if isinstance(e, data.Transaction)]
    return totals(txns), [e for e in txns if e.meta.get("id", "").startswith(("42", "503", "fee"))]


@pytest.mark.parametrize("fee, rows", [
    ("-0.10", {"Assets:Clearing:WeChat": "100.10", "Expenses:Fees:WeChat": "-0.10"}),   # a rebate
    ("0.60", {"Assets:Clearing:WeChat": "99.40", "Expenses:Fees:WeChat": "0.60"}),      # must not: a fee charged
])
def test_a_payment_s_fee_either_way_is_booked_once_whichever_bill_comes_first(tmp_path, fee, rows):
    trade_bill, fund = both_bills(tmp_path / "statements", fee)
    from conftest import snapshot
    one, _ = imported_in(tmp_path / "one", [trade_bill, fund])
    for order in ([trade_bill], [fund]), ([fund], [trade_bill]):
        other, said = imported_in(tmp_path / order[0][0].stem, *order)
        assert snapshot(other / "books") == snapshot(one / "books"), order
        assert not any("opening balance" in s and "now" in s for s in said), said
    money, [payment] = money_of(one)
    assert {p.account: p.units.number for p in payment.postings} == {
        **{k: Decimal(v) for k, v in rows.items()}, "Income:Sales:WeChat": Decimal("-100.00")}
    assert money["Expenses:Fees:WeChat"] == Decimal(rows["Expenses:Fees:WeChat"])
    assert money.get("Equity:Opening-Balances", Decimal(0)) == 0   # the fund bill starts at 0.00


def test_a_rebate_the_fund_bill_alone_books_is_the_payment_s_fee(tmp_path):
    """Named `fee-back`, the fund bill's rebate was no fee of the payment to the fee check:
    `fee 0.00 CNY on 100.00`, a gap of 0.60 where the payment's fee was -0.10."""
    from conftest import beanclear
    _, fund_path = both_bills(tmp_path / "statements", "-0.10")
    folder, _ = imported_in(tmp_path / "m", [fund_path])
    result = beanclear(folder, "check")
    assert "fee-gap 2026-03-01 wechat   0.70 CNY: fee -0.10 CNY on 100.00 CNY" in result.output, result.output


@pytest.mark.parametrize("refund_fee", [None, "0.02"])
def test_books_of_earlier_releases_hold_the_fee_rows_they_named_by_their_way(tmp_path, refund_fee):
    """Before blind30 a fee row was named by its way (`收入`: `fee-back <id>`, `支出`: `fee
    <id>`): the fund bill read again into books those releases wrote, a rebate's row (and
    a refund's fee row of its own) is held by that name, not booked a second time."""
    from conftest import beanclear, snapshot
    _, fund_path = both_bills(tmp_path / "statements", "-0.10", refund_fee, refund_fee_row=True)
    folder, _ = imported_in(tmp_path / "m", [fund_path])
    month = folder / "books" / "wechat" / "2026" / "2026-03.beancount"
    text = month.read_text(encoding="utf-8")
    old = text.replace(f'id: "fee {PAID}"', f'id: "fee-back {PAID}"').replace(f'fee-of: "{PAID}"',
                                                                            f'fee-back-of: "{PAID}"')
    if refund_fee:
        old = old.replace(f'id: "fee-back {REFUNDED}"', f'id: "fee {REFUNDED}"').replace(
            f'fee-back-of: "{REFUNDED}"', f'fee-of: "{REFUNDED}"')
    assert old != text
    month.write_text(old, encoding="utf-8")
    before = snapshot(folder / "books")
    again = beanclear(folder, "import", "--force", str(fund_path))
    assert again.exit_code == 0 and " 0 entries written" in again.output, again.output
    assert snapshot(folder / "books") == before


@pytest.mark.parametrize("refund_fee, own_row", [
    ("-0.24", False),   # must not: the fee given back inside the 退款 row (含手续费0.24), as WeChat writes it
    ("0.02", False),    # must not: a fee charged on the refund, inside it (含手续费-0.02)
    ("-0.24", True),    # the fee given back on a fund row of its own (收入), the refund's id
    ("0.02", True),     # a fee charged on the refund on a row of its own (支出)
])
def test_a_refund_s_fee_either_way_is_booked_once_whichever_bill_comes_first(tmp_path, refund_fee, own_row):
    trade_bill, fund = both_bills(tmp_path / "statements", "0.60", refund_fee, own_row)
    from conftest import snapshot
    one, _ = imported_in(tmp_path / "one", [trade_bill, fund])
    for order in ([trade_bill], [fund]), ([fund], [trade_bill]):
        other, _ = imported_in(tmp_path / order[0][0].stem, *order)
        assert snapshot(other / "books") == snapshot(one / "books"), order
    money, [payment, refund] = money_of(one)
    assert refund.meta["covers"] == f"fee-back {REFUNDED}"   # as the books of earlier releases name it
    assert {p.account: p.units.number for p in refund.postings} == {
        "Assets:Clearing:WeChat": Decimal("-40.00") - Decimal(refund_fee),
        "Expenses:Fees:WeChat": Decimal(refund_fee), "Income:Sales:WeChat": Decimal("40.00")}
    assert money["Expenses:Fees:WeChat"] == Decimal("0.60") + Decimal(refund_fee)
    assert money.get("Equity:Opening-Balances", Decimal(0)) == 0


@pytest.mark.parametrize("fee_row_first", [False, True])
def test_the_fund_bill_names_a_fee_row_by_what_it_is_the_fee_of_not_by_its_way(tmp_path, wechat, fee_row_first):
    """A fee row is the fee of the payment its 微信支付业务单号 names (`fee <id>`, `fee-of`),
    charged or given back; of a refund where the bill's 退款 row has that id (`fee-back
    <id>`, `fee-back-of`), as the trade bill's `covers:` names them, and the 退款 row,
    holding no fee (含手续费0.00), covers none."""
    _, path = both_bills(tmp_path, "-0.10", "0.02", refund_fee_row=True, fee_row_first=fee_row_first)
    entries = fund(wechat, path).entries
    fees = [e for e in entries if "fee-of" in e.meta or "fee-back-of" in e.meta]
    assert [(e.meta["id"], e.meta.get("fee-of"), e.meta.get("fee-back-of")) for e in fees] == [
        (f"fee {PAID}", PAID, None), (f"fee-back {REFUNDED}", None, REFUNDED)]
    [refund] = [e for e in entries if e.meta.get("id") == REFUNDED]
    assert "covers" not in refund.meta


# -- a fund-bill row that moves no money, and one of the wrong way ---------------------------

def test_a_withdrawal_of_zero_is_skipped_as_a_zero_amount(tmp_path, wechat):
    """blind30 "zeros": a 提现 of 支出 0.00 was refused, `提现 row with 收支类型 支出
    (expected 支出)`: its way was read from the sign of 0, which has none. It moves no
    money: skipped, `zero amount`, as every source skips such a row (README)."""
    path = fund_bill(tmp_path, [("2026-03-01 12:00:00", PAID, "F1", "交易", "100.00", "", "ORD-9"),
                                ("2026-03-01 23:30:00", "100001", "F2", "提现", "-100.00", "", ""),
                                ("2026-03-02 23:30:00", "100002", "F3", "提现", "0.00", "", ""),
                                ("2026-03-02 23:40:00", "100003", "F4", "提现退回", "0.00", "", "")])
    extraction = wechat_fund.Importer(wechat, None).read(str(path))
    assert extraction.skipped == {"zero amount": 2}
    assert [e.meta["id"] for e in extraction.entries if e.meta.get("payout-id")] == ["F2"]
    assert extraction.notes == []


@pytest.mark.parametrize("kind, way, expected", [("提现", "收入", "支出"), ("提现退回", "支出", "收入")])
def test_a_withdrawal_of_the_wrong_way_is_refused_saying_what_the_row_says(tmp_path, wechat, kind, way, expected):
    path = fund_bill(tmp_path, [("2026-03-01 12:00:00", PAID, "F1", "交易", "100.00", "", "ORD-9"),
                                ("2026-03-01 23:30:00", "100001", "F2", kind, "5.00", "", "")])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"`{kind},`{kind},`收入", f"`{kind},`{kind},`{way}"), encoding="utf-8")
    with pytest.raises(StatementError) as error:
        fund(wechat, path)
    assert str(error.value).endswith(f":3: {kind} row with 收支类型 {way} (expected {expected})"), str(error.value)


# -- a refund dated when it was made, not when the payment it refunds was ------------------
#
# blind31 livefeeds 2: the ALL trade bill's refund row carries the 交易时间 of the payment
# it refunds (docs/live.md), in the bill of the day the refund was made. A payment of 11-30
# 20:00 refunded on 12-01 10:00 (the fund bill's 记账时间) was booked on 11-30: November's
# report said refunds 50.00 (WeChat: none), a refund-rate fired for 11-30, and once
# November was closed the 12-01 bills could not be imported at all.

WX1, WX2, WX3, RWX1 = "4200000031202611300000000001", "4200000031202611300000000002", \
    "4200000031202612010000000003", "50300031202612010000000009"


def row_at(time, order_id, **kw):
    """all_row() at `time`, of the merchant's order `order_id`."""
    return all_row(**kw).replace("2026-03-01 12:00:00", time).replace("ORD-9", order_id)


def refund_row(time, trade_id=WX1, order_id="WX1", refund_id=RWX1, refund="50.00"):
    return row_at(time, order_id, status="REFUND", settled="0.00", refund=refund, fee="0.00000", order="0.00",
                  refund_id=refund_id, refund_status="SUCCESS", trade_id=trade_id)


def nov30_dec01_bills(folder, refund_time="2026-11-30 20:00:00", refunded=WX1, refunded_order="WX1"):
    """The days of 11-30 (WX1, WX2: 100.00 each, fee 0.60) and 12-01 (WX3: 300.00, fee
    1.80; a refund of 50.00 of `refunded`, its trade bill row at `refund_time`, the
    payment's as WeChat writes it; the fund bill's 退款 at 10:00), named as `fetch` names
    them: {day: (trade bill, fund bill)}."""
    folder.mkdir(parents=True, exist_ok=True)
    nov = bill(folder, ALL_HEADER, [
        row_at("2026-11-30 20:00:00", "WX1", settled="100.00", fee="0.60000", order="100.00", trade_id=WX1),
        row_at("2026-11-30 21:00:00", "WX2", settled="100.00", fee="0.60000", order="100.00", trade_id=WX2)],
        "2,200.00,0.00,0.00,1.20000,200.00,0.00", name="tradebill-2026-11-30.csv")
    dec = bill(folder, ALL_HEADER, [
        refund_row(refund_time, trade_id=refunded, order_id=refunded_order),
        row_at("2026-12-01 09:00:00", "WX3", settled="300.00", fee="1.80000", order="300.00", trade_id=WX3)],
        "2,300.00,50.00,0.00,1.80000,300.00,50.00", name="tradebill-2026-12-01.csv")
    nov_fund = fund_bill(folder, [
        ("2026-11-30 20:00:00", WX1, "F1", "交易", "100.00", "", "WX1"),
        ("2026-11-30 20:00:00", WX1, "F2", "扣除交易手续费", "-0.60", "", "WX1"),
        ("2026-11-30 21:00:00", WX2, "F3", "交易", "100.00", "", "WX2"),
        ("2026-11-30 21:00:00", WX2, "F4", "扣除交易手续费", "-0.60", "", "WX2")], name="fundflow-2026-11-30.csv")
    dec_fund = fund_bill(folder, [
        ("2026-12-01 09:00:00", WX3, "F5", "交易", "300.00", "", "WX3"),
        ("2026-12-01 09:00:00", WX3, "F6", "扣除交易手续费", "-1.80", "", "WX3"),
        ("2026-12-01 10:00:00", RWX1, refunded, "退款", "-50.00", "退款总金额50.00元;含手续费0.00元", "RWX1")],
        name="fundflow-2026-12-01.csv", opening="198.80")
    return {"2026-11-30": (nov, nov_fund), "2026-12-01": (dec, dec_fund)}


def the_refund(folder):
    """The refund's entry in the books, and the file it is in."""
    from beancount.core import data
    from beancount.parser import parser
    found = []
    for path in sorted((folder / "books").rglob("*.beancount")):
        entries, errors, _ = parser.parse_file(str(path))
        assert not errors, errors
        found += [(e, path.name) for e in entries if isinstance(e, data.Transaction) and e.meta.get("id") == RWX1]
    [(entry, name)] = found
    return entry, name


def test_a_refund_row_of_a_daily_trade_bill_is_dated_the_bill_s_day_not_the_payment_s(tmp_path, wechat):
    bills = nov30_dec01_bills(tmp_path)
    importer = wechat_trade.Importer(wechat, None)
    refund, payment = importer.parse(str(bills["2026-12-01"][0])).entries
    assert (refund.meta["id"], str(refund.date), payment.meta["id"]) == (RWX1, "2026-12-01", WX3)
    assert "time" not in refund.meta   # its time is not in the bill: not the payment's 20:00 either


BOTH_ORDERS = {"together": ([0, 1],), "trade first": ([0], [1]), "fund first": ([1], [0])}


@pytest.mark.parametrize("order", BOTH_ORDERS)
def test_a_refund_made_the_day_after_its_payment_is_booked_that_day_whichever_bill_comes_first(tmp_path, order):
    from conftest import snapshot
    bills = nov30_dec01_bills(tmp_path / "statements")
    one, _ = imported_in(tmp_path / "one", list(bills["2026-11-30"]), list(bills["2026-12-01"]))
    refund, name = the_refund(one)
    assert (str(refund.date), name) == ("2026-12-01", "2026-12.beancount")
    other, _ = imported_in(tmp_path / "other", list(bills["2026-11-30"]),
                           *([bills["2026-12-01"][i] for i in batch] for batch in BOTH_ORDERS[order]))
    assert snapshot(other / "books") == snapshot(one / "books")
    alone, _ = imported_in(tmp_path / "alone", list(bills["2026-11-30"]), [bills["2026-12-01"][BOTH_ORDERS[order][0][0]]])
    assert (str(the_refund(alone)[0].date), the_refund(alone)[1]) == ("2026-12-01", "2026-12.beancount")


@pytest.mark.parametrize("order", BOTH_ORDERS)
def test_a_closed_month_does_not_block_the_next_day_s_bills_refunding_its_payment(tmp_path, order):
    from conftest import beanclear
    bills = nov30_dec01_bills(tmp_path / "statements")
    folder, _ = imported_in(tmp_path / "m", list(bills["2026-11-30"]))
    closed = beanclear(folder, "close", "2026-11")
    assert closed.exit_code == 0, closed.output
    imported_in(folder, *([bills["2026-12-01"][i] for i in batch] for batch in BOTH_ORDERS[order]))
    assert str(the_refund(folder)[0].date) == "2026-12-01"
    report = beanclear(folder, "report", "2026-11")
    assert report.exit_code == 0, report.output
    [row] = [line.split() for line in report.output.splitlines() if line.strip().startswith("wechat ")]
    assert row[2:4] == ["200.00", "0.00"], report.output   # sales, refunds: none made in November


def test_a_refund_made_the_day_of_its_payment_keeps_the_row_s_time(tmp_path, wechat):
    """Must not: a refund the bill of its day lists at a time of that day stays as the row says."""
    bills = nov30_dec01_bills(tmp_path, refund_time="2026-12-01 09:00:00", refunded=WX3, refunded_order="WX3")
    refund, _ = wechat_trade.Importer(wechat, None).parse(str(bills["2026-12-01"][0])).entries
    assert (str(refund.date), refund.meta["time"], refund.meta["refund-of"]) == ("2026-12-01", "09:00:00", WX3)


@pytest.mark.parametrize("name", ["tradebill-2026-12-01.csv", "refunds.csv"])
def test_a_refund_layout_row_is_dated_by_its_own_refund_time(tmp_path, wechat, name):
    """Must not: the REFUND layout (v2 downloadbill, FORMATS §3a) says when the refund
    succeeded (退款成功时间): that is its time, whatever day the bill is named by."""
    path = bill(tmp_path, REFUND_HEADER, [
        f"2026-11-30 20:00:00,wx1,1601959334,0,,{WX1},WX1,user,JSAPI,REFUND,CFT,CNY,0.00,0.00,"
        f"2026-12-01 09:59:00,2026-12-01 10:00:05,{RWX1},RWX1,50.00,0.00,ORIGINAL,SUCCESS,Tea,,0.00000,0.60%,"
        "0.00,50.00,"], "1,0.00,50.00,0.00,0.00000,0.00,50.00", name=name)
    [refund] = trade(wechat, path).entries
    assert (str(refund.date), refund.meta["time"]) == ("2026-12-01", "10:00:05")


def test_a_refund_row_of_a_bill_of_no_known_day_keeps_its_trade_time(tmp_path, wechat):
    """Must not (what is left): a trade bill not named as `fetch` names it says no day; its
    refund row is dated by its 交易时间, the only time it has."""
    bills = nov30_dec01_bills(tmp_path)
    renamed = bills["2026-12-01"][0].rename(tmp_path / "trade_20261201_ALL.csv")
    refund, _ = trade(wechat, renamed).entries
    assert (str(refund.date), refund.meta["time"]) == ("2026-11-30", "20:00:00")
