"""The two views of one channel imported in either order (books/late_views.py), at scale.

    .venv/bin/python benchmarks/bench_views.py --rows 100000
    .venv/bin/python benchmarks/bench_views.py --rows 100000 --python /other/tree/.venv/bin/python

Writes into --out (default benchmarks/out/views, git-ignored; emptied first) a WeChat merchant's month:
a 交易账单 and a 资金账单 of --rows payments (each with its fee, ~2% refunded the same
day with the fee returned, a withdrawal a day), then measures, each in a fresh process
(harness.timed: time and peak memory):

  both        both bills in one `beanclear import` into empty books (the reference books)
  fund        the fund bill alone into empty books
  trade       the trade bill into those: it replaces the fund view's payments, fees and refunds
  reread      the trade bill again with --force: every row known, nothing written
  refund      the fund bill again with --force: every row known, nothing written

and says whether `trade` left the books byte for byte as `both` wrote them. `--python`
runs the measurements with another tree's interpreter (its own beanclear), to compare
with the code before: there `trade` books nothing (the fund view's entries stay).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

CONFIG = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    settlement_days: 1
    fees: [{rate: 0.006, min: 0.01}]
"""
TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注")
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"


def bills(folder: Path, rows: int, seed: int = 7, start: dt.datetime = dt.datetime(2026, 3, 1), first: int = 0,
          days: int = 28) -> tuple[Path, Path]:
    """The trade bill and fund bill of `days` days from `start`, consistent with each other;
    payment ids from `first` on."""
    rng = random.Random(seed)
    trade, fund, balance = [], [], Decimal(0)
    settled = refunded = fees = income = expense = Decimal(0)
    count_in = count_out = 0

    def fund_row(when, ident, flow, kind, amount, note, voucher):
        nonlocal balance, income, expense, count_in, count_out
        balance += amount
        if amount > 0:
            income, count_in = income + amount, count_in + 1
        else:
            expense, count_out = expense - amount, count_out + 1
        fund.append(f"`{when},`{ident},`{flow},`{kind},`{kind},`{'收入' if amount > 0 else '支出'},`{abs(amount):.2f},"
                    f"`{balance:.2f},`1601959334API,`{note},`{voucher}")
    per_day = max(1, rows // days)
    for n in range(first, first + rows):
        day = min((n - first) // per_day, days - 1)
        when = (start + dt.timedelta(days=day, seconds=30 + (n % per_day) * (86000 // per_day)))
        text = when.strftime("%Y-%m-%d %H:%M:%S")
        amount = Decimal(rng.randrange(100, 100000)) / 100
        fee = max(Decimal("0.01"), (amount * Decimal("0.006")).quantize(Decimal("0.01")))
        ident, order = f"42{n:026d}", f"S{n:08d}"
        trade.append(f"`{text},`wx1,`1601959334,`0,`,`{ident},`{order},`u,`JSAPI,`SUCCESS,`CFT,`CNY,`{amount:.2f},"
                     f"`0.00,`0,`0,`0.00,`0.00,`,`,`Tea,`,`{fee:.5f},`0.60%,`{amount:.2f},`0.00,`")
        settled, fees = settled + amount, fees + fee
        fund_row(text, ident, f"F{n}a", "交易", amount, "", order)
        fund_row(text, ident, f"F{n}b", "扣除交易手续费", -fee, "", order)
        if rng.random() < 0.02:
            later = (when + dt.timedelta(seconds=60)).strftime("%Y-%m-%d %H:%M:%S")
            refund_id = f"50{n:026d}"
            trade.append(f"`{later},`wx1,`1601959334,`0,`,`{ident},`{order},`u,`JSAPI,`REFUND,`CFT,`CNY,`0.00,`0.00,"
                         f"`{refund_id},`R{order},`{amount:.2f},`0.00,`,`SUCCESS,`Tea,`,`{-fee:.5f},`0.60%,`0.00,"
                         f"`{amount:.2f},`")
            refunded, fees = refunded + amount, fees - fee
            fund_row(later, refund_id, ident, "退款", -(amount - fee), f"退款总金额{amount:.2f}元;含手续费{fee:.2f}元",
                     f"R{order}")
        if (n - first + 1) % per_day == 0 and day < days - 1 or n == first + rows - 1:
            out = (start + dt.timedelta(days=day, hours=23, minutes=59)).strftime("%Y-%m-%d %H:%M:%S")
            if balance > 0:
                fund_row(out, f"10{n:08d}", f"W{n}", "提现", -balance, "提现到工商银行", "")
    folder.mkdir(parents=True, exist_ok=True)
    trade_path, fund_path = folder / "tradebill.csv", folder / "fundflow.csv"
    trade_path.write_text("\n".join([TRADE_HEADER, *trade, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                                     f"`{len(trade)},`{settled:.2f},`{refunded:.2f},`0.00,`{fees:.5f},`{settled:.2f},"
                                     f"`{refunded:.2f}"]) + "\n", encoding="utf-8")
    fund_path.write_text("\n".join([FUND_HEADER, *fund, "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额",
                                    f"`{len(fund)},`{count_in},`{income:.2f},`{count_out},`{expense:.2f}"]) + "\n",
                         encoding="utf-8")
    return trade_path, fund_path


def child(merchant: Path, kind: str, paths: list[str], force: bool) -> None:
    from beanclear import config as config_mod
    from beanclear.books import importing
    config = config_mod.load(merchant / "config.yaml")

    def work():
        results = importing.run(config, paths, force=force)
        return {"written": sum(len(r.new) for r in results)}
    print(json.dumps(harness.timed(kind, work)))


def run(python: str, merchant: Path, kind: str, paths: list[Path], force: bool = False) -> dict:
    command = [python, __file__, "--child", kind, "--merchant", str(merchant), *map(str, paths)]
    if force:
        command.append("--force")
    done = subprocess.run(command, capture_output=True, text=True, env=harness_env())
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def harness_env():
    import os
    return {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}


def merchant(folder: Path, books_from: Path | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    if books_from is not None:
        shutil.copytree(books_from / "books", folder / "books")
    return folder


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".beanclear")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "views")
    parser.add_argument("--python", default=sys.executable, help="the interpreter (and so the tree) measured")
    parser.add_argument("--child")
    parser.add_argument("--merchant", type=Path)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.child:
        return child(args.merchant, args.child, args.paths, args.force)
    shutil.rmtree(args.out, ignore_errors=True)
    trade, fund = bills(args.out / "statements", args.rows)
    print(f"{args.rows} payments: trade bill {trade.stat().st_size / 1e6:.1f} MB, fund bill {fund.stat().st_size / 1e6:.1f} MB;"
          f" {args.python}")
    figures = {}
    both = merchant(args.out / "both")
    figures["both"] = run(args.python, both, "both", [trade, fund])
    first = merchant(args.out / "fund")
    figures["fund"] = run(args.python, first, "fund", [fund])
    second = merchant(args.out / "trade", first)
    figures["trade"] = run(args.python, second, "trade", [trade])
    figures["reread"] = run(args.python, second, "reread", [trade], force=True)
    figures["refund"] = run(args.python, second, "refund", [fund], force=True)
    for kind, r in figures.items():
        print(f"  {kind:<7} {r['seconds']:8.2f} s  {r['cpu']:8.2f} s CPU  {r['peak_mb']:7.0f} MB peak  "
              f"{r.get('written', 0)} entries written")
    same = snapshot(both / "books") == snapshot(second / "books")
    print(f"fund then trade wrote what both in one import wrote: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
