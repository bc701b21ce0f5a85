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
}
