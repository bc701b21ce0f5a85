"""The account a channel's statement is of (importers/account_ids.py), where it says one."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from beanclear.importers.account_ids import stated_account
from beanclear.setup import probe
from conftest import sample


@pytest.mark.parametrize("head, account", [
    ("#支付宝业务明细查询\n#账号：[20881234567890156]\n#起始日期：[2019年09月16日]", "20881234567890156"),
    ("支付宝交易记录明细查询\n账号:[abc@example.cn]\n", "abc@example.cn"),
    ("导出信息：\n姓名：xx\n支付宝账户：138****0000\n", "138****0000"),
    ("京东账号名：jd_user01\n", "jd_user01"),
    # a blind helper's ICBC statements: another card's went into the books without a word
    ("中国工商银行借记账户历史明细（电子版）\n卡号/账号：6222020200112233445\r\n", "6222020200112233445"),
    ("明细查询\n卡号:,6222020200112233445,\n起始日期:,2026-03-07\n", "6222020200112233445"),
    ("卡号：6222020200112233445\n", "6222020200112233445"),
    ("账户名：清风茶舍\n", None),   # a name, not the account
    ("交易时间,对方账号,金额\n2021-01-01,账号：[x],1\n", None),   # a cell, not a preamble line
    ("微信昵称：[测试]\n", None),                                     # a nickname is no account
    ("#账号：[" + "9" * 600 + "]\n", None),                            # longer than any id
    ("#账号：[]\n", None),
])
def test_the_preamble_names_the_account(head, account):
    assert stated_account(head) == account


@pytest.mark.parametrize("folder, name, account", [
    ("wechat_merchant", "gunsluo-wechatpay-v3-tradebill-ALL.csv", "1601959334"),   # 商户号 column
    ("wechat_merchant", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv", None),       # states none
    ("paypal_api_json", "srmklive-paypal-transaction-search-response.json", "XZXSPECPDZHZU"),
    # blind30: the Balances response states its account as `account_id`, read as nothing
    ("paypal_api_json", "srmklive-paypal-balances-response.json", "QCXKLSS8GWT22"),
    ("paypal_csv", "oca-paypal-activity_en.csv", None),
    ("alipay_personal", "dhr-alipay-full-utf8.csv", "138****0000"),
])
def test_real_statements_state_their_account(folder, name, account):
    path = sample(folder, name)
    group, kind, cls = probe.claims(path)[0]
    _, extraction = probe.read(path, group, {"type": kind}, cls, Path(tempfile.mkdtemp()))
    assert extraction.account == account


def test_an_alipay_bill_states_its_account_in_its_footer_however_long(tmp_path):
    # a 2021 layout bill's 支付宝账户 is in its footer: read from the start alone, a bill of
    # more rows than that start held stated none, and another account's went in unchecked
    lines = sample("alipay_personal", "deg-alipay-2021format-gbk.csv").read_bytes().decode("gb18030").splitlines()
    row = next(line for line in lines if line.startswith("支出") and "2021121122001468815736847417" in line)
    rows = [row.replace("2021121122001468815736847417", f"20211211220014688157368{n:05d}") for n in range(800)]
    path = tmp_path / "alipay.csv"
    path.write_bytes("\n".join(lines[:2] + rows + lines[2:]).encode("gb18030"))
    assert path.stat().st_size > 65536   # past the start identify() reads (toolkit sniff)
    group, kind, cls = probe.claims(path)[0]
    _, extraction = probe.read(path, group, {"type": kind}, cls, Path(tempfile.mkdtemp()))
    assert extraction.account == "abc@triplez.cn"


# -- which of two sources of one type a bill is (`account_id`) ------------------------------

TWO_WALLETS = """\
channels:
  me: {type: alipay-personal, account_id: "lisi_home@qq.com"}
  shop: {type: alipay-personal, account_id: "zhangsan_shop@163.com"}
  wx_me: {type: wechat-personal, account_id: "李四"}
  wx_shop: {type: wechat-personal, account_id: "张三"}
  trade_a: {type: alipay, account_id: "2088123412341234"}
  trade_b: {type: alipay, account_id: "2088999999999999"}
"""
APP_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"
WECHAT_HEADER = "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"


def claimants(cfg, path, kind) -> list[str]:
    from beanclear.importers.registry import CHANNEL_IMPORTERS
    return [name for name, ch in cfg.channels.items() if ch.type == kind
            if any(cls(ch, cfg).identify(str(path)) for cls in CHANNEL_IMPORTERS[kind])]


def test_a_bill_is_of_the_account_its_preamble_states_not_of_one_a_row_names(make_config, tmp_path):
    # lisi's bill holds a transfer from zhangsan's account (对方账号): it is lisi's alone
    cfg = make_config(TWO_WALLETS)
    alipay = tmp_path / "alipay.csv"
    alipay.write_bytes("\r\n".join([
        "------", "导出信息：", "姓名：李四", "支付宝账户：lisi_home@qq.com", "共1笔记录", "", APP_HEADER,
        "2026-03-08 09:00:00,收入,张三,zhangsan_shop@163.com,转账,收入,500.00,,交易成功,2026030822001\t,\t,,"]
    ).encode("gb18030"))
    assert claimants(cfg, alipay, "alipay-personal") == ["me"]
    wechat = tmp_path / "wechat.csv"
    wechat.write_text("\n".join(["微信支付账单明细,,,,,,,,,,", "微信昵称：[李四],,,,,,,,,,", "共1笔记录,,,,,,,,,,", WECHAT_HEADER,
                                 "2026-03-08 09:00:00,转账,张三,/,收入,¥500.00,/,已收钱,1000050001\t,/,/"]),
                      encoding="utf-8")
    assert claimants(cfg, wechat, "wechat-personal") == ["wx_me"]
    # an Alipay merchant bill naming the other account in a row's 对方账号; its own PID
    # is the start of the `#账号` it states
    fund = tmp_path / "fund.csv"
    fund.write_bytes("\r\n".join([
        "#支付宝账务明细查询", "#账号：[20881234123412340156]", "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注",
        "1\t,2\t,,转账,2026-03-01 10:00:00,2088999999999999\t,,100.00,0.00,支付宝,转账,"]).encode("gb18030"))
    assert claimants(cfg, fund, "alipay") == ["trade_a"]


@pytest.mark.parametrize("head, label, account_id, mine", [
    ("支付宝账户：lisi_home@qq.com\n交易时间,对方账号\nx,zhangsan_shop@163.com\n", None, "zhangsan_shop@163.com", False),
    ("#账号：[20881234123412340156]\n", None, "2088123412341234", True),
    ("微信昵称：[清风 茶舍],,,\n", "微信昵称", "清风 茶舍", True),
    ("交易时间,对方账号\nx,zhangsan_shop@163.com\n", None, "zhangsan_shop@163.com", None),   # states none
])
def test_is_of_the_stated_account(head, label, account_id, mine):
    from beanclear.importers.account_ids import is_of
    assert is_of(account_id, head, label) is mine


# -- which of two PayPal accounts a Transaction Search response is (`account_number`) --------

TWO_PAYPALS = """\
channels:
  paypal: {type: paypal, currency: USD, account_id: 3XXJ4S4GQQ3A9}
  paypal_b: {type: paypal, currency: USD, account_id: GEUD4BM3QH2X4}
"""


def paypal_response(account: str, rows: int, account_first: bool, payer: str = "PAYER0000000") -> str:
    """A Transaction Search response of `account` (its `account_number`) of `rows` rows,
    the account before them or after them (as `beanclear fetch` and PayPal write it);
    each row's payer_info naming `payer`'s PayPal account."""
    details = [{"transaction_info": {
        "paypal_account_id": payer, "transaction_id": f"TX{n:015d}", "transaction_event_code": "T0006",
        "transaction_initiation_date": "2026-01-20T10:00:00+0000", "transaction_amount":
            {"currency_code": "USD", "value": "10.00"}, "fee_amount": {"currency_code": "USD", "value": "-0.59"},
        "transaction_status": "S", "transaction_subject": "order " + "x" * 40},
        "payer_info": {"account_id": payer, "email_address": "buyer@example.com"}} for n in range(rows)]
    response = {"transaction_details": details, "account_number": account,
                "start_date": "2026-01-18T00:00:00+0000", "end_date": "2026-02-16T23:59:59+0000",
                "page": 1, "total_items": rows, "total_pages": 1}
    if account_first:
        response = {"account_number": account, **response}
    return json.dumps(response, indent=2)


@pytest.mark.parametrize("account_first", [False, True], ids=["account-after-rows", "account-first"])
def test_a_paypal_response_is_of_the_account_number_it_states_wherever_it_states_it(make_config, tmp_path,
                                                                                      account_first):
    # blind sim266 (seed 33958): a fetched response states its account_number after its
    # rows, past the start identify() read: neither of two PayPal sources claimed it
    cfg = make_config(TWO_PAYPALS)
    path = tmp_path / "transactions.json"
    path.write_text(paypal_response("GEUD4BM3QH2X4", 400, account_first), encoding="utf-8")
    assert path.stat().st_size > 4 * 65536
    assert claimants(cfg, path, "paypal") == ["paypal_b"]


def test_a_paypal_response_is_not_of_an_account_its_rows_name(make_config, tmp_path):
    # a row's payer_info (a transfer from the merchant's other PayPal account) names the
    # other account: the response is of the account it states, alone
    cfg = make_config(TWO_PAYPALS)
    path = tmp_path / "transactions.json"
    path.write_text(paypal_response("3XXJ4S4GQQ3A9", 3, account_first=False, payer="GEUD4BM3QH2X4"),
                    encoding="utf-8")
    assert claimants(cfg, path, "paypal") == ["paypal"]


def test_a_paypal_source_without_account_id_claims_a_response_of_any_account(make_config, tmp_path):
    cfg = make_config("channels:\n  paypal: {type: paypal, currency: USD}\n")
    path = tmp_path / "transactions.json"
    path.write_text(paypal_response("3XXJ4S4GQQ3A9", 400, account_first=False), encoding="utf-8")
    assert claimants(cfg, path, "paypal") == ["paypal"]
    assert claimants(cfg, sample("paypal_api_json", "srmklive-paypal-transaction-search-response.json"),
                     "paypal") == ["paypal"]


def test_two_paypal_accounts_import_each_its_own_response_and_refuse_the_other(tmp_path):
    from conftest import beanclear
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: USD\ntimezone: UTC\n" + TWO_PAYPALS,
                                          encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    for name, account in (("a.json", "3XXJ4S4GQQ3A9"), ("b.json", "GEUD4BM3QH2X4")):
        (statements / name).write_text(paypal_response(account, 300, account_first=False), encoding="utf-8")
    refused = beanclear(tmp_path, "import", "--source", "paypal", str(statements / "b.json"))
    assert refused.exit_code == 2, refused.output
    assert ("(channel type paypal), but source paypal, given by --source, does not claim it: the file does not "
            "name its account_id 3XXJ4S4GQQ3A9") in refused.output
    assert not (tmp_path / "books").exists() or not any((tmp_path / "books").rglob("*.beancount"))
    result = beanclear(tmp_path, "import", str(statements))
    assert result.exit_code == 0, result.output
    books = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "books").rglob("*.beancount")))
    assert books.count("Assets:Clearing:PayPal ") == 300 and books.count("Assets:Clearing:PaypalB ") == 300


def test_a_paypal_response_that_states_no_account_is_claimed_by_each_source(make_config, tmp_path):
    # nothing in it says whose it is: the folder, the file's name or --source says (identify)
    cfg = make_config(TWO_PAYPALS)
    path = tmp_path / "transactions.json"
    response = json.loads(paypal_response("3XXJ4S4GQQ3A9", 3, account_first=False, payer="GEUD4BM3QH2X4"))
    del response["account_number"]
    path.write_text(json.dumps(response), encoding="utf-8")
    assert claimants(cfg, path, "paypal") == ["paypal", "paypal_b"]


# -- a PayPal Balances response is of its `account_id`, as a Transaction Search of its
# `account_number` (blind30: one of another account was booked into the channel, its
# 100.00 worked back to an opening of -351.21 USD that never was)

def paypal_balances(account: str | None, available: str, account_first: bool = False) -> str:
    """A Balances response (GET /v1/reporting/balances) of `account` as of 2026-02-17
    00:00 UTC, `available` USD; with its account_id before or after its balances."""
    response = {"balances": [{"currency": "USD", "primary": True,
                              "available_balance": {"currency_code": "USD", "value": available},
                              "withheld_balance": {"currency_code": "USD", "value": "0.00"}}],
                "as_of_time": "2026-02-17T00:00:00Z", "last_refresh_time": "2026-02-17T00:00:00Z"}
    if account is not None:
        response = {"account_id": account, **response} if account_first else {**response, "account_id": account}
    return json.dumps(response, indent=2)


@pytest.mark.parametrize("account_first", [False, True], ids=["account-after", "account-first"])
def test_a_paypal_balances_response_is_of_the_account_id_it_states(make_config, tmp_path, account_first):
    cfg = make_config(TWO_PAYPALS)
    path = tmp_path / "balances.json"
    path.write_text(paypal_balances("GEUD4BM3QH2X4", "28.23", account_first), encoding="utf-8")
    assert claimants(cfg, path, "paypal") == ["paypal_b"]
    path.write_text(paypal_balances(None, "28.23"), encoding="utf-8")   # states none: each source's
    assert claimants(cfg, path, "paypal") == ["paypal", "paypal_b"]


ONE_PAYPAL = "books: books\ncurrency: USD\ntimezone: UTC\nchannels:\n  paypal: {type: paypal, currency: USD}\n"


def _paypal_merchant(tmp_path, balances_account: str):
    """A merchant of one PayPal source without account_id, with a Transaction Search of
    3XXJ4S4GQQ3A9 (3 rows of 9.41 net) and a Balances response of `balances_account`."""
    from conftest import beanclear
    (tmp_path / "config.yaml").write_text(ONE_PAYPAL, encoding="utf-8")
    st = tmp_path / "statements"
    st.mkdir()
    (st / "transactions.json").write_text(paypal_response("3XXJ4S4GQQ3A9", 3, account_first=False), encoding="utf-8")
    (st / "balances.json").write_text(paypal_balances(balances_account, "28.23"), encoding="utf-8")
    return beanclear, st


def test_a_paypal_balances_response_of_another_account_is_refused_after_its_transactions(tmp_path):
    from conftest import snapshot
    beanclear, st = _paypal_merchant(tmp_path, "QCXKLSS8GWT22")
    assert beanclear(tmp_path, "import", str(st / "transactions.json")).exit_code == 0
    before = snapshot(tmp_path / "books")
    refused = beanclear(tmp_path, "import", str(st / "balances.json"))
    assert refused.exit_code == 2, refused.output
    assert ("balances.json:1: a statement of account QCXKLSS8GWT22, but the books hold paypal's statements of "
            "3XXJ4S4GQQ3A9") in refused.output
    assert snapshot(tmp_path / "books") == before
    assert beanclear(tmp_path, "import", "--force", str(st / "balances.json")).exit_code == 0


def test_two_accounts_statements_in_one_import_of_one_source_are_refused(tmp_path):
    from conftest import snapshot
    beanclear, st = _paypal_merchant(tmp_path, "QCXKLSS8GWT22")
    refused = beanclear(tmp_path, "import", str(st))
    assert refused.exit_code == 2, refused.output
    assert ("a statement of account QCXKLSS8GWT22, but transactions.json of this import is paypal's statement of "
            "3XXJ4S4GQQ3A9") in refused.output or ("a statement of account 3XXJ4S4GQQ3A9, but balances.json of this "
                                                    "import is paypal's statement of QCXKLSS8GWT22") in refused.output
    assert snapshot(tmp_path / "books") == {}


@pytest.mark.parametrize("together", [True, False], ids=["one-import", "one-after-the-other"])
def test_one_accounts_paypal_balances_and_transactions_import_together(tmp_path, together):
    # must-not: the same account's balances and transactions are one statement's, as before
    beanclear, st = _paypal_merchant(tmp_path, "3XXJ4S4GQQ3A9")
    for path in ([st] if together else [st / "transactions.json", st / "balances.json"]):
        result = beanclear(tmp_path, "import", str(path))
        assert result.exit_code == 0, result.output
    books = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "books").rglob("*.beancount")))
    assert "2026-02-17 balance Assets:Clearing:PayPal" in books and "28.23 USD" in books
    # 3 rows of 9.41 are the 28.23 asserted: nothing held before them
    assert re.search(r'"Opening balance".*\n.*\n\s+Assets:Clearing:PayPal\s+0\.00 USD', books), books


def test_init_makes_a_paypal_source_of_each_account(tmp_path):
    # blind30: a Transaction Search of one account and Balances of another made one `paypal`
    from test_setup import init
    folder = tmp_path / "statements"
    folder.mkdir()
    for name in ("srmklive-paypal-transaction-search-response.json", "srmklive-paypal-balances-response.json"):
        shutil.copy(sample("paypal_api_json", name), folder)
    result = init(tmp_path / "m", "--from", folder, "--yes")
    assert result.exit_code == 0, result.output
    from beanclear import config as config_mod
    config = config_mod.load(tmp_path / "m" / "config.yaml")
    assert sorted((c.type, c.account_id) for c in config.channels.values()) == [
        ("paypal", "QCXKLSS8GWT22"), ("paypal", "XZXSPECPDZHZU")]
    assert "-351.21" not in "".join(p.read_text(encoding="utf-8")
                                    for p in (tmp_path / "m" / "books").rglob("*.beancount"))
