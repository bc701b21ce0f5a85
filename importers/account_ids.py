"""The account a channel's statement says it is of, where it says one (DESIGN.md §3,
`account_id`): recorded with the statement's coverage (statements/coverage.py), so that a
later statement of another account of the same source is refused (statements/belonging.py),
as it is for a bank's.

Where the statements state it (FORMATS.md and the samples):
- Alipay 业务明细 / 账务明细: the `#账号：[2088…]` line above the header; Alipay's own
  bills (支付宝交易记录明细查询): `账号:[…]`; the personal bill: `支付宝账户：…`;
- JD wallet bills: `京东账号名：…`;
- Chinese banks' CSV exports: `卡号/账号：6222…` (ICBC 借记账户历史明细), `卡号:,6222…` (ICBC
  明细, the value in the next cell), `账号：…`;
- WeChat Pay trade bill: the 商户号 column (wechat_trade.py), each row's (RowAccount: a
  row of another 商户号 is refused at its line); PayPal's transaction search JSON:
  `account_number` (paypal_api.py), its balances JSON: `account_id` (paypal_balances.py);
- a ≤2022 Alipay personal bill states its `支付宝账户：` in its footer, read there
  (alipay_personal.py), however many rows stand before it.
WeChat Pay's fund bill, Stripe's and PayPal's CSV exports and the personal WeChat bill
(a nickname, 微信昵称, is no account) state none: theirs stay unrecorded.

The same line decides which of two sources of one type a statement is (`account_id`,
is_of): the account the bill states is its own, while the rows may name another (a
transfer's 对方账号 naming the merchant's other account), so that a bill of one is not
claimed by the other as well.
"""

from __future__ import annotations

import re

from beanclear.importers.toolkit import MAX_ID, StatementError

# a label at the start of a preamble line (after `#` or spaces), then the id, in brackets or not
_LABELED = re.compile(r"^[#\s]*(?:卡号/账号|账号/卡号|卡号|账号|支付宝账户|京东账号名)\s*[:：][\s,]*\[?([^\[\]\s,\"\\]+)\]?", re.M)


def stated_account(head: str) -> str | None:
    """The account id the preamble of a statement names, or None."""
    found = _LABELED.search(head)
    return checked(found.group(1)) if found else None


def is_of(account_id: str, head: str, label: str | None = None) -> bool | None:
    """Whether a statement whose start is `head` is of `account_id`, where its preamble
    says whose it is (the line `label` starts, 微信昵称 say, else any line stated_account
    reads): the stated account holds it (a 16-digit Alipay PID in its 20-digit `账号`).
    None where the preamble states none: the caller decides (a ≤2022 Alipay bill names
    its account in its footer, beyond the start read)."""
    stated = labeled(head, label) if label else stated_account(head)
    return None if stated is None else account_id in stated


def labeled(head: str, label: str) -> str | None:
    """The value a preamble line starting with `label` gives (`微信昵称：[清风]`), or None."""
    name = re.escape(label.rstrip(":："))
    found = re.search(rf"^[#\s]*{name}\s*[:：]\s*(?:\[([^\]\r\n]*)\]|([^\s,\"\\]+))", head, re.M)
    return checked(found.group(1) if found.group(1) is not None else found.group(2)) if found else None


def checked(value) -> str | None:
    """An id as the books can hold it: a short one-line string, else None (not recorded)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_ID or not value.isprintable() or '"' in value or "\\" in value:
        return None
    return value


class RowAccount:
    """The account a statement is of where each row names it in a column of its own
    (WeChat Pay's trade bill: 商户号): every row's is checked, and a row naming another
    account than the rows before it is refused at its line, naming both (blind13: a trade
    bill with one row of another 商户号 was booked whole, that row too, into this merchant's
    clearing, where it was not its first row: matches() reads only that one). `account`:
    the one the rows name, for statements/belonging.py to hold against the source's. A
    cell of `unnamed` (`""`, WeChat's `0`) names none. Called once a row: the usual row
    names the account the first did, one comparison."""

    def __init__(self, path: str, column: str, unnamed=("", "0")):
        self.path, self.column, self.unnamed = path, column, frozenset(unnamed)
        self.first: str | None = None
        self.line = 0

    def __call__(self, number: str, line: int) -> None:
        if number == self.first or number in self.unnamed:
            return
        if self.first is None:
            self.first, self.line = number, line
            return
        raise StatementError(self.path, line, f"column {self.column}: {number}, but line {self.line} names "
                             f"{self.first}: a statement of one account names one in every row (a row of another "
                             "account's statement, or two joined?)")

    @property
    def account(self) -> str | None:
        return checked(self.first)
