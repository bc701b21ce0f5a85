"""PingPong (乒乓) exports, CSV or XLSX, read through the column map in config.yaml.

PingPong publishes no format and no sample could be found, so nothing here is fixed
but what a statement must say. The config names the header of each column:

    pingpong:
      type: pingpong
      currency: USD
      columns: {date: 交易时间, id: 交易流水号, type: 交易类型, amount: 交易金额, currency: 币种,
                fee: 手续费, target_amount: 到账金额, target_currency: 到账币种, fx_rate: 汇率,
                status: 交易状态, balance: 账户余额, memo: 备注}
      types: {店铺回款: sale}      # the file's words for a type, beyond the defaults below

Required: date, id, type, amount, currency. The words of the type column mean (the
defaults; `types:` adds or overrides): 收款/回款/入账 sale, 退款 refund, 提现 payout,
提现退回/提现失败 payout-return, 结汇/换汇 conversion, 手续费 fee, 拒付 chargeback,
冻结 hold, 解冻 release, and the English words Collection, Refund, Withdrawal, FX,
Fee… An unknown word is an error that lists them.

Assumptions, stated because they could not be checked on a real file (the test files
under `tests/data/pingpong/` are ours):
- the type decides the direction: a file writes amounts unsigned (none negative: the
  type gives the sign) or signed, and then a sign that contradicts the type (a
  negative 收款, a positive 提现) is an error, never flipped;
- `fee` is a cost in the row's currency, taken from the money moved (net = amount − fee);
- a conversion (结汇) sells `amount` in `currency` and buys `target_amount` in
  `target_currency` (default: the channel's currency); with only `fx_rate`, the
  bought amount is `amount × fx_rate` rounded to the cent, and the import says so;
  with both, one that disagrees with them beyond their places is kept as `stated-rate`
  and said in the notes, the row booked as its amounts say (_stated_rate);
- times are China time (no zone in the file; the channel's `timezone:` says another)
  unless `date_format` says more, booked at the books' wall clock (toolkit zone_time);
  a date without a time stays its day;
- `balance`, when mapped, is the running balance of the row's currency after it.

    2026-03-05 * "PingPong" "结汇 USD to CNY" ^payout-PP20260305001
      id: "PP20260305001"
      fx-rate: "7.1234"
      fx-pair: "USD/CNY"
      Assets:Transit:PingPong        7123.40 CNY
      Assets:Clearing:PingPong      -1000.00 USD @ 7.1234 CNY

A conversion whose bought side leaves PingPong at once (结汇提现, to the bank) goes to
the transit account with a payout link when `target_*` is mapped and the type is
`payout`; a plain conversion stays in the clearing account in the other currency.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Context, Decimal, localcontext

from beancount.core.amount import Amount

from beanclear.importers.base import (BalanceChain, Extraction, StatementImporter, balance, closing_balances,
                                      description_order, fx_postings, link, next_day, posting, transaction)
from beanclear.importers.toolkit import (CHINA, StatementError, applied_rate, clean, currency_code, currency_places,
                                         header_key, name_key, parse_amount, parse_datetime, read_statement,
                                         writes_minus)

DEFAULT_TYPES = {"收款": "sale", "回款": "sale", "入账": "sale", "店铺回款": "sale", "退款": "refund", "提现": "payout",
                 "提现退回": "payout-return", "提现失败": "payout-return", "结汇": "conversion", "换汇": "conversion",
                 "手续费": "fee", "拒付": "chargeback", "冻结": "hold", "解冻": "release",
                 "collection": "sale", "receipt": "sale", "refund": "refund", "withdrawal": "payout",
                 "withdrawal returned": "payout-return", "fx": "conversion", "conversion": "conversion",
                 "fee": "fee", "chargeback": "chargeback", "hold": "hold", "release": "release"}
SIGN = {"sale": 1, "refund": -1, "payout": -1, "payout-return": 1, "conversion": -1, "fee": -1, "chargeback": -1,
        "hold": -1, "release": 1}
STATUSES = {"成功": True, "已完成": True, "完成": True, "success": True, "completed": True, "succeeded": True,
            "处理中": "pending (booked once done)", "pending": "pending (booked once done)",
            "processing": "pending (booked once done)", "失败": "failed (no money moved)",
            "failed": "failed (no money moved)", "已关闭": "closed (no money moved)", "关闭": "closed (no money moved)",
            "cancelled": "cancelled (no money moved)", "canceled": "cancelled (no money moved)"}
FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


class Importer(StatementImporter):
    kind = "pingpong export"
    local_zone = CHINA   # its times, written without an offset, are China's (the channel's `timezone:` wins)

    def account(self, filepath: str) -> str:
        return self.source.accounts.clearing

    def mapped_header(self):
        return self._mapped("channels", self.source.columns)

    def matches(self, head: str) -> bool:
        wanted = {header_key(h) for h in self.source.columns.values()}
        for line in head.splitlines()[:60]:
            if wanted <= {header_key(c.strip('"')) for c in line.split(",")}:
                return not self.source.account_id or self.source.account_id in head
        return False

    def parse(self, filepath: str) -> Extraction:
        names = self.source.columns
        st = read_statement(filepath, names.values(), f"{self.source.name} PingPong export (columns from config.yaml)",
                            stream=True)
        t, path = st.table, st.table.path
        col = {role: t.index(name) for role, name in names.items()}
        types = {name_key(word): role for word, role in {**DEFAULT_TYPES, **self.source.types}.items()}
        formats = (self.source.date_format,) if self.source.date_format else FORMATS
        # A file that writes any amount negative writes them all signed; else the type gives the sign.
        signed = any(writes_minus(r.cells[col["amount"]]) for r in t.rows if len(r.cells) > col["amount"])
        out, chains = Extraction(), defaultdict(BalanceChain)
        for row in self.each(t.rows):
            def get(role: str) -> str:
                return clean(row.cells[col[role]]) if role in col else ""

            def amount(role: str) -> Decimal:
                return parse_amount(get(role), path, row.line, names[role]) if get(role) else Decimal(0)

            out.rows += 1
            word = get("type")
            role = types.get(name_key(word))
            if role is None:
                raise StatementError(path, row.line, f"column {names['type']}: unknown type {word!r} (expected one "
                                     f"of {', '.join(sorted(types))}; add it under types: in config.yaml)")
            status = STATUSES.get(name_key(get("status")), None) if "status" in col else True
            if status is None:
                raise StatementError(path, row.line, f"column {names['status']}: unknown status {get('status')!r} "
                                     f"(expected one of {', '.join(STATUSES)})")
            if status is not True:
                out.skip(status)
                continue
            if role == "skip":
                out.skip(f"{word} (no money moved, per config)")
                continue
            stamp = f"{get('date')} {get('time')}".strip()
            when = parse_datetime(stamp, formats, path, row.line, names["date"])
            if ":" in stamp and when.tzinfo is None:   # a time, China's (or `timezone:`'s); a day stays its day
                when = self.local(when)
            currency = currency_code(get("currency"), path, row.line, names["currency"])
            raw = amount("amount")
            if signed and raw * SIGN[role] < 0:
                raise StatementError(path, row.line, f"column {names['amount']}: {raw} for a {word} ({role}), "
                                     f"expected {'money in (positive)' if SIGN[role] > 0 else 'money out'}")
            gross, fee = abs(raw) * SIGN[role], abs(amount("fee"))
            out.entries.append(self._entry(row.line, path, when, word, role, gross, fee, currency, get, amount,
                                           out.notes))
            if "balance" in col and get("balance"):
                chains[currency].append((when, row.line, gross - fee, amount("balance")))
        for currency, chain in sorted(chains.items()):
            for day, (line, number) in sorted(closing_balances(chain).items()):
                out.entries.append(balance(path, line, next_day(day), self.source.accounts.clearing, number, currency))
        return out

    def _entry(self, line, path, when, word, role, gross, fee, cur, get, amount, notes):
        acc = self.source.accounts
        ident = get("id")
        if not ident:
            raise StatementError(path, line, f"column {self.source.columns['id']}: expected the transaction id, "
                                 "got nothing")
        # the order: its own column where the export has one, else the one the 备注 names
        # as a Stripe or Airwallex description does (base.description_order: the checkout's
        # `Order #1001`, or the channel's order_pattern; blind31 crossborder3: "Shopify
        # Order #1001" paid no order, 54 order-unpaid)
        order = get("order_id") or (description_order(self.source, get("memo")) if role in ("sale", "refund") else "")
        meta = {"id": ident, "pingpong-type": word, "order-id": order, "pingpong-rate": get("fx_rate")}
        links, payee = [], get("payee") or None
        net = gross - fee
        if role == "conversion" or (role == "payout" and get("target_amount")):
            bought = self._bought(line, path, -gross, cur, get, amount, meta, notes)
            target = acc.transit if role == "payout" else acc.clearing
            postings, fx = fx_postings(acc.clearing, Amount(-gross, cur), target, bought)
            postings += [posting(acc.fees, fee, cur), posting(acc.clearing, -fee, cur)]  # the fee on top
            meta.update(fx)
            payee = "PingPong"
            if role == "payout":
                links.append(link("payout-", get("payout_id") or ident))
        elif role in ("payout", "payout-return"):
            links.append(link("payout-", get("payout_id") or ident))
            postings = [posting(acc.transit, -gross, cur), posting(acc.fees, fee, cur), posting(acc.clearing, net, cur)]
            payee = "PingPong"
        elif role in ("hold", "release"):
            postings = [posting(acc.reserve, -net, cur), posting(acc.clearing, net, cur)]
        elif role == "fee":
            postings = [posting(acc.fees, -gross, cur), posting(acc.clearing, gross, cur)]
        else:
            fees = acc.chargebacks if role == "chargeback" else acc.fees   # a chargeback is no refund (DESIGN §1)
            postings = [posting(acc.clearing, net, cur), posting(fees, fee, cur), posting(fees if role == "chargeback"
                        else acc.sales, -gross, cur)]
            if get("payout_id"):
                links.append(link("payout-", get("payout_id")))
            if order:
                links.append(link("order-", order))
        narration = " ".join(t for t in (word, get("memo")) if t)
        return transaction(path, line, when, payee, narration, meta, postings, links)

    def _bought(self, line, path, sold: Decimal, cur: str, get, amount, meta, notes) -> Amount:
        target = currency_code(get("target_currency"), path, line, "target_currency") \
            if get("target_currency") else self.source.currency
        if target == cur:
            raise StatementError(path, line, f"a conversion from {cur} to {target} (expected two currencies; map "
                                 "target_currency in config.yaml)")
        if get("target_amount"):
            bought = Amount(abs(amount("target_amount")), target)
            self._stated_rate(line, Amount(abs(sold), cur), bought, get("fx_rate"), meta, notes)
            return bought
        if not get("fx_rate"):
            raise StatementError(path, line, "a conversion without target_amount or fx_rate (expected one of them "
                                 "mapped in config.yaml and filled)")
        rate = parse_amount(get("fx_rate"), path, line, self.source.columns["fx_rate"])
        meta["target-amount"] = "computed: amount × fx_rate"
        return Amount((abs(sold) * rate).quantize(Decimal(1).scaleb(-currency_places(target))), target)

    def _stated_rate(self, line, sold: Amount, bought: Amount, stated: str, meta, notes) -> None:
        """A row stating both the amount bought and the rate (`fx_rate`, target per unit
        sold) whose three numbers disagree beyond what their places leave open: booked as
        the amounts say (the money that moved; `fx-rate` is the rate they imply, the one
        fx-gap judges), the rate kept as `stated-rate` and the difference said in `notes`,
        as a CAMT credit's (camt053._booked_rate): 1,000.00 USD for 6,500.00 CNY at a
        stated 7.0844 is never booked in silence. A rate that is no positive number is
        kept as written (`pingpong-rate`) and compared with nothing."""
        rate = Decimal(stated) if RATE.match(stated) else Decimal(0)
        if not rate or not sold.number:
            return
        cent = Decimal(1).scaleb(-currency_places(bought.currency))
        with localcontext(Context(prec=80)):
            implied = sold.number * rate
            slack = (cent                                                               # the amount bought's place
                     + Decimal(5).scaleb(sold.number.as_tuple().exponent - 1) * rate    # half the amount sold's
                     + bought.number * Decimal(5).scaleb(rate.as_tuple().exponent - 1) / rate)   # half the rate's
            if abs(bought.number - implied) <= slack:
                return
            implied = implied.quantize(cent)
        gap = bought.number - implied
        names = self.source.columns
        booked = applied_rate(sold.number, bought.number)
        notes.append(f"line {line}: {names['fx_rate']} {stated} would have paid {implied} {bought.currency} for "
                     f"{sold.number} {sold.currency}, but {names['target_amount']} says {bought.number} "
                     f"{bought.currency} ({abs(gap)} {bought.currency} {'less' if gap < 0 else 'more'}): booked at "
                     f"the rate the amounts imply, {booked:f}, the one fx-gap judges; {stated} kept as stated-rate")
        meta["stated-rate"] = stated


RATE = re.compile(r"^\d{1,12}(\.\d{1,12})?$")   # a rate as a number (no sign, no exponent), its places bounded
