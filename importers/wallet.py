"""Personal wallets a merchant collects on (Alipay, WeChat and JD personal bills): the
account model every personal-bill importer shares.

A personal bill lists every movement of one person's wallet: the sales the merchant
collected on it (收款码, transfers from customers), and everything else the person paid,
moved or was refunded. Each row is money moving from one account to another:

- the wallet's balance (Alipay 余额, WeChat 零钱, JD 余额) is the channel's **clearing**
  account; so is a bank or credit card *paying* through the wallet: the card's bank
  statement shows the same payment, and the bank importer books that line into this
  clearing account too (banking.py), so the payment is counted once and clearing nets.
  A top-up of the balance from a card (充值) is such a payment whose other side is the
  balance: both its postings are on clearing, the card's out and the balance's in, so
  that the clearing check pairs it with the bank's debit, as it pairs a purchase
  (checks/card_payments.py);
- money the wallet sends *to* a card (a refund to the card, a withdrawal 提现) goes to
  the **transit** account, where the bank's credit meets it, as a channel payout does;
- 余额宝 / 零钱通 / 小金库 are the **savings** account, 花呗 / 花呗分期 / 分付 / 白条 the
  **credit** account (a liability) of the channel;
- a bill without a method column (Alipay's web export) books its rows as the balance's,
  `method: "unknown"` (UNSTATED): a card's bank debit may meet them in clearing, as a card
  row's does (checks/card_payments.py);
- the other side is the channel's **sales** account when the row is a sale (the
  channel's `sales:` rules over category, counterparty and item; without them, what the
  bill itself calls a collection: `COLLECTIONS`), else the account of
  the first config `rules:` pattern found in the row's text, else `Assets:Suspense`
  (a finding until a person classifies it).

    2025-09-20 * "温州示例科技" "项目结算-验收尾款"          ; 收入, a sale
      id: "2025000000001026IN"
      Assets:Clearing:AlipayMe        6000.00 CNY
      Income:Sales:AlipayMe          -6000.00 CNY

    2025-11-08 * "babycare**店" "babycare…纸尿裤"            ; 支出 with 花呗, no rule
      id: "2025000000001022AP"
      method: "花呗"
      Assets:Suspense                  189.91 CNY
      Liabilities:Credit:AlipayMe     -189.91 CNY

    2026-03-06 * "招商银行" "充值-普通充值"                  ; 不计收支 from a card: a top-up
      id: "2026030622001000000000003"
      method: "招商银行(6688)"
      Assets:Clearing:AlipayMe         300.00 CNY
      Assets:Clearing:AlipayMe        -300.00 CNY

Rows whose direction the bill leaves neutral (不计收支, 其他, `/`) are booked only where
their kind says which way the money went (a refund comes back to the payment method;
a 余额宝 transfer goes from the balance to savings; a withdrawal goes to the bank);
a neutral row of a kind not known here is skipped with a reason naming it, never
given a guessed sign. Combined funding (`中信银行信用卡(6428)&红包`) is booked from the
first method: the bill does not say how much the red packet paid (counted in a note).

A bill is read in two passes (`with_ids`), as a stream past toolkit's STREAM_FROM: the
first keeps only what booking a row needs of the whole file, in idset.Ids (on disk past
LIMIT_IDS): the ids the file repeats (such a row's id is qualified by a digest of what
it says: base.RepeatedIds) and the trade numbers its refunds name (`refunds`); the
second books. The totals a bill states are read from its preamble and footer
(`stated_text`), never from the whole text. A bill that counts 0 records (`共0笔记录`)
and holds none is a quiet period's statement: no entries, its stated period covered
(`says_no_records`); a header with no rows under it that counts some is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from beanclear.books.idset import Ids
from beanclear.books.spill import metas
from beanclear.importers.account_ids import is_of
from beanclear.importers.base import (Extraction, RepeatedIds, StatementImporter, channel_order_link, compare_summary,
                                      link, posting, rule_account, transaction)
from beanclear.importers.toolkit import CHINA, Row, Statement, clean, header_in

BALANCE_METHODS = {"", "余额", "账户余额", "零钱", "钱包余额", "京东余额"}
# The method of a row whose statement has no method column (Alipay's web export): booked as
# the balance's, where a card's payment meets its bank debit too, and written, so that the
# checks and a statement that names the method (the app bill) know it is not said.
UNSTATED = "unknown"
SAVINGS_WORDS = ("余额宝", "零钱通", "小金库")
CREDIT_WORDS = ("花呗", "分付", "白条")


@dataclass
class Movement:
    """One row of a personal bill, as the importers read it."""

    path: str
    line: int
    when: dt.datetime
    ident: str
    amount: Decimal
    method: str = ""          # 收/付款方式 / 支付方式 as written
    category: str = ""
    counterparty: str = ""
    item: str = ""
    order_id: str = ""
    fee: Decimal = Decimal(0)  # what the wallet keeps of a withdrawal (WeChat 服务费 in 备注)
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return f"{self.counterparty} {self.item} {self.category}"


class WalletImporter(StatementImporter):
    """The postings of a personal wallet's rows (see the module docstring)."""

    HEADER: tuple[str, ...] = ()   # the names that identify the bill's header row
    ACCOUNT_LABEL = ""             # what precedes the account's name in the bill (支付宝账户：)
    COLLECTIONS: tuple = ()        # the rows that are sales where the config has no `sales:` (收款码)
    local_zone = CHINA             # a Chinese wallet's times are China's, the books' wall clock in theirs

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def matches(self, head: str) -> bool:
        if not header_in(head, self.HEADER):
            return False
        # account_id tells two wallets of one type apart: by the account the bill states
        # (a transfer row's 对方账号 may name the other); a bill that names its account
        # beyond the start read here (≤2022 Alipay: in the footer) is claimed by both.
        if not self.source.account_id:
            return True
        stated = is_of(self.source.account_id, head, self.ACCOUNT_LABEL)
        if stated is not None:
            return stated
        return self.source.account_id in head or self.ACCOUNT_LABEL not in head

    # -- the accounts of a row ---------------------------------------------------------

    def funding(self, method: str, direction: str) -> str:
        """The wallet-side account of a payment method; `direction` is "in" (money comes
        to it) or "out" (money is paid from it)."""
        acc = self.source.accounts
        first = method.split("&")[0].strip()
        if any(w in first for w in SAVINGS_WORDS):
            return acc.savings
        if any(w in first for w in CREDIT_WORDS):
            return acc.credit
        if not by_card(first):
            return acc.clearing
        return acc.clearing if direction == "out" else acc.transit  # a bank or credit card

    def counter(self, mv: Movement, incoming: bool = False) -> str:
        """The account on the other side: sales, a config rule, or suspense. Without
        `sales:`, only money coming in can be a collection (a 赞赏码 paid is a purchase)."""
        if self.is_sale(mv.category, mv.counterparty, mv.item, incoming):
            return self.source.accounts.sales
        return rule_account(self.config, mv.text) or self.config.suspense

    def is_sale(self, category: str, counterparty: str, item: str, incoming: bool) -> bool:
        sales = (self.COLLECTIONS if incoming else ()) if self.source.sales is None else self.source.sales
        return any(rule.matches(category, counterparty, item) for rule in sales)

    def book_back(self, out: Extraction, mv: Movement) -> None:
        """A sale given back (the refund of a collection, 退款-收钱码收款): out of the
        wallet, reversing the sale (DESIGN §1: refunds reverse the sale)."""
        self.move(out, mv, self.funding(mv.method, "out"), self.source.accounts.sales)

    # -- postings --------------------------------------------------------------------

    def move(self, out: Extraction, mv: Movement, source: str, dest: str, payout: bool = False,
             top_up: bool = False) -> None:
        """Book `mv.amount` leaving `source` for `dest`, less the fee (`mv.fee`) the
        wallet keeps of it: the bills write amounts that include their fee. Money from a
        card into the balance (`top_up`) is booked though both are clearing (the module
        docstring)."""
        if source == dest and not top_up:
            kind = mv.item or mv.category
            out.skip(f"{kind[:20]} (moves money within {source})")
            return
        acc, currency = self.source.accounts, self.source.currency
        links = []
        if payout:
            links.append(link("payout-", mv.ident))
            mv.meta["payout-id"] = mv.ident
        if mv.order_id and acc.sales in (source, dest):
            # the order it names, as on a payment that clears it: `T200P<n>` is Taobao order <n>
            links.append(channel_order_link(mv.order_id, self.source))
        meta = {"id": mv.ident, "order-id": mv.order_id,
                "method": mv.method if mv.method not in BALANCE_METHODS else "", **mv.meta}
        was = getattr(self, "was", {}).get(mv.ident)
        if was:
            meta["_was"] = was   # the ids books of earlier releases hold (with_ids)
        out.entries.append(transaction(
            mv.path, mv.line, mv.when, mv.counterparty, mv.item or mv.category, meta,
            [posting(dest, mv.amount - mv.fee, currency), posting(acc.fees, mv.fee, currency),
             posting(source, -mv.amount, currency)], links))

    def finish(self, out: Extraction) -> Extraction:
        """Notes every personal bill's import ends with."""
        combined = sum(1 for meta in metas(out.entries) if meta is not None and "&" in meta.get("method", ""))
        if combined:
            out.notes.append(f"{combined} rows paid with combined funding (`…&红包`): booked from the first "
                             "method, as the bill does not say how much the other part paid")
        return out

    def with_ids(self, rows: Iterable[Row], ident: Callable[[Row], str], content: Callable[[Row], str],
                 first: Callable[[Row], object] | None = None,
                 formers: Callable[[Row], Iterable[str]] | None = None) -> Iterator[tuple[Row, str]]:
        """Each data row (through each(), which reports progress) with its statement id,
        unique within the file (base.RepeatedIds): a repeated id is qualified by what the
        row means (`content`: said() of the columns the importer reads), never by how it is
        written, so that a copy Excel saved again (`2021/1/22`, `9.9`, empty columns added
        at the end of every row) finds its rows. A first pass over `rows` learns the ids
        the file repeats and calls `first(row)` on each row: what an importer must know of
        the whole file before it books a row. Rows read as a stream
        (read_statement(stream=True)) are read twice, never held. `ident` reads the id
        through its getter's `id` (toolkit.whole_id): an id Excel shortened to `4.2E+27`
        is refused in the first pass, before any row is booked.

        Earlier releases qualified a repeated id otherwise (`formers`, by default
        former_contents(): by every cell of the row, as written and as it means): such a
        row's entry also carries those ids, hidden (`_was`, render.transaction_identities),
        so that books written by them, which hold one, find the row held rather than
        booking it again."""
        ids = RepeatedIds()
        for row in rows:
            ids.add(ident(row))
            if first is not None:
                first(row)
        formers = formers or former_contents
        self.was: dict[str, tuple[str, ...]] = {}
        for row in self.each(rows):
            given = ident(row)
            qualified = ids.of(given, lambda: content(row))
            if qualified != given:
                was = dict.fromkeys(ids.of(given, c) for c in formers(row))
                was.pop(qualified, None)
                if was:
                    self.was[qualified] = tuple(was)
            yield row, qualified

    @staticmethod
    def refunds(is_refund: Callable[[Row], bool], trade: Callable[[Row], str]) -> tuple[Ids, Callable[[Row], None]]:
        """The trade numbers the file's refund rows name (Alipay writes a refund's as
        `<trade number>_<refund number>`), and what with_ids' first pass calls on each
        row to find them: (the set, an Ids, filled by that pass; the function)."""
        refunded = Ids()

        def note(row: Row) -> None:
            if is_refund(row):
                refunded.add(trade(row).split("_")[0])
        return refunded, note

    def book_in(self, out: Extraction, mv: Movement) -> None:
        """Money into the wallet, from the counter account (a sale, a refund)."""
        self.move(out, mv, self.counter(mv, incoming=True), self.funding(mv.method, "in"))

    def book_out(self, out: Extraction, mv: Movement) -> None:
        """Money out of the wallet, to the counter account (a purchase)."""
        self.move(out, mv, self.funding(mv.method, "out"), self.counter(mv))

    def neutral_kind(self, out: Extraction, mv: Movement, kinds: list[tuple[str, str]]) -> None:
        """Book a neutral row by the first of `kinds` — (regex over item and category,
        what it is) — that its text matches; an unknown kind is skipped and named."""
        acc = self.source.accounts
        text = f"{mv.item} {mv.category}"
        for pattern, kind in kinds:
            if not re.search(pattern, text):
                continue
            method_out = self.funding(mv.method, "out")
            if kind == "refund":
                self.book_in(out, mv)
            elif kind == "income-to-savings":      # 余额宝 收益, 转账收款到余额宝, 卖出至余额宝
                self.move(out, mv, self.counter(mv), acc.savings)
            elif kind == "to-savings":             # 余额 or a card -> 余额宝 / 零钱通 / 小金库
                self.move(out, mv, acc.clearing if method_out == acc.savings else method_out, acc.savings)
            elif kind == "savings-to-balance":
                self.move(out, mv, acc.savings, acc.clearing)
            elif kind == "savings-to-bank":
                self.move(out, mv, acc.savings, acc.transit, payout=True)
            elif kind == "withdrawal":             # 提现: the balance to the bank
                self.move(out, mv, acc.clearing, acc.transit, payout=True)
            elif kind == "top-up":                 # 充值 from a card: out of the card, into the balance
                self.move(out, mv, method_out, acc.clearing, top_up=method_out == acc.clearing and may_be_card(mv.method))
            elif kind == "credit-repayment":       # 花呗 / 分付 / 白条 repaid
                self.move(out, mv, method_out, acc.credit)
            elif kind == "sale-of-investment":     # 卖出 / 赎回 to the method named
                self.move(out, mv, self.counter(mv), self.funding(mv.method, "in"))
            elif kind == "payment":                # 买入, 信用卡还款, 购买理财通: out to the counter account
                self.book_out(out, mv)
            else:
                raise ValueError(kind)
            return
        out.skip(f"neutral row of unknown kind ({(mv.category or mv.item)[:20]}): direction not stated")


def by_card(method: str) -> bool:
    """Whether a row's payment method (as its `method` metadata keeps it) is a bank or
    credit card paying through the wallet, the card's bank line booked beside it in
    clearing (banking.py): any part of it other than the balance, savings or credit
    (`招商银行(6688)`, `中信银行信用卡(6428)&红包`). Not UNSTATED: that may be a card or not."""
    return method != UNSTATED and any(part.strip() not in BALANCE_METHODS
                                      and not any(w in part for w in SAVINGS_WORDS + CREDIT_WORDS)
                                      for part in method.split("&"))


def may_be_card(method: str) -> bool:
    """Whether a row's payment method is a card's (by_card) or one its statement does not
    state (UNSTATED): a row that may answer a card's bank debit naming the wallet."""
    return method == UNSTATED or by_card(method)


def _cells(row: Row) -> str:
    return "|".join(clean(c) for c in row.cells)


def said(get) -> Callable[[Row], str]:
    """The content with_ids qualifies a repeated id by: meaning() of the columns a getter
    (Table.getter) reads, whatever other cells the row has (the empty ones Excel or WPS
    adds at the end of every row of a copy it saves again, the trailing comma's)."""
    return lambda row: meaning(get.said(row))


TRAILING_KEPT = 8   # empty cells at a row's end that a bill of an earlier release may have had


def former_contents(row: Row) -> list[str]:
    """What releases before said() qualified a repeated id by, as with_ids recognises
    the ids they gave: the row's cells as written (_cells), and meaning() of every cell
    of the row, the empty ones at its end too (a bill's trailing comma). A copy Excel or
    WPS saved again adds empty cells at the end, so meaning() is also taken of the row
    without some of them: of the row cut after each of its last cells, from the last
    one that holds something to TRAILING_KEPT past it, one of which is the download's."""
    meant = [_meant(cell) for cell in row.cells]
    last = len(meant)
    while last and not meant[last - 1]:
        last -= 1
    widths = dict.fromkeys([len(meant), *range(last, min(len(meant), last + TRAILING_KEPT) + 1)])
    return [_cells(row), *("|".join(meant[:width]) for width in widths)]


WRITTEN_TIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
WRITTEN_AMOUNT = re.compile(r"^[-+]?[¥￥]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def meaning(cells: Iterable) -> str:
    """What a row's cells say, however a program that saved the file again writes them
    (the content a repeated id is qualified by: with_ids): each cleaned, a date and time
    as `2021-01-22 12:34:56` (Excel writes `2021/1/22 12:34:56`), an amount as its
    Decimal (`¥9.9`, `9.90` and `9.9` alike; `1,234.00` is 1234), a number cell (Excel
    may write an XLSX's as 28.16) the same. Text stays as written.

        ["2021/1/22 12:34:56", "支出", "¥9.9"]  ->  "2021-01-22 12:34:56|支出|9.9"
    """
    return "|".join(map(_meant, cells))


def _meant(cell) -> str:
    """What one cell says (meaning())."""
    text = clean(str(cell)) if cell is not None else ""
    stamp = WRITTEN_TIME.match(text)
    if stamp:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in stamp.groups())
        text = f"{y:04d}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}"
    elif WRITTEN_AMOUNT.match(text):
        number = Decimal(text.replace(",", "").replace("¥", "").replace("￥", "").replace("+", ""))
        text = f"{number.normalize():f}" if number else "0"
    elif isinstance(cell, Decimal):
        text = f"{cell.normalize():f}" if cell else "0"
    return text


def stated_text(st: Statement) -> str:
    """The text where a bill states its totals: the rows above its header and those of its
    footer, each as its cells joined by commas."""
    return "\n".join(",".join(r.cells) for r in (*st.preamble, *st.footer))


def says_no_records(st: Statement) -> bool:
    """read_statement's `says_empty` for a personal bill: it counts 0 records (`共0笔记录`,
    JD's `共：0笔记录`), a quiet period's bill rather than one cut after its header."""
    return re.search(r"共[：:]?\s*0笔记录", stated_text(st)) is not None


# `支出：16笔(含4笔部分退款)，1648.43元` (JD 2024): the parenthesis says the amount is net of refunds
TOTALS = re.compile(r"(收入|支出|不计收支|其他)[：:]\s*(\S+?)笔(?:[(（][^)）]*[)）])?[\s,，]*(-?[\d,.]+)元")


def compare_totals(out: Extraction, text: str, counts: Counter, sums: Counter, netted: Decimal = Decimal(0),
                   neutral_unstated: Decimal = Decimal(0)) -> None:
    """A personal bill's own totals (`共N笔记录`, `收入：N笔 X元`, `支出：…`, `不计收支：…` or
    `其他：…`, in its preamble or footer) against its rows (`counts` and `sums` by 收入,
    支出 and 其他 for the neutral rows). Anonymised counts (`x笔`) are left out. `netted`:
    the refunds of purchases the bill lists; Alipay states 支出 less them (a 2026 bill:
    支出 rows 10964.90, refunds of two of them 115.02, stated 10849.88), and so does JD
    for partial refunds (`支出：16笔(含4笔部分退款)，1648.43元`). `neutral_unstated`: the
    neutral rows a bill counts but leaves out of its 不计收支 amount (JD: a purchase
    refunded in full, a 先享后付 order not paid yet)."""
    stated, actual = {}, {}
    found = re.search(r"共[：:]?\s*(\d+)笔记录", text)
    if found:
        stated["rows"], actual["rows"] = int(found.group(1)), sum(counts.values())
    for kind, count, total in TOTALS.findall(text):
        key = kind if kind in ("收入", "支出") else "其他"
        if count.isdigit():
            stated[f"{kind} rows"], actual[f"{kind} rows"] = int(count), counts[key]
        stated[f"{kind} amount"], actual[f"{kind} amount"] = Decimal(total.replace(",", "")), sums[key]
    if netted and stated.get("支出 amount") == actual.get("支出 amount", 0) - netted:
        actual["支出 amount"] -= netted
    if neutral_unstated and stated.get("不计收支 amount") == actual.get("不计收支 amount", 0) - neutral_unstated:
        actual["不计收支 amount"] -= neutral_unstated
    compare_summary(out, stated, actual)
