"""The bank the WeChat withdrawals land in: a CSV statement with the configured columns,
newest line first, with rent, salaries and electricity beside the withdrawals."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

from beanclear.demo.common import END, START, ZERO, Problem, Quarter, days, money

BANK_TITLES = {"icbc": "中国工商银行", "cmb": "招商银行", "boc": "中国银行", "ccb": "中国建设银行"}
TENPAY = "财付通支付科技有限公司"


def lines(rng: random.Random, q: Quarter, bank, problems: bool) -> None:
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



def write(path: Path, q: Quarter, bank, holder: str) -> None:
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

