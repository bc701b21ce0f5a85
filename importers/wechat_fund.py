"""WeChat Pay merchant fund bill (资金账单) of the basic account.

The fund bill is the ledger of the money WeChat holds for the merchant. Its
withdrawals (提现) are payouts: they leave the clearing account for the transit
account until the bank statement shows them arrive. Its running balance (账户结余)
becomes a `balance` assertion on the clearing account, so the books prove they hold
what WeChat says it holds (and what the trade bill books on another day, in flight:
books/in_flight.py):

    2026-03-02 * "WeChat Pay" "Withdrawal 提现" ^payout-1000…
      id: "1000…"
      Assets:Transit:WeChat         1234.50 CNY
      Assets:Clearing:WeChat       -1234.50 CNY

    2026-03-03 balance Assets:Clearing:WeChat   0.21 CNY

Payments, refunds and their fees are booked as they move money, by 微信支付业务单号 (the
微信订单号 of a payment and its fee, the 微信退款单号 of a refund: the ids the trade bill
books them by, so that either bill, imported second, finds them in the books):

    2026-03-01 * "WeChat Pay" "交易 S2026…" ^order-S2026…         ; gross, against sales
      id: "4200…"
      fund-id: "…"                      ; 资金流水单号
      order-id: "S2026…"                ; 业务凭证号: the 商户订单号
      Assets:Clearing:WeChat      100.00 CNY
      Income:Sales:WeChat        -100.00 CNY

    2026-03-01 * "WeChat Pay" "扣除交易手续费 S2026…" ^order-S2026…
      id: "fee 4200…"
      fee-of: "4200…"
      Expenses:Fees:WeChat          0.60 CNY
      Assets:Clearing:WeChat       -0.60 CNY

A 退款 leaves clearing against sales; its 备注 `退款总金额A元;含手续费F元` says the fee F
WeChat returned inside it (then sales get A back, the fee account F less). Its
业务凭证号 is the merchant's refund number (kept as `refund-order-id`) and its 资金流水单号
the refunded payment's 微信订单号: its order is that payment's, found in this bill, the
import's other bills or the books (ledger/statements/refund_orders.py).

A fee row is named, as the trade bill's `covers:` names it, by what it is the fee of,
whichever way it went: the payment its 微信支付业务单号 names, `fee <id>` (`fee-of`: a
fee charged, `支出`, or given back, `收入`, a rebate as the trade bill's 手续费
-0.10000); where this bill's 退款 row has that id, that refund's, `fee-back <id>`
(`fee-back-of`), as the fee a 退款 row holds (含手续费). Named by its way, a rebate was
`fee-back`, the trade bill's `fee`: booked twice, the 0.10 too much in clearing hidden by
an opening no bill states (blind30). A 提现 of 0.00 moves nothing, which way it says:
skipped, `zero amount`, as every row of 0. Any other kind of row is an error, never
silently dropped.
"""

from __future__ import annotations

import re
from decimal import Decimal

from beancount.core import data

from beanclear.importers.base import (
    BalanceChain,
    Extraction,
    FundView,
    StatementImporter,
    balance,
    closing_balances,
    compare_summary,
    link,
    next_day,
    posting,
    transaction,
)
from beanclear.books.spill import like
from beanclear.statements import refund_orders
from beanclear.importers.toolkit import (
    CHINA,
    StatementError,
    clean,
    first_row_keys,
    header_key,
    named_day,
    parse_amount,
    parse_datetime,
    parse_magnitude,
    read_statement,
)

HEADER = ("记账时间", "微信支付业务单号", "资金流水单号", "业务类型", "收支类型", "收支金额(元)", "账户结余(元)")
SUMMARY = "资金流水总笔数"
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
TRADES, REFUNDS, FEES = {"交易"}, {"退款"}, {"扣除交易手续费", "手续费", "交易手续费"}
REFUND_NOTE = re.compile(r"退款总金额\s*(-?[\d.]+)\s*元[;；]\s*含手续费\s*(-?[\d.]+)\s*元")
WITHDRAWAL = "提现"
# Its payments, fees and refunds, as the trade bill's import finds them in the books (base.FundView)
VIEW = FundView("fund-id", own_ids=False, kinds=frozenset(TRADES | REFUNDS | FEES), payee="WeChat Pay")
WITHDRAWAL_RETURNED = {"提现退票", "提现失败退回", "提现退回"}


class Importer(StatementImporter):
    kind = "wechat fund bill"
    local_zone = CHINA   # its times are China's (FORMATS §3), the books' wall clock in theirs
    daily_name = "fundflow"   # as `beanclear fetch` archives a day's bill
    is_fund_view = True   # what its trade view books on another day is in flight (books/in_flight.py)
    # Its refunds name the payment they refund, not their order: marked as they are read
    # (refund_orders.mark), in the books by their `fund-id` line (on a refund: with its
    # refund number's line), they take the payment's order and `refund-of`, in the bill,
    # the import, the books or when the payment comes (books/late_refunds.py)
    names_orders = refund_orders.Names(written=("fund-id",), only="refund-order-id")

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        if not {header_key(h) for h in HEADER} <= first_row_keys(head):
            return False
        # 资金变更提交申请人 is `<商户号>API` or a person; it names the merchant when present.
        return not self.source.account_id or self.source.account_id in head or "API" not in head

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "WeChat Pay fund bill (资金账单)",
                            summary_starts=SUMMARY, summary_required=True, stream=True,
                            full_rows=False)   # rows short of their empty cells, as the trade bill's (FORMATS §3)
        t, path = st.table, st.table.path
        col = {name: t.index(name) for name in HEADER}
        col["业务名称"] = t.index("业务名称", required=False)
        col["备注"] = t.index("备注", required=False)
        col["业务凭证号"] = t.index("业务凭证号", required=False)  # the 商户订单号 (商户退款单号 of a refund)
        acc, currency = self.source.accounts, self.source.currency
        out, balances = Extraction(), BalanceChain()
        income = [0, Decimal(0)]
        expense = [0, Decimal(0)]
        refunds, theirs = set(), set()   # the ids of its 退款 rows; of those with a fee row (fees_of_refunds)
        # the ids of the fee rows of one 记账时间, a row's and its fee's (not every fee row's:
        # a bill of a million payments would hold them all)
        at, fees_now = None, set()
        for row in self.each(t.rows):
            def get(name: str) -> str:
                return clean(row.cells[col[name]]) if col.get(name) is not None else ""

            out.rows += 1
            when = self.local(parse_datetime(get("记账时间"), TIME_FORMATS, path, row.line, "记账时间"))
            number = parse_magnitude(get("收支金额(元)"), path, row.line, "收支金额(元)")   # 收支类型 says the way
            direction = get("收支类型")
            if direction == "收入":
                income[0] += 1
                income[1] += number
                signed = number
            elif direction == "支出":
                expense[0] += 1
                expense[1] += number
                signed = -number
            else:
                raise StatementError(path, row.line, f"column 收支类型: expected 收入 or 支出, got {direction!r}")
            after = parse_amount(get("账户结余(元)"), path, row.line, "账户结余(元)")
            balances.append((when, row.line, signed, after))
            kind = get("业务类型") or get("业务名称")
            ident = get("微信支付业务单号") or get("资金流水单号")
            if kind in TRADES | REFUNDS | FEES:
                if not get("微信支付业务单号"):
                    raise StatementError(path, row.line, f"column 微信支付业务单号: expected the id of a {kind} row, "
                                         "got nothing")
                if when != at:
                    at, fees_now = when, set()
                if kind in FEES:
                    fees_now.add(ident)
                    if ident in refunds:
                        theirs.add(ident)
                elif kind in REFUNDS:
                    refunds.add(ident)
                    if ident in fees_now:
                        theirs.add(ident)
                out.entries.append(trade_entry(path, row.line, when, kind, get, signed, acc, currency))
            elif kind == WITHDRAWAL or kind in WITHDRAWAL_RETURNED:
                way = "支出" if kind == WITHDRAWAL else "收入"
                # 0.00 goes no way (blind30: `支出 (expected 支出)`, read from the sign of 0):
                # its entry moves nothing, and is skipped as every row of 0 (base.moving_money)
                if number and direction != way:
                    raise StatementError(path, row.line, f"{kind} row with 收支类型 {direction} (expected {way})")
                out.entries.append(transaction(
                    path, row.line, when, "WeChat Pay", f"Withdrawal {kind} {get('备注')}".strip(),
                    {"id": get("资金流水单号") or ident, "payout-id": ident},
                    [posting(acc.transit, -signed, currency), posting(acc.clearing, signed, currency)],
                    [link("payout-", ident)]))
            else:
                raise StatementError(path, row.line, f"column 业务类型: unknown kind {kind!r} (expected "
                                     f"{WITHDRAWAL}, {', '.join(sorted(WITHDRAWAL_RETURNED | TRADES | REFUNDS | FEES))})")
        fees_of_refunds(out, theirs)
        refund_orders.within(out, lambda order: link("order-", order), self.names_orders)
        for day, (line, amount) in sorted(closing_balances(balances).items()):
            out.entries.append(balance(path, line, next_day(day), acc.clearing, amount, currency))
        stated = {"rows": st.total("资金流水总笔数"), "income": st.total("收入金额"), "expense": st.total("支出金额")}
        actual = {"rows": out.rows, "income": income[1], "expense": expense[1]}
        compare_summary(out, stated, actual)
        quiet_day(out, filepath, self.daily_name)
        return out


def quiet_day(out: Extraction, filepath: str, daily_name: str) -> None:
    """A bill without rows says which day it is of only by the name `beanclear fetch` gives
    it (WeChat's bills state no period: toolkit.named_day); under another name no day is
    known to be covered, and a note says so rather than recording none in silence."""
    if out.rows == 0 and named_day(filepath, daily_name) is None:
        out.notes.append(f"no rows, and a WeChat bill states no period: no day is recorded as covered (a day's "
                         f"bill named as `beanclear fetch` names it, {daily_name}-YYYY-MM-DD.csv, covers that day)")


def fees_of_refunds(out: Extraction, ids: set[str]) -> None:
    """The fee rows of `ids`, the bill's refunds that have one (before or after the 退款
    row, at its 记账时间, as a payment's fee row is at the payment's), named as the trade
    bill names a refund's fee, `fee-back <id>` (`fee-back-of`), whichever way it went.
    Such a refund's 退款 row, holding no fee of its own (no 含手续费), covers none: it
    moves its whole amount, the trade bill's entry the net, which covers the fee row."""
    if not ids:
        return
    kept = like(out.entries)   # (a spilled entry is not changed in place)
    for entry in out.entries:
        meta = entry.meta if isinstance(entry, data.Transaction) else None
        if meta is not None and meta.get("fee-of") in ids:
            ident = meta["fee-of"]
            meta = {("fee-back-of" if k == "fee-of" else k): v for k, v in meta.items() if k != "_was"}
            meta["id"] = f"fee-back {ident}"
            former = former_name(ident, entry.postings[0].units.number)   # (its clearing posting)
            if former != meta["id"]:
                meta["_was"] = (former,)
            entry = entry._replace(meta=meta)
        elif meta is not None and meta.get("id") in ids and "covers" in meta and "_fee_part" not in meta:
            entry = entry._replace(meta={k: v for k, v in meta.items() if k != "covers"})
        kept.append(entry)
    out.entries = kept


def former_name(ident: str, signed: Decimal) -> str:
    """The id releases before blind30 gave a fee row, by its way: books they wrote hold it,
    and know the row by it (`_was`, render.transaction_identities), not booked again."""
    return f"fee {ident}" if signed < 0 else f"fee-back {ident}"


def trade_entry(path, line, when, kind, get, signed, acc, currency):
    """A payment, refund or fee row, by the id the trade bill books it by."""
    ident, voucher = get("微信支付业务单号"), get("业务凭证号")
    meta = {"id": ident, "covers": None, "fund-id": get("资金流水单号")}
    postings = [posting(acc.clearing, signed, currency)]
    if kind in FEES:   # a payment's, whichever way it went (a refund's: fees_of_refunds)
        former = former_name(ident, signed)
        meta.update({"id": f"fee {ident}", "fee-of": ident, "_was": (former,) if former != f"fee {ident}" else None})
        postings.append(posting(acc.fees, -signed, currency))
    elif kind in REFUNDS:
        meta.update({"covers": f"fee-back {ident}", "refund-order-id": voucher})  # the fee returned is inside
        refund_orders.mark(meta, get("资金流水单号"))   # WeChat writes the refunded payment's id there
        stated = REFUND_NOTE.search(get("备注"))
        total, fee = (Decimal(stated.group(1)), Decimal(stated.group(2))) if stated else (-signed, Decimal(0))
        if total - fee != -signed:  # the note is not of this amount: the amount is all we know
            total, fee = -signed, Decimal(0)
        postings += [posting(acc.fees, -fee, currency), posting(acc.sales, total, currency)]
        if fee:
            meta["_fee_part"] = (f"fee-back {ident}", {"fee-back-of": ident}, acc.fees, acc.clearing)
    else:
        postings.append(posting(acc.sales, -signed, currency))
    if kind not in REFUNDS:
        meta["order-id"] = voucher
    narration = " ".join(t for t in (kind, voucher, get("备注")) if t)
    links = [link("order-", voucher)] if voucher and kind not in REFUNDS else []
    return transaction(path, line, when, "WeChat Pay", narration, meta, postings, links)
