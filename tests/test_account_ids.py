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
