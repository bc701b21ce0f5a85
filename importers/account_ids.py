"""The account a channel's statement says it is of, where it says one (DESIGN.md §3,
`account_id`): recorded with the statement's coverage (statements/coverage.py), so that a
later statement of another account of the same source is refused (statements/belonging.py),
as it is for a bank's.

Where the statements state it (FORMATS.md and the samples):
- Alipay 业务明细 / 账务明细: the `#账号：[2088…]` line above the header; Alipay's own
  bills (支付宝交易记录明细查询): `账号:[…]`; the personal bill: `支付宝账户：…`;
- JD wallet bills: `京东账号名：…`;
- WeChat Pay trade bill: the 商户号 column (wechat_trade.py); PayPal's transaction search
  JSON: `account_number` (paypal_api.py).
WeChat Pay's fund bill, Stripe's and PayPal's CSV exports and the personal WeChat bill
(a nickname, 微信昵称, is no account) state none: theirs stay unrecorded.
"""

from __future__ import annotations

import re

from beanclear.importers.toolkit import MAX_ID

# a label at the start of a preamble line (after `#` or spaces), then the id, in brackets or not
_LABELED = re.compile(r"^[#\s]*(?:账号|支付宝账户|京东账号名)\s*[:：]\s*\[?([^\[\]\s,\"\\]+)\]?", re.M)


def stated_account(head: str) -> str | None:
    """The account id the preamble of a statement names, or None."""
    found = _LABELED.search(head)
    return checked(found.group(1)) if found else None


def checked(value) -> str | None:
    """An id as the books can hold it: a short one-line string, else None (not recorded)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_ID or not value.isprintable() or '"' in value or "\\" in value:
        return None
    return value
