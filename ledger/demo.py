"""`beanclear demo`: a quarter of an example merchant's statements, imported and checked.

For the config's WeChat Pay channel and the bank it pays out to, the demo writes what
the merchant would download for 2026-01-01 .. 2026-03-31:

    statements/<channel>/tradebill-2026-01.csv   交易账单 (bill_type=ALL), one per month
    statements/<channel>/fundflow-2026-01.csv    资金账单 (basic account), one per month
    statements/<bank>/<bank>-2026Q1.csv          the bank statement, newest line first

then imports them into the books, runs the checks and returns a summary. Everything
comes from one `random.Random(seed)`: the same seed gives the same bytes. With
`problems`, a few known problems are put in (each yields exactly its finding); without,
the checks find nothing at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Iterable

from beancount.core import data

from beanclear import checking, config as config_mod, importing
from beanclear.config import ConfigError

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
CENT, ZERO = Decimal("0.01"), Decimal("0.00")
MAIN_FIRST_LINE = "; The books of this merchant, kept by beanclear"
MARKER = ".beanclear-demo"              # in a books folder the demo wrote (and may rewrite)
DEMO_FILE = re.compile(r"[a-z][a-z0-9_-]*/((tradebill|fundflow)-\d{4}-\d{2}|[a-z][a-z0-9_-]*-\d{4}Q[1-4])\.csv")
TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
                "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
MENU = [("龙井", "68.00"), ("碧螺春", "58.00"), ("铁观音", "48.00"), ("大红袍", "88.00"), ("普洱熟茶", "78.00"),
        ("白毫银针", "128.00"), ("茉莉花茶", "36.80"), ("茶点拼盘", "38.00"), ("桂花糕", "18.00"), ("绿豆糕", "22.50"),
        ("包间茶位", "98.00")]
GIFTS = [("龙井礼盒", "288.00"), ("大红袍礼盒", "388.00"), ("普洱茶饼", "468.00"), ("紫砂茶具套装", "688.00")]
PAY_BANKS = ["OTHERS"] * 6 + ["CFT"] * 3 + ["ICBC_DEBIT", "CMB_CREDIT", "CCB_DEBIT", "ABC_DEBIT"]
BANK_TITLES = {"icbc": "中国工商银行", "cmb": "招商银行", "boc": "中国银行", "ccb": "中国建设银行"}
TENPAY = "财付通支付科技有限公司"


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def days(first: dt.date = START, last: dt.date = END) -> list[dt.date]:
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]


@dataclass
class Trade:
    """One trade-bill row: a payment (SUCCESS) or, with a refund_id, a refund (REFUND)."""

    time: dt.datetime
    trade_id: str
    order_id: str
    payer: str
    kind: str
    bank: str
    item: str
    ordered: Decimal
    coupon: Decimal
    fee: Decimal                  # a payment's fee; on a refund, minus the fee returned
    refund_id: str = ""
    refund_order_id: str = ""
    refunded: Decimal = ZERO

    @property
    def settled(self) -> Decimal:
        return self.ordered - self.coupon

    @property
    def net(self) -> Decimal:
        """What the row moves in the clearing account (and the fund balance)."""
        return self.settled - self.fee - self.refunded


class Till:
    """Makes one merchant's payments and refunds, every choice from one Random."""

    def __init__(self, rng: random.Random, merchant: str, contract: config_mod.FeeRule | None = None):
        self.rng, self.merchant = rng, merchant
        self.contract = contract or config_mod.FeeRule(rate=Decimal("0.006"), min=CENT)
        self.rate_text = f"{self.contract.rate * 100:.2f}%"
        self.app_id = "wx" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        self.payers = ["o" + "".join(rng.choice(chars) for _ in range(27)) for _ in range(400)]
        self.seq = 0

    def next(self) -> int:
        self.seq += 1
        return self.seq

    def fee(self, amount: Decimal) -> Decimal:
        """The contract's fee: rate x amount + fixed, within min and max, rounded half up."""
        rule = self.contract
        fee = max(amount * rule.rate + rule.fixed, rule.min if rule.min is not None else ZERO)
        fee = min(fee, rule.max) if rule.max is not None else fee
        return fee.quantize(CENT, ROUND_HALF_UP) if amount > 0 else ZERO

    def payments(self, day: dt.date, count: int) -> list[Trade]:
        """A day's payments between 08:00 and 22:30, in time order."""
        midnight = dt.datetime.combine(day, dt.time())
        seconds = sorted(self.rng.randrange(8 * 3600, 22 * 3600 + 1800) for _ in range(count))
        return [self.payment(midnight + dt.timedelta(seconds=s)) for s in seconds]

    def payment(self, when: dt.datetime) -> Trade:
        rng = self.rng
        if rng.random() < 0.05:
            name, price = rng.choice(GIFTS)
            items, ordered = [name], Decimal(price)
        else:
            items, ordered = [], ZERO
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                name, price = rng.choice(MENU)
                qty = rng.choice((1, 1, 1, 2))
                if ordered + qty * Decimal(price) <= 688:
                    items.append(name + (f"x{qty}" if qty > 1 else ""))
                    ordered += qty * Decimal(price)
        coupon = Decimal(rng.choice((5, 10, 20))).quantize(CENT) if ordered >= 58 and rng.random() < 0.08 else ZERO
        n = self.next()
        return Trade(when, f"420000{rng.randrange(10**4):04d}{when:%Y%m%d}{n:010d}", f"QF{when:%Y%m%d%H%M%S}{n:05d}",
                     rng.choice(self.payers), rng.choice(("MICROPAY",) * 6 + ("JSAPI",) * 3 + ("NATIVE",)),
                     rng.choice(PAY_BANKS), "清风茶舍-" + "/".join(items), ordered, coupon,
                     self.fee(ordered - coupon))

    def refund(self, paid: Trade, when: dt.datetime) -> Trade:
        """A refund of one item (a small order in full), the fee returned in proportion.
        Under 100.00: one a day stays below refund-surge's floor, whatever the seed."""
        cents = int(paid.settled * 100)
        full = cents <= 9800 and self.rng.random() < 0.7
        amount = paid.settled if full else money(self.rng.randint(min(1800, cents // 2), min(cents - 1, 9800)))
        returned = (paid.fee * amount / paid.settled).quantize(CENT, ROUND_HALF_UP)
        n = self.next()
        return Trade(when, paid.trade_id, paid.order_id, paid.payer, paid.kind, paid.bank, paid.item, ZERO, ZERO,
                     -returned if returned else ZERO, f"50300{self.rng.randrange(10**4):04d}{when:%Y%m%d}{n:012d}",
                     f"RF{when:%Y%m%d%H%M%S}{n:05d}", amount)


def _line(cells: Iterable[str]) -> str:
    cells = list(cells)
    if any("," in c or "\n" in c for c in cells):
        raise ValueError(f"a cell with a comma or newline: {cells}")
    return ",".join("`" + c for c in cells) + "\n"


def write_trade_bill(path: Path, rows: Iterable[Trade], till: Till) -> int:
    """Stream trade-bill rows (in time order) into a v2 `bill_type=ALL` file with its
    summary lines; returns the number of rows. Memory does not grow with the rows."""
    count, settled, refunded, fee, ordered = 0, ZERO, ZERO, Decimal("0.00000"), ZERO
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(TRADE_HEADER + "\n")
        for t in rows:
            refund = bool(t.refund_id)
            fh.write(_line((
                f"{t.time:%Y-%m-%d %H:%M:%S}", till.app_id, till.merchant, "0", "", t.trade_id, t.order_id, t.payer,
                t.kind, "REFUND" if refund else "SUCCESS", t.bank, "CNY", f"{t.settled:.2f}", f"{t.coupon:.2f}",
                t.refund_id or "0", t.refund_order_id or "0", f"{t.refunded:.2f}", "0.00",
                "ORIGINAL" if refund else "", "SUCCESS" if refund else "", t.item, "", f"{t.fee:.5f}",
                till.rate_text, f"{t.ordered:.2f}", f"{t.refunded:.2f}", "")))
            count, settled, refunded = count + 1, settled + t.settled, refunded + t.refunded
            fee, ordered = fee + t.fee, ordered + t.ordered
        fh.write(TRADE_SUMMARY + "\n")
        fh.write(_line((str(count), f"{settled:.2f}", f"{refunded:.2f}", "0.00", f"{fee:.5f}", f"{ordered:.2f}",
                        f"{refunded:.2f}")))
    return count


@dataclass
class Problem:
    """A problem the demo put into the statements on purpose, and the ids it involves."""

    code: str
    date: dt.date
    ids: tuple[str, ...]
    what: str


@dataclass
class Quarter:
    trades: list[Trade] = field(default_factory=list)
    fund: list[tuple] = field(default_factory=list)     # (time, business id, flow id, kind, amount, after, memo, voucher)
    payouts: list[tuple] = field(default_factory=list)  # (date, payout id, amount)
    bank: list[tuple] = field(default_factory=list)     # (date, ref, payee, memo, amount, balance after)
    problems: list[Problem] = field(default_factory=list)


def _sales(rng: random.Random, till: Till) -> list[Trade]:
    """The quarter's payments, and refunds of about 2% of them 0-5 days later, at most
    one a day: a tea house's refunds trickle in (a bunch of them is `refund-surge`)."""
    trades, refund_days = [], set()
    for day in days():
        paid = till.payments(day, rng.randint(30, 60))
        trades += paid
        for p in paid:
            if rng.random() >= 0.03:  # 3% asked for, about 2% within the one-a-day limit
                continue
            later = rng.choice((0, 0, 1, 1, 2, 3, 4, 5)) or int(p.time.time() > dt.time(22, 20))
            when = day + dt.timedelta(later)
            while when in refund_days:
                when += dt.timedelta(1)
            if when > min(END, day + dt.timedelta(5)):
                continue
            refund_days.add(when)
            start = p.time + dt.timedelta(minutes=5) if when == day else dt.datetime.combine(when, dt.time(9))
            end = dt.datetime.combine(when, dt.time(22, 30))
            trades.append(till.refund(p, start + dt.timedelta(seconds=rng.randrange((end - start).seconds))))
    return sorted(trades, key=lambda t: (t.time, t.refund_id, t.trade_id))


def _fund(q: Quarter, till: Till, channel, stop: set[dt.date]) -> None:
    """The fund bill: the trade bill's money as WeChat's account sees it, and every
    evening (but on `stop` days) a withdrawal of the whole balance."""
    by_day, balance = defaultdict(list), channel.opening.amount if channel.opening else ZERO
    for t in q.trades:
        by_day[t.time.date()].append(t)
    for day in days():
        for t in by_day[day]:
            if t.refund_id:
                balance += t.net
                q.fund.append((t.time, t.refund_id, till.next(), "退款", t.net, balance,
                               f"退款总金额{t.refunded:.2f}元;含手续费{abs(t.fee):.2f}元", t.refund_order_id))
                continue
            balance += t.settled
            q.fund.append((t.time, t.trade_id, till.next(), "交易", t.settled, balance, "", t.order_id))
            if t.fee:
                balance -= t.fee
                q.fund.append((t.time, t.trade_id, till.next(), "扣除交易手续费", -t.fee, balance, "", t.order_id))
        if day not in stop and balance > 0:
            payout = f"1000{till.merchant[-6:]:0>6}{day:%Y%m%d}{till.next():010d}"
            q.fund.append((dt.datetime.combine(day, dt.time(23, 30)), payout, till.next(), "提现", -balance, ZERO,
                           "自动提现", ""))
            q.payouts.append((day, payout, balance))
            balance = ZERO
    for day in sorted(stop):
        if (END - day).days > channel.settlement_days:
            last = [t for t in by_day[day] if not t.refund_id][-1]
            q.problems.append(Problem("unsettled", day, (last.trade_id,), "no withdrawal in the last 5 days"))


def _bank(rng: random.Random, q: Quarter, bank, problems: bool) -> None:
    """The bank's lines: withdrawals arrive 1-2 days later; rent, salaries and
    electricity go out; with `problems`, a payout short, two missing, two strangers."""
    delays = {day: rng.choice((1, 1, 2)) for day in days()}  # for every day: the variants differ only by problems
    lines = [(dt.date(2026, m, 1), "上海某某置业有限公司", f"房租 2026-{m:02d}", -Decimal("28000.00"), None)
             for m in (1, 2, 3)]
    lines += [(dt.date(2026, m, 10), "批量代发", "代发工资", -money(rng.randint(3_600_000, 3_900_000)), None)
              for m in (1, 2, 3)]
    lines += [(dt.date(2026, m, rng.randint(18, 22)), "国网上海市电力公司", "电费", -money(rng.randint(150_000, 320_000)),
               None) for m in (1, 2, 3)]
    missing, short = set(), set()
    if problems:  # payouts whose amount no other payout has, so that only they can explain the gap
        amounts = Counter(a for _, _, a in q.payouts)
        unique = [p for p in q.payouts if amounts[p[2]] == 1 and amounts[p[2] - Decimal("0.50")] == 0]
        for first, last, into in ((dt.date(2026, 1, 5), dt.date(2026, 1, 25), short),
                                  (dt.date(2026, 2, 3), dt.date(2026, 2, 25), missing),
                                  (dt.date(2026, 3, 2), dt.date(2026, 3, 20), missing)):
            into.add(rng.choice([p for p in unique if first <= p[0] <= last])[1])
        lines += [(dt.date(2026, 3, 9), "某某科技有限公司", "转账", Decimal("8000.00"), ("bank-unmatched",)),
                  (dt.date(2026, 3, 16), "阿里云计算有限公司", "ALIYUN 2026-03", -Decimal("312.00"), ("bank-unmatched",))]
    for day, payout, amount in q.payouts:
        arrive = day + dt.timedelta(delays[day])
        if payout in missing:
            q.problems.append(Problem("payout-missing", day, (payout,), f"withdrawal of {amount} never reaches the bank"))
        elif arrive <= END:
            lines.append((arrive, TENPAY, f"财付通提现 {payout}", amount - Decimal("0.50") if payout in short else amount,
                          ("payout-mismatch", day, payout) if payout in short else None))
    lines.sort(key=lambda line: line[0])  # stable: a day's lines keep the order above
    balance = bank.opening.amount if bank.opening else ZERO  # what the books start from too
    for n, (day, payee, memo, amount, problem) in enumerate(lines, 1):
        ref, balance = f"{day:%Y%m%d}{n:06d}", balance + amount
        q.bank.append((day, ref, payee, memo, amount, balance))
        if problem and problem[0] == "bank-unmatched":
            q.problems.append(Problem(problem[0], day, (ref,), f"bank line nothing explains: {payee} {memo} {amount}"))
        elif problem:
            q.problems.append(Problem(problem[0], problem[1], (problem[2], ref),
                                      f"withdrawal reaches the bank 0.50 short on {day} (bank fee)"))


def _quarter(rng: random.Random, till: Till, channel, bank, problems: bool) -> Quarter:
    q = Quarter(trades=_sales(rng, till))
    # With problems, no withdrawal in the last five days: the oldest of that money is `unsettled`.
    _fund(q, till, channel, {END - dt.timedelta(n) for n in range(5)} if problems else set())
    _bank(rng, q, bank, problems)
    return q


def _write_bank(path: Path, q: Quarter, bank, holder: str) -> None:
    """The bank statement, newest line first."""
    order = ("date", "time", "ref", "memo", "payee", "credit", "debit", "amount", "currency", "balance")
    roles = [r for r in order if r in bank.columns]
    with open(path, "w", encoding=bank.encoding or "gb18030", newline="") as fh:
        fh.write(f"{BANK_TITLES.get(bank.name, bank.name.upper())}账户明细\r\n账号：6222021001123456789\r\n"
                 f"户名：{holder}\r\n起止日期：{START} 至 {END}\r\n\r\n")
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow([bank.columns[r] for r in roles])
        for day, ref, payee, memo, amount, balance in reversed(q.bank):
            cells = {"date": day.strftime(bank.date_format), "time": "12:00:00", "ref": ref, "memo": memo,
                     "payee": payee, "credit": f"{amount:.2f}" if amount > 0 else "",
                     "debit": f"{-amount:.2f}" if amount < 0 else "", "amount": f"{amount:.2f}",
                     "currency": bank.currency, "balance": f"{balance:.2f}"}
            out.writerow([cells[r] for r in roles])


def _write_quarter(q: Quarter, till: Till, channel, bank, statements: Path, holder: str) -> list[tuple[Path, int]]:
    (statements / channel.name).mkdir(parents=True)
    (statements / bank.name).mkdir(parents=True)
    files = []
    for month in (1, 2, 3):
        trade = statements / channel.name / f"tradebill-2026-{month:02d}.csv"
        files.append((trade, write_trade_bill(trade, (t for t in q.trades if t.time.month == month), till)))
        rows = [r for r in q.fund if r[0].month == month]
        fund = statements / channel.name / f"fundflow-2026-{month:02d}.csv"
        with open(fund, "w", encoding="utf-8", newline="") as fh:
            fh.write(FUND_HEADER + "\n")
            for when, ident, flow, kind, amount, after, memo, voucher in rows:
                fh.write(_line((f"{when:%Y-%m-%d %H:%M:%S}", ident, f"{when:%Y%m%d}{flow:012d}", kind, kind,
                                "收入" if amount > 0 else "支出", f"{abs(amount):.2f}", f"{after:.2f}",
                                f"{till.merchant}API" if kind in ("退款", "提现") else "", memo, voucher)))
            fh.write(FUND_SUMMARY + "\n")
            ins, outs = [r[4] for r in rows if r[4] > 0], [-r[4] for r in rows if r[4] <= 0]
            fh.write(_line((str(len(rows)), str(len(ins)), f"{sum(ins, ZERO):.2f}", str(len(outs)),
                            f"{sum(outs, ZERO):.2f}")))
        files.append((fund, len(rows)))
    statement = statements / bank.name / f"{bank.name}-2026Q1.csv"
    _write_bank(statement, q, bank, holder)
    files.append((statement, len(q.bank)))
    return files


# -- the run -----------------------------------------------------------------------------

def embedded_config() -> str:
    """The example merchant: the repository's config.yaml, shipped inside the package."""
    return resources.files("beanclear").joinpath("demo_config.yaml").read_text(encoding="utf-8")


def _prepare(directory: Path | None, config_path: Path):
    if directory is None:
        return config_mod.load(config_path)
    target, text = Path(directory) / "config.yaml", embedded_config()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_text(encoding="utf-8") != text:
            raise ConfigError(f"{target}: exists and is not the demo's config; it will not be overwritten "
                              f"(`beanclear demo -c {target}` runs the demo with it)")
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write the demo's config ({exc})") from None
    return config_mod.load(target)


def _clear(books: Path, statements: Path, root: Path) -> None:
    """Remove the books and statements of an earlier demo; refuse anything else."""
    for folder in (books, statements):
        if folder == root or folder in root.parents or folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder}: the demo writes a folder here, and this is not one it may replace")
    if books.exists() and any(books.iterdir()):
        main = books / "main.beancount"
        first = main.read_text(encoding="utf-8").split("\n", 1)[0] if main.exists() else MAIN_FIRST_LINE
        if not (books / MARKER).exists() or not first.startswith(MAIN_FIRST_LINE):
            raise ConfigError(f"{books}: these books are not a demo's; they will not be overwritten")
    if statements.exists():
        odd = [p for p in statements.rglob("*") if p.is_file() and not DEMO_FILE.fullmatch(
            p.relative_to(statements).as_posix())]
        if odd:
            raise ConfigError(f"{statements}: holds files the demo did not write ({odd[0].name}); "
                              "it will not be overwritten")
    for folder in (books, statements):
        if folder.exists():
            shutil.rmtree(folder)
    books.mkdir(parents=True)
    (books / MARKER).write_text("Written by `beanclear demo`, which replaces this folder on its next run.\n",
                                encoding="utf-8")


@dataclass
class Demo:
    config: object
    seed: int
    files: list[tuple[Path, int]]
    results: list
    report: checking.Report
    problems: list[Problem]

    def found(self, problem: Problem) -> bool:
        return any(f.code == problem.code and set(problem.ids) <= set(f.refs) for f in self.report.findings)

    def summary(self) -> str:
        def show(path: Path) -> str:
            return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
        config, report = self.config, self.report
        entries = [e for r in self.results for e in r.new]
        txns = sum(isinstance(e, data.Transaction) for e in entries)
        out = [f"beanclear demo: {config.title}, {START} .. {END} (seed {self.seed})", "",
               f"Statements written to {show(config.root / 'statements')}:"]
        out += [f"  {p.relative_to(config.root / 'statements')}: {n:,} rows" for p, n in self.files]
        out += ["", f"Imported into {show(config.books)}: {len(entries):,} entries ({txns:,} transactions, "
                f"{len(entries) - txns:,} balance assertions)"]
        out += ["  " + r.summary().replace(str(config.root) + "/", "") for r in self.results]
        out += ["", f"Known problems put in ({len(self.problems)}):" if self.problems else "No problems put in."]
        out += [f"  {p.code:<16} {p.date}  {p.what} [{', '.join(p.ids)}]: {'found' if self.found(p) else 'NOT FOUND'}"
                for p in sorted(self.problems, key=lambda p: (p.code, p.date))]
        counts = Counter((f.code, f.severity) for f in report.findings)
        out += ["", f"Checks: {report.errors} errors, {report.warnings} warnings, {report.acknowledged} acknowledged"]
        out += [f"  {code:<16} {severity:<8} {n}" for (code, severity), n in sorted(counts.items())]
        main, cfg = show(config.books / "main.beancount"), show(config.path)
        out += ["", "Look at it:", f"  fava {main}", f"  beanclear check -c {cfg}", f"  bean-check {main}"]
        return "\n".join(out)


def build(directory: Path | None, config_path: Path, seed: int = 7, problems: bool = True) -> Demo:
    """Write, import and check the demo; returns everything the summary needs."""
    config = _prepare(directory, config_path)
    channel = next((c for _, c in sorted(config.channels.items()) if c.type == "wechat"), None)
    if channel is None or channel.bank not in config.banks:
        raise ConfigError(f"{config.path.name}: channels: the demo needs a wechat channel with a bank")
    bank, statements = config.banks[channel.bank], config.root / "statements"
    _clear(config.books, statements, config.root)
    rng = random.Random(seed)
    till = Till(rng, channel.account_id or "1900000109", channel.fees[0] if channel.fees else None)
    quarter = _quarter(rng, till, channel, bank, problems)
    files = _write_quarter(quarter, till, channel, bank, statements, config.title.split()[0])
    results = importing.run(config, [statements])
    report = checking.check(config)
    # Beancount caches a slow load beside main.beancount; the demo's books hold only what it wrote.
    (config.books / ".main.beancount.picklecache").unlink(missing_ok=True)
    return Demo(config, seed, files, results, report, quarter.problems)


def run(directory: Path | None, config_path: Path, seed: int = 7, problems: bool = True) -> str:
    """`beanclear demo`: write the example merchant's quarter, import it, check it; the summary."""
    return build(directory, config_path, seed, problems).summary()
