"""Alipay merchant trade detail (业务明细), channel type `alipay`.

From the merchant portal or `alipay.data.dataservice.bill.downloadurl.query` (bill_type
`trade`): GBK, `#` comment lines above the header (`#支付宝业务明细查询`, `#账号：[2088…]`,
the period) and below the rows (`#…业务明细列表结束…`, `#交易合计：N笔，商家实收共X元，
商家优惠共Y元`, `#退款合计：…`, `#导出时间：…`), every id protected by a trailing TAB.

Each 交易 row is a payment: the merchant received 商家实收 of the 订单金额, Alipay keeps
服务费, and what the merchant itself gave away (商家优惠, 商家红包, coupons: 订单金额 −
商家实收) is a discount, so that sales are the full order and every column adds up
(inside the receivable instead where the payment clears an order of a shop whose price
holds it: base.to_receivable; Taobao's 总金额 does not). Alipay-funded discounts
(支付宝红包, 集分宝, 支付宝优惠) are paid to the merchant inside 商家实收 and are kept as
metadata:

    2019-09-16 * "*津水(602***@qq.com)" "Order service_123 / 下单测试" ^order-service_123
      id: "2019091622001413331000425453"
      Assets:Clearing:Alipay            99.40 CNY
      Expenses:Fees:Alipay               0.60 CNY
      Income:Sales:Alipay             -100.00 CNY

A 退款 row repeats the 支付宝交易号 with negative amounts and its 退款批次号/请求号; the
pair is its id (`<交易号>/<批次号>`), and the same postings with those signs reverse the
sale, the discount and any fee Alipay returns.

The fund ledger (账务明细, alipay_fund.py) lists the same money again, as a row for each
payment, fee and refund. Whichever of the two is imported books it (DESIGN.md §1): each
entry also names (`covers:`, render.identities) the fund ledger rows it stands for —
`fee <交易号>` for the fee of a payment; `refund <交易号> <商家实收>` and
`fee-back <交易号> <fee>` for a refund and the fee it returns (the ledger knows no
batch; a second refund of the same amount is `… #2`: in one statement number_repeats,
in a later file books/repeats.py) — so either file, imported second, finds its money
already in the books.

A day without trades gives a bill with the header, no rows and a footer counting 0
(`#交易合计：0笔`, `#退款合计：0笔`): a statement without entries that covers its stated
period (says_no_rows; the fund ledger's `#收入合计：0笔` alike). A header with nothing
under it and no footer saying so is refused as cut off.

The download holds beside each 明细 its 汇总 (`…_业务明细(汇总).csv`, first line
`#支付宝业务汇总查询`; `#支付宝账务汇总查询` beside the 账务明细): sums of the 明细's rows,
no money of their own. An import leaves one out of a folder, saying what it is, and
refuses one given alone (base.SummaryFile, books/identify.py summary_file).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Callable

from beanclear.importers.account_ids import is_of
from beanclear.importers.base import (Extraction, StatementImporter, SummaryFile, channel_order_link, compare_footer,
                                      posting, transaction)
from beanclear.books.render import COVERS_SEPARATOR as COVERS
from beanclear.books.idset import Ids
from beanclear.books.spill import like, metas
from beanclear.books.render import covered, repeated
from beanclear.importers.toolkit import (CHINA, StatementError, Statement, header_in, in_places, money,
                                        parse_amount, parse_datetime, read_statement)

HEADER = ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）", "商家实收（元）", "服务费（元）")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
ALIPAY_FUNDED = {"支付宝红包（元）": "alipay-red-packet", "集分宝（元）": "jifenbao", "支付宝优惠（元）": "alipay-discount"}
MERCHANT_FUNDED = {"商家优惠（元）": "merchant-discount", "商家红包消费金额（元）": "merchant-red-packet",
                   "券核销金额（元）": "voucher", "卡消费金额（元）": "card"}
TOTAL = re.compile(r"#(交易|退款)合计[：:]\s*(\d+)笔[,，]\s*商家实收(?:退款)?共(-?[\d,.]+)元[,，]\s*商家优惠(?:退款)?共(-?[\d,.]+)元")


class MerchantBill(StatementImporter):
    local_zone = CHINA   # its times are China's (FORMATS.md), the books' wall clock in theirs
    """What the two Alipay merchant bills share: the account, identification by header."""

    HEADER: tuple[str, ...] = ()

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:  # the 2088… account is named in the `#账号：[…]` line
        if not header_in(head, self.HEADER):
            return False
        account_id = self.source.account_id
        if not account_id:
            return True
        stated = is_of(account_id, head)   # not a 对方账号 of the rows (account_ids.py)
        return account_id in head if stated is None else stated


def says_no_rows(total: re.Pattern) -> Callable[[Statement], bool]:
    """read_statement's `says_empty` for a bill whose footer counts its rows (`total`, a
    `#…合计：N笔` line, N its second group): every count it states is 0. A day's bill
    of a quiet day says so (`#交易合计：0笔`, `#退款合计：0笔`): it covers that day."""
    def says(st: Statement) -> bool:
        counts = [int(found.group(2)) for row in st.footer
                  if (found := total.match(",".join(row.cells).strip()))]
        return bool(counts) and not any(counts)
    return says


class Importer(MerchantBill):
    kind = "alipay trade detail"
    summary_file = SummaryFile("#支付宝业务汇总查询", "Alipay's 业务汇总", "业务明细")
    daily_name = "trade"   # as `beanclear fetch` archives a day's bill
    shows_payouts = False  # its payouts are in the channel's other statement
    books_first = True   # in one import with the fund view: it knows the discounts and the fee rate
    HEADER = HEADER

    @property
    def fund_view(self):
        """What it books replaces what the books hold of it as the 账务明细's (late_views.py)."""
        from beanclear.importers.alipay_fund import VIEW   # that module builds on this one
        return VIEW

    def parse(self, filepath: str) -> Extraction:
        st = read_statement(filepath, HEADER, "Alipay 业务明细 (trade detail)", footer=r"^#", stream=True,
                            says_empty=says_no_rows(TOTAL))
        t, path = st.table, st.table.path
        names = (*HEADER, "商品名称", "创建时间", "完成时间", "对方账户", "退款批次号/请求号", "分润（元）", "门店名称", "备注",
                 *ALIPAY_FUNDED, *MERCHANT_FUNDED)
        cell = t.getter(*names)
        acc, currency = self.source.accounts, self.source.currency
        out = Extraction()
        totals = {f"{k} {m}": Decimal(0) for k in ("交易", "退款") for m in ("rows", "received", "merchant discount")}
        for row in self.each(t.rows):
            def get(name: str) -> str:
                return cell(row, name)

            def amount(name: str) -> Decimal:
                return parse_amount(get(name), path, row.line, name) if get(name) else Decimal(0)

            out.rows += 1
            kind, trade_id, order_id = get("业务类型"), get("支付宝交易号"), get("商户订单号")
            if kind not in ("交易", "退款"):
                raise StatementError(path, row.line, f"column 业务类型: unknown kind {kind!r} (expected 交易 or 退款)")
            if not trade_id:
                raise StatementError(path, row.line, "column 支付宝交易号: expected the trade number, got nothing")
            sign = 1 if kind == "交易" else -1
            # 服务费 is written with either sign (`0.60` or `-0.60`): the row's kind says which
            # way it went, a cost on a 交易, a fee given back on a 退款.
            ordered, received = amount("订单金额（元）"), amount("商家实收（元）")
            fee = money(sign * abs(amount("服务费（元）")))
            totals[f"{kind} rows"] += 1
            totals[f"{kind} received"] += received
            totals[f"{kind} merchant discount"] += amount("商家优惠（元）")
            if sign * ordered < 0 or sign * received < 0:
                raise StatementError(path, row.line, f"a {kind} row with 订单金额 {ordered} and 商家实收 {received} "
                                     f"(expected {'positive' if sign > 0 else 'negative'} amounts)")
            discount = ordered - received
            if sign * discount < 0:
                raise StatementError(path, row.line, f"商家实收 {received} is more than 订单金额 {ordered}")
            when = self.local(parse_datetime(get("完成时间") or get("创建时间"), TIME_FORMATS, path, row.line, "完成时间"))
            meta = {"id": trade_id, "covers": f"fee {trade_id}" if fee else None, "order-id": order_id}
            if fee:  # the fund ledger's 收费 row; booked alone should that row's twin be in the books
                meta["_fee_part"] = (f"fee {trade_id}", {"fee-of": trade_id}, acc.fees, acc.clearing)
            if kind == "退款":
                batch = get("退款批次号/请求号")
                if not batch:
                    raise StatementError(path, row.line, "column 退款批次号/请求号: expected the refund batch, got nothing")
                covers = [f"refund {trade_id} {money(-received):f}"] + ([f"fee-back {trade_id} {-fee:f}"] if fee else [])
                meta = {"id": f"{trade_id}/{batch}", "covers": COVERS.join(covers), "refund-of": trade_id,
                        "refund-id": batch, "order-id": order_id}
                if fee:
                    meta["_fee_part"] = (covers[1], {"fee-back-of": trade_id}, acc.fees, acc.clearing)
            for name, key in {**ALIPAY_FUNDED, **MERCHANT_FUNDED, "分润（元）": "profit-share"}.items():
                if amount(name):
                    meta[key] = f"{in_places(amount(name), currency)}"
            if amount("分润（元）"):
                out.notes.append(f"line {row.line}: 分润 {amount('分润（元）')} is kept as metadata, not booked "
                                 "(the fund ledger shows where it went)")
            item = get("商品名称")
            what = "Order" if kind == "交易" else "Refund of order"
            out.entries.append(transaction(
                path, row.line, when, get("对方账户"), f"{what} {order_id} / {item}".strip(" /"), meta,
                [posting(acc.clearing, received - fee, currency), posting(acc.fees, fee, currency),
                 posting(acc.discounts, discount, currency), posting(acc.sales, -ordered, currency)],
                [channel_order_link(order_id, self.source)] if order_id else []))
        out.entries = number_repeats(out.entries)
        compare_footer(out, st.footer, TOTAL, lambda kind, count, received, discount: {
            f"{kind} rows": int(count), f"{kind} received": Decimal(received.replace(",", "")),
            f"{kind} merchant discount": Decimal(discount.replace(",", ""))}, totals, "#交易合计 / #退款合计")
        return out


def number_repeats(entries):
    """An identity `covers:` names twice in one statement (two refunds of 20.00 of one
    trade) is `… #2` the second time, in time order — in either view, so two stay two.
    The entries, with those renamed (a new store: a spilled entry cannot change in place).

    A pass keeps only the names (idset.Ids: on disk past a limit); the few entries that
    name one twice (or write `covers:` other than joined) are sorted and renamed alone:
    whatever the statement's length, only they are held."""
    names, twice, odd = Ids(), Ids(), set()
    for at, meta in enumerate(metas(entries)):
        text = meta.get("covers", "") if meta is not None else ""
        named = covered(text)
        for name in named:
            if not names.add(name):
                twice.add(name)
        if named and COVERS.join(named) != text:
            odd.add(at)
    del names
    if not twice and not odd:
        return entries
    chosen = sorted((e.date, e.meta.get("time", ""), e.meta["lineno"], at, e.meta) for at, e in enumerate(entries)
                    if at in odd or any(n in twice for n in covered(e.meta.get("covers", ""))))
    seen: Counter = Counter()
    fixed: dict[int, dict] = {}
    for *_, at, meta in chosen:
        renamed = {}
        for name in covered(meta["covers"]):
            seen[name] += 1
            renamed[name] = repeated(name, seen[name])
        meta = fixed[at] = {**meta, "covers": COVERS.join(renamed.values())}
        part = meta.get("_fee_part")
        if part:
            meta["_fee_part"] = (renamed[part[0]], *part[1:])
    out = like(entries)
    for at, entry in enumerate(entries):
        out.append(entry._replace(meta=fixed[at]) if at in fixed else entry)
    return out