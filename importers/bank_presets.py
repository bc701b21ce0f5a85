"""Bank CSV layouts known by name: `type: icbc` in config.yaml instead of a `columns:` map.

Each preset is what `columns:`, `date_format:`, `encoding:` and `currency:` would say for
that bank's export; config.yaml can still set any of them, and a `columns:` entry
replaces the preset's column of the same role (a signed `amount` replaces `debit` and
`credit`, and the other way round). The bank CSV importer (bank_csv.py) reads them all;
this module is data only, so that config.py can apply it without importing importers.

- `icbc`, 工商银行 明细查询文件下载: a preamble; cells padded with spaces and a TAB inside
  the quotes; `-` placeholders; split 收入/支出 columns; the 交易 amount and currency
  (kept as `original-amount`) beside the 记账 amount and currency (booked); total lines
  `人民币合计` (the card export: `合计金额`, in the account's currency) at the end, checked
  against the rows.
- `cmb`, 招商银行 交易查询: a signed 交易金额 with quoted thousands; rows not in date order;
  `#` comment lines.
- `boc`, 中国银行 交易流水明细单: a title line; 记账日期 and 记账时间 in two columns; 币别
  `人民币`; `-------` placeholders.
- `hsbc-hk`, HSBC Hong Kong: DD/MM/YYYY; a TAB after the closing quote; HKD and CNY rows
  (and running balances) in one file.
- `td`, TD Canada Trust: no header, columns by position (date, description, debit,
  credit, balance); MM/DD/YYYY.
- `bocom-credit`, 交通银行信用卡 交易明细: `交易币种/金额` and `入账币种/金额` written
  `CNY 123.18`, unsigned; which way the money went is the first word of 交易说明 (`消费`
  spent; `退货`, `信用卡还款` paid back to the card); another word is an error naming it.
- `cmb-credit`, 招商银行信用卡对账单: a title line naming the statement month
  (`…（个人消费卡账户 2024年01月）`); 交易日 and 记账日 written `MM/DD` without a year
  (交易日 empty on repayments), the year taken from the title (a December line on a
  January statement is of the year before); spending positive, repayments negative in
  人民币金额. Exports that write the year (`20240115`) are read as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    what: str                                 # named in errors: "expected a <what>"
    columns: dict[str, str | int]             # role -> header name, or 1-based position without a header
    date_format: str
    currency: str | None = None               # the account's currency when config.yaml does not say
    encoding: str | None = None               # None: detected (UTF-8, UTF-8 with BOM, GB18030)
    optional: frozenset[str] = field(default_factory=frozenset)  # roles older exports lack
    footer: str | None = None                 # regex on a row's first cell: totals and notes from here on
    positive_amounts: str = "credit"          # what a positive signed amount is (a card's statement: spent)
    currency_in_amount: bool = False          # amounts written with their currency code: `CNY 123.18`
    directions: dict[str, str] = field(default_factory=dict)  # first word of the direction column -> debit|credit


PRESETS: dict[str, Preset] = {
    "icbc": Preset(
        "ICBC 明细查询 export (工商银行)",
        {"date": "交易日期", "memo": "摘要", "detail": "交易详情", "payee": "对方户名",
         "credit": "记账金额(收入)", "debit": "记账金额(支出)", "currency": "记账币种", "balance": "余额",
         "original_credit": "交易金额(收入)", "original_debit": "交易金额(支出)", "original_currency": "交易币种"},
        "%Y-%m-%d", optional=frozenset({"detail"}), footer=r"合计$|^合计"),
    "cmb": Preset(
        "CMB 交易查询 export (招商银行)",
        {"date": "记账日期", "currency": "货币", "amount": "交易金额", "balance": "联机余额", "memo": "交易摘要",
         "payee": "对手信息", "detail": "客户摘要"},
        "%Y-%m-%d", optional=frozenset({"detail"}), footer=r"^#"),
    "boc": Preset(
        "BOC 交易流水明细单 (中国银行)",
        {"date": "记账日期", "time": "记账时间", "currency": "币别", "amount": "金额", "balance": "余额",
         "memo": "交易名称", "detail": "附言", "payee": "对方账户名"},
        "%Y-%m-%d", optional=frozenset({"detail"})),
    "hsbc-hk": Preset(
        "HSBC Hong Kong account history",
        {"date": "Date", "memo": "Description", "amount": "Billing amount", "currency": "Billing currency",
         "balance": "Balance"},
        "%d/%m/%Y", currency="HKD"),
    "td": Preset(
        "TD Canada Trust CSV (no header: date, description, debit, credit, balance)",
        {"date": 1, "memo": 2, "debit": 3, "credit": 4, "balance": 5},
        "%m/%d/%Y", currency="CAD"),
    # No sign anywhere but the first word of 交易说明 (deb-sig's example/bocom_credit, 2025).
    "bocom-credit": Preset(
        "BOCOM credit card statement (交通银行信用卡)",
        {"date": "记账日期", "memo": "交易说明", "amount": "入账币种/金额", "direction": "交易说明"},
        "%Y-%m-%d", currency_in_amount=True, directions={"消费": "debit", "退货": "credit", "信用卡还款": "credit"}),
    # No year in the dates (`%m/%d`): bank_csv takes it from the title's statement month.
    "cmb-credit": Preset(
        "CMB credit card statement (招商银行信用卡对账单)",
        {"date": "记账日", "memo": "交易摘要", "amount": "人民币金额"},
        "%m/%d", positive_amounts="debit"),
}
