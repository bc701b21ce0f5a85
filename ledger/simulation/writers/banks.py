"""Bank statements: a CNY bank as a `csv` (named columns) or ICBC-style CSV, a USD bank as
CAMT.053, MT940 or OFX (FORMATS §7). The opening balance is stated in the file only: the first
running balance, CAMT OPBD, MT940 :60F:, OFX LEDGERBAL less its lines.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from datetime import timedelta
from decimal import Decimal

from . import amt, csv_text, overlapping

CSV_HEADER = ["交易日期", "交易时间", "交易流水号", "摘要", "对方户名", "收入金额", "支出金额", "余额"]
CSV_COLUMNS = {"date": "交易日期", "credit": "收入金额", "debit": "支出金额", "memo": "摘要", "payee": "对方户名",
               "ref": "交易流水号", "balance": "余额"}
ICBC_HEADER = ["交易日期", "摘要", "交易详情", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)", "交易金额(支出)",
               "交易币种", "记账金额(收入)", "记账金额(支出)", "记账币种", "余额", "对方户名", "对方账户"]


def running(m, b):
    bal = b.opening
    for line in m.bank_lines[b.name]:
        bal += line.amount
        yield line, bal


def write(m, b, folder):
    """The bank's statements; where a week was never downloaded, one before it and one
    after it, each with its own opening and period, in folders of their own; else,
    for some banks, two downloads whose days overlap (overlapping())."""
    hole = m.bank_hole.get(b.name)
    if hole:
        return _two(m, b, folder, hole[0] - timedelta(days=1), hole[1] + timedelta(days=1))
    cut = overlapping(m, b.name, m.bank_end[b.name])
    return _write(m, b, folder) if cut is None else _two(m, b, folder, cut[1], cut[0])


def _two(m, b, folder, first_to, second_from):
    """Two statements: the first to `first_to`, the second from `second_from` with the
    opening the lines before it leave (days between them are in neither)."""
    lines = m.bank_lines[b.name]
    first = copy.copy(m)
    first.bank_lines = {**m.bank_lines, b.name: [l for l in lines if l.day <= first_to]}
    first.bank_end = {**m.bank_end, b.name: min(first_to, m.bank_end[b.name])}
    second = copy.copy(m)
    second.shape = dataclasses.replace(m.shape, start=second_from)
    second.bank_lines = {**m.bank_lines, b.name: [l for l in lines if l.day >= second_from]}
    opening = b.opening + sum((l.amount for l in lines if l.day < second_from), Decimal("0"))
    return (_write(first, b, folder / f"{b.name}-1")
            + _write(second, dataclasses.replace(b, opening=opening), folder / f"{b.name}-2"))


def _write(m, b, folder):
    from . import camt, mt940, ofx
    folder.mkdir(parents=True, exist_ok=True)
    if b.type == "csv":
        rows = [[f"{l.day:%Y-%m-%d}", f"{9 + l.seq % 9:02d}:{l.seq % 60:02d}:00", l.ref, l.memo, l.payee,
                 amt(l.amount) if l.amount > 0 else "", amt(-l.amount) if l.amount < 0 else "", amt(bal)]
                for l, bal in running(m, b)]
        if random.Random(f"newest first {m.shape.seed} {b.name}").random() < 0.5:
            rows.reverse()   # as many banks export: newest first (a stream of its own: shapes stay)
        f = folder / f"{b.name}.csv"
        f.write_bytes(csv_text([CSV_HEADER] + rows).encode(b.encoding))
        return [f]
    if b.type == "icbc":
        pad = lambda v, w=12: f"{v:<{w}}\t"
        rows = []
        for l, bal in running(m, b):
            inc = amt(l.amount, True) if l.amount > 0 else "-"
            exp = amt(-l.amount, True) if l.amount < 0 else "-"
            rows.append([pad(f"{l.day:%Y-%m-%d}"), pad(l.memo), pad(l.payee, 24), pad("-"), pad("CHN", 4), pad("钞", 2),
                         pad(inc), pad(exp), pad("人民币", 4), pad(inc), pad(exp), pad("人民币", 4), pad(amt(bal, True)),
                         pad(l.payee, 24), pad("-")])
        end = m.bank_end[b.name]
        text = (f"明细查询\n卡号:,6222020200112233445\n子账户序号:,00000,子账户类别:,活期,币种:,人民币\n"
                f"起始日期:,{m.shape.start:%Y-%m-%d},截止日期:,{end:%Y-%m-%d}\n\n"
                + csv_text([ICBC_HEADER] + rows, quote_all=True))
        f = folder / "icbc_明细.csv"
        f.write_bytes(text.encode("gb18030"))
        return [f]
    return {"camt053": camt, "mt940": mt940, "ofx": ofx}[b.type].write(m, b, folder)


def closing(m, b) -> Decimal:
    return b.opening + sum((l.amount for l in m.bank_lines[b.name]), Decimal("0"))


def first_day(m, b):
    return m.shape.start - timedelta(days=1)
