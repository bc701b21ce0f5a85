"""fee-gap of a fee CHARGED on a refund (blind14 feesfx): the contract (`fees:`) prices
payments, and no rule charges a refund. A refund whose fee account goes up (Stripe's
refund row with a fee of +0.40, PayPal's `Payment Refund` with Fee -0.50, WeChat's REFUND
row with 手续费 +0.20 where it gives a fee back) is a fee-gap of that charge: expected
0.00, actual the charge, one per refund, naming the refund. A fee given back (in part,
in full or not at all: how much is the channel's terms, which the contract does not
state), a refund of no fee, a chargeback's fee (its own account) and a failed refund
given back are none."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile
from conftest import beanclear

CONFIG = """\
channels:
  wechat:
    type: wechat
    settlement_days: 400
    fees:
      - {rate: 0.006, min: 0.01}
checks:
  refund-rate: {severity: off}
"""
OPENS = """\
2000-01-01 open Assets:Clearing:WeChat
2000-01-01 open Income:Sales:WeChat
2000-01-01 open Expenses:Fees:WeChat
2000-01-01 open Expenses:Chargebacks:WeChat
"""
SALE = ('\n2026-03-02 * "Order S1"\n  id: "T1"\n  order-id: "S1"\n  method: "OTHERS"\n'
        "  Assets:Clearing:WeChat  99.40 CNY\n  Expenses:Fees:WeChat  0.60 CNY\n  Income:Sales:WeChat  -100.00 CNY\n")


def refund(fee, ident="R1", amount="100.00", day="2026-03-07", extra=""):
    fee, amount = Decimal(fee), Decimal(amount)
    lines = f"  Expenses:Fees:WeChat  {fee} CNY\n" if fee else ""
    return (f'\n{day} * "Refund of order S1"\n  id: "{ident}"\n  refund-of: "T1"\n  order-id: "S1"\n'
            f'  method: "OTHERS"\n{extra}  Assets:Clearing:WeChat  {-(amount + fee)} CNY\n{lines}'
            f"  Income:Sales:WeChat  {amount} CNY\n")


@pytest.fixture
def check(tmp_path):
    path = tmp_path / "config.yaml"

    def run(doc, config=CONFIG, code="fee-gap"):
        path.write_text(config, encoding="utf-8")
        entries, errors, _ = loader.load_string(OPENS + doc)
        assert not errors, errors
        return [f for f in reconcile.find(entries, config_mod.load(path)) if code is None or f.code == code]
    return run


def test_a_fee_charged_on_a_refund_is_a_fee_gap_of_the_charge(check):
    [gap] = check(SALE + refund("0.20"))
    assert (gap.amount, gap.expected, gap.actual, gap.currency) == (Decimal("0.20"), Decimal("0.00"),
                                                                   Decimal("0.20"), "CNY")
    assert (gap.source, gap.account, str(gap.date)) == ("wechat", "Expenses:Fees:WeChat", "2026-03-07")
    assert gap.refs[0] == "R1" and "T1" in gap.refs   # the refund, then the payment it gives back
    assert gap.line == OPENS.count("\n") + SALE.count("\n") + 2   # the refund's entry
    assert gap.message == ("fee 0.20 CNY charged on a refund of 100.00 CNY; the contract 0.6% min 0.01 prices "
                           "payments and charges no fee on a refund (0.00 CNY)")
    as_json = json.loads(json.dumps(gap.to_json()))
    assert (as_json["amount"], as_json["expected"], as_json["actual"]) == ("0.20", "0.00", "0.20")


def test_each_refund_charged_is_its_own_finding(check):
    doc = SALE + refund("0.20", "R1", "30.00") + refund("0.30", "R2", "20.00", day="2026-03-08")
    assert [(g.refs[0], g.amount) for g in check(doc)] == [("R1", Decimal("0.20")), ("R2", Decimal("0.30"))]


@pytest.mark.parametrize("fee", ["-0.60", "-0.20", "0", "0.01"])
def test_a_fee_given_back_none_or_within_tolerance_is_no_gap(check, fee):
    """A fee given back in full or short (WeChat returns its share; how much is the
    channel's terms, which the contract does not state), none (Stripe keeps its fee: 0.00
    on the refund), or a charge within the tolerance: nothing."""
    assert check(SALE + refund(fee)) == []


def test_a_chargeback_and_its_fee_are_no_refund(check):
    """DESIGN §1: chargebacks and their fees have their own account, and give no sale back."""
    doc = SALE + ('\n2026-03-09 * "Chargeback S1"\n  id: "CB1"\n  refund-of: "T1"\n'
                  "  Assets:Clearing:WeChat  -115.00 CNY\n  Expenses:Chargebacks:WeChat  115.00 CNY\n")
    assert check(doc) == []


def test_a_failed_refund_given_back_is_no_refund_charged(check):
    doc = SALE + refund("0", "R1") + ('\n2026-03-08 * "Refund failure"\n  id: "F1"\n  refund-failed: "R1"\n'
                                      "  Assets:Clearing:WeChat  99.80 CNY\n  Expenses:Fees:WeChat  0.20 CNY\n"
                                      "  Income:Sales:WeChat  -100.00 CNY\n")
    assert check(doc) == []


def test_a_refund_no_statement_wrote_or_no_contract_covers_is_not_judged(check):
    own = refund("0.20").replace('  id: "R1"\n', "")
    assert check(SALE + own) == []   # a person's own entry: no payment, no refund of the contract
    dated = CONFIG.replace("{rate: 0.006, min: 0.01}", "{rate: 0.006, min: 0.01, since: 2026-04-01}")
    assert check(SALE + refund("0.20"), config=dated) == []   # no rule in force on its day
    none = CONFIG.replace("    fees:\n      - {rate: 0.006, min: 0.01}\n", "")
    assert check(SALE + refund("0.20"), config=none) == []    # no contract: nothing to compare


@pytest.mark.parametrize("key", ["fee-of", "fee-back-of"])
def test_a_fee_charged_on_its_own_line_naming_the_refund_counts(check, key):
    """A fee line of its own naming the refund is the refund's charge, its ids named too:
    a fund view's (WeChat's 资金账单 扣除交易手续费, `fee-of` the refund's id), or the fee
    part of a refund whose rest the books held already (render.unknown_part,
    `fee-back-of`). One giving a fee back is none."""
    line = (f'\n2026-03-07 * "扣除交易手续费"\n  id: "fee R1"\n  fund-id: "8000000009"\n  {key}: "R1"\n'
            "  Assets:Clearing:WeChat  -0.25 CNY\n  Expenses:Fees:WeChat  0.25 CNY\n")
    [gap] = check(SALE + refund("0") + line)
    assert (gap.actual, gap.refs[0]) == (Decimal("0.25"), "R1")
    assert {"fee R1", "8000000009"} <= set(gap.refs)
    back = line.replace("-0.25", "X").replace("0.25", "-0.25").replace("X", "0.25")
    assert check(SALE + refund("0.20") + back) == []   # 0.20 charged, 0.25 given back: none charged


def test_a_charge_on_a_refund_booked_against_its_payment_is_the_payments_gap_only(check):
    """Alipay's 收费 names the trade (`fee-of` the payment): a fee charged on its refund
    day adds to the payment's fee, one finding of the payment, and no second one."""
    line = ('\n2026-03-07 * "收费"\n  id: "400009"\n  fee-of: "T1"\n'
            "  Assets:Clearing:WeChat  -0.20 CNY\n  Expenses:Fees:WeChat  0.20 CNY\n")
    [gap] = check(SALE + refund("0") + line)
    assert (gap.refs[0], gap.actual, gap.expected) == ("T1", Decimal("0.80"), Decimal("0.60"))


# -- the tester's statements, through import, check, report and write-off -----------------

MERCHANT = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 60
    fees: [{rate: 0.029, fixed: 0.30}]
  paypal:
    type: paypal
    currency: EUR
    settlement_days: 60
    fees: [{currency: EUR, rate: 0.0249, fixed: 0.35}]
  wechat:
    type: wechat
    currency: CNY
    timezone: Asia/Shanghai
    settlement_days: 60
    fees: [{rate: 0.006, min: 0.01}]
checks:
  refund-rate: {severity: off}
"""
STRIPE = """\
"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category","description","source_id"
"txn_charge1","2026-03-02 11:00:00","usd","100.00","3.20","96.80","charge","Order A-1","ch_1"
"txn_charge2","2026-03-03 11:00:00","usd","200.00","6.10","193.90","charge","Order A-2","ch_2"
"txn_refund1","2026-03-05 11:00:00","usd","-30.00","{fee}","{net}","refund","REFUND FOR CHARGE (Order A-1)","re_1"
"""
PAYPAL = """\
"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address",\
"Transaction ID","Address Status","Sales Tax","Reference Txn ID","Invoice Number","Receipt ID","Balance",\
"Contact Phone Number","Subject","Note"
"03/03/2026","10:00:00","Europe/Berlin","Customer 2","Express Checkout Payment","Completed","EUR","120.00","-3.34",\
"116.66","b@example.com","shop@example.com","5LU00000000000002","","0.00","","P-2","","116.66","","Order P-2",""
"04/03/2026","10:00:00","Europe/Berlin","Customer 3","Express Checkout Payment","Completed","EUR","200.00","-5.33",\
"194.67","c@example.com","shop@example.com","5LU00000000000003","","0.00","","P-3","","311.33","","Order P-3",""
"13/03/2026","09:00:00","Europe/Berlin","Customer 2","Payment Refund","Completed","EUR","-120.00","{fee}","{net}",\
"shop@example.com","shop@example.com","5LU00000000000050","","0.00","5LU00000000000002","P-2","","{balance}","",\
"Refund Order P-2",""
"""
WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                 "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                 "手续费,费率,订单金额,申请退款金额,费率备注")
WECHAT_ROWS = [
    "2026-03-02 10:00:00,wx1,1601959334,0,,4200000902202603000000000000000000000,S1,u1,NATIVE,SUCCESS,OTHERS,CNY,"
    "100.00,0.00,0,0,0.00,0.00,,,tea,,0.60000,0.60%,100.00,0.00,",
    "2026-03-03 10:00:00,wx1,1601959334,0,,4200000903202603000000000000000000001,S2,u1,NATIVE,SUCCESS,OTHERS,CNY,"
    "200.00,0.00,0,0,0.00,0.00,,,tea,,1.20000,0.60%,200.00,0.00,",
    "2026-03-07 12:00:00,wx1,1601959334,0,,4200000902202603000000000000000000000,S1,u1,NATIVE,REFUND,OTHERS,CNY,"
    "0.00,0.00,50300000012026030700000000001,R1,100.00,0.00,ORIGINAL,SUCCESS,tea,,{fee},0.60%,100.00,100.00,",
]


def merchant(root, stripe_fee, paypal_fee, wechat_fee):
    """The tester's three channels, each with one refund of the given fee (as each
    statement writes it: Stripe's positive a cost, PayPal's negative a cost, WeChat's 手续费
    positive a cost)."""
    (root / "config.yaml").write_text(MERCHANT, encoding="utf-8")
    st = root / "st"
    for name in ("stripe", "paypal", "wechat"):
        (st / name).mkdir(parents=True)
    fee = Decimal(stripe_fee)
    (st / "stripe" / "bc.csv").write_text(STRIPE.format(fee=fee, net=Decimal("-30.00") - fee), encoding="utf-8")
    fee = Decimal(paypal_fee)
    (st / "paypal" / "Download.csv").write_text(PAYPAL.format(
        fee=fee, net=Decimal("-120.00") + fee, balance=Decimal("311.33") - Decimal("120.00") + fee), encoding="utf-8")
    fee = Decimal(wechat_fee)
    rows = [",".join("`" + cell for cell in row.format(fee=f"{fee:.5f}").split(",")) for row in WECHAT_ROWS]
    total_fee = Decimal("1.80") + fee
    (st / "wechat" / "tradebill-2026-03.csv").write_text(
        "\n".join([WECHAT_HEADER, *rows, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                   f"`3,`300.00,`100.00,`0.00,`{total_fee:.5f},`300.00,`100.00"]) + "\n", encoding="utf-8")
    result = beanclear(root, "import", str(st))
    assert result.exit_code == 0, result.output


def fee_gaps(root):
    result = beanclear(root, "check", "--format", "json")
    return [f for f in json.loads(result.output)["findings"] if f["code"] == "fee-gap"], result


def test_a_fee_charged_on_a_refund_of_each_channel_is_found(tmp_path):
    merchant(tmp_path, "0.40", "-0.50", "0.20")
    gaps, result = fee_gaps(tmp_path)
    assert result.exit_code == 1
    said = sorted((g["source"], g["refs"][0], g["amount"], g["currency"], g["expected"], g["actual"]) for g in gaps)
    assert said == [("paypal", "5LU00000000000050", "0.50", "EUR", "0.00", "0.50"),
                    ("stripe", "txn_refund1", "0.40", "USD", "0.00", "0.40"),
                    ("wechat", "50300000012026030700000000001", "0.20", "CNY", "0.00", "0.20")]
    paypal = next(g for g in gaps if g["source"] == "paypal")
    assert paypal["message"] == ("fee 0.50 EUR charged on a refund of 120.00 EUR; the contract 2.49% + 0.35 prices "
                                 "payments and charges no fee on a refund (0.00 EUR)")
    assert paypal["file"].endswith("2026-03.beancount") and paypal["account"] == "Expenses:Fees:PayPal"
    text = beanclear(tmp_path, "check").output
    assert "0.50 EUR: fee 0.50 EUR charged on a refund of 120.00 EUR" in text, text
    # the report's fees count the charges, as before
    report = beanclear(tmp_path, "report", "2026-03", "--format", "json")
    assert report.exit_code == 0, report.output
    fees = {c["name"]: c["fees"] for c in json.loads(report.output)["channels"]}
    assert fees == {"paypal": "9.17", "stripe": "9.70", "wechat": "2.00"}


def test_refunds_that_give_the_fee_back_or_keep_it_are_no_fee_gap(tmp_path):
    # Stripe keeps its fee (0.00 on the refund), PayPal too, WeChat gives its share back
    merchant(tmp_path, "0.00", "0.00", "-0.60000")
    gaps, result = fee_gaps(tmp_path)
    assert gaps == [] and result.exit_code == 0, result.output


def test_a_refunds_fee_gap_is_written_off_as_any_other(tmp_path):
    merchant(tmp_path, "0.40", "0.00", "-0.60000")
    [gap], _ = fee_gaps(tmp_path)
    result = beanclear(tmp_path, "write-off", "fee-gap", "txn_refund1")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "books" / "writeoffs.beancount").read_text(encoding="utf-8")
    assert 'settles: "txn_refund1 re_1"' in written and "Expenses:Fees:Stripe" in written
    gaps, result = fee_gaps(tmp_path)
    assert gaps == [] and result.exit_code == 0, result.output
