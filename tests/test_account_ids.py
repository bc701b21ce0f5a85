"""The account a channel's statement is of (importers/account_ids.py), where it says one."""

from __future__ import annotations

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
    ("paypal_csv", "oca-paypal-activity_en.csv", None),
    ("alipay_personal", "dhr-alipay-full-utf8.csv", "138****0000"),
])
def test_real_statements_state_their_account(folder, name, account):
    path = sample(folder, name)
    group, kind, cls = probe.claims(path)[0]
    _, extraction = probe.read(path, group, {"type": kind}, cls, Path(tempfile.mkdtemp()))
    assert extraction.account == account


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
